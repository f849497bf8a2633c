/* Bad input over real HTTP, and the audit rows of what the API does.
 *
 * Bad input: invalid JSON bodies (truncated, not an object, 10000 '[',
 * invalid UTF-8, numbers out of any range) get 400 with a JSON error and
 * the server goes on; unknown routes 404 and wrong methods 405, as JSON;
 * '..' and %2e%2e in paths never reach another route's data; a roster
 * with one bad row is refused whole (422 naming the row), the corrected
 * one imported; with a configuration of small limits (json_body 1KB,
 * import 1MB) larger bodies get 413 with a JSON error.
 *
 * Audit: a login, a failed login, a lockout, an import, an export, a role
 * change, a person update and a reveal each add one row with the right
 * actor, which the auditor (and nobody else) reads; a full ID number shows
 * in the reveal's answer and in no audit row. Runs the sanitizer server on
 * SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/backends.h"
#include "api_harness.h"

/* The error code of a 413 (docs/api.md, Errors). */
#define TOO_LARGE_CODE "payload_too_large"

static ah_server A;      /* default configuration */
static ah_server B;      /* small limits, same database, after A */
static int current_backend;
static ah_sess admin, auditor, member, reviewer;
static long long person_sj;   /* the member's person (数据资源科) */
static long long unit_sj, unit_zh;

/* Where a list of problems is printed before the test fails. */
static int failures;

static void problem(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

/* The server process is alive and answers /health. */
static void expect_alive(ah_server *s, const char *after)
{
	int status;
	if (s->pid <= 0 || waitpid(s->pid, &status, WNOHANG) != 0)
		fail_msg("the server died after %s", after);
	ah_resp r;
	ah_call(s, NULL, "GET", "/api/v1/health", NULL, &r);
	if (r.status != 200 || strcmp(ah_jstr(r.json, "status"), "ok") != 0)
		fail_msg("/health after %s: %ld %s", after, r.status, r.body);
	ah_resp_free(&r);
}

static long long unit_id_of(const cJSON *arr, const char *code)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, arr) {
		if (strcmp(ah_jstr(u, "code"), code) == 0)
			return ah_jint(u, "id");
		long long in = unit_id_of(cJSON_GetObjectItemCaseSensitive(u, "children"), code);
		if (in > 0)
			return in;
	}
	return -1;
}

static int group_setup(void **state)
{
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &A.demo, &A.year);
	ah_server_start(&A, b->url, NULL);
	ah_login_role(&A, "admin", 0, &admin);
	ah_login_role(&A, "auditor", 0, &auditor);
	ah_login_role(&A, "member", 0, &member);
	ah_login_role(&A, "reviewer", 0, &reviewer);
	person_sj = member.person_id;
	assert_true(person_sj > 0);
	ah_resp r;
	ah_call(&A, &admin, "GET", "/api/v1/units", NULL, &r);
	ah_expect(&r, 200, "GET /units");
	unit_sj = unit_id_of(r.json, "dsj-sj");
	unit_zh = unit_id_of(r.json, "dsj-zh");
	ah_resp_free(&r);
	assert_true(unit_sj > 0 && unit_zh > 0);
	return 0;
}

static int group_teardown(void **state)
{
	ah_server_kill(&A);
	ah_server_kill(&B);
	return 0;
}

/* ---- bad JSON ---- */

