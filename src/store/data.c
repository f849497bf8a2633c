/* data: domain rows over xf_stmt, one SQL text for both backends. Each
 * statement is prepared on first use and kept for the life of the xf_data. */
#include "store/data.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	Q_BATCH_FIND, Q_BATCH_ADD, Q_UNIT, Q_UNIT_PARENT, Q_ASSIGN, Q_PERSON, Q_PERIODS_DEL,
	Q_PERIOD_ADD, Q_FLAGS_DEL, Q_FLAG_ADD, Q_PERSON_LOCK, Q_RECORD_NEXT, Q_RECORD_ADD,
	Q_METRIC, Q_SCORE, Q_RUN_BEGIN, Q_RUN_RESULT, Q_RUN_FINISH,
	Q_IMPORTED_RUN_FIND, Q_PERSON_UPDATE, Q_COUNT
};

/* The multi-row writes (xf_data_queue_*) repeat the VALUES row of these
 * two statements, so their SQL is kept in pieces. */
#define METRIC_HEAD "INSERT INTO metrics (person_id, metric, month, value, batch_id) VALUES "
#define METRIC_TAIL " ON CONFLICT (person_id, metric, month) " \
		    "DO UPDATE SET value = excluded.value, batch_id = excluded.batch_id"
#define METRIC_COLS 5
/* In a batch every row has the same metric and import batch, bound once as
 * $1 and $2; each row binds its person, month and value. */
static const int metric_row[METRIC_COLS] = {0, 1, 0, 0, 2};
#define METRIC_SHARED 2
#define METRIC_ROW_PARAMS 3
#define RECORD_HEAD "INSERT INTO records (person_id, id, item, date, level, count, days, months, " \
		    "hours, minutes, attended_minutes, score, passed, completed, online, kind, " \
		    "approved, awarded, speaker, activity, credits, batch_id) VALUES "
#define RECORD_COLS 22
static const int record_row[RECORD_COLS] = {0}; /* every value per row */

/* Parameters one statement may bind. SQLite allows 32766 and PostgreSQL's
 * protocol 65535, but the PostgreSQL backend keeps $1..$100 per statement
 * (PG_MAX_PARAMS in postgres.c), so a batch is as many rows as fit in 100:
 * 32 metrics or 4 records. Raise both together. */
#define MAX_PARAMS 100
#define METRIC_BATCH ((MAX_PARAMS - METRIC_SHARED) / METRIC_ROW_PARAMS)
#define RECORD_BATCH (MAX_PARAMS / RECORD_COLS)
#define METRIC_SLOTS 64 /* hash slots for the pending metric keys, >= 2 x batch */
_Static_assert(METRIC_SLOTS >= 2 * METRIC_BATCH && (METRIC_SLOTS & (METRIC_SLOTS - 1)) == 0,
	       "METRIC_SLOTS: a power of two at least twice METRIC_BATCH");
_Static_assert(RECORD_BATCH >= 1, "a record must fit in one statement");

