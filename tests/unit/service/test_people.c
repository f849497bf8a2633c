/* Tests for src/service/people.c: masking, the people list (search, '%'
 * and '_' taken literally, paging, unit subtree, reviewer scope, a scope
 * longer than PostgreSQL's parameter limit), a person's detail, changes
 * with their validation messages and audit rows (masked: no full ID
 * number or phone anywhere in audit_log), periods, flags, reveal, the unit
 * tree (3 levels, policy inheritance, a reviewer's roots with their path)
 * and unit detail. Runs on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is
 * set. */
#include <cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service/people.h"
#include "store/data.h"
#include "store/store.h"
#include "../support/backends.h"

/* Valid ID numbers (GB 11643 check digit) and one with a wrong check. */
#define ID_ZHANG "110101199003071233"
#define ID_LI "320583198512014561"
#define ID_NEW "440304199912310074"
#define ID_X "11010519880600000X"
#define ID_BAD "110101199003071234"
#define PHONE_ZHANG "13812345678"
#define PHONE_NEW "13900001111"

/* ---- masking ---- */

static void test_mask(void **state)
{
	(void)state;
	static const struct {
		int phone; /* 0: ID card, 1: phone */
		const char *in, *out;
	} cases[] = {
		{0, "110101199003071234", "110***********1234"},
		{0, ID_X, "110***********000X"},
		{0, "110101900307123", "110********7123"}, /* 15 digits */
		{0, "12345678", "123*5678"},
		{0, "1234567", "*******"},
		{0, "123", "***"},
		{0, "", ""},
		{0, NULL, ""},
		{0, "张三的身份证号码", "************************"}, /* non-ASCII: all */
		{0, "11010119900307123\xc3\xa9", "*******************"},
		{1, "13812345678", "138****5678"},
		{1, "1381234", "*******"},
		{1, "138123456", "138**3456"},
		{1, NULL, ""},
		{1, "电话", "******"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		memset(out, '?', sizeof(out));
		if (cases[i].phone)
			xf_mask_phone(cases[i].in, out, sizeof(out));
		else
			xf_mask_id_card(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: mask(%s) = %s, want %s", i, cases[i].in ? cases[i].in : "NULL",
				 out, cases[i].out);
	}
	/* Too small a buffer never shows a digit. */
	char small[8];
	xf_mask_id_card(ID_ZHANG, small, sizeof(small));
	assert_string_equal(small, "*******");
	xf_mask_phone(PHONE_ZHANG, small, 0); /* size 0: untouched, no crash */
}

/* ---- fixture ---- */

/* In creation order: tech comes last, so a subtree's ids in tree order
 * (bureau, office, tech, office.a) are not sorted. */
enum { U_BUREAU, U_OFFICE, U_OFFICE_A, U_PARTY, U_BRANCH, U_TECH, U_COUNT };
enum { P_ZHANG, P_LI, P_WANG, P_ZHAO, P_SMITH, P_QIAN, P_SUN, P_COUNT };

typedef struct fixture {
	xf_store *s;
	const backend *b;
	long long unit[U_COUNT];
	long long person[P_COUNT];
} fixture;

static void must(int rc, const xf_errs *errs, const char *what)
{
	if (rc != 0) {
		xf_errs_print(errs, what, stderr);
		fail_msg("%s failed (%d)", what, rc);
	}
}

/* Runs fixed SQL with up to 4 text parameters (NULL: SQL NULL); returns
 * the first column of the first row as an integer, or 0. */
static long long sql_int(xf_store *s, const char *sql, const char *a, const char *b,
			 const char *c, const char *d)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	const char *v[4] = {a, b, c, d};
	for (int i = 0; i < 4; i++)
		if (v[i])
			xf_stmt_bind_text(st, i + 1, strcmp(v[i], "\x01") == 0 ? NULL : v[i]);
	xf_step r = xf_stmt_step(st, &errs);
	if (r == XF_STEP_ERROR) {
		xf_errs_print(&errs, sql, stderr);
		fail();
	}
	long long out = r == XF_STEP_ROW ? xf_stmt_int(st, 0) : 0;
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return out;
}

static void fixture_setup(fixture *fx, const backend *b)
{
	static const struct {
		const char *code, *name, *kind;
		int parent; /* U_* or -1 */
	} units[U_COUNT] = {
		[U_BUREAU] = {"bureau", "市局", "局", -1},
		[U_OFFICE] = {"bureau.office", "办公室", "科室", U_BUREAU},
		[U_OFFICE_A] = {"bureau.office.a", "综合组", "组", U_OFFICE},
		[U_TECH] = {"bureau.tech", "科技处", "科室", U_BUREAU},
		[U_PARTY] = {"party", "机关党委", "党委", -1},
		[U_BRANCH] = {"party.b1", "第一党支部", "党支部", U_PARTY},
	};
	static const struct {
		const char *code, *name, *staff_no, *id_card, *phone, *role, *joined;
		int unit;
		int active;
	} people[P_COUNT] = {
		[P_ZHANG] = {"P001", "张三", "S001", ID_ZHANG, PHONE_ZHANG, "staff", "2020-01-01",
			     U_OFFICE, 1},
		[P_LI] = {"P002", "李四", "S002", ID_LI, "13700000002", "leader", NULL, U_OFFICE_A, 1},
		[P_WANG] = {"P003", "王五", "A%B", NULL, NULL, "staff", NULL, U_TECH, 1},
		[P_ZHAO] = {"P004", "赵六", "A_B1", NULL, NULL, "staff", NULL, U_TECH, 1},
		[P_SMITH] = {"X-SMITH", "John Smith", "S005", NULL, NULL, "staff", NULL, U_BRANCH, 1},
		[P_QIAN] = {"P006", "钱七", "S006", NULL, NULL, "staff", NULL, U_BUREAU, 0},
		[P_SUN] = {"P007", "孙八", "AXB2", NULL, NULL, "staff", NULL, U_TECH, 1},
	};
	xf_errs errs;
	xf_errs_init(&errs);
	fx->b = b;
	backend_reset(b);
	fx->s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	if (fx->s == NULL) {
		xf_errs_print(&errs, b->name, stderr);
		fail();
	}
	for (int i = 0; i < U_COUNT; i++) {
		char parent[32];
		snprintf(parent, sizeof(parent), "%lld",
			 units[i].parent >= 0 ? fx->unit[units[i].parent] : 0LL);
		fx->unit[i] = sql_int(fx->s,
				      "INSERT INTO units (code, name, kind, parent_id) VALUES"
				      " ($1, $2, $3, CAST($4 AS BIGINT)) RETURNING id",
				      units[i].code, units[i].name, units[i].kind,
				      units[i].parent >= 0 ? parent : "\x01");
		assert_true(fx->unit[i] > 0);
	}
	xf_data *d = xf_data_new(fx->s, &errs);
	assert_non_null(d);
	must(xf_data_assign_policy(d, fx->unit[U_BUREAU], 2025, "bigdata-bureau", &errs), &errs,
	     "assign");
	must(xf_data_assign_policy(d, fx->unit[U_OFFICE_A], 2025, "special", &errs), &errs, "assign");
	must(xf_data_assign_policy(d, fx->unit[U_PARTY], 2024, "party-2024", &errs), &errs, "assign");
	for (int i = 0; i < P_COUNT; i++) {
		xf_person_row r = {people[i].code, people[i].name, people[i].staff_no,
				   people[i].id_card, people[i].phone, fx->unit[people[i].unit],
				   people[i].role, people[i].joined};
		must(xf_data_person(d, &r, &fx->person[i], &errs), &errs, "person");
		if (!people[i].active)
			sql_int(fx->s, "UPDATE people SET active = 0 WHERE code = $1", people[i].code,
				NULL, NULL, NULL);
	}
	xf_data_free(d);
	sql_int(fx->s, "INSERT INTO users (username, display_name, person_id, password_hash)"
		       " SELECT 'zhangsan', '张三', id, 'x' FROM people WHERE code = 'P001'",
		NULL, NULL, NULL, NULL);
	xf_errs_cleanup(&errs);
}

