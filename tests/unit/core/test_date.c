/* Unit tests for src/core/date.c: strict date/month parsing, month sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/date.h"

static void test_date_parse(void **state)
{
	(void)state;
	static const struct { const char *in; int rc; xf_date want; } rows[] = {
		{"2025-09-26", 0, 20250926},
		{"2024-02-29", 0, 20240229},  /* leap year */
		{"2025-02-29", -1, 0},        /* not a leap year */
		{"2000-02-29", 0, 20000229},  /* divisible by 400 */
		{"1900-02-29", -1, 0},        /* divisible by 100 */
		{"2025-13-01", -1, 0},
		{"2025-00-10", -1, 0},
		{"2025-04-31", -1, 0},
		{"2025-4-1", -1, 0},
		{"2025/04/01", -1, 0},
		{"2025-04-01 ", -1, 0},
		{"yesterday", -1, 0},
		{"", -1, 0},
		{"+025-04-01", -1, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_date d = 0;
		assert_int_equal(xf_date_parse(rows[i].in, &d), rows[i].rc);
		if (rows[i].rc == 0)
			assert_int_equal(d, rows[i].want);
	}
	xf_date d = 7;
	assert_int_equal(xf_date_parse(NULL, &d), -1);
	assert_int_equal(d, 7);
}

static void test_month_parse(void **state)
{
	(void)state;
	int y = 0, m = 0;
	assert_int_equal(xf_month_parse("2025-03", &y, &m), 0);
	assert_int_equal(y, 2025);
	assert_int_equal(m, 3);
	assert_int_equal(xf_month_parse("2025-3", &y, &m), -1);
	assert_int_equal(xf_month_parse("2025-13", &y, &m), -1);
	assert_int_equal(xf_month_parse("2025-03-01", &y, &m), -1);
}

static void test_monthset(void **state)
{
	(void)state;
	static const struct { xf_date from, to; int count; xf_monthset want; } rows[] = {
		{20250201, 20250430, 3, 0x00E},      /* Feb..Apr */
		{20250901, 20251031, 2, 0x300},      /* Sep..Oct */
		{20241101, 20250215, 2, 0x003},      /* clipped at the start */
		{20251201, 20260331, 1, 0x800},      /* clipped at the end */
		{20240101, 20261231, 12, 0xFFF},     /* the whole year */
		{20260101, 20260301, 0, 0},          /* another year */
		{20250501, 20250401, 0, 0},          /* to before from */
		{20250115, 20250116, 1, 0x001},      /* days within one month */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_monthset s = xf_monthset_range(2025, rows[i].from, rows[i].to);
		assert_int_equal(s, rows[i].want);
		assert_int_equal(xf_monthset_count(s), rows[i].count);
	}
}

static void test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(xf_days_in_month(2025, 2), 28);
	assert_int_equal(xf_days_in_month(2024, 2), 29);
	assert_int_equal(xf_days_in_month(2025, 12), 31);
	assert_int_equal(xf_days_in_month(2025, 13), 0);
}

/* Day steps across months, years and 29 February; day counts; the text. */
static void test_date_steps(void **state)
{
	(void)state;
	static const struct {
		xf_date d, next, prev;
	} steps[] = {
		{20250926, 20250927, 20250925}, {20250930, 20251001, 20250929},
		{20251231, 20260101, 20251230}, {20260101, 20260102, 20251231},
		{20240228, 20240229, 20240227}, {20240301, 20240302, 20240229},
		{20250301, 20250302, 20250228},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(xf_date_next(steps[i].d), steps[i].next);
		assert_int_equal(xf_date_prev(steps[i].d), steps[i].prev);
	}
	assert_int_equal(xf_date_days(20250926, 20250926), 0);
	assert_int_equal(xf_date_days(20250926, 20251009), 13);
	assert_int_equal(xf_date_days(20240101, 20250101), 366);
	assert_int_equal(xf_date_days(20251009, 20250926), -13);
	char buf[11];
	assert_string_equal(xf_date_text(20260105, buf), "2026-01-05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_month_parse),
		cmocka_unit_test(test_monthset),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_date_steps),
	};
	return cmocka_run_group_tests_name("core/date", tests, NULL, NULL);
}
