/* The session rules of the API over real HTTP (docs/api.md, Conventions):
 * the cookie's attributes (Secure only with secure_cookies), a new login
 * ending the browser's previous session, logout, the idle (30 min) and
 * absolute (12 h) limits with the server's clock moved by the test clock
 * file, CSRF tokens, foreign origins, login lockout (an unknown name
 * answered exactly like a known one), disabling a user and a password
 * change (their own or an admin's reset) ending their sessions, and
 * login's content type. Runs the
 * sanitizer server on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set;
 * the tests of a backend share one server and run in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/backends.h"
#include "api_harness.h"

#define IDLE_S 1800
#define ABSOLUTE_S 43200
#define LOCK_S 900
#define MAX_FAILURES 5

static ah_server S;
static int current_backend;

/* A request that changes something and is harmless when let through: a
 * wrong current password answers 400. */
#define PW_PATH "/api/v1/me/password"
#define PW_WRONG_BODY "{\"old_password\": \"Not-The-Password-1\", \"new_password\": \"Another-Pass-42\"}"

static const char *password_of(const char *role, int nth)
{
	return ah_demo_login(&S, role, nth)->password;
}

/* GET /api/v1/me with a raw cookie value; the answer in r. */
static long me_with(const char *token, ah_resp *r)
{
	ah_req rq = {.path = "/api/v1/me", .cookie = token};
	ah_do(&S, &rq, r);
	return r->status;
}

static void expect_me(const ah_sess *sess, long want, const char *code, const char *what)
{
	ah_resp r;
	me_with(sess->token, &r);
	if (code)
		ah_expect_error(&r, want, code, what);
	else
		ah_expect(&r, want, what);
	if (want == 200)
		assert_string_equal(ah_jstr(r.json, "user.username"), sess->username);
	ah_resp_free(&r);
}

/* The attributes of a Set-Cookie line, as "; "-separated words after the
 * value: whether attr is among them (case-insensitive). */
static bool cookie_has(const char *line, const char *attr)
{
	const char *p = strchr(line, ';');
	while (p) {
		p++;
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, ";");
		if (n == strlen(attr) && strncasecmp(p, attr, n) == 0)
			return true;
		p = strchr(p, ';');
	}
	return false;
}

/* Signs in as a demo role within one wall-clock second, so that the
 * session's creation time is known; returns it (on the server's clock). */
static time_t login_at_known_time(const char *role, int nth, ah_sess *out)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		time_t sec = ah_second_start();
		ah_login_role(&S, role, nth, out);
		double after = ah_now();
		if ((time_t)after == sec)
			return sec + (time_t)S.offset;
	}
	fail_msg("could not sign in within one second (the machine is too slow)");
	return 0;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	memset(&S, 0, sizeof(S));
	const backend *b = &backends[current_backend];
	ah_chdir_root();
	ah_demo_db(b->url, &S.demo, &S.year);
	ah_server_start(&S, b->url, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	ah_server_kill(&S);
	return 0;
}

/* ---- the tests ---- */

static ah_sess m1; /* member 1, through the cookie, rotation and logout tests */

