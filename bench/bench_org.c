/* bench_org: fills an empty database with a large organisation for the
 * HTTP benchmark (bench/run_api.sh): N people (default 10,000) under
 * bigdata-bureau, one bureau-like root unit per 2,000 people, each with its
 * 班子 (6 leaders) and 科室 of 20–60 people, and for every person a year of
 * records (20–40: trainings from a shared calendar, books, briefings and
 * papers, a few the policy excludes), monthly 学习强国 increments, and here
 * and there a sick leave. Then three accounts: an admin, a reviewer heading
 * the first 科室 of the first root (also a member), and a member of that
 * 科室.
 *
 *   bench_org --db URL [--people N] [--year Y] [--password P]
 *
 * Everything is deterministic (a fixed seed) but the password hashes. One
 * transaction; rows are written through the store's batched writes. Prints
 * what was made and the logins as lines of "key value" words for the
 * script to read:
 *   made people N units U records R metrics M seconds S
 *   login admin USER PASSWORD unit ROOT_ID people ROOT_PEOPLE
 *   login reviewer USER PASSWORD unit SECTION_ID people SECTION_PEOPLE
 *   login member USER PASSWORD person PERSON_ID
 * Exit status 1 on failure (the database's message on stderr), 2 on bad
 * usage. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "service/auth.h"
#include "store/data.h"
#include "store/store.h"

#define ROOT_PEOPLE 2000   /* people under one bureau-like root */
#define LEADERS 6          /* the root's 班子, in the root unit itself */
#define SECTION_MIN 20
#define SECTION_MAX 60
#define RECS_MIN 20
#define RECS_MAX 40
#define MAX_PEOPLE 10000000L
#define DATE_LEN 40
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- splitmix64 ---- */

static uint64_t rng_state = 0x62656e63686f7267ull; /* "bench org" */

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A number in lo..hi inclusive. */
static int rng_int(int lo, int hi)
{
	return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(double p)
{
	return (double)(rng_next() >> 11) * 0x1.0p-53 < p;
}

/* ---- names ---- */

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹",
	"彭", "曾", "肖", "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏",
};
static const char *const given[] = {
	"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "斌", "鹏", "辉", "华", "刚", "波",
	"宇", "浩", "凯", "健", "峰", "娜", "静", "丽", "敏", "艳", "芳", "燕", "玲", "婷", "雪",
	"慧", "琳", "洁", "晶", "颖", "倩", "莉", "霞", "红", "梅", "晓", "建", "志", "海", "文",
};

