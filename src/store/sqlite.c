/* sqlite: the embedded backend of the store (one file, WAL mode).
 *
 * Settings chosen for an office that must not lose a day's entries:
 * journal_mode=WAL, synchronous=FULL (a committed transaction survives a
 * power cut), foreign_keys=ON, a busy timeout so a second process waits
 * instead of failing. Person-keyed tables are WITHOUT ROWID with the person
 * first, so one person's rows sit together (3-5x faster point reads and
 * 2-3x faster scans than rows in arrival order, spec/performance.md). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/schema.h"
#include "store/store.h"

/* Three triggers on table T whose rows are dated by expression D (of NEW.
 * or OLD. columns): see migration 3. */
#define SQLITE_ARCHIVE_TRIGGERS(T, D)                                                      \
	"CREATE TRIGGER " T "_archived_insert BEFORE INSERT ON " T " WHEN "                \
	XF_ARCHIVED_SQL("NEW.person_id", "NEW." D)                                         \
	" BEGIN SELECT RAISE(ABORT, 'archived period is read-only (该期间已归档)'); END;"   \
	"CREATE TRIGGER " T "_archived_update BEFORE UPDATE ON " T " WHEN "                \
	XF_ARCHIVED_SQL("OLD.person_id", "OLD." D) " OR "                                  \
	XF_ARCHIVED_SQL("NEW.person_id", "NEW." D)                                         \
	" BEGIN SELECT RAISE(ABORT, 'archived period is read-only (该期间已归档)'); END;"   \
	"CREATE TRIGGER " T "_archived_delete BEFORE DELETE ON " T " WHEN "                \
	XF_ARCHIVED_SQL("OLD.person_id", "OLD." D)                                         \
	" BEGIN SELECT RAISE(ABORT, 'archived period is read-only (该期间已归档)'); END;"

/* Migration N takes the schema from version N-1 to N; applied in one
 * transaction each, with the version row updated in the same transaction. */