static void test_invalid_json(void **state)
{
	enum { DEPTH = 10000 };
	static char open_only[DEPTH + 1], nested[2 * DEPTH + 1], objects[6 * DEPTH + 3];
	memset(open_only, '[', DEPTH);
	memset(nested, '[', DEPTH);
	memset(nested + DEPTH, ']', DEPTH);
	size_t k = 0;
	for (int i = 0; i < DEPTH; i++) {
		memcpy(objects + k, "{\"a\":", 5);
		k += 5;
	}
	objects[k++] = '1';
	memset(objects + k, '}', DEPTH);
	objects[k + DEPTH] = '\0';

	char patch[64], active[64];
	snprintf(patch, sizeof(patch), "/api/v1/people/%lld", person_sj);
	snprintf(active, sizeof(active), "/api/v1/users/%lld/active", member.user_id);
	const struct {
		const char *method, *path;
		const ah_sess *as;
		const char *body;
		long len; /* -1: strlen */
		const char *what;
	} cases[] = {
		{"POST", "/api/v1/login", NULL, "{\"username\": \"admin\", \"pass", -1, "truncated"},
		{"POST", "/api/v1/login", NULL, "{\"username\": \"admin\",", -1, "truncated after a comma"},
		{"POST", "/api/v1/login", NULL, "[1, 2, 3]", -1, "an array"},
		{"POST", "/api/v1/login", NULL, "\"admin\"", -1, "a string"},
		{"POST", "/api/v1/login", NULL, "42", -1, "a number"},
		{"POST", "/api/v1/login", NULL, "null", -1, "null"},
		{"POST", "/api/v1/login", NULL, "", 0, "an empty body"},
		{"POST", "/api/v1/login", NULL, "{\"username\": \"admin\"} trailing", -1, "trailing text"},
		{"POST", "/api/v1/login", NULL, open_only, -1, "10000 ["},
		{"POST", "/api/v1/login", NULL, nested, -1, "10000 nested arrays, closed"},
		{"POST", "/api/v1/login", NULL, objects, -1, "10000 nested objects"},
		{"POST", "/api/v1/login", NULL, "{\"username\": \"adm\xff\xfein\", \"password\": \"x\"}",
		 -1, "invalid UTF-8 in a string"},
		{"POST", "/api/v1/login", NULL, "{\"username\": 1e999999, \"password\": \"x\"}", -1,
		 "a huge number for a string"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": 1e999999}", -1, "year 1e999999"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": 99999999999999999999999999}", -1,
		 "year of 26 digits"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": -1e400}", -1, "year -1e400"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": NaN}", -1, "year NaN"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": 2025.5}", -1, "year 2025.5"},
		{"POST", "/api/v1/assessments", &admin, "{\"year\": 2025, \"unit\": \"\xc0\xaf\"}", -1,
		 "an overlong UTF-8 unit"},
		{"POST", "/api/v1/assessments", &admin, open_only, -1, "10000 [ (admin)"},
		{"PATCH", patch, &admin, "{\"unit_id\": 1e308}", -1, "unit_id 1e308"},
		{"PATCH", patch, &admin, "{\"unit_id\": 123456789012345678901234567890}", -1,
		 "unit_id of 30 digits"},
		{"PATCH", patch, &admin, "{\"name\": \"\xed\xa0\x80\"}", -1, "a UTF-16 surrogate in UTF-8"},
		{"PATCH", patch, &admin, "{\"name\": \"\xc3\x28\"}", -1, "a broken UTF-8 sequence"},
		{"PATCH", patch, &admin, "{\"name\": \"\xf4\x90\x80\x80\"}", -1, "UTF-8 past U+10FFFF"},
		{"PATCH", patch, &admin, "{\"name\": ", -1, "a truncated PATCH"},
		{"PATCH", patch, &admin, "[\"name\"]", -1, "a PATCH that is an array"},
		{"PUT", active, &admin, "{\"active\": 1e400}", -1, "active 1e400"},
		{"PUT", active, &admin, "{\"active\": tru}", -1, "active tru"},
		{"PUT", "/api/v1/me/password", &member, "{\"old_password\": ", -1, "a truncated password"},
	};
	failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ah_resp r;
		ah_req rq = {.method = cases[i].method, .path = cases[i].path, .body = cases[i].body,
			     .body_len = cases[i].len, .sess = cases[i].as};
		ah_do(&A, &rq, &r);
		const char *code = ah_error_code(&r);
		if (r.status != 400 || !ah_is_json_error(&r) ||
		    (strcmp(code, "bad_json") != 0 && strcmp(code, "bad_request") != 0))
			problem("%s %s with %s: %ld %.300s (expected 400 bad_json or bad_request)",
				cases[i].method, cases[i].path, cases[i].what, r.status, r.body);
		else if (strstr(r.body, "PostgreSQL") || strstr(r.body, "SQLite") ||
			 strstr(r.body, "sqlite") || strstr(r.body, "byte sequence"))
			problem("%s %s with %s: the message shows the database's own error: %.300s",
				cases[i].method, cases[i].path, cases[i].what, r.body);
		ah_resp_free(&r);
		expect_alive(&A, cases[i].what);
	}
	/* The member's account and the person are as they were. */
	ah_resp r;
	ah_call(&A, &admin, "GET", patch, NULL, &r);
	ah_expect(&r, 200, "GET the person after the bad PATCHes");
	assert_int_equal(ah_jint(r.json, "unit.id"), unit_sj);
	ah_resp_free(&r);
	assert_int_equal(ah_call(&A, &member, "GET", "/api/v1/me", NULL, NULL), 200);
	if (failures)
		fail_msg("%d bad bodies were not answered 400 (listed above)", failures);
}

