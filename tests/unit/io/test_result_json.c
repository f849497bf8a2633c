/* Unit tests for src/io/result_json.c: the output keys per policy, nulls
 * for exempt people, group results, and the explanation trace. Cases are
 * small JSON documents run through the reader and the engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/group.h"
#include "io/case.h"
#include "io/result_json.h"

/* Assesses a case and returns the JSON text written (caller frees). */
static char *assess(const char *json, bool explain)
{
	xf_errs errs;
	xf_case c;
	xf_errs_init(&errs);
	memset(&c, 0, sizeof(c));
	int rc = xf_case_parse(json, strlen(json), NULL, &c, &errs);
	xf_errs_print(&errs, NULL, stderr);
	assert_int_equal(rc, 0);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_result r;
	xf_engine_scratch s;
	xf_trace t;
	xf_group *g = xf_group_new(c.policy);
	assert_int_equal(xf_result_init(&r, c.policy), 0);
	xf_scratch_init(&s);
	xf_trace_init(&t);
	for (size_t i = 0; i < c.npeople; i++) {
		xf_input in;
		xf_case_input(&c, i, &in);
		assert_int_equal(xf_engine_assess(c.policy, c.year, &in, &s, &r, NULL), 0);
		assert_int_equal(xf_group_add(g, in.person, &r), 0);
	}
	assert_int_equal(xf_group_finish(g), 0);
	xf_results_out o;
	xf_results_begin(&o, f, c.policy, c.year);
	for (size_t i = 0; i < c.npeople; i++) {
		xf_input in;
		xf_case_input(&c, i, &in);
		xf_trace_reset(&t);
		assert_int_equal(xf_engine_assess(c.policy, c.year, &in, &s, &r,
						  explain ? &t : NULL), 0);
		xf_results_person(&o, &in, &r, xf_group_award_candidate(g, &r),
				  explain ? &t : NULL);
	}
	xf_results_end(&o, g);
	fclose(f);
	xf_group_free(g);
	xf_result_cleanup(&r);
	xf_scratch_cleanup(&s);
	xf_trace_cleanup(&t);
	xf_case_cleanup(&c);
	xf_errs_cleanup(&errs);
	return buf;
}

static void assert_has(const char *out, const char *want)
{
	if (strstr(out, want) == NULL) {
		fprintf(stderr, "missing: %s\nin:\n%s\n", want, out);
		fail();
	}
}

static void assert_lacks(const char *out, const char *unwanted)
{
	if (strstr(out, unwanted) != NULL) {
		fprintf(stderr, "unexpected: %s\nin:\n%s\n", unwanted, out);
		fail();
	}
}

static void test_exempt_person(void **state)
{
	(void)state;
	char *out = assess("{\"policy\":\"bigdata-bureau\",\"year\":2025,\"people\":["
			   "{\"id\":\"w\",\"role\":\"staff\",\"periods\":[{\"kind\":\"sick_leave\","
			   "\"from\":\"2025-01-01\",\"to\":\"2025-07-31\"}]}],"
			   "\"records\":[{\"person\":\"w\",\"item\":\"read.book\",\"date\":\"2025-03-01\"}]}",
			   false);
	assert_has(out, "\"exempt\": true");
	assert_has(out, "\"exempt_reason\": \"sick_leave\"");
	assert_has(out, "\"total\": 2.0");
	assert_has(out, "\"final\": 2.0");
	assert_has(out, "\"required\": null");
	assert_has(out, "\"met\": null");
	assert_has(out, "\"grade\": null");
	assert_has(out, "\"award_candidate\": false");
	assert_lacks(out, "\"trace\"");
	free(out);
}

static void test_policy_keys(void **state)
{
	(void)state;
	char *out = assess("{\"policy\":\"loudi-online\",\"year\":2025,\"people\":[{\"id\":\"l\"}],"
			   "\"records\":[{\"person\":\"l\",\"item\":\"online.required_course\","
			   "\"date\":\"2025-02-01\",\"minutes\":90}]}",
			   false);
	assert_has(out, "\"required_course_credits\": 2.0");
	assert_has(out, "\"required\": 40.0");
	assert_has(out, "\"met\": false");
	assert_lacks(out, "\"branches\"");
	free(out);

	out = assess("{\"policy\":\"kunshan-cadre\",\"year\":2025,\"people\":[{\"id\":\"k\"}]}", false);
	assert_has(out, "\"passed_items\": {\n    \"menu\": false,\n    \"online\": false\n   }");
	assert_has(out, "\"grade\": \"fail\"");
	assert_has(out, "\"required\": null");
	free(out);
}

static void test_groups(void **state)
{
	(void)state;
	char *out = assess("{\"policy\":\"xxqg-branch\",\"year\":2025,\"people\":["
			   "{\"id\":\"a\",\"unit\":\"b2\"},{\"id\":\"b\",\"unit\":\"b1\"}],"
			   "\"metrics\":[{\"person\":\"a\",\"metric\":\"xxqg\",\"month\":\"2025-04\",\"value\":6000}]}",
			   false);
	assert_has(out, "\"growth\": 6000");
	assert_has(out, "\"activist\": true");
	assert_has(out, "\"best_branch\": \"b2\"");
	assert_has(out, "\"id\": \"b1\",\n   \"members\": 1,\n   \"total\": 0,\n   \"average\": 0.0");
	assert_has(out, "\"quarter\": 2,\n   \"branch\": \"b2\",\n   \"bottom\": [\n    \"a\"\n   ]");
	assert_has(out, "\"total\": null");
	free(out);
}

static void test_trace(void **state)
{
	(void)state;
	char *out = assess("{\"policy\":\"bigdata-bureau\",\"year\":2025,\"people\":["
			   "{\"id\":\"z\",\"role\":\"staff\"}],\"records\":["
			   "{\"person\":\"z\",\"item\":\"listen.training\",\"date\":\"2025-03-01\",\"level\":\"city\",\"minutes\":40},"
			   "{\"person\":\"z\",\"item\":\"write.paper\",\"date\":\"2025-03-01\",\"level\":\"national\",\"awarded\":true},"
			   "{\"person\":\"z\",\"item\":\"write.briefing\",\"date\":\"2024-03-01\",\"level\":\"city\"},"
			   "{\"person\":\"z\",\"item\":\"read.book\",\"date\":\"2025-03-01\",\"count\":3}]}",
			   true);
	assert_has(out, "\"excluded\": \"min_minutes\"");
	assert_has(out, "学习时长 40 分钟，不足 60 分钟");
	assert_has(out, "调研论文（国家级）：1 次/篇/本 × 30 分 × 2（获奖加倍） = 60 学分");
	assert_has(out, "\"excluded\": \"other_year\"");
	assert_has(out, "\"cap\": \"item\",\n     \"item\": \"read.book\",\n     \"before\": 6.0,\n     \"after\": 4.0");
	assert_has(out, "\"cap\": \"category\",\n     \"category\": \"write\",\n     \"before\": 60.0,\n     \"after\": 40.0");
	assert_has(out, "\"months\": 12");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exempt_person),
		cmocka_unit_test(test_policy_keys),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_trace),
	};
	return cmocka_run_group_tests_name("io/result_json", tests, NULL, NULL);
}
