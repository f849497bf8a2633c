/* The access-control matrix of the API over real HTTP: every route of
 * src/api/routes.c (the table below follows it row for row, and is checked
 * against api_routes) is called as every demo role and anonymously, and
 * must answer 401 without a session (but the public routes), 403 to a role
 * the route does not list, and its success status (or the documented 4xx
 * for a semantically wrong body) otherwise; the allowed answers are
 * checked for their content, and every admin write is checked with a
 * following read. Then the unit scope: a reviewer or approver asking for a
 * person or unit outside their units gets 404 exactly as for one that does
 * not exist, and a member asking for a person gets 403. Runs the sanitizer
 * server on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/api_int.h"
#include "../support/backends.h"
#include "api_harness.h"

/* ---- the callers ---- */

enum { R_ANON, R_ADMIN, R_AUDITOR, R_APPROVER, R_REVIEWER, R_MEMBER1, R_MEMBER2, R_KS, NROLES };

static const struct {
	const char *label;
	const char *role; /* demo role; NULL: anonymous */
	int nth;
	const char *role_name; /* a role /me must list */
} callers[NROLES] = {
	[R_ANON] = {"anonymous", NULL, 0, NULL},
	[R_ADMIN] = {"admin", "admin", 0, "admin"},
	[R_AUDITOR] = {"auditor", "auditor", 0, "auditor"},
	[R_APPROVER] = {"approver", "approver", 0, "approver"},
	[R_REVIEWER] = {"reviewer", "reviewer", 0, "reviewer"},
	[R_MEMBER1] = {"member (数据资源科)", "member", 0, "member"},
	[R_MEMBER2] = {"member 2 (数据资源科)", "member", 1, "member"},
	[R_KS] = {"member (昆山)", "member", 2, "member"},
};

/* The state of one backend's run. */
typedef struct ctx {
	ah_server srv;
	ah_sess sess[NROLES];
	long long unit_bureau, unit_sj, unit_zh, unit_ks, unit_gh; /* from GET /units */
	long long people_all, people_bureau, people_sj;   /* their head counts */
	long long person_sj;  /* member 1's person: in the reviewer's unit */
	long long person_zh;  /* someone of 综合科 */
	long long person_ks;  /* the 昆山 member's person */
	long long person_gh;  /* someone of the 规划局 branch (a scorecard policy) */
	long long new_user;   /* made by POST /users */
	char masked_id[64];   /* person_sj's masked ID number before the changes */
	int failures;         /* matrix cells that did not hold */
} ctx;

static ctx C;
static int current_backend;

static const ah_sess *as(int role)
{
	return role == R_ANON ? NULL : &C.sess[role];
}

/* A message buffer for the checks. */
static char why[1024];

#define FAILED(...) (snprintf(why, sizeof(why), __VA_ARGS__), why)

/* ---- reading ids from the API ---- */

static void walk_units(const cJSON *arr, long long *ids, int *n, int max)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, arr) {
		if (*n < max)
			ids[(*n)++] = ah_jint(u, "id");
		walk_units(cJSON_GetObjectItemCaseSensitive(u, "children"), ids, n, max);
	}
}

/* The unit of code in the tree, with the head count of it and its subtree. */
static const cJSON *find_unit(const cJSON *arr, const char *code)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, arr) {
		if (strcmp(ah_jstr(u, "code"), code) == 0)
			return u;
		const cJSON *in = find_unit(cJSON_GetObjectItemCaseSensitive(u, "children"), code);
		if (in)
			return in;
	}
	return NULL;
}

static long long subtree_people(const cJSON *u)
{
	long long n = ah_jint(u, "people");
	const cJSON *ch;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(u, "children"))
		n += subtree_people(ch);
	return n;
}

static void read_ids(void)
{
	char path[256];
	ah_resp r;
	snprintf(path, sizeof(path), "/api/v1/units?year=%d", C.srv.year);
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, &r);
	ah_expect(&r, 200, "admin GET /units");
	const cJSON *bureau = find_unit(r.json, "dsj"), *sj = find_unit(r.json, "dsj-sj");
	const cJSON *zh = find_unit(r.json, "dsj-zh"), *ks = find_unit(r.json, "ks");
	const cJSON *gh = find_unit(r.json, "ghj-dzb");
	if (!bureau || !sj || !zh || !ks || !gh)
		fail_msg("the demo's units are not all in GET /units: %.300s", r.body);
	C.unit_bureau = ah_jint(bureau, "id");
	C.unit_sj = ah_jint(sj, "id");
	C.unit_zh = ah_jint(zh, "id");
	C.unit_ks = ah_jint(ks, "id");
	C.people_bureau = subtree_people(bureau);
	C.people_sj = subtree_people(sj);
	C.unit_gh = ah_jint(gh, "id");
	C.people_all = C.people_bureau + subtree_people(ks) + subtree_people(gh);
	assert_int_equal(C.people_all, C.srv.demo.people);
	assert_true(C.people_sj > 2 && C.people_bureau > C.people_sj);
	ah_resp_free(&r);

	C.person_sj = C.sess[R_MEMBER1].person_id;
	C.person_ks = C.sess[R_KS].person_id;
	assert_true(C.person_sj > 0 && C.person_ks > 0);

	snprintf(path, sizeof(path), "/api/v1/people?unit_id=%lld&per_page=1", C.unit_zh);
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, &r);
	ah_expect(&r, 200, "admin GET /people?unit_id=综合科");
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "items"), 0);
	C.person_zh = ah_jint(first, "id");
	assert_int_equal(ah_jint(first, "unit.id"), C.unit_zh);
	ah_resp_free(&r);

	snprintf(path, sizeof(path), "/api/v1/people?unit_id=%lld&per_page=1", C.unit_gh);
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, &r);
	ah_expect(&r, 200, "admin GET /people?unit_id=规划局支部");
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "items"), 0);
	C.person_gh = ah_jint(first, "id");
	assert_true(C.person_gh > 0);
	ah_resp_free(&r);

	/* The persons' units, as the API tells them. */
	snprintf(path, sizeof(path), "/api/v1/people/%lld", C.person_sj);
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, &r);
	ah_expect(&r, 200, "admin GET /people/{member}");
	assert_int_equal(ah_jint(r.json, "unit.id"), C.unit_sj);
	snprintf(C.masked_id, sizeof(C.masked_id), "%s", ah_jstr(r.json, "id_card"));
	assert_non_null(strchr(C.masked_id, '*'));
	assert_string_not_equal(ah_jstr(r.json, "phone"), "139****1111");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/people/%lld", C.person_ks);
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, &r);
	ah_expect(&r, 200, "admin GET /people/{昆山 member}");
	assert_int_equal(ah_jint(r.json, "unit.id"), C.unit_ks);
	ah_resp_free(&r);
}

