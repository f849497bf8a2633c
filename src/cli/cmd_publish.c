/* cmd_publish: `xuefen publish`, `xuefen archive ID` and `xuefen
 * publications` — the quarter's 公示 from the command line
 * (service/publish.h), with the actor "cli". The window is counted from
 * today by the working-day calendar (`xuefen calendar`). */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "service/publish.h"
#include "store/query.h"
#include "store/store.h"

#define LIST_PAGE 200

void cmd_publish_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen publish --unit CODE --year YEAR --quarter Q [--title 标题] [--db URL]\n"
	       "  xuefen publish --unit CODE --year YEAR --from YYYY-MM-DD --to YYYY-MM-DD [--title 标题]\n"
	       "  xuefen publications [--year YEAR] [--unit CODE] [--db URL]\n"
	       "  xuefen archive ID [--db URL]\n\n"
	       "公示（第八条 3.）：每季度将审核后的学分公示 5 个工作日。\n"
	       "Publishes a quarter's credits for objection for 5 working days.\n\n"
	       "  publish       公示该单位及其下级单位全部在职人员截至期末的学分（各类别年度累计、\n"
	       "                本期增加、年度合计），每人收到通知；公示期从今天（非工作日则下一个\n"
	       "                工作日）起 5 个工作日\n"
	       "  publications  列出公示，每行：#编号、标题、单位编码、期间、状态、公示期、人数、\n"
	       "                未处理异议\n"
	       "  archive ID    归档（第八条 4.）：公示期满且异议均已处理后，期间内的记录不能再修改\n"
	       "  --unit CODE   单位编码\n"
	       "  --year YEAR   年度\n"
	       "  --quarter Q   季度 1 到 4（或用 --from、--to 指定年度内的期间）\n"
	       "  --title 标题  标题（默认如“2025年第三季度学分公示”）\n"
	       "  --db URL      数据库（默认 $XUEFEN_DB 或 xuefen.db）\n");
}

void cmd_archive_help(void)
{
	cmd_publish_help();
}

void cmd_publications_help(void)
{
	cmd_publish_help();
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (s == NULL || *s == '\0' || errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "xuefen %s: %s \"%s\"; 见 xuefen %s --help\n", cmd, msg, arg, cmd);
	else
		fprintf(stderr, "xuefen %s: %s; 见 xuefen %s --help\n", cmd, msg, cmd);
	return XF_EXIT_USAGE;
}

/* The unit's id by code: 0, 1 (none: message), -1. */
static int unit_by_code(xf_store *s, const char *code, long long *id, xf_errs *errs)
{
	int f = xf_query_row(s, "SELECT id FROM units WHERE code = $1", errs, XF_IN(code),
			     XF_OUT(id));
	if (f == 1)
		xf_errs_add(errs, "找不到编码为 \"%s\" 的单位 (no such unit)", code);
	return f;
}

int cmd_publish(int argc, char **argv)
{
	const char *db = NULL, *unit = NULL, *year_s = NULL, *quarter_s = NULL;
	const char *from = NULL, *to = NULL, *title = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool v = i + 1 < argc;
		if (cli_is_help(a)) {
			cmd_publish_help();
			return XF_EXIT_OK;
		} else if (strcmp(a, "--db") == 0 && v) {
			db = argv[++i];
		} else if (strcmp(a, "--unit") == 0 && v) {
			unit = argv[++i];
		} else if (strcmp(a, "--year") == 0 && v) {
			year_s = argv[++i];
		} else if (strcmp(a, "--quarter") == 0 && v) {
			quarter_s = argv[++i];
		} else if (strcmp(a, "--from") == 0 && v) {
			from = argv[++i];
		} else if (strcmp(a, "--to") == 0 && v) {
			to = argv[++i];
		} else if (strcmp(a, "--title") == 0 && v) {
			title = argv[++i];
		} else {
			return usage_error("publish", "无法识别的参数 (unexpected argument)", a);
		}
	}
	long year = 0, quarter = 0;
	if (unit == NULL)
		return usage_error("publish", "缺少 --unit 单位编码 (missing --unit)", NULL);
	if (year_s == NULL || !parse_long(year_s, 2000, 2100, &year))
		return usage_error("publish", "--year 应为 2000 到 2100 之间的年份 (bad year)", year_s);
	if (quarter_s && !parse_long(quarter_s, 1, 4, &quarter))
		return usage_error("publish", "--quarter 应为 1 到 4 (bad quarter)", quarter_s);
	if ((quarter_s == NULL) == (from == NULL && to == NULL) ||
	    (quarter_s == NULL && (from == NULL || to == NULL)))
		return usage_error("publish", "应给出 --quarter，或同时给出 --from 与 --to "
					      "(give --quarter, or --from and --to)", NULL);

	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	long long unit_id = 0, id = 0, lines = 0;
	if (s == NULL || unit_by_code(s, unit, &unit_id, &errs) != 0)
		goto out;
	xf_publish_req req = {.unit_id = unit_id, .year = (int)year, .quarter = (int)quarter,
			      .from = from, .to = to, .title = title};
	int rc = xf_publish(s, &req, "cli", &id, &errs);
	if (rc != 0)
		goto out;
	char t[512] = "", ws[16] = "", we[16] = "";
	if (xf_query_row(s,
			 "SELECT title, window_start, window_end, (SELECT COUNT(*) FROM"
			 " publication_lines l WHERE l.publication_id = p.id) FROM publications p"
			 " WHERE p.id = $1",
			 &errs, XF_IN(id), XF_OUT_TEXT(t, sizeof(t)), XF_OUT_TEXT(ws, sizeof(ws)),
			 XF_OUT_TEXT(we, sizeof(we)), XF_OUT(&lines)) != 0)
		goto out;
	printf("已发布公示 #%lld：%s，%lld 人，公示期 %s 至 %s (published)\n", id, t, lines, ws, we);
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen publish: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

