/* api_activities: training activities (培训活动申报 附件2, docs/workflow.md)
 * — the form, its two approvals, the attendance list and the records it
 * gives. Decodes, calls service/activities.h, encodes; who may do what is
 * the service's (the route table only keeps out roles that never may). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "service/activities.h"

#define NOTE_MAX_BYTES 2000 /* the service counts characters (500) */

/* Sends a service's failure: 404, 403, 409 conflict/archived, 500, or the
 * input's problems (400 joined, or 422 with details when rows). */
static void fail(api_ctx *c, int rc, const xf_errs *errs, bool rows)
{
	const char *msg = errs->n ? errs->msgs[0] : "请求有误";
	api_res_reset(c->res);
	switch (rc) {
	case XF_ACT_MISSING:
		api_not_found(c);
		break;
	case XF_ACT_FORBIDDEN:
		api_error(c, 403, "forbidden", msg);
		break;
	case XF_ACT_CONFLICT:
		api_error(c, 409, "conflict", msg);
		break;
	case XF_ACT_ARCHIVED:
		api_error(c, 409, "archived", msg);
		break;
	default:
		if (errs->internal)
			api_internal(c, errs);
		else if (rows)
			api_invalid(c, "名单有问题，未作任何改动", errs);
		else
			api_bad_request(c, errs);
		break;
	}
}

static FILE *stream(api_ctx *c)
{
	FILE *f = xf_res_stream(c->res);
	if (f == NULL)
		api_internal(c, NULL);
	return f;
}

/* Answers the activity as the caller now sees it, with status. */
static void answer_activity(api_ctx *c, long long id, int status)
{
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activity_get_json(c->store, c->who, id, f, &errs);
	if (rc != 0)
		fail(c, rc, &errs, false);
	else
		c->res->status = status;
	xf_errs_cleanup(&errs);
}

/* After a change: the activity, or the change's failure. */
static void changed(api_ctx *c, long long id, int rc, xf_errs *errs)
{
	if (rc != 0)
		fail(c, rc, errs, false);
	else
		answer_activity(c, id, 200);
	xf_errs_cleanup(errs);
}

void api_activities_list(api_ctx *c)
{
	xf_activity_query q = {.status = xf_req_query(c->req, "status"),
			       .q = xf_req_query(c->req, "q")};
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
	if (q.q && strlen(q.q) > 400) {
		api_error(c, 400, "bad_request", "搜索词不能超过 100 个字符");
		return;
	}
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activities_list_json(c->store, c->who, &q, f, &errs);
	if (rc != 0)
		fail(c, rc, &errs, false);
	xf_errs_cleanup(&errs);
}

void api_activity_create(api_ctx *c)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int rc = xf_activity_create(c->store, c->who, c->req->body, c->req->body_len, &id, &errs);
	if (rc != 0) {
		fail(c, rc, &errs, false);
	} else {
		xf_res_header(c->res, "Location",
			      xf_arena_printf(c->req->arena, "/api/v1/activities/%lld", id));
		answer_activity(c, id, 201);
	}
	xf_errs_cleanup(&errs);
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
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_update(c->store, c->who, id, c->req->body, c->req->body_len, &errs),
		&errs);
}

void api_activity_submit(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_submit(c->store, c->who, id, &errs), &errs);
}

void api_activity_withdraw(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_withdraw(c->store, c->who, id, &errs), &errs);
}

/* The body of review, approve and reject: a JSON object with the string
 * member key (may be absent); an empty body is {}. false when answered. */
static bool text_member(api_ctx *c, const char *key, char **out)
{
	*out = NULL;
	if (c->req->body_len == 0)
		return true;
	cJSON *o = api_body_object(c);
	if (o == NULL)
		return false;
	const char *v = NULL;
	bool ok = api_member_str(c, o, key, NOTE_MAX_BYTES, &v);
	if (ok && v)
		*out = xf_arena_strdup(c->req->arena, v);
	cJSON_Delete(o);
	return ok;
}

void api_activity_review(api_ctx *c)
{
	long long id;
	char *note;
	if (!api_param_id(c, 0, &id) || !text_member(c, "note", &note))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_review(c->store, c->who, id, note, &errs), &errs);
}

void api_activity_approve(api_ctx *c)
{
	long long id;
	char *note;
	if (!api_param_id(c, 0, &id) || !text_member(c, "note", &note))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_approve(c->store, c->who, id, note, &errs), &errs);
}

void api_activity_reject(api_ctx *c)
{
	long long id;
	char *reason;
	if (!api_param_id(c, 0, &id) || !text_member(c, "reason", &reason))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	changed(c, id, xf_activity_reject(c->store, c->who, id, reason, &errs), &errs);
}

void api_activity_attendance(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activity_attendance_json(c->store, c->who, id, f, &errs);
	if (rc != 0)
		fail(c, rc, &errs, false);
	xf_errs_cleanup(&errs);
}

/* ?name=: the last path component, at most 200 bytes, else dflt. */
static const char *upload_name(api_ctx *c, const char *dflt)
{
	const char *n = xf_req_query(c->req, "name");
	if (n == NULL || *n == '\0')
		return dflt;
	const char *slash = strrchr(n, '/');
	if (slash)
		n = slash + 1;
	const char *bslash = strrchr(n, '\\');
	if (bslash)
		n = bslash + 1;
	if (*n == '\0' || strlen(n) > 200)
		return dflt;
	return n;
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
	const char *name = upload_name(c, "名单");
	xf_attendance_report rep;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activity_attendance_upload(c->store, c->who, id, c->req->body, c->req->body_len,
					       name, dry != 0, &rep, &errs);
	if (rc != 0) {
		fail(c, rc, &errs, true);
	} else {
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
	xf_errs_cleanup(&errs);
}

void api_activity_records(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_activity_records(c->store, c->who, id, f, &errs);
	if (rc != 0) {
		/* A policy that no longer takes the item: the data, not the request. */
		if (rc < 0 && !errs.internal)
			api_invalid(c, "活动的学分项目与该年度学分办法不符，无法登记", &errs);
		else
			fail(c, rc, &errs, false);
	}
	xf_errs_cleanup(&errs);
}
