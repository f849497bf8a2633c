/* Tests for src/service/auth.c: the password rule, account validation,
 * login (good, bad, unknown: one answer), lockout and its expiry, session
 * limits and refresh, logout, disabling and password changes ending
 * sessions, roles and unit scope over a three-level unit tree, CSRF
 * tokens, and the audit rows (never a password). Runs on SQLite, and on
 * PostgreSQL when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/arena.h"
#include "service/auth.h"
#include "store/store.h"
#include "../support/backends.h"

#define T0 ((time_t)1795000000) /* 2026-11-18, any fixed time */
#define PW "Correct-Horse9"
#define PW2 "Battery-Staple7"

/* ---- fixtures ---- */

typedef struct fixture {
	xf_store *s;
	xf_auth_policy pol;
	long long unit_a, unit_a1, unit_a1x, unit_b; /* A > A1 > A1x; B */
	long long person1, person2;
} fixture;

static long long insert_id(xf_store *s, const char *sql, const char *a, const char *b,
			   long long parent)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	xf_stmt_bind_text(st, 1, a);
	xf_stmt_bind_text(st, 2, b);
	if (parent)
		xf_stmt_bind_int(st, 3, parent);
	else
		xf_stmt_bind_null(st, 3);
	xf_step r = xf_stmt_step(st, &errs);
	xf_errs_print(&errs, "insert: ", stderr);
	assert_int_equal(r, XF_STEP_ROW);
	long long id = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return id;
}

static void fixture_open(fixture *f, const backend *b)
{
	memset(f, 0, sizeof(*f));
	backend_reset(b);
	xf_errs errs;
	xf_errs_init(&errs);
	f->s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, "store: ", stderr);
	xf_errs_cleanup(&errs);
	assert_non_null(f->s);
	xf_auth_policy_defaults(&f->pol);
	static const char unit_sql[] =
		"INSERT INTO units (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id";
	static const char person_sql[] =
		"INSERT INTO people (code, name, unit_id) VALUES ($1, $2, $3) RETURNING id";
	f->unit_a = insert_id(f->s, unit_sql, "A", "局机关", 0);
	f->unit_b = insert_id(f->s, unit_sql, "B", "另一单位", 0);
	f->unit_a1 = insert_id(f->s, unit_sql, "A1", "办公室", f->unit_a);
	f->unit_a1x = insert_id(f->s, unit_sql, "A1x", "文秘组", f->unit_a1);
	f->person1 = insert_id(f->s, person_sql, "P001", "张三", f->unit_a1);
	f->person2 = insert_id(f->s, person_sql, "P002", "李四", f->unit_b);
}

static void fixture_close(fixture *f)
{
	xf_store_close(f->s);
}

/* An integer from sql with an optional text parameter $1. */
static long long q_int(xf_store *s, const char *sql, const char *param)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	if (param)
		xf_stmt_bind_text(st, 1, param);
	xf_step r = xf_stmt_step(st, &errs);
	xf_errs_print(&errs, "query: ", stderr);
	assert_int_equal(r, XF_STEP_ROW);
	long long v = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return v;
}

static long long audit_count(xf_store *s, const char *action)
{
	return q_int(s, "SELECT count(*) FROM audit_log WHERE action = $1", action);
}

/* Adds a user; asserts success; returns the id. */
static long long add_user(fixture *f, const char *name, const char *person, const char *pw,
			  const xf_user_role *roles, size_t nroles)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_user_new u = {name, name, person, pw, roles, nroles};
	long long id = 0;
	int rc = xf_user_add(f->s, &f->pol, &u, "test", T0, &id, &errs);
	xf_errs_print(&errs, "add: ", stderr);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	xf_errs_cleanup(&errs);
	return id;
}

static xf_login_result login(fixture *f, const char *name, const char *pw, time_t now,
			     char token[XF_SESSION_TOKEN_LEN + 1], time_t *until)
{
	xf_errs errs;
	xf_errs_init(&errs);
	time_t u = 0;
	xf_login_result r = xf_auth_login(f->s, &f->pol, name, pw, "127.0.0.1", now, token, &u,
					  &errs);
	xf_errs_print(&errs, "login: ", stderr);
	assert_int_not_equal(r, XF_LOGIN_ERROR);
	xf_errs_cleanup(&errs);
	if (until)
		*until = u;
	return r;
}

static xf_session_result session(fixture *f, const char *token, time_t now, xf_arena *a,
				 xf_principal *p)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_session_result r = xf_auth_session(f->s, &f->pol, token, now, a, p, &errs);
	xf_errs_print(&errs, "session: ", stderr);
	assert_int_not_equal(r, XF_SESSION_ERROR);
	xf_errs_cleanup(&errs);
	return r;
}

static const xf_user_role admin_role[] = {{XF_ROLE_ADMIN, 0}};

/* ---- roles and the password rule (no database) ---- */

