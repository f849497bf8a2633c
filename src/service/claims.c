/* claims: the claim state machine and the rows of its evidence files
 * (see claims.h; the form's checks are in claims_form.c, the JSON views
 * in claims_view.c, the preview in claims_preview.c).
 *
 * Choices worth knowing:
 *   - Checks run in a fixed order, so that an answer never tells more
 *     than the caller may know: visible (else NOT_FOUND) -> the claim's
 *     state (CONFLICT) -> the caller's role for that step (FORBIDDEN) ->
 *     not the claimant, not the step-1 reviewer (FORBIDDEN) -> the archive
 *     (ARCHIVED).
 *   - The state read before a change is only advisory: the change itself
 *     is guarded by `WHERE status = <what was read>` (RETURNING id tells
 *     whether a row changed), so two approvers racing get one success and
 *     one CONFLICT, and the loser writes nothing.
 *   - Fields are stored as canonical JSON (claims_form.c's own, in field
 *     order, only the fields given), so reading them back never meets
 *     anything unexpected.
 *   - A removed evidence file loses its rows; its stored content stays on
 *     disk (content-addressed: another row may use it, and it is kept for
 *     the audit). */
#include "service/claims.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "io/jsonw.h"
#include "service/notices.h"
#include "store/data.h"
#include "store/query.h"
#include "store/schema.h"

#define BIND_MSG XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")
#define CONFLICT_MSG "该申报已被他人处理，请刷新后重试"
#define NOTE_MAX_CHARS 500
#define FILES_MAX 20            /* evidence files a claim */
#define BATCH_MAX 200

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

static long long now_s(void)
{
	return (long long)xf_clock_now();
}

/* ---- writing ---- */

/* A small JSON object as text, for audit rows: keys and string values
 * (NULL values skipped), NULL-ended pairs. Caller frees. */
static char *json_pairs(const char *const *kv)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && kv[i]; i += 2)
		if (kv[i + 1] && !cJSON_AddStringToObject(o, kv[i], kv[i + 1])) {
			cJSON_Delete(o);
			return NULL;
		}
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	return s;
}

/* One claim_events row. */
static int event_add(xf_store *s, const xf_principal *who, long long id, const char *from,
		     const char *to, const char *note, xf_errs *errs)
{
	return xf_query_exec(s,
			     "INSERT INTO claim_events (claim_id, at, user_id, from_status, to_status, note)"
			     " VALUES ($1, $2, $3, $4, $5, $6)",
			     errs, BIND_MSG, XF_IN(id), XF_IN(now_s()), XF_IN(who->user_id), XF_IN(from),
			     XF_IN(to), XF_IN(note));
}

/* One audit row on claim:id; before/after JSON text or NULL. */
static int audit_add(xf_store *s, const xf_principal *who, long long id, const char *action,
		     const char *before, const char *after, xf_errs *errs)
{
	char object[48];
	snprintf(object, sizeof(object), "claim:%lld", id);
	xf_audit_entry e = {who->username, action, object, before, after};
	return xf_store_audit(s, &e, errs);
}

/* One audit row whose before/after are the pairs given (json_pairs; NULL:
 * none). */
static int audit_pairs(xf_store *s, const xf_principal *who, long long id, const char *action,
		       const char *const *before_kv, const char *const *after_kv, xf_errs *errs)
{
	char *before = before_kv ? json_pairs(before_kv) : NULL;
	char *after = after_kv ? json_pairs(after_kv) : NULL;
	int rc = -1;
	if ((before_kv && before == NULL) || (after_kv && after == NULL))
		oom(errs);
	else
		rc = audit_add(s, who, id, action, before, after, errs);
	cJSON_free(before);
	cJSON_free(after);
	return rc;
}

/* One claim_events row and one audit row for a transition. */
static int log_transition(xf_store *s, const xf_principal *who, long long id, const char *action,
			  const char *from, const char *to, const char *note, xf_errs *errs)
{
	const char *before_kv[] = {"status", from, NULL};
	const char *after_kv[] = {"status", to, "note", note, NULL};
	if (event_add(s, who, id, from, to, note, errs) != 0)
		return -1;
	return audit_pairs(s, who, id, action, from ? before_kv : NULL, after_kv, errs);
}

/* Whether (person, date) lies in an archived 公示 period. */
static int archived(xf_store *s, long long person_id, const char *date, bool *out, xf_errs *errs)
{
	*out = false;
	return xf_query_row(s, "SELECT 1 WHERE " XF_ARCHIVED_SQL("$1", "$2"), errs, BIND_MSG,
			    XF_IN(person_id), XF_IN(date), XF_OUT(out)) < 0 ? -1 : 0;
}

/* ARCHIVED when the claim's date lies in an archived 公示 period. */
static int check_archived(xf_store *s, const xf_claim_row *r, xf_errs *errs)
{
	xf_claim_facts f;
	bool a;
	if (xf_claim_facts_parse(r->fields, &f, errs) != 0 ||
	    archived(s, r->person_id, f.date, &a, errs) != 0)
		return -1;
	if (a) {
		xf_errs_add(errs, "该期间已归档，记录不能再修改（%s 所在的公示期已归档）", f.date);
		return XF_CLAIM_ARCHIVED;
	}
	return 0;
}

