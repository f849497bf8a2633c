/* Unit tests for src/core/num.c: half-up rounding, parsing, formatting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/num.h"

/* cmocka 1.1 compares floats in single precision; credits need double. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void test_round2(void **state)
{
	(void)state;
	static const struct { double in, want; } rows[] = {
		{81.325301204819, 81.33}, /* Kunshan: 54 x 100 / (8.3 x 8) */
		{58.333333333333, 58.33}, /* 70 x 10 / 12 */
		{1.005, 1.01},            /* binary 1.00499999... still rounds up */
		{2.675, 2.68},
		{74.5, 74.5},
		{0.125, 0.13},
		{0.124999, 0.12},
		{-1.005, -1.01},
		{0, 0},
		{100, 100},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_near(xf_round2(rows[i].in), rows[i].want, 1e-12);
}

static void test_round0(void **state)
{
	(void)state;
	assert_near(xf_round0(0.5), 1, 0);
	assert_near(xf_round0(0.49), 0, 0);
	assert_near(xf_round0(2.5), 3, 0);
	assert_near(xf_round0(135.0 / 45), 3, 0);
}

static void test_parse_double(void **state)
{
	(void)state;
	static const struct { const char *in; int rc; double want; } rows[] = {
		{"40", 0, 40}, {"0.5", 0, 0.5}, {"-3", 0, -3}, {"8.3", 0, 8.3},
		{"", -1, 0}, {"1e3", -1, 0}, {" 1", -1, 0}, {"1 ", -1, 0},
		{"nan", -1, 0}, {"inf", -1, 0}, {"1.", -1, 0}, {".5", -1, 0},
		{"0x10", -1, 0}, {"--1", -1, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double v = -99;
		assert_int_equal(xf_parse_double(rows[i].in, &v), rows[i].rc);
		if (rows[i].rc == 0)
			assert_near(v, rows[i].want, 0);
	}
}

static void test_format(void **state)
{
	(void)state;
	static const struct { double in; const char *want; } rows[] = {
		{14, "14.0"}, {14.5, "14.5"}, {58.33, "58.33"}, {0, "0.0"},
		{-0.0, "0.0"}, {100, "100.0"}, {0.05, "0.05"}, {6240, "6240.0"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_format_num(rows[i].in, buf);
		assert_string_equal(buf, rows[i].want);
	}
	xf_format_num(NAN, buf);
	assert_string_equal(buf, "null");
	xf_format_num(1e300, buf); /* stays within the buffer */
	assert_true(strlen(buf) < 32);
}

/* Numbers in sentences: rounded to 2 decimals, no trailing zeros. */
static void test_format_short(void **state)
{
	(void)state;
	static const struct { double v; const char *want; } rows[] = {
		{7, "7"}, {6.5, "6.5"}, {58.333, "58.33"}, {1.005, "1.01"}, {0.004, "0"},
		{-0.0, "0"}, {-2.50, "-2.5"}, {120, "120"}, {10.10, "10.1"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[32];
		assert_string_equal(xf_format_short(rows[i].v, buf), rows[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round2),
		cmocka_unit_test(test_round0),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_short),
	};
	return cmocka_run_group_tests_name("core/num", tests, NULL, NULL);
}
