/* api_publish: the working-day calendars, 公示 (publications) with their
 * objections, archive and the 干部培训登记库 download, and the 季度通报
 * export (service/calendars.h, publish.h, quarterly.h; docs/workflow.md).
 * Handlers decode the request, call a service and encode its answer; the
 * services' refusals map to 403/409 with the code named, bad input to 422
 * (400 when the body's shape is wrong), out of scope to 404. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_int.h"
#include "service/calendars.h"
#include "service/publish.h"
#include "service/quarterly.h"

static const char *XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* The first message of errs, or dflt. */
static const char *first_msg(const xf_errs *errs, const char *dflt)
{
	return errs->n > 0 ? errs->msgs[0] : dflt;
}

/* Answers a service's failure: rc is 1, an XF_PUB_* refusal or -1. */
static void pub_fail(api_ctx *c, int rc, const xf_errs *errs, const char *invalid_msg)
{
	api_res_reset(c->res);
	switch (rc) {
	case XF_PUB_NOT_FOUND: api_not_found(c); return;
	case XF_PUB_FORBIDDEN:
		api_error(c, 403, "forbidden", first_msg(errs, "您无权进行此操作"));
		return;
	case XF_PUB_CONFLICT:
		api_error(c, 409, "conflict", first_msg(errs, "已被他人处理，请刷新后重试"));
		return;
	case XF_PUB_WINDOW_CLOSED:
		api_error(c, 409, "window_closed", first_msg(errs, "公示期已结束"));
		return;
	case XF_PUB_WINDOW_OPEN:
		api_error(c, 409, "window_open", first_msg(errs, "公示期尚未结束"));
		return;
	case XF_PUB_ARCHIVED:
		api_error(c, 409, "archived", first_msg(errs, XF_ARCHIVED_MSG));
		return;
	default:
		if (errs->internal || errs->n == 0)
			api_internal(c, errs);
		else
			api_invalid(c, invalid_msg, errs);
		return;
	}
}

static FILE *stream(api_ctx *c)
{
	FILE *f = xf_res_stream(c->res);
	if (f == NULL)
		api_internal(c, NULL);
	return f;
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
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_calendars_list_json(c->store, f, &errs);
	if (rc != 0) {
		api_res_reset(c->res);
		api_internal(c, &errs);
	}
	xf_errs_cleanup(&errs);
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
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_calendars_put(c->store, (int)year, c->req->body, c->req->body_len, name,
				  api_actor(c), NULL, &errs);
	if (rc != 0) {
		if (errs.internal)
			api_internal(c, &errs);
		else
			api_invalid(c, xf_arena_printf(c->req->arena, "%ld 年的工作日历文件有问题，未载入",
						       year),
				    &errs);
		xf_errs_cleanup(&errs);
		return;
	}
	xf_errs_cleanup(&errs);
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
	q->q = xf_req_query(c->req, "q");
	if (q->q && strlen(q->q) > 300) {
		api_error(c, 400, "bad_request", "搜索词不能超过 100 个字");
		return false;
	}
	return true;
}

void api_publications_list(api_ctx *c)
{
	xf_pub_query q;
	if (!pub_query(c, &q, 20))
		return;
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_publications_list_json(c->store, c->who, &q, f, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "查询公示失败");
	xf_errs_cleanup(&errs);
}

/* Answers the publication id (status 200 or 201). */
static void answer_publication(api_ctx *c, long long id, int status)
{
	xf_pub_query q;
	if (!pub_query(c, &q, 50))
		return;
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_publication_get_json(c->store, c->who, id, &q, f, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "查询参数有误");
	else
		c->res->status = status;
	xf_errs_cleanup(&errs);
}

void api_publication_create(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	xf_publish_req req = {0};
	long long unit_id, year, quarter;
	const char *title = NULL, *from = NULL, *to = NULL;
	const cJSON *k;
	cJSON_ArrayForEach(k, body)
	{
		static const char *const known[] = {"unit_id", "year", "quarter", "from", "to", "title"};
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
			ok = strcmp(k->string, known[i]) == 0;
		if (!ok) {
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena, "未知的字段 %.64s", k->string));
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
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int rc = xf_publish(c->store, &req, api_actor(c), &id, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "未能发布公示");
	xf_errs_cleanup(&errs);
	if (rc == 0)
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
	if (!api_param_id(c, 0, &id))
		return;
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_objections_list_json(c->store, c->who, id, f, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "查询异议失败");
	xf_errs_cleanup(&errs);
}

