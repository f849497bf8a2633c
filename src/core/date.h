/* date: strict parsing of the calendar dates and months used in case files
 * and imports, and the month arithmetic the policies need. */
#ifndef XF_CORE_DATE_H
#define XF_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* A calendar date packed as yyyymmdd (e.g. 20250926); 0 means "none". */
typedef int32_t xf_date;

#define XF_DATE_YEAR(d) ((int)((d) / 10000))
#define XF_DATE_MONTH(d) ((int)((d) / 100 % 100))
#define XF_DATE_DAY(d) ((int)((d) % 100))

/* Parses exactly "YYYY-MM-DD" (a real date, years 1900..2999) into *out.
 * Returns 0 on success, -1 otherwise (*out untouched). */
int xf_date_parse(const char *s, xf_date *out);

/* Parses exactly "YYYY-MM" into *year and *month. Returns 0 or -1. */
int xf_month_parse(const char *s, int *year, int *month);

/* Days in the month (28..31). */
int xf_days_in_month(int year, int month);

/* "YYYY-MM-DD" of a date into buf (11 bytes). Returns buf. */
const char *xf_date_text(xf_date d, char buf[11]);

/* The day after and the day before a valid date. */
xf_date xf_date_next(xf_date d);
xf_date xf_date_prev(xf_date d);

/* Days from a to b (b - a; 0 when they are the same day) of valid dates. */
long long xf_date_days(xf_date a, xf_date b);

/* Unix seconds t as UTC "2026-11-23T20:40:12Z" in out (32 bytes); "" for 0
 * (not set) or a time that cannot be shown. Returns out. */
const char *xf_iso_utc(long long t, char out[32]);

/* A set of the 12 months of one year, bit m-1 for month m. */
typedef uint16_t xf_monthset;
#define XF_MONTHS_ALL ((xf_monthset)0x0FFF)

/* The months of `year` covered by from..to (inclusive, by calendar month),
 * empty when the range does not touch the year or to < from. */
xf_monthset xf_monthset_range(int year, xf_date from, xf_date to);

/* Number of months in a set. */
int xf_monthset_count(xf_monthset s);

#endif
