/* cmd_export: `xuefen export case --year YEAR [--unit CODE] [-o FILE]` —
 * the database written back as a case file. Output appears only whole: it
 * is built in memory and written (to FILE via a temporary and a rename)
 * when complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "service/export.h"
#include "store/store.h"

void cmd_export_help(void)
{
	printf("用法 Usage: xuefen export case --year YEAR [--unit CODE] [-o FILE] [--db URL]\n\n"
	       "把数据库中某年度的数据导出为案例文件（JSON，见 docs/case-format.md）：\n"
	       "人员、时段、标记、学分记录、月度积分、评分和历年等级。导入后再导出得到相同的数据。\n"
	       "Writes the year's data back as a case file (import, then export: same data).\n\n"
	       "  -o FILE   写入文件（默认标准输出）\n");
}

static int write_out(const char *out, const char *buf, size_t len)
{
	if (out == NULL)
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
	size_t n = strlen(out) + 5;
	char *tmp = malloc(n);
	if (tmp == NULL)
		return -1;
	snprintf(tmp, n, "%s.tmp", out);
	FILE *f = fopen(tmp, "wb");
	int rc = -1;
	if (f != NULL) {
		rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
		if (fclose(f) != 0)
			rc = -1;
		if (rc == 0 && rename(tmp, out) != 0)
			rc = -1;
		if (rc != 0)
			remove(tmp);
	}
	free(tmp);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	const char *kind = NULL, *year_arg = NULL, *unit = NULL, *db = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_export_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
			year_arg = argv[++i];
		} else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
			unit = argv[++i];
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] != '-' && kind == NULL) {
			kind = argv[i];
		} else {
			fprintf(stderr, "xuefen export: 无法识别的参数 \"%s\" (unexpected argument)\n", argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	if (kind == NULL || strcmp(kind, "case") != 0) {
		fprintf(stderr, "xuefen export: 本版本支持导出 case (supported: case); 见 xuefen export --help\n");
		return XF_EXIT_USAGE;
	}
	char *end = NULL;
	long year = year_arg ? strtol(year_arg, &end, 10) : 0;
	if (year_arg == NULL || *end != '\0' || year < 1900 || year > 2999) {
		fprintf(stderr, "xuefen export: 需要 --year YEAR（1900 到 2999）(need --year)\n");
		return XF_EXIT_USAGE;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	long long people = 0;
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	FILE *mem = s ? open_memstream(&buf, &len) : NULL;
	if (mem != NULL) {
		int rc = xf_export_case(s, (int)year, unit, mem, &people, &errs);
		fclose(mem);
		if (rc == 0) {
			if (write_out(out, buf, len) == 0) {
				status = XF_EXIT_OK;
				if (out)
					printf("已导出 %lld 人到 %s (exported)\n", people, out);
			} else {
				xf_errs_add(&errs, "%s: 写入失败 (cannot write)", out ? out : "stdout");
			}
		}
	}
	xf_errs_print(&errs, "xuefen export: ", stderr);
	xf_errs_cleanup(&errs);
	free(buf);
	xf_store_close(s);
	return status;
}
