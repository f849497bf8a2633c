/* Unit tests for src/policy/policy_load.c and policy.c: the shipped
 * policies compile to what policies.md says, bad policy files give one
 * located message per problem, and the lookups and resolver work. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"

/* cmocka 1.1 compares floats in single precision; credits need double. */
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9)

/* ---- Helpers ---------------------------------------------------------- */

static xf_policy *builtin(const char *id)
{
	xf_errs e;
	xf_errs_init(&e);
	xf_policy *p = xf_policy_resolve(id, NULL, &e);
	if (p == NULL)
		xf_errs_print(&e, "unexpected: ", stderr);
	xf_errs_cleanup(&e);
	assert_non_null(p);
	return p;
}

static xf_policy *parse_ok(const char *yaml)
{
	xf_errs e;
	xf_errs_init(&e);
	xf_policy *p = xf_policy_parse(yaml, strlen(yaml), "t.yaml", &e);
	if (p == NULL)
		xf_errs_print(&e, "unexpected: ", stderr);
	assert_non_null(p);
	assert_int_equal(xf_errs_count(&e), 0);
	xf_errs_cleanup(&e);
	return p;
}

static bool has_prefix(const xf_errs *e, const char *want)
{
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->msgs[i], want, strlen(want)) == 0)
			return true;
	return false;
}

/* Parses yaml and checks that it fails with a message starting with
 * `want`; prints what it got otherwise. Returns whether it did. */
static bool check_bad(const char *yaml, size_t len, const char *want)
{
	xf_errs e;
	xf_errs_init(&e);
	xf_policy *p = xf_policy_parse(yaml, len, "t.yaml", &e);
	bool ok = p == NULL && has_prefix(&e, want);
	if (!ok) {
		fprintf(stderr, "input:\n%.*s\nwanted a message starting: %s\n",
			(int)(len < 2000 ? len : 2000), yaml, want);
		xf_errs_print(&e, "  got: ", stderr);
	}
	xf_policy_free(p);
	xf_errs_cleanup(&e);
	return ok;
}

static void parse_bad(const char *yaml, size_t len, const char *want)
{
	assert_true(check_bad(yaml, len, want));
}

/* ---- The shipped policies --------------------------------------------- */

static void test_builtins_load(void **state)
{
	(void)state;
	assert_int_equal(xf_builtin_policy_count, 5);
	for (size_t i = 0; i < xf_builtin_policy_count; i++) {
		const char *id = xf_builtin_policies[i].id;
		xf_policy *p = builtin(id);
		assert_string_equal(p->id, id);
		char path[128];
		snprintf(path, sizeof(path), "builtin:%s", id);
		assert_string_equal(p->path, path);
		assert_non_null(p->title);
		/* Items of a category are contiguous and point back to it. */
		for (int c = 0; c < p->ncategories; c++) {
			const xf_category *cat = &p->categories[c];
			for (int k = 0; k < cat->nitems; k++)
				assert_int_equal(
					p->items[cat->first_item + k].category, c);
		}
		for (int k = 0; k < p->nitems; k++)
			assert_true(p->items[k].exclude & XF_EX_NOT_APPROVED);
		xf_policy_free(p);
	}
	assert_null(xf_builtin_policies[xf_builtin_policy_count].id);
}