/* ---- checks of the allowed answers (NULL: fine, else what is wrong) ---- */

typedef const char *(*check_fn)(int role, const ah_resp *r);

/* GET path as admin into r, 200 required. */
static const char *admin_get(const char *path, ah_resp *r)
{
	ah_call(&C.srv, as(R_ADMIN), "GET", path, NULL, r);
	if (r->status != 200)
		return FAILED("follow-up GET %s: status %ld: %.200s", path, r->status, r->body);
	return NULL;
}

static const char *check_health(int role, const ah_resp *r)
{
	return strcmp(ah_jstr(r->json, "status"), "ok") == 0 ? NULL : FAILED("no status ok");
}

static const char *check_bad_request(int role, const ah_resp *r)
{
	return strcmp(ah_error_code(r), "bad_request") == 0 ? NULL
							     : FAILED("expected error bad_request");
}

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, arr)
		if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
			return true;
	return false;
}

static const char *check_me(int role, const ah_resp *r)
{
	if (strcmp(ah_jstr(r->json, "user.username"), C.sess[role].username) != 0)
		return FAILED("user.username is not %s", C.sess[role].username);
	if (strcmp(ah_jstr(r->json, "csrf_token"), C.sess[role].csrf) != 0)
		return FAILED("csrf_token differs from the login's");
	if (!has_string(ah_jget(r->json, "user.roles"), callers[role].role_name))
		return FAILED("user.roles lacks %s", callers[role].role_name);
	long long pid = ah_jint(r->json, "user.person_id");
	if ((pid > 0 ? pid : 0) != C.sess[role].person_id)
		return FAILED("user.person_id %lld", pid);
	return NULL;
}

static const char *check_me_credits(int role, const ah_resp *r)
{
	if (role == R_ADMIN || role == R_AUDITOR)
		return strcmp(ah_error_code(r), "no_person") == 0 ? NULL
								   : FAILED("expected no_person");
	if (ah_jint(r->json, "person.id") != C.sess[role].person_id)
		return FAILED("person.id is not the caller's %lld", C.sess[role].person_id);
	if (ah_jint(r->json, "year") != C.srv.year)
		return FAILED("year is not %d", C.srv.year);
	return NULL;
}

static const char *check_people_list(int role, const ah_resp *r)
{
	long long want = role == R_ADMIN ? C.people_all
			 : role == R_APPROVER ? C.people_bureau : C.people_sj;
	if (ah_jint(r->json, "total") != want)
		return FAILED("total %lld, expected %lld", ah_jint(r->json, "total"), want);
	const cJSON *it;
	int n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "items")) {
		long long unit = ah_jint(it, "unit.id");
		n++;
		if (role == R_REVIEWER && unit != C.unit_sj)
			return FAILED("the reviewer sees a person of unit %lld", unit);
		if (role == R_APPROVER && unit == C.unit_ks)
			return FAILED("the approver sees a person of 昆山");
		if (strchr(ah_jstr(it, "id_card"), '*') == NULL && *ah_jstr(it, "id_card"))
			return FAILED("an unmasked id_card in the list");
	}
	return n == want ? NULL : FAILED("%d items, expected %lld", n, want);
}

static const char *check_person(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "id") != C.person_sj || ah_jint(r->json, "unit.id") != C.unit_sj)
		return FAILED("not person %lld of unit %lld", C.person_sj, C.unit_sj);
	return strchr(ah_jstr(r->json, "id_card"), '*') ? NULL : FAILED("id_card not masked");
}

static char person_path[64];

static const char *person_follow(ah_resp *g)
{
	snprintf(person_path, sizeof(person_path), "/api/v1/people/%lld", C.person_sj);
	return admin_get(person_path, g);
}

static const char *check_patch(int role, const ah_resp *r)
{
	if (strcmp(ah_jstr(r->json, "phone"), "139****1111") != 0)
		return FAILED("the answer does not show the new phone (masked)");
	ah_resp g;
	const char *e = person_follow(&g);
	if (e == NULL && strcmp(ah_jstr(g.json, "phone"), "139****1111") != 0)
		e = FAILED("GET after PATCH: phone is %s", ah_jstr(g.json, "phone"));
	ah_resp_free(&g);
	return e;
}

static const char *periods_ok(const cJSON *person)
{
	const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(person, "periods"), 0);
	char from[16];
	snprintf(from, sizeof(from), "%d-02-01", C.srv.year);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(person, "periods")) != 1 ||
	    strcmp(ah_jstr(p, "kind"), "leave") != 0 || strcmp(ah_jstr(p, "from"), from) != 0)
		return FAILED("periods are not the one leave from %s", from);
	return NULL;
}

static const char *check_periods(int role, const ah_resp *r)
{
	const char *e = periods_ok(r->json);
	if (e)
		return e;
	ah_resp g;
	e = person_follow(&g);
	if (e == NULL)
		e = periods_ok(g.json);
	ah_resp_free(&g);
	return e;
}

static const char *flags_ok(const cJSON *person)
{
	char y[8];
	snprintf(y, sizeof(y), "%d", C.srv.year);
	const cJSON *flags = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(person, "flags"), y);
	if (ah_jint(person, "id") != C.person_ks || cJSON_GetArraySize(flags) != 1 ||
	    !has_string(flags, "retiring"))
		return FAILED("flags.%s of %lld is not [retiring]", y, C.person_ks);
	return NULL;
}

static const char *check_flags(int role, const ah_resp *r)
{
	const char *e = flags_ok(r->json);
	if (e)
		return e;
	ah_resp g;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/people/%lld", C.person_ks);
	e = admin_get(path, &g);
	if (e == NULL)
		e = flags_ok(g.json);
	ah_resp_free(&g);
	return e;
}

static const char *check_reveal(int role, const ah_resp *r)
{
	const char *id = ah_jstr(r->json, "id_card");
	size_t n = strlen(id);
	if (n != 18 || strchr(id, '*'))
		return FAILED("id_card %s is not a full number", id);
	/* The masked one keeps the first 3 and the last 4. */
	if (strncmp(id, C.masked_id, 3) != 0 || strcmp(id + 14, C.masked_id + 14) != 0)
		return FAILED("id_card %s does not match the masked %s", id, C.masked_id);
	if (strcmp(ah_jstr(r->json, "phone"), "13900001111") != 0)
		return FAILED("phone is not the one set by PATCH");
	return ah_jint(r->json, "id") == C.person_sj ? NULL : FAILED("wrong id");
}

static const char *check_person_credits(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "person.id") != C.person_sj)
		return FAILED("person.id is not %lld", C.person_sj);
	return ah_jint(r->json, "year") == C.srv.year ? NULL : FAILED("wrong year");
}