static void fixture_cleanup(fixture *fx)
{
	xf_store_close(fx->s);
	fx->s = NULL;
}

/* Scopes: everything, and a reviewer of the office (office + office.a). */
static xf_unit_scope scope_all(void)
{
	return (xf_unit_scope){.all = true};
}

static xf_unit_scope scope_office(const fixture *fx, long long ids[2])
{
	ids[0] = fx->unit[U_OFFICE];
	ids[1] = fx->unit[U_OFFICE_A];
	if (ids[0] > ids[1]) {
		long long t = ids[0];
		ids[0] = ids[1];
		ids[1] = t;
	}
	return (xf_unit_scope){.all = false, .units = ids, .nunits = 2};
}

/* ---- capturing JSON output ---- */

typedef int (*writer_fn)(void *arg, FILE *f, xf_errs *errs);

/* Runs fn into a memory stream; returns its rc and, on 0, the parsed JSON
 * in *out (caller deletes). */
static int capture(writer_fn fn, void *arg, cJSON **out, xf_errs *errs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int rc = fn(arg, f, errs);
	fclose(f);
	*out = NULL;
	if (rc == 0) {
		*out = cJSON_Parse(buf);
		if (*out == NULL)
			fail_msg("not JSON: %s", buf);
	}
	free(buf);
	return rc;
}

typedef struct list_call {
	xf_store *s;
	const xf_unit_scope *scope;
	xf_people_query q;
} list_call;

static int list_fn(void *arg, FILE *f, xf_errs *errs)
{
	list_call *c = arg;
	return xf_people_list_json(c->s, c->scope, &c->q, f, errs);
}

typedef struct id_call {
	xf_store *s;
	const xf_unit_scope *scope;
	long long id;
	int year;
} id_call;

static int get_fn(void *arg, FILE *f, xf_errs *errs)
{
	id_call *c = arg;
	return xf_people_get_json(c->s, c->scope, c->id, f, errs);
}

static int reveal_fn(void *arg, FILE *f, xf_errs *errs)
{
	id_call *c = arg;
	return xf_people_reveal_json(c->s, c->id, "admin1", f, errs);
}

static int tree_fn(void *arg, FILE *f, xf_errs *errs)
{
	id_call *c = arg;
	return xf_units_tree_json(c->s, c->scope, c->year, f, errs);
}

static int unit_fn(void *arg, FILE *f, xf_errs *errs)
{
	id_call *c = arg;
	return xf_units_get_json(c->s, c->scope, c->id, c->year, f, errs);
}

static cJSON *get_person(const fixture *fx, const xf_unit_scope *sc, long long id)
{
	xf_errs errs;
	xf_errs_init(&errs);
	id_call c = {fx->s, sc, id, 0};
	cJSON *j = NULL;
	int rc = capture(get_fn, &c, &j, &errs);
	must(rc, &errs, "get");
	xf_errs_cleanup(&errs);
	return j;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", key);
	return v->valuedouble;
}

/* The items' codes joined by ",". */
static void item_codes(const cJSON *list, char *out, size_t size)
{
	out[0] = '\0';
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		size_t n = strlen(out);
		snprintf(out + n, size - n, "%s%s", n ? "," : "", jstr(it, "code"));
	}
}

/* ---- list ---- */

