/* api_int: what the API's files share — the application state, the route
 * table's shape, and the small helpers every handler uses to read a
 * request and answer it. Not for use outside src/api. */
#ifndef XF_API_API_INT_H
#define XF_API_API_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "api/api.h"
#include "api/cache.h"
#include "core/errs.h"
#include "io/jsonw.h"
#include "service/auth.h"
#include "service/people.h"
#include "store/store.h"

struct xf_api {
	xf_config cfg;
	char *db_url;
	xf_auth_policy auth;
	xf_http_app app;
	api_cache *cache;          /* read answers and sessions (cache.h) */
	atomic_uint_fast64_t gen;  /* bumped when a worker sees the database change */
};

/* A worker thread's own state. */
typedef struct api_thread {
	xf_api *api;
	xf_store *store; /* opened at the first request that needs it */
	uint64_t token;  /* the connection's last change token */
	bool has_token;
} api_thread;

/* Everything a handler gets. */
typedef struct api_ctx {
	xf_api *api;
	xf_req *req;
	xf_res *res;
	xf_store *store;
	const xf_principal *who;   /* NULL on public routes */
	const char *token;         /* the session cookie's token, or NULL */
	bool gen_known, gen_ok;    /* the cache generation, checked once per request */
	uint64_t gen;
} api_ctx;

typedef void (*api_handler)(api_ctx *c);

/* Who may call a route: a set of XF_ROLE_* bits, or one of these. */
#define API_PUBLIC 0u             /* no session needed */
#define API_ANY 0xffu             /* any signed-in user */

typedef struct api_route {
	unsigned methods;             /* XF_HTTP_* */
	const char *pattern;          /* "/api/v1/people/{id}" */
	unsigned roles;
	size_t (*body_limit)(const xf_api *a); /* NULL: no body */
	api_handler handler;
} api_route;

extern const api_route api_routes[];
extern const size_t api_nroutes;

/* Body limits for the route table. */
size_t api_limit_json(const xf_api *a);
size_t api_limit_import(const xf_api *a);
size_t api_limit_upload(const xf_api *a); /* evidence files (limits.upload) */

/* ---- answering ---- */

/* Starts a JSON answer with status (200, 201): the writer writes to the
 * response's stream. */
void api_json(api_ctx *c, int status, xf_jw *w);
/* The error answers. message is Chinese and shown to the user. */
void api_error(api_ctx *c, int status, const char *code, const char *message);
void api_not_found(api_ctx *c);
/* The messages of errs joined by "；" (in the arena), or dflt when there
 * are none. */
const char *api_errs_joined(api_ctx *c, const xf_errs *errs, const char *dflt);
/* 400 "bad_request" with the messages of errs joined by "；". */
void api_bad_request(api_ctx *c, const xf_errs *errs);
/* 422 "invalid" with the messages of errs as "details" (each a string). */
void api_invalid(api_ctx *c, const char *message, const xf_errs *errs);
/* 500 "internal" with a generic message; the real one goes to stderr. */
void api_internal(api_ctx *c, const xf_errs *errs);
/* Discards what was written to the response's body so far. */
void api_res_reset(xf_res *res);
/* Sets the session cookie to token (HttpOnly, SameSite=Strict, Secure over
 * TLS or when configured), or clears it. */
void api_set_session_cookie(api_ctx *c, const char *token);
void api_clear_session_cookie(api_ctx *c);
/* 204, no body. */
void api_no_content(api_ctx *c);
/* Maps a service's 0/1/-1: 1 → 404; -1 → 400 when validation said so
 * (bad_input true) else 500. Returns rc. */
int api_service_rc(api_ctx *c, int rc, const xf_errs *errs, bool bad_input);

/* The response's body stream (opened at the first call); NULL, with a 500
 * sent, when it cannot be. */
FILE *api_stream(api_ctx *c);

/* ---- a service's refusals ---- */

/* How a service's refusal code is answered: the status and error code
 * (NULL: a plain 404 not_found), and the message when the service gave
 * none (for 422: the message; the service's messages are the details). */
typedef struct api_refusal {
	int rc;
	int status;
	const char *code;
	const char *dflt;
} api_refusal;

/* Answers a service's failure rc (not 0), dropping what was written: the
 * row of refusals for rc (the rows end with one of status 0), with the
 * service's first message or, when join, all of them joined; an rc of no
 * row is a failure — 500 when the system failed or nothing was said, 422
 * `invalid` with the messages as details when invalid is given, else 400
 * with the messages joined. */
void api_refuse(api_ctx *c, int rc, const xf_errs *errs, const char *invalid,
		const api_refusal *refusals, bool join);