/* Runs the guarded UPDATE (sql returns the id when a row changed):
 * 0, CONFLICT (no row changed), -1. */
static int guarded(int rc, xf_errs *errs)
{
	if (rc == 1)
		xf_errs_add(errs, CONFLICT_MSG);
	return rc == 1 ? XF_CLAIM_CONFLICT : rc;
}

/* Marks the claim changed (its files), guarded by the state read: 0,
 * CONFLICT, -1. */
static int touch(xf_store *s, const xf_claim_row *r, long long now, xf_errs *errs)
{
	long long changed = 0;
	return guarded(xf_query_row(s,
				    "UPDATE claims SET updated_at = $3 WHERE id = $1 AND status = $2"
				    " RETURNING id",
				    errs, BIND_MSG, XF_IN(r->id), XF_IN(r->status), XF_IN(now),
				    XF_OUT(&changed)),
		       errs);
}

/* Opens a transaction, or -1. */
static int begin(xf_store *s, xf_errs *errs)
{
	return xf_store_begin(s, errs) == 0 ? 0 : -1;
}

/* Commits when rc is 0, else rolls back; returns rc (-1 when the commit
 * fails). */
static int finish(xf_store *s, int rc, xf_errs *errs)
{
	if (rc == 0 && xf_store_commit(s, errs) == 0)
		return 0;
	xf_store_rollback(s);
	return rc == 0 ? -1 : rc;
}

static cJSON *parse_body(const char *json, xf_errs *errs)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		xf_errs_add(errs, "请求内容应为 JSON 对象 (a JSON object was expected)");
		return NULL;
	}
	return o;
}

/* Loads claim id for a change by its claimant: visible (else NOT_FOUND),
 * the caller's own (else FORBIDDEN: "只有申报人本人可以<what>") and, when
 * from is not NULL, in one of its states (else CONFLICT: doing). 0 with
 * *r read; otherwise *r is empty. */
static int claimant_load(xf_store *s, const xf_principal *who, long long id, const char *what,
			 const char *const *from, const char *doing, xf_claim_row *r, xf_errs *errs)
{
	int rc = xf_claim_load_visible(s, who, id, r, errs);
	if (rc != 0)
		return rc;
	if (!xf_claim_is_claimant(who, r)) {
		xf_errs_add(errs, "只有申报人本人可以%s", what);
		rc = XF_CLAIM_FORBIDDEN;
	} else if (from) {
		rc = xf_claim_need_status(r, from, doing, errs);
	}
	if (rc != 0)
		xf_claim_row_cleanup(r);
	return rc;
}

int xf_claim_create(xf_store *s, const xf_principal *who, const char *json, long long *id,
		    xf_errs *errs)
{
	xf_claim_content c = {0};
	long long unit_id = 0, new_id = 0;
	char *after = NULL;
	int rc;
	*id = 0;
	if (who->person_id <= 0) {
		xf_errs_add(errs, "您的账号没有关联人员，不能申报学分；请联系管理员关联");
		return XF_CLAIM_FORBIDDEN;
	}
	cJSON *body = parse_body(json, errs);
	if (body == NULL)
		return -1;
	rc = xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1 AND active = 1", errs, BIND_MSG,
			  XF_IN(who->person_id), XF_OUT(&unit_id));
	if (rc == 1) {
		xf_errs_add(errs, "您关联的人员已不在册，不能申报学分");
		rc = XF_CLAIM_FORBIDDEN;
	}
	if (rc == 0)
		rc = xf_claim_content_build(s, unit_id, body, NULL, &c, errs);
	if (rc != 0)
		goto out;
	after = xf_claim_content_json(&c, "draft");
	if (after == NULL) {
		oom(errs);
		rc = -1;
		goto out;
	}
	if (begin(s, errs) != 0) {
		rc = -1;
		goto out;
	}
	long long now = now_s();
	rc = xf_query_row(s,
			  "INSERT INTO claims (person_id, year, item, form, status, fields, details,"
			  " activity_id, created_by, created_at, updated_at)"
			  " VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $9) RETURNING id",
			  errs, BIND_MSG, XF_IN(who->person_id), XF_IN(c.year), XF_IN(c.item),
			  XF_IN(c.form), XF_IN(c.fields), XF_IN(c.details),
			  c.activity_id > 0 ? XF_IN(c.activity_id) : XF_IN_NULL, XF_IN(who->user_id),
			  XF_IN(now), XF_OUT(&new_id));
	if (rc == 1)
		rc = -1;
	if (rc == 0)
		rc = event_add(s, who, new_id, NULL, "draft", NULL, errs);
	if (rc == 0)
		rc = audit_add(s, who, new_id, "claim.create", NULL, after, errs);
	rc = finish(s, rc, errs);
	if (rc == 0)
		*id = new_id;