static void test_list(void **state)
{
	(void)state;
	static const struct {
		const char *q;
		int unit;   /* U_* or -1 */
		int active;
		long long page, per_page;
		long long total;
		const char *codes;
	} cases[] = {
		/* everything, ordered by unit code then name */
		{NULL, -1, -1, 1, 50, 7, "P006,P001,P002,P007,P003,P004,X-SMITH"},
		{NULL, -1, 1, 1, 50, 6, "P001,P002,P007,P003,P004,X-SMITH"},
		{NULL, -1, 0, 1, 50, 1, "P006"},
		{"", -1, 1, 1, 50, 6, "P001,P002,P007,P003,P004,X-SMITH"},
		/* by name, staff no., code; ASCII case folded */
		{"张", -1, -1, 1, 50, 1, "P001"},
		{"smith", -1, -1, 1, 50, 1, "X-SMITH"},
		{"SMITH", -1, -1, 1, 50, 1, "X-SMITH"},
		{"s002", -1, -1, 1, 50, 1, "P002"},
		{"x-sm", -1, -1, 1, 50, 1, "X-SMITH"},
		{"P00", -1, 1, 1, 50, 5, "P001,P002,P007,P003,P004"},
		/* % and _ literally */
		{"%", -1, -1, 1, 50, 1, "P003"},
		{"A%B", -1, -1, 1, 50, 1, "P003"},
		{"A_B", -1, -1, 1, 50, 1, "P004"},
		{"_", -1, -1, 1, 50, 1, "P004"},
		{"\\", -1, -1, 1, 50, 0, ""},
		{"nobody", -1, -1, 1, 50, 0, ""},
		/* paging: the total stays, the page moves */
		{NULL, -1, -1, 1, 3, 7, "P006,P001,P002"},
		{NULL, -1, -1, 2, 3, 7, "P007,P003,P004"},
		{NULL, -1, -1, 3, 3, 7, "X-SMITH"},
		{NULL, -1, -1, 4, 3, 7, ""},
		/* a unit and those under it */
		{NULL, U_OFFICE, -1, 1, 50, 2, "P001,P002"},
		{NULL, U_OFFICE_A, -1, 1, 50, 1, "P002"},
		{NULL, U_BUREAU, -1, 1, 50, 6, "P006,P001,P002,P007,P003,P004"},
		{NULL, U_BUREAU, 1, 1, 2, 5, "P001,P002"},
		{"A", U_TECH, -1, 1, 50, 3, "P007,P003,P004"},
		{NULL, U_PARTY, -1, 1, 50, 1, "X-SMITH"},
	};
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx = {0};
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope all = scope_all();
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			list_call c = {fx.s, &all,
				       {cases[i].q, cases[i].unit >= 0 ? fx.unit[cases[i].unit] : 0,
					cases[i].active, cases[i].page, cases[i].per_page}};
			cJSON *j = NULL;
			must(capture(list_fn, &c, &j, &errs), &errs, "list");
			char codes[256];
			item_codes(j, codes, sizeof(codes));
			if ((long long)jnum(j, "total") != cases[i].total ||
			    strcmp(codes, cases[i].codes) != 0)
				fail_msg("%s case %zu (q=%s): total %.0f items %s, want %lld %s",
					 fx.b->name, i, cases[i].q ? cases[i].q : "NULL", jnum(j, "total"),
					 codes, cases[i].total, cases[i].codes);
			assert_int_equal((long long)jnum(j, "page"), cases[i].page);
			assert_int_equal((long long)jnum(j, "per_page"), cases[i].per_page);
			cJSON_Delete(j);
			xf_errs_cleanup(&errs);
		}

		/* One item in full: masked numbers, the unit. */
		xf_errs errs;
		xf_errs_init(&errs);
		list_call c = {fx.s, &all, {"S001", 0, -1, 1, 10}};
		cJSON *j = NULL;
		must(capture(list_fn, &c, &j, &errs), &errs, "list");
		const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), 0);
		assert_non_null(it);
		assert_int_equal((long long)jnum(it, "id"), fx.person[P_ZHANG]);
		assert_string_equal(jstr(it, "name"), "张三");
		assert_string_equal(jstr(it, "staff_no"), "S001");
		assert_string_equal(jstr(it, "id_card"), "110***********1233");
		assert_string_equal(jstr(it, "phone"), "138****5678");
		assert_string_equal(jstr(it, "role"), "staff");
		assert_string_equal(jstr(it, "joined"), "2020-01-01");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "active")));
		const cJSON *u = cJSON_GetObjectItem(it, "unit");
		assert_int_equal((long long)jnum(u, "id"), fx.unit[U_OFFICE]);
		assert_string_equal(jstr(u, "code"), "bureau.office");
		assert_string_equal(jstr(u, "name"), "办公室");
		cJSON_Delete(j);

		/* Bad paging and filters are refused with the field named. */
		static const struct {
			xf_people_query q;
			const char *msg;
		} bad[] = {
			{{NULL, 0, -1, 0, 10}, "page: 页码应为 1 到 1000000000 之间的整数"},
			{{NULL, 0, -1, 1, 0}, "per_page: 每页条数应为 1 到 200 之间的整数"},
			{{NULL, 0, -1, 1, 201}, "per_page: 每页条数应为 1 到 200 之间的整数"},
			{{NULL, 0, 2, 1, 10}, "active: 应为 1（在职）、0（不在职）或 -1（全部）"},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			xf_errs e2;
			xf_errs_init(&e2);
			list_call bc = {fx.s, &all, bad[i].q};
			assert_int_equal(capture(list_fn, &bc, &j, &e2), -1);
			assert_int_equal(e2.n, 1);
			assert_string_equal(e2.msgs[0], bad[i].msg);
			xf_errs_cleanup(&e2);
		}
		xf_errs_cleanup(&errs);
		fixture_cleanup(&fx);
	}
}

/* ---- scope ---- */

