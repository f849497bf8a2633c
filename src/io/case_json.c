/* case_json: reads an assessment case (spec/case-format.md) from JSON text
 * with cJSON and validates it against its policy into the engine's inputs.
 *
 * Every problem becomes one message `PATH: 中文说明 (English)` and reading
 * goes on, so a user sees all of them at once. Paths are formatted only when
 * a problem is reported. Records, metrics, scores and history are stored
 * grouped by person with a counting sort (one pass to count, one to place),
 * so the reader stays linear in the size of the file. */
#include "core/utf8.h"
#include "io/case.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

#define NO_PERSON UINT32_MAX
#define LIST_SHOWN 16   /* keys listed in an "expected one of" message */
#define QUOTE_MAX 40    /* bytes of an offending value shown in a message */

/* ---- bounded string building ---- */

typedef struct sbuf {
	char *p;
	size_t size, len;
} sbuf;

static void sb_init(sbuf *b, char *p, size_t size)
{
	b->p = p;
	b->size = size;
	b->len = 0;
	p[0] = '\0';
}

/* Appends (printf format); output past the buffer is dropped. */
__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n;
	if (b->len >= b->size)
		b->len = b->size - 1;
}


/* Appends s as a quoted, escaped string of at most QUOTE_MAX bytes, so a
 * hostile value cannot flood or garble a message. */
static void sb_quote(sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t shown = 0;
	sb_printf(b, "\"");
	while (*u) {
		if (shown >= QUOTE_MAX) {
			sb_printf(b, "…");
			break;
		}
		size_t n = *u >= 0x80 ? xf_utf8_char_len(u, 4) : 1;
		if (*u == '"' || *u == '\\')
			sb_printf(b, "\\%c", *u);
		else if (*u < 0x20 || *u == 0x7F)
			sb_printf(b, "\\u%04x", *u);
		else if (n == 0)
			sb_printf(b, "\\x%02x", *u);
		else
			sb_printf(b, "%.*s", (int)n, (const char *)u);
		n = n ? n : 1;
		u += n;
		shown += n;
	}
	sb_printf(b, "\"");
}

static void fmt_num(double v, char buf[32])
{
	snprintf(buf, 32, "%.15g", v);
}

/* ---- paths and reporting ---- */

/* Where a value is: list[i].sub[j].field, each part optional. */
typedef struct jpath {
	const char *list; /* "records", ...; NULL for top-level fields */
	size_t i;
	const char *sub;  /* "periods", "flags"; NULL when none */
	size_t j;
} jpath;

static const jpath ROOT = {NULL, 0, NULL, 0};

static void path_format(const jpath *at, const char *field, sbuf *b)
{
	if (at->list)
		sb_printf(b, "%s[%zu]", at->list, at->i);
	if (at->sub)
		sb_printf(b, ".%s[%zu]", at->sub, at->j);
	if (field)
		sb_printf(b, "%s%s", b->len ? "." : "", field);
}

typedef struct reader {
	xf_case *c;
	xf_errs *errs;
	const xf_policy *p;   /* NULL when not resolved: policy checks skipped */
	bool have_people;     /* people is an array: check references to it */
	xf_strmap *ids;       /* person id -> index */
	xf_strmap *score_keys; /* "person:line" -> first scores[] index */
	size_t problems;
	bool oom;
} reader;

/* Adds `PATH: message`, or the bare message when the path is empty. */
__attribute__((format(printf, 4, 5)))
static void report(reader *r, const jpath *at, const char *field,
		   const char *fmt, ...)
{
	r->problems++;
	if (r->errs->n >= XF_ERRS_MAX) {
		xf_errs_add(r->errs, "%s", ""); /* counted as dropped */
		return;
	}
	char pbuf[256], mbuf[2048];
	sbuf path;
	sb_init(&path, pbuf, sizeof(pbuf));
	path_format(at, field, &path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mbuf, sizeof(mbuf), fmt, ap);
	va_end(ap);
	if (path.len)
		xf_errs_add(r->errs, "%s: %s", pbuf, mbuf);
	else
		xf_errs_add(r->errs, "%s", mbuf);
}

static void out_of_memory(reader *r)
{
	if (!r->oom)
		report(r, &ROOT, NULL, "内存不足 (out of memory)");
	r->oom = true;
}

