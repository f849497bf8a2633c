/* calendar: China's official working-day calendar (weekdays, public
 * holidays and 调休 make-up working days) and the working-day count of a
 * 公示 window. Pure: the year files are parsed from memory. */
#include "core/calendar.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

enum { DAY_PLAIN = 0, DAY_HOLIDAY = 1, DAY_WORKDAY = 2 };

#define YEAR_MIN 1900 /* the range of xf_date_parse */
#define YEAR_MAX 2999
#define SHOW_MAX 40   /* longest field quoted back in a message, bytes */

/* One loaded year: the kind of each day (by day of the year, 0-based) and,
 * while a file is parsed, the line that listed it. */
struct year {
	int year;
	bool clash_reported; /* staging: "already loaded" said once */
	uint8_t kind[366];
	uint32_t line[366];
};

struct xf_calendar {
	struct year *years; /* ascending by year */
	size_t n, cap;
};

static bool date_valid(xf_date d)
{
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), day = XF_DATE_DAY(d);
	return d > 0 && y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 &&
	       day >= 1 && day <= xf_days_in_month(y, m);
}

/* 0-based day of the year of a valid date. */
static int day_of_year(xf_date d)
{
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), doy = XF_DATE_DAY(d) - 1;
	for (int i = 1; i < m; i++)
		doy += xf_days_in_month(y, i);
	return doy;
}

/* Day of the week of a valid date, 0 = Sunday .. 6 = Saturday
 * (Sakamoto's method, proleptic Gregorian). */
static int weekday(xf_date d)
{
	static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), day = XF_DATE_DAY(d);
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + day) % 7;
}

static struct year *year_find(const xf_calendar *c, int y)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->years[mid].year == y)
			return &c->years[mid];
		if (c->years[mid].year < y)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Adds an empty year y (not present yet) in order. Returns it, or NULL when
 * out of memory. Pointers into c->years are invalid afterwards. */
static struct year *year_add(xf_calendar *c, int y)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct year *p = realloc(c->years, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		c->years = p;
		c->cap = cap;
	}
	size_t i = c->n;
	while (i > 0 && c->years[i - 1].year > y)
		i--;
	memmove(&c->years[i + 1], &c->years[i], (c->n - i) * sizeof(c->years[0]));
	memset(&c->years[i], 0, sizeof(c->years[i]));
	c->years[i].year = y;
	c->n++;
	return &c->years[i];
}

xf_calendar *xf_calendar_new(void)
{
	return calloc(1, sizeof(xf_calendar));
}

void xf_calendar_free(xf_calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->years);
	free(cal);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether s[0..n) is valid UTF-8 with no control character. */
