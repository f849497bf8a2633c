/* Tests for src/service/audit.c: the audit log as the auditor reads it —
 * filters by actor, action, action prefix and time (date-only "to" covers
 * the whole day, a date-time "to" is exclusive), paging with the total,
 * newest first, before/after as JSON, and the messages for a bad filter.
 * Runs on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "service/audit.h"
#include "store/store.h"
#include "../support/backends.h"

/* The rows every test reads, in id order (ids 1..8). */
static const struct {
	const char *at, *actor, *action, *object, *before, *after;
} seed[] = {
	{"2026-11-22T23:59:59.999Z", "cli", "init", NULL, NULL, "{\"schema_version\": 2}"},
	{"2026-11-23T00:00:00.000Z", "admin", "login", "user:admin", NULL, "{\"ip\":\"10.0.0.1\"}"},
	{"2026-11-23T09:30:00.000Z", "admin", "user.add", "user:zhang", NULL,
	 "{\"username\":\"zhang\",\"n\":12345678901234567890}"},
	{"2026-11-23T10:00:00.000Z", "admin", "user.roles", "user:zhang", "[]",
	 "[{\"role\":\"member\",\"unit\":null}]"},
	{"2026-11-23T20:40:12.123Z", "zhang", "login.failed", "user:zhang", NULL,
	 "{\"reason\":\"password\"}"},
	{"2026-11-23T23:59:59.999Z", "zhang", "login", "user:zhang", NULL, "not json {"},
	{"2026-11-24T00:00:00.000Z", "admin", "users.export", NULL, NULL, NULL},
	{"2026-11-25T08:00:00.000Z", "auditor", "login", "user:auditor", NULL, NULL},
};
#define NSEED (sizeof(seed) / sizeof(seed[0]))

static xf_store *seeded(const backend *b)
{
	xf_errs errs;
	xf_errs_init(&errs);
	backend_reset(b);
	xf_store *s = xf_store_open(b->url, XF_STORE_CREATE, &errs);
	assert_non_null(s);
	/* init itself writes no audit row; the test's rows are the log. */
	xf_stmt *st = xf_stmt_prepare(s,
				      "INSERT INTO audit_log (at, actor, action, object, before, after)"
				      " VALUES ($1, $2, $3, $4, $5, $6)",
				      &errs);
	assert_non_null(st);
	for (size_t i = 0; i < NSEED; i++) {
		xf_stmt_reset(st);
		xf_stmt_bind_text(st, 1, seed[i].at);
		xf_stmt_bind_text(st, 2, seed[i].actor);
		xf_stmt_bind_text(st, 3, seed[i].action);
		xf_stmt_bind_text(st, 4, seed[i].object);
		xf_stmt_bind_text(st, 5, seed[i].before);
		xf_stmt_bind_text(st, 6, seed[i].after);
		assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_DONE);
	}
	xf_stmt_finalize(st);
	long long n = 0;
	assert_int_equal(xf_store_audit_count(s, &n, &errs), 0);
	assert_int_equal(n, (long long)NSEED);
	xf_errs_print(&errs, "seed: ", stderr);
	assert_int_equal(errs.n, 0);
	xf_errs_cleanup(&errs);
	return s;
}

/* Runs a listing; returns the parsed answer (NULL when refused, with the
 * first message copied to msg). */
static cJSON *list(xf_store *s, const xf_audit_filter *flt, char *msg, size_t msgsize)
{
	xf_errs errs;
	xf_errs_init(&errs);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = xf_audit_list_json(s, flt, f, &errs);
	fclose(f);
	cJSON *doc = NULL;
	if (rc == 0) {
		assert_int_equal(errs.n, 0);
		doc = cJSON_Parse(buf);
		if (doc == NULL)
			fail_msg("not JSON: %s", buf);
	} else {
		assert_true(errs.n >= 1);
		assert_int_equal(len, 0); /* nothing written */
		if (msg)
			snprintf(msg, msgsize, "%s", errs.msgs[0]);
	}
	free(buf);
	xf_errs_cleanup(&errs);
	return doc;
}

/* The ids of the items, as "8,7,6". */
static void ids_of(const cJSON *doc, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "items"))
		n += (size_t)snprintf(out + n, size - n, "%s%d", n ? "," : "",
				      cJSON_GetObjectItem(it, "id")->valueint);
}