static void test_role_names(void **state)
{
	static const struct {
		const char *name;
		unsigned bit;
		const char *label;
	} rows[] = {
		{"member", XF_ROLE_MEMBER, "学员"},     {"reviewer", XF_ROLE_REVIEWER, "审核人"},
		{"approver", XF_ROLE_APPROVER, "审批人"}, {"admin", XF_ROLE_ADMIN, "管理员"},
		{"auditor", XF_ROLE_AUDITOR, "审计员"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(xf_role_parse(rows[i].name), rows[i].bit);
		assert_string_equal(xf_role_name(rows[i].bit), rows[i].name);
		assert_string_equal(xf_role_label(rows[i].bit), rows[i].label);
	}
	assert_int_equal(xf_role_parse("root"), 0);
	assert_int_equal(xf_role_parse("Admin"), 0);
	assert_int_equal(xf_role_parse(NULL), 0);
	assert_null(xf_role_name(XF_ROLE_ADMIN | XF_ROLE_MEMBER));
	assert_null(xf_role_label(0));
}

static void test_password_rule(void **state)
{
	char long_ok[129 + 1], long_bad[129 + 1];
	memset(long_ok, 'a', 128);
	memcpy(long_ok, "A1", 2);
	long_ok[128] = '\0';
	memcpy(long_bad, long_ok, 128);
	long_bad[128] = 'b';
	long_bad[129] = '\0';
	static const struct {
		const char *pw;
		int rc;
	} rows[] = {
		{"Abcdefg1", 0},            /* 8 chars, upper lower digit */
		{"abcdef1!", 0},            /* lower digit symbol */
		{"ABCDEF1!", 0},            /* upper digit symbol */
		{"Abcdef1", -1},            /* 7 chars */
		{"abcdefgh1", -1},          /* 2 classes */
		{"abcdefghijkl", -1},       /* 1 class */
		{"", -1},
		{"密码密码密码A1", 0},      /* 8 characters (20 bytes): upper digit other */
		{"密码密码A1", -1},         /* 6 characters, 14 bytes: too short */
		{"Abc 123 xyz", 0},         /* a space is a symbol */
		{"Abcdef1\x01", -1},        /* control character */
		{"Abcdefg1\xff", -1},       /* not UTF-8 */
		{"Abcdefg1\xc0\xaf", -1},   /* overlong form */
		{"Abcdefg1\xed\xa0\x80", -1}, /* surrogate */
	};
	xf_auth_policy p;
	xf_auth_policy_defaults(&p);
	assert_int_equal(p.min_length, 8);
	assert_int_equal(p.min_classes, 3);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_password_check(&p, rows[i].pw, &errs);
		if (rc != rows[i].rc)
			fail_msg("row %zu (%s): rc %d, want %d", i, rows[i].pw, rc, rows[i].rc);
		assert_int_equal(errs.n, rc == 0 ? 0 : 1);
		if (rc != 0)
			assert_non_null(strstr(errs.msgs[0], "密码"));
		xf_errs_cleanup(&errs);
	}
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_password_check(&p, "abcdefg1", &errs), -1);
	assert_string_equal(errs.msgs[0], "密码至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类 "
					  "(password too weak)");
	assert_int_equal(xf_password_check(&p, long_ok, &errs), 0);
	assert_int_equal(xf_password_check(&p, long_bad, &errs), -1);
	assert_non_null(strstr(errs.msgs[1], "128"));
	p.min_length = 4;
	p.min_classes = 1;
	assert_int_equal(xf_password_check(&p, "abcd", &errs), 0);
	xf_errs_cleanup(&errs);
}

