/* cmd_check: `xuefen check [--db URL]` — the database's integrity check
 * and the size of its main tables, for admins and for the crash test. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "store/store.h"

void cmd_check_help(void)
{
	printf("用法 Usage: xuefen check [--db URL]\n\n"
	       "检查数据库完整性，并列出各主要表的行数。\n"
	       "Checks the database's integrity and prints the row counts of its main tables.\n");
}

int cmd_check(int argc, char **argv)
{
	const char *db = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cmd_check_help();
			return XF_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else {
			fprintf(stderr, "xuefen check: 无法识别的参数 \"%s\" (unexpected argument)\n", argv[i]);
			return XF_EXIT_USAGE;
		}
	}
	static const char *const tables[] = {"units", "people", "records", "metrics",
					     "import_batches", "runs", "run_results", "audit_log"};
	xf_errs errs;
	xf_errs_init(&errs);
	int status = XF_EXIT_INPUT;
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL || xf_store_check(s, &errs) != 0)
		goto out;
	printf("完整性检查通过 (integrity ok)\n");
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[80];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]); /* fixed names */
		xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
		if (st == NULL)
			goto out;
		if (xf_stmt_step(st, &errs) != XF_STEP_ROW) {
			xf_stmt_finalize(st);
			goto out;
		}
		printf("%-16s %lld\n", tables[i], xf_stmt_int(st, 0));
		xf_stmt_finalize(st);
	}
	status = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen check: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}
