/* publish: 公示, objections, archive and the 干部培训登记库 export (see
 * publish.h; the design is docs/workflow.md).
 *
 * Choices worth knowing:
 *   - A line's figures come from the engine run over the person's year
 *     as it stood at a date (xf_assess_asof): the records dated up to it
 *     and the metric months begun by it. period_total is year_total at
 *     the period's end less year_total the day before it starts, so a
 *     cap reached in the period shows as a smaller increment.
 *   - Who sees what is one SQL condition: admins everything; otherwise a
 *     publication listing the caller's person, or one whose unit is in
 *     the set of the caller's units and their ancestors (staff scope,
 *     the member's own unit), bound as one text parameter ",1,5,9," and
 *     matched with LIKE (same spelling on SQLite and PostgreSQL).
 *   - Races change once: lodging inserts only while the publication is
 *     still published and in its window (one INSERT ... SELECT ... WHERE
 *     EXISTS), resolving updates only an open objection (RETURNING tells),
 *     archiving only a published publication without open objections.
 *   - The 登记库 attributes caps in date order within an item (earlier
 *     records take the room first) and a category's cap in the policy's
 *     item order; metric items (学习强国) get one row with what the period
 *     added. */
#include "service/publish.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/num.h"
#include "core/utf8.h"
#include "io/jsonw.h"
#include "policy/policy.h"
#include "service/assess_load.h"
#include "service/calendars.h"
#include "service/notices.h"
#include "service/scope.h"
#include "store/query.h"

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)
#define EPS 1e-9
#define TITLE_MAX_CHARS 100
#define TEXT_MAX_CHARS 1000    /* an objection */
#define REASON_MAX_CHARS 500   /* a resolution */
#define Q_MAX_CHARS 100        /* a name searched for */
#define PER_PAGE_MAX 200
#define UNIT_DEPTH_MAX 64      /* walking up the unit tree */
#define FIELD_TEXT_MAX 200     /* a record's text field, in characters */

/* ---- small helpers ---- */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

static int internal(xf_errs *errs)
{
	errs->internal = true;
	return -1;
}

xf_date xf_today(void)
{
	time_t now = xf_clock_now();
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL)
		return 0;
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

xf_date xf_quarter_end(int year, int quarter)
{
	int m = quarter * 3;
	return year * 10000 + m * 100 + xf_days_in_month(year, m);
}

static double total_of(const xf_result *r)
{
	return r->has_total ? r->total : 0;
}

/* A cJSON object's text, compact; NULL when out of memory. */
static char *json_text(const cJSON *o)
{
	return o ? cJSON_PrintUnformatted(o) : NULL;
}

/* One audit row of a change on object ("publication:12"): after is the
 * change as a JSON object, NULL when it could not be built (out of
 * memory). 0, or -1 (internal). */
static int audit_change(xf_store *s, const char *actor, const char *action, const char *object,
			const char *before, const cJSON *after, xf_errs *errs)
{
	char *text = json_text(after);
	if (text == NULL) {
		oom(errs);
		return -1;
	}
	xf_audit_entry e = {.actor = actor, .action = action, .object = object, .before = before,
			    .after = text};
	int rc = xf_store_audit(s, &e, errs) == 0 ? 0 : internal(errs);
	cJSON_free(text);
	return rc;
}

/* Opens a change's transaction: 0, or -1 (internal). */
static int begin(xf_store *s, xf_errs *errs)
{
	return xf_store_begin(s, errs) == 0 ? 0 : internal(errs);
}

/* Commits the change's transaction: 0, or -1 (internal). */
static int commit(xf_store *s, xf_errs *errs)
{
	return xf_store_commit(s, errs) == 0 ? 0 : internal(errs);
}

/* ---- the year as it stood ---- */

void xf_asof_cleanup(xf_asof *a)
{
	free(a->rec);
	free(a->met);
	memset(a, 0, sizeof(*a));
}

int xf_assess_asof(const xf_policy *p, int year, const xf_input *in, xf_date date,
		   xf_asof *buf, xf_engine_scratch *scratch, xf_result *r, xf_trace *trace)
{
	if (in->nrecords > buf->caprec) {
		xf_record *n = realloc(buf->rec, in->nrecords * sizeof(*n));
		if (n == NULL)
			return -1;
		buf->rec = n;
		buf->caprec = in->nrecords;
	}
	if (in->nmetrics > buf->capmet) {
		xf_metric *n = realloc(buf->met, in->nmetrics * sizeof(*n));
		if (n == NULL)
			return -1;
		buf->met = n;
		buf->capmet = in->nmetrics;
	}
	size_t nr = 0, nm = 0;
	for (size_t k = 0; k < in->nrecords; k++)
		if (in->records[k].date <= date)
			buf->rec[nr++] = in->records[k];
	for (size_t k = 0; k < in->nmetrics; k++) {
		const xf_metric *m = &in->metrics[k];
		if ((xf_date)(m->year * 10000 + m->month * 100 + 1) <= date)
			buf->met[nm++] = *m;
	}
	buf->nrec = nr;
	buf->nmet = nm;
	xf_input cut = *in;
	cut.records = buf->rec;
	cut.nrecords = nr;
	cut.metrics = buf->met;
	cut.nmetrics = nm;
	if (trace)
		xf_trace_reset(trace);
	return xf_engine_assess(p, year, &cut, scratch, r, trace);
}

/* What a line shows, for one person's loaded year. */
typedef struct figures {
	char *categories;     /* {"listen": 12, ...}, malloc'd */
	double period_total, year_total;
} figures;

/* Engine state reused across people. */
typedef struct runner {
	xf_asof buf;
	xf_engine_scratch scratch;
	xf_result r;
	bool init;
} runner;

static int runner_init(runner *rn, const xf_policy *p)
{
	if (rn->init)
		xf_result_cleanup(&rn->r);
	else
		xf_scratch_init(&rn->scratch);
	rn->init = true;
	memset(&rn->r, 0, sizeof(rn->r));
	return xf_result_init(&rn->r, p);
}

static void runner_cleanup(runner *rn)
{
	if (!rn->init)
		return;
	xf_result_cleanup(&rn->r);
	xf_scratch_cleanup(&rn->scratch);
	xf_asof_cleanup(&rn->buf);
	rn->init = false;
}

/* The line's figures for the period from..to. 0, or -1 out of memory. */
static int line_figures(runner *rn, const xf_policy *p, int year, const xf_input *in,
			xf_date from, xf_date to, figures *fg)
{
	fg->categories = NULL;
	if (xf_assess_asof(p, year, in, xf_date_prev(from), &rn->buf, &rn->scratch, &rn->r, NULL) != 0)
		return -1;
	double before = total_of(&rn->r);
	if (xf_assess_asof(p, year, in, to, &rn->buf, &rn->scratch, &rn->r, NULL) != 0)
		return -1;
	fg->year_total = xf_round2(total_of(&rn->r));
	fg->period_total = xf_round2(fg->year_total - xf_round2(before));
	cJSON *o = cJSON_CreateObject();
	for (int c = 0; o && c < p->ncategories; c++)
		if (cJSON_AddNumberToObject(o, p->categories[c].key, xf_round2(rn->r.categories[c])) ==
		    NULL) {
			cJSON_Delete(o);
			o = NULL;
		}
	fg->categories = json_text(o);
	cJSON_Delete(o);
	return fg->categories ? 0 : -1;
}

/* ---- the archive check ---- */

int xf_archived_check(xf_store *s, long long person_id, const char *date, xf_errs *errs)
{
	int rc = xf_query_row(s,
			      "SELECT 1 FROM publication_lines l JOIN publications p"
			      " ON p.id = l.publication_id WHERE l.person_id = $1"
			      " AND p.status = 'archived' AND $2 >= p.date_from AND $2 <= p.date_to",
			      errs, BIND_FAILED, XF_IN(person_id), XF_IN(date));
	if (rc < 0)
		return internal(errs);
	if (rc == 1)
		return 0;
	xf_errs_add(errs, "%s", XF_ARCHIVED_MSG);
	return 1;
}

/* ---- who sees what ---- */

/* The caller's view: all, or the listed person and the unit set. */
typedef struct viewer {
	bool all;
	long long person_id;
	char *units;     /* ",1,5,9," (malloc'd), "," when none */
} viewer;

typedef struct idset {
	long long *v;
	size_t n, cap;
} idset;

