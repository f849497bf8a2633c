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
 * Results: inside a transaction, a statement that returns rows (SELECT or
 * WITH) is streamed through a server-side cursor (DECLARE xf_cN NO SCROLL
 * CURSOR, then FETCH PG_FETCH_ROWS at a time), so a scan of a million
 * people holds one batch in memory, and several scans may be open at once,
 * stepped in turn and interleaved with writes on the same connection, as
 * with SQLite. Outside a transaction (where a cursor cannot live) the
 * result is fetched whole: those are small look-ups.
 *
 * A statement run a second time (reset and stepped again, as the importers
 * do once per row, or finalized and taken back from store.c's statement
 * cache by the next prepare of the same SQL, as every request does) is
 * prepared on the server (xf_sN) and from then on only executed, which
 * saves the parse and plan of every run for the life of the connection;
 * one run once costs no extra round trip. A server-side statement is not
 * transactional: it survives a rollback, and one whose PQprepare failed
 * (in an aborted transaction, say) was never made, so st->prepared is set
 * only on success. After a transaction that failed, the cached (idle)
 * statements are deallocated nonetheless: the connection is then as a
 * fresh one (tests/unit/store/test_pg_stream.c holds us to that), and
 * they are prepared again at their next reuse. A new server session (a
 * connection reset; nothing here resets one today, but libpq's PQreset
 * keeps the PGconn) has none of the old one's statements: each records
 * the backend's process id it was prepared in, and one that is missing
 * all the same (DEALLOCATE ALL by someone else) is prepared again once
 * where that aborts nothing (outside a transaction). SELECTs inside a
 * transaction stream through cursors declared over the SQL text (a cursor
 * cannot be declared over a prepared statement), so they are parsed and
 * planned each run whatever the cache holds.
 *
 * Note a difference: an error inside a PostgreSQL transaction aborts the
 * whole transaction; the caller must roll back (commit then fails). */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "store/schema.h"
#include "store/store.h"

/* The same timestamp text as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ','now'). */
#define PG_NOW "(to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

/* A row trigger on table T whose rows are dated by expression D (of
 * NEW./OLD. columns): see migration 3. */
#define PG_ARCHIVE_TRIGGERS(T, D)                                                          \
	"CREATE FUNCTION " T "_archived() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"    \
	" IF TG_OP <> 'INSERT' AND " XF_ARCHIVED_SQL("OLD.person_id", "OLD." D) " THEN"    \
	"  RAISE EXCEPTION 'archived period is read-only (该期间已归档)'; END IF;"          \
	" IF TG_OP <> 'DELETE' AND " XF_ARCHIVED_SQL("NEW.person_id", "NEW." D) " THEN"    \
	"  RAISE EXCEPTION 'archived period is read-only (该期间已归档)'; END IF;"          \
	" IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;"                \
	"CREATE TRIGGER " T "_archived BEFORE INSERT OR UPDATE OR DELETE ON " T            \
	" FOR EACH ROW EXECUTE PROCEDURE " T "_archived();"

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
	/* 2: accounts, roles and sessions for `xuefen serve`. */
	XF_MIGRATION_2("BIGSERIAL PRIMARY KEY", "BIGINT", ""),
	/* 3: the workflow (schema.h), and the triggers that keep archived
	 * periods read-only (as in sqlite.c). */
	XF_MIGRATION_3("BIGSERIAL PRIMARY KEY", "BIGINT", "DOUBLE PRECISION", "")
	PG_ARCHIVE_TRIGGERS("records", "date")
	PG_ARCHIVE_TRIGGERS("metrics", "month || '-01'"),
	/* 4: content kept in the database (evidence files; schema.h); and the
	 * codes lists are ordered by — unit and person codes, a run's policy —
	 * compared as bytes, as SQLite compares them, whatever the database's
	 * locale: every ORDER BY on them gives the same order on both backends
	 * without a collation in the query. */
	XF_MIGRATION_4("BIGINT", "BYTEA")
	"ALTER TABLE units ALTER COLUMN code TYPE TEXT COLLATE \"C\";"
	"ALTER TABLE people ALTER COLUMN code TYPE TEXT COLLATE \"C\";"
	"ALTER TABLE runs ALTER COLUMN policy TYPE TEXT COLLATE \"C\";",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The tables migration 1 creates; check() verifies they are all there. */
#define PG_TABLES                                                                        \
	"'schema_version','units','people','periods','person_flags','policy_assignments'," \
	"'import_batches','records','metrics','scores','runs','run_results','audit_log'," \
	"'users','user_roles','login_attempts','sessions'"

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

