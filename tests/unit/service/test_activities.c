/* Tests for src/service/activities.c on the demo organisation: every
 * transition allowed or refused by role and state (a table), the head rule
 * (step 2 needs an approver of the root unit other than the step-1 one),
 * who sees what, the 附件2 form's validation (each message naming its
 * field), keys per year, the attendance list (every bad row named, nothing
 * written; CSV and XLSX; replaced; dry run), the records step (given once,
 * a person already holding the key skipped, notices, attendance linked),
 * and an archived 公示 period refusing it before anything is written. Runs
 * on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <math.h>
#include <pthread.h>
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
#include <xlsxwriter.h>

#include "core/file.h"
#include "service/activities.h"
#include "service/auth.h"
#include "service/demo.h"
#include "service/people.h"
#include "store/data.h"
#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

#define PASSWORD "Test-Pass-2026!"

/* The callers. */
enum { ADMIN, REV, REV_OTHER, STEP1, HEAD, HEAD2, MEMBER, MEMBER_KS, NWHO };
static const char *const who_names[NWHO] = {
	"admin", "reviewer", "reviewer-zh", "approver-sj", "approver", "head2", "member", "member-ks",
};

static xf_store *S;
static int current_backend;
static int YEAR;
static long long U_ROOT, U_SJ, U_ZH, U_KS;
static xf_principal P[NWHO];
static long long *unit_arrays[NWHO * 2];

/* ---- set-up ---- */

static long long unit_id(const char *code)
{
	long long id = 0;
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT id FROM units WHERE code = $1", &errs, XF_IN(code),
				      XF_OUT(&id)), 0);
	xf_errs_cleanup(&errs);
	return id;
}

static long long *subtree(long long unit, size_t *n, int slot)
{
	long long *ids = NULL;
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_units_subtree(S, unit, &ids, n, &errs), 0);
	xf_errs_cleanup(&errs);
	unit_arrays[slot] = ids;
	return ids;
}

/* A user not in the demo, with one reviewer or approver role. */
static long long add_user(const char *name, unsigned role, long long unit)
{
	xf_auth_policy ap;
	xf_auth_policy_defaults(&ap);
	xf_user_role r = {role, unit};
	xf_user_new u = {.username = name, .display_name = name, .password = PASSWORD,
			 .roles = &r, .nroles = 1};
	long long id = 0;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_user_add(S, &ap, &u, "test", time(NULL), &id, &errs);
	xf_errs_print(&errs, "add user: ", stderr);
	xf_errs_cleanup(&errs);
	assert_int_equal(rc, 0);
	return id;
}

/* Fills P[k] from the user named username. */
static void principal(int k, const char *username, unsigned roles, long long review_unit,
		      long long approve_unit)
{
	xf_principal *p = &P[k];
	memset(p, 0, sizeof(*p));
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT id, COALESCE(person_id, 0) FROM users"
				      " WHERE username = $1", &errs, XF_IN(username),
				      XF_OUT(&p->user_id), XF_OUT(&p->person_id)), 0);
	xf_errs_cleanup(&errs);
	p->username = who_names[k];
	p->display_name = who_names[k];
	p->roles = roles;
	if (review_unit)
		p->review_units = subtree(review_unit, &p->nreview_units, 2 * k);
	if (approve_unit)
		p->approve_units = subtree(approve_unit, &p->napprove_units, 2 * k + 1);
}

static const char *demo_user(const xf_demo_report *rep, const char *role, int nth)
{
	int seen = 0;
	for (int i = 0; i < rep->nlogins; i++)
		if (strcmp(rep->logins[i].role, role) == 0 && seen++ == nth)
			return rep->logins[i].username;
	fail_msg("no demo login %s #%d", role, nth);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	const backend *b = &backends[current_backend];
	backend_reset(b);
	xf_errs errs;
	xf_errs_init(&errs);
	S = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	assert_non_null(S);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	YEAR = tm.tm_year + 1900;
	static xf_demo_report rep;
	int rc = xf_demo_create(S, YEAR, &rep, &errs);
	xf_errs_print(&errs, "demo: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	U_ROOT = unit_id("dsj");
	U_SJ = unit_id("dsj-sj");
	U_ZH = unit_id("dsj-zh");
	U_KS = unit_id("ks");
	add_user("reviewer-zh", XF_ROLE_REVIEWER, U_ZH);
	add_user("approver-sj", XF_ROLE_APPROVER, U_SJ);
	add_user("head2", XF_ROLE_APPROVER, U_ROOT);
	principal(ADMIN, "admin", XF_ROLE_ADMIN, 0, 0);
	principal(REV, demo_user(&rep, "reviewer", 0), XF_ROLE_MEMBER | XF_ROLE_REVIEWER, U_SJ, 0);
	principal(REV_OTHER, "reviewer-zh", XF_ROLE_REVIEWER, U_ZH, 0);
	principal(STEP1, "approver-sj", XF_ROLE_APPROVER, 0, U_SJ);
	principal(HEAD, demo_user(&rep, "approver", 0), XF_ROLE_MEMBER | XF_ROLE_APPROVER, 0, U_ROOT);
	principal(HEAD2, "head2", XF_ROLE_APPROVER, 0, U_ROOT);
	principal(MEMBER, demo_user(&rep, "member", 0), XF_ROLE_MEMBER, 0, 0);
	principal(MEMBER_KS, demo_user(&rep, "member", 2), XF_ROLE_MEMBER, 0, 0);
	assert_true(P[MEMBER].person_id > 0 && P[MEMBER_KS].person_id > 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xf_store_close(S);
	S = NULL;
	for (int i = 0; i < NWHO * 2; i++) {
		free(unit_arrays[i]);
		unit_arrays[i] = NULL;
	}
	return 0;
}

/* ---- helpers ---- */

static char *form(long long unit, const char *date, const char *extra)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf),
		 "{\"unit_id\": %lld, \"title\": \"大数据讲堂第1期\", \"nature\": \"讲座\","
		 " \"host\": \"张明（男，综合科科长）\", \"speakers\": \"李华（女，市大数据局处长）\","
		 " \"content\": \"数据要素市场化配置改革\", \"audience\": \"全局干部职工（约40人）\","
		 " \"place\": \"局三楼会议室\", \"date_from\": \"%s\", \"date_to\": \"%s\","
		 " \"item\": \"listen.training\", \"level\": \"bureau\", \"minutes\": 120%s%s}",
		 unit, date, date, extra ? ", " : "", extra ? extra : "");
	return buf;
}