static void test_bigdata(void **state)
{
	(void)state;
	xf_policy *p = builtin("bigdata-bureau");
	int city = xf_policy_level(p, "city");
	int bureau = xf_policy_level(p, "bureau");
	int paper = xf_policy_level(p, "district_paper");
	assert_int_equal(p->nlevels, 5);
	assert_int_equal(bureau, 0);
	assert_true(city >= 0 && paper >= 0);

	int listen = xf_policy_category(p, "listen");
	assert_near(p->categories[listen].cap, 40);
	assert_near(p->categories[xf_policy_category(p, "read")].cap, 20);
	assert_near(p->categories[xf_policy_category(p, "write")].cap, 40);

	const xf_item *t = &p->items[xf_policy_item(p, "listen.training")];
	assert_int_equal(t->per, XF_PER_SESSION);
	assert_int_equal(t->session_days, 2);
	assert_non_null(t->level_points);
	assert_near(t->level_points[city], 4);
	assert_near(t->level_points[xf_policy_level(p, "national")], 5);
	assert_near(t->level_points[xf_policy_level(p, "district")], 3);
	assert_near(t->level_points[bureau], 2);
	assert_true(isnan(t->level_points[paper]));
	assert_true(isinf(t->cap));
	uint32_t want = XF_EX_NOT_APPROVED | XF_EX_KIND | XF_EX_MIN_MINUTES |
			XF_EX_MIN_SCORE | XF_EX_NOT_PASSED |
			XF_EX_HALF_ATTENDED | XF_EX_ONLINE_INCOMPLETE;
	assert_int_equal(t->exclude, want);
	int wm = xf_policy_kind(p, "work_meeting");
	assert_true(wm >= 0);
	assert_int_equal(t->exclude_kinds, 1u << wm);
	assert_near(t->min_minutes, 60);
	assert_near(t->min_score, 60);
	assert_true(isnan(t->speaker_points));
	assert_near(t->awarded_multiplier, 1);

	const xf_item *book = &p->items[xf_policy_item(p, "read.book")];
	assert_int_equal(book->per, XF_PER_COUNT);
	assert_null(book->level_points);
	assert_near(book->points, 2);
	assert_near(book->cap, 4);

	const xf_item *x = &p->items[xf_policy_item(p, "read.xxqg")];
	assert_int_equal(x->per, XF_PER_METRIC);
	assert_int_equal(x->metric, xf_policy_metric(p, "xxqg"));
	assert_true(x->metric >= 0);
	assert_near(x->step_above, 640);
	assert_near(x->step_size, 30);
	assert_near(x->points, 1);
	assert_near(x->cap, 16);

	const xf_item *b = &p->items[xf_policy_item(p, "write.briefing")];
	assert_near(b->level_points[paper], 2);
	assert_near(b->level_points[xf_policy_level(p, "national")], 20);
	assert_true(isnan(b->level_points[bureau]));
	assert_near(b->awarded_multiplier, 2);
	const xf_item *pa = &p->items[xf_policy_item(p, "write.paper")];
	assert_near(pa->level_points[xf_policy_level(p, "district")], 10);
	assert_near(pa->awarded_multiplier, 2);

	assert_true(p->has_required);
	assert_int_equal(p->nroles, 3);
	assert_near(p->roles[xf_policy_role(p, "leader")].required, 70);
	assert_near(p->roles[xf_policy_role(p, "section_head")].required, 60);
	assert_near(p->roles[xf_policy_role(p, "staff")].required, 50);
	assert_true(p->prorate);
	assert_int_equal(p->join_rule, XF_JOIN_SAME_MONTH);
	assert_int_equal(p->uncounted_periods,
			 (1u << XF_PERIOD_SECONDMENT) | (1u << XF_PERIOD_SICK_LEAVE));
	assert_int_equal(p->nexempt, 2);
	assert_string_equal(p->exempt[0].reason, "not_participating");
	assert_int_equal(p->exempt[0].when, XF_EXEMPT_NOT_PARTICIPATING);
	assert_string_equal(p->exempt[1].reason, "sick_leave");
	assert_int_equal(p->exempt[1].when, XF_EXEMPT_PERIOD_MONTHS_OVER);
	assert_int_equal(p->exempt[1].period_kinds, 1u << XF_PERIOD_SICK_LEAVE);
	assert_int_equal(p->exempt[1].months, 6);
	assert_true(p->has_award);
	assert_near(p->award_quota, 0.15);
	assert_true(p->award_needs_met);
	assert_int_equal(p->ngrades, 0);
	assert_int_equal(p->fail_grade, -1);
	assert_false(p->has_growth);
	assert_int_equal(p->growth_metric, -1);
	assert_false(p->annualise);
	xf_policy_free(p);
}

