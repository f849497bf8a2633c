/* engine: assesses one person under a compiled policy. Pure: no I/O, no
 * globals; the caller owns every buffer (result, scratch, trace), so a run
 * over a million people allocates only when a person has more records than
 * any before. See engine.h for the order of application. */
#include "engine/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"

#define EPS 1e-9

/* ---- result, trace and scratch lifecycles ---- */

int xf_result_init(xf_result *r, const xf_policy *p)
{
	memset(r, 0, sizeof(*r));
	size_t ni = p->nitems ? (size_t)p->nitems : 1;
	size_t nc = p->ncategories ? (size_t)p->ncategories : 1;
	r->items = calloc(ni, sizeof(double));
	r->item_units = calloc(ni, sizeof(double));
	r->categories = calloc(nc, sizeof(double));
	if (!r->items || !r->item_units || !r->categories)
		return -1;
	return 0;
}

void xf_result_cleanup(xf_result *r)
{
	free(r->items);
	free(r->item_units);
	free(r->categories);
	memset(r, 0, sizeof(*r));
}

void xf_trace_init(xf_trace *t)
{
	memset(t, 0, sizeof(*t));
}

void xf_trace_reset(xf_trace *t)
{
	t->n = 0;
	t->oom = false;
}

void xf_trace_cleanup(xf_trace *t)
{
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

void xf_scratch_init(xf_engine_scratch *s)
{
	memset(s, 0, sizeof(*s));
}

void xf_scratch_cleanup(xf_engine_scratch *s)
{
	free(s->plan);
	free(s->values);
	free(s->units);
	free(s->order);
	memset(s, 0, sizeof(*s));
}

static int scratch_reserve(xf_engine_scratch *s, size_t n)
{
	if (n <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 64;
	while (cap < n)
		cap *= 2;
	double *v = realloc(s->values, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	s->values = v;
	double *u = realloc(s->units, cap * sizeof(*u));
	if (u == NULL)
		return -1;
	s->units = u;
	uint32_t *o = realloc(s->order, cap * sizeof(*o));
	if (o == NULL)
		return -1;
	s->order = o;
	s->cap = cap;
	return 0;
}

/* Derives the per-item plan of policy p into the scratch (once per
 * policy; a scratch may be reused across policies). */
static int plan_policy(xf_engine_scratch *s, const xf_policy *p)
{
	if (s->plan_for == p)
		return 0;
	xf_item_plan *plan = realloc(s->plan, (size_t)(p->nitems ? p->nitems : 1) * sizeof(*plan));
	if (plan == NULL)
		return -1;
	for (int i = 0; i < p->nitems; i++) {
		const xf_item *it = &p->items[i];
		xf_item_plan *ip = &plan[i];
		ip->pts[0] = it->level_points ? 0 : it->points;
		for (int l = 0; l < XF_MAX_LEVELS; l++) {
			double v = it->points;
			if (it->level_points)
				v = l < p->nlevels && !isnan(it->level_points[l]) ? it->level_points[l] : 0;
			ip->pts[l + 1] = v;
		}
		ip->exclude = it->exclude | XF_EX_NOT_APPROVED;
		ip->exclude_kinds = it->exclude_kinds;
		ip->min_minutes = it->min_minutes;
		ip->min_score = it->min_score;
		ip->min_units = it->min_units;
		ip->speaker_pts = it->speaker_points;
		ip->has_speaker = !isnan(it->speaker_points);
		ip->awarded_mult = it->awarded_multiplier;
		ip->w_q = ip->w_session = ip->w_class = ip->w_year = 0;
		ip->qsel = 0;
		ip->valued = it->per != XF_PER_METRIC;
		ip->once = it->per == XF_PER_YEAR;
		ip->inv_session = it->session_days > 0 ? 1.0 / it->session_days : 0;
		ip->inv_class = it->class_hour_minutes > 0 ? 1.0 / it->class_hour_minutes : 0;
		ip->half_class = it->class_hour_minutes / 2.0;
		switch (it->per) {
		case XF_PER_COUNT: ip->w_q = 1; ip->qsel = 0; break;
		case XF_PER_DAY: ip->w_q = 1; ip->qsel = 1; break;
		case XF_PER_MONTH: ip->w_q = 1; ip->qsel = 2; break;
		case XF_PER_HOUR: ip->w_q = 1; ip->qsel = 3; break;
		case XF_PER_CREDITS: ip->w_q = 1; ip->qsel = 5; break;
		case XF_PER_SESSION: ip->w_session = 1; break;
		case XF_PER_CLASS_HOUR: ip->w_class = 1; break;
		case XF_PER_YEAR: ip->w_year = 1; break;
		case XF_PER_METRIC: break;
		}
	}
	s->rules_used = XF_EX_NOT_APPROVED;
	s->any_once = false;
	for (int i = 0; i < p->nitems; i++) {
		s->rules_used |= plan[i].exclude;
		s->any_once |= plan[i].once;
	}
	/* The exclusions that depend on a record's flags alone. */
	for (uint32_t b = 0; b < 128; b++) {
		uint32_t c = 0;
		if (b & XF_R_NOT_APPROVED)
			c |= XF_EX_NOT_APPROVED;
		if ((b & (XF_R_PASSED_SET | XF_R_PASSED)) == XF_R_PASSED_SET)
			c |= XF_EX_NOT_PASSED;
		if (b & XF_R_NOT_COMPLETED)
			c |= XF_EX_NOT_COMPLETED;
		if ((b & (XF_R_ONLINE | XF_R_NOT_COMPLETED)) == (XF_R_ONLINE | XF_R_NOT_COMPLETED))
			c |= XF_EX_ONLINE_INCOMPLETE;
		if (!(b & XF_R_PASSED))
			c |= XF_EX_UNLESS_PASSED;
		s->bit_rules[b] = c;
	}
	s->plan = plan;
	s->plan_for = p;
	return 0;
}

/* Appends an event; on allocation failure marks the trace incomplete. */
static void trace_push(xf_trace *t, xf_trace_kind kind, int32_t index,
		       int32_t other, int item, double a, double b, double c)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		xf_trace_event *ev = realloc(t->ev, cap * sizeof(*ev));
		if (ev == NULL) {
			t->oom = true;
			return;
		}
		t->ev = ev;
		t->cap = cap;
	}
	t->ev[t->n++] = (xf_trace_event){kind, index, other, (int16_t)item, a, b, c};
}

/* No trace requested (the common, fast case) costs one test. */
static inline void trace_add(xf_trace *t, xf_trace_kind kind, int32_t index,
			     int32_t other, int item, double a, double b, double c)
{
	if (t != NULL)
		trace_push(t, kind, index, other, item, a, b, c);
}

/* ---- per-record value ---- */

/* The exclusion rule (an XF_EX_* bit) that makes the record worth 0, or 0
 * when it counts. All conditions are evaluated without branches and masked
 * by the item's rules; when several hold, the lowest bit names the rule, so
 * traces are stable. (Branch-free: records arrive in no particular order
 * of items, and mispredicted branches were most of the engine's time.) */
static inline uint32_t excluded_by(const xf_engine_scratch *sc, const xf_item_plan *ip,
				   const xf_record *rec, double units)
{
	uint32_t used = sc->rules_used;
	uint32_t c = sc->bit_rules[rec->bits & 127];
	/* Branches on `used` depend on the policy only: always predicted. */
	if (used & XF_EX_KIND)
		c |= (uint32_t)(rec->kind >= 0 &&
				((ip->exclude_kinds >> (rec->kind & 31)) & 1u)) * XF_EX_KIND;
	if (used & (XF_EX_MIN_MINUTES | XF_EX_HALF_ATTENDED)) {
		int has_minutes = rec->minutes >= 0;
		c |= (uint32_t)(has_minutes & (rec->minutes < ip->min_minutes)) *
		     XF_EX_MIN_MINUTES;
		c |= (uint32_t)(has_minutes & (rec->attended >= 0) &
				((int64_t)rec->attended * 2 < (int64_t)rec->minutes)) *
		     XF_EX_HALF_ATTENDED;
	}
	if (used & XF_EX_MIN_SCORE)
		c |= (uint32_t)(rec->score < ip->min_score) * XF_EX_MIN_SCORE; /* NAN: false */
	if (used & XF_EX_MIN_UNITS)
		c |= (uint32_t)(units + EPS < ip->min_units) * XF_EX_MIN_UNITS;
	c &= ip->exclude;
	return c & -c;
}

/* ceil(x) for x >= 0 without a libm call; values past 2^52 are whole
 * already (and would not fit the conversion). */
static inline double ceil_nonneg(double x)
{
	if (!(x < 4503599627370496.0))
		return x;
	double t = (double)(int64_t)x;
	return t + (double)(t < x);
}

/* floor(x) for x >= 0, likewise. */
static inline double floor_nonneg(double x)
{
	if (!(x < 4503599627370496.0))
		return x;
	return (double)(int64_t)x;
}

/* Units of one record under the item's `per`, from the plan's weights:
 * every candidate is computed and one is kept, so records of mixed items do
 * not cost a mispredicted branch each.
 *   session:    online ? 1 : ceil(days / session_days) (days begun)
 *   class_hour: round half-up(minutes / class_hour_minutes), 0 when no minutes */
static inline double record_units(const xf_item_plan *ip, const xf_record *rec)
{
	double online = (double)((rec->bits & XF_R_ONLINE) != 0);
	double sessions = ceil_nonneg(rec->days * ip->inv_session - EPS);
	sessions = online + (1 - online) * sessions;
	double minutes = rec->minutes > 0 ? (double)rec->minutes : 0;
	double hours = floor_nonneg((minutes + ip->half_class) * ip->inv_class + EPS);
	return rec->q[ip->qsel] * ip->w_q + sessions * ip->w_session +
	       hours * ip->w_class + ip->w_year;
}


/* ---- same-activity rule ---- */

typedef struct act_key {
	int32_t item, activity;
	double value;
	uint32_t pos; /* position within the person's records */
} act_key;

/* Sort order: by item, activity, then highest value, then input order. */
static int act_cmp(const void *a, const void *b)
{
	const act_key *x = a, *y = b;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	if (x->activity != y->activity)
		return x->activity < y->activity ? -1 : 1;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/* Records sharing an activity key within an item count once, at the highest
 * value: the others' values and units are taken back out of r. `counted`
 * lists the counted records that carry a key. Returns -1 on allocation
 * failure. */
static int apply_same_activity(const xf_input *in, const uint32_t *counted,
			       size_t ncounted, const double *values,
			       const double *units, xf_result *r, xf_trace *trace)
{
	size_t n = ncounted;
	if (n < 2)
		return 0;

	act_key stackbuf[64];
	act_key *keys = n <= 64 ? stackbuf : malloc(n * sizeof(*keys));
	if (keys == NULL)
		return -1;
	n = 0;
	for (size_t k = 0; k < ncounted; k++) {
		const xf_record *rec = &in->records[counted[k]];
		if (rec->activity < 0)
			continue;
		keys[n++] = (act_key){rec->item, rec->activity, values[counted[k]],
				      counted[k]};
	}
	if (n <= 32) { /* the usual case: a few shared keys per person */
		for (size_t i = 1; i < n; i++) {
			act_key k = keys[i];
			size_t j = i;
			while (j > 0 && act_cmp(&keys[j - 1], &k) > 0) {
				keys[j] = keys[j - 1];
				j--;
			}
			keys[j] = k;
		}
	} else {
		qsort(keys, n, sizeof(*keys), act_cmp);
	}
	for (size_t k = 1; k < n; k++) {
		size_t first = k - 1;
		while (k < n && keys[k].item == keys[first].item &&
		       keys[k].activity == keys[first].activity) {
			uint32_t drop = keys[k].pos;
			trace_add(trace, XF_T_ACTIVITY,
				  (int32_t)in->records[keys[first].pos].index,
				  (int32_t)in->records[drop].index, keys[k].item,
				  keys[first].value, values[drop], 0);
			r->items[keys[k].item] -= values[drop];
			r->item_units[keys[k].item] -= units[drop];
			k++;
		}
	}
	if (keys != stackbuf)
		free(keys);
	return 0;
}

/* ---- months and exemptions ---- */

static xf_monthset period_months(const xf_input *in, int year, uint8_t kinds,
				 bool participating_only)
{
	xf_monthset s = 0;
	const xf_person *pe = in->person;
	for (size_t i = 0; i < pe->nperiods; i++) {
		const xf_period *pd = &pe->periods[i];
		if (!(kinds & (1u << pd->kind)))
			continue;
		if (participating_only && pd->kind == XF_PERIOD_SECONDMENT &&
		    !pd->participates)
			continue;
		s |= xf_monthset_range(year, pd->from, pd->to);
	}
	return s;
}

static bool joined_in_or_after(const xf_person *pe, int year)
{
	return pe->joined != 0 && XF_DATE_YEAR(pe->joined) >= year;
}

/* Months counted toward this year's requirement. */
static xf_monthset counted_months(const xf_policy *p, int year, const xf_input *in)
{
	const xf_person *pe = in->person;
	xf_monthset s = XF_MONTHS_ALL;
	if (joined_in_or_after(pe, year)) {
		int start = XF_DATE_YEAR(pe->joined) > year ? 13 : XF_DATE_MONTH(pe->joined);
		if (p->join_rule == XF_JOIN_NEXT_MONTH)
			start++;
		s = start > 12 ? 0 : (xf_monthset)(XF_MONTHS_ALL & ~((1u << (start - 1)) - 1));
	}
	if (p->uncounted_periods)
		s &= (xf_monthset)~period_months(in, year, p->uncounted_periods, true);
	return s;
}

static bool exempt_holds(const xf_exempt_rule *e, int year, const xf_input *in,
			 int months)
{
	const xf_person *pe = in->person;
	switch (e->when) {
	case XF_EXEMPT_PERIOD_MONTHS_OVER:
		return xf_monthset_count(period_months(in, year, e->period_kinds, false)) >
		       e->months;
	case XF_EXEMPT_PERIOD_MONTHS_AT_LEAST:
		return xf_monthset_count(period_months(in, year, e->period_kinds, false)) >=
		       e->months;
	case XF_EXEMPT_NOT_PARTICIPATING:
		for (size_t i = 0; i < pe->nperiods; i++) {
			const xf_period *pd = &pe->periods[i];
			if (pd->kind == XF_PERIOD_SECONDMENT && !pd->participates &&
			    xf_monthset_range(year, pd->from, pd->to) != 0)
				return true;
		}
		return false;
	case XF_EXEMPT_FLAG:
		return e->flag >= 0 && (pe->flags & (1u << e->flag));
	case XF_EXEMPT_NEW_MONTHS_BELOW:
		return joined_in_or_after(pe, year) && months < e->months;
	}
	return false;
}

/* ---- the stages ---- */

/* Writes the trace event for one record, given what the fast path found. */
static void trace_record(const xf_record *rec, bool in_year, const xf_item_plan *ip,
			 uint32_t ex, bool seen, double v, double u, double pts,
			 xf_trace *trace)
{
	int32_t idx = (int32_t)rec->index;
	if (!in_year)
		trace_add(trace, XF_T_OTHER_YEAR, idx, 0, rec->item, 0, 0, 0);
	else if (!ip->valued)
		trace_add(trace, XF_T_NOT_RECORD, idx, 0, rec->item, 0, 0, 0);
	else if (ex)
		trace_add(trace, XF_T_EXCLUDED, idx, (int32_t)ex, rec->item, 0, 0, 0);
	else if (seen)
		trace_add(trace, XF_T_ONCE, idx, 0, rec->item, 0, 0, 0);
	else
		trace_add(trace, XF_T_VALUE, idx, 0, rec->item, v, u, pts);
}

/* Values every record of the year and sums values and units into
 * r->items / r->item_units (before caps). A record that does not count
 * (other year, metric item, excluded, once-a-year item already counted)
 * adds 0; the loop has no data-dependent branch outside the trace. Records
 * with an activity key are noted, and the same-activity rule then takes the
 * duplicates back out. */
static int value_records(const xf_policy *p, int year, const xf_input *in,
			 xf_engine_scratch *scratch, xf_result *r, xf_trace *trace)
{
	size_t n = in->nrecords;
	if (n == 0)
		return 0;
	if (scratch_reserve(scratch, n) != 0)
		return -1;
	const xf_item_plan *plan = scratch->plan;
	double *values = scratch->values, *units = scratch->units;
	uint32_t *keyed = scratch->order;
	size_t nkeyed = 0;
	uint64_t once_seen[(XF_MAX_ITEMS + 63) / 64] = {0};
	bool any_once = scratch->any_once;
	xf_date year_first = year * 10000 + 101, year_last = year * 10000 + 1231;

	for (size_t i = 0; i < n; i++) {
		const xf_record *rec = &in->records[i];
		const xf_item_plan *ip = &plan[rec->item];
		bool in_year = (rec->date >= year_first) & (rec->date <= year_last);
		double u = ip->w_q != 0 ? rec->q[ip->qsel] : record_units(ip, rec);
		uint32_t ex = excluded_by(scratch, ip, rec, u);
		bool keep = in_year & ip->valued & (ex == 0);
		bool seen = false;
		if (any_once) {
			uint64_t bit = 1ull << (rec->item & 63);
			uint64_t *word = &once_seen[rec->item >> 6];
			seen = keep & ip->once & ((*word & bit) != 0);
			keep &= !seen;
			*word |= bit * (uint64_t)(keep & ip->once);
		}

		double pts = ip->pts[rec->level + 1];
		bool speaker = ((rec->bits & XF_R_SPEAKER) != 0) & ip->has_speaker;
		pts = speaker ? ip->speaker_pts : pts;
		double mult = (rec->bits & XF_R_AWARDED) ? ip->awarded_mult : 1.0;
		double k = (double)keep;
		double v = pts * u * mult * k;
		r->items[rec->item] += v;
		r->item_units[rec->item] += u * k;
		values[i] = v;
		units[i] = u * k;
		keyed[nkeyed] = (uint32_t)i;
		nkeyed += keep & (rec->activity >= 0);
		if (trace)
			trace_record(rec, in_year, ip, ex, seen, v, u, pts, trace);
	}
	return apply_same_activity(in, keyed, nkeyed, values, units, r, trace);
}

/* Monthly-metric items (学习强国 steps) and the growth sums. */
static void value_metrics(const xf_policy *p, int year, const xf_input *in,
			  xf_result *r, xf_trace *trace)
{
	for (size_t i = 0; i < in->nmetrics; i++) {
		const xf_metric *m = &in->metrics[i];
		if (m->year != year) {
			trace_add(trace, XF_T_OTHER_YEAR, -1 - (int32_t)m->index, 0, -1, 0, 0, 0);
			continue;
		}
		if (p->has_growth && m->metric == p->growth_metric) {
			r->growth += m->value;
			r->quarter_growth[(m->month - 1) / 3] += m->value;
		}
	}
	for (int it_i = 0; it_i < p->nitems; it_i++) {
		const xf_item *it = &p->items[it_i];
		if (it->per != XF_PER_METRIC)
			continue;
		double month[12] = {0};
		int32_t last_index[12];
		for (int k = 0; k < 12; k++)
			last_index[k] = -1;
		for (size_t i = 0; i < in->nmetrics; i++) {
			const xf_metric *m = &in->metrics[i];
			if (m->year != year || m->metric != it->metric)
				continue;
			month[m->month - 1] += m->value;
			last_index[m->month - 1] = (int32_t)m->index;
		}
		for (int k = 0; k < 12; k++) {
			if (last_index[k] < 0)
				continue;
			double pts = 0;
			if (month[k] > it->step_above + EPS && it->step_size > 0)
				pts = floor_nonneg((month[k] - it->step_above) / it->step_size + EPS) *
				      it->points;
			r->items[it_i] += pts;
			r->item_units[it_i] += pts;
			trace_add(trace, XF_T_METRIC, last_index[k], k + 1, it_i, month[k], pts, 0);
		}
	}
}

/* Item caps, category sums and caps, total. */
static void apply_caps(const xf_policy *p, xf_result *r, xf_trace *trace)
{
	for (int i = 0; i < p->nitems; i++) {
		double cap = p->items[i].cap;
		if (r->items[i] > cap) {
			trace_add(trace, XF_T_ITEM_CAP, -1, 0, i, r->items[i], cap, 0);
			r->items[i] = cap;
		}
	}
	double total = 0;
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		double sum = 0;
		for (int i = cat->first_item; i < cat->first_item + cat->nitems; i++)
			sum += r->items[i];
		if (sum > cat->cap) {
			trace_add(trace, XF_T_CAT_CAP, -1, c, -1, sum, cat->cap, 0);
			sum = cat->cap;
		}
		r->categories[c] = sum;
		total += sum;
	}
	if (p->ncategories > 0) {
		r->has_total = true;
		r->total = xf_round2(total);
	}
}

static void check_pass_lines(const xf_policy *p, xf_result *r)
{
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		if (!cat->has_pass)
			continue;
		bool ok = xf_round2(r->categories[c]) + EPS >= cat->pass_min;
		for (int k = 0; ok && k < cat->npass_counts; k++)
			ok = r->item_units[cat->pass_count_items[k]] + EPS >= cat->pass_count_min[k];
		if (ok)
			r->passed |= 1u << c;
	}
}

