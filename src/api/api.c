/* api: the application the HTTP server runs — routing, sessions, roles,
 * CSRF, the per-thread database connection, and the helpers handlers use
 * to read requests and answer them (see api.h, api_int.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "core/clock.h"
#include "core/utf8.h"

#define SESSION_COOKIE "xf_session"

/* The page at / when no web UI folder is configured. */
#define NO_UI_PAGE                                                                          \
	"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>学分管理</title>" \
	"<body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">"               \
	"<h1>xuefen 学分管理</h1><p>服务已启动。网页界面尚未构建（web/dist）；"                  \
	"接口位于 <code>/api/v1</code>，说明见 docs/api.md。</p>"                               \
	"<p>例如：<code>POST /api/v1/login</code>，然后 <code>GET /api/v1/me/credits</code>。</p>" \
	"</body></html>"

static const char *method_name(xf_method m)
{
	switch (m) {
	case XF_HTTP_GET: return "GET";
	case XF_HTTP_HEAD: return "HEAD";
	case XF_HTTP_POST: return "POST";
	case XF_HTTP_PUT: return "PUT";
	case XF_HTTP_PATCH: return "PATCH";
	case XF_HTTP_DELETE: return "DELETE";
	default: return "?";
	}
}

/* ---- answering ---- */

void api_res_reset(xf_res *res)
{
	if (res->stream)
		fclose(res->stream);
	free(res->buf);
	res->stream = NULL;
	res->buf = NULL;
	res->len = 0;
}

void api_json(api_ctx *c, int status, xf_jw *w)
{
	c->res->status = status;
	xf_jw_init(w, xf_res_stream(c->res));
}

void api_error(api_ctx *c, int status, const char *code, const char *message)
{
	xf_res_error(c->res, status, code, message);
}

void api_not_found(api_ctx *c)
{
	api_error(c, 404, "not_found", "未找到该记录，或您无权查看");
}

const char *api_errs_joined(api_ctx *c, const xf_errs *errs, const char *dflt)
{
	size_t len = 0;
	for (size_t i = 0; i < errs->n; i++)
		len += strlen(errs->msgs[i]) + 4;
	char *s = errs->n ? xf_arena_alloc(c->req->arena, len + 1) : NULL;
	if (s == NULL)
		return dflt;
	s[0] = '\0';
	for (size_t i = 0; i < errs->n; i++) {
		if (i)
			strcat(s, "；");
		strcat(s, errs->msgs[i]);
	}
	return s;
}

void api_bad_request(api_ctx *c, const xf_errs *errs)
{
	if (errs->internal) {
		api_internal(c, errs);
		return;
	}
	api_error(c, 400, "bad_request", api_errs_joined(c, errs, "请求有误"));
}

void api_invalid(api_ctx *c, const char *message, const xf_errs *errs)
{
	xf_jw w;
	if (errs->internal) {
		api_internal(c, errs);
		return;
	}
	api_res_reset(c->res);
	api_json(c, 422, &w);
	xf_jw_obj(&w);
	xf_jw_key(&w, "error");
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "code", "invalid");
	xf_jw_kstr(&w, "message", message);
	xf_jw_key(&w, "details");
	xf_jw_arr(&w);
	for (size_t i = 0; i < errs->n; i++)
		xf_jw_str(&w, errs->msgs[i]);
	if (errs->dropped) {
		char more[96];
		snprintf(more, sizeof(more), "另有 %zu 处问题未列出", errs->dropped);
		xf_jw_str(&w, more);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	xf_jw_obj_end(&w);
}

void api_internal(api_ctx *c, const xf_errs *errs)
{
	for (size_t i = 0; errs && i < errs->n; i++)
		fprintf(stderr, "xuefen serve: %s %s: %s\n", method_name(c->req->method), c->req->path,
			errs->msgs[i]);
	api_error(c, 500, "internal", "服务器内部错误，请稍后重试或联系管理员");
}

void api_no_content(api_ctx *c)
{
	c->res->status = 204;
}

int api_service_rc(api_ctx *c, int rc, const xf_errs *errs, bool bad_input)
{
	if (rc == 1)
		api_not_found(c);
	else if (rc < 0 && bad_input && !errs->internal)
		api_bad_request(c, errs);
	else if (rc < 0)
		api_internal(c, errs);
	return rc;
}

