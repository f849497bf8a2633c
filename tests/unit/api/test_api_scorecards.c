/* The scorecard routes over real HTTP (docs/api.md), on the demo
 * organisation's 规划局机关党支部 (planning-bureau-member): the member's own
 * card (the demo's draft, self scores refused with the line named, a note,
 * submission with every line, no change after it), a member whose policy
 * has no scorecard, the branch reviewer's scores (their own card refused,
 * a draft refused, the card reviewed and the member told), who may see a
 * card (admin, the reviewer; not another unit's reviewer or approver), the
 * year argument and the audit rows. Runs the sanitizer server on SQLite,
 * and on PostgreSQL when XUEFEN_TEST_PG is set; the tests of a backend
 * share one server and run in order. */
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
static ah_sess member;   /* the branch's member login: a draft */
static ah_sess reviewer; /* the branch's reviewer (支部书记) */
static char me_path[64], submit_path[64];

/* /api/v1/people/ID/scorecard?year=YEAR */
static void card_path(char *out, size_t size, long long person_id)
{
	snprintf(out, size, "/api/v1/people/%lld/scorecard?year=%d", person_id, S.year);
}

/* The line `key` of a card answer. */
static const cJSON *line_of(const cJSON *card, const char *key)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, ah_jget(card, "lines"))
		if (strcmp(ah_jstr(l, "key"), key) == 0)
			return l;
	fail_msg("no line %s in the card", key);
	return NULL;
}

static double num(const cJSON *o, const char *path)
{
	const cJSON *v = ah_jget(o, path);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", path);
	return v->valuedouble;
}

/* Every line at its maximum (effect.skill less `less`). */
static void all_lines(char *out, size_t size, double less)
{
	static const struct {
		const char *key;
		double max;
	} lines[] = {
		{"plan.goal", 7}, {"plan.analysis", 8}, {"active.collective", 8}, {"active.inservice", 4},
		{"active.contest", 5}, {"active.campaign", 3}, {"apply.research", 7}, {"apply.summary", 8},
		{"effect.tools", 6}, {"effect.exam", 10}, {"effect.duty", 10}, {"effect.innovation", 6},
		{"effect.degree", 5}, {"effect.skill", 13},
	};
	size_t n = (size_t)snprintf(out, size, "{\"lines\": {");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]) && n < size; i++) {
		double v = lines[i].max - (strcmp(lines[i].key, "effect.skill") == 0 ? less : 0);
		n += (size_t)snprintf(out + n, size - n, "%s\"%s\": %g", i ? ", " : "", lines[i].key, v);
	}
	if (n < size)
		snprintf(out + n, size - n, "}}");
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	memset(&S, 0, sizeof(S));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &S.demo, &S.year);
	ah_server_start(&S, b->url, NULL);
	/* The demo's branch: member number 3 and reviewer number 1. */
	ah_login_role(&S, "member", 3, &member);
	ah_login_role(&S, "reviewer", 1, &reviewer);
	snprintf(me_path, sizeof(me_path), "/api/v1/me/scorecard?year=%d", S.year);
	snprintf(submit_path, sizeof(submit_path), "/api/v1/me/scorecard/submit?year=%d", S.year);
	return 0;
}

static int group_teardown(void **state)
{
	ah_server_kill(&S);
	return 0;
}

/* ---- the member's own card ---- */

static void test_member_reads_the_demo_draft(void **state)
{
	ah_resp r;
	ah_call(&S, &member, "GET", me_path, NULL, &r);
	ah_expect(&r, 200, "GET /me/scorecard");
	assert_string_equal(ah_jstr(r.json, "status"), "draft");
	assert_string_equal(ah_jstr(r.json, "policy.id"), "planning-bureau-member");
	assert_int_equal(ah_jint(r.json, "person.id"), member.person_id);
	assert_string_equal(ah_jstr(r.json, "person.unit.name"), "区规划局机关党支部");
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "lines")), 14);
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "sections")), 4);
	/* The demo's self scores: 6 + 7 + 8 + 3 + 5. */
	assert_int_equal(num(line_of(r.json, "plan.goal"), "self"), 6);
	assert_true(cJSON_IsNull(ah_jget(line_of(r.json, "effect.skill"), "self")));
	assert_int_equal(num(line_of(r.json, "effect.skill"), "max"), 13);
	assert_string_equal(ah_jstr(line_of(r.json, "effect.skill"), "section.name"), "学习的成效性");
	assert_int_equal(num(r.json, "self_total"), 29);
	assert_int_equal(num(r.json, "total"), 0);
	assert_true(cJSON_IsFalse(ah_jget(r.json, "learning_member")));
	assert_true(cJSON_IsString(ah_jget(r.json, "note")));
	ah_resp_free(&r);
	/* Without ?year=: this year, the same card. */
	ah_call(&S, &member, "GET", "/api/v1/me/scorecard", NULL, &r);
	ah_expect(&r, 200, "GET /me/scorecard without year");
	assert_int_equal(ah_jint(r.json, "year"), S.year);
	ah_resp_free(&r);
	ah_call(&S, &member, "GET", "/api/v1/me/scorecard?year=19", NULL, &r);
	ah_expect_error(&r, 400, "bad_request", "a bad year");
	ah_resp_free(&r);
}

