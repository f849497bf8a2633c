/* fuzz_xlsx: libFuzzer target for the XLSX reader (src/io/xlsx_read.c).
 * Any bytes must end in rows or messages, never a crash, an out-of-bounds
 * read or a leak. The caps are lowered (2 MiB per part, 100,000 shared
 * strings and rows) so that no input can run past about a second or a few
 * hundred MB under the sanitizers; the default caps are exercised by the
 * unit tests. The fuzz build does not define
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, hence xf_xlsx_read_limits. */
#include <stddef.h>
#include <stdint.h>

#include "io/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the cell walk from being optimised away. */
volatile size_t fuzz_xlsx_sink;

/* Reads every byte of every cell, so that a cell pointing at freed or
 * unterminated memory shows up under ASan here. */
static int touch(void *ctx, uint32_t row, const char *const *cells,
		 size_t ncells)
{
	size_t sum = row;
	for (size_t i = 0; i < ncells; i++)
		for (const char *p = cells[i]; *p != '\0'; p++)
			sum += (unsigned char)*p;
	fuzz_xlsx_sink += sum;
	return 0;
}

static int sheet_name(void *ctx, int index, const char *name)
{
	fuzz_xlsx_sink += (size_t)index + (unsigned char)name[0];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const xf_xlsx_limits lim = {
		.sheet_bytes = 2u << 20,
		.sst_bytes = 2u << 20,
		.meta_bytes = 1u << 20,
		.strings = 100000,
		.string_bytes = 2u << 20,
		.rows = 100000,
	};
	xf_errs errs;

	xf_errs_init(&errs);
	if (xf_xlsx_read_limits((const char *)data, size, "fuzz.xlsx", 0,
				touch, NULL, &errs, &lim) != 0) {
		fuzz_xlsx_sink += xf_errs_count(&errs);
		xf_errs_cleanup(&errs);
		return 0;
	}
	xf_errs_cleanup(&errs);
	/* The listing runs under the default caps: only after the read has
	 * shown the workbook part to be under the 1 MiB cap above. */
	xf_errs_init(&errs);
	fuzz_xlsx_sink += (size_t)xf_xlsx_sheets((const char *)data, size,
						 NULL, sheet_name, NULL, &errs);
	xf_errs_cleanup(&errs);
	return 0;
}
