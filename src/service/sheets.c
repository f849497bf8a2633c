/* sheets: the columns of each spreadsheet import (see sheets.h). */
#include "service/sheets.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 人员名册: units and people. */
static const xf_column roster[] = {
	{"name", "姓名", XF_COL_TEXT, true, "张伟", NULL},
	{"staff_no", "工号", XF_COL_TEXT, false, "A0012", "唯一；有工号时按工号识别人员"},
	{"id_card", "身份证号", XF_COL_TEXT, false, "11010119900307731X", "18 位；列表中只显示掩码"},
	{"phone", "手机号", XF_COL_TEXT, false, "13812345678", "列表中只显示掩码"},
	{"unit", "单位", XF_COL_TEXT, true, "综合科", "单位或科室名称"},
	{"unit_code", "单位编码", XF_COL_TEXT, false, "general-office", "不填时以单位名称为编码"},
	{"parent_unit", "上级单位", XF_COL_TEXT, false, "区大数据发展局", "上级单位名称或编码，形成单位树"},
	{"role", "角色", XF_COL_TEXT, false, "section_head", "学分办法中的角色，如 leader、section_head、staff"},
	{"joined", "入职日期", XF_COL_DATE, false, "2016-08-01", "参加工作或任职日期"},
};

/* 学分记录: e.g. the attendance list of one training. */
static const xf_column records[] = {
	{"staff_no", "工号", XF_COL_TEXT, false, "A0012", "工号或“姓名+单位”二者必填其一"},
	{"name", "姓名", XF_COL_TEXT, false, "张伟", NULL},
	{"unit", "单位", XF_COL_TEXT, false, "综合科", "同名时用于区分"},
	{"item", "项目", XF_COL_TEXT, true, "listen.training", "学分办法中的项目编号或名称"},
	{"date", "日期", XF_COL_DATE, true, "2025-04-02", NULL},
	{"level", "级别", XF_COL_TEXT, false, "city", "按级别计分的项目必填：national/city/district/bureau 或 国家级/市级/区级/局级"},
	{"count", "次数", XF_COL_NUMBER, false, "1", "次数、本数、篇数"},
	{"days", "天数", XF_COL_NUMBER, false, "1", NULL},
	{"months", "月数", XF_COL_NUMBER, false, NULL, NULL},
	{"hours", "学时", XF_COL_NUMBER, false, NULL, NULL},
	{"minutes", "时长（分钟）", XF_COL_INTEGER, false, "120", NULL},
	{"attended_minutes", "实际听课（分钟）", XF_COL_INTEGER, false, NULL, NULL},
	{"score", "成绩", XF_COL_NUMBER, false, NULL, "0–100"},
	{"passed", "是否合格", XF_COL_BOOL, false, NULL, "是/否"},
	{"completed", "是否完成", XF_COL_BOOL, false, NULL, "是/否"},
	{"online", "网上学习", XF_COL_BOOL, false, "否", "是/否"},
	{"kind", "活动类型", XF_COL_TEXT, false, NULL, "如 work_meeting（工作会议）"},
	{"awarded", "获奖", XF_COL_BOOL, false, NULL, "是/否"},
	{"speaker", "发言", XF_COL_BOOL, false, NULL, "是/否"},
	{"activity", "活动编号", XF_COL_TEXT, false, "2025-city-bigdata-forum", "同一活动只计最高分值一次"},
	{"credits", "学分", XF_COL_NUMBER, false, NULL, "仅用于指定学分的项目"},
};

/* 学习强国积分: monthly increments, or cumulative totals on dates. */
static const xf_column xxqg[] = {
	{"staff_no", "工号", XF_COL_TEXT, false, "A0012", "工号或“姓名+单位”二者必填其一"},
	{"name", "姓名", XF_COL_TEXT, false, "张伟", NULL},
	{"unit", "单位", XF_COL_TEXT, false, "综合科", NULL},
	{"month", "月份", XF_COL_MONTH, false, "2025-03", "填月份和月增量；或填统计日期和累计积分"},
	{"value", "月增量", XF_COL_NUMBER, false, "705", NULL},
	{"date", "统计日期", XF_COL_DATE, false, NULL, "平台累计积分的统计日期"},
	{"total", "累计积分", XF_COL_NUMBER, false, NULL, "按日期先后换算为月增量"},
};

