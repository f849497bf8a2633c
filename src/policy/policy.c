/* policy: the life of a compiled policy outside the YAML reader: finding it
 * (shipped id or file path), freeing it, and looking its parts up by key. */
#include "policy/policy.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

/* Policy files are small; refuse anything absurd before parsing it. */
#define XF_POLICY_FILE_MAX ((size_t)16 << 20)

static void free_item(xf_item *it)
{
	free(it->key);
	free(it->name);
	free(it->article);
	free(it->level_points);
}

static void free_category(xf_category *c)
{
	free(c->key);
	free(c->name);
	free(c->article);
	free(c->pass_count_items);
	free(c->pass_count_min);
}

static void free_named(xf_policy *p)
{
	for (int i = 0; i < p->nlevels; i++) {
		free(p->levels[i].key);
		free(p->levels[i].name);
	}
	for (int i = 0; i < p->nflags; i++) {
		free(p->flags[i].key);
		free(p->flags[i].name);
	}
	for (int i = 0; i < p->nkinds; i++)
		free(p->kinds[i]);
	for (int i = 0; i < p->nmetrics; i++)
		free(p->metrics[i]);
	for (int i = 0; i < p->nroles; i++) {
		free(p->roles[i].key);
		free(p->roles[i].name);
	}
	free(p->levels);
	free(p->flags);
	free(p->kinds);
	free(p->metrics);
	free(p->roles);
}

static void free_rules(xf_policy *p)
{
	for (int i = 0; i < p->nexempt; i++) {
		free(p->exempt[i].reason);
		free(p->exempt[i].name);
		free(p->exempt[i].article);
	}
	for (int i = 0; i < p->ngrades; i++) {
		free(p->grades[i].key);
		free(p->grades[i].name);
	}
	for (int i = 0; i < p->nresult_flags; i++) {
		free(p->result_flags[i].key);
		free(p->result_flags[i].name);
		free(p->result_flags[i].article);
	}
	for (int i = 0; i < p->nitem_outputs; i++)
		free(p->item_outputs[i].key);
	for (int i = 0; i < p->ngrowth_flags; i++) {
		free(p->growth_flags[i].key);
		free(p->growth_flags[i].name);
	}
	free(p->exempt);
	free(p->grades);
	free(p->result_flags);
	free(p->item_outputs);
	free(p->growth_flags);
	free(p->require_items);
	free(p->require_item_min);
}

static void free_scorecard(xf_policy *p)
{
	for (int i = 0; i < p->nsections; i++) {
		free(p->sections[i].key);
		free(p->sections[i].name);
	}
	for (int i = 0; i < p->nlines; i++) {
		free(p->lines[i].key);
		free(p->lines[i].name);
	}
	free(p->sections);
	free(p->lines);
}

void xf_policy_free(xf_policy *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->ncategories; i++)
		free_category(&p->categories[i]);
	for (int i = 0; i < p->nitems; i++)
		free_item(&p->items[i]);
	free(p->categories);
	free(p->items);
	free_named(p);
	free_rules(p);
	free_scorecard(p);
	free(p->growth_key);
	free(p->group_name);
	free(p->id);
	free(p->title);
	free(p->source);
	free(p->path);
	free(p);
}

/* ---- Lookups (linear: a policy has at most a few hundred keys) ------- */

/* Index of the entry of base[0..n) (entries `stride` bytes apart) whose
 * char * at byte `off` equals key; -1 when none. */
static int find_key(const void *base, int n, size_t stride, size_t off,
		    const char *key)
{
	if (key == NULL || base == NULL)
		return -1;
	const char *b = base;
	for (int i = 0; i < n; i++) {
		const char *k;
		memcpy(&k, b + (size_t)i * stride + off, sizeof(k));
		if (k != NULL && strcmp(k, key) == 0)
			return i;
	}
	return -1;
}

#define FIND_KEY(arr, n, type)                                           \
	find_key((arr), (n), sizeof(type), offsetof(type, key), key)

