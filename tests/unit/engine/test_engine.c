/* Unit tests for src/engine/engine.c: each stage of the assessment, at its
 * boundaries, on the shipped policies, with records built in C (no JSON). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/engine.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9)

static xf_policy *load(const char *id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_policy *p = xf_policy_resolve(id, NULL, &errs);
	xf_errs_print(&errs, NULL, stderr);
	xf_errs_cleanup(&errs);
	assert_non_null(p);
	return p;
}

/* A record with the case format's defaults. */
static xf_record rec(const xf_policy *p, const char *item, const char *level)
{
	xf_record r;
	memset(&r, 0, sizeof(r));
	r.item = (int16_t)xf_policy_item(p, item);
	assert_true(r.item >= 0);
	r.level = (int8_t)(level ? xf_policy_level(p, level) : -1);
	r.kind = -1;
	r.date = 20250402;
	r.activity = -1;
	r.minutes = -1;
	r.attended = -1;
	r.count = 1;
	r.days = 1;
	r.score = NAN;
	return r;
}

typedef struct fixture {
	xf_policy *p;
	xf_person person;
	xf_result r;
	xf_engine_scratch scratch;
	xf_trace trace;
} fixture;

static void setup(fixture *f, const char *id)
{
	memset(f, 0, sizeof(*f));
	f->p = load(id);
	f->person.id = "p1";
	f->person.role = f->p->nroles ? 0 : -1;
	f->person.unit_id = -1;
	assert_int_equal(xf_result_init(&f->r, f->p), 0);
	xf_scratch_init(&f->scratch);
	xf_trace_init(&f->trace);
}

static void teardown(fixture *f)
{
	xf_result_cleanup(&f->r);
	xf_scratch_cleanup(&f->scratch);
	xf_trace_cleanup(&f->trace);
	xf_policy_free(f->p);
}

static void run(fixture *f, const xf_record *recs, size_t n, const xf_metric *m,
		size_t nm)
{
	xf_input in = {&f->person, recs, n, m, nm, NULL, 0, NULL, 0};
	for (size_t i = 0; i < n; i++)
		((xf_record *)recs)[i].index = (uint32_t)i;
	xf_trace_reset(&f->trace);
	assert_int_equal(xf_engine_assess(f->p, 2025, &in, &f->scratch, &f->r, &f->trace), 0);
}

static double item(const fixture *f, const char *key)
{
	return f->r.items[xf_policy_item(f->p, key)];
}

/* 第五条第1款 / 第六条: one training record under each exclusion. */
static void test_training_exclusions(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	static const struct {
		int minutes, attended;
		double score;
		uint16_t bits;
		double want;
	} rows[] = {
		{60, -1, NAN, 0, 4},                       /* exactly 1 hour counts */
		{59, -1, NAN, 0, 0},                       /* under 1 hour */
		{-1, -1, NAN, 0, 4},                       /* minutes not given */
		{120, 60, NAN, 0, 4},                      /* exactly half attended */
		{120, 59, NAN, 0, 0},                      /* under half */
		{120, -1, 60, 0, 4},                       /* score 60 */
		{120, -1, 59.5, 0, 0},                     /* score under 60 */
		{120, -1, NAN, XF_R_PASSED_SET, 0},        /* passed: false */
		{120, -1, NAN, XF_R_PASSED_SET | XF_R_PASSED, 4},
		{120, -1, NAN, XF_R_NOT_APPROVED, 0},
		{120, -1, NAN, XF_R_ONLINE | XF_R_NOT_COMPLETED, 0},
		{120, -1, NAN, XF_R_NOT_COMPLETED, 4},     /* offline: completed unused */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_record r = rec(f.p, "listen.training", "city");
		r.minutes = rows[i].minutes;
		r.attended = rows[i].attended;
		r.score = rows[i].score;
		r.bits = rows[i].bits;
		run(&f, &r, 1, NULL, 0);
		assert_near(item(&f, "listen.training"), rows[i].want);
	}
	/* kind: work_meeting */
	xf_record r = rec(f.p, "listen.training", "city");
	r.kind = (int8_t)xf_policy_kind(f.p, "work_meeting");
	assert_true(r.kind >= 0);
	run(&f, &r, 1, NULL, 0);
	assert_near(item(&f, "listen.training"), 0);
	assert_int_equal(f.trace.ev[0].kind, XF_T_EXCLUDED);
	assert_int_equal(f.trace.ev[0].other, XF_EX_KIND);
	teardown(&f);
}

