/* The claims routes over real HTTP (docs/workflow.md "Claims" and
 * "Evidence files", docs/api.md), on the demo organisation:
 *   - the state machine as a table: every action from every state by the
 *     claimant, another member, the reviewer of the unit, a reviewer of
 *     another unit, the approver, the admin and the auditor, each with the
 *     status and error code it must get (the route's roles first, then the
 *     service's scope and rules), and the claim's state after;
 *   - the step-2 approver differing from the step-1 reviewer;
 *   - two approvers approving the same claim at the same moment from two
 *     threads: one 200, one 409 conflict, one record;
 *   - uploads: too large (413), a JPEG named .pdf and a text file named
 *     .pdf (415), path tricks and control characters in names (kept
 *     sanitised; the evidence folder holds only ab/<sha256> files);
 *     downloads (attachment with filename*, nosniff, inline with a
 *     sandbox CSP) and who gets 404; duplicates across two people;
 *   - an approved claim in GET /me/credits, by the preview's figure;
 *   - lists, items, batch.
 * Runs the sanitizer server on SQLite, and on PostgreSQL when
 * XUEFEN_TEST_PG is set. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../support/backends.h"
#include "api_harness.h"
#include "store/query.h"

#define PASSWORD "Claims-Test-2026"
#define UPLOAD_LIMIT (64 * 1024)

static ah_server S;
static int current_backend;
static char evroot[64];  /* temporary folder of the evidence files */
static char evdir[128];
static bool in_db;       /* evidence.store: database (else folder) */
static char day[16];     /* a date of the demo year, not after today */

enum { C_CLAIMANT, C_OTHER, C_REV, C_REV_OUT, C_APP, C_ADMIN, C_AUDITOR, NC };
static ah_sess sess[NC];
static ah_sess app2, revapp, far_member; /* a second approver; reviewer+approver; 昆山 */
static const char *const caller_names[NC] = {"claimant", "other member", "reviewer", "reviewer (other unit)",
					     "approver", "admin", "auditor"};

/* ---- helpers ---- */

static long long unit_id_of(const cJSON *arr, const char *code)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, arr) {
		if (strcmp(ah_jstr(u, "code"), code) == 0)
			return ah_jint(u, "id");
		long long in = unit_id_of(cJSON_GetObjectItemCaseSensitive(u, "children"), code);
		if (in > 0)
			return in;
	}
	return -1;
}

/* POST /users as admin, then signs in as the new user. */
static void add_user(const char *name, const char *roles_json, ah_sess *out)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"username\": \"%s\", \"display_name\": \"%s\", \"password\": \"" PASSWORD "\","
		 " \"roles\": %s}", name, name, roles_json);
	ah_resp r;
	ah_call(&S, &sess[C_ADMIN], "POST", "/api/v1/users", body, &r);
	ah_expect(&r, 201, name);
	ah_resp_free(&r);
	if (ah_login(&S, name, PASSWORD, NULL, out, &r) != 200)
		fail_msg("login %s: %s", name, r.body);
	ah_resp_free(&r);
}

static char *training_body(const char *level)
{
	static char body[512];
	snprintf(body, sizeof(body),
		 "{\"item\": \"listen.training\", \"fields\": {\"date\": \"%s\", \"level\": \"%s\","
		 " \"minutes\": 120, \"attended_minutes\": 110}, \"details\": {\"content\":"
		 " \"大数据讲堂：数据要素\", \"place\": \"局三楼会议室\"}}", day, level);
	return body;
}

static long long create(const ah_sess *who, const char *body)
{
	ah_resp r;
	ah_call(&S, who, "POST", "/api/v1/claims", body, &r);
	ah_expect(&r, 201, "POST /claims");
	long long id = ah_jint(r.json, "id");
	assert_true(id > 0);
	assert_string_equal(ah_jstr(r.json, "status"), "draft");
	ah_resp_free(&r);
	return id;
}

static long post_claim(const ah_sess *who, long long id, const char *what, const char *body, ah_resp *r)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/%s", id, what);
	return ah_call(&S, who, "POST", path, body, r);
}

static void must_post(const ah_sess *who, long long id, const char *what, const char *body)
{
	ah_resp r;
	post_claim(who, id, what, body, &r);
	ah_expect(&r, 200, what);
	ah_resp_free(&r);
}