static const char *const sql[Q_COUNT] = {
	[Q_BATCH_FIND] = "SELECT id FROM import_batches WHERE kind = $1 AND sha256 = $2",
	[Q_BATCH_ADD] = "INSERT INTO import_batches (kind, file_name, sha256, rows, created_by) "
			"VALUES ($1, $2, $3, $4, $5) RETURNING id",
	[Q_UNIT] = "INSERT INTO units (code, name) VALUES ($1, COALESCE(CAST($2 AS TEXT), $1)) "
		   "ON CONFLICT (code) DO UPDATE SET name = COALESCE(CAST($2 AS TEXT), units.name)"
		   " RETURNING id",
	[Q_UNIT_PARENT] = "UPDATE units SET parent_id = $2 WHERE id = $1",
	[Q_ASSIGN] = "INSERT INTO policy_assignments (unit_id, year, policy) VALUES ($1, $2, $3) "
		     "ON CONFLICT (unit_id, year) DO UPDATE SET policy = excluded.policy",
	[Q_PERSON] = "INSERT INTO people (code, name, staff_no, id_card, phone, unit_id, role, joined) "
		     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
		     "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
		     "staff_no = excluded.staff_no, id_card = excluded.id_card, "
		     "phone = excluded.phone, unit_id = excluded.unit_id, role = excluded.role, "
		     "joined = excluded.joined RETURNING id",
	[Q_PERIODS_DEL] = "DELETE FROM periods WHERE person_id = $1",
	[Q_PERIOD_ADD] = "INSERT INTO periods (person_id, kind, date_from, date_to, participates) "
			 "VALUES ($1, $2, $3, $4, $5)",
	[Q_FLAGS_DEL] = "DELETE FROM person_flags WHERE person_id = $1 AND year = $2",
	[Q_FLAG_ADD] = "INSERT INTO person_flags (person_id, year, flag) VALUES ($1, $2, $3) "
		       "ON CONFLICT DO NOTHING",
	/* A no-op write that takes the person's row lock (PostgreSQL) until the
	 * transaction ends, so two transactions adding records to one person
	 * (two approvals at once) take the next id one after the other. On
	 * SQLite the writer lock already serialises them. */
	[Q_PERSON_LOCK] = "UPDATE people SET id = id WHERE id = $1",
	[Q_RECORD_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM records WHERE person_id = $1",
	[Q_RECORD_ADD] = RECORD_HEAD "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
			 "$15, $16, $17, $18, $19, $20, $21, $22)",
	[Q_METRIC] = METRIC_HEAD "($1, $2, $3, $4, $5)" METRIC_TAIL,
	[Q_SCORE] = "INSERT INTO scores (person_id, year, line, self, review) VALUES ($1, $2, $3, $4, $5) "
		    "ON CONFLICT (person_id, year, line) DO UPDATE SET self = excluded.self, "
		    "review = excluded.review",
	[Q_RUN_BEGIN] = "INSERT INTO runs (year, policy, unit_id, source) VALUES ($1, $2, $3, $4) "
			"RETURNING id",
	[Q_RUN_RESULT] = "INSERT INTO run_results (run_id, person_id, exempt_reason, total, final, "
			 "required, met, grade, award_candidate, result) VALUES ($1, $2, $3, $4, $5, "
			 "$6, $7, $8, $9, $10) ON CONFLICT (run_id, person_id) DO UPDATE SET "
			 "exempt_reason = excluded.exempt_reason, total = excluded.total, "
			 "final = excluded.final, required = excluded.required, met = excluded.met, "
			 "grade = excluded.grade, award_candidate = excluded.award_candidate, "
			 "result = excluded.result",
	[Q_RUN_FINISH] = "UPDATE runs SET people = $2, finished_at = $3 WHERE id = $1",
	[Q_PERSON_UPDATE] = "UPDATE people SET name = $2, staff_no = COALESCE($3, staff_no),"
			    " id_card = COALESCE($4, id_card), phone = COALESCE($5, phone),"
			    " unit_id = $6, role = COALESCE($7, role), joined = COALESCE($8, joined)"
			    " WHERE id = $1",
	[Q_IMPORTED_RUN_FIND] = "SELECT id FROM runs WHERE year = $1 AND policy = $2 "
				"AND source = 'import' ORDER BY id DESC LIMIT 1",
};

/* Strings of queued rows, copied into one buffer per queue (emptied at
 * each flush, so it holds at most one batch). Rows keep offsets, since the
 * buffer moves as it grows. */
#define NO_TEXT ((size_t)-1)
typedef struct text_buf {
	char *p;
	size_t n, cap;
} text_buf;

typedef struct queued_metric {
	long long person_id;
	double value;
	size_t month; /* offset into the metric text_buf */
} queued_metric;

typedef struct queued_record {
	long long person_id, id, batch_id;
	xf_record_row r;      /* its strings are NULL: see text */
	size_t text[5];       /* item, date, level, kind, activity: offsets or NO_TEXT */
} queued_record;

struct xf_data {
	xf_store *s;
	xf_stmt *st[Q_COUNT];

	/* Queued metrics, all of metric qmetric (an offset into mtext) and
	 * import batch qbatch: at most one per key (a later value replaces an
	 * earlier one, as a second upsert would), found by key in slots
	 * (index + 1, 0 empty). */
	queued_metric metrics[METRIC_BATCH];
	size_t qmetric;
	long long qbatch;
	size_t nmetrics;
	unsigned char slots[METRIC_SLOTS];
	text_buf mtext;
	xf_stmt *metric_batch;  /* METRIC_BATCH rows */

	queued_record records[RECORD_BATCH];
	size_t nrecords;
	text_buf rtext;
	xf_stmt *record_batch;  /* RECORD_BATCH rows */
};
_Static_assert(METRIC_BATCH < 256, "slots hold an index + 1 in a byte");

xf_data *xf_data_new(xf_store *s, xf_errs *errs)
{
	xf_data *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	d->s = s;
	return d;
}

void xf_data_free(xf_data *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		xf_stmt_finalize(d->st[i]);
	xf_stmt_finalize(d->metric_batch);
	xf_stmt_finalize(d->record_batch);
	free(d->mtext.p);
	free(d->rtext.p);
	free(d);
}

/* The statement for q, reset and ready to bind. */
static xf_stmt *q(xf_data *d, int which, xf_errs *errs)
{
	if (d->st[which] == NULL)
		d->st[which] = xf_stmt_prepare(d->s, sql[which], errs);
	else
		xf_stmt_reset(d->st[which]);
	return d->st[which];
}

static int bind_opt_double(xf_stmt *st, int i, double v)
{
	return isnan(v) ? xf_stmt_bind_null(st, i) : xf_stmt_bind_double(st, i, v);
}

static int bind_opt_bool(xf_stmt *st, int i, int v)
{
	return v < 0 ? xf_stmt_bind_null(st, i) : xf_stmt_bind_int(st, i, v ? 1 : 0);
}

static int bind_opt_id(xf_stmt *st, int i, long long id)
{
	return id > 0 ? xf_stmt_bind_int(st, i, id) : xf_stmt_bind_null(st, i);
}

/* Runs a statement that returns nothing. */
static int run_done(xf_stmt *st, int bound_ok, xf_errs *errs)
{
	if (bound_ok != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		return -1;
	}
	return xf_stmt_step(st, errs) == XF_STEP_DONE ? 0 : -1;
}

/* Runs a statement that returns one integer (RETURNING id, SELECT id). */
static int run_returning(xf_stmt *st, int bound_ok, long long *out, xf_errs *errs)
{
	if (bound_ok != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		return -1;
	}
	xf_step r = xf_stmt_step(st, errs);
	if (r != XF_STEP_ROW) {
		if (r == XF_STEP_DONE)
			xf_errs_add(errs, "数据库未返回编号 (no id returned)");
		return -1;
	}
	*out = xf_stmt_int(st, 0);
	/* Finish the statement so the change is complete. */
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW)
		;
	return r == XF_STEP_DONE ? 0 : -1;
}

