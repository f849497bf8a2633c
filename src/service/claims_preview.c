/* claims_preview: what approving a claim would add (claims.h,
 * xf_claim_preview_json). The engine runs the claimant's year twice from
 * the same load — the records without the claim's own (an approved claim
 * has one), then with the claim's facts as one more record — and the
 * answer is the difference per item and category after the caps, with the
 * claim's record's fate read from the second run's trace and put in
 * words. Nothing is written. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/num.h"
#include "core/strmap.h"
#include "core/utf8.h"
#include "engine/engine.h"
#include "io/jsonw.h"
#include "service/assess_load.h"
#include "service/claims.h"
#include "store/query.h"

#define BIND_MSG XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")
#define PREVIEW_INDEX 0x7ffffff0u /* the claim's record in the preview's input */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

typedef struct preview_ctx {
	long long claim_id;
	uint32_t skip;     /* the index (record id) of the claim's own record */
	bool has_skip;
} preview_ctx;

static int note_own_record(void *ctx, xf_stmt *st, const xf_record *rec)
{
	preview_ctx *pc = ctx;
	if (!xf_stmt_is_null(st, 21) && xf_stmt_int(st, 21) == pc->claim_id) {
		pc->skip = rec->index;
		pc->has_skip = true;
	}
	return 0;
}

/* The engine record of a claim's facts. -1 when its level or date no
 * longer fit the policy. */
static int claim_record(const xf_policy *p, int item, const xf_claim_facts *f, int32_t activity,
			xf_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->index = PREVIEW_INDEX;
	rec->item = (int16_t)item;
	rec->level = -1;
	if (p->items[item].level_points) {
		int lv = xf_policy_level(p, f->level);
		if (lv < 0 || isnan(p->items[item].level_points[lv]))
			return -1;
		rec->level = (int8_t)lv;
	}
	if (xf_date_parse(f->date, &rec->date) != 0)
		return -1;
	rec->kind = (int8_t)(f->kind[0] ? xf_policy_kind(p, f->kind) : -1);
	rec->activity = activity;
	rec->count = isnan(f->count) ? 1 : f->count;
	rec->days = isnan(f->days) ? 1 : f->days;
	rec->months = isnan(f->months) ? 0 : f->months;
	rec->hours = isnan(f->hours) ? 0 : f->hours;
	rec->credits = isnan(f->credits) ? 0 : f->credits;
	rec->score = f->score;
	rec->minutes = isnan(f->minutes) ? -1 : (int32_t)f->minutes;
	rec->attended = isnan(f->attended_minutes) ? -1 : (int32_t)f->attended_minutes;
	uint16_t bits = 0;
	if (f->passed >= 0)
		bits |= XF_R_PASSED_SET | (f->passed ? XF_R_PASSED : 0);
	if (f->completed == 0)
		bits |= XF_R_NOT_COMPLETED;
	if (f->online == 1)
		bits |= XF_R_ONLINE;
	if (f->awarded == 1)
		bits |= XF_R_AWARDED;
	if (f->speaker == 1)
		bits |= XF_R_SPEAKER;
	rec->bits = bits;
	return 0;
}

/* Why a record was worth nothing, for the explanation. */
static void exclusion_text(const xf_item *it, uint32_t ex, const xf_claim_facts *f, char *out,
			   size_t size)
{
	if (ex & XF_EX_NOT_APPROVED)
		snprintf(out, size, "未按规定程序批准");
	else if (ex & XF_EX_KIND)
		snprintf(out, size, "属于不计学分的类型（%s）", f->kind);
	else if (ex & XF_EX_MIN_MINUTES)
		snprintf(out, size, "学习时长不足 %g 分钟", it->min_minutes);
	else if (ex & XF_EX_MIN_SCORE)
		snprintf(out, size, "考试或考核成绩低于 %g 分", it->min_score);
	else if (ex & XF_EX_NOT_PASSED)
		snprintf(out, size, "考核不合格或未获得结业证书");
	else if (ex & XF_EX_HALF_ATTENDED)
		snprintf(out, size, "听课时间没有达到课程时间的一半");
	else if (ex & XF_EX_NOT_COMPLETED)
		snprintf(out, size, "未完成学习");
	else if (ex & XF_EX_ONLINE_INCOMPLETE)
		snprintf(out, size, "网络学习没有完成相应时长");
	else if (ex & XF_EX_MIN_UNITS)
		snprintf(out, size, "不足最低计分数量 %g", it->min_units);
	else if (ex & XF_EX_UNLESS_PASSED)
		snprintf(out, size, "未注明考核合格");
	else
		snprintf(out, size, "不符合计分条件");
}

static double total_of(const xf_policy *p, const xf_result *r)
{
	if (r->has_total)
		return r->total;
	double t = 0;
	for (int c = 0; c < p->ncategories; c++)
		t += r->categories[c];
	return xf_round2(t);
}

/* A number for a sentence: at most 2 decimals, no trailing zeros. */
static const char *num_text(double v, char buf[32])
{
	v = xf_round2(v);
	if (v == 0)
		v = 0;
	snprintf(buf, 32, "%.2f", v);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	return buf;
}

