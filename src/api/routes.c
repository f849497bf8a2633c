/* routes: every route of the API in one table — method, path, who may call
 * it, how large a body it takes, and its handler. docs/api.md documents
 * each one; tests/unit/api/test_api_access.c checks each against every role. */
#include "api/api_int.h"

#define GET XF_HTTP_GET
#define POST XF_HTTP_POST
#define PUT XF_HTTP_PUT
#define PATCH XF_HTTP_PATCH
#define DELETE XF_HTTP_DELETE

#define MEMBER XF_ROLE_MEMBER
#define REVIEWER XF_ROLE_REVIEWER
#define APPROVER XF_ROLE_APPROVER
#define ADMIN XF_ROLE_ADMIN
#define AUDITOR XF_ROLE_AUDITOR
#define STAFF (ADMIN | REVIEWER | APPROVER) /* who sees other people's data */

#define JSON api_limit_json
#define FILE_UPLOAD api_limit_import
#define EVIDENCE api_limit_upload

const api_route api_routes[] = {
	{GET, "/api/v1/health", API_PUBLIC, NULL, api_health},
	{POST, "/api/v1/login", API_PUBLIC, JSON, api_login},
	{POST, "/api/v1/logout", API_ANY, NULL, api_logout},
	{GET, "/api/v1/me", API_ANY, NULL, api_me},
	{PUT, "/api/v1/me/password", API_ANY, JSON, api_me_password},
	{GET, "/api/v1/me/credits", API_ANY, NULL, api_me_credits},
	{GET, "/api/v1/me/notices", API_ANY, NULL, api_me_notices},
	{POST, "/api/v1/me/notices/read", API_ANY, JSON, api_me_notices_read},
	{GET, "/api/v1/me/scorecard", MEMBER, NULL, api_me_scorecard},
	{PUT, "/api/v1/me/scorecard", MEMBER, JSON, api_me_scorecard_put},
	{POST, "/api/v1/me/scorecard/submit", MEMBER, NULL, api_me_scorecard_submit},

	{GET, "/api/v1/people", STAFF, NULL, api_people_list},
	{GET, "/api/v1/people/{id}", STAFF, NULL, api_person_get},
	{PATCH, "/api/v1/people/{id}", ADMIN, JSON, api_person_update},
	{PUT, "/api/v1/people/{id}/periods", ADMIN, JSON, api_person_periods},
	{PUT, "/api/v1/people/{id}/flags", ADMIN, JSON, api_person_flags},
	{POST, "/api/v1/people/{id}/reveal", ADMIN, NULL, api_person_reveal},
	{GET, "/api/v1/people/{id}/credits", STAFF, NULL, api_person_credits},
	{GET, "/api/v1/people/{id}/scorecard", STAFF, NULL, api_person_scorecard},
	{PUT, "/api/v1/people/{id}/scorecard", REVIEWER, JSON, api_person_scorecard_put},
	{GET, "/api/v1/scorecards", STAFF, NULL, api_scorecards_list},

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
	{GET, "/api/v1/assessments/results", ADMIN, NULL, api_assess_results},
	{GET, "/api/v1/exports/quarterly", ADMIN, NULL, api_export_quarterly},

	/* The workflow (docs/workflow.md). Fixed paths before {id} ones. */
	{GET, "/api/v1/claims/items", MEMBER, NULL, api_claim_items},
	{POST, "/api/v1/claims/batch", REVIEWER | APPROVER, JSON, api_claims_batch},
	{GET, "/api/v1/claims", MEMBER | STAFF, NULL, api_claims_list},
	{POST, "/api/v1/claims", MEMBER, JSON, api_claim_create},
	{GET, "/api/v1/claims/{id}", MEMBER | STAFF, NULL, api_claim_get},
	{PUT, "/api/v1/claims/{id}", MEMBER, JSON, api_claim_update},
	{POST, "/api/v1/claims/{id}/submit", MEMBER, NULL, api_claim_submit},
	{POST, "/api/v1/claims/{id}/withdraw", MEMBER, NULL, api_claim_withdraw},
	{POST, "/api/v1/claims/{id}/review", REVIEWER, JSON, api_claim_review},
	{POST, "/api/v1/claims/{id}/approve", APPROVER, JSON, api_claim_approve},
	{POST, "/api/v1/claims/{id}/reject", REVIEWER | APPROVER, JSON, api_claim_reject},
	{GET, "/api/v1/claims/{id}/preview", MEMBER | STAFF, NULL, api_claim_preview},
	{POST, "/api/v1/claims/{id}/evidence", MEMBER, EVIDENCE, api_evidence_upload},
	{DELETE, "/api/v1/claims/{id}/evidence/{file}", MEMBER, NULL, api_evidence_delete},
	{GET, "/api/v1/evidence/{id}", MEMBER | STAFF, NULL, api_evidence_get},

	{GET, "/api/v1/activities", API_ANY, NULL, api_activities_list},
	{POST, "/api/v1/activities", REVIEWER | ADMIN, JSON, api_activity_create},
	{GET, "/api/v1/activities/{id}", API_ANY, NULL, api_activity_get},
	{PUT, "/api/v1/activities/{id}", REVIEWER | ADMIN, JSON, api_activity_update},
	{POST, "/api/v1/activities/{id}/submit", REVIEWER | ADMIN, NULL, api_activity_submit},
	{POST, "/api/v1/activities/{id}/withdraw", REVIEWER | ADMIN, NULL, api_activity_withdraw},
	{POST, "/api/v1/activities/{id}/review", APPROVER, JSON, api_activity_review},
	{POST, "/api/v1/activities/{id}/approve", APPROVER, JSON, api_activity_approve},
	{POST, "/api/v1/activities/{id}/reject", APPROVER, JSON, api_activity_reject},
	{GET, "/api/v1/activities/{id}/attendance", STAFF, NULL, api_activity_attendance},
	{POST, "/api/v1/activities/{id}/attendance", REVIEWER | ADMIN, FILE_UPLOAD,
	 api_activity_attendance_upload},
	{POST, "/api/v1/activities/{id}/records", ADMIN | APPROVER, NULL, api_activity_records},

	{GET, "/api/v1/calendars", API_ANY, NULL, api_calendars_list},
	{PUT, "/api/v1/calendars/{year}", ADMIN, FILE_UPLOAD, api_calendar_put},
	{GET, "/api/v1/publications", API_ANY, NULL, api_publications_list},
	{POST, "/api/v1/publications", ADMIN, JSON, api_publication_create},
	{GET, "/api/v1/publications/{id}", API_ANY, NULL, api_publication_get},
	{GET, "/api/v1/publications/{id}/objections", API_ANY, NULL, api_objections_list},
	{POST, "/api/v1/publications/{id}/objections", API_ANY, JSON, api_objection_create},
	{POST, "/api/v1/publications/{id}/archive", ADMIN, NULL, api_publication_archive},
	{GET, "/api/v1/publications/{id}/export", ADMIN, NULL, api_publication_export},
	{POST, "/api/v1/objections/{id}/resolve", ADMIN, JSON, api_objection_resolve},

	/* The web UI's 学分办法 page (docs/api.md). */
	{GET, "/api/v1/policies", API_ANY, NULL, api_policies_list},
	{GET, "/api/v1/policies/{id}", API_ANY, NULL, api_policy_get},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
