/* Unit tests for the store's statement cache (src/store/store.c, and what
 * src/store/postgres.c does to keep its server-side statements): a
 * finalized statement is taken back by the next prepare of the same SQL
 * and gives the same results; two of the same SQL open at once each have
 * their own handle; reuse after a rollback and, on PostgreSQL, after an
 * error in a transaction; eviction past the cap; a cursor left open, then
 * the statement reused; bad SQL; server statements dropped behind the
 * cache's back. Runs on SQLite always and on PostgreSQL when
 * XUEFEN_TEST_PG names a throw-away database.
 *
 * That a handle was reused shows as the same xf_stmt pointer coming back
 * (under ASan freed memory is not handed out again at once, so a new
 * statement never looks reused by chance); on PostgreSQL also as one
 * server-side prepared statement per SQL text in pg_prepared_statements. */
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

#define LOOKUP "SELECT v FROM cache_t WHERE id = $1"
#define SCAN "SELECT id, v FROM cache_t WHERE id <= $1 ORDER BY id"
#define INSERT "INSERT INTO cache_t (id, v) VALUES ($1, $2)"

/* A fresh database holding cache_t (ids 1..NROWS, v = "v<id>"). */
static xf_store *fresh(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	assert_non_null(s);
	assert_int_equal(xf_store_exec_for_tests(s, "CREATE TABLE cache_t (id INTEGER PRIMARY KEY,"
						   " v TEXT NOT NULL)", &errs), 0);
	assert_int_equal(xf_store_begin(s, &errs), 0);
	xf_stmt *ins = xf_stmt_prepare(s, INSERT, &errs);
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
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
	return s;
}

/* The one integer a query returns (its parameter, when arg >= 0). */
static long long int_of(xf_store *s, const char *sql, long long arg)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	if (arg >= 0)
		assert_int_equal(xf_stmt_bind_int(st, 1, arg), 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long n = xf_stmt_int(st, 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return n;
}

/* PostgreSQL: the server-side prepared statements of this session (the
 * query counting them left out, as it may be one). */
static long long server_statements(xf_store *s)
{
	return int_of(s, "SELECT count(*) FROM pg_prepared_statements"
			 " WHERE statement NOT LIKE '%pg_prepared_statements%'", -1);
}

/* PostgreSQL: how many server-side statements hold exactly this SQL. */
static long long server_copies(xf_store *s, const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT count(*) FROM pg_prepared_statements"
					 " WHERE statement = $1", &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_bind_text(st, 1, sql), 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long n = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return n;
}

/* Runs LOOKUP for id and checks its one row; returns the statement's
 * pointer (finalized: only to compare). */
static const void *lookup(xf_store *s, int id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char want[32];
	snprintf(want, sizeof(want), "v%d", id);
	xf_stmt *st = xf_stmt_prepare(s, LOOKUP, &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_bind_int(st, 1, id), 0);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	assert_string_equal(xf_stmt_text(st, 0), want);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return st;
}

/* Checks the current row of a scan is row want. */
static void check_row(xf_stmt *st, int want)
{
	char v[32];
	snprintf(v, sizeof(v), "v%d", want);
	assert_int_equal(xf_stmt_int(st, 0), want);
	assert_string_equal(xf_stmt_text(st, 1), v);
}

/* Steps a scan from row first to its end at last. */
static void scan_rest(xf_stmt *st, int first, int last)
{
	xf_errs errs;
	xf_errs_init(&errs);
	for (int i = first; i <= last; i++) {
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		check_row(st, i);
	}
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
}

static xf_stmt *scan(xf_store *s, int limit)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, SCAN, &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_bind_int(st, 1, limit), 0);
	xf_errs_cleanup(&errs);
	return st;
}

/* Each query of the table, prepared, run and finalized round after round
 * with its own value, gives its answer every time; from the second round
 * on it is the same handle; a text that differs by one space is another
 * statement. PostgreSQL: one server-side statement per text, however
 * many rounds. */
