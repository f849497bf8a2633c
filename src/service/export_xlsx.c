/* export_xlsx: the import templates and the year's results as spreadsheets
 * (see export_sheet.h). XLSX is written with libxlsxwriter; the results
 * workbook uses its constant_memory mode, so each row goes to disk as soon
 * as the next one starts and a province-sized export does not grow in
 * memory. Everything lands in a temporary file next to `path` first. */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/num.h"
#include "io/jsonw.h"
#include "policy/policy.h"
#include "service/export_sheet.h"
#include "service/sheets.h"
#include "store/query.h"

#define SUMMARY_SHEET "汇总"
#define NOTES_SHEET "填写说明"
#define SHEET_NAME_MAX 31   /* Excel's limit, in characters */
#define TEMPLATE_ROWS 5000  /* rows that get the 是/否 drop-down */

/* ---- the temporary file ------------------------------------------------ */

/* Creates an empty temporary file "PATH.tmpPID.N" next to path (same
 * directory, so the final rename is atomic; O_EXCL, so an existing file is
 * never reused; mode 0666 less the umask, like any file the user writes).
 * Returns its malloc'd name and the open descriptor in *fd, or NULL with a
 * message. */
static char *tmp_create(const char *path, int *fd, xf_errs *errs)
{
	static unsigned counter;
	size_t n = strlen(path) + 48;
	char *tmp = malloc(n);
	if (tmp == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, n, "%s.tmp%ld.%u", path, (long)getpid(), counter++);
		*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (*fd >= 0)
			return tmp;
		if (errno != EEXIST)
			break;
	}
	xf_errs_add(errs, "%s: 无法创建临时文件：%s (cannot create a temporary file)", path,
		    strerror(errno));
	free(tmp);
	return NULL;
}

/* Renames tmp over path when ok, else removes tmp; frees tmp. Returns 0 or
 * -1 (with a message when the rename fails). */
static int tmp_finish(char *tmp, const char *path, int ok, xf_errs *errs)
{
	int rc = -1;
	if (ok && rename(tmp, path) == 0)
		rc = 0;
	else if (ok)
		xf_errs_add(errs, "%s: 无法写入文件 (cannot write the file)", path);
	if (rc != 0)
		remove(tmp);
	free(tmp);
	return rc;
}

/* Closes the workbook (which writes the file) and reports its error. */
static int book_close(lxw_workbook *wb, const char *path, xf_errs *errs)
{
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		xf_errs_add(errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)", path,
			    lxw_strerror(e));
		return -1;
	}
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* Display width of UTF-8 text in Excel columns: CJK characters (3- and
 * 4-byte sequences) take two, the rest one. */
static double text_width(const char *s)
{
	double w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			w += 1;
		else if (*p >= 0xE0)
			w += 2;
		else if (*p >= 0xC0)
			w += 1;
	}
	return w;
}

static double col_width(double w)
{
	w += 2;
	return w < 8 ? 8 : w > 60 ? 60 : w;
}

static const char *type_name(xf_col_type t)
{
	switch (t) {
	case XF_COL_TEXT: return "文本";
	case XF_COL_DATE: return "日期 YYYY-MM-DD";
	case XF_COL_MONTH: return "月份 YYYY-MM";
	case XF_COL_NUMBER: return "数字";
	case XF_COL_INTEGER: return "整数";
	case XF_COL_BOOL: return "是或否";
	}
	return "文本";
}

static int is_numeric(xf_col_type t)
{
	return t == XF_COL_NUMBER || t == XF_COL_INTEGER;
}

/* ---- templates ---------------------------------------------------------- */

static void list_kinds(char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < xf_sheet_kind_count; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, n - l, "%s%s", i ? ", " : "", xf_sheet_kinds[i].kind);
	}
}

