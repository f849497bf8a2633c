/* Tests for src/store/query.c: xf_query_exec and xf_query_row over a test
 * table — parameters of every type, every kind of place, SQL NULL, no row,
 * bounded text, skipped columns, and the errors (SQL, bind, argument
 * order). Runs on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

static xf_store *fresh_store(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, b->name, stderr);
	assert_non_null(s);
	assert_int_equal(xf_store_exec_for_tests(s,
						 "CREATE TABLE qt (id INTEGER PRIMARY KEY, name TEXT,"
						 " score DOUBLE PRECISION, flag INTEGER)",
						 &errs),
			 0);
	xf_errs_cleanup(&errs);
	return s;
}

/* The rows every test starts from, written with xf_query_exec. */
static const struct {
	long long id;
	const char *name; /* NULL: SQL NULL */
	double score;
	int flag;
} rows[] = {
	{1, "张三", 2.5, 1},
	{2, NULL, -1.25, 0},
	{3, "a name longer than eight bytes", 0, 7},
};

static void fill(xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(xf_query_exec(s, "INSERT INTO qt (id, name, score, flag)"
						  " VALUES ($1, $2, $3, $4)",
					       &errs, XF_IN(rows[i].id), XF_IN(rows[i].name),
					       XF_IN(rows[i].score), XF_IN(rows[i].flag)),
				 0);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
}

static void test_row_reads_every_kind(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		fill(s);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			long long id = -9, flag = -9;
			char *dup = (char *)"untouched";
			char buf[64] = "x";
			bool on = false;
			double score = 99;
			int f = xf_query_row(s, "SELECT id, name, name, flag, score, flag FROM qt"
					     " WHERE id = $1",
					     &errs, XF_IN(rows[i].id), XF_OUT(&id), XF_OUT(&dup),
					     XF_OUT_TEXT(buf, sizeof(buf)), XF_OUT(&on), XF_OUT(&score),
					     XF_OUT(&flag));
			assert_int_equal(f, 0);
			assert_int_equal(id, rows[i].id);
			if (rows[i].name) {
				assert_string_equal(dup, rows[i].name);
				assert_string_equal(buf, rows[i].name);
			} else {
				assert_null(dup);
				assert_string_equal(buf, "");
			}
			assert_int_equal(on, rows[i].flag != 0);
			assert_true(score == rows[i].score);
			assert_int_equal(flag, rows[i].flag);
			assert_int_equal(xf_errs_count(&errs), 0);
			free(dup);
			xf_errs_cleanup(&errs);
		}
		xf_store_close(s);
	}
}

