/* csv: the CSV reader behind the importers (roster, records, 学习强国
 * points, online class hours). Turns the bytes of a spreadsheet exported as
 * CSV — UTF-8 with or without BOM, GBK/GB18030, or Excel's UTF-16LE
 * "Unicode text" — into rows for the table interface (io/table.h). */
#ifndef XF_IO_CSV_H
#define XF_IO_CSV_H

#include <stddef.h>

#include "core/errs.h"
#include "io/table.h"

/* Reads the CSV file in data[0..len) (no terminator needed; the bytes are
 * not modified and not kept) and calls fn(ctx, row, cells, ncells) for each
 * row that has at least one non-empty cell, in file order.
 *
 * Encoding: a UTF-8 BOM means UTF-8 (BOM skipped); an FF FE BOM means
 * UTF-16LE, tab-separated; otherwise UTF-8 when the whole input is valid
 * UTF-8, else GB18030 (a superset of GBK). Cells always arrive as UTF-8.
 * Syntax: RFC 4180 with a comma separator, or a semicolon or tab when the
 * first line has no comma (the more frequent of the two; the separator of a
 * UTF-16LE file is always tab); "" inside quotes is one "; quoted cells may
 * span lines and keep their bytes as they are; CRLF, LF and CR end lines;
 * unquoted cells lose their leading and trailing spaces (and tabs, unless
 * tab is the separator); spaces before an opening and after a closing
 * quote are ignored. row is the line where the record starts.
 *
 * Returns 0 when every row was delivered; the callback's value when it
 * returned non-zero (reading stops there); -1 when the file is malformed
 * (a quote never closed, text after a closing quote, a NUL byte, bytes in
 * none of the encodings above, more than XF_TABLE_MAX_COLS cells in a row,
 * a cell over XF_TABLE_MAX_CELL bytes, more than XF_TABLE_MAX_ROWS rows) or
 * memory ran out, with one message added to errs, as
 * "NAME: 第 N 行：中文 (English)" (NAME omitted when name is NULL), naming
 * the column too where one applies ("第 N 行 B 列：..."); the row limit
 * counts delivered rows. Reading stops at the first problem:
 * rows before it have already been delivered, so a caller that must take
 * all or nothing discards what it built on a non-zero return. */
int xf_csv_read(const char *data, size_t len, const char *name, xf_row_fn fn,
		void *ctx, xf_errs *errs);

#endif
