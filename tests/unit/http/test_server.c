/* Unit tests for src/http/server.c and static.c: a toy application on
 * 127.0.0.1 port 0, talked to with libcurl (and a raw socket for malformed
 * requests): query, cookie and header access, bodies and their limit,
 * keep-alive, security headers, static files, worker contexts, graceful
 * stop, listen addresses and TLS. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "http/http.h"
#include "io/jsonw.h"

/* ---- The toy application ------------------------------------------------ */

typedef struct toy {
	atomic_int inits, dones;
	atomic_int slow_started, slow_finished;
	char root[256];      /* static files */
} toy;

typedef struct toy_thread {
	int magic;
} toy_thread;

#define MAGIC 4242
#define BODY_LIMIT 1024
#define SLOW_BODY 200000

static void *toy_thread_init(void *app)
{
	toy *t = app;
	atomic_fetch_add(&t->inits, 1);
	toy_thread *c = malloc(sizeof(*c));
	if (c)
		c->magic = MAGIC;
	return c;
}

static void toy_thread_done(void *app, void *ctx)
{
	toy *t = app;
	atomic_fetch_add(&t->dones, 1);
	free(ctx);
}

static size_t toy_body_limit(void *app, xf_method m, const char *path)
{
	(void)app;
	return m == XF_HTTP_POST && strcmp(path, "/api/echo") == 0 ? BODY_LIMIT : 0;
}

static const char *method_name(xf_method m)
{
	switch (m) {
	case XF_HTTP_GET: return "GET";
	case XF_HTTP_HEAD: return "HEAD";
	case XF_HTTP_POST: return "POST";
	case XF_HTTP_PUT: return "PUT";
	case XF_HTTP_PATCH: return "PATCH";
	case XF_HTTP_DELETE: return "DELETE";
	default: return "OTHER";
	}
}

static void toy_dispatch(void *app, xf_req *req, xf_res *res)
{
	toy *t = app;
	if (strcmp(req->path, "/api/echo") == 0) {
		res->content_type = "text/plain";
		FILE *f = xf_res_stream(res);
		fprintf(f, "%zu:", req->body_len);
		fwrite(req->body, 1, req->body_len, f);
		return;
	}
	if (strcmp(req->path, "/api/error") == 0) {
		fputs("junk that must go", xf_res_stream(res));
		xf_res_error(res, 409, "conflict", "记录已被修改 \"x\"");
		return;
	}
	if (strcmp(req->path, "/api/cookies") == 0) {
		xf_res_header(res, "Set-Cookie", "a=1; Path=/");
		xf_res_header(res, "Set-Cookie", "b=2; Path=/");
		xf_res_header(res, "X-Bad", "a\r\nInjected: 1"); /* dropped */
		res->status = 204;
		return;
	}
	if (strcmp(req->path, "/api/slow") == 0) {
		atomic_store(&t->slow_started, 1);
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		FILE *f = xf_res_stream(res);
		for (int i = 0; i < SLOW_BODY; i++)
			fputc('a' + i % 26, f);
		atomic_store(&t->slow_finished, 1);
		return;
	}
	if (strncmp(req->path, "/api/", 5) == 0) {
		const toy_thread *tc = req->thread_ctx;
		xf_jw w;
		xf_jw_init(&w, xf_res_stream(res));
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "method", method_name(req->method));
		xf_jw_kstr(&w, "path", req->path);
		xf_jw_kstr(&w, "name", xf_req_query(req, "name"));
		xf_jw_kstr(&w, "sid", xf_req_cookie(req, "sid"));
		xf_jw_kstr(&w, "other", xf_req_cookie(req, "other"));
		xf_jw_kstr(&w, "x_test", xf_req_header(req, "x-test"));
		xf_jw_kstr(&w, "ip", req->remote_ip);
		xf_jw_kbool(&w, "tls", req->tls);
		xf_jw_kint(&w, "magic", tc ? tc->magic : 0);
		xf_jw_obj_end(&w);
		return;
	}
	xf_http_static(req, res, t->root, req->path, true);
}

