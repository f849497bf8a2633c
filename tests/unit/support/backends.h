/* backends: the databases a store or service test runs on — SQLite (a file
 * in a fresh temporary folder) always, and PostgreSQL when XUEFEN_TEST_PG
 * names a throw-away database (tests/run.sh starts one). Header-only: the
 * Makefile builds each test from one file. Include after cmocka.h.
 *
 *   int main(void) {
 *           if (backends_setup("/tmp/xuefen-store-XXXXXX") != 0) return 1;
 *           int rc = cmocka_run_group_tests(...);
 *           backends_teardown();
 *           return rc;
 *   }
 *   for (int b = 0; b < nbackends; b++) { backend_reset(&backends[b]); ... } */
#ifndef XF_TESTS_SUPPORT_BACKENDS_H
#define XF_TESTS_SUPPORT_BACKENDS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

typedef struct backend {
	const char *name; /* "sqlite" or "postgresql" */
	char url[512];
} backend;

static backend backends[2];
static int nbackends;
static char backends_dir[64]; /* the temporary folder of the SQLite file */

static inline bool backend_is_pg(const backend *b)
{
	return strcmp(b->name, "postgresql") == 0;
}

/* Fills backends. template is a mkdtemp template ("/tmp/...-XXXXXX").
 * Returns 0, or -1 when the folder cannot be made. */
static inline int backends_setup(const char *template)
{
	snprintf(backends_dir, sizeof(backends_dir), "%s", template);
	if (mkdtemp(backends_dir) == NULL)
		return -1;
	backends[nbackends].name = "sqlite";
	snprintf(backends[nbackends].url, sizeof(backends[0].url), "%s/test.db", backends_dir);
	nbackends++;
	const char *pg = getenv("XUEFEN_TEST_PG");
	if (pg && *pg) {
		backends[nbackends].name = "postgresql";
		snprintf(backends[nbackends].url, sizeof(backends[0].url), "%s", pg);
		nbackends++;
	}
	return 0;
}

/* Empties a backend's database completely (SQLite: removes the file and
 * its -wal/-shm; PostgreSQL: drops and recreates the public schema). */
static inline void backend_reset(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_store_reset_for_tests(b->url, &errs) != 0) {
		xf_errs_print(&errs, b->name, stderr);
		fail_msg("cannot reset the %s test database", b->name);
	}
	xf_errs_cleanup(&errs);
}

/* Removes the SQLite files and the temporary folder. */
static inline void backends_teardown(void)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store_reset_for_tests(backends[0].url, &errs);
	xf_errs_cleanup(&errs);
	rmdir(backends_dir);
}

#endif
