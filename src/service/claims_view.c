/* claims_view: what the claims service shows (see claims.h) — the items a
 * member may claim, one claim with its files, duplicates and history, and
 * the paged lists (mine, the review and approve queues). The preview is
 * in claims_preview.c. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/jsonw.h"
#include "service/claims.h"
#include "store/query.h"

#define BIND_MSG XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")
#define POLICY_MEMO 16         /* (unit, year) policies kept while listing */
#define Q_MAX_BYTES 100

static void bind_fail(xf_errs *errs)
{
	xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
	errs->internal = true;
}

/* Unix seconds as "2026-03-02T08:30:00Z"; null for 0. */
static void kiso(xf_jw *w, const char *key, long long t)
{
	char out[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (t == 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		xf_jw_knull(w, key);
		return;
	}
	xf_jw_kstr(w, key, out);
}

static const char *per_name(xf_per per)
{
	static const char *const names[] = {
		[XF_PER_COUNT] = "count", [XF_PER_DAY] = "day", [XF_PER_MONTH] = "month",
		[XF_PER_HOUR] = "hour", [XF_PER_CLASS_HOUR] = "class_hour",
		[XF_PER_SESSION] = "session", [XF_PER_YEAR] = "year", [XF_PER_CREDITS] = "credits",
		[XF_PER_METRIC] = "metric",
	};
	return (unsigned)per < sizeof(names) / sizeof(names[0]) ? names[per] : "count";
}

/* The caller's unit and the policy of it for year. */
static int my_policy(xf_store *s, const xf_principal *who, int year, char **ref, xf_errs *errs)
{
	long long unit_id = 0;
	*ref = NULL;
	if (who->person_id <= 0) {
		xf_errs_add(errs, "您的账号没有关联人员，不能申报学分；请联系管理员关联");
		return XF_CLAIM_FORBIDDEN;
	}
	int rc = xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1", errs, BIND_MSG,
			      XF_IN(who->person_id), XF_OUT(&unit_id));
	if (rc < 0)
		return -1;
	if (rc == 1 || unit_id <= 0) {
		xf_errs_add(errs, "您没有所属单位，不能申报学分");
		return XF_CLAIM_INVALID;
	}
	rc = xf_claim_unit_policy(s, unit_id, year, ref, errs);
	return rc == 1 ? XF_CLAIM_INVALID : rc;
}

/* ---- the items a member may claim ---- */

static void write_field_list(xf_jw *w, const char *key, uint32_t bits)
{
	xf_jw_key(w, key);
	xf_jw_arr(w);
	for (int k = 0; k < XF_CF_NFIELDS; k++)
		if (bits & (1u << k))
			xf_jw_str(w, xf_claim_field_names[k]);
	xf_jw_arr_end(w);
}