static const char *const root_names[] = {
	"区大数据发展局", "区发展和改革委员会", "区财政局", "区经济和信息化委员会", "区住房和城乡建设委员会",
	"区交通局", "区生态环境局", "区市场监督管理局", "区卫生健康委员会", "区教育委员会",
};
static const char *const section_names[] = {
	"综合科", "数据资源科", "信息化建设科", "政策法规科", "数字经济科", "网络安全科",
	"政务服务科", "规划发展科", "财务审计科", "人事教育科", "机关党委办公室", "数据应用科",
	"基础设施科", "智慧城市科", "标准规范科", "项目管理科", "统计监测科", "宣传科",
	"法制科", "督查科", "行政审批科", "信访科", "安全生产科", "科技科",
};
static const char *const numerals[] = {"", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

/* ---- the year's calendar (trainings people attend) ---- */

typedef struct event {
	int month, day;
	const char *level;
	int minutes;     /* 0: online */
	int days;        /* 0: one day */
	bool exam;
	const char *title;
} event;

static const event events[] = {
	{1, 16, "bureau", 120, 0, false, "大数据讲堂：数字政府建设形势与任务"},
	{1, 23, "bureau", 150, 0, false, "理论中心组学习（1月）"},
	{2, 24, "bureau", 120, 0, false, "大数据讲堂：公共数据资源授权运营"},
	{2, 27, "bureau", 90, 0, false, "青年理论学习小组（2月）"},
	{3, 13, "bureau", 120, 0, false, "大数据讲堂：数据安全法与个人信息保护"},
	{3, 20, "bureau", 90, 0, false, "支部“三会一课”专题党课（一季度）"},
	{3, 26, "district", 720, 2, true, "区委党校数字政府专题培训班"},
	{4, 10, "bureau", 120, 0, false, "大数据讲堂：人工智能大模型政务应用"},
	{4, 17, "district", 240, 0, false, "区网信办网络安全培训"},
	{4, 21, "city", 1080, 3, false, "市大数据发展局数据治理培训班"},
	{5, 15, "bureau", 120, 0, false, "大数据讲堂：“一网通办”与数据共享"},
	{5, 18, "district", 0, 10, false, "区干部网络学院数字经济专题班（网上）"},
	{6, 5, "district", 180, 0, true, "区保密局保密知识培训"},
	{6, 12, "bureau", 120, 0, false, "大数据讲堂：政务云与网络安全等级保护"},
	{6, 16, "national", 1800, 5, true, "国家数据局数据要素专题培训班"},
	{6, 26, "bureau", 90, 0, false, "支部“三会一课”专题党课（二季度）"},
	{7, 10, "bureau", 120, 0, false, "大数据讲堂：数据要素市场化配置"},
	{7, 22, "city", 720, 2, true, "市委网信办数据安全研修班"},
	{8, 14, "bureau", 120, 0, false, "大数据讲堂：城市运行管理服务平台"},
	{8, 19, "district", 180, 0, false, "区政务数据共享业务培训"},
	{9, 11, "bureau", 120, 0, false, "大数据讲堂：数字经济统计与监测"},
	{9, 16, "city", 180, 0, false, "数字重庆建设专题讲座（市级）"},
	{9, 22, "national", 0, 6, false, "国家行政学院数字政府在线专题"},
	{9, 25, "bureau", 90, 0, false, "支部“三会一课”专题党课（三季度）"},
	{10, 16, "bureau", 120, 0, false, "大数据讲堂：信创与国产化替代"},
	{10, 21, "district", 120, 0, false, "区纪委廉政教育专题讲座"},
	{10, 23, "city", 0, 3, false, "市级公共数据资源管理网络培训"},
	{11, 6, "bureau", 120, 0, false, "大数据讲堂：年度重点工作复盘"},
	{11, 12, "district", 150, 0, false, "区委理论学习宣讲报告会"},
	{11, 18, "bureau", 90, 0, false, "支部“三会一课”专题党课（四季度）"},
	{12, 4, "district", 120, 0, false, "宪法宣传日专题学习"},
	{12, 17, "bureau", 120, 0, false, "大数据讲堂：年度学习总结"},
};
_Static_assert(NELEM(events) <= 64, "attended events are a 64-bit set");

static const char *const topics[] = {
	"我局推进公共数据开放共享", "政务云资源整合取得新进展", "“渝快办”事项办理提速",
	"数据安全检查专项行动", "城市大脑应用场景建设", "数字化城市运行平台上线",
	"政务数据质量提升工作", "智慧社区试点建设情况", "数据要素市场培育工作",
	"网络安全宣传周活动", "信创适配工作推进情况", "一网统管建设经验",
};

/* ---- one person's year ---- */

typedef struct rec {
	xf_record_row row;
	char date[DATE_LEN];
	char activity[128];
} rec;

typedef struct gen {
	int year, last_month;  /* records up to last_month (this year: now) */
	rec recs[RECS_MAX + 8];
	size_t n;
} gen;

static rec *rec_add(gen *g, const char *item, int month, int day)
{
	rec *r = &g->recs[g->n++];
	memset(r, 0, sizeof(*r));
	r->row = (xf_record_row){
		.item = item, .count = NAN, .days = NAN, .months = NAN, .hours = NAN,
		.minutes = NAN, .attended_minutes = NAN, .score = NAN, .credits = NAN,
		.passed = -1, .completed = -1, .online = -1, .approved = -1, .awarded = -1,
		.speaker = -1,
	};
	int last = xf_days_in_month(g->year, month);
	snprintf(r->date, sizeof(r->date), "%04d-%02d-%02d", g->year, month, day > last ? last : day);
	return r;
}

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const rec *)a)->date, ((const rec *)b)->date);
}