/* The data sheet: titles, the example row, widths, drop-downs. */
static lxw_error template_data(lxw_workbook *wb, const xf_sheet_kind *k)
{
	lxw_format *head = workbook_add_format(wb);
	lxw_format *head_req = workbook_add_format(wb);
	lxw_format *text = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_bold(head_req);
	format_set_bg_color(head_req, 0xDDEBF7);
	format_set_font_color(head_req, LXW_COLOR_RED);
	/* Text columns stay text: Excel must not turn 身份证号 into 1.1E+17
	 * or a date typed as 2025-04-02 into a serial number. */
	format_set_num_format(text, "@");
	lxw_worksheet *ws = workbook_add_worksheet(wb, k->title);
	if (ws == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	static char yes[] = "是", no[] = "否";
	static char *yes_no[] = {yes, no, NULL};
	lxw_error e = LXW_NO_ERROR;
	for (size_t i = 0; i < k->ncolumns && e == LXW_NO_ERROR; i++) {
		const xf_column *c = &k->columns[i];
		lxw_col_t col = (lxw_col_t)i;
		char title[128];
		snprintf(title, sizeof(title), "%s%s", c->title, c->required ? "*" : "");
		double w = text_width(title);
		lxw_format *f = is_numeric(c->type) || c->type == XF_COL_BOOL ? NULL : text;
		e = worksheet_write_string(ws, 0, col, title, c->required ? head_req : head);
		if (e == LXW_NO_ERROR && c->example != NULL) {
			double v;
			if (is_numeric(c->type) && xf_parse_double(c->example, &v) == 0)
				e = worksheet_write_number(ws, 1, col, v, NULL);
			else
				e = worksheet_write_string(ws, 1, col, c->example, f);
			if (text_width(c->example) > w)
				w = text_width(c->example);
		}
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, col, col, col_width(w), f);
		if (e == LXW_NO_ERROR && c->type == XF_COL_BOOL) {
			lxw_data_validation dv = {0};
			dv.validate = LXW_VALIDATION_TYPE_LIST;
			dv.value_list = yes_no;
			dv.error_title = "是否";
			dv.error_message = "请填写“是”或“否”";
			e = worksheet_data_validation_range(ws, 1, col, TEMPLATE_ROWS, col, &dv);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	return e;
}

/* The 填写说明 sheet: one row per column, then the kind's help. */
static lxw_error template_notes(lxw_workbook *wb, const xf_sheet_kind *k)
{
	lxw_format *bold = workbook_add_format(wb);
	lxw_format *wrap = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	lxw_worksheet *ws = workbook_add_worksheet(wb, NOTES_SHEET);
	if (ws == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	static const char *const heads[] = {"列标题", "列名", "必填", "类型", "说明"};
	static const double widths[] = {20, 20, 8, 18, 60};
	lxw_error e = LXW_NO_ERROR;
	for (lxw_col_t c = 0; c < 5 && e == LXW_NO_ERROR; c++) {
		e = worksheet_write_string(ws, 0, c, heads[c], bold);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, c, c, widths[c], c == 4 ? wrap : NULL);
	}
	lxw_row_t r = 1;
	for (size_t i = 0; i < k->ncolumns && e == LXW_NO_ERROR; i++, r++) {
		const xf_column *c = &k->columns[i];
		e = worksheet_write_string(ws, r, 0, c->title, NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 1, c->key, NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 2, c->required ? "是" : "否", NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 3, type_name(c->type), NULL);
		if (e == LXW_NO_ERROR && c->note != NULL)
			e = worksheet_write_string(ws, r, 4, c->note, wrap);
	}
	r++;
	if (e == LXW_NO_ERROR)
		e = worksheet_write_string(ws, r++, 0, "填写方法", bold);
	if (e == LXW_NO_ERROR)
		e = worksheet_write_string(ws, r++, 0, k->help, NULL);
	if (e == LXW_NO_ERROR)
		e = worksheet_write_string(ws, r++, 0,
					   "标题带 * 的列必填；列的顺序可以调整，但不能增加未知的列。"
					   "第 2 行是示例，导入前请改为实际数据或删除。",
					   NULL);
	worksheet_freeze_panes(ws, 1, 0);
	return e;
}

int xf_export_template(const char *kind, const char *path, xf_errs *errs)
{
	const xf_sheet_kind *k = xf_sheet_kind_find(kind);
	if (k == NULL) {
		char kinds[256];
		list_kinds(kinds, sizeof(kinds));
		xf_errs_add(errs, "未知的模板类型 \"%s\"，可选：%s (unknown template kind)", kind, kinds);
		return -1;
	}
	int fd;
	char *tmp = tmp_create(path, &fd, errs);
	if (tmp == NULL)
		return -1;
	close(fd);
	lxw_workbook *wb = workbook_new(tmp);
	if (wb == NULL) {
		xf_errs_add(errs, "%s: 无法创建 XLSX (cannot create the workbook)", path);
		return tmp_finish(tmp, path, 0, errs);
	}
	lxw_error e = template_data(wb, k);
	if (e == LXW_NO_ERROR)
		e = template_notes(wb, k);
	if (e != LXW_NO_ERROR)
		xf_errs_add(errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)", path,
			    lxw_strerror(e));
	int ok = book_close(wb, path, errs) == 0 && e == LXW_NO_ERROR;
	return tmp_finish(tmp, path, ok, errs);
}

/* ---- results ------------------------------------------------------------ */

/* The latest assessment run of each policy for the year ($1). */
#define LATEST_RUNS                                                                   \
	"SELECT max(r2.id) FROM runs r2 WHERE r2.year = $1 AND r2.source = 'assess'" \
	" GROUP BY r2.policy"

enum {
	R_UNIT_CODE, R_UNIT_NAME, R_NAME, R_STAFF_NO, R_POLICY, R_TOTAL, R_FINAL,
	R_REQUIRED, R_MET, R_GRADE, R_EXEMPT, R_AWARD, R_RESULT
};

static const char *const results_sql =
	"SELECT u.code, u.name, p.name, p.staff_no, rn.policy, x.total, x.final, x.required,"
	" x.met, x.grade, x.exempt_reason, x.award_candidate, x.result"
	" FROM run_results x JOIN runs rn ON rn.id = x.run_id"
	" JOIN people p ON p.id = x.person_id LEFT JOIN units u ON u.id = p.unit_id"
	" WHERE x.run_id IN (" LATEST_RUNS ")"
	" AND (CAST($2 AS TEXT) IS NULL OR u.code = CAST($2 AS TEXT))"
	" ORDER BY u.code, rn.policy, p.id";

/* A policy in scope, loaded once. */
typedef struct pol {
	char *ref;
	xf_policy *p;
} pol;

/* A column of the CSV's category block: the union over the policies. */
typedef struct cat_col {
	const char *key;
	const char *name;
} cat_col;

/* Per-unit totals for the summary sheet. */
typedef struct unit_sum {
	char *code, *name;
	long long people, applies, met, ntotal;
	double sum_total;
	long long *grades; /* [ngrades] */
} unit_sum;

typedef struct exporter {
	xf_errs *errs;
	const char *path;
	pol *pols;
	int npols;
	const char **grades;  /* grade names over all policies, first seen first */
	int ngrades;
	cat_col *cats;        /* CSV only */
	int ncats;
	unit_sum *units;
	int nunits, capunits;

	/* XLSX */
	lxw_workbook *wb;
	lxw_worksheet *ws;   /* the unit sheet being written */
	lxw_row_t row;
	lxw_format *head, *num2, *pct, *intf;
	char **sheet_names;
	int nsheets, capsheets;
	const char *cur_unit, *cur_policy; /* of ws; owned by units / pols */

	/* CSV */
	FILE *csv;
} exporter;

/* One result row, decoded. */
typedef struct row {
	const char *unit_code, *unit_name, *name, *staff_no;
	const pol *pol;
	bool has_total, has_final, has_required;
	double total, final, required;
	int met;             /* 1, 0, -1: does not apply */
	const char *grade;   /* Chinese name or NULL */
	const char *exempt;  /* Chinese name or NULL */
	bool award;
	cJSON *json;
	const cJSON *cats;   /* "categories" */
} row;

static const char *const head_before[] = {"姓名", "工号", "单位"};
static const char *const head_after[] = {"合计", "最终得分", "应修学分", "是否达标",
					 "等级", "免考原因", "优秀学员候选"};
#define NBEFORE 3
#define NAFTER 7

static pol *pol_find(exporter *x, const char *ref)
{
	for (int i = 0; i < x->npols; i++)
		if (strcmp(x->pols[i].ref, ref) == 0)
			return &x->pols[i];
	return NULL;
}

static int grade_index(const exporter *x, const char *name)
{
	for (int i = 0; i < x->ngrades; i++)
		if (strcmp(x->grades[i], name) == 0)
			return i;
	return -1;
}

/* Loads the policies of the year's latest runs, and the grade and
 * category unions. Returns 0, or -1 with a message (none: not assessed). */
static int load_policies(exporter *x, xf_store *s, int year)
{
	xf_stmt *st = xf_stmt_prepare(s, "SELECT r.policy FROM runs r WHERE r.id IN (" LATEST_RUNS
					 ") ORDER BY r.policy", x->errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	xf_step r = XF_STEP_ERROR;
	if (xf_stmt_bind_int(st, 1, year) != 0) {
		xf_errs_add(x->errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	while ((r = xf_stmt_step(st, x->errs)) == XF_STEP_ROW) {
		const char *ref = xf_stmt_text(st, 0);
		pol *np = realloc(x->pols, (size_t)(x->npols + 1) * sizeof(*np));
		if (np == NULL)
			goto oom;
		x->pols = np;
		pol *p = &x->pols[x->npols];
		p->ref = strdup(ref);
		p->p = NULL;
		if (p->ref == NULL)
			goto oom;
		x->npols++;
		p->p = xf_policy_resolve(ref, NULL, x->errs);
		if (p->p == NULL) {
			xf_errs_add(x->errs, "无法载入评估所用的学分办法 %s (cannot load the run's policy)", ref);
			goto out;
		}
	}
	if (r != XF_STEP_DONE)
		goto out;
	if (x->npols == 0) {
		xf_errs_add(x->errs, "%d 年度尚未进行年度考核，请先运行考核（xuefen assess --year %d，或网页的年度考核） "
			    "(%d has not been assessed yet)", year, year, year);
		goto out;
	}
	for (int i = 0; i < x->npols; i++) {
		const xf_policy *p = x->pols[i].p;
		for (int g = 0; g < p->ngrades; g++) {
			if (grade_index(x, p->grades[g].name) >= 0)
				continue;
			const char **ng = realloc(x->grades, (size_t)(x->ngrades + 1) * sizeof(*ng));
			if (ng == NULL)
				goto oom;
			x->grades = ng;
			x->grades[x->ngrades++] = p->grades[g].name;
		}
		for (int c = 0; c < p->ncategories; c++) {
			int seen = 0;
			for (int j = 0; j < x->ncats && !seen; j++)
				seen = strcmp(x->cats[j].key, p->categories[c].key) == 0;
			if (seen)
				continue;
			cat_col *nc = realloc(x->cats, (size_t)(x->ncats + 1) * sizeof(*nc));
			if (nc == NULL)
				goto oom;
			x->cats = nc;
			x->cats[x->ncats].key = p->categories[c].key;
			x->cats[x->ncats++].name = p->categories[c].name;
		}
	}
	rc = 0;
	goto out;
oom:
	xf_errs_add(x->errs, "内存不足 (out of memory)");
out:
	xf_stmt_finalize(st);
	return rc;
}

/* Decodes the current result row into *rw (rw->json to be freed by the
 * caller). */
static int row_decode(exporter *x, xf_stmt *st, row *rw)
{
	memset(rw, 0, sizeof(*rw));
	rw->unit_code = xf_stmt_is_null(st, R_UNIT_CODE) ? "" : xf_stmt_text(st, R_UNIT_CODE);
	rw->unit_name = xf_stmt_is_null(st, R_UNIT_NAME) ? "" : xf_stmt_text(st, R_UNIT_NAME);
	rw->name = xf_stmt_text(st, R_NAME);
	rw->staff_no = xf_stmt_is_null(st, R_STAFF_NO) ? NULL : xf_stmt_text(st, R_STAFF_NO);
	rw->pol = pol_find(x, xf_stmt_text(st, R_POLICY));
	if (rw->pol == NULL) {
		/* A run of the policy was added after load_policies: refuse rather
		 * than export a mixture. */
		xf_errs_add(x->errs, "导出期间有新的评估运行，请重新导出 (a run was added meanwhile; export again)");
		return -1;
	}
	const xf_policy *p = rw->pol->p;
	rw->has_total = !xf_stmt_is_null(st, R_TOTAL);
	rw->total = xf_stmt_double(st, R_TOTAL);
	rw->has_final = !xf_stmt_is_null(st, R_FINAL);
	rw->final = xf_stmt_double(st, R_FINAL);
	rw->has_required = !xf_stmt_is_null(st, R_REQUIRED);
	rw->required = xf_stmt_double(st, R_REQUIRED);
	rw->met = xf_stmt_is_null(st, R_MET) || xf_stmt_int(st, R_MET) < 0 ? -1
		  : xf_stmt_int(st, R_MET) != 0;
	if (!xf_stmt_is_null(st, R_GRADE)) {
		const char *g = xf_stmt_text(st, R_GRADE);
		int gi = xf_policy_grade(p, g);
		rw->grade = gi >= 0 ? p->grades[gi].name : g;
	}
	if (!xf_stmt_is_null(st, R_EXEMPT)) {
		const char *why = xf_stmt_text(st, R_EXEMPT);
		rw->exempt = why;
		for (int i = 0; i < p->nexempt; i++)
			if (strcmp(p->exempt[i].reason, why) == 0)
				rw->exempt = p->exempt[i].name;
	}
	rw->award = xf_stmt_int(st, R_AWARD) != 0;
	const char *js = xf_stmt_text(st, R_RESULT);
	rw->json = js ? cJSON_Parse(js) : NULL;
	rw->cats = cJSON_GetObjectItemCaseSensitive(rw->json, "categories");
	if (!cJSON_IsObject(rw->cats)) {
		xf_errs_add(x->errs, "%s（%s）的评估结果无法读取 (unreadable result JSON)", rw->name,
			    rw->unit_code);
		cJSON_Delete(rw->json);
		rw->json = NULL;
		return -1;
	}
	return 0;
}

/* The category value of key in the row, or false when absent. */
static bool row_cat(const row *rw, const char *key, double *v)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(rw->cats, key);
	if (!cJSON_IsNumber(c))
		return false;
	*v = c->valuedouble;
	return true;
}

static const char *met_text(int met)
{
	return met < 0 ? "—" : met ? "是" : "否";
}

/* Adds the row to its unit's totals (units arrive in order). */
static int sum_add(exporter *x, const row *rw)
{
	unit_sum *u = x->nunits ? &x->units[x->nunits - 1] : NULL;
	if (u == NULL || strcmp(u->code, rw->unit_code) != 0) {
		if (x->nunits == x->capunits) {
			int cap = x->capunits ? x->capunits * 2 : 16;
			unit_sum *nu = realloc(x->units, (size_t)cap * sizeof(*nu));
			if (nu == NULL)
				goto oom;
			x->units = nu;
			x->capunits = cap;
		}
		u = &x->units[x->nunits];
		memset(u, 0, sizeof(*u));
		u->code = strdup(rw->unit_code);
		u->name = strdup(rw->unit_name);
		u->grades = calloc((size_t)x->ngrades + 1, sizeof(*u->grades));
		x->nunits++;
		if (u->code == NULL || u->name == NULL || u->grades == NULL)
			goto oom;
	}
	u->people++;
	if (rw->met >= 0) {
		u->applies++;
		u->met += rw->met;
	}
	if (rw->has_total) {
		u->ntotal++;
		u->sum_total += rw->total;
	}
	if (rw->grade != NULL) {
		int g = grade_index(x, rw->grade);
		if (g >= 0)
			u->grades[g]++;
	}
	return 0;
oom:
	xf_errs_add(x->errs, "内存不足 (out of memory)");
	return -1;
}

/* ---- XLSX ---- */

/* Makes code a valid, unused sheet name into out (Excel: at most 31
 * characters, none of []:*?/\, not starting or ending with ', not
 * "History", unique ignoring case) and remembers it. */
static int sheet_name(exporter *x, const char *code, char *out, size_t outsz)
{
	char base[SHEET_NAME_MAX * 4 + 1];
	size_t n = 0, chars = 0;
	for (const unsigned char *p = (const unsigned char *)code; *p && chars < SHEET_NAME_MAX;) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
		size_t units16 = len == 4 ? 2 : 1; /* Excel counts UTF-16 units */
		if (chars + units16 > SHEET_NAME_MAX)
			break;
		size_t k = 0;
		while (k < len && p[k] != '\0')
			k++;
		if (k < len || (len > 1 && *p < 0xC0))
			break; /* truncated or stray sequence: stop here */
		if (len == 1 && (strchr("[]:*?/\\", *p) != NULL || *p < 0x20))
			base[n++] = '_';
		else
			for (size_t j = 0; j < len; j++)
				base[n++] = (char)p[j];
		p += len;
		chars += units16;
	}
	base[n] = '\0';
	while (n > 0 && base[n - 1] == '\'')
		base[--n] = '\0';
	char *b = base;
	while (*b == '\'')
		b++;
	if (*b == '\0')
		b = "未分配单位";
	if (strcasecmp(b, "History") == 0)
		b = "History_";
	snprintf(out, outsz, "%s", b);
	for (int suffix = 2;; suffix++) {
		int used = 0;
		for (int i = 0; i < x->nsheets && !used; i++)
			used = strcasecmp(x->sheet_names[i], out) == 0;
		if (!used)
			break;
		/* Room for "~N": cut the base back by whole characters. */
		char tail[16];
		int tl = snprintf(tail, sizeof(tail), "~%d", suffix);
		size_t keep = 0, kc = 0;
		for (const unsigned char *p = (const unsigned char *)b; p[keep];) {
			size_t len = p[keep] < 0x80 ? 1 : p[keep] >= 0xF0 ? 4 : p[keep] >= 0xE0 ? 3 : 2;
			size_t u16 = len == 4 ? 2 : 1;
			if (kc + u16 + (size_t)tl > SHEET_NAME_MAX)
				break;
			keep += len;
			kc += u16;
		}
		snprintf(out, outsz, "%.*s%s", (int)keep, b, tail);
	}
	if (x->nsheets == x->capsheets) {
		int cap = x->capsheets ? x->capsheets * 2 : 16;
		char **ns = realloc(x->sheet_names, (size_t)cap * sizeof(*ns));
		if (ns == NULL)
			return -1;
		x->sheet_names = ns;
		x->capsheets = cap;
	}
	if ((x->sheet_names[x->nsheets] = strdup(out)) == NULL)
		return -1;
	x->nsheets++;
	return 0;
}

/* Starts the sheet of the row's unit (and policy). */
static lxw_error xlsx_sheet(exporter *x, const row *rw)
{
	char name[SHEET_NAME_MAX * 4 + 1];
	if (sheet_name(x, rw->unit_code, name, sizeof(name)) != 0)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error ve = workbook_validate_sheet_name(x->wb, name);
	if (ve != LXW_NO_ERROR)
		return ve;
	x->ws = workbook_add_worksheet(x->wb, name);
	if (x->ws == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	x->row = 0;
	const xf_policy *p = rw->pol->p;
	lxw_error e = LXW_NO_ERROR;
	lxw_col_t c = 0;
	for (int i = 0; i < NBEFORE && e == LXW_NO_ERROR; i++, c++) {
		e = worksheet_write_string(x->ws, 0, c, head_before[i], x->head);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(x->ws, c, c, i == 2 ? 20 : 12, NULL);
	}
	for (int i = 0; i < p->ncategories && e == LXW_NO_ERROR; i++, c++) {
		e = worksheet_write_string(x->ws, 0, c, p->categories[i].name, x->head);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(x->ws, c, c,
						 col_width(text_width(p->categories[i].name) + 2), NULL);
	}
	for (int i = 0; i < NAFTER && e == LXW_NO_ERROR; i++, c++) {
		e = worksheet_write_string(x->ws, 0, c, head_after[i], x->head);
		double w = i == 5 ? 24 : col_width(text_width(head_after[i]) + 2);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(x->ws, c, c, w, NULL);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 1;
	x->cur_unit = x->units[x->nunits - 1].code;
	x->cur_policy = rw->pol->ref;
	return e;
}

static lxw_error put_num(exporter *x, lxw_col_t c, bool has, double v)
{
	if (!has)
		return LXW_NO_ERROR;
	return worksheet_write_number(x->ws, x->row, c, v, x->num2);
}

static lxw_error put_str(exporter *x, lxw_col_t c, const char *s)
{
	if (s == NULL || *s == '\0')
		return LXW_NO_ERROR;
	return worksheet_write_string(x->ws, x->row, c, s, NULL);
}

static lxw_error xlsx_row(exporter *x, const row *rw)
{
	lxw_error e = LXW_NO_ERROR;
	if (x->ws == NULL || strcmp(x->cur_unit, rw->unit_code) != 0 ||
	    strcmp(x->cur_policy, rw->pol->ref) != 0)
		e = xlsx_sheet(x, rw);
	const xf_policy *p = rw->pol->p;
	lxw_col_t c = 0;
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->name);
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->staff_no);
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->unit_name);
	for (int i = 0; i < p->ncategories && e == LXW_NO_ERROR; i++) {
		double v = 0;
		bool has = row_cat(rw, p->categories[i].key, &v);
		e = put_num(x, c++, has, v);
	}
	if (e == LXW_NO_ERROR)
		e = put_num(x, c++, rw->has_total, rw->total);
	if (e == LXW_NO_ERROR)
		e = put_num(x, c++, rw->has_final, rw->final);
	if (e == LXW_NO_ERROR)
		e = put_num(x, c++, rw->has_required, rw->required);
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, met_text(rw->met));
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->grade);
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->exempt);
	if (e == LXW_NO_ERROR)
		e = put_str(x, c++, rw->award ? "是" : "否");
	x->row++;
	return e;
}

