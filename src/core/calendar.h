/* calendar: China's official working-day calendar, used to count the
 * working days of a 公示 (publication for objection) window.
 *
 * Monday to Friday are working days and Saturday and Sunday are not, except
 * the dates the State Council lists each year: public holidays (holiday)
 * and 调休 make-up working days (workday). Those lists come from text files,
 * one per year (calendar/cn-YYYY.txt), loaded here from memory: the module
 * does no I/O. A year for which no file was loaded is unknown, and nothing
 * is computed on it: guessing "weekdays only" would silently shorten or
 * lengthen a window over a holiday nobody listed.
 *
 * File format (UTF-8, LF or CRLF lines): blank lines and lines starting
 * with "#" are ignored; every other line is
 *     YYYY-MM-DD holiday|workday NAME
 * with the fields separated by spaces or tabs and NAME (e.g. 国庆节) the
 * rest of the line. */
#ifndef XF_CORE_CALENDAR_H
#define XF_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/errs.h"

typedef struct xf_calendar xf_calendar;

/* A new, empty calendar (no year known), or NULL when out of memory.
 * Free it with xf_calendar_free. */
xf_calendar *xf_calendar_new(void);

/* Frees the calendar; NULL is allowed. */
void xf_calendar_free(xf_calendar *cal);

/* Adds the days of one file, text[0..len) (need not be NUL-terminated),
 * called name in messages. The years the file covers are the years of its
 * dates; a year must come whole from one file, so a year already loaded by
 * an earlier call is refused. Every bad line is reported in errs as
 * "NAME:LINE: reason" (in Chinese): a bad date, an unknown kind, a missing
 * name, a date given twice or as both kinds, a make-up workday on a
 * weekday (it is one already). A file with no date at all is refused too.
 * Returns 0, or -1 with the calendar unchanged (nothing of the file is
 * added when any line is bad; errs->internal is set when memory ran out). */
int xf_calendar_load(xf_calendar *cal, const char *text, size_t len,
		     const char *name, xf_errs *errs);

/* The loaded years, ascending: writes up to cap of them to years (which may
 * be NULL when cap is 0) and returns how many there are in all. */
size_t xf_calendar_years(const xf_calendar *cal, int *years, size_t cap);

/* Whether date is a working day. *known (may be NULL) is set to false, and
 * false returned, when the date is not a real date or its year has no file
 * loaded; otherwise *known is true. */
bool xf_calendar_is_workday(const xf_calendar *cal, xf_date date, bool *known);

/* The last day of a window of n working days published on start: the
 * window starts on start when that is a working day, else on the next
 * working day, and ends at the end of its nth working day. E.g. published
 * on 2025-09-26 with n = 5 it ends on 2025-10-09. Returns 0 with *end set,
 * or -1 (*end untouched) with a message in errs when start is not a real
 * date, n < 1, or the window runs into a year with no file loaded (the
 * message names that year). */
int xf_calendar_window_end(const xf_calendar *cal, xf_date start, int n,
			   xf_date *end, xf_errs *errs);

#endif