/* Fills g with a person's records (sorted by date). from_month: the first
 * month they are here (joined this year); lax: one of those who will fall
 * short (short 科室 sessions that do not count, few articles). */
static void person_year(gen *g, int from_month, bool lax)
{
	g->n = 0;
	int want = rng_int(RECS_MIN, RECS_MAX), books = 0;
	uint64_t attended = 0;
	for (int k = 0; k < want; k++) {
		int u = rng_int(0, 99), m = rng_int(from_month, g->last_month);
		if (lax && u >= 68 && u < 95)
			u = rng_chance(0.85) ? 0 : u; /* mostly a session instead of an article */
		if (u < 62) {
			/* A training on the calendar not attended yet, else a 科室 session. */
			size_t e = rng_next() % NELEM(events);
			const event *ev = &events[e];
			if (ev->month >= from_month && ev->month <= g->last_month && !(attended & (1ull << e))) {
				attended |= 1ull << e;
				rec *r = rec_add(g, "listen.training", ev->month, ev->day);
				r->row.level = ev->level;
				if (ev->days > 1)
					r->row.days = ev->days;
				if (ev->minutes == 0) {
					r->row.online = 1;
					r->row.completed = rng_chance(0.9) ? 1 : 0;
				} else {
					r->row.minutes = ev->minutes;
				}
				if (ev->exam) {
					r->row.score = rng_int(55, 98);
					r->row.passed = r->row.score >= 60 ? 1 : 0;
				}
				snprintf(r->activity, sizeof(r->activity), "%d年%s", g->year, ev->title);
			} else {
				rec *r = rec_add(g, "listen.training", m, rng_int(1, 28));
				r->row.level = "bureau";
				/* 一次学习1小时以上开始计学分: the 40-minute ones do not count */
				r->row.minutes = rng_chance(lax ? 0.6 : 0.1) ? 40 : 90 + 30 * rng_int(0, 3);
				snprintf(r->activity, sizeof(r->activity), "%d年科室业务学习（%d月第%d次）", g->year, m,
					 rng_int(1, 4));
			}
		} else if (u < 68 && books < 3) {
			rec_add(g, "read.book", m, rng_int(1, 28));
			books++;
		} else if (u < 90) {
			static const char *const lv[] = {"district", "district", "district_paper", "district_paper",
							 "city", "national"};
			rec *r = rec_add(g, "write.briefing", m, rng_int(1, 28));
			r->row.level = lv[rng_next() % NELEM(lv)];
			if (rng_chance(0.05))
				r->row.awarded = 1;
			snprintf(r->activity, sizeof(r->activity), "信息：%s（%d月）", topics[rng_next() % NELEM(topics)], m);
		} else if (u < 95) {
			rec *r = rec_add(g, "write.paper", m, rng_int(1, 28));
			r->row.level = rng_chance(0.8) ? "district" : "city";
			snprintf(r->activity, sizeof(r->activity), "调研：%s", topics[rng_next() % NELEM(topics)]);
		} else {
			rec *r = rec_add(g, "listen.training", m, rng_int(1, 28));
			r->row.level = "district";
			r->row.minutes = 180;
			r->row.kind = "work_meeting"; /* 参加工作会议的，不计算学分 */
			snprintf(r->activity, sizeof(r->activity), "%d年全区工作会议（%d月）", g->year, m);
		}
	}
	qsort(g->recs, g->n, sizeof(g->recs[0]), rec_cmp);
}

/* ---- the organisation ---- */

