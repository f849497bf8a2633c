/* api_harness: what the API tests over real HTTP share — a demo database
 * on a backend, the sanitizer build of `xuefen serve` as a child process
 * with a movable clock (XUEFEN_TEST_CLOCK_FILE), requests with libcurl,
 * sessions (cookie and CSRF token kept by hand, so a test can send any
 * cookie it likes), and answers parsed with cJSON.
 *
 * Header-only (the Makefile builds each test from one file): include after
 * cmocka.h and ../support/backends.h. The tests run from the repository
 * root (tests/run.sh does so); ah_chdir_root finds it from the test
 * binary's own path otherwise.
 *
 *   ah_server s;
 *   ah_demo_db(backends[b].url, &s.demo, &s.year);     fills the database
 *   ah_server_start(&s, backends[b].url, NULL);         forks the server
 *   ah_sess admin;  ah_login_role(&s, "admin", 0, &admin);
 *   ah_resp r;  ah_call(&s, &admin, "GET", "/api/v1/people", NULL, &r);
 *   ...  ah_resp_free(&r);
 *   assert_int_equal(ah_server_stop(&s), 0);            exit status 0 */
#ifndef XF_TESTS_API_HARNESS_H
#define XF_TESTS_API_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "service/demo.h"
#include "store/store.h"

extern char **environ;

#define AH_SERVER_BIN "build/asan/xuefen"
#define AH_BODY_MAX ((size_t)64 << 20)  /* the largest answer kept */
#define AH_START_WAIT_MS 10000           /* health must answer within */
#define AH_STOP_WAIT_MS 20000            /* SIGTERM to exit (grace is 10 s) */

/* ---- small things ---- */

/* The time now with fractions of a second. */
static inline double ah_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void ah_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Makes the repository root the current folder: it already is when the
 * sanitizer server is at AH_SERVER_BIN; else the root is four levels above
 * this binary (build/asan/unit/api/test_x). Fails the test otherwise. */
static inline void ah_chdir_root(void)
{
	if (access(AH_SERVER_BIN, X_OK) == 0 && access("src/api/routes.c", R_OK) == 0)
		return;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 5; up++) {
			char *slash = strrchr(exe, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			if (up == 4 && chdir(exe) == 0 && access(AH_SERVER_BIN, X_OK) == 0 &&
			    access("src/api/routes.c", R_OK) == 0)
				return;
		}
	}
	fail_msg("run the API tests from the repository root (tests/run.sh does): " AH_SERVER_BIN
		 " and src/api/routes.c must be found there; run `make asan` first");
}

/* ---- a growing buffer for answers ---- */

typedef struct ah_buf {
	char *p;
	size_t n, cap;
} ah_buf;

static inline size_t ah_buf_write(char *data, size_t size, size_t nmemb, void *ud)
{
	ah_buf *b = ud;
	size_t len = size * nmemb;
	if (b->n + len + 1 > AH_BODY_MAX)
		return 0;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, len);
	b->n += len;
	b->p[b->n] = '\0';
	return len;
}

/* ---- the server process ---- */

typedef struct ah_server {
	char dir[64];            /* private temporary folder */
	char clock_path[128];    /* XUEFEN_TEST_CLOCK_FILE */
	char out_path[128], err_path[128];
	char config_path[128];   /* "" when none */
	char db_url[512];
	int port;
	char base[64];           /* "http://127.0.0.1:PORT" */
	char origin[64];         /* the same, as a browser's Origin */
	pid_t pid;               /* 0: not running */
	long long offset;        /* seconds added to the server's clock */
	CURL *curl;              /* kept for its open connection */
	xf_demo_report demo;     /* the demo's logins (ah_demo_db) */
	int year;                /* the demo's year */
} ah_server;

/* Fills db_url's database, emptied first, with the demo organisation of
 * the current year; the logins (with passwords) go to rep. */
