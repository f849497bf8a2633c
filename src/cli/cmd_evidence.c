/* cmd_evidence: `xuefen evidence to-db` — moves the evidence files kept
 * under the evidence folder into the database (service/evidence_move.h),
 * for a deployment that switches to `evidence.store: database`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/config.h"
#include "cli/cli.h"
#include "core/errs.h"
#include "service/evidence_move.h"
#include "store/store.h"

void cmd_evidence_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen evidence to-db [--dir PATH] [--config FILE] [--db URL]\n\n"
	       "把保存在证明材料目录中的文件迁入数据库（改用 evidence.store: database 时运行一次）：\n"
	       "每个文件核对 SHA-256 和大小后存入数据库，对应记录改为从数据库读取；\n"
	       "缺失或内容不符的文件逐个列出并保留原状（退出码 1）；目录中的文件不会被删除。\n"
	       "可以重复运行：已迁移的不再处理。\n"
	       "Moves the evidence files under the folder into the database, each checked against\n"
	       "its SHA-256 and size; missing or changed files are named and left as they are.\n\n"
	       "  --dir PATH     证明材料目录（默认：配置文件的 evidence.dir，否则按数据库推定，\n"
	       "                 见 docs/configuration.md）\n"
	       "  --config FILE  配置文件（默认 $XUEFEN_CONFIG）\n"
	       "  --db URL       数据库（默认配置文件的 db、$XUEFEN_DB 或 xuefen.db）\n");
}

int cmd_evidence(int argc, char **argv)
{
	const char *db = NULL, *dir = NULL, *config = getenv("XUEFEN_CONFIG"), *sub = NULL;
	for (int i = 1; i < argc; i++) {
		bool has = i + 1 < argc;
		if (cli_is_help(argv[i])) {
			cmd_evidence_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && has) {
			db = argv[++i];
		} else if (strcmp(argv[i], "--dir") == 0 && has) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--config") == 0 && has) {
			config = argv[++i];
		} else if (argv[i][0] != '-' && sub == NULL) {
			sub = argv[i];
		} else {
			fprintf(stderr, "xuefen evidence: 无法识别的参数 \"%s\" (unexpected argument); "
					"见 xuefen evidence --help\n",
				argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	if (sub == NULL || strcmp(sub, "to-db") != 0) {
		fprintf(stderr, "xuefen evidence: %s%s%s，应为 to-db (%s)\n", sub ? "未知子命令 \"" : "缺少子命令",
			sub ? sub : "", sub ? "\"" : "", sub ? "unknown subcommand" : "missing subcommand");
		return XF_EXIT_USAGE;
	}
	xf_config cfg;
	xf_config_defaults(&cfg);
	xf_errs errs, warnings;
	xf_errs_init(&errs);
	xf_errs_init(&warnings);
	int status = XF_EXIT_INPUT;
	xf_store *s = NULL;
	char folder[XF_CONFIG_PATH_MAX];
	if (config && xf_config_load(&cfg, config, &errs) != 0)
		goto out;
	const char *url = cli_db_url(db ? db : cfg.db);
	if (dir)
		snprintf(folder, sizeof(folder), "%s", dir);
	else if (xf_config_evidence_dir(&cfg, url, folder, sizeof(folder), &errs) != 0)
		goto out;
	s = xf_store_open(url, XF_STORE_OPEN, &errs);
	if (s == NULL)
		goto out;
	xf_evidence_move_report rep;
	int rc = xf_evidence_to_db(s, folder, "cli", &rep, &warnings, &errs);
	xf_errs_print(&warnings, "xuefen evidence: ", stderr);
	printf("已迁入数据库 %lld 个文件（%lld 条记录）；缺失 %lld 个，内容不符 %lld 个 "
	       "(moved %lld files, %lld rows; %lld missing, %lld changed)\n",
	       rep.moved, rep.rows, rep.missing, rep.changed, rep.moved, rep.rows, rep.missing,
	       rep.changed);
	if (rc == 0 && rep.missing + rep.changed == 0)
		status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen evidence: ", stderr);
	xf_errs_cleanup(&errs);
	xf_errs_cleanup(&warnings);
	xf_store_close(s);
	xf_config_cleanup(&cfg);
	return status;
}
