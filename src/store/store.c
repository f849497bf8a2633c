/* store: the backend-independent part: URLs, opening with the schema check,
 * transactions, routing every call through the backend's table, and the
 * per-store cache of prepared statements (see xf_stmt in store.h). */
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct xf_stmt {
	xf_store *s;
	void *h;                 /* the backend's handle */
	char *sql;               /* the cache's key: the text as prepared */
	size_t len;
	uint64_t hash;
	unsigned long long used; /* the store's clock when last put in the cache */
};

struct xf_store {
	const xf_store_ops *ops;
	void *db;
	xf_store_kind kind;
	bool in_tx;
	bool closed;             /* xf_store_close ran: the last finalize frees this */
	size_t live;             /* statements handed out and not yet finalized */
	/* Finalized statements kept for reuse, in no order; idle (reset, no
	 * bindings, no cursor), never one that a caller holds. */
	xf_stmt *cache[XF_STMT_CACHE_MAX];
	int ncache;
	unsigned long long clock; /* counts puts: the least recently used has the smallest */
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int xf_store_url_parse(const char *url, xf_store_url *out, xf_errs *errs)
{
	memset(out, 0, sizeof(*out));
	if (url == NULL || *url == '\0') {
		xf_errs_add(errs, "数据库地址为空 (empty database URL)");
		return -1;
	}
	const char *target = url;
	if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
		out->kind = XF_STORE_POSTGRES;
	} else if (starts_with(url, "sqlite:")) {
		out->kind = XF_STORE_SQLITE;
		target = url + strlen("sqlite:");
		if (starts_with(target, "//"))
			target += 2; /* sqlite:///abs/path -> /abs/path */
	} else if (strstr(url, "://") != NULL) {
		char *shown = xf_store_url_redact(url);
		xf_errs_add(errs,
			    "不支持的数据库地址 \"%s\"：应为文件路径、sqlite:PATH 或 postgresql://... "
			    "(unsupported database URL)", shown ? shown : "?");
		free(shown);
		return -1;
	} else {
		out->kind = XF_STORE_SQLITE;
	}
	if (*target == '\0') {
		xf_errs_add(errs, "数据库地址 \"%s\" 缺少文件路径 (no file path)", url);
		return -1;
	}
	out->target = strdup(target);
	if (out->target == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return -1;
	}
	return 0;
}

void xf_store_url_cleanup(xf_store_url *u)
{
	free(u->target);
	memset(u, 0, sizeof(*u));
}

/* A copy of url with the password (user:PASSWORD@ and ?password=...)
 * replaced by "***", for messages. NULL when out of memory. */
char *xf_store_url_redact(const char *url)
{
	size_t len = strlen(url);
	char *out = malloc(len + 8); /* two replacements, each at most 3 longer */
	if (out == NULL)
		return NULL;
	size_t o = 0;
	const char *p = url;
	const char *scheme = strstr(url, "://");
	if (scheme) {
		const char *auth = scheme + 3;
		size_t alen = strcspn(auth, "/?");
		const char *at = NULL;
		for (const char *q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon) {
			memcpy(out, url, (size_t)(colon + 1 - url));
			o = (size_t)(colon + 1 - url);
			memcpy(out + o, "***", 3);
			o += 3;
			p = at;
		}
	}
	while (*p) {
		bool param = (*p == '?' || *p == '&') && strncmp(p + 1, "password=", 9) == 0;
		if (!param) {
			out[o++] = *p++;
			continue;
		}
		memcpy(out + o, p, 10);
		o += 10;
		p += 10;
		p += strcspn(p, "&");
		memcpy(out + o, "***", 3);
		o += 3;
		break; /* one password parameter is all libpq reads */
	}
	while (*p)
		out[o++] = *p++;
	out[o] = '\0';
	return out;
}

/* Brings the schema to XF_SCHEMA_VERSION (create) or checks it (open). */
static int settle_schema(xf_store *s, xf_store_mode mode, const char *url,
			 xf_errs *errs)
{
	int version = 0;
	if (s->ops->schema_version(s->db, &version, errs) != 0)
		return -1;
	if (version > XF_SCHEMA_VERSION) {
		xf_errs_add(errs,
			    "%s: 数据库结构版本 %d 比本程序（%d）新，请升级 xuefen "
			    "(database schema %d is newer than this program's %d)",
			    url, version, XF_SCHEMA_VERSION, version, XF_SCHEMA_VERSION);
		return -1;
	}
	if (version == XF_SCHEMA_VERSION)
		return 0;
	if (mode != XF_STORE_CREATE) {
		if (version == 0)
			xf_errs_add(errs, "%s: 数据库尚未初始化，请先运行 xuefen init "
				    "(database not initialised: run xuefen init)", url);
		else
			xf_errs_add(errs, "%s: 数据库结构版本 %d 低于 %d，请运行 xuefen init 升级 "
				    "(database schema %d is older than %d: run xuefen init)",
				    url, version, XF_SCHEMA_VERSION, version, XF_SCHEMA_VERSION);
		return -1;
	}
	return s->ops->migrate(s->db, version, XF_SCHEMA_VERSION, errs);
}

