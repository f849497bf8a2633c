/* api_auth: login, logout, who am I, and changing one's own password. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api_int.h"
#include "core/clock.h"
#include "service/scorecards.h"

/* The caller as /me and /login describe them. */
static void write_principal(xf_jw *w, const xf_principal *p)
{
	xf_jw_key(w, "user");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", p->user_id);
	xf_jw_kstr(w, "username", p->username);
	xf_jw_kstr(w, "display_name", p->display_name);
	if (p->person_id)
		xf_jw_kint(w, "person_id", p->person_id);
	else
		xf_jw_knull(w, "person_id");
	xf_jw_key(w, "roles");
	xf_jw_arr(w);
	for (unsigned bit = 1; bit < (1u << XF_ROLE_COUNT); bit <<= 1)
		if (p->roles & bit)
			xf_jw_str(w, xf_role_name(bit));
	xf_jw_arr_end(w);
	xf_jw_key(w, "review_units");
	xf_jw_arr(w);
	for (size_t i = 0; i < p->nreview_units; i++)
		xf_jw_int(w, p->review_units[i]);
	xf_jw_arr_end(w);
	xf_jw_key(w, "approve_units");
	xf_jw_arr(w);
	for (size_t i = 0; i < p->napprove_units; i++)
		xf_jw_int(w, p->approve_units[i]);
	xf_jw_arr_end(w);
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "csrf_token", p->csrf);
}

/* "features": what the UI's menu offers around scorecards this year —
 * "scorecard" (the caller's own card exists) and "scorecard_review" (a
 * unit the caller reviews has a scorecard policy). Both false when they
 * cannot be told (the answer is still sent; the log has why). */
static void write_features(api_ctx *c, xf_jw *w, const xf_principal *who)
{
	bool own = false, review = false;
	xf_unit_scope scope = {.units = who->review_units, .nunits = who->nreview_units};
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_scorecard_features(c->store, who->person_id,
				  (who->roles & XF_ROLE_REVIEWER) ? &scope : NULL, api_this_year(), &own,
				  &review, &errs) != 0)
		xf_errs_print(&errs, "xuefen: /me features: ", stderr);
	xf_errs_cleanup(&errs);
	xf_jw_key(w, "features");
	xf_jw_obj(w);
	xf_jw_kbool(w, "scorecard", own);
	xf_jw_kbool(w, "scorecard_review", review);
	xf_jw_obj_end(w);
}

static bool is_json_request(const xf_req *req)
{
	const char *ct = xf_req_header(req, "Content-Type");
	return ct && strncasecmp(ct, "application/json", 16) == 0;
}

void api_login(api_ctx *c)
{
	/* A JSON content type cannot be sent cross-site without a CORS
	 * preflight, which this server never grants: no login CSRF. */
	if (!is_json_request(c->req)) {
		api_error(c, 415, "unsupported_media_type", "请求内容应为 application/json");
		return;
	}
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const char *user, *pass;
	if (!api_member_str(c, body, "username", 256, &user) ||
	    !api_member_str(c, body, "password", 1024, &pass))
		goto out;
	if (user == NULL || pass == NULL || *user == '\0' || *pass == '\0') {
		api_error(c, 400, "bad_request", "请输入用户名和密码");
		goto out;
	}

	xf_errs errs;
	xf_errs_init(&errs);
	char token[XF_SESSION_TOKEN_LEN + 1];
	time_t locked_until = 0, now = xf_clock_now();
	xf_login_result lr = xf_auth_login(c->store, &c->api->auth, user, pass, c->req->remote_ip,
					   now, token, &locked_until, &errs);
	if (lr == XF_LOGIN_ERROR) {
		api_internal(c, &errs);
	} else if (lr == XF_LOGIN_BAD) {
		api_error(c, 401, "bad_credentials", "用户名或密码错误");
	} else if (lr == XF_LOGIN_LOCKED) {
		long minutes = (long)((locked_until - now + 59) / 60);
		api_error(c, 429, "locked",
			  xf_arena_printf(c->req->arena,
					  "登录失败次数过多，账号已锁定，请 %ld 分钟后再试",
					  minutes > 0 ? minutes : 1));
	} else if (c->token && xf_auth_logout(c->store, c->token, &errs) != 0) {
		/* Rotation: the session the browser held before ends. */
		api_internal(c, &errs);
	} else {
		xf_principal who;
		xf_session_result sr = xf_auth_session(c->store, &c->api->auth, token, now,
						       c->req->arena, &who, &errs);
		if (sr != XF_SESSION_OK) {
			api_internal(c, &errs);
		} else {
			api_set_session_cookie(c, token);
			xf_jw w;
			api_json(c, 200, &w);
			xf_jw_obj(&w);
			write_principal(&w, &who);
			write_features(c, &w, &who);
			xf_jw_knum(&w, "idle_timeout", c->api->auth.idle_s);
			xf_jw_obj_end(&w);
		}
	}
	xf_errs_cleanup(&errs);
out:
	cJSON_Delete(body);
}

void api_logout(api_ctx *c)
{
	xf_errs errs;
	xf_errs_init(&errs);
	if (xf_auth_logout(c->store, c->token, &errs) != 0) {
		api_internal(c, &errs);
	} else {
		api_clear_session_cookie(c);
		api_no_content(c);
	}
	xf_errs_cleanup(&errs);
}

void api_me(api_ctx *c)
{
	xf_jw w;
	api_json(c, 200, &w);
	xf_jw_obj(&w);
	write_principal(&w, c->who);
	write_features(c, &w, c->who);
	xf_jw_knum(&w, "idle_timeout", c->api->auth.idle_s);
	xf_jw_obj_end(&w);
}

void api_me_password(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const char *old_pw, *new_pw;
	if (!api_member_str(c, body, "old_password", 1024, &old_pw) ||
	    !api_member_str(c, body, "new_password", 1024, &new_pw))
		goto out;
	if (old_pw == NULL || new_pw == NULL) {
		api_error(c, 400, "bad_request", "请输入原密码和新密码");
		goto out;
	}
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_user_set_password(c->store, &c->api->auth, c->who->user_id, old_pw, new_pw,
				      c->who->username, xf_clock_now(), &errs);
	if (rc == 0) {
		/* Every session ended, this one too: sign in again. */
		api_clear_session_cookie(c);
		api_no_content(c);
	} else {
		api_service_rc(c, rc, &errs, true);
	}
	xf_errs_cleanup(&errs);
out:
	cJSON_Delete(body);
}