static void test_reuse_same_results(void **state)
{
	(void)state;
	static const struct {
		const char *sql;
		long long arg;
		long long want;
	} queries[] = {
		{"SELECT count(*) FROM cache_t WHERE id <= $1", 10, 10},
		{"SELECT count(*) FROM cache_t WHERE id <= $1 ", 20, 20}, /* one space more */
		{"SELECT id * 2 FROM cache_t WHERE id = $1", 21, 42},
		{"WITH x AS (SELECT id FROM cache_t WHERE id > $1) SELECT count(*) FROM x", 2000, 500},
		{"SELECT length(v) FROM cache_t WHERE id = $1", 1234, 5},
	};
	enum { NQ = sizeof(queries) / sizeof(queries[0]), ROUNDS = 5 };
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		bool pg = backend_is_pg(&backends[b]);
		const void *first[NQ];
		for (int in_tx = 0; in_tx < 2; in_tx++) {
			xf_errs errs;
			xf_errs_init(&errs);
			if (in_tx) /* PostgreSQL: SELECTs through cursors */
				assert_int_equal(xf_store_begin(s, &errs), 0);
			for (int round = 0; round < ROUNDS; round++) {
				for (int q = 0; q < NQ; q++) {
					xf_stmt *st = xf_stmt_prepare(s, queries[q].sql, &errs);
					assert_non_null(st);
					if (round == 0 && !in_tx)
						first[q] = st;
					else
						assert_ptr_equal(st, first[q]);
					assert_int_equal(xf_stmt_bind_int(st, 1, queries[q].arg), 0);
					assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
					assert_int_equal(xf_stmt_int(st, 0), queries[q].want);
					assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
					xf_stmt_finalize(st);
				}
			}
			assert_ptr_not_equal(first[0], first[1]);
			if (in_tx)
				assert_int_equal(xf_store_commit(s, &errs), 0);
			assert_int_equal(xf_errs_count(&errs), 0);
			xf_errs_cleanup(&errs);
		}
		if (pg) /* prepared on the second run, then only executed */
			for (int q = 0; q < NQ; q++)
				assert_int_equal(server_copies(s, queries[q].sql), 1);
		xf_store_close(s); /* the cache finalized: ASan reports any leak */
	}
}

/* Two statements of the same SQL open at once, inside and outside a
 * transaction: the second gets a handle of its own, each keeps its own
 * values and rows; both go back to the cache and both come out again. */
static void test_two_open_at_once(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		const void *seen[2] = {NULL, NULL};
		for (int round = 0; round < 4; round++) {
			xf_errs errs;
			xf_errs_init(&errs);
			bool in_tx = round % 2 == 1;
			if (in_tx)
				assert_int_equal(xf_store_begin(s, &errs), 0);
			xf_stmt *a = scan(s, 1500);
			assert_int_equal(xf_stmt_step(a, &errs), XF_STEP_ROW);
			check_row(a, 1);
			xf_stmt *c = scan(s, 3);
			assert_ptr_not_equal(a, c);
			if (round > 0) { /* both from the cache */
				assert_true(a == seen[0] || a == seen[1]);
				assert_true(c == seen[0] || c == seen[1]);
			}
			seen[0] = a;
			seen[1] = c;
			/* Interleaved: neither disturbs the other. */
			for (int i = 1; i <= 3; i++) {
				assert_int_equal(xf_stmt_step(c, &errs), XF_STEP_ROW);
				check_row(c, i);
				assert_int_equal(xf_stmt_step(a, &errs), XF_STEP_ROW);
				check_row(a, i + 1);
			}
			assert_int_equal(xf_stmt_step(c, &errs), XF_STEP_DONE);
			xf_stmt_finalize(c);
			/* c's handle is back in the cache; a is still held: the
			 * next prepare takes c's, never a's. */
			xf_stmt *d = scan(s, 2);
			assert_ptr_equal(d, seen[1]);
			scan_rest(d, 1, 2);
			xf_stmt_finalize(d);
			scan_rest(a, 5, 1500);
			xf_stmt_finalize(a);
			if (in_tx)
				assert_int_equal(xf_store_commit(s, &errs), 0);
			assert_int_equal(xf_errs_count(&errs), 0);
			xf_errs_cleanup(&errs);
		}
		xf_store_close(s);
	}
}

/* A transaction rolled back (no error): the statements used in it are
 * reused after it, their work undone; on PostgreSQL the server-side
 * statement prepared inside it survives and is still the only one. */
