/* fuzz_calendar: libFuzzer target for the holiday-calendar parser
 * (src/core/calendar.c). Any bytes must load or be refused with messages,
 * never crash, read out of bounds or leak. The input is passed with its
 * exact length and no terminator, as libFuzzer hands it over, so reading
 * past len shows up under ASan. A loaded calendar is then queried over its
 * years, and the same text loaded again must be refused (a year comes from
 * one file only) without changing the calendar. */
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xf_errs errs;
	xf_calendar *cal = xf_calendar_new();
	int years[4];

	if (cal == NULL)
		return 0;
	xf_errs_init(&errs);
	int rc = xf_calendar_load(cal, (const char *)data, size, "fuzz.txt", &errs);
	if ((rc == 0) != (xf_errs_count(&errs) == 0))
		__builtin_trap(); /* failure always says why, success never */
	size_t n = xf_calendar_years(cal, years, 4);
	if ((rc == 0) != (n > 0))
		__builtin_trap(); /* all or nothing; a loaded file covers a year */
	for (size_t i = 1; i < n && i < 4; i++)
		if (years[i] <= years[i - 1])
			__builtin_trap(); /* ascending */
	if (rc == 0) {
		bool known = false;
		xf_date end = 0;
		xf_calendar_is_workday(cal, years[0] * 10000 + 101, &known);
		if (!known)
			__builtin_trap();
		/* A window from 1 January either ends in a loaded year or is
		 * refused with a message; never loops for ever. */
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		if (xf_calendar_window_end(cal, years[0] * 10000 + 101, 5, &end,
					   &errs) == 0) {
			if (end < years[0] * 10000 + 101 ||
			    !xf_calendar_is_workday(cal, end, &known) || !known)
				__builtin_trap();
		} else if (xf_errs_count(&errs) == 0) {
			__builtin_trap();
		}
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		if (xf_calendar_load(cal, (const char *)data, size, "again.txt",
				     &errs) != -1 ||
		    xf_calendar_years(cal, NULL, 0) != n)
			__builtin_trap();
	}
	xf_errs_cleanup(&errs);
	xf_calendar_free(cal);
	return 0;
}
