/* table: the row-by-row view of a spreadsheet that importers consume,
 * whatever the file was (CSV in UTF-8 or GBK/GB18030, or XLSX).
 *
 * Readers call a row function once per non-empty row, in file order, with
 * the row's cells as UTF-8 strings. Dates in XLSX cells formatted as dates
 * arrive as "YYYY-MM-DD"; other numbers as their shortest decimal text.
 * Rows are numbered as the user sees them (CSV: the line where the record
 * starts; XLSX: the sheet's row number), so error reports can name them. */
#ifndef XF_IO_TABLE_H
#define XF_IO_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/errs.h"

/* Limits every reader enforces; past them the file is refused with a
 * message (never truncated silently). */
#define XF_TABLE_MAX_COLS 256
#define XF_TABLE_MAX_CELL 65536           /* bytes of one cell */
#define XF_TABLE_MAX_ROWS 20000000u

/* Called for each row: row is 1-based as the user sees it; cells[i] is the
 * i-th column's text ("" for an empty cell), valid only during the call.
 * Return 0 to go on, anything else to stop (the reader then returns it). */
typedef int (*xf_row_fn)(void *ctx, uint32_t row, const char *const *cells,
			 size_t ncells);

/* Column letter(s) for a 0-based index, as Excel shows them (0 -> "A",
 * 26 -> "AA"). buf needs 8 bytes. */
void xf_table_column_name(size_t col, char *buf);

#endif