/* Describes a JSON value for "got ...": zh and en. */
static void describe(const cJSON *v, char *zh, char *en, size_t size)
{
	sbuf z, e;
	char num[32];
	sb_init(&z, zh, size);
	sb_init(&e, en, size);
	if (cJSON_IsString(v) && v->valuestring) {
		sb_printf(&z, "字符串 ");
		sb_quote(&z, v->valuestring);
		sb_printf(&e, "string ");
		sb_quote(&e, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		fmt_num(v->valuedouble, num);
		sb_printf(&z, "数字 %s", num);
		sb_printf(&e, "number %s", num);
	} else if (cJSON_IsBool(v)) {
		const char *t = cJSON_IsTrue(v) ? "true" : "false";
		sb_printf(&z, "布尔值 %s", t);
		sb_printf(&e, "boolean %s", t);
	} else if (cJSON_IsNull(v)) {
		sb_printf(&z, " null");
		sb_printf(&e, "null");
	} else if (cJSON_IsArray(v)) {
		sb_printf(&z, "数组");
		sb_printf(&e, "an array");
	} else if (cJSON_IsObject(v)) {
		sb_printf(&z, "对象");
		sb_printf(&e, "an object");
	} else {
		sb_printf(&z, "无效值");
		sb_printf(&e, "an invalid value");
	}
}

/* What a field should be, for "expected ..." (zh, en). */
typedef struct want {
	const char *zh, *en;
} want;

static const want W_STRING = {"字符串", "a string"};
static const want W_BOOL = {"布尔值 true 或 false", "true or false"};
static const want W_DATE = {" YYYY-MM-DD 格式的日期", "a date YYYY-MM-DD"};
static const want W_MONTH = {" YYYY-MM 格式的月份", "a month YYYY-MM"};
static const want W_ARRAY = {"数组", "an array"};
static const want W_OBJECT = {"对象", "an object"};

static void missing(reader *r, const jpath *at, const char *field, want w)
{
	report(r, at, field, "缺少必填字段，应为%s (missing required field; expected %s)",
	       w.zh, w.en);
}

static void wrong_type(reader *r, const jpath *at, const char *field,
		       const cJSON *v, want w)
{
	char zh[256], en[256];
	describe(v, zh, en, sizeof(zh));
	report(r, at, field, "应为%s，实际为%s (expected %s, got %s)", w.zh, zh,
	       w.en, en);
}

/* ---- "expected one of" lists ---- */

typedef struct keylist {
	const char *k[LIST_SHOWN];
	int n; /* all keys, listed or not */
} keylist;

static void keylist_add(keylist *l, const char *k)
{
	if (l->n < LIST_SHOWN)
		l->k[l->n] = k;
	l->n++;
}

/* "应为 a、b 之一" / "expected one of a, b" (or just the key when one). */
static void expect_keys(const keylist *l, sbuf *zh, sbuf *en)
{
	int shown = l->n < LIST_SHOWN ? l->n : LIST_SHOWN;
	sb_printf(zh, "应为 ");
	sb_printf(en, l->n == 1 ? "expected " : "expected one of ");
	for (int i = 0; i < shown; i++) {
		sb_printf(zh, "%s%s", i ? "、" : "", l->k[i]);
		sb_printf(en, "%s%s", i ? ", " : "", l->k[i]);
	}
	if (l->n > shown) {
		sb_printf(zh, " 等 %d 个", l->n);
		sb_printf(en, " and %d more", l->n - shown);
	}
	if (l->n > 1)
		sb_printf(zh, " 之一");
}

/* Reports `未知WHAT "value"，应为 a、b 之一 (unknown WHAT; expected one of a, b)`. */
static void unknown_key(reader *r, const jpath *at, const char *field,
			const char *zh_what, const char *en_what,
			const char *value, const keylist *l)
{
	char qb[256], zb[1024], eb[1024];
	sbuf q, z, e;
	sb_init(&q, qb, sizeof(qb));
	sb_init(&z, zb, sizeof(zb));
	sb_init(&e, eb, sizeof(eb));
	sb_quote(&q, value);
	if (l->n == 0) {
		report(r, at, field, "未知%s %s，该政策未定义任何%s (unknown %s; the policy defines none)",
		       zh_what, qb, zh_what, en_what);
		return;
	}
	expect_keys(l, &z, &e);
	report(r, at, field, "未知%s %s，%s (unknown %s; %s)", zh_what, qb, zb,
	       en_what, eb);
}

/* ---- field lookup ---- */

#define MAX_FIELDS 24

/* Finds the known fields of an object in one pass over its members; the
 * first of duplicated keys wins, JSON null counts as absent, unknown keys
 * are ignored. */
static void find_fields(const cJSON *obj, const char *const *names, size_t n,
			const cJSON **out)
{
	memset(out, 0, n * sizeof(*out));
	for (const cJSON *m = obj->child; m; m = m->next) {
		const char *k = m->string;
		if (k == NULL)
			continue;
		for (size_t f = 0; f < n; f++) {
			if (k[0] != names[f][0] || strcmp(k, names[f]) != 0)
				continue;
			if (out[f] == NULL)
				out[f] = m;
			break;
		}
	}
	for (size_t f = 0; f < n; f++)
		if (out[f] && cJSON_IsNull(out[f]))
			out[f] = NULL;
}

static size_t count_items(const cJSON *arr)
{
	size_t n = 0;
	for (const cJSON *e = arr->child; e; e = e->next)
		n++;
	return n;
}

/* ---- typed getters: each returns V_OK, V_ABSENT, or V_BAD (reported) ---- */

enum { V_BAD = -1, V_ABSENT = 0, V_OK = 1 };

static int get_string(reader *r, const jpath *at, const char *field,
		      const cJSON *v, bool required, const char **out)
{
	*out = NULL;
	if (v == NULL) {
		if (!required)
			return V_ABSENT;
		missing(r, at, field, W_STRING);
		return V_BAD;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		wrong_type(r, at, field, v, W_STRING);
		return V_BAD;
	}
	*out = v->valuestring;
	return V_OK;
}

/* Allowed values of a number field. */
typedef struct range {
	double lo, hi;
	bool lo_open;  /* > lo rather than >= lo */
	bool integer;
	want w;
} range;

static const range R_NONNEG = {0, INFINITY, false, false,
			       {"不小于 0 的数", "a number >= 0"}};
static const range R_POSITIVE = {0, INFINITY, true, false,
				 {"大于 0 的数", "a number > 0"}};
static const range R_SCORE = {0, 100, false, false,
			      {" 0 到 100 之间的数", "a number from 0 to 100"}};
static const range R_NONNEG_INT = {0, INT32_MAX, false, true,
				   {"不小于 0 的整数", "an integer >= 0"}};
static const range R_YEAR = {1900, 2999, false, true,
			     {" 1900 到 2999 之间的整数年份",
			      "a whole year from 1900 to 2999"}};

static bool in_range(double d, const range *rg)
{
	if (!isfinite(d))
		return false;
	if (rg->integer && d != floor(d))
		return false;
	if (rg->lo_open ? !(d > rg->lo) : !(d >= rg->lo))
		return false;
	return d <= rg->hi;
}

static int get_number(reader *r, const jpath *at, const char *field,
		      const cJSON *v, bool required, const range *rg, double *out)
{
	if (v == NULL) {
		if (required)
			missing(r, at, field, rg->w);
		return required ? V_BAD : V_ABSENT;
	}
	if (!cJSON_IsNumber(v)) {
		wrong_type(r, at, field, v, rg->w);
		return V_BAD;
	}
	if (!in_range(v->valuedouble, rg)) {
		char num[32];
		fmt_num(v->valuedouble, num);
		report(r, at, field, "应为%s，实际为 %s (expected %s, got %s)",
		       rg->w.zh, num, rg->w.en, num);
		return V_BAD;
	}
	*out = v->valuedouble;
	return V_OK;
}

static int get_int(reader *r, const jpath *at, const char *field,
		   const cJSON *v, bool required, const range *rg, int32_t *out)
{
	double d = 0;
	int rc = get_number(r, at, field, v, required, rg, &d);
	if (rc == V_OK)
		*out = (int32_t)d;
	return rc;
}

/* *out: 1 true, 0 false; untouched when absent or bad. */
static int get_bool(reader *r, const jpath *at, const char *field,
		    const cJSON *v, int *out)
{
	if (v == NULL)
		return V_ABSENT;
	if (!cJSON_IsBool(v)) {
		wrong_type(r, at, field, v, W_BOOL);
		return V_BAD;
	}
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return V_OK;
}

static int get_date(reader *r, const jpath *at, const char *field,
		    const cJSON *v, bool required, xf_date *out)
{
	if (v == NULL) {
		if (required)
			missing(r, at, field, W_DATE);
		return required ? V_BAD : V_ABSENT;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		wrong_type(r, at, field, v, W_DATE);
		return V_BAD;
	}
	if (xf_date_parse(v->valuestring, out) != 0) {
		char qb[256];
		sbuf q;
		sb_init(&q, qb, sizeof(qb));
		sb_quote(&q, v->valuestring);
		report(r, at, field, "日期无效 %s，应为 YYYY-MM-DD 格式的真实日期 (invalid date; expected a real date YYYY-MM-DD)",
		       qb);
		return V_BAD;
	}
	return V_OK;
}

static int get_month(reader *r, const jpath *at, const char *field,
		     const cJSON *v, int *year, int *month)
{
	if (v == NULL) {
		missing(r, at, field, W_MONTH);
		return V_BAD;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		wrong_type(r, at, field, v, W_MONTH);
		return V_BAD;
	}
	if (xf_month_parse(v->valuestring, year, month) != 0) {
		char qb[256];
		sbuf q;
		sb_init(&q, qb, sizeof(qb));
		sb_quote(&q, v->valuestring);
		report(r, at, field, "月份无效 %s，应为 YYYY-MM 格式的月份 (invalid month; expected YYYY-MM)",
		       qb);
		return V_BAD;
	}
	return V_OK;
}

/* Interns s into m; -1 (reported) on allocation failure. */
static int32_t intern(reader *r, xf_strmap *m, const char *s, const char **copy)
{
	int32_t id = xf_strmap_intern(m, s, copy);
	if (id < 0) {
		out_of_memory(r);
		return -1;
	}
	return id;
}

/* ---- the policy ---- */

static bool is_policy_path(const char *ref)
{
	size_t n = strlen(ref);
	return strchr(ref, '/') != NULL ||
	       (n >= 5 && strcmp(ref + n - 5, ".yaml") == 0) ||
	       (n >= 4 && strcmp(ref + n - 4, ".yml") == 0);
}

static bool is_builtin(const char *id)
{
	for (size_t i = 0; i < xf_builtin_policy_count; i++)
		if (strcmp(xf_builtin_policies[i].id, id) == 0)
			return true;
	return false;
}

static void unknown_policy(reader *r, const char *ref)
{
	keylist l = {.n = 0};
	char qb[256], zb[1024], eb[1024];
	sbuf q, z, e;
	for (size_t i = 0; i < xf_builtin_policy_count; i++)
		keylist_add(&l, xf_builtin_policies[i].id);
	sb_init(&q, qb, sizeof(qb));
	sb_init(&z, zb, sizeof(zb));
	sb_init(&e, eb, sizeof(eb));
	sb_quote(&q, ref);
	expect_keys(&l, &z, &e);
	report(r, &ROOT, "policy", "未知政策 %s，%s，或政策文件路径 (unknown policy; %s, or a path to a policy file)",
	       qb, zb, eb);
}

/* Resolves the case's policy. The loader's own messages (file, line, key)
 * are passed on under the path `policy`. */
static void resolve_policy(reader *r, const char *ref, const char *base_dir)
{
	xf_errs perr;
	xf_errs_init(&perr);
	r->c->policy = xf_policy_resolve(ref, base_dir, &perr);
	r->p = r->c->policy;
	if (r->p == NULL) {
		if (!is_policy_path(ref) && !is_builtin(ref)) {
			unknown_policy(r, ref);
		} else {
			for (size_t i = 0; i < perr.n; i++)
				report(r, &ROOT, "policy", "%s", perr.msgs[i]);
			if (perr.n == 0 || perr.dropped)
				report(r, &ROOT, "policy", "无法加载政策 (cannot load the policy)");
		}
	}
	xf_errs_cleanup(&perr);
}

/* ---- people ---- */

static const char *const PERIOD_KINDS[XF_PERIOD_KINDS] = {
	[XF_PERIOD_SECONDMENT] = "secondment",
	[XF_PERIOD_SICK_LEAVE] = "sick_leave",
	[XF_PERIOD_LEAVE] = "leave",
};

static const char *const PERIOD_FIELDS[] = {"kind", "from", "to", "participates"};
enum { PD_KIND, PD_FROM, PD_TO, PD_PARTICIPATES, PD_N };

static void read_period(reader *r, const jpath *at, const cJSON *v, xf_period *pd)
{
	const cJSON *f[PD_N];
	const char *kind;
	int b;

	pd->participates = true;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, PERIOD_FIELDS, PD_N, f);
	if (get_string(r, at, "kind", f[PD_KIND], true, &kind) == V_OK) {
		keylist l = {.n = 0};
		int k = 0;
		for (k = 0; k < XF_PERIOD_KINDS; k++) {
			if (strcmp(kind, PERIOD_KINDS[k]) == 0)
				break;
			keylist_add(&l, PERIOD_KINDS[k]);
		}
		if (k == XF_PERIOD_KINDS)
			unknown_key(r, at, "kind", "时段类型", "period kind", kind, &l);
		else
			pd->kind = (xf_period_kind)k;
	}
	int from_ok = get_date(r, at, "from", f[PD_FROM], true, &pd->from);
	int to_ok = get_date(r, at, "to", f[PD_TO], true, &pd->to);
	if (from_ok == V_OK && to_ok == V_OK && pd->to < pd->from)
		report(r, at, "to", "结束日期 %s 早于开始日期 %s (to is before from)",
		       f[PD_TO]->valuestring, f[PD_FROM]->valuestring);
	if (get_bool(r, at, "participates", f[PD_PARTICIPATES], &b) == V_OK)
		pd->participates = b;
}