FILE *api_stream(api_ctx *c)
{
	FILE *f = xf_res_stream(c->res);
	if (f == NULL)
		api_internal(c, NULL);
	return f;
}

/* ---- a service's refusals ---- */

void api_refuse(api_ctx *c, int rc, const xf_errs *errs, const char *invalid,
		const api_refusal *refusals, bool join)
{
	api_res_reset(c->res);
	const api_refusal *r = refusals;
	while (r->status != 0 && r->rc != rc)
		r++;
	if (r->status == 0) {
		if (errs->internal || errs->n == 0)
			api_internal(c, errs);
		else if (invalid)
			api_invalid(c, invalid, errs);
		else
			api_bad_request(c, errs);
	} else if (r->code == NULL) {
		api_not_found(c);
	} else if (r->status == 422) {
		api_invalid(c, join ? api_errs_joined(c, errs, r->dflt) : r->dflt, errs);
	} else {
		const char *first = errs->n ? errs->msgs[0] : r->dflt;
		api_error(c, r->status, r->code, join ? api_errs_joined(c, errs, r->dflt) : first);
	}
}

/* ---- one service call ---- */

void api_fail_internal(api_ctx *c, int rc, const xf_errs *errs, const char *invalid)
{
	(void)rc;
	(void)invalid;
	api_internal(c, errs);
}

bool api_call_start(api_ctx *c, api_call *k, bool stream)
{
	xf_errs_init(&k->errs);
	k->f = stream ? api_stream(c) : NULL;
	if (stream && k->f == NULL) {
		xf_errs_cleanup(&k->errs);
		return false;
	}
	return true;
}

int api_call_end(api_ctx *c, api_call *k, int rc, api_fail_fn fail, const char *invalid)
{
	if (rc != 0) {
		api_res_reset(c->res);
		fail(c, rc, &k->errs, invalid);
	}
	xf_errs_cleanup(&k->errs);
	return rc;
}

/* ---- downloads ---- */

bool api_tmp_open(api_ctx *c, api_tmp *t, const char *file)
{
	const char *base = getenv("TMPDIR");
	snprintf(t->dir, sizeof(t->dir), "%s/xuefen-export-XXXXXX",
		 base && *base && strlen(base) < 32 ? base : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		api_internal(c, NULL);
		return false;
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	return true;
}

void api_tmp_remove(api_tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

void api_tmp_send(api_ctx *c, api_tmp *t, const char *content_type, const char *ascii_name,
		  const char *utf8_name, const char *action, const char *object)
{
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	api_tmp_remove(t);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		api_internal(c, NULL);
		return;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	xf_audit_entry e = {.actor = api_actor(c), .action = action, .object = object};
	if (xf_store_audit(c->store, &e, &errs) != 0) {
		close(fd);
		api_internal(c, &errs);
		xf_errs_cleanup(&errs);
		return;
	}
	xf_errs_cleanup(&errs);
	c->res->content_type = content_type;
	xf_res_header(c->res, "Content-Disposition",
		      api_disposition(c, false, ascii_name, utf8_name));
	xf_res_file(c->res, fd, (size_t)st.st_size);
}

const char *api_disposition(api_ctx *c, bool inline_, const char *ascii_name, const char *name)
{
	static const char keep[] = "!#$&+-.^_`|~"; /* RFC 5987 attr-char besides ALPHA, DIGIT */
	const char *type = inline_ ? "inline" : "attachment";
	if (name == NULL)
		return xf_arena_printf(c->req->arena, "%s; filename=\"%s\"", type, ascii_name);
	size_t n = strlen(name);
	char *ascii = ascii_name ? NULL : xf_arena_alloc(c->req->arena, n + 1);
	char *pct = xf_arena_alloc(c->req->arena, 3 * n + 1);
	if ((ascii_name == NULL && ascii == NULL) || pct == NULL)
		return type;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ascii)
			ascii[i] = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' ? (char)ch : '_';
		bool plain = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') || (ch && strchr(keep, ch));
		if (plain) {
			pct[k++] = (char)ch;
		} else {
			snprintf(pct + k, 4, "%%%02X", ch);
			k += 3;
		}
	}
	if (ascii)
		ascii[n] = '\0';
	pct[k] = '\0';
	return xf_arena_printf(c->req->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s", type,
			       ascii ? ascii : ascii_name, pct);
}