/* Answers objection id with status. */
static void answer_objection(api_ctx *c, long long id, int status)
{
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_objection_get_json(c->store, c->who, id, f, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "查询异议失败");
	else
		c->res->status = status;
	xf_errs_cleanup(&errs);
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
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int rc = xf_objection_lodge(c->store, c->who, pub_id, person_id, text, &id, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "未能提出异议");
	xf_errs_cleanup(&errs);
	if (rc == 0)
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
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_objection_resolve(c->store, c->who, id, c->req->body, c->req->body_len, &errs);
	if (rc != 0)
		pub_fail(c, rc, &errs, "未能处理异议，未做任何修改");
	xf_errs_cleanup(&errs);
	if (rc == 0)
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

/* A private folder for a file to be written into before it is sent. */
typedef struct tmp_export {
	char dir[64];
	char path[128];
} tmp_export;

static bool tmp_open(api_ctx *c, tmp_export *t, const char *file)
{
	const char *base = getenv("TMPDIR");
	snprintf(t->dir, sizeof(t->dir), "%s/xuefen-export-XXXXXX",
		 base && *base && strlen(base) < 32 ? base : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		api_internal(c, NULL);
		return false;
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	return true;
}

static void tmp_remove(tmp_export *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

/* Audits the download, then sends the written file as an attachment
 * named download_name (RFC 5987 for the Chinese name, an ASCII fallback)
 * and removes the folder (the open file stays readable until sent). */
static void tmp_send(api_ctx *c, tmp_export *t, const char *content_type, const char *ascii_name,
		     const char *utf8_name, const char *action, const char *object)
{
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	tmp_remove(t);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		api_internal(c, NULL);
		return;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	xf_audit_entry e = {.actor = api_actor(c), .action = action, .object = object};
	if (xf_store_audit(c->store, &e, &errs) != 0) {
		close(fd);
		api_internal(c, &errs);
		xf_errs_cleanup(&errs);
		return;
	}
	xf_errs_cleanup(&errs);
	/* filename*=UTF-8'' with the name percent-encoded */
	size_t n = strlen(utf8_name);
	char *enc = xf_arena_alloc(c->req->arena, n * 3 + 1);
	if (enc) {
		static const char hex[] = "0123456789ABCDEF";
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)utf8_name[i];
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_') {
				enc[k++] = (char)ch;
			} else {
				enc[k++] = '%';
				enc[k++] = hex[ch >> 4];
				enc[k++] = hex[ch & 15];
			}
		}
		enc[k] = '\0';
	}
	c->res->content_type = content_type;
	xf_res_header(c->res, "Content-Disposition",
		      enc ? xf_arena_printf(c->req->arena,
					    "attachment; filename=\"%s\"; filename*=UTF-8''%s",
					    ascii_name, enc)
			  : xf_arena_printf(c->req->arena, "attachment; filename=\"%s\"", ascii_name));
	xf_res_file(c->res, fd, (size_t)st.st_size);
}

void api_publication_export(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	tmp_export t;
	if (!tmp_open(c, &t, "registry.xlsx"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_publication_export_xlsx(c->store, id, api_actor(c), t.path, &errs);
	if (rc != 0) {
		tmp_remove(&t);
		pub_fail(c, rc, &errs, "未能导出登记库");
	} else {
		tmp_send(c, &t, XLSX_TYPE,
			 xf_arena_printf(c->req->arena, "xuefen-registry-%lld.xlsx", id),
			 xf_arena_printf(c->req->arena, "干部培训登记库-%lld.xlsx", id),
			 "publication.export", xf_arena_printf(c->req->arena, "publication:%lld", id));
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
		FILE *f = stream(c);
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
	tmp_export t;
	if (!tmp_open(c, &t, "quarterly.xlsx")) {
		xf_errs_cleanup(&errs);
		return;
	}
	int rc = xf_quarterly_xlsx(c->store, unit_id, year, (int)quarter, api_actor(c), t.path,
				   &errs);
	if (rc != 0) {
		tmp_remove(&t);
		pub_fail(c, rc, &errs, "未能生成季度通报");
	} else {
		tmp_send(c, &t, XLSX_TYPE,
			 xf_arena_printf(c->req->arena, "xuefen-quarterly-%d-Q%lld.xlsx", year, quarter),
			 xf_arena_printf(c->req->arena, "%d年第%lld季度学分通报.xlsx", year, quarter),
			 "export.quarterly", object);
	}
	xf_errs_cleanup(&errs);
}
