/* Tests for src/service/scorecards.c: which people have a card (the policy
 * of their unit, own or inherited, with lines; none for a policy without
 * lines, for no policy, for an unknown person), the view (lines, sections,
 * totals and learning_member from the engine), the member's self scores
 * with every validation message (a table), the note, a change that changes
 * nothing, submission (every line needed, once), the reviewer's scores
 * (scope, not their own card, only once submitted, every line needed, the
 * status, the notice, a second review), the audit rows with their values,
 * scores imported without a card, and a record the card's policy cannot
 * read (a message, not a system failure), and the reviewer's list (who is
 * on it, its order, filters, pages, scope). Runs on SQLite, and on PostgreSQL
 * when XUEFEN_TEST_PG is set. */
#include <cjson/cJSON.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service/scorecards.h"
#include "store/data.h"
#include "store/store.h"
#include "../support/backends.h"

#define YEAR 2026

enum { U_BRANCH, U_GROUP, U_BUREAU, U_LOOSE, U_COUNT };
enum { P_MEMBER, P_SECRETARY, P_GROUP, P_BUREAU, P_LOOSE, P_COUNT };

typedef struct fixture {
	xf_store *s;
	long long unit[U_COUNT];
	long long person[P_COUNT];
	long long reviewer_user;
} fixture;

static void must(int rc, const xf_errs *errs, const char *what)
{
	if (rc != 0) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s failed (%d)", what, rc);
	}
}

/* The first column of the first row of sql, $1 bound to a (when given). */
static long long q_int(xf_store *s, const char *sql, const char *a)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	if (st == NULL) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	if (a)
		assert_int_equal(xf_stmt_bind_text(st, 1, a), 0);
	xf_step r = xf_stmt_step(st, &errs);
	if (r == XF_STEP_ERROR) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	long long v = r == XF_STEP_ROW ? xf_stmt_int(st, 0) : -1;
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return v;
}

/* The first column of the first row as a new string ("" for none). */
static char *q_text(xf_store *s, const char *sql, const char *a)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	if (a)
		assert_int_equal(xf_stmt_bind_text(st, 1, a), 0);
	xf_step r = xf_stmt_step(st, &errs);
	assert_int_not_equal(r, XF_STEP_ERROR);
	char *v = strdup(r == XF_STEP_ROW && xf_stmt_text(st, 0) ? xf_stmt_text(st, 0) : "");
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return v;
}

static void fixture_setup(fixture *fx, const backend *b)
{
	static const struct {
		const char *code, *name;
		int parent;
		const char *policy; /* NULL: none of its own */
	} units[U_COUNT] = {
		[U_BRANCH] = {"ghj", "规划局机关党支部", -1, "planning-bureau-member"},
		[U_GROUP] = {"ghj-1", "第一党小组", U_BRANCH, NULL},
		[U_BUREAU] = {"dsj", "区大数据发展局", -1, "bigdata-bureau"},
		[U_LOOSE] = {"x", "未指定办法的单位", -1, NULL},
	};
	static const struct {
		const char *code, *name;
		int unit;
	} people[P_COUNT] = {
		[P_MEMBER] = {"g1", "陈静", U_BRANCH},
		[P_SECRETARY] = {"g2", "王强", U_BRANCH},
		[P_GROUP] = {"g3", "李娜", U_GROUP},
		[P_BUREAU] = {"d1", "赵磊", U_BUREAU},
		[P_LOOSE] = {"x1", "孙悦", U_LOOSE},
	};
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	fx->s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	must(fx->s == NULL, &errs, "open");
	xf_data *d = xf_data_new(fx->s, &errs);
	assert_non_null(d);
	for (int i = 0; i < U_COUNT; i++) {
		must(xf_data_unit(d, units[i].code, units[i].name, &fx->unit[i], &errs), &errs, "unit");
		if (units[i].parent >= 0)
			must(xf_data_unit_parent(d, fx->unit[i], fx->unit[units[i].parent], &errs), &errs,
			     "parent");
		if (units[i].policy)
			must(xf_data_assign_policy(d, fx->unit[i], YEAR, units[i].policy, &errs), &errs,
			     "assign");
	}
	for (int i = 0; i < P_COUNT; i++) {
		xf_person_row r = {people[i].code, people[i].name, NULL, NULL, NULL,
				   fx->unit[people[i].unit], NULL, NULL};
		must(xf_data_person(d, &r, &fx->person[i], &errs), &errs, "person");
	}
	xf_data_free(d);
	must(xf_store_exec_for_tests(fx->s, "INSERT INTO users (username, display_name, password_hash)"
				     " VALUES ('wangqiang', '王强', 'x')", &errs), &errs, "user");
	fx->reviewer_user = q_int(fx->s, "SELECT id FROM users WHERE username = $1", "wangqiang");
	xf_errs_cleanup(&errs);
}

