/* Unit tests for src/store: URLs, init and the schema check, transactions,
 * the append-only audit log, content kept as blobs, the integrity check. Every test runs on each
 * backend available: SQLite (a temporary file) always, PostgreSQL when
 * XUEFEN_TEST_PG names a throw-away database (tests/run.sh starts one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"


/* A fresh, empty database for one test. */
static const char *fresh(const backend *b, xf_errs *errs)
{
	(void)errs;
	backend_reset(b);
	return b->url;
}

static void test_url_parse(void **state)
{
	(void)state;
	static const struct { const char *in; int rc; xf_store_kind kind; const char *target; } rows[] = {
		{"xuefen.db", 0, XF_STORE_SQLITE, "xuefen.db"},
		{"/var/lib/xuefen/x.db", 0, XF_STORE_SQLITE, "/var/lib/xuefen/x.db"},
		{"sqlite:data/x.db", 0, XF_STORE_SQLITE, "data/x.db"},
		{"sqlite:///abs/x.db", 0, XF_STORE_SQLITE, "/abs/x.db"},
		{"postgresql://u@h:5432/db", 0, XF_STORE_POSTGRES, "postgresql://u@h:5432/db"},
		{"postgres://h/db", 0, XF_STORE_POSTGRES, "postgres://h/db"},
		{"mysql://h/db", -1, 0, NULL},
		{"", -1, 0, NULL},
		{"sqlite:", -1, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_errs errs;
		xf_store_url u;
		xf_errs_init(&errs);
		assert_int_equal(xf_store_url_parse(rows[i].in, &u, &errs), rows[i].rc);
		if (rows[i].rc == 0) {
			assert_int_equal(u.kind, rows[i].kind);
			assert_string_equal(u.target, rows[i].target);
		} else {
			assert_true(xf_errs_count(&errs) == 1);
		}
		xf_store_url_cleanup(&u);
		xf_errs_cleanup(&errs);
	}
}

static void test_redact(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } rows[] = {
		{"postgresql://u:secret@h:5432/db", "postgresql://u:***@h:5432/db"},
		{"postgresql://h/db?password=secret&sslmode=require", "postgresql://h/db?password=***&sslmode=require"},
		{"postgresql://u@h/db", "postgresql://u@h/db"},
		{"data/x.db", "data/x.db"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *r = xf_store_url_redact(rows[i].in);
		assert_string_equal(r, rows[i].want);
		free(r);
	}
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store_url u;
	assert_int_equal(xf_store_url_parse("mysql://u:secret@h/db", &u, &errs), -1);
	assert_null(strstr(errs.msgs[0], "secret"));
	xf_errs_cleanup(&errs);
}

static void test_init_and_open(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const char *url = fresh(&backends[b], &errs);
		if (strcmp(backends[b].name, "sqlite") == 0) {
			/* Opening a database that was never initialised fails. */
			assert_null(xf_store_open(url, XF_STORE_OPEN, &errs));
			assert_true(xf_errs_count(&errs) >= 1);
			xf_errs_cleanup(&errs);
			xf_errs_init(&errs);
		}
		xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
		xf_errs_print(&errs, backends[b].name, stderr);
		assert_non_null(s);
		int v = 0;
		assert_int_equal(xf_store_schema_version(s, &v, &errs), 0);
		assert_int_equal(v, XF_SCHEMA_VERSION);
		assert_int_equal(xf_store_check(s, &errs), 0);
		xf_store_close(s);
		/* Now it opens, and init again changes nothing. */
		s = xf_store_open(url, XF_STORE_OPEN, &errs);
		assert_non_null(s);
		xf_store_close(s);
		s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		xf_store_close(s);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_errs_cleanup(&errs);
	}
}

static void test_audit_append_only(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const char *url = fresh(&backends[b], &errs);
		xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		xf_audit_entry e = {"admin", "person.update", "person:7", "{\"role\":\"staff\"}",
				    "{\"role\":\"leader\"}"};
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
		long long n = 0;
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 1);
		/* The database itself refuses to change or remove audit rows. */
		assert_int_equal(xf_store_exec_for_tests(s, "UPDATE audit_log SET actor = 'x'", &errs), -1);
		assert_int_equal(xf_store_exec_for_tests(s, "DELETE FROM audit_log", &errs), -1);
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 1);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

static void test_transactions(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const char *url = fresh(&backends[b], &errs);
		xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		xf_audit_entry e = {"cli", "import.roster", NULL, NULL, NULL};
		long long n = 0;

		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_store_begin(s, &errs), -1); /* already open */
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
		xf_store_rollback(s);
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 0);

		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
		assert_int_equal(xf_store_commit(s, &errs), 0);
		assert_int_equal(xf_store_commit(s, &errs), -1); /* none open */
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 1);

		/* Closing with a transaction open rolls it back. */
		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
		xf_store_close(s);
		s = xf_store_open(url, XF_STORE_OPEN, &errs);
		assert_non_null(s);
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 1);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* Content in the database: bytes kept exactly (NULs, high bytes, a
 * megabyte, nothing at all), the same key twice kept once, a missing key
 * 1, and a put inside a rolled-back transaction gone with it. */
