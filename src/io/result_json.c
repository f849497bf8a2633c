/* result_json: assessment results and explanation traces as JSON. */
#include "io/result_json.h"

#include <math.h>
#include <string.h>

#include "core/num.h"

void xf_results_begin(xf_results_out *o, FILE *f, const xf_policy *p, int year)
{
	xf_jw_init(&o->jw, f);
	o->p = p;
	o->year = year;
	xf_jw_obj(&o->jw);
	xf_jw_kstr(&o->jw, "policy", p->id);
	xf_jw_kint(&o->jw, "year", year);
	xf_jw_key(&o->jw, "people");
	xf_jw_arr(&o->jw);
}

const char *xf_exclusion_key(uint32_t rule)
{
	switch (rule) {
	case XF_EX_NOT_APPROVED: return "not_approved";
	case XF_EX_KIND: return "kind";
	case XF_EX_MIN_MINUTES: return "min_minutes";
	case XF_EX_MIN_SCORE: return "min_score";
	case XF_EX_NOT_PASSED: return "not_passed";
	case XF_EX_HALF_ATTENDED: return "half_attended";
	case XF_EX_NOT_COMPLETED: return "not_completed";
	case XF_EX_ONLINE_INCOMPLETE: return "online_incomplete";
	case XF_EX_MIN_UNITS: return "min_units";
	case XF_EX_UNLESS_PASSED: return "unless_passed";
	}
	return "unknown";
}

void xf_exclusion_text(const xf_item *it, const xf_record *rec, uint32_t rule,
		       char *buf, size_t size)
{
	switch (rule) {
	case XF_EX_NOT_APPROVED:
		snprintf(buf, size, "未经审批同意，不计学分");
		break;
	case XF_EX_KIND:
		snprintf(buf, size, "属于不计学分的活动类型（如工作会议）");
		break;
	case XF_EX_MIN_MINUTES:
		snprintf(buf, size, "学习时长 %d 分钟，不足 %g 分钟", (int)rec->minutes,
			 it->min_minutes);
		break;
	case XF_EX_MIN_SCORE:
		snprintf(buf, size, "考试或考核成绩 %g 分，低于 %g 分", rec->score,
			 it->min_score);
		break;
	case XF_EX_NOT_PASSED:
		snprintf(buf, size, "考核不合格或未获得结业证书");
		break;
	case XF_EX_UNLESS_PASSED:
		snprintf(buf, size, "未考试合格（需 passed: true）");
		break;
	case XF_EX_HALF_ATTENDED:
		snprintf(buf, size, "实际听课 %d 分钟，未达到课程时间 %d 分钟的一半",
			 (int)rec->attended, (int)rec->minutes);
		break;
	case XF_EX_NOT_COMPLETED:
		snprintf(buf, size, "课程未完成");
		break;
	case XF_EX_ONLINE_INCOMPLETE:
		snprintf(buf, size, "网络学习未完成相应时长");
		break;
	case XF_EX_MIN_UNITS:
		snprintf(buf, size, "数量不足 %g，不计学分", it->min_units);
		break;
	default:
		snprintf(buf, size, "不计学分");
	}
}

static const char *unit_word(xf_per per)
{
	switch (per) {
	case XF_PER_COUNT: return "次/篇/本";
	case XF_PER_DAY: return "天";
	case XF_PER_MONTH: return "个月";
	case XF_PER_HOUR: return "学时";
	case XF_PER_CLASS_HOUR: return "学时";
	case XF_PER_SESSION: return "次";
	case XF_PER_YEAR: return "年";
	case XF_PER_CREDITS: return "学分";
	case XF_PER_METRIC: return "";
	}
	return "";
}

