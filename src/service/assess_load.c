/* assess_load: people and their engine inputs streamed out of the store
 * (see assess_load.h). Each scan is one statement per scope, written out
 * in full below with the parameters it binds, in order. */
#include "service/assess_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "service/scope.h"

/* What a statement's $1, $2, ... are. */
typedef enum slot {
	S_END,      /* no more parameters */
	S_YEAR,
	S_POLICY,
	S_UNIT,     /* unit code (POLICY scope), may be NULL */
	S_KEY,      /* person id or unit id */
	S_DAY0, S_DAY1,     /* first and last day of the year */
	S_MONTH0, S_MONTH1  /* first and last month of the year */
} slot;

typedef struct scan_sql {
	const char *sql;
	slot params[6];
} scan_sql;

/* The columns of each scan; the scope's WHERE follows. */
#define RECORDS_HEAD                                                                        \
	"SELECT x.person_id, x.item, x.date, x.level, x.count, x.days, x.months, x.hours,"  \
	" x.minutes, x.attended_minutes, x.score, x.passed, x.completed, x.online, x.kind," \
	" x.approved, x.awarded, x.speaker, x.activity, x.credits, x.id, x.claim_id FROM records x"
#define METRICS_HEAD "SELECT x.person_id, x.metric, x.month, x.value FROM metrics x"
#define PERIODS_HEAD \
	"SELECT x.person_id, x.kind, x.date_from, x.date_to, x.participates FROM periods x"
#define FLAGS_HEAD "SELECT x.person_id, x.flag FROM person_flags x"
#define SCORES_HEAD "SELECT x.person_id, x.line, x.self, x.review FROM scores x"
#define HISTORY_HEAD \
	"SELECT x.person_id, rn.year, x.grade FROM run_results x JOIN runs rn ON rn.id = x.run_id"

#define RECORDS_TAIL " AND x.date >= $4 AND x.date <= $5 ORDER BY x.person_id, x.id"
#define METRICS_TAIL " AND x.month >= $4 AND x.month <= $5 ORDER BY x.person_id, x.metric, x.month"
#define PERIODS_TAIL " ORDER BY x.person_id, x.id"
#define FLAGS_TAIL " AND x.year = $1 ORDER BY x.person_id, x.flag"
#define SCORES_TAIL " AND x.year = $1 ORDER BY x.person_id, x.line"
#define HISTORY_TAIL                                                                \
	" AND rn.year < $1 AND rn.policy = $2 AND x.grade IS NOT NULL"               \
	" ORDER BY x.person_id, rn.year, rn.id"

/* XF_LOAD_POLICY: $1 year, $2 policy, $3 unit code or NULL (scope.h). */
static const scan_sql policy_scans[XF_SCAN_COUNT] = {
	[XF_SCAN_PEOPLE] = {XF_SCOPE_PERSON_ROWS, {S_YEAR, S_POLICY, S_UNIT}},
	[XF_SCAN_RECORDS] = {RECORDS_HEAD XF_SCOPE_ROWS RECORDS_TAIL,
			     {S_YEAR, S_POLICY, S_UNIT, S_DAY0, S_DAY1}},
	[XF_SCAN_METRICS] = {METRICS_HEAD XF_SCOPE_ROWS METRICS_TAIL,
			     {S_YEAR, S_POLICY, S_UNIT, S_MONTH0, S_MONTH1}},
	[XF_SCAN_PERIODS] = {PERIODS_HEAD XF_SCOPE_ROWS PERIODS_TAIL, {S_YEAR, S_POLICY, S_UNIT}},
	[XF_SCAN_FLAGS] = {FLAGS_HEAD XF_SCOPE_ROWS FLAGS_TAIL, {S_YEAR, S_POLICY, S_UNIT}},
	[XF_SCAN_SCORES] = {SCORES_HEAD XF_SCOPE_ROWS SCORES_TAIL, {S_YEAR, S_POLICY, S_UNIT}},
	[XF_SCAN_HISTORY] = {HISTORY_HEAD XF_SCOPE_ROWS HISTORY_TAIL, {S_YEAR, S_POLICY, S_UNIT}},
};