/* 连续学习培训2天（含2天）以内计一次; online counts once whatever its days. */
static void test_training_sessions(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	static const struct { double days; uint16_t bits; double want; } rows[] = {
		{1, 0, 5}, {2, 0, 5}, {3, 0, 10}, {4, 0, 10}, {5, 0, 15},
		{1.5, 0, 5}, {5, XF_R_ONLINE, 5},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_record r = rec(f.p, "listen.training", "national");
		r.days = rows[i].days;
		r.bits = rows[i].bits;
		run(&f, &r, 1, NULL, 0);
		assert_near(item(&f, "listen.training"), rows[i].want);
	}
	teardown(&f);
}

/* 同一记分项目，按最高分值记分，不累计计分. */
static void test_same_activity(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	xf_record r[5];
	r[0] = rec(f.p, "write.briefing", "district");
	r[1] = rec(f.p, "write.briefing", "national");
	r[2] = rec(f.p, "write.briefing", "city");
	r[3] = rec(f.p, "write.paper", "district"); /* same key, other item */
	r[4] = rec(f.p, "write.briefing", "district_paper"); /* no key */
	r[0].activity = r[1].activity = r[2].activity = r[3].activity = 7;
	run(&f, r, 5, NULL, 0);
	assert_near(item(&f, "write.briefing"), 20 + 2);
	assert_near(item(&f, "write.paper"), 10);
	int dropped = 0;
	for (size_t i = 0; i < f.trace.n; i++)
		if (f.trace.ev[i].kind == XF_T_ACTIVITY) {
			assert_int_equal(f.trace.ev[i].index, 1); /* the national one kept */
			dropped++;
		}
	assert_int_equal(dropped, 2);
	teardown(&f);
}

/* 各类获奖文章，双倍计算学分; write capped at 40. */
static void test_awarded_and_caps(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	xf_record r[3];
	r[0] = rec(f.p, "write.paper", "city");
	r[0].bits = XF_R_AWARDED;
	r[1] = rec(f.p, "read.book", NULL);
	r[1].count = 3;
	r[2] = rec(f.p, "write.briefing", "district");
	run(&f, r, 3, NULL, 0);
	assert_near(item(&f, "write.paper"), 30);
	assert_near(item(&f, "read.book"), 4); /* 6 capped at 4 */
	assert_near(f.r.categories[xf_policy_category(f.p, "write")], 35);
	r[2].count = 3; /* 30 + 15 = 45 -> 40 */
	run(&f, r, 3, NULL, 0);
	assert_near(f.r.categories[xf_policy_category(f.p, "write")], 40);
	assert_near(f.r.total, 44);
	teardown(&f);
}