static void test_reuse_after_rollback(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		const void *ins_handle = NULL;
		assert_int_equal(xf_store_begin(s, &errs), 0);
		for (int i = 0; i < 3; i++) { /* three xf_stmt, one handle */
			xf_stmt *ins = xf_stmt_prepare(s, INSERT, &errs);
			assert_non_null(ins);
			if (ins_handle)
				assert_ptr_equal(ins, ins_handle);
			ins_handle = ins;
			assert_int_equal(xf_stmt_bind_int(ins, 1, NROWS + 1 + i) |
					 xf_stmt_bind_text(ins, 2, "new"), 0);
			assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_DONE);
			xf_stmt_finalize(ins);
		}
		lookup(s, 7);
		assert_int_equal(int_of(s, "SELECT count(*) FROM cache_t WHERE id > $1", NROWS), 3);
		xf_store_rollback(s);
		assert_int_equal(int_of(s, "SELECT count(*) FROM cache_t WHERE id > $1", NROWS), 0);
		if (backend_is_pg(&backends[b]))
			assert_int_equal(server_copies(s, INSERT), 1);
		/* Reused outside a transaction, then in a new one. */
		for (int in_tx = 0; in_tx < 2; in_tx++) {
			if (in_tx)
				assert_int_equal(xf_store_begin(s, &errs), 0);
			xf_stmt *ins = xf_stmt_prepare(s, INSERT, &errs);
			assert_ptr_equal(ins, ins_handle);
			assert_int_equal(xf_stmt_bind_int(ins, 1, NROWS + 10 + in_tx) |
					 xf_stmt_bind_text(ins, 2, "kept"), 0);
			assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_DONE);
			xf_stmt_finalize(ins);
			assert_int_equal(int_of(s, "SELECT count(*) FROM cache_t WHERE id > $1", NROWS),
					 1 + in_tx);
			lookup(s, NROWS - in_tx);
			if (in_tx)
				assert_int_equal(xf_store_commit(s, &errs), 0);
		}
		if (backend_is_pg(&backends[b]))
			assert_int_equal(server_copies(s, INSERT), 1);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* An error inside a transaction: statements prepared on the server
 * before it (one cached, one held across the rollback), one used in it
 * before the error, and one held whose second run (PostgreSQL: its
 * server-side prepare, refused) came after the error. After the rollback
 * every one runs again and right, first in a new transaction (where a
 * statement wrongly thought prepared would fail it), then outside one;
 * on PostgreSQL the cached ones were deallocated (the connection as a
 * fresh one) and the held ones kept theirs. SQLite runs the same steps
 * but those the failed transaction refuses. */
