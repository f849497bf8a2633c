/* export_case: the database written back as a case file (spec/case-format.md)
 * for one year and one policy: the people of the units assigned that policy,
 * their periods, the year's flags and scores, all their records and
 * metrics, and earlier years' grades. Importing a case and exporting it
 * gives the same data (what the engine sees is identical). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonw.h"
#include "service/export.h"
#include "service/scope.h"

static xf_stmt *scan(xf_store *s, const char *sql, int year, const char *policy,
		     const char *unit, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, sql, errs);
	if (st == NULL)
		return NULL;
	if ((xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, policy) |
	     xf_stmt_bind_text(st, 3, unit)) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		xf_stmt_finalize(st);
		return NULL;
	}
	return st;
}

/* Writes column col as key when it is not NULL. */
static void opt_text(xf_jw *w, xf_stmt *st, int col, const char *key)
{
	if (!xf_stmt_is_null(st, col))
		xf_jw_kstr(w, key, xf_stmt_text(st, col));
}

static void opt_num(xf_jw *w, xf_stmt *st, int col, const char *key)
{
	if (!xf_stmt_is_null(st, col))
		xf_jw_knum(w, key, xf_stmt_double(st, col));
}

static void opt_bool(xf_jw *w, xf_stmt *st, int col, const char *key)
{
	if (!xf_stmt_is_null(st, col))
		xf_jw_kbool(w, key, xf_stmt_int(st, col) != 0);
}

/* Periods and flags of one person, from scans positioned at or before it. */
static int person_extras(xf_jw *w, xf_stmt *periods, bool *prow, xf_stmt *flags, bool *frow,
			 long long id, xf_errs *errs)
{
	while (*prow && xf_stmt_int(periods, 0) < id)
		*prow = xf_stmt_step(periods, errs) == XF_STEP_ROW;
	if (*prow && xf_stmt_int(periods, 0) == id) {
		xf_jw_key(w, "periods");
		xf_jw_arr(w);
		while (*prow && xf_stmt_int(periods, 0) == id) {
			xf_jw_obj(w);
			xf_jw_kstr(w, "kind", xf_stmt_text(periods, 1));
			xf_jw_kstr(w, "from", xf_stmt_text(periods, 2));
			xf_jw_kstr(w, "to", xf_stmt_text(periods, 3));
			if (xf_stmt_int(periods, 4) == 0)
				xf_jw_kbool(w, "participates", false);
			xf_jw_obj_end(w);
			*prow = xf_stmt_step(periods, errs) == XF_STEP_ROW;
		}
		xf_jw_arr_end(w);
	}
	while (*frow && xf_stmt_int(flags, 0) < id)
		*frow = xf_stmt_step(flags, errs) == XF_STEP_ROW;
	if (*frow && xf_stmt_int(flags, 0) == id) {
		xf_jw_key(w, "flags");
		xf_jw_arr(w);
		while (*frow && xf_stmt_int(flags, 0) == id) {
			xf_jw_str(w, xf_stmt_text(flags, 1));
			*frow = xf_stmt_step(flags, errs) == XF_STEP_ROW;
		}
		xf_jw_arr_end(w);
	}
	return xf_errs_count(errs) ? -1 : 0;
}

