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
#define XF_SCHEMA_VERSION 4

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

/* A copy of url fit to show or to log: the password (user:PASSWORD@ or
 * ?password=...) replaced by "***". Caller frees; NULL when out of memory. */
char *xf_store_url_redact(const char *url);

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
/* True between begin and commit/rollback: a service that may be called
 * inside its caller's transaction joins it instead of opening one. */
bool xf_store_in_tx(const xf_store *s);

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

/* Content kept in the database (table blobs, schema 4) by a key that
 * names it (the SHA-256 hex of the content). put stores data unless the
 * key is there already (same key, same content), inside the caller's
 * transaction when one is open: 0 or -1. get gives a malloc'd copy in
 * *data and *len (the caller frees it; a 0-byte blob still gets a
 * non-NULL pointer): 0, 1 when there is no such key, -1 on error. Errors
 * are the server's (errs->internal). */
int xf_store_blob_put(xf_store *s, const char *key, const void *data, size_t len,
		      xf_errs *errs);
int xf_store_blob_get(xf_store *s, const char *key, void **data, size_t *len, xf_errs *errs);

/* A number that changes whenever the database may have changed since the
 * last call on this connection: a commit by any connection, this one
 * included. Answers of reads can be kept while it stays the same.
 * (SQLite: data_version and the connection's own changes; PostgreSQL: the
 * server's transaction snapshot.) Returns 0 and *token; 1 when the
 * backend cannot tell (then nothing may be kept); -1 on error. */
int xf_store_change_token(xf_store *s, uint64_t *token, xf_errs *errs);

/* Runs the backend's integrity check ("ok" or the problems found). */
int xf_store_check(xf_store *s, xf_errs *errs);

/* For tests only: runs fixed SQL directly (e.g. to try to change the audit
 * log), and empties a database completely (SQLite: removes the files;
 * PostgreSQL: drops and recreates the public schema). */
int xf_store_exec_for_tests(xf_store *s, const char *sql, xf_errs *errs);
int xf_store_reset_for_tests(const char *url, xf_errs *errs);

/* Statements: SQL written once for both backends, with parameters $1..$n
 * (both SQLite and PostgreSQL read that form), INSERT ... ON CONFLICT and
 * RETURNING. Values are always bound, never put into the SQL text.
 * A statement belongs to its store and is valid until finalized.
 *
 * Finalizing keeps the prepared statement for the store: its handle is
 * reset (bindings cleared, a PostgreSQL cursor closed) and put in a cache
 * of the store's last XF_STMT_CACHE_MAX finalized statements, keyed by the
 * exact SQL text; the next xf_stmt_prepare of the same text on that store
 * takes it back instead of preparing again (the least recently finalized
 * beyond the cap is really finalized). A statement of the same text still
 * open is never shared: a second prepare gets a handle of its own. To a
 * caller nothing changes but the time: an error in the SQL still shows at
 * prepare (SQLite) or at the first step (PostgreSQL), every time.
 * xf_store_close finalizes the cache. */
#define XF_STMT_CACHE_MAX 64
typedef struct xf_stmt xf_stmt;

typedef enum xf_step { XF_STEP_ERROR = -1, XF_STEP_DONE = 0, XF_STEP_ROW = 1 } xf_step;

/* Prepares sql. NULL with a message on failure. */
xf_stmt *xf_stmt_prepare(xf_store *s, const char *sql, xf_errs *errs);
/* Binds parameter i (1-based). A NULL text binds SQL NULL. Return 0/-1. */
int xf_stmt_bind_text(xf_stmt *st, int i, const char *v);
int xf_stmt_bind_int(xf_stmt *st, int i, long long v);
int xf_stmt_bind_double(xf_stmt *st, int i, double v);
int xf_stmt_bind_null(xf_stmt *st, int i);
/* Runs the statement (first call) or moves to the next row. On error the
 * message goes to errs. */
xf_step xf_stmt_step(xf_stmt *st, xf_errs *errs);
/* Columns of the current row (0-based). Text is valid until the next step;
 * NULL for SQL NULL. */
const char *xf_stmt_text(xf_stmt *st, int col);
long long xf_stmt_int(xf_stmt *st, int col);
double xf_stmt_double(xf_stmt *st, int col);
int xf_stmt_is_null(xf_stmt *st, int col);
/* Clears bindings and the result so the statement can run again. */
void xf_stmt_reset(xf_stmt *st);
void xf_stmt_finalize(xf_stmt *st);

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
	int (*blob_put)(void *db, const char *key, const void *data, size_t len, xf_errs *errs);
	int (*blob_get)(void *db, const char *key, void **data, size_t *len, xf_errs *errs);
	int (*check)(void *db, xf_errs *errs);
	int (*change_token)(void *db, uint64_t *token, xf_errs *errs); /* NULL: cannot tell */
	int (*reset)(const char *target, xf_errs *errs); /* tests: empty it all */

	/* Statements (see xf_stmt_*): the backend's own handle in `void *`. */
	void *(*prepare)(void *db, const char *sql, xf_errs *errs);
	int (*bind_text)(void *st, int i, const char *v);
	int (*bind_int)(void *st, int i, long long v);
	int (*bind_double)(void *st, int i, double v);
	int (*bind_null)(void *st, int i);
	int (*step)(void *st, xf_errs *errs); /* xf_step values */
	const char *(*col_text)(void *st, int col);
	long long (*col_int)(void *st, int col);
	double (*col_double)(void *st, int col);
	int (*col_is_null)(void *st, int col);
	void (*stmt_reset)(void *st);
	void (*finalize)(void *st);
	/* Optional (NULL: nothing to do). store.c's statement cache tells the
	 * backend when a handle goes into the cache, reset (idle true), and
	 * when it is taken out again for a new xf_stmt (idle false). */
	void (*stmt_idle)(void *st, bool idle);
} xf_store_ops;

extern const xf_store_ops xf_store_sqlite_ops;
extern const xf_store_ops xf_store_postgres_ops;

#endif
