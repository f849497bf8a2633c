/* assess_db: the year's assessment streamed out of the store (see assess.h).
 *
 * Seven ordered scans (people, records, metrics, periods, flags, scores,
 * history), all sorted by person id, are walked together like a merge
 * join; each person's rows are turned into engine inputs with the policy's
 * lookups, assessed, and written to the run. Rows the policy cannot value
 * (an item or line it does not have) stop the run with a message naming the
 * person and the row: a silent skip would make a wrong result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/strmap.h"
#include "engine/engine.h"
#include "engine/group.h"
#include "io/result_json.h"
#include "service/assess.h"
#include "service/scope.h"
#include "store/data.h"

enum { C_PEOPLE, C_RECORDS, C_METRICS, C_PERIODS, C_FLAGS, C_SCORES, C_HISTORY, C_COUNT };

static const char *const scan_sql[C_COUNT] = {
	[C_PEOPLE] = XF_SCOPE_PERSON_ROWS,
	[C_RECORDS] = "SELECT x.person_id, x.item, x.date, x.level, x.count, x.days, x.months, x.hours,"
		      " x.minutes, x.attended_minutes, x.score, x.passed, x.completed, x.online, x.kind,"
		      " x.approved, x.awarded, x.speaker, x.activity, x.credits, x.id FROM records x" XF_SCOPE_ROWS
		      " AND x.date >= $4 AND x.date <= $5 ORDER BY x.person_id, x.id",
	[C_METRICS] = "SELECT x.person_id, x.metric, x.month, x.value FROM metrics x" XF_SCOPE_ROWS
		      " AND x.month >= $4 AND x.month <= $5 ORDER BY x.person_id, x.metric, x.month",
	[C_PERIODS] = "SELECT x.person_id, x.kind, x.date_from, x.date_to, x.participates FROM periods x"
		      XF_SCOPE_ROWS " ORDER BY x.person_id, x.id",
	[C_FLAGS] = "SELECT x.person_id, x.flag FROM person_flags x" XF_SCOPE_ROWS
		    " AND x.year = $1 ORDER BY x.person_id, x.flag",
	[C_SCORES] = "SELECT x.person_id, x.line, x.self, x.review FROM scores x" XF_SCOPE_ROWS
		     " AND x.year = $1 ORDER BY x.person_id, x.line",
	[C_HISTORY] = "SELECT x.person_id, rn.year, x.grade FROM run_results x"
		      " JOIN runs rn ON rn.id = x.run_id" XF_SCOPE_ROWS
		      " AND rn.year < $1 AND rn.policy = $2 AND x.grade IS NOT NULL"
		      " ORDER BY x.person_id, rn.year, rn.id",
};

typedef struct cursor {
	xf_stmt *st;
	bool row;   /* a current row exists */
} cursor;

/* Growing per-person buffers, reused for everybody. */
typedef struct bufs {
	xf_record *rec;
	size_t nrec, caprec;
	xf_metric *met;
	size_t nmet, capmet;
	xf_period *per;
	size_t nper, capper;
	xf_score *sco;
	size_t nsco, capsco;
	xf_history *his;
	size_t nhis, caphis;
} bufs;

#define GROW(b, n, cap)                                                          \
	do {                                                                      \
		if ((n) == (cap)) {                                               \
			size_t ncap_ = (cap) ? (cap) * 2 : 64;                    \
			void *p_ = realloc((b), ncap_ * sizeof(*(b)));            \
			if (p_ == NULL)                                           \
				goto oom;                                         \
			(b) = p_;                                                 \
			(cap) = ncap_;                                            \
		}                                                                 \
	} while (0)

typedef struct run {
	xf_store *s;
	xf_data *d;
	const xf_policy *p;
	const char *policy_ref;
	int year;
	cursor c[C_COUNT];
	bufs b;
	xf_strmap *activities;
	xf_errs *errs;
} run;

static int cursor_next(cursor *c, xf_errs *errs)
{
	xf_step r = xf_stmt_step(c->st, errs);
	c->row = r == XF_STEP_ROW;
	return r == XF_STEP_ERROR ? -1 : 0;
}

/* Skips rows of people before `id` (rows whose person is out of scope). */
static int cursor_align(cursor *c, long long id, xf_errs *errs)
{
	while (c->row && xf_stmt_int(c->st, 0) < id)
		if (cursor_next(c, errs) != 0)
			return -1;
	return 0;
}

static bool cursor_at(const cursor *c, long long id)
{
	return c->row && xf_stmt_int(c->st, 0) == id;
}

