/* Unit tests for src/io/csv.c (the CSV reader) and src/io/table.c (column
 * letters).
 *
 * The main table gives input bytes and either the rows they must deliver,
 * rendered as "ROW:cell|cell\n" per row (CR and LF inside a cell shown as
 * \r and \n), or a substring of the one message they must produce (the
 * reader then returns -1). Inputs are written with their exact length, so
 * they may hold NUL bytes; the reader sees no terminator. Limits (columns,
 * cell size, rows) are built by code in their own tests below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/csv.h"
#include "io/table.h"

#define IN(s) s, sizeof(s) - 1

typedef struct row {
	const char *name;
	const char *in;
	size_t len;
	const char *want; /* rendering of the rows, or NULL */
	const char *err;  /* substring of the single message, or NULL */
} row;

/* UTF-16LE of "姓名\t部门\r\n张三\t办公室\r\n" with its BOM. 名 is U+540D,
 * whose low byte is a CR: a reader splitting lines on bytes would break. */
#define U16_ROSTER "\xFF\xFE" "\xD3\x59\x0D\x54\t\0\xE8\x90\xE8\x95\r\0\n\0" \
	"\x20\x5F\x09\x4E\t\0\x9E\x52\x6C\x51\xA4\x5B\r\0\n\0"

static const row rows[] = {
	/* UTF-8, with and without BOM */
	{"plain", IN("a,b,c\nd,e\n"), "1:a|b|c\n2:d|e\n", NULL},
	{"no final newline", IN("a,b\nc,d"), "1:a|b\n2:c|d\n", NULL},
	{"utf8 chinese", IN("姓名,部门\n张三,办公室\n"),
	 "1:姓名|部门\n2:张三|办公室\n", NULL},
	{"utf8 bom", IN("\xEF\xBB\xBF姓名,部门\r\n张三,办公室\r\n"),
	 "1:姓名|部门\n2:张三|办公室\n", NULL},
	{"bom only", IN("\xEF\xBB\xBF"), "", NULL},
	{"empty", IN(""), "", NULL},
	{"only newlines", IN("\n\r\n\r"), "", NULL},
	{"utf8 4-byte", IN("😀,x\n"), "1:😀|x\n", NULL},
	/* GBK / GB18030 */
	{"gbk header", IN("\xD0\xD5\xC3\xFB,\xB2\xBF\xC3\xC5\r\n"
			  "\xD5\xC5\xC8\xFD,\xD1\xA7\xB7\xD6\r\n"),
	 "1:姓名|部门\n2:张三|学分\n", NULL},
	{"gb18030 4-byte", IN("\x94\x39\xFC\x36,\x81\x39\xEE\x39\n"),
	 "1:😀|㐀\n", NULL},
	{"gb18030 bom", IN("\x84\x31\x95\x33\xD0\xD5\xC3\xFB\n"), "1:姓名\n", NULL},
	{"gbk quoted multiline", IN("\"\xD0\xD5\r\n\xC3\xFB\",x\r\ny\r\n"),
	 "1:姓\\r\\n名|x\n3:y\n", NULL},
	{"gbk bad byte line", IN("\xD0\xD5,a\r\nb\r\nc,\xFF\xFF\r\n"),
	 NULL, "第 3 行：文件编码无法识别"},
	{"gbk truncated at end", IN("\xD0\xD5\nb\n\x81"),
	 NULL, "第 3 行：文件编码无法识别"},
	{"gbk cr-only lines", IN("\xD0\xD5\rb\r\xFF"), NULL, "第 3 行："},
	/* UTF-16LE (Excel "Unicode text") */
	{"utf16le roster", IN(U16_ROSTER), "1:姓名|部门\n2:张三|办公室\n", NULL},
	{"utf16le comma kept", IN("\xFF\xFE" "a\0,\0b\0\t\0c\0"), "1:a,b|c\n", NULL},
	{"utf16le odd length", IN("\xFF\xFE" "a\0\n\0b"), NULL,
	 "第 2 行：不是有效的 UTF-16LE"},
	{"utf16le lone surrogate", IN("\xFF\xFE" "a\0\n\0\x00\xD8" "b\0"), NULL,
	 "第 2 行：不是有效的 UTF-16LE"},
	{"utf8 bom then invalid", IN("\xEF\xBB\xBF" "a\nb\xC3(\n"), NULL,
	 "第 2 行：有 UTF-8 BOM 但不是有效的 UTF-8"},
	{"utf8 overlong read as gbk", IN("\xC0\xAF\n"), "1:蜡\n", NULL},
	{"utf8 surrogate is neither", IN("a\n\xED\xA0\x80"), NULL,
	 "第 2 行：文件编码无法识别"},
	{"past U+10FFFF is neither", IN("\xF4\x90\x80\x80"), NULL,
	 "第 1 行：文件编码无法识别"},
	/* quotes */
	{"quoted", IN("\"a,b\",\"c\"\"d\"\n"), "1:a,b|c\"d\n", NULL},
	{"quoted empty", IN("\"\",x\n"), "1:|x\n", NULL},
	{"quoted spaces kept", IN("\" a \", b \n"), "1: a |b\n", NULL},
	{"quoted multiline", IN("a,\"x\ny\nz\",b\nc\n"),
	 "1:a|x\\ny\\nz|b\n4:c\n", NULL},
	{"quoted crlf kept", IN("\"x\r\ny\"\r\nc\r\n"), "1:x\\r\\ny\n3:c\n", NULL},
	{"quote inside unquoted", IN("ab\"c,d\n"), "1:ab\"c|d\n", NULL},
	{"spaces around quotes", IN("a,  \"b,c\"  ,d\n"), "1:a|b,c|d\n", NULL},
	{"quote at end of input", IN("a,\"b\""), "1:a|b\n", NULL},
	{"only escaped quote", IN("\"\"\"\"\n"), "1:\"\n", NULL},
	/* line ends */
	{"cr only", IN("a,b\rc,d\r"), "1:a|b\n2:c|d\n", NULL},
	{"mixed line ends", IN("a\r\nb\nc\rd"), "1:a\n2:b\n3:c\n4:d\n", NULL},
	{"crlf trailing empty line", IN("a\r\n\r\n"), "1:a\n", NULL},
	/* separators */
	{"semicolon", IN("a;b;c\n1,5;2\n"), "1:a|b|c\n2:1,5|2\n", NULL},
	{"tab", IN("a\tb\n c \t d\n"), "1:a|b\n2:c|d\n", NULL},
	{"comma wins", IN("a;b,c\n"), "1:a;b|c\n", NULL},
	{"quoted comma does not count", IN("\"a,b\";c\n"), "1:a,b|c\n", NULL},
	{"tab beats semicolon", IN("a;b\tc\td\n"), "1:a;b|c|d\n", NULL},
	{"blank lines before the header", IN("\n\r\na;b\n"), "3:a|b\n", NULL},
	{"single column", IN("姓名\n张三\n"), "1:姓名\n2:张三\n", NULL},
	/* empty rows and trimming */
	{"empty rows skipped", IN("a,b\n,,\n\n  ,\"\"\nc\n"), "1:a|b\n5:c\n",
	 NULL},
	{"trim unquoted", IN("  a  , b\t,\tc \n"), "1:a|b|c\n", NULL},
	{"ragged rows", IN("a,b,c\n\nd,e\n"), "1:a|b|c\n3:d|e\n", NULL},
	{"trailing separator", IN("a,\n"), "1:a|\n", NULL},
	{"empty cells kept", IN(",a,,\n"), "1:|a||\n", NULL},
	/* errors */
	{"unterminated quote", IN("a,b\nc,\"d\ne\nf\n"), NULL,
	 "t.csv: 第 2 行 B 列：引号没有闭合 (unterminated quote)"},
	{"unterminated names its open line", IN("\"x\ny\",\"z\n"), NULL,
	 "第 2 行 B 列：引号没有闭合"},
	{"text after quote", IN("a,\"b\"c\n"), NULL,
	 "t.csv: 第 1 行 B 列：引号结束后还有文字 (text after the closing quote)"},
	{"text after multiline quote", IN("\"a\nb\"x\n"), NULL,
	 "第 2 行 A 列：引号结束后还有文字"},
	{"nul unquoted", IN("a,b\nc,d\0e\n"), NULL,
	 "t.csv: 第 2 行 B 列：含有 NUL 空字节 (NUL byte)"},
	{"nul quoted", IN("\"a\0\"\n"), NULL, "第 1 行 A 列：含有 NUL"},
	{"nul after quote", IN("\"a\"\0\n"), NULL, "第 1 行 A 列：含有 NUL"},
	{"nul in utf16", IN("\xFF\xFE" "a\0\0\0"), NULL, "第 1 行 A 列：含有 NUL"},
	{"nul in gbk", IN("\xD0\xD5\0"), NULL, "第 1 行 A 列：含有 NUL"},
};