static const char *const migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES (0);"
	/* Units form a tree: 局 -> 科室, 党委 -> 党支部. */
	"CREATE TABLE units ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" parent_id INTEGER REFERENCES units(id),"
	" kind TEXT);"
	"CREATE INDEX units_parent ON units(parent_id);"
	"CREATE TABLE people ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"          /* the id used in case files */
	" name TEXT NOT NULL,"
	" staff_no TEXT UNIQUE,"               /* 工号 */
	" id_card TEXT,"                       /* 身份证号, shown masked */
	" phone TEXT,"                         /* 手机号, shown masked */
	" unit_id INTEGER REFERENCES units(id),"
	" role TEXT,"
	" joined TEXT,"                        /* YYYY-MM-DD */
	" active INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX people_unit ON people(unit_id);"
	"CREATE INDEX people_name ON people(name);"
	"CREATE TABLE periods ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('secondment','sick_leave','leave')),"
	" date_from TEXT NOT NULL,"
	" date_to TEXT NOT NULL CHECK (date_to >= date_from),"
	" participates INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX periods_person ON periods(person_id);"
	"CREATE TABLE person_flags ("
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" year INTEGER NOT NULL,"
	" flag TEXT NOT NULL,"
	" PRIMARY KEY (person_id, year, flag)) WITHOUT ROWID;"
	/* Which policy an organisation (a unit and everything under it) uses
	 * for which year. */
	"CREATE TABLE policy_assignments ("
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" year INTEGER NOT NULL,"
	" policy TEXT NOT NULL,"
	" PRIMARY KEY (unit_id, year)) WITHOUT ROWID;"
	/* An import is remembered by the hash of its file, so the same file
	 * imported twice adds nothing the second time. */
	"CREATE TABLE import_batches ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" file_name TEXT NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" rows INTEGER NOT NULL,"
	" created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	" created_by TEXT NOT NULL,"
	" UNIQUE (kind, sha256));"
	"CREATE TABLE records ("
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" id INTEGER NOT NULL,"
	" item TEXT NOT NULL,"
	" date TEXT NOT NULL,"
	" level TEXT, count REAL, days REAL, months REAL, hours REAL,"
	" minutes INTEGER, attended_minutes INTEGER, score REAL,"
	" passed INTEGER, completed INTEGER, online INTEGER, kind TEXT,"
	" approved INTEGER, awarded INTEGER, speaker INTEGER, activity TEXT,"
	" credits REAL,"
	" batch_id INTEGER REFERENCES import_batches(id),"
	" claim_id INTEGER,"
	" PRIMARY KEY (person_id, id)) WITHOUT ROWID;"
	"CREATE INDEX records_batch ON records(batch_id);"
	"CREATE TABLE metrics ("
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" metric TEXT NOT NULL,"
	" month TEXT NOT NULL,"                 /* YYYY-MM */
	" value REAL NOT NULL CHECK (value >= 0),"
	" batch_id INTEGER REFERENCES import_batches(id),"
	" PRIMARY KEY (person_id, metric, month)) WITHOUT ROWID;"
	"CREATE TABLE scores ("
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" year INTEGER NOT NULL,"
	" line TEXT NOT NULL,"
	" self REAL, review REAL,"
	" PRIMARY KEY (person_id, year, line)) WITHOUT ROWID;"
	/* A year's assessment runs and their per-person results are kept, so
	 * look-back rules and year-on-year views work. */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" year INTEGER NOT NULL,"
	" policy TEXT NOT NULL,"
	" unit_id INTEGER REFERENCES units(id),"
	" source TEXT NOT NULL DEFAULT 'assess'," /* assess | import (a case's history) */
	" started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	" finished_at TEXT,"
	" people INTEGER);"
	"CREATE TABLE run_results ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" person_id INTEGER NOT NULL REFERENCES people(id),"
	" exempt_reason TEXT,"
	" total REAL, final REAL, required REAL, met INTEGER,"
	" grade TEXT, award_candidate INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL,"               /* the person's result as JSON */
	" PRIMARY KEY (run_id, person_id)) WITHOUT ROWID;"
	/* Every change, who and when, before and after. Append-only: the
	 * database itself refuses to change or remove a row. */
	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT,"
	" before TEXT,"
	" after TEXT);"
	"CREATE INDEX audit_actor ON audit_log(actor, at);"
	"CREATE INDEX audit_action ON audit_log(action, at);"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
	/* 2: accounts, roles and sessions for `xuefen serve`. */
	XF_MIGRATION_2("INTEGER PRIMARY KEY", "INTEGER", " WITHOUT ROWID"),
	/* 3: the workflow (schema.h), and the triggers that keep archived
	 * periods read-only: a record or metric of a person listed in an
	 * archived publication, dated in its period, cannot be added, changed
	 * or removed, whatever the path (services check first and say so in
	 * Chinese; this is the net under them). */
	XF_MIGRATION_3("INTEGER PRIMARY KEY", "INTEGER", "REAL", " WITHOUT ROWID")
	SQLITE_ARCHIVE_TRIGGERS("records", "date")
	SQLITE_ARCHIVE_TRIGGERS("metrics", "month || '-01'"),
	/* 4: content kept in the database (evidence files; schema.h). */
	XF_MIGRATION_4("INTEGER", "BLOB"),
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static void db_error(sqlite3 *db, xf_errs *errs, const char *what)
{
	xf_errs_add(errs, "SQLite：%s失败：%s (%s failed)", what,
		    db ? sqlite3_errmsg(db) : "out of memory", what);
}