static inline void ah_demo_db(const char *db_url, xf_demo_report *rep, int *year)
{
	xf_errs errs;
	xf_errs_init(&errs);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	*year = tm.tm_year + 1900;
	xf_store *st = NULL;
	if (xf_store_reset_for_tests(db_url, &errs) != 0 ||
	    (st = xf_store_open(db_url, XF_STORE_CREATE, &errs)) == NULL ||
	    xf_demo_create(st, *year, rep, &errs) != 0) {
		xf_errs_print(&errs, "demo database: ", stderr);
		xf_store_close(st);
		xf_errs_cleanup(&errs);
		fail_msg("cannot create the demo database at %s", db_url);
	}
	xf_store_close(st);
	xf_errs_cleanup(&errs);
}

/* Writes offset to the clock file (a new file renamed over the old: the
 * server re-reads it on every call and must never see half of it). */
static inline void ah_clock_set(ah_server *s, long long offset)
{
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->clock_path);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%lld\n", offset) < 0 || fclose(f) != 0 ||
	    rename(tmp, s->clock_path) != 0)
		fail_msg("cannot write the test clock file %s", s->clock_path);
	s->offset = offset;
}

static inline void ah_clock_advance(ah_server *s, long long seconds)
{
	ah_clock_set(s, s->offset + seconds);
}

/* Waits until the wall clock is early in a second (0.1 to 0.5 s past it),
 * so that what is done next happens within that second; returns it. The
 * margin at the start keeps clear of time()'s coarse clock. */
static inline time_t ah_second_start(void)
{
	for (;;) {
		double t = ah_now();
		double frac = t - (double)(time_t)t;
		if (frac >= 0.1 && frac <= 0.5)
			return (time_t)t;
		double wait = frac < 0.1 ? 0.1 - frac : 1.1 - frac;
		ah_sleep_ms((long)(wait * 1000.0) + 1);
	}
}

/* The server's clock now (the wall clock plus the offset). */
static inline time_t ah_server_time(const ah_server *s)
{
	return time(NULL) + (time_t)s->offset;
}

/* Sets the clock so that the server's time is exactly at during the request
 * made right after (call it at once). at must not be before the server's
 * time now: the test clock only moves forward. */
static inline void ah_clock_at(ah_server *s, time_t at)
{
	time_t sec = ah_second_start();
	if ((long long)at < (long long)sec + s->offset)
		fail_msg("test clock: %lld is in the past of the server", (long long)at);
	ah_clock_set(s, (long long)at - (long long)sec);
}

static inline void ah_print_file(const char *title, const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	fprintf(stderr, "---- %s (%s) ----\n", title, path);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "---- end ----\n");
	fclose(f);
}

/* A port free right now on 127.0.0.1 (bound to 0, read back, closed). */
static inline int ah_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Whether the server's stderr says the port was taken. */
static inline bool ah_port_was_busy(const char *err_path)
{
	FILE *f = fopen(err_path, "r");
	if (f == NULL)
		return false;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, "in use") || strstr(buf, "占用") || strstr(buf, "EADDRINUSE");
}

/* Starts the server process on the port; 0 when /health answers, 1 when
 * the port turned out to be taken, -1 on another failure (reported). */
