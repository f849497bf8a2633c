/* claims_form: the claim form's checking (see claims.h) — which fields an
 * item asks for, the canonical JSON of a claim's facts and text, the
 * checks of a create or an update against the claimant's policy, and the
 * row, visibility and policy look-ups the state machine (claims.c) and
 * the views (claims_view.c) share.
 *
 * Messages name the field the way the request does ("fields.level（级别）：
 * 应为 ..."), one per problem, so a form can mark every wrong field at
 * once. */
#include "service/claims.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/utf8.h"
#include "service/assess_load.h"
#include "service/scope.h"
#include "store/query.h"

#define BIND_MSG XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")
#define TEXT_MAX_CHARS 1000     /* content, place, host, mode, book, author */
#define LONG_TEXT_MAX_CHARS 5000 /* summary, reflection, quotes */
#define B(f) (1u << (f))

const char *const xf_claim_field_names[XF_CF_NFIELDS] = {
	"date", "level", "count", "days", "months", "hours", "minutes", "attended_minutes",
	"score", "passed", "completed", "online", "kind", "awarded", "speaker", "credits",
};

const char *const xf_claim_field_labels[XF_CF_NFIELDS] = {
	"日期", "级别", "次数", "天数", "月数", "学时", "时长（分钟）", "实际听课时长（分钟）",
	"成绩", "是否考核合格", "是否完成", "是否网络学习", "类型", "是否获奖", "是否主讲或发言",
	"学分",
};

/* How each field is checked: its JSON type and, for numbers, the range. */
typedef enum ftype { FT_DATE, FT_LEVEL, FT_KIND, FT_INT, FT_NUM, FT_BOOL } ftype;
static const struct {
	ftype t;
	double lo, hi;
} field_spec[XF_CF_NFIELDS] = {
	[XF_CF_DATE] = {FT_DATE, 0, 0},
	[XF_CF_LEVEL] = {FT_LEVEL, 0, 0},
	[XF_CF_COUNT] = {FT_INT, 1, 1000},
	[XF_CF_DAYS] = {FT_INT, 1, 366},
	[XF_CF_MONTHS] = {FT_INT, 1, 12},
	[XF_CF_HOURS] = {FT_NUM, 0.1, 10000},
	[XF_CF_MINUTES] = {FT_INT, 1, 100000},
	[XF_CF_ATTENDED_MINUTES] = {FT_INT, 0, 100000},
	[XF_CF_SCORE] = {FT_NUM, 0, 1000},
	[XF_CF_PASSED] = {FT_BOOL, 0, 0},
	[XF_CF_COMPLETED] = {FT_BOOL, 0, 0},
	[XF_CF_ONLINE] = {FT_BOOL, 0, 0},
	[XF_CF_KIND] = {FT_KIND, 0, 0},
	[XF_CF_AWARDED] = {FT_BOOL, 0, 0},
	[XF_CF_SPEAKER] = {FT_BOOL, 0, 0},
	[XF_CF_CREDITS] = {FT_NUM, 0.01, 1000},
};

/* The form's text (附件3, 附件4): key, label, length limit, required at
 * submit. */
typedef struct detail_def {
	const char *key, *label;
	int max;
	bool required;
} detail_def;

static const detail_def claim_details[] = {
	{"content", "学习内容", TEXT_MAX_CHARS, true},
	{"place", "学习地点", TEXT_MAX_CHARS, false},
	{"host", "主办单位", TEXT_MAX_CHARS, false},
	{"mode", "学习方式", TEXT_MAX_CHARS, false},
	{NULL, NULL, 0, false},
};

static const detail_def self_study_details[] = {
	{"book", "学习书目名称", TEXT_MAX_CHARS, true},
	{"author", "作者", TEXT_MAX_CHARS, true},
	{"summary", "主要内容", LONG_TEXT_MAX_CHARS, true},
	{"reflection", "学习心得", LONG_TEXT_MAX_CHARS, true},
	{"quotes", "美言美句摘抄", LONG_TEXT_MAX_CHARS, false},
	{NULL, NULL, 0, false},
};

static const detail_def *details_of(const char *form)
{
	return strcmp(form, "self_study") == 0 ? self_study_details : claim_details;
}

/* ---- small things ---- */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