static int tri_col(xf_stmt *st, int col)
{
	return xf_stmt_is_null(st, col) ? -1 : (int)xf_stmt_int(st, col);
}

static double num_col(xf_stmt *st, int col, double dflt)
{
	return xf_stmt_is_null(st, col) ? dflt : xf_stmt_double(st, col);
}

static int bad_row(run *r, const char *who, const char *what, const char *value)
{
	xf_errs_add(r->errs, "人员 %s：%s \"%s\" 不在学分办法 %s 中，评估中止 (%s not in the policy; "
		    "assessment stopped)", who, what, value ? value : "", r->p->id, what);
	return -1;
}

/* Reads person `id`'s records into engine form. */
static int load_records(run *r, long long id, const char *who)
{
	cursor *c = &r->c[C_RECORDS];
	xf_stmt *st = c->st;
	bufs *b = &r->b;
	b->nrec = 0;
	for (; cursor_at(c, id); cursor_next(c, r->errs)) {
		GROW(b->rec, b->nrec, b->caprec);
		xf_record *rec = &b->rec[b->nrec];
		memset(rec, 0, sizeof(*rec));
		const char *item = xf_stmt_text(st, 1);
		int it = item ? xf_policy_item(r->p, item) : -1;
		if (it < 0)
			return bad_row(r, who, "学分项目 (item)", item);
		rec->index = (uint32_t)xf_stmt_int(st, 20);
		rec->item = (int16_t)it;
		const char *level = xf_stmt_text(st, 3);
		rec->level = -1;
		if (r->p->items[it].level_points != NULL) {
			int lv = level ? xf_policy_level(r->p, level) : -1;
			if (lv < 0 || isnan(r->p->items[it].level_points[lv]))
				return bad_row(r, who, "级别 (level)", level);
			rec->level = (int8_t)lv;
		}
		if (xf_date_parse(xf_stmt_text(st, 2), &rec->date) != 0)
			return bad_row(r, who, "日期 (date)", xf_stmt_text(st, 2));
		rec->count = num_col(st, 4, 1);
		rec->days = num_col(st, 5, 1);
		rec->months = num_col(st, 6, 0);
		rec->hours = num_col(st, 7, 0);
		rec->minutes = xf_stmt_is_null(st, 8) ? -1 : (int32_t)xf_stmt_int(st, 8);
		rec->attended = xf_stmt_is_null(st, 9) ? -1 : (int32_t)xf_stmt_int(st, 9);
		rec->score = num_col(st, 10, NAN);
		rec->credits = num_col(st, 19, 0);
		int passed = tri_col(st, 11);
		uint16_t bits = 0;
		if (passed >= 0)
			bits |= XF_R_PASSED_SET | (passed ? XF_R_PASSED : 0);
		if (tri_col(st, 12) == 0)
			bits |= XF_R_NOT_COMPLETED;
		if (tri_col(st, 13) == 1)
			bits |= XF_R_ONLINE;
		if (tri_col(st, 15) == 0)
			bits |= XF_R_NOT_APPROVED;
		if (tri_col(st, 16) == 1)
			bits |= XF_R_AWARDED;
		if (tri_col(st, 17) == 1)
			bits |= XF_R_SPEAKER;
		rec->bits = bits;
		const char *kind = xf_stmt_text(st, 14);
		rec->kind = (int8_t)(kind ? xf_policy_kind(r->p, kind) : -1);
		const char *act = xf_stmt_text(st, 18);
		rec->activity = -1;
		if (act && *act) {
			int32_t a = xf_strmap_intern(r->activities, act, NULL);
			if (a < 0)
				goto oom;
			rec->activity = a;
		}
		b->nrec++;
	}
	return 0;
oom:
	xf_errs_add(r->errs, "内存不足 (out of memory)");
	return -1;
}