/* The measure words of the bureau's items, as messages say them. */
static void test_item_measure(void **state)
{
	(void)state;
	xf_policy *p = builtin("bigdata-bureau");
	static const struct { const char *item, *word; } rows[] = {
		{"listen.training", "次"}, {"read.book", "本"}, {"read.xxqg", "分"},
		{"write.briefing", "篇"}, {"write.paper", "篇"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int k = xf_policy_item(p, rows[i].item);
		assert_true(k >= 0);
		assert_string_equal(xf_item_measure(&p->items[k]), rows[i].word);
	}
	xf_policy_free(p);
}

static void test_kunshan(void **state)
{
	(void)state;
	xf_policy *p = builtin("kunshan-cadre");
	static const char *const reasons[] = {
		"leave", "retiring", "new_appointee", "secondment", "exempt"};
	static const xf_exempt_when whens[] = {
		XF_EXEMPT_PERIOD_MONTHS_OVER, XF_EXEMPT_FLAG,
		XF_EXEMPT_NEW_MONTHS_BELOW, XF_EXEMPT_PERIOD_MONTHS_AT_LEAST,
		XF_EXEMPT_FLAG};
	assert_int_equal(p->nexempt, 5);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(p->exempt[i].reason, reasons[i]);
		assert_int_equal(p->exempt[i].when, whens[i]);
	}
	assert_int_equal(p->exempt[0].period_kinds,
			 (1u << XF_PERIOD_SICK_LEAVE) | (1u << XF_PERIOD_LEAVE));
	assert_int_equal(p->exempt[0].months, 6);
	assert_int_equal(p->exempt[1].flag, xf_policy_flag(p, "retiring"));
	assert_int_equal(p->exempt[2].months, 6);
	assert_int_equal(p->exempt[3].period_kinds, 1u << XF_PERIOD_SECONDMENT);
	assert_int_equal(p->exempt[3].months, 6);
	assert_int_equal(p->exempt[4].flag, xf_policy_flag(p, "exempt"));

	assert_int_equal(p->ncategories, 5);
	assert_int_equal(p->nitems, 15);
	static const struct { const char *key; double cap; } caps[] = {
		{"fulltime", 15}, {"menu", 30}, {"online", 30}, {"study", 15},
		{"self", 10}};
	for (size_t i = 0; i < 5; i++)
		assert_near(p->categories[xf_policy_category(p, caps[i].key)].cap,
			    caps[i].cap);

	const xf_category *menu = &p->categories[xf_policy_category(p, "menu")];
	assert_true(menu->has_pass);
	assert_near(menu->pass_min, 24);
	assert_int_equal(menu->npass_counts, 1);
	assert_int_equal(menu->pass_count_items[0],
			 xf_policy_item(p, "menu.city_lecture"));
	assert_near(menu->pass_count_min[0], 4);
	const xf_category *online = &p->categories[xf_policy_category(p, "online")];
	assert_true(online->has_pass);
	assert_near(online->pass_min, 25);
	assert_int_equal(online->npass_counts, 0);
	assert_false(p->categories[xf_policy_category(p, "study")].has_pass);

	static const struct {
		const char *key;
		xf_per per;
		double points, cap;
		uint32_t exclude;
	} items[] = {
		{"fulltime.class_day", XF_PER_DAY, 2, INFINITY, XF_EX_NOT_PASSED},
		{"fulltime.speech", XF_PER_COUNT, 5, INFINITY, 0},
		{"fulltime.reflection", XF_PER_COUNT, 2, INFINITY, 0},
		{"fulltime.secondment", XF_PER_MONTH, 3, INFINITY, XF_EX_MIN_UNITS},
		{"menu.city_lecture", XF_PER_COUNT, 5, INFINITY, 0},
		{"menu.other_lecture", XF_PER_COUNT, 4, INFINITY, 0},
		{"online.course", XF_PER_HOUR, 0.5, INFINITY, 0},
		{"online.xxqg", XF_PER_YEAR, 5, INFINITY, 0},
		{"study.central_group", XF_PER_COUNT, 1, INFINITY, 0},
		{"study.superior_group", XF_PER_COUNT, 1, INFINITY, 0},
		{"study.book_reflection", XF_PER_COUNT, 2, 5, 0},
		{"self.research", XF_PER_COUNT, 3, 5, 0},
		{"self.essay", XF_PER_COUNT, 2, 5, 0},
		{"self.lecture", XF_PER_COUNT, 3, INFINITY, 0},
		{"self.faculty_lecture", XF_PER_COUNT, 5, INFINITY, 0},
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		int k = xf_policy_item(p, items[i].key);
		assert_int_equal(k, (int)i); /* file order */
		const xf_item *it = &p->items[k];
		assert_int_equal(it->per, items[i].per);
		assert_null(it->level_points);
		assert_near(it->points, items[i].points);
		if (isinf(items[i].cap))
			assert_true(isinf(it->cap));
		else
			assert_near(it->cap, items[i].cap);
		assert_int_equal(it->exclude, XF_EX_NOT_APPROVED | items[i].exclude);
	}
	assert_near(p->items[xf_policy_item(p, "fulltime.secondment")].min_units, 3);
	assert_near(p->items[xf_policy_item(p, "study.central_group")].speaker_points, 2);

	assert_false(p->has_required);
	assert_int_equal(p->join_rule, XF_JOIN_NEXT_MONTH);
	assert_int_equal(p->uncounted_periods, 0);
	assert_true(p->annualise);
	assert_near(p->annualise_per_month, 8.3);
	assert_near(p->annualise_full, 100);

	static const char *const bands[] = {"excellent", "good", "pass", "fail"};
	static const double mins[] = {90, 75, 60, 0};
	assert_int_equal(p->ngrades, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(p->grades[i].key, bands[i]);
		assert_near(p->grades[i].min, mins[i]);
	}
	assert_int_equal(p->fail_grade, 3);
	assert_int_equal(p->veto_flags,
			 (1u << xf_policy_flag(p, "absent_mandated_training")) |
			 (1u << xf_policy_flag(p, "discipline_violation")));
	assert_int_equal(p->veto_unpassed,
			 (1u << xf_policy_category(p, "menu")) |
			 (1u << xf_policy_category(p, "online")));
	assert_int_equal(p->nresult_flags, 1);
	assert_string_equal(p->result_flags[0].key, "sub_health");
	assert_int_equal(p->result_flags[0].when, XF_RFLAG_GRADE_STREAK);
	assert_int_equal(p->result_flags[0].grade, 3);
	assert_int_equal(p->result_flags[0].years, 1);
	assert_false(p->has_award);
	xf_policy_free(p);
}

static void test_loudi(void **state)
{
	(void)state;
	xf_policy *p = builtin("loudi-online");
	assert_int_equal(p->ncategories, 1);
	assert_true(isinf(p->categories[0].cap));
	const xf_item *req = &p->items[xf_policy_item(p, "online.required_course")];
	assert_int_equal(req->per, XF_PER_CLASS_HOUR);
	assert_int_equal(req->class_hour_minutes, 45);
	assert_near(req->points, 1);
	assert_int_equal(req->exclude, XF_EX_NOT_APPROVED | XF_EX_NOT_COMPLETED);
	const xf_item *el = &p->items[xf_policy_item(p, "online.elective_course")];
	assert_near(el->points, 0.5);
	const xf_item *sp = &p->items[xf_policy_item(p, "online.special_course")];
	assert_int_equal(sp->per, XF_PER_CREDITS);
	assert_near(sp->points, 1);
	assert_int_equal(sp->exclude, XF_EX_NOT_APPROVED | XF_EX_NOT_COMPLETED);
	const xf_item *ex = &p->items[xf_policy_item(p, "online.exam")];
	assert_int_equal(ex->per, XF_PER_CREDITS);
	assert_int_equal(ex->exclude, XF_EX_NOT_APPROVED | XF_EX_UNLESS_PASSED);

	assert_true(p->has_required);
	assert_int_equal(p->nroles, 0);
	assert_near(p->required, 40);
	assert_false(p->prorate);
	assert_int_equal(p->nrequire_items, 1);
	assert_int_equal(p->require_items[0], xf_policy_item(p, "online.required_course"));
	assert_near(p->require_item_min[0], 24);
	assert_int_equal(p->nitem_outputs, 1);
	assert_string_equal(p->item_outputs[0].key, "required_course_credits");
	assert_int_equal(p->item_outputs[0].item, xf_policy_item(p, "online.required_course"));
	assert_int_equal(p->ngrades, 0);
	xf_policy_free(p);
}

