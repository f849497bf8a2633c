/* people: people and units for the admin pages (see people.h) — the
 * searched, paged list, a person's detail and changes, the unit tree, and
 * the scope checks that keep a reviewer to their own units.
 *
 * Choices worth knowing:
 *   - A reviewer's scope (a list of unit ids of any length) goes to the
 *     database as ONE text parameter, each id written as 19 zero-padded
 *     digits, and is split in SQL by a recursive CTE with substr/length,
 *     which read the same on SQLite and PostgreSQL. Binding one parameter
 *     per id would stop at PostgreSQL's 100 (PG_MAX_PARAMS in
 *     store/postgres.c), and filtering in C would break the paging and the
 *     total. Fixed-width ids need no comma search (instr on SQLite, strpos
 *     on PostgreSQL: no common spelling).
 *   - The search matches lower(column) LIKE lower(pattern) ESCAPE '\', the
 *     pattern being the query with \, % and _ escaped, so they match
 *     literally. Case folding is ASCII on SQLite; PostgreSQL's lower() also
 *     folds other scripts (Chinese has no case, so names are unaffected).
 *   - A unit filter that names no unit, or one outside the scope, gives an
 *     empty list (not 1): a list is never a 404.
 *   - "people" in the unit tree and in a unit's detail counts ACTIVE
 *     people only.
 *   - The policy of a unit for a year is its own assignment, or the nearest
 *     ancestor's.
 *   - Each root of the unit tree carries "path": the names of its
 *     ancestors outside the scope, top first ([] for a top-level unit).
 *   - Changes read the row again inside their transaction, check and write
 *     there, and add one audit row; ID-card numbers and phones are masked
 *     in the audit as in every answer (only xf_people_reveal_json shows
 *     them). An update that changes nothing writes nothing, audit included.
 *     A field cannot be cleared (null is refused): xf_data_person_update
 *     keeps the old value for NULL.
 *   - xf_people_reveal_json takes no scope: its caller (admins only) checks
 *     who may ask. */
#include <cJSON.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/utf8.h"
#include "io/jsonw.h"
#include "policy/policy.h"
#include "service/audit.h"
#include "service/people.h"
#include "service/scope.h"
#include "store/data.h"
#include "store/query.h"

#define NAME_MAX_CHARS 64   /* name */
#define TEXT_MAX_CHARS 64   /* staff_no, role */
#define Q_MAX_CHARS 100     /* a search */
#define PER_PAGE_MAX 200
#define PAGE_MAX 1000000000LL
#define PERIODS_MAX 100
#define FLAGS_MAX 32
#define FLAG_MAX_BYTES 64
#define KEY_SHOW_BYTES 64   /* of an unknown field's name in a message */
#define TREE_MAX_DEPTH 12   /* unit levels the tree writes (jsonw nests 32 deep) */
#define ID_WIDTH 19         /* digits of a positive long long */
#define MASK_BUF 64

/* ---- masking ---- */

/* Keeps the first 3 and the last 4 bytes of an ASCII value longer than 7;
 * everything else (short, non-ASCII, or too long for out) becomes '*'. */
static void mask(const char *v, char *out, size_t size)
{
	if (size == 0)
		return;
	out[0] = '\0';
	if (v == NULL)
		return;
	size_t n = strlen(v);
	bool ascii = true;
	for (size_t i = 0; i < n && ascii; i++)
		if ((unsigned char)v[i] >= 0x80)
			ascii = false;
	bool keep = ascii && n > 7 && n < size;
	size_t m = n < size ? n : size - 1;
	for (size_t i = 0; i < m; i++)
		out[i] = keep && (i < 3 || i >= n - 4) ? v[i] : '*';
	out[m] = '\0';
}

void xf_mask_id_card(const char *v, char *out, size_t size)
{
	mask(v, out, size);
}

void xf_mask_phone(const char *v, char *out, size_t size)
{
	mask(v, out, size);
}

/* ---- small helpers ---- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

bool xf_unit_scope_has(const xf_unit_scope *sc, long long unit_id)
{
	if (sc == NULL)
		return false;
	if (sc->all)
		return true;
	if (unit_id <= 0 || sc->units == NULL || sc->nunits == 0)
		return false;
	return bsearch(&unit_id, sc->units, sc->nunits, sizeof(*sc->units), cmp_ll) != NULL;
}

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* What a failed bind says here (xf_query's default is "内存不足"). */
#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)

/* Prepares sql and binds $1 = a. NULL with a message. */
static xf_stmt *prep_id(xf_store *s, const char *sql, long long a, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, sql, errs);
	if (st && xf_stmt_bind_int(st, 1, a) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		xf_stmt_finalize(st);
		return NULL;
	}
	return st;
}

/* 0 when the person exists and is in scope, 1 when not, -1 on error. */
static int person_visible(xf_store *s, const xf_unit_scope *scope, long long person_id,
			  xf_errs *errs)
{
	long long unit = 0;
	int rc = xf_people_unit_of(s, person_id, &unit, errs);
	if (rc != 0)
		return rc;
	return xf_unit_scope_has(scope, unit) ? 0 : 1;
}

static void person_object(char *buf, size_t size, long long id)
{
	snprintf(buf, size, "person:%lld", id);
}

/* ---- the person's fields as the answers show them ---- */

#define PERSON_COLS                                                                        \
	"p.id, p.code, p.name, p.staff_no, p.unit_id, u.code, u.name, p.role, p.joined,"    \
	" p.active, p.id_card, p.phone"
#define PERSON_FROM " FROM people p LEFT JOIN units u ON u.id = p.unit_id"

static void write_masked(xf_jw *w, const char *key, const char *v)
{
	char m[MASK_BUF];
	if (v == NULL) {
		xf_jw_knull(w, key);
		return;
	}
	mask(v, m, sizeof(m));
	xf_jw_kstr(w, key, m);
}

/* The list fields of the current row of a PERSON_COLS statement. */
static void write_person_fields(xf_jw *w, xf_stmt *st)
{
	xf_jw_kint(w, "id", xf_stmt_int(st, 0));
	xf_jw_kstr(w, "code", xf_stmt_text(st, 1));
	xf_jw_kstr(w, "name", xf_stmt_text(st, 2));
	xf_jw_kstr(w, "staff_no", xf_stmt_text(st, 3));
	xf_jw_key(w, "unit");
	if (xf_stmt_is_null(st, 4)) {
		xf_jw_null(w);
	} else {
		xf_jw_obj(w);
		xf_jw_kint(w, "id", xf_stmt_int(st, 4));
		xf_jw_kstr(w, "code", xf_stmt_text(st, 5));
		xf_jw_kstr(w, "name", xf_stmt_text(st, 6));
		xf_jw_obj_end(w);
	}
	xf_jw_kstr(w, "role", xf_stmt_text(st, 7));
	xf_jw_kstr(w, "joined", xf_stmt_text(st, 8));
	xf_jw_kbool(w, "active", xf_stmt_int(st, 9) != 0);
	write_masked(w, "id_card", xf_stmt_text(st, 10));
	write_masked(w, "phone", xf_stmt_text(st, 11));
}

