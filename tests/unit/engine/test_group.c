/* Unit tests for src/engine/group.c: the award quota with ties, unit
 * totals and averages, best unit, quarterly bottom lists. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/group.h"

static xf_policy *load(const char *id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_policy *p = xf_policy_resolve(id, NULL, &errs);
	xf_errs_cleanup(&errs);
	assert_non_null(p);
	return p;
}

/* Feeds totals (negative = exempt, NAN = did not meet) and returns how many
 * candidates came out, marking them in cand[]. */
static int award(const xf_policy *p, const double *totals, int n, bool *cand,
		 long *limit)
{
	xf_group *g = xf_group_new(p);
	xf_result r[64];
	xf_person pe = {.id = "x", .unit_id = -1, .role = -1};
	assert_non_null(g);
	assert_true(n <= 64);
	for (int i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].award_eligible = totals[i] >= 0 || isnan(totals[i]);
		r[i].award_contender = r[i].award_eligible && !isnan(totals[i]);
		r[i].total = isnan(totals[i]) ? 10 : totals[i];
		assert_int_equal(xf_group_add(g, &pe, &r[i]), 0);
	}
	assert_int_equal(xf_group_finish(g), 0);
	int k = 0;
	for (int i = 0; i < n; i++) {
		cand[i] = xf_group_award_candidate(g, &r[i]);
		k += cand[i];
	}
	*limit = xf_group_award_limit(g);
	xf_group_free(g);
	return k;
}

static void test_award_quota(void **state)
{
	(void)state;
	xf_policy *p = load("bigdata-bureau");
	bool cand[64];
	long limit;
	double t[20];

	/* 20 eligible people: limit floor(0.15 x 20) = 3, highest totals. */
	for (int i = 0; i < 20; i++)
		t[i] = 50 + i;
	assert_int_equal(award(p, t, 20, cand, &limit), 3);
	assert_int_equal(limit, 3);
	assert_true(cand[19] && cand[18] && cand[17] && !cand[16]);

	/* 3rd and 4th tied: none of the tie, nobody below it. */
	t[16] = t[17];
	assert_int_equal(award(p, t, 20, cand, &limit), 2);
	assert_true(cand[19] && cand[18] && !cand[17] && !cand[16] && !cand[15]);

	/* A tie that fits within the quota takes all of it. */
	for (int i = 0; i < 20; i++)
		t[i] = 50 + i;
	t[18] = t[19];
	assert_int_equal(award(p, t, 20, cand, &limit), 3);

	/* The top tie is larger than the quota: nobody. */
	for (int i = 0; i < 20; i++)
		t[i] = 90;
	assert_int_equal(award(p, t, 20, cand, &limit), 0);

	/* Exempt people are not counted; those who did not meet are counted
	 * but cannot be candidates. 7 eligible -> limit 1. */
	double u[9] = {-1, -1, NAN, NAN, 60, 70, 80, 65, 55};
	assert_int_equal(award(p, u, 9, cand, &limit), 1);
	assert_int_equal(limit, 1);
	assert_true(cand[6]);

	/* Fewer than 7 people: floor(0.15 x 6) = 0. */
	assert_int_equal(award(p, t, 6, cand, &limit), 0);
	assert_int_equal(limit, 0);
	xf_policy_free(p);
}

static void test_units_and_bottom(void **state)
{
	(void)state;
	xf_policy *p = load("xxqg-branch");
	xf_group *g = xf_group_new(p);
	assert_non_null(g);
	static const struct { const char *id, *unit; double q[4]; } people[] = {
		{"m5", "b", {100, 0, 0, 0}},
		{"m1", "b", {50, 0, 0, 0}},
		{"m3", "b", {50, 10, 0, 0}},
		{"m2", "b", {200, 0, 0, 0}},
		{"m4", "a", {300, 300, 300, 300}},
		{"m9", "c", {0, 0, 0, 0}},
		{"m8", "c", {0, 0, 0, 1200}},
	};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		xf_person pe = {.id = people[i].id, .unit = people[i].unit, .role = -1};
		xf_result r;
		memset(&r, 0, sizeof(r));
		for (int q = 0; q < 4; q++) {
			r.quarter_growth[q] = people[i].q[q];
			r.growth += people[i].q[q];
		}
		assert_int_equal(xf_group_add(g, &pe, &r), 0);
	}
	assert_int_equal(xf_group_finish(g), 0);
	const xf_unit_result *u;
	assert_int_equal(xf_group_units(g, &u), 3);
	assert_string_equal(u[0].id, "a");
	assert_string_equal(u[1].id, "b");
	assert_string_equal(u[2].id, "c");
	assert_int_equal(u[1].members, 4);
	assert_true(fabs(u[1].total - 410) < 1e-9);
	assert_true(fabs(u[1].average - 102.5) < 1e-9);
	/* a: 1200 average; c: 600 -> a is best. */
	assert_string_equal(xf_group_best(g), "a");
	/* Quarter 1 in b: 50 (m1), 50 (m3), 100 (m5) - ties by id. */
	assert_int_equal(u[1].nbottom[0], 3);
	assert_string_equal(u[1].bottom[0][0], "m1");
	assert_string_equal(u[1].bottom[0][1], "m3");
	assert_string_equal(u[1].bottom[0][2], "m5");
	/* Quarter 2 in b: 0 (m1), 0 (m2), 0 (m5), m3 has 10 and is out. */
	assert_string_equal(u[1].bottom[1][0], "m1");
	assert_string_equal(u[1].bottom[1][1], "m2");
	assert_string_equal(u[1].bottom[1][2], "m5");
	/* A unit with fewer than three members lists them all. */
	assert_int_equal(u[2].nbottom[3], 2);
	assert_string_equal(u[2].bottom[3][0], "m9");
	xf_group_free(g);
	xf_policy_free(p);
}

static void test_best_tie(void **state)
{
	(void)state;
	xf_policy *p = load("xxqg-branch");
	xf_group *g = xf_group_new(p);
	const char *units[] = {"z", "k", "m"};
	for (int i = 0; i < 3; i++) {
		xf_person pe = {.id = units[i], .unit = units[i], .role = -1};
		xf_result r;
		memset(&r, 0, sizeof(r));
		r.growth = 500;
		assert_int_equal(xf_group_add(g, &pe, &r), 0);
	}
	assert_int_equal(xf_group_finish(g), 0);
	assert_string_equal(xf_group_best(g), "k"); /* ties: lowest id */
	xf_group_free(g);
	xf_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_award_quota),
		cmocka_unit_test(test_units_and_bottom),
		cmocka_unit_test(test_best_tie),
	};
	return cmocka_run_group_tests_name("engine/group", tests, NULL, NULL);
}
