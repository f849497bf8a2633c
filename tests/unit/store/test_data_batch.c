/* Unit tests for the queued (multi-row) writes of src/store/data.c:
 * metrics and records written many to a statement, the later value of a
 * key queued twice winning (PostgreSQL refuses one INSERT ... ON CONFLICT
 * that updates a row twice), order kept with the direct writes, and a
 * failed flush. Every test runs on SQLite, and on PostgreSQL when
 * XUEFEN_TEST_PG names a throw-away database. */
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

#include "store/data.h"
#include "store/store.h"
#include "../support/backends.h"


#define NPEOPLE 3

/* A fresh database with NPEOPLE people (their ids in ids). */
static xf_store *fresh(const backend *b, long long *ids, xf_errs *errs)
{
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, errs);
	assert_non_null(s);
	xf_data *d = xf_data_new(s, errs);
	assert_non_null(d);
	assert_int_equal(xf_store_begin(s, errs), 0);
	for (int i = 0; i < NPEOPLE; i++) {
		char code[32], name[32];
		snprintf(code, sizeof(code), "P%d", i);
		snprintf(name, sizeof(name), "人员%d", i);
		xf_person_row p = {code, name, NULL, NULL, NULL, 0, NULL, NULL};
		assert_int_equal(xf_data_person(d, &p, &ids[i], errs), 0);
	}
	assert_int_equal(xf_store_commit(s, errs), 0);
	xf_data_free(d);
	return s;
}

/* The value of a metric, or -1 when absent. */
static double metric_value(xf_store *s, long long person, const char *metric, const char *month)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT value FROM metrics WHERE person_id = $1 AND "
					 "metric = $2 AND month = $3", &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_bind_int(st, 1, person) | xf_stmt_bind_text(st, 2, metric) |
			 xf_stmt_bind_text(st, 3, month), 0);
	double v = -1;
	if (xf_stmt_step(st, &errs) == XF_STEP_ROW)
		v = xf_stmt_double(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return v;
}

static long long count_rows(xf_store *s, const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long n = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return n;
}

/* Many metrics, keys repeated inside a batch and across batches, another
 * metric in between: the last value of each key is what is stored. */
static void test_queue_metrics(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		long long ids[NPEOPLE];
		xf_store *s = fresh(&backends[b], ids, &errs);
		xf_data *d = xf_data_new(s, &errs);
		assert_non_null(d);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		long long batch = 0;
		assert_int_equal(xf_data_batch(d, "xxqg", "t.csv", "abc", 0, "test", &batch, &errs), 0);
		/* 250 rows over 3 people x 24 months: every key comes back,
		 * some within one batch (a person's month again 3 rows later). */
		double want[NPEOPLE][24];
		for (int p = 0; p < NPEOPLE; p++)
			for (int m = 0; m < 24; m++)
				want[p][m] = -1;
		for (int i = 0; i < 250; i++) {
			int p = i % NPEOPLE, m = (i / 6) % 24;
			char month[16];
			snprintf(month, sizeof(month), "%04d-%02d", 2024 + m / 12, m % 12 + 1);
			double v = 100 + i;
			assert_int_equal(xf_data_queue_metric(d, ids[p], "xxqg", month, v, batch, &errs), 0);
			want[p][m] = v;
			if (i == 100) /* another metric: its own statement */
				assert_int_equal(xf_data_queue_metric(d, ids[p], "online", month, 7, 0,
								      &errs), 0);
		}
		/* Not in the database until flushed. */
		assert_true(count_rows(s, "SELECT COUNT(*) FROM metrics") < 250);
		assert_int_equal(xf_data_flush(d, &errs), 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		long long n = 0;
		for (int p = 0; p < NPEOPLE; p++) {
			for (int m = 0; m < 24; m++) {
				char month[16];
				snprintf(month, sizeof(month), "%04d-%02d", 2024 + m / 12, m % 12 + 1);
				assert_true(metric_value(s, ids[p], "xxqg", month) == want[p][m]);
				n += want[p][m] >= 0;
			}
		}
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM metrics WHERE metric = 'xxqg'"), n);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM metrics WHERE metric = 'online'"), 1);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM metrics WHERE metric = 'xxqg' "
					       "AND batch_id IS NULL"), 0);
		xf_data_free(d);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* A direct put after a queued one, and a queued one after that: the order
 * of the calls decides, as with row-by-row writes. */