static void test_xxqg(void **state)
{
	(void)state;
	xf_policy *p = builtin("xxqg-branch");
	assert_int_equal(p->ncategories, 0);
	assert_int_equal(p->nitems, 0);
	assert_int_equal(p->nmetrics, 1);
	assert_string_equal(p->metrics[0], "xxqg");
	assert_true(p->has_growth);
	assert_int_equal(p->growth_metric, 0);
	assert_string_equal(p->growth_key, "growth");
	assert_int_equal(p->ngrowth_flags, 2);
	assert_string_equal(p->growth_flags[0].key, "activist");
	assert_near(p->growth_flags[0].min, 6000);
	assert_string_equal(p->growth_flags[1].key, "award_eligible");
	assert_near(p->growth_flags[1].min, 6000);
	assert_true(p->has_groups);
	assert_string_equal(p->group_name, "党支部");
	assert_int_equal(p->bottom_n, 3);
	assert_true(p->best_group);
	assert_false(p->has_required);
	xf_policy_free(p);
}

static void test_planning(void **state)
{
	(void)state;
	xf_policy *p = builtin("planning-bureau-member");
	static const struct { const char *key; double max; } sections[] = {
		{"plan", 15}, {"active", 20}, {"apply", 15}, {"effect", 50}};
	static const struct { const char *key; double max; } lines[] = {
		{"plan.goal", 7}, {"plan.analysis", 8},
		{"active.collective", 8}, {"active.inservice", 4},
		{"active.contest", 5}, {"active.campaign", 3},
		{"apply.research", 7}, {"apply.summary", 8},
		{"effect.tools", 6}, {"effect.exam", 10}, {"effect.duty", 10},
		{"effect.innovation", 6}, {"effect.degree", 5},
		{"effect.skill", 13}};
	assert_int_equal(p->nsections, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(p->sections[i].key, sections[i].key);
		assert_near(p->sections[i].max, sections[i].max);
	}
	assert_int_equal(p->nlines, 14);
	for (int i = 0; i < 14; i++) {
		assert_int_equal(xf_policy_line(p, lines[i].key), i);
		assert_near(p->lines[i].max, lines[i].max);
		const char *dot = strchr(lines[i].key, '.');
		assert_int_equal(strncmp(p->sections[p->lines[i].section].key,
					 lines[i].key,
					 (size_t)(dot - lines[i].key)), 0);
	}
	assert_int_equal(p->nresult_flags, 1);
	assert_string_equal(p->result_flags[0].key, "learning_member");
	assert_int_equal(p->result_flags[0].when, XF_RFLAG_TOTAL_AT_LEAST);
	assert_near(p->result_flags[0].min_total, 95);
	assert_int_equal(p->ncategories, 0);
	xf_policy_free(p);
}

/* ---- Defaults, sorting, lookups --------------------------------------- */

static const char minimal[] =
	"id: t\n"
	"title: T\n"
	"levels:\n"
	"  - {key: low, name: 低}\n"
	"  - {key: high, name: 高}\n"
	"categories:\n"
	"  - key: c\n"
	"    name: C\n"
	"    items:\n"
	"      - {key: a, name: A, per: count, points: 1}\n"
	"      - {key: b, name: B, per: credits}\n"
	"      - {key: s, name: S, per: session, points: {high: 2}}\n";

static void test_defaults(void **state)
{
	(void)state;
	xf_policy *p = parse_ok(minimal);
	assert_string_equal(p->path, "t.yaml");
	assert_null(p->source);
	const xf_item *a = &p->items[0];
	assert_string_equal(a->key, "c.a");
	assert_null(a->article);
	assert_null(a->level_points);
	assert_true(isinf(a->cap));
	assert_true(isnan(a->speaker_points));
	assert_near(a->awarded_multiplier, 1);
	assert_int_equal(a->metric, -1);
	assert_int_equal(a->exclude, XF_EX_NOT_APPROVED);
	assert_near(p->items[1].points, 1); /* per: credits */
	const xf_item *s = &p->items[2];
	assert_int_equal(s->session_days, 1);
	assert_true(isnan(s->level_points[0]));
	assert_near(s->level_points[1], 2);
	assert_true(isinf(p->categories[0].cap));
	assert_int_equal(p->categories[0].first_item, 0);
	assert_int_equal(p->categories[0].nitems, 3);
	assert_false(p->has_required);
	assert_int_equal(p->fail_grade, -1);
	assert_int_equal(p->growth_metric, -1);
	assert_int_equal(p->join_rule, XF_JOIN_SAME_MONTH);
	xf_policy_free(p);
}

