/* import_sheet: spreadsheet imports (roster, records, xxqg, online-hours)
 * from XLSX or CSV (UTF-8 with or without BOM, GBK/GB18030).
 *
 * One transaction for the whole file: rows are checked and written as they
 * stream in; the first problem stops the writing but not the checking, so
 * the report lists every bad row (row number, column, reason); any problem
 * rolls the whole file back. People are matched by staff number, or by
 * name + unit where that is unambiguous — an ambiguous name is an error,
 * never a guess. The people of the store are loaded once into maps, so a
 * million-row file costs no query per row, and metrics and records are
 * queued (xf_data_queue_*) and written many rows to a statement, flushed
 * before the audit row and the commit. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/num.h"
#include "core/strmap.h"
#include "io/csv.h"
#include "io/table.h"
#include "io/xlsx.h"
#include "policy/policy.h"
#include "service/import.h"
#include "service/people.h"
#include "service/sheets.h"
#include "store/data.h"

#define MAX_REPORTED 200 /* row problems listed; the rest are counted */
#define AMBIGUOUS (-2)

/* A cumulative 学习强国 total on a date, kept until the file is read. */
typedef struct total_row {
	long long person;
	xf_date date;
	double total;
	uint32_t row;
} total_row;

typedef struct imp {
	xf_store *s;
	xf_data *d;
	const xf_sheet_kind *k;
	const char *name;
	xf_errs *errs;
	xf_import_report *rep;
	long long batch;
	int col_of[XF_TABLE_MAX_COLS];   /* file column -> sheet column, -1 */
	int file_col[64];                /* sheet column -> file column, -1 */
	bool header_done;
	long long problems;
	bool failed;                     /* stop writing, keep checking */

	xf_strmap *by_staff;             /* staff_no -> person index */
	xf_strmap *by_name_unit;         /* "name\x1funit" -> index or AMBIGUOUS */
	long long *person_ids;
	unsigned char *has_staff;        /* person index -> has a staff number */
	long long *unit_of;              /* person index -> unit id (0: none) */
	long long *next_record;          /* person index -> next record id (0: ask) */
	size_t npeople, cappeople;
	xf_strmap *units;                /* unit code and name -> unit index */
	long long *unit_ids;
	size_t nunits, capunits;
	xf_strmap *seen_staff;           /* roster: staff numbers in this file */
	xf_strmap *by_id;                /* person id (decimal) -> person index */

	/* Policies by unit and year, for checking items and levels. */
	xf_strmap *policy_keys;          /* "unit\x1fyear" -> index into policies */
	xf_policy **policies;
	size_t npolicies;

	int xxqg_mode;                   /* 0 unknown, 1 monthly, 2 cumulative */
	total_row *totals;
	size_t ntotals, captotals;
} imp;

/* ---- reporting ---- */

