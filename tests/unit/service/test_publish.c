/* Tests for src/service/publish.c and quarterly.c: a bureau with two 科室
 * under bigdata-bureau, published for the third quarter of 2025 on
 * 2025-09-26 (window to 2025-10-09 across 国庆节) — the lines (categories
 * after caps, the period's increment, the year's total; inactive people
 * and units without a policy left out), the notices, the window across
 * 春节 2026 with its 调休 Saturdays, a year without a calendar refused
 * naming it; objections only in the window and only by the listed or the
 * staff of the line's unit; resolving (an upheld correction changes the
 * record and the line, audited; a dismissal needs a reason; twice is a
 * conflict); archive refused while the window is open or an objection is
 * open; archived periods refuse changes through the service and directly
 * in SQL (the triggers); the 干部培训登记库 and 季度通报 workbooks read back
 * with the XLSX reader. The server's clock is moved with the test clock
 * file. Runs on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/file.h"
#include "io/xlsx.h"
#include "service/auth.h"
#include "service/publish.h"
#include "service/quarterly.h"
#include "store/data.h"
#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

static char clock_path[128];

/* Moves the clock (xf_clock_now) to local time y-m-d h:00. */
static void clock_at(int y, int m, int d, int h)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	time_t target = mktime(&tm);
	FILE *f = fopen(clock_path, "w");
	assert_non_null(f);
	fprintf(f, "%lld\n", (long long)target - (long long)time(NULL));
	fclose(f);
	assert_int_equal(xf_today(), y * 10000 + m * 100 + d);
}

/* ---- the organisation ---- */

typedef struct org {
	xf_store *s;
	const char *backend;
	long long bureau, sec_a, sec_b, other;
	long long a1, a2, b1, l1, i1, o1;     /* people */
	long long u_a1, u_i1, u_o1, u_rev_a, u_rev_b, u_admin; /* users */
	long long sub_a[1], sub_b[1];         /* reviewers' scopes */
} org;

static void ok(int rc, xf_errs *errs, const char *what)
{
	if (rc != 0) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s failed (%d)", what, rc);
	}
}

static void add_rec_from(xf_data *d, long long person, const char *item, const char *date,
			 const char *level, long long batch, xf_errs *errs)
{
	xf_record_row r = {.item = item, .date = date, .level = level};
	r.count = r.days = r.months = r.hours = r.minutes = r.attended_minutes = NAN;
	r.score = r.credits = NAN;
	r.passed = r.completed = r.online = r.approved = r.awarded = r.speaker = -1;
	ok(xf_data_add_record(d, person, &r, batch, errs), errs, "add record");
}

static void add_rec(xf_data *d, long long person, const char *item, const char *date,
		    const char *level, xf_errs *errs)
{
	add_rec_from(d, person, item, date, level, 0, errs);
}

static long long add_user(xf_store *s, const char *name, long long person, xf_errs *errs)
{
	long long id = 0;
	if (person > 0)
		ok(xf_query_row(s, "INSERT INTO users (username, display_name, person_id, password_hash)"
				   " VALUES ($1, $1, $2, 'x') RETURNING id",
				errs, XF_IN(name), XF_IN(person), XF_OUT(&id)),
		   errs, "add user");
	else
		ok(xf_query_row(s, "INSERT INTO users (username, display_name, password_hash)"
				   " VALUES ($1, $1, 'x') RETURNING id",
				errs, XF_IN(name), XF_OUT(&id)),
		   errs, "add user");
	return id;
}

/* 区局 (bureau, bigdata-bureau for 2025 and 2026) with 甲科 (sec-a) and 乙科
 * (sec-b) under it; 外单位 (other) without a policy.
 *   A1 甲科 staff: listen district 05-10 (3), book 08-01 (2), briefing
 *      district 09-15 (5), book 10-05 (Q4); 学习强国 07: 700 (2), 10: 1000
 *      -> Q3: listen 3, read 4, write 5 = 12; before Q3: 3; period 9.
 *   A2 甲科 section_head: books 04-01, 05-01, 08-10 (cap 4), listen city
 *      08-20 (4) -> Q3: 8; before: 4; period 4.
 *   B1 乙科 staff: paper national 03-01 (30) -> 30, period 0.
 *   L1 区局 leader: listen national 07-01 (5) -> 5, period 5.
 *   I1 甲科, inactive; O1 外单位. */
static void org_make(const backend *b, org *o)
{
	xf_errs errs;
	xf_errs_init(&errs);
	memset(o, 0, sizeof(*o));
	o->backend = b->name;
	backend_reset(b);
	o->s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	ok(o->s ? 0 : -1, &errs, "open");
	xf_data *d = xf_data_new(o->s, &errs);
	assert_non_null(d);
	ok(xf_store_begin(o->s, &errs), &errs, "begin");
	ok(xf_data_unit(d, "bureau", "区局", &o->bureau, &errs), &errs, "unit");
	ok(xf_data_unit(d, "sec-a", "甲科", &o->sec_a, &errs), &errs, "unit");
	ok(xf_data_unit(d, "sec-b", "乙科", &o->sec_b, &errs), &errs, "unit");
	ok(xf_data_unit(d, "other", "外单位", &o->other, &errs), &errs, "unit");
	ok(xf_data_unit_parent(d, o->sec_a, o->bureau, &errs), &errs, "parent");
	ok(xf_data_unit_parent(d, o->sec_b, o->bureau, &errs), &errs, "parent");
	ok(xf_data_assign_policy(d, o->bureau, 2025, "bigdata-bureau", &errs), &errs, "assign");
	ok(xf_data_assign_policy(d, o->bureau, 2026, "bigdata-bureau", &errs), &errs, "assign");
	struct {
		const char *code, *name, *role;
		long long unit;
		long long *id;
	} people[] = {
		{"a1", "张甲", "staff", o->sec_a, &o->a1},
		{"a2", "李甲", "section_head", o->sec_a, &o->a2},
		{"b1", "王乙", "staff", o->sec_b, &o->b1},
		{"l1", "赵局", "leader", o->bureau, &o->l1},
		{"i1", "钱离", "staff", o->sec_a, &o->i1},
		{"o1", "孙外", "staff", o->other, &o->o1},
	};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		xf_person_row p = {.code = people[i].code, .name = people[i].name,
				   .unit_id = people[i].unit, .role = people[i].role};
		ok(xf_data_person(d, &p, people[i].id, &errs), &errs, "person");
	}
	add_rec(d, o->a1, "listen.training", "2025-05-10", "district", &errs);
	long long batch = 0;
	assert_int_equal(xf_data_batch(d, "records", "读书.xlsx", "ab12", 1, "test", &batch, &errs), 0);
	add_rec_from(d, o->a1, "read.book", "2025-08-01", NULL, batch, &errs); /* imported */
	add_rec(d, o->a1, "write.briefing", "2025-09-15", "district", &errs);
	add_rec(d, o->a1, "read.book", "2025-10-05", NULL, &errs);
	ok(xf_data_put_metric(d, o->a1, "xxqg", "2025-07", 700, 0, &errs), &errs, "metric");
	ok(xf_data_put_metric(d, o->a1, "xxqg", "2025-10", 1000, 0, &errs), &errs, "metric");
	add_rec(d, o->a2, "read.book", "2025-04-01", NULL, &errs);
	add_rec(d, o->a2, "read.book", "2025-05-01", NULL, &errs);
	add_rec(d, o->a2, "read.book", "2025-08-10", NULL, &errs);
	add_rec(d, o->a2, "listen.training", "2025-08-20", "city", &errs);
	add_rec(d, o->b1, "write.paper", "2025-03-01", "national", &errs);
	add_rec(d, o->l1, "listen.training", "2025-07-01", "national", &errs);
	add_rec(d, o->i1, "read.book", "2025-08-01", NULL, &errs);
	ok(xf_data_flush(d, &errs), &errs, "flush");
	ok(xf_query_exec(o->s, "UPDATE people SET active = 0 WHERE id = $1", &errs, XF_IN(o->i1)),
	   &errs, "inactive");
	ok(xf_store_commit(o->s, &errs), &errs, "commit");
	xf_data_free(d);
	o->u_a1 = add_user(o->s, "zhangjia", o->a1, &errs);
	o->u_i1 = add_user(o->s, "qianli", o->i1, &errs);
	o->u_o1 = add_user(o->s, "sunwai", o->o1, &errs);
	o->u_rev_a = add_user(o->s, "rev-a", 0, &errs);
	o->u_rev_b = add_user(o->s, "rev-b", 0, &errs);
	o->u_admin = add_user(o->s, "admin", 0, &errs);
	o->sub_a[0] = o->sec_a;
	o->sub_b[0] = o->sec_b;
	xf_errs_cleanup(&errs);
}