/* ---- rendering ---- */

typedef struct out {
	char *buf;
	size_t len, cap;
	int rows;
	int stop_after; /* return 7 after this many rows; 0: never */
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->len > (1u << 20))
		return; /* the limit tests read millions of rows */
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (o->len + n + 1 > cap)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		assert_non_null(o->buf);
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static int render(void *ctx, uint32_t r, const char *const *cells, size_t n)
{
	out *o = ctx;
	char num[16];
	int k = snprintf(num, sizeof(num), "%u:", r);
	put(o, num, (size_t)k);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(o, "|", 1);
		for (const char *s = cells[i]; *s; s++) {
			if (*s == '\n')
				put(o, "\\n", 2);
			else if (*s == '\r')
				put(o, "\\r", 2);
			else
				put(o, s, 1);
		}
	}
	put(o, "\n", 1);
	o->rows++;
	return o->stop_after && o->rows == o->stop_after ? 7 : 0;
}

/* Runs the reader on an exact-length heap copy (so that ASan catches a read
 * past the end). Returns its result; o receives the rendering. */
static int run(const char *in, size_t len, out *o, xf_errs *e)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, in, len);
	put(o, "", 0);
	int rc = xf_csv_read(copy, len, "t.csv", render, o, e);
	free(copy);
	return rc;
}