static void test_reuse_after_error(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		bool pg = backend_is_pg(&backends[b]);
		lookup(s, 1);
		lookup(s, 2); /* PostgreSQL: prepared on the server */
		xf_stmt *held = xf_stmt_prepare(s, "SELECT max(id) FROM cache_t WHERE id < $1", &errs);
		assert_non_null(held);
		for (int i = 0; i < 2; i++) { /* held: prepared on the server too */
			xf_stmt_reset(held);
			assert_int_equal(xf_stmt_bind_int(held, 1, 100), 0);
			assert_int_equal(xf_stmt_step(held, &errs), XF_STEP_ROW);
			assert_int_equal(xf_stmt_int(held, 0), 99);
		}
		xf_stmt_reset(held);

		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_stmt *ins = xf_stmt_prepare(s, INSERT, &errs);
		assert_non_null(ins);
		assert_int_equal(xf_stmt_bind_int(ins, 1, NROWS + 1) | xf_stmt_bind_text(ins, 2, "x"), 0);
		assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_DONE);
		xf_stmt_reset(ins);
		assert_int_equal(xf_stmt_bind_int(ins, 1, 5) | xf_stmt_bind_text(ins, 2, "dup"), 0);
		assert_int_equal(xf_stmt_step(ins, &errs), XF_STEP_ERROR); /* duplicate key */
		xf_stmt_finalize(ins);
		/* Not a SELECT, so not a cursor: run whole, prepared on the
		 * server at its second run. */
		xf_stmt *late = xf_stmt_prepare(s, "UPDATE cache_t SET v = $2 WHERE id = $1", &errs);
		assert_non_null(late);
		if (pg) {
			/* The transaction has failed: everything is refused, and
			 * `late`'s second run (its server-side prepare) too. */
			for (int run = 0; run < 2; run++) {
				xf_stmt_reset(late);
				assert_int_equal(xf_stmt_bind_int(late, 1, 3) |
						 xf_stmt_bind_text(late, 2, "v3"), 0);
				assert_int_equal(xf_stmt_step(late, &errs), XF_STEP_ERROR);
			}
		}
		assert_true(xf_errs_count(&errs) > 0);
		xf_store_rollback(s);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		if (pg) /* only `held`'s is left */
			assert_int_equal(server_statements(s), 1);

		for (int pass = 0; pass < 2; pass++) {
			bool in_tx = pass == 0;
			if (in_tx)
				assert_int_equal(xf_store_begin(s, &errs), 0);
			for (int i = 0; i < 3; i++) {
				xf_stmt_reset(late);
				assert_int_equal(xf_stmt_bind_int(late, 1, 3) |
						 xf_stmt_bind_text(late, 2, "v3"), 0);
				assert_int_equal(xf_stmt_step(late, &errs), XF_STEP_DONE);
				lookup(s, 10 + i);
				xf_stmt_reset(held);
				assert_int_equal(xf_stmt_bind_int(held, 1, 50 + i), 0);
				assert_int_equal(xf_stmt_step(held, &errs), XF_STEP_ROW);
				assert_int_equal(xf_stmt_int(held, 0), 49 + i);
				xf_stmt *ins2 = xf_stmt_prepare(s, INSERT, &errs);
				assert_int_equal(xf_stmt_bind_int(ins2, 1, NROWS + 1 + pass * 3 + i) |
						 xf_stmt_bind_text(ins2, 2, "after"), 0);
				assert_int_equal(xf_stmt_step(ins2, &errs), XF_STEP_DONE);
				xf_stmt_finalize(ins2);
			}
			if (in_tx)
				assert_int_equal(xf_store_commit(s, &errs), 0);
		}
		xf_stmt_finalize(held);
		xf_stmt_finalize(late);
		assert_int_equal(int_of(s, "SELECT count(*) FROM cache_t WHERE id > $1", NROWS), 6);
		if (pg) /* prepared again, once each */
			for (int i = 0; i < 2; i++)
				assert_int_equal(server_copies(s, i ? INSERT : LOOKUP), 1);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Runs statement k of the eviction test (twice: prepared on the server
 * on PostgreSQL); returns its pointer (finalized: only to compare). */
static const void *numbered(xf_store *s, int k)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT id + %d FROM cache_t WHERE id = $1", k);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	for (int run = 0; run < 2; run++) {
		xf_stmt_reset(st);
		assert_int_equal(xf_stmt_bind_int(st, 1, 100 + run), 0);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		assert_int_equal(xf_stmt_int(st, 0), 100 + run + k);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	}
	xf_stmt_finalize(st);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
	return st;
}

/* PostgreSQL: an empty transaction sends the queued DEALLOCATEs; then
 * the server holds exactly the cached statements that ran twice. */
static void check_server_holds(xf_store *s, long long want)
{
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_store_begin(s, &errs), 0);
	assert_int_equal(xf_store_commit(s, &errs), 0);
	assert_int_equal(server_statements(s), want);
	xf_errs_cleanup(&errs);
}

/* More distinct statements than the cache holds: the last
 * XF_STMT_CACHE_MAX finalized are taken back (newest first, so no hit
 * evicts another), the first EXTRA (and fresh()'s INSERT) were really
 * finalized and are prepared anew, answering right. On PostgreSQL the
 * evicted ones are deallocated: the server holds no more than the cache.
 * (That a
 * new handle is not an evicted one's relies on ASan, which does not hand
 * freed memory out again at once; the unit tests are built with it.) */
static void test_eviction(void **state)
{
	(void)state;
	enum { EXTRA = 10, N = XF_STMT_CACHE_MAX + EXTRA };
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		bool pg = backend_is_pg(&backends[b]);
		const void *handle[N];
		for (int k = 0; k < N; k++)
			handle[k] = numbered(s, k);
		for (int k = N - 1; k >= EXTRA; k--)
			assert_ptr_equal(numbered(s, k), handle[k]);
		if (pg)
			check_server_holds(s, XF_STMT_CACHE_MAX);
		for (int k = 0; k < EXTRA; k++)
			assert_ptr_not_equal(numbered(s, k), handle[k]);
		/* The counting query, run once so far, took one place (so not
		 * prepared on the server when it counts again). */
		if (pg)
			check_server_holds(s, XF_STMT_CACHE_MAX - 1);
		xf_store_close(s);
	}
}

