/* The policy routes of the web UI's 学分办法 page (src/api/api_policy.c,
 * docs/api.md) over real HTTP: every signed-in role may list the
 * shipped policies and read one; the scoring table's values by level, the
 * caps (null when none), requirements by role, grades, pass lines, growth
 * rules and score card are those of the shipped policies; an unknown id or
 * a path is 404 no_policy; without a session 401. Runs the sanitizer server
 * on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
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

static ah_server S;
static int current_backend;

static int group_setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	ah_chdir_root();
	ah_demo_db(backends[current_backend].url, &S.demo, &S.year);
	ah_server_start(&S, backends[current_backend].url, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ah_server_kill(&S);
	return 0;
}

/* The element of array arr whose member key is value, or NULL. */
static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, key);
		if (cJSON_IsString(k) && strcmp(k->valuestring, value) == 0)
			return e;
	}
	return NULL;
}

static double num(const cJSON *o, const char *path)
{
	const cJSON *v = ah_jget(o, path);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", path);
	return v->valuedouble;
}

static void test_list_for_every_role(void **state)
{
	(void)state;
	static const char *const roles[] = {"member", "reviewer", "approver", "admin", "auditor"};
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		ah_sess s;
		ah_login_role(&S, roles[i], 0, &s);
		ah_resp r;
		ah_call(&S, &s, "GET", "/api/v1/policies", NULL, &r);
		ah_expect(&r, 200, roles[i]);
		const cJSON *items = ah_jget(r.json, "items");
		assert_true(cJSON_IsArray(items));
		assert_int_equal(cJSON_GetArraySize(items), 5);
		const cJSON *bb = find_by(items, "id", "bigdata-bureau");
		assert_non_null(bb);
		assert_string_equal(ah_jstr(bb, "title"), "区大数据发展局学分制管理办法（试行）");
		assert_non_null(find_by(items, "id", "xxqg-branch"));
		ah_resp_free(&r);
	}
}