static void test_cookie_attributes(void **state)
{
	ah_resp r;
	const xf_demo_login *l = ah_demo_login(&S, "member", 0);
	assert_int_equal(ah_login(&S, l->username, l->password, NULL, &m1, &r), 200);
	char line[512];
	assert_true(ah_session_set_cookie(&r, line, sizeof(line)));
	assert_true(cookie_has(line, "HttpOnly"));
	assert_true(cookie_has(line, "SameSite=Strict"));
	assert_true(cookie_has(line, "Path=/"));
	assert_false(cookie_has(line, "Secure")); /* plain HTTP, secure_cookies off */
	/* 256 random bits, base64url: 43 characters; never in the body. */
	assert_int_equal(strlen(m1.token), 43);
	assert_int_equal(strspn(m1.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789-_"),
			 43);
	assert_null(strstr(r.body, m1.token));
	assert_string_not_equal(m1.csrf, m1.token);
	assert_int_equal(strlen(m1.csrf), 43);
	ah_resp_free(&r);
	expect_me(&m1, 200, NULL, "GET /me with the new session");
	/* A cookie that is no session. */
	expect_me(&(ah_sess){.token = "not-a-session"}, 401, "unauthenticated", "a made-up cookie");
	expect_me(&(ah_sess){.token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, 401,
		  "unauthenticated", "a well-formed unknown token");
}

/* secure_cookies: true (behind a TLS proxy) marks the cookie Secure, the
 * one that clears it at logout too. A second server on the same database. */
static void test_secure_cookies(void **state)
{
	ah_server sec;
	memset(&sec, 0, sizeof(sec));
	sec.demo = S.demo;
	sec.year = S.year;
	ah_server_start(&sec, S.db_url, "secure_cookies: true\n");
	ah_resp r;
	ah_sess a;
	long st = ah_login(&sec, "admin", ah_demo_login(&sec, "admin", 0)->password, NULL, &a, &r);
	char line[512] = "";
	bool has = ah_session_set_cookie(&r, line, sizeof(line));
	ah_resp_free(&r);
	ah_call(&sec, &a, "POST", "/api/v1/logout", NULL, &r);
	char cleared[512] = "";
	bool has_clear = ah_session_set_cookie(&r, cleared, sizeof(cleared));
	long logout_st = r.status;
	ah_resp_free(&r);
	int exit_status = ah_server_stop(&sec);
	assert_int_equal(st, 200);
	assert_true(has);
	assert_true(cookie_has(line, "Secure"));
	assert_true(cookie_has(line, "HttpOnly"));
	assert_true(cookie_has(line, "SameSite=Strict"));
	assert_int_equal(logout_st, 204);
	assert_true(has_clear);
	assert_true(cookie_has(cleared, "Secure"));
	assert_int_equal(exit_status, 0);
}

/* A login from a browser that holds a session ends that session. */
static void test_login_rotates(void **state)
{
	ah_sess again;
	ah_resp r;
	assert_int_equal(ah_login(&S, m1.username, password_of("member", 0), m1.token, &again, &r),
			 200);
	ah_resp_free(&r);
	assert_string_not_equal(again.token, m1.token);
	assert_string_not_equal(again.csrf, m1.csrf);
	expect_me(&m1, 401, "unauthenticated", "GET /me with the cookie before the new login");
	expect_me(&again, 200, NULL, "GET /me with the new cookie");
	m1 = again;
}

static void test_logout(void **state)
{
	/* Logout is a change: without the CSRF token it is refused. */
	ah_resp r;
	ah_req rq = {.method = "POST", .path = "/api/v1/logout", .sess = &m1, .csrf = ""};
	ah_do(&S, &rq, &r);
	ah_expect_error(&r, 403, "csrf", "logout without X-CSRF-Token");
	ah_resp_free(&r);
	expect_me(&m1, 200, NULL, "GET /me after a refused logout");

	assert_int_equal(ah_call(&S, &m1, "POST", "/api/v1/logout", NULL, &r), 204);
	char line[512], tok[128];
	assert_true(ah_session_set_cookie(&r, line, sizeof(line)));
	assert_true(ah_session_token(&r, tok, sizeof(tok)));
	assert_string_equal(tok, "");
	assert_true(cookie_has(line, "Max-Age=0"));
	ah_resp_free(&r);
	expect_me(&m1, 401, "unauthenticated", "GET /me after logout");
}

static ah_sess rev1, rev2;

static void test_csrf(void **state)
{
	ah_sess appr;
	ah_login_role(&S, "reviewer", 0, &rev1);
	ah_login_role(&S, "reviewer", 0, &rev2); /* another session of the same user */
	ah_login_role(&S, "approver", 0, &appr);
	assert_string_not_equal(rev1.csrf, rev2.csrf);
	const struct {
		const char *csrf;
		const char *what;
	} refused[] = {
		{"", "no X-CSRF-Token"},
		{"wrong-token", "a wrong token"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a wrong token of the right length"},
		{appr.csrf, "the token of another user's session"},
		{rev2.csrf, "the token of the same user's other session"},
		{rev1.token, "the session token itself"},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ah_resp r;
		ah_req rq = {.method = "PUT", .path = PW_PATH, .body = PW_WRONG_BODY, .body_len = -1,
			     .sess = &rev1, .csrf = refused[i].csrf};
		ah_do(&S, &rq, &r);
		ah_expect_error(&r, 403, "csrf", refused[i].what);
		ah_resp_free(&r);
	}
	/* The session's own token passes (and meets the wrong password). */
	ah_resp r;
	ah_call(&S, &rev1, "PUT", PW_PATH, PW_WRONG_BODY, &r);
	ah_expect_error(&r, 400, "bad_request", "the right CSRF token");
	ah_resp_free(&r);
	/* A read needs none. */
	expect_me(&rev1, 200, NULL, "GET /me without a CSRF token");
}

static void test_foreign_origin(void **state)
{
	char own[96], lookalike[128];
	snprintf(own, sizeof(own), "%s", S.origin);
	snprintf(lookalike, sizeof(lookalike), "%s.evil.example", S.origin);
	const struct {
		const char *origin;
		long status;
		const char *code;
	} cases[] = {
		{"http://evil.example", 403, "cross_origin"},
		{"https://evil.example:8443", 403, "cross_origin"},
		{lookalike, 403, "cross_origin"},
		{"null", 403, "cross_origin"},
		{own, 400, "bad_request"}, /* our own pages: through to the handler */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ah_resp r;
		ah_req rq = {.method = "PUT", .path = PW_PATH, .body = PW_WRONG_BODY, .body_len = -1,
			     .sess = &rev1, .origin = cases[i].origin};
		ah_do(&S, &rq, &r);
		ah_expect_error(&r, cases[i].status, cases[i].code, cases[i].origin);
		ah_resp_free(&r);
	}
	/* Nor may another site sign someone in. */
	const xf_demo_login *l = ah_demo_login(&S, "auditor", 0);
	char body[256];
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", l->username,
		 l->password);
	ah_resp r;
	ah_req rq = {.method = "POST", .path = "/api/v1/login", .body = body, .body_len = -1,
		     .origin = "http://evil.example"};
	ah_do(&S, &rq, &r);
	ah_expect_error(&r, 403, "cross_origin", "login from another site");
	char line[512];
	assert_false(ah_session_set_cookie(&r, line, sizeof(line)));
	ah_resp_free(&r);
}

static void test_login_content_type(void **state)
{
	const xf_demo_login *l = ah_demo_login(&S, "auditor", 0);
	char body[256];
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", l->username,
		 l->password);
	const struct {
		const char *ctype;
		long status;
	} cases[] = {
		{"", 415}, /* none */
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"multipart/form-data; boundary=x", 415},
		{"Application/JSON; charset=UTF-8", 200},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ah_resp r;
		ah_req rq = {.method = "POST", .path = "/api/v1/login", .body = body, .body_len = -1,
			     .content_type = cases[i].ctype};
		ah_do(&S, &rq, &r);
		char what[128], line[512];
		snprintf(what, sizeof(what), "login with Content-Type \"%s\"", cases[i].ctype);
		if (cases[i].status == 415) {
			ah_expect_error(&r, 415, "unsupported_media_type", what);
			assert_false(ah_session_set_cookie(&r, line, sizeof(line)));
		} else {
			ah_expect(&r, 200, what);
			assert_true(ah_session_set_cookie(&r, line, sizeof(line)));
		}
		ah_resp_free(&r);
	}
}

