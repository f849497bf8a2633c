/* Tests for src/service/credits.c: shipped cases (examples/ and
 * tests/cases/) are imported into a fresh database, and the credit views
 * computed live from it must agree with each case's expected output: a
 * person's numbers, what is missing and whether the suggestions close the
 * gap, the records adding up to the categories; a unit's counts, grades,
 * not-met list, ranking, award candidates and branches, computed here
 * independently from the expected file; the subtree (a parent unit takes
 * in its children, a unit without a policy inherits its parent's); and
 * unknown person, unit or year answering 1 with a message. Runs on SQLite,
 * and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
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

#include "core/file.h"
#include "service/credits.h"
#include "service/import.h"
#include "store/store.h"
#include "../support/backends.h"

#define YEAR 2025

static xf_store *fresh_store(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, "store: ", stderr);
	xf_errs_cleanup(&errs);
	assert_non_null(s);
	return s;
}

static cJSON *read_json(const char *path)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(xf_file_read(path, XF_FILE_MAX, &text, &len, &errs), 0);
	cJSON *j = cJSON_ParseWithLength(text, len);
	assert_non_null(j);
	free(text);
	xf_errs_cleanup(&errs);
	return j;
}

static void import_text(xf_store *s, const char *json, size_t len, const char *name)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_import_report rep;
	if (xf_import_case(s, json, len, name, "examples", "test", &rep, &errs) != 0) {
		xf_errs_print(&errs, name, stderr);
		fail();
	}
	xf_errs_cleanup(&errs);
}

static void import_file(xf_store *s, const char *path)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(xf_file_read(path, XF_FILE_MAX, &json, &len, &errs), 0);
	import_text(s, json, len, path);
	free(json);
	xf_errs_cleanup(&errs);
}

static void exec(xf_store *s, const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_store_exec_for_tests(s, sql, &errs) != 0) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	xf_errs_cleanup(&errs);
}

/* The id of the row of `table` whose code is `code`. */
static long long id_of(xf_store *s, const char *table, const char *code)
{
	char sql[128];
	xf_errs errs;
	xf_errs_init(&errs);
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE code = $1", table);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	xf_stmt_bind_text(st, 1, code);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long id = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return id;
}

/* Runs a view; returns its JSON (rc 0) or NULL with *msg the first
 * message (rc 1). */
static cJSON *view(xf_store *s, bool unit, long long id, int year, bool explain, int limit,
		   int want_rc, char *msg, size_t msize)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int rc = unit ? xf_credits_unit_json(s, id, year, limit, f, &errs)
		      : xf_credits_person_json(s, id, year, explain, f, &errs);
	fclose(f);
	if (rc != want_rc) {
		xf_errs_print(&errs, unit ? "unit view" : "person view", stderr);
		fail_msg("view of %lld answered %d, expected %d", id, rc, want_rc);
	}
	if (msg) {
		snprintf(msg, msize, "%s", errs.n ? errs.msgs[0] : "");
	}
	cJSON *j = NULL;
	if (rc == 0) {
		j = cJSON_ParseWithLength(buf, len);
		if (j == NULL)
			fail_msg("not JSON: %.300s", buf);
	}
	free(buf);
	xf_errs_cleanup(&errs);
	return j;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (v == NULL)
		fail_msg("missing key \"%s\"", key);
	return v;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);
	if (!cJSON_IsNumber(v))
		fail_msg("\"%s\" is not a number", key);
	return v->valuedouble;
}

/* Two values equal as the results mean them: numbers within 1e-6, null
 * equal to null. */
static void assert_same(const cJSON *got, const cJSON *exp, const char *who, const char *what)
{
	bool ok;
	if (cJSON_IsNull(exp))
		ok = cJSON_IsNull(got);
	else if (cJSON_IsNumber(exp))
		ok = cJSON_IsNumber(got) && fabs(got->valuedouble - exp->valuedouble) <= 1e-6;
	else if (cJSON_IsBool(exp))
		ok = cJSON_IsBool(got) && cJSON_IsTrue(got) == cJSON_IsTrue(exp);
	else if (cJSON_IsString(exp))
		ok = cJSON_IsString(got) && strcmp(got->valuestring, exp->valuestring) == 0;
	else
		ok = false;
	if (!ok) {
		char *g = got ? cJSON_PrintUnformatted(got) : NULL, *e = cJSON_PrintUnformatted(exp);
		fprintf(stderr, "%s: %s is %s, expected %s\n", who, what, g ? g : "(absent)", e);
		free(g);
		free(e);
		fail();
	}
}

