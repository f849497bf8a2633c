/* Tests for src/service/claims.c, claims_form.c and claims_view.c: the
 * fields each item asks for; the checks of a claim's facts; the state
 * machine as a table — every action from every state by every kind of
 * caller (the claimant, another member, a reviewer in and out of scope,
 * an approver, an admin, an auditor) with what must happen, and after a
 * success exactly one claim_events row and one audit row; the step-2
 * approver differing from the step-1 reviewer; approval writing the
 * record (claim_id both ways) and the notices; the archive; two approvers
 * racing on two connections (one wins, one conflict, one record);
 * evidence rows and duplicates across people; the lists; the preview
 * after caps; bulk review; activities. Runs on SQLite, and on PostgreSQL
 * when XUEFEN_TEST_PG is set. */
#include <cjson/cJSON.h>
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

#include "policy/policy.h"
#include "service/claims.h"
#include "service/credits.h"
#include "store/data.h"
#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

/* ---- fixture ---- */

enum { U_BUREAU, U_A, U_B, U_KS, U_COUNT };
enum { P_A1, P_A2, P_B1, P_KS, P_REV, P_APP, P_APP2, P_REVAPP, P_COUNT };
/* The callers. */
enum {
	A_CLAIMANT,   /* member, person A1 (unit A) */
	A_OTHER,      /* member, person A2 (unit A) */
	A_REV,        /* reviewer of unit A (and a member, person REV in A) */
	A_REV_OUT,    /* reviewer of unit B */
	A_APP,        /* approver of the bureau (and a member) */
	A_APP2,       /* a second approver of the bureau */
	A_REVAPP,     /* both reviewer and approver of unit A */
	A_ADMIN,
	A_AUDITOR,
	A_NOPERSON,   /* member without a person */
	A_B1,         /* member, person B1 (unit B) */
	A_COUNT
};

typedef struct actor {
	xf_principal p;
	long long review[4], approve[4];
	char name[32];
} actor;

typedef struct fixture {
	const backend *b;
	xf_store *s;
	int year;
	char day[16];     /* a date of the year, not after today */
	long long unit[U_COUNT];
	long long person[P_COUNT];
	actor a[A_COUNT];
	char evdir[128];
} fixture;

static fixture F;
static int current_backend;

static void must(int rc, const xf_errs *errs, const char *what)
{
	if (rc != 0) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s failed (%d)", what, rc);
	}
}

static long long q_int(const char *sql, long long a)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long v = 0;
	int rc = xf_query_row(F.s, sql, &errs, XF_IN(a), XF_OUT(&v));
	if (rc < 0) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	xf_errs_cleanup(&errs);
	return v;
}

static long long q_count(const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long v = 0;
	int rc = xf_query_row(F.s, sql, &errs, XF_OUT(&v));
	if (rc < 0) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	xf_errs_cleanup(&errs);
	return v;
}

static long long audit_rows(void)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long n = 0;
	must(xf_store_audit_count(F.s, &n, &errs), &errs, "audit count");
	xf_errs_cleanup(&errs);
	return n;
}

static long long add_user(const char *name, long long person_id, const char *roles[3],
			  const long long units[3])
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	must(xf_query_row(F.s,
			  "INSERT INTO users (username, display_name, person_id, password_hash)"
			  " VALUES ($1, $1, $2, 'x') RETURNING id",
			  &errs, XF_IN(name), person_id > 0 ? XF_IN(person_id) : XF_IN_NULL,
			  XF_OUT(&id)),
	     &errs, "user");
	for (int i = 0; i < 3 && roles[i]; i++)
		must(xf_query_exec(F.s, "INSERT INTO user_roles (user_id, role, unit_id) VALUES ($1, $2, $3)",
				   &errs, XF_IN(id), XF_IN(roles[i]), XF_IN(units[i])),
		     &errs, "role");
	xf_errs_cleanup(&errs);
	return id;
}

static void sort_ids(long long *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			long long t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* An actor: a user row and the principal a session would give. */
static void make_actor(int k, const char *name, unsigned roles, long long person, const long long *rev,
		       size_t nrev, const long long *app, size_t napp)
{
	actor *a = &F.a[k];
	const char *rn[3] = {NULL, NULL, NULL};
	long long ru[3] = {0, 0, 0};
	int n = 0;
	if (roles & XF_ROLE_MEMBER)
		rn[n++] = "member";
	if (roles & XF_ROLE_REVIEWER)
		ru[n] = rev[0], rn[n++] = "reviewer";
	if (roles & XF_ROLE_APPROVER)
		ru[n] = app[0], rn[n++] = "approver";
	if (roles & XF_ROLE_ADMIN)
		rn[n++] = "admin";
	if (roles & XF_ROLE_AUDITOR)
		rn[n++] = "auditor";
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->p.user_id = add_user(name, person, rn, ru);
	a->p.username = a->name;
	a->p.display_name = a->name;
	a->p.person_id = person;
	a->p.roles = roles;
	for (size_t i = 0; i < nrev; i++)
		a->review[i] = rev[i];
	for (size_t i = 0; i < napp; i++)
		a->approve[i] = app[i];
	sort_ids(a->review, nrev);
	sort_ids(a->approve, napp);
	a->p.review_units = a->review;
	a->p.nreview_units = nrev;
	a->p.approve_units = a->approve;
	a->p.napprove_units = napp;
}

static const xf_principal *who(int k)
{
	return &F.a[k].p;
}

static int group_setup(void **state)
{
	(void)state;
	const backend *b = &backends[current_backend];
	xf_errs errs;
	xf_errs_init(&errs);
	memset(&F, 0, sizeof(F));
	F.b = b;
	backend_reset(b);
	F.s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	must(F.s == NULL, &errs, "open");
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	F.year = tm.tm_year + 1900;
	snprintf(F.day, sizeof(F.day), "%04d-01-01", F.year);
	snprintf(F.evdir, sizeof(F.evdir), "%s/evidence", backends_dir);

	xf_data *d = xf_data_new(F.s, &errs);
	assert_non_null(d);
	static const char *const codes[U_COUNT][2] = {
		{"dsj", "区大数据发展局"}, {"dsj-a", "数据资源科"}, {"dsj-b", "综合科"}, {"ks", "昆山市某镇"}};
	for (int u = 0; u < U_COUNT; u++)
		must(xf_data_unit(d, codes[u][0], codes[u][1], &F.unit[u], &errs), &errs, "unit");
	must(xf_data_unit_parent(d, F.unit[U_A], F.unit[U_BUREAU], &errs), &errs, "parent");
	must(xf_data_unit_parent(d, F.unit[U_B], F.unit[U_BUREAU], &errs), &errs, "parent");
	must(xf_data_assign_policy(d, F.unit[U_BUREAU], F.year, "bigdata-bureau", &errs), &errs, "assign");
	must(xf_data_assign_policy(d, F.unit[U_KS], F.year, "kunshan-cadre", &errs), &errs, "assign");
	static const struct {
		const char *code, *name, *role;
		int unit;
	} people[P_COUNT] = {
		[P_A1] = {"A1", "张伟", "staff", U_A},       [P_A2] = {"A2", "王芳", "staff", U_A},
		[P_B1] = {"B1", "李娜", "staff", U_B},       [P_KS] = {"K1", "陈刚", "town_leader", U_KS},
		[P_REV] = {"R1", "刘洋", "section_head", U_A}, [P_APP] = {"P1", "赵强", "leader", U_BUREAU},
		[P_APP2] = {"P2", "孙丽", "leader", U_BUREAU}, [P_REVAPP] = {"P3", "周杰", "leader", U_A},
	};
	for (int i = 0; i < P_COUNT; i++) {
		xf_person_row r = {people[i].code, people[i].name, NULL, NULL, NULL,
				   F.unit[people[i].unit], people[i].role, "2015-07-01"};
		must(xf_data_person(d, &r, &F.person[i], &errs), &errs, "person");
	}
	xf_data_free(d);

	long long ua[1] = {F.unit[U_A]}, ub[1] = {F.unit[U_B]};
	long long bureau[3] = {F.unit[U_BUREAU], F.unit[U_A], F.unit[U_B]};
	make_actor(A_CLAIMANT, "zhangwei", XF_ROLE_MEMBER, F.person[P_A1], NULL, 0, NULL, 0);
	make_actor(A_OTHER, "wangfang", XF_ROLE_MEMBER, F.person[P_A2], NULL, 0, NULL, 0);
	make_actor(A_REV, "liuyang", XF_ROLE_MEMBER | XF_ROLE_REVIEWER, F.person[P_REV], ua, 1, NULL, 0);
	make_actor(A_REV_OUT, "reviewer-b", XF_ROLE_REVIEWER, 0, ub, 1, NULL, 0);
	make_actor(A_APP, "zhaoqiang", XF_ROLE_MEMBER | XF_ROLE_APPROVER, F.person[P_APP], NULL, 0,
		   bureau, 3);
	make_actor(A_APP2, "sunli", XF_ROLE_MEMBER | XF_ROLE_APPROVER, F.person[P_APP2], NULL, 0,
		   bureau, 3);
	make_actor(A_REVAPP, "zhoujie", XF_ROLE_MEMBER | XF_ROLE_REVIEWER | XF_ROLE_APPROVER,
		   F.person[P_REVAPP], ua, 1, ua, 1);
	make_actor(A_ADMIN, "admin", XF_ROLE_ADMIN, 0, NULL, 0, NULL, 0);
	make_actor(A_AUDITOR, "auditor", XF_ROLE_AUDITOR, 0, NULL, 0, NULL, 0);
	make_actor(A_NOPERSON, "nobody", XF_ROLE_MEMBER, 0, NULL, 0, NULL, 0);
	make_actor(A_B1, "lina", XF_ROLE_MEMBER, F.person[P_B1], NULL, 0, NULL, 0);
	xf_errs_cleanup(&errs);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	xf_store_close(F.s);
	F.s = NULL;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.evdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", F.evdir);
	return 0;
}

/* ---- helpers ---- */

/* A complete 学习培训 claim: a city training of 120 minutes. */
static char *training_body(const char *level, int minutes, int attended)
{
	char *s = malloc(1024);
	assert_non_null(s);
	snprintf(s, 1024,
		 "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"level\": \"%s\","
		 " \"minutes\": %d, \"attended_minutes\": %d}, \"details\": {\"content\":"
		 " \"大数据讲堂：数据治理\", \"place\": \"局三楼会议室\", \"host\": \"区大数据发展局\","
		 " \"mode\": \"集中授课\"}}",
		 F.day, level, minutes, attended);
	return s;
}

static long long create_as(int k, const char *body)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	must(xf_claim_create(F.s, who(k), body, &id, &errs), &errs, "create");
	xf_errs_cleanup(&errs);
	assert_true(id > 0);
	return id;
}

