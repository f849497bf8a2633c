/* policy_show: prints a compiled policy as the plain-text table a clerk
 * knows from the 办法's own annex (附件1 学分计分标准): categories with
 * their 满分, items with values by level, exclusions, requirements,
 * exemptions, grades and the rest, in Chinese.
 *
 * Columns are aligned by display width: CJK and fullwidth characters take
 * two terminal columns, so widths are counted per character, not per byte. */
#include "policy/policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TBL_MAX_COLS 24
#define CELL_LEN 256

/* ---- Display width ----------------------------------------------------- */

/* Decodes one UTF-8 character at s; sets *len to its byte length (1 for a
 * malformed byte, which then counts as one column). */
static unsigned utf8_next(const unsigned char *s, int *len)
{
	unsigned c = s[0];
	int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3
	      : (c >> 3) == 0x1e ? 4 : 0;
	if (n == 0) {
		*len = 1;
		return 0xfffd;
	}
	unsigned cp = n == 1 ? c : c & (0x7fu >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*len = n;
	return cp;
}

static bool is_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	       (cp >= 0x2e80 && cp <= 0x303e) ||
	       (cp >= 0x3041 && cp <= 0x33ff) ||
	       (cp >= 0x3400 && cp <= 0x4dbf) ||
	       (cp >= 0x4e00 && cp <= 0x9fff) ||
	       (cp >= 0xa000 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) ||
	       (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||
	       (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) ||
	       (cp >= 0x20000 && cp <= 0x3fffd);
}

/* Terminal columns taken by UTF-8 text: 2 for CJK/fullwidth characters,
 * 0 for control characters, 1 otherwise. */
static int display_width(const char *s)
{
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		int len;
		unsigned cp = utf8_next(p, &len);
		w += cp < 0x20 ? 0 : is_wide(cp) ? 2 : 1;
		p += len;
	}
	return w;
}

static void pad(FILE *out, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', out);
}

/* ---- Tables ------------------------------------------------------------- */

typedef struct tbl {
	int ncols;
	int nrows;
	int cap;
	char **cells;            /* nrows x ncols, malloc'd; NULL = empty */
	bool right[TBL_MAX_COLS]; /* right-align the column (numbers) */
	bool failed;
} tbl;

static void tbl_init(tbl *t, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < TBL_MAX_COLS ? ncols : TBL_MAX_COLS;
}