/* 30 minutes without a request end a session; a request restarts the 30. */
static void test_idle_expiry(void **state)
{
	ah_sess m2;
	time_t t0 = login_at_known_time("member", 1, &m2);
	ah_clock_at(&S, t0 + IDLE_S - 1);
	expect_me(&m2, 200, NULL, "29:59 after login");
	ah_clock_at(&S, t0 + 2 * (IDLE_S - 1));
	expect_me(&m2, 200, NULL, "29:59 after the last request (refreshed)");
	ah_clock_at(&S, t0 + 2 * (IDLE_S - 1) + IDLE_S);
	ah_resp r;
	me_with(m2.token, &r);
	ah_expect_error(&r, 401, "session_expired", "30:00 after the last request");
	char tok[128];
	assert_true(ah_session_token(&r, tok, sizeof(tok)));
	assert_string_equal(tok, ""); /* the dead cookie is cleared */
	ah_resp_free(&r);
	expect_me(&m2, 401, "unauthenticated", "after the expiry (the session is gone)");
}

/* 12 hours after login a session ends, however active. */
static void test_absolute_expiry(void **state)
{
	ah_sess s1;
	time_t t0 = login_at_known_time("member", 0, &s1);
	const int step = 29 * 60;
	char what[64];
	for (int k = 1; (long)k * step < ABSOLUTE_S; k++) {
		ah_clock_at(&S, t0 + (time_t)k * step);
		snprintf(what, sizeof(what), "%d minutes after login", k * 29);
		expect_me(&s1, 200, NULL, what);
	}
	ah_clock_at(&S, t0 + ABSOLUTE_S - 1);
	expect_me(&s1, 200, NULL, "11:59:59 after login");
	ah_clock_at(&S, t0 + ABSOLUTE_S);
	expect_me(&s1, 401, "session_expired", "12:00:00 after login");
}

