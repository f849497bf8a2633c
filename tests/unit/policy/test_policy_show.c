/* Unit tests for src/policy/policy_show.c: every shipped policy prints as
 * a Chinese table with the figures of its 办法, and table columns line up
 * on a terminal where CJK characters take two columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy.h"

static char *show_text(const xf_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	xf_policy_show(p, f);
	fclose(f);
	assert_non_null(buf);
	return buf;
}

static xf_policy *load(const char *id_or_yaml, bool yaml)
{
	xf_errs e;
	xf_errs_init(&e);
	xf_policy *p = yaml ? xf_policy_parse(id_or_yaml, strlen(id_or_yaml),
					      "t.yaml", &e)
			    : xf_policy_resolve(id_or_yaml, NULL, &e);
	xf_errs_print(&e, "unexpected: ", stderr);
	xf_errs_cleanup(&e);
	assert_non_null(p);
	return p;
}

/* Terminal columns of the first n bytes of s: 2 for CJK and fullwidth. */
static int columns(const char *s, size_t n)
{
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c < 0x80) {
			w++;
			i++;
			continue;
		}
		int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		unsigned cp = c & (0x3fu >> (len - 1));
		for (int k = 1; k < len; k++)
			cp = (cp << 6) | (p[i + k] & 0x3f);
		bool wide = (cp >= 0x2e80 && cp <= 0xa4cf) ||
			    (cp >= 0xac00 && cp <= 0xd7a3) ||
			    (cp >= 0xff00 && cp <= 0xff60) || cp >= 0x20000;
		w += wide ? 2 : 1;
		i += (size_t)len;
	}
	return w;
}

/* The display column where `needle` starts on the line that contains it
 * (the first such line); -1 when absent. */
static int column_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	if (at == NULL)
		return -1;
	const char *line = at;
	while (line > text && line[-1] != '\n')
		line--;
	return columns(line, (size_t)(at - line));
}

/* Checks that each needle starts at the same display column. */
static void assert_aligned(const char *text, const char *const *needles)
{
	int col = column_of(text, needles[0]);
	assert_true(col > 0);
	for (int i = 1; needles[i] != NULL; i++) {
		int c = column_of(text, needles[i]);
		if (c != col)
			fprintf(stderr, "%s at column %d, %s at %d\n", needles[0],
				col, needles[i], c);
		assert_int_equal(c, col);
	}
}

static void assert_has(const char *text, const char *const *needles)
{
	for (int i = 0; needles[i] != NULL; i++) {
		if (strstr(text, needles[i]) == NULL)
			fprintf(stderr, "missing: %s\n", needles[i]);
		assert_non_null(strstr(text, needles[i]));
	}
}

/* What each shipped policy's listing must show (figures of the 办法). */
static const struct {
	const char *id;
	const char *has[16];
	const char *aligned[8]; /* keys in one column of a table */
} shipped[] = {
	{"bigdata-bureau",
	 {"区大数据发展局学分制管理办法（试行）", "听（满分40分）",
	  "读（满分20分）", "写（满分40分）",
	  "局级  区级  市级  国家级  江北报", "班子成员", "科室负责人",
	  "不计算学分的情况：参加工作会议", "学习时间不足 60 分钟",
	  "以 640 为基础，每多 30 得 1 分", "获奖文章按 2 倍计算",
	  "病休累计超过6个月", "15%", "应修学分 × 计算月数 / 12", NULL},
	 {"listen.training", "read.book", "read.xxqg", "write.briefing",
	  "write.paper", "编号  ", NULL}},
	{"kunshan-cadre",
	 {"脱产培训（满分15分）", "菜单式选学（满分30分）",
	  "得分不低于 24 分，且市干教办讲座不少于 4 次", "得分不低于 25 分",
	  "1（发言2）", "自次月起计算", "8.3 × 计算月数", "90 分及以上",
	  "60 分至不足 75 分", "无故不参加组织调训", "连续2年考核等级为不合格",
	  "1. 病事假超过6个月（leave）", "5. 经市委组织部认定的其他情况", NULL},
	 {"fulltime.class_day", "menu.city_lecture", "self.faculty_lecture",
	  "编号  ", NULL}},
	{"loudi-online",
	 {"在线学习（不设满分）", "每学时（45分钟）", "指定学分",
	  "每人每年应修 40 学分", "其中必修课不少于 24 学分",
	  "required_course_credits = 必修课", NULL},
	 {"online.required_course", "online.exam", "编号  ", NULL}},
	{"xxqg-branch",
	 {"“学习强国”积分每月增量之和", "学习积极分子（activist）：成长积分达到 6000 分",
	  "倒数后3名", "最佳组织", NULL},
	 {NULL}},
	{"planning-bureau-member",
	 {"学习的计划性（15分）", "学习的成效性（50分）", "plan.goal",
	  "effect.skill", "学习型党员（learning_member）：总分达到 95 分及以上",
	  NULL},
	 {"plan.goal", "active.collective", "effect.innovation", "编号  ", NULL}},
};

