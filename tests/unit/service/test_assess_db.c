/* Tests for src/service/import_case.c and assess_db.c: every golden case
 * (examples/ and tests/cases/) is imported into a fresh database, assessed
 * from the database, and each person's saved result must equal the case's
 * expected output. Also: a second import of the same file adds nothing, a
 * bad file changes nothing. Runs on SQLite, and on PostgreSQL when
 * XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <dirent.h>
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
#include "service/assess.h"
#include "service/export.h"
#include "service/import.h"
#include "store/data.h"
#include "store/store.h"
#include "../support/backends.h"


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

/* Numbers equal within 1e-6, objects by keys, arrays in order. */
static int same(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return fabs(a->valuedouble - b->valuedouble) <= 1e-6;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if ((a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (int i = 0; i < cJSON_GetArraySize(a); i++)
			if (!same(cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i)))
				return 0;
		return 1;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		const cJSON *k;
		cJSON_ArrayForEach(k, a) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, k->string);
			if (v == NULL || !same(k, v))
				return 0;
		}
		return 1;
	}
	return 1;
}

/* Imports json into a fresh store, assesses, compares every person with
 * the expected output; returns the store (still open). */
static xf_store *import_assess_compare(const char *url, const char *json, size_t len,
				       const char *case_path, const char *dir, cJSON *exp);

static xf_store *import_assess_compare(const char *url, const char *json, size_t len,
				       const char *case_path, const char *dir, cJSON *exp)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = fresh_store(url);
	xf_import_report rep;
	if (xf_import_case(s, json, len, case_path, dir, "test", &rep, &errs) != 0) {
		xf_errs_print(&errs, case_path, stderr);
		fail();
	}
	int year = (int)cJSON_GetObjectItem(exp, "year")->valuedouble;
	xf_assess_report ar;
	if (xf_assess_year(s, year, NULL, "test", &ar, &errs) != 0) {
		xf_errs_print(&errs, case_path, stderr);
		fail();
	}
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT rr.result FROM run_results rr JOIN runs r ON r.id = rr.run_id"
				      " JOIN people p ON p.id = rr.person_id"
				      " WHERE r.source = 'assess' AND r.year = $1 AND p.code = $2",
				      &errs);
	assert_non_null(st);
	const cJSON *person;
	cJSON_ArrayForEach(person, cJSON_GetObjectItem(exp, "people")) {
		const char *id = cJSON_GetObjectItem(person, "id")->valuestring;
		xf_stmt_reset(st);
		xf_stmt_bind_int(st, 1, year);
		xf_stmt_bind_text(st, 2, id);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		cJSON *got = cJSON_Parse(xf_stmt_text(st, 0));
		assert_non_null(got);
		if (!same(person, got)) {
			char *g = cJSON_Print(got), *e = cJSON_Print(person);
			fprintf(stderr, "%s (%s): person %s differs\nexpected %s\ngot %s\n", case_path,
				url, id, e, g);
			free(g);
			free(e);
			cJSON_Delete(got);
			fail();
		}
		cJSON_Delete(got);
	}
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return s;
}

/* Imports case, assesses its year, compares every person; then exports the
 * database as a case, imports that into a fresh store and checks again. */
static void check_case(const char *url, const char *case_path)
{
	char exp_path[700];
	snprintf(exp_path, sizeof(exp_path), "%.*s.expected.json",
		 (int)(strlen(case_path) - strlen(".case.json")), case_path);
	xf_errs errs;
	xf_errs_init(&errs);
	char *json = NULL, *expected = NULL;
	size_t len = 0, elen = 0;
	assert_int_equal(xf_file_read(case_path, XF_FILE_MAX, &json, &len, &errs), 0);
	assert_int_equal(xf_file_read(exp_path, XF_FILE_MAX, &expected, &elen, &errs), 0);

	char dir[700];
	snprintf(dir, sizeof(dir), "%s", case_path);
	*strrchr(dir, '/') = '\0';
	cJSON *exp = cJSON_Parse(expected);
	int year = (int)cJSON_GetObjectItem(exp, "year")->valuedouble;
	xf_store *s = import_assess_compare(url, json, len, case_path, dir, exp);
	xf_import_report rep;

	/* Round trip: export the database as a case and go again. */
	char *out = NULL;
	size_t olen = 0;
	long long people = 0;
	FILE *f = open_memstream(&out, &olen);
	assert_int_equal(xf_export_case(s, year, NULL, f, &people, &errs), 0);
	fclose(f);
	xf_store_close(s);
	assert_int_equal(people, cJSON_GetArraySize(cJSON_GetObjectItem(exp, "people")));
	xf_store *s2 = import_assess_compare(url, out, olen, "exported", dir, exp);
	xf_store_close(s2);
	free(out);
	s = xf_store_open(url, XF_STORE_OPEN, &errs);
	assert_non_null(s);
	/* s was reset by the round trip: import the original once more. */
	assert_int_equal(xf_import_case(s, json, len, case_path, dir, "test", &rep, &errs), 0);
	assert_int_equal(rep.already_imported, 0);

	/* The same file again adds nothing. */
	assert_int_equal(xf_import_case(s, json, len, case_path, dir, "test", &rep, &errs), 0);
	assert_int_equal(rep.already_imported, 1);

	cJSON_Delete(exp);
	xf_store_close(s);
	free(json);
	free(expected);
	xf_errs_cleanup(&errs);
}