/* A string with an escaped NUL is not the string before the NUL: neither
 * "admin\u0000x" nor the password followed by "\u0000x" signs in. */
static void test_escaped_nul(void **state)
{
	const char *pw = ah_demo_login(&A, "admin", 0)->password;
	char body[2][256];
	snprintf(body[0], sizeof(body[0]), "{\"username\": \"admin\\u0000x\", \"password\": \"%s\"}",
		 pw);
	snprintf(body[1], sizeof(body[1]), "{\"username\": \"admin\", \"password\": \"%s\\u0000x\"}",
		 pw);
	failures = 0;
	for (int i = 0; i < 2; i++) {
		ah_resp r;
		ah_req rq = {.method = "POST", .path = "/api/v1/login", .body = body[i], .body_len = -1};
		ah_do(&A, &rq, &r);
		char line[512];
		if ((r.status != 400 && r.status != 401) || ah_session_set_cookie(&r, line, sizeof(line)))
			problem("login %s: %ld %.200s (expected 400 or 401, no session)",
				i ? "with the password + \\u0000x" : "as admin\\u0000x", r.status, r.body);
		ah_resp_free(&r);
	}
	if (failures)
		fail_msg("%d logins with an escaped NUL signed in (listed above)", failures);
}

/* ---- routes that are not there ---- */

static void test_unknown_route_and_method(void **state)
{
	char person[64];
	snprintf(person, sizeof(person), "/api/v1/people/%lld", person_sj);
	const struct {
		const char *method, *path;
		const ah_sess *as;
		long status;
		const char *code;
	} cases[] = {
		{"GET", "/api/v1/nope", NULL, 404, "not_found"},
		{"GET", "/api/v1/nope", &admin, 404, "not_found"},
		{"GET", "/api/v2/health", NULL, 404, "not_found"},
		{"GET", "/api/v1/healthz", NULL, 404, "not_found"},
		{"GET", "/api/v1/people/1/unknown", &admin, 404, "not_found"},
		{"GET", "/api/v1/exports", &admin, 404, "not_found"},
		{"POST", "/api/v1/imports", &admin, 404, "not_found"},
		{"GET", "/api/v1/exports/templates/nonsense", &admin, 404, "not_found"},
		{"POST", "/api/v1/health", NULL, 405, "method_not_allowed"},
		{"GET", "/api/v1/login", NULL, 405, "method_not_allowed"},
		{"DELETE", person, &admin, 405, "method_not_allowed"},
		{"PUT", person, &admin, 405, "method_not_allowed"},
		{"PUT", "/api/v1/me", &member, 405, "method_not_allowed"},
		{"GET", "/api/v1/assessments", &admin, 405, "method_not_allowed"},
		{"PATCH", "/api/v1/users", &admin, 405, "method_not_allowed"},
		{"DELETE", "/api/v1/audit", &auditor, 405, "method_not_allowed"},
	};
	failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ah_resp r;
		ah_call(&A, cases[i].as, cases[i].method, cases[i].path, NULL, &r);
		if (r.status != cases[i].status || !ah_is_json_error(&r) ||
		    strcmp(ah_error_code(&r), cases[i].code) != 0)
			problem("%s %s: %ld %.300s (expected %ld %s)", cases[i].method, cases[i].path,
				r.status, r.body, cases[i].status, cases[i].code);
		ah_resp_free(&r);
	}
	if (failures)
		fail_msg("%d answers were wrong (listed above)", failures);
}