/* Today (server clock, local time) as yyyymmdd. */
static xf_date today(void)
{
	time_t t = xf_clock_now();
	struct tm tm;
	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

const char *xf_claim_clip(const char *s, size_t max, char *buf, size_t size)
{
	size_t n = s ? strlen(s) : 0;
	if (size == 0)
		return "";
	if (n > max)
		n = max;
	if (n > size - 1)
		n = size - 1;
	/* A cut inside a character drops the whole character. */
	if (s && s[n] != '\0')
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	if (n)
		memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

const char *xf_claim_status_label(const char *status)
{
	static const char *const map[][2] = {
		{"draft", "草稿"}, {"submitted", "待审核"}, {"reviewed", "待审批"},
		{"approved", "已通过"}, {"rejected", "已驳回"}, {"withdrawn", "已撤回"},
	};
	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], status) == 0)
			return map[i][1];
	return status ? status : "";
}

/* ---- items and their fields ---- */

void xf_claim_item_fields(const xf_policy *p, int item, xf_claim_item_info *out)
{
	memset(out, 0, sizeof(*out));
	if (p == NULL || item < 0 || item >= p->nitems)
		return;
	const xf_item *it = &p->items[item];
	uint32_t a = B(XF_CF_DATE), r = B(XF_CF_DATE), ex = it->exclude;
	out->claimable = it->per != XF_PER_METRIC;
	if (!out->claimable)
		return;
	if (it->level_points) {
		a |= B(XF_CF_LEVEL);
		r |= B(XF_CF_LEVEL);
	}
	switch (it->per) {
	case XF_PER_COUNT: a |= B(XF_CF_COUNT); break;
	case XF_PER_DAY: a |= B(XF_CF_DAYS); break;
	case XF_PER_SESSION: a |= B(XF_CF_DAYS) | B(XF_CF_ONLINE); break;
	case XF_PER_MONTH: a |= B(XF_CF_MONTHS); r |= B(XF_CF_MONTHS); break;
	case XF_PER_HOUR: a |= B(XF_CF_HOURS); r |= B(XF_CF_HOURS); break;
	case XF_PER_CLASS_HOUR: a |= B(XF_CF_MINUTES); r |= B(XF_CF_MINUTES); break;
	case XF_PER_CREDITS: a |= B(XF_CF_CREDITS); r |= B(XF_CF_CREDITS); break;
	case XF_PER_YEAR:
	case XF_PER_METRIC: break;
	}
	if (ex & (XF_EX_MIN_MINUTES | XF_EX_HALF_ATTENDED)) {
		a |= B(XF_CF_MINUTES);
		r |= B(XF_CF_MINUTES);
	}
	if (ex & XF_EX_HALF_ATTENDED) {
		a |= B(XF_CF_ATTENDED_MINUTES);
		r |= B(XF_CF_ATTENDED_MINUTES);
	}
	if (ex & XF_EX_MIN_SCORE)
		a |= B(XF_CF_SCORE);
	if (ex & (XF_EX_NOT_PASSED | XF_EX_UNLESS_PASSED))
		a |= B(XF_CF_PASSED);
	if (ex & XF_EX_UNLESS_PASSED)
		r |= B(XF_CF_PASSED);
	if (ex & (XF_EX_ONLINE_INCOMPLETE | XF_EX_NOT_COMPLETED))
		a |= B(XF_CF_ONLINE) | B(XF_CF_COMPLETED);
	if (ex & XF_EX_NOT_COMPLETED)
		r |= B(XF_CF_COMPLETED);
	if ((ex & XF_EX_KIND) && p->nkinds > 0)
		a |= B(XF_CF_KIND);
	if (it->awarded_multiplier != 1)
		a |= B(XF_CF_AWARDED);
	if (!isnan(it->speaker_points))
		a |= B(XF_CF_SPEAKER);
	out->asked = a;
	out->required = r;
	const char *cat = p->categories[it->category].key;
	out->self_study = it->per == XF_PER_COUNT && (strcmp(cat, "read") == 0 || strstr(it->name, "书"));
	out->needs_evidence = strcmp(cat, "write") == 0;
}

/* ---- facts ---- */

static void facts_init(xf_claim_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->count = f->days = f->months = f->hours = NAN;
	f->minutes = f->attended_minutes = f->score = f->credits = NAN;
	f->passed = f->completed = f->online = f->awarded = f->speaker = -1;
}

