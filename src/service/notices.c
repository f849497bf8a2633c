/* notices: a member's notices — written by the workflow services inside
 * their own transactions, listed and marked read by the member. */
#include <stdint.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "io/jsonw.h"
#include "service/notices.h"
#include "store/query.h"

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)

int xf_notice_add(xf_store *s, long long person_id, const char *kind, const char *title,
		  const char *body, const char *object, xf_errs *errs)
{
	return xf_query_exec(s,
			     "INSERT INTO notices (person_id, kind, title, body, object, created_at)"
			     " VALUES ($1, $2, $3, $4, $5, $6)",
			     errs, BIND_FAILED, XF_IN(person_id), XF_IN(kind), XF_IN(title),
			     XF_IN(body), XF_IN(object), XF_IN((long long)xf_clock_now()));
}

int xf_notices_json(xf_store *s, long long person_id, bool unread_only, long long page,
		    long long per_page, FILE *f, xf_errs *errs)
{
	long long total = 0, unread = 0;
	if (xf_query_row(s,
			 "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0)"
			 " FROM notices WHERE person_id = $1",
			 errs, BIND_FAILED, XF_IN(person_id), XF_OUT(&total), XF_OUT(&unread)) < 0)
		return -1;
	if (page < 1)
		page = 1;
	if (per_page < 1 || per_page > 200)
		per_page = 20;
	xf_stmt *st = xf_stmt_prepare(
		s,
		"SELECT id, kind, title, body, object, created_at, read_at FROM notices"
		" WHERE person_id = $1 AND ($2 = 0 OR read_at IS NULL)"
		" ORDER BY id DESC LIMIT $3 OFFSET $4",
		errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_int(st, 1, person_id) || xf_stmt_bind_int(st, 2, unread_only) ||
	    xf_stmt_bind_int(st, 3, per_page) || xf_stmt_bind_int(st, 4, (page - 1) * per_page)) {
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		xf_stmt_finalize(st);
		return -1;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "total", unread_only ? unread : total);
	xf_jw_kint(&w, "unread", unread);
	xf_jw_kint(&w, "page", page);
	xf_jw_kint(&w, "per_page", per_page);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		char at[32];
		xf_iso_utc(xf_stmt_int(st, 5), at);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
		xf_jw_kstr(&w, "kind", xf_stmt_text(st, 1));
		xf_jw_kstr(&w, "title", xf_stmt_text(st, 2));
		xf_jw_kstr(&w, "body", xf_stmt_text(st, 3));
		xf_jw_kstr(&w, "object", xf_stmt_text(st, 4));
		xf_jw_kstr(&w, "at", at);
		xf_jw_kbool(&w, "read", !xf_stmt_is_null(st, 6));
		xf_jw_obj_end(&w);
	}
	xf_stmt_finalize(st);
	if (r == XF_STEP_ERROR)
		return -1;
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	return 0;
}

int xf_notices_mark_read(xf_store *s, long long person_id, const long long *ids, size_t n,
			 xf_errs *errs)
{
	long long now = (long long)xf_clock_now();
	if (ids == NULL)
		return xf_query_exec(s,
				     "UPDATE notices SET read_at = $2"
				     " WHERE person_id = $1 AND read_at IS NULL",
				     errs, BIND_FAILED, XF_IN(person_id), XF_IN(now));
	for (size_t i = 0; i < n; i++)
		if (xf_query_exec(s,
				  "UPDATE notices SET read_at = $3"
				  " WHERE person_id = $1 AND id = $2 AND read_at IS NULL",
				  errs, BIND_FAILED, XF_IN(person_id), XF_IN(ids[i]), XF_IN(now)) != 0)
			return -1;
	return 0;
}
