/* Tests for src/service/demo.c: the demo organisation is created in a
 * fresh store with the right shape (units under their parent, people,
 * periods, flags, records, metrics, accounts, one audit row), its personal
 * data is well formed (GB 11643 check characters, phones), every reported
 * login works, the year's assessment runs over everybody with some people
 * meeting their requirement and some not, and the two member accounts are
 * the one who met it and the one who did not; the 规划局 branch's people are
 * assessed by their scorecards (one 学习型党员). The workflow under way:
 * one claim per state with its history, notices and (approved) its record,
 * an activity approved in two steps (分管副局长, then 局长) whose three
 * attendees have records under its key, the branch's three scorecards, all
 * dated in the year and not after today; the appended logins (head, the
 * branch's member and reviewer) work. A second creation, a store
 * that already has people and a bad year are refused and change nothing;
 * the data (not the passwords) is the same every time. Runs on SQLite, and
 * on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <cmocka.h>

#include "service/assess.h"
#include "service/auth.h"
#include "service/demo.h"
#include "store/data.h"
#include "store/store.h"
#include "../support/backends.h"

#define YEAR 2026

static xf_store *fresh_store(const char *url)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store_reset_for_tests(url, &errs);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, "store: ", stderr);
	xf_errs_cleanup(&errs);
	assert_non_null(s);
	return s;
}

/* The one integer a query gives (its parameter $1 bound when arg is set). */
static long long q_int(xf_store *s, const char *sql, const char *arg)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	xf_errs_print(&errs, sql, stderr);
	assert_non_null(st);
	if (arg)
		assert_int_equal(xf_stmt_bind_text(st, 1, arg), 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long v = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return v;
}

static xf_store *create_demo(const backend *b, xf_demo_report *rep)
{
	xf_store *s = fresh_store(b->url);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_demo_create(s, YEAR, rep, &errs);
	xf_errs_print(&errs, "demo: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	return s;
}

/* GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check "10X98765432". */
static int id_card_ok(const char *v)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	if (v == NULL || strlen(v) != 18)
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		sum += (v[i] - '0') * w[i];
	}
	return v[17] == "10X98765432"[sum % 11];
}