/* Five failures in a row lock the name for 15 minutes, even for the right
 * password; an unknown name gets the very same answers. */
static void test_lockout(void **state)
{
	const xf_demo_login *l = ah_demo_login(&S, "member", 1);
	const char *ghost = "no.such.user";
	for (int i = 1; i <= MAX_FAILURES + 1; i++) {
		char wrong[32];
		snprintf(wrong, sizeof(wrong), "Wrong-Pass-%d", i);
		/* The 6th attempt brings the right password. */
		const char *pw = i <= MAX_FAILURES ? wrong : l->password;
		ah_resp real, unknown;
		ah_login(&S, l->username, pw, NULL, NULL, &real);
		ah_login(&S, ghost, pw, NULL, NULL, &unknown);
		char what[96];
		snprintf(what, sizeof(what), "login attempt %d of %s", i, l->username);
		if (i < MAX_FAILURES)
			ah_expect_error(&real, 401, "bad_credentials", what);
		else
			ah_expect_error(&real, 429, "locked", what);
		char line[512];
		assert_false(ah_session_set_cookie(&real, line, sizeof(line)));
		if (unknown.status != real.status || unknown.len != real.len ||
		    memcmp(unknown.body, real.body, real.len) != 0)
			fail_msg("attempt %d: an unknown name is answered %ld %s, a known one %ld %s", i,
				 unknown.status, unknown.body, real.status, real.body);
		ah_resp_free(&real);
		ah_resp_free(&unknown);
	}
	/* Still locked after 14 minutes. */
	ah_clock_advance(&S, LOCK_S - 60);
	ah_resp r;
	ah_login(&S, l->username, l->password, NULL, NULL, &r);
	ah_expect_error(&r, 429, "locked", "the right password 14 minutes after the lock");
	ah_resp_free(&r);
	/* After 15: in. */
	ah_clock_advance(&S, 60);
	ah_sess in;
	ah_login(&S, l->username, l->password, NULL, &in, &r);
	ah_expect(&r, 200, "the right password 15 minutes after the lock");
	ah_resp_free(&r);
	expect_me(&in, 200, NULL, "GET /me after the lock ended");
}

/* Disabling a user ends their sessions at once. */
static void test_disable_ends_session(void **state)
{
	ah_sess admin, ks;
	ah_login_role(&S, "admin", 0, &admin);
	ah_login_role(&S, "member", 2, &ks);
	expect_me(&ks, 200, NULL, "the member before being disabled");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/active", ks.user_id);
	ah_resp r;
	ah_call(&S, &admin, "PUT", path, "{\"active\": false}", &r);
	ah_expect(&r, 200, "admin disables the member");
	ah_resp_free(&r);
	expect_me(&ks, 401, "unauthenticated", "the member's next request after being disabled");
	const char *pw = password_of("member", 2);
	ah_login(&S, ks.username, pw, NULL, NULL, &r);
	ah_expect_error(&r, 401, "bad_credentials", "a disabled account signs in");
	ah_resp_free(&r);
	ah_call(&S, &admin, "PUT", path, "{\"active\": true}", &r);
	ah_expect(&r, 200, "admin enables the member again");
	ah_resp_free(&r);
	ah_sess again;
	assert_int_equal(ah_login(&S, ks.username, pw, NULL, &again, NULL), 200);
	expect_me(&again, 200, NULL, "the member enabled again");
}

