/* store: xuefen's database, one interface over two backends (SQLite, the
 * embedded default, and PostgreSQL), chosen by a URL:
 *   PATH or sqlite:PATH        an SQLite file
 *   postgresql://... postgres://...   a PostgreSQL server (and the domestic
 *                                     databases that speak its protocol)
 *
 * Each backend is a table of functions (xf_store_ops), like Redis's
 * ConnectionType; callers never see SQL. Every statement binds its
 * parameters; every multi-row change runs in one transaction
 * (xf_store_begin/commit/rollback). The schema is versioned: xf_store_init
 * applies the migrations a database lacks; xf_store_open refuses a database
 * whose schema is older or newer than this program's.
 *
 * Errors: functions return 0 on success and -1 on failure with one message
 * in errs naming what failed (the database's own message included). */
#ifndef XF_STORE_STORE_H
#define XF_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errs.h"

/* The schema version this program speaks. */
#define XF_SCHEMA_VERSION 1

typedef struct xf_store xf_store;

typedef enum xf_store_kind { XF_STORE_SQLITE, XF_STORE_POSTGRES } xf_store_kind;

/* Where a store lives, parsed from a URL. */
typedef struct xf_store_url {
	xf_store_kind kind;
	char *target; /* SQLite: the file path; PostgreSQL: the conninfo URL */
} xf_store_url;

/* Parses url into *out (free with xf_store_url_cleanup). Returns 0, or -1
 * with a message for an unknown scheme or an empty path. */
int xf_store_url_parse(const char *url, xf_store_url *out, xf_errs *errs);
void xf_store_url_cleanup(xf_store_url *u);

/* Open modes. */
typedef enum xf_store_mode {
	XF_STORE_OPEN,   /* the database must exist at the current schema */
	XF_STORE_CREATE  /* create it if missing and apply migrations (init) */
} xf_store_mode;

/* Opens the store at url. Returns a new store, or NULL with a message
 * (cannot connect, not initialised, schema too old or too new). */
xf_store *xf_store_open(const char *url, xf_store_mode mode, xf_errs *errs);

/* Closes the store; a transaction still open is rolled back. NULL is ok. */
void xf_store_close(xf_store *s);

xf_store_kind xf_store_kind_of(const xf_store *s);

/* The schema version found in the database. */
int xf_store_schema_version(xf_store *s, int *version, xf_errs *errs);

/* Transactions. begin fails if one is already open. */
int xf_store_begin(xf_store *s, xf_errs *errs);
int xf_store_commit(xf_store *s, xf_errs *errs);
void xf_store_rollback(xf_store *s);

/* Appends one row to the audit log (append-only: the database itself
 * refuses UPDATE and DELETE on it). before/after are JSON text or NULL. */
typedef struct xf_audit_entry {
	const char *actor;   /* user name, or "cli" */
	const char *action;  /* e.g. "init", "import.roster", "login" */
	const char *object;  /* e.g. "person:123", may be NULL */
	const char *before;
	const char *after;
} xf_audit_entry;
int xf_store_audit(xf_store *s, const xf_audit_entry *e, xf_errs *errs);

/* Counts the audit rows (for checks and tests). */
int xf_store_audit_count(xf_store *s, long long *n, xf_errs *errs);

/* Runs the backend's integrity check ("ok" or the problems found). */
int xf_store_check(xf_store *s, xf_errs *errs);

/* For tests only: runs fixed SQL directly (e.g. to try to change the audit
 * log), and empties a database completely (SQLite: removes the files;
 * PostgreSQL: drops and recreates the public schema). */
int xf_store_exec_for_tests(xf_store *s, const char *sql, xf_errs *errs);
int xf_store_reset_for_tests(const char *url, xf_errs *errs);

/* The backend's function table. A backend fills one and xf_store routes
 * every call through it. */
typedef struct xf_store_ops {
	const char *name;
	void *(*open)(const char *target, xf_store_mode mode, xf_errs *errs);
	void (*close)(void *db);
	int (*exec)(void *db, const char *sql, xf_errs *errs); /* fixed SQL, no parameters */
	int (*begin)(void *db, xf_errs *errs);
	int (*commit)(void *db, xf_errs *errs);
	void (*rollback)(void *db);
	int (*schema_version)(void *db, int *version, xf_errs *errs);
	int (*migrate)(void *db, int from, int to, xf_errs *errs);
	int (*audit)(void *db, const xf_audit_entry *e, xf_errs *errs);
	int (*audit_count)(void *db, long long *n, xf_errs *errs);
	int (*check)(void *db, xf_errs *errs);
	int (*reset)(const char *target, xf_errs *errs); /* tests: empty it all */
} xf_store_ops;

extern const xf_store_ops xf_store_sqlite_ops;

#endif