static void test_id_card_check_table(void **state)
{
	(void)state;
	/* The standard's worked example, and broken variants. */
	static const struct {
		const char *v;
		int ok;
	} rows[] = {
		{"11010519491231002X", 1},
		{"110105194912310021", 0},
		{"11010519491231002", 0},
		{"440524188001010014", 1},
		{"440524188001010015", 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(id_card_ok(rows[i].v), rows[i].ok);
}

static void test_creates_the_organisation(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		xf_demo_report rep;
		xf_store *s = create_demo(&backends[bi], &rep);

		assert_int_equal(rep.units, 7);
		assert_int_equal(rep.people, 57);
		assert_int_equal(rep.nlogins, 10);
		assert_true(rep.records > 500);
		assert_int_equal(q_int(s, "SELECT count(*) FROM units", NULL), 7);
		assert_int_equal(q_int(s, "SELECT count(*) FROM people", NULL), 57);
		assert_int_equal(q_int(s, "SELECT count(*) FROM records", NULL), rep.records);
		/* The 4 科室 under the 局, the 局 and 昆山 at the root. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM units c JOIN units p ON p.id = c.parent_id"
				       " WHERE p.code = $1 AND c.kind = 'section'", "dsj"), 4);
		assert_int_equal(q_int(s, "SELECT count(*) FROM units WHERE parent_id IS NULL", NULL), 3);
		assert_int_equal(q_int(s, "SELECT count(*) FROM policy_assignments WHERE year = 2026"
				       " AND policy = $1", "bigdata-bureau"), 5);
		assert_int_equal(q_int(s, "SELECT count(*) FROM policy_assignments WHERE year = 2026"
				       " AND policy = $1", "kunshan-cadre"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM policy_assignments WHERE year = 2026"
				       " AND policy = $1", "planning-bureau-member"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM people p JOIN units u ON u.id = p.unit_id"
				       " WHERE u.code = $1", "ks"), 12);
		assert_int_equal(q_int(s, "SELECT count(*) FROM people p JOIN units u ON u.id = p.unit_id"
				       " WHERE u.code = $1 AND u.kind = 'branch'", "ghj-dzb"), 5);
		/* Roles per the policy: 4 班子成员, 4 科室负责人; none in 昆山 or the branch. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM people WHERE role = $1", "leader"), 4);
		assert_int_equal(q_int(s, "SELECT count(*) FROM people WHERE role = $1", "section_head"), 4);
		assert_int_equal(q_int(s, "SELECT count(*) FROM people WHERE role IS NULL", NULL), 17);
		/* Joined this year (prorated), a secondment, a sick leave, flags. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM people WHERE joined >= $1", "2026-01-01"), 3);
		assert_int_equal(q_int(s, "SELECT count(*) FROM periods WHERE kind = $1", "secondment"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM periods WHERE kind = $1", "sick_leave"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM person_flags WHERE year = 2026", NULL), 2);
		/* Records and metrics in the year, months 1..11. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM records WHERE date < '2026-01-01'"
				       " OR date > $1", "2026-11-30"), 0);
		assert_true(q_int(s, "SELECT count(*) FROM metrics WHERE metric = $1", "xxqg") >= 40 * 4);
		assert_int_equal(q_int(s, "SELECT count(*) FROM metrics WHERE month > $1", "2026-11"), 0);
		/* One same-activity pair at least, one record too short to count. */
		assert_true(q_int(s, "SELECT count(*) FROM (SELECT person_id FROM records WHERE activity"
				  " IS NOT NULL AND item = $1 GROUP BY person_id, item, activity"
				  " HAVING count(*) > 1) x", "write.briefing") >= 1);
		assert_true(q_int(s, "SELECT count(*) FROM records WHERE minutes < 60 AND item = $1",
				  "listen.training") >= 1);
		/* Accounts and the audit row. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM users", NULL), 10);
		assert_int_equal(q_int(s, "SELECT count(*) FROM users WHERE person_id IS NOT NULL", NULL), 8);
		assert_int_equal(q_int(s, "SELECT count(*) FROM audit_log WHERE action = $1 AND actor = 'cli'",
				       "demo.create"), 1);
		/* Two approvers of the whole bureau: the 分管副局长 and the 局长. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM user_roles r JOIN units u ON u.id = r.unit_id"
				       " WHERE r.role = 'approver' AND u.code = $1", "dsj"), 2);
		assert_int_equal(q_int(s, "SELECT count(*) FROM user_roles r JOIN units u ON u.id = r.unit_id"
				       " WHERE r.role = 'reviewer' AND u.code = $1", "dsj-sj"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM user_roles r JOIN units u ON u.id = r.unit_id"
				       " WHERE r.role = 'reviewer' AND u.code = $1", "ghj-dzb"), 1);
		xf_store_close(s);
	}
}

static void test_personal_data_is_well_formed(void **state)
{
	(void)state;
	xf_demo_report rep;
	xf_store *s = create_demo(&backends[0], &rep);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT id_card, phone, name, staff_no, joined FROM people", &errs);
	assert_non_null(st);
	int n = 0;
	while (xf_stmt_step(st, &errs) == XF_STEP_ROW) {
		const char *id = xf_stmt_text(st, 0), *phone = xf_stmt_text(st, 1);
		if (!id_card_ok(id))
			fail_msg("bad ID card %s", id ? id : "(null)");
		int by = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
		assert_in_range(by, 1965, 1998);
		assert_non_null(phone);
		assert_int_equal(strlen(phone), 11);
		assert_true(phone[0] == '1' && (phone[1] == '3' || phone[1] == '5' || phone[1] == '8'));
		for (int i = 0; i < 11; i++)
			assert_true(phone[i] >= '0' && phone[i] <= '9');
		/* Chinese names: 2 or 3 characters of 3 bytes each. */
		size_t nl = strlen(xf_stmt_text(st, 2));
		assert_true(nl == 6 || nl == 9);
		assert_non_null(xf_stmt_text(st, 3));
		assert_non_null(xf_stmt_text(st, 4));
		n++;
	}
	assert_int_equal(n, 57);
	xf_stmt_finalize(st);
	/* 昆山 cadres carry 昆山's region code. */
	assert_int_equal(q_int(s, "SELECT count(*) FROM people WHERE code LIKE 'ks%' AND id_card LIKE $1",
			       "320583%"), 12);
	assert_int_equal(q_int(s, "SELECT count(DISTINCT name) FROM people", NULL), 57);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
}

static int has_class(const char *p, const char *set)
{
	for (; *p; p++)
		if (strchr(set, *p))
			return 1;
	return 0;
}

static void test_every_login_works(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		xf_demo_report rep;
		xf_store *s = create_demo(&backends[bi], &rep);
		xf_auth_policy ap;
		xf_auth_policy_defaults(&ap);
		static const char *const roles[] = {"admin", "auditor", "approver", "reviewer",
						    "member", "member", "member", "head",
						    "member", "reviewer"};
		assert_int_equal(rep.nlogins, 10);
		for (int i = 0; i < rep.nlogins; i++) {
			const xf_demo_login *l = &rep.logins[i];
			assert_string_equal(l->role, roles[i]);
			assert_int_equal(strlen(l->password), 12);
			assert_true(has_class(l->password, "ABCDEFGHJKLMNPQRSTUVWXYZ"));
			assert_true(has_class(l->password, "abcdefghijkmnpqrstuvwxyz"));
			assert_true(has_class(l->password, "23456789"));
			assert_false(has_class(l->password, "0O1lIo"));
			assert_true(strlen(l->who) > 0);
			for (int j = 0; j < i; j++)
				assert_string_not_equal(l->username, rep.logins[j].username);

			xf_errs errs;
			xf_errs_init(&errs);
			char token[XF_SESSION_TOKEN_LEN + 1];
			time_t locked = 0;
			xf_login_result r = xf_auth_login(s, &ap, l->username, l->password, NULL,
							  time(NULL), token, &locked, &errs);
			xf_errs_print(&errs, "login: ", stderr);
			if (r != XF_LOGIN_OK)
				fail_msg("%s: login of %s failed (%d)", backends[bi].name, l->username, r);
			assert_int_equal(strlen(token), XF_SESSION_TOKEN_LEN);
			/* And a wrong password does not get in. */
			r = xf_auth_login(s, &ap, l->username, "Wrong-Passw0rd", NULL, time(NULL), token,
					  &locked, &errs);
			assert_int_equal(r, XF_LOGIN_BAD);
			xf_errs_cleanup(&errs);
		}
		assert_string_equal(rep.logins[0].username, "admin");
		assert_string_equal(rep.logins[0].who, "系统管理员");
		assert_non_null(strstr(rep.logins[3].who, "数据资源科 科长"));
		assert_non_null(strstr(rep.logins[2].who, "副局长"));
		assert_string_equal(rep.logins[7].username, "head");
		assert_non_null(strstr(rep.logins[7].who, "区大数据发展局 局长"));
		assert_non_null(strstr(rep.logins[8].who, "规划局机关党支部 党员"));
		assert_non_null(strstr(rep.logins[9].who, "规划局机关党支部 党支部书记"));
		xf_store_close(s);
	}
}

