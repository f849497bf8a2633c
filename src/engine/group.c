/* group: award quota and per-unit results, accumulated person by person. */
#include "engine/group.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"

/* A count of contenders per total (in hundredths). Distinct totals are few
 * (a capped total of 100 has at most 10,001), whatever the head count. */
typedef struct tally {
	int64_t cents;
	long count;
} tally;

struct xf_group {
	const xf_policy *p;
	long eligible;          /* non-exempt people */
	tally *tallies;         /* open addressing on cents; count 0 = empty */
	size_t ntallies, tcap;
	long limit;
	bool any_candidate;
	int64_t threshold;      /* contenders with cents >= threshold win */

	xf_strmap *unit_ids;    /* unit -> index in units */
	xf_strmap *person_ids;  /* copies of the person ids in bottom lists */
	xf_unit_result *units;
	double *bottom_growth;  /* [unit][quarter][XF_GROUP_MAX_BOTTOM] */
	size_t nunits, ucap;
	xf_unit_result **sorted;
	const char *best;
};

static int64_t to_cents(double v)
{
	return (int64_t)llround(v * 100.0);
}

xf_group *xf_group_new(const xf_policy *p)
{
	xf_group *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->p = p;
	g->unit_ids = xf_strmap_new();
	g->person_ids = xf_strmap_new();
	if (g->unit_ids == NULL || g->person_ids == NULL) {
		xf_group_free(g);
		return NULL;
	}
	return g;
}

void xf_group_free(xf_group *g)
{
	if (g == NULL)
		return;
	free(g->tallies);
	free(g->units);
	free(g->bottom_growth);
	free(g->sorted);
	xf_strmap_free(g->unit_ids);
	xf_strmap_free(g->person_ids);
	free(g);
}

