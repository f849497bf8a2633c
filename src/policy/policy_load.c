/* policy_load: reads a policy file (YAML, docs/policy-format.md) into the
 * compiled xf_policy the engine runs, checking every rule on the way.
 *
 * Two steps. The shared YAML reader (io/yaml.h) builds a tree that keeps
 * the line and column of every node, so that each problem can be reported
 * as NAME:LINE:COL: KEY.PATH: 中文 (English). The tree is then walked
 * section by section into an xf_policy. Problems are collected, not fatal:
 * a wrong entry is reported and the walk goes on, so one run lists
 * everything that is wrong with a file. */
#include "policy/policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "io/yaml.h"

#define IDENT_MAX 64          /* longest identifier */
#define MAX_METRICS 16
#define MAX_ROLES 32
#define MAX_EXEMPT 16
#define MAX_GRADES 16
#define MAX_PERIOD_LIST 8
#define MAX_OUTPUTS XF_MAX_ITEMS

/* Loader state: where we are (for messages; the YAML reader's defaults are
 * the policy's limits and wording) and what we are building. */
typedef struct ld {
	xf_yaml_ctx y;
	xf_policy *p;
	int item_cap;      /* room in p->items */
	int line_cap;      /* room in p->lines */
} ld;

/* ---- Reading values --------------------------------------------------- */

/* Checks a mapping with keys of the user's choosing (levels, items...):
 * string keys, each once, at most max entries. */
static bool ld_free_map(ld *l, const xf_yaml_node *n, int max)
{
	if (n->type != XF_YAML_MAP) {
		xf_yaml_err(&l->y, n, "应为映射 (expected a mapping)");
		return false;
	}
	if (n->nkids / 2 > max) {
		xf_yaml_err(&l->y, n, "最多 %d 项 (at most %d entries)", max, max);
		return false;
	}
	bool ok = true;
	for (int i = 0; i + 1 < n->nkids; i += 2) {
		const xf_yaml_node *k = n->kids[i];
		if (k->type != XF_YAML_SCALAR) {
			xf_yaml_err(&l->y, k, "键应为字符串 (a key must be a "
				    "string)");
			ok = false;
			continue;
		}
		for (int j = 0; j < i; j += 2) {
			const xf_yaml_node *prev = n->kids[j];
			if (prev->type == XF_YAML_SCALAR &&
			    strcmp(prev->str, k->str) == 0) {
				size_t mark = xf_yaml_key(&l->y, k->str);
				xf_yaml_err(&l->y, k, "重复的键 (duplicate key)");
				xf_yaml_pop(&l->y, mark);
				ok = false;
				break;
			}
		}
	}
	return ok;
}

enum num_range { NUM_ANY, NUM_NONNEG, NUM_POS, NUM_FRACTION };

/* Reads a number (a plain scalar, finite). 1 when read, -1 on error. */
static int num_value(ld *l, const xf_yaml_node *v, enum num_range r, double *out)
{
	double d;
	if (v->type != XF_YAML_SCALAR || !v->plain ||
	    xf_parse_double(v->str, &d) != 0) {
		xf_yaml_err(&l->y, v, "应为数字 (expected a number)");
		return -1;
	}
	if (r == NUM_NONNEG && d < 0) {
		xf_yaml_err(&l->y, v, "应为非负数 (expected a number >= 0)");
		return -1;
	}
	if (r == NUM_POS && d <= 0) {
		xf_yaml_err(&l->y, v, "应为正数 (expected a number > 0)");
		return -1;
	}
	if (r == NUM_FRACTION && (d < 0 || d > 1)) {
		xf_yaml_err(&l->y, v, "应为 0 到 1 之间的数 (expected a number "
			    "from 0 to 1)");
		return -1;
	}
	*out = d;
	return 1;
}

/* The getters below read m[key]: 1 when read into *out, 0 when absent
 * (*out untouched), -1 when wrong (reported). */
static int get_num(ld *l, const xf_yaml_node *m, const char *key, enum num_range r,
		   double *out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(&l->y, key);
	int rc = num_value(l, v, r, out);
	xf_yaml_pop(&l->y, mark);
	return rc;
}

static int int_value(ld *l, const xf_yaml_node *v, int lo, int hi, int *out)
{
	double d;
	if (v->type != XF_YAML_SCALAR || !v->plain ||
	    xf_parse_double(v->str, &d) != 0 || d != floor(d) || d < lo ||
	    d > hi) {
		xf_yaml_err(&l->y, v, "应为 %d 到 %d 之间的整数 (expected a "
			    "whole number from %d to %d)", lo, hi, lo, hi);
		return -1;
	}
	*out = (int)d;
	return 1;
}

static int get_int(ld *l, const xf_yaml_node *m, const char *key, int lo, int hi,
		   int *out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(&l->y, key);
	int rc = int_value(l, v, lo, hi, out);
	xf_yaml_pop(&l->y, mark);
	return rc;
}

static char *ld_strdup(ld *l, const xf_yaml_node *n, const char *s)
{
	char *c = strdup(s);
	if (c == NULL)
		xf_yaml_oom(&l->y, n);
	return c;
}

static void *ld_calloc(ld *l, const xf_yaml_node *n, size_t count, size_t size)
{
	if (count == 0)
		return NULL;
	void *m = calloc(count, size);
	if (m == NULL)
		xf_yaml_oom(&l->y, n);
	return m;
}

/* A non-empty string (any scalar but null). */
static int str_value(ld *l, const xf_yaml_node *v, char **out)
{
	if (v->type != XF_YAML_SCALAR || xf_yaml_is_null(v)) {
		xf_yaml_err(&l->y, v, "应为字符串 (expected a string)");
		return -1;
	}
	if (v->len == 0) {
		xf_yaml_err(&l->y, v, "不能为空 (must not be empty)");
		return -1;
	}
	*out = ld_strdup(l, v, v->str);
	return *out ? 1 : -1;
}

static int get_str(ld *l, const xf_yaml_node *m, const char *key, char **out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(&l->y, key);
	int rc = str_value(l, v, out);
	xf_yaml_pop(&l->y, mark);
	return rc;
}

static bool is_ident(const char *s, size_t len, bool dash)
{
	if (len == 0 || len > IDENT_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '_' || (dash && c == '-');
		if (!ok)
			return false;
	}
	return true;
}

