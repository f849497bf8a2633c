/* assess_load: people and their engine inputs streamed out of the store
 * (internal to src/service: the year-end run in assess_db.c and the credit
 * views in credits.c share it, so a person is read the same way for both).
 *
 * Seven scans (people, records, metrics, periods, flags, scores, history),
 * each ordered by person id, are walked together like a merge join; a
 * person's rows become an xf_input with the policy's lookups. The number of
 * queries is fixed (one per scan), whatever the number of people, and the
 * per-person buffers are reused, so memory does not grow with the people.
 *
 * Scopes (which people):
 *   XF_LOAD_POLICY   the people of the units assigned `policy` for `year`
 *                    (direct assignments), of the unit with code
 *                    `unit_code` when not NULL: service/scope.h, as the
 *                    year-end run and the exports have it;
 *   XF_LOAD_PERSON   one person (`key` = people.id); the people row also
 *                    gives the policy of the person's unit for the year;
 *   XF_LOAD_SUBTREE  the active people of unit `key` and every unit under
 *                    it whose policy for the year is `policy`, where a unit
 *                    without an assignment of its own takes its parent's
 *                    (walking up past `key` when needed).
 *
 * Columns of the people row (xf_load_people), every scope: 0 id, 1 code,
 * 2 name, 3 unit code, 4 role, 5 joined. PERSON and SUBTREE also: 6 unit
 * id, 7 unit name. PERSON also: 8 the policy assigned to the person's
 * own unit for the year (NULL: none; see xf_load_person_policy), 9 active.
 *
 * Rows the policy cannot value (an item, level, flag, role or line it does
 * not have) stop the load with a message naming the person and the row: a
 * silent skip would make a wrong result. */
#ifndef XF_SERVICE_ASSESS_LOAD_H
#define XF_SERVICE_ASSESS_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"
#include "core/strmap.h"
#include "engine/engine.h"
#include "store/store.h"

typedef enum xf_load_scope {
	XF_LOAD_POLICY,
	XF_LOAD_PERSON,
	XF_LOAD_SUBTREE
} xf_load_scope;

enum {
	XF_SCAN_PEOPLE,
	XF_SCAN_RECORDS,
	XF_SCAN_METRICS,
	XF_SCAN_PERIODS,
	XF_SCAN_FLAGS,
	XF_SCAN_SCORES,
	XF_SCAN_HISTORY,
	XF_SCAN_COUNT
};

/* Columns of the records row given to on_record: 0 person id, 1 item,
 * 2 date, 3 level, 4 count, 5 days, 6 months, 7 hours, 8 minutes,
 * 9 attended_minutes, 10 score, 11 passed, 12 completed, 13 online,
 * 14 kind, 15 approved, 16 awarded, 17 speaker, 18 activity, 19 credits,
 * 20 id, 21 claim_id. */

typedef struct xf_load {
	/* Set by xf_load_open / xf_load_begin. */
	xf_store *s;
	xf_load_scope scope;
	int year;
	const xf_policy *p;
	const char *policy_ref;
	const char *unit_code;
	long long key;
	xf_errs *errs;

	/* Optional, set by the caller before xf_load_next: called for every
	 * record row as it is read (st positioned on the row, rec its engine
	 * form). Returns 0, or -1 to stop the load (with a message in errs). */
	int (*on_record)(void *ctx, xf_stmt *st, const xf_record *rec);
	void *on_record_ctx;

	/* The current person after xf_load_next returned 1. Strings point
	 * into the people row: valid until the next xf_load_next. */
	long long person_id;
	xf_person person;
	xf_input in;
	char who[160];          /* "name（code）" for messages */

	/* Internal. */
	struct {
		xf_stmt *st;
		bool row;
	} c[XF_SCAN_COUNT];
	bool begun, loaded;
	bool policy_failed;
	char *found_policy;
	xf_record *rec;
	size_t nrec, caprec;
	xf_metric *met;
	size_t nmet, capmet;
	xf_period *per;
	size_t nper, capper;
	xf_score *sco;
	size_t nsco, capsco;
	xf_history *his;
	size_t nhis, caphis;
	xf_strmap *activities;
} xf_load;

/* Prepares and starts the people scan of the scope: `policy_ref` is the
 * policy (POLICY and SUBTREE; ignored for PERSON), `unit_code` the unit
 * code or NULL (POLICY), `key` the person id (PERSON) or the unit id
 * (SUBTREE). On return the first people row, if any, is current
 * (xf_load_people). Returns 0, or -1 with a message; call
 * xf_load_cleanup in both cases. */
int xf_load_open(xf_load *l, xf_store *s, xf_load_scope scope, int year,
		 const char *policy_ref, const char *unit_code, long long key,
		 xf_errs *errs);

/* The people statement and whether it is on a row. */
xf_stmt *xf_load_people(xf_load *l);
bool xf_load_has_person(const xf_load *l);

/* PERSON: the policy of the person for the year: their unit's own
 * assignment or, when it has none, that of the nearest unit above it
 * (one more query, only then). NULL when no unit up the tree has one, or
 * on a database error (then l->policy_failed is set and errs says why).
 * The string lives as long as the people row or the load. */
const char *xf_load_person_policy(xf_load *l);

/* Starts the row scans for policy p (policy_ref is how the store names it:
 * runs.policy, for the history). For PERSON, policy_ref comes from the
 * people row (column 8). Returns 0 or -1 with a message. */
int xf_load_begin(xf_load *l, const xf_policy *p, const char *policy_ref);

/* Moves to the next person (the first one on the first call) and reads
 * their inputs into l->person and l->in. Returns 1 when a person was read,
 * 0 when there are no more, -1 with a message (a database error, or a row
 * the policy cannot value). */
int xf_load_next(xf_load *l);

/* The policies of unit `unit_id` and the units under it for `year`, as
 * XF_LOAD_SUBTREE assigns them (own or inherited), sorted. *out is an
 * array of *n strings; free it with xf_load_free_list. Returns 0 (none is
 * *n = 0), or -1 with a message. */
int xf_load_subtree_policies(xf_store *s, long long unit_id, int year, char ***out, size_t *n,
			     xf_errs *errs);
void xf_load_free_list(char **list, size_t n);

/* XF_LOAD_PERSON with the person's own policy (xf_load_person_policy):
 * opens the load of person_id for year and loads that policy. 0 with *p
 * (*owned, when set, for the caller to free), *ref the policy as the store
 * names it (malloc'd: pass it to xf_load_begin, then free it), the people
 * row current; 1 when there is no such person, 2 when their unit has no
 * policy for the year (neither with a message); -1 with a message. *ref
 * is NULL unless 0. Call xf_load_cleanup in every case. */
int xf_load_person_start(xf_load *l, xf_store *s, int year, long long person_id, char **ref,
			 const xf_policy **p, xf_policy **owned, xf_errs *errs);

/* The policy the store names by ref (policy_assignments.policy,
 * runs.policy): a shipped one from the process-wide cache (*owned NULL,
 * never freed), else a policy file loaded now (*owned, which the caller
 * frees with xf_policy_free). NULL with a message when neither loads. */
const xf_policy *xf_load_policy(const char *ref, xf_policy **owned, xf_errs *errs);

/* Finalizes the statements and frees the buffers. Safe after a failed
 * open, and on a zeroed xf_load. */
void xf_load_cleanup(xf_load *l);

#endif
