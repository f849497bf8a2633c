/* cmd_calendar: `xuefen calendar list|load FILE` — the working-day
 * calendars the 公示 windows are counted by (service/calendars.h): the
 * years in force and where each comes from, and loading a year's file
 * (all or nothing, audited with the actor "cli"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "core/file.h"
#include "service/calendars.h"
#include "store/store.h"

void cmd_calendar_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen calendar list [--db URL]\n"
	       "  xuefen calendar load FILE [--db URL]\n\n"
	       "公示期按工作日计算（5 个工作日），工作日以国务院公布的法定节假日和调休上班日为准。\n"
	       "The 公示 window counts working days by the official holidays and make-up days.\n\n"
	       "  list        列出已有工作日历的年度及其来源（内置 shipped / 载入 loaded）\n"
	       "  load FILE   载入一个年度的工作日历文件（格式同 calendar/cn-YYYY.txt：\n"
	       "              每行“YYYY-MM-DD holiday|workday 名称”），替换该年度已载入的日历；\n"
	       "              任何一行有误则不载入，并逐行列出问题\n"
	       "  --db URL    数据库（默认 $XUEFEN_DB 或 xuefen.db）\n\n"
	       "没有工作日历的年度不能计算公示期：公示期跨入该年度时，发布会被拒绝并说明年度。\n");
}

int cmd_calendar(int argc, char **argv)
{
	const char *db = NULL, *sub = NULL, *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_calendar_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] != '-' && sub == NULL) {
			sub = argv[i];
		} else if (argv[i][0] != '-' && sub && strcmp(sub, "load") == 0 && file == NULL) {
			file = argv[i];
		} else {
			fprintf(stderr, "xuefen calendar: 无法识别的参数 \"%s\" (unexpected argument); "
					"见 xuefen calendar --help\n",
				argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	if (sub == NULL) {
		fprintf(stderr, "xuefen calendar: 缺少子命令 list 或 load (missing subcommand)\n");
		return XF_EXIT_USAGE;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "load") != 0) {
		fprintf(stderr, "xuefen calendar: 未知子命令 \"%s\"，应为 list 或 load (unknown subcommand)\n",
			sub);
		return XF_EXIT_USAGE;
	}
	if (strcmp(sub, "load") == 0 && file == NULL) {
		fprintf(stderr, "xuefen calendar load: 缺少文件 FILE (missing file)\n");
		return XF_EXIT_USAGE;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	char *text = NULL;
	size_t len = 0;
	xf_calendar_year *years = NULL;
	size_t n = 0;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL)
		goto out;
	if (strcmp(sub, "load") == 0) {
		int year = 0;
		if (xf_file_read(file, XF_CALENDAR_FILE_MAX, &text, &len, &errs) != 0 ||
		    xf_calendars_put(s, 0, text, len, file, "cli", &year, &errs) != 0)
			goto out;
		printf("已载入 %d 年的工作日历 (loaded the calendar of %d)\n", year, year);
		status = XF_EXIT_OK;
		goto out;
	}
	if (xf_calendars_years(s, &years, &n, &errs) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char at[32] = "";
		if (years[i].loaded) {
			time_t t = (time_t)years[i].loaded_at;
			struct tm tm;
			if (localtime_r(&t, &tm) != NULL)
				strftime(at, sizeof(at), "%Y-%m-%d %H:%M", &tm);
			printf("%d  loaded   节假日 %d 天  调休上班 %d 天  %s 载入于 %s\n", years[i].year,
			       years[i].holidays, years[i].workdays, years[i].loaded_by, at);
		} else {
			printf("%d  shipped  节假日 %d 天  调休上班 %d 天  内置 (built in)\n", years[i].year,
			       years[i].holidays, years[i].workdays);
		}
	}
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen calendar: ", stderr);
	xf_errs_cleanup(&errs);
	free(text);
	free(years);
	xf_store_close(s);
	return status;
}