typedef struct person {
	long long id, unit_id;
	char code[24];
	int from_month;
} person;

typedef struct made {
	long long units, records, metrics;
	long long root_id, root_people;          /* the admin's summary: the first root */
	long long section_id, section_people;    /* the reviewer's 科室 */
	long long head_index, member_index;      /* into people */
} made;

static int fail(xf_errs *errs, const char *what)
{
	fprintf(stderr, "bench_org: %s\n", what);
	xf_errs_print(errs, "  ", stderr);
	return -1;
}

/* A unit with its parent and kind (xf_data_unit sets code and name only). */
static int add_unit(xf_data *d, xf_store *s, const char *code, const char *name, long long parent,
		    const char *kind, long long *id, xf_errs *errs)
{
	if (xf_data_unit(d, code, name, id, errs) != 0)
		return -1;
	xf_stmt *st = xf_stmt_prepare(s, "UPDATE units SET parent_id = $1, kind = $2 WHERE id = $3", errs);
	if (st == NULL)
		return -1;
	int b = (parent > 0 ? xf_stmt_bind_int(st, 1, parent) : xf_stmt_bind_null(st, 1)) |
		xf_stmt_bind_text(st, 2, kind) | xf_stmt_bind_int(st, 3, *id);
	int rc = b == 0 && xf_stmt_step(st, errs) == XF_STEP_DONE ? 0 : -1;
	if (b != 0)
		xf_errs_add(errs, "bind failed");
	xf_stmt_finalize(st);
	return rc;
}

/* Inserts one person into unit; fills people[i]. */
static int add_person(xf_data *d, person *people, long i, long long unit, const char *role, int year,
		      xf_errs *errs)
{
	person *p = &people[i];
	char name[32], staff_no[24], joined[DATE_LEN];
	snprintf(p->code, sizeof(p->code), "B%07ld", i + 1);
	snprintf(name, sizeof(name), "%s%s%s", surnames[rng_next() % NELEM(surnames)],
		 rng_chance(0.6) ? given[rng_next() % NELEM(given)] : "", given[rng_next() % NELEM(given)]);
	snprintf(staff_no, sizeof(staff_no), "S%07ld", i + 1);
	p->from_month = 1;
	if (rng_chance(0.03)) { /* new this year */
		p->from_month = rng_int(2, 10);
		snprintf(joined, sizeof(joined), "%04d-%02d-01", year, p->from_month);
	} else {
		snprintf(joined, sizeof(joined), "%04d-%02d-%02d", year - rng_int(1, 30), rng_int(1, 12),
			 rng_int(1, 28));
	}
	p->unit_id = unit;
	xf_person_row row = {p->code, name, staff_no, NULL, NULL, unit, role, joined};
	return xf_data_person(d, &row, &p->id, errs);
}

