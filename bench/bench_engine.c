/* bench_engine: the engine's throughput against a floor.
 *
 * Generates synthetic people with their records (and 学习强国 months) in
 * chunks, deterministically, and over each chunk runs, timed separately:
 *   - the floor: a plain pass that only sums each record's points into its
 *     person's total (level table lookup x count), nothing else;
 *   - the full assessment: xf_engine_assess for every person (exclusions,
 *     same-activity, caps, months, exemptions, requirement, grade) plus the
 *     group pass (award quota).
 * Both read the same records from memory. Chunks are reused, so memory
 * stays flat whatever the number of people: the point of streaming.
 *
 * Usage: bench_engine [--policy ID] [--people N] [--records R] [--chunk C]
 * Prints one Markdown table row. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/group.h"
#include "policy/policy.h"

typedef struct rng {
	uint64_t s;
} rng;

static uint32_t rnd(rng *r, uint32_t n)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)((r->s >> 11) % n);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The levels an item accepts (NAN entries are not allowed). */
static int pick_level(rng *r, const xf_item *it, int nlevels)
{
	if (it->level_points == NULL)
		return -1;
	for (int tries = 0; tries < 32; tries++) {
		int l = (int)rnd(r, (uint32_t)nlevels);
		if (!isnan(it->level_points[l]))
			return l;
	}
	for (int l = 0; l < nlevels; l++)
		if (!isnan(it->level_points[l]))
			return l;
	return -1;
}

typedef struct chunk {
	xf_person *people;
	xf_period *periods;
	xf_record *records;
	xf_metric *metrics;
	size_t *rec_off, *met_off;
} chunk;

/* Fills a chunk with n people of `nrec` records each, from person number
 * `base` on. Records are realistic in mix: about 5% excluded by a rule,
 * 10% sharing an activity key, a few in another year. */
static void generate(const xf_policy *p, chunk *c, size_t n, size_t nrec,
		     size_t base, rng *r, const int *record_items, int nrecord_items,
		     int metric_item)
{
	size_t ri = 0, mi = 0;
	for (size_t i = 0; i < n; i++) {
		xf_person *pe = &c->people[i];
		memset(pe, 0, sizeof(*pe));
		pe->id = "p";
		pe->unit_id = -1;
		pe->role = p->nroles ? (int)rnd(r, (uint32_t)p->nroles) : -1;
		pe->joined = rnd(r, 10) == 0 ? 20250000 + (int)(1 + rnd(r, 12)) * 100 + 1
					     : 20100101;
		pe->periods = &c->periods[i];
		pe->nperiods = 0;
		if (rnd(r, 20) == 0) {
			c->periods[i] = (xf_period){XF_PERIOD_SICK_LEAVE, 20250301,
						    20250301 + (int)rnd(r, 8) * 100, true};
			pe->nperiods = 1;
		}
		c->rec_off[i] = ri;
		for (size_t k = 0; k < nrec; k++) {
			xf_record *rec = &c->records[ri++];
			int item = record_items[rnd(r, (uint32_t)nrecord_items)];
			const xf_item *it = &p->items[item];
			memset(rec, 0, sizeof(*rec));
			rec->index = (uint32_t)k;
			rec->item = (int16_t)item;
			rec->level = (int8_t)pick_level(r, it, p->nlevels);
			rec->kind = -1;
			rec->date = (rnd(r, 50) == 0 ? 20240000 : 20250000) +
				    (int)(1 + rnd(r, 12)) * 100 + 1 + (int)rnd(r, 28);
			rec->activity = rnd(r, 10) == 0 ? (int32_t)rnd(r, 4) : -1;
			rec->minutes = 30 + (int32_t)rnd(r, 300);
			rec->attended = rnd(r, 30) == 0 ? rec->minutes / 3 : -1;
			rec->count = 1 + rnd(r, 2);
			rec->days = 1 + rnd(r, 3);
			rec->months = rnd(r, 5);
			rec->hours = rnd(r, 20);
			rec->credits = rnd(r, 4);
			rec->score = rnd(r, 10) == 0 ? 50 + rnd(r, 50) : NAN;
			rec->bits = (uint16_t)((rnd(r, 5) == 0 ? XF_R_ONLINE : 0) |
					       (rnd(r, 10) == 0 ? XF_R_SPEAKER : 0) |
					       (rnd(r, 20) == 0 ? XF_R_AWARDED : 0));
		}
		c->met_off[i] = mi;
		if (metric_item >= 0) {
			for (int m = 1; m <= 12; m++) {
				c->metrics[mi++] = (xf_metric){(uint32_t)m, (int16_t)p->items[metric_item].metric,
							       2025, (int8_t)m, 400 + rnd(r, 500)};
			}
		}
	}
	c->rec_off[n] = ri;
	c->met_off[n] = mi;
	(void)base;
}