/* The summary sheet, written last (each worksheet keeps its own temporary
 * file in constant_memory mode, so its rows may come after the others). */
static lxw_error xlsx_summary(exporter *x, lxw_worksheet *ws)
{
	static const char *const heads[] = {"单位编码", "单位", "人数", "达标人数", "达标率",
					    "平均合计"};
	lxw_error e = LXW_NO_ERROR;
	lxw_col_t c = 0;
	for (; c < 6 && e == LXW_NO_ERROR; c++) {
		e = worksheet_write_string(ws, 0, c, heads[c], x->head);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, c, c, c < 2 ? 20 : 10, NULL);
	}
	for (int g = 0; g < x->ngrades && e == LXW_NO_ERROR; g++, c++) {
		e = worksheet_write_string(ws, 0, c, x->grades[g], x->head);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, c, c, col_width(text_width(x->grades[g]) + 2), NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	unit_sum all = {0};
	all.code = "";
	all.name = "全部";
	all.grades = calloc((size_t)x->ngrades + 1, sizeof(*all.grades));
	if (all.grades == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (int i = 0; i < x->nunits; i++) {
		all.people += x->units[i].people;
		all.applies += x->units[i].applies;
		all.met += x->units[i].met;
		all.ntotal += x->units[i].ntotal;
		all.sum_total += x->units[i].sum_total;
		for (int g = 0; g < x->ngrades; g++)
			all.grades[g] += x->units[i].grades[g];
	}
	for (int i = 0; i <= x->nunits && e == LXW_NO_ERROR; i++) {
		const unit_sum *u = i < x->nunits ? &x->units[i] : &all;
		lxw_row_t r = (lxw_row_t)i + 1;
		lxw_format *bold = i < x->nunits ? NULL : x->head;
		e = worksheet_write_string(ws, r, 0, u->code, bold);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, r, 1, u->name, bold);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_number(ws, r, 2, (double)u->people, x->intf);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_number(ws, r, 3, (double)u->met, x->intf);
		if (e == LXW_NO_ERROR)
			e = u->applies ? worksheet_write_number(ws, r, 4, (double)u->met / (double)u->applies, x->pct)
				       : worksheet_write_string(ws, r, 4, "—", NULL);
		if (e == LXW_NO_ERROR)
			e = u->ntotal ? worksheet_write_number(ws, r, 5, xf_round2(u->sum_total / (double)u->ntotal), x->num2)
				      : worksheet_write_string(ws, r, 5, "—", NULL);
		for (int g = 0; g < x->ngrades && e == LXW_NO_ERROR; g++)
			e = worksheet_write_number(ws, r, (lxw_col_t)(6 + g), (double)u->grades[g], x->intf);
	}
	free(all.grades);
	return e;
}