static xf_http_app toy_app_of(toy *t)
{
	xf_http_app a = {
		.app = t,
		.thread_init = toy_thread_init,
		.thread_done = toy_thread_done,
		.body_limit = toy_body_limit,
		.dispatch = toy_dispatch,
	};
	return a;
}

/* ---- Fixture: one server for most tests --------------------------------- */

typedef struct fixture {
	toy t;
	xf_http_app app;
	xf_http *h;
	char base[64];
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_root(char *root, size_t size)
{
	snprintf(root, size, "/tmp/xf-http-test-XXXXXX");
	assert_non_null(mkdtemp(root));
	char d[300];
	snprintf(d, sizeof(d), "%s/assets", root);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(d, sizeof(d), "%s/sub", root);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(root, "index.html", "<!doctype html><title>学分</title>\n");
	write_file(root, "assets/app.js", "console.log('plain');\n");
	write_file(root, "assets/app.js.gz", "GZIPPED-BYTES");
	write_file(root, "assets/style.css", "body{}\n");
	write_file(root, "logo.svg", "<svg/>");
	write_file(root, "sub/index.html", "sub index\n");
	write_file(root, ".secret", "hidden\n");
	write_file(root, "data.wasm", "\0asm");
}

static void remove_root(const char *root)
{
	static const char *const files[] = {
		"index.html", "assets/app.js", "assets/app.js.gz", "assets/style.css",
		"logo.svg", "sub/index.html", ".secret", "data.wasm", "assets", "sub",
	};
	char p[512];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		remove(p);
	}
	rmdir(root);
}

static xf_http *start(toy *t, xf_http_app *app, const char *listen, int threads,
		      int grace)
{
	*app = toy_app_of(t);
	xf_http_options o = {.listen = listen, .threads = threads, .shutdown_grace = grace};
	xf_errs e;
	xf_errs_init(&e);
	xf_http *h = xf_http_start(&o, app, &e);
	if (h == NULL)
		xf_errs_print(&e, "start: ", stderr);
	xf_errs_cleanup(&e);
	assert_non_null(h);
	assert_true(xf_http_port(h) > 0);
	return h;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	make_root(f->t.root, sizeof(f->t.root));
	f->h = start(&f->t, &f->app, "127.0.0.1:0", 2, 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", xf_http_port(f->h));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	xf_http_stop(f->h);
	/* Each worker's context was made once and given back once. */
	assert_int_equal(atomic_load(&f->t.inits), atomic_load(&f->t.dones));
	remove_root(f->t.root);
	free(f);
	return 0;
}

/* ---- A small libcurl client ----------------------------------------------- */

typedef struct buf {
	char *p;
	size_t n;
} buf;

typedef struct resp {
	long status;
	buf body, headers;
	long connects;
	CURLcode rc;
} resp;

static size_t buf_write(char *data, size_t size, size_t nmemb, void *ud)
{
	buf *b = ud;
	size_t n = size * nmemb;
	char *p = realloc(b->p, b->n + n + 1);
	if (p == NULL)
		return 0;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

static void resp_free(resp *r)
{
	free(r->body.p);
	free(r->headers.p);
	memset(r, 0, sizeof(*r));
}

typedef struct request {
	const char *method;   /* NULL: GET */
	const char *path;
	const char *body;     /* POST body, or NULL */
	long body_len;        /* -1: chunked, from a read callback */
	const char *hdr[4];   /* extra request headers */
} request;

typedef struct chunked {
	const char *p;
	size_t left;
} chunked;

static size_t chunk_read(char *out, size_t size, size_t nmemb, void *ud)
{
	chunked *c = ud;
	size_t n = size * nmemb;
	if (n > 4096)
		n = 4096;
	if (n > c->left)
		n = c->left;
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return n;
}

static void perform(CURL *c, const char *base, const request *rq, resp *r)
{
	char url[1024];
	memset(r, 0, sizeof(*r));
	curl_easy_reset(c); /* keeps the open connections */
	snprintf(url, sizeof(url), "%s%s", base, rq->path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	struct curl_slist *hl = NULL;
	for (int i = 0; i < 4 && rq->hdr[i]; i++)
		hl = curl_slist_append(hl, rq->hdr[i]);
	chunked ck = {0};
	if (rq->body != NULL && rq->body_len < 0) {
		ck.p = rq->body;
		ck.left = strlen(rq->body);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, chunk_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &ck);
		hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
	} else if (rq->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, rq->body_len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_NOBODY, rq->method && strcmp(rq->method, "HEAD") == 0 ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
			 rq->method && strcmp(rq->method, "HEAD") != 0 ? rq->method : NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r->connects);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (r->body.p == NULL)
		r->body.p = calloc(1, 1);
	if (r->headers.p == NULL)
		r->headers.p = calloc(1, 1);
}

/* The value of response header name (first occurrence), in out. */
static bool header_of(const resp *r, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	for (const char *s = r->headers.p; s && *s;) {
		const char *e = strstr(s, "\r\n");
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n > nl && strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
			const char *v = s + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, size, "%.*s", (int)(n - (size_t)(v - s)), v);
			return true;
		}
		if (e == NULL)
			break;
		s = e + 2;
	}
	return false;
}