static void test_scope(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx = {0};
		fixture_setup(&fx, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		long long ids[2];
		xf_unit_scope office = scope_office(&fx, ids);
		cJSON *j = NULL;

		/* The list shows only the scope's people, whatever the filter. */
		static const struct {
			const char *q;
			int unit;
			long long total;
			const char *codes;
		} cases[] = {
			{NULL, -1, 2, "P001,P002"},
			{"P00", -1, 2, "P001,P002"},
			{"王", -1, 0, ""},
			{NULL, U_BUREAU, 2, "P001,P002"},
			{NULL, U_TECH, 0, ""},
			{NULL, U_OFFICE_A, 1, "P002"},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			list_call c = {fx.s, &office,
				       {cases[i].q, cases[i].unit >= 0 ? fx.unit[cases[i].unit] : 0, -1,
					1, 50}};
			must(capture(list_fn, &c, &j, &errs), &errs, "list");
			char codes[256];
			item_codes(j, codes, sizeof(codes));
			if ((long long)jnum(j, "total") != cases[i].total ||
			    strcmp(codes, cases[i].codes) != 0)
				fail_msg("%s scope case %zu: %.0f %s", fx.b->name, i, jnum(j, "total"),
					 codes);
			cJSON_Delete(j);
		}

		/* An empty scope sees nobody. */
		xf_unit_scope empty = {.all = false};
		list_call ec = {fx.s, &empty, {NULL, 0, -1, 1, 50}};
		must(capture(list_fn, &ec, &j, &errs), &errs, "list");
		assert_int_equal((long long)jnum(j, "total"), 0);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 0);
		cJSON_Delete(j);

		/* A scope of 300 units (beyond PostgreSQL's 100 parameters). */
		long long many[300];
		for (int i = 0; i < 300; i++)
			many[i] = 1000000 + i;
		many[0] = fx.unit[U_TECH] < fx.unit[U_BRANCH] ? fx.unit[U_TECH] : fx.unit[U_BRANCH];
		many[1] = fx.unit[U_TECH] < fx.unit[U_BRANCH] ? fx.unit[U_BRANCH] : fx.unit[U_TECH];
		xf_unit_scope wide = {.all = false, .units = many, .nunits = 300};
		list_call wc = {fx.s, &wide, {NULL, 0, -1, 1, 50}};
		must(capture(list_fn, &wc, &j, &errs), &errs, "list wide");
		char codes[256];
		item_codes(j, codes, sizeof(codes));
		assert_string_equal(codes, "P007,P003,P004,X-SMITH");
		assert_int_equal((long long)jnum(j, "total"), 4);
		cJSON_Delete(j);

		/* Out of scope and missing are both 1, with no message. */
		long long out_ids[] = {fx.person[P_WANG], 999999};
		for (size_t i = 0; i < 2; i++) {
			long long id = out_ids[i];
			id_call c = {fx.s, &office, id, 0};
			assert_int_equal(capture(get_fn, &c, &j, &errs), 1);
			assert_int_equal(xf_people_update(fx.s, &office, id, "{\"name\":\"x\"}", "r1",
							  &errs), 1);
			assert_int_equal(xf_people_update(fx.s, &office, id, "not json", "r1", &errs),
					 1);
			assert_int_equal(xf_people_set_periods(fx.s, &office, id, "[]", "r1", &errs), 1);
			assert_int_equal(xf_people_set_flags(fx.s, &office, id, 2025, "[]", "r1", &errs),
					 1);
			assert_int_equal(errs.n, 0);
		}
		/* In scope: visible. */
		id_call c = {fx.s, &office, fx.person[P_LI], 0};
		assert_int_equal(capture(get_fn, &c, &j, &errs), 0);
		assert_string_equal(jstr(j, "code"), "P002");
		cJSON_Delete(j);
		/* A unit outside the scope: 1; and refused as a new unit. */
		id_call uc = {fx.s, &office, fx.unit[U_TECH], 2025};
		assert_int_equal(capture(unit_fn, &uc, &j, &errs), 1);
		char body[64];
		snprintf(body, sizeof(body), "{\"unit_id\": %lld}", fx.unit[U_TECH]);
		assert_int_equal(xf_people_update(fx.s, &office, fx.person[P_ZHANG], body, "r1", &errs),
				 -1);
		assert_int_equal(errs.n, 1);
		char want[64];
		snprintf(want, sizeof(want), "unit_id: 单位 %lld 不存在", fx.unit[U_TECH]);
		assert_string_equal(errs.msgs[0], want);
		xf_errs_cleanup(&errs);
		/* Moving within the scope works. */
		xf_errs_init(&errs);
		snprintf(body, sizeof(body), "{\"unit_id\": %lld}", fx.unit[U_OFFICE_A]);
		must(xf_people_update(fx.s, &office, fx.person[P_ZHANG], body, "r1", &errs), &errs,
		     "move");
		long long unit = 0;
		assert_int_equal(xf_people_unit_of(fx.s, fx.person[P_ZHANG], &unit, &errs), 0);
		assert_int_equal(unit, fx.unit[U_OFFICE_A]);
		assert_int_equal(xf_people_unit_of(fx.s, 999999, &unit, &errs), 1);
		xf_errs_cleanup(&errs);
		fixture_cleanup(&fx);
	}
}

/* ---- update ---- */

/* Every audit row's text, concatenated (for "nothing unmasked" checks). */
static char *audit_text(xf_store *s)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT actor, action, object, before, after FROM audit_log"
					 " ORDER BY id", &errs);
	assert_non_null(st);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	while (xf_stmt_step(st, &errs) == XF_STEP_ROW)
		for (int i = 0; i < 5; i++)
			fprintf(f, "%s|", xf_stmt_text(st, i) ? xf_stmt_text(st, i) : "NULL");
	fclose(f);
	xf_stmt_finalize(st);
	assert_int_equal(errs.n, 0);
	xf_errs_cleanup(&errs);
	return buf;
}

/* The last audit row: action, object, before, after into out[4] (malloc'd). */
static void last_audit(xf_store *s, char *out[4])
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, "SELECT action, object, before, after FROM audit_log"
					 " ORDER BY id DESC LIMIT 1", &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	for (int i = 0; i < 4; i++)
		out[i] = xf_stmt_text(st, i) ? strdup(xf_stmt_text(st, i)) : NULL;
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
}

static void free4(char *v[4])
{
	for (int i = 0; i < 4; i++)
		free(v[i]);
}

static long long audit_rows(xf_store *s)
{
	return sql_int(s, "SELECT count(*) FROM audit_log", NULL, NULL, NULL, NULL);
}