static bool idset_has(const idset *s, long long id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

static int idset_add(idset *s, long long id)
{
	if (idset_has(s, id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		long long *n = realloc(s->v, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		s->v = n;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

/* Adds unit and every unit above it to set; walked marks the units whose
 * ancestors are already in. */
static int add_with_ancestors(xf_store *s, idset *set, idset *walked, long long unit,
			      xf_errs *errs)
{
	for (int depth = 0; unit > 0 && depth < UNIT_DEPTH_MAX; depth++) {
		if (idset_has(walked, unit))
			return 0;
		if (idset_add(set, unit) != 0 || idset_add(walked, unit) != 0) {
			oom(errs);
			return -1;
		}
		long long parent = 0;
		int f = xf_query_row(s, "SELECT parent_id FROM units WHERE id = $1", errs, BIND_FAILED,
				     XF_IN(unit), XF_OUT(&parent));
		if (f < 0)
			return internal(errs);
		if (f == 1)
			return 0;
		unit = parent;
	}
	return 0;
}

static void viewer_cleanup(viewer *v)
{
	free(v->units);
	v->units = NULL;
}

static int viewer_init(xf_store *s, const xf_principal *who, viewer *v, xf_errs *errs)
{
	memset(v, 0, sizeof(*v));
	if (who == NULL || (who->roles & XF_ROLE_ADMIN)) {
		v->all = true;
		return 0;
	}
	v->person_id = who->person_id;
	idset set = {0}, walked = {0};
	int rc = -1;
	for (size_t i = 0; i < who->nreview_units; i++)
		if (add_with_ancestors(s, &set, &walked, who->review_units[i], errs) != 0)
			goto out;
	for (size_t i = 0; i < who->napprove_units; i++)
		if (add_with_ancestors(s, &set, &walked, who->approve_units[i], errs) != 0)
			goto out;
	if (who->person_id > 0) {
		long long unit = 0;
		int f = xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1", errs, BIND_FAILED,
				     XF_IN(who->person_id), XF_OUT(&unit));
		if (f < 0) {
			internal(errs);
			goto out;
		}
		if (f == 0 && add_with_ancestors(s, &set, &walked, unit, errs) != 0)
			goto out;
	}
	size_t cap = 2 + set.n * 21;
	v->units = malloc(cap);
	if (v->units == NULL) {
		oom(errs);
		goto out;
	}
	size_t k = 0;
	v->units[k++] = ',';
	for (size_t i = 0; i < set.n; i++)
		k += (size_t)snprintf(v->units + k, cap - k, "%lld,", set.v[i]);
	v->units[k] = '\0';
	rc = 0;
out:
	free(set.v);
	free(walked.v);
	return rc;
}

/* The condition on publication p, with $1 all (0/1), $2 the person id,
 * $3 the unit set. */
#define VISIBLE_SQL                                                                        \
	"($1 = 1 OR EXISTS (SELECT 1 FROM publication_lines vl WHERE vl.publication_id = p.id" \
	" AND vl.person_id = $2) OR ($3 LIKE ('%,' || CAST(p.unit_id AS TEXT) || ',%')))"

static int visible(xf_store *s, const viewer *v, long long pub_id, xf_errs *errs)
{
	if (v->all)
		return 0;
	int f = xf_query_row(s, "SELECT 1 FROM publications p WHERE " VISIBLE_SQL " AND p.id = $4",
			     errs, BIND_FAILED, XF_IN(0), XF_IN(v->person_id), XF_IN(v->units),
			     XF_IN(pub_id));
	return f < 0 ? internal(errs) : f;
}

/* A publication's lines in their order: by the code of the person's
 * unit (none last), then the person's code. Codes compare as bytes on
 * both backends (PostgreSQL's code columns are COLLATE "C", schema 4), so
 * a page of lines is the same page on both. W is the condition after the
 * publication's, L the LIMIT clause. */
#define LINES_SQL(W, L)                                                                    \
	"SELECT l.person_id, l.person_name, l.unit_name, l.categories, l.period_total,"      \
	" l.year_total FROM publication_lines l JOIN people pe ON pe.id = l.person_id"       \
	" LEFT JOIN units u ON u.id = pe.unit_id WHERE l.publication_id = $1" W              \
	" ORDER BY CASE WHEN u.code IS NULL THEN 1 ELSE 0 END, u.code, pe.code, l.person_id" L

/* ---- a publication's row ---- */

typedef struct pub {
	long long id, unit_id, published_at, archived_at;
	int year;
	char title[512], from[16], to[16], status[16], window_start[16], window_end[16];
	char published_by[128], archived_by[128];
	char unit_code[128], unit_name[256];
} pub;

#define PUB_COLS                                                                           \
	"p.id, p.unit_id, p.year, p.title, p.date_from, p.date_to, p.status, p.published_at,"  \
	" p.published_by, p.window_start, p.window_end, p.archived_at, p.archived_by, u.code," \
	" u.name"

static int pub_read(xf_store *s, long long id, pub *out, xf_errs *errs)
{
	long long year = 0;
	memset(out, 0, sizeof(*out));
	int f = xf_query_row(
		s, "SELECT " PUB_COLS " FROM publications p JOIN units u ON u.id = p.unit_id"
		   " WHERE p.id = $1",
		errs, BIND_FAILED, XF_IN(id), XF_OUT(&out->id), XF_OUT(&out->unit_id), XF_OUT(&year),
		XF_OUT_TEXT(out->title, sizeof(out->title)), XF_OUT_TEXT(out->from, sizeof(out->from)),
		XF_OUT_TEXT(out->to, sizeof(out->to)), XF_OUT_TEXT(out->status, sizeof(out->status)),
		XF_OUT(&out->published_at), XF_OUT_TEXT(out->published_by, sizeof(out->published_by)),
		XF_OUT_TEXT(out->window_start, sizeof(out->window_start)),
		XF_OUT_TEXT(out->window_end, sizeof(out->window_end)), XF_OUT(&out->archived_at),
		XF_OUT_TEXT(out->archived_by, sizeof(out->archived_by)),
		XF_OUT_TEXT(out->unit_code, sizeof(out->unit_code)),
		XF_OUT_TEXT(out->unit_name, sizeof(out->unit_name)));
	out->year = (int)year;
	return f < 0 ? internal(errs) : f;
}

static bool window_open_at(const char *status, const char *window_end, xf_date today)
{
	char t[11];
	return strcmp(status, "published") == 0 && strcmp(xf_date_text(today, t), window_end) <= 0;
}

/* ---- publishing ---- */

static const char *const QUARTER_NAMES[] = {"一", "二", "三", "四"};

/* The window of a publication made today: its first and last day. */
static int window_of(xf_store *s, xf_date today, xf_date *start, xf_date *end, xf_errs *errs)
{
	xf_calendar *cal = NULL;
	if (xf_calendars_load(s, &cal, errs) != 0)
		return -1;
	int rc = -1;
	if (xf_calendar_window_end(cal, today, XF_PUBLISH_DAYS, end, errs) != 0)
		goto out; /* names the year without a calendar */
	for (xf_date d = today; d <= *end; d = xf_date_next(d))
		if (xf_calendar_is_workday(cal, d, NULL)) {
			*start = d;
			rc = 0;
			break;
		}
out:
	xf_calendar_free(cal);
	return rc;
}

/* Validates the request; fills from/to and the title. */
static int publish_check(const xf_publish_req *req, xf_date *from, xf_date *to, char *title,
			 size_t title_size, xf_errs *errs)
{
	char a[11], b[11];
	if (req->year < 2000 || req->year > 2100) {
		xf_errs_add(errs, "year：应为 2000 到 2100 之间的年份");
		return -1;
	}
	if (req->quarter != 0) {
		if (req->quarter < 1 || req->quarter > 4 || req->from || req->to) {
			xf_errs_add(errs, req->from || req->to ? "quarter 与 from/to 只能给一种"
							       : "quarter：应为 1 到 4");
			return -1;
		}
		*from = req->year * 10000 + (req->quarter * 3 - 2) * 100 + 1;
		*to = xf_quarter_end(req->year, req->quarter);
	} else {
		int bad = 0;
		if (req->from == NULL || xf_date_parse(req->from, from) != 0) {
			xf_errs_add(errs, "from：应为 YYYY-MM-DD 格式的日期（或给出 quarter）");
			bad = 1;
		}
		if (req->to == NULL || xf_date_parse(req->to, to) != 0) {
			xf_errs_add(errs, "to：应为 YYYY-MM-DD 格式的日期（或给出 quarter）");
			bad = 1;
		}
		if (bad)
			return -1;
		if (XF_DATE_YEAR(*from) != req->year || XF_DATE_YEAR(*to) != req->year) {
			xf_errs_add(errs, "from、to：应在 %d 年内", req->year);
			return -1;
		}
		if (*to < *from) {
			xf_errs_add(errs, "to：不能早于 from");
			return -1;
		}
	}
	if (req->title != NULL) {
		long n = xf_utf8_text_chars(req->title, false);
		if (n < 1 || n > TITLE_MAX_CHARS || xf_text_blank(req->title)) {
			xf_errs_add(errs, "title：应为 1 到 %d 个字符（不含控制字符）", TITLE_MAX_CHARS);
			return -1;
		}
		snprintf(title, title_size, "%s", req->title);
	} else if (req->quarter != 0) {
		snprintf(title, title_size, "%d年第%s季度学分公示", req->year,
			 QUARTER_NAMES[req->quarter - 1]);
	} else {
		snprintf(title, title_size, "%d年学分公示（%s至%s）", req->year, xf_date_text(*from, a),
			 xf_date_text(*to, b));
	}
	return 0;
}

/* Lists the people of one policy of the subtree: a line and a notice each. */
static int publish_policy(xf_store *s, long long pub_id, const xf_publish_req *req,
			  const char *ref, xf_date from, xf_date to, const char *title,
			  const char *window_end, long long *nlines, xf_errs *errs)
{
	xf_load l;
	xf_policy *owned = NULL;
	runner rn = {0};
	int rc = -1, more;
	memset(&l, 0, sizeof(l));
	const xf_policy *p = xf_load_policy(ref, &owned, errs);
	if (p == NULL)
		goto out;
	if (runner_init(&rn, p) != 0) {
		oom(errs);
		goto out;
	}
	if (xf_load_open(&l, s, XF_LOAD_SUBTREE, req->year, ref, NULL, req->unit_id, errs) != 0 ||
	    xf_load_begin(&l, p, ref) != 0)
		goto out;
	char object[48];
	snprintf(object, sizeof(object), "publication:%lld", pub_id);
	while ((more = xf_load_next(&l)) == 1) {
		figures fg;
		if (line_figures(&rn, p, req->year, &l.in, from, to, &fg) != 0) {
			oom(errs);
			goto out;
		}
		const char *unit_name = xf_stmt_text(xf_load_people(&l), 7);
		int w = xf_query_exec(s,
				      "INSERT INTO publication_lines (publication_id, person_id,"
				      " person_name, unit_name, categories, period_total, year_total)"
				      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
				      errs, BIND_FAILED, XF_IN(pub_id), XF_IN(l.person_id),
				      XF_IN(l.person.name ? l.person.name : ""),
				      XF_IN(unit_name ? unit_name : ""), XF_IN(fg.categories),
				      XF_IN(fg.period_total), XF_IN(fg.year_total));
		free(fg.categories);
		if (w != 0)
			goto out;
		char body[512], n1[32], n2[32];
		xf_format_num(fg.period_total, n1);
		xf_format_num(fg.year_total, n2);
		snprintf(body, sizeof(body),
			 "您本期学分 %s，年度累计 %s。公示期至 %s，如有异议，请在公示期内提出。", n1, n2,
			 window_end);
		char ntitle[600];
		snprintf(ntitle, sizeof(ntitle), "%s已发布", title);
		if (xf_notice_add(s, l.person_id, XF_NOTICE_PUBLICATION_OPENED, ntitle, body, object,
				  errs) != 0)
			goto out;
		(*nlines)++;
	}
	if (more < 0)
		goto out;
	rc = 0;
out:
	xf_load_cleanup(&l);
	runner_cleanup(&rn);
	xf_policy_free(owned);
	return rc;
}

int xf_publish(xf_store *s, const xf_publish_req *req, const char *actor, long long *id,
	       xf_errs *errs)
{
	xf_date from, to, today = xf_today(), wstart = 0, wend = 0;
	char title[512], a[11], b[11], ws[11], we[11], unit_name[256] = "";
	char **policies = NULL;
	size_t npolicies = 0;
	bool in_tx = false;
	int rc = -1;
	cJSON *after = NULL;

	if (publish_check(req, &from, &to, title, sizeof(title), errs) != 0)
		return -1;
	int f = xf_query_row(s, "SELECT name FROM units WHERE id = $1", errs, BIND_FAILED,
			     XF_IN(req->unit_id), XF_OUT_TEXT(unit_name, sizeof(unit_name)));
	if (f != 0)
		return f < 0 ? internal(errs) : XF_PUB_NOT_FOUND;
	xf_date_text(from, a);
	xf_date_text(to, b);
	long long other = 0;
	f = xf_query_row(s, "SELECT id FROM publications WHERE unit_id = $1 AND date_from = $2"
			    " AND date_to = $3 ORDER BY id LIMIT 1",
			 errs, BIND_FAILED, XF_IN(req->unit_id), XF_IN(a), XF_IN(b), XF_OUT(&other));
	if (f < 0)
		return internal(errs);
	if (f == 0) {
		xf_errs_add(errs, "“%s” %s 至 %s 的学分已经公示过（公示编号 %lld）", unit_name, a, b,
			    other);
		return XF_PUB_CONFLICT;
	}
	if (window_of(s, today, &wstart, &wend, errs) != 0)
		return -1;
	xf_date_text(wstart, ws);
	xf_date_text(wend, we);
	if (xf_load_subtree_policies(s, req->unit_id, req->year, &policies, &npolicies, errs) != 0)
		return internal(errs);
	if (npolicies == 0) {
		xf_errs_add(errs, "单位“%s”及其上下级单位 %d 年度均未指定学分办法，无人可公示",
			    unit_name, req->year);
		goto out;
	}
	if (begin(s, errs) != 0)
		goto out;
	in_tx = true;
	long long now = (long long)xf_clock_now();
	if (xf_query_row(s,
			 "INSERT INTO publications (unit_id, year, title, date_from, date_to, status,"
			 " published_at, published_by, window_start, window_end)"
			 " VALUES ($1, $2, $3, $4, $5, 'published', $6, $7, $8, $9) RETURNING id",
			 errs, BIND_FAILED, XF_IN(req->unit_id), XF_IN(req->year), XF_IN(title),
			 XF_IN(a), XF_IN(b), XF_IN(now), XF_IN(actor), XF_IN(ws), XF_IN(we),
			 XF_OUT(id)) != 0) {
		internal(errs);
		goto out;
	}
	long long nlines = 0;
	for (size_t i = 0; i < npolicies; i++)
		if (publish_policy(s, *id, req, policies[i], from, to, title, we, &nlines, errs) != 0) {
			if (!errs->internal && errs->n == 0)
				internal(errs);
			goto out;
		}
	if (nlines == 0) {
		xf_errs_add(errs, "单位“%s”及其下级单位没有在职人员可公示", unit_name);
		goto out;
	}
	after = cJSON_CreateObject();
	bool built = after != NULL &&
		     cJSON_AddNumberToObject(after, "unit_id", (double)req->unit_id) &&
		     cJSON_AddNumberToObject(after, "year", req->year) &&
		     cJSON_AddStringToObject(after, "title", title) &&
		     cJSON_AddStringToObject(after, "from", a) &&
		     cJSON_AddStringToObject(after, "to", b) &&
		     cJSON_AddNumberToObject(after, "lines", (double)nlines) &&
		     cJSON_AddStringToObject(after, "window_start", ws) &&
		     cJSON_AddStringToObject(after, "window_end", we);
	char object[48];
	snprintf(object, sizeof(object), "publication:%lld", *id);
	if (audit_change(s, actor, "publication.publish", object, NULL, built ? after : NULL,
			 errs) != 0 ||
	    commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_load_free_list(policies, npolicies);
	cJSON_Delete(after);
	return rc;
}

/* ---- reading ---- */

static void write_unit(xf_jw *w, long long id, const char *code, const char *name)
{
	xf_jw_key(w, "unit");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", id);
	xf_jw_kstr(w, "code", code);
	xf_jw_kstr(w, "name", name);
	xf_jw_obj_end(w);
}

/* A page of a list: {"total", "page", "per_page", "items": [ — the
 * items and the closing brackets are the caller's. */
static void page_begin(xf_jw *w, long long total, long long page, long long per_page)
{
	xf_jw_obj(w);
	xf_jw_kint(w, "total", total);
	xf_jw_kint(w, "page", page);
	xf_jw_kint(w, "per_page", per_page);
	xf_jw_key(w, "items");
	xf_jw_arr(w);
}

/* The working days left in an open window, today included when it is
 * one; -1 when the window is not open (or no calendar could be read). */
static int workdays_left(const xf_calendar *cal, const pub *p, xf_date today)
{
	xf_date end;
	if (cal == NULL || !window_open_at(p->status, p->window_end, today) ||
	    xf_date_parse(p->window_end, &end) != 0)
		return -1;
	int n = 0;
	for (xf_date d = today; d <= end; d = xf_date_next(d))
		n += xf_calendar_is_workday(cal, d, NULL);
	return n;
}

/* The fields the list and the detail share; cal (may be NULL) counts the
 * working days left. */
static void write_pub_head(xf_jw *w, const pub *p, long long lines, long long open,
			   xf_date today, const xf_calendar *cal)
{
	char at[32];
	xf_jw_kint(w, "id", p->id);
	xf_jw_kstr(w, "title", p->title);
	write_unit(w, p->unit_id, p->unit_code, p->unit_name);
	xf_jw_kint(w, "year", p->year);
	xf_jw_kstr(w, "from", p->from);
	xf_jw_kstr(w, "to", p->to);
	xf_jw_kstr(w, "status", p->status);
	xf_jw_kstr(w, "published_at", xf_iso_utc(p->published_at, at));
	xf_jw_kstr(w, "published_by", p->published_by);
	xf_jw_kstr(w, "window_start", p->window_start);
	xf_jw_kstr(w, "window_end", p->window_end);
	xf_jw_kbool(w, "window_open", window_open_at(p->status, p->window_end, today));
	int left = workdays_left(cal, p, today);
	if (left >= 0)
		xf_jw_kint(w, "workdays_left", left);
	else
		xf_jw_knull(w, "workdays_left");
	xf_jw_kint(w, "people", lines);
	xf_jw_kint(w, "objections_open", open);
}

/* The calendar for counting working days left, or NULL when it cannot be
 * read (the answers then say null: the window's dates still stand). */
static xf_calendar *calendar_or_null(xf_store *s)
{
	xf_calendar *cal = NULL;
	xf_errs e;
	xf_errs_init(&e);
	if (xf_calendars_load(s, &cal, &e) != 0)
		cal = NULL;
	xf_errs_cleanup(&e);
	return cal;
}

int xf_publications_list_json(xf_store *s, const xf_principal *who, const xf_pub_query *q,
			      FILE *f, xf_errs *errs)
{
	viewer v;
	int rc = -1;
	xf_stmt *st = NULL;
	if (viewer_init(s, who, &v, errs) != 0)
		return -1;
	xf_calendar *cal = calendar_or_null(s);
	long long page = q->page < 1 ? 1 : q->page;
	long long per_page = q->per_page < 1 || q->per_page > PER_PAGE_MAX ? 20 : q->per_page;
	long long total = 0;
	const char *units = v.units ? v.units : ",";
#define LIST_WHERE                                                                         \
	" FROM publications p JOIN units u ON u.id = p.unit_id WHERE " VISIBLE_SQL              \
	" AND ($4 = 0 OR p.year = $4) AND ($5 = 0 OR p.unit_id = $5)"
	if (xf_query_row(s, "SELECT COUNT(*)" LIST_WHERE, errs, BIND_FAILED, XF_IN(v.all ? 1 : 0),
			 XF_IN(v.person_id), XF_IN(units), XF_IN(q->year), XF_IN(q->unit_id),
			 XF_OUT(&total)) != 0) {
		internal(errs);
		goto out;
	}
	st = xf_stmt_prepare(s,
			     "SELECT " PUB_COLS ", (SELECT COUNT(*) FROM publication_lines l"
			     " WHERE l.publication_id = p.id), (SELECT COUNT(*) FROM objections o"
			     " WHERE o.publication_id = p.id AND o.status = 'open')" LIST_WHERE
			     " ORDER BY p.id DESC LIMIT $6 OFFSET $7",
			     errs);
#undef LIST_WHERE
	if (st == NULL) {
		internal(errs);
		goto out;
	}
	if (xf_stmt_bind_int(st, 1, v.all ? 1 : 0) | xf_stmt_bind_int(st, 2, v.person_id) |
	    xf_stmt_bind_text(st, 3, units) | xf_stmt_bind_int(st, 4, q->year) |
	    xf_stmt_bind_int(st, 5, q->unit_id) | xf_stmt_bind_int(st, 6, per_page) |
	    xf_stmt_bind_int(st, 7, (page - 1) * per_page)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		internal(errs);
		goto out;
	}
	xf_date today = xf_today();
	xf_jw w;
	xf_jw_init(&w, f);
	page_begin(&w, total, page, per_page);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		pub p;
		memset(&p, 0, sizeof(p));
		p.id = xf_stmt_int(st, 0);
		p.unit_id = xf_stmt_int(st, 1);
		p.year = (int)xf_stmt_int(st, 2);
		char *const texts[] = {p.title, p.from, p.to, p.status};
		const size_t sizes[] = {sizeof(p.title), sizeof(p.from), sizeof(p.to),
					sizeof(p.status)};
		for (int k = 0; k < 4; k++)
			snprintf(texts[k], sizes[k], "%s", xf_stmt_text(st, 3 + k) ? xf_stmt_text(st, 3 + k) : "");
		p.published_at = xf_stmt_int(st, 7);
		snprintf(p.published_by, sizeof(p.published_by), "%s", xf_stmt_text(st, 8));
		snprintf(p.window_start, sizeof(p.window_start), "%s", xf_stmt_text(st, 9));
		snprintf(p.window_end, sizeof(p.window_end), "%s", xf_stmt_text(st, 10));
		snprintf(p.unit_code, sizeof(p.unit_code), "%s", xf_stmt_text(st, 13));
		snprintf(p.unit_name, sizeof(p.unit_name), "%s", xf_stmt_text(st, 14));
		xf_jw_obj(&w);
		write_pub_head(&w, &p, xf_stmt_int(st, 15), xf_stmt_int(st, 16), today, cal);
		xf_jw_obj_end(&w);
	}
	if (r == XF_STEP_ERROR) {
		internal(errs);
		goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	viewer_cleanup(&v);
	xf_calendar_free(cal);
	return rc;
}

/* A category key and name, collected over the policies of a tree. */
typedef struct cat_name {
	char key[64];
	char name[128];
} cat_name;

typedef struct cat_list {
	cat_name *v;
	size_t n, cap;
} cat_list;

static int cat_list_add(cat_list *cl, const char *key, const char *name)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->v[i].key, key) == 0)
			return 0;
	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 16;
		cat_name *n = realloc(cl->v, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		cl->v = n;
		cl->cap = cap;
	}
	snprintf(cl->v[cl->n].key, sizeof(cl->v[0].key), "%s", key);
	snprintf(cl->v[cl->n].name, sizeof(cl->v[0].name), "%s", name ? name : key);
	cl->n++;
	return 0;
}

/* The categories of the policies of a unit's tree for a year. */
static int tree_categories(xf_store *s, long long unit_id, int year, cat_list *cl,
			   xf_errs *errs)
{
	char **policies = NULL;
	size_t n = 0;
	if (xf_load_subtree_policies(s, unit_id, year, &policies, &n, errs) != 0)
		return internal(errs);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		xf_policy *owned = NULL;
		xf_errs quiet;
		xf_errs_init(&quiet);
		const xf_policy *p = xf_load_policy(policies[i], &owned, &quiet);
		xf_errs_cleanup(&quiet);
		for (int c = 0; p && c < p->ncategories && rc == 0; c++)
			if (cat_list_add(cl, p->categories[c].key, p->categories[c].name) != 0) {
				oom(errs);
				rc = -1;
			}
		xf_policy_free(owned);
	}
	xf_load_free_list(policies, n);
	return rc;
}

int xf_publication_get_json(xf_store *s, const xf_principal *who, long long id,
			    const xf_pub_query *q, FILE *f, xf_errs *errs)
{
	viewer v;
	pub p;
	cat_list cl = {0};
	char *pattern = NULL;
	xf_stmt *st = NULL;
	xf_calendar *cal = NULL;
	int rc = -1;
	if (viewer_init(s, who, &v, errs) != 0)
		return -1;
	int vis = visible(s, &v, id, errs);
	if (vis != 0) {
		rc = vis;
		goto out;
	}
	int fr = pub_read(s, id, &p, errs);
	if (fr != 0) {
		rc = fr;
		goto out;
	}
	const char *search = q && q->q && *q->q ? q->q : NULL;
	if (search && (xf_utf8_text_chars(search, false) < 0 || xf_utf8_chars(search) > Q_MAX_CHARS)) {
		xf_errs_add(errs, "q：搜索词应为不超过 %d 个字符的文本", Q_MAX_CHARS);
		goto out;
	}
	pattern = xf_like_contains(search ? search : "");
	if (pattern == NULL) {
		oom(errs);
		goto out;
	}
	long long page = q && q->page > 0 ? q->page : 1;
	long long per_page = q && q->per_page >= 1 && q->per_page <= PER_PAGE_MAX ? q->per_page : 50;
	long long nlines = 0, matched = 0, open = 0, nobj = 0;
	if (xf_query_row(s, "SELECT COUNT(*) FROM publication_lines WHERE publication_id = $1",
			 errs, BIND_FAILED, XF_IN(id), XF_OUT(&nlines)) != 0 ||
	    xf_query_row(s,
			 "SELECT COUNT(*) FROM publication_lines WHERE publication_id = $1"
			 " AND lower(person_name) LIKE lower($2) ESCAPE '\\'",
			 errs, BIND_FAILED, XF_IN(id), XF_IN(pattern), XF_OUT(&matched)) != 0 ||
	    xf_query_row(s,
			 "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0)"
			 " FROM objections WHERE publication_id = $1",
			 errs, BIND_FAILED, XF_IN(id), XF_OUT(&nobj), XF_OUT(&open)) != 0) {
		internal(errs);
		goto out;
	}
	if (tree_categories(s, p.unit_id, p.year, &cl, errs) != 0)
		goto out;
	st = xf_stmt_prepare(s,
			     LINES_SQL(" AND lower(l.person_name) LIKE lower($2) ESCAPE '\\'",
				       " LIMIT $3 OFFSET $4"),
			     errs);
	if (st == NULL) {
		internal(errs);
		goto out;
	}
	if (xf_stmt_bind_int(st, 1, id) | xf_stmt_bind_text(st, 2, pattern) |
	    xf_stmt_bind_int(st, 3, per_page) | xf_stmt_bind_int(st, 4, (page - 1) * per_page)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		internal(errs);
		goto out;
	}
	char at[32];
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	cal = calendar_or_null(s);
	write_pub_head(&w, &p, nlines, open, xf_today(), cal);
	if (p.archived_at)
		xf_jw_kstr(&w, "archived_at", xf_iso_utc(p.archived_at, at));
	else
		xf_jw_knull(&w, "archived_at");
	xf_jw_kstr(&w, "archived_by", p.archived_by[0] ? p.archived_by : NULL);
	xf_jw_key(&w, "objections");
	xf_jw_obj(&w);
	xf_jw_kint(&w, "open", open);
	xf_jw_kint(&w, "total", nobj);
	xf_jw_obj_end(&w);
	xf_jw_key(&w, "categories");
	xf_jw_arr(&w);
	for (size_t i = 0; i < cl.n; i++) {
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "key", cl.v[i].key);
		xf_jw_kstr(&w, "name", cl.v[i].name);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_key(&w, "lines");
	page_begin(&w, matched, page, per_page);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		const char *cats = xf_stmt_text(st, 3);
		cJSON *check = cats ? cJSON_Parse(cats) : NULL;
		xf_jw_obj(&w);
		xf_jw_kint(&w, "person_id", xf_stmt_int(st, 0));
		xf_jw_kstr(&w, "name", xf_stmt_text(st, 1));
		xf_jw_kstr(&w, "unit", xf_stmt_text(st, 2));
		xf_jw_key(&w, "categories");
		if (cJSON_IsObject(check)) {
			const cJSON *c;
			xf_jw_obj(&w);
			cJSON_ArrayForEach(c, check)
			{
				if (cJSON_IsNumber(c))
					xf_jw_kcredits(&w, c->string, c->valuedouble);
			}
			xf_jw_obj_end(&w);
		} else {
			xf_jw_null(&w);
		}
		cJSON_Delete(check);
		xf_jw_kcredits(&w, "period_total", xf_stmt_double(st, 4));
		xf_jw_kcredits(&w, "year_total", xf_stmt_double(st, 5));
		xf_jw_obj_end(&w);
	}
	if (r == XF_STEP_ERROR) {
		internal(errs);
		goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	free(pattern);
	free(cl.v);
	viewer_cleanup(&v);
	xf_calendar_free(cal);
	return rc;
}

/* ---- objections ---- */

#define OBJ_COLS                                                                           \
	"o.id, o.publication_id, o.person_id, pe.name, o.lodged_by, us.username,"          \
	" us.display_name, o.text, o.status, o.resolution, o.correction, ru.username,"     \
	" o.resolved_at, o.created_at"
#define OBJ_FROM                                                                           \
	" FROM objections o JOIN people pe ON pe.id = o.person_id"                         \
	" JOIN users us ON us.id = o.lodged_by LEFT JOIN users ru ON ru.id = o.resolved_by"

/* A stored JSON value (a correction: a record before and after) written
 * with jsonw, so that it is laid out like the rest of the answer. NULL
 * writes null; nesting past 8 levels is cut to null (ours has 3). */
static void write_cjson(xf_jw *w, const cJSON *v, int depth)
{
	const cJSON *c;
	if (v == NULL || cJSON_IsNull(v) || depth > 8) {
		xf_jw_null(w);
	} else if (cJSON_IsObject(v)) {
		xf_jw_obj(w);
		cJSON_ArrayForEach(c, v)
		{
			xf_jw_key(w, c->string);
			write_cjson(w, c, depth + 1);
		}
		xf_jw_obj_end(w);
	} else if (cJSON_IsArray(v)) {
		xf_jw_arr(w);
		cJSON_ArrayForEach(c, v)
			write_cjson(w, c, depth + 1);
		xf_jw_arr_end(w);
	} else if (cJSON_IsString(v)) {
		xf_jw_str(w, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		xf_jw_num(w, v->valuedouble);
	} else {
		xf_jw_bool(w, cJSON_IsTrue(v));
	}
}

static void write_objection(xf_jw *w, xf_stmt *st)
{
	char at[32];
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, 0));
	xf_jw_kint(w, "publication_id", xf_stmt_int(st, 1));
	xf_jw_key(w, "person");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, 2));
	xf_jw_kstr(w, "name", xf_stmt_text(st, 3));
	xf_jw_obj_end(w);
	xf_jw_key(w, "lodged_by");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, 4));
	xf_jw_kstr(w, "username", xf_stmt_text(st, 5));
	xf_jw_kstr(w, "display_name", xf_stmt_text(st, 6));
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "text", xf_stmt_text(st, 7));
	xf_jw_kstr(w, "status", xf_stmt_text(st, 8));
	xf_jw_kstr(w, "resolution", xf_stmt_text(st, 9));
	const char *corr = xf_stmt_text(st, 10);
	cJSON *c = corr ? cJSON_Parse(corr) : NULL;
	xf_jw_key(w, "correction");
	write_cjson(w, cJSON_IsObject(c) ? c : NULL, 0);
	cJSON_Delete(c);
	xf_jw_kstr(w, "resolved_by", xf_stmt_text(st, 11));
	if (xf_stmt_is_null(st, 12))
		xf_jw_knull(w, "resolved_at");
	else
		xf_jw_kstr(w, "resolved_at", xf_iso_utc(xf_stmt_int(st, 12), at));
	xf_jw_kstr(w, "created_at", xf_iso_utc(xf_stmt_int(st, 13), at));
	xf_jw_obj_end(w);
}