static double round2(double v)
{
	return floor(fabs(v) * 100.0 + 0.5 + 1e-7) / 100.0 * (v < 0 ? -1 : 1);
}

/* What "missing" must say, from the person's own numbers. */
static void check_missing(const cJSON *got, const cJSON *exp, const char *who)
{
	const cJSON *m = get(got, "missing");
	bool exempt = cJSON_IsTrue(get(exp, "exempt"));
	bool not_met = cJSON_IsFalse(get(exp, "met"));
	int unpassed = 0;
	const cJSON *pi;
	cJSON_ArrayForEach(pi, get(exp, "passed_items"))
		unpassed += cJSON_IsFalse(pi);
	if (exempt || (!not_met && unpassed == 0)) {
		if (!cJSON_IsNull(m))
			fail_msg("%s: missing should be null", who);
		return;
	}
	if (!cJSON_IsObject(m))
		fail_msg("%s: missing should be an object", who);
	const char *text = get(m, "text")->valuestring;
	assert_non_null(text);
	assert_true(strlen(text) > 0);
	if (not_met) {
		double gap = round2(num(exp, "required") - num(exp, "final"));
		if (gap < 0)
			gap = 0;
		if (fabs(num(m, "credits") - gap) > 1e-6)
			fail_msg("%s: missing credits %g, expected %g", who, num(m, "credits"), gap);
		if (gap > 0) {
			char head[64];
			snprintf(head, sizeof(head), "还差 %g 学分", gap);
			if (strncmp(text, head, strlen(head)) != 0)
				fail_msg("%s: text \"%s\" should start with \"%s\"", who, text, head);
			const cJSON *sg = get(m, "suggestions"), *s;
			assert_true(cJSON_GetArraySize(sg) >= 1 && cJSON_GetArraySize(sg) <= 3);
			bool together = cJSON_IsTrue(get(m, "together"));
			double sum = 0;
			cJSON_ArrayForEach(s, sg) {
				double u = num(s, "units"), c = num(s, "credits");
				assert_true(u >= 1 && c > 0);
				assert_non_null(strstr(text, get(s, "item_name")->valuestring));
				if (!together && u * c + 1e-6 < gap)
					fail_msg("%s: %g x %g does not close %g", who, u, c, gap);
				sum += num(s, "gives");
			}
			if (together && sum + 1e-6 < gap)
				fail_msg("%s: the plan gives %g of %g", who, sum, gap);
		}
	} else if (!cJSON_IsNull(get(m, "credits"))) {
		fail_msg("%s: no requirement gap, credits should be null", who);
	}
	/* Every pass line not reached is there, with its gap. */
	int npass = 0;
	const cJSON *pl;
	cJSON_ArrayForEach(pl, get(m, "pass_lines")) {
		const cJSON *passed = get(get(exp, "passed_items"), get(pl, "category")->valuestring);
		assert_true(cJSON_IsFalse(passed));
		assert_non_null(strstr(text, get(pl, "name")->valuestring));
		npass++;
	}
	assert_int_equal(npass, unpassed);
}

/* The records' counted credits add up to the categories (with what
 * monthly metrics gave the metric items). */
static void check_records(const cJSON *got, const char *who, bool explain)
{
	const cJSON *cat, *rec, *it;
	cJSON_ArrayForEach(cat, get(got, "categories")) {
		const char *key = get(cat, "key")->valuestring;
		double sum = 0, metric_items = 0;
		cJSON_ArrayForEach(rec, get(got, "records")) {
			if (strcmp(get(rec, "category")->valuestring, key) == 0)
				sum += num(rec, "credits");
		}
		cJSON_ArrayForEach(it, get(cat, "items")) {
			if (strcmp(get(it, "unit_name")->valuestring, "分") == 0)
				metric_items += num(it, "credits");
		}
		double want = num(cat, "credits");
		if (fabs(fmin(sum + metric_items, want) - want) > 1e-6 || sum > want + 1e-6)
			fail_msg("%s: records of %s count %g (+%g metric), category %g", who, key, sum,
				 metric_items, want);
	}
	cJSON_ArrayForEach(rec, get(got, "records")) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(rec, "explain");
		if (explain)
			assert_true(cJSON_IsString(e) && strlen(e->valuestring) > 0);
		else
			assert_null(e);
		assert_true(num(rec, "credits") <= num(rec, "value") + 1e-6);
	}
}

