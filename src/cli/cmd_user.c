/* cmd_user: `xuefen user add|list|passwd|disable|enable|roles` — accounts
 * and roles from the command line (audited with the actor "cli"), and the
 * first-run prompt that creates the first admin.
 *
 * Passwords come from the first line of standard input with
 * --password-stdin, or are typed twice on the terminal without echo; they
 * are never taken as an argument (it would show in `ps` and the shell's
 * history), and are wiped from memory after use. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/errs.h"
#include "service/auth.h"
#include "store/query.h"
#include "store/store.h"

#define PW_BUF 1030     /* a password line: the rule allows 128 characters */
#define NAME_BUF 130    /* a user name typed at the first-run prompt */
#define MAX_POS 64      /* positional arguments */
#define MAX_ROLES 32
#define TRIES 3

void cmd_user_help(void)
{
	printf("用法 Usage:\n"
	       "  xuefen user add USERNAME [--name 显示名] [--person 人员编码] [--role ROLE[:单位编码]]...\n"
	       "                  [--admin] [--password-stdin] [--db URL]\n"
	       "  xuefen user list [--json] [--db URL]\n"
	       "  xuefen user passwd USERNAME [--password-stdin] [--db URL]\n"
	       "  xuefen user disable USERNAME [--db URL]\n"
	       "  xuefen user enable USERNAME [--db URL]\n"
	       "  xuefen user roles USERNAME ROLE[:单位编码]... [--db URL]\n\n"
	       "管理网页服务的账号与角色，每次修改都写入审计日志。\n"
	       "Manages the accounts and roles of the web application (every change is audited).\n\n"
	       "角色 ROLE (roles):\n"
	       "  member            学员：本人学分与申报，须用 --person 关联人员\n"
	       "  reviewer:单位编码  审核人（科室负责人/支部书记）：该单位及其下级单位\n"
	       "  approver:单位编码  审批人（分管领导）：该单位及其下级单位\n"
	       "  admin             管理员：人员、单位、导入、公示、年终\n"
	       "  auditor           审计员：只读审计日志\n\n"
	       "  --name 显示名       显示的姓名（默认：关联人员的姓名，否则为用户名）\n"
	       "  --person 人员编码   关联的人员（人员名册中的编码）\n"
	       "  --admin             同 --role admin\n"
	       "  --password-stdin    从标准输入的第一行读取密码；否则在终端输入两次（不回显）\n"
	       "  --json              list 以 JSON 输出\n"
	       "  --db URL            数据库（默认 $XUEFEN_DB 或 xuefen.db）\n\n"
	       "密码至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类。\n"
	       "修改密码或停用账号会结束该账号的所有会话。\n");
}

/* ---- arguments ---- */

enum {
	OPT_NAME = 1u << 0,
	OPT_PERSON = 1u << 1,
	OPT_ROLE = 1u << 2,
	OPT_ADMIN = 1u << 3,
	OPT_STDIN = 1u << 4,
	OPT_JSON = 1u << 5,
};

typedef struct user_args {
	const char *db;
	const char *name;
	const char *person;
	const char *roles[MAX_ROLES];
	size_t nroles;
	bool admin, password_stdin, json;
	const char *pos[MAX_POS];
	int npos;
} user_args;

/* Parses argv (argv[0] is the subcommand) allowing the options in allowed
 * and between min_pos and max_pos positional arguments. Returns -1 when
 * parsed, else the exit status (help printed: 0; usage error: 2). */