static void test_bigdata_bureau_table(void **state)
{
	(void)state;
	ah_sess m;
	ah_login_role(&S, "member", 0, &m);
	ah_resp r;
	ah_call(&S, &m, "GET", "/api/v1/policies/bigdata-bureau", NULL, &r);
	ah_expect(&r, 200, "bigdata-bureau");
	const cJSON *p = r.json;
	assert_string_equal(ah_jstr(p, "id"), "bigdata-bureau");
	/* Levels in the policy's order. */
	const cJSON *levels = ah_jget(p, "levels");
	assert_int_equal(cJSON_GetArraySize(levels), 5);
	assert_string_equal(ah_jstr(cJSON_GetArrayItem(levels, 0), "name"), "局级");

	/* 听 (满分40): 学习培训 2/3/4/5 by level, none for 江北报. */
	const cJSON *cats = ah_jget(p, "categories");
	assert_int_equal(cJSON_GetArraySize(cats), 3);
	const cJSON *listen = find_by(cats, "key", "listen");
	assert_non_null(listen);
	assert_true(num(listen, "cap") == 40);
	assert_true(cJSON_IsNull(ah_jget(listen, "pass")));
	const cJSON *training = find_by(ah_jget(listen, "items"), "key", "listen.training");
	assert_non_null(training);
	static const struct {
		const char *level;
		double points;
	} by_level[] = {{"bureau", 2}, {"district", 3}, {"city", 4}, {"national", 5}};
	for (size_t i = 0; i < sizeof(by_level) / sizeof(by_level[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "levels.%s", by_level[i].level);
		assert_true(num(training, path) == by_level[i].points);
	}
	assert_true(cJSON_IsNull(ah_jget(training, "levels.district_paper")));
	assert_true(cJSON_IsNull(ah_jget(training, "points")));
	assert_true(cJSON_IsNull(ah_jget(training, "cap")));
	assert_string_equal(ah_jstr(training, "per"), "session");
	assert_string_equal(ah_jstr(training, "per_name"), "每次（2天内计一次）");

	/* 读: 读书 2 per book, cap 4; 学习强国 from the metric, above 640 by 30. */
	const cJSON *read = find_by(cats, "key", "read");
	const cJSON *book = find_by(ah_jget(read, "items"), "key", "read.book");
	assert_true(num(book, "points") == 2);
	assert_true(num(book, "cap") == 4);
	const cJSON *xxqg = find_by(ah_jget(read, "items"), "key", "read.xxqg");
	assert_string_equal(ah_jstr(xxqg, "metric"), "xxqg");
	assert_true(num(xxqg, "step_above") == 640);
	assert_true(num(xxqg, "step_size") == 30);
	assert_true(num(xxqg, "cap") == 16);

	/* 写: awarded articles count double. */
	const cJSON *write = find_by(cats, "key", "write");
	const cJSON *paper = find_by(ah_jget(write, "items"), "key", "write.paper");
	assert_true(num(paper, "awarded_multiplier") == 2);
	assert_true(num(paper, "levels.national") == 30);

	/* 应修学分 by role, prorated; award quota 15 %. */
	const cJSON *roles = ah_jget(p, "requirement.roles");
	assert_int_equal(cJSON_GetArraySize(roles), 3);
	assert_true(num(find_by(roles, "key", "leader"), "required") == 70);
	assert_true(num(find_by(roles, "key", "staff"), "required") == 50);
	assert_true(cJSON_IsTrue(ah_jget(p, "requirement.prorate")));
	assert_true(num(p, "award.quota") == 0.15);
	assert_int_equal(cJSON_GetArraySize(ah_jget(p, "grades")), 0);
	assert_true(cJSON_IsNull(ah_jget(p, "growth")));

	/* The whole text, as `xuefen policy show` prints it. */
	assert_non_null(strstr(ah_jstr(p, "text"), "一、学分计分标准（单位：学分）"));
	assert_non_null(strstr(ah_jstr(p, "text"), "二、应修学分"));
	ah_resp_free(&r);
}

static void test_other_policies(void **state)
{
	(void)state;
	ah_sess a;
	ah_login_role(&S, "auditor", 0, &a);
	ah_resp r;

	/* kunshan-cadre: grades, a pass line with a count, flags, no requirement. */
	ah_call(&S, &a, "GET", "/api/v1/policies/kunshan-cadre", NULL, &r);
	ah_expect(&r, 200, "kunshan-cadre");
	const cJSON *grades = ah_jget(r.json, "grades");
	assert_int_equal(cJSON_GetArraySize(grades), 4);
	assert_string_equal(ah_jstr(cJSON_GetArrayItem(grades, 0), "name"), "优秀");
	assert_true(num(cJSON_GetArrayItem(grades, 0), "min") == 90);
	assert_true(cJSON_IsNull(ah_jget(r.json, "requirement")));
	const cJSON *menu = find_by(ah_jget(r.json, "categories"), "key", "menu");
	assert_true(num(menu, "pass.min") == 24);
	const cJSON *count = cJSON_GetArrayItem(ah_jget(menu, "pass.counts"), 0);
	assert_string_equal(ah_jstr(count, "item"), "menu.city_lecture");
	assert_true(num(count, "min") == 4);
	assert_non_null(find_by(ah_jget(r.json, "flags"), "key", "retiring"));
	const cJSON *central =
		find_by(ah_jget(find_by(ah_jget(r.json, "categories"), "key", "study"), "items"), "key",
			"study.central_group");
	assert_true(num(central, "speaker_points") == 2);
	ah_resp_free(&r);

	/* loudi-online: one required figure, an item minimum. */
	ah_call(&S, &a, "GET", "/api/v1/policies/loudi-online", NULL, &r);
	ah_expect(&r, 200, "loudi-online");
	assert_true(num(r.json, "requirement.required") == 40);
	const cJSON *need = cJSON_GetArrayItem(ah_jget(r.json, "requirement.items"), 0);
	assert_string_equal(ah_jstr(need, "item"), "online.required_course");
	assert_true(num(need, "min") == 24);
	const cJSON *online = find_by(ah_jget(r.json, "categories"), "key", "online");
	assert_true(cJSON_IsNull(ah_jget(online, "cap")));
	assert_string_equal(ah_jstr(find_by(ah_jget(online, "items"), "key", "online.special_course"),
				"per_name"),
			    "按指定学分");
	ah_resp_free(&r);

	/* xxqg-branch: growth by branch; planning-bureau-member: a score card. */
	ah_call(&S, &a, "GET", "/api/v1/policies/xxqg-branch", NULL, &r);
	ah_expect(&r, 200, "xxqg-branch");
	assert_string_equal(ah_jstr(r.json, "growth.key"), "growth");
	assert_int_equal(ah_jint(r.json, "growth.bottom_n"), 3);
	assert_true(num(cJSON_GetArrayItem(ah_jget(r.json, "growth.marks"), 0), "min") == 6000);
	ah_resp_free(&r);
	ah_call(&S, &a, "GET", "/api/v1/policies/planning-bureau-member", NULL, &r);
	ah_expect(&r, 200, "planning-bureau-member");
	const cJSON *sections = ah_jget(r.json, "scorecard");
	assert_int_equal(cJSON_GetArraySize(sections), 4);
	const cJSON *effect = find_by(sections, "key", "effect");
	assert_true(num(effect, "max") == 50);
	assert_int_equal(cJSON_GetArraySize(ah_jget(effect, "lines")), 6);
	ah_resp_free(&r);
}

static void test_refusals(void **state)
{
	(void)state;
	ah_sess m;
	ah_login_role(&S, "member", 0, &m);
	static const char *const bad[] = {
		"/api/v1/policies/no-such-policy",
		"/api/v1/policies/..",
		"/api/v1/policies/%2Fetc%2Fpasswd",
		"/api/v1/policies/bigdata-bureau.yaml",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ah_resp r;
		ah_call(&S, &m, "GET", bad[i], NULL, &r);
		if (r.status == 404 && strcmp(ah_error_code(&r), "not_found") == 0) {
			ah_resp_free(&r); /* a path the router does not match */
			continue;
		}
		ah_expect_error(&r, 404, "no_policy", bad[i]);
		ah_resp_free(&r);
	}
	ah_resp r;
	ah_call(&S, NULL, "GET", "/api/v1/policies", NULL, &r);
	ah_expect_error(&r, 401, "unauthenticated", "no session");
	ah_resp_free(&r);
	ah_call(&S, NULL, "GET", "/api/v1/policies/bigdata-bureau", NULL, &r);
	ah_expect_error(&r, 401, "unauthenticated", "no session");
	ah_resp_free(&r);
	ah_call(&S, &m, "POST", "/api/v1/policies", NULL, &r);
	ah_expect_error(&r, 405, "method_not_allowed", "POST");
	ah_resp_free(&r);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-policy-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_for_every_role),
		cmocka_unit_test(test_bigdata_bureau_table),
		cmocka_unit_test(test_other_policies),
		cmocka_unit_test(test_refusals),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api policies (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