/* ---- list ---- */

/* A bounded SQL text built from fixed pieces (values are always bound). */
typedef struct sqlbuf {
	char s[2048];
	size_t n;
	bool over;
} sqlbuf;

static void sb_add(sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sqlbuf *b, const char *fmt, ...)
{
	if (b->over)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(b->s) - b->n) {
		b->over = true;
		return;
	}
	b->n += (size_t)k;
}

/* What a list query binds, by parameter number (0: not used). */
typedef struct list_plan {
	sqlbuf with, where;
	int p_unit, p_scope, p_active, p_q;
	int np;
	long long unit;
	char *scope_text; /* owned */
	char *pattern;    /* owned */
	int active;
} list_plan;

/* The ids of a scope as one text, ID_WIDTH digits each. */
static char *scope_text(const xf_unit_scope *sc)
{
	char *t = malloc(sc->nunits * ID_WIDTH + 1);
	if (t == NULL)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < sc->nunits; i++) {
		if (sc->units[i] <= 0)
			continue;
		snprintf(t + n, ID_WIDTH + 1, "%0*lld", ID_WIDTH, sc->units[i]);
		n += ID_WIDTH;
	}
	t[n] = '\0';
	return t;
}

static int plan_build(list_plan *pl, const xf_unit_scope *scope, const xf_people_query *q,
		      xf_errs *errs)
{
	bool with = false;
	if (q->unit_id > 0) {
		pl->p_unit = ++pl->np;
		pl->unit = q->unit_id;
		sb_add(&pl->with, "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = $%d"
			   " UNION SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)",
		       pl->p_unit);
		sb_add(&pl->where, " AND p.unit_id IN (SELECT id FROM sub)");
		with = true;
	}
	if (!scope->all) {
		pl->p_scope = ++pl->np;
		pl->scope_text = scope_text(scope);
		if (pl->scope_text == NULL) {
			oom(errs);
			return -1;
		}
		sb_add(&pl->with,
		       "%s pos(i) AS (SELECT 1 UNION ALL SELECT i + %d FROM pos"
		       " WHERE i + %d <= length(CAST($%d AS TEXT))),"
		       " scoped(id) AS (SELECT CAST(substr(CAST($%d AS TEXT), i, %d) AS BIGINT) FROM pos)",
		       with ? "," : "WITH RECURSIVE", ID_WIDTH, ID_WIDTH, pl->p_scope, pl->p_scope,
		       ID_WIDTH);
		sb_add(&pl->where, " AND p.unit_id IN (SELECT id FROM scoped)");
	}
	if (q->active >= 0) {
		pl->p_active = ++pl->np;
		pl->active = q->active;
		sb_add(&pl->where, " AND p.active = $%d", pl->p_active);
	}
	if (q->q && *q->q) {
		pl->p_q = ++pl->np;
		pl->pattern = xf_like_contains(q->q);
		if (pl->pattern == NULL) {
			oom(errs);
			return -1;
		}
		int n = pl->p_q;
		sb_add(&pl->where,
		       " AND (lower(p.name) LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\'"
		       " OR lower(p.staff_no) LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\'"
		       " OR lower(p.code) LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\')",
		       n, n, n);
	}
	if (pl->with.over || pl->where.over) {
		xf_errs_add(errs, "查询语句过长 (query too long)");
		return -1;
	}
	return 0;
}

static int plan_bind(const list_plan *pl, xf_stmt *st)
{
	int b = 0;
	if (pl->p_unit)
		b |= xf_stmt_bind_int(st, pl->p_unit, pl->unit);
	if (pl->p_scope)
		b |= xf_stmt_bind_text(st, pl->p_scope, pl->scope_text);
	if (pl->p_active)
		b |= xf_stmt_bind_int(st, pl->p_active, pl->active);
	if (pl->p_q)
		b |= xf_stmt_bind_text(st, pl->p_q, pl->pattern);
	return b;
}

static int check_query(const xf_people_query *q, xf_errs *errs)
{
	size_t before = xf_errs_count(errs);
	if (q->page < 1 || q->page > PAGE_MAX)
		xf_errs_add(errs, "page: 页码应为 1 到 %lld 之间的整数", PAGE_MAX);
	if (q->per_page < 1 || q->per_page > PER_PAGE_MAX)
		xf_errs_add(errs, "per_page: 每页条数应为 1 到 %d 之间的整数", PER_PAGE_MAX);
	if (q->active < -1 || q->active > 1)
		xf_errs_add(errs, "active: 应为 1（在职）、0（不在职）或 -1（全部）");
	if (q->unit_id < 0)
		xf_errs_add(errs, "unit_id: 单位编号应为正整数");
	if (q->q) {
		long n = xf_utf8_text_chars(q->q, false);
		if (n < 0)
			xf_errs_add(errs, "q: 搜索词含有无效字符");
		else if (n > Q_MAX_CHARS)
			xf_errs_add(errs, "q: 搜索词不能超过 %d 个字符", Q_MAX_CHARS);
	}
	return xf_errs_count(errs) > before ? -1 : 0;
}

int xf_people_list_json(xf_store *s, const xf_unit_scope *scope, const xf_people_query *q,
			FILE *f, xf_errs *errs)
{
	list_plan pl = {0};
	xf_stmt *st = NULL;
	int rc = -1;
	long long total = 0;
	if (check_query(q, errs) != 0)
		return -1;
	if (scope != NULL && plan_build(&pl, scope, q, errs) != 0)
		goto out;
	/* No scope, or one without a unit: nobody to show. */
	bool none = scope == NULL || (pl.scope_text && pl.scope_text[0] == '\0');
	if (!none) {
		sqlbuf sql = {0};
		sb_add(&sql, "%s SELECT count(*) FROM people p WHERE 1 = 1%s", pl.with.s, pl.where.s);
		if (sql.over) {
			xf_errs_add(errs, "查询语句过长 (query too long)");
			goto out;
		}
		st = xf_stmt_prepare(s, sql.s, errs);
		if (st == NULL)
			goto out;
		if (plan_bind(&pl, st) != 0)
			goto bind_fail;
		if (xf_stmt_step(st, errs) != XF_STEP_ROW)
			goto out;
		total = xf_stmt_int(st, 0);
		xf_stmt_finalize(st);
		st = NULL;
	}
	long long offset = (q->page - 1) * q->per_page;
	if (total > offset) {
		sqlbuf sql = {0};
		int lim = pl.np + 1, off = pl.np + 2;
		sb_add(&sql, "%s SELECT " PERSON_COLS PERSON_FROM " WHERE 1 = 1%s"
			     " ORDER BY CASE WHEN u.code IS NULL THEN 1 ELSE 0 END, u.code, p.name, p.id"
			     " LIMIT $%d OFFSET $%d",
		       pl.with.s, pl.where.s, lim, off);
		if (sql.over) {
			xf_errs_add(errs, "查询语句过长 (query too long)");
			goto out;
		}
		st = xf_stmt_prepare(s, sql.s, errs);
		if (st == NULL)
			goto out;
		if ((plan_bind(&pl, st) | xf_stmt_bind_int(st, lim, q->per_page) |
		     xf_stmt_bind_int(st, off, offset)) != 0)
			goto bind_fail;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "total", total);
	xf_jw_kint(&w, "page", q->page);
	xf_jw_kint(&w, "per_page", q->per_page);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	if (st) {
		xf_step r;
		while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
			xf_jw_obj(&w);
			write_person_fields(&w, st);
			xf_jw_obj_end(&w);
		}
		if (r == XF_STEP_ERROR)
			goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
	goto out;
bind_fail:
	xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
out:
	xf_stmt_finalize(st);
	free(pl.scope_text);
	free(pl.pattern);
	return rc;
}