static void score_lines(const xf_policy *p, const xf_input *in, xf_result *r)
{
	if (p->nlines == 0)
		return;
	double self = 0, review = 0;
	for (size_t i = 0; i < in->nscores; i++) {
		if (in->scores[i].has_self)
			self += in->scores[i].self;
		if (in->scores[i].has_review)
			review += in->scores[i].review;
	}
	r->has_scores = true;
	r->self_total = xf_round2(self);
	r->review_total = xf_round2(review);
	r->has_total = true;
	r->total = r->review_total;
}

static void decide_requirement(const xf_policy *p, const xf_input *in, xf_result *r)
{
	r->met = XF_NULL;
	if (!p->has_required || r->exempt)
		return;
	double base = p->required;
	if (p->nroles > 0)
		base = in->person->role >= 0 ? p->roles[in->person->role].required : 0;
	if (p->prorate)
		base = base * r->months / 12.0;
	r->has_required = true;
	r->required = xf_round2(base);
	bool met = r->total + EPS >= r->required;
	for (int k = 0; met && k < p->nrequire_items; k++)
		met = xf_round2(r->items[p->require_items[k]]) + EPS >= p->require_item_min[k];
	r->met = met ? XF_TRUE : XF_FALSE;
}

static void decide_final(const xf_policy *p, int year, const xf_input *in,
			 xf_result *r, xf_trace *trace)
{
	r->final = r->total;
	if (!p->annualise || r->exempt || !r->has_total || r->months <= 0 ||
	    !joined_in_or_after(in->person, year))
		return;
	double f = r->total * p->annualise_full / (p->annualise_per_month * r->months);
	if (f > p->annualise_full)
		f = p->annualise_full;
	r->final = xf_round2(f);
	trace_add(trace, XF_T_ANNUALISE, -1, 0, -1, r->total, r->final, r->months);
}

