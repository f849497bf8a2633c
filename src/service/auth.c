/* auth: accounts, roles, passwords, login lockout and sessions (see
 * auth.h), over libsodium.
 *
 * Choices worth knowing:
 *   - Passwords: argon2id (crypto_pwhash_str, interactive limits: ~64 MiB
 *     and tens of ms per hash). Hashing runs outside any transaction, so a
 *     login never holds SQLite's write lock while it hashes. A name that
 *     does not exist is verified against a fixed dummy hash (made once per
 *     process), so it takes as long as a wrong password.
 *   - Session tokens: 32 random bytes, base64url unpadded (43 chars); the
 *     database keeps the hex SHA-256. The CSRF token is BLAKE2b of the
 *     session token keyed with a fixed domain string (not a per-process
 *     key: several server processes must agree); the session token is
 *     secret and random, so the derived value cannot be guessed.
 *   - Lockout: login_attempts counts failures by the name as typed, known
 *     or not, in one atomic upsert (concurrent logins do not lose counts).
 *     The failure that reaches max_failures locks the name and is answered
 *     XF_LOGIN_LOCKED; attempts while locked are refused without hashing,
 *     are not counted, and are audited "login.failed" {"reason":"locked"}.
 *     A failure after an expired lock starts counting again from 1. Names
 *     that cannot exist (not 1..64 of [A-Za-z0-9._@-]) are refused after a
 *     dummy hash and not counted (nothing of them is stored but a
 *     sanitised copy in the audit row).
 *   - A session is older than a password change when created_at <
 *     password_changed_at: a login in the same second after the change
 *     (the user's own new login) survives; every older row is deleted by
 *     the change anyway.
 *   - The functions that write several rows open a transaction unless the
 *     caller already has one open (the demo data adds its accounts inside
 *     its own); then the caller's commit or rollback covers them.
 *   - An admin's password reset (old_password NULL) also clears the name's
 *     failure count and lock; a user's own change does not.
 *   - Audit rows never hold a password or a hash: failed logins are
 *     actor = the name typed (sanitised, at most 64 bytes), object
 *     "user:NAME", after {"reason": "unknown"|"password"|"disabled"|
 *     "invalid"|"locked"}; logins after {"ip": ...}. */
#include <cJSON.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "io/jsonw.h"
#include "service/auth.h"
#include "store/query.h"

#define USERNAME_MAX 64        /* bytes (all ASCII) */
#define DISPLAY_MAX_CHARS 64
#define CODE_MAX_BYTES 128     /* a person code shown in a message */
#define PASSWORD_MAX_CHARS 128
#define PASSWORD_MAX_BYTES 1024 /* longer input at login is refused unhashed */
#define ROLES_MAX 64
#define IP_MAX 64
#define REFRESH_S XF_SESSION_REFRESH_S
#define UNITS_MAX 1000000      /* units in one principal's scope */
#define OBJECT_MAX (USERNAME_MAX + 8)

/* The CSRF key: a fixed domain string (crypto_generichash wants 16..64
 * bytes). */
static const char csrf_key[] = "xuefen-csrf-token-v1";

/* Roles in the order they are listed and stored. */
static const struct {
	unsigned bit;
	const char *name;
	const char *label;
} role_table[XF_ROLE_COUNT] = {
	{XF_ROLE_MEMBER, "member", "学员"},
	{XF_ROLE_REVIEWER, "reviewer", "审核人"},
	{XF_ROLE_APPROVER, "approver", "审批人"},
	{XF_ROLE_ADMIN, "admin", "管理员"},
	{XF_ROLE_AUDITOR, "auditor", "审计员"},
};

/* ORDER BY fragment for user_roles r: the order of role_table. */
#define ROLE_ORDER                                                                          \
	"CASE r.role WHEN 'member' THEN 1 WHEN 'reviewer' THEN 2 WHEN 'approver' THEN 3 "  \
	"WHEN 'admin' THEN 4 ELSE 5 END"

unsigned xf_role_parse(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < XF_ROLE_COUNT; i++)
		if (strcmp(role_table[i].name, name) == 0)
			return role_table[i].bit;
	return 0;
}

const char *xf_role_name(unsigned role)
{
	for (size_t i = 0; i < XF_ROLE_COUNT; i++)
		if (role_table[i].bit == role)
			return role_table[i].name;
	return NULL;
}

const char *xf_role_label(unsigned role)
{
	for (size_t i = 0; i < XF_ROLE_COUNT; i++)
		if (role_table[i].bit == role)
			return role_table[i].label;
	return NULL;
}

void xf_auth_policy_defaults(xf_auth_policy *p)
{
	p->idle_s = 1800;
	p->absolute_s = 43200;
	p->max_failures = 5;
	p->lock_s = 900;
	p->min_length = 8;
	p->min_classes = 3;
}

/* ---- libsodium, once per process ---- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = -1;

static void sodium_start(void)
{
	sodium_status = sodium_init() < 0 ? -1 : 0;
}

/* 0, or -1 with a message (errs may be NULL). */
static int sodium_ready(xf_errs *errs)
{
	pthread_once(&sodium_once, sodium_start);
	if (sodium_status != 0 && errs)
		xf_errs_add(errs, "libsodium 初始化失败 (libsodium init failed)");
	return sodium_status;
}