int xf_claim_items_json(xf_store *s, const xf_principal *who, int year, FILE *f,
			xf_errs *errs)
{
	char *ref = NULL;
	xf_policy *owned = NULL;
	int rc = my_policy(s, who, year, &ref, errs);
	if (rc != 0)
		return rc;
	const xf_policy *p = xf_claim_policy_get(ref, &owned, errs);
	if (p == NULL) {
		free(ref);
		return -1;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "year", year);
	xf_jw_key(&w, "policy");
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "id", p->id);
	xf_jw_kstr(&w, "name", p->title);
	xf_jw_obj_end(&w);
	xf_jw_key(&w, "levels");
	xf_jw_arr(&w);
	for (int lv = 0; lv < p->nlevels; lv++) {
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "key", p->levels[lv].key);
		xf_jw_kstr(&w, "name", p->levels[lv].name);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_key(&w, "kinds");
	xf_jw_arr(&w);
	for (int k = 0; k < p->nkinds; k++)
		xf_jw_str(&w, p->kinds[k]);
	xf_jw_arr_end(&w);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	for (int i = 0; i < p->nitems; i++) {
		const xf_item *it = &p->items[i];
		xf_claim_item_info info;
		xf_claim_item_fields(p, i, &info);
		if (!info.claimable)
			continue;
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "key", it->key);
		xf_jw_kstr(&w, "name", it->name);
		xf_jw_kstr(&w, "category", p->categories[it->category].key);
		xf_jw_kstr(&w, "category_name", p->categories[it->category].name);
		xf_jw_kstr(&w, "article", it->article);
		xf_jw_kstr(&w, "per", per_name(it->per));
		xf_jw_kstr(&w, "unit", xf_item_measure(it));
		if (it->level_points) {
			xf_jw_knull(&w, "points");
			xf_jw_key(&w, "level_points");
			xf_jw_obj(&w);
			for (int lv = 0; lv < p->nlevels; lv++)
				if (!isnan(it->level_points[lv]))
					xf_jw_knum(&w, p->levels[lv].key, it->level_points[lv]);
			xf_jw_obj_end(&w);
		} else {
			if (it->per == XF_PER_CREDITS)
				xf_jw_knull(&w, "points");
			else
				xf_jw_knum(&w, "points", it->points);
			xf_jw_knull(&w, "level_points");
		}
		if (isinf(it->cap))
			xf_jw_knull(&w, "cap");
		else
			xf_jw_knum(&w, "cap", it->cap);
		write_field_list(&w, "fields", info.asked);
		write_field_list(&w, "required", info.required);
		xf_jw_key(&w, "forms");
		xf_jw_arr(&w);
		xf_jw_str(&w, "claim");
		if (info.self_study)
			xf_jw_str(&w, "self_study");
		xf_jw_arr_end(&w);
		xf_jw_kbool(&w, "needs_evidence", info.needs_evidence);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	free(ref);
	xf_policy_free(owned);
	return 0;
}

/* ---- one claim ---- */

/* {"id", "username", "display_name"} of a user, or null. */
static int write_user(xf_store *s, xf_jw *w, const char *key, long long user_id, xf_errs *errs)
{
	char username[80] = "", display[160] = "";
	int rc = user_id > 0 ? xf_query_row(s, "SELECT username, display_name FROM users WHERE id = $1",
					    errs, BIND_MSG, XF_IN(user_id),
					    XF_OUT_TEXT(username, sizeof(username)),
					    XF_OUT_TEXT(display, sizeof(display)))
			     : 1;
	if (rc < 0)
		return -1;
	if (rc == 1) {
		xf_jw_knull(w, key);
		return 0;
	}
	xf_jw_key(w, key);
	xf_jw_obj(w);
	xf_jw_kint(w, "id", user_id);
	xf_jw_kstr(w, "username", username);
	xf_jw_kstr(w, "display_name", display);
	xf_jw_obj_end(w);
	return 0;
}

/* A prepared statement bound with the ids given (each an integer). */
static xf_stmt *prepare_ids(xf_store *s, const char *sql, xf_errs *errs, int n, long long a,
			    long long b)
{
	xf_stmt *st = xf_stmt_prepare(s, sql, errs);
	if (st == NULL)
		return NULL;
	if (xf_stmt_bind_int(st, 1, a) != 0 || (n > 1 && xf_stmt_bind_int(st, 2, b) != 0)) {
		bind_fail(errs);
		xf_stmt_finalize(st);
		return NULL;
	}
	return st;
}