static int header_count(const resp *r, const char *name)
{
	int k = 0;
	size_t nl = strlen(name);
	for (const char *s = r->headers.p; s && *s;) {
		if (strncasecmp(s, name, nl) == 0 && s[nl] == ':')
			k++;
		const char *e = strstr(s, "\r\n");
		if (e == NULL)
			break;
		s = e + 2;
	}
	return k;
}

static void assert_header(const resp *r, const char *name, const char *want)
{
	char v[256];
	if (!header_of(r, name, v, sizeof(v))) {
		fprintf(stderr, "missing header %s in:\n%s", name, r->headers.p);
		fail();
	}
	assert_string_equal(v, want);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- Tests ------------------------------------------------------------------ */

static void test_get_query_cookie_header(void **state)
{
	fixture *f = *state;
	CURL *c = curl_easy_init();
	request rq = {.path = "/api/hello%20world?name=%E5%AD%A6%E5%88%86&x=1",
		      .hdr = {"Cookie: other=1; sid=abc=def", "X-Test: yes"}};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	cJSON *j = cJSON_Parse(r.body.p);
	assert_non_null(j);
	assert_string_equal(jstr(j, "method"), "GET");
	assert_string_equal(jstr(j, "path"), "/api/hello world");
	assert_string_equal(jstr(j, "name"), "学分");
	assert_string_equal(jstr(j, "sid"), "abc=def");
	assert_string_equal(jstr(j, "other"), "1");
	assert_string_equal(jstr(j, "x_test"), "yes");
	assert_string_equal(jstr(j, "ip"), "127.0.0.1");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "tls")));
	assert_int_equal(cJSON_GetObjectItem(j, "magic")->valueint, MAGIC);
	cJSON_Delete(j);
	/* The default type and the security headers. */
	assert_header(&r, "Content-Type", "application/json; charset=utf-8");
	assert_header(&r, "X-Content-Type-Options", "nosniff");
	assert_header(&r, "X-Frame-Options", "DENY");
	assert_header(&r, "Referrer-Policy", "same-origin");
	assert_header(&r, "Cache-Control", "no-store");
	resp_free(&r);

	/* Absent values are NULL. */
	rq = (request){.path = "/api/x"};
	perform(c, f->base, &rq, &r);
	j = cJSON_Parse(r.body.p);
	assert_non_null(j);
	assert_null(jstr(j, "name"));
	assert_null(jstr(j, "sid"));
	assert_null(jstr(j, "x_test"));
	cJSON_Delete(j);
	resp_free(&r);
	curl_easy_cleanup(c);
}

