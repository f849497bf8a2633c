/* bench_store: assessment from the database against a plain GROUP BY.
 *
 * Three separate phases, each its own process so that each reports its own
 * peak RSS:
 *   load   --db URL --people N --records R   synthetic people (one unit under
 *          bigdata-bureau for 2025), R records and 12 学习强国 months each,
 *          and a small table of points by item and level for the floor;
 *   floor  --db URL   SELECT person, SUM(points) ... GROUP BY person over
 *          the same records, every row read by the client;
 *   assess --db URL   xuefen's year-end assessment: every person streamed
 *          out, assessed by the engine, results saved as a run.
 * Prints one line "PHASE rows seconds rate peak-RSS-MB". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "service/assess.h"
#include "store/data.h"
#include "store/store.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

/* Items of bigdata-bureau with the levels they take, and their points. */
static const struct { const char *item, *level; double points; } kinds[] = {
	{"listen.training", "national", 5}, {"listen.training", "city", 4},
	{"listen.training", "district", 3}, {"listen.training", "bureau", 2},
	{"read.book", "", 2},
	{"write.briefing", "national", 20}, {"write.briefing", "city", 10},
	{"write.briefing", "district", 5}, {"write.briefing", "district_paper", 2},
	{"write.paper", "national", 30}, {"write.paper", "city", 15}, {"write.paper", "district", 10},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int fail(xf_errs *errs, const char *what)
{
	fprintf(stderr, "bench_store: %s\n", what);
	xf_errs_print(errs, "  ", stderr);
	return 1;
}

static int load(const char *url, long people, long records)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	if (s == NULL)
		return fail(&errs, "open");
	xf_data *d = xf_data_new(s, &errs);
	double t0 = now();
	long long unit, pid;
	if (xf_store_begin(s, &errs) != 0 || xf_data_unit(d, "bench", "基准单位", &unit, &errs) != 0 ||
	    xf_data_assign_policy(d, unit, 2025, "bigdata-bureau", &errs) != 0 ||
	    xf_store_exec_for_tests(s, "CREATE TABLE bench_points (item TEXT, level TEXT, points DOUBLE PRECISION)",
				    &errs) != 0)
		return fail(&errs, "setup");
	xf_stmt *pts = xf_stmt_prepare(s, "INSERT INTO bench_points VALUES ($1, $2, $3)", &errs);
	for (size_t k = 0; k < NKINDS; k++) {
		xf_stmt_reset(pts);
		xf_stmt_bind_text(pts, 1, kinds[k].item);
		xf_stmt_bind_text(pts, 2, kinds[k].level);
		xf_stmt_bind_double(pts, 3, kinds[k].points);
		if (xf_stmt_step(pts, &errs) != XF_STEP_DONE)
			return fail(&errs, "points");
	}
	xf_stmt_finalize(pts);
	xf_stmt *rec = xf_stmt_prepare(s, "INSERT INTO records (person_id, id, item, date, level, count,"
					  " days, minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &errs);
	xf_stmt *met = xf_stmt_prepare(s, "INSERT INTO metrics (person_id, metric, month, value)"
					  " VALUES ($1, 'xxqg', $2, $3)", &errs);
	if (rec == NULL || met == NULL)
		return fail(&errs, "prepare");
	static const char *roles[] = {"leader", "section_head", "staff"};
	long long rows = 0;
	for (long i = 0; i < people; i++) {
		char code[32], date[16], month[16];
		snprintf(code, sizeof(code), "P%08ld", i);
		xf_person_row pr = {code, code, code, NULL, NULL, unit, roles[rnd(3)], "2015-03-01"};
		if (xf_data_person(d, &pr, &pid, &errs) != 0)
			return fail(&errs, "person");
		for (long r = 0; r < records; r++) {
			size_t k = rnd(NKINDS);
			snprintf(date, sizeof(date), "2025-%02u-%02u", 1 + rnd(12), 1 + rnd(28));
			xf_stmt_reset(rec);
			xf_stmt_bind_int(rec, 1, pid);
			xf_stmt_bind_int(rec, 2, r + 1);
			xf_stmt_bind_text(rec, 3, kinds[k].item);
			xf_stmt_bind_text(rec, 4, date);
			xf_stmt_bind_text(rec, 5, kinds[k].level[0] ? kinds[k].level : NULL);
			xf_stmt_bind_double(rec, 6, 1 + rnd(2));
			xf_stmt_bind_double(rec, 7, 1 + rnd(3));
			xf_stmt_bind_int(rec, 8, 30 + rnd(300));
			if (xf_stmt_step(rec, &errs) != XF_STEP_DONE)
				return fail(&errs, "record");
			rows++;
		}
		for (int m = 1; m <= 12; m++) {
			snprintf(month, sizeof(month), "2025-%02d", m);
			xf_stmt_reset(met);
			xf_stmt_bind_int(met, 1, pid);
			xf_stmt_bind_text(met, 2, month);
			xf_stmt_bind_double(met, 3, 400 + rnd(500));
			if (xf_stmt_step(met, &errs) != XF_STEP_DONE)
				return fail(&errs, "metric");
		}
	}
	xf_stmt_finalize(rec);
	xf_stmt_finalize(met);
	if (xf_store_commit(s, &errs) != 0)
		return fail(&errs, "commit");
	double t = now() - t0;
	printf("load %lld %.2f %.0f %ld\n", rows, t, (double)rows / t, peak_rss_mb());
	xf_data_free(d);
	xf_store_close(s);
	return 0;
}

static int floor_query(const char *url)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_OPEN, &errs);
	if (s == NULL)
		return fail(&errs, "open");
	double t0 = now();
	/* Inside a transaction, as the assessment runs (PostgreSQL streams
	 * result rows through a cursor there). */
	if (xf_store_begin(s, &errs) != 0)
		return fail(&errs, "begin");
	xf_stmt *st = xf_stmt_prepare(s, "SELECT r.person_id, SUM(p.points * COALESCE(r.count, 1))"
					 " FROM records r JOIN bench_points p ON p.item = r.item"
					 " AND p.level = COALESCE(r.level, '') GROUP BY r.person_id", &errs);
	if (st == NULL)
		return fail(&errs, "prepare");
	long long people = 0;
	double sum = 0;
	xf_step r;
	while ((r = xf_stmt_step(st, &errs)) == XF_STEP_ROW) {
		people++;
		sum += xf_stmt_double(st, 1);
	}
	if (r != XF_STEP_DONE)
		return fail(&errs, "floor query");
	xf_stmt_finalize(st);
	xf_store_rollback(s);
	double t = now() - t0;
	xf_stmt *c = xf_stmt_prepare(s, "SELECT count(*) FROM records", &errs);
	xf_stmt_step(c, &errs);
	long long rows = xf_stmt_int(c, 0);
	xf_stmt_finalize(c);
	printf("floor %lld %.2f %.0f %ld (people %lld, checksum %.0f)\n", rows, t, (double)rows / t,
	       peak_rss_mb(), people, sum);
	xf_store_close(s);
	return 0;
}

