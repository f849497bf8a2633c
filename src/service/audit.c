/* audit: reading the audit log for the auditor (see audit.h), filtered,
 * paged, newest first; and writing a row of JSON objects (xf_audit_json).
 *
 * Choices worth knowing:
 *   - Times in audit_log.at are UTC text ("2026-11-23T20:40:12.123Z"), so
 *     the date filters compare text: from "2026-11-23" keeps at >=
 *     "2026-11-23", to "2026-11-23" keeps at < "2026-11-24" (the whole
 *     day), a date-time to keeps at < it. The fixed-width ISO form sorts
 *     the same in every collation.
 *   - An action prefix ("user.") matches with substr(action, 1,
 *     length($n)) = $n, the same on both backends and free of LIKE's
 *     wildcards and SQLite's case folding.
 *   - The WHERE clause is built from fixed fragments only; every value is
 *     bound. The total is a COUNT with the same clause.
 *   - before/after are written as the JSON they hold when it parses, else
 *     as a JSON string (the log accepts any text), so the answer is always
 *     valid JSON. */
#include <cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "io/jsonw.h"
#include "service/audit.h"

#define PER_PAGE_MAX 200
#define PAGE_MAX 1000000000LL
#define FILTER_MAX_BYTES 256   /* actor, action */
#define SHOW_MAX 40            /* bytes of a bad value repeated in a message */
#define NCONDS 5

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" strictly. *date_only says
 * which. 0, or -1. */
static int parse_when(const char *s, bool *date_only)
{
	size_t n = strlen(s);
	char day[11];
	xf_date d;
	if (n != 10 && n != 19)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (xf_date_parse(day, &d) != 0)
		return -1;
	*date_only = n == 10;
	if (n == 10)
		return 0;
	const char *t = s + 10;
	if (t[0] != 'T' || t[3] != ':' || t[6] != ':')
		return -1;
	int lim[3] = {23, 59, 59};
	for (int k = 0; k < 3; k++) {
		char a = t[1 + 3 * k], b = t[2 + 3 * k];
		if (a < '0' || a > '9' || b < '0' || b > '9' || (a - '0') * 10 + (b - '0') > lim[k])
			return -1;
	}
	return 0;
}

/* The day after a valid "YYYY-MM-DD", in out. */
static void next_day(const char *s, char out[16])
{
	xf_date d = 0;
	xf_date_parse(s, &d);
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), day = XF_DATE_DAY(d) + 1;
	if (day > xf_days_in_month(y, m)) {
		day = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, day % 100);
}

/* Writes text as the JSON it holds, or as a string when it is not JSON
 * (NULL: null). Must follow a key. */
static void write_json_text(xf_jw *w, const char *text)
{
	if (text == NULL) {
		xf_jw_null(w);
		return;
	}
	cJSON *v = cJSON_ParseWithOpts(text, NULL, 1);
	if (v == NULL) {
		xf_jw_str(w, text);
		return;
	}
	cJSON_Delete(v);
	/* Valid JSON goes out as stored (numbers exact). */
	xf_jw_raw(w, text);
}

/* Copies at most SHOW_MAX bytes of s for a message, cut at a character
 * boundary. */
static void show(const char *s, char out[SHOW_MAX + 4])
{
	size_t n = strlen(s);
	if (n <= SHOW_MAX) {
		memcpy(out, s, n + 1);
		return;
	}
	n = SHOW_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "...", 4);
}

