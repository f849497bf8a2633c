/* group: results that need every person: the award quota (评优名额) and
 * per-unit results (党支部 totals, averages, best branch, each quarter's
 * bottom members).
 *
 * People are added one at a time as the engine produces them; memory grows
 * with the number of distinct totals and of units, not of people, so a
 * year-end run can stream a province through it. After xf_group_finish the
 * answers can be read. */
#ifndef XF_ENGINE_GROUP_H
#define XF_ENGINE_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

typedef struct xf_group xf_group;

#define XF_GROUP_MAX_BOTTOM 16

typedef struct xf_unit_result {
	const char *id;     /* the unit (owned by the group) */
	long members;
	double total;       /* sum of members' growth */
	double average;     /* total / members */
	/* bottom[q]: the members with the lowest growth in quarter q (0..3),
	 * lowest first, ties by person id ascending; nbottom[q] of them. */
	const char *bottom[4][XF_GROUP_MAX_BOTTOM];
	int nbottom[4];
} xf_unit_result;

/* Returns a new accumulator for policy p, or NULL on allocation failure. */
xf_group *xf_group_new(const xf_policy *p);
void xf_group_free(xf_group *g);

/* Adds one person's result. Returns 0, or -1 on allocation failure. */
int xf_group_add(xf_group *g, const xf_person *person, const xf_result *r);

/* Settles the award threshold and orders the units. Returns 0 or -1. */
int xf_group_finish(xf_group *g);

/* After finish: whether a person with result r is an award candidate. */
bool xf_group_award_candidate(const xf_group *g, const xf_result *r);

/* After finish: whether anyone is a candidate, and the lowest total that
 * is (contenders with total >= *min_total are the candidates). */
bool xf_group_award_threshold(const xf_group *g, double *min_total);

/* After finish: award limit (floor(quota x non-exempt people)). */
long xf_group_award_limit(const xf_group *g);

/* After finish: units in id order, and the best one (NULL when none). */
size_t xf_group_units(const xf_group *g, const xf_unit_result **units);
const char *xf_group_best(const xf_group *g);

#endif