static bool is_admin(const xf_principal *who)
{
	return who == NULL || (who->roles & XF_ROLE_ADMIN);
}

int xf_objections_list_json(xf_store *s, const xf_principal *who, long long publication_id,
			    FILE *f, xf_errs *errs)
{
	viewer v;
	int rc = -1;
	xf_stmt *st = NULL;
	if (viewer_init(s, who, &v, errs) != 0)
		return -1;
	long long exists = 0;
	int fr = xf_query_row(s, "SELECT id FROM publications WHERE id = $1", errs, BIND_FAILED,
			      XF_IN(publication_id), XF_OUT(&exists));
	if (fr != 0) {
		rc = fr < 0 ? internal(errs) : 1;
		goto out;
	}
	int vis = visible(s, &v, publication_id, errs);
	if (vis != 0) {
		rc = vis;
		goto out;
	}
	st = xf_stmt_prepare(s,
			     "SELECT " OBJ_COLS OBJ_FROM " WHERE o.publication_id = $1"
			     " AND ($2 = 1 OR o.lodged_by = $3) ORDER BY o.id",
			     errs);
	if (st == NULL) {
		internal(errs);
		goto out;
	}
	if (xf_stmt_bind_int(st, 1, publication_id) | xf_stmt_bind_int(st, 2, is_admin(who)) |
	    xf_stmt_bind_int(st, 3, who ? who->user_id : 0)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		internal(errs);
		goto out;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW)
		write_objection(&w, st);
	if (r == XF_STEP_ERROR) {
		internal(errs);
		goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	viewer_cleanup(&v);
	return rc;
}

int xf_objection_get_json(xf_store *s, const xf_principal *who, long long objection_id,
			  FILE *f, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT " OBJ_COLS OBJ_FROM
				      " WHERE o.id = $1 AND ($2 = 1 OR o.lodged_by = $3)",
				      errs);
	if (st == NULL)
		return internal(errs);
	if (xf_stmt_bind_int(st, 1, objection_id) | xf_stmt_bind_int(st, 2, is_admin(who)) |
	    xf_stmt_bind_int(st, 3, who ? who->user_id : 0)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		xf_stmt_finalize(st);
		return internal(errs);
	}
	xf_step r = xf_stmt_step(st, errs);
	if (r == XF_STEP_ROW) {
		xf_jw w;
		xf_jw_init(&w, f);
		write_objection(&w, st);
	}
	xf_stmt_finalize(st);
	return r == XF_STEP_ROW ? 0 : r == XF_STEP_DONE ? 1 : internal(errs);
}

