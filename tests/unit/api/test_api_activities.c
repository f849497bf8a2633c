/* The training-activity routes over real HTTP (docs/api.md):
 * a second head of the bureau made with POST /api/v1/users (the demo's
 * approver and head already head it), an activity taken through every
 * state by the roles that may and refused for those that may not (a table
 * of requests and the statuses and codes they must get), members seeing
 * the approved one, an attendance file with bad rows (422, every row
 * named, nothing written), a dry run, the records given once (409 the
 * second time), the attendee's notice, and the same activity not counted
 * twice in GET /people/{id}/credits when a duplicate record comes in by
 * import. Runs the sanitizer server on SQLite, and on PostgreSQL when
 * XUEFEN_TEST_PG is set; the tests of a backend share one server and run
 * in order. */
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

#define PASSWORD "Head2-Pass-2026!"

static ah_server S;
static int current_backend;

/* The callers. */
enum { ADMIN, REVIEWER, APPROVER, HEAD2, STEP1, MEMBER, MEMBER_KS, AUDITOR, NWHO };
static const char *const who_names[NWHO] = {
	"admin", "reviewer", "approver", "head2", "approver-sj", "member", "member-ks", "auditor",
};
static ah_sess W[NWHO];
static long long U_ROOT, U_SJ;
static long long ACT;           /* the activity taken through the states */
static char KEY[32];
static long long P_MEMBER, P_OTHER; /* the attendees' person ids */
static char STAFF_MEMBER[32], NAME_MEMBER[64], STAFF_OTHER[32], NAME_OTHER[64];

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	memset(W, 0, sizeof(W));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &S.demo, &S.year);
	ah_server_start(&S, b->url, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ah_server_kill(&S);
	return 0;
}

/* ---- helpers ---- */

static long call(int who, const char *method, const char *path, const char *body, ah_resp *r)
{
	return ah_call(&S, who >= 0 ? &W[who] : NULL, method, path, body, r);
}

static void expect(int who, const char *method, const char *path, const char *body, long want,
		   const char *code)
{
	ah_resp r;
	call(who, method, path, body, &r);
	char what[256];
	snprintf(what, sizeof(what), "%s %s as %s", method, path, who_names[who]);
	if (code)
		ah_expect_error(&r, want, code, what);
	else
		ah_expect(&r, want, what);
	ah_resp_free(&r);
}

static long upload(int who, long long id, const char *csv, bool dry, ah_resp *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/activities/%lld/attendance?name=%%E7%%AD%%BE%%E5%%88%%B0.csv%s",
		 id, dry ? "&dry_run=1" : "");
	ah_req rq = {.method = "POST", .path = path, .body = csv, .body_len = -1,
		     .content_type = "text/csv", .sess = &W[who]};
	ah_do(&S, &rq, r);
	return r->status;
}

static char *apath(const char *fmt, long long id)
{
	static char buf[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), fmt, id);
	return buf[k];
}

/* listen.training of a person's year: its credits and units. */
static void training(long long person, double *credits, long long *units)
{
	ah_resp r;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/people/%lld/credits?explain=0&year=%d", person, S.year);
	call(ADMIN, "GET", path, NULL, &r);
	ah_expect(&r, 200, "credits");
	*credits = -1;
	*units = -1;
	const cJSON *cat;
	cJSON_ArrayForEach(cat, cJSON_GetObjectItem(r.json, "categories")) {
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(cat, "items")) {
			if (strcmp(ah_jstr(it, "key"), "listen.training") == 0) {
				*credits = cJSON_GetObjectItem(it, "credits")->valuedouble;
				*units = ah_jint(it, "units");
			}
		}
	}
	ah_resp_free(&r);
	assert_true(*units >= 0);
}

/* ---- the tests ---- */

/* Sign in every role; make a second head of the bureau and an approver of
 * 数据资源科 only (step 1, never step 2). */