static xf_principal member(long long uid, const char *name, long long person)
{
	xf_principal p = {.user_id = uid, .username = name, .display_name = name,
			  .person_id = person, .roles = XF_ROLE_MEMBER};
	return p;
}

static xf_principal reviewer(long long uid, const char *name, const long long *units)
{
	xf_principal p = {.user_id = uid, .username = name, .display_name = name,
			  .roles = XF_ROLE_REVIEWER, .review_units = units, .nreview_units = 1};
	return p;
}

static xf_principal admin_of(const org *o)
{
	xf_principal p = {.user_id = o->u_admin, .username = "admin", .display_name = "admin",
			  .roles = XF_ROLE_ADMIN};
	return p;
}

/* Publishes the bureau's Q3 2025 on 2025-09-26. */
static long long publish_q3(org *o)
{
	xf_errs errs;
	xf_errs_init(&errs);
	clock_at(2025, 9, 26, 10);
	xf_publish_req req = {.unit_id = o->bureau, .year = 2025, .quarter = 3};
	long long id = 0;
	ok(xf_publish(o->s, &req, "admin", &id, &errs), &errs, "publish");
	assert_true(id > 0);
	xf_errs_cleanup(&errs);
	return id;
}

/* A line's figures; false when the person is not listed. */
static bool line_of(org *o, long long pub, long long person, double cats[3], double *period,
		    double *year)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *c = NULL;
	int f = xf_query_row(o->s,
			     "SELECT categories, period_total, year_total FROM publication_lines"
			     " WHERE publication_id = $1 AND person_id = $2",
			     &errs, XF_IN(pub), XF_IN(person), XF_OUT(&c), XF_OUT(period), XF_OUT(year));
	assert_true(f >= 0);
	xf_errs_cleanup(&errs);
	if (f != 0)
		return false;
	cJSON *j = cJSON_Parse(c);
	static const char *const keys[3] = {"listen", "read", "write"};
	for (int k = 0; k < 3; k++) {
		const cJSON *v = cJSON_GetObjectItem(j, keys[k]);
		assert_true(cJSON_IsNumber(v));
		cats[k] = v->valuedouble;
	}
	cJSON_Delete(j);
	free(c);
	return true;
}

static void expect_line(org *o, long long pub, long long person, double listen, double read,
			double write, double period, double year)
{
	double c[3], p, y;
	if (!line_of(o, pub, person, c, &p, &y))
		fail_msg("%s: person %lld is not listed", o->backend, person);
	if (fabs(c[0] - listen) > 1e-9 || fabs(c[1] - read) > 1e-9 || fabs(c[2] - write) > 1e-9 ||
	    fabs(p - period) > 1e-9 || fabs(y - year) > 1e-9)
		fail_msg("%s: person %lld: %g/%g/%g period %g year %g, want %g/%g/%g period %g year %g",
			 o->backend, person, c[0], c[1], c[2], p, y, listen, read, write, period, year);
}

static long long count(org *o, const char *sql, long long a)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long n = -1;
	ok(xf_query_row(o->s, sql, &errs, XF_IN(a), XF_OUT(&n)), &errs, sql);
	xf_errs_cleanup(&errs);
	return n;
}

static bool has_msg(const xf_errs *errs, const char *text)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], text))
			return true;
	return false;
}

/* Calls fn's result rc and checks it and (when want_msg) a message. */
#define EXPECT(rc_expr, want_rc, want_msg)                                                 \
	do {                                                                               \
		xf_errs e_;                                                                \
		xf_errs_init(&e_);                                                         \
		xf_errs *errs_ = &e_;                                                      \
		int got_ = (rc_expr);                                                      \
		if (got_ != (want_rc) || ((want_msg) && !has_msg(&e_, (want_msg)))) {      \
			xf_errs_print(&e_, "got: ", stderr);                               \
			fail_msg("%s:%d: %s: rc %d, want %d with \"%s\"", __FILE__, __LINE__, \
				 o.backend, got_, (want_rc), (want_msg) ? (want_msg) : "");  \
		}                                                                          \
		xf_errs_cleanup(&e_);                                                      \
	} while (0)

/* ---- publishing ---- */