/* ---- path tricks ---- */

static void test_path_tricks(void **state)
{
	char s1[128], s2[128], s3[128];
	snprintf(s1, sizeof(s1), "/api/v1/units/%lld/summary/../../%lld/summary", unit_sj, unit_zh);
	snprintf(s2, sizeof(s2), "/api/v1/units/%lld%%2f..%%2f%lld/summary", unit_sj, unit_zh);
	snprintf(s3, sizeof(s3), "/api/v1/units/%lld/%%2e%%2e/%lld/summary", unit_sj, unit_zh);
	const struct {
		const ah_sess *as;
		const char *path;
		long status;         /* what must come back (0: any but a JSON 200) */
		const char *secret;  /* what must not be in it */
	} cases[] = {
		{&member, "/api/v1/me/../users", 404, "auditor"},
		{&member, "/api/v1/me/%2e%2e/users", 404, "auditor"},
		{&member, "/api/v1/me/%2E%2E/users", 404, "auditor"},
		{&member, "/api/v1/me%2f..%2fusers", 404, "auditor"},
		{&member, "/api/v1/people/1/../../users", 404, "auditor"},
		{&member, "/api/v1/people/1/%2e%2e/%2e%2e/users", 404, "auditor"},
		{&member, "/api/v1/me/credits/../../audit", 404, "login"},
		{&member, "/api/v1/./users", 404, "auditor"},
		{&member, "/api/v1/users/", 403, "auditor"},
		{&member, "//api/v1/users", 0, "auditor"}, /* not under /api/: the web UI's */
		{&admin, "/api/v1/people/1/../../audit", 404, "\"action\""},
		{&admin, "/api/v1/people/1/%2e%2e/%2e%2e/audit", 404, "\"action\""},
		{&reviewer, s1, 404, "综合科"},
		{&reviewer, s2, 404, "综合科"},
		{&reviewer, s3, 404, "综合科"},
		{NULL, "/api/v1/health/../users", 404, "auditor"},
		{NULL, "/api/v1/health/%2e%2e/me", 404, "username"},
	};
	failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ah_resp r;
		ah_call(&A, cases[i].as, "GET", cases[i].path, NULL, &r);
		bool ok = cases[i].status ? r.status == cases[i].status && ah_is_json_error(&r)
					  : !(r.status == 200 && r.json != NULL);
		if (!ok || strstr(r.body, cases[i].secret))
			problem("GET %s: %ld %.300s (expected a JSON %ld without \"%s\")", cases[i].path,
				r.status, r.body, cases[i].status, cases[i].secret);
		ah_resp_free(&r);
	}
	if (failures)
		fail_msg("%d path tricks were not refused (listed above)", failures);
}

/* ---- imports ---- */

static long long people_matching(ah_server *s, const char *q_encoded)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/people?q=%s", q_encoded);
	ah_resp r;
	ah_call(s, &admin, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /people?q=");
	long long n = ah_jint(r.json, "total");
	ah_resp_free(&r);
	return n;
}

#define ROBUST_Q "%E5%81%A5%E5%A3%AE" /* 健壮 */

static long import_roster(ah_server *s, const char *name, const char *csv, ah_resp *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/imports/roster?name=%s", name);
	ah_req rq = {.method = "POST", .path = path, .body = csv, .body_len = -1,
		     .content_type = "text/csv", .sess = &admin};
	ah_do(s, &rq, r);
	return r->status;
}