/* An identifier: [a-z0-9_]+ (with '-' too when dash), at most IDENT_MAX. */
static int ident_value(ld *l, const xf_yaml_node *v, bool dash, char **out)
{
	if (v->type != XF_YAML_SCALAR || xf_yaml_is_null(v) ||
	    !is_ident(v->str, v->len, dash)) {
		xf_yaml_err(&l->y, v, "应为标识符 %s，最长 %d 个字符 (expected an "
			    "identifier %s, at most %d characters)",
			    dash ? "[a-z0-9_-]+" : "[a-z0-9_]+", IDENT_MAX,
			    dash ? "[a-z0-9_-]+" : "[a-z0-9_]+", IDENT_MAX);
		return -1;
	}
	*out = ld_strdup(l, v, v->str);
	return *out ? 1 : -1;
}

static int get_ident(ld *l, const xf_yaml_node *m, const char *key, char **out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(&l->y, key);
	int rc = ident_value(l, v, false, out);
	xf_yaml_pop(&l->y, mark);
	return rc;
}

static int enum_value(ld *l, const xf_yaml_node *v, const char *const *names,
		      int *out)
{
	int j = v->type == XF_YAML_SCALAR ? xf_yaml_key_index(names, v->str) : -1;
	if (j < 0) {
		char list[300];
		xf_yaml_key_list(names, list, sizeof(list));
		xf_yaml_err(&l->y, v, "应为以下之一：%s (expected one of: %s)",
			    list, list);
		return -1;
	}
	*out = j;
	return 1;
}

static int get_enum(ld *l, const xf_yaml_node *m, const char *key,
		    const char *const *names, int *out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(&l->y, key);
	int rc = enum_value(l, v, names, out);
	xf_yaml_pop(&l->y, mark);
	return rc;
}

/* The sequence m[key], or NULL when absent or not a sequence (reported).
 * More than max entries is reported; callers take the first max. An empty
 * list is reported when nonempty. */
static const xf_yaml_node *get_seq(ld *l, const xf_yaml_node *m,
				   const char *key, int max, bool nonempty)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return NULL;
	size_t mark = xf_yaml_key(&l->y, key);
	if (v->type != XF_YAML_SEQ) {
		xf_yaml_err(&l->y, v, "应为列表 (expected a list)");
		v = NULL;
	} else if (v->nkids > max) {
		xf_yaml_err(&l->y, v, "最多 %d 项，这里有 %d 项 (at most %d entries, "
			    "%d given)", max, v->nkids, max, v->nkids);
	} else if (v->nkids == 0 && nonempty) {
		xf_yaml_err(&l->y, v, "至少需要一项 (needs at least one entry)");
		v = NULL;
	}
	xf_yaml_pop(&l->y, mark);
	return v;
}

static int seq_count(const xf_yaml_node *s, int max)
{
	return s == NULL ? 0 : (s->nkids < max ? s->nkids : max);
}

/* Reports that `key` of entry n duplicates an earlier one. */
static void dup_err(ld *l, const xf_yaml_node *n, const char *key)
{
	const xf_yaml_node *v = xf_yaml_get(n, key);
	size_t mark = xf_yaml_key(&l->y, key);
	xf_yaml_err(&l->y, v ? v : n, "重复的标识 %s (duplicate id %s)",
		    v ? v->str : "", v ? v->str : "");
	xf_yaml_pop(&l->y, mark);
}

/* Reports a key that must be given in this context. */
static void need_err(ld *l, const xf_yaml_node *n, const char *key,
		     const char *why_zh, const char *why_en)
{
	size_t mark = xf_yaml_key(&l->y, key);
	xf_yaml_err(&l->y, n, "%s需要此键 (%s needs this key)", why_zh, why_en);
	xf_yaml_pop(&l->y, mark);
}

/* Reports a key given where it has no meaning. */
static void unused_err(ld *l, const xf_yaml_node *n, const char *key,
		       const char *ctx)
{
	const xf_yaml_node *v = xf_yaml_get(n, key);
	size_t mark = xf_yaml_key(&l->y, key);
	xf_yaml_err(&l->y, v, "不适用于 %s (not used with %s)", ctx, ctx);
	xf_yaml_pop(&l->y, mark);
}