static void test_publish_lines(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		long long pub = publish_q3(&o);
		char title[128] = "", ws[16] = "", we[16] = "", from[16] = "", to[16] = "";
		xf_errs errs;
		xf_errs_init(&errs);
		ok(xf_query_row(o.s, "SELECT title, window_start, window_end, date_from, date_to"
				     " FROM publications WHERE id = $1",
				&errs, XF_IN(pub), XF_OUT_TEXT(title, sizeof(title)),
				XF_OUT_TEXT(ws, sizeof(ws)), XF_OUT_TEXT(we, sizeof(we)),
				XF_OUT_TEXT(from, sizeof(from)), XF_OUT_TEXT(to, sizeof(to))),
		   &errs, "publication");
		assert_string_equal(title, "2025年第三季度学分公示");
		assert_string_equal(ws, "2025-09-26");
		assert_string_equal(we, "2025-10-09"); /* across 国庆节 */
		assert_string_equal(from, "2025-07-01");
		assert_string_equal(to, "2025-09-30");
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM publication_lines WHERE"
					   " publication_id = $1", pub), 4);
		expect_line(&o, pub, o.a1, 3, 4, 5, 9, 12);
		expect_line(&o, pub, o.a2, 4, 4, 0, 4, 8);   /* the 4th book: capped */
		expect_line(&o, pub, o.b1, 0, 0, 30, 0, 30);
		expect_line(&o, pub, o.l1, 5, 0, 0, 5, 5);
		double c[3], p, y;
		assert_false(line_of(&o, pub, o.i1, c, &p, &y)); /* inactive */
		assert_false(line_of(&o, pub, o.o1, c, &p, &y)); /* no policy */
		/* a notice each, nothing in the line about ID numbers */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE object = 'publication:'"
					   " || CAST($1 AS TEXT) AND kind = 'publication.opened'", pub), 4);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE person_id = $1", o.a1), 1);
		char *body = NULL;
		ok(xf_query_row(o.s, "SELECT body FROM notices WHERE person_id = $1", &errs,
				XF_IN(o.a1), XF_OUT(&body)), &errs, "notice");
		assert_non_null(strstr(body, "本期学分 9"));
		assert_non_null(strstr(body, "2025-10-09"));
		free(body);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM audit_log WHERE action ="
					   " 'publication.publish' AND object = 'publication:' || CAST($1 AS TEXT)",
				       pub), 1);
		xf_errs_cleanup(&errs);

		/* the same period again; refusals */
		xf_publish_req again = {.unit_id = o.bureau, .year = 2025, .quarter = 3};
		long long id2 = 0;
		EXPECT(xf_publish(o.s, &again, "admin", &id2, errs_), XF_PUB_CONFLICT, "已经公示过");
		xf_publish_req none = {.unit_id = o.other, .year = 2025, .quarter = 3};
		EXPECT(xf_publish(o.s, &none, "admin", &id2, errs_), -1, "未指定学分办法");
		xf_publish_req missing = {.unit_id = 999999, .year = 2025, .quarter = 3};
		EXPECT(xf_publish(o.s, &missing, "admin", &id2, errs_), XF_PUB_NOT_FOUND, NULL);
		xf_publish_req badq = {.unit_id = o.bureau, .year = 2025, .quarter = 5};
		EXPECT(xf_publish(o.s, &badq, "admin", &id2, errs_), -1, "quarter");
		xf_publish_req span = {.unit_id = o.bureau, .year = 2025, .from = "2025-12-01",
				       .to = "2026-01-31"};
		EXPECT(xf_publish(o.s, &span, "admin", &id2, errs_), -1, "应在 2025 年内");
		xf_publish_req back = {.unit_id = o.bureau, .year = 2025, .from = "2025-05-01",
				       .to = "2025-04-01"};
		EXPECT(xf_publish(o.s, &back, "admin", &id2, errs_), -1, "不能早于 from");
		/* a sub-unit: only its people; a period of our own with a title */
		xf_publish_req sub = {.unit_id = o.sec_a, .year = 2025, .from = "2025-08-01",
				      .to = "2025-08-31", .title = "甲科八月学分公示"};
		long long id3 = 0;
		EXPECT(xf_publish(o.s, &sub, "admin", &id3, errs_), 0, NULL);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM publication_lines WHERE"
					   " publication_id = $1", id3), 2);
		/* A1 in August: the book (2) and the July 学习强国 month is before it */
		expect_line(&o, id3, o.a1, 3, 4, 0, 2, 7);
		xf_store_close(o.s);
	}
}

/* The window by the calendar: 春节 2026 with its 调休 Saturdays, and a year
 * with no calendar refused naming it. */
static void test_windows(void **state)
{
	(void)state;
	static const struct {
		int y, m, d;            /* published on */
		const char *from, *to;  /* the period (each its own) */
		const char *ws, *we;    /* window; NULL: refused */
		const char *msg;
	} cases[] = {
		{2026, 2, 13, "2026-01-01", "2026-01-31", "2026-02-13", "2026-02-26", NULL},
		{2026, 2, 14, "2026-01-01", "2026-01-30", "2026-02-14", "2026-02-27", NULL}, /* 调休 Sat */
		{2026, 2, 15, "2026-01-01", "2026-01-29", "2026-02-24", "2026-02-28", NULL}, /* holiday */
		{2026, 2, 28, "2026-01-01", "2026-01-28", "2026-02-28", "2026-03-05", NULL},
		{2026, 12, 28, "2026-10-01", "2026-12-31", NULL, NULL, "2027 年"},
		{2027, 1, 5, "2026-10-01", "2026-12-30", NULL, NULL, "2027 年"},
	};
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		xf_errs errs;
		xf_errs_init(&errs);
		ok(xf_query_exec(o.s, "INSERT INTO records (person_id, id, item, date, level) VALUES"
				     " ($1, 100, 'listen.training', '2026-01-05', 'city')",
				 &errs, XF_IN(o.a1)), &errs, "2026 record");
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			clock_at(cases[i].y, cases[i].m, cases[i].d, 9);
			xf_publish_req req = {.unit_id = o.bureau, .year = 2026, .from = cases[i].from,
					      .to = cases[i].to};
			long long id = 0;
			xf_errs e;
			xf_errs_init(&e);
			int rc = xf_publish(o.s, &req, "admin", &id, &e);
			if (cases[i].ws == NULL) {
				assert_int_equal(rc, -1);
				assert_false(e.internal);
				assert_true(has_msg(&e, cases[i].msg));
			} else {
				ok(rc, &e, "publish");
				char ws[16], we[16];
				ok(xf_query_row(o.s, "SELECT window_start, window_end FROM publications"
						     " WHERE id = $1",
						&errs, XF_IN(id), XF_OUT_TEXT(ws, sizeof(ws)),
						XF_OUT_TEXT(we, sizeof(we))), &errs, "window");
				if (strcmp(ws, cases[i].ws) != 0 || strcmp(we, cases[i].we) != 0)
					fail_msg("%s: case %zu: window %s..%s, want %s..%s", o.backend, i, ws,
						 we, cases[i].ws, cases[i].we);
			}
			xf_errs_cleanup(&e);
		}
		/* refused publications left nothing behind */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM publications WHERE year = $1", 2026), 4);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE person_id = $1", o.a1), 4);
		xf_errs_cleanup(&errs);
		xf_store_close(o.s);
	}
}

/* ---- objections ---- */