static void test_methods_and_head(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *method, *want;
	} rows[] = {
		{"GET", "GET"}, {"PUT", "PUT"}, {"PATCH", "PATCH"}, {"DELETE", "DELETE"},
		{"OPTIONS", "OTHER"},
	};
	CURL *c = curl_easy_init();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		request rq = {.method = rows[i].method, .path = "/api/m"};
		resp r;
		perform(c, f->base, &rq, &r);
		assert_int_equal(r.status, 200);
		cJSON *j = cJSON_Parse(r.body.p);
		assert_non_null(j);
		assert_string_equal(jstr(j, "method"), rows[i].want);
		cJSON_Delete(j);
		resp_free(&r);
	}
	/* HEAD runs the GET handler and sends no body. */
	request rq = {.method = "HEAD", .path = "/api/m"};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.n, 0);
	char v[64];
	assert_true(header_of(&r, "Content-Length", v, sizeof(v)));
	assert_true(strtol(v, NULL, 10) > 20);
	resp_free(&r);
	curl_easy_cleanup(c);
}

static void test_post_body(void **state)
{
	fixture *f = *state;
	static char big[BODY_LIMIT + 2];
	memset(big, 'x', sizeof(big) - 1);
	static char exact[BODY_LIMIT + 1];
	memset(exact, 'y', sizeof(exact) - 1);
	static const char *const want_exact_prefix = "1024:yyy";
	struct {
		const char *body;
		long len;
		long status;
		const char *want;  /* body prefix */
	} rows[] = {
		{"hello 学分", -2, 200, "12:hello 学分"},
		{"", 0, 200, "0:"},
		{exact, BODY_LIMIT, 200, NULL},
		{big, BODY_LIMIT + 1, 413, "{\n \"error\": {\n  \"code\": \"payload_too_large\""},
		{"chunked body", -1, 200, "12:chunked body"},
		{big, -1, 413, "{\n \"error\": {\n  \"code\": \"payload_too_large\""},
	};
	CURL *c = curl_easy_init();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		request rq = {.path = "/api/echo", .body = rows[i].body,
			      .body_len = rows[i].len == -2 ? (long)strlen(rows[i].body)
							    : rows[i].len};
		resp r;
		perform(c, f->base, &rq, &r);
		if (r.rc != CURLE_OK || r.status != rows[i].status) {
			fprintf(stderr, "row %zu: rc %d status %ld\n", i, (int)r.rc, r.status);
			fail();
		}
		const char *want = rows[i].want ? rows[i].want : want_exact_prefix;
		if (strncmp(r.body.p, want, strlen(want)) != 0) {
			fprintf(stderr, "row %zu: got %.80s\n", i, r.body.p);
			fail();
		}
		if (rows[i].want == NULL)
			assert_int_equal(r.body.n, 5 + BODY_LIMIT);
		resp_free(&r);
	}
	/* A large body is refused before it is read (curl waits for "100
	 * Continue", which does not come); a chunked one past the limit is
	 * dropped as it comes, then the connection is closed. */
	size_t huge_len = (size_t)20 << 20;
	char *huge = malloc(huge_len + 1);
	assert_non_null(huge);
	memset(huge, 'z', huge_len);
	huge[huge_len] = '\0';
	request big_rq = {.path = "/api/echo", .body = huge, .body_len = 3 << 20};
	resp br;
	perform(c, f->base, &big_rq, &br);
	assert_int_equal(br.rc, CURLE_OK);
	assert_int_equal(br.status, 413);
	assert_non_null(strstr(br.body.p, "payload_too_large"));
	resp_free(&br);
	big_rq.body_len = -1;
	perform(c, f->base, &big_rq, &br);
	assert_int_not_equal(br.rc, CURLE_OK);
	resp_free(&br);
	free(huge);

	/* A body where none is allowed is refused, and the server goes on. */
	request rq = {.method = "PUT", .path = "/api/echo", .body = "x", .body_len = 1};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body.p, "bad_request"));
	resp_free(&r);
	rq = (request){.path = "/api/after"};
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	curl_easy_cleanup(c);
}

