/* main: `xuefen`, one binary with its subcommands dispatched from one
 * table (like git's commands[]). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int cmd_help(int argc, char **argv);
static void usage(FILE *out);

static const xf_command commands[] = {
	{"assess", "按学分办法计算案例文件中每个人的学分、达标与等级 (assess a case file)",
	 cmd_assess, cmd_assess_help},
	{"policy", "校验或显示学分办法 (check or show a policy)", cmd_policy, cmd_policy_help},
	{"init", "创建或升级数据库 (create or migrate the database)", cmd_init, cmd_init_help},
	{"import", "导入文件到数据库，全部或全不 (import a file, all or nothing)", cmd_import, cmd_import_help},
	{"export", "从数据库导出（案例文件）(export from the database)", cmd_export, cmd_export_help},
	{"check", "检查数据库完整性 (check the database)", cmd_check, cmd_check_help},
	{"backup", "在线备份数据库 (back up the live database)", cmd_backup, cmd_backup_help},
	{"restore", "从备份恢复数据库 (restore the database from a backup)", cmd_restore, cmd_backup_help},
	{"serve", "启动网页服务与 API (run the web application)", cmd_serve, cmd_serve_help},
	{"user", "管理账号与角色 (manage accounts and roles)", cmd_user, cmd_user_help},
	{"calendar", "工作日历：列出或载入法定节假日安排 (working-day calendars)", cmd_calendar,
	 cmd_calendar_help},
	{"publish", "发布季度学分公示（5 个工作日）(publish a quarter for objection)", cmd_publish,
	 cmd_publish_help},
	{"publications", "列出学分公示 (list publications)", cmd_publications, cmd_publications_help},
	{"archive", "公示期满后归档 (archive a publication)", cmd_archive, cmd_archive_help},
	{"evidence", "把目录中的证明材料迁入数据库 (move evidence files into the database)",
	 cmd_evidence, cmd_evidence_help},
	{"help", "显示帮助 (show help)", cmd_help, NULL},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static const xf_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"xuefen %s — 干部职工学习学分管理 (learning-credit management)\n\n"
		"用法 Usage: xuefen COMMAND [OPTIONS] [ARGS]\n\n"
		"命令 Commands:\n",
		XF_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n每个命令的详细用法：xuefen COMMAND --help (details of a command)\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc >= 2) {
		const xf_command *c = find_command(argv[1]);
		if (c && c->help) {
			c->help();
			return XF_EXIT_OK;
		}
		if (c == NULL) {
			fprintf(stderr, "xuefen: 未知命令 \"%s\" (unknown command)\n", argv[1]);
			return XF_EXIT_USAGE;
		}
	}
	usage(stdout);
	return XF_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return XF_EXIT_USAGE;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return XF_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("xuefen %s\n", XF_VERSION);
		return XF_EXIT_OK;
	}
	const xf_command *c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "xuefen: 未知命令 \"%s\" (unknown command); 见 xuefen --help\n",
			argv[1]);
		return XF_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