typedef struct preview_out {
	const xf_policy *p;
	int item;
	const xf_result *before, *after;
	const xf_trace *trace;
	const xf_claim_facts *facts;
	double value;          /* what the record is worth alone, NAN when not valued */
	char excluded[160];    /* why not, "" when valued */
	char explain[1024];
} preview_out;

/* Reads the claim's record's fate from the trace and words it. */
static void preview_explain(preview_out *o)
{
	const xf_policy *p = o->p;
	const xf_item *it = &p->items[o->item];
	const xf_category *cat = &p->categories[it->category];
	char a[32], b[32], c[32];
	bool dropped = false, once = false, other_year = false;
	o->value = NAN;
	o->excluded[0] = '\0';
	for (size_t i = 0; i < o->trace->n; i++) {
		const xf_trace_event *ev = &o->trace->ev[i];
		if (ev->kind == XF_T_ACTIVITY && (uint32_t)ev->other == PREVIEW_INDEX)
			dropped = true;
		if ((uint32_t)ev->index != PREVIEW_INDEX)
			continue;
		if (ev->kind == XF_T_VALUE)
			o->value = ev->a;
		else if (ev->kind == XF_T_EXCLUDED)
			exclusion_text(it, (uint32_t)ev->other, o->facts, o->excluded, sizeof(o->excluded));
		else if (ev->kind == XF_T_ONCE)
			once = true;
		else if (ev->kind == XF_T_OTHER_YEAR)
			other_year = true;
	}
	double adds = xf_round2(total_of(p, o->after) - total_of(p, o->before));
	char *e = o->explain;
	size_t size = sizeof(o->explain);
	e[0] = '\0';
#define SAY(...) xf_text_appendf(e, size, __VA_ARGS__)
	if (o->excluded[0]) {
		SAY("“%s”不计学分：%s。", it->name, o->excluded);
	} else if (other_year) {
		SAY("申报日期不在评估年度内，不计学分。");
	} else if (once) {
		SAY("“%s”每年只计一次，本年度已经计过。", it->name);
	} else if (!isnan(o->value)) {
		const char *lv = o->facts->level[0] && it->level_points
					 ? p->levels[xf_policy_level(p, o->facts->level)].name : NULL;
		SAY("按“%s”%s%s%s计 %s 学分", it->name, lv ? "（" : "", lv ? lv : "", lv ? "）" : "",
		    num_text(o->value, a));
		if (dropped)
			SAY("；同一培训活动已有分值不低于它的记录，只计一次");
		double item_room = it->cap - o->before->items[o->item];
		if (!dropped && !isinf(it->cap) && o->value > item_room + 1e-9)
			SAY("；“%s”上限 %s 学分，已有 %s 学分", it->name, num_text(it->cap, b),
			    num_text(o->before->items[o->item], c));
		if (!isinf(cat->cap) &&
		    o->before->categories[it->category] + fmin(o->value, fmax(item_room, 0)) > cat->cap + 1e-9)
			SAY("；“%s”类上限 %s 学分，已有 %s 学分", cat->name, num_text(cat->cap, b),
			    num_text(o->before->categories[it->category], c));
		SAY("。");
	} else {
		SAY("该项目不按记录计分。");
	}
	SAY("批准后合计由 %s 学分变为 %s 学分，实际增加 %s 学分。", num_text(total_of(p, o->before), a),
	    num_text(total_of(p, o->after), b), num_text(adds, c));
#undef SAY
}

static void write_preview(xf_jw *w, const xf_claim_row *r, const preview_out *o)
{
	const xf_policy *p = o->p;
	const xf_item *it = &p->items[o->item];
	xf_jw_obj(w);
	xf_jw_kint(w, "claim_id", r->id);
	xf_jw_kint(w, "year", r->year);
	xf_jw_key(w, "policy");
	xf_jw_obj(w);
	xf_jw_kstr(w, "id", p->id);
	xf_jw_kstr(w, "name", p->title);
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "status", r->status);
	xf_jw_kcredits(w, "before", total_of(p, o->before));
	xf_jw_kcredits(w, "after", total_of(p, o->after));
	xf_jw_kcredits(w, "adds", total_of(p, o->after) - total_of(p, o->before));
	xf_jw_key(w, "items");
	xf_jw_arr(w);
	for (int i = 0; i < p->nitems; i++) {
		if (i != o->item && fabs(o->before->items[i] - o->after->items[i]) < 1e-9)
			continue;
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->items[i].key);
		xf_jw_kstr(w, "name", p->items[i].name);
		xf_jw_kcredits(w, "before", o->before->items[i]);
		xf_jw_kcredits(w, "after", o->after->items[i]);
		if (isinf(p->items[i].cap))
			xf_jw_knull(w, "cap");
		else
			xf_jw_knum(w, "cap", p->items[i].cap);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_key(w, "categories");
	xf_jw_arr(w);
	for (int c = 0; c < p->ncategories; c++) {
		if (c != it->category &&
		    fabs(o->before->categories[c] - o->after->categories[c]) < 1e-9)
			continue;
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->categories[c].key);
		xf_jw_kstr(w, "name", p->categories[c].name);
		xf_jw_kcredits(w, "before", o->before->categories[c]);
		xf_jw_kcredits(w, "after", o->after->categories[c]);
		if (isinf(p->categories[c].cap))
			xf_jw_knull(w, "cap");
		else
			xf_jw_knum(w, "cap", p->categories[c].cap);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_key(w, "record");
	xf_jw_obj(w);
	if (isnan(o->value))
		xf_jw_knull(w, "value");
	else
		xf_jw_kcredits(w, "value", o->value);
	xf_jw_kstr(w, "excluded", o->excluded[0] ? o->excluded : NULL);
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "explain", o->explain);
	xf_jw_obj_end(w);
}