static int write_people(xf_jw *w, xf_store *s, int year, const char *policy,
			const char *unit, long long *n, xf_errs *errs)
{
	xf_stmt *people = scan(s, XF_SCOPE_PERSON_ROWS, year, policy, unit, errs);
	xf_stmt *periods = scan(s, "SELECT x.person_id, x.kind, x.date_from, x.date_to, x.participates"
				   " FROM periods x" XF_SCOPE_ROWS " ORDER BY x.person_id, x.id",
				year, policy, unit, errs);
	xf_stmt *flags = scan(s, "SELECT x.person_id, x.flag FROM person_flags x" XF_SCOPE_ROWS
				 " AND x.year = $1 ORDER BY x.person_id, x.flag",
			      year, policy, unit, errs);
	int rc = -1;
	if (people == NULL || periods == NULL || flags == NULL)
		goto out;
	bool prow = xf_stmt_step(periods, errs) == XF_STEP_ROW;
	bool frow = xf_stmt_step(flags, errs) == XF_STEP_ROW;
	xf_jw_key(w, "people");
	xf_jw_arr(w);
	xf_step r;
	while ((r = xf_stmt_step(people, errs)) == XF_STEP_ROW) {
		long long id = xf_stmt_int(people, 0);
		xf_jw_obj(w);
		xf_jw_kstr(w, "id", xf_stmt_text(people, 1));
		xf_jw_kstr(w, "name", xf_stmt_text(people, 2));
		xf_jw_kstr(w, "unit", xf_stmt_text(people, 3));
		opt_text(w, people, 4, "role");
		opt_text(w, people, 5, "joined");
		if (person_extras(w, periods, &prow, flags, &frow, id, errs) != 0)
			goto out;
		xf_jw_obj_end(w);
		(*n)++;
	}
	xf_jw_arr_end(w);
	rc = r == XF_STEP_DONE ? 0 : -1;
out:
	xf_stmt_finalize(people);
	xf_stmt_finalize(periods);
	xf_stmt_finalize(flags);
	return rc;
}

static int write_records(xf_jw *w, xf_store *s, int year, const char *policy, const char *unit,
			 xf_errs *errs)
{
	xf_stmt *st = scan(s, "SELECT p.code, x.item, x.date, x.level, x.count, x.days, x.months,"
			      " x.hours, x.minutes, x.attended_minutes, x.score, x.passed, x.completed,"
			      " x.online, x.kind, x.approved, x.awarded, x.speaker, x.activity, x.credits"
			      " FROM records x JOIN people p ON p.id = x.person_id" XF_SCOPE_ROWS " ORDER BY x.person_id, x.id",
			   year, policy, unit, errs);
	if (st == NULL)
		return -1;
	static const char *const nums[] = {"count", "days", "months", "hours", "minutes",
					   "attended_minutes", "score"};
	xf_jw_key(w, "records");
	xf_jw_arr(w);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "person", xf_stmt_text(st, 0));
		xf_jw_kstr(w, "item", xf_stmt_text(st, 1));
		xf_jw_kstr(w, "date", xf_stmt_text(st, 2));
		opt_text(w, st, 3, "level");
		for (int i = 0; i < 7; i++)
			opt_num(w, st, 4 + i, nums[i]);
		opt_bool(w, st, 11, "passed");
		opt_bool(w, st, 12, "completed");
		opt_bool(w, st, 13, "online");
		opt_text(w, st, 14, "kind");
		opt_bool(w, st, 15, "approved");
		opt_bool(w, st, 16, "awarded");
		opt_bool(w, st, 17, "speaker");
		opt_text(w, st, 18, "activity");
		opt_num(w, st, 19, "credits");
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_stmt_finalize(st);
	return r == XF_STEP_DONE ? 0 : -1;
}