/* Metrics, periods, flags, scores and history of person `id`. */
static int load_rest(run *r, long long id, const char *who, xf_person *pe)
{
	bufs *b = &r->b;
	cursor *c;
	b->nmet = b->nper = b->nsco = b->nhis = 0;

	for (c = &r->c[C_METRICS]; cursor_at(c, id); cursor_next(c, r->errs)) {
		int m = xf_policy_metric(r->p, xf_stmt_text(c->st, 1));
		int y, mo;
		if (m < 0 || xf_month_parse(xf_stmt_text(c->st, 2), &y, &mo) != 0)
			continue; /* a metric this policy does not use */
		GROW(b->met, b->nmet, b->capmet);
		b->met[b->nmet++] = (xf_metric){(uint32_t)b->nmet, (int16_t)m, (int16_t)y, (int8_t)mo,
						xf_stmt_double(c->st, 3)};
	}
	for (c = &r->c[C_PERIODS]; cursor_at(c, id); cursor_next(c, r->errs)) {
		const char *kind = xf_stmt_text(c->st, 1);
		GROW(b->per, b->nper, b->capper);
		xf_period *pd = &b->per[b->nper];
		pd->kind = strcmp(kind, "secondment") == 0 ? XF_PERIOD_SECONDMENT
			   : strcmp(kind, "sick_leave") == 0 ? XF_PERIOD_SICK_LEAVE
							     : XF_PERIOD_LEAVE;
		if (xf_date_parse(xf_stmt_text(c->st, 2), &pd->from) != 0 ||
		    xf_date_parse(xf_stmt_text(c->st, 3), &pd->to) != 0)
			return bad_row(r, who, "时段日期 (period date)", xf_stmt_text(c->st, 2));
		pd->participates = xf_stmt_int(c->st, 4) != 0;
		b->nper++;
	}
	pe->periods = b->per;
	pe->nperiods = b->nper;
	pe->flags = 0;
	for (c = &r->c[C_FLAGS]; cursor_at(c, id); cursor_next(c, r->errs)) {
		int f = xf_policy_flag(r->p, xf_stmt_text(c->st, 1));
		if (f < 0)
			return bad_row(r, who, "标记 (flag)", xf_stmt_text(c->st, 1));
		pe->flags |= 1u << f;
	}
	for (c = &r->c[C_SCORES]; cursor_at(c, id); cursor_next(c, r->errs)) {
		int line = xf_policy_line(r->p, xf_stmt_text(c->st, 1));
		if (line < 0)
			return bad_row(r, who, "评分项 (line)", xf_stmt_text(c->st, 1));
		GROW(b->sco, b->nsco, b->capsco);
		b->sco[b->nsco++] = (xf_score){(uint32_t)b->nsco, (int16_t)line,
					       !xf_stmt_is_null(c->st, 2), !xf_stmt_is_null(c->st, 3),
					       num_col(c->st, 2, 0), num_col(c->st, 3, 0)};
	}
	for (c = &r->c[C_HISTORY]; cursor_at(c, id); cursor_next(c, r->errs)) {
		int year = (int)xf_stmt_int(c->st, 1);
		int grade = xf_policy_grade(r->p, xf_stmt_text(c->st, 2));
		/* Runs come oldest first: a later run of a year replaces it. */
		if (b->nhis > 0 && b->his[b->nhis - 1].year == year) {
			b->his[b->nhis - 1].grade = (int8_t)grade;
			continue;
		}
		GROW(b->his, b->nhis, b->caphis);
		b->his[b->nhis++] = (xf_history){(int16_t)year, (int8_t)grade};
	}
	return 0;
oom:
	xf_errs_add(r->errs, "内存不足 (out of memory)");
	return -1;
}

static int open_scans(run *r, const char *unit_code)
{
	char first_day[16], last_day[16], first_month[16], last_month[16];
	snprintf(first_day, sizeof(first_day), "%04d-01-01", r->year);
	snprintf(last_day, sizeof(last_day), "%04d-12-31", r->year);
	snprintf(first_month, sizeof(first_month), "%04d-01", r->year);
	snprintf(last_month, sizeof(last_month), "%04d-12", r->year);
	for (int i = 0; i < C_COUNT; i++) {
		xf_stmt *st = xf_stmt_prepare(r->s, scan_sql[i], r->errs);
		if (st == NULL)
			return -1;
		r->c[i].st = st;
		int b = xf_stmt_bind_int(st, 1, r->year) | xf_stmt_bind_text(st, 2, r->policy_ref) |
			xf_stmt_bind_text(st, 3, unit_code);
		if (i == C_RECORDS)
			b |= xf_stmt_bind_text(st, 4, first_day) | xf_stmt_bind_text(st, 5, last_day);
		if (i == C_METRICS)
			b |= xf_stmt_bind_text(st, 4, first_month) | xf_stmt_bind_text(st, 5, last_month);
		if (b != 0) {
			xf_errs_add(r->errs, "绑定参数失败 (cannot bind a parameter)");
			return -1;
		}
		if (cursor_next(&r->c[i], r->errs) != 0)
			return -1;
	}
	return 0;
}