xf_store *xf_store_open(const char *url, xf_store_mode mode, xf_errs *errs)
{
	xf_store_url u;
	xf_store *s = NULL;
	char *shown = NULL;
	if (xf_store_url_parse(url, &u, errs) != 0)
		return NULL;
	shown = xf_store_url_redact(url);
	if (shown == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto fail;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto fail;
	}
	s->kind = u.kind;
	s->ops = u.kind == XF_STORE_POSTGRES ? &xf_store_postgres_ops : &xf_store_sqlite_ops;
	s->db = s->ops->open(u.target, mode, errs);
	if (s->db == NULL)
		goto fail;
	if (settle_schema(s, mode, shown, errs) != 0)
		goto fail;
	xf_store_url_cleanup(&u);
	free(shown);
	return s;
fail:
	xf_store_close(s);
	xf_store_url_cleanup(&u);
	free(shown);
	return NULL;
}

static void stmt_free(xf_stmt *st)
{
	st->s->ops->finalize(st->h);
	free(st->sql);
	free(st);
}

/* Statements still open keep the store's memory (not its connection)
 * until their finalize, as the backends keep theirs. */
void xf_store_close(xf_store *s)
{
	if (s == NULL)
		return;
	if (s->db) {
		if (s->in_tx)
			xf_store_rollback(s);
		/* Before the connection closes: SQLite refuses to close one
		 * with statements not finalized. */
		for (int i = 0; i < s->ncache; i++)
			stmt_free(s->cache[i]);
		s->ncache = 0;
		s->ops->close(s->db);
		s->db = NULL;
	}
	if (s->live > 0) {
		s->closed = true;
		return;
	}
	free(s);
}

xf_store_kind xf_store_kind_of(const xf_store *s)
{
	return s->kind;
}

int xf_store_schema_version(xf_store *s, int *version, xf_errs *errs)
{
	return s->ops->schema_version(s->db, version, errs);
}

int xf_store_begin(xf_store *s, xf_errs *errs)
{
	if (s->in_tx) {
		xf_errs_add(errs, "事务已在进行中 (a transaction is already open)");
		return -1;
	}
	if (s->ops->begin(s->db, errs) != 0) {
		errs->internal = true;
		return -1;
	}
	s->in_tx = true;
	return 0;
}

bool xf_store_in_tx(const xf_store *s)
{
	return s->in_tx;
}

int xf_store_commit(xf_store *s, xf_errs *errs)
{
	if (!s->in_tx) {
		xf_errs_add(errs, "没有进行中的事务 (no open transaction)");
		return -1;
	}
	if (s->ops->commit(s->db, errs) != 0) {
		errs->internal = true;
		xf_store_rollback(s);
		return -1;
	}
	s->in_tx = false;
	return 0;
}

void xf_store_rollback(xf_store *s)
{
	if (!s->in_tx)
		return;
	s->ops->rollback(s->db);
	s->in_tx = false;
}

int xf_store_audit(xf_store *s, const xf_audit_entry *e, xf_errs *errs)
{
	if (s->ops->audit(s->db, e, errs) != 0) {
		errs->internal = true;
		return -1;
	}
	return 0;
}

int xf_store_audit_count(xf_store *s, long long *n, xf_errs *errs)
{
	return s->ops->audit_count(s->db, n, errs);
}

int xf_store_blob_put(xf_store *s, const char *key, const void *data, size_t len,
		      xf_errs *errs)
{
	if (s->ops->blob_put(s->db, key, data, len, errs) != 0) {
		errs->internal = true;
		return -1;
	}
	return 0;
}

int xf_store_blob_get(xf_store *s, const char *key, void **data, size_t *len, xf_errs *errs)
{
	*data = NULL;
	*len = 0;
	int rc = s->ops->blob_get(s->db, key, data, len, errs);
	if (rc < 0)
		errs->internal = true;
	return rc;
}

int xf_store_change_token(xf_store *s, uint64_t *token, xf_errs *errs)
{
	if (s->ops->change_token == NULL)
		return 1;
	return s->ops->change_token(s->db, token, errs);
}

int xf_store_check(xf_store *s, xf_errs *errs)
{
	return s->ops->check(s->db, errs);
}

int xf_store_exec_for_tests(xf_store *s, const char *sql, xf_errs *errs)
{
	return s->ops->exec(s->db, sql, errs);
}

