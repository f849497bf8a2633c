/* api_io: imports (a file in the request body, all or nothing, every bad
 * row reported), exports (XLSX/CSV/JSON downloads, audited), the year-end
 * assessment run, and the health check. */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_int.h"
#include "service/assess.h"
#include "service/export.h"
#include "service/export_sheet.h"
#include "service/import.h"
#include "service/sheets.h"

/* A file name fit for a message and the batch record: the last path
 * component of ?name=, at most 200 bytes, else a default. */
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
	const char *name = upload_name(c, is_case ? "upload.case.json" : "upload.xlsx");
	if (is_case && !case_policy_builtin(c->req->body, c->req->body_len)) {
		api_error(c, 422, "invalid", "上传的案例文件只能使用内置的学分办法（policy 不能是文件路径）");
		return;
	}
	xf_import_report rep = {0};
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = is_case ? xf_import_case(c->store, c->req->body, c->req->body_len, name, NULL,
					  api_actor(c), &rep, &errs)
			 : xf_import_sheet(c->store, kind, c->req->body, c->req->body_len, name,
					   api_actor(c), &rep, &errs);
	if (rc != 0) {
		char *msg = xf_arena_printf(c->req->arena, "%s：文件有问题，未导入任何数据", name);
		api_invalid(c, msg ? msg : "文件有问题，未导入任何数据", &errs);
	} else {
		xf_jw w;
		api_json(c, 200, &w);
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "kind", kind);
		xf_jw_kstr(&w, "file", name);
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

/* A private folder for an export to be written into before it is sent. */
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

/* Sends the written file as a download named download_name, audits it,
 * and removes the folder (the open file stays readable until sent). */
static void tmp_send(api_ctx *c, tmp_export *t, const char *content_type,
		     const char *download_name, const char *action, const char *object)
{
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unlink(t->path);
	rmdir(t->dir);
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
	c->res->content_type = content_type;
	xf_res_header(c->res, "Content-Disposition",
		      xf_arena_printf(c->req->arena, "attachment; filename=\"%s\"", download_name));
	xf_res_file(c->res, fd, (size_t)st.st_size);
}

static void tmp_fail(api_ctx *c, tmp_export *t, xf_errs *errs, bool bad_input)
{
	unlink(t->path);
	rmdir(t->dir);
	if (bad_input)
		api_bad_request(c, errs);
	else
		api_internal(c, errs);
}

static const char *XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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
	tmp_export t;
	if (!tmp_open(c, &t, strcmp(format, "csv") == 0 ? "results.csv" : "results.xlsx"))
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
		tmp_send(c, &t, strcmp(format, "csv") == 0 ? "text/csv; charset=utf-8" : XLSX_TYPE,
			 name, "export.results", obj);
	}
	xf_errs_cleanup(&errs);
}

void api_export_template(api_ctx *c)
{
	const char *kind = c->req->params[0];
	if (xf_sheet_kind_find(kind) == NULL) {
		api_error(c, 404, "not_found", "未知的模板类型，应为 roster、records、xxqg、online-hours 之一");
		return;
	}
	tmp_export t;
	if (!tmp_open(c, &t, "template.xlsx"))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_export_template(kind, t.path, &errs) != 0)
		tmp_fail(c, &t, &errs, false);
	else
		tmp_send(c, &t, XLSX_TYPE,
			 xf_arena_printf(c->req->arena, "xuefen-template-%s.xlsx", kind),
			 "export.template", kind);
	xf_errs_cleanup(&errs);
}

void api_export_case(api_ctx *c)
{
	int year;
	const char *unit;
	if (!api_query_year(c, &year) || !unit_code_arg(c, &unit))
		return;
	tmp_export t;
	if (!tmp_open(c, &t, "case.json"))
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
		tmp_send(c, &t, "application/json; charset=utf-8", name, "export.case", obj);
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
