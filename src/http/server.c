/* server: the HTTP server of http.h on libmicrohttpd (MHD).
 *
 * One MHD daemon with epoll and a pool of worker threads. Each request gets
 * a small state (struct hreq) at the first call of the access handler: its
 * arena, its body buffer and the in-flight count. The response is queued
 * only on a later call (queuing on the first call makes MHD close the
 * connection, about 5.7x slower; spec/performance.md), except the 413 for
 * a Content-Length over the limit, where closing is what we want: the body
 * is then never read.
 *
 * The listening socket is ours (bound here, handed to MHD), so that a bad
 * or busy address gives a precise message. On stop, new connections are
 * refused by the accept policy while requests in flight finish, then the
 * daemon stops and the socket closes. MHD_quiesce_daemon is not used: in
 * libmicrohttpd 0.9.75 (Debian 12) it races a worker of the epoll thread
 * pool removing the listening socket from its own epoll set, and the loser
 * aborts the process ("Failed to remove listen FD from epoll set"). */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "io/jsonw.h"

#define REQ_ARENA_CAP ((size_t)64 << 20) /* a request's pool */
#define HEADER_MEMORY ((size_t)64 << 10) /* MHD's per-connection memory */
#define TLS_FILE_MAX ((size_t)1 << 20)
#define DEFAULT_TIMEOUT 30
#define DEFAULT_MAX_CONN 1000
#define DEFAULT_GRACE 10
#define MAX_THREADS 256
/* A chunked body that passes its limit is read on and dropped (MHD 0.9.75
 * cannot answer in the middle of a body) for at most this much more, so
 * that the client gets its 413; past it the connection is closed. */
#define DISCARD_MAX ((size_t)16 << 20)
#define DEFAULT_CONTENT_TYPE "application/json; charset=utf-8"

/* A worker thread's application context, created at its first request and
 * handed to thread_done after the workers have stopped. */
typedef struct tctx {
	const struct xf_http *owner;
	void *ctx;
	struct tctx *next;
} tctx;

struct xf_http {
	struct MHD_Daemon *d;
	xf_http_app app;
	int listen_fd;        /* the listening socket, ours */
	int mhd_fd;           /* its duplicate given to MHD (which may close it) */
	int port;
	bool tls;
	int grace;
	char *cert, *key;     /* PEM text, kept while the daemon runs */
	atomic_int inflight;  /* requests between first call and completion */
	atomic_bool stopping;
	_Atomic(xf_errs *) startlog; /* MHD's messages while starting */
	atomic_llong last_log;       /* when MHD's last message was printed */
	atomic_int log_dropped;
	pthread_mutex_t lock; /* guards contexts */
	tctx *contexts;
};

/* One request's state (MHD's *con_cls). */
typedef struct hreq {
	xf_http *h;
	xf_arena arena;
	xf_req req;
	xf_res res;
	char *body;
	size_t body_len, body_cap, limit;
	size_t dropped;       /* bytes read and dropped past the limit */
	size_t expect;        /* Content-Length, 0 when not given */
	bool too_big;         /* the body passed the limit: answer 413 */
	bool answered;        /* a response was queued */
	char ip[INET6_ADDRSTRLEN];
} hreq;

/* The worker's context. */
static __thread tctx *thread_ctx;


/* ---- Request accessors --------------------------------------------- */

/* The accessors' answer from req->fake (see http.h). */
static const char *fake_value(const xf_req *r, enum MHD_ValueKind kind, const char *key)
{
	char want = kind == MHD_GET_ARGUMENT_KIND ? 'q' : kind == MHD_HEADER_KIND ? 'h' : 'c';
	for (size_t i = 0; r->fake && r->fake[i] && r->fake[i + 1]; i += 2) {
		const char *k = r->fake[i];
		if (k[0] != want || k[1] != ':')
			continue;
		if (want == 'h' ? strcasecmp(k + 2, key) == 0 : strcmp(k + 2, key) == 0)
			return r->fake[i + 1];
	}
	return NULL;
}

static const char *conn_value(const xf_req *r, enum MHD_ValueKind kind,
			      const char *key)
{
	if (r == NULL || key == NULL)
		return NULL;
	if (r->conn == NULL)
		return fake_value(r, kind, key);
	return MHD_lookup_connection_value(r->conn, kind, key);
}