static double *facts_num(xf_claim_facts *f, int k)
{
	switch (k) {
	case XF_CF_COUNT: return &f->count;
	case XF_CF_DAYS: return &f->days;
	case XF_CF_MONTHS: return &f->months;
	case XF_CF_HOURS: return &f->hours;
	case XF_CF_MINUTES: return &f->minutes;
	case XF_CF_ATTENDED_MINUTES: return &f->attended_minutes;
	case XF_CF_SCORE: return &f->score;
	case XF_CF_CREDITS: return &f->credits;
	default: return NULL;
	}
}

static int *facts_bool(xf_claim_facts *f, int k)
{
	switch (k) {
	case XF_CF_PASSED: return &f->passed;
	case XF_CF_COMPLETED: return &f->completed;
	case XF_CF_ONLINE: return &f->online;
	case XF_CF_AWARDED: return &f->awarded;
	case XF_CF_SPEAKER: return &f->speaker;
	default: return NULL;
	}
}

int xf_claim_facts_parse(const char *json, xf_claim_facts *out, xf_errs *errs)
{
	facts_init(out);
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	int rc = -1;
	if (!cJSON_IsObject(o))
		goto bad;
	for (int k = 0; k < XF_CF_NFIELDS; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, xf_claim_field_names[k]);
		if (v == NULL || cJSON_IsNull(v))
			continue;
		out->given |= B(k);
		switch (field_spec[k].t) {
		case FT_DATE:
		case FT_LEVEL:
		case FT_KIND: {
			if (!cJSON_IsString(v))
				goto bad;
			char *dst = k == XF_CF_DATE ? out->date : k == XF_CF_LEVEL ? out->level : out->kind;
			size_t cap = k == XF_CF_DATE ? sizeof(out->date) : sizeof(out->level);
			if (strlen(v->valuestring) >= cap)
				goto bad;
			memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
			break;
		}
		case FT_INT:
		case FT_NUM:
			if (!cJSON_IsNumber(v))
				goto bad;
			*facts_num(out, k) = v->valuedouble;
			break;
		case FT_BOOL:
			if (!cJSON_IsBool(v))
				goto bad;
			*facts_bool(out, k) = cJSON_IsTrue(v) ? 1 : 0;
			break;
		}
	}
	rc = 0;
	goto out;
bad:
	xf_errs_add(errs, "申报内容（fields）已损坏 (stored claim fields are malformed)");
	errs->internal = true;
out:
	cJSON_Delete(o);
	return rc;
}