/* XF_LOAD_SUBTREE: $1 year, $2 policy, $3 unit id. `up` walks from the
 * unit to the root, `root` is the first policy found on the way (the
 * unit's own, else the nearest ancestor's), `sub` walks down carrying the
 * policy each unit inherits unless it has its own. Depths are bounded so
 * that a (corrupt) cycle in the tree cannot loop. */
#define SUBTREE_CTE_AT(Y, U)                                                                 \
	"WITH RECURSIVE up(id, parent_id, depth) AS ("                                       \
	" SELECT id, parent_id, 0 FROM units WHERE id = $" U                                 \
	" UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM units u"                     \
	" JOIN up ON u.id = up.parent_id WHERE up.depth < 64),"                              \
	" root(policy) AS (SELECT a.policy FROM up JOIN policy_assignments a"                \
	" ON a.unit_id = up.id AND a.year = $" Y " ORDER BY up.depth LIMIT 1),"              \
	" sub(id, policy, depth) AS ("                                                       \
	" SELECT u.id, (SELECT policy FROM root), 0 FROM units u WHERE u.id = $" U           \
	" UNION ALL SELECT u.id, COALESCE(a.policy, sub.policy), sub.depth + 1 FROM units u" \
	" JOIN sub ON u.parent_id = sub.id LEFT JOIN policy_assignments a"                   \
	" ON a.unit_id = u.id AND a.year = $" Y " WHERE sub.depth < 64) "
#define SUBTREE_CTE SUBTREE_CTE_AT("1", "3")
#define SUBTREE_PEOPLE \
	"SELECT p.id FROM people p JOIN sub ON sub.id = p.unit_id WHERE p.active = 1 AND sub.policy = $2"
#define SUBTREE_ROWS " WHERE x.person_id IN (" SUBTREE_PEOPLE ")"

static const scan_sql subtree_scans[XF_SCAN_COUNT] = {
	[XF_SCAN_PEOPLE] = {SUBTREE_CTE
			    "SELECT p.id, p.code, p.name, u.code, p.role, p.joined, u.id, u.name"
			    " FROM people p JOIN sub ON sub.id = p.unit_id JOIN units u ON u.id = p.unit_id"
			    " WHERE p.active = 1 AND sub.policy = $2 ORDER BY p.id",
			    {S_YEAR, S_POLICY, S_KEY}},
	[XF_SCAN_RECORDS] = {SUBTREE_CTE RECORDS_HEAD SUBTREE_ROWS RECORDS_TAIL,
			     {S_YEAR, S_POLICY, S_KEY, S_DAY0, S_DAY1}},
	[XF_SCAN_METRICS] = {SUBTREE_CTE METRICS_HEAD SUBTREE_ROWS METRICS_TAIL,
			     {S_YEAR, S_POLICY, S_KEY, S_MONTH0, S_MONTH1}},
	[XF_SCAN_PERIODS] = {SUBTREE_CTE PERIODS_HEAD SUBTREE_ROWS PERIODS_TAIL,
			     {S_YEAR, S_POLICY, S_KEY}},
	[XF_SCAN_FLAGS] = {SUBTREE_CTE FLAGS_HEAD SUBTREE_ROWS FLAGS_TAIL, {S_YEAR, S_POLICY, S_KEY}},
	[XF_SCAN_SCORES] = {SUBTREE_CTE SCORES_HEAD SUBTREE_ROWS SCORES_TAIL, {S_YEAR, S_POLICY, S_KEY}},
	[XF_SCAN_HISTORY] = {SUBTREE_CTE HISTORY_HEAD SUBTREE_ROWS HISTORY_TAIL,
			     {S_YEAR, S_POLICY, S_KEY}},
};

/* XF_LOAD_PERSON: point reads by the person's key (every person-keyed
 * table is clustered by person first). The people row carries the policy
 * of the person's own unit; when it has none, XF_SCOPE_UNIT_POLICY finds the nearest
 * unit above with one (see xf_load_person_policy). History reads the few
 * runs of the policy first, then one key each (CROSS JOIN keeps SQLite to
 * that order), never every run's rows. */