static void test_member_self_scores(void **state)
{
	static const struct {
		const char *body, *code, *msg; /* msg: part of the message */
		long status;
	} bad[] = {
		{"{\"lines\": {\"plan.goal\": 8}}", "bad_request", "plan.goal 的分数不能超过 7", 400},
		{"{\"lines\": {\"plan.goal\": -1}}", "bad_request", "plan.goal 的分数不能小于 0", 400},
		{"{\"lines\": {\"plan.nope\": 1}}", "bad_request", "评分表中没有 plan.nope 这一项", 400},
		{"{\"lines\": {\"plan.goal\": 9, \"effect.skill\": 14}}", "bad_request",
		 "plan.goal 的分数不能超过 7；effect.skill 的分数不能超过 13", 400},
		{"{\"score\": 1}", "bad_request", "未知字段 score", 400},
		{"[1]", "bad_request", "请求内容: 应为 JSON 对象", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ah_resp r;
		ah_call(&S, &member, "PUT", me_path, bad[i].body, &r);
		ah_expect_error(&r, bad[i].status, bad[i].code, bad[i].body);
		if (strstr(ah_jstr(r.json, "error.message"), bad[i].msg) == NULL)
			fail_msg("%s: message %s", bad[i].body, ah_jstr(r.json, "error.message"));
		ah_resp_free(&r);
	}
	/* A change: answered with the card as it now is. */
	ah_resp r;
	ah_call(&S, &member, "PUT", me_path,
		"{\"lines\": {\"plan.goal\": 7, \"effect.skill\": 11.5}, \"note\": \"全年参加集中学习 12 次\"}",
		&r);
	ah_expect(&r, 200, "PUT /me/scorecard");
	assert_int_equal(num(line_of(r.json, "plan.goal"), "self"), 7);
	assert_true(num(line_of(r.json, "effect.skill"), "self") == 11.5);
	assert_true(num(r.json, "self_total") == 41.5);
	assert_string_equal(ah_jstr(r.json, "note"), "全年参加集中学习 12 次");
	ah_resp_free(&r);
	/* Submitting with lines missing names them; nothing changes. */
	ah_call(&S, &member, "POST", submit_path, NULL, &r);
	ah_expect_error(&r, 400, "bad_request", "submit incomplete");
	assert_non_null(strstr(ah_jstr(r.json, "error.message"), "以下项目尚未自评，不能提交："));
	assert_non_null(strstr(ah_jstr(r.json, "error.message"), "active.contest（"));
	ah_resp_free(&r);
	char all[1024];
	all_lines(all, sizeof(all), 1);
	ah_call(&S, &member, "PUT", me_path, all, &r);
	ah_expect(&r, 200, "PUT every line");
	assert_int_equal(num(r.json, "self_total"), 99);
	ah_resp_free(&r);
	ah_call(&S, &member, "POST", submit_path, NULL, &r);
	ah_expect(&r, 200, "submit");
	assert_string_equal(ah_jstr(r.json, "status"), "submitted");
	assert_true(cJSON_IsString(ah_jget(r.json, "submitted_at")));
	ah_resp_free(&r);
	/* Submitted: no more changes, no second submission. */
	ah_call(&S, &member, "PUT", me_path, "{\"note\": \"改一下\"}", &r);
	ah_expect_error(&r, 409, "conflict", "PUT after submit");
	assert_string_equal(ah_jstr(r.json, "error.message"), "评分表已提交，不能再修改或提交");
	ah_resp_free(&r);
	ah_call(&S, &member, "POST", submit_path, NULL, &r);
	ah_expect_error(&r, 409, "conflict", "submit twice");
	ah_resp_free(&r);
}

/* /me says whether the menu offers the scorecard pages: features.scorecard
 * (the caller's own card), features.scorecard_review (a unit they review
 * has a scorecard policy). */
static bool feature(ah_sess *who, const char *key)
{
	ah_resp r;
	ah_call(&S, who, "GET", "/api/v1/me", NULL, &r);
	ah_expect(&r, 200, "GET /me");
	char path[64];
	snprintf(path, sizeof(path), "features.%s", key);
	const cJSON *v = ah_jget(r.json, path);
	assert_true(cJSON_IsBool(v));
	bool on = cJSON_IsTrue(v);
	ah_resp_free(&r);
	return on;
}

static void test_me_features(void **state)
{
	ah_sess m0, bureau_reviewer;
	ah_login_role(&S, "member", 0, &m0);
	ah_login_role(&S, "reviewer", 0, &bureau_reviewer);
	assert_true(feature(&member, "scorecard"));
	assert_false(feature(&member, "scorecard_review"));
	assert_true(feature(&reviewer, "scorecard_review"));
	assert_false(feature(&m0, "scorecard"));
	assert_false(feature(&bureau_reviewer, "scorecard_review"));
}

static void test_no_scorecard_elsewhere(void **state)
{
	/* A 数据资源科 member: bigdata-bureau has no scorecard. */
	ah_sess m0;
	ah_login_role(&S, "member", 0, &m0);
	ah_resp r;
	ah_call(&S, &m0, "GET", me_path, NULL, &r);
	ah_expect_error(&r, 404, "no_scorecard", "a bureau member");
	assert_string_equal(ah_jstr(r.json, "error.message"), "该人员所在单位的学分办法没有评分表");
	ah_resp_free(&r);
	ah_call(&S, &m0, "PUT", me_path, "{\"lines\": {\"plan.goal\": 1}}", &r);
	ah_expect_error(&r, 404, "no_scorecard", "PUT for a bureau member");
	ah_resp_free(&r);
	ah_call(&S, &m0, "POST", submit_path, NULL, &r);
	ah_expect_error(&r, 404, "no_scorecard", "submit for a bureau member");
	ah_resp_free(&r);
	/* The same for staff asking about them. */
	ah_sess admin;
	ah_login_role(&S, "admin", 0, &admin);
	char path[96];
	card_path(path, sizeof(path), m0.person_id);
	ah_call(&S, &admin, "GET", path, NULL, &r);
	ah_expect_error(&r, 404, "no_scorecard", "admin on a bureau member");
	ah_resp_free(&r);
}

/* ---- the reviewer ---- */

/* The id of the branch person whose card has status (via the reviewer's
 * people list and cards); 0 when none. */
/* A branch member (not the reviewer) whose card has status, from the
 * reviewer's queue filtered on the server, checked against the card
 * itself; 0 when none. */
static long long branch_person_with(const char *status)
{
	ah_resp r;
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/scorecards?year=%d&status=%s", S.year, status);
	ah_call(&S, &reviewer, "GET", path, NULL, &r);
	ah_expect(&r, 200, "the reviewer's queue");
	long long found = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ah_jget(r.json, "items")) {
		assert_string_equal(ah_jstr(it, "status"), status);
		long long id = ah_jint(it, "person.id");
		if (id != reviewer.person_id && found == 0)
			found = id;
	}
	ah_resp_free(&r);
	if (found) {
		card_path(path, sizeof(path), found);
		ah_call(&S, &reviewer, "GET", path, NULL, &r);
		ah_expect(&r, 200, "a branch card");
		assert_string_equal(ah_jstr(r.json, "status"), status);
		ah_resp_free(&r);
	}
	return found;
}