static void test_filters(void **state)
{
	static const struct {
		const char *actor, *action, *from, *to;
		const char *ids; /* newest first */
	} rows[] = {
		{NULL, NULL, NULL, NULL, "8,7,6,5,4,3,2,1"},
		{"admin", NULL, NULL, NULL, "7,4,3,2"},
		{"Admin", NULL, NULL, NULL, ""},                    /* exact, case and all */
		{"adm", NULL, NULL, NULL, ""},
		{NULL, "login", NULL, NULL, "8,6,2"},               /* exact: not login.failed */
		{NULL, "user.", NULL, NULL, "4,3"},                 /* prefix: not users.export */
		{NULL, "login.", NULL, NULL, "5"},
		{NULL, "user", NULL, NULL, ""},
		{NULL, "%", NULL, NULL, ""},                        /* no wildcards */
		{NULL, "_ogin", NULL, NULL, ""},
		{"admin", "login", NULL, NULL, "2"},                /* filters combine */
		{NULL, NULL, "2026-11-23", NULL, "8,7,6,5,4,3,2"},  /* from a day: inclusive */
		{NULL, NULL, NULL, "2026-11-23", "6,5,4,3,2,1"},    /* to a day: the whole day */
		{NULL, NULL, "2026-11-23", "2026-11-23", "6,5,4,3,2"},
		{NULL, NULL, "2026-11-23T10:00:00", NULL, "8,7,6,5,4"}, /* date-time: inclusive */
		{NULL, NULL, NULL, "2026-11-23T10:00:00", "3,2,1"},    /* date-time: exclusive */
		{NULL, NULL, "2026-11-23T09:30:00", "2026-11-23T20:40:13", "5,4,3"},
		{"zhang", "login", "2026-11-23", "2026-11-23", "6"},
		{NULL, NULL, "2026-11-26", NULL, ""},
		{NULL, NULL, "2026-11-24", "2026-11-23", ""},
		{NULL, NULL, "2026-11-24", "2026-11-24", "7"},
	};
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = seeded(&backends[b]);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			xf_audit_filter flt = {rows[i].actor, rows[i].action, rows[i].from, rows[i].to,
					       1, 200};
			cJSON *doc = list(s, &flt, NULL, 0);
			assert_non_null(doc);
			char ids[128];
			ids_of(doc, ids, sizeof(ids));
			if (strcmp(ids, rows[i].ids) != 0)
				fail_msg("%s row %zu: ids \"%s\", want \"%s\"", backends[b].name, i, ids,
					 rows[i].ids);
			int want_total = rows[i].ids[0] ? 1 : 0;
			for (const char *c = rows[i].ids; *c; c++)
				want_total += *c == ',';
			assert_int_equal(cJSON_GetObjectItem(doc, "total")->valueint, want_total);
			cJSON_Delete(doc);
		}
		xf_store_close(s);
	}
}

static void test_items_and_paging(void **state)
{
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = seeded(&backends[b]);
		static const struct {
			long long page, per_page;
			const char *ids;
		} pages[] = {
			{1, 3, "8,7,6"}, {2, 3, "5,4,3"}, {3, 3, "2,1"}, {4, 3, ""},
			{1, 1, "8"},     {8, 1, "1"},     {1, 200, "8,7,6,5,4,3,2,1"},
		};
		for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			xf_audit_filter flt = {NULL, NULL, NULL, NULL, pages[i].page, pages[i].per_page};
			cJSON *doc = list(s, &flt, NULL, 0);
			assert_non_null(doc);
			char ids[128];
			ids_of(doc, ids, sizeof(ids));
			assert_string_equal(ids, pages[i].ids);
			assert_int_equal(cJSON_GetObjectItem(doc, "total")->valueint, 8);
			assert_int_equal(cJSON_GetObjectItem(doc, "page")->valueint, pages[i].page);
			assert_int_equal(cJSON_GetObjectItem(doc, "per_page")->valueint, pages[i].per_page);
			cJSON_Delete(doc);
		}

		/* One item whole, and before/after as the JSON they hold. */
		xf_audit_filter flt = {NULL, NULL, NULL, NULL, 1, 200};
		cJSON *doc = list(s, &flt, NULL, 0);
		cJSON *items = cJSON_GetObjectItem(doc, "items");
		cJSON *roles = cJSON_GetArrayItem(items, 8 - 4); /* id 4 */
		assert_int_equal(cJSON_GetObjectItem(roles, "id")->valueint, 4);
		assert_string_equal(cJSON_GetObjectItem(roles, "at")->valuestring,
				    "2026-11-23T10:00:00.000Z");
		assert_string_equal(cJSON_GetObjectItem(roles, "actor")->valuestring, "admin");
		assert_string_equal(cJSON_GetObjectItem(roles, "action")->valuestring, "user.roles");
		assert_string_equal(cJSON_GetObjectItem(roles, "object")->valuestring, "user:zhang");
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(roles, "before")));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(roles, "before")), 0);
		cJSON *after = cJSON_GetObjectItem(roles, "after");
		assert_true(cJSON_IsArray(after));
		assert_string_equal(
			cJSON_GetObjectItem(cJSON_GetArrayItem(after, 0), "role")->valuestring, "member");
		cJSON *init = cJSON_GetArrayItem(items, 7); /* id 1 */
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(init, "object")));
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(init, "before")));
		assert_int_equal(
			cJSON_GetObjectItem(cJSON_GetObjectItem(init, "after"), "schema_version")->valueint,
			2);
		/* Text that is not JSON comes out as a string. */
		cJSON *odd = cJSON_GetArrayItem(items, 2); /* id 6 */
		assert_string_equal(cJSON_GetObjectItem(odd, "after")->valuestring, "not json {");
		cJSON_Delete(doc);

		/* Numbers go out exactly as stored. */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_audit_filter one = {NULL, "user.add", NULL, NULL, 1, 1};
		assert_int_equal(xf_audit_list_json(s, &one, f, &errs), 0);
		fclose(f);
		assert_non_null(strstr(buf, "\"after\": {\"username\":\"zhang\",\"n\":12345678901234567890}"));
		free(buf);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

