/* postgres: the server backend of the store, over libpq. It also serves the
 * domestic databases that speak the PostgreSQL protocol (KingbaseES,
 * openGauss, HighGo).
 *
 * Every statement with values goes through PQexecParams with the values
 * bound as text parameters; PQexec is used only for fixed SQL. A session is
 * set to client_encoding UTF8 and time zone UTC, so stored text and the
 * ISO timestamps written by the column defaults are the same as SQLite's.
 * Server NOTICEs (e.g. "drop cascades to ...") are swallowed, not printed.
 *
 * A statement's result is fetched whole when it runs, so several statements
 * may be stepped in turn on one connection, as with SQLite. Note a
 * difference: an error inside a PostgreSQL transaction aborts the whole
 * transaction; the caller must roll back (commit then fails). */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* The same timestamp text as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ','now'). */
#define PG_NOW "(to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

/* Migration N takes the schema from version N-1 to N; applied in one
 * transaction each, with the version row updated in the same transaction.
 * The meaning is that of sqlite.c's migrations, table for table. */
static const char *const migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES (0);"
	/* Units form a tree: 局 -> 科室, 党委 -> 党支部. */
	"CREATE TABLE units ("
	" id BIGSERIAL PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" parent_id BIGINT REFERENCES units(id),"
	" kind TEXT);"
	"CREATE INDEX units_parent ON units(parent_id);"
	"CREATE TABLE people ("
	" id BIGSERIAL PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"          /* the id used in case files */
	" name TEXT NOT NULL,"
	" staff_no TEXT UNIQUE,"               /* 工号 */
	" id_card TEXT,"                       /* 身份证号, shown masked */
	" phone TEXT,"                         /* 手机号, shown masked */
	" unit_id BIGINT REFERENCES units(id),"
	" role TEXT,"
	" joined TEXT,"                        /* YYYY-MM-DD */
	" active INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX people_unit ON people(unit_id);"
	"CREATE INDEX people_name ON people(name);"
	"CREATE TABLE periods ("
	" id BIGSERIAL PRIMARY KEY,"
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('secondment','sick_leave','leave')),"
	" date_from TEXT NOT NULL,"
	/* COLLATE "C": byte order, as SQLite compares text. */
	" date_to TEXT NOT NULL CHECK (date_to >= date_from COLLATE \"C\"),"
	" participates INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX periods_person ON periods(person_id);"
	"CREATE TABLE person_flags ("
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" year INTEGER NOT NULL,"
	" flag TEXT NOT NULL,"
	" PRIMARY KEY (person_id, year, flag));"
	/* Which policy an organisation (a unit and everything under it) uses
	 * for which year. */
	"CREATE TABLE policy_assignments ("
	" unit_id BIGINT NOT NULL REFERENCES units(id),"
	" year INTEGER NOT NULL,"
	" policy TEXT NOT NULL,"
	" PRIMARY KEY (unit_id, year));"
	/* An import is remembered by the hash of its file, so the same file
	 * imported twice adds nothing the second time. */
	"CREATE TABLE import_batches ("
	" id BIGSERIAL PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" file_name TEXT NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" rows INTEGER NOT NULL,"
	" created_at TEXT NOT NULL DEFAULT " PG_NOW ","
	" created_by TEXT NOT NULL,"
	" UNIQUE (kind, sha256));"
	"CREATE TABLE records ("
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" id BIGINT NOT NULL,"
	" item TEXT NOT NULL,"
	" date TEXT NOT NULL,"
	" level TEXT, count DOUBLE PRECISION, days DOUBLE PRECISION,"
	" months DOUBLE PRECISION, hours DOUBLE PRECISION,"
	" minutes INTEGER, attended_minutes INTEGER, score DOUBLE PRECISION,"
	" passed INTEGER, completed INTEGER, online INTEGER, kind TEXT,"
	" approved INTEGER, awarded INTEGER, speaker INTEGER, activity TEXT,"
	" credits DOUBLE PRECISION,"
	" batch_id BIGINT REFERENCES import_batches(id),"
	" claim_id BIGINT,"
	" PRIMARY KEY (person_id, id));"
	"CREATE INDEX records_batch ON records(batch_id);"
	"CREATE TABLE metrics ("
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" metric TEXT NOT NULL,"
	" month TEXT NOT NULL,"                 /* YYYY-MM */
	" value DOUBLE PRECISION NOT NULL CHECK (value >= 0),"
	" batch_id BIGINT REFERENCES import_batches(id),"
	" PRIMARY KEY (person_id, metric, month));"
	"CREATE TABLE scores ("
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" year INTEGER NOT NULL,"
	" line TEXT NOT NULL,"
	" self DOUBLE PRECISION, review DOUBLE PRECISION,"
	" PRIMARY KEY (person_id, year, line));"
	/* A year's assessment runs and their per-person results are kept, so
	 * look-back rules and year-on-year views work. */
	"CREATE TABLE runs ("
	" id BIGSERIAL PRIMARY KEY,"
	" year INTEGER NOT NULL,"
	" policy TEXT NOT NULL,"
	" unit_id BIGINT REFERENCES units(id),"
	" source TEXT NOT NULL DEFAULT 'assess'," /* assess | import (a case's history) */
	" started_at TEXT NOT NULL DEFAULT " PG_NOW ","
	" finished_at TEXT,"
	" people INTEGER);"
	"CREATE TABLE run_results ("
	" run_id BIGINT NOT NULL REFERENCES runs(id),"
	" person_id BIGINT NOT NULL REFERENCES people(id),"
	" exempt_reason TEXT,"
	" total DOUBLE PRECISION, final DOUBLE PRECISION, required DOUBLE PRECISION,"
	" met INTEGER,"
	" grade TEXT, award_candidate INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL,"               /* the person's result as JSON */
	" PRIMARY KEY (run_id, person_id));"
	/* Every change, who and when, before and after. Append-only: the
	 * database itself refuses to change or remove a row. */
	"CREATE TABLE audit_log ("
	" id BIGSERIAL PRIMARY KEY,"
	" at TEXT NOT NULL DEFAULT " PG_NOW ","
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT,"
	" before TEXT,"
	" after TEXT);"
	"CREATE INDEX audit_actor ON audit_log(actor, at);"
	"CREATE INDEX audit_action ON audit_log(action, at);"
	/* A statement-level trigger: refuses even an UPDATE or DELETE that
	 * matches no row, and TRUNCATE, which row triggers never see.
	 * EXECUTE PROCEDURE is the spelling older servers (and the databases
	 * derived from them) also accept. */
	"CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
	" BEGIN RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP; END $$;"
	"CREATE TRIGGER audit_log_append_only"
	" BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log"
	" FOR EACH STATEMENT EXECUTE PROCEDURE audit_log_append_only();",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The tables migration 1 creates; check() verifies they are all there. */
