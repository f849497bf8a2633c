/* cmd_init: `xuefen init [--db URL]` — creates the database (or brings an
 * older one to this program's schema) and records it in the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "store/store.h"

void cmd_init_help(void)
{
	printf("用法 Usage: xuefen init [--db URL]\n\n"
	       "创建数据库并建立表结构；已有的旧版本数据库则升级到当前结构。\n"
	       "Creates the database and its schema, or migrates an older one.\n\n"
	       "  --db URL   数据库：文件路径或 sqlite:PATH（默认），或 postgresql://...\n"
	       "             未指定时用环境变量 XUEFEN_DB，再否则为当前目录下的 xuefen.db\n");
}

const char *cli_db_url(const char *given)
{
	if (given)
		return given;
	const char *env = getenv("XUEFEN_DB");
	return env && *env ? env : "xuefen.db";
}

int cmd_init(int argc, char **argv)
{
	const char *db = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_init_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else {
			fprintf(stderr, "xuefen init: 无法识别的参数 \"%s\" (unexpected argument); 见 xuefen init --help\n",
				argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	const char *url = cli_db_url(db);
	char *shown = xf_store_url_redact(url); /* never a password in logs */
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	int before = 0;
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	if (s == NULL)
		goto out;
	if (xf_store_schema_version(s, &before, &errs) != 0)
		goto out;
	char after[64];
	snprintf(after, sizeof(after), "{\"schema_version\": %d}", XF_SCHEMA_VERSION);
	xf_audit_entry e = {"cli", "init", shown ? shown : "?", NULL, after};
	if (xf_store_audit(s, &e, &errs) != 0)
		goto out;
	printf("数据库已就绪 (database ready): %s，结构版本 (schema) %d\n", shown ? shown : "?",
	       XF_SCHEMA_VERSION);
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen init: ", stderr);
	xf_store_close(s);
	xf_errs_cleanup(&errs);
	free(shown);
	return status;
}