/* The hash an unknown name is verified against: of a random password
 * nobody knows, made at the first login. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];
static bool dummy_ok;

static void dummy_make(void)
{
	unsigned char pw[32];
	randombytes_buf(pw, sizeof(pw));
	dummy_ok = crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw),
				     crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	sodium_memzero(pw, sizeof(pw));
}

/* Spends the time of one verification and fails. */
static void dummy_verify(const char *password, size_t len)
{
	pthread_once(&dummy_once, dummy_make);
	int r;
	if (dummy_ok) {
		r = crypto_pwhash_str_verify(dummy_hash, password, len);
	} else {
		char tmp[crypto_pwhash_STRBYTES];
		r = crypto_pwhash_str(tmp, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE);
	}
	(void)r; /* the answer is "no" either way */
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], xf_errs *errs)
{
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		xf_errs_add(errs, "无法计算密码散列（内存不足）(password hashing failed: out of memory)");
		return -1;
	}
	return 0;
}

/* ---- text checks ---- */

/* Counts the characters of s when it is valid UTF-8: 0, or -1. */
static int utf8_chars(const char *s, size_t *n)
{
	long count = xf_utf8_chars(s);
	if (count < 0)
		return -1;
	*n = (size_t)count;
	return 0;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return true;
	return false;
}

static bool username_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '@' || c == '-';
}

static bool username_valid(const char *u)
{
	if (u == NULL || *u == '\0')
		return false;
	size_t n = 0;
	for (; u[n]; n++)
		if (n >= USERNAME_MAX || !username_char(u[n]))
			return false;
	return true;
}

/* A copy of a typed name fit for the audit log: at most 64 bytes, any byte
 * a user name cannot hold replaced by '?'; "?" for an empty name. */
static void name_for_log(const char *in, char out[USERNAME_MAX + 1])
{
	size_t i = 0;
	for (; in && in[i] && i < USERNAME_MAX; i++)
		out[i] = username_char(in[i]) ? in[i] : '?';
	out[i] = '\0';
	if (i == 0)
		strcpy(out, "?");
}

/* An address fit to store: printable ASCII, at most 64 bytes; NULL stays
 * NULL. */
static const char *ip_for_log(const char *in, char out[IP_MAX + 1])
{
	if (in == NULL)
		return NULL;
	size_t i = 0;
	for (; in[i] && i < IP_MAX; i++)
		out[i] = in[i] > 0x20 && in[i] < 0x7F ? in[i] : '?';
	out[i] = '\0';
	return out;
}

int xf_password_check(const xf_auth_policy *p, const char *password, xf_errs *errs)
{
	int min_classes = p->min_classes < 0 ? 0 : p->min_classes > 4 ? 4 : p->min_classes;
	size_t n = 0;
	if (password == NULL)
		password = "";
	if (utf8_chars(password, &n) != 0) {
		xf_errs_add(errs, "密码：不是有效的 UTF-8 文本 (password is not valid UTF-8)");
		return -1;
	}
	if (has_control(password)) {
		xf_errs_add(errs, "密码：不能包含控制字符 (password contains control characters)");
		return -1;
	}
	if (n > PASSWORD_MAX_CHARS) {
		xf_errs_add(errs, "密码最多 %d 位 (password too long)", PASSWORD_MAX_CHARS);
		return -1;
	}
	bool lower = false, upper = false, digit = false, other = false;
	for (const char *c = password; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			lower = true;
		else if (*c >= 'A' && *c <= 'Z')
			upper = true;
		else if (*c >= '0' && *c <= '9')
			digit = true;
		else
			other = true;
	}
	int classes = (int)lower + (int)upper + (int)digit + (int)other;
	if ((long long)n < (long long)p->min_length || classes < min_classes) {
		xf_errs_add(errs,
			    "密码至少 %d 位，且包含大写字母、小写字母、数字、符号中的至少 %d 类 "
			    "(password too weak)",
			    p->min_length, min_classes);
		return -1;
	}
	return 0;
}

/* ---- store helpers ---- */

/* Opens a transaction unless the caller has one open: *owned says whether
 * it is ours to commit. 0, or -1 with the database's message. */
static int tx_open(xf_store *s, bool *owned, xf_errs *errs)
{
	*owned = !xf_store_in_tx(s);
	return *owned ? xf_store_begin(s, errs) : 0;
}

static int tx_close(xf_store *s, bool owned, xf_errs *errs)
{
	return owned ? xf_store_commit(s, errs) : 0;
}

static void tx_abort(xf_store *s, bool owned)
{
	if (owned)
		xf_store_rollback(s);
}

static int audit(xf_store *s, const char *actor, const char *action, const char *object,
		 const char *before, const char *after, xf_errs *errs)
{
	xf_audit_entry e = {actor, action, object, before, after};
	return xf_store_audit(s, &e, errs);
}

/* The end of an account change: the audit row "ACTION user:NAME" and the
 * commit of the transaction when it is ours. *in_tx is cleared before the
 * commit (a failed commit rolls back by itself). */
static int audit_user_commit(xf_store *s, bool owned, bool *in_tx, const char *actor,
			     const char *action, const char *name, const char *before,
			     const char *after, xf_errs *errs)
{
	char object[OBJECT_MAX];
	snprintf(object, sizeof(object), "user:%s", name);
	if (audit(s, actor, action, object, before, after, errs) != 0)
		return -1;
	*in_tx = false;
	return tx_close(s, owned, errs);
}

/* {"key": "value"} as compact JSON text (free with cJSON_free); NULL when
 * out of memory. */
static char *json_pair(const char *key, const char *value)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	if (o && cJSON_AddStringToObject(o, key, value))
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* The user's roles as compact JSON for audit rows: [{"role": "reviewer",
 * "unit": "U01"}, {"role": "admin", "unit": null}]. Free with cJSON_free;
 * NULL with a message. */