/* The floor: sum each record's points into its person, nothing else. */
static double plain_sum(const xf_policy *p, const chunk *c, size_t n, double *sums)
{
	double all = 0;
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (size_t k = c->rec_off[i]; k < c->rec_off[i + 1]; k++) {
			const xf_record *rec = &c->records[k];
			const xf_item *it = &p->items[rec->item];
			double pts = it->level_points ? it->level_points[(int)rec->level] : it->points;
			s += pts * rec->count;
		}
		sums[i] = s;
		all += s;
	}
	return all;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	const char *policy_id = "bigdata-bureau";
	size_t npeople = 1000000, nrec = 50, chunk_people = 10000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--policy") == 0)
			policy_id = argv[i + 1];
		else if (strcmp(argv[i], "--people") == 0)
			npeople = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--records") == 0)
			nrec = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--chunk") == 0)
			chunk_people = strtoull(argv[i + 1], NULL, 10);
	}
	if (npeople == 0 || nrec == 0 || chunk_people == 0) {
		fprintf(stderr, "bench_engine: counts must be positive\n");
		return 2;
	}

	xf_errs errs;
	xf_errs_init(&errs);
	xf_policy *p = xf_policy_resolve(policy_id, NULL, &errs);
	if (p == NULL) {
		xf_errs_print(&errs, "bench_engine: ", stderr);
		return 1;
	}
	int record_items[XF_MAX_ITEMS], nrecord_items = 0, metric_item = -1;
	for (int i = 0; i < p->nitems; i++) {
		if (p->items[i].per == XF_PER_METRIC)
			metric_item = i;
		else
			record_items[nrecord_items++] = i;
	}

	chunk c;
	c.people = calloc(chunk_people, sizeof(*c.people));
	c.periods = calloc(chunk_people, sizeof(*c.periods));
	c.records = calloc(chunk_people * nrec, sizeof(*c.records));
	c.metrics = calloc(chunk_people * 12, sizeof(*c.metrics));
	c.rec_off = calloc(chunk_people + 1, sizeof(size_t));
	c.met_off = calloc(chunk_people + 1, sizeof(size_t));
	double *sums = calloc(chunk_people, sizeof(double));
	xf_result r;
	xf_engine_scratch scratch;
	xf_scratch_init(&scratch);
	xf_group *g = xf_group_new(p);
	if (!c.people || !c.periods || !c.records || !c.metrics || !c.rec_off ||
	    !c.met_off || !sums || xf_result_init(&r, p) != 0 || g == NULL) {
		fprintf(stderr, "bench_engine: out of memory\n");
		return 1;
	}

	rng gen = {0x9E3779B97F4A7C15ull};
	double t_gen = 0, t_plain = 0, t_engine = 0, checksum = 0, totals = 0;
	for (size_t done = 0; done < npeople; done += chunk_people) {
		size_t n = npeople - done < chunk_people ? npeople - done : chunk_people;
		double t0 = now();
		generate(p, &c, n, nrec, done, &gen, record_items, nrecord_items, metric_item);
		double t1 = now();
		checksum += plain_sum(p, &c, n, sums);
		double t2 = now();
		for (size_t i = 0; i < n; i++) {
			xf_input in = {&c.people[i], &c.records[c.rec_off[i]],
				       c.rec_off[i + 1] - c.rec_off[i], &c.metrics[c.met_off[i]],
				       c.met_off[i + 1] - c.met_off[i], NULL, 0, NULL, 0};
			if (xf_engine_assess(p, 2025, &in, &scratch, &r, NULL) != 0 ||
			    xf_group_add(g, in.person, &r) != 0) {
				fprintf(stderr, "bench_engine: out of memory\n");
				return 1;
			}
			totals += r.total;
		}
		double t3 = now();
		t_gen += t1 - t0;
		t_plain += t2 - t1;
		t_engine += t3 - t2;
	}
	xf_group_finish(g);

	double nrecords = (double)npeople * (double)nrec;
	double plain_rate = nrecords / t_plain, engine_rate = nrecords / t_engine;
	printf("| %s | %zu | %zu | %.1f M/s | %.1f M/s | %.2f× | %.2f s | %.2f s | %ld MB |\n",
	       policy_id, npeople, nrec, plain_rate / 1e6, engine_rate / 1e6,
	       engine_rate > 0 ? plain_rate / engine_rate : 0, t_plain, t_engine,
	       peak_rss_kb() / 1024);
	fprintf(stderr, "generation %.2f s; checksums %.0f %.0f; award limit %ld\n", t_gen,
		checksum, totals, xf_group_award_limit(g));

	xf_group_free(g);
	xf_result_cleanup(&r);
	xf_scratch_cleanup(&scratch);
	free(c.people);
	free(c.periods);
	free(c.records);
	free(c.metrics);
	free(c.rec_off);
	free(c.met_off);
	free(sums);
	xf_policy_free(p);
	xf_errs_cleanup(&errs);
	return 0;
}
