/* claims: 学分申报 (附件3) and 自学申报 (附件4) — a member's claim for a
 * credit record, its two-step review, and its evidence files
 * (docs/workflow.md, "Claims" and "Evidence files").
 *
 * States: draft -> submitted -> reviewed -> approved; submitted|reviewed ->
 * rejected (with a reason); rejected -> draft when the claimant edits;
 * draft|submitted|reviewed|rejected -> withdrawn by the claimant.
 *
 *   - A claim carries the FACTS of a record (item, date, level, minutes,
 *     ...), never credits: when it is approved the facts become a row of
 *     `records` (records.claim_id and claims.record_id link them) in the
 *     same transaction as the status change, and the engine values it like
 *     any other record.
 *   - Every transition is `UPDATE claims SET status = new ... WHERE id = ?
 *     AND status = old`: when no row changed somebody else got there first
 *     and the answer is XF_CLAIM_CONFLICT with nothing written. Each
 *     transition writes one audit row (claim.create, claim.update,
 *     claim.submit, claim.review, claim.approve, claim.reject,
 *     claim.withdraw) and one claim_events row, and notices the claimant of
 *     a review, an approval or a rejection, all in its transaction.
 *   - Who sees a claim: its claimant (always); once it has been submitted,
 *     reviewers whose review units hold the claimant's unit, approvers
 *     whose approve units hold it, and admins. Anyone else gets
 *     XF_CLAIM_NOT_FOUND, exactly as for an id that does not exist. A
 *     draft that was never submitted is the claimant's alone.
 *   - Who acts: the claimant edits, submits, withdraws and attaches files;
 *     a reviewer of the unit (not the claimant) reviews or rejects a
 *     submitted claim; an approver of the unit (not the claimant, not the
 *     step-1 reviewer) approves or rejects a reviewed one. Admins see
 *     everything but do not review or approve (separation of duties).
 *   - The claimant's policy is their unit's policy for the claim's year
 *     (own or inherited, service/scope.h XF_SCOPE_UNIT_POLICY); the year is
 *     the year of the claim's date.
 *
 * The caller is an xf_principal (service/auth.h). Results (xf_claim_rc):
 * 0 done; a positive code saying why not, with a Chinese message in errs
 * (none for NOT_FOUND); -1 a database or disk failure (errs, marked
 * internal) or a malformed request (errs, not internal). */
#ifndef XF_SERVICE_CLAIMS_H
#define XF_SERVICE_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/errs.h"
#include "policy/policy.h"
#include "service/auth.h"
#include "service/evidence.h"
#include "store/store.h"

typedef enum xf_claim_rc {
	XF_CLAIM_OK = 0,
	XF_CLAIM_NOT_FOUND = 1,   /* no such claim or file, or not visible to the caller (404) */
	XF_CLAIM_INVALID = 2,     /* fields refused: one message per problem, naming it (422) */
	XF_CLAIM_FORBIDDEN = 3,   /* visible, but not this caller's to do (403) */
	XF_CLAIM_CONFLICT = 4,    /* not in a state for it, or somebody else was first (409) */
	XF_CLAIM_ARCHIVED = 5,    /* the date lies in an archived 公示 period (409) */
	XF_CLAIM_UNSUPPORTED = 6, /* an evidence file of a type not taken (415) */
	XF_CLAIM_ERROR = -1
} xf_claim_rc;

/* ---- the facts a claim carries ---- */

typedef enum xf_claim_field {
	XF_CF_DATE,
	XF_CF_LEVEL,
	XF_CF_COUNT,
	XF_CF_DAYS,
	XF_CF_MONTHS,
	XF_CF_HOURS,
	XF_CF_MINUTES,
	XF_CF_ATTENDED_MINUTES,
	XF_CF_SCORE,
	XF_CF_PASSED,
	XF_CF_COMPLETED,
	XF_CF_ONLINE,
	XF_CF_KIND,
	XF_CF_AWARDED,
	XF_CF_SPEAKER,
	XF_CF_CREDITS,
	XF_CF_NFIELDS
} xf_claim_field;

/* "date", "level", ... "credits" (the JSON keys and record columns). */
extern const char *const xf_claim_field_names[XF_CF_NFIELDS];
/* Their Chinese labels: 日期, 级别, ... */
extern const char *const xf_claim_field_labels[XF_CF_NFIELDS];