int xf_audit_list_json(xf_store *s, const xf_audit_filter *flt, FILE *f, xf_errs *errs)
{
	enum { C_ACTOR, C_ACTION, C_PREFIX, C_FROM, C_TO } conds[NCONDS];
	const char *vals[NCONDS];
	size_t nconds = 0;
	char to_day[16], shown[SHOW_MAX + 4];
	bool date_only = false;
	size_t before = xf_errs_count(errs);

	if (flt->page < 1 || flt->page > PAGE_MAX)
		xf_errs_add(errs, "页码 (page) 应为 1 到 %lld 之间的整数", PAGE_MAX);
	if (flt->per_page < 1 || flt->per_page > PER_PAGE_MAX)
		xf_errs_add(errs, "每页条数 (per_page) 应为 1 到 %d 之间的整数", PER_PAGE_MAX);
	if (flt->actor && strlen(flt->actor) > FILTER_MAX_BYTES)
		xf_errs_add(errs, "操作人 (actor) 过长，最多 %d 字节", FILTER_MAX_BYTES);
	if (flt->action && strlen(flt->action) > FILTER_MAX_BYTES)
		xf_errs_add(errs, "操作 (action) 过长，最多 %d 字节", FILTER_MAX_BYTES);
	if (flt->from && parse_when(flt->from, &date_only) != 0) {
		show(flt->from, shown);
		xf_errs_add(errs, "开始时间 (from) 应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS 形式的有效日期：\"%s\"",
			    shown);
	}
	if (flt->to && parse_when(flt->to, &date_only) != 0) {
		show(flt->to, shown);
		xf_errs_add(errs, "结束时间 (to) 应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS 形式的有效日期：\"%s\"",
			    shown);
	}
	if (xf_errs_count(errs) != before)
		return -1;

	if (flt->actor) {
		conds[nconds] = C_ACTOR;
		vals[nconds++] = flt->actor;
	}
	if (flt->action) {
		size_t n = strlen(flt->action);
		conds[nconds] = n > 0 && flt->action[n - 1] == '.' ? C_PREFIX : C_ACTION;
		vals[nconds++] = flt->action;
	}
	if (flt->from) {
		conds[nconds] = C_FROM;
		vals[nconds++] = flt->from;
	}
	if (flt->to) {
		parse_when(flt->to, &date_only);
		if (date_only)
			next_day(flt->to, to_day);
		conds[nconds] = C_TO;
		vals[nconds++] = date_only ? to_day : flt->to;
	}

	/* WHERE from the fragments above, numbered $1..$nconds. */
	char where[512];
	size_t len = 0;
	where[0] = '\0';
	for (size_t i = 0; i < nconds; i++) {
		size_t k = i + 1;
		char frag[96];
		switch (conds[i]) {
		case C_ACTOR: snprintf(frag, sizeof(frag), "actor = $%zu", k); break;
		case C_ACTION: snprintf(frag, sizeof(frag), "action = $%zu", k); break;
		case C_PREFIX:
			snprintf(frag, sizeof(frag), "substr(action, 1, length(CAST($%zu AS TEXT))) = $%zu",
				 k, k);
			break;
		case C_FROM: snprintf(frag, sizeof(frag), "at >= $%zu", k); break;
		case C_TO: snprintf(frag, sizeof(frag), "at < $%zu", k); break;
		}
		len += (size_t)snprintf(where + len, sizeof(where) - len, "%s%s",
					i ? " AND " : " WHERE ", frag);
	}
	char count_sql[640], list_sql[768];
	snprintf(count_sql, sizeof(count_sql), "SELECT count(*) FROM audit_log%s", where);
	snprintf(list_sql, sizeof(list_sql),
		 "SELECT id, at, actor, action, object, before, after FROM audit_log%s"
		 " ORDER BY id DESC LIMIT $%zu OFFSET $%zu",
		 where, nconds + 1, nconds + 2);

	int rc = -1;
	long long total = 0;
	xf_stmt *cs = xf_stmt_prepare(s, count_sql, errs);
	xf_stmt *ls = cs ? xf_stmt_prepare(s, list_sql, errs) : NULL;
	if (ls == NULL)
		goto out;
	for (size_t i = 0; i < nconds; i++) {
		if (xf_stmt_bind_text(cs, (int)i + 1, vals[i]) != 0 ||
		    xf_stmt_bind_text(ls, (int)i + 1, vals[i]) != 0) {
			xf_errs_add(errs, "内存不足 (out of memory)");
			goto out;
		}
	}
	if (xf_stmt_bind_int(ls, (int)nconds + 1, flt->per_page) != 0 ||
	    xf_stmt_bind_int(ls, (int)nconds + 2, (flt->page - 1) * flt->per_page) != 0) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	if (xf_stmt_step(cs, errs) != XF_STEP_ROW)
		goto out;
	total = xf_stmt_int(cs, 0);

	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "total", total);
	xf_jw_kint(&w, "page", flt->page);
	xf_jw_kint(&w, "per_page", flt->per_page);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	xf_step r;
	while ((r = xf_stmt_step(ls, errs)) == XF_STEP_ROW) {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(ls, 0));
		xf_jw_kstr(&w, "at", xf_stmt_text(ls, 1));
		xf_jw_kstr(&w, "actor", xf_stmt_text(ls, 2));
		xf_jw_kstr(&w, "action", xf_stmt_text(ls, 3));
		xf_jw_kstr(&w, "object", xf_stmt_text(ls, 4));
		xf_jw_key(&w, "before");
		write_json_text(&w, xf_stmt_text(ls, 5));
		xf_jw_key(&w, "after");
		write_json_text(&w, xf_stmt_text(ls, 6));
		xf_jw_obj_end(&w);
	}
	if (r == XF_STEP_ERROR)
		goto out;
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(ls);
	xf_stmt_finalize(cs);
	return rc;
}

int xf_audit_json(xf_store *s, const char *actor, const char *action, const char *object,
		  const cJSON *before, const cJSON *after, xf_errs *errs)
{
	char *b = before ? cJSON_PrintUnformatted(before) : NULL;
	char *a = after ? cJSON_PrintUnformatted(after) : NULL;
	int rc = -1;
	if ((before && b == NULL) || (after && a == NULL)) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		errs->internal = true;
	} else {
		xf_audit_entry e = {.actor = actor ? actor : "cli", .action = action,
				    .object = object, .before = b, .after = a};
		rc = xf_store_audit(s, &e, errs);
	}
	cJSON_free(b);
	cJSON_free(a);
	return rc;
}