static const scan_sql person_scans[XF_SCAN_COUNT] = {
	[XF_SCAN_PEOPLE] = {"SELECT p.id, p.code, p.name, u.code, p.role, p.joined, u.id, u.name,"
			    " a.policy, p.active FROM people p LEFT JOIN units u ON u.id = p.unit_id"
			    " LEFT JOIN policy_assignments a ON a.unit_id = p.unit_id AND a.year = $2"
			    " WHERE p.id = $1",
			    {S_KEY, S_YEAR}},
	[XF_SCAN_RECORDS] = {RECORDS_HEAD " WHERE x.person_id = $1 AND x.date >= $2 AND x.date <= $3"
			     " ORDER BY x.person_id, x.id",
			     {S_KEY, S_DAY0, S_DAY1}},
	[XF_SCAN_METRICS] = {METRICS_HEAD " WHERE x.person_id = $1 AND x.month >= $2 AND x.month <= $3"
			     " ORDER BY x.person_id, x.metric, x.month",
			     {S_KEY, S_MONTH0, S_MONTH1}},
	[XF_SCAN_PERIODS] = {PERIODS_HEAD " WHERE x.person_id = $1" PERIODS_TAIL, {S_KEY}},
	[XF_SCAN_FLAGS] = {FLAGS_HEAD " WHERE x.person_id = $1 AND x.year = $2 ORDER BY x.person_id, x.flag",
			   {S_KEY, S_YEAR}},
	[XF_SCAN_SCORES] = {SCORES_HEAD " WHERE x.person_id = $1 AND x.year = $2 ORDER BY x.person_id, x.line",
			    {S_KEY, S_YEAR}},
	[XF_SCAN_HISTORY] = {"SELECT x.person_id, rn.year, x.grade FROM runs rn CROSS JOIN run_results x"
			     " WHERE x.run_id = rn.id AND x.person_id = $1 AND rn.year < $2"
			     " AND rn.policy = $3 AND x.grade IS NOT NULL ORDER BY rn.year, rn.id",
			     {S_KEY, S_YEAR, S_POLICY}},
};

static const scan_sql *scans_of(xf_load_scope scope)
{
	switch (scope) {
	case XF_LOAD_POLICY: return policy_scans;
	case XF_LOAD_PERSON: return person_scans;
	case XF_LOAD_SUBTREE: return subtree_scans;
	}
	return policy_scans;
}

#define GROW(b, n, cap)                                                  \
	do {                                                              \
		if ((n) == (cap)) {                                       \
			size_t ncap_ = (cap) ? (cap) * 2 : 64;            \
			void *p_ = realloc((b), ncap_ * sizeof(*(b)));    \
			if (p_ == NULL)                                   \
				goto oom;                                 \
			(b) = p_;                                         \
			(cap) = ncap_;                                    \
		}                                                         \
	} while (0)

/* Activity keys only need to differ within one person: the map is
 * started afresh once it holds this many, so it stays small. */
#define ACTIVITIES_MAX 4096

static int cursor_next(xf_load *l, int i)
{
	xf_step r = xf_stmt_step(l->c[i].st, l->errs);
	l->c[i].row = r == XF_STEP_ROW;
	return r == XF_STEP_ERROR ? -1 : 0;
}

/* Skips rows of people before `id` (rows whose person is out of scope). */
static int cursor_align(xf_load *l, int i, long long id)
{
	while (l->c[i].row && xf_stmt_int(l->c[i].st, 0) < id)
		if (cursor_next(l, i) != 0)
			return -1;
	return 0;
}

static bool cursor_at(const xf_load *l, int i, long long id)
{
	return l->c[i].row && xf_stmt_int(l->c[i].st, 0) == id;
}

static int tri_col(xf_stmt *st, int col)
{
	return xf_stmt_is_null(st, col) ? -1 : (int)xf_stmt_int(st, col);
}

static double num_col(xf_stmt *st, int col, double dflt)
{
	return xf_stmt_is_null(st, col) ? dflt : xf_stmt_double(st, col);
}

static int bad_row(xf_load *l, const char *what, const char *value)
{
	if (value == NULL)
		xf_errs_add(l->errs, "人员 %s：未填写%s，学分办法 %s 需要它，评估中止 (%s missing; "
			    "assessment stopped)", l->who, what, l->p->id, what);
	else
		xf_errs_add(l->errs, "人员 %s：%s \"%s\" 不在学分办法 %s 中，评估中止 (%s not in the "
			    "policy; assessment stopped)", l->who, what, value, l->p->id, what);
	return -1;
}