static int parse_args(int argc, char **argv, unsigned allowed, int min_pos, int max_pos,
		      user_args *a)
{
	const char *sub = argv[0];
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool has_value = i + 1 < argc;
		if (cli_is_help(arg)) {
			cmd_user_help();
			return XF_EXIT_OK;
		} else if (strcmp(arg, "--db") == 0 && has_value) {
			a->db = argv[++i];
		} else if ((allowed & OPT_NAME) && strcmp(arg, "--name") == 0 && has_value) {
			a->name = argv[++i];
		} else if ((allowed & OPT_PERSON) && strcmp(arg, "--person") == 0 && has_value) {
			a->person = argv[++i];
		} else if ((allowed & OPT_ROLE) && strcmp(arg, "--role") == 0 && has_value) {
			if (a->nroles == MAX_ROLES) {
				fprintf(stderr, "xuefen user %s: 角色最多 %d 个 (too many roles)\n", sub,
					MAX_ROLES);
				return XF_EXIT_USAGE;
			}
			a->roles[a->nroles++] = argv[++i];
		} else if ((allowed & OPT_ADMIN) && strcmp(arg, "--admin") == 0) {
			a->admin = true;
		} else if ((allowed & OPT_STDIN) && strcmp(arg, "--password-stdin") == 0) {
			a->password_stdin = true;
		} else if ((allowed & OPT_JSON) && strcmp(arg, "--json") == 0) {
			a->json = true;
		} else if (arg[0] != '-' && a->npos < max_pos) {
			a->pos[a->npos++] = arg;
		} else {
			fprintf(stderr, "xuefen user %s: 无法识别的参数 \"%s\" (unexpected argument); "
					"见 xuefen user --help\n",
				sub, arg);
			return XF_EXIT_USAGE;
		}
	}
	if (a->npos < min_pos) {
		fprintf(stderr, "xuefen user %s: 缺少%s (missing argument); 见 xuefen user --help\n", sub,
			a->npos == 0 ? "用户名 USERNAME" : "角色 ROLE");
		return XF_EXIT_USAGE;
	}
	return -1;
}

/* ---- passwords ---- */

/* The terminal's settings while echo is off, restored if a signal ends us
 * mid-prompt. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_saved;

static void restore_tty_and_die(int sig)
{
	if (tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line into out without its line end. 0; 1 at end of input; 2
 * when the line does not fit (the rest is read and dropped). */
static int read_line(char *out, size_t size)
{
	if (fgets(out, (int)size, stdin) == NULL)
		return 1;
	size_t n = strlen(out);
	if (n > 0 && out[n - 1] == '\n') {
		out[--n] = '\0';
		if (n > 0 && out[n - 1] == '\r')
			out[--n] = '\0';
		return 0;
	}
	if (feof(stdin))
		return 0; /* a last line without a line end */
	int c;
	while ((c = getchar()) != EOF && c != '\n')
		;
	sodium_memzero(out, size);
	return 2;
}

/* Asks on the terminal with echo off. 0, or 1 (end of input, too long). */
static int prompt_hidden(const char *prompt, char *out, size_t size)
{
	struct termios quiet;
	fputs(prompt, stderr);
	fflush(stderr);
	bool off = false;
	if (tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		tty_saved = 1;
		signal(SIGINT, restore_tty_and_die);
		signal(SIGTERM, restore_tty_and_die);
		signal(SIGHUP, restore_tty_and_die);
		quiet = saved_tty;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	int r = read_line(out, size);
	if (off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_saved = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	fputc('\n', stderr);
	if (r == 2)
		fprintf(stderr, "密码过长 (password too long)\n");
	return r == 0 ? 0 : 1;
}

/* A new password into out (PW_BUF bytes): the first line of standard
 * input, or typed twice on the terminal (checked against the rule before
 * the second time; up to 3 tries). 0, or an exit status after printing
 * why. */
static int new_password(const char *sub, bool from_stdin, const xf_auth_policy *pol, char *out)
{
	char again[PW_BUF];
	int status = XF_EXIT_INPUT;
	if (from_stdin) {
		int r = read_line(out, PW_BUF);
		if (r != 0) {
			fprintf(stderr, "xuefen user %s: %s\n", sub,
				r == 1 ? "标准输入中没有密码 (no password on standard input)"
				       : "密码过长 (password too long)");
			return XF_EXIT_INPUT;
		}
		return 0;
	}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "xuefen user %s: 标准输入不是终端，无法提示输入密码；请用 --password-stdin "
				"(standard input is not a terminal: use --password-stdin)\n",
			sub);
		return XF_EXIT_USAGE;
	}
	for (int t = 0; t < TRIES; t++) {
		if (prompt_hidden("密码 (password): ", out, PW_BUF) != 0)
			goto out;
		xf_errs errs;
		xf_errs_init(&errs);
		int weak = xf_password_check(pol, out, &errs);
		xf_errs_print(&errs, NULL, stderr);
		xf_errs_cleanup(&errs);
		if (weak != 0)
			continue;
		if (prompt_hidden("再次输入密码 (again): ", again, sizeof(again)) != 0)
			goto out;
		if (strcmp(out, again) == 0) {
			status = 0;
			goto out;
		}
		fprintf(stderr, "两次输入的密码不一致，请重新输入 (the passwords differ)\n");
	}
	fprintf(stderr, "xuefen user %s: 未设置密码 (no password set)\n", sub);
out:
	sodium_memzero(again, sizeof(again));
	if (status != 0)
		sodium_memzero(out, PW_BUF);
	return status;
}