int xf_objection_lodge(xf_store *s, const xf_principal *who, long long publication_id,
		       long long person_id, const char *text, long long *objection_id,
		       xf_errs *errs)
{
	viewer v;
	pub p;
	int rc = -1;
	bool in_tx = false;
	cJSON *after = NULL;
	if (who == NULL) {
		xf_errs_add(errs, "提出异议需要登录账号");
		return -1;
	}
	if (viewer_init(s, who, &v, errs) != 0)
		return -1;
	int fr = pub_read(s, publication_id, &p, errs);
	if (fr == 0)
		fr = visible(s, &v, publication_id, errs);
	if (fr != 0) {
		rc = fr;
		goto out;
	}
	long long line_unit = 0;
	fr = xf_query_row(s,
			  "SELECT COALESCE(pe.unit_id, 0) FROM publication_lines l"
			  " JOIN people pe ON pe.id = l.person_id"
			  " WHERE l.publication_id = $1 AND l.person_id = $2",
			  errs, BIND_FAILED, XF_IN(publication_id), XF_IN(person_id),
			  XF_OUT(&line_unit));
	if (fr < 0) {
		internal(errs);
		goto out;
	}
	if (fr == 1) {
		xf_errs_add(errs, "person_id：该人员不在本次公示名单中");
		goto out;
	}
	bool allowed = is_admin(who);
	if (!allowed && who->person_id > 0) {
		fr = xf_query_row(s,
				  "SELECT 1 FROM publication_lines WHERE publication_id = $1"
				  " AND person_id = $2",
				  errs, BIND_FAILED, XF_IN(publication_id), XF_IN(who->person_id));
		if (fr < 0) {
			internal(errs);
			goto out;
		}
		allowed = fr == 0;
	}
	if (!allowed && (who->roles & (XF_ROLE_REVIEWER | XF_ROLE_APPROVER)))
		allowed = xf_principal_has_unit(who, XF_ROLE_REVIEWER, line_unit) ||
			  xf_principal_has_unit(who, XF_ROLE_APPROVER, line_unit) ||
			  xf_principal_has_unit(who, XF_ROLE_REVIEWER, p.unit_id) ||
			  xf_principal_has_unit(who, XF_ROLE_APPROVER, p.unit_id);
	if (!allowed) {
		xf_errs_add(errs, "只有公示名单中的人员或该单位的负责人可以对本公示提出异议");
		rc = XF_PUB_FORBIDDEN;
		goto out;
	}
	long n = text ? xf_utf8_text_chars(text, true) : -1;
	if (n < 1 || n > TEXT_MAX_CHARS || xf_text_blank(text)) {
		xf_errs_add(errs, "text：异议内容应为 1 到 %d 个字符", TEXT_MAX_CHARS);
		goto out;
	}
	xf_date today = xf_today();
	char t[11];
	xf_date_text(today, t);
	if (!window_open_at(p.status, p.window_end, today)) {
		if (strcmp(p.status, "archived") == 0)
			xf_errs_add(errs, "该公示已归档，不能再提出异议");
		else
			xf_errs_add(errs, "公示期已于 %s 结束，不能再提出异议", p.window_end);
		rc = XF_PUB_WINDOW_CLOSED;
		goto out;
	}
	if (begin(s, errs) != 0)
		goto out;
	in_tx = true;
	long long now = (long long)xf_clock_now();
	fr = xf_query_row(s,
			  "INSERT INTO objections (publication_id, person_id, lodged_by, text, status,"
			  " created_at) SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT),"
			  " CAST($3 AS BIGINT), CAST($4 AS TEXT), 'open', CAST($5 AS BIGINT)"
			  " WHERE EXISTS (SELECT 1 FROM publications WHERE id = $1"
			  " AND status = 'published' AND window_end >= $6) RETURNING id",
			  errs, BIND_FAILED, XF_IN(publication_id), XF_IN(person_id),
			  XF_IN(who->user_id), XF_IN(text), XF_IN(now), XF_IN(t),
			  XF_OUT(objection_id));
	if (fr < 0) {
		internal(errs);
		goto out;
	}
	if (fr == 1) {
		xf_errs_add(errs, "公示期已结束或已归档，不能再提出异议");
		rc = XF_PUB_WINDOW_CLOSED;
		goto out;
	}
	after = cJSON_CreateObject();
	bool built = after != NULL &&
		     cJSON_AddNumberToObject(after, "publication_id", (double)publication_id) &&
		     cJSON_AddNumberToObject(after, "person_id", (double)person_id) &&
		     cJSON_AddStringToObject(after, "text", text) &&
		     cJSON_AddStringToObject(after, "status", "open");
	char object[48];
	snprintf(object, sizeof(object), "objection:%lld", *objection_id);
	if (audit_change(s, who->username, "objection.lodge", object, NULL, built ? after : NULL,
			 errs) != 0 ||
	    commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	cJSON_Delete(after);
	viewer_cleanup(&v);
	return rc;
}

/* ---- a record, for corrections ---- */

typedef enum ftype { F_TEXT, F_DATE, F_NUM, F_INT, F_BOOL } ftype;

/* The record fields a correction may set: the columns of records (and
 * the case format's record fields). */
static const struct field {
	const char *key;
	ftype type;
} FIELDS[] = {
	{"item", F_TEXT},       {"date", F_DATE},      {"level", F_TEXT},
	{"kind", F_TEXT},       {"activity", F_TEXT},  {"count", F_NUM},
	{"days", F_NUM},        {"months", F_NUM},     {"hours", F_NUM},
	{"minutes", F_INT},     {"attended_minutes", F_INT}, {"score", F_NUM},
	{"credits", F_NUM},     {"passed", F_BOOL},    {"completed", F_BOOL},
	{"online", F_BOOL},     {"approved", F_BOOL},  {"awarded", F_BOOL},
	{"speaker", F_BOOL},
};
#define NFIELDS ((int)(sizeof(FIELDS) / sizeof(FIELDS[0])))
enum { FI_ITEM = 0, FI_DATE = 1, FI_LEVEL = 2 };

/* A record's values: text (NULL none), number (NAN none), tri (-1 none). */
typedef struct rec {
	char *str[NFIELDS];
	double num[NFIELDS];
	int tri[NFIELDS];
} rec;

static void rec_init(rec *r)
{
	for (int i = 0; i < NFIELDS; i++) {
		r->str[i] = NULL;
		r->num[i] = NAN;
		r->tri[i] = -1;
	}
}

static void rec_cleanup(rec *r)
{
	for (int i = 0; i < NFIELDS; i++)
		free(r->str[i]);
	rec_init(r);
}

#define REC_SELECT                                                                         \
	"SELECT item, date, level, kind, activity, count, days, months, hours, minutes,"   \
	" attended_minutes, score, credits, passed, completed, online, approved, awarded,"  \
	" speaker FROM records WHERE person_id = $1 AND id = $2"

/* Reads record (person, id): 0, 1 when none, -1. */
static int rec_read(xf_store *s, long long person_id, long long id, rec *out, xf_errs *errs)
{
	rec_init(out);
	xf_stmt *st = xf_stmt_prepare(s, REC_SELECT, errs);
	if (st == NULL)
		return internal(errs);
	if (xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, id)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		xf_stmt_finalize(st);
		return internal(errs);
	}
	xf_step r = xf_stmt_step(st, errs);
	int rc = r == XF_STEP_ROW ? 0 : r == XF_STEP_DONE ? 1 : -1;
	for (int i = 0; rc == 0 && i < NFIELDS; i++) {
		if (xf_stmt_is_null(st, i))
			continue;
		switch (FIELDS[i].type) {
		case F_TEXT:
		case F_DATE:
			out->str[i] = strdup(xf_stmt_text(st, i));
			if (out->str[i] == NULL) {
				oom(errs);
				rc = -1;
			}
			break;
		case F_NUM:
		case F_INT: out->num[i] = xf_stmt_double(st, i); break;
		case F_BOOL: out->tri[i] = xf_stmt_int(st, i) != 0; break;
		}
	}
	xf_stmt_finalize(st);
	if (rc < 0) {
		rec_cleanup(out);
		if (!errs->internal)
			internal(errs);
	}
	return rc;
}

