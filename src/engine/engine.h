/* engine: the pure credit engine. A compiled policy, one person and that
 * person's records, metrics, scores and history in; the person's result
 * and, on request, an explanation trace out. No I/O, no global state.
 *
 * Order of application for a person (spec/policies.md): exclusions ->
 * per-record value (points x units x multiplier) -> same-activity rule
 * (records with one activity key in one item count once, the highest) ->
 * item cap -> category cap -> total; then months, exemptions, requirement,
 * final, grade, result flags.
 *
 * Group results (award quota, per-unit totals, quarterly bottom lists) need
 * every person's result; they are accumulated by xf_group (group.h) in
 * memory that grows with the number of groups, not of people. */
#ifndef XF_ENGINE_ENGINE_H
#define XF_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "policy/policy.h"

/* Record bits. */
enum {
	XF_R_ONLINE = 1u << 0,
	XF_R_SPEAKER = 1u << 1,
	XF_R_AWARDED = 1u << 2,
	XF_R_PASSED_SET = 1u << 3, /* passed was given ... */
	XF_R_PASSED = 1u << 4,     /* ... and is true */
	XF_R_NOT_COMPLETED = 1u << 5,
	XF_R_NOT_APPROVED = 1u << 6
};

/* One credit record, already validated against the policy. Absent optional
 * numbers carry their defaults (count 1, days 1, months/hours/credits 0)
 * or "not given" markers (minutes/attended -1, score NAN). */
typedef struct xf_record {
	uint32_t index;    /* position in the input (records[index]) */
	int16_t item;      /* index into policy->items */
	int8_t level;      /* index into policy->levels, -1 none */
	int8_t kind;       /* index into policy->kinds, -1 none or other */
	uint16_t bits;     /* XF_R_* */
	xf_date date;
	int32_t activity;  /* interned same-activity key, -1 none */
	int32_t minutes;   /* -1 when not given */
	int32_t attended;  /* attended_minutes, -1 when not given */
	union {
		struct {
			double count, days, months, hours, score, credits;
		};
		double q[6]; /* the same, indexed (see xf_item_plan.qsel) */
	};
} xf_record;

typedef struct xf_metric {
	uint32_t index;    /* position in the input (metrics[index]) */
	int16_t metric;    /* index into policy->metrics */
	int16_t year;
	int8_t month;      /* 1..12 */
	double value;      /* that month's increment */
} xf_metric;

typedef struct xf_score {
	uint32_t index;
	int16_t line;      /* index into policy->lines */
	bool has_self, has_review;
	double self, review;
} xf_score;

typedef struct xf_history {
	int16_t year;
	int8_t grade;      /* index into policy->grades, -1 unknown */
} xf_history;

typedef struct xf_period {
	xf_period_kind kind;
	xf_date from, to;
	bool participates; /* secondment only; default true */
} xf_period;

typedef struct xf_person {
	const char *id;
	const char *name;  /* may be NULL */
	const char *unit;  /* may be NULL */
	int32_t unit_id;   /* interned unit, -1 none (group results) */
	int role;          /* index into policy->roles, -1 none */
	xf_date joined;    /* 0 when not given */
	const xf_period *periods;
	size_t nperiods;
	uint32_t flags;    /* bitset over policy->flags */
} xf_person;

/* Everything the engine needs for one person. */
typedef struct xf_input {
	const xf_person *person;
	const xf_record *records;
	size_t nrecords;
	const xf_metric *metrics;
	size_t nmetrics;
	const xf_score *scores;
	size_t nscores;
	const xf_history *history;
	size_t nhistory;
} xf_input;

/* Tri-state for outputs that may be null. */
typedef enum { XF_NULL = -1, XF_FALSE = 0, XF_TRUE = 1 } xf_tri;

/* The result for one person. The arrays are sized by the policy and owned
 * by the result (xf_result_init/cleanup); a result may be reused for many
 * people, which is how the engine runs without allocating per person. */
typedef struct xf_result {
	bool exempt;
	int exempt_rule;        /* index into policy->exempt, -1 */
	int months;             /* counted months this year */
	double *items;          /* [nitems]: after item caps, before category caps */
	double *item_units;     /* [nitems]: counted units (for pass counts) */
	double *categories;     /* [ncategories]: after category caps */
	bool has_total;
	double total, final;    /* rounded to 2 decimals */
	bool has_required;
	double required;        /* rounded to 2 decimals */
	xf_tri met;
	int grade;              /* band index, -1 null */
	uint32_t passed;        /* categories with a pass line that passed */
	uint32_t result_flags;  /* bitset over policy->result_flags */
	bool award_eligible;    /* counts toward the quota: not exempt */
	bool award_contender;   /* may be a candidate: eligible and met */
	bool award_candidate;   /* set by the group pass */
	double growth;
	uint32_t growth_flags;  /* bitset over policy->growth_flags */
	double quarter_growth[4];
	bool has_scores;
	double self_total, review_total;
} xf_result;