static void decide_grade(const xf_policy *p, const xf_input *in, xf_result *r,
			 xf_trace *trace)
{
	r->grade = -1;
	if (p->ngrades == 0 || r->exempt || !r->has_total)
		return;
	if (p->fail_grade >= 0) {
		uint32_t veto = in->person->flags & p->veto_flags;
		if (veto) {
			trace_add(trace, XF_T_GRADE_VETO, -1, __builtin_ctz(veto), -1, 0, 0, 0);
			r->grade = p->fail_grade;
			return;
		}
		uint32_t unpassed = p->veto_unpassed & ~r->passed;
		if (unpassed) {
			trace_add(trace, XF_T_GRADE_VETO, -1, __builtin_ctz(unpassed), -1, 1, 0, 0);
			r->grade = p->fail_grade;
			return;
		}
	}
	r->grade = p->ngrades - 1; /* the lowest band when nothing else fits */
	for (int g = 0; g < p->ngrades; g++) {
		if (r->final + EPS >= p->grades[g].min) {
			r->grade = g;
			break;
		}
	}
}

static bool history_has(const xf_input *in, int year, int grade)
{
	for (size_t i = 0; i < in->nhistory; i++)
		if (in->history[i].year == year && in->history[i].grade == grade)
			return true;
	return false;
}