static long long claim_in(const char *state)
{
	const ah_sess *m = &sess[C_CLAIMANT];
	long long id = create(m, training_body("city"));
	if (strcmp(state, "draft") != 0 && strcmp(state, "withdrawn") != 0)
		must_post(m, id, "submit", NULL);
	if (strcmp(state, "reviewed") == 0 || strcmp(state, "approved") == 0)
		must_post(&sess[C_REV], id, "review", NULL);
	if (strcmp(state, "approved") == 0)
		must_post(&sess[C_APP], id, "approve", "{\"note\": \"同意\"}");
	if (strcmp(state, "rejected") == 0)
		must_post(&sess[C_REV], id, "reject", "{\"reason\": \"材料不全\"}");
	if (strcmp(state, "withdrawn") == 0)
		must_post(m, id, "withdraw", NULL);
	return id;
}

static void expect_status(long long id, const char *want, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld", id);
	ah_resp r;
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	ah_expect(&r, 200, what);
	if (strcmp(ah_jstr(r.json, "status"), want) != 0)
		fail_msg("%s: claim %lld is %s, expected %s", what, id, ah_jstr(r.json, "status"), want);
	ah_resp_free(&r);
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &S.demo, &S.year);
	snprintf(evroot, sizeof(evroot), "/tmp/xuefen-apiclaims-XXXXXX");
	assert_non_null(mkdtemp(evroot));
	snprintf(evdir, sizeof(evdir), "%s/files", evroot);
	/* Both places for the content: the folder on SQLite, the database on
	 * PostgreSQL (each backend's default, said explicitly). */
	in_db = backend_is_pg(b);
	char config[256];
	snprintf(config, sizeof(config), "evidence:\n  store: %s\n  dir: %s\nlimits:\n  upload: 64KB\n",
		 in_db ? "database" : "folder", evdir);
	ah_server_start(&S, b->url, config);
	snprintf(day, sizeof(day), "%04d-01-01", S.year);
	static const char *const role[NC] = {"member", "member", "reviewer", NULL, "approver", "admin",
					     "auditor"};
	static const int nth[NC] = {0, 1, 0, 0, 0, 0, 0};
	for (int k = 0; k < NC; k++)
		if (role[k])
			ah_login_role(&S, role[k], nth[k], &sess[k]);
	ah_login_role(&S, "member", 2, &far_member);
	ah_resp r;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/units?year=%d", S.year);
	ah_call(&S, &sess[C_ADMIN], "GET", path, NULL, &r);
	ah_expect(&r, 200, "GET /units");
	long long sj = unit_id_of(r.json, "dsj-sj"), zh = unit_id_of(r.json, "dsj-zh"),
		  dsj = unit_id_of(r.json, "dsj");
	ah_resp_free(&r);
	assert_true(sj > 0 && zh > 0 && dsj > 0);
	char roles[256];
	snprintf(roles, sizeof(roles), "[{\"role\": \"reviewer\", \"unit_id\": %lld}]", zh);
	add_user("reviewer-zh", roles, &sess[C_REV_OUT]);
	snprintf(roles, sizeof(roles), "[{\"role\": \"approver\", \"unit_id\": %lld}]", dsj);
	add_user("approver2", roles, &app2);
	snprintf(roles, sizeof(roles),
		 "[{\"role\": \"reviewer\", \"unit_id\": %lld}, {\"role\": \"approver\", \"unit_id\": %lld}]",
		 sj, sj);
	add_user("revapp", roles, &revapp);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ah_server_kill(&S);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", evroot);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", evroot);
	return 0;
}

/* ---- the state machine ---- */

enum { X_UPDATE, X_SUBMIT, X_WITHDRAW, X_REVIEW, X_APPROVE, X_REJECT, X_GET, NX };
static const char *const action_names[NX] = {"update", "submit", "withdraw", "review", "approve",
					     "reject", "get"};
static const char *const states[] = {"draft", "submitted", "reviewed", "approved", "rejected",
				     "withdrawn"};
#define NSTATES 6

/* The roles of each caller and of each route (routes.c). */
#define MEM 1u
#define REV 2u
#define APP 4u
#define ADM 8u
#define AUD 16u
static const unsigned caller_roles[NC] = {MEM, MEM, MEM | REV, REV, MEM | APP, ADM, AUD};
static const unsigned route_roles[NX] = {MEM, MEM, MEM, REV, APP, REV | APP, MEM | REV | APP | ADM};

/* What the service does when the route lets the caller in: O ok, N not
 * found, F forbidden, C conflict (the same table as test_claims.c). */