out:
	cJSON_free(after);
	xf_claim_content_cleanup(&c);
	cJSON_Delete(body);
	return rc;
}

/* The states a claimant may change a claim's content (and files) in. */
static const char *const EDITABLE[] = {"draft", "rejected", NULL};

int xf_claim_update(xf_store *s, const xf_principal *who, long long id, const char *json,
		    xf_errs *errs)
{
	xf_claim_row r;
	xf_claim_content c = {0};
	char *after = NULL, *before = NULL;
	cJSON *body = parse_body(json, errs);
	if (body == NULL)
		return -1;
	int rc = claimant_load(s, who, id, "修改申报", EDITABLE, "修改", &r, errs);
	if (rc == 0)
		rc = xf_claim_content_build(s, r.unit_id, body, &r, &c, errs);
	if (rc != 0)
		goto out;
	after = xf_claim_content_json(&c, "draft");
	before = xf_claim_row_json(&r);
	if (after == NULL || before == NULL) {
		oom(errs);
		rc = -1;
		goto out;
	}
	if (begin(s, errs) != 0) {
		rc = -1;
		goto out;
	}
	long long changed = 0;
	rc = guarded(xf_query_row(s,
				  "UPDATE claims SET item = $3, form = $4, fields = $5, details = $6,"
				  " activity_id = $7, year = $8, status = 'draft', updated_at = $9"
				  " WHERE id = $1 AND status = $2 RETURNING id",
				  errs, BIND_MSG, XF_IN(id), XF_IN(r.status), XF_IN(c.item), XF_IN(c.form),
				  XF_IN(c.fields), XF_IN(c.details),
				  c.activity_id > 0 ? XF_IN(c.activity_id) : XF_IN_NULL, XF_IN(c.year),
				  XF_IN(now_s()), XF_OUT(&changed)),
		     errs);
	/* rejected -> draft is a transition: the history shows it. */
	if (rc == 0 && strcmp(r.status, "draft") != 0)
		rc = event_add(s, who, id, r.status, "draft", NULL, errs);
	if (rc == 0)
		rc = audit_add(s, who, id, "claim.update", before, after, errs);
	rc = finish(s, rc, errs);
out:
	cJSON_free(after);
	cJSON_free(before);
	xf_claim_content_cleanup(&c);
	xf_claim_row_cleanup(&r);
	cJSON_Delete(body);
	return rc;
}

/* ---- the transitions ---- */

static long long evidence_count(xf_store *s, long long id, xf_errs *errs)
{
	long long n = 0;
	if (xf_query_row(s, "SELECT COUNT(*) FROM claim_evidence WHERE claim_id = $1", errs, BIND_MSG,
			 XF_IN(id), XF_OUT(&n)) < 0)
		return -1;
	return n;
}

/* Submit's own check: complete against the policy as it is now — the
 * item's required fields, the form's text, a file for a publication.
 * 0, INVALID (every gap named), -1. */
