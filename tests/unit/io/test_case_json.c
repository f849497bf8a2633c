/* Unit tests for src/io/case_json.c: reading and validating case files.
 *
 * Two tables. Error rows give a case and the messages it must produce, in
 * order (each expected string is a substring of the message at that
 * position, and there must be no other message). Parse rows give a valid
 * case and lines of a dump of what was read ("r0.count=3"); each line must
 * appear in the dump. JSON in the tables is written with ' for " to keep it
 * readable; dq() turns it into JSON. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/case.h"

/* Policies used by the rows (the shipped ones, see spec/policies.md). */
#define BIG_H "'policy':'bigdata-bureau','year':2025"
#define KUN_H "'policy':'kunshan-cadre','year':2025"
#define BIG BIG_H ",'people':[{'id':'a','role':'staff','unit':'u1'},{'id':'b','role':'leader','unit':'u2'}]"
#define KUN KUN_H ",'people':[{'id':'a'},{'id':'b'}]"
#define PLAN "'policy':'planning-bureau-member','year':2025,'people':[{'id':'a'},{'id':'b'}]"
#define XXQG "'policy':'xxqg-branch','year':2025," \
	"'people':[{'id':'a','unit':'br1'},{'id':'b','unit':'br2'}]"
#define LOUDI "'policy':'loudi-online','year':2025,'people':[{'id':'a'}]"
#define BOOK "'item':'read.book','date':'2025-03-01'"
#define TRAIN "'item':'listen.training','date':'2025-03-01','level':'city'"

#define MAX_WANT 20

typedef struct row {
	const char *name;
	const char *json;
	const char *want[MAX_WANT];
} row;

/* ---- helpers ---- */

static char *dq(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static size_t nwant(const row *r)
{
	size_t n = 0;
	while (n < MAX_WANT && r->want[n])
		n++;
	return n;
}

static void print_errs(const char *name, const xf_errs *e)
{
	fprintf(stderr, "row %s: %zu message(s)\n", name, xf_errs_count(e));
	xf_errs_print(e, "  ", stderr);
}

typedef struct dump {
	char *buf;
	size_t len, cap;
} dump;

__attribute__((format(printf, 2, 3)))
static void put(dump *d, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < d->cap - d->len) {
			d->len += (size_t)n;
			return;
		}
		d->cap = d->cap * 2 + (size_t)n + 64;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
}

static const char *key_or(const char *k)
{
	return k ? k : "-";
}

static const char *const PERIOD_KIND[] = {"secondment", "sick_leave", "leave"};

/* The person who owns entry k of a list grouped by off. */
static size_t owner(const size_t *off, size_t npeople, size_t k)
{
	for (size_t i = 0; i < npeople; i++)
		if (k >= off[i] && k < off[i + 1])
			return i;
	fail_msg("entry %zu has no owner", k);
	return 0;
}

static void dump_people(dump *d, const xf_case *c)
{
	const xf_policy *p = c->policy;
	put(d, "year=%d\nnpeople=%zu\n", c->year, c->npeople);
	for (size_t i = 0; i < c->npeople; i++) {
		const xf_person *ps = &c->people[i];
		put(d, "p%zu.id=%s\np%zu.name=%s\np%zu.unit=%s\np%zu.unit_id=%d\n", i,
		    ps->id, i, key_or(ps->name), i, key_or(ps->unit), i, ps->unit_id);
		put(d, "p%zu.role=%s\np%zu.joined=%d\np%zu.flags=0x%x\n", i,
		    ps->role >= 0 ? p->roles[ps->role].key : "-", i, ps->joined, i,
		    ps->flags);
		put(d, "p%zu.periods=", i);
		for (size_t j = 0; j < ps->nperiods; j++) {
			const xf_period *pd = &ps->periods[j];
			put(d, "%s%s:%d-%d:%d", j ? "," : "", PERIOD_KIND[pd->kind],
			    pd->from, pd->to, pd->participates);
		}
		put(d, "\n");
	}
}

static void dump_records(dump *d, const xf_case *c)
{
	const xf_policy *p = c->policy;
	put(d, "nrecords=%zu\n", c->nrecords);
	for (size_t k = 0; k < c->nrecords; k++) {
		const xf_record *r = &c->records[k];
		put(d, "r%zu.person=%s\nr%zu.index=%u\nr%zu.item=%s\nr%zu.date=%d\n", k,
		    c->people[owner(c->record_off, c->npeople, k)].id, k, r->index, k,
		    p->items[r->item].key, k, r->date);
		put(d, "r%zu.level=%s\nr%zu.kind=%d\nr%zu.bits=0x%x\nr%zu.activity=%d\n",
		    k, r->level >= 0 ? p->levels[r->level].key : "-", k, r->kind, k,
		    r->bits, k, r->activity);
		put(d, "r%zu.minutes=%d\nr%zu.attended=%d\n", k, r->minutes, k,
		    r->attended);
		put(d, "r%zu.count=%g\nr%zu.days=%g\nr%zu.months=%g\nr%zu.hours=%g\n", k,
		    r->count, k, r->days, k, r->months, k, r->hours);
		put(d, "r%zu.score=%g\nr%zu.credits=%g\n", k, r->score, k, r->credits);
	}
}