static void test_blobs(void **state)
{
	(void)state;
	size_t big_len = 1 << 20;
	unsigned char *big = malloc(big_len);
	assert_non_null(big);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 9));
	static const unsigned char odd[] = {0, 0xff, 0x5c, 'x', 0, 0x80, '\'', 0};
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = xf_store_open(fresh(&backends[b], &errs), XF_STORE_CREATE, &errs);
		assert_non_null(s);
		void *data;
		size_t len;
		assert_int_equal(xf_store_blob_put(s, "odd", odd, sizeof(odd), &errs), 0);
		assert_int_equal(xf_store_blob_put(s, "odd", odd, sizeof(odd), &errs), 0); /* kept once */
		assert_int_equal(xf_store_blob_put(s, "big", big, big_len, &errs), 0);
		assert_int_equal(xf_store_blob_put(s, "empty", "", 0, &errs), 0);
		assert_int_equal(xf_store_blob_get(s, "odd", &data, &len, &errs), 0);
		assert_int_equal(len, sizeof(odd));
		assert_memory_equal(data, odd, sizeof(odd));
		free(data);
		assert_int_equal(xf_store_blob_get(s, "big", &data, &len, &errs), 0);
		assert_int_equal(len, big_len);
		assert_memory_equal(data, big, big_len);
		free(data);
		assert_int_equal(xf_store_blob_get(s, "empty", &data, &len, &errs), 0);
		assert_non_null(data);
		assert_int_equal(len, 0);
		free(data);
		assert_int_equal(xf_store_blob_get(s, "none", &data, &len, &errs), 1);
		assert_null(data);
		assert_int_equal(xf_store_begin(s, &errs), 0);
		assert_int_equal(xf_store_blob_put(s, "gone", odd, 3, &errs), 0);
		xf_store_rollback(s);
		assert_int_equal(xf_store_blob_get(s, "gone", &data, &len, &errs), 1);
		assert_int_equal(errs.n, 0);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
	free(big);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const char *url = fresh(&backends[b], &errs);
		xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		assert_int_equal(xf_store_exec_for_tests(s, "UPDATE schema_version SET version = 99", &errs), 0);
		xf_store_close(s);
		assert_null(xf_store_open(url, XF_STORE_OPEN, &errs));
		assert_non_null(strstr(errs.msgs[errs.n - 1], "newer than this program"));
		assert_null(xf_store_open(url, XF_STORE_CREATE, &errs));
		xf_errs_cleanup(&errs);
	}
}

/* Codes sort as bytes on both backends, whatever PostgreSQL's locale: its
 * code columns are COLLATE "C" (schema 4), so lists ordered by code agree. */
static void test_code_order(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *s = xf_store_open(fresh(&backends[b], &errs), XF_STORE_CREATE, &errs);
		assert_non_null(s);
		assert_int_equal(xf_store_exec_for_tests(s, "INSERT INTO units (code, name) VALUES"
					" ('ab', '1'), ('a_c', '2'), ('aB', '3'), ('a-b', '4'), ('Ab', '5')", &errs), 0);
		xf_stmt *st = xf_stmt_prepare(s, "SELECT code FROM units ORDER BY code", &errs);
		assert_non_null(st);
		char got[64] = "";
		while (xf_stmt_step(st, &errs) == XF_STEP_ROW) {
			strcat(got, xf_stmt_text(st, 0));
			strcat(got, " ");
		}
		xf_stmt_finalize(st);
		assert_string_equal(got, "Ab a-b aB a_c ab ");
		if (backend_is_pg(&backends[b])) {
			static const char *const cols[][2] = {{"units", "code"}, {"people", "code"},
							      {"runs", "policy"}};
			for (size_t i = 0; i < 3; i++) {
				char coll[16] = "";
				assert_int_equal(xf_query_row(s, "SELECT collation_name FROM"
					" information_schema.columns WHERE table_name = $1 AND column_name = $2",
					&errs, XF_IN(cols[i][0]), XF_IN(cols[i][1]), XF_OUT_TEXT(coll, sizeof(coll))), 0);
				assert_string_equal(coll, "C");
			}
		}
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

/* A database of the previous schema (3: no blobs table) is refused by a
 * plain open, naming `xuefen init`, and brought to the current one by it,
 * its data kept. */
static void test_older_schema_migrated(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs;
		xf_errs_init(&errs);
		const char *url = fresh(&backends[b], &errs);
		xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		xf_audit_entry e = {"cli", "init", NULL, NULL, NULL};
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
		assert_int_equal(xf_store_exec_for_tests(s, "DROP TABLE blobs", &errs), 0);
		assert_int_equal(xf_store_exec_for_tests(s, "UPDATE schema_version SET version = 3", &errs), 0);
		xf_store_close(s);
		assert_null(xf_store_open(url, XF_STORE_OPEN, &errs));
		assert_non_null(strstr(errs.msgs[errs.n - 1], "run xuefen init"));
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		s = xf_store_open(url, XF_STORE_CREATE, &errs);
		assert_non_null(s);
		int v = 0;
		assert_int_equal(xf_store_schema_version(s, &v, &errs), 0);
		assert_int_equal(v, XF_SCHEMA_VERSION);
		assert_int_equal(xf_store_blob_put(s, "k", "v", 1, &errs), 0);
		long long n = 0;
		assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
		assert_int_equal(n, 1);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-store-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_init_and_open),
		cmocka_unit_test(test_audit_append_only),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_older_schema_migrated),
		cmocka_unit_test(test_code_order),
	};
	int rc = cmocka_run_group_tests_name(nbackends > 1 ? "store (sqlite, postgresql)" : "store (sqlite)",
					     tests, NULL, NULL);
	backends_teardown();
	return rc;
}