/* The record as a JSON object (absent values left out). */
static cJSON *rec_json(const rec *r, long long id)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	bool ok = cJSON_AddNumberToObject(o, "id", (double)id) != NULL;
	for (int i = 0; ok && i < NFIELDS; i++) {
		switch (FIELDS[i].type) {
		case F_TEXT:
		case F_DATE:
			if (r->str[i])
				ok = cJSON_AddStringToObject(o, FIELDS[i].key, r->str[i]) != NULL;
			break;
		case F_NUM:
		case F_INT:
			if (!isnan(r->num[i]))
				ok = cJSON_AddNumberToObject(o, FIELDS[i].key, r->num[i]) != NULL;
			break;
		case F_BOOL:
			if (r->tri[i] >= 0)
				ok = cJSON_AddBoolToObject(o, FIELDS[i].key, r->tri[i]) != NULL;
			break;
		}
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Applies a "fields" object to r; every bad field named. For an update,
 * null clears an optional field. 0 or -1. */
static int rec_apply(rec *r, const cJSON *fields, const char *at, xf_errs *errs)
{
	int bad = 0;
	const cJSON *f;
	if (!cJSON_IsObject(fields)) {
		xf_errs_add(errs, "%s：应为对象", at);
		return -1;
	}
	cJSON_ArrayForEach(f, fields)
	{
		int i = 0;
		while (i < NFIELDS && strcmp(FIELDS[i].key, f->string) != 0)
			i++;
		if (i == NFIELDS) {
			char key[65];
			snprintf(key, sizeof(key), "%.64s", f->string);
			xf_errs_add(errs, "%s.%s：未知的字段", at, key);
			bad = 1;
			continue;
		}
		const char *k = FIELDS[i].key;
		if (cJSON_IsNull(f)) {
			if (i == FI_ITEM || i == FI_DATE) {
				xf_errs_add(errs, "%s.%s：不能为空", at, k);
				bad = 1;
			}
			free(r->str[i]);
			r->str[i] = NULL;
			r->num[i] = NAN;
			r->tri[i] = -1;
			continue;
		}
		switch (FIELDS[i].type) {
		case F_TEXT:
		case F_DATE: {
			xf_date d;
			long n = cJSON_IsString(f) ? xf_utf8_text_chars(f->valuestring, false) : -1;
			if (n < 1 || n > FIELD_TEXT_MAX || xf_text_blank(f->valuestring)) {
				xf_errs_add(errs, "%s.%s：应为 1 到 %d 个字符的文本", at, k, FIELD_TEXT_MAX);
				bad = 1;
				break;
			}
			if (FIELDS[i].type == F_DATE && xf_date_parse(f->valuestring, &d) != 0) {
				xf_errs_add(errs, "%s.%s：应为 YYYY-MM-DD 格式的日期", at, k);
				bad = 1;
				break;
			}
			char *copy = strdup(f->valuestring);
			if (copy == NULL) {
				oom(errs);
				return -1;
			}
			free(r->str[i]);
			r->str[i] = copy;
			break;
		}
		case F_NUM:
		case F_INT:
			if (!cJSON_IsNumber(f) || !isfinite(f->valuedouble) || f->valuedouble < 0 ||
			    f->valuedouble > 1e9 ||
			    (FIELDS[i].type == F_INT && f->valuedouble != floor(f->valuedouble))) {
				xf_errs_add(errs, "%s.%s：应为不小于 0 的%s", at, k,
					    FIELDS[i].type == F_INT ? "整数" : "数");
				bad = 1;
				break;
			}
			r->num[i] = f->valuedouble;
			break;
		case F_BOOL:
			if (!cJSON_IsBool(f)) {
				xf_errs_add(errs, "%s.%s：应为 true 或 false", at, k);
				bad = 1;
				break;
			}
			r->tri[i] = cJSON_IsTrue(f);
			break;
		}
	}
	return bad ? -1 : 0;
}

/* Checks the record against the person's policy and the year. */
static int rec_check(const rec *r, const xf_policy *p, int year, const char *at, xf_errs *errs)
{
	int bad = 0;
	if (r->str[FI_ITEM] == NULL) {
		xf_errs_add(errs, "%s.item：必须填写", at);
		return -1;
	}
	int it = xf_policy_item(p, r->str[FI_ITEM]);
	if (it < 0 || p->items[it].per == XF_PER_METRIC) {
		xf_errs_add(errs, "%s.item：“%s”不是学分办法 %s 中可登记的项目", at, r->str[FI_ITEM],
			    p->id);
		return -1;
	}
	xf_date d;
	if (r->str[FI_DATE] == NULL || xf_date_parse(r->str[FI_DATE], &d) != 0) {
		xf_errs_add(errs, "%s.date：必须填写 YYYY-MM-DD 格式的日期", at);
		bad = 1;
	} else if (XF_DATE_YEAR(d) != year) {
		xf_errs_add(errs, "%s.date：应在 %d 年内", at, year);
		bad = 1;
	}
	const char *level = r->str[FI_LEVEL];
	int lv = level ? xf_policy_level(p, level) : -1;
	if (level && lv < 0) {
		xf_errs_add(errs, "%s.level：“%s”不是学分办法 %s 的级别", at, level, p->id);
		bad = 1;
	} else if (p->items[it].level_points && (lv < 0 || isnan(p->items[it].level_points[lv]))) {
		xf_errs_add(errs, "%s.level：项目“%s”需要填写它有分值的级别", at,
			    p->items[it].name);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int bind_rec(xf_stmt *st, int base, const rec *r)
{
	int b = 0;
	for (int i = 0; i < NFIELDS; i++) {
		int n = base + i + 1;
		switch (FIELDS[i].type) {
		case F_TEXT:
		case F_DATE: b |= xf_stmt_bind_text(st, n, r->str[i]); break;
		case F_NUM:
			b |= isnan(r->num[i]) ? xf_stmt_bind_null(st, n) : xf_stmt_bind_double(st, n, r->num[i]);
			break;
		case F_INT:
			b |= isnan(r->num[i]) ? xf_stmt_bind_null(st, n)
					      : xf_stmt_bind_int(st, n, (long long)r->num[i]);
			break;
		case F_BOOL:
			b |= r->tri[i] < 0 ? xf_stmt_bind_null(st, n) : xf_stmt_bind_int(st, n, r->tri[i]);
			break;
		}
	}
	return b;
}

/* Runs sql with $1 person, $2 id, then the record's fields. 0 or -1. */
static int rec_write(xf_store *s, const char *sql, long long person_id, long long id,
		     const rec *r, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s, sql, errs);
	if (st == NULL)
		return internal(errs);
	int rc = 0;
	if (xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, id) | bind_rec(st, 2, r)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		rc = -1;
	} else if (xf_stmt_step(st, errs) == XF_STEP_ERROR) {
		rc = -1;
	}
	xf_stmt_finalize(st);
	return rc < 0 ? internal(errs) : 0;
}

#define REC_UPDATE                                                                         \
	"UPDATE records SET item = $3, date = $4, level = $5, kind = $6, activity = $7,"     \
	" count = $8, days = $9, months = $10, hours = $11, minutes = $12,"                  \
	" attended_minutes = $13, score = $14, credits = $15, passed = $16, completed = $17," \
	" online = $18, approved = $19, awarded = $20, speaker = $21"                        \
	" WHERE person_id = $1 AND id = $2"
#define REC_INSERT                                                                         \
	"INSERT INTO records (person_id, id, item, date, level, kind, activity, count, days," \
	" months, hours, minutes, attended_minutes, score, credits, passed, completed, online," \
	" approved, awarded, speaker) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"  \
	" $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"

/* ---- resolving ---- */

typedef struct resolve_req {
	bool upheld;
	const char *reason;
	const cJSON *correction;
	const char *action;     /* update | delete | add */
	long long record_id;
	const cJSON *fields;
} resolve_req;

/* Names every member of o not in allowed (NULL-ended): "AT KEY：未知的字段"
 * (at is "" or a prefix such as "correction."). 1 when there was one. */
static int unknown_members(const cJSON *o, const char *const *allowed, const char *at,
			   xf_errs *errs)
{
	int bad = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, o)
	{
		size_t i = 0;
		while (allowed[i] && strcmp(f->string, allowed[i]) != 0)
			i++;
		if (allowed[i] == NULL) {
			char key[65];
			snprintf(key, sizeof(key), "%.64s", f->string);
			xf_errs_add(errs, "%s%s：未知的字段", at, key);
			bad = 1;
		}
	}
	return bad;
}