static void test_queue_then_put(void **state)
{
	(void)state;
	static const struct { int direct; double value; } rows[] = {
		{0, 1}, {1, 2}, {0, 3}, {0, 4}, {1, 5}, {0, 6},
	};
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		long long ids[NPEOPLE];
		xf_store *s = fresh(&backends[b], ids, &errs);
		xf_data *d = xf_data_new(s, &errs);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			int rc = rows[i].direct
				 ? xf_data_put_metric(d, ids[0], "xxqg", "2025-03", rows[i].value, 0, &errs)
				 : xf_data_queue_metric(d, ids[0], "xxqg", "2025-03", rows[i].value, 0,
							&errs);
			assert_int_equal(rc, 0);
			if (rows[i].direct)
				assert_true(metric_value(s, ids[0], "xxqg", "2025-03") == rows[i].value);
		}
		assert_int_equal(xf_data_flush(d, &errs), 0);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_true(metric_value(s, ids[0], "xxqg", "2025-03") == 6);
		xf_data_free(d);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Records, more than one batch: ids counted with the queued ones, every
 * field stored, NULLs kept. */
static void test_queue_records(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		long long ids[NPEOPLE];
		xf_store *s = fresh(&backends[b], ids, &errs);
		xf_data *d = xf_data_new(s, &errs);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		xf_record_row r0 = {"training", "2025-01-02", NULL, NULL, NULL, NAN, NAN, NAN, NAN,
				    NAN, NAN, NAN, NAN, -1, -1, -1, -1, -1, -1};
		assert_int_equal(xf_data_add_record(d, ids[1], &r0, 0, &errs), 0); /* id 1 */
		for (int i = 0; i < 23; i++) {
			char activity[32];
			snprintf(activity, sizeof(activity), "活动 %d", i);
			xf_record_row r = {"training", "2025-03-04", i % 2 ? "city" : NULL, "k",
					   activity, NAN, i, NAN, 1.5, NAN, NAN, NAN, NAN,
					   1, -1, 0, -1, -1, -1};
			long long p = ids[i % 2 + 1], id = 0;
			assert_int_equal(xf_data_next_record_id(d, p, &id, &errs), 0);
			assert_int_equal(xf_data_queue_record_at(d, p, id, &r, 0, &errs), 0);
		}
		assert_int_equal(xf_data_flush(d, &errs), 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM records"), 24);
		assert_int_equal(count_rows(s, "SELECT MAX(id) FROM records WHERE person_id = "
					       "(SELECT id FROM people WHERE code = 'P1')"), 13);
		assert_int_equal(count_rows(s, "SELECT MAX(id) FROM records WHERE person_id = "
					       "(SELECT id FROM people WHERE code = 'P2')"), 11);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM records WHERE level IS NULL"), 13);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM records WHERE activity = '活动 22' "
					       "AND days = 22 AND hours = 1.5 AND passed = 1 AND "
					       "online = 0 AND completed IS NULL AND kind = 'k'"), 1);
		xf_data_free(d);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* A batch the database refuses: the flush fails with its message, the
 * queue is emptied; rows never flushed are never written. */
static void test_flush_fails(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		long long ids[NPEOPLE];
		xf_store *s = fresh(&backends[b], ids, &errs);
		xf_data *d = xf_data_new(s, &errs);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_data_queue_metric(d, ids[0], "xxqg", "2025-01", 5, 0, &errs), 0);
		assert_int_equal(xf_data_queue_metric(d, ids[1], "xxqg", "2025-01", -1, 0, &errs), 0);
		assert_int_equal(xf_data_flush(d, &errs), -1);
		assert_true(xf_errs_count(&errs) > 0);
		xf_store_rollback(s);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(xf_data_flush(d, &errs), 0); /* nothing left */
		/* Queued, never flushed: freed with the xf_data. */
		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_data_queue_metric(d, ids[2], "xxqg", "2025-02", 9, 0, &errs), 0);
		xf_data_free(d);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM metrics"), 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-data-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_metrics),
		cmocka_unit_test(test_queue_then_put),
		cmocka_unit_test(test_queue_records),
		cmocka_unit_test(test_flush_fails),
	};
	int rc = cmocka_run_group_tests_name(nbackends > 1 ? "data batch (sqlite, postgresql)"
						       : "data batch (sqlite)", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