/* 学习强国: each month over 640 gives floor((v - 640) / 30), item cap 16. */
static void test_xxqg_steps(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	int metric = xf_policy_metric(f.p, "xxqg");
	assert_true(metric >= 0);
	static const struct { double v; double want; } rows[] = {
		{640, 0}, {669, 0}, {670, 1}, {700, 2}, {820, 6}, {0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_metric m = {0, (int16_t)metric, 2025, 3, rows[i].v};
		run(&f, NULL, 0, &m, 1);
		assert_near(item(&f, "read.xxqg"), rows[i].want);
	}
	xf_metric months[4] = {
		{0, (int16_t)metric, 2025, 1, 940}, /* 10 */
		{1, (int16_t)metric, 2025, 2, 940}, /* 10 */
		{2, (int16_t)metric, 2024, 3, 940}, /* other year */
		{3, (int16_t)metric, 2025, 1, 30},  /* same month: 970 -> 11 */
	};
	run(&f, NULL, 0, months, 4);
	assert_near(item(&f, "read.xxqg"), 16); /* 21 capped */
	teardown(&f);
}

/* 第九条至第十二条: required by role, prorated by counted months. */
static void test_proration(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	xf_period periods[2];
	static const struct {
		const char *role;
		xf_date joined;
		int nperiods;
		xf_period p[2];
		bool exempt;
		double required;
	} rows[] = {
		{"leader", 20090101, 0, {{0}}, false, 70},
		{"staff", 20250701, 0, {{0}}, false, 25},
		{"staff", 20250715, 0, {{0}}, false, 25},
		{"section_head", 20250101, 0, {{0}}, false, 60},
		{"leader", 20090101, 1, {{XF_PERIOD_SICK_LEAVE, 20250901, 20251031, true}}, false, 58.33},
		{"staff", 20090101, 1, {{XF_PERIOD_SICK_LEAVE, 20250101, 20250630, true}}, false, 25},
		{"staff", 20090101, 1, {{XF_PERIOD_SICK_LEAVE, 20250101, 20250731, true}}, true, 0},
		{"staff", 20090101, 2, {{XF_PERIOD_SICK_LEAVE, 20250101, 20250331, true},
					{XF_PERIOD_SICK_LEAVE, 20250201, 20250430, true}}, false, 33.33},
		{"staff", 20090101, 1, {{XF_PERIOD_SECONDMENT, 20241001, 20250331, true}}, false, 37.5},
		{"staff", 20090101, 1, {{XF_PERIOD_SECONDMENT, 20250101, 20250131, false}}, true, 0},
		{"staff", 20090101, 1, {{XF_PERIOD_SECONDMENT, 20230101, 20231231, false}}, false, 50},
		{"staff", 20090101, 1, {{XF_PERIOD_LEAVE, 20250101, 20251231, true}}, false, 50},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		f.person.role = xf_policy_role(f.p, rows[i].role);
		f.person.joined = rows[i].joined;
		memcpy(periods, rows[i].p, sizeof(periods));
		f.person.periods = periods;
		f.person.nperiods = (size_t)rows[i].nperiods;
		run(&f, NULL, 0, NULL, 0);
		assert_int_equal(f.r.exempt, rows[i].exempt);
		if (rows[i].exempt) {
			assert_false(f.r.has_required);
			assert_int_equal(f.r.met, XF_NULL);
		} else {
			assert_near(f.r.required, rows[i].required);
		}
	}
	teardown(&f);
}

/* Kunshan: class hours, once-a-year items, speaker variant, caps, grade. */
static void test_kunshan_items(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "kunshan-cadre");
	xf_record r[6];
	r[0] = rec(f.p, "online.xxqg", NULL);
	r[1] = rec(f.p, "online.xxqg", NULL);
	r[2] = rec(f.p, "study.central_group", NULL);
	r[2].count = 3;
	r[2].bits = XF_R_SPEAKER;
	r[3] = rec(f.p, "fulltime.secondment", NULL);
	r[3].months = 2;
	r[4] = rec(f.p, "fulltime.class_day", NULL);
	r[4].days = 3;
	r[4].bits = XF_R_PASSED_SET;
	r[5] = rec(f.p, "study.book_reflection", NULL);
	r[5].count = 3;
	run(&f, r, 6, NULL, 0);
	assert_near(item(&f, "online.xxqg"), 5);
	assert_near(item(&f, "study.central_group"), 6);
	assert_near(item(&f, "fulltime.secondment"), 0);
	assert_near(item(&f, "fulltime.class_day"), 0);
	assert_near(item(&f, "study.book_reflection"), 5);
	r[3].months = 3;
	run(&f, r, 6, NULL, 0);
	assert_near(item(&f, "fulltime.secondment"), 9);
	teardown(&f);
}