const char *xf_req_query(const xf_req *r, const char *key)
{
	return conn_value(r, MHD_GET_ARGUMENT_KIND, key);
}

const char *xf_req_header(const xf_req *r, const char *name)
{
	return conn_value(r, MHD_HEADER_KIND, name);
}

const char *xf_req_cookie(const xf_req *r, const char *name)
{
	return conn_value(r, MHD_COOKIE_KIND, name);
}


/* ---- Responses -------------------------------------------------------- */

static void res_discard(xf_res *res)
{
	if (res->stream != NULL) {
		fclose(res->stream);
		res->stream = NULL;
	}
	free(res->buf);
	res->buf = NULL;
	res->len = 0;
}

FILE *xf_res_stream(xf_res *res)
{
	if (res->stream != NULL)
		return res->stream;
	free(res->buf);
	res->buf = NULL;
	res->len = 0;
	res->stream = open_memstream(&res->buf, &res->len);
	if (res->stream == NULL)
		res->status = 500;
	return res->stream;
}

void xf_res_header(xf_res *res, const char *name, const char *value)
{
	if (res->nheaders >= XF_RES_MAX_HEADERS || name == NULL || value == NULL)
		return;
	char *n = res->arena ? xf_arena_strdup(res->arena, name) : NULL;
	char *v = res->arena ? xf_arena_strdup(res->arena, value) : NULL;
	if (n == NULL || v == NULL)
		return;
	res->hname[res->nheaders] = n;
	res->hvalue[res->nheaders] = v;
	res->nheaders++;
}

void xf_res_file(xf_res *res, int fd, size_t size)
{
	res_discard(res);
	if (res->fd >= 0 && res->fd != fd)
		close(res->fd);
	res->fd = fd;
	res->fd_size = size;
}

void xf_res_error(xf_res *res, int status, const char *code, const char *message)
{
	res_discard(res);
	if (res->fd >= 0) {
		close(res->fd);
		res->fd = -1;
		res->fd_size = 0;
	}
	res->status = status;
	res->content_type = NULL;
	FILE *f = xf_res_stream(res);
	if (f == NULL)
		return;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_key(&w, "error");
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "code", code);
	xf_jw_kstr(&w, "message", message);
	xf_jw_obj_end(&w);
	xf_jw_obj_end(&w);
}

static bool has_header(const xf_res *res, const char *name)
{
	for (int i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->hname[i], name) == 0)
			return true;
	return false;
}

/* Turns res into an MHD response (taking its buffer or file) and queues
 * it. MHD_NO when that fails: MHD then closes the connection. */
static enum MHD_Result send_res(xf_http *h, struct MHD_Connection *c, xf_res *res)
{
	struct MHD_Response *r = NULL;
	if (res->stream != NULL) {
		if (fclose(res->stream) != 0) {
			res->stream = NULL;
			free(res->buf);
			res->buf = NULL;
			res->len = 0;
			res->status = 500;
		}
		res->stream = NULL;
	}
	if (res->fd >= 0) {
		free(res->buf);
		res->buf = NULL;
		r = MHD_create_response_from_fd(res->fd_size, res->fd);
		if (r == NULL)
			close(res->fd);
		res->fd = -1;
	} else if (res->buf != NULL && res->len > 0) {
		r = MHD_create_response_from_buffer_with_free_callback(res->len,
								       res->buf, free);
		if (r == NULL)
			free(res->buf);
		res->buf = NULL;
	} else {
		free(res->buf);
		res->buf = NULL;
		r = MHD_create_response_from_buffer(0, (void *)"",
						    MHD_RESPMEM_PERSISTENT);
	}
	if (r == NULL)
		return MHD_NO;

	bool ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					  res->content_type ? res->content_type
							    : DEFAULT_CONTENT_TYPE) == MHD_YES;
	/* MHD refuses a header holding CR, LF or a tab: that one is dropped,
	 * the answer still goes. */
	for (int i = 0; ok && i < res->nheaders; i++)
		(void)MHD_add_response_header(r, res->hname[i], res->hvalue[i]);
	if (ok)
		ok = MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
		     MHD_add_response_header(r, "Referrer-Policy", "same-origin") == MHD_YES;
	/* Nothing is framed, but what a handler lets its own pages frame (an
	 * evidence preview: SAMEORIGIN). */
	if (ok && !has_header(res, "X-Frame-Options"))
		ok = MHD_add_response_header(r, "X-Frame-Options", "DENY") == MHD_YES;
	if (ok && !has_header(res, "Cache-Control"))
		ok = MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES;
	/* While stopping, ask keep-alive clients to go away. */
	if (ok && atomic_load(&h->stopping))
		ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
	int status = res->status >= 100 && res->status <= 999 ? res->status : 500;
	enum MHD_Result rc = ok ? MHD_queue_response(c, (unsigned)status, r) : MHD_NO;
	MHD_destroy_response(r);
	return rc;
}