static char *person_json(const xf_policy *p, int year, const xf_input *in,
			 const xf_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	xf_results_out o;
	xf_jw_init(&o.jw, f);
	o.p = p;
	o.year = year;
	xf_results_person(&o, in, res, false, NULL);
	fclose(f);
	return buf;
}

/* Saves one person's result in the run. */
static int save_result(run *r, long long run_id, long long person_id, const xf_input *in,
		       const xf_result *res)
{
	char *json = person_json(r->p, r->year, in, res);
	if (json == NULL) {
		xf_errs_add(r->errs, "内存不足 (out of memory)");
		return -1;
	}
	xf_run_row row = {
		person_id,
		res->exempt ? r->p->exempt[res->exempt_rule].reason : NULL,
		res->has_total ? res->total : NAN,
		res->has_total ? res->final : NAN,
		res->has_required ? res->required : NAN,
		res->met == XF_NULL ? -1 : res->met == XF_TRUE,
		res->grade >= 0 ? r->p->grades[res->grade].key : NULL,
		false,
		json,
	};
	int rc = xf_data_run_result(r->d, run_id, &row, r->errs);
	free(json);
	return rc;
}

/* Marks the award candidates once every person is in: contenders (not
 * exempt, met when the policy needs it) with a total at the threshold or
 * above. One statement, whatever the number of people. */