/* What an item asks of a claim, derived from the compiled item alone. */
typedef struct xf_claim_item_info {
	bool claimable;     /* not valued by monthly metrics (per: metric) */
	uint32_t asked;     /* bit per xf_claim_field the claim may carry */
	uint32_t required;  /* of those, needed at submit (online completion aside) */
	bool self_study;    /* the 附件4 form may be used: a count-valued reading item */
	bool needs_evidence; /* a publication (category "write"): a file needed at submit */
} xf_claim_item_info;

/* The fields of item `item` of p: date always; level when the item has
 * level_points; minutes for per: class_hour, or when it excludes by
 * min_minutes or half_attended (then attended_minutes too); days for per:
 * session|day (and online for session); count for per: count; months for
 * per: month; hours for per: hour; score with min_score; passed with
 * not_passed/unless_passed; online and completed with
 * online_incomplete/not_completed; kind with excluded kinds; awarded when
 * awarded_multiplier != 1; speaker when speaker_points is set; credits for
 * per: credits. Required: date, level, months (per month), hours (per
 * hour), minutes (when asked), attended_minutes (half_attended), credits
 * (per credits), passed (unless_passed), completed (not_completed). */
void xf_claim_item_fields(const xf_policy *p, int item, xf_claim_item_info *out);

/* A claim's facts, parsed. Absent numbers are NAN, absent booleans -1,
 * absent strings "". */
typedef struct xf_claim_facts {
	uint32_t given;      /* bit per xf_claim_field present */
	char date[11];
	char level[64];
	char kind[64];
	double count, days, months, hours, minutes, attended_minutes, score, credits;
	int passed, completed, online, awarded, speaker;
} xf_claim_facts;

/* Reads the stored `fields` JSON of a claim (as this module writes it).
 * 0, or -1 with a message when it is not such an object. */
int xf_claim_facts_parse(const char *json, xf_claim_facts *out, xf_errs *errs);

/* ---- the state machine ---- */

/* Creates a draft for the caller's own person from a JSON object:
 *   {"item": "listen.training", "form": "claim"|"self_study",
 *    "fields": {"date": "2026-03-02", "level": "city", ...},
 *    "details": {"content", "place", "host", "mode"} (claim) or
 *               {"book", "author", "summary", "reflection", "quotes"},
 *    "activity_id": N}
 * item and fields.date are required; every field is checked against the
 * item (a field the item does not use is refused, naming it). *id gets the
 * new claim's id. FORBIDDEN when the caller's account has no person. */
int xf_claim_create(xf_store *s, const xf_principal *who, const char *json, long long *id,
		    xf_errs *errs);

/* Changes the caller's own draft or rejected claim (a rejected one
 * becomes a draft again): the members given (item, form, fields, details,
 * activity_id) replace the old ones. */
int xf_claim_update(xf_store *s, const xf_principal *who, long long id, const char *json,
		    xf_errs *errs);

/* The claimant's transitions. submit checks the item's required fields,
 * the 附件4 text (book, author, summary, reflection) and, for
 * publications, that a file is attached (INVALID listing what is
 * missing), and the archive (ARCHIVED). */
int xf_claim_submit(xf_store *s, const xf_principal *who, long long id, xf_errs *errs);
int xf_claim_withdraw(xf_store *s, const xf_principal *who, long long id, xf_errs *errs);

/* Step 1 (reviewer), step 2 (approver: inserts the record), and
 * rejection (reason 1..500 characters, required). note (review, approve)
 * may be NULL; at most 500 characters. */
int xf_claim_review(xf_store *s, const xf_principal *who, long long id, const char *note,
		    xf_errs *errs);
int xf_claim_approve(xf_store *s, const xf_principal *who, long long id, const char *note,
		     xf_errs *errs);
int xf_claim_reject(xf_store *s, const xf_principal *who, long long id, const char *reason,
		    xf_errs *errs);

/* Bulk review: {"ids": [..] (1..200), "action": "review"|"approve",
 * "note"} — each id in its own transaction. Writes {"results": [{"id",
 * "ok": true} | {"id", "ok": false, "code", "message"}]} to f, codes as
 * the API's ("not_found", "forbidden", "conflict", "archived",
 * "invalid"). -1 (not internal) for a malformed request, nothing written. */
int xf_claims_batch_json(xf_store *s, const xf_principal *who, const char *json, FILE *f,
			 xf_errs *errs);

/* ---- evidence files ---- */

/* Attaches an uploaded file to the caller's draft or rejected claim:
 * checks the content and the name (UNSUPPORTED with the reason), stores it
 * under dir (evidence.h) — or, when dir is NULL, in the database (blobs,
 * in the same transaction as the rows) — and adds the rows (audited
 * claim.evidence_add). raw_name may be NULL. At most 20 files a claim.
 * *file_id gets the id. */