static const char *check_units(int role, const ah_resp *r)
{
	long long ids[64];
	int n = 0;
	walk_units(r->json, ids, &n, 64);
	bool sj = false, zh = false, ks = false;
	for (int i = 0; i < n; i++) {
		sj |= ids[i] == C.unit_sj;
		zh |= ids[i] == C.unit_zh;
		ks |= ids[i] == C.unit_ks;
	}
	if (!sj)
		return FAILED("数据资源科 missing from the tree");
	if (role == R_REVIEWER && n != 1)
		return FAILED("the reviewer sees %d units, expected only theirs", n);
	if (role == R_APPROVER && (ks || !zh))
		return FAILED("the approver's tree is not the bureau's");
	if (role == R_ADMIN && (!ks || !zh))
		return FAILED("the admin's tree lacks units");
	return NULL;
}

static const char *check_unit(int role, const ah_resp *r)
{
	return ah_jint(r->json, "id") == C.unit_sj ? NULL : FAILED("not unit %lld", C.unit_sj);
}

static const char *check_summary(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "unit.id") != C.unit_sj)
		return FAILED("unit.id is not %lld", C.unit_sj);
	return ah_jint(r->json, "year") == C.srv.year ? NULL : FAILED("wrong year");
}

#define NEW_USER "matrix.user"

/* The account NEW_USER in a GET /users answer, or NULL. */
static const cJSON *new_user_of(const cJSON *users)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, users)
		if (strcmp(ah_jstr(u, "username"), NEW_USER) == 0)
			return u;
	return NULL;
}

static const char *check_users(int role, const ah_resp *r)
{
	if (!cJSON_IsArray(r->json) || cJSON_GetArraySize(r->json) < C.srv.demo.nlogins)
		return FAILED("not a list of the %d demo accounts", C.srv.demo.nlogins);
	return strstr(r->body, "$argon2") ? FAILED("a password hash in the list") : NULL;
}

static const char *check_user_added(int role, const ah_resp *r)
{
	ah_resp g;
	const char *e = admin_get("/api/v1/users", &g);
	const cJSON *u = e ? NULL : new_user_of(g.json);
	if (e == NULL && u == NULL)
		e = FAILED("GET /users after POST: no %s", NEW_USER);
	if (u) {
		C.new_user = ah_jint(u, "id");
		const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(u, "roles"), 0);
		if (strcmp(ah_jstr(r0, "role"), "auditor") != 0)
			e = FAILED("%s is not an auditor", NEW_USER);
	}
	ah_resp_free(&g);
	return e;
}

static const char *check_roles(int role, const ah_resp *r)
{
	ah_resp g;
	const char *e = admin_get("/api/v1/users", &g);
	const cJSON *u = e ? NULL : new_user_of(g.json);
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(u, "roles");
	const cJSON *r0 = cJSON_GetArrayItem(roles, 0);
	if (e == NULL && (cJSON_GetArraySize(roles) != 1 ||
			  strcmp(ah_jstr(r0, "role"), "reviewer") != 0 ||
			  ah_jint(r0, "unit.id") != C.unit_sj))
		e = FAILED("GET /users after PUT roles: %s is not reviewer of %lld", NEW_USER,
			   C.unit_sj);
	ah_resp_free(&g);
	return e;
}

static const char *check_active(int role, const ah_resp *r)
{
	ah_resp g;
	const char *e = admin_get("/api/v1/users", &g);
	const cJSON *u = e ? NULL : new_user_of(g.json);
	if (e == NULL && !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(u, "active")))
		e = FAILED("GET /users after PUT active false: still active");
	ah_resp_free(&g);
	return e;
}

static const char *check_password(int role, const ah_resp *r)
{
	/* Enabled again, the account signs in with the new password only. */
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/active", C.new_user);
	long st = ah_call(&C.srv, as(R_ADMIN), "PUT", path, "{\"active\": true}", NULL);
	if (st != 200)
		return FAILED("PUT active true: %ld", st);
	st = ah_login(&C.srv, NEW_USER, "Matrix-Pass-1", NULL, NULL, NULL);
	if (st != 401)
		return FAILED("login with the old password: %ld, expected 401", st);
	ah_sess u;
	st = ah_login(&C.srv, NEW_USER, "Matrix-Pass-2", NULL, &u, NULL);
	return st == 200 ? NULL : FAILED("login with the new password: %ld", st);
}

static const char *check_audit(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "total") < 1 ||
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "items")) < 1)
		return FAILED("an empty audit log");
	return NULL;
}

static const char *check_import(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "people") != 1)
		return FAILED("people is not 1");
	ah_resp g;
	const char *e = admin_get("/api/v1/people?q=%E7%9F%A9%E9%98%B5%E6%B5%8B%E8%AF%95", &g);
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g.json, "items"), 0);
	if (e == NULL && (ah_jint(g.json, "total") != 1 || ah_jint(first, "unit.id") != C.unit_zh))
		e = FAILED("GET /people?q=矩阵测试 after the import: %.200s", g.body);
	ah_resp_free(&g);
	return e;
}

static const char *check_template(int role, const ah_resp *r)
{
	char ct[160] = "", cd[160] = "";
	ah_header(r, "Content-Type", ct, sizeof(ct));
	ah_header(r, "Content-Disposition", cd, sizeof(cd));
	if (r->len < 100 || memcmp(r->body, "PK\x03\x04", 4) != 0)
		return FAILED("not an XLSX file");
	if (strstr(ct, "spreadsheetml") == NULL || strncmp(cd, "attachment", 10) != 0)
		return FAILED("Content-Type %s, Content-Disposition %s", ct, cd);
	return NULL;
}

static const char *check_case(int role, const ah_resp *r)
{
	if (strcmp(ah_jstr(r->json, "policy"), "bigdata-bureau") != 0 ||
	    ah_jint(r->json, "year") != C.srv.year)
		return FAILED("not the bureau's case of %d", C.srv.year);
	int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "people"));
	return n == C.people_sj ? NULL : FAILED("%d people, expected %lld", n, C.people_sj);
}

/* After the run (the row before): everyone's result, paged. */
static const char *check_assess_results(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "total") != C.people_all + 1)
		return FAILED("%lld results, the run had %lld people", ah_jint(r->json, "total"),
			      C.people_all + 1);
	if (cJSON_GetArraySize(ah_jget(r->json, "items")) != 5)
		return FAILED("not a page of 5");
	return NULL;
}

static const char *check_assess(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "year") != C.srv.year || ah_jint(r->json, "runs") < 1 ||
	    ah_jint(r->json, "people") != C.people_all + 1)
		return FAILED("not a run of the year over everyone");
	/* The results can be exported now (400 before). */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/exports/results?year=%d&format=csv", C.srv.year);
	ah_resp g;
	const char *e = admin_get(path, &g);
	if (e == NULL && strstr(g.body, "姓名") == NULL)
		e = FAILED("the exported results have no header");
	ah_resp_free(&g);
	return e;
}