/* One person's view against the expected output of the case. */
static void check_person(xf_store *s, const cJSON *exp, bool explain)
{
	const char *code = get(exp, "id")->valuestring;
	char who[128];
	snprintf(who, sizeof(who), "%s (explain %d)", code, explain);
	cJSON *got = view(s, false, id_of(s, "people", code), YEAR, explain, 0, 0, NULL, 0);
	static const char *const keys[] = {"exempt", "exempt_reason", "total", "final", "required",
					   "met", "grade"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		assert_same(get(got, keys[k]), get(exp, keys[k]), who, keys[k]);
	assert_string_equal(get(get(got, "person"), "code")->valuestring, code);

	/* Categories and items, by key. */
	int ncat = 0, nitem = 0;
	const cJSON *cat, *it, *v;
	cJSON_ArrayForEach(cat, get(got, "categories")) {
		const char *key = get(cat, "key")->valuestring;
		assert_same(get(cat, "credits"), get(get(exp, "categories"), key), who, key);
		ncat++;
		cJSON_ArrayForEach(it, get(cat, "items")) {
			const char *ikey = get(it, "key")->valuestring;
			assert_same(get(it, "credits"), get(get(exp, "items"), ikey), who, ikey);
			nitem++;
		}
	}
	assert_int_equal(ncat, cJSON_GetArraySize(get(exp, "categories")));
	assert_int_equal(nitem, cJSON_GetArraySize(get(exp, "items")));
	cJSON_ArrayForEach(v, get(exp, "passed_items"))
		assert_same(get(get(got, "passed_items"), v->string), v, who, v->string);
	/* The policy's own outputs. */
	static const char *const extra[] = {"growth", "activist", "award_eligible",
					    "required_course_credits", "self_total", "review_total"};
	for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
		if (cJSON_GetObjectItemCaseSensitive(exp, extra[k]))
			assert_same(get(got, extra[k]), get(exp, extra[k]), who, extra[k]);

	check_missing(got, exp, who);
	check_records(got, who, explain);
	cJSON_Delete(got);
}

/* Person views of every person of each case, with and without the
 * explanations. The cases cover a category cap (zhang: 写 45 -> 40), an
 * item cap (读书), exemptions, an annualised final (zhao), pass lines,
 * a required item minimum (必修课) and growth. */
static void test_person_views(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"examples/bigdata-bureau",
		"examples/kunshan-cadre",
		"examples/loudi-online",
		"examples/xxqg-branch",
		"examples/planning-bureau-member",
		"tests/cases/bigdata-sick-leave-exemption",
		"tests/cases/bigdata-read-book-cap",
		"tests/cases/kunshan-exemptions",
		"tests/cases/kunshan-menu-pass-line",
		"tests/cases/loudi-met-rule",
	};
	for (int b = 0; b < nbackends; b++) {
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			char path[256], exp_path[256];
			snprintf(path, sizeof(path), "%s.case.json", cases[c]);
			snprintf(exp_path, sizeof(exp_path), "%s.expected.json", cases[c]);
			xf_store *s = fresh_store(&backends[b]);
			import_file(s, path);
			cJSON *exp = read_json(exp_path);
			const cJSON *person;
			cJSON_ArrayForEach(person, get(exp, "people")) {
				check_person(s, person, true);
				check_person(s, person, false);
			}
			cJSON_Delete(exp);
			xf_store_close(s);
		}
	}
}

