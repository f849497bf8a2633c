/* Tests for src/service/export_xlsx.c: every import template is a valid
 * XLSX whose headers the importer's column matching reads back; the year's
 * results are exported as XLSX (汇总 plus a sheet per unit, numbers as
 * numbers, sheet names made fit for Excel) and as CSV (BOM, CRLF, exact
 * header and values); unknown kinds and formats, a year not yet assessed
 * and an unknown unit are refused with a message and leave no file. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zip.h>
#include <cjson/cJSON.h>

#include "core/file.h"
#include "io/table.h"
#include "io/xlsx.h"
#include "service/assess.h"
#include "service/export_sheet.h"
#include "service/import.h"
#include "service/sheets.h"
#include "store/store.h"

static char dir[64];

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* How many files in the test directory have a name starting with prefix
 * (an export's temporaries are named after its output, so "r." counts
 * the output and anything left beside it). */
static int dir_entries(const char *prefix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void clear_dir(void)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path_in(p, sizeof(p), e->d_name);
		remove(p);
	}
	closedir(d);
}

/* The text of entry `name` in the zip at path (caller frees), or NULL. */
static char *zip_entry(const char *path, const char *name)
{
	int err = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &err);
	assert_non_null(z);
	zip_stat_t st;
	char *buf = NULL;
	if (zip_stat(z, name, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
		zip_file_t *f = zip_fopen(z, name, 0);
		assert_non_null(f);
		buf = malloc(st.size + 1);
		assert_non_null(buf);
		assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
		buf[st.size] = '\0';
		zip_fclose(f);
	}
	zip_close(z);
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *data = NULL;
	assert_int_equal(xf_file_read(path, XF_FILE_MAX, &data, len, &errs), 0);
	xf_errs_cleanup(&errs);
	return data;
}

static int has_msg(const xf_errs *e, const char *part)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->msgs[i], part) != NULL)
			return 1;
	return 0;
}

/* The XML of cell ref (e.g. "K2") in a worksheet's XML, into buf. */
static int cell_xml(const char *xml, const char *ref, char *buf, size_t n)
{
	char open[32];
	snprintf(open, sizeof(open), "<c r=\"%s\"", ref);
	const char *a = strstr(xml, open);
	if (a == NULL)
		return -1;
	const char *gt = strchr(a, '>');
	const char *b = gt != NULL && gt[-1] == '/' ? gt + 1 : strstr(a, "</c>");
	if (b == NULL)
		return -1;
	snprintf(buf, n, "%.*s", (int)(b - a), a);
	return 0;
}

/* ---- rows read back with the project's own XLSX reader ---- */

typedef struct rows {
	char cells[8][24][160];  /* [row-1][col] */
	size_t ncells[8];
} rows;

static int collect(void *ctx, uint32_t row, const char *const *cells, size_t ncells)
{
	rows *r = ctx;
	if (row < 1 || row > 8)
		return 0;
	r->ncells[row - 1] = ncells;
	for (size_t i = 0; i < ncells && i < 24; i++)
		snprintf(r->cells[row - 1][i], sizeof(r->cells[0][0]), "%s", cells[i]);
	return 0;
}