static int prepare_scan(xf_load *l, int i)
{
	const scan_sql *q = &scans_of(l->scope)[i];
	char day0[16], day1[16], month0[16], month1[16];
	snprintf(day0, sizeof(day0), "%04d-01-01", l->year);
	snprintf(day1, sizeof(day1), "%04d-12-31", l->year);
	snprintf(month0, sizeof(month0), "%04d-01", l->year);
	snprintf(month1, sizeof(month1), "%04d-12", l->year);
	xf_stmt *st = xf_stmt_prepare(l->s, q->sql, l->errs);
	if (st == NULL)
		return -1;
	l->c[i].st = st;
	int b = 0;
	for (int k = 0; k < (int)(sizeof(q->params) / sizeof(q->params[0])) && q->params[k] != S_END;
	     k++) {
		int n = k + 1;
		switch (q->params[k]) {
		case S_END: break;
		case S_YEAR: b |= xf_stmt_bind_int(st, n, l->year); break;
		case S_POLICY: b |= xf_stmt_bind_text(st, n, l->policy_ref); break;
		case S_UNIT: b |= xf_stmt_bind_text(st, n, l->unit_code); break;
		case S_KEY: b |= xf_stmt_bind_int(st, n, l->key); break;
		case S_DAY0: b |= xf_stmt_bind_text(st, n, day0); break;
		case S_DAY1: b |= xf_stmt_bind_text(st, n, day1); break;
		case S_MONTH0: b |= xf_stmt_bind_text(st, n, month0); break;
		case S_MONTH1: b |= xf_stmt_bind_text(st, n, month1); break;
		}
	}
	if (b != 0) {
		xf_errs_add(l->errs, "绑定参数失败 (cannot bind a parameter)");
		return -1;
	}
	return cursor_next(l, i);
}

int xf_load_open(xf_load *l, xf_store *s, xf_load_scope scope, int year,
		 const char *policy_ref, const char *unit_code, long long key,
		 xf_errs *errs)
{
	memset(l, 0, sizeof(*l));
	l->s = s;
	l->scope = scope;
	l->year = year;
	l->policy_ref = policy_ref;
	l->unit_code = unit_code;
	l->key = key;
	l->errs = errs;
	return prepare_scan(l, XF_SCAN_PEOPLE);
}

xf_stmt *xf_load_people(xf_load *l)
{
	return l->c[XF_SCAN_PEOPLE].st;
}

bool xf_load_has_person(const xf_load *l)
{
	return l->c[XF_SCAN_PEOPLE].row;
}

/* Whether the policy reads scan i at all. A scan it ignores is not run:
 * metrics it has none of, periods when neither months nor exemptions
 * depend on them, history without a look-back rule. Flags and scores it
 * has none of are still read by the year-end run (XF_LOAD_POLICY), where
 * a stray one stops the run as a sign of bad data; the views skip them. */
static bool scan_needed(const xf_load *l, int i)
{
	const xf_policy *p = l->p;
	switch (i) {
	case XF_SCAN_METRICS:
		return p->nmetrics > 0;
	case XF_SCAN_PERIODS:
		if (p->uncounted_periods)
			return true;
		for (int e = 0; e < p->nexempt; e++)
			if (p->exempt[e].period_kinds || p->exempt[e].when == XF_EXEMPT_NOT_PARTICIPATING)
				return true;
		return false;
	case XF_SCAN_FLAGS:
		return p->nflags > 0 || l->scope == XF_LOAD_POLICY;
	case XF_SCAN_SCORES:
		return p->nlines > 0 || l->scope == XF_LOAD_POLICY;
	case XF_SCAN_HISTORY:
		for (int f = 0; f < p->nresult_flags; f++)
			if (p->result_flags[f].when == XF_RFLAG_GRADE_STREAK)
				return true;
		return false;
	}
	return true;
}

int xf_load_begin(xf_load *l, const xf_policy *p, const char *policy_ref)
{
	l->p = p;
	l->policy_ref = policy_ref;
	l->begun = true;
	for (int i = XF_SCAN_PEOPLE + 1; i < XF_SCAN_COUNT; i++)
		if (scan_needed(l, i) && prepare_scan(l, i) != 0)
			return -1;
	return 0;
}