static void test_accounts(void **state)
{
	(void)state;
	ah_login_role(&S, "admin", 0, &W[ADMIN]);
	ah_login_role(&S, "reviewer", 0, &W[REVIEWER]);
	ah_login_role(&S, "approver", 0, &W[APPROVER]);
	ah_login_role(&S, "member", 0, &W[MEMBER]);
	ah_login_role(&S, "member", 2, &W[MEMBER_KS]);
	ah_login_role(&S, "auditor", 0, &W[AUDITOR]);
	ah_resp r;
	call(ADMIN, "GET", "/api/v1/units", NULL, &r);
	ah_expect(&r, 200, "units");
	const cJSON *u;
	cJSON_ArrayForEach(u, r.json) {
		if (strcmp(ah_jstr(u, "code"), "dsj") == 0) {
			U_ROOT = ah_jint(u, "id");
			const cJSON *ch;
			cJSON_ArrayForEach(ch, cJSON_GetObjectItem(u, "children"))
				if (strcmp(ah_jstr(ch, "code"), "dsj-sj") == 0)
					U_SJ = ah_jint(ch, "id");
		}
	}
	ah_resp_free(&r);
	assert_true(U_ROOT > 0 && U_SJ > 0);
	char body[512];
	snprintf(body, sizeof(body), "{\"username\": \"head2\", \"display_name\": \"第二位主要领导\","
		 " \"password\": \"%s\", \"roles\": [{\"role\": \"approver\", \"unit_id\": %lld}]}",
		 PASSWORD, U_ROOT);
	expect(ADMIN, "POST", "/api/v1/users", body, 201, NULL);
	snprintf(body, sizeof(body), "{\"username\": \"approver-sj\", \"display_name\": \"数据资源科分管领导\","
		 " \"password\": \"%s\", \"roles\": [{\"role\": \"approver\", \"unit_id\": %lld}]}",
		 PASSWORD, U_SJ);
	expect(ADMIN, "POST", "/api/v1/users", body, 201, NULL);
	assert_int_equal(ah_login(&S, "head2", PASSWORD, NULL, &W[HEAD2], NULL), 200);
	assert_int_equal(ah_login(&S, "approver-sj", PASSWORD, NULL, &W[STEP1], NULL), 200);

	/* Two attendees of 数据资源科: the member login's person and another. */
	call(ADMIN, "GET", apath("/api/v1/people?per_page=50&unit_id=%lld", U_SJ), NULL, &r);
	ah_expect(&r, 200, "people");
	cJSON_ArrayForEach(u, cJSON_GetObjectItem(r.json, "items")) {
		long long id = ah_jint(u, "id");
		if (id == W[MEMBER].person_id) {
			P_MEMBER = id;
			snprintf(STAFF_MEMBER, sizeof(STAFF_MEMBER), "%s", ah_jstr(u, "staff_no"));
			snprintf(NAME_MEMBER, sizeof(NAME_MEMBER), "%s", ah_jstr(u, "name"));
		} else if (P_OTHER == 0 && id != W[REVIEWER].person_id) {
			P_OTHER = id;
			snprintf(STAFF_OTHER, sizeof(STAFF_OTHER), "%s", ah_jstr(u, "staff_no"));
			snprintf(NAME_OTHER, sizeof(NAME_OTHER), "%s", ah_jstr(u, "name"));
		}
	}
	ah_resp_free(&r);
	assert_true(P_MEMBER > 0 && P_OTHER > 0);
}

static void test_create(void **state)
{
	(void)state;
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"unit_id\": %lld, \"title\": \"大数据讲堂：数据要素市场化\", \"nature\": \"讲座\","
		 " \"host\": \"胡嘉勇（男，数据资源科科长）\", \"speakers\": \"李华（女，市大数据局处长）\","
		 " \"content\": \"数据要素市场化配置改革\", \"audience\": \"全局干部职工（约40人）\","
		 " \"place\": \"局三楼会议室\", \"date_from\": \"%d-03-12\", \"date_to\": \"%d-03-12\","
		 " \"item\": \"listen.training\", \"level\": \"bureau\", \"minutes\": 120, \"online\": false}",
		 U_SJ, S.year, S.year);
	/* Members and approvers do not apply (the route), a bad form is 400. */
	expect(MEMBER, "POST", "/api/v1/activities", body, 403, "forbidden");
	expect(APPROVER, "POST", "/api/v1/activities", body, 403, "forbidden");
	expect(REVIEWER, "POST", "/api/v1/activities",
	       "{\"unit_id\": 1, \"title\": \"\", \"date_from\": \"2026-13-01\"}", 400, "bad_request");
	expect(REVIEWER, "POST", "/api/v1/activities", "[1]", 400, "bad_request");
	ah_resp r;
	call(REVIEWER, "POST", "/api/v1/activities", body, &r);
	ah_expect(&r, 201, "create");
	ACT = ah_jint(r.json, "id");
	snprintf(KEY, sizeof(KEY), "%s", ah_jstr(r.json, "key"));
	assert_true(ACT > 0);
	assert_string_equal(ah_jstr(r.json, "status"), "draft");
	assert_string_equal(ah_jstr(r.json, "item_name"), "学习培训");
	assert_string_equal(ah_jstr(r.json, "level_name"), "局级");
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "act-%d-", S.year);
	assert_true(strncmp(KEY, prefix, strlen(prefix)) == 0);
	char loc[128], want[128];
	assert_true(ah_header(&r, "Location", loc, sizeof(loc)));
	snprintf(want, sizeof(want), "/api/v1/activities/%lld", ACT);
	assert_string_equal(loc, want);
	const cJSON *can = cJSON_GetObjectItem(r.json, "can");
	assert_int_equal(cJSON_GetArraySize(can), 3); /* edit, submit, withdraw */
	ah_resp_free(&r);
}