static void read_periods(reader *r, const jpath *at, const cJSON *v,
			 xf_person *ps, size_t *next)
{
	if (v == NULL)
		return;
	if (!cJSON_IsArray(v)) {
		wrong_type(r, at, "periods", v, W_ARRAY);
		return;
	}
	xf_period *pds = r->c->periods + *next;
	jpath pat = {at->list, at->i, "periods", 0};
	size_t n = 0;
	for (const cJSON *e = v->child; e; e = e->next, n++) {
		pat.j = n;
		read_period(r, &pat, e, &pds[n]);
	}
	ps->periods = pds;
	ps->nperiods = n;
	*next += n;
}

static void read_flags(reader *r, const jpath *at, const cJSON *v, xf_person *ps)
{
	if (v == NULL)
		return;
	if (!cJSON_IsArray(v)) {
		wrong_type(r, at, "flags", v, W_ARRAY);
		return;
	}
	jpath fat = {at->list, at->i, "flags", 0};
	for (const cJSON *e = v->child; e; e = e->next, fat.j++) {
		const char *key;
		if (get_string(r, &fat, NULL, e, true, &key) != V_OK || r->p == NULL)
			continue;
		int fl = xf_policy_flag(r->p, key);
		if (fl >= 0 && fl < 32) {
			ps->flags |= 1u << fl;
			continue;
		}
		keylist l = {.n = 0};
		for (int i = 0; i < r->p->nflags; i++)
			keylist_add(&l, r->p->flags[i].key);
		unknown_key(r, &fat, NULL, "标记", "flag", key, &l);
	}
}

