/* file: whole-file reads with a cap and a clear message on failure. */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xf_file_read(const char *path, size_t max, char **out, size_t *len,
		 xf_errs *errs)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	if (f == NULL) {
		xf_errs_add(errs, "%s: 无法打开文件：%s (cannot open file)", path,
			    strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - n < 65536) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= n) {
				xf_errs_add(errs, "%s: 文件超过 %zu 字节上限 (file too large)",
					    path, max);
				goto out;
			}
			char *nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				xf_errs_add(errs, "%s: 内存不足 (out of memory)", path);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		xf_errs_add(errs, "%s: 读取失败 (read error)", path);
		goto out;
	}
	if (n > max) {
		xf_errs_add(errs, "%s: 文件超过 %zu 字节上限 (file too large)", path, max);
		goto out;
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL) {
			xf_errs_add(errs, "%s: 内存不足 (out of memory)", path);
			goto out;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}