int xf_claim_evidence_add(xf_store *s, const xf_principal *who, long long claim_id,
			  const char *dir, const void *data, size_t len, const char *raw_name,
			  long long *file_id, xf_errs *errs);

/* Detaches a file from the caller's draft or rejected claim (audited
 * claim.evidence_delete, with the file's name and SHA-256); its row goes
 * too. The stored content stays (on disk or in the database): another row
 * may share it, and it is kept for the audit. */
int xf_claim_evidence_remove(xf_store *s, const xf_principal *who, long long claim_id,
			     long long file_id, xf_errs *errs);

/* A file as a download needs it. */
typedef struct xf_evidence_meta {
	long long id;
	char name[XF_EVIDENCE_NAME_MAX + 1];
	char mime[128];
	char sha256[XF_EVIDENCE_SHA_HEX];
	char stored[XF_EVIDENCE_REL_MAX];
	long long size;
} xf_evidence_meta;

/* The file with this id, when the caller may see a claim it is attached
 * to (the claimant, reviewers and approvers in scope, admins) or uploaded
 * it. NOT_FOUND otherwise. */
int xf_evidence_find(xf_store *s, const xf_principal *who, long long file_id,
		     xf_evidence_meta *out, xf_errs *errs);

/* ---- views (claims_view.c; the preview in claims_preview.c) ---- */

/* The items the caller may claim for `year` under their unit's policy:
 * {"year", "policy": {"id", "name"}, "levels": [{"key", "name"}],
 *  "items": [{"key", "name", "category", "category_name", "per", "unit",
 *  "points" | "level_points": {...}, "cap", "fields": [...], "required":
 *  [...], "forms": ["claim", "self_study"?], "needs_evidence"}]}. */
int xf_claim_items_json(xf_store *s, const xf_principal *who, int year, FILE *f,
			xf_errs *errs);

/* One claim with its evidence (each file with "duplicate_of": other
 * people's claims using a file of the same SHA-256, shown to everyone but
 * the claimant), its history ("events") and what the caller may do now
 * ("can"). */
int xf_claim_get_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
		      xf_errs *errs);

typedef enum xf_claims_box {
	XF_BOX_DEFAULT,  /* mine for a member with a person, else review, approve, all */
	XF_BOX_MINE,     /* the caller's own claims */
	XF_BOX_REVIEW,   /* claims of people in the caller's review units (default: submitted) */
	XF_BOX_APPROVE,  /* ... in the approve units (default: reviewed) */
	XF_BOX_ALL       /* admins: every submitted claim */
} xf_claims_box;

typedef struct xf_claims_query {
	xf_claims_box box;
	const char *status;  /* a status, "any", or NULL for the box's default */
	const char *q;       /* name, code or item key (substring), or NULL */
	int year;            /* 0: any */
	long long page;      /* 1-based */
	long long per_page;  /* 1..200 */
} xf_claims_query;

/* {"box", "status", "total", "page", "per_page", "items": [{"id",
 *  "person": {...}, "year", "item", "item_name", "form", "status",
 *  "fields", "date", "submitted_at", "updated_at", "evidence_count",
 *  "duplicate_count"}]}, newest first. -1 (not internal) for a box the
 * caller has no role for, or a bad status. */
int xf_claims_list_json(xf_store *s, const xf_principal *who, const xf_claims_query *q,
			FILE *f, xf_errs *errs);

/* What approving the claim would add: the engine runs the claimant's
 * year without and with the claim's record; {"claim_id", "year",
 * "policy", "before", "after", "adds", "items": [{"key", "name", "before",
 * "after"}], "categories": [...], "record": {"value", "excluded"}, "explain"}.
 * For an approved claim, "before" leaves its record out. */
int xf_claim_preview_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
			  xf_errs *errs);

/* ---- shared by claims.c, claims_form.c, claims_view.c, claims_preview.c ----
 *
 * Not for other callers: the pieces the state machine, the form checks
 * and the views have in common. */

struct cJSON;

/* A claim's row with its person's unit. Strings are owned (free with
 * xf_claim_row_cleanup). */
typedef struct xf_claim_row {
	long long id, person_id, unit_id, activity_id, created_by;
	long long reviewed_by, approved_by, rejected_by, record_id;
	long long created_at, updated_at, submitted_at, reviewed_at, approved_at, rejected_at;
	int year;
	char *item, *form, *status, *fields, *details, *reject_reason;
	char *person_code, *person_name;
} xf_claim_row;