static const char *check_logout(int role, const ah_resp *r)
{
	char tok[128];
	if (!ah_session_token(r, tok, sizeof(tok)) || tok[0] != '\0')
		return FAILED("logout does not clear the cookie");
	long st = ah_call(&C.srv, as(role), "GET", "/api/v1/me", NULL, NULL);
	return st == 401 ? NULL : FAILED("GET /me after logout: %ld", st);
}

/* ---- the workflow's answers ---- */

#define CLAIM_BODY                                                                         \
	"{\"item\": \"listen.training\", \"fields\": {\"date\": \"{y}-01-05\", "          \
	"\"level\": \"city\", \"minutes\": 120}, \"details\": {\"content\": \"矩阵测试\"}}"
#define ACTIVITY_BODY                                                                      \
	"{\"unit_id\": {u}, \"title\": \"矩阵测试讲座\", \"date_from\": \"{y}-01-06\", "    \
	"\"item\": \"listen.training\", \"level\": \"bureau\", \"minutes\": 120}"
/* The UI's policy routes: any signed-in user reads the shipped policies. */
#define POLICY_ROWS                                                                        \
	{"GET", "/api/v1/policies", "/api/v1/policies", NULL, NULL, ANY(200), check_policies,    \
	 false},                                                                           \
	{"GET", "/api/v1/policies/{id}", "/api/v1/policies/bigdata-bureau", NULL, NULL, ANY(200), \
	 check_policy, false},

/* A list answer: an object with an "items" array. */
static const char *check_items_list(int role, const ah_resp *r)
{
	return cJSON_IsArray(ah_jget(r->json, "items")) ? NULL : FAILED("no items array");
}

static const char *check_notices(int role, const ah_resp *r)
{
	const char *e = check_items_list(role, r);
	if (e == NULL && ah_jget(r->json, "unread") == NULL)
		e = FAILED("no unread count");
	return e;
}

static const char *check_no_scorecard(int role, const ah_resp *r)
{
	return strcmp(ah_error_code(r), "no_scorecard") == 0 ? NULL
							      : FAILED("expected error no_scorecard");
}

static const char *check_scorecard(int role, const ah_resp *r)
{
	if (r->status == 404) /* the bureau's staff: out of scope, as missing */
		return strcmp(ah_error_code(r), "not_found") == 0 ? NULL : FAILED("expected not_found");
	return cJSON_GetArraySize(ah_jget(r->json, "lines")) == 14
		       ? NULL
		       : FAILED("the 规划局 card has not its 14 lines");
}

/* The admin sees the 规划局 branch's cards (one of them {g}); the bureau's
 * staff have no unit with a scorecard policy: an empty list. */
static const char *check_scorecards(int role, const ah_resp *r)
{
	long long total = ah_jint(r->json, "total");
	if (role != R_ADMIN)
		return total == 0 ? NULL : FAILED("the bureau's staff listed %lld cards", total);
	const cJSON *it;
	cJSON_ArrayForEach(it, ah_jget(r->json, "items"))
		if (ah_jint(it, "person.id") == C.person_gh)
			return cJSON_GetArraySize(ah_jget(it, "lines")) == 14 ? NULL
									       : FAILED("a card without its 14 lines");
	return FAILED("the 规划局 person is not in the admin's list of %lld", total);
}

static const char *check_quarterly(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "unit.id") != C.unit_sj || ah_jint(r->json, "quarter") != 1)
		return FAILED("not the 季度通报 of the unit and quarter asked");
	return NULL;
}

static const char *check_claim_items(int role, const ah_resp *r)
{
	const cJSON *items = ah_jget(r->json, "items");
	if (cJSON_GetArraySize(items) < 1)
		return FAILED("no claimable item");
	/* Metric items (学习强国) come from imports, never from claims. */
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
		if (strcmp(ah_jstr(it, "key"), "read.xxqg") == 0)
			return FAILED("read.xxqg offered as claimable");
	return NULL;
}

static const char *check_batch_not_found(int role, const ah_resp *r)
{
	const cJSON *first = cJSON_GetArrayItem(ah_jget(r->json, "results"), 0);
	if (first == NULL || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "ok")) ||
	    strcmp(ah_jstr(first, "code"), "not_found") != 0)
		return FAILED("a missing claim is not reported not_found");
	return NULL;
}

static const char *check_claim_created(int role, const ah_resp *r)
{
	if (r->status == 422)
		return NULL;
	if (strcmp(ah_jstr(r->json, "status"), "draft") != 0 || ah_jint(r->json, "id") < 1)
		return FAILED("not a new draft");
	if (ah_jint(r->json, "person.id") != C.sess[role].person_id)
		return FAILED("the claim is not the caller's own");
	return NULL;
}

static const char *check_activity_created(int role, const ah_resp *r)
{
	if (strcmp(ah_jstr(r->json, "status"), "draft") != 0 ||
	    strncmp(ah_jstr(r->json, "key"), "act-", 4) != 0)
		return FAILED("not a new draft with a generated key");
	return NULL;
}

static bool has_year(const cJSON *years, long long year)
{
	const cJSON *y;
	cJSON_ArrayForEach(y, years)
		if (ah_jint(y, "year") == year)
			return true;
	return false;
}

static const char *check_calendars(int role, const ah_resp *r)
{
	const cJSON *years = ah_jget(r->json, "years");
	return has_year(years, 2025) && has_year(years, 2026) ? NULL
							       : FAILED("the shipped 2025 and 2026 are not listed");
}

static const char *check_calendar_put(int role, const ah_resp *r)
{
	return has_year(ah_jget(r->json, "years"), 2030) ? NULL : FAILED("2030 not listed after loading");
}

static const char *check_published(int role, const ah_resp *r)
{
	if (ah_jint(r->json, "people") != C.people_sj)
		return FAILED("%lld people listed, the unit has %lld", ah_jint(r->json, "people"),
			      C.people_sj);
	if (strlen(ah_jstr(r->json, "window_end")) != 10)
		return FAILED("no window_end date");
	return NULL;
}

static const char *check_policies(int role, const ah_resp *r)
{
	return strstr(r->body, "bigdata-bureau") ? NULL : FAILED("bigdata-bureau not listed");
}

static const char *check_policy(int role, const ah_resp *r)
{
	return strstr(r->body, "区大数据发展局") ? NULL : FAILED("not the bureau's policy");
}

/* ---- the table: one row per route of src/api/routes.c, same order ---- */