static inline int ah_spawn(ah_server *s, int port)
{
	char listen[32], clock_env[192], port_s[16];
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(clock_env, sizeof(clock_env), "XUEFEN_TEST_CLOCK_FILE=%s", s->clock_path);
	const char *argv[12];
	int ac = 0;
	argv[ac++] = AH_SERVER_BIN;
	argv[ac++] = "serve";
	argv[ac++] = "--db";
	argv[ac++] = s->db_url;
	argv[ac++] = "--listen";
	argv[ac++] = listen;
	argv[ac++] = "--threads";
	argv[ac++] = "2";
	if (s->config_path[0]) {
		argv[ac++] = "--config";
		argv[ac++] = s->config_path;
	}
	argv[ac] = NULL;
	/* The environment, without what would change the server's settings. */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	const char **envp = calloc(nenv + 2, sizeof(*envp));
	if (envp == NULL)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "XUEFEN_", 7) != 0)
			envp[k++] = environ[i];
	envp[k++] = clock_env;
	envp[k] = NULL;
	int out = open(s->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = open(s->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || err < 0 || devnull < 0) {
		free(envp);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* The server does not outlive a test that crashes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		execve(AH_SERVER_BIN, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(out);
	close(err);
	close(devnull);
	free(envp);
	if (pid < 0)
		return -1;
	s->pid = pid;
	s->port = port;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", port);
	snprintf(s->origin, sizeof(s->origin), "http://127.0.0.1:%d", port);

	/* Poll /health; notice an early exit. */
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/health", s->base);
	double deadline = ah_now() + AH_START_WAIT_MS / 1000.0;
	while (ah_now() < deadline) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s->pid = 0;
			if (ah_port_was_busy(s->err_path))
				return 1;
			fprintf(stderr, "xuefen serve exited at start (status 0x%x)\n", status);
			ah_print_file("server stdout", s->out_path);
		ah_print_file("server stderr", s->err_path);
			return -1;
		}
		CURL *c = curl_easy_init();
		long code = 0;
		ah_buf sink = {0};
		if (c) {
			curl_easy_setopt(c, CURLOPT_URL, url);
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ah_buf_write);
			curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
			if (curl_easy_perform(c) == CURLE_OK)
				curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_cleanup(c);
		}
		free(sink.p);
		if (code == 200)
			return 0;
		ah_sleep_ms(20);
	}
	fprintf(stderr, "xuefen serve did not answer /api/v1/health within %d ms\n",
		AH_START_WAIT_MS);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	s->pid = 0;
	ah_print_file("server stderr", s->err_path);
	return -1;
}

/* Starts `xuefen serve` (the sanitizer build) on db_url with a private
 * clock file (offset 0) and, when config_yaml is not NULL, that text as its
 * configuration file; waits for /health. Keeps s->demo and s->year. */
static inline void ah_server_start(ah_server *s, const char *db_url, const char *config_yaml)
{
	ah_chdir_root();
	s->pid = 0;
	s->curl = NULL;
	snprintf(s->db_url, sizeof(s->db_url), "%s", db_url);
	snprintf(s->dir, sizeof(s->dir), "/tmp/xuefen-api-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		fail_msg("cannot make a temporary folder");
	snprintf(s->clock_path, sizeof(s->clock_path), "%s/clock", s->dir);
	snprintf(s->out_path, sizeof(s->out_path), "%s/stdout", s->dir);
	snprintf(s->err_path, sizeof(s->err_path), "%s/stderr", s->dir);
	s->config_path[0] = '\0';
	/* Without settings of the test's own, evidence files go to the private
	 * folder (on PostgreSQL the default would be the working directory). */
	char evidence_yaml[160];
	if (config_yaml == NULL) {
		snprintf(evidence_yaml, sizeof(evidence_yaml), "evidence:\n  dir: %s/files\n", s->dir);
		config_yaml = evidence_yaml;
	}
	if (config_yaml) {
		snprintf(s->config_path, sizeof(s->config_path), "%s/xuefen.yaml", s->dir);
		FILE *f = fopen(s->config_path, "w");
		if (f == NULL || fputs(config_yaml, f) < 0 || fclose(f) != 0)
			fail_msg("cannot write %s", s->config_path);
	}
	ah_clock_set(s, 0);
	int rc = 1;
	for (int attempt = 0; attempt < 5 && rc == 1; attempt++) {
		int port = ah_free_port();
		if (port <= 0)
			fail_msg("no free port on 127.0.0.1");
		rc = ah_spawn(s, port);
	}
	if (rc != 0)
		fail_msg("cannot start %s serve on %s", AH_SERVER_BIN, db_url);
	s->curl = curl_easy_init();
	if (s->curl == NULL)
		fail_msg("curl_easy_init failed");
}

/* Removes the server's temporary files and folder. */
static inline void ah_server_files_remove(ah_server *s)
{
	const char *paths[] = {s->clock_path, s->out_path, s->err_path, s->config_path};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i][0])
			unlink(paths[i]);
	if (s->dir[0]) {
		/* The evidence files stored under files/ab/<sha256>. */
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s/files'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s/files\n", s->dir);
		rmdir(s->dir);
	}
	s->dir[0] = '\0';
}

