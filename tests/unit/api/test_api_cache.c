/* The API's cache over real HTTP (src/api/cache.c): a member's credits,
 * read again and again, change at once when records arrive — through the
 * API (the same server process) and through the command line (another
 * process writing the same database) — on SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/backends.h"
#include "api_harness.h"

static int current_backend;
static ah_server S;
static ah_sess admin, member;

static int group_setup(void **state)
{
	memset(&S, 0, sizeof(S));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &S.demo, &S.year);
	ah_server_start(&S, b->url, NULL);
	ah_login_role(&S, "admin", 0, &admin);
	ah_login_role(&S, "member", 1, &member); /* the one short of the requirement */
	return 0;
}

static int group_teardown(void **state)
{
	assert_int_equal(ah_server_stop(&S), 0);
	return 0;
}

/* The member's total as GET /me/credits answers it now. */
static double member_total(void)
{
	ah_resp r;
	ah_call(&S, &member, "GET", "/api/v1/me/credits?explain=0", NULL, &r);
	ah_expect(&r, 200, "GET /me/credits");
	const cJSON *t = ah_jget(r.json, "total");
	assert_true(cJSON_IsNumber(t));
	double v = t->valuedouble;
	ah_resp_free(&r);
	return v;
}

/* A records CSV giving the member one city-level session on day. */
static char *records_csv(const char *name, const char *unit_code, const char *day)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	assert_non_null(f);
	fprintf(f, "姓名,单位,项目,日期,级别,时长（分钟）\n%s,%s,listen.training,%s,city,120\n", name,
		unit_code, day);
	fclose(f);
	return s;
}

static void test_changes_are_seen(void **state)
{
	/* Who the member is, and their unit's code. */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/people/%lld", member.person_id);
	ah_resp r;
	ah_call(&S, &admin, "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /people/{member}");
	char name[64], unit[64];
	snprintf(name, sizeof(name), "%s", ah_jstr(r.json, "name"));
	snprintf(unit, sizeof(unit), "%s", ah_jstr(r.json, "unit.code"));
	ah_resp_free(&r);

	double t0 = member_total();
	assert_true(member_total() == t0); /* the cached answer, the same */

	/* Through the API: the same server process writes. */
	char day[16];
	snprintf(day, sizeof(day), "%d-03-02", S.year);
	char *csv = records_csv(name, unit, day);
	ah_req rq = {.method = "POST", .path = "/api/v1/imports/records?name=a.csv", .body = csv,
		     .body_len = -1, .content_type = "text/csv", .sess = &admin};
	ah_do(&S, &rq, &r);
	ah_expect(&r, 200, "import records through the API");
	ah_resp_free(&r);
	free(csv);
	double t1 = member_total();
	if (!(t1 > t0))
		fail_msg("after an import through the API the total stayed %.2f", t1);

	/* Through the command line: another process writes. */
	snprintf(day, sizeof(day), "%d-03-09", S.year);
	csv = records_csv(name, unit, day);
	char file[160];
	snprintf(file, sizeof(file), "%s/b.csv", S.dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs(csv, f);
	fclose(f);
	free(csv);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "build/asan/xuefen import records '%s' --db '%s' >/dev/null",
		 file, S.db_url);
	assert_int_equal(system(cmd), 0);
	double t2 = member_total();
	if (!(t2 > t1))
		fail_msg("after an import by another process the total stayed %.2f", t2);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-cache-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_are_seen),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api cache (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