/* Concrete answers for people worked out by hand from the policy. */
static void test_person_details(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		import_file(s, "examples/bigdata-bureau.case.json");
		/* zhang: 56 of 60. 听 has room (14 of 40): 1 市级 training (4)
		 * closes it; 写 is full, 读书 has 2 left. */
		cJSON *j = view(s, false, id_of(s, "people", "zhang"), YEAR, true, 0, 0, NULL, 0);
		const cJSON *m = get(j, "missing");
		assert_string_equal(get(m, "text")->valuestring,
				    "还差 4 学分；例如再参加 1 次市级“学习培训”（每次 4 学分）");
		const cJSON *sg = cJSON_GetArrayItem(get(m, "suggestions"), 0);
		assert_string_equal(get(sg, "item")->valuestring, "listen.training");
		assert_string_equal(get(sg, "level")->valuestring, "city");
		assert_int_equal((int)num(sg, "units"), 1);
		assert_int_equal(cJSON_GetArraySize(get(m, "suggestions")), 1);
		/* Category caps shown; 写 trimmed on the paper (record 6). */
		const cJSON *write = cJSON_GetArrayItem(get(j, "categories"), 2);
		assert_string_equal(get(write, "key")->valuestring, "write");
		assert_true(num(write, "cap") == 40);
		assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(get(write, "items"), 0), "cap")));
		const cJSON *paper = cJSON_GetArrayItem(get(j, "records"), 5);
		assert_string_equal(get(paper, "status")->valuestring, "trimmed");
		assert_true(num(paper, "value") == 30 && num(paper, "credits") == 25);
		assert_non_null(strstr(get(paper, "explain")->valuestring, "“写”满分 40 学分（原为 45）"));
		/* Same activity: the 区级 record is dropped for the 市级 one. */
		const cJSON *first = cJSON_GetArrayItem(get(j, "records"), 0);
		assert_string_equal(get(first, "status")->valuestring, "same_activity");
		assert_true(num(first, "credits") == 0);
		assert_non_null(strstr(get(first, "explain")->valuestring, "同一活动"));
		cJSON_Delete(j);

		/* li: 10 of 25 (joined in July: 6 months). 6 credits from
		 * 学习强国 in August (820: (820 - 640) / 30). */
		j = view(s, false, id_of(s, "people", "li"), YEAR, true, 0, 0, NULL, 0);
		const cJSON *xq = cJSON_GetArrayItem(get(j, "metrics"), 0);
		assert_string_equal(get(xq, "metric")->valuestring, "xxqg");
		assert_int_equal(cJSON_GetArraySize(get(xq, "months")), 2);
		assert_true(num(cJSON_GetArrayItem(get(xq, "months"), 0), "credits") == 6);
		assert_true(num(cJSON_GetArrayItem(get(xq, "months"), 1), "credits") == 0);
		assert_true(num(get(j, "missing"), "credits") == 15);
		const cJSON *short_rec = cJSON_GetArrayItem(get(j, "records"), 1);
		assert_string_equal(get(short_rec, "status")->valuestring, "excluded");
		assert_string_equal(get(short_rec, "excluded")->valuestring, "min_minutes");
		assert_non_null(strstr(get(short_rec, "explain")->valuestring, "学习时长 40 分钟，不足 60 分钟"));
		cJSON_Delete(j);
		xf_store_close(s);

		/* Kunshan 网络学习: the pass line (25) suggests class hours. */
		s = fresh_store(&backends[b]);
		import_file(s, "tests/cases/kunshan-online-pass-line.case.json");
		cJSON *exp = read_json("tests/cases/kunshan-online-pass-line.expected.json");
		const cJSON *person;
		int seen = 0;
		cJSON_ArrayForEach(person, get(exp, "people")) {
			if (!cJSON_IsFalse(get(get(person, "passed_items"), "online")))
				continue;
			j = view(s, false, id_of(s, "people", get(person, "id")->valuestring), YEAR, false,
				 0, 0, NULL, 0);
			const cJSON *pl = cJSON_GetArrayItem(get(get(j, "missing"), "pass_lines"), 0);
			assert_string_equal(get(pl, "category")->valuestring, "online");
			double gap = num(pl, "credits");
			const cJSON *sug;
			bool hours = false;
			cJSON_ArrayForEach(sug, get(pl, "suggestions")) {
				if (strcmp(get(sug, "item")->valuestring, "online.course") == 0) {
					hours = true;
					assert_true(num(sug, "units") * 0.5 + 1e-9 >= gap);
					assert_true((num(sug, "units") - 1) * 0.5 < gap);
				}
			}
			assert_true(hours || gap <= 5);
			cJSON_Delete(j);
			seen++;
		}
		assert_true(seen > 0);
		cJSON_Delete(exp);
		xf_store_close(s);
	}
}

