/* api_claims: 学分申报 and 自学申报 over HTTP (docs/workflow.md, "Claims"
 * and "Evidence files"; docs/api-claims.md) — the member's claims, the
 * review and approval queues, the preview of what a claim adds, and the
 * evidence files: uploads (the raw body, ?name=) and downloads.
 *
 * Each handler decodes, calls the claims service (service/claims.h) and
 * maps its result: NOT_FOUND 404 (also for what the caller may not see),
 * INVALID 422 with every problem, FORBIDDEN 403, CONFLICT 409 "conflict",
 * ARCHIVED 409 "archived", UNSUPPORTED 415 "unsupported_type". */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_int.h"
#include "service/claims.h"
#include "service/evidence.h"

#define NOTE_MAX_BYTES 4096 /* of a note or reason (the service counts characters) */

static FILE *stream(api_ctx *c)
{
	FILE *f = xf_res_stream(c->res);
	if (f == NULL)
		api_internal(c, NULL);
	return f;
}

/* The messages of errs joined by "；" in the request's arena. */
static const char *joined(api_ctx *c, const xf_errs *errs, const char *dflt)
{
	const char *out = NULL;
	for (size_t i = 0; i < errs->n; i++)
		out = out ? xf_arena_printf(c->req->arena, "%s；%s", out, errs->msgs[i]) : errs->msgs[i];
	return out ? out : dflt;
}

/* Answers a service's result other than 0 (anything written is dropped). */
static void fail(api_ctx *c, int rc, const xf_errs *errs)
{
	api_res_reset(c->res);
	switch (rc) {
	case XF_CLAIM_NOT_FOUND:
		api_not_found(c);
		break;
	case XF_CLAIM_INVALID:
		api_invalid(c, joined(c, errs, "申报内容有误"), errs);
		break;
	case XF_CLAIM_FORBIDDEN:
		api_error(c, 403, "forbidden", joined(c, errs, "您无权进行此操作"));
		break;
	case XF_CLAIM_CONFLICT:
		api_error(c, 409, "conflict", joined(c, errs, "该申报已被他人处理，请刷新后重试"));
		break;
	case XF_CLAIM_ARCHIVED:
		api_error(c, 409, "archived", joined(c, errs, "该期间已归档，记录不能再修改"));
		break;
	case XF_CLAIM_UNSUPPORTED:
		api_error(c, 415, "unsupported_type", joined(c, errs, "不支持的文件类型"));
		break;
	default:
		if (errs->internal)
			api_internal(c, errs);
		else
			api_bad_request(c, errs);
		break;
	}
}

/* Writes claim id as GET /claims/{id} does, with status. */
static void send_claim(api_ctx *c, long long id, int status)
{
	FILE *f = stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	c->res->status = status;
	int rc = xf_claim_get_json(c->store, c->who, id, f, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	xf_errs_cleanup(&errs);
}

/* Runs a JSON view of the service into the answer. */
#define VIEW(call)                                                                         \
	do {                                                                               \
		FILE *f_ = stream(c);                                                      \
		if (f_ == NULL)                                                            \
			return;                                                            \
		xf_errs errs_;                                                             \
		xf_errs_init(&errs_);                                                      \
		xf_errs *errs = &errs_;                                                    \
		FILE *f = f_;                                                              \
		int rc_ = (call);                                                          \
		if (rc_ != 0)                                                              \
			fail(c, rc_, errs);                                                \
		xf_errs_cleanup(&errs_);                                                   \
	} while (0)

void api_claim_items(api_ctx *c)
{
	int year;
	if (!api_query_year(c, &year))
		return;
	VIEW(xf_claim_items_json(c->store, c->who, year, f, errs));
}

void api_claims_list(api_ctx *c)
{
	static const struct {
		const char *name;
		xf_claims_box box;
	} boxes[] = {{"mine", XF_BOX_MINE}, {"review", XF_BOX_REVIEW},
		     {"approve", XF_BOX_APPROVE}, {"all", XF_BOX_ALL}};
	xf_claims_query q = {.box = XF_BOX_DEFAULT};
	long long year;
	const char *box = xf_req_query(c->req, "box");
	if (box && *box) {
		q.box = (xf_claims_box)-1;
		for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
			if (strcmp(box, boxes[i].name) == 0)
				q.box = boxes[i].box;
		if ((int)q.box < 0) {
			api_error(c, 400, "bad_request", "参数 box 应为 mine、review、approve 或 all");
			return;
		}
	}
	q.status = xf_req_query(c->req, "status");
	if (q.status && *q.status == '\0')
		q.status = NULL;
	q.q = xf_req_query(c->req, "q");
	if (!api_query_int(c, "year", 0, 2100, 0, &year) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &q.per_page))
		return;
	q.year = (int)year;
	VIEW(xf_claims_list_json(c->store, c->who, &q, f, errs));
}