static void test_grades_sorted(void **state)
{
	(void)state;
	xf_policy *p = parse_ok(
		"id: t\ntitle: T\n"
		"grades:\n"
		"  bands:\n"
		"    - {key: fail, name: 不合格, min: 0}\n"
		"    - {key: excellent, name: 优秀, min: 90}\n"
		"    - {key: pass, name: 合格, min: 75}\n"
		"  fail: fail\n");
	assert_int_equal(p->ngrades, 3);
	assert_string_equal(p->grades[0].key, "excellent");
	assert_string_equal(p->grades[1].key, "pass");
	assert_string_equal(p->grades[2].key, "fail");
	assert_int_equal(p->fail_grade, 2);
	assert_int_equal(xf_policy_grade(p, "pass"), 1);
	xf_policy_free(p);
}

static void test_lookups(void **state)
{
	(void)state;
	xf_policy *p = builtin("bigdata-bureau");
	assert_int_equal(xf_policy_item(p, "listen.training"), 0);
	assert_int_equal(xf_policy_item(p, "training"), -1);
	assert_int_equal(xf_policy_item(p, NULL), -1);
	assert_int_equal(xf_policy_category(p, "write"), 2);
	assert_int_equal(xf_policy_category(p, "nope"), -1);
	assert_int_equal(xf_policy_level(p, "nope"), -1);
	assert_int_equal(xf_policy_role(p, "staff"), 2);
	assert_int_equal(xf_policy_flag(p, "retiring"), -1);
	assert_int_equal(xf_policy_kind(p, "lecture"), -1);
	assert_int_equal(xf_policy_metric(p, "xxqg"), 0);
	assert_int_equal(xf_policy_line(p, "plan.goal"), -1);
	assert_int_equal(xf_policy_grade(p, "fail"), -1);
	xf_policy_free(p);
}

/* ---- Resolving -------------------------------------------------------- */

static void test_resolve(void **state)
{
	(void)state;
	char dir[] = "/tmp/xf_policy_testXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof(path), "%s/mine.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(minimal, f);
	fclose(f);

	xf_errs e;
	xf_errs_init(&e);
	/* Absolute path. */
	xf_policy *p = xf_policy_resolve(path, NULL, &e);
	assert_non_null(p);
	assert_string_equal(p->path, path);
	xf_policy_free(p);
	/* Relative path, found next to the case file. */
	p = xf_policy_resolve("mine.yaml", dir, &e);
	assert_non_null(p);
	assert_string_equal(p->path, path);
	xf_policy_free(p);
	assert_int_equal(xf_errs_count(&e), 0);

	/* Unknown id, missing file. */
	assert_null(xf_policy_resolve("no-such-policy", dir, &e));
	assert_true(has_prefix(&e, "no-such-policy: 未知的学分办法"));
	assert_null(xf_policy_resolve("gone.yaml", dir, &e));
	assert_true(has_prefix(&e, "gone.yaml: 找不到学分办法文件"));
	assert_null(xf_policy_resolve("", dir, &e));
	xf_errs_cleanup(&e);
	unlink(path);
	rmdir(dir);
}

/* ---- Bad policies ----------------------------------------------------- */

#define HEAD "id: t\ntitle: T\n"
#define LEVELS "levels:\n  - {key: low, name: 低}\n  - {key: high, name: 高}\n"
#define CAT "categories:\n  - key: c\n    name: C\n"