/* Counts of a summary's policy, worked out from the expected file. */
static void check_summary(const cJSON *pol, const cJSON *exp, const char *what)
{
	long members = 0, exempt = 0, met = 0, not_met = 0, with_total = 0;
	double best = -1;
	const cJSON *p;
	cJSON *grades = cJSON_CreateObject();
	cJSON_ArrayForEach(p, get(exp, "people")) {
		members++;
		if (cJSON_IsTrue(get(p, "exempt"))) {
			exempt++;
			continue;
		}
		met += cJSON_IsTrue(get(p, "met"));
		not_met += cJSON_IsFalse(get(p, "met"));
		const cJSON *g = get(p, "grade");
		if (cJSON_IsString(g)) {
			cJSON *n = cJSON_GetObjectItemCaseSensitive(grades, g->valuestring);
			if (n)
				cJSON_SetNumberValue(n, n->valuedouble + 1);
			else
				cJSON_AddNumberToObject(grades, g->valuestring, 1);
		}
		if (cJSON_IsNumber(get(p, "final"))) {
			with_total++;
			if (num(p, "final") > best)
				best = num(p, "final");
		}
	}
	assert_int_equal((long)num(pol, "members"), members);
	assert_int_equal((long)num(pol, "exempt"), exempt);
	assert_int_equal((long)num(pol, "assessed"), members - exempt);
	const cJSON *gm = get(pol, "met");
	if (cJSON_IsNumber(gm)) {
		assert_int_equal((long)gm->valuedouble, met);
		assert_int_equal((long)num(pol, "not_met_total"), not_met);
		assert_int_equal(cJSON_GetArraySize(get(pol, "not_met")), not_met);
		const cJSON *e;
		cJSON_ArrayForEach(e, get(pol, "not_met")) {
			/* Each is someone the expected file says did not meet. */
			bool found = false;
			cJSON_ArrayForEach(p, get(exp, "people"))
				if (strcmp(get(p, "id")->valuestring, get(e, "code")->valuestring) == 0) {
					found = cJSON_IsFalse(get(p, "met"));
					assert_true(fabs(num(e, "missing") -
							 fmax(0, round2(num(p, "required") - num(p, "final")))) < 1e-6);
				}
			if (!found)
				fail_msg("%s: %s should not be in not_met", what, get(e, "code")->valuestring);
		}
	} else {
		/* No requirement: nobody "did not meet" it. */
		assert_int_equal(met + not_met, 0);
		assert_int_equal(cJSON_GetArraySize(get(pol, "not_met")), 0);
		assert_int_equal((long)num(pol, "not_met_total"), 0);
	}
	/* Grade distribution: every band of the policy, in its order. */
	const cJSON *gd = get(pol, "grades"), *g;
	if (cJSON_IsObject(gd)) {
		cJSON_ArrayForEach(g, gd) {
			const cJSON *want = cJSON_GetObjectItemCaseSensitive(grades, g->string);
			if ((long)g->valuedouble != (want ? (long)want->valuedouble : 0))
				fail_msg("%s: grade %s counts %g", what, g->string, g->valuedouble);
		}
		cJSON_ArrayForEach(g, grades)
			assert_non_null(cJSON_GetObjectItemCaseSensitive(gd, g->string));
	} else {
		assert_int_equal(cJSON_GetArraySize(grades), 0);
	}
	cJSON_Delete(grades);
	/* Ranking: best first, ranks shared by ties, never more than 1 +
	 * those above. */
	const cJSON *rk = get(pol, "ranking"), *r, *prev = NULL;
	const char *by = get(pol, "ranking_by")->valuestring;
	int i = 0;
	cJSON_ArrayForEach(r, rk) {
		if (i == 0 && with_total > 0)
			assert_true(fabs(num(r, by) - best) < 1e-6 && num(r, "rank") == 1);
		if (prev) {
			assert_true(num(r, by) <= num(prev, by) + 1e-9);
			if (fabs(num(r, by) - num(prev, by)) < 1e-9)
				assert_true(num(r, "rank") == num(prev, "rank"));
			else
				assert_true(num(r, "rank") == i + 1);
		}
		prev = r;
		i++;
	}
	/* Award candidates: the people the expected file marks. */
	const cJSON *ac = cJSON_GetObjectItemCaseSensitive(pol, "award_candidates");
	long want_awards = 0;
	cJSON_ArrayForEach(p, get(exp, "people"))
		want_awards += cJSON_IsTrue(get(p, "award_candidate"));
	if (ac) {
		assert_int_equal(cJSON_GetArraySize(ac), want_awards);
		assert_int_equal((long)num(pol, "award_candidates_total"), want_awards);
		cJSON_ArrayForEach(r, ac) {
			bool found = false;
			cJSON_ArrayForEach(p, get(exp, "people"))
				if (strcmp(get(p, "id")->valuestring, get(r, "code")->valuestring) == 0)
					found = cJSON_IsTrue(get(p, "award_candidate"));
			assert_true(found);
		}
	} else {
		assert_int_equal(want_awards, 0);
	}
	/* Branches and quarters as the group results give them. */
	if (cJSON_GetObjectItemCaseSensitive(exp, "branches")) {
		const cJSON *eb, *gb;
		int k = 0;
		cJSON_ArrayForEach(eb, get(exp, "branches")) {
			gb = cJSON_GetArrayItem(get(pol, "branches"), k++);
			assert_non_null(gb);
			assert_same(get(gb, "id"), get(eb, "id"), what, "branch");
			assert_same(get(gb, "members"), get(eb, "members"), what, "members");
			assert_same(get(gb, "average"), get(eb, "average"), what, "average");
		}
		assert_same(get(pol, "best_branch"), get(exp, "best_branch"), what, "best_branch");
		char *a = cJSON_PrintUnformatted(get(pol, "quarters"));
		char *e = cJSON_PrintUnformatted(get(exp, "quarters"));
		assert_string_equal(a, e);
		free(a);
		free(e);
	}
	/* Category averages over the people assessed. */
	const cJSON *ca;
	cJSON_ArrayForEach(ca, get(pol, "categories")) {
		double sum = 0;
		cJSON_ArrayForEach(p, get(exp, "people"))
			if (!cJSON_IsTrue(get(p, "exempt")))
				sum += num(get(p, "categories"), get(ca, "key")->valuestring);
		assert_true(fabs(num(ca, "average") - round2(sum / (double)(members - exempt))) < 1e-6);
	}
}