int xf_data_batch(xf_data *d, const char *kind, const char *file_name,
		  const char *sha256, long long rows, const char *actor,
		  long long *batch_id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_BATCH_FIND, errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_text(st, 1, kind) || xf_stmt_bind_text(st, 2, sha256))
		return -1;
	xf_step r = xf_stmt_step(st, errs);
	if (r == XF_STEP_ERROR)
		return -1;
	if (r == XF_STEP_ROW) {
		*batch_id = xf_stmt_int(st, 0);
		xf_stmt_reset(st);
		return 1;
	}
	st = q(d, Q_BATCH_ADD, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_text(st, 1, kind) | xf_stmt_bind_text(st, 2, file_name) |
		xf_stmt_bind_text(st, 3, sha256) | xf_stmt_bind_int(st, 4, rows) |
		xf_stmt_bind_text(st, 5, actor);
	return run_returning(st, b, batch_id, errs);
}

int xf_data_unit(xf_data *d, const char *code, const char *name, long long *id,
		 xf_errs *errs)
{
	xf_stmt *st = q(d, Q_UNIT, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_text(st, 1, code) | xf_stmt_bind_text(st, 2, name);
	return run_returning(st, b, id, errs);
}

int xf_data_unit_parent(xf_data *d, long long unit_id, long long parent_id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_UNIT_PARENT, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, unit_id) |
		(parent_id ? xf_stmt_bind_int(st, 2, parent_id) : xf_stmt_bind_null(st, 2));
	return run_done(st, b, errs);
}

int xf_data_assign_policy(xf_data *d, long long unit_id, int year, const char *policy,
			  xf_errs *errs)
{
	xf_stmt *st = q(d, Q_ASSIGN, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, unit_id) | xf_stmt_bind_int(st, 2, year) |
		xf_stmt_bind_text(st, 3, policy);
	return run_done(st, b, errs);
}