static void test_csrf_and_token_equal(void **state)
{
	const char *t1 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	const char *t2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB";
	char c1[44], c1b[44], c2[44];
	xf_auth_csrf(t1, c1);
	xf_auth_csrf(t1, c1b);
	xf_auth_csrf(t2, c2);
	assert_int_equal(strlen(c1), 43);
	assert_string_equal(c1, c1b);
	assert_string_not_equal(c1, c2);
	assert_string_not_equal(c1, t1);
	for (const char *c = c1; *c; c++)
		assert_true((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_');

	static const struct {
		const char *a, *b;
		bool eq;
	} rows[] = {
		{"abc", "abc", true}, {"abc", "abd", false}, {"abc", "abcd", false},
		{"", "", true},       {NULL, "abc", false},  {"abc", NULL, false},
		{NULL, NULL, false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(xf_auth_token_equal(rows[i].a, rows[i].b), rows[i].eq);
}

/* ---- accounts ---- */

static void test_user_add_validation(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		const xf_user_role member[] = {{XF_ROLE_MEMBER, 0}};
		const xf_user_role reviewer_none[] = {{XF_ROLE_REVIEWER, 0}};
		const xf_user_role reviewer_bad[] = {{XF_ROLE_REVIEWER, 99999}};
		const xf_user_role unknown_role[] = {{1u << 7, 0}};
		add_user(&f, "taken", "P002", PW, member, 1);
		long long before = q_int(f.s, "SELECT count(*) FROM users", NULL);
		long long audits = q_int(f.s, "SELECT count(*) FROM audit_log", NULL);
		const struct {
			xf_user_new u;
			const char *want; /* in the first message */
		} rows[] = {
			{{"a b", "名", NULL, PW, admin_role, 1}, "用户名"},
			{{"", "名", NULL, PW, admin_role, 1}, "用户名"},
			{{"x12345678901234567890123456789012345678901234567890123456789012345", "名",
			  NULL, PW, admin_role, 1},
			 "用户名"},
			{{"taken", "名", NULL, PW, admin_role, 1}, "用户名：\"taken\" 已被使用"},
			{{"ok1", "", NULL, PW, admin_role, 1}, "姓名"},
			{{"ok1", "   ", NULL, PW, admin_role, 1}, "姓名"},
			{{"ok1", NULL, NULL, PW, admin_role, 1}, "姓名"},
			{{"ok1", "名", NULL, "weak", admin_role, 1}, "密码至少 8 位"},
			{{"ok1", "名", "NOPE", PW, member, 1}, "关联人员：找不到编码为 \"NOPE\" 的人员"},
			{{"ok1", "名", "P002", PW, member, 1}, "关联人员：人员 \"P002\" 已关联账号 \"taken\""},
			{{"ok1", "名", NULL, PW, member, 1}, "关联人员"},
			{{"ok1", "名", NULL, PW, reviewer_none, 1}, "单位"},
			{{"ok1", "名", NULL, PW, reviewer_bad, 1}, "单位：找不到 id 为 99999 的单位"},
			{{"ok1", "名", NULL, PW, unknown_role, 1}, "角色"},
			{{"ok1", "名", NULL, PW, NULL, 0}, "角色"},
		};
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			long long id = -7;
			assert_int_equal(xf_user_add(f.s, &f.pol, &rows[i].u, "test", T0, &id, &errs), -1);
			assert_int_equal(id, -7);
			if (errs.n < 1 || strstr(errs.msgs[0], rows[i].want) == NULL)
				fail_msg("%s row %zu: got \"%s\", want \"%s\"", backends[bi].name, i,
					 errs.n ? errs.msgs[0] : "(none)", rows[i].want);
			xf_errs_cleanup(&errs);
		}
		/* Every problem is named, not only the first. */
		xf_errs errs;
		xf_errs_init(&errs);
		xf_user_new many = {"a b", "", "NOPE", "weak", reviewer_none, 1};
		assert_int_equal(xf_user_add(f.s, &f.pol, &many, "test", T0, NULL, &errs), -1);
		assert_int_equal(errs.n, 5);
		xf_errs_cleanup(&errs);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM users", NULL), before);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log", NULL), audits);

		/* A valid user with every kind of role. */
		const xf_user_role all[] = {{XF_ROLE_MEMBER, 0},
					    {XF_ROLE_REVIEWER, f.unit_a1},
					    {XF_ROLE_APPROVER, f.unit_a},
					    {XF_ROLE_ADMIN, 0},
					    {XF_ROLE_AUDITOR, 0},
					    {XF_ROLE_ADMIN, 0}}; /* a repeat is harmless */
		long long id = add_user(&f, "zhang.san@x-1", "P001", PW, all, 6);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM user_roles WHERE user_id = "
					    "(SELECT id FROM users WHERE username = $1)",
				       "zhang.san@x-1"),
				 5);
		long long found = 0;
		xf_errs_init(&errs);
		assert_int_equal(xf_user_find(f.s, "zhang.san@x-1", &found, &errs), 0);
		assert_int_equal(found, id);
		assert_int_equal(xf_user_find(f.s, "nobody", &found, &errs), 1);
		assert_int_equal(xf_user_find(f.s, "bad name", &found, &errs), 1);
		long long n = 0;
		assert_int_equal(xf_user_count(f.s, &n, &errs), 0);
		assert_int_equal(n, 2);
		assert_int_equal(errs.n, 0);
		xf_errs_cleanup(&errs);
		assert_int_equal(q_int(f.s, "SELECT created_at FROM users WHERE username = $1",
				       "zhang.san@x-1"),
				 (long long)T0);
		fixture_close(&f);
	}
}

/* xf_user_add inside a caller's transaction joins it (the demo data adds
 * its accounts so): a rollback removes the account. */
static void test_user_add_in_callers_transaction(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_store_begin(f.s, &errs), 0);
		add_user(&f, "inside", NULL, PW, admin_role, 1);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM users", NULL), 1);
		xf_store_rollback(f.s);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM users", NULL), 0);
		assert_int_equal(audit_count(f.s, "user.add"), 0);
		/* And without one, it makes its own. */
		add_user(&f, "outside", NULL, PW, admin_role, 1);
		assert_int_equal(audit_count(f.s, "user.add"), 1);
		assert_int_equal(xf_store_begin(f.s, &errs), 0); /* none left open */
		xf_store_rollback(f.s);
		xf_errs_cleanup(&errs);
		fixture_close(&f);
	}
}