/* ---- reading ---- */

static bool parse_ll(const char *s, long long *out)
{
	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

bool api_param_id(api_ctx *c, int i, long long *id)
{
	if (i >= c->req->nparams || !parse_ll(c->req->params[i], id) || *id <= 0) {
		api_not_found(c);
		return false;
	}
	return true;
}

bool api_query_int(api_ctx *c, const char *key, long long lo, long long hi, long long dflt,
		   long long *out)
{
	const char *v = xf_req_query(c->req, key);
	if (v == NULL || *v == '\0') {
		*out = dflt;
		return true;
	}
	long long n;
	if (!parse_ll(v, &n) || n < lo || n > hi) {
		api_error(c, 400, "bad_request",
			  xf_arena_printf(c->req->arena, "参数 %s 应为 %lld 到 %lld 之间的整数", key, lo,
					  hi));
		return false;
	}
	*out = n;
	return true;
}

bool api_query_search(api_ctx *c, const char **q)
{
	*q = xf_req_query(c->req, "q");
	if (*q == NULL || **q == '\0') {
		*q = NULL;
		return true;
	}
	long n = xf_utf8_chars(*q);
	if (n < 0 || n > API_SEARCH_MAX) {
		api_error(c, 400, "bad_request",
			  n < 0 ? "搜索词应为 UTF-8 文本" : "搜索词不能超过 100 个字符");
		return false;
	}
	return true;
}

int api_this_year(void)
{
	time_t now = xf_clock_now();
	struct tm tm;
	localtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

bool api_query_year(api_ctx *c, int *year)
{
	long long y;
	if (!api_query_int(c, "year", 2000, 2100, api_this_year(), &y))
		return false;
	*year = (int)y;
	return true;
}

cJSON *api_body_object(api_ctx *c)
{
	cJSON *o = NULL;
	if (c->req->body_len > 0)
		o = cJSON_ParseWithLength(c->req->body, c->req->body_len);
	if (o == NULL || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		api_error(c, 400, "bad_json", "请求内容应为 JSON 对象 (a JSON object was expected)");
		return NULL;
	}
	return o;
}

bool api_member_str(api_ctx *c, const cJSON *obj, const char *key, size_t max, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
		api_error(c, 400, "bad_request",
			  xf_arena_printf(c->req->arena, "字段 %s 应为不超过 %zu 字节的字符串", key, max));
		return false;
	}
	*out = v->valuestring;
	return true;
}

const char *api_upload_name(api_ctx *c, const char *dflt)
{
	const char *n = xf_req_query(c->req, "name");
	if (n == NULL || *n == '\0')
		return dflt;
	const char *slash = strrchr(n, '/');
	if (slash)
		n = slash + 1;
	const char *bslash = strrchr(n, '\\');
	if (bslash)
		n = bslash + 1;
	if (*n == '\0' || strlen(n) > 200)
		return dflt;
	return n;
}

bool api_body_text(api_ctx *c, const char *key, size_t max, const char **text)
{
	*text = NULL;
	if (c->req->body_len == 0)
		return true;
	cJSON *o = api_body_object(c);
	if (o == NULL)
		return false;
	const char *v = NULL;
	bool ok = api_member_str(c, o, key, max, &v);
	if (ok && v)
		*text = xf_arena_strdup(c->req->arena, v);
	cJSON_Delete(o);
	return ok;
}

void api_scope(const api_ctx *c, xf_unit_scope *scope)
{
	const xf_principal *p = c->who;
	scope->all = p && (p->roles & XF_ROLE_ADMIN);
	scope->units = NULL;
	scope->nunits = 0;
	if (p == NULL || scope->all)
		return;
	/* Reviewers' and approvers' units, merged (both lists are sorted). */
	size_t n = p->nreview_units + p->napprove_units;
	long long *u = n ? xf_arena_alloc(c->req->arena, n * sizeof(*u)) : NULL;
	size_t i = 0, j = 0, k = 0;
	while (u && (i < p->nreview_units || j < p->napprove_units)) {
		long long a = i < p->nreview_units ? p->review_units[i] : -1;
		long long b = j < p->napprove_units ? p->approve_units[j] : -1;
		long long next;
		if (a >= 0 && (b < 0 || a <= b)) {
			next = a;
			i++;
			if (a == b)
				j++;
		} else {
			next = b;
			j++;
		}
		u[k++] = next;
	}
	scope->units = u;
	scope->nunits = k;
}

char *api_json_text(api_ctx *c, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	char *copy = xf_arena_strdup(c->req->arena, s);
	cJSON_free(s);
	return copy;
}

const char *api_actor(const api_ctx *c)
{
	return c->who ? c->who->username : "anonymous";
}

/* A JSON body the API accepts: valid UTF-8 and no \u0000 escape, which
 * cJSON would decode into a NUL that cuts a C string short (a login name
 * "admin\u0000x" would become "admin"). */
static bool json_text_ok(const char *body, size_t len)
{
	if (xf_utf8_invalid_at(body, len) != len || memchr(body, '\0', len) != NULL)
		return false;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		if (body[i] == '"') {
			in_string = !in_string;
		} else if (in_string && body[i] == '\\' && i + 1 < len) {
			if (body[i + 1] == 'u' && i + 5 < len && strncmp(body + i + 2, "0000", 4) == 0)
				return false;
			i++; /* the escaped character, whatever it is */
		}
	}
	return true;
}