/* Other people's claims using a file of this SHA-256 (at most 20). */
static int write_duplicates(xf_store *s, xf_jw *w, const char *sha, long long person_id,
			    xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(
		s,
		"SELECT DISTINCT c.id, p.id, p.code, p.name, c.status FROM evidence_files f"
		" JOIN claim_evidence ce ON ce.file_id = f.id JOIN claims c ON c.id = ce.claim_id"
		" JOIN people p ON p.id = c.person_id"
		" WHERE f.sha256 = $1 AND c.person_id <> $2 ORDER BY c.id LIMIT 20",
		errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_text(st, 1, sha) != 0 || xf_stmt_bind_int(st, 2, person_id) != 0) {
		bind_fail(errs);
		xf_stmt_finalize(st);
		return -1;
	}
	xf_step step;
	xf_jw_key(w, "duplicate_of");
	xf_jw_arr(w);
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kint(w, "claim_id", xf_stmt_int(st, 0));
		xf_jw_key(w, "person");
		xf_jw_obj(w);
		xf_jw_kint(w, "id", xf_stmt_int(st, 1));
		xf_jw_kstr(w, "code", xf_stmt_text(st, 2));
		xf_jw_kstr(w, "name", xf_stmt_text(st, 3));
		xf_jw_obj_end(w);
		xf_jw_kstr(w, "status", xf_stmt_text(st, 4));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_stmt_finalize(st);
	return step == XF_STEP_ERROR ? -1 : 0;
}

