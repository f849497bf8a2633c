/* The workflow end to end over real HTTP, as issue 5 defines "done": a
 * member submits a claim with evidence, a reviewer and an approver move it
 * to approved, the credits show up in the member's totals and in a 公示
 * whose end date is right on the official calendar, an objection is lodged
 * and resolved (upheld: the record corrected through an audited change, the
 * claim's history telling so),
 * the period is archived, and archived data refuses changes. Runs the
 * sanitizer server on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set.
 *
 * The server's clock is set to 30 September of the demo's year (a
 * Wednesday in 2026, the day before 国庆节): the window's 5 working days
 * are 9-30, 10-08, 10-09, 10-10 (a 调休 Saturday) and 10-12. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../support/backends.h"
#include "api_harness.h"

static int current_backend;

typedef struct ctx {
	ah_server srv;
	ah_sess admin, reviewer, approver, member;
	int year;
} ctx;

static ctx C;

/* Seconds since the epoch of YEAR-MM-DD at hh:00 UTC. */
static time_t utc(int year, int month, int day, int hour)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
			.tm_hour = hour};
	return timegm(&tm);
}

/* Moves the server's clock to at (backwards too: the offset may be < 0). */
static void clock_to(time_t at)
{
	ah_clock_set(&C.srv, (long long)at - (long long)time(NULL));
}

/* This process's own clock (the demo is made in it): the same file
 * mechanism as the server's, read by xf_clock_now on every call. */
static char own_clock[64];

/* Sets this process's clock to at; returns the offset, for the server to
 * take the very same (its clock must not lag behind the demo's). */
static long long own_clock_to(time_t at)
{
	char tmp[80];
	long long offset = (long long)at - (long long)time(NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", own_clock);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%lld\n", offset) < 0 || fclose(f) != 0 ||
	    rename(tmp, own_clock) != 0)
		fail_msg("cannot write %s", own_clock);
	return offset;
}

static int group_setup(void **state)
{
	memset(&C, 0, sizeof(C));
	ah_chdir_root();
	/* The demo as made on 30 September (its accounts, records and claims
	 * dated up to then), and the server's clock on that day. */
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	C.year = tm.tm_year + 1900;
	long long offset = own_clock_to(utc(C.year, 9, 30, 4));
	ah_demo_db(backends[current_backend].url, &C.srv.demo, &C.srv.year);
	assert_int_equal(C.srv.year, C.year);
	ah_server_start(&C.srv, backends[current_backend].url, NULL);
	ah_clock_set(&C.srv, offset);
	ah_login_role(&C.srv, "admin", 0, &C.admin);
	ah_login_role(&C.srv, "reviewer", 0, &C.reviewer);
	ah_login_role(&C.srv, "approver", 0, &C.approver);
	/* The demo member short of the requirement: room left under the caps. */
	ah_login_role(&C.srv, "member", 1, &C.member);
	return 0;
}

static int group_teardown(void **state)
{
	assert_int_equal(ah_server_stop(&C.srv), 0);
	return 0;
}

/* POST/PUT with a JSON body built from a format. */
static void call_json(const ah_sess *who, const char *method, const char *path, ah_resp *r,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void call_json(const ah_sess *who, const char *method, const char *path, ah_resp *r,
		      const char *fmt, ...)
{
	char body[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(body));
	ah_call(&C.srv, who, method, path, body, r);
}

static double me_total(void)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/me/credits?year=%d&explain=0", C.year);
	ah_resp r;
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /me/credits");
	const cJSON *t = ah_jget(r.json, "total");
	assert_true(cJSON_IsNumber(t));
	double v = t->valuedouble;
	ah_resp_free(&r);
	return v;
}

/* The member's line of publication pub. */
static double line_total(long long pub, const char *which)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/publications/%lld?per_page=200", pub);
	ah_resp r;
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /publications/{id} as the member");
	/* 公示 lists never show ID numbers or phones. */
	assert_null(strstr(r.body, "id_card"));
	assert_null(strstr(r.body, "phone"));
	const cJSON *it;
	double v = -1;
	cJSON_ArrayForEach(it, ah_jget(r.json, "lines.items"))
		if (ah_jint(it, "person_id") == C.member.person_id)
			v = cJSON_GetObjectItemCaseSensitive(it, which)->valuedouble;
	ah_resp_free(&r);
	assert_true(v >= 0);
	return v;
}

