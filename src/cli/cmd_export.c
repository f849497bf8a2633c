/* cmd_export: `xuefen export case|template|results ...`.
 *   case      the database written back as a case file. Output appears
 *             only whole: it is built in memory and written (to FILE via a
 *             temporary and a rename) when complete.
 *   template  an import template (XLSX) for a sheet kind.
 *   results   the year's assessment results as XLSX or CSV.
 * The spreadsheet exports write through a temporary file themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "service/export.h"
#include "service/export_sheet.h"
#include "service/sheets.h"
#include "store/store.h"

void cmd_export_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen export case --year YEAR [--unit CODE] [-o FILE] [--db URL]\n"
	       "  xuefen export template KIND -o FILE.xlsx\n"
	       "  xuefen export results --year YEAR [--unit CODE] --format xlsx|csv -o FILE [--db URL]\n\n"
	       "case      把数据库中某年度的数据导出为案例文件（JSON，见 docs/case-format.md）：\n"
	       "          人员、时段、标记、学分记录、月度积分、评分和历年等级。导入后再导出得到相同的数据。\n"
	       "          (the year's data as a case file; import, then export: same data)\n"
	       "template  导入模板（XLSX）：第 1 行为列标题（带 * 的必填），第 2 行为示例，另附“填写说明”。\n"
	       "          KIND 为 roster（人员名册）、records（学分记录）、xxqg（学习强国积分）、\n"
	       "          online-hours（网络学院学时）。(an import template for a sheet kind)\n"
	       "results   年度评估结果（每个学分办法最近一次 xuefen assess 的结果）：\n"
	       "          xlsx 为“汇总”表加每个单位一张表；csv 为一个文件（UTF-8 带 BOM，Excel 可直接打开）。\n"
	       "          (the year's latest assessment results: a summary and a sheet per unit, or one CSV)\n\n"
	       "  --year YEAR       年度 (the year)\n"
	       "  --unit CODE       只导出该单位 (only this unit)\n"
	       "  --format FORMAT   results 的格式：xlsx 或 csv (xlsx or csv)\n"
	       "  -o FILE           写入文件；case 默认标准输出，template 和 results 必填\n"
	       "                    (output file; case defaults to stdout)\n"
	       "  --db URL          数据库（默认 $XUEFEN_DB 或 xuefen.db）(the database)\n");
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

/* The parsed command line. */
typedef struct export_args {
	const char *what;     /* case | template | results */
	const char *arg;      /* template: the sheet kind */
	const char *year_arg, *unit, *db, *out, *format;
} export_args;

/* The --year value, or -1 after a usage message. */
static long parse_year(const char *year_arg)
{
	char *end = NULL;
	long year = year_arg ? strtol(year_arg, &end, 10) : 0;
	if (year_arg == NULL || *end != '\0' || year < 1900 || year > 2999) {
		fprintf(stderr, "xuefen export: 需要 --year YEAR（1900 到 2999）(need --year)\n");
		return -1;
	}
	return year;
}

/* Every export of the database's data is audited (a template holds none). */
static int audit_export(xf_store *s, const char *action, long year, const char *unit,
			xf_errs *errs)
{
	char object[128];
	snprintf(object, sizeof(object), "year:%ld%s%s", year, unit ? " unit:" : "",
		 unit ? unit : "");
	xf_audit_entry e = {.actor = "cli", .action = action, .object = object};
	return xf_store_audit(s, &e, errs);
}