/* A response made only of the JSON error (413 and friends), outside
 * dispatch. */
static enum MHD_Result send_error(hreq *q, struct MHD_Connection *c, int status,
				  const char *code, const char *message)
{
	q->answered = true;
	xf_res_error(&q->res, status, code, message);
	return send_res(q->h, c, &q->res);
}

static enum MHD_Result send_too_large(hreq *q, struct MHD_Connection *c)
{
	char msg[128];
	if (q->limit == 0)
		return send_error(q, c, 400, "bad_request", "该接口不接受请求内容 (no body expected)");
	snprintf(msg, sizeof(msg), "请求内容过大，最多 %zu 字节", q->limit);
	return send_error(q, c, 413, "payload_too_large", msg);
}

/* ---- The access handler ---------------------------------------------- */

static xf_method method_of(const char *m)
{
	static const struct {
		const char *name;
		xf_method m;
	} methods[] = {
		{"GET", XF_HTTP_GET},       {"HEAD", XF_HTTP_HEAD},
		{"POST", XF_HTTP_POST},     {"PUT", XF_HTTP_PUT},
		{"PATCH", XF_HTTP_PATCH},   {"DELETE", XF_HTTP_DELETE},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].m;
	return XF_HTTP_OTHER;
}

/* The thread's application context, created on its first request. */
static void *thread_context(xf_http *h)
{
	tctx *t = thread_ctx;
	if (t != NULL && t->owner == h)
		return t->ctx;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->owner = h;
	t->ctx = h->app.thread_init ? h->app.thread_init(h->app.app) : NULL;
	pthread_mutex_lock(&h->lock);
	t->next = h->contexts;
	h->contexts = t;
	pthread_mutex_unlock(&h->lock);
	thread_ctx = t;
	return t->ctx;
}

/* Parses a Content-Length value; -1 when absent or not a number. */
static int content_length(const char *s, uint64_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

static void client_ip(struct MHD_Connection *c, char *buf, size_t size)
{
	snprintf(buf, size, "?");
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)size);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, (socklen_t)size);
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)size);
	}
}

/* First call: the headers are in. Sets up the request's state. */
static enum MHD_Result begin_request(xf_http *h, struct MHD_Connection *c,
				     const char *url, const char *method,
				     void **con_cls)
{
	hreq *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return MHD_NO;
	q->h = h;
	xf_arena_init(&q->arena, REQ_ARENA_CAP);
	client_ip(c, q->ip, sizeof(q->ip));
	xf_method m = method_of(method);
	/* HEAD is answered as GET; MHD leaves the body out. */
	q->req.method = m == XF_HTTP_HEAD ? XF_HTTP_GET : m;
	q->req.arena = &q->arena;
	q->req.path = url;
	q->req.body = "";
	q->req.remote_ip = q->ip;
	q->req.tls = h->tls;
	q->req.conn = c;
	q->res.status = 200;
	q->res.fd = -1;
	q->res.arena = &q->arena;
	*con_cls = q;
	atomic_fetch_add(&h->inflight, 1);

	q->limit = h->app.body_limit ? h->app.body_limit(h->app.app, q->req.method, url) : 0;
	uint64_t len = 0;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (content_length(cl, &len) == 0) {
		if (len > q->limit)
			/* Refused before the body is read; MHD closes the connection. */
			return send_too_large(q, c);
		q->expect = (size_t)len;
	}
	return MHD_YES;
}