/* Creates, evidences and submits a briefing claim dated date (the submit
 * answering want: 200, or 409 archived); its id. */
static long long submitted_claim(const char *date, long want)
{
	ah_resp r;
	call_json(&C.member, "POST", "/api/v1/claims", &r,
		  "{\"item\": \"write.briefing\", \"fields\": {\"date\": \"%s\", \"level\": \"city\","
		  " \"count\": 1}, \"details\": {\"content\": \"数据要素市场化配置改革信息被市级简报采用\","
		  " \"host\": \"市大数据发展局\", \"mode\": \"信息报送\"}}",
		  date);
	ah_expect(&r, 201, "POST /claims");
	long long id = ah_jint(r.json, "id");
	assert_string_equal(ah_jstr(r.json, "status"), "draft");
	ah_resp_free(&r);

	static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/evidence?name=%%E9%%87%%87%%E7%%94%%A8.pdf",
		 id); /* 采用.pdf */
	ah_req rq = {.method = "POST", .path = path, .body = pdf, .body_len = sizeof(pdf) - 1,
		     .content_type = "application/pdf", .sess = &C.member};
	ah_do(&C.srv, &rq, &r);
	ah_expect(&r, 201, "POST /claims/{id}/evidence");
	ah_resp_free(&r);

	snprintf(path, sizeof(path), "/api/v1/claims/%lld/submit", id);
	ah_call(&C.srv, &C.member, "POST", path, NULL, &r);
	if (want == 200) {
		ah_expect(&r, 200, "POST /claims/{id}/submit");
		assert_string_equal(ah_jstr(r.json, "status"), "submitted");
	} else {
		ah_expect_error(&r, want, "archived", "POST /claims/{id}/submit");
	}
	ah_resp_free(&r);
	return id;
}

static void step(const ah_sess *who, long long id, const char *action, long want,
		 const char *code)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/%s", id, action);
	ah_resp r;
	ah_call(&C.srv, who, "POST", path, "{}", &r);
	if (code)
		ah_expect_error(&r, want, code, path);
	else
		ah_expect(&r, want, path);
	ah_resp_free(&r);
}