int xf_data_person(xf_data *d, const xf_person_row *p, long long *id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_PERSON, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_text(st, 1, p->code) | xf_stmt_bind_text(st, 2, p->name) |
		xf_stmt_bind_text(st, 3, p->staff_no) | xf_stmt_bind_text(st, 4, p->id_card) |
		xf_stmt_bind_text(st, 5, p->phone) | bind_opt_id(st, 6, p->unit_id) |
		xf_stmt_bind_text(st, 7, p->role) | xf_stmt_bind_text(st, 8, p->joined);
	return run_returning(st, b, id, errs);
}

int xf_data_person_update(xf_data *d, long long id, const xf_person_row *p, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_PERSON_UPDATE, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, id) | xf_stmt_bind_text(st, 2, p->name) |
		xf_stmt_bind_text(st, 3, p->staff_no) | xf_stmt_bind_text(st, 4, p->id_card) |
		xf_stmt_bind_text(st, 5, p->phone) | bind_opt_id(st, 6, p->unit_id) |
		xf_stmt_bind_text(st, 7, p->role) | xf_stmt_bind_text(st, 8, p->joined);
	return run_done(st, b, errs);
}

int xf_data_set_periods(xf_data *d, long long person_id, const xf_period_row *p, size_t n,
			xf_errs *errs)
{
	xf_stmt *st = q(d, Q_PERIODS_DEL, errs);
	if (st == NULL || run_done(st, xf_stmt_bind_int(st, 1, person_id), errs) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		st = q(d, Q_PERIOD_ADD, errs);
		if (st == NULL)
			return -1;
		int b = xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_text(st, 2, p[i].kind) |
			xf_stmt_bind_text(st, 3, p[i].from) | xf_stmt_bind_text(st, 4, p[i].to) |
			xf_stmt_bind_int(st, 5, p[i].participates ? 1 : 0);
		if (run_done(st, b, errs) != 0)
			return -1;
	}
	return 0;
}

int xf_data_set_flags(xf_data *d, long long person_id, int year, const char *const *flags,
		      size_t n, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_FLAGS_DEL, errs);
	if (st == NULL ||
	    run_done(st, xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, year), errs) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		st = q(d, Q_FLAG_ADD, errs);
		if (st == NULL)
			return -1;
		int b = xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, year) |
			xf_stmt_bind_text(st, 3, flags[i]);
		if (run_done(st, b, errs) != 0)
			return -1;
	}
	return 0;
}

static int flush_metrics(xf_data *d, xf_errs *errs);
static int flush_records(xf_data *d, xf_errs *errs);

int xf_data_next_record_id(xf_data *d, long long person_id, long long *id, xf_errs *errs)
{
	xf_stmt *lock = q(d, Q_PERSON_LOCK, errs);
	if (lock == NULL || run_done(lock, xf_stmt_bind_int(lock, 1, person_id), errs) != 0)
		return -1;
	xf_stmt *st = q(d, Q_RECORD_NEXT, errs);
	if (st == NULL || run_returning(st, xf_stmt_bind_int(st, 1, person_id), id, errs) != 0)
		return -1;
	/* Records still queued count too. */
	for (size_t i = 0; i < d->nrecords; i++)
		if (d->records[i].person_id == person_id && d->records[i].id >= *id)
			*id = d->records[i].id + 1;
	return 0;
}

int xf_data_add_record(xf_data *d, long long person_id, const xf_record_row *r,
		       long long batch_id, xf_errs *errs)
{
	long long id = 0;
	if (xf_data_next_record_id(d, person_id, &id, errs) != 0)
		return -1;
	return xf_data_add_record_at(d, person_id, id, r, batch_id, errs);
}

/* Binds one record as parameters base+1..base+RECORD_COLS; nonzero when a
 * bind failed. */
static int bind_record(xf_stmt *st, int base, long long person_id, long long id,
		       const xf_record_row *r, long long batch_id)
{
	return xf_stmt_bind_int(st, base + 1, person_id) | xf_stmt_bind_int(st, base + 2, id) |
	       xf_stmt_bind_text(st, base + 3, r->item) | xf_stmt_bind_text(st, base + 4, r->date) |
	       xf_stmt_bind_text(st, base + 5, r->level) | bind_opt_double(st, base + 6, r->count) |
	       bind_opt_double(st, base + 7, r->days) | bind_opt_double(st, base + 8, r->months) |
	       bind_opt_double(st, base + 9, r->hours) | bind_opt_double(st, base + 10, r->minutes) |
	       bind_opt_double(st, base + 11, r->attended_minutes) |
	       bind_opt_double(st, base + 12, r->score) | bind_opt_bool(st, base + 13, r->passed) |
	       bind_opt_bool(st, base + 14, r->completed) | bind_opt_bool(st, base + 15, r->online) |
	       xf_stmt_bind_text(st, base + 16, r->kind) | bind_opt_bool(st, base + 17, r->approved) |
	       bind_opt_bool(st, base + 18, r->awarded) | bind_opt_bool(st, base + 19, r->speaker) |
	       xf_stmt_bind_text(st, base + 20, r->activity) |
	       bind_opt_double(st, base + 21, r->credits) | bind_opt_id(st, base + 22, batch_id);
}