/* Units and people: roots of ROOT_PEOPLE, each with LEADERS and 科室. */
static int make_people(xf_data *d, xf_store *s, long n, int year, person *people, made *mk,
		       xf_errs *errs)
{
	long i = 0;
	for (int root = 0; i < n; root++) {
		long in_root = n - i < ROOT_PEOPLE ? n - i : ROOT_PEOPLE, end = i + in_root;
		char code[32], name[160];
		long long root_id, sec_id;
		snprintf(code, sizeof(code), "R%02d", root + 1);
		if (root < (int)NELEM(root_names))
			snprintf(name, sizeof(name), "%s", root_names[root]);
		else
			snprintf(name, sizeof(name), "%s（%d）", root_names[root % NELEM(root_names)],
				 root / (int)NELEM(root_names) + 1);
		if (add_unit(d, s, code, name, 0, "bureau", &root_id, errs) != 0 ||
		    xf_data_assign_policy(d, root_id, year, "bigdata-bureau", errs) != 0)
			return -1;
		mk->units++;
		if (root == 0) {
			mk->root_id = root_id;
			mk->root_people = in_root;
		}
		for (long k = 0; k < LEADERS && i < end; k++, i++)
			if (add_person(d, people, i, root_id, "leader", year, errs) != 0)
				return -1;
		for (int sec = 0; i < end; sec++) {
			/* No section smaller than the minimum: the last ones share
			 * what is left. */
			long size = rng_int(SECTION_MIN, SECTION_MAX), left = end - i;
			if (left - size < SECTION_MIN)
				size = left <= SECTION_MAX ? left : left - SECTION_MIN;
			size_t nb = NELEM(section_names), round = (size_t)sec / nb;
			const char *base = section_names[(size_t)sec % nb];
			snprintf(code, sizeof(code), "R%02d-S%02d", root + 1, sec + 1);
			if (round == 0)
				snprintf(name, sizeof(name), "%s", base);
			else if (round < NELEM(numerals))
				/* 综合科 -> 综合二科: the numeral before the final 科/室 */
				snprintf(name, sizeof(name), "%.*s%s%s", (int)(strlen(base) - 3), base,
					 numerals[round], base + strlen(base) - 3);
			else
				snprintf(name, sizeof(name), "%s（%zu）", base, round + 1);
			if (add_unit(d, s, code, name, root_id, "section", &sec_id, errs) != 0)
				return -1;
			mk->units++;
			if (root == 0 && sec == 0) {
				mk->section_id = sec_id;
				mk->section_people = size;
				mk->head_index = i;
				mk->member_index = i + 1;
			}
			for (long k = 0; k < size; k++, i++)
				if (add_person(d, people, i, sec_id, k == 0 ? "section_head" : "staff", year,
					       errs) != 0)
					return -1;
		}
	}
	return 0;
}

/* Records, metrics and the odd sick leave, queued in people order. */
static int make_years(xf_data *d, int year, int last_month, const person *people, long n, made *mk,
		      xf_errs *errs)
{
	static gen g;
	g.year = year;
	g.last_month = last_month;
	for (long i = 0; i < n; i++) {
		const person *p = &people[i];
		bool lax = rng_chance(0.25);
		person_year(&g, p->from_month, lax);
		for (size_t k = 0; k < g.n; k++) {
			rec *r = &g.recs[k];
			r->row.date = r->date;
			r->row.activity = r->activity[0] ? r->activity : NULL;
			if (xf_data_queue_record_at(d, p->id, (long long)k + 1, &r->row, 0, errs) != 0)
				return -1;
		}
		mk->records += (long long)g.n;
		for (int m = p->from_month; m <= last_month; m++) {
			char month[DATE_LEN];
			snprintf(month, sizeof(month), "%04d-%02d", year, m);
			double v = lax ? (double)rng_int(150, 700) : (double)rng_int(rng_chance(0.3) ? 300 : 500, 1000);
			if (xf_data_queue_metric(d, p->id, "xxqg", month, v, 0, errs) != 0)
				return -1;
			mk->metrics++;
		}
	}
	if (xf_data_flush(d, errs) != 0)
		return -1;
	/* Sick leave for one in a hundred (direct writes, after the queues). */
	for (long i = 0; i < n; i += 100) {
		char from[DATE_LEN], to[DATE_LEN];
		int m = rng_int(1, 9);
		snprintf(from, sizeof(from), "%04d-%02d-01", year, m);
		snprintf(to, sizeof(to), "%04d-%02d-%02d", year, m + 2, xf_days_in_month(year, m + 2));
		xf_period_row pr = {"sick_leave", from, to, true};
		if (xf_data_set_periods(d, people[i].id, &pr, 1, errs) != 0)
			return -1;
	}
	return 0;
}