/* ---- one service call ---- */

/* How a file's handlers answer a failure rc (not 0) of its service, the
 * body already dropped. invalid: the 422 message for refused input, or
 * NULL where the file answers such input otherwise (400). */
typedef void (*api_fail_fn)(api_ctx *c, int rc, const xf_errs *errs, const char *invalid);

/* An api_fail_fn for calls that cannot fail for the request's fault (a
 * plain read): any failure answers 500. */
void api_fail_internal(api_ctx *c, int rc, const xf_errs *errs, const char *invalid);

/* One call of a service: where its JSON goes, and its messages. */
typedef struct api_call {
	FILE *f;       /* the response's body (NULL when not asked for) */
	xf_errs errs;
} api_call;

/* Starts a call: errs, and the body's stream when stream is true. false
 * (a 500 sent) when the stream cannot be opened. */
bool api_call_start(api_ctx *c, api_call *k, bool stream);
/* Ends a call that returned rc: 0 keeps what it wrote; otherwise that is
 * dropped and fail answers. errs are cleaned up. Returns rc. */
int api_call_end(api_ctx *c, api_call *k, int rc, api_fail_fn fail, const char *invalid);

/* ---- downloads ---- */

#define API_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* A private folder a file is written into before it is sent. */
typedef struct api_tmp {
	char dir[64];
	char path[128];
} api_tmp;

/* Makes the folder ($TMPDIR or /tmp) and the path of `file` in it; false
 * (a 500 sent) when it cannot. */
bool api_tmp_open(api_ctx *c, api_tmp *t, const char *file);
/* Removes the file and the folder. */
void api_tmp_remove(api_tmp *t);
/* Audits the download (action on object), then sends the written file as
 * an attachment (api_disposition of ascii_name and utf8_name) and removes
 * the folder: the open file stays readable until sent. 500 when the file
 * cannot be read or the audit row not written. */
void api_tmp_send(api_ctx *c, api_tmp *t, const char *content_type, const char *ascii_name,
		  const char *utf8_name, const char *action, const char *object);
/* A Content-Disposition value, inline or attachment: filename= the ASCII
 * name (NULL: name with anything but printable ASCII, quotes and
 * backslashes as '_'), and, when name is not NULL, filename*= name in
 * UTF-8 (RFC 5987). In the arena. */
const char *api_disposition(api_ctx *c, bool inline_, const char *ascii_name, const char *name);

/* ---- reading ---- */

/* The route's {param} number i as a positive id; false (and a 404 sent)
 * when it is not one. */
bool api_param_id(api_ctx *c, int i, long long *id);
/* A query argument as an integer in [lo, hi], dflt when absent; false (and
 * a 400 naming the argument sent) when malformed or out of range. */
bool api_query_int(api_ctx *c, const char *key, long long lo, long long hi, long long dflt,
		   long long *out);
/* The year: ?year=, else the current year by the server's clock. */
bool api_query_year(api_ctx *c, int *year);

/* The search words ?q=: NULL when absent or empty; false (and a 400 sent)
 * when not UTF-8 text or longer than API_SEARCH_MAX characters. Every list
 * that searches takes them this way. */
#define API_SEARCH_MAX 100
bool api_query_search(api_ctx *c, const char **q);

/* The current year by the server's clock (local time), the default of
 * ?year=. */
int api_this_year(void);
/* The body as a JSON object (cJSON, freed by the caller with cJSON_Delete);
 * NULL (and a 400 sent) when it is not valid JSON or not an object. */
struct cJSON *api_body_object(api_ctx *c);
/* A string member of obj: NULL when absent; false (and a 400 naming the
 * field) when present but not a string or longer than max bytes. */
bool api_member_str(api_ctx *c, const struct cJSON *obj, const char *key, size_t max,
		    const char **out);

/* ?name= of an upload as a file name fit for messages and records: its
 * last path component, at most 200 bytes; dflt when absent or unfit. */
const char *api_upload_name(api_ctx *c, const char *dflt);
/* The optional body of a step (review, approve, reject): none, or a JSON
 * object whose string member key (at most max bytes) is *text, copied
 * into the arena (NULL when absent). false when the body is refused (a
 * 400 sent). */
bool api_body_text(api_ctx *c, const char *key, size_t max, const char **text);

/* The caller's unit scope for people and units: all for admins, the
 * reviewer and approver units otherwise. */
void api_scope(const api_ctx *c, xf_unit_scope *scope);