/* "national（国家级）、city（市级）" — the levels item `it` takes. */
static void levels_list(const xf_policy *p, const xf_item *it, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t n = 0;
	for (int lv = 0; it->level_points && lv < p->nlevels; lv++) {
		if (isnan(it->level_points[lv]))
			continue;
		int w = snprintf(buf + n, size - n, "%s%s（%s）", n ? "、" : "", p->levels[lv].key,
				 p->levels[lv].name);
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

/* Checks the "fields" object against item it of p: every member is a
 * field the item asks for, of the right type and range. Fills facts and
 * adds the field to out (canonical). Returns the problems found. */
static int fields_check(const xf_policy *p, int it, const cJSON *fields, xf_claim_facts *facts,
			cJSON *out, xf_errs *errs)
{
	const xf_item *item = &p->items[it];
	xf_claim_item_info info;
	int bad = 0;
	xf_claim_item_fields(p, it, &info);
	facts_init(facts);
	const cJSON *v;
	cJSON_ArrayForEach(v, fields) {
		int k = -1;
		for (int j = 0; j < XF_CF_NFIELDS; j++)
			if (strcmp(v->string, xf_claim_field_names[j]) == 0)
				k = j;
		if (k < 0 || !(info.asked & B(k))) {
			char key[72];
			xf_errs_add(errs, "fields.%s：“%s”不需要填写此项%s",
				    xf_claim_clip(v->string, 64, key, sizeof(key)), item->name,
				    strcmp(v->string, "activity") == 0 ? "（培训活动请用 activity_id 指明）" : "");
			bad++;
		}
	}
	for (int k = 0; k < XF_CF_NFIELDS; k++) {
		v = cJSON_GetObjectItemCaseSensitive(fields, xf_claim_field_names[k]);
		if (v == NULL || cJSON_IsNull(v) || !(info.asked & B(k)))
			continue;
		const char *name = xf_claim_field_names[k], *label = xf_claim_field_labels[k];
		char list[512];
		bool ok = true;
		switch (field_spec[k].t) {
		case FT_DATE: {
			xf_date d;
			if (!cJSON_IsString(v) || xf_date_parse(v->valuestring, &d) != 0) {
				xf_errs_add(errs, "fields.%s（%s）：应为 YYYY-MM-DD 格式的日期", name, label);
				ok = false;
			} else {
				memcpy(facts->date, v->valuestring, 11);
			}
			break;
		}
		case FT_LEVEL: {
			int lv = cJSON_IsString(v) ? xf_policy_level(p, v->valuestring) : -1;
			if (lv < 0 || isnan(item->level_points[lv])) {
				levels_list(p, item, list, sizeof(list));
				xf_errs_add(errs, "fields.%s（%s）：应为 %s 之一", name, label, list);
				ok = false;
			} else {
				snprintf(facts->level, sizeof(facts->level), "%s", v->valuestring);
			}
			break;
		}
		case FT_KIND: {
			int kd = cJSON_IsString(v) ? xf_policy_kind(p, v->valuestring) : -1;
			if (kd < 0) {
				size_t n = 0;
				list[0] = '\0';
				for (int j = 0; j < p->nkinds && n + 70 < sizeof(list); j++)
					n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%.60s",
							      j ? "、" : "", p->kinds[j]);
				xf_errs_add(errs, "fields.%s（%s）：应为 %s 之一", name, label, list);
				ok = false;
			} else {
				snprintf(facts->kind, sizeof(facts->kind), "%s", v->valuestring);
			}
			break;
		}
		case FT_INT:
		case FT_NUM: {
			double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
			bool whole = field_spec[k].t == FT_INT;
			if (!isfinite(x) || x < field_spec[k].lo || x > field_spec[k].hi ||
			    (whole && x != floor(x))) {
				xf_errs_add(errs, "fields.%s（%s）：应为 %g 到 %g 之间的%s", name, label,
					    field_spec[k].lo, field_spec[k].hi, whole ? "整数" : "数");
				ok = false;
			} else {
				*facts_num(facts, k) = x;
			}
			break;
		}
		case FT_BOOL:
			if (!cJSON_IsBool(v)) {
				xf_errs_add(errs, "fields.%s（%s）：应为 true 或 false", name, label);
				ok = false;
			} else {
				*facts_bool(facts, k) = cJSON_IsTrue(v) ? 1 : 0;
			}
			break;
		}
		if (!ok) {
			bad++;
			continue;
		}
		facts->given |= B(k);
		cJSON *copy = cJSON_Duplicate(v, 0);
		if (copy == NULL || !cJSON_AddItemToObject(out, name, copy)) {
			cJSON_Delete(copy);
			oom(errs);
			return bad + 1;
		}
	}
	if ((facts->given & B(XF_CF_MINUTES)) && (facts->given & B(XF_CF_ATTENDED_MINUTES)) &&
	    facts->attended_minutes > facts->minutes) {
		xf_errs_add(errs, "fields.attended_minutes（实际听课时长（分钟））：不能超过课程时长 %g 分钟",
			    facts->minutes);
		bad++;
	}
	return bad;
}

/* What a submit still lacks: one message per missing thing. */
int xf_claim_facts_missing(const xf_policy *p, int it, const xf_claim_facts *f, xf_errs *errs)
{
	xf_claim_item_info info;
	int n = 0;
	xf_claim_item_fields(p, it, &info);
	uint32_t need = info.required;
	if ((p->items[it].exclude & XF_EX_ONLINE_INCOMPLETE) && f->online == 1)
		need |= B(XF_CF_COMPLETED);
	for (int k = 0; k < XF_CF_NFIELDS; k++) {
		if ((need & B(k)) && !(f->given & B(k))) {
			xf_errs_add(errs, "fields.%s（%s）：提交前请填写", xf_claim_field_names[k],
				    xf_claim_field_labels[k]);
			n++;
		}
	}
	return n;
}

/* ---- rows ---- */

void xf_claim_row_cleanup(xf_claim_row *r)
{
	free(r->item);
	free(r->form);
	free(r->status);
	free(r->fields);
	free(r->details);
	free(r->reject_reason);
	free(r->person_code);
	free(r->person_name);
	memset(r, 0, sizeof(*r));
}

int xf_claim_row_load(xf_store *s, long long id, xf_claim_row *r, xf_errs *errs)
{
	long long year = 0;
	memset(r, 0, sizeof(*r));
	int rc = xf_query_row(
		s,
		"SELECT c.id, c.person_id, p.unit_id, c.year, c.item, c.form, c.status, c.fields,"
		" c.details, c.activity_id, c.created_by, c.created_at, c.updated_at, c.submitted_at,"
		" c.reviewed_by, c.reviewed_at, c.approved_by, c.approved_at, c.rejected_by,"
		" c.rejected_at, c.reject_reason, c.record_id, p.code, p.name"
		" FROM claims c JOIN people p ON p.id = c.person_id WHERE c.id = $1",
		errs, BIND_MSG, XF_IN(id), XF_OUT(&r->id), XF_OUT(&r->person_id), XF_OUT(&r->unit_id),
		XF_OUT(&year), XF_OUT(&r->item), XF_OUT(&r->form), XF_OUT(&r->status),
		XF_OUT(&r->fields), XF_OUT(&r->details), XF_OUT(&r->activity_id),
		XF_OUT(&r->created_by), XF_OUT(&r->created_at), XF_OUT(&r->updated_at),
		XF_OUT(&r->submitted_at), XF_OUT(&r->reviewed_by), XF_OUT(&r->reviewed_at),
		XF_OUT(&r->approved_by), XF_OUT(&r->approved_at), XF_OUT(&r->rejected_by),
		XF_OUT(&r->rejected_at), XF_OUT(&r->reject_reason), XF_OUT(&r->record_id),
		XF_OUT(&r->person_code), XF_OUT(&r->person_name));
	if (rc != 0) {
		xf_claim_row_cleanup(r);
		return rc < 0 ? -1 : XF_CLAIM_NOT_FOUND;
	}
	r->year = (int)year;
	if (r->item == NULL || r->form == NULL || r->status == NULL || r->fields == NULL ||
	    r->details == NULL) {
		xf_claim_row_cleanup(r);
		xf_errs_add(errs, "申报 %lld 的数据不完整 (claim row incomplete)", id);
		errs->internal = true;
		return -1;
	}
	return 0;
}

bool xf_claim_has_role_unit(const xf_principal *who, unsigned role, long long unit_id)
{
	return unit_id > 0 && xf_principal_heads_unit(who, role, unit_id);
}

bool xf_claim_is_claimant(const xf_principal *who, const xf_claim_row *r)
{
	return who && who->person_id > 0 && who->person_id == r->person_id;
}

bool xf_claim_visible(const xf_principal *who, const xf_claim_row *r)
{
	if (who == NULL)
		return false;
	if (xf_claim_is_claimant(who, r))
		return true;
	if (r->submitted_at == 0)
		return false; /* a draft never submitted is the claimant's alone */
	return (who->roles & XF_ROLE_ADMIN) ||
	       xf_claim_has_role_unit(who, XF_ROLE_REVIEWER, r->unit_id) ||
	       xf_claim_has_role_unit(who, XF_ROLE_APPROVER, r->unit_id);
}

/* Loads claim id when the caller may see it. */
int xf_claim_load_visible(xf_store *s, const xf_principal *who, long long id, xf_claim_row *r,
			xf_errs *errs)
{
	int rc = xf_claim_row_load(s, id, r, errs);
	if (rc != 0)
		return rc;
	if (!xf_claim_visible(who, r)) {
		xf_claim_row_cleanup(r);
		return XF_CLAIM_NOT_FOUND;
	}
	return 0;
}

/* CONFLICT unless the claim's status is one of `allowed` (NULL-ended). */
int xf_claim_need_status(const xf_claim_row *r, const char *const *allowed, const char *doing,
		       xf_errs *errs)
{
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(r->status, allowed[i]) == 0)
			return 0;
	xf_errs_add(errs, "该申报当前为“%s”，不能%s", xf_claim_status_label(r->status), doing);
	return XF_CLAIM_CONFLICT;
}