/* The monthly trend of each metric of the policy: the case's increments
 * of the year summed per month (zeros when it has none), the average over
 * all members; policies without metrics have no "metrics". */
static void check_trends(const cJSON *pol, const char *case_path, const char *what)
{
	cJSON *c = read_json(case_path);
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(c, "metrics");
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(pol, "metrics");
	if (got == NULL) {
		assert_int_equal(cJSON_GetArraySize(metrics), 0);
		cJSON_Delete(c);
		return;
	}
	const cJSON *t;
	int seen = 0;
	cJSON_ArrayForEach(t, got) {
		const char *key = get(t, "key")->valuestring;
		assert_int_equal(cJSON_GetArraySize(get(t, "months")), 12);
		for (int m = 1; m <= 12; m++) {
			char month[24];
			snprintf(month, sizeof(month), "%d-%02d", YEAR, m);
			double sum = 0;
			long reported = 0;
			const cJSON *x;
			cJSON_ArrayForEach(x, metrics)
				if (strcmp(get(x, "metric")->valuestring, key) == 0 &&
				    strcmp(get(x, "month")->valuestring, month) == 0) {
					sum += num(x, "value");
					reported++;
				}
			const cJSON *e = cJSON_GetArrayItem(get(t, "months"), m - 1);
			assert_int_equal((long)num(e, "month"), m);
			if (fabs(num(e, "total") - sum) > 1e-6 || (long)num(e, "reported") != reported ||
			    fabs(num(e, "average") - round2(sum / num(pol, "members"))) > 1e-6)
				fail_msg("%s: %s %s: total %g reported %ld expected", what, key, month,
					 sum, reported);
			seen += reported > 0;
		}
	}
	assert_true((seen > 0) == (cJSON_GetArraySize(metrics) > 0));
	cJSON_Delete(c);
}

/* The per-sub-unit figures: every case unit is a child of the parent, so
 * each child's members, met count and average final are the expected
 * file's people of that unit. */
static void check_children(const cJSON *pol, const char *case_path, const cJSON *exp,
			   const char *what)
{
	cJSON *c = read_json(case_path);
	const cJSON *kid;
	long long listed = 0;
	cJSON_ArrayForEach(kid, get(pol, "children")) {
		const char *code = get(get(kid, "unit"), "code")->valuestring;
		long members = 0, assessed = 0, met = 0, with_final = 0;
		double final_sum = 0;
		const cJSON *p, *e;
		cJSON_ArrayForEach(p, get(c, "people")) {
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(p, "unit");
			if (!cJSON_IsString(u) || strcmp(u->valuestring, code) != 0)
				continue;
			members++;
			cJSON_ArrayForEach(e, get(exp, "people")) {
				if (strcmp(get(e, "id")->valuestring, get(p, "id")->valuestring) != 0 ||
				    cJSON_IsTrue(get(e, "exempt")))
					continue;
				assessed++;
				met += cJSON_IsTrue(get(e, "met"));
				if (cJSON_IsNumber(get(e, "final"))) {
					with_final++;
					final_sum += num(e, "final");
				}
			}
		}
		if ((long)num(kid, "members") != members || (long)num(kid, "assessed") != assessed)
			fail_msg("%s: child %s: %g members, %g assessed; expected %ld, %ld", what, code,
				 num(kid, "members"), num(kid, "assessed"), members, assessed);
		if (cJSON_IsNumber(get(kid, "met")))
			assert_int_equal((long)num(kid, "met"), met);
		if (with_final > 0)
			assert_true(fabs(num(kid, "average_final") - round2(final_sum / with_final)) < 1e-6);
		listed += members;
	}
	assert_int_equal(listed, (long long)num(pol, "members")); /* nobody directly in org */
	cJSON_Delete(c);
}

