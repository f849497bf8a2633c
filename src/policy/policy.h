/* policy: an organisation's 学分办法 in the compiled form the engine runs.
 *
 * A policy file (YAML, see docs/policy-format.md) is parsed and validated by
 * policy_load.c into one xf_policy. Everything the engine needs is here as
 * plain arrays indexed by small integers: categories, items, levels, roles,
 * input flags, exemption rules, grade bands, result flags, scorecard lines.
 * Nothing in the engine is named after a city; every difference between the
 * shipped policies is a value in this structure.
 *
 * An xf_policy owns all of its memory; free it with xf_policy_free(). It is
 * immutable after loading and may be shared between threads. */
#ifndef XF_POLICY_POLICY_H
#define XF_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/errs.h"

/* Limits that keep bitsets and small indexes valid. The loader refuses a
 * policy that exceeds them. */
#define XF_MAX_LEVELS 16
#define XF_MAX_CATEGORIES 32
#define XF_MAX_ITEMS 128
#define XF_MAX_FLAGS 32        /* input flags per policy (person.flags) */
#define XF_MAX_RESULT_FLAGS 16 /* output flags (e.g. sub_health) */
#define XF_MAX_KINDS 16        /* record kinds named by exclusions */
#define XF_MAX_LINES 64        /* scorecard lines */

/* What one unit of an item is: the record value is
 * points x units x multiplier. */
typedef enum xf_per {
	XF_PER_COUNT,      /* record.count (times, books, articles, topics) */
	XF_PER_DAY,        /* record.days */
	XF_PER_MONTH,      /* record.months */
	XF_PER_HOUR,       /* record.hours (class hours as given) */
	XF_PER_CLASS_HOUR, /* round half-up(record.minutes / class_hour_minutes) */
	XF_PER_SESSION,    /* online: 1; else ceil(days / session_days) */
	XF_PER_YEAR,       /* flat points once a year, however many records */
	XF_PER_CREDITS,    /* record.credits: fixed credits set on the record */
	XF_PER_METRIC      /* from monthly metrics, not records (see step_*) */
} xf_per;

/* Exclusion rules: a record that meets any enabled rule is worth 0 and the
 * trace names the rule. */
enum {
	XF_EX_NOT_APPROVED = 1u << 0,    /* approved is false (always on) */
	XF_EX_KIND = 1u << 1,            /* kind is one of exclude_kinds */
	XF_EX_MIN_MINUTES = 1u << 2,     /* minutes given and < min_minutes */
	XF_EX_MIN_SCORE = 1u << 3,       /* score given and < min_score */
	XF_EX_NOT_PASSED = 1u << 4,      /* passed is false */
	XF_EX_HALF_ATTENDED = 1u << 5,   /* attended_minutes < minutes / 2 */
	XF_EX_NOT_COMPLETED = 1u << 6,   /* completed is false */
	XF_EX_ONLINE_INCOMPLETE = 1u << 7, /* online and completed is false */
	XF_EX_MIN_UNITS = 1u << 8,       /* units < min_units (e.g. months < 3) */
	XF_EX_UNLESS_PASSED = 1u << 9    /* passed is not true (absent counts as not) */
};
#define XF_EX_COUNT 10

typedef struct xf_item {
	char *key;      /* "category.item", the public identifier */
	char *name;     /* Chinese label, e.g. 学习培训 */
	char *article;  /* the article it implements, e.g. 第五条第1款 (may be NULL) */
	int category;   /* index into xf_policy.categories */
	xf_per per;

	/* Value per unit: `points` when level_points is NULL, otherwise by
	 * level: level_points[level] (NAN where the item does not take that
	 * level, which makes such a record an input error). */
	double points;
	double *level_points; /* [nlevels] or NULL */

	double speaker_points;     /* points when record.speaker; NAN: no variant */
	double awarded_multiplier; /* x this when record.awarded; 1 when none */
	int session_days;          /* XF_PER_SESSION: one session per N days begun */
	int class_hour_minutes;    /* XF_PER_CLASS_HOUR: minutes per class hour */
	double cap;                /* item cap; INFINITY when none */

	/* Exclusions (XF_EX_* bits) and their parameters. */
	uint32_t exclude;
	uint32_t exclude_kinds;    /* bitset over xf_policy.kinds */
	double min_minutes;
	double min_score;
	double min_units;

	/* XF_PER_METRIC: each month of `metric` with increment v > step_above
	 * gives floor((v - step_above) / step_size) x points. */
	int metric;                /* index into xf_policy.metrics */
	double step_above;
	double step_size;
} xf_item;

