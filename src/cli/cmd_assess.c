/* cmd_assess: `xuefen assess [--explain] CASE.json` — the case-file
 * contract of spec/case-format.md. Results go to stdout only when the whole
 * case is valid; every problem goes to stderr, one line each. */
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "core/file.h"
#include "engine/engine.h"
#include "engine/group.h"
#include "io/case.h"
#include "io/result_json.h"
#include "service/assess.h"
#include "store/store.h"

void cmd_assess_help(void)
{
	printf("用法 Usage: xuefen assess [--explain] CASE.json\n"
	       "            xuefen assess --year YEAR [--unit CODE] [--db URL]\n\n"
	       "按案例文件指定的学分办法计算每个人的学分、应修学分、是否达标、等级和标记，\n"
	       "结果以 JSON 输出到标准输出。格式见 docs/case-format.md。\n"
	       "Assesses every person of a case file under its policy; prints JSON.\n\n"
	       "选项 Options:\n"
	       "  --explain   为每个人附上计分说明 trace：每条记录的分值或不计分的规则、\n"
	       "              同一活动的取舍、每一处封顶 (adds an explanation trace)\n"
	       "  --year YEAR 从数据库评估该年度：按各单位指定的学分办法逐人计算，结果保存为一次评估\n"
	       "              (assess everyone in the database for YEAR and save the results as a run)\n"
	       "  --unit CODE 只评估该单位 (only this unit)\n"
	       "  --db URL    数据库（默认 $XUEFEN_DB 或 xuefen.db）\n"
	       "  -h, --help  显示本帮助\n\n"
	       "退出状态 Exit status: 0 成功；1 案例无效（每个问题一行输出到标准错误，\n"
	       "标明 JSON 路径，如 records[3].level）；2 命令用法错误。\n");
}

/* Runs the engine over every person: the first pass settles group results
 * (award quota, branches), the second writes each person. Memory stays
 * flat: one result buffer is reused for everybody. */
static int assess_case(const xf_case *c, bool explain, FILE *out)
{
	const xf_policy *p = c->policy;
	xf_result r;
	xf_engine_scratch scratch;
	xf_trace trace;
	xf_group *g = xf_group_new(p);
	int rc = -1;

	xf_scratch_init(&scratch);
	xf_trace_init(&trace);
	if (xf_result_init(&r, p) != 0 || g == NULL)
		goto out;
	for (size_t i = 0; i < c->npeople; i++) {
		xf_input in;
		xf_case_input(c, i, &in);
		if (xf_engine_assess(p, c->year, &in, &scratch, &r, NULL) != 0 ||
		    xf_group_add(g, in.person, &r) != 0)
			goto out;
	}
	if (xf_group_finish(g) != 0)
		goto out;

	xf_results_out o;
	xf_results_begin(&o, out, p, c->year);
	for (size_t i = 0; i < c->npeople; i++) {
		xf_input in;
		xf_case_input(c, i, &in);
		xf_trace_reset(&trace);
		if (xf_engine_assess(p, c->year, &in, &scratch, &r,
				     explain ? &trace : NULL) != 0)
			goto out;
		xf_results_person(&o, &in, &r, xf_group_award_candidate(g, &r),
				  explain ? &trace : NULL);
	}
	xf_results_end(&o, g);
	rc = 0;
out:
	xf_group_free(g);
	xf_result_cleanup(&r);
	xf_scratch_cleanup(&scratch);
	xf_trace_cleanup(&trace);
	return rc;
}

/* `xuefen assess --year`: from the database, saved as runs. */
static int assess_db(const char *year_arg, const char *unit, const char *db)
{
	char *end = NULL;
	long year = strtol(year_arg, &end, 10);
	if (end == year_arg || *end != '\0' || year < 1900 || year > 2999) {
		fprintf(stderr, "xuefen assess: --year 应为 1900 到 2999 之间的年份，实际为 \"%s\" (bad year)\n",
			year_arg);
		return XF_EXIT_USAGE;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	xf_assess_report rep;
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s != NULL && xf_assess_year(s, (int)year, unit, "cli", &rep, &errs) == 0) {
		printf("%ld 年度评估完成 (assessed)：%d 次评估（每个学分办法一次，最后一次编号 %lld），"
		       "%lld 人，其中达标 %lld 人，免于考核 %lld 人，优秀学员候选 %lld 人\n",
		       year, rep.runs, rep.last_run_id, rep.people, rep.met, rep.exempt,
		       rep.award_candidates);
		status = XF_EXIT_OK;
	}
	xf_errs_print(&errs, "xuefen assess: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

int cmd_assess(int argc, char **argv)
{
	bool explain = false;
	const char *path = NULL, *year = NULL, *unit = NULL, *db = NULL;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_assess_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--explain") == 0) {
			explain = true;
		} else if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
			year = argv[++i];
		} else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
			unit = argv[++i];
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "xuefen assess: 未知选项 \"%s\" (unknown option); 见 xuefen assess --help\n",
				argv[i]);
			return XF_EXIT_USAGE;
		} else if (path == NULL) {
			path = argv[i];
		} else {
			fprintf(stderr, "xuefen assess: 只能指定一个案例文件 (one case file only)\n");
			return XF_EXIT_USAGE;
		}
	}
	if (year != NULL) {
		if (path != NULL || explain) {
			fprintf(stderr, "xuefen assess: --year 从数据库评估，不能同时指定案例文件或 --explain (--year reads the database)\n");
			return XF_EXIT_USAGE;
		}
		return assess_db(year, unit, db);
	}
	if (unit != NULL || db != NULL) {
		fprintf(stderr, "xuefen assess: --unit 和 --db 需与 --year 一起使用 (need --year)\n");
		return XF_EXIT_USAGE;
	}
	if (path == NULL) {
		fprintf(stderr, "xuefen assess: 缺少案例文件 (missing CASE.json); 用法: xuefen assess [--explain] CASE.json\n");
		return XF_EXIT_USAGE;
	}

	xf_errs errs;
	xf_case c;
	char *json = NULL, *dir = NULL, *prefix = NULL;
	size_t len = 0;
	int status = XF_EXIT_INPUT;

	xf_errs_init(&errs);
	memset(&c, 0, sizeof(c));
	if (xf_file_read(path, XF_FILE_MAX, &json, &len, &errs) != 0) {
		xf_errs_print(&errs, "xuefen assess: ", stderr);
		goto out;
	}
	dir = strdup(path);
	prefix = malloc(strlen(path) + 3);
	if (dir == NULL || prefix == NULL) {
		fprintf(stderr, "xuefen assess: 内存不足 (out of memory)\n");
		goto out;
	}
	sprintf(prefix, "%s: ", path);
	if (xf_case_parse(json, len, strcmp(path, "-") ? dirname(dir) : NULL, &c, &errs) != 0) {
		xf_errs_print(&errs, prefix, stderr);
		goto out;
	}
	free(json);
	json = NULL;
	if (assess_case(&c, explain, stdout) != 0) {
		fprintf(stderr, "xuefen assess: 内存不足 (out of memory)\n");
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "xuefen assess: 写出结果失败 (cannot write the result)\n");
		goto out;
	}
	status = XF_EXIT_OK;
out:
	xf_case_cleanup(&c);
	xf_errs_cleanup(&errs);
	free(json);
	free(dir);
	free(prefix);
	return status;
}
