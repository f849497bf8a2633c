/* api_notices: the caller's own notices (service/notices.h) — listed and
 * marked read. Accounts without a person (admin, auditor) have none. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "api/api_int.h"
#include "service/notices.h"

void api_me_notices(api_ctx *c)
{
	long long page, per_page, unread;
	if (!api_query_int(c, "page", 1, 1000000, 1, &page) ||
	    !api_query_int(c, "per_page", 1, 200, 20, &per_page) ||
	    !api_query_int(c, "unread", 0, 1, 0, &unread))
		return;
	if (c->who->person_id == 0) {
		xf_jw w;
		api_json(c, 200, &w);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "total", 0);
		xf_jw_kint(&w, "unread", 0);
		xf_jw_kint(&w, "page", page);
		xf_jw_kint(&w, "per_page", per_page);
		xf_jw_key(&w, "items");
		xf_jw_arr(&w);
		xf_jw_arr_end(&w);
		xf_jw_obj_end(&w);
		return;
	}
	FILE *f = api_stream(c);
	if (f == NULL)
		return;
	xf_errs errs;
	xf_errs_init(&errs);
	int rc = xf_notices_json(c->store, c->who->person_id, unread != 0, page, per_page, f,
				 &errs);
	if (rc != 0)
		api_res_reset(c->res);
	api_service_rc(c, rc, &errs, false);
	xf_errs_cleanup(&errs);
}

/* {"ids": [1, 2]} or {"all": true}. */
void api_me_notices_read(api_ctx *c)
{
	cJSON *body = api_body_object(c);
	if (body == NULL)
		return;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
	const cJSON *all = cJSON_GetObjectItemCaseSensitive(body, "all");
	long long *v = NULL;
	size_t n = 0;
	if (cJSON_IsTrue(all) && ids == NULL) {
		/* every notice */
	} else if (cJSON_IsArray(ids) && all == NULL) {
		int size = cJSON_GetArraySize(ids);
		if (size > 1000) {
			api_error(c, 400, "bad_request", "ids 一次最多 1000 个");
			goto out;
		}
		v = malloc(sizeof(*v) * (size_t)(size > 0 ? size : 1));
		if (v == NULL) {
			api_internal(c, NULL);
			goto out;
		}
		const cJSON *e;
		cJSON_ArrayForEach(e, ids)
		{
			if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 9e15 ||
			    e->valuedouble != (double)(long long)e->valuedouble) {
				api_error(c, 400, "bad_request", "ids 应为正整数的数组");
				goto out;
			}
			v[n++] = (long long)e->valuedouble;
		}
	} else {
		api_error(c, 400, "bad_request", "应为 {\"ids\": [...]} 或 {\"all\": true}");
		goto out;
	}
	if (c->who->person_id != 0) {
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_notices_mark_read(c->store, c->who->person_id, v, v ? n : 0, &errs);
		if (rc != 0 && !errs.internal)
			errs.internal = true;
		if (rc != 0) {
			api_internal(c, &errs);
			xf_errs_cleanup(&errs);
			goto out;
		}
		xf_errs_cleanup(&errs);
	}
	api_no_content(c);
out:
	free(v);
	cJSON_Delete(body);
}
