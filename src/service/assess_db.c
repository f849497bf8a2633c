/* assess_db: the year's assessment streamed out of the store (see assess.h).
 *
 * People and their rows come from assess_load.h (seven ordered scans, all
 * sorted by person id, walked together like a merge join); each person is
 * assessed and written to the run. Rows the policy cannot value (an item or
 * line it does not have) stop the run with a message naming the person and
 * the row: a silent skip would make a wrong result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/group.h"
#include "io/result_json.h"
#include "service/assess.h"
#include "service/scope.h"
#include "service/assess_load.h"
#include "store/data.h"

typedef struct run {
	xf_store *s;
	xf_data *d;
	const xf_policy *p;
	int year;
	xf_errs *errs;
} run;

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
	run r = {s, d, NULL, year, errs};
	xf_load l;
	xf_result res;
	xf_engine_scratch scratch;
	xf_group *g = NULL;
	long long run_id = 0, people = 0, met = 0, exempt = 0, awards = 0;
	int rc = -1, more;
	bool in_tx = false;

	memset(&l, 0, sizeof(l));
	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	r.p = xf_policy_resolve(policy_ref, NULL, errs);
	if (r.p == NULL)
		goto out;
	g = xf_group_new(r.p);
	if (g == NULL || xf_result_init(&res, r.p) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	if (xf_data_run_begin(d, year, policy_ref, 0, &run_id, errs) != 0 ||
	    xf_load_open(&l, s, XF_LOAD_POLICY, year, policy_ref, unit_code, 0, errs) != 0 ||
	    xf_load_begin(&l, r.p, policy_ref) != 0)
		goto out;

	while ((more = xf_load_next(&l)) == 1) {
		if (xf_engine_assess(r.p, year, &l.in, &scratch, &res, NULL) != 0 ||
		    xf_group_add(g, &l.person, &res) != 0) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			goto out;
		}
		if (save_result(&r, run_id, l.person_id, &l.in, &res) != 0)
			goto out;
		people++;
		met += res.met == XF_TRUE;
		exempt += res.exempt;
	}
	if (more < 0)
		goto out;
	if (xf_group_finish(g) != 0 || settle_awards(&r, run_id, g, &awards) != 0 ||
	    xf_data_run_finish(d, run_id, people, errs) != 0)
		goto out;
	char after[200], object[48];
	snprintf(object, sizeof(object), "run:%lld", run_id);
	snprintf(after, sizeof(after), "{\"year\": %d, \"people\": %lld, \"met\": %lld}", year, people, met);
	xf_audit_entry e = {actor, "assess", object, NULL, after};
	if (xf_store_audit(s, &e, errs) != 0)
		goto out;
	xf_load_cleanup(&l);
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
	xf_load_cleanup(&l);
	if (in_tx)
		xf_store_rollback(s);
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
	xf_stmt *st = xf_stmt_prepare(s, XF_SCOPE_POLICIES, errs);
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