static void tbl_cleanup(tbl *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Starts a new row; returns false when out of memory. */
static bool tbl_row(tbl *t)
{
	if (t->failed)
		return false;
	if (t->nrows == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells,
				   (size_t)cap * (size_t)t->ncols * sizeof(*c));
		if (c == NULL) {
			t->failed = true;
			return false;
		}
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = NULL;
	t->nrows++;
	return true;
}

/* Sets cell `col` of the last row. */
static void tbl_set(tbl *t, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tbl_set(tbl *t, int col, const char *fmt, ...)
{
	if (t->failed || t->nrows == 0 || col < 0 || col >= t->ncols)
		return;
	char buf[CELL_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char **cell = &t->cells[(t->nrows - 1) * t->ncols + col];
	free(*cell);
	*cell = strdup(buf);
}

static void tbl_print(const tbl *t, FILE *out, const char *indent)
{
	int width[TBL_MAX_COLS] = {0};
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int w = s ? display_width(s) : 0;
			if (w > width[c])
				width[c] = w;
		}
	for (int r = 0; r < t->nrows; r++) {
		int last = t->ncols - 1;
		while (last > 0 && t->cells[r * t->ncols + last] == NULL)
			last--;
		fputs(indent, out);
		for (int c = 0; c <= last; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int gap = width[c] - (s ? display_width(s) : 0);
			if (c > 0)
				fputs("  ", out);
			if (t->right[c])
				pad(out, gap);
			fputs(s ? s : "", out);
			if (!t->right[c] && c < last)
				pad(out, gap);
		}
		fputc('\n', out);
	}
}

/* ---- Formatting values ------------------------------------------------ */

/* A number as a clerk writes it: 2, 0.5, 8.3, 0.15. buf: 32 bytes. */
static const char *num(double v, char *buf)
{
	if (isnan(v))
		snprintf(buf, 32, "—");
	else if (isinf(v))
		snprintf(buf, 32, "不限");
	else
		snprintf(buf, 32, "%.10g", v == 0 ? 0.0 : v);
	return buf;
}

static const char *per_unit(xf_per per)
{
	switch (per) {
	case XF_PER_COUNT: return "每次/篇/本";
	case XF_PER_DAY: return "每天";
	case XF_PER_MONTH: return "每月";
	case XF_PER_HOUR: return "每学时";
	case XF_PER_CLASS_HOUR: return "每学时";
	case XF_PER_SESSION: return "每次";
	case XF_PER_YEAR: return "每年一次";
	case XF_PER_CREDITS: return "按指定学分";
	case XF_PER_METRIC: return "按月积分增量";
	}
	return "";
}

/* What the units of an item are called (for "months < 3"). */
static const char *per_noun(xf_per per)
{
	switch (per) {
	case XF_PER_DAY: return "天";
	case XF_PER_MONTH: return "月";
	case XF_PER_HOUR:
	case XF_PER_CLASS_HOUR: return "学时";
	case XF_PER_CREDITS: return "学分";
	default: return "次";
	}
}

/* Chinese names of the record kinds and metrics the shipped policies use
 * (the policy format gives them no names); others print as their keys. */
static const char *known_name(const char *key)
{
	static const char *const names[][2] = {
		{"work_meeting", "参加工作会议"},
		{"xxqg", "“学习强国”积分"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], key) == 0)
			return names[i][1];
	return key;
}

static const char *or_dash(const char *s)
{
	return s ? s : "—";
}

/* Prints a numbered heading: 一、… 二、… */
static void heading(FILE *out, int *sec, const char *title)
{
	static const char *const nums[] = {"一", "二", "三", "四", "五",
					   "六", "七", "八", "九", "十"};
	int n = (*sec)++;
	fprintf(out, "%s、%s\n\n", n < 10 ? nums[n] : "十余", title);
}

static const char *period_name(int k)
{
	static const char *const names[] = {"挂职/借调", "病休", "事假"};
	return k >= 0 && k < XF_PERIOD_KINDS ? names[k] : "?";
}

/* "挂职/借调、病休" for a bitset of period kinds. */
static void period_list(uint8_t bits, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int k = 0; k < XF_PERIOD_KINDS && used < size; k++) {
		if (!(bits & (1u << k)))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? "、" : "", period_name(k));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---- Sections of the listing ------------------------------------------ */

static bool any_level_item(const xf_policy *p)
{
	for (int i = 0; i < p->nitems; i++)
		if (p->items[i].level_points != NULL)
			return true;
	return false;
}

static bool any_flat_item(const xf_policy *p)
{
	for (int i = 0; i < p->nitems; i++)
		if (p->items[i].level_points == NULL)
			return true;
	return false;
}

/* Column layout of the scoring table. */
typedef struct cols {
	int item, key, unit, flat, level0, cap, article, n;
	bool levels, flat_on;
} cols;

static cols score_cols(const xf_policy *p)
{
	cols c;
	c.levels = any_level_item(p) && p->nlevels > 0;
	c.flat_on = any_flat_item(p) || !c.levels;
	int nlv = c.levels ? p->nlevels : 0;
	if (nlv > TBL_MAX_COLS - 7)
		nlv = TBL_MAX_COLS - 7;
	c.item = 0;
	c.key = 1;
	c.unit = 2;
	c.flat = c.flat_on ? 3 : -1;
	c.level0 = c.flat_on ? 4 : 3;
	c.cap = c.level0 + nlv;
	c.article = c.cap + 1;
	c.n = c.article + 1;
	return c;
}

static void item_row(tbl *t, const cols *c, const xf_item *it)
{
	char b[32], b2[32];
	if (!tbl_row(t))
		return;
	tbl_set(t, c->item, "  %s", or_dash(it->name));
	tbl_set(t, c->key, "%s", or_dash(it->key));
	if (it->per == XF_PER_CLASS_HOUR)
		tbl_set(t, c->unit, "每学时（%d分钟）", it->class_hour_minutes);
	else if (it->per == XF_PER_SESSION && it->session_days > 1)
		tbl_set(t, c->unit, "每次（%d天内计一次）", it->session_days);
	else
		tbl_set(t, c->unit, "%s", per_unit(it->per));
	if (it->per == XF_PER_CREDITS && it->level_points == NULL)
		tbl_set(t, c->flat, "指定学分");
	else if (it->level_points == NULL && !isnan(it->speaker_points))
		tbl_set(t, c->flat, "%s（发言%s）", num(it->points, b),
			num(it->speaker_points, b2));
	else if (it->level_points == NULL && c->flat >= 0)
		tbl_set(t, c->flat, "%s", num(it->points, b));
	for (int l = 0; it->level_points && l < c->cap - c->level0; l++)
		tbl_set(t, c->level0 + l, "%s", num(it->level_points[l], b));
	if (it->level_points != NULL && c->flat >= 0)
		tbl_set(t, c->flat, "按级别");
	if (!isinf(it->cap))
		tbl_set(t, c->cap, "%s", num(it->cap, b));
	if (it->article)
		tbl_set(t, c->article, "%s", it->article);
}

static void category_row(tbl *t, const cols *c, const xf_category *cat)
{
	char b[32];
	if (!tbl_row(t))
		return;
	if (isinf(cat->cap))
		tbl_set(t, c->item, "%s（不设满分）", or_dash(cat->name));
	else
		tbl_set(t, c->item, "%s（满分%s分）", or_dash(cat->name),
			num(cat->cap, b));
	tbl_set(t, c->key, "%s", or_dash(cat->key));
	if (cat->article)
		tbl_set(t, c->article, "%s", cat->article);
}

static void show_scoring(const xf_policy *p, FILE *out, int *sec)
{
	if (p->ncategories == 0)
		return;
	cols c = score_cols(p);
	tbl t;
	tbl_init(&t, c.n);
	if (c.flat >= 0)
		t.right[c.flat] = true;
	for (int i = c.level0; i <= c.cap; i++)
		t.right[i] = true;
	if (tbl_row(&t)) {
		tbl_set(&t, c.item, "考核项目");
		tbl_set(&t, c.key, "编号");
		tbl_set(&t, c.unit, "计分单位");
		if (c.flat >= 0)
			tbl_set(&t, c.flat, "分值");
		for (int l = 0; l < c.cap - c.level0; l++)
			tbl_set(&t, c.level0 + l, "%s",
				or_dash(p->levels[l].name));
		tbl_set(&t, c.cap, "上限");
		tbl_set(&t, c.article, "依据");
	}
	for (int ci = 0; ci < p->ncategories; ci++) {
		const xf_category *cat = &p->categories[ci];
		category_row(&t, &c, cat);
		for (int i = 0; i < cat->nitems; i++)
			item_row(&t, &c, &p->items[cat->first_item + i]);
	}
	heading(out, sec, "学分计分标准（单位：学分）");
	tbl_print(&t, out, "  ");
	tbl_cleanup(&t);
	fputc('\n', out);
}

static void show_pass(const xf_policy *p, FILE *out)
{
	bool any = false;
	char b[32];
	for (int ci = 0; ci < p->ncategories; ci++) {
		const xf_category *c = &p->categories[ci];
		if (!c->has_pass)
			continue;
		if (!any)
			fprintf(out, "单项合格：\n");
		any = true;
		fprintf(out, "  %s：得分不低于 %s 分", or_dash(c->name),
			num(c->pass_min, b));
		for (int k = 0; k < c->npass_counts; k++) {
			const xf_item *it = &p->items[c->pass_count_items[k]];
			fprintf(out, "，且%s不少于 %s 次", or_dash(it->name),
				num(c->pass_count_min[k], b));
		}
		fputc('\n', out);
	}
	if (any)
		fputc('\n', out);
}

/* Prints one clause of a list: the separator (none before the first),
 * then the text. */
static void clause(FILE *out, const char **sep, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void clause(FILE *out, const char **sep, const char *fmt, ...)
{
	fputs(*sep, out);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	*sep = "；";
}

/* The exclusions of one item, in the words of 不计算学分的情况. */
static void exclusion_text(const xf_policy *p, const xf_item *it, FILE *out)
{
	char b[32];
	const char *sep = "";
	for (int k = 0; k < p->nkinds; k++)
		if ((it->exclude & XF_EX_KIND) &&
		    (it->exclude_kinds & (1u << k)))
			clause(out, &sep, "%s", known_name(p->kinds[k]));
	if (it->exclude & XF_EX_MIN_MINUTES)
		clause(out, &sep, "学习时间不足 %s 分钟", num(it->min_minutes, b));
	if (it->exclude & XF_EX_MIN_SCORE)
		clause(out, &sep, "考试或考核成绩低于 %s 分", num(it->min_score, b));
	if (it->exclude & XF_EX_NOT_PASSED)
		clause(out, &sep, "考核不合格或未获得结业证书");
	if (it->exclude & XF_EX_UNLESS_PASSED)
		clause(out, &sep, "未考试合格");
	if (it->exclude & XF_EX_HALF_ATTENDED)
		clause(out, &sep, "听课时间未达到课程时间一半");
	if (it->exclude & XF_EX_NOT_COMPLETED)
		clause(out, &sep, "课程未完成");
	if (it->exclude & XF_EX_ONLINE_INCOMPLETE)
		clause(out, &sep, "网络学习未完成相应时长");
	if (it->exclude & XF_EX_MIN_UNITS)
		clause(out, &sep, "%s数不足 %s", per_noun(it->per),
		       num(it->min_units, b));
}

/* Whether an item has anything to say beyond its row in the table. */
static bool item_has_notes(const xf_item *it)
{
	return it->per == XF_PER_SESSION || it->per == XF_PER_YEAR ||
	       it->per == XF_PER_METRIC || !isnan(it->speaker_points) ||
	       it->awarded_multiplier != 1 || it->exclude != XF_EX_NOT_APPROVED;
}

static void item_notes(const xf_policy *p, const xf_item *it, FILE *out)
{
	char b[32], b2[32], b3[32];
	const char *sep = "";
	fprintf(out, "  %s（%s）：", or_dash(it->name), or_dash(it->key));
	if (it->per == XF_PER_SESSION)
		clause(out, &sep, "连续%d天以内计一次，网上学习按总课程计一次",
		       it->session_days);
	if (it->per == XF_PER_YEAR)
		clause(out, &sep, "全年有记录即计 %s 分，只计一次",
		       num(it->points, b));
	if (it->per == XF_PER_METRIC)
		clause(out, &sep, "%s每月增量超过 %s 的，以 %s 为基础，每多 %s 得 "
		       "%s 分", it->metric >= 0 ?
		       known_name(p->metrics[it->metric]) : "?",
		       num(it->step_above, b), b, num(it->step_size, b2),
		       num(it->points, b3));
	if (!isnan(it->speaker_points))
		clause(out, &sep, "发言人员每次 %s 分",
		       num(it->speaker_points, b));
	if (it->awarded_multiplier != 1)
		clause(out, &sep, "获奖文章按 %s 倍计算",
		       num(it->awarded_multiplier, b));
	if (it->exclude != XF_EX_NOT_APPROVED) {
		clause(out, &sep, "不计算学分的情况：");
		exclusion_text(p, it, out);
	}
	fprintf(out, "。\n");
}

static void show_item_notes(const xf_policy *p, FILE *out)
{
	if (p->nitems == 0)
		return;
	fprintf(out, "计分说明及不计算学分的情况：\n");
	for (int i = 0; i < p->nitems; i++)
		if (item_has_notes(&p->items[i]))
			item_notes(p, &p->items[i], out);
	fprintf(out, "  凡未按规定程序批准的，一律不计算学分。\n");
	fprintf(out, "  同一活动（activity）在同一项目中只按最高分值计一次。\n\n");
}

static void show_requirement(const xf_policy *p, FILE *out, int *sec)
{
	char b[32];
	if (!p->has_required)
		return;
	heading(out, sec, "应修学分");
	if (p->nroles > 0) {
		tbl t;
		tbl_init(&t, 3);
		t.right[2] = true;
		if (tbl_row(&t)) {
			tbl_set(&t, 0, "人员类别");
			tbl_set(&t, 1, "编号");
			tbl_set(&t, 2, "应修学分（分/年）");
		}
		for (int i = 0; i < p->nroles; i++) {
			if (!tbl_row(&t))
				break;
			tbl_set(&t, 0, "%s", or_dash(p->roles[i].name));
			tbl_set(&t, 1, "%s", or_dash(p->roles[i].key));
			tbl_set(&t, 2, "%s", num(p->roles[i].required, b));
		}
		tbl_print(&t, out, "  ");
		tbl_cleanup(&t);
	} else {
		fprintf(out, "  每人每年应修 %s 学分\n", num(p->required, b));
	}
	for (int i = 0; i < p->nrequire_items; i++)
		fprintf(out, "  其中%s不少于 %s 学分\n",
			or_dash(p->items[p->require_items[i]].name),
			num(p->require_item_min[i], b));
	if (p->prorate)
		fprintf(out, "  按计算月数折算：应修学分 × 计算月数 / 12\n");
	fputc('\n', out);
}

static void show_months(const xf_policy *p, FILE *out)
{
	char list[128];
	fprintf(out, "计算月数：全年12个月；年内参加工作（任职）的，自%s起计算",
		p->join_rule == XF_JOIN_NEXT_MONTH ? "次月" : "当月");
	period_list(p->uncounted_periods, list, sizeof(list));
	if (list[0] != '\0')
		fprintf(out, "；%s期间的月数不计算（参加学分管理的挂职借调）", list);
	fprintf(out, "。\n\n");
}

static void exempt_condition(const xf_policy *p, const xf_exempt_rule *r,
			     FILE *out)
{
	char list[128];
	period_list(r->period_kinds, list, sizeof(list));
	switch (r->when) {
	case XF_EXEMPT_PERIOD_MONTHS_OVER:
		fprintf(out, "%s累计超过%d个月", list, r->months);
		break;
	case XF_EXEMPT_PERIOD_MONTHS_AT_LEAST:
		fprintf(out, "%s累计%d个月以上（含）", list, r->months);
		break;
	case XF_EXEMPT_NOT_PARTICIPATING:
		fprintf(out, "挂职借调且不参加学分管理");
		break;
	case XF_EXEMPT_FLAG:
		fprintf(out, "标记为“%s”",
			r->flag >= 0 ? or_dash(p->flags[r->flag].name) : "?");
		break;
	case XF_EXEMPT_NEW_MONTHS_BELOW:
		fprintf(out, "年内新任职，计算月数不足%d个月", r->months);
		break;
	}
}

static void show_exempt(const xf_policy *p, FILE *out)
{
	if (p->nexempt == 0)
		return;
	fprintf(out, "不参加当年考核（学分管理）的情况（按顺序判断）：\n");
	for (int i = 0; i < p->nexempt; i++) {
		const xf_exempt_rule *r = &p->exempt[i];
		fprintf(out, "  %d. %s（%s）：", i + 1, or_dash(r->name),
			or_dash(r->reason));
		exempt_condition(p, r, out);
		if (r->article)
			fprintf(out, "　依据：%s", r->article);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void show_annualise(const xf_policy *p, FILE *out);

/* Counted months, exemptions and annualisation: who is assessed and over
 * which months. */
static void show_scope(const xf_policy *p, FILE *out, int *sec)
{
	if (!p->prorate && !p->annualise && p->nexempt == 0)
		return;
	heading(out, sec, "考核范围与计算月数");
	show_months(p, out);
	show_exempt(p, out);
	show_annualise(p, out);
}

static void show_annualise(const xf_policy *p, FILE *out)
{
	char b[32], b2[32];
	if (!p->annualise)
		return;
	fprintf(out, "折算：年内新任职且未免考核的，最终学分 = min(%s, 总分 × %s ÷ "
		"(%s × 计算月数))\n\n", num(p->annualise_full, b),
		num(p->annualise_full, b), num(p->annualise_per_month, b2));
}

static void show_grades(const xf_policy *p, FILE *out, int *sec)
{
	char b[32], b2[32];
	if (p->ngrades == 0)
		return;
	heading(out, sec, "考核等级（按最终学分）");
	tbl t;
	tbl_init(&t, 3);
	if (tbl_row(&t)) {
		tbl_set(&t, 0, "等级");
		tbl_set(&t, 1, "编号");
		tbl_set(&t, 2, "最终学分");
	}
	for (int i = 0; i < p->ngrades; i++) {
		const xf_grade_band *g = &p->grades[i];
		if (!tbl_row(&t))
			break;
		tbl_set(&t, 0, "%s", or_dash(g->name));
		tbl_set(&t, 1, "%s", or_dash(g->key));
		if (i == 0)
			tbl_set(&t, 2, "%s 分及以上", num(g->min, b));
		else
			tbl_set(&t, 2, "%s 分至不足 %s 分", num(g->min, b),
				num(p->grades[i - 1].min, b2));
	}
	tbl_print(&t, out, "  ");
	tbl_cleanup(&t);
	if (p->fail_grade >= 0 && (p->veto_flags || p->veto_unpassed)) {
		fprintf(out, "  直接记为%s：",
			or_dash(p->grades[p->fail_grade].name));
		const char *sep = "";
		for (int f = 0; f < p->nflags; f++)
			if (p->veto_flags & (1u << f))
				clause(out, &sep, "%s",
				       or_dash(p->flags[f].name));
		for (int c = 0; c < p->ncategories; c++)
			if (p->veto_unpassed & (1u << c))
				clause(out, &sep, "%s未达到单项合格",
				       or_dash(p->categories[c].name));
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void show_result_flags(const xf_policy *p, FILE *out)
{
	char b[32];
	if (p->nresult_flags == 0)
		return;
	fprintf(out, "结果标记：\n");
	for (int i = 0; i < p->nresult_flags; i++) {
		const xf_result_flag *f = &p->result_flags[i];
		fprintf(out, "  %s（%s）：", or_dash(f->name), or_dash(f->key));
		const char *grade = f->grade >= 0 ?
			or_dash(p->grades[f->grade].name) : "?";
		if (f->when == XF_RFLAG_GRADE_STREAK)
			fprintf(out, "连续%d年考核等级为%s", f->years + 1, grade);
		else
			fprintf(out, "总分达到 %s 分及以上", num(f->min_total, b));
		if (f->article)
			fprintf(out, "　依据：%s", f->article);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void show_award_outputs(const xf_policy *p, FILE *out)
{
	char b[32];
	if (p->has_award)
		fprintf(out, "评优：优秀学员不超过参与（未免考核）人数的 %s%%%s，"
			"按总分从高到低；同分超出名额的均不列入。\n\n",
			num(p->award_quota * 100, b),
			p->award_needs_met ? "，须达到应修学分" : "");
	if (p->nitem_outputs == 0)
		return;
	fprintf(out, "单列输出：\n");
	for (int i = 0; i < p->nitem_outputs; i++) {
		const xf_item_output *o = &p->item_outputs[i];
		fprintf(out, "  %s = %s（%s）\n", or_dash(o->key),
			o->item >= 0 ? or_dash(p->items[o->item].name) : "?",
			o->item >= 0 ? or_dash(p->items[o->item].key) : "?");
	}
	fputc('\n', out);
}

static void show_growth(const xf_policy *p, FILE *out, int *sec)
{
	char b[32];
	if (!p->has_growth)
		return;
	heading(out, sec, "成长积分");
	fprintf(out, "成长积分（%s）= 年度内%s每月增量之和\n",
		or_dash(p->growth_key),
		p->growth_metric >= 0 ? known_name(p->metrics[p->growth_metric])
				      : "?");
	for (int i = 0; i < p->ngrowth_flags; i++)
		fprintf(out, "  %s（%s）：成长积分达到 %s 分\n",
			or_dash(p->growth_flags[i].name),
			or_dash(p->growth_flags[i].key),
			num(p->growth_flags[i].min, b));
	if (p->has_groups) {
		const char *g = or_dash(p->group_name);
		fprintf(out, "按%s汇总：人数、积分合计、平均积分", g);
		if (p->bottom_n > 0)
			fprintf(out, "；每季度各%s积分排名倒数后%d名", g,
				p->bottom_n);
		if (p->best_group)
			fprintf(out, "；平均积分最高的%s为最佳组织", g);
		fprintf(out, "。\n");
	}
	fputc('\n', out);
}

static void show_scorecard(const xf_policy *p, FILE *out, int *sec)
{
	char b[32];
	if (p->nsections == 0)
		return;
	heading(out, sec, "考核细则（评分表）");
	tbl t;
	tbl_init(&t, 3);
	t.right[2] = true;
	if (tbl_row(&t)) {
		tbl_set(&t, 0, "目标标准与内容");
		tbl_set(&t, 1, "编号");
		tbl_set(&t, 2, "分值");
	}
	double total = 0;
	for (int s = 0; s < p->nsections; s++) {
		const xf_section *sc = &p->sections[s];
		total += sc->max;
		if (tbl_row(&t)) {
			tbl_set(&t, 0, "%s（%s分）", or_dash(sc->name),
				num(sc->max, b));
			tbl_set(&t, 1, "%s", or_dash(sc->key));
		}
		int k = 0;
		for (int i = 0; i < p->nlines; i++) {
			const xf_line *ln = &p->lines[i];
			if (ln->section != s || !tbl_row(&t))
				continue;
			tbl_set(&t, 0, "  %d. %s", ++k, or_dash(ln->name));
			tbl_set(&t, 1, "%s", or_dash(ln->key));
			tbl_set(&t, 2, "%s", num(ln->max, b));
		}
	}
	if (tbl_row(&t)) {
		tbl_set(&t, 0, "合计");
		tbl_set(&t, 2, "%s", num(total, b));
	}
	tbl_print(&t, out, "  ");
	tbl_cleanup(&t);
	fprintf(out, "  自评分、考评分均在 0 至该项分值之间；总分为考评分之和。\n\n");
}

static void show_flags(const xf_policy *p, FILE *out, int *sec)
{
	if (p->nflags == 0)
		return;
	heading(out, sec, "人员标记（flags）");
	for (int i = 0; i < p->nflags; i++)
		fprintf(out, "  %s：%s\n", or_dash(p->flags[i].key),
			or_dash(p->flags[i].name));
	fputc('\n', out);
}

/* Result flags, awards and extra outputs: what the result is used for. */
static void show_results(const xf_policy *p, FILE *out, int *sec)
{
	if (p->nresult_flags == 0 && !p->has_award && p->nitem_outputs == 0)
		return;
	heading(out, sec, "结果运用");
	show_result_flags(p, out);
	show_award_outputs(p, out);
}

void xf_policy_show(const xf_policy *p, FILE *out)
{
	if (p == NULL || out == NULL)
		return;
	fprintf(out, "%s\n", or_dash(p->title));
	fprintf(out, "编号：%s", or_dash(p->id));
	if (p->source)
		fprintf(out, "　来源：%s", p->source);
	fprintf(out, "\n\n");
	int sec = 0;
	show_scoring(p, out, &sec);
	show_pass(p, out);
	show_item_notes(p, out);
	show_requirement(p, out, &sec);
	show_scope(p, out, &sec);
	show_grades(p, out, &sec);
	show_scorecard(p, out, &sec);
	show_growth(p, out, &sec);
	show_results(p, out, &sec);
	show_flags(p, out, &sec);
}