static void test_no_row_null_skip_and_bounds(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		fill(s);
		xf_errs errs;
		xf_errs_init(&errs);
		long long n = -1, id = 42;
		char small[9] = "keep";
		/* No row: 1, places untouched. */
		assert_int_equal(xf_query_row(s, "SELECT id, name FROM qt WHERE name = $1", &errs,
					      XF_IN("nobody"), XF_OUT(&id),
					      XF_OUT_TEXT(small, sizeof(small))),
				 1);
		assert_int_equal(id, 42);
		assert_string_equal(small, "keep");
		/* Only whether there is a row. */
		assert_int_equal(xf_query_row(s, "SELECT id FROM qt WHERE id = $1", &errs, XF_IN(2)), 0);
		assert_int_equal(xf_query_row(s, "SELECT id FROM qt WHERE id = $1", &errs, XF_IN(4)), 1);
		/* A NULL parameter and a NULL column read as 0. */
		assert_int_equal(xf_query_exec(s, "INSERT INTO qt (id, name) VALUES ($1, $2)", &errs,
					       XF_IN(4), XF_IN_NULL),
				 0);
		assert_int_equal(xf_query_row(s, "SELECT count(*) FROM qt WHERE name IS NULL", &errs,
					      XF_OUT(&n)),
				 0);
		assert_int_equal(n, 2);
		n = -1;
		assert_int_equal(xf_query_row(s, "SELECT max(id) FROM qt WHERE id > $1", &errs,
					      XF_IN(100), XF_OUT(&n)),
				 0);
		assert_int_equal(n, 0);
		/* Text is cut to the buffer; NULL places skip their columns. */
		long long *no_id = NULL;
		assert_int_equal(xf_query_row(s, "SELECT id, name, flag FROM qt WHERE id = $1", &errs,
					      XF_IN(3), XF_OUT(no_id), XF_OUT_TEXT(small, sizeof(small)),
					      XF_OUT(&n)),
				 0);
		assert_string_equal(small, "a name l");
		assert_int_equal(n, 7);
		assert_int_equal(xf_query_row(s, "SELECT id, name, flag FROM qt WHERE id = $1", &errs,
					      XF_IN(1), XF_OUT_SKIP, XF_OUT_TEXT(NULL, 0), XF_OUT(&n)),
				 0);
		assert_int_equal(n, 1);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

static void test_exec_changes_and_ignores_rows(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh_store(&backends[b]);
		fill(s);
		xf_errs errs;
		xf_errs_init(&errs);
		long long n = 0;
		assert_int_equal(xf_query_exec(s, "UPDATE qt SET flag = $2 WHERE name = $1", &errs,
					       XF_IN("张三"), XF_IN(9LL)),
				 0);
		assert_int_equal(xf_query_row(s, "SELECT flag FROM qt WHERE id = $1", &errs, XF_IN(1),
					      XF_OUT(&n)),
				 0);
		assert_int_equal(n, 9);
		/* A row returned by exec is not an error. */
		assert_int_equal(xf_query_exec(s, "DELETE FROM qt WHERE id = $1 RETURNING id", &errs,
					       XF_IN(2)),
				 0);
		assert_int_equal(xf_query_row(s, "SELECT count(*) FROM qt", &errs, XF_OUT(&n)), 0);
		assert_int_equal(n, 2);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* A call that must fail with -1 and a message containing want. */
typedef struct err_case {
	const char *what;
	int rc;
	const char *want; /* in the first message; NULL: any */
	bool internal;    /* errs.internal afterwards */
} err_case;

static void test_errors(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		bool pg = backend_is_pg(&backends[b]);
		xf_store *s = fresh_store(&backends[b]);
		fill(s);
		long long n = -5;
		err_case got[5];
		size_t k = 0;
		xf_errs e[5];
		for (size_t i = 0; i < 5; i++)
			xf_errs_init(&e[i]);

		got[k] = (err_case){"sql error",
					  xf_query_row(s, "SELECT nope FROM qt WHERE id = $1", &e[k],
						       XF_IN(1), XF_OUT(&n)),
					  NULL, true};
		k++;
		got[k] = (err_case){"in after out",
					  xf_query_row(s, "SELECT id FROM qt WHERE id = $1", &e[k],
						       XF_OUT(&n), XF_IN(1)),
					  "查询参数有误：第 2 个", true};
		k++;
		got[k] = (err_case){"out in exec",
					  xf_query_exec(s, "SELECT id FROM qt WHERE id = $1", &e[k],
							XF_IN(1), XF_OUT(&n)),
					  "查询参数有误：第 2 个", true};
		k++;
		/* SQLite refuses a parameter the statement lacks at bind;
		 * PostgreSQL at the step. */
		got[k] = (err_case){"extra parameter",
					  xf_query_row(s, "SELECT id FROM qt WHERE id = $1", &e[k],
						       XF_BIND_MSG("绑定失败 (test)"), XF_IN(1), XF_IN(2),
						       XF_OUT(&n)),
					  pg ? NULL : "绑定失败 (test)", pg};
		k++;
		got[k] = (err_case){"exec sql error",
					  xf_query_exec(s, "INSERT INTO qt (id) VALUES ($1)", &e[k],
							XF_IN(1)),
					  NULL, true};
		k++;
		for (size_t i = 0; i < k; i++) {
			if (got[i].rc != -1 || xf_errs_count(&e[i]) == 0 ||
			    (got[i].want && strstr(e[i].msgs[0], got[i].want) == NULL) ||
			    e[i].internal != got[i].internal)
				fail_msg("%s on %s: rc %d, %zu messages, first \"%s\"", got[i].what,
					 backends[b].name, got[i].rc, xf_errs_count(&e[i]),
					 e[i].n ? e[i].msgs[0] : "");
			xf_errs_cleanup(&e[i]);
		}
		assert_int_equal(n, -5); /* nothing read on failure */
		xf_store_close(s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-query-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_reads_every_kind),
		cmocka_unit_test(test_no_row_null_skip_and_bounds),
		cmocka_unit_test(test_exec_changes_and_ignores_rows),
		cmocka_unit_test(test_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	backends_teardown();
	return rc;
}