static void step(int rc_want, int rc, xf_errs *errs, const char *what)
{
	if (rc != rc_want) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s: %d, expected %d", what, rc, rc_want);
	}
}

/* A claim of k's brought to state. */
static long long claim_in(int k, const char *state)
{
	char *body = training_body("city", 120, 120);
	long long id = create_as(k, body);
	free(body);
	xf_errs errs;
	xf_errs_init(&errs);
	if (strcmp(state, "draft") != 0 && strcmp(state, "withdrawn") != 0)
		step(0, xf_claim_submit(F.s, who(k), id, &errs), &errs, "submit");
	if (strcmp(state, "reviewed") == 0 || strcmp(state, "approved") == 0)
		step(0, xf_claim_review(F.s, who(A_REV), id, NULL, &errs), &errs, "review");
	if (strcmp(state, "approved") == 0)
		step(0, xf_claim_approve(F.s, who(A_APP), id, NULL, &errs), &errs, "approve");
	if (strcmp(state, "rejected") == 0)
		step(0, xf_claim_reject(F.s, who(A_REV), id, "材料不全", &errs), &errs, "reject");
	if (strcmp(state, "withdrawn") == 0)
		step(0, xf_claim_withdraw(F.s, who(k), id, &errs), &errs, "withdraw");
	xf_errs_cleanup(&errs);
	return id;
}

static char *status_of(long long id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *st = NULL;
	must(xf_query_row(F.s, "SELECT status FROM claims WHERE id = $1", &errs, XF_IN(id), XF_OUT(&st)),
	     &errs, "status");
	xf_errs_cleanup(&errs);
	return st;
}

/* A JSON view into a parsed tree. */
typedef int (*view_fn)(xf_store *, const xf_principal *, long long, FILE *, xf_errs *);
static cJSON *view(view_fn fn, int k, long long id, int want_rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = fn(F.s, who(k), id, f, &errs);
	fclose(f);
	step(want_rc, rc, &errs, "view");
	cJSON *j = rc == 0 ? cJSON_Parse(buf) : NULL;
	if (rc == 0 && j == NULL)
		fail_msg("not JSON: %s", buf);
	free(buf);
	xf_errs_cleanup(&errs);
	return j;
}

static bool errs_have(const xf_errs *errs, const char *needle)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], needle))
			return true;
	return false;
}

/* ---- items and their fields ---- */

static uint32_t bits(const char *const *names)
{
	uint32_t b = 0;
	for (size_t i = 0; names[i]; i++) {
		int k = -1;
		for (int j = 0; j < XF_CF_NFIELDS; j++)
			if (strcmp(names[i], xf_claim_field_names[j]) == 0)
				k = j;
		assert_true(k >= 0);
		b |= 1u << k;
	}
	return b;
}

