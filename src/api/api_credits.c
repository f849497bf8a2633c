/* api_credits: the credit views — a member's own year, a person's year for
 * those who review them, and a unit's summary. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "service/credits.h"

/* A credit view: a person's year, or a unit's summary. */
typedef struct view {
	bool unit;
	long long id;
	int year;
	bool explain; /* person */
	int limit;    /* unit */
} view;

/* Answers a view from the cache, or computes it (and keeps it while the
 * database is unchanged); 404 when there is nothing for the year, 422
 * naming data the policy cannot read, 500 on a database failure. */
static void answer_view(api_ctx *c, const view *v)
{
	char *key = xf_arena_printf(c->req->arena, "%c:%lld:%d:%d", v->unit ? 'u' : 'p', v->id,
				    v->year, v->unit ? v->limit : v->explain);
	uint64_t gen;
	bool cacheable;
	if (key && api_cached(c, key, &gen, &cacheable))
		return;
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = v->unit ? xf_credits_unit_json(c->store, v->id, v->year, v->limit, f, &errs)
			 : xf_credits_person_json(c->store, v->id, v->year, v->explain, f, &errs);
	if (rc == 0 && key)
		api_cache_answer(c, key, gen, cacheable);
	if (rc == 1) {
		api_res_reset(c->res);
		api_error(c, 404, "no_policy", errs.n ? errs.msgs[0] : "该年度没有学分数据");
	} else if (rc < 0) {
		api_res_reset(c->res);
		api_invalid(c, "数据不完整或与学分办法不符，无法计算学分", &errs);
	}
	xf_errs_cleanup(&errs);
}

/* Writes person_id's year. */
static void person_year(api_ctx *c, long long person_id)
{
	view v = {.id = person_id};
	if (!api_query_year(c, &v.year))
		return;
	const char *ex = xf_req_query(c->req, "explain");
	v.explain = ex == NULL || (strcmp(ex, "0") != 0 && strcmp(ex, "false") != 0);
	answer_view(c, &v);
}

void api_me_credits(api_ctx *c)
{
	if (c->who->person_id == 0) {
		api_error(c, 404, "no_person", "您的账号未关联人员，没有个人学分");
		return;
	}
	person_year(c, c->who->person_id);
}

/* True when the caller may see person_id's data (admins: everyone;
 * reviewers and approvers: the people of their units). 404 sent if not. */
static bool person_visible(api_ctx *c, long long person_id)
{
	long long unit = 0;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_people_unit_of(c->store, person_id, &unit, &errs);
	bool ok = rc == 0 && ((c->who->roles & XF_ROLE_ADMIN) ||
			      (unit != 0 && (xf_principal_has_unit(c->who, XF_ROLE_REVIEWER, unit) ||
					     xf_principal_has_unit(c->who, XF_ROLE_APPROVER, unit))));
	if (rc < 0)
		api_internal(c, &errs);
	else if (!ok)
		api_not_found(c);
	xf_errs_cleanup(&errs);
	return ok;
}

void api_person_credits(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id) || !person_visible(c, id))
		return;
	person_year(c, id);
}

void api_unit_summary(api_ctx *c)
{
	long long id, limit;
	int year;
	if (!api_param_id(c, 0, &id))
		return;
	if (!(c->who->roles & XF_ROLE_ADMIN) &&
	    !xf_principal_has_unit(c->who, XF_ROLE_REVIEWER, id) &&
	    !xf_principal_has_unit(c->who, XF_ROLE_APPROVER, id)) {
		api_not_found(c);
		return;
	}
	if (!api_query_year(c, &year) || !api_query_int(c, "limit", 1, 500, 20, &limit))
		return;
	view v = {.unit = true, .id = id, .year = year, .limit = (int)limit};
	answer_view(c, &v);
}