static void test_import_bad_row_then_good(void **state)
{
	static const char bad[] = "姓名,工号,单位,单位编码,角色,入职日期\n"
				  "健壮甲,RB001,综合科,dsj-zh,staff,2020-01-01\n"
				  "健壮乙,RB002,综合科,dsj-zh,staff,2020-13-01\n"
				  "健壮丙,RB003,综合科,dsj-zh,staff,2020-02-01\n";
	static const char good[] = "姓名,工号,单位,单位编码,角色,入职日期\n"
				   "健壮甲,RB001,综合科,dsj-zh,staff,2020-01-01\n"
				   "健壮乙,RB002,综合科,dsj-zh,staff,2020-12-01\n"
				   "健壮丙,RB003,综合科,dsj-zh,staff,2020-02-01\n";
	ah_resp r;
	import_roster(&A, "bad.csv", bad, &r);
	ah_expect_error(&r, 422, "invalid", "a roster with a bad row");
	const cJSON *details = ah_jget(r.json, "error.details");
	bool names_row = false;
	const cJSON *d;
	cJSON_ArrayForEach(d, details)
		names_row |= cJSON_IsString(d) && strstr(d->valuestring, "第 3 行") &&
			     strstr(d->valuestring, "入职日期");
	if (!names_row)
		fail_msg("the 422 does not name row 3 and its column: %s", r.body);
	ah_resp_free(&r);
	assert_int_equal(people_matching(&A, ROBUST_Q), 0); /* all or nothing */

	import_roster(&A, "good.csv", good, &r);
	ah_expect(&r, 200, "the corrected roster");
	assert_int_equal(ah_jint(r.json, "people"), 3);
	assert_string_equal(ah_jstr(r.json, "file"), "good.csv");
	ah_resp_free(&r);
	assert_int_equal(people_matching(&A, ROBUST_Q), 3);

	/* An unknown kind, an empty body. */
	ah_req rq = {.method = "POST", .path = "/api/v1/imports/payroll", .body = good,
		     .body_len = -1, .content_type = "text/csv", .sess = &admin};
	ah_do(&A, &rq, &r);
	ah_expect_error(&r, 404, "not_found", "import of an unknown kind");
	ah_resp_free(&r);
	import_roster(&A, "empty.csv", "", &r);
	ah_expect_error(&r, 400, "bad_request", "an empty import");
	ah_resp_free(&r);
}

/* ---- audit ---- */

/* The number of audit rows of action by actor, as the auditor reads it. */
static long long audit_count(const char *action, const char *actor)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/audit?action=%s&actor=%s&per_page=1", action, actor);
	ah_resp r;
	ah_call(&A, &auditor, "GET", path, NULL, &r);
	ah_expect(&r, 200, path);
	long long n = ah_jint(r.json, "total");
	ah_resp_free(&r);
	if (n < 0)
		fail_msg("GET %s: no total", path);
	return n;
}

/* The newest row of action by actor must name object. */
static void audit_newest(const char *action, const char *actor, const char *object)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/audit?action=%s&actor=%s&per_page=1", action, actor);
	ah_resp r;
	ah_call(&A, &auditor, "GET", path, NULL, &r);
	const cJSON *row = cJSON_GetArrayItem(ah_jget(r.json, "items"), 0);
	if (strcmp(ah_jstr(row, "actor"), actor) != 0 || strcmp(ah_jstr(row, "action"), action) != 0 ||
	    (object && strcmp(ah_jstr(row, "object"), object) != 0))
		fail_msg("newest %s row: %s (expected actor %s, object %s)", action, r.body, actor,
			 object ? object : "any");
	ah_resp_free(&r);
}

/* One more row of action by actor after the step (checked by the caller's
 * count before). */
#define EXPECT_ONE_MORE(before, action, actor)                                              \
	do {                                                                                \
		long long now_ = audit_count(action, actor);                                \
		if (now_ != (before) + 1)                                                   \
			fail_msg("audit rows of %s by %s: %lld, expected %lld", action, actor, \
				 now_, (before) + 1);                                       \
	} while (0)

/* An 18-digit ID number with a valid check digit. */
static void make_id_card(const char *first17, char out[19])
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * w[i];
	memcpy(out, first17, 17);
	out[17] = check[sum % 11];
	out[18] = '\0';
}