/* Each case's people under one parent unit: the parent's summary counts
 * what the expected file says. */
static void test_unit_summary_counts(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"tests/cases/bigdata-award-quota-20",
		"tests/cases/bigdata-award-tie-at-boundary",
		"tests/cases/kunshan-grade-boundaries",
		"tests/cases/kunshan-exemptions",
		"tests/cases/loudi-met-rule",
		"examples/xxqg-branch",
		"examples/bigdata-bureau",
	};
	for (int b = 0; b < nbackends; b++) {
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			char path[256];
			snprintf(path, sizeof(path), "%s.case.json", cases[c]);
			xf_store *s = fresh_store(&backends[b]);
			import_file(s, path);
			exec(s, "INSERT INTO units (code, name) VALUES ('org', '全局')");
			exec(s, "UPDATE units SET parent_id = (SELECT id FROM units WHERE code = 'org')"
				" WHERE code <> 'org'");
			snprintf(path, sizeof(path), "%s.expected.json", cases[c]);
			cJSON *exp = read_json(path);
			cJSON *j = view(s, true, id_of(s, "units", "org"), YEAR, false, 50, 0, NULL, 0);
			assert_string_equal(get(get(j, "unit"), "code")->valuestring, "org");
			const cJSON *pols = get(j, "policies");
			assert_int_equal(cJSON_GetArraySize(pols), 1);
			const cJSON *pol = cJSON_GetArrayItem(pols, 0);
			assert_string_equal(get(get(pol, "policy"), "id")->valuestring,
					    get(exp, "policy")->valuestring);
			check_summary(pol, exp, cases[c]);
			snprintf(path, sizeof(path), "%s.case.json", cases[c]);
			check_trends(pol, path, cases[c]);
			check_children(pol, path, exp, cases[c]);
			cJSON_Delete(j);
			/* A limit of 2 keeps 2 (ties at the edge are cut). */
			j = view(s, true, id_of(s, "units", "org"), YEAR, false, 2, 0, NULL, 0);
			pol = cJSON_GetArrayItem(get(j, "policies"), 0);
			assert_true(cJSON_GetArraySize(get(pol, "ranking")) <= 2);
			cJSON_Delete(j);
			cJSON_Delete(exp);
			xf_store_close(s);
		}
	}
}

static long long members_of(const cJSON *summary, const char *policy)
{
	const cJSON *pol;
	cJSON_ArrayForEach(pol, get(summary, "policies"))
		if (strcmp(get(get(pol, "policy"), "id")->valuestring, policy) == 0)
			return (long long)num(pol, "members");
	return -1;
}

/* A parent unit includes its children; a unit without an assignment takes
 * its parent's policy; several policies give several summaries; unknown
 * person, unit or year answer 1 with a message. */