/* ---- one person ---- */

int xf_people_unit_of(xf_store *s, long long person_id, long long *unit_id, xf_errs *errs)
{
	*unit_id = 0;
	return xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1", errs, BIND_FAILED,
			    XF_IN(person_id), XF_OUT(unit_id));
}

int xf_people_get_json(xf_store *s, const xf_unit_scope *scope, long long person_id,
		       FILE *f, xf_errs *errs)
{
	int rc = -1;
	xf_jw w;
	xf_step r;
	xf_stmt *st = prep_id(s, "SELECT " PERSON_COLS PERSON_FROM " WHERE p.id = $1", person_id,
			      errs);
	if (st == NULL)
		return -1;
	r = xf_stmt_step(st, errs);
	if (r != XF_STEP_ROW) {
		rc = r == XF_STEP_DONE ? 1 : -1;
		goto out;
	}
	if (!xf_unit_scope_has(scope, xf_stmt_is_null(st, 4) ? 0 : xf_stmt_int(st, 4))) {
		rc = 1;
		goto out;
	}
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	write_person_fields(&w, st);
	xf_stmt_finalize(st);

	st = prep_id(s, "SELECT kind, date_from, date_to, participates FROM periods"
			" WHERE person_id = $1 ORDER BY date_from, id", person_id, errs);
	if (st == NULL)
		goto out;
	xf_jw_key(&w, "periods");
	xf_jw_arr(&w);
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "kind", xf_stmt_text(st, 0));
		xf_jw_kstr(&w, "from", xf_stmt_text(st, 1));
		xf_jw_kstr(&w, "to", xf_stmt_text(st, 2));
		xf_jw_kbool(&w, "participates", xf_stmt_int(st, 3) != 0);
		xf_jw_obj_end(&w);
	}
	if (r == XF_STEP_ERROR)
		goto out;
	xf_jw_arr_end(&w);
	xf_stmt_finalize(st);

	st = prep_id(s, "SELECT year, flag FROM person_flags WHERE person_id = $1"
			" ORDER BY year, flag", person_id, errs);
	if (st == NULL)
		goto out;
	xf_jw_key(&w, "flags");
	xf_jw_obj(&w);
	long long year = LLONG_MIN;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		long long y = xf_stmt_int(st, 0);
		if (y != year) {
			char key[24];
			if (year != LLONG_MIN)
				xf_jw_arr_end(&w);
			snprintf(key, sizeof(key), "%lld", y);
			xf_jw_key(&w, key);
			xf_jw_arr(&w);
			year = y;
		}
		xf_jw_str(&w, xf_stmt_text(st, 1));
	}
	if (r == XF_STEP_ERROR)
		goto out;
	if (year != LLONG_MIN)
		xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	xf_stmt_finalize(st);

	st = prep_id(s, "SELECT id, username FROM users WHERE person_id = $1", person_id, errs);
	if (st == NULL)
		goto out;
	r = xf_stmt_step(st, errs);
	if (r == XF_STEP_ERROR)
		goto out;
	xf_jw_key(&w, "user");
	if (r == XF_STEP_ROW) {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
		xf_jw_kstr(&w, "username", xf_stmt_text(st, 1));
		xf_jw_obj_end(&w);
	} else {
		xf_jw_null(&w);
	}
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	return rc;
}

/* ---- update ---- */

enum { F_NAME, F_STAFF_NO, F_ID_CARD, F_PHONE, F_UNIT_ID, F_ROLE, F_JOINED, F_ACTIVE, F_COUNT };

static const char *const field_keys[F_COUNT] = {
	[F_NAME] = "name", [F_STAFF_NO] = "staff_no", [F_ID_CARD] = "id_card",
	[F_PHONE] = "phone", [F_UNIT_ID] = "unit_id", [F_ROLE] = "role",
	[F_JOINED] = "joined", [F_ACTIVE] = "active",
};
static const char *const field_labels[F_COUNT] = {
	[F_NAME] = "姓名", [F_STAFF_NO] = "工号", [F_ID_CARD] = "身份证号",
	[F_PHONE] = "手机号", [F_UNIT_ID] = "所属单位", [F_ROLE] = "岗位",
	[F_JOINED] = "入职日期", [F_ACTIVE] = "在职状态",
};

/* A person's changeable values: text fields by F_* (NULL for SQL NULL;
 * unused for F_UNIT_ID and F_ACTIVE). */
typedef struct pvals {
	char *text[F_COUNT];
	long long unit_id; /* 0: none */
	bool active;
} pvals;

static void pvals_cleanup(pvals *v)
{
	for (int i = 0; i < F_COUNT; i++)
		free(v->text[i]);
	memset(v, 0, sizeof(*v));
}

/* The GB 11643 check character of the first 17 digits of an 18-digit ID. */
static char id_check_char(const char *v)
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (v[i] - '0') * weights[i];
	return "10X98765432"[sum % 11];
}

