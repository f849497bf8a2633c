/* publish: 公示 (publication for objection) and 归档 (archive) of the
 * quarter's credits — seed 000 第八条 3.公示 ("每季度，综合科将参学者审核后的
 * 学分进行公示。公示时间为5个工作日") and 4.归档 (干部培训登记库); the design
 * is docs/workflow.md, "公示 and archive".
 *
 *   - publish: every active person of a unit and the units under it that
 *     has a policy for the year gets a line — name, unit, credits per
 *     category for the year to date at the period's end (after caps), the
 *     period's increment and the year's total (never ID numbers or
 *     phones) — and a notice. The window opens today (the server's clock)
 *     or on the next working day, and ends at the end of its 5th working
 *     day by the calendar in force (service/calendars.h).
 *   - objections, lodged while the window is open by a user whose person
 *     is listed or by staff with the line's unit in scope; resolved by an
 *     admin: dismissed with a reason, or upheld with a correction to one of
 *     the line's person's records, the line recomputed, in one transaction.
 *   - archive, once the window has passed and no objection is open: from
 *     then on the database refuses changes to the listed people's records
 *     and metrics dated in the period (triggers, schema v3), and services
 *     check first with xf_archived_check.
 *   - export: the 干部培训登记库 workbook of a publication.
 *
 * Who is calling is a principal (service/auth.h); NULL means the command
 * line, which acts as an admin. Out of scope answers exactly like missing.
 *
 * Return values: XF_PUB_OK (0), XF_PUB_NOT_FOUND (1, no message), one of
 * the refusals below (a Chinese message in errs; the API answers 403/409
 * with the code named), or -1 with messages in errs — bad input unless
 * errs->internal (a database failure). */
#ifndef XF_SERVICE_PUBLISH_H
#define XF_SERVICE_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/date.h"
#include "core/errs.h"
#include "engine/engine.h"
#include "service/auth.h"
#include "store/store.h"

enum {
	XF_PUB_OK = 0,
	XF_PUB_NOT_FOUND = 1,       /* 404 */
	XF_PUB_FORBIDDEN = 2,       /* 403 forbidden: visible, but not theirs to do */
	XF_PUB_CONFLICT = 3,        /* 409 conflict: changed by someone else first */
	XF_PUB_WINDOW_CLOSED = 4,   /* 409 window_closed */
	XF_PUB_WINDOW_OPEN = 5,     /* 409 window_open */
	XF_PUB_OBJECTIONS_OPEN = 6, /* 409 objections_open (count in *count) */
	XF_PUB_ARCHIVED = 7         /* 409 archived */
};

/* Working days a 公示 lasts (第八条 3.). */
#define XF_PUBLISH_DAYS 5

/* The message of a change refused because the period is archived. */
#define XF_ARCHIVED_MSG "该期间已归档，记录不能再修改"

/* Whether (person, date) lies in the period of an archived publication
 * that lists the person: 0 free, 1 archived (errs has XF_ARCHIVED_MSG),
 * -1 on a database error (internal). date is YYYY-MM-DD; for a metric,
 * the first day of its month. For other services, to check before they
 * change a record or a metric (the triggers refuse it anyway). */
int xf_archived_check(xf_store *s, long long person_id, const char *date, xf_errs *errs);

/* ---- publishing ---- */

typedef struct xf_publish_req {
	long long unit_id;
	int year;
	int quarter;          /* 1..4; 0: from/to below */
	const char *from, *to;/* YYYY-MM-DD within year (when quarter is 0) */
	const char *title;    /* NULL: "2025年第三季度学分公示" or with the dates */
} xf_publish_req;

/* Publishes. On 0, *id is the new publication (lines written, notices
 * given, audited "publication.publish"). XF_PUB_NOT_FOUND when there is no
 * such unit; XF_PUB_CONFLICT when the unit already has a publication of
 * that period; -1 for bad input, no policy in the unit's tree for the
 * year, nobody to list, or a window that runs into a year with no
 * calendar (the message names the year). */
int xf_publish(xf_store *s, const xf_publish_req *req, const char *actor, long long *id,
	       xf_errs *errs);

/* ---- reading ---- */

typedef struct xf_pub_query {
	int year;             /* 0: any */
	long long unit_id;    /* 0: any */
	const char *q;        /* lines: a name to search for (substring), or NULL */
	long long page;       /* 1-based */
	long long per_page;   /* 1..200 */
} xf_pub_query;

/* The publications the caller may see, newest first: {"total", "page",
 * "per_page", "items": [{"id", "title", "unit": {"id", "code", "name"},
 * "year", "from", "to", "status", "published_at", "published_by",
 * "window_start", "window_end", "window_open", "people" (lines),
 * "objections_open"}]}.
 * Admins see all; staff those whose unit's tree meets their scope;
 * members those that list them or cover their unit. */
int xf_publications_list_json(xf_store *s, const xf_principal *who, const xf_pub_query *q,
			      FILE *f, xf_errs *errs);