/* ---- store helpers ---- */

static xf_store *open_store(const char *sub, const char *db)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(cli_db_url(db), XF_STORE_OPEN, &errs);
	if (s == NULL) {
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "xuefen user %s: ", sub);
		xf_errs_print(&errs, prefix, stderr);
	}
	xf_errs_cleanup(&errs);
	return s;
}

/* Turns "ROLE[:UNITCODE]" specs into roles (units looked up by code).
 * Returns 0, or an exit status after printing every problem. */
static int resolve_roles(const char *sub, xf_store *s, const char *const *specs, size_t n,
			 xf_user_role *out)
{
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		char role[32];
		const char *colon = strchr(specs[i], ':');
		size_t len = colon ? (size_t)(colon - specs[i]) : strlen(specs[i]);
		snprintf(role, sizeof(role), "%.*s", len < sizeof(role) ? (int)len : 0, specs[i]);
		unsigned bit = xf_role_parse(role);
		bool scoped = bit == XF_ROLE_REVIEWER || bit == XF_ROLE_APPROVER;
		out[i] = (xf_user_role){bit, 0};
		if (bit == 0) {
			fprintf(stderr, "xuefen user %s: 角色：未知的角色 \"%s\"，应为 member、reviewer、"
					"approver、admin、auditor 之一 (unknown role)\n",
				sub, specs[i]);
			status = XF_EXIT_USAGE;
		} else if (scoped && (colon == NULL || colon[1] == '\0')) {
			fprintf(stderr, "xuefen user %s: 角色：%s 须指定所负责的单位，写作 %s:单位编码 "
					"(a unit is required)\n",
				sub, role, role);
			status = XF_EXIT_USAGE;
		} else if (!scoped && colon) {
			fprintf(stderr, "xuefen user %s: 角色：%s 不带单位，应写作 %s (no unit for this role)\n",
				sub, role, role);
			status = XF_EXIT_USAGE;
		} else if (scoped) {
			xf_errs errs;
			xf_errs_init(&errs);
			int f = xf_query_row(s, "SELECT id FROM units WHERE code = $1", &errs,
					     XF_IN(colon + 1), XF_OUT(&out[i].unit_id));
			if (f < 0) {
				xf_errs_print(&errs, "xuefen user: ", stderr);
				status = XF_EXIT_INPUT;
			} else if (f == 1) {
				fprintf(stderr, "xuefen user %s: 单位：找不到编码为 \"%s\" 的单位 (no such unit)\n",
					sub, colon + 1);
				if (status == 0)
					status = XF_EXIT_INPUT;
			}
			xf_errs_cleanup(&errs);
		}
	}
	return status;
}

/* The user's id by name; prints why not. 0, or an exit status. */
static int find_user(const char *sub, xf_store *s, const char *name, long long *id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	int f = xf_user_find(s, name, id, &errs);
	if (f < 0)
		xf_errs_print(&errs, "xuefen user: ", stderr);
	else if (f == 1)
		fprintf(stderr, "xuefen user %s: 找不到用户 \"%s\" (no such user)\n", sub, name);
	xf_errs_cleanup(&errs);
	return f == 0 ? 0 : XF_EXIT_INPUT;
}