static const struct {
	const char *what;
	const char *yaml;
	const char *want;
} bad[] = {
	{"unknown key", HEAD "colour: red\n",
	 "t.yaml:3:1: colour: 未知的键 (unknown key; expected one of: id, title"},
	{"unknown nested key", HEAD CAT "    items:\n"
	 "      - {key: a, name: A, per: count, points: 1, colour: 2}\n",
	 "t.yaml:7:50: categories[0].items[0].colour: 未知的键"},
	{"missing id", "title: T\n",
	 "t.yaml:1:1: id: 缺少必需的键 (missing required key)"},
	{"missing items", HEAD CAT,
	 "t.yaml:4:5: categories[0].items: 缺少必需的键"},
	{"missing per", HEAD CAT "    items:\n      - {key: a, name: A, points: 1}\n",
	 "t.yaml:7:9: categories[0].items[0].per: 缺少必需的键"},
	{"missing points", HEAD CAT "    items:\n      - {key: a, name: A, per: day}\n",
	 "t.yaml:7:9: categories[0].items[0].points: 缺少必需的键"},
	{"list expected", HEAD "levels: 3\n",
	 "t.yaml:3:9: levels: 应为列表 (expected a list)"},
	{"mapping expected", HEAD "requirement: [1]\n",
	 "t.yaml:3:14: requirement: 应为映射 (expected a mapping)"},
	{"number expected", HEAD CAT "    cap: lots\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字 (expected a number)"},
	{"quoted number", HEAD CAT "    cap: \"5\"\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字"},
	{"null number", HEAD CAT "    cap: ~\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字"},
	{"nan", HEAD CAT "    cap: .nan\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字"},
	{"inf", HEAD CAT "    cap: .inf\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字"},
	{"huge", HEAD CAT "    cap: 1" "00000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	 "\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为数字"},
	{"negative cap", HEAD CAT "    cap: -1\n    items: [{key: a, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:10: categories[0].cap: 应为非负数 (expected a number >= 0)"},
	{"negative item cap", HEAD CAT "    items: [{key: a, name: A, per: day, points: 1, cap: -0.5}]\n",
	 "t.yaml:6:57: categories[0].items[0].cap: 应为非负数"},
	{"negative level points", HEAD LEVELS CAT
	 "    items: [{key: a, name: A, per: day, points: {low: -2}}]\n",
	 "t.yaml:9:55: categories[0].items[0].points.low: 应为非负数"},
	{"bool expected", HEAD CAT "    items: [{key: a, name: A, per: day, points: 1, exclude: {not_passed: yes}}]\n",
	 "t.yaml:6:74: categories[0].items[0].exclude.not_passed: 应为 true 或 false"},
	{"bad per", HEAD CAT "    items: [{key: a, name: A, per: week, points: 1}]\n",
	 "t.yaml:6:36: categories[0].items[0].per: 应为以下之一：count, day"},
	{"bad identifier", HEAD CAT "    items: [{key: Big-A, name: A, per: day, points: 1}]\n",
	 "t.yaml:6:19: categories[0].items[0].key: 应为标识符 [a-z0-9_]+"},
	{"bad policy id", "id: T!\ntitle: T\n",
	 "t.yaml:1:5: id: 应为标识符 [a-z0-9_-]+"},
	{"empty name", HEAD CAT "    items: [{key: a, name: '', per: day, points: 1}]\n",
	 "t.yaml:6:28: categories[0].items[0].name: 不能为空"},
	{"unknown level", HEAD LEVELS CAT
	 "    items: [{key: a, name: A, per: count, points: {mid: 2}}]\n",
	 "t.yaml:9:52: categories[0].items[0].points.mid: 未知的级别"},
	{"level points without levels", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: {city: 2}}]\n",
	 "t.yaml:6:52: categories[0].items[0].points.city: 未知的级别"},
	{"unknown pass item", HEAD CAT "    pass: {min: 1, counts: {zz: 1}}\n"
	 "    items: [{key: a, name: A, per: count, points: 1}]\n",
	 "t.yaml:6:29: categories[0].pass.counts.zz: 本类别中没有此项目"},
	{"unknown items_at_least item", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: 1}]\n"
	 "requirement: {required: 5, items_at_least: {c.zz: 1}}\n",
	 "t.yaml:7:45: requirement.items_at_least.c.zz: 未知的项目 (unknown item)"},
	{"unknown output item", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: 1}]\n"
	 "outputs: {x: c.zz}\n",
	 "t.yaml:7:14: outputs.x: 未知的项目 (unknown item)"},
	{"metric without metric", HEAD "metrics: [xxqg]\n" CAT
	 "    items: [{key: a, name: A, per: metric, points: 1}]\n",
	 "t.yaml:7:13: categories[0].items[0].metric: per: metric 需要此键"},
	{"unknown metric", HEAD CAT
	 "    items: [{key: a, name: A, per: metric, points: 1, metric: xxqg}]\n",
	 "t.yaml:6:63: categories[0].items[0].metric: 未知的指标"},
	{"key for another per", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: 1, session_days: 2}]\n",
	 "t.yaml:6:68: categories[0].items[0].session_days: 不适用于 per: count"},
	{"duplicate key", "id: t\nid: u\ntitle: T\n",
	 "t.yaml:2:1: id: 重复的键 (duplicate key)"},
	{"duplicate level key", HEAD LEVELS "  - {key: low, name: 又低}\n",
	 "t.yaml:6:11: levels[2].key: 重复的标识 low (duplicate id low)"},
	{"duplicate item id", HEAD CAT
	 "    items:\n      - {key: a, name: A, per: count, points: 1}\n"
	 "      - {key: a, name: A2, per: count, points: 1}\n",
	 "t.yaml:8:15: categories[0].items[1].key: 重复的标识 a"},
	{"duplicate category id", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: 1}]\n"
	 "  - {key: c, name: C2, items: [{key: b, name: B, per: count, points: 1}]}\n",
	 "t.yaml:7:11: categories[1].key: 重复的标识 c"},
	{"duplicate level in points", HEAD LEVELS CAT
	 "    items: [{key: a, name: A, per: count, points: {low: 1, low: 2}}]\n",
	 "t.yaml:9:60: categories[0].items[0].points.low: 重复的键"},
	{"duplicate metric", HEAD "metrics: [xxqg, xxqg]\n",
	 "t.yaml:3:17: metrics[1]: 重复的标识 xxqg"},
	{"syntax error", "id: [t\ntitle: T\n",
	 "t.yaml:3:1: (root): YAML 语法错误 (YAML syntax error: "},
	{"bad indentation", "id: t\n  title: T\n",
	 "t.yaml:1:5: (root): YAML 语法错误"},
	{"unclosed quote", "id: t\ntitle: \"T\n",
	 "t.yaml:2:9: (root): YAML 语法错误"},
	{"empty document", "", "t.yaml:1:1: (root): 文档为空 (empty document)"},
	{"comments only", "# nothing\n", "t.yaml:1:1: (root): 文档为空"},
	{"null document", "~\n", "t.yaml:1:1: (root): 文档为空"},
	{"sequence root", "- a\n- b\n",
	 "t.yaml:1:1: (root): 应为映射 (expected a mapping)"},
	{"scalar root", "hello\n", "t.yaml:1:1: (root): 应为映射"},
	{"two documents", "id: t\ntitle: T\n---\nid: u\n",
	 "t.yaml:3:1: (root): 只能有一个 YAML 文档"},
	{"alias", "id: &x t\ntitle: *x\n",
	 "t.yaml:2:8: (root): 不支持 YAML 别名"},
	{"tag", "id: !!str t\ntitle: T\n", "t.yaml:1:5: (root): 不支持 YAML 标签"},
	{"invalid utf-8", "id: t\ntitle: 标题\xff\n",
	 "t.yaml:2:10: (root): 不是有效的 UTF-8 文本"},
	{"invalid utf-8 in directive", "%d \xff\n",
	 "t.yaml:1:4: (root): 不是有效的 UTF-8 文本"},
	{"surrogate", "id: \xed\xa0\x80\n", "t.yaml:1:5: (root): 不是有效的 UTF-8"},
	{"overlong", "id: \xc0\xaf\n", "t.yaml:1:5: (root): 不是有效的 UTF-8"},
	{"tab", "id: t\ntitle:\tT\n", "t.yaml:2:7: (root): 不能使用制表符 Tab"},
	{"complex key", HEAD "? [a]\n: 1\n", "t.yaml:3:3: (root): 键应为字符串"},
	{"line maxima over section max", HEAD "scorecard:\n  sections:\n"
	 "    - key: s\n      name: S\n      max: 10\n      lines:\n"
	 "        - {key: a, name: A, max: 6}\n"
	 "        - {key: b, name: B, max: 5}\n",
	 "t.yaml:9:9: scorecard.sections[0].lines: 各项满分之和 11 超过本部分满分 10"},
	{"empty items", HEAD CAT "    items: []\n",
	 "t.yaml:6:12: categories[0].items: 至少需要一项"},
	{"by_role and required", HEAD
	 "requirement: {required: 5, by_role: [{key: a, name: A, required: 1}]}\n",
	 "t.yaml:3:14: requirement: by_role 与 required 只能用其一"},
	{"neither by_role nor required", HEAD "requirement: {prorate: true}\n",
	 "t.yaml:3:14: requirement: 缺少 required 或 by_role"},
	{"quota above 1", HEAD "award: {quota: 1.5}\n",
	 "t.yaml:3:16: award.quota: 应为 0 到 1 之间的数"},
	{"needs_met without requirement", HEAD "award: {quota: 0.1, needs_met: true}\n",
	 "t.yaml:3:32: award.needs_met: 需要 requirement"},
	{"unknown exempt flag", HEAD
	 "exempt: [{reason: r, name: R, when: flag, flag: retiring}]\n",
	 "t.yaml:3:49: exempt[0].flag: 未知的标记"},
	{"exempt missing months", HEAD
	 "exempt: [{reason: r, name: R, when: period_months_over, periods: [leave]}]\n",
	 "t.yaml:3:10: exempt[0].months: when: period_months_over需要此键"},
	{"exempt bad period", HEAD
	 "exempt: [{reason: r, name: R, when: period_months_over, periods: [holiday], months: 1}]\n",
	 "t.yaml:3:67: exempt[0].periods[0]: 应为以下之一：secondment, sick_leave, leave"},
	{"exempt months out of range", HEAD
	 "exempt: [{reason: r, name: R, when: new_months_below, months: 13}]\n",
	 "t.yaml:3:63: exempt[0].months: 应为 0 到 12 之间的整数"},
	{"veto category without pass", HEAD CAT
	 "    items: [{key: a, name: A, per: count, points: 1}]\n"
	 "grades: {bands: [{key: f, name: F, min: 0}], fail: f, veto_unpassed: [c]}\n",
	 "t.yaml:7:71: grades.veto_unpassed[0]: 该类别没有单项合格线"},
	{"veto without fail", HEAD "flags: [{key: x, name: X}]\n"
	 "grades: {bands: [{key: f, name: F, min: 0}], veto_flags: [x]}\n",
	 "t.yaml:4:9: grades.fail: veto_flags/veto_unpassed 需要此键"},
	{"same band min", HEAD
	 "grades: {bands: [{key: a, name: A, min: 5}, {key: b, name: B, min: 5}]}\n",
	 "t.yaml:3:68: grades.bands[1].min: 与另一等级的下限相同"},
	{"unknown fail band", HEAD
	 "grades: {bands: [{key: a, name: A, min: 5}], fail: f}\n",
	 "t.yaml:3:52: grades.fail: 未知的等级"},
	{"unknown streak grade", HEAD
	 "result_flags: [{key: s, name: S, when: grade_streak, grade: fail}]\n",
	 "t.yaml:3:61: result_flags[0].grade: 未知的等级"},
	{"groups without growth", HEAD "groups: {name: G}\n",
	 "t.yaml:3:9: groups: 需要 growth"},
	{"growth unknown metric", HEAD "growth: {metric: xxqg}\n",
	 "t.yaml:3:18: growth.metric: 未知的指标"},
	{"deep nesting", HEAD "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	 "t.yaml:3:"},
};