/* ---- the view ---- */

/* The card as JSON (must succeed). */
static cJSON *card_json(fixture *fx, const xf_unit_scope *scope, int p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_scorecard_json(fx->s, scope, fx->person[p], YEAR, f, &errs);
	fclose(f);
	must(rc, &errs, "scorecard json");
	cJSON *j = cJSON_Parse(buf);
	if (j == NULL)
		fail_msg("not JSON: %s", buf);
	free(buf);
	xf_errs_cleanup(&errs);
	return j;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (v == NULL)
		fail_msg("no member %s", key);
	return v;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* The line `key` of a card. */
static const cJSON *line_of(const cJSON *card, const char *key)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, get(card, "lines"))
		if (strcmp(get(l, "key")->valuestring, key) == 0)
			return l;
	fail_msg("no line %s", key);
	return NULL;
}

static void test_who_has_a_card(void **state)
{
	(void)state;
	static const struct {
		int person;
		int rc;
		const char *msg; /* part of the message, NULL: none */
	} rows[] = {
		{P_MEMBER, XF_SC_OK, NULL},
		{P_GROUP, XF_SC_OK, NULL}, /* the branch's policy, inherited */
		{P_BUREAU, XF_SC_NONE, "该人员所在单位的学分办法没有评分表"},
		{P_LOOSE, XF_SC_NONE, "2026 年度均未指定学分办法"},
		{-1, XF_SC_MISSING, NULL},
	};
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			xf_errs errs;
			xf_errs_init(&errs);
			long long id = rows[i].person >= 0 ? fx.person[rows[i].person] : 999999;
			int rc = xf_scorecard_json(fx.s, NULL, id, YEAR, f, &errs);
			fclose(f);
			if (rc != rows[i].rc)
				fail_msg("%s row %zu: rc %d, want %d", backends[bi].name, i, rc, rows[i].rc);
			if (rows[i].msg) {
				assert_int_equal(errs.n, 1);
				if (strstr(errs.msgs[0], rows[i].msg) == NULL)
					fail_msg("row %zu: message %s", i, errs.msgs[0]);
			}
			if (rc != XF_SC_OK)
				assert_int_equal(len, 0); /* nothing written */
			free(buf);
			xf_errs_cleanup(&errs);
		}
		/* Out of the scope given: like a missing person. */
		long long other = fx.unit[U_BUREAU];
		xf_unit_scope sc = {.all = false, .units = &other, .nunits = 1};
		xf_errs errs;
		xf_errs_init(&errs);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(xf_scorecard_json(fx.s, &sc, fx.person[P_MEMBER], YEAR, f, &errs),
				 XF_SC_MISSING);
		assert_int_equal(errs.n, 0);
		fclose(f);
		free(buf);
		/* ... and the member's own card does not care for scope. */
		cJSON *j = card_json(&fx, NULL, P_MEMBER);
		assert_string_equal(get(j, "status")->valuestring, "draft");
		cJSON_Delete(j);
		xf_errs_cleanup(&errs);
		xf_store_close(fx.s);
	}
}