/* ---- the cache ---- */

bool api_generation_fresh(api_ctx *c, uint64_t *gen)
{
	api_thread *t = c->req->thread_ctx;
	uint64_t token;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = c->api->cache ? xf_store_change_token(c->store, &token, &errs) : 1;
	xf_errs_cleanup(&errs);
	c->gen_known = true;
	c->gen_ok = rc == 0;
	if (rc != 0)
		return false;
	if (!t->has_token || t->token != token) {
		t->token = token;
		t->has_token = true;
		atomic_fetch_add(&c->api->gen, 1);
	}
	c->gen = *gen = atomic_load(&c->api->gen);
	return true;
}

bool api_generation(api_ctx *c, uint64_t *gen)
{
	if (!c->gen_known)
		return api_generation_fresh(c, gen);
	*gen = c->gen;
	return c->gen_ok;
}

bool api_cached(api_ctx *c, const char *key, uint64_t *gen, bool *cacheable)
{
	*cacheable = api_generation(c, gen);
	void *data;
	size_t len;
	if (!*cacheable || !api_cache_get(c->api->cache, key, *gen, c->req->arena, &data, &len))
		return false;
	FILE *f = xf_res_stream(c->res);
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		api_res_reset(c->res);
		return false;
	}
	return true;
}

void api_cache_answer(api_ctx *c, const char *key, uint64_t gen, bool cacheable)
{
	uint64_t now;
	if (!cacheable || c->res->status != 200 || c->res->stream == NULL)
		return;
	if (!api_generation_fresh(c, &now) || now != gen || fflush(c->res->stream) != 0)
		return;
	api_cache_put(c->api->cache, key, gen, c->res->buf, c->res->len);
}

/* A principal flattened into one block for the cache: the struct, then
 * the unit arrays, then the two strings. */
static void *principal_pack(const xf_principal *p, size_t *len)
{
	size_t nu = strlen(p->username) + 1, nd = strlen(p->display_name) + 1;
	size_t ar = (p->nreview_units + p->napprove_units) * sizeof(long long);
	*len = sizeof(*p) + ar + nu + nd;
	unsigned char *b = malloc(*len);
	if (b == NULL)
		return NULL;
	memcpy(b, p, sizeof(*p));
	unsigned char *q = b + sizeof(*p);
	if (p->nreview_units)
		memcpy(q, p->review_units, p->nreview_units * sizeof(long long));
	q += p->nreview_units * sizeof(long long);
	if (p->napprove_units)
		memcpy(q, p->approve_units, p->napprove_units * sizeof(long long));
	q += p->napprove_units * sizeof(long long);
	memcpy(q, p->username, nu);
	memcpy(q + nu, p->display_name, nd);
	return b;
}