/* Kunshan grade bands on final, vetoes, pass lines, annualisation. */
static void test_kunshan_grades(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "kunshan-cadre");
	/* menu: 5 city lectures = 25 (passes); online: 50 hours = 25 (passes);
	 * the rest from self-study topics (3 each, category cap 10) and
	 * fulltime class days (2 each, cap 15). */
	xf_record r[4];
	r[0] = rec(f.p, "menu.city_lecture", NULL);
	r[0].count = 5;
	r[1] = rec(f.p, "online.course", NULL);
	r[1].hours = 50;
	r[2] = rec(f.p, "fulltime.class_day", NULL);
	r[3] = rec(f.p, "study.superior_group", NULL);
	static const struct {
		double lectures, online_hours, class_days, superior, total;
		const char *grade;
	} g[] = {
		{5, 50, 4.5, 0.5, 59.5, "fail"},
		{5, 50, 5, 0, 60, "pass"},
		{5, 50, 7, 10.5, 74.5, "pass"},
		{5, 50, 7.5, 10, 75, "good"},
		{6, 60, 7.5, 14.5, 89.5, "good"},
		{6, 60, 7.5, 15, 90, "excellent"},
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		r[0].count = g[i].lectures;
		r[1].hours = g[i].online_hours;
		r[2].days = g[i].class_days;
		r[3].count = g[i].superior;
		run(&f, r, 4, NULL, 0);
		assert_near(f.r.total, g[i].total);
		assert_string_equal(f.p->grades[f.r.grade].key, g[i].grade);
	}
	/* menu under its pass line (4 city lectures = 20 < 24): fail whatever */
	r[0].count = 4;
	r[2].days = 7.5;
	r[3].count = 15;
	run(&f, r, 4, NULL, 0);
	assert_string_equal(f.p->grades[f.r.grade].key, "fail");
	r[0].count = 5;
	f.person.flags = 1u << xf_policy_flag(f.p, "discipline_violation");
	run(&f, r, 4, NULL, 0);
	assert_string_equal(f.p->grades[f.r.grade].key, "fail");
	f.person.flags = 0;

	/* joined 2025-06-xx: Jul..Dec = 6 months, annualised; 2025-07: exempt */
	f.person.joined = 20250615;
	r[2].days = 0;
	r[3].count = 0;
	run(&f, r, 4, NULL, 0); /* total 25 + 30 = 55 over 6 months */
	assert_false(f.r.exempt);
	assert_int_equal(f.r.months, 6);
	assert_near(f.r.final, 100); /* 55 x 100 / 49.8 = 110.4 -> capped */
	r[1].hours = 0;
	run(&f, r, 4, NULL, 0); /* total 25: 25 x 100 / 49.8 = 50.2 */
	assert_near(f.r.final, 50.2);
	f.person.joined = 20250701;
	run(&f, r, 4, NULL, 0);
	assert_true(f.r.exempt);
	assert_string_equal(f.p->exempt[f.r.exempt_rule].reason, "new_appointee");
	assert_int_equal(f.r.grade, -1);
	teardown(&f);
}

/* Loudi: class hours = round half-up(minutes / 45). */
static void test_class_hours(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "loudi-online");
	static const struct { int minutes; double want; } rows[] = {
		{22, 0}, {23, 1}, {45, 1}, {67, 1}, {68, 2}, {135, 3}, {0, 0}, {-1, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_record r = rec(f.p, "online.required_course", NULL);
		r.minutes = rows[i].minutes;
		run(&f, &r, 1, NULL, 0);
		assert_near(item(&f, "online.required_course"), rows[i].want);
	}
	xf_record r = rec(f.p, "online.elective_course", NULL);
	r.minutes = 68;
	run(&f, &r, 1, NULL, 0);
	assert_near(item(&f, "online.elective_course"), 1);
	r.bits = XF_R_NOT_COMPLETED;
	run(&f, &r, 1, NULL, 0);
	assert_near(item(&f, "online.elective_course"), 0);
	teardown(&f);
}

/* Absurd but valid magnitudes are capped, never undefined behaviour. */
static void test_huge_values(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	xf_record r = rec(f.p, "listen.training", "national");
	r.days = 1e300;
	int metric = xf_policy_metric(f.p, "xxqg");
	xf_metric m = {0, (int16_t)metric, 2025, 5, 1e300};
	run(&f, &r, 1, &m, 1);
	assert_near(f.r.categories[xf_policy_category(f.p, "listen")], 40);
	assert_near(item(&f, "read.xxqg"), 16);
	teardown(&f);
}

/* Records outside the year are ignored and traced. */
static void test_other_year(void **state)
{
	(void)state;
	fixture f;
	setup(&f, "bigdata-bureau");
	xf_record r = rec(f.p, "read.book", NULL);
	r.date = 20241231;
	run(&f, &r, 1, NULL, 0);
	assert_near(item(&f, "read.book"), 0);
	assert_int_equal(f.trace.ev[0].kind, XF_T_OTHER_YEAR);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_training_exclusions),
		cmocka_unit_test(test_training_sessions),
		cmocka_unit_test(test_same_activity),
		cmocka_unit_test(test_awarded_and_caps),
		cmocka_unit_test(test_xxqg_steps),
		cmocka_unit_test(test_proration),
		cmocka_unit_test(test_kunshan_items),
		cmocka_unit_test(test_kunshan_grades),
		cmocka_unit_test(test_class_hours),
		cmocka_unit_test(test_other_year),
		cmocka_unit_test(test_huge_values),
	};
	return cmocka_run_group_tests_name("engine/engine", tests, NULL, NULL);
}