static int export_case(const export_args *a)
{
	if (a->arg != NULL || a->format != NULL) {
		fprintf(stderr, "xuefen export case: 无法识别的参数 \"%s\" (unexpected argument)\n",
			a->arg ? a->arg : "--format");
		return XF_EXIT_USAGE;
	}
	long year = parse_year(a->year_arg);
	if (year < 0)
		return XF_EXIT_USAGE;
	const char *unit = a->unit, *out = a->out;
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	long long people = 0;
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(a->db), XF_STORE_OPEN, &errs);
	FILE *mem = s ? open_memstream(&buf, &len) : NULL;
	if (mem != NULL) {
		int rc = xf_export_case(s, (int)year, unit, mem, &people, &errs);
		fclose(mem);
		if (rc == 0 && audit_export(s, "export.case", year, unit, &errs) == 0) {
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

static int export_template(const export_args *a)
{
	if (a->year_arg != NULL || a->unit != NULL || a->format != NULL || a->db != NULL) {
		fprintf(stderr, "xuefen export template: 只接受 KIND 和 -o FILE (only KIND and -o FILE)\n");
		return XF_EXIT_USAGE;
	}
	if (a->arg == NULL || a->out == NULL) {
		fprintf(stderr, "xuefen export template: 用法 xuefen export template KIND -o FILE.xlsx，"
				"KIND 为 roster、records、xxqg 或 online-hours (usage)\n");
		return XF_EXIT_USAGE;
	}
	if (xf_sheet_kind_find(a->arg) == NULL) {
		fprintf(stderr, "xuefen export template: 未知的模板类型 \"%s\"，可选：roster, records, "
				"xxqg, online-hours (unknown template kind)\n", a->arg);
		return XF_EXIT_USAGE;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	if (xf_export_template(a->arg, a->out, &errs) == 0) {
		status = XF_EXIT_OK;
		printf("已写入模板 %s (template written)\n", a->out);
	}
	xf_errs_print(&errs, "xuefen export: ", stderr);
	xf_errs_cleanup(&errs);
	return status;
}

static int export_results(const export_args *a)
{
	if (a->arg != NULL) {
		fprintf(stderr, "xuefen export results: 无法识别的参数 \"%s\" (unexpected argument)\n", a->arg);
		return XF_EXIT_USAGE;
	}
	long year = parse_year(a->year_arg);
	if (year < 0)
		return XF_EXIT_USAGE;
	if (a->format == NULL || (strcmp(a->format, "xlsx") != 0 && strcmp(a->format, "csv") != 0)) {
		fprintf(stderr, "xuefen export results: 需要 --format xlsx 或 csv，而不是 \"%s\" "
				"(need --format xlsx|csv)\n", a->format ? a->format : "");
		return XF_EXIT_USAGE;
	}
	if (a->out == NULL) {
		fprintf(stderr, "xuefen export results: 需要 -o FILE (need -o FILE)\n");
		return XF_EXIT_USAGE;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(a->db), XF_STORE_OPEN, &errs);
	if (s != NULL && xf_export_results(s, (int)year, a->unit, a->format, a->out, &errs) == 0 &&
	    audit_export(s, "export.results", year, a->unit, &errs) == 0) {
		status = XF_EXIT_OK;
		printf("已导出评估结果到 %s (results exported)\n", a->out);
	}
	xf_errs_print(&errs, "xuefen export: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static const struct {
	const char *name;
	int (*run)(const export_args *a);
} exports[] = {
	{"case", export_case},
	{"template", export_template},
	{"results", export_results},
};

int cmd_export(int argc, char **argv)
{
	export_args a = {0};
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_export_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
			a.year_arg = argv[++i];
		} else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
			a.unit = argv[++i];
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			a.db = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			a.out = argv[++i];
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			a.format = argv[++i];
		} else if (argv[i][0] != '-' && a.what == NULL) {
			a.what = argv[i];
		} else if (argv[i][0] != '-' && a.arg == NULL) {
			a.arg = argv[i];
		} else {
			fprintf(stderr, "xuefen export: 无法识别的参数 \"%s\" (unexpected argument)\n", argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	for (size_t i = 0; a.what != NULL && i < sizeof(exports) / sizeof(exports[0]); i++)
		if (strcmp(a.what, exports[i].name) == 0)
			return exports[i].run(&a);
	fprintf(stderr, "xuefen export: 可导出 case、template、results (supported: case, template, "
			"results); 见 xuefen export --help\n");
	return XF_EXIT_USAGE;
}
