/* api_scorecards: the yearly scorecards of policies that score people line
 * by line (service/scorecards.h; docs/workflow.md "Scorecards") — the
 * member's own card (read, self scores and note while a draft, submit), a
 * person's card for the staff who see them, scored by the reviewers of the
 * person's unit, and the staff's list of the cards in their units. Every
 * route takes ?year= (default: this year). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "service/scorecards.h"

/* The 422 of a card that cannot be computed: the person's data does not
 * fit the policy (the engine's load refused a row), nothing the request
 * could change. */
#define DATA_MSG "数据与学分办法不符，无法计算评分表"

/* How the service's refusals are answered (api_refuse); -1 without a
 * system failure is 422 with `invalid` when given, else 400. */
static const api_refusal REFUSALS[] = {
	{XF_SC_MISSING, 404, NULL, NULL},
	{XF_SC_NONE, 404, "no_scorecard", "请求有误"},
	{XF_SC_CONFLICT, 409, "conflict", "请求有误"},
	{XF_SC_OWN, 403, "forbidden", "请求有误"},
	{XF_SC_DATA, 422, "invalid", DATA_MSG "，本次修改未保存"},
	{0, 0, NULL, NULL},
};

static void fail(api_ctx *c, int rc, const xf_errs *errs, const char *invalid)
{
	api_refuse(c, rc, errs, invalid, REFUSALS, false);
}

/* Answers person_id's card for year (scope NULL: the caller's own). */
static void answer_card(api_ctx *c, const xf_unit_scope *scope, long long person_id, int year)
{
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_scorecard_json(c->store, scope, person_id, year, k.f, &k.errs),
			     fail, DATA_MSG);
}

/* After a change (rc): the card as it now is, or the refusal. */
static void changed(api_ctx *c, api_call *k, int rc, const xf_unit_scope *scope,
		    long long person_id, int year)
{
	if (api_call_end(c, k, rc, fail, NULL) == XF_SC_OK)
		answer_card(c, scope, person_id, year);
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
	if (api_query_year(c, &year) && own_person(c, &pid))
		answer_card(c, NULL, pid, year);
}

void api_me_scorecard_put(api_ctx *c)
{
	long long pid;
	int year;
	api_call k;
	if (api_query_year(c, &year) && own_person(c, &pid) && api_call_start(c, &k, false))
		changed(c, &k,
			xf_scorecard_self(c->store, pid, year, c->req->body, api_actor(c), &k.errs),
			NULL, pid, year);
}

void api_me_scorecard_submit(api_ctx *c)
{
	long long pid;
	int year;
	api_call k;
	if (api_query_year(c, &year) && own_person(c, &pid) && api_call_start(c, &k, false))
		changed(c, &k, xf_scorecard_submit(c->store, pid, year, api_actor(c), &k.errs), NULL,
			pid, year);
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
	api_call k;
	if (!api_param_id(c, 0, &id) || !api_query_year(c, &year) || !api_call_start(c, &k, false))
		return;
	xf_unit_scope scope;
	review_scope(c, &scope);
	xf_scorecard_reviewer r = {.scope = &scope, .user_id = c->who->user_id,
				   .person_id = c->who->person_id, .actor = api_actor(c)};
	changed(c, &k, xf_scorecard_review(c->store, &r, id, year, c->req->body, &k.errs), &scope,
		id, year);
}

void api_scorecards_list(api_ctx *c)
{
	xf_scorecard_query q = {.status = xf_req_query(c->req, "status")};
	if (!api_query_year(c, &q.year) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 100, 20, &q.per_page))
		return;
	if (q.status && *q.status == '\0')
		q.status = NULL;
	if (q.status && strcmp(q.status, "draft") != 0 && strcmp(q.status, "submitted") != 0 &&
	    strcmp(q.status, "reviewed") != 0) {
		api_error(c, 400, "bad_request", "参数 status 应为 draft、submitted 或 reviewed");
		return;
	}
	if (!api_query_search(c, &q.q))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_scorecards_list_json(c->store, &scope, &q, k.f, &k.errs), fail,
			     DATA_MSG);
}
