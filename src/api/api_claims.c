/* api_claims: 学分申报 and 自学申报 over HTTP (docs/workflow.md, "Claims"
 * and "Evidence files"; docs/api.md) — the member's claims, the
 * review and approval queues, the preview of what a claim adds, and the
 * evidence files: uploads (the raw body, ?name=) and downloads.
 *
 * Each handler decodes, calls the claims service (service/claims.h) and
 * maps its result: NOT_FOUND 404 (also for what the caller may not see),
 * INVALID 422 with every problem, FORBIDDEN 403, CONFLICT 409 "conflict",
 * ARCHIVED 409 "archived", UNSUPPORTED 415 "unsupported_type". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_int.h"
#include "service/claims.h"
#include "service/evidence.h"

#define NOTE_MAX_BYTES 4096 /* of a note or reason (the service counts characters) */

/* How the service's results other than 0 are answered (api_refuse), with
 * all of its messages; refused fields are INVALID's, so no call needs
 * `invalid`. */
static const api_refusal REFUSALS[] = {
	{XF_CLAIM_NOT_FOUND, 404, NULL, NULL},
	{XF_CLAIM_INVALID, 422, "invalid", "申报内容有误"},
	{XF_CLAIM_FORBIDDEN, 403, "forbidden", "您无权进行此操作"},
	{XF_CLAIM_CONFLICT, 409, "conflict", "该申报已被他人处理，请刷新后重试"},
	{XF_CLAIM_ARCHIVED, 409, "archived", "该期间已归档，记录不能再修改"},
	{XF_CLAIM_UNSUPPORTED, 415, "unsupported_type", "不支持的文件类型"},
	{0, 0, NULL, NULL},
};

static void fail(api_ctx *c, int rc, const xf_errs *errs, const char *invalid)
{
	api_refuse(c, rc, errs, invalid, REFUSALS, true);
}

/* Writes claim id as GET /claims/{id} does, with status. */
static void send_claim(api_ctx *c, long long id, int status)
{
	api_call k;
	if (api_call_start(c, &k, true) &&
	    api_call_end(c, &k, xf_claim_get_json(c->store, c->who, id, k.f, &k.errs), fail,
			 NULL) == 0)
		c->res->status = status;
}

void api_claim_items(api_ctx *c)
{
	int year;
	api_call k;
	if (api_query_year(c, &year) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_claim_items_json(c->store, c->who, year, k.f, &k.errs), fail,
			     NULL);
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
	if (!api_query_search(c, &q.q) ||
	    !api_query_int(c, "year", 0, 2100, 0, &year) ||
	    !api_query_int(c, "page", 1, 1000000, 1, &q.page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &q.per_page))
		return;
	q.year = (int)year;
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_claims_list_json(c->store, c->who, &q, k.f, &k.errs), fail,
			     NULL);
}

void api_claim_create(api_ctx *c)
{
	long long id = 0;
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k, xf_claim_create(c->store, c->who, c->req->body, &id, &k.errs), fail,
			 NULL) == 0)
		send_claim(c, id, 201);
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
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, false) &&
	    api_call_end(c, &k, xf_claim_update(c->store, c->who, id, c->req->body, &k.errs), fail,
			 NULL) == 0)
		send_claim(c, id, 200);
}

/* A transition without a body. */
static void act(api_ctx *c, int (*fn)(xf_store *, const xf_principal *, long long, xf_errs *))
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, false) &&
	    api_call_end(c, &k, fn(c->store, c->who, id, &k.errs), fail, NULL) == 0)
		send_claim(c, id, 200);
}

void api_claim_submit(api_ctx *c)
{
	act(c, xf_claim_submit);
}

void api_claim_withdraw(api_ctx *c)
{
	act(c, xf_claim_withdraw);
}

