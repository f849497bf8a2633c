/* test_clock: the server's clock and its timestamp text, moved by the test
 * offset file (XUEFEN_TEST_CLOCK_FILE) as the HTTP tests move it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"

static char offset_path[64];

static void set_offset(long long seconds)
{
	FILE *f = fopen(offset_path, "w");
	assert_non_null(f);
	fprintf(f, "%lld\n", seconds);
	assert_int_equal(fclose(f), 0);
}

/* The stamp is SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') shape, and the
 * same second as xf_clock_now (give or take the second turning). */
static void test_stamp_shape_and_time(void **state)
{
	(void)state;
	set_offset(0);
	char s[32];
	time_t before = xf_clock_now();
	xf_clock_stamp(s);
	time_t after = xf_clock_now();
	assert_int_equal(strlen(s), 24);
	int y, mo, d, h, mi, se, ms;
	char z;
	assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &se, &ms, &z), 8);
	assert_int_equal(z, 'Z');
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = se};
	time_t t = timegm(&tm);
	assert_true(t >= before && t <= after);
}

/* A test offset moves both, backwards too. */
static void test_offset_moves_both(void **state)
{
	(void)state;
	set_offset(0);
	time_t real = xf_clock_now();
	set_offset(-86400LL * 400);
	time_t moved = xf_clock_now();
	assert_true(real - moved >= 86400LL * 400 - 2 && real - moved <= 86400LL * 400 + 2);
	char s[32], want[16];
	struct tm tm;
	xf_clock_stamp(s);
	strftime(want, sizeof(want), "%Y-%m-%d", gmtime_r(&moved, &tm));
	assert_memory_equal(s, want, 10);
	set_offset(0);
}

int main(void)
{
	snprintf(offset_path, sizeof(offset_path), "/tmp/xuefen-clock-test-%ld", (long)getpid());
	setenv("XUEFEN_TEST_CLOCK_FILE", offset_path, 1); /* before the clock's first call */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp_shape_and_time),
		cmocka_unit_test(test_offset_moves_both),
	};
	int rc = cmocka_run_group_tests_name("clock", tests, NULL, NULL);
	unlink(offset_path);
	return rc;
}