static void read_role(reader *r, const jpath *at, const cJSON *v, xf_person *ps)
{
	const char *role;
	if (r->p == NULL) {
		get_string(r, at, "role", v, false, &role);
		return;
	}
	if (r->p->nroles == 0)
		return; /* the policy has no roles: ignored */
	keylist l = {.n = 0};
	for (int i = 0; i < r->p->nroles; i++)
		keylist_add(&l, r->p->roles[i].key);
	if (v == NULL) {
		char zb[1024], eb[1024];
		sbuf z, e;
		sb_init(&z, zb, sizeof(zb));
		sb_init(&e, eb, sizeof(eb));
		expect_keys(&l, &z, &e);
		report(r, at, "role", "缺少角色：该政策按角色确定应修学分，%s (missing role; the policy sets required credits by role: %s)",
		       zb, eb);
		return;
	}
	if (get_string(r, at, "role", v, true, &role) != V_OK)
		return;
	ps->role = xf_policy_role(r->p, role);
	if (ps->role < 0)
		unknown_key(r, at, "role", "角色", "role", role, &l);
}

static void read_id(reader *r, const jpath *at, const cJSON *v, xf_person *ps)
{
	const char *id;
	if (get_string(r, at, "id", v, true, &id) != V_OK)
		return;
	if (id[0] == '\0') {
		report(r, at, "id", "不能为空，应为非空字符串 (must not be empty; expected a non-empty string)");
		return;
	}
	if (intern(r, r->c->strings, id, &ps->id) < 0)
		return;
	int32_t first = xf_strmap_put(r->ids, id, (int32_t)at->i, NULL);
	if (first == -2) {
		out_of_memory(r);
	} else if ((size_t)first != at->i) {
		char qb[256];
		sbuf q;
		sb_init(&q, qb, sizeof(qb));
		sb_quote(&q, id);
		report(r, at, "id", "人员 id %s 重复，已用于 people[%d] (duplicate person id; already used by people[%d])",
		       qb, (int)first, (int)first);
	}
}

static void read_unit(reader *r, const jpath *at, const cJSON *v, xf_person *ps)
{
	const char *unit;
	if (get_string(r, at, "unit", v, false, &unit) == V_BAD)
		return;
	if (unit && unit[0]) {
		if (intern(r, r->c->strings, unit, &ps->unit) >= 0)
			ps->unit_id = intern(r, r->c->units, unit, NULL);
		return;
	}
	if (r->p && r->p->has_groups) {
		const char *g = r->p->group_name ? r->p->group_name : "单位";
		report(r, at, "unit", "缺少单位：该政策按单位（%s）分组 (missing unit; the policy groups people by unit (%s))",
		       g, g);
	}
}

static const char *const PERSON_FIELDS[] = {"id", "name", "unit", "role",
					    "joined", "periods", "flags"};
enum { PF_ID, PF_NAME, PF_UNIT, PF_ROLE, PF_JOINED, PF_PERIODS, PF_FLAGS, PF_N };

static void read_person(reader *r, const jpath *at, const cJSON *v,
			xf_person *ps, size_t *next_period)
{
	const cJSON *f[PF_N];
	const char *name;

	ps->unit_id = -1;
	ps->role = -1;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, PERSON_FIELDS, PF_N, f);
	read_id(r, at, f[PF_ID], ps);
	if (get_string(r, at, "name", f[PF_NAME], false, &name) == V_OK)
		intern(r, r->c->strings, name, &ps->name);
	read_unit(r, at, f[PF_UNIT], ps);
	read_role(r, at, f[PF_ROLE], ps);
	get_date(r, at, "joined", f[PF_JOINED], false, &ps->joined);
	read_periods(r, at, f[PF_PERIODS], ps, next_period);
	read_flags(r, at, f[PF_FLAGS], ps);
}