const char *xf_load_person_policy(xf_load *l)
{
	xf_stmt *row = l->c[XF_SCAN_PEOPLE].st;
	if (l->scope != XF_LOAD_PERSON || !l->c[XF_SCAN_PEOPLE].row)
		return NULL;
	if (!xf_stmt_is_null(row, 8))
		return xf_stmt_text(row, 8);
	if (l->found_policy != NULL || xf_stmt_is_null(row, 6))
		return l->found_policy;
	/* The unit has no assignment for the year: the nearest unit above
	 * that has one decides (an organisation's policy covers the units
	 * under it). */
	xf_stmt *st = xf_stmt_prepare(l->s, XF_SCOPE_UNIT_POLICY, l->errs);
	if (st == NULL)
		return NULL;
	if ((xf_stmt_bind_int(st, 1, xf_stmt_int(row, 6)) | xf_stmt_bind_int(st, 2, l->year)) != 0) {
		xf_errs_add(l->errs, "绑定参数失败 (cannot bind a parameter)");
		l->policy_failed = true;
	} else {
		xf_step r = xf_stmt_step(st, l->errs);
		if (r == XF_STEP_ROW && (l->found_policy = strdup(xf_stmt_text(st, 0))) == NULL)
			xf_errs_add(l->errs, "内存不足 (out of memory)");
		l->policy_failed = r == XF_STEP_ERROR || (r == XF_STEP_ROW && l->found_policy == NULL);
	}
	xf_stmt_finalize(st);
	return l->found_policy;
}

/* Reads person `id`'s records into engine form. */
static int load_records(xf_load *l, long long id)
{
	const xf_policy *p = l->p;
	xf_stmt *st = l->c[XF_SCAN_RECORDS].st;
	l->nrec = 0;
	for (; cursor_at(l, XF_SCAN_RECORDS, id);) {
		GROW(l->rec, l->nrec, l->caprec);
		xf_record *rec = &l->rec[l->nrec];
		memset(rec, 0, sizeof(*rec));
		const char *item = xf_stmt_text(st, 1);
		int it = item ? xf_policy_item(p, item) : -1;
		if (it < 0)
			return bad_row(l, "学分项目 (item)", item);
		rec->index = (uint32_t)xf_stmt_int(st, 20);
		rec->item = (int16_t)it;
		const char *level = xf_stmt_text(st, 3);
		rec->level = -1;
		if (p->items[it].level_points != NULL) {
			int lv = level ? xf_policy_level(p, level) : -1;
			if (lv < 0 || isnan(p->items[it].level_points[lv]))
				return bad_row(l, "级别 (level)", level);
			rec->level = (int8_t)lv;
		}
		if (xf_date_parse(xf_stmt_text(st, 2), &rec->date) != 0)
			return bad_row(l, "日期 (date)", xf_stmt_text(st, 2));
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
		rec->kind = (int8_t)(kind ? xf_policy_kind(p, kind) : -1);
		const char *act = xf_stmt_text(st, 18);
		rec->activity = -1;
		if (act && *act) {
			int32_t a = xf_strmap_intern(l->activities, act, NULL);
			if (a < 0)
				goto oom;
			rec->activity = a;
		}
		if (l->on_record && l->on_record(l->on_record_ctx, st, rec) != 0)
			return -1;
		l->nrec++;
		if (cursor_next(l, XF_SCAN_RECORDS) != 0)
			return -1;
	}
	return 0;
oom:
	xf_errs_add(l->errs, "内存不足 (out of memory)");
	return -1;
}