const char *xf_item_measure(const xf_item *it)
{
	switch (it->per) {
	case XF_PER_DAY: return "天";
	case XF_PER_MONTH: return "个月";
	case XF_PER_HOUR:
	case XF_PER_CLASS_HOUR: return "学时";
	case XF_PER_SESSION: return "次";
	case XF_PER_YEAR: return "年";
	case XF_PER_CREDITS: return "学分";
	case XF_PER_METRIC: return "分";
	case XF_PER_COUNT: break;
	}
	static const char *const pieces[] = {"心得", "文章", "简报", "论文", "报告", "稿"};
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		if (strstr(it->name, pieces[i]))
			return "篇";
	return strstr(it->name, "书") ? "本" : "次";
}

int xf_policy_item(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->items, p->nitems, xf_item);
}

int xf_policy_category(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->categories, p->ncategories, xf_category);
}

int xf_policy_level(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->levels, p->nlevels, xf_level);
}

int xf_policy_role(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->roles, p->nroles, xf_role);
}

int xf_policy_flag(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->flags, p->nflags, xf_flag);
}

int xf_policy_kind(const xf_policy *p, const char *key)
{
	return find_key(p->kinds, p->nkinds, sizeof(char *), 0, key);
}

int xf_policy_metric(const xf_policy *p, const char *key)
{
	return find_key(p->metrics, p->nmetrics, sizeof(char *), 0, key);
}

int xf_policy_line(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->lines, p->nlines, xf_line);
}

int xf_policy_grade(const xf_policy *p, const char *key)
{
	return FIND_KEY(p->grades, p->ngrades, xf_grade_band);
}

/* ---- Loading and resolving -------------------------------------------- */

xf_policy *xf_policy_load_file(const char *path, xf_errs *errs)
{
	char *text = NULL;
	size_t len = 0;
	if (xf_file_read(path, XF_POLICY_FILE_MAX, &text, &len, errs) != 0)
		return NULL;
	xf_policy *p = xf_policy_parse(text, len, path, errs);
	free(text);
	return p;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static bool is_path(const char *ref)
{
	return strchr(ref, '/') != NULL || ends_with(ref, ".yaml") ||
	       ends_with(ref, ".yml");
}

static xf_policy *load_builtin(const char *id, xf_errs *errs)
{
	for (size_t i = 0; i < xf_builtin_policy_count; i++) {
		const xf_builtin_policy *b = &xf_builtin_policies[i];
		if (strcmp(b->id, id) != 0)
			continue;
		char name[128];
		snprintf(name, sizeof(name), "builtin:%s", b->id);
		return xf_policy_parse(b->text, b->len, name, errs);
	}
	char known[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < xf_builtin_policy_count && used < sizeof(known);
	     i++) {
		int k = snprintf(known + used, sizeof(known) - used, "%s%s",
				 i ? ", " : "", xf_builtin_policies[i].id);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	xf_errs_add(errs, "%s: 未知的学分办法；内置的有：%s (unknown policy; "
		    "shipped policies: %s)", id, known, known);
	return NULL;
}

xf_policy *xf_policy_resolve(const char *ref, const char *base_dir,
			     xf_errs *errs)
{
	if (ref == NULL || ref[0] == '\0') {
		xf_errs_add(errs, "policy: 缺少学分办法 (no policy given)");
		return NULL;
	}
	if (!is_path(ref))
		return load_builtin(ref, errs);
	if (ref[0] == '/' || base_dir == NULL || access(ref, F_OK) == 0)
		return xf_policy_load_file(ref, errs);
	size_t lb = strlen(base_dir), lr = strlen(ref);
	char *joined = malloc(lb + lr + 2);
	if (joined == NULL) {
		xf_errs_add(errs, "%s: 内存不足 (out of memory)", ref);
		return NULL;
	}
	memcpy(joined, base_dir, lb);
	joined[lb] = '/';
	memcpy(joined + lb + 1, ref, lr + 1);
	xf_policy *p = NULL;
	if (access(joined, F_OK) == 0)
		p = xf_policy_load_file(joined, errs);
	else
		xf_errs_add(errs, "%s: 找不到学分办法文件（也试过 %s）(policy "
			    "file not found; also tried %s)", ref, joined,
			    joined);
	free(joined);
	return p;
}
