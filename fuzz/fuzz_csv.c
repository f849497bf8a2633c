/* fuzz_csv: libFuzzer target for the CSV reader (src/io/csv.c). Any bytes
 * must end in rows or one message, never a crash, an out-of-bounds read or
 * a leak. The input is passed with its exact length and no terminator, as
 * libFuzzer hands it over, so reading past len shows up under ASan. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/csv.h"

/* Keeps the callback's reads from being optimised away. */
volatile size_t fuzz_csv_sink;

/* Whether s[0..n) is valid UTF-8 (cells are promised as UTF-8). */
static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t need = b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 :
			      b >= 0xE0 && b <= 0xEF ? 2 :
			      b >= 0xF0 && b <= 0xF4 ? 3 : 4;
		if (need == 4 || n - i <= need)
			return need == 0;
		for (size_t k = 1; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* Reads every byte of every cell, so that a cell pointer outside the row
 * buffer or a missing terminator is caught here, and checks the promises
 * of io/table.h that a reader can break. */
static int touch(void *ctx, uint32_t row, const char *const *cells,
		 size_t ncells)
{
	uint32_t *last = ctx;
	size_t sum = 0;
	int any = 0;
	if (row <= *last || ncells == 0 || ncells > XF_TABLE_MAX_COLS)
		__builtin_trap();
	*last = row;
	for (size_t i = 0; i < ncells; i++) {
		size_t n = strlen(cells[i]);
		if (n > XF_TABLE_MAX_CELL)
			__builtin_trap();
		any |= n > 0;
		if (!utf8_ok((const unsigned char *)cells[i], n))
			__builtin_trap();
		for (size_t k = 0; k < n; k++)
			sum += (unsigned char)cells[i][k];
	}
	if (!any)
		__builtin_trap(); /* rows of empty cells are not delivered */
	fuzz_csv_sink += sum;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xf_errs errs;
	uint32_t last = 0;

	xf_errs_init(&errs);
	int rc = xf_csv_read((const char *)data, size, "fuzz.csv", touch, &last,
			     &errs);
	if ((rc == 0) != (xf_errs_count(&errs) == 0))
		__builtin_trap(); /* failure always says why, success never */
	xf_errs_cleanup(&errs);
	return 0;
}
