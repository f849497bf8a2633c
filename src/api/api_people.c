/* api_people: people and units for admins (all of them) and for reviewers
 * and approvers (their units): lists, details, changes, the audited view
 * of an unmasked ID number. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "service/people.h"

/* Sends what a people/units service wrote, or its error. */
static void finish(api_ctx *c, int rc, xf_errs *errs, bool bad_input)
{
	if (rc != 0)
		api_res_reset(c->res);
	api_service_rc(c, rc, errs, bad_input);
	xf_errs_cleanup(errs);
}

void api_people_list(api_ctx *c)
{
	xf_people_query q = {0};
	long long active;
	if (!api_query_int(c, "unit_id", 0, INT64_MAX, 0, &q.unit_id) ||
	    !api_query_int(c, "active", -1, 1, 1, &active) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &q.per_page))
		return;
	q.active = (int)active;
	if (!api_query_search(c, &q.q))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	finish(c, xf_people_list_json(c->store, &scope, &q, f, &errs), &errs, true);
}

void api_person_get(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	finish(c, xf_people_get_json(c->store, &scope, id, f, &errs), &errs, false);
}

/* PATCH/PUT handlers answer with the person as it now is. */
static void changed(api_ctx *c, int rc, xf_errs *errs)
{
	if (rc != 0) {
		finish(c, rc, errs, true);
		return;
	}
	xf_errs_cleanup(errs);
	api_person_get(c);
}

void api_person_update(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_people_update(c->store, &scope, id, c->req->body, api_actor(c), &errs);
	changed(c, rc, &errs);
}

void api_person_periods(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_people_set_periods(c->store, &scope, id, c->req->body, api_actor(c), &errs);
	changed(c, rc, &errs);
}

void api_person_flags(api_ctx *c)
{
	long long id;
	int year;
	if (!api_param_id(c, 0, &id) || !api_query_year(c, &year))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_people_set_flags(c->store, &scope, id, year, c->req->body, api_actor(c),
				     &errs);
	changed(c, rc, &errs);
}

void api_person_reveal(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	finish(c, xf_people_reveal_json(c->store, id, api_actor(c), f, &errs), &errs, false);
}

void api_units_tree(api_ctx *c)
{
	int year;
	if (!api_query_year(c, &year))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	finish(c, xf_units_tree_json(c->store, &scope, year, f, &errs), &errs, false);
}

void api_unit_get(api_ctx *c)
{
	long long id;
	int year;
	if (!api_param_id(c, 0, &id) || !api_query_year(c, &year))
		return;
	xf_unit_scope scope;
	api_scope(c, &scope);
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	finish(c, xf_units_get_json(c->store, &scope, id, year, f, &errs), &errs, false);
}