/* ---- policies ---- */

const xf_policy *xf_claim_policy_get(const char *ref, xf_policy **owned, xf_errs *errs)
{
	const xf_policy *p = xf_load_policy(ref, owned, errs);
	if (p == NULL)
		errs->internal = true;
	return p;
}

int xf_claim_unit_policy(xf_store *s, long long unit_id, int year, char **ref, xf_errs *errs)
{
	*ref = NULL;
	int rc = xf_query_row(s, XF_SCOPE_UNIT_POLICY, errs, BIND_MSG, XF_IN(unit_id),
			      XF_IN(year), XF_OUT(ref));
	if (rc == 1 || (rc == 0 && *ref == NULL))
		xf_errs_add(errs, "您所在单位及其上级单位 %d 年度均未指定学分办法，不能申报该年度的学分", year);
	return rc == 0 && *ref == NULL ? 1 : rc;
}

void xf_claim_item_ref_cleanup(xf_claim_item_ref *cp)
{
	free(cp->ref);
	xf_policy_free(cp->owned);
	memset(cp, 0, sizeof(*cp));
}

int xf_claim_item_ref_get(xf_store *s, long long unit_id, int year, const char *item,
			    xf_claim_item_ref *cp, xf_errs *errs)
{
	memset(cp, 0, sizeof(*cp));
	cp->item = -1;
	int rc = unit_id > 0 ? xf_claim_unit_policy(s, unit_id, year, &cp->ref, errs) : 1;
	if (unit_id <= 0)
		xf_errs_add(errs, "您没有所属单位，不能申报学分");
	if (rc != 0)
		return rc < 0 ? -1 : XF_CLAIM_INVALID;
	cp->p = xf_claim_policy_get(cp->ref, &cp->owned, errs);
	if (cp->p == NULL)
		return -1;
	cp->item = item ? xf_policy_item(cp->p, item) : -1;
	if (cp->item < 0) {
		char key[72];
		xf_errs_add(errs, "item：学分办法“%s”中没有学分项目“%s”", cp->p->title,
			    xf_claim_clip(item, 64, key, sizeof(key)));
		return XF_CLAIM_INVALID;
	}
	return 0;
}