typedef struct route_row {
	const char *method;
	const char *pattern;     /* as in routes.c */
	const char *path;        /* {p} person_sj, {k} person_ks, {g} person_gh, {u} unit_sj,
				  * {nu} new_user, {y} year; 999999: an id that does not exist
				  * (the roles a route admits get 404, the others 403) */
	const char *body;        /* NULL: none; may hold the same placeholders */
	const char *ctype;       /* NULL: application/json */
	short want[NROLES];      /* anonymous, admin, auditor, approver, reviewer, members */
	check_fn check;          /* on the answers of the roles the route admits */
	bool last;               /* run after the others and the scope checks */
} route_row;

#define ALL(s) {s, s, s, s, s, s, s, s}
#define ANY(s) {401, s, s, s, s, s, s, s}
#define STAFF(s) {401, s, 403, s, s, 403, 403, 403}
#define ADMIN_ONLY(s) {401, s, 403, 403, 403, 403, 403, 403}
#define AUDITOR_ONLY(s) {401, 403, s, 403, 403, 403, 403, 403}
/* Routes for members (the approver and the reviewer are members too). */
#define MEMBERS(s) {401, 403, 403, s, s, s, s, s}
#define MEMBERS_STAFF(s) {401, s, 403, s, s, s, s, s}
#define REVIEWER_ONLY(s) {401, 403, 403, 403, s, 403, 403, 403}
#define APPROVER_ONLY(s) {401, 403, 403, s, 403, 403, 403, 403}
#define REVIEWER_APPROVER(s) {401, 403, 403, s, s, 403, 403, 403}
#define REVIEWER_ADMIN(s) {401, s, 403, 403, s, 403, 403, 403}
#define ADMIN_APPROVER(s) {401, s, 403, s, 403, 403, 403, 403}

static const char roster_csv[] = "姓名,工号,单位,单位编码,角色,入职日期\n"
				 "矩阵测试,MX001,综合科,dsj-zh,staff,2021-03-01\n";