/* "a" + "." + "b", malloc'd. */
static char *join_key(ld *l, const xf_yaml_node *n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (s == NULL) {
		xf_yaml_oom(&l->y, n);
		return NULL;
	}
	memcpy(s, a, la);
	s[la] = '.';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* ---- Top: id, title, levels, flags, metrics -------------------------- */

static const char *const key_name_keys[] = {"*key", "*name", NULL};

/* A {key, name} entry. */
static void load_key_name(ld *l, const xf_yaml_node *n, char **key, char **name)
{
	if (!xf_yaml_map(&l->y, n, key_name_keys))
		return;
	get_ident(l, n, "key", key);
	get_str(l, n, "name", name);
}

static void load_levels(ld *l, const xf_yaml_node *root)
{
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "levels", XF_MAX_LEVELS, false);
	int n = seq_count(s, XF_MAX_LEVELS);
	p->levels = ld_calloc(l, s, (size_t)n, sizeof(*p->levels));
	if (p->levels == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "levels");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		xf_level *lv = &p->levels[p->nlevels++];
		load_key_name(l, s->kids[i], &lv->key, &lv->name);
		if (lv->key && xf_policy_level(p, lv->key) != i)
			dup_err(l, s->kids[i], "key");
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_flags(ld *l, const xf_yaml_node *root)
{
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "flags", XF_MAX_FLAGS, false);
	int n = seq_count(s, XF_MAX_FLAGS);
	p->flags = ld_calloc(l, s, (size_t)n, sizeof(*p->flags));
	if (p->flags == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "flags");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		xf_flag *f = &p->flags[p->nflags++];
		load_key_name(l, s->kids[i], &f->key, &f->name);
		if (f->key && xf_policy_flag(p, f->key) != i)
			dup_err(l, s->kids[i], "key");
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_metrics(ld *l, const xf_yaml_node *root)
{
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "metrics", MAX_METRICS, false);
	int n = seq_count(s, MAX_METRICS);
	p->metrics = ld_calloc(l, s, (size_t)n, sizeof(*p->metrics));
	if (p->metrics == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "metrics");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		char **m = &p->metrics[p->nmetrics++];
		ident_value(l, s->kids[i], false, m);
		if (*m && xf_policy_metric(p, *m) != i)
			xf_yaml_err(&l->y, s->kids[i], "重复的标识 %s "
				    "(duplicate id %s)", *m, *m);
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Categories and items -------------------------------------------- */

static const char *const per_names[] = {
	"count", "day", "month", "hour", "class_hour",
	"session", "year", "credits", "metric", NULL};

static void item_defaults(xf_item *it, int category)
{
	it->category = category;
	it->per = XF_PER_COUNT;
	it->points = 0;
	it->level_points = NULL;
	it->speaker_points = NAN;
	it->awarded_multiplier = 1;
	it->session_days = 1;
	it->class_hour_minutes = 45;
	it->cap = INFINITY;
	it->exclude = XF_EX_NOT_APPROVED;
	it->metric = -1;
	it->step_above = 0;
	it->step_size = 1;
}

/* points: {level: value, ...} */
static void load_level_points(ld *l, const xf_yaml_node *v, xf_item *it)
{
	xf_policy *p = l->p;
	if (!ld_free_map(l, v, XF_MAX_LEVELS))
		return;
	if (v->nkids == 0) {
		xf_yaml_err(&l->y, v, "至少需要一个级别 (needs at least one "
			    "level)");
		return;
	}
	if (p->nlevels > 0) {
		it->level_points = ld_calloc(l, v, (size_t)p->nlevels,
					     sizeof(double));
		if (it->level_points == NULL)
			return;
		for (int i = 0; i < p->nlevels; i++)
			it->level_points[i] = NAN;
	}
	for (int i = 0; i + 1 < v->nkids; i += 2) {
		const xf_yaml_node *k = v->kids[i];
		if (k->type != XF_YAML_SCALAR)
			continue;
		size_t mark = xf_yaml_key(&l->y, k->str);
		int lv = xf_policy_level(p, k->str);
		double d;
		if (lv < 0)
			xf_yaml_err(&l->y, k, "未知的级别，请先在 levels 中列出 "
				    "(unknown level; list it under levels)");
		else if (num_value(l, v->kids[i + 1], NUM_NONNEG, &d) == 1 &&
			 it->level_points != NULL)
			it->level_points[lv] = d;
		xf_yaml_pop(&l->y, mark);
	}
}

static void load_points(ld *l, const xf_yaml_node *n, xf_item *it, int per)
{
	const xf_yaml_node *v = xf_yaml_get(n, "points");
	if (per == XF_PER_CREDITS)
		it->points = 1;
	if (v == NULL) {
		if (per >= 0 && per != XF_PER_CREDITS)
			xf_yaml_missing(&l->y, n, "points");
		return;
	}
	size_t mark = xf_yaml_key(&l->y, "points");
	if (v->type == XF_YAML_MAP)
		load_level_points(l, v, it);
	else
		num_value(l, v, NUM_NONNEG, &it->points);
	xf_yaml_pop(&l->y, mark);
}

static int kind_intern(ld *l, const xf_yaml_node *v, const char *kind)
{
	xf_policy *p = l->p;
	int k = xf_policy_kind(p, kind);
	if (k >= 0)
		return k;
	if (p->nkinds >= XF_MAX_KINDS) {
		xf_yaml_err(&l->y, v, "记录类型最多 %d 种 (at most %d record "
			    "kinds)", XF_MAX_KINDS, XF_MAX_KINDS);
		return -1;
	}
	if (p->kinds == NULL) {
		p->kinds = ld_calloc(l, v, XF_MAX_KINDS, sizeof(*p->kinds));
		if (p->kinds == NULL)
			return -1;
	}
	p->kinds[p->nkinds] = ld_strdup(l, v, kind);
	if (p->kinds[p->nkinds] == NULL)
		return -1;
	return p->nkinds++;
}

static void load_exclude_kinds(ld *l, const xf_yaml_node *ex, xf_item *it)
{
	const xf_yaml_node *s = get_seq(l, ex, "kinds", XF_MAX_KINDS, false);
	int n = seq_count(s, XF_MAX_KINDS);
	size_t mark = xf_yaml_key(&l->y, "kinds");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		char *kind = NULL;
		if (ident_value(l, s->kids[i], false, &kind) == 1) {
			int k = kind_intern(l, s->kids[i], kind);
			if (k >= 0)
				it->exclude_kinds |= 1u << k;
		}
		free(kind);
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
	if (it->exclude_kinds)
		it->exclude |= XF_EX_KIND;
}

static void load_exclude(ld *l, const xf_yaml_node *n, xf_item *it)
{
	static const char *const keys[] = {
		"kinds", "min_minutes", "min_score", "not_passed",
		"half_attended", "not_completed", "online_incomplete",
		"min_units", "unless_passed", NULL};
	static const struct {
		const char *key;
		uint32_t bit;
	} flags[] = {
		{"not_passed", XF_EX_NOT_PASSED},
		{"half_attended", XF_EX_HALF_ATTENDED},
		{"not_completed", XF_EX_NOT_COMPLETED},
		{"online_incomplete", XF_EX_ONLINE_INCOMPLETE},
		{"unless_passed", XF_EX_UNLESS_PASSED},
	};
	const xf_yaml_node *ex = xf_yaml_get(n, "exclude");
	if (ex == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "exclude");
	if (xf_yaml_map(&l->y, ex, keys)) {
		load_exclude_kinds(l, ex, it);
		if (get_num(l, ex, "min_minutes", NUM_NONNEG,
			    &it->min_minutes) == 1)
			it->exclude |= XF_EX_MIN_MINUTES;
		if (get_num(l, ex, "min_score", NUM_NONNEG,
			    &it->min_score) == 1)
			it->exclude |= XF_EX_MIN_SCORE;
		if (get_num(l, ex, "min_units", NUM_NONNEG,
			    &it->min_units) == 1)
			it->exclude |= XF_EX_MIN_UNITS;
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			bool on = false;
			if (xf_yaml_get_bool(&l->y, ex, flags[i].key, &on) == 1 &&
			    on)
				it->exclude |= flags[i].bit;
		}
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_item_metric(ld *l, const xf_yaml_node *n, xf_item *it)
{
	const xf_yaml_node *v = xf_yaml_get(n, "metric");
	if (v == NULL) {
		need_err(l, n, "metric", "per: metric ", "per: metric");
		return;
	}
	size_t mark = xf_yaml_key(&l->y, "metric");
	char *m = NULL;
	if (ident_value(l, v, false, &m) == 1) {
		it->metric = xf_policy_metric(l->p, m);
		if (it->metric < 0)
			xf_yaml_err(&l->y, v, "未知的指标，请先在 metrics 中列出 "
				    "(unknown metric; list it under metrics)");
	}
	free(m);
	xf_yaml_pop(&l->y, mark);
	get_num(l, n, "step_above", NUM_NONNEG, &it->step_above);
	get_num(l, n, "step_size", NUM_POS, &it->step_size);
}

/* Keys that belong to one `per` only. */
static void load_per_params(ld *l, const xf_yaml_node *n, xf_item *it, int per)
{
	static const struct {
		const char *key;
		int per;
	} only[] = {
		{"session_days", XF_PER_SESSION},
		{"class_hour_minutes", XF_PER_CLASS_HOUR},
		{"metric", XF_PER_METRIC},
		{"step_above", XF_PER_METRIC},
		{"step_size", XF_PER_METRIC},
	};
	if (per < 0)
		return;
	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (only[i].per == per || xf_yaml_get(n, only[i].key) == NULL)
			continue;
		char ctx[40];
		snprintf(ctx, sizeof(ctx), "per: %s", per_names[per]);
		unused_err(l, n, only[i].key, ctx);
	}
	if (per == XF_PER_SESSION)
		get_int(l, n, "session_days", 1, 366, &it->session_days);
	if (per == XF_PER_CLASS_HOUR)
		get_int(l, n, "class_hour_minutes", 1, 1440,
			&it->class_hour_minutes);
	if (per == XF_PER_METRIC)
		load_item_metric(l, n, it);
}

static void load_item(ld *l, const xf_yaml_node *n, int ci)
{
	static const char *const keys[] = {
		"*key", "*name", "article", "*per", "points",
		"speaker_points", "awarded_multiplier", "session_days",
		"class_hour_minutes", "cap", "exclude", "metric",
		"step_above", "step_size", NULL};
	xf_policy *p = l->p;
	if (p->nitems >= l->item_cap)
		return; /* past XF_MAX_ITEMS, reported with the categories */
	int idx = p->nitems++;
	xf_item *it = &p->items[idx];
	item_defaults(it, ci);
	if (!xf_yaml_map(&l->y, n, keys))
		return;
	char *key = NULL;
	const char *ckey = p->categories[ci].key;
	if (get_ident(l, n, "key", &key) == 1 && ckey != NULL)
		it->key = join_key(l, n, ckey, key);
	free(key);
	if (it->key && xf_policy_item(p, it->key) != idx)
		dup_err(l, n, "key");
	get_str(l, n, "name", &it->name);
	get_str(l, n, "article", &it->article);
	int per = -1;
	if (get_enum(l, n, "per", per_names, &per) == 1)
		it->per = (xf_per)per;
	load_points(l, n, it, per);
	get_num(l, n, "speaker_points", NUM_NONNEG, &it->speaker_points);
	get_num(l, n, "awarded_multiplier", NUM_NONNEG,
		&it->awarded_multiplier);
	get_num(l, n, "cap", NUM_NONNEG, &it->cap);
	load_per_params(l, n, it, per);
	load_exclude(l, n, it);
}

static void load_pass_counts(ld *l, const xf_yaml_node *v, xf_category *c)
{
	xf_policy *p = l->p;
	if (!ld_free_map(l, v, XF_MAX_ITEMS))
		return;
	int n = v->nkids / 2;
	c->pass_count_items = ld_calloc(l, v, (size_t)n, sizeof(int));
	c->pass_count_min = ld_calloc(l, v, (size_t)n, sizeof(double));
	if (n == 0 || !c->pass_count_items || !c->pass_count_min)
		return;
	for (int i = 0; i + 1 < v->nkids; i += 2) {
		const xf_yaml_node *k = v->kids[i];
		if (k->type != XF_YAML_SCALAR)
			continue;
		size_t mark = xf_yaml_key(&l->y, k->str);
		char *full = c->key ? join_key(l, k, c->key, k->str) : NULL;
		int item = full ? xf_policy_item(p, full) : -1;
		double min = 0;
		if (full && item < 0)
			xf_yaml_err(&l->y, k, "本类别中没有此项目 (no such item "
				    "in this category)");
		else if (item >= 0 &&
			 num_value(l, v->kids[i + 1], NUM_NONNEG, &min) == 1) {
			c->pass_count_items[c->npass_counts] = item;
			c->pass_count_min[c->npass_counts++] = min;
		}
		free(full);
		xf_yaml_pop(&l->y, mark);
	}
}

static void load_pass(ld *l, const xf_yaml_node *n, xf_category *c)
{
	static const char *const keys[] = {"min", "counts", NULL};
	const xf_yaml_node *v = xf_yaml_get(n, "pass");
	if (v == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "pass");
	if (xf_yaml_map(&l->y, v, keys)) {
		c->has_pass = true;
		get_num(l, v, "min", NUM_NONNEG, &c->pass_min);
		const xf_yaml_node *counts = xf_yaml_get(v, "counts");
		if (counts != NULL) {
			size_t mc = xf_yaml_key(&l->y, "counts");
			load_pass_counts(l, counts, c);
			xf_yaml_pop(&l->y, mc);
		}
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_category(ld *l, const xf_yaml_node *n, int ci)
{
	static const char *const keys[] = {
		"*key", "*name", "article", "cap", "pass", "*items", NULL};
	xf_policy *p = l->p;
	xf_category *c = &p->categories[ci];
	p->ncategories++;
	c->cap = INFINITY;
	c->first_item = p->nitems;
	if (!xf_yaml_map(&l->y, n, keys))
		return;
	if (get_ident(l, n, "key", &c->key) == 1 &&
	    xf_policy_category(p, c->key) != ci)
		dup_err(l, n, "key");
	get_str(l, n, "name", &c->name);
	get_str(l, n, "article", &c->article);
	get_num(l, n, "cap", NUM_NONNEG, &c->cap);
	const xf_yaml_node *s = get_seq(l, n, "items", XF_MAX_ITEMS, true);
	int ni = seq_count(s, XF_MAX_ITEMS);
	size_t mark = xf_yaml_key(&l->y, "items");
	for (int i = 0; i < ni; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		load_item(l, s->kids[i], ci);
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
	c->nitems = p->nitems - c->first_item;
	load_pass(l, n, c);
}

/* Entries of the lists s[i].key over the first n entries of s (each list
 * counted up to max): the items of all categories, the lines of all
 * sections. */
static int count_entries(const xf_yaml_node *s, int n, const char *key, int max)
{
	int total = 0;
	for (int i = 0; i < n; i++) {
		const xf_yaml_node *v = xf_yaml_get(s->kids[i], key);
		if (v != NULL && v->type == XF_YAML_SEQ)
			total += v->nkids < max ? v->nkids : max;
	}
	return total;
}

static void load_categories(ld *l, const xf_yaml_node *root)
{
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "categories", XF_MAX_CATEGORIES,
					false);
	int n = seq_count(s, XF_MAX_CATEGORIES);
	if (n == 0)
		return;
	size_t mark = xf_yaml_key(&l->y, "categories");
	int total = count_entries(s, n, "items", XF_MAX_ITEMS);
	if (total > XF_MAX_ITEMS) {
		xf_yaml_err(&l->y, s, "共有 %d 个项目，最多 %d 个 (%d items, at "
			    "most %d)", total, XF_MAX_ITEMS, total, XF_MAX_ITEMS);
		total = XF_MAX_ITEMS;
	}
	p->categories = ld_calloc(l, s, (size_t)n, sizeof(*p->categories));
	p->items = ld_calloc(l, s, (size_t)total, sizeof(*p->items));
	l->item_cap = p->items ? total : 0;
	for (int i = 0; p->categories != NULL && i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		load_category(l, s->kids[i], i);
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Requirement and counted months ---------------------------------- */

static void load_roles(ld *l, const xf_yaml_node *req)
{
	static const char *const keys[] = {"*key", "*name", "*required", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, req, "by_role", MAX_ROLES, true);
	int n = seq_count(s, MAX_ROLES);
	p->roles = ld_calloc(l, s, (size_t)n, sizeof(*p->roles));
	if (p->roles == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "by_role");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *e = s->kids[i];
		xf_role *r = &p->roles[p->nroles++];
		if (xf_yaml_map(&l->y, e, keys)) {
			if (get_ident(l, e, "key", &r->key) == 1 &&
			    xf_policy_role(p, r->key) != i)
				dup_err(l, e, "key");
			get_str(l, e, "name", &r->name);
			get_num(l, e, "required", NUM_NONNEG, &r->required);
		}
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_items_at_least(ld *l, const xf_yaml_node *req)
{
	xf_policy *p = l->p;
	const xf_yaml_node *v = xf_yaml_get(req, "items_at_least");
	if (v == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "items_at_least");
	if (ld_free_map(l, v, XF_MAX_ITEMS)) {
		int n = v->nkids / 2;
		p->require_items = ld_calloc(l, v, (size_t)n, sizeof(int));
		p->require_item_min = ld_calloc(l, v, (size_t)n,
						sizeof(double));
		for (int i = 0; p->require_items && p->require_item_min &&
				i + 1 < v->nkids; i += 2) {
			const xf_yaml_node *k = v->kids[i];
			size_t mk = xf_yaml_key(&l->y, k->str);
			int item = xf_policy_item(p, k->str);
			double min = 0;
			if (item < 0)
				xf_yaml_err(&l->y, k, "未知的项目 (unknown item)");
			else if (num_value(l, v->kids[i + 1], NUM_NONNEG,
					   &min) == 1) {
				p->require_items[p->nrequire_items] = item;
				p->require_item_min[p->nrequire_items++] = min;
			}
			xf_yaml_pop(&l->y, mk);
		}
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_requirement(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {
		"by_role", "required", "prorate", "items_at_least", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *req = xf_yaml_get(root, "requirement");
	if (req == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "requirement");
	if (xf_yaml_map(&l->y, req, keys)) {
		p->has_required = true;
		bool by_role = xf_yaml_get(req, "by_role") != NULL;
		bool fixed = xf_yaml_get(req, "required") != NULL;
		if (by_role && fixed)
			xf_yaml_err(&l->y, req, "by_role 与 required 只能用其一 "
				    "(give by_role or required, not both)");
		else if (!by_role && !fixed)
			xf_yaml_err(&l->y, req, "缺少 required 或 by_role (missing "
				    "required or by_role)");
		if (by_role)
			load_roles(l, req);
		get_num(l, req, "required", NUM_NONNEG, &p->required);
		xf_yaml_get_bool(&l->y, req, "prorate", &p->prorate);
		load_items_at_least(l, req);
	}
	xf_yaml_pop(&l->y, mark);
}

static const char *const period_names[] = {
	"secondment", "sick_leave", "leave", NULL};

/* A list of period kinds into a bitset; -1 on error, else 1 (0 absent). */
static int get_periods(ld *l, const xf_yaml_node *m, const char *key, bool nonempty,
		       uint8_t *out)
{
	if (xf_yaml_get(m, key) == NULL)
		return 0;
	const xf_yaml_node *s = get_seq(l, m, key, MAX_PERIOD_LIST, nonempty);
	if (s == NULL)
		return -1;
	int n = seq_count(s, MAX_PERIOD_LIST);
	int rc = 1;
	size_t mark = xf_yaml_key(&l->y, key);
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		int k = 0;
		if (enum_value(l, s->kids[i], period_names, &k) == 1)
			*out |= (uint8_t)(1u << k);
		else
			rc = -1;
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
	return rc;
}

static void load_months(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"joined", "not_counted", NULL};
	static const char *const joins[] = {"same_month", "next_month", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *m = xf_yaml_get(root, "months");
	if (m == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "months");
	if (xf_yaml_map(&l->y, m, keys)) {
		int j = 0;
		if (get_enum(l, m, "joined", joins, &j) == 1)
			p->join_rule = (xf_join_rule)j;
		get_periods(l, m, "not_counted", false, &p->uncounted_periods);
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Exemptions -------------------------------------------------------- */

static const char *const exempt_whens[] = {
	"period_months_over", "period_months_at_least", "not_participating",
	"flag", "new_months_below", NULL};

/* Which of periods / months / flag each `when` takes. */
static const struct {
	bool periods, months, flag;
} exempt_needs[] = {
	[XF_EXEMPT_PERIOD_MONTHS_OVER] = {true, true, false},
	[XF_EXEMPT_PERIOD_MONTHS_AT_LEAST] = {true, true, false},
	[XF_EXEMPT_NOT_PARTICIPATING] = {false, false, false},
	[XF_EXEMPT_FLAG] = {false, false, true},
	[XF_EXEMPT_NEW_MONTHS_BELOW] = {false, true, false},
};

static int flag_ref(ld *l, const xf_yaml_node *v)
{
	char *key = NULL;
	int f = -1;
	if (ident_value(l, v, false, &key) == 1) {
		f = xf_policy_flag(l->p, key);
		if (f < 0)
			xf_yaml_err(&l->y, v, "未知的标记，请先在 flags 中列出 "
				    "(unknown flag; list it under flags)");
	}
	free(key);
	return f;
}

static void load_exempt_condition(ld *l, const xf_yaml_node *e, xf_exempt_rule *r)
{
	static const char *const cond_keys[] = {"periods", "months", "flag"};
	bool needs[3] = {exempt_needs[r->when].periods,
			 exempt_needs[r->when].months,
			 exempt_needs[r->when].flag};
	char ctx[48];
	snprintf(ctx, sizeof(ctx), "when: %s", exempt_whens[r->when]);
	for (int k = 0; k < 3; k++) {
		bool given = xf_yaml_get(e, cond_keys[k]) != NULL;
		if (needs[k] && !given)
			need_err(l, e, cond_keys[k], ctx, ctx);
		else if (!needs[k] && given)
			unused_err(l, e, cond_keys[k], ctx);
	}
	if (needs[0])
		get_periods(l, e, "periods", true, &r->period_kinds);
	if (needs[1])
		get_int(l, e, "months", 0, 12, &r->months);
	const xf_yaml_node *f = xf_yaml_get(e, "flag");
	if (needs[2] && f != NULL) {
		size_t mark = xf_yaml_key(&l->y, "flag");
		r->flag = flag_ref(l, f);
		xf_yaml_pop(&l->y, mark);
	}
}

static void load_exempt(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {
		"*reason", "*name", "article", "*when", "periods", "months",
		"flag", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "exempt", MAX_EXEMPT, false);
	int n = seq_count(s, MAX_EXEMPT);
	p->exempt = ld_calloc(l, s, (size_t)n, sizeof(*p->exempt));
	if (p->exempt == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "exempt");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *e = s->kids[i];
		xf_exempt_rule *r = &p->exempt[p->nexempt++];
		r->flag = -1;
		if (xf_yaml_map(&l->y, e, keys)) {
			get_ident(l, e, "reason", &r->reason);
			get_str(l, e, "name", &r->name);
			get_str(l, e, "article", &r->article);
			int w = 0;
			if (get_enum(l, e, "when", exempt_whens, &w) == 1) {
				r->when = (xf_exempt_when)w;
				load_exempt_condition(l, e, r);
			}
		}
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_annualise(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"*per_month", "*full", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *a = xf_yaml_get(root, "annualise");
	if (a == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "annualise");
	if (xf_yaml_map(&l->y, a, keys)) {
		p->annualise = true;
		get_num(l, a, "per_month", NUM_POS, &p->annualise_per_month);
		get_num(l, a, "full", NUM_POS, &p->annualise_full);
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Grades and result flags ----------------------------------------- */

/* Sorts bands by min, highest first (stable), keeping nodes alongside. */
static void sort_bands(xf_grade_band *g, const xf_yaml_node **nodes, int n)
{
	for (int i = 1; i < n; i++) {
		xf_grade_band b = g[i];
		const xf_yaml_node *bn = nodes[i];
		int j = i;
		for (; j > 0 && g[j - 1].min < b.min; j--) {
			g[j] = g[j - 1];
			nodes[j] = nodes[j - 1];
		}
		g[j] = b;
		nodes[j] = bn;
	}
}

static void load_bands(ld *l, const xf_yaml_node *gr)
{
	static const char *const keys[] = {"*key", "*name", "*min", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, gr, "bands", MAX_GRADES, true);
	int n = seq_count(s, MAX_GRADES);
	p->grades = ld_calloc(l, s, (size_t)n, sizeof(*p->grades));
	if (p->grades == NULL)
		return;
	const xf_yaml_node *nodes[MAX_GRADES];
	bool ok = true;
	size_t mark = xf_yaml_key(&l->y, "bands");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *e = s->kids[i];
		xf_grade_band *b = &p->grades[p->ngrades++];
		nodes[i] = e;
		if (!xf_yaml_map(&l->y, e, keys)) {
			ok = false;
		} else {
			if (get_ident(l, e, "key", &b->key) == 1 &&
			    xf_policy_grade(p, b->key) != i)
				dup_err(l, e, "key");
			get_str(l, e, "name", &b->name);
			ok = get_num(l, e, "min", NUM_ANY, &b->min) == 1 && ok;
		}
		xf_yaml_pop(&l->y, mi);
	}
	if (!ok) {
		xf_yaml_pop(&l->y, mark);
		return;
	}
	sort_bands(p->grades, nodes, n);
	for (int i = 1; i < n; i++) {
		if (p->grades[i].min != p->grades[i - 1].min)
			continue;
		int at = 0;
		while (at < n && s->kids[at] != nodes[i])
			at++;
		size_t mm = xf_yaml_push(&l->y, "[%d].min", at);
		xf_yaml_err(&l->y, xf_yaml_get(nodes[i], "min"),
			    "与另一等级的下限相同 (same min as another band)");
		xf_yaml_pop(&l->y, mm);
	}
	xf_yaml_pop(&l->y, mark);
}

/* A list of keys (flags or categories) into a bitset. */
static void load_veto(ld *l, const xf_yaml_node *gr, const char *key,
		      bool categories, uint32_t *out)
{
	xf_policy *p = l->p;
	int max = categories ? XF_MAX_CATEGORIES : XF_MAX_FLAGS;
	const xf_yaml_node *s = get_seq(l, gr, key, max, false);
	int n = seq_count(s, max);
	size_t mark = xf_yaml_key(&l->y, key);
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *v = s->kids[i];
		if (!categories) {
			int f = flag_ref(l, v);
			if (f >= 0)
				*out |= 1u << f;
		} else {
			char *ck = NULL;
			int c = -1;
			if (ident_value(l, v, false, &ck) == 1)
				c = xf_policy_category(p, ck);
			if (ck && c < 0)
				xf_yaml_err(&l->y, v, "未知的类别 (unknown "
					    "category)");
			else if (c >= 0 && !p->categories[c].has_pass)
				xf_yaml_err(&l->y, v, "该类别没有单项合格线 pass "
					    "(this category has no pass line)");
			else if (c >= 0)
				*out |= 1u << c;
			free(ck);
		}
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static int grade_ref(ld *l, const xf_yaml_node *v)
{
	char *key = NULL;
	int g = -1;
	if (ident_value(l, v, false, &key) == 1) {
		g = xf_policy_grade(l->p, key);
		if (g < 0)
			xf_yaml_err(&l->y, v, "未知的等级，请先在 grades.bands "
				    "中列出 (unknown grade; list it under "
				    "grades.bands)");
	}
	free(key);
	return g;
}

static void load_grades(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {
		"*bands", "fail", "veto_flags", "veto_unpassed", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *gr = xf_yaml_get(root, "grades");
	if (gr == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "grades");
	if (xf_yaml_map(&l->y, gr, keys)) {
		load_bands(l, gr);
		const xf_yaml_node *f = xf_yaml_get(gr, "fail");
		if (f != NULL) {
			size_t mf = xf_yaml_key(&l->y, "fail");
			p->fail_grade = grade_ref(l, f);
			xf_yaml_pop(&l->y, mf);
		}
		load_veto(l, gr, "veto_flags", false, &p->veto_flags);
		load_veto(l, gr, "veto_unpassed", true, &p->veto_unpassed);
		bool veto = xf_yaml_get(gr, "veto_flags") ||
			    xf_yaml_get(gr, "veto_unpassed");
		if (veto && f == NULL)
			need_err(l, gr, "fail", "veto_flags/veto_unpassed ",
				 "veto_flags/veto_unpassed");
	}
	xf_yaml_pop(&l->y, mark);
}

static int rflag_index(const xf_policy *p, const char *key)
{
	for (int i = 0; i < p->nresult_flags; i++)
		if (p->result_flags[i].key &&
		    strcmp(p->result_flags[i].key, key) == 0)
			return i;
	return -1;
}

static void load_rflag_condition(ld *l, const xf_yaml_node *e, xf_result_flag *f)
{
	if (f->when == XF_RFLAG_GRADE_STREAK) {
		if (xf_yaml_get(e, "min"))
			unused_err(l, e, "min", "when: grade_streak");
		const xf_yaml_node *g = xf_yaml_get(e, "grade");
		if (g == NULL) {
			need_err(l, e, "grade", "when: grade_streak ",
				 "when: grade_streak");
		} else {
			size_t mark = xf_yaml_key(&l->y, "grade");
			f->grade = grade_ref(l, g);
			xf_yaml_pop(&l->y, mark);
		}
		get_int(l, e, "years", 0, 50, &f->years);
		return;
	}
	if (xf_yaml_get(e, "grade"))
		unused_err(l, e, "grade", "when: total_at_least");
	if (xf_yaml_get(e, "years"))
		unused_err(l, e, "years", "when: total_at_least");
	if (xf_yaml_get(e, "min") == NULL)
		need_err(l, e, "min", "when: total_at_least ",
			 "when: total_at_least");
	get_num(l, e, "min", NUM_ANY, &f->min_total);
}

static void load_result_flags(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {
		"*key", "*name", "article", "*when", "grade", "years", "min",
		NULL};
	static const char *const whens[] = {
		"grade_streak", "total_at_least", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, root, "result_flags",
					XF_MAX_RESULT_FLAGS, false);
	int n = seq_count(s, XF_MAX_RESULT_FLAGS);
	p->result_flags = ld_calloc(l, s, (size_t)n, sizeof(*p->result_flags));
	if (p->result_flags == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "result_flags");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *e = s->kids[i];
		xf_result_flag *f = &p->result_flags[p->nresult_flags++];
		f->grade = -1;
		f->years = 1;
		if (xf_yaml_map(&l->y, e, keys)) {
			if (get_ident(l, e, "key", &f->key) == 1 &&
			    rflag_index(p, f->key) != i)
				dup_err(l, e, "key");
			get_str(l, e, "name", &f->name);
			get_str(l, e, "article", &f->article);
			int w = 0;
			if (get_enum(l, e, "when", whens, &w) == 1) {
				f->when = (xf_rflag_when)w;
				load_rflag_condition(l, e, f);
			}
		}
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Award, outputs, growth, groups ---------------------------------- */

static void load_award(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"*quota", "needs_met", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *a = xf_yaml_get(root, "award");
	if (a == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "award");
	if (xf_yaml_map(&l->y, a, keys)) {
		p->has_award = true;
		get_num(l, a, "quota", NUM_FRACTION, &p->award_quota);
		if (xf_yaml_get_bool(&l->y, a, "needs_met",
				     &p->award_needs_met) == 1 &&
		    p->award_needs_met && !p->has_required) {
			size_t mn = xf_yaml_key(&l->y, "needs_met");
			xf_yaml_err(&l->y, xf_yaml_get(a, "needs_met"),
				    "需要 requirement (needs a requirement "
				    "section)");
			xf_yaml_pop(&l->y, mn);
		}
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_outputs(ld *l, const xf_yaml_node *root)
{
	xf_policy *p = l->p;
	const xf_yaml_node *o = xf_yaml_get(root, "outputs");
	if (o == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "outputs");
	if (ld_free_map(l, o, MAX_OUTPUTS)) {
		int n = o->nkids / 2;
		p->item_outputs = ld_calloc(l, o, (size_t)n,
					    sizeof(*p->item_outputs));
		for (int i = 0; p->item_outputs && i + 1 < o->nkids; i += 2) {
			const xf_yaml_node *k = o->kids[i];
			const xf_yaml_node *v = o->kids[i + 1];
			size_t mk = xf_yaml_key(&l->y, k->str);
			xf_item_output *out =
				&p->item_outputs[p->nitem_outputs++];
			out->item = -1;
			ident_value(l, k, false, &out->key);
			if (v->type == XF_YAML_SCALAR && !xf_yaml_is_null(v))
				out->item = xf_policy_item(p, v->str);
			if (v->type != XF_YAML_SCALAR || xf_yaml_is_null(v))
				xf_yaml_err(&l->y, v, "应为项目标识 (expected an "
					    "item id)");
			else if (out->item < 0)
				xf_yaml_err(&l->y, v, "未知的项目 (unknown item)");
			xf_yaml_pop(&l->y, mk);
		}
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_growth_flags(ld *l, const xf_yaml_node *g)
{
	static const char *const keys[] = {"*key", "*name", "*min", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *s = get_seq(l, g, "flags", XF_MAX_RESULT_FLAGS, false);
	int n = seq_count(s, XF_MAX_RESULT_FLAGS);
	p->growth_flags = ld_calloc(l, s, (size_t)n, sizeof(*p->growth_flags));
	if (p->growth_flags == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "flags");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		const xf_yaml_node *e = s->kids[i];
		xf_growth_flag *f = &p->growth_flags[p->ngrowth_flags++];
		if (xf_yaml_map(&l->y, e, keys)) {
			if (get_ident(l, e, "key", &f->key) == 1) {
				for (int j = 0; j < i; j++) {
					const char *k = p->growth_flags[j].key;
					if (k && strcmp(k, f->key) == 0)
						dup_err(l, e, "key");
				}
			}
			get_str(l, e, "name", &f->name);
			get_num(l, e, "min", NUM_ANY, &f->min);
		}
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_growth(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"*metric", "key", "flags", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *g = xf_yaml_get(root, "growth");
	if (g == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "growth");
	if (xf_yaml_map(&l->y, g, keys)) {
		p->has_growth = true;
		char *m = NULL;
		if (get_ident(l, g, "metric", &m) == 1) {
			p->growth_metric = xf_policy_metric(p, m);
			if (p->growth_metric < 0) {
				size_t mm = xf_yaml_key(&l->y, "metric");
				xf_yaml_err(&l->y, xf_yaml_get(g, "metric"),
					    "未知的指标，请先在 metrics 中列出 "
					    "(unknown metric; list it under "
					    "metrics)");
				xf_yaml_pop(&l->y, mm);
			}
		}
		free(m);
		if (get_ident(l, g, "key", &p->growth_key) == 0)
			p->growth_key = ld_strdup(l, g, "growth");
		load_growth_flags(l, g);
	}
	xf_yaml_pop(&l->y, mark);
}

static void load_groups(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"*name", "bottom", "best", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *g = xf_yaml_get(root, "groups");
	if (g == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "groups");
	if (xf_yaml_map(&l->y, g, keys)) {
		p->has_groups = true;
		get_str(l, g, "name", &p->group_name);
		get_int(l, g, "bottom", 0, 1000, &p->bottom_n);
		xf_yaml_get_bool(&l->y, g, "best", &p->best_group);
		if (!p->has_growth)
			xf_yaml_err(&l->y, g, "需要 growth (groups need a growth "
				    "section)");
	}
	xf_yaml_pop(&l->y, mark);
}

/* ---- Scorecard ---------------------------------------------------------- */

static void load_line(ld *l, const xf_yaml_node *e, int si, double *sum)
{
	static const char *const keys[] = {"*key", "*name", "*max", NULL};
	xf_policy *p = l->p;
	if (p->nlines >= l->line_cap)
		return;
	int idx = p->nlines++;
	xf_line *ln = &p->lines[idx];
	ln->section = si;
	if (!xf_yaml_map(&l->y, e, keys))
		return;
	char *key = NULL;
	if (get_ident(l, e, "key", &key) == 1 && p->sections[si].key)
		ln->key = join_key(l, e, p->sections[si].key, key);
	free(key);
	if (ln->key && xf_policy_line(p, ln->key) != idx)
		dup_err(l, e, "key");
	get_str(l, e, "name", &ln->name);
	if (get_num(l, e, "max", NUM_NONNEG, &ln->max) == 1)
		*sum += ln->max;
}

static void load_section(ld *l, const xf_yaml_node *e, int si)
{
	static const char *const keys[] = {"*key", "*name", "*max", "*lines",
					   NULL};
	xf_policy *p = l->p;
	xf_section *sec = &p->sections[si];
	p->nsections++;
	if (!xf_yaml_map(&l->y, e, keys))
		return;
	if (get_ident(l, e, "key", &sec->key) == 1) {
		for (int j = 0; j < si; j++)
			if (p->sections[j].key &&
			    strcmp(p->sections[j].key, sec->key) == 0)
				dup_err(l, e, "key");
	}
	get_str(l, e, "name", &sec->name);
	int has_max = get_num(l, e, "max", NUM_NONNEG, &sec->max);
	const xf_yaml_node *s = get_seq(l, e, "lines", XF_MAX_LINES, true);
	int n = seq_count(s, XF_MAX_LINES);
	double sum = 0;
	size_t mark = xf_yaml_key(&l->y, "lines");
	for (int i = 0; i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		load_line(l, s->kids[i], si, &sum);
		xf_yaml_pop(&l->y, mi);
	}
	if (has_max == 1 && n > 0 && sum > sec->max + 1e-9)
		xf_yaml_err(&l->y, s, "各项满分之和 %g 超过本部分满分 %g (line "
			    "maxima add up to %g, more than the section max "
			    "%g)", sum, sec->max, sum, sec->max);
	xf_yaml_pop(&l->y, mark);
}

static void load_scorecard(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {"*sections", NULL};
	xf_policy *p = l->p;
	const xf_yaml_node *sc = xf_yaml_get(root, "scorecard");
	if (sc == NULL)
		return;
	size_t mark = xf_yaml_key(&l->y, "scorecard");
	if (!xf_yaml_map(&l->y, sc, keys)) {
		xf_yaml_pop(&l->y, mark);
		return;
	}
	const xf_yaml_node *s = get_seq(l, sc, "sections", XF_MAX_LINES, true);
	int n = seq_count(s, XF_MAX_LINES);
	size_t ms = xf_yaml_key(&l->y, "sections");
	int total = count_entries(s, n, "lines", XF_MAX_LINES);
	if (total > XF_MAX_LINES) {
		xf_yaml_err(&l->y, s, "共有 %d 个评分项，最多 %d 个 (%d lines, "
			    "at most %d)", total, XF_MAX_LINES, total,
			    XF_MAX_LINES);
		total = XF_MAX_LINES;
	}
	p->sections = ld_calloc(l, s, (size_t)n, sizeof(*p->sections));
	p->lines = ld_calloc(l, s, (size_t)total, sizeof(*p->lines));
	l->line_cap = p->lines ? total : 0;
	for (int i = 0; p->sections != NULL && i < n; i++) {
		size_t mi = xf_yaml_idx(&l->y, i);
		load_section(l, s->kids[i], i);
		xf_yaml_pop(&l->y, mi);
	}
	xf_yaml_pop(&l->y, ms);
	xf_yaml_pop(&l->y, mark);
}

/* ---- The whole document ---------------------------------------------- */

static void load_top(ld *l, const xf_yaml_node *root)
{
	static const char *const keys[] = {
		"*id", "*title", "source", "levels", "flags", "metrics",
		"categories", "requirement", "months", "exempt", "annualise",
		"grades", "result_flags", "award", "outputs", "growth",
		"groups", "scorecard", NULL};
	xf_policy *p = l->p;
	if (!xf_yaml_map(&l->y, root, keys))
		return;
	const xf_yaml_node *id = xf_yaml_get(root, "id");
	if (id != NULL) {
		size_t mark = xf_yaml_key(&l->y, "id");
		ident_value(l, id, true, &p->id);
		xf_yaml_pop(&l->y, mark);
	}
	get_str(l, root, "title", &p->title);
	get_str(l, root, "source", &p->source);
	load_levels(l, root);
	load_flags(l, root);
	load_metrics(l, root);
	load_categories(l, root);
	load_requirement(l, root);
	load_months(l, root);
	load_exempt(l, root);
	load_annualise(l, root);
	load_grades(l, root);
	load_result_flags(l, root);
	load_award(l, root);
	load_outputs(l, root);
	load_growth(l, root);
	load_groups(l, root);
	load_scorecard(l, root);
}

static xf_policy *policy_new(void)
{
	xf_policy *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->fail_grade = -1;
	p->growth_metric = -1;
	p->join_rule = XF_JOIN_SAME_MONTH;
	return p;
}

xf_policy *xf_policy_parse(const char *text, size_t len, const char *name,
			   xf_errs *errs)
{
	ld l;
	memset(&l, 0, sizeof(l));
	xf_yaml_init(&l.y, name ? name : "policy", errs, NULL);
	xf_yaml_node *root = NULL;
	if (xf_yaml_parse(&l.y, text, len, &root) == 0 && root == NULL)
		xf_yaml_at(&l.y, 1, 1, "文档为空 (empty document)");
	xf_policy *p = NULL;
	if (root != NULL) {
		p = policy_new();
		l.p = p;
		if (p == NULL)
			xf_yaml_oom(&l.y, root);
		else
			load_top(&l, root);
	}
	xf_yaml_free(root);
	if (p != NULL && l.y.nerr == 0) {
		p->path = strdup(l.y.name);
		if (p->path == NULL)
			xf_yaml_at(&l.y, 1, 1, "内存不足 (out of memory)");
	}
	if (l.y.nerr > 0) {
		xf_policy_free(p);
		return NULL;
	}
	return p;
}
