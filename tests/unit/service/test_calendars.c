/* Tests for src/service/calendars.c: the calendar in force is the shipped
 * 2025 and 2026 files (compiled in) until a year is loaded; the 公示 window
 * across 国庆节 (published 2025-09-26, ends 2025-10-09) and across 春节 2026
 * with its 调休 Saturdays; a year without a calendar refused naming the
 * year; loading a next-year file (all or nothing, every bad line named,
 * one year per file, audited "calendar.load"), replacing a shipped year,
 * and the list with each year's source. Runs on SQLite, and on PostgreSQL
 * when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/date.h"
#include "service/calendars.h"
#include "store/query.h"
#include "store/store.h"
#include "../support/backends.h"

/* A made-up 2027 (the official one is not out yet): 元旦 on a Friday. */
#define FILE_2027                                                                          \
	"# 测试用 2027\n"                                                                  \
	"2027-01-01 holiday 元旦\n"                                                         \
	"2027-02-06 holiday 春节\n"                                                         \
	"2027-02-20 workday 春节调休\n"

static xf_store *fresh(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	xf_errs_print(&errs, b->name, stderr);
	xf_errs_cleanup(&errs);
	assert_non_null(s);
	return s;
}

static xf_calendar *in_force(xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_calendar *cal = NULL;
	int rc = xf_calendars_load(s, &cal, &errs);
	xf_errs_print(&errs, "calendars: ", stderr);
	assert_int_equal(rc, 0);
	assert_non_null(cal);
	xf_errs_cleanup(&errs);
	return cal;
}

/* The window's end for a publication on `start`, or 0 with the message
 * in msg when refused. */
static xf_date window_end(const xf_calendar *cal, xf_date start, char *msg, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_date end = 0;
	msg[0] = '\0';
	if (xf_calendar_window_end(cal, start, 5, &end, &errs) != 0) {
		snprintf(msg, size, "%s", errs.n ? errs.msgs[0] : "");
		end = 0;
	}
	xf_errs_cleanup(&errs);
	return end;
}

static long long audit_rows(xf_store *s, const char *action)
{
	xf_errs errs;
	xf_errs_init(&errs);
	long long n = -1;
	assert_int_equal(xf_query_row(s, "SELECT COUNT(*) FROM audit_log WHERE action = $1", &errs,
				      XF_IN(action), XF_OUT(&n)),
			 0);
	xf_errs_cleanup(&errs);
	return n;
}

/* Windows by the shipped files: 国庆节 2025 and 春节 2026 with its 调休
 * Saturdays (2026-02-14 and 2026-02-28 are working days). */
static void test_shipped_windows(void **state)
{
	(void)state;
	static const struct {
		xf_date start, end;
	} cases[] = {
		{20250926, 20251009}, /* Fri; 9-28 Sun 调休 works; 10-1..8 off */
		{20250927, 20251010}, /* Sat: starts on 9-28 */
		{20250930, 20251013}, /* 10-11 Sat 调休 works */
		{20260213, 20260226}, /* Fri 2-13, Sat 2-14 调休, 2-15..23 off */
		{20260214, 20260227}, /* the 调休 Saturday itself is day 1 */
		{20260215, 20260228}, /* a holiday: 2-24..27, then Sat 2-28 调休 */
		{20260227, 20260304}, /* Fri, Sat 2-28 调休, Mon..Wed */
		{20251229, 20260105}, /* across the year: 2026-01-01..03 off, 01-04 Sun works */
	};
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		xf_calendar *cal = in_force(s);
		int years[4];
		assert_int_equal(xf_calendar_years(cal, years, 4), 2);
		assert_int_equal(years[0], 2025);
		assert_int_equal(years[1], 2026);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char msg[256];
			xf_date end = window_end(cal, cases[i].start, msg, sizeof(msg));
			if (end != cases[i].end)
				fail_msg("%s: published %d: window ends %d, want %d (%s)", backends[b].name,
					 cases[i].start, end, cases[i].end, msg);
		}
		/* 2026-12-28 runs into 2027, which has no calendar. */
		char msg[256];
		assert_int_equal(window_end(cal, 20261228, msg, sizeof(msg)), 0);
		assert_non_null(strstr(msg, "2027 年"));
		xf_calendar_free(cal);
		xf_store_close(s);
	}
}