static int write_evidence(xf_store *s, xf_jw *w, const xf_claim_row *r, bool duplicates,
			  xf_errs *errs)
{
	xf_stmt *st = prepare_ids(s,
				  "SELECT f.id, f.name, f.size, f.mime, f.sha256, f.created_at"
				  " FROM claim_evidence ce JOIN evidence_files f ON f.id = ce.file_id"
				  " WHERE ce.claim_id = $1 ORDER BY f.id",
				  errs, 1, r->id, 0);
	if (st == NULL)
		return -1;
	xf_step step;
	int rc = 0;
	xf_jw_key(w, "evidence");
	xf_jw_arr(w);
	while (rc == 0 && (step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		xf_jw_kint(w, "id", xf_stmt_int(st, 0));
		xf_jw_kstr(w, "name", xf_stmt_text(st, 1));
		xf_jw_kint(w, "size", xf_stmt_int(st, 2));
		xf_jw_kstr(w, "mime", xf_stmt_text(st, 3));
		xf_jw_kstr(w, "sha256", xf_stmt_text(st, 4));
		kiso(w, "uploaded_at", xf_stmt_int(st, 5));
		if (duplicates)
			rc = write_duplicates(s, w, xf_stmt_text(st, 4), r->person_id, errs);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_stmt_finalize(st);
	return rc != 0 || step == XF_STEP_ERROR ? -1 : 0;
}

static int write_events(xf_store *s, xf_jw *w, long long id, xf_errs *errs)
{
	xf_stmt *st = prepare_ids(s,
				  "SELECT e.at, e.user_id, u.username, u.display_name, e.from_status,"
				  " e.to_status, e.note FROM claim_events e LEFT JOIN users u"
				  " ON u.id = e.user_id WHERE e.claim_id = $1 ORDER BY e.id",
				  errs, 1, id, 0);
	if (st == NULL)
		return -1;
	xf_step step;
	xf_jw_key(w, "events");
	xf_jw_arr(w);
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(w);
		kiso(w, "at", xf_stmt_int(st, 0));
		if (xf_stmt_is_null(st, 1) || xf_stmt_is_null(st, 2)) {
			xf_jw_knull(w, "user");
		} else {
			xf_jw_key(w, "user");
			xf_jw_obj(w);
			xf_jw_kint(w, "id", xf_stmt_int(st, 1));
			xf_jw_kstr(w, "username", xf_stmt_text(st, 2));
			xf_jw_kstr(w, "display_name", xf_stmt_text(st, 3));
			xf_jw_obj_end(w);
		}
		xf_jw_kstr(w, "from", xf_stmt_text(st, 4));
		xf_jw_kstr(w, "to", xf_stmt_text(st, 5));
		xf_jw_kstr(w, "note", xf_stmt_text(st, 6));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_stmt_finalize(st);
	return step == XF_STEP_ERROR ? -1 : 0;
}

/* Writes stored JSON (fields, details: objects of strings, numbers and
 * booleans, as claims_form.c stores them) laid out like the rest of the
 * answer; null when it does not parse. */
static void write_stored(xf_jw *w, const char *key, const char *json)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	xf_jw_key(w, key);
	if (!cJSON_IsObject(o)) {
		xf_jw_null(w);
		cJSON_Delete(o);
		return;
	}
	xf_jw_obj(w);
	const cJSON *v;
	cJSON_ArrayForEach(v, o) {
		if (cJSON_IsString(v))
			xf_jw_kstr(w, v->string, v->valuestring);
		else if (cJSON_IsNumber(v))
			xf_jw_knum(w, v->string, v->valuedouble);
		else if (cJSON_IsBool(v))
			xf_jw_kbool(w, v->string, cJSON_IsTrue(v));
		else
			xf_jw_knull(w, v->string);
	}
	xf_jw_obj_end(w);
	cJSON_Delete(o);
}

/* What the caller may do with the claim now. */
static void write_can(xf_jw *w, const xf_principal *who, const xf_claim_row *r)
{
	bool mine = who->person_id > 0 && who->person_id == r->person_id;
	const char *st = r->status;
	bool draft = strcmp(st, "draft") == 0, rejected = strcmp(st, "rejected") == 0;
	bool submitted = strcmp(st, "submitted") == 0, reviewed = strcmp(st, "reviewed") == 0;
	bool rev = !mine && xf_claim_has_role_unit(who, XF_ROLE_REVIEWER, r->unit_id);
	bool app = !mine && xf_claim_has_role_unit(who, XF_ROLE_APPROVER, r->unit_id);
	xf_jw_key(w, "can");
	xf_jw_arr(w);
	if (mine && (draft || rejected)) {
		xf_jw_str(w, "update");
		xf_jw_str(w, "upload");
	}
	if (mine && draft)
		xf_jw_str(w, "submit");
	if (mine && (draft || rejected || submitted || reviewed))
		xf_jw_str(w, "withdraw");
	if (rev && submitted)
		xf_jw_str(w, "review");
	if (app && reviewed && r->reviewed_by != who->user_id)
		xf_jw_str(w, "approve");
	if ((rev && submitted) || (app && reviewed))
		xf_jw_str(w, "reject");
	xf_jw_str(w, "preview");
	xf_jw_arr_end(w);
}

/* The item's names under the claimant's policy (NULLs when it is gone). */
static void item_names(xf_store *s, const xf_claim_row *r, const xf_item **it,
		       const xf_category **cat, const xf_policy **pol, xf_policy **owned)
{
	char *ref = NULL;
	xf_errs e;
	xf_errs_init(&e);
	*it = NULL;
	*cat = NULL;
	*pol = NULL;
	*owned = NULL;
	if (r->unit_id > 0 && xf_claim_unit_policy(s, r->unit_id, r->year, &ref, &e) == 0) {
		*pol = xf_claim_policy_get(ref, owned, &e);
		int i = *pol ? xf_policy_item(*pol, r->item) : -1;
		if (i >= 0) {
			*it = &(*pol)->items[i];
			*cat = &(*pol)->categories[(*it)->category];
		}
	}
	free(ref);
	xf_errs_cleanup(&e);
}

int xf_claim_get_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
		      xf_errs *errs)
{
	xf_claim_row r;
	int rc = xf_claim_row_load(s, id, &r, errs);
	if (rc != 0)
		return rc;
	if (!xf_claim_visible(who, &r)) {
		xf_claim_row_cleanup(&r);
		return XF_CLAIM_NOT_FOUND;
	}
	bool mine = who->person_id > 0 && who->person_id == r.person_id;
	char ucode[80] = "", uname[160] = "", akey[80] = "", atitle[400] = "";
	const xf_item *it;
	const xf_category *cat;
	const xf_policy *pol;
	xf_policy *owned;
	item_names(s, &r, &it, &cat, &pol, &owned);
	rc = -1;
	if (r.unit_id > 0 && xf_query_row(s, "SELECT code, name FROM units WHERE id = $1", errs,
					  BIND_MSG, XF_IN(r.unit_id), XF_OUT_TEXT(ucode, sizeof(ucode)),
					  XF_OUT_TEXT(uname, sizeof(uname))) < 0)
		goto out;
	if (r.activity_id > 0 && xf_query_row(s, "SELECT key, title FROM activities WHERE id = $1",
					      errs, BIND_MSG, XF_IN(r.activity_id),
					      XF_OUT_TEXT(akey, sizeof(akey)),
					      XF_OUT_TEXT(atitle, sizeof(atitle))) < 0)
		goto out;

	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", r.id);
	xf_jw_key(&w, "person");
	xf_jw_obj(&w);
	xf_jw_kint(&w, "id", r.person_id);
	xf_jw_kstr(&w, "code", r.person_code);
	xf_jw_kstr(&w, "name", r.person_name);
	xf_jw_key(&w, "unit");
	if (r.unit_id > 0) {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", r.unit_id);
		xf_jw_kstr(&w, "code", ucode);
		xf_jw_kstr(&w, "name", uname);
		xf_jw_obj_end(&w);
	} else {
		xf_jw_null(&w);
	}
	xf_jw_obj_end(&w);
	xf_jw_kint(&w, "year", r.year);
	xf_jw_kstr(&w, "item", r.item);
	xf_jw_kstr(&w, "item_name", it ? it->name : NULL);
	xf_jw_kstr(&w, "category", cat ? cat->key : NULL);
	xf_jw_kstr(&w, "category_name", cat ? cat->name : NULL);
	xf_jw_kstr(&w, "form", r.form);
	xf_jw_kstr(&w, "status", r.status);
	xf_jw_kstr(&w, "status_name", xf_claim_status_label(r.status));
	write_stored(&w, "fields", r.fields);
	write_stored(&w, "details", r.details);
	xf_jw_key(&w, "activity");
	if (r.activity_id > 0) {
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", r.activity_id);
		xf_jw_kstr(&w, "key", akey);
		xf_jw_kstr(&w, "title", atitle);
		xf_jw_obj_end(&w);
	} else {
		xf_jw_null(&w);
	}
	kiso(&w, "created_at", r.created_at);
	kiso(&w, "updated_at", r.updated_at);
	kiso(&w, "submitted_at", r.submitted_at);
	if (write_user(s, &w, "reviewed_by", r.reviewed_by, errs) != 0)
		goto out;
	kiso(&w, "reviewed_at", r.reviewed_at);
	if (write_user(s, &w, "approved_by", r.approved_by, errs) != 0)
		goto out;
	kiso(&w, "approved_at", r.approved_at);
	if (write_user(s, &w, "rejected_by", r.rejected_by, errs) != 0)
		goto out;
	kiso(&w, "rejected_at", r.rejected_at);
	xf_jw_kstr(&w, "reject_reason", r.reject_reason);
	if (r.record_id > 0)
		xf_jw_kint(&w, "record_id", r.record_id);
	else
		xf_jw_knull(&w, "record_id");
	/* Duplicates name other people: staff see them, the claimant not. */
	if (write_evidence(s, &w, &r, !mine, errs) != 0 || write_events(s, &w, r.id, errs) != 0)
		goto out;
	write_can(&w, who, &r);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_policy_free(owned);
	xf_claim_row_cleanup(&r);
	return rc;
}

