/* The 公示 routes over real HTTP (docs/api.md), on the demo
 * bureau of the current year Y: the shipped calendars listed; publishing
 * the fourth quarter on Y-12-28 refused (422) because the window runs
 * into Y+1, which has no calendar, until the admin loads Y+1's file with
 * PUT /calendars/{year} (a bad file: 422 with every line named); the
 * publication, its lines (searched by name) and the members' notices;
 * objections lodged by a listed member and by the reviewer of the line's
 * 科室, refused for the reviewer of another 科室 (403) and for a member of
 * another organisation (404), and after the window (409 window_closed);
 * the lists (admin all, others their own); an upheld correction that
 * adds a record and recomputes the line (the line's year_total equals
 * the credit view's total, before and after); archive refused while the
 * window is open (409 window_open) and while an objection is open (409
 * objections_open with the count); the 干部培训登记库 download (audited)
 * and the 季度通报 (JSON and XLSX); a change to an archived period through
 * a later publication's objection refused (409 archived). The server's
 * clock is moved with the test clock file; sessions are signed in again
 * after each move. Runs the sanitizer server on SQLite, and on PostgreSQL
 * when XUEFEN_TEST_PG is set; the tests of a backend share one server and
 * run in order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "io/xlsx.h"
#include "../support/backends.h"
#include "api_harness.h"

static ah_server S;
static int current_backend;

/* STAFF_SJ: a reviewer of 数据资源科 made by the test, with no person (the
 * demo's reviewer is also a listed member, who may object to any line). */
enum { ADMIN, MEMBER, MEMBER_KS, REVIEWER, AUDITOR, STAFF_SJ, NWHO };
static const char *const who_names[NWHO] = {"admin", "member", "member-ks", "reviewer",
					    "auditor", "staff-sj"};
#define STAFF_PASSWORD "Staff-Sj-2026!"
static ah_sess W[NWHO];
static long long U_BUREAU, U_SJ, PUB, PUB2, OB_MEMBER, OB_REVIEWER, ADDED_RECORD;
static long long P_GENERAL;      /* a person of 综合科, listed */
static char WINDOW_END[16];

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

static void login_all(void)
{
	ah_login_role(&S, "admin", 0, &W[ADMIN]);
	ah_login_role(&S, "member", 0, &W[MEMBER]);
	ah_login_role(&S, "member", 2, &W[MEMBER_KS]);
	ah_login_role(&S, "reviewer", 0, &W[REVIEWER]);
	ah_login_role(&S, "auditor", 0, &W[AUDITOR]);
	if (U_SJ > 0 && ah_login(&S, "staff-sj", STAFF_PASSWORD, NULL, &W[STAFF_SJ], NULL) != 200)
		fail_msg("login as staff-sj failed");
}

/* Puts the server's clock at local time y-m-d h:00 and signs in again. */
static void clock_at(int y, int m, int d, int h)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	ah_clock_set(&S, (long long)t - (long long)time(NULL));
	login_all();
}

/* The parts of "YYYY-MM-DD". */
static void ymd(const char *date, int *y, int *m, int *d)
{
	char *end;
	*y = (int)strtol(date, &end, 10);
	assert_true(*end == '-');
	*m = (int)strtol(end + 1, &end, 10);
	assert_true(*end == '-');
	*d = (int)strtol(end + 1, &end, 10);
	assert_true(*end == '\0');
}

/* "YYYY-MM-DD" plus days at hour h. */
static void clock_on(const char *date, int days, int h)
{
	int y, m, d;
	ymd(date, &y, &m, &d);
	clock_at(y, m, d + days, h); /* mktime normalises the 32nd */
}

static long call(int who, const char *method, const char *path, const char *body, ah_resp *r)
{
	return ah_call(&S, who >= 0 ? &W[who] : NULL, method, path, body, r);
}

static void expect(int who, const char *method, const char *path, const char *body, long want,
		   const char *code, ah_resp *out)
{
	ah_resp r;
	call(who, method, path, body, &r);
	char what[512];
	snprintf(what, sizeof(what), "%s %s as %s", method, path, who >= 0 ? who_names[who] : "-");
	if (code)
		ah_expect_error(&r, want, code, what);
	else
		ah_expect(&r, want, what);
	if (out)
		*out = r;
	else
		ah_resp_free(&r);
}