static void test_bad_filters(void **state)
{
	static const struct {
		const char *from, *to;
		long long page, per_page;
		const char *want; /* in the first message */
	} rows[] = {
		{"2026-13-01", NULL, 1, 10, "开始时间 (from)"},
		{"2026-02-30", NULL, 1, 10, "开始时间 (from)"},
		{"2026-1-1", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23 10:00:00", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23T24:00:00", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23T10:60:00", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23T10:00", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23T10:00:00Z", NULL, 1, 10, "开始时间 (from)"},
		{"2026-11-23T10:00:00.000", NULL, 1, 10, "开始时间 (from)"},
		{"", NULL, 1, 10, "开始时间 (from)"},
		{"yesterday", NULL, 1, 10, "\"yesterday\""},
		{NULL, "2026-11-2x", 1, 10, "结束时间 (to)"},
		{NULL, "2026-11-23t10:00:00", 1, 10, "结束时间 (to)"},
		{NULL, NULL, 0, 10, "页码 (page)"},
		{NULL, NULL, -1, 10, "页码 (page)"},
		{NULL, NULL, 1, 0, "每页条数 (per_page)"},
		{NULL, NULL, 1, 201, "每页条数 (per_page)"},
	};
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = seeded(&backends[b]);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			xf_audit_filter flt = {NULL, NULL, rows[i].from, rows[i].to, rows[i].page,
					       rows[i].per_page};
			char msg[512];
			cJSON *doc = list(s, &flt, msg, sizeof(msg));
			if (doc != NULL || strstr(msg, rows[i].want) == NULL)
				fail_msg("row %zu: got \"%s\", want \"%s\"", i, doc ? "(accepted)" : msg,
					 rows[i].want);
		}
		/* Edge dates that are fine: a leap day, the last second. */
		xf_audit_filter ok = {NULL, NULL, "2024-02-29", "2026-12-31T23:59:59", 1, 200};
		cJSON *doc = list(s, &ok, NULL, 0);
		assert_non_null(doc);
		assert_int_equal(cJSON_GetObjectItem(doc, "total")->valueint, 8);
		cJSON_Delete(doc);
		/* The last day of a year as "to" reaches into the next year's first. */
		xf_audit_filter eoy = {NULL, NULL, NULL, "2025-12-31", 1, 200};
		doc = list(s, &eoy, NULL, 0);
		assert_int_equal(cJSON_GetObjectItem(doc, "total")->valueint, 0);
		cJSON_Delete(doc);
		xf_store_close(s);
	}
}

/* A row of JSON objects: written compact, read back as the objects; no
 * actor is "cli"; a missing side is null. */
static void test_write_json(void **state)
{
	(void)state;
	for (int b = 0; b < nbackends; b++) {
		xf_store *s = seeded(&backends[b]);
		xf_errs errs;
		xf_errs_init(&errs);
		cJSON *after = cJSON_Parse("{\"status\": \"approved\", \"n\": 2}");
		assert_int_equal(xf_audit_json(s, NULL, "test.json", "thing:1", NULL, after, &errs), 0);
		cJSON_Delete(after);
		xf_audit_filter flt = {.action = "test.json", .page = 1, .per_page = 10};
		cJSON *doc = list(s, &flt, NULL, 0);
		const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "items"), 0);
		assert_non_null(it);
		assert_string_equal(cJSON_GetObjectItem(it, "actor")->valuestring, "cli");
		assert_string_equal(cJSON_GetObjectItem(it, "object")->valuestring, "thing:1");
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "before")));
		const cJSON *a = cJSON_GetObjectItem(it, "after");
		assert_string_equal(cJSON_GetObjectItem(a, "status")->valuestring, "approved");
		assert_int_equal((int)cJSON_GetObjectItem(a, "n")->valuedouble, 2);
		cJSON_Delete(doc);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-audit-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_items_and_paging),
		cmocka_unit_test(test_bad_filters),
		cmocka_unit_test(test_write_json),
	};
	int rc = cmocka_run_group_tests_name("service/audit", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