int cmd_archive(int argc, char **argv)
{
	const char *db = NULL, *id_s = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_publish_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] != '-' && id_s == NULL) {
			id_s = argv[i];
		} else {
			return usage_error("archive", "无法识别的参数 (unexpected argument)", argv[i]);
		}
	}
	long id = 0;
	if (id_s == NULL)
		return usage_error("archive", "缺少公示编号 ID (missing ID)", NULL);
	if (!parse_long(id_s, 1, 2147483647L, &id))
		return usage_error("archive", "公示编号应为正整数 (bad ID)", id_s);
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	long long open = 0;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL)
		goto out;
	int rc = xf_publication_archive(s, id, "cli", &open, &errs);
	if (rc == XF_PUB_NOT_FOUND)
		xf_errs_add(&errs, "没有编号为 %ld 的公示 (no such publication)", id);
	if (rc != 0)
		goto out;
	printf("已归档公示 #%ld (archived)\n", id);
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen archive: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

int cmd_publications(int argc, char **argv)
{
	const char *db = NULL, *year_s = NULL, *unit = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool v = i + 1 < argc;
		if (cli_is_help(a)) {
			cmd_publish_help();
			return XF_EXIT_OK;
		} else if (strcmp(a, "--db") == 0 && v) {
			db = argv[++i];
		} else if (strcmp(a, "--year") == 0 && v) {
			year_s = argv[++i];
		} else if (strcmp(a, "--unit") == 0 && v) {
			unit = argv[++i];
		} else {
			return usage_error("publications", "无法识别的参数 (unexpected argument)", a);
		}
	}
	long year = 0;
	if (year_s && !parse_long(year_s, 2000, 2100, &year))
		return usage_error("publications", "--year 应为 2000 到 2100 之间的年份 (bad year)",
				   year_s);
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	char *buf = NULL;
	size_t len = 0;
	cJSON *root = NULL;
	xf_pub_query q = {.year = (int)year, .per_page = LIST_PAGE};
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL || (unit && unit_by_code(s, unit, &q.unit_id, &errs) != 0))
		goto out;
	for (q.page = 1;; q.page++) {
		FILE *f = open_memstream(&buf, &len);
		if (f == NULL) {
			xf_errs_add(&errs, "内存不足 (out of memory)");
			goto out;
		}
		int rc = xf_publications_list_json(s, NULL, &q, f, &errs);
		fclose(f);
		if (rc != 0)
			goto out;
		root = cJSON_Parse(buf);
		free(buf);
		buf = NULL;
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
		int n = 0;
		cJSON_ArrayForEach(it, items)
		{
#define S(k) (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, k)) ? cJSON_GetObjectItemCaseSensitive(it, k)->valuestring : "")
#define N(k) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, k)) ? (long long)cJSON_GetObjectItemCaseSensitive(it, k)->valuedouble : 0)
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
			const cJSON *un = cJSON_GetObjectItemCaseSensitive(u, "code");
			printf("#%lld  %s  %s  %s 至 %s  %s  公示期 %s 至 %s  %lld 人  未处理异议 %lld\n",
			       N("id"), S("title"), cJSON_IsString(un) ? un->valuestring : "", S("from"),
			       S("to"),
			       strcmp(S("status"), "archived") == 0 ? "已归档"
			       : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "window_open"))
				       ? "公示中"
				       : "公示期满待归档",
			       S("window_start"), S("window_end"), N("people"), N("objections_open"));
#undef S
#undef N
			n++;
		}
		cJSON_Delete(root);
		root = NULL;
		if (n < LIST_PAGE)
			break;
	}
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen publications: ", stderr);
	xf_errs_cleanup(&errs);
	free(buf);
	cJSON_Delete(root);
	xf_store_close(s);
	return status;
}