/* ---- content: item, form, fields, details, activity ---- */

void xf_claim_content_cleanup(xf_claim_content *c)
{
	cJSON_free(c->fields);
	cJSON_free(c->details);
	free(c->item);
	free(c->form);
	memset(c, 0, sizeof(*c));
}

/* Checks "details" for the form: known keys only, strings within their
 * lengths; adds them to out. Returns the problems. */
static int details_check(const char *form, const cJSON *details, cJSON *out, xf_errs *errs)
{
	const detail_def *defs = details_of(form);
	int bad = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, details) {
		const detail_def *d = NULL;
		for (size_t i = 0; defs[i].key; i++)
			if (strcmp(defs[i].key, v->string) == 0)
				d = &defs[i];
		if (d == NULL) {
			char key[72];
			xf_errs_add(errs, "details.%s：%s没有此项", xf_claim_clip(v->string, 64, key, sizeof(key)),
				    defs == claim_details ? "学分申报表（附件3）" : "自学申报表（附件4）");
			bad++;
			continue;
		}
		if (cJSON_IsNull(v))
			continue;
		long chars = cJSON_IsString(v) ? xf_utf8_chars(v->valuestring) : -1;
		if (chars < 0 || chars > d->max) {
			xf_errs_add(errs, "details.%s（%s）：应为不超过 %d 个字符的文字", d->key, d->label,
				    d->max);
			bad++;
			continue;
		}
		if (chars == 0)
			continue;
		if (!cJSON_AddStringToObject(out, d->key, v->valuestring)) {
			oom(errs);
			return bad + 1;
		}
	}
	return bad;
}

int xf_claim_details_missing(const char *form, const char *details_json, xf_errs *errs)
{
	const detail_def *defs = details_of(form);
	cJSON *o = cJSON_Parse(details_json);
	int n = 0;
	for (size_t i = 0; defs[i].key; i++) {
		if (!defs[i].required)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, defs[i].key);
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
			xf_errs_add(errs, "details.%s（%s）：提交前请填写", defs[i].key, defs[i].label);
			n++;
		}
	}
	cJSON_Delete(o);
	return n;
}