static void test_objections(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		long long pub = publish_q3(&o), id = 0;
		xf_principal a1 = member(o.u_a1, "zhangjia", o.a1);
		xf_principal i1 = member(o.u_i1, "qianli", o.i1);
		xf_principal o1 = member(o.u_o1, "sunwai", o.o1);
		xf_principal rev_a = reviewer(o.u_rev_a, "rev-a", o.sub_a);
		xf_principal rev_b = reviewer(o.u_rev_b, "rev-b", o.sub_b);
		clock_at(2025, 10, 3, 15); /* a holiday inside the window */
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.a1, "八月的读书记录有误", &id, errs_), 0,
		       NULL);
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.b1, "王乙的论文不是国家级", &id, errs_), 0,
		       NULL); /* listed: may object to any line */
		EXPECT(xf_objection_lodge(o.s, &rev_a, pub, o.a2, "李甲的培训是区级", &id, errs_), 0,
		       NULL);
		EXPECT(xf_objection_lodge(o.s, &rev_b, pub, o.a1, "x", &id, errs_), XF_PUB_FORBIDDEN,
		       "只有公示名单中的人员");
		EXPECT(xf_objection_lodge(o.s, &i1, pub, o.a1, "x", &id, errs_), XF_PUB_FORBIDDEN, NULL);
		EXPECT(xf_objection_lodge(o.s, &o1, pub, o.a1, "x", &id, errs_), XF_PUB_NOT_FOUND, NULL);
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.i1, "x", &id, errs_), -1, "不在本次公示名单中");
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.a1, "  ", &id, errs_), -1, "text");
		EXPECT(xf_objection_lodge(o.s, &a1, pub + 100, o.a1, "x", &id, errs_), XF_PUB_NOT_FOUND,
		       NULL);
		clock_at(2025, 10, 9, 23); /* the last day */
		EXPECT(xf_objection_lodge(o.s, &rev_a, pub, o.a1, "最后一天", &id, errs_), 0, NULL);
		clock_at(2025, 10, 10, 0);
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.a1, "晚了", &id, errs_), XF_PUB_WINDOW_CLOSED,
		       "2025-10-09");
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM objections WHERE publication_id = $1",
				       pub), 4);

		/* the lists: admin all, others their own; out of scope 404 */
		struct {
			const xf_principal *who;
			int rc, n;
		} lists[] = {{NULL, 0, 4}, {&a1, 0, 2}, {&rev_a, 0, 2}, {&rev_b, 0, 0}, {&o1, 1, 0}};
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			xf_errs e;
			xf_errs_init(&e);
			int rc = xf_objections_list_json(o.s, lists[i].who, pub, f, &e);
			fclose(f);
			assert_int_equal(rc, lists[i].rc);
			if (rc == 0) {
				cJSON *j = cJSON_Parse(buf);
				const cJSON *items = cJSON_GetObjectItem(j, "items");
				if (cJSON_GetArraySize(items) != lists[i].n)
					fail_msg("%s: list %zu: %d objections, want %d", o.backend, i,
						 cJSON_GetArraySize(items), lists[i].n);
				if (i == 1) {
					const cJSON *first = cJSON_GetArrayItem(items, 0);
					assert_string_equal(cJSON_GetObjectItem(first, "status")->valuestring, "open");
					assert_string_equal(
						cJSON_GetObjectItem(cJSON_GetObjectItem(first, "lodged_by"), "username")->valuestring,
						"zhangjia");
					assert_string_equal(
						cJSON_GetObjectItem(cJSON_GetObjectItem(first, "person"), "name")->valuestring,
						"张甲");
				}
				cJSON_Delete(j);
			}
			free(buf);
			xf_errs_cleanup(&e);
		}
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM audit_log WHERE action = 'objection.lodge'"
					   " AND 1 = $1", 1), 4);
		xf_store_close(o.s);
	}
}

/* Resolves objection id with body; returns the rc. */
static int resolve(org *o, long long id, const char *body, xf_errs *errs)
{
	xf_principal adm = admin_of(o);
	return xf_objection_resolve(o->s, &adm, id, body, strlen(body), errs);
}

static long long record_id(org *o, long long person, const char *item, const char *date)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	ok(xf_query_row(o->s, "SELECT id FROM records WHERE person_id = $1 AND item = $2 AND date = $3",
			&errs, XF_IN(person), XF_IN(item), XF_IN(date), XF_OUT(&id)),
	   &errs, "record id");
	xf_errs_cleanup(&errs);
	return id;
}