static void test_update(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *msg; /* the one message expected */
	} bad[] = {
		{"{\"name\": \"\"}", "name: 姓名不能为空"},
		{"{\"name\": \"  \"}", "name: 姓名不能为空"},
		{"{\"name\": 5}", "name: 姓名应为字符串"},
		{"{\"name\": null}", "name: 姓名应为字符串"},
		{"{\"name\": \"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		 "一二三四五六七八九十一二三四五六七八九十一二三四五\"}",
		 "name: 姓名不能超过 64 个字符"},
		{"{\"staff_no\": \"\"}", "staff_no: 工号不能为空"},
		{"{\"staff_no\": \"S002\"}", "staff_no: 工号 S002 已被 李四 使用"},
		{"{\"id_card\": \"" ID_BAD "\"}", "id_card: 身份证号校验位不正确"},
		{"{\"id_card\": \"1101011990030712\"}",
		 "id_card: 身份证号应为 18 位（末位为数字或 X）或 15 位数字"},
		{"{\"id_card\": \"11010119900307123Y\"}",
		 "id_card: 身份证号应为 18 位（末位为数字或 X）或 15 位数字"},
		{"{\"id_card\": \"11010119900307A\"}",
		 "id_card: 身份证号应为 18 位（末位为数字或 X）或 15 位数字"},
		{"{\"phone\": \"23812345678\"}", "phone: 手机号应为以 1 开头的 11 位数字"},
		{"{\"phone\": \"1381234567\"}", "phone: 手机号应为以 1 开头的 11 位数字"},
		{"{\"phone\": \"1381234567a\"}", "phone: 手机号应为以 1 开头的 11 位数字"},
		{"{\"unit_id\": 999999}", "unit_id: 单位 999999 不存在"},
		{"{\"unit_id\": \"3\"}", "unit_id: 所属单位应为单位编号（正整数）"},
		{"{\"unit_id\": 1.5}", "unit_id: 所属单位应为单位编号（正整数）"},
		{"{\"unit_id\": -1}", "unit_id: 所属单位应为单位编号（正整数）"},
		{"{\"role\": 1}", "role: 岗位应为字符串"},
		{"{\"role\": \"\"}", "role: 岗位不能为空"},
		{"{\"joined\": \"2025-02-30\"}", "joined: 应为 YYYY-MM-DD 格式的日期"},
		{"{\"joined\": \"2025/01/01\"}", "joined: 应为 YYYY-MM-DD 格式的日期"},
		{"{\"active\": 1}", "active: 在职状态应为 true 或 false"},
		{"{\"active\": \"true\"}", "active: 在职状态应为 true 或 false"},
		{"{\"foo\": 1}", "foo: 未知字段"},
		{"{\"code\": \"P999\"}", "code: 未知字段"},
		{"{\"name\": \"甲\", \"name\": \"乙\"}", "name: 字段重复"},
		{"[1]", "请求内容: 应为 JSON 对象"},
		{"{", "请求内容: 应为 JSON 对象"},
	};
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx = {0};
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope all = scope_all();
		long long zhang = fx.person[P_ZHANG];
		long long audits = audit_rows(fx.s);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			xf_errs errs;
			xf_errs_init(&errs);
			int rc = xf_people_update(fx.s, &all, zhang, bad[i].json, "admin1", &errs);
			if (rc != -1 || errs.n != 1 || strcmp(errs.msgs[0], bad[i].msg) != 0) {
				xf_errs_print(&errs, "got: ", stderr);
				fail_msg("%s case %zu (%s): rc %d, want -1 and %s", fx.b->name, i,
					 bad[i].json, rc, bad[i].msg);
			}
			xf_errs_cleanup(&errs);
		}
		/* Several problems: one message each; nothing written. */
		xf_errs errs;
		xf_errs_init(&errs);
		assert_int_equal(xf_people_update(fx.s, &all, zhang,
						  "{\"name\": \"\", \"phone\": \"1\", \"x\": 0,"
						  " \"joined\": \"2025-13-01\"}", "admin1", &errs), -1);
		assert_int_equal(errs.n, 4);
		xf_errs_cleanup(&errs);
		/* A valid change with a clash: nothing of it is kept. */
		xf_errs_init(&errs);
		assert_int_equal(xf_people_update(fx.s, &all, zhang,
						  "{\"name\": \"张三丰\", \"staff_no\": \"S002\"}",
						  "admin1", &errs), -1);
		xf_errs_cleanup(&errs);
		assert_int_equal(audit_rows(fx.s), audits);
		cJSON *p = get_person(&fx, &all, zhang);
		assert_string_equal(jstr(p, "name"), "张三");
		cJSON_Delete(p);

		/* A change of every field. */
		xf_errs_init(&errs);
		char body[512];
		snprintf(body, sizeof(body),
			 "{\"name\": \"张三丰\", \"staff_no\": \"S101\", \"id_card\": \"%s\","
			 " \"phone\": \"%s\", \"unit_id\": %lld, \"role\": \"leader\","
			 " \"joined\": \"2021-02-03\", \"active\": false}",
			 ID_NEW, PHONE_NEW, fx.unit[U_TECH]);
		must(xf_people_update(fx.s, &all, zhang, body, "admin1", &errs), &errs, "update");
		assert_int_equal(audit_rows(fx.s), audits + 1);
		p = get_person(&fx, &all, zhang);
		assert_string_equal(jstr(p, "name"), "张三丰");
		assert_string_equal(jstr(p, "staff_no"), "S101");
		assert_string_equal(jstr(p, "id_card"), "440***********0074");
		assert_string_equal(jstr(p, "phone"), "139****1111");
		assert_string_equal(jstr(p, "role"), "leader");
		assert_string_equal(jstr(p, "joined"), "2021-02-03");
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(p, "active")));
		assert_int_equal((long long)jnum(cJSON_GetObjectItem(p, "unit"), "id"), fx.unit[U_TECH]);
		assert_string_equal(jstr(p, "code"), "P001"); /* code unchanged */
		cJSON_Delete(p);
		char *a[4];
		last_audit(fx.s, a);
		assert_string_equal(a[0], "person.update");
		char obj[48];
		snprintf(obj, sizeof(obj), "person:%lld", zhang);
		assert_string_equal(a[1], obj);
		cJSON *before = cJSON_Parse(a[2]), *after = cJSON_Parse(a[3]);
		assert_non_null(before);
		assert_non_null(after);
		assert_int_equal(cJSON_GetArraySize(before), 8);
		assert_int_equal(cJSON_GetArraySize(after), 8);
		assert_string_equal(jstr(before, "name"), "张三");
		assert_string_equal(jstr(after, "name"), "张三丰");
		assert_string_equal(jstr(before, "id_card"), "110***********1233");
		assert_string_equal(jstr(after, "id_card"), "440***********0074");
		assert_string_equal(jstr(before, "phone"), "138****5678");
		assert_string_equal(jstr(after, "phone"), "139****1111");
		assert_string_equal(jstr(before, "joined"), "2020-01-01");
		assert_int_equal((long long)jnum(before, "unit_id"), fx.unit[U_OFFICE]);
		assert_int_equal((long long)jnum(after, "unit_id"), fx.unit[U_TECH]);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(before, "active")));
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(after, "active")));
		cJSON_Delete(before);
		cJSON_Delete(after);
		free4(a);

		/* Only the changed fields are in the audit; 'x' → 'X'. */
		must(xf_people_update(fx.s, &all, zhang,
				      "{\"name\": \"张三丰\", \"id_card\": \"11010519880600000x\"}",
				      "admin1", &errs), &errs, "update");
		last_audit(fx.s, a);
		assert_string_equal(a[2], "{\"id_card\":\"440***********0074\"}");
		assert_string_equal(a[3], "{\"id_card\":\"110***********000X\"}");
		free4(a);
		/* A 15-digit number is taken. */
		must(xf_people_update(fx.s, &all, zhang, "{\"id_card\": \"110101900307123\"}", "admin1",
				      &errs), &errs, "update");
		/* No change: nothing written, no audit row. */
		long long n = audit_rows(fx.s);
		must(xf_people_update(fx.s, &all, zhang, "{\"name\": \"张三丰\", \"active\": false}",
				      "admin1", &errs), &errs, "update");
		must(xf_people_update(fx.s, &all, zhang, "{}", "admin1", &errs), &errs, "update");
		assert_int_equal(audit_rows(fx.s), n);
		/* The staff number may stay its own. */
		must(xf_people_update(fx.s, &all, zhang, "{\"staff_no\": \"S101\", \"active\": true}",
				      "admin1", &errs), &errs, "update");
		assert_int_equal(audit_rows(fx.s), n + 1);

		/* Reveal: the full numbers, audited. */
		id_call rc = {fx.s, NULL, fx.person[P_LI], 0};
		cJSON *j = NULL;
		must(capture(reveal_fn, &rc, &j, &errs), &errs, "reveal");
		assert_int_equal((long long)jnum(j, "id"), fx.person[P_LI]);
		assert_string_equal(jstr(j, "id_card"), ID_LI);
		assert_string_equal(jstr(j, "phone"), "13700000002");
		cJSON_Delete(j);
		last_audit(fx.s, a);
		assert_string_equal(a[0], "person.reveal");
		snprintf(obj, sizeof(obj), "person:%lld", fx.person[P_LI]);
		assert_string_equal(a[1], obj);
		free4(a);
		rc.id = 999999;
		assert_int_equal(capture(reveal_fn, &rc, &j, &errs), 1);

		/* No full ID number or phone anywhere in the audit log. */
		char *text = audit_text(fx.s);
		static const char *const secrets[] = {ID_ZHANG, ID_NEW, ID_X, "110101900307123",
						      ID_LI, PHONE_ZHANG, PHONE_NEW, "13700000002"};
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
			if (strstr(text, secrets[i]))
				fail_msg("%s: audit_log holds %s: %s", fx.b->name, secrets[i], text);
		assert_non_null(strstr(text, "admin1|person.reveal|"));
		free(text);
		assert_int_equal(errs.n, 0);
		xf_errs_cleanup(&errs);
		fixture_cleanup(&fx);
	}
}