static void test_subtree_and_errors(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		import_file(s, "examples/bigdata-bureau.case.json");
		import_file(s, "examples/kunshan-cadre.case.json");
		/* org -> general-office -> annex (no policy of its own: wang
		 * moves there), org -> data-center, org -> kunshan-dev-zone;
		 * lone: no policy anywhere up. */
		exec(s, "INSERT INTO units (code, name) VALUES ('org', '全局')");
		exec(s, "INSERT INTO units (code, name) VALUES ('annex', '附属科')");
		exec(s, "INSERT INTO units (code, name) VALUES ('lone', '独立单位')");
		exec(s, "UPDATE units SET parent_id = (SELECT id FROM units WHERE code = 'org')"
			" WHERE code IN ('general-office', 'data-center', 'kunshan-dev-zone')");
		exec(s, "UPDATE units SET parent_id = (SELECT id FROM units WHERE code = 'general-office')"
			" WHERE code = 'annex'");
		exec(s, "UPDATE people SET unit_id = (SELECT id FROM units WHERE code = 'annex')"
			" WHERE code = 'wang'");

		cJSON *j = view(s, true, id_of(s, "units", "org"), YEAR, false, 0, 0, NULL, 0);
		assert_int_equal(cJSON_GetArraySize(get(j, "policies")), 2);
		assert_int_equal(members_of(j, "bigdata-bureau"), 3);
		assert_int_equal(members_of(j, "kunshan-cadre"), 2);
		cJSON_Delete(j);
		j = view(s, true, id_of(s, "units", "general-office"), YEAR, false, 0, 0, NULL, 0);
		assert_int_equal(cJSON_GetArraySize(get(j, "policies")), 1);
		assert_int_equal(members_of(j, "bigdata-bureau"), 2); /* zhang and wang in annex */
		cJSON_Delete(j);
		j = view(s, true, id_of(s, "units", "annex"), YEAR, false, 0, 0, NULL, 0);
		assert_int_equal(members_of(j, "bigdata-bureau"), 1);
		const cJSON *pol = cJSON_GetArrayItem(get(j, "policies"), 0);
		const cJSON *nm = cJSON_GetArrayItem(get(pol, "not_met"), 0);
		assert_string_equal(get(nm, "code")->valuestring, "wang");
		assert_string_equal(get(get(nm, "unit"), "code")->valuestring, "annex");
		cJSON_Delete(j);
		j = view(s, true, id_of(s, "units", "data-center"), YEAR, false, 0, 0, NULL, 0);
		assert_int_equal(members_of(j, "bigdata-bureau"), 1);
		assert_int_equal(members_of(j, "kunshan-cadre"), -1);
		cJSON_Delete(j);

		/* wang's policy comes from general-office, one level up; his
		 * numbers are unchanged. */
		cJSON *exp = read_json("examples/bigdata-bureau.expected.json");
		const cJSON *person;
		cJSON_ArrayForEach(person, get(exp, "people"))
			check_person(s, person, true);
		cJSON_Delete(exp);

		char msg[512];
		j = view(s, false, 999999, YEAR, true, 0, 1, msg, sizeof(msg));
		assert_null(j);
		assert_non_null(strstr(msg, "999999"));
		j = view(s, false, id_of(s, "people", "zhang"), 2024, true, 0, 1, msg, sizeof(msg));
		assert_non_null(strstr(msg, "2024"));
		assert_non_null(strstr(msg, "学分办法"));
		j = view(s, true, 999999, YEAR, false, 0, 1, msg, sizeof(msg));
		assert_non_null(strstr(msg, "999999"));
		j = view(s, true, id_of(s, "units", "lone"), YEAR, false, 0, 1, msg, sizeof(msg));
		assert_non_null(strstr(msg, "学分办法"));
		j = view(s, true, id_of(s, "units", "org"), 2024, false, 0, 1, msg, sizeof(msg));
		assert_non_null(strstr(msg, "2024"));
		/* A person without a unit has no policy either. */
		exec(s, "UPDATE people SET unit_id = NULL WHERE code = 'li'");
		j = view(s, false, id_of(s, "people", "li"), YEAR, true, 0, 1, msg, sizeof(msg));
		assert_non_null(strstr(msg, "李娜"));
		xf_store_close(s);
	}
}

/* A long not-met list is cut at 500 and counted; ties share rank 1. */
static void test_not_met_bounded(void **state)
{
	(void)state;
	enum { N = 520 };
	size_t cap = 64 + N * 96, len = 0;
	char *json = malloc(cap);
	assert_non_null(json);
	len += (size_t)snprintf(json + len, cap - len,
				"{\"policy\": \"bigdata-bureau\", \"year\": 2025, \"people\": [");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(json + len, cap - len,
					"%s{\"id\": \"p%03d\", \"unit\": \"big\", \"role\": \"staff\"}",
					i ? ", " : "", i);
	len += (size_t)snprintf(json + len, cap - len, "]}");
	assert_true(len < cap);
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		import_text(s, json, len, "many.json");
		cJSON *j = view(s, true, id_of(s, "units", "big"), YEAR, false, 10, 0, NULL, 0);
		const cJSON *pol = cJSON_GetArrayItem(get(j, "policies"), 0);
		assert_int_equal((long)num(pol, "members"), N);
		assert_int_equal((long)num(pol, "met"), 0);
		assert_int_equal((long)num(pol, "not_met_total"), N);
		assert_int_equal(cJSON_GetArraySize(get(pol, "not_met")), 500);
		assert_int_equal(cJSON_GetArraySize(get(pol, "ranking")), 10);
		const cJSON *r;
		cJSON_ArrayForEach(r, get(pol, "ranking"))
			assert_true(num(r, "rank") == 1 && num(r, "final") == 0);
		assert_true(num(pol, "met_rate") == 0);
		cJSON_Delete(j);
		xf_store_close(s);
	}
	free(json);
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-credits-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person_views),
		cmocka_unit_test(test_person_details),
		cmocka_unit_test(test_unit_summary_counts),
		cmocka_unit_test(test_subtree_and_errors),
		cmocka_unit_test(test_not_met_bounded),
	};
	int rc = cmocka_run_group_tests_name("service/credits", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