/* Finishes a command's result r: 0, or -1 with the message of `what`
 * failing; r is cleared either way. */
static int result_done(PGconn *c, PGresult *r, xf_errs *errs, const char *what)
{
	int rc = 0;
	if (!result_ok(r)) {
		result_error(c, r, errs, what);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Runs fixed SQL (one or more statements). */
static int run_fixed(PGconn *c, const char *sql, xf_errs *errs, const char *what)
{
	return result_done(c, PQexec(c, sql), errs, what);
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

#define PG_FETCH_ROWS 1000  /* rows per FETCH from a cursor */
#define PG_CLOSE_BATCH 32   /* exhausted cursors closed together, in one round trip */
#define PG_DEALLOC_MAX 64   /* prepared statements waiting for their DEALLOCATE */

typedef struct pg_stmt pg_stmt;

/* A connection and what its statements share. Transactions are tracked
 * here (begin/commit/rollback) because a cursor can only be declared in a
 * transaction and lives only as long as it. */
typedef struct pg_db {
	PGconn *conn;                 /* NULL once closed */
	bool in_tx;                   /* between begin and commit/rollback */
	unsigned long long tx;        /* counts begins: which transaction a cursor lives in */
	unsigned long long cursors;   /* the last cursor name given: xf_c1, xf_c2, ... */
	unsigned long long prepared;  /* the last prepared statement name given: xf_s1, ... */
	size_t nstmts;                /* statements not yet finalized */
	pg_stmt *stmts;               /* all of them (cached ones included), linked */
	int pid;                      /* the server process of the session (PQbackendPID) */
	bool closed;                  /* pg_close ran: the last finalize frees this */
	/* Exhausted cursors of the current transaction not yet closed: they
	 * hold no more rows, so they are closed PG_CLOSE_BATCH at a time
	 * rather than with a round trip each (the transaction's end closes
	 * the rest). A cursor with rows left is closed at once. */
	unsigned long long to_close[PG_CLOSE_BATCH];
	int nto_close;
	/* Prepared statements finalized (evicted from store.c's cache, or
	 * forgotten after a failed transaction), deallocated together outside
	 * any transaction block: when the queue is full or a transaction
	 * ends. What is left at close goes with the session. */
	unsigned long long to_dealloc[PG_DEALLOC_MAX];
	int nto_dealloc;
} pg_db;

/* Runs "VERB PREFIXid;" for each of ids[0..n-1] in one round trip, errors
 * ignored (the caller has checked the transaction is in a state to take
 * them; a failure leaves nothing worse than an object kept a little
 * longer). */
static void run_names(PGconn *c, const char *verb, const char *prefix,
		      const unsigned long long *ids, int n)
{
	char sql[PG_DEALLOC_MAX * 48];
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		int w = snprintf(sql + len, sizeof(sql) - len, "%s %s%llu;", verb, prefix, ids[i]);
		if (w < 0 || (size_t)w >= sizeof(sql) - len)
			break; /* cannot happen with the sizes above; never send a cut name */
		len += (size_t)w;
	}
	if (len > 0)
		PQclear(PQexec(c, sql));
}

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
	pg_db *db = calloc(1, sizeof(*db));
	if (db == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	db->conn = pg_connect(url, errs);
	if (db->conn == NULL) {
		free(db);
		return NULL;
	}
	db->pid = PQbackendPID(db->conn);
	return db;
}

/* Disconnects (the server drops the session's cursors and prepared
 * statements). A statement not yet finalized keeps the pg_db alive, inert,
 * until its finalize. */
static void pg_close(void *h)
{
	pg_db *db = h;
	PQfinish(db->conn);
	db->conn = NULL;
	db->closed = true;
	if (db->nstmts == 0)
		free(db);
}

static int pg_exec(void *h, const char *sql, xf_errs *errs)
{
	pg_db *db = h;
	return run_fixed(db->conn, sql, errs, "执行");
}

static int pg_begin(void *h, xf_errs *errs)
{
	pg_db *db = h;
	if (run_fixed(db->conn, "BEGIN", errs, "开始事务") != 0)
		return -1;
	db->in_tx = true;
	db->tx++;
	db->nto_close = 0;
	return 0;
}

/* Notices a new server session (a connection reset: same PGconn, another
 * backend process): the old session's cursors and statements are gone,
 * and nothing queued for it must be sent to the new one. True when the
 * session is the one the statements were made in. */
static bool same_session(pg_db *db)
{
	int pid = PQbackendPID(db->conn);
	if (pid == db->pid)
		return true;
	db->pid = pid;
	db->nto_close = 0;
	db->nto_dealloc = 0;
	return false;
}

/* Sends the queued DEALLOCATEs, in one round trip, when outside a
 * transaction block: inside one, a DEALLOCATE that failed (a statement
 * gone with a reset) would abort the caller's transaction. */
static void dealloc_flush(pg_db *db)
{
	if (db->nto_dealloc == 0 || db->conn == NULL || !same_session(db) ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		return;
	run_names(db->conn, "DEALLOCATE", "xf_s", db->to_dealloc, db->nto_dealloc);
	db->nto_dealloc = 0;
}

/* Queues statement xf_s<id> for DEALLOCATE. With the queue full inside a
 * transaction it is left on the server until the connection closes (a
 * name is never given twice, so that costs only the server's memory). */
static void dealloc_later(pg_db *db, unsigned long long id)
{
	if (db->nto_dealloc == PG_DEALLOC_MAX)
		dealloc_flush(db);
	if (db->nto_dealloc < PG_DEALLOC_MAX)
		db->to_dealloc[db->nto_dealloc++] = id;
}

static void prepared_release(pg_stmt *st);
static void forget_idle(pg_db *db);

/* The transaction is over, committed or not: its cursors went with it.
 * After one that failed, the cached statements' server-side statements
 * are forgotten (see the top of the file); then the queued DEALLOCATEs
 * are sent. */
static void tx_ended(pg_db *db, bool failed)
{
	db->in_tx = false;
	db->nto_close = 0;
	if (failed)
		forget_idle(db);
	dealloc_flush(db);
}

static int pg_commit(void *h, xf_errs *errs)
{
	pg_db *db = h;
	PGconn *c = db->conn;
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
	tx_ended(db, rc != 0); /* a failed COMMIT ends the transaction too */
	return rc;
}

static void pg_rollback(void *h)
{
	pg_db *db = h;
	bool failed = PQtransactionStatus(db->conn) == PQTRANS_INERROR;
	PQclear(PQexec(db->conn, "ROLLBACK"));
	tx_ended(db, failed);
}

static int pg_schema_version(void *h, int *version, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
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

/* Every commit of a writing transaction changes the server's snapshot
 * (the transaction leaves the in-progress list, or the next id moves past
 * it), so the snapshot's text, hashed, is a change token. Other databases
 * of the cluster and vacuum move it too: that only costs a cache miss.
 * txid_current_snapshot() is the spelling older servers and their
 * derivatives also have. */
static int pg_change_token(void *h, uint64_t *token, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
	PGresult *r = PQexecParams(c, "SELECT txid_current_snapshot()::text", 0, NULL, NULL, NULL,
				   NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		result_error(c, r, errs, "读取数据版本");
	} else {
		uint64_t hsh = 1469598103934665603ull;
		for (const char *p = PQgetvalue(r, 0, 0); *p; p++)
			hsh = (hsh ^ (unsigned char)*p) * 1099511628211ull;
		*token = hsh;
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int set_version(PGconn *c, int v, xf_errs *errs)
{
	char text[16];
	const char *params[1] = {text};
	snprintf(text, sizeof(text), "%d", v);
	return result_done(c,
			   PQexecParams(c, "UPDATE schema_version SET version = $1::integer", 1, NULL,
					params, NULL, NULL, 0),
			   errs, "更新结构版本");
}

static int pg_migrate(void *h, int from, int to, xf_errs *errs)
{
	pg_db *db = h;
	PGconn *c = db->conn;
	(void)from; /* re-read under the lock below */
	if (to > NMIGRATIONS) {
		xf_errs_add(errs, "没有到版本 %d 的迁移 (no migration to version %d)", to, to);
		return -1;
	}
	for (int v = 1; v <= to; v++) {
		int found = 0;
		if (pg_begin(db, errs) != 0)
			return -1;
		if (run_fixed(c, PG_MIGRATE_LOCK, errs, "锁定结构迁移") != 0 ||
		    pg_schema_version(db, &found, errs) != 0)
			goto fail;
		if (found >= v) { /* done already, perhaps by another process */
			if (pg_commit(db, errs) != 0)
				goto fail;
			continue;
		}
		if (run_fixed(c, migrations[v - 1], errs, "迁移") != 0 || set_version(c, v, errs) != 0 ||
		    pg_commit(db, errs) != 0)
			goto fail;
		continue;
fail:
		pg_rollback(db);
		xf_errs_add(errs, "迁移到结构版本 %d 失败，数据库未改变 (migration to %d failed; "
			    "nothing changed)", v, v);
		return -1;
	}
	return 0;
}

static int pg_audit(void *h, const xf_audit_entry *e, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
	char at[32];
	const char *params[6] = {e->actor, e->action, e->object, e->before, e->after,
				 xf_clock_stamp(at)};
	return result_done(c,
			   PQexecParams(c,
					"INSERT INTO audit_log (actor, action, object, before, after, at) "
					"VALUES ($1, $2, $3, $4, $5, $6)",
					6, NULL, params, NULL, NULL, 0),
			   errs, "写入审计日志");
}

/* The content goes as a binary parameter and comes back as a binary
 * result: no hex text twice its size on either way. */
static int pg_blob_put(void *h, const char *key, const void *data, size_t len, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
	if (len > (size_t)INT32_MAX) {
		xf_errs_add(errs, "文件过大，无法存入数据库 (content too large)");
		return -1;
	}
	char size[32];
	snprintf(size, sizeof(size), "%zu", len);
	const char *params[3] = {key, size, len ? data : ""};
	const int lengths[3] = {0, 0, (int)len};
	const int formats[3] = {0, 0, 1};
	return result_done(c,
			   PQexecParams(c,
					"INSERT INTO blobs (key, size, content)"
					" VALUES ($1, $2::bigint, $3::bytea) ON CONFLICT (key) DO NOTHING",
					3, NULL, params, lengths, formats, 0),
			   errs, "保存文件内容");
}

static int pg_blob_get(void *h, const char *key, void **data, size_t *len, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
	const char *params[1] = {key};
	PGresult *r = PQexecParams(c, "SELECT content FROM blobs WHERE key = $1", 1, NULL, params,
				   NULL, NULL, 1);
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(c, r, errs, "读取文件内容");
	} else if (PQntuples(r) == 0) {
		rc = 1;
	} else {
		size_t n = (size_t)PQgetlength(r, 0, 0);
		*data = malloc(n ? n : 1);
		if (*data == NULL) {
			xf_errs_add(errs, "内存不足 (out of memory)");
		} else {
			if (n)
				memcpy(*data, PQgetvalue(r, 0, 0), n);
			*len = n;
			rc = 0;
		}
	}
	PQclear(r);
	return rc;
}

static int pg_audit_count(void *h, long long *n, xf_errs *errs)
{
	return query_int(((pg_db *)h)->conn, "SELECT count(*) FROM audit_log", n, errs, "读取审计日志");
}

/* PostgreSQL checks its pages itself (and has no integrity_check): this
 * verifies what xuefen relies on — one version row in range, every table,
 * the append-only trigger enabled, no index left invalid. */
static int pg_check(void *h, xf_errs *errs)
{
	PGconn *c = ((pg_db *)h)->conn;
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

struct pg_stmt {
	pg_db *db;
	char *sql;
	bool rows;                   /* SELECT or WITH: streamed inside a transaction */
	int nparams;                 /* the highest index bound */
	char *vals[PG_MAX_PARAMS];   /* NULL binds SQL NULL */
	PGresult *res;               /* the whole result, or the cursor's current batch */
	int row;                     /* the current row of res, -1 before the first */
	bool ran;
	unsigned runs;               /* runs without a cursor; the second prepares it */
	unsigned long long prepared; /* its server-side statement xf_sN, 0 for none */
	int prepared_pid;            /* the session (pg_db.pid) it was prepared in */
	bool idle;                   /* in store.c's cache, reset: nobody holds it */
	pg_stmt *prev, *next;        /* in db->stmts */
	unsigned long long cursor;   /* its open cursor xf_cN, 0 for none */
	unsigned long long cursor_tx;/* the transaction (pg_db.tx) the cursor lives in */
	bool cursor_end;             /* the cursor has given its last row */
};

/* True when sql begins, after white space, with the word SELECT or WITH. */
static bool returns_rows(const char *sql)
{
	static const char *const words[] = {"SELECT", "WITH"};
	while (isspace((unsigned char)*sql))
		sql++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(sql, words[i], n) == 0 &&
		    !(isalnum((unsigned char)sql[n]) || sql[n] == '_'))
			return true;
	}
	return false;
}

static void *pg_prepare(void *h, const char *sql, xf_errs *errs)
{
	/* Not sent to the server yet: errors in sql show at the first step,
	 * and a statement run only once costs one round trip (see
	 * run_whole). */
	pg_db *db = h;
	pg_stmt *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->sql = strdup(sql)) == NULL) {
		free(st);
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	st->db = db;
	st->rows = returns_rows(sql);
	st->row = -1;
	st->next = db->stmts;
	if (db->stmts)
		db->stmts->prev = st;
	db->stmts = st;
	db->nstmts++;
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

/* True when r failed because its prepared statement does not exist on
 * the server (SQLSTATE 26000: DEALLOCATE ALL or DISCARD run behind our
 * back). */
static bool statement_missing(const PGresult *r)
{
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return code && strcmp(code, "26000") == 0;
}

/* Prepares st on the server as the next xf_sN. NULL on success, else the
 * failed result (its message is the statement's error). */
static PGresult *prepare_on_server(pg_stmt *st)
{
	pg_db *db = st->db;
	unsigned long long id = db->prepared + 1;
	char name[32];
	snprintf(name, sizeof(name), "xf_s%llu", id);
	/* Parameter types are left to the server, as PQexecParams does. */
	PGresult *r = PQprepare(db->conn, name, st->sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return r; /* not made: st stays unprepared, the name free */
	PQclear(r);
	db->prepared = id;
	st->prepared = id;
	st->prepared_pid = db->pid;
	return NULL;
}

/* Runs st whole, its result in one PGresult (never NULL-checked by the
 * caller beyond result_ok). The first run sends the SQL with its values
 * (parse, plan, execute in one round trip); the second prepares it as
 * xf_sN, and every run from then on, in this xf_stmt or a later one that
 * takes it from the cache, only executes it. */
static PGresult *run_whole(pg_stmt *st)
{
	pg_db *db = st->db;
	const char *const *vals = (const char *const *)st->vals;
	char name[32];
	if (!same_session(db) || st->prepared_pid != db->pid)
		st->prepared = 0; /* made in a session that is gone */
	if (st->prepared == 0 && st->runs++ == 0)
		return PQexecParams(db->conn, st->sql, st->nparams, NULL, vals, NULL, NULL, 0);
	for (int attempt = 0;; attempt++) {
		if (st->prepared == 0) {
			PGresult *failed = prepare_on_server(st);
			if (failed)
				return failed;
		}
		snprintf(name, sizeof(name), "xf_s%llu", st->prepared);
		PGresult *r = PQexecPrepared(db->conn, name, st->nparams, vals, NULL, NULL, 0);
		/* Gone from the server: prepared again, once, where the failure
		 * aborted nothing (outside a transaction block; inside one the
		 * caller's transaction has failed and must roll back). */
		if (attempt == 0 && statement_missing(r) &&
		    PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
			PQclear(r);
			st->prepared = 0;
			continue;
		}
		return r;
	}
}

/* Declares st's cursor over its SQL with its values. 0, or -1 with a
 * message. */
static int cursor_open(pg_stmt *st, xf_errs *errs)
{
	pg_db *db = st->db;
	unsigned long long id = db->cursors + 1;
	char head[64];
	int n = snprintf(head, sizeof(head), "DECLARE xf_c%llu NO SCROLL CURSOR FOR ", id);
	size_t len = strlen(st->sql);
	char *sql = malloc((size_t)n + len + 1);
	if (sql == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return -1;
	}
	memcpy(sql, head, (size_t)n);
	memcpy(sql + n, st->sql, len + 1);
	PGresult *r = PQexecParams(db->conn, sql, st->nparams, NULL, (const char *const *)st->vals,
				   NULL, NULL, 0);
	free(sql);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		result_error(db->conn, r, errs, "执行语句");
		rc = -1;
	} else {
		db->cursors = id;
		st->cursor = id;
		st->cursor_tx = db->tx;
		st->cursor_end = false;
	}
	PQclear(r);
	return rc;
}

/* Replaces st's batch by the next PG_FETCH_ROWS rows of its cursor (fewer
 * at the end). 0, or -1 with a message (st then has no rows). */
static int cursor_fetch(pg_stmt *st, xf_errs *errs)
{
	pg_db *db = st->db;
	char sql[64];
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	if (!db->in_tx || st->cursor_tx != db->tx) {
		st->cursor_end = true;
		xf_errs_add(errs, "PostgreSQL：读取结果失败：语句所在的事务已结束 (fetch failed: the "
			    "statement's transaction has ended)");
		return -1;
	}
	snprintf(sql, sizeof(sql), "FETCH %d FROM xf_c%llu", PG_FETCH_ROWS, st->cursor);
	st->res = PQexec(db->conn, sql);
	if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
		result_error(db->conn, st->res, errs, "读取结果");
		PQclear(st->res);
		st->res = NULL;
		st->cursor_end = true;
		return -1;
	}
	if (PQntuples(st->res) < PG_FETCH_ROWS)
		st->cursor_end = true;
	return 0;
}

/* Lets go of st's cursor. Nothing to send when its transaction is over
 * (the cursor went with it) or has failed (the server refuses everything
 * until the rollback, which drops it). An exhausted cursor joins the
 * batch closed together; one with rows left (its sort and scan still held
 * by the server) is closed at once. */
static void cursor_release(pg_stmt *st)
{
	pg_db *db = st->db;
	unsigned long long id = st->cursor;
	st->cursor = 0;
	if (id == 0 || db->conn == NULL || !db->in_tx || st->cursor_tx != db->tx ||
	    PQtransactionStatus(db->conn) != PQTRANS_INTRANS)
		return;
	if (!st->cursor_end) {
		run_names(db->conn, "CLOSE", "xf_c", &id, 1);
		return;
	}
	db->to_close[db->nto_close++] = id;
	if (db->nto_close == PG_CLOSE_BATCH) {
		run_names(db->conn, "CLOSE", "xf_c", db->to_close, db->nto_close);
		db->nto_close = 0;
	}
}

/* Lets go of st's prepared statement: queued for DEALLOCATE (see
 * dealloc_later); nothing when the connection or its session is gone. */
static void prepared_release(pg_stmt *st)
{
	pg_db *db = st->db;
	unsigned long long id = st->prepared;
	st->prepared = 0;
	if (id == 0 || db->conn == NULL || !same_session(db) || st->prepared_pid != db->pid)
		return;
	dealloc_later(db, id);
}

/* After a failed transaction: the statements in store.c's cache let go of
 * their server-side statements (prepared again at their next reuse).
 * Those a caller holds keep theirs: they exist and may run again. */
static void forget_idle(pg_db *db)
{
	for (pg_stmt *st = db->stmts; st; st = st->next)
		if (st->idle)
			prepared_release(st);
}

static void pg_stmt_idle(void *h, bool idle)
{
	((pg_stmt *)h)->idle = idle;
}

static int pg_step(void *h, xf_errs *errs)
{
	pg_stmt *st = h;
	pg_db *db = st->db;
	if (!st->ran) {
		st->ran = true;
		st->row = -1;
		if (db->conn == NULL) {
			xf_errs_add(errs, "PostgreSQL：执行语句失败：连接已关闭 (the connection is closed)");
			return XF_STEP_ERROR;
		}
		/* A cursor only inside a transaction block (DECLARE refuses one
		 * outside; the server's own state is checked too). */
		if (st->rows && db->in_tx && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
			if (cursor_open(st, errs) != 0 || cursor_fetch(st, errs) != 0)
				return XF_STEP_ERROR;
		} else {
			st->res = run_whole(st);
			if (!result_ok(st->res)) {
				result_error(db->conn, st->res, errs, "执行语句");
				PQclear(st->res);
				st->res = NULL;
				return XF_STEP_ERROR;
			}
		}
	}
	for (;;) {
		if (st->res == NULL)
			return XF_STEP_DONE;
		if (st->row < PQntuples(st->res))
			st->row++;
		if (st->row < PQntuples(st->res))
			return XF_STEP_ROW;
		if (st->cursor == 0 || st->cursor_end)
			return XF_STEP_DONE;
		/* The batch is used up: the previous row's text goes now. */
		if (cursor_fetch(st, errs) != 0)
			return XF_STEP_ERROR;
	}
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

/* Clears values and result; closes the cursor (the prepared statement is
 * kept for the next run). */
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
	cursor_release(st);
}

static void pg_finalize(void *h)
{
	pg_stmt *st = h;
	if (st == NULL)
		return;
	pg_db *db = st->db;
	pg_stmt_reset(st);
	prepared_release(st);
	if (st->prev)
		st->prev->next = st->next;
	else
		db->stmts = st->next;
	if (st->next)
		st->next->prev = st->prev;
	free(st->sql);
	free(st);
	db->nstmts--;
	if (db->closed && db->nstmts == 0)
		free(db);
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
	.blob_put = pg_blob_put,
	.blob_get = pg_blob_get,
	.audit_count = pg_audit_count,
	.check = pg_check,
	.change_token = pg_change_token,
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
	.stmt_idle = pg_stmt_idle,
};