/* Allocates the result's arrays for policy p. Returns 0, or -1 on
 * allocation failure (then cleanup is still safe). */
int xf_result_init(xf_result *r, const xf_policy *p);
void xf_result_cleanup(xf_result *r);

/* Explanation trace: what happened to each record, metric and cap. */
typedef enum xf_trace_kind {
	XF_T_VALUE,      /* record counted: value, units, points */
	XF_T_EXCLUDED,   /* record excluded: rule (XF_EX_* bit) */
	XF_T_OTHER_YEAR, /* record or metric outside the assessment year */
	XF_T_NOT_RECORD, /* record for a metric item: valued from metrics */
	XF_T_ONCE,       /* per: year item already counted this year */
	XF_T_ACTIVITY,   /* same activity: record kept, other dropped */
	XF_T_METRIC,     /* metric month: value and points */
	XF_T_ITEM_CAP,   /* item trimmed: before, after */
	XF_T_CAT_CAP,    /* category trimmed: before, after */
	XF_T_MONTHS,     /* counted months and how they were found */
	XF_T_EXEMPT,     /* exemption rule that applied */
	XF_T_ANNUALISE,  /* final from total */
	XF_T_GRADE_VETO  /* grade forced by a flag or a failed pass line */
} xf_trace_kind;

typedef struct xf_trace_event {
	xf_trace_kind kind;
	int32_t index;   /* record/metric index in the input, or -1 */
	int32_t other;   /* dropped record (ACTIVITY), rule bit (EXCLUDED),
	                    category (CAT_CAP), flag or category (GRADE_VETO) */
	int16_t item;    /* item index or -1 */
	double a, b, c;  /* VALUE: value, units, points per unit;
	                    ITEM_CAP/CAT_CAP: before, after;
	                    METRIC: increment, points;
	                    MONTHS: counted months;
	                    ANNUALISE: total, final, months */
} xf_trace_event;

typedef struct xf_trace {
	xf_trace_event *ev;
	size_t n, cap;
	bool oom;         /* an event could not be stored */
} xf_trace;

void xf_trace_init(xf_trace *t);
void xf_trace_reset(xf_trace *t);
void xf_trace_cleanup(xf_trace *t);

/* What the engine derives from a policy once and reuses for every person:
 * per item, points by level (index 0: no level) with the speaker variant,
 * and where the item's units come from, so valuing a record is table
 * lookups instead of branches on the item's kind. */
typedef struct xf_item_plan {
	double pts[XF_MAX_LEVELS + 1];
	double speaker_pts;   /* points when speaker; NAN when no variant */
	double awarded_mult;
	/* units = q[qsel] x w_q + sessions x w_session + class hours x w_class
	 * + w_year: exactly one weight is 1 (all 0 for metric items). */
	double w_q, w_session, w_class, w_year;
	double inv_session;   /* 1 / session_days */
	double inv_class;     /* 1 / class_hour_minutes */
	double half_class;    /* class_hour_minutes / 2 */
	/* Exclusions, copied here so a record touches one line of plan. */
	uint32_t exclude;     /* the item's XF_EX_* rules, with NOT_APPROVED */
	uint32_t exclude_kinds;
	double min_minutes, min_score, min_units;
	uint8_t qsel;         /* index into xf_record.q */
	bool valued;          /* not a metric item */
	bool once;            /* per: year */
	bool has_speaker;     /* speaker_pts applies */
} xf_item_plan;

/* Scratch space the engine reuses between people: the policy's plan and
 * per-record buffers for the same-activity rule. */
typedef struct xf_engine_scratch {
	const xf_policy *plan_for; /* the policy `plan` was derived from */
	xf_item_plan *plan;        /* [nitems] */
	uint32_t bit_rules[128];   /* XF_R_* bits -> exclusions they meet */
	uint32_t rules_used;       /* union of the items' exclusion rules */
	bool any_once;             /* some item is worth points once a year */
	double *values;            /* per record value */
	double *units;
	uint32_t *order;
	size_t cap;
} xf_engine_scratch;

void xf_scratch_init(xf_engine_scratch *s);
void xf_scratch_cleanup(xf_engine_scratch *s);

/* Assesses one person for `year`. r must have been initialised for p.
 * trace may be NULL (no explanation). Returns 0, or -1 when scratch space
 * could not be allocated (r is then unspecified). */
int xf_engine_assess(const xf_policy *p, int year, const xf_input *in,
		     xf_engine_scratch *scratch, xf_result *r, xf_trace *trace);

#endif
