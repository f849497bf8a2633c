/* api_publish: the working-day calendars, 公示 (publications) with their
 * objections, archive and the 干部培训登记库 download, and the 季度通报
 * export (service/calendars.h, publish.h, quarterly.h; docs/workflow.md).
 * Handlers decode the request, call a service and encode its answer; the
 * services' refusals map to 403/409 with the code named, bad input to 422
 * (400 when the body's shape is wrong), out of scope to 404. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "service/calendars.h"
#include "service/publish.h"
#include "service/quarterly.h"

/* The first message of errs, or dflt. */
static const char *first_msg(const xf_errs *errs, const char *dflt)
{
	return errs->n > 0 ? errs->msgs[0] : dflt;
}

/* How the services' refusals are answered (api_refuse); other failures
 * are 422 with the call's message for refused input, or 500. */
static const api_refusal REFUSALS[] = {
	{XF_PUB_NOT_FOUND, 404, NULL, NULL},
	{XF_PUB_FORBIDDEN, 403, "forbidden", "您无权进行此操作"},
	{XF_PUB_CONFLICT, 409, "conflict", "已被他人处理，请刷新后重试"},
	{XF_PUB_WINDOW_CLOSED, 409, "window_closed", "公示期已结束"},
	{XF_PUB_WINDOW_OPEN, 409, "window_open", "公示期尚未结束"},
	{XF_PUB_ARCHIVED, 409, "archived", XF_ARCHIVED_MSG},
	{0, 0, NULL, NULL},
};

static void pub_fail(api_ctx *c, int rc, const xf_errs *errs, const char *invalid_msg)
{
	api_refuse(c, rc, errs, invalid_msg, REFUSALS, false);
}

/* A JSON number member that is a whole number in [lo, hi]: true and *out
 * (dflt when absent); false with a 400 naming the field otherwise. */
static bool member_int(api_ctx *c, const cJSON *o, const char *key, long long lo, long long hi,
		       long long dflt, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = dflt;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < (double)lo ||
	    v->valuedouble > (double)hi || v->valuedouble > 9e15 ||
	    v->valuedouble != floor(v->valuedouble)) {
		if (hi == INT64_MAX)
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena, "字段 %s 应为正整数（编号）", key));
		else
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena, "字段 %s 应为 %lld 到 %lld 之间的整数", key,
						  lo, hi));
		return false;
	}
	*out = (long long)v->valuedouble;
	return true;
}

/* ---- calendars ---- */

void api_calendars_list(api_ctx *c)
{
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_calendars_list_json(c->store, k.f, &k.errs), api_fail_internal,
			     NULL);
}

void api_calendar_put(api_ctx *c)
{
	const char *ys = c->req->params[0];
	char *end = NULL;
	errno = 0;
	long year = ys ? strtol(ys, &end, 10) : 0;
	if (ys == NULL || *ys == '\0' || errno != 0 || *end != '\0' || year < 2000 || year > 2100) {
		api_error(c, 400, "bad_request", "年度应为 2000 到 2100 之间的整数");
		return;
	}
	if (c->req->body_len == 0) {
		api_error(c, 400, "bad_request", "请上传工作日历文件（请求内容为空）");
		return;
	}
	const char *name = xf_req_query(c->req, "name");
	if (name == NULL || *name == '\0' || strlen(name) > 200 || strchr(name, '/'))
		name = xf_arena_printf(c->req->arena, "cn-%ld.txt", year);
	const char *invalid = xf_arena_printf(c->req->arena, "%ld 年的工作日历文件有问题，未载入", year);
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k,
			 xf_calendars_put(c->store, (int)year, c->req->body, c->req->body_len, name,
					  api_actor(c), NULL, &k.errs),
			 pub_fail, invalid ? invalid : "工作日历文件有问题，未载入") == 0)
		api_calendars_list(c);
}

/* ---- publications ---- */

/* ?q=&page=&per_page= for a publication's lines, ?year=&unit_id= for the
 * list. */
static bool pub_query(api_ctx *c, xf_pub_query *q, long long per_page_dflt)
{
	long long year;
	memset(q, 0, sizeof(*q));
	if (!api_query_int(c, "year", 0, 2100, 0, &year) ||
	    !api_query_int(c, "unit_id", 0, INT64_MAX, 0, &q->unit_id) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q->page) ||
	    !api_query_int(c, "per_page", 1, 200, per_page_dflt, &q->per_page))
		return false;
	q->year = (int)year;
	return api_query_search(c, &q->q);
}