/* A scan finalized with rows left (PostgreSQL: its cursor open, a batch
 * fetched) and taken back: it starts again from its first row with its
 * new value; its old cursor was closed (pg_cursors holds only the
 * counting query's own). Then the same after the transaction ended, and
 * a scan finalized exhausted. */
static void test_cursor_left_open(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		bool pg = backend_is_pg(&backends[b]);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_stmt *st = scan(s, NROWS);
		const void *first = st;
		for (int i = 1; i <= 1200; i++) { /* into the second batch */
			assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
			check_row(st, i);
		}
		xf_stmt_finalize(st);
		if (pg)
			assert_int_equal(int_of(s, "SELECT count(*) FROM pg_cursors", -1), 1);
		st = scan(s, 1100);
		assert_ptr_equal(st, first);
		scan_rest(st, 1, 1100);
		xf_stmt_finalize(st); /* exhausted */
		st = scan(s, NROWS);
		assert_ptr_equal(st, first);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
		check_row(st, 1);
		/* Held over the commit: its cursor went with the transaction. */
		assert_int_equal(xf_store_commit(s, &errs), 0);
		xf_stmt_finalize(st);
		st = scan(s, 5); /* outside a transaction: read whole */
		assert_ptr_equal(st, first);
		scan_rest(st, 1, 5);
		xf_stmt_finalize(st);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		st = scan(s, NROWS);
		assert_ptr_equal(st, first);
		scan_rest(st, 1, NROWS);
		xf_stmt_finalize(st);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Bad SQL is never a cached success: SQLite refuses it at every prepare;
 * PostgreSQL reports it at every step of every reuse. */
static void test_bad_sql_every_time(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		bool pg = backend_is_pg(&backends[b]);
		for (int i = 0; i < 4; i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			xf_stmt *st = xf_stmt_prepare(s, "SELECT nosuchcolumn FROM cache_t WHERE id = $1",
						      &errs);
			assert_true(pg == (st != NULL));
			if (st) {
				assert_int_equal(xf_stmt_bind_int(st, 1, 1), 0);
				assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ERROR);
				xf_stmt_finalize(st);
			}
			assert_true(xf_errs_count(&errs) > 0);
			xf_errs_cleanup(&errs);
			lookup(s, 1 + i); /* the connection is fine */
		}
		xf_store_close(s);
	}
}

/* PostgreSQL only: the server's statements dropped behind the cache's
 * back (DEALLOCATE ALL): outside a transaction the next run prepares its
 * statement again and answers; the rest of the cache too, one by one. */
static void test_deallocated_behind_our_back(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		if (!backend_is_pg(&backends[b]))
			continue;
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = fresh(&backends[b]);
		for (int i = 1; i <= 3; i++) {
			lookup(s, i);
			numbered(s, i);
		}
		assert_int_equal(server_copies(s, LOOKUP), 1);
		assert_int_equal(xf_store_exec_for_tests(s, "DEALLOCATE ALL", &errs), 0);
		assert_int_equal(server_statements(s), 0);
		for (int i = 1; i <= 3; i++) {
			lookup(s, 10 + i);
			numbered(s, i);
		}
		assert_int_equal(server_copies(s, LOOKUP), 1);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-stmtcache-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_same_results),
		cmocka_unit_test(test_two_open_at_once),
		cmocka_unit_test(test_reuse_after_rollback),
		cmocka_unit_test(test_reuse_after_error),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_cursor_left_open),
		cmocka_unit_test(test_bad_sql_every_time),
		cmocka_unit_test(test_deallocated_behind_our_back),
	};
	int rc = cmocka_run_group_tests_name(nbackends > 1 ? "stmt_cache (sqlite, postgresql)"
						       : "stmt_cache (sqlite)",
					     tests, NULL, NULL);
	backends_teardown();
	return rc;
}