/* The inverse, in place: the block was copied into the request's arena
 * (aligned for any type), so the pointers point into it. */
static xf_principal *principal_unpack(void *data, size_t len)
{
	if (len < sizeof(xf_principal))
		return NULL;
	xf_principal *p = data;
	unsigned char *q = (unsigned char *)data + sizeof(*p);
	p->review_units = p->nreview_units ? (const long long *)q : NULL;
	q += p->nreview_units * sizeof(long long);
	p->approve_units = p->napprove_units ? (const long long *)q : NULL;
	q += p->napprove_units * sizeof(long long);
	p->username = (const char *)q;
	p->display_name = (const char *)q + strlen((const char *)q) + 1;
	return p;
}

/* The caller's session: from the cache while the database is unchanged
 * and no limit or refresh is due, else from the store. */
static xf_session_result session_of(api_ctx *c, const xf_principal **out, xf_errs *errs)
{
	time_t now = xf_clock_now();
	const xf_auth_policy *ap = &c->api->auth;
	char *key = xf_arena_printf(c->req->arena, "s:%s", c->token);
	uint64_t gen = 0;
	bool cacheable = key && api_generation(c, &gen);
	void *data;
	size_t len;
	if (cacheable && api_cache_get(c->api->cache, key, gen, c->req->arena, &data, &len)) {
		xf_principal *p = principal_unpack(data, len);
		if (p && now - p->last_seen < XF_SESSION_REFRESH_S && now - p->last_seen < ap->idle_s &&
		    now - p->created < ap->absolute_s && now >= p->last_seen) {
			*out = p;
			return XF_SESSION_OK;
		}
	}
	xf_principal *who = xf_arena_calloc(c->req->arena, 1, sizeof(*who));
	if (who == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return XF_SESSION_ERROR;
	}
	xf_session_result sr = xf_auth_session(c->store, ap, c->token, now, c->req->arena, who, errs);
	if (sr != XF_SESSION_OK)
		return sr;
	*out = who;
	uint64_t after;
	if (cacheable && api_generation_fresh(c, &after) && after == gen) {
		void *b = principal_pack(who, &len);
		if (b)
			api_cache_put(c->api->cache, key, gen, b, len);
		free(b);
	}
	return XF_SESSION_OK;
}

/* ---- routing ---- */

/* Matches path against pattern, capturing {x} segments into req->params. */
static bool route_match(const char *pattern, const char *path, xf_req *req)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n >= 4)
				return false;
			req->params[n++] = xf_arena_strndup(req->arena, s, len);
			s += len;
			p = strchr(p, '}');
			if (p == NULL)
				return false;
			p++;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	if (*p != '\0' || (*s != '\0' && strcmp(s, "/") != 0))
		return false;
	req->nparams = n;
	return true;
}

/* The methods the routes of req's path take, for a 405's Allow header. */
static const char *allowed_methods(xf_req *req)
{
	unsigned m = 0;
	for (size_t i = 0; i < api_nroutes; i++)
		if (route_match(api_routes[i].pattern, req->path, req))
			m |= api_routes[i].methods;
	static const struct { unsigned bit; const char *name; } names[] = {
		{XF_HTTP_GET, "GET, HEAD"}, {XF_HTTP_POST, "POST"}, {XF_HTTP_PUT, "PUT"},
		{XF_HTTP_PATCH, "PATCH"}, {XF_HTTP_DELETE, "DELETE"},
	};
	char *out = xf_arena_strdup(req->arena, "");
	for (size_t i = 0; out && i < sizeof(names) / sizeof(names[0]); i++)
		if (m & names[i].bit)
			out = xf_arena_printf(req->arena, "%s%s%s", out, *out ? ", " : "", names[i].name);
	return out ? out : "";
}

/* The route for the request: *route set, or NULL with *path_known true
 * when the path exists under another method. */
static const api_route *route_find(xf_req *req, bool *path_known)
{
	*path_known = false;
	xf_method m = req->method == XF_HTTP_HEAD ? XF_HTTP_GET : req->method;
	for (size_t i = 0; i < api_nroutes; i++) {
		if (!route_match(api_routes[i].pattern, req->path, req))
			continue;
		if (api_routes[i].methods & m)
			return &api_routes[i];
		*path_known = true;
	}
	return NULL;
}