static char *roles_json(xf_store *s, long long user_id, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT r.role, u.code FROM user_roles r"
				      " LEFT JOIN units u ON u.id = r.unit_id AND r.unit_id <> 0"
				      " WHERE r.user_id = $1 ORDER BY " ROLE_ORDER ", r.unit_id",
				      errs);
	if (st == NULL)
		return NULL;
	cJSON *arr = cJSON_CreateArray();
	char *text = NULL;
	bool oom = arr == NULL || xf_stmt_bind_int(st, 1, user_id) != 0;
	xf_step r = XF_STEP_ERROR;
	while (!oom && (r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		cJSON *o = cJSON_CreateObject();
		const char *code = xf_stmt_text(st, 1);
		if (o == NULL || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "role", xf_stmt_text(st, 0)) ||
		    !(code ? cJSON_AddStringToObject(o, "unit", code) != NULL
			   : cJSON_AddNullToObject(o, "unit") != NULL))
			oom = true;
	}
	if (!oom && r == XF_STEP_DONE) {
		text = cJSON_PrintUnformatted(arr);
		oom = text == NULL;
	}
	if (oom)
		xf_errs_add(errs, "内存不足 (out of memory)");
	cJSON_Delete(arr);
	xf_stmt_finalize(st);
	return text;
}

/* The user's name by id: 0 and out filled, 1 when there is none, -1. */
static int user_name(xf_store *s, long long id, char out[USERNAME_MAX + 1], long long *person_id,
		     char *hash, xf_errs *errs)
{
	return xf_query_row(s, "SELECT username, person_id, password_hash FROM users WHERE id = $1",
			    errs, XF_IN(id), XF_OUT_TEXT(out, USERNAME_MAX + 1), XF_OUT(person_id),
			    XF_OUT_TEXT(hash, crypto_pwhash_STRBYTES));
}

/* ---- accounts ---- */

/* Checks roles: each known, reviewer and approver with an existing unit,
 * member only with a person. Adds one message per problem; returns -1 only
 * for a database error. */
static int check_roles(xf_store *s, const xf_user_role *roles, size_t n, bool has_person,
		       xf_errs *errs)
{
	if (n == 0) {
		xf_errs_add(errs, "角色：至少需要一个角色 (at least one role)");
		return 0;
	}
	if (n > ROLES_MAX) {
		xf_errs_add(errs, "角色：最多 %d 个 (too many roles)", ROLES_MAX);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = xf_role_name(roles[i].role);
		if (name == NULL) {
			xf_errs_add(errs, "角色：第 %zu 个角色未知 (unknown role %u)", i + 1,
				    roles[i].role);
			continue;
		}
		if (roles[i].role == XF_ROLE_MEMBER && !has_person)
			xf_errs_add(errs, "关联人员：学员 (member) 角色须关联一名人员 "
					  "(a member must be linked to a person)");
		if (roles[i].role != XF_ROLE_REVIEWER && roles[i].role != XF_ROLE_APPROVER)
			continue;
		if (roles[i].unit_id <= 0) {
			xf_errs_add(errs, "单位：%s (%s) 角色须指定所负责的单位 (unit required)",
				    xf_role_label(roles[i].role), name);
			continue;
		}
		int f = xf_query_row(s, "SELECT id FROM units WHERE id = $1", errs,
				     XF_IN(roles[i].unit_id));
		if (f < 0)
			return -1;
		if (f == 1)
			xf_errs_add(errs, "单位：找不到 id 为 %lld 的单位 (no such unit)",
				    roles[i].unit_id);
	}
	return 0;
}

/* Inserts the roles of a user (duplicates are ignored). */
static int insert_roles(xf_store *s, long long user_id, const xf_user_role *roles, size_t n,
			xf_errs *errs)
{
	for (size_t i = 0; i < n; i++) {
		bool scoped = roles[i].role == XF_ROLE_REVIEWER || roles[i].role == XF_ROLE_APPROVER;
		if (xf_query_exec(s,
				  "INSERT INTO user_roles (user_id, role, unit_id) VALUES ($1, $2, $3)"
				  " ON CONFLICT DO NOTHING",
				  errs, XF_IN(user_id), XF_IN(xf_role_name(roles[i].role)),
				  XF_IN(scoped ? roles[i].unit_id : 0)) != 0)
			return -1;
	}
	return 0;
}

/* Looks the person up by code: 0 and *id, 1 when none; *linked receives
 * the name of the account already linked to them ("" when none). */
static int person_lookup(xf_store *s, const char *code, long long *id, char linked[USERNAME_MAX + 1],
			 xf_errs *errs)
{
	return xf_query_row(s,
			    "SELECT p.id, u.username FROM people p"
			    " LEFT JOIN users u ON u.person_id = p.id WHERE p.code = $1",
			    errs, XF_IN(code), XF_OUT(id), XF_OUT_TEXT(linked, USERNAME_MAX + 1));
}

int xf_user_find(xf_store *s, const char *username, long long *id, xf_errs *errs)
{
	if (!username_valid(username))
		return 1;
	return xf_query_row(s, "SELECT id FROM users WHERE username = $1", errs, XF_IN(username),
			    XF_OUT(id));
}

int xf_user_count(xf_store *s, long long *n, xf_errs *errs)
{
	return xf_query_row(s, "SELECT count(*) FROM users", errs, XF_OUT(n)) == 0 ? 0 : -1;
}

static bool person_code_valid(const char *code)
{
	size_t n = 0;
	return *code != '\0' && strlen(code) <= CODE_MAX_BYTES && utf8_chars(code, &n) == 0;
}