/* Periods of all people, to size c->periods once. */
static size_t count_periods(const cJSON *people)
{
	size_t n = 0;
	for (const cJSON *e = people->child; e; e = e->next) {
		if (!cJSON_IsObject(e))
			continue;
		const cJSON *f[PF_N];
		find_fields(e, PERSON_FIELDS, PF_N, f);
		if (cJSON_IsArray(f[PF_PERIODS]))
			n += count_items(f[PF_PERIODS]);
	}
	return n;
}

static void read_people(reader *r, const cJSON *v)
{
	xf_case *c = r->c;
	if (v == NULL) {
		missing(r, &ROOT, "people", W_ARRAY);
		return;
	}
	if (!cJSON_IsArray(v)) {
		wrong_type(r, &ROOT, "people", v, W_ARRAY);
		return;
	}
	size_t n = count_items(v), np = count_periods(v);
	if (n >= INT32_MAX) {
		report(r, &ROOT, "people", "人员过多 (too many people)");
		return;
	}
	c->people = calloc(n ? n : 1, sizeof(*c->people));
	c->periods = calloc(np ? np : 1, sizeof(*c->periods));
	if (c->people == NULL || c->periods == NULL) {
		out_of_memory(r);
		return;
	}
	c->npeople = n;
	c->nperiods = np;
	r->have_people = true;
	size_t next_period = 0;
	jpath at = {"people", 0, NULL, 0};
	for (const cJSON *e = v->child; e; e = e->next, at.i++)
		read_person(r, &at, e, &c->people[at.i], &next_period);
}

/* ---- entries that belong to a person ---- */

/* The person an entry names, NO_PERSON when it names none we know. */
static uint32_t entry_person(const reader *r, const cJSON *v)
{
	if (!cJSON_IsObject(v))
		return NO_PERSON;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "person");
	if (!cJSON_IsString(p) || p->valuestring == NULL)
		return NO_PERSON;
	int32_t i = xf_strmap_get(r->ids, p->valuestring);
	return i < 0 ? NO_PERSON : (uint32_t)i;
}

/* Checks an entry's `person` field (already looked up as `person`). */
static void check_person(reader *r, const jpath *at, const cJSON *v,
			 uint32_t person)
{
	const char *id;
	if (get_string(r, at, "person", v, true, &id) != V_OK)
		return;
	if (person == NO_PERSON && r->have_people) {
		char qb[256];
		sbuf q;
		sb_init(&q, qb, sizeof(qb));
		sb_quote(&q, id);
		report(r, at, "person", "未知人员 %s，people 中没有此 id (unknown person; no such id in people)",
		       qb);
	}
}

/* Reads one entry into dest (which the function fully initialises). */
typedef void (*entry_fn)(reader *r, const jpath *at, const cJSON *v,
			 uint32_t person, void *dest);

/* A list of entries grouped by person. */
typedef struct plist {
	void *arr;
	size_t n;
	size_t *off; /* [npeople + 1] */
} plist;

/* Reads a top-level list: counts entries per person, then reads each entry
 * in input order straight into its place (a counting sort, stable within a
 * person). Entries that name no known person are read (so that their other
 * problems are reported) into scratch space and not stored. */
static void read_list(reader *r, const cJSON *v, const char *name,
		      size_t elem_size, entry_fn fn, plist *out)
{
	size_t np = r->c->npeople, n = 0;
	uint32_t *pidx = NULL;
	size_t *cursor = NULL;
	union {
		xf_record r;
		xf_metric m;
		xf_score s;
		xf_history h;
	} scratch;

	memset(out, 0, sizeof(*out));
	out->off = calloc(np + 1, sizeof(*out->off));
	if (out->off == NULL)
		goto oom;
	if (v != NULL && !cJSON_IsArray(v)) {
		wrong_type(r, &ROOT, name, v, W_ARRAY);
		v = NULL;
	}
	n = v ? count_items(v) : 0;
	if (n > UINT32_MAX) {
		report(r, &ROOT, name, "条目过多 (too many entries)");
		n = 0;
		v = NULL;
	}
	out->arr = calloc(n ? n : 1, elem_size);
	pidx = malloc((n ? n : 1) * sizeof(*pidx));
	cursor = malloc((np ? np : 1) * sizeof(*cursor));
	if (out->arr == NULL || pidx == NULL || cursor == NULL)
		goto oom;

	size_t k = 0;
	for (const cJSON *e = v ? v->child : NULL; e; e = e->next, k++) {
		pidx[k] = entry_person(r, e);
		if (pidx[k] != NO_PERSON)
			out->off[pidx[k] + 1]++;
	}
	for (size_t i = 0; i < np; i++) {
		out->off[i + 1] += out->off[i];
		cursor[i] = out->off[i];
	}
	out->n = out->off[np];

	jpath at = {name, 0, NULL, 0};
	for (const cJSON *e = v ? v->child : NULL; e; e = e->next, at.i++) {
		uint32_t p = pidx[at.i];
		void *dest = &scratch;
		if (p != NO_PERSON)
			dest = (char *)out->arr + cursor[p]++ * elem_size;
		fn(r, &at, e, p, dest);
	}
	goto done;
oom:
	out_of_memory(r);
done:
	free(pidx);
	free(cursor);
}

/* ---- records ---- */

static const char *const RECORD_FIELDS[] = {
	"person", "item", "date", "level", "count", "days", "months",
	"hours", "minutes", "attended_minutes", "score", "passed",
	"completed", "online", "kind", "approved", "awarded", "speaker",
	"activity", "credits"};
enum {
	RF_PERSON, RF_ITEM, RF_DATE, RF_LEVEL, RF_COUNT, RF_DAYS, RF_MONTHS,
	RF_HOURS, RF_MINUTES, RF_ATTENDED, RF_SCORE, RF_PASSED, RF_COMPLETED,
	RF_ONLINE, RF_KIND, RF_APPROVED, RF_AWARDED, RF_SPEAKER, RF_ACTIVITY,
	RF_CREDITS, RF_N
};