static void test_resolve(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		long long pub = publish_q3(&o), ob[6];
		xf_principal a1 = member(o.u_a1, "zhangjia", o.a1);
		xf_principal rev_a = reviewer(o.u_rev_a, "rev-a", o.sub_a);
		for (int k = 0; k < 6; k++)
			EXPECT(xf_objection_lodge(o.s, k % 2 ? &rev_a : &a1, pub, o.a1, "简报是市级的",
						  &ob[k], errs_),
			       0, NULL);
		long long brief = record_id(&o, o.a1, "write.briefing", "2025-09-15");
		long long book = record_id(&o, o.a1, "read.book", "2025-08-01");
		char body[512];

		/* bad requests change nothing */
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"upheld\", \"reason\": \"核实\"}", errs_), -1,
		       "correction");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"dismissed\"}", errs_), -1, "reason");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"dismissed\", \"reason\": \"x\", \"why\": 1}",
			       errs_), -1, "why：未知的字段");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\":"
					  " {\"action\": \"delete\", \"record_id\": 1, \"note\": 2}}", errs_),
		       -1, "correction.note：未知的字段");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"maybe\", \"reason\": \"x\"}", errs_), -1,
		       "decision");
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"核实\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"level\": \"galaxy\"}}}", brief);
		EXPECT(resolve(&o, ob[0], body, errs_), -1, "correction.fields.level");
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"核实\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"date\": \"2026-01-02\","
			 " \"colour\": 1}}}", brief);
		EXPECT(resolve(&o, ob[0], body, errs_), -1, "colour");
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"核实\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"date\": \"2026-01-02\"}}}", brief);
		EXPECT(resolve(&o, ob[0], body, errs_), -1, "应在 2025 年内");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"upheld\", \"reason\": \"核实\", \"correction\":"
					  " {\"action\": \"delete\", \"record_id\": 999}}", errs_),
		       -1, "没有编号为 999 的记录");
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"upheld\", \"reason\": \"核实\", \"correction\":"
					  " {\"action\": \"add\", \"fields\": {\"item\": \"read.xxqg\","
					  " \"date\": \"2025-09-01\"}}}", errs_),
		       -1, "不是学分办法 bigdata-bureau 中可登记的项目");
		EXPECT(resolve(&o, 999999, "{\"decision\": \"dismissed\", \"reason\": \"x\"}", errs_),
		       XF_PUB_NOT_FOUND, NULL);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM objections WHERE status = 'open'"
					   " AND publication_id = $1", pub), 6);
		expect_line(&o, pub, o.a1, 3, 4, 5, 9, 12);

		/* upheld: the briefing was city level (10) */
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"经核实为市级刊物采用\", \"correction\":"
			 " {\"action\": \"update\", \"record_id\": %lld, \"fields\": {\"level\": \"city\"}}}",
			 brief);
		EXPECT(resolve(&o, ob[0], body, errs_), 0, NULL);
		expect_line(&o, pub, o.a1, 3, 4, 10, 14, 17);
		char level[16] = "";
		xf_errs errs;
		xf_errs_init(&errs);
		ok(xf_query_row(o.s, "SELECT level FROM records WHERE person_id = $1 AND id = $2", &errs,
				XF_IN(o.a1), XF_IN(brief), XF_OUT_TEXT(level, sizeof(level))), &errs, "level");
		assert_string_equal(level, "city");
		char *before = NULL, *after = NULL, *corr = NULL, *status = NULL;
		ok(xf_query_row(o.s, "SELECT before, after FROM audit_log WHERE action = 'record.update'",
				&errs, XF_OUT(&before), XF_OUT(&after)), &errs, "audit");
		assert_non_null(strstr(before, "\"district\""));
		assert_non_null(strstr(after, "\"city\""));
		ok(xf_query_row(o.s, "SELECT status, correction FROM objections WHERE id = $1", &errs,
				XF_IN(ob[0]), XF_OUT(&status), XF_OUT(&corr)), &errs, "objection");
		assert_string_equal(status, "upheld");
		assert_non_null(strstr(corr, "\"action\":\"update\""));
		free(before);
		free(after);
		free(corr);
		free(status);
		/* the objector (A1) was told */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE person_id = $1 AND"
					   " kind = 'objection.resolved'", o.a1), 1);
		/* ... and, being the line's person too, not told twice */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE kind = 'record.corrected'"
					   " AND 1 = $1", 1), 0);
		/* twice: a conflict, nothing changed */
		EXPECT(resolve(&o, ob[0], "{\"decision\": \"dismissed\", \"reason\": \"x\"}", errs_),
		       XF_PUB_CONFLICT, "已处理");

		/* delete the August book: read 2 */
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"重复登记\", \"correction\":"
			 " {\"action\": \"delete\", \"record_id\": %lld}}", book);
		EXPECT(resolve(&o, ob[1], body, errs_), 0, NULL);
		expect_line(&o, pub, o.a1, 3, 2, 10, 12, 15);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM records WHERE person_id = $1", o.a1), 3);
		/* the reviewer who lodged it has no person: no notice, no error */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE kind = 'objection.resolved'"
					   " AND 1 = $1", 1), 1);
		/* the line's person (A1) is told their record was corrected */
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM notices WHERE person_id = $1 AND"
					   " kind = 'record.corrected' AND title LIKE '%已按异议更正'", o.a1), 1);

		/* add a September book: read 4 again */
		EXPECT(resolve(&o, ob[2], "{\"decision\": \"upheld\", \"reason\": \"漏登\", \"correction\":"
					  " {\"action\": \"add\", \"fields\": {\"item\": \"read.book\","
					  " \"date\": \"2025-09-01\", \"count\": 1}}}", errs_),
		       0, NULL);
		expect_line(&o, pub, o.a1, 3, 4, 10, 14, 17);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM audit_log WHERE action = 'record.add'"
					   " AND 1 = $1", 1), 1);

		/* dismissed with a reason */
		EXPECT(resolve(&o, ob[3], "{\"decision\": \"dismissed\", \"reason\": \"记录无误\"}", errs_), 0,
		       NULL);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM objections WHERE status = 'dismissed'"
					   " AND publication_id = $1", pub), 1);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM audit_log WHERE action ="
					   " 'objection.resolve' AND 1 = $1", 1), 4);

		/* the answer's shape */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		xf_principal adm = admin_of(&o);
		ok(xf_objection_get_json(o.s, &adm, ob[0], f, &errs), &errs, "get");
		fclose(f);
		cJSON *j = cJSON_Parse(buf);
		assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring, "upheld");
		assert_string_equal(cJSON_GetObjectItem(j, "resolution")->valuestring, "经核实为市级刊物采用");
		const cJSON *c = cJSON_GetObjectItem(j, "correction");
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "after"), "level")->valuestring,
				    "city");
		assert_string_equal(cJSON_GetObjectItem(j, "resolved_by")->valuestring, "admin");
		cJSON_Delete(j);
		free(buf);
		/* A1 may read their own objection, not the reviewer's */
		buf = NULL;
		f = open_memstream(&buf, &len);
		assert_int_equal(xf_objection_get_json(o.s, &a1, ob[1], f, &errs), 1);
		fclose(f);
		free(buf);
		xf_errs_cleanup(&errs);
		xf_store_close(o.s);
	}
}

/* ---- archive ---- */