static const cJSON *find_unit(const cJSON *nodes, const char *code)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, nodes)
	{
		if (strcmp(ah_jstr(n, "code"), code) == 0)
			return n;
		const cJSON *c = find_unit(cJSON_GetObjectItem(n, "children"), code);
		if (c)
			return c;
	}
	return NULL;
}

/* A line of PUB by person id (lines searched by name), in *out. */
static double line_total(long long pub, long long person, const char *name)
{
	char path[256];
	char *esc = curl_easy_escape(S.curl, name, 0);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld?q=%s&per_page=200", pub, esc);
	curl_free(esc);
	ah_resp r;
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	const cJSON *it;
	double total = -1;
	cJSON_ArrayForEach(it, ah_jget(r.json, "lines.items"))
	{
		if (ah_jint(it, "person_id") == person)
			total = cJSON_GetObjectItem(it, "year_total")->valuedouble;
	}
	ah_resp_free(&r);
	if (total < 0)
		fail_msg("person %lld (%s) is not a line of publication %lld", person, name, pub);
	return total;
}

/* The credit view's year total of a person. */
static double credits_total(long long person)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/people/%lld/credits?year=%d", person, S.year);
	ah_resp r;
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	double t = cJSON_GetObjectItem(r.json, "total")->valuedouble;
	ah_resp_free(&r);
	return t;
}

static void person_name(long long id, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/people/%lld", id);
	ah_resp r;
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	snprintf(out, size, "%s", ah_jstr(r.json, "name"));
	ah_resp_free(&r);
	assert_true(out[0] != '\0');
}

/* ---- the tests ---- */

static void test_calendars(void **state)
{
	(void)state;
	login_all();
	ah_resp r;
	expect(MEMBER, "GET", "/api/v1/calendars", NULL, 200, NULL, &r);
	const cJSON *years = cJSON_GetObjectItem(r.json, "years");
	assert_true(cJSON_GetArraySize(years) >= 2);
	assert_int_equal(ah_jint(cJSON_GetArrayItem(years, 0), "year"), 2025);
	assert_string_equal(ah_jstr(cJSON_GetArrayItem(years, 0), "source"), "shipped");
	ah_resp_free(&r);

	/* the units */
	expect(ADMIN, "GET", "/api/v1/units", NULL, 200, NULL, &r);
	const cJSON *bureau = find_unit(r.json, "dsj");
	assert_non_null(bureau);
	U_BUREAU = ah_jint(bureau, "id");
	U_SJ = ah_jint(find_unit(r.json, "dsj-sj"), "id");
	assert_true(U_SJ > 0);
	ah_resp_free(&r);
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"username\": \"staff-sj\", \"password\": \"" STAFF_PASSWORD "\","
		 " \"roles\": [{\"role\": \"reviewer\", \"unit_id\": %lld}]}", U_SJ);
	expect(ADMIN, "POST", "/api/v1/users", body, 201, NULL, NULL);
	login_all();
}