static void read_item(reader *r, const jpath *at, const cJSON *v, xf_record *rec)
{
	const char *key;
	if (get_string(r, at, "item", v, true, &key) != V_OK || r->p == NULL)
		return;
	int item = xf_policy_item(r->p, key);
	if (item >= 0) {
		rec->item = (int16_t)item;
		return;
	}
	keylist l = {.n = 0};
	for (int i = 0; i < r->p->nitems; i++)
		keylist_add(&l, r->p->items[i].key);
	unknown_key(r, at, "item", "项目", "item", key, &l);
}

/* Reports a missing (key NULL), unknown or unsuitable level for an item
 * valued by level, naming the levels the item takes. */
static void bad_level(reader *r, const jpath *at, const xf_item *it,
		      const char *key)
{
	keylist l = {.n = 0};
	char zb[1024], eb[1024], qb[256];
	sbuf z, e, q;

	for (int i = 0; i < r->p->nlevels; i++)
		if (!isnan(it->level_points[i]))
			keylist_add(&l, r->p->levels[i].key);
	if (key && xf_policy_level(r->p, key) < 0) {
		unknown_key(r, at, "level", "级别", "level", key, &l);
		return;
	}
	sb_init(&z, zb, sizeof(zb));
	sb_init(&e, eb, sizeof(eb));
	sb_init(&q, qb, sizeof(qb));
	expect_keys(&l, &z, &e);
	if (key == NULL) {
		report(r, at, "level", "缺少级别：%s 按级别计分，%s (missing level; item %s is valued by level: %s)",
		       it->key, zb, it->key, eb);
		return;
	}
	sb_quote(&q, key);
	report(r, at, "level", "级别 %s 不适用于 %s，%s (level not valid for item %s; %s)",
	       qb, it->key, zb, it->key, eb);
}

/* The level of a record whose item is valued by level: required, and one
 * the item takes. Levels on flat items are ignored. */
static void read_level(reader *r, const jpath *at, const cJSON *v, xf_record *rec)
{
	const char *key;
	if (r->p == NULL || rec->item < 0) {
		get_string(r, at, "level", v, false, &key);
		return;
	}
	const xf_item *it = &r->p->items[rec->item];
	if (it->level_points == NULL)
		return;
	if (v == NULL) {
		bad_level(r, at, it, NULL);
		return;
	}
	if (get_string(r, at, "level", v, true, &key) != V_OK)
		return;
	int level = xf_policy_level(r->p, key);
	if (level < 0 || level >= r->p->nlevels || isnan(it->level_points[level])) {
		bad_level(r, at, it, key);
		return;
	}
	rec->level = (int8_t)level;
}

/* Sets bit when the field is `when` (absent leaves the default). */
static void read_flag_bit(reader *r, const jpath *at, const char *field,
			  const cJSON *v, int when, uint16_t bit, xf_record *rec)
{
	int b;
	if (get_bool(r, at, field, v, &b) == V_OK && b == when)
		rec->bits |= bit;
}

static void read_record_bits(reader *r, const jpath *at, const cJSON **f,
			     xf_record *rec)
{
	int b;
	if (get_bool(r, at, "passed", f[RF_PASSED], &b) == V_OK)
		rec->bits |= XF_R_PASSED_SET | (b ? XF_R_PASSED : 0);
	read_flag_bit(r, at, "completed", f[RF_COMPLETED], 0, XF_R_NOT_COMPLETED, rec);
	read_flag_bit(r, at, "online", f[RF_ONLINE], 1, XF_R_ONLINE, rec);
	read_flag_bit(r, at, "approved", f[RF_APPROVED], 0, XF_R_NOT_APPROVED, rec);
	read_flag_bit(r, at, "awarded", f[RF_AWARDED], 1, XF_R_AWARDED, rec);
	read_flag_bit(r, at, "speaker", f[RF_SPEAKER], 1, XF_R_SPEAKER, rec);
}

static void read_record_numbers(reader *r, const jpath *at, const cJSON **f,
				xf_record *rec)
{
	get_number(r, at, "count", f[RF_COUNT], false, &R_NONNEG, &rec->count);
	get_number(r, at, "days", f[RF_DAYS], false, &R_POSITIVE, &rec->days);
	get_number(r, at, "months", f[RF_MONTHS], false, &R_NONNEG, &rec->months);
	get_number(r, at, "hours", f[RF_HOURS], false, &R_NONNEG, &rec->hours);
	get_int(r, at, "minutes", f[RF_MINUTES], false, &R_NONNEG_INT, &rec->minutes);
	get_int(r, at, "attended_minutes", f[RF_ATTENDED], false, &R_NONNEG_INT,
		&rec->attended);
	get_number(r, at, "score", f[RF_SCORE], false, &R_SCORE, &rec->score);
	get_number(r, at, "credits", f[RF_CREDITS], false, &R_NONNEG, &rec->credits);
}

static void read_record_keys(reader *r, const jpath *at, const cJSON **f,
			     xf_record *rec)
{
	const char *s;
	if (get_string(r, at, "kind", f[RF_KIND], false, &s) == V_OK && r->p) {
		int k = xf_policy_kind(r->p, s);
		rec->kind = (int8_t)(k >= 0 && k < INT8_MAX ? k : -1);
	}
	if (get_string(r, at, "activity", f[RF_ACTIVITY], false, &s) == V_OK && s[0])
		rec->activity = intern(r, r->c->activities, s, NULL);
}

static void read_record(reader *r, const jpath *at, const cJSON *v,
			uint32_t person, void *dest)
{
	xf_record *rec = dest;
	const cJSON *f[RF_N];

	memset(rec, 0, sizeof(*rec));
	rec->index = (uint32_t)at->i;
	rec->item = -1;
	rec->level = -1;
	rec->kind = -1;
	rec->activity = -1;
	rec->minutes = -1;
	rec->attended = -1;
	rec->count = 1;
	rec->days = 1;
	rec->score = NAN;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, RECORD_FIELDS, RF_N, f);
	check_person(r, at, f[RF_PERSON], person);
	read_item(r, at, f[RF_ITEM], rec);
	get_date(r, at, "date", f[RF_DATE], true, &rec->date);
	read_level(r, at, f[RF_LEVEL], rec);
	read_record_numbers(r, at, f, rec);
	read_record_bits(r, at, f, rec);
	read_record_keys(r, at, f, rec);
}