static void test_claim_to_archive(void **state)
{
	char path[200];
	ah_resp r;
	double before = me_total();

	/* The claim, with its evidence, through both steps. */
	char date[16];
	snprintf(date, sizeof(date), "%d-08-15", C.year);
	long long claim = submitted_claim(date, 200);
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/preview", claim);
	ah_call(&C.srv, &C.reviewer, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /claims/{id}/preview as the reviewer");
	double adds = cJSON_GetObjectItemCaseSensitive(r.json, "adds")->valuedouble;
	assert_true(adds > 0);
	ah_resp_free(&r);
	step(&C.approver, claim, "approve", 409, "conflict"); /* not reviewed yet */
	step(&C.reviewer, claim, "review", 200, NULL);
	step(&C.reviewer, claim, "approve", 403, "forbidden"); /* not an approver */
	step(&C.approver, claim, "approve", 200, NULL);
	step(&C.approver, claim, "approve", 409, "conflict"); /* once only */
	assert_true(me_total() == before + adds);

	snprintf(path, sizeof(path), "/api/v1/claims/%lld", claim);
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /claims/{id}");
	assert_string_equal(ah_jstr(r.json, "status"), "approved");
	long long record = ah_jint(r.json, "record_id");
	assert_true(record > 0);
	ah_resp_free(&r);

	/* The 公示 of the third quarter for the member's unit. */
	ah_call(&C.srv, &C.admin, "GET", "/api/v1/me", NULL, &r);
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/people/%lld", C.member.person_id);
	ah_call(&C.srv, &C.admin, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /people/{member}");
	long long unit = ah_jint(r.json, "unit.id");
	ah_resp_free(&r);
	call_json(&C.admin, "POST", "/api/v1/publications", &r,
		  "{\"unit_id\": %lld, \"year\": %d, \"quarter\": 3}", unit, C.year);
	ah_expect(&r, 201, "POST /publications");
	long long pub = ah_jint(r.json, "id");
	char published[16];
	snprintf(published, sizeof(published), "%d-09-30", C.year);
	assert_string_equal(ah_jstr(r.json, "window_start"), published);
	if (C.year == 2026) /* the official 2026 calendar: 国庆节 and its 调休 Saturday */
		assert_string_equal(ah_jstr(r.json, "window_end"), "2026-10-12");
	char window_end[16];
	snprintf(window_end, sizeof(window_end), "%s", ah_jstr(r.json, "window_end"));
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld", pub);
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /publications/{id}");
	if (C.year == 2026) /* 9-30, 10-08, 10-09, 10-10 (调休), 10-12 */
		assert_int_equal(ah_jint(r.json, "workdays_left"), 5);
	ah_resp_free(&r);
	assert_true(line_total(pub, "period_total") >= adds);
	double year_before = line_total(pub, "year_total");

	/* The member objects to their own line; it blocks the archive. */
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/objections", pub);
	call_json(&C.member, "POST", path, &r,
		  "{\"person_id\": %lld, \"text\": \"该简报被国家级刊物采用，级别应为国家级\"}",
		  C.member.person_id);
	ah_expect(&r, 201, "POST /publications/{id}/objections");
	long long objection = ah_jint(r.json, "id");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/archive", pub);
	ah_call(&C.srv, &C.admin, "POST", path, NULL, &r);
	ah_expect_error(&r, 409, "window_open", "archive in the window");
	ah_resp_free(&r);

	/* Upheld: the record corrected (city 10 → national 20), the line recomputed. */
	snprintf(path, sizeof(path), "/api/v1/objections/%lld/resolve", objection);
	call_json(&C.admin, "POST", path, &r,
		  "{\"decision\": \"upheld\", \"reason\": \"经核实为国家级刊物采用\", \"correction\":"
		  " {\"action\": \"update\", \"record_id\": %lld, \"fields\": {\"level\": \"national\"}}}",
		  record);
	ah_expect(&r, 200, "POST /objections/{id}/resolve");
	assert_string_equal(ah_jstr(r.json, "status"), "upheld");
	ah_resp_free(&r);
	assert_true(line_total(pub, "year_total") > year_before);
	/* The claim's history says its record was corrected, and by whom. */
	snprintf(path, sizeof(path), "/api/v1/claims/%lld", claim);
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /claims/{id} after the correction");
	const cJSON *events = ah_jget(r.json, "events");
	const cJSON *last = cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1);
	assert_string_equal(ah_jstr(r.json, "status"), "approved");
	assert_non_null(strstr(ah_jstr(last, "note"), "经公示异议更正：记录 #"));
	assert_string_equal(ah_jstr(last, "to"), "approved");
	assert_string_equal(ah_jstr(last, "user.username"), "admin");
	ah_resp_free(&r);

	/* A second claim of the quarter, reviewed but not yet approved. */
	snprintf(date, sizeof(date), "%d-08-20", C.year);
	long long late = submitted_claim(date, 200);
	step(&C.reviewer, late, "review", 200, NULL);

	/* After the window (the day after its end, by the server's clock): archived. */
	int y, m, d;
	assert_int_equal(sscanf(window_end, "%d-%d-%d", &y, &m, &d), 3);
	clock_to(utc(y, m, d + 1, 4));
	/* Days later: everyone signs in again. */
	ah_login_role(&C.srv, "admin", 0, &C.admin);
	ah_login_role(&C.srv, "reviewer", 0, &C.reviewer);
	ah_login_role(&C.srv, "approver", 0, &C.approver);
	ah_login_role(&C.srv, "member", 1, &C.member);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/objections", pub);
	call_json(&C.member, "POST", path, &r, "{\"person_id\": %lld, \"text\": \"迟到的异议\"}",
		  C.member.person_id);
	ah_expect_error(&r, 409, "window_closed", "an objection after the window");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/archive", pub);
	ah_call(&C.srv, &C.admin, "POST", path, NULL, &r);
	ah_expect(&r, 200, "archive after the window");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld", pub);
	ah_call(&C.srv, &C.member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /publications/{id}");
	assert_string_equal(ah_jstr(r.json, "status"), "archived");
	assert_true(cJSON_IsNull(ah_jget(r.json, "workdays_left")));
	ah_resp_free(&r);

	/* Archived data refuses changes: the claim reviewed before the archive is
	 * not approved after it, and a new one for the quarter is not submitted. */
	double total = me_total();
	step(&C.approver, late, "approve", 409, "archived");
	assert_true(me_total() == total);
	snprintf(date, sizeof(date), "%d-08-21", C.year);
	long long later = submitted_claim(date, 409);
	assert_true(later > 0);

	/* Every step is in the audit log. */
	ah_sess auditor;
	ah_login_role(&C.srv, "auditor", 0, &auditor);
	static const char *const actions[] = {"claim.submit", "claim.review", "claim.approve",
					      "publication.publish", "objection.lodge",
					      "objection.resolve", "record.update", "publication.archive"};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/audit?action=%s&per_page=1", actions[i]);
		ah_call(&C.srv, &auditor, "GET", path, NULL, &r);
		ah_expect(&r, 200, path);
		if (ah_jint(r.json, "total") < 1)
			fail_msg("no audit row %s", actions[i]);
		ah_resp_free(&r);
	}
	/* Dated by the server's clock (moved here to the day after the
	 * window), not the database's. */
	char day[16];
	time_t moved = utc(y, m, d + 1, 4);
	struct tm tm;
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime_r(&moved, &tm));
	ah_call(&C.srv, &auditor, "GET", "/api/v1/audit?action=publication.archive&per_page=1",
		NULL, &r);
	const cJSON *row = cJSON_GetArrayItem(ah_jget(r.json, "items"), 0);
	assert_non_null(row);
	if (strncmp(ah_jstr(row, "at"), day, 10) != 0)
		fail_msg("publication.archive at %s, the server's day is %s", ah_jstr(row, "at"), day);
	ah_resp_free(&r);
}