/* A person's records keep their input order, so their indexes ascend. */
static const xf_record *find_record(const xf_input *in, int32_t index)
{
	size_t lo = 0, hi = in->nrecords;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int32_t at = (int32_t)in->records[mid].index;
		if (at == index)
			return &in->records[mid];
		if (at < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void trace_record_value(xf_results_out *o, const xf_input *in,
			       const xf_trace_event *e)
{
	xf_jw *w = &o->jw;
	const xf_item *it = &o->p->items[e->item];
	const xf_record *rec = find_record(in, e->index);
	char text[256], level[64] = "";
	if (rec && rec->level >= 0 && it->level_points)
		snprintf(level, sizeof(level), "（%s）", o->p->levels[(int)rec->level].name);
	bool doubled = rec && (rec->bits & XF_R_AWARDED) && it->awarded_multiplier != 1;
	char mult[64] = "";
	if (doubled)
		snprintf(mult, sizeof(mult), " × %g（获奖加倍）", it->awarded_multiplier);
	snprintf(text, sizeof(text), "%s%s：%g %s × %g 分%s = %g 学分", it->name, level,
		 xf_round2(e->b), unit_word(it->per), xf_round2(e->c), mult, xf_round2(e->a));
	xf_jw_kint(w, "record", e->index);
	xf_jw_kstr(w, "item", it->key);
	xf_jw_kcredits(w, "value", e->a);
	xf_jw_knum(w, "units", xf_round2(e->b));
	xf_jw_knum(w, "points", xf_round2(e->c));
	xf_jw_kstr(w, "text", text);
}

static void trace_event(xf_results_out *o, const xf_input *in, const xf_trace_event *e)
{
	xf_jw *w = &o->jw;
	const xf_policy *p = o->p;
	char text[256];
	xf_jw_obj(w);
	switch (e->kind) {
	case XF_T_VALUE:
		trace_record_value(o, in, e);
		break;
	case XF_T_EXCLUDED: {
		const xf_item *it = &p->items[e->item];
		const xf_record *rec = find_record(in, e->index);
		xf_jw_kint(w, "record", e->index);
		xf_jw_kstr(w, "item", it->key);
		xf_jw_kstr(w, "excluded", xf_exclusion_key((uint32_t)e->other));
		if (rec)
			xf_exclusion_text(it, rec, (uint32_t)e->other, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "不计学分");
		xf_jw_kstr(w, "text", text);
		break;
	}
	case XF_T_OTHER_YEAR:
		if (e->index >= 0) {
			xf_jw_kint(w, "record", e->index);
			xf_jw_kstr(w, "item", p->items[e->item].key);
		} else {
			xf_jw_kint(w, "metric", -1 - (long long)e->index);
		}
		xf_jw_kstr(w, "excluded", "other_year");
		snprintf(text, sizeof(text), "不属于 %d 年度，不计入本年", o->year);
		xf_jw_kstr(w, "text", text);
		break;
	case XF_T_NOT_RECORD:
		xf_jw_kint(w, "record", e->index);
		xf_jw_kstr(w, "item", p->items[e->item].key);
		xf_jw_kstr(w, "excluded", "metric_item");
		xf_jw_kstr(w, "text", "该项目按月度积分（metrics）计算，记录本身不计分");
		break;
	case XF_T_ONCE:
		xf_jw_kint(w, "record", e->index);
		xf_jw_kstr(w, "item", p->items[e->item].key);
		xf_jw_kstr(w, "excluded", "once_a_year");
		xf_jw_kstr(w, "text", "该项目每年只计一次");
		break;
	case XF_T_ACTIVITY:
		xf_jw_kstr(w, "item", p->items[e->item].key);
		xf_jw_kint(w, "kept", e->index);
		xf_jw_kint(w, "dropped", e->other);
		xf_jw_kcredits(w, "kept_value", e->a);
		xf_jw_kcredits(w, "dropped_value", e->b);
		xf_jw_kstr(w, "text", "同一活动（activity）只按最高分值计一次，不累计计分");
		break;
	case XF_T_METRIC: {
		const xf_item *it = &p->items[e->item];
		char month[16];
		snprintf(month, sizeof(month), "%04d-%02d", o->year % 10000, e->other % 100);
		xf_jw_kint(w, "metric", e->index);
		xf_jw_kstr(w, "item", it->key);
		xf_jw_kstr(w, "month", month);
		xf_jw_knum(w, "value", e->a);
		xf_jw_kcredits(w, "points", e->b);
		snprintf(text, sizeof(text), "%s 月增量 %g 分：超过 %g 分的部分每 %g 分计 %g 学分，得 %g 学分",
			 month, e->a, it->step_above, it->step_size, it->points, e->b);
		xf_jw_kstr(w, "text", text);
		break;
	}
	case XF_T_ITEM_CAP: {
		const xf_item *it = &p->items[e->item];
		xf_jw_kstr(w, "cap", "item");
		xf_jw_kstr(w, "item", it->key);
		xf_jw_kcredits(w, "before", e->a);
		xf_jw_kcredits(w, "after", e->b);
		snprintf(text, sizeof(text), "%s 最高计 %g 学分（原为 %g）", it->name, e->b,
			 xf_round2(e->a));
		xf_jw_kstr(w, "text", text);
		break;
	}
	case XF_T_CAT_CAP: {
		const xf_category *c = &p->categories[e->other];
		xf_jw_kstr(w, "cap", "category");
		xf_jw_kstr(w, "category", c->key);
		xf_jw_kcredits(w, "before", e->a);
		xf_jw_kcredits(w, "after", e->b);
		snprintf(text, sizeof(text), "“%s”满分 %g 学分（原为 %g）", c->name, e->b,
			 xf_round2(e->a));
		xf_jw_kstr(w, "text", text);
		break;
	}
	case XF_T_MONTHS:
		xf_jw_kint(w, "months", (long long)e->a);
		snprintf(text, sizeof(text), "本年度计入学习时间 %d 个月", (int)e->a);
		xf_jw_kstr(w, "text", text);
		break;
	case XF_T_EXEMPT:
		xf_jw_kstr(w, "exempt", p->exempt[e->other].reason);
		snprintf(text, sizeof(text), "%s，不参加本年度考核", p->exempt[e->other].name);
		xf_jw_kstr(w, "text", text);
		break;
	case XF_T_ANNUALISE:
		xf_jw_kstr(w, "final", "annualised");
		snprintf(text, sizeof(text),
			 "任职 %d 个月，按每月 %g 分折算全年：%g × %g ÷ (%g × %d) = %g（最高 %g）",
			 (int)e->c, p->annualise_per_month, e->a, p->annualise_full,
			 p->annualise_per_month, (int)e->c, e->b, p->annualise_full);
		xf_jw_kstr(w, "text", text);
		break;
	case XF_T_GRADE_VETO:
		if (e->a == 0) {
			xf_jw_kstr(w, "grade_veto", p->flags[e->other].key);
			snprintf(text, sizeof(text), "%s，当年直接记为%s", p->flags[e->other].name,
				 p->grades[p->fail_grade].name);
		} else {
			xf_jw_kstr(w, "grade_veto", p->categories[e->other].key);
			snprintf(text, sizeof(text), "“%s”未达到单项合格分，当年直接记为%s",
				 p->categories[e->other].name, p->grades[p->fail_grade].name);
		}
		xf_jw_kstr(w, "text", text);
		break;
	}
	xf_jw_obj_end(w);
}

void xf_results_totals(xf_jw *w, const xf_policy *p, const xf_result *r)
{
	if (r->has_total) {
		xf_jw_kcredits(w, "total", r->total);
		xf_jw_kcredits(w, "final", r->final);
	} else {
		xf_jw_knull(w, "total");
		xf_jw_knull(w, "final");
	}
	if (r->has_required)
		xf_jw_kcredits(w, "required", r->required);
	else
		xf_jw_knull(w, "required");
	if (r->met == XF_NULL)
		xf_jw_knull(w, "met");
	else
		xf_jw_kbool(w, "met", r->met == XF_TRUE);
	xf_jw_kstr(w, "grade", r->grade >= 0 ? p->grades[r->grade].key : NULL);
}

void xf_results_person(xf_results_out *o, const xf_input *in, const xf_result *r,
		       bool award_candidate, const xf_trace *trace)
{
	xf_jw *w = &o->jw;
	const xf_policy *p = o->p;

	xf_jw_obj(w);
	xf_jw_kstr(w, "id", in->person->id);
	xf_jw_kbool(w, "exempt", r->exempt);
	xf_jw_kstr(w, "exempt_reason", r->exempt ? p->exempt[r->exempt_rule].reason : NULL);

	xf_jw_key(w, "categories");
	xf_jw_obj(w);
	for (int c = 0; c < p->ncategories; c++)
		xf_jw_kcredits(w, p->categories[c].key, r->categories[c]);
	xf_jw_obj_end(w);
	xf_jw_key(w, "items");
	xf_jw_obj(w);
	for (int i = 0; i < p->nitems; i++)
		xf_jw_kcredits(w, p->items[i].key, r->items[i]);
	xf_jw_obj_end(w);

	xf_results_totals(w, p, r);

	xf_jw_key(w, "passed_items");
	xf_jw_obj(w);
	for (int c = 0; c < p->ncategories; c++)
		if (p->categories[c].has_pass)
			xf_jw_kbool(w, p->categories[c].key, (r->passed >> c) & 1u);
	xf_jw_obj_end(w);

	xf_jw_key(w, "flags");
	xf_jw_arr(w);
	for (int f = 0; f < p->nresult_flags; f++)
		if ((r->result_flags >> f) & 1u)
			xf_jw_str(w, p->result_flags[f].key);
	xf_jw_arr_end(w);
	xf_jw_kbool(w, "award_candidate", award_candidate);

	for (int k = 0; k < p->nitem_outputs; k++)
		xf_jw_kcredits(w, p->item_outputs[k].key, r->items[p->item_outputs[k].item]);
	if (p->has_growth) {
		xf_jw_knum(w, p->growth_key, xf_round2(r->growth));
		for (int g = 0; g < p->ngrowth_flags; g++)
			xf_jw_kbool(w, p->growth_flags[g].key, (r->growth_flags >> g) & 1u);
	}
	if (r->has_scores) {
		xf_jw_kcredits(w, "self_total", r->self_total);
		xf_jw_kcredits(w, "review_total", r->review_total);
	}
	if (trace) {
		xf_jw_key(w, "trace");
		xf_jw_arr(w);
		for (size_t i = 0; i < trace->n; i++)
			trace_event(o, in, &trace->ev[i]);
		if (trace->oom) {
			xf_jw_obj(w);
			xf_jw_kstr(w, "text", "内存不足，说明不完整 (trace incomplete: out of memory)");
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
	}
	xf_jw_obj_end(w);
}

static void write_groups(xf_results_out *o, const xf_group *g)
{
	xf_jw *w = &o->jw;
	const xf_unit_result *units;
	size_t n = xf_group_units(g, &units);

	xf_jw_key(w, "branches");
	xf_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "id", units[i].id);
		xf_jw_kint(w, "members", units[i].members);
		xf_jw_knum(w, "total", xf_round2(units[i].total));
		xf_jw_kcredits(w, "average", units[i].average);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	if (o->p->best_group)
		xf_jw_kstr(w, "best_branch", xf_group_best(g));
	if (o->p->bottom_n <= 0)
		return;
	xf_jw_key(w, "quarters");
	xf_jw_arr(w);
	for (int q = 0; q < 4; q++) {
		for (size_t i = 0; i < n; i++) {
			xf_jw_obj(w);
			xf_jw_kint(w, "quarter", q + 1);
			xf_jw_kstr(w, "branch", units[i].id);
			xf_jw_key(w, "bottom");
			xf_jw_arr(w);
			for (int k = 0; k < units[i].nbottom[q]; k++)
				xf_jw_str(w, units[i].bottom[q][k]);
			xf_jw_arr_end(w);
			xf_jw_obj_end(w);
		}
	}
	xf_jw_arr_end(w);
}

void xf_results_end(xf_results_out *o, const xf_group *g)
{
	xf_jw_arr_end(&o->jw);
	if (o->p->has_groups && g != NULL)
		write_groups(o, g);
	xf_jw_obj_end(&o->jw);
}
