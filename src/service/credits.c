/* credits: the credit views of the API, computed live by the engine (see
 * credits.h). A person's year is one pass of the loader over one person
 * (a fixed number of point queries, prepared once per call) and one engine
 * run with its trace; a unit's summary streams the people of the unit's
 * subtree through the engine, policy by policy, keeping only what the
 * answer shows (bounded lists, counts, sums and the group pass). */
#include "service/credits.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/num.h"
#include "core/strmap.h"
#include "core/utf8.h"
#include "engine/engine.h"
#include "engine/group.h"
#include "io/jsonw.h"
#include "io/result_json.h"
#include "service/assess_load.h"

#define EPS 1e-9
#define MAX_SUGGESTIONS 3
#define NOT_MET_MAX 500       /* not_met entries listed; the rest counted */
#define AWARD_LIST_MAX 500    /* award candidates listed; the rest counted */
#define TREND_METRICS 4       /* monthly trends kept for a policy's first metrics */
#define RANKING_DEFAULT 20
#define RANKING_MAX 1000
#define TEXT_MAX 2048         /* one explanation or one missing sentence */

/* ---- shared helpers ---- */

static int64_t cents(double v)
{
	return (int64_t)llround(v * 100.0);
}

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
}

/* ---- suggestions: what would close a gap ---- */

/* One way to earn credits: `units` of item (at level, -1 none), worth
 * `per` each; `gives` is what it adds once caps are applied. */
typedef struct sugg {
	int item;
	int level;
	double units, per, gives;
} sugg;

/* Room left in item i: its own cap and its category's (cat_used: what
 * other suggestions already take from each category, may be NULL). */
static double item_room(const xf_policy *p, const xf_result *r, int i, const double *cat_used)
{
	const xf_item *it = &p->items[i];
	const xf_category *c = &p->categories[it->category];
	double room = it->cap - r->items[i];
	double croom = c->cap - r->categories[it->category] - (cat_used ? cat_used[it->category] : 0);
	if (croom < room)
		room = croom;
	return room > EPS ? room : 0;
}

/* The least effort to earn `want` credits from item i, given `room`:
 * the fewest units, then the smallest value per unit (the lower level,
 * the easier one to come by). False when the item cannot be earned by
 * units (fixed credits, monthly metrics, a once-a-year item already had,
 * no room). */
static bool item_option(const xf_policy *p, const xf_result *r, int i, double want, double room,
			sugg *out)
{
	const xf_item *it = &p->items[i];
	if (room <= EPS || want <= EPS)
		return false;
	if (it->per == XF_PER_CREDITS || it->per == XF_PER_METRIC)
		return false;
	if (it->per == XF_PER_YEAR && r->item_units[i] > EPS)
		return false;
	if (want > room)
		want = room;
	bool found = false;
	int nlv = it->level_points ? p->nlevels : 1;
	for (int lv = 0; lv < nlv; lv++) {
		double per = it->level_points ? it->level_points[lv] : it->points;
		if (!(per > EPS))
			continue; /* NAN: the item does not take this level */
		double n = it->per == XF_PER_YEAR ? 1 : ceil(want / per - 1e-7);
		if (n < 1)
			n = 1;
		if ((it->exclude & XF_EX_MIN_UNITS) && n < it->min_units)
			n = ceil(it->min_units - 1e-7);
		if (!found || n < out->units || (n == out->units && per < out->per)) {
			*out = (sugg){i, it->level_points ? lv : -1, n, per, fmin(n * per, room)};
			found = true;
		}
	}
	return found;
}

static int sugg_cmp(const void *a, const void *b)
{
	const sugg *x = a, *y = b;
	if (x->units != y->units)
		return x->units < y->units ? -1 : 1;
	if (x->per != y->per)
		return x->per < y->per ? -1 : 1;
	return x->item - y->item;
}

/* Up to MAX_SUGGESTIONS ways to earn `gap` from the items of category
 * `cat` (-1: every item). Each closes the gap alone when any item can
 * (*together false); otherwise they are one plan, taken together, the
 * items with the most room first (*together true), and *left is what even
 * the plan cannot close. Returns how many. */
static int suggest(const xf_policy *p, const xf_result *r, double gap, int cat,
		   const double *cat_used, sugg out[MAX_SUGGESTIONS], bool *together, double *left)
{
	sugg all[XF_MAX_ITEMS];
	int n = 0;
	*together = false;
	*left = 0;
	for (int i = 0; i < p->nitems; i++) {
		if (cat >= 0 && p->items[i].category != cat)
			continue;
		double room = item_room(p, r, i, cat_used);
		if (room + EPS >= gap && item_option(p, r, i, gap, room, &all[n]))
			n++;
	}
	if (n > 0) {
		qsort(all, (size_t)n, sizeof(all[0]), sugg_cmp);
		if (n > MAX_SUGGESTIONS)
			n = MAX_SUGGESTIONS;
		memcpy(out, all, (size_t)n * sizeof(*out));
		return n;
	}
	/* No item closes it alone: a plan over several. */
	double used[XF_MAX_CATEGORIES];
	bool taken[XF_MAX_ITEMS] = {false};
	for (int c = 0; c < p->ncategories; c++)
		used[c] = cat_used ? cat_used[c] : 0;
	*together = true;
	double rest = gap;
	while (rest > EPS && n < MAX_SUGGESTIONS) {
		int best = -1;
		double best_room = 0;
		sugg s = {0};
		for (int i = 0; i < p->nitems; i++) {
			if (taken[i] || (cat >= 0 && p->items[i].category != cat))
				continue;
			double room = item_room(p, r, i, used);
			sugg t;
			if (room > best_room + EPS && item_option(p, r, i, rest, room, &t)) {
				best = i;
				best_room = room;
				s = t;
			}
		}
		if (best < 0)
			break;
		taken[best] = true;
		used[p->items[best].category] += s.gives;
		rest -= s.gives;
		out[n++] = s;
	}
	*left = rest > EPS ? rest : 0;
	return n;
}

/* "再参加 3 次市级“学习培训”（每次 4 学分）" */
static void sugg_phrase(const xf_policy *p, const sugg *s, char *buf, size_t size)
{
	const xf_item *it = &p->items[s->item];
	const char *m = xf_item_measure(it);
	char n[32], per[32];
	const char *level = s->level >= 0 ? p->levels[s->level].name : "";
	xf_format_short(s->units, n);
	xf_format_short(s->per, per);
	switch (it->per) {
	case XF_PER_HOUR:
		snprintf(buf, size, "在“%s”再学习 %s 学时（每学时 %s 学分）", it->name, n, per);
		break;
	case XF_PER_CLASS_HOUR:
		snprintf(buf, size, "在“%s”再学习 %s 学时（每学时 %d 分钟，计 %s 学分）", it->name, n,
			 it->class_hour_minutes, per);
		break;
	case XF_PER_YEAR:
		snprintf(buf, size, "参加“%s”（每年计 %s 学分）", it->name, per);
		break;
	case XF_PER_MONTH:
		snprintf(buf, size, "参加 %s 个月%s“%s”（每月 %s 学分）", n, level, it->name, per);
		break;
	case XF_PER_DAY:
	case XF_PER_SESSION:
		snprintf(buf, size, "再参加 %s %s%s“%s”（每%s %s 学分）", n, m, level, it->name, m, per);
		break;
	default: /* counted: 次, 篇, 本 */
		if (strcmp(m, "本") == 0)
			snprintf(buf, size, "再读 %s 本%s书（“%s”每本 %s 学分）", n, level, it->name, per);
		else
			snprintf(buf, size, "%s %s %s%s“%s”（每%s %s 学分）",
				 strcmp(m, "次") == 0 ? "再参加" : "再完成", n, m, level, it->name, m, per);
		break;
	}
}

/* "；例如A，或B" (alternatives) or "；例如A，并B" (a plan). */
static void append_suggestions(const xf_policy *p, const sugg *s, int n, bool together,
			       double left, char *buf, size_t size)
{
	char phrase[256], num[32];
	for (int k = 0; k < n; k++) {
		sugg_phrase(p, &s[k], phrase, sizeof(phrase));
		xf_text_appendf(buf, size, "%s%s", k == 0 ? "；例如" : together ? "，并" : "，或", phrase);
	}
	if (n == 0)
		xf_text_appendf(buf, size, "（可计分的项目均已达到上限）");
	else if (left > EPS)
		xf_text_appendf(buf, size, "（其余 %s 学分已无可计分的项目）", xf_format_short(left, num));
}