/* The queue: the branch's five people (their policy has a scorecard),
 * submitted cards first, then drafts, then reviewed ones; each item the
 * card the person's own route gives; searched by name. */
static void test_reviewer_queue(void **state)
{
	ah_resp r, c;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/scorecards?year=%d", S.year);
	ah_call(&S, &reviewer, "GET", path, NULL, &r);
	ah_expect(&r, 200, "the queue");
	assert_int_equal(ah_jint(r.json, "total"), 5);
	static const char *const order[] = {"submitted", "draft", "reviewed"};
	int rank = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ah_jget(r.json, "items")) {
		while (rank < 3 && strcmp(ah_jstr(it, "status"), order[rank]) != 0)
			rank++;
		if (rank == 3)
			fail_msg("%s out of order", ah_jstr(it, "status"));
		card_path(path, sizeof(path), ah_jint(it, "person.id"));
		ah_call(&S, &reviewer, "GET", path, NULL, &c);
		ah_expect(&c, 200, "the same card");
		assert_string_equal(ah_jstr(c.json, "status"), ah_jstr(it, "status"));
		assert_true(num(c.json, "self_total") == num(it, "self_total"));
		ah_resp_free(&c);
	}
	const char *name = ah_jstr(cJSON_GetArrayItem(ah_jget(r.json, "items"), 0), "person.name");
	char *enc = curl_easy_escape(NULL, name, 0);
	snprintf(path, sizeof(path), "/api/v1/scorecards?year=%d&q=%s", S.year, enc);
	curl_free(enc);
	ah_resp_free(&r);
	ah_call(&S, &reviewer, "GET", path, NULL, &r);
	ah_expect(&r, 200, "searched");
	assert_int_equal(ah_jint(r.json, "total"), 1);
	ah_resp_free(&r);
	ah_call(&S, &reviewer, "GET", "/api/v1/scorecards?status=done", NULL, &r);
	ah_expect_error(&r, 400, "bad_request", "a bad status");
	ah_resp_free(&r);
}

