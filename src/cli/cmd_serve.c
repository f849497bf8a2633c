/* cmd_serve: `xuefen serve` — the web application and its API on the
 * intranet, until SIGTERM or Ctrl-C, which let requests in progress finish.
 * `--demo` first fills a fresh SQLite file with the demo organisation and
 * prints a login for each role.
 *
 * The web UI's files (built by `cd web && npm ci && npm run build` into
 * web/dist) are found, unless --web or the settings' web_root name a
 * folder, beside the binary: a release unpacks as xuefen + web/ (the
 * contents of web/dist), and in the source tree build/xuefen and
 * build/asan/xuefen find web/dist two or three levels up. web/dist under
 * the current directory is the last resort. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/config.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "http/http.h"
#include "service/auth.h"
#include "service/demo.h"
#include "store/store.h"

#define DEMO_DB "xuefen-demo.db"

void cmd_serve_help(void)
{
	printf("用法 Usage: xuefen serve [--listen HOST:PORT] [--db URL] [--config FILE]\n"
	       "                    [--web DIR] [--threads N] [--demo]\n\n"
	       "启动网页服务与 API（/api/v1，见 docs/api.md），直到收到 SIGTERM 或 Ctrl-C；\n"
	       "正在处理的请求会先完成。首次运行且没有任何账号时，在终端上提示创建管理员。\n"
	       "Runs the web application until SIGTERM/Ctrl-C (requests in progress finish).\n\n"
	       "  --listen HOST:PORT  监听地址（默认 127.0.0.1:8080）\n"
	       "  --db URL            数据库（默认 $XUEFEN_DB 或 xuefen.db）\n"
	       "  --config FILE       配置文件（YAML，见 docs/configuration.md；默认 $XUEFEN_CONFIG）\n"
	       "  --web DIR           网页界面文件目录（默认：程序旁的 web/，或源码树中的 web/dist）\n"
	       "  --threads N         工作线程数（默认为 CPU 核数）\n"
	       "  --demo              在全新的 " DEMO_DB " 中创建演示单位（区大数据发展局 4 个科室\n"
	       "                      约 40 人、昆山干部组），并打印各角色的演示账号\n");
}

/* Deletes the demo database files so the demo starts fresh. */
static void remove_demo_db(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "%s%s", DEMO_DB, suffixes[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			fprintf(stderr, "xuefen serve: 无法删除 %s：%s\n", path, strerror(errno));
	}
}

static int make_demo(xf_demo_report *rep)
{
	xf_errs errs;
	xf_errs_init(&errs);
	remove_demo_db();
	int rc = -1;
	xf_store *s = xf_store_open(DEMO_DB, XF_STORE_CREATE, &errs);
	if (s == NULL)
		goto out;
	time_t now = xf_clock_now();
	struct tm tm;
	localtime_r(&now, &tm);
	if (xf_demo_create(s, tm.tm_year + 1900, rep, &errs) != 0)
		goto out;
	rc = 0;
out:
	xf_errs_print(&errs, "xuefen serve --demo: ", stderr);
	xf_store_close(s);
	xf_errs_cleanup(&errs);
	return rc;
}

static void print_demo(const xf_demo_report *rep, const char *url)
{
	printf("\n演示数据 (demo data): %d 个单位、%d 人、%lld 条学分记录，数据库 %s\n", rep->units,
	       rep->people, rep->records, DEMO_DB);
	printf("演示账号 (demo logins) — 在 %s 登录，或：\n", url);
	printf("  curl -c c.txt -H 'Content-Type: application/json' -d "
	       "'{\"username\":\"%s\",\"password\":\"%s\"}' %sapi/v1/login\n",
	       rep->nlogins ? rep->logins[rep->nlogins - 1].username : "",
	       rep->nlogins ? rep->logins[rep->nlogins - 1].password : "", url);
	printf("  curl -b c.txt %sapi/v1/me/credits\n\n", url);
	printf("  %-10s %-14s %-16s %s\n", "角色", "用户名", "密码", "人员");
	for (int i = 0; i < rep->nlogins; i++) {
		const xf_demo_login *l = &rep->logins[i];
		printf("  %-8s %-14s %-16s %s\n", l->role, l->username, l->password, l->who);
	}
	printf("\n");
}

/* Whether dir holds a built web UI: dir/index.html is readable and dir is
 * not the UI's source folder (which has package.json beside index.html). */
static bool has_ui(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/index.html", dir);
	if (n <= 0 || (size_t)n >= sizeof(p) || access(p, R_OK) != 0)
		return false;
	n = snprintf(p, sizeof(p), "%s/package.json", dir);
	return n > 0 && (size_t)n < sizeof(p) && access(p, F_OK) != 0;
}

/* The default folder of the web UI, malloc'd, or NULL when none is built:
 * for the folder of the running binary and the two above it, DIR/web/dist
 * (the source tree) then DIR/web (a release: the binary beside web/);
 * last, web/dist under the current directory. */