/* One publication, as the list's items plus "archived_at", "archived_by",
 * "objections": {"open", "total"}, "categories": [{"key", "name"}] and
 * "lines": {"total", "page", "per_page", "items": [{"person_id", "name",
 * "unit", "categories": {"listen": 12, ...}, "period_total",
 * "year_total"}]} (paged, searched by name with q->q). 1 when missing or
 * not visible. */
int xf_publication_get_json(xf_store *s, const xf_principal *who, long long id,
			    const xf_pub_query *q, FILE *f, xf_errs *errs);

/* ---- objections ---- */

/* Lodges an objection about the line of person_id (1..1000 characters of
 * text). 0 and *objection_id; 1 when the publication is not visible;
 * XF_PUB_FORBIDDEN when the caller may see it but is neither listed nor
 * staff of the line's unit; XF_PUB_WINDOW_CLOSED after the window or once
 * archived; -1 for bad input (no such line, empty text). Audited
 * "objection.lodge". */
int xf_objection_lodge(xf_store *s, const xf_principal *who, long long publication_id,
		       long long person_id, const char *text, long long *objection_id,
		       xf_errs *errs);

/* The objections of a publication: all of them for admins, the caller's
 * own for others. {"items": [objection]} where an objection is {"id",
 * "publication_id", "person": {"id", "name"}, "lodged_by": {"id",
 * "username", "display_name"}, "text", "status", "resolution",
 * "correction", "resolved_by", "resolved_at", "created_at"}. 1 when the
 * publication is not visible. */
int xf_objections_list_json(xf_store *s, const xf_principal *who, long long publication_id,
			    FILE *f, xf_errs *errs);

/* One objection as in the list (for the answer after lodging or
 * resolving); 1 when missing or not the caller's (admins see all). */
int xf_objection_get_json(xf_store *s, const xf_principal *who, long long objection_id,
			  FILE *f, xf_errs *errs);

/* Resolves an open objection (admins), from the JSON body
 * {"decision": "upheld"|"dismissed", "reason": "...", "correction": {...}}:
 * the reason (1..500 characters) is required; upheld needs a correction on
 * the line's person's records —
 *   {"action": "update", "record_id": N, "fields": {...}}
 *   {"action": "delete", "record_id": N}
 *   {"action": "add", "fields": {"item", "date", ...}}
 * — audited "record.update|delete|add" with before/after, the line
 * recomputed; then "objection.resolve" is audited and the objector (when
 * their account has a person) gets a notice "objection.resolved"; all in
 * one transaction. 1 when no such objection; XF_PUB_CONFLICT when it is
 * no longer open; XF_PUB_ARCHIVED when the record's date (old or new) is
 * in an archived period; -1 for bad input (fields named). */
int xf_objection_resolve(xf_store *s, const xf_principal *who, long long objection_id,
			 const char *json, size_t len, xf_errs *errs);

/* ---- archive and export ---- */

/* Archives a publication (admins). XF_PUB_WINDOW_OPEN while today <=
 * window_end; XF_PUB_OBJECTIONS_OPEN with *open_count while objections
 * are open; XF_PUB_CONFLICT when already archived. Audited
 * "publication.archive". */
int xf_publication_archive(xf_store *s, long long id, const char *actor, long long *open_count,
			   xf_errs *errs);

/* Writes the 干部培训登记库 workbook of a publication to path (through a
 * temporary file renamed over it): sheet 登记库, one row per record of
 * the period the engine counts (序号, 姓名, 单位, 学习内容, 项目, 级别, 日期,
 * 学时/分钟, 学分 after caps, 来源: 申报 #id, 活动 key, 导入 (from an
 * import), else 录入 (entered otherwise, e.g. by a correction)) and
 * a row per metric item (学习强国) with credits in the period; sheet 汇总,
 * one row per line (the categories year to date, 本期, 年度累计); sheet
 * 说明 (who published and archived it and when, the window). 1 when no
 * such publication. Not audited here (the caller audits the download). */
int xf_publication_export_xlsx(xf_store *s, long long id, const char *actor, const char *path,
			       xf_errs *errs);

/* ---- the period as it stood ---- */

/* Scratch for xf_assess_asof: the filtered copies of an input. */
typedef struct xf_asof {
	xf_record *rec;       /* the records of the last call: rec[0..nrec) */
	size_t nrec, caprec;
	xf_metric *met;       /* and its metrics */
	size_t nmet, capmet;
} xf_asof;

void xf_asof_cleanup(xf_asof *a);

/* The engine's result for a person's year as it stood at the end of
 * `date`: the records of in dated up to date and the metric months begun
 * by it (a month counts from its first day, as the archive triggers date
 * it). A date before the year gives the year's empty start. trace may be
 * NULL. Returns 0, or -1 when memory ran out. */
int xf_assess_asof(const xf_policy *p, int year, const xf_input *in, xf_date date,
		   xf_asof *buf, xf_engine_scratch *scratch, xf_result *r, xf_trace *trace);

/* The quarter's last day (Q in 1..4), e.g. 2025, 3 -> 20250930. */
xf_date xf_quarter_end(int year, int quarter);

/* Today by the server's clock (local time), as a date. */
xf_date xf_today(void);


#endif
