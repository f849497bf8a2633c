/* http: the HTTP server under `xuefen serve`, on libmicrohttpd.
 *
 * Generic: it knows nothing of credits or users. It accepts connections
 * (epoll, a pool of worker threads), reads a request's body up to the limit
 * the application gives for that method and path (413 past it, without
 * reading the rest), and hands each complete request to the application's
 * dispatch function with a per-request arena and the worker thread's own
 * context (e.g. its database connection). It also serves static files.
 *
 * Following libmicrohttpd's own advice (spec/performance.md), the response
 * is never queued on the first call of the access handler: that would
 * force "Connection: close".
 *
 * Shutdown (xf_http_stop, e.g. on SIGTERM): the listening socket closes at
 * once, requests being handled finish and their answers are sent, then the
 * workers stop. A handler is never interrupted half-way. */
#ifndef XF_HTTP_HTTP_H
#define XF_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/errs.h"

typedef enum xf_method {
	XF_HTTP_GET = 1,
	XF_HTTP_HEAD = 2,
	XF_HTTP_POST = 4,
	XF_HTTP_PUT = 8,
	XF_HTTP_PATCH = 16,
	XF_HTTP_DELETE = 32,
	XF_HTTP_OTHER = 64
} xf_method;

/* A complete request, valid for the duration of the dispatch call. */
typedef struct xf_req {
	xf_arena *arena;        /* the request's pool, freed after the answer */
	xf_method method;
	const char *path;       /* the URL's path, %-decoded, without the query */
	const char *body;       /* NUL-terminated (the NUL is not counted) */
	size_t body_len;
	const char *remote_ip;  /* "127.0.0.1", "::1" */
	bool tls;               /* the connection is HTTPS */
	void *thread_ctx;       /* the worker thread's context (thread_init) */
	void *conn;             /* the server's connection: use the accessors */
	/* Without a connection (fuzz targets, tests that call a dispatcher
	 * directly), the accessors read these: "q:key", "h:name" (lower
	 * case) and "c:name" keys, each followed by its value; NULL-ended. */
	const char *const *fake;
	/* Filled by the application's router, for its handlers. */
	const char *params[4];  /* {name} captures of the route's pattern */
	int nparams;
	const void *auth;       /* the caller, once authenticated */
} xf_req;

/* A query-string argument, a request header (case-insensitive name) or a
 * cookie; NULL when absent. Valid for the request. */
const char *xf_req_query(const xf_req *r, const char *key);
const char *xf_req_header(const xf_req *r, const char *name);
const char *xf_req_cookie(const xf_req *r, const char *name);

#define XF_RES_MAX_HEADERS 8

/* The answer a handler builds. The server sends it after dispatch returns. */
typedef struct xf_res {
	int status;                /* default 200 */
	const char *content_type;  /* default "application/json; charset=utf-8" */
	/* The body: either written to the stream from xf_res_stream, or a file
	 * given by xf_res_file. */
	FILE *stream;
	char *buf;                 /* the stream's buffer (open_memstream) */
	size_t len;
	int fd;                    /* -1, or a file to send (the server closes it) */
	size_t fd_size;
	const char *hname[XF_RES_MAX_HEADERS], *hvalue[XF_RES_MAX_HEADERS];
	int nheaders;
	xf_arena *arena;
} xf_res;

/* The stream the body is written to, opened at the first call (NULL when
 * out of memory: the server then answers 500). */
FILE *xf_res_stream(xf_res *res);

/* Adds a response header (copied into the request's arena). Headers past
 * XF_RES_MAX_HEADERS are dropped. Set-Cookie may be given several times. */
void xf_res_header(xf_res *res, const char *name, const char *value);

/* Sends the open file fd (size bytes) as the body; the server closes it.
 * Any stream output is discarded. */
void xf_res_file(xf_res *res, int fd, size_t size);

/* The error answer of the whole API:
 *   {"error": {"code": "not_found", "message": "未找到该记录"}}
 * with the status; discards anything written before. */
void xf_res_error(xf_res *res, int status, const char *code, const char *message);

/* Serves the file under root named by url_path (a .gz beside it when req
 * accepts gzip) ("/", "/assets/a.js"):
 * refuses ".." and hidden names, answers 404 for a missing file, gives the
 * Content-Type by extension, sends "index.html" for a folder, and when
 * spa_fallback is true sends root/index.html for a missing path without an
 * extension (client-side routes of the web UI). Long-lived caching for
 * names under /assets/ (their names carry a hash). */
void xf_http_static(const xf_req *req, xf_res *res, const char *root, const char *url_path,
		    bool spa_fallback);

/* The application the server runs. */
typedef struct xf_http_app {
	void *app;
	/* Called once in each worker thread before its first request; returns
	 * the thread's context (NULL is allowed). thread_done when it stops. */
	void *(*thread_init)(void *app);
	void (*thread_done)(void *app, void *thread_ctx);
	/* The largest body accepted for this method and path (0: no body).
	 * Asked before the body is read. */
	size_t (*body_limit)(void *app, xf_method m, const char *path);
	/* Handles one complete request. */
	void (*dispatch)(void *app, xf_req *req, xf_res *res);
} xf_http_app;

typedef struct xf_http_options {
	const char *listen;        /* "127.0.0.1:8080", "0.0.0.0:80", "[::1]:8080" */
	int threads;               /* worker threads (0: the number of cores) */
	int connection_timeout;    /* seconds idle before a connection is closed (0: 30) */
	int max_connections;       /* 0: 1000 */
	const char *tls_cert_file; /* PEM; both set: HTTPS */
	const char *tls_key_file;
	int shutdown_grace;        /* seconds xf_http_stop waits for requests (0: 10) */
} xf_http_options;

typedef struct xf_http xf_http;

/* Starts listening and serving in background threads. Returns the server,
 * or NULL with a message (address in use, bad address, TLS files). */
xf_http *xf_http_start(const xf_http_options *o, const xf_http_app *app, xf_errs *errs);

/* The port actually bound (useful with port 0). */
int xf_http_port(const xf_http *h);

/* Stops accepting, lets requests in progress finish (at most the grace
 * period), stops the workers and frees the server. NULL is ok. */
void xf_http_stop(xf_http *h);

#endif