static void test_fresh_card(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope all = {.all = true};
		cJSON *j = card_json(&fx, &all, P_GROUP);
		assert_string_equal(get(get(j, "policy"), "id")->valuestring, "planning-bureau-member");
		assert_string_equal(get(get(j, "person"), "name")->valuestring, "李娜");
		assert_string_equal(get(get(get(j, "person"), "unit"), "code")->valuestring, "ghj-1");
		assert_int_equal(num(j, "year"), YEAR);
		assert_string_equal(get(j, "status")->valuestring, "draft");
		assert_true(cJSON_IsNull(get(j, "note")));
		assert_true(cJSON_IsNull(get(j, "submitted_at")));
		assert_true(cJSON_IsNull(get(j, "reviewed_by")));
		assert_int_equal(cJSON_GetArraySize(get(j, "lines")), 14);
		assert_int_equal(cJSON_GetArraySize(get(j, "sections")), 4);
		const cJSON *goal = line_of(j, "plan.goal");
		assert_string_equal(get(goal, "name")->valuestring, "制定有具有一定挑战性的学习目标");
		assert_string_equal(get(get(goal, "section"), "key")->valuestring, "plan");
		assert_string_equal(get(get(goal, "section"), "name")->valuestring, "学习的计划性");
		assert_int_equal(num(goal, "max"), 7);
		assert_true(cJSON_IsNull(get(goal, "self")));
		assert_true(cJSON_IsNull(get(goal, "review")));
		assert_int_equal(num(line_of(j, "effect.skill"), "max"), 13);
		/* Section maxima as the 细则 has them: 15, 20, 15, 50. */
		static const int maxes[4] = {15, 20, 15, 50};
		int k = 0;
		const cJSON *sec;
		cJSON_ArrayForEach(sec, get(j, "sections"))
			assert_int_equal(num(sec, "max"), maxes[k++]);
		assert_int_equal(num(j, "max_total"), 100);
		assert_int_equal(num(j, "self_total"), 0);
		assert_int_equal(num(j, "total"), 0);
		assert_true(cJSON_IsFalse(get(j, "learning_member")));
		cJSON_Delete(j);
		/* Reading wrote nothing. */
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards", NULL), 0);
		xf_store_close(fx.s);
	}
}

/* ---- the member's self scores ---- */

static void test_self_validation(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *msgs[3]; /* every message, in order */
	} rows[] = {
		{"{\"lines\": {\"plan.goal\": 8}}", {"plan.goal 的分数不能超过 7"}},
		{"{\"lines\": {\"effect.skill\": 13.5}}", {"effect.skill 的分数不能超过 13"}},
		{"{\"lines\": {\"plan.goal\": -1}}", {"plan.goal 的分数不能小于 0"}},
		{"{\"lines\": {\"plan.foo\": 1, \"goal\": 2}}",
		 {"评分表中没有 plan.foo 这一项", "评分表中没有 goal 这一项"}},
		{"{\"lines\": {\"plan.goal\": \"6\"}}", {"plan.goal 的分数应为 0 到 7 之间的数字"}},
		{"{\"lines\": {\"plan.goal\": true}}", {"plan.goal 的分数应为 0 到 7 之间的数字"}},
		{"{\"lines\": {\"plan.goal\": 6.125}}", {"plan.goal 的分数最多保留两位小数（收到 6.13）"}},
		{"{\"lines\": {\"plan.goal\": 6, \"plan.goal\": 5}}", {"plan.goal 重复出现"}},
		{"{\"lines\": [6]}", {"lines: 应为 JSON 对象，如 {\"plan.goal\": 5}"}},
		{"{\"lines\": {}, \"score\": 5}", {"未知字段 score"}},
		{"{\"note\": 5}", {"note: 应为字符串"}},
		{"{\"note\": \"a\\u0001b\"}", {"note: 不能包含控制字符"}},
		{"[1]", {"请求内容: 应为 JSON 对象"}},
		{"nonsense", {"请求内容: 应为 JSON 对象"}},
		{"{\"lines\": {\"plan.goal\": 99, \"apply.summary\": -0.5}, \"x\": 1}",
		 {"未知字段 x", "plan.goal 的分数不能超过 7", "apply.summary 的分数不能小于 0"}},
	};
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		long long audits = q_int(fx.s, "SELECT count(*) FROM audit_log", NULL);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			int rc = xf_scorecard_self(fx.s, fx.person[P_MEMBER], YEAR, rows[i].json, "陈静", &errs);
			if (rc != -1)
				fail_msg("row %zu (%s): rc %d", i, rows[i].json, rc);
			assert_false(errs.internal);
			size_t want = 0;
			while (want < 3 && rows[i].msgs[want])
				want++;
			if (errs.n != want) {
				xf_errs_print(&errs, "got: ", stderr);
				fail_msg("row %zu: %zu messages, want %zu", i, errs.n, want);
			}
			for (size_t k = 0; k < want; k++)
				if (strcmp(errs.msgs[k], rows[i].msgs[k]) != 0)
					fail_msg("row %zu: message %zu is %s, want %s", i, k, errs.msgs[k],
						 rows[i].msgs[k]);
			xf_errs_cleanup(&errs);
		}
		/* A note too long (2001 characters of 3 bytes each). */
		char *long_note = malloc(2001 * 3 + 32);
		strcpy(long_note, "{\"note\": \"");
		for (int k = 0; k < 2001; k++)
			strcat(long_note, "字");
		strcat(long_note, "\"}");
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_scorecard_self(fx.s, fx.person[P_MEMBER], YEAR, long_note, "陈静", &errs), -1);
		assert_string_equal(errs.msgs[0], "note: 不能超过 2000 个字");
		free(long_note);
		xf_errs_cleanup(&errs);
		/* Nothing was written by any of them. */
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards", NULL), 0);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scores", NULL), 0);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM audit_log", NULL), audits);
		/* A person without a card, and one unknown. */
		xf_errs_init(&errs);
		assert_int_equal(xf_scorecard_self(fx.s, fx.person[P_BUREAU], YEAR, "{}", "x", &errs),
				 XF_SC_NONE);
		assert_int_equal(xf_scorecard_self(fx.s, 999999, YEAR, "{}", "x", &errs), XF_SC_MISSING);
		xf_errs_cleanup(&errs);
		xf_store_close(fx.s);
	}
}