#define PG_TABLES                                                                        \
	"'schema_version','units','people','periods','person_flags','policy_assignments'," \
	"'import_batches','records','metrics','scores','runs','run_results','audit_log'"

/* Taken by migrate() so that two `xuefen init` at once do not both create
 * the schema: an arbitrary constant, the same for every xuefen. */
#define PG_MIGRATE_LOCK "SELECT pg_advisory_xact_lock(7867750566)"

/* ---- messages ---- */

/* Copies a libpq message onto one line (newlines and tabs become spaces,
 * trailing space dropped) into buf. */
static const char *one_line(const char *m, char *buf, size_t cap)
{
	size_t n = 0;
	bool space = false;
	if (m == NULL)
		m = "?";
	for (; *m && n + 1 < cap; m++) {
		if (*m == '\n' || *m == '\t' || *m == '\r' || *m == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < cap)
			buf[n++] = ' ';
		space = false;
		buf[n++] = *m;
	}
	buf[n] = '\0';
	return buf;
}

/* The message of a failed result: the server's primary message (and its
 * detail), or libpq's own (connection lost, out of memory). */
static void result_error(PGconn *c, const PGresult *r, xf_errs *errs, const char *what)
{
	char buf[1024], det[512];
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	if (primary == NULL) {
		xf_errs_add(errs, "PostgreSQL：%s失败：%s (%s failed)", what,
			    one_line(PQerrorMessage(c), buf, sizeof(buf)), what);
	} else if (detail) {
		xf_errs_add(errs, "PostgreSQL：%s失败：%s（%s） (%s failed)", what,
			    one_line(primary, buf, sizeof(buf)), one_line(detail, det, sizeof(det)),
			    what);
	} else {
		xf_errs_add(errs, "PostgreSQL：%s失败：%s (%s failed)", what,
			    one_line(primary, buf, sizeof(buf)), what);
	}
}