/* Sends SIGTERM and waits for the exit. Returns the exit status (0 is
 * success; the sanitizers make it non-zero on a leak or an error), or -1
 * when the server was not running, was killed by a signal or did not stop
 * in time; anything but 0 prints the server's stderr. Removes its files. */
static inline int ah_server_stop(ah_server *s)
{
	if (s->curl) {
		curl_easy_cleanup(s->curl);
		s->curl = NULL;
	}
	int rc = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		double deadline = ah_now() + AH_STOP_WAIT_MS / 1000.0;
		int status = 0;
		pid_t w = 0;
		while ((w = waitpid(s->pid, &status, WNOHANG)) == 0 && ah_now() < deadline)
			ah_sleep_ms(10);
		if (w == 0) {
			fprintf(stderr, "xuefen serve did not stop within %d ms of SIGTERM\n",
				AH_STOP_WAIT_MS);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		} else if (w == s->pid && WIFEXITED(status)) {
			rc = WEXITSTATUS(status);
		} else if (w == s->pid) {
			fprintf(stderr, "xuefen serve was killed by signal %d\n", WTERMSIG(status));
		}
		s->pid = 0;
		if (rc != 0) {
			fprintf(stderr, "xuefen serve exit status %d\n", rc);
			ah_print_file("server stdout", s->out_path);
		ah_print_file("server stderr", s->err_path);
		}
	}
	ah_server_files_remove(s);
	return rc;
}

/* For teardowns: kills a server a failed test left running. */
static inline void ah_server_kill(ah_server *s)
{
	if (s->curl) {
		curl_easy_cleanup(s->curl);
		s->curl = NULL;
	}
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	ah_server_files_remove(s);
}

/* ---- requests ---- */

/* A signed-in user: the session cookie's value and the CSRF token. */
typedef struct ah_sess {
	char username[64];
	char token[128];      /* xf_session=... */
	char csrf[64];
	long long user_id;
	long long person_id;  /* 0: none */
} ah_sess;

typedef struct ah_req {
	const char *method;        /* NULL: GET */
	const char *path;          /* "/api/v1/me?x=1", sent as is (no .. folding) */
	const char *body;          /* NULL: no body */
	long body_len;             /* < 0: strlen(body) */
	const char *content_type;  /* NULL: application/json with a body; "": none */
	const ah_sess *sess;       /* its cookie, and its CSRF token on a change */
	const char *cookie;        /* an xf_session value to send instead */
	const char *csrf;          /* an X-CSRF-Token to send instead; "": none */
	const char *origin;        /* an Origin header */
} ah_req;

typedef struct ah_resp {
	long status;               /* 0: no answer (curl failed) */
	CURLcode rc;
	char *body;                /* NUL-terminated */
	size_t len;
	char *headers;             /* every header line as received */
	cJSON *json;               /* the body parsed, or NULL */
} ah_resp;