/* A transition whose body may be {key: text} (review, approve, reject). */
static void act_text(api_ctx *c, const char *key,
		     int (*fn)(xf_store *, const xf_principal *, long long, const char *, xf_errs *))
{
	long long id;
	const char *text;
	api_call k;
	if (api_param_id(c, 0, &id) && api_body_text(c, key, NOTE_MAX_BYTES, &text) &&
	    api_call_start(c, &k, false) &&
	    api_call_end(c, &k, fn(c->store, c->who, id, text, &k.errs), fail, NULL) == 0)
		send_claim(c, id, 200);
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
	api_call k;
	if (api_call_start(c, &k, true))
		api_call_end(c, &k, xf_claims_batch_json(c->store, c->who, c->req->body, k.f, &k.errs),
			     fail, NULL);
}

void api_claim_preview(api_ctx *c)
{
	long long id;
	api_call k;
	if (api_param_id(c, 0, &id) && api_call_start(c, &k, true))
		api_call_end(c, &k, xf_claim_preview_json(c->store, c->who, id, k.f, &k.errs), fail,
			     NULL);
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
	const char *dir = NULL; /* NULL: into the database */
	if (!xf_config_evidence_in_db(&c->api->cfg, c->api->db_url) && (dir = evidence_dir(c)) == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_claim_evidence_add(c->store, c->who, id, dir, c->req->body, c->req->body_len,
				       xf_req_query(c->req, "name"), &file_id, &errs);
	xf_evidence_meta m;
	if (rc == 0)
		rc = xf_evidence_find(c->store, c->who, file_id, &m, &errs);
	if (rc != 0) {
		fail(c, rc, &errs, NULL);
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
	api_call k;
	if (api_call_start(c, &k, false) &&
	    api_call_end(c, &k, xf_claim_evidence_remove(c->store, c->who, id, file_id, &k.errs),
			 fail, NULL) == 0)
		api_no_content(c);
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
	bool in_db = rc == 0 && strcmp(m.stored, XF_EVIDENCE_IN_DB) == 0;
	const char *dir = rc == 0 && !in_db ? evidence_dir(c) : NULL;
	int fd = -1;
	size_t size = 0;
	void *content = NULL;
	if (rc != 0) {
		fail(c, rc, &errs, NULL);
		goto out;
	}
	if (in_db)
		rc = xf_store_blob_get(c->store, m.sha256, &content, &size, &errs);
	else if (dir == NULL)
		goto out;
	else
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
	/* Content from the database: the body first, so that a failure is a
	 * plain 500 without the file's headers. */
	if (in_db) {
		FILE *f = xf_res_stream(c->res);
		if (f == NULL || fwrite(content, 1, size, f) != size) {
			xf_errs_add(&errs, "内存不足，无法发送证明材料 (out of memory)");
			api_internal(c, &errs);
			goto out;
		}
	}
	xf_evidence_type t = xf_evidence_type_of_mime(m.mime);
	const char *inl = xf_req_query(c->req, "inline");
	bool inline_ = inl && strcmp(inl, "1") == 0 && xf_evidence_inline_ok(t);
	c->res->content_type = t == XF_EV_NONE ? "application/octet-stream"
					       : xf_arena_strdup(c->req->arena, m.mime);
	xf_res_header(c->res, "Content-Disposition", api_disposition(c, inline_, NULL, m.name));
	if (inline_) {
		/* The review page shows it in a frame of its own origin. Images are
		 * sandboxed; a PDF cannot be (the browser's viewer refuses to run
		 * in a sandboxed document), its content was checked at upload and
		 * nosniff holds it to application/pdf. */
		xf_res_header(c->res, "Content-Security-Policy",
			      t == XF_EV_PDF ? "frame-ancestors 'self'; script-src 'none'"
					     : "sandbox; frame-ancestors 'self'");
		xf_res_header(c->res, "X-Frame-Options", "SAMEORIGIN");
	}
	if (!in_db)
		xf_res_file(c->res, fd, size);
out:
	free(content);
	xf_errs_cleanup(&errs);
}