void api_claim_create(api_ctx *c)
{
	long long id = 0;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_create(c->store, c->who, c->req->body, &id, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	else
		send_claim(c, id, 201);
	xf_errs_cleanup(&errs);
}

void api_claim_get(api_ctx *c)
{
	long long id;
	if (api_param_id(c, 0, &id))
		send_claim(c, id, 200);
}

void api_claim_update(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_update(c->store, c->who, id, c->req->body, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	else
		send_claim(c, id, 200);
	xf_errs_cleanup(&errs);
}

/* A transition without a body. */
static void act(api_ctx *c, int (*fn)(xf_store *, const xf_principal *, long long, xf_errs *))
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = fn(c->store, c->who, id, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	else
		send_claim(c, id, 200);
	xf_errs_cleanup(&errs);
}

void api_claim_submit(api_ctx *c)
{
	act(c, xf_claim_submit);
}

void api_claim_withdraw(api_ctx *c)
{
	act(c, xf_claim_withdraw);
}

/* A transition with an optional JSON body {key: text}: *text NULL when
 * absent. False when the body is malformed (answered). */
static bool text_member(api_ctx *c, const char *key, cJSON **body, const char **text)
{
	*body = NULL;
	*text = NULL;
	if (c->req->body_len == 0)
		return true;
	*body = api_body_object(c);
	if (*body == NULL)
		return false;
	if (!api_member_str(c, *body, key, NOTE_MAX_BYTES, text)) {
		cJSON_Delete(*body);
		*body = NULL;
		return false;
	}
	return true;
}

static void act_text(api_ctx *c, const char *key,
		     int (*fn)(xf_store *, const xf_principal *, long long, const char *, xf_errs *))
{
	long long id;
	cJSON *body;
	const char *text;
	if (!api_param_id(c, 0, &id) || !text_member(c, key, &body, &text))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = fn(c->store, c->who, id, text, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	else
		send_claim(c, id, 200);
	xf_errs_cleanup(&errs);
	cJSON_Delete(body);
}

void api_claim_review(api_ctx *c)
{
	act_text(c, "note", xf_claim_review);
}

void api_claim_approve(api_ctx *c)
{
	act_text(c, "note", xf_claim_approve);
}

void api_claim_reject(api_ctx *c)
{
	act_text(c, "reason", xf_claim_reject);
}

void api_claims_batch(api_ctx *c)
{
	VIEW(xf_claims_batch_json(c->store, c->who, c->req->body, f, errs));
}

void api_claim_preview(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	VIEW(xf_claim_preview_json(c->store, c->who, id, f, errs));
}

/* ---- evidence files ---- */

/* The evidence folder of this server, or NULL (answered 500). */
static const char *evidence_dir(api_ctx *c)
{
	char *dir = xf_arena_alloc(c->req->arena, XF_CONFIG_PATH_MAX);
	xf_errs errs;
	xf_errs_init(&errs);
	if (dir == NULL ||
	    xf_config_evidence_dir(&c->api->cfg, c->api->db_url, dir, XF_CONFIG_PATH_MAX, &errs) != 0) {
		api_internal(c, &errs);
		dir = NULL;
	}
	xf_errs_cleanup(&errs);
	return dir;
}

void api_evidence_upload(api_ctx *c)
{
	long long id, file_id = 0;
	if (!api_param_id(c, 0, &id))
		return;
	const char *dir = evidence_dir(c);
	if (dir == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_evidence_add(c->store, c->who, id, dir, c->req->body, c->req->body_len,
				       xf_req_query(c->req, "name"), &file_id, &errs);
	xf_evidence_meta m;
	if (rc == 0)
		rc = xf_evidence_find(c->store, c->who, file_id, &m, &errs);
	if (rc != 0) {
		fail(c, rc, &errs);
	} else {
		xf_jw w;
		api_json(c, 201, &w);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", m.id);
		xf_jw_kint(&w, "claim_id", id);
		xf_jw_kstr(&w, "name", m.name);
		xf_jw_kint(&w, "size", m.size);
		xf_jw_kstr(&w, "mime", m.mime);
		xf_jw_kstr(&w, "sha256", m.sha256);
		xf_jw_obj_end(&w);
	}
	xf_errs_cleanup(&errs);
}

void api_evidence_delete(api_ctx *c)
{
	long long id, file_id;
	if (!api_param_id(c, 0, &id) || !api_param_id(c, 1, &file_id))
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_evidence_remove(c->store, c->who, id, file_id, &errs);
	if (rc != 0)
		fail(c, rc, &errs);
	else
		api_no_content(c);
	xf_errs_cleanup(&errs);
}

/* Content-Disposition for name: an ASCII fallback (anything else, quotes
 * and backslashes as '_') and the UTF-8 name as RFC 5987 filename*. */
static const char *disposition(api_ctx *c, bool inline_, const char *name)
{
	static const char keep[] = "!#$&+-.^_`|~";
	size_t n = strlen(name);
	char *ascii = xf_arena_alloc(c->req->arena, n + 1);
	char *pct = xf_arena_alloc(c->req->arena, 3 * n + 1);
	if (ascii == NULL || pct == NULL)
		return inline_ ? "inline" : "attachment";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
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
	ascii[n] = '\0';
	pct[k] = '\0';
	return xf_arena_printf(c->req->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s",
			       inline_ ? "inline" : "attachment", ascii, pct);
}

void api_evidence_get(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	xf_evidence_meta m;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_evidence_find(c->store, c->who, id, &m, &errs);
	const char *dir = rc == 0 ? evidence_dir(c) : NULL;
	int fd = -1;
	size_t size = 0;
	if (rc != 0) {
		fail(c, rc, &errs);
		goto out;
	}
	if (dir == NULL)
		goto out;
	rc = xf_evidence_open(dir, m.stored, &fd, &size, &errs);
	if (rc != 0 || (long long)size != m.size) {
		if (rc == 1 || rc == 0)
			xf_errs_add(&errs, "证明材料 %lld 的文件 %s 缺失或大小不符 (evidence file missing or "
				    "changed)", m.id, m.stored);
		if (fd >= 0)
			close(fd);
		api_internal(c, &errs);
		goto out;
	}
	xf_evidence_type t = xf_evidence_type_of_mime(m.mime);
	const char *inl = xf_req_query(c->req, "inline");
	bool inline_ = inl && strcmp(inl, "1") == 0 && xf_evidence_inline_ok(t);
	c->res->content_type = t == XF_EV_NONE ? "application/octet-stream"
					       : xf_arena_strdup(c->req->arena, m.mime);
	xf_res_header(c->res, "Content-Disposition", disposition(c, inline_, m.name));
	if (inline_)
		xf_res_header(c->res, "Content-Security-Policy", "sandbox");
	xf_res_file(c->res, fd, size);
out:
	xf_errs_cleanup(&errs);
}