static void test_user_list_json(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		const xf_user_role r1[] = {{XF_ROLE_AUDITOR, 0}, {XF_ROLE_MEMBER, 0},
					   {XF_ROLE_REVIEWER, f.unit_a1}};
		long long id1 = add_user(&f, "zhangsan", "P001", PW, r1, 3);
		long long id2 = add_user(&f, "admin", NULL, PW, admin_role, 1);
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_user_set_active(f.s, id2, false, "test", &errs), 0);
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		assert_int_equal(xf_user_list_json(f.s, mem, &errs), 0);
		fclose(mem);
		assert_int_equal(errs.n, 0);
		assert_null(strstr(buf, "argon2"));
		cJSON *doc = cJSON_Parse(buf);
		assert_non_null(doc);
		assert_int_equal(cJSON_GetArraySize(doc), 2);
		cJSON *u1 = cJSON_GetArrayItem(doc, 0), *u2 = cJSON_GetArrayItem(doc, 1);
		assert_int_equal(cJSON_GetObjectItem(u1, "id")->valuedouble, id1);
		assert_string_equal(cJSON_GetObjectItem(u1, "username")->valuestring, "zhangsan");
		assert_string_equal(cJSON_GetObjectItem(u1, "display_name")->valuestring, "zhangsan");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(u1, "active")));
		cJSON *person = cJSON_GetObjectItem(u1, "person");
		assert_int_equal(cJSON_GetObjectItem(person, "id")->valuedouble, f.person1);
		assert_string_equal(cJSON_GetObjectItem(person, "code")->valuestring, "P001");
		assert_string_equal(cJSON_GetObjectItem(person, "name")->valuestring, "张三");
		cJSON *roles = cJSON_GetObjectItem(u1, "roles");
		assert_int_equal(cJSON_GetArraySize(roles), 3);
		/* In the order member, reviewer, approver, admin, auditor. */
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(roles, 0), "role")->valuestring,
				    "member");
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(roles, 0), "unit")));
		cJSON *rev = cJSON_GetArrayItem(roles, 1);
		assert_string_equal(cJSON_GetObjectItem(rev, "role")->valuestring, "reviewer");
		cJSON *unit = cJSON_GetObjectItem(rev, "unit");
		assert_int_equal(cJSON_GetObjectItem(unit, "id")->valuedouble, f.unit_a1);
		assert_string_equal(cJSON_GetObjectItem(unit, "code")->valuestring, "A1");
		assert_string_equal(cJSON_GetObjectItem(unit, "name")->valuestring, "办公室");
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(roles, 2), "role")->valuestring,
				    "auditor");
		assert_int_equal(cJSON_GetObjectItem(u2, "id")->valuedouble, id2);
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(u2, "person")));
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(u2, "active")));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(u2, "roles")), 1);
		assert_null(cJSON_GetObjectItem(u2, "password_hash"));
		cJSON_Delete(doc);
		free(buf);
		xf_errs_cleanup(&errs);
		fixture_close(&f);
	}
}

/* ---- login and lockout ---- */

static void test_login(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		add_user(&f, "admin", NULL, PW, admin_role, 1);
		char token[XF_SESSION_TOKEN_LEN + 1], token2[XF_SESSION_TOKEN_LEN + 1];
		time_t until = 1;
		assert_int_equal(login(&f, "admin", PW, T0, token, &until), XF_LOGIN_OK);
		assert_int_equal(strlen(token), XF_SESSION_TOKEN_LEN);
		assert_int_equal(until, 0);
		assert_int_equal(login(&f, "admin", PW, T0, token2, NULL), XF_LOGIN_OK);
		assert_string_not_equal(token, token2); /* a new session each time */
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM sessions", NULL), 2);
		/* The database keeps the SHA-256 of the token, never the token. */
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM sessions WHERE token_hash = $1", token),
				 0);
		assert_int_equal(q_int(f.s, "SELECT length(token_hash) FROM sessions LIMIT 1", NULL), 64);

		/* Wrong password, unknown name, a name that cannot exist: one answer. */
		static const struct {
			const char *name, *pw;
		} bad[] = {
			{"admin", "Wrong-pass1"}, {"nobody", PW}, {"bad name\xff", PW},
			{"admin", ""},            {"", ""},       {"Admin", PW},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			strcpy(token, "x");
			assert_int_equal(login(&f, bad[i].name, bad[i].pw, T0, token, NULL), XF_LOGIN_BAD);
			assert_string_equal(token, "");
		}
		/* NULLs are a bad login, not a crash. */
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_auth_login(f.s, &f.pol, NULL, NULL, NULL, T0, token, NULL, &errs),
				 XF_LOGIN_BAD);
		assert_int_equal(errs.n, 0);
		xf_errs_cleanup(&errs);
		assert_int_equal(audit_count(f.s, "login"), 2);
		assert_int_equal(audit_count(f.s, "login.failed"), 7);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'login'"
					    " AND actor = 'admin' AND object = 'user:admin'"
					    " AND after = '{\"ip\":\"127.0.0.1\"}'",
				       NULL),
				 2);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"
					    " AND actor = 'nobody' AND object = 'user:nobody'"
					    " AND after = '{\"reason\":\"unknown\"}'",
				       NULL),
				 1);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"
					    " AND actor = 'bad?name?'",
				       NULL),
				 1);
		/* A successful login clears the count. */
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM login_attempts WHERE username = 'admin'",
				       NULL),
				 1);
		assert_int_equal(login(&f, "admin", PW, T0, token, NULL), XF_LOGIN_OK);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM login_attempts WHERE username = 'admin'",
				       NULL),
				 0);
		fixture_close(&f);
	}
}