static void test_shipped(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		xf_policy *p = load(shipped[i].id, false);
		char *text = show_text(p);
		assert_has(text, shipped[i].has);
		if (shipped[i].aligned[0] != NULL)
			assert_aligned(text, shipped[i].aligned);
		free(text);
		xf_policy_free(p);
	}
}

/* Level columns come in the policy's level order, with values under them. */
static void test_level_columns(void **state)
{
	(void)state;
	xf_policy *p = load("bigdata-bureau", false);
	char *text = show_text(p);
	static const char *const heads[] = {"局级", "区级", "市级", "国家级", NULL};
	int last = -1;
	for (int i = 0; heads[i] != NULL; i++) {
		int c = column_of(text, heads[i]);
		assert_true(c > last);
		last = c;
	}
	/* listen.training: 2 3 4 5 right-aligned under 局级 区级 市级 国家级. */
	const char *row = strstr(text, "listen.training");
	assert_non_null(row);
	const char *end = strchr(row, '\n');
	char line[512];
	size_t n = (size_t)(end - row) < sizeof(line) - 1 ? (size_t)(end - row)
							  : sizeof(line) - 1;
	memcpy(line, row, n);
	line[n] = '\0';
	assert_non_null(strstr(line, "2     3     4       5"));
	free(text);
	xf_policy_free(p);
}

/* Odd but valid policies print without trouble. */
static void test_edge_policies(void **state)
{
	(void)state;
	static const char *const yamls[] = {
		"id: t\ntitle: 只有标题\n",
		"id: t\ntitle: T\nlevels: [{key: a, name: 甲}, {key: b, name: 乙乙乙乙乙乙}]\n"
		"categories:\n  - {key: c, name: 类, items: [{key: i, name: 项, per: count, "
		"points: {b: 1.25}}]}\n",
		"id: t\ntitle: T\nflags: [{key: x, name: X}]\n"
		"grades: {bands: [{key: f, name: 差, min: -5}], fail: f, veto_flags: [x]}\n"
		"result_flags: [{key: s, name: S, when: grade_streak, grade: f, years: 0}]\n",
		"id: t\ntitle: T\nmetrics: [steps]\ngrowth: {metric: steps}\n"
		"groups: {name: 组, bottom: 0}\n",
	};
	static const char *const want[] = {
		"只有标题", "1.25", "直接记为差：X", "steps每月增量之和"};
	for (size_t i = 0; i < sizeof(yamls) / sizeof(yamls[0]); i++) {
		xf_policy *p = load(yamls[i], true);
		char *text = show_text(p);
		assert_non_null(strstr(text, want[i]));
		free(text);
		xf_policy_free(p);
	}
	xf_policy_show(NULL, stdout); /* no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_level_columns),
		cmocka_unit_test(test_edge_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