static void test_reviewer_scores(void **state)
{
	char path[96], all[1024], less[1024];
	all_lines(all, sizeof(all), 0);
	all_lines(less, sizeof(less), 5);
	ah_resp r;

	/* Their own card: refused. */
	card_path(path, sizeof(path), reviewer.person_id);
	ah_call(&S, &reviewer, "PUT", path, all, &r);
	ah_expect_error(&r, 403, "forbidden", "the reviewer's own card");
	assert_string_equal(ah_jstr(r.json, "error.message"), "不能为自己的评分表评分");
	ah_resp_free(&r);
	/* A draft (the branch member without a card yet): not submitted. */
	long long fresh = branch_person_with("draft");
	assert_true(fresh > 0);
	card_path(path, sizeof(path), fresh);
	ah_call(&S, &reviewer, "PUT", path, all, &r);
	ah_expect_error(&r, 409, "conflict", "a draft");
	assert_string_equal(ah_jstr(r.json, "error.message"), "评分表尚未提交，不能评分");
	ah_resp_free(&r);

	/* The member's submitted card: a line too high, lines missing. */
	card_path(path, sizeof(path), member.person_id);
	ah_call(&S, &reviewer, "PUT", path, "{\"lines\": {\"effect.exam\": 11}}", &r);
	ah_expect_error(&r, 400, "bad_request", "review too high");
	assert_string_equal(ah_jstr(r.json, "error.message"), "effect.exam 的分数不能超过 10");
	ah_resp_free(&r);
	ah_call(&S, &reviewer, "PUT", path, "{\"lines\": {\"effect.exam\": 10}}", &r);
	ah_expect_error(&r, 400, "bad_request", "review incomplete");
	assert_non_null(strstr(ah_jstr(r.json, "error.message"), "以下项目尚未评分：plan.goal（"));
	ah_resp_free(&r);
	/* 95 of 100: reviewed, a 学习型党员. */
	ah_call(&S, &reviewer, "PUT", path, less, &r);
	ah_expect(&r, 200, "review");
	assert_string_equal(ah_jstr(r.json, "status"), "reviewed");
	assert_int_equal(num(r.json, "review_total"), 95);
	assert_int_equal(num(r.json, "total"), 95);
	assert_int_equal(num(r.json, "self_total"), 99);
	assert_true(cJSON_IsTrue(ah_jget(r.json, "learning_member")));
	assert_int_equal(num(line_of(r.json, "effect.skill"), "review"), 8);
	assert_int_equal(ah_jint(r.json, "reviewed_by.id"), reviewer.user_id);
	ah_resp_free(&r);

	/* The member sees it, and was told. */
	ah_call(&S, &member, "GET", me_path, NULL, &r);
	ah_expect(&r, 200, "the member's reviewed card");
	assert_string_equal(ah_jstr(r.json, "status"), "reviewed");
	assert_int_equal(num(r.json, "total"), 95);
	ah_resp_free(&r);
	ah_call(&S, &member, "GET", "/api/v1/me/notices?unread=1", NULL, &r);
	ah_expect(&r, 200, "the member's notices");
	int told = 0;
	const cJSON *n;
	cJSON_ArrayForEach(n, ah_jget(r.json, "items"))
		if (strcmp(ah_jstr(n, "kind"), "scorecard.reviewed") == 0 &&
		    strstr(ah_jstr(n, "body"), "考评总分 95 分") != NULL)
			told++;
	assert_int_equal(told, 1);
	ah_resp_free(&r);

	/* The card the demo left submitted can be reviewed too. */
	long long submitted = branch_person_with("submitted");
	assert_true(submitted > 0);
	card_path(path, sizeof(path), submitted);
	ah_call(&S, &reviewer, "PUT", path, all, &r);
	ah_expect(&r, 200, "review the demo's submitted card");
	assert_int_equal(num(r.json, "total"), 100);
	ah_resp_free(&r);
}

