/* api_policy: the policies (学分办法) as data for the web UI's 学分办法 page —
 * the list of shipped policies, and one policy with its scoring table
 * (附件1 学分计分标准: categories, items, values by level, caps),
 * requirements, exemptions, grades, awards, growth rules and score card,
 * plus the whole Chinese text `xuefen policy show` prints.
 *
 * Policies are public within the organisation: any signed-in user may read
 * them. Only shipped (built-in) policies are served; a policy the database
 * names by a file path is never read from a request (it would let a caller
 * make the server open files). docs/api.md documents the routes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "policy/policy.h"

/* A number, or null when it is not finite (a level the item does not take,
 * no cap). */
static void num_or_null(xf_jw *w, const char *key, double v)
{
	if (isfinite(v))
		xf_jw_knum(w, key, v);
	else
		xf_jw_knull(w, key);
}

static const char *per_key(xf_per per)
{
	switch (per) {
	case XF_PER_COUNT: return "count";
	case XF_PER_DAY: return "day";
	case XF_PER_MONTH: return "month";
	case XF_PER_HOUR: return "hour";
	case XF_PER_CLASS_HOUR: return "class_hour";
	case XF_PER_SESSION: return "session";
	case XF_PER_YEAR: return "year";
	case XF_PER_CREDITS: return "credits";
	case XF_PER_METRIC: return "metric";
	}
	return "count";
}

/* The 计分单位 column as the annex writes it; buf holds 64 bytes. */
static const char *per_name(const xf_item *it, char *buf, size_t size)
{
	switch (it->per) {
	case XF_PER_COUNT: return "每次/篇/本";
	case XF_PER_DAY: return "每天";
	case XF_PER_MONTH: return "每月";
	case XF_PER_HOUR: return "每学时";
	case XF_PER_CLASS_HOUR:
		snprintf(buf, size, "每学时（%d分钟）", it->class_hour_minutes);
		return buf;
	case XF_PER_SESSION:
		snprintf(buf, size, "每次（%d天内计一次）", it->session_days);
		return buf;
	case XF_PER_YEAR: return "每年一次";
	case XF_PER_CREDITS: return "按指定学分";
	case XF_PER_METRIC: return "按月积分增量";
	}
	return "";
}

static void write_item(xf_jw *w, const xf_policy *p, const xf_item *it)
{
	char buf[64];
	xf_jw_obj(w);
	xf_jw_kstr(w, "key", it->key);
	xf_jw_kstr(w, "name", it->name);
	xf_jw_kstr(w, "article", it->article);
	xf_jw_kstr(w, "per", per_key(it->per));
	xf_jw_kstr(w, "per_name", per_name(it, buf, sizeof(buf)));
	if (it->level_points) {
		xf_jw_knull(w, "points");
		xf_jw_key(w, "levels");
		xf_jw_obj(w);
		for (int l = 0; l < p->nlevels; l++)
			num_or_null(w, p->levels[l].key, it->level_points[l]);
		xf_jw_obj_end(w);
	} else {
		if (it->per == XF_PER_CREDITS)
			xf_jw_knull(w, "points");
		else
			num_or_null(w, "points", it->points);
		xf_jw_knull(w, "levels");
	}
	num_or_null(w, "speaker_points", it->speaker_points);
	if (it->awarded_multiplier != 1)
		num_or_null(w, "awarded_multiplier", it->awarded_multiplier);
	else
		xf_jw_knull(w, "awarded_multiplier");
	num_or_null(w, "cap", it->cap);
	if (it->per == XF_PER_METRIC && it->metric >= 0 && it->metric < p->nmetrics) {
		xf_jw_kstr(w, "metric", p->metrics[it->metric]);
		xf_jw_knum(w, "step_above", it->step_above);
		xf_jw_knum(w, "step_size", it->step_size);
	} else {
		xf_jw_knull(w, "metric");
	}
	xf_jw_obj_end(w);
}