/* Every step by who may and may not take it, in order. */
static void test_transitions(void **state)
{
	(void)state;
	static const struct {
		int who;
		const char *method, *path, *body;
		long status;
		const char *code;   /* the error's, or NULL */
		const char *after;  /* the status now, when 200 */
	} steps[] = {
		{MEMBER, "GET", "/api/v1/activities/%lld", NULL, 404, "not_found", NULL},
		{MEMBER_KS, "GET", "/api/v1/activities/%lld", NULL, 404, "not_found", NULL},
		{AUDITOR, "GET", "/api/v1/activities/%lld", NULL, 404, "not_found", NULL},
		{APPROVER, "GET", "/api/v1/activities/%lld", NULL, 200, NULL, "draft"},
		{REVIEWER, "PUT", "/api/v1/activities/%lld", "{\"place\": \"局五楼报告厅\"}", 200, NULL, "draft"},
		{REVIEWER, "PUT", "/api/v1/activities/%lld", "{\"level\": \"provincial\"}", 400, "bad_request", NULL},
		{APPROVER, "POST", "/api/v1/activities/%lld/review", NULL, 409, "conflict", NULL},
		{STEP1, "POST", "/api/v1/activities/%lld/submit", NULL, 403, "forbidden", NULL},
		{REVIEWER, "POST", "/api/v1/activities/%lld/submit", NULL, 200, NULL, "submitted"},
		{REVIEWER, "POST", "/api/v1/activities/%lld/submit", NULL, 409, "conflict", NULL},
		{REVIEWER, "PUT", "/api/v1/activities/%lld", "{\"place\": \"x\"}", 409, "conflict", NULL},
		{REVIEWER, "POST", "/api/v1/activities/%lld/review", "{}", 403, "forbidden", NULL},
		{ADMIN, "POST", "/api/v1/activities/%lld/review", "{}", 403, "forbidden", NULL},
		{HEAD2, "POST", "/api/v1/activities/%lld/approve", "{}", 409, "conflict", NULL},
		{APPROVER, "POST", "/api/v1/activities/%lld/review", "{\"note\": \"同意举办\"}", 200, NULL, "reviewed"},
		{APPROVER, "POST", "/api/v1/activities/%lld/review", "{}", 409, "conflict", NULL},
		{APPROVER, "POST", "/api/v1/activities/%lld/approve", "{}", 403, "forbidden", NULL},
		{STEP1, "POST", "/api/v1/activities/%lld/approve", "{}", 403, "forbidden", NULL},
		{ADMIN, "POST", "/api/v1/activities/%lld/approve", "{}", 403, "forbidden", NULL},
		{HEAD2, "POST", "/api/v1/activities/%lld/reject", "{}", 400, "bad_request", NULL},
		{HEAD2, "POST", "/api/v1/activities/%lld/reject", "{\"reason\": 5}", 400, "bad_request", NULL},
		{HEAD2, "POST", "/api/v1/activities/%lld/approve", NULL, 200, NULL, "approved"},
		{HEAD2, "POST", "/api/v1/activities/%lld/reject", "{\"reason\": \"晚了\"}", 409, "conflict", NULL},
		{REVIEWER, "POST", "/api/v1/activities/%lld/withdraw", NULL, 409, "conflict", NULL},
		{MEMBER, "GET", "/api/v1/activities/%lld", NULL, 200, NULL, "approved"},
		{MEMBER_KS, "GET", "/api/v1/activities/%lld", NULL, 404, "not_found", NULL},
		{MEMBER, "GET", "/api/v1/activities/%lld/attendance", NULL, 403, "forbidden", NULL},
		{ADMIN, "POST", "/api/v1/activities/%lld/records", NULL, 409, "conflict", NULL},
		{ADMIN, "GET", "/api/v1/activities/999999", NULL, 404, "not_found", NULL},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ah_resp r;
		const char *path = apath(steps[i].path, ACT);
		call(steps[i].who, steps[i].method, path, steps[i].body, &r);
		char what[256];
		snprintf(what, sizeof(what), "step %zu: %s %s as %s", i, steps[i].method, path,
			 who_names[steps[i].who]);
		if (steps[i].code)
			ah_expect_error(&r, steps[i].status, steps[i].code, what);
		else
			ah_expect(&r, steps[i].status, what);
		if (steps[i].after)
			assert_string_equal(ah_jstr(r.json, "status"), steps[i].after);
		ah_resp_free(&r);
	}
	/* Who reviewed and who approved. */
	ah_resp r;
	call(ADMIN, "GET", apath("/api/v1/activities/%lld", ACT), NULL, &r);
	assert_int_equal(ah_jint(r.json, "reviewed_by.id"), W[APPROVER].user_id);
	assert_int_equal(ah_jint(r.json, "approved_by.id"), W[HEAD2].user_id);
	assert_string_equal(ah_jstr(r.json, "place"), "局五楼报告厅");
	ah_resp_free(&r);
	/* The member finds it in the list (so that a claim can point to it). */
	call(MEMBER, "GET", apath("/api/v1/activities?status=approved&year=%lld", S.year), NULL, &r);
	ah_expect(&r, 200, "member list");
	bool found = false;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "items"))
		found = found || ah_jint(it, "id") == ACT;
	assert_true(found);
	ah_resp_free(&r);
	expect(MEMBER, "GET", "/api/v1/activities?status=done", NULL, 400, "bad_request");
	expect(MEMBER, "GET", "/api/v1/activities?year=1999", NULL, 400, "bad_request");
}

