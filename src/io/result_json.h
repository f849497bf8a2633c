/* result_json: writes assessment results in the contract of
 * spec/case-format.md ("Output"), person by person, with the optional
 * explanation trace of `xuefen assess --explain`. */
#ifndef XF_IO_RESULT_JSON_H
#define XF_IO_RESULT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/engine.h"
#include "engine/group.h"
#include "io/jsonw.h"

typedef struct xf_results_out {
	xf_jw jw;
	const xf_policy *p;
	int year;
} xf_results_out;

/* Opens the document: {"policy": ..., "year": ..., "people": [ */
void xf_results_begin(xf_results_out *o, FILE *f, const xf_policy *p, int year);

/* One person's entry. trace, when not NULL, is written as "trace". */
void xf_results_person(xf_results_out *o, const xf_input *in, const xf_result *r,
		       bool award_candidate, const xf_trace *trace);

/* The members "total", "final", "required", "met" and "grade" of a
 * person's result, as the output contract has them (null when absent). */
void xf_results_totals(xf_jw *w, const xf_policy *p, const xf_result *r);

/* Closes people and writes the group results the policy has (branches,
 * best_branch, quarters), then closes the document. */
void xf_results_end(xf_results_out *o, const xf_group *g);

/* The Chinese explanation of an exclusion rule (an XF_EX_* bit) for a
 * record, e.g. "学习时长 40 分钟，不足 60 分钟". Writes into buf. */
void xf_exclusion_text(const xf_item *it, const xf_record *rec, uint32_t rule,
		       char *buf, size_t size);

/* The stable key of an exclusion rule, e.g. "min_minutes". */
const char *xf_exclusion_key(uint32_t rule);

#endif