/* ---- metrics ---- */

static const char *const METRIC_FIELDS[] = {"person", "metric", "month", "value"};
enum { MF_PERSON, MF_METRIC, MF_MONTH, MF_VALUE, MF_N };

static void read_metric(reader *r, const jpath *at, const cJSON *v,
			uint32_t person, void *dest)
{
	xf_metric *m = dest;
	const cJSON *f[MF_N];
	const char *key;
	int year = 0, month = 0;

	memset(m, 0, sizeof(*m));
	m->index = (uint32_t)at->i;
	m->metric = -1;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, METRIC_FIELDS, MF_N, f);
	check_person(r, at, f[MF_PERSON], person);
	if (get_string(r, at, "metric", f[MF_METRIC], true, &key) == V_OK && r->p) {
		int k = xf_policy_metric(r->p, key);
		if (k >= 0) {
			m->metric = (int16_t)k;
		} else {
			keylist l = {.n = 0};
			for (int i = 0; i < r->p->nmetrics; i++)
				keylist_add(&l, r->p->metrics[i]);
			unknown_key(r, at, "metric", "指标", "metric", key, &l);
		}
	}
	if (get_month(r, at, "month", f[MF_MONTH], &year, &month) == V_OK) {
		m->year = (int16_t)year;
		m->month = (int8_t)month;
	}
	get_number(r, at, "value", f[MF_VALUE], true, &R_NONNEG, &m->value);
}

/* ---- scorecard scores ---- */

static const char *const SCORE_FIELDS[] = {"person", "line", "self", "review"};
enum { SF_PERSON, SF_LINE, SF_SELF, SF_REVIEW, SF_N };

/* A self or review score: 0..the line's maximum (>= 0 when the line is not
 * known). */
static bool read_line_score(reader *r, const jpath *at, const char *field,
			    const cJSON *v, const xf_line *line, double *out)
{
	range rg = R_NONNEG;
	char zb[256], eb[256];
	if (line) {
		char num[32];
		fmt_num(line->max, num);
		snprintf(zb, sizeof(zb), " 0 到 %s 之间的分数（评分项 %s 满分 %s）",
			 num, line->key, num);
		snprintf(eb, sizeof(eb), "a score from 0 to %s (line %s has a maximum of %s)",
			 num, line->key, num);
		rg.hi = line->max;
		rg.w.zh = zb;
		rg.w.en = eb;
	}
	return get_number(r, at, field, v, false, &rg, out) == V_OK;
}

/* The same person and line twice is an error naming the first. */
static void check_score_dup(reader *r, const jpath *at, uint32_t person, int line)
{
	char key[48];
	if (r->score_keys == NULL) {
		r->score_keys = xf_strmap_new();
		if (r->score_keys == NULL) {
			out_of_memory(r);
			return;
		}
	}
	snprintf(key, sizeof(key), "%u:%d", (unsigned)person, line);
	int32_t first = xf_strmap_put(r->score_keys, key, (int32_t)at->i, NULL);
	if (first == -2) {
		out_of_memory(r);
	} else if ((size_t)first != at->i) {
		report(r, at, "line", "该人员的评分项 %s 重复，已见于 scores[%d] (duplicate score for this person and line; first at scores[%d])",
		       r->p->lines[line].key, (int)first, (int)first);
	}
}

static void read_score(reader *r, const jpath *at, const cJSON *v,
		       uint32_t person, void *dest)
{
	xf_score *s = dest;
	const cJSON *f[SF_N];
	const char *key;
	const xf_line *line = NULL;

	memset(s, 0, sizeof(*s));
	s->index = (uint32_t)at->i;
	s->line = -1;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, SCORE_FIELDS, SF_N, f);
	check_person(r, at, f[SF_PERSON], person);
	if (get_string(r, at, "line", f[SF_LINE], true, &key) == V_OK && r->p) {
		int k = xf_policy_line(r->p, key);
		if (k >= 0) {
			s->line = (int16_t)k;
			line = &r->p->lines[k];
		} else {
			keylist l = {.n = 0};
			for (int i = 0; i < r->p->nlines; i++)
				keylist_add(&l, r->p->lines[i].key);
			unknown_key(r, at, "line", "评分项", "scorecard line", key, &l);
		}
	}
	s->has_self = read_line_score(r, at, "self", f[SF_SELF], line, &s->self);
	s->has_review = read_line_score(r, at, "review", f[SF_REVIEW], line, &s->review);
	if (line && person != NO_PERSON)
		check_score_dup(r, at, person, s->line);
}

/* ---- history ---- */

static const char *const HISTORY_FIELDS[] = {"person", "year", "grade"};
enum { HF_PERSON, HF_YEAR, HF_GRADE, HF_N };

static void read_history(reader *r, const jpath *at, const cJSON *v,
			 uint32_t person, void *dest)
{
	xf_history *h = dest;
	const cJSON *f[HF_N];
	const char *key;
	int32_t year = 0;

	memset(h, 0, sizeof(*h));
	h->grade = -1;
	if (!cJSON_IsObject(v)) {
		wrong_type(r, at, NULL, v, W_OBJECT);
		return;
	}
	find_fields(v, HISTORY_FIELDS, HF_N, f);
	check_person(r, at, f[HF_PERSON], person);
	if (get_int(r, at, "year", f[HF_YEAR], true, &R_YEAR, &year) == V_OK)
		h->year = (int16_t)year;
	if (get_string(r, at, "grade", f[HF_GRADE], true, &key) != V_OK ||
	    r->p == NULL || r->p->ngrades == 0)
		return;
	int g = xf_policy_grade(r->p, key);
	if (g >= 0 && g < INT8_MAX) {
		h->grade = (int8_t)g;
		return;
	}
	keylist l = {.n = 0};
	for (int i = 0; i < r->p->ngrades; i++)
		keylist_add(&l, r->p->grades[i].key);
	unknown_key(r, at, "grade", "等级", "grade", key, &l);
}