static void test_item_fields(void **state)
{
	(void)state;
	static const struct {
		const char *policy, *item;
		bool claimable, self_study, evidence;
		const char *asked[12], *required[8];
	} cases[] = {
		{"bigdata-bureau", "listen.training", true, false, false,
		 {"date", "level", "days", "online", "minutes", "attended_minutes", "score", "passed",
		  "completed", "kind", NULL},
		 {"date", "level", "minutes", "attended_minutes", NULL}},
		{"bigdata-bureau", "read.book", true, true, false, {"date", "count", NULL}, {"date", NULL}},
		{"bigdata-bureau", "read.xxqg", false, false, false, {NULL}, {NULL}},
		{"bigdata-bureau", "write.briefing", true, false, true,
		 {"date", "level", "count", "awarded", NULL}, {"date", "level", NULL}},
		{"kunshan-cadre", "study.central_group", true, false, false,
		 {"date", "count", "speaker", NULL}, {"date", NULL}},
		{"kunshan-cadre", "study.book_reflection", true, true, false, {"date", "count", NULL},
		 {"date", NULL}},
		{"kunshan-cadre", "fulltime.secondment", true, false, false, {"date", "months", NULL},
		 {"date", "months", NULL}},
		{"kunshan-cadre", "online.course", true, false, false, {"date", "hours", NULL},
		 {"date", "hours", NULL}},
		{"kunshan-cadre", "online.xxqg", true, false, false, {"date", NULL}, {"date", NULL}},
		{"loudi-online", "online.special_course", true, false, false,
		 {"date", "credits", "online", "completed", NULL}, {"date", "credits", "completed", NULL}},
		{"loudi-online", "online.exam", true, false, false, {"date", "credits", "passed", NULL},
		 {"date", "credits", "passed", NULL}},
		{"loudi-online", "online.required_course", true, false, false,
		 {"date", "minutes", "online", "completed", NULL}, {"date", "minutes", "completed", NULL}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const xf_policy *p = xf_policy_builtin_shared(cases[i].policy, &errs);
		must(p == NULL, &errs, cases[i].policy);
		int it = xf_policy_item(p, cases[i].item);
		if (it < 0)
			fail_msg("%s has no %s", cases[i].policy, cases[i].item);
		xf_claim_item_info info;
		xf_claim_item_fields(p, it, &info);
		if (info.claimable != cases[i].claimable || info.self_study != cases[i].self_study ||
		    info.needs_evidence != cases[i].evidence)
			fail_msg("%s: flags %d %d %d", cases[i].item, info.claimable, info.self_study,
				 info.needs_evidence);
		if (cases[i].asked[0] && info.asked != bits(cases[i].asked))
			fail_msg("%s: asked 0x%x, expected 0x%x", cases[i].item, info.asked,
				 bits(cases[i].asked));
		if (cases[i].claimable && info.required != bits(cases[i].required))
			fail_msg("%s: required 0x%x, expected 0x%x", cases[i].item, info.required,
				 bits(cases[i].required));
		assert_int_equal(info.required & ~info.asked, 0);
		xf_errs_cleanup(&errs);
	}
}

/* ---- creating: the checks of the facts ---- */

static void test_create_checks(void **state)
{
	(void)state;
	char future[16], lastyear[16];
	snprintf(future, sizeof(future), "%04d-01-01", F.year + 1);
	snprintf(lastyear, sizeof(lastyear), "%04d-06-30", F.year - 1);
	char bodies[20][512];
	const struct {
		int actor;
		const char *fmt;  /* %s: a date */
		const char *date;
		int rc;
		const char *msg[3];
	} cases[] = {
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"level\": \"city\"}}",
		 F.day, 0, {NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"level\": \"district_paper\"}}",
		 F.day, XF_CLAIM_INVALID, {"fields.level（级别）", "national（国家级）", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"credits\": 5, \"activity\": \"x\"}}",
		 F.day, XF_CLAIM_INVALID, {"fields.credits：", "fields.activity：", "activity_id"}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"minutes\": 90.5,"
			     " \"attended_minutes\": -1, \"online\": \"yes\"}}",
		 F.day, XF_CLAIM_INVALID, {"fields.minutes（时长（分钟））：应为 1 到 100000 之间的整数",
					   "fields.attended_minutes", "fields.online（是否网络学习）：应为 true 或 false"}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"minutes\": 60,"
			     " \"attended_minutes\": 90}}",
		 F.day, XF_CLAIM_INVALID, {"不能超过课程时长 60 分钟", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\"}}", future,
		 XF_CLAIM_INVALID, {"晚于今天", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\"}}", lastyear,
		 XF_CLAIM_INVALID, {"年度均未指定学分办法", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"date\": \"2026-02-30\"}}", NULL,
		 XF_CLAIM_INVALID, {"fields.date（日期）", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"fields\": {\"level\": \"city\"}}", NULL,
		 XF_CLAIM_INVALID, {"fields.date", NULL}},
		{A_CLAIMANT, "{\"item\": \"read.xxqg\", \"fields\": {\"date\": \"%s\"}}", F.day,
		 XF_CLAIM_INVALID, {"按月度数据导入计分，不能申报", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.nothing\", \"fields\": {\"date\": \"%s\"}}", F.day,
		 XF_CLAIM_INVALID, {"没有学分项目“listen.nothing”", NULL}},
		{A_CLAIMANT, "{\"item\": \"listen.training\", \"form\": \"self_study\", \"fields\": {\"date\": \"%s\"}}",
		 F.day, XF_CLAIM_INVALID, {"form：自学申报表（附件4）只用于读书类", NULL}},
		{A_CLAIMANT, "{\"item\": \"read.book\", \"form\": \"self_study\", \"fields\": {\"date\": \"%s\"},"
			     " \"details\": {\"book\": \"《数据治理》\", \"content\": \"x\"}}",
		 F.day, XF_CLAIM_INVALID, {"details.content：自学申报表（附件4）没有此项", NULL}},
		{A_CLAIMANT, "{\"item\": \"read.book\", \"fields\": {\"date\": \"%s\"}, \"extra\": 1,"
			     " \"activity_id\": 1.5}",
		 F.day, XF_CLAIM_INVALID, {"extra：申报没有此项", "activity_id：应为培训活动的编号", NULL}},
		{A_CLAIMANT, "{\"item\": \"read.book\", \"fields\": {\"date\": \"%s\"}, \"activity_id\": 999}",
		 F.day, XF_CLAIM_INVALID, {"activity_id：没有编号为 999 的培训活动", NULL}},
		{A_NOPERSON, "{\"item\": \"read.book\", \"fields\": {\"date\": \"%s\"}}", F.day,
		 XF_CLAIM_FORBIDDEN, {"没有关联人员", NULL}},
		{A_CLAIMANT, "[1, 2]", NULL, -1, {"JSON 对象", NULL}},
	};
	long long before = q_count("SELECT COUNT(*) FROM claims");
	long long audits = audit_rows();
	int created = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(bodies[i % 20], sizeof(bodies[0]), cases[i].fmt, cases[i].date ? cases[i].date : "");
		xf_errs errs;
		xf_errs_init(&errs);
		long long id = 0;
		int rc = xf_claim_create(F.s, who(cases[i].actor), bodies[i % 20], &id, &errs);
		if (rc != cases[i].rc) {
			xf_errs_print(&errs, "create", stderr);
			fail_msg("case %zu: rc %d, expected %d", i, rc, cases[i].rc);
		}
		for (int k = 0; k < 3 && cases[i].msg[k]; k++)
			if (!errs_have(&errs, cases[i].msg[k])) {
				xf_errs_print(&errs, "got", stderr);
				fail_msg("case %zu: no message with \"%s\"", i, cases[i].msg[k]);
			}
		assert_false(errs.internal);
		created += rc == 0;
		assert_true((rc == 0) == (id > 0));
		xf_errs_cleanup(&errs);
	}
	assert_int_equal(q_count("SELECT COUNT(*) FROM claims"), before + created);
	assert_int_equal(audit_rows(), audits + created); /* refused creates write nothing */
}

/* ---- the state machine ---- */

typedef enum action { X_UPDATE, X_SUBMIT, X_WITHDRAW, X_REVIEW, X_APPROVE, X_REJECT, X_GET, X_COUNT } action;
static const char *const action_names[X_COUNT] = {"update", "submit", "withdraw", "review",
						  "approve", "reject", "get"};
static const char *const states[] = {"draft", "submitted", "reviewed", "approved", "rejected",
				     "withdrawn"};
#define NSTATES 6
static const int callers[] = {A_CLAIMANT, A_OTHER, A_REV, A_REV_OUT, A_APP, A_ADMIN, A_AUDITOR};
#define NCALLERS 7

/* What must happen: O ok, N not found, F forbidden, C conflict. The new
 * state after an ok. */
#define O XF_CLAIM_OK
#define N XF_CLAIM_NOT_FOUND
#define Fb XF_CLAIM_FORBIDDEN
#define C XF_CLAIM_CONFLICT
static const int expect[NSTATES][X_COUNT][NCALLERS] = {
	/*                 claimant other rev rev_out app admin auditor */
	[0] = {/* draft: never submitted, the claimant's alone */
	       [X_UPDATE] = {O, N, N, N, N, N, N},   [X_SUBMIT] = {O, N, N, N, N, N, N},
	       [X_WITHDRAW] = {O, N, N, N, N, N, N}, [X_REVIEW] = {C, N, N, N, N, N, N},
	       [X_APPROVE] = {C, N, N, N, N, N, N},  [X_REJECT] = {C, N, N, N, N, N, N},
	       [X_GET] = {O, N, N, N, N, N, N}},
	[1] = {/* submitted */
	       [X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {Fb, N, O, N, Fb, Fb, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {Fb, N, O, N, Fb, Fb, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[2] = {/* reviewed */
	       [X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {Fb, N, Fb, N, O, Fb, N}, [X_REJECT] = {Fb, N, Fb, N, O, Fb, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[3] = {/* approved: final */
	       [X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {C, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {C, N, C, N, C, C, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[4] = {/* rejected */
	       [X_UPDATE] = {O, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {C, N, C, N, C, C, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[5] = {/* withdrawn (from draft: never submitted): final */
	       [X_UPDATE] = {C, N, N, N, N, N, N},   [X_SUBMIT] = {C, N, N, N, N, N, N},
	       [X_WITHDRAW] = {C, N, N, N, N, N, N}, [X_REVIEW] = {C, N, N, N, N, N, N},
	       [X_APPROVE] = {C, N, N, N, N, N, N},  [X_REJECT] = {C, N, N, N, N, N, N},
	       [X_GET] = {O, N, N, N, N, N, N}},
};
/* The state after an ok. */
static const char *const after_ok[X_COUNT] = {"draft", "submitted", "withdrawn", "reviewed",
					      "approved", "rejected", NULL};
#undef O
#undef N
#undef Fb
#undef C

static int run_action(action x, int k, long long id, xf_errs *errs)
{
	char *body;
	int rc;
	switch (x) {
	case X_UPDATE:
		body = training_body("district", 90, 90);
		rc = xf_claim_update(F.s, who(k), id, body, errs);
		free(body);
		return rc;
	case X_SUBMIT: return xf_claim_submit(F.s, who(k), id, errs);
	case X_WITHDRAW: return xf_claim_withdraw(F.s, who(k), id, errs);
	case X_REVIEW: return xf_claim_review(F.s, who(k), id, "同意", errs);
	case X_APPROVE: return xf_claim_approve(F.s, who(k), id, "同意", errs);
	case X_REJECT: return xf_claim_reject(F.s, who(k), id, "证明材料不清晰", errs);
	case X_GET: {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		rc = xf_claim_get_json(F.s, who(k), id, f, errs);
		fclose(f);
		free(buf);
		return rc;
	}
	default: return -99;
	}
}

static void test_state_machine(void **state)
{
	(void)state;
	int checked = 0;
	for (int si = 0; si < NSTATES; si++) {
		for (int x = 0; x < X_COUNT; x++) {
			for (int ci = 0; ci < NCALLERS; ci++) {
				int k = callers[ci], want = expect[si][x][ci];
				long long id = claim_in(A_CLAIMANT, states[si]);
				long long events = q_int("SELECT COUNT(*) FROM claim_events WHERE claim_id = $1", id);
				long long audits = audit_rows();
				long long records = q_count("SELECT COUNT(*) FROM records");
				xf_errs errs;
				xf_errs_init(&errs);
				int rc = run_action((action)x, k, id, &errs);
				if (rc != want) {
					xf_errs_print(&errs, "  ", stderr);
					fail_msg("%s claim, %s by %s: %d, expected %d", states[si],
						 action_names[x], F.a[k].name, rc, want);
				}
				/* Refusals carry a Chinese reason, except NOT_FOUND, which
				 * says nothing about what exists. */
				if (rc == XF_CLAIM_NOT_FOUND)
					assert_int_equal(errs.n, 0);
				else if (rc != 0)
					assert_true(errs.n >= 1 && !errs.internal);
				char *st = status_of(id);
				bool changes = x != X_GET;
				const char *want_state = rc == 0 && changes ? after_ok[x] : states[si];
				if (strcmp(st, want_state) != 0)
					fail_msg("%s claim, %s by %s: now %s, expected %s", states[si],
						 action_names[x], F.a[k].name, st, want_state);
				free(st);
				long long ev = q_int("SELECT COUNT(*) FROM claim_events WHERE claim_id = $1", id);
				long long au = audit_rows();
				bool moved = rc == 0 && changes && strcmp(after_ok[x], states[si]) != 0;
				assert_int_equal(ev, events + (moved ? 1 : 0));
				assert_int_equal(au, audits + (rc == 0 && changes ? 1 : 0));
				assert_int_equal(q_count("SELECT COUNT(*) FROM records"),
						 records + (rc == 0 && x == X_APPROVE ? 1 : 0));
				xf_errs_cleanup(&errs);
				checked++;
			}
		}
	}
	assert_int_equal(checked, NSTATES * X_COUNT * NCALLERS);
}

/* The reviewer of step 1 may not approve at step 2; another approver may. */
static void test_two_people(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = claim_in(A_CLAIMANT, "submitted");
	step(0, xf_claim_review(F.s, who(A_REVAPP), id, NULL, &errs), &errs, "review by revapp");
	step(XF_CLAIM_FORBIDDEN, xf_claim_approve(F.s, who(A_REVAPP), id, NULL, &errs), &errs,
	     "approve by the same person");
	assert_true(errs_have(&errs, "审批须由另一位领导进行"));
	cJSON *j = view(xf_claim_get_json, A_REVAPP, id, 0);
	const cJSON *can = cJSON_GetObjectItemCaseSensitive(j, "can");
	const cJSON *c;
	cJSON_ArrayForEach(c, can) assert_string_not_equal(c->valuestring, "approve");
	cJSON_Delete(j);
	step(0, xf_claim_approve(F.s, who(A_APP), id, NULL, &errs), &errs, "approve by another");
	/* A reviewer's own claim: not theirs to review. */
	long long own = claim_in(A_REV, "submitted");
	step(XF_CLAIM_FORBIDDEN, xf_claim_review(F.s, who(A_REV), own, NULL, &errs), &errs,
	     "review own");
	assert_true(errs_have(&errs, "不能审核自己的申报"));
	/* A reason is required to reject, at most 500 characters. */
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	step(XF_CLAIM_INVALID, xf_claim_reject(F.s, who(A_REVAPP), own, "", &errs), &errs, "no reason");
	char longr[1600] = "";
	for (int i = 0; i < 501; i++)
		strcat(longr, "理");
	step(XF_CLAIM_INVALID, xf_claim_reject(F.s, who(A_REVAPP), own, longr, &errs), &errs, "long");
	longr[500 * 3] = '\0';
	step(0, xf_claim_reject(F.s, who(A_REVAPP), own, longr, &errs), &errs, "500 chars");
	xf_errs_cleanup(&errs);
}

/* Approval writes the record, linked both ways, and the notices. */
static void test_approve_record(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	long long notices = q_int("SELECT COUNT(*) FROM notices WHERE person_id = $1", F.person[P_B1]);
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"item\": \"read.book\", \"form\": \"self_study\", \"fields\": {\"date\": \"%s\","
		 " \"count\": 1}, \"details\": {\"book\": \"《数据之巅》\", \"author\": \"涂子沛\","
		 " \"summary\": \"大数据的历史\", \"reflection\": \"数据治理要有制度\"}}",
		 F.day);
	long long id = create_as(A_B1, body);
	step(0, xf_claim_submit(F.s, who(A_B1), id, &errs), &errs, "submit");
	/* The reviewer of unit A cannot see unit B's claim; the bureau's
	 * approver can, but the review step is a reviewer's. */
	step(XF_CLAIM_NOT_FOUND, xf_claim_review(F.s, who(A_REV), id, NULL, &errs), &errs, "rev A");
	step(XF_CLAIM_FORBIDDEN, xf_claim_review(F.s, who(A_APP), id, NULL, &errs), &errs, "app review");
	step(0, xf_claim_review(F.s, who(A_REV_OUT), id, "同意", &errs), &errs, "rev B");
	step(0, xf_claim_approve(F.s, who(A_APP2), id, "同意记分", &errs), &errs, "approve");
	long long rid = q_int("SELECT record_id FROM claims WHERE id = $1", id);
	assert_true(rid > 0);
	assert_int_equal(q_int("SELECT claim_id FROM records WHERE person_id = $1", F.person[P_B1]), id);
	assert_int_equal(q_int("SELECT COUNT(*) FROM records WHERE person_id = $1", F.person[P_B1]), 1);
	assert_int_equal(q_int("SELECT id FROM records WHERE person_id = $1", F.person[P_B1]), rid);
	assert_int_equal(q_int("SELECT CAST(count AS INTEGER) FROM records WHERE person_id = $1",
			       F.person[P_B1]), 1);
	assert_int_equal(q_int("SELECT COUNT(*) FROM notices WHERE person_id = $1", F.person[P_B1]),
			 notices + 2);
	assert_int_equal(q_int("SELECT COUNT(*) FROM notices WHERE person_id = $1 AND kind ="
			       " 'claim.approved' AND object = 'claim:' || CAST(id AS TEXT) AND 0 = 1",
			       F.person[P_B1]), 0);
	char obj[48];
	snprintf(obj, sizeof(obj), "claim:%lld", id);
	long long n = 0;
	must(xf_query_row(F.s, "SELECT COUNT(*) FROM notices WHERE object = $1 AND kind IN"
			  " ('claim.reviewed', 'claim.approved')", &errs, XF_IN(obj), XF_OUT(&n)),
	     &errs, "notices");
	assert_int_equal(n, 2);
	/* The engine counts it: 读书 2 学分. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	must(xf_credits_person_json(F.s, F.person[P_B1], F.year, false, f, &errs), &errs, "credits");
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble - 2.0) < 1e-9);
	cJSON_Delete(j);
	free(buf);
	/* The history: created, submitted, reviewed, approved, by whom. */
	j = view(xf_claim_get_json, A_B1, id, 0);
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "events");
	assert_int_equal(cJSON_GetArraySize(ev), 4);
	static const char *const tos[] = {"draft", "submitted", "reviewed", "approved"};
	for (int i = 0; i < 4; i++)
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ev, i), "to")->valuestring,
				    tos[i]);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ev, 3), "user"),
				    "username")->valuestring, "sunli");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ev, 3), "note")->valuestring,
			    "同意记分");
	assert_int_equal((long long)cJSON_GetObjectItemCaseSensitive(j, "record_id")->valuedouble, rid);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "item_name")->valuestring, "读书");
	cJSON_Delete(j);
	xf_errs_cleanup(&errs);
}

/* rejected -> draft on edit, then again through both steps. */
static void test_reject_and_resubmit(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = claim_in(A_CLAIMANT, "reviewed");
	step(0, xf_claim_reject(F.s, who(A_APP), id, "级别应为区级", &errs), &errs, "reject");
	char *body = training_body("district", 120, 100);
	step(0, xf_claim_update(F.s, who(A_CLAIMANT), id, body, &errs), &errs, "update");
	free(body);
	cJSON *j = view(xf_claim_get_json, A_CLAIMANT, id, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "status")->valuestring, "draft");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "reject_reason")->valuestring, "级别应为区级");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(j, "fields");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(fields, "level")->valuestring, "district");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(fields, "attended_minutes")->valueint, 100);
	cJSON_Delete(j);
	/* An update changing only details keeps the fields. */
	step(0, xf_claim_update(F.s, who(A_CLAIMANT), id, "{\"details\": {\"content\": \"新的内容\"}}", &errs),
	     &errs, "details only");
	step(0, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "resubmit");
	assert_int_equal(q_int("SELECT COUNT(*) FROM claims WHERE id = $1 AND reviewed_by IS NULL"
			       " AND reject_reason IS NULL", id), 1);
	/* The old reviewer may review again; an approver then approves. */
	step(0, xf_claim_review(F.s, who(A_REV), id, NULL, &errs), &errs, "review again");
	step(0, xf_claim_approve(F.s, who(A_APP), id, NULL, &errs), &errs, "approve");
	j = view(xf_claim_get_json, A_CLAIMANT, id, 0);
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "events");
	static const char *const path[] = {"draft", "submitted", "reviewed", "rejected", "draft",
					   "submitted", "reviewed", "approved"};
	assert_int_equal(cJSON_GetArraySize(ev), 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ev, i), "to")->valuestring,
				    path[i]);
	cJSON_Delete(j);
	xf_errs_cleanup(&errs);
}