/* ---- periods and flags ---- */

static void test_periods_flags(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *msg;
	} bad_periods[] = {
		{"{}", "periods: 应为 JSON 数组"},
		{"[1]", "periods[0]: 应为对象 {kind, from, to, participates}"},
		{"[{\"kind\": \"holiday\", \"from\": \"2025-01-01\", \"to\": \"2025-02-01\"}]",
		 "periods[0].kind: 类型应为 secondment（借调）、sick_leave（病假）或 leave（事假）"},
		{"[{\"kind\": \"leave\", \"from\": \"2025-02-29\", \"to\": \"2025-03-01\"}]",
		 "periods[0].from: 开始日期应为 YYYY-MM-DD 格式的日期"},
		{"[{\"kind\": \"leave\", \"from\": \"2025-01-01\"}]",
		 "periods[0].to: 结束日期应为 YYYY-MM-DD 格式的日期"},
		{"[{\"kind\": \"leave\", \"from\": \"2025-01-01\", \"to\": \"2025-01-02\"},"
		 " {\"kind\": \"leave\", \"from\": \"2025-03-01\", \"to\": \"2025-02-01\"}]",
		 "periods[1].to: 结束日期 2025-02-01 早于开始日期 2025-03-01"},
		{"[{\"kind\": \"secondment\", \"from\": \"2025-01-01\", \"to\": \"2025-01-02\","
		 " \"participates\": \"yes\"}]",
		 "periods[0].participates: 是否参加考核应为 true 或 false"},
		{"[{\"kind\": \"leave\", \"from\": \"2025-01-01\", \"to\": \"2025-01-02\", \"x\": 1}]",
		 "periods[0].x: 未知字段"},
	};
	static const struct {
		int year;
		const char *json;
		const char *msg;
	} bad_flags[] = {
		{2025, "{}", "flags: 应为 JSON 数组"},
		{2025, "[1]",
		 "flags[0]: 标记应为由小写字母、数字和下划线组成的键（如 retiring），不超过 64 个字符"},
		{2025, "[\"Retiring\"]",
		 "flags[0]: 标记应为由小写字母、数字和下划线组成的键（如 retiring），不超过 64 个字符"},
		{2025, "[\"exempt\", \"exempt\"]", "flags[1]: 标记 exempt 重复"},
		{1800, "[]", "year: 年度应在 1900 到 2999 之间"},
	};
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx = {0};
		fixture_setup(&fx, &backends[bi]);
		xf_unit_scope all = scope_all();
		long long li = fx.person[P_LI];
		xf_errs errs;
		for (size_t i = 0; i < sizeof(bad_periods) / sizeof(bad_periods[0]); i++) {
			xf_errs_init(&errs);
			int rc = xf_people_set_periods(fx.s, &all, li, bad_periods[i].json, "admin1", &errs);
			if (rc != -1 || errs.n != 1 || strcmp(errs.msgs[0], bad_periods[i].msg) != 0) {
				xf_errs_print(&errs, "got: ", stderr);
				fail_msg("%s periods case %zu: rc %d, want %s", fx.b->name, i, rc,
					 bad_periods[i].msg);
			}
			xf_errs_cleanup(&errs);
		}
		for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
			xf_errs_init(&errs);
			int rc = xf_people_set_flags(fx.s, &all, li, bad_flags[i].year, bad_flags[i].json,
						     "admin1", &errs);
			if (rc != -1 || errs.n != 1 || strcmp(errs.msgs[0], bad_flags[i].msg) != 0) {
				xf_errs_print(&errs, "got: ", stderr);
				fail_msg("%s flags case %zu: rc %d, want %s", fx.b->name, i, rc,
					 bad_flags[i].msg);
			}
			xf_errs_cleanup(&errs);
		}
		/* 张三's 办公室 takes bigdata-bureau from the bureau above it: a flag
		 * that policy does not know is refused (李四's unit has a policy
		 * file of its own, whose flags only the assessment can check). */
		xf_errs_init(&errs);
		assert_int_equal(xf_people_set_flags(fx.s, &all, fx.person[P_ZHANG], 2025,
						     "[\"retiring\"]", "admin1", &errs), -1);
		assert_int_equal(errs.n, 1);
		assert_string_equal(errs.msgs[0],
				    "flags[0]: 标记 retiring 不在 2025 年度的学分办法 bigdata-bureau 中");
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(audit_rows(fx.s), 0);

		/* Set, then replace. */
		must(xf_people_set_periods(fx.s, &all, li,
					   "[{\"kind\": \"sick_leave\", \"from\": \"2025-02-01\","
					   " \"to\": \"2025-04-30\"},"
					   " {\"kind\": \"secondment\", \"from\": \"2025-01-01\","
					   " \"to\": \"2025-01-31\", \"participates\": false}]",
					   "admin1", &errs), &errs, "periods");
		char *a[4];
		last_audit(fx.s, a);
		assert_string_equal(a[0], "person.periods");
		assert_string_equal(a[2], "[]");
		assert_string_equal(a[3], "[{\"kind\":\"sick_leave\",\"from\":\"2025-02-01\",\"to\":"
					  "\"2025-04-30\",\"participates\":true},{\"kind\":\"secondment\","
					  "\"from\":\"2025-01-01\",\"to\":\"2025-01-31\",\"participates\":false}]");
		free4(a);
		cJSON *p = get_person(&fx, &all, li);
		const cJSON *per = cJSON_GetObjectItem(p, "periods");
		assert_int_equal(cJSON_GetArraySize(per), 2);
		/* ordered by from */
		assert_string_equal(jstr(cJSON_GetArrayItem(per, 0), "kind"), "secondment");
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(per, 0), "participates")));
		assert_string_equal(jstr(cJSON_GetArrayItem(per, 1), "from"), "2025-02-01");
		assert_string_equal(jstr(cJSON_GetArrayItem(per, 1), "to"), "2025-04-30");
		cJSON_Delete(p);
		must(xf_people_set_periods(fx.s, &all, li,
					   "[{\"kind\": \"leave\", \"from\": \"2025-06-01\", \"to\": \"2025-06-01\"}]",
					   "admin1", &errs), &errs, "periods");
		last_audit(fx.s, a);
		cJSON *old = cJSON_Parse(a[2]);
		assert_int_equal(cJSON_GetArraySize(old), 2);
		cJSON_Delete(old);
		free4(a);
		p = get_person(&fx, &all, li);
		per = cJSON_GetObjectItem(p, "periods");
		assert_int_equal(cJSON_GetArraySize(per), 1);
		assert_string_equal(jstr(cJSON_GetArrayItem(per, 0), "kind"), "leave");
		cJSON_Delete(p);

		/* Flags per year, replaced. */
		must(xf_people_set_flags(fx.s, &all, li, 2025, "[\"retiring\", \"exempt\"]", "admin1",
					 &errs), &errs, "flags");
		must(xf_people_set_flags(fx.s, &all, li, 2024, "[\"exempt\"]", "admin1", &errs), &errs,
		     "flags");
		last_audit(fx.s, a);
		assert_string_equal(a[0], "person.flags");
		assert_string_equal(a[2], "{\"year\":2024,\"flags\":[]}");
		assert_string_equal(a[3], "{\"year\":2024,\"flags\":[\"exempt\"]}");
		free4(a);
		must(xf_people_set_flags(fx.s, &all, li, 2025, "[\"new_appointee\"]", "admin1", &errs),
		     &errs, "flags");
		last_audit(fx.s, a);
		assert_string_equal(a[2], "{\"year\":2025,\"flags\":[\"exempt\",\"retiring\"]}");
		assert_string_equal(a[3], "{\"year\":2025,\"flags\":[\"new_appointee\"]}");
		free4(a);
		p = get_person(&fx, &all, li);
		char *flags = cJSON_PrintUnformatted(cJSON_GetObjectItem(p, "flags"));
		assert_string_equal(flags, "{\"2024\":[\"exempt\"],\"2025\":[\"new_appointee\"]}");
		free(flags);
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "user")));
		cJSON_Delete(p);
		assert_int_equal(audit_rows(fx.s), 5);

		/* The linked user shows in the detail. */
		p = get_person(&fx, &all, fx.person[P_ZHANG]);
		assert_string_equal(jstr(cJSON_GetObjectItem(p, "user"), "username"), "zhangsan");
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "periods")), 0);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "flags")), 0);
		cJSON_Delete(p);
		assert_int_equal(errs.n, 0);
		xf_errs_cleanup(&errs);
		fixture_cleanup(&fx);
	}
}