/* ---- the document ---- */

/* Reports a syntax error at byte offset pos as line and column (columns
 * count characters, not bytes). */
static void syntax_error(reader *r, const char *json, size_t len, size_t pos)
{
	size_t line = 1, col = 1;
	if (pos > len)
		pos = len;
	for (size_t i = 0; i < pos; i++) {
		if (json[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)json[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	report(r, &ROOT, NULL, "第 %zu 行第 %zu 列：JSON 语法错误 (invalid JSON at line %zu, column %zu)",
	       line, col, line, col);
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* cJSON points one past the offending character when an object key is not
 * a string (`{"a": 1,}`); move back onto it. */
static size_t error_offset(const char *json, size_t pos)
{
	if (pos == 0 || json[pos - 1] == '"' || is_space(json[pos - 1]))
		return pos;
	size_t i = pos - 1;
	while (i > 0 && is_space(json[i - 1]))
		i--;
	if (i > 0 && (json[i - 1] == ',' || json[i - 1] == '{'))
		return pos - 1;
	return pos;
}

/* Parses the text; NULL (reported) on a syntax error or trailing text. */
static cJSON *parse_json(reader *r, const char *json, size_t len)
{
	const char *end = NULL;
	if (json == NULL || len == 0) {
		syntax_error(r, "", 0, 0);
		return NULL;
	}
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (root == NULL) {
		size_t pos = end && end >= json ? (size_t)(end - json) : 0;
		if (pos > len)
			pos = len;
		syntax_error(r, json, len, error_offset(json, pos));
		return NULL;
	}
	size_t pos = (size_t)(end - json);
	while (pos < len && is_space(json[pos]))
		pos++;
	if (pos < len) {
		syntax_error(r, json, len, pos);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static const char *const ROOT_FIELDS[] = {"policy", "year", "people", "records",
					  "metrics", "scores", "history"};
enum { TF_POLICY, TF_YEAR, TF_PEOPLE, TF_RECORDS, TF_METRICS, TF_SCORES,
       TF_HISTORY, TF_N };

static void read_lists(reader *r, const cJSON **f)
{
	xf_case *c = r->c;
	plist l;

	read_list(r, f[TF_RECORDS], "records", sizeof(xf_record), read_record, &l);
	c->records = l.arr;
	c->nrecords = l.n;
	c->record_off = l.off;
	read_list(r, f[TF_METRICS], "metrics", sizeof(xf_metric), read_metric, &l);
	c->metrics = l.arr;
	c->nmetrics = l.n;
	c->metric_off = l.off;
	read_list(r, f[TF_SCORES], "scores", sizeof(xf_score), read_score, &l);
	c->scores = l.arr;
	c->nscores = l.n;
	c->score_off = l.off;
	read_list(r, f[TF_HISTORY], "history", sizeof(xf_history), read_history, &l);
	c->history = l.arr;
	c->nhistory = l.n;
	c->history_off = l.off;
}

static void read_root(reader *r, const cJSON *root, const char *base_dir)
{
	const cJSON *f[TF_N];
	const char *ref;
	int32_t year = 0;

	if (!cJSON_IsObject(root)) {
		char zh[256], en[256];
		describe(root, zh, en, sizeof(zh));
		report(r, &ROOT, NULL, "顶层应为对象，实际为%s (the top level must be an object, got %s)",
		       zh, en);
		return;
	}
	find_fields(root, ROOT_FIELDS, TF_N, f);
	if (get_string(r, &ROOT, "policy", f[TF_POLICY], true, &ref) == V_OK)
		resolve_policy(r, ref, base_dir);
	if (get_int(r, &ROOT, "year", f[TF_YEAR], true, &R_YEAR, &year) == V_OK)
		r->c->year = year;
	read_people(r, f[TF_PEOPLE]);
	read_lists(r, f);
}

int xf_case_parse(const char *json, size_t len, const char *base_dir,
		  xf_case *c, xf_errs *errs)
{
	reader r = {.c = c, .errs = errs};
	cJSON *root = NULL;

	memset(c, 0, sizeof(*c));
	c->strings = xf_strmap_new();
	c->units = xf_strmap_new();
	c->activities = xf_strmap_new();
	r.ids = xf_strmap_new();
	if (!c->strings || !c->units || !c->activities || !r.ids) {
		out_of_memory(&r);
		goto out;
	}
	root = parse_json(&r, json, len);
	if (root)
		read_root(&r, root, base_dir);
out:
	cJSON_Delete(root);
	xf_strmap_free(r.ids);
	xf_strmap_free(r.score_keys);
	if (r.problems == 0)
		return 0;
	xf_case_cleanup(c);
	return -1;
}

void xf_case_input(const xf_case *c, size_t i, xf_input *in)
{
	in->person = &c->people[i];
	in->records = c->records + c->record_off[i];
	in->nrecords = c->record_off[i + 1] - c->record_off[i];
	in->metrics = c->metrics + c->metric_off[i];
	in->nmetrics = c->metric_off[i + 1] - c->metric_off[i];
	in->scores = c->scores + c->score_off[i];
	in->nscores = c->score_off[i + 1] - c->score_off[i];
	in->history = c->history + c->history_off[i];
	in->nhistory = c->history_off[i + 1] - c->history_off[i];
}

void xf_case_cleanup(xf_case *c)
{
	if (c->policy)
		xf_policy_free(c->policy);
	free(c->people);
	free(c->records);
	free(c->record_off);
	free(c->metrics);
	free(c->metric_off);
	free(c->scores);
	free(c->score_off);
	free(c->history);
	free(c->history_off);
	free(c->periods);
	xf_strmap_free(c->strings);
	xf_strmap_free(c->units);
	xf_strmap_free(c->activities);
	memset(c, 0, sizeof(*c));
}