static void test_table(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const row *r = &rows[i];
		out o = {0};
		xf_errs e;
		xf_errs_init(&e);
		int rc = run(r->in, r->len, &o, &e);
		int ok;
		if (r->err)
			ok = rc == -1 && xf_errs_count(&e) == 1 &&
			     strstr(e.msgs[0], r->err) != NULL;
		else
			ok = rc == 0 && xf_errs_count(&e) == 0 &&
			     strcmp(o.buf, r->want) == 0;
		if (!ok) {
			failures++;
			fprintf(stderr, "row \"%s\": rc %d\n  got rows:\n%s", r->name,
				rc, o.buf);
			if (r->want)
				fprintf(stderr, "  want rows:\n%s", r->want);
			else
				fprintf(stderr, "  want message containing: %s\n",
					r->err);
			xf_errs_print(&e, "  message: ", stderr);
		}
		free(o.buf);
		xf_errs_cleanup(&e);
	}
	assert_int_equal(failures, 0);
}

/* The name is optional: without it the message starts at the line. */
static void test_no_name(void **state)
{
	(void)state;
	out o = {0};
	xf_errs e;
	xf_errs_init(&e);
	put(&o, "", 0);
	assert_int_equal(xf_csv_read("\"a", 2, NULL, render, &o, &e), -1);
	assert_int_equal(xf_errs_count(&e), 1);
	assert_string_equal(e.msgs[0],
			    "第 1 行 A 列：引号没有闭合 (unterminated quote)");
	free(o.buf);
	xf_errs_cleanup(&e);
}

static void test_callback_stops(void **state)
{
	(void)state;
	out o = {.stop_after = 2};
	xf_errs e;
	xf_errs_init(&e);
	/* The error on line 4 is never reached. */
	int rc = run(IN("a\n\nb\nc,\"d\n"), &o, &e);
	assert_int_equal(rc, 7);
	assert_int_equal(xf_errs_count(&e), 0);
	assert_string_equal(o.buf, "1:a\n3:b\n");
	free(o.buf);
	xf_errs_cleanup(&e);
}

/* ---- limits ---- */

typedef struct text {
	char *buf;
	size_t len;
} text;

static void text_add(text *t, const char *s, size_t n, size_t times)
{
	t->buf = realloc(t->buf, t->len + n * times + 1);
	assert_non_null(t->buf);
	for (size_t k = 0; k < times; k++, t->len += n)
		memcpy(t->buf + t->len, s, n);
}

/* Reads t and returns the result; *nrows the rows delivered, e the
 * messages (left for the caller to check and clean up). */
static int run_text(text *t, out *o, xf_errs *e)
{
	xf_errs_init(e);
	return run(t->buf, t->len, o, e);
}

static void expect(text *t, int want_rc, const char *want_err,
		   const char *want_first_row)
{
	out o = {0};
	xf_errs e;
	int rc = run_text(t, &o, &e);
	if (want_err) {
		if (rc != -1 || xf_errs_count(&e) != 1 ||
		    strstr(e.msgs[0], want_err) == NULL) {
			fprintf(stderr, "rc %d, want message %s\n", rc, want_err);
			xf_errs_print(&e, "  message: ", stderr);
			fail();
		}
	} else {
		xf_errs_print(&e, "  message: ", stderr);
		assert_int_equal(rc, want_rc);
		assert_int_equal(xf_errs_count(&e), 0);
		if (want_first_row)
			assert_memory_equal(o.buf, want_first_row,
					    strlen(want_first_row));
	}
	free(o.buf);
	xf_errs_cleanup(&e);
	free(t->buf);
	t->buf = NULL;
	t->len = 0;
}