static void self_ok(fixture *fx, int p, const char *json)
{
	xf_errs errs;
	xf_errs_init(&errs);
	must(xf_scorecard_self(fx->s, fx->person[p], YEAR, json, "陈静", &errs), &errs, json);
	xf_errs_cleanup(&errs);
}

static void test_self_scores_and_note(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		/* An empty change on a card not yet written writes nothing. */
		self_ok(&fx, P_MEMBER, "{}");
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards", NULL), 0);

		self_ok(&fx, P_MEMBER, "{\"lines\": {\"plan.goal\": 6, \"effect.skill\": 12.5},"
				       " \"note\": \"本年度参加集中学习 12 次。\"}");
		cJSON *j = card_json(&fx, NULL, P_MEMBER);
		assert_string_equal(get(j, "status")->valuestring, "draft");
		assert_string_equal(get(j, "note")->valuestring, "本年度参加集中学习 12 次。");
		assert_int_equal(num(line_of(j, "plan.goal"), "self"), 6);
		assert_true(num(line_of(j, "effect.skill"), "self") == 12.5);
		assert_true(cJSON_IsNull(get(line_of(j, "plan.analysis"), "self")));
		assert_true(num(j, "self_total") == 18.5);
		assert_int_equal(num(j, "review_total"), 0);
		const cJSON *plan = cJSON_GetArrayItem(get(j, "sections"), 0);
		assert_int_equal(num(plan, "self"), 6);
		cJSON_Delete(j);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM audit_log WHERE action = $1",
				       "scorecard.self"), 1);
		char *after = q_text(fx.s, "SELECT after FROM audit_log WHERE action = $1", "scorecard.self");
		assert_non_null(strstr(after, "\"plan.goal\":6"));
		assert_non_null(strstr(after, "\"effect.skill\":12.5"));
		assert_non_null(strstr(after, "\"status\":\"draft\""));
		free(after);
		char *obj = q_text(fx.s, "SELECT object FROM audit_log WHERE action = $1", "scorecard.self");
		char want[64];
		snprintf(want, sizeof(want), "scorecard:%lld:%d", fx.person[P_MEMBER], YEAR);
		assert_string_equal(obj, want);
		free(obj);

		/* The same values again: nothing written, no audit row. */
		self_ok(&fx, P_MEMBER, "{\"lines\": {\"plan.goal\": 6}, \"note\": \"本年度参加集中学习 12 次。\"}");
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM audit_log WHERE action = $1",
				       "scorecard.self"), 1);

		/* Change one, clear one, clear the note; the audit has only those. */
		self_ok(&fx, P_MEMBER, "{\"lines\": {\"plan.goal\": 7, \"effect.skill\": null, "
				       "\"active.campaign\": 3}, \"note\": null}");
		j = card_json(&fx, NULL, P_MEMBER);
		assert_int_equal(num(line_of(j, "plan.goal"), "self"), 7);
		assert_true(cJSON_IsNull(get(line_of(j, "effect.skill"), "self")));
		assert_int_equal(num(j, "self_total"), 10);
		assert_true(cJSON_IsNull(get(j, "note")));
		cJSON_Delete(j);
		char *before = q_text(fx.s, "SELECT before FROM audit_log WHERE action = $1 ORDER BY id DESC",
				      "scorecard.self");
		assert_non_null(strstr(before, "\"plan.goal\":6"));
		assert_non_null(strstr(before, "\"effect.skill\":12.5"));
		assert_non_null(strstr(before, "\"active.campaign\":null"));
		assert_non_null(strstr(before, "\"note\":\"本年度"));
		free(before);
		after = q_text(fx.s, "SELECT after FROM audit_log WHERE action = $1 ORDER BY id DESC",
			       "scorecard.self");
		assert_non_null(strstr(after, "\"effect.skill\":null"));
		assert_non_null(strstr(after, "\"note\":null"));
		free(after);
		xf_store_close(fx.s);
	}
}

