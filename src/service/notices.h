/* notices: what the system tells a member — a claim reviewed, approved or
 * rejected (with the reason), a 公示 opened, an objection resolved, a
 * scorecard reviewed (docs/workflow.md). A notice belongs to a person (the
 * member's account is linked to it); the services write them inside the
 * transaction of the change they tell about, so a rolled-back change leaves
 * no notice behind.
 *
 * Returns 0, or -1 with a message in errs (bad input named, or a database
 * error marked internal). */
#ifndef XF_SERVICE_NOTICES_H
#define XF_SERVICE_NOTICES_H

#include <stdbool.h>
#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* Kinds, as stored and answered. */
#define XF_NOTICE_CLAIM_REVIEWED "claim.reviewed"
#define XF_NOTICE_CLAIM_APPROVED "claim.approved"
#define XF_NOTICE_CLAIM_REJECTED "claim.rejected"
#define XF_NOTICE_PUBLICATION_OPENED "publication.opened"
#define XF_NOTICE_OBJECTION_RESOLVED "objection.resolved"
#define XF_NOTICE_SCORECARD_REVIEWED "scorecard.reviewed"
#define XF_NOTICE_ACTIVITY_RECORD "activity.record"
#define XF_NOTICE_RECORD_CORRECTED "record.corrected" /* a 公示 line's person, by an upheld objection */

/* Adds a notice for person_id, dated now (the server's clock). title is a
 * short Chinese line ("您的申报已通过审批"), body may be NULL, object names
 * what it is about ("claim:12") or is NULL. */
int xf_notice_add(xf_store *s, long long person_id, const char *kind, const char *title,
		  const char *body, const char *object, xf_errs *errs);

/* The person's notices, newest first: {"total", "unread", "page",
 * "per_page", "items": [{"id", "kind", "title", "body", "object", "at"
 * (ISO date-time, UTC), "read"}]}. unread_only keeps those not read. */
int xf_notices_json(xf_store *s, long long person_id, bool unread_only, long long page,
		    long long per_page, FILE *f, xf_errs *errs);

/* Marks the person's notices read: those of ids[0..n), or all when ids is
 * NULL. Ids of other people's notices are ignored (never an error that
 * would tell they exist). */
int xf_notices_mark_read(xf_store *s, long long person_id, const long long *ids, size_t n,
			 xf_errs *errs);

#endif