static void test_load_next_year(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		xf_errs errs;
		xf_errs_init(&errs);
		int year = 0;
		assert_int_equal(xf_calendars_put(s, 2027, FILE_2027, strlen(FILE_2027), "cn-2027.txt",
						  "admin", &year, &errs),
				 0);
		assert_int_equal(year, 2027);
		assert_int_equal(errs.n, 0);
		assert_int_equal(audit_rows(s, "calendar.load"), 1);
		xf_calendar *cal = in_force(s);
		char msg[256];
		/* 12-28..31 are days 1-4; 2027-01-01 is off; 01-04 (Mon) is day 5 */
		assert_int_equal(window_end(cal, 20261228, msg, sizeof(msg)), 20270104);
		/* 2027-02-20 (Sat) works: published Thu 02-18 -> 18, 19, 20, 22, 23 */
		assert_int_equal(window_end(cal, 20270218, msg, sizeof(msg)), 20270223);
		xf_calendar_free(cal);

		/* The list: 2025 and 2026 shipped, 2027 loaded by admin. */
		xf_calendar_year *ys = NULL;
		size_t n = 0;
		assert_int_equal(xf_calendars_years(s, &ys, &n, &errs), 0);
		assert_int_equal(n, 3);
		assert_int_equal(ys[0].year, 2025);
		assert_false(ys[0].loaded);
		assert_true(ys[0].shipped);
		assert_int_equal(ys[0].holidays, 28);
		assert_int_equal(ys[0].workdays, 5);
		assert_int_equal(ys[1].year, 2026);
		assert_false(ys[1].loaded);
		assert_int_equal(ys[2].year, 2027);
		assert_true(ys[2].loaded);
		assert_false(ys[2].shipped);
		assert_string_equal(ys[2].loaded_by, "admin");
		assert_int_equal(ys[2].holidays, 2);
		assert_int_equal(ys[2].workdays, 1);
		free(ys);

		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(xf_calendars_list_json(s, f, &errs), 0);
		fclose(f);
		cJSON *j = cJSON_Parse(buf);
		const cJSON *arr = cJSON_GetObjectItem(j, "years");
		assert_int_equal(cJSON_GetArraySize(arr), 3);
		const cJSON *y27 = cJSON_GetArrayItem(arr, 2);
		assert_string_equal(cJSON_GetObjectItem(y27, "source")->valuestring, "loaded");
		assert_string_equal(cJSON_GetObjectItem(y27, "loaded_by")->valuestring, "admin");
		assert_true(cJSON_IsString(cJSON_GetObjectItem(y27, "loaded_at")));
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "loaded_at")));
		cJSON_Delete(j);
		free(buf);

		/* Loaded again: replaced, not added. */
		const char *v2 = "2027-01-01 holiday 元旦\n";
		assert_int_equal(xf_calendars_put(s, 0, v2, strlen(v2), "v2.txt", "cli", &year, &errs), 0);
		assert_int_equal(year, 2027);
		assert_int_equal(xf_calendars_years(s, &ys, &n, &errs), 0);
		assert_int_equal(n, 3);
		assert_int_equal(ys[2].workdays, 0);
		assert_string_equal(ys[2].loaded_by, "cli");
		free(ys);
		cal = in_force(s);
		/* without the 调休 Saturday: 18, 19, 22, 23, 24 */
		assert_int_equal(window_end(cal, 20270218, msg, sizeof(msg)), 20270224);
		xf_calendar_free(cal);
		assert_int_equal(audit_rows(s, "calendar.load"), 2);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* Bad files change nothing and say what is wrong. */