static tally *tally_slot(tally *t, size_t cap, int64_t cents)
{
	size_t i = (size_t)((uint64_t)cents * 0x9E3779B97F4A7C15ull) & (cap - 1);
	while (t[i].count != 0 && t[i].cents != cents)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

static int tally_add(xf_group *g, int64_t cents)
{
	if ((g->ntallies + 1) * 2 > g->tcap) {
		size_t cap = g->tcap ? g->tcap * 2 : 256;
		tally *t = calloc(cap, sizeof(*t));
		if (t == NULL)
			return -1;
		for (size_t i = 0; i < g->tcap; i++)
			if (g->tallies[i].count)
				*tally_slot(t, cap, g->tallies[i].cents) = g->tallies[i];
		free(g->tallies);
		g->tallies = t;
		g->tcap = cap;
	}
	tally *s = tally_slot(g->tallies, g->tcap, cents);
	if (s->count == 0) {
		s->cents = cents;
		g->ntallies++;
	}
	s->count++;
	return 0;
}

static xf_unit_result *unit_for(xf_group *g, const char *id)
{
	int32_t k = xf_strmap_get(g->unit_ids, id);
	if (k >= 0)
		return &g->units[k];
	if (g->nunits == g->ucap) {
		size_t cap = g->ucap ? g->ucap * 2 : 16;
		xf_unit_result *u = realloc(g->units, cap * sizeof(*u));
		if (u == NULL)
			return NULL;
		g->units = u;
		double *b = realloc(g->bottom_growth,
				    cap * 4 * XF_GROUP_MAX_BOTTOM * sizeof(*b));
		if (b == NULL)
			return NULL;
		g->bottom_growth = b;
		g->ucap = cap;
	}
	const char *copy;
	if (xf_strmap_put(g->unit_ids, id, (int32_t)g->nunits, &copy) < 0)
		return NULL;
	xf_unit_result *u = &g->units[g->nunits++];
	memset(u, 0, sizeof(*u));
	u->id = copy;
	return u;
}

/* Keeps the n lowest (growth, id) of a quarter, lowest first. Person ids
 * are copied so they outlive the streamed person. */
static int bottom_insert(xf_group *g, size_t unit, int q, double growth,
			 const char *id)
{
	xf_unit_result *u = &g->units[unit];
	double *gv = g->bottom_growth + (unit * 4 + (size_t)q) * XF_GROUP_MAX_BOTTOM;
	int n = u->nbottom[q];
	int max = g->p->bottom_n < XF_GROUP_MAX_BOTTOM ? g->p->bottom_n : XF_GROUP_MAX_BOTTOM;
	int pos = n;
	while (pos > 0 && (gv[pos - 1] > growth ||
			   (gv[pos - 1] == growth && strcmp(u->bottom[q][pos - 1], id) > 0)))
		pos--;
	if (pos >= max)
		return 0;
	const char *copy;
	if (xf_strmap_intern(g->person_ids, id, &copy) < 0)
		return -1;
	int last = n < max ? n : max - 1;
	for (int k = last; k > pos; k--) {
		gv[k] = gv[k - 1];
		u->bottom[q][k] = u->bottom[q][k - 1];
	}
	gv[pos] = growth;
	u->bottom[q][pos] = copy;
	if (n < max)
		u->nbottom[q]++;
	return 0;
}

int xf_group_add(xf_group *g, const xf_person *person, const xf_result *r)
{
	if (r->award_eligible)
		g->eligible++;
	if (r->award_contender && tally_add(g, to_cents(r->total)) != 0)
		return -1;
	if (!g->p->has_groups || person->unit == NULL)
		return 0;
	xf_unit_result *u = unit_for(g, person->unit);
	if (u == NULL)
		return -1;
	size_t ui = (size_t)(u - g->units);
	u->members++;
	u->total += r->growth;
	for (int q = 0; q < 4 && g->p->bottom_n > 0; q++)
		if (bottom_insert(g, ui, q, r->quarter_growth[q], person->id) != 0)
			return -1;
	return 0;
}

static int tally_desc(const void *a, const void *b)
{
	const tally *x = a, *y = b;
	return x->cents < y->cents ? 1 : (x->cents > y->cents ? -1 : 0);
}

static int unit_cmp(const void *a, const void *b)
{
	const xf_unit_result *x = *(xf_unit_result *const *)a;
	const xf_unit_result *y = *(xf_unit_result *const *)b;
	return strcmp(x->id, y->id);
}

/* Walks the totals from the highest: a whole tie fits under the limit or
 * takes nobody, and nobody below a tie that did not fit is taken. */
static int settle_award(xf_group *g)
{
	g->limit = (long)floor(g->p->award_quota * (double)g->eligible + 1e-9);
	size_t n = 0;
	for (size_t i = 0; i < g->tcap; i++)
		if (g->tallies[i].count)
			g->tallies[n++] = g->tallies[i];
	if (n > 1)
		qsort(g->tallies, n, sizeof(*g->tallies), tally_desc);
	long taken = 0;
	for (size_t i = 0; i < n; i++) {
		if (taken + g->tallies[i].count > g->limit)
			break;
		taken += g->tallies[i].count;
		g->threshold = g->tallies[i].cents;
		g->any_candidate = true;
	}
	g->ntallies = 0; /* the table is compacted; no more adds */
	g->tcap = 0;
	return 0;
}

int xf_group_finish(xf_group *g)
{
	if (g->p->has_award && settle_award(g) != 0)
		return -1;
	if (g->nunits == 0)
		return 0;
	g->sorted = malloc(g->nunits * sizeof(*g->sorted));
	if (g->sorted == NULL)
		return -1;
	for (size_t i = 0; i < g->nunits; i++) {
		xf_unit_result *u = &g->units[i];
		u->average = u->members ? u->total / (double)u->members : 0;
		g->sorted[i] = u;
	}
	qsort(g->sorted, g->nunits, sizeof(*g->sorted), unit_cmp);
	if (g->p->best_group) {
		const xf_unit_result *best = g->sorted[0];
		for (size_t i = 1; i < g->nunits; i++)
			if (g->sorted[i]->average > best->average + 1e-9)
				best = g->sorted[i];
		g->best = best->id;
	}
	/* Expose the sorted order through a contiguous copy. */
	xf_unit_result *ordered = malloc(g->nunits * sizeof(*ordered));
	if (ordered == NULL)
		return -1;
	for (size_t i = 0; i < g->nunits; i++)
		ordered[i] = *g->sorted[i];
	free(g->units);
	g->units = ordered;
	return 0;
}

bool xf_group_award_candidate(const xf_group *g, const xf_result *r)
{
	return g->any_candidate && r->award_contender &&
	       to_cents(r->total) >= g->threshold;
}

bool xf_group_award_threshold(const xf_group *g, double *min_total)
{
	*min_total = (double)g->threshold / 100.0;
	return g->any_candidate;
}

long xf_group_award_limit(const xf_group *g)
{
	return g->limit;
}

size_t xf_group_units(const xf_group *g, const xf_unit_result **units)
{
	*units = g->units;
	return g->nunits;
}

const char *xf_group_best(const xf_group *g)
{
	return g->best;
}