/* Submit needs what the item requires, and the form's text. */
static void test_submit_needs(void **state)
{
	(void)state;
	char body[512];
	xf_errs errs;
	xf_errs_init(&errs);
	snprintf(body, sizeof(body), "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\"}}", F.day);
	long long id = create_as(A_CLAIMANT, body);
	step(XF_CLAIM_INVALID, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "incomplete");
	assert_true(errs_have(&errs, "fields.level（级别）：提交前请填写"));
	assert_true(errs_have(&errs, "fields.minutes"));
	assert_true(errs_have(&errs, "fields.attended_minutes"));
	assert_true(errs_have(&errs, "details.content（学习内容）：提交前请填写"));
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	/* Online: completion must be said. */
	snprintf(body, sizeof(body),
		 "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"level\": \"city\","
		 " \"minutes\": 120, \"attended_minutes\": 120, \"online\": true},"
		 " \"details\": {\"content\": \"网络课程\"}}", F.day);
	id = create_as(A_CLAIMANT, body);
	step(XF_CLAIM_INVALID, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "online");
	assert_int_equal(errs.n, 1);
	assert_true(errs_have(&errs, "fields.completed"));
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	/* A publication needs a file. */
	snprintf(body, sizeof(body),
		 "{\"item\": \"write.briefing\", \"fields\": {\"date\": \"%s\", \"level\": \"district\"},"
		 " \"details\": {\"content\": \"《江北信息》采用\"}}", F.day);
	id = create_as(A_CLAIMANT, body);
	step(XF_CLAIM_INVALID, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "no file");
	assert_true(errs_have(&errs, "evidence："));
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	long long fid = 0;
	step(0, xf_claim_evidence_add(F.s, who(A_CLAIMANT), id, F.evdir, "%PDF-1.4 briefing", 17,
				      "江北信息.pdf", &fid, &errs), &errs, "file");
	step(0, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "with file");
	/* Self-study without its text. */
	snprintf(body, sizeof(body),
		 "{\"item\": \"read.book\", \"form\": \"self_study\", \"fields\": {\"date\": \"%s\"},"
		 " \"details\": {\"book\": \"《论语》\"}}", F.day);
	id = create_as(A_CLAIMANT, body);
	step(XF_CLAIM_INVALID, xf_claim_submit(F.s, who(A_CLAIMANT), id, &errs), &errs, "self study");
	assert_true(errs_have(&errs, "details.author（作者）"));
	assert_true(errs_have(&errs, "details.summary（主要内容）"));
	assert_true(errs_have(&errs, "details.reflection（学习心得）"));
	assert_false(errs_have(&errs, "details.book"));
	xf_errs_cleanup(&errs);
}