static void decide_result_flags(const xf_policy *p, int year, const xf_input *in,
				xf_result *r)
{
	for (int f = 0; f < p->nresult_flags; f++) {
		const xf_result_flag *rf = &p->result_flags[f];
		bool on = false;
		if (rf->when == XF_RFLAG_GRADE_STREAK) {
			on = r->grade >= 0 && r->grade == rf->grade;
			for (int y = 1; on && y <= rf->years; y++)
				on = history_has(in, year - y, rf->grade);
		} else if (rf->when == XF_RFLAG_TOTAL_AT_LEAST) {
			on = !r->exempt && r->has_total && r->total + EPS >= rf->min_total;
		}
		if (on)
			r->result_flags |= 1u << f;
	}
}

int xf_engine_assess(const xf_policy *p, int year, const xf_input *in,
		     xf_engine_scratch *scratch, xf_result *r, xf_trace *trace)
{
	double *items = r->items, *units = r->item_units, *cats = r->categories;
	memset(items, 0, (size_t)p->nitems * sizeof(double));
	memset(units, 0, (size_t)p->nitems * sizeof(double));
	memset(cats, 0, (size_t)p->ncategories * sizeof(double));
	memset(r, 0, sizeof(*r));
	r->items = items;
	r->item_units = units;
	r->categories = cats;
	r->exempt_rule = -1;
	r->grade = -1;
	r->met = XF_NULL;

	if (plan_policy(scratch, p) != 0 || value_records(p, year, in, scratch, r, trace) != 0)
		return -1;
	value_metrics(p, year, in, r, trace);
	apply_caps(p, r, trace);
	check_pass_lines(p, r);
	score_lines(p, in, r);

	r->months = xf_monthset_count(counted_months(p, year, in));
	trace_add(trace, XF_T_MONTHS, -1, 0, -1, r->months, 0, 0);
	for (int e = 0; e < p->nexempt; e++) {
		if (exempt_holds(&p->exempt[e], year, in, r->months)) {
			r->exempt = true;
			r->exempt_rule = e;
			trace_add(trace, XF_T_EXEMPT, -1, e, -1, 0, 0, 0);
			break;
		}
	}

	decide_requirement(p, in, r);
	decide_final(p, year, in, r, trace);
	decide_grade(p, in, r, trace);
	decide_result_flags(p, year, in, r);

	if (p->has_growth) {
		for (int g = 0; g < p->ngrowth_flags; g++)
			if (r->growth + EPS >= p->growth_flags[g].min)
				r->growth_flags |= 1u << g;
	}
	if (p->has_award && !r->exempt) {
		r->award_eligible = true;
		r->award_contender = !p->award_needs_met || r->met == XF_TRUE;
	}
	return 0;
}
