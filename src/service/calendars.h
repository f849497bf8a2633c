/* calendars: the working-day calendar the services use for 公示 windows
 * (docs/workflow.md, "公示 and archive").
 *
 * A year's calendar is the text of a calendar/cn-YYYY.txt file (format in
 * core/calendar.h). The files shipped with xuefen (2025, 2026) are compiled
 * into the binary; an admin adds a year, or replaces one, by loading its
 * file (PUT /api/v1/calendars/{year}, `xuefen calendar load FILE`), which
 * is kept as a row of table `calendars`. A stored row wins over the
 * shipped file of the same year. A year with neither is unknown, and a
 * window that runs into it is refused naming the year (never guessed).
 *
 * Errors: 0 on success, -1 with Chinese messages in errs (a bad file is
 * bad input; a database failure is marked internal). */
#ifndef XF_SERVICE_CALENDARS_H
#define XF_SERVICE_CALENDARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/calendar.h"
#include "core/errs.h"
#include "policy/policy.h"
#include "store/store.h"

/* The shipped files, embedded by the Makefile (tools/embed.c over
 * calendar/cn-YYYY.txt): id is the file name ("cn-2025.txt"). */
extern const xf_builtin_policy xf_builtin_calendars[];
extern const size_t xf_builtin_calendar_count;

/* The largest calendar file accepted (a year has a few dozen lines). */
#define XF_CALENDAR_FILE_MAX ((size_t)64 * 1024)

/* The calendar in force: every stored row, and the shipped file of each
 * year without one. *out is a new calendar (free with xf_calendar_free).
 * Returns 0, or -1 (nothing in *out) when the database fails or a stored
 * or shipped text no longer loads (marked internal: it was checked when
 * it was stored). */
int xf_calendars_load(xf_store *s, xf_calendar **out, xf_errs *errs);

/* Loads a year's file from text[0..len), called name in messages. The
 * file must load (xf_calendar_load: every bad line reported) and list
 * dates of exactly one year: `year`, or when year is 0 whichever year the
 * file is (then *loaded_year says which; may be NULL). It replaces that
 * year's stored row, in one transaction with an audit row "calendar.load"
 * (before: the source the year had; after: the year, the file name and
 * its counts of holidays and make-up days). All or nothing. Returns 0, or
 * -1 with the messages (nothing stored). */
int xf_calendars_put(xf_store *s, int year, const char *text, size_t len, const char *name,
		     const char *actor, int *loaded_year, xf_errs *errs);

/* One year of the calendar in force, for listings. */
typedef struct xf_calendar_year {
	int year;
	bool loaded;        /* a stored row (else the shipped file) */
	bool shipped;       /* a shipped file exists for the year */
	char loaded_by[64]; /* who loaded it ("" when shipped) */
	long long loaded_at;/* Unix seconds (0 when shipped) */
	int holidays;       /* dates listed as holiday */
	int workdays;       /* 调休 make-up working days listed */
} xf_calendar_year;

/* The years in force, ascending, into *out (a new array of *n; the caller
 * frees it). Returns 0 or -1. */
int xf_calendars_years(xf_store *s, xf_calendar_year **out, size_t *n, xf_errs *errs);

/* {"years": [{"year", "source": "shipped"|"loaded", "shipped", "loaded_by",
 *  "loaded_at" (ISO date-time, UTC, or null), "holidays", "workdays"}]}. */
int xf_calendars_list_json(xf_store *s, FILE *f, xf_errs *errs);

#endif
