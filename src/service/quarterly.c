/* quarterly: the 季度通报 (see quarterly.h) — the people of a unit's tree
 * behind their requirement's share at a quarter's end, as JSON for the UI
 * and as a workbook for the office. The people stream through the engine
 * policy by policy; only those listed are kept. */
#include "service/quarterly.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "core/clock.h"
#include "core/num.h"
#include "io/jsonw.h"
#include "policy/policy.h"
#include "service/assess_load.h"
#include "service/publish.h"
#include "store/query.h"

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)

static const char *const QUARTER_NAMES[] = {"一", "二", "三", "四"};

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

/* One person listed. */
typedef struct entry {
	long long unit_id, person_id;
	char *unit_code, *unit_name, *code, *name;
	double required, expected, credits, gap;
} entry;

typedef struct report {
	long long unit_id;
	char unit_code[128], unit_name[256];
	int year, quarter;
	xf_date date;
	long long people;
	entry *v;
	size_t n, cap;
} report;

static void report_cleanup(report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].unit_code);
		free(r->v[i].unit_name);
		free(r->v[i].code);
		free(r->v[i].name);
	}
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static int64_t cents(double v)
{
	return (int64_t)llround(v * 100.0);
}

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->unit_code, y->unit_code);
	if (c != 0)
		return c;
	if (cents(x->gap) != cents(y->gap))
		return cents(x->gap) > cents(y->gap) ? -1 : 1;
	return (x->person_id > y->person_id) - (x->person_id < y->person_id);
}

/* The people of one policy of the tree. */
static int collect_policy(xf_store *s, report *rp, const char *ref, xf_errs *errs)
{
	xf_load l;
	xf_policy *owned = NULL;
	xf_asof buf = {0};
	xf_engine_scratch scratch;
	xf_result res;
	int rc = -1, more;
	memset(&l, 0, sizeof(l));
	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	const xf_policy *p = xf_load_policy(ref, &owned, errs);
	if (p == NULL)
		goto out;
	if (xf_result_init(&res, p) != 0) {
		oom(errs);
		goto out;
	}
	if (xf_load_open(&l, s, XF_LOAD_SUBTREE, rp->year, ref, NULL, rp->unit_id, errs) != 0 ||
	    xf_load_begin(&l, p, ref) != 0)
		goto out;
	while ((more = xf_load_next(&l)) == 1) {
		rp->people++;
		if (xf_assess_asof(p, rp->year, &l.in, rp->date, &buf, &scratch, &res, NULL) != 0) {
			oom(errs);
			goto out;
		}
		if (res.exempt || !res.has_required || !res.has_total)
			continue;
		double expected = xf_round2(res.required * rp->quarter / 4.0);
		double credits = xf_round2(res.total);
		if (cents(credits) >= cents(expected))
			continue;
		if (rp->n == rp->cap) {
			size_t cap = rp->cap ? rp->cap * 2 : 64;
			entry *n = realloc(rp->v, cap * sizeof(*n));
			if (n == NULL) {
				oom(errs);
				goto out;
			}
			rp->v = n;
			rp->cap = cap;
		}
		xf_stmt *row = xf_load_people(&l);
		entry *e = &rp->v[rp->n];
		e->unit_id = xf_stmt_int(row, 6);
		e->person_id = l.person_id;
		e->unit_code = dup0(xf_stmt_text(row, 3));
		e->unit_name = dup0(xf_stmt_text(row, 7));
		e->code = dup0(xf_stmt_text(row, 1));
		e->name = dup0(xf_stmt_text(row, 2));
		e->required = xf_round2(res.required);
		e->expected = expected;
		e->credits = credits;
		e->gap = xf_round2(expected - credits);
		rp->n++;
		if (!e->unit_code || !e->unit_name || !e->code || !e->name) {
			oom(errs);
			goto out;
		}
	}
	if (more < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && errs->n == 0)
		oom(errs);
	xf_load_cleanup(&l);
	xf_asof_cleanup(&buf);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	xf_policy_free(owned);
	return rc;
}