/* ---- units ---- */

static const cJSON *child(const cJSON *node, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(node, "children"), i);
}

static void assert_node(const cJSON *n, const char *code, const char *policy, long long people,
			int nchildren)
{
	assert_non_null(n);
	assert_string_equal(jstr(n, "code"), code);
	const cJSON *pol = cJSON_GetObjectItem(n, "policy");
	if (policy)
		assert_string_equal(jstr(n, "policy"), policy);
	else
		assert_true(cJSON_IsNull(pol));
	assert_int_equal((long long)jnum(n, "people"), people);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(n, "children")), nchildren);
}

static void test_units(void **state)
{
	(void)state;
	for (int bi = 0; bi < nbackends; bi++) {
		fixture fx = {0};
		fixture_setup(&fx, &backends[bi]);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_unit_scope all = scope_all();
		cJSON *j = NULL;

		/* The whole tree, 3 levels, children by code, policy inherited. */
		id_call c = {fx.s, &all, 0, 2025};
		must(capture(tree_fn, &c, &j, &errs), &errs, "tree");
		assert_int_equal(cJSON_GetArraySize(j), 2);
		const cJSON *bureau = cJSON_GetArrayItem(j, 0), *party = cJSON_GetArrayItem(j, 1);
		assert_node(bureau, "bureau", "bigdata-bureau", 0, 2); /* 钱七 is not active */
		assert_string_equal(jstr(bureau, "name"), "市局");
		assert_string_equal(jstr(bureau, "kind"), "局");
		assert_int_equal((long long)jnum(bureau, "id"), fx.unit[U_BUREAU]);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(bureau, "path")), 0);
		assert_node(child(bureau, 0), "bureau.office", "bigdata-bureau", 1, 1);
		assert_node(child(child(bureau, 0), 0), "bureau.office.a", "special", 1, 0);
		assert_node(child(bureau, 1), "bureau.tech", "bigdata-bureau", 3, 0);
		assert_node(party, "party", NULL, 0, 1); /* assigned for 2024 only */
		assert_node(child(party, 0), "party.b1", NULL, 1, 0);
		cJSON_Delete(j);
		c.year = 2024;
		must(capture(tree_fn, &c, &j, &errs), &errs, "tree");
		assert_node(cJSON_GetArrayItem(j, 1), "party", "party-2024", 0, 1);
		assert_node(child(cJSON_GetArrayItem(j, 1), 0), "party.b1", "party-2024", 1, 0);
		assert_node(cJSON_GetArrayItem(j, 0), "bureau", NULL, 0, 2);
		cJSON_Delete(j);

		/* A reviewer's tree: the office as root, its path above it. */
		long long ids[2];
		xf_unit_scope office = scope_office(&fx, ids);
		c = (id_call){fx.s, &office, 0, 2025};
		must(capture(tree_fn, &c, &j, &errs), &errs, "tree");
		assert_int_equal(cJSON_GetArraySize(j), 1);
		assert_node(cJSON_GetArrayItem(j, 0), "bureau.office", "bigdata-bureau", 1, 1);
		char *path = cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "path"));
		assert_string_equal(path, "[\"市局\"]");
		free(path);
		assert_null(cJSON_GetObjectItem(child(cJSON_GetArrayItem(j, 0), 0), "path"));
		cJSON_Delete(j);
		xf_unit_scope empty = {.all = false};
		c.scope = &empty;
		must(capture(tree_fn, &c, &j, &errs), &errs, "tree");
		assert_int_equal(cJSON_GetArraySize(j), 0);
		cJSON_Delete(j);

		/* One unit: parent, inherited policy, people with sub-units. */
		static const struct {
			int unit, parent; /* parent -1: none */
			const char *policy;
			long long people;
		} ucases[] = {
			{U_OFFICE_A, U_OFFICE, "special", 1},
			{U_OFFICE, U_BUREAU, "bigdata-bureau", 2},
			{U_BUREAU, -1, "bigdata-bureau", 5},
			{U_TECH, U_BUREAU, "bigdata-bureau", 3},
			{U_BRANCH, U_PARTY, NULL, 1},
		};
		for (size_t i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
			id_call uc = {fx.s, &all, fx.unit[ucases[i].unit], 2025};
			must(capture(unit_fn, &uc, &j, &errs), &errs, "unit");
			assert_int_equal((long long)jnum(j, "id"), fx.unit[ucases[i].unit]);
			const cJSON *par = cJSON_GetObjectItem(j, "parent");
			if (ucases[i].parent < 0)
				assert_true(cJSON_IsNull(par));
			else
				assert_int_equal((long long)jnum(par, "id"), fx.unit[ucases[i].parent]);
			if (ucases[i].policy)
				assert_string_equal(jstr(j, "policy"), ucases[i].policy);
			else
				assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "policy")));
			assert_int_equal((long long)jnum(j, "people"), ucases[i].people);
			cJSON_Delete(j);
		}
		id_call uc = {fx.s, &all, fx.unit[U_OFFICE_A], 2025};
		must(capture(unit_fn, &uc, &j, &errs), &errs, "unit");
		assert_string_equal(jstr(j, "code"), "bureau.office.a");
		assert_string_equal(jstr(j, "name"), "综合组");
		assert_string_equal(jstr(j, "kind"), "组");
		assert_string_equal(jstr(cJSON_GetObjectItem(j, "parent"), "code"), "bureau.office");
		cJSON_Delete(j);
		uc.id = 999999;
		assert_int_equal(capture(unit_fn, &uc, &j, &errs), 1);
		uc = (id_call){fx.s, &office, fx.unit[U_OFFICE_A], 2025};
		assert_int_equal(capture(unit_fn, &uc, &j, &errs), 0);
		cJSON_Delete(j);

		/* Subtrees, sorted. */
		long long *sub = NULL;
		size_t n = 0;
		must(xf_units_subtree(fx.s, fx.unit[U_BUREAU], &sub, &n, &errs), &errs, "subtree");
		assert_int_equal(n, 4);
		/* ids are given in creation order: bureau < office < office.a < tech */
		long long want[4] = {fx.unit[U_BUREAU], fx.unit[U_OFFICE], fx.unit[U_OFFICE_A],
				     fx.unit[U_TECH]};
		for (size_t i = 0; i < 4; i++)
			assert_int_equal(sub[i], want[i]);
		free(sub);
		must(xf_units_subtree(fx.s, fx.unit[U_OFFICE_A], &sub, &n, &errs), &errs, "subtree");
		assert_int_equal(n, 1);
		assert_int_equal(sub[0], fx.unit[U_OFFICE_A]);
		free(sub);
		sub = NULL;
		assert_int_equal(xf_units_subtree(fx.s, 999999, &sub, &n, &errs), 1);
		assert_null(sub);
		assert_int_equal(errs.n, 0);
		xf_errs_cleanup(&errs);
		fixture_cleanup(&fx);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-people-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_periods_flags),
		cmocka_unit_test(test_units),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	backends_teardown();
	return rc;
}
