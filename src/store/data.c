/* data: domain rows over xf_stmt, one SQL text for both backends. Each
 * statement is prepared on first use and kept for the life of the xf_data. */
#include "store/data.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	Q_BATCH_FIND, Q_BATCH_ADD, Q_UNIT, Q_ASSIGN, Q_PERSON, Q_PERIODS_DEL,
	Q_PERIOD_ADD, Q_FLAGS_DEL, Q_FLAG_ADD, Q_RECORD_NEXT, Q_RECORD_ADD,
	Q_METRIC, Q_SCORE, Q_RUN_BEGIN, Q_RUN_RESULT, Q_RUN_FINISH,
	Q_IMPORTED_RUN_FIND, Q_PERSON_UPDATE, Q_COUNT
};

static const char *const sql[Q_COUNT] = {
	[Q_BATCH_FIND] = "SELECT id FROM import_batches WHERE kind = $1 AND sha256 = $2",
	[Q_BATCH_ADD] = "INSERT INTO import_batches (kind, file_name, sha256, rows, created_by) "
			"VALUES ($1, $2, $3, $4, $5) RETURNING id",
	[Q_UNIT] = "INSERT INTO units (code, name) VALUES ($1, $2) "
		   "ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id",
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
	[Q_RECORD_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM records WHERE person_id = $1",
	[Q_RECORD_ADD] = "INSERT INTO records (person_id, id, item, date, level, count, days, months, "
			 "hours, minutes, attended_minutes, score, passed, completed, online, kind, "
			 "approved, awarded, speaker, activity, credits, batch_id) VALUES ($1, $2, $3, "
			 "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
			 "$20, $21, $22)",
	[Q_METRIC] = "INSERT INTO metrics (person_id, metric, month, value, batch_id) "
		     "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, metric, month) "
		     "DO UPDATE SET value = excluded.value, batch_id = excluded.batch_id",
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

struct xf_data {
	xf_store *s;
	xf_stmt *st[Q_COUNT];
};

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

int xf_data_next_record_id(xf_data *d, long long person_id, long long *id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_RECORD_NEXT, errs);
	if (st == NULL)
		return -1;
	return run_returning(st, xf_stmt_bind_int(st, 1, person_id), id, errs);
}

int xf_data_add_record(xf_data *d, long long person_id, const xf_record_row *r,
		       long long batch_id, xf_errs *errs)
{
	long long id = 0;
	if (xf_data_next_record_id(d, person_id, &id, errs) != 0)
		return -1;
	return xf_data_add_record_at(d, person_id, id, r, batch_id, errs);
}

int xf_data_add_record_at(xf_data *d, long long person_id, long long id,
			  const xf_record_row *r, long long batch_id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_RECORD_ADD, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, id) |
		xf_stmt_bind_text(st, 3, r->item) | xf_stmt_bind_text(st, 4, r->date) |
		xf_stmt_bind_text(st, 5, r->level) | bind_opt_double(st, 6, r->count) |
		bind_opt_double(st, 7, r->days) | bind_opt_double(st, 8, r->months) |
		bind_opt_double(st, 9, r->hours) | bind_opt_double(st, 10, r->minutes) |
		bind_opt_double(st, 11, r->attended_minutes) | bind_opt_double(st, 12, r->score) |
		bind_opt_bool(st, 13, r->passed) | bind_opt_bool(st, 14, r->completed) |
		bind_opt_bool(st, 15, r->online) | xf_stmt_bind_text(st, 16, r->kind) |
		bind_opt_bool(st, 17, r->approved) | bind_opt_bool(st, 18, r->awarded) |
		bind_opt_bool(st, 19, r->speaker) | xf_stmt_bind_text(st, 20, r->activity) |
		bind_opt_double(st, 21, r->credits) | bind_opt_id(st, 22, batch_id);
	return run_done(st, b, errs);
}

int xf_data_put_metric(xf_data *d, long long person_id, const char *metric, const char *month,
		       double value, long long batch_id, xf_errs *errs)
{
	xf_stmt *st = q(d, Q_METRIC, errs);
	if (st == NULL)
		return -1;
	int b = xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_text(st, 2, metric) |
		xf_stmt_bind_text(st, 3, month) | xf_stmt_bind_double(st, 4, value) |
		bind_opt_id(st, 5, batch_id);
	return run_done(st, b, errs);
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
