/* file: reading a whole file into memory, with a size cap. */
#ifndef XF_CORE_FILE_H
#define XF_CORE_FILE_H

#include <stddef.h>

#include "core/errs.h"

/* Default cap for input files (case files, policies): 1 GiB. */
#define XF_FILE_MAX ((size_t)1 << 30)

/* Reads path into a new NUL-terminated buffer (*out, length *len, caller
 * frees). Returns 0, or -1 with a message naming the file in errs. "-"
 * reads standard input. */
int xf_file_read(const char *path, size_t max, char **out, size_t *len,
		 xf_errs *errs);

#endif
