/* demo: the demonstration organisation of `xuefen serve --demo` (see demo.h).
 *
 * Two organisations, each under its shipped policy:
 *   - 区大数据发展局 (bigdata-bureau; the seed is 重庆市江北区's, hence the
 *     《江北信息》《江北报》《重庆日报》 outlets and 5001xx ID-card regions):
 *     the 局 with its 4 leaders and 4 科室 beneath it, 40 people;
 *   - 昆山市某镇领导班子 (kunshan-cadre): 12 市管干部;
 *   - 区规划局机关党支部 (planning-bureau-member): 5 党员 scored by the
 *     学习型党员考核细则 scorecard instead of records.
 *
 * Everything but the passwords comes from one fixed seed (splitmix64), so
 * every demo database tells the same story. For the bureau each person is
 * given a target (a ratio of their prorated requirement) and their year is
 * built towards it from a calendar of real-looking activities (大数据讲堂
 * every month, 中心组学习, district, city and national trainings), books,
 * monthly 学习强国 increments and articles, while a small tally computes
 * the credits as the policy will: people meant to meet their requirement
 * get there, people meant to fall short stay below it. Here and there a
 * record the policy excludes (a 40-minute meeting, a work meeting, an exam
 * under 60) and an article published twice (one activity key) show in the
 * explanations. 昆山's cadres follow the five 办法 categories; one is
 * retiring (exempt), one newly appointed (annualised), one misses the
 * menu pass line in a second bad year (亚健康), one is flagged for skipping
 * mandated training.
 *
 * Records are dated in months 1..DEMO_LAST_MONTH of the year (the demo
 * shows a year in progress).
 *
 * Then the workflow under way (add_workflow), written straight into its
 * tables as the services would have left it: the two 数据资源科 members'
 * claims in every state (draft, submitted, reviewed, rejected with its
 * reason, approved with its record), each with its claim_events history
 * and the notices it gave; a training activity of 数据资源科 approved by the
 * 分管副局长 and then the 局长, whose three attendees got their records
 * (activity = its key); the branch's scorecards (the member login's draft,
 * one submitted to the branch's reviewer, one reviewed: a 学习型党员).
 * Their dates lie in the year up to today by the server's clock (all of it
 * when the year is over), so they change with the day the demo is made.
 * The accounts of the workflow's actors are appended to the earlier ones:
 * their order and people do not change. */
#include <math.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "service/auth.h"
#include "service/demo.h"
#include "service/notices.h"
#include "store/data.h"
#include "store/query.h"

#define DEMO_SEED 0x5875656665ull /* "xuefe" */
#define DEMO_LAST_MONTH 11        /* records run to November */
#define DEMO_LAST_DAY 20          /* ... and to the 20th of it */
#define DEMO_MAX_RECS 160         /* records of one person, bounded */
#define DEMO_PASSWORD_LEN 12
#define DATE_LEN 40               /* room for any "%04d-%02d-%02d" */

