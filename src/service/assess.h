/* assess: the year's assessment from the database.
 *
 * For each policy assigned to units for the year, people of those units are
 * streamed out of the store person by person (one ordered scan per table,
 * merged by person id: no query per person), assessed by the engine, and
 * their results saved as one run per policy, in one transaction per run.
 * Memory does not grow with the number of people: the award quota is
 * settled at the end by one UPDATE over the run's rows. */
#ifndef XF_SERVICE_ASSESS_H
#define XF_SERVICE_ASSESS_H

#include "core/errs.h"
#include "store/store.h"

typedef struct xf_assess_report {
	int runs;            /* runs saved (one per policy) */
	long long people;    /* people assessed */
	long long met;       /* of them, met their requirement (where it applies) */
	long long exempt;
	long long award_candidates;
	long long last_run_id;
} xf_assess_report;

/* Assesses everyone for `year` (only the unit with code unit_code and the
 * policy it uses, when not NULL). On failure nothing is saved for the run
 * being written, and errs says why. */
int xf_assess_year(xf_store *s, int year, const char *unit_code, const char *actor,
		   xf_assess_report *rep, xf_errs *errs);

#endif
