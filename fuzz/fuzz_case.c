/* fuzz_case: libFuzzer target for the case-file reader (src/io/case_json.c).
 * Any bytes must end in either a valid case or messages, never a crash, an
 * out-of-bounds read or a leak. The input is passed with its exact length
 * and no terminator, as libFuzzer hands it over, so reading past len shows
 * up under ASan. */
#include <stddef.h>
#include <stdint.h>

#include "io/case.h"

/* Walks every person's inputs the way the engine would, so that wrong
 * offsets or dangling pointers are caught here rather than in the engine. */
static size_t touch(const xf_case *c)
{
	size_t sum = 0;
	for (size_t i = 0; i < c->npeople; i++) {
		xf_input in;
		xf_case_input(c, i, &in);
		for (size_t k = 0; k < in.nrecords; k++)
			sum += in.records[k].index + (size_t)in.records[k].item;
		for (size_t k = 0; k < in.nmetrics; k++)
			sum += in.metrics[k].index;
		for (size_t k = 0; k < in.nscores; k++)
			sum += in.scores[k].index;
		for (size_t k = 0; k < in.nhistory; k++)
			sum += (size_t)in.history[k].year;
		for (size_t k = 0; k < in.person->nperiods; k++)
			sum += (size_t)in.person->periods[k].from;
		sum += in.person->id[0];
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps touch() from being optimised away. */
volatile size_t fuzz_case_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xf_case c;
	xf_errs errs;

	xf_errs_init(&errs);
	if (xf_case_parse((const char *)data, size, NULL, &c, &errs) == 0)
		fuzz_case_sink += touch(&c);
	else
		fuzz_case_sink += xf_errs_count(&errs);
	xf_case_cleanup(&c);
	xf_errs_cleanup(&errs);
	return 0;
}
