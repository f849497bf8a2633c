/* export: the store's data written out in the formats offices use. */
#ifndef XF_SERVICE_EXPORT_H
#define XF_SERVICE_EXPORT_H

#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* Writes the year's data (for one unit when unit is not NULL) as a case
 * file to f. The scope must use one policy; with several, errs asks for a
 * unit. *people receives how many people were written. Output may be
 * partial on failure: callers write to a buffer and keep it on success. */
int xf_export_case(xf_store *s, int year, const char *unit, FILE *f, long long *people,
		   xf_errs *errs);

#endif