size_t api_limit_json(const xf_api *a)
{
	return a->cfg.json_body_max;
}

size_t api_limit_import(const xf_api *a)
{
	return a->cfg.import_max;
}

size_t api_limit_upload(const xf_api *a)
{
	return a->cfg.upload_max;
}

static size_t app_body_limit(void *app, xf_method m, const char *path)
{
	xf_api *a = app;
	/* Reads take no body (no GET route has a limit): no routing for them. */
	if (m == XF_HTTP_GET || m == XF_HTTP_HEAD || strncmp(path, "/api/", 5) != 0)
		return 0;
	/* The largest limit of any route the path may reach under m: routing
	 * proper happens once the body is in. A small arena is enough here. */
	xf_arena arena;
	xf_arena_init(&arena, 1 << 16);
	xf_req probe = {.arena = &arena, .method = m, .path = path};
	bool known;
	const api_route *r = route_find(&probe, &known);
	size_t limit = r && r->body_limit ? r->body_limit(a) : 0;
	xf_arena_cleanup(&arena);
	return limit;
}

static void *app_thread_init(void *app)
{
	api_thread *t = calloc(1, sizeof(*t));
	if (t)
		t->api = app;
	return t;
}

static void app_thread_done(void *app, void *ctx)
{
	api_thread *t = ctx;
	if (t) {
		xf_store_close(t->store);
		free(t);
	}
}

/* Whether the request comes from our own pages: an Origin header, when
 * present, must name the host the request was sent to. */
static bool same_origin(const xf_req *req)
{
	const char *origin = xf_req_header(req, "Origin");
	const char *host = xf_req_header(req, "Host");
	if (origin == NULL)
		return true;
	if (host == NULL)
		return false;
	const char *o = strstr(origin, "://");
	return o && strcmp(o + 3, host) == 0;
}

static void session_cookie(api_ctx *c, const char *value, bool clear)
{
	bool secure = c->req->tls || c->api->cfg.secure_cookies;
	char *v = xf_arena_printf(c->req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
				  SESSION_COOKIE, value, clear ? "; Max-Age=0" : "",
				  secure ? "; Secure" : "");
	if (v)
		xf_res_header(c->res, "Set-Cookie", v);
}

void api_set_session_cookie(api_ctx *c, const char *token)
{
	session_cookie(c, token, false);
}

void api_clear_session_cookie(api_ctx *c)
{
	session_cookie(c, "", true);
}