static void test_lockout(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		add_user(&f, "admin", NULL, PW, admin_role, 1);
		char token[XF_SESSION_TOKEN_LEN + 1];
		time_t until = 0;
		/* The same for a real name and for an unknown one. */
		const char *names[] = {"admin", "ghost"};
		for (size_t k = 0; k < 2; k++) {
			for (int i = 1; i <= 4; i++)
				assert_int_equal(login(&f, names[k], "Wrong-pass1", T0 + i, token, &until),
						 XF_LOGIN_BAD);
			assert_int_equal(until, 0);
			assert_int_equal(login(&f, names[k], "Wrong-pass1", T0 + 5, token, &until),
					 XF_LOGIN_LOCKED);
			assert_int_equal(until, T0 + 5 + 900);
			/* Locked: even the right password is refused, and not counted. */
			assert_int_equal(login(&f, names[k], PW, T0 + 6, token, &until), XF_LOGIN_LOCKED);
			assert_int_equal(until, T0 + 905);
			assert_string_equal(token, "");
			assert_int_equal(login(&f, names[k], PW, T0 + 904, token, &until),
					 XF_LOGIN_LOCKED);
			assert_int_equal(q_int(f.s, "SELECT failures FROM login_attempts WHERE username = $1",
					       names[k]),
					 5);
		}
		assert_int_equal(audit_count(f.s, "login.locked"), 2);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"
					    " AND after = '{\"reason\":\"locked\"}'",
				       NULL),
				 4);
		/* The lock ends after lock_s. */
		assert_int_equal(login(&f, "admin", PW, T0 + 905, token, &until), XF_LOGIN_OK);
		assert_int_equal(strlen(token), XF_SESSION_TOKEN_LEN);
		/* After an expired lock a failure counts from 1 again. */
		assert_int_equal(login(&f, "ghost", "x", T0 + 905, token, &until), XF_LOGIN_BAD);
		assert_int_equal(q_int(f.s, "SELECT failures FROM login_attempts WHERE username = 'ghost'",
				       NULL),
				 1);
		/* An admin's password reset lifts a lock. */
		for (int i = 0; i < 5; i++)
			login(&f, "admin", "Wrong-pass1", T0 + 1000, token, NULL);
		assert_int_equal(login(&f, "admin", PW, T0 + 1001, token, NULL), XF_LOGIN_LOCKED);
		long long id = 0;
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_user_find(f.s, "admin", &id, &errs), 0);
		assert_int_equal(xf_user_set_password(f.s, &f.pol, id, NULL, PW2, "cli", T0 + 1002, &errs),
				 0);
		xf_errs_cleanup(&errs);
		assert_int_equal(login(&f, "admin", PW2, T0 + 1003, token, NULL), XF_LOGIN_OK);
		fixture_close(&f);
	}
}

/* ---- sessions ---- */

