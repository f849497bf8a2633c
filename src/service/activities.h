/* activities: training activities (培训活动申报, seed 000 第八条第1款 and
 * 附件2) from the application to the credit records of those who attended
 * (docs/workflow.md, "Training activities").
 *
 * States: draft → submitted → reviewed (分管领导) → approved (主要领导);
 * submitted|reviewed → rejected (reason); rejected → draft when the applicant
 * edits; draft|submitted|reviewed|rejected → withdrawn. approved and
 * withdrawn are final. Who may do what:
 *
 *   create            a reviewer for a unit in their review scope, or an admin
 *   edit, submit,     the applicant (the user who created it) or an admin
 *   withdraw
 *   review (step 1)   an approver whose approve units hold the activity's unit,
 *                     not the applicant
 *   approve (step 2)  the head: an approver whose approve units hold the ROOT
 *                     unit of the activity's unit tree, not the applicant and
 *                     not the step-1 approver
 *   reject            who may review (at step 1) or approve (at step 2)
 *   attendance        the applicant or an admin, once approved, until the
 *                     records are given (each upload replaces the list)
 *   records           an admin, or an approver of the activity's unit, once,
 *                     for an approved activity with a list
 *
 * Who sees what: admins every activity; the applicant theirs; reviewers and
 * approvers those of their units (any state); members (any account linked to
 * a person) the APPROVED activities of their organisation (the same root
 * unit), so that a claim can point to one. Anything else is missing.
 *
 * Every change is one transaction with one audit row (activity.create,
 * activity.update, activity.submit, activity.withdraw, activity.review,
 * activity.approve, activity.reject, activity.attendance,
 * activity.records; object "activity:ID"). Transitions are
 * `UPDATE ... WHERE status = expected`: when another writer got there
 * first the answer is XF_ACT_CONFLICT and nothing was written.
 *
 * Return values: 0 success; XF_ACT_MISSING (1) when there is no such
 * activity or the caller may not see it (no message: the API answers 404
 * either way); XF_ACT_FORBIDDEN, XF_ACT_CONFLICT and XF_ACT_ARCHIVED with
 * one Chinese message in errs; -1 with messages in errs: bad input (each
 * naming its field, or the row and column of an attendance file) unless
 * errs->internal says the database or memory failed. */
#ifndef XF_SERVICE_ACTIVITIES_H
#define XF_SERVICE_ACTIVITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/errs.h"
#include "service/auth.h"
#include "store/store.h"

enum {
	XF_ACT_MISSING = 1,   /* no such activity, or out of the caller's sight: 404 */
	XF_ACT_FORBIDDEN = 2, /* seen, but not the caller's to do: 403 */
	XF_ACT_CONFLICT = 3,  /* not in a state that allows it, or changed meanwhile: 409 */
	XF_ACT_ARCHIVED = 4   /* an attendee's records lie in an archived 公示 period: 409 */
};

/* The most attendees one activity takes (rows of an attendance file). */
#define XF_ACT_MAX_ATTENDEES 5000

/* Creates a draft from a JSON object (the 附件2 form):
 *   unit_id (required), title (required, 1..200 characters), nature, host,
 *   speakers, content, audience, place (text, at most 2000 characters;
 *   content 5000), date_from (required, YYYY-MM-DD), date_to (default
 *   date_from; not before it), item (required: a records item — not one
 *   valued by metrics — of the unit's policy for date_from's year, by key),
 *   level (required exactly when the item is valued by level: one of the
 *   item's levels, by key), minutes (class length, integer >= 0, or null),
 *   online (boolean, default false).
 * Unknown fields are refused. The key act-YYYY-NNNN (YYYY: the year of
 * date_from; NNNN: the next number of that year) is generated. *id receives
 * the new id. A unit the caller may not apply for reads as missing
 * ("unit_id: 单位 N 不存在"), as -1. */
int xf_activity_create(xf_store *s, const xf_principal *who, const char *json, size_t len,
		       long long *id, xf_errs *errs);

/* Changes a draft or rejected activity: the JSON object has any of the
 * fields of create (absent: unchanged; null clears an optional one); the
 * result is checked as a whole. A rejected activity becomes a draft again
 * (its review and rejection are cleared: it goes through both steps anew).
 * The key follows the year when date_from moves to another year. */
int xf_activity_update(xf_store *s, const xf_principal *who, long long id, const char *json,
		       size_t len, xf_errs *errs);

/* The transitions. note (review, approve; may be NULL) and reason (reject:
 * required, 1..500 characters) are kept in the audit row; the reason also
 * on the activity. */
