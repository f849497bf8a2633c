/* api_activities: training activities (培训活动申报 附件2, docs/workflow.md)
 * — the form, its two approvals, the attendance list and the records it
 * gives. Decodes, calls service/activities.h, encodes; who may do what is
 * the service's (the route table only keeps out roles that never may). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "service/activities.h"

#define NOTE_MAX_BYTES 2000 /* the service counts characters (500) */

/* How the service's refusals are answered (api_refuse): 404, 403, 409
 * conflict/archived; the input's problems as 422 with details under
 * `invalid` when given, else 400 joined; 500. */
static const api_refusal REFUSALS[] = {
	{XF_ACT_MISSING, 404, NULL, NULL},
	{XF_ACT_FORBIDDEN, 403, "forbidden", "请求有误"},
	{XF_ACT_CONFLICT, 409, "conflict", "请求有误"},
	{XF_ACT_ARCHIVED, 409, "archived", "请求有误"},
	{0, 0, NULL, NULL},
};

static void fail(api_ctx *c, int rc, const xf_errs *errs, const char *invalid)
{
	api_refuse(c, rc, errs, invalid, REFUSALS, false);
}

/* Answers the activity as the caller now sees it, with status. */
static void answer_activity(api_ctx *c, long long id, int status)
{
	api_call k;
	if (api_call_start(c, &k, true) &&
	    api_call_end(c, &k, xf_activity_get_json(c->store, c->who, id, k.f, &k.errs), fail,
			 NULL) == 0)
		c->res->status = status;
}

void api_activities_list(api_ctx *c)
{
	xf_activity_query q = {.status = xf_req_query(c->req, "status")};
	long long year = 0;
	if (!api_query_int(c, "unit_id", 0, INT64_MAX, 0, &q.unit_id) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &q.per_page))
		return;
	if (xf_req_query(c->req, "year") && !api_query_int(c, "year", 2000, 2100, 0, &year))
		return;
	q.year = (int)year;
	if (q.status && *q.status == '\0')
		q.status = NULL;
	if (!api_query_search(c, &q.q))
		return;
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_activities_list_json(c->store, c->who, &q, k.f, &k.errs), fail,
			     NULL);
}

void api_activity_create(api_ctx *c)
{
	long long id = 0;
	api_call k;
	if (!api_call_start(c, &k, false) ||
	    api_call_end(c, &k,
			 xf_activity_create(c->store, c->who, c->req->body, c->req->body_len, &id,
					    &k.errs),
			 fail, NULL) != 0)
		return;
	xf_res_header(c->res, "Location",
		      xf_arena_printf(c->req->arena, "/api/v1/activities/%lld", id));
	answer_activity(c, id, 201);
}

void api_activity_get(api_ctx *c)
{
	long long id;
	if (api_param_id(c, 0, &id))
		answer_activity(c, id, 200);
}

void api_activity_update(api_ctx *c)
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, false) &&
	    api_call_end(c, &k,
			 xf_activity_update(c->store, c->who, id, c->req->body, c->req->body_len,
					    &k.errs),
			 fail, NULL) == 0)
		answer_activity(c, id, 200);
}

/* A step without a body (submit, withdraw); the activity as it now is. */
static void act(api_ctx *c, int (*fn)(xf_store *, const xf_principal *, long long, xf_errs *))
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, false) &&
	    api_call_end(c, &k, fn(c->store, c->who, id, &k.errs), fail, NULL) == 0)
		answer_activity(c, id, 200);
}

/* A step whose body may be {key: text} (review, approve, reject). */
static void act_text(api_ctx *c, const char *key,
		     int (*fn)(xf_store *, const xf_principal *, long long, const char *, xf_errs *))
{
	long long id;
	const char *text;
	api_call k;
	if (api_param_id(c, 0, &id) && api_body_text(c, key, NOTE_MAX_BYTES, &text) &&
	    api_call_start(c, &k, false) &&
	    api_call_end(c, &k, fn(c->store, c->who, id, text, &k.errs), fail, NULL) == 0)
		answer_activity(c, id, 200);
}

void api_activity_submit(api_ctx *c)
{
	act(c, xf_activity_submit);
}

void api_activity_withdraw(api_ctx *c)
{
	act(c, xf_activity_withdraw);
}

void api_activity_review(api_ctx *c)
{
	act_text(c, "note", xf_activity_review);
}

void api_activity_approve(api_ctx *c)
{
	act_text(c, "note", xf_activity_approve);
}

void api_activity_reject(api_ctx *c)
{
	act_text(c, "reason", xf_activity_reject);
}

void api_activity_attendance(api_ctx *c)
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_activity_attendance_json(c->store, c->who, id, k.f, &k.errs),
			     fail, NULL);
}

void api_activity_attendance_upload(api_ctx *c)
{
	long long id, dry;
	if (!api_param_id(c, 0, &id) || !api_query_int(c, "dry_run", 0, 1, 0, &dry))
		return;
	if (c->req->body_len == 0) {
		api_error(c, 400, "bad_request", "请上传参加人员名单（请求内容为空）");
		return;
	}
	const char *name = api_upload_name(c, "名单");
	xf_attendance_report rep;
	api_call k;
	if (!api_call_start(c, &k, false) ||
	    api_call_end(c, &k,
			 xf_activity_attendance_upload(c->store, c->who, id, c->req->body,
						       c->req->body_len, name, dry != 0, &rep,
						       &k.errs),
			 fail, "名单有问题，未作任何改动") != 0)
		return;
	xf_jw w;
	api_json(c, 200, &w);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "activity_id", id);
	xf_jw_kstr(&w, "file", name);
	xf_jw_kbool(&w, "dry_run", rep.dry_run);
	xf_jw_kint(&w, "listed", rep.listed);
	xf_jw_kint(&w, "replaced", rep.replaced);
	xf_jw_obj_end(&w);
}

void api_activity_records(api_ctx *c)
{
	long long id;
	api_call k;
	/* A policy that no longer takes the item: the data, not the request. */
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_activity_records(c->store, c->who, id, k.f, &k.errs), fail,
			     "活动的学分项目与该年度学分办法不符，无法登记");
}
