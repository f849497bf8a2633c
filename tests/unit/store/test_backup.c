/* Unit tests for src/store/backup.c: online backup, refusing to overwrite,
 * restore only from an intact backup, PostgreSQL pointed to its tools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/backup.h"
#include "store/store.h"

static char dir[] = "/tmp/xuefen-backup-XXXXXX";

static void path(char *buf, const char *name)
{
	snprintf(buf, 256, "%s/%s", dir, name);
}

static long long audit_rows(const char *url)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_OPEN, &errs);
	assert_non_null(s);
	long long n = -1;
	assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
	xf_store_close(s);
	xf_errs_cleanup(&errs);
	return n;
}

static void add_audit(const char *url, int n)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	assert_non_null(s);
	xf_audit_entry e = {"t", "test", NULL, NULL, NULL};
	for (int i = 0; i < n; i++)
		assert_int_equal(xf_store_audit(s, &e, &errs), 0);
	xf_store_close(s);
	xf_errs_cleanup(&errs);
}

static void test_backup_and_restore(void **state)
{
	(void)state;
	char db[256], bak[256], junk[256];
	path(db, "live.db");
	path(bak, "copy.bak");
	path(junk, "junk.bak");
	xf_errs errs;
	xf_errs_init(&errs);

	add_audit(db, 3);
	/* A backup while another connection holds a write transaction. */
	xf_store *writer = xf_store_open(db, XF_STORE_OPEN, &errs);
	assert_non_null(writer);
	assert_int_equal(xf_store_begin(writer, &errs), 0);
	xf_audit_entry e = {"t", "uncommitted", NULL, NULL, NULL};
	assert_int_equal(xf_store_audit(writer, &e, &errs), 0);
	assert_int_equal(xf_store_backup(db, bak, &errs), 0);
	xf_store_rollback(writer);
	xf_store_close(writer);
	assert_int_equal(audit_rows(bak), 3); /* committed rows only */
	assert_int_equal(access(bak, F_OK), 0);
	char side[300];
	snprintf(side, sizeof(side), "%s-wal", bak);
	assert_int_equal(access(side, F_OK), -1); /* one self-contained file */

	/* Never overwrites. */
	assert_int_equal(xf_store_backup(db, bak, &errs), -1);
	assert_non_null(strstr(errs.msgs[errs.n - 1], "file exists"));

	/* More changes, then restore: back to 3 rows. */
	add_audit(db, 2);
	assert_int_equal(audit_rows(db), 5);
	assert_int_equal(xf_store_restore(db, bak, &errs), 0);
	assert_int_equal(audit_rows(db), 3);

	/* A damaged backup is refused and the database is unchanged. */
	FILE *f = fopen(junk, "w");
	fputs("not a database at all", f);
	fclose(f);
	add_audit(db, 1);
	assert_int_equal(xf_store_restore(db, junk, &errs), -1);
	assert_int_equal(audit_rows(db), 4);
	assert_int_equal(xf_store_restore(db, "/nonexistent/x.bak", &errs), -1);

	/* PostgreSQL: pointed to its standard tools. */
	assert_int_equal(xf_store_backup("postgresql://h/db", bak, &errs), -1);
	assert_non_null(strstr(errs.msgs[errs.n - 1], "pg_dump"));
	xf_errs_cleanup(&errs);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_and_restore),
	};
	int rc = cmocka_run_group_tests_name("store/backup", tests, NULL, NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