/* An archived 公示 period freezes the date: no submit, no approval. */
static void test_archived(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	long long draft = claim_in(A_OTHER, "draft");
	long long reviewed = claim_in(A_OTHER, "reviewed");
	long long pub = 0;
	char from[16], to[16];
	snprintf(from, sizeof(from), "%04d-01-01", F.year);
	snprintf(to, sizeof(to), "%04d-03-31", F.year);
	must(xf_query_row(F.s,
			  "INSERT INTO publications (unit_id, year, title, date_from, date_to, status,"
			  " published_at, published_by, window_start, window_end, archived_at, archived_by)"
			  " VALUES ($1, $2, '第一季度学分公示', $3, $4, 'archived', 1, 'admin', $3, $3, 2,"
			  " 'admin') RETURNING id",
			  &errs, XF_IN(F.unit[U_BUREAU]), XF_IN(F.year), XF_IN(from), XF_IN(to),
			  XF_OUT(&pub)),
	     &errs, "publication");
	must(xf_query_exec(F.s,
			   "INSERT INTO publication_lines (publication_id, person_id, person_name,"
			   " unit_name, categories, period_total, year_total)"
			   " VALUES ($1, $2, '王芳', '数据资源科', '{}', 0, 0)",
			   &errs, XF_IN(pub), XF_IN(F.person[P_A2])),
	     &errs, "line");
	long long records = q_count("SELECT COUNT(*) FROM records");
	step(XF_CLAIM_ARCHIVED, xf_claim_submit(F.s, who(A_OTHER), draft, &errs), &errs, "submit");
	assert_true(errs_have(&errs, "该期间已归档，记录不能再修改"));
	step(XF_CLAIM_ARCHIVED, xf_claim_approve(F.s, who(A_APP), reviewed, NULL, &errs), &errs, "approve");
	assert_int_equal(q_count("SELECT COUNT(*) FROM records"), records);
	char *st = status_of(reviewed);
	assert_string_equal(st, "reviewed");
	free(st);
	/* Other people are not frozen. */
	long long other = claim_in(A_CLAIMANT, "approved");
	assert_true(other > 0);
	must(xf_query_exec(F.s, "DELETE FROM publication_lines WHERE publication_id = $1", &errs, XF_IN(pub)),
	     &errs, "clean");
	must(xf_query_exec(F.s, "DELETE FROM publications WHERE id = $1", &errs, XF_IN(pub)), &errs, "clean");
	xf_errs_cleanup(&errs);
}

/* Two approvers on two connections at the same moment. */
typedef struct racer {
	int actor;
	long long id;
	pthread_barrier_t *go;
	int rc;
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(F.b->url, XF_STORE_OPEN, &errs);
	r->rc = -99;
	if (s != NULL) {
		pthread_barrier_wait(r->go);
		r->rc = xf_claim_approve(s, who(r->actor), r->id, NULL, &errs);
		if (r->rc < 0)
			xf_errs_print(&errs, "race: ", stderr);
		xf_store_close(s);
	} else {
		pthread_barrier_wait(r->go);
	}
	xf_errs_cleanup(&errs);
	return NULL;
}