/* ---- submit and review ---- */

/* Every line at its maximum less `less` on effect.skill. */
static char *all_lines(double less)
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
	char *buf = malloc(1024);
	strcpy(buf, "{\"lines\": {");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char one[64];
		double v = lines[i].max - (strcmp(lines[i].key, "effect.skill") == 0 ? less : 0);
		snprintf(one, sizeof(one), "%s\"%s\": %g", i ? ", " : "", lines[i].key, v);
		strcat(buf, one);
	}
	strcat(buf, "}}");
	return buf;
}

static xf_scorecard_reviewer reviewer_of(fixture *fx, xf_unit_scope *sc, long long *unit)
{
	*unit = fx->unit[U_BRANCH];
	*sc = (xf_unit_scope){.all = false, .units = unit, .nunits = 1};
	return (xf_scorecard_reviewer){.scope = sc, .user_id = fx->reviewer_user,
				       .person_id = fx->person[P_SECRETARY], .actor = "王强"};
}

static void test_submit(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		/* Nothing scored yet: every line is named. */
		assert_int_equal(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs), -1);
		assert_false(errs.internal);
		assert_non_null(strstr(errs.msgs[0], "以下项目尚未自评，不能提交：plan.goal（"));
		assert_non_null(strstr(errs.msgs[0], "effect.skill（工作技能和业务素质得到提高或认可）"));
		xf_errs_cleanup(&errs);
		/* One missing: only that one. */
		char *all = all_lines(0);
		self_ok(&fx, P_MEMBER, all);
		self_ok(&fx, P_MEMBER, "{\"lines\": {\"effect.degree\": null}}");
		xf_errs_init(&errs);
		assert_int_equal(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs), -1);
		assert_string_equal(errs.msgs[0], "以下项目尚未自评，不能提交：effect.degree（学历或职称得到提高）");
		xf_errs_cleanup(&errs);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards WHERE status = 'draft'", NULL), 1);

		self_ok(&fx, P_MEMBER, "{\"lines\": {\"effect.degree\": 4}}");
		xf_errs_init(&errs);
		must(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs), &errs, "submit");
		cJSON *j = card_json(&fx, NULL, P_MEMBER);
		assert_string_equal(get(j, "status")->valuestring, "submitted");
		assert_true(cJSON_IsString(get(j, "submitted_at")));
		assert_int_equal(num(j, "self_total"), 99);
		cJSON_Delete(j);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM audit_log WHERE action = $1",
				       "scorecard.submit"), 1);

		/* Submitted: no more self changes, no second submission. */
		long long audits = q_int(fx.s, "SELECT count(*) FROM audit_log", NULL);
		assert_int_equal(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs),
				 XF_SC_CONFLICT);
		assert_string_equal(errs.msgs[0], "评分表已提交，不能再修改或提交");
		assert_int_equal(xf_scorecard_self(fx.s, fx.person[P_MEMBER], YEAR,
						   "{\"lines\": {\"plan.goal\": 1}}", "陈静", &errs),
				 XF_SC_CONFLICT);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM audit_log", NULL), audits);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scores WHERE line = 'plan.goal'"
				       " AND self = 7", NULL), 1);
		xf_errs_cleanup(&errs);
		free(all);
		xf_store_close(fx.s);
	}
}