static void write_suggestions(xf_jw *w, const xf_policy *p, const sugg *s, int n)
{
	xf_jw_key(w, "suggestions");
	xf_jw_arr(w);
	for (int k = 0; k < n; k++) {
		const xf_item *it = &p->items[s[k].item];
		xf_jw_obj(w);
		xf_jw_kstr(w, "item", it->key);
		xf_jw_kstr(w, "item_name", it->name);
		xf_jw_kstr(w, "level", s[k].level >= 0 ? p->levels[s[k].level].key : NULL);
		xf_jw_kstr(w, "level_name", s[k].level >= 0 ? p->levels[s[k].level].name : NULL);
		xf_jw_knum(w, "units", s[k].units);
		xf_jw_kstr(w, "unit_name", xf_item_measure(it));
		xf_jw_knum(w, "credits", s[k].per);
		xf_jw_knum(w, "gives", xf_round2(s[k].gives));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* ---- a person's missing credits ---- */

/* A pass line (单项合格) not reached: its credit gap, the counted units
 * still needed, and the suggestions. */
typedef struct pass_gap {
	int cat;
	double credits;
	int ncounts;
	int count_item[8];
	double count_need[8];
	sugg s[MAX_SUGGESTIONS + 8];
	int ns;
	bool together;
	char text[TEXT_MAX / 2];
} pass_gap;

/* A required item minimum (e.g. 必修课 24 学分) not reached. */
typedef struct item_gap {
	int item;
	double credits;
	sugg s;
	bool has_s;
	char text[512];
} item_gap;

typedef struct missing {
	bool any;
	bool has_credits;       /* a requirement exists and is not met */
	double credits;         /* required - final, at least 0 */
	sugg s[MAX_SUGGESTIONS];
	int ns;
	bool together;
	double left;
	item_gap items[8];
	int nitems;
	pass_gap pass[XF_MAX_CATEGORIES];
	int npass;
	char text[TEXT_MAX];
} missing;

static void missing_pass_line(const xf_policy *p, const xf_result *r, int c, pass_gap *g)
{
	const xf_category *cat = &p->categories[c];
	char num[32], num2[32];
	double used[XF_MAX_CATEGORIES] = {0};
	memset(g, 0, sizeof(*g));
	g->cat = c;
	g->credits = cat->pass_min - xf_round2(r->categories[c]);
	if (g->credits < 0)
		g->credits = 0;
	g->credits = xf_round2(g->credits);
	snprintf(g->text, sizeof(g->text), "“%s”类未达到单项合格", cat->name);
	if (g->credits > EPS)
		xf_text_appendf(g->text, sizeof(g->text), "，还差 %s 学分（合格线 %s 学分）",
		       xf_format_short(g->credits, num), xf_format_short(cat->pass_min, num2));
	/* Units an item must reach first (e.g. 4 次市干教办讲座): they earn
	 * credits too, which count against the credit gap. */
	double rest = g->credits;
	for (int k = 0; k < cat->npass_counts && g->ncounts < 8; k++) {
		int i = cat->pass_count_items[k];
		double need = ceil(cat->pass_count_min[k] - r->item_units[i] - 1e-7);
		if (need <= 0)
			continue;
		const xf_item *it = &p->items[i];
		g->count_item[g->ncounts] = i;
		g->count_need[g->ncounts] = need;
		g->ncounts++;
		xf_text_appendf(g->text, sizeof(g->text), "，“%s”还差 %s %s（需 %s %s）", it->name,
		       xf_format_short(need, num), xf_item_measure(it), xf_format_short(cat->pass_count_min[k], num2), xf_item_measure(it));
		sugg s;
		double room = item_room(p, r, i, used);
		double per = it->points;
		int level = -1;
		for (int lv = 0; it->level_points && lv < p->nlevels; lv++)
			if (it->level_points[lv] > EPS) {
				per = it->level_points[lv];
				level = lv;
				break;
			}
		s = (sugg){i, level, need, per, fmin(need * per, room)};
		used[c] += s.gives;
		rest -= s.gives;
		g->s[g->ns++] = s;
	}
	if (rest > EPS) {
		double left;
		bool together;
		int n = suggest(p, r, rest, c, used, &g->s[g->ns], &together, &left);
		/* With units an item must reach first, the plan is those units
		 * and one way to earn the rest. */
		if (g->ns > 0 && !together && n > 1)
			n = 1;
		g->together = g->ns > 0 || together;
		g->ns += n;
		append_suggestions(p, g->s, g->ns, g->together, left, g->text, sizeof(g->text));
	} else if (g->ns > 0) {
		g->together = true;
		append_suggestions(p, g->s, g->ns, true, 0, g->text, sizeof(g->text));
	}
}

static void missing_item(const xf_policy *p, const xf_result *r, int k, item_gap *g)
{
	int i = p->require_items[k];
	const xf_item *it = &p->items[i];
	char num[32], num2[32];
	memset(g, 0, sizeof(*g));
	g->item = i;
	g->credits = xf_round2(p->require_item_min[k] - xf_round2(r->items[i]));
	snprintf(g->text, sizeof(g->text), "“%s”还差 %s 学分（需 %s 学分）", it->name,
		 xf_format_short(g->credits, num), xf_format_short(p->require_item_min[k], num2));
	double room = item_room(p, r, i, NULL);
	g->has_s = item_option(p, r, i, g->credits, room, &g->s);
	if (g->has_s)
		append_suggestions(p, &g->s, 1, false, g->credits - g->s.gives, g->text, sizeof(g->text));
}

/* What the person still lacks: nothing when exempt or when every
 * requirement and pass line is met. */
static void find_missing(const xf_policy *p, const xf_result *r, missing *m)
{
	char num[32];
	memset(m, 0, sizeof(*m));
	if (r->exempt)
		return;
	if (r->has_required && r->met == XF_FALSE) {
		m->any = true;
		m->has_credits = true;
		m->credits = xf_round2(r->required - r->final);
		if (m->credits < 0)
			m->credits = 0;
		if (m->credits > EPS) {
			m->ns = suggest(p, r, m->credits, -1, NULL, m->s, &m->together, &m->left);
			snprintf(m->text, sizeof(m->text), "还差 %s 学分", xf_format_short(m->credits, num));
			append_suggestions(p, m->s, m->ns, m->together, m->left, m->text, sizeof(m->text));
		}
		for (int k = 0; k < p->nrequire_items && m->nitems < 8; k++) {
			int i = p->require_items[k];
			if (xf_round2(r->items[i]) + EPS >= p->require_item_min[k])
				continue;
			item_gap *g = &m->items[m->nitems++];
			missing_item(p, r, k, g);
			xf_text_appendf(m->text, sizeof(m->text), "%s%s", m->text[0] ? "。" : "", g->text);
		}
	}
	for (int c = 0; c < p->ncategories; c++) {
		if (!p->categories[c].has_pass || ((r->passed >> c) & 1u))
			continue;
		pass_gap *g = &m->pass[m->npass++];
		m->any = true;
		missing_pass_line(p, r, c, g);
		xf_text_appendf(m->text, sizeof(m->text), "%s%s", m->text[0] ? "。" : "", g->text);
	}
}

static void write_missing(xf_jw *w, const xf_policy *p, const missing *m)
{
	xf_jw_key(w, "missing");
	if (!m->any) {
		xf_jw_null(w);
		return;
	}
	xf_jw_obj(w);
	if (m->has_credits)
		xf_jw_kcredits(w, "credits", m->credits);
	else
		xf_jw_knull(w, "credits");
	xf_jw_kstr(w, "text", m->text);
	/* The headline suggestions: the requirement's, else the first item's
	 * or pass line's. */
	if (m->ns > 0 || m->credits > EPS) {
		write_suggestions(w, p, m->s, m->ns);
		xf_jw_kbool(w, "together", m->together);
	} else if (m->nitems > 0) {
		write_suggestions(w, p, &m->items[0].s, m->items[0].has_s ? 1 : 0);
		xf_jw_kbool(w, "together", false);
	} else if (m->npass > 0) {
		write_suggestions(w, p, m->pass[0].s, m->pass[0].ns);
		xf_jw_kbool(w, "together", m->pass[0].together);
	} else {
		write_suggestions(w, p, NULL, 0);
		xf_jw_kbool(w, "together", false);
	}
	xf_jw_key(w, "items");
	xf_jw_arr(w);
	for (int k = 0; k < m->nitems; k++) {
		const item_gap *g = &m->items[k];
		xf_jw_obj(w);
		xf_jw_kstr(w, "item", p->items[g->item].key);
		xf_jw_kstr(w, "item_name", p->items[g->item].name);
		xf_jw_kcredits(w, "credits", g->credits);
		xf_jw_kstr(w, "text", g->text);
		write_suggestions(w, p, &g->s, g->has_s ? 1 : 0);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_key(w, "pass_lines");
	xf_jw_arr(w);
	for (int k = 0; k < m->npass; k++) {
		const pass_gap *g = &m->pass[k];
		const xf_category *c = &p->categories[g->cat];
		xf_jw_obj(w);
		xf_jw_kstr(w, "category", c->key);
		xf_jw_kstr(w, "name", c->name);
		xf_jw_kcredits(w, "credits", g->credits);
		xf_jw_key(w, "counts");
		xf_jw_arr(w);
		for (int j = 0; j < g->ncounts; j++) {
			const xf_item *it = &p->items[g->count_item[j]];
			xf_jw_obj(w);
			xf_jw_kstr(w, "item", it->key);
			xf_jw_kstr(w, "item_name", it->name);
			xf_jw_knum(w, "units", g->count_need[j]);
			xf_jw_kstr(w, "unit_name", xf_item_measure(it));
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_kstr(w, "text", g->text);
		write_suggestions(w, p, g->s, g->ns);
		xf_jw_kbool(w, "together", g->together);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_obj_end(w);
}

/* ---- a person's records, as stored ---- */

/* The fields of one record row, kept while the person is assessed (the
 * engine form drops the text of kinds and activities it does not use). */
typedef struct raw_rec {
	long long id, claim_id;       /* claim_id -1: none */
	const char *date, *level, *kind, *activity;
	double count, days, months, hours, score, credits; /* NAN: not given */
	long long minutes, attended;  /* -1: not given */
	signed char tri[6];           /* passed, completed, online, approved, awarded, speaker; -1 */
} raw_rec;

typedef struct person_ctx {
	xf_arena arena;
	raw_rec *raw;
	size_t nraw, cap;
	xf_errs *errs;
} person_ctx;

static double opt_num(xf_stmt *st, int col)
{
	return xf_stmt_is_null(st, col) ? NAN : xf_stmt_double(st, col);
}

static int keep_record(void *ctx, xf_stmt *st, const xf_record *rec)
{
	person_ctx *pc = ctx;
	(void)rec;
	if (pc->nraw == pc->cap) {
		size_t cap = pc->cap ? pc->cap * 2 : 32;
		raw_rec *n = realloc(pc->raw, cap * sizeof(*n));
		if (n == NULL)
			goto oom;
		pc->raw = n;
		pc->cap = cap;
	}
	raw_rec *r = &pc->raw[pc->nraw];
	r->id = xf_stmt_int(st, 20);
	r->claim_id = xf_stmt_is_null(st, 21) ? -1 : xf_stmt_int(st, 21);
	const char *texts[4] = {xf_stmt_text(st, 2), xf_stmt_text(st, 3), xf_stmt_text(st, 14),
				xf_stmt_text(st, 18)};
	const char **dst[4] = {&r->date, &r->level, &r->kind, &r->activity};
	for (int k = 0; k < 4; k++) {
		*dst[k] = NULL;
		if (texts[k] && (*dst[k] = xf_arena_strdup(&pc->arena, texts[k])) == NULL)
			goto oom;
	}
	r->count = opt_num(st, 4);
	r->days = opt_num(st, 5);
	r->months = opt_num(st, 6);
	r->hours = opt_num(st, 7);
	r->score = opt_num(st, 10);
	r->credits = opt_num(st, 19);
	r->minutes = xf_stmt_is_null(st, 8) ? -1 : xf_stmt_int(st, 8);
	r->attended = xf_stmt_is_null(st, 9) ? -1 : xf_stmt_int(st, 9);
	static const int tri_cols[6] = {11, 12, 13, 15, 16, 17};
	for (int k = 0; k < 6; k++)
		r->tri[k] = (signed char)(xf_stmt_is_null(st, tri_cols[k]) ? -1
					  : xf_stmt_int(st, tri_cols[k]) != 0);
	pc->nraw++;
	return 0;
oom:
	oom(pc->errs);
	return -1;
}

/* What happened to each record, from the trace. */
typedef enum rec_status {
	RS_NONE,
	RS_COUNTED,
	RS_TRIMMED,
	RS_EXCLUDED,
	RS_DROPPED,
	RS_ONCE,
	RS_METRIC_ITEM
} rec_status;

static const char *const status_key[] = {
	[RS_NONE] = "not_counted", [RS_COUNTED] = "counted", [RS_TRIMMED] = "trimmed",
	[RS_EXCLUDED] = "excluded", [RS_DROPPED] = "same_activity", [RS_ONCE] = "once_a_year",
	[RS_METRIC_ITEM] = "metric_item",
};

typedef struct rec_fate {
	rec_status status;
	double value;       /* its worth before caps (0 when it does not count) */
	double counted;     /* what it counts after caps, attributed in order */
	bool item_trim, cat_trim;
	int ev_value;       /* trace event of its value, -1 */
	int ev_other;       /* the exclusion, same-activity or once event, -1 */
} rec_fate;

static size_t find_pos(const xf_record *recs, size_t n, int32_t index)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int32_t)recs[mid].index == index)
			return mid;
		if ((int32_t)recs[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/* Fills fate[] from the trace, then attributes the caps: within an item
 * its records count in their order until the item's capped value is
 * used; within a category its items count in the policy's order. */
static void record_fates(const xf_policy *p, const xf_input *in, const xf_result *r,
			 const xf_trace *t, rec_fate *fate, int *item_cap_ev, int *cat_cap_ev)
{
	size_t n = in->nrecords;
	for (size_t k = 0; k < n; k++)
		fate[k] = (rec_fate){RS_NONE, 0, 0, false, false, -1, -1};
	for (int i = 0; i < p->nitems; i++)
		item_cap_ev[i] = -1;
	for (int c = 0; c < p->ncategories; c++)
		cat_cap_ev[c] = -1;
	for (size_t e = 0; e < t->n; e++) {
		const xf_trace_event *ev = &t->ev[e];
		size_t k;
		switch (ev->kind) {
		case XF_T_VALUE:
		case XF_T_EXCLUDED:
		case XF_T_ONCE:
		case XF_T_NOT_RECORD:
			k = find_pos(in->records, n, ev->index);
			if (k == (size_t)-1)
				break;
			if (ev->kind == XF_T_VALUE) {
				fate[k].status = RS_COUNTED;
				fate[k].value = ev->a;
				fate[k].ev_value = (int)e;
			} else {
				fate[k].status = ev->kind == XF_T_EXCLUDED ? RS_EXCLUDED
						 : ev->kind == XF_T_ONCE   ? RS_ONCE
									   : RS_METRIC_ITEM;
				fate[k].ev_other = (int)e;
			}
			break;
		case XF_T_ACTIVITY:
			k = find_pos(in->records, n, ev->other);
			if (k != (size_t)-1) {
				fate[k].status = RS_DROPPED;
				fate[k].value = 0;
				fate[k].ev_other = (int)e;
			}
			break;
		case XF_T_ITEM_CAP:
			if (ev->item >= 0 && ev->item < p->nitems)
				item_cap_ev[ev->item] = (int)e;
			break;
		case XF_T_CAT_CAP:
			if (ev->other >= 0 && ev->other < p->ncategories)
				cat_cap_ev[ev->other] = (int)e;
			break;
		default:
			break;
		}
	}
	double left[XF_MAX_ITEMS];
	for (int i = 0; i < p->nitems; i++)
		left[i] = r->items[i];
	for (size_t k = 0; k < n; k++) {
		rec_fate *f = &fate[k];
		if (f->status != RS_COUNTED)
			continue;
		int i = in->records[k].item;
		double c = f->value < left[i] ? f->value : left[i];
		if (c < 0)
			c = 0;
		left[i] -= c;
		f->counted = c;
		f->item_trim = c + EPS < f->value;
	}
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		double cleft = r->categories[c];
		for (int i = cat->first_item; i < cat->first_item + cat->nitems; i++) {
			if (p->items[i].per == XF_PER_METRIC) {
				cleft -= fmin(r->items[i], cleft);
				continue;
			}
			for (size_t k = 0; k < n; k++) {
				rec_fate *f = &fate[k];
				if (in->records[k].item != i || f->status != RS_COUNTED)
					continue;
				double v = f->counted < cleft ? f->counted : cleft;
				if (v < 0)
					v = 0;
				cleft -= v;
				f->cat_trim = v + EPS < f->counted;
				f->counted = v;
			}
		}
	}
	for (size_t k = 0; k < n; k++)
		if (fate[k].status == RS_COUNTED && (fate[k].item_trim || fate[k].cat_trim))
			fate[k].status = RS_TRIMMED;
}

/* Decodes the JSON string body at *p (just past its opening quote) in
 * place, NUL-terminating it; returns its start and leaves *p past the
 * closing quote. jsonw escapes only ", \, control characters. */
static char *unescape_in_place(char **p)
{
	char *src = *p, *dst = *p, *start = *p;
	while (*src && *src != '"') {
		if (*src != '\\') {
			*dst++ = *src++;
			continue;
		}
		src++;
		char c = *src ? *src++ : '\0';
		switch (c) {
		case 'n': *dst++ = '\n'; break;
		case 'r': *dst++ = '\r'; break;
		case 't': *dst++ = '\t'; break;
		case 'b': *dst++ = '\b'; break;
		case 'f': *dst++ = '\f'; break;
		case 'u': {
			unsigned v = 0;
			for (int k = 0; k < 4 && *src; k++, src++) {
				char h = *src;
				v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0'
							: h >= 'a' && h <= 'f' ? h - 'a' + 10
							: h >= 'A' && h <= 'F' ? h - 'A' + 10 : 0);
			}
			if (v < 0x80) {
				*dst++ = (char)v;
			} else if (v < 0x800) {
				*dst++ = (char)(0xC0 | (v >> 6));
				*dst++ = (char)(0x80 | (v & 0x3F));
			} else { /* 3 bytes: no wider than the 6 of the escape */
				if (v >= 0xD800 && v <= 0xDFFF)
					v = 0xFFFD;
				*dst++ = (char)(0xE0 | (v >> 12));
				*dst++ = (char)(0x80 | ((v >> 6) & 0x3F));
				*dst++ = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		case '\0': break;
		default: *dst++ = c; break; /* \" \\ \/ */
		}
	}
	*p = *src ? src + 1 : src;
	*dst = '\0';
	return start;
}

/* The trace's Chinese texts, event by event, taken from the --explain
 * output itself (result_json.c) so that there is one wording. Every event
 * object there has exactly one "text", in the order of the events, so the
 * output is read by finding those keys, not by building a JSON tree. *buf
 * keeps the text; texts[e] points into it (all NULL when the output does
 * not have one text per event). */
static int trace_texts(const xf_policy *p, int year, const xf_input *in, const xf_result *r,
		       const xf_trace *t, char **buf, const char ***texts, xf_errs *errs)
{
	static const char key[] = "\"text\": \"";
	size_t len = 0;
	*buf = NULL;
	*texts = calloc(t->n + 1, sizeof(**texts));
	FILE *f = *texts ? open_memstream(buf, &len) : NULL;
	if (f == NULL)
		goto oom;
	xf_results_out o;
	xf_jw_init(&o.jw, f);
	o.p = p;
	o.year = year;
	xf_results_person(&o, in, r, false, t);
	if (fclose(f) != 0 || *buf == NULL)
		goto oom;
	char *at = strstr(*buf, "\"trace\": [");
	size_t e = 0;
	while (at && e < t->n && (at = strstr(at, key)) != NULL) {
		at += sizeof(key) - 1;
		(*texts)[e++] = unescape_in_place(&at);
	}
	if (e != t->n)
		memset(*texts, 0, (t->n + 1) * sizeof(**texts));
	return 0;
oom:
	oom(errs);
	return -1;
}

static const char *ev_text(const char **texts, int e)
{
	return texts && e >= 0 && texts[e] ? texts[e] : NULL;
}

/* The explanation of one record, from the trace texts. */
static void record_explain(const rec_fate *f, const xf_record *rec, const char **texts,
			   const int *item_cap_ev, const int *cat_cap_ev, const xf_policy *p,
			   char *buf, size_t size)
{
	char num[32];
	const char *v = ev_text(texts, f->ev_value), *o = ev_text(texts, f->ev_other);
	buf[0] = '\0';
	switch (f->status) {
	case RS_COUNTED:
	case RS_TRIMMED:
		xf_text_appendf(buf, size, "%s", v ? v : "");
		if (f->item_trim && ev_text(texts, item_cap_ev[rec->item]))
			xf_text_appendf(buf, size, "；%s", ev_text(texts, item_cap_ev[rec->item]));
		if (f->cat_trim && ev_text(texts, cat_cap_ev[p->items[rec->item].category]))
			xf_text_appendf(buf, size, "；%s",
			       ev_text(texts, cat_cap_ev[p->items[rec->item].category]));
		if (f->status == RS_TRIMMED)
			xf_text_appendf(buf, size, "；本条计 %s 学分", xf_format_short(f->counted, num));
		break;
	case RS_DROPPED:
		xf_text_appendf(buf, size, "%s%s%s，本条不计", v ? v : "", v ? "；" : "", o ? o : "");
		break;
	case RS_EXCLUDED:
		xf_text_appendf(buf, size, "%s", o ? o : "不计学分");
		if (o && strstr(o, "不计学分") == NULL)
			xf_text_appendf(buf, size, "，不计学分");
		break;
	case RS_ONCE:
	case RS_METRIC_ITEM:
		xf_text_appendf(buf, size, "%s", o ? o : "");
		break;
	case RS_NONE:
		xf_text_appendf(buf, size, "不计学分");
		break;
	}
}

/* ---- the person's JSON ---- */

typedef struct person_out {
	xf_jw *w;
	const xf_policy *p;
	int year;
	const xf_input *in;
	const xf_result *r;
	const raw_rec *raw;
	const rec_fate *fate;
	const char **texts;    /* NULL: no explanations */
	const int *item_cap_ev, *cat_cap_ev;
	const xf_trace *t;
} person_out;

static void write_tri(xf_jw *w, const char *key, signed char v)
{
	if (v >= 0)
		xf_jw_kbool(w, key, v != 0);
}

static void write_opt(xf_jw *w, const char *key, double v)
{
	if (!isnan(v))
		xf_jw_knum(w, key, v);
}

static void write_categories(const person_out *o)
{
	xf_jw *w = o->w;
	const xf_policy *p = o->p;
	const xf_result *r = o->r;
	xf_jw_key(w, "categories");
	xf_jw_arr(w);
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", cat->key);
		xf_jw_kstr(w, "name", cat->name);
		xf_jw_kcredits(w, "credits", r->categories[c]);
		xf_jw_kcredits(w, "cap", cat->cap); /* null when none */
		if (cat->has_pass) {
			xf_jw_key(w, "pass");
			xf_jw_obj(w);
			xf_jw_kcredits(w, "min", cat->pass_min);
			xf_jw_key(w, "counts");
			xf_jw_arr(w);
			for (int k = 0; k < cat->npass_counts; k++) {
				int i = cat->pass_count_items[k];
				xf_jw_obj(w);
				xf_jw_kstr(w, "item", p->items[i].key);
				xf_jw_knum(w, "min", cat->pass_count_min[k]);
				xf_jw_knum(w, "units", xf_round2(r->item_units[i]));
				xf_jw_obj_end(w);
			}
			xf_jw_arr_end(w);
			xf_jw_kbool(w, "passed", (r->passed >> c) & 1u);
			xf_jw_obj_end(w);
		}
		xf_jw_key(w, "items");
		xf_jw_arr(w);
		for (int i = cat->first_item; i < cat->first_item + cat->nitems; i++) {
			const xf_item *it = &p->items[i];
			xf_jw_obj(w);
			xf_jw_kstr(w, "key", it->key);
			xf_jw_kstr(w, "name", it->name);
			xf_jw_kcredits(w, "credits", r->items[i]);
			xf_jw_kcredits(w, "cap", it->cap);
			xf_jw_knum(w, "units", xf_round2(r->item_units[i]));
			xf_jw_kstr(w, "unit_name", xf_item_measure(it));
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

static void write_records(const person_out *o)
{
	xf_jw *w = o->w;
	const xf_policy *p = o->p;
	char text[TEXT_MAX];
	xf_jw_key(w, "records");
	xf_jw_arr(w);
	for (size_t k = 0; k < o->in->nrecords; k++) {
		const xf_record *rec = &o->in->records[k];
		const raw_rec *raw = &o->raw[k];
		const rec_fate *f = &o->fate[k];
		const xf_item *it = &p->items[rec->item];
		xf_jw_obj(w);
		xf_jw_kint(w, "id", raw->id);
		xf_jw_kstr(w, "item", it->key);
		xf_jw_kstr(w, "item_name", it->name);
		xf_jw_kstr(w, "category", p->categories[it->category].key);
		xf_jw_kstr(w, "date", raw->date);
		if (raw->level) {
			xf_jw_kstr(w, "level", raw->level);
			xf_jw_kstr(w, "level_name", rec->level >= 0 ? p->levels[rec->level].name : NULL);
		}
		write_opt(w, "count", raw->count);
		write_opt(w, "days", raw->days);
		write_opt(w, "months", raw->months);
		write_opt(w, "hours", raw->hours);
		if (raw->minutes >= 0)
			xf_jw_kint(w, "minutes", raw->minutes);
		if (raw->attended >= 0)
			xf_jw_kint(w, "attended_minutes", raw->attended);
		write_opt(w, "score", raw->score);
		static const char *const tri_keys[6] = {"passed", "completed", "online",
							"approved", "awarded", "speaker"};
		for (int t = 0; t < 6; t++)
			write_tri(w, tri_keys[t], raw->tri[t]);
		if (raw->kind)
			xf_jw_kstr(w, "kind", raw->kind);
		if (raw->activity)
			xf_jw_kstr(w, "activity", raw->activity);
		write_opt(w, "record_credits", raw->credits);
		if (raw->claim_id >= 0)
			xf_jw_kint(w, "claim_id", raw->claim_id);
		xf_jw_kstr(w, "status", status_key[f->status]);
		if (f->status == RS_EXCLUDED && f->ev_other >= 0)
			xf_jw_kstr(w, "excluded", xf_exclusion_key((uint32_t)o->t->ev[f->ev_other].other));
		xf_jw_kcredits(w, "value", f->value);
		xf_jw_kcredits(w, "credits", f->counted);
		if (o->texts) {
			record_explain(f, rec, o->texts, o->item_cap_ev, o->cat_cap_ev, p, text,
				       sizeof(text));
			xf_jw_kstr(w, "explain", text);
		}
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* Per metric of the policy: the months' values and the credits they gave
 * (before the item's cap). */
static void write_metrics(const person_out *o)
{
	xf_jw *w = o->w;
	const xf_policy *p = o->p;
	const xf_input *in = o->in;
	const xf_trace *t = o->t;
	xf_jw_key(w, "metrics");
	xf_jw_arr(w);
	for (int m = 0; m < p->nmetrics; m++) {
		double total = 0, credits = 0;
		xf_jw_obj(w);
		xf_jw_kstr(w, "metric", p->metrics[m]);
		xf_jw_key(w, "items");
		xf_jw_arr(w);
		for (int i = 0; i < p->nitems; i++)
			if (p->items[i].per == XF_PER_METRIC && p->items[i].metric == m)
				xf_jw_str(w, p->items[i].key);
		xf_jw_arr_end(w);
		xf_jw_key(w, "months");
		xf_jw_arr(w);
		for (size_t k = 0; k < in->nmetrics; k++) {
			const xf_metric *mt = &in->metrics[k];
			if (mt->metric != m || mt->year != o->year)
				continue;
			char month[16];
			double got = 0;
			int ev = -1;
			for (size_t e = 0; e < t->n; e++)
				if (t->ev[e].kind == XF_T_METRIC && t->ev[e].index == (int32_t)mt->index) {
					got += t->ev[e].b;
					ev = (int)e;
				}
			snprintf(month, sizeof(month), "%04d-%02d", mt->year, mt->month);
			total += mt->value;
			credits += got;
			xf_jw_obj(w);
			xf_jw_kstr(w, "month", month);
			xf_jw_knum(w, "value", mt->value);
			xf_jw_kcredits(w, "credits", got);
			if (o->texts)
				xf_jw_kstr(w, "explain", ev_text(o->texts, ev));
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_knum(w, "total", xf_round2(total));
		xf_jw_kcredits(w, "credits", credits);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* Scorecard policies: each line's self and review scores. */
static void write_scorecard(const person_out *o)
{
	xf_jw *w = o->w;
	const xf_policy *p = o->p;
	if (p->nlines == 0)
		return;
	xf_jw_key(w, "scorecard");
	xf_jw_arr(w);
	for (int s = 0; s < p->nsections; s++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->sections[s].key);
		xf_jw_kstr(w, "name", p->sections[s].name);
		xf_jw_knum(w, "max", p->sections[s].max);
		xf_jw_key(w, "lines");
		xf_jw_arr(w);
		for (int l = 0; l < p->nlines; l++) {
			if (p->lines[l].section != s)
				continue;
			const xf_score *sc = NULL;
			for (size_t k = 0; k < o->in->nscores; k++)
				if (o->in->scores[k].line == l)
					sc = &o->in->scores[k];
			xf_jw_obj(w);
			xf_jw_kstr(w, "key", p->lines[l].key);
			xf_jw_kstr(w, "name", p->lines[l].name);
			xf_jw_knum(w, "max", p->lines[l].max);
			if (sc && sc->has_self)
				xf_jw_knum(w, "self", sc->self);
			else
				xf_jw_knull(w, "self");
			if (sc && sc->has_review)
				xf_jw_knum(w, "review", sc->review);
			else
				xf_jw_knull(w, "review");
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* The trace events that are not about one record or metric: counted
 * months, exemption, annualised final, grade vetoes. */
static void write_notes(const person_out *o)
{
	xf_jw *w = o->w;
	xf_jw_key(w, "notes");
	xf_jw_arr(w);
	for (size_t e = 0; e < o->t->n; e++) {
		xf_trace_kind k = o->t->ev[e].kind;
		if ((k == XF_T_MONTHS || k == XF_T_EXEMPT || k == XF_T_ANNUALISE ||
		     k == XF_T_GRADE_VETO) && ev_text(o->texts, (int)e))
			xf_jw_str(w, o->texts[e]);
	}
	xf_jw_arr_end(w);
}

static void write_person(const person_out *o, xf_stmt *row, const missing *m)
{
	xf_jw *w = o->w;
	const xf_policy *p = o->p;
	const xf_result *r = o->r;
	const xf_person *pe = o->in->person;

	xf_jw_obj(w);
	xf_jw_kint(w, "year", o->year);
	xf_jw_key(w, "policy");
	xf_jw_obj(w);
	xf_jw_kstr(w, "id", p->id);
	xf_jw_kstr(w, "name", p->title);
	xf_jw_obj_end(w);

	xf_jw_key(w, "person");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(row, 0));
	xf_jw_kstr(w, "code", pe->id);
	xf_jw_kstr(w, "name", pe->name);
	xf_jw_key(w, "unit");
	if (xf_stmt_is_null(row, 6)) {
		xf_jw_null(w);
	} else {
		xf_jw_obj(w);
		xf_jw_kint(w, "id", xf_stmt_int(row, 6));
		xf_jw_kstr(w, "code", xf_stmt_text(row, 3));
		xf_jw_kstr(w, "name", xf_stmt_text(row, 7));
		xf_jw_obj_end(w);
	}
	xf_jw_kstr(w, "role", pe->role >= 0 ? p->roles[pe->role].key : xf_stmt_text(row, 4));
	xf_jw_kstr(w, "role_name", pe->role >= 0 ? p->roles[pe->role].name : NULL);
	xf_jw_kstr(w, "joined", xf_stmt_text(row, 5));
	xf_jw_kbool(w, "active", xf_stmt_int(row, 9) != 0);
	xf_jw_obj_end(w);

	write_categories(o);
	xf_results_totals(w, p, r);
	xf_jw_kstr(w, "grade_name", r->grade >= 0 ? p->grades[r->grade].name : NULL);
	xf_jw_kbool(w, "exempt", r->exempt);
	xf_jw_kstr(w, "exempt_reason", r->exempt ? p->exempt[r->exempt_rule].reason : NULL);
	xf_jw_kstr(w, "exempt_name", r->exempt ? p->exempt[r->exempt_rule].name : NULL);
	xf_jw_kint(w, "months", r->months);
	xf_jw_key(w, "passed_items");
	xf_jw_obj(w);
	for (int c = 0; c < p->ncategories; c++)
		if (p->categories[c].has_pass)
			xf_jw_kbool(w, p->categories[c].key, (r->passed >> c) & 1u);
	xf_jw_obj_end(w);
	xf_jw_key(w, "flags");
	xf_jw_arr(w);
	for (int k = 0; k < p->nresult_flags; k++) {
		if (!((r->result_flags >> k) & 1u))
			continue;
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->result_flags[k].key);
		xf_jw_kstr(w, "name", p->result_flags[k].name);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	for (int k = 0; k < p->nitem_outputs; k++)
		xf_jw_kcredits(w, p->item_outputs[k].key, r->items[p->item_outputs[k].item]);
	if (p->has_growth) {
		xf_jw_knum(w, p->growth_key, xf_round2(r->growth));
		for (int g = 0; g < p->ngrowth_flags; g++)
			xf_jw_kbool(w, p->growth_flags[g].key, (r->growth_flags >> g) & 1u);
		xf_jw_key(w, "quarter_growth");
		xf_jw_arr(w);
		for (int q = 0; q < 4; q++)
			xf_jw_num(w, xf_round2(r->quarter_growth[q]));
		xf_jw_arr_end(w);
	}
	if (r->has_scores) {
		xf_jw_kcredits(w, "self_total", r->self_total);
		xf_jw_kcredits(w, "review_total", r->review_total);
	}
	write_missing(w, p, m);
	write_records(o);
	write_metrics(o);
	write_scorecard(o);
	if (o->texts)
		write_notes(o);
	xf_jw_obj_end(w);
}

int xf_credits_person_json(xf_store *s, long long person_id, int year, bool explain,
			   FILE *f, xf_errs *errs)
{
	xf_load l;
	person_ctx pc = {0};
	xf_policy *owned = NULL;
	const xf_policy *p = NULL;
	char *policy_ref = NULL;
	xf_result res;
	xf_engine_scratch scratch;
	xf_trace trace;
	rec_fate *fate = NULL;
	char *trace_buf = NULL;
	const char **texts = NULL;
	missing *m = NULL;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	xf_trace_init(&trace);
	xf_arena_init(&pc.arena, 0);
	pc.errs = errs;
	/* The policy assigned to the person's unit for the year; a unit
	 * without one takes the nearest unit above it that has one (an
	 * organisation's policy covers the units under it). */
	int started = xf_load_person_start(&l, s, year, person_id, &policy_ref, &p, &owned, errs);
	if (started == 1)
		xf_errs_add(errs, "没有编号为 %lld 的人员 (no such person)", person_id);
	if (started == 2) {
		xf_stmt *row = xf_load_people(&l);
		xf_errs_add(errs, "%s（%s）所在单位及其上级单位 %d 年度均未指定学分办法 (no policy for %d)",
			    xf_stmt_text(row, 2), xf_stmt_text(row, 1), year, year);
	}
	if (started != 0) {
		rc = started < 0 ? -1 : 1;
		goto out;
	}
	l.on_record = keep_record;
	l.on_record_ctx = &pc;
	if (xf_load_begin(&l, p, policy_ref) != 0)
		goto out;
	int more = xf_load_next(&l);
	if (more == 0) /* gone since the first read */
		xf_errs_add(errs, "没有编号为 %lld 的人员 (no such person)", person_id);
	if (more != 1) {
		rc = more == 0 ? 1 : -1;
		goto out;
	}
	if (xf_result_init(&res, p) != 0)
		goto oom;
	if (xf_engine_assess(p, year, &l.in, &scratch, &res, &trace) != 0 || trace.oom)
		goto oom;

	int item_cap_ev[XF_MAX_ITEMS], cat_cap_ev[XF_MAX_CATEGORIES];
	fate = calloc(l.in.nrecords + 1, sizeof(*fate));
	m = malloc(sizeof(*m));
	if (fate == NULL || m == NULL)
		goto oom;
	record_fates(p, &l.in, &res, &trace, fate, item_cap_ev, cat_cap_ev);
	if (explain && trace_texts(p, year, &l.in, &res, &trace, &trace_buf, &texts, errs) != 0)
		goto out;
	find_missing(p, &res, m);

	xf_jw w;
	xf_jw_init(&w, f);
	person_out o = {&w, p, year, &l.in, &res, pc.raw, fate, explain ? texts : NULL,
			item_cap_ev, cat_cap_ev, &trace};
	write_person(&o, xf_load_people(&l), m);
	rc = 0;
	goto out;
oom:
	oom(errs);
out:
	xf_load_cleanup(&l);
	free(policy_ref);
	free(fate);
	free(m);
	free(texts);
	free(trace_buf);
	free(pc.raw);
	xf_arena_cleanup(&pc.arena);
	xf_trace_cleanup(&trace);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	xf_policy_free(owned);
	return rc;
}

/* ---- a unit's summary ---- */

/* A person in one of the summary's lists. Strings are copied: the row
 * they come from moves on. */
typedef struct entry {
	long long id, unit_id;
	char *code, *name, *unit_code, *unit_name;
	double key;        /* what the list is ordered by (final, growth, total) */
	double final, required;
} entry;

static void entry_free(entry *e)
{
	free(e->code);
	free(e->name);
	free(e->unit_code);
	free(e->unit_name);
	memset(e, 0, sizeof(*e));
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int entry_fill(entry *e, xf_load *l, double key, const xf_result *r)
{
	xf_stmt *st = xf_load_people(l);
	memset(e, 0, sizeof(*e));
	e->id = l->person_id;
	e->unit_id = xf_stmt_is_null(st, 6) ? 0 : xf_stmt_int(st, 6);
	e->code = dup_or_empty(l->person.id);
	e->name = dup_or_empty(l->person.name);
	e->unit_code = dup_or_empty(xf_stmt_text(st, 3));
	e->unit_name = dup_or_empty(xf_stmt_text(st, 7));
	e->key = key;
	e->final = r->has_total ? r->final : NAN;
	e->required = r->has_required ? r->required : NAN;
	if (e->code == NULL || e->name == NULL || e->unit_code == NULL || e->unit_name == NULL) {
		entry_free(e);
		return -1;
	}
	return 0;
}

/* Higher key first (compared in hundredths, as results are rounded),
 * then lower person id. */
static bool better(const entry *a, const entry *b)
{
	int64_t x = cents(a->key), y = cents(b->key);
	if (x != y)
		return x > y;
	return a->id < b->id;
}

static int better_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

/* The best `cap` people by key: a heap whose root is the worst kept. */
typedef struct top {
	entry *e;
	size_t n, cap;
} top;

static void top_sift_down(top *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < t->n && better(&t->e[w], &t->e[l]))
			w = l;
		if (r < t->n && better(&t->e[w], &t->e[r]))
			w = r;
		if (w == i)
			return;
		entry tmp = t->e[i];
		t->e[i] = t->e[w];
		t->e[w] = tmp;
		i = w;
	}
}

static void top_sift_up(top *t, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!better(&t->e[parent], &t->e[i]))
			return;
		entry tmp = t->e[i];
		t->e[i] = t->e[parent];
		t->e[parent] = tmp;
		i = parent;
	}
}

/* Offers the current person; the entry is only built when it is kept.
 * Returns 0, or -1 when out of memory. */
static int top_offer(top *t, xf_load *l, double key, const xf_result *r)
{
	entry probe = {.id = l->person_id, .key = key};
	if (t->cap == 0 || (t->n == t->cap && !better(&probe, &t->e[0])))
		return 0;
	entry e;
	if (entry_fill(&e, l, key, r) != 0)
		return -1;
	if (t->n < t->cap) {
		t->e[t->n++] = e;
		top_sift_up(t, t->n - 1);
	} else {
		entry_free(&t->e[0]);
		t->e[0] = e;
		top_sift_down(t, 0);
	}
	return 0;
}

static void top_cleanup(top *t)
{
	for (size_t i = 0; i < t->n; i++)
		entry_free(&t->e[i]);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* How many contenders have each total (in hundredths): grows with the
 * distinct totals, not the people. */
typedef struct tally_slot {
	int64_t cents;
	long count;      /* 0: empty */
} tally_slot;

typedef struct tally {
	tally_slot *s;
	size_t n, cap;
} tally;

static tally_slot *tally_find(tally_slot *s, size_t cap, int64_t c)
{
	size_t i = (size_t)((uint64_t)c * 0x9E3779B97F4A7C15ull) & (cap - 1);
	while (s[i].count != 0 && s[i].cents != c)
		i = (i + 1) & (cap - 1);
	return &s[i];
}

static int tally_add(tally *t, int64_t c)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		tally_slot *s = calloc(cap, sizeof(*s));
		if (s == NULL)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->s[i].count)
				*tally_find(s, cap, t->s[i].cents) = t->s[i];
		free(t->s);
		t->s = s;
		t->cap = cap;
	}
	tally_slot *slot = tally_find(t->s, t->cap, c);
	if (slot->count == 0) {
		slot->cents = c;
		t->n++;
	}
	slot->count++;
	return 0;
}

static long tally_at_least(const tally *t, int64_t c)
{
	long n = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->s[i].count && t->s[i].cents >= c)
			n += t->s[i].count;
	return n;
}

/* The unit's direct sub-units, and which of them each unit of the
 * subtree lies under (by unit code), for the per-sub-unit figures of the
 * statistics page: one pass instead of a summary per sub-unit. */
typedef struct kid {
	long long id;
	char *code, *name;
} kid;

typedef struct kids {
	kid *k;
	size_t n;
	xf_strmap *under; /* unit code -> index in k */
} kids;

/* One sub-unit's figures under one policy. */
typedef struct kid_sum {
	long long members, assessed, met, with_total;
	double final_sum, growth_sum;
} kid_sum;

/* One policy's summary over the unit's subtree. */
typedef struct summary {
	const xf_policy *p;
	long long members, assessed, exempt, met, not_met, with_total;
	long long grades[64];
	double cat_sum[XF_MAX_CATEGORIES];
	double total_sum, final_sum, growth_sum;
	/* Monthly trend of each metric (学习强国 growth points): the year's
	 * increments summed per month, and how many people reported one. */
	double month_sum[TREND_METRICS][12];
	long long month_reported[TREND_METRICS][12];
	int year;
	top ranking, awards;
	entry *not_met_list;
	size_t nnot_met;
	tally contenders;
	xf_group *g;
	xf_strmap *branch_idx;   /* unit code -> index in branch_names */
	char **branch_names;
	size_t nbranches, capbranches;
	const kids *kids;
	kid_sum *kid_sums;       /* one per kids->k */
} summary;

static void summary_cleanup(summary *sm)
{
	top_cleanup(&sm->ranking);
	top_cleanup(&sm->awards);
	for (size_t i = 0; i < sm->nnot_met; i++)
		entry_free(&sm->not_met_list[i]);
	free(sm->not_met_list);
	free(sm->contenders.s);
	xf_group_free(sm->g);
	xf_strmap_free(sm->branch_idx);
	for (size_t i = 0; i < sm->nbranches; i++)
		free(sm->branch_names[i]);
	free(sm->branch_names);
	free(sm->kid_sums);
}

/* Remembers a branch's (unit's) name, for policies with group results. */
static int note_branch(summary *sm, const char *code, const char *name)
{
	if (code == NULL || xf_strmap_get(sm->branch_idx, code) >= 0)
		return 0;
	if (sm->nbranches == sm->capbranches) {
		size_t cap = sm->capbranches ? sm->capbranches * 2 : 16;
		char **n = realloc(sm->branch_names, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		sm->branch_names = n;
		sm->capbranches = cap;
	}
	char *copy = dup_or_empty(name);
	if (copy == NULL)
		return -1;
	if (xf_strmap_put(sm->branch_idx, code, (int32_t)sm->nbranches, NULL) < 0) {
		free(copy);
		return -1;
	}
	sm->branch_names[sm->nbranches++] = copy;
	return 0;
}

static const char *branch_name(const summary *sm, const char *code)
{
	int32_t k = code ? xf_strmap_get(sm->branch_idx, code) : -1;
	return k >= 0 ? sm->branch_names[k] : NULL;
}

static int summary_add(summary *sm, xf_load *l, const xf_result *r)
{
	const xf_policy *p = sm->p;
	sm->members++;
	if (xf_group_add(sm->g, &l->person, r) != 0)
		return -1;
	if (p->has_groups &&
	    note_branch(sm, l->person.unit, xf_stmt_text(xf_load_people(l), 7)) != 0)
		return -1;
	for (size_t i = 0; i < l->in.nmetrics; i++) {
		const xf_metric *m = &l->in.metrics[i];
		if (m->year == sm->year && m->metric >= 0 && m->metric < TREND_METRICS &&
		    m->month >= 1 && m->month <= 12) {
			sm->month_sum[m->metric][m->month - 1] += m->value;
			sm->month_reported[m->metric][m->month - 1]++;
		}
	}
	int32_t k = l->person.unit && sm->kids->under ? xf_strmap_get(sm->kids->under, l->person.unit)
						       : -1;
	kid_sum *ks = k >= 0 ? &sm->kid_sums[k] : NULL;
	if (ks) {
		ks->members++;
		if (!r->exempt) {
			ks->assessed++;
			ks->met += r->met == XF_TRUE;
			ks->with_total += r->has_total;
			ks->final_sum += r->has_total ? r->final : 0;
			ks->growth_sum += r->growth;
		}
	}
	if (r->exempt) {
		sm->exempt++;
		return 0;
	}
	sm->assessed++;
	for (int c = 0; c < p->ncategories; c++)
		sm->cat_sum[c] += r->categories[c];
	if (r->has_total) {
		sm->with_total++;
		sm->total_sum += r->total;
		sm->final_sum += r->final;
	}
	sm->growth_sum += r->growth;
	if (r->grade >= 0 && r->grade < 64)
		sm->grades[r->grade]++;
	if (r->met == XF_TRUE)
		sm->met++;
	if (r->met == XF_FALSE) {
		sm->not_met++;
		if (sm->nnot_met < NOT_MET_MAX &&
		    entry_fill(&sm->not_met_list[sm->nnot_met], l, r->final, r) == 0)
			sm->nnot_met++;
		else if (sm->nnot_met < NOT_MET_MAX)
			return -1;
	}
	if (r->has_total ? top_offer(&sm->ranking, l, r->final, r) != 0
	    : p->has_growth ? top_offer(&sm->ranking, l, r->growth, r) != 0 : false)
		return -1;
	if (r->award_contender &&
	    (tally_add(&sm->contenders, cents(r->total)) != 0 ||
	     top_offer(&sm->awards, l, r->total, r) != 0))
		return -1;
	return 0;
}

static void write_entry(xf_jw *w, const entry *e)
{
	xf_jw_kint(w, "id", e->id);
	xf_jw_kstr(w, "code", e->code);
	xf_jw_kstr(w, "name", e->name);
	xf_jw_key(w, "unit");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", e->unit_id);
	xf_jw_kstr(w, "code", e->unit_code);
	xf_jw_kstr(w, "name", e->unit_name);
	xf_jw_obj_end(w);
}

static void write_ratio(xf_jw *w, const char *key, long long a, long long b, double scale)
{
	if (b > 0)
		xf_jw_knum(w, key, xf_round2((double)a * scale / (double)b));
	else
		xf_jw_knull(w, key);
}

/* "metrics": each metric's months, January to December: the sum of the
 * increments, how many reported one, and the average over all members (a
 * month without a value counts as 0, as the policies count it). */
static void write_trends(xf_jw *w, const summary *sm)
{
	const xf_policy *p = sm->p;
	if (p->nmetrics == 0)
		return;
	xf_jw_key(w, "metrics");
	xf_jw_arr(w);
	for (int k = 0; k < p->nmetrics && k < TREND_METRICS; k++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->metrics[k]);
		xf_jw_key(w, "months");
		xf_jw_arr(w);
		for (int m = 0; m < 12; m++) {
			xf_jw_obj(w);
			xf_jw_kint(w, "month", m + 1);
			xf_jw_knum(w, "total", xf_round2(sm->month_sum[k][m]));
			xf_jw_kint(w, "reported", sm->month_reported[k][m]);
			if (sm->members > 0)
				xf_jw_knum(w, "average",
					   xf_round2(sm->month_sum[k][m] / (double)sm->members));
			else
				xf_jw_knull(w, "average");
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* "children": the figures of each direct sub-unit with people under this
 * policy, by unit id — what the statistics page's bar chart needs. */
static void write_kids(xf_jw *w, const summary *sm)
{
	const xf_policy *p = sm->p;
	xf_jw_key(w, "children");
	xf_jw_arr(w);
	for (size_t i = 0; i < sm->kids->n; i++) {
		const kid_sum *ks = &sm->kid_sums[i];
		if (ks->members == 0)
			continue;
		xf_jw_obj(w);
		xf_jw_key(w, "unit");
		xf_jw_obj(w);
		xf_jw_kint(w, "id", sm->kids->k[i].id);
		xf_jw_kstr(w, "code", sm->kids->k[i].code);
		xf_jw_kstr(w, "name", sm->kids->k[i].name);
		xf_jw_obj_end(w);
		xf_jw_kint(w, "members", ks->members);
		xf_jw_kint(w, "assessed", ks->assessed);
		if (p->has_required) {
			xf_jw_kint(w, "met", ks->met);
			write_ratio(w, "met_percent", ks->met, ks->assessed, 100.0);
		} else {
			xf_jw_knull(w, "met");
			xf_jw_knull(w, "met_percent");
		}
		if (ks->with_total > 0)
			xf_jw_kcredits(w, "average_final", ks->final_sum / (double)ks->with_total);
		else
			xf_jw_knull(w, "average_final");
		if (p->has_growth && ks->assessed > 0)
			xf_jw_kcredits(w, "average_growth", ks->growth_sum / (double)ks->assessed);
		else if (p->has_growth)
			xf_jw_knull(w, "average_growth");
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

static void write_summary(xf_jw *w, summary *sm)
{
	const xf_policy *p = sm->p;
	xf_jw_obj(w);
	xf_jw_key(w, "policy");
	xf_jw_obj(w);
	xf_jw_kstr(w, "id", p->id);
	xf_jw_kstr(w, "name", p->title);
	xf_jw_obj_end(w);
	xf_jw_kint(w, "members", sm->members);
	xf_jw_kint(w, "assessed", sm->assessed);
	xf_jw_kint(w, "exempt", sm->exempt);
	if (p->has_required) {
		xf_jw_kint(w, "met", sm->met);
		xf_jw_kint(w, "not_met_count", sm->not_met);
		write_ratio(w, "met_rate", sm->met, sm->assessed, 1.0);
		write_ratio(w, "met_percent", sm->met, sm->assessed, 100.0);
	} else {
		xf_jw_knull(w, "met");
		xf_jw_knull(w, "not_met_count");
		xf_jw_knull(w, "met_rate");
		xf_jw_knull(w, "met_percent");
	}
	xf_jw_key(w, "grades");
	if (p->ngrades > 0) {
		xf_jw_obj(w);
		for (int g = 0; g < p->ngrades && g < 64; g++)
			xf_jw_kint(w, p->grades[g].key, sm->grades[g]);
		xf_jw_obj_end(w);
	} else {
		xf_jw_null(w);
	}
	xf_jw_key(w, "categories");
	xf_jw_arr(w);
	for (int c = 0; c < p->ncategories; c++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->categories[c].key);
		xf_jw_kstr(w, "name", p->categories[c].name);
		if (sm->assessed > 0)
			xf_jw_kcredits(w, "average", sm->cat_sum[c] / (double)sm->assessed);
		else
			xf_jw_knull(w, "average");
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	if (sm->with_total > 0) {
		xf_jw_kcredits(w, "average_total", sm->total_sum / (double)sm->with_total);
		xf_jw_kcredits(w, "average_final", sm->final_sum / (double)sm->with_total);
	} else {
		xf_jw_knull(w, "average_total");
		xf_jw_knull(w, "average_final");
	}
	if (p->has_growth) {
		if (sm->assessed > 0)
			xf_jw_kcredits(w, "average_growth", sm->growth_sum / (double)sm->assessed);
		else
			xf_jw_knull(w, "average_growth");
	}
	write_trends(w, sm);
	write_kids(w, sm);

	xf_jw_key(w, "not_met");
	xf_jw_arr(w);
	for (size_t i = 0; i < sm->nnot_met; i++) {
		const entry *e = &sm->not_met_list[i];
		double gap = xf_round2(e->required - e->final);
		xf_jw_obj(w);
		write_entry(w, e);
		xf_jw_kcredits(w, "final", e->final);
		xf_jw_kcredits(w, "required", e->required);
		xf_jw_kcredits(w, "missing", gap > 0 ? gap : 0);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_kint(w, "not_met_total", sm->not_met);

	/* Ranking: rank = 1 + how many have a strictly higher figure, so ties
	 * share a rank (everyone higher is in the list too). */
	const char *by = p->ncategories > 0 || p->nlines > 0 ? "final" : p->has_growth ? p->growth_key : "final";
	qsort(sm->ranking.e, sm->ranking.n, sizeof(entry), better_cmp);
	xf_jw_kstr(w, "ranking_by", by);
	xf_jw_key(w, "ranking");
	xf_jw_arr(w);
	long rank = 1;
	for (size_t i = 0; i < sm->ranking.n; i++) {
		const entry *e = &sm->ranking.e[i];
		if (i > 0 && cents(e->key) != cents(sm->ranking.e[i - 1].key))
			rank = (long)i + 1;
		xf_jw_obj(w);
		xf_jw_kint(w, "rank", rank);
		write_entry(w, e);
		xf_jw_knum(w, by, xf_round2(e->key));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);

	if (p->has_award) {
		double min_total = 0;
		bool any = xf_group_award_threshold(sm->g, &min_total);
		int64_t at = cents(min_total);
		qsort(sm->awards.e, sm->awards.n, sizeof(entry), better_cmp);
		xf_jw_kint(w, "award_limit", xf_group_award_limit(sm->g));
		xf_jw_key(w, "award_candidates");
		xf_jw_arr(w);
		for (size_t i = 0; any && i < sm->awards.n && cents(sm->awards.e[i].key) >= at; i++) {
			xf_jw_obj(w);
			write_entry(w, &sm->awards.e[i]);
			xf_jw_kcredits(w, "total", sm->awards.e[i].key);
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_kint(w, "award_candidates_total", any ? tally_at_least(&sm->contenders, at) : 0);
	}

	if (p->has_groups) {
		const xf_unit_result *units;
		size_t n = xf_group_units(sm->g, &units);
		xf_jw_key(w, "branches");
		xf_jw_arr(w);
		for (size_t i = 0; i < n; i++) {
			xf_jw_obj(w);
			xf_jw_kstr(w, "id", units[i].id);
			xf_jw_kstr(w, "name", branch_name(sm, units[i].id));
			xf_jw_kint(w, "members", units[i].members);
			xf_jw_knum(w, "total", xf_round2(units[i].total));
			xf_jw_kcredits(w, "average", units[i].average);
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		if (p->best_group)
			xf_jw_kstr(w, "best_branch", xf_group_best(sm->g));
		if (p->bottom_n > 0) {
			xf_jw_key(w, "quarters");
			xf_jw_arr(w);
			for (int q = 0; q < 4; q++) {
				for (size_t i = 0; i < n; i++) {
					xf_jw_obj(w);
					xf_jw_kint(w, "quarter", q + 1);
					xf_jw_kstr(w, "branch", units[i].id);
					xf_jw_key(w, "bottom");
					xf_jw_arr(w);
					for (int k = 0; k < units[i].nbottom[q]; k++)
						xf_jw_str(w, units[i].bottom[q][k]);
					xf_jw_arr_end(w);
					xf_jw_obj_end(w);
				}
			}
			xf_jw_arr_end(w);
		}
	}
	xf_jw_obj_end(w);
}

/* Streams the subtree's people under one policy into a summary and
 * writes it. */
static int unit_policy(xf_store *s, long long unit_id, int year, const char *ref,
		       int ranking_limit, const kids *ks, xf_jw *w, xf_errs *errs)
{
	summary sm;
	xf_load l;
	xf_policy *owned = NULL;
	xf_result res;
	xf_engine_scratch scratch;
	int rc = -1, more;

	memset(&sm, 0, sizeof(sm));
	memset(&l, 0, sizeof(l));
	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	sm.year = year;
	sm.kids = ks;
	sm.p = xf_load_policy(ref, &owned, errs);
	if (sm.p == NULL)
		goto out;
	sm.g = xf_group_new(sm.p);
	sm.branch_idx = xf_strmap_new();
	sm.ranking.cap = (size_t)ranking_limit;
	sm.ranking.e = calloc(sm.ranking.cap, sizeof(entry));
	sm.awards.cap = sm.p->has_award ? AWARD_LIST_MAX : 0;
	sm.awards.e = calloc(sm.awards.cap + 1, sizeof(entry));
	sm.not_met_list = calloc(NOT_MET_MAX, sizeof(entry));
	sm.kid_sums = calloc(ks->n + 1, sizeof(kid_sum));
	if (sm.kid_sums == NULL || sm.g == NULL || sm.branch_idx == NULL || sm.ranking.e == NULL || sm.awards.e == NULL ||
	    sm.not_met_list == NULL || xf_result_init(&res, sm.p) != 0)
		goto oom;
	if (xf_load_open(&l, s, XF_LOAD_SUBTREE, year, ref, NULL, unit_id, errs) != 0 ||
	    xf_load_begin(&l, sm.p, ref) != 0)
		goto out;
	while ((more = xf_load_next(&l)) == 1) {
		if (xf_engine_assess(sm.p, year, &l.in, &scratch, &res, NULL) != 0 ||
		    summary_add(&sm, &l, &res) != 0)
			goto oom;
	}
	if (more < 0)
		goto out;
	if (xf_group_finish(sm.g) != 0)
		goto oom;
	write_summary(w, &sm);
	rc = 0;
	goto out;
oom:
	oom(errs);
out:
	xf_load_cleanup(&l);
	summary_cleanup(&sm);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	xf_policy_free(owned);
	return rc;
}

static void kids_cleanup(kids *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->k[i].code);
		free(ks->k[i].name);
	}
	free(ks->k);
	xf_strmap_free(ks->under);
	memset(ks, 0, sizeof(*ks));
}

/* Reads unit_id's direct sub-units (by code) and maps the code of every
 * unit under each to its index (depth-bounded against cycles). 0 or -1. */
static int kids_load(xf_store *s, long long unit_id, kids *ks, xf_errs *errs)
{
	memset(ks, 0, sizeof(*ks));
	ks->under = xf_strmap_new();
	if (ks->under == NULL) {
		oom(errs);
		return -1;
	}
	xf_stmt *st = xf_stmt_prepare(s,
		"WITH RECURSIVE sub(id, top, depth) AS ("
		" SELECT id, id, 0 FROM units WHERE parent_id = $1 AND id <> $1"
		" UNION ALL SELECT u.id, sub.top, sub.depth + 1 FROM units u"
		" JOIN sub ON u.parent_id = sub.id WHERE sub.depth < 64)"
		" SELECT sub.top, t.code, t.name, u.code FROM sub JOIN units u ON u.id = sub.id"
		" JOIN units t ON t.id = sub.top ORDER BY sub.top, sub.depth",
		errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	size_t cap = 0;
	if (xf_stmt_bind_int(st, 1, unit_id) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		long long child = xf_stmt_int(st, 0);
		if (ks->n == 0 || ks->k[ks->n - 1].id != child) {
			if (ks->n == cap) {
				cap = cap ? cap * 2 : 16;
				kid *k = realloc(ks->k, cap * sizeof(*k));
				if (k == NULL)
					goto oom;
				ks->k = k;
			}
			kid *k = &ks->k[ks->n];
			k->id = child;
			k->code = dup_or_empty(xf_stmt_text(st, 1));
			k->name = dup_or_empty(xf_stmt_text(st, 2));
			ks->n++;
			if (k->code == NULL || k->name == NULL)
				goto oom;
		}
		const char *code = xf_stmt_text(st, 3);
		if (code && xf_strmap_put(ks->under, code, (int32_t)(ks->n - 1), NULL) == -2)
			goto oom;
	}
	rc = r == XF_STEP_ERROR ? -1 : 0;
	goto out;
oom:
	oom(errs);
out:
	xf_stmt_finalize(st);
	return rc;
}

int xf_credits_unit_json(xf_store *s, long long unit_id, int year, int ranking_limit,
			 FILE *f, xf_errs *errs)
{
	char **policies = NULL;
	size_t npolicies = 0;
	bool in_tx = false;
	int rc = -1;
	xf_step step;
	kids ks;
	memset(&ks, 0, sizeof(ks));

	if (ranking_limit <= 0)
		ranking_limit = RANKING_DEFAULT;
	if (ranking_limit > RANKING_MAX)
		ranking_limit = RANKING_MAX;
	xf_stmt *st = xf_stmt_prepare(s, "SELECT id, code, name FROM units WHERE id = $1", errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_int(st, 1, unit_id) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	step = xf_stmt_step(st, errs);
	if (step == XF_STEP_ERROR)
		goto out;
	if (step == XF_STEP_DONE) {
		xf_errs_add(errs, "没有编号为 %lld 的单位 (no such unit)", unit_id);
		rc = 1;
		goto out;
	}
	if (xf_load_subtree_policies(s, unit_id, year, &policies, &npolicies, errs) != 0)
		goto out;
	if (npolicies == 0) {
		xf_errs_add(errs, "单位“%s”及其下级单位 %d 年度均未指定学分办法 (no policy for %d)",
			    xf_stmt_text(st, 2), year, year);
		rc = 1;
		goto out;
	}
	/* On PostgreSQL the scans stream through cursors, which live in a
	 * transaction (read only here: it is rolled back). SQLite reads its
	 * open statements from one snapshot without one. */
	if (xf_store_kind_of(s) == XF_STORE_POSTGRES) {
		if (xf_store_begin(s, errs) != 0)
			goto out;
		in_tx = true;
	}
	if (kids_load(s, unit_id, &ks, errs) != 0)
		goto out;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_key(&w, "unit");
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
	xf_jw_kstr(&w, "code", xf_stmt_text(st, 1));
	xf_jw_kstr(&w, "name", xf_stmt_text(st, 2));
	xf_jw_obj_end(&w);
	xf_jw_kint(&w, "year", year);
	xf_jw_key(&w, "policies");
	xf_jw_arr(&w);
	for (size_t i = 0; i < npolicies; i++)
		if (unit_policy(s, unit_id, year, policies[i], ranking_limit, &ks, &w, errs) != 0)
			goto out;
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	if (in_tx)
		xf_store_rollback(s);
	xf_load_free_list(policies, npolicies);
	kids_cleanup(&ks);
	return rc;
}