static bool all_digits(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

const char *xf_id_card_problem(const char *t)
{
	size_t n = strlen(t);
	if (n == 15 && all_digits(t, 15))
		return NULL;
	if (n != 18 || !all_digits(t, 17) ||
	    !((t[17] >= '0' && t[17] <= '9') || t[17] == 'X' || t[17] == 'x'))
		return "身份证号应为 18 位（末位为数字或 X）或 15 位数字";
	char last = t[17] == 'x' ? 'X' : t[17];
	return id_check_char(t) == last ? NULL : "身份证号校验位不正确";
}

const char *xf_phone_problem(const char *t)
{
	size_t n = strlen(t);
	return n == 11 && t[0] == '1' && all_digits(t, 11) ? NULL
							    : "手机号应为以 1 开头的 11 位数字";
}

/* Checks one field's value (its syntax; existence and uniqueness come
 * later, in the transaction) and stores it in nv. */
static void check_field(int fi, const cJSON *v, pvals *nv, xf_errs *errs)
{
	const char *key = field_keys[fi], *label = field_labels[fi];
	if (fi == F_ACTIVE) {
		if (!cJSON_IsBool(v))
			xf_errs_add(errs, "active: 在职状态应为 true 或 false");
		else
			nv->active = cJSON_IsTrue(v);
		return;
	}
	if (fi == F_UNIT_ID) {
		double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
		if (!cJSON_IsNumber(v) || d < 1 || d > 9007199254740992.0 || d != (double)(long long)d)
			xf_errs_add(errs, "unit_id: 所属单位应为单位编号（正整数）");
		else
			nv->unit_id = (long long)d;
		return;
	}
	if (!cJSON_IsString(v)) {
		xf_errs_add(errs, "%s: %s应为字符串", key, label);
		return;
	}
	const char *t = v->valuestring;
	long chars = xf_utf8_text_chars(t, false);
	if (chars < 0) {
		xf_errs_add(errs, "%s: %s含有无效字符", key, label);
		return;
	}
	size_t n = strlen(t);
	char idbuf[19];
	switch (fi) {
	case F_NAME:
	case F_STAFF_NO:
	case F_ROLE:
		if (xf_text_blank(t)) {
			xf_errs_add(errs, "%s: %s不能为空", key, label);
			return;
		}
		if (chars > (fi == F_NAME ? NAME_MAX_CHARS : TEXT_MAX_CHARS)) {
			xf_errs_add(errs, "%s: %s不能超过 %d 个字符", key, label,
				    fi == F_NAME ? NAME_MAX_CHARS : TEXT_MAX_CHARS);
			return;
		}
		break;
	case F_ID_CARD: {
		const char *why = xf_id_card_problem(t);
		if (why) {
			xf_errs_add(errs, "id_card: %s", why);
			return;
		}
		if (n == 18) {
			memcpy(idbuf, t, 18);
			idbuf[18] = '\0';
			if (idbuf[17] == 'x')
				idbuf[17] = 'X';
			t = idbuf;
		}
		break;
	}
	case F_PHONE: {
		const char *why = xf_phone_problem(t);
		if (why) {
			xf_errs_add(errs, "phone: %s", why);
			return;
		}
		break;
	}
	case F_JOINED: {
		xf_date d;
		if (xf_date_parse(t, &d) != 0) {
			xf_errs_add(errs, "joined: 应为 YYYY-MM-DD 格式的日期");
			return;
		}
		break;
	}
	default:
		break;
	}
	nv->text[fi] = strdup(t);
	if (nv->text[fi] == NULL)
		oom(errs);
}

/* Reads a person's values in the transaction; 1 when gone. */
static int load_person(xf_store *s, long long id, pvals *v, xf_errs *errs)
{
	return xf_query_row(s, "SELECT name, staff_no, id_card, phone, role, joined, unit_id,"
			    " active FROM people WHERE id = $1", errs, BIND_FAILED, XF_IN(id),
			    XF_OUT(&v->text[F_NAME]), XF_OUT(&v->text[F_STAFF_NO]),
			    XF_OUT(&v->text[F_ID_CARD]), XF_OUT(&v->text[F_PHONE]),
			    XF_OUT(&v->text[F_ROLE]), XF_OUT(&v->text[F_JOINED]),
			    XF_OUT(&v->unit_id), XF_OUT(&v->active));
}

static bool field_changed(int fi, const pvals *old, const pvals *nv)
{
	if (fi == F_UNIT_ID)
		return old->unit_id != nv->unit_id;
	if (fi == F_ACTIVE)
		return old->active != nv->active;
	return !xf_text_same(old->text[fi], nv->text[fi]);
}

/* Adds field fi of v to an audit object (ID card and phone masked). */
static cJSON *audit_value(int fi, const pvals *v)
{
	if (fi == F_UNIT_ID)
		return v->unit_id > 0 ? cJSON_CreateNumber((double)v->unit_id) : cJSON_CreateNull();
	if (fi == F_ACTIVE)
		return cJSON_CreateBool(v->active);
	const char *t = v->text[fi];
	if (t == NULL)
		return cJSON_CreateNull();
	if (fi == F_ID_CARD || fi == F_PHONE) {
		char m[MASK_BUF];
		mask(t, m, sizeof(m));
		return cJSON_CreateString(m);
	}
	return cJSON_CreateString(t);
}

/* Checks a changed staff number and unit against the database (in the
 * transaction). Adds messages; -1 only on a database error. */
static int check_in_db(xf_store *s, const xf_unit_scope *scope, long long person_id,
		       const bool given[F_COUNT], const pvals *old, const pvals *nv, xf_errs *errs)
{
	if (given[F_STAFF_NO] && field_changed(F_STAFF_NO, old, nv)) {
		char *holder = NULL;
		int f = xf_query_row(s, "SELECT name FROM people WHERE staff_no = $1 AND id <> $2",
				     errs, BIND_FAILED, XF_IN(nv->text[F_STAFF_NO]), XF_IN(person_id),
				     XF_OUT(&holder));
		if (f < 0)
			return -1;
		if (f == 0)
			xf_errs_add(errs, "staff_no: 工号 %s 已被 %s 使用", nv->text[F_STAFF_NO],
				    holder);
		free(holder);
	}
	if (given[F_UNIT_ID] && field_changed(F_UNIT_ID, old, nv)) {
		int f = xf_query_row(s, "SELECT id FROM units WHERE id = $1", errs, BIND_FAILED,
				     XF_IN(nv->unit_id));
		if (f < 0)
			return -1;
		/* Out of scope reads as missing: a reviewer learns nothing of
		 * other units. */
		if (f == 1 || !xf_unit_scope_has(scope, nv->unit_id))
			xf_errs_add(errs, "unit_id: 单位 %lld 不存在", nv->unit_id);
	}
	return 0;
}

/* Writes one audit row with before/after as compact JSON. */
static int audit_json(xf_store *s, const char *actor, const char *action, long long person_id,
		      const cJSON *before, const cJSON *after, xf_errs *errs)
{
	char object[48];
	person_object(object, sizeof(object), person_id);
	return xf_audit_json(s, actor, action, object, before, after, errs);
}

/* Parses json as a value of the wanted type (cJSON_Object / cJSON_Array);
 * NULL with a message naming what. */
static cJSON *parse_json(const char *json, int type, const char *what, xf_errs *errs)
{
	cJSON *root = json ? cJSON_Parse(json) : NULL;
	if (root == NULL || (root->type & 0xff) != type) {
		xf_errs_add(errs, "%s: 应为 JSON %s", what, type == cJSON_Object ? "对象" : "数组");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int xf_people_update(xf_store *s, const xf_unit_scope *scope, long long person_id,
		     const char *json, const char *actor, xf_errs *errs)
{
	pvals old = {0}, nv = {0};
	bool given[F_COUNT] = {false};
	bool in_tx = false;
	cJSON *root = NULL, *before = NULL, *after = NULL;
	xf_data *d = NULL;
	int rc = person_visible(s, scope, person_id, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	root = parse_json(json, cJSON_Object, "请求内容", errs);
	if (root == NULL)
		goto out;
	size_t nerr = xf_errs_count(errs);
	const cJSON *m;
	cJSON_ArrayForEach(m, root) {
		int fi = -1;
		for (int i = 0; i < F_COUNT; i++)
			if (strcmp(m->string, field_keys[i]) == 0)
				fi = i;
		if (fi < 0) {
			xf_errs_add(errs, "%.*s: 未知字段", (int)xf_utf8_prefix(m->string, KEY_SHOW_BYTES), m->string);
			continue;
		}
		if (given[fi]) {
			xf_errs_add(errs, "%s: 字段重复", field_keys[fi]);
			continue;
		}
		given[fi] = true;
		check_field(fi, m, &nv, errs);
	}
	if (xf_errs_count(errs) > nerr)
		goto out;

	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int got = load_person(s, person_id, &old, errs);
	if (got != 0) {
		rc = got;
		goto out;
	}
	if (!xf_unit_scope_has(scope, old.unit_id)) { /* moved away meanwhile */
		rc = 1;
		goto out;
	}
	/* Fields not given keep their values. */
	for (int i = 0; i < F_COUNT; i++) {
		if (given[i] || i == F_UNIT_ID || i == F_ACTIVE)
			continue;
		if (old.text[i] && (nv.text[i] = strdup(old.text[i])) == NULL) {
			oom(errs);
			goto out;
		}
	}
	if (!given[F_UNIT_ID])
		nv.unit_id = old.unit_id;
	if (!given[F_ACTIVE])
		nv.active = old.active;
	if (check_in_db(s, scope, person_id, given, &old, &nv, errs) != 0 ||
	    xf_errs_count(errs) > nerr)
		goto out;

	before = cJSON_CreateObject();
	after = cJSON_CreateObject();
	if (before == NULL || after == NULL) {
		oom(errs);
		goto out;
	}
	bool row_changed = false;
	for (int i = 0; i < F_COUNT; i++) {
		if (!field_changed(i, &old, &nv))
			continue;
		if (i != F_ACTIVE)
			row_changed = true;
		cJSON *bv = audit_value(i, &old), *av = audit_value(i, &nv);
		if (bv == NULL || av == NULL || !cJSON_AddItemToObject(before, field_keys[i], bv) ||
		    !cJSON_AddItemToObject(after, field_keys[i], av)) {
			oom(errs);
			goto out;
		}
	}
	if (cJSON_GetArraySize(after) == 0) { /* nothing to change */
		xf_store_rollback(s);
		in_tx = false;
		rc = 0;
		goto out;
	}
	if (row_changed) {
		d = xf_data_new(s, errs);
		if (d == NULL)
			goto out;
		xf_person_row row = {
			.name = nv.text[F_NAME], .staff_no = nv.text[F_STAFF_NO],
			.id_card = nv.text[F_ID_CARD], .phone = nv.text[F_PHONE],
			.unit_id = nv.unit_id, .role = nv.text[F_ROLE], .joined = nv.text[F_JOINED],
		};
		if (xf_data_person_update(d, person_id, &row, errs) != 0)
			goto out;
	}
	/* xf_data_person_update does not write `active`. */
	if (nv.active != old.active &&
	    xf_query_exec(s, "UPDATE people SET active = $2 WHERE id = $1", errs, BIND_FAILED,
			  XF_IN(person_id), XF_IN(nv.active ? 1 : 0)) != 0)
		goto out;
	if (audit_json(s, actor, "person.update", person_id, before, after, errs) != 0 ||
	    xf_store_commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_data_free(d);
	cJSON_Delete(root);
	cJSON_Delete(before);
	cJSON_Delete(after);
	pvals_cleanup(&old);
	pvals_cleanup(&nv);
	return rc;
}

/* ---- periods ---- */

static bool period_kind_ok(const char *k)
{
	return strcmp(k, "secondment") == 0 || strcmp(k, "sick_leave") == 0 ||
	       strcmp(k, "leave") == 0;
}

/* Checks the periods array; fills rows (pointing into arr's strings). */
static void check_periods(const cJSON *arr, xf_period_row *rows, size_t *n, xf_errs *errs)
{
	static const char *const keys[] = {"kind", "from", "to", "participates"};
	size_t i = 0;
	const cJSON *el;
	*n = 0;
	cJSON_ArrayForEach(el, arr) {
		xf_period_row *p = &rows[i];
		memset(p, 0, sizeof(*p));
		p->participates = true;
		if (!cJSON_IsObject(el)) {
			xf_errs_add(errs, "periods[%zu]: 应为对象 {kind, from, to, participates}", i);
			i++;
			continue;
		}
		const cJSON *m;
		cJSON_ArrayForEach(m, el) {
			bool known = false;
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				known = known || strcmp(m->string, keys[k]) == 0;
			if (!known)
				xf_errs_add(errs, "periods[%zu].%.*s: 未知字段", i, (int)xf_utf8_prefix(m->string, KEY_SHOW_BYTES),
					    m->string);
		}
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(el, "kind");
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(el, "from");
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(el, "to");
		const cJSON *part = cJSON_GetObjectItemCaseSensitive(el, "participates");
		xf_date df = 0, dt = 0;
		if (!cJSON_IsString(kind) || !period_kind_ok(kind->valuestring))
			xf_errs_add(errs, "periods[%zu].kind: 类型应为 secondment（借调）、"
				    "sick_leave（病假）或 leave（事假）", i);
		else
			p->kind = kind->valuestring;
		if (!cJSON_IsString(from) || xf_date_parse(from->valuestring, &df) != 0)
			xf_errs_add(errs, "periods[%zu].from: 开始日期应为 YYYY-MM-DD 格式的日期", i);
		else
			p->from = from->valuestring;
		if (!cJSON_IsString(to) || xf_date_parse(to->valuestring, &dt) != 0)
			xf_errs_add(errs, "periods[%zu].to: 结束日期应为 YYYY-MM-DD 格式的日期", i);
		else
			p->to = to->valuestring;
		if (df && dt && dt < df)
			xf_errs_add(errs, "periods[%zu].to: 结束日期 %s 早于开始日期 %s", i, p->to,
				    p->from);
		if (part && !cJSON_IsBool(part))
			xf_errs_add(errs, "periods[%zu].participates: 是否参加考核应为 true 或 false", i);
		else if (part)
			p->participates = cJSON_IsTrue(part);
		i++;
	}
	*n = i;
}

static cJSON *period_json(const char *kind, const char *from, const char *to, bool part)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddStringToObject(o, "from", from) || !cJSON_AddStringToObject(o, "to", to) ||
	    !cJSON_AddBoolToObject(o, "participates", part)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The person's periods now, as an audit array. */
static cJSON *periods_now(xf_store *s, long long person_id, xf_errs *errs)
{
	cJSON *arr = cJSON_CreateArray();
	xf_stmt *st = prep_id(s, "SELECT kind, date_from, date_to, participates FROM periods"
				 " WHERE person_id = $1 ORDER BY id", person_id, errs);
	xf_step r;
	if (arr == NULL || st == NULL)
		goto fail;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		cJSON *o = period_json(xf_stmt_text(st, 0), xf_stmt_text(st, 1),
				       xf_stmt_text(st, 2), xf_stmt_int(st, 3) != 0);
		if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom_fail;
		}
	}
	if (r == XF_STEP_ERROR)
		goto fail;
	xf_stmt_finalize(st);
	return arr;
oom_fail:
	oom(errs);
fail:
	if (arr == NULL)
		oom(errs);
	xf_stmt_finalize(st);
	cJSON_Delete(arr);
	return NULL;
}

int xf_people_set_periods(xf_store *s, const xf_unit_scope *scope, long long person_id,
			  const char *json, const char *actor, xf_errs *errs)
{
	xf_period_row rows[PERIODS_MAX];
	size_t n = 0;
	bool in_tx = false;
	cJSON *root = NULL, *before = NULL, *after = NULL;
	xf_data *d = NULL;
	int rc = person_visible(s, scope, person_id, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	root = parse_json(json, cJSON_Array, "periods", errs);
	if (root == NULL)
		goto out;
	if (cJSON_GetArraySize(root) > PERIODS_MAX) {
		xf_errs_add(errs, "periods: 最多 %d 段", PERIODS_MAX);
		goto out;
	}
	size_t nerr = xf_errs_count(errs);
	check_periods(root, rows, &n, errs);
	if (xf_errs_count(errs) > nerr)
		goto out;
	after = cJSON_CreateArray();
	if (after == NULL)
		goto oom_out;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = period_json(rows[i].kind, rows[i].from, rows[i].to, rows[i].participates);
		if (o == NULL || !cJSON_AddItemToArray(after, o)) {
			cJSON_Delete(o);
			goto oom_out;
		}
	}
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int vis = person_visible(s, scope, person_id, errs);
	if (vis != 0) {
		rc = vis;
		goto out;
	}
	before = periods_now(s, person_id, errs);
	if (before == NULL)
		goto out;
	d = xf_data_new(s, errs);
	if (d == NULL || xf_data_set_periods(d, person_id, rows, n, errs) != 0 ||
	    audit_json(s, actor, "person.periods", person_id, before, after, errs) != 0 ||
	    xf_store_commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
	goto out;
oom_out:
	oom(errs);
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_data_free(d);
	cJSON_Delete(root);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

/* ---- flags ---- */

static bool flag_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > FLAG_MAX_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static cJSON *flags_audit(int year, cJSON *list)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddNumberToObject(o, "year", year) ||
	    !cJSON_AddItemToObject(o, "flags", list)) {
		cJSON_Delete(o);
		cJSON_Delete(list);
		return NULL;
	}
	return o;
}

/* The person's flags for the year now, as an audit object. */
static cJSON *flags_now(xf_store *s, long long person_id, int year, xf_errs *errs)
{
	cJSON *arr = cJSON_CreateArray();
	xf_stmt *st = prep_id(s, "SELECT flag FROM person_flags WHERE person_id = $1 AND year = $2"
				 " ORDER BY flag", person_id, errs);
	xf_step r = XF_STEP_ERROR;
	if (arr == NULL) {
		oom(errs);
		goto fail;
	}
	if (st == NULL)
		goto fail;
	if (xf_stmt_bind_int(st, 2, year) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto fail;
	}
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		cJSON *v = cJSON_CreateString(xf_stmt_text(st, 0));
		if (v == NULL || !cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			oom(errs);
			goto fail;
		}
	}
	if (r == XF_STEP_ERROR)
		goto fail;
	xf_stmt_finalize(st);
	cJSON *o = flags_audit(year, arr);
	if (o == NULL)
		oom(errs);
	return o;
fail:
	xf_stmt_finalize(st);
	cJSON_Delete(arr);
	return NULL;
}

/* The shipped policy the person's unit (or the nearest unit above it)
 * uses in year: *out set, or NULL when none is assigned or it is not a
 * shipped one (a policy file: flags are then checked by the assessment).
 * 0, or -1 on a database error. */
static int person_policy(xf_store *s, long long person_id, int year, const xf_policy **out,
			 xf_errs *errs)
{
	*out = NULL;
	long long unit = 0;
	char *ref = NULL;
	int f = xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1", errs, BIND_FAILED,
			     XF_IN(person_id), XF_OUT(&unit));
	if (f == 0 && unit != 0)
		f = xf_query_row(s, XF_SCOPE_UNIT_POLICY, errs, BIND_FAILED, XF_IN(unit),
				 XF_IN(year), XF_OUT(&ref));
	if (f < 0)
		return -1;
	if (ref) {
		xf_errs ignored;
		xf_errs_init(&ignored);
		*out = xf_policy_builtin_shared(ref, &ignored);
		xf_errs_cleanup(&ignored);
		free(ref);
	}
	return 0;
}

int xf_people_set_flags(xf_store *s, const xf_unit_scope *scope, long long person_id,
			int year, const char *json, const char *actor, xf_errs *errs)
{
	const char *flags[FLAGS_MAX];
	size_t n = 0;
	bool in_tx = false;
	cJSON *root = NULL, *before = NULL, *after = NULL;
	xf_data *d = NULL;
	int rc = person_visible(s, scope, person_id, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	size_t nerr = xf_errs_count(errs);
	if (year < 1900 || year > 2999)
		xf_errs_add(errs, "year: 年度应在 1900 到 2999 之间");
	root = parse_json(json, cJSON_Array, "flags", errs);
	if (root == NULL || xf_errs_count(errs) > nerr)
		goto out;
	if (cJSON_GetArraySize(root) > FLAGS_MAX) {
		xf_errs_add(errs, "flags: 最多 %d 个标记", FLAGS_MAX);
		goto out;
	}
	const cJSON *el;
	size_t i = 0;
	cJSON_ArrayForEach(el, root) {
		if (!cJSON_IsString(el) || !flag_key_ok(el->valuestring)) {
			xf_errs_add(errs, "flags[%zu]: 标记应为由小写字母、数字和下划线组成的键"
				    "（如 retiring），不超过 %d 个字符", i, FLAG_MAX_BYTES);
		} else {
			bool dup = false;
			for (size_t k = 0; k < n && !dup; k++)
				dup = strcmp(flags[k], el->valuestring) == 0;
			if (dup)
				xf_errs_add(errs, "flags[%zu]: 标记 %s 重复", i, el->valuestring);
			else
				flags[n++] = el->valuestring;
		}
		i++;
	}
	if (xf_errs_count(errs) > nerr)
		goto out;
	/* Only flags the person's policy knows: an unknown one would stop the
	 * year's assessment later. */
	const xf_policy *pol;
	if (person_policy(s, person_id, year, &pol, errs) != 0)
		goto out;
	for (size_t k = 0; pol && k < n; k++)
		if (xf_policy_flag(pol, flags[k]) < 0)
			xf_errs_add(errs, "flags[%zu]: 标记 %s 不在 %d 年度的学分办法 %s 中", k, flags[k],
				    year, pol->id);
	if (xf_errs_count(errs) > nerr)
		goto out;
	cJSON *list = cJSON_CreateStringArray(flags, (int)n);
	after = list ? flags_audit(year, list) : NULL;
	if (after == NULL) {
		oom(errs);
		goto out;
	}
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int vis = person_visible(s, scope, person_id, errs);
	if (vis != 0) {
		rc = vis;
		goto out;
	}
	before = flags_now(s, person_id, year, errs);
	if (before == NULL)
		goto out;
	d = xf_data_new(s, errs);
	if (d == NULL || xf_data_set_flags(d, person_id, year, flags, n, errs) != 0 ||
	    audit_json(s, actor, "person.flags", person_id, before, after, errs) != 0 ||
	    xf_store_commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_data_free(d);
	cJSON_Delete(root);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

/* ---- reveal ---- */

int xf_people_reveal_json(xf_store *s, long long person_id, const char *actor, FILE *f,
			  xf_errs *errs)
{
	char *id_card = NULL, *phone = NULL;
	int rc = -1;
	int got = xf_query_row(s, "SELECT id_card, phone FROM people WHERE id = $1", errs,
			       BIND_FAILED, XF_IN(person_id), XF_OUT(&id_card), XF_OUT(&phone));
	if (got != 0)
		return got;
	/* The audit row first: no number leaves without its record. */
	if (audit_json(s, actor, "person.reveal", person_id, NULL, NULL, errs) != 0)
		goto out;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", person_id);
	xf_jw_kstr(&w, "id_card", id_card);
	xf_jw_kstr(&w, "phone", phone);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	free(id_card);
	free(phone);
	return rc;
}

/* ---- units ---- */

typedef struct unit {
	long long id, parent_id; /* parent_id 0: none */
	char *code, *name, *kind, *policy; /* policy: its own assignment for the year */
	long long people;                   /* active people directly in it */
	int parent;                         /* index, -1: none */
	bool visible;
} unit;

typedef struct kid {
	int parent; /* index of the parent */
	int ix;     /* index of the child */
	const char *code;
} kid;

typedef struct tree {
	unit *u;
	size_t n;
	kid *kids; /* sorted by parent, code */
	size_t nkids;
} tree;

static void tree_cleanup(tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->u[i].code);
		free(t->u[i].name);
		free(t->u[i].kind);
		free(t->u[i].policy);
	}
	free(t->u);
	free(t->kids);
	memset(t, 0, sizeof(*t));
}

static int unit_index(const tree *t, long long id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->u[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->u[lo].id == id ? (int)lo : -1;
}

static int cmp_kid(const void *a, const void *b)
{
	const kid *x = a, *y = b;
	if (x->parent != y->parent)
		return (x->parent > y->parent) - (x->parent < y->parent);
	return strcmp(x->code, y->code);
}

/* Loads every unit (sorted by id), its own policy for year and its count
 * of active people. */
static int tree_load(xf_store *s, int year, tree *t, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, "SELECT id, code, name, parent_id, kind FROM units"
					 " ORDER BY id", errs);
	xf_step r;
	size_t cap = 0;
	if (st == NULL)
		return -1;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			unit *p = realloc(t->u, ncap * sizeof(*p));
			if (p == NULL)
				goto oom_fail;
			t->u = p;
			cap = ncap;
		}
		unit *u = &t->u[t->n];
		memset(u, 0, sizeof(*u));
		t->n++;
		u->id = xf_stmt_int(st, 0);
		u->parent_id = xf_stmt_is_null(st, 3) ? 0 : xf_stmt_int(st, 3);
		u->code = dup_or_null(xf_stmt_text(st, 1));
		u->name = dup_or_null(xf_stmt_text(st, 2));
		u->kind = dup_or_null(xf_stmt_text(st, 4));
		if (u->code == NULL || u->name == NULL || (!xf_stmt_is_null(st, 4) && u->kind == NULL))
			goto oom_fail;
	}
	if (r == XF_STEP_ERROR)
		goto fail;
	xf_stmt_finalize(st);

	st = xf_stmt_prepare(s, "SELECT unit_id, count(*) FROM people WHERE active = 1"
				" AND unit_id IS NOT NULL GROUP BY unit_id", errs);
	if (st == NULL)
		goto fail;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		int i = unit_index(t, xf_stmt_int(st, 0));
		if (i >= 0)
			t->u[i].people = xf_stmt_int(st, 1);
	}
	if (r == XF_STEP_ERROR)
		goto fail;
	xf_stmt_finalize(st);

	st = prep_id(s, "SELECT unit_id, policy FROM policy_assignments WHERE year = $1", year,
		     errs);
	if (st == NULL)
		goto fail;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		int i = unit_index(t, xf_stmt_int(st, 0));
		if (i >= 0 && t->u[i].policy == NULL &&
		    (t->u[i].policy = dup_or_null(xf_stmt_text(st, 1))) == NULL)
			goto oom_fail;
	}
	if (r == XF_STEP_ERROR)
		goto fail;
	xf_stmt_finalize(st);
	st = NULL;

	for (size_t i = 0; i < t->n; i++)
		t->u[i].parent = t->u[i].parent_id ? unit_index(t, t->u[i].parent_id) : -1;
	return 0;