static void test_session(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		const xf_user_role member[] = {{XF_ROLE_MEMBER, 0}};
		long long id = add_user(&f, "zhangsan", "P001", PW, member, 1);
		xf_arena a;
		xf_arena_init(&a, 0);
		xf_principal p;
		char token[XF_SESSION_TOKEN_LEN + 1], csrf[44];
		assert_int_equal(login(&f, "zhangsan", PW, T0, token, NULL), XF_LOGIN_OK);
		assert_int_equal(session(&f, token, T0, &a, &p), XF_SESSION_OK);
		assert_int_equal(p.user_id, id);
		assert_string_equal(p.username, "zhangsan");
		assert_string_equal(p.display_name, "zhangsan");
		assert_int_equal(p.person_id, f.person1);
		assert_int_equal(p.roles, XF_ROLE_MEMBER);
		assert_int_equal(p.nreview_units, 0);
		assert_int_equal(p.created, T0);
		xf_auth_csrf(token, csrf);
		assert_string_equal(p.csrf, csrf);
		assert_false(xf_principal_has_unit(&p, XF_ROLE_REVIEWER, f.unit_a1));

		/* Tokens that are not ours. */
		static const char *const bad[] = {
			NULL, "", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_int_equal(session(&f, bad[i], T0, &a, &p), XF_SESSION_NONE);

		/* last_seen is written only when a minute old. */
		const char *last = "SELECT last_seen FROM sessions";
		assert_int_equal(session(&f, token, T0 + 59, &a, &p), XF_SESSION_OK);
		assert_int_equal(q_int(f.s, last, NULL), T0);
		assert_int_equal(session(&f, token, T0 + 60, &a, &p), XF_SESSION_OK);
		assert_int_equal(q_int(f.s, last, NULL), T0 + 60);
		/* Idle: ends at exactly idle_s after the last refresh. */
		assert_int_equal(session(&f, token, T0 + 60 + 1799, &a, &p), XF_SESSION_OK);
		assert_int_equal(q_int(f.s, last, NULL), T0 + 1859);
		assert_int_equal(session(&f, token, T0 + 1859 + 1800, &a, &p), XF_SESSION_EXPIRED);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM sessions", NULL), 0);
		assert_int_equal(session(&f, token, T0 + 1859 + 1801, &a, &p), XF_SESSION_NONE);

		/* Absolute: ends at exactly absolute_s after login, however busy. */
		assert_int_equal(login(&f, "zhangsan", PW, T0, token, NULL), XF_LOGIN_OK);
		time_t t = T0;
		for (; t + 1000 < T0 + 43200; t += 1000)
			assert_int_equal(session(&f, token, t, &a, &p), XF_SESSION_OK);
		assert_int_equal(session(&f, token, T0 + 43199, &a, &p), XF_SESSION_OK);
		assert_int_equal(session(&f, token, T0 + 43200, &a, &p), XF_SESSION_EXPIRED);
		assert_int_equal(session(&f, token, T0 + 43200, &a, &p), XF_SESSION_NONE);

		/* Logout. */
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(login(&f, "zhangsan", PW, T0, token, NULL), XF_LOGIN_OK);
		assert_int_equal(xf_auth_logout(f.s, token, &errs), 0);
		assert_int_equal(session(&f, token, T0, &a, &p), XF_SESSION_NONE);
		assert_int_equal(xf_auth_logout(f.s, token, &errs), 0); /* gone: no error */
		assert_int_equal(xf_auth_logout(f.s, "junk", &errs), 0);
		assert_int_equal(xf_auth_logout(f.s, NULL, &errs), 0);
		assert_int_equal(errs.n, 0);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'logout'"
					    " AND actor = 'zhangsan' AND object = 'user:zhangsan'",
				       NULL),
				 1);
		xf_errs_cleanup(&errs);
		xf_arena_cleanup(&a);
		fixture_close(&f);
	}
}

static void test_disable_and_password_end_sessions(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		long long id = add_user(&f, "admin", NULL, PW, admin_role, 1);
		long long other = add_user(&f, "other", NULL, PW, admin_role, 1);
		xf_arena a;
		xf_arena_init(&a, 0);
		xf_principal p;
		xf_errs errs;
		xf_errs_init(&errs);
		char t1[XF_SESSION_TOKEN_LEN + 1], t2[XF_SESSION_TOKEN_LEN + 1],
			t3[XF_SESSION_TOKEN_LEN + 1];

		/* Disabling ends every session of the user, and only theirs. */
		assert_int_equal(login(&f, "admin", PW, T0, t1, NULL), XF_LOGIN_OK);
		assert_int_equal(login(&f, "admin", PW, T0, t2, NULL), XF_LOGIN_OK);
		assert_int_equal(login(&f, "other", PW, T0, t3, NULL), XF_LOGIN_OK);
		assert_int_equal(xf_user_set_active(f.s, id, false, "cli", &errs), 0);
		assert_int_equal(session(&f, t1, T0 + 1, &a, &p), XF_SESSION_NONE);
		assert_int_equal(session(&f, t2, T0 + 1, &a, &p), XF_SESSION_NONE);
		assert_int_equal(session(&f, t3, T0 + 1, &a, &p), XF_SESSION_OK);
		assert_int_equal(login(&f, "admin", PW, T0 + 2, t1, NULL), XF_LOGIN_BAD);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"
					    " AND after = '{\"reason\":\"disabled\"}'",
				       NULL),
				 1);
		assert_int_equal(xf_user_set_active(f.s, id, true, "cli", &errs), 0);
		assert_int_equal(login(&f, "admin", PW, T0 + 3, t1, NULL), XF_LOGIN_OK);
		assert_int_equal(session(&f, t1, T0 + 3, &a, &p), XF_SESSION_OK);
		assert_int_equal(xf_user_set_active(f.s, 99999, false, "cli", &errs), 1);
		assert_int_equal(audit_count(f.s, "user.disable"), 1);
		assert_int_equal(audit_count(f.s, "user.enable"), 1);

		/* Password change: the old one must match when given. */
		assert_int_equal(login(&f, "admin", PW, T0 + 3, t2, NULL), XF_LOGIN_OK);
		assert_int_equal(xf_user_set_password(f.s, &f.pol, id, "Wrong-pass1", PW2, "admin",
						      T0 + 10, &errs),
				 -1);
		assert_string_equal(errs.msgs[0], "原密码不正确 (the current password is wrong)");
		assert_int_equal(session(&f, t1, T0 + 10, &a, &p), XF_SESSION_OK); /* unchanged */
		assert_int_equal(xf_user_set_password(f.s, &f.pol, id, PW, "weak", "admin", T0 + 10,
						      &errs),
				 -1);
		assert_non_null(strstr(errs.msgs[1], "密码至少"));
		assert_int_equal(xf_user_set_password(f.s, &f.pol, 99999, NULL, PW2, "cli", T0, &errs), 1);
		assert_int_equal(errs.n, 2);
		assert_int_equal(xf_user_set_password(f.s, &f.pol, id, PW, PW2, "admin", T0 + 10, &errs),
				 0);
		assert_int_equal(errs.n, 2);
		assert_int_equal(session(&f, t1, T0 + 10, &a, &p), XF_SESSION_NONE);
		assert_int_equal(session(&f, t2, T0 + 10, &a, &p), XF_SESSION_NONE);
		assert_int_equal(session(&f, t3, T0 + 10, &a, &p), XF_SESSION_OK);
		assert_int_equal(login(&f, "admin", PW, T0 + 10, t1, NULL), XF_LOGIN_BAD);
		/* A login in the same second, after the change, is valid. */
		assert_int_equal(login(&f, "admin", PW2, T0 + 10, t1, NULL), XF_LOGIN_OK);
		assert_int_equal(session(&f, t1, T0 + 10, &a, &p), XF_SESSION_OK);
		/* A session row older than the change (as if left behind) is not. */
		assert_int_equal(xf_store_exec_for_tests(f.s,
							 "UPDATE sessions SET created_at = created_at - 1",
							 &errs),
				 0);
		assert_int_equal(session(&f, t1, T0 + 10, &a, &p), XF_SESSION_NONE);
		assert_int_equal(audit_count(f.s, "user.password"), 1);
		assert_int_equal(q_int(f.s, "SELECT password_changed_at FROM users WHERE username = 'admin'",
				       NULL),
				 T0 + 10);
		(void)other;
		xf_errs_cleanup(&errs);
		xf_arena_cleanup(&a);
		fixture_close(&f);
	}
}