/* The cache generation for this request, after checking this worker's
 * connection for changes (once per request: later calls reuse it); false
 * when the backend cannot tell (then nothing is cached). The _fresh form
 * checks again: after computing an answer, before keeping it. */
bool api_generation(api_ctx *c, uint64_t *gen);
bool api_generation_fresh(api_ctx *c, uint64_t *gen);

/* Serves the cached answer for key when there is one at the current
 * generation (true: answered). Otherwise *gen receives the generation to
 * pass to api_cache_answer after computing the answer. */
bool api_cached(api_ctx *c, const char *key, uint64_t *gen, bool *cacheable);
/* Keeps the answer just written for key, if the database did not change
 * while it was computed (the generation is still gen) and it is a 200. */
void api_cache_answer(api_ctx *c, const char *key, uint64_t gen, bool cacheable);

/* Writes a compact copy of a JSON value as text into the arena (for audit
 * rows). */
char *api_json_text(api_ctx *c, const struct cJSON *v);

/* The display name of the caller for audit rows ("cli" outside HTTP). */
const char *api_actor(const api_ctx *c);

/* Handlers, by file. */
void api_login(api_ctx *c);
void api_logout(api_ctx *c);
void api_me(api_ctx *c);
void api_me_password(api_ctx *c);
void api_me_credits(api_ctx *c);
void api_person_credits(api_ctx *c);
void api_unit_summary(api_ctx *c);
void api_people_list(api_ctx *c);
void api_person_get(api_ctx *c);
void api_person_update(api_ctx *c);
void api_person_periods(api_ctx *c);
void api_person_flags(api_ctx *c);
void api_person_reveal(api_ctx *c);
void api_units_tree(api_ctx *c);
void api_unit_get(api_ctx *c);
void api_users_list(api_ctx *c);
void api_users_add(api_ctx *c);
void api_user_roles(api_ctx *c);
void api_user_active(api_ctx *c);
void api_user_password(api_ctx *c);
void api_audit_list(api_ctx *c);
void api_import(api_ctx *c);
void api_export_results(api_ctx *c);
void api_export_template(api_ctx *c);
void api_export_case(api_ctx *c);
void api_assess(api_ctx *c);
void api_assess_results(api_ctx *c);
void api_health(api_ctx *c);
void api_export_quarterly(api_ctx *c);

/* api_notices.c */
void api_me_notices(api_ctx *c);
void api_me_notices_read(api_ctx *c);

/* api_scorecards.c */
void api_me_scorecard(api_ctx *c);
void api_me_scorecard_put(api_ctx *c);
void api_me_scorecard_submit(api_ctx *c);
void api_person_scorecard(api_ctx *c);
void api_person_scorecard_put(api_ctx *c);
void api_scorecards_list(api_ctx *c);

/* api_claims.c */
void api_claim_items(api_ctx *c);
void api_claims_batch(api_ctx *c);
void api_claims_list(api_ctx *c);
void api_claim_create(api_ctx *c);
void api_claim_get(api_ctx *c);
void api_claim_update(api_ctx *c);
void api_claim_submit(api_ctx *c);
void api_claim_withdraw(api_ctx *c);
void api_claim_review(api_ctx *c);
void api_claim_approve(api_ctx *c);
void api_claim_reject(api_ctx *c);
void api_claim_preview(api_ctx *c);
void api_evidence_upload(api_ctx *c);
void api_evidence_delete(api_ctx *c);
void api_evidence_get(api_ctx *c);

/* api_activities.c */
void api_activities_list(api_ctx *c);
void api_activity_create(api_ctx *c);
void api_activity_get(api_ctx *c);
void api_activity_update(api_ctx *c);
void api_activity_submit(api_ctx *c);
void api_activity_withdraw(api_ctx *c);
void api_activity_review(api_ctx *c);
void api_activity_approve(api_ctx *c);
void api_activity_reject(api_ctx *c);
void api_activity_attendance(api_ctx *c);
void api_activity_attendance_upload(api_ctx *c);
void api_activity_records(api_ctx *c);

/* api_publish.c */
void api_calendars_list(api_ctx *c);
void api_calendar_put(api_ctx *c);
void api_publications_list(api_ctx *c);
void api_publication_create(api_ctx *c);
void api_publication_get(api_ctx *c);
void api_objections_list(api_ctx *c);
void api_objection_create(api_ctx *c);
void api_publication_archive(api_ctx *c);
void api_publication_export(api_ctx *c);
void api_objection_resolve(api_ctx *c);

/* api_policy.c (the web UI: docs/api.md) */
void api_policies_list(api_ctx *c);
void api_policy_get(api_ctx *c);

#endif