void api_publications_list(api_ctx *c)
{
	xf_pub_query q;
	api_call k;
	if (pub_query(c, &q, 20) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_publications_list_json(c->store, c->who, &q, k.f, &k.errs),
			     pub_fail, "查询公示失败");
}

/* Answers the publication id (status 200 or 201). */
static void answer_publication(api_ctx *c, long long id, int status)
{
	xf_pub_query q;
	api_call k;
	if (pub_query(c, &q, 50) && api_call_start(c, &k, true) &&
	    api_call_end(c, &k, xf_publication_get_json(c->store, c->who, id, &q, k.f, &k.errs),
			 pub_fail, "查询参数有误") == 0)
		c->res->status = status;
}

void api_publication_create(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	xf_publish_req req = {0};
	long long unit_id, year, quarter;
	const char *title = NULL, *from = NULL, *to = NULL;
	const cJSON *m;
	cJSON_ArrayForEach(m, body)
	{
		static const char *const known[] = {"unit_id", "year", "quarter", "from", "to", "title"};
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
			ok = strcmp(m->string, known[i]) == 0;
		if (!ok) {
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena, "未知的字段 %.64s", m->string));
			goto out;
		}
	}
	if (!member_int(c, body, "unit_id", 1, INT64_MAX, 0, &unit_id) ||
	    !member_int(c, body, "year", 2000, 2100, 0, &year) ||
	    !member_int(c, body, "quarter", 1, 4, 0, &quarter) ||
	    !api_member_str(c, body, "from", 10, &from) || !api_member_str(c, body, "to", 10, &to) ||
	    !api_member_str(c, body, "title", 400, &title))
		goto out;
	if (unit_id == 0 || year == 0) {
		api_error(c, 400, "bad_request", "缺少 unit_id 或 year");
		goto out;
	}
	if (quarter == 0 && (from == NULL || to == NULL)) {
		api_error(c, 400, "bad_request", "应给出 quarter（1 到 4），或 from 与 to");
		goto out;
	}
	req.unit_id = unit_id;
	req.year = (int)year;
	req.quarter = (int)quarter;
	req.from = from;
	req.to = to;
	req.title = title;
	long long id = 0;
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k, xf_publish(c->store, &req, api_actor(c), &id, &k.errs), pub_fail,
			 "未能发布公示") == 0)
		answer_publication(c, id, 201);
out:
	cJSON_Delete(body);
}

void api_publication_get(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	answer_publication(c, id, 200);
}

/* ---- objections ---- */

void api_objections_list(api_ctx *c)
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_objections_list_json(c->store, c->who, id, k.f, &k.errs),
			     pub_fail, "查询异议失败");
}

/* Answers objection id with status. */
static void answer_objection(api_ctx *c, long long id, int status)
{
	api_call k;
	if (api_call_start(c, &k, true) &&
	    api_call_end(c, &k, xf_objection_get_json(c->store, c->who, id, k.f, &k.errs), pub_fail,
			 "查询异议失败") == 0)
		c->res->status = status;
}

void api_objection_create(api_ctx *c)
{
	long long pub_id, person_id;
	if (!api_param_id(c, 0, &pub_id))
		return;
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const char *text = NULL;
	if (!member_int(c, body, "person_id", 1, INT64_MAX, 0, &person_id) ||
	    !api_member_str(c, body, "text", 4000, &text))
		goto out;
	if (person_id == 0 || text == NULL) {
		api_error(c, 400, "bad_request", "应给出 person_id（公示名单中的人员）和 text（异议内容）");
		goto out;
	}
	long long id = 0;
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k,
			 xf_objection_lodge(c->store, c->who, pub_id, person_id, text, &id, &k.errs),
			 pub_fail, "未能提出异议") == 0)
		answer_objection(c, id, 201);
out:
	cJSON_Delete(body);
}

void api_objection_resolve(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	cJSON *body = api_body_object(c); /* the shape is the service's to check */
	if (body == NULL)
		return;
	cJSON_Delete(body);
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k,
			 xf_objection_resolve(c->store, c->who, id, c->req->body, c->req->body_len,
					      &k.errs),
			 pub_fail, "未能处理异议，未做任何修改") == 0)
		answer_objection(c, id, 200);
}

