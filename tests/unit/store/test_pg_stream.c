/* Unit tests for the statement layer's streaming (src/store/postgres.c):
 * inside a transaction a SELECT is read through a cursor in batches, several
 * at once, interleaved with writes; reset, finalize and errors mid-scan; a
 * statement run again (prepared on the server). The same table of checks
 * runs on SQLite (a temporary file) always, so both backends must agree,
 * and on PostgreSQL when XUEFEN_TEST_PG names a throw-away database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"
#include "../support/backends.h"

/* More than two FETCH batches (1000 rows each) on PostgreSQL. */
#define NROWS 2500


/* A fresh database holding stream_in (ids 1..NROWS, v = "v<id>") and an
 * empty stream_out. */
static xf_store *fresh(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	assert_non_null(s);
	assert_int_equal(xf_store_exec_for_tests(s, "CREATE TABLE stream_in (id INTEGER PRIMARY KEY,"
						   " v TEXT NOT NULL)", &errs), 0);
	assert_int_equal(xf_store_exec_for_tests(s, "CREATE TABLE stream_out (src INTEGER NOT NULL,"
						   " id INTEGER NOT NULL, v TEXT NOT NULL,"
						   " PRIMARY KEY (src, id))", &errs), 0);
	/* One statement reset and run per row: the prepared path. */
	assert_int_equal(xf_store_begin(s, &errs), 0);
	xf_stmt *ins = xf_stmt_prepare(s, "INSERT INTO stream_in (id, v) VALUES ($1, $2)", &errs);
	assert_non_null(ins);
	for (int i = 1; i <= NROWS; i++) {
		char v[32];
		snprintf(v, sizeof(v), "v%d", i);
		xf_stmt_reset(ins);
		assert_int_equal(xf_stmt_bind_int(ins, 1, i) | xf_stmt_bind_text(ins, 2, v), 0);
		assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_DONE);
	}
	xf_stmt_finalize(ins);
	assert_int_equal(xf_store_commit(s, &errs), 0);
	xf_errs_cleanup(&errs);
	return s;
}

static long long count_of(xf_store *s, const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long n = xf_stmt_int(st, 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return n;
}

/* A scan of stream_in with id <= its limit, ordered by id. */
static xf_stmt *scan(xf_store *s, int limit)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "  select id, v FROM stream_in WHERE id <= $1 ORDER BY id",
				      &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_bind_int(st, 1, limit), 0);
	xf_errs_cleanup(&errs);
	return st;
}

/* Checks the current row of a scan is row `want` and its text is right. */
static void check_row(xf_stmt *st, int want)
{
	char v[32];
	snprintf(v, sizeof(v), "v%d", want);
	assert_int_equal(xf_stmt_int(st, 0), want);
	assert_string_equal(xf_stmt_text(st, 1), v);
	assert_false(xf_stmt_is_null(st, 1));
}

/* Scans of exactly one batch, one batch and a row, and several batches,
 * stepped in turn with an INSERT per row on the same connection. */
