/* sheets: the columns of each spreadsheet import, shared by the importers
 * and by `xuefen export template KIND`, so a downloaded template is always
 * exactly what the importer reads.
 *
 * Headers are matched by their Chinese title (as in the templates) or by
 * the key, ignoring surrounding spaces and a trailing "（...）" note; column
 * order does not matter; unknown columns are an error (a typo must not lose
 * a column silently). */
#ifndef XF_SERVICE_SHEETS_H
#define XF_SERVICE_SHEETS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum xf_col_type {
	XF_COL_TEXT,
	XF_COL_DATE,    /* YYYY-MM-DD (also 2025/9/26, 2025年9月26日) */
	XF_COL_MONTH,   /* YYYY-MM */
	XF_COL_NUMBER,  /* >= 0 */
	XF_COL_INTEGER, /* >= 0 */
	XF_COL_BOOL     /* 是/否, Y/N, true/false, 1/0 */
} xf_col_type;

typedef struct xf_column {
	const char *key;     /* e.g. "staff_no"; the case-format name where one exists */
	const char *title;   /* e.g. "工号", the template's header */
	xf_col_type type;
	bool required;
	const char *example; /* the template's example row */
	const char *note;    /* shown in the template's notes row */
} xf_column;

typedef struct xf_sheet_kind {
	const char *kind;    /* roster | records | xxqg | online-hours */
	const char *title;   /* 人员名册 ... */
	const xf_column *columns;
	size_t ncolumns;
	const char *help;    /* how to fill it in, Chinese */
} xf_sheet_kind;

/* The import kinds with sheets, in a fixed order; NULL-terminated by kind. */
extern const xf_sheet_kind xf_sheet_kinds[];
extern const size_t xf_sheet_kind_count;

/* The sheet kind named `kind`, or NULL. */
const xf_sheet_kind *xf_sheet_kind_find(const char *kind);

/* The column of k whose title or key matches header text h, or -1. */
int xf_sheet_column(const xf_sheet_kind *k, const char *h);

#endif