/* Keeps server NOTICEs and WARNINGs off stderr: the command line and the
 * web application print only their own messages. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- fixed SQL ---- */

static bool result_ok(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs fixed SQL (one or more statements). */
static int run_fixed(PGconn *c, const char *sql, xf_errs *errs, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;
	if (!result_ok(r)) {
		result_error(c, r, errs, what);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Runs a query expected to return one row and one column, into *v. */
static int query_int(PGconn *c, const char *sql, long long *v, xf_errs *errs, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(c, r, errs, what);
		goto out;
	}
	if (PQntuples(r) != 1 || PQnfields(r) < 1 || PQgetisnull(r, 0, 0)) {
		xf_errs_add(errs, "PostgreSQL：%s失败：结果应为一行 (%s failed: expected one row)",
			    what, what);
		goto out;
	}
	*v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	rc = 0;
out:
	PQclear(r);
	return rc;
}

/* ---- connection ---- */

/* Connects to url and sets the session up; NULL with a message. */
static PGconn *pg_connect(const char *url, xf_errs *errs)
{
	/* Defaults first, then the URL (expanded from dbname) overrides them. */
	static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {"10", "xuefen", url, NULL};
	char buf[1024];
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		char *shown = xf_store_url_redact(url);
		xf_errs_add(errs, "%s: 无法连接 PostgreSQL：%s (cannot connect)",
			    shown ? shown : "postgresql://",
			    c ? one_line(PQerrorMessage(c), buf, sizeof(buf)) : "out of memory");
		free(shown);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	if (PQsetClientEncoding(c, "UTF8") != 0) {
		xf_errs_add(errs, "PostgreSQL：无法设置 client_encoding=UTF8：%s (cannot set encoding)",
			    one_line(PQerrorMessage(c), buf, sizeof(buf)));
		PQfinish(c);
		return NULL;
	}
	if (run_fixed(c, "SET TIME ZONE 'UTC'", errs, "设置时区") != 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

static void *pg_open(const char *url, xf_store_mode mode, xf_errs *errs)
{
	/* OPEN and CREATE differ only in the schema check store.c makes: the
	 * database itself is created by its administrator. */
	(void)mode;
	return pg_connect(url, errs);
}

static void pg_close(void *h)
{
	PQfinish(h);
}

static int pg_exec(void *h, const char *sql, xf_errs *errs)
{
	return run_fixed(h, sql, errs, "执行");
}

static int pg_begin(void *h, xf_errs *errs)
{
	return run_fixed(h, "BEGIN", errs, "开始事务");
}

static int pg_commit(void *h, xf_errs *errs)
{
	PGconn *c = h;
	PGresult *r = PQexec(c, "COMMIT");
	int rc = 0;
	if (!result_ok(r)) {
		result_error(c, r, errs, "提交事务");
		rc = -1;
	} else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		/* COMMIT of a transaction an error has aborted "succeeds" as a
		 * rollback: that is a failure to the caller. */
		xf_errs_add(errs, "PostgreSQL：事务因先前的错误已回滚，未提交 (the transaction was "
			    "rolled back after an earlier error; nothing committed)");
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static void pg_rollback(void *h)
{
	PQclear(PQexec(h, "ROLLBACK"));
}

static int pg_schema_version(void *h, int *version, xf_errs *errs)
{
	PGconn *c = h;
	long long n = 0;
	*version = 0;
	/* No schema_version table: a new, empty database. */
	if (query_int(c, "SELECT count(*) FROM information_schema.tables"
			 " WHERE table_schema = current_schema() AND table_name = 'schema_version'",
		      &n, errs, "读取结构版本") != 0)
		return -1;
	if (n == 0)
		return 0;
	if (query_int(c, "SELECT version FROM schema_version", &n, errs, "读取结构版本") != 0)
		return -1;
	*version = (int)n;
	return 0;
}

static int set_version(PGconn *c, int v, xf_errs *errs)
{
	char text[16];
	const char *params[1] = {text};
	snprintf(text, sizeof(text), "%d", v);
	PGresult *r = PQexecParams(c, "UPDATE schema_version SET version = $1::integer", 1, NULL,
				   params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		result_error(c, r, errs, "更新结构版本");
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static int pg_migrate(void *h, int from, int to, xf_errs *errs)
{
	PGconn *c = h;
	(void)from; /* re-read under the lock below */
	if (to > NMIGRATIONS) {
		xf_errs_add(errs, "没有到版本 %d 的迁移 (no migration to version %d)", to, to);
		return -1;
	}
	for (int v = 1; v <= to; v++) {
		int found = 0;
		if (pg_begin(c, errs) != 0)
			return -1;
		if (run_fixed(c, PG_MIGRATE_LOCK, errs, "锁定结构迁移") != 0 ||
		    pg_schema_version(c, &found, errs) != 0)
			goto fail;
		if (found >= v) { /* done already, perhaps by another process */
			if (pg_commit(c, errs) != 0)
				goto fail;
			continue;
		}
		if (run_fixed(c, migrations[v - 1], errs, "迁移") != 0 || set_version(c, v, errs) != 0 ||
		    pg_commit(c, errs) != 0)
			goto fail;
		continue;
fail:
		pg_rollback(c);
		xf_errs_add(errs, "迁移到结构版本 %d 失败，数据库未改变 (migration to %d failed; "
			    "nothing changed)", v, v);
		return -1;
	}
	return 0;
}

static int pg_audit(void *h, const xf_audit_entry *e, xf_errs *errs)
{
	PGconn *c = h;
	const char *params[5] = {e->actor, e->action, e->object, e->before, e->after};
	PGresult *r = PQexecParams(c,
				   "INSERT INTO audit_log (actor, action, object, before, after) "
				   "VALUES ($1, $2, $3, $4, $5)",
				   5, NULL, params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		result_error(c, r, errs, "写入审计日志");
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static int pg_audit_count(void *h, long long *n, xf_errs *errs)
{
	return query_int(h, "SELECT count(*) FROM audit_log", n, errs, "读取审计日志");
}

/* PostgreSQL checks its pages itself (and has no integrity_check): this
 * verifies what xuefen relies on — one version row in range, every table,
 * the append-only trigger enabled, no index left invalid. */
static int pg_check(void *h, xf_errs *errs)
{
	PGconn *c = h;
	int rc = 0;
	long long n = 0;
	PGresult *r = PQexec(c, "SELECT t FROM unnest(ARRAY[" PG_TABLES "]) AS t"
				" WHERE to_regclass(t) IS NULL ORDER BY t");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(c, r, errs, "完整性检查");
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		xf_errs_add(errs, "完整性检查：缺少表 %s (integrity check: table missing)",
			    PQgetvalue(r, i, 0));
		rc = -1;
	}
	PQclear(r);
	if (rc != 0)
		return rc;
	long long rows = 0;
	if (query_int(c, "SELECT count(*) FROM schema_version", &rows, errs, "完整性检查") != 0 ||
	    rows != 1 ||
	    query_int(c, "SELECT version FROM schema_version", &n, errs, "完整性检查") != 0 ||
	    n < 1 || n > XF_SCHEMA_VERSION) {
		xf_errs_add(errs, "完整性检查：schema_version 应恰有一行有效版本 (integrity check: "
			    "schema_version must hold exactly one valid row)");
		rc = -1;
	}
	if (query_int(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('audit_log')"
			 " AND NOT tgisinternal AND tgenabled <> 'D'",
		      &n, errs, "完整性检查") != 0 || n < 1) {
		xf_errs_add(errs, "完整性检查：audit_log 的只追加触发器缺失或已禁用 (integrity check: "
			    "the append-only trigger of audit_log is missing or disabled)");
		rc = -1;
	}
	if (query_int(c, "SELECT count(*) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
			 " JOIN pg_namespace s ON s.oid = x.relnamespace"
			 " WHERE s.nspname = current_schema() AND NOT i.indisvalid",
		      &n, errs, "完整性检查") != 0 || n != 0) {
		xf_errs_add(errs, "完整性检查：有 %lld 个无效索引，请 REINDEX (integrity check: invalid "
			    "indexes)", n);
		rc = -1;
	}
	return rc;
}

static int pg_reset(const char *url, xf_errs *errs)
{
	PGconn *c = pg_connect(url, errs);
	if (c == NULL)
		return -1;
	int rc = run_fixed(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", errs, "清空数据库");
	PQfinish(c);
	return rc;
}

/* ---- statements ---- */

/* Parameters are $1..$PG_MAX_PARAMS; values are kept as text, bound when
 * the statement runs. */
#define PG_MAX_PARAMS 100

typedef struct pg_stmt {
	PGconn *conn;
	char *sql;
	int nparams;                 /* the highest index bound */
	char *vals[PG_MAX_PARAMS];   /* NULL binds SQL NULL */
	PGresult *res;               /* the whole result, once run */
	int row;                     /* the current row, -1 before the first */
	bool ran;
} pg_stmt;

static void *pg_prepare(void *h, const char *sql, xf_errs *errs)
{
	/* Not sent to the server yet: a prepared statement would have to be
	 * named (the unnamed one is replaced by every other query) and would
	 * not survive transaction-pooling proxies. Errors in sql show at the
	 * first step. */
	pg_stmt *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->sql = strdup(sql)) == NULL) {
		free(st);
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	st->conn = h;
	st->row = -1;
	return st;
}

/* Sets parameter i to a copy of v (NULL for SQL NULL). */
static int set_param(pg_stmt *st, int i, const char *v)
{
	if (i < 1 || i > PG_MAX_PARAMS)
		return -1;
	char *copy = NULL;
	if (v && (copy = strdup(v)) == NULL)
		return -1;
	free(st->vals[i - 1]);
	st->vals[i - 1] = copy;
	if (i > st->nparams)
		st->nparams = i;
	return 0;
}

static int pg_bind_text(void *h, int i, const char *v)
{
	return set_param(h, i, v);
}

static int pg_bind_int(void *h, int i, long long v)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", v);
	return set_param(h, i, text);
}

static int pg_bind_double(void *h, int i, double v)
{
	char text[64];
	snprintf(text, sizeof(text), "%.17g", v); /* exact round trip */
	return set_param(h, i, text);
}

static int pg_bind_null(void *h, int i)
{
	return set_param(h, i, NULL);
}

static int pg_step(void *h, xf_errs *errs)
{
	pg_stmt *st = h;
	if (!st->ran) {
		st->ran = true;
		st->row = -1;
		st->res = PQexecParams(st->conn, st->sql, st->nparams, NULL,
				       (const char *const *)st->vals, NULL, NULL, 0);
		if (!result_ok(st->res)) {
			result_error(st->conn, st->res, errs, "执行语句");
			PQclear(st->res);
			st->res = NULL;
			return XF_STEP_ERROR;
		}
	}
	if (st->res == NULL)
		return XF_STEP_DONE;
	if (st->row < PQntuples(st->res))
		st->row++;
	return st->row < PQntuples(st->res) ? XF_STEP_ROW : XF_STEP_DONE;
}

/* True when there is a current row with column col. */
static bool has_cell(const pg_stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < PQntuples(st->res) && col >= 0 &&
	       col < PQnfields(st->res);
}

static const char *pg_col_text(void *h, int col)
{
	pg_stmt *st = h;
	if (!has_cell(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static long long pg_col_int(void *h, int col)
{
	const char *v = pg_col_text(h, col);
	if (v == NULL)
		return 0;
	if (strcmp(v, "t") == 0) /* a boolean column */
		return 1;
	return strtoll(v, NULL, 10);
}

static double pg_col_double(void *h, int col)
{
	const char *v = pg_col_text(h, col);
	return v ? strtod(v, NULL) : 0.0;
}

static int pg_col_is_null(void *h, int col)
{
	pg_stmt *st = h;
	return !has_cell(st, col) || PQgetisnull(st->res, st->row, col);
}

static void pg_stmt_reset(void *h)
{
	pg_stmt *st = h;
	for (int i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
	st->nparams = 0;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->ran = false;
}

static void pg_finalize(void *h)
{
	pg_stmt *st = h;
	if (st == NULL)
		return;
	pg_stmt_reset(st);
	free(st->sql);
	free(st);
}

const xf_store_ops xf_store_postgres_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.schema_version = pg_schema_version,
	.migrate = pg_migrate,
	.audit = pg_audit,
	.audit_count = pg_audit_count,
	.check = pg_check,
	.reset = pg_reset,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.col_is_null = pg_col_is_null,
	.stmt_reset = pg_stmt_reset,
	.finalize = pg_finalize,
};