static int add_account(xf_store *s, const char *username, const char *display, const char *person_code,
		       const char *password, const xf_user_role *roles, size_t nroles, xf_errs *errs)
{
	xf_auth_policy ap;
	xf_auth_policy_defaults(&ap);
	xf_user_new u = {username, display, person_code, password, roles, nroles};
	return xf_user_add(s, &ap, &u, "bench", xf_clock_now(), NULL, errs);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_org --db URL [--people N] [--year Y] [--password P]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *url = NULL, *password = "Bench-pass-2026";
	long n = 10000, year;
	time_t now = xf_clock_now();
	struct tm tm;
	localtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		const char *opt = argv[i], *val = argv[i + 1];
		bool ok = true;
		if (strcmp(opt, "--db") == 0)
			url = val;
		else if (strcmp(opt, "--password") == 0)
			password = val;
		else if (strcmp(opt, "--people") == 0)
			ok = parse_long(val, SECTION_MIN + LEADERS, MAX_PEOPLE, &n);
		else if (strcmp(opt, "--year") == 0)
			ok = parse_long(val, 2000, 2100, &year);
		else
			ok = false;
		if (!ok)
			return usage();
	}
	if (url == NULL)
		return usage();
	/* This year: records up to this month, as a year in progress. */
	int last_month = year == tm.tm_year + 1900 ? tm.tm_mon + 1 : 12;

	xf_errs errs;
	xf_errs_init(&errs);
	int rc = 1;
	xf_data *d = NULL;
	person *people = calloc((size_t)n, sizeof(*people));
	made mk = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	if (people == NULL || s == NULL) {
		fail(&errs, "cannot open the database");
		goto out;
	}
	xf_stmt *c = xf_stmt_prepare(s, "SELECT count(*) FROM people", &errs);
	long long existing = -1;
	if (c && xf_stmt_step(c, &errs) == XF_STEP_ROW)
		existing = xf_stmt_int(c, 0);
	xf_stmt_finalize(c);
	if (existing != 0) {
		if (existing > 0)
			xf_errs_add(&errs, "the database already has %lld people: give an empty one", existing);
		fail(&errs, "not an empty database");
		goto out;
	}
	if (xf_store_begin(s, &errs) != 0 || (d = xf_data_new(s, &errs)) == NULL) {
		fail(&errs, "begin");
		goto out;
	}
	if (make_people(d, s, n, (int)year, people, &mk, &errs) != 0) {
		fail(&errs, "people");
		goto out;
	}
	if (make_years(d, (int)year, last_month, people, n, &mk, &errs) != 0) {
		fail(&errs, "records");
		goto out;
	}
	const person *head = &people[mk.head_index], *member = &people[mk.member_index];
	xf_user_role admin_roles[] = {{XF_ROLE_ADMIN, 0}};
	xf_user_role reviewer_roles[] = {{XF_ROLE_MEMBER, 0}, {XF_ROLE_REVIEWER, mk.section_id}};
	xf_user_role member_roles[] = {{XF_ROLE_MEMBER, 0}};
	if (add_account(s, "bench.admin", "基准管理员", NULL, password, admin_roles, 1, &errs) != 0 ||
	    add_account(s, "bench.reviewer", "基准科长", head->code, password, reviewer_roles, 2, &errs) != 0 ||
	    add_account(s, "bench.member", "基准学员", member->code, password, member_roles, 1, &errs) != 0) {
		fail(&errs, "accounts");
		goto out;
	}
	xf_data_free(d);
	d = NULL;
	if (xf_store_commit(s, &errs) != 0) {
		fail(&errs, "commit");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("made people %ld units %lld records %lld metrics %lld seconds %.2f\n", n, mk.units,
	       mk.records, mk.metrics,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	printf("login admin bench.admin %s unit %lld people %lld\n", password, mk.root_id, mk.root_people);
	printf("login reviewer bench.reviewer %s unit %lld people %lld\n", password, mk.section_id,
	       mk.section_people);
	printf("login member bench.member %s person %lld\n", password, member->id);
	rc = 0;
out:
	xf_data_free(d);
	if (s && xf_store_in_tx(s))
		xf_store_rollback(s);
	xf_store_close(s);
	xf_errs_cleanup(&errs);
	free(people);
	return rc;
}