static void test_publish_needs_calendar(void **state)
{
	(void)state;
	int y = S.year;
	clock_at(y, 12, 28, 9);
	char body[256], path[64];
	snprintf(body, sizeof(body), "{\"unit_id\": %lld, \"year\": %d, \"quarter\": 4}", U_BUREAU, y);
	ah_resp r;
	expect(ADMIN, "POST", "/api/v1/publications", body, 422, "invalid", &r);
	char want[32];
	snprintf(want, sizeof(want), "%d 年", y + 1);
	assert_non_null(strstr(r.body, want));
	ah_resp_free(&r);
	expect(MEMBER, "POST", "/api/v1/publications", body, 403, "forbidden", NULL);
	expect(ADMIN, "POST", "/api/v1/publications", "{\"unit_id\": 1}", 400, "bad_request", NULL);

	/* a bad file: every bad line named, nothing loaded */
	char file[512];
	snprintf(file, sizeof(file), "%d-01-01 holiday 元旦\n%d-02-30 holiday 春节\n%d-01-02 off 假\n",
		 y + 1, y + 1, y + 1);
	snprintf(path, sizeof(path), "/api/v1/calendars/%d", y + 1);
	ah_req rq = {.method = "PUT", .path = path, .body = file, .body_len = -1,
		     .content_type = "text/plain", .sess = &W[ADMIN]};
	ah_do(&S, &rq, &r);
	ah_expect_error(&r, 422, "invalid", "PUT a bad calendar");
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "error.details")), 2);
	ah_resp_free(&r);
	rq.sess = &W[MEMBER];
	ah_do(&S, &rq, &r);
	ah_expect_error(&r, 403, "forbidden", "PUT a calendar as a member");
	ah_resp_free(&r);

	/* the next year's file (元旦 only: made up for the test) */
	snprintf(file, sizeof(file), "# %d\n%d-01-01 holiday 元旦\n", y + 1, y + 1);
	rq.body = file;
	rq.sess = &W[ADMIN];
	ah_do(&S, &rq, &r);
	ah_expect(&r, 200, "PUT the next year's calendar");
	const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "years"),
					       cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "years")) - 1);
	assert_int_equal(ah_jint(last, "year"), y + 1);
	assert_string_equal(ah_jstr(last, "source"), "loaded");
	assert_string_equal(ah_jstr(last, "loaded_by"), W[ADMIN].username);
	ah_resp_free(&r);

	expect(ADMIN, "POST", "/api/v1/publications", body, 201, NULL, &r);
	PUB = ah_jint(r.json, "id");
	assert_true(PUB > 0);
	assert_string_equal(ah_jstr(r.json, "status"), "published");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "window_open")));
	char ws[16];
	snprintf(ws, sizeof(ws), "%d-12-28", y);
	assert_string_equal(ah_jstr(r.json, "window_start"), ws);
	snprintf(WINDOW_END, sizeof(WINDOW_END), "%s", ah_jstr(r.json, "window_end"));
	if (y == 2026) /* 12-28..31, 2027-01-01 off, Mon 01-04 */
		assert_string_equal(WINDOW_END, "2027-01-04");
	assert_true(ah_jint(r.json, "people") >= 30);
	assert_int_equal(ah_jint(r.json, "lines.total"), ah_jint(r.json, "people"));
	long long people = ah_jint(r.json, "people");
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "lines.items")), people < 50 ? people : 50);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "categories")), 3);
	const cJSON *it;
	cJSON_ArrayForEach(it, ah_jget(r.json, "lines.items"))
	{
		if (strcmp(ah_jstr(it, "unit"), "综合科") == 0 && P_GENERAL == 0)
			P_GENERAL = ah_jint(it, "person_id");
		assert_null(cJSON_GetObjectItem(it, "id_card"));
		assert_null(cJSON_GetObjectItem(it, "phone"));
	}
	assert_true(P_GENERAL > 0);
	ah_resp_free(&r);
	/* twice: a conflict */
	expect(ADMIN, "POST", "/api/v1/publications", body, 409, "conflict", NULL);
}

static void test_seen_by(void **state)
{
	(void)state;
	ah_resp r;
	expect(MEMBER, "GET", "/api/v1/publications", NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "total"), 1);
	assert_int_equal(ah_jint(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0), "id"),
			 PUB);
	ah_resp_free(&r);
	expect(MEMBER_KS, "GET", "/api/v1/publications", NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "total"), 0);
	ah_resp_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/publications/%lld", PUB);
	expect(MEMBER_KS, "GET", path, NULL, 404, "not_found", NULL);
	expect(REVIEWER, "GET", path, NULL, 200, NULL, NULL);

	/* the member's own line by name */
	char name[64];
	person_name(W[MEMBER].person_id, name, sizeof(name));
	double t = line_total(PUB, W[MEMBER].person_id, name);
	assert_true(fabs(t - credits_total(W[MEMBER].person_id)) < 0.005);
	/* the notice */
	expect(MEMBER, "GET", "/api/v1/me/notices", NULL, 200, NULL, &r);
	assert_non_null(strstr(r.body, "publication.opened"));
	ah_resp_free(&r);
}