static inline void ah_resp_free(ah_resp *r)
{
	free(r->body);
	free(r->headers);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

static inline bool ah_is_change(const char *method)
{
	return method && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static inline void ah_do(ah_server *s, const ah_req *rq, ah_resp *r)
{
	memset(r, 0, sizeof(*r));
	CURL *c = s->curl;
	if (c == NULL)
		fail_msg("the server is not running");
	const char *method = rq->method ? rq->method : "GET";
	char url[8192];
	snprintf(url, sizeof(url), "%s%s", s->base, rq->path);
	curl_easy_reset(c); /* keeps the open connection */
	ah_buf body = {0}, head = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ah_buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ah_buf_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);

	struct curl_slist *hl = NULL;
	char line[512];
	const char *cookie = rq->cookie ? rq->cookie : rq->sess ? rq->sess->token : NULL;
	if (cookie) {
		snprintf(line, sizeof(line), "Cookie: xf_session=%s", cookie);
		hl = curl_slist_append(hl, line);
	}
	const char *csrf = rq->csrf ? rq->csrf : rq->sess && ah_is_change(method) ? rq->sess->csrf : NULL;
	if (csrf && *csrf) {
		snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
		hl = curl_slist_append(hl, line);
	}
	if (rq->origin) {
		snprintf(line, sizeof(line), "Origin: %s", rq->origin);
		hl = curl_slist_append(hl, line);
	}
	if (rq->body) {
		long len = rq->body_len < 0 ? (long)strlen(rq->body) : rq->body_len;
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		const char *ct = rq->content_type ? rq->content_type : "application/json";
		snprintf(line, sizeof(line), "Content-Type:%s%s", *ct ? " " : "", ct);
		hl = curl_slist_append(hl, line);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		hl = curl_slist_append(hl, "Content-Type:");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	r->rc = curl_easy_perform(c);
	if (r->rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	r->body = body.p ? body.p : calloc(1, 1);
	r->len = body.n;
	r->headers = head.p ? head.p : calloc(1, 1);
	if (r->len > 0)
		r->json = cJSON_ParseWithLength(r->body, r->len);
}

/* method path [body] as sess (NULL: anonymous), with its CSRF token on a
 * change. Returns the status; the answer goes to r (may be NULL). */
static inline long ah_call(ah_server *s, const ah_sess *sess, const char *method,
			   const char *path, const char *body, ah_resp *r)
{
	ah_resp tmp;
	ah_req rq = {.method = method, .path = path, .body = body, .body_len = -1, .sess = sess};
	ah_do(s, &rq, r ? r : &tmp);
	long status = (r ? r : &tmp)->status;
	if (r == NULL)
		ah_resp_free(&tmp);
	return status;
}

/* The value of the first response header name (without attributes' case
 * changes), in out; false when absent. */
static inline bool ah_header(const ah_resp *r, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	for (const char *p = r->headers; p && *p;) {
		const char *e = strstr(p, "\r\n");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, size, "%.*s", (int)(n - (size_t)(v - p)), v);
			return true;
		}
		if (e == NULL)
			break;
		p = e + 2;
	}
	return false;
}

/* The whole Set-Cookie header that sets xf_session, in out; false when the
 * answer sets none. */
static inline bool ah_session_set_cookie(const ah_resp *r, char *out, size_t size)
{
	static const char name[] = "Set-Cookie";
	size_t nl = strlen(name);
	for (const char *p = r->headers; p && *p;) {
		const char *e = strstr(p, "\r\n");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			if (strncmp(v, "xf_session=", 11) == 0) {
				snprintf(out, size, "%.*s", (int)(n - (size_t)(v - p)), v);
				return true;
			}
		}
		if (e == NULL)
			break;
		p = e + 2;
	}
	return false;
}

/* The xf_session value set by the answer ("" when it clears it); false
 * when there is no such Set-Cookie. */
static inline bool ah_session_token(const ah_resp *r, char *out, size_t size)
{
	char line[1024];
	if (!ah_session_set_cookie(r, line, sizeof(line)))
		return false;
	const char *v = line + 11;
	size_t n = strcspn(v, ";");
	snprintf(out, size, "%.*s", (int)n, v);
	return true;
}