static void dump_others(dump *d, const xf_case *c)
{
	const xf_policy *p = c->policy;
	put(d, "nmetrics=%zu\n", c->nmetrics);
	for (size_t k = 0; k < c->nmetrics; k++) {
		const xf_metric *m = &c->metrics[k];
		put(d, "m%zu.person=%s\nm%zu.index=%u\nm%zu.metric=%s\n", k,
		    c->people[owner(c->metric_off, c->npeople, k)].id, k, m->index, k,
		    p->metrics[m->metric]);
		put(d, "m%zu.month=%d-%02d\nm%zu.value=%g\n", k, m->year, m->month, k,
		    m->value);
	}
	put(d, "nscores=%zu\n", c->nscores);
	for (size_t k = 0; k < c->nscores; k++) {
		const xf_score *s = &c->scores[k];
		put(d, "s%zu.person=%s\ns%zu.index=%u\ns%zu.line=%s\n", k,
		    c->people[owner(c->score_off, c->npeople, k)].id, k, s->index, k,
		    p->lines[s->line].key);
		if (s->has_self)
			put(d, "s%zu.self=%g\n", k, s->self);
		else
			put(d, "s%zu.self=-\n", k);
		if (s->has_review)
			put(d, "s%zu.review=%g\n", k, s->review);
		else
			put(d, "s%zu.review=-\n", k);
	}
	put(d, "nhistory=%zu\n", c->nhistory);
	for (size_t k = 0; k < c->nhistory; k++) {
		const xf_history *h = &c->history[k];
		put(d, "h%zu.person=%s\nh%zu.year=%d\nh%zu.grade=%s\n", k,
		    c->people[owner(c->history_off, c->npeople, k)].id, k, h->year, k,
		    h->grade >= 0 ? p->grades[h->grade].key : "-");
	}
}

/* A text dump of everything read, one "key=value" line each, starting with
 * a newline so that "\nKEY=VALUE\n" finds a whole line. */
static char *dump_case(const xf_case *c)
{
	dump d = {malloc(256), 1, 256};
	assert_non_null(d.buf);
	d.buf[0] = '\n';
	d.buf[1] = '\0';
	dump_people(&d, c);
	dump_records(&d, c);
	dump_others(&d, c);
	return d.buf;
}

static bool has_line(const char *dumped, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = strstr(dumped, line); p; p = strstr(p + 1, line))
		if (p[-1] == '\n' && p[n] == '\n')
			return true;
	return false;
}

/* The offsets agree with xf_case_input and cover every entry. */
static void check_inputs(const xf_case *c)
{
	size_t nr = 0, nm = 0, ns = 0, nh = 0;
	for (size_t i = 0; i < c->npeople; i++) {
		xf_input in;
		xf_case_input(c, i, &in);
		assert_ptr_equal(in.person, &c->people[i]);
		assert_ptr_equal(in.records, c->records + nr);
		assert_ptr_equal(in.metrics, c->metrics + nm);
		assert_ptr_equal(in.scores, c->scores + ns);
		assert_ptr_equal(in.history, c->history + nh);
		nr += in.nrecords;
		nm += in.nmetrics;
		ns += in.nscores;
		nh += in.nhistory;
	}
	assert_int_equal(nr, c->nrecords);
	assert_int_equal(nm, c->nmetrics);
	assert_int_equal(ns, c->nscores);
	assert_int_equal(nh, c->nhistory);
}