/* The activity a claim names: it must exist, be approved and be for the
 * same item. key (may be NULL) gets its key (malloc'd). */
int xf_claim_activity_check(xf_store *s, long long activity_id, const char *item, char **key,
			  xf_errs *errs)
{
	char *k = NULL, *status = NULL, *aitem = NULL;
	if (key)
		*key = NULL;
	int rc = xf_query_row(s, "SELECT key, status, item FROM activities WHERE id = $1", errs,
			      BIND_MSG, XF_IN(activity_id), XF_OUT(&k), XF_OUT(&status), XF_OUT(&aitem));
	if (rc < 0)
		return -1;
	int out = 0;
	if (rc == 1) {
		xf_errs_add(errs, "activity_id：没有编号为 %lld 的培训活动", activity_id);
		out = XF_CLAIM_INVALID;
	} else if (strcmp(status ? status : "", "approved") != 0) {
		xf_errs_add(errs, "activity_id：培训活动 %s 尚未通过审批", k ? k : "");
		out = XF_CLAIM_INVALID;
	} else if (item && strcmp(aitem ? aitem : "", item) != 0) {
		xf_errs_add(errs, "activity_id：培训活动 %s 的学分项目是 %s，与申报的项目不同", k ? k : "",
			    aitem ? aitem : "");
		out = XF_CLAIM_INVALID;
	} else if (key) {
		*key = k;
		k = NULL;
	}
	free(k);
	free(status);
	free(aitem);
	return out;
}

/* Builds a claim's content from body (create) or from body over the old
 * row (update): validates everything against the claimant's policy for
 * the date's year. 0, INVALID (messages), -1. */
