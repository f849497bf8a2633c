/* cmd_backup: `xuefen backup FILE` and `xuefen restore FILE` for the
 * embedded SQLite database; both are recorded in the audit log. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "store/backup.h"
#include "store/store.h"

void cmd_backup_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen backup [--db URL] FILE    在线备份数据库到新文件 FILE（使用中也可备份），并校验副本\n"
	       "                                   (consistent copy of the live database, checked)\n"
	       "  xuefen restore [--db URL] FILE   用备份 FILE 替换数据库（先校验备份完好）\n"
	       "                                   (replace the database with a checked backup)\n\n"
	       "PostgreSQL 请用 pg_dump / pg_restore，见 docs/postgresql.md。\n");
}

/* Parses [--db URL] FILE. Returns 0, or an exit status. */
static int parse_args(const char *cmd, int argc, char **argv, const char **db, const char **file)
{
	*db = NULL;
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_backup_help();
			return -1;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			*db = argv[++i];
		} else if (argv[i][0] != '-' && *file == NULL) {
			*file = argv[i];
		} else {
			fprintf(stderr, "xuefen %s: 无法识别的参数 \"%s\" (unexpected argument)\n", cmd, argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	if (*file == NULL) {
		fprintf(stderr, "xuefen %s: 缺少文件名 (missing FILE); 见 xuefen %s --help\n", cmd, cmd);
		return XF_EXIT_USAGE;
	}
	return 0;
}

static int audit(const char *url, const char *action, const char *file, xf_errs *errs)
{
	xf_store *s = xf_store_open(url, XF_STORE_OPEN, errs);
	if (s == NULL)
		return -1;
	xf_audit_entry e = {"cli", action, file, NULL, NULL};
	int rc = xf_store_audit(s, &e, errs);
	xf_store_close(s);
	return rc;
}

static int run(const char *cmd, int argc, char **argv, bool restore)
{
	const char *db, *file;
	int prc = parse_args(cmd, argc, argv, &db, &file);
	if (prc != 0)
		return prc < 0 ? XF_EXIT_OK : prc;
	const char *url = cli_db_url(db);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = restore ? xf_store_restore(url, file, &errs) : xf_store_backup(url, file, &errs);
	if (rc == 0)
		rc = audit(url, restore ? "restore" : "backup", file, &errs);
	if (rc == 0)
		printf(restore ? "已从 %s 恢复数据库 %s (restored)\n" : "已备份到 %s (backed up %s)\n",
		       file, url);
	xf_errs_print(&errs, restore ? "xuefen restore: " : "xuefen backup: ", stderr);
	xf_errs_cleanup(&errs);
	return rc == 0 ? XF_EXIT_OK : XF_EXIT_INPUT;
}

int cmd_backup(int argc, char **argv)
{
	return run("backup", argc, argv, false);
}

int cmd_restore(int argc, char **argv)
{
	return run("restore", argc, argv, true);
}
