/* Unit tests for src/core/calendar.c: the official working-day calendar
 * (holidays, 调休 make-up days) and the 公示 window rule, on the shipped
 * files calendar/cn-2025.txt and cn-2026.txt (read from disk: the tests run
 * from the repository root), and the parser's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/file.h"

/* Loads calendar/cn-YEAR.txt into cal; fails the test on any error. */
static void load_year(xf_calendar *cal, int year)
{
	char path[64];
	char *text = NULL;
	size_t len = 0;
	xf_errs errs;
	xf_errs_init(&errs);
	snprintf(path, sizeof(path), "calendar/cn-%d.txt", year);
	assert_int_equal(xf_file_read(path, XF_FILE_MAX, &text, &len, &errs), 0);
	int rc = xf_calendar_load(cal, text, len, path, &errs);
	if (rc != 0)
		xf_errs_print(&errs, NULL, stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(xf_errs_count(&errs), 0);
	free(text);
	xf_errs_cleanup(&errs);
}

static xf_calendar *both_years(void)
{
	xf_calendar *cal = xf_calendar_new();
	assert_non_null(cal);
	load_year(cal, 2026); /* out of order on purpose */
	load_year(cal, 2025);
	return cal;
}

static void test_years(void **state)
{
	(void)state;
	xf_calendar *cal = xf_calendar_new();
	int ys[4] = {0, 0, 0, 0};
	assert_int_equal(xf_calendar_years(cal, NULL, 0), 0);
	load_year(cal, 2026);
	assert_int_equal(xf_calendar_years(cal, ys, 4), 1);
	assert_int_equal(ys[0], 2026);
	load_year(cal, 2025);
	assert_int_equal(xf_calendar_years(cal, ys, 4), 2);
	assert_int_equal(ys[0], 2025);
	assert_int_equal(ys[1], 2026);
	ys[0] = 0;
	assert_int_equal(xf_calendar_years(cal, ys, 1), 2); /* cap respected */
	assert_int_equal(ys[0], 2025);
	assert_int_equal(ys[1], 2026);
	xf_calendar_free(cal);
}

static void test_is_workday(void **state)
{
	(void)state;
	xf_calendar *cal = both_years();
	static const struct { xf_date d; bool known, work; const char *why; } rows[] = {
		{20250926, true, true, "plain Friday"},
		{20250927, true, false, "plain Saturday"},
		{20250921, true, false, "plain Sunday"},
		{20251001, true, false, "holiday on a Wednesday (国庆节)"},
		{20251004, true, false, "holiday on a Saturday (国庆节)"},
		{20250928, true, true, "make-up workday on a Sunday"},
		{20251011, true, true, "make-up workday on a Saturday"},
		{20250126, true, true, "春节 2025 make-up Sunday"},
		{20250208, true, true, "春节 2025 make-up Saturday"},
		{20260214, true, true, "春节 2026 make-up Saturday"},
		{20260228, true, true, "春节 2026 make-up Saturday"},
		{20260216, true, false, "春节 2026 Monday"},
		{20260101, true, false, "元旦 2026"},
		{20261231, true, true, "last day of 2026, a Thursday"},
		{20240603, false, false, "2024 not loaded (a Monday)"},
		{20270104, false, false, "2027 not loaded (a Monday)"},
		{20250230, false, false, "not a date"},
		{0, false, false, "no date"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool known = !rows[i].known;
		bool work = xf_calendar_is_workday(cal, rows[i].d, &known);
		if (known != rows[i].known || work != rows[i].work)
			fail_msg("%d (%s): known %d workday %d", (int)rows[i].d,
				 rows[i].why, known, work);
	}
	assert_false(xf_calendar_is_workday(cal, 20250101, NULL)); /* known may be NULL */
	xf_calendar_free(cal);
}

static void test_window_end(void **state)
{
	(void)state;
	xf_calendar *cal = both_years();
	static const struct { xf_date start; int n; xf_date end; const char *why; } rows[] = {
		{20250926, 5, 20251009, "国庆节 with the 09-28 Sunday make-up day"},
		{20251001, 5, 20251014, "published on a holiday; 10-11 Saturday counts"},
		{20251018, 5, 20251024, "published on a Saturday"},
		{20251012, 1, 20251013, "published on a Sunday, one day"},
		{20250926, 1, 20250926, "one day, published on a working day"},
		{20250124, 5, 20250206, "春节 2025 with the 01-26 make-up Sunday"},
		{20250206, 3, 20250208, "春节 2025 ends on the 02-08 make-up Saturday"},
		{20250501, 1, 20250506, "劳动节 2025"},
		{20260212, 5, 20260225, "春节 2026 with the 02-14 make-up Saturday"},
		{20260226, 3, 20260228, "春节 2026 ends on the 02-28 make-up Saturday"},
		{20251229, 5, 20260105, "2025 into 2026 across 元旦 and the 01-04 make-up Sunday"},
		{20260930, 3, 20261009, "国庆节 2026"},
		{20261228, 4, 20261231, "ends on the last day of the last loaded year"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_errs errs;
		xf_date end = 0;
		xf_errs_init(&errs);
		int rc = xf_calendar_window_end(cal, rows[i].start, rows[i].n, &end, &errs);
		if (rc != 0 || end != rows[i].end || xf_errs_count(&errs) != 0)
			fail_msg("%d + %d (%s): rc %d end %d, want %d", (int)rows[i].start,
				 rows[i].n, rows[i].why, rc, (int)end, (int)rows[i].end);
		xf_errs_cleanup(&errs);
	}
	xf_calendar_free(cal);
}

static void test_window_errors(void **state)
{
	(void)state;
	xf_calendar *both = both_years();
	xf_calendar *only2026 = xf_calendar_new();
	load_year(only2026, 2026);
	static const struct {
		int which; /* 0: both years, 1: 2026 only */
		xf_date start;
		int n;
		const char *msg;
	} rows[] = {
		{1, 20261228, 5, "2027 年的法定节假日安排未载入，无法计算自 2026-12-28 起 5 个工作日的公示期 (year not loaded)"},
		{1, 20250926, 5, "2025 年的法定节假日安排未载入，无法计算自 2025-09-26 起 5 个工作日的公示期 (year not loaded)"},
		{0, 20261231, 2, "2027 年的法定节假日安排未载入，无法计算自 2026-12-31 起 2 个工作日的公示期 (year not loaded)"},
		{0, 20241231, 1, "2024 年的法定节假日安排未载入，无法计算自 2024-12-31 起 1 个工作日的公示期 (year not loaded)"},
		{0, 20250926, 0, "公示工作日数必须至少为 1，现为 0 (bad number of days)"},
		{0, 20250926, -3, "公示工作日数必须至少为 1，现为 -3 (bad number of days)"},
		{0, 20250231, 5, "公示开始日期无效 (20250231) (bad start date)"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_errs errs;
		xf_date end = 4242;
		xf_errs_init(&errs);
		int rc = xf_calendar_window_end(rows[i].which ? only2026 : both,
						rows[i].start, rows[i].n, &end, &errs);
		assert_int_equal(rc, -1);
		assert_int_equal(end, 4242); /* untouched */
		assert_int_equal(errs.n, 1);
		assert_string_equal(errs.msgs[0], rows[i].msg);
		assert_false(errs.internal);
		xf_errs_cleanup(&errs);
	}
	xf_calendar_free(only2026);
	xf_calendar_free(both);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const char text[] =
		"# 测试\n"                                     /* 1 */
		"2025-13-01 holiday 坏日期\n"                   /* 2 */
		"2025-10-01 vacation 国庆节\n"                  /* 3 */
		"2025-10-01 holiday 国庆节\n"                   /* 4 */
		"2025-10-01 holiday 国庆节\n"                   /* 5 */
		"2025-10-01 workday 国庆节\n"                   /* 6 */
		"2025-10-08 workday 周三上班\n"                 /* 7 */
		"2025-10-02\n"                                  /* 8 */
		"2025-10-03 holiday   \n"                       /* 9 */
		"\n"                                            /* 10 */
		"2025-10-04 holiday \xff\xfe\n"                 /* 11 */
		"2025/10/05 holiday 国庆节\n"                   /* 12 */
		"2025-10-11 workday 调休\n"                     /* 13 */
		"2025-10-11 holiday 国庆节\n"                   /* 14 */
		"  2025-10-06\tholiday\t国庆节\r\n"             /* 15: fine */
		"2025-02-29 holiday 不存在\n";                  /* 16 */
	static const char *const want[] = {
		"t.txt:2: 日期“2025-13-01”无效，应为 YYYY-MM-DD 格式的真实日期 (bad date)",
		"t.txt:3: 类型“vacation”未知，应为 holiday（放假）或 workday（调休上班） (unknown kind)",
		"t.txt:5: 日期 2025-10-01 重复，第 4 行已列出 (date given twice)",
		"t.txt:6: 日期 2025-10-01 在第 4 行已列为放假日 (holiday)，不能又列为调休上班日 (workday) (date given as both kinds)",
		"t.txt:7: 调休上班日 2025-10-08 是星期三，本来就是工作日 (workday on a weekday)",
		"t.txt:8: 日期 2025-10-02 后缺少类型，应为 holiday（放假）或 workday（调休上班） (missing kind)",
		"t.txt:9: 日期 2025-10-03 缺少名称（如 国庆节） (missing name)",
		"t.txt:11: 名称不是有效的 UTF-8 文本或含有控制字符 (bad name)",
		"t.txt:12: 日期“2025/10/05”无效，应为 YYYY-MM-DD 格式的真实日期 (bad date)",
		"t.txt:14: 日期 2025-10-11 在第 13 行已列为调休上班日 (workday)，不能又列为放假日 (holiday) (date given as both kinds)",
		"t.txt:16: 日期“2025-02-29”无效，应为 YYYY-MM-DD 格式的真实日期 (bad date)",
	};
	xf_calendar *cal = xf_calendar_new();
	xf_errs errs;
	xf_errs_init(&errs);
	assert_int_equal(xf_calendar_load(cal, text, sizeof(text) - 1, "t.txt", &errs), -1);
	for (size_t i = 0; i < errs.n; i++)
		print_message("%s\n", errs.msgs[i]);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < errs.n; i++)
		assert_string_equal(errs.msgs[i], want[i]);
	assert_false(errs.internal);
	xf_errs_cleanup(&errs);
	/* Nothing of the bad file was added. */
	bool known = true;
	assert_int_equal(xf_calendar_years(cal, NULL, 0), 0);
	assert_false(xf_calendar_is_workday(cal, 20251013, &known));
	assert_false(known);
	xf_calendar_free(cal);
}

/* Files refused as a whole, one message each. */
static void test_parse_whole_file(void **state)
{
	(void)state;
	static const struct { const char *text; const char *msg; } rows[] = {
		{"", "f: 文件中没有任何日期行（YYYY-MM-DD holiday|workday 名称） (no dates)"},
		{"# 只有注释\n\n   \n", "f: 文件中没有任何日期行（YYYY-MM-DD holiday|workday 名称） (no dates)"},
		{"2025-10-01 holiday 国庆节\n2025-10-02 holiday 国庆节\n",
		 "f:1: 2025 年的节假日安排已经载入，不能再次载入 (year already loaded)"},
		{"2026-01-01 holiday 元旦\n2025-12-31 holiday 假的\n",
		 "f:2: 2025 年的节假日安排已经载入，不能再次载入 (year already loaded)"},
		{"2025-10-01 holiday 国庆节\0x\n", "f:1: 名称不是有效的 UTF-8 文本或含有控制字符 (bad name)"},
		{"2025-10-01 holiday-ish 国庆节\n", "f:1: 类型“holiday-ish”未知，应为 holiday（放假）或 workday（调休上班） (unknown kind)"},
		{"12345678901234567890123456789012345678901234567890 holiday x\n",
		 "f:1: 日期无效，应为 YYYY-MM-DD 格式的真实日期 (bad date)"}, /* too long to quote */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_calendar *cal = xf_calendar_new();
		xf_errs errs;
		xf_errs_init(&errs);
		if (i >= 2 && i <= 3)
			load_year(cal, 2025);
		size_t len = strlen(rows[i].text);
		if (i == 4)
			len = sizeof("2025-10-01 holiday 国庆节\0x\n") - 1; /* embedded NUL */
		assert_int_equal(xf_calendar_load(cal, rows[i].text, len, "f", &errs), -1);
		assert_int_equal(errs.n, 1);
		assert_string_equal(errs.msgs[0], rows[i].msg);
		/* 2026 of row 3 was not added either. */
		assert_int_equal(xf_calendar_years(cal, NULL, 0), i >= 2 && i <= 3 ? 1 : 0);
		xf_errs_cleanup(&errs);
		xf_calendar_free(cal);
	}
}

/* A BOM, CRLF lines, tabs and a last line without a newline are accepted;
 * one file may cover several years. */
static void test_parse_forms(void **state)
{
	(void)state;
	static const char text[] =
		"\xEF\xBB\xBF# 注释\r\n"
		"2030-01-01\tholiday\t元旦\r\n"
		"   # 缩进的注释\r\n"
		"2030-01-05 workday 调休（周六）\r\n"
		"2031-01-01 holiday 元旦 （名称里有空格）";
	xf_calendar *cal = xf_calendar_new();
	xf_errs errs;
	int ys[2] = {0, 0};
	xf_errs_init(&errs);
	assert_int_equal(xf_calendar_load(cal, text, sizeof(text) - 1, "forms", &errs), 0);
	assert_int_equal(xf_errs_count(&errs), 0);
	assert_int_equal(xf_calendar_years(cal, ys, 2), 2);
	assert_int_equal(ys[0], 2030);
	assert_int_equal(ys[1], 2031);
	bool known = false;
	assert_false(xf_calendar_is_workday(cal, 20300101, &known)); /* Tuesday, holiday */
	assert_true(known);
	assert_true(xf_calendar_is_workday(cal, 20300105, &known));  /* Saturday, workday */
	assert_true(xf_calendar_is_workday(cal, 20300102, &known));  /* plain Wednesday */
	assert_false(xf_calendar_is_workday(cal, 20300106, &known)); /* plain Sunday */
	xf_calendar_free(cal);
	xf_errs_cleanup(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_years),
		cmocka_unit_test(test_is_workday),
		cmocka_unit_test(test_window_end),
		cmocka_unit_test(test_window_errors),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_whole_file),
		cmocka_unit_test(test_parse_forms),
	};
	return cmocka_run_group_tests_name("core/calendar", tests, NULL, NULL);
}