static void test_review(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope sc;
		long long unit;
		xf_scorecard_reviewer r = reviewer_of(&fx, &sc, &unit);
		char *all = all_lines(0), *less = all_lines(6);
		xf_errs errs;
		xf_errs_init(&errs);

		/* A draft cannot be reviewed. */
		self_ok(&fx, P_MEMBER, "{\"lines\": {\"plan.goal\": 5}}");
		assert_int_equal(xf_scorecard_review(fx.s, &r, fx.person[P_MEMBER], YEAR, all, &errs),
				 XF_SC_CONFLICT);
		assert_string_equal(errs.msgs[0], "评分表尚未提交，不能评分");
		xf_errs_cleanup(&errs);
		self_ok(&fx, P_MEMBER, all);
		xf_errs_init(&errs);
		must(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs), &errs, "submit");

		/* Out of scope (another unit's reviewer), and their own card. */
		long long other = fx.unit[U_BUREAU];
		xf_unit_scope osc = {.all = false, .units = &other, .nunits = 1};
		xf_scorecard_reviewer ro = r;
		ro.scope = &osc;
		assert_int_equal(xf_scorecard_review(fx.s, &ro, fx.person[P_MEMBER], YEAR, all, &errs),
				 XF_SC_MISSING);
		assert_int_equal(errs.n, 0);
		assert_int_equal(xf_scorecard_review(fx.s, &r, fx.person[P_SECRETARY], YEAR, all, &errs),
				 XF_SC_OWN);
		assert_string_equal(errs.msgs[0], "不能为自己的评分表评分");
		xf_errs_cleanup(&errs);

		/* Bad scores named; missing lines named; nothing written. */
		static const struct {
			const char *json, *msg;
		} bad[] = {
			{"{\"lines\": {\"plan.goal\": 7.5}}", "plan.goal 的分数不能超过 7"},
			{"{\"lines\": {\"plan.goal\": 7}}", "以下项目尚未评分：plan.analysis（"},
			{"{\"lines\": {\"plan.goal\": 7}, \"note\": \"x\"}", "未知字段 note"},
			{"{}", "lines: 请填写各项的考评分"},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			xf_errs_init(&errs);
			assert_int_equal(xf_scorecard_review(fx.s, &r, fx.person[P_MEMBER], YEAR, bad[i].json,
							     &errs), -1);
			if (strstr(errs.msgs[0], bad[i].msg) == NULL)
				fail_msg("bad %zu: %s", i, errs.msgs[0]);
			xf_errs_cleanup(&errs);
		}
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards WHERE status = 'submitted'",
				       NULL), 1);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scores WHERE review IS NOT NULL", NULL), 0);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM notices", NULL), 0);

		/* 94 of 100: reviewed, not a 学习型党员. */
		xf_errs_init(&errs);
		must(xf_scorecard_review(fx.s, &r, fx.person[P_MEMBER], YEAR, less, &errs), &errs, "review");
		cJSON *j = card_json(&fx, NULL, P_MEMBER);
		assert_string_equal(get(j, "status")->valuestring, "reviewed");
		assert_int_equal(num(j, "self_total"), 100);
		assert_int_equal(num(j, "review_total"), 94);
		assert_int_equal(num(j, "total"), 94);
		assert_true(cJSON_IsFalse(get(j, "learning_member")));
		assert_int_equal(num(line_of(j, "effect.skill"), "review"), 7);
		assert_string_equal(get(get(j, "reviewed_by"), "name")->valuestring, "王强");
		assert_true(cJSON_IsString(get(j, "reviewed_at")));
		const cJSON *effect = cJSON_GetArrayItem(get(j, "sections"), 3);
		assert_int_equal(num(effect, "review"), 44);
		cJSON_Delete(j);
		char who[32];
		snprintf(who, sizeof(who), "%lld", fx.person[P_MEMBER]);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM notices WHERE kind = 'scorecard.reviewed'"
				       " AND person_id = CAST($1 AS BIGINT)", who), 1);
		char *body = q_text(fx.s, "SELECT body FROM notices", NULL);
		assert_string_equal(body, "考评总分 94 分（满分 100 分）");
		free(body);
		char *before = q_text(fx.s, "SELECT before FROM audit_log WHERE action = $1", "scorecard.review");
		assert_non_null(strstr(before, "\"status\":\"submitted\""));
		assert_non_null(strstr(before, "\"effect.skill\":null"));
		free(before);

		/* A second review corrects one line: 100, 学习型党员. */
		must(xf_scorecard_review(fx.s, &r, fx.person[P_MEMBER], YEAR,
					 "{\"lines\": {\"effect.skill\": 13}}", &errs), &errs, "review 2");
		j = card_json(&fx, NULL, P_MEMBER);
		assert_int_equal(num(j, "total"), 100);
		assert_true(cJSON_IsTrue(get(j, "learning_member")));
		cJSON_Delete(j);
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM notices", NULL), 2);
		char *after = q_text(fx.s, "SELECT after FROM audit_log WHERE action = $1 ORDER BY id DESC",
				     "scorecard.review");
		assert_string_equal(after, "{\"year\":2026,\"status\":\"reviewed\",\"lines\":{\"effect.skill\":13}}");
		free(after);
		/* Reviewed: the member can no longer change it. */
		assert_int_equal(xf_scorecard_self(fx.s, fx.person[P_MEMBER], YEAR,
						   "{\"note\": \"x\"}", "陈静", &errs), XF_SC_CONFLICT);
		assert_string_equal(errs.msgs[errs.n - 1], "评分表已评分，不能再修改或提交");
		xf_errs_cleanup(&errs);
		free(all);
		free(less);
		xf_store_close(fx.s);
	}
}