/* The met column of the year's saved result of the person behind user. */
static long long met_of_user(xf_store *s, const char *username)
{
	return q_int(s, "SELECT COALESCE(r.met, -1) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
		     " JOIN users u ON u.person_id = r.person_id WHERE rn.year = 2026"
		     " AND rn.source = 'assess' AND u.username = $1", username);
}

static void test_assessment_over_everybody(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		xf_demo_report rep;
		xf_store *s = create_demo(&backends[bi], &rep);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_assess_report ar;
		int rc = xf_assess_year(s, YEAR, NULL, "test", &ar, &errs);
		xf_errs_print(&errs, "assess: ", stderr);
		assert_int_equal(rc, 0);
		assert_int_equal(ar.runs, 3);
		assert_int_equal(ar.people, 57);
		/* Only the 昆山 cadre retiring this year is exempt. */
		assert_int_equal(ar.exempt, 1);

		const char *in_year = "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				      " WHERE rn.year = 2026 AND rn.source = 'assess' AND rn.policy = $1";
		assert_int_equal(q_int(s, in_year, "bigdata-bureau"), 40);
		assert_int_equal(q_int(s, in_year, "kunshan-cadre"), 12);
		assert_int_equal(q_int(s, in_year, "planning-bureau-member"), 5);
		long long met = q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				      " WHERE rn.year = 2026 AND rn.source = 'assess' AND r.met = 1"
				      " AND rn.policy = $1", "bigdata-bureau");
		long long short_of = q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
					   " WHERE rn.year = 2026 AND rn.source = 'assess' AND r.met = 0"
					   " AND rn.policy = $1", "bigdata-bureau");
		assert_int_equal(met + short_of, 40);
		assert_in_range(met, 25, 37);
		assert_in_range(short_of, 3, 15);
		assert_int_equal(ar.met, met);
		/* Prorated requirements: 新入职 (July: 25, September: 16.67),
		 * 借调 6 months (25), sick leave 3 months (37.5). */
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " WHERE rn.year = 2026 AND rn.policy = $1 AND r.required > 24.99"
				       " AND r.required < 25.01", "bigdata-bureau"), 2);
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " WHERE rn.year = 2026 AND rn.policy = $1 AND r.required > 37.49"
				       " AND r.required < 37.51", "bigdata-bureau"), 1);
		/* Award candidates: at most 15% of 40. */
		assert_in_range(ar.award_candidates, 1, 6);

		/* The two members: one met, one short; the 昆山 one passed. */
		assert_int_equal(met_of_user(s, rep.logins[4].username), 1);
		assert_int_equal(met_of_user(s, rep.logins[5].username), 0);
		const char *grade_sql = "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
					" WHERE rn.year = 2026 AND rn.source = 'assess' AND r.grade = $1";
		long long fail = q_int(s, grade_sql, "fail");
		assert_int_equal(fail, 2); /* the menu pass line missed, the 调训 veto */
		assert_true(q_int(s, grade_sql, "good") + q_int(s, grade_sql, "excellent") >= 6);
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " JOIN users u ON u.person_id = r.person_id WHERE rn.year = 2026"
				       " AND r.grade IN ('good', 'excellent') AND u.username = $1",
				       rep.logins[6].username), 1);
		/* The branch: one 学习型党员, the reviewed card (96 of 100). */
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " WHERE rn.year = 2026 AND rn.policy = $1 AND r.result LIKE '%learning_member%'",
				       "planning-bureau-member"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " WHERE rn.year = 2026 AND rn.policy = $1 AND r.total > 95.99 AND r.total < 96.01",
				       "planning-bureau-member"), 1);
		/* Failed last year too: 亚健康. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM run_results r JOIN runs rn ON rn.id = r.run_id"
				       " WHERE rn.year = 2026 AND rn.source = 'assess' AND r.result LIKE $1",
				       "%sub_health%"), 1);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* The day the demo's workflow may run to: today, or the year's end when
 * the demo year is over ("YYYY-MM-DD"). */