static void test_keep_alive(void **state)
{
	fixture *f = *state;
	CURL *c = curl_easy_init();
	request rows[] = {
		{.path = "/api/one"},
		{.path = "/api/two"},
		{.path = "/api/echo", .body = "abc", .body_len = 3},
		{.path = "/index.html"},
		{.path = "/missing.js"},
		{.path = "/api/three"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		resp r;
		perform(c, f->base, &rows[i], &r);
		assert_int_equal(r.rc, CURLE_OK);
		/* Only the first request opens a connection. */
		assert_int_equal(r.connects, i == 0 ? 1 : 0);
		assert_false(header_of(&r, "Connection", (char[16]){0}, 16) &&
			     strstr(r.headers.p, "Connection: close") != NULL);
		resp_free(&r);
	}
	curl_easy_cleanup(c);
}

static void test_error_and_headers(void **state)
{
	fixture *f = *state;
	CURL *c = curl_easy_init();
	request rq = {.path = "/api/error"};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(r.body.p, "{\n \"error\": {\n  \"code\": \"conflict\",\n"
			    "  \"message\": \"记录已被修改 \\\"x\\\"\"\n }\n}\n");
	assert_header(&r, "Content-Type", "application/json; charset=utf-8");
	resp_free(&r);

	rq = (request){.path = "/api/cookies"};
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 204);
	assert_int_equal(header_count(&r, "Set-Cookie"), 2);
	assert_null(strstr(r.headers.p, "Injected"));
	assert_non_null(strstr(r.headers.p, "a=1; Path=/"));
	assert_non_null(strstr(r.headers.p, "b=2; Path=/"));
	resp_free(&r);
	curl_easy_cleanup(c);
}

static void test_static(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *path;
		const char *accept;
		long status;
		const char *type;
		const char *body;   /* NULL: not checked */
		const char *cache;
		const char *encoding;
	} rows[] = {
		{"/", NULL, 200, "text/html; charset=utf-8", "<!doctype html><title>学分</title>\n",
		 "no-cache", NULL},
		{"/index.html", NULL, 200, "text/html; charset=utf-8", NULL, "no-cache", NULL},
		{"/assets/app.js", NULL, 200, "text/javascript; charset=utf-8",
		 "console.log('plain');\n", "public, max-age=31536000, immutable", NULL},
		{"/assets/app.js", "Accept-Encoding: gzip, deflate", 200,
		 "text/javascript; charset=utf-8", "GZIPPED-BYTES",
		 "public, max-age=31536000, immutable", "gzip"},
		{"/assets/app.js", "Accept-Encoding: br, gzip;q=0", 200,
		 "text/javascript; charset=utf-8", "console.log('plain');\n", NULL, NULL},
		{"/assets/style.css", NULL, 200, "text/css; charset=utf-8", "body{}\n", NULL, NULL},
		{"/logo.svg", NULL, 200, "image/svg+xml", "<svg/>", NULL, NULL},
		{"/data.wasm", NULL, 200, "application/wasm", NULL, NULL, NULL},
		{"/sub/", NULL, 200, "text/html; charset=utf-8", "sub index\n", NULL, NULL},
		{"/sub", NULL, 200, "text/html; charset=utf-8", "sub index\n", NULL, NULL},
		/* Client-side routes of the web UI get index.html. */
		{"/people/42", NULL, 200, "text/html; charset=utf-8",
		 "<!doctype html><title>学分</title>\n", NULL, NULL},
		{"/missing.js", NULL, 404, "application/json; charset=utf-8", NULL, "no-store", NULL},
		{"/assets/missing", NULL, 404, NULL, NULL, NULL, NULL},
		{"/.secret", NULL, 404, NULL, NULL, NULL, NULL},
		{"/sub/../.secret", NULL, 404, NULL, NULL, NULL, NULL},
		{"/../../etc/passwd", NULL, 404, NULL, NULL, NULL, NULL},
		{"/%2e%2e/%2e%2e/etc/passwd", NULL, 404, NULL, NULL, NULL, NULL},
		{"/sub/..%2f..%2fetc%2fpasswd", NULL, 404, NULL, NULL, NULL, NULL},
		{"/a%5c..%5cb", NULL, 404, NULL, NULL, NULL, NULL},
		{"/index.html%00.png", NULL, 404, NULL, NULL, NULL, NULL},
	};
	CURL *c = curl_easy_init();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		request rq = {.path = rows[i].path, .hdr = {rows[i].accept}};
		resp r;
		perform(c, f->base, &rq, &r);
		if (r.status != rows[i].status) {
			fprintf(stderr, "row %zu (%s): status %ld\n", i, rows[i].path, r.status);
			fail();
		}
		if (rows[i].type)
			assert_header(&r, "Content-Type", rows[i].type);
		if (rows[i].body)
			assert_string_equal(r.body.p, rows[i].body);
		if (rows[i].cache)
			assert_header(&r, "Cache-Control", rows[i].cache);
		if (rows[i].encoding)
			assert_header(&r, "Content-Encoding", rows[i].encoding);
		else
			assert_int_equal(header_count(&r, "Content-Encoding"), 0);
		if (strncmp(rows[i].path, "/assets/app.js", 14) == 0)
			assert_header(&r, "Vary", "Accept-Encoding");
		assert_header(&r, "X-Content-Type-Options", "nosniff");
		assert_int_equal(header_count(&r, "Cache-Control"), 1);
		resp_free(&r);
	}
	/* HEAD of a file: its length, no body. */
	request rq = {.method = "HEAD", .path = "/assets/style.css"};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 200);
	assert_header(&r, "Content-Length", "7");
	assert_int_equal(r.body.n, 0);
	resp_free(&r);
	curl_easy_cleanup(c);
}

