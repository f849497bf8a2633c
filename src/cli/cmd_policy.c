/* cmd_policy: `xuefen policy check FILE` and `xuefen policy show ID|FILE`,
 * and `xuefen policy list` of the shipped policies. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/errs.h"
#include "policy/policy.h"

void cmd_policy_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen policy check FILE     校验学分办法文件，每个错误标明文件、行、列和键\n"
	       "                               (validate a policy file)\n"
	       "  xuefen policy show ID|FILE   以计分标准表的形式显示学分办法\n"
	       "                               (print the policy as a Chinese table)\n"
	       "  xuefen policy list           列出内置的学分办法 (list shipped policies)\n\n"
	       "内置学分办法可用其 ID 引用，如 bigdata-bureau；文件格式见 docs/policy-format.md。\n");
}

static int policy_list(void)
{
	for (size_t i = 0; i < xf_builtin_policy_count; i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_policy *p = xf_policy_resolve(xf_builtin_policies[i].id, NULL, &errs);
		printf("%-26s %s\n", xf_builtin_policies[i].id, p ? p->title : "(无法加载)");
		xf_policy_free(p);
		xf_errs_cleanup(&errs);
	}
	return XF_EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		cmd_policy_help();
		return argc < 2 ? XF_EXIT_USAGE : XF_EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "list") == 0)
		return policy_list();
	if (strcmp(sub, "check") != 0 && strcmp(sub, "show") != 0) {
		fprintf(stderr, "xuefen policy: 未知子命令 \"%s\" (unknown subcommand); 见 xuefen policy --help\n", sub);
		return XF_EXIT_USAGE;
	}
	if (argc >= 3 && cli_is_help(argv[2])) {
		cmd_policy_help();
		return XF_EXIT_OK;
	}
	if (argc != 3) {
		fprintf(stderr, "xuefen policy %s: 需要且只需要一个参数 (expected one argument)\n", sub);
		return XF_EXIT_USAGE;
	}

	xf_errs errs;
	xf_errs_init(&errs);
	xf_policy *p = strcmp(sub, "check") == 0 ? xf_policy_load_file(argv[2], &errs)
						 : xf_policy_resolve(argv[2], NULL, &errs);
	int status = XF_EXIT_INPUT;
	if (p == NULL) {
		xf_errs_print(&errs, NULL, stderr);
		goto out;
	}
	if (strcmp(sub, "check") == 0)
		printf("%s: 校验通过 (ok) — %s「%s」：%d 个类别，%d 个项目\n", argv[2], p->id,
		       p->title, p->ncategories, p->nitems);
	else
		xf_policy_show(p, stdout);
	status = XF_EXIT_OK;
out:
	xf_policy_free(p);
	xf_errs_cleanup(&errs);
	return status;
}