static const route_row rows[] = {
	{"GET", "/api/v1/health", "/api/v1/health", NULL, NULL, ALL(200), check_health, false},
	/* Empty credentials: 400 for everyone shows the route needs no session. */
	{"POST", "/api/v1/login", "/api/v1/login", "{\"username\": \"\", \"password\": \"\"}", NULL,
	 ALL(400), check_bad_request, false},
	{"POST", "/api/v1/logout", "/api/v1/logout", NULL, NULL, ANY(204), check_logout, true},
	{"GET", "/api/v1/me", "/api/v1/me", NULL, NULL, ANY(200), check_me, false},
	/* A wrong current password: 400, and nothing changes. */
	{"PUT", "/api/v1/me/password", "/api/v1/me/password",
	 "{\"old_password\": \"Not-The-Password-1\", \"new_password\": \"Another-Pass-42\"}", NULL,
	 ANY(400), check_bad_request, false},
	{"GET", "/api/v1/me/credits", "/api/v1/me/credits?year={y}&explain=0", NULL, NULL,
	 {401, 404, 404, 200, 200, 200, 200, 200}, check_me_credits, false},
	{"GET", "/api/v1/me/notices", "/api/v1/me/notices", NULL, NULL, ANY(200), check_notices,
	 false},
	{"POST", "/api/v1/me/notices/read", "/api/v1/me/notices/read", "{\"all\": true}", NULL,
	 ANY(204), NULL, false},
	/* The callers' policies (bureau, 昆山) have no scorecard: 404 no_scorecard. */
	{"GET", "/api/v1/me/scorecard", "/api/v1/me/scorecard?year={y}", NULL, NULL, MEMBERS(404),
	 check_no_scorecard, false},
	{"PUT", "/api/v1/me/scorecard", "/api/v1/me/scorecard?year={y}", "{\"lines\": {}}", NULL,
	 MEMBERS(404), check_no_scorecard, false},
	{"POST", "/api/v1/me/scorecard/submit", "/api/v1/me/scorecard/submit?year={y}", NULL, NULL,
	 MEMBERS(404), check_no_scorecard, false},

	{"GET", "/api/v1/people", "/api/v1/people?per_page=200", NULL, NULL, STAFF(200),
	 check_people_list, false},
	{"GET", "/api/v1/people/{id}", "/api/v1/people/{p}", NULL, NULL, STAFF(200), check_person,
	 false},
	{"PATCH", "/api/v1/people/{id}", "/api/v1/people/{p}", "{\"phone\": \"13900001111\"}", NULL,
	 ADMIN_ONLY(200), check_patch, false},
	{"PUT", "/api/v1/people/{id}/periods", "/api/v1/people/{p}/periods",
	 "[{\"kind\": \"leave\", \"from\": \"{y}-02-01\", \"to\": \"{y}-02-10\", \"participates\": true}]",
	 NULL, ADMIN_ONLY(200), check_periods, false},
	/* A flag 昆山's policy knows (the bureau's knows none). */
	{"PUT", "/api/v1/people/{id}/flags", "/api/v1/people/{k}/flags?year={y}", "[\"retiring\"]",
	 NULL, ADMIN_ONLY(200), check_flags, false},
	{"POST", "/api/v1/people/{id}/reveal", "/api/v1/people/{p}/reveal", NULL, NULL,
	 ADMIN_ONLY(200), check_reveal, false},
	{"GET", "/api/v1/people/{id}/credits", "/api/v1/people/{p}/credits?year={y}&explain=0", NULL,
	 NULL, STAFF(200), check_person_credits, false},
	/* A 规划局 person: the admin reads the card; the bureau's staff do not see the person. */
	{"GET", "/api/v1/people/{id}/scorecard", "/api/v1/people/{g}/scorecard?year={y}", NULL, NULL,
	 {401, 200, 403, 404, 404, 403, 403, 403}, check_scorecard, false},
	{"PUT", "/api/v1/people/{id}/scorecard", "/api/v1/people/{g}/scorecard?year={y}",
	 "{\"lines\": {\"plan.goal\": 5}}", NULL, REVIEWER_ONLY(404), NULL, false},
	{"GET", "/api/v1/scorecards", "/api/v1/scorecards?year={y}&per_page=100", NULL, NULL,
	 STAFF(200), check_scorecards, false},

	{"GET", "/api/v1/units", "/api/v1/units?year={y}", NULL, NULL, STAFF(200), check_units, false},
	{"GET", "/api/v1/units/{id}", "/api/v1/units/{u}?year={y}", NULL, NULL, STAFF(200),
	 check_unit, false},
	{"GET", "/api/v1/units/{id}/summary", "/api/v1/units/{u}/summary?year={y}", NULL, NULL,
	 STAFF(200), check_summary, false},

	{"GET", "/api/v1/users", "/api/v1/users", NULL, NULL, ADMIN_ONLY(200), check_users, false},
	{"POST", "/api/v1/users", "/api/v1/users",
	 "{\"username\": \"" NEW_USER "\", \"display_name\": \"矩阵测试账号\", "
	 "\"password\": \"Matrix-Pass-1\", \"roles\": [{\"role\": \"auditor\"}]}",
	 NULL, ADMIN_ONLY(201), check_user_added, false},
	{"PUT", "/api/v1/users/{id}/roles", "/api/v1/users/{nu}/roles",
	 "{\"roles\": [{\"role\": \"reviewer\", \"unit_id\": {u}}]}", NULL, ADMIN_ONLY(200),
	 check_roles, false},
	{"PUT", "/api/v1/users/{id}/active", "/api/v1/users/{nu}/active", "{\"active\": false}", NULL,
	 ADMIN_ONLY(200), check_active, false},
	{"PUT", "/api/v1/users/{id}/password", "/api/v1/users/{nu}/password",
	 "{\"password\": \"Matrix-Pass-2\"}", NULL, ADMIN_ONLY(204), check_password, false},

	{"GET", "/api/v1/audit", "/api/v1/audit?per_page=5", NULL, NULL, AUDITOR_ONLY(200),
	 check_audit, false},

	{"POST", "/api/v1/imports/{kind}", "/api/v1/imports/roster?name=matrix.csv", roster_csv,
	 "text/csv", ADMIN_ONLY(200), check_import, false},
	/* Not assessed yet: the documented 400 (after POST /assessments: 200). */
	{"GET", "/api/v1/exports/results", "/api/v1/exports/results?year={y}&format=csv", NULL, NULL,
	 ADMIN_ONLY(400), check_bad_request, false},
	{"GET", "/api/v1/exports/templates/{kind}", "/api/v1/exports/templates/roster", NULL, NULL,
	 ADMIN_ONLY(200), check_template, false},
	{"GET", "/api/v1/exports/case", "/api/v1/exports/case?year={y}&unit=dsj-sj", NULL, NULL,
	 ADMIN_ONLY(200), check_case, false},
	{"POST", "/api/v1/assessments", "/api/v1/assessments", "{\"year\": {y}}", NULL,
	 ADMIN_ONLY(200), check_assess, false},
	{"GET", "/api/v1/assessments/results", "/api/v1/assessments/results?year={y}&per_page=5",
	 NULL, NULL, ADMIN_ONLY(200), check_assess_results, false},
	{"GET", "/api/v1/exports/quarterly",
	 "/api/v1/exports/quarterly?unit_id={u}&year={y}&quarter=1&format=json", NULL, NULL,
	 ADMIN_ONLY(200), check_quarterly, false},

	/* The workflow. Routes on one object are called with an id that does not exist: the
	 * roles a route admits get 404, the others 403 (the objects' own rules are tested in
	 * test_api_claims.c, test_api_activities.c, test_api_publish.c). */
	{"GET", "/api/v1/claims/items", "/api/v1/claims/items?year={y}", NULL, NULL, MEMBERS(200),
	 check_claim_items, false},
	{"POST", "/api/v1/claims/batch", "/api/v1/claims/batch",
	 "{\"ids\": [999999], \"action\": \"review\"}", NULL, REVIEWER_APPROVER(200),
	 check_batch_not_found, false},
	{"GET", "/api/v1/claims", "/api/v1/claims", NULL, NULL, MEMBERS_STAFF(200), check_items_list,
	 false},
	/* 昆山's policy has no listen.training: 422 for that member. */
	{"POST", "/api/v1/claims", "/api/v1/claims", CLAIM_BODY, NULL,
	 {401, 403, 403, 201, 201, 201, 201, 422}, check_claim_created, false},
	{"GET", "/api/v1/claims/{id}", "/api/v1/claims/999999", NULL, NULL, MEMBERS_STAFF(404), NULL,
	 false},
	{"PUT", "/api/v1/claims/{id}", "/api/v1/claims/999999", CLAIM_BODY, NULL, MEMBERS(404), NULL,
	 false},
	{"POST", "/api/v1/claims/{id}/submit", "/api/v1/claims/999999/submit", NULL, NULL,
	 MEMBERS(404), NULL, false},
	{"POST", "/api/v1/claims/{id}/withdraw", "/api/v1/claims/999999/withdraw", NULL, NULL,
	 MEMBERS(404), NULL, false},
	{"POST", "/api/v1/claims/{id}/review", "/api/v1/claims/999999/review", "{}", NULL,
	 REVIEWER_ONLY(404), NULL, false},
	{"POST", "/api/v1/claims/{id}/approve", "/api/v1/claims/999999/approve", "{}", NULL,
	 APPROVER_ONLY(404), NULL, false},
	{"POST", "/api/v1/claims/{id}/reject", "/api/v1/claims/999999/reject",
	 "{\"reason\": \"材料不全\"}", NULL, REVIEWER_APPROVER(404), NULL, false},
	{"GET", "/api/v1/claims/{id}/preview", "/api/v1/claims/999999/preview", NULL, NULL,
	 MEMBERS_STAFF(404), NULL, false},
	{"POST", "/api/v1/claims/{id}/evidence", "/api/v1/claims/999999/evidence?name=a.pdf",
	 "%PDF-1.4\n%%EOF\n", "application/pdf", MEMBERS(404), NULL, false},
	{"DELETE", "/api/v1/claims/{id}/evidence/{file}", "/api/v1/claims/999999/evidence/999999",
	 NULL, NULL, MEMBERS(404), NULL, false},
	{"GET", "/api/v1/evidence/{id}", "/api/v1/evidence/999999", NULL, NULL, MEMBERS_STAFF(404),
	 NULL, false},

	{"GET", "/api/v1/activities", "/api/v1/activities", NULL, NULL, ANY(200), check_items_list,
	 false},
	{"POST", "/api/v1/activities", "/api/v1/activities", ACTIVITY_BODY, NULL, REVIEWER_ADMIN(201),
	 check_activity_created, false},
	{"GET", "/api/v1/activities/{id}", "/api/v1/activities/999999", NULL, NULL, ANY(404), NULL,
	 false},
	{"PUT", "/api/v1/activities/{id}", "/api/v1/activities/999999", ACTIVITY_BODY, NULL,
	 REVIEWER_ADMIN(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/submit", "/api/v1/activities/999999/submit", NULL, NULL,
	 REVIEWER_ADMIN(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/withdraw", "/api/v1/activities/999999/withdraw", NULL,
	 NULL, REVIEWER_ADMIN(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/review", "/api/v1/activities/999999/review", "{}", NULL,
	 APPROVER_ONLY(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/approve", "/api/v1/activities/999999/approve", "{}", NULL,
	 APPROVER_ONLY(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/reject", "/api/v1/activities/999999/reject",
	 "{\"reason\": \"时间冲突\"}", NULL, APPROVER_ONLY(404), NULL, false},
	{"GET", "/api/v1/activities/{id}/attendance", "/api/v1/activities/999999/attendance", NULL,
	 NULL, STAFF(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/attendance",
	 "/api/v1/activities/999999/attendance?name=a.csv", "工号,姓名\nX1,某某\n", "text/csv",
	 REVIEWER_ADMIN(404), NULL, false},
	{"POST", "/api/v1/activities/{id}/records", "/api/v1/activities/999999/records", NULL, NULL,
	 ADMIN_APPROVER(404), NULL, false},

	{"GET", "/api/v1/calendars", "/api/v1/calendars", NULL, NULL, ANY(200), check_calendars,
	 false},
	{"PUT", "/api/v1/calendars/{year}", "/api/v1/calendars/2030?name=cn-2030.txt",
	 "2030-01-01 holiday 元旦\n", "text/plain", ADMIN_ONLY(200), check_calendar_put, false},
	{"GET", "/api/v1/publications", "/api/v1/publications", NULL, NULL, ANY(200),
	 check_items_list, false},
	{"POST", "/api/v1/publications", "/api/v1/publications",
	 "{\"unit_id\": {u}, \"year\": {y}, \"quarter\": 1}", NULL, ADMIN_ONLY(201),
	 check_published, false},
	{"GET", "/api/v1/publications/{id}", "/api/v1/publications/999999", NULL, NULL, ANY(404),
	 NULL, false},
	{"GET", "/api/v1/publications/{id}/objections", "/api/v1/publications/999999/objections",
	 NULL, NULL, ANY(404), NULL, false},
	{"POST", "/api/v1/publications/{id}/objections", "/api/v1/publications/999999/objections",
	 "{\"person_id\": {p}, \"text\": \"学分有误\"}", NULL, ANY(404), NULL, false},
	{"POST", "/api/v1/publications/{id}/archive", "/api/v1/publications/999999/archive", NULL,
	 NULL, ADMIN_ONLY(404), NULL, false},
	{"GET", "/api/v1/publications/{id}/export", "/api/v1/publications/999999/export", NULL, NULL,
	 ADMIN_ONLY(404), NULL, false},
	{"POST", "/api/v1/objections/{id}/resolve", "/api/v1/objections/999999/resolve",
	 "{\"decision\": \"dismissed\", \"reason\": \"核实无误\"}", NULL, ADMIN_ONLY(404), NULL,
	 false},
	POLICY_ROWS
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Replaces the placeholders of t into out. */
static void expand(const char *t, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	while (*t && o + 1 < size) {
		long long v = -1;
		size_t skip = 0;
		if (strncmp(t, "{p}", 3) == 0)
			v = C.person_sj, skip = 3;
		else if (strncmp(t, "{k}", 3) == 0)
			v = C.person_ks, skip = 3;
		else if (strncmp(t, "{u}", 3) == 0)
			v = C.unit_sj, skip = 3;
		else if (strncmp(t, "{g}", 3) == 0)
			v = C.person_gh, skip = 3;
		else if (strncmp(t, "{nu}", 4) == 0)
			v = C.new_user > 0 ? C.new_user : 999999, skip = 4;
		else if (strncmp(t, "{y}", 3) == 0)
			v = C.srv.year, skip = 3;
		if (skip) {
			int w = snprintf(out + o, size - o, "%lld", v);
			if (w < 0 || (size_t)w >= size - o)
				fail_msg("placeholder expansion too long");
			o += (size_t)w;
			t += skip;
		} else {
			out[o++] = *t++;
			out[o] = '\0';
		}
	}
	if (*t)
		fail_msg("expansion of %s too long", t);
}

static const char *method_name(unsigned m)
{
	switch (m) {
	case XF_HTTP_GET: return "GET";
	case XF_HTTP_POST: return "POST";
	case XF_HTTP_PUT: return "PUT";
	case XF_HTTP_PATCH: return "PATCH";
	case XF_HTTP_DELETE: return "DELETE";
	default: return "?";
	}
}

/* Calls one row as one caller and checks the cell; a failure is printed
 * and counted (every cell is tried, so one run shows every problem). */
static void run_cell(const route_row *row, int role)
{
	char path[512], body[1024];
	expand(row->path, path, sizeof(path));
	if (row->body)
		expand(row->body, body, sizeof(body));
	ah_req rq = {.method = row->method, .path = path, .body = row->body ? body : NULL,
		     .body_len = -1, .content_type = row->ctype, .sess = as(role)};
	ah_resp r;
	ah_do(&C.srv, &rq, &r);
	long want = row->want[role];
	const char *e = NULL;
	if (r.status != want) {
		e = FAILED("status %ld, expected %ld", r.status, want);
	} else if (want == 401 && row->want[R_ANON] == 401 &&
		   strcmp(ah_error_code(&r), "unauthenticated") != 0) {
		e = FAILED("expected error unauthenticated");
	} else if (want == 403 && strcmp(ah_error_code(&r), "forbidden") != 0) {
		e = FAILED("expected error forbidden");
	} else if ((want == 401 || want == 403) && !ah_is_json_error(&r)) {
		e = FAILED("not a JSON error");
	} else if (want != 401 && want != 403 && row->check) {
		e = row->check(role, &r);
	}
	if (e) {
		fprintf(stderr, "FAIL %s %s as %s: %s\n     answer: %.300s\n", row->method, path,
			callers[role].label, e, r.body);
		C.failures++;
	}
	ah_resp_free(&r);
}

/* ---- the tests ---- */

static int group_setup(void **state)
{
	memset(&C, 0, sizeof(C));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &C.srv.demo, &C.srv.year);
	ah_server_start(&C.srv, b->url, NULL);
	for (int role = 0; role < NROLES; role++)
		if (callers[role].role)
			ah_login_role(&C.srv, callers[role].role, callers[role].nth, &C.sess[role]);
	read_ids();
	return 0;
}

static int group_teardown(void **state)
{
	ah_server_kill(&C.srv);
	return 0;
}

/* The table above is routes.c's, row for row. */
static void test_table_is_routes(void **state)
{
	assert_int_equal(NROWS, api_nroutes);
	for (size_t i = 0; i < api_nroutes; i++) {
		const char *m = method_name(api_routes[i].methods);
		if (strcmp(rows[i].pattern, api_routes[i].pattern) != 0 || strcmp(rows[i].method, m) != 0)
			fail_msg("row %zu is %s %s; routes.c has %s %s", i, rows[i].method,
				 rows[i].pattern, m, api_routes[i].pattern);
		/* The path called is the pattern filled in. */
		const char *q = strchr(rows[i].path, '?');
		size_t plen = q ? (size_t)(q - rows[i].path) : strlen(rows[i].path);
		const char *pat = rows[i].pattern, *p = rows[i].path;
		while (*pat && p < rows[i].path + plen) {
			if (*pat == '{') {
				pat = strchr(pat, '}') + 1;
				while (p < rows[i].path + plen && *p != '/')
					p++;
			} else if (*pat++ != *p++) {
				fail_msg("row %zu: path %s is not of %s", i, rows[i].path, rows[i].pattern);
			}
		}
		if (*pat || p != rows[i].path + plen)
			fail_msg("row %zu: path %s is not of %s", i, rows[i].path, rows[i].pattern);
		/* Public routes admit the anonymous; the others do not. */
		bool public_route = api_routes[i].roles == API_PUBLIC;
		if (public_route != (rows[i].want[R_ANON] != 401))
			fail_msg("row %zu: %s is %spublic in routes.c", i, rows[i].pattern,
				 public_route ? "" : "not ");
	}
	/* Every route appears once. */
	for (size_t i = 0; i < api_nroutes; i++)
		for (size_t j = i + 1; j < NROWS; j++)
			if (strcmp(rows[i].pattern, rows[j].pattern) == 0 &&
			    strcmp(rows[i].method, rows[j].method) == 0)
				fail_msg("%s %s twice in the table", rows[i].method, rows[i].pattern);
}

static void test_matrix(void **state)
{
	C.failures = 0;
	for (size_t i = 0; i < NROWS; i++) {
		if (rows[i].last)
			continue;
		for (int role = 0; role < NROLES; role++)
			run_cell(&rows[i], role);
	}
	if (C.failures)
		fail_msg("%d cells of the access matrix did not hold (listed above)", C.failures);
}

/* Outside one's units: 404, byte for byte the answer for an id that does
 * not exist; a member asking for a person: 403. */
static void test_scope(void **state)
{
	long long zh = C.person_zh, ks = C.person_ks, missing = 987654321;
	const struct {
		int role;
		const char *fmt;    /* with %lld for the id */
		long long id;
		long want;
		long long twin;     /* an id that does not exist: same answer (0: none) */
	} cases[] = {
		{R_REVIEWER, "/api/v1/people/%lld", zh, 404, missing},
		{R_REVIEWER, "/api/v1/people/%lld/credits", zh, 404, missing},
		{R_REVIEWER, "/api/v1/units/%lld/summary", C.unit_zh, 404, missing},
		{R_REVIEWER, "/api/v1/units/%lld", C.unit_zh, 404, missing},
		{R_REVIEWER, "/api/v1/people/%lld", ks, 404, missing},
		{R_REVIEWER, "/api/v1/units/%lld", C.unit_bureau, 404, missing},
		{R_APPROVER, "/api/v1/people/%lld", ks, 404, missing},
		{R_APPROVER, "/api/v1/people/%lld/credits", ks, 404, missing},
		{R_APPROVER, "/api/v1/units/%lld/summary", C.unit_ks, 404, missing},
		{R_APPROVER, "/api/v1/units/%lld", C.unit_ks, 404, missing},
		{R_APPROVER, "/api/v1/people/%lld", zh, 200, 0},
		{R_APPROVER, "/api/v1/units/%lld/summary", C.unit_zh, 200, 0},
		{R_MEMBER1, "/api/v1/people/%lld", C.person_sj, 403, 0},
		{R_MEMBER1, "/api/v1/people/%lld/credits", C.person_sj, 403, 0},
		{R_MEMBER1, "/api/v1/units/%lld/summary", C.unit_sj, 403, 0},
		{R_KS, "/api/v1/people/%lld", ks, 403, 0},
		{R_ADMIN, "/api/v1/people/%lld", missing, 404, 0},
		{R_ADMIN, "/api/v1/people/%lld/credits", missing, 404, 0},
		{R_ADMIN, "/api/v1/units/%lld", missing, 404, 0},
		{R_REVIEWER, "/api/v1/people/%lld", 0, 404, 0},
		{R_REVIEWER, "/api/v1/people/%lld", -5, 404, 0},
	};
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *fmt = cases[i].fmt;
		long long id = cases[i].id, twin = cases[i].twin;
		long want = cases[i].want;
		char path[160], twin_path[160];
		snprintf(path, sizeof(path), fmt, id);
		ah_resp r, t;
		ah_call(&C.srv, as(cases[i].role), "GET", path, NULL, &r);
		const char *e = NULL;
		if (r.status != want)
			e = FAILED("status %ld, expected %ld", r.status, want);
		else if (want == 404 && strcmp(ah_error_code(&r), "not_found") != 0)
			e = FAILED("expected error not_found");
		else if (want == 403 && strcmp(ah_error_code(&r), "forbidden") != 0)
			e = FAILED("expected error forbidden");
		if (e == NULL && twin) {
			snprintf(twin_path, sizeof(twin_path), fmt, twin);
			ah_call(&C.srv, as(cases[i].role), "GET", twin_path, NULL, &t);
			if (t.status != r.status || t.len != r.len || memcmp(t.body, r.body, r.len) != 0)
				e = FAILED("differs from the answer for a missing id (%s: %ld %.200s)",
					   twin_path, t.status, t.body);
			ah_resp_free(&t);
		}
		if (e) {
			fprintf(stderr, "FAIL GET %s as %s: %s\n     answer: %.300s\n", path,
				callers[cases[i].role].label, e, r.body);
			failures++;
		}
		ah_resp_free(&r);
	}

	/* A list filtered to a unit out of scope lists no one. */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/people?unit_id=%lld&per_page=200", C.unit_zh);
	ah_resp r;
	ah_call(&C.srv, as(R_REVIEWER), "GET", path, NULL, &r);
	if (!(r.status == 404 || (r.status == 200 && ah_jint(r.json, "total") == 0 &&
				  cJSON_GetArraySize(ah_jget(r.json, "items")) == 0))) {
		fprintf(stderr, "FAIL GET %s as reviewer: lists people of 综合科: %.300s\n", path,
			r.body);
		failures++;
	}
	ah_resp_free(&r);
	if (failures)
		fail_msg("%d scope checks did not hold (listed above)", failures);
}

/* Logout last: it ends the sessions the rows above use. */
static void test_last_rows(void **state)
{
	C.failures = 0;
	for (size_t i = 0; i < NROWS; i++) {
		if (!rows[i].last)
			continue;
		for (int role = 0; role < NROLES; role++)
			run_cell(&rows[i], role);
	}
	if (C.failures)
		fail_msg("%d cells of the access matrix did not hold (listed above)", C.failures);
}

static void test_server_stops_cleanly(void **state)
{
	assert_int_equal(ah_server_stop(&C.srv), 0);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-access-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_routes),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_last_rows),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api access (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