static void problem(imp *m, uint32_t row, int scol, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(imp *m, uint32_t row, int scol, const char *fmt, ...)
{
	char msg[512], where[160] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (scol >= 0 && m->file_col[scol] >= 0) {
		char letter[8];
		xf_table_column_name((size_t)m->file_col[scol], letter);
		snprintf(where, sizeof(where), " %s 列（%s）", letter, m->k->columns[scol].title);
	}
	m->failed = true;
	if (m->problems++ < MAX_REPORTED)
		xf_errs_add(m->errs, "%s: 第 %u 行%s：%s", m->name, row, where, msg);
}

/* ---- people and units, loaded once ---- */

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 256;
	void *np = realloc(*p, ncap * size);
	if (np == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int remember_unit(imp *m, long long id, const char *code, const char *name)
{
	if (grow((void **)&m->unit_ids, &m->capunits, m->nunits, sizeof(long long)) != 0)
		return -1;
	m->unit_ids[m->nunits] = id;
	if (xf_strmap_put(m->units, code, (int32_t)m->nunits, NULL) < 0 ||
	    (name && xf_strmap_put(m->units, name, (int32_t)m->nunits, NULL) < 0))
		return -1;
	m->nunits++;
	return 0;
}

static int name_unit_key(char *buf, size_t size, const char *name, const char *unit)
{
	int n = snprintf(buf, size, "%s\x1f%s", name, unit);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int remember_person(imp *m, long long id, long long unit_id, const char *staff,
			   const char *name, const char *unit_code, const char *unit_name)
{
	char idkey[24];
	snprintf(idkey, sizeof(idkey), "%lld", id);
	int32_t k = xf_strmap_get(m->by_id, idkey);
	if (k < 0) { /* a person seen for the first time */
		size_t cap = m->cappeople;
		if (grow((void **)&m->person_ids, &m->cappeople, m->npeople, sizeof(long long)) != 0)
			return -1;
		if (m->cappeople != cap) {
			unsigned char *h = realloc(m->has_staff, m->cappeople);
			if (h == NULL)
				return -1;
			m->has_staff = h;
			long long *u = realloc(m->unit_of, m->cappeople * sizeof(*u));
			if (u == NULL)
				return -1;
			m->unit_of = u;
			long long *nr = realloc(m->next_record, m->cappeople * sizeof(*nr));
			if (nr == NULL)
				return -1;
			m->next_record = nr;
		}
		k = (int32_t)m->npeople;
		m->has_staff[k] = 0;
		m->next_record[k] = 0;
		if (xf_strmap_put(m->by_id, idkey, k, NULL) < 0)
			return -1;
		m->person_ids[m->npeople++] = id;
	}
	m->unit_of[k] = unit_id;
	if (staff && *staff) {
		if (xf_strmap_put(m->by_staff, staff, k, NULL) < 0)
			return -1;
		m->has_staff[k] = 1;
	}
	const char *units[2] = {unit_code, unit_name};
	for (int i = 0; i < 2; i++) {
		char key[600];
		if (units[i] == NULL || name_unit_key(key, sizeof(key), name, units[i]) != 0)
			continue;
		int32_t old = xf_strmap_put(m->by_name_unit, key, k, NULL);
		if (old == -2)
			return -1;
		if (old != k && old != AMBIGUOUS) {
			/* Two people with this name in this unit: mark it. */
			char mark[610];
			snprintf(mark, sizeof(mark), "%s\x1e", key);
			xf_strmap_put(m->by_name_unit, mark, AMBIGUOUS, NULL);
		}
	}
	return 0;
}

static bool is_ambiguous(imp *m, const char *key)
{
	char mark[610];
	snprintf(mark, sizeof(mark), "%s\x1e", key);
	return xf_strmap_get(m->by_name_unit, mark) == AMBIGUOUS;
}

static int load_people(imp *m)
{
	xf_stmt *st = xf_stmt_prepare(m->s, "SELECT u.id, u.code, u.name FROM units u ORDER BY u.id",
				      m->errs);
	if (st == NULL)
		return -1;
	xf_step r;
	while ((r = xf_stmt_step(st, m->errs)) == XF_STEP_ROW)
		if (remember_unit(m, xf_stmt_int(st, 0), xf_stmt_text(st, 1), xf_stmt_text(st, 2)) != 0)
			goto oom;
	xf_stmt_finalize(st);
	if (r != XF_STEP_DONE)
		return -1;
	st = xf_stmt_prepare(m->s, "SELECT p.id, p.staff_no, p.name, u.code, u.name, p.unit_id FROM people p"
				   " LEFT JOIN units u ON u.id = p.unit_id WHERE p.active = 1 ORDER BY p.id",
			     m->errs);
	if (st == NULL)
		return -1;
	while ((r = xf_stmt_step(st, m->errs)) == XF_STEP_ROW)
		if (remember_person(m, xf_stmt_int(st, 0),
				    xf_stmt_is_null(st, 5) ? 0 : xf_stmt_int(st, 5), xf_stmt_text(st, 1),
				    xf_stmt_text(st, 2), xf_stmt_text(st, 3), xf_stmt_text(st, 4)) != 0)
			goto oom;
	xf_stmt_finalize(st);
	return r == XF_STEP_DONE ? 0 : -1;
oom:
	xf_stmt_finalize(st);
	xf_errs_add(m->errs, "内存不足 (out of memory)");
	return -1;
}

/* ---- cells ---- */

static const char *cell(imp *m, const char *const *cells, size_t n, const char *key)
{
	for (size_t i = 0; i < m->k->ncolumns; i++) {
		if (strcmp(m->k->columns[i].key, key) != 0)
			continue;
		int fc = m->file_col[i];
		if (fc < 0 || (size_t)fc >= n || cells[fc][0] == '\0')
			return NULL;
		return cells[fc];
	}
	return NULL;
}

static int col_index(const xf_sheet_kind *k, const char *key)
{
	for (size_t i = 0; i < k->ncolumns; i++)
		if (strcmp(k->columns[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Dates as offices type them: 2025-09-26, 2025/9/26, 2025.9.26, 2025年9月26日. */
static int parse_date_loose(const char *s, xf_date *out)
{
	if (xf_date_parse(s, out) == 0)
		return 0;
	int y = 0, mo = 0, d = 0, *part[3] = {&y, &mo, &d}, i = 0;
	const char *p = s;
	while (*p && i < 3) {
		if (*p < '0' || *p > '9')
			return -1;
		int v = 0, digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 5) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		*part[i++] = v;
		if (*p == '-' || *p == '/' || *p == '.')
			p++;
		else if (strncmp(p, "年", 3) == 0 || strncmp(p, "月", 3) == 0)
			p += 3;
		else if (strncmp(p, "日", 3) == 0)
			p += 3;
	}
	if (*p != '\0' || i != 3)
		return -1;
	char iso[16];
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y % 10000, mo % 100, d % 100);
	return xf_date_parse(iso, out);
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"是", "Y", "y", "yes", "YES", "true", "TRUE", "1", "√"};
	static const char *const no[] = {"否", "N", "n", "no", "NO", "false", "FALSE", "0", "×"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(s, yes[i]) == 0)
			return *out = 1, 0;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(s, no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

/* Checks every cell of a row against its column type; true when fine. */
static bool check_cells(imp *m, uint32_t row, const char *const *cells, size_t n)
{
	bool ok = true;
	for (size_t c = 0; c < m->k->ncolumns; c++) {
		const xf_column *col = &m->k->columns[c];
		int fc = m->file_col[c];
		const char *v = fc >= 0 && (size_t)fc < n ? cells[fc] : "";
		if (v[0] == '\0') {
			if (col->required) {
				problem(m, row, (int)c, "必填项为空 (required)");
				ok = false;
			}
			continue;
		}
		double d;
		xf_date date;
		int y, mo, b;
		switch (col->type) {
		case XF_COL_TEXT:
			break;
		case XF_COL_DATE:
			if (parse_date_loose(v, &date) != 0) {
				problem(m, row, (int)c, "日期无效 \"%.40s\"，应为 YYYY-MM-DD (bad date)", v);
				ok = false;
			}
			break;
		case XF_COL_MONTH:
			if (xf_month_parse(v, &y, &mo) != 0) {
				problem(m, row, (int)c, "月份无效 \"%.40s\"，应为 YYYY-MM (bad month)", v);
				ok = false;
			}
			break;
		case XF_COL_NUMBER:
		case XF_COL_INTEGER:
			if (xf_parse_double(v, &d) != 0) {
				problem(m, row, (int)c, "应为数字，实际为 \"%.40s\" (expected a number)", v);
				ok = false;
			} else if (d < 0) {
				problem(m, row, (int)c, "不能为负数：%s (must not be negative)", v);
				ok = false;
			} else if (col->type == XF_COL_INTEGER && d != floor(d)) {
				problem(m, row, (int)c, "应为整数，实际为 %s (expected a whole number)", v);
				ok = false;
			}
			break;
		case XF_COL_BOOL:
			if (parse_bool(v, &b) != 0) {
				problem(m, row, (int)c, "应为“是”或“否”，实际为 \"%.40s\" (expected 是/否)", v);
				ok = false;
			}
			break;
		}
	}
	return ok;
}

static double num_cell(imp *m, const char *const *cells, size_t n, const char *key)
{
	const char *v = cell(m, cells, n, key);
	double d;
	return v && xf_parse_double(v, &d) == 0 ? d : NAN;
}

static int bool_cell(imp *m, const char *const *cells, size_t n, const char *key)
{
	const char *v = cell(m, cells, n, key);
	int b;
	return v && parse_bool(v, &b) == 0 ? b : -1;
}

/* The person a row names, or -1 (with the problem reported). */
static long long find_person(imp *m, uint32_t row, const char *const *cells, size_t n)
{
	const char *staff = cell(m, cells, n, "staff_no");
	const char *name = cell(m, cells, n, "name");
	const char *unit = cell(m, cells, n, "unit");
	if (staff) {
		int32_t k = xf_strmap_get(m->by_staff, staff);
		if (k < 0) {
			problem(m, row, col_index(m->k, "staff_no"), "未知人员：工号 %.40s 不在名册中 (unknown person)",
				staff);
			return -1;
		}
		return k;
	}
	if (name == NULL || unit == NULL) {
		problem(m, row, -1, "需要工号，或姓名和单位 (need a staff number, or name and unit)");
		return -1;
	}
	char key[600];
	int32_t k = -1;
	if (name_unit_key(key, sizeof(key), name, unit) == 0)
		k = xf_strmap_get(m->by_name_unit, key);
	if (k >= 0 && is_ambiguous(m, key)) {
		problem(m, row, col_index(m->k, "name"),
			"%.40s 在 %.40s 有重名，无法区分，请填写工号 (ambiguous name: give the staff number)",
			name, unit);
		return -1;
	}
	if (k < 0) {
		problem(m, row, col_index(m->k, "name"), "未知人员：%.40s（%.40s）不在名册中 (unknown person)",
			name, unit);
		return -1;
	}
	return k;
}

/* The policy of person k's unit for the year of date, or NULL (reported).
 * Looked up once per unit and year; a unit without one is remembered too. */
#define NO_POLICY (-3)
static const xf_policy *policy_for(imp *m, uint32_t row, long long k, xf_date date)
{
	int year = XF_DATE_YEAR(date);
	char key[64];
	snprintf(key, sizeof(key), "%lld\x1f%d", m->unit_of[k], year);
	int32_t idx = xf_strmap_get(m->policy_keys, key);
	if (idx == -1) {
		xf_stmt *st = xf_stmt_prepare(m->s, "SELECT policy FROM policy_assignments"
						    " WHERE unit_id = $1 AND year = $2", m->errs);
		if (st == NULL) {
			m->failed = true;
			return NULL;
		}
		idx = NO_POLICY;
		xf_policy *p = NULL;
		if ((xf_stmt_bind_int(st, 1, m->unit_of[k]) | xf_stmt_bind_int(st, 2, year)) == 0 &&
		    xf_stmt_step(st, m->errs) == XF_STEP_ROW) {
			xf_errs perrs;
			xf_errs_init(&perrs);
			p = xf_policy_resolve(xf_stmt_text(st, 0), NULL, &perrs);
			xf_errs_cleanup(&perrs);
		}
		xf_stmt_finalize(st);
		if (p != NULL) {
			xf_policy **np = realloc(m->policies, (m->npolicies + 1) * sizeof(*np));
			if (np == NULL) {
				xf_policy_free(p);
				m->failed = true;
				return NULL;
			}
			m->policies = np;
			m->policies[m->npolicies] = p;
			idx = (int32_t)m->npolicies++;
		}
		if (xf_strmap_put(m->policy_keys, key, idx, NULL) == -2) {
			m->failed = true;
			return NULL;
		}
	}
	if (idx == NO_POLICY) {
		problem(m, row, -1, "该人员的单位在 %d 年度没有指定学分办法，无法校验 (no policy for the unit and year)",
			year);
		return NULL;
	}
	return m->policies[idx];
}

/* An item by key or Chinese name; level likewise. -1 when not found. */
static int find_item(const xf_policy *p, const char *v)
{
	int i = xf_policy_item(p, v);
	for (int k = 0; i < 0 && k < p->nitems; k++)
		if (strcmp(p->items[k].name, v) == 0)
			i = k;
	return i;
}

static int find_level(const xf_policy *p, const char *v)
{
	int i = xf_policy_level(p, v);
	for (int k = 0; i < 0 && k < p->nlevels; k++)
		if (strcmp(p->levels[k].name, v) == 0)
			i = k;
	return i;
}

/* ---- the kinds ---- */

static void roster_row(imp *m, uint32_t row, const char *const *cells, size_t n)
{
	const char *name = cell(m, cells, n, "name"), *staff = cell(m, cells, n, "staff_no");
	const char *unit = cell(m, cells, n, "unit"), *code = cell(m, cells, n, "unit_code");
	const char *joined = cell(m, cells, n, "joined");
	char iso[16] = "";
	xf_date d;
	if (joined && parse_date_loose(joined, &d) == 0)
		snprintf(iso, sizeof(iso), "%04d-%02d-%02d", XF_DATE_YEAR(d), XF_DATE_MONTH(d),
			 XF_DATE_DAY(d));
	if (staff) {
		if (xf_strmap_get(m->seen_staff, staff) >= 0) {
			problem(m, row, col_index(m->k, "staff_no"), "工号 %.40s 在本文件中重复 (duplicate)", staff);
			return;
		}
		xf_strmap_put(m->seen_staff, staff, 1, NULL);
	}
	const char *id_card = cell(m, cells, n, "id_card"), *phone = cell(m, cells, n, "phone");
	const char *why = id_card ? xf_id_card_problem(id_card) : NULL;
	if (why)
		problem(m, row, col_index(m->k, "id_card"), "%s", why);
	why = phone ? xf_phone_problem(phone) : NULL;
	if (why)
		problem(m, row, col_index(m->k, "phone"), "%s", why);
	if (m->failed)
		return;
	if (code == NULL)
		code = unit;
	/* Each unit of the file is written once (its name may be new). */
	long long unit_id;
	char ukey[600];
	snprintf(ukey, sizeof(ukey), "\x1d%s", code);
	int32_t uk = xf_strmap_get(m->units, ukey);
	if (uk >= 0) {
		unit_id = m->unit_ids[uk];
	} else {
		if (xf_data_unit(m->d, code, unit, &unit_id, m->errs) != 0 ||
		    remember_unit(m, unit_id, code, unit) != 0 ||
		    xf_strmap_put(m->units, ukey, (int32_t)(m->nunits - 1), NULL) < 0) {
			m->failed = true;
			return;
		}
	}
	/* The unit above, by code or name (a new one is made, named as
	 * given): the template's 上级单位 builds the unit tree. */
	const char *parent = cell(m, cells, n, "parent_unit");
	if (parent) {
		int32_t pk = xf_strmap_get(m->units, parent);
		long long parent_id;
		if (pk >= 0) {
			parent_id = m->unit_ids[pk];
		} else if (xf_data_unit(m->d, parent, parent, &parent_id, m->errs) != 0 ||
			   remember_unit(m, parent_id, parent, NULL) != 0) {
			m->failed = true;
			return;
		}
		if (parent_id == unit_id) {
			problem(m, row, col_index(m->k, "parent_unit"), "上级单位不能是本单位");
			return;
		}
		if (xf_data_unit_parent(m->d, unit_id, parent_id, m->errs) != 0) {
			m->failed = true;
			return;
		}
	}
	/* The person: by staff number, else by name + unit (unambiguous),
	 * else a new person. */
	char person_code[600], key[600];
	if (staff)
		snprintf(person_code, sizeof(person_code), "%s", staff);
	else
		snprintf(person_code, sizeof(person_code), "%s/%s", code, name);
	xf_person_row pr = {person_code, name, staff, id_card, phone, unit_id,
			    cell(m, cells, n, "role"),
			    iso[0] ? iso : NULL};
	int32_t k = staff ? xf_strmap_get(m->by_staff, staff) : -1;
	if (k < 0 && name_unit_key(key, sizeof(key), name, code) == 0) {
		k = xf_strmap_get(m->by_name_unit, key);
		/* A namesake who already has another staff number is someone else. */
		if (k >= 0 && staff && m->has_staff[k])
			k = -1;
		else if (k >= 0 && is_ambiguous(m, key)) {
			problem(m, row, col_index(m->k, "name"),
				"%.40s 在 %.40s 有重名，无法确定更新哪一位，请先补充工号 (ambiguous name)",
				name, unit);
			return;
		}
	}
	long long id;
	int rc = k >= 0 ? xf_data_person_update(m->d, id = m->person_ids[k], &pr, m->errs)
			: xf_data_person(m->d, &pr, &id, m->errs);
	if (rc != 0 || remember_person(m, id, unit_id, staff, name, code, unit) != 0) {
		m->failed = true;
		return;
	}
	m->rep->people++;
}

static void record_row(imp *m, uint32_t row, const char *const *cells, size_t n, bool online)
{
	long long k = find_person(m, row, cells, n);
	xf_date date;
	const char *dv = cell(m, cells, n, "date");
	if (k < 0 || dv == NULL || parse_date_loose(dv, &date) != 0)
		return;
	long long person = m->person_ids[k];
	const xf_policy *p = policy_for(m, row, k, date);
	if (p == NULL)
		return;
	const char *iv = cell(m, cells, n, "item");
	int item = find_item(p, iv);
	if (item < 0) {
		problem(m, row, col_index(m->k, "item"), "项目 \"%.40s\" 不在学分办法 %s 中 (unknown item)", iv,
			p->id);
		return;
	}
	const char *lv = cell(m, cells, n, "level");
	const char *level_key = NULL;
	if (p->items[item].level_points != NULL) {
		int l = lv ? find_level(p, lv) : -1;
		if (l < 0 || isnan(p->items[item].level_points[l])) {
			problem(m, row, col_index(m->k, "level"), "级别 \"%.40s\" 不适用于项目 %s (bad level)",
				lv ? lv : "", p->items[item].key);
			return;
		}
		level_key = p->levels[l].key;
	}
	double score = num_cell(m, cells, n, "score");
	if (score > 100) {
		problem(m, row, col_index(m->k, "score"), "成绩应在 0 到 100 之间，实际为 %g (score out of range)",
			score);
		return;
	}
	if (m->failed)
		return; /* checking goes on; writing stopped at the first problem */
	char iso[16];
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", XF_DATE_YEAR(date), XF_DATE_MONTH(date),
		 XF_DATE_DAY(date));
	xf_record_row r = {
		p->items[item].key, iso, level_key, cell(m, cells, n, "kind"),
		online ? cell(m, cells, n, "course") : cell(m, cells, n, "activity"),
		num_cell(m, cells, n, "count"), num_cell(m, cells, n, "days"),
		num_cell(m, cells, n, "months"), num_cell(m, cells, n, "hours"),
		num_cell(m, cells, n, "minutes"), num_cell(m, cells, n, "attended_minutes"),
		num_cell(m, cells, n, "score"), num_cell(m, cells, n, "credits"),
		bool_cell(m, cells, n, "passed"), bool_cell(m, cells, n, "completed"),
		online ? 1 : bool_cell(m, cells, n, "online"), -1,
		bool_cell(m, cells, n, "awarded"), bool_cell(m, cells, n, "speaker"),
	};
	if (m->next_record[k] == 0 &&
	    xf_data_next_record_id(m->d, person, &m->next_record[k], m->errs) != 0) {
		m->failed = true;
		return;
	}
	if (xf_data_queue_record_at(m->d, person, m->next_record[k]++, &r, m->batch, m->errs) != 0) {
		m->failed = true;
		return;
	}
	m->rep->records++;
}

static void xxqg_row(imp *m, uint32_t row, const char *const *cells, size_t n)
{
	const char *month = cell(m, cells, n, "month"), *value = cell(m, cells, n, "value");
	const char *date = cell(m, cells, n, "date"), *total = cell(m, cells, n, "total");
	int mode = month || value ? 1 : date || total ? 2 : 0;
	if (mode == 0 || (mode == 1 && (!month || !value || date || total)) ||
	    (mode == 2 && (!date || !total))) {
		problem(m, row, -1, "每行填“月份+月增量”，或“统计日期+累计积分” (month and increment, or date and total)");
		return;
	}
	if (m->xxqg_mode && m->xxqg_mode != mode) {
		problem(m, row, -1, "同一文件不能混用月增量和累计积分 (do not mix increments and totals)");
		return;
	}
	m->xxqg_mode = mode;
	long long k = find_person(m, row, cells, n);
	if (k < 0)
		return;
	if (mode == 1) {
		if (m->failed)
			return;
		if (xf_data_queue_metric(m->d, m->person_ids[k], "xxqg", month,
					 num_cell(m, cells, n, "value"), m->batch, m->errs) != 0) {
			m->failed = true;
			return;
		}
		m->rep->metrics++;
		return;
	}
	xf_date d;
	if (parse_date_loose(date, &d) != 0)
		return;
	if (grow((void **)&m->totals, &m->captotals, m->ntotals, sizeof(total_row)) != 0) {
		m->failed = true;
		return;
	}
	m->totals[m->ntotals++] = (total_row){m->person_ids[k], d, num_cell(m, cells, n, "total"), row};
}

static int total_cmp(const void *a, const void *b)
{
	const total_row *x = a, *y = b;
	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->row < y->row ? -1 : (x->row > y->row);
}

/* Cumulative totals to monthly increments: for each person, the growth
 * between consecutive dates goes to the month of the later date (the first
 * date is the baseline); a total that goes down is an error. */
static void settle_totals(imp *m)
{
	if (m->ntotals == 0)
		return;
	qsort(m->totals, m->ntotals, sizeof(*m->totals), total_cmp);
	size_t i = 0;
	while (i < m->ntotals) {
		size_t j = i;
		double month_sum = 0;
		int cur_month = -1, cur_year = 0;
		for (j = i + 1; j < m->ntotals && m->totals[j].person == m->totals[i].person; j++) {
			const total_row *a = &m->totals[j - 1], *b = &m->totals[j];
			if (b->total < a->total) {
				problem(m, b->row, col_index(m->k, "total"),
					"累计积分 %g 小于此前（第 %u 行）的 %g，积分不会减少 (total went down)",
					b->total, a->row, a->total);
				continue;
			}
			int y = XF_DATE_YEAR(b->date), mo = XF_DATE_MONTH(b->date);
			if (cur_month >= 0 && (y != cur_year || mo != cur_month)) {
				char month[16];
				snprintf(month, sizeof(month), "%04d-%02d", cur_year, cur_month);
				if (!m->failed && xf_data_queue_metric(m->d, m->totals[i].person, "xxqg",
								       month, month_sum, m->batch,
								       m->errs) != 0)
					m->failed = true;
				m->rep->metrics++;
				month_sum = 0;
			}
			cur_year = y;
			cur_month = mo;
			month_sum += b->total - a->total;
		}
		if (cur_month >= 0) {
			char month[16];
			snprintf(month, sizeof(month), "%04d-%02d", cur_year, cur_month);
			if (!m->failed && xf_data_queue_metric(m->d, m->totals[i].person, "xxqg", month,
							       month_sum, m->batch, m->errs) != 0)
				m->failed = true;
			m->rep->metrics++;
		}
		i = j;
	}
}

/* ---- the header and the rows ---- */

static int take_header(imp *m, uint32_t row, const char *const *cells, size_t n)
{
	for (size_t c = 0; c < m->k->ncolumns; c++)
		m->file_col[c] = -1;
	/* Every column starts headerless, also those right of the header. */
	for (size_t i = 0; i < XF_TABLE_MAX_COLS; i++)
		m->col_of[i] = -1;
	for (size_t i = 0; i < n && i < XF_TABLE_MAX_COLS; i++) {
		if (cells[i][0] == '\0')
			continue;
		char letter[8];
		xf_table_column_name(i, letter);
		int c = xf_sheet_column(m->k, cells[i]);
		if (c < 0) {
			m->failed = true;
			m->problems++;
			xf_errs_add(m->errs, "%s: 第 %u 行 %s 列：未知的列 \"%.40s\"（%s 模板的列见 xuefen export template %s）"
				    "(unknown column)", m->name, row, letter, cells[i], m->k->title, m->k->kind);
			continue;
		}
		if (m->file_col[c] >= 0) {
			m->failed = true;
			m->problems++;
			xf_errs_add(m->errs, "%s: 第 %u 行 %s 列：列“%s”重复 (duplicate column)", m->name, row,
				    letter, m->k->columns[c].title);
			continue;
		}
		m->file_col[c] = (int)i;
		m->col_of[i] = c;
	}
	for (size_t c = 0; c < m->k->ncolumns; c++) {
		if (m->k->columns[c].required && m->file_col[c] < 0) {
			m->failed = true;
			m->problems++;
			xf_errs_add(m->errs, "%s: 第 %u 行：缺少必填列“%s” (missing required column)", m->name,
				    row, m->k->columns[c].title);
		}
	}
	m->header_done = true;
	return m->failed ? 1 : 0; /* a bad header: nothing below can be read */
}

static int on_row(void *ctx, uint32_t row, const char *const *cells, size_t n)
{
	imp *m = ctx;
	if (!m->header_done)
		return take_header(m, row, cells, n);
	for (size_t i = 0; i < n && i < XF_TABLE_MAX_COLS; i++) {
		if (cells[i][0] != '\0' && (i >= XF_TABLE_MAX_COLS || m->col_of[i] < 0)) {
			char letter[8];
			xf_table_column_name(i, letter);
			problem(m, row, -1, "%s 列没有表头，却有内容 \"%.40s\" (a value under no header)", letter,
				cells[i]);
			return 0;
		}
	}
	if (!check_cells(m, row, cells, n))
		return 0;
	if (strcmp(m->k->kind, "roster") == 0)
		roster_row(m, row, cells, n);
	else if (strcmp(m->k->kind, "records") == 0)
		record_row(m, row, cells, n, false);
	else if (strcmp(m->k->kind, "online-hours") == 0)
		record_row(m, row, cells, n, true);
	else
		xxqg_row(m, row, cells, n);
	return 0;
}

static bool is_xlsx(const char *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

/* The import; with commit false everything is checked, written and
 * counted inside the transaction, then rolled back. */
static int import_sheet(xf_store *s, const char *kind, const char *data, size_t len,
			const char *name, const char *actor, bool commit, xf_import_report *rep,
			xf_errs *errs)
{
	imp m;
	memset(&m, 0, sizeof(m));
	memset(rep, 0, sizeof(*rep));
	m.s = s;
	m.name = name;
	m.errs = errs;
	m.rep = rep;
	m.k = xf_sheet_kind_find(kind);
	int rc = -1;
	bool in_tx = false;
	if (m.k == NULL) {
		xf_errs_add(errs, "未知的导入类型 \"%s\" (unknown import kind)", kind);
		return -1;
	}
	m.d = xf_data_new(s, errs);
	m.by_staff = xf_strmap_new();
	m.by_name_unit = xf_strmap_new();
	m.units = xf_strmap_new();
	m.seen_staff = xf_strmap_new();
	m.policy_keys = xf_strmap_new();
	m.by_id = xf_strmap_new();
	if (!m.d || !m.by_staff || !m.by_name_unit || !m.units || !m.seen_staff || !m.policy_keys ||
	    !m.by_id) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	char sha[65];
	xf_sha256_hex(data, len, sha);
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int seen = xf_data_batch(m.d, kind, name, sha, 0, actor, &m.batch, errs);
	if (seen < 0)
		goto out;
	rep->batch_id = m.batch;
	if (seen == 1) {
		rep->already_imported = 1;
		rc = 0;
		goto out;
	}
	if (load_people(&m) != 0)
		goto out;
	int read_rc = is_xlsx(data, len) ? xf_xlsx_read(data, len, name, 0, on_row, &m, errs)
					  : xf_csv_read(data, len, name, on_row, &m, errs);
	if (read_rc < 0)
		goto out;
	if (!m.header_done) {
		xf_errs_add(errs, "%s: 文件是空的，没有表头 (empty file)", name);
		goto out;
	}
	settle_totals(&m);
	if (m.problems > MAX_REPORTED)
		xf_errs_add(errs, "%s: 另有 %lld 处问题未列出 (more problems not listed)", name,
			    m.problems - MAX_REPORTED);
	if (m.failed || xf_errs_count(errs) > 0)
		goto out;
	/* Metrics and records were queued: write the last batches. */
	if (xf_data_flush(m.d, errs) != 0)
		goto out;
	char after[200], object[48];
	snprintf(object, sizeof(object), "import_batch:%lld", m.batch);
	snprintf(after, sizeof(after), "{\"people\": %lld, \"records\": %lld, \"metrics\": %lld}",
		 rep->people, rep->records, rep->metrics);
	char action[48];
	snprintf(action, sizeof(action), "import.%s", kind);
	xf_audit_entry e = {actor, action, object, NULL, after};
	if (xf_store_audit(s, &e, errs) != 0)
		goto out;
	if (!commit) {
		rc = 0; /* checked and counted: rolled back below */
		goto out;
	}
	in_tx = false;
	if (xf_store_commit(s, errs) != 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	if (rc != 0)
		xf_errs_add(errs, "%s: 导入失败，数据库未作任何改动 (import failed; nothing was changed)", name);
	xf_data_free(m.d);
	xf_strmap_free(m.by_staff);
	xf_strmap_free(m.by_name_unit);
	xf_strmap_free(m.units);
	xf_strmap_free(m.seen_staff);
	xf_strmap_free(m.policy_keys);
	xf_strmap_free(m.by_id);
	for (size_t i = 0; i < m.npolicies; i++)
		xf_policy_free(m.policies[i]);
	free(m.policies);
	free(m.person_ids);
	free(m.has_staff);
	free(m.unit_of);
	free(m.next_record);
	free(m.unit_ids);
	free(m.totals);
	return rc;
}

int xf_import_sheet(xf_store *s, const char *kind, const char *data, size_t len,
		    const char *name, const char *actor, xf_import_report *rep, xf_errs *errs)
{
	return import_sheet(s, kind, data, len, name, actor, true, rep, errs);
}

int xf_import_sheet_check(xf_store *s, const char *kind, const char *data, size_t len,
			  const char *name, const char *actor, xf_import_report *rep,
			  xf_errs *errs)
{
	return import_sheet(s, kind, data, len, name, actor, false, rep, errs);
}
