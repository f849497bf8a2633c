/* api_scorecards: the yearly scorecards of policies that score people line
 * by line (service/scorecards.h; docs/workflow.md "Scorecards") — the
 * member's own card (read, self scores and note while a draft, submit) and
 * a person's card for the staff who see them, scored by the reviewers of
 * the person's unit. Every route takes ?year= (default: this year). */
#include <stdio.h>

#include "api/api_int.h"
#include "service/scorecards.h"

/* Sends a scorecard service's outcome when it is not XF_SC_OK (the answer
 * is then already written). */
static void finish(api_ctx *c, int rc, const xf_errs *errs)
{
	const char *msg = errs->n ? errs->msgs[0] : "请求有误";
	if (rc != XF_SC_OK)
		api_res_reset(c->res);
	switch (rc) {
	case XF_SC_OK:
		break;
	case XF_SC_MISSING:
		api_not_found(c);
		break;
	case XF_SC_NONE:
		api_error(c, 404, "no_scorecard", msg);
		break;
	case XF_SC_CONFLICT:
		api_error(c, 409, "conflict", msg);
		break;
	case XF_SC_OWN:
		api_error(c, 403, "forbidden", msg);
		break;
	default:
		if (errs->internal)
			api_internal(c, errs);
		else
			api_bad_request(c, errs);
		break;
	}
}

/* Answers person_id's card for year (scope NULL: the caller's own). */
static void answer_card(api_ctx *c, const xf_unit_scope *scope, long long person_id, int year)
{
	FILE *f = xf_res_stream(c->res);
	if (f == NULL) {
		api_internal(c, NULL);
		return;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_scorecard_json(c->store, scope, person_id, year, f, &errs);
	if (rc < 0 && !errs.internal) {
		/* The person's data does not fit the policy (the engine's load
		 * refused a row): nothing the request could change. */
		api_res_reset(c->res);
		api_invalid(c, "数据与学分办法不符，无法计算评分表", &errs);
	} else {
		finish(c, rc, &errs);
	}
	xf_errs_cleanup(&errs);
}

/* The caller's person, or a 404 when the account has none. */
static bool own_person(api_ctx *c, long long *person_id)
{
	*person_id = c->who->person_id;
	if (*person_id == 0)
		api_error(c, 404, "no_person", "您的账号未关联人员，没有评分表");
	return *person_id != 0;
}

/* The units the caller reviews (not every unit for an admin: admins do
 * not review). */
static void review_scope(const api_ctx *c, xf_unit_scope *scope)
{
	scope->all = false;
	scope->units = c->who->review_units;
	scope->nunits = c->who->nreview_units;
}

void api_me_scorecard(api_ctx *c)
{
	long long pid;
	int year;
	if (!api_query_year(c, &year) || !own_person(c, &pid))
		return;
	answer_card(c, NULL, pid, year);
}

void api_me_scorecard_put(api_ctx *c)
{
	long long pid;
	int year;
	if (!api_query_year(c, &year) || !own_person(c, &pid))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_scorecard_self(c->store, pid, year, c->req->body, api_actor(c), &errs);
	finish(c, rc, &errs);
	xf_errs_cleanup(&errs);
	if (rc == XF_SC_OK)
		answer_card(c, NULL, pid, year);
}

void api_me_scorecard_submit(api_ctx *c)
{
	long long pid;
	int year;
	if (!api_query_year(c, &year) || !own_person(c, &pid))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_scorecard_submit(c->store, pid, year, api_actor(c), &errs);
	finish(c, rc, &errs);
	xf_errs_cleanup(&errs);
	if (rc == XF_SC_OK)
		answer_card(c, NULL, pid, year);
}

void api_person_scorecard(api_ctx *c)
{
	long long id;
	int year;
	if (!api_param_id(c, 0, &id) || !api_query_year(c, &year))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	answer_card(c, &scope, id, year);
}

void api_person_scorecard_put(api_ctx *c)
{
	long long id;
	int year;
	if (!api_param_id(c, 0, &id) || !api_query_year(c, &year))
		return;
	xf_unit_scope scope;
	review_scope(c, &scope);
	xf_scorecard_reviewer r = {.scope = &scope, .user_id = c->who->user_id,
				   .person_id = c->who->person_id, .actor = api_actor(c)};
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_scorecard_review(c->store, &r, id, year, c->req->body, &errs);
	finish(c, rc, &errs);
	xf_errs_cleanup(&errs);
	if (rc == XF_SC_OK)
		answer_card(c, &scope, id, year);
}