/* Reads claim id: 0, XF_CLAIM_NOT_FOUND, or -1. */
int xf_claim_row_load(xf_store *s, long long id, xf_claim_row *r, xf_errs *errs);
void xf_claim_row_cleanup(xf_claim_row *r);

/* Whether the caller may see the claim (see above). */
bool xf_claim_visible(const xf_principal *who, const xf_claim_row *r);
/* Whether the caller holds role (XF_ROLE_REVIEWER/APPROVER) over unit:
 * the role itself, not an admin's every-unit view. */
bool xf_claim_has_role_unit(const xf_principal *who, unsigned role, long long unit_id);

/* The policy the store names by ref (xf_load_policy in assess_load.h:
 * *owned, when set, freed by the caller). NULL with a message marked
 * internal: a claim's policy that cannot be had is the server's problem,
 * not the request's. */
const xf_policy *xf_claim_policy_get(const char *ref, xf_policy **owned, xf_errs *errs);

/* The policy ref of a unit for a year: 0 and *ref (malloc'd), 1 when none
 * (with a message), -1. */
int xf_claim_unit_policy(xf_store *s, long long unit_id, int year, char **ref, xf_errs *errs);

/* The Chinese name of a status ("待审核"), or the status itself. */
const char *xf_claim_status_label(const char *status);

/* At most max bytes of the UTF-8 text s, cut at a character, into buf
 * (size bytes, size > max); "" for NULL. Returns buf. */
const char *xf_claim_clip(const char *s, size_t max, char *buf, size_t size);

/* Whether the caller is the claim's claimant (their account's person). */
bool xf_claim_is_claimant(const xf_principal *who, const xf_claim_row *r);

/* Loads claim id when the caller may see it: 0, NOT_FOUND, -1. */
int xf_claim_load_visible(xf_store *s, const xf_principal *who, long long id, xf_claim_row *r,
			  xf_errs *errs);

/* 0 when the claim's status is one of allowed (NULL-ended), else CONFLICT
 * with "该申报当前为“已通过”，不能<doing>". */
int xf_claim_need_status(const xf_claim_row *r, const char *const *allowed, const char *doing,
			 xf_errs *errs);

/* A claim's policy and item index. */
typedef struct xf_claim_item_ref {
	char *ref;          /* the policy as the store names it */
	xf_policy *owned;   /* a policy file loaded for this call, or NULL */
	const xf_policy *p;
	int item;           /* index into p->items, -1 when unknown */
} xf_claim_item_ref;

/* The policy of unit for year and item's index in it: 0; INVALID when
 * there is no policy or no such item (message); -1. Clean up in every
 * case. */
int xf_claim_item_ref_get(xf_store *s, long long unit_id, int year, const char *item,
			  xf_claim_item_ref *ir, xf_errs *errs);
void xf_claim_item_ref_cleanup(xf_claim_item_ref *ir);

/* What a submit still lacks (one message each): the item's required
 * fields (and completed for an online record of an item excluding
 * incomplete online study), and the form's required text. Returns how
 * many. */
int xf_claim_facts_missing(const xf_policy *p, int item, const xf_claim_facts *f, xf_errs *errs);
int xf_claim_details_missing(const char *form, const char *details_json, xf_errs *errs);

/* The training activity a claim names: it must exist, be approved and be
 * for item (when not NULL). 0 and *key (malloc'd; key may be NULL),
 * INVALID (message), -1. */
int xf_claim_activity_check(xf_store *s, long long activity_id, const char *item, char **key,
			    xf_errs *errs);

/* A claim's content, checked and in canonical form. */
typedef struct xf_claim_content {
	char *item, *form;
	char *fields;   /* canonical JSON of the facts */
	char *details;  /* canonical JSON of the form's text */
	long long activity_id;  /* 0: none */
	int year;               /* the date's */
	xf_claim_facts facts;
} xf_claim_content;

/* Builds the content of a create (old NULL) or an update (the request's
 * members over the old row's) from the request object body, checked
 * against the policy of unit_id for the date's year. 0, INVALID
 * (messages), -1. */
int xf_claim_content_build(xf_store *s, long long unit_id, const struct cJSON *body,
			   const xf_claim_row *old, xf_claim_content *c, xf_errs *errs);
void xf_claim_content_cleanup(xf_claim_content *c);

/* {"status", "item", "form", "fields", "details", "activity_id"} as JSON
 * text for the audit, of a content or of a stored row. Free with
 * cJSON_free; NULL when out of memory. */
char *xf_claim_content_json(const xf_claim_content *c, const char *status);
char *xf_claim_row_json(const xf_claim_row *r);

#endif