static int bind_metric(xf_stmt *st, int base, long long person_id, const char *metric,
		       const char *month, double value, long long batch_id)
{
	return xf_stmt_bind_int(st, base + 1, person_id) | xf_stmt_bind_text(st, base + 2, metric) |
	       xf_stmt_bind_text(st, base + 3, month) | xf_stmt_bind_double(st, base + 4, value) |
	       bind_opt_id(st, base + 5, batch_id);
}

int xf_data_add_record_at(xf_data *d, long long person_id, long long id,
			  const xf_record_row *r, long long batch_id, xf_errs *errs)
{
	if (flush_records(d, errs) != 0) /* keep the order of the writes */
		return -1;
	xf_stmt *st = q(d, Q_RECORD_ADD, errs);
	if (st == NULL)
		return -1;
	return run_done(st, bind_record(st, 0, person_id, id, r, batch_id), errs);
}

int xf_data_put_metric(xf_data *d, long long person_id, const char *metric, const char *month,
		       double value, long long batch_id, xf_errs *errs)
{
	if (flush_metrics(d, errs) != 0) /* a queued value must not win over this one */
		return -1;
	xf_stmt *st = q(d, Q_METRIC, errs);
	if (st == NULL)
		return -1;
	return run_done(st, bind_metric(st, 0, person_id, metric, month, value, batch_id), errs);
}

/* ---- queued (multi-row) writes ---- */

/* Copies s (NULL: none) into t; *off receives its offset or NO_TEXT. */
static int text_add(text_buf *t, const char *s, size_t *off)
{
	if (s == NULL) {
		*off = NO_TEXT;
		return 0;
	}
	size_t len = strlen(s) + 1;
	if (t->cap - t->n < len) {
		size_t ncap = t->cap ? t->cap : 1024;
		while (ncap - t->n < len)
			ncap *= 2;
		char *np = realloc(t->p, ncap);
		if (np == NULL)
			return -1;
		t->p = np;
		t->cap = ncap;
	}
	memcpy(t->p + t->n, s, len);
	*off = t->n;
	t->n += len;
	return 0;
}

static const char *text_at(const text_buf *t, size_t off)
{
	return off == NO_TEXT ? NULL : t->p + off;
}

/* head, then rows rows of placeholders, then tail. Column c of each row is
 * $pattern[c] when that is not 0 (a value bound once for all rows), else
 * the row's next own parameter, numbered after the nshared shared ones.
 * Only placeholders go into the text. Caller frees; NULL when out of
 * memory. */
static char *multi_row_sql(const char *head, const int *pattern, int cols, int nshared, int rows,
			   const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	/* "$NNNNN, " is at most 8 bytes; "(" "), " per row. */
	size_t cap = hl + tl + (size_t)rows * ((size_t)cols * 8 + 4) + 1;
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	memcpy(out, head, hl);
	size_t n = hl;
	int next = nshared + 1;
	for (int r = 0; r < rows; r++) {
		out[n++] = '(';
		for (int c = 0; c < cols; c++)
			n += (size_t)snprintf(out + n, cap - n, c + 1 < cols ? "$%d, " : "$%d",
					      pattern[c] ? pattern[c] : next++);
		n += (size_t)snprintf(out + n, cap - n, r + 1 < rows ? "), " : ")");
	}
	memcpy(out + n, tail, tl + 1);
	return out;
}

/* The statement for rows rows: the kept full-batch one (*full, prepared
 * on first use), or a new one for a shorter last batch (*own set: the
 * caller finalizes it). */