typedef struct xf_category {
	char *key;
	char *name;
	char *article;
	double cap;          /* INFINITY when none */
	int first_item;      /* items of a category are contiguous */
	int nitems;

	/* Single-category pass line (单项合格): when has_pass, passed_items
	 * carries this category: value >= pass_min and, for each listed item,
	 * the item's counted units >= the minimum. */
	bool has_pass;
	double pass_min;
	int npass_counts;
	int *pass_count_items;     /* item indexes */
	double *pass_count_min;
} xf_category;

typedef struct xf_level {
	char *key;
	char *name;
} xf_level;

typedef struct xf_role {
	char *key;
	char *name;
	double required; /* base required credits per year */
} xf_role;

typedef struct xf_flag {
	char *key;
	char *name;
} xf_flag;

/* Period kinds (fixed by the case format). */
typedef enum xf_period_kind {
	XF_PERIOD_SECONDMENT,
	XF_PERIOD_SICK_LEAVE,
	XF_PERIOD_LEAVE,
	XF_PERIOD_KINDS
} xf_period_kind;

/* When counting months starts for a person who joined in the year. */
typedef enum xf_join_rule {
	XF_JOIN_SAME_MONTH, /* from the month of `joined` */
	XF_JOIN_NEXT_MONTH  /* from the month after `joined` (Kunshan) */
} xf_join_rule;

/* An exemption rule (不参加学分管理 / 不列入当年考核). Rules are tried in
 * order; the first that holds makes the person exempt with `reason`. */
typedef enum xf_exempt_when {
	XF_EXEMPT_PERIOD_MONTHS_OVER,     /* months in period kinds > months */
	XF_EXEMPT_PERIOD_MONTHS_AT_LEAST, /* months in period kinds >= months */
	XF_EXEMPT_NOT_PARTICIPATING,      /* a secondment with participates: false */
	XF_EXEMPT_FLAG,                   /* the input flag is set */
	XF_EXEMPT_NEW_MONTHS_BELOW        /* joined in the year, counted months < months */
} xf_exempt_when;

typedef struct xf_exempt_rule {
	char *reason;          /* exempt_reason in the output */
	char *name;            /* Chinese label */
	char *article;
	xf_exempt_when when;
	uint8_t period_kinds;  /* bitset over xf_period_kind */
	int months;
	int flag;              /* XF_EXEMPT_FLAG: index into flags */
} xf_exempt_rule;

typedef struct xf_grade_band {
	char *key;   /* e.g. "good" */
	char *name;  /* 良好 */
	double min;  /* final >= min (bands sorted by min, highest first) */
} xf_grade_band;

/* A result flag (output `flags`): set when this year's grade is `grade` and
 * the previous `years` years' grades in history were also `grade`
 * (连续两年不合格 -> years = 1), or when total >= min_total. */
typedef enum xf_rflag_when {
	XF_RFLAG_GRADE_STREAK,
	XF_RFLAG_TOTAL_AT_LEAST
} xf_rflag_when;

typedef struct xf_result_flag {
	char *key;
	char *name;
	char *article;
	xf_rflag_when when;
	int grade;        /* band index */
	int years;
	double min_total;
} xf_result_flag;

/* An extra per-person output that is one item's value, e.g. Loudi's
 * required_course_credits. */
typedef struct xf_item_output {
	char *key;
	int item;
} xf_item_output;

/* A boolean per-person output from the growth metric, e.g. activist. */
typedef struct xf_growth_flag {
	char *key;
	char *name;
	double min;  /* growth >= min */
} xf_growth_flag;

typedef struct xf_line {
	char *key;      /* "section.line" */
	char *name;
	int section;    /* index into sections */
	double max;
} xf_line;

typedef struct xf_section {
	char *key;
	char *name;
	double max;
} xf_section;