static int resolve_parse(const cJSON *o, resolve_req *rq, xf_errs *errs)
{
	memset(rq, 0, sizeof(*rq));
	int bad = 0;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "decision");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "correction");
	static const char *const top[] = {"decision", "reason", "correction", NULL};
	bad |= unknown_members(o, top, "", errs);
	if (!cJSON_IsString(d) || (strcmp(d->valuestring, "upheld") != 0 &&
				   strcmp(d->valuestring, "dismissed") != 0)) {
		xf_errs_add(errs, "decision：应为 upheld（采纳）或 dismissed（不予采纳）");
		return -1;
	}
	rq->upheld = strcmp(d->valuestring, "upheld") == 0;
	long n = cJSON_IsString(reason) ? xf_utf8_text_chars(reason->valuestring, true) : -1;
	if (n < 1 || n > REASON_MAX_CHARS || xf_text_blank(reason->valuestring)) {
		xf_errs_add(errs, "reason：处理理由应为 1 到 %d 个字符", REASON_MAX_CHARS);
		bad = 1;
	} else {
		rq->reason = reason->valuestring;
	}
	if (!rq->upheld) {
		if (c != NULL && !cJSON_IsNull(c)) {
			xf_errs_add(errs, "correction：不予采纳时不能附带更正");
			bad = 1;
		}
		return bad ? -1 : 0;
	}
	if (!cJSON_IsObject(c)) {
		xf_errs_add(errs, "correction：采纳异议时须给出对记录的更正（update、delete 或 add）");
		return -1;
	}
	rq->correction = c;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "action");
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(c, "record_id");
	rq->fields = cJSON_GetObjectItemCaseSensitive(c, "fields");
	static const char *const corr[] = {"action", "record_id", "fields", NULL};
	bad |= unknown_members(c, corr, "correction.", errs);
	if (!cJSON_IsString(a) || (strcmp(a->valuestring, "update") != 0 &&
				   strcmp(a->valuestring, "delete") != 0 &&
				   strcmp(a->valuestring, "add") != 0)) {
		xf_errs_add(errs, "correction.action：应为 update、delete 或 add");
		return -1;
	}
	rq->action = a->valuestring;
	bool add = strcmp(rq->action, "add") == 0;
	if (!add) {
		if (!cJSON_IsNumber(rid) || rid->valuedouble < 1 || rid->valuedouble > 9e15 ||
		    rid->valuedouble != floor(rid->valuedouble)) {
			xf_errs_add(errs, "correction.record_id：应为该人员的记录编号（正整数）");
			bad = 1;
		} else {
			rq->record_id = (long long)rid->valuedouble;
		}
	} else if (rid != NULL) {
		xf_errs_add(errs, "correction.record_id：新增记录时不能指定");
		bad = 1;
	}
	if (strcmp(rq->action, "delete") == 0) {
		if (rq->fields != NULL) {
			xf_errs_add(errs, "correction.fields：删除记录时不能给出");
			bad = 1;
		}
	} else if (!cJSON_IsObject(rq->fields) || cJSON_GetArraySize(rq->fields) == 0) {
		xf_errs_add(errs, "correction.fields：应为要%s的记录字段", add ? "新增" : "修改");
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* A line in the history of the claim whose record a correction changed
 * or removed (the claim keeps its status and fields; its record is what
 * counts): "经公示异议更正：记录 #7 已修改（第三季度学分公示）". 0 or -1. */
static int claim_corrected(xf_store *s, long long claim_id, long long record_id, bool del,
			   const pub *pb, const char *actor, xf_errs *errs)
{
	char note[640];
	snprintf(note, sizeof(note), "经公示异议更正：记录 #%lld 已%s（%s）", record_id,
		 del ? "删除" : "修改", pb->title[0] ? pb->title : "学分公示");
	if (xf_query_exec(s,
			  "INSERT INTO claim_events (claim_id, at, user_id, from_status, to_status, note)"
			  " SELECT id, $2, (SELECT id FROM users WHERE username = $3), status, status, $4"
			  " FROM claims WHERE id = $1",
			  errs, BIND_FAILED, XF_IN(claim_id), XF_IN((long long)xf_clock_now()),
			  XF_IN(actor), XF_IN(note)) != 0)
		return internal(errs);
	return 0;
}

/* The correction on the line's person: checks, writes, audits. Fills
 * *stored with {"action", "record_id", "before", "after"}. Returns 0,
 * XF_PUB_ARCHIVED, 1 when the record does not exist, or -1. l is open on
 * the person (people row current) with policy p. */
static int apply_correction(xf_store *s, const resolve_req *rq, long long person_id,
			    const pub *pb, const xf_policy *p, const char *actor, cJSON **stored,
			    xf_errs *errs)
{
	rec before, after;
	long long id = rq->record_id;
	bool add = strcmp(rq->action, "add") == 0, del = strcmp(rq->action, "delete") == 0;
	cJSON *bj = NULL, *aj = NULL;
	char *btext = NULL, *atext = NULL;
	int rc = -1;
	rec_init(&before);
	rec_init(&after);
	if (!add) {
		int f = rec_read(s, person_id, id, &before, errs);
		if (f != 0) {
			if (f == 1) /* bad input: the correction names no record of theirs */
				xf_errs_add(errs, "correction.record_id：该人员没有编号为 %lld 的记录", id);
			goto out;
		}
		int a = xf_archived_check(s, person_id, before.str[FI_DATE], errs);
		if (a != 0) {
			rc = a == 1 ? XF_PUB_ARCHIVED : -1;
			goto out;
		}
	}
	if (!del) {
		/* the new record: the old one with the fields changed */
		for (int i = 0; i < NFIELDS; i++) {
			after.num[i] = before.num[i];
			after.tri[i] = before.tri[i];
			after.str[i] = before.str[i] ? strdup(before.str[i]) : NULL;
			if (before.str[i] && after.str[i] == NULL) {
				oom(errs);
				goto out;
			}
		}
		/* every problem reported: the fields' own, then against the policy */
		int bad = rec_apply(&after, rq->fields, "correction.fields", errs) != 0;
		if (errs->internal)
			goto out;
		bad |= rec_check(&after, p, pb->year, "correction.fields", errs) != 0;
		if (bad)
			goto out;
		int a = xf_archived_check(s, person_id, after.str[FI_DATE], errs);
		if (a != 0) {
			rc = a == 1 ? XF_PUB_ARCHIVED : -1;
			goto out;
		}
	}
	/* The claim the record came from, if any: its history says so. */
	long long claim_id = 0;
	if (!add && xf_query_row(s, "SELECT claim_id FROM records WHERE person_id = $1 AND id = $2"
				 " AND claim_id IS NOT NULL", errs, BIND_FAILED, XF_IN(person_id),
				 XF_IN(id), XF_OUT(&claim_id)) < 0) {
		internal(errs);
		goto out;
	}
	if (add) {
		if (xf_query_row(s, "SELECT COALESCE(MAX(id), 0) + 1 FROM records WHERE person_id = $1",
				 errs, BIND_FAILED, XF_IN(person_id), XF_OUT(&id)) != 0 ||
		    rec_write(s, REC_INSERT, person_id, id, &after, errs) != 0) {
			internal(errs);
			goto out;
		}
	} else if (del) {
		if (xf_query_exec(s, "DELETE FROM records WHERE person_id = $1 AND id = $2", errs,
				  BIND_FAILED, XF_IN(person_id), XF_IN(id)) != 0) {
			internal(errs);
			goto out;
		}
	} else if (rec_write(s, REC_UPDATE, person_id, id, &after, errs) != 0) {
		goto out;
	}
	if (claim_id > 0 && claim_corrected(s, claim_id, id, del, pb, actor, errs) != 0)
		goto out;
	bj = add ? NULL : rec_json(&before, id);
	aj = del ? NULL : rec_json(&after, id);
	btext = bj ? json_text(bj) : NULL;
	atext = aj ? json_text(aj) : NULL;
	if ((!add && btext == NULL) || (!del && atext == NULL))
		goto nomem;
	char object[64], action[32];
	snprintf(object, sizeof(object), "person:%lld record:%lld", person_id, id);
	snprintf(action, sizeof(action), "record.%s", rq->action);
	xf_audit_entry e = {.actor = actor, .action = action, .object = object, .before = btext,
			    .after = atext};
	if (xf_store_audit(s, &e, errs) != 0) {
		internal(errs);
		goto out;
	}
	*stored = cJSON_CreateObject();
	if (*stored == NULL || !cJSON_AddStringToObject(*stored, "action", rq->action) ||
	    !cJSON_AddNumberToObject(*stored, "record_id", (double)id))
		goto nomem;
	cJSON_AddItemToObject(*stored, "before", bj ? bj : cJSON_CreateNull());
	cJSON_AddItemToObject(*stored, "after", aj ? aj : cJSON_CreateNull());
	bj = aj = NULL;
	rc = 0;
	goto out;
nomem:
	oom(errs);
out:
	cJSON_Delete(bj);
	cJSON_Delete(aj);
	cJSON_free(btext);
	cJSON_free(atext);
	rec_cleanup(&before);
	rec_cleanup(&after);
	return rc;
}

int xf_objection_resolve(xf_store *s, const xf_principal *who, long long objection_id,
			 const char *json, size_t len, xf_errs *errs)
{
	resolve_req rq;
	pub pb;
	xf_load l;
	xf_policy *owned = NULL;
	runner rn = {0};
	bool in_tx = false;
	int rc = -1;
	cJSON *body = NULL, *stored = NULL, *after = NULL;
	char *stored_text = NULL;
	const char *actor = who ? who->username : "cli";
	memset(&l, 0, sizeof(l));

	body = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	if (!cJSON_IsObject(body)) {
		xf_errs_add(errs, "请求内容应为 JSON 对象");
		goto out;
	}
	long long pub_id = 0, person_id = 0, lodged_by = 0;
	char status[16] = "";
	int f = xf_query_row(s,
			     "SELECT publication_id, person_id, lodged_by, status FROM objections"
			     " WHERE id = $1",
			     errs, BIND_FAILED, XF_IN(objection_id), XF_OUT(&pub_id),
			     XF_OUT(&person_id), XF_OUT(&lodged_by),
			     XF_OUT_TEXT(status, sizeof(status)));
	if (f != 0) {
		rc = f < 0 ? internal(errs) : XF_PUB_NOT_FOUND;
		goto out;
	}
	if (resolve_parse(body, &rq, errs) != 0)
		goto out;
	if (strcmp(status, "open") != 0) {
		xf_errs_add(errs, "该异议已处理，不能再次处理");
		rc = XF_PUB_CONFLICT;
		goto out;
	}
	if (pub_read(s, pub_id, &pb, errs) != 0) {
		internal(errs);
		goto out;
	}
	if (begin(s, errs) != 0)
		goto out;
	in_tx = true;
	long long now = (long long)xf_clock_now(), got = 0;
	f = xf_query_row(s,
			 "UPDATE objections SET status = $2, resolution = $3, resolved_by = $4,"
			 " resolved_at = $5 WHERE id = $1 AND status = 'open' RETURNING id",
			 errs, BIND_FAILED, XF_IN(objection_id),
			 XF_IN(rq.upheld ? "upheld" : "dismissed"), XF_IN(rq.reason),
			 who ? XF_IN(who->user_id) : XF_IN_NULL, XF_IN(now), XF_OUT(&got));
	if (f != 0) {
		if (f == 1)
			xf_errs_add(errs, "该异议已被他人处理");
		rc = f < 0 ? internal(errs) : XF_PUB_CONFLICT;
		goto out;
	}
	if (rq.upheld) {
		char *ref;
		const xf_policy *p;
		int started = xf_load_person_start(&l, s, pb.year, person_id, &ref, &p, &owned,
						   errs);
		if (started != 0) {
			if (started < 0)
				internal(errs);
			else
				xf_errs_add(errs, "该人员所在单位 %d 年度没有学分办法，无法更正记录", pb.year);
			goto out;
		}
		int a = apply_correction(s, &rq, person_id, &pb, p, actor, &stored, errs);
		if (a != 0) {
			free(ref);
			rc = a;
			goto out;
		}
		/* The line again, from the records as they now are. */
		figures fg = {0};
		int more = -1;
		if (runner_init(&rn, p) != 0 || xf_load_begin(&l, p, ref) != 0 ||
		    (more = xf_load_next(&l)) != 1) {
			free(ref);
			if (more == 0 || errs->n == 0)
				oom(errs);
			goto out;
		}
		free(ref);
		xf_date from, to;
		if (xf_date_parse(pb.from, &from) != 0 || xf_date_parse(pb.to, &to) != 0 ||
		    line_figures(&rn, p, pb.year, &l.in, from, to, &fg) != 0) {
			oom(errs);
			goto out;
		}
		int w = xf_query_exec(s,
				      "UPDATE publication_lines SET categories = $3, period_total = $4,"
				      " year_total = $5 WHERE publication_id = $1 AND person_id = $2",
				      errs, BIND_FAILED, XF_IN(pub_id), XF_IN(person_id),
				      XF_IN(fg.categories), XF_IN(fg.period_total), XF_IN(fg.year_total));
		free(fg.categories);
		stored_text = w == 0 ? json_text(stored) : NULL;
		if (stored_text == NULL ||
		    xf_query_exec(s, "UPDATE objections SET correction = $2 WHERE id = $1", errs,
				  BIND_FAILED, XF_IN(objection_id), XF_IN(stored_text)) != 0) {
			internal(errs);
			goto out;
		}
	}
	after = cJSON_CreateObject();
	bool built = after != NULL &&
		     cJSON_AddStringToObject(after, "status", rq.upheld ? "upheld" : "dismissed") &&
		     cJSON_AddStringToObject(after, "reason", rq.reason) &&
		     (stored == NULL || cJSON_AddItemReferenceToObject(after, "correction", stored));
	char object[48];
	snprintf(object, sizeof(object), "objection:%lld", objection_id);
	if (audit_change(s, actor, "objection.resolve", object, "{\"status\":\"open\"}",
			 built ? after : NULL, errs) != 0)
		goto out;
	long long objector = 0;
	f = xf_query_row(s, "SELECT COALESCE(person_id, 0) FROM users WHERE id = $1", errs,
			 BIND_FAILED, XF_IN(lodged_by), XF_OUT(&objector));
	if (f < 0) {
		internal(errs);
		goto out;
	}
	if (objector > 0) {
		char title[600];
		snprintf(title, sizeof(title), "您对“%s”提出的异议%s", pb.title,
			 rq.upheld ? "已采纳，记录已更正" : "未予采纳");
		if (xf_notice_add(s, objector, XF_NOTICE_OBJECTION_RESOLVED, title, rq.reason, object,
				  errs) != 0) {
			internal(errs);
			goto out;
		}
	}
	/* The person whose record changed is told too, when someone else objected. */
	if (rq.upheld && person_id != objector) {
		char title[600], pubobj[48];
		snprintf(title, sizeof(title), "您在“%s”中的学分记录已按异议更正", pb.title);
		snprintf(pubobj, sizeof(pubobj), "publication:%lld", pub_id);
		if (xf_notice_add(s, person_id, XF_NOTICE_RECORD_CORRECTED, title, rq.reason, pubobj,
				  errs) != 0) {
			internal(errs);
			goto out;
		}
	}
	if (commit(s, errs) != 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	xf_load_cleanup(&l);
	runner_cleanup(&rn);
	xf_policy_free(owned);
	cJSON_Delete(body);
	cJSON_Delete(after);
	cJSON_Delete(stored);
	cJSON_free(stored_text);
	return rc;
}

/* ---- archive ---- */

int xf_publication_archive(xf_store *s, long long id, const char *actor, long long *open_count,
			   xf_errs *errs)
{
	pub p;
	int f = pub_read(s, id, &p, errs);
	if (f != 0)
		return f;
	if (open_count)
		*open_count = 0;
	if (strcmp(p.status, "archived") == 0) {
		xf_errs_add(errs, "该公示已于此前归档");
		return XF_PUB_CONFLICT;
	}
	xf_date today = xf_today();
	char t[11];
	xf_date_text(today, t);
	if (window_open_at(p.status, p.window_end, today)) {
		xf_errs_add(errs, "公示期至 %s 结束，期满后才能归档", p.window_end);
		return XF_PUB_WINDOW_OPEN;
	}
	long long open = 0;
	if (xf_query_row(s, "SELECT COUNT(*) FROM objections WHERE publication_id = $1"
			    " AND status = 'open'",
			 errs, BIND_FAILED, XF_IN(id), XF_OUT(&open)) != 0)
		return internal(errs);
	if (open > 0) {
		if (open_count)
			*open_count = open;
		xf_errs_add(errs, "还有 %lld 条异议未处理，处理完毕后才能归档", open);
		return XF_PUB_OBJECTIONS_OPEN;
	}
	if (begin(s, errs) != 0)
		return -1;
	long long now = (long long)xf_clock_now(), got = 0;
	f = xf_query_row(s,
			 "UPDATE publications SET status = 'archived', archived_at = $2,"
			 " archived_by = $3 WHERE id = $1 AND status = 'published'"
			 " AND window_end < $4 AND NOT EXISTS (SELECT 1 FROM objections o"
			 " WHERE o.publication_id = $1 AND o.status = 'open') RETURNING id",
			 errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_IN(actor), XF_IN(t), XF_OUT(&got));
	if (f != 0) {
		xf_store_rollback(s);
		if (f < 0)
			return internal(errs);
		xf_errs_add(errs, "该公示已被他人修改（归档或有新的异议），请刷新后重试");
		return XF_PUB_CONFLICT;
	}
	char object[48], after[256];
	snprintf(object, sizeof(object), "publication:%lld", id);
	snprintf(after, sizeof(after),
		 "{\"status\":\"archived\",\"from\":\"%s\",\"to\":\"%s\"}", p.from, p.to);
	xf_audit_entry e = {.actor = actor, .action = "publication.archive", .object = object,
			    .before = "{\"status\":\"published\"}", .after = after};
	if (xf_store_audit(s, &e, errs) != 0 || xf_store_commit(s, errs) != 0) {
		xf_store_rollback(s);
		return internal(errs);
	}
	return 0;
}

/* ---- the 干部培训登记库 workbook ---- */

/* One record as the registry shows it. */
typedef struct reg_rec {
	long long id, claim_id;   /* claim_id -1: none */
	char *activity;           /* NULL: none */
	char *level;
	double minutes, hours, days, count;  /* NAN: not given */
	char date[11];
} reg_rec;

typedef struct reg_ctx {
	reg_rec *v;
	size_t n, cap;
	xf_errs *errs;
} reg_ctx;

static double opt_col(xf_stmt *st, int col)
{
	return xf_stmt_is_null(st, col) ? NAN : xf_stmt_double(st, col);
}

static void reg_clear(reg_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].activity);
		free(c->v[i].level);
	}
	c->n = 0;
}

