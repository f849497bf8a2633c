/* xlsx: the XLSX reader behind the importers (roster, records, 学习强国
 * points, online class hours). Turns one worksheet of an Excel workbook
 * held in memory into rows for the table interface (io/table.h), streaming
 * the sheet's XML and never building a tree. The input is an untrusted
 * upload: every size the file declares, and every byte actually inflated,
 * is checked against a cap. */
#ifndef XF_IO_XLSX_H
#define XF_IO_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "core/errs.h"
#include "io/table.h"

/* Caps a read enforces. xf_xlsx_read uses the defaults below; tests and
 * the fuzz target lower them through xf_xlsx_read_limits. A zero field
 * means "the default". */
typedef struct xf_xlsx_limits {
	uint64_t sheet_bytes;   /* inflated worksheet XML (256 MiB) */
	uint64_t sst_bytes;     /* inflated xl/sharedStrings.xml (256 MiB) */
	uint64_t meta_bytes;    /* workbook.xml, .rels, styles.xml (16 MiB) */
	uint64_t strings;       /* shared strings, count (5,000,000) */
	uint64_t string_bytes;  /* shared strings, total text (256 MiB) */
	uint32_t depth;         /* XML element nesting (64) */
	uint32_t rows;          /* row number / rows delivered
				   (XF_TABLE_MAX_ROWS) */
} xf_xlsx_limits;

/* Reads worksheet number `sheet` (0 = the first in workbook order, hidden
 * sheets included; resolved through xl/workbook.xml and its .rels) of the
 * .xlsx file in data[0..len) (not modified, not kept) and calls
 * fn(ctx, row, cells, ncells) for each row with at least one non-empty
 * cell, in file order, row being the sheet's row number.
 *
 * Cells arrive as UTF-8 text at their column (a missing cell is "";
 * trailing empty cells are not delivered): shared, inline and formula
 * strings as written (rich-text runs joined, phonetic runs dropped,
 * _xHHHH_ escapes decoded); booleans as "TRUE"/"FALSE"; errors as their
 * text ("#DIV/0!"); formulas as their cached value; numbers as the shortest
 * decimal that reads back to the same double ("45", "0.1"); numbers styled
 * with a date format as "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when the
 * value has a time of day (Excel 1900 serials with the 1900-02-29 bug, or
 * the 1904 system when the workbook says so), and as "HH:MM:SS" when the
 * format is a time of day only or the serial is below one day.
 *
 * Returns 0 when every row was delivered; the callback's value when it
 * returned non-zero (reading stops there); -1 when the file is not a
 * readable XLSX, breaks a limit, or memory ran out, with one message added
 * to errs as "NAME: 中文 (English)" (NAME omitted when NULL) naming the
 * sheet, row and cell where one applies. Rows before a problem have
 * already been delivered: a caller that must take all or nothing discards
 * what it built on a non-zero return. */
int xf_xlsx_read(const char *data, size_t len, const char *name, int sheet,
		 xf_row_fn fn, void *ctx, xf_errs *errs);

/* xf_xlsx_read with caps from lim (NULL or zero fields: the defaults). */
int xf_xlsx_read_limits(const char *data, size_t len, const char *name,
			int sheet, xf_row_fn fn, void *ctx, xf_errs *errs,
			const xf_xlsx_limits *lim);

/* Called once per sheet in workbook order, as the tabs show them (chart
 * sheets included, so index matches xf_xlsx_read's sheet); index is
 * 0-based, sheet is the tab name (valid only during the call). Non-zero
 * stops the listing. */
typedef int (*xf_xlsx_sheet_fn)(void *ctx, int index, const char *sheet);

/* Lists the workbook's sheets through fn (may be NULL). Returns the number
 * of sheets, or -1 with one message in errs as for xf_xlsx_read. */
int xf_xlsx_sheets(const char *data, size_t len, const char *name,
		   xf_xlsx_sheet_fn fn, void *ctx, xf_errs *errs);

/* The number of sheets, or -1 with a message in errs. */
int xf_xlsx_sheet_count(const char *data, size_t len, const char *name,
			xf_errs *errs);

#endif
