/* fuzz_config: libFuzzer target for the settings file reader
 * (src/api/config.c). Any input must either load or be refused with
 * messages, leaving the settings as they were; never crash, hang or leak.
 * xf_config_load reads a file, so each input is written to one temporary
 * file first. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_file(void)
{
	unlink(path);
}

/* Replaces the temporary file's content with the input. */
static int write_input(const uint8_t *data, size_t size)
{
	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/fuzz-config-XXXXXX");
		int fd = mkstemp(path);
		if (fd < 0)
			return -1;
		close(fd);
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	size_t n = size ? fwrite(data, 1, size, f) : 0;
	return fclose(f) != 0 || n != size ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (write_input(data, size) != 0)
		return 0;
	xf_config c;
	xf_config_defaults(&c);
	char *listen = c.listen;
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_config_load(&c, path, &errs) != 0) {
		if (xf_errs_count(&errs) == 0)
			__builtin_trap(); /* refused without saying why */
		if (c.listen != listen || c.threads != 0 || c.db != NULL)
			__builtin_trap(); /* changed although refused */
	} else if (xf_errs_count(&errs) != 0) {
		__builtin_trap(); /* loaded, yet with messages */
	}
	xf_errs_cleanup(&errs);
	xf_config_cleanup(&c);
	return 0;
}