static void test_objections(void **state)
{
	(void)state;
	char path[128], body[256];
	ah_resp r;
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/objections", PUB);
	snprintf(body, sizeof(body), "{\"person_id\": %lld, \"text\": \"十二月的读书记录漏登\"}",
		 W[MEMBER].person_id);
	expect(MEMBER, "POST", path, body, 201, NULL, &r);
	OB_MEMBER = ah_jint(r.json, "id");
	assert_string_equal(ah_jstr(r.json, "status"), "open");
	assert_string_equal(ah_jstr(r.json, "lodged_by.username"), W[MEMBER].username);
	ah_resp_free(&r);
	expect(STAFF_SJ, "POST", path, body, 201, NULL, &r); /* a line of 数据资源科 */
	OB_REVIEWER = ah_jint(r.json, "id");
	ah_resp_free(&r);
	snprintf(body, sizeof(body), "{\"person_id\": %lld, \"text\": \"综合科\"}", P_GENERAL);
	expect(STAFF_SJ, "POST", path, body, 403, "forbidden", NULL);
	expect(MEMBER_KS, "POST", path, body, 404, "not_found", NULL);
	expect(MEMBER, "POST", path, "{\"person_id\": 999999, \"text\": \"x\"}", 422, "invalid", NULL);
	expect(MEMBER, "POST", path, "{\"text\": \"x\"}", 400, "bad_request", NULL);

	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
	ah_resp_free(&r);
	expect(MEMBER, "GET", path, NULL, 200, NULL, &r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
	assert_int_equal(ah_jint(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0), "id"),
			 OB_MEMBER);
	ah_resp_free(&r);
	expect(MEMBER_KS, "GET", path, NULL, 404, "not_found", NULL);

	/* archive while the window is open */
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/archive", PUB);
	expect(ADMIN, "POST", path, NULL, 409, "window_open", NULL);
	expect(MEMBER, "POST", path, NULL, 403, "forbidden", NULL);
}

static void test_resolve(void **state)
{
	(void)state;
	char path[128], body[512], name[64];
	ah_resp r;
	person_name(W[MEMBER].person_id, name, sizeof(name));
	long long pid = W[MEMBER].person_id;
	double before = line_total(PUB, pid, name);
	assert_true(fabs(before - credits_total(pid)) < 0.005);

	snprintf(path, sizeof(path), "/api/v1/objections/%lld/resolve", OB_MEMBER);
	expect(ADMIN, "POST", path, "{\"decision\": \"upheld\", \"reason\": \"核实\"}", 422, "invalid",
	       NULL);
	expect(MEMBER, "POST", path, "{\"decision\": \"dismissed\", \"reason\": \"x\"}", 403,
	       "forbidden", NULL);
	snprintf(body, sizeof(body),
		 "{\"decision\": \"upheld\", \"reason\": \"经核实漏登一本书\", \"correction\":"
		 " {\"action\": \"add\", \"fields\": {\"item\": \"read.book\", \"date\": \"%d-12-01\","
		 " \"count\": 1}}}",
		 S.year);
	expect(ADMIN, "POST", path, body, 200, NULL, &r);
	assert_string_equal(ah_jstr(r.json, "status"), "upheld");
	assert_string_equal(ah_jstr(r.json, "correction.action"), "add");
	ADDED_RECORD = ah_jint(r.json, "correction.record_id");
	assert_true(ADDED_RECORD > 0);
	ah_resp_free(&r);
	expect(ADMIN, "POST", path, body, 409, "conflict", NULL);
	double after = line_total(PUB, pid, name);
	double view = credits_total(pid);
	if (fabs(after - view) > 0.005)
		fail_msg("the line says %.2f, the credit view %.2f", after, view);
	/* the notice to the objector */
	expect(MEMBER, "GET", "/api/v1/me/notices", NULL, 200, NULL, &r);
	assert_non_null(strstr(r.body, "objection.resolved"));
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/objections/%lld/resolve", 999999LL);
	expect(ADMIN, "POST", path, "{\"decision\": \"dismissed\", \"reason\": \"x\"}", 404,
	       "not_found", NULL);
}