/* Scores that came with a case file, without a card row: shown, and
 * submitted as they are. */
static void test_imported_scores(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_data *d = xf_data_new(fx.s, &errs);
		static const struct {
			const char *line;
			double self, review;
		} lines[] = {
			{"plan.goal", 7, 7}, {"plan.analysis", 8, 8}, {"active.collective", 8, 8},
			{"active.inservice", 4, 4}, {"active.contest", 5, 5}, {"active.campaign", 3, 3},
			{"apply.research", 7, 7}, {"apply.summary", 8, 8}, {"effect.tools", 6, 6},
			{"effect.exam", 10, 10}, {"effect.duty", 10, 10}, {"effect.innovation", 6, 6},
			{"effect.degree", 5, 5}, {"effect.skill", 13, 12},
		};
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
			must(xf_data_put_score(d, fx.person[P_GROUP], YEAR, lines[i].line, lines[i].self,
					       lines[i].review, &errs), &errs, "score");
		xf_data_free(d);
		cJSON *j = card_json(&fx, NULL, P_GROUP);
		assert_string_equal(get(j, "status")->valuestring, "draft");
		assert_int_equal(num(j, "total"), 99);
		assert_true(cJSON_IsTrue(get(j, "learning_member")));
		cJSON_Delete(j);
		must(xf_scorecard_submit(fx.s, fx.person[P_GROUP], YEAR, "李娜", &errs), &errs, "submit");
		assert_int_equal(q_int(fx.s, "SELECT count(*) FROM scorecards WHERE status = 'submitted'"
				       " AND submitted_at IS NOT NULL", NULL), 1);
		xf_errs_cleanup(&errs);
		xf_store_close(fx.s);
	}
}

/* A row the card's policy cannot value (a record of another policy's
 * item) stops the view with a message, not as a system failure. */
static void test_data_the_policy_cannot_read(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_data *d = xf_data_new(fx.s, &errs);
		xf_record_row r = {.item = "listen.training", .date = "2026-03-02", .level = "city",
				   .count = NAN, .days = NAN, .months = NAN, .hours = NAN, .minutes = 120,
				   .attended_minutes = NAN, .score = NAN, .credits = NAN, .passed = -1,
				   .completed = -1, .online = -1, .approved = -1, .awarded = -1, .speaker = -1};
		must(xf_data_add_record(d, fx.person[P_GROUP], &r, 0, &errs), &errs, "record");
		xf_data_free(d);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(xf_scorecard_json(fx.s, NULL, fx.person[P_GROUP], YEAR, f, &errs), -1);
		fclose(f);
		assert_false(errs.internal);
		assert_true(errs.n >= 1);
		if (strstr(errs.msgs[0], "李娜") == NULL || strstr(errs.msgs[0], "listen.training") == NULL)
			fail_msg("%s: message %s", backends[bi].name, errs.msgs[0]);
		free(buf);
		xf_errs_cleanup(&errs);
		xf_store_close(fx.s);
	}
}

/* ---- the reviewer's list ---- */

/* The list as JSON (must succeed). */
static cJSON *list_json(fixture *fx, const xf_unit_scope *scope, const char *status,
			const char *q, long long page, long long per_page)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_scorecard_query qq = {.year = YEAR, .status = status, .q = q, .page = page,
				 .per_page = per_page};
	must(xf_scorecards_list_json(fx->s, scope, &qq, f, &errs), &errs, "list");
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	free(buf);
	xf_errs_cleanup(&errs);
	return j;
}

/* "id,id,…" of the list's people, in its order. */
static void list_ids(const cJSON *j, char *out, size_t size)
{
	out[0] = '\0';
	const cJSON *it;
	cJSON_ArrayForEach(it, get(j, "items")) {
		size_t n = strlen(out);
		snprintf(out + n, size - n, "%s%lld", n ? "," : "",
			 (long long)num(get(it, "person"), "id"));
	}
}

/* Only people whose unit's policy has lines (own or inherited), in scope;
 * submitted first, then drafts (a card never written too), then reviewed;
 * filtered by status and by name or code; paged with the total. */