/* 网络学院学时: courses and class hours from the online college. */
static const xf_column online_hours[] = {
	{"staff_no", "工号", XF_COL_TEXT, false, "A0012", "工号或“姓名+单位”二者必填其一"},
	{"name", "姓名", XF_COL_TEXT, false, "刘洋", NULL},
	{"unit", "单位", XF_COL_TEXT, false, "市财政局", NULL},
	{"course", "课程名称", XF_COL_TEXT, true, "习近平新时代中国特色社会主义思想概论", NULL},
	{"item", "项目", XF_COL_TEXT, true, "online.required_course", "学分办法中的项目编号或名称（必修课/选修课…）"},
	{"date", "完成日期", XF_COL_DATE, true, "2025-04-02", NULL},
	{"minutes", "时长（分钟）", XF_COL_INTEGER, false, "135", "按 45 分钟一学时折算"},
	{"hours", "学时", XF_COL_NUMBER, false, NULL, "已折算的学时"},
	{"completed", "是否完成", XF_COL_BOOL, false, "是", "是/否"},
	{"passed", "考试合格", XF_COL_BOOL, false, NULL, "在线考试填写"},
	{"credits", "学分", XF_COL_NUMBER, false, NULL, "特殊课程、在线考试的指定学分"},
};

const xf_sheet_kind xf_sheet_kinds[] = {
	{"roster", "人员名册", roster, N(roster),
	 "每行一人。单位不存在时自动建立；有工号的按工号更新，没有工号的按“姓名+单位”更新。"},
	{"records", "学分记录", records, N(records),
	 "每行一条学分记录（如一次培训的签到名单）。人员按工号识别，或按姓名+单位识别；"
	 "重名无法区分时该行报错。"},
	{"xxqg", "学习强国积分", xxqg, N(xxqg),
	 "每行一人一个月的积分增量；或每行一人在某日期的平台累计积分，按日期换算为月增量。"},
	{"online-hours", "网络学院学时", online_hours, N(online_hours),
	 "每行一门课程。学时按课程时长（分钟）÷45 四舍五入，或直接填学时。"},
};
const size_t xf_sheet_kind_count = N(xf_sheet_kinds);

const xf_sheet_kind *xf_sheet_kind_find(const char *kind)
{
	for (size_t i = 0; i < xf_sheet_kind_count; i++)
		if (strcmp(xf_sheet_kinds[i].kind, kind) == 0)
			return &xf_sheet_kinds[i];
	return NULL;
}

/* Compares header text with a title or key, ignoring spaces around it and
 * a trailing full-width or ASCII parenthesised note ("姓名（必填）"). */
static int header_is(const char *h, const char *want)
{
	while (*h == ' ' || *h == '\t')
		h++;
	size_t n = strlen(want);
	if (strncmp(h, want, n) != 0)
		return 0;
	const char *rest = h + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	return *rest == '\0' || *rest == '(' || strncmp(rest, "（", strlen("（")) == 0 ||
	       *rest == '*';
}

int xf_sheet_column(const xf_sheet_kind *k, const char *h)
{
	/* Exact titles first: "时长（分钟）" must not match a shorter title. */
	for (size_t i = 0; i < k->ncolumns; i++)
		if (strcmp(h, k->columns[i].title) == 0 || strcmp(h, k->columns[i].key) == 0)
			return (int)i;
	for (size_t i = 0; i < k->ncolumns; i++)
		if (header_is(h, k->columns[i].title) || header_is(h, k->columns[i].key))
			return (int)i;
	return -1;
}