static void app_dispatch(void *app, xf_req *req, xf_res *res)
{
	xf_api *a = app;
	api_thread *t = req->thread_ctx;
	api_ctx c = {.api = a, .req = req, .res = res};

	if (strncmp(req->path, "/api/", 5) != 0 && strcmp(req->path, "/api") != 0) {
		if (req->method != XF_HTTP_GET && req->method != XF_HTTP_HEAD) {
			api_error(&c, 405, "method_not_allowed", "不支持该请求方法");
			return;
		}
		if (a->cfg.web_root == NULL) {
			if (strcmp(req->path, "/") != 0) {
				api_error(&c, 404, "not_found", "未找到该页面");
				return;
			}
			/* No web UI built: say where the API is. */
			res->content_type = "text/html; charset=utf-8";
			FILE *f = xf_res_stream(res);
			if (f)
				fputs(NO_UI_PAGE, f);
			return;
		}
		xf_http_static(req, res, a->cfg.web_root, req->path, true);
		return;
	}

	bool known;
	const api_route *r = route_find(req, &known);
	if (r == NULL) {
		if (known) {
			api_error(&c, 405, "method_not_allowed", "该地址不支持此请求方法");
			xf_res_header(res, "Allow", allowed_methods(req));
		} else
			api_error(&c, 404, "not_found", "没有这个接口");
		return;
	}
	bool changes = req->method != XF_HTTP_GET && req->method != XF_HTTP_HEAD;
	if (changes && !same_origin(req)) {
		api_error(&c, 403, "cross_origin", "拒绝来自其他网站的请求");
		return;
	}

	if (r->body_limit == api_limit_json && req->body_len > 0 &&
	    !json_text_ok(req->body, req->body_len)) {
		api_error(&c, 400, "bad_json",
			  "请求内容应为 UTF-8 编码的 JSON，且不含 \\u0000 (UTF-8 JSON without NUL was expected)");
		return;
	}
	if (t == NULL) {
		api_error(&c, 503, "unavailable", "服务器资源不足，请稍后重试");
		return;
	}
	if (t->store == NULL) {
		xf_errs errs;
		xf_errs_init(&errs);
		t->store = xf_store_open(a->db_url, XF_STORE_OPEN, &errs);
		if (t->store == NULL) {
			api_internal(&c, &errs);
			res->status = 503;
			xf_errs_cleanup(&errs);
			return;
		}
		xf_errs_cleanup(&errs);
	}
	c.store = t->store;

	c.token = xf_req_cookie(req, SESSION_COOKIE);
	if (r->roles != API_PUBLIC) {
		if (c.token == NULL) {
			api_error(&c, 401, "unauthenticated", "请先登录");
			return;
		}
		const xf_principal *who = NULL;
		xf_errs errs;
		xf_errs_init(&errs);
		xf_session_result sr = session_of(&c, &who, &errs);
		if (sr == XF_SESSION_ERROR)
			api_internal(&c, &errs);
		xf_errs_cleanup(&errs);
		if (sr == XF_SESSION_ERROR)
			return;
		if (sr == XF_SESSION_EXPIRED) {
			api_clear_session_cookie(&c);
			api_error(&c, 401, "session_expired", "登录已超时，请重新登录");
			return;
		}
		if (sr == XF_SESSION_NONE) {
			api_clear_session_cookie(&c);
			api_error(&c, 401, "unauthenticated", "请先登录");
			return;
		}
		c.who = who;
		req->auth = who;
		if ((who->roles & r->roles) == 0) {
			api_error(&c, 403, "forbidden", "您的角色无权进行此操作");
			return;
		}
		if (changes && !xf_auth_token_equal(xf_req_header(req, "X-CSRF-Token"), who->csrf)) {
			api_error(&c, 403, "csrf", "请求校验失败，请刷新页面后重试");
			return;
		}
	}
	r->handler(&c);
}

/* ---- the application ---- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

xf_api *xf_api_new(const xf_config *cfg, const char *db_url, xf_errs *errs)
{
	xf_api *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		return NULL;
	}
	a->cfg = *cfg;
	a->cfg.listen = dup_or_null(cfg->listen);
	a->cfg.db = dup_or_null(cfg->db);
	a->cfg.web_root = dup_or_null(cfg->web_root);
	a->cfg.tls_cert = dup_or_null(cfg->tls_cert);
	a->cfg.tls_key = dup_or_null(cfg->tls_key);
	a->db_url = strdup(db_url);
	xf_auth_policy_defaults(&a->auth);
	a->auth.idle_s = cfg->session_idle_s;
	a->auth.absolute_s = cfg->session_absolute_s;
	a->auth.max_failures = cfg->login_max_failures;
	a->auth.lock_s = cfg->login_lock_s;
	a->auth.min_length = cfg->password_min_length;
	a->auth.min_classes = cfg->password_min_classes;

	xf_store *s = xf_store_open(db_url, XF_STORE_OPEN, errs);
	if (s == NULL) {
		xf_api_free(a);
		return NULL;
	}
	xf_store_close(s);

	/* 16k slots, 64 MiB: every member's summary of a large bureau. */
	a->cache = api_cache_new(16384, (size_t)64 << 20);
	if (a->cache == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		xf_api_free(a);
		return NULL;
	}
	atomic_init(&a->gen, 1);
	a->app.app = a;
	a->app.thread_init = app_thread_init;
	a->app.thread_done = app_thread_done;
	a->app.body_limit = app_body_limit;
	a->app.dispatch = app_dispatch;
	return a;
}

void xf_api_free(xf_api *a)
{
	if (a == NULL)
		return;
	xf_config_cleanup(&a->cfg);
	api_cache_free(a->cache);
	free(a->db_url);
	free(a);
}

const xf_http_app *xf_api_http_app(xf_api *a)
{
	return &a->app;
}
