/* audit: reading the audit log (writing is xf_store_audit, in store.h;
 * xf_audit_json here writes a row whose before/after are JSON objects).
 * Only the auditor role reads it; the database refuses UPDATE and DELETE. */
#ifndef XF_SERVICE_AUDIT_H
#define XF_SERVICE_AUDIT_H

#include <cJSON.h>
#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

typedef struct xf_audit_filter {
	const char *actor;   /* exact user name, or NULL */
	const char *action;  /* exact action ("login"), or a prefix ending in '.'
			      * ("user." matches "user.add", "user.roles"), or NULL */
	const char *from;    /* ISO date or date-time (inclusive), or NULL */
	const char *to;      /* ISO date (the whole day) or date-time (exclusive), or NULL */
	long long page;      /* 1-based */
	long long per_page;  /* 1..200 */
} xf_audit_filter;

/* Writes {"total": N, "page": P, "per_page": K, "items": [{"id", "at",
 * "actor", "action", "object", "before", "after"}]} newest first, to f
 * (before/after as the JSON they hold, or null). -1 with a message for a
 * bad filter (a date that is not a date) or a database error. */
int xf_audit_list_json(xf_store *s, const xf_audit_filter *flt, FILE *f, xf_errs *errs);

/* Appends one audit row on object whose before/after are JSON objects
 * (either may be NULL), written compact; actor NULL is "cli". 0, or -1 with
 * a message (out of memory or the database's; errs->internal). */
int xf_audit_json(xf_store *s, const char *actor, const char *action, const char *object,
		  const cJSON *before, const cJSON *after, xf_errs *errs);

#endif