/* Metrics, periods, flags, scores and history of person `id`. */
static int load_rest(xf_load *l, long long id)
{
	const xf_policy *p = l->p;
	xf_person *pe = &l->person;
	xf_stmt *st;
	l->nmet = l->nper = l->nsco = l->nhis = 0;

	for (st = l->c[XF_SCAN_METRICS].st; cursor_at(l, XF_SCAN_METRICS, id);) {
		int m = xf_policy_metric(p, xf_stmt_text(st, 1));
		int y, mo;
		if (m >= 0 && xf_month_parse(xf_stmt_text(st, 2), &y, &mo) == 0) {
			GROW(l->met, l->nmet, l->capmet);
			l->met[l->nmet] = (xf_metric){(uint32_t)l->nmet, (int16_t)m, (int16_t)y,
						      (int8_t)mo, xf_stmt_double(st, 3)};
			l->nmet++;
		} /* else a metric this policy does not use */
		if (cursor_next(l, XF_SCAN_METRICS) != 0)
			return -1;
	}
	for (st = l->c[XF_SCAN_PERIODS].st; cursor_at(l, XF_SCAN_PERIODS, id);) {
		const char *kind = xf_stmt_text(st, 1);
		GROW(l->per, l->nper, l->capper);
		xf_period *pd = &l->per[l->nper];
		pd->kind = strcmp(kind, "secondment") == 0 ? XF_PERIOD_SECONDMENT
			   : strcmp(kind, "sick_leave") == 0 ? XF_PERIOD_SICK_LEAVE
							     : XF_PERIOD_LEAVE;
		if (xf_date_parse(xf_stmt_text(st, 2), &pd->from) != 0 ||
		    xf_date_parse(xf_stmt_text(st, 3), &pd->to) != 0)
			return bad_row(l, "时段日期 (period date)", xf_stmt_text(st, 2));
		pd->participates = xf_stmt_int(st, 4) != 0;
		l->nper++;
		if (cursor_next(l, XF_SCAN_PERIODS) != 0)
			return -1;
	}
	pe->periods = l->per;
	pe->nperiods = l->nper;
	pe->flags = 0;
	for (st = l->c[XF_SCAN_FLAGS].st; cursor_at(l, XF_SCAN_FLAGS, id);) {
		int f = xf_policy_flag(p, xf_stmt_text(st, 1));
		if (f < 0)
			return bad_row(l, "标记 (flag)", xf_stmt_text(st, 1));
		pe->flags |= 1u << f;
		if (cursor_next(l, XF_SCAN_FLAGS) != 0)
			return -1;
	}
	for (st = l->c[XF_SCAN_SCORES].st; cursor_at(l, XF_SCAN_SCORES, id);) {
		int line = xf_policy_line(p, xf_stmt_text(st, 1));
		if (line < 0)
			return bad_row(l, "评分项 (line)", xf_stmt_text(st, 1));
		GROW(l->sco, l->nsco, l->capsco);
		l->sco[l->nsco] = (xf_score){(uint32_t)l->nsco, (int16_t)line, !xf_stmt_is_null(st, 2),
					     !xf_stmt_is_null(st, 3), num_col(st, 2, 0),
					     num_col(st, 3, 0)};
		l->nsco++;
		if (cursor_next(l, XF_SCAN_SCORES) != 0)
			return -1;
	}
	for (st = l->c[XF_SCAN_HISTORY].st; cursor_at(l, XF_SCAN_HISTORY, id);) {
		int year = (int)xf_stmt_int(st, 1);
		int grade = xf_policy_grade(p, xf_stmt_text(st, 2));
		/* Runs come oldest first: a later run of a year replaces it. */
		if (l->nhis > 0 && l->his[l->nhis - 1].year == year) {
			l->his[l->nhis - 1].grade = (int8_t)grade;
		} else {
			GROW(l->his, l->nhis, l->caphis);
			l->his[l->nhis++] = (xf_history){(int16_t)year, (int8_t)grade};
		}
		if (cursor_next(l, XF_SCAN_HISTORY) != 0)
			return -1;
	}
	return 0;
oom:
	xf_errs_add(l->errs, "内存不足 (out of memory)");
	return -1;
}