static char *ydate(int year, const char *md)
{
	static char buf[8][16];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%04d-%s", year, md);
	return buf[k];
}

static long long create(int who, const char *json)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int rc = xf_activity_create(S, &P[who], json, strlen(json), &id, &errs);
	xf_errs_print(&errs, "create: ", stderr);
	xf_errs_cleanup(&errs);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static void status_of(long long id, char *out, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT status FROM activities WHERE id = $1", &errs,
				      XF_IN(id), XF_OUT_TEXT(out, size)), 0);
	xf_errs_cleanup(&errs);
}

static long long count(const char *sql, long long id)
{
	long long n = -1;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_query_row(S, sql, &errs, XF_IN(id), XF_OUT(&n));
	xf_errs_print(&errs, "count: ", stderr);
	xf_errs_cleanup(&errs);
	assert_int_equal(rc, 0);
	return n;
}

static long long count2(const char *sql, long long a, long long b)
{
	long long n = -1;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_query_row(S, sql, &errs, XF_IN(a), XF_IN(b), XF_OUT(&n));
	xf_errs_print(&errs, "count: ", stderr);
	xf_errs_cleanup(&errs);
	assert_int_equal(rc, 0);
	return n;
}

enum { GET, EDIT, SUBMIT, WITHDRAW, REVIEW, APPROVE, REJECT, REJECT_NO_REASON, ATTEND, RECORDS };

static const char *const action_names[] = {
	"get", "edit", "submit", "withdraw", "review", "approve", "reject", "reject-no-reason",
	"attendance", "records",
};

/* Runs action as who on id; returns the service's rc. The first message
 * goes to msg (when not NULL). */
static int act(int who, int action, long long id, char *msg, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = -9;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	const char *edit = "{\"title\": \"大数据讲堂第1期（修改）\"}";
	switch (action) {
	case GET: rc = xf_activity_get_json(S, &P[who], id, f, &errs); break;
	case EDIT: rc = xf_activity_update(S, &P[who], id, edit, strlen(edit), &errs); break;
	case SUBMIT: rc = xf_activity_submit(S, &P[who], id, &errs); break;
	case WITHDRAW: rc = xf_activity_withdraw(S, &P[who], id, &errs); break;
	case REVIEW: rc = xf_activity_review(S, &P[who], id, "同意", &errs); break;
	case APPROVE: rc = xf_activity_approve(S, &P[who], id, NULL, &errs); break;
	case REJECT: rc = xf_activity_reject(S, &P[who], id, "材料不全，请补充主讲人简介", &errs); break;
	case REJECT_NO_REASON: rc = xf_activity_reject(S, &P[who], id, "  ", &errs); break;
	case RECORDS: rc = xf_activity_records(S, &P[who], id, f, &errs); break;
	default: fail_msg("unknown action");
	}
	fclose(f);
	free(buf);
	if (msg)
		snprintf(msg, size, "%s", errs.n ? errs.msgs[0] : "");
	if (errs.internal)
		xf_errs_print(&errs, "internal: ", stderr);
	assert_false(errs.internal);
	xf_errs_cleanup(&errs);
	return rc;
}

static void must(int who, int action, long long id)
{
	char msg[512];
	int rc = act(who, action, id, msg, sizeof(msg));
	if (rc != 0)
		fail_msg("%s by %s: rc %d: %s", action_names[action], who_names[who], rc, msg);
}

/* Brings a new activity (by the reviewer of 数据资源科) to a state. */
enum { S_DRAFT, S_SUBMITTED, S_REVIEWED1, S_REVIEWED_H, S_APPROVED, S_REJECTED, S_WITHDRAWN };
static const char *const state_names[] = {
	"draft", "submitted", "reviewed", "reviewed", "approved", "rejected", "withdrawn",
};

static long long in_state(int st)
{
	long long id = create(REV, form(U_SJ, ydate(YEAR, "03-10"), NULL));
	if (st == S_DRAFT)
		return id;
	if (st == S_WITHDRAWN) {
		must(REV, WITHDRAW, id);
		return id;
	}
	must(REV, SUBMIT, id);
	if (st == S_REJECTED)
		must(STEP1, REJECT, id);
	if (st == S_REVIEWED1 || st == S_APPROVED)
		must(STEP1, REVIEW, id);
	if (st == S_REVIEWED_H)
		must(HEAD, REVIEW, id);
	if (st == S_APPROVED)
		must(HEAD, APPROVE, id);
	return id;
}

/* ---- the transitions ---- */