static void read_sheet(const char *path, int sheet, rows *r)
{
	size_t len;
	char *data = slurp(path, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	memset(r, 0, sizeof(*r));
	int rc = xf_xlsx_read(data, len, path, sheet, collect, r, &errs);
	xf_errs_print(&errs, "read: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	free(data);
}

typedef struct names {
	char name[8][160];
	int n;
} names;

static int collect_name(void *ctx, int index, const char *sheet)
{
	names *nm = ctx;
	if (nm->n < 8)
		snprintf(nm->name[nm->n++], sizeof(nm->name[0]), "%s", sheet);
	return 0;
}

static void sheet_names(const char *path, names *nm)
{
	size_t len;
	char *data = slurp(path, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	memset(nm, 0, sizeof(*nm));
	int n = xf_xlsx_sheets(data, len, path, collect_name, nm, &errs);
	assert_int_equal(n, nm->n);
	xf_errs_cleanup(&errs);
	free(data);
}

/* ---- templates ---- */

static void test_templates(void **state)
{
	for (size_t k = 0; k < xf_sheet_kind_count; k++) {
		const xf_sheet_kind *sk = &xf_sheet_kinds[k];
		char path[256];
		path_in(path, sizeof(path), "template.xlsx");
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_export_template(sk->kind, path, &errs);
		xf_errs_print(&errs, "template: ", stderr);
		assert_int_equal(rc, 0);
		assert_int_equal(xf_errs_count(&errs), 0);
		xf_errs_cleanup(&errs);
		assert_int_equal(dir_entries("template."), 1);

		char *book = zip_entry(path, "xl/workbook.xml");
		char *sheet = zip_entry(path, "xl/worksheets/sheet1.xml");
		char *sst = zip_entry(path, "xl/sharedStrings.xml");
		assert_non_null(book);
		assert_non_null(sheet);
		assert_non_null(sst);
		char want[160];
		snprintf(want, sizeof(want), "<sheet name=\"%s\"", sk->title);
		assert_non_null(strstr(book, want));
		assert_non_null(strstr(book, "<sheet name=\"填写说明\""));
		assert_non_null(strstr(sheet, "state=\"frozen\""));
		assert_non_null(strstr(sst, sk->help));
		for (size_t i = 0; i < sk->ncolumns; i++) {
			const xf_column *c = &sk->columns[i];
			snprintf(want, sizeof(want), ">%s%s<", c->title, c->required ? "*" : "");
			assert_non_null(strstr(sst, want));
			/* Numeric examples are numbers, not text. */
			if (c->example != NULL &&
			    (c->type == XF_COL_NUMBER || c->type == XF_COL_INTEGER)) {
				char ref[16], cell[256];
				xf_table_column_name(i, ref);
				strcat(ref, "2");
				assert_int_equal(cell_xml(sheet, ref, cell, sizeof(cell)), 0);
				assert_null(strstr(cell, "t=\"s\""));
				snprintf(want, sizeof(want), "<v>%s</v>", c->example);
				assert_non_null(strstr(cell, want));
			}
		}
		free(book);
		free(sheet);
		free(sst);

		/* The importer's header matching reads every title back to its
		 * column, and the example row to the examples. */
		rows *r = calloc(1, sizeof(*r));
		assert_non_null(r);
		read_sheet(path, 0, r);
		assert_int_equal(r->ncells[0], sk->ncolumns);
		for (size_t i = 0; i < sk->ncolumns; i++) {
			assert_int_equal(xf_sheet_column(sk, r->cells[0][i]), (int)i);
			const char *ex = sk->columns[i].example;
			if (i < r->ncells[1])
				assert_string_equal(r->cells[1][i], ex ? ex : "");
			else
				assert_null(ex);
		}
		/* 填写说明: a row per column with its key and type. */
		read_sheet(path, 1, r);
		assert_string_equal(r->cells[0][0], "列标题");
		assert_string_equal(r->cells[1][0], sk->columns[0].title);
		assert_string_equal(r->cells[1][1], sk->columns[0].key);
		assert_string_equal(r->cells[1][2], sk->columns[0].required ? "是" : "否");
		free(r);
		clear_dir();
	}
}

static void test_template_unknown_kind(void **state)
{
	char path[256];
	path_in(path, sizeof(path), "t.xlsx");
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_export_template("payroll", path, &errs), -1);
	assert_true(has_msg(&errs, "未知的模板类型 \"payroll\""));
	assert_true(has_msg(&errs, "online-hours"));
	xf_errs_cleanup(&errs);
	assert_int_equal(dir_entries("t."), 0);

	/* A directory that does not exist: refused, nothing left behind. */
	xf_errs_init(&errs);
	assert_int_equal(xf_export_template("roster", "/nonexistent-dir/t.xlsx", &errs), -1);
	assert_int_equal(xf_errs_count(&errs), 1);
	xf_errs_cleanup(&errs);
}

/* ---- results ---- */

static xf_store *case_store(void)
{
	char db[256], url[300];
	path_in(db, sizeof(db), "t.db");
	snprintf(url, sizeof(url), "sqlite:%s", db);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, "store: ", stderr);
	assert_non_null(s);
	size_t len;
	char *json = slurp("examples/bigdata-bureau.case.json", &len);
	xf_import_report rep;
	int rc = xf_import_case(s, json, len, "bigdata-bureau.case.json", "examples", "test", &rep,
				&errs);
	xf_errs_print(&errs, "import: ", stderr);
	assert_int_equal(rc, 0);
	free(json);
	xf_errs_cleanup(&errs);
	return s;
}

static void assess(xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_assess_report rep;
	int rc = xf_assess_year(s, 2025, NULL, "test", &rep, &errs);
	xf_errs_print(&errs, "assess: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
}

static const char csv_head[] =
	"\xEF\xBB\xBF姓名,工号,单位,单位编码,听,读,写,合计,最终得分,应修学分,是否达标,等级,免考原因,"
	"优秀学员候选\r\n";

static void test_results(void **state)
{
	xf_store *s = case_store();
	char out[256];
	xf_errs errs;

	/* Not assessed yet: a clear message and no file. */
	path_in(out, sizeof(out), "r.csv");
	xf_errs_init(&errs);
	assert_int_equal(xf_export_results(s, 2025, NULL, "csv", out, &errs), -1);
	assert_true(has_msg(&errs, "2025 年度尚未进行年度考核，请先运行考核（xuefen assess --year 2025"));
	xf_errs_cleanup(&errs);
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(dir_entries("r."), 0);

	assess(s);

	/* Unknown format. */
	path_in(out, sizeof(out), "r.pdf");
	xf_errs_init(&errs);
	assert_int_equal(xf_export_results(s, 2025, NULL, "pdf", out, &errs), -1);
	assert_true(has_msg(&errs, "未知的导出格式 \"pdf\""));
	xf_errs_cleanup(&errs);
	assert_int_equal(dir_entries("r."), 0);

	/* CSV: BOM, the exact header, CRLF, numbers as the engine gave them. */
	path_in(out, sizeof(out), "r.csv");
	xf_errs_init(&errs);
	int rc = xf_export_results(s, 2025, NULL, "csv", out, &errs);
	xf_errs_print(&errs, "csv: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	size_t len;
	char *csv = slurp(out, &len);
	assert_memory_equal(csv, csv_head, strlen(csv_head));
	assert_non_null(strstr(csv, "\r\n张伟,,general-office,general-office,14,2,40,56,56,60,否,,,否\r\n"));
	assert_non_null(strstr(csv, "\r\n王强,,general-office,general-office,4,0,30,34,34,58.33,否,,,否\r\n"));
	assert_non_null(strstr(csv, "\r\n李娜,,data-center,data-center,2,6,2,10,10,25,否,,,否\r\n"));
	int lines = 0;
	for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	assert_int_equal(lines, 4);
	free(csv);

	/* One unit only. */
	xf_errs_init(&errs);
	assert_int_equal(xf_export_results(s, 2025, "data-center", "csv", out, &errs), 0);
	xf_errs_cleanup(&errs);
	csv = slurp(out, &len);
	assert_null(strstr(csv, "张伟"));
	assert_non_null(strstr(csv, "李娜"));
	free(csv);
	xf_errs_init(&errs);
	assert_int_equal(xf_export_results(s, 2025, "no-such-unit", "csv", out, &errs), -1);
	assert_true(has_msg(&errs, "no-such-unit"));
	xf_errs_cleanup(&errs);
	assert_int_equal(dir_entries("r."), 1); /* the earlier r.csv, untouched */

	/* XLSX: 汇总 first, then a sheet per unit. */
	path_in(out, sizeof(out), "r.xlsx");
	xf_errs_init(&errs);
	rc = xf_export_results(s, 2025, NULL, "xlsx", out, &errs);
	xf_errs_print(&errs, "xlsx: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	assert_int_equal(dir_entries("r."), 2);
	names nm;
	sheet_names(out, &nm);
	assert_int_equal(nm.n, 3);
	assert_string_equal(nm.name[0], "汇总");
	assert_string_equal(nm.name[1], "data-center");
	assert_string_equal(nm.name[2], "general-office");
	char *book = zip_entry(out, "xl/workbook.xml");
	assert_non_null(strstr(book, "<sheet name=\"汇总\""));
	assert_non_null(strstr(book, "<sheet name=\"general-office\""));
	free(book);

	rows *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	read_sheet(out, 2, r);
	static const char *const head[] = {"姓名", "工号", "单位", "听", "读", "写", "合计",
					   "最终得分", "应修学分", "是否达标", "等级", "免考原因",
					   "优秀学员候选"};
	static const char *const zhang[] = {"张伟", "", "general-office", "14", "2", "40", "56",
					    "56", "60", "否", "", "", "否"};
	assert_int_equal(r->ncells[0], 13);
	for (int i = 0; i < 13; i++) {
		assert_string_equal(r->cells[0][i], head[i]);
		assert_string_equal(r->cells[1][i], zhang[i]);
	}
	/* Numbers are numbers (styled 0.00), text is text. */
	char *sheet = zip_entry(out, "xl/worksheets/sheet3.xml");
	char cell[256];
	assert_int_equal(cell_xml(sheet, "G2", cell, sizeof(cell)), 0);
	assert_null(strstr(cell, "t=\""));
	assert_non_null(strstr(cell, "<v>56</v>"));
	assert_non_null(strstr(sheet, "state=\"frozen\""));
	free(sheet);

	/* The summary: per unit 人数 and 达标人数, and the overall row. */
	read_sheet(out, 0, r);
	assert_string_equal(r->cells[0][2], "人数");
	assert_string_equal(r->cells[1][0], "data-center");
	assert_string_equal(r->cells[1][2], "1");
	assert_string_equal(r->cells[2][0], "general-office");
	assert_string_equal(r->cells[2][2], "2");
	assert_string_equal(r->cells[2][3], "0");
	assert_string_equal(r->cells[2][5], "45");
	assert_string_equal(r->cells[3][1], "全部");
	assert_string_equal(r->cells[3][2], "3");
	free(r);

	xf_store_close(s);
	clear_dir();
}

/* A page of the results as JSON (must succeed). */
static cJSON *page(xf_store *s, const char *unit, const char *q, int met, long long pg,
		   long long per)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_results_query rq = {.year = 2025, .unit = unit, .q = q, .met = met, .page = pg,
			       .per_page = per};
	int rc = xf_results_page_json(s, &rq, f, &errs);
	fclose(f);
	xf_errs_print(&errs, "page: ", stderr);
	assert_int_equal(rc, 0);
	xf_errs_cleanup(&errs);
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	free(buf);
	return j;
}

static const char *item_name(const cJSON *j, int i)
{
	const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), i);
	return it ? cJSON_GetObjectItem(cJSON_GetObjectItem(it, "person"), "name")->valuestring : NULL;
}

static long long jnum(const cJSON *j, const char *key)
{
	return (long long)cJSON_GetObjectItem(j, key)->valuedouble;
}

/* The same rows as the export, in its order, filtered and paged on the
 * server, with the filter's choices. */
static void test_results_page(void **state)
{
	xf_store *s = case_store();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	xf_results_query none = {.year = 2025, .met = -1, .page = 1, .per_page = 20};
	assert_int_equal(xf_results_page_json(s, &none, f, &errs), 1);
	assert_true(has_msg(&errs, "2025 年度尚未进行年度考核"));
	assert_false(errs.internal);
	fclose(f);
	free(buf);
	xf_errs_cleanup(&errs);
	assess(s);

	cJSON *j = page(s, NULL, NULL, -1, 1, 20);
	assert_int_equal(jnum(j, "total"), 3);
	assert_string_equal(item_name(j, 0), "李娜"); /* data-center, then general-office */
	assert_string_equal(item_name(j, 1), "张伟");
	assert_string_equal(item_name(j, 2), "王强");
	const cJSON *zhang = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), 1);
	assert_int_equal(jnum(cJSON_GetObjectItem(zhang, "categories"), "write"), 40);
	assert_int_equal(jnum(zhang, "final"), 56);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(zhang, "met")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "categories")), 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "units")), 2);
	cJSON_Delete(j);

	j = page(s, "data-center", NULL, -1, 1, 20);
	assert_int_equal(jnum(j, "total"), 1);
	assert_string_equal(item_name(j, 0), "李娜");
	cJSON_Delete(j);
	j = page(s, NULL, "王", -1, 1, 20);
	assert_int_equal(jnum(j, "total"), 1);
	assert_string_equal(item_name(j, 0), "王强");
	cJSON_Delete(j);
	j = page(s, NULL, "%", -1, 1, 20); /* a character, not a wildcard */
	assert_int_equal(jnum(j, "total"), 0);
	cJSON_Delete(j);
	j = page(s, NULL, NULL, 0, 1, 20);
	assert_int_equal(jnum(j, "total"), 3);
	cJSON_Delete(j);
	j = page(s, NULL, NULL, 1, 1, 20);
	assert_int_equal(jnum(j, "total"), 0);
	cJSON_Delete(j);
	j = page(s, NULL, NULL, -1, 2, 2);
	assert_int_equal(jnum(j, "total"), 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 1);
	assert_string_equal(item_name(j, 0), "王强");
	cJSON_Delete(j);
	xf_store_close(s);
	clear_dir();
}

