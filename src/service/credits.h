/* credits: the credit views of the API, computed live by the engine from
 * the store (the same code path as `xuefen assess --year`, nothing saved):
 *
 *   - a person's own year: per category and item, total, requirement
 *     (prorated), met or grade, what is still missing in plain words with
 *     concrete suggestions from the policy ("还差 12 学分；例如参加 3 次市级
 *     培训"), and each record with its explanation (the --explain trace);
 *   - a unit's summary (the unit and every unit under it): members, how
 *     many met, grade distribution, category averages, those not yet met,
 *     the ranking, award candidates, and for policies with branches
 *     (xxqg-branch) branch averages and each quarter's bottom list.
 *
 * The policy of a person is the one assigned to their unit for the year.
 * Output is JSON written with jsonw to the FILE given; the shapes are
 * documented in docs/api.md with real examples.
 *
 * Returns 0; 1 when there is nothing to show (no such person or unit, or
 * no policy assigned for that year; errs has the Chinese reason); -1 on a
 * database error or bad data (errs). */
#ifndef XF_SERVICE_CREDITS_H
#define XF_SERVICE_CREDITS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* The person's year, as GET /api/v1/me/credits answers it:
 * {"year", "policy": {"id", "name"}, "person": {"id", "code", "name",
 *  "unit": {...}}, "categories": [{"key", "name", "credits", "cap",
 *  "items": [{"key", "name", "credits", "cap", "units"}]}], "total",
 *  "required", "final", "met", "grade", "exempt", "exempt_reason",
 *  "missing": {"credits", "text", "suggestions": [...]},
 *  "records": [{"id", "item", "item_name", "date", ..., "credits",
 *  "explain": "..."}], "metrics": [...]}
 * explain false leaves the per-record explanation out (lists). */
int xf_credits_person_json(xf_store *s, long long person_id, int year, bool explain,
			   FILE *f, xf_errs *errs);

/* The unit's summary (the unit and its sub-units), as
 * GET /api/v1/units/{id}/summary answers it. ranking_limit bounds the
 * ranking list (0: 20). When a unit's people are under more than one
 * policy, one summary per policy: {"unit", "year", "policies": [...]}. */
int xf_credits_unit_json(xf_store *s, long long unit_id, int year, int ranking_limit,
			 FILE *f, xf_errs *errs);

#endif