/* Fills rp: 0, 1 (no such unit), -1. */
static int collect(xf_store *s, long long unit_id, int year, int quarter, report *rp,
		   xf_errs *errs)
{
	char **policies = NULL;
	size_t npolicies = 0;
	bool in_tx = false;
	int rc = -1;
	memset(rp, 0, sizeof(*rp));
	if (year < 2000 || year > 2100) {
		xf_errs_add(errs, "year：应为 2000 到 2100 之间的年份");
		return -1;
	}
	if (quarter < 1 || quarter > 4) {
		xf_errs_add(errs, "quarter：应为 1 到 4");
		return -1;
	}
	int f = xf_query_row(s, "SELECT id, code, name FROM units WHERE id = $1", errs, BIND_FAILED,
			     XF_IN(unit_id), XF_OUT(&rp->unit_id),
			     XF_OUT_TEXT(rp->unit_code, sizeof(rp->unit_code)),
			     XF_OUT_TEXT(rp->unit_name, sizeof(rp->unit_name)));
	if (f != 0) {
		if (f < 0)
			errs->internal = true;
		return f;
	}
	rp->year = year;
	rp->quarter = quarter;
	rp->date = xf_quarter_end(year, quarter);
	if (xf_load_subtree_policies(s, unit_id, year, &policies, &npolicies, errs) != 0) {
		errs->internal = true;
		return -1;
	}
	if (npolicies == 0) {
		xf_errs_add(errs, "单位“%s”及其上下级单位 %d 年度均未指定学分办法", rp->unit_name, year);
		goto out;
	}
	/* On PostgreSQL the scans stream through cursors, which live in a
	 * transaction (read only: rolled back). */
	if (xf_store_kind_of(s) == XF_STORE_POSTGRES) {
		if (xf_store_begin(s, errs) != 0) {
			errs->internal = true;
			goto out;
		}
		in_tx = true;
	}
	for (size_t i = 0; i < npolicies; i++)
		if (collect_policy(s, rp, policies[i], errs) != 0) {
			errs->internal = true;
			goto out;
		}
	if (rp->n > 1)
		qsort(rp->v, rp->n, sizeof(entry), entry_cmp);
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_load_free_list(policies, npolicies);
	if (rc != 0)
		report_cleanup(rp);
	return rc;
}