static void test_transitions(void **state)
{
	(void)state;
	static const struct {
		int state, who, action, want;
		const char *after; /* the state after; NULL: unchanged */
	} cases[] = {
		/* draft: only the applicant or an admin acts; others do not see it */
		{S_DRAFT, REV, GET, 0, NULL},
		{S_DRAFT, STEP1, GET, 0, NULL},
		{S_DRAFT, HEAD, GET, 0, NULL},
		{S_DRAFT, MEMBER, GET, XF_ACT_MISSING, NULL},
		{S_DRAFT, REV_OTHER, GET, XF_ACT_MISSING, NULL},
		{S_DRAFT, REV, EDIT, 0, "draft"},
		{S_DRAFT, REV, SUBMIT, 0, "submitted"},
		{S_DRAFT, ADMIN, SUBMIT, 0, "submitted"},
		{S_DRAFT, STEP1, SUBMIT, XF_ACT_FORBIDDEN, NULL},
		{S_DRAFT, REV_OTHER, SUBMIT, XF_ACT_MISSING, NULL},
		{S_DRAFT, MEMBER, SUBMIT, XF_ACT_MISSING, NULL},
		{S_DRAFT, STEP1, REVIEW, XF_ACT_CONFLICT, NULL},
		{S_DRAFT, HEAD, APPROVE, XF_ACT_CONFLICT, NULL},
		{S_DRAFT, STEP1, REJECT, XF_ACT_CONFLICT, NULL},
		{S_DRAFT, REV, WITHDRAW, 0, "withdrawn"},
		/* submitted: step 1 by an approver of the unit */
		{S_SUBMITTED, STEP1, REVIEW, 0, "reviewed"},
		{S_SUBMITTED, HEAD, REVIEW, 0, "reviewed"},
		{S_SUBMITTED, REV, REVIEW, XF_ACT_FORBIDDEN, NULL},
		{S_SUBMITTED, ADMIN, REVIEW, XF_ACT_FORBIDDEN, NULL},
		{S_SUBMITTED, HEAD, APPROVE, XF_ACT_CONFLICT, NULL},
		{S_SUBMITTED, STEP1, REJECT, 0, "rejected"},
		{S_SUBMITTED, STEP1, REJECT_NO_REASON, -1, NULL},
		{S_SUBMITTED, REV, REJECT, XF_ACT_FORBIDDEN, NULL},
		{S_SUBMITTED, REV, EDIT, XF_ACT_CONFLICT, NULL},
		{S_SUBMITTED, REV, SUBMIT, XF_ACT_CONFLICT, NULL},
		{S_SUBMITTED, STEP1, WITHDRAW, XF_ACT_FORBIDDEN, NULL},
		{S_SUBMITTED, REV, WITHDRAW, 0, "withdrawn"},
		/* reviewed by the unit's approver: step 2 by a head */
		{S_REVIEWED1, HEAD, APPROVE, 0, "approved"},
		{S_REVIEWED1, HEAD2, APPROVE, 0, "approved"},
		{S_REVIEWED1, STEP1, APPROVE, XF_ACT_FORBIDDEN, NULL},
		{S_REVIEWED1, ADMIN, APPROVE, XF_ACT_FORBIDDEN, NULL},
		{S_REVIEWED1, HEAD, REJECT, 0, "rejected"},
		{S_REVIEWED1, STEP1, REJECT, XF_ACT_FORBIDDEN, NULL},
		{S_REVIEWED1, HEAD, REVIEW, XF_ACT_CONFLICT, NULL},
		{S_REVIEWED1, ADMIN, WITHDRAW, 0, "withdrawn"},
		/* reviewed by a head: the same head may not approve it */
		{S_REVIEWED_H, HEAD, APPROVE, XF_ACT_FORBIDDEN, NULL},
		{S_REVIEWED_H, HEAD, REJECT, XF_ACT_FORBIDDEN, NULL},
		{S_REVIEWED_H, HEAD2, APPROVE, 0, "approved"},
		/* approved: final; members of the organisation see it */
		{S_APPROVED, MEMBER, GET, 0, NULL},
		{S_APPROVED, MEMBER_KS, GET, XF_ACT_MISSING, NULL},
		{S_APPROVED, REV_OTHER, GET, XF_ACT_MISSING, NULL},
		{S_APPROVED, REV, WITHDRAW, XF_ACT_CONFLICT, NULL},
		{S_APPROVED, REV, EDIT, XF_ACT_CONFLICT, NULL},
		{S_APPROVED, HEAD2, REJECT, XF_ACT_CONFLICT, NULL},
		{S_APPROVED, MEMBER, SUBMIT, XF_ACT_FORBIDDEN, NULL},
		/* rejected: editing makes it a draft again */
		{S_REJECTED, REV, EDIT, 0, "draft"},
		{S_REJECTED, REV, SUBMIT, XF_ACT_CONFLICT, NULL},
		{S_REJECTED, STEP1, REVIEW, XF_ACT_CONFLICT, NULL},
		{S_REJECTED, REV, WITHDRAW, 0, "withdrawn"},
		{S_REJECTED, MEMBER, GET, XF_ACT_MISSING, NULL},
		/* withdrawn: final */
		{S_WITHDRAWN, REV, SUBMIT, XF_ACT_CONFLICT, NULL},
		{S_WITHDRAWN, REV, WITHDRAW, XF_ACT_CONFLICT, NULL},
		{S_WITHDRAWN, REV, EDIT, XF_ACT_CONFLICT, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long id = in_state(cases[i].state);
		char before[16], after[16], msg[512];
		status_of(id, before, sizeof(before));
		assert_string_equal(before, state_names[cases[i].state]);
		long long audits = count("SELECT COUNT(*) FROM audit_log WHERE object = 'activity:' || "
					 "CAST($1 AS TEXT)", id);
		int rc = act(cases[i].who, cases[i].action, id, msg, sizeof(msg));
		if (rc != cases[i].want)
			fail_msg("case %zu: %s by %s on %s: rc %d, expected %d (%s)", i,
				 action_names[cases[i].action], who_names[cases[i].who], before, rc,
				 cases[i].want, msg);
		status_of(id, after, sizeof(after));
		assert_string_equal(after, cases[i].after ? cases[i].after : before);
		long long audits_after = count("SELECT COUNT(*) FROM audit_log WHERE object = "
					       "'activity:' || CAST($1 AS TEXT)", id);
		/* One audit row per change, none for a refusal or a read. */
		assert_int_equal(audits_after - audits, rc == 0 && cases[i].action != GET ? 1 : 0);
		if (rc == XF_ACT_FORBIDDEN || rc == XF_ACT_CONFLICT)
			assert_true(msg[0] != '\0');
	}
}

/* The rejection's reason is kept; editing clears it and the review, so
 * both steps are taken anew, and the head rule holds again. */
static void test_reject_edit_resubmit(void **state)
{
	(void)state;
	long long id = in_state(S_REVIEWED_H);
	must(HEAD2, REJECT, id);
	char reason[256];
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT reject_reason FROM activities WHERE id = $1", &errs,
				      XF_IN(id), XF_OUT_TEXT(reason, sizeof(reason))), 0);
	assert_string_equal(reason, "材料不全，请补充主讲人简介");
	must(REV, EDIT, id);
	long long reviewed = -1;
	assert_int_equal(xf_query_row(S, "SELECT COALESCE(reviewed_by, 0) FROM activities WHERE id = $1",
				      &errs, XF_IN(id), XF_OUT(&reviewed)), 0);
	assert_int_equal(reviewed, 0);
	xf_errs_cleanup(&errs);
	must(REV, SUBMIT, id);
	must(HEAD2, REVIEW, id);
	assert_int_equal(act(HEAD2, APPROVE, id, NULL, 0), XF_ACT_FORBIDDEN);
	must(HEAD, APPROVE, id);
	/* The audit trail, in order. */
	static const char *const trail[] = {
		"activity.create", "activity.submit", "activity.review", "activity.reject",
		"activity.update", "activity.submit", "activity.review", "activity.approve",
	};
	xf_stmt *st = xf_stmt_prepare(S, "SELECT action, actor FROM audit_log WHERE object = $1"
				      " ORDER BY id", &errs);
	assert_non_null(st);
	char object[48];
	snprintf(object, sizeof(object), "activity:%lld", id);
	assert_int_equal(xf_stmt_bind_text(st, 1, object), 0);
	size_t k = 0;
	while (xf_stmt_step(st, &errs) == XF_STEP_ROW) {
		assert_true(k < sizeof(trail) / sizeof(trail[0]));
		assert_string_equal(xf_stmt_text(st, 0), trail[k]);
		k++;
	}
	xf_stmt_finalize(st);
	assert_int_equal(k, sizeof(trail) / sizeof(trail[0]));
	xf_errs_cleanup(&errs);
}

