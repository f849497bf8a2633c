/* num: the project's number rules: rounding half-up to 2 decimals (the
 * contract of every number in an assessment result) and checked parsing. */
#ifndef XF_CORE_NUM_H
#define XF_CORE_NUM_H

#include <stdbool.h>

/* Rounds half-up (away from zero for the .5 case) to 2 decimals. The tiny
 * bias absorbs binary representation error, so 1.005 rounds to 1.01 and
 * 81.325 to 81.33 as a clerk with a calculator would get. */
double xf_round2(double v);

/* Rounds half-up to a whole number (class hours: minutes / 45). */
double xf_round0(double v);

/* Parses a whole decimal string into *out: optional '-', digits, optional
 * fraction; nothing else, no leading/trailing space. Returns 0 or -1. */
int xf_parse_double(const char *s, double *out);

/* Formats v (already rounded to 2 decimals) the way results print it:
 * the shortest of "14.0", "14.5", "58.33". buf needs 32 bytes. */
void xf_format_num(double v, char *buf);

/* v rounded to 2 decimals for a sentence, without trailing zeros: "7",
 * "6.5", "58.33" (xf_format_num keeps "7.0"). Returns buf (32 bytes). */
const char *xf_format_short(double v, char buf[32]);

#endif
