/* routes: every route of the API in one table — method, path, who may call
 * it, how large a body it takes, and its handler. docs/api.md documents
 * each one; tests/unit/api/test_api_access.c checks each against every role. */
#include "api/api_int.h"

#define GET XF_HTTP_GET
#define POST XF_HTTP_POST
#define PUT XF_HTTP_PUT
#define PATCH XF_HTTP_PATCH

#define MEMBER XF_ROLE_MEMBER
#define REVIEWER XF_ROLE_REVIEWER
#define APPROVER XF_ROLE_APPROVER
#define ADMIN XF_ROLE_ADMIN
#define AUDITOR XF_ROLE_AUDITOR
#define STAFF (ADMIN | REVIEWER | APPROVER) /* who sees other people's data */

#define JSON api_limit_json
#define FILE_UPLOAD api_limit_import

const api_route api_routes[] = {
	{GET, "/api/v1/health", API_PUBLIC, NULL, api_health},
	{POST, "/api/v1/login", API_PUBLIC, JSON, api_login},
	{POST, "/api/v1/logout", API_ANY, NULL, api_logout},
	{GET, "/api/v1/me", API_ANY, NULL, api_me},
	{PUT, "/api/v1/me/password", API_ANY, JSON, api_me_password},
	{GET, "/api/v1/me/credits", API_ANY, NULL, api_me_credits},

	{GET, "/api/v1/people", STAFF, NULL, api_people_list},
	{GET, "/api/v1/people/{id}", STAFF, NULL, api_person_get},
	{PATCH, "/api/v1/people/{id}", ADMIN, JSON, api_person_update},
	{PUT, "/api/v1/people/{id}/periods", ADMIN, JSON, api_person_periods},
	{PUT, "/api/v1/people/{id}/flags", ADMIN, JSON, api_person_flags},
	{POST, "/api/v1/people/{id}/reveal", ADMIN, NULL, api_person_reveal},
	{GET, "/api/v1/people/{id}/credits", STAFF, NULL, api_person_credits},

	{GET, "/api/v1/units", STAFF, NULL, api_units_tree},
	{GET, "/api/v1/units/{id}", STAFF, NULL, api_unit_get},
	{GET, "/api/v1/units/{id}/summary", STAFF, NULL, api_unit_summary},

	{GET, "/api/v1/users", ADMIN, NULL, api_users_list},
	{POST, "/api/v1/users", ADMIN, JSON, api_users_add},
	{PUT, "/api/v1/users/{id}/roles", ADMIN, JSON, api_user_roles},
	{PUT, "/api/v1/users/{id}/active", ADMIN, JSON, api_user_active},
	{PUT, "/api/v1/users/{id}/password", ADMIN, JSON, api_user_password},

	{GET, "/api/v1/audit", AUDITOR, NULL, api_audit_list},

	{POST, "/api/v1/imports/{kind}", ADMIN, FILE_UPLOAD, api_import},
	{GET, "/api/v1/exports/results", ADMIN, NULL, api_export_results},
	{GET, "/api/v1/exports/templates/{kind}", ADMIN, NULL, api_export_template},
	{GET, "/api/v1/exports/case", ADMIN, NULL, api_export_case},
	{POST, "/api/v1/assessments", ADMIN, JSON, api_assess},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