static void test_audit_rows(void **state)
{
	const xf_demo_login *adm = ah_demo_login(&A, "admin", 0);
	const xf_demo_login *m2 = ah_demo_login(&A, "member", 1);

	/* A login. */
	long long n = audit_count("login", "admin");
	ah_sess again;
	assert_int_equal(ah_login(&A, "admin", adm->password, NULL, &again, NULL), 200);
	EXPECT_ONE_MORE(n, "login", "admin");
	audit_newest("login", "admin", "user:admin");

	/* A failed login, then four more: the lock. */
	char object[96];
	snprintf(object, sizeof(object), "user:%s", m2->username);
	n = audit_count("login.failed", m2->username);
	long long locks = audit_count("login.locked", m2->username);
	assert_int_equal(ah_login(&A, m2->username, "Wrong-Pass-1", NULL, NULL, NULL), 401);
	EXPECT_ONE_MORE(n, "login.failed", m2->username);
	audit_newest("login.failed", m2->username, object);
	assert_int_equal(locks, 0);
	for (int i = 2; i <= 5; i++) {
		char pw[32];
		snprintf(pw, sizeof(pw), "Wrong-Pass-%d", i);
		assert_int_equal(ah_login(&A, m2->username, pw, NULL, NULL, NULL), i < 5 ? 401 : 429);
	}
	EXPECT_ONE_MORE(locks, "login.locked", m2->username);
	audit_newest("login.locked", m2->username, object);

	/* An import. */
	n = audit_count("import.roster", "admin");
	ah_resp r;
	import_roster(&A, "audit.csv",
		      "姓名,工号,单位,单位编码,角色,入职日期\n审计测试,AU001,综合科,dsj-zh,staff,2019-05-01\n",
		      &r);
	ah_expect(&r, 200, "an import");
	ah_resp_free(&r);
	EXPECT_ONE_MORE(n, "import.roster", "admin");

	/* An export (a template). */
	n = audit_count("export.template", "admin");
	ah_call(&A, &admin, "GET", "/api/v1/exports/templates/xxqg", NULL, &r);
	ah_expect(&r, 200, "a template");
	ah_resp_free(&r);
	EXPECT_ONE_MORE(n, "export.template", "admin");
	audit_newest("export.template", "admin", "xxqg");

	/* A role change, of an account made for it. */
	ah_call(&A, &admin, "POST", "/api/v1/users",
		"{\"username\": \"robust.user\", \"password\": \"Robust-Pass-1\", "
		"\"roles\": [{\"role\": \"auditor\"}]}",
		&r);
	ah_expect(&r, 201, "a new account");
	long long uid = 0;
	const cJSON *u;
	cJSON_ArrayForEach(u, r.json)
		if (strcmp(ah_jstr(u, "username"), "robust.user") == 0)
			uid = ah_jint(u, "id");
	ah_resp_free(&r);
	assert_true(uid > 0);
	n = audit_count("user.roles", "admin");
	char path[128], body[256];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/roles", uid);
	snprintf(body, sizeof(body), "{\"roles\": [{\"role\": \"reviewer\", \"unit_id\": %lld}]}",
		 unit_sj);
	ah_call(&A, &admin, "PUT", path, body, &r);
	ah_expect(&r, 200, "a role change");
	ah_resp_free(&r);
	EXPECT_ONE_MORE(n, "user.roles", "admin");
	audit_newest("user.roles", "admin", "user:robust.user");

	/* A reveal, a change of the ID number and phone, a reveal. */
	char person[64], reveal[80], pobj[64];
	snprintf(person, sizeof(person), "/api/v1/people/%lld", person_sj);
	snprintf(reveal, sizeof(reveal), "/api/v1/people/%lld/reveal", person_sj);
	snprintf(pobj, sizeof(pobj), "person:%lld", person_sj);
	n = audit_count("person.reveal", "admin");
	ah_call(&A, &admin, "POST", reveal, NULL, &r);
	ah_expect(&r, 200, "a reveal");
	char old_id[32], old_phone[32];
	snprintf(old_id, sizeof(old_id), "%s", ah_jstr(r.json, "id_card"));
	snprintf(old_phone, sizeof(old_phone), "%s", ah_jstr(r.json, "phone"));
	ah_resp_free(&r);
	assert_int_equal(strlen(old_id), 18);
	assert_null(strchr(old_id, '*'));
	assert_int_equal(strlen(old_phone), 11);
	EXPECT_ONE_MORE(n, "person.reveal", "admin");
	audit_newest("person.reveal", "admin", pobj);

	char new_id[19];
	make_id_card("11010519880715432", new_id);
	const char *new_phone = "13700002222";
	n = audit_count("person.update", "admin");
	snprintf(body, sizeof(body), "{\"id_card\": \"%s\", \"phone\": \"%s\"}", new_id, new_phone);
	ah_call(&A, &admin, "PATCH", person, body, &r);
	ah_expect(&r, 200, "a person update");
	assert_string_equal(ah_jstr(r.json, "phone"), "137****2222");
	ah_resp_free(&r);
	EXPECT_ONE_MORE(n, "person.update", "admin");
	audit_newest("person.update", "admin", pobj);

	n = audit_count("person.reveal", "admin");
	ah_call(&A, &admin, "POST", reveal, NULL, &r);
	ah_expect(&r, 200, "a second reveal");
	assert_string_equal(ah_jstr(r.json, "id_card"), new_id);
	assert_string_equal(ah_jstr(r.json, "phone"), new_phone);
	ah_resp_free(&r);
	EXPECT_ONE_MORE(n, "person.reveal", "admin");

	/* Only the auditor reads the log. */
	ah_call(&A, &admin, "GET", "/api/v1/audit", NULL, &r);
	ah_expect_error(&r, 403, "forbidden", "admin GET /audit");
	ah_resp_free(&r);
	ah_call(&A, &member, "GET", "/api/v1/audit", NULL, &r);
	ah_expect_error(&r, 403, "forbidden", "member GET /audit");
	ah_resp_free(&r);
	ah_call(&A, NULL, "GET", "/api/v1/audit", NULL, &r);
	ah_expect_error(&r, 401, "unauthenticated", "anonymous GET /audit");
	ah_resp_free(&r);

	/* No full ID number or phone anywhere in the log; the update's row
	 * shows them masked. */
	bool masked_seen = false;
	char masked_new[32];
	snprintf(masked_new, sizeof(masked_new), "%.3s***********%s", new_id, new_id + 14);
	long long total = -1, seen = 0;
	for (int page = 1; page < 1000; page++) {
		snprintf(path, sizeof(path), "/api/v1/audit?per_page=200&page=%d", page);
		ah_call(&A, &auditor, "GET", path, NULL, &r);
		ah_expect(&r, 200, path);
		total = ah_jint(r.json, "total");
		int items = cJSON_GetArraySize(ah_jget(r.json, "items"));
		const char *leaks[] = {old_id, new_id, old_phone, new_phone};
		for (size_t i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++) {
			const char *at = strstr(r.body, leaks[i]);
			if (at)
				fail_msg("the audit log holds %s in full: ...%.600s", leaks[i],
					 (size_t)(at - r.body) > 300 ? at - 300 : r.body);
		}
		masked_seen |= strstr(r.body, masked_new) != NULL;
		ah_resp_free(&r);
		seen += items;
		if (items == 0 || seen >= total)
			break;
	}
	assert_true(total > 0 && seen == total);
	assert_true(masked_seen);
}