static void last_day_of_demo(char out[40])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if (tm.tm_year + 1900 > YEAR)
		snprintf(out, 40, "%04d-12-31", YEAR);
	else
		snprintf(out, 40, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The workflow under way: claims in every state with their history, an
 * approved activity with its attendees' records, the branch's scorecards,
 * the notices they gave; dated in the year, never after today. */
static void test_workflow_under_way(void **state)
{
	(void)state;
	char last[40];
	last_day_of_demo(last);
	for (int bi = 0; bi < nbackends; bi++) {
		xf_demo_report rep;
		xf_store *s = create_demo(&backends[bi], &rep);
		assert_int_equal(rep.claims, 5);
		assert_int_equal(rep.activities, 1);
		assert_int_equal(rep.scorecards, 3);

		/* One claim per state, each with its history (events per state). */
		static const struct {
			const char *status;
			long long events;
		} states[] = {{"draft", 1}, {"submitted", 2}, {"reviewed", 3}, {"rejected", 3},
			      {"approved", 4}};
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			assert_int_equal(q_int(s, "SELECT count(*) FROM claims WHERE status = $1",
					       states[i].status), 1);
			if (q_int(s, "SELECT count(*) FROM claim_events e JOIN claims c ON c.id = e.claim_id"
				  " WHERE c.status = $1", states[i].status) != states[i].events)
				fail_msg("%s: the %s claim has not %lld events", backends[bi].name,
					 states[i].status, states[i].events);
			assert_int_equal(q_int(s, "SELECT count(*) FROM claim_events e JOIN claims c"
					       " ON c.id = e.claim_id WHERE c.status = $1 AND e.to_status = c.status",
					       states[i].status), 1);
		}
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims", NULL), 5);
		/* The claimants are the two 数据资源科 member logins. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims c JOIN users u ON u.person_id = c.person_id"
				       " AND u.id = c.created_by WHERE u.username = $1",
				       rep.logins[4].username) +
				 q_int(s, "SELECT count(*) FROM claims c JOIN users u ON u.person_id = c.person_id"
				       " AND u.id = c.created_by WHERE u.username = $1", rep.logins[5].username), 5);
		/* The rejected one says why, in the claim, its history and the notice. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims c JOIN claim_events e ON e.claim_id = c.id"
				       " JOIN notices n ON n.object = 'claim:' || CAST(c.id AS TEXT)"
				       " WHERE c.status = 'rejected' AND e.to_status = 'rejected'"
				       " AND e.note = c.reject_reason AND n.body = c.reject_reason"
				       " AND c.reject_reason LIKE $1", "%工作会议%"), 1);
		/* Step 1 by the 科长, step 2 by the 分管副局长, never the claimant. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims c JOIN users r ON r.id = c.reviewed_by"
				       " JOIN users a ON a.id = c.approved_by WHERE c.status = 'approved'"
				       " AND r.username = $1", rep.logins[3].username), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims c JOIN users a ON a.id = c.approved_by"
				       " WHERE a.username = $1", rep.logins[2].username), 1);
		/* The approved claim has its record, and only it. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM records WHERE claim_id IS NOT NULL", NULL), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims c JOIN records r ON r.person_id = c.person_id"
				       " AND r.id = c.record_id AND r.claim_id = c.id AND r.item = c.item"
				       " WHERE c.status = $1", "approved"), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims WHERE record_id IS NOT NULL", NULL), 1);

		/* Dates in the year and not after today, facts as JSON. */
		xf_errs errs;
		xf_errs_init(&errs);
		xf_stmt *st = xf_stmt_prepare(s, "SELECT fields, details, status, created_at FROM claims", &errs);
		assert_non_null(st);
		int n = 0;
		while (xf_stmt_step(st, &errs) == XF_STEP_ROW) {
			cJSON *f = cJSON_Parse(xf_stmt_text(st, 0)), *d = cJSON_Parse(xf_stmt_text(st, 1));
			assert_non_null(f);
			assert_non_null(d);
			const char *date = cJSON_GetStringValue(cJSON_GetObjectItem(f, "date"));
			assert_non_null(date);
			if (strncmp(date, "2026-", 5) != 0 || strcmp(date, last) > 0)
				fail_msg("claim date %s not in 2026 up to %s", date, last);
			assert_true(cJSON_IsObject(d) && cJSON_GetArraySize(d) >= 4);
			assert_true(xf_stmt_int(st, 3) <= (long long)time(NULL));
			cJSON_Delete(f);
			cJSON_Delete(d);
			n++;
		}
		assert_int_equal(n, 5);
		xf_stmt_finalize(st);
		assert_int_equal(q_int(s, "SELECT count(*) FROM claims WHERE form = $1", "self_study"), 1);

		/* The activity: approved by the 分管副局长, then the 局长; three
		 * attendees with their records under its key. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM activities a JOIN users r ON r.id = a.reviewed_by"
				       " JOIN users h ON h.id = a.approved_by WHERE a.status = 'approved'"
				       " AND r.username = $1 AND h.username = 'head' AND a.records_at IS NOT NULL",
				       rep.logins[2].username), 1);
		assert_int_equal(q_int(s, "SELECT count(*) FROM activity_attendance t JOIN activities a"
				       " ON a.id = t.activity_id JOIN records r ON r.person_id = t.person_id"
				       " AND r.id = t.record_id AND r.activity = a.key WHERE a.key = $1",
				       "act-2026-0001"), 3);
		assert_int_equal(q_int(s, "SELECT count(*) FROM records WHERE activity = $1", "act-2026-0001"), 3);
		assert_int_equal(q_int(s, "SELECT count(*) FROM activities WHERE date_from > $1", last), 0);
		assert_int_equal(q_int(s, "SELECT count(*) FROM records WHERE date > $1 AND (claim_id IS NOT NULL"
				       " OR activity LIKE 'act-%')", last), 0);

		/* The branch's scorecards: the member login's draft with some self
		 * scores, one submitted (every line), one reviewed (96: 学习型党员). */
		long long draft = q_int(s, "SELECT count(*) FROM scorecards c JOIN users u ON u.person_id = c.person_id"
					" WHERE c.status = 'draft' AND u.username = $1", rep.logins[8].username);
		assert_int_equal(draft, 1);
		long long self = q_int(s, "SELECT count(*) FROM scores x JOIN users u ON u.person_id = x.person_id"
				       " WHERE x.self IS NOT NULL AND u.username = $1", rep.logins[8].username);
		assert_in_range(self, 1, 13);
		assert_int_equal(q_int(s, "SELECT count(*) FROM scorecards c JOIN scores x ON x.person_id = c.person_id"
				       " WHERE c.status = 'submitted' AND x.self IS NOT NULL AND x.review IS NULL",
				       NULL), 14);
		assert_int_equal(q_int(s, "SELECT sum(x.review) FROM scorecards c JOIN scores x"
				       " ON x.person_id = c.person_id JOIN users u ON u.id = c.reviewed_by"
				       " WHERE c.status = 'reviewed' AND u.username = $1", rep.logins[9].username), 96);
		assert_int_equal(q_int(s, "SELECT count(*) FROM scorecards WHERE year = 2026", NULL), 3);

		/* What the members were told. */
		static const struct {
			const char *kind;
			long long n;
		} told[] = {{"claim.reviewed", 1}, {"claim.approved", 1}, {"claim.rejected", 1},
			    {"scorecard.reviewed", 1}, {"activity.record", 3}};
		for (size_t i = 0; i < sizeof(told) / sizeof(told[0]); i++)
			assert_int_equal(q_int(s, "SELECT count(*) FROM notices WHERE kind = $1", told[i].kind),
					 told[i].n);
		/* The audit row counts them. */
		assert_int_equal(q_int(s, "SELECT count(*) FROM audit_log WHERE action = 'demo.create'"
				       " AND after LIKE $1", "%\"claims\": 5%"), 1);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* The counts a refused creation must leave as they were. */
static void snapshot(xf_store *s, long long out[6])
{
	out[0] = q_int(s, "SELECT count(*) FROM people", NULL);
	out[1] = q_int(s, "SELECT count(*) FROM units", NULL);
	out[2] = q_int(s, "SELECT count(*) FROM records", NULL);
	out[3] = q_int(s, "SELECT count(*) FROM users", NULL);
	out[4] = q_int(s, "SELECT count(*) FROM metrics", NULL);
	out[5] = q_int(s, "SELECT count(*) FROM audit_log", NULL);
}

static void test_refusals_change_nothing(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		xf_demo_report rep, again;
		xf_store *s = create_demo(&backends[bi], &rep);
		long long before[6], after[6];
		snapshot(s, before);
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_demo_create(s, YEAR, &again, &errs), -1);
		assert_int_equal(xf_errs_count(&errs), 1);
		assert_non_null(strstr(errs.msgs[0], "已有 57 名人员"));
		assert_int_equal(again.nlogins, 0);
		snapshot(s, after);
		assert_memory_equal(before, after, sizeof(before));
		xf_errs_cleanup(&errs);
		xf_store_close(s);

		/* A store with one person of its own is refused too. */
		s = fresh_store(backends[bi].url);
		xf_errs_init(&errs);
		xf_data *d = xf_data_new(s, &errs);
		long long id;
		xf_person_row p = {"p1", "张三", NULL, NULL, NULL, 0, NULL, NULL};
		assert_int_equal(xf_data_person(d, &p, &id, &errs), 0);
		xf_data_free(d);
		snapshot(s, before);
		assert_int_equal(xf_demo_create(s, YEAR, &again, &errs), -1);
		assert_non_null(strstr(errs.msgs[0], "已有 1 名人员"));
		snapshot(s, after);
		assert_memory_equal(before, after, sizeof(before));

		/* A year out of range, before anything is written. */
		xf_store_close(s);
		s = fresh_store(backends[bi].url);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(xf_demo_create(s, 1990, &again, &errs), -1);
		assert_non_null(strstr(errs.msgs[0], "年度"));
		snapshot(s, after);
		assert_int_equal(after[0] + after[1] + after[2] + after[3], 0);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* A failure at the very end (the admin account's name is taken) leaves
 * nothing of the demo behind: one transaction. */
static void test_late_failure_rolls_back(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		xf_store *s = fresh_store(backends[bi].url);
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_store_exec_for_tests(s, "INSERT INTO users (username, display_name,"
							 " password_hash) VALUES ('admin', 'x', 'x')", &errs), 0);
		long long before[6], after[6];
		snapshot(s, before);
		xf_demo_report rep;
		assert_int_equal(xf_demo_create(s, YEAR, &rep, &errs), -1);
		assert_true(xf_errs_count(&errs) >= 1);
		assert_int_equal(rep.people, 0);
		assert_int_equal(rep.nlogins, 0);
		snapshot(s, after);
		assert_memory_equal(before, after, sizeof(before));
		assert_int_equal(q_int(s, "SELECT count(*) FROM policy_assignments WHERE year = 2026"
				       " AND policy <> $1", ""), 0);
		assert_int_equal(q_int(s, "SELECT count(*) FROM runs WHERE policy = $1", "kunshan-cadre"), 0);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* All people and records in one text, to compare two creations. */
static char *digest(xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT code || name || id_card || phone || staff_no || joined"
				      " FROM people ORDER BY code", &errs);
	assert_non_null(st);
	while (xf_stmt_step(st, &errs) == XF_STEP_ROW)
		fprintf(f, "%s\n", xf_stmt_text(st, 0));
	xf_stmt_finalize(st);
	st = xf_stmt_prepare(s, "SELECT p.code, r.item, r.date, COALESCE(r.level, ''), COALESCE(r.days, 0)"
			     " FROM records r JOIN people p ON p.id = r.person_id ORDER BY p.code, r.id",
			     &errs);
	assert_non_null(st);
	while (xf_stmt_step(st, &errs) == XF_STEP_ROW)
		fprintf(f, "%s %s %s %s %g\n", xf_stmt_text(st, 0), xf_stmt_text(st, 1),
			xf_stmt_text(st, 2), xf_stmt_text(st, 3), xf_stmt_double(st, 4));
	xf_stmt_finalize(st);
	fclose(f);
	xf_errs_cleanup(&errs);
	return buf;
}

static void test_same_data_every_time(void **state)
{
	(void)state;
	xf_demo_report a, b;
	xf_store *s = create_demo(&backends[0], &a);
	char *first = digest(s);
	xf_store_close(s);
	s = create_demo(&backends[nbackends - 1], &b);
	char *second = digest(s);
	xf_store_close(s);
	assert_string_equal(first, second);
	assert_int_equal(a.records, b.records);
	/* The passwords are not seeded. */
	assert_string_not_equal(a.logins[0].password, b.logins[0].password);
	free(first);
	free(second);
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-demo-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_card_check_table),
		cmocka_unit_test(test_creates_the_organisation),
		cmocka_unit_test(test_personal_data_is_well_formed),
		cmocka_unit_test(test_every_login_works),
		cmocka_unit_test(test_assessment_over_everybody),
		cmocka_unit_test(test_workflow_under_way),
		cmocka_unit_test(test_refusals_change_nothing),
		cmocka_unit_test(test_late_failure_rolls_back),
		cmocka_unit_test(test_same_data_every_time),
	};
	int rc = cmocka_run_group_tests_name("service/demo", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