int xf_claim_preview_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
			  xf_errs *errs)
{
	xf_claim_row r;
	xf_load l;
	char *ref = NULL, *akey = NULL;
	xf_policy *owned = NULL;
	xf_result before, after;
	xf_engine_scratch scratch;
	xf_trace trace;
	xf_record *recs = NULL;
	preview_ctx pc = {0};
	xf_claim_facts facts;
	int rc = xf_claim_row_load(s, id, &r, errs);
	if (rc != 0)
		return rc;
	memset(&l, 0, sizeof(l));
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	xf_scratch_init(&scratch);
	xf_trace_init(&trace);
	if (!xf_claim_visible(who, &r)) {
		rc = XF_CLAIM_NOT_FOUND;
		goto out;
	}
	rc = -1;
	if (xf_claim_facts_parse(r.fields, &facts, errs) != 0)
		goto out;
	int urc = r.unit_id > 0 ? xf_claim_unit_policy(s, r.unit_id, r.year, &ref, errs) : 1;
	if (urc != 0) {
		if (r.unit_id <= 0)
			xf_errs_add(errs, "申报人没有所属单位，无法计算");
		rc = urc < 0 ? -1 : XF_CLAIM_INVALID;
		goto out;
	}
	const xf_policy *p = xf_claim_policy_get(ref, &owned, errs);
	if (p == NULL)
		goto out;
	int item = xf_policy_item(p, r.item);
	if (item < 0) {
		xf_errs_add(errs, "学分办法“%s”中已没有学分项目“%s”，无法计算", p->title, r.item);
		rc = XF_CLAIM_INVALID;
		goto out;
	}
	if (r.activity_id > 0 &&
	    xf_query_row(s, "SELECT key FROM activities WHERE id = $1", errs, BIND_MSG,
			 XF_IN(r.activity_id), XF_OUT(&akey)) < 0)
		goto out;
	pc.claim_id = r.id;
	if (xf_load_open(&l, s, XF_LOAD_PERSON, r.year, NULL, NULL, r.person_id, errs) != 0)
		goto out;
	l.on_record = note_own_record;
	l.on_record_ctx = &pc;
	if (xf_load_begin(&l, p, ref) != 0)
		goto out;
	int more = xf_load_next(&l);
	if (more != 1) {
		if (more == 0)
			rc = XF_CLAIM_NOT_FOUND;
		goto out;
	}
	/* The year's records without the claim's own (when approved), then
	 * the same plus the claim's facts. */
	recs = calloc(l.in.nrecords + 1, sizeof(*recs));
	if (recs == NULL)
		goto oom;
	size_t n = 0;
	for (size_t i = 0; i < l.in.nrecords; i++)
		if (!(pc.has_skip && l.in.records[i].index == pc.skip))
			recs[n++] = l.in.records[i];
	int32_t activity = -1;
	if (akey && *akey && (activity = xf_strmap_intern(l.activities, akey, NULL)) < 0)
		goto oom;
	if (claim_record(p, item, &facts, activity, &recs[n]) != 0) {
		xf_errs_add(errs, "申报的级别或日期已不适用于学分办法“%s”，无法计算", p->title);
		rc = XF_CLAIM_INVALID;
		goto out;
	}
	if (xf_result_init(&before, p) != 0 || xf_result_init(&after, p) != 0)
		goto oom;
	xf_input in = l.in;
	in.records = recs;
	in.nrecords = n;
	if (xf_engine_assess(p, r.year, &in, &scratch, &before, NULL) != 0)
		goto oom;
	in.nrecords = n + 1;
	if (xf_engine_assess(p, r.year, &in, &scratch, &after, &trace) != 0 || trace.oom)
		goto oom;
	preview_out o = {.p = p, .item = item, .before = &before, .after = &after,
			 .trace = &trace, .facts = &facts};
	preview_explain(&o);
	xf_jw w;
	xf_jw_init(&w, f);
	write_preview(&w, &r, &o);
	rc = 0;
	goto out;
oom:
	oom(errs);
out:
	xf_load_cleanup(&l);
	free(recs);
	free(ref);
	free(akey);
	xf_result_cleanup(&before);
	xf_result_cleanup(&after);
	xf_trace_cleanup(&trace);
	xf_scratch_cleanup(&scratch);
	xf_policy_free(owned);
	xf_claim_row_cleanup(&r);
	return rc;
}
