/* import: bringing outside data into the store, all or nothing.
 *
 * Every import runs in one transaction: any bad row rejects the whole file
 * and the store is left as it was. A file is remembered by its SHA-256, so
 * importing the same file again adds nothing. Every import is audited. */
#ifndef XF_SERVICE_IMPORT_H
#define XF_SERVICE_IMPORT_H

#include <stddef.h>

#include "core/errs.h"
#include "store/store.h"

typedef struct xf_import_report {
	long long batch_id;
	int already_imported;  /* 1: the same file came before; nothing added */
	long long people, records, metrics, scores, history;
} xf_import_report;

/* Imports a whole case file (spec/case-format.md): its units, people,
 * periods, flags, records, metrics, scores and history, and assigns the
 * case's policy to its units for its year. The case is validated exactly as
 * `xuefen assess` validates it; problems go to errs with their JSON paths
 * and nothing is written. name is the file name for messages and the batch;
 * base_dir resolves a relative policy path. */
int xf_import_case(xf_store *s, const char *json, size_t len, const char *name,
		   const char *base_dir, const char *actor, xf_import_report *rep,
		   xf_errs *errs);

/* Imports a spreadsheet of kind roster, records, xxqg or online-hours
 * (src/service/sheets.c has the columns) from XLSX (detected by content) or
 * CSV in UTF-8 or GBK/GB18030. The first row is the header. Any bad row
 * rejects the whole file: errs lists every bad row with its row number,
 * column and reason, and the store is unchanged. */
int xf_import_sheet(xf_store *s, const char *kind, const char *data, size_t len,
		    const char *name, const char *actor, xf_import_report *rep, xf_errs *errs);

/* The same checks and counts, then everything rolled back: what the import
 * would do (the web UI's "check before importing"). A file imported before
 * reports already_imported, as the import would. */
int xf_import_case_check(xf_store *s, const char *json, size_t len, const char *name,
			 const char *base_dir, const char *actor, xf_import_report *rep,
			 xf_errs *errs);
int xf_import_sheet_check(xf_store *s, const char *kind, const char *data, size_t len,
			  const char *name, const char *actor, xf_import_report *rep,
			  xf_errs *errs);

/* The lower-case hex SHA-256 of data (65 bytes with the NUL). */
void xf_sha256_hex(const void *data, size_t len, char out[65]);

#endif