static void test_who_sees_a_card(void **state)
{
	char path[96];
	card_path(path, sizeof(path), member.person_id);
	ah_sess admin, other_reviewer, approver, head;
	ah_login_role(&S, "admin", 0, &admin);
	ah_login_role(&S, "reviewer", 0, &other_reviewer);
	ah_login_role(&S, "approver", 0, &approver);
	ah_login_role(&S, "head", 0, &head);
	const struct {
		const ah_sess *as;
		const char *method;
		long status;
		const char *code; /* NULL: 200 */
	} rows[] = {
		{&admin, "GET", 200, NULL},
		{&reviewer, "GET", 200, NULL},
		{&other_reviewer, "GET", 404, "not_found"},  /* 数据资源科's reviewer */
		{&approver, "GET", 404, "not_found"},        /* the bureau's approver */
		{&head, "GET", 404, "not_found"},
		{&other_reviewer, "PUT", 404, "not_found"},
		{&admin, "PUT", 403, "forbidden"},           /* admins do not review */
		{&member, "GET", 403, "forbidden"},          /* members use /me/scorecard */
		{&member, "PUT", 403, "forbidden"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ah_resp r;
		ah_call(&S, rows[i].as, rows[i].method, path,
			strcmp(rows[i].method, "PUT") == 0 ? "{\"lines\": {\"plan.goal\": 1}}" : NULL, &r);
		char what[128];
		snprintf(what, sizeof(what), "row %zu: %s as %s", i, rows[i].method, rows[i].as->username);
		if (rows[i].code)
			ah_expect_error(&r, rows[i].status, rows[i].code, what);
		else
			ah_expect(&r, rows[i].status, what);
		if (rows[i].status == 200)
			assert_int_equal(ah_jint(r.json, "person.id"), member.person_id);
		ah_resp_free(&r);
	}
	/* An unknown person, and one out of range. */
	ah_resp r;
	card_path(path, sizeof(path), 99999999);
	ah_call(&S, &admin, "GET", path, NULL, &r);
	ah_expect_error(&r, 404, "not_found", "an unknown person");
	ah_resp_free(&r);
	ah_call(&S, &admin, "GET", "/api/v1/people/abc/scorecard", NULL, &r);
	ah_expect_error(&r, 404, "not_found", "not an id");
	ah_resp_free(&r);
}

static void test_audited(void **state)
{
	ah_sess auditor;
	ah_login_role(&S, "auditor", 0, &auditor);
	static const struct {
		const char *action;
		long long n;
	} rows[] = {{"scorecard.self", 2}, {"scorecard.submit", 1}, {"scorecard.review", 2}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/audit?action=%s", rows[i].action);
		ah_resp r;
		ah_call(&S, &auditor, "GET", path, NULL, &r);
		ah_expect(&r, 200, path);
		if (ah_jint(r.json, "total") != rows[i].n)
			fail_msg("%s: %lld audit rows, want %lld", rows[i].action, ah_jint(r.json, "total"),
				 rows[i].n);
		const cJSON *first = cJSON_GetArrayItem(ah_jget(r.json, "items"), 0);
		assert_non_null(strstr(ah_jstr(first, "object"), "scorecard:"));
		ah_resp_free(&r);
	}
}

static void test_server_stops_cleanly(void **state)
{
	assert_int_equal(ah_server_stop(&S), 0);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-scorecards-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_reads_the_demo_draft),
		cmocka_unit_test(test_member_self_scores),
		cmocka_unit_test(test_no_scorecard_elsewhere),
		cmocka_unit_test(test_me_features),
		cmocka_unit_test(test_reviewer_queue),
		cmocka_unit_test(test_reviewer_scores),
		cmocka_unit_test(test_who_sees_a_card),
		cmocka_unit_test(test_audited),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api scorecards (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