static int assess(const char *url)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store *s = xf_store_open(url, XF_STORE_OPEN, &errs);
	if (s == NULL)
		return fail(&errs, "open");
	xf_stmt *c = xf_stmt_prepare(s, "SELECT count(*) FROM records", &errs);
	xf_stmt_step(c, &errs);
	long long rows = xf_stmt_int(c, 0);
	xf_stmt_finalize(c);
	double t0 = now();
	xf_assess_report rep;
	if (xf_assess_year(s, 2025, NULL, "bench", &rep, &errs) != 0)
		return fail(&errs, "assess");
	double t = now() - t0;
	printf("assess %lld %.2f %.0f %ld (people %lld, met %lld, award candidates %lld)\n", rows, t,
	       (double)rows / t, peak_rss_mb(), rep.people, rep.met, rep.award_candidates);
	xf_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "", *url = NULL;
	long people = 10000, records = 50;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			url = argv[i + 1];
		else if (strcmp(argv[i], "--people") == 0)
			people = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--records") == 0)
			records = strtol(argv[i + 1], NULL, 10);
	}
	if (url == NULL || people <= 0 || records < 0) {
		fprintf(stderr, "usage: bench_store load|floor|assess --db URL [--people N] [--records R]\n");
		return 2;
	}
	if (strcmp(mode, "load") == 0)
		return load(url, people, records);
	if (strcmp(mode, "floor") == 0)
		return floor_query(url);
	if (strcmp(mode, "assess") == 0)
		return assess(url);
	fprintf(stderr, "bench_store: unknown mode %s\n", mode);
	return 2;
}