/* ---- the form ---- */

static void test_validation(void **state)
{
	(void)state;
	char d[16], d2[16];
	long long existing = count("SELECT COUNT(*) FROM activities WHERE id > $1", 0);
	snprintf(d, sizeof(d), "%d-03-10", YEAR);
	snprintf(d2, sizeof(d2), "%d-03-09", YEAR);
	char body[9][512];
	snprintf(body[0], 512, "{\"unit_id\": %lld, \"date_from\": \"%s\", \"item\": \"listen.training\","
		 " \"level\": \"bureau\"}", U_SJ, d);
	snprintf(body[1], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"read.xxqg\"}", U_SJ, d);
	snprintf(body[2], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"listen.training\"}", U_SJ, d);
	snprintf(body[3], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"read.book\", \"level\": \"city\"}", U_SJ, d);
	snprintf(body[4], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"date_to\": \"%s\", \"item\": \"listen.training\", \"level\": \"bureau\"}", U_SJ, d, d2);
	snprintf(body[5], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%d-02-30\","
		 " \"item\": \"listen.training\", \"level\": \"bureau\", \"minutes\": -5}", U_SJ, YEAR);
	snprintf(body[6], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"listen.training\", \"level\": \"bureau\", \"colour\": 1}", U_SJ, d);
	snprintf(body[7], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"listen.training\", \"level\": \"bureau\"}", U_ZH, d);
	snprintf(body[8], 512, "{\"unit_id\": %lld, \"title\": \"x\", \"date_from\": \"%s\","
		 " \"item\": \"listen.training\", \"level\": \"provincial\"}", U_SJ, d);
	static const char *const want[9] = {
		"title: 活动名称不能为空",
		"item: \"read.xxqg\" 不是",
		"level: 学分项目 listen.training 按级别计分，级别不能为空",
		"level: 学分项目 read.book（读书）不分级别",
		"date_to: 举办结束日期",
		"date_from: 举办开始日期应为 YYYY-MM-DD 格式的日期",
		"colour: 未知字段",
		"unit_id: 单位",
		"level: 级别 \"provincial\" 不适用于学分项目 listen.training，应为 bureau（局级）",
	};
	for (int i = 0; i < 9; i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		long long id = 0;
		int rc = xf_activity_create(S, &P[REV], body[i], strlen(body[i]), &id, &errs);
		assert_int_equal(rc, -1);
		assert_false(errs.internal);
		bool found = false;
		for (size_t k = 0; k < errs.n; k++)
			found = found || strstr(errs.msgs[k], want[i]) != NULL;
		if (!found)
			fail_msg("body %d: no message with \"%s\"; first: %s", i, want[i],
				 errs.n ? errs.msgs[0] : "(none)");
		xf_errs_cleanup(&errs);
	}
	/* -5 minutes is named too, with the bad date. */
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	assert_int_equal(xf_activity_create(S, &P[REV], body[5], strlen(body[5]), &id, &errs), -1);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msgs[1], "minutes: "));
	xf_errs_cleanup(&errs);
	/* Nothing was created. */
	assert_int_equal(count("SELECT COUNT(*) FROM activities WHERE id > $1", 0), existing);
	/* The admin may apply for any unit. */
	long long ok = create(ADMIN, form(U_ZH, d, NULL));
	assert_true(ok > 0);
}

static void key_of(long long id, char *out, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT key FROM activities WHERE id = $1", &errs,
				      XF_IN(id), XF_OUT_TEXT(out, size)), 0);
	xf_errs_cleanup(&errs);
}

static void test_keys(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	xf_data *d = xf_data_new(S, &errs);
	assert_int_equal(xf_data_assign_policy(d, U_ROOT, YEAR + 1, "bigdata-bureau", &errs), 0);
	xf_data_free(d);
	xf_errs_cleanup(&errs);
	/* The year's numbers go on from those already there (the demo has
	 * one); the next year starts at 0001. */
	long long top = count("SELECT COALESCE(MAX(CAST(substr(key, 10) AS INTEGER)), 0)"
			      " FROM activities WHERE year = $1", YEAR);
	char key[32], want[32];
	long long a = create(REV, form(U_SJ, ydate(YEAR, "04-01"), NULL));
	long long b = create(REV, form(U_SJ, ydate(YEAR, "05-01"), NULL));
	long long c = create(REV, form(U_SJ, ydate(YEAR + 1, "01-05"), NULL));
	key_of(a, key, sizeof(key));
	snprintf(want, sizeof(want), "act-%d-%04lld", YEAR, top + 1);
	assert_string_equal(key, want);
	key_of(b, key, sizeof(key));
	snprintf(want, sizeof(want), "act-%d-%04lld", YEAR, top + 2);
	assert_string_equal(key, want);
	key_of(c, key, sizeof(key));
	snprintf(want, sizeof(want), "act-%d-0001", YEAR + 1);
	assert_string_equal(key, want);
	/* Moving a draft to the next year gives it that year's next key. */
	char body[128];
	snprintf(body, sizeof(body), "{\"date_from\": \"%d-02-01\", \"date_to\": \"%d-02-02\"}",
		 YEAR + 1, YEAR + 1);
	xf_errs_init(&errs);
	assert_int_equal(xf_activity_update(S, &P[REV], a, body, strlen(body), &errs), 0);
	xf_errs_cleanup(&errs);
	key_of(a, key, sizeof(key));
	snprintf(want, sizeof(want), "act-%d-0002", YEAR + 1);
	assert_string_equal(key, want);
	/* A year without a policy is refused, naming the unit field. */
	xf_errs_init(&errs);
	long long id;
	const char *json = form(U_SJ, ydate(YEAR + 2, "01-05"), NULL);
	assert_int_equal(xf_activity_create(S, &P[REV], json, strlen(json), &id, &errs), -1);
	assert_non_null(strstr(errs.msgs[0], "unit_id: "));
	xf_errs_cleanup(&errs);
}