static int lite_exec(void *h, const char *sql, xf_errs *errs)
{
	sqlite3 *db = h;
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		xf_errs_add(errs, "SQLite：执行失败：%s (statement failed)", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* SQLite keeps memory statistics behind one global mutex that every
 * allocation takes; the server's threads fought over it (a sixth of a
 * request's time). Nothing here reads the statistics. Must run before
 * SQLite initialises; later calls are refused harmlessly. */
static void lite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void *lite_open(const char *path, xf_store_mode mode, xf_errs *errs)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, lite_configure);
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (mode == XF_STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		xf_errs_add(errs, "%s: 无法打开数据库：%s (cannot open the database)%s", path,
			    db ? sqlite3_errmsg(db) : "out of memory",
			    mode == XF_STORE_OPEN ? "；如为新数据库请先运行 xuefen init" : "");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 10000);
	if (lite_exec(db, "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;", errs) != 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void lite_close(void *h)
{
	sqlite3_close(h);
}

static int lite_begin(void *h, xf_errs *errs)
{
	/* IMMEDIATE takes the write lock now, so a writer never fails half way
	 * through with SQLITE_BUSY. */
	return lite_exec(h, "BEGIN IMMEDIATE", errs);
}

static int lite_commit(void *h, xf_errs *errs)
{
	return lite_exec(h, "COMMIT", errs);
}

static void lite_rollback(void *h)
{
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
}

static int lite_schema_version(void *h, int *version, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*version = 0;
	/* No schema_version table: a new, empty database. */
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'",
			       -1, &st, NULL) != SQLITE_OK) {
		db_error(db, errs, "读取结构版本");
		return -1;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_error(db, errs, "读取结构版本");
		goto out;
	}
	if (sqlite3_column_int(st, 0) == 0) {
		rc = 0;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_error(db, errs, "读取结构版本");
		goto out;
	}
	*version = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int lite_migrate(void *h, int from, int to, xf_errs *errs)
{
	sqlite3 *db = h;
	if (to > NMIGRATIONS) {
		xf_errs_add(errs, "没有到版本 %d 的迁移 (no migration to version %d)", to, to);
		return -1;
	}
	for (int v = from + 1; v <= to; v++) {
		sqlite3_stmt *st = NULL;
		if (lite_begin(db, errs) != 0)
			return -1;
		if (lite_exec(db, migrations[v - 1], errs) != 0)
			goto fail;
		if (sqlite3_prepare_v2(db, "UPDATE schema_version SET version = ?1", -1, &st,
				       NULL) != SQLITE_OK ||
		    sqlite3_bind_int(st, 1, v) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			db_error(db, errs, "更新结构版本");
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
		if (lite_commit(db, errs) != 0)
			goto fail;
		continue;
fail:
		lite_rollback(db);
		xf_errs_add(errs, "迁移到结构版本 %d 失败，数据库未改变 (migration to %d failed; "
			    "nothing changed)", v, v);
		return -1;
	}
	return 0;
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int lite_audit(void *h, const xf_audit_entry *e, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	char at[32];
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO audit_log (actor, action, object, before, after, at) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (bind_text_or_null(st, 1, e->actor) || bind_text_or_null(st, 2, e->action) ||
	    bind_text_or_null(st, 3, e->object) || bind_text_or_null(st, 4, e->before) ||
	    bind_text_or_null(st, 5, e->after) || bind_text_or_null(st, 6, xf_clock_stamp(at)) ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_error(db, errs, "写入审计日志");
out:
	sqlite3_finalize(st);
	return rc;
}

static int lite_blob_put(void *h, const char *key, const void *data, size_t len, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO blobs (key, size, content) VALUES (?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)len) != SQLITE_OK ||
	    sqlite3_bind_blob64(st, 3, len ? data : "", len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		db_error(db, errs, "保存文件内容");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int lite_blob_get(void *h, const char *key, void **data, size_t *len, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(db, "SELECT content FROM blobs WHERE key = ?1", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
		db_error(db, errs, "读取文件内容");
		goto out;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (step != SQLITE_ROW) {
		db_error(db, errs, "读取文件内容");
		goto out;
	}
	const void *b = sqlite3_column_blob(st, 0);
	size_t n = (size_t)sqlite3_column_bytes(st, 0);
	*data = malloc(n ? n : 1);
	if (*data == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (n)
		memcpy(*data, b, n);
	*len = n;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int lite_audit_count(void *h, long long *n, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_log", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_error(db, errs, "读取审计日志");
		goto out;
	}
	*n = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* PRAGMA data_version changes when another connection commits; this
 * connection's own changes show in its total_changes. Mixed into one
 * number (the pair only ever moves forward). */
static int lite_change_token(void *h, uint64_t *token, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_error(db, errs, "读取数据版本 (data_version)");
		sqlite3_finalize(st);
		return -1;
	}
	uint64_t dv = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	*token = (dv << 40) ^ (uint64_t)sqlite3_total_changes64(db);
	return 0;
}

static int lite_check(void *h, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		db_error(db, errs, "完整性检查");
		return -1;
	}
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (line == NULL || strcmp(line, "ok") != 0) {
			xf_errs_add(errs, "完整性检查：%s (integrity check)", line ? line : "?");
			rc = -1;
		}
	}
	if (step != SQLITE_DONE) {
		db_error(db, errs, "完整性检查");
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

static int lite_reset(const char *path, xf_errs *errs)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *f = sqlite3_mprintf("%s%s", path, suffixes[i]);
		if (f == NULL) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			return -1;
		}
		remove(f);
		sqlite3_free(f);
	}
	return 0;
}

/* ---- statements ---- */

/* The store's SQL numbers parameters $1..$n, as PostgreSQL does. To SQLite
 * "$1" is a *named* parameter, numbered by first appearance, so
 * "SET a = $2 WHERE id = $1" would bind the wrong way round; "?1" is
 * positional. Rewrites $N as ?N outside quoted text. Caller frees. */
static char *positional_params(const char *sql)
{
	size_t n = strlen(sql);
	char *out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	char quote = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			c = '?';
		}
		out[i] = c;
	}
	return out;
}

static void *lite_prepare(void *h, const char *sql, xf_errs *errs)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	char *text = positional_params(sql);
	if (text == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	/* PERSISTENT: store.c keeps the statement for reuse (its cache of
	 * finalized statements), so SQLite should not take its memory from
	 * the lookaside meant for short-lived ones. */
	int rc = sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	free(text);
	if (rc != SQLITE_OK) {
		xf_errs_add(errs, "SQLite：语句准备失败：%s (prepare failed)", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

static int lite_bind_text(void *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int lite_bind_int(void *st, int i, long long v)
{
	return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : -1;
}

static int lite_bind_double(void *st, int i, double v)
{
	return sqlite3_bind_double(st, i, v) == SQLITE_OK ? 0 : -1;
}

static int lite_bind_null(void *st, int i)
{
	return sqlite3_bind_null(st, i) == SQLITE_OK ? 0 : -1;
}

static int lite_step(void *st, xf_errs *errs)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return XF_STEP_ROW;
	if (rc == SQLITE_DONE)
		return XF_STEP_DONE;
	xf_errs_add(errs, "SQLite：%s (statement failed)", sqlite3_errmsg(sqlite3_db_handle(st)));
	return XF_STEP_ERROR;
}

static const char *lite_col_text(void *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static long long lite_col_int(void *st, int col)
{
	return sqlite3_column_int64(st, col);
}

static double lite_col_double(void *st, int col)
{
	return sqlite3_column_double(st, col);
}

static int lite_col_is_null(void *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

/* Also what store.c does to a finalized statement before it keeps it: a
 * reset statement holds no read transaction (no lock, no old WAL
 * snapshot pinned). */
static void lite_stmt_reset(void *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void lite_finalize(void *st)
{
	sqlite3_finalize(st);
}

const xf_store_ops xf_store_sqlite_ops = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.schema_version = lite_schema_version,
	.migrate = lite_migrate,
	.audit = lite_audit,
	.blob_put = lite_blob_put,
	.blob_get = lite_blob_get,
	.audit_count = lite_audit_count,
	.check = lite_check,
	.change_token = lite_change_token,
	.reset = lite_reset,
	.prepare = lite_prepare,
	.bind_text = lite_bind_text,
	.bind_int = lite_bind_int,
	.bind_double = lite_bind_double,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.col_text = lite_col_text,
	.col_int = lite_col_int,
	.col_double = lite_col_double,
	.col_is_null = lite_col_is_null,
	.stmt_reset = lite_stmt_reset,
	.finalize = lite_finalize,
};