static void test_attendance(void **state)
{
	(void)state;
	char csv[1024];
	/* Bad rows: an unknown staff number, a wrong name: 422, each named. */
	snprintf(csv, sizeof(csv), "工号,姓名,听课时长（分钟）\nNOPE999,某人,120\n%s,错名字,100\n%s,%s,130\n",
		 STAFF_MEMBER, STAFF_OTHER, NAME_OTHER);
	ah_resp r;
	upload(REVIEWER, ACT, csv, false, &r);
	ah_expect_error(&r, 422, "invalid", "bad attendance");
	const cJSON *details = ah_jget(r.json, "error.details");
	char all[4096] = "";
	const cJSON *d;
	cJSON_ArrayForEach(d, details) {
		strncat(all, d->valuestring, sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
	}
	assert_non_null(strstr(all, "第 2 行 A 列（工号）：未知人员：工号 NOPE999 不在名册中"));
	assert_non_null(strstr(all, "第 3 行 B 列（姓名）"));
	assert_non_null(strstr(all, "第 4 行 C 列（听课时长（分钟））：听课时长 130 分钟超过课时长度 120 分钟"));
	ah_resp_free(&r);
	call(ADMIN, "GET", apath("/api/v1/activities/%lld/attendance", ACT), NULL, &r);
	ah_expect(&r, 200, "attendance");
	assert_int_equal(ah_jint(r.json, "listed"), 0);
	ah_resp_free(&r);

	/* Only the applicant or an admin uploads; a dry run writes nothing. */
	snprintf(csv, sizeof(csv), "工号,姓名,听课时长（分钟）\n%s,%s,120\n%s,%s,100\n", STAFF_MEMBER,
		 NAME_MEMBER, STAFF_OTHER, NAME_OTHER);
	assert_int_equal(upload(APPROVER, ACT, csv, false, &r), 403); /* the route */
	ah_resp_free(&r);
	upload(REVIEWER, ACT, csv, true, &r);
	ah_expect(&r, 200, "dry run");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "dry_run")));
	assert_int_equal(ah_jint(r.json, "listed"), 2);
	ah_resp_free(&r);
	call(REVIEWER, "GET", apath("/api/v1/activities/%lld", ACT), NULL, &r);
	assert_int_equal(ah_jint(r.json, "attendance.listed"), 0);
	ah_resp_free(&r);
	upload(REVIEWER, ACT, csv, false, &r);
	ah_expect(&r, 200, "upload");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "dry_run")));
	assert_int_equal(ah_jint(r.json, "listed"), 2);
	ah_resp_free(&r);
	call(APPROVER, "GET", apath("/api/v1/activities/%lld/attendance", ACT), NULL, &r);
	ah_expect(&r, 200, "attendance as approver");
	assert_int_equal(ah_jint(r.json, "listed"), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
	ah_resp_free(&r);
}

