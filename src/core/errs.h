/* errs: an ordered list of user-facing error messages.
 *
 * Parsers and validators do not stop at the first problem: they add one
 * message per problem here, and the edge (CLI, later the API) prints them.
 * The list is bounded so that a hostile input cannot make it grow without
 * limit; past XF_ERRS_MAX the messages are counted but not kept. */
#ifndef XF_CORE_ERRS_H
#define XF_CORE_ERRS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define XF_ERRS_MAX 200

typedef struct xf_errs {
	char **msgs;    /* kept messages, each malloc'd */
	size_t n;       /* how many are kept */
	size_t dropped; /* how many were added past XF_ERRS_MAX */
	bool internal;  /* a failure of the system (the database, memory),
			 * not of the input: the API answers 500, not 400 */
} xf_errs;

void xf_errs_init(xf_errs *e);
void xf_errs_cleanup(xf_errs *e);

/* Adds one message (printf format). Never fails: on allocation failure the
 * message is counted as dropped. */
void xf_errs_add(xf_errs *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xf_errs_vadd(xf_errs *e, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Adds from's messages (and its dropped count and internal mark) to e. */
void xf_errs_append(xf_errs *e, const xf_errs *from);

/* Total problems seen, kept or not. */
size_t xf_errs_count(const xf_errs *e);

/* Prints each kept message on its own line, each prefixed with prefix
 * (e.g. "case.json: ") when prefix is not NULL, then a line for the dropped
 * ones, if any. */
void xf_errs_print(const xf_errs *e, const char *prefix, FILE *out);

#endif