static char *default_web_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			static const char *const subs[] = {"/web/dist", "/web"};
			for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
				char dir[PATH_MAX];
				int m = snprintf(dir, sizeof(dir), "%s%s", exe, subs[i]);
				if (m > 0 && (size_t)m < sizeof(dir) && has_ui(dir))
					return strdup(dir);
			}
		}
	}
	if (has_ui("web/dist"))
		return realpath("web/dist", NULL);
	return NULL;
}

int cmd_serve(int argc, char **argv)
{
	const char *listen = NULL, *db = NULL, *config = getenv("XUEFEN_CONFIG"), *web = NULL;
	long threads = -1;
	int demo = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (cli_is_help(a)) {
			cmd_serve_help();
			return XF_EXIT_OK;
		} else if (strcmp(a, "--listen") == 0 && has) {
			listen = argv[++i];
		} else if (strcmp(a, "--db") == 0 && has) {
			db = argv[++i];
		} else if (strcmp(a, "--config") == 0 && has) {
			config = argv[++i];
		} else if (strcmp(a, "--web") == 0 && has) {
			web = argv[++i];
		} else if (strcmp(a, "--threads") == 0 && has) {
			char *end;
			errno = 0;
			threads = strtol(argv[++i], &end, 10);
			if (errno || *end || threads < 1 || threads > 256) {
				fprintf(stderr, "xuefen serve: --threads 应为 1 到 256 之间的整数\n");
				return XF_EXIT_USAGE;
			}
		} else if (strcmp(a, "--demo") == 0) {
			demo = 1;
		} else {
			fprintf(stderr, "xuefen serve: 无法识别的参数 \"%s\" (unexpected argument)；见 --help\n", a);
			return XF_EXIT_USAGE;
		}
	}
	if (demo && db) {
		fprintf(stderr, "xuefen serve: --demo 总是使用全新的 %s，不能与 --db 同用\n", DEMO_DB);
		return XF_EXIT_USAGE;
	}

	xf_config cfg;
	xf_config_defaults(&cfg);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = XF_EXIT_INPUT;
	xf_api *api = NULL;
	xf_http *http = NULL;
	xf_store *s = NULL;
	xf_demo_report rep = {0};

	if (config && xf_config_load(&cfg, config, &errs) != 0)
		goto out;
	/* Command-line options override the file. */
	if (listen) {
		free(cfg.listen);
		cfg.listen = strdup(listen);
	}
	if (web) {
		free(cfg.web_root);
		cfg.web_root = strdup(web);
	} else if (cfg.web_root == NULL) {
		cfg.web_root = default_web_root();
	}
	if (threads > 0)
		cfg.threads = (int)threads;
	const char *url = demo ? DEMO_DB : cli_db_url(db ? db : cfg.db);

	if (demo && make_demo(&rep) != 0)
		goto out;
	if (!demo) {
		s = xf_store_open(url, XF_STORE_OPEN, &errs);
		if (s == NULL)
			goto out;
		if (cli_first_admin_prompt(s) != 0)
			goto out;
		xf_store_close(s);
		s = NULL;
	}

	api = xf_api_new(&cfg, url, &errs);
	if (api == NULL)
		goto out;

	/* The workers inherit this mask: the signals come to sigwait below. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	xf_http_options o = {
		.listen = cfg.listen,
		.threads = cfg.threads,
		.tls_cert_file = cfg.tls_cert,
		.tls_key_file = cfg.tls_key,
	};
	http = xf_http_start(&o, xf_api_http_app(api), &errs);
	if (http == NULL)
		goto out;

	char shown[300];
	const char *colon = strrchr(cfg.listen, ':');
	size_t hostlen = colon ? (size_t)(colon - cfg.listen) : 0;
	char host[256];
	snprintf(host, sizeof(host), "%.*s", (int)hostlen, cfg.listen);
	if (hostlen == 0 || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	snprintf(shown, sizeof(shown), "%s://%s:%d/", cfg.tls_cert ? "https" : "http", host,
		 xf_http_port(http));
	if (demo)
		print_demo(&rep, shown);
	if (cfg.web_root)
		printf("网页界面 (web UI): %s\n", cfg.web_root);
	else
		printf("未找到网页界面文件：请先构建（cd web && npm ci && npm run build），"
		       "或用 --web 指定目录；接口 /api/v1 照常可用\n");
	char *redacted = xf_store_url_redact(url);
	printf("xuefen 已启动 (serving): %s  数据库 %s；按 Ctrl-C 停止\n", shown,
	       redacted ? redacted : "?");
	free(redacted);
	fflush(stdout);

	int sig = 0;
	sigwait(&set, &sig);
	printf("xuefen 正在停止 (stopping: %s)，等待进行中的请求完成……\n",
	       sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP");
	fflush(stdout);
	xf_http_stop(http);
	http = NULL;
	printf("xuefen 已停止 (stopped)\n");
	rc = XF_EXIT_OK;
out:
	xf_errs_print(&errs, "xuefen serve: ", stderr);
	xf_http_stop(http);
	xf_api_free(api);
	xf_store_close(s);
	xf_config_cleanup(&cfg);
	xf_errs_cleanup(&errs);
	return rc;
}