/* ---- who sees what in the list ---- */

static long long list_total(int who, const char *status, long long unit, const char *q)
{
	xf_activity_query aq = {.status = status, .unit_id = unit, .q = q, .page = 1, .per_page = 200};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activities_list_json(S, &P[who], &aq, f, &errs);
	fclose(f);
	xf_errs_print(&errs, "list: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	cJSON *o = cJSON_Parse(buf);
	free(buf);
	assert_non_null(o);
	long long total = (long long)cJSON_GetObjectItem(o, "total")->valuedouble;
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")),
			 total < 200 ? total : 200);
	cJSON_Delete(o);
	return total;
}

static void test_list_scope(void **state)
{
	(void)state;
	long long all = list_total(ADMIN, NULL, 0, NULL);
	long long draft = in_state(S_DRAFT);
	long long approved = in_state(S_APPROVED);
	long long other = create(REV_OTHER, form(U_ZH, ydate(YEAR, "06-01"), NULL));
	(void)draft;
	(void)approved;
	(void)other;
	/* Only the activities made here carry 讲堂第1期 in their title (the
	 * demo has one of its own). */
	static const struct {
		int who;
		const char *status;
		int unit; /* 0 any, 1 数据资源科, 2 综合科 */
		const char *q;
		long long want;
	} cases[] = {
		{ADMIN, NULL, 0, "讲堂第1期", 3},
		{REV, NULL, 0, "讲堂第1期", 2},
		{REV_OTHER, NULL, 0, "讲堂第1期", 1}, /* its own draft; no person: no member rule */
		{STEP1, NULL, 0, "讲堂第1期", 2},
		{HEAD, NULL, 0, "讲堂第1期", 3},
		{HEAD, "draft", 0, "讲堂第1期", 2},
		{HEAD, NULL, 2, "讲堂第1期", 1},
		{MEMBER, NULL, 0, "讲堂第1期", 1},
		{MEMBER_KS, NULL, 0, "讲堂第1期", 0},
		{MEMBER_KS, NULL, 0, NULL, 0},
		{ADMIN, "approved", 1, "讲堂第1期", 1},
		{ADMIN, NULL, 0, "讲堂第1", 3},
		{ADMIN, NULL, 0, "100%", 0},
		{ADMIN, NULL, 0, "讲堂_1期", 0}, /* _ is a character, not a wildcard */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long unit = cases[i].unit == 1 ? U_SJ : cases[i].unit == 2 ? U_ZH : 0;
		long long got = list_total(cases[i].who, cases[i].status, unit, cases[i].q);
		if (got != cases[i].want)
			fail_msg("list case %zu (%s): %lld, expected %lld", i, who_names[cases[i].who],
				 got, cases[i].want);
	}
	/* The keys are searched too; the demo's activity is counted by all. */
	assert_int_equal(list_total(ADMIN, NULL, 0, "act-"), all + 3);
	assert_int_equal(list_total(ADMIN, NULL, 0, NULL), all + 3);
	/* A bad filter names itself. */
	xf_activity_query bad = {.status = "done", .page = 1, .per_page = 20};
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_activities_list_json(S, &P[ADMIN], &bad, stdout, &errs), -1);
	assert_non_null(strstr(errs.msgs[0], "status: "));
	xf_errs_cleanup(&errs);
}

/* ---- attendance and records ---- */

typedef struct person {
	long long id;
	char code[32], staff[32], name[64];
} person;

/* The nth active person (by id) of a unit. */
static person person_of(long long unit, int nth)
{
	person p;
	memset(&p, 0, sizeof(p));
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT id, code, staff_no, name FROM people"
				      " WHERE unit_id = $1 AND active = 1 ORDER BY id LIMIT 1 OFFSET $2",
				      &errs, XF_IN(unit), XF_IN(nth), XF_OUT(&p.id),
				      XF_OUT_TEXT(p.code, sizeof(p.code)),
				      XF_OUT_TEXT(p.staff, sizeof(p.staff)),
				      XF_OUT_TEXT(p.name, sizeof(p.name))), 0);
	xf_errs_cleanup(&errs);
	return p;
}

static int upload(int who, long long id, const char *data, size_t len, bool dry,
		  xf_attendance_report *rep, xf_errs *errs)
{
	return xf_activity_attendance_upload(S, &P[who], id, data, len, "签到表.csv", dry, rep, errs);
}

static bool has_msg(const xf_errs *errs, const char *part)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], part))
			return true;
	return false;
}

/* Writes an attendance workbook (staff number, name with a space in it,
 * minutes) to a temporary file and reads it back into memory. */