/* ---- lists ---- */

/* Policies by (unit, year), kept while a page is written. */
typedef struct memo {
	long long unit_id[POLICY_MEMO];
	int year[POLICY_MEMO];
	const xf_policy *p[POLICY_MEMO];
	xf_policy *owned[POLICY_MEMO];
	int n;
} memo;

static const xf_policy *memo_get(memo *m, xf_store *s, long long unit_id, int year)
{
	for (int i = 0; i < m->n; i++)
		if (m->unit_id[i] == unit_id && m->year[i] == year)
			return m->p[i];
	if (m->n == POLICY_MEMO || unit_id <= 0)
		return NULL;
	char *ref = NULL;
	xf_errs e;
	xf_errs_init(&e);
	int k = m->n;
	if (xf_claim_unit_policy(s, unit_id, year, &ref, &e) == 0)
		m->p[k] = xf_claim_policy_get(ref, &m->owned[k], &e);
	else
		m->p[k] = NULL;
	m->unit_id[k] = unit_id;
	m->year[k] = year;
	m->n++;
	free(ref);
	xf_errs_cleanup(&e);
	return m->p[k];
}

static void memo_cleanup(memo *m)
{
	for (int i = 0; i < m->n; i++)
		xf_policy_free(m->owned[i]);
}

/* The rows of a box: $1 user id, $2 role of the scope ('reviewer',
 * 'approver' or ''), $3 status ('' any), $4 year (0 any), $5 the search
 * pattern ('' none; lower-cased, LIKE-escaped), $6 the caller's person id
 * (0 none), $7 the box. */