#define O 200
#define N 404
#define Fb 403
#define C 409
static const int expect[NSTATES][NX][NC] = {
	/*                 claimant other rev rev_out app admin auditor */
	[0] = {[X_UPDATE] = {O, N, N, N, N, N, N},   [X_SUBMIT] = {O, N, N, N, N, N, N},
	       [X_WITHDRAW] = {O, N, N, N, N, N, N}, [X_REVIEW] = {C, N, N, N, N, N, N},
	       [X_APPROVE] = {C, N, N, N, N, N, N},  [X_REJECT] = {C, N, N, N, N, N, N},
	       [X_GET] = {O, N, N, N, N, N, N}},
	[1] = {[X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {Fb, N, O, N, Fb, Fb, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {Fb, N, O, N, Fb, Fb, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[2] = {[X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {Fb, N, Fb, N, O, Fb, N}, [X_REJECT] = {Fb, N, Fb, N, O, Fb, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[3] = {[X_UPDATE] = {C, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {C, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {C, N, C, N, C, C, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[4] = {[X_UPDATE] = {O, N, Fb, N, Fb, Fb, N}, [X_SUBMIT] = {C, N, Fb, N, Fb, Fb, N},
	       [X_WITHDRAW] = {O, N, Fb, N, Fb, Fb, N}, [X_REVIEW] = {C, N, C, N, C, C, N},
	       [X_APPROVE] = {C, N, C, N, C, C, N},   [X_REJECT] = {C, N, C, N, C, C, N},
	       [X_GET] = {O, N, O, N, O, O, N}},
	[5] = {[X_UPDATE] = {C, N, N, N, N, N, N},   [X_SUBMIT] = {C, N, N, N, N, N, N},
	       [X_WITHDRAW] = {C, N, N, N, N, N, N}, [X_REVIEW] = {C, N, N, N, N, N, N},
	       [X_APPROVE] = {C, N, N, N, N, N, N},  [X_REJECT] = {C, N, N, N, N, N, N},
	       [X_GET] = {O, N, N, N, N, N, N}},
};
static const char *const after_ok[NX] = {"draft", "submitted", "withdrawn", "reviewed", "approved",
					 "rejected", NULL};
#undef O
#undef N
#undef Fb
#undef C

static long run(int x, int k, long long id, ah_resp *r)
{
	char path[96];
	const ah_sess *who = &sess[k];
	switch (x) {
	case X_UPDATE:
		snprintf(path, sizeof(path), "/api/v1/claims/%lld", id);
		return ah_call(&S, who, "PUT", path, training_body("district"), r);
	case X_SUBMIT: return post_claim(who, id, "submit", NULL, r);
	case X_WITHDRAW: return post_claim(who, id, "withdraw", NULL, r);
	case X_REVIEW: return post_claim(who, id, "review", "{\"note\": \"同意\"}", r);
	case X_APPROVE: return post_claim(who, id, "approve", NULL, r);
	case X_REJECT: return post_claim(who, id, "reject", "{\"reason\": \"证明材料不清晰\"}", r);
	default:
		snprintf(path, sizeof(path), "/api/v1/claims/%lld", id);
		return ah_call(&S, who, "GET", path, NULL, r);
	}
}

static void test_state_machine(void **state)
{
	(void)state;
	int checked = 0;
	for (int si = 0; si < NSTATES; si++) {
		long long shared = claim_in(states[si]); /* for what changes nothing */
		for (int x = 0; x < NX; x++) {
			for (int k = 0; k < NC; k++) {
				bool routed = (caller_roles[k] & route_roles[x]) != 0;
				int want = routed ? expect[si][x][k] : 403;
				bool changes = want == 200 && x != X_GET;
				long long id = changes ? claim_in(states[si]) : shared;
				ah_resp r;
				long got = run(x, k, id, &r);
				if (got != want)
					fail_msg("%s claim, %s by %s: %ld, expected %d; %.300s", states[si],
						 action_names[x], caller_names[k], got, want, r.body);
				const char *code = want == 403   ? "forbidden"
						   : want == 404 ? "not_found"
						   : want == 409 ? "conflict"
								 : NULL;
				if (code && (!ah_is_json_error(&r) || strcmp(ah_error_code(&r), code) != 0))
					fail_msg("%s claim, %s by %s: error %s, expected %s", states[si],
						 action_names[x], caller_names[k], r.body, code);
				if (want == 200)
					assert_int_equal(ah_jint(r.json, "id"), id);
				ah_resp_free(&r);
				expect_status(id, changes ? after_ok[x] : states[si], action_names[x]);
				checked++;
			}
		}
	}
	assert_int_equal(checked, NSTATES * NX * NC);
}

/* Step 2 by another person than step 1. */
static void test_two_people(void **state)
{
	(void)state;
	long long id = claim_in("submitted");
	must_post(&revapp, id, "review", NULL);
	ah_resp r;
	post_claim(&revapp, id, "approve", NULL, &r);
	ah_expect_error(&r, 403, "forbidden", "approve by the step-1 reviewer");
	assert_non_null(strstr(ah_jstr(r.json, "error.message"), "另一位领导"));
	ah_resp_free(&r);
	must_post(&sess[C_APP], id, "approve", NULL);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld", id);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	assert_string_equal(ah_jstr(r.json, "reviewed_by.username"), "revapp");
	assert_string_equal(ah_jstr(r.json, "approved_by.username"), ah_demo_login(&S, "approver", 0)->username);
	assert_true(ah_jint(r.json, "record_id") > 0);
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "events")), 4);
	ah_resp_free(&r);
	/* The reviewer's notice and the approver's reached the claimant. */
	ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/me/notices", NULL, &r);
	ah_expect(&r, 200, "notices");
	char object[48];
	snprintf(object, sizeof(object), "claim:%lld", id);
	int seen = 0;
	const cJSON *n;
	cJSON_ArrayForEach(n, ah_jget(r.json, "items"))
		seen += strcmp(ah_jstr(n, "object"), object) == 0;
	assert_int_equal(seen, 2);
	ah_resp_free(&r);
}

/* ---- two approvers at once ---- */

typedef struct racer {
	const ah_sess *who;
	long long id;
	pthread_barrier_t *go;
	long status;
} racer;

static size_t sink(char *d, size_t size, size_t n, void *ud)
{
	(void)d;
	(void)ud;
	return size * n;
}

static void *race(void *arg)
{
	racer *r = arg;
	char url[160], cookie[256], csrf[128];
	snprintf(url, sizeof(url), "%s/api/v1/claims/%lld/approve", S.base, r->id);
	snprintf(cookie, sizeof(cookie), "Cookie: xf_session=%s", r->who->token);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", r->who->csrf);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, cookie);
	h = curl_slist_append(h, csrf);
	h = curl_slist_append(h, "Content-Type:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	pthread_barrier_wait(r->go);
	r->status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int records_of_claim(long long id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/me/credits?year=%d", S.year);
	ah_resp r;
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	ah_expect(&r, 200, "me/credits");
	int n = 0;
	const cJSON *rec;
	cJSON_ArrayForEach(rec, ah_jget(r.json, "records"))
		n += ah_jint(rec, "claim_id") == id;
	ah_resp_free(&r);
	return n;
}

static void test_race(void **state)
{
	(void)state;
	for (int round = 0; round < 4; round++) {
		long long id = claim_in("reviewed");
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		racer a = {&sess[C_APP], id, &go, 0}, b = {&app2, id, &go, 0};
		pthread_t ta, tb;
		assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		if (!((a.status == 200 && b.status == 409) || (a.status == 409 && b.status == 200)))
			fail_msg("round %d: %ld and %ld (expected one 200, one 409)", round, a.status, b.status);
		assert_int_equal(records_of_claim(id), 1);
		expect_status(id, "approved", "after the race");
	}
}

/* ---- uploads ---- */

static long upload(const ah_sess *who, long long id, const char *name_q, const void *data, size_t len,
		   ah_resp *r)
{
	char path[512];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/evidence%s%s", id, name_q ? "?name=" : "",
		 name_q ? name_q : "");
	ah_req rq = {.method = "POST", .path = path, .body = data, .body_len = (long)len,
		     .content_type = "application/octet-stream", .sess = who};
	ah_do(&S, &rq, r);
	return r->status;
}

static const char PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
static const unsigned char JPEG[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1};

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* How many contents are kept: the blobs in the database, and the folder
 * empty; or the folder's files, only ab/<64 hex> ones. */
static int check_store(void)
{
	if (in_db) {
		xf_errs errs;
		xf_errs_init(&errs);
		xf_store *st = xf_store_open(backends[current_backend].url, XF_STORE_OPEN, &errs);
		assert_non_null(st);
		long long n = -1;
		assert_int_equal(xf_query_row(st, "SELECT COUNT(*) FROM blobs WHERE size >= $1", &errs,
					      XF_IN(0LL), XF_OUT(&n)),
				 0);
		xf_store_close(st);
		xf_errs_cleanup(&errs);
		struct stat sb;
		assert_true(stat(evdir, &sb) != 0); /* nothing went to a folder */
		return (int)n;
	}
	DIR *d = opendir(evdir);
	assert_non_null(d);
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!is_hex(e->d_name, 2))
			fail_msg("unexpected entry in the evidence folder: %s", e->d_name);
		char sub[512];
		snprintf(sub, sizeof(sub), "%s/%s", evdir, e->d_name);
		DIR *s = opendir(sub);
		assert_non_null(s);
		struct dirent *f;
		while ((f = readdir(s)) != NULL) {
			if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
				continue;
			if (!is_hex(f->d_name, 64) || strncmp(f->d_name, e->d_name, 2) != 0)
				fail_msg("unexpected file in the evidence folder: %s/%s", e->d_name, f->d_name);
			files++;
		}
		closedir(s);
	}
	closedir(d);
	/* Nothing escaped next to it. */
	d = opendir(evroot);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, "files") != 0)
			fail_msg("unexpected entry beside the evidence folder: %s", e->d_name);
	closedir(d);
	return files;
}

static void test_uploads(void **state)
{
	(void)state;
	long long id = create(&sess[C_CLAIMANT], training_body("city"));
	ah_resp r;
	/* Too large: refused before it is read. */
	size_t big = UPLOAD_LIMIT + 1;
	char *data = malloc(big);
	assert_non_null(data);
	memset(data, 'x', big);
	memcpy(data, "%PDF-1.4\n", 9);
	upload(&sess[C_CLAIMANT], id, "big.pdf", data, big, &r);
	ah_expect_error(&r, 413, "payload_too_large", "oversize");
	ah_resp_free(&r);
	free(data);
	/* Content decides. */
	upload(&sess[C_CLAIMANT], id, "photo.pdf", JPEG, sizeof(JPEG), &r);
	ah_expect_error(&r, 415, "unsupported_type", "a JPEG named .pdf");
	assert_non_null(strstr(ah_jstr(r.json, "error.message"), "文件内容是 JPEG 图片，与扩展名 .pdf 不符"));
	ah_resp_free(&r);
	upload(&sess[C_CLAIMANT], id, "notes.pdf", "just some text\n", 15, &r);
	ah_expect_error(&r, 415, "unsupported_type", "a text file named .pdf");
	ah_resp_free(&r);
	upload(&sess[C_CLAIMANT], id, "photo.jpg", JPEG, sizeof(JPEG), &r);
	ah_expect(&r, 201, "a JPEG named .jpg");
	assert_string_equal(ah_jstr(r.json, "mime"), "image/jpeg");
	ah_resp_free(&r);
	/* Names: path tricks and control characters are kept sanitised. */
	static const struct {
		const char *q, *name;
	} names[] = {
		{"..%2F..%2Fetc%2Fpasswd.pdf", "passwd.pdf"},
		{"a%5Cb.pdf", "b.pdf"},
		{"%2Ftmp%2Fx%2F..%2F..%2Froot.pdf", "root.pdf"},
		{"%01x%0D%0Ay%7F.pdf", "xy.pdf"},
		{"ev%00il.pdf", "ev%00il.pdf"}, /* %00 is not decoded by the server */
		{"%E2%80%AEfdp.pdf", "fdp.pdf"},
		{"%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6.pdf", "结业证书.pdf"},
		{NULL, "证明材料.pdf"},
	};
	long long first = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		upload(&sess[C_CLAIMANT], id, names[i].q, PDF, sizeof(PDF) - 1, &r);
		ah_expect(&r, 201, names[i].q ? names[i].q : "no name");
		if (strcmp(ah_jstr(r.json, "name"), names[i].name) != 0)
			fail_msg("%s stored as \"%s\", expected \"%s\"", names[i].q, ah_jstr(r.json, "name"),
				 names[i].name);
		assert_int_equal(ah_jint(r.json, "size"), (long long)sizeof(PDF) - 1);
		if (i == 6)
			first = ah_jint(r.json, "id");
		ah_resp_free(&r);
	}
	assert_int_equal(check_store(), 2); /* the JPEG and one PDF, however often */
	/* Who may upload: only the claimant, only while draft or rejected. */
	upload(&sess[C_OTHER], id, "x.pdf", PDF, sizeof(PDF) - 1, &r);
	ah_expect_error(&r, 404, "not_found", "another member's upload");
	ah_resp_free(&r);
	upload(&sess[C_ADMIN], id, "x.pdf", PDF, sizeof(PDF) - 1, &r);
	ah_expect_error(&r, 403, "forbidden", "the admin's upload");
	ah_resp_free(&r);

	/* Downloads. */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/evidence/%lld", first);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	ah_expect(&r, 200, "download");
	assert_int_equal(r.len, sizeof(PDF) - 1);
	assert_memory_equal(r.body, PDF, r.len);
	char h[512];
	assert_true(ah_header(&r, "Content-Type", h, sizeof(h)));
	assert_string_equal(h, "application/pdf");
	assert_true(ah_header(&r, "Content-Disposition", h, sizeof(h)));
	assert_string_equal(h, "attachment; filename=\"____________.pdf\"; "
			       "filename*=UTF-8''%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6.pdf");
	assert_true(ah_header(&r, "X-Content-Type-Options", h, sizeof(h)));
	assert_string_equal(h, "nosniff");
	assert_false(ah_header(&r, "Content-Security-Policy", h, sizeof(h)));
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/evidence/%lld?inline=1", first);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	ah_expect(&r, 200, "inline");
	assert_true(ah_header(&r, "Content-Disposition", h, sizeof(h)));
	assert_int_equal(strncmp(h, "inline; ", 8), 0);
	/* A PDF shown in the review page's frame: framed by its own origin only,
	 * no script (a sandbox would stop the browser's PDF viewer). */
	assert_true(ah_header(&r, "Content-Security-Policy", h, sizeof(h)));
	assert_string_equal(h, "frame-ancestors 'self'; script-src 'none'");
	assert_true(ah_header(&r, "X-Frame-Options", h, sizeof(h)));
	assert_string_equal(h, "SAMEORIGIN");
	ah_resp_free(&r);
	/* Nobody else sees a draft's file; the auditor has no route. */
	snprintf(path, sizeof(path), "/api/v1/evidence/%lld", first);
	static const struct {
		const ah_sess *who;
		long status;
	} before[] = {{&sess[C_OTHER], 404}, {&far_member, 404}, {&sess[C_REV], 404},
		      {&sess[C_REV_OUT], 404}, {&sess[C_APP], 404}, {&sess[C_ADMIN], 404},
		      {&sess[C_AUDITOR], 403}};
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		ah_call(&S, before[i].who, "GET", path, NULL, &r);
		if (r.status != before[i].status)
			fail_msg("download by %s before submit: %ld", before[i].who->username, r.status);
		ah_resp_free(&r);
	}
	/* Removal while a draft. */
	long long jpeg_id = 0;
	snprintf(path, sizeof(path), "/api/v1/claims/%lld", id);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	const cJSON *ev;
	cJSON_ArrayForEach(ev, ah_jget(r.json, "evidence"))
		if (strcmp(ah_jstr(ev, "mime"), "image/jpeg") == 0)
			jpeg_id = ah_jint(ev, "id");
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "evidence")), 9);
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/evidence/%lld", id, jpeg_id);
	assert_int_equal(ah_call(&S, &sess[C_OTHER], "DELETE", path, NULL, NULL), 404);
	assert_int_equal(ah_call(&S, &sess[C_CLAIMANT], "DELETE", path, NULL, NULL), 204);
	assert_int_equal(ah_call(&S, &sess[C_CLAIMANT], "DELETE", path, NULL, NULL), 404);
	/* Submitted: staff in scope see it; others still do not. */
	must_post(&sess[C_CLAIMANT], id, "submit", NULL);
	snprintf(path, sizeof(path), "/api/v1/evidence/%lld", first);
	static const struct {
		const ah_sess *who;
		long status;
	} after[] = {{&sess[C_CLAIMANT], 200}, {&sess[C_REV], 200}, {&sess[C_APP], 200},
		     {&sess[C_ADMIN], 200},    {&sess[C_OTHER], 404}, {&far_member, 404},
		     {&sess[C_REV_OUT], 404},  {&sess[C_AUDITOR], 403}};
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		ah_call(&S, after[i].who, "GET", path, NULL, &r);
		if (r.status != after[i].status)
			fail_msg("download by %s after submit: %ld", after[i].who->username, r.status);
		ah_resp_free(&r);
	}
	upload(&sess[C_CLAIMANT], id, "late.pdf", PDF, sizeof(PDF) - 1, &r);
	ah_expect_error(&r, 409, "conflict", "upload after submit");
	ah_resp_free(&r);
	assert_int_equal(ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/evidence/999999", NULL, NULL), 404);
	assert_int_equal(ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/evidence/abc", NULL, NULL), 404);
}

/* The same file in two people's claims is flagged to staff. */
static void test_duplicates(void **state)
{
	(void)state;
	static const char doc[] = "%PDF-1.5\n% 证书 of a training, uploaded twice\n%%EOF\n";
	long long a = create(&sess[C_CLAIMANT], training_body("district"));
	long long b = create(&sess[C_OTHER], training_body("district"));
	ah_resp r;
	upload(&sess[C_CLAIMANT], a, "cert.pdf", doc, sizeof(doc) - 1, &r);
	ah_expect(&r, 201, "upload a");
	ah_resp_free(&r);
	upload(&sess[C_OTHER], b, "cert-copy.pdf", doc, sizeof(doc) - 1, &r);
	ah_expect(&r, 201, "upload b");
	ah_resp_free(&r);
	must_post(&sess[C_CLAIMANT], a, "submit", NULL);
	must_post(&sess[C_OTHER], b, "submit", NULL);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/claims/%lld", a);
	ah_call(&S, &sess[C_REV], "GET", path, NULL, &r);
	ah_expect(&r, 200, "reviewer's view");
	const cJSON *dup = ah_jget(cJSON_GetArrayItem(ah_jget(r.json, "evidence"), 0), "duplicate_of");
	assert_int_equal(cJSON_GetArraySize(dup), 1);
	assert_int_equal(ah_jint(cJSON_GetArrayItem(dup, 0), "claim_id"), b);
	assert_int_equal(ah_jint(cJSON_GetArrayItem(dup, 0), "person.id"), sess[C_OTHER].person_id);
	ah_resp_free(&r);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	assert_null(ah_jget(cJSON_GetArrayItem(ah_jget(r.json, "evidence"), 0), "duplicate_of"));
	ah_resp_free(&r);
	/* The review queue counts it. */
	ah_call(&S, &sess[C_REV], "GET", "/api/v1/claims?box=review&per_page=200", NULL, &r);
	ah_expect(&r, 200, "review queue");
	int flagged = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ah_jget(r.json, "items"))
		if (ah_jint(it, "id") == a || ah_jint(it, "id") == b)
			flagged += ah_jint(it, "duplicate_count") == 1;
	assert_int_equal(flagged, 2);
	ah_resp_free(&r);
}

