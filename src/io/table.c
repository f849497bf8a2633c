/* table: helpers shared by the spreadsheet readers (io/table.h). */
#include "io/table.h"

/* Bijective base 26, as Excel numbers columns: A..Z, AA..ZZ, AAA.. Seven
 * letters fit the 8-byte buffer; an index past "ZZZZZZZ" (never reached
 * under XF_TABLE_MAX_COLS) is shown as "?". */
void xf_table_column_name(size_t col, char *buf)
{
	char tmp[7];
	size_t n = 0;
	size_t v = col;
	for (;;) {
		if (n == sizeof(tmp)) {
			buf[0] = '?';
			buf[1] = '\0';
			return;
		}
		tmp[n++] = (char)('A' + v % 26);
		if (v < 26)
			break;
		v = v / 26 - 1;
	}
	for (size_t k = 0; k < n; k++)
		buf[k] = tmp[n - 1 - k];
	buf[n] = '\0';
}