static int submit_complete(xf_store *s, const xf_principal *who, const xf_claim_row *r,
			   xf_errs *errs)
{
	xf_claim_item_ref cp = {0};
	xf_claim_facts f;
	(void)who;
	int rc = xf_claim_item_ref_get(s, r->unit_id, r->year, r->item, &cp, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	if (xf_claim_facts_parse(r->fields, &f, errs) != 0)
		goto out;
	int missing = xf_claim_facts_missing(cp.p, cp.item, &f, errs) +
		      xf_claim_details_missing(r->form, r->details, errs);
	xf_claim_item_info info;
	xf_claim_item_fields(cp.p, cp.item, &info);
	if (info.needs_evidence) {
		long long n = evidence_count(s, r->id, errs);
		if (n < 0)
			goto out;
		if (n == 0) {
			xf_errs_add(errs, "evidence：“%s”须上传刊登或采纳的证明材料（至少一个文件）",
				    cp.p->items[cp.item].name);
			missing++;
		}
	}
	rc = missing ? XF_CLAIM_INVALID : 0;
out:
	xf_claim_item_ref_cleanup(&cp);
	return rc;
}

/* Approve's own check: step 2 is somebody else's than step 1. */
static int not_reviewer(xf_store *s, const xf_principal *who, const xf_claim_row *r,
			xf_errs *errs)
{
	(void)s;
	if (r->reviewed_by != who->user_id)
		return 0;
	xf_errs_add(errs, "您已审核过该申报，审批须由另一位领导进行");
	return XF_CLAIM_FORBIDDEN;
}

/* A note or reason: at most 500 characters (reason: at least 1). */
static int note_check(const char *text, bool required, const char *key, const char *label,
		      xf_errs *errs)
{
	long chars = text ? xf_utf8_chars(text) : 0;
	if (chars < 0 || chars > NOTE_MAX_CHARS || (required && chars == 0)) {
		xf_errs_add(errs, "%s：%s%s应为 %d 到 %d 个字符", key, required ? "请填写" : "", label,
			    required ? 1 : 0, NOTE_MAX_CHARS);
		return XF_CLAIM_INVALID;
	}
	return 0;
}

/* Staff's checks for a step: the caller has role over the claimant's unit
 * (FORBIDDEN otherwise), and is not the claimant. */
static int staff_check(const xf_principal *who, const xf_claim_row *r, unsigned role,
		       const char *doing, xf_errs *errs)
{
	if (!xf_claim_has_role_unit(who, role, r->unit_id)) {
		xf_errs_add(errs, "您不是该申报人所在单位的%s，不能%s",
			    role == XF_ROLE_REVIEWER ? "审核人（科室负责人）" : "审批人（分管领导）", doing);
		return XF_CLAIM_FORBIDDEN;
	}
	if (xf_claim_is_claimant(who, r)) {
		xf_errs_add(errs, "不能%s自己的申报", doing);
		return XF_CLAIM_FORBIDDEN;
	}
	return 0;
}

/* The item's name for a notice ("学习培训"), or the key. */
static void item_title(xf_store *s, const xf_claim_row *r, char *out, size_t size)
{
	xf_claim_item_ref cp;
	xf_errs e;
	xf_errs_init(&e);
	snprintf(out, size, "%s", r->item);
	if (xf_claim_item_ref_get(s, r->unit_id, r->year, r->item, &cp, &e) == 0)
		snprintf(out, size, "%s", cp.p->items[cp.item].name);
	xf_claim_item_ref_cleanup(&cp);
	xf_errs_cleanup(&e);
}

/* A notice's text from fmt with four %s: the item's title, the caller's
 * name, a lead-in and the note — each cut at a character (notes are at
 * most 500 characters, so they fit). */
static void notice_body(char *out, size_t size, const char *fmt, const char *title,
			const xf_principal *who, const char *lead, const char *note)
{
	char t[128], n[96], x[1600];
	const char *name = who->display_name ? who->display_name : who->username;
	snprintf(out, size, fmt, xf_claim_clip(title, 100, t, sizeof(t)),
		 xf_claim_clip(name, 60, n, sizeof(n)), lead,
		 xf_claim_clip(note ? note : "", 1500, x, sizeof(x)));
}

static int notify(xf_store *s, const xf_claim_row *r, const char *kind, const char *title,
		  const char *body, xf_errs *errs)
{
	char object[48];
	snprintf(object, sizeof(object), "claim:%lld", r->id);
	return xf_notice_add(s, r->person_id, kind, title, body, object, errs);
}

/* The record row of an approved claim (strings point into facts and
 * activity). */
static xf_record_row record_of(const xf_claim_row *r, const xf_claim_facts *f, const char *activity)
{
	xf_record_row row = {
		.item = r->item,
		.date = f->date,
		.level = f->level[0] ? f->level : NULL,
		.kind = f->kind[0] ? f->kind : NULL,
		.activity = activity,
		.count = f->count,
		.days = f->days,
		.months = f->months,
		.hours = f->hours,
		.minutes = f->minutes,
		.attended_minutes = f->attended_minutes,
		.score = f->score,
		.credits = f->credits,
		.passed = f->passed,
		.completed = f->completed,
		.online = f->online,
		.approved = -1,
		.awarded = f->awarded,
		.speaker = f->speaker,
	};
	return row;
}

/* Inserts the approved claim's record, links both ways. */
static int add_record(xf_store *s, const xf_claim_row *r, xf_errs *errs)
{
	xf_claim_facts f;
	char *activity = NULL;
	long long record_id = 0;
	int rc;
	xf_data *d = NULL;
	if (xf_claim_facts_parse(r->fields, &f, errs) != 0)
		return -1;
	if (r->activity_id > 0) {
		int a = xf_claim_activity_check(s, r->activity_id, NULL, &activity, errs);
		if (a != 0)
			return a < 0 ? -1 : XF_CLAIM_INVALID;
	}
	rc = check_archived(s, r, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	d = xf_data_new(s, errs);
	xf_record_row row = record_of(r, &f, activity);
	if (d == NULL || xf_data_next_record_id(d, r->person_id, &record_id, errs) != 0 ||
	    xf_data_add_record_at(d, r->person_id, record_id, &row, 0, errs) != 0 ||
	    xf_query_exec(s, "UPDATE records SET claim_id = $3 WHERE person_id = $1 AND id = $2", errs,
			  BIND_MSG, XF_IN(r->person_id), XF_IN(record_id), XF_IN(r->id)) != 0 ||
	    xf_query_exec(s, "UPDATE claims SET record_id = $2 WHERE id = $1", errs, BIND_MSG,
			  XF_IN(r->id), XF_IN(record_id)) != 0)
		goto out;
	rc = 0;
out:
	xf_data_free(d);
	free(activity);
	return rc;
}

/* One step of the state machine: who takes it, from where to where, what
 * it checks on the way and what it writes. */
typedef struct claim_step {
	const char *action;        /* the audit row's */
	const char *const *from;   /* the states it leaves (NULL-ended) */
	const char *to;
	const char *doing;         /* "审核": the refusals name it */
	const char *own;           /* the claimant's step: "提交申报" (only they may); NULL: staff's */
	unsigned role;             /* staff's: the role over the claimant's unit; 0: by the state */
	const char *text_key, *text_label; /* the note or reason it takes; NULL: none */
	bool text_required;
	/* more refusals, after who and the state (NULL: none) */
	int (*check)(xf_store *s, const xf_principal *who, const xf_claim_row *r, xf_errs *errs);
	bool archive;              /* refused when the date lies in an archived 公示 period */
	/* The guarded change: $1 the id, $2 the state read, $3 now, then as
	 * many of $4 the caller's user id and $5 the text as nparams says. */
	const char *sql;
	int nparams;
	int (*write)(xf_store *s, const xf_claim_row *r, xf_errs *errs); /* more rows (approve's record) */
	const char *notice_kind, *notice_title, *notice_fmt, *notice_lead; /* the claimant's notice */
} claim_step;

enum { STEP_SUBMIT, STEP_WITHDRAW, STEP_REVIEW, STEP_APPROVE, STEP_REJECT };

static const char *const FROM_DRAFT[] = {"draft", NULL};
static const char *const FROM_OPEN[] = {"draft", "submitted", "reviewed", "rejected", NULL};
static const char *const FROM_SUBMITTED[] = {"submitted", NULL};
static const char *const FROM_REVIEWED[] = {"reviewed", NULL};
static const char *const FROM_PENDING[] = {"submitted", "reviewed", NULL};

static const claim_step STEPS[] = {
	[STEP_SUBMIT] = {
		.action = "claim.submit", .from = FROM_DRAFT, .to = "submitted", .doing = "提交",
		.own = "提交申报", .check = submit_complete, .archive = true,
		.sql = "UPDATE claims SET status = 'submitted', submitted_at = $3, updated_at = $3,"
		       " reviewed_by = NULL, reviewed_at = NULL, rejected_by = NULL,"
		       " rejected_at = NULL, reject_reason = NULL"
		       " WHERE id = $1 AND status = $2 RETURNING id",
		.nparams = 3,
	},
	[STEP_WITHDRAW] = {
		.action = "claim.withdraw", .from = FROM_OPEN, .to = "withdrawn", .doing = "撤回",
		.own = "撤回申报",
		.sql = "UPDATE claims SET status = 'withdrawn', updated_at = $3"
		       " WHERE id = $1 AND status = $2 RETURNING id",
		.nparams = 3,
	},
	[STEP_REVIEW] = {
		.action = "claim.review", .from = FROM_SUBMITTED, .to = "reviewed", .doing = "审核",
		.role = XF_ROLE_REVIEWER, .text_key = "note", .text_label = "审核意见",
		.archive = true,
		.sql = "UPDATE claims SET status = 'reviewed', reviewed_by = $4, reviewed_at = $3,"
		       " updated_at = $3 WHERE id = $1 AND status = $2 RETURNING id",
		.nparams = 4,
		.notice_kind = XF_NOTICE_CLAIM_REVIEWED, .notice_title = "您的学分申报已通过审核",
		.notice_fmt = "您申报的“%s”已由%s审核通过，等待分管领导审批。%s%s",
		.notice_lead = "审核意见：",
	},
	[STEP_APPROVE] = {
		.action = "claim.approve", .from = FROM_REVIEWED, .to = "approved", .doing = "审批",
		.role = XF_ROLE_APPROVER, .text_key = "note", .text_label = "审批意见",
		.check = not_reviewer, .archive = true,
		.sql = "UPDATE claims SET status = 'approved', approved_by = $4, approved_at = $3,"
		       " updated_at = $3 WHERE id = $1 AND status = $2 RETURNING id",
		.nparams = 4, .write = add_record,
		.notice_kind = XF_NOTICE_CLAIM_APPROVED, .notice_title = "您的学分申报已通过审批",
		.notice_fmt = "您申报的“%s”已由%s审批通过，已记入学分。%s%s",
		.notice_lead = "审批意见：",
	},
	[STEP_REJECT] = {
		/* step 1 is the reviewer's to reject, step 2 the approver's */
		.action = "claim.reject", .from = FROM_PENDING, .to = "rejected", .doing = "驳回",
		.text_key = "reason", .text_label = "驳回理由", .text_required = true,
		.sql = "UPDATE claims SET status = 'rejected', rejected_by = $4, rejected_at = $3,"
		       " reject_reason = $5, updated_at = $3"
		       " WHERE id = $1 AND status = $2 RETURNING id",
		.nparams = 5,
		.notice_kind = XF_NOTICE_CLAIM_REJECTED, .notice_title = "您的学分申报被驳回",
		.notice_fmt = "您申报的“%s”被%s驳回。%s%s", .notice_lead = "理由：",
	},
};

/* Who may take step t on r, in the order that tells the caller no more
 * than they may know: the claimant's step checks who before the state,
 * staff's the state before who (the role by the state for a rejection). */
static int step_allowed(const xf_principal *who, const xf_claim_row *r, const claim_step *t,
			xf_errs *errs)
{
	if (t->own) {
		if (!xf_claim_is_claimant(who, r)) {
			xf_errs_add(errs, "只有申报人本人可以%s", t->own);
			return XF_CLAIM_FORBIDDEN;
		}
		return xf_claim_need_status(r, t->from, t->doing, errs);
	}
	int rc = xf_claim_need_status(r, t->from, t->doing, errs);
	if (rc != 0)
		return rc;
	unsigned role = t->role ? t->role
				: strcmp(r->status, "submitted") == 0 ? XF_ROLE_REVIEWER : XF_ROLE_APPROVER;
	return staff_check(who, r, role, t->doing, errs);
}

/* Takes step t on claim id with text (the note or reason; NULL): checks,
 * then in one transaction the guarded change, the step's own rows, the
 * history and audit rows and the claimant's notice. */
static int step_run(xf_store *s, const xf_principal *who, long long id, const claim_step *t,
		    const char *text, xf_errs *errs)
{
	xf_claim_row r;
	char title[160], body[2048] = "";
	int rc = t->text_key ? note_check(text, t->text_required, t->text_key, t->text_label, errs)
			     : 0;
	if (rc != 0)
		return rc;
	rc = xf_claim_load_visible(s, who, id, &r, errs);
	if (rc != 0)
		return rc;
	rc = step_allowed(who, &r, t, errs);
	if (rc == 0 && t->check)
		rc = t->check(s, who, &r, errs);
	if (rc == 0 && t->archive)
		rc = check_archived(s, &r, errs);
	if (rc != 0)
		goto out;
	if (t->notice_kind) {
		item_title(s, &r, title, sizeof(title));
		notice_body(body, sizeof(body), t->notice_fmt, title, who,
			    text && *text ? t->notice_lead : "", text);
	}
	if (begin(s, errs) != 0) {
		rc = -1;
		goto out;
	}
	/* The parameters the step's SQL takes (the first nparams of them),
	 * then the id it returns. */
	long long changed = 0;
	xf_qarg args[] = {BIND_MSG, XF_IN(id), XF_IN(r.status), XF_IN(now_s()),
			  XF_IN(who->user_id), XF_IN(text), XF_QEND, XF_QEND};
	args[1 + t->nparams] = XF_OUT(&changed);
	args[2 + t->nparams] = XF_QEND;
	rc = guarded(xf_query_row_args(s, t->sql, errs, args), errs);
	if (rc == 0 && t->write)
		rc = t->write(s, &r, errs);
	if (rc == 0)
		rc = log_transition(s, who, id, t->action, r.status, t->to, text, errs);
	if (rc == 0 && t->notice_kind)
		rc = notify(s, &r, t->notice_kind, t->notice_title, body, errs);
	rc = finish(s, rc, errs);
out:
	xf_claim_row_cleanup(&r);
	return rc;
}

int xf_claim_submit(xf_store *s, const xf_principal *who, long long id, xf_errs *errs)
{
	return step_run(s, who, id, &STEPS[STEP_SUBMIT], NULL, errs);
}

int xf_claim_withdraw(xf_store *s, const xf_principal *who, long long id, xf_errs *errs)
{
	return step_run(s, who, id, &STEPS[STEP_WITHDRAW], NULL, errs);
}

int xf_claim_review(xf_store *s, const xf_principal *who, long long id, const char *note,
		    xf_errs *errs)
{
	return step_run(s, who, id, &STEPS[STEP_REVIEW], note, errs);
}

int xf_claim_approve(xf_store *s, const xf_principal *who, long long id, const char *note,
		     xf_errs *errs)
{
	return step_run(s, who, id, &STEPS[STEP_APPROVE], note, errs);
}

int xf_claim_reject(xf_store *s, const xf_principal *who, long long id, const char *reason,
		    xf_errs *errs)
{
	return step_run(s, who, id, &STEPS[STEP_REJECT], reason, errs);
}

/* ---- bulk review ---- */

static const char *rc_code(int rc)
{
	switch (rc) {
	case XF_CLAIM_NOT_FOUND: return "not_found";
	case XF_CLAIM_INVALID: return "invalid";
	case XF_CLAIM_FORBIDDEN: return "forbidden";
	case XF_CLAIM_CONFLICT: return "conflict";
	case XF_CLAIM_ARCHIVED: return "archived";
	case XF_CLAIM_UNSUPPORTED: return "unsupported_type";
	default: return "internal";
	}
}

int xf_claims_batch_json(xf_store *s, const xf_principal *who, const char *json, FILE *f,
			 xf_errs *errs)
{
	cJSON *body = parse_body(json, errs);
	if (body == NULL)
		return -1;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(body, "action");
	const cJSON *note = cJSON_GetObjectItemCaseSensitive(body, "note");
	int n = cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : 0;
	bool approve = cJSON_IsString(action) && strcmp(action->valuestring, "approve") == 0;
	bool review = cJSON_IsString(action) && strcmp(action->valuestring, "review") == 0;
	int rc = -1;
	if (!cJSON_IsArray(ids) || n < 1 || n > BATCH_MAX)
		xf_errs_add(errs, "ids：应为 1 到 %d 个申报编号的数组", BATCH_MAX);
	if (!approve && !review)
		xf_errs_add(errs, "action：应为 review（审核）或 approve（审批）");
	if (note && !cJSON_IsNull(note) && !cJSON_IsString(note))
		xf_errs_add(errs, "note：应为文字");
	const cJSON *id;
	const cJSON *list = cJSON_IsArray(ids) ? ids : NULL;
	cJSON_ArrayForEach(id, list) {
		if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 9e15 ||
		    id->valuedouble != floor(id->valuedouble)) {
			xf_errs_add(errs, "ids：每一项应为申报编号（正整数）");
			break;
		}
	}
	if (errs->n > 0)
		goto out;
	const char *text = cJSON_IsString(note) ? note->valuestring : NULL;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "action", approve ? "approve" : "review");
	xf_jw_key(&w, "results");
	xf_jw_arr(&w);
	cJSON_ArrayForEach(id, ids) {
		long long cid = (long long)id->valuedouble;
		xf_errs e;
		xf_errs_init(&e);
		int r = approve ? xf_claim_approve(s, who, cid, text, &e)
				: xf_claim_review(s, who, cid, text, &e);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", cid);
		xf_jw_kbool(&w, "ok", r == 0);
		if (r != 0) {
			xf_jw_kstr(&w, "code", r < 0 && !e.internal ? "invalid" : rc_code(r));
			xf_jw_kstr(&w, "message",
				   r == XF_CLAIM_NOT_FOUND ? "未找到该申报，或您无权查看"
				   : e.internal || r < 0   ? "服务器内部错误，请稍后重试"
				   : e.n > 0               ? e.msgs[0]
							   : "操作未完成");
			if (e.internal)
				xf_errs_print(&e, "xuefen serve: claims batch: ", stderr);
		}
		xf_jw_obj_end(&w);
		xf_errs_cleanup(&e);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	cJSON_Delete(body);
	return rc;
}

/* ---- evidence files ---- */

int xf_claim_evidence_add(xf_store *s, const xf_principal *who, long long claim_id,
			  const char *dir, const void *data, size_t len, const char *raw_name,
			  long long *file_id, xf_errs *errs)
{
	xf_claim_row r;
	xf_evidence_type type;
	char name[XF_EVIDENCE_NAME_MAX + 1], sha[XF_EVIDENCE_SHA_HEX], rel[XF_EVIDENCE_REL_MAX];
	*file_id = 0;
	int rc = claimant_load(s, who, claim_id, "上传证明材料", EDITABLE,
			       "上传证明材料（请先修改为草稿）", &r, errs);
	if (rc != 0)
		return rc;
	long long n = evidence_count(s, claim_id, errs);
	if (n < 0) {
		rc = -1;
		goto out;
	}
	if (n >= FILES_MAX) {
		xf_errs_add(errs, "evidence：每项申报最多 %d 个证明材料文件", FILES_MAX);
		rc = XF_CLAIM_INVALID;
		goto out;
	}
	if (len == 0) {
		xf_errs_add(errs, "请上传文件（请求内容为空）");
		rc = XF_CLAIM_INVALID;
		goto out;
	}
	if (xf_evidence_check(data, len, raw_name, raw_name ? strlen(raw_name) : 0, &type, name,
			      errs) != 0) {
		rc = XF_CLAIM_UNSUPPORTED;
		goto out;
	}
	/* The content goes to disk first: a failed transaction leaves at most
	 * an unused file, never a row without its content. In the database it
	 * goes in with the rows. */
	if (dir == NULL) {
		xf_evidence_sha256(data, len, sha);
		snprintf(rel, sizeof(rel), "%s", XF_EVIDENCE_IN_DB);
	} else if (xf_evidence_store(dir, data, len, sha, rel, errs) != 0) {
		rc = -1;
		goto out;
	}
	if (begin(s, errs) != 0) {
		rc = -1;
		goto out;
	}
	long long now = now_s(), fid = 0;
	rc = touch(s, &r, now, errs);
	if (rc == 0 && dir == NULL && xf_store_blob_put(s, sha, data, len, errs) != 0)
		rc = -1;
	if (rc == 0 && xf_query_row(s,
				    "INSERT INTO evidence_files (sha256, size, mime, name, stored,"
				    " uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
				    " RETURNING id",
				    errs, BIND_MSG, XF_IN(sha), XF_IN((long long)len),
				    XF_IN(xf_evidence_mime(type, name)), XF_IN(name), XF_IN(rel),
				    XF_IN(who->user_id), XF_IN(now), XF_OUT(&fid)) != 0)
		rc = -1;
	if (rc == 0 && xf_query_exec(s, "INSERT INTO claim_evidence (claim_id, file_id) VALUES ($1, $2)",
				     errs, BIND_MSG, XF_IN(claim_id), XF_IN(fid)) != 0)
		rc = -1;
	if (rc == 0) {
		char size[32], fids[32];
		snprintf(size, sizeof(size), "%zu", len);
		snprintf(fids, sizeof(fids), "%lld", fid);
		const char *kv[] = {"file_id", fids, "file", name, "sha256", sha, "size", size,
				    "mime", xf_evidence_mime(type, name), NULL};
		rc = audit_pairs(s, who, claim_id, "claim.evidence_add", NULL, kv, errs);
	}
	rc = finish(s, rc, errs);
	if (rc == 0)
		*file_id = fid;
out:
	xf_claim_row_cleanup(&r);
	return rc;
}

int xf_claim_evidence_remove(xf_store *s, const xf_principal *who, long long claim_id,
			     long long file_id, xf_errs *errs)
{
	xf_claim_row r;
	char *name = NULL, *sha = NULL;
	/* The file before the state: a file not on the claim is not found. */
	int rc = claimant_load(s, who, claim_id, "删除证明材料", NULL, NULL, &r, errs);
	if (rc != 0)
		return rc;
	rc = xf_query_row(s,
			  "SELECT f.name, f.sha256 FROM claim_evidence ce JOIN evidence_files f"
			  " ON f.id = ce.file_id WHERE ce.claim_id = $1 AND ce.file_id = $2",
			  errs, BIND_MSG, XF_IN(claim_id), XF_IN(file_id), XF_OUT(&name), XF_OUT(&sha));
	if (rc != 0) {
		rc = rc < 0 ? -1 : XF_CLAIM_NOT_FOUND;
		goto out;
	}
	rc = xf_claim_need_status(&r, EDITABLE, "删除证明材料（请先修改为草稿）", errs);
	if (rc != 0)
		goto out;
	if (begin(s, errs) != 0) {
		rc = -1;
		goto out;
	}
	rc = touch(s, &r, now_s(), errs);
	if (rc == 0 &&
	    (xf_query_exec(s, "DELETE FROM claim_evidence WHERE claim_id = $1 AND file_id = $2", errs,
			   BIND_MSG, XF_IN(claim_id), XF_IN(file_id)) != 0 ||
	     xf_query_exec(s,
			   "DELETE FROM evidence_files WHERE id = $1 AND NOT EXISTS"
			   " (SELECT 1 FROM claim_evidence WHERE file_id = $1)",
			   errs, BIND_MSG, XF_IN(file_id)) != 0))
		rc = -1;
	if (rc == 0) {
		char fid[32];
		snprintf(fid, sizeof(fid), "%lld", file_id);
		const char *kv[] = {"file_id", fid, "file", name, "sha256", sha, NULL};
		rc = audit_pairs(s, who, claim_id, "claim.evidence_delete", kv, NULL, errs);
	}
	rc = finish(s, rc, errs);
out:
	free(name);
	free(sha);
	xf_claim_row_cleanup(&r);
	return rc;
}

int xf_evidence_find(xf_store *s, const xf_principal *who, long long file_id,
		     xf_evidence_meta *out, xf_errs *errs)
{
	long long uploaded_by = 0;
	memset(out, 0, sizeof(*out));
	int rc = xf_query_row(s,
			      "SELECT id, name, mime, sha256, stored, size, uploaded_by"
			      " FROM evidence_files WHERE id = $1",
			      errs, BIND_MSG, XF_IN(file_id), XF_OUT(&out->id),
			      XF_OUT_TEXT(out->name, sizeof(out->name)),
			      XF_OUT_TEXT(out->mime, sizeof(out->mime)),
			      XF_OUT_TEXT(out->sha256, sizeof(out->sha256)),
			      XF_OUT_TEXT(out->stored, sizeof(out->stored)), XF_OUT(&out->size),
			      XF_OUT(&uploaded_by));
	if (rc != 0)
		return rc < 0 ? -1 : XF_CLAIM_NOT_FOUND;
	if (uploaded_by == who->user_id)
		return 0;
	/* Visible through any claim it is attached to. */
	xf_stmt *st = xf_stmt_prepare(s, "SELECT claim_id FROM claim_evidence WHERE file_id = $1"
				      " ORDER BY claim_id LIMIT 100", errs);
	if (st == NULL)
		return -1;
	long long ids[100];
	size_t n = 0;
	xf_step step;
	if (xf_stmt_bind_int(st, 1, file_id) != 0) {
		xf_stmt_finalize(st);
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		errs->internal = true;
		return -1;
	}
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW && n < 100)
		ids[n++] = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	if (step == XF_STEP_ERROR)
		return -1;
	for (size_t i = 0; i < n; i++) {
		xf_claim_row r;
		int lrc = xf_claim_load_visible(s, who, ids[i], &r, errs);
		if (lrc < 0)
			return -1;
		if (lrc == 0) {
			xf_claim_row_cleanup(&r);
			return 0;
		}
	}
	memset(out, 0, sizeof(*out));
	return XF_CLAIM_NOT_FOUND;
}