/* A roster row may leave 角色 empty (the template says it is optional);
 * the import must then either refuse the row, or keep answering the unit's
 * reads: never a 500 afterwards. */
static void test_roleless_person(void **state)
{
	ah_resp r;
	long st = import_roster(&A, "norole.csv",
				"姓名,工号,单位,单位编码,入职日期\n无角色,NR001,综合科,dsj-zh,2022-01-01\n",
				&r);
	if (st == 422) {
		bool names_row = false;
		const cJSON *d;
		cJSON_ArrayForEach(d, ah_jget(r.json, "error.details"))
			names_row |= cJSON_IsString(d) && strstr(d->valuestring, "第 2 行");
		if (!names_row)
			fail_msg("the 422 does not name row 2: %s", r.body);
		ah_resp_free(&r);
		return;
	}
	ah_expect(&r, 200, "a roster row without 角色");
	ah_resp_free(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/units/%lld/summary?year=%d", unit_zh, A.year);
	ah_call(&A, &admin, "GET", path, NULL, &r);
	if (r.status >= 500)
		fail_msg("GET %s after importing a person without a role: %ld %s", path, r.status,
			 r.body);
	ah_resp_free(&r);
}

static void test_server_stops_cleanly(void **state)
{
	assert_int_equal(ah_server_stop(&A), 0);
}

/* ---- limits: the same database under json_body 1KB, import 1MB ---- */

static void expect_too_large(ah_resp *r, const char *what)
{
	if (r->status != 413 || !ah_is_json_error(r) || strcmp(ah_error_code(r), TOO_LARGE_CODE) != 0)
		problem("%s: %ld (curl %d) %.300s (expected 413 %s)", what, r->status, (int)r->rc,
			r->body, TOO_LARGE_CODE);
}

static void test_limits(void **state)
{
	B.demo = A.demo;
	B.year = A.year;
	ah_server_start(&B, backends[current_backend].url,
			"limits: {json_body: 1KB, import: 1MB}\n");
	failures = 0;
	/* The sessions live in the database: the admin's works here too. */
	assert_int_equal(ah_call(&B, &admin, "GET", "/api/v1/me", NULL, NULL), 200);

	/* Exactly 1KB passes, one byte more does not. */
	char body[1100];
	const char *head = "{\"username\": \"nobody\", \"password\": \"x\"";
	size_t hl = strlen(head);
	memcpy(body, head, hl);
	memset(body + hl, ' ', 1024 - hl - 1);
	body[1023] = '}';
	body[1024] = '\0';
	ah_resp r;
	ah_req rq = {.method = "POST", .path = "/api/v1/login", .body = body, .body_len = 1024};
	ah_do(&B, &rq, &r);
	if (r.status != 401)
		problem("a 1024-byte login: %ld %.300s (expected 401)", r.status, r.body);
	ah_resp_free(&r);
	memmove(body + 1, body, 1024);
	body[0] = ' ';
	rq.body_len = 1025;
	ah_do(&B, &rq, &r);
	expect_too_large(&r, "a 1025-byte login");
	ah_resp_free(&r);

	char patch[64];
	snprintf(patch, sizeof(patch), "/api/v1/people/%lld", person_sj);
	static char big_json[4096];
	snprintf(big_json, sizeof(big_json), "{\"name\": \"%0*d\"}", 3000, 0);
	ah_call(&B, &admin, "PATCH", patch, big_json, &r);
	expect_too_large(&r, "a 3 KB PATCH");
	ah_resp_free(&r);
	expect_alive(&B, "the 413s of JSON bodies");

	/* A 10 MB import under the 1MB import limit. */
	size_t big = (size_t)10 << 20;
	char *file = malloc(big + 1);
	assert_non_null(file);
	static const char hdr[] = "姓名,工号,单位\n";
	memcpy(file, hdr, sizeof(hdr) - 1);
	for (size_t i = sizeof(hdr) - 1; i < big; i++)
		file[i] = (i % 64 == 63) ? '\n' : 'x';
	file[big] = '\0';
	ah_req up = {.method = "POST", .path = "/api/v1/imports/roster?name=big.csv", .body = file,
		     .body_len = (long)big, .content_type = "text/csv", .sess = &admin};
	ah_do(&B, &up, &r);
	expect_too_large(&r, "a 10 MB import");
	ah_resp_free(&r);
	free(file);
	expect_alive(&B, "the 413 of a 10 MB import");

	/* A small import still passes. */
	import_roster(&B, "small.csv",
		      "姓名,工号,单位,单位编码,角色,入职日期\n限额测试,LM001,综合科,dsj-zh,staff,2018-01-01\n",
		      &r);
	if (r.status != 200)
		problem("a small import under the limits: %ld %.300s", r.status, r.body);
	ah_resp_free(&r);
	int exit_status = ah_server_stop(&B);
	if (exit_status != 0)
		problem("the server with small limits exited with %d", exit_status);
	if (failures)
		fail_msg("%d limit checks did not hold (listed above)", failures);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-robust-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_escaped_nul),
		cmocka_unit_test(test_unknown_route_and_method),
		cmocka_unit_test(test_path_tricks),
		cmocka_unit_test(test_import_bad_row_then_good),
		cmocka_unit_test(test_audit_rows),
		cmocka_unit_test(test_roleless_person),
		cmocka_unit_test(test_server_stops_cleanly),
		cmocka_unit_test(test_limits),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api robustness and audit (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