static char *xlsx_list(const person *a, const person *b, size_t *len)
{
	char path[] = "/tmp/xuefen-att-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "签到");
	worksheet_write_string(ws, 0, 0, "工号", NULL);
	worksheet_write_string(ws, 0, 1, "姓名", NULL);
	worksheet_write_string(ws, 0, 2, "听课时长（分钟）", NULL);
	worksheet_write_string(ws, 0, 3, "签名", NULL);
	const person *ps[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		char spaced[80];
		/* "王 五": spaces that align names in a sheet are not part of it. */
		size_t first = (size_t)((unsigned char)ps[i]->name[0] >= 0xe0 ? 3 : 1);
		snprintf(spaced, sizeof(spaced), "%.*s %s", (int)first, ps[i]->name,
			 ps[i]->name + first);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, ps[i]->staff, NULL);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 1, spaced, NULL);
		worksheet_write_number(ws, (lxw_row_t)(i + 1), 2, i == 0 ? 100 : 40, NULL);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	char *data = NULL;
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_file_read(path, 1 << 20, &data, len, &errs), 0);
	xf_errs_cleanup(&errs);
	unlink(path);
	return data;
}

static void test_attendance_and_records(void **state)
{
	(void)state;
	person sj1 = person_of(U_SJ, 1), sj2 = person_of(U_SJ, 2), sj3 = person_of(U_SJ, 3);
	person zh1 = person_of(U_ZH, 1), ks1 = person_of(U_KS, 1), gone = person_of(U_SJ, 4);
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_exec(S, "UPDATE people SET active = 0 WHERE id = $1", &errs,
				       XF_IN(gone.id)), 0);
	long long id = in_state(S_SUBMITTED);
	xf_attendance_report rep;
	const char *mini = "工号,姓名\nX,Y\n";
	/* Not approved yet: no list. */
	assert_int_equal(upload(REV, id, mini, strlen(mini), false, &rep, &errs), XF_ACT_CONFLICT);
	xf_errs_cleanup(&errs);
	must(STEP1, REVIEW, id);
	must(HEAD, APPROVE, id);

	/* A file with bad rows: every one named, nothing written. */
	char bad[2048];
	snprintf(bad, sizeof(bad),
		 "序号,工号,编号,姓名,听课时长（分钟）\n"
		 "1,%s,,%s,120\n"    /* row 2: fine */
		 "2,%s,,错名字,90\n"  /* row 3: the name does not match */
		 "3,NOPE999,,张三,60\n" /* row 4: unknown */
		 "4,,%s,%s,60\n"      /* row 5: another organisation */
		 "5,%s,,%s,100\n"     /* row 6: listed twice */
		 "6,%s,,%s,150\n"     /* row 7: longer than the class */
		 "7,%s,,%s,\n"        /* row 8: no longer active */
		 "8,,,,\n",           /* row 9: only a 序号: read past */
		 sj1.staff, sj1.name, sj2.staff, ks1.code, ks1.name, sj1.staff, sj1.name, sj3.staff,
		 sj3.name, gone.staff, gone.name);
	xf_errs_init(&errs);
	assert_int_equal(upload(REV, id, bad, strlen(bad), false, &rep, &errs), -1);
	assert_false(errs.internal);
	static const char *const want[] = {
		"第 3 行 D 列（姓名）：姓名“错名字”与名册中工号",
		"第 4 行 B 列（工号）：未知人员：工号 NOPE999 不在名册中",
		"第 5 行 C 列（编号）",
		"第 6 行 B 列（工号）",
		"第 7 行 E 列（听课时长（分钟））：听课时长 150 分钟超过课时长度 120 分钟",
		"第 8 行 B 列（工号）",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has_msg(&errs, want[i]))
			fail_msg("no message with \"%s\"; first: %s", want[i], errs.msgs[0]);
	assert_false(has_msg(&errs, ": 第 2 行"));
	assert_false(has_msg(&errs, ": 第 9 行"));
	assert_true(has_msg(&errs, "与第 2 行重复"));
	xf_errs_cleanup(&errs);
	assert_int_equal(count("SELECT COUNT(*) FROM activity_attendance WHERE activity_id = $1", id), 0);

	/* A header without 姓名, or with an unknown column: refused as a whole. */
	const char *heads = "工号,部门名称\nA,B\n";
	xf_errs_init(&errs);
	assert_int_equal(upload(REV, id, heads, strlen(heads), false, &rep, &errs), -1);
	assert_true(has_msg(&errs, "第 1 行 B 列：未知的列 \"部门名称\""));
	assert_true(has_msg(&errs, "缺少必填列“姓名”"));
	xf_errs_cleanup(&errs);

	/* Only the applicant or an admin uploads. */
	char good[1024];
	snprintf(good, sizeof(good), "工号,编号,姓名,听课时长（分钟）\n%s,,%s,120\n,%s,%s,\n%s,,%s,45\n",
		 sj1.staff, sj1.name, sj2.code, sj2.name, zh1.staff, zh1.name);
	xf_errs_init(&errs);
	assert_int_equal(upload(STEP1, id, good, strlen(good), false, &rep, &errs), XF_ACT_FORBIDDEN);
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	assert_int_equal(upload(REV, id, good, strlen(good), false, &rep, &errs), 0);
	assert_int_equal(rep.listed, 3);
	assert_int_equal(rep.replaced, 0);
	xf_errs_cleanup(&errs);
	assert_int_equal(count("SELECT COUNT(*) FROM activity_attendance WHERE activity_id = $1", id), 3);

	/* An XLSX list replaces it; a dry run changes nothing. */
	size_t xlen;
	char *x = xlsx_list(&sj1, &sj2, &xlen);
	xf_errs_init(&errs);
	int rc = upload(ADMIN, id, x, xlen, false, &rep, &errs);
	xf_errs_print(&errs, "xlsx: ", stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(rep.listed, 2);
	assert_int_equal(rep.replaced, 3);
	assert_int_equal(upload(REV, id, good, strlen(good), true, &rep, &errs), 0);
	assert_true(rep.dry_run);
	assert_int_equal(rep.listed, 3);
	xf_errs_cleanup(&errs);
	free(x);
	assert_int_equal(count("SELECT COUNT(*) FROM activity_attendance WHERE activity_id = $1", id), 2);
	assert_int_equal(count2("SELECT attended_minutes FROM activity_attendance WHERE activity_id = $1"
				" AND person_id = $2", id, sj2.id), 40);

	/* sj1 already holds a record of this activity (from an import). */
	char key[32];
	key_of(id, key, sizeof(key));
	xf_errs_init(&errs);
	xf_data *d = xf_data_new(S, &errs);
	xf_record_row r = {.item = "listen.training", .date = ydate(YEAR, "03-10"), .level = "bureau",
			   .activity = key, .count = NAN, .days = 1, .months = NAN, .hours = NAN,
			   .minutes = 120, .attended_minutes = NAN, .score = NAN, .credits = NAN,
			   .passed = -1, .completed = -1, .online = -1, .approved = -1, .awarded = -1,
			   .speaker = -1};
	assert_int_equal(xf_data_add_record(d, sj1.id, &r, 0, &errs), 0);
	xf_data_free(d);
	xf_errs_cleanup(&errs);
	long long before = count("SELECT COUNT(*) FROM records WHERE person_id = $1", sj2.id);

	/* Who gives the records. */
	assert_int_equal(act(REV, RECORDS, id, NULL, 0), XF_ACT_FORBIDDEN);
	assert_int_equal(act(MEMBER, RECORDS, id, NULL, 0), XF_ACT_FORBIDDEN);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs_init(&errs);
	rc = xf_activity_records(S, &P[STEP1], id, f, &errs);
	fclose(f);
	xf_errs_print(&errs, "records: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	cJSON *o = cJSON_Parse(buf);
	free(buf);
	assert_non_null(o);
	assert_int_equal((int)cJSON_GetObjectItem(o, "given")->valuedouble, 1);
	cJSON *sk = cJSON_GetObjectItem(o, "skipped");
	assert_int_equal(cJSON_GetArraySize(sk), 1);
	assert_int_equal((long long)cJSON_GetObjectItem(cJSON_GetArrayItem(sk, 0), "person_id")->valuedouble,
			 sj1.id);
	cJSON_Delete(o);

	/* The record given: the activity's facts. */
	assert_int_equal(count("SELECT COUNT(*) FROM records WHERE person_id = $1", sj2.id), before + 1);
	char item[32], level[16], date[16], act_key[32];
	long long days = 0, minutes = 0, attended = 0, approved = 0, online = -1, rec = 0;
	xf_errs_init(&errs);
	assert_int_equal(xf_query_row(S, "SELECT id, item, level, date, days, minutes, attended_minutes,"
				      " approved, online, activity FROM records WHERE person_id = $1"
				      " AND activity = $2", &errs, XF_IN(sj2.id), XF_IN(key),
				      XF_OUT(&rec), XF_OUT_TEXT(item, sizeof(item)),
				      XF_OUT_TEXT(level, sizeof(level)), XF_OUT_TEXT(date, sizeof(date)),
				      XF_OUT(&days), XF_OUT(&minutes), XF_OUT(&attended),
				      XF_OUT(&approved), XF_OUT(&online),
				      XF_OUT_TEXT(act_key, sizeof(act_key))), 0);
	xf_errs_cleanup(&errs);
	assert_string_equal(item, "listen.training");
	assert_string_equal(level, "bureau");
	assert_string_equal(date, ydate(YEAR, "03-10"));
	assert_int_equal(days, 1);
	assert_int_equal(minutes, 120);
	assert_int_equal(attended, 40);
	assert_int_equal(approved, 1);
	assert_int_equal(online, 0);
	assert_string_equal(act_key, key);
	assert_int_equal(count2("SELECT record_id FROM activity_attendance WHERE activity_id = $1"
				" AND person_id = $2", id, sj2.id), rec);
	assert_int_equal(count("SELECT COUNT(record_id) FROM activity_attendance WHERE activity_id = $1",
			       id), 1);
	/* One notice, to the person given a record. */
	const char *nsql = "SELECT COUNT(*) FROM notices WHERE kind = 'activity.record'"
			   " AND object = 'activity:' || CAST($1 AS TEXT) AND person_id = $2";
	assert_int_equal(count2(nsql, id, sj2.id), 1);
	assert_int_equal(count2(nsql, id, sj1.id), 0);
	/* Once only; and the list is closed now. */
	char msg[256];
	assert_int_equal(act(HEAD, RECORDS, id, msg, sizeof(msg)), XF_ACT_CONFLICT);
	assert_non_null(strstr(msg, "登记学分"));
	xf_errs_init(&errs);
	assert_int_equal(upload(REV, id, good, strlen(good), false, &rep, &errs), XF_ACT_CONFLICT);
	xf_errs_cleanup(&errs);

	/* The list as staff see it. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	xf_errs_init(&errs);
	assert_int_equal(xf_activity_attendance_json(S, &P[HEAD], id, f, &errs), 0);
	fclose(f);
	o = cJSON_Parse(buf);
	free(buf);
	assert_int_equal((int)cJSON_GetObjectItem(o, "listed")->valuedouble, 2);
	assert_int_equal((int)cJSON_GetObjectItem(o, "given")->valuedouble, 1);
	/* In unit code order (none last), then person code, as bytes: the
	 * same order on both backends. */
	const cJSON *it, *prev = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "items")) {
		const cJSON *pe = cJSON_GetObjectItem(it, "person");
		if (prev) {
			const cJSON *pp = cJSON_GetObjectItem(prev, "person");
			const cJSON *u1 = cJSON_GetObjectItem(pp, "unit"), *u2 = cJSON_GetObjectItem(pe, "unit");
			const char *c1 = cJSON_IsObject(u1) ? cJSON_GetObjectItem(u1, "code")->valuestring : NULL;
			const char *c2 = cJSON_IsObject(u2) ? cJSON_GetObjectItem(u2, "code")->valuestring : NULL;
			int by_unit = c1 && c2 ? strcmp(c1, c2) : (c1 ? -1 : 0) - (c2 ? -1 : 0);
			assert_true(by_unit < 0 ||
				    (by_unit == 0 && strcmp(cJSON_GetObjectItem(pp, "code")->valuestring,
							    cJSON_GetObjectItem(pe, "code")->valuestring) < 0));
		}
		prev = it;
	}
	cJSON_Delete(o);
	f = open_memstream(&buf, &len);
	assert_int_equal(xf_activity_attendance_json(S, &P[MEMBER], id, f, &errs), XF_ACT_MISSING);
	fclose(f);
	free(buf);
	xf_errs_cleanup(&errs);
}