static void test_records(void **state)
{
	(void)state;
	double c0;
	long long u0;
	training(P_OTHER, &c0, &u0);
	/* Reviewers do not give records (the route); the approver of the unit does. */
	expect(REVIEWER, "POST", apath("/api/v1/activities/%lld/records", ACT), NULL, 403, "forbidden");
	ah_resp r;
	call(STEP1, "POST", apath("/api/v1/activities/%lld/records", ACT), NULL, &r);
	ah_expect(&r, 200, "records");
	assert_int_equal(ah_jint(r.json, "given"), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "skipped")), 0);
	ah_resp_free(&r);
	expect(ADMIN, "POST", apath("/api/v1/activities/%lld/records", ACT), NULL, 409, "conflict");
	upload(REVIEWER, ACT, "工号,姓名\nA,B\n", false, &r);
	ah_expect_error(&r, 409, "conflict", "upload after the records");
	ah_resp_free(&r);

	/* One more session of 学习培训 at the bureau level (2 credits, unless
	 * the category's cap of 40 cuts it). */
	double c1;
	long long u1;
	training(P_OTHER, &c1, &u1);
	assert_int_equal(u1, u0 + 1);
	assert_true(c1 >= c0 && c1 <= c0 + 2.0 + 1e-9);
	if (c0 <= 38.0)
		assert_true(c1 == c0 + 2.0);

	/* The same activity comes in again by import: counted once. */
	char csv[512];
	snprintf(csv, sizeof(csv), "工号,姓名,项目,日期,级别,时长（分钟）,活动编号\n%s,%s,listen.training,%d-03-12,bureau,120,%s\n",
		 STAFF_OTHER, NAME_OTHER, S.year, KEY);
	ah_req rq = {.method = "POST", .path = "/api/v1/imports/records?name=dup.csv", .body = csv,
		     .body_len = -1, .content_type = "text/csv", .sess = &W[ADMIN]};
	ah_do(&S, &rq, &r);
	ah_expect(&r, 200, "import the same activity again");
	assert_int_equal(ah_jint(r.json, "records"), 1);
	ah_resp_free(&r);
	double c2;
	long long u2;
	training(P_OTHER, &c2, &u2);
	assert_int_equal(u2, u1);
	assert_true(c2 == c1);

	/* The attendee was told. */
	call(MEMBER, "GET", "/api/v1/me/notices", NULL, &r);
	ah_expect(&r, 200, "notices");
	char object[48];
	snprintf(object, sizeof(object), "activity:%lld", ACT);
	bool told = false;
	const cJSON *n;
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(r.json, "items"))
		told = told || (strcmp(ah_jstr(n, "kind"), "activity.record") == 0 &&
				strcmp(ah_jstr(n, "object"), object) == 0);
	assert_true(told);
	ah_resp_free(&r);

	/* The list shows the records given; the audit has every step. */
	call(ADMIN, "GET", apath("/api/v1/activities/%lld/attendance", ACT), NULL, &r);
	assert_int_equal(ah_jint(r.json, "given"), 2);
	ah_resp_free(&r);
	static const char *const actions[] = {
		"activity.create", "activity.update", "activity.submit", "activity.review",
		"activity.approve", "activity.attendance", "activity.records",
	};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/audit?action=%s", actions[i]);
		call(AUDITOR, "GET", path, NULL, &r);
		ah_expect(&r, 200, "audit");
		bool seen = false;
		const cJSON *a;
		cJSON_ArrayForEach(a, cJSON_GetObjectItem(r.json, "items"))
			seen = seen || strcmp(ah_jstr(a, "object"), object) == 0;
		if (!seen)
			fail_msg("no audit row %s for %s", actions[i], object);
		ah_resp_free(&r);
	}
}

static void test_server_stops_cleanly(void **state)
{
	(void)state;
	assert_int_equal(ah_server_stop(&S), 0);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-activities-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_attendance),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api activities (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc;
}