/* ---- archive ---- */

void api_publication_archive(api_ctx *c)
{
	long long id, open = 0;
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_publication_archive(c->store, id, api_actor(c), &open, &errs);
	if (rc == XF_PUB_OBJECTIONS_OPEN) {
		xf_jw w;
		api_res_reset(c->res);
		api_json(c, 409, &w);
		xf_jw_obj(&w);
		xf_jw_key(&w, "error");
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "code", "objections_open");
		xf_jw_kstr(&w, "message", first_msg(&errs, "还有异议未处理"));
		xf_jw_kint(&w, "count", open);
		xf_jw_obj_end(&w);
		xf_jw_obj_end(&w);
	} else if (rc != 0) {
		pub_fail(c, rc, &errs, "未能归档");
	}
	xf_errs_cleanup(&errs);
	if (rc == 0)
		answer_publication(c, id, 200);
}

/* ---- downloads ---- */

void api_publication_export(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	api_tmp t;
	if (!api_tmp_open(c, &t, "registry.xlsx"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_publication_export_xlsx(c->store, id, api_actor(c), t.path, &errs);
	if (rc != 0) {
		api_tmp_remove(&t);
		pub_fail(c, rc, &errs, "未能导出登记库");
	} else {
		api_tmp_send(c, &t, API_XLSX_TYPE,
			     xf_arena_printf(c->req->arena, "xuefen-registry-%lld.xlsx", id),
			     xf_arena_printf(c->req->arena, "干部培训登记库-%lld.xlsx", id),
			     "publication.export",
			     xf_arena_printf(c->req->arena, "publication:%lld", id));
	}
	xf_errs_cleanup(&errs);
}

void api_export_quarterly(api_ctx *c)
{
	long long unit_id, quarter;
	int year;
	if (!api_query_int(c, "unit_id", 0, INT64_MAX, 0, &unit_id) ||
	    !api_query_int(c, "quarter", 0, 4, 0, &quarter) || !api_query_year(c, &year))
		return;
	if (unit_id == 0 || quarter == 0) {
		api_error(c, 400, "bad_request", "应给出 unit_id 和 quarter（1 到 4）");
		return;
	}
	const char *format = xf_req_query(c->req, "format");
	if (format == NULL || *format == '\0')
		format = "xlsx";
	if (strcmp(format, "xlsx") != 0 && strcmp(format, "json") != 0) {
		api_error(c, 400, "bad_request", "参数 format 应为 xlsx 或 json");
		return;
	}
	const char *object = xf_arena_printf(c->req->arena, "unit:%lld year:%d quarter:%lld",
					     unit_id, year, quarter);
	xf_errs errs;
	xf_errs_init(&errs);
	if (strcmp(format, "json") == 0) {
		FILE *f = api_stream(c);
		int rc = f ? xf_quarterly_json(c->store, unit_id, year, (int)quarter, f, &errs) : -2;
		if (rc == 0) {
			xf_audit_entry e = {.actor = api_actor(c), .action = "export.quarterly",
					    .object = object};
			if (xf_store_audit(c->store, &e, &errs) != 0) {
				api_res_reset(c->res);
				api_internal(c, &errs);
			}
		} else if (rc != -2) {
			pub_fail(c, rc, &errs, "未能生成季度通报");
		}
		xf_errs_cleanup(&errs);
		return;
	}
	api_tmp t;
	if (!api_tmp_open(c, &t, "quarterly.xlsx")) {
		xf_errs_cleanup(&errs);
		return;
	}
	int rc = xf_quarterly_xlsx(c->store, unit_id, year, (int)quarter, api_actor(c), t.path,
				   &errs);
	if (rc != 0) {
		api_tmp_remove(&t);
		pub_fail(c, rc, &errs, "未能生成季度通报");
	} else {
		api_tmp_send(c, &t, API_XLSX_TYPE,
			     xf_arena_printf(c->req->arena, "xuefen-quarterly-%d-Q%lld.xlsx", year,
					     quarter),
			     xf_arena_printf(c->req->arena, "%d年第%lld季度学分通报.xlsx", year, quarter),
			     "export.quarterly", object);
	}
	xf_errs_cleanup(&errs);
}