/* ---- CSV ---- */

/* Writes one CSV field: quoted when it holds a comma, quote or line break;
 * text that Excel would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe. */
static void csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (s == NULL)
		return;
	const char *lead = strchr("=+-@", *s) != NULL && *s != '\0' ? "'" : "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fprintf(f, "%s%s", lead, s);
		return;
	}
	fputc('"', f);
	fputs(lead, f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A number rounded to 2 decimals, without trailing zeros: 56, 58.33, 2.5. */
static void csv_num(FILE *f, bool has, double v)
{
	fputc(',', f);
	if (!has)
		return;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.2f", xf_round2(v));
	char *dot = strchr(buf, '.');
	if (dot != NULL) {
		char *end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	fputs(buf, f);
}

static void csv_header(exporter *x)
{
	fputs("\xEF\xBB\xBF", x->csv);
	for (int i = 0; i < NBEFORE; i++)
		csv_field(x->csv, head_before[i], i == 0);
	csv_field(x->csv, "单位编码", false);
	for (int i = 0; i < x->ncats; i++)
		csv_field(x->csv, x->cats[i].name, false);
	for (int i = 0; i < NAFTER; i++)
		csv_field(x->csv, head_after[i], false);
	fputs("\r\n", x->csv);
}

static void csv_row(exporter *x, const row *rw)
{
	FILE *f = x->csv;
	csv_field(f, rw->name, true);
	csv_field(f, rw->staff_no, false);
	csv_field(f, rw->unit_name, false);
	csv_field(f, rw->unit_code, false);
	for (int i = 0; i < x->ncats; i++) {
		double v = 0;
		bool has = row_cat(rw, x->cats[i].key, &v);
		csv_num(f, has, v);
	}
	csv_num(f, rw->has_total, rw->total);
	csv_num(f, rw->has_final, rw->final);
	csv_num(f, rw->has_required, rw->required);
	csv_field(f, met_text(rw->met), false);
	csv_field(f, rw->grade, false);
	csv_field(f, rw->exempt, false);
	csv_field(f, rw->award ? "是" : "否", false);
	fputs("\r\n", f);
}

/* ---- the export --------------------------------------------------------- */

/* Streams the result rows into the open workbook or CSV file. */
static int stream_rows(exporter *x, xf_store *s, int year, const char *unit)
{
	xf_stmt *st = xf_stmt_prepare(s, results_sql, x->errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	long long n = 0;
	xf_step r = XF_STEP_ERROR;
	if ((xf_stmt_bind_int(st, 1, year) | xf_stmt_bind_text(st, 2, unit)) != 0) {
		xf_errs_add(x->errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	while ((r = xf_stmt_step(st, x->errs)) == XF_STEP_ROW) {
		row rw;
		if (row_decode(x, st, &rw) != 0)
			goto out;
		int bad = sum_add(x, &rw);
		if (bad == 0 && x->wb != NULL) {
			lxw_error e = xlsx_row(x, &rw);
			if (e != LXW_NO_ERROR) {
				xf_errs_add(x->errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)",
					    x->path, lxw_strerror(e));
				bad = -1;
			}
		} else if (bad == 0) {
			csv_row(x, &rw);
		}
		cJSON_Delete(rw.json);
		if (bad != 0)
			goto out;
		n++;
	}
	if (r != XF_STEP_DONE)
		goto out;
	if (n == 0 && unit != NULL) {
		xf_errs_add(x->errs, "单位 %s 没有 %d 年度的评估结果 (no results for the unit)", unit, year);
		goto out;
	}
	rc = 0;
out:
	xf_stmt_finalize(st);
	return rc;
}

static void exporter_cleanup(exporter *x)
{
	for (int i = 0; i < x->npols; i++) {
		free(x->pols[i].ref);
		xf_policy_free(x->pols[i].p);
	}
	free(x->pols);
	free(x->grades);
	free(x->cats);
	for (int i = 0; i < x->nunits; i++) {
		free(x->units[i].code);
		free(x->units[i].name);
		free(x->units[i].grades);
	}
	free(x->units);
	for (int i = 0; i < x->nsheets; i++)
		free(x->sheet_names[i]);
	free(x->sheet_names);
}

static int results_xlsx(exporter *x, xf_store *s, int year, const char *unit, const char *tmp)
{
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
	x->wb = workbook_new_opt(tmp, &opt);
	if (x->wb == NULL) {
		xf_errs_add(x->errs, "%s: 无法创建 XLSX (cannot create the workbook)", x->path);
		return -1;
	}
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xDDEBF7);
	x->num2 = workbook_add_format(x->wb);
	format_set_num_format(x->num2, "0.00");
	x->pct = workbook_add_format(x->wb);
	format_set_num_format(x->pct, "0.0%");
	x->intf = workbook_add_format(x->wb);
	format_set_num_format(x->intf, "0");
	/* The summary comes first in the workbook but is filled in last. */
	char name[SHEET_NAME_MAX * 4 + 1];
	lxw_worksheet *sum = NULL;
	int rc = -1;
	if (sheet_name(x, SUMMARY_SHEET, name, sizeof(name)) != 0 ||
	    (sum = workbook_add_worksheet(x->wb, name)) == NULL) {
		xf_errs_add(x->errs, "内存不足 (out of memory)");
	} else if (stream_rows(x, s, year, unit) == 0) {
		lxw_error e = xlsx_summary(x, sum);
		if (e == LXW_NO_ERROR)
			rc = 0;
		else
			xf_errs_add(x->errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)",
				    x->path, lxw_strerror(e));
	}
	if (book_close(x->wb, x->path, x->errs) != 0)
		rc = -1;
	x->wb = NULL;
	return rc;
}

static int results_csv(exporter *x, xf_store *s, int year, const char *unit, int fd)
{
	x->csv = fdopen(fd, "wb");
	if (x->csv == NULL) {
		close(fd);
		xf_errs_add(x->errs, "%s: 无法写入文件 (cannot write the file)", x->path);
		return -1;
	}
	csv_header(x);
	int rc = stream_rows(x, s, year, unit);
	if (ferror(x->csv) && rc == 0) {
		xf_errs_add(x->errs, "%s: 无法写入文件 (cannot write the file)", x->path);
		rc = -1;
	}
	if (fclose(x->csv) != 0 && rc == 0) {
		xf_errs_add(x->errs, "%s: 无法写入文件 (cannot write the file)", x->path);
		rc = -1;
	}
	x->csv = NULL;
	return rc;
}

int xf_export_results(xf_store *s, int year, const char *unit, const char *format,
		      const char *path, xf_errs *errs)
{
	bool xlsx = format != NULL && strcmp(format, "xlsx") == 0;
	if (!xlsx && (format == NULL || strcmp(format, "csv") != 0)) {
		xf_errs_add(errs, "未知的导出格式 \"%s\"，可选：xlsx, csv (unknown format)",
			    format ? format : "");
		return -1;
	}
	exporter x = {0};
	x.errs = errs;
	x.path = path;
	int rc = -1;
	if (load_policies(&x, s, year) != 0)
		goto out;
	int fd;
	char *tmp = tmp_create(path, &fd, errs);
	if (tmp == NULL)
		goto out;
	if (xlsx) {
		close(fd);
		rc = results_xlsx(&x, s, year, unit, tmp);
	} else {
		rc = results_csv(&x, s, year, unit, fd);
	}
	rc = tmp_finish(tmp, path, rc == 0, errs);
out:
	exporter_cleanup(&x);
	return rc;
}

/* ---- a page of results as JSON ------------------------------------------ */

/* The rows of the latest runs that pass the filters: $1 year, $2 unit
 * code, $3 LIKE pattern, $4 met (NULL: any), $5 grade key. */
#define PAGE_FROM                                                                        \
	" FROM run_results x JOIN runs rn ON rn.id = x.run_id"                             \
	" JOIN people p ON p.id = x.person_id LEFT JOIN units u ON u.id = p.unit_id"       \
	" WHERE x.run_id IN (" LATEST_RUNS ")"                                              \
	" AND (CAST($2 AS TEXT) IS NULL OR u.code = CAST($2 AS TEXT))"                     \
	" AND (CAST($3 AS TEXT) IS NULL OR lower(p.name) LIKE lower(CAST($3 AS TEXT)) ESCAPE '\\'" \
	" OR lower(p.staff_no) LIKE lower(CAST($3 AS TEXT)) ESCAPE '\\')"                \
	" AND (CAST($4 AS INTEGER) IS NULL OR x.met = CAST($4 AS INTEGER))"                \
	" AND (CAST($5 AS TEXT) IS NULL OR x.grade = CAST($5 AS TEXT))"

static int page_bind(xf_stmt *st, const xf_results_query *q, const char *pattern)
{
	return xf_stmt_bind_int(st, 1, q->year) |
	       (q->unit ? xf_stmt_bind_text(st, 2, q->unit) : xf_stmt_bind_null(st, 2)) |
	       (pattern ? xf_stmt_bind_text(st, 3, pattern) : xf_stmt_bind_null(st, 3)) |
	       (q->met >= 0 ? xf_stmt_bind_int(st, 4, q->met) : xf_stmt_bind_null(st, 4)) |
	       (q->grade ? xf_stmt_bind_text(st, 5, q->grade) : xf_stmt_bind_null(st, 5));
}

static void page_num(xf_jw *w, const char *key, bool has, double v)
{
	if (has)
		xf_jw_kcredits(w, key, v);
	else
		xf_jw_knull(w, key);
}

static void page_item(xf_jw *w, const row *rw, long long person_id)
{
	const xf_policy *p = rw->pol->p;
	xf_jw_obj(w);
	xf_jw_key(w, "person");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", person_id);
	xf_jw_kstr(w, "name", rw->name);
	xf_jw_kstr(w, "staff_no", rw->staff_no);
	xf_jw_obj_end(w);
	xf_jw_key(w, "unit");
	xf_jw_obj(w);
	xf_jw_kstr(w, "code", rw->unit_code);
	xf_jw_kstr(w, "name", rw->unit_name);
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "policy", rw->pol->ref);
	xf_jw_key(w, "categories");
	xf_jw_obj(w);
	for (int c = 0; c < p->ncategories; c++) {
		double v;
		if (row_cat(rw, p->categories[c].key, &v))
			xf_jw_kcredits(w, p->categories[c].key, v);
	}
	xf_jw_obj_end(w);
	page_num(w, "total", rw->has_total, rw->total);
	page_num(w, "final", rw->has_final, rw->final);
	page_num(w, "required", rw->has_required, rw->required);
	if (rw->met < 0)
		xf_jw_knull(w, "met");
	else
		xf_jw_kbool(w, "met", rw->met != 0);
	xf_jw_kstr(w, "grade", rw->grade);
	xf_jw_kstr(w, "exempt", rw->exempt);
	xf_jw_kbool(w, "award_candidate", rw->award);
	xf_jw_obj_end(w);
}

/* The filter's choices: the units with results, and every grade of the
 * year's policies by key. */
static int page_choices(exporter *x, xf_store *s, int year, xf_jw *w)
{
	xf_jw_key(w, "categories");
	xf_jw_arr(w);
	for (int c = 0; c < x->ncats; c++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", x->cats[c].key);
		xf_jw_kstr(w, "name", x->cats[c].name);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_key(w, "grades");
	xf_jw_arr(w);
	for (int i = 0; i < x->npols; i++) {
		const xf_policy *p = x->pols[i].p;
		for (int g = 0; g < p->ngrades; g++) {
			bool seen = false;
			for (int j = 0; j < i && !seen; j++)
				seen = xf_policy_grade(x->pols[j].p, p->grades[g].key) >= 0;
			if (seen)
				continue;
			xf_jw_obj(w);
			xf_jw_kstr(w, "key", p->grades[g].key);
			xf_jw_kstr(w, "name", p->grades[g].name);
			xf_jw_obj_end(w);
		}
	}
	xf_jw_arr_end(w);
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT DISTINCT u.code, u.name FROM run_results x"
				      " JOIN people p ON p.id = x.person_id JOIN units u ON u.id = p.unit_id"
				      " WHERE x.run_id IN (" LATEST_RUNS ") ORDER BY u.code",
				      x->errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	if (xf_stmt_bind_int(st, 1, year) != 0) {
		xf_errs_add(x->errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	xf_jw_key(w, "units");
	xf_jw_arr(w);
	xf_step r;
	while ((r = xf_stmt_step(st, x->errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "code", xf_stmt_text(st, 0));
		xf_jw_kstr(w, "name", xf_stmt_text(st, 1));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	rc = r == XF_STEP_DONE ? 0 : -1;
out:
	xf_stmt_finalize(st);
	return rc;
}

int xf_results_page_json(xf_store *s, const xf_results_query *q, FILE *f, xf_errs *errs)
{
	exporter x = {0};
	x.errs = errs;
	x.path = "";
	int rc = -1;
	xf_stmt *count = NULL, *st = NULL;
	char *pattern = q->q && *q->q ? xf_like_contains(q->q) : NULL;
	if (q->q && *q->q && pattern == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	long long runs = 0;
	if (xf_query_row(s, "SELECT COUNT(*) FROM runs WHERE year = $1 AND source = 'assess'", errs,
			 XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)"), XF_IN((long long)q->year),
			 XF_OUT(&runs)) != 0)
		goto out;
	if (runs == 0) {
		xf_errs_add(errs, "%d 年度尚未进行年度考核，请先运行考核（xuefen assess --year %d，或网页的年度考核） "
			    "(%d has not been assessed yet)", q->year, q->year, q->year);
		rc = 1;
		goto out;
	}
	if (load_policies(&x, s, q->year) != 0)
		goto out;
	long long total = 0;
	count = xf_stmt_prepare(s, "SELECT COUNT(*)" PAGE_FROM, errs);
	if (count == NULL)
		goto out;
	if (page_bind(count, q, pattern) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	if (xf_stmt_step(count, errs) != XF_STEP_ROW)
		goto out;
	total = xf_stmt_int(count, 0);
	/* The export's order (codes compare as bytes on both backends:
	 * PostgreSQL's code columns are COLLATE "C", schema 4), people without
	 * a unit last: a page is the same page on both. */
	st = xf_stmt_prepare(s,
			     "SELECT u.code, u.name, p.name, p.staff_no, rn.policy, x.total, x.final,"
			     " x.required, x.met, x.grade, x.exempt_reason, x.award_candidate, x.result,"
			     " p.id" PAGE_FROM " ORDER BY CASE WHEN u.code IS NULL THEN 1 ELSE 0 END,"
			     " u.code, rn.policy, p.id LIMIT $6 OFFSET $7",
			     errs);
	if (st == NULL)
		goto out;
	if ((page_bind(st, q, pattern) | xf_stmt_bind_int(st, 6, q->per_page) |
	     xf_stmt_bind_int(st, 7, (q->page - 1) * q->per_page)) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "year", q->year);
	xf_jw_kint(&w, "page", q->page);
	xf_jw_kint(&w, "per_page", q->per_page);
	xf_jw_kint(&w, "total", total);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		row rw;
		if (row_decode(&x, st, &rw) != 0)
			goto out;
		page_item(&w, &rw, xf_stmt_int(st, R_RESULT + 1));
		cJSON_Delete(rw.json);
	}
	if (r != XF_STEP_DONE)
		goto out;
	xf_jw_arr_end(&w);
	if (page_choices(&x, s, q->year, &w) != 0)
		goto out;
	xf_jw_obj_end(&w);
	rc = 0;
out:
	if (rc < 0)
		errs->internal = true; /* the database, memory, or a run added meanwhile */
	xf_stmt_finalize(count);
	xf_stmt_finalize(st);
	free(pattern);
	exporter_cleanup(&x);
	return rc;
}