static void test_golden_cases_from_db(void **state)
{
	(void)state;
	static const char *const dirs[] = {"examples", "tests/cases"};
	int n = 0;
	for (int u = 0; u < nbackends; u++) {
		for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
			DIR *d = opendir(dirs[k]);
			assert_non_null(d);
			struct dirent *e;
			while ((e = readdir(d)) != NULL) {
				size_t l = strlen(e->d_name);
				if (l < 10 || strcmp(e->d_name + l - 10, ".case.json") != 0)
					continue;
				char path[600];
				snprintf(path, sizeof(path), "%s/%s", dirs[k], e->d_name);
				check_case(backends[u].url, path);
				n++;
			}
			closedir(d);
		}
	}
	assert_true(n >= 5);
}

/* A unit without a policy of its own takes the nearest one above it, in
 * the year-end run as in the credit views. */
static void test_inherited_policy(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(backends[b].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_data *d = xf_data_new(s, &errs);
		assert_non_null(d);
		long long root, child, grandchild, pid;
		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_data_unit(d, "root", "局", &root, &errs), 0);
		assert_int_equal(xf_data_unit(d, "child", "科", &child, &errs), 0);
		assert_int_equal(xf_data_unit(d, "gc", "组", &grandchild, &errs), 0);
		assert_int_equal(xf_data_unit_parent(d, child, root, &errs), 0);
		assert_int_equal(xf_data_unit_parent(d, grandchild, child, &errs), 0);
		assert_int_equal(xf_data_assign_policy(d, root, 2025, "bigdata-bureau", &errs), 0);
		const long long units[3] = {root, child, grandchild};
		for (int i = 0; i < 3; i++) {
			char code[16];
			snprintf(code, sizeof(code), "p%d", i);
			xf_person_row p = {.code = code, .name = code, .unit_id = units[i], .role = "staff"};
			assert_int_equal(xf_data_person(d, &p, &pid, &errs), 0);
		}
		assert_int_equal(xf_store_commit(s, &errs), 0);
		xf_assess_report rep = {0};
		int arc = xf_assess_year(s, 2025, NULL, "t", &rep, &errs);
		xf_errs_print(&errs, "inherited: ", stderr);
		assert_int_equal(arc, 0);
		assert_int_equal(rep.people, 3);
		/* The whole year for the unit below alone. */
		assert_int_equal(xf_assess_year(s, 2025, "gc", "t", &rep, &errs), 0);
		assert_int_equal(rep.people, 1);
		xf_errs_print(&errs, "inherited: ", stderr);
		xf_errs_cleanup(&errs);
		xf_data_free(d);
		xf_store_close(s);
	}
}

static void test_bad_file_changes_nothing(void **state)
{
	(void)state;
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh_store(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		const char *bad = "{\"policy\":\"bigdata-bureau\",\"year\":2025,\"people\":["
				  "{\"id\":\"a\",\"role\":\"staff\"}],\"records\":["
				  "{\"person\":\"a\",\"item\":\"read.book\",\"date\":\"2025-01-01\"},"
				  "{\"person\":\"b\",\"item\":\"read.book\",\"date\":\"2025-01-01\"}]}";
		xf_import_report rep;
		assert_int_equal(xf_import_case(s, bad, strlen(bad), "bad.json", NULL, "test", &rep, &errs), -1);
		assert_non_null(strstr(errs.msgs[0], "records[1].person"));
		xf_stmt *st = xf_stmt_prepare(s, "SELECT (SELECT count(*) FROM people) + "
					      "(SELECT count(*) FROM records) + (SELECT count(*) FROM import_batches)",
					      &errs);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		assert_int_equal(xf_stmt_int(st, 0), 0);
		xf_stmt_finalize(st);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-assessdb-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_cases_from_db),
		cmocka_unit_test(test_bad_file_changes_nothing),
		cmocka_unit_test(test_inherited_policy),
	};
	int rc = cmocka_run_group_tests_name("service/assess_db", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