static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		int year;
		const char *text;
		const char *want; /* in the messages */
		size_t nmsgs;     /* at least */
	} cases[] = {
		{2027, "2027-01-01 holiday 元旦\n2027-02-30 holiday 春节\n2027-01-02 vacation 假\n",
		 "cn-2027.txt:2", 2},
		{2027, "2028-01-01 holiday 元旦\n", "应都在 2027 年内", 1},
		{0, "2027-01-01 holiday 元旦\n2028-01-01 holiday 元旦\n", "一个文件只能是一个年度", 1},
		{2027, "# 只有注释\n", "没有任何日期行", 1},
		{2027, "", "文件为空", 1},
		{2027, "2027-01-01 holiday \xff\xfe\n", "UTF-8", 1},
		{2027, "2027-01-04 workday 周一\n", "cn-2027.txt:1", 1}, /* a Monday works anyway */
	};
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			int year = -1;
			int rc = xf_calendars_put(s, cases[i].year, cases[i].text, strlen(cases[i].text),
						  "cn-2027.txt", "admin", &year, &errs);
			assert_int_equal(rc, -1);
			assert_int_equal(year, -1);
			assert_false(errs.internal);
			if (errs.n < cases[i].nmsgs)
				fail_msg("case %zu: %zu messages, want at least %zu", i, errs.n,
					 cases[i].nmsgs);
			bool found = false;
			for (size_t k = 0; k < errs.n; k++)
				found = found || strstr(errs.msgs[k], cases[i].want) != NULL;
			if (!found) {
				xf_errs_print(&errs, "got: ", stderr);
				fail_msg("case %zu: no message with \"%s\"", i, cases[i].want);
			}
			xf_errs_cleanup(&errs);
		}
		assert_int_equal(audit_rows(s, "calendar.load"), 0);
		xf_calendar *cal = in_force(s);
		assert_int_equal(xf_calendar_years(cal, NULL, 0), 2);
		xf_calendar_free(cal);
		xf_store_close(s);
	}
}

/* A loaded file wins over the shipped one of its year. */
static void test_replace_shipped(void **state)
{
	(void)state;
	/* 2025 with 元旦 only: no 国庆节 holidays, no 9-28 调休 */
	const char *text = "2025-01-01 holiday 元旦\n";
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = fresh(&backends[b]);
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_calendars_put(s, 2025, text, strlen(text), "mine.txt", "admin", NULL,
						  &errs),
				 0);
		xf_calendar *cal = in_force(s);
		char msg[256];
		/* 9-26, 29, 30, 10-1, 10-2 */
		assert_int_equal(window_end(cal, 20250926, msg, sizeof(msg)), 20251002);
		/* 2026 still the shipped one */
		assert_int_equal(window_end(cal, 20260213, msg, sizeof(msg)), 20260226);
		xf_calendar_free(cal);
		xf_calendar_year *ys = NULL;
		size_t n = 0;
		assert_int_equal(xf_calendars_years(s, &ys, &n, &errs), 0);
		assert_int_equal(n, 2);
		assert_true(ys[0].loaded);
		assert_true(ys[0].shipped);
		assert_int_equal(ys[0].holidays, 1);
		free(ys);
		/* the audit row says what it replaced */
		char *before = NULL, *after = NULL;
		assert_int_equal(xf_query_row(s, "SELECT before, after FROM audit_log"
						 " WHERE action = 'calendar.load'",
					      &errs, XF_OUT(&before), XF_OUT(&after)),
				 0);
		assert_non_null(strstr(before, "\"shipped\""));
		assert_non_null(strstr(after, "\"mine.txt\""));
		free(before);
		free(after);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-calendars-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_windows),
		cmocka_unit_test(test_load_next_year),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_replace_shipped),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	backends_teardown();
	return rc;
}