typedef struct xf_policy {
	char *id;
	char *title;     /* full Chinese title of the 办法 */
	char *source;    /* where it comes from (seed, document number) */
	char *path;      /* file it was loaded from ("builtin:ID" when embedded) */

	xf_level *levels;
	int nlevels;
	xf_category *categories;
	int ncategories;
	xf_item *items;  /* all items, grouped by category, in file order */
	int nitems;
	xf_flag *flags;  /* input flags people may carry */
	int nflags;
	char **kinds;    /* record kinds named by exclusions */
	int nkinds;
	char **metrics;  /* metric names records may not carry; e.g. "xxqg" */
	int nmetrics;

	/* Requirement (应修学分). has_required: output required/met. */
	bool has_required;
	xf_role *roles;          /* when nroles > 0, required comes by role */
	int nroles;
	double required;         /* when nroles == 0 */
	bool prorate;            /* required x counted months / 12 */
	int nrequire_items;      /* met also needs item values >= minimum */
	int *require_items;
	double *require_item_min;

	/* Counted months (for proration, new-appointee rules, annualisation). */
	xf_join_rule join_rule;
	uint8_t uncounted_periods; /* months in these period kinds are not counted
	                              (secondment only when it participates) */

	xf_exempt_rule *exempt;
	int nexempt;

	/* final: total, or for people who joined in the year and were not
	 * exempt, min(annualise_full, total x annualise_full /
	 * (annualise_per_month x counted months)). */
	bool annualise;
	double annualise_per_month;
	double annualise_full;

	/* Grades. */
	xf_grade_band *grades;   /* sorted by min, highest first */
	int ngrades;
	int fail_grade;          /* band index used for vetoes; -1 none */
	uint32_t veto_flags;     /* input flags that make the grade fail */
	uint32_t veto_unpassed;  /* categories whose pass line failing means fail */

	xf_result_flag *result_flags;
	int nresult_flags;

	/* Awards (评优): at most floor(award_quota x non-exempt people)
	 * candidates among those who met, highest totals first; a tie that
	 * would pass the limit takes none of the tied. */
	bool has_award;
	double award_quota;
	bool award_needs_met;

	xf_item_output *item_outputs;
	int nitem_outputs;

	/* Growth (sum of a metric's increments over the year). */
	bool has_growth;
	int growth_metric;
	char *growth_key;          /* output key, e.g. "growth" */
	xf_growth_flag *growth_flags;
	int ngrowth_flags;

	/* Group results by person.unit (党支部). */
	bool has_groups;
	char *group_name;          /* e.g. 党支部 */
	int bottom_n;              /* per quarter and group; 0: none */
	bool best_group;           /* best_branch: highest average */

	/* Scorecard. */
	xf_section *sections;
	int nsections;
	xf_line *lines;
	int nlines;
} xf_policy;

/* Loads and validates a policy from YAML text. `name` is used in messages
 * (a file path, or "builtin:ID"). On success returns a new policy; on
 * failure returns NULL and adds one message per problem to errs, each
 * naming name:line:column and the key. Never crashes on malformed input. */
xf_policy *xf_policy_parse(const char *text, size_t len, const char *name,
			   xf_errs *errs);

/* Reads and loads a policy file. NULL and messages in errs on failure. */
xf_policy *xf_policy_load_file(const char *path, xf_errs *errs);

/* Resolves `ref` the way a case file's "policy" does: the id of a shipped
 * policy (embedded in the binary), or a path to a policy file (anything
 * containing '/' or ending in .yaml/.yml). A relative path is tried as
 * given, then relative to base_dir when base_dir is not NULL. */
xf_policy *xf_policy_resolve(const char *ref, const char *base_dir,
			     xf_errs *errs);

void xf_policy_free(xf_policy *p);

/* A shipped policy by id, compiled once per process and shared (read-only)
 * by every thread: the server assesses one person per request and must not
 * parse YAML each time. NULL with a message for an unknown id. Never free
 * the result. Thread-safe. */
const xf_policy *xf_policy_builtin_shared(const char *id, xf_errs *errs);

/* The measure word of one unit of an item, as a clerk says it: the unit
 * word of its `per` ("天", "学时", "次"…), and for counted items the word
 * for what it counts ("篇" for writings, "本" for books, else "次"). */
const char *xf_item_measure(const xf_item *it);

/* Lookups by public key; -1 when absent. */
int xf_policy_item(const xf_policy *p, const char *key);
int xf_policy_category(const xf_policy *p, const char *key);
int xf_policy_level(const xf_policy *p, const char *key);
int xf_policy_role(const xf_policy *p, const char *key);
int xf_policy_flag(const xf_policy *p, const char *key);
int xf_policy_kind(const xf_policy *p, const char *key);
int xf_policy_metric(const xf_policy *p, const char *key);
int xf_policy_line(const xf_policy *p, const char *key);
int xf_policy_grade(const xf_policy *p, const char *key);

/* The shipped policies embedded in the binary (from policies/). */
typedef struct xf_builtin_policy {
	const char *id;
	const char *text;
	size_t len;
} xf_builtin_policy;
extern const xf_builtin_policy xf_builtin_policies[];
extern const size_t xf_builtin_policy_count;

/* Writes the policy as the Chinese table a clerk knows (附件1-style):
 * categories with caps, items with values by level, exclusions,
 * requirements, exemptions, grades. UTF-8 text. */
void xf_policy_show(const xf_policy *p, FILE *out);

#endif