/* Maps a service's 0 / 1 / -1 to an exit status (its messages are
 * printed by the caller). */
static int service_status(const char *sub, int rc, const char *name)
{
	if (rc == 1)
		fprintf(stderr, "xuefen user %s: 找不到用户 \"%s\" (no such user)\n", sub, name);
	return rc == 0 ? XF_EXIT_OK : XF_EXIT_INPUT;
}

/* "member, reviewer:A1" for messages. */
static void roles_text(const char *const *specs, size_t n, bool admin, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", specs[i]);
	if (admin && len < size)
		snprintf(out + len, size - len, "%sadmin", n ? ", " : "");
}

/* ---- subcommands ---- */

static int user_add(int argc, char **argv)
{
	user_args a;
	int st = parse_args(argc, argv, OPT_NAME | OPT_PERSON | OPT_ROLE | OPT_ADMIN | OPT_STDIN, 1, 1,
			    &a);
	if (st >= 0)
		return st;
	xf_user_role roles[MAX_ROLES + 1];
	char password[PW_BUF], person_name[256], shown[512];
	xf_errs errs;
	xf_errs_init(&errs);
	xf_auth_policy pol;
	xf_auth_policy_defaults(&pol);
	password[0] = '\0';
	int status = XF_EXIT_INPUT;
	xf_store *s = open_store("add", a.db);
	if (s == NULL)
		goto out;
	status = resolve_roles("add", s, a.roles, a.nroles, roles);
	if (status != 0)
		goto out;
	size_t n = a.nroles;
	if (a.admin)
		roles[n++] = (xf_user_role){XF_ROLE_ADMIN, 0};
	status = XF_EXIT_INPUT;
	/* A taken name is refused before the password is typed. */
	int f = xf_user_find(s, a.pos[0], NULL, &errs);
	if (f == 0)
		fprintf(stderr, "xuefen user add: 用户名：\"%s\" 已被使用 (user name taken)\n", a.pos[0]);
	if (f <= 0)
		goto out;
	const char *display = a.name;
	if (display == NULL && a.person) {
		f = xf_query_row(s, "SELECT name FROM people WHERE code = $1", &errs, XF_IN(a.person),
				 XF_OUT_TEXT(person_name, sizeof(person_name)));
		if (f < 0)
			goto out;
		display = f == 0 && person_name[0] ? person_name : NULL;
	}
	if (display == NULL)
		display = a.pos[0];
	status = new_password("add", a.password_stdin, &pol, password);
	if (status != 0)
		goto out;
	xf_user_new u = {a.pos[0], display, a.person, password, roles, n};
	int rc = xf_user_add(s, &pol, &u, "cli", xf_clock_now(), NULL, &errs);
	status = service_status("add", rc, a.pos[0]);
	if (status != 0)
		goto out;
	roles_text(a.roles, a.nroles, a.admin, shown, sizeof(shown));
	printf("已创建账号 (user created): %s（%s），角色 (roles): %s\n", a.pos[0], display, shown);
out:
	xf_errs_print(&errs, "xuefen user add: ", stderr);
	sodium_memzero(password, sizeof(password));
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static int user_list(int argc, char **argv)
{
	user_args a;
	int st = parse_args(argc, argv, OPT_JSON, 0, 0, &a);
	if (st >= 0)
		return st;
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	cJSON *doc = NULL;
	int status = XF_EXIT_INPUT;
	xf_store *s = open_store("list", a.db);
	if (s == NULL)
		goto out;
	if (a.json) {
		if (xf_user_list_json(s, stdout, &errs) != 0)
			goto out;
		status = XF_EXIT_OK;
		goto out;
	}
	FILE *mem = open_memstream(&buf, &len);
	if (mem == NULL)
		goto out;
	int rc = xf_user_list_json(s, mem, &errs);
	fclose(mem);
	if (rc != 0)
		goto out;
	doc = cJSON_Parse(buf);
	if (doc == NULL)
		goto out;
	if (cJSON_GetArraySize(doc) == 0)
		printf("尚无账号 (no users)；创建管理员：xuefen user add NAME --admin\n");
	const cJSON *u;
	cJSON_ArrayForEach(u, doc) {
		const cJSON *person = cJSON_GetObjectItem(u, "person");
		const cJSON *r;
		printf("%-5d %-24s %s", cJSON_GetObjectItem(u, "id")->valueint,
		       cJSON_GetObjectItem(u, "username")->valuestring,
		       cJSON_GetObjectItem(u, "display_name")->valuestring);
		if (cJSON_IsObject(person))
			printf("  人员 %s", cJSON_GetObjectItem(person, "code")->valuestring);
		printf("  %s  ", cJSON_IsTrue(cJSON_GetObjectItem(u, "active")) ? "启用 (active)"
										: "停用 (disabled)");
		int k = 0;
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(u, "roles")) {
			const cJSON *unit = cJSON_GetObjectItem(r, "unit");
			printf("%s%s", k++ ? ", " : "", cJSON_GetObjectItem(r, "role")->valuestring);
			if (cJSON_IsObject(unit))
				printf(":%s", cJSON_GetObjectItem(unit, "code")->valuestring);
		}
		printf("\n");
	}
	status = XF_EXIT_OK;
out:
	if (status != XF_EXIT_OK)
		xf_errs_print(&errs, "xuefen user list: ", stderr);
	cJSON_Delete(doc);
	free(buf);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static int user_passwd(int argc, char **argv)
{
	user_args a;
	int st = parse_args(argc, argv, OPT_STDIN, 1, 1, &a);
	if (st >= 0)
		return st;
	char password[PW_BUF];
	xf_errs errs;
	xf_errs_init(&errs);
	xf_auth_policy pol;
	xf_auth_policy_defaults(&pol);
	long long id = 0;
	int status = XF_EXIT_INPUT;
	password[0] = '\0';
	xf_store *s = open_store("passwd", a.db);
	if (s == NULL)
		goto out;
	status = find_user("passwd", s, a.pos[0], &id);
	if (status != 0)
		goto out;
	status = new_password("passwd", a.password_stdin, &pol, password);
	if (status != 0)
		goto out;
	int rc = xf_user_set_password(s, &pol, id, NULL, password, "cli", xf_clock_now(), &errs);
	status = service_status("passwd", rc, a.pos[0]);
	if (status != 0)
		goto out;
	printf("已修改 %s 的密码，其所有会话已结束 (password changed; all sessions ended)\n", a.pos[0]);
out:
	xf_errs_print(&errs, "xuefen user passwd: ", stderr);
	sodium_memzero(password, sizeof(password));
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static int set_active(int argc, char **argv, bool active)
{
	user_args a;
	const char *sub = argv[0];
	int st = parse_args(argc, argv, 0, 1, 1, &a);
	if (st >= 0)
		return st;
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int status = XF_EXIT_INPUT;
	xf_store *s = open_store(sub, a.db);
	if (s == NULL)
		goto out;
	status = find_user(sub, s, a.pos[0], &id);
	if (status != 0)
		goto out;
	int rc = xf_user_set_active(s, id, active, "cli", &errs);
	status = service_status(sub, rc, a.pos[0]);
	if (status != 0)
		goto out;
	if (active)
		printf("已启用账号 %s (user enabled)\n", a.pos[0]);
	else
		printf("已停用账号 %s，其所有会话已结束 (user disabled; all sessions ended)\n", a.pos[0]);
out:
	if (errs.n) {
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "xuefen user %s: ", sub);
		xf_errs_print(&errs, prefix, stderr);
	}
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static int user_disable(int argc, char **argv)
{
	return set_active(argc, argv, false);
}

static int user_enable(int argc, char **argv)
{
	return set_active(argc, argv, true);
}

static int user_roles(int argc, char **argv)
{
	user_args a;
	int st = parse_args(argc, argv, 0, 2, MAX_ROLES + 1, &a);
	if (st >= 0)
		return st;
	xf_user_role roles[MAX_ROLES];
	char shown[512];
	xf_errs errs;
	xf_errs_init(&errs);
	long long id = 0;
	int status = XF_EXIT_INPUT;
	xf_store *s = open_store("roles", a.db);
	if (s == NULL)
		goto out;
	status = find_user("roles", s, a.pos[0], &id);
	if (status != 0)
		goto out;
	size_t n = (size_t)a.npos - 1;
	status = resolve_roles("roles", s, a.pos + 1, n, roles);
	if (status != 0)
		goto out;
	int rc = xf_user_set_roles(s, id, roles, n, "cli", &errs);
	status = service_status("roles", rc, a.pos[0]);
	if (status != 0)
		goto out;
	roles_text(a.pos + 1, n, false, shown, sizeof(shown));
	printf("已设置 %s 的角色 (roles set): %s\n", a.pos[0], shown);
out:
	xf_errs_print(&errs, "xuefen user roles: ", stderr);
	xf_errs_cleanup(&errs);
	xf_store_close(s);
	return status;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{"add", user_add},         {"list", user_list},     {"passwd", user_passwd},
	{"disable", user_disable}, {"enable", user_enable}, {"roles", user_roles},
};

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || (argv[1][0] == '-' && !cli_is_help(argv[1]))) {
		fprintf(stderr, "xuefen user: 缺少子命令 add、list、passwd、disable、enable、roles "
				"(missing subcommand); 见 xuefen user --help\n");
		return XF_EXIT_USAGE;
	}
	if (cli_is_help(argv[1])) {
		cmd_user_help();
		return XF_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(subcommands[i].name, argv[1]) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "xuefen user: 未知子命令 \"%s\" (unknown subcommand); 见 xuefen user --help\n",
		argv[1]);
	return XF_EXIT_USAGE;
}