static xf_stmt *batch_stmt(xf_data *d, xf_stmt **full, int batch, const char *head,
			   const int *pattern, int cols, int nshared, int rows, const char *tail,
			   bool *own, xf_errs *errs)
{
	*own = rows != batch;
	if (!*own && *full != NULL) {
		xf_stmt_reset(*full);
		return *full;
	}
	char *text = multi_row_sql(head, pattern, cols, nshared, rows, tail);
	if (text == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	xf_stmt *st = xf_stmt_prepare(d->s, text, errs);
	free(text);
	if (st != NULL && !*own)
		*full = st;
	return st;
}

static void metrics_clear(xf_data *d)
{
	d->nmetrics = 0;
	d->mtext.n = 0;
	memset(d->slots, 0, sizeof(d->slots));
}

/* Writes the queued metrics in one statement and empties the queue (also
 * on failure). */
static int flush_metrics(xf_data *d, xf_errs *errs)
{
	if (d->nmetrics == 0)
		return 0;
	bool own;
	xf_stmt *st = batch_stmt(d, &d->metric_batch, METRIC_BATCH, METRIC_HEAD, metric_row,
				 METRIC_COLS, METRIC_SHARED, (int)d->nmetrics, METRIC_TAIL, &own, errs);
	int rc = -1;
	if (st != NULL) {
		int b = xf_stmt_bind_text(st, 1, text_at(&d->mtext, d->qmetric)) |
			bind_opt_id(st, 2, d->qbatch);
		for (size_t i = 0; i < d->nmetrics; i++) {
			const queued_metric *m = &d->metrics[i];
			int base = METRIC_SHARED + (int)i * METRIC_ROW_PARAMS;
			b |= xf_stmt_bind_int(st, base + 1, m->person_id) |
			     xf_stmt_bind_text(st, base + 2, text_at(&d->mtext, m->month)) |
			     xf_stmt_bind_double(st, base + 3, m->value);
		}
		rc = run_done(st, b, errs);
		if (own)
			xf_stmt_finalize(st);
	}
	metrics_clear(d);
	return rc;
}

static void records_clear(xf_data *d)
{
	d->nrecords = 0;
	d->rtext.n = 0;
}

static int flush_records(xf_data *d, xf_errs *errs)
{
	if (d->nrecords == 0)
		return 0;
	bool own;
	xf_stmt *st = batch_stmt(d, &d->record_batch, RECORD_BATCH, RECORD_HEAD, record_row,
				 RECORD_COLS, 0, (int)d->nrecords, "", &own, errs);
	int rc = -1;
	if (st != NULL) {
		int b = 0;
		for (size_t i = 0; i < d->nrecords; i++) {
			queued_record *qr = &d->records[i];
			xf_record_row r = qr->r;
			const char **texts[5] = {&r.item, &r.date, &r.level, &r.kind, &r.activity};
			for (int t = 0; t < 5; t++)
				*texts[t] = text_at(&d->rtext, qr->text[t]);
			b |= bind_record(st, (int)i * RECORD_COLS, qr->person_id, qr->id, &r,
					 qr->batch_id);
		}
		rc = run_done(st, b, errs);
		if (own)
			xf_stmt_finalize(st);
	}
	records_clear(d);
	return rc;
}

int xf_data_flush(xf_data *d, xf_errs *errs)
{
	int rc = flush_metrics(d, errs);
	if (flush_records(d, errs) != 0)
		rc = -1;
	return rc;
}

static uint32_t key_hash(long long person_id, const char *month)
{
	uint32_t h = 2166136261u;
	unsigned long long p = (unsigned long long)person_id;
	for (int i = 0; i < 8; i++, p >>= 8)
		h = (h ^ (uint32_t)(p & 0xff)) * 16777619u;
	for (const char *s = month; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int xf_data_queue_metric(xf_data *d, long long person_id, const char *metric,
			 const char *month, double value, long long batch_id, xf_errs *errs)
{
	/* A batch is of one metric and one import batch. */
	if (d->nmetrics > 0 &&
	    (d->qbatch != batch_id || strcmp(text_at(&d->mtext, d->qmetric), metric) != 0) &&
	    flush_metrics(d, errs) != 0)
		return -1;
	if (d->nmetrics == 0) {
		if (text_add(&d->mtext, metric, &d->qmetric) != 0)
			goto oom;
		d->qbatch = batch_id;
	}
	uint32_t slot = key_hash(person_id, month) & (METRIC_SLOTS - 1);
	for (; d->slots[slot] != 0; slot = (slot + 1) & (METRIC_SLOTS - 1)) {
		queued_metric *m = &d->metrics[d->slots[slot] - 1];
		if (m->person_id == person_id && strcmp(text_at(&d->mtext, m->month), month) == 0) {
			/* The same key again: the later value wins, as it would
			 * row by row (and PostgreSQL refuses one statement that
			 * updates a row twice). */
			m->value = value;
			return 0;
		}
	}
	queued_metric *m = &d->metrics[d->nmetrics];
	if (text_add(&d->mtext, month, &m->month) != 0)
		goto oom;
	m->person_id = person_id;
	m->value = value;
	d->slots[slot] = (unsigned char)(++d->nmetrics);
	return d->nmetrics == METRIC_BATCH ? flush_metrics(d, errs) : 0;
oom:
	xf_errs_add(errs, "内存不足 (out of memory)");
	return -1;
}

int xf_data_queue_record_at(xf_data *d, long long person_id, long long id,
			    const xf_record_row *r, long long batch_id, xf_errs *errs)
{
	queued_record *qr = &d->records[d->nrecords];
	const char *texts[5] = {r->item, r->date, r->level, r->kind, r->activity};
	for (int t = 0; t < 5; t++) {
		if (text_add(&d->rtext, texts[t], &qr->text[t]) != 0) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			return -1;
		}
	}
	qr->person_id = person_id;
	qr->id = id;
	qr->batch_id = batch_id;
	qr->r = *r;
	qr->r.item = qr->r.date = qr->r.level = qr->r.kind = qr->r.activity = NULL;
	return ++d->nrecords == RECORD_BATCH ? flush_records(d, errs) : 0;
}

int xf_data_put_score(xf_data *d, long long person_id, int year, const char *line,
		      double self, double review, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_SCORE, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, year) |
		xf_stmt_bind_text(st, 3, line) | bind_opt_double(st, 4, self) |
		bind_opt_double(st, 5, review);
	return run_done(st, b, errs);
}

static int run_begin(xf_data *d, int year, const char *policy, long long unit_id,
		     const char *source, long long *run_id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_RUN_BEGIN, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, policy) |
		bind_opt_id(st, 3, unit_id) | xf_stmt_bind_text(st, 4, source);
	return run_returning(st, b, run_id, errs);
}