#define LIST_FROM                                                                           \
	"WITH RECURSIVE scope(id) AS ("                                                      \
	" SELECT unit_id FROM user_roles WHERE user_id = $1 AND role = CAST($2 AS TEXT)"      \
	" UNION SELECT units.id FROM units JOIN scope ON units.parent_id = scope.id)"         \
	" SELECT %s FROM claims c JOIN people p ON p.id = c.person_id"                        \
	" LEFT JOIN units u ON u.id = p.unit_id"                                              \
	" WHERE ((CAST($7 AS TEXT) = 'mine' AND c.person_id = $6)"                            \
	"  OR (CAST($7 AS TEXT) = 'scope' AND c.submitted_at IS NOT NULL AND c.person_id <> $6"\
	"      AND p.unit_id IN (SELECT id FROM scope))"                                      \
	"  OR (CAST($7 AS TEXT) = 'all' AND c.submitted_at IS NOT NULL))"                     \
	" AND (CAST($3 AS TEXT) = '' OR c.status = CAST($3 AS TEXT))"                         \
	" AND ($4 = 0 OR c.year = $4)"                                                        \
	" AND (CAST($5 AS TEXT) = '' OR lower(p.name) LIKE CAST($5 AS TEXT) ESCAPE '\\'"      \
	"  OR lower(p.code) LIKE CAST($5 AS TEXT) ESCAPE '\\'"                                \
	"  OR lower(c.item) LIKE CAST($5 AS TEXT) ESCAPE '\\')"

#define LIST_COLUMNS                                                                        \
	"c.id, c.person_id, p.code, p.name, p.unit_id, u.code, u.name, c.year, c.item, c.form," \
	" c.status, c.fields, c.submitted_at, c.updated_at,"                                  \
	" (SELECT COUNT(*) FROM claim_evidence ce WHERE ce.claim_id = c.id),"                 \
	" (SELECT COUNT(*) FROM claim_evidence ce JOIN evidence_files f ON f.id = ce.file_id" \
	"  WHERE ce.claim_id = c.id AND EXISTS (SELECT 1 FROM evidence_files f2"              \
	"  JOIN claim_evidence ce2 ON ce2.file_id = f2.id JOIN claims c2 ON c2.id = ce2.claim_id" \
	"  WHERE f2.sha256 = f.sha256 AND c2.person_id <> c.person_id)),"                     \
	" c.reject_reason"

static bool status_known(const char *st)
{
	static const char *const all[] = {"draft", "submitted", "reviewed", "approved",
					  "rejected", "withdrawn"};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i], st) == 0)
			return true;
	return false;
}

/* "%q%" with \, % and _ escaped, lower-cased (ASCII; other scripts as
 * they are). False when q is too long. */