oom_fail:
	oom(errs);
fail:
	xf_stmt_finalize(st);
	return -1;
}

/* The policy of unit i: its own, or the nearest ancestor's (bounded, so a
 * loop in the data cannot hang). */
static const char *tree_policy(const tree *t, int i)
{
	for (size_t steps = 0; i >= 0 && steps <= t->n; steps++) {
		if (t->u[i].policy)
			return t->u[i].policy;
		i = t->u[i].parent;
	}
	return NULL;
}

/* The first kid of parent p (index into t->kids), or nkids. */
static size_t first_kid(const tree *t, int p)
{
	size_t lo = 0, hi = t->nkids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->kids[mid].parent < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Writes node i and its visible children; -1 when deeper than
 * TREE_MAX_DEPTH. */
static int write_node(xf_jw *w, const tree *t, int i, int depth, bool root, xf_errs *errs)
{
	const unit *u = &t->u[i];
	if (depth > TREE_MAX_DEPTH) {
		xf_errs_add(errs, "单位层级超过 %d 层，无法显示 (unit tree too deep)", TREE_MAX_DEPTH);
		return -1;
	}
	xf_jw_obj(w);
	xf_jw_kint(w, "id", u->id);
	xf_jw_kstr(w, "code", u->code);
	xf_jw_kstr(w, "name", u->name);
	xf_jw_kstr(w, "kind", u->kind);
	xf_jw_kint(w, "people", u->people);
	xf_jw_kstr(w, "policy", tree_policy(t, i));
	if (root) {
		/* The names of the ancestors not shown, top first. */
		int chain[TREE_MAX_DEPTH * 4];
		size_t n = 0;
		for (int a = u->parent; a >= 0 && n < sizeof(chain) / sizeof(chain[0]);
		     a = t->u[a].parent)
			chain[n++] = a;
		xf_jw_key(w, "path");
		xf_jw_arr(w);
		while (n > 0)
			xf_jw_str(w, t->u[chain[--n]].name);
		xf_jw_arr_end(w);
	}
	xf_jw_key(w, "children");
	xf_jw_arr(w);
	for (size_t k = first_kid(t, i); k < t->nkids && t->kids[k].parent == i; k++) {
		int c = t->kids[k].ix;
		if (t->u[c].visible && write_node(w, t, c, depth + 1, false, errs) != 0)
			return -1;
	}
	xf_jw_arr_end(w);
	xf_jw_obj_end(w);
	return 0;
}

int xf_units_tree_json(xf_store *s, const xf_unit_scope *scope, int year, FILE *f,
		       xf_errs *errs)
{
	tree t = {0};
	kid *roots = NULL;
	size_t nroots = 0;
	int rc = -1;
	if (tree_load(s, year, &t, errs) != 0)
		goto out;
	t.kids = malloc((t.n ? t.n : 1) * sizeof(*t.kids));
	roots = malloc((t.n ? t.n : 1) * sizeof(*roots));
	if (t.kids == NULL || roots == NULL) {
		oom(errs);
		goto out;
	}
	for (size_t i = 0; i < t.n; i++)
		t.u[i].visible = xf_unit_scope_has(scope, t.u[i].id);
	for (size_t i = 0; i < t.n; i++) {
		unit *u = &t.u[i];
		if (u->parent >= 0)
			t.kids[t.nkids++] = (kid){u->parent, (int)i, u->code};
		if (u->visible && (u->parent < 0 || !t.u[u->parent].visible))
			roots[nroots++] = (kid){-1, (int)i, u->code};
	}
	qsort(t.kids, t.nkids, sizeof(*t.kids), cmp_kid);
	qsort(roots, nroots, sizeof(*roots), cmp_kid);
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_arr(&w);
	for (size_t r = 0; r < nroots; r++)
		if (write_node(&w, &t, roots[r].ix, 1, true, errs) != 0)
			goto out;
	xf_jw_arr_end(&w);
	rc = 0;
out:
	free(roots);
	tree_cleanup(&t);
	return rc;
}

#define UNIT_SUBTREE_CTE                                                                   \
	"WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = $1"                      \
	" UNION SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)"

int xf_units_get_json(xf_store *s, const xf_unit_scope *scope, long long unit_id, int year,
		      FILE *f, xf_errs *errs)
{
	int rc = -1;
	char *policy = NULL;
	long long people = 0;
	xf_step r;
	if (!xf_unit_scope_has(scope, unit_id))
		return 1;
	xf_stmt *st = NULL;
	if (xf_query_row(s, XF_SCOPE_UNIT_POLICY, errs, BIND_FAILED, XF_IN(unit_id), XF_IN(year),
			 XF_OUT(&policy)) < 0 ||
	    xf_query_row(s, UNIT_SUBTREE_CTE " SELECT count(*) FROM people WHERE active = 1"
					     " AND unit_id IN (SELECT id FROM sub)",
			 errs, BIND_FAILED, XF_IN(unit_id), XF_OUT(&people)) != 0)
		goto out;
	st = prep_id(s, "SELECT u.id, u.code, u.name, u.kind, u.parent_id, pu.code, pu.name"
			" FROM units u LEFT JOIN units pu ON pu.id = u.parent_id WHERE u.id = $1",
		     unit_id, errs);
	if (st == NULL)
		goto out;
	r = xf_stmt_step(st, errs);
	if (r != XF_STEP_ROW) {
		rc = r == XF_STEP_DONE ? 1 : -1;
		goto out;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
	xf_jw_kstr(&w, "code", xf_stmt_text(st, 1));
	xf_jw_kstr(&w, "name", xf_stmt_text(st, 2));
	xf_jw_kstr(&w, "kind", xf_stmt_text(st, 3));
	xf_jw_key(&w, "parent");
	if (xf_stmt_is_null(st, 4) || xf_stmt_is_null(st, 5)) {
		xf_jw_null(&w);
	} else {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 4));
		xf_jw_kstr(&w, "code", xf_stmt_text(st, 5));
		xf_jw_kstr(&w, "name", xf_stmt_text(st, 6));
		xf_jw_obj_end(&w);
	}
	xf_jw_kstr(&w, "policy", policy);
	xf_jw_kint(&w, "people", people);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	free(policy);
	return rc;
}

int xf_units_subtree(xf_store *s, long long unit_id, long long **out, size_t *n,
		     xf_errs *errs)
{
	long long *ids = NULL;
	size_t cnt = 0, cap = 0;
	int rc = -1;
	xf_step r;
	*out = NULL;
	*n = 0;
	xf_stmt *st = prep_id(s, UNIT_SUBTREE_CTE " SELECT id FROM sub ORDER BY id", unit_id, errs);
	if (st == NULL)
		return -1;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			long long *p = realloc(ids, ncap * sizeof(*p));
			if (p == NULL) {
				oom(errs);
				goto out;
			}
			ids = p;
			cap = ncap;
		}
		ids[cnt++] = xf_stmt_int(st, 0);
	}
	if (r == XF_STEP_ERROR)
		goto out;
	if (cnt == 0) {
		rc = 1;
		goto out;
	}
	*out = ids;
	*n = cnt;
	ids = NULL;
	rc = 0;
out:
	xf_stmt_finalize(st);
	free(ids);
	return rc;
}