int xf_store_reset_for_tests(const char *url, xf_errs *errs)
{
	xf_store_url u;
	if (xf_store_url_parse(url, &u, errs) != 0)
		return -1;
	const xf_store_ops *ops =
		u.kind == XF_STORE_POSTGRES ? &xf_store_postgres_ops : &xf_store_sqlite_ops;
	int rc = ops->reset(u.target, errs);
	xf_store_url_cleanup(&u);
	return rc;
}

/* ---- statements: routed to the backend, kept in the cache ---- */

/* FNV-1a: the cache compares texts only when hash and length agree. */
static uint64_t sql_hash(const char *sql, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)sql[i]) * 1099511628211ull;
	return h;
}

/* Takes the cached statement of exactly this text out of the cache; NULL
 * when there is none. */
static xf_stmt *cache_take(xf_store *s, const char *sql, size_t len, uint64_t hash)
{
	for (int i = 0; i < s->ncache; i++) {
		xf_stmt *st = s->cache[i];
		if (st->hash != hash || st->len != len || memcmp(st->sql, sql, len) != 0)
			continue;
		s->cache[i] = s->cache[--s->ncache];
		if (s->ops->stmt_idle)
			s->ops->stmt_idle(st->h, false);
		return st;
	}
	return NULL;
}

/* Puts a reset statement in the cache; when it is full, the least
 * recently used one is really finalized to make room. */
static void cache_put(xf_store *s, xf_stmt *st)
{
	if (s->ops->stmt_idle)
		s->ops->stmt_idle(st->h, true);
	st->used = ++s->clock;
	if (s->ncache < XF_STMT_CACHE_MAX) {
		s->cache[s->ncache++] = st;
		return;
	}
	int oldest = 0;
	for (int i = 1; i < s->ncache; i++)
		if (s->cache[i]->used < s->cache[oldest]->used)
			oldest = i;
	stmt_free(s->cache[oldest]);
	s->cache[oldest] = st;
}

xf_stmt *xf_stmt_prepare(xf_store *s, const char *sql, xf_errs *errs)
{
	size_t len = strlen(sql);
	uint64_t hash = sql_hash(sql, len);
	xf_stmt *st = cache_take(s, sql, len, hash);
	if (st) {
		s->live++;
		return st;
	}
	st = calloc(1, sizeof(*st));
	char *copy = malloc(len + 1);
	if (st == NULL || copy == NULL) {
		free(st);
		free(copy);
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	memcpy(copy, sql, len + 1);
	st->sql = copy;
	st->len = len;
	st->hash = hash;
	st->s = s;
	st->h = s->ops->prepare(s->db, sql, errs);
	if (st->h == NULL) {
		errs->internal = true;
		free(st->sql);
		free(st);
		return NULL;
	}
	s->live++;
	return st;
}

int xf_stmt_bind_text(xf_stmt *st, int i, const char *v)
{
	return v ? st->s->ops->bind_text(st->h, i, v) : st->s->ops->bind_null(st->h, i);
}

int xf_stmt_bind_int(xf_stmt *st, int i, long long v)
{
	return st->s->ops->bind_int(st->h, i, v);
}

int xf_stmt_bind_double(xf_stmt *st, int i, double v)
{
	return st->s->ops->bind_double(st->h, i, v);
}

int xf_stmt_bind_null(xf_stmt *st, int i)
{
	return st->s->ops->bind_null(st->h, i);
}

xf_step xf_stmt_step(xf_stmt *st, xf_errs *errs)
{
	xf_step r = (xf_step)st->s->ops->step(st->h, errs);
	if (r == XF_STEP_ERROR)
		errs->internal = true;
	return r;
}

const char *xf_stmt_text(xf_stmt *st, int col)
{
	return st->s->ops->col_text(st->h, col);
}

long long xf_stmt_int(xf_stmt *st, int col)
{
	return st->s->ops->col_int(st->h, col);
}

double xf_stmt_double(xf_stmt *st, int col)
{
	return st->s->ops->col_double(st->h, col);
}

int xf_stmt_is_null(xf_stmt *st, int col)
{
	return st->s->ops->col_is_null(st->h, col);
}

void xf_stmt_reset(xf_stmt *st)
{
	st->s->ops->stmt_reset(st->h);
}

/* Back to the cache, reset; after xf_store_close, really finalized (and
 * the store's memory freed with the last one). */
void xf_stmt_finalize(xf_stmt *st)
{
	if (st == NULL)
		return;
	xf_store *s = st->s;
	s->live--;
	if (s->closed) {
		stmt_free(st);
		if (s->live == 0)
			free(s);
		return;
	}
	s->ops->stmt_reset(st->h);
	cache_put(s, st);
}