/* The import's check (dry_run=1): every bad row named, the counts of a
 * good file, and nothing written either way. */
static void test_import_check(void **state)
{
	static const char good[] = "姓名,工号,单位,单位编码,角色,入职日期\n"
				   "检查甲,CK001,综合科,dsj-zh,staff,2021-03-01\n";
	static const char bad[] = "姓名,工号,单位,单位编码,角色,入职日期\n"
				  "检查乙,CK002,综合科,dsj-zh,staff,2021-13-45\n";
	ah_resp r;
	ah_req rq = {.method = "POST", .path = "/api/v1/imports/roster?name=roster.csv&dry_run=1",
		     .body = bad, .body_len = -1, .content_type = "text/csv", .sess = &C.admin};
	ah_do(&C.srv, &rq, &r);
	ah_expect_error(&r, 422, "invalid", "a roster with a bad date, checked");
	assert_non_null(strstr(r.body, "第 2 行"));
	ah_resp_free(&r);
	rq.body = good;
	ah_do(&C.srv, &rq, &r);
	ah_expect(&r, 200, "a good roster, checked");
	assert_true(cJSON_IsTrue(ah_jget(r.json, "dry_run")));
	assert_int_equal(ah_jint(r.json, "people"), 1);
	ah_resp_free(&r);
	ah_call(&C.srv, &C.admin, "GET", "/api/v1/people?q=CK001", NULL, &r);
	ah_expect(&r, 200, "GET /people?q=CK001");
	assert_int_equal(ah_jint(r.json, "total"), 0);
	ah_resp_free(&r);
	/* Then imported for real: the same file is not "imported before". */
	rq.path = "/api/v1/imports/roster?name=roster.csv";
	ah_do(&C.srv, &rq, &r);
	ah_expect(&r, 200, "a good roster, imported");
	assert_false(cJSON_IsTrue(ah_jget(r.json, "already_imported")));
	ah_resp_free(&r);
	ah_call(&C.srv, &C.admin, "GET", "/api/v1/people?q=CK001", NULL, &r);
	assert_int_equal(ah_jint(r.json, "total"), 1);
	ah_resp_free(&r);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	snprintf(own_clock, sizeof(own_clock), "/tmp/xuefen-wf-clock-%ld", (long)getpid());
	own_clock_to(time(NULL));
	setenv("XUEFEN_TEST_CLOCK_FILE", own_clock, 1);
	if (backends_setup("/tmp/xuefen-api-workflow-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_to_archive),
		cmocka_unit_test(test_import_check),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api workflow (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	unlink(own_clock);
	return rc ? 1 : 0;
}
