/* api_io: imports (a file in the request body, all or nothing, every bad
 * row reported), exports (XLSX/CSV/JSON downloads, audited), the year-end
 * assessment run, and the health check. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "service/assess.h"
#include "service/export.h"
#include "service/export_sheet.h"
#include "service/import.h"
#include "service/sheets.h"

/* An uploaded case must name a shipped policy: a path would make the
 * server read its own files. */
static bool case_policy_builtin(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "policy");
	bool ok = !cJSON_IsString(p) || (strchr(p->valuestring, '/') == NULL &&
					 strchr(p->valuestring, '.') == NULL &&
					 strchr(p->valuestring, '\\') == NULL);
	cJSON_Delete(root);
	return ok;
}

void api_import(api_ctx *c)
{
	const char *kind = c->req->params[0];
	bool is_case = strcmp(kind, "case") == 0;
	if (!is_case && xf_sheet_kind_find(kind) == NULL) {
		api_error(c, 404, "not_found",
			  "未知的导入类型，应为 roster、records、xxqg、online-hours、case 之一");
		return;
	}
	if (c->req->body_len == 0) {
		api_error(c, 400, "bad_request", "请上传文件（请求内容为空）");
		return;
	}
	const char *name = api_upload_name(c, is_case ? "upload.case.json" : "upload.xlsx");
	if (is_case && !case_policy_builtin(c->req->body, c->req->body_len)) {
		api_error(c, 422, "invalid", "上传的案例文件只能使用内置的学分办法（policy 不能是文件路径）");
		return;
	}
	long long dry;
	if (!api_query_int(c, "dry_run", 0, 1, 0, &dry))
		return;
	xf_import_report rep = {0};
	xf_errs errs;
	xf_errs_init(&errs);
	/* dry_run=1: every check and the counts, then everything rolled back. */
	int (*sheet)(xf_store *, const char *, const char *, size_t, const char *, const char *,
		     xf_import_report *, xf_errs *) = dry ? xf_import_sheet_check : xf_import_sheet;
	int (*whole)(xf_store *, const char *, size_t, const char *, const char *, const char *,
		     xf_import_report *, xf_errs *) = dry ? xf_import_case_check : xf_import_case;
	int rc = is_case ? whole(c->store, c->req->body, c->req->body_len, name, NULL,
				 api_actor(c), &rep, &errs)
			 : sheet(c->store, kind, c->req->body, c->req->body_len, name, api_actor(c),
				 &rep, &errs);
	if (rc != 0) {
		char *msg = xf_arena_printf(c->req->arena, "%s：文件有问题，未导入任何数据", name);
		api_invalid(c, msg ? msg : "文件有问题，未导入任何数据", &errs);
	} else {
		xf_jw w;
		api_json(c, 200, &w);
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "kind", kind);
		xf_jw_kstr(&w, "file", name);
		xf_jw_kbool(&w, "dry_run", dry != 0);
		if (dry)
			xf_jw_knull(&w, "batch_id"); /* nothing was kept */
		else
			xf_jw_kint(&w, "batch_id", rep.batch_id);
		xf_jw_kbool(&w, "already_imported", rep.already_imported != 0);
		xf_jw_kint(&w, "people", rep.people);
		xf_jw_kint(&w, "records", rep.records);
		xf_jw_kint(&w, "metrics", rep.metrics);
		xf_jw_kint(&w, "scores", rep.scores);
		xf_jw_kint(&w, "history", rep.history);
		xf_jw_obj_end(&w);
	}
	xf_errs_cleanup(&errs);
}

/* An export that failed: the folder removed, errs answered. */
static void tmp_fail(api_ctx *c, api_tmp *t, xf_errs *errs, bool bad_input)
{
	api_tmp_remove(t);
	if (bad_input)
		api_bad_request(c, errs);
	else
		api_internal(c, errs);
}

/* ?unit=CODE: at most 64 bytes of [A-Za-z0-9_.-] (unit codes). */
static bool unit_code_arg(api_ctx *c, const char **out)
{
	const char *u = xf_req_query(c->req, "unit");
	*out = NULL;
	if (u == NULL || *u == '\0')
		return true;
	size_t n = strlen(u);
	bool ok = n <= 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = (u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'z') ||
		     (u[i] >= 'A' && u[i] <= 'Z') || u[i] == '_' || u[i] == '-' || u[i] == '.';
	if (!ok) {
		api_error(c, 400, "bad_request", "参数 unit 应为单位编码");
		return false;
	}
	*out = u;
	return true;
}