static int settle_awards(run *r, long long run_id, const xf_group *g, long long *n)
{
	double min_total;
	*n = 0;
	if (!r->p->has_award || !xf_group_award_threshold(g, &min_total))
		return 0;
	xf_stmt *st = xf_stmt_prepare(
		r->s,
		"UPDATE run_results SET award_candidate = 1,"
		" result = replace(result, '\"award_candidate\": false', '\"award_candidate\": true')"
		" WHERE run_id = $1 AND exempt_reason IS NULL AND total >= $2"
		" AND (CAST($3 AS INTEGER) = 0 OR met = 1)",
		r->errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	if ((xf_stmt_bind_int(st, 1, run_id) | xf_stmt_bind_double(st, 2, min_total - 0.005) |
	     xf_stmt_bind_int(st, 3, r->p->award_needs_met ? 1 : 0)) == 0 &&
	    xf_stmt_step(st, r->errs) == XF_STEP_DONE)
		rc = 0;
	xf_stmt_finalize(st);
	if (rc != 0)
		return -1;
	st = xf_stmt_prepare(r->s, "SELECT count(*) FROM run_results WHERE run_id = $1 AND award_candidate = 1",
			     r->errs);
	if (st == NULL)
		return -1;
	rc = -1;
	if (xf_stmt_bind_int(st, 1, run_id) == 0 && xf_stmt_step(st, r->errs) == XF_STEP_ROW) {
		*n = xf_stmt_int(st, 0);
		rc = 0;
	}
	xf_stmt_finalize(st);
	return rc;
}

/* Assesses everyone in scope under one policy, as one run. */
static int assess_policy(xf_store *s, xf_data *d, const char *policy_ref, int year,
			 const char *unit_code, const char *actor, xf_assess_report *rep,
			 xf_errs *errs)
{
	run r = {s, d, NULL, policy_ref, year, {{0}}, {0}, NULL, errs};
	xf_result res;
	xf_engine_scratch scratch;
	xf_group *g = NULL;
	long long run_id = 0, people = 0, met = 0, exempt = 0, awards = 0;
	int rc = -1;
	bool in_tx = false;

	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	r.p = xf_policy_resolve(policy_ref, NULL, errs);
	if (r.p == NULL)
		goto out;
	r.activities = xf_strmap_new();
	g = xf_group_new(r.p);
	if (r.activities == NULL || g == NULL || xf_result_init(&res, r.p) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	if (xf_data_run_begin(d, year, policy_ref, 0, &run_id, errs) != 0 || open_scans(&r, unit_code) != 0)
		goto out;

	cursor *pc = &r.c[C_PEOPLE];
	for (; pc->row; ) {
		xf_stmt *st = pc->st;
		long long id = xf_stmt_int(st, 0);
		char who[160];
		snprintf(who, sizeof(who), "%.60s（%.60s）", xf_stmt_text(st, 2), xf_stmt_text(st, 1));
		xf_person pe = {0};
		pe.id = xf_stmt_text(st, 1);
		pe.name = xf_stmt_text(st, 2);
		pe.unit = xf_stmt_text(st, 3);
		pe.unit_id = -1;
		const char *role = xf_stmt_text(st, 4);
		pe.role = role ? xf_policy_role(r.p, role) : -1;
		if (r.p->nroles > 0 && pe.role < 0) {
			bad_row(&r, who, "角色 (role)", role);
			goto out;
		}
		const char *joined = xf_stmt_text(st, 5);
		if (joined && xf_date_parse(joined, &pe.joined) != 0) {
			bad_row(&r, who, "入职日期 (joined)", joined);
			goto out;
		}
		for (int i = 1; i < C_COUNT; i++)
			if (cursor_align(&r.c[i], id, errs) != 0)
				goto out;
		if (load_records(&r, id, who) != 0 || load_rest(&r, id, who, &pe) != 0)
			goto out;
		xf_input in = {&pe, r.b.rec, r.b.nrec, r.b.met, r.b.nmet, r.b.sco, r.b.nsco,
			       r.b.his, r.b.nhis};
		if (xf_engine_assess(r.p, year, &in, &scratch, &res, NULL) != 0 ||
		    xf_group_add(g, &pe, &res) != 0) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			goto out;
		}
		if (save_result(&r, run_id, id, &in, &res) != 0)
			goto out;
		people++;
		met += res.met == XF_TRUE;
		exempt += res.exempt;
		/* The person's strings live in the cursor row: advance last. */
		if (cursor_next(pc, errs) != 0)
			goto out;
	}
	if (xf_group_finish(g) != 0 || settle_awards(&r, run_id, g, &awards) != 0 ||
	    xf_data_run_finish(d, run_id, people, errs) != 0)
		goto out;
	char after[200], object[48];
	snprintf(object, sizeof(object), "run:%lld", run_id);
	snprintf(after, sizeof(after), "{\"year\": %d, \"people\": %lld, \"met\": %lld}", year, people, met);
	xf_audit_entry e = {actor, "assess", object, NULL, after};
	if (xf_store_audit(s, &e, errs) != 0)
		goto out;
	for (int i = 0; i < C_COUNT; i++) {
		xf_stmt_finalize(r.c[i].st);
		r.c[i].st = NULL;
	}
	if (xf_store_commit(s, errs) != 0) {
		in_tx = false;
		goto out;
	}
	in_tx = false;
	rep->runs++;
	rep->people += people;
	rep->met += met;
	rep->exempt += exempt;
	rep->award_candidates += awards;
	rep->last_run_id = run_id;
	rc = 0;
out:
	for (int i = 0; i < C_COUNT; i++)
		xf_stmt_finalize(r.c[i].st);
	if (in_tx)
		xf_store_rollback(s);
	free(r.b.rec);
	free(r.b.met);
	free(r.b.per);
	free(r.b.sco);
	free(r.b.his);
	xf_strmap_free(r.activities);
	xf_group_free(g);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	xf_policy_free((xf_policy *)r.p);
	return rc;
}

int xf_assess_year(xf_store *s, int year, const char *unit_code, const char *actor,
		   xf_assess_report *rep, xf_errs *errs)
{
	memset(rep, 0, sizeof(*rep));
	/* The policies in play this year (for the unit, when one is given). */
	xf_stmt *st = xf_stmt_prepare(
		s,
		"SELECT DISTINCT a.policy FROM policy_assignments a JOIN units u ON u.id = a.unit_id"
		" WHERE a.year = $1 AND (CAST($2 AS TEXT) IS NULL OR u.code = CAST($2 AS TEXT))"
		" ORDER BY a.policy",
		errs);
	if (st == NULL)
		return -1;
	char **policies = NULL;
	size_t n = 0;
	int rc = -1;
	xf_data *d = NULL;
	xf_step step;
	if ((xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, unit_code)) != 0)
		goto out;
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		char **np = realloc(policies, (n + 1) * sizeof(*np));
		if (np == NULL)
			goto out;
		policies = np;
		policies[n] = strdup(xf_stmt_text(st, 0));
		if (policies[n] == NULL)
			goto out;
		n++;
	}
	if (step == XF_STEP_ERROR)
		goto out;
	xf_stmt_finalize(st);
	st = NULL;
	if (n == 0) {
		xf_errs_add(errs, "%d 年度没有%s指定学分办法的单位，无人可评 (no unit has a policy for %d)",
			    year, unit_code ? "符合条件且" : "", year);
		goto out;
	}
	d = xf_data_new(s, errs);
	if (d == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (assess_policy(s, d, policies[i], year, unit_code, actor, rep, errs) != 0)
			goto out;
	rc = 0;
out:
	xf_stmt_finalize(st);
	xf_data_free(d);
	for (size_t i = 0; i < n; i++)
		free(policies[i]);
	free(policies);
	return rc;
}