/* Unit codes Excel would refuse as sheet names are made fit and unique. */
static void test_sheet_names(void **state)
{
	xf_store *s = case_store();
	assess(s);
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_store_exec_for_tests(s, "UPDATE units SET code = 'Office[1]' "
						    "WHERE code = 'general-office';"
						    "UPDATE units SET code = 'office:1?' "
						    "WHERE code = 'data-center';", &errs), 0);
	char out[256];
	path_in(out, sizeof(out), "n.xlsx");
	assert_int_equal(xf_export_results(s, 2025, NULL, "xlsx", out, &errs), 0);
	names nm;
	sheet_names(out, &nm);
	assert_int_equal(nm.n, 3);
	assert_string_equal(nm.name[0], "汇总");
	assert_string_equal(nm.name[1], "Office_1_");
	assert_string_equal(nm.name[2], "office_1_~2");

	/* Longer than 31 characters: cut to 31 (CJK counts one each). */
	assert_int_equal(xf_store_exec_for_tests(s, "UPDATE units SET code = "
						    "'区大数据发展局综合科区大数据发展局综合科区大数据发展局综合科区大数据' "
						    "WHERE code = 'Office[1]';", &errs), 0);
	assert_int_equal(xf_export_results(s, 2025, NULL, "xlsx", out, &errs), 0);
	sheet_names(out, &nm);
	assert_string_equal(nm.name[2], "区大数据发展局综合科区大数据发展局综合科区大数据发展局综合科区");
	xf_errs_print(&errs, "names: ", stderr);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	clear_dir();
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/xf_export_sheet_XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	clear_dir();
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_template_unknown_kind),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_results_page),
		cmocka_unit_test(test_sheet_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
