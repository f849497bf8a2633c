/* fuzz_api_body: libFuzzer target for the API's request bodies. The first
 * byte of an input picks a route that takes a body; the rest is the body,
 * sent as an admin (valid session and CSRF token) straight to the API's
 * dispatcher over a small SQLite database made once per process. Every
 * answer must be a status the API uses with a well-formed JSON body (or a
 * file for downloads); nothing may crash, hang or leak, whatever the
 * bytes. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/config.h"
#include "service/auth.h"
#include "store/data.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Routes that read a body, with the path and query they are sent to. */
static const struct {
	xf_method method;
	const char *path;
} routes[] = {
	{XF_HTTP_POST, "/api/v1/login"},
	{XF_HTTP_PUT, "/api/v1/me/password"},
	{XF_HTTP_PATCH, "/api/v1/people/1"},
	{XF_HTTP_PUT, "/api/v1/people/1/periods"},
	{XF_HTTP_PUT, "/api/v1/people/1/flags"},
	{XF_HTTP_POST, "/api/v1/users"},
	{XF_HTTP_PUT, "/api/v1/users/2/roles"},
	{XF_HTTP_PUT, "/api/v1/users/2/active"},
	{XF_HTTP_PUT, "/api/v1/users/2/password"},
	{XF_HTTP_POST, "/api/v1/imports/roster"},
	{XF_HTTP_POST, "/api/v1/imports/records"},
	{XF_HTTP_POST, "/api/v1/imports/case"},
	{XF_HTTP_POST, "/api/v1/assessments"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static char dir[64];
static xf_api *api;
static const xf_http_app *app;
static void *thread_ctx;
static char token[XF_SESSION_TOKEN_LEN + 1];
static char cookie[XF_SESSION_TOKEN_LEN + 1];
static char csrf[44];

static void cleanup(void)
{
	if (app && app->thread_done)
		app->thread_done(app->app, thread_ctx);
	xf_api_free(api);
	char path[128];
	static const char *const files[] = {"db", "db-wal", "db-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* A unit, a person and two accounts (an admin signed in, and a member). */
static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fuzz-api-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	char url[128];
	snprintf(url, sizeof(url), "%s/db", dir);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = -1;
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	xf_data *d = s ? xf_data_new(s, &errs) : NULL;
	long long unit, person;
	xf_person_row p = {.code = "p1", .name = "张三", .staff_no = "S1", .role = "staff"};
	xf_auth_policy ap;
	xf_auth_policy_defaults(&ap);
	xf_user_role admin = {XF_ROLE_ADMIN, 0}, member = {XF_ROLE_MEMBER, 0};
	xf_user_new ua = {"admin", "管理员", NULL, "Fuzz-admin-1", &admin, 1};
	xf_user_new um = {"zhangsan", "张三", "p1", "Fuzz-member-1", &member, 1};
	time_t locked;
	if (d == NULL || xf_store_begin(s, &errs) != 0 ||
	    xf_data_unit(d, "u1", "综合科", &unit, &errs) != 0)
		goto out;
	p.unit_id = unit;
	if (xf_data_person(d, &p, &person, &errs) != 0 ||
	    xf_data_assign_policy(d, unit, 2026, "bigdata-bureau", &errs) != 0 ||
	    xf_store_commit(s, &errs) != 0 ||
	    xf_user_add(s, &ap, &ua, "fuzz", time(NULL), NULL, &errs) != 0 ||
	    xf_user_add(s, &ap, &um, "fuzz", time(NULL), NULL, &errs) != 0 ||
	    xf_auth_login(s, &ap, "admin", "Fuzz-admin-1", NULL, time(NULL), token, &locked,
			  &errs) != XF_LOGIN_OK)
		goto out;
	memcpy(cookie, token, sizeof(cookie));
	xf_auth_csrf(token, csrf);
	xf_config cfg;
	xf_config_defaults(&cfg);
	api = xf_api_new(&cfg, url, &errs);
	xf_config_cleanup(&cfg);
	if (api == NULL)
		goto out;
	app = xf_api_http_app(api);
	thread_ctx = app->thread_init(app->app);
	rc = 0;
out:
	xf_errs_print(&errs, "fuzz_api_body setup: ", stderr);
	xf_errs_cleanup(&errs);
	xf_data_free(d);
	xf_store_close(s);
	atexit(cleanup);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (ready == 0)
		ready = setup() == 0 ? 1 : -1;
	if (ready < 0)
		abort();
	if (size == 0)
		return 0;
	size_t r = data[0] % NROUTES;
	/* The body: the input after the first byte, NUL-terminated. */
	char *body = malloc(size);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';

	/* No cookie on login: a successful one would end the admin's session. */
	bool login = strcmp(routes[r].path, "/api/v1/login") == 0;
	const char *const fake[] = {
		"h:x-csrf-token", csrf, "h:content-type", "application/json", "q:year", "2026",
		"q:name", "fuzz.csv", login ? NULL : "c:xf_session", cookie, NULL,
	};
	xf_arena arena;
	xf_arena_init(&arena, 0);
	xf_req req = {
		.arena = &arena,
		.method = routes[r].method,
		.path = routes[r].path,
		.body = body,
		.body_len = size - 1,
		.remote_ip = "127.0.0.1",
		.thread_ctx = thread_ctx,
		.fake = fake,
	};
	xf_res res = {.status = 200, .fd = -1, .arena = &arena};
	app->dispatch(app->app, &req, &res);

	if (res.status < 200 || res.status > 599)
		__builtin_trap();
	if (res.stream) {
		fclose(res.stream);
		res.stream = NULL;
	}
	bool is_json = res.content_type == NULL || strncmp(res.content_type, "application/json", 16) == 0;
	if (res.fd < 0 && res.status != 204 && is_json) {
		cJSON *j = cJSON_ParseWithLength(res.buf ? res.buf : "", res.len);
		if (j == NULL)
			__builtin_trap(); /* an answer that is not JSON */
		if (res.status >= 400 &&
		    !cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "message")))
			__builtin_trap(); /* an error without its message */
		cJSON_Delete(j);
	}
	if (res.fd >= 0)
		close(res.fd);
	free(res.buf);
	xf_arena_cleanup(&arena);
	free(body);
	return 0;
}