static void test_race(void **state)
{
	(void)state;
	for (int round = 0; round < 5; round++) {
		long long id = claim_in(A_CLAIMANT, "reviewed");
		long long records = q_count("SELECT COUNT(*) FROM records");
		long long events = q_int("SELECT COUNT(*) FROM claim_events WHERE claim_id = $1", id);
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		racer a = {A_APP, id, &go, 0}, b = {A_APP2, id, &go, 0};
		pthread_t ta, tb;
		assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		if (!((a.rc == 0 && b.rc == XF_CLAIM_CONFLICT) || (a.rc == XF_CLAIM_CONFLICT && b.rc == 0)))
			fail_msg("round %d: results %d and %d", round, a.rc, b.rc);
		assert_int_equal(q_count("SELECT COUNT(*) FROM records"), records + 1);
		assert_int_equal(q_int("SELECT COUNT(*) FROM records WHERE claim_id = $1", id), 1);
		assert_int_equal(q_int("SELECT COUNT(*) FROM claim_events WHERE claim_id = $1", id), events + 1);
		long long winner = q_int("SELECT approved_by FROM claims WHERE id = $1", id);
		assert_int_equal(winner, who(a.rc == 0 ? A_APP : A_APP2)->user_id);
	}
}

/* Evidence kept in the database (dir NULL, evidence.store: database): the
 * rows say so, the content is in blobs under its SHA-256, kept once for
 * two people's same file; a refused file leaves nothing behind. */
static void test_evidence_in_database(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	const char *pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n";
	long long mine = claim_in(A_CLAIMANT, "draft"), theirs = claim_in(A_B1, "draft");
	long long f1 = 0, f2 = 0, f3 = 0;
	long long blobs = q_int("SELECT COUNT(*) FROM blobs WHERE key <> $1", 0LL);
	step(0, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, NULL, pdf, strlen(pdf), "证书.pdf",
				      &f1, &errs), &errs, "add into the database");
	step(0, xf_claim_evidence_add(F.s, who(A_B1), theirs, NULL, pdf, strlen(pdf), "copy.pdf", &f2,
				      &errs), &errs, "the same content again");
	xf_evidence_meta m;
	step(0, xf_evidence_find(F.s, who(A_CLAIMANT), f1, &m, &errs), &errs, "find");
	assert_string_equal(m.stored, XF_EVIDENCE_IN_DB);
	char sha[XF_EVIDENCE_SHA_HEX];
	xf_evidence_sha256(pdf, strlen(pdf), sha);
	assert_string_equal(m.sha256, sha);
	assert_int_equal(q_int("SELECT COUNT(*) FROM blobs WHERE key <> $1", 0LL), blobs + 1);
	void *data;
	size_t len;
	step(0, xf_store_blob_get(F.s, sha, &data, &len, &errs), &errs, "the content");
	assert_int_equal(len, strlen(pdf));
	assert_memory_equal(data, pdf, len);
	free(data);
	/* Refused content is not kept. */
	step(XF_CLAIM_UNSUPPORTED, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, NULL, "hello", 5,
							 "a.pdf", &f3, &errs), &errs, "text");
	assert_int_equal(q_int("SELECT COUNT(*) FROM blobs WHERE key <> $1", 0LL), blobs + 1);
	xf_errs_cleanup(&errs);
}

/* Evidence rows: the claimant's while draft or rejected; duplicates
 * across people shown to staff. */
static void test_evidence_rows(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	const char *pdf = "%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";
	const char *jpeg = "\xff\xd8\xff\xe0\x00\x10JFIF";
	long long mine = claim_in(A_CLAIMANT, "draft"), theirs = claim_in(A_B1, "draft");
	long long f1 = 0, f2 = 0, f3 = 0;
	step(0, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, F.evdir, pdf, strlen(pdf),
				      "../../etc/结业证书.pdf", &f1, &errs), &errs, "add");
	step(0, xf_claim_evidence_add(F.s, who(A_B1), theirs, F.evdir, pdf, strlen(pdf), "copy.pdf", &f2,
				      &errs), &errs, "add the same content");
	assert_true(f1 > 0 && f2 > 0 && f1 != f2);
	xf_evidence_meta m;
	step(0, xf_evidence_find(F.s, who(A_CLAIMANT), f1, &m, &errs), &errs, "find");
	assert_string_equal(m.name, "结业证书.pdf");
	assert_string_equal(m.mime, "application/pdf");
	assert_int_equal(m.size, (long long)strlen(pdf));
	assert_true(xf_evidence_rel_ok(m.stored));
	/* Type refused; other people's claims answer as missing. */
	step(XF_CLAIM_UNSUPPORTED, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, F.evdir, jpeg, 10,
							 "photo.pdf", &f3, &errs), &errs, "jpeg as pdf");
	assert_true(errs_have(&errs, "文件内容是 JPEG 图片，与扩展名 .pdf 不符"));
	step(XF_CLAIM_UNSUPPORTED, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, F.evdir, "hello", 5,
							 "a.pdf", &f3, &errs), &errs, "text");
	step(XF_CLAIM_NOT_FOUND, xf_claim_evidence_add(F.s, who(A_OTHER), mine, F.evdir, pdf, strlen(pdf),
						       "a.pdf", &f3, &errs), &errs, "other member");
	step(XF_CLAIM_NOT_FOUND, xf_evidence_find(F.s, who(A_OTHER), f1, &m, &errs), &errs, "find other");
	step(XF_CLAIM_NOT_FOUND, xf_evidence_find(F.s, who(A_REV), f1, &m, &errs), &errs,
	     "a draft's file is the claimant's alone");
	assert_int_equal(q_int("SELECT COUNT(*) FROM claim_evidence WHERE claim_id = $1", mine), 1);

	/* Submitted: files are fixed; staff see them and the duplicate. */
	step(0, xf_claim_submit(F.s, who(A_CLAIMANT), mine, &errs), &errs, "submit");
	step(0, xf_claim_submit(F.s, who(A_B1), theirs, &errs), &errs, "submit theirs");
	step(XF_CLAIM_CONFLICT, xf_claim_evidence_add(F.s, who(A_CLAIMANT), mine, F.evdir, pdf, strlen(pdf),
						      "late.pdf", &f3, &errs), &errs, "late add");
	step(XF_CLAIM_CONFLICT, xf_claim_evidence_remove(F.s, who(A_CLAIMANT), mine, f1, &errs), &errs,
	     "late remove");
	step(0, xf_evidence_find(F.s, who(A_REV), f1, &m, &errs), &errs, "reviewer finds");
	step(XF_CLAIM_NOT_FOUND, xf_evidence_find(F.s, who(A_REV_OUT), f1, &m, &errs), &errs,
	     "reviewer of B does not");
	step(0, xf_evidence_find(F.s, who(A_ADMIN), f1, &m, &errs), &errs, "admin");
	cJSON *j = view(xf_claim_get_json, A_REV, mine, 0);
	const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "evidence"), 0);
	assert_non_null(ev);
	const cJSON *dup = cJSON_GetObjectItemCaseSensitive(ev, "duplicate_of");
	assert_int_equal(cJSON_GetArraySize(dup), 1);
	assert_int_equal((long long)cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(dup, 0), "claim_id")->valuedouble,
			 theirs);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(dup, 0), "person"), "name")->valuestring,
			    "李娜");
	cJSON_Delete(j);
	j = view(xf_claim_get_json, A_CLAIMANT, mine, 0);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "evidence"), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(ev, "duplicate_of")); /* not shown to the claimant */
	cJSON_Delete(j);
	/* The queue counts it. */
	xf_claims_query q = {.box = XF_BOX_REVIEW, .page = 1, .per_page = 200};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	must(xf_claims_list_json(F.s, who(A_REV), &q, f, &errs), &errs, "list");
	fclose(f);
	j = cJSON_Parse(buf);
	free(buf);
	bool seen = false;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
		if ((long long)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble == mine) {
			seen = true;
			assert_int_equal(cJSON_GetObjectItemCaseSensitive(it, "duplicate_count")->valueint, 1);
			assert_int_equal(cJSON_GetObjectItemCaseSensitive(it, "evidence_count")->valueint, 1);
		}
	assert_true(seen);
	cJSON_Delete(j);

	/* Removal while a draft: rows go, audited. */
	long long d = claim_in(A_CLAIMANT, "draft");
	step(0, xf_claim_evidence_add(F.s, who(A_CLAIMANT), d, F.evdir, pdf, strlen(pdf), "x.pdf", &f3,
				      &errs), &errs, "add");
	long long audits = audit_rows();
	step(XF_CLAIM_NOT_FOUND, xf_claim_evidence_remove(F.s, who(A_CLAIMANT), d, f1, &errs), &errs,
	     "another claim's file");
	step(0, xf_claim_evidence_remove(F.s, who(A_CLAIMANT), d, f3, &errs), &errs, "remove");
	assert_int_equal(audit_rows(), audits + 1);
	assert_int_equal(q_int("SELECT COUNT(*) FROM evidence_files WHERE id = $1", f3), 0);
	step(XF_CLAIM_NOT_FOUND, xf_evidence_find(F.s, who(A_CLAIMANT), f3, &m, &errs), &errs, "gone");
	xf_errs_cleanup(&errs);
}