/* ---- a small deterministic random generator (splitmix64) ---- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A number in lo..hi inclusive. */
static int rng_int(rng *r, int lo, int hi)
{
	return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool rng_chance(rng *r, double p)
{
	return rng_unit(r) < p;
}

/* ---- the organisation ---- */

typedef struct unit_def {
	const char *code, *name;
	const char *label;  /* as shown after a name: 张伟（综合科 科长） */
	const char *kind;
	int parent;         /* index in demo_units, -1: a root */
	const char *policy;
} unit_def;

enum { U_BUREAU, U_GENERAL, U_DATA, U_IT, U_LAW, U_KUNSHAN, U_PLANNING, U_COUNT };

static const unit_def demo_units[U_COUNT] = {
	[U_BUREAU] = {"dsj", "区大数据发展局", "区大数据发展局", "bureau", -1, "bigdata-bureau"},
	[U_GENERAL] = {"dsj-zh", "综合科", "综合科", "section", U_BUREAU, "bigdata-bureau"},
	[U_DATA] = {"dsj-sj", "数据资源科", "数据资源科", "section", U_BUREAU, "bigdata-bureau"},
	[U_IT] = {"dsj-xx", "信息化建设科", "信息化建设科", "section", U_BUREAU, "bigdata-bureau"},
	[U_LAW] = {"dsj-fg", "政策法规科", "政策法规科", "section", U_BUREAU, "bigdata-bureau"},
	[U_KUNSHAN] = {"ks", "昆山市某镇领导班子", "昆山市某镇", "town", -1, "kunshan-cadre"},
	[U_PLANNING] = {"ghj-dzb", "区规划局机关党支部", "规划局机关党支部", "branch", -1,
			"planning-bureau-member"},
};

/* What is special about a post's holder. */
enum {
	SP_APPROVER = 1u << 0,      /* account: approver for the bureau */
	SP_REVIEWER = 1u << 1,      /* account: reviewer for the 科室 */
	SP_MEMBER_MET = 1u << 2,    /* account: a member above the requirement */
	SP_MEMBER_SHORT = 1u << 3,  /* account: a member short of it */
	SP_KS_MEMBER = 1u << 4,     /* account: a 昆山 cadre */
	SP_NEW_JULY = 1u << 5,      /* joined this July */
	SP_NEW_SEPT = 1u << 6,      /* joined this September */
	SP_SECONDED = 1u << 7,      /* 借调 April to September, still participating */
	SP_SICK = 1u << 8,          /* sick leave March to May */
	SP_RETIRING = 1u << 9,      /* 昆山: retires this year (flag) */
	SP_APPOINTED = 1u << 10,    /* 昆山: appointed this March */
	SP_MENU_FAIL = 1u << 11,    /* 昆山: 3 city lectures, failed last year too */
	SP_ABSENT = 1u << 12,       /* 昆山: skipped mandated training (flag) */
	SP_HEAD = 1u << 13,         /* account: the head (局长), approver for the bureau */
	SP_BRANCH_REVIEWER = 1u << 14, /* account: reviewer for the 规划局 branch */
	SP_BRANCH_MEMBER = 1u << 15,   /* account: a branch member, scorecard in draft */
	SP_CARD_SUBMITTED = 1u << 16,  /* branch: scorecard submitted, to review */
	SP_CARD_REVIEWED = 1u << 17,   /* branch: scorecard reviewed (学习型党员) */
	SP_DATA_DEPUTY = 1u << 18      /* 数据资源科 副科长: attends the demo activity */
};

typedef struct post_def {
	int unit;
	const char *post;   /* 职务 */
	const char *role;   /* the policy's role key, NULL where it has none */
	int age_lo, age_hi; /* age in the demo year */
	double male;        /* share of men among such posts */
	unsigned special;
} post_def;

static const post_def demo_posts[] = {
	{U_BUREAU, "局长", "leader", 50, 57, 0.8, SP_HEAD},
	{U_BUREAU, "副局长", "leader", 45, 55, 0.7, SP_APPROVER},
	{U_BUREAU, "副局长", "leader", 44, 54, 0.6, 0},
	{U_BUREAU, "总工程师", "leader", 42, 53, 0.7, 0},

	{U_GENERAL, "科长", "section_head", 38, 50, 0.5, 0},
	{U_GENERAL, "副科长", "staff", 33, 45, 0.5, 0},
	{U_GENERAL, "一级主任科员", "staff", 42, 55, 0.5, 0},
	{U_GENERAL, "四级主任科员", "staff", 34, 46, 0.5, 0},
	{U_GENERAL, "一级科员", "staff", 28, 36, 0.5, 0},
	{U_GENERAL, "一级科员", "staff", 28, 36, 0.5, 0},
	{U_GENERAL, "科员", "staff", 28, 33, 0.5, SP_SICK},
	{U_GENERAL, "科员", "staff", 28, 33, 0.5, 0},
	{U_GENERAL, "科员", "staff", 28, 33, 0.5, 0},

	{U_DATA, "科长", "section_head", 38, 50, 0.6, SP_REVIEWER},
	{U_DATA, "副科长", "staff", 33, 45, 0.5, SP_DATA_DEPUTY},
	{U_DATA, "四级主任科员", "staff", 34, 46, 0.5, 0},
	{U_DATA, "一级科员", "staff", 28, 36, 0.5, SP_MEMBER_MET},
	{U_DATA, "一级科员", "staff", 28, 36, 0.5, 0},
	{U_DATA, "科员", "staff", 28, 33, 0.5, SP_MEMBER_SHORT},
	{U_DATA, "科员", "staff", 28, 33, 0.5, 0},
	{U_DATA, "科员", "staff", 28, 33, 0.5, 0},
	{U_DATA, "二级主任科员", "staff", 40, 54, 0.5, 0},
	{U_DATA, "四级主任科员", "staff", 34, 46, 0.5, 0},

	{U_IT, "科长", "section_head", 38, 50, 0.7, 0},
	{U_IT, "副科长", "staff", 33, 45, 0.6, 0},
	{U_IT, "一级主任科员", "staff", 42, 55, 0.6, 0},
	{U_IT, "四级主任科员", "staff", 34, 46, 0.6, SP_SECONDED},
	{U_IT, "一级科员", "staff", 28, 36, 0.6, 0},
	{U_IT, "一级科员", "staff", 28, 36, 0.6, 0},
	{U_IT, "科员", "staff", 28, 33, 0.6, 0},
	{U_IT, "科员", "staff", 28, 33, 0.6, 0},
	{U_IT, "科员", "staff", 28, 30, 0.6, SP_NEW_JULY},
	{U_IT, "科员", "staff", 28, 33, 0.6, 0},

	{U_LAW, "科长", "section_head", 38, 50, 0.5, 0},
	{U_LAW, "四级主任科员", "staff", 34, 46, 0.4, 0},
	{U_LAW, "一级科员", "staff", 28, 36, 0.4, 0},
	{U_LAW, "一级科员", "staff", 28, 36, 0.4, 0},
	{U_LAW, "科员", "staff", 28, 33, 0.4, 0},
	{U_LAW, "科员", "staff", 28, 33, 0.4, 0},
	{U_LAW, "科员", "staff", 28, 30, 0.4, SP_NEW_SEPT},

	{U_KUNSHAN, "党委书记", NULL, 47, 55, 0.8, 0},
	{U_KUNSHAN, "党委副书记、镇长", NULL, 44, 53, 0.7, 0},
	{U_KUNSHAN, "党委副书记", NULL, 42, 52, 0.6, 0},
	{U_KUNSHAN, "人大主席", NULL, 59, 60, 0.8, SP_RETIRING},
	{U_KUNSHAN, "纪委书记", NULL, 42, 52, 0.5, 0},
	{U_KUNSHAN, "党委委员、副镇长", NULL, 38, 50, 0.5, SP_KS_MEMBER},
	{U_KUNSHAN, "党委委员、副镇长", NULL, 36, 48, 0.6, SP_APPOINTED},
	{U_KUNSHAN, "党委委员、副镇长", NULL, 38, 50, 0.6, 0},
	{U_KUNSHAN, "党委委员、组织委员", NULL, 38, 50, 0.4, SP_MENU_FAIL},
	{U_KUNSHAN, "党委委员、宣传委员", NULL, 36, 48, 0.4, 0},
	{U_KUNSHAN, "武装部部长", NULL, 40, 52, 0.9, SP_ABSENT},
	{U_KUNSHAN, "副镇长", NULL, 36, 48, 0.5, 0},

	/* Appended after the others, so that their people stay the same. */
	{U_PLANNING, "党支部书记", NULL, 45, 55, 0.6, SP_BRANCH_REVIEWER},
	{U_PLANNING, "党支部组织委员", NULL, 36, 48, 0.5, SP_CARD_SUBMITTED},
	{U_PLANNING, "党员", NULL, 30, 40, 0.5, SP_BRANCH_MEMBER},
	{U_PLANNING, "党员", NULL, 32, 46, 0.5, SP_CARD_REVIEWED},
	{U_PLANNING, "党员", NULL, 28, 35, 0.5, 0},
};

#define DEMO_PEOPLE (sizeof(demo_posts) / sizeof(demo_posts[0]))

/* ---- names, with their pinyin for user names ---- */

typedef struct hanzi {
	const char *han, *py;
} hanzi;

/* The commonest surnames first: the first 20 are drawn more often. */
static const hanzi surnames[] = {
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"罗", "luo"}, {"高", "gao"},
	{"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"},
	{"许", "xu"}, {"邓", "deng"}, {"冯", "feng"}, {"韩", "han"}, {"曹", "cao"},
	{"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"潘", "pan"}, {"袁", "yuan"}, {"蒋", "jiang"}, {"蔡", "cai"}, {"余", "yu"},
	{"杜", "du"}, {"叶", "ye"}, {"程", "cheng"}, {"魏", "wei"}, {"苏", "su"},
	{"吕", "lv"}, {"丁", "ding"}, {"任", "ren"}, {"卢", "lu"}, {"姚", "yao"},
	{"沈", "shen"}, {"钟", "zhong"}, {"姜", "jiang"}, {"崔", "cui"}, {"谭", "tan"},
	{"陆", "lu"}, {"范", "fan"}, {"汪", "wang"}, {"廖", "liao"}, {"石", "shi"},
	{"金", "jin"}, {"贾", "jia"}, {"夏", "xia"}, {"付", "fu"}, {"方", "fang"},
	{"邹", "zou"}, {"熊", "xiong"}, {"白", "bai"}, {"孟", "meng"}, {"秦", "qin"},
	{"邱", "qiu"}, {"侯", "hou"}, {"江", "jiang"}, {"尹", "yin"}, {"薛", "xue"},
	{"段", "duan"}, {"雷", "lei"}, {"龙", "long"}, {"黎", "li"}, {"陶", "tao"},
	{"顾", "gu"}, {"毛", "mao"}, {"龚", "gong"}, {"邵", "shao"}, {"万", "wan"},
	{"钱", "qian"}, {"戴", "dai"}, {"严", "yan"}, {"向", "xiang"}, {"冉", "ran"},
};

static const hanzi given_male[] = {
	{"伟", "wei"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"勇", "yong"},
	{"杰", "jie"}, {"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"斌", "bin"},
	{"鹏", "peng"}, {"辉", "hui"}, {"华", "hua"}, {"刚", "gang"}, {"波", "bo"},
	{"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"}, {"健", "jian"}, {"峰", "feng"},
	{"亮", "liang"}, {"林", "lin"}, {"斌", "bin"}, {"东", "dong"}, {"晨", "chen"},
	{"阳", "yang"}, {"毅", "yi"}, {"翔", "xiang"}, {"鑫", "xin"}, {"博", "bo"},
	{"洋", "yang"}, {"飞", "fei"}, {"川", "chuan"}, {"松", "song"}, {"彬", "bin"},
	{"俊", "jun"}, {"帆", "fan"}, {"睿", "rui"}, {"航", "hang"}, {"坤", "kun"},
};

static const hanzi given_female[] = {
	{"娜", "na"}, {"静", "jing"}, {"丽", "li"}, {"敏", "min"}, {"艳", "yan"},
	{"芳", "fang"}, {"燕", "yan"}, {"玲", "ling"}, {"婷", "ting"}, {"雪", "xue"},
	{"慧", "hui"}, {"琳", "lin"}, {"洁", "jie"}, {"晶", "jing"}, {"颖", "ying"},
	{"倩", "qian"}, {"莉", "li"}, {"霞", "xia"}, {"红", "hong"}, {"梅", "mei"},
	{"萍", "ping"}, {"佳", "jia"}, {"欣", "xin"}, {"悦", "yue"}, {"雯", "wen"},
	{"露", "lu"}, {"蕾", "lei"}, {"瑶", "yao"}, {"岚", "lan"}, {"琴", "qin"},
	{"丹", "dan"}, {"薇", "wei"}, {"宁", "ning"}, {"怡", "yi"}, {"婧", "jing"},
	{"楠", "nan"}, {"茜", "xi"}, {"璐", "lu"}, {"蓉", "rong"}, {"雨", "yu"},
};

/* First characters of two-character given names, for either sex. */
static const hanzi given_first[] = {
	{"晓", "xiao"}, {"建", "jian"}, {"志", "zhi"}, {"海", "hai"}, {"文", "wen"},
	{"子", "zi"}, {"思", "si"}, {"明", "ming"}, {"家", "jia"}, {"嘉", "jia"},
	{"永", "yong"}, {"春", "chun"}, {"立", "li"}, {"玉", "yu"}, {"一", "yi"},
	{"若", "ruo"}, {"梦", "meng"}, {"雅", "ya"}, {"天", "tian"}, {"俊", "jun"},
	{"新", "xin"}, {"庆", "qing"}, {"德", "de"}, {"世", "shi"}, {"静", "jing"},
	{"欣", "xin"}, {"宏", "hong"}, {"秀", "xiu"}, {"国", "guo"}, {"正", "zheng"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ID-card regions: 重庆 districts for the bureau, 昆山 for the town. */
static const char *const regions_bureau[] = {
	"500105", "500105", "500105", "500103", "500106", "500107", "500108",
	"500112", "500109", "500113", "500101", "500102", "500116", "500117",
};

static const char *const phone_prefixes[] = {
	"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
	"155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188",
	"189",
};

typedef struct person {
	const post_def *post;
	int index;              /* 0-based, in demo_posts order */
	char code[16];
	char name[32];
	char pinyin[48];
	char staff_no[16];
	char id_card[20];
	char phone[16];
	char joined[DATE_LEN];
	int joined_month;       /* 0: joined before the demo year */
	int age;
	long long id;           /* in the store */
	long long unit_id;
} person;

/* Sakamoto's day of the week: 0 Sunday .. 6 Saturday. */
static int weekday(int y, int m, int d)
{
	static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* The last day of month m that the demo uses. */
static int last_day(int year, int m)
{
	return m == DEMO_LAST_MONTH ? DEMO_LAST_DAY : xf_days_in_month(year, m);
}

/* A working day of month m near day d (weekends move to Friday/Monday). */
static void workday(int year, int m, int d, char out[DATE_LEN])
{
	int last = last_day(year, m);
	if (d > last)
		d = last;
	if (d < 1)
		d = 1;
	int w = weekday(year, m, d);
	if (w == 6)
		d = d > 1 ? d - 1 : d + 2;
	else if (w == 0)
		d = d < last ? d + 1 : d - 2;
	snprintf(out, DATE_LEN, "%04d-%02d-%02d", year, m, d);
}

/* GB 11643: 17 digits and a check character. */
static void id_card_make(char out[20], const char *region, int y, int m, int d, int seq)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%03d", region, y, m, d, seq);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (buf[i] - '0') * w[i];
	memcpy(out, buf, 17);
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static const hanzi *pick(rng *r, const hanzi *set, size_t n)
{
	return &set[rng_next(r) % n];
}

static bool name_taken(const person *people, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(people[i].name, name) == 0)
			return true;
	return false;
}

/* Fills people[i]'s identity from the organisation's generator. */
static void person_make(rng *r, int year, person *people, size_t i)
{
	person *p = &people[i];
	const post_def *po = &demo_posts[i];
	bool kunshan = po->unit == U_KUNSHAN;
	bool male = rng_chance(r, po->male);
	const hanzi *given = male ? given_male : given_female;
	size_t ngiven = male ? NELEM(given_male) : NELEM(given_female);

	p->post = po;
	p->index = (int)i;
	for (int tries = 0; tries < 100; tries++) {
		const hanzi *sn = rng_chance(r, 0.6) ? pick(r, surnames, 20)
						      : pick(r, surnames, NELEM(surnames));
		const hanzi *g2 = pick(r, given, ngiven);
		if (rng_chance(r, 0.35)) {
			snprintf(p->name, sizeof(p->name), "%s%s", sn->han, g2->han);
			snprintf(p->pinyin, sizeof(p->pinyin), "%s%s", sn->py, g2->py);
		} else {
			const hanzi *g1 = pick(r, given_first, NELEM(given_first));
			if (strcmp(g1->han, g2->han) == 0)
				continue;
			snprintf(p->name, sizeof(p->name), "%s%s%s", sn->han, g1->han, g2->han);
			snprintf(p->pinyin, sizeof(p->pinyin), "%s%s%s", sn->py, g1->py, g2->py);
		}
		if (!name_taken(people, i, p->name))
			break;
	}

	p->age = rng_int(r, po->age_lo, po->age_hi);
	int by = year - p->age, bm = rng_int(r, 1, 12), bd = rng_int(r, 1, xf_days_in_month(by, bm));
	int seq = rng_int(r, 0, 499) * 2 + (male ? 1 : 0);
	if (seq == 0)
		seq = 2;
	const char *region = kunshan ? "320583" : regions_bureau[rng_next(r) % NELEM(regions_bureau)];
	id_card_make(p->id_card, region, by, bm, bd, seq);
	snprintf(p->phone, sizeof(p->phone), "%s%08d", phone_prefixes[rng_next(r) % NELEM(phone_prefixes)],
		 rng_int(r, 0, 99999999));

	/* joined: for the bureau when they started work, for 昆山 when they
	 * were appointed to the 市管 group. */
	int jy, jm, jd;
	p->joined_month = 0;
	if (po->special & SP_NEW_JULY) {
		jy = year, jm = 7, jd = 1;
	} else if (po->special & SP_NEW_SEPT) {
		jy = year, jm = 9, jd = 1;
	} else if (po->special & SP_APPOINTED) {
		jy = year, jm = 3, jd = 10;
	} else if (kunshan) {
		jy = year - rng_int(r, 1, 9), jm = rng_int(r, 1, 12), jd = rng_int(r, 1, 28);
	} else {
		jy = by + rng_int(r, 22, 26);
		if (jy > year - 1)
			jy = year - 1;
		jm = rng_chance(r, 0.7) ? rng_int(r, 7, 8) : rng_int(r, 1, 12);
		jd = rng_chance(r, 0.5) ? 1 : rng_int(r, 1, 28);
	}
	if (jy == year)
		p->joined_month = jm;
	snprintf(p->joined, sizeof(p->joined), "%04d-%02d-%02d", jy, jm, jd);

	bool planning = po->unit == U_PLANNING;
	const char *prefix = kunshan ? "ks" : planning ? "ghj" : "dsj";
	snprintf(p->code, sizeof(p->code), "%s%03d", prefix, (int)i + 1);
	snprintf(p->staff_no, sizeof(p->staff_no), "%s%02d%03d",
		 kunshan ? "KS" : planning ? "GHJ" : "DSJ", jy % 100, (int)i + 1);
}

/* ---- records ---- */

typedef struct demo_rec {
	xf_record_row row;
	char date[DATE_LEN];
	char activity[96];
	int seq;               /* input order, to sort stably */
} demo_rec;

typedef struct rec_buf {
	demo_rec r[DEMO_MAX_RECS];
	size_t n;
	bool full;             /* more than DEMO_MAX_RECS were asked for */
	demo_rec spare;        /* what an add past the bound writes to */
} rec_buf;

static demo_rec *rec_add(rec_buf *b, const char *item, const char *date)
{
	demo_rec *r = &b->spare;
	if (b->n < DEMO_MAX_RECS)
		r = &b->r[b->n];
	else
		b->full = true;
	memset(r, 0, sizeof(*r));
	r->row = (xf_record_row){
		.item = item, .count = NAN, .days = NAN, .months = NAN, .hours = NAN,
		.minutes = NAN, .attended_minutes = NAN, .score = NAN, .credits = NAN,
		.passed = -1, .completed = -1, .online = -1, .approved = -1, .awarded = -1,
		.speaker = -1,
	};
	snprintf(r->date, sizeof(r->date), "%s", date);
	r->seq = (int)b->n;
	if (r != &b->spare)
		b->n++;
	return r;
}

static int rec_cmp(const void *a, const void *b)
{
	const demo_rec *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Queues a person's records in date order; counts them into *n. */
static int rec_flush(xf_data *d, long long person_id, rec_buf *b, long long *n, xf_errs *errs)
{
	if (b->full) {
		xf_errs_add(errs, "演示数据：人员记录超过 %d 条上限 (too many demo records)", DEMO_MAX_RECS);
		return -1;
	}
	qsort(b->r, b->n, sizeof(b->r[0]), rec_cmp);
	long long id;
	if (xf_data_next_record_id(d, person_id, &id, errs) != 0)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		demo_rec *r = &b->r[i];
		r->row.date = r->date;
		r->row.activity = r->activity[0] ? r->activity : NULL;
		if (xf_data_queue_record_at(d, person_id, id++, &r->row, 0, errs) != 0)
			return -1;
	}
	*n += (long long)b->n;
	b->n = 0;
	return 0;
}

/* ---- the bureau's year ---- */

enum { AUD_ALL, AUD_LEADERS, AUD_HEADS, AUD_YOUNG, AUD_PICK };

/* A training on the bureau's calendar. */
typedef struct event {
	int month, day;
	const char *level;
	int minutes;
	double days;       /* 0: one day */
	bool online, exam;
	int audience;
	double prob;       /* chance that one of the audience attends */
	const char *title;
} event;

static const event bureau_events[] = {
	{1, 16, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：数字政府建设形势与任务"},
	{1, 23, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（1月）"},
	{2, 24, "bureau", 120, 0, false, false, AUD_ALL, 0.8, "大数据讲堂：公共数据资源授权运营"},
	{2, 27, "bureau", 90, 0, false, false, AUD_YOUNG, 0.8, "青年理论学习小组（2月）"},
	{3, 13, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：数据安全法与个人信息保护"},
	{3, 20, "bureau", 90, 0, false, false, AUD_ALL, 0.85, "支部“三会一课”专题党课（一季度）"},
	{3, 26, "district", 720, 2, false, true, AUD_PICK, 0.35, "区委党校数字政府专题培训班"},
	{3, 30, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（3月）"},
	{4, 10, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：人工智能大模型政务应用"},
	{4, 17, "district", 240, 0, false, false, AUD_ALL, 0.45, "区网信办网络安全培训"},
	{4, 21, "city", 1080, 3, false, false, AUD_HEADS, 0.3, "市大数据发展局数据治理培训班"},
	{4, 24, "bureau", 90, 0, false, false, AUD_YOUNG, 0.8, "青年理论学习小组（4月）"},
	{4, 28, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（4月）"},
	{5, 15, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：“一网通办”与数据共享"},
	{5, 18, "district", 0, 10, true, false, AUD_ALL, 0.45, "区干部网络学院数字经济专题班（网上）"},
	{6, 5, "district", 180, 0, false, true, AUD_ALL, 0.6, "区保密局保密知识培训"},
	{6, 12, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：政务云与网络安全等级保护"},
	{6, 16, "national", 1800, 5, false, true, AUD_HEADS, 0.1, "国家数据局数据要素专题培训班"},
	{6, 19, "bureau", 90, 0, false, false, AUD_YOUNG, 0.8, "青年理论学习小组（6月）"},
	{6, 26, "bureau", 90, 0, false, false, AUD_ALL, 0.85, "支部“三会一课”专题党课（二季度）"},
	{6, 29, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（6月）"},
	{7, 10, "bureau", 120, 0, false, false, AUD_ALL, 0.8, "大数据讲堂：数据要素市场化配置"},
	{7, 22, "city", 720, 2, false, true, AUD_PICK, 0.15, "市委网信办数据安全研修班"},
	{7, 28, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（7月）"},
	{8, 14, "bureau", 120, 0, false, false, AUD_ALL, 0.8, "大数据讲堂：城市运行管理服务平台"},
	{8, 19, "district", 180, 0, false, false, AUD_PICK, 0.45, "区政务数据共享业务培训"},
	{8, 21, "bureau", 90, 0, false, false, AUD_YOUNG, 0.8, "青年理论学习小组（8月）"},
	{9, 11, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：数字经济统计与监测"},
	{9, 16, "city", 180, 0, false, false, AUD_ALL, 0.3, "数字重庆建设专题讲座（市级）"},
	{9, 22, "national", 0, 6, true, false, AUD_HEADS, 0.15, "国家行政学院数字政府在线专题"},
	{9, 25, "bureau", 90, 0, false, false, AUD_ALL, 0.85, "支部“三会一课”专题党课（三季度）"},
	{9, 29, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（9月）"},
	{10, 16, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：信创与国产化替代"},
	{10, 21, "district", 120, 0, false, false, AUD_ALL, 0.6, "区纪委廉政教育专题讲座"},
	{10, 23, "city", 0, 3, true, false, AUD_PICK, 0.3, "市级公共数据资源管理网络培训"},
	{10, 24, "bureau", 90, 0, false, false, AUD_YOUNG, 0.8, "青年理论学习小组（10月）"},
	{10, 30, "bureau", 150, 0, false, false, AUD_LEADERS, 0.9, "理论中心组学习（10月）"},
	{11, 6, "bureau", 120, 0, false, false, AUD_ALL, 0.85, "大数据讲堂：年度重点工作复盘"},
	{11, 12, "district", 150, 0, false, false, AUD_PICK, 0.5, "区委理论学习宣讲报告会"},
	{11, 18, "bureau", 90, 0, false, false, AUD_ALL, 0.85, "支部“三会一课”专题党课（四季度）"},
};

static const char *const article_topics[] = {
	"我局推进公共数据开放共享", "政务云资源整合取得新进展", "“渝快办”事项办理提速",
	"数据安全检查专项行动", "城市大脑应用场景建设", "数字化城市运行平台上线",
	"政务数据质量提升工作", "智慧社区试点建设情况", "数据要素市场培育工作",
	"网络安全宣传周活动", "大数据讲堂学习心得", "信创适配工作推进情况",
	"基层数据减负工作", "一网统管建设经验", "公共数据目录编制工作",
};

/* What the bigdata-bureau policy will make of the records so far: enough of
 * it to steer a person to their target (caps as in the policy file). */
typedef struct tally {
	double listen, xxqg, write;
	int books;
} tally;

static double tally_total(const tally *t)
{
	double read = fmin(fmin(2.0 * t->books, 4) + fmin(t->xxqg, 16), 20);
	return fmin(t->listen, 40) + read + fmin(t->write, 40);
}

/* A bureau person's plan for the year. */
typedef struct plan {
	int year;
	bool active[13];   /* months with records (joined, not away) */
	bool short_of;     /* meant to stay below the requirement */
	double target;     /* credits aimed at */
	double mult;       /* how keen: scales attendance */
	tally t;
} plan;

static double level_points(const char *level)
{
	return strcmp(level, "national") == 0 ? 5 : strcmp(level, "city") == 0 ? 4
		: strcmp(level, "district") == 0 ? 3 : 2;
}

static bool in_audience(const person *p, const event *e, double *prob)
{
	const char *role = p->post->role;
	bool leader = strcmp(role, "leader") == 0, head = strcmp(role, "section_head") == 0;
	*prob = e->prob;
	switch (e->audience) {
	case AUD_LEADERS:
		if (head)
			*prob *= 0.4;
		return leader || head;
	case AUD_HEADS:
		if (!leader && !head)
			*prob *= 0.3;
		return true;
	case AUD_YOUNG:
		return p->age <= 35 && !leader;
	default:
		return true;
	}
}

/* The training record of attending e. */
static demo_rec *add_training(rec_buf *b, rng *r, int year, const event *e)
{
	char date[DATE_LEN];
	workday(year, e->month, e->day, date);
	demo_rec *x = rec_add(b, "listen.training", date);
	x->row.level = e->level;
	if (e->days > 1)
		x->row.days = e->days;
	if (e->online) {
		x->row.online = 1;
		x->row.completed = 1;
	} else {
		x->row.minutes = e->minutes;
	}
	if (e->exam) {
		x->row.score = rng_int(r, 72, 98);
		x->row.passed = 1;
	}
	snprintf(x->activity, sizeof(x->activity), "%d年%s", year, e->title);
	return x;
}

static double event_value(const event *e)
{
	double sessions = e->online ? 1 : (e->days > 1 ? ceil(e->days / 2) : 1);
	return level_points(e->level) * sessions;
}

/* A random active month, or 0 when there is none. */
static int active_month(rng *r, const plan *pl)
{
	int months[13], n = 0;
	for (int m = 1; m <= DEMO_LAST_MONTH; m++)
		if (pl->active[m])
			months[n++] = m;
	return n ? months[rng_next(r) % (uint64_t)n] : 0;
}

typedef struct article {
	const char *item, *level;
	double value;
} article;

/* Outlets, more of the small ones. */
static article article_pick(rng *r, bool keen)
{
	double u = rng_unit(r);
	if (u < 0.45)
		return (article){"write.briefing", "district", 5};      /* 《江北信息》《政务动态》 */
	if (u < 0.7)
		return (article){"write.briefing", "district_paper", 2}; /* 《江北报》 */
	if (u < 0.85)
		return (article){"write.briefing", "city", 10};          /* 《重庆日报》 */
	if (u < 0.95 || !keen)
		return (article){"write.paper", "district", 10};         /* 《江北调研》 */
	return (article){"write.paper", "city", 15};
}

static demo_rec *add_article(rec_buf *b, rng *r, const plan *pl, article a)
{
	char date[DATE_LEN];
	int m = active_month(r, pl);
	workday(pl->year, m ? m : 1, rng_int(r, 3, 28), date);
	demo_rec *x = rec_add(b, a.item, date);
	x->row.level = a.level;
	return x;
}

/* The bureau person's year: metrics, trainings, books, articles. */
static int bureau_year(xf_data *d, rng *r, int year, const person *p, rec_buf *b,
		       long long *nrecords, xf_errs *errs)
{
	const post_def *po = p->post;
	plan pl;
	memset(&pl, 0, sizeof(pl));
	pl.year = year;
	int first = p->joined_month ? p->joined_month : 1;
	for (int m = first; m <= DEMO_LAST_MONTH; m++)
		pl.active[m] = true;
	int counted = 12 - (first - 1);
	if (po->special & SP_SECONDED) {
		for (int m = 4; m <= 9; m++)
			pl.active[m] = false;
		counted -= 6;
	}
	if (po->special & SP_SICK) {
		for (int m = 3; m <= 5; m++)
			pl.active[m] = false;
		counted -= 3;
	}
	double base = strcmp(po->role, "leader") == 0 ? 70 : strcmp(po->role, "section_head") == 0 ? 60 : 50;
	double required = base * counted / 12.0;

	/* Who is meant to end where: about one in five of the staff short of
	 * it, fewer of those who lead (领导带头学). */
	double ratio, u = rng_unit(r);
	double short_share = base == 70 ? 0.1 : base == 60 ? 0.12 : 0.22;
	if (po->special & SP_MEMBER_MET)
		ratio = 1.45;
	else if (po->special & SP_MEMBER_SHORT)
		ratio = 0.72;
	else if (po->special & (SP_APPROVER | SP_REVIEWER))
		ratio = 1.2 + 0.2 * rng_unit(r);
	else if (u < short_share)
		ratio = 0.6 + 0.3 * rng_unit(r);
	else if (u < 0.45)
		ratio = 1.0 + 0.15 * rng_unit(r);
	else if (u < 0.8)
		ratio = 1.15 + 0.25 * rng_unit(r);
	else
		ratio = 1.4 + 0.4 * rng_unit(r);
	pl.short_of = ratio < 1;
	pl.target = fmin(ratio * required, 84);
	pl.mult = pl.short_of ? 0.55 : ratio < 1.15 ? 0.9 : ratio < 1.4 ? 1.05 : 1.2;

	/* 学习强国: the month's increment of points. */
	double lo = pl.short_of ? 250 : 480 + 150 * (pl.mult - 0.9), hi = pl.short_of ? 700 : 760 + 1000 * (pl.mult - 0.9);
	for (int m = first; m <= DEMO_LAST_MONTH; m++) {
		double v = lo + (hi - lo) * rng_unit(r);
		if ((po->special & SP_SICK) && m >= 3 && m <= 5)
			v *= 0.2;
		v = floor(v);
		double c = v > 640 ? floor((v - 640) / 30) : 0;
		if (pl.short_of && pl.t.xxqg + c > 0.3 * pl.target) {
			v = rng_int(r, 300, 640);
			c = 0;
		}
		pl.t.xxqg += c;
		char month[DATE_LEN];
		snprintf(month, sizeof(month), "%04d-%02d", year, m);
		if (xf_data_queue_metric(d, p->id, "xxqg", month, v, 0, errs) != 0)
			return -1;
	}

	/* Trainings, as they come. */
	for (size_t i = 0; i < NELEM(bureau_events); i++) {
		const event *e = &bureau_events[i];
		double prob;
		if (!pl.active[e->month] || !in_audience(p, e, &prob) ||
		    !rng_chance(r, fmin(prob * pl.mult, 0.97)))
			continue;
		tally after = pl.t;
		after.listen += event_value(e);
		if (pl.short_of && tally_total(&after) >= pl.target)
			continue;
		add_training(b, r, year, e);
		pl.t = after;
	}

	/* Books (the item stops at 2). */
	int books = pl.short_of ? rng_int(r, 0, 1) : pl.mult > 1.1 ? rng_int(r, 2, 3) : rng_int(r, 1, 2);
	for (int k = 0; k < books; k++) {
		tally after = pl.t;
		after.books++;
		if (pl.short_of && tally_total(&after) >= pl.target)
			break;
		int m = active_month(r, &pl);
		if (m == 0)
			break;
		char date[DATE_LEN];
		workday(year, m, rng_int(r, 5, 28), date);
		rec_add(b, "read.book", date);
		pl.t = after;
	}

	/* Now and then the same article in two outlets: one activity key. */
	if ((po->special & SP_MEMBER_MET) || (!pl.short_of && rng_chance(r, 0.2))) {
		int m = active_month(r, &pl);
		if (m != 0) {
			char date[DATE_LEN], date2[DATE_LEN];
			workday(year, m, rng_int(r, 3, 12), date);
			workday(year, m, rng_int(r, 14, 26), date2);
			const char *topic = article_topics[rng_next(r) % NELEM(article_topics)];
			demo_rec *x = rec_add(b, "write.briefing", date);
			x->row.level = "district";
			snprintf(x->activity, sizeof(x->activity), "信息：%s", topic);
			demo_rec *y = rec_add(b, "write.briefing", date2);
			y->row.level = "district_paper";
			snprintf(y->activity, sizeof(y->activity), "%s", x->activity);
			pl.t.write += 5;
		}
	}

	/* Records the policy leaves out, for the explanations. */
	if (po->special & SP_MEMBER_SHORT) {
		char date[DATE_LEN];
		workday(year, first < 5 ? 5 : first, 8, date);
		demo_rec *x = rec_add(b, "listen.training", date);
		x->row.level = "bureau";
		x->row.minutes = 40; /* 一次学习1小时以上开始计学分 */
		snprintf(x->activity, sizeof(x->activity), "%d年科室业务学习会（5月）", year);
	}
	if ((po->special & SP_MEMBER_MET) || rng_chance(r, 0.1)) {
		char date[DATE_LEN];
		workday(year, 2, 26, date);
		if (pl.active[2]) {
			demo_rec *x = rec_add(b, "listen.training", date);
			x->row.level = "district";
			x->row.minutes = 180;
			x->row.kind = "work_meeting"; /* 参加工作会议的，不计算学分 */
			snprintf(x->activity, sizeof(x->activity), "%d年全区大数据工作会议", year);
		}
	}
	if (rng_chance(r, 0.08) && pl.active[6]) {
		char date[DATE_LEN];
		workday(year, 6, 5, date);
		demo_rec *x = rec_add(b, "listen.training", date);
		x->row.level = "city";
		x->row.minutes = 180;
		x->row.attended_minutes = 70; /* 听课时间没有达到课程时间一半的 */
		snprintf(x->activity, sizeof(x->activity), "%d年市级政务数据标准宣贯会", year);
	}

	/* Articles: towards the target, or a few for those short of it. */
	bool keen = pl.mult > 1.1;
	if (pl.short_of) {
		int k = rng_int(r, 0, 2);
		for (int i = 0; i < k; i++) {
			article a = article_pick(r, false);
			tally after = pl.t;
			after.write += a.value;
			if (tally_total(&after) >= pl.target || active_month(r, &pl) == 0)
				continue;
			add_article(b, r, &pl, a);
			pl.t = after;
		}
	} else {
		for (int guard = 0; tally_total(&pl.t) < pl.target && guard < 60; guard++) {
			if (pl.t.write < 40) {
				article a = article_pick(r, keen);
				demo_rec *x = add_article(b, r, &pl, a);
				if (keen && a.value >= 10 && rng_chance(r, 0.15)) {
					x->row.awarded = 1; /* 各类获奖文章，双倍计算学分 */
					a.value *= 2;
				}
				pl.t.write += a.value;
			} else if (pl.t.books < 2) {
				char date[DATE_LEN];
				int m = active_month(r, &pl);
				workday(year, m ? m : 1, 20, date);
				rec_add(b, "read.book", date);
				pl.t.books++;
			} else {
				/* Listen is the only room left: a district session. */
				int m = active_month(r, &pl);
				char date[DATE_LEN];
				workday(year, m ? m : 1, rng_int(r, 3, 26), date);
				demo_rec *x = rec_add(b, "listen.training", date);
				x->row.level = "district";
				x->row.minutes = 150;
				snprintf(x->activity, sizeof(x->activity), "%d年区级业务培训（第%d期）", year, guard + 1);
				pl.t.listen += 3;
			}
		}
	}
	return rec_flush(d, p->id, b, nrecords, errs);
}

/* ---- 昆山's year ---- */

static int kunshan_year(xf_data *d, rng *r, int year, const person *p, rec_buf *b,
			long long *nrecords, xf_errs *errs)
{
	const post_def *po = p->post;
	unsigned sp = po->special;
	/* From the month after appointment; a retiring cadre until May. */
	int first = p->joined_month ? p->joined_month + 1 : 1;
	int last = (sp & SP_RETIRING) ? 5 : DEMO_LAST_MONTH;
	/* How keen: the member shown is a good example; the new appointee
	 * does the minimum in 8 months (annualised, that is still good). */
	double keen = (sp & SP_KS_MEMBER) ? 0.75 : (sp & SP_APPOINTED) ? 0.1 : 0.1 + 0.9 * rng_unit(r);
	char date[DATE_LEN];

	/* 脱产培训: one class at the 市委党校, its reflection, maybe a speech. */
	int cm = rng_int(r, first > 3 ? first : 3, last > 10 ? 10 : last);
	if (cm < first)
		cm = first;
	workday(year, cm, rng_int(r, 6, 18), date);
	demo_rec *x = rec_add(b, "fulltime.class_day", date);
	x->row.days = 2 + (int)lround(4 * keen);
	x->row.passed = 1;
	snprintf(x->activity, sizeof(x->activity), "%d年市委党校中青年干部专题培训班", year);
	if (rng_chance(r, 0.4 + 0.6 * keen)) {
		workday(year, cm, 25, date);
		rec_add(b, "fulltime.reflection", date);
	}
	if (rng_chance(r, keen * 0.7)) {
		workday(year, cm, 20, date);
		rec_add(b, "fulltime.speech", date);
	}

	/* 菜单式选学: the 市干教办 lectures (4 needed), other lectures. */
	int months[13], nm = 0;
	for (int m = first; m <= last; m++)
		months[nm++] = m;
	int city = (sp & SP_MENU_FAIL) ? 3 : 4 + rng_int(r, 0, (int)lround(3 * keen));
	int other = (sp & SP_MENU_FAIL) ? 2 : city == 4 ? rng_int(r, 1, 2) : rng_int(r, 0, 2);
	if (city > nm)
		city = nm;
	for (int k = 0; k < city; k++) {
		int m = months[(k * nm) / city];
		workday(year, m, 14, date);
		x = rec_add(b, "menu.city_lecture", date);
		snprintf(x->activity, sizeof(x->activity), "%d年市干教办“菜单式”选学讲座（%d月）", year, m);
	}
	for (int k = 0; k < other; k++) {
		workday(year, months[rng_next(r) % (uint64_t)nm], rng_int(r, 3, 27), date);
		rec_add(b, "menu.other_lecture", date);
	}

	/* 网络学习: monthly class hours at the online college, 学习强国 once. */
	int hours = 40 + (int)lround(24 * keen);
	for (int k = 0; k < nm && hours > 0; k++) {
		int left = nm - k;
		int h = k == nm - 1 ? hours : hours / left + rng_int(r, -1, 2);
		if (h < 1)
			h = 1;
		if (h > hours)
			h = hours;
		workday(year, months[k], xf_days_in_month(year, months[k]) - 2, date);
		x = rec_add(b, "online.course", date);
		x->row.hours = h;
		hours -= h;
	}
	workday(year, last, 10, date);
	rec_add(b, "online.xxqg", date);

	/* 集中研学: the monthly 中心组 study, 上级中心组, book reflections. */
	int speaks = 1 + (int)lround(3 * keen);
	for (int k = 0; k < nm; k++) {
		if (!rng_chance(r, 0.55 + 0.45 * keen))
			continue;
		workday(year, months[k], 8, date);
		x = rec_add(b, "study.central_group", date);
		if (speaks > 0 && rng_chance(r, 0.5)) {
			x->row.speaker = 1;
			speaks--;
		}
	}
	for (int k = rng_int(r, 1, 2); k > 0; k--) {
		workday(year, months[rng_next(r) % (uint64_t)nm], 22, date);
		rec_add(b, "study.superior_group", date);
	}
	for (int k = 1 + (rng_chance(r, keen) ? 1 : 0) + (rng_chance(r, keen) ? 1 : 0); k > 0; k--) {
		workday(year, months[rng_next(r) % (uint64_t)nm], 26, date);
		rec_add(b, "study.book_reflection", date);
	}

	/* 在职自学: essays, a research report with a 批示, a lecture given. */
	for (int k = rng_int(r, 0, (int)lround(3 * keen)); k > 0; k--) {
		workday(year, months[rng_next(r) % (uint64_t)nm], rng_int(r, 5, 25), date);
		rec_add(b, "self.essay", date);
	}
	if (rng_chance(r, 0.5 * keen)) {
		workday(year, months[rng_next(r) % (uint64_t)nm], rng_int(r, 5, 25), date);
		rec_add(b, "self.research", date);
	}
	if (rng_chance(r, 0.3)) {
		workday(year, months[rng_next(r) % (uint64_t)nm], rng_int(r, 5, 25), date);
		rec_add(b, "self.lecture", date);
	}

	/* Flags, and last year's grade (the look-back rule's history). */
	const char *flag = (sp & SP_RETIRING) ? "retiring" : (sp & SP_ABSENT) ? "absent_mandated_training" : NULL;
	if (flag && xf_data_set_flags(d, p->id, year, &flag, 1, errs) != 0)
		return -1;
	if (!p->joined_month) {
		const char *grade = (sp & SP_MENU_FAIL) ? "fail" : keen > 0.6 ? "excellent"
				    : keen > 0.3 ? "good" : "pass";
		if (xf_data_put_history(d, p->id, year - 1, "kunshan-cadre", grade, errs) != 0)
			return -1;
	}
	return rec_flush(d, p->id, b, nrecords, errs);
}

/* ---- accounts ---- */

/* A random password of DEMO_PASSWORD_LEN characters without look-alikes
 * (no 0/O/o, 1/l/I), with an upper-case letter, a lower-case one and a
 * digit. */
static void password_make(char out[32])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"
				       "abcdefghijkmnpqrstuvwxyz"
				       "23456789";
	bool upper, lower, digit;
	do {
		upper = lower = digit = false;
		for (int i = 0; i < DEMO_PASSWORD_LEN; i++) {
			char c = alphabet[randombytes_uniform((uint32_t)(sizeof(alphabet) - 1))];
			out[i] = c;
			upper |= c >= 'A' && c <= 'Z';
			lower |= c >= 'a' && c <= 'z';
			digit |= c >= '0' && c <= '9';
		}
		out[DEMO_PASSWORD_LEN] = '\0';
	} while (!(upper && lower && digit));
}

typedef struct account {
	const char *role;          /* as reported */
	unsigned special;          /* the person who holds it (0: none) */
	const char *username;      /* fixed name, or NULL for the person's pinyin */
	const char *display;       /* fixed display name, or NULL for the person's name */
	unsigned roles;            /* XF_ROLE_* */
	unsigned headed;           /* the role that carries the person's unit */
	bool whole_bureau;         /* headed unit: the bureau, not the person's own */
} account;

static const account demo_accounts[] = {
	{"admin", 0, "admin", "系统管理员", XF_ROLE_ADMIN, 0, false},
	{"auditor", 0, "auditor", "审计员", XF_ROLE_AUDITOR, 0, false},
	{"approver", SP_APPROVER, NULL, NULL, XF_ROLE_MEMBER | XF_ROLE_APPROVER, XF_ROLE_APPROVER, true},
	{"reviewer", SP_REVIEWER, NULL, NULL, XF_ROLE_MEMBER | XF_ROLE_REVIEWER, XF_ROLE_REVIEWER, false},
	{"member", SP_MEMBER_MET, NULL, NULL, XF_ROLE_MEMBER, 0, false},
	{"member", SP_MEMBER_SHORT, NULL, NULL, XF_ROLE_MEMBER, 0, false},
	{"member", SP_KS_MEMBER, NULL, NULL, XF_ROLE_MEMBER, 0, false},
	/* Appended: the logins above keep their order. */
	{"head", SP_HEAD, "head", NULL, XF_ROLE_MEMBER | XF_ROLE_APPROVER, XF_ROLE_APPROVER, true},
	{"member", SP_BRANCH_MEMBER, NULL, NULL, XF_ROLE_MEMBER, 0, false},
	{"reviewer", SP_BRANCH_REVIEWER, NULL, NULL, XF_ROLE_MEMBER | XF_ROLE_REVIEWER, XF_ROLE_REVIEWER,
	 false},
};

static const person *person_with(const person *people, unsigned special)
{
	for (size_t i = 0; i < DEMO_PEOPLE; i++)
		if (people[i].post->special & special)
			return &people[i];
	return NULL;
}

/* Creates the accounts of demo_accounts; user_ids[i] receives the id of
 * the i-th. */
static int add_accounts(xf_store *s, const person *people, const long long *unit_ids,
			xf_demo_report *rep, long long *user_ids, xf_errs *errs)
{
	xf_auth_policy ap;
	xf_auth_policy_defaults(&ap);
	time_t now = xf_clock_now();
	for (size_t i = 0; i < NELEM(demo_accounts); i++) {
		const account *a = &demo_accounts[i];
		const person *p = a->special ? person_with(people, a->special) : NULL;
		xf_demo_login *l = &rep->logins[rep->nlogins];
		if (rep->nlogins >= XF_DEMO_MAX_LOGINS || (a->special && p == NULL)) {
			xf_errs_add(errs, "演示数据：账号表有误 (demo account table is inconsistent)");
			return -1;
		}
		memset(l, 0, sizeof(*l));
		snprintf(l->role, sizeof(l->role), "%s", a->role);
		snprintf(l->username, sizeof(l->username), "%.24s", a->username ? a->username : p->pinyin);
		/* Pinyin names can meet (王伟, 汪伟): number the later one. */
		for (int k = 0; k < rep->nlogins; k++) {
			if (strcmp(rep->logins[k].username, l->username) == 0) {
				char base[24];
				snprintf(base, sizeof(base), "%s", l->username);
				snprintf(l->username, sizeof(l->username), "%.24s%d", base, (rep->nlogins + 1) % 10);
				break;
			}
		}
		password_make(l->password);
		int w;
		if (p == NULL)
			w = snprintf(l->who, sizeof(l->who), "%s", a->display);
		else
			w = snprintf(l->who, sizeof(l->who), "%s（%s %s）", p->name,
				     demo_units[p->post->unit].label, p->post->post);
		if (w < 0 || (size_t)w >= sizeof(l->who)) {
			xf_errs_add(errs, "演示数据：账号说明过长 (demo account description too long)");
			return -1;
		}

		xf_user_role roles[XF_ROLE_COUNT];
		size_t nroles = 0;
		for (unsigned bit = 1; bit < (1u << XF_ROLE_COUNT); bit <<= 1) {
			if (!(a->roles & bit))
				continue;
			long long unit = 0;
			if (bit == a->headed)
				unit = a->whole_bureau ? unit_ids[U_BUREAU] : p->unit_id;
			roles[nroles++] = (xf_user_role){bit, unit};
		}
		xf_user_new u = {
			.username = l->username,
			.display_name = p ? p->name : a->display,
			.person_code = p ? p->code : NULL,
			.password = l->password,
			.roles = roles,
			.nroles = nroles,
		};
		if (xf_user_add(s, &ap, &u, "cli", now, &user_ids[i], errs) != 0)
			return -1;
		rep->nlogins++;
	}
	return 0;
}

/* ---- the workflow under way: scorecards, claims, an activity ---- */

/* The account ids (by demo_accounts index) and people the workflow needs. */
typedef struct wf {
	xf_store *s;
	xf_data *d;
	int year;
	const person *people;
	const long long *unit_ids;
	const long long *user_ids;
	xf_demo_report *rep;
	xf_errs *errs;
	int last;          /* the last day of the year (1-based) that may be used: today */
	time_t now;
	long long seq;     /* keeps times pushed back to `now` in order */
} wf;

#define BIND_FAILED XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")
#define JSON_MAX 1024

/* The account id of the holder of special (0 when none: a table error). */
static long long wf_user(const wf *w, unsigned special)
{
	for (size_t i = 0; i < NELEM(demo_accounts); i++)
		if (demo_accounts[i].special == special)
			return w->user_ids[i];
	return 0;
}

/* Day `doy` (1-based) of the year as YYYY-MM-DD. */
static void wf_date(const wf *w, int doy, char out[DATE_LEN])
{
	int m = 1;
	while (m < 12 && doy > xf_days_in_month(w->year, m)) {
		doy -= xf_days_in_month(w->year, m);
		m++;
	}
	snprintf(out, DATE_LEN, "%04d-%02d-%02d", w->year, m, doy);
}

/* A working day at `share` of the year so far (weekends move back to
 * Friday; never before 1 January nor after today). */
static int wf_day(const wf *w, double share)
{
	int doy = 1 + (int)(share * (w->last - 1));
	char date[DATE_LEN];
	wf_date(w, doy, date);
	xf_date d;
	if (xf_date_parse(date, &d) != 0)
		return doy;
	int wd = weekday(w->year, XF_DATE_MONTH(d), XF_DATE_DAY(d));
	int back = wd == 6 ? 1 : wd == 0 ? 2 : 0;
	return doy - back >= 1 ? doy - back : doy;
}

/* Unix seconds of day doy + after days, at hh:mm Beijing time, never after
 * an hour before now (then just before it, in call order). */
static long long wf_time(wf *w, int doy, int after, int hh, int mm)
{
	struct tm tm = {.tm_year = w->year - 1900, .tm_mon = 0, .tm_mday = doy + after,
			.tm_hour = hh - 8, .tm_min = mm};
	long long t = (long long)timegm(&tm);
	long long limit = (long long)w->now - 3600 + w->seq;
	if (t > limit) {
		t = limit;
		w->seq++;
	}
	return t;
}

/* A record of person p; *id receives its number. */
static int wf_record(wf *w, const person *p, const xf_record_row *r, long long *id)
{
	if (xf_data_next_record_id(w->d, p->id, id, w->errs) != 0 ||
	    xf_data_add_record_at(w->d, p->id, *id, r, 0, w->errs) != 0)
		return -1;
	w->rep->records++;
	return 0;
}

/* Scorecards of the branch: the member's draft, a submitted one, one
 * reviewed (a 学习型党员 at 96 of 100). Lines in policy order. */
static const char *const card_lines[14] = {
	"plan.goal", "plan.analysis", "active.collective", "active.inservice", "active.contest",
	"active.campaign", "apply.research", "apply.summary", "effect.tools", "effect.exam",
	"effect.duty", "effect.innovation", "effect.degree", "effect.skill",
};

typedef struct card_def {
	unsigned who;
	const char *status;
	const char *note;
	double self[14], review[14]; /* NAN: not given */
} card_def;

#define NG NAN
static const card_def demo_cards[] = {
	{SP_BRANCH_MEMBER, "draft", "年初制定了个人学习计划，参加支部集中学习 9 次，正在撰写调研报告。",
	 {6, 7, 8, 3, NG, NG, NG, NG, 5, NG, NG, NG, NG, NG},
	 {NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG}},
	{SP_CARD_SUBMITTED, "submitted", "全年参加集中学习和专题培训 14 次，完成调研报告 1 篇。",
	 {7, 7, 8, 4, 4, 3, 6, 7, 6, 10, 9, 5, 3, 12},
	 {NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG, NG}},
	{SP_CARD_REVIEWED, "reviewed", "获评市规划系统业务技能竞赛二等奖，取得注册城乡规划师资格。",
	 {7, 8, 8, 4, 5, 3, 7, 8, 6, 10, 10, 6, 5, 13},
	 {7, 8, 8, 4, 5, 3, 6, 7, 6, 10, 10, 5, 5, 12}},
};
#undef NG

static int add_cards(wf *w)
{
	long long reviewer = wf_user(w, SP_BRANCH_REVIEWER);
	for (size_t i = 0; i < NELEM(demo_cards); i++) {
		const card_def *c = &demo_cards[i];
		const person *p = person_with(w->people, c->who);
		if (p == NULL || reviewer == 0) {
			xf_errs_add(w->errs, "演示数据：评分表有误 (demo scorecards are inconsistent)");
			return -1;
		}
		double review = 0;
		for (int k = 0; k < 14; k++) {
			if (xf_data_put_score(w->d, p->id, w->year, card_lines[k], c->self[k], c->review[k],
					      w->errs) != 0)
				return -1;
			review += isnan(c->review[k]) ? 0 : c->review[k];
		}
		bool submitted = strcmp(c->status, "draft") != 0;
		bool reviewed = strcmp(c->status, "reviewed") == 0;
		int day = wf_day(w, 0.9);
		long long sub = wf_time(w, day, 0, 9, 30), rev = wf_time(w, day, 1, 16, 0);
		if (xf_query_exec(w->s, "INSERT INTO scorecards (person_id, year, status, note,"
				  " submitted_at, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				  w->errs, BIND_FAILED, XF_IN(p->id), XF_IN(w->year), XF_IN(c->status),
				  XF_IN(c->note), submitted ? XF_IN(sub) : XF_IN_NULL,
				  reviewed ? XF_IN(reviewer) : XF_IN_NULL,
				  reviewed ? XF_IN(rev) : XF_IN_NULL) != 0)
			return -1;
		if (reviewed) {
			char title[64], body[96], object[64];
			snprintf(title, sizeof(title), "您的%d年度评分表已评分", w->year);
			snprintf(body, sizeof(body), "考评总分 %g 分（满分 100 分）", review);
			snprintf(object, sizeof(object), "scorecard:%lld:%d", p->id, w->year);
			if (xf_notice_add(w->s, p->id, XF_NOTICE_SCORECARD_REVIEWED, title, body, object,
					  w->errs) != 0)
				return -1;
		}
		w->rep->scorecards++;
	}
	return 0;
}

/* Claims of the two 数据资源科 members, one in each state, as members,
 * the 科长 (step 1) and the 分管副局长 (step 2) left them. */
typedef struct claim_def {
	unsigned who;
	const char *status;       /* where it ended */
	const char *item, *form;
	double share;             /* its date: this share of the year so far */
	const char *level;        /* NULL: none */
	int minutes, count;       /* 0: none */
	const char *content, *place, *host, *mode;                 /* 附件3 */
	const char *book, *author, *summary, *reflection, *quotes; /* 附件4 */
	const char *reason;       /* rejected */
} claim_def;

static const claim_def demo_claims[] = {
	{SP_MEMBER_MET, "approved", "listen.training", "claim", 0.45, "city", 180, 0,
	 "“数据要素×”三年行动计划专题讲座", "市大数据发展局报告厅", "市大数据发展局", "线下",
	 NULL, NULL, NULL, NULL, NULL, NULL},
	{SP_MEMBER_MET, "reviewed", "write.briefing", "claim", 0.8, "district", 0, 1,
	 "信息《我局完成公共数据资源目录年度更新》被《江北信息》采用", NULL, "区委办公室", "投稿",
	 NULL, NULL, NULL, NULL, NULL, NULL},
	{SP_MEMBER_SHORT, "submitted", "read.book", "self_study", 0.85, NULL, 0, 1, NULL, NULL, NULL,
	 NULL, "习近平关于网络强国论述摘编", "中共中央党史和文献研究院 编",
	 "系统阐述网络强国建设的重大意义、目标任务和战略举措，涉及数字经济、数据安全与网络治理。",
	 "结合数据资源科工作，体会到数据共享与安全保护必须统筹推进，要把制度建设摆在前面。",
	 "网络安全和信息化是相辅相成的。安全是发展的前提，发展是安全的保障。", NULL},
	{SP_MEMBER_SHORT, "rejected", "listen.training", "claim", 0.55, "district", 150, 0,
	 "全区数字政府建设工作推进会", "区行政中心会议室", "区政府办公室", "线下",
	 NULL, NULL, NULL, NULL, NULL,
	 "该活动为工作部署会议，按办法第六条第1项，参加工作会议的不计算学分"},
	{SP_MEMBER_SHORT, "draft", "listen.training", "claim", 0.92, "bureau", 90, 0,
	 "科室数据安全业务学习", "局三楼会议室", "数据资源科", "线下",
	 NULL, NULL, NULL, NULL, NULL, NULL},
};

/* One line of a claim's history. */
static int claim_event(wf *w, long long claim, long long at, long long user, const char *from,
		       const char *to, const char *note)
{
	return xf_query_exec(w->s, "INSERT INTO claim_events (claim_id, at, user_id, from_status,"
			     " to_status, note) VALUES ($1, $2, $3, $4, $5, $6)", w->errs, BIND_FAILED,
			     XF_IN(claim), XF_IN(at), XF_IN(user), XF_IN(from), XF_IN(to), XF_IN(note));
}

static int add_claim(wf *w, const claim_def *c)
{
	const person *p = person_with(w->people, c->who);
	long long member = wf_user(w, c->who), reviewer = wf_user(w, SP_REVIEWER),
		  approver = wf_user(w, SP_APPROVER);
	if (p == NULL || member == 0 || reviewer == 0 || approver == 0) {
		xf_errs_add(w->errs, "演示数据：申报有误 (demo claims are inconsistent)");
		return -1;
	}
	int day = wf_day(w, c->share);
	char date[DATE_LEN], fields[JSON_MAX], details[JSON_MAX];
	wf_date(w, day, date);
	int n = snprintf(fields, sizeof(fields), "{\"date\": \"%s\"", date);
	if (c->level)
		n += snprintf(fields + n, sizeof(fields) - (size_t)n, ", \"level\": \"%s\"", c->level);
	if (c->minutes)
		n += snprintf(fields + n, sizeof(fields) - (size_t)n, ", \"minutes\": %d", c->minutes);
	if (c->count)
		n += snprintf(fields + n, sizeof(fields) - (size_t)n, ", \"count\": %d", c->count);
	snprintf(fields + n, sizeof(fields) - (size_t)n, "}");
	int m = c->book
		? snprintf(details, sizeof(details), "{\"book\": \"%s\", \"author\": \"%s\", \"summary\":"
			   " \"%s\", \"reflection\": \"%s\", \"quotes\": \"%s\"}", c->book, c->author,
			   c->summary, c->reflection, c->quotes)
		: snprintf(details, sizeof(details), "{\"content\": \"%s\", \"place\": \"%s\", \"host\":"
			   " \"%s\", \"mode\": \"%s\"}", c->content, c->place ? c->place : "", c->host,
			   c->mode);
	if (n < 0 || (size_t)n >= sizeof(fields) - 1 || m < 0 || (size_t)m >= sizeof(details)) {
		xf_errs_add(w->errs, "演示数据：申报内容过长 (demo claim too long)");
		return -1;
	}

	/* Its course: created the day of the activity, submitted the next,
	 * reviewed two days on, approved three (or rejected at review). */
	const char *st = c->status;
	bool submitted = strcmp(st, "draft") != 0;
	bool reviewed = strcmp(st, "reviewed") == 0 || strcmp(st, "approved") == 0;
	bool approved = strcmp(st, "approved") == 0, rejected = strcmp(st, "rejected") == 0;
	long long t_create = wf_time(w, day, 0, 20, 15), t_submit = wf_time(w, day, 1, 9, 5);
	long long t_review = wf_time(w, day, 2, 10, 40), t_approve = wf_time(w, day, 3, 15, 20);
	long long t_last = approved ? t_approve : reviewed || rejected ? t_review
			   : submitted ? t_submit : t_create;

	long long rec_id = 0;
	if (approved) {
		xf_record_row r = {.item = c->item, .date = date, .level = c->level, .count = NAN,
				   .days = NAN, .months = NAN, .hours = NAN, .minutes = NAN,
				   .attended_minutes = NAN, .score = NAN, .credits = NAN, .passed = -1,
				   .completed = -1, .online = -1, .approved = -1, .awarded = -1,
				   .speaker = -1};
		if (c->minutes)
			r.minutes = c->minutes;
		if (c->count)
			r.count = c->count;
		if (wf_record(w, p, &r, &rec_id) != 0)
			return -1;
	}
	long long id = 0;
	if (xf_query_row(w->s, "INSERT INTO claims (person_id, year, item, form, status, fields, details,"
			 " created_by, created_at, updated_at, submitted_at, reviewed_by, reviewed_at,"
			 " approved_by, approved_at, rejected_by, rejected_at, reject_reason, record_id)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
			 " $17, $18, $19) RETURNING id", w->errs, BIND_FAILED, XF_IN(p->id),
			 XF_IN(w->year), XF_IN(c->item), XF_IN(c->form), XF_IN(st), XF_IN(fields),
			 XF_IN(details), XF_IN(member), XF_IN(t_create), XF_IN(t_last),
			 submitted ? XF_IN(t_submit) : XF_IN_NULL, reviewed ? XF_IN(reviewer) : XF_IN_NULL,
			 reviewed ? XF_IN(t_review) : XF_IN_NULL, approved ? XF_IN(approver) : XF_IN_NULL,
			 approved ? XF_IN(t_approve) : XF_IN_NULL, rejected ? XF_IN(reviewer) : XF_IN_NULL,
			 rejected ? XF_IN(t_review) : XF_IN_NULL, XF_IN(c->reason),
			 approved ? XF_IN(rec_id) : XF_IN_NULL, XF_OUT(&id)) != 0)
		return -1;
	if (approved &&
	    xf_query_exec(w->s, "UPDATE records SET claim_id = $1 WHERE person_id = $2 AND id = $3",
			  w->errs, BIND_FAILED, XF_IN(id), XF_IN(p->id), XF_IN(rec_id)) != 0)
		return -1;

	/* The history the claimant sees, and what they were told. */
	char object[32];
	snprintf(object, sizeof(object), "claim:%lld", id);
	if (claim_event(w, id, t_create, member, NULL, "draft", NULL) != 0 ||
	    (submitted && claim_event(w, id, t_submit, member, "draft", "submitted", NULL) != 0) ||
	    (reviewed && claim_event(w, id, t_review, reviewer, "submitted", "reviewed", NULL) != 0) ||
	    (approved && claim_event(w, id, t_approve, approver, "reviewed", "approved", NULL) != 0) ||
	    (rejected && claim_event(w, id, t_review, reviewer, "submitted", "rejected", c->reason) != 0))
		return -1;
	if (reviewed && !approved &&
	    xf_notice_add(w->s, p->id, XF_NOTICE_CLAIM_REVIEWED, "您的申报已通过审核，等待审批", NULL,
			  object, w->errs) != 0)
		return -1;
	if (approved && xf_notice_add(w->s, p->id, XF_NOTICE_CLAIM_APPROVED,
				      "您的申报已通过审批，学分已计入", NULL, object, w->errs) != 0)
		return -1;
	if (rejected && xf_notice_add(w->s, p->id, XF_NOTICE_CLAIM_REJECTED, "您的申报被退回",
				      c->reason, object, w->errs) != 0)
		return -1;
	w->rep->claims++;
	return 0;
}

/* A training activity of 数据资源科, applied for by its 科长, approved by
 * the 分管副局长 (step 1) and the 局长 (step 2); its three attendees got
 * their records. */
static const unsigned activity_attendees[] = {SP_REVIEWER, SP_MEMBER_MET, SP_DATA_DEPUTY};

static int add_activity(wf *w)
{
	const person *head = person_with(w->people, SP_REVIEWER);
	long long applicant = wf_user(w, SP_REVIEWER), step1 = wf_user(w, SP_APPROVER),
		  step2 = wf_user(w, SP_HEAD);
	if (head == NULL || applicant == 0 || step1 == 0 || step2 == 0) {
		xf_errs_add(w->errs, "演示数据：培训活动有误 (demo activity is inconsistent)");
		return -1;
	}
	int day = wf_day(w, 0.35);
	int before = day > 6 ? 6 : day - 1; /* applied for up to 6 days before */
	char date[DATE_LEN], key[32];
	wf_date(w, day, date);
	snprintf(key, sizeof(key), "act-%04d-0001", w->year);
	long long t_create = wf_time(w, day - before, 0, 10, 0);
	long long t_review = wf_time(w, day - before, before > 0 ? 1 : 0, 11, 30);
	long long t_approve = wf_time(w, day - before, before > 1 ? 2 : 0, 17, 0);
	long long t_records = wf_time(w, day, 1, 9, 0);
	long long id = 0;
	if (xf_query_row(w->s, "INSERT INTO activities (key, unit_id, year, item, level, title, nature,"
			 " host, speakers, content, audience, place, date_from, date_to, minutes, online,"
			 " status, applicant, reviewed_by, reviewed_at, approved_by, approved_at,"
			 " records_at, created_at, updated_at) VALUES ($1, $2, $3, 'listen.training',"
			 " 'bureau', $4, '业务培训', $5, $6, $7, $8, $9, $10, $10, 120, 0, 'approved',"
			 " $11, $12, $13, $14, $15, $16, $17, $16) RETURNING id", w->errs, BIND_FAILED,
			 XF_IN(key), XF_IN(w->unit_ids[U_DATA]), XF_IN(w->year),
			 XF_IN("数据资源科“公共数据授权运营”专题业务培训"), XF_IN(head->name),
			 XF_IN("市大数据发展局数据资源处专家"),
			 XF_IN("公共数据授权运营的政策要求、场景申报与安全管理"),
			 XF_IN("数据资源科全体干部"), XF_IN("局三楼会议室"), XF_IN(date),
			 XF_IN(applicant), XF_IN(step1), XF_IN(t_review), XF_IN(step2), XF_IN(t_approve),
			 XF_IN(t_records), XF_IN(t_create), XF_OUT(&id)) != 0)
		return -1;
	char object[32];
	snprintf(object, sizeof(object), "activity:%lld", id);
	for (size_t i = 0; i < NELEM(activity_attendees); i++) {
		const person *p = person_with(w->people, activity_attendees[i]);
		if (p == NULL) {
			xf_errs_add(w->errs, "演示数据：培训活动有误 (demo activity is inconsistent)");
			return -1;
		}
		xf_record_row r = {.item = "listen.training", .date = date, .level = "bureau",
				   .activity = key, .count = NAN, .days = 1, .months = NAN,
				   .hours = NAN, .minutes = 120, .attended_minutes = 120, .score = NAN,
				   .credits = NAN, .passed = -1, .completed = -1, .online = 0,
				   .approved = -1, .awarded = -1, .speaker = -1};
		long long rec_id;
		if (wf_record(w, p, &r, &rec_id) != 0 ||
		    xf_query_exec(w->s, "INSERT INTO activity_attendance (activity_id, person_id,"
				  " attended_minutes, record_id) VALUES ($1, $2, 120, $3)", w->errs,
				  BIND_FAILED, XF_IN(id), XF_IN(p->id), XF_IN(rec_id)) != 0 ||
		    xf_notice_add(w->s, p->id, XF_NOTICE_ACTIVITY_RECORD, "培训活动学分记录已计入",
				  "数据资源科“公共数据授权运营”专题业务培训", object, w->errs) != 0)
			return -1;
	}
	w->rep->activities++;
	return 0;
}

/* The workflow, dated in the year up to today (the whole year when it is
 * over). */
static int add_workflow(xf_store *s, xf_data *d, int year, const person *people,
			const long long *unit_ids, const long long *user_ids, xf_demo_report *rep,
			xf_errs *errs)
{
	wf w = {.s = s, .d = d, .year = year, .people = people, .unit_ids = unit_ids,
		.user_ids = user_ids, .rep = rep, .errs = errs, .now = xf_clock_now()};
	struct tm today;
	localtime_r(&w.now, &today);
	int days = xf_days_in_month(year, 2) == 29 ? 366 : 365;
	w.last = today.tm_year + 1900 > year ? days : today.tm_year + 1900 == year ? today.tm_yday + 1 : 1;
	if (add_activity(&w) != 0 || add_cards(&w) != 0)
		return -1;
	for (size_t i = 0; i < NELEM(demo_claims); i++)
		if (add_claim(&w, &demo_claims[i]) != 0)
			return -1;
	return 0;
}

/* ---- the whole ---- */

static int count_people(xf_store *s, long long *n, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, "SELECT count(*) FROM people", errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	if (xf_stmt_step(st, errs) == XF_STEP_ROW) {
		*n = xf_stmt_int(st, 0);
		rc = 0;
	}
	xf_stmt_finalize(st);
	return rc;
}

/* units.parent_id and kind, which xf_data_unit does not set. */
static int unit_place(xf_store *s, long long id, long long parent_id, const char *kind,
		      xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, "UPDATE units SET parent_id = $1, kind = $2 WHERE id = $3", errs);
	if (st == NULL)
		return -1;
	int b = (parent_id > 0 ? xf_stmt_bind_int(st, 1, parent_id) : xf_stmt_bind_null(st, 1)) |
		xf_stmt_bind_text(st, 2, kind) | xf_stmt_bind_int(st, 3, id);
	int rc = b == 0 && xf_stmt_step(st, errs) == XF_STEP_DONE ? 0 : -1;
	if (b != 0)
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
	xf_stmt_finalize(st);
	return rc;
}

int xf_demo_create(xf_store *s, int year, xf_demo_report *rep, xf_errs *errs)
{
	xf_data *d = NULL;
	person *people = NULL;
	rec_buf *b = NULL;
	long long unit_ids[U_COUNT] = {0};
	int rc = -1;
	bool in_tx = false;

	memset(rep, 0, sizeof(*rep));
	if (year < 2000 || year > 2100) {
		xf_errs_add(errs, "年度 (year) 应在 2000–2100 之间，而不是 %d", year);
		return -1;
	}
	if (sodium_init() < 0) {
		xf_errs_add(errs, "无法初始化随机数生成器 (libsodium init failed)");
		return -1;
	}
	people = calloc(DEMO_PEOPLE, sizeof(*people));
	b = calloc(1, sizeof(*b));
	if (people == NULL || b == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	long long existing = 0;
	if (count_people(s, &existing, errs) != 0)
		goto out;
	if (existing > 0) {
		xf_errs_add(errs, "数据库中已有 %lld 名人员，演示数据只能建在空的数据库中 "
			    "(the store already has people)", existing);
		goto out;
	}
	d = xf_data_new(s, errs);
	if (d == NULL)
		goto out;

	for (int u = 0; u < U_COUNT; u++) {
		const unit_def *ud = &demo_units[u];
		if (xf_data_unit(d, ud->code, ud->name, &unit_ids[u], errs) != 0 ||
		    unit_place(s, unit_ids[u], ud->parent >= 0 ? unit_ids[ud->parent] : 0, ud->kind,
			       errs) != 0 ||
		    xf_data_assign_policy(d, unit_ids[u], year, ud->policy, errs) != 0)
			goto out;
		rep->units++;
	}

	rng org = {DEMO_SEED};
	for (size_t i = 0; i < DEMO_PEOPLE; i++) {
		person *p = &people[i];
		person_make(&org, year, people, i);
		p->unit_id = unit_ids[p->post->unit];
		xf_person_row row = {p->code, p->name, p->staff_no, p->id_card, p->phone,
				     p->unit_id, p->post->role, p->joined};
		if (xf_data_person(d, &row, &p->id, errs) != 0)
			goto out;
		rep->people++;
	}

	/* Periods: 借调 April–September (still in the scheme), sick leave
	 * March–May. */
	char from[DATE_LEN], to[DATE_LEN];
	const person *p = person_with(people, SP_SECONDED);
	snprintf(from, sizeof(from), "%04d-04-01", year);
	snprintf(to, sizeof(to), "%04d-09-30", year);
	xf_period_row sec = {"secondment", from, to, true};
	if (p == NULL || xf_data_set_periods(d, p->id, &sec, 1, errs) != 0)
		goto out;
	char from2[DATE_LEN], to2[DATE_LEN];
	p = person_with(people, SP_SICK);
	snprintf(from2, sizeof(from2), "%04d-03-01", year);
	snprintf(to2, sizeof(to2), "%04d-05-31", year);
	xf_period_row sick = {"sick_leave", from2, to2, true};
	if (p == NULL || xf_data_set_periods(d, p->id, &sick, 1, errs) != 0)
		goto out;

	for (size_t i = 0; i < DEMO_PEOPLE; i++) {
		rng r = {DEMO_SEED ^ (0xA0761D6478BD642Full * (i + 1))};
		if (demo_posts[i].unit == U_PLANNING)
			continue; /* scored by scorecards, not records (add_workflow) */
		int yr = demo_posts[i].unit == U_KUNSHAN
				 ? kunshan_year(d, &r, year, &people[i], b, &rep->records, errs)
				 : bureau_year(d, &r, year, &people[i], b, &rep->records, errs);
		if (yr != 0)
			goto out;
	}
	if (xf_data_flush(d, errs) != 0)
		goto out;

	long long user_ids[NELEM(demo_accounts)] = {0};
	if (add_accounts(s, people, unit_ids, rep, user_ids, errs) != 0 ||
	    add_workflow(s, d, year, people, unit_ids, user_ids, rep, errs) != 0)
		goto out;

	char after[256];
	snprintf(after, sizeof(after), "{\"year\": %d, \"units\": %d, \"people\": %d, \"records\": %lld,"
		 " \"claims\": %d, \"activities\": %d, \"scorecards\": %d}", year, rep->units,
		 rep->people, rep->records, rep->claims, rep->activities, rep->scorecards);
	xf_audit_entry e = {"cli", "demo.create", NULL, NULL, after};
	if (xf_store_audit(s, &e, errs) != 0)
		goto out;
	xf_data_free(d);
	d = NULL;
	in_tx = false;
	if (xf_store_commit(s, errs) != 0)
		goto out;
	rc = 0;
out:
	xf_data_free(d);
	if (in_tx)
		xf_store_rollback(s);
	if (rc != 0) {
		/* No half-told story: the report says nothing was made. */
		sodium_memzero(rep, sizeof(*rep));
	}
	free(people);
	free(b);
	return rc;
}