static void test_interleaved_scans(void **state)
{
	(void)state;
	static const int limits[] = {1000, 1001, NROWS, 0};
	enum { NSCANS = sizeof(limits) / sizeof(limits[0]) };
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_stmt *sc[NSCANS];
		int seen[NSCANS] = {0};
		bool done[NSCANS] = {false};
		for (int i = 0; i < NSCANS; i++)
			sc[i] = scan(s, limits[i]);
		xf_stmt *out = xf_stmt_prepare(s, "INSERT INTO stream_out (src, id, v) VALUES ($1, $2, $3)",
					       &errs);
		assert_non_null(out);
		for (int left = NSCANS; left > 0;) {
			for (int i = 0; i < NSCANS; i++) {
				if (done[i])
					continue;
				xf_step r = xf_stmt_step(sc[i], &errs);
				assert_int_not_equal(r, XF_STEP_ERROR);
				if (r == XF_STEP_DONE) {
					done[i] = true;
					left--;
					continue;
				}
				check_row(sc[i], ++seen[i]);
				xf_stmt_reset(out);
				assert_int_equal(xf_stmt_bind_int(out, 1, i) |
						 xf_stmt_bind_int(out, 2, xf_stmt_int(sc[i], 0)) |
						 xf_stmt_bind_text(out, 3, xf_stmt_text(sc[i], 1)), 0);
				assert_int_equal(xf_stmt_step(out, &errs), XF_STEP_DONE);
				/* The row's text is still the row's after the write. */
				check_row(sc[i], seen[i]);
			}
		}
		long long total = 0;
		for (int i = 0; i < NSCANS; i++) {
			assert_int_equal(seen[i], limits[i]);
			total += limits[i];
			xf_stmt_finalize(sc[i]);
		}
		xf_stmt_finalize(out);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(count_of(s, "SELECT count(*) FROM stream_out"), total);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Reset mid-scan and run again from the start; finalize mid-scan; many
 * small look-ups in one transaction (their cursors closed as they go); a
 * look-up reset and run again many times. The transaction still commits. */
static void test_reset_finalize_lookups(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_stmt *st = scan(s, NROWS);
		for (int i = 1; i <= 1500; i++) {
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
			check_row(st, i);
		}
		xf_stmt_reset(st);
		assert_int_equal(xf_stmt_bind_int(st, 1, 3), 0);
		for (int i = 1; i <= 3; i++) {
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
			check_row(st, i);
		}
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
		xf_stmt_finalize(st);
		st = scan(s, NROWS);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		xf_stmt_finalize(st); /* rows left */

		xf_stmt *again = xf_stmt_prepare(s, "SELECT v FROM stream_in WHERE id = $1", &errs);
		assert_non_null(again);
		for (int i = 1; i <= 200; i++) {
			char v[32];
			snprintf(v, sizeof(v), "v%d", i);
			xf_stmt *once = xf_stmt_prepare(s, "WITH x AS (SELECT id, v FROM stream_in)"
							   " SELECT v FROM x WHERE id = $1", &errs);
			assert_non_null(once);
			assert_int_equal(xf_stmt_bind_int(once, 1, i), 0);
			assert_int_equal(xf_stmt_step(once, &errs), XF_STEP_ROW);
			assert_string_equal(xf_stmt_text(once, 0), v);
			xf_stmt_finalize(once); /* before DONE */
			xf_stmt_reset(again);
			assert_int_equal(xf_stmt_bind_int(again, 1, i), 0);
			assert_int_equal(xf_stmt_step(again, &errs), XF_STEP_ROW);
			assert_string_equal(xf_stmt_text(again, 0), v);
			assert_int_equal(xf_stmt_step(again, &errs), XF_STEP_DONE);
		}
		xf_stmt_finalize(again);
		if (backend_is_pg(&backends[b])) {
			/* The scan below, this count's own cursor and at most a
			 * batch (32) of exhausted ones waiting to be closed
			 * together: not the 400 look-ups' cursors. */
			st = scan(s, NROWS);
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
			long long n = count_of(s, "SELECT count(*) FROM pg_cursors WHERE name LIKE 'xf_c%'");
			assert_true(n >= 2 && n <= 2 + 32);
			xf_stmt_finalize(st);
		}
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* A failed write with scans open: the scans are finalized in the failed
 * transaction, it rolls back, and the connection is then as good as new
 * (no cursor and no prepared statement left over). */
static void test_error_mid_scan(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_stmt *st = scan(s, NROWS);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		xf_stmt *ins = xf_stmt_prepare(s, "INSERT INTO stream_in (id, v) VALUES ($1, 'x')", &errs);
		assert_non_null(ins);
		assert_int_equal(xf_stmt_bind_int(ins, 1, NROWS + 1), 0);
		assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_DONE);
		xf_stmt_reset(ins);
		assert_int_equal(xf_stmt_bind_int(ins, 1, 1), 0); /* a duplicate key */
		assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_ERROR);
		assert_true(xf_errs_count(&errs) > 0);
		xf_stmt_finalize(ins);
		xf_stmt_finalize(st);
		xf_store_rollback(s);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);

		assert_int_equal(count_of(s, "SELECT count(*) FROM stream_in"), NROWS);
		if (backend_is_pg(&backends[b]))
			assert_int_equal(count_of(s, "SELECT count(*) FROM pg_prepared_statements"), 0);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		st = scan(s, NROWS);
		for (int i = 1; i <= NROWS; i++) {
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
			check_row(st, i);
		}
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
		xf_stmt_finalize(st);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Outside a transaction a SELECT is read whole, and runs again (prepared
 * from its second run) with new values; an SQL error shows on every run;
 * on PostgreSQL a statement finalized after its store closed does no
 * harm. */
static void test_outside_transaction(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		xf_stmt *st = scan(s, NROWS);
		for (int run = 0; run < 3; run++) {
			int limit = run == 1 ? 10 : NROWS;
			if (run > 0) {
				xf_stmt_reset(st);
				assert_int_equal(xf_stmt_bind_int(st, 1, limit), 0);
			}
			for (int i = 1; i <= limit; i++) {
				assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
				check_row(st, i);
			}
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
		}
		/* An SQL error shows at prepare (SQLite) or at the first step,
		 * on every run (PostgreSQL). */
		xf_stmt *bad = xf_stmt_prepare(s, "SELECT nosuchcolumn FROM stream_in", &errs);
		assert_true(backend_is_pg(&backends[b]) == (bad != NULL));
		for (int run = 0; bad && run < 2; run++) {
			assert_int_equal(xf_stmt_step(bad, &errs), XF_STEP_ERROR);
			xf_stmt_reset(bad);
		}
		xf_stmt_finalize(bad);
		assert_true(xf_errs_count(&errs) > 0);
		if (backend_is_pg(&backends[b])) {
			xf_store_close(s); /* PostgreSQL only: SQLite keeps the store open */
			xf_stmt_finalize(st);
		} else {
			xf_stmt_finalize(st);
			xf_store_close(s);
		}
		xf_errs_cleanup(&errs);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-stream-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interleaved_scans),
		cmocka_unit_test(test_reset_finalize_lookups),
		cmocka_unit_test(test_error_mid_scan),
		cmocka_unit_test(test_outside_transaction),
	};
	int rc = cmocka_run_group_tests_name(nbackends > 1 ? "pg_stream (sqlite, postgresql)"
						       : "pg_stream (sqlite)",
					     tests, NULL, NULL);
	backends_teardown();
	return rc;
}