int xf_load_next(xf_load *l)
{
	if (!l->begun) {
		xf_errs_add(l->errs, "内部错误：未开始读取 (xf_load_begin not called)");
		return -1;
	}
	/* The previous person's strings live in the people row: advance now. */
	if (l->loaded && cursor_next(l, XF_SCAN_PEOPLE) != 0)
		return -1;
	l->loaded = false;
	if (!l->c[XF_SCAN_PEOPLE].row)
		return 0;

	xf_stmt *st = l->c[XF_SCAN_PEOPLE].st;
	long long id = xf_stmt_int(st, 0);
	xf_person *pe = &l->person;
	const xf_policy *p = l->p;
	memset(pe, 0, sizeof(*pe));
	l->person_id = id;
	pe->id = xf_stmt_text(st, 1);
	pe->name = xf_stmt_text(st, 2);
	pe->unit = xf_stmt_text(st, 3);
	pe->unit_id = -1;
	snprintf(l->who, sizeof(l->who), "%.60s（%.60s）", pe->name ? pe->name : "",
		 pe->id ? pe->id : "");
	const char *role = xf_stmt_text(st, 4);
	pe->role = role ? xf_policy_role(p, role) : -1;
	if (p->nroles > 0 && pe->role < 0)
		return bad_row(l, "角色 (role)", role);
	const char *joined = xf_stmt_text(st, 5);
	if (joined && xf_date_parse(joined, &pe->joined) != 0)
		return bad_row(l, "入职日期 (joined)", joined);

	if (l->activities != NULL && xf_strmap_size(l->activities) > ACTIVITIES_MAX) {
		xf_strmap_free(l->activities);
		l->activities = NULL;
	}
	if (l->activities == NULL && (l->activities = xf_strmap_new()) == NULL) {
		xf_errs_add(l->errs, "内存不足 (out of memory)");
		return -1;
	}
	for (int i = XF_SCAN_PEOPLE + 1; i < XF_SCAN_COUNT; i++)
		if (cursor_align(l, i, id) != 0)
			return -1;
	if (load_records(l, id) != 0 || load_rest(l, id) != 0)
		return -1;
	l->in = (xf_input){pe, l->rec, l->nrec, l->met, l->nmet, l->sco, l->nsco, l->his, l->nhis};
	l->loaded = true;
	return 1;
}

void xf_load_cleanup(xf_load *l)
{
	for (int i = 0; i < XF_SCAN_COUNT; i++) {
		xf_stmt_finalize(l->c[i].st);
		l->c[i].st = NULL;
	}
	free(l->rec);
	free(l->met);
	free(l->per);
	free(l->sco);
	free(l->his);
	xf_strmap_free(l->activities);
	free(l->found_policy);
	l->found_policy = NULL;
	l->rec = NULL;
	l->met = NULL;
	l->per = NULL;
	l->sco = NULL;
	l->his = NULL;
	l->activities = NULL;
}

int xf_load_subtree_policies(xf_store *s, long long unit_id, int year, char ***out, size_t *n,
			     xf_errs *errs)
{
	*out = NULL;
	*n = 0;
	xf_stmt *st = xf_stmt_prepare(s, SUBTREE_CTE_AT("1", "2")
				      "SELECT DISTINCT policy FROM sub WHERE policy IS NOT NULL"
				      " ORDER BY policy", errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	xf_step step;
	if ((xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_int(st, 2, unit_id)) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		char **grown = realloc(*out, (*n + 1) * sizeof(**out));
		if (grown == NULL)
			goto oom;
		*out = grown;
		if (((*out)[*n] = strdup(xf_stmt_text(st, 0))) == NULL)
			goto oom;
		(*n)++;
	}
	if (step == XF_STEP_DONE)
		rc = 0;
	goto out;
oom:
	xf_errs_add(errs, "内存不足 (out of memory)");
out:
	xf_stmt_finalize(st);
	if (rc != 0) {
		xf_load_free_list(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void xf_load_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

const xf_policy *xf_load_policy(const char *ref, xf_policy **owned, xf_errs *errs)
{
	*owned = NULL;
	for (size_t i = 0; i < xf_builtin_policy_count; i++)
		if (strcmp(xf_builtin_policies[i].id, ref) == 0)
			return xf_policy_builtin_shared(ref, errs);
	*owned = xf_policy_resolve(ref, NULL, errs);
	return *owned;
}

int xf_load_person_start(xf_load *l, xf_store *s, int year, long long person_id, char **ref,
			 const xf_policy **p, xf_policy **owned, xf_errs *errs)
{
	*ref = NULL;
	*p = NULL;
	*owned = NULL;
	if (xf_load_open(l, s, XF_LOAD_PERSON, year, NULL, NULL, person_id, errs) != 0)
		return -1;
	if (!xf_load_has_person(l))
		return 1;
	const char *r = xf_load_person_policy(l);
	if (l->policy_failed)
		return -1;
	if (r == NULL)
		return 2;
	*ref = strdup(r);
	if (*ref == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		errs->internal = true;
		return -1;
	}
	*p = xf_load_policy(*ref, owned, errs);
	if (*p == NULL) {
		free(*ref);
		*ref = NULL;
		return -1;
	}
	return 0;
}
