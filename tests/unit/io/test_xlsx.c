/* Unit tests for src/io/xlsx_read.c: workbooks written by libxlsxwriter
 * read back cell for cell, and hand-made archives (built in memory with
 * libzip) for the parts of the format libxlsxwriter never writes and for
 * the hostile inputs the reader must refuse. Rows are flattened to text,
 * "ROW:cell|cell\n", so that each case is one expected string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "io/xlsx.h"

/* ---- helpers ---- */

typedef struct flat {
	char *buf;
	size_t len;
	FILE *f;
	int stop_at; /* return 7 at this row, 0: never */
} flat;

static int flat_row(void *ctx, uint32_t row, const char *const *cells,
		    size_t ncells)
{
	flat *fl = ctx;
	fprintf(fl->f, "%u:", row);
	for (size_t i = 0; i < ncells; i++)
		fprintf(fl->f, "%s%s", i ? "|" : "", cells[i]);
	fputc('\n', fl->f);
	return (fl->stop_at != 0 && (int)row == fl->stop_at) ? 7 : 0;
}

/* Reads sheet `sheet` of data and returns the flattened rows (malloc'd);
 * *rc gets the reader's value, errs its messages. */
static char *read_rows(const char *data, size_t len, int sheet,
		       const xf_xlsx_limits *lim, int stop_at, int *rc,
		       xf_errs *errs)
{
	flat fl = { 0 };
	fl.stop_at = stop_at;
	fl.f = open_memstream(&fl.buf, &fl.len);
	assert_non_null(fl.f);
	*rc = xf_xlsx_read_limits(data, len, "t.xlsx", sheet, flat_row, &fl,
				  errs, lim);
	fclose(fl.f);
	return fl.buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Asserts that errs holds exactly one message containing want. */
static void assert_one_error(const xf_errs *errs, const char *want)
{
	assert_int_equal(xf_errs_count(errs), 1);
	if (strstr(errs->msgs[0], want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", errs->msgs[0], want);
}

typedef struct part {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
} part;

/* Builds a zip archive of parts in memory; returns it malloc'd. */
static char *make_zip(const part *parts, size_t n, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_keep(src);
	for (size_t i = 0; i < n; i++) {
		size_t l = parts[i].len ? parts[i].len : strlen(parts[i].text);
		zip_source_t *s = zip_source_buffer(za, parts[i].text, l, 0);
		assert_non_null(s);
		assert_true(zip_file_add(za, parts[i].name, s, 0) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	zip_stat_t st;
	assert_int_equal(zip_source_stat(src, &st), 0);
	assert_int_equal(zip_source_open(src), 0);
	char *buf = malloc(st.size ? st.size : 1);
	assert_non_null(buf);
	assert_int_equal(zip_source_read(src, buf, st.size),
			 (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = st.size;
	return buf;
}

static const char WB[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
	"2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships\"><sheets>"
	"<sheet name=\"名单\" sheetId=\"1\" r:id=\"rId2\"/>"
	"<sheet name=\"Two\" sheetId=\"2\" r:id=\"rId1\"/>"
	"</sheets></workbook>";

static const char WB1904[] =
	"<workbook xmlns:r=\"r\"><workbookPr date1904=\"1\"/><sheets>"
	"<sheet name=\"S\" sheetId=\"1\" r:id=\"rId2\"/></sheets></workbook>";

/* Sheet order in the workbook is the reverse of the file names, so a
 * reader that guesses "sheet1.xml" reads the wrong sheet. */
static const char RELS[] =
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
	"2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/worksheet\" "
	"Target=\"/xl/worksheets/sheet2.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/sharedStrings\" "
	"Target=\"sharedStrings.xml\"/>"
	"<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
	"</Relationships>";

#define SHEET(body) \
	"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas." \
	"openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" body \
	"</sheetData></worksheet>"

static const char OTHER[] = SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>"
				  "other</t></is></c></row>");

/* Builds a workbook whose first sheet (xl/worksheets/sheet2.xml) is
 * sheet, with optional shared strings and styles. */
static char *make_book(const char *wb, const char *sheet, const char *sst,
		       const char *styles, size_t *len)
{
	part p[6];
	size_t n = 0;
	p[n++] = (part){ "xl/workbook.xml", wb, 0 };
	p[n++] = (part){ "xl/_rels/workbook.xml.rels", RELS, 0 };
	p[n++] = (part){ "xl/worksheets/sheet1.xml", OTHER, 0 };
	if (sheet != NULL)
		p[n++] = (part){ "xl/worksheets/sheet2.xml", sheet, 0 };
	if (sst != NULL)
		p[n++] = (part){ "xl/sharedStrings.xml", sst, 0 };
	if (styles != NULL)
		p[n++] = (part){ "xl/styles.xml", styles, 0 };
	return make_zip(p, n, len);
}

/* ---- libxlsxwriter round trips ---- */

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xf_xlsx_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_written_by_libxlsxwriter(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/a.xlsx", tmpdir);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
	lxw_worksheet *ws2 = workbook_add_worksheet(wb, "第二页");
	lxw_format *dfmt = workbook_add_format(wb);
	format_set_num_format(dfmt, "yyyy-mm-dd");
	lxw_format *dtfmt = workbook_add_format(wb);
	format_set_num_format(dtfmt, "yyyy/m/d h:mm:ss");
	lxw_format *idx14 = workbook_add_format(wb);
	format_set_num_format_index(idx14, 14);
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00 \"元\"");
	lxw_datetime d1 = { 2024, 3, 5, 0, 0, 0 };
	lxw_datetime d2 = { 2024, 3, 5, 12, 30, 15 };
	lxw_datetime d3 = { 1900, 2, 28, 0, 0, 0 };

	worksheet_write_string(ws, 0, 0, "姓名", NULL);
	worksheet_write_string(ws, 0, 1, "分数", NULL);
	worksheet_write_string(ws, 0, 2, "日期", NULL);
	worksheet_write_string(ws, 0, 3, "通过", NULL);
	worksheet_write_string(ws, 1, 0, "张三", NULL);
	worksheet_write_number(ws, 1, 1, 45, NULL);
	worksheet_write_datetime(ws, 1, 2, &d1, dfmt);
	worksheet_write_boolean(ws, 1, 3, 1, NULL);
	worksheet_write_string(ws, 2, 0, "李四", NULL);
	worksheet_write_number(ws, 2, 1, 0.1, money);
	worksheet_write_datetime(ws, 2, 2, &d2, dtfmt);
	worksheet_write_boolean(ws, 2, 3, 0, NULL);
	/* row 4 empty but styled, row 5 only in column C */
	worksheet_write_blank(ws, 3, 1, dfmt);
	worksheet_write_string(ws, 4, 2, "只有C", NULL);
	worksheet_write_formula_num(ws, 5, 0, "=1+2", NULL, 3);
	worksheet_write_formula_str(ws, 5, 1, "=\"a\"&\"b\"", NULL, "ab");
	worksheet_write_datetime(ws, 5, 2, &d3, idx14);
	worksheet_write_number(ws, 5, 3, 1234567.25, NULL);
	worksheet_write_string(ws2, 0, 0, "第二页的内容", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

	size_t len;
	char *data = slurp(path, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc;
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	assert_int_equal(xf_errs_count(&errs), 0);
	assert_string_equal(got,
			    "1:姓名|分数|日期|通过\n"
			    "2:张三|45|2024-03-05|TRUE\n"
			    "3:李四|0.1|2024-03-05 12:30:15|FALSE\n"
			    "5:||只有C\n"
			    "6:3|ab|1900-02-28|1234567.25\n");
	free(got);
	got = read_rows(data, len, 1, NULL, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "1:第二页的内容\n");
	free(got);
	got = read_rows(data, len, 2, NULL, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	assert_one_error(&errs, "t.xlsx: 没有第 3 个工作表，共 2 个");
	free(got);
	xf_errs_cleanup(&errs);

	xf_errs_init(&errs);
	assert_int_equal(xf_xlsx_sheet_count(data, len, "t.xlsx", &errs), 2);
	assert_int_equal(xf_errs_count(&errs), 0);
	xf_errs_cleanup(&errs);
	free(data);
}

/* constant_memory mode writes inline strings instead of shared ones. */
static void test_constant_memory(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/b.xlsx", tmpdir);
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE,
				     .tmpdir = tmpdir };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
	for (int r = 0; r < 300; r++) {
		char s[32];
		snprintf(s, sizeof(s), "学员%d", r);
		worksheet_write_string(ws, (lxw_row_t)r, 0, s, NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 2, r * 0.5, NULL);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	size_t len;
	char *data = slurp(path, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc;
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(got, "1:学员0||0\n2:学员1||0.5\n"));
	assert_non_null(strstr(got, "300:学员299||149.5\n"));
	free(got);
	/* the callback's value stops the read */
	got = read_rows(data, len, 0, NULL, 2, &rc, &errs);
	assert_int_equal(rc, 7);
	assert_string_equal(got, "1:学员0||0\n2:学员1||0.5\n");
	assert_int_equal(xf_errs_count(&errs), 0);
	free(got);
	xf_errs_cleanup(&errs);
	free(data);
}

/* ---- hand-made archives: cells libxlsxwriter never writes ---- */

typedef struct book_case {
	const char *what;
	const char *wb;
	const char *sheet;
	const char *sst;
	const char *styles;
	const char *want; /* rows, or NULL when the read must fail */
	const char *err;  /* a piece of the one message when it fails */
} book_case;

static const char STYLES[] =
	"<styleSheet><numFmts count=\"3\">"
	"<numFmt numFmtId=\"164\" formatCode=\"yyyy/mm/dd hh:mm\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"0.00 &quot;days&quot;\"/>"
	"<numFmt numFmtId=\"166\" formatCode=\"[Red]#,##0;\\-0\"/>"
	"</numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"7\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
	"<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"20\"/>"
	"<xf numFmtId=\"166\"/><xf numFmtId=\"31\"/></cellXfs></styleSheet>";

static const char SST[] =
	"<sst count=\"4\" uniqueCount=\"4\"><si><t>甲</t></si>"
	"<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space=\"preserve\">"
	" 文本</t></r></si>"
	"<si><t>中文</t><rPh sb=\"0\" eb=\"1\"><t>ちゅうぶん</t></rPh></si>"
	"<si><t>a_x000D_b_x005F_x0041_</t></si></sst>";

static const book_case book_cases[] = {
	{ "inline strings, missing refs, rows without r", WB,
	  SHEET("<row><c t=\"inlineStr\"><is><t>一</t></is></c>"
		"<c t=\"inlineStr\"><is><r><t>二</t></r><r><t>三</t></r>"
		"</is></c></row>"
		"<row><c/><c t=\"inlineStr\"><is><t>x</t></is></c></row>"
		"<row r=\"7\"><c r=\"D7\" t=\"str\"><f>A1</f><v>公式</v></c>"
		"<c><v>5</v></c></row>"),
	  NULL, NULL, "1:一|二三\n2:|x\n7:|||公式|5\n", NULL },
	{ "shared strings: runs, phonetics, escapes", WB,
	  SHEET("<row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c>"
		"<c r=\"C2\" t=\"s\"><v>2</v></c><c r=\"D2\" t=\"s\"><v>3</v>"
		"</c><c r=\"E2\" t=\"s\"><v>0</v></c></row>"),
	  SST, NULL, "2:|富 文本|中文|a\rb_x0041_|甲\n", NULL },
	{ "numbers and other types", WB,
	  SHEET("<row r=\"1\"><c><v>45.000</v></c><c><v>0.1</v></c>"
		"<c><v>1E-5</v></c><c><v>123456789012</v></c>"
		"<c><v>-0</v></c><c><v>2.5e20</v></c><c><v>0.30000000000000004"
		"</v></c><c t=\"b\"><v>1</v></c><c t=\"e\"><v>#DIV/0!</v></c>"
		"<c t=\"d\"><v>2024-03-05T00:00:00Z</v></c>"
		"<c t=\"d\"><v>2024-03-05T08:09:10</v></c>"
		"<c t=\"n\"><v>abc</v></c><c><v>007</v></c><c><v>-12</v></c>"
		"<c><v>1234567890123456789</v></c><c><v>0x10</v></c></row>"),
	  NULL, NULL,
	  "1:45|0.1|1e-05|123456789012|0|2.5e+20|0.30000000000000004|TRUE|"
	  "#DIV/0!|2024-03-05|2024-03-05 08:09:10|abc|7|-12|"
	  "1.2345678901234568e+18|0x10\n", NULL },
	{ "dates in the 1900 system", WB,
	  SHEET("<row r=\"1\"><c s=\"1\"><v>1</v></c><c s=\"1\"><v>59</v></c>"
		"<c s=\"1\"><v>60</v></c><c s=\"1\"><v>61</v></c>"
		"<c s=\"2\"><v>45000.5</v></c><c s=\"3\"><v>5</v></c>"
		"<c s=\"4\"><v>0.75</v></c><c s=\"5\"><v>3</v></c>"
		"<c s=\"6\"><v>45658</v></c><c s=\"1\"><v>-1</v></c>"
		"<c s=\"1\"><v>2958465.5</v></c>"
		"<c s=\"1\"><v>2958465.99999999</v></c>"
		"<c s=\"99\"><v>7</v></c><c s=\"2\"><v>45000.99999999</v>"
		"</c></row>"),
	  NULL, STYLES,
	  "1:1900-01-01|1900-02-28|1900-02-29|1900-03-01|"
	  "2023-03-15 12:00:00|5|18:00:00|3|2025-01-01|-1|"
	  "9999-12-31 12:00:00|2958465.99999999|7|"
	  "2023-03-16\n", NULL },
	{ "dates in the 1904 system", WB1904,
	  SHEET("<row r=\"1\"><c s=\"1\"><v>0</v></c><c s=\"1\"><v>1462</v>"
		"</c></row>"),
	  NULL, STYLES, "1:1904-01-01|1908-01-02\n", NULL },
	{ "empty and blank rows are skipped", WB,
	  SHEET("<row r=\"1\"/><row r=\"2\"><c r=\"A2\" s=\"1\"/>"
		"<c r=\"B2\" t=\"inlineStr\"><is><t></t></is></c></row>"
		"<row r=\"3\"><c r=\"B3\"><v>1</v></c><c r=\"C3\" s=\"1\"/>"
		"</row>"),
	  NULL, STYLES, "3:|1\n", NULL },
	{ "missing sheet part", WB, NULL, NULL, NULL, NULL,
	  "sheet2.xml）：文件中缺少这一部分" },
	{ "shared string index out of range", WB,
	  SHEET("<row r=\"4\"><c r=\"B4\" t=\"s\"><v>4</v></c></row>"),
	  SST, NULL, NULL,
	  "t.xlsx: 工作表 名单 第 4 行 B 列：共享字符串编号 4 无效" },
	{ "shared string without a sharedStrings part", WB,
	  SHEET("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>"),
	  NULL, NULL, NULL, "共享字符串编号 0 无效" },
	{ "DOCTYPE refused", WB,
	  "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"
	  "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&a;</t>"
	  "</is></c></row></sheetData></worksheet>",
	  NULL, NULL, NULL, "DOCTYPE" },
	{ "billion laughs in the shared strings", WB,
	  SHEET("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>"),
	  "<!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\">"
	  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	  "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
	  "<sst><si><t>&c;&c;&c;</t></si></sst>",
	  NULL, NULL, "xl/sharedStrings.xml：含有 DOCTYPE 声明" },
	{ "undeclared entity", WB,
	  SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>&x;</t></is></c>"
		"</row>"),
	  NULL, NULL, NULL, "XML 第 1 行格式错误" },
	{ "malformed sheet XML", WB, SHEET("<row r=\"1\"><c></row>"),
	  NULL, NULL, NULL,
	  "t.xlsx: 工作表 名单 第 1 行 A 列：XML 第 1 行格式错误" },
	{ "too many columns", WB,
	  SHEET("<row r=\"3\"><c r=\"IW3\"><v>1</v></c></row>"),
	  NULL, NULL, NULL, "第 3 行 IW 列：超过 256 列" },
	{ "cells out of order", WB,
	  SHEET("<row r=\"3\"><c r=\"B3\"><v>1</v></c><c r=\"A3\"><v>1</v>"
		"</c></row>"),
	  NULL, NULL, NULL, "第 3 行 A 列：单元格顺序错乱" },
	{ "rows out of order", WB,
	  SHEET("<row r=\"3\"><c><v>1</v></c></row><row r=\"2\"><c><v>1</v>"
		"</c></row>"),
	  NULL, NULL, NULL, "第 2 行：行顺序错乱" },
	{ "bad cell reference", WB,
	  SHEET("<row r=\"3\"><c r=\"3A\"><v>1</v></c></row>"),
	  NULL, NULL, NULL, "单元格引用 3A 无效" },
	{ "row number past the limit", WB,
	  SHEET("<row r=\"20000001\"><c><v>1</v></c></row>"),
	  NULL, NULL, NULL, "超过 20000000 行" },
};

static void test_hand_made(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(book_cases) / sizeof(book_cases[0]);
	     i++) {
		const book_case *c = &book_cases[i];
		size_t len;
		char *data = make_book(c->wb, c->sheet, c->sst, c->styles,
				       &len);
		xf_errs errs;
		xf_errs_init(&errs);
		int rc;
		char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
		if (c->want != NULL) {
			if (rc != 0 || strcmp(got, c->want) != 0)
				fail_msg("%s: rc %d, got\n%s\nwant\n%s%s", c->what,
					 rc, got, c->want,
					 errs.n ? errs.msgs[0] : "");
		} else {
			if (rc != -1)
				fail_msg("%s: rc %d, want -1", c->what, rc);
			assert_one_error(&errs, c->err);
		}
		free(got);
		free(data);
		xf_errs_cleanup(&errs);
	}
}

static void test_sheet_order_and_names(void **state)
{
	(void)state;
	size_t len;
	char *data = make_book(WB, SHEET(""), NULL, NULL, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc;
	char *got = read_rows(data, len, 1, NULL, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "1:other\n");
	free(got);
	got = read_rows(data, len, -1, NULL, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "没有第 0 个工作表，共 2 个");
	free(got);
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	assert_int_equal(xf_xlsx_sheet_count(data, len, NULL, &errs), 2);
	free(data);
	xf_errs_cleanup(&errs);
}

static void test_chartsheet(void **state)
{
	(void)state;
	static const char rels[] =
		"<Relationships><Relationship Id=\"rId2\" Type=\"http://x/"
		"relationships/chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
		"</Relationships>";
	part p[] = { { "xl/workbook.xml", WB, 0 },
		     { "xl/_rels/workbook.xml.rels", rels, 0 },
		     { "_rels/.rels",
		       "<Relationships><Relationship Id=\"rId1\" Type=\"x/"
		       "officeDocument\" Target=\"xl/workbook.xml\"/>"
		       "</Relationships>", 0 } };
	size_t len;
	char *data = make_zip(p, 3, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc;
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "工作表 名单 不是普通工作表");
	free(got);
	xf_errs_cleanup(&errs);
	free(data);
}

/* ---- hostile archives ---- */

static void test_not_a_zip(void **state)
{
	(void)state;
	static const struct { const char *data; size_t len; } cases[] = {
		{ "", 0 },
		{ "姓名,分数\n张三,45\n", 0 },
		{ "PK\x03\x04garbage", 0 },
		{ "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
		int rc;
		char *got = read_rows(cases[i].data, len, 0, NULL, 0, &rc,
				      &errs);
		assert_int_equal(rc, -1);
		assert_one_error(&errs, "t.xlsx: 不是有效的 XLSX 文件");
		free(got);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(xf_xlsx_sheet_count(cases[i].data, len, NULL,
						     &errs), -1);
		assert_one_error(&errs, "不是有效的 XLSX 文件");
		xf_errs_cleanup(&errs);
	}
	/* a zip without a workbook */
	part p[] = { { "hello.txt", "hi", 0 } };
	size_t len;
	char *data = make_zip(p, 1, &len);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc;
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "xl/workbook.xml：文件中缺少这一部分");
	free(got);
	free(data);
	xf_errs_cleanup(&errs);
}

/* Sets the uncompressed size of every entry named name, in the local and
 * the central headers, to size: a zip bomb's lie. */
static void patch_sizes(char *z, size_t len, const char *name, uint32_t size)
{
	size_t nl = strlen(name);
	int patched = 0;
	for (size_t i = 0; i + 46 + nl <= len; i++) {
		unsigned char *p = (unsigned char *)z + i;
		size_t at;
		if (memcmp(p, "PK\x03\x04", 4) == 0 &&
		    (size_t)(p[26] | p[27] << 8) == nl &&
		    memcmp(p + 30, name, nl) == 0)
			at = 22;
		else if (memcmp(p, "PK\x01\x02", 4) == 0 &&
			 (size_t)(p[28] | p[29] << 8) == nl &&
			 memcmp(p + 46, name, nl) == 0)
			at = 24;
		else
			continue;
		for (int k = 0; k < 4; k++)
			p[at + k] = (unsigned char)(size >> (8 * k));
		patched++;
	}
	assert_int_equal(patched, 2);
}

static void test_zip_bomb(void **state)
{
	(void)state;
	/* 3 MiB of spaces inside sheetData: valid XML, compresses to ~3 KB */
	size_t big = 3u << 20;
	const char *head = "<worksheet><sheetData><row><c><v>1</v></c></row>";
	const char *tail = "</sheetData></worksheet>";
	char *sheet = malloc(big + 200);
	assert_non_null(sheet);
	size_t n = (size_t)sprintf(sheet, "%s", head);
	memset(sheet + n, ' ', big);
	n += big;
	n += (size_t)sprintf(sheet + n, "%s", tail);
	part p[] = { { "xl/workbook.xml", WB, 0 },
		     { "xl/_rels/workbook.xml.rels", RELS, 0 },
		     { "xl/worksheets/sheet2.xml", sheet, n } };
	size_t len;
	char *data = make_zip(p, 3, &len);
	assert_true(len < 64 * 1024);
	xf_xlsx_limits lim = { .sheet_bytes = 1u << 20 };
	xf_errs errs;
	int rc;

	/* within the default caps it reads */
	xf_errs_init(&errs);
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "1:1\n");
	free(got);

	/* the declared size is over the cap */
	got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	char want[128];
	snprintf(want, sizeof(want), "t.xlsx: 工作表 名单"
		 "（xl/worksheets/sheet2.xml）：解压后 %zu 字节，"
		 "超过上限 1048576 字节", n);
	assert_one_error(&errs, want);
	free(got);
	xf_errs_cleanup(&errs);

	/* the headers lie (libzip 1.7 reads past the declared size without
	 * complaint): the inflated bytes are counted */
	patch_sizes(data, len, "xl/worksheets/sheet2.xml", 1000);
	xf_errs_init(&errs);
	got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "sheet2.xml）：解压后比文件头声明的 1000 "
			 "字节大");
	free(got);
	xf_errs_cleanup(&errs);
	/* a lie under a larger cap: stopped at the declared size */
	patch_sizes(data, len, "xl/worksheets/sheet2.xml", 2u << 20);
	lim.sheet_bytes = 3u << 20;
	xf_errs_init(&errs);
	got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "解压后比文件头声明的 2097152 字节大");
	free(got);
	xf_errs_cleanup(&errs);

	free(data);
	free(sheet);
}

static void test_string_limits(void **state)
{
	(void)state;
	/* 11 shared strings against a cap of 10, then 30 bytes against 20 */
	char sst[1024] = "<sst>";
	for (int i = 0; i < 11; i++)
		strcat(sst, "<si><t>abc</t></si>");
	strcat(sst, "</sst>");
	size_t len;
	char *data = make_book(WB, SHEET(""), sst, NULL, &len);
	xf_errs errs;
	int rc;
	xf_xlsx_limits lim = { .strings = 10 };
	xf_errs_init(&errs);
	char *got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "xl/sharedStrings.xml：共享字符串超过 10 个");
	free(got);
	xf_errs_cleanup(&errs);
	lim = (xf_xlsx_limits){ .string_bytes = 20 };
	xf_errs_init(&errs);
	got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "共享字符串超过 20 字节");
	free(got);
	xf_errs_cleanup(&errs);
	lim = (xf_xlsx_limits){ .strings = 11 };
	xf_errs_init(&errs);
	got = read_rows(data, len, 0, &lim, 0, &rc, &errs);
	assert_int_equal(rc, 0);
	free(got);
	xf_errs_cleanup(&errs);
	free(data);
}

static void test_depth_and_cell_size(void **state)
{
	(void)state;
	char *sheet = malloc(200000);
	assert_non_null(sheet);
	/* 100 nested elements inside a cell */
	strcpy(sheet, "<worksheet><sheetData><row><c>");
	for (int i = 0; i < 100; i++)
		strcat(sheet, "<x>");
	for (int i = 0; i < 100; i++)
		strcat(sheet, "</x>");
	strcat(sheet, "</c></row></sheetData></worksheet>");
	size_t len;
	char *data = make_book(WB, sheet, NULL, NULL, &len);
	xf_errs errs;
	int rc;
	xf_errs_init(&errs);
	char *got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
	assert_int_equal(rc, -1);
	assert_one_error(&errs, "XML 嵌套超过 64 层");
	free(got);
	free(data);
	xf_errs_cleanup(&errs);

	/* a cell of 65537 bytes, then one of exactly 65536 */
	for (int k = 0; k < 2; k++) {
		size_t n = (size_t)sprintf(sheet, "<worksheet><sheetData><row>"
					   "<c t=\"inlineStr\"><is><t>");
		size_t cell = k == 0 ? 65537 : 65536;
		memset(sheet + n, 'x', cell);
		strcpy(sheet + n + cell, "</t></is></c></row></sheetData>"
		       "</worksheet>");
		data = make_book(WB, sheet, NULL, NULL, &len);
		xf_errs_init(&errs);
		got = read_rows(data, len, 0, NULL, 0, &rc, &errs);
		if (k == 0) {
			assert_int_equal(rc, -1);
			assert_one_error(&errs, "第 1 行 A 列：单元格超过 "
					 "65536 字节");
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(strlen(got), 2 + 65536 + 1);
		}
		free(got);
		free(data);
		xf_errs_cleanup(&errs);
	}
	free(sheet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_by_libxlsxwriter),
		cmocka_unit_test(test_constant_memory),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_sheet_order_and_names),
		cmocka_unit_test(test_chartsheet),
		cmocka_unit_test(test_not_a_zip),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_depth_and_cell_size),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