static void write_categories(xf_jw *w, const xf_policy *p)
{
	xf_jw_key(w, "categories");
	xf_jw_arr(w);
	for (int c = 0; c < p->ncategories; c++) {
		const xf_category *cat = &p->categories[c];
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", cat->key);
		xf_jw_kstr(w, "name", cat->name);
		xf_jw_kstr(w, "article", cat->article);
		num_or_null(w, "cap", cat->cap);
		if (cat->has_pass) {
			xf_jw_key(w, "pass");
			xf_jw_obj(w);
			xf_jw_knum(w, "min", cat->pass_min);
			xf_jw_key(w, "counts");
			xf_jw_arr(w);
			for (int k = 0; k < cat->npass_counts; k++) {
				int i = cat->pass_count_items[k];
				xf_jw_obj(w);
				xf_jw_kstr(w, "item", p->items[i].key);
				xf_jw_kstr(w, "item_name", p->items[i].name);
				xf_jw_knum(w, "min", cat->pass_count_min[k]);
				xf_jw_obj_end(w);
			}
			xf_jw_arr_end(w);
			xf_jw_obj_end(w);
		} else {
			xf_jw_knull(w, "pass");
		}
		xf_jw_key(w, "items");
		xf_jw_arr(w);
		for (int i = cat->first_item; i < cat->first_item + cat->nitems && i < p->nitems; i++)
			write_item(w, p, &p->items[i]);
		xf_jw_arr_end(w);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

static void write_requirement(xf_jw *w, const xf_policy *p)
{
	xf_jw_key(w, "requirement");
	if (!p->has_required) {
		xf_jw_null(w);
		return;
	}
	xf_jw_obj(w);
	if (p->nroles > 0)
		xf_jw_knull(w, "required");
	else
		xf_jw_knum(w, "required", p->required);
	xf_jw_key(w, "roles");
	xf_jw_arr(w);
	for (int r = 0; r < p->nroles; r++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->roles[r].key);
		xf_jw_kstr(w, "name", p->roles[r].name);
		xf_jw_knum(w, "required", p->roles[r].required);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_kbool(w, "prorate", p->prorate);
	xf_jw_key(w, "items");
	xf_jw_arr(w);
	for (int k = 0; k < p->nrequire_items; k++) {
		int i = p->require_items[k];
		xf_jw_obj(w);
		xf_jw_kstr(w, "item", p->items[i].key);
		xf_jw_kstr(w, "item_name", p->items[i].name);
		xf_jw_knum(w, "min", p->require_item_min[k]);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_obj_end(w);
}

static void write_rules(xf_jw *w, const xf_policy *p)
{
	xf_jw_key(w, "exempt");
	xf_jw_arr(w);
	for (int e = 0; e < p->nexempt; e++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "reason", p->exempt[e].reason);
		xf_jw_kstr(w, "name", p->exempt[e].name);
		xf_jw_kstr(w, "article", p->exempt[e].article);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);

	xf_jw_key(w, "grades");
	xf_jw_arr(w);
	for (int g = 0; g < p->ngrades; g++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->grades[g].key);
		xf_jw_kstr(w, "name", p->grades[g].name);
		xf_jw_knum(w, "min", p->grades[g].min);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);

	xf_jw_key(w, "flags");
	xf_jw_arr(w);
	for (int f = 0; f < p->nflags; f++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->flags[f].key);
		xf_jw_kstr(w, "name", p->flags[f].name);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);

	xf_jw_key(w, "award");
	if (p->has_award) {
		xf_jw_obj(w);
		xf_jw_knum(w, "quota", p->award_quota);
		xf_jw_kbool(w, "needs_met", p->award_needs_met);
		xf_jw_obj_end(w);
	} else {
		xf_jw_null(w);
	}

	xf_jw_key(w, "growth");
	if (p->has_growth) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->growth_key);
		xf_jw_kstr(w, "metric", p->growth_metric >= 0 && p->growth_metric < p->nmetrics
					       ? p->metrics[p->growth_metric]
					       : NULL);
		xf_jw_key(w, "marks");
		xf_jw_arr(w);
		for (int g = 0; g < p->ngrowth_flags; g++) {
			xf_jw_obj(w);
			xf_jw_kstr(w, "key", p->growth_flags[g].key);
			xf_jw_kstr(w, "name", p->growth_flags[g].name);
			xf_jw_knum(w, "min", p->growth_flags[g].min);
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		if (p->has_groups) {
			xf_jw_kstr(w, "group_name", p->group_name);
			xf_jw_kint(w, "bottom_n", p->bottom_n);
			xf_jw_kbool(w, "best_group", p->best_group);
		}
		xf_jw_obj_end(w);
	} else {
		xf_jw_null(w);
	}

	xf_jw_key(w, "scorecard");
	xf_jw_arr(w);
	for (int s = 0; s < p->nsections; s++) {
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->sections[s].key);
		xf_jw_kstr(w, "name", p->sections[s].name);
		xf_jw_knum(w, "max", p->sections[s].max);
		xf_jw_key(w, "lines");
		xf_jw_arr(w);
		for (int l = 0; l < p->nlines; l++) {
			if (p->lines[l].section != s)
				continue;
			xf_jw_obj(w);
			xf_jw_kstr(w, "key", p->lines[l].key);
			xf_jw_kstr(w, "name", p->lines[l].name);
			xf_jw_knum(w, "max", p->lines[l].max);
			xf_jw_obj_end(w);
		}
		xf_jw_arr_end(w);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
}