/* The lists: boxes, filters, paging, who may ask for what. */
static long long list_total(int k, xf_claims_box box, const char *status, const char *q, int rc_want)
{
	xf_claims_query qq = {.box = box, .status = status, .q = q, .page = 1, .per_page = 2};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claims_list_json(F.s, who(k), &qq, f, &errs);
	fclose(f);
	step(rc_want, rc, &errs, "list");
	long long total = -1;
	if (rc == 0) {
		cJSON *j = cJSON_Parse(buf);
		assert_non_null(j);
		total = (long long)cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble;
		assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")) <= 2);
		cJSON_Delete(j);
	}
	free(buf);
	xf_errs_cleanup(&errs);
	return total;
}

static void test_lists(void **state)
{
	(void)state;
	long long mine_all = q_int("SELECT COUNT(*) FROM claims WHERE person_id = $1", F.person[P_A1]);
	assert_int_equal(list_total(A_CLAIMANT, XF_BOX_DEFAULT, NULL, NULL, 0), mine_all);
	assert_int_equal(list_total(A_CLAIMANT, XF_BOX_MINE, "draft", NULL, 0),
			 q_int("SELECT COUNT(*) FROM claims WHERE person_id = $1 AND status = 'draft'",
			       F.person[P_A1]));
	/* Review queue of unit A: submitted claims of A's people, the
	 * reviewer's own left out. */
	long long want = q_int("SELECT COUNT(*) FROM claims c JOIN people p ON p.id = c.person_id"
			       " WHERE c.status = 'submitted' AND p.unit_id = $1 AND c.person_id <> "
			       "(SELECT id FROM people WHERE code = 'R1')", F.unit[U_A]);
	assert_true(want > 0);
	assert_int_equal(list_total(A_REV, XF_BOX_REVIEW, NULL, NULL, 0), want);
	assert_int_equal(list_total(A_REV, XF_BOX_DEFAULT, NULL, NULL, 0),
			 q_int("SELECT COUNT(*) FROM claims WHERE person_id = $1", F.person[P_REV]));
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, NULL, NULL, 0),
			 q_count("SELECT COUNT(*) FROM claims WHERE status = 'reviewed'"));
	assert_int_equal(list_total(A_ADMIN, XF_BOX_DEFAULT, "any", NULL, 0),
			 q_count("SELECT COUNT(*) FROM claims WHERE submitted_at IS NOT NULL"));
	/* Search by name, code, item; % and _ literal. */
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, "any", "李娜", 0),
			 q_int("SELECT COUNT(*) FROM claims WHERE person_id = $1 AND submitted_at IS NOT NULL",
			       F.person[P_B1]));
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, "any", "b1", 0),
			 q_int("SELECT COUNT(*) FROM claims WHERE person_id = $1 AND submitted_at IS NOT NULL",
			       F.person[P_B1]));
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, "any", "read.", 0),
			 q_count("SELECT COUNT(*) FROM claims WHERE item LIKE 'read.%' AND submitted_at IS NOT NULL"));
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, "any", "%", 0), 0);
	assert_int_equal(list_total(A_APP, XF_BOX_APPROVE, "any", "_", 0),
			 q_count("SELECT COUNT(*) FROM claims WHERE item LIKE '%\\_%' ESCAPE '\\'"
				 " AND submitted_at IS NOT NULL"));
	/* Refused: a box without the role, a bad status. */
	list_total(A_CLAIMANT, XF_BOX_REVIEW, NULL, NULL, -1);
	list_total(A_REV, XF_BOX_ALL, NULL, NULL, -1);
	list_total(A_ADMIN, XF_BOX_MINE, NULL, NULL, -1);
	list_total(A_CLAIMANT, XF_BOX_MINE, "done", NULL, -1);
	assert_int_equal(list_total(A_REV_OUT, XF_BOX_REVIEW, "any", NULL, 0),
			 q_int("SELECT COUNT(*) FROM claims c JOIN people p ON p.id = c.person_id"
			       " WHERE p.unit_id = $1 AND c.submitted_at IS NOT NULL", F.unit[U_B]));
}

/* The preview: what approving adds after the caps. */
static void test_preview(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	/* 王芳 (A2) gets 9 city trainings (36) and one bureau one (2): 听 38. */
	xf_data *d = xf_data_new(F.s, &errs);
	assert_non_null(d);
	must(xf_query_exec(F.s, "DELETE FROM records WHERE person_id = $1", &errs, XF_IN(F.person[P_A2])),
	     &errs, "clean");
	for (int i = 0; i < 10; i++) {
		char date[16];
		snprintf(date, sizeof(date), "%04d-01-01", F.year);
		xf_record_row r = {.item = "listen.training", .date = date, .level = i < 9 ? "city" : "bureau",
				   .count = NAN, .days = NAN, .months = NAN, .hours = NAN,
				   .minutes = 120, .attended_minutes = 120, .score = NAN, .credits = NAN,
				   .passed = -1, .completed = -1, .online = -1, .approved = -1,
				   .awarded = -1, .speaker = -1};
		must(xf_data_add_record(d, F.person[P_A2], &r, 0, &errs), &errs, "record");
	}
	xf_data_free(d);
	long long id = claim_in(A_OTHER, "reviewed");
	cJSON *j = view(xf_claim_preview_json, A_APP, id, 0);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "before")->valuedouble - 38) < 1e-9);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "after")->valuedouble - 40) < 1e-9);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "adds")->valuedouble - 2) < 1e-9);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "key")->valuestring,
			    "listen.training");
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "after")->valuedouble - 42) < 1e-9);
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(j, "categories");
	assert_int_equal(cJSON_GetArraySize(cats), 1);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cats, 0), "after")->valuedouble - 40) < 1e-9);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "record"), "value")->valuedouble - 4) < 1e-9);
	const char *explain = cJSON_GetObjectItemCaseSensitive(j, "explain")->valuestring;
	if (strstr(explain, "按“学习培训”（市级）计 4 学分") == NULL || strstr(explain, "“听”类上限 40 学分，已有 38 学分") == NULL ||
	    strstr(explain, "实际增加 2 学分") == NULL)
		fail_msg("explain: %s", explain);
	cJSON_Delete(j);
	/* The claimant may preview too; another member may not. */
	cJSON_Delete(view(xf_claim_preview_json, A_OTHER, id, 0));
	view(xf_claim_preview_json, A_CLAIMANT, id, XF_CLAIM_NOT_FOUND);
	/* Once approved, "before" leaves its own record out: the same answer. */
	step(0, xf_claim_approve(F.s, who(A_APP), id, NULL, &errs), &errs, "approve");
	j = view(xf_claim_preview_json, A_OTHER, id, 0);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "before")->valuedouble - 38) < 1e-9);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "adds")->valuedouble - 2) < 1e-9);
	cJSON_Delete(j);
	/* A training under an hour is worth nothing, and says why. */
	char *body = training_body("national", 45, 45);
	long long short_id = create_as(A_OTHER, body);
	free(body);
	j = view(xf_claim_preview_json, A_OTHER, short_id, 0);
	assert_true(fabs(cJSON_GetObjectItemCaseSensitive(j, "adds")->valuedouble) < 1e-9);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "record"),
							     "excluded")->valuestring, "学习时长不足 60 分钟");
	cJSON_Delete(j);
	xf_errs_cleanup(&errs);
}

