/* case: reading an assessment case file (JSON, spec/case-format.md) into
 * validated engine inputs.
 *
 * The reader checks everything the contract lists (bad JSON, unknown policy,
 * item, level, role, flag or line, references to people not in `people`,
 * duplicate person ids, wrong types, bad dates, negative counts, scores above
 * a line's maximum) and adds one message per problem to errs, each naming the
 * JSON path (e.g. `records[3].level`) and what was expected. It does not stop
 * at the first problem. */
#ifndef XF_IO_CASE_H
#define XF_IO_CASE_H

#include <stddef.h>

#include "core/errs.h"
#include "core/strmap.h"
#include "engine/engine.h"
#include "policy/policy.h"

typedef struct xf_case {
	xf_policy *policy;  /* owned */
	int year;

	xf_person *people;  /* input order */
	size_t npeople;

	/* Each list is grouped by person (stable: input order within a
	 * person); person i's entries are [off[i], off[i+1]). The `index`
	 * field of each entry keeps its position in the input file. */
	xf_record *records;
	size_t nrecords;
	size_t *record_off;  /* [npeople + 1] */
	xf_metric *metrics;
	size_t nmetrics;
	size_t *metric_off;
	xf_score *scores;
	size_t nscores;
	size_t *score_off;
	xf_history *history;
	size_t nhistory;
	size_t *history_off;

	xf_period *periods;  /* people[i].periods point in here */
	size_t nperiods;

	xf_strmap *strings;  /* owns person ids, names, units */
	xf_strmap *units;    /* unit -> unit_id */
	xf_strmap *activities; /* activity key -> id */
} xf_case;

/* Parses and validates a case from JSON text. base_dir (may be NULL) is
 * where a relative policy path is also looked for. Returns 0 on success
 * (c filled, release with xf_case_cleanup); on failure returns -1, adds the
 * messages to errs and leaves c empty (cleanup is still safe). */
int xf_case_parse(const char *json, size_t len, const char *base_dir,
		  xf_case *c, xf_errs *errs);

/* Fills in an xf_input for person i of the case. */
void xf_case_input(const xf_case *c, size_t i, xf_input *in);

void xf_case_cleanup(xf_case *c);

#endif