/* ---- first run ---- */

int cli_first_admin_prompt(struct xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_auth_policy pol;
	xf_auth_policy_defaults(&pol);
	char name[NAME_BUF], password[PW_BUF];
	long long n = 0;
	int rc = -1;
	password[0] = '\0';
	if (xf_user_count(s, &n, &errs) != 0)
		goto out;
	if (n > 0) {
		rc = 0;
		goto out;
	}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "xuefen: 数据库中还没有任何账号，无法登录；请先创建管理员："
				"xuefen user add NAME --admin (no accounts yet: create an admin)\n");
		rc = 0;
		goto out;
	}
	printf("数据库中还没有任何账号。现在创建第一个管理员账号，用它登录网页后再添加其他账号。\n"
	       "(No accounts yet: create the first administrator now.)\n");
	fflush(stdout);
	for (int t = 0;; t++) {
		if (t == TRIES) {
			fprintf(stderr, "xuefen: 未创建管理员 (no admin created)\n");
			goto out;
		}
		fputs("管理员用户名 (admin user name): ", stderr);
		fflush(stderr);
		if (read_line(name, sizeof(name)) == 1)
			goto out;
		size_t len = strlen(name);
		if (len > 0 && len <= 64 &&
		    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") == len)
			break;
		fprintf(stderr, "用户名应为 1 到 64 个字母、数字或 . _ @ - (invalid user name)\n");
	}
	if (new_password("add", false, &pol, password) != 0)
		goto out;
	const xf_user_role admin[] = {{XF_ROLE_ADMIN, 0}};
	xf_user_new u = {name, name, NULL, password, admin, 1};
	if (xf_user_add(s, &pol, &u, "cli", xf_clock_now(), NULL, &errs) != 0)
		goto out;
	printf("已创建管理员账号 (admin created): %s\n", name);
	rc = 0;
out:
	if (rc != 0)
		xf_errs_print(&errs, "xuefen: ", stderr);
	sodium_memzero(password, sizeof(password));
	xf_errs_cleanup(&errs);
	return rc;
}
