/* cmd_import: `xuefen import KIND FILE [--db URL]` — all or nothing, with
 * every problem named; re-importing the same file adds nothing. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "core/file.h"
#include "service/import.h"
#include "service/sheets.h"
#include "store/store.h"

void cmd_import_help(void)
{
	printf("用法 Usage: xuefen import KIND FILE [--db URL]\n\n"
	       "把文件导入数据库：整个文件要么全部导入，要么（有任何错误时）一行也不导入；\n"
	       "每个问题都标明位置。同一文件重复导入不会重复添加。\n"
	       "Imports FILE all or nothing; re-importing the same file adds nothing.\n\n"
	       "KIND:\n"
	       "  roster        人员名册：单位和人员（姓名、工号、身份证号、手机号、单位、角色、入职日期）\n"
	       "  records       学分记录，如一次培训的签到名单\n"
	       "  xxqg          学习强国积分：月增量，或各日期的平台累计积分（换算为月增量）\n"
	       "  online-hours  网络学院课程与学时\n"
	       "                以上为 XLSX 或 CSV（UTF-8 或 GBK），表头同模板：xuefen export template KIND\n"
	       "  case    整个案例文件（JSON，见 docs/case-format.md）：单位、人员、时段、标记、\n"
	       "          学分记录、学习强国月度积分、评分和历年等级，并为单位指定该年度的学分办法\n\n"
	       "  --db URL  数据库（默认 $XUEFEN_DB 或 xuefen.db）\n");
}

int cmd_import(int argc, char **argv)
{
	const char *kind = NULL, *file = NULL, *db = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_import_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] != '-' && kind == NULL) {
			kind = argv[i];
		} else if (argv[i][0] != '-' && file == NULL) {
			file = argv[i];
		} else {
			fprintf(stderr, "xuefen import: 无法识别的参数 \"%s\" (unexpected argument)\n", argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	if (kind == NULL || file == NULL) {
		fprintf(stderr, "xuefen import: 用法 xuefen import KIND FILE [--db URL] (usage); 见 --help\n");
		return XF_EXIT_USAGE;
	}
	if (strcmp(kind, "case") != 0 && xf_sheet_kind_find(kind) == NULL) {
		fprintf(stderr, "xuefen import: 未知的导入类型 \"%s\"，应为 roster、records、xxqg、online-hours、case 之一 (unknown import kind)\n",
			kind);
		return XF_EXIT_USAGE;
	}

	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = NULL;
	char *data = NULL, *dir = NULL, *prefix = NULL;
	size_t len = 0;
	int status = XF_EXIT_INPUT;
	xf_import_report rep;

	if (xf_file_read(file, XF_FILE_MAX, &data, &len, &errs) != 0)
		goto out;
	s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL)
		goto out;
	dir = strdup(file);
	prefix = malloc(strlen(file) + 3);
	if (dir == NULL || prefix == NULL)
		goto out;
	sprintf(prefix, "%s: ", file);
	int rc = strcmp(kind, "case") == 0
			 ? xf_import_case(s, data, len, file, dirname(dir), "cli", &rep, &errs)
			 : xf_import_sheet(s, kind, data, len, file, "cli", &rep, &errs);
	if (rc != 0) {
		/* Case messages carry JSON paths; sheet messages name the file. */
		xf_errs_print(&errs, strcmp(kind, "case") == 0 ? prefix : NULL, stderr);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		goto out;
	}
	if (rep.already_imported)
		printf("%s: 此文件已于批次 %lld 导入，未重复添加 (already imported; nothing added)\n",
		       file, rep.batch_id);
	else
		printf("%s: 已导入 (imported) — 批次 %lld：%lld 人，%lld 条记录，%lld 条月度积分，"
		       "%lld 条评分，%lld 条历年等级\n",
		       file, rep.batch_id, rep.people, rep.records, rep.metrics, rep.scores, rep.history);
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen import: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	free(data);
	free(dir);
	free(prefix);
	return status;
}