/* A member of a JSON object by a dotted path ("error.code", "user.id"). */
static inline const cJSON *ah_jget(const cJSON *o, const char *path)
{
	char key[128];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

/* A string member, or "" when absent or not a string. */
static inline const char *ah_jstr(const cJSON *o, const char *path)
{
	const cJSON *v = ah_jget(o, path);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* A number member, or -1 when absent or not a number. */
static inline long long ah_jint(const cJSON *o, const char *path)
{
	const cJSON *v = ah_jget(o, path);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* The answer's error code ("" when it has none). */
static inline const char *ah_error_code(const ah_resp *r)
{
	return ah_jstr(r->json, "error.code");
}

/* Whether the answer is a JSON error with a code and a non-empty message. */
static inline bool ah_is_json_error(const ah_resp *r)
{
	char ct[128] = "";
	ah_header(r, "Content-Type", ct, sizeof(ct));
	return strncmp(ct, "application/json", 16) == 0 && *ah_error_code(r) != '\0' &&
	       *ah_jstr(r->json, "error.message") != '\0';
}

/* Fails the test with the request and the answer when the status is not
 * want. */
static inline void ah_expect(const ah_resp *r, long want, const char *what)
{
	if (r->status != want)
		fail_msg("%s: status %ld (curl %d), expected %ld; body: %.400s", what, r->status,
			 (int)r->rc, want, r->body ? r->body : "");
}

/* As ah_expect, plus the error code. */
static inline void ah_expect_error(const ah_resp *r, long want, const char *code,
				   const char *what)
{
	ah_expect(r, want, what);
	if (!ah_is_json_error(r) || strcmp(ah_error_code(r), code) != 0)
		fail_msg("%s: expected a JSON error \"%s\"; body: %.400s", what, code, r->body);
}

/* ---- signing in ---- */

/* POST /api/v1/login as user (sending cookie as the browser's current
 * session when not NULL). On 200 fills out (when not NULL) from the
 * Set-Cookie and the answer. Returns the status; the answer goes to r
 * (may be NULL). */
static inline long ah_login(ah_server *s, const char *user, const char *password,
			    const char *cookie, ah_sess *out, ah_resp *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", user);
	cJSON_AddStringToObject(o, "password", password);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (body == NULL)
		fail_msg("out of memory");
	ah_resp tmp;
	ah_resp *a = r ? r : &tmp;
	ah_req rq = {.method = "POST", .path = "/api/v1/login", .body = body, .body_len = -1,
		     .cookie = cookie};
	ah_do(s, &rq, a);
	cJSON_free(body);
	long status = a->status;
	if (status == 200 && out) {
		memset(out, 0, sizeof(*out));
		snprintf(out->username, sizeof(out->username), "%s", user);
		if (!ah_session_token(a, out->token, sizeof(out->token)) || out->token[0] == '\0')
			fail_msg("login of %s: no xf_session cookie; headers: %s", user, a->headers);
		snprintf(out->csrf, sizeof(out->csrf), "%s", ah_jstr(a->json, "csrf_token"));
		out->user_id = ah_jint(a->json, "user.id");
		long long pid = ah_jint(a->json, "user.person_id");
		out->person_id = pid > 0 ? pid : 0;
		if (out->csrf[0] == '\0' || out->user_id <= 0)
			fail_msg("login of %s: no csrf_token or user.id in %s", user, a->body);
	}
	if (r == NULL)
		ah_resp_free(&tmp);
	return status;
}

/* The demo login of role ("admin", "auditor", "approver", "reviewer",
 * "member"): the nth of that role (0-based; the members are the one above
 * the requirement, the one short of it, both of 数据资源科, then the 昆山
 * cadre). */
static inline const xf_demo_login *ah_demo_login(const ah_server *s, const char *role, int nth)
{
	int seen = 0;
	for (int i = 0; i < s->demo.nlogins; i++)
		if (strcmp(s->demo.logins[i].role, role) == 0 && seen++ == nth)
			return &s->demo.logins[i];
	fail_msg("the demo has no login number %d for role %s", nth, role);
	return NULL;
}

/* Signs in as that demo login; fails the test unless it works. */
static inline void ah_login_role(ah_server *s, const char *role, int nth, ah_sess *out)
{
	const xf_demo_login *l = ah_demo_login(s, role, nth);
	ah_resp r;
	long st = ah_login(s, l->username, l->password, NULL, out, &r);
	if (st != 200) {
		ah_print_file("server stdout", s->out_path);
		ah_print_file("server stderr", s->err_path);
		fail_msg("login as %s (%s): status %ld: %.300s", l->username, role, st, r.body);
	}
	ah_resp_free(&r);
}

#endif