/* Raw bytes on a socket: the server answers 4xx or closes, never crashes,
 * and goes on serving. */
static void test_malformed(void **state)
{
	fixture *f = *state;
	static char huge[100000];
	memcpy(huge, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", 33);
	memset(huge + 33, 'a', sizeof(huge) - 38);
	memcpy(huge + sizeof(huge) - 5, "\r\n\r\n", 5);
	/* Row 6 is odd but valid (bad escapes are kept as they are). */
	static const struct {
		const char *raw;
		bool may_succeed;
	} rows[] = {
		{"GARBAGE\r\n\r\n", false},
		{"GET\r\n\r\n", false},
		{"GET / HTTP/9.9\r\n\r\n", false},
		{"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", false},
		{"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
		 "99999999999999999999999\r\n\r\n", false},
		{"POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "zz\r\n", false},
		{"GET /%zz%0 HTTP/1.1\r\nHost: x\r\nCookie: ;;==;=a; b\r\n\r\n", true},
		{"\x01\x02\x03\xff\r\n\r\n", false},
		{NULL, false}, /* the huge header */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons((uint16_t)xf_http_port(f->h))};
		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		struct timeval tv = {3, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		const char *raw = rows[i].raw ? rows[i].raw : huge;
		(void)!send(fd, raw, strlen(raw), MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
		char got[256] = {0};
		ssize_t n = recv(fd, got, sizeof(got) - 1, 0);
		if (n > 0 && strncmp(got, "HTTP/1.1 2", 10) == 0 && !rows[i].may_succeed) {
			fprintf(stderr, "row %zu answered: %.60s\n", i, got);
			fail();
		}
		close(fd);
	}
	CURL *c = curl_easy_init();
	request rq = {.path = "/api/still"};
	resp r;
	perform(c, f->base, &rq, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	curl_easy_cleanup(c);
}

static void test_thread_contexts(void **state)
{
	fixture *f = *state;
	/* Several connections at once spread over the 2 workers. */
	CURLM *m = curl_multi_init();
	CURL *cs[8];
	buf bodies[8] = {0};
	char url[128];
	snprintf(url, sizeof(url), "%s/api/ctx", f->base);
	for (int i = 0; i < 8; i++) {
		cs[i] = curl_easy_init();
		curl_easy_setopt(cs[i], CURLOPT_URL, url);
		curl_easy_setopt(cs[i], CURLOPT_WRITEFUNCTION, buf_write);
		curl_easy_setopt(cs[i], CURLOPT_WRITEDATA, &bodies[i]);
		curl_multi_add_handle(m, cs[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < 8; i++) {
		assert_non_null(bodies[i].p);
		assert_non_null(strstr(bodies[i].p, "\"magic\": 4242"));
		curl_multi_remove_handle(m, cs[i]);
		curl_easy_cleanup(cs[i]);
		free(bodies[i].p);
	}
	curl_multi_cleanup(m);
	int inits = atomic_load(&f->t.inits);
	assert_true(inits >= 1 && inits <= 2);
	assert_int_equal(atomic_load(&f->t.dones), 0);
}

/* ---- Graceful stop ------------------------------------------------------------ */

typedef struct slow_call {
	char base[64];
	resp r;
} slow_call;

static void *slow_client(void *arg)
{
	slow_call *s = arg;
	CURL *c = curl_easy_init();
	request rq = {.path = "/api/slow"};
	perform(c, s->base, &rq, &s->r);
	curl_easy_cleanup(c);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_graceful_stop(void **state)
{
	(void)state;
	toy t;
	memset(&t, 0, sizeof(t));
	xf_http_app app;
	xf_http *h = start(&t, &app, "127.0.0.1:0", 2, 5);
	slow_call s;
	memset(&s, 0, sizeof(s));
	snprintf(s.base, sizeof(s.base), "http://127.0.0.1:%d", xf_http_port(h));

	/* An idle keep-alive connection must not hold the stop. */
	CURL *idle = curl_easy_init();
	request rq = {.path = "/api/idle"};
	resp r;
	perform(idle, s.base, &rq, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);

	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, slow_client, &s), 0);
	while (!atomic_load(&t.slow_started))
		poll(NULL, 0, 5);
	double t0 = now_s();
	xf_http_stop(h);
	double took = now_s() - t0;
	/* Stop returned after the handler had finished and its answer was sent. */
	assert_true(atomic_load(&t.slow_finished));
	assert_true(took < 4.0);
	pthread_join(th, NULL);
	assert_int_equal(s.r.rc, CURLE_OK);
	assert_int_equal(s.r.status, 200);
	assert_int_equal(s.r.body.n, SLOW_BODY);
	assert_int_equal(s.r.body.p[SLOW_BODY - 1], 'a' + (SLOW_BODY - 1) % 26);
	resp_free(&s.r);
	assert_int_equal(atomic_load(&t.inits), atomic_load(&t.dones));

	/* Nothing listens any more. */
	perform(idle, s.base, &rq, &r);
	assert_int_not_equal(r.rc, CURLE_OK);
	resp_free(&r);
	curl_easy_cleanup(idle);
	xf_http_stop(NULL);
}

/* ---- Listen addresses and TLS ---------------------------------------------------- */

static bool errs_have(const xf_errs *e, const char *want)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->msgs[i], want) != NULL)
			return true;
	xf_errs_print(e, "  got: ", stderr);
	return false;
}

static void test_listen_addresses(void **state)
{
	(void)state;
	toy t;
	memset(&t, 0, sizeof(t));
	xf_http_app app = toy_app_of(&t);
	static const struct {
		const char *listen;
		const char *want; /* message part, NULL: starts */
	} rows[] = {
		{"abc", "监听地址“abc”无效"},
		{"1.2.3:80", "监听地址“1.2.3:80”无效"},
		{"127.0.0.1:99999", "“127.0.0.1:99999”无效"},
		{"127.0.0.1:", "无效"},
		{"127.0.0.1:8x", "无效"},
		{"[::1", "“[::1”无效"},
		{"[::1]8080", "无效"},
		{"::1:80", "无效"},
		{"", "无效"},
		{"10.255.255.1:0", "不是本机地址"},
		{"0", NULL},
		{":0", NULL},
		{"localhost:0", NULL},
		{"[::1]:0", NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_http_options o = {.listen = rows[i].listen, .threads = 1};
		xf_errs e;
		xf_errs_init(&e);
		xf_http *h = xf_http_start(&o, &app, &e);
		if (rows[i].want == NULL) {
			if (h == NULL && strchr(rows[i].listen, '[') != NULL &&
			    errs_have(&e, "不是本机地址")) {
				xf_errs_cleanup(&e); /* no IPv6 on this machine */
				continue;
			}
			assert_non_null(h);
			assert_true(xf_http_port(h) > 0);
			xf_http_stop(h);
		} else {
			assert_null(h);
			assert_true(errs_have(&e, rows[i].want));
		}
		xf_errs_cleanup(&e);
	}
	/* A port in use. */
	xf_http *h = start(&t, &app, "127.0.0.1:0", 1, 0);
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", xf_http_port(h));
	xf_http_options o = {.listen = listen};
	xf_errs e;
	xf_errs_init(&e);
	assert_null(xf_http_start(&o, &app, &e));
	assert_true(errs_have(&e, "已被占用"));
	assert_true(errs_have(&e, listen));
	xf_errs_cleanup(&e);
	xf_http_stop(h);
}

static void test_tls(void **state)
{
	(void)state;
	toy t;
	memset(&t, 0, sizeof(t));
	xf_http_app app = toy_app_of(&t);
	static const struct {
		const char *cert, *key, *want;
	} rows[] = {
		{"/nonexistent/cert.pem", "/nonexistent/key.pem", "/nonexistent/cert.pem"},
		{"/nonexistent/cert.pem", "/nonexistent/key.pem", "/nonexistent/key.pem"},
		{"/nonexistent/cert.pem", NULL, "同时设置"},
		{NULL, "/nonexistent/key.pem", "同时设置"},
		{"/dev/null", "/dev/null", "不是 PEM"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_http_options o = {.listen = "127.0.0.1:0", .tls_cert_file = rows[i].cert,
				     .tls_key_file = rows[i].key};
		xf_errs e;
		xf_errs_init(&e);
		assert_null(xf_http_start(&o, &app, &e));
		assert_true(errs_have(&e, rows[i].want));
		xf_errs_cleanup(&e);
	}

	/* A self-signed certificate, when openssl is there. */
	char dir[] = "/tmp/xf-tls-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[512], cert[64], key[64];
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
		 "-subj /CN=localhost -keyout %s -out %s >/dev/null 2>&1", key, cert);
	if (system(cmd) == 0) {
		/* Certificate and key swapped: the start fails, naming both. */
		xf_http_options o = {.listen = "127.0.0.1:0", .tls_cert_file = key,
				     .tls_key_file = cert, .threads = 1};
		xf_errs e;
		xf_errs_init(&e);
		assert_null(xf_http_start(&o, &app, &e));
		assert_true(errs_have(&e, cert));
		xf_errs_cleanup(&e);

		o.tls_cert_file = cert;
		o.tls_key_file = key;
		xf_errs_init(&e);
		xf_http *h = xf_http_start(&o, &app, &e);
		if (h == NULL)
			xf_errs_print(&e, "tls: ", stderr);
		xf_errs_cleanup(&e);
		assert_non_null(h);
		char base[64];
		snprintf(base, sizeof(base), "https://127.0.0.1:%d", xf_http_port(h));
		CURL *c = curl_easy_init();
		request rq = {.path = "/api/tls"};
		resp r;
		for (int i = 0; i < 2; i++) {
			perform(c, base, &rq, &r);
			assert_int_equal(r.rc, CURLE_OK);
			assert_int_equal(r.status, 200);
			assert_int_equal(r.connects, i == 0 ? 1 : 0);
			assert_non_null(strstr(r.body.p, "\"tls\": true"));
			resp_free(&r);
		}
		curl_easy_cleanup(c);
		xf_http_stop(h);
	} else {
		fprintf(stderr, "openssl not available: HTTPS not tested\n");
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_query_cookie_header),
		cmocka_unit_test(test_methods_and_head),
		cmocka_unit_test(test_post_body),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_error_and_headers),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_thread_contexts),
	};
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_graceful_stop),
		cmocka_unit_test(test_listen_addresses),
		cmocka_unit_test(test_tls),
	};
	int rc = cmocka_run_group_tests_name("server", tests, setup, teardown);
	rc += cmocka_run_group_tests_name("server lifecycle", alone, NULL, NULL);
	curl_global_cleanup();
	return rc != 0;
}