int xf_activity_submit(xf_store *s, const xf_principal *who, long long id, xf_errs *errs);
int xf_activity_withdraw(xf_store *s, const xf_principal *who, long long id, xf_errs *errs);
int xf_activity_review(xf_store *s, const xf_principal *who, long long id, const char *note,
		       xf_errs *errs);
int xf_activity_approve(xf_store *s, const xf_principal *who, long long id, const char *note,
			xf_errs *errs);
int xf_activity_reject(xf_store *s, const xf_principal *who, long long id, const char *reason,
		       xf_errs *errs);

typedef struct xf_activity_query {
	const char *status;  /* one of the six states, or NULL */
	long long unit_id;   /* the unit and those under it; 0: any */
	int year;            /* 0: any */
	const char *q;       /* a part of the title or the key, or NULL */
	long long page;      /* 1-based */
	long long per_page;  /* 1..200 */
} xf_activity_query;

/* The activities the caller sees, newest first (date_from, then id):
 * {"total", "page", "per_page", "items": [activity]} where an activity is
 * {"id", "key", "status", "status_name", "unit": {"id", "code", "name"},
 * "year", "item", "item_name", "level", "level_name", "title", "nature",
 * "host", "speakers", "content", "audience", "place", "date_from",
 * "date_to", "days", "minutes", "online", "applicant": {"id", "name"},
 * "reviewed_by", "approved_by", "rejected_by" ({"id", "name"} or null),
 * "reviewed_at", "approved_at", "rejected_at", "records_at", "created_at",
 * "updated_at" (ISO date-times, UTC, or null), "reject_reason",
 * "attendance": {"listed", "given"}}. A bad filter is -1 naming it. */
int xf_activities_list_json(xf_store *s, const xf_principal *who, const xf_activity_query *q,
			    FILE *f, xf_errs *errs);

/* One activity as in the list, plus "can": the actions the caller may
 * take now ("edit", "submit", "withdraw", "review", "approve", "reject",
 * "attendance", "records"). */
int xf_activity_get_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
			 xf_errs *errs);

/* The attendance list (admins, the applicant, reviewers and approvers of
 * the unit; members: missing): {"activity_id", "key", "listed", "given",
 * "items": [{"person": {"id", "code", "name", "staff_no", "unit": {"id",
 * "code", "name"}}, "attended_minutes" (or null), "record_id" (the record
 * given, or null)}]} ordered by unit code, name. */
int xf_activity_attendance_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
				xf_errs *errs);

typedef struct xf_attendance_report {
	long long listed;    /* people in the file */
	long long replaced;  /* people of the list it replaced (0 when none) */
	bool dry_run;
} xf_attendance_report;

/* Reads an attendance list (XLSX, first sheet, or CSV in UTF-8/GBK) from
 * data[0..len): a header row with 工号 and/or 编号 (the person's code),
 * 姓名, and optionally 听课时长（分钟）; columns 序号, 单位, 科室, 部门, 职务,
 * 签名, 签到时间, 备注 are allowed and ignored, any other is refused. Every
 * row is checked — the person known and active, in the activity's
 * organisation (the root unit's tree), the name matching the roll (spaces
 * ignored), not listed twice, minutes a whole number from 0 to the class
 * length — and every bad row reported ("NAME: 第 N 行 B 列（姓名）：..."); any
 * problem writes nothing. Otherwise the list replaces the activity's
 * previous one (unless dry_run: then nothing is written either). The
 * activity must be approved and its records not given yet (conflict). */
int xf_activity_attendance_upload(xf_store *s, const xf_principal *who, long long id,
				  const char *data, size_t len, const char *name, bool dry_run,
				  xf_attendance_report *rep, xf_errs *errs);

/* Gives every listed attendee a record, in one transaction: the item,
 * level, date (date_from), days (date_to - date_from + 1), minutes, the
 * person's attended_minutes, online, approved, and activity = the key. A
 * person who already has a record with that key is skipped and listed.
 * Each person given a record gets a notice (activity.record). Refused when
 * the records were given already, the activity is not approved or has no
 * list (conflict), or a listed person's date_from lies in an archived
 * 公示 period (archived; checked before anything is written). Writes
 * {"given", "skipped": [{"person_id", "name", "record_id"}], "records_at"}
 * to f after the commit. */
int xf_activity_records(xf_store *s, const xf_principal *who, long long id, FILE *f,
			xf_errs *errs);

#endif