static int reg_keep(void *ctx, xf_stmt *st, const xf_record *r)
{
	reg_ctx *c = ctx;
	(void)r;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		reg_rec *n = realloc(c->v, cap * sizeof(*n));
		if (n == NULL)
			goto nomem;
		c->v = n;
		c->cap = cap;
	}
	reg_rec *x = &c->v[c->n];
	memset(x, 0, sizeof(*x));
	x->id = xf_stmt_int(st, 20);
	x->claim_id = xf_stmt_is_null(st, 21) ? -1 : xf_stmt_int(st, 21);
	snprintf(x->date, sizeof(x->date), "%s", xf_stmt_text(st, 2) ? xf_stmt_text(st, 2) : "");
	x->count = opt_col(st, 4);
	x->days = opt_col(st, 5);
	x->hours = opt_col(st, 7);
	x->minutes = opt_col(st, 8);
	const char *act = xf_stmt_text(st, 18), *lv = xf_stmt_text(st, 3);
	x->activity = act ? strdup(act) : NULL;
	x->level = lv ? strdup(lv) : NULL;
	if ((act && x->activity == NULL) || (lv && x->level == NULL)) {
		free(x->activity);
		free(x->level);
		goto nomem;
	}
	c->n++;
	return 0;
nomem:
	xf_errs_add(c->errs, "内存不足 (out of memory)");
	return -1;
}

/* A line as the workbook shows it. */
typedef struct reg_line {
	long long person_id;
	char *name, *unit, *categories;
	double period_total, year_total;
} reg_line;

/* Each item's credits after its cap and its share of its category's cap,
 * the category's room going to its items in the policy's order. */
static void item_shares(const xf_policy *p, const xf_result *r, double *share)
{
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		double cleft = r->categories[c];
		for (int i = cat->first_item; i < cat->first_item + cat->nitems; i++) {
			double v = fmin(r->items[i], cleft);
			share[i] = v > 0 ? v : 0;
			cleft -= share[i];
		}
	}
}

/* Per-record credits after caps in the run r (trace t) over in: the value
 * from the trace (-1 when the record does not count: excluded, dropped
 * for the same activity, once a year), then each item's share taken by
 * its records in date order. counted[k] is for in->records[k]. 0, or -1
 * when out of memory. */
static int attribute(const xf_policy *p, const xf_input *in, const xf_result *r,
		     const xf_trace *t, double *counted)
{
	size_t n = in->nrecords;
	double share[XF_MAX_ITEMS];
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (order == NULL)
		return -1;
	for (size_t k = 0; k < n; k++)
		counted[k] = -1;
	for (size_t e = 0; e < t->n; e++) {
		const xf_trace_event *ev = &t->ev[e];
		int32_t want = ev->kind == XF_T_VALUE ? ev->index : ev->kind == XF_T_ACTIVITY ? ev->other : -1;
		if (want < 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if ((int32_t)in->records[k].index == want) {
				counted[k] = ev->kind == XF_T_VALUE ? ev->a : -1;
				break;
			}
	}
	item_shares(p, r, share);
	for (size_t k = 0; k < n; k++)
		order[k] = k;
	for (size_t a = 1; a < n; a++) { /* insertion sort: stable, a person's records */
		size_t x = order[a], b = a;
		while (b > 0 && in->records[order[b - 1]].date > in->records[x].date) {
			order[b] = order[b - 1];
			b--;
		}
		order[b] = x;
	}
	for (size_t a = 0; a < n; a++) {
		size_t k = order[a];
		if (counted[k] < 0)
			continue;
		int i = in->records[k].item;
		double c = fmin(counted[k], share[i]);
		counted[k] = c > 0 ? c : 0;
		share[i] -= counted[k];
	}
	free(order);
	return 0;
}

/* The content of a record for the registry: the claim's 学习内容 or
 * book, the activity's title, else the activity key as imported, else
 * the item's name. Into buf. */
static void reg_content(xf_store *s, const reg_rec *x, const char *item_name, char *buf,
			size_t size, bool *is_activity)
{
	xf_errs quiet;
	xf_errs_init(&quiet);
	*is_activity = false;
	snprintf(buf, size, "%s", item_name);
	if (x->claim_id >= 0) {
		char *details = NULL;
		if (xf_query_row(s, "SELECT details FROM claims WHERE id = $1", &quiet, BIND_FAILED,
				 XF_IN(x->claim_id), XF_OUT(&details)) == 0 && details) {
			cJSON *d = cJSON_Parse(details);
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "content");
			if (!cJSON_IsString(c) || !*c->valuestring)
				c = cJSON_GetObjectItemCaseSensitive(d, "book");
			if (cJSON_IsString(c) && *c->valuestring)
				snprintf(buf, size, "%s", c->valuestring);
			cJSON_Delete(d);
		}
		free(details);
	} else if (x->activity) {
		char title[256] = "";
		if (xf_query_row(s, "SELECT title FROM activities WHERE key = $1", &quiet, BIND_FAILED,
				 XF_IN(x->activity), XF_OUT_TEXT(title, sizeof(title))) == 0) {
			snprintf(buf, size, "%s", title);
			*is_activity = true;
		} else {
			snprintf(buf, size, "%s", x->activity);
		}
	}
	xf_errs_cleanup(&quiet);
}

static void amount_text(const reg_rec *x, char *buf, size_t size)
{
	char n[32];
	buf[0] = '\0';
	if (!isnan(x->minutes))
		snprintf(buf, size, "%s 分钟", xf_format_short(x->minutes, n));
	else if (!isnan(x->hours))
		snprintf(buf, size, "%s 学时", xf_format_short(x->hours, n));
	else if (!isnan(x->days))
		snprintf(buf, size, "%s 天", xf_format_short(x->days, n));
	else if (!isnan(x->count))
		snprintf(buf, size, "%s 次", xf_format_short(x->count, n));
}

/* The ids of the person's records of the period that came from an
 * import (batch_id set), into set. 0 or -1. */
static int imported_ids(xf_store *s, long long person_id, const pub *pb, idset *set,
			xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT id FROM records WHERE person_id = $1 AND batch_id IS NOT NULL"
				      " AND date >= $2 AND date <= $3",
				      errs);
	if (st == NULL)
		return internal(errs);
	int rc = 0;
	if (xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_text(st, 2, pb->from) |
	    xf_stmt_bind_text(st, 3, pb->to)) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		rc = -1;
	}
	xf_step r = XF_STEP_DONE;
	while (rc == 0 && (r = xf_stmt_step(st, errs)) == XF_STEP_ROW)
		if (idset_add(set, xf_stmt_int(st, 0)) != 0) {
			oom(errs);
			rc = -1;
		}
	if (r == XF_STEP_ERROR)
		rc = -1;
	xf_stmt_finalize(st);
	if (rc != 0)
		errs->internal = true;
	return rc;
}

typedef struct book {
	lxw_workbook *wb;
	lxw_worksheet *reg, *sum, *notes;
	lxw_format *head, *num;
	lxw_row_t reg_row, sum_row;
	long long seq;
	lxw_error e;
} book;

static void put_s(book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *v)
{
	if (b->e == LXW_NO_ERROR && v)
		b->e = worksheet_write_string(ws, r, c, v, NULL);
}

static void put_n(book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v)
{
	if (b->e == LXW_NO_ERROR)
		b->e = worksheet_write_number(ws, r, c, xf_round2(v), b->num);
}

/* One row of the 登记库 sheet, for line ln. */
static void reg_put(book *b, const reg_line *ln, const char *content, const char *item,
		    const char *level, const char *date, const char *amount, double credits,
		    const char *source)
{
	lxw_row_t row = ++b->reg_row;
	b->seq++;
	put_n(b, b->reg, row, 0, (double)b->seq);
	put_s(b, b->reg, row, 1, ln->name);
	put_s(b, b->reg, row, 2, ln->unit);
	put_s(b, b->reg, row, 3, content);
	put_s(b, b->reg, row, 4, item);
	put_s(b, b->reg, row, 5, level);
	put_s(b, b->reg, row, 6, date);
	put_s(b, b->reg, row, 7, amount);
	put_n(b, b->reg, row, 8, credits);
	put_s(b, b->reg, row, 9, source);
}

/* The registry rows of one line. */
static int export_line(xf_store *s, book *b, const pub *pb, xf_date from, xf_date to,
		       const reg_line *ln, xf_errs *errs)
{
	xf_load l;
	reg_ctx rc_ = {.errs = errs};
	idset imported = {0};
	runner rn = {0};
	xf_trace t;
	xf_policy *owned = NULL;
	double *counted = NULL, share_to[XF_MAX_ITEMS], share_from[XF_MAX_ITEMS];
	int rc = -1;
	memset(&l, 0, sizeof(l));
	xf_trace_init(&t);
	char *ref;
	const xf_policy *p;
	int started = xf_load_person_start(&l, s, pb->year, ln->person_id, &ref, &p, &owned,
					   errs);
	if (started > 0) { /* no policy any more: the line's figures only */
		rc = 0;
		goto out;
	}
	if (started < 0 || runner_init(&rn, p) != 0) {
		free(ref);
		goto fail;
	}
	l.on_record = reg_keep;
	l.on_record_ctx = &rc_;
	int more = xf_load_begin(&l, p, ref) == 0 ? xf_load_next(&l) : -1;
	free(ref);
	if (more != 1)
		goto fail;
	/* the day before the period: where the metric items stood */
	if (xf_assess_asof(p, pb->year, &l.in, xf_date_prev(from), &rn.buf, &rn.scratch, &rn.r, NULL) != 0)
		goto fail;
	item_shares(p, &rn.r, share_from);
	if (xf_assess_asof(p, pb->year, &l.in, to, &rn.buf, &rn.scratch, &rn.r, &t) != 0 || t.oom)
		goto fail;
	item_shares(p, &rn.r, share_to);
	xf_input cut = l.in;
	cut.records = rn.buf.rec;
	cut.nrecords = rn.buf.nrec;
	cut.metrics = rn.buf.met;
	cut.nmetrics = rn.buf.nmet;
	counted = malloc((cut.nrecords ? cut.nrecords : 1) * sizeof(*counted));
	if (counted == NULL || attribute(p, &cut, &rn.r, &t, counted) != 0 ||
	    imported_ids(s, ln->person_id, pb, &imported, errs) != 0)
		goto fail;
	for (size_t k = 0; k < cut.nrecords; k++) {
		const xf_record *r = &cut.records[k];
		if (r->date < from || counted[k] < 0)
			continue;
		const reg_rec *x = NULL;
		for (size_t j = 0; j < rc_.n && x == NULL; j++)
			if ((uint32_t)rc_.v[j].id == r->index)
				x = &rc_.v[j];
		if (x == NULL)
			continue;
		const xf_item *it = &p->items[r->item];
		char content[512], amount[64], source[160];
		bool is_act;
		reg_content(s, x, it->name, content, sizeof(content), &is_act);
		amount_text(x, amount, sizeof(amount));
		if (x->claim_id >= 0)
			snprintf(source, sizeof(source), "申报 #%lld", x->claim_id);
		else if (is_act)
			snprintf(source, sizeof(source), "活动 %s", x->activity);
		else if (idset_has(&imported, x->id))
			snprintf(source, sizeof(source), "导入");
		else
			snprintf(source, sizeof(source), "录入");
		reg_put(b, ln, content, it->name, r->level >= 0 ? p->levels[r->level].name : "",
			x->date, amount, counted[k], source);
	}
	/* metric items: what the period added */
	for (int i = 0; i < p->nitems; i++) {
		if (p->items[i].per != XF_PER_METRIC)
			continue;
		double got = xf_round2(share_to[i] - share_from[i]);
		if (got <= EPS)
			continue;
		char content[256], a[11], bb[11];
		snprintf(content, sizeof(content), "%s（%s 至 %s 月度积分）", p->items[i].name,
			 xf_date_text(from, a), xf_date_text(to, bb));
		reg_put(b, ln, content, p->items[i].name, "", pb->to, "", got, "导入");
	}
	rc = 0;
	goto out;
fail:
	if (errs->n == 0)
		oom(errs);
out:
	free(counted);
	free(imported.v);
	reg_clear(&rc_);
	free(rc_.v);
	xf_trace_cleanup(&t);
	xf_load_cleanup(&l);
	runner_cleanup(&rn);
	xf_policy_free(owned);
	return rc;
}