/* Keeps a chunk of the body, or drops it once past the limit. */
static void take_body(hreq *q, const char *data, size_t size)
{
	if (q->too_big) {
		q->dropped += size < DISCARD_MAX ? size : DISCARD_MAX;
		return;
	}
	if (size > q->limit - q->body_len) {
		q->too_big = true;
		free(q->body);
		q->body = NULL;
		q->body_len = q->body_cap = 0;
		return;
	}
	if (q->body_cap - q->body_len <= size) {
		size_t need = q->body_len + size + 1;
		size_t cap = q->body_cap ? q->body_cap * 2
					  : q->expect >= 1024 ? q->expect + 1 : 1024;
		if (cap < need)
			cap = need;
		if (cap > q->limit + 1)
			cap = q->limit + 1;
		char *nb = realloc(q->body, cap);
		if (nb == NULL) {
			q->too_big = true; /* answered as too large for us */
			free(q->body);
			q->body = NULL;
			q->body_len = q->body_cap = 0;
			return;
		}
		q->body = nb;
		q->body_cap = cap;
	}
	memcpy(q->body + q->body_len, data, size);
	q->body_len += size;
	q->body[q->body_len] = '\0';
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	xf_http *h = cls;
	hreq *q = *con_cls;
	(void)version;

	if (q == NULL)
		return begin_request(h, c, url, method, con_cls);
	if (q->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		take_body(q, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return q->dropped > DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	if (q->too_big)
		return send_too_large(q, c);

	q->answered = true;
	if (q->body != NULL) {
		q->req.body = q->body;
		q->req.body_len = q->body_len;
	}
	q->req.thread_ctx = thread_context(h);
	h->app.dispatch(h->app.app, &q->req, &q->res);
	return send_res(h, c, &q->res);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	xf_http *h = cls;
	hreq *q = *con_cls;
	(void)c;
	(void)toe;
	if (q == NULL)
		return;
	*con_cls = NULL;
	res_discard(&q->res);
	if (q->res.fd >= 0)
		close(q->res.fd);
	free(q->body);
	xf_arena_cleanup(&q->arena);
	free(q);
	atomic_fetch_sub(&h->inflight, 1);
}

/* ---- Listening --------------------------------------------------------- */

/* Parses a port number (0 to 65535, digits only). */
static int parse_port(const char *s, int *out)
{
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	int v = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

/* Reads "HOST:PORT" (IPv4 or "localhost"), "[V6]:PORT", ":PORT" or "PORT"
 * (meaning 127.0.0.1) into ss. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *port;
	memset(ss, 0, sizeof(*ss));
	if (s == NULL || *s == '\0')
		return -1;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		port = end + 2;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		int p;
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1 || parse_port(port, &p) != 0)
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*sl = sizeof(*in6);
		return 0;
	}
	const char *colon = strrchr(s, ':');
	if (colon == NULL) {
		snprintf(host, sizeof(host), "127.0.0.1");
		port = s;
	} else {
		size_t n = (size_t)(colon - s);
		if (n >= sizeof(host) || memchr(s, ':', n) != NULL)
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		if (n == 0 || strcmp(host, "localhost") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		port = colon + 1;
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	int p;
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1 || parse_port(port, &p) != 0)
		return -1;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)p);
	*sl = sizeof(*in);
	return 0;
}

/* Binds and listens on o->listen; the socket, or -1 with a message. */
static int open_listener(const char *listen_at, int *port, xf_errs *errs)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	if (parse_listen(listen_at, &ss, &sl) != 0) {
		xf_errs_add(errs, "监听地址“%s”无效，应为 主机:端口，例如 127.0.0.1:8080 "
			    "或 [::1]:8080 (listen: bad address)", listen_at ? listen_at : "");
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		xf_errs_add(errs, "监听地址“%s”：无法创建套接字：%s (listen: socket failed)",
			    listen_at, strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		int e = errno;
		if (e == EADDRINUSE)
			xf_errs_add(errs, "监听地址“%s”已被占用，可能已有服务在运行 "
				    "(listen: address already in use)", listen_at);
		else if (e == EACCES)
			xf_errs_add(errs, "监听地址“%s”：没有权限（1024 以下端口需要特权） "
				    "(listen: permission denied)", listen_at);
		else if (e == EADDRNOTAVAIL)
			xf_errs_add(errs, "监听地址“%s”不是本机地址 "
				    "(listen: address not available)", listen_at);
		else
			xf_errs_add(errs, "监听地址“%s”：无法绑定：%s (listen: bind failed)",
				    listen_at, strerror(e));
		close(fd);
		return -1;
	}
	if (listen(fd, 1024) != 0) {
		xf_errs_add(errs, "监听地址“%s”：无法监听：%s (listen failed)",
			    listen_at, strerror(errno));
		close(fd);
		return -1;
	}
	struct sockaddr_storage got;
	socklen_t gl = sizeof(got);
	*port = 0;
	if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
		*port = ntohs(got.ss_family == AF_INET6
				      ? ((struct sockaddr_in6 *)&got)->sin6_port
				      : ((struct sockaddr_in *)&got)->sin_port);
	return fd;
}

/* ---- Start and stop ---------------------------------------------------- */

static int read_tls_file(const char *path, const char *what, char **out, xf_errs *errs)
{
	size_t len;
	xf_errs mine;
	xf_errs_init(&mine);
	int rc = xf_file_read(path, TLS_FILE_MAX, out, &len, &mine);
	if (rc != 0)
		for (size_t i = 0; i < mine.n; i++)
			xf_errs_add(errs, "TLS %s：%s", what, mine.msgs[i]);
	else if (len == 0 || memchr(*out, '\0', len) != NULL) {
		xf_errs_add(errs, "TLS %s：%s: 不是 PEM 文本 (not a PEM file)", what, path);
		free(*out);
		*out = NULL;
		rc = -1;
	}
	xf_errs_cleanup(&mine);
	return rc;
}

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	size_t n = strlen(s);
	volatile char *p = s;
	for (size_t i = 0; i < n; i++)
		p[i] = 0;
	free(s);
}

static void http_free(xf_http *h)
{
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	tctx *t = h->contexts;
	while (t != NULL) {
		tctx *next = t->next;
		if (h->app.thread_done)
			h->app.thread_done(h->app.app, t->ctx);
		free(t);
		t = next;
	}
	pthread_mutex_destroy(&h->lock);
	free(h->cert);
	free_secret(h->key);
	free(h);
}

static int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* MHD's messages: kept for the error report while starting; afterwards
 * printed tersely, at most one a second (a client can provoke them). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	xf_http *h = cls;
	char msg[400];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	xf_errs *log = atomic_load(&h->startlog);
	if (log != NULL) {
		xf_errs_add(log, "(libmicrohttpd: %s)", msg);
		return;
	}
	long long now = (long long)time(NULL);
	long long last = atomic_load(&h->last_log);
	if (now == last || !atomic_compare_exchange_strong(&h->last_log, &last, now)) {
		atomic_fetch_add(&h->log_dropped, 1);
		return;
	}
	int dropped = atomic_exchange(&h->log_dropped, 0);
	if (dropped > 0)
		fprintf(stderr, "http: %s (%d more not shown)\n", msg, dropped);
	else
		fprintf(stderr, "http: %s\n", msg);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %-decodes s in place (the path and the query arguments), leaving bad
 * escapes and "%00" as they are: a NUL would cut the string short and
 * hide what follows (e.g. "/index.html%00.png"). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	char *w = s;
	const char *r = s;
	while (*r != '\0') {
		int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
		int lo = hi >= 0 ? hex_digit(r[2]) : -1;
		if (lo >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* New connections while stopping are closed at once. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	(void)addr;
	(void)len;
	xf_http *h = cls;
	return atomic_load(&h->stopping) ? MHD_NO : MHD_YES;
}

xf_http *xf_http_start(const xf_http_options *o, const xf_http_app *app, xf_errs *errs)
{
	if (app == NULL || app->dispatch == NULL) {
		xf_errs_add(errs, "HTTP 服务缺少请求处理函数 (no dispatch function)");
		return NULL;
	}
	bool want_tls = (o->tls_cert_file && *o->tls_cert_file) ||
			(o->tls_key_file && *o->tls_key_file);
	if (want_tls && !(o->tls_cert_file && *o->tls_cert_file &&
			  o->tls_key_file && *o->tls_key_file)) {
		xf_errs_add(errs, "TLS 证书和私钥必须同时设置 (tls: cert and key "
			    "must both be set)");
		return NULL;
	}
	if (o->threads < 0 || o->threads > MAX_THREADS) {
		xf_errs_add(errs, "线程数 %d 无效，应为 0 到 %d (threads out of range)",
			    o->threads, MAX_THREADS);
		return NULL;
	}
	if (want_tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		xf_errs_add(errs, "此 libmicrohttpd 不支持 HTTPS (no TLS support)");
		return NULL;
	}

	xf_http *h = calloc(1, sizeof(*h));
	if (h == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	h->app = *app;
	h->listen_fd = -1;
	h->mhd_fd = -1;
	h->grace = o->shutdown_grace > 0 ? o->shutdown_grace : DEFAULT_GRACE;
	atomic_init(&h->inflight, 0);
	atomic_init(&h->stopping, false);
	atomic_init(&h->startlog, NULL);
	atomic_init(&h->last_log, 0);
	atomic_init(&h->log_dropped, 0);
	pthread_mutex_init(&h->lock, NULL);

	if (want_tls) {
		int rc1 = read_tls_file(o->tls_cert_file, "证书 (tls.cert)", &h->cert, errs);
		int rc2 = read_tls_file(o->tls_key_file, "私钥 (tls.key)", &h->key, errs);
		if (rc1 != 0 || rc2 != 0)
			goto fail;
		h->tls = true;
	}
	h->listen_fd = open_listener(o->listen, &h->port, errs);
	if (h->listen_fd < 0)
		goto fail;
	/* MHD closes the socket it is given when it fails to start (0.9.75),
	 * or not (other versions): give it a duplicate, so that ours is
	 * closed exactly once whatever it does. */
	h->mhd_fd = fcntl(h->listen_fd, F_DUPFD_CLOEXEC, 3);
	if (h->mhd_fd < 0) {
		xf_errs_add(errs, "监听地址“%s”：%s (listen: dup failed)", o->listen,
			    strerror(errno));
		goto fail;
	}

	unsigned threads = (unsigned)(o->threads > 0 ? o->threads : cpu_count());
	unsigned timeout = (unsigned)(o->connection_timeout > 0 ? o->connection_timeout
								: DEFAULT_TIMEOUT);
	unsigned maxconn = (unsigned)(o->max_connections > 0 ? o->max_connections
							     : DEFAULT_MAX_CONN);
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, h},
		{MHD_OPTION_LISTEN_SOCKET, h->mhd_fd, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, (intptr_t)maxconn, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)timeout, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)HEADER_MEMORY, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h},
		{MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL},
		{MHD_OPTION_END, 0, NULL}, /* room for threads and the TLS pair */
		{MHD_OPTION_END, 0, NULL},
		{MHD_OPTION_END, 0, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	int n = 7;
	if (threads > 1)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
						    (intptr_t)threads, NULL};
	if (h->tls) {
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, h->key};
	}
	unsigned flags = MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL_INTERNAL_THREAD;
	else
		flags |= MHD_USE_INTERNAL_POLLING_THREAD;
	if (h->tls)
		flags |= MHD_USE_TLS;
	/* Start with the socket's family (MHD checks it against the flags). */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(h->listen_fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	xf_errs startlog;
	xf_errs_init(&startlog);
	atomic_store(&h->startlog, &startlog);
	h->d = MHD_start_daemon(flags, 0, accept_policy, h, on_access, h,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	atomic_store(&h->startlog, NULL);
	if (h->d == NULL) {
		if (h->tls)
			xf_errs_add(errs, "无法启动 HTTPS 服务：请检查证书 %s 和私钥 %s "
				    "是否为匹配的 PEM 文件 (cannot start HTTPS: bad "
				    "certificate or key)", o->tls_cert_file, o->tls_key_file);
		else
			xf_errs_add(errs, "无法在“%s”启动 HTTP 服务 (cannot start "
				    "the HTTP server)", o->listen);
		xf_errs_append(errs, &startlog);
		xf_errs_cleanup(&startlog);
		goto fail;
	}
	xf_errs_cleanup(&startlog);
	return h;

fail:
	http_free(h);
	return NULL;
}

int xf_http_port(const xf_http *h)
{
	return h ? h->port : 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void xf_http_stop(xf_http *h)
{
	if (h == NULL)
		return;
	/* From now on accept_policy refuses every new connection. */
	atomic_store(&h->stopping, true);
	/* Let the requests in flight finish and their answers go out. */
	double end = now_s() + h->grace;
	while (atomic_load(&h->inflight) > 0 && now_s() < end)
		poll(NULL, 0, 5);
	MHD_stop_daemon(h->d);
	h->d = NULL;
	http_free(h);
}