static void test_archive(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		long long pub = publish_q3(&o), ob = 0, open = 0;
		xf_principal a1 = member(o.u_a1, "zhangjia", o.a1);
		clock_at(2025, 10, 9, 18);
		EXPECT(xf_publication_archive(o.s, pub, "admin", &open, errs_), XF_PUB_WINDOW_OPEN,
		       "2025-10-09");
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.a1, "有误", &ob, errs_), 0, NULL);
		clock_at(2025, 10, 10, 9);
		EXPECT(xf_publication_archive(o.s, pub, "admin", &open, errs_), XF_PUB_OBJECTIONS_OPEN,
		       "还有 1 条异议未处理");
		assert_int_equal(open, 1);
		/* resolved after the window: allowed */
		EXPECT(resolve(&o, ob, "{\"decision\": \"dismissed\", \"reason\": \"无误\"}", errs_), 0,
		       NULL);
		EXPECT(xf_publication_archive(o.s, pub, "admin", &open, errs_), 0, NULL);
		EXPECT(xf_publication_archive(o.s, pub, "admin", &open, errs_), XF_PUB_CONFLICT, "归档");
		EXPECT(xf_publication_archive(o.s, pub + 50, "admin", &open, errs_), XF_PUB_NOT_FOUND,
		       NULL);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM audit_log WHERE action ="
					   " 'publication.archive' AND object = 'publication:' || CAST($1 AS TEXT)",
				       pub), 1);
		EXPECT(xf_objection_lodge(o.s, &a1, pub, o.a1, "再议", &ob, errs_), XF_PUB_WINDOW_CLOSED,
		       "已归档");

		/* the check helper */
		EXPECT(xf_archived_check(o.s, o.a1, "2025-08-01", errs_), 1, XF_ARCHIVED_MSG);
		EXPECT(xf_archived_check(o.s, o.a1, "2025-07-01", errs_), 1, NULL);
		EXPECT(xf_archived_check(o.s, o.a1, "2025-10-05", errs_), 0, NULL);
		EXPECT(xf_archived_check(o.s, o.a1, "2025-06-30", errs_), 0, NULL);
		EXPECT(xf_archived_check(o.s, o.i1, "2025-08-01", errs_), 0, NULL); /* not listed */

		/* directly in SQL: the triggers refuse */
		static const char *const refused[] = {
			"UPDATE records SET level = 'national' WHERE item = 'write.briefing' AND person_id = ",
			"DELETE FROM records WHERE date = '2025-08-01' AND person_id = ",
			"UPDATE records SET date = '2025-09-01' WHERE date = '2025-10-05' AND person_id = ",
			"UPDATE metrics SET value = 9999 WHERE month = '2025-07' AND person_id = ",
			"DELETE FROM metrics WHERE month = '2025-07' AND person_id = ",
		};
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			char sql[256];
			snprintf(sql, sizeof(sql), "%s%lld", refused[i], o.a1);
			xf_errs e;
			xf_errs_init(&e);
			if (xf_store_exec_for_tests(o.s, sql, &e) == 0)
				fail_msg("%s: not refused: %s", o.backend, sql);
			assert_true(has_msg(&e, "archived period is read-only"));
			xf_errs_cleanup(&e);
		}
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO records (person_id, id, item, date) VALUES (%lld, 77, 'read.book',"
			 " '2025-09-30')", o.a1);
		xf_errs e;
		xf_errs_init(&e);
		assert_int_equal(xf_store_exec_for_tests(o.s, sql, &e), -1);
		xf_errs_cleanup(&e);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO metrics (person_id, metric, month, value) VALUES (%lld, 'xxqg',"
			 " '2025-08', 700)", o.a1);
		xf_errs_init(&e);
		assert_int_equal(xf_store_exec_for_tests(o.s, sql, &e), -1);
		xf_errs_cleanup(&e);
		/* outside the period, or of people not listed: allowed */
		snprintf(sql, sizeof(sql),
			 "INSERT INTO records (person_id, id, item, date) VALUES (%lld, 78, 'read.book',"
			 " '2025-10-20')", o.a1);
		xf_errs_init(&e);
		assert_int_equal(xf_store_exec_for_tests(o.s, sql, &e), 0);
		snprintf(sql, sizeof(sql), "UPDATE records SET count = 2 WHERE person_id = %lld", o.i1);
		assert_int_equal(xf_store_exec_for_tests(o.s, sql, &e), 0);
		xf_errs_cleanup(&e);
		expect_line(&o, pub, o.a1, 3, 4, 5, 9, 12);

		/* through the service: a correction on a Q4 objection that would
		 * touch the archived quarter */
		clock_at(2025, 12, 31, 10);
		xf_publish_req q4 = {.unit_id = o.bureau, .year = 2025, .quarter = 4};
		long long pub4 = 0, ob4 = 0;
		EXPECT(xf_publish(o.s, &q4, "admin", &pub4, errs_), 0, NULL);
		EXPECT(xf_objection_lodge(o.s, &a1, pub4, o.a1, "第三季度的简报", &ob4, errs_), 0, NULL);
		long long brief = record_id(&o, o.a1, "write.briefing", "2025-09-15");
		long long q4book = record_id(&o, o.a1, "read.book", "2025-10-05");
		char body[512];
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"level\": \"city\"}}}", brief);
		EXPECT(resolve(&o, ob4, body, errs_), XF_PUB_ARCHIVED, XF_ARCHIVED_MSG);
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\": {\"action\":"
			 " \"delete\", \"record_id\": %lld}}", brief);
		EXPECT(resolve(&o, ob4, body, errs_), XF_PUB_ARCHIVED, XF_ARCHIVED_MSG);
		EXPECT(resolve(&o, ob4, "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\":"
					" {\"action\": \"add\", \"fields\": {\"item\": \"read.book\","
					" \"date\": \"2025-08-15\"}}}", errs_),
		       XF_PUB_ARCHIVED, XF_ARCHIVED_MSG);
		/* moving a Q4 record into Q3 is a change to Q3 too */
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"date\": \"2025-09-20\"}}}", q4book);
		EXPECT(resolve(&o, ob4, body, errs_), XF_PUB_ARCHIVED, XF_ARCHIVED_MSG);
		assert_int_equal(count(&o, "SELECT COUNT(*) FROM objections WHERE status = 'open'"
					   " AND id = $1", ob4), 1);
		/* within Q4: fine */
		snprintf(body, sizeof(body),
			 "{\"decision\": \"upheld\", \"reason\": \"x\", \"correction\": {\"action\":"
			 " \"update\", \"record_id\": %lld, \"fields\": {\"date\": \"2025-11-20\"}}}", q4book);
		EXPECT(resolve(&o, ob4, body, errs_), 0, NULL);
		xf_store_close(o.s);
	}
}

/* ---- the workbooks ---- */

typedef struct sheet {
	char cells[64][12][160];
	int rows;
} sheet;

static int keep_row(void *ctx, uint32_t row, const char *const *cells, size_t n)
{
	sheet *s = ctx;
	(void)row;
	if (s->rows >= 64)
		return 0;
	for (size_t i = 0; i < n && i < 12; i++)
		snprintf(s->cells[s->rows][i], sizeof(s->cells[0][0]), "%s", cells[i]);
	s->rows++;
	return 0;
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

static void read_book(const char *path, names *ns, sheet *sh, int nsheets)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *data = NULL;
	size_t len = 0;
	ok(xf_file_read(path, XF_FILE_MAX, &data, &len, &errs), &errs, "read xlsx");
	memset(ns, 0, sizeof(*ns));
	assert_int_equal(xf_xlsx_sheets(data, len, path, keep_name, ns, &errs), nsheets);
	for (int i = 0; i < nsheets; i++) {
		memset(&sh[i], 0, sizeof(sh[i]));
		ok(xf_xlsx_read(data, len, path, i, keep_row, &sh[i], &errs), &errs, "read sheet");
	}
	free(data);
	xf_errs_cleanup(&errs);
}

