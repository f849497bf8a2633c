/* calendars: the working-day calendar in force — the stored rows of table
 * `calendars` over the shipped files compiled into the binary — and the
 * audited loading of a year's file (see calendars.h). */
#include "service/calendars.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/num.h"
#include "core/utf8.h"
#include "io/jsonw.h"
#include "store/query.h"

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)
#define YEARS_MAX 64 /* years one calendar file may cover, for the check */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

/* s with what JSON would have to escape left out (control characters,
 * quotes, backslashes), cut to whole UTF-8 characters within size bytes:
 * for names put into audit rows' JSON text. Returns out. */
static const char *json_safe(const char *s, char *out, size_t size)
{
	size_t k = 0, n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t c = xf_utf8_char_len((const unsigned char *)s + i, n - i);
		if (c == 0)
			break;
		if (k + c + 1 > size)
			break;
		unsigned char ch = (unsigned char)s[i];
		if (c > 1 || (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)) {
			memcpy(out + k, s + i, c);
			k += c;
		}
		i += c;
	}
	out[k] = '\0';
	return out;
}

/* The year of a shipped file, from its name "cn-YYYY.txt"; 0 if none. */
static int shipped_year(const char *id)
{
	if (strncmp(id, "cn-", 3) != 0 || strlen(id) != 11 || strcmp(id + 7, ".txt") != 0)
		return 0;
	int y = 0;
	for (int i = 3; i < 7; i++) {
		if (id[i] < '0' || id[i] > '9')
			return 0;
		y = y * 10 + (id[i] - '0');
	}
	return y;
}

static const xf_builtin_policy *shipped_of(int year)
{
	for (size_t i = 0; i < xf_builtin_calendar_count; i++)
		if (shipped_year(xf_builtin_calendars[i].id) == year)
			return &xf_builtin_calendars[i];
	return NULL;
}

/* Counts the holiday and workday lines of a text that loaded (so every
 * line that is not blank or a comment is "DATE KIND NAME"). */
static void count_kinds(const char *text, size_t len, int *holidays, int *workdays)
{
	*holidays = *workdays = 0;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		const char *l = text + i;
		size_t n = end - i;
		/* "YYYY-MM-DD" then blanks then the kind */
		size_t k = 10;
		while (k < n && (l[k] == ' ' || l[k] == '\t'))
			k++;
		if (n > 10 && l[0] != '#' && k + 7 <= n) {
			if (memcmp(l + k, "holiday", 7) == 0)
				(*holidays)++;
			else if (memcmp(l + k, "workday", 7) == 0)
				(*workdays)++;
		}
		i = end + 1;
	}
}

int xf_calendars_load(xf_store *s, xf_calendar **out, xf_errs *errs)
{
	int rc = -1;
	int stored[YEARS_MAX * 4];
	size_t nstored = 0;
	*out = NULL;
	xf_calendar *cal = xf_calendar_new();
	if (cal == NULL) {
		oom(errs);
		return -1;
	}
	xf_stmt *st = xf_stmt_prepare(s, "SELECT year, text FROM calendars ORDER BY year", errs);
	if (st == NULL)
		goto fail;
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		const char *text = xf_stmt_text(st, 1);
		char name[32];
		snprintf(name, sizeof(name), "calendars[%lld]", xf_stmt_int(st, 0));
		if (text == NULL || xf_calendar_load(cal, text, strlen(text), name, errs) != 0) {
			xf_errs_add(errs, "数据库中 %lld 年的工作日历无法载入 (stored calendar does not load)",
				    xf_stmt_int(st, 0));
			errs->internal = true;
			goto fail;
		}
		if (nstored < sizeof(stored) / sizeof(stored[0]))
			stored[nstored++] = (int)xf_stmt_int(st, 0);
	}
	if (r == XF_STEP_ERROR) {
		errs->internal = true;
		goto fail;
	}
	for (size_t i = 0; i < xf_builtin_calendar_count; i++) {
		const xf_builtin_policy *b = &xf_builtin_calendars[i];
		int y = shipped_year(b->id);
		bool have = false;
		for (size_t k = 0; k < nstored && !have; k++)
			have = stored[k] == y;
		if (have)
			continue;
		if (xf_calendar_load(cal, b->text, b->len, b->id, errs) != 0) {
			errs->internal = true;
			goto fail;
		}
	}
	*out = cal;
	cal = NULL;
	rc = 0;