static void test_list(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx;
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope sc;
		long long unit;
		xf_scorecard_reviewer r = reviewer_of(&fx, &sc, &unit);
		char *all = all_lines(0);
		xf_errs errs;
		xf_errs_init(&errs);
		/* 李娜 submitted; 陈静 submitted and reviewed; 王强 nothing. */
		self_ok(&fx, P_GROUP, all);
		must(xf_scorecard_submit(fx.s, fx.person[P_GROUP], YEAR, "李娜", &errs), &errs, "submit");
		self_ok(&fx, P_MEMBER, all);
		must(xf_scorecard_submit(fx.s, fx.person[P_MEMBER], YEAR, "陈静", &errs), &errs, "submit");
		must(xf_scorecard_review(fx.s, &r, fx.person[P_MEMBER], YEAR, all, &errs), &errs, "review");

		char want[128], got[128];
		xf_unit_scope everyone = {.all = true};
		cJSON *j = list_json(&fx, &everyone, NULL, NULL, 1, 20);
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld,%lld,%lld", fx.person[P_GROUP], fx.person[P_SECRETARY],
			 fx.person[P_MEMBER]);
		assert_string_equal(got, want); /* not 赵磊 (bigdata-bureau) nor 孙悦 (no policy) */
		assert_int_equal(num(j, "total"), 3);
		const cJSON *first = cJSON_GetArrayItem(get(j, "items"), 0);
		assert_string_equal(get(first, "status")->valuestring, "submitted");
		assert_int_equal(num(first, "self_total"), 100);
		const cJSON *last = cJSON_GetArrayItem(get(j, "items"), 2);
		assert_string_equal(get(last, "status")->valuestring, "reviewed");
		assert_int_equal(num(last, "total"), 100);
		assert_true(cJSON_IsBool(get(last, "learning_member")));
		cJSON_Delete(j);

		j = list_json(&fx, &everyone, "submitted", NULL, 1, 20);
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", fx.person[P_GROUP]);
		assert_string_equal(got, want);
		cJSON_Delete(j);
		j = list_json(&fx, &everyone, "draft", NULL, 1, 20);
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", fx.person[P_SECRETARY]);
		assert_string_equal(got, want);
		cJSON_Delete(j);
		j = list_json(&fx, &everyone, NULL, "G1", 1, 20); /* code, any case */
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", fx.person[P_MEMBER]);
		assert_string_equal(got, want);
		cJSON_Delete(j);
		j = list_json(&fx, &everyone, NULL, "100%", 1, 20); /* % is a character */
		assert_int_equal(num(j, "total"), 0);
		cJSON_Delete(j);

		/* Pages: 2 a page, the total on each, past the end empty. */
		j = list_json(&fx, &everyone, NULL, NULL, 2, 2);
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", fx.person[P_MEMBER]);
		assert_string_equal(got, want);
		assert_int_equal(num(j, "total"), 3);
		cJSON_Delete(j);
		j = list_json(&fx, &everyone, NULL, NULL, 5, 2);
		assert_int_equal(cJSON_GetArraySize(get(j, "items")), 0);
		assert_int_equal(num(j, "total"), 3);
		cJSON_Delete(j);

		/* A scope: the group alone; another unit's staff see nobody. */
		long long group = fx.unit[U_GROUP], bureau = fx.unit[U_BUREAU];
		xf_unit_scope gsc = {.units = &group, .nunits = 1}, bsc = {.units = &bureau, .nunits = 1};
		j = list_json(&fx, &gsc, NULL, NULL, 1, 20);
		list_ids(j, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", fx.person[P_GROUP]);
		assert_string_equal(got, want);
		cJSON_Delete(j);
		j = list_json(&fx, &bsc, NULL, NULL, 1, 20);
		assert_int_equal(num(j, "total"), 0);
		assert_int_equal(cJSON_GetArraySize(get(j, "items")), 0);
		cJSON_Delete(j);
		xf_errs_cleanup(&errs);
		free(all);
		xf_store_close(fx.s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-scorecards-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who_has_a_card),
		cmocka_unit_test(test_fresh_card),
		cmocka_unit_test(test_self_validation),
		cmocka_unit_test(test_self_scores_and_note),
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_review),
		cmocka_unit_test(test_imported_scores),
		cmocka_unit_test(test_data_the_policy_cannot_read),
		cmocka_unit_test(test_list),
	};
	int rc = cmocka_run_group_tests_name("service/scorecards", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