static int write_rest(xf_jw *w, xf_store *s, int year, const char *policy, const char *unit,
		      xf_errs *errs)
{
	xf_stmt *m = scan(s, "SELECT p.code, x.metric, x.month, x.value FROM metrics x"
			     " JOIN people p ON p.id = x.person_id" XF_SCOPE_ROWS
			     " ORDER BY x.person_id, x.metric, x.month",
			  year, policy, unit, errs);
	xf_stmt *sc = scan(s, "SELECT p.code, x.line, x.self, x.review FROM scores x"
			      " JOIN people p ON p.id = x.person_id" XF_SCOPE_ROWS
			      " AND x.year = $1 ORDER BY x.person_id, x.line",
			   year, policy, unit, errs);
	/* Earlier years' grades: the latest run of each year. */
	xf_stmt *h = scan(s, "SELECT p.code, rn.year, x.grade FROM run_results x"
			     " JOIN runs rn ON rn.id = x.run_id JOIN people p ON p.id = x.person_id" XF_SCOPE_ROWS
			     " AND rn.year < $1 AND rn.policy = $2 AND x.grade IS NOT NULL"
			     " AND rn.id = (SELECT max(r2.id) FROM runs r2 JOIN run_results x2"
			     " ON x2.run_id = r2.id WHERE r2.year = rn.year AND r2.policy = $2"
			     " AND x2.person_id = x.person_id AND x2.grade IS NOT NULL)"
			     " ORDER BY x.person_id, rn.year",
			  year, policy, unit, errs);
	int rc = -1;
	xf_step r = XF_STEP_ERROR;
	if (m == NULL || sc == NULL || h == NULL)
		goto out;
	xf_jw_key(w, "metrics");
	xf_jw_arr(w);
	while ((r = xf_stmt_step(m, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "person", xf_stmt_text(m, 0));
		xf_jw_kstr(w, "metric", xf_stmt_text(m, 1));
		xf_jw_kstr(w, "month", xf_stmt_text(m, 2));
		xf_jw_knum(w, "value", xf_stmt_double(m, 3));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	if (r != XF_STEP_DONE)
		goto out;
	xf_jw_key(w, "scores");
	xf_jw_arr(w);
	while ((r = xf_stmt_step(sc, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "person", xf_stmt_text(sc, 0));
		xf_jw_kstr(w, "line", xf_stmt_text(sc, 1));
		opt_num(w, sc, 2, "self");
		opt_num(w, sc, 3, "review");
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	if (r != XF_STEP_DONE)
		goto out;
	xf_jw_key(w, "history");
	xf_jw_arr(w);
	while ((r = xf_stmt_step(h, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "person", xf_stmt_text(h, 0));
		xf_jw_kint(w, "year", xf_stmt_int(h, 1));
		xf_jw_kstr(w, "grade", xf_stmt_text(h, 2));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	rc = r == XF_STEP_DONE ? 0 : -1;
out:
	xf_stmt_finalize(m);
	xf_stmt_finalize(sc);
	xf_stmt_finalize(h);
	return rc;
}

/* The one policy in scope, or an error listing them when there are several. */
static int pick_policy(xf_store *s, int year, const char *unit, char **out, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, XF_SCOPE_POLICIES, errs);
	if (st == NULL)
		return -1;
	int n = 0, rc = -1;
	char list[512] = "";
	if ((xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, unit)) != 0)
		goto out;
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		const char *p = xf_stmt_text(st, 0);
		if (n++ == 0 && (*out = strdup(p)) == NULL)
			goto out;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? "、" : "", p);
	}
	if (r != XF_STEP_DONE)
		goto out;
	if (n == 0)
		xf_errs_add(errs, "%d 年度没有单位指定了学分办法 (no unit has a policy for %d)", year, year);
	else if (n > 1)
		xf_errs_add(errs, "%d 年度有多个学分办法（%s），请选择一个单位（--unit 或 ?unit=）"
			    "(several policies; choose a unit with --unit)", year, list);
	else
		rc = 0;
out:
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	xf_stmt_finalize(st);
	return rc;
}

int xf_export_case(xf_store *s, int year, const char *unit, FILE *f, long long *people,
		   xf_errs *errs)
{
	char *policy = NULL;
	*people = 0;
	if (pick_policy(s, year, unit, &policy, errs) != 0)
		return -1;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "policy", policy);
	xf_jw_kint(&w, "year", year);
	int rc = -1;
	if (write_people(&w, s, year, policy, unit, people, errs) == 0 &&
	    write_records(&w, s, year, policy, unit, errs) == 0 &&
	    write_rest(&w, s, year, policy, unit, errs) == 0)
		rc = 0;
	xf_jw_obj_end(&w);
	free(policy);
	return rc;
}