fail:
	xf_stmt_finalize(st);
	xf_calendar_free(cal);
	return rc;
}

int xf_calendars_put(xf_store *s, int year, const char *text, size_t len, const char *name,
		     const char *actor, int *loaded_year, xf_errs *errs)
{
	int years[YEARS_MAX];
	char *copy = NULL, *before = NULL;
	bool in_tx = false;
	int rc = -1;
	xf_calendar *cal = NULL;

	if (name == NULL || *name == '\0')
		name = "calendar.txt";
	if (len == 0) {
		xf_errs_add(errs, "%s: 文件为空 (empty file)", name);
		return -1;
	}
	if (len > XF_CALENDAR_FILE_MAX) {
		xf_errs_add(errs, "%s: 文件超过 %zu 字节，不是工作日历文件 (file too large)", name,
			    XF_CALENDAR_FILE_MAX);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL || xf_utf8_invalid_at(text, len) != len) {
		xf_errs_add(errs, "%s: 文件应为 UTF-8 文本 (UTF-8 text expected)", name);
		return -1;
	}
	if (year != 0 && (year < 1900 || year > 2999)) {
		xf_errs_add(errs, "年度 %d 无效 (bad year)", year);
		return -1;
	}
	cal = xf_calendar_new();
	if (cal == NULL) {
		oom(errs);
		return -1;
	}
	if (xf_calendar_load(cal, text, len, name, errs) != 0)
		goto out;
	size_t ny = xf_calendar_years(cal, years, YEARS_MAX);
	if (ny != 1 || (year != 0 && years[0] != year)) {
		if (year != 0)
			xf_errs_add(errs, "%s: 文件中的日期应都在 %d 年内，现有 %d 年%s (the file must cover "
				    "exactly the year %d)",
				    name, year, years[0], ny > 1 ? "等多个年份" : "", year);
		else
			xf_errs_add(errs, "%s: 一个文件只能是一个年度的日历，现有 %zu 个年份 (one year per "
				    "file)", name, ny);
		goto out;
	}
	year = years[0];
	copy = malloc(len + 1);
	if (copy == NULL) {
		oom(errs);
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';

	int holidays, workdays;
	count_kinds(text, len, &holidays, &workdays);
	if (xf_store_begin(s, errs) != 0)
		goto internal;
	in_tx = true;
	char *old_by = NULL;
	long long old_at = 0;
	int f = xf_query_row(s, "SELECT loaded_by, loaded_at FROM calendars WHERE year = $1", errs,
			     BIND_FAILED, XF_IN(year), XF_OUT(&old_by), XF_OUT(&old_at));
	if (f < 0)
		goto internal;
	char buf[512], safe_by[80];
	if (f == 0)
		snprintf(buf, sizeof(buf),
			 "{\"year\": %d, \"source\": \"loaded\", \"loaded_by\": \"%s\","
			 " \"loaded_at\": %lld}",
			 year, json_safe(old_by ? old_by : "", safe_by, sizeof(safe_by)), old_at);
	else
		snprintf(buf, sizeof(buf), "{\"year\": %d, \"source\": \"%s\"}", year,
			 shipped_of(year) ? "shipped" : "none");
	free(old_by);
	before = strdup(buf);
	if (before == NULL) {
		oom(errs);
		goto out;
	}
	long long now = (long long)xf_clock_now();
	if (xf_query_exec(s,
			  "INSERT INTO calendars (year, text, loaded_at, loaded_by) VALUES ($1, $2, $3, $4)"
			  " ON CONFLICT (year) DO UPDATE SET text = excluded.text,"
			  " loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
			  errs, BIND_FAILED, XF_IN(year), XF_IN(copy), XF_IN(now), XF_IN(actor)) != 0)
		goto internal;
	char safe[128];
	json_safe(name, safe, sizeof(safe));
	snprintf(buf, sizeof(buf),
		 "{\"year\": %d, \"file\": \"%s\", \"holidays\": %d, \"workdays\": %d}", year, safe,
		 holidays, workdays);
	char object[32];
	snprintf(object, sizeof(object), "calendar:%d", year);
	xf_audit_entry e = {.actor = actor, .action = "calendar.load", .object = object,
			    .before = before, .after = buf};
	if (xf_store_audit(s, &e, errs) != 0 || xf_store_commit(s, errs) != 0)
		goto internal;
	in_tx = false;
	if (loaded_year)
		*loaded_year = year;
	rc = 0;
	goto out;
internal:
	errs->internal = true;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_calendar_free(cal);
	free(copy);
	free(before);
	return rc;
}

static int year_cmp(const void *a, const void *b)
{
	const xf_calendar_year *x = a, *y = b;
	return (x->year > y->year) - (x->year < y->year);
}

/* A new zeroed entry at the end of *v (cnt used of cap, doubled when
 * full); NULL when out of memory. */
static xf_calendar_year *year_add(xf_calendar_year **v, size_t *cap, size_t *cnt)
{
	if (*cnt == *cap) {
		xf_calendar_year *nv = realloc(*v, *cap * 2 * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		*v = nv;
		*cap *= 2;
	}
	xf_calendar_year *y = &(*v)[(*cnt)++];
	memset(y, 0, sizeof(*y));
	return y;
}

int xf_calendars_years(xf_store *s, xf_calendar_year **out, size_t *n, xf_errs *errs)
{
	size_t cap = xf_builtin_calendar_count + 8, cnt = 0;
	xf_calendar_year *v = calloc(cap, sizeof(*v));
	*out = NULL;
	*n = 0;
	if (v == NULL) {
		oom(errs);
		return -1;
	}
	xf_stmt *st = xf_stmt_prepare(s, "SELECT year, text, loaded_by, loaded_at FROM calendars"
					 " ORDER BY year", errs);
	if (st == NULL)
		goto fail;
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_calendar_year *y = year_add(&v, &cap, &cnt);
		if (y == NULL) {
			oom(errs);
			goto fail;
		}
		y->year = (int)xf_stmt_int(st, 0);
		y->loaded = true;
		y->shipped = shipped_of(y->year) != NULL;
		const char *text = xf_stmt_text(st, 1);
		if (text)
			count_kinds(text, strlen(text), &y->holidays, &y->workdays);
		snprintf(y->loaded_by, sizeof(y->loaded_by), "%s",
			 xf_stmt_text(st, 2) ? xf_stmt_text(st, 2) : "");
		y->loaded_at = xf_stmt_int(st, 3);
	}
	if (r == XF_STEP_ERROR) {
		errs->internal = true;
		goto fail;
	}
	xf_stmt_finalize(st);
	st = NULL;
	size_t nrows = cnt;
	for (size_t i = 0; i < xf_builtin_calendar_count; i++) {
		const xf_builtin_policy *b = &xf_builtin_calendars[i];
		int year = shipped_year(b->id);
		bool have = false;
		for (size_t k = 0; k < nrows && !have; k++)
			have = v[k].year == year;
		if (have || year == 0)
			continue;
		xf_calendar_year *y = year_add(&v, &cap, &cnt);
		if (y == NULL) {
			oom(errs);
			goto fail;
		}
		y->year = year;
		y->shipped = true;
		count_kinds(b->text, b->len, &y->holidays, &y->workdays);
	}
	qsort(v, cnt, sizeof(*v), year_cmp);
	*out = v;
	*n = cnt;
	return 0;
fail:
	xf_stmt_finalize(st);
	free(v);
	return -1;
}

int xf_calendars_list_json(xf_store *s, FILE *f, xf_errs *errs)
{
	xf_calendar_year *v;
	size_t n;
	if (xf_calendars_years(s, &v, &n, errs) != 0)
		return -1;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_key(&w, "years");
	xf_jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "year", v[i].year);
		xf_jw_kstr(&w, "source", v[i].loaded ? "loaded" : "shipped");
		xf_jw_kbool(&w, "shipped", v[i].shipped);
		if (v[i].loaded) {
			char at[32];
			time_t t = (time_t)v[i].loaded_at;
			struct tm tm;
			if (gmtime_r(&t, &tm) == NULL || strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
				at[0] = '\0';
			xf_jw_kstr(&w, "loaded_by", v[i].loaded_by);
			xf_jw_kstr(&w, "loaded_at", at);
		} else {
			xf_jw_knull(&w, "loaded_by");
			xf_jw_knull(&w, "loaded_at");
		}
		xf_jw_kint(&w, "holidays", v[i].holidays);
		xf_jw_kint(&w, "workdays", v[i].workdays);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	free(v);
	return 0;
}