static void test_export(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/registry.xlsx", backends_dir);
	static sheet sh[3];
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		/* L1's training came by a claim, A2's by an approved activity */
		xf_errs errs;
		xf_errs_init(&errs);
		long long claim = 0;
		ok(xf_query_row(o.s, "INSERT INTO claims (person_id, year, item, status, fields, details,"
				     " created_by, created_at, updated_at) VALUES ($1, 2025,"
				     " 'listen.training', 'approved', '{}', $2, $3, 0, 0) RETURNING id",
				&errs, XF_IN(o.l1), XF_IN("{\"content\": \"学习党的二十届三中全会精神\"}"),
				XF_IN(o.u_a1), XF_OUT(&claim)), &errs, "claim");
		ok(xf_query_exec(o.s, "UPDATE records SET claim_id = $1 WHERE person_id = $2", &errs,
				 XF_IN(claim), XF_IN(o.l1)), &errs, "claim record");
		ok(xf_query_exec(o.s, "INSERT INTO activities (key, unit_id, year, item, level, title,"
				      " date_from, date_to, status, applicant, created_at, updated_at)"
				      " VALUES ('act-2025-0001', $1, 2025, 'listen.training', 'city',"
				      " '大数据讲堂：数据要素', '2025-08-20', '2025-08-20', 'approved', $2, 0, 0)",
				 &errs, XF_IN(o.bureau), XF_IN(o.u_rev_a)), &errs, "activity");
		ok(xf_query_exec(o.s, "UPDATE records SET activity = 'act-2025-0001' WHERE person_id = $1"
				      " AND item = 'listen.training'", &errs, XF_IN(o.a2)), &errs, "activity record");
		xf_errs_cleanup(&errs);
		long long pub = publish_q3(&o);
		EXPECT(xf_publication_export_xlsx(o.s, pub, "admin", path, errs_), 0, NULL);
		EXPECT(xf_publication_export_xlsx(o.s, pub + 9, "admin", path, errs_), 1, NULL);
		names ns;
		read_book(path, &ns, sh, 3);
		assert_string_equal(ns.v[0], "登记库");
		assert_string_equal(ns.v[1], "汇总");
		assert_string_equal(ns.v[2], "说明");
		const sheet *reg = &sh[0], *sum = &sh[1], *notes = &sh[2];
		assert_string_equal(reg->cells[0][0], "序号");
		assert_string_equal(reg->cells[0][8], "学分");
		assert_string_equal(reg->cells[0][9], "来源");
		/* A1: the August book 2, the briefing 5, 学习强国 2 (July): 9 */
		double a1 = 0, a2 = 0;
		int a1_rows = 0, l1_rows = 0;
		bool xxqg = false, capped_book = false;
		for (int r = 1; r < reg->rows; r++) {
			double v = strtod(reg->cells[r][8], NULL);
			if (strcmp(reg->cells[r][1], "张甲") == 0) {
				a1 += v;
				a1_rows++;
				assert_string_equal(reg->cells[r][2], "甲科");
				if (strcmp(reg->cells[r][4], "学习强国") == 0) {
					xxqg = true;
					assert_true(fabs(v - 2) < 1e-9);
				}
				if (strcmp(reg->cells[r][4], "信息简报") == 0) {
					assert_string_equal(reg->cells[r][5], "区级");
					assert_string_equal(reg->cells[r][6], "2025-09-15");
					assert_string_equal(reg->cells[r][7], "");
					assert_string_equal(reg->cells[r][9], "录入"); /* no import */
				}
				if (strcmp(reg->cells[r][4], "读书") == 0)
					assert_string_equal(reg->cells[r][9], "导入");
				assert_true(strcmp(reg->cells[r][6], "2025-10-05") != 0); /* Q4 */
			}
			if (strcmp(reg->cells[r][1], "赵局") == 0) {
				char want[32];
				snprintf(want, sizeof(want), "申报 #%lld", claim);
				assert_string_equal(reg->cells[r][3], "学习党的二十届三中全会精神");
				assert_string_equal(reg->cells[r][9], want);
				assert_string_equal(reg->cells[r][8], "5");
				l1_rows++;
			}
			if (strcmp(reg->cells[r][1], "李甲") == 0) {
				a2 += v;
				if (strcmp(reg->cells[r][4], "学习培训") == 0) {
					assert_string_equal(reg->cells[r][3], "大数据讲堂：数据要素");
					assert_string_equal(reg->cells[r][9], "活动 act-2025-0001");
				}
				if (strcmp(reg->cells[r][4], "读书") == 0) {
					capped_book = true;
					assert_true(fabs(v) < 1e-9); /* over the cap */
				}
			}
			assert_true(strcmp(reg->cells[r][1], "钱离") != 0);
		}
		assert_int_equal(a1_rows, 3);
		assert_int_equal(l1_rows, 1);
		assert_true(xxqg);
		assert_true(capped_book);
		assert_true(fabs(a1 - 9) < 1e-9);
		assert_true(fabs(a2 - 4) < 1e-9);
		/* 汇总: 序号 姓名 单位 听 读 写 本期 年度累计 */
		assert_string_equal(sum->cells[0][3], "听");
		assert_string_equal(sum->cells[0][6], "本期");
		assert_string_equal(sum->cells[0][7], "年度累计");
		assert_int_equal(sum->rows, 5);
		bool found = false;
		for (int r = 1; r < sum->rows; r++)
			if (strcmp(sum->cells[r][1], "张甲") == 0) {
				found = true;
				assert_string_equal(sum->cells[r][3], "3");
				assert_string_equal(sum->cells[r][4], "4");
				assert_string_equal(sum->cells[r][5], "5");
				assert_string_equal(sum->cells[r][6], "9");
				assert_string_equal(sum->cells[r][7], "12");
			}
		assert_true(found);
		assert_string_equal(notes->cells[0][1], "2025年第三季度学分公示");
		bool window = false;
		for (int r = 0; r < notes->rows; r++)
			window = window || strstr(notes->cells[r][1], "2025-09-26 至 2025-10-09") != NULL;
		assert_true(window);
		unlink(path);
		xf_store_close(o.s);
	}
}

/* ---- who sees what ---- */

