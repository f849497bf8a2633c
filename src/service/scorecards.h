/* scorecards: the yearly scorecards of policies that score people line by
 * line (planning-bureau-member, 规划局《学习型党员考核细则》; docs/workflow.md
 * "Scorecards").
 *
 * A person has a scorecard for a year when the policy of their unit for
 * that year (own or inherited) has scorecard lines. It lives in the tables
 * scorecards (person_id, year, status draft|submitted|reviewed, note) and
 * scores (one row per line: self, review). The member fills their own
 * `self` scores and a note while the card is a draft, then submits it (every
 * line scored); a reviewer of the member's unit — never the member — gives
 * the `review` scores of a submitted card (again while it is reviewed),
 * which makes it reviewed and tells the member (notice
 * XF_NOTICE_SCORECARD_REVIEWED). A score is a number from 0 to the line's
 * maximum with at most 2 decimals; a wrong one is refused naming the line
 * ("plan.goal 的分数不能超过 7"). The totals and the result flags
 * (learning_member, 学习型党员) come from the engine, run for the person as
 * the credit views run it.
 *
 * Every change is one transaction with one audit row (scorecard.self,
 * scorecard.submit, scorecard.review; object "scorecard:PERSON:YEAR", the
 * changed values before and after); a change that changes nothing writes
 * nothing. A status change is an UPDATE guarded by the status it expects,
 * so two racing writers change it once. Before it commits, a change
 * computes the card as changed: when the person's other data does not fit
 * the policy (a row the engine's load refuses) the change is refused with
 * XF_SC_DATA and nothing is saved, so that no saved change is followed by
 * a card that cannot be shown.
 *
 * Return values of every function here: XF_SC_OK (0) or one of the XF_SC_*
 * codes below (with a Chinese message in errs where they say so), or -1 with
 * Chinese messages in errs — bad input (each problem named; errs->internal
 * false) or a database failure (errs->internal true). */
#ifndef XF_SERVICE_SCORECARDS_H
#define XF_SERVICE_SCORECARDS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/errs.h"
#include "service/people.h"
#include "store/store.h"

#define XF_SCORECARD_NOTE_MAX 2000 /* characters of the member's note */

enum {
	XF_SC_OK = 0,
	XF_SC_MISSING = 1,  /* no such person, or out of the caller's scope (no message) */
	XF_SC_NONE = 2,     /* no scorecard: no policy for the year, or one without lines */
	XF_SC_CONFLICT = 3, /* the card's status does not allow the change (message) */
	XF_SC_OWN = 4,      /* a reviewer's own card (message) */
	XF_SC_DATA = 5      /* a change refused, nothing saved: the person's other data does
			     * not fit the policy, so the card cannot be computed (message) */
};

/* Writes the person's scorecard for the year as JSON to f:
 * {"person": {"id", "code", "name", "unit": {"id", "code", "name"}},
 *  "year", "policy": {"id", "name"}, "status" ("draft" also when nothing
 *  was written yet), "note", "submitted_at", "reviewed_at" (ISO date-time
 *  UTC or null), "reviewed_by": {"id", "name"} or null,
 *  "sections": [{"key", "name", "max", "self", "review"}] (sums of the
 *  lines' scores given), "lines": [{"key", "name", "section": {"key",
 *  "name"}, "max", "self", "review"}] (a score not given is null),
 *  "max_total", "self_total", "review_total", "total" (= review_total) and
 *  one boolean per result flag of the policy ("learning_member")}.
 * scope NULL: no scope check (the member's own card); otherwise a person
 * whose unit is outside it answers XF_SC_MISSING. */
int xf_scorecard_json(xf_store *s, const xf_unit_scope *scope, long long person_id, int year,
		      FILE *f, xf_errs *errs);

/* The member's own change, from a JSON object {"lines": {"plan.goal": 6,
 * ...}, "note": "..."} (both optional; a line set to null loses its self
 * score, a note of null is cleared). Only while the card is a draft (the
 * first change creates it): XF_SC_CONFLICT otherwise. Audited
 * "scorecard.self". */
int xf_scorecard_self(xf_store *s, long long person_id, int year, const char *json,
		      const char *actor, xf_errs *errs);

/* Submits the member's draft: every line needs a self score (-1 naming
 * those without one). XF_SC_CONFLICT when it is not a draft. Audited
 * "scorecard.submit". */
int xf_scorecard_submit(xf_store *s, long long person_id, int year, const char *actor,
			xf_errs *errs);

/* Who reviews: the units they review (the person's unit must be one of
 * them, else XF_SC_MISSING), their account and their own person (0: none;
 * their own card answers XF_SC_OWN). */
typedef struct xf_scorecard_reviewer {
	const xf_unit_scope *scope;
	long long user_id;
	long long person_id;
	const char *actor;
} xf_scorecard_reviewer;

/* The reviewer's scores, from a JSON object {"lines": {"plan.goal": 6,
 * ...}}: merged with those already given, after which every line needs a
 * review score (-1 naming those without one). Only for a submitted or
 * reviewed card (XF_SC_CONFLICT otherwise); the card becomes reviewed (by
 * this reviewer, now) and the member gets a notice. Audited
 * "scorecard.review". */
int xf_scorecard_review(xf_store *s, const xf_scorecard_reviewer *r, long long person_id,
			int year, const char *json, xf_errs *errs);

/* What a signed-in user's menu offers around scorecards for the year:
 * *own when person_id (0: none) has a card (their unit's policy has
 * lines), *review when a unit of review_scope (NULL: none) has such a
 * policy. 0, or -1 on a failure of the system. */
int xf_scorecard_features(xf_store *s, long long person_id, const xf_unit_scope *review_scope,
			  int year, bool *own, bool *review, xf_errs *errs);

/* The reviewer's list (评分表评分): the active people of the scope's units
 * whose policy for the year has scorecard lines, each with their whole
 * card as xf_scorecard_json writes it — submitted ones first (awaiting a
 * score), then drafts (also when nothing was written yet), then reviewed
 * ones, each by person id; status filters (NULL: all), q matches a name,
 * code or staff number (substring, case-insensitive; NULL: all).
 * {"year", "page", "per_page", "total", "items": [card...]}. 0, or -1
 * (a failure; or a person of the page whose data the policy cannot read,
 * named, errs not internal). */
typedef struct xf_scorecard_query {
	int year;
	const char *status;  /* "draft", "submitted", "reviewed" or NULL */
	const char *q;
	long long page;      /* 1-based */
	long long per_page;  /* 1..100 */
} xf_scorecard_query;

int xf_scorecards_list_json(xf_store *s, const xf_unit_scope *scope, const xf_scorecard_query *q,
			    FILE *f, xf_errs *errs);

#endif
