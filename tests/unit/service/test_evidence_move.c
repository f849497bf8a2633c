/* Tests for src/service/evidence_move.c: evidence content moved from the
 * folder into the database — a content two rows share moved once with
 * both rows switched and its bytes kept exactly, a missing file and a file
 * whose content changed named and left pointing at the folder, the audit
 * row, a second run that has nothing left to move, and the check that
 * finds a row whose content is missing. On SQLite, and on
 * PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "service/evidence.h"
#include "service/evidence_move.h"
#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

static char dir[128];

static void must(int rc, const xf_errs *errs, const char *what)
{
	if (rc != 0) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s failed (%d)", what, rc);
	}
}

/* Stores data in the folder and adds a row for it; returns the row id.
 * rel gets the stored path. */
static long long add_file(xf_store *s, long long user, const char *data, size_t len,
			  char rel[XF_EVIDENCE_REL_MAX])
{
	xf_errs errs;
	xf_errs_init(&errs);
	char sha[XF_EVIDENCE_SHA_HEX];
	must(xf_evidence_store(dir, data, len, sha, rel, &errs), &errs, "store");
	long long id = 0;
	must(xf_query_row(s, "INSERT INTO evidence_files (sha256, size, mime, name, stored,"
			  " uploaded_by, created_at) VALUES ($1, $2, 'application/pdf', 'a.pdf', $3,"
			  " $4, 1) RETURNING id", &errs, XF_IN(sha), XF_IN((long long)len), XF_IN(rel),
			  XF_IN(user), XF_OUT(&id)),
	     &errs, "row");
	xf_errs_cleanup(&errs);
	return id;
}

static void stored_of(xf_store *s, long long id, char *out, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	must(xf_query_row(s, "SELECT stored FROM evidence_files WHERE id = $1", &errs, XF_IN(id),
			  XF_OUT_TEXT(out, size)),
	     &errs, "stored");
	xf_errs_cleanup(&errs);
}

static void test_to_db(void **state)
{
	(void)state;
	static const char shared[] = "%PDF-1.4\n\0\xff binary \x80 shared\n%%EOF\n";
	static const char gone[] = "%PDF-1.4\n gone \n%%EOF\n";
	static const char edited[] = "%PDF-1.4\n edited \n%%EOF\n";
	for (int b = 0; b < nbackends; b++) {
		xf_errs errs, warn;
		xf_errs_init(&errs);
		xf_errs_init(&warn);
		backend_reset(&backends[b]);
		snprintf(dir, sizeof(dir), "/tmp/xuefen-evmove-%ld-%d", (long)getpid(), b);
		xf_store *s = xf_store_open(backends[b].url, XF_STORE_CREATE, &errs);
		must(s == NULL, &errs, "open");
		long long user = 0;
		must(xf_query_row(s, "INSERT INTO users (username, display_name, password_hash)"
				  " VALUES ('u', 'u', 'x') RETURNING id", &errs, XF_OUT(&user)),
		     &errs, "user");
		char rel[XF_EVIDENCE_REL_MAX], rel_gone[XF_EVIDENCE_REL_MAX], rel_edit[XF_EVIDENCE_REL_MAX];
		long long a = add_file(s, user, shared, sizeof(shared) - 1, rel);
		long long a2 = add_file(s, user, shared, sizeof(shared) - 1, rel);
		long long g = add_file(s, user, gone, sizeof(gone) - 1, rel_gone);
		long long e = add_file(s, user, edited, sizeof(edited) - 1, rel_edit);
		char path[300];
		snprintf(path, sizeof(path), "%s/%s", dir, rel_gone);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/%s", dir, rel_edit);
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs("%PDF-1.4\n EDITED \n%%EOF\n", f);
		fclose(f);

		xf_evidence_move_report rep;
		must(xf_evidence_to_db(s, dir, "cli", &rep, &warn, &errs), &errs, "to-db");
		assert_int_equal(rep.moved, 1);
		assert_int_equal(rep.rows, 2);
		assert_int_equal(rep.missing, 1);
		assert_int_equal(rep.changed, 1);
		assert_int_equal(warn.n, 2);
		char st[XF_EVIDENCE_REL_MAX];
		stored_of(s, a, st, sizeof(st));
		assert_string_equal(st, XF_EVIDENCE_IN_DB);
		stored_of(s, a2, st, sizeof(st));
		assert_string_equal(st, XF_EVIDENCE_IN_DB);
		stored_of(s, g, st, sizeof(st));
		assert_string_equal(st, rel_gone);
		stored_of(s, e, st, sizeof(st));
		assert_string_equal(st, rel_edit);
		char sha[XF_EVIDENCE_SHA_HEX];
		xf_evidence_sha256(shared, sizeof(shared) - 1, sha);
		void *data;
		size_t len;
		must(xf_store_blob_get(s, sha, &data, &len, &errs), &errs, "blob");
		assert_int_equal(len, sizeof(shared) - 1);
		assert_memory_equal(data, shared, len);
		free(data);
		long long audits = 0;
		must(xf_query_row(s, "SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.to_db'",
				  &errs, XF_OUT(&audits)),
		     &errs, "audit");
		assert_int_equal(audits, 1);

		/* The check: every row's content where the row says — the file gone is
		 * found with the folder given, not without; a lost blob fails both
		 * rows that use it. */
		xf_evidence_check_report ck;
		xf_errs_cleanup(&warn);
		xf_errs_init(&warn);
		must(xf_evidence_verify(s, dir, &ck, &warn, &errs), &errs, "verify");
		assert_int_equal(ck.in_db, 2);
		assert_int_equal(ck.in_folder, 2);
		assert_int_equal(ck.db_missing, 0);
		assert_int_equal(ck.folder_missing, 1); /* the edited file keeps its size */
		assert_int_equal(warn.n, 1);
		must(xf_evidence_verify(s, NULL, &ck, &warn, &errs), &errs, "verify without dir");
		assert_int_equal(ck.folder_missing, 0);
		must(xf_store_exec_for_tests(s, "DELETE FROM blobs", &errs), &errs, "lose the blob");
		must(xf_evidence_verify(s, NULL, &ck, &warn, &errs), &errs, "verify a lost blob");
		assert_int_equal(ck.db_missing, 2);
		must(xf_store_blob_put(s, sha, shared, sizeof(shared) - 1, &errs), &errs, "put back");

		/* Again: nothing more to move, the two problems named again. */
		xf_errs_cleanup(&warn);
		xf_errs_init(&warn);
		must(xf_evidence_to_db(s, dir, "cli", &rep, &warn, &errs), &errs, "again");
		assert_int_equal(rep.moved, 0);
		assert_int_equal(rep.missing + rep.changed, 2);
		xf_store_close(s);
		xf_errs_cleanup(&errs);
		xf_errs_cleanup(&warn);
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-evmove-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_db),
	};
	int rc = cmocka_run_group_tests_name("service/evidence_move", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