/* An approved claim counts in the claimant's credits, by the preview. */
static void test_credits(void **state)
{
	(void)state;
	char body[512], path[96];
	snprintf(body, sizeof(body),
		 "{\"item\": \"write.briefing\", \"fields\": {\"date\": \"%s\", \"level\": \"district\","
		 " \"count\": 1}, \"details\": {\"content\": \"《江北信息》采用：数据共享\"}}", day);
	long long id = create(&sess[C_OTHER], body);
	ah_resp r;
	post_claim(&sess[C_OTHER], id, "submit", NULL, &r);
	ah_expect_error(&r, 422, "invalid", "a publication without a file");
	ah_resp_free(&r);
	upload(&sess[C_OTHER], id, "jbxx.pdf", PDF, sizeof(PDF) - 1, &r);
	ah_expect(&r, 201, "file");
	ah_resp_free(&r);
	must_post(&sess[C_OTHER], id, "submit", NULL);
	must_post(&sess[C_REV], id, "review", NULL);
	snprintf(path, sizeof(path), "/api/v1/claims/%lld/preview", id);
	ah_call(&S, &far_member, "GET", path, NULL, &r);
	ah_expect_error(&r, 404, "not_found", "a stranger's preview");
	ah_resp_free(&r);
	ah_call(&S, &sess[C_APP], "GET", path, NULL, &r);
	ah_expect(&r, 200, "preview");
	double adds = ah_jget(r.json, "adds")->valuedouble;
	assert_true(adds > 0);
	assert_non_null(strstr(ah_jstr(r.json, "explain"), "信息简报"));
	ah_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/me/credits?year=%d", S.year);
	ah_call(&S, &sess[C_OTHER], "GET", path, NULL, &r);
	double before = ah_jget(r.json, "total")->valuedouble;
	ah_resp_free(&r);
	must_post(&sess[C_APP], id, "approve", NULL);
	ah_call(&S, &sess[C_OTHER], "GET", path, NULL, &r);
	ah_expect(&r, 200, "credits after");
	double after = ah_jget(r.json, "total")->valuedouble;
	if (after - before < adds - 1e-6 || after - before > adds + 1e-6)
		fail_msg("credits %g -> %g, the preview said +%g", before, after, adds);
	int found = 0;
	const cJSON *rec;
	cJSON_ArrayForEach(rec, ah_jget(r.json, "records"))
		if (ah_jint(rec, "claim_id") == id) {
			found++;
			assert_string_equal(ah_jstr(rec, "item"), "write.briefing");
			assert_string_equal(ah_jstr(rec, "level"), "district");
		}
	assert_int_equal(found, 1);
	ah_resp_free(&r);
}