static void test_columns(void **state)
{
	(void)state;
	text t = {0};
	/* 256 columns are fine, in one row and with an escape-free tail. */
	text_add(&t, "x", 1, 1);
	text_add(&t, ",x", 2, XF_TABLE_MAX_COLS - 1);
	text_add(&t, "\n", 1, 1);
	expect(&t, 0, NULL, "1:x|x|");
	/* 257 are not, even when all empty. */
	text_add(&t, "a\n", 2, 1);
	text_add(&t, ",", 1, XF_TABLE_MAX_COLS);
	text_add(&t, "\n", 1, 1);
	expect(&t, -1, "t.csv: 第 2 行：超过 256 列 (more than 256 columns)",
	       NULL);
}

static void test_cell_size(void **state)
{
	(void)state;
	text t = {0};
	text_add(&t, "a,", 2, 1);
	text_add(&t, "y", 1, XF_TABLE_MAX_CELL);
	text_add(&t, "\n", 1, 1);
	expect(&t, 0, NULL, "1:a|yyy");
	/* Trimmed spaces do not count. */
	text_add(&t, "  ", 2, 1);
	text_add(&t, "y", 1, XF_TABLE_MAX_CELL);
	text_add(&t, "  ", 2, 1);
	expect(&t, 0, NULL, "1:yyy");

	text_add(&t, "a\nb,", 4, 1);
	text_add(&t, "y", 1, XF_TABLE_MAX_CELL + 1);
	expect(&t, -1,
	       "t.csv: 第 2 行 B 列：单元格超过 65536 字节 "
	       "(cell longer than 65536 bytes)",
	       NULL);
	/* Quoted: the escapes and line ends count once each. */
	text_add(&t, "\"", 1, 1);
	text_add(&t, "\"\"", 2, XF_TABLE_MAX_CELL);
	text_add(&t, "\"\n", 2, 1);
	expect(&t, 0, NULL, "1:\"\"\"");
	text_add(&t, "\"", 1, 1);
	text_add(&t, "\"\"", 2, XF_TABLE_MAX_CELL / 2);
	text_add(&t, "\n", 1, XF_TABLE_MAX_CELL / 2 + 1);
	text_add(&t, "\"\n", 2, 1);
	expect(&t, -1, "第 1 行 A 列：单元格超过", NULL);
	text_add(&t, "\"", 1, 1);
	text_add(&t, "z", 1, XF_TABLE_MAX_CELL + 1);
	text_add(&t, "\"\n", 2, 1);
	expect(&t, -1, "第 1 行 A 列：单元格超过", NULL);
	/* A quote that never closes is named as such, however long the rest. */
	text_add(&t, "a\nb,\"", 5, 1);
	text_add(&t, "z\n", 2, XF_TABLE_MAX_CELL);
	expect(&t, -1, "第 2 行 B 列：引号没有闭合", NULL);
}

static void test_rows_limit(void **state)
{
	(void)state;
	text t = {0};
	/* Blank lines are not rows: 20000000 rows pass, the next is refused. */
	text_add(&t, "\n", 1, 3);
	text_add(&t, "a\n", 2, XF_TABLE_MAX_ROWS + 1);
	out o = {0};
	xf_errs e;
	int rc = run_text(&t, &o, &e);
	assert_int_equal(rc, -1);
	assert_int_equal(o.rows, XF_TABLE_MAX_ROWS);
	assert_memory_equal(o.buf, "4:a\n5:a\n", 8);
	assert_int_equal(xf_errs_count(&e), 1);
	assert_string_equal(e.msgs[0], "t.csv: 第 20000004 行：超过 20000000 行 "
			    "(more than 20000000 rows)");
	free(o.buf);
	xf_errs_cleanup(&e);
	free(t.buf);
}

static void test_column_name(void **state)
{
	(void)state;
	static const struct {
		size_t col;
		const char *want;
	} cases[] = {
		{0, "A"},     {1, "B"},      {25, "Z"},     {26, "AA"},
		{27, "AB"},   {51, "AZ"},    {52, "BA"},    {255, "IV"},
		{256, "IW"},  {701, "ZZ"},   {702, "AAA"},  {16383, "XFD"},
		{18277, "ZZZ"}, {18278, "AAAA"},
		{8353082581u, "ZZZZZZZ"}, {8353082582u, "?"},
		{SIZE_MAX, "?"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[8];
		memset(buf, 'x', sizeof(buf));
		xf_table_column_name(cases[i].col, buf);
		assert_string_equal(buf, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_no_name),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_cell_size),
		cmocka_unit_test(test_rows_limit),
		cmocka_unit_test(test_column_name),
	};
	return cmocka_run_group_tests_name("io/csv", tests, NULL, NULL);
}