static void test_roles_and_scope(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		const xf_user_role start[] = {{XF_ROLE_MEMBER, 0}};
		long long id = add_user(&f, "lead", "P001", PW, start, 1);
		xf_arena a;
		xf_arena_init(&a, 0);
		xf_principal p;
		xf_errs errs;
		xf_errs_init(&errs);
		char token[XF_SESSION_TOKEN_LEN + 1];

		/* Reviewer of A (the top): A, A1 and A1x. Approver of A1: A1, A1x. */
		const xf_user_role roles[] = {{XF_ROLE_MEMBER, 0},
					      {XF_ROLE_REVIEWER, f.unit_a},
					      {XF_ROLE_APPROVER, f.unit_a1}};
		assert_int_equal(xf_user_set_roles(f.s, id, roles, 3, "cli", &errs), 0);
		assert_int_equal(login(&f, "lead", PW, T0, token, NULL), XF_LOGIN_OK);
		assert_int_equal(session(&f, token, T0, &a, &p), XF_SESSION_OK);
		assert_int_equal(p.roles, XF_ROLE_MEMBER | XF_ROLE_REVIEWER | XF_ROLE_APPROVER);
		long long want_rev[3] = {f.unit_a, f.unit_a1, f.unit_a1x};
		assert_int_equal(p.nreview_units, 3);
		for (int i = 0; i < 3; i++)
			assert_int_equal(p.review_units[i], want_rev[i]); /* ids ascend with creation */
		assert_int_equal(p.napprove_units, 2);
		assert_int_equal(p.approve_units[0], f.unit_a1);
		assert_int_equal(p.approve_units[1], f.unit_a1x);
		static const struct {
			unsigned role;
			int unit; /* 0 A, 1 A1, 2 A1x, 3 B */
			bool has;
		} rows[] = {
			{XF_ROLE_REVIEWER, 0, true},  {XF_ROLE_REVIEWER, 1, true},
			{XF_ROLE_REVIEWER, 2, true},  {XF_ROLE_REVIEWER, 3, false},
			{XF_ROLE_APPROVER, 0, false}, {XF_ROLE_APPROVER, 1, true},
			{XF_ROLE_APPROVER, 2, true},  {XF_ROLE_APPROVER, 3, false},
			{XF_ROLE_MEMBER, 1, false},
		};
		long long units[4] = {f.unit_a, f.unit_a1, f.unit_a1x, f.unit_b};
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			assert_int_equal(xf_principal_has_unit(&p, rows[i].role, units[rows[i].unit]),
					 rows[i].has);
		assert_false(xf_principal_has_unit(&p, XF_ROLE_REVIEWER, 99999));

		/* The change is audited with before and after. */
		assert_int_equal(
			q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'user.roles'"
				   " AND object = 'user:lead' AND actor = 'cli'"
				   " AND before = '[{\"role\":\"member\",\"unit\":null}]'"
				   " AND after = '[{\"role\":\"member\",\"unit\":null},"
				   "{\"role\":\"reviewer\",\"unit\":\"A\"},"
				   "{\"role\":\"approver\",\"unit\":\"A1\"}]'",
			      NULL),
			1);

		/* An admin has every unit. */
		assert_int_equal(xf_user_set_roles(f.s, id, admin_role, 1, "cli", &errs), 0);
		assert_int_equal(session(&f, token, T0, &a, &p), XF_SESSION_OK);
		assert_int_equal(p.roles, XF_ROLE_ADMIN);
		assert_true(xf_principal_has_unit(&p, XF_ROLE_REVIEWER, f.unit_b));
		assert_true(xf_principal_has_unit(&p, XF_ROLE_APPROVER, 12345));

		/* Refused changes leave the roles as they were. */
		const xf_user_role bad_unit[] = {{XF_ROLE_REVIEWER, 99999}};
		assert_int_equal(xf_user_set_roles(f.s, id, bad_unit, 1, "cli", &errs), -1);
		assert_non_null(strstr(errs.msgs[0], "单位"));
		assert_int_equal(xf_user_set_roles(f.s, id, NULL, 0, "cli", &errs), -1);
		assert_non_null(strstr(errs.msgs[1], "角色"));
		long long admin_id = add_user(&f, "boss", NULL, PW, admin_role, 1);
		assert_int_equal(xf_user_set_roles(f.s, admin_id, start, 1, "cli", &errs), -1);
		assert_non_null(strstr(errs.msgs[2], "关联人员"));
		assert_int_equal(xf_user_set_roles(f.s, 99999, admin_role, 1, "cli", &errs), 1);
		assert_int_equal(errs.n, 3);
		assert_int_equal(session(&f, token, T0, &a, &p), XF_SESSION_OK);
		assert_int_equal(p.roles, XF_ROLE_ADMIN);
		assert_int_equal(audit_count(f.s, "user.roles"), 2);
		assert_false(xf_principal_has_unit(NULL, XF_ROLE_ADMIN, 1));
		xf_errs_cleanup(&errs);
		xf_arena_cleanup(&a);
		fixture_close(&f);
	}
}