/* A user changing their password ends all their sessions. */
static void test_password_change_ends_sessions(void **state)
{
	ah_sess p1, p2;
	ah_login_role(&S, "approver", 0, &p1);
	ah_login_role(&S, "approver", 0, &p2);
	expect_me(&p2, 200, NULL, "the approver's second session");
	const char *old_pw = password_of("approver", 0);
	const char *new_pw = "Xuefen-Neu-2026";
	char body[256];
	/* A password the rule refuses changes nothing. */
	snprintf(body, sizeof(body), "{\"old_password\": \"%s\", \"new_password\": \"abc\"}", old_pw);
	ah_resp r;
	ah_call(&S, &p1, "PUT", PW_PATH, body, &r);
	ah_expect_error(&r, 400, "bad_request", "a too weak new password");
	ah_resp_free(&r);
	expect_me(&p1, 200, NULL, "after a refused password change");

	snprintf(body, sizeof(body), "{\"old_password\": \"%s\", \"new_password\": \"%s\"}", old_pw,
		 new_pw);
	ah_call(&S, &p1, "PUT", PW_PATH, body, &r);
	ah_expect(&r, 204, "the password change");
	char tok[128];
	assert_true(ah_session_token(&r, tok, sizeof(tok)));
	assert_string_equal(tok, "");
	ah_resp_free(&r);
	expect_me(&p1, 401, "unauthenticated", "the session that changed the password");
	expect_me(&p2, 401, "unauthenticated", "the user's other session");
	assert_int_equal(ah_login(&S, p1.username, old_pw, NULL, NULL, NULL), 401);
	ah_sess again;
	assert_int_equal(ah_login(&S, p1.username, new_pw, NULL, &again, NULL), 200);
	expect_me(&again, 200, NULL, "signed in with the new password");
}

/* An admin setting a user's password ends that user's sessions too. */
static void test_admin_password_reset_ends_sessions(void **state)
{
	ah_sess admin, m2;
	ah_login_role(&S, "admin", 0, &admin);
	ah_login_role(&S, "member", 1, &m2);
	expect_me(&m2, 200, NULL, "the member before the reset");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/password", m2.user_id);
	ah_resp r;
	ah_call(&S, &admin, "PUT", path, "{\"password\": \"Reset-By-Admin-7\"}", &r);
	ah_expect(&r, 204, "admin sets the member's password");
	ah_resp_free(&r);
	expect_me(&m2, 401, "unauthenticated", "the member's session after the reset");
	expect_me(&admin, 200, NULL, "the admin's own session after the reset");
	assert_int_equal(ah_login(&S, m2.username, password_of("member", 1), NULL, NULL, NULL), 401);
	ah_sess again;
	assert_int_equal(ah_login(&S, m2.username, "Reset-By-Admin-7", NULL, &again, NULL), 200);
}

static void test_server_stops_cleanly(void **state)
{
	assert_int_equal(ah_server_stop(&S), 0);
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (backends_setup("/tmp/xuefen-api-session-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_attributes),
		cmocka_unit_test(test_secure_cookies),
		cmocka_unit_test(test_login_rotates),
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_foreign_origin),
		cmocka_unit_test(test_login_content_type),
		cmocka_unit_test(test_idle_expiry),
		cmocka_unit_test(test_absolute_expiry),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_disable_ends_session),
		cmocka_unit_test(test_password_change_ends_sessions),
		cmocka_unit_test(test_admin_password_reset_ends_sessions),
		cmocka_unit_test(test_server_stops_cleanly),
	};
	int rc = 0;
	for (int b = 0; b < nbackends; b++) {
		char name[64];
		snprintf(name, sizeof(name), "api sessions (%s)", backends[b].name);
		current_backend = b;
		rc |= cmocka_run_group_tests_name(name, tests, group_setup, group_teardown);
	}
	backends_teardown();
	curl_global_cleanup();
	return rc ? 1 : 0;
}