static void list_ids(org *o, const xf_principal *who, int want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_pub_query q = {.page = 1, .per_page = 20};
	ok(xf_publications_list_json(o->s, who, &q, f, &errs), &errs, "list");
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	if (cJSON_GetObjectItem(j, "total")->valueint != want ||
	    cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")) != want)
		fail_msg("%s: %s sees %d publications, want %d: %s", o->backend,
			 who ? who->username : "cli", cJSON_GetObjectItem(j, "total")->valueint, want, buf);
	cJSON_Delete(j);
	free(buf);
	xf_errs_cleanup(&errs);
}

static void test_visibility(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		long long pub = publish_q3(&o), pub_b = 0;
		xf_errs errs;
		xf_errs_init(&errs);
		xf_publish_req sub = {.unit_id = o.sec_b, .year = 2025, .quarter = 3};
		ok(xf_publish(o.s, &sub, "admin", &pub_b, &errs), &errs, "publish sec-b");
		xf_principal a1 = member(o.u_a1, "zhangjia", o.a1);
		xf_principal i1 = member(o.u_i1, "qianli", o.i1);
		xf_principal o1 = member(o.u_o1, "sunwai", o.o1);
		xf_principal rev_a = reviewer(o.u_rev_a, "rev-a", o.sub_a);
		xf_principal rev_b = reviewer(o.u_rev_b, "rev-b", o.sub_b);
		list_ids(&o, NULL, 2);
		list_ids(&o, &a1, 1);    /* listed in the bureau's; not in 乙科's */
		list_ids(&o, &i1, 1);    /* not listed, but 甲科 is under the bureau */
		list_ids(&o, &o1, 0);
		list_ids(&o, &rev_a, 1);
		list_ids(&o, &rev_b, 2);

		/* one publication: lines searched and paged */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		xf_pub_query q = {.q = "甲", .page = 1, .per_page = 1};
		ok(xf_publication_get_json(o.s, &a1, pub, &q, f, &errs), &errs, "get");
		fclose(f);
		cJSON *j = cJSON_Parse(buf);
		assert_string_equal(cJSON_GetObjectItem(j, "window_end")->valuestring, "2025-10-09");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "window_open")));
		assert_int_equal(cJSON_GetObjectItem(j, "people")->valueint, 4);
		const cJSON *lines = cJSON_GetObjectItem(j, "lines");
		assert_int_equal(cJSON_GetObjectItem(lines, "total")->valueint, 2); /* 张甲, 李甲 */
		const cJSON *items = cJSON_GetObjectItem(lines, "items");
		assert_int_equal(cJSON_GetArraySize(items), 1);
		const cJSON *first = cJSON_GetArrayItem(items, 0);
		assert_string_equal(cJSON_GetObjectItem(first, "unit")->valuestring, "甲科");
		assert_null(cJSON_GetObjectItem(first, "id_card"));
		const cJSON *cats = cJSON_GetObjectItem(j, "categories");
		assert_int_equal(cJSON_GetArraySize(cats), 3);
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cats, 0), "name")->valuestring, "听");
		cJSON_Delete(j);
		j = NULL;
		free(buf);
		/* out of scope reads like missing */
		buf = NULL;
		f = open_memstream(&buf, &len);
		assert_int_equal(xf_publication_get_json(o.s, &o1, pub, &q, f, &errs), 1);
		assert_int_equal(xf_publication_get_json(o.s, &a1, pub_b, &q, f, &errs), 1);
		fclose(f);
		assert_int_equal(len, 0);
		cJSON_Delete(j);
		free(buf);
		xf_errs_cleanup(&errs);
		xf_store_close(o.s);
	}
}

/* ---- 季度通报 ---- */

static void test_quarterly(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/quarterly.xlsx", backends_dir);
	static sheet sh[2];
	for (int b = 0; b < nbackends; b++) {
		org o;
		org_make(&backends[b], &o);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		xf_errs errs;
		xf_errs_init(&errs);
		ok(xf_quarterly_json(o.s, o.bureau, 2025, 3, f, &errs), &errs, "quarterly");
		fclose(f);
		cJSON *j = cJSON_Parse(buf);
		assert_string_equal(cJSON_GetObjectItem(j, "date")->valuestring, "2025-09-30");
		assert_int_equal(cJSON_GetObjectItem(j, "people")->valueint, 4);
		assert_int_equal(cJSON_GetObjectItem(j, "below")->valueint, 4);
		const cJSON *units = cJSON_GetObjectItem(j, "units");
		assert_int_equal(cJSON_GetArraySize(units), 3);
		const cJSON *ua = cJSON_GetArrayItem(units, 1);
		assert_string_equal(cJSON_GetObjectItem(ua, "code")->valuestring, "sec-a");
		const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(ua, "people"), 0);
		/* 李甲: 60 x 3/4 = 45, has 8: 37 short; 张甲 37.5 - 12 = 25.5 */
		assert_string_equal(cJSON_GetObjectItem(first, "name")->valuestring, "李甲");
		assert_true(fabs(cJSON_GetObjectItem(first, "expected")->valuedouble - 45) < 1e-9);
		assert_true(fabs(cJSON_GetObjectItem(first, "credits")->valuedouble - 8) < 1e-9);
		assert_true(fabs(cJSON_GetObjectItem(first, "gap")->valuedouble - 37) < 1e-9);
		const cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(ua, "people"), 1);
		assert_true(fabs(cJSON_GetObjectItem(second, "gap")->valuedouble - 25.5) < 1e-9);
		assert_true(fabs(cJSON_GetObjectItem(second, "required")->valuedouble - 50) < 1e-9);
		cJSON_Delete(j);
		free(buf);

		/* the first quarter: 王乙 has 30 of 12.5, not listed */
		buf = NULL;
		f = open_memstream(&buf, &len);
		ok(xf_quarterly_json(o.s, o.bureau, 2025, 1, f, &errs), &errs, "quarterly q1");
		fclose(f);
		j = cJSON_Parse(buf);
		assert_int_equal(cJSON_GetObjectItem(j, "below")->valueint, 3);
		assert_null(strstr(buf, "王乙"));
		cJSON_Delete(j);
		free(buf);

		EXPECT(xf_quarterly_json(o.s, o.bureau, 2025, 5, stdout, errs_), -1, "quarter");
		EXPECT(xf_quarterly_json(o.s, 424242, 2025, 1, stdout, errs_), 1, NULL);
		EXPECT(xf_quarterly_json(o.s, o.other, 2025, 1, stdout, errs_), -1, "未指定学分办法");

		ok(xf_quarterly_xlsx(o.s, o.bureau, 2025, 3, "admin", path, &errs), &errs, "xlsx");
		names ns;
		read_book(path, &ns, sh, 2);
		assert_string_equal(ns.v[0], "季度通报");
		assert_string_equal(ns.v[1], "说明");
		assert_int_equal(sh[0].rows, 5);
		assert_string_equal(sh[0].cells[0][5], "按进度应达");
		bool wang = false;
		for (int r = 1; r < sh[0].rows; r++)
			if (strcmp(sh[0].cells[r][2], "王乙") == 0) {
				wang = true;
				assert_string_equal(sh[0].cells[r][1], "乙科");
				assert_string_equal(sh[0].cells[r][5], "37.5");
				assert_string_equal(sh[0].cells[r][6], "30");
				assert_string_equal(sh[0].cells[r][7], "7.5");
			}
		assert_true(wang);
		unlink(path);
		xf_errs_cleanup(&errs);
		xf_store_close(o.s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-publish-XXXXXX") != 0)
		return 1;
	snprintf(clock_path, sizeof(clock_path), "%s/clock", backends_dir);
	FILE *f = fopen(clock_path, "w");
	if (f == NULL)
		return 1;
	fputs("0\n", f);
	fclose(f);
	setenv("XUEFEN_TEST_CLOCK_FILE", clock_path, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_lines),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_objections),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_quarterly),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(clock_path);
	backends_teardown();
	return rc;
}