/* Every kind of audit row is written, and no row of any table holds the
 * password in clear. */
static void test_audit_rows_and_no_password(void **state)
{
	for (int bi = 0; bi < nbackends; bi++) {
		fixture f;
		fixture_open(&f, &backends[bi]);
		const char *secret = "Unique-Secret-42";
		const xf_user_role member[] = {{XF_ROLE_MEMBER, 0}};
		long long id = add_user(&f, "zhangsan", "P001", secret, member, 1);
		char token[XF_SESSION_TOKEN_LEN + 1];
		assert_int_equal(login(&f, "zhangsan", secret, T0, token, NULL), XF_LOGIN_OK);
		for (int i = 0; i < 5; i++)
			login(&f, "zhangsan", "Unique-Secret-43", T0 + 1, token, NULL);
		xf_errs errs;
		xf_errs_init(&errs);
		const xf_user_role roles[] = {{XF_ROLE_MEMBER, 0}, {XF_ROLE_AUDITOR, 0}};
		assert_int_equal(xf_user_set_roles(f.s, id, roles, 2, "cli", &errs), 0);
		assert_int_equal(xf_user_set_password(f.s, &f.pol, id, NULL, "Other-Secret-77", "cli",
						      T0 + 2, &errs),
				 0);
		static const char *const actions[] = {"user.add", "login", "login.failed",
						      "login.locked", "user.roles", "user.password"};
		for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			if (audit_count(f.s, actions[i]) < 1)
				fail_msg("%s: no \"%s\" audit row", backends[bi].name, actions[i]);
		assert_int_equal(
			q_int(f.s, "SELECT count(*) FROM audit_log WHERE action = 'user.add'"
				   " AND after = '{\"username\":\"zhangsan\",\"display_name\":\"zhangsan\","
				   "\"person\":\"P001\",\"roles\":[{\"role\":\"member\",\"unit\":null}]}'",
			      NULL),
			1);
		/* No password typed or set is kept anywhere. */
		static const char *const checks[] = {
			"SELECT count(*) FROM audit_log WHERE"
			" coalesce(before, '') || coalesce(after, '') || coalesce(object, '')"
			" LIKE '%' || $1 || '%'",
			"SELECT count(*) FROM users WHERE username || display_name || password_hash"
			" LIKE '%' || $1 || '%'",
			"SELECT count(*) FROM sessions WHERE token_hash || coalesce(ip, '')"
			" LIKE '%' || $1 || '%'",
		};
		for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
			assert_int_equal(q_int(f.s, checks[i], "Secret-43"), 0);
			assert_int_equal(q_int(f.s, checks[i], "Secret-77"), 0);
		}
		for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
			assert_int_equal(q_int(f.s, checks[i], "Secret-42"), 0);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM audit_log WHERE actor LIKE '%Secret%'",
				       NULL),
				 0);
		assert_int_equal(q_int(f.s, "SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%'",
				       NULL),
				 1);
		xf_errs_cleanup(&errs);
		fixture_close(&f);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-auth-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_password_rule),
		cmocka_unit_test(test_csrf_and_token_equal),
		cmocka_unit_test(test_user_add_validation),
		cmocka_unit_test(test_user_add_in_callers_transaction),
		cmocka_unit_test(test_user_list_json),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_disable_and_password_end_sessions),
		cmocka_unit_test(test_roles_and_scope),
		cmocka_unit_test(test_audit_rows_and_no_password),
	};
	int rc = cmocka_run_group_tests_name("service/auth", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