int xf_quarterly_json(xf_store *s, long long unit_id, int year, int quarter, FILE *f,
		      xf_errs *errs)
{
	report rp;
	int rc = collect(s, unit_id, year, quarter, &rp, errs);
	if (rc != 0)
		return rc;
	char date[11];
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_key(&w, "unit");
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", rp.unit_id);
	xf_jw_kstr(&w, "code", rp.unit_code);
	xf_jw_kstr(&w, "name", rp.unit_name);
	xf_jw_obj_end(&w);
	xf_jw_kint(&w, "year", year);
	xf_jw_kint(&w, "quarter", quarter);
	xf_jw_kstr(&w, "date", xf_date_text(rp.date, date));
	xf_jw_knum(&w, "share", quarter / 4.0);
	xf_jw_kint(&w, "people", rp.people);
	xf_jw_kint(&w, "below", (long long)rp.n);
	xf_jw_key(&w, "units");
	xf_jw_arr(&w);
	for (size_t i = 0; i < rp.n; i++) {
		const entry *e = &rp.v[i];
		if (i == 0 || strcmp(e->unit_code, rp.v[i - 1].unit_code) != 0) {
			if (i > 0) {
				xf_jw_arr_end(&w);
				xf_jw_obj_end(&w);
			}
			xf_jw_obj(&w);
			xf_jw_kint(&w, "id", e->unit_id);
			xf_jw_kstr(&w, "code", e->unit_code);
			xf_jw_kstr(&w, "name", e->unit_name);
			xf_jw_key(&w, "people");
			xf_jw_arr(&w);
		}
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", e->person_id);
		xf_jw_kstr(&w, "code", e->code);
		xf_jw_kstr(&w, "name", e->name);
		xf_jw_kcredits(&w, "required", e->required);
		xf_jw_kcredits(&w, "expected", e->expected);
		xf_jw_kcredits(&w, "credits", e->credits);
		xf_jw_kcredits(&w, "gap", e->gap);
		xf_jw_obj_end(&w);
	}
	if (rp.n > 0) {
		xf_jw_arr_end(&w);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	report_cleanup(&rp);
	return 0;
}

int xf_quarterly_xlsx(xf_store *s, long long unit_id, int year, int quarter, const char *actor,
		      const char *path, xf_errs *errs)
{
	report rp;
	int rc = collect(s, unit_id, year, quarter, &rp, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 8);
	lxw_workbook *wb = NULL;
	lxw_error e = LXW_NO_ERROR;
	if (tmp == NULL) {
		oom(errs);
		goto out;
	}
	snprintf(tmp, plen + 8, "%s.tmp", path);
	wb = workbook_new(tmp);
	if (wb == NULL) {
		xf_errs_add(errs, "%s: 无法创建 XLSX 文件 (cannot create the file)", path);
		errs->internal = true;
		goto out;
	}
	lxw_format *head = workbook_add_format(wb), *num = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_num_format(num, "0.##");
	lxw_worksheet *ws = workbook_add_worksheet(wb, "季度通报");
	lxw_worksheet *notes = workbook_add_worksheet(wb, "说明");
	if (ws == NULL || notes == NULL) {
		oom(errs);
		goto out;
	}
	static const char *const titles[] = {"序号", "单位", "姓名", "编码", "应修学分（年度）",
					     "按进度应达", "已得", "差额"};
	static const double widths[] = {6, 18, 10, 14, 16, 12, 10, 10};
	for (int c = 0; c < 8 && e == LXW_NO_ERROR; c++) {
		e = worksheet_write_string(ws, 0, (lxw_col_t)c, titles[c], head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t i = 0; i < rp.n && e == LXW_NO_ERROR; i++) {
		const entry *x = &rp.v[i];
		lxw_row_t r = (lxw_row_t)(i + 1);
		e = worksheet_write_number(ws, r, 0, (double)(i + 1), NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 1, x->unit_name, NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 2, x->name, NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 3, x->code, NULL);
		const double v[4] = {x->required, x->expected, x->credits, x->gap};
		for (int k = 0; k < 4 && e == LXW_NO_ERROR; k++)
			e = worksheet_write_number(ws, r, (lxw_col_t)(4 + k), v[k], num);
	}
	char date[11], at[32];
	time_t now = xf_clock_now();
	struct tm tm;
	at[0] = '\0';
	if (localtime_r(&now, &tm) != NULL)
		strftime(at, sizeof(at), "%Y-%m-%d %H:%M", &tm);
	const char *keys[7] = {"季度通报", "单位", "截至", "人数", "规则", "导出", "依据"};
	char vals[7][512];
	snprintf(vals[0], sizeof(vals[0]), "%d年第%s季度学分进度通报", year, QUARTER_NAMES[quarter - 1]);
	snprintf(vals[1], sizeof(vals[1]), "%s（及其下级单位）", rp.unit_name);
	snprintf(vals[2], sizeof(vals[2]), "%s", xf_date_text(rp.date, date));
	snprintf(vals[3], sizeof(vals[3]), "参加学分管理 %lld 人，未达进度 %zu 人", rp.people, rp.n);
	snprintf(vals[4], sizeof(vals[4]),
		 "截至季度末的年度累计学分低于“应修学分 × %d / 4”者列入通报；免于考核的人员不列入。"
		 "差额 = 按进度应达 − 已得。", quarter);
	snprintf(vals[5], sizeof(vals[5]), "%s，%s", at, actor ? actor : "");
	snprintf(vals[6], sizeof(vals[6]), "%s",
		 "参照《娄底市干部教育培训网络学院在线学习管理办法》第十五条、第十六条：对未达到规定"
		 "学分的干部予以通报，分季度将信息通报个人。");
	worksheet_set_column(notes, 0, 0, 12, NULL);
	worksheet_set_column(notes, 1, 1, 90, NULL);
	for (int k = 0; k < 7 && e == LXW_NO_ERROR; k++) {
		e = worksheet_write_string(notes, (lxw_row_t)k, 0, keys[k], head);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(notes, (lxw_row_t)k, 1, vals[k], NULL);
	}
	if (e != LXW_NO_ERROR) {
		xf_errs_add(errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)", path,
			    lxw_strerror(e));
		errs->internal = true;
		goto out;
	}
	e = workbook_close(wb);
	wb = NULL;
	if (e != LXW_NO_ERROR || rename(tmp, path) != 0) {
		xf_errs_add(errs, "%s: 写入 XLSX 失败 (cannot write the XLSX file)", path);
		errs->internal = true;
		goto out;
	}
	rc = 0;
out:
	if (wb)
		workbook_close(wb);
	if (rc != 0 && tmp)
		remove(tmp);
	free(tmp);
	report_cleanup(&rp);
	return rc;
}