static bool is_zero(const xf_case *c)
{
	static const xf_case zero;
	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/* ---- error rows ---- */

static const row ERR_ROWS[] = {
	/* the document */
	{"syntax", "{'policy': 'bigdata-bureau',\n 'year': 2025,}",
	 {"第 2 行第 15 列：JSON 语法错误 (invalid JSON at line 2, column 15)"}},
	{"syntax-missing-comma", "{'policy': 'x' 'year': 2025}",
	 {"第 1 行第 16 列：JSON 语法错误"}},
	{"syntax-trailing", "{" BIG "} {}", {"JSON 语法错误 (invalid JSON at line 1, column"}},
	{"syntax-empty", "", {"第 1 行第 1 列：JSON 语法错误"}},
	{"syntax-column-counts-characters", "{'name':'张伟',}",
	 {"第 1 行第 14 列"}},
	{"root-array", "[{" BIG "}]",
	 {"顶层应为对象，实际为数组 (the top level must be an object, got an array)"}},
	{"root-number", "42", {"顶层应为对象，实际为数字 42"}},
	{"empty-object", "{}",
	 {"policy: 缺少必填字段，应为字符串 (missing required field; expected a string)",
	  "year: 缺少必填字段，应为 1900 到 2999 之间的整数年份",
	  "people: 缺少必填字段，应为数组 (missing required field; expected an array)"}},
	{"policy-number", "{'policy':5,'year':2025,'people':[]}",
	 {"policy: 应为字符串，实际为数字 5 (expected a string, got number 5)"}},
	{"year-range", "{'policy':'bigdata-bureau','year':1899,'people':[]}",
	 {"year: 应为 1900 到 2999 之间的整数年份，实际为 1899 (expected a whole year from 1900 to 2999, got 1899)"}},
	{"year-fraction", "{'policy':'bigdata-bureau','year':2025.5,'people':[]}",
	 {"year: 应为 1900 到 2999 之间的整数年份，实际为 2025.5"}},
	{"year-string", "{'policy':'bigdata-bureau','year':'2025','people':[]}",
	 {"year: 应为 1900 到 2999 之间的整数年份，实际为字符串 \"2025\" (expected a whole year from 1900 to 2999, got string \"2025\")"}},
	{"people-object", "{'policy':'bigdata-bureau','year':2025,'people':{},"
	 "'records':[{'person':'a'," BOOK "}]}",
	 {"people: 应为数组，实际为对象 (expected an array, got an object)"}},
	{"unknown-policy", "{'policy':'nope','year':2025,'people':[]}",
	 {"policy: 未知政策 \"nope\"，应为 bigdata-bureau、kunshan-cadre、loudi-online、planning-bureau-member、xxqg-branch 之一，或政策文件路径 (unknown policy; expected one of bigdata-bureau, kunshan-cadre, loudi-online, planning-bureau-member, xxqg-branch, or a path to a policy file)"}},
	{"unknown-policy-still-checks",
	 "{'policy':'nope','year':2025,'people':[{'id':'a','role':'boss'},{'id':'a'}],"
	 "'records':[{'person':'x','item':'whatever','date':'2025-02-30','count':-1}],"
	 "'scores':[{'person':'a','line':'x','self':-1}]}",
	 {"policy: 未知政策 \"nope\"",
	  "people[1].id: 人员 id \"a\" 重复，已用于 people[0] (duplicate person id; already used by people[0])",
	  "records[0].person: 未知人员 \"x\"，people 中没有此 id (unknown person; no such id in people)",
	  "records[0].date: 日期无效 \"2025-02-30\"",
	  "records[0].count: 应为不小于 0 的数，实际为 -1",
	  "scores[0].self: 应为不小于 0 的数，实际为 -1"}},
	{"policy-file-missing", "{'policy':'no/such/policy.yaml','year':2025,'people':[]}",
	 {"policy: "}},

	/* people */
	{"person-not-object", "{" BIG_H ",'people':[[]]}",
	 {"people[0]: 应为对象，实际为数组 (expected an object, got an array)"}},
	{"person-id", "{'policy':'kunshan-cadre','year':2025,"
	 "'people':[{'name':'x'},{'id':''},{'id':7},{'id':'d','name':5,'unit':[]}]}",
	 {"people[0].id: 缺少必填字段，应为字符串",
	  "people[1].id: 不能为空，应为非空字符串 (must not be empty; expected a non-empty string)",
	  "people[2].id: 应为字符串，实际为数字 7",
	  "people[3].name: 应为字符串，实际为数字 5",
	  "people[3].unit: 应为字符串，实际为数组"}},
	{"duplicate-id", "{" KUN_H ",'people':[{'id':'a'},{'id':'b'},{'id':'a'},{'id':'a'}]}",
	 {"people[2].id: 人员 id \"a\" 重复，已用于 people[0]",
	  "people[3].id: 人员 id \"a\" 重复，已用于 people[0]"}},
	{"role", "{'policy':'bigdata-bureau','year':2025,"
	 "'people':[{'id':'a'},{'id':'b','role':'boss'},{'id':'c','role':1}]}",
	 {"people[0].role: 缺少角色：该政策按角色确定应修学分，应为 leader、section_head、staff 之一 (missing role; the policy sets required credits by role: expected one of leader, section_head, staff)",
	  "people[1].role: 未知角色 \"boss\"，应为 leader、section_head、staff 之一 (unknown role; expected one of leader, section_head, staff)",
	  "people[2].role: 应为字符串，实际为数字 1"}},
	{"flags", "{'policy':'kunshan-cadre','year':2025,"
	 "'people':[{'id':'a','flags':'retiring'},{'id':'b','flags':['retiring',3,'x']}]}",
	 {"people[0].flags: 应为数组，实际为字符串 \"retiring\"",
	  "people[1].flags[1]: 应为字符串，实际为数字 3",
	  "people[1].flags[2]: 未知标记 \"x\"，应为 retiring、exempt、absent_mandated_training、discipline_violation 之一 (unknown flag; expected one of retiring, exempt, absent_mandated_training, discipline_violation)"}},
	{"flags-none-in-policy", "{'policy':'loudi-online','year':2025,"
	 "'people':[{'id':'a','flags':['retiring']}]}",
	 {"people[0].flags[0]: 未知标记 \"retiring\"，该政策未定义任何标记 (unknown flag; the policy defines none)"}},
	{"joined", "{" KUN_H ",'people':[{'id':'a','joined':'2025-02-29'},{'id':'b','joined':20250101}]}",
	 {"people[0].joined: 日期无效 \"2025-02-29\"，应为 YYYY-MM-DD 格式的真实日期 (invalid date; expected a real date YYYY-MM-DD)",
	  "people[1].joined: 应为 YYYY-MM-DD 格式的日期，实际为数字 20250101 (expected a date YYYY-MM-DD, got number 20250101)"}},
	{"periods", "{" KUN_H ",'people':[{'id':'a','periods':{}},{'id':'b','periods':["
	 "1,{},{'kind':'holiday','from':'2025-01-01','to':'2025-01-31'},"
	 "{'kind':'leave','from':'2025-03-01','to':'2025-02-28','participates':'no'}]}]}",
	 {"people[0].periods: 应为数组，实际为对象",
	  "people[1].periods[0]: 应为对象，实际为数字 1",
	  "people[1].periods[1].kind: 缺少必填字段，应为字符串",
	  "people[1].periods[1].from: 缺少必填字段，应为 YYYY-MM-DD 格式的日期",
	  "people[1].periods[1].to: 缺少必填字段",
	  "people[1].periods[2].kind: 未知时段类型 \"holiday\"，应为 secondment、sick_leave、leave 之一 (unknown period kind; expected one of secondment, sick_leave, leave)",
	  "people[1].periods[3].to: 结束日期 2025-02-28 早于开始日期 2025-03-01 (to is before from)",
	  "people[1].periods[3].participates: 应为布尔值 true 或 false，实际为字符串 \"no\""}},
	{"unit-required-by-groups", "{'policy':'xxqg-branch','year':2025,"
	 "'people':[{'id':'a','unit':'br1'},{'id':'b'},{'id':'c','unit':''}]}",
	 {"people[1].unit: 缺少单位：该政策按单位（党支部）分组 (missing unit; the policy groups people by unit (党支部))",
	  "people[2].unit: 缺少单位"}},
	{"long-value-shortened", "{" KUN_H ",'people':[{'id':'a','flags':["
	 "'0123456789012345678901234567890123456789_and_more'," "'q\\\"\\n\\u0001'"
	 "]}]}",
	 {"people[0].flags[0]: 未知标记 \"0123456789012345678901234567890123456789…\"",
	  "people[0].flags[1]: 未知标记 \"q\\\"\\u000a\\u0001\""}},

	/* records */
	{"records-object", "{" BIG ",'records':{}}",
	 {"records: 应为数组，实际为对象 (expected an array, got an object)"}},
	{"record-not-object", "{" BIG ",'records':['a']}",
	 {"records[0]: 应为对象，实际为字符串 \"a\""}},
	{"record-required", "{" BIG ",'records':[{}]}",
	 {"records[0].person: 缺少必填字段，应为字符串",
	  "records[0].item: 缺少必填字段，应为字符串",
	  "records[0].date: 缺少必填字段，应为 YYYY-MM-DD 格式的日期"}},
	{"record-person", "{" BIG ",'records':[{'person':'a'," BOOK "},{'person':'zz'," BOOK "},"
	 "{'person':1," BOOK "}]}",
	 {"records[1].person: 未知人员 \"zz\"，people 中没有此 id (unknown person; no such id in people)",
	  "records[2].person: 应为字符串，实际为数字 1"}},
	{"record-item", "{" BIG ",'records':[{'person':'a','item':'read.books','date':'2025-01-01'}]}",
	 {"records[0].item: 未知项目 \"read.books\"，应为 listen.training、read.book、read.xxqg、write.briefing、write.paper 之一 (unknown item; expected one of listen.training, read.book, read.xxqg, write.briefing, write.paper)"}},
	{"record-item-many", "{" KUN ",'records':[{'person':'a','item':'x','date':'2025-01-01'}]}",
	 {"records[0].item: 未知项目 \"x\"，应为 fulltime.class_day、"}},
	{"record-dates", "{" BIG ",'records':[{'person':'a','item':'read.book','date':'2025-02-30'},"
	 "{'person':'a','item':'read.book','date':'2025-13-01'},"
	 "{'person':'a','item':'read.book','date':'yesterday'},"
	 "{'person':'a','item':'read.book','date':'2025-1-01'},"
	 "{'person':'a','item':'read.book','date':true}]}",
	 {"records[0].date: 日期无效 \"2025-02-30\"", "records[1].date: 日期无效 \"2025-13-01\"",
	  "records[2].date: 日期无效 \"yesterday\"", "records[3].date: 日期无效 \"2025-1-01\"",
	  "records[4].date: 应为 YYYY-MM-DD 格式的日期，实际为布尔值 true"}},
	{"record-levels", "{" BIG ",'records':["
	 "{'person':'a','item':'listen.training','date':'2025-01-01'},"
	 "{'person':'a','item':'listen.training','date':'2025-01-01','level':'provincial'},"
	 "{'person':'a','item':'listen.training','date':'2025-01-01','level':'district_paper'},"
	 "{'person':'a','item':'write.paper','date':'2025-01-01','level':'bureau'},"
	 "{'person':'a','item':'write.paper','date':'2025-01-01','level':3}]}",
	 {"records[0].level: 缺少级别：listen.training 按级别计分，应为 bureau、district、city、national 之一 (missing level; item listen.training is valued by level: expected one of bureau, district, city, national)",
	  "records[1].level: 未知级别 \"provincial\"，应为 bureau、district、city、national 之一 (unknown level; expected one of bureau, district, city, national)",
	  "records[2].level: 级别 \"district_paper\" 不适用于 listen.training，应为 bureau、district、city、national 之一 (level not valid for item listen.training; expected one of bureau, district, city, national)",
	  "records[3].level: 级别 \"bureau\" 不适用于 write.paper，应为 district、city、national 之一",
	  "records[4].level: 应为字符串，实际为数字 3"}},
	{"record-numbers", "{" BIG ",'records':[{'person':'a'," TRAIN ","
	 "'count':-1,'days':0,'months':-0.5,'hours':-2,'minutes':1.5,"
	 "'attended_minutes':-1,'score':100.5,'credits':-3}]}",
	 {"records[0].count: 应为不小于 0 的数，实际为 -1 (expected a number >= 0, got -1)",
	  "records[0].days: 应为大于 0 的数，实际为 0 (expected a number > 0, got 0)",
	  "records[0].months: 应为不小于 0 的数，实际为 -0.5",
	  "records[0].hours: 应为不小于 0 的数，实际为 -2",
	  "records[0].minutes: 应为不小于 0 的整数，实际为 1.5 (expected an integer >= 0, got 1.5)",
	  "records[0].attended_minutes: 应为不小于 0 的整数，实际为 -1",
	  "records[0].score: 应为 0 到 100 之间的数，实际为 100.5 (expected a number from 0 to 100, got 100.5)",
	  "records[0].credits: 应为不小于 0 的数，实际为 -3"}},
	{"record-number-types", "{" BIG ",'records':[{'person':'a'," TRAIN ","
	 "'count':'2','days':[1],'minutes':{},'score':null,'credits':true}]}",
	 {"records[0].count: 应为不小于 0 的数，实际为字符串 \"2\" (expected a number >= 0, got string \"2\")",
	  "records[0].days: 应为大于 0 的数，实际为数组",
	  "records[0].minutes: 应为不小于 0 的整数，实际为对象",
	  "records[0].credits: 应为不小于 0 的数，实际为布尔值 true"}},
	{"record-big-numbers", "{" BIG ",'records':[{'person':'a'," TRAIN ","
	 "'minutes':3000000000,'count':1e400,'attended_minutes':1e20}]}",
	 {"records[0].count: 应为不小于 0 的数，实际为 inf",
	  "records[0].minutes: 应为不小于 0 的整数，实际为 3000000000",
	  "records[0].attended_minutes: 应为不小于 0 的整数，实际为 1e+20"}},
	{"record-bools", "{" BIG ",'records':[{'person':'a'," TRAIN ","
	 "'passed':1,'completed':'true','online':0,'approved':[],'awarded':{},'speaker':'no'}]}",
	 {"records[0].passed: 应为布尔值 true 或 false，实际为数字 1 (expected true or false, got number 1)",
	  "records[0].completed: 应为布尔值 true 或 false，实际为字符串 \"true\"",
	  "records[0].online: 应为布尔值 true 或 false，实际为数字 0",
	  "records[0].approved: 应为布尔值 true 或 false，实际为数组",
	  "records[0].awarded: 应为布尔值 true 或 false，实际为对象",
	  "records[0].speaker: 应为布尔值 true 或 false，实际为字符串 \"no\""}},
	{"record-strings", "{" BIG ",'records':[{'person':'a'," TRAIN ",'kind':1,'activity':false}]}",
	 {"records[0].kind: 应为字符串，实际为数字 1",
	  "records[0].activity: 应为字符串，实际为布尔值 false"}},

	/* metrics */
	{"metrics", "{" BIG ",'metrics':[{'person':'a','metric':'xxqg','month':'2025-01','value':700},"
	 "{'person':'a','metric':'points','month':'2025-13','value':-1},"
	 "{'person':'q','metric':7,'month':202501,'value':'9'},{}]}",
	 {"metrics[1].metric: 未知指标 \"points\"，应为 xxqg (unknown metric; expected xxqg)",
	  "metrics[1].month: 月份无效 \"2025-13\"，应为 YYYY-MM 格式的月份 (invalid month; expected YYYY-MM)",
	  "metrics[1].value: 应为不小于 0 的数，实际为 -1",
	  "metrics[2].person: 未知人员 \"q\"",
	  "metrics[2].metric: 应为字符串，实际为数字 7",
	  "metrics[2].month: 应为 YYYY-MM 格式的月份，实际为数字 202501",
	  "metrics[2].value: 应为不小于 0 的数，实际为字符串 \"9\"",
	  "metrics[3].person: 缺少必填字段", "metrics[3].metric: 缺少必填字段",
	  "metrics[3].month: 缺少必填字段", "metrics[3].value: 缺少必填字段"}},
	{"metrics-none-in-policy", "{" PLAN ",'metrics':[{'person':'a','metric':'xxqg','month':'2025-01','value':1}]}",
	 {"metrics[0].metric: 未知指标 \"xxqg\"，该政策未定义任何指标 (unknown metric; the policy defines none)"}},

	/* scores */
	{"scores", "{" PLAN ",'scores':[{'person':'a','line':'plan.goal','self':7.5,'review':-0.5},"
	 "{'person':'a','line':'plan.goals'},{'person':'b','line':'effect.skill','self':'13'}]}",
	 {"scores[0].self: 应为 0 到 7 之间的分数（评分项 plan.goal 满分 7），实际为 7.5 (expected a score from 0 to 7 (line plan.goal has a maximum of 7), got 7.5)",
	  "scores[0].review: 应为 0 到 7 之间的分数（评分项 plan.goal 满分 7），实际为 -0.5",
	  "scores[1].line: 未知评分项 \"plan.goals\"，应为 plan.goal、plan.analysis、",
	  "scores[2].self: 应为 0 到 13 之间的分数（评分项 effect.skill 满分 13），实际为字符串 \"13\""}},
	{"scores-duplicate", "{" PLAN ",'scores':[{'person':'a','line':'plan.goal','review':1},"
	 "{'person':'b','line':'plan.goal','review':1},{'person':'a','line':'plan.analysis'},"
	 "{'person':'a','line':'plan.goal','self':2}]}",
	 {"scores[3].line: 该人员的评分项 plan.goal 重复，已见于 scores[0] (duplicate score for this person and line; first at scores[0])"}},
	{"scores-no-scorecard", "{" BIG ",'scores':[{'person':'a','line':'plan.goal'}]}",
	 {"scores[0].line: 未知评分项 \"plan.goal\"，该政策未定义任何评分项 (unknown scorecard line; the policy defines none)"}},

	/* history */
	{"history", "{" KUN ",'history':[{'person':'a','year':2024,'grade':'bad'},"
	 "{'person':'a','year':2024.5,'grade':'fail'},{'person':'b','grade':3},{'person':'c','year':2024,'grade':'fail'}]}",
	 {"history[0].grade: 未知等级 \"bad\"，应为 excellent、good、pass、fail 之一 (unknown grade; expected one of excellent, good, pass, fail)",
	  "history[1].year: 应为 1900 到 2999 之间的整数年份，实际为 2024.5",
	  "history[2].year: 缺少必填字段", "history[2].grade: 应为字符串，实际为数字 3",
	  "history[3].person: 未知人员 \"c\""}},

	/* every list, in input order */
	{"input-order", "{'policy':'bigdata-bureau','year':'x','people':[{'id':'a'}],"
	 "'history':[{'person':'z','year':2024,'grade':'x'}],"
	 "'records':[{'person':'z'," BOOK "}],'metrics':[{'person':'z','metric':'xxqg','month':'2025-01','value':1}]}",
	 {"year:", "people[0].role:", "records[0].person:", "metrics[0].person:",
	  "history[0].person:"}},
};

static void test_errors(void **state)
{
	(void)state;
	size_t failed = 0;
	for (size_t i = 0; i < sizeof(ERR_ROWS) / sizeof(ERR_ROWS[0]); i++) {
		const row *r = &ERR_ROWS[i];
		char *json = dq(r->json);
		xf_case c;
		xf_errs e;
		xf_errs_init(&e);
		int rc = xf_case_parse(json, strlen(json), NULL, &c, &e);
		size_t n = nwant(r);
		bool ok = rc == -1 && is_zero(&c) && xf_errs_count(&e) == n;
		for (size_t k = 0; ok && k < n; k++)
			ok = strstr(e.msgs[k], r->want[k]) != NULL;
		if (!ok) {
			print_errs(r->name, &e);
			for (size_t k = 0; k < n; k++)
				fprintf(stderr, "  want: %s\n", r->want[k]);
			failed++;
		}
		xf_case_cleanup(&c);
		xf_errs_cleanup(&e);
		free(json);
	}
	assert_int_equal(failed, 0);
}

/* ---- parse rows ---- */

static const row OK_ROWS[] = {
	{"defaults", "{" BIG ",'records':[{'person':'a'," BOOK "}]}",
	 {"year=2025", "nrecords=1", "r0.person=a", "r0.index=0", "r0.item=read.book",
	  "r0.date=20250301", "r0.level=-", "r0.kind=-1", "r0.bits=0x0",
	  "r0.activity=-1", "r0.minutes=-1", "r0.attended=-1", "r0.count=1",
	  "r0.days=1", "r0.months=0", "r0.hours=0", "r0.score=nan", "r0.credits=0"}},
	{"all-record-fields", "{" BIG ",'records':[{'person':'b','item':'listen.training',"
	 "'date':'2024-12-31','level':'national','count':2.5,'days':3,'months':1,'hours':4.5,"
	 "'minutes':180,'attended_minutes':90,'score':88.5,'passed':true,'completed':false,"
	 "'online':true,'kind':'work_meeting','approved':false,'awarded':true,'speaker':true,"
	 "'activity':'forum','credits':1.5}]}",
	 {"r0.person=b", "r0.item=listen.training", "r0.date=20241231", "r0.level=national",
	  "r0.count=2.5", "r0.days=3", "r0.months=1", "r0.hours=4.5", "r0.minutes=180",
	  "r0.attended=90", "r0.score=88.5", "r0.kind=0", "r0.activity=0", "r0.credits=1.5",
	  "r0.bits=0x7f"}},
	{"bits", "{" BIG ",'records':[{'person':'a'," BOOK ",'passed':false,'completed':true,"
	 "'online':false,'approved':true,'awarded':false,'speaker':false}]}",
	 {"r0.bits=0x8"}},
	{"grouped-by-person", "{" BIG ",'records':[{'person':'b'," BOOK "},{'person':'a'," BOOK "},"
	 "{'person':'b'," BOOK "},{'person':'a'," BOOK "},{'person':'a'," BOOK "}]}",
	 {"nrecords=5", "r0.person=a", "r0.index=1", "r1.index=3", "r2.person=a",
	  "r2.index=4", "r3.person=b", "r3.index=0", "r4.index=2"}},
	{"flat-item-level-ignored", "{" BIG ",'records':[{'person':'a'," BOOK ",'level':5},"
	 "{'person':'a'," BOOK ",'level':'galactic'}]}",
	 {"r0.level=-", "r1.level=-"}},
	{"level-index", "{" BIG ",'records':[{'person':'a','item':'write.briefing',"
	 "'date':'2025-05-05','level':'district_paper'}]}",
	 {"r0.level=district_paper"}},
	{"kinds-and-activities", "{" BIG ",'records':[{'person':'a'," TRAIN ",'kind':'seminar','activity':'x'},"
	 "{'person':'a'," TRAIN ",'activity':'y'},{'person':'b'," TRAIN ",'activity':'x'},"
	 "{'person':'b'," TRAIN ",'activity':''}]}",
	 {"r0.kind=-1", "r0.activity=0", "r1.activity=1", "r2.activity=0", "r3.activity=-1"}},
	{"metric-item-record", "{" BIG ",'records':[{'person':'a','item':'read.xxqg','date':'2025-01-01'}]}",
	 {"r0.item=read.xxqg"}},
	{"nulls-are-absent", "{" BIG ",'records':[{'person':'a'," BOOK ",'count':null,'level':null,"
	 "'online':null,'score':null}],'metrics':null}",
	 {"r0.count=1", "r0.bits=0x0", "r0.score=nan", "nmetrics=0"}},
	{"unknown-fields-ignored", "{" BIG ",'comment':'x','records':[{'person':'a'," BOOK ","
	 "'note':[1,2],'extra':{'a':1}}],'exported_by':{}}",
	 {"nrecords=1"}},
	{"first-duplicate-key-wins", "{" BIG ",'records':[{'person':'a'," BOOK ",'count':2,'count':-5}]}",
	 {"r0.count=2"}},
	{"people", "{" BIG_H ",'people':[{'id':'zhang','name':'张伟','unit':'office','role':'section_head',"
	 "'joined':'2016-08-01','periods':[{'kind':'sick_leave','from':'2025-02-01','to':'2025-04-30'},"
	 "{'kind':'secondment','from':'2025-06-01','to':'2025-06-01','participates':false}],'flags':[]},"
	 "{'id':'li','unit':'lab','role':'staff'},{'id':'wang','unit':'office','role':'leader',"
	 "'periods':[{'kind':'leave','from':'2025-01-01','to':'2025-01-02'}]}]}",
	 {"npeople=3", "p0.id=zhang", "p0.name=张伟", "p0.unit=office", "p0.unit_id=0",
	  "p0.role=section_head", "p0.joined=20160801",
	  "p0.periods=sick_leave:20250201-20250430:1,secondment:20250601-20250601:0",
	  "p1.name=-", "p1.unit_id=1", "p1.joined=0", "p1.periods=", "p2.unit_id=0",
	  "p2.role=leader", "p2.periods=leave:20250101-20250102:1"}},
	{"flags-bitset", "{" KUN_H ",'people':[{'id':'a','flags':['exempt','discipline_violation','exempt']},"
	 "{'id':'b','role':7}]}",
	 {"p0.flags=0xa", "p1.flags=0x0", "p1.role=-"}},
	{"empty-people", "{'policy':'bigdata-bureau','year':2999,'people':[]}",
	 {"year=2999", "npeople=0", "nrecords=0", "nmetrics=0", "nscores=0", "nhistory=0"}},
	{"metrics", "{" XXQG ",'metrics':[{'person':'b','metric':'xxqg','month':'2025-03','value':705},"
	 "{'person':'a','metric':'xxqg','month':'2024-12','value':0}]}",
	 {"nmetrics=2", "m0.person=a", "m0.index=1", "m0.month=2024-12", "m0.value=0",
	  "m1.person=b", "m1.index=0", "m1.metric=xxqg", "m1.month=2025-03", "m1.value=705"}},
	{"scores", "{" PLAN ",'scores':[{'person':'b','line':'effect.skill','self':13,'review':12.5},"
	 "{'person':'a','line':'plan.goal','review':0},{'person':'b','line':'plan.goal'}]}",
	 {"nscores=3", "s0.person=a", "s0.index=1", "s0.line=plan.goal", "s0.self=-", "s0.review=0",
	  "s1.person=b", "s1.line=effect.skill", "s1.self=13", "s1.review=12.5",
	  "s2.index=2", "s2.self=-", "s2.review=-"}},
	{"history", "{" KUN ",'history':[{'person':'b','year':2023,'grade':'excellent'},"
	 "{'person':'a','year':2024,'grade':'fail'}]}",
	 {"nhistory=2", "h0.person=a", "h0.year=2024", "h0.grade=fail", "h1.person=b",
	  "h1.grade=excellent"}},
	{"history-without-grades", "{" BIG ",'history':[{'person':'a','year':2024,'grade':'whatever'}]}",
	 {"h0.grade=-"}},
	{"loudi", "{" LOUDI ",'records':[{'person':'a','item':'online.exam','date':'2025-04-02',"
	 "'passed':true,'credits':2}]}",
	 {"r0.credits=2", "r0.bits=0x18"}},
	{"bom-and-whitespace", "\xEF\xBB\xBF \n{" BIG "}\n\n", {"npeople=2"}},
};

/* 0 when every wanted line is in the dump of c, else 1 (and says which). */
static size_t check_dump(const row *r, const xf_case *c)
{
	char *d = dump_case(c);
	size_t bad = 0;
	for (size_t k = 0; k < nwant(r); k++) {
		if (has_line(d, r->want[k]))
			continue;
		fprintf(stderr, "row %s: no line \"%s\"\n", r->name, r->want[k]);
		bad = 1;
	}
	if (bad)
		fprintf(stderr, "row %s: dump:%s", r->name, d);
	free(d);
	return bad;
}

static void test_parse(void **state)
{
	(void)state;
	size_t failed = 0;
	for (size_t i = 0; i < sizeof(OK_ROWS) / sizeof(OK_ROWS[0]); i++) {
		const row *r = &OK_ROWS[i];
		char *json = dq(r->json);
		xf_case c;
		xf_errs e;
		xf_errs_init(&e);
		if (xf_case_parse(json, strlen(json), NULL, &c, &e) != 0 ||
		    xf_errs_count(&e) != 0) {
			print_errs(r->name, &e);
			failed++;
		} else {
			check_inputs(&c);
			failed += check_dump(r, &c);
		}
		xf_case_cleanup(&c);
		xf_errs_cleanup(&e);
		free(json);
	}
}

/* ---- whole-file behaviour ---- */

/* The text is read only up to len: no NUL terminator is needed and bytes
 * after len are not looked at. */
static void test_length_bound(void **state)
{
	(void)state;
	char *json = dq("{" BIG "}garbage");
	size_t len = strlen(json) - strlen("garbage");
	char *exact = malloc(len);
	assert_non_null(exact);
	memcpy(exact, json, len);
	xf_case c;
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(xf_case_parse(exact, len, NULL, &c, &e), 0);
	assert_int_equal(c.npeople, 2);
	xf_case_cleanup(&c);
	assert_true(is_zero(&c));
	assert_int_equal(xf_case_parse(json, strlen(json), NULL, &c, &e), -1);
	assert_int_equal(xf_errs_count(&e), 1);
	xf_errs_cleanup(&e);
	free(exact);
	free(json);
}

/* Appends to a growing buffer (test data generation). */
static void append(dump *d, const char *s)
{
	put(d, "%s", s);
}

/* Past XF_ERRS_MAX the messages are counted, not kept; reading goes on. */
static void test_many_errors(void **state)
{
	(void)state;
	dump d = {malloc(64), 0, 64};
	assert_non_null(d.buf);
	d.buf[0] = '\0';
	append(&d, "{" BIG ",'records':[");
	for (int i = 0; i < 300; i++)
		append(&d, i ? ",{'person':'x'," BOOK "}" : "{'person':'x'," BOOK "}");
	append(&d, "]}");
	char *json = dq(d.buf);
	xf_case c;
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(xf_case_parse(json, strlen(json), NULL, &c, &e), -1);
	assert_int_equal(e.n, XF_ERRS_MAX);
	assert_int_equal(xf_errs_count(&e), 300);
	assert_non_null(strstr(e.msgs[199], "records[199].person"));
	xf_errs_cleanup(&e);
	free(json);
	free(d.buf);
}

/* Many people and records: grouping is right and stable, and the reader is
 * linear (this would take minutes if anything were quadratic). */
static void test_large(void **state)
{
	(void)state;
	enum { PEOPLE = 20000, RECORDS = 200000 };
	dump d = {malloc(1 << 20), 0, 1 << 20};
	assert_non_null(d.buf);
	d.buf[0] = '\0';
	append(&d, "{\"policy\":\"bigdata-bureau\",\"year\":2025,\"people\":[");
	for (int i = 0; i < PEOPLE; i++)
		put(&d, "%s{\"id\":\"p%d\",\"role\":\"staff\",\"unit\":\"u%d\"}", i ? "," : "",
		    i, i % 50);
	append(&d, "],\"records\":[");
	for (int i = 0; i < RECORDS; i++)
		put(&d, "%s{\"person\":\"p%d\",\"item\":\"read.book\",\"date\":\"2025-01-01\",\"count\":%d}",
		    i ? "," : "", (i * 7919) % PEOPLE, i);
	append(&d, "]}");
	xf_case c;
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(xf_case_parse(d.buf, d.len, NULL, &c, &e), 0);
	assert_int_equal(c.nrecords, RECORDS);
	assert_int_equal(xf_strmap_size(c.units), 50);
	check_inputs(&c);
	for (size_t i = 0; i < c.npeople; i++) {
		xf_input in;
		xf_case_input(&c, i, &in);
		assert_int_equal(in.nrecords, RECORDS / PEOPLE);
		for (size_t k = 0; k < in.nrecords; k++) {
			assert_int_equal((in.records[k].index * 7919u) % PEOPLE, i);
			assert_true(in.records[k].count == in.records[k].index);
			if (k)
				assert_true(in.records[k].index > in.records[k - 1].index);
		}
	}
	xf_case_cleanup(&c);
	xf_errs_cleanup(&e);
	free(d.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests_name("io/case_json", tests, NULL, NULL);
}