/* What xf_user_add checks before touching the database. */
static void check_new_user_text(const xf_auth_policy *p, const xf_user_new *u, xf_errs *errs)
{
	size_t n = 0;
	if (!username_valid(u->username))
		xf_errs_add(errs, "用户名：应为 1 到 %d 个字母、数字或 . _ @ - (invalid user name)",
			    USERNAME_MAX);
	if (u->display_name == NULL || u->display_name[strspn(u->display_name, " \t")] == '\0')
		xf_errs_add(errs, "姓名：不能为空 (display name required)");
	else if (utf8_chars(u->display_name, &n) != 0 || has_control(u->display_name))
		xf_errs_add(errs, "姓名：不是有效的文本 (display name is not valid UTF-8 text)");
	else if (n > DISPLAY_MAX_CHARS)
		xf_errs_add(errs, "姓名：最多 %d 个字符 (display name too long)", DISPLAY_MAX_CHARS);
	if (u->person_code && !person_code_valid(u->person_code))
		xf_errs_add(errs, "关联人员：人员编码无效 (invalid person code)");
	xf_password_check(p, u->password, errs);
}

int xf_user_add(xf_store *s, const xf_auth_policy *p, const xf_user_new *u, const char *actor,
		time_t now, long long *id, xf_errs *errs)
{
	char hash[crypto_pwhash_STRBYTES];
	char linked[USERNAME_MAX + 1];
	char *roles_after = NULL, *after = NULL;
	cJSON *doc = NULL, *roles_doc = NULL;
	long long person_id = 0, new_id = 0;
	bool owned = false, in_tx = false;
	int rc = -1;
	size_t before = xf_errs_count(errs);

	if (sodium_ready(errs) != 0)
		return -1;
	check_new_user_text(p, u, errs);
	if (username_valid(u->username)) {
		int f = xf_user_find(s, u->username, NULL, errs);
		if (f < 0)
			return -1;
		if (f == 0)
			xf_errs_add(errs, "用户名：\"%s\" 已被使用 (user name taken)", u->username);
	}
	if (u->person_code && person_code_valid(u->person_code)) {
		int f = person_lookup(s, u->person_code, &person_id, linked, errs);
		if (f < 0)
			return -1;
		if (f == 1)
			xf_errs_add(errs, "关联人员：找不到编码为 \"%s\" 的人员 (no such person)",
				    u->person_code);
		else if (linked[0])
			xf_errs_add(errs, "关联人员：人员 \"%s\" 已关联账号 \"%s\" (person already has an account)",
				    u->person_code, linked);
	}
	if (check_roles(s, u->roles, u->nroles, u->person_code != NULL, errs) != 0)
		return -1;
	if (xf_errs_count(errs) != before)
		return -1;

	if (hash_password(u->password, hash, errs) != 0)
		return -1;
	if (tx_open(s, &owned, errs) != 0)
		goto out;
	in_tx = true;
	if (xf_query_row(s,
			 "INSERT INTO users (username, display_name, person_id, password_hash,"
			 " active, password_changed_at, created_at) VALUES ($1, $2, $3, $4, 1, $5, $5)"
			 " RETURNING id",
			 errs, XF_IN(u->username), XF_IN(u->display_name),
			 person_id ? XF_IN(person_id) : XF_IN_NULL, XF_IN(hash), XF_IN((long long)now),
			 XF_OUT(&new_id)) != 0)
		goto out;
	if (insert_roles(s, new_id, u->roles, u->nroles, errs) != 0)
		goto out;
	roles_after = roles_json(s, new_id, errs);
	if (roles_after == NULL)
		goto out;
	doc = cJSON_CreateObject();
	roles_doc = cJSON_Parse(roles_after);
	if (doc == NULL || roles_doc == NULL ||
	    !cJSON_AddStringToObject(doc, "username", u->username) ||
	    !cJSON_AddStringToObject(doc, "display_name", u->display_name) ||
	    !(u->person_code ? cJSON_AddStringToObject(doc, "person", u->person_code) != NULL
			     : cJSON_AddNullToObject(doc, "person") != NULL) ||
	    !cJSON_AddItemToObject(doc, "roles", roles_doc)) {
		cJSON_Delete(roles_doc);
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	after = cJSON_PrintUnformatted(doc);
	if (after == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (audit_user_commit(s, owned, &in_tx, actor, "user.add", u->username, NULL, after,
			      errs) != 0)
		goto out;
	if (id)
		*id = new_id;
	rc = 0;
out:
	if (in_tx)
		tx_abort(s, owned);
	cJSON_Delete(doc);
	cJSON_free(roles_after);
	cJSON_free(after);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int xf_user_set_roles(xf_store *s, long long user_id, const xf_user_role *roles, size_t nroles,
		      const char *actor, xf_errs *errs)
{
	char name[USERNAME_MAX + 1];
	char *before_json = NULL, *after_json = NULL;
	long long person_id = 0;
	bool owned = false, in_tx = false;
	int rc = -1;

	if (tx_open(s, &owned, errs) != 0)
		return -1;
	in_tx = true;
	int f = user_name(s, user_id, name, &person_id, NULL, errs);
	if (f != 0) {
		rc = f;
		goto out;
	}
	size_t before = xf_errs_count(errs);
	if (check_roles(s, roles, nroles, person_id != 0, errs) != 0 ||
	    xf_errs_count(errs) != before)
		goto out;
	before_json = roles_json(s, user_id, errs);
	if (before_json == NULL)
		goto out;
	if (xf_query_exec(s, "DELETE FROM user_roles WHERE user_id = $1", errs,
			  XF_IN(user_id)) != 0 ||
	    insert_roles(s, user_id, roles, nroles, errs) != 0)
		goto out;
	after_json = roles_json(s, user_id, errs);
	if (after_json == NULL)
		goto out;
	if (audit_user_commit(s, owned, &in_tx, actor, "user.roles", name, before_json, after_json,
			      errs) != 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		tx_abort(s, owned);
	cJSON_free(before_json);
	cJSON_free(after_json);
	return rc;
}

int xf_user_set_password(xf_store *s, const xf_auth_policy *p, long long user_id,
			 const char *old_password, const char *new_password, const char *actor,
			 time_t now, xf_errs *errs)
{
	char name[USERNAME_MAX + 1];
	char old_hash[crypto_pwhash_STRBYTES], hash[crypto_pwhash_STRBYTES];
	bool owned = false, in_tx = false;
	int rc = -1;

	if (sodium_ready(errs) != 0)
		return -1;
	int f = user_name(s, user_id, name, NULL, old_hash, errs);
	if (f != 0)
		return f;
	if (old_password &&
	    (strlen(old_password) > PASSWORD_MAX_BYTES ||
	     crypto_pwhash_str_verify(old_hash, old_password, strlen(old_password)) != 0)) {
		xf_errs_add(errs, "原密码不正确 (the current password is wrong)");
		goto out;
	}
	if (xf_password_check(p, new_password, errs) != 0)
		goto out;
	if (hash_password(new_password, hash, errs) != 0)
		goto out;
	if (tx_open(s, &owned, errs) != 0)
		goto out;
	in_tx = true;
	if (xf_query_exec(s,
			  "UPDATE users SET password_hash = $2, password_changed_at = $3"
			  " WHERE id = $1",
			  errs, XF_IN(user_id), XF_IN(hash), XF_IN((long long)now)) != 0)
		goto out;
	if (xf_query_exec(s, "DELETE FROM sessions WHERE user_id = $1", errs, XF_IN(user_id)) != 0)
		goto out;
	/* An admin's reset also lifts a lock on the name. */
	if (old_password == NULL &&
	    xf_query_exec(s, "DELETE FROM login_attempts WHERE username = $1", errs, XF_IN(name)) != 0)
		goto out;
	if (audit_user_commit(s, owned, &in_tx, actor, "user.password", name, NULL, NULL, errs) != 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		tx_abort(s, owned);
	sodium_memzero(old_hash, sizeof(old_hash));
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int xf_user_set_active(xf_store *s, long long user_id, bool active, const char *actor,
		       xf_errs *errs)
{
	char name[USERNAME_MAX + 1];
	bool owned = false, in_tx = false;
	int rc = -1;

	if (tx_open(s, &owned, errs) != 0)
		return -1;
	in_tx = true;
	int f = user_name(s, user_id, name, NULL, NULL, errs);
	if (f != 0) {
		rc = f;
		goto out;
	}
	if (xf_query_exec(s, active ? "UPDATE users SET active = 1 WHERE id = $1"
				    : "UPDATE users SET active = 0 WHERE id = $1",
			  errs, XF_IN(user_id)) != 0)
		goto out;
	if (!active && xf_query_exec(s, "DELETE FROM sessions WHERE user_id = $1", errs,
				     XF_IN(user_id)) != 0)
		goto out;
	if (audit_user_commit(s, owned, &in_tx, actor, active ? "user.enable" : "user.disable", name,
			      NULL, NULL, errs) != 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		tx_abort(s, owned);
	return rc;
}

/* {"id", "code", "name"} from three columns, or null when the id column
 * is NULL. */
static void write_ref(xf_jw *w, xf_stmt *st, int col)
{
	if (xf_stmt_is_null(st, col)) {
		xf_jw_null(w);
		return;
	}
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, col));
	xf_jw_kstr(w, "code", xf_stmt_text(st, col + 1));
	xf_jw_kstr(w, "name", xf_stmt_text(st, col + 2));
	xf_jw_obj_end(w);
}

int xf_user_list_json(xf_store *s, FILE *f, xf_errs *errs)
{
	/* Two ordered scans merged: the users, and every role ordered by user. */
	xf_stmt *us = xf_stmt_prepare(s,
				      "SELECT u.id, u.username, u.display_name, u.active,"
				      " p.id, p.code, p.name FROM users u"
				      " LEFT JOIN people p ON p.id = u.person_id ORDER BY u.id",
				      errs);
	xf_stmt *rs = us ? xf_stmt_prepare(s,
					   "SELECT r.user_id, r.role, n.id, n.code, n.name"
					   " FROM user_roles r LEFT JOIN units n"
					   " ON n.id = r.unit_id AND r.unit_id <> 0"
					   " ORDER BY r.user_id, " ROLE_ORDER ", r.unit_id",
					   errs)
			 : NULL;
	int rc = -1;
	if (rs == NULL)
		goto out;
	xf_step rr = xf_stmt_step(rs, errs);
	if (rr == XF_STEP_ERROR)
		goto out;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_arr(&w);
	xf_step ur;
	while ((ur = xf_stmt_step(us, errs)) == XF_STEP_ROW) {
		long long uid = xf_stmt_int(us, 0);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", uid);
		xf_jw_kstr(&w, "username", xf_stmt_text(us, 1));
		xf_jw_kstr(&w, "display_name", xf_stmt_text(us, 2));
		xf_jw_key(&w, "person");
		write_ref(&w, us, 4);
		xf_jw_kbool(&w, "active", xf_stmt_int(us, 3) != 0);
		xf_jw_key(&w, "roles");
		xf_jw_arr(&w);
		while (rr == XF_STEP_ROW && xf_stmt_int(rs, 0) < uid)
			rr = xf_stmt_step(rs, errs);
		while (rr == XF_STEP_ROW && xf_stmt_int(rs, 0) == uid) {
			xf_jw_obj(&w);
			xf_jw_kstr(&w, "role", xf_stmt_text(rs, 1));
			xf_jw_key(&w, "unit");
			write_ref(&w, rs, 2);
			xf_jw_obj_end(&w);
			rr = xf_stmt_step(rs, errs);
		}
		xf_jw_arr_end(&w);
		xf_jw_obj_end(&w);
		if (rr == XF_STEP_ERROR)
			goto out;
	}
	if (ur == XF_STEP_ERROR)
		goto out;
	xf_jw_arr_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(rs);
	xf_stmt_finalize(us);
	return rc;
}

/* ---- tokens ---- */

static bool token_valid(const char *t)
{
	if (t == NULL)
		return false;
	size_t n = 0;
	for (; t[n]; n++) {
		char c = t[n];
		if (n >= XF_SESSION_TOKEN_LEN ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return n == XF_SESSION_TOKEN_LEN;
}

/* The hex SHA-256 of a token: what sessions.token_hash holds. */
static void token_hash(const char *token, char out[crypto_hash_sha256_BYTES * 2 + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, crypto_hash_sha256_BYTES * 2 + 1, h, sizeof(h));
}

void xf_auth_csrf(const char *token, char out[44])
{
	unsigned char h[32];
	out[0] = '\0';
	if (token == NULL || sodium_ready(NULL) != 0)
		return;
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token),
			   (const unsigned char *)csrf_key, sizeof(csrf_key) - 1);
	sodium_bin2base64(out, 44, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool xf_auth_token_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	if (n == 0)
		return true;
	return sodium_memcmp(a, b, n) == 0;
}

/* ---- login ---- */

/* The name's lock: 0 and *until (0 when none), or -1. */
static int lock_of(xf_store *s, const char *username, long long *until, xf_errs *errs)
{
	*until = 0;
	return xf_query_row(s, "SELECT locked_until FROM login_attempts WHERE username = $1", errs,
			    XF_IN(username), XF_OUT(until)) < 0 ? -1 : 0;
}

/* Counts a failure of the name (a lock that has passed starts the count
 * again): *failures and *until after it. */
static int count_failure(xf_store *s, const char *username, time_t now, long long *failures,
			 long long *until, xf_errs *errs)
{
	int f = xf_query_row(
		s,
		"INSERT INTO login_attempts (username, failures, locked_until) VALUES ($1, 1, 0)"
		" ON CONFLICT (username) DO UPDATE SET"
		" failures = CASE WHEN login_attempts.locked_until > 0"
		"  AND login_attempts.locked_until <= $2 THEN 1 ELSE login_attempts.failures + 1 END,"
		" locked_until = CASE WHEN login_attempts.locked_until <= $2 THEN 0"
		"  ELSE login_attempts.locked_until END"
		" RETURNING failures, locked_until",
		errs, XF_IN(username), XF_IN((long long)now), XF_OUT(failures), XF_OUT(until));
	return f == 0 ? 0 : -1;
}

/* The account behind a name, for login. */
typedef struct login_user {
	long long id;
	bool found;
	bool active;
	char hash[crypto_pwhash_STRBYTES];
} login_user;

static int login_user_get(xf_store *s, const char *username, login_user *u, xf_errs *errs)
{
	memset(u, 0, sizeof(*u));
	int f = xf_query_row(s, "SELECT id, password_hash, active FROM users WHERE username = $1",
			     errs, XF_IN(username), XF_OUT(&u->id),
			     XF_OUT_TEXT(u->hash, sizeof(u->hash)), XF_OUT(&u->active));
	u->found = f == 0;
	return f < 0 ? -1 : 0;
}

/* Creates the session row of a new token. */
static int session_insert(xf_store *s, const char *token, long long user_id, const char *ip,
			  time_t now, xf_errs *errs)
{
	char th[crypto_hash_sha256_BYTES * 2 + 1];
	token_hash(token, th);
	return xf_query_exec(s,
			     "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, ip)"
			     " VALUES ($1, $2, $3, $3, $4)",
			     errs, XF_IN(th), XF_IN(user_id), XF_IN((long long)now), XF_IN(ip));
}

xf_login_result xf_auth_login(xf_store *s, const xf_auth_policy *p, const char *username,
			      const char *password, const char *ip, time_t now,
			      char token[XF_SESSION_TOKEN_LEN + 1], time_t *locked_until,
			      xf_errs *errs)
{
	char who[USERNAME_MAX + 1], object[OBJECT_MAX], ipbuf[IP_MAX + 1];
	char fresh[XF_SESSION_TOKEN_LEN + 1];
	unsigned char raw[32];
	char *after = NULL;
	login_user u;
	bool owned = false, in_tx = false;
	xf_login_result res = XF_LOGIN_ERROR;
	long long until = 0;

	memset(&u, 0, sizeof(u));
	token[0] = '\0';
	if (locked_until)
		*locked_until = 0;
	if (sodium_ready(errs) != 0)
		return XF_LOGIN_ERROR;
	/* The dummy hash is made before the first verification of any kind,
	 * so not even the first login tells a known name from an unknown. */
	pthread_once(&dummy_once, dummy_make);
	if (password == NULL)
		password = "";
	name_for_log(username, who);
	snprintf(object, sizeof(object), "user:%s", who);
	const char *ipv = ip_for_log(ip, ipbuf);
	bool countable = username_valid(username);
	size_t pwlen = strlen(password);

	/* A locked name is refused before any hashing and not counted. */
	if (countable && lock_of(s, username, &until, errs) != 0)
		return XF_LOGIN_ERROR;
	if (until > (long long)now) {
		after = json_pair("reason", "locked");
		if (after == NULL) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			return XF_LOGIN_ERROR;
		}
		int a = audit(s, who, "login.failed", object, NULL, after, errs);
		cJSON_free(after);
		if (a != 0)
			return XF_LOGIN_ERROR;
		if (locked_until)
			*locked_until = (time_t)until;
		return XF_LOGIN_LOCKED;
	}

	if (countable && login_user_get(s, username, &u, errs) != 0)
		return XF_LOGIN_ERROR;
	bool ok = false;
	if (u.found && pwlen <= PASSWORD_MAX_BYTES)
		ok = crypto_pwhash_str_verify(u.hash, password, pwlen) == 0;
	else
		dummy_verify(password, pwlen < PASSWORD_MAX_BYTES ? pwlen : PASSWORD_MAX_BYTES);
	sodium_memzero(u.hash, sizeof(u.hash));

	if (tx_open(s, &owned, errs) != 0)
		goto out;
	in_tx = true;
	if (ok && u.active) {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(fresh, sizeof(fresh), raw, sizeof(raw),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if (session_insert(s, fresh, u.id, ipv, now, errs) != 0 ||
		    xf_query_exec(s, "DELETE FROM login_attempts WHERE username = $1", errs,
				  XF_IN(username)) != 0)
			goto out;
		after = ipv ? json_pair("ip", ipv) : NULL;
		if (ipv && after == NULL) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			goto out;
		}
		if (audit(s, username, "login", object, NULL, after, errs) != 0)
			goto out;
		in_tx = false;
		if (tx_close(s, owned, errs) != 0)
			goto out;
		memcpy(token, fresh, sizeof(fresh));
		res = XF_LOGIN_OK;
		goto out;
	}

	const char *reason = !countable ? "invalid" : !u.found ? "unknown" : !ok ? "password"
										 : "disabled";
	after = json_pair("reason", reason);
	if (after == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (audit(s, who, "login.failed", object, NULL, after, errs) != 0)
		goto out;
	res = XF_LOGIN_BAD;
	if (countable) {
		long long failures = 0;
		if (count_failure(s, username, now, &failures, &until, errs) != 0)
			goto fail;
		if (until > (long long)now) {
			res = XF_LOGIN_LOCKED; /* a concurrent attempt locked it */
		} else if (p->max_failures > 0 && failures >= p->max_failures) {
			until = (long long)now + p->lock_s;
			int w = xf_query_exec(s,
					      "UPDATE login_attempts SET locked_until = $1"
					      " WHERE username = $2",
					      errs, XF_IN(until), XF_IN(username));
			cJSON_free(after);
			after = NULL;
			char detail[96];
			snprintf(detail, sizeof(detail), "{\"failures\":%lld,\"locked_until\":%lld}",
				 failures, until);
			if (w != 0 || audit(s, who, "login.locked", object, NULL, detail, errs) != 0)
				goto fail;
			res = XF_LOGIN_LOCKED;
		}
		if (res == XF_LOGIN_LOCKED && locked_until)
			*locked_until = (time_t)until;
	}
	in_tx = false;
	if (tx_close(s, owned, errs) != 0)
		goto fail;
	goto out;
fail:
	res = XF_LOGIN_ERROR;
	if (locked_until)
		*locked_until = 0;
out:
	if (in_tx) {
		tx_abort(s, owned);
		res = XF_LOGIN_ERROR;
	}
	cJSON_free(after);
	sodium_memzero(fresh, sizeof(fresh));
	sodium_memzero(raw, sizeof(raw));
	return res;
}

/* ---- sessions ---- */

static int delete_session(xf_store *s, const char *th, xf_errs *errs)
{
	return xf_query_exec(s, "DELETE FROM sessions WHERE token_hash = $1", errs, XF_IN(th));
}

/* A growing list of unit ids (malloc'd, capped at UNITS_MAX). */
typedef struct id_list {
	long long *v;
	size_t n, cap;
} id_list;

static int id_push(id_list *l, long long id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		if (cap > UNITS_MAX)
			return -1;
		long long *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

/* Copies a list into the arena (NULL for an empty list). */
static int id_to_arena(xf_arena *a, const id_list *l, const long long **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (l->n == 0)
		return 0;
	long long *v = xf_arena_alloc(a, l->n * sizeof(*v));
	if (v == NULL)
		return -1;
	memcpy(v, l->v, l->n * sizeof(*v));
	*out = v;
	*n = l->n;
	return 0;
}

/* Fills the roles and the unit scopes of a principal. */
static int principal_roles(xf_store *s, xf_arena *a, xf_principal *out, xf_errs *errs)
{
	id_list rev = {0}, app = {0};
	xf_stmt *st = xf_stmt_prepare(s, "SELECT DISTINCT role FROM user_roles WHERE user_id = $1",
				      errs);
	int rc = -1;
	if (st == NULL)
		goto out;
	if (xf_stmt_bind_int(st, 1, out->user_id) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW)
		out->roles |= xf_role_parse(xf_stmt_text(st, 0));
	if (r == XF_STEP_ERROR)
		goto out;
	xf_stmt_finalize(st);
	st = NULL;
	if (!(out->roles & (XF_ROLE_REVIEWER | XF_ROLE_APPROVER))) {
		rc = 0;
		goto out;
	}
	/* The headed units and all beneath them, per role; UNION drops
	 * repeats (and so ends even on a cycle in parent_id). */
	st = xf_stmt_prepare(s,
			     "WITH RECURSIVE scope(role, id) AS ("
			     " SELECT role, unit_id FROM user_roles"
			     "  WHERE user_id = $1 AND role IN ('reviewer', 'approver')"
			     " UNION"
			     " SELECT scope.role, units.id FROM units JOIN scope"
			     "  ON units.parent_id = scope.id)"
			     " SELECT role, id FROM scope ORDER BY role, id",
			     errs);
	if (st == NULL)
		goto out;
	if (xf_stmt_bind_int(st, 1, out->user_id) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		unsigned role = xf_role_parse(xf_stmt_text(st, 0));
		if (id_push(role == XF_ROLE_REVIEWER ? &rev : &app, xf_stmt_int(st, 1)) != 0) {
			xf_errs_add(errs, "单位过多或内存不足 (too many units or out of memory)");
			goto out;
		}
	}
	if (r == XF_STEP_ERROR)
		goto out;
	if (id_to_arena(a, &rev, &out->review_units, &out->nreview_units) != 0 ||
	    id_to_arena(a, &app, &out->approve_units, &out->napprove_units) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	rc = 0;
out:
	xf_stmt_finalize(st);
	free(rev.v);
	free(app.v);
	return rc;
}

xf_session_result xf_auth_session(xf_store *s, const xf_auth_policy *p, const char *token,
				  time_t now, xf_arena *arena, xf_principal *out, xf_errs *errs)
{
	char th[crypto_hash_sha256_BYTES * 2 + 1];
	memset(out, 0, sizeof(*out));
	if (!token_valid(token))
		return XF_SESSION_NONE;
	if (sodium_ready(errs) != 0)
		return XF_SESSION_ERROR;
	token_hash(token, th);
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT s.user_id, s.created_at, s.last_seen, u.username,"
				      " u.display_name, u.person_id, u.active, u.password_changed_at"
				      " FROM sessions s JOIN users u ON u.id = s.user_id"
				      " WHERE s.token_hash = $1",
				      errs);
	if (st == NULL)
		return XF_SESSION_ERROR;
	xf_session_result res = XF_SESSION_ERROR;
	if (xf_stmt_bind_text(st, 1, th) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	xf_step r = xf_stmt_step(st, errs);
	if (r != XF_STEP_ROW) {
		res = r == XF_STEP_DONE ? XF_SESSION_NONE : XF_SESSION_ERROR;
		goto out;
	}
	long long created = xf_stmt_int(st, 1), last_seen = xf_stmt_int(st, 2);
	bool active = xf_stmt_int(st, 6) != 0;
	long long changed = xf_stmt_int(st, 7);
	out->user_id = xf_stmt_int(st, 0);
	out->created = (time_t)created;
	out->person_id = xf_stmt_is_null(st, 5) ? 0 : xf_stmt_int(st, 5);
	out->username = xf_arena_strdup(arena, xf_stmt_text(st, 3));
	out->display_name = xf_arena_strdup(arena, xf_stmt_text(st, 4));
	if (out->username == NULL || out->display_name == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	xf_stmt_finalize(st);
	st = NULL;

	long long t = (long long)now;
	if (!active || created < changed) {
		res = delete_session(s, th, errs) == 0 ? XF_SESSION_NONE : XF_SESSION_ERROR;
		goto out;
	}
	if (t - last_seen >= p->idle_s || t - created >= p->absolute_s) {
		res = delete_session(s, th, errs) == 0 ? XF_SESSION_EXPIRED : XF_SESSION_ERROR;
		goto out;
	}
	out->last_seen = (time_t)last_seen;
	if (t - last_seen >= REFRESH_S) {
		out->last_seen = (time_t)t;
		if (xf_query_exec(s, "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2", errs,
				  XF_IN(t), XF_IN(th)) != 0)
			goto out;
	}
	if (principal_roles(s, arena, out, errs) != 0)
		goto out;
	xf_auth_csrf(token, out->csrf);
	res = XF_SESSION_OK;
out:
	xf_stmt_finalize(st);
	if (res != XF_SESSION_OK) {
		memset(out, 0, sizeof(*out));
		if (res == XF_SESSION_ERROR && xf_errs_count(errs) == 0)
			xf_errs_add(errs, "读取会话失败 (session lookup failed)");
	}
	return res;
}

static bool in_sorted(const long long *v, size_t n, long long id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == id)
			return true;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool xf_principal_has_unit(const xf_principal *p, unsigned role, long long unit_id)
{
	if (p == NULL)
		return false;
	return (p->roles & XF_ROLE_ADMIN) || xf_principal_heads_unit(p, role, unit_id);
}

bool xf_principal_heads_unit(const xf_principal *p, unsigned role, long long unit_id)
{
	if (p == NULL)
		return false;
	if (role == XF_ROLE_REVIEWER && (p->roles & XF_ROLE_REVIEWER))
		return in_sorted(p->review_units, p->nreview_units, unit_id);
	if (role == XF_ROLE_APPROVER && (p->roles & XF_ROLE_APPROVER))
		return in_sorted(p->approve_units, p->napprove_units, unit_id);
	return false;
}

int xf_auth_logout(xf_store *s, const char *token, xf_errs *errs)
{
	char th[crypto_hash_sha256_BYTES * 2 + 1], name[USERNAME_MAX + 1], object[OBJECT_MAX];
	if (!token_valid(token))
		return 0;
	if (sodium_ready(errs) != 0)
		return -1;
	token_hash(token, th);
	bool owned = false, in_tx = false;
	int rc = -1;
	if (tx_open(s, &owned, errs) != 0)
		return -1;
	in_tx = true;
	/* users.username is NOT NULL: the name is never empty. */
	int f = xf_query_row(s,
			     "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id"
			     " WHERE s.token_hash = $1",
			     errs, XF_IN(th), XF_OUT_TEXT(name, sizeof(name)));
	if (f < 0)
		goto out;
	if (f == 1) {
		rc = 0; /* nothing to end */
		goto out;
	}
	snprintf(object, sizeof(object), "user:%s", name);
	if (delete_session(s, th, errs) != 0 ||
	    audit(s, name, "logout", object, NULL, NULL, errs) != 0)
		goto out;
	in_tx = false;
	if (tx_close(s, owned, errs) != 0)
		goto out;
	rc = 0;
out:
	if (in_tx) {
		if (rc == 0)
			rc = tx_close(s, owned, errs); /* read only: ends the transaction */
		else
			tx_abort(s, owned);
	}
	return rc;
}