static bool like_pattern(const char *q, char *out, size_t size)
{
	size_t n = 0;
	out[n++] = '%';
	for (; *q; q++) {
		if (n + 4 >= size)
			return false;
		char ch = *q;
		if (ch == '\\' || ch == '%' || ch == '_')
			out[n++] = '\\';
		out[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n++] = '%';
	out[n] = '\0';
	return true;
}

static int bind_list(xf_stmt *st, const xf_principal *who, const char *role, const char *status,
		     int year, const char *pattern, const char *box)
{
	return xf_stmt_bind_int(st, 1, who->user_id) | xf_stmt_bind_text(st, 2, role) |
	       xf_stmt_bind_text(st, 3, status) | xf_stmt_bind_int(st, 4, year) |
	       xf_stmt_bind_text(st, 5, pattern) | xf_stmt_bind_int(st, 6, who->person_id) |
	       xf_stmt_bind_text(st, 7, box);
}

int xf_claims_list_json(xf_store *s, const xf_principal *who, const xf_claims_query *q,
			FILE *f, xf_errs *errs)
{
	static const char *const box_names[] = {"", "mine", "review", "approve", "all"};
	xf_claims_box box = q->box;
	if (box == XF_BOX_DEFAULT)
		box = (who->roles & XF_ROLE_MEMBER) && who->person_id > 0 ? XF_BOX_MINE
		      : (who->roles & XF_ROLE_REVIEWER)                  ? XF_BOX_REVIEW
		      : (who->roles & XF_ROLE_APPROVER)                  ? XF_BOX_APPROVE
									 : XF_BOX_ALL;
	bool ok = box == XF_BOX_MINE   ? who->person_id > 0
		  : box == XF_BOX_REVIEW  ? (who->roles & XF_ROLE_REVIEWER) != 0
		  : box == XF_BOX_APPROVE ? (who->roles & XF_ROLE_APPROVER) != 0
		  : box == XF_BOX_ALL     ? (who->roles & XF_ROLE_ADMIN) != 0
					  : false;
	if (!ok) {
		xf_errs_add(errs, "box：您的角色不能查看这个列表（mine 本人、review 待审核、approve 待审批、all 全部）");
		return -1;
	}
	const char *status = q->status;
	if (status == NULL)
		status = box == XF_BOX_REVIEW ? "submitted" : box == XF_BOX_APPROVE ? "reviewed" : "";
	else if (strcmp(status, "any") == 0)
		status = "";
	else if (!status_known(status)) {
		xf_errs_add(errs, "status：应为 draft、submitted、reviewed、approved、rejected、withdrawn 或 any");
		return -1;
	}
	char pattern[4 * Q_MAX_BYTES + 8] = "";
	if (q->q && *q->q && (strlen(q->q) > Q_MAX_BYTES || !like_pattern(q->q, pattern, sizeof(pattern)))) {
		xf_errs_add(errs, "q：搜索词不能超过 %d 字节", Q_MAX_BYTES);
		return -1;
	}
	const char *role = box == XF_BOX_REVIEW ? "reviewer" : box == XF_BOX_APPROVE ? "approver" : "";
	const char *which = box == XF_BOX_MINE ? "mine" : box == XF_BOX_ALL ? "all" : "scope";
	long long per_page = q->per_page < 1 ? 20 : q->per_page > 200 ? 200 : q->per_page;
	long long page = q->page < 1 ? 1 : q->page > 1000000 ? 1000000 : q->page;
	char count_sql[4096], page_sql[8192];
	snprintf(count_sql, sizeof(count_sql), LIST_FROM, "COUNT(*)");
	snprintf(page_sql, sizeof(page_sql), LIST_FROM " ORDER BY c.id DESC LIMIT $8 OFFSET $9",
		 LIST_COLUMNS);
	xf_stmt *st = NULL;
	memo m = {0};
	long long total = 0;
	int rc = -1;
	xf_step step;

	st = xf_stmt_prepare(s, count_sql, errs);
	if (st == NULL)
		goto out;
	if (bind_list(st, who, role, status, q->year, pattern, which) != 0) {
		bind_fail(errs);
		goto out;
	}
	if ((step = xf_stmt_step(st, errs)) == XF_STEP_ERROR)
		goto out;
	total = step == XF_STEP_ROW ? xf_stmt_int(st, 0) : 0;
	xf_stmt_finalize(st);
	st = xf_stmt_prepare(s, page_sql, errs);
	if (st == NULL)
		goto out;
	if (bind_list(st, who, role, status, q->year, pattern, which) != 0 ||
	    xf_stmt_bind_int(st, 8, per_page) != 0 ||
	    xf_stmt_bind_int(st, 9, (page - 1) * per_page) != 0) {
		bind_fail(errs);
		goto out;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "box", box_names[box]);
	xf_jw_kstr(&w, "status", *status ? status : "any");
	xf_jw_kint(&w, "total", total);
	xf_jw_kint(&w, "page", page);
	xf_jw_kint(&w, "per_page", per_page);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	while ((step = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		long long unit_id = xf_stmt_is_null(st, 4) ? 0 : xf_stmt_int(st, 4);
		int year = (int)xf_stmt_int(st, 7);
		const char *item = xf_stmt_text(st, 8);
		const xf_policy *p = memo_get(&m, s, unit_id, year);
		int i = p && item ? xf_policy_item(p, item) : -1;
		xf_claim_facts facts;
		xf_errs e;
		xf_errs_init(&e);
		bool fok = xf_claim_facts_parse(xf_stmt_text(st, 11), &facts, &e) == 0;
		xf_errs_cleanup(&e);
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
		xf_jw_key(&w, "person");
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 1));
		xf_jw_kstr(&w, "code", xf_stmt_text(st, 2));
		xf_jw_kstr(&w, "name", xf_stmt_text(st, 3));
		xf_jw_key(&w, "unit");
		if (unit_id > 0) {
			xf_jw_obj(&w);
			xf_jw_kint(&w, "id", unit_id);
			xf_jw_kstr(&w, "code", xf_stmt_text(st, 5));
			xf_jw_kstr(&w, "name", xf_stmt_text(st, 6));
			xf_jw_obj_end(&w);
		} else {
			xf_jw_null(&w);
		}
		xf_jw_obj_end(&w);
		xf_jw_kint(&w, "year", year);
		xf_jw_kstr(&w, "item", item);
		xf_jw_kstr(&w, "item_name", i >= 0 ? p->items[i].name : NULL);
		xf_jw_kstr(&w, "form", xf_stmt_text(st, 9));
		xf_jw_kstr(&w, "status", xf_stmt_text(st, 10));
		xf_jw_kstr(&w, "status_name", xf_claim_status_label(xf_stmt_text(st, 10)));
		xf_jw_kstr(&w, "date", fok && facts.date[0] ? facts.date : NULL);
		write_stored(&w, "fields", fok ? xf_stmt_text(st, 11) : NULL);
		kiso(&w, "submitted_at", xf_stmt_is_null(st, 12) ? 0 : xf_stmt_int(st, 12));
		kiso(&w, "updated_at", xf_stmt_int(st, 13));
		xf_jw_kint(&w, "evidence_count", xf_stmt_int(st, 14));
		/* Other people's use of a file is the reviewers' to see, as in a
		 * claim's own answer. */
		if (box == XF_BOX_MINE)
			xf_jw_knull(&w, "duplicate_count");
		else
			xf_jw_kint(&w, "duplicate_count", xf_stmt_int(st, 15));
		xf_jw_kstr(&w, "reject_reason", xf_stmt_text(st, 16));
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	if (step == XF_STEP_ERROR)
		goto out;
	rc = 0;
out:
	xf_stmt_finalize(st);
	memo_cleanup(&m);
	return rc;
}