int xf_claim_content_build(xf_store *s, long long unit_id, const cJSON *body, const xf_claim_row *old,
			 xf_claim_content *c, xf_errs *errs)
{
	static const char *const top[] = {"item", "form", "fields", "details", "activity_id", NULL};
	cJSON *fields = NULL, *details = NULL, *cf = NULL, *cd = NULL;
	xf_claim_item_ref cp = {0};
	int bad = 0, rc = -1;
	memset(c, 0, sizeof(*c));

	const cJSON *v;
	cJSON_ArrayForEach(v, body) {
		bool known = false;
		for (size_t i = 0; top[i]; i++)
			known = known || strcmp(top[i], v->string) == 0;
		if (!known) {
			char key[72];
			xf_errs_add(errs, "%s：申报没有此项（可填 item、form、fields、details、activity_id）",
				    xf_claim_clip(v->string, 64, key, sizeof(key)));
			bad++;
		}
	}
	/* item, form */
	v = cJSON_GetObjectItemCaseSensitive(body, "item");
	const char *item = old ? old->item : NULL;
	if (v && !(cJSON_IsString(v) && strlen(v->valuestring) <= 128)) {
		xf_errs_add(errs, "item：应为学分项目的编码，如 listen.training");
		bad++;
	} else if (v) {
		item = v->valuestring;
	} else if (!old) {
		xf_errs_add(errs, "item：请选择学分项目");
		bad++;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "form");
	const char *form = old ? old->form : "claim";
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) ||
		    (strcmp(v->valuestring, "claim") != 0 && strcmp(v->valuestring, "self_study") != 0)) {
			xf_errs_add(errs, "form：应为 claim（学分申报表）或 self_study（自学申报表）");
			bad++;
		} else {
			form = v->valuestring;
		}
	}
	/* fields and details: the request's, else the old ones */
	v = cJSON_GetObjectItemCaseSensitive(body, "fields");
	if (v && !cJSON_IsObject(v)) {
		xf_errs_add(errs, "fields：应为对象，如 {\"date\": \"2026-03-02\"}");
		bad++;
	} else if (v) {
		fields = cJSON_Duplicate(v, 1);
	} else if (old) {
		fields = cJSON_Parse(old->fields);
	} else {
		xf_errs_add(errs, "fields：请填写申报内容（至少 date）");
		bad++;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "details");
	if (v && !cJSON_IsObject(v) && !cJSON_IsNull(v)) {
		xf_errs_add(errs, "details：应为对象");
		bad++;
	} else if (v && cJSON_IsObject(v)) {
		details = cJSON_Duplicate(v, 1);
	} else if (old && !v) {
		details = cJSON_Parse(old->details);
	} else {
		details = cJSON_CreateObject();
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "activity_id");
	c->activity_id = old ? old->activity_id : 0;
	if (v && cJSON_IsNull(v)) {
		c->activity_id = 0;
	} else if (v) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9e15 ||
		    v->valuedouble != floor(v->valuedouble)) {
			xf_errs_add(errs, "activity_id：应为培训活动的编号");
			bad++;
		} else {
			c->activity_id = (long long)v->valuedouble;
		}
	}
	if ((fields == NULL && !bad) || details == NULL)
		goto oom;
	if (bad)
		goto invalid;

	/* The year is the date's: it decides the policy. */
	const cJSON *date = cJSON_GetObjectItemCaseSensitive(fields, "date");
	xf_date d = 0;
	if (!cJSON_IsString(date) || xf_date_parse(date->valuestring, &d) != 0) {
		xf_errs_add(errs, "fields.date（日期）：请填写 YYYY-MM-DD 格式的学习日期");
		goto invalid;
	}
	if (d > today()) {
		xf_errs_add(errs, "fields.date（日期）：%s 晚于今天，学习结束后才能申报", date->valuestring);
		bad++; /* and go on: the other fields are checked too */
	}
	c->year = XF_DATE_YEAR(d);
	rc = xf_claim_item_ref_get(s, unit_id, c->year, item, &cp, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	xf_claim_item_info info;
	xf_claim_item_fields(cp.p, cp.item, &info);
	const xf_item *it = &cp.p->items[cp.item];
	if (!info.claimable) {
		xf_errs_add(errs, "item：“%s”按月度数据导入计分，不能申报", it->name);
		goto invalid;
	}
	if (strcmp(form, "self_study") == 0 && !info.self_study) {
		xf_errs_add(errs, "form：自学申报表（附件4）只用于读书类按本计分的项目，“%s”请用学分申报表",
			    it->name);
		bad++;
	}
	cf = cJSON_CreateObject();
	cd = cJSON_CreateObject();
	if (cf == NULL || cd == NULL)
		goto oom;
	bad += fields_check(cp.p, cp.item, fields, &c->facts, cf, errs);
	bad += details_check(form, details, cd, errs);
	if (errs->internal)
		goto out;
	if (c->activity_id > 0) {
		int a = xf_claim_activity_check(s, c->activity_id, it->key, NULL, errs);
		if (a < 0)
			goto out;
		bad += a != 0;
	}
	if (bad)
		goto invalid;
	c->item = strdup(it->key);
	c->form = strdup(form);
	c->fields = cJSON_PrintUnformatted(cf);
	c->details = cJSON_PrintUnformatted(cd);
	if (c->item == NULL || c->form == NULL || c->fields == NULL || c->details == NULL)
		goto oom;
	rc = 0;
	goto out;
oom:
	oom(errs);
	rc = -1;
	goto out;
invalid:
	rc = XF_CLAIM_INVALID;
out:
	if (rc != 0)
		xf_claim_content_cleanup(c);
	xf_claim_item_ref_cleanup(&cp);
	cJSON_Delete(fields);
	cJSON_Delete(details);
	cJSON_Delete(cf);
	cJSON_Delete(cd);
	return rc;
}

/* The audit's "after" for a content: {"item", "form", "fields",
 * "details", "activity_id"}. Caller frees. */
char *xf_claim_content_json(const xf_claim_content *c, const char *status)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "item", c->item);
	cJSON_AddStringToObject(o, "form", c->form);
	cJSON_AddItemToObject(o, "fields", cJSON_Parse(c->fields));
	cJSON_AddItemToObject(o, "details", cJSON_Parse(c->details));
	if (c->activity_id > 0)
		cJSON_AddNumberToObject(o, "activity_id", (double)c->activity_id);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The same for a claim as stored (the audit's "before"). */
char *xf_claim_row_json(const xf_claim_row *r)
{
	xf_claim_content c = {.item = r->item, .form = r->form, .fields = r->fields, .details = r->details,
		     .activity_id = r->activity_id};
	return xf_claim_content_json(&c, r->status);
}