/* Lists, items, batch, malformed requests. */
static void test_lists_items_batch(void **state)
{
	(void)state;
	ah_resp r;
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/claims/items?year=%d", S.year);
	ah_call(&S, &sess[C_CLAIMANT], "GET", path, NULL, &r);
	ah_expect(&r, 200, "items");
	assert_string_equal(ah_jstr(r.json, "policy.id"), "bigdata-bureau");
	assert_true(cJSON_GetArraySize(ah_jget(r.json, "items")) >= 4);
	ah_resp_free(&r);
	ah_call(&S, &far_member, "GET", path, NULL, &r);
	ah_expect(&r, 200, "items of 昆山");
	assert_string_equal(ah_jstr(r.json, "policy.id"), "kunshan-cadre");
	ah_resp_free(&r);
	assert_int_equal(ah_call(&S, &sess[C_ADMIN], "GET", path, NULL, NULL), 403);

	ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/claims", NULL, &r);
	ah_expect(&r, 200, "mine");
	assert_string_equal(ah_jstr(r.json, "box"), "mine");
	long long mine = ah_jint(r.json, "total");
	assert_true(mine > 0);
	ah_resp_free(&r);
	ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/claims?box=review", NULL, &r);
	ah_expect_error(&r, 400, "bad_request", "a member's review box");
	ah_resp_free(&r);
	ah_call(&S, &sess[C_CLAIMANT], "GET", "/api/v1/claims?box=nope", NULL, &r);
	ah_expect_error(&r, 400, "bad_request", "an unknown box");
	ah_resp_free(&r);
	ah_call(&S, &sess[C_ADMIN], "GET", "/api/v1/claims?status=approved&per_page=1", NULL, &r);
	ah_expect(&r, 200, "admin's list");
	assert_string_equal(ah_jstr(r.json, "box"), "all");
	assert_true(ah_jint(r.json, "total") > 1);
	assert_int_equal(cJSON_GetArraySize(ah_jget(r.json, "items")), 1);
	ah_resp_free(&r);
	assert_int_equal(ah_call(&S, &sess[C_AUDITOR], "GET", "/api/v1/claims", NULL, NULL), 403);

	long long a = claim_in("submitted"), b = claim_in("submitted");
	char body[128];
	snprintf(body, sizeof(body), "{\"ids\": [%lld, %lld, 999999], \"action\": \"review\"}", a, b);
	ah_call(&S, &sess[C_REV], "POST", "/api/v1/claims/batch", body, &r);
	ah_expect(&r, 200, "batch");
	const cJSON *res = ah_jget(r.json, "results");
	assert_int_equal(cJSON_GetArraySize(res), 3);
	assert_true(cJSON_IsTrue(ah_jget(cJSON_GetArrayItem(res, 0), "ok")));
	assert_true(cJSON_IsTrue(ah_jget(cJSON_GetArrayItem(res, 1), "ok")));
	assert_string_equal(ah_jstr(cJSON_GetArrayItem(res, 2), "code"), "not_found");
	ah_resp_free(&r);
	expect_status(a, "reviewed", "batch");
	ah_call(&S, &sess[C_REV], "POST", "/api/v1/claims/batch", "{\"ids\": [], \"action\": \"review\"}", &r);
	ah_expect_error(&r, 400, "bad_request", "an empty batch");
	ah_resp_free(&r);

	/* Bodies the routes refuse. */
	ah_call(&S, &sess[C_CLAIMANT], "POST", "/api/v1/claims", "[1]", &r);
	ah_expect(&r, 400, "not an object");
	ah_resp_free(&r);
	ah_call(&S, &sess[C_CLAIMANT], "POST", "/api/v1/claims",
		"{\"item\": \"listen.training\", \"fields\": {\"date\": \"2000-01-01\", \"credits\": 3}}", &r);
	ah_expect_error(&r, 422, "invalid", "bad fields");
	assert_true(cJSON_GetArraySize(ah_jget(r.json, "error.details")) >= 1);
	ah_resp_free(&r);
	post_claim(&sess[C_REV], a, "reject", "{\"reason\": \"不符合\"}", &r);
	ah_expect_error(&r, 403, "forbidden", "reject of a reviewed claim by the reviewer");
	ah_resp_free(&r);
	post_claim(&sess[C_APP], a, "reject", "{}", &r);
	ah_expect_error(&r, 422, "invalid", "a reject without a reason");
	ah_resp_free(&r);
	post_claim(&sess[C_APP], a, "reject", "{\"reason\": 5}", &r);
	ah_expect_error(&r, 400, "bad_request", "a reason that is not text");
	ah_resp_free(&r);
}

static void test_server_stops_cleanly(void **state)
{
	(void)state;
	assert_int_equal(ah_server_stop(&S), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_two_people),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_uploads),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_credits),
		cmocka_unit_test(test_lists_items_batch),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	if (backends_setup("/tmp/xuefen-apiclaims-db-XXXXXX") != 0)
		return 1;
	curl_global_init(CURL_GLOBAL_ALL);
	int rc = 0;
	for (current_backend = 0; current_backend < nbackends; current_backend++) {
		fprintf(stderr, "== %s\n", backends[current_backend].name);
		rc |= cmocka_run_group_tests_name(backends[current_backend].name, tests, group_setup,
						  group_teardown);
	}
	curl_global_cleanup();
	backends_teardown();
	return rc;
}