static void local_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t != 0 && localtime_r(&tt, &tm) != NULL)
		strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

static void lines_free(reg_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].unit);
		free(v[i].categories);
	}
	free(v);
}

/* The publication's lines in the order the sheets list them. */
static int lines_read(xf_store *s, long long id, reg_line **out, size_t *n, xf_errs *errs)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	xf_stmt *st = xf_stmt_prepare(s, LINES_SQL("", ""), errs);
	if (st == NULL)
		return internal(errs);
	if (xf_stmt_bind_int(st, 1, id) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		xf_stmt_finalize(st);
		return internal(errs);
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			reg_line *nv = realloc(*out, ncap * sizeof(*nv));
			if (nv == NULL)
				goto nomem;
			*out = nv;
			cap = ncap;
		}
		reg_line *ln = &(*out)[*n];
		ln->person_id = xf_stmt_int(st, 0);
		ln->name = strdup(xf_stmt_text(st, 1) ? xf_stmt_text(st, 1) : "");
		ln->unit = strdup(xf_stmt_text(st, 2) ? xf_stmt_text(st, 2) : "");
		ln->categories = strdup(xf_stmt_text(st, 3) ? xf_stmt_text(st, 3) : "{}");
		ln->period_total = xf_stmt_double(st, 4);
		ln->year_total = xf_stmt_double(st, 5);
		(*n)++;
		if (ln->name == NULL || ln->unit == NULL || ln->categories == NULL)
			goto nomem;
	}
	xf_stmt_finalize(st);
	if (r == XF_STEP_ERROR) {
		lines_free(*out, *n);
		*out = NULL;
		*n = 0;
		return internal(errs);
	}
	return 0;
nomem:
	xf_stmt_finalize(st);
	lines_free(*out, *n);
	*out = NULL;
	*n = 0;
	oom(errs);
	return -1;
}

static void head_row(book *b, lxw_worksheet *ws, const char *const *titles, size_t n)
{
	for (size_t i = 0; i < n && b->e == LXW_NO_ERROR; i++)
		b->e = worksheet_write_string(ws, 0, (lxw_col_t)i, titles[i], b->head);
}

/* The 说明 sheet: one fact per row. */
static void notes_sheet(xf_store *s, book *b, const pub *pb, size_t nlines, const char *actor,
			xf_errs *errs)
{
	char buf[1024], t1[32];
	long long total = 0, upheld = 0, dismissed = 0, open = 0;
	xf_query_row(s,
		     "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'upheld' THEN 1 ELSE 0 END), 0),"
		     " COALESCE(SUM(CASE WHEN status = 'dismissed' THEN 1 ELSE 0 END), 0),"
		     " COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0)"
		     " FROM objections WHERE publication_id = $1",
		     errs, BIND_FAILED, XF_IN(pb->id), XF_OUT(&total), XF_OUT(&upheld),
		     XF_OUT(&dismissed), XF_OUT(&open));
	lxw_row_t r = 0;
	worksheet_set_column(b->notes, 0, 0, 14, NULL);
	worksheet_set_column(b->notes, 1, 1, 90, NULL);
#define NOTE(k, v)                                                                         \
	do {                                                                               \
		put_s(b, b->notes, r, 0, (k));                                             \
		put_s(b, b->notes, r, 1, (v));                                             \
		r++;                                                                       \
	} while (0)
	NOTE("干部培训登记库", pb->title);
	NOTE("单位", pb->unit_name);
	snprintf(buf, sizeof(buf), "%s 至 %s", pb->from, pb->to);
	NOTE("期间", buf);
	local_time(pb->published_at, t1);
	snprintf(buf, sizeof(buf), "%s，%s", t1, pb->published_by);
	NOTE("发布", buf);
	snprintf(buf, sizeof(buf), "%s 至 %s（%d 个工作日）", pb->window_start, pb->window_end,
		 XF_PUBLISH_DAYS);
	NOTE("公示期", buf);
	if (strcmp(pb->status, "archived") == 0) {
		local_time(pb->archived_at, t1);
		snprintf(buf, sizeof(buf), "已归档：%s，%s", t1, pb->archived_by);
	} else {
		snprintf(buf, sizeof(buf), "公示中，尚未归档");
	}
	NOTE("状态", buf);
	snprintf(buf, sizeof(buf), "%zu 人", nlines);
	NOTE("公示人数", buf);
	snprintf(buf, sizeof(buf), "共 %lld 条：采纳 %lld 条，不予采纳 %lld 条，未处理 %lld 条", total,
		 upheld, dismissed, open);
	NOTE("异议", buf);
	local_time((long long)xf_clock_now(), t1);
	snprintf(buf, sizeof(buf), "%s，%s", t1, actor ? actor : "");
	NOTE("导出", buf);
	snprintf(buf, sizeof(buf),
		 "“登记库”列出本期（%s 至 %s）内按学分办法计分的每条记录，学分为计入上限后的分值"
		 "（同一项目内按日期先后计入上限，类别上限按项目顺序分配）；学习强国等按月积分的项目"
		 "每人一行，为本期增加的学分。",
		 pb->from, pb->to);
	NOTE("说明", buf);
	snprintf(buf, sizeof(buf),
		 "“汇总”每人一行：各类别为截至 %s 的年度累计学分（计入上限后）；本期 = 截至 %s 的年度"
		 "累计 − 截至 %s 前一日的年度累计。",
		 pb->to, pb->to, pb->from);
	NOTE("", buf);
	NOTE("依据", "区大数据发展局学分制管理办法（试行）第八条：3.公示；4.归档。");
#undef NOTE
}

int xf_publication_export_xlsx(xf_store *s, long long id, const char *actor, const char *path,
			       xf_errs *errs)
{
	pub pb;
	reg_line *lines = NULL;
	size_t nlines = 0;
	cat_list cl = {0};
	book b;
	char *tmp = NULL;
	int rc = -1;
	memset(&b, 0, sizeof(b));
	int f = pub_read(s, id, &pb, errs);
	if (f != 0)
		return f;
	xf_date from, to;
	if (xf_date_parse(pb.from, &from) != 0 || xf_date_parse(pb.to, &to) != 0) {
		xf_errs_add(errs, "公示 %lld 的期间无效", id);
		return internal(errs);
	}
	if (lines_read(s, id, &lines, &nlines, errs) != 0 ||
	    tree_categories(s, pb.unit_id, pb.year, &cl, errs) != 0)
		goto out;
	/* Keys a line has that the tree's policies no longer name. */
	for (size_t i = 0; i < nlines; i++) {
		cJSON *o = cJSON_Parse(lines[i].categories), *c;
		cJSON_ArrayForEach(c, o)
		{
			if (cat_list_add(&cl, c->string, NULL) != 0) {
				cJSON_Delete(o);
				oom(errs);
				goto out;
			}
		}
		cJSON_Delete(o);
	}
	size_t plen = strlen(path);
	tmp = malloc(plen + 8);
	if (tmp == NULL) {
		oom(errs);
		goto out;
	}
	snprintf(tmp, plen + 8, "%s.tmp", path);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	b.wb = workbook_new_opt(tmp, &opt);
	if (b.wb == NULL) {
		xf_errs_add(errs, "%s: 无法创建 XLSX 文件 (cannot create the file)", path);
		internal(errs);
		goto out;
	}
	b.head = workbook_add_format(b.wb);
	format_set_bold(b.head);
	format_set_bg_color(b.head, 0xDDEBF7);
	b.num = workbook_add_format(b.wb);
	format_set_num_format(b.num, "0.##");
	b.reg = workbook_add_worksheet(b.wb, "登记库");
	b.sum = workbook_add_worksheet(b.wb, "汇总");
	b.notes = workbook_add_worksheet(b.wb, "说明");
	if (b.reg == NULL || b.sum == NULL || b.notes == NULL) {
		oom(errs);
		goto out;
	}
	static const char *const reg_titles[] = {"序号", "姓名", "单位", "学习内容", "项目",
						 "级别", "日期", "学时/分钟", "学分", "来源"};
	static const double reg_widths[] = {6, 10, 16, 40, 14, 8, 12, 12, 8, 18};
	head_row(&b, b.reg, reg_titles, 10);
	for (int c = 0; c < 10; c++)
		worksheet_set_column(b.reg, (lxw_col_t)c, (lxw_col_t)c, reg_widths[c], NULL);
	worksheet_freeze_panes(b.reg, 1, 0);
	static const char *const sum_titles[] = {"序号", "姓名", "单位"};
	head_row(&b, b.sum, sum_titles, 3);
	for (size_t c = 0; c < cl.n && b.e == LXW_NO_ERROR; c++)
		b.e = worksheet_write_string(b.sum, 0, (lxw_col_t)(3 + c), cl.v[c].name, b.head);
	if (b.e == LXW_NO_ERROR)
		b.e = worksheet_write_string(b.sum, 0, (lxw_col_t)(3 + cl.n), "本期", b.head);
	if (b.e == LXW_NO_ERROR)
		b.e = worksheet_write_string(b.sum, 0, (lxw_col_t)(4 + cl.n), "年度累计", b.head);
	worksheet_set_column(b.sum, 1, 2, 14, NULL);
	worksheet_freeze_panes(b.sum, 1, 0);
	for (size_t i = 0; i < nlines && b.e == LXW_NO_ERROR; i++) {
		const reg_line *ln = &lines[i];
		if (export_line(s, &b, &pb, from, to, ln, errs) != 0)
			goto out;
		lxw_row_t row = ++b.sum_row;
		put_n(&b, b.sum, row, 0, (double)(i + 1));
		put_s(&b, b.sum, row, 1, ln->name);
		put_s(&b, b.sum, row, 2, ln->unit);
		cJSON *o = cJSON_Parse(ln->categories);
		for (size_t c = 0; c < cl.n; c++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, cl.v[c].key);
			if (cJSON_IsNumber(v))
				put_n(&b, b.sum, row, (lxw_col_t)(3 + c), v->valuedouble);
		}
		cJSON_Delete(o);
		put_n(&b, b.sum, row, (lxw_col_t)(3 + cl.n), ln->period_total);
		put_n(&b, b.sum, row, (lxw_col_t)(4 + cl.n), ln->year_total);
	}
	notes_sheet(s, &b, &pb, nlines, actor, errs);
	if (b.e != LXW_NO_ERROR) {
		xf_errs_add(errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)", path,
			    lxw_strerror(b.e));
		internal(errs);
		goto out;
	}
	lxw_error e = workbook_close(b.wb);
	b.wb = NULL;
	if (e != LXW_NO_ERROR) {
		xf_errs_add(errs, "%s: 写入 XLSX 失败：%s (cannot write the XLSX file)", path,
			    lxw_strerror(e));
		internal(errs);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		xf_errs_add(errs, "%s: 无法写入文件 (cannot write the file)", path);
		internal(errs);
		goto out;
	}
	rc = 0;
out:
	if (b.wb)
		workbook_close(b.wb);
	if (rc != 0 && tmp)
		remove(tmp);
	free(tmp);
	lines_free(lines, nlines);
	free(cl.v);
	return rc;
}