void api_export_results(api_ctx *c)
{
	int year;
	const char *unit;
	if (!api_query_year(c, &year) || !unit_code_arg(c, &unit))
		return;
	const char *format = xf_req_query(c->req, "format");
	if (format == NULL)
		format = "xlsx";
	if (strcmp(format, "xlsx") != 0 && strcmp(format, "csv") != 0) {
		api_error(c, 400, "bad_request", "参数 format 应为 xlsx 或 csv");
		return;
	}
	api_tmp t;
	if (!api_tmp_open(c, &t, strcmp(format, "csv") == 0 ? "results.csv" : "results.xlsx"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_export_results(c->store, year, unit, format, t.path, &errs) != 0) {
		tmp_fail(c, &t, &errs, true);
	} else {
		char *name = xf_arena_printf(c->req->arena, "xuefen-results-%d%s%s.%s", year,
					     unit ? "-" : "", unit ? unit : "", format);
		char *obj = xf_arena_printf(c->req->arena, "year:%d%s%s", year, unit ? " unit:" : "",
					    unit ? unit : "");
		api_tmp_send(c, &t,
			     strcmp(format, "csv") == 0 ? "text/csv; charset=utf-8" : API_XLSX_TYPE,
			     name, NULL, "export.results", obj);
	}
	xf_errs_cleanup(&errs);
}

/* A results page that failed: the year not assessed yet (1: 404
 * not_assessed, saying how to run the assessment), else 500. */
static void not_assessed(api_ctx *c, int rc, const xf_errs *errs, const char *invalid)
{
	if (rc == 1)
		api_error(c, 404, "not_assessed", errs->n ? errs->msgs[0] : "该年度没有考核结果");
	else
		api_fail_internal(c, rc, errs, invalid);
}

void api_assess_results(api_ctx *c)
{
	xf_results_query q = {.grade = xf_req_query(c->req, "grade"), .met = -1};
	long long met = -1;
	if (!api_query_year(c, &q.year) || !unit_code_arg(c, &q.unit) ||
	    !api_query_int(c, "met", 0, 1, -1, &met) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &q.per_page))
		return;
	q.met = (int)met;
	if (!api_query_search(c, &q.q))
		return;
	if (q.grade && *q.grade == '\0')
		q.grade = NULL;
	if (q.grade && strlen(q.grade) > 64) {
		api_error(c, 400, "bad_request", "参数 grade 应为等级的键（如 excellent）");
		return;
	}
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_results_page_json(c->store, &q, k.f, &k.errs), not_assessed,
			     NULL);
}

void api_export_template(api_ctx *c)
{
	const char *kind = c->req->params[0];
	if (xf_sheet_kind_find(kind) == NULL) {
		api_error(c, 404, "not_found", "未知的模板类型，应为 roster、records、xxqg、online-hours 之一");
		return;
	}
	api_tmp t;
	if (!api_tmp_open(c, &t, "template.xlsx"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_export_template(kind, t.path, &errs) != 0)
		tmp_fail(c, &t, &errs, false);
	else
		api_tmp_send(c, &t, API_XLSX_TYPE,
			     xf_arena_printf(c->req->arena, "xuefen-template-%s.xlsx", kind), NULL,
			     "export.template", kind);
	xf_errs_cleanup(&errs);
}

void api_export_case(api_ctx *c)
{
	int year;
	const char *unit;
	if (!api_query_year(c, &year) || !unit_code_arg(c, &unit))
		return;
	api_tmp t;
	if (!api_tmp_open(c, &t, "case.json"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	FILE *f = fopen(t.path, "w");
	long long people = 0;
	int rc = f ? xf_export_case(c->store, year, unit, f, &people, &errs) : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		tmp_fail(c, &t, &errs, errs.n > 0);
	} else {
		char *name = xf_arena_printf(c->req->arena, "xuefen-%d%s%s.case.json", year,
					     unit ? "-" : "", unit ? unit : "");
		char *obj = xf_arena_printf(c->req->arena, "year:%d%s%s", year, unit ? " unit:" : "",
					    unit ? unit : "");
		api_tmp_send(c, &t, "application/json; charset=utf-8", name, NULL, "export.case", obj);
	}
	xf_errs_cleanup(&errs);
}

void api_assess(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(body, "year");
	const char *unit = NULL;
	if (!cJSON_IsNumber(y) || y->valuedouble < 2000 || y->valuedouble > 2100 ||
	    y->valuedouble != (double)(int)y->valuedouble) {
		api_error(c, 400, "bad_request", "year 应为 2000 到 2100 之间的年份");
	} else if (api_member_str(c, body, "unit", 64, &unit)) {
		xf_assess_report rep = {0};
		xf_errs errs;
		xf_errs_init(&errs);
		if (xf_assess_year(c->store, (int)y->valuedouble, unit, api_actor(c), &rep, &errs) != 0) {
			api_invalid(c, "年度考核未完成，未保存任何结果", &errs);
		} else {
			xf_jw w;
			api_json(c, 200, &w);
			xf_jw_obj(&w);
			xf_jw_kint(&w, "year", (long long)y->valuedouble);
			xf_jw_kint(&w, "runs", rep.runs);
			xf_jw_kint(&w, "people", rep.people);
			xf_jw_kint(&w, "met", rep.met);
			xf_jw_kint(&w, "exempt", rep.exempt);
			xf_jw_kint(&w, "award_candidates", rep.award_candidates);
			xf_jw_kint(&w, "last_run_id", rep.last_run_id);
			xf_jw_obj_end(&w);
		}
		xf_errs_cleanup(&errs);
	}
	cJSON_Delete(body);
}

void api_health(api_ctx *c)
{
	xf_jw w;
	api_json(c, 200, &w);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "status", "ok");
	xf_jw_kint(&w, "schema", XF_SCHEMA_VERSION);
	xf_jw_obj_end(&w);
}