static void test_window_and_archive(void **state)
{
	(void)state;
	char path[128], body[256];
	ah_resp r;
	/* the last day: still open */
	clock_on(WINDOW_END, 0, 20);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/objections", PUB);
	snprintf(body, sizeof(body), "{\"person_id\": %lld, \"text\": \"最后一天\"}",
		 W[MEMBER].person_id);
	expect(MEMBER, "POST", path, body, 201, NULL, &r);
	long long late = ah_jint(r.json, "id");
	ah_resp_free(&r);
	clock_on(WINDOW_END, 1, 8);
	expect(MEMBER, "POST", path, body, 409, "window_closed", NULL);

	snprintf(path, sizeof(path), "/api/v1/publications/%lld/archive", PUB);
	expect(ADMIN, "POST", path, NULL, 409, "objections_open", &r);
	assert_int_equal(ah_jint(r.json, "error.count"), 2);
	ah_resp_free(&r);
	long long open[2] = {OB_REVIEWER, late};
	for (int i = 0; i < 2; i++) {
		char rp[128];
		snprintf(rp, sizeof(rp), "/api/v1/objections/%lld/resolve", open[i]);
		expect(ADMIN, "POST", rp, "{\"decision\": \"dismissed\", \"reason\": \"记录无误\"}", 200,
		       NULL, NULL);
	}
	expect(ADMIN, "POST", path, NULL, 200, NULL, &r);
	assert_string_equal(ah_jstr(r.json, "status"), "archived");
	assert_string_equal(ah_jstr(r.json, "archived_by"), W[ADMIN].username);
	ah_resp_free(&r);
	expect(ADMIN, "POST", path, NULL, 409, "conflict", NULL);
}

typedef struct names {
	char v[8][64];
	int n;
} names;

static int keep_name(void *ctx, int index, const char *name)
{
	names *n = ctx;
	(void)index;
	if (n->n < 8)
		snprintf(n->v[n->n++], sizeof(n->v[0]), "%s", name);
	return 0;
}

static int count_row(void *ctx, uint32_t row, const char *const *cells, size_t n)
{
	(void)row;
	(void)cells;
	(void)n;
	(*(int *)ctx)++;
	return 0;
}