/* A person listed in an archived 公示 whose period holds the activity's
 * date: the records step is refused before anything is written. */
static void test_archived(void **state)
{
	(void)state;
	person sj1 = person_of(U_SJ, 1), sj2 = person_of(U_SJ, 2);
	long long id = in_state(S_APPROVED);
	char list[512];
	snprintf(list, sizeof(list), "工号,姓名\n%s,%s\n%s,%s\n", sj1.staff, sj1.name, sj2.staff,
		 sj2.name);
	xf_attendance_report rep;
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(upload(REV, id, list, strlen(list), false, &rep, &errs), 0);
	long long pub = 0;
	assert_int_equal(xf_query_row(S, "INSERT INTO publications (unit_id, year, title, date_from,"
				      " date_to, status, published_at, published_by, window_start,"
				      " window_end, archived_at, archived_by) VALUES ($1, $2, '第一季度学分公示',"
				      " $3, $4, 'archived', 0, 'admin', $4, $4, 0, 'admin') RETURNING id",
				      &errs, XF_IN(U_ROOT), XF_IN(YEAR), XF_IN(ydate(YEAR, "01-01")),
				      XF_IN(ydate(YEAR, "03-31")), XF_OUT(&pub)), 0);
	assert_int_equal(xf_query_exec(S, "INSERT INTO publication_lines (publication_id, person_id,"
				       " person_name, unit_name, categories, period_total, year_total)"
				       " VALUES ($1, $2, $3, '数据资源科', '{}', 0, 0)", &errs,
				       XF_IN(pub), XF_IN(sj2.id), XF_IN(sj2.name)), 0);
	xf_errs_cleanup(&errs);
	long long records = count("SELECT COUNT(*) FROM records WHERE person_id > $1", 0);
	long long notices = count("SELECT COUNT(*) FROM notices WHERE person_id > $1", 0);
	char msg[512];
	assert_int_equal(act(ADMIN, RECORDS, id, msg, sizeof(msg)), XF_ACT_ARCHIVED);
	assert_non_null(strstr(msg, "该期间已归档，记录不能再修改"));
	assert_non_null(strstr(msg, sj2.name));
	assert_int_equal(count("SELECT COUNT(*) FROM records WHERE person_id > $1", 0), records);
	assert_int_equal(count("SELECT COUNT(*) FROM activities WHERE id = $1 AND records_at IS NULL",
			       id), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM notices WHERE person_id > $1", 0), notices);
}

/* ---- two writers at once ---- */

/* A second connection that holds a change open for a while, then commits:
 * the other writer has to wait for it, then see what it did. */
typedef struct holder {
	const char *url;
	const char *sql;   /* run in the transaction; $1 = arg */
	long long arg;
	const char *arg_text;
	volatile int started;
	int rc;
} holder;

static void *hold(void *p)
{
	holder *h = p;
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s2 = xf_store_open(h->url, XF_STORE_OPEN, &errs);
	h->rc = -1;
	if (s2 && xf_store_begin(s2, &errs) == 0 &&
	    (h->arg_text ? xf_query_exec(s2, h->sql, &errs, XF_IN(h->arg_text), XF_IN(h->arg))
			 : xf_query_exec(s2, h->sql, &errs, XF_IN(h->arg))) == 0) {
		__atomic_store_n(&h->started, 1, __ATOMIC_SEQ_CST);
		struct timespec ts = {0, 300 * 1000000L};
		nanosleep(&ts, NULL);
		h->rc = xf_store_commit(s2, &errs);
	}
	__atomic_store_n(&h->started, 1, __ATOMIC_SEQ_CST);
	xf_errs_print(&errs, "holder: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s2);
	return NULL;
}

static void hold_start(holder *h, pthread_t *t)
{
	assert_int_equal(pthread_create(t, NULL, hold, h), 0);
	while (!__atomic_load_n(&h->started, __ATOMIC_SEQ_CST)) {
		struct timespec ts = {0, 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void test_races(void **state)
{
	(void)state;
	/* Another writer takes the key this create would pick: it waits, and
	 * takes the next number instead. */
	long long top = count("SELECT COALESCE(MAX(CAST(substr(key, 10) AS INTEGER)), 0)"
			      " FROM activities WHERE year = $1", YEAR);
	char taken[32], key[32], want[32];
	snprintf(taken, sizeof(taken), "act-%d-%04lld", YEAR, top + 1);
	holder h = {.url = backends[current_backend].url, .arg_text = taken, .arg = P[REV].user_id,
		    .sql = "INSERT INTO activities (key, unit_id, year, item, level, title, date_from,"
			   " date_to, status, applicant, created_at, updated_at) SELECT $1, unit_id,"
			   " year, item, level, '另一位申办人的活动', date_from, date_to, 'draft', $2, 0, 0"
			   " FROM activities ORDER BY id LIMIT 1"};
	pthread_t t;
	hold_start(&h, &t);
	long long id = create(REV, form(U_SJ, ydate(YEAR, "03-10"), NULL));
	pthread_join(t, NULL);
	assert_int_equal(h.rc, 0);
	key_of(id, key, sizeof(key));
	snprintf(want, sizeof(want), "act-%d-%04lld", YEAR, top + 2);
	assert_string_equal(key, want);

	/* Two approvers review at once: one wins, the other is told. */
	long long sub = in_state(S_SUBMITTED);
	holder r = {.url = backends[current_backend].url, .arg = sub,
		    .sql = "UPDATE activities SET status = 'reviewed', reviewed_by = applicant"
			   " WHERE id = $1 AND status = 'submitted'"};
	hold_start(&r, &t);
	char msg[256];
	int rc = act(STEP1, REVIEW, sub, msg, sizeof(msg));
	pthread_join(t, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(rc, XF_ACT_CONFLICT);
	assert_true(strstr(msg, "该活动已被他人处理") || strstr(msg, "已审核"));
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'activity.review'"
			       " AND object = 'activity:' || CAST($1 AS TEXT)", sub), 0);
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-activities-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_edit_resubmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attendance_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_races, setup, teardown),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "service/activities (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, NULL, NULL);
	}
	backends_teardown();
	return rc;
}