static void test_bad_policies(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!check_bad(bad[i].yaml, strlen(bad[i].yaml), bad[i].want)) {
			print_message("failed: %s\n", bad[i].what);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* A NUL inside the text, and text without a terminating NUL. */
static void test_bad_bytes(void **state)
{
	(void)state;
	static const char with_nul[] = "id: \"t\\0u\"\ntitle: T\n";
	parse_bad(with_nul, sizeof(with_nul) - 1, "t.yaml:1:5: (root): 含有 NUL");
	static const char raw[] = {'i', 'd', ':', ' ', '\0', 'x'};
	xf_errs e;
	xf_errs_init(&e);
	assert_null(xf_policy_parse(raw, sizeof(raw), "t.yaml", &e));
	assert_true(xf_errs_count(&e) > 0);
	xf_errs_cleanup(&e);
	char *exact = malloc(sizeof(minimal) - 1);
	assert_non_null(exact);
	memcpy(exact, minimal, sizeof(minimal) - 1);
	xf_errs_init(&e);
	xf_policy *p = xf_policy_parse(exact, sizeof(minimal) - 1, "t.yaml", &e);
	assert_non_null(p);
	xf_policy_free(p);
	xf_errs_cleanup(&e);
	free(exact);
}

/* Every problem is reported, not just the first. */
static void test_collects_all(void **state)
{
	(void)state;
	static const char yaml[] =
		HEAD "colour: red\n" CAT "    cap: -1\n"
		"    items: [{key: a, name: A, per: week, points: 1}]\n"
		"award: {quota: 2}\n";
	xf_errs e;
	xf_errs_init(&e);
	assert_null(xf_policy_parse(yaml, strlen(yaml), "t.yaml", &e));
	assert_int_equal(xf_errs_count(&e), 4);
	assert_true(has_prefix(&e, "t.yaml:3:1: colour: "));
	assert_true(has_prefix(&e, "t.yaml:7:10: categories[0].cap: "));
	assert_true(has_prefix(&e, "t.yaml:8:36: categories[0].items[0].per: "));
	assert_true(has_prefix(&e, "t.yaml:9:16: award.quota: "));
	xf_errs_cleanup(&e);
}

/* ---- Limits ------------------------------------------------------------ */

/* Appends to a growing buffer (tests only; aborts on failure). */
static void cat(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *b = realloc(*buf, *len + (size_t)n + 1);
	assert_non_null(b);
	va_start(ap, fmt);
	vsnprintf(b + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*buf = b;
	*len += (size_t)n;
}

static void over_limit(const char *list, int count, const char *entry_fmt,
		       const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	cat(&buf, &len, HEAD);
	cat(&buf, &len, "%s", list);
	for (int i = 0; i < count; i++)
		cat(&buf, &len, entry_fmt, i, i, i);
	parse_bad(buf, len, want);
	free(buf);
}

static void test_limits(void **state)
{
	(void)state;
	over_limit("levels:\n", XF_MAX_LEVELS + 1,
		   "  - {key: l%d, name: L%d}\n", "t.yaml:4:3: levels: 最多 16 项");
	over_limit("flags:\n", XF_MAX_FLAGS + 1,
		   "  - {key: f%d, name: F%d}\n", "t.yaml:4:3: flags: 最多 32 项");
	over_limit("categories:\n", XF_MAX_CATEGORIES + 1,
		   "  - {key: c%d, name: C%d, items: [{key: a, name: A, per: count, points: %d}]}\n",
		   "t.yaml:4:3: categories: 最多 32 项");
	over_limit("categories:\n  - {key: c, name: C, items: [a]}\n"
		   "  - key: d\n    name: D\n    items:\n", XF_MAX_ITEMS + 1,
		   "      - {key: i%d, name: I%d, per: count, points: %d}\n",
		   "t.yaml:8:7: categories[1].items: 最多 128 项");
	over_limit("categories:\n  - key: d\n    name: D\n    items:\n", XF_MAX_KINDS + 1,
		   "      - {key: i%d, name: I%d, per: count, points: 1, exclude: {kinds: [k%d]}}\n",
		   "t.yaml:23:72: categories[0].items[16].exclude.kinds[0]: 记录类型最多 16 种");
	over_limit("result_flags:\n", XF_MAX_RESULT_FLAGS + 1,
		   "  - {key: r%d, name: R%d, when: total_at_least, min: %d}\n",
		   "t.yaml:4:3: result_flags: 最多 16 项");
	over_limit("scorecard:\n  sections:\n    - key: s\n      name: S\n"
		   "      max: 1000\n      lines:\n", XF_MAX_LINES + 1,
		   "        - {key: l%d, name: L%d, max: %d}\n",
		   "t.yaml:9:9: scorecard.sections[0].lines: 最多 64 项");

	/* Items over XF_MAX_ITEMS across categories. */
	char *buf = NULL;
	size_t len = 0;
	cat(&buf, &len, HEAD "categories:\n");
	for (int c = 0; c < 2; c++) {
		cat(&buf, &len, "  - key: c%d\n    name: C\n    items:\n", c);
		for (int i = 0; i < 65; i++)
			cat(&buf, &len, "      - {key: i%d, name: I, per: count, "
			    "points: 1}\n", i);
	}
	parse_bad(buf, len, "t.yaml:4:3: categories: 共有 130 个项目，最多 128 个");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_load),
		cmocka_unit_test(test_bigdata),
		cmocka_unit_test(test_item_measure),
		cmocka_unit_test(test_kunshan),
		cmocka_unit_test(test_loudi),
		cmocka_unit_test(test_xxqg),
		cmocka_unit_test(test_planning),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_grades_sorted),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_bad_policies),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_collects_all),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