static void test_downloads(void **state)
{
	(void)state;
	char path[128];
	ah_resp r;
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/export", PUB);
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	char ct[128] = "", cd[256] = "";
	ah_header(&r, "Content-Type", ct, sizeof(ct));
	ah_header(&r, "Content-Disposition", cd, sizeof(cd));
	assert_non_null(strstr(ct, "spreadsheetml"));
	assert_non_null(strstr(cd, "filename*=UTF-8''"));
	xf_errs errs;
	xf_errs_init(&errs);
	names ns = {0};
	assert_int_equal(xf_xlsx_sheets(r.body, r.len, "registry", keep_name, &ns, &errs), 3);
	assert_string_equal(ns.v[0], "登记库");
	assert_string_equal(ns.v[1], "汇总");
	assert_string_equal(ns.v[2], "说明");
	int reg = 0, sum = 0;
	assert_int_equal(xf_xlsx_read(r.body, r.len, "registry", 0, count_row, &reg, &errs), 0);
	assert_int_equal(xf_xlsx_read(r.body, r.len, "registry", 1, count_row, &sum, &errs), 0);
	assert_true(reg > 1);
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld", PUB);
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	assert_int_equal(sum, ah_jint(r.json, "people") + 1);
	ah_resp_free(&r);
	expect(MEMBER, "GET", "/api/v1/publications/1/export", NULL, 403, "forbidden", NULL);
	expect(ADMIN, "GET", "/api/v1/publications/999999/export", NULL, 404, "not_found", NULL);
	expect(AUDITOR, "GET", "/api/v1/audit?action=publication.export", NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "total"), 1);
	ah_resp_free(&r);

	/* 季度通报 */
	snprintf(path, sizeof(path), "/api/v1/exports/quarterly?unit_id=%lld&year=%d&quarter=3&format=json",
		 U_BUREAU, S.year);
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "quarter"), 3);
	assert_true(ah_jint(r.json, "people") >= 30);
	const cJSON *u, *p;
	int listed = 0;
	cJSON_ArrayForEach(u, cJSON_GetObjectItem(r.json, "units"))
	{
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(u, "people"))
		{
			double req = cJSON_GetObjectItem(p, "required")->valuedouble;
			double exp = cJSON_GetObjectItem(p, "expected")->valuedouble;
			double got = cJSON_GetObjectItem(p, "credits")->valuedouble;
			double gap = cJSON_GetObjectItem(p, "gap")->valuedouble;
			assert_true(fabs(exp - req * 3 / 4) < 0.006);
			assert_true(got < exp);
			assert_true(fabs(gap - (exp - got)) < 0.006);
			listed++;
		}
	}
	assert_int_equal(listed, ah_jint(r.json, "below"));
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/exports/quarterly?unit_id=%lld&year=%d&quarter=3",
		 U_BUREAU, S.year);
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	ns.n = 0;
	assert_int_equal(xf_xlsx_sheets(r.body, r.len, "quarterly", keep_name, &ns, &errs), 2);
	assert_string_equal(ns.v[0], "季度通报");
	ah_resp_free(&r);
	expect(ADMIN, "GET", "/api/v1/exports/quarterly?year=2026&quarter=3", NULL, 400,
	       "bad_request", NULL);
	expect(ADMIN, "GET", "/api/v1/exports/quarterly?unit_id=999999&quarter=3", NULL, 404,
	       "not_found", NULL);
	expect(MEMBER, "GET", path, NULL, 403, "forbidden", NULL);
	expect(AUDITOR, "GET", "/api/v1/audit?action=export.quarterly", NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "total"), 2);
	ah_resp_free(&r);
	xf_errs_cleanup(&errs);
}

/* A later publication's objection cannot change the archived quarter. */
static void test_archived_refuses(void **state)
{
	(void)state;
	char body[512], path[128];
	ah_resp r;
	snprintf(body, sizeof(body),
		 "{\"unit_id\": %lld, \"year\": %d, \"from\": \"%d-07-01\", \"to\": \"%d-12-31\","
		 " \"title\": \"下半年学分公示\"}",
		 U_BUREAU, S.year, S.year, S.year);
	expect(ADMIN, "POST", "/api/v1/publications", body, 201, NULL, &r);
	PUB2 = ah_jint(r.json, "id");
	assert_string_equal(ah_jstr(r.json, "title"), "下半年学分公示");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/publications/%lld/objections", PUB2);
	snprintf(body, sizeof(body), "{\"person_id\": %lld, \"text\": \"十二月那本书不该算\"}",
		 W[MEMBER].person_id);
	expect(MEMBER, "POST", path, body, 201, NULL, &r);
	long long ob = ah_jint(r.json, "id");
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/objections/%lld/resolve", ob);
	snprintf(body, sizeof(body),
		 "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\": {\"action\":"
		 " \"delete\", \"record_id\": %lld}}",
		 ADDED_RECORD);
	expect(ADMIN, "POST", path, body, 409, "archived", &r);
	assert_non_null(strstr(r.body, "该期间已归档，记录不能再修改"));
	ah_resp_free(&r);
	/* nothing changed: the objection is still open */
	snprintf(path, sizeof(path), "/api/v1/publications/%lld", PUB2);
	expect(ADMIN, "GET", path, NULL, 200, NULL, &r);
	assert_int_equal(ah_jint(r.json, "objections.open"), 1);
	ah_resp_free(&r);
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
	if (backends_setup("/tmp/xuefen-api-publish-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendars),
		cmocka_unit_test(test_publish_needs_calendar),
		cmocka_unit_test(test_seen_by),
		cmocka_unit_test(test_objections),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_window_and_archive),
		cmocka_unit_test(test_downloads),
		cmocka_unit_test(test_archived_refuses),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api publish (%s)", backends[b].name);
		current_backend = b;
		P_GENERAL = 0;
		U_SJ = 0;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
