/* api_users: accounts and roles for admins, and the audit log for
 * auditors. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/clock.h"
#include "service/audit.h"

#define MAX_ROLES 32

static void list_users(api_ctx *c, int status)
{
	FILE *f = xf_res_stream(c->res);
	xf_errs errs;
	xf_errs_init(&errs);
	c->res->status = status;
	if (f == NULL || xf_user_list_json(c->store, f, &errs) != 0) {
		api_res_reset(c->res);
		api_internal(c, &errs);
	}
	xf_errs_cleanup(&errs);
}

void api_users_list(api_ctx *c)
{
	list_users(c, 200);
}

/* Reads "roles": [{"role": "reviewer", "unit_id": 3}, ...] into roles.
 * false (and 400 sent) when malformed. */
static bool read_roles(api_ctx *c, const cJSON *body, xf_user_role *roles, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "roles");
	*n = 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > MAX_ROLES) {
		api_error(c, 400, "bad_request", "roles 应为角色数组（最多 32 个）");
		return false;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "role");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit_id");
		unsigned role = cJSON_IsString(r) ? xf_role_parse(r->valuestring) : 0;
		if (role == 0) {
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena,
						  "roles[%zu].role 应为 member、reviewer、approver、admin、auditor 之一",
						  *n));
			return false;
		}
		if (u != NULL && !cJSON_IsNull(u) &&
		    (!cJSON_IsNumber(u) || u->valuedouble < 0 || u->valuedouble > 1e15 ||
		     u->valuedouble != (double)(long long)u->valuedouble)) {
			api_error(c, 400, "bad_request",
				  xf_arena_printf(c->req->arena, "roles[%zu].unit_id 应为单位编号", *n));
			return false;
		}
		roles[*n].role = role;
		roles[*n].unit_id = cJSON_IsNumber(u) ? (long long)u->valuedouble : 0;
		(*n)++;
	}
	return true;
}

void api_users_add(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	xf_user_role roles[MAX_ROLES];
	xf_user_new u = {0};
	if (!api_member_str(c, body, "username", 64, &u.username) ||
	    !api_member_str(c, body, "display_name", 128, &u.display_name) ||
	    !api_member_str(c, body, "person_code", 128, &u.person_code) ||
	    !api_member_str(c, body, "password", 1024, &u.password) ||
	    !read_roles(c, body, roles, &u.nroles))
		goto out;
	u.roles = roles;
	if (u.username == NULL || u.password == NULL) {
		api_error(c, 400, "bad_request", "请填写用户名和初始密码");
		goto out;
	}
	if (u.display_name == NULL)
		u.display_name = u.username;
	xf_errs errs;
	xf_errs_init(&errs);
	long long id;
	if (xf_user_add(c->store, &c->api->auth, &u, api_actor(c), xf_clock_now(), &id, &errs) != 0)
		api_bad_request(c, &errs);
	else
		list_users(c, 201);
	xf_errs_cleanup(&errs);
out:
	cJSON_Delete(body);
}

void api_user_roles(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	xf_user_role roles[MAX_ROLES];
	size_t n;
	if (read_roles(c, body, roles, &n)) {
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_user_set_roles(c->store, id, roles, n, api_actor(c), &errs);
		if (rc == 0)
			list_users(c, 200);
		else
			api_service_rc(c, rc, &errs, true);
		xf_errs_cleanup(&errs);
	}
	cJSON_Delete(body);
}

void api_user_active(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(body, "active");
	if (!cJSON_IsBool(a)) {
		api_error(c, 400, "bad_request", "active 应为 true 或 false");
	} else if (id == c->who->user_id && !cJSON_IsTrue(a)) {
		api_error(c, 400, "bad_request", "不能停用自己的账号");
	} else {
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_user_set_active(c->store, id, cJSON_IsTrue(a), api_actor(c), &errs);
		if (rc == 0)
			list_users(c, 200);
		else
			api_service_rc(c, rc, &errs, false);
		xf_errs_cleanup(&errs);
	}
	cJSON_Delete(body);
}

void api_user_password(api_ctx *c)
{
	long long id;
	if (!api_param_id(c, 0, &id))
		return;
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const char *pw;
	if (api_member_str(c, body, "password", 1024, &pw)) {
		if (pw == NULL) {
			api_error(c, 400, "bad_request", "请填写新密码");
		} else {
			xf_errs errs;
			xf_errs_init(&errs);
			int rc = xf_user_set_password(c->store, &c->api->auth, id, NULL, pw,
						      api_actor(c), xf_clock_now(), &errs);
			if (rc == 0)
				api_no_content(c);
			else
				api_service_rc(c, rc, &errs, true);
			xf_errs_cleanup(&errs);
		}
	}
	cJSON_Delete(body);
}

void api_audit_list(api_ctx *c)
{
	xf_audit_filter flt = {
		.actor = xf_req_query(c->req, "actor"),
		.action = xf_req_query(c->req, "action"),
		.from = xf_req_query(c->req, "from"),
		.to = xf_req_query(c->req, "to"),
	};
	if (!api_query_int(c, "page", 1, 1000000, 1, &flt.page) ||
	    !api_query_int(c, "per_page", 1, 200, 50, &flt.per_page))
		return;
	FILE *f = xf_res_stream(c->res);
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = f ? xf_audit_list_json(c->store, &flt, f, &errs) : -1;
	if (rc != 0) {
		api_res_reset(c->res);
		api_bad_request(c, &errs);
	}
	xf_errs_cleanup(&errs);
}