int xf_data_run_begin(xf_data *d, int year, const char *policy, long long unit_id,
		      long long *run_id, xf_errs *errs)
{
	return run_begin(d, year, policy, unit_id, "assess", run_id, errs);
}

int xf_data_run_result(xf_data *d, long long run_id, const xf_run_row *r, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_RUN_RESULT, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, run_id) | xf_stmt_bind_int(st, 2, r->person_id) |
		xf_stmt_bind_text(st, 3, r->exempt_reason) | bind_opt_double(st, 4, r->total) |
		bind_opt_double(st, 5, r->final) | bind_opt_double(st, 6, r->required) |
		bind_opt_bool(st, 7, r->met) | xf_stmt_bind_text(st, 8, r->grade) |
		xf_stmt_bind_int(st, 9, r->award_candidate ? 1 : 0) |
		xf_stmt_bind_text(st, 10, r->result_json ? r->result_json : "{}");
	return run_done(st, b, errs);
}

int xf_data_run_finish(xf_data *d, long long run_id, long long people, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_RUN_FINISH, errs);
	if (st == NULL)
		return -1;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int b = xf_stmt_bind_int(st, 1, run_id) | xf_stmt_bind_int(st, 2, people) |
		xf_stmt_bind_text(st, 3, now);
	return run_done(st, b, errs);
}

int xf_data_put_history(xf_data *d, long long person_id, int year, const char *policy,
			const char *grade, xf_errs *errs)
{
	long long run = 0;
	xf_stmt *st = q(d, Q_IMPORTED_RUN_FIND, errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, policy))
		return -1;
	xf_step r = xf_stmt_step(st, errs);
	if (r == XF_STEP_ERROR)
		return -1;
	if (r == XF_STEP_ROW) {
		run = xf_stmt_int(st, 0);
		xf_stmt_reset(st);
	} else if (run_begin(d, year, policy, 0, "import", &run, errs) != 0) {
		return -1;
	}
	cJSON *o = cJSON_CreateObject();
	char *json = NULL;
	if (o != NULL && cJSON_AddStringToObject(o, "grade", grade) != NULL)
		json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return -1;
	}
	xf_run_row row = {person_id, NULL, NAN, NAN, NAN, -1, grade, false, json};
	int rc = xf_data_run_result(d, run, &row, errs);
	free(json);
	return rc;
}