/* The shipped policy named id, or NULL (not shipped). */
static const xf_builtin_policy *builtin(const char *id)
{
	for (size_t i = 0; i < xf_builtin_policy_count; i++)
		if (strcmp(xf_builtin_policies[i].id, id) == 0)
			return &xf_builtin_policies[i];
	return NULL;
}

void api_policies_list(api_ctx *c)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_jw w;
	api_json(c, 200, &w);
	xf_jw_obj(&w);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	for (size_t i = 0; i < xf_builtin_policy_count; i++) {
		const xf_policy *p = xf_policy_builtin_shared(xf_builtin_policies[i].id, &errs);
		if (p == NULL)
			continue;
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "id", p->id);
		xf_jw_kstr(&w, "title", p->title);
		xf_jw_kstr(&w, "source", p->source);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	if (errs.n)
		fprintf(stderr, "xuefen: policies: %s\n", errs.msgs[0]);
	xf_errs_cleanup(&errs);
}

void api_policy_get(api_ctx *c)
{
	const char *id = c->req->params[0];
	xf_errs errs;
	xf_errs_init(&errs);
	const xf_policy *p = builtin(id) ? xf_policy_builtin_shared(id, &errs) : NULL;
	char *text = NULL;
	size_t text_len = 0;
	FILE *tf = NULL;
	if (p == NULL) {
		if (builtin(id))
			api_internal(c, &errs);
		else
			api_error(c, 404, "no_policy", "没有这个学分办法（仅可查看内置的学分办法）");
		goto out;
	}
	tf = open_memstream(&text, &text_len);
	if (tf == NULL) {
		api_internal(c, NULL);
		goto out;
	}
	xf_policy_show(p, tf);
	if (fclose(tf) != 0) {
		tf = NULL;
		api_internal(c, NULL);
		goto out;
	}
	tf = NULL;

	xf_jw w;
	api_json(c, 200, &w);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "id", p->id);
	xf_jw_kstr(&w, "title", p->title);
	xf_jw_kstr(&w, "source", p->source);
	xf_jw_key(&w, "levels");
	xf_jw_arr(&w);
	for (int l = 0; l < p->nlevels; l++) {
		xf_jw_obj(&w);
		xf_jw_kstr(&w, "key", p->levels[l].key);
		xf_jw_kstr(&w, "name", p->levels[l].name);
		xf_jw_obj_end(&w);
	}
	xf_jw_arr_end(&w);
	write_categories(&w, p);
	write_requirement(&w, p);
	write_rules(&w, p);
	xf_jw_kstr(&w, "text", text);
	xf_jw_obj_end(&w);
out:
	if (tf)
		fclose(tf);
	free(text);
	xf_errs_cleanup(&errs);
}