/* Bulk review: each id on its own. */
static void test_batch(void **state)
{
	(void)state;
	long long a = claim_in(A_CLAIMANT, "submitted"), b = claim_in(A_CLAIMANT, "reviewed");
	long long c = claim_in(A_B1, "submitted");
	char body[256], *buf = NULL;
	size_t len = 0;
	snprintf(body, sizeof(body), "{\"ids\": [%lld, %lld, %lld, 999999], \"action\": \"review\"}", a, b, c);
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	must(xf_claims_batch_json(F.s, who(A_REV), body, f, &errs), &errs, "batch");
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "results");
	assert_int_equal(cJSON_GetArraySize(res), 4);
	static const struct {
		bool ok;
		const char *code;
	} want[] = {{true, NULL}, {false, "conflict"}, {false, "not_found"}, {false, "not_found"}};
	for (int i = 0; i < 4; i++) {
		const cJSON *r = cJSON_GetArrayItem(res, i);
		assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")), want[i].ok);
		if (want[i].code)
			assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "code")->valuestring, want[i].code);
	}
	cJSON_Delete(j);
	char *st = status_of(a);
	assert_string_equal(st, "reviewed");
	free(st);
	/* Malformed requests write nothing. */
	const char *bad[] = {"{\"ids\": [], \"action\": \"review\"}", "{\"ids\": [1], \"action\": \"delete\"}",
			     "{\"ids\": [\"1\"], \"action\": \"review\"}", "[]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(xf_claims_batch_json(F.s, who(A_REV), bad[i], f, &errs), -1);
		assert_false(errs.internal);
		fclose(f);
		assert_int_equal(len, 0);
		free(buf);
	}
	xf_errs_cleanup(&errs);
}

/* A claim about an approved activity carries its key into the record. */
static void test_activity(void **state)
{
	(void)state;
	xf_errs errs;
	xf_errs_init(&errs);
	long long act = 0, draft_act = 0;
	char key[32];
	snprintf(key, sizeof(key), "act-%d-0001", F.year);
	must(xf_query_row(F.s,
			  "INSERT INTO activities (key, unit_id, year, item, level, title, date_from, date_to,"
			  " status, applicant, created_at, updated_at) VALUES ($1, $2, $3, 'listen.training',"
			  " 'bureau', '大数据讲堂', $4, $4, 'approved', $5, 1, 1) RETURNING id",
			  &errs, XF_IN(key), XF_IN(F.unit[U_A]), XF_IN(F.year), XF_IN(F.day),
			  XF_IN(who(A_REV)->user_id), XF_OUT(&act)),
	     &errs, "activity");
	must(xf_query_row(F.s,
			  "INSERT INTO activities (key, unit_id, year, item, title, date_from, date_to,"
			  " status, applicant, created_at, updated_at) VALUES ('act-x', $1, $2, 'listen.training',"
			  " '未批准的活动', $3, $3, 'submitted', $4, 1, 1) RETURNING id",
			  &errs, XF_IN(F.unit[U_A]), XF_IN(F.year), XF_IN(F.day), XF_IN(who(A_REV)->user_id),
			  XF_OUT(&draft_act)),
	     &errs, "activity 2");
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"item\": \"listen.training\", \"activity_id\": %lld, \"fields\": {\"date\": \"%s\","
		 " \"level\": \"bureau\", \"minutes\": 90, \"attended_minutes\": 90},"
		 " \"details\": {\"content\": \"大数据讲堂\"}}", draft_act, F.day);
	long long id = 0;
	step(XF_CLAIM_INVALID, xf_claim_create(F.s, who(A_CLAIMANT), body, &id, &errs), &errs, "draft act");
	assert_true(errs_have(&errs, "尚未通过审批"));
	snprintf(body, sizeof(body),
		 "{\"item\": \"read.book\", \"activity_id\": %lld, \"fields\": {\"date\": \"%s\"}}", act, F.day);
	step(XF_CLAIM_INVALID, xf_claim_create(F.s, who(A_CLAIMANT), body, &id, &errs), &errs, "other item");
	snprintf(body, sizeof(body),
		 "{\"item\": \"listen.training\", \"activity_id\": %lld, \"fields\": {\"date\": \"%s\","
		 " \"level\": \"bureau\", \"minutes\": 90, \"attended_minutes\": 90},"
		 " \"details\": {\"content\": \"大数据讲堂\"}}", act, F.day);
	id = create_as(A_OTHER, body);
	step(0, xf_claim_submit(F.s, who(A_OTHER), id, &errs), &errs, "submit");
	step(0, xf_claim_review(F.s, who(A_REV), id, NULL, &errs), &errs, "review");
	step(0, xf_claim_approve(F.s, who(A_APP), id, NULL, &errs), &errs, "approve");
	char *got = NULL;
	must(xf_query_row(F.s, "SELECT activity FROM records WHERE claim_id = $1", &errs, XF_IN(id),
			  XF_OUT(&got)), &errs, "record");
	assert_string_equal(got, key);
	free(got);
	cJSON *j = view(xf_claim_get_json, A_OTHER, id, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "activity"),
							     "key")->valuestring, key);
	cJSON_Delete(j);
	xf_errs_cleanup(&errs);
}

/* The items a member may claim, with their fields. */
static cJSON *items_of(int k, int year, int want_rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_items_json(F.s, who(k), year, f, &errs);
	fclose(f);
	step(want_rc, rc, &errs, "items");
	cJSON *j = rc == 0 ? cJSON_Parse(buf) : NULL;
	free(buf);
	xf_errs_cleanup(&errs);
	return j;
}

static const cJSON *item_named(const cJSON *j, const char *key)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
		if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "key")->valuestring, key) == 0)
			return it;
	return NULL;
}

static bool array_has(const cJSON *a, const char *s)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, a)
		if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
			return true;
	return false;
}

static void test_items_view(void **state)
{
	(void)state;
	cJSON *j = items_of(A_CLAIMANT, F.year, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "policy"),
							     "id")->valuestring, "bigdata-bureau");
	assert_null(item_named(j, "read.xxqg")); /* valued by metrics: not claimable */
	const cJSON *t = item_named(j, "listen.training");
	assert_non_null(t);
	assert_true(array_has(cJSON_GetObjectItemCaseSensitive(t, "fields"), "attended_minutes"));
	assert_true(array_has(cJSON_GetObjectItemCaseSensitive(t, "required"), "level"));
	assert_false(array_has(cJSON_GetObjectItemCaseSensitive(t, "forms"), "self_study"));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "level_points"),
							  "city")->valueint, 4);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "per")->valuestring, "session");
	const cJSON *b = item_named(j, "read.book");
	assert_true(array_has(cJSON_GetObjectItemCaseSensitive(b, "forms"), "self_study"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "unit")->valuestring, "本");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(b, "cap")->valueint, 4);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item_named(j, "write.paper"),
								   "needs_evidence")));
	cJSON_Delete(j);
	items_of(A_NOPERSON, F.year, XF_CLAIM_FORBIDDEN);
	items_of(A_CLAIMANT, F.year - 1, XF_CLAIM_INVALID);
	items_of(A_ADMIN, F.year, XF_CLAIM_FORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_fields),
		cmocka_unit_test(test_create_checks),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_two_people),
		cmocka_unit_test(test_approve_record),
		cmocka_unit_test(test_reject_and_resubmit),
		cmocka_unit_test(test_submit_needs),
		cmocka_unit_test(test_archived),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_evidence_rows),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_evidence_in_database),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_activity),
		cmocka_unit_test(test_items_view),
	};
	if (backends_setup("/tmp/xuefen-claims-XXXXXX") != 0)
		return 1;
	int rc = 0;
	for (current_backend = 0; current_backend < nbackends; current_backend++) {
		fprintf(stderr, "== %s\n", backends[current_backend].name);
		rc |= cmocka_run_group_tests_name(backends[current_backend].name, tests, group_setup,
						  group_teardown);
	}
	backends_teardown();
	return rc;
}