static bool text_ok(const char *s, size_t n)
{
	if (xf_utf8_invalid_at(s, n) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
	return true;
}

/* The field s[0..n) quoted for a message ("“2025-13-01”"), or "" when it
 * is too long or not printable text, so that a message never carries
 * arbitrary bytes. */
static const char *shown(const char *s, size_t n, char *buf, size_t cap)
{
	if (n > SHOW_MAX || cap < n + 7 || !text_ok(s, n))
		return "";
	memcpy(buf, "“", 3);
	memcpy(buf + 3, s, n);
	memcpy(buf + 3 + n, "”", 3);
	buf[n + 6] = '\0';
	return buf;
}

static const char *kind_name(int kind)
{
	return kind == DAY_HOLIDAY ? "放假日 (holiday)" : "调休上班日 (workday)";
}

struct parse {
	xf_calendar *cal;   /* what is loaded already */
	xf_calendar stage;  /* this file's days, added only when all is well */
	const char *name;
	xf_errs *errs;
	bool oom;
};

static void line_err(struct parse *p, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line_err(struct parse *p, size_t lineno, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xf_errs_add(p->errs, "%s:%zu: %s", p->name, lineno, msg);
}

/* Checks one line s[0..n) (no line end) and stages its day. Problems are
 * reported in p->errs; only running out of memory stops the parse (p->oom). */
static void parse_line(struct parse *p, const char *s, size_t n, size_t lineno)
{
	char q[SHOW_MAX + 8];
	size_t i = 0;
	while (i < n && blank(s[i]))
		i++;
	while (n > i && blank(s[n - 1]))
		n--;
	if (i == n || s[i] == '#')
		return;

	const char *f_date = s + i;
	size_t n_date = 0;
	while (i < n && !blank(s[i])) {
		i++;
		n_date++;
	}
	while (i < n && blank(s[i]))
		i++;
	const char *f_kind = s + i;
	size_t n_kind = 0;
	while (i < n && !blank(s[i])) {
		i++;
		n_kind++;
	}
	while (i < n && blank(s[i]))
		i++;
	const char *f_name = s + i;
	size_t n_name = n - i;

	char dbuf[11];
	xf_date d = 0;
	bool date_ok = n_date == 10;
	if (date_ok) {
		memcpy(dbuf, f_date, 10);
		dbuf[10] = '\0';
		date_ok = memchr(dbuf, '\0', 10) == NULL && xf_date_parse(dbuf, &d) == 0;
	}
	if (!date_ok) {
		line_err(p, lineno, "日期%s无效，应为 YYYY-MM-DD 格式的真实日期 (bad date)",
			 shown(f_date, n_date, q, sizeof(q)));
		return;
	}
	int kind;
	if (n_kind == 0) {
		line_err(p, lineno, "日期 %s 后缺少类型，应为 holiday（放假）或 workday（调休上班） (missing kind)",
			 dbuf);
		return;
	} else if (n_kind == 7 && memcmp(f_kind, "holiday", 7) == 0) {
		kind = DAY_HOLIDAY;
	} else if (n_kind == 7 && memcmp(f_kind, "workday", 7) == 0) {
		kind = DAY_WORKDAY;
	} else {
		line_err(p, lineno, "类型%s未知，应为 holiday（放假）或 workday（调休上班） (unknown kind)",
			 shown(f_kind, n_kind, q, sizeof(q)));
		return;
	}
	if (n_name == 0) {
		line_err(p, lineno, "日期 %s 缺少名称（如 国庆节） (missing name)", dbuf);
		return;
	}
	if (!text_ok(f_name, n_name)) {
		line_err(p, lineno, "名称不是有效的 UTF-8 文本或含有控制字符 (bad name)");
		return;
	}
	int y = XF_DATE_YEAR(d);
	struct year *st = year_find(&p->stage, y);
	if (st == NULL) {
		st = year_add(&p->stage, y);
		if (st == NULL) {
			p->oom = true;
			return;
		}
	}
	if (year_find(p->cal, y) != NULL && !st->clash_reported) {
		st->clash_reported = true;
		line_err(p, lineno, "%d 年的节假日安排已经载入，不能再次载入 (year already loaded)", y);
	}
	int doy = day_of_year(d);
	if (st->kind[doy] == kind) {
		line_err(p, lineno, "日期 %s 重复，第 %lu 行已列出 (date given twice)", dbuf,
			 (unsigned long)st->line[doy]);
		return;
	}
	if (st->kind[doy] != DAY_PLAIN) {
		line_err(p, lineno, "日期 %s 在第 %lu 行已列为%s，不能又列为%s (date given as both kinds)",
			 dbuf, (unsigned long)st->line[doy], kind_name(st->kind[doy]),
			 kind_name(kind));
		return;
	}
	int wd = weekday(d);
	if (kind == DAY_WORKDAY && wd >= 1 && wd <= 5) {
		static const char *const names[7] = {"日", "一", "二", "三", "四", "五", "六"};
		line_err(p, lineno, "调休上班日 %s 是星期%s，本来就是工作日 (workday on a weekday)",
			 dbuf, names[wd]);
		return;
	}
	st->kind[doy] = (uint8_t)kind;
	st->line[doy] = lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)lineno;
}

int xf_calendar_load(xf_calendar *cal, const char *text, size_t len,
		     const char *name, xf_errs *errs)
{
	struct parse p = {.cal = cal, .name = name ? name : "", .errs = errs};
	size_t before = xf_errs_count(errs);
	size_t pos = 0, lineno = 0;
	int rc = -1;

	if (text == NULL)
		len = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a UTF-8 byte order mark */
	while (pos < len && !p.oom) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		parse_line(&p, line, n, lineno);
	}
	if (p.oom) {
		xf_errs_add(errs, "%s: 内存不足 (out of memory)", p.name);
		errs->internal = true;
		goto out;
	}
	if (xf_errs_count(errs) != before)
		goto out;
	if (p.stage.n == 0) {
		xf_errs_add(errs, "%s: 文件中没有任何日期行（YYYY-MM-DD holiday|workday 名称） (no dates)",
			    p.name);
		goto out;
	}

	/* Merge both ascending lists into one new array, so that the
	 * calendar changes all at once or not at all. */
	size_t total = cal->n + p.stage.n;
	struct year *merged = malloc(total * sizeof(*merged));
	if (merged == NULL) {
		xf_errs_add(errs, "%s: 内存不足 (out of memory)", p.name);
		errs->internal = true;
		goto out;
	}
	size_t a = 0, b = 0;
	for (size_t k = 0; k < total; k++) {
		if (b == p.stage.n || (a < cal->n && cal->years[a].year < p.stage.years[b].year))
			merged[k] = cal->years[a++];
		else
			merged[k] = p.stage.years[b++];
	}
	free(cal->years);
	cal->years = merged;
	cal->n = cal->cap = total;
	rc = 0;
out:
	free(p.stage.years);
	return rc;
}

size_t xf_calendar_years(const xf_calendar *cal, int *years, size_t cap)
{
	for (size_t i = 0; i < cal->n && i < cap; i++)
		years[i] = cal->years[i].year;
	return cal->n;
}

/* Whether a valid date in loaded year y is a working day. */
static bool workday_in(const struct year *y, xf_date d)
{
	int kind = y->kind[day_of_year(d)];
	if (kind != DAY_PLAIN)
		return kind == DAY_WORKDAY;
	int wd = weekday(d);
	return wd >= 1 && wd <= 5;
}

bool xf_calendar_is_workday(const xf_calendar *cal, xf_date date, bool *known)
{
	const struct year *y = date_valid(date) ? year_find(cal, XF_DATE_YEAR(date)) : NULL;
	if (known)
		*known = y != NULL;
	return y != NULL && workday_in(y, date);
}

int xf_calendar_window_end(const xf_calendar *cal, xf_date start, int n,
			   xf_date *end, xf_errs *errs)
{
	char sbuf[11];
	if (!date_valid(start)) {
		xf_errs_add(errs, "公示开始日期无效 (%ld) (bad start date)", (long)start);
		return -1;
	}
	if (n < 1) {
		xf_errs_add(errs, "公示工作日数必须至少为 1，现为 %d (bad number of days)", n);
		return -1;
	}
	int count = 0;
	for (xf_date d = start;; d = xf_date_next(d)) {
		const struct year *y = year_find(cal, XF_DATE_YEAR(d));
		if (y == NULL) {
			xf_errs_add(errs, "%d 年的法定节假日安排未载入，无法计算自 %s 起 %d 个工作日的公示期 (year not loaded)",
				    XF_DATE_YEAR(d), xf_date_text(start, sbuf), n);
			return -1;
		}
		if (workday_in(y, d) && ++count == n) {
			*end = d;
			return 0;
		}
	}
}
