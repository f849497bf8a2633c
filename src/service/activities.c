/* activities: training activities (培训活动申报 附件2) — the form, its two
 * approvals, the attendance list and the records it gives (see
 * activities.h and docs/workflow.md).
 *
 * Choices worth knowing:
 *   - Scope checks use the principal's own review/approve unit lists and
 *     never the admin shortcut of xf_principal_has_unit: an admin who also
 *     holds the approver role approves only what that role covers.
 *   - Every change reads the activity inside its transaction, checks who
 *     and what state, then writes with `UPDATE ... WHERE status = the
 *     state read ... RETURNING id`: no row means another writer changed it
 *     in between (SQLite's BEGIN IMMEDIATE makes that impossible there;
 *     PostgreSQL's row lock makes the second writer see the new state).
 *   - The key act-YYYY-NNNN is the year's highest number + 1. Two
 *     PostgreSQL transactions can pick the same one; the second insert
 *     then fails on the unique key, and the whole change is tried again
 *     (KEY_TRIES times) with a fresh number.
 *   - The list's scope (any number of unit ids) goes to the database as
 *     one text parameter of 19-digit ids split by a recursive CTE, as in
 *     people.c, so it reads the same on both backends and pages right.
 *   - An attendance file is read inside the transaction that replaces the
 *     list: every row is checked, problems are collected (row, column,
 *     reason), and only a file without any is written. */
#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/num.h"
#include "core/utf8.h"
#include "io/csv.h"
#include "io/jsonw.h"
#include "io/table.h"
#include "io/xlsx.h"
#include "policy/policy.h"
#include "service/activities.h"
#include "service/assess_load.h"
#include "service/audit.h"
#include "service/notices.h"
#include "service/people.h"
#include "service/scope.h"
#include "store/data.h"
#include "store/query.h"
#include "store/schema.h"

#define TITLE_MAX_CHARS 200
#define TEXT_MAX_CHARS 2000
#define CONTENT_MAX_CHARS 5000
#define CODE_MAX_BYTES 64      /* item and level keys */
#define REASON_MAX_CHARS 500   /* reject reason, review/approve note */
#define Q_MAX_CHARS 100
#define PER_PAGE_MAX 200
#define PAGE_MAX 1000000000LL
#define MINUTES_MAX 100000
#define KEY_TRIES 5
#define KEY_SHOW_BYTES 64
#define ID_WIDTH 19            /* digits of a positive long long */
#define MAX_REPORTED 200       /* attendance problems listed; the rest counted */
#define NAMES_CACHE 16         /* policies kept while a list is written */

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)
#define RACED_MSG "该活动已被他人处理，请刷新后重试"

/* ---- states ---- */

static const struct {
	const char *key, *name;
} statuses[] = {
	{"draft", "草稿"},       {"submitted", "已提交"}, {"reviewed", "已审核"},
	{"approved", "已批准"}, {"rejected", "已退回"},  {"withdrawn", "已撤回"},
};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

static const char *status_name(const char *key)
{
	for (size_t i = 0; i < NSTATUSES; i++)
		if (strcmp(statuses[i].key, key) == 0)
			return statuses[i].name;
	return key;
}

static bool is(const char *status, const char *key)
{
	return strcmp(status, key) == 0;
}

/* ---- the form (附件2) ---- */

enum {
	F_UNIT, F_TITLE, F_NATURE, F_HOST, F_SPEAKERS, F_CONTENT, F_AUDIENCE, F_PLACE,
	F_DATE_FROM, F_DATE_TO, F_ITEM, F_LEVEL, F_MINUTES, F_ONLINE, F_COUNT
};

static const struct {
	const char *key, *label;
	bool required;  /* null refused; create needs it (date_to defaults) */
	int max_chars;  /* text fields */
	bool multiline; /* newlines and tabs allowed */
} fields[F_COUNT] = {
	[F_UNIT] = {"unit_id", "责任单位", true, 0, false},
	[F_TITLE] = {"title", "活动名称", true, TITLE_MAX_CHARS, false},
	[F_NATURE] = {"nature", "活动性质", false, TEXT_MAX_CHARS, true},
	[F_HOST] = {"host", "主持人", false, TEXT_MAX_CHARS, true},
	[F_SPEAKERS] = {"speakers", "主讲人", false, TEXT_MAX_CHARS, true},
	[F_CONTENT] = {"content", "主讲内容", false, CONTENT_MAX_CHARS, true},
	[F_AUDIENCE] = {"audience", "参加人员范围", false, TEXT_MAX_CHARS, true},
	[F_PLACE] = {"place", "举办地点", false, TEXT_MAX_CHARS, true},
	[F_DATE_FROM] = {"date_from", "举办开始日期", true, 0, false},
	[F_DATE_TO] = {"date_to", "举办结束日期", true, 0, false},
	[F_ITEM] = {"item", "学分项目", true, 0, false},
	[F_LEVEL] = {"level", "级别", false, 0, false},
	[F_MINUTES] = {"minutes", "课时长度（分钟）", false, 0, false},
	[F_ONLINE] = {"online", "网上学习", true, 0, false},
};

/* The form's values: text by F_* (NULL: none; unused for F_UNIT,
 * F_MINUTES, F_ONLINE). */
typedef struct form {
	char *text[F_COUNT];
	long long unit_id;
	long long minutes; /* -1: none */
	bool online;
} form;

static void form_cleanup(form *f)
{
	for (int i = 0; i < F_COUNT; i++)
		free(f->text[i]);
	memset(f, 0, sizeof(*f));
	f->minutes = -1;
}

static bool field_changed(int fi, const form *a, const form *b)
{
	if (fi == F_UNIT)
		return a->unit_id != b->unit_id;
	if (fi == F_MINUTES)
		return a->minutes != b->minutes;
	if (fi == F_ONLINE)
		return a->online != b->online;
	return !xf_text_same(a->text[fi], b->text[fi]);
}

static cJSON *field_json(int fi, const form *f)
{
	if (fi == F_UNIT)
		return cJSON_CreateNumber((double)f->unit_id);
	if (fi == F_MINUTES)
		return f->minutes >= 0 ? cJSON_CreateNumber((double)f->minutes) : cJSON_CreateNull();
	if (fi == F_ONLINE)
		return cJSON_CreateBool(f->online);
	return f->text[fi] ? cJSON_CreateString(f->text[fi]) : cJSON_CreateNull();
}

/* ---- small helpers ---- */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

static bool is_admin(const xf_principal *p)
{
	return (p->roles & XF_ROLE_ADMIN) != 0;
}

/* date_to - date_from + 1, or 0 when either is not a date. */
static long long span_days(const char *from, const char *to)
{
	xf_date a, b;
	if (from == NULL || to == NULL || xf_date_parse(from, &a) != 0 || xf_date_parse(to, &b) != 0)
		return 0;
	return xf_date_days(a, b) + 1;
}

/* Moves the messages of from into to. */
static void errs_move(xf_errs *to, xf_errs *from)
{
	xf_errs_append(to, from);
	xf_errs_cleanup(from);
}

/* ---- units and policies ---- */

/* The top unit above unit_id (itself when it has no parent). */
#define ROOT_SQL                                                                           \
	"WITH RECURSIVE up(id, parent_id, depth) AS ("                                      \
	" SELECT id, parent_id, 0 FROM units WHERE id = $1"                                 \
	" UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM units u"                    \
	" JOIN up ON u.id = up.parent_id WHERE up.depth < 64)"                              \
	" SELECT id FROM up ORDER BY depth DESC LIMIT 1"

static int root_of(xf_store *s, long long unit_id, long long *root, xf_errs *errs)
{
	*root = 0;
	return xf_query_row(s, ROOT_SQL, errs, BIND_FAILED, XF_IN(unit_id), XF_OUT(root));
}

/* The unit's policy for year: 0 and *p (*owned to free); 1 when the unit
 * has none (no message); -1 on error. */
static int unit_policy(xf_store *s, long long unit_id, int year, const xf_policy **p,
		       xf_policy **owned, xf_errs *errs)
{
	char ref[256];
	*p = NULL;
	*owned = NULL;
	int f = xf_query_row(s, XF_SCOPE_UNIT_POLICY, errs, BIND_FAILED, XF_IN(unit_id),
			     XF_IN(year), XF_OUT_TEXT(ref, sizeof(ref)));
	if (f != 0)
		return f;
	*p = xf_load_policy(ref, owned, errs);
	if (*p == NULL) {
		errs->internal = true;
		return -1;
	}
	return 0;
}

/* An item's and a level's names in a policy (NULL when unknown). */
static void item_names(const xf_policy *p, const char *item, const char *level,
		       const char **item_name, const char **level_name)
{
	*item_name = NULL;
	*level_name = NULL;
	if (p == NULL)
		return;
	int i = item ? xf_policy_item(p, item) : -1;
	int l = level ? xf_policy_level(p, level) : -1;
	if (i >= 0)
		*item_name = p->items[i].name;
	if (l >= 0)
		*level_name = p->levels[l].name;
}

/* Policies by (unit, year), kept while one answer is written. */
typedef struct names_cache {
	struct {
		long long unit;
		int year;
		const xf_policy *p;
		xf_policy *owned;
	} e[NAMES_CACHE];
	int n;
} names_cache;

static const xf_policy *cached_policy(xf_store *s, names_cache *c, long long unit, int year)
{
	for (int i = 0; i < c->n; i++)
		if (c->e[i].unit == unit && c->e[i].year == year)
			return c->e[i].p;
	const xf_policy *p = NULL;
	xf_policy *owned = NULL;
	xf_errs ignored;
	xf_errs_init(&ignored);
	if (unit_policy(s, unit, year, &p, &owned, &ignored) != 0)
		p = NULL;
	xf_errs_cleanup(&ignored);
	if (c->n < NAMES_CACHE) {
		c->e[c->n].unit = unit;
		c->e[c->n].year = year;
		c->e[c->n].p = p;
		c->e[c->n].owned = owned;
		c->n++;
	} else {
		xf_policy_free(owned); /* cannot keep it: names come out empty */
		p = NULL;
	}
	return p;
}

static void names_cache_cleanup(names_cache *c)
{
	for (int i = 0; i < c->n; i++)
		xf_policy_free(c->e[i].owned);
	c->n = 0;
}

/* ---- one activity, read for a change or a check ---- */

typedef struct act {
	long long id;
	form f;
	char key[32];
	char status[16];
	int year;
	long long applicant, reviewed_by, root_id;
	bool records_given;
	long long listed;
} act;

static void act_cleanup(act *a)
{
	form_cleanup(&a->f);
}

/* Reads activity id into a; 1 when there is none. */
static int act_load(xf_store *s, long long id, act *a, xf_errs *errs)
{
	memset(a, 0, sizeof(*a));
	a->f.minutes = -1;
	a->id = id;
	long long year = 0, minutes = 0, online = 0, given = 0;
	bool no_minutes = true;
	int f = xf_query_row(
		s,
		"SELECT key, status, unit_id, year, title, nature, host, speakers, content, audience,"
		" place, date_from, date_to, item, level, CASE WHEN minutes IS NULL THEN 1 ELSE 0 END,"
		" minutes, online, applicant, reviewed_by,"
		" CASE WHEN records_at IS NULL THEN 0 ELSE 1 END,"
		" (SELECT COUNT(*) FROM activity_attendance t WHERE t.activity_id = activities.id)"
		" FROM activities WHERE id = $1",
		errs, BIND_FAILED, XF_IN(id), XF_OUT_TEXT(a->key, sizeof(a->key)),
		XF_OUT_TEXT(a->status, sizeof(a->status)), XF_OUT(&a->f.unit_id), XF_OUT(&year),
		XF_OUT(&a->f.text[F_TITLE]), XF_OUT(&a->f.text[F_NATURE]),
		XF_OUT(&a->f.text[F_HOST]), XF_OUT(&a->f.text[F_SPEAKERS]),
		XF_OUT(&a->f.text[F_CONTENT]), XF_OUT(&a->f.text[F_AUDIENCE]),
		XF_OUT(&a->f.text[F_PLACE]), XF_OUT(&a->f.text[F_DATE_FROM]),
		XF_OUT(&a->f.text[F_DATE_TO]), XF_OUT(&a->f.text[F_ITEM]),
		XF_OUT(&a->f.text[F_LEVEL]), XF_OUT(&no_minutes), XF_OUT(&minutes), XF_OUT(&online),
		XF_OUT(&a->applicant), XF_OUT(&a->reviewed_by), XF_OUT(&given), XF_OUT(&a->listed));
	if (f != 0)
		return f;
	a->year = (int)year;
	a->f.minutes = no_minutes ? -1 : minutes;
	a->f.online = online != 0;
	a->records_given = given != 0;
	return root_of(s, a->f.unit_id, &a->root_id, errs) < 0 ? -1 : 0;
}

/* Whether the caller sees a: 0 yes, 1 no, -1 error. */
static int act_visible(xf_store *s, const xf_principal *who, const act *a, xf_errs *errs)
{
	if (is_admin(who) || a->applicant == who->user_id ||
	    xf_principal_heads_unit(who, XF_ROLE_REVIEWER, a->f.unit_id) ||
	    xf_principal_heads_unit(who, XF_ROLE_APPROVER, a->f.unit_id))
		return 0;
	if (!is(a->status, "approved") || who->person_id <= 0)
		return 1;
	long long unit = 0, root = 0;
	int f = xf_people_unit_of(s, who->person_id, &unit, errs);
	if (f != 0 || unit <= 0)
		return f < 0 ? -1 : 1;
	if (root_of(s, unit, &root, errs) < 0)
		return -1;
	return root == a->root_id ? 0 : 1;
}

/* Loads activity id if the caller sees it: 0; 1 when missing or unseen. */
static int act_load_visible(xf_store *s, const xf_principal *who, long long id, act *a,
			    xf_errs *errs)
{
	if (who == NULL)
		return 1;
	int f = act_load(s, id, a, errs);
	if (f != 0)
		return f;
	return act_visible(s, who, a, errs);
}

/* The answer to a guarded change (`UPDATE ... WHERE status = the state
 * read ... RETURNING id`, f as xf_query_row returned): 0 when a row
 * changed, XF_ACT_CONFLICT when none did (another writer was first), -1. */
static int guarded(int f, xf_errs *errs)
{
	if (f == 1)
		xf_errs_add(errs, RACED_MSG);
	return f == 1 ? XF_ACT_CONFLICT : f;
}

/* ---- who may do what ---- */

enum { A_EDIT, A_SUBMIT, A_WITHDRAW, A_REVIEW, A_APPROVE, A_REJECT, A_ATTENDANCE, A_RECORDS,
       A_COUNT };

static const char *const action_keys[A_COUNT] = {
	"edit", "submit", "withdraw", "review", "approve", "reject", "attendance", "records",
};
static const char *const action_verbs[A_COUNT] = {
	"修改", "提交", "撤回", "审核", "审批", "退回", "上传参加人员名单", "登记学分",
};

/* Why an action is refused: the message is pre + the action's verb + post. */
typedef struct why {
	const char *pre, *post;
} why;

static bool organiser(const xf_principal *who, const act *a)
{
	return is_admin(who) || a->applicant == who->user_id;
}

/* Whether the caller is who takes step (A_REVIEW: step 1, A_APPROVE: step
 * 2) for a, leaving the state aside: 0, or XF_ACT_FORBIDDEN and *w. */
static int step_who(const xf_principal *who, const act *a, int step, why *w)
{
	long long unit = step == A_REVIEW ? a->f.unit_id : a->root_id;
	if (!xf_principal_heads_unit(who, XF_ROLE_APPROVER, unit)) {
		*w = step == A_REVIEW ? (why){"只有分管该单位的审批人可以", "该活动"}
				      : (why){"该活动需由主要领导（审批范围包含整个单位的审批人）", ""};
		return XF_ACT_FORBIDDEN;
	}
	if (a->applicant == who->user_id) {
		*w = (why){"申办人不能", "自己申报的活动"};
		return XF_ACT_FORBIDDEN;
	}
	if (step == A_APPROVE && is(a->status, "reviewed") && a->reviewed_by == who->user_id) {
		*w = (why){"已审核该活动的审批人不能再", "，需由另一位主要领导办理"};
		return XF_ACT_FORBIDDEN;
	}
	return 0;
}

/* 0 when the caller may take action on a now; else XF_ACT_FORBIDDEN or
 * XF_ACT_CONFLICT with one message in errs (NULL: none). Who comes first
 * (403), then the state (409). */
static int act_check(const xf_principal *who, const act *a, int action, xf_errs *errs)
{
	const char *st = a->status;
	why w = {NULL, NULL};
	int rc = 0;
	switch (action) {
	case A_EDIT:
	case A_SUBMIT:
	case A_WITHDRAW:
	case A_ATTENDANCE:
		if (!organiser(who, a)) {
			rc = XF_ACT_FORBIDDEN;
			w = (why){"只有申办人或管理员可以", "该活动"};
		} else if ((action == A_EDIT && !is(st, "draft") && !is(st, "rejected")) ||
			   (action == A_SUBMIT && !is(st, "draft")) ||
			   (action == A_WITHDRAW && (is(st, "approved") || is(st, "withdrawn"))) ||
			   (action == A_ATTENDANCE && !is(st, "approved"))) {
			rc = XF_ACT_CONFLICT;
		} else if (action == A_ATTENDANCE && a->records_given) {
			rc = XF_ACT_CONFLICT;
			w = (why){"该活动已登记学分，不能再", ""};
		}
		break;
	case A_REVIEW:
		rc = step_who(who, a, A_REVIEW, &w);
		if (rc == 0 && !is(st, "submitted"))
			rc = XF_ACT_CONFLICT;
		break;
	case A_APPROVE:
		rc = step_who(who, a, A_APPROVE, &w);
		if (rc == 0 && !is(st, "reviewed"))
			rc = XF_ACT_CONFLICT;
		break;
	case A_REJECT:
		if (is(st, "submitted")) {
			rc = step_who(who, a, A_REVIEW, &w);
		} else if (is(st, "reviewed")) {
			rc = step_who(who, a, A_APPROVE, &w);
		} else {
			why w1, w2;
			bool may = step_who(who, a, A_REVIEW, &w1) == 0 ||
				   step_who(who, a, A_APPROVE, &w2) == 0;
			rc = may ? XF_ACT_CONFLICT : XF_ACT_FORBIDDEN;
			if (!may)
				w = (why){"只有该活动的审批人可以", "该活动"};
		}
		break;
	case A_RECORDS:
		if (!is_admin(who) && !xf_principal_heads_unit(who, XF_ROLE_APPROVER, a->f.unit_id)) {
			rc = XF_ACT_FORBIDDEN;
			w = (why){"只有管理员或分管该单位的审批人可以为该活动", ""};
		} else if (!is(st, "approved")) {
			rc = XF_ACT_CONFLICT;
		} else if (a->records_given) {
			rc = XF_ACT_CONFLICT;
			w = (why){"该活动已", "，不能重复登记"};
		} else if (a->listed == 0) {
			rc = XF_ACT_CONFLICT;
			w = (why){"该活动还没有参加人员名单，请先上传名单再", ""};
		}
		break;
	default:
		rc = XF_ACT_FORBIDDEN;
		break;
	}
	if (rc != 0 && errs != NULL) {
		if (w.pre)
			xf_errs_add(errs, "%s%s%s", w.pre, action_verbs[action], w.post);
		else
			xf_errs_add(errs, "该活动当前状态为「%s」，不能%s", status_name(st),
				    action_verbs[action]);
	}
	return rc;
}

/* Opens the transaction of a change and reads activity id in it: 0 when
 * the caller may take action on it now (the transaction left open); else
 * 1 (missing or unseen), XF_ACT_FORBIDDEN or XF_ACT_CONFLICT (a message),
 * or -1 — rolled back, *a empty. */
static int act_open(xf_store *s, const xf_principal *who, long long id, int action, act *a,
		    xf_errs *errs)
{
	memset(a, 0, sizeof(*a));
	a->f.minutes = -1;
	if (who == NULL)
		return XF_ACT_MISSING;
	if (xf_store_begin(s, errs) != 0)
		return -1;
	int rc = act_load_visible(s, who, id, a, errs);
	if (rc == 0)
		rc = act_check(who, a, action, errs);
	if (rc != 0) {
		xf_store_rollback(s);
		act_cleanup(a);
	}
	return rc;
}

/* ---- audit ---- */

static int audit(xf_store *s, const xf_principal *who, const char *action, long long id,
		 const cJSON *before, const cJSON *after, xf_errs *errs)
{
	char object[48];
	snprintf(object, sizeof(object), "activity:%lld", id);
	return xf_audit_json(s, who->username, action, object, before, after, errs);
}

/* The change's audit row, then the commit: 0 or -1. */
static int audit_commit(xf_store *s, const xf_principal *who, const char *action, long long id,
			const cJSON *before, const cJSON *after, xf_errs *errs)
{
	return audit(s, who, action, id, before, after, errs) == 0 && xf_store_commit(s, errs) == 0
		       ? 0
		       : -1;
}

/* {"status": s} plus, when text is given, {key: text}. */
static cJSON *status_json(const char *status, const char *key, const char *text)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "status", status) == NULL ||
	    (key && text && cJSON_AddStringToObject(o, key, text) == NULL)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- reading the form from JSON ---- */

/* Checks one field's value (its syntax) into nv; null clears an optional
 * field and is refused for a required one. */
static void parse_field(int fi, const cJSON *v, form *nv, xf_errs *errs)
{
	const char *key = fields[fi].key, *label = fields[fi].label;
	if (cJSON_IsNull(v)) {
		if (fields[fi].required)
			xf_errs_add(errs, "%s: %s不能为空", key, label);
		else if (fi == F_MINUTES)
			nv->minutes = -1;
		else {
			free(nv->text[fi]);
			nv->text[fi] = NULL;
		}
		return;
	}
	if (fi == F_ONLINE) {
		if (!cJSON_IsBool(v))
			xf_errs_add(errs, "online: 网上学习应为 true 或 false");
		else
			nv->online = cJSON_IsTrue(v);
		return;
	}
	if (fi == F_UNIT || fi == F_MINUTES) {
		double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
		double lo = fi == F_UNIT ? 1 : 0, hi = fi == F_UNIT ? 9007199254740992.0 : MINUTES_MAX;
		if (!cJSON_IsNumber(v) || d < lo || d > hi || d != floor(d)) {
			if (fi == F_UNIT)
				xf_errs_add(errs, "unit_id: 责任单位应为单位编号（正整数）");
			else
				xf_errs_add(errs, "minutes: 课时长度应为 0 到 %d 之间的整数（分钟）",
					    MINUTES_MAX);
			return;
		}
		if (fi == F_UNIT)
			nv->unit_id = (long long)d;
		else
			nv->minutes = (long long)d;
		return;
	}
	if (!cJSON_IsString(v)) {
		xf_errs_add(errs, "%s: %s应为字符串", key, label);
		return;
	}
	const char *t = v->valuestring;
	long chars = xf_utf8_text_chars(t, fields[fi].multiline);
	if (chars < 0) {
		xf_errs_add(errs, "%s: %s含有无效字符", key, label);
		return;
	}
	if (fi == F_DATE_FROM || fi == F_DATE_TO) {
		xf_date d;
		if (xf_date_parse(t, &d) != 0) {
			xf_errs_add(errs, "%s: %s应为 YYYY-MM-DD 格式的日期", key, label);
			return;
		}
	} else if (fi == F_ITEM || fi == F_LEVEL) {
		if (strlen(t) > CODE_MAX_BYTES) {
			xf_errs_add(errs, "%s: %s不能超过 %d 个字符", key, label, CODE_MAX_BYTES);
			return;
		}
	} else if (chars > fields[fi].max_chars) {
		xf_errs_add(errs, "%s: %s不能超过 %d 个字符", key, label, fields[fi].max_chars);
		return;
	}
	free(nv->text[fi]);
	nv->text[fi] = NULL;
	if (xf_text_blank(t)) {
		if (fields[fi].required)
			xf_errs_add(errs, "%s: %s不能为空", key, label);
		return; /* an empty optional text is none */
	}
	nv->text[fi] = strdup(t);
	if (nv->text[fi] == NULL)
		oom(errs);
}

/* Reads the members of a JSON object into nv (given[] marks them). -1
 * with messages when the body is not an object or a member is bad. */
static int parse_form(const char *json, size_t len, form *nv, bool given[F_COUNT],
		      xf_errs *errs)
{
	cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
	if (root == NULL || !cJSON_IsObject(root)) {
		xf_errs_add(errs, "请求内容: 应为 JSON 对象");
		cJSON_Delete(root);
		return -1;
	}
	size_t before = xf_errs_count(errs);
	const cJSON *m;
	cJSON_ArrayForEach(m, root) {
		int fi = -1;
		for (int i = 0; i < F_COUNT; i++)
			if (strcmp(m->string, fields[i].key) == 0)
				fi = i;
		if (fi < 0) {
			xf_errs_add(errs, "%.*s: 未知字段", (int)xf_utf8_prefix(m->string, KEY_SHOW_BYTES), m->string);
			continue;
		}
		if (given[fi]) {
			xf_errs_add(errs, "%s: 字段重复", fields[fi].key);
			continue;
		}
		given[fi] = true;
		parse_field(fi, m, nv, errs);
	}
	cJSON_Delete(root);
	return xf_errs_count(errs) > before ? -1 : 0;
}

/* ---- checking the form against the database ---- */

/* Whether the caller may apply for unit_id (it exists and is in their
 * review scope, or they are an admin); adds the message. -1 on error. */
static int check_unit(xf_store *s, const xf_principal *who, long long unit_id, xf_errs *errs)
{
	int f = xf_query_row(s, "SELECT id FROM units WHERE id = $1", errs, BIND_FAILED,
			     XF_IN(unit_id));
	if (f < 0)
		return -1;
	/* Out of scope reads as missing: nothing is told of other units. */
	if (f == 1 || !(is_admin(who) || xf_principal_heads_unit(who, XF_ROLE_REVIEWER, unit_id)))
		xf_errs_add(errs, "unit_id: 单位 %lld 不存在", unit_id);
	return 0;
}

/* Checks the whole form (dates, the item and level against the unit's
 * policy for the year of date_from) and sets *year. Adds messages; -1
 * only on a database error. */
static int check_form(xf_store *s, const form *f, int *year, xf_errs *errs)
{
	xf_date from = 0, to = 0;
	*year = 0;
	if (f->text[F_TITLE] == NULL)
		xf_errs_add(errs, "title: 活动名称不能为空");
	if (f->text[F_ITEM] == NULL)
		xf_errs_add(errs, "item: 学分项目不能为空");
	if (f->text[F_DATE_FROM] == NULL || xf_date_parse(f->text[F_DATE_FROM], &from) != 0) {
		xf_errs_add(errs, "date_from: 举办开始日期不能为空");
		return 0;
	}
	*year = XF_DATE_YEAR(from);
	if (f->text[F_DATE_TO] && xf_date_parse(f->text[F_DATE_TO], &to) == 0 && to < from)
		xf_errs_add(errs, "date_to: 举办结束日期 %s 不能早于开始日期 %s", f->text[F_DATE_TO],
			    f->text[F_DATE_FROM]);
	if (f->unit_id <= 0 || f->text[F_ITEM] == NULL)
		return 0;
	const xf_policy *p = NULL;
	xf_policy *owned = NULL;
	int got = unit_policy(s, f->unit_id, *year, &p, &owned, errs);
	if (got < 0)
		return -1;
	if (got == 1) {
		xf_errs_add(errs, "unit_id: 该单位及其上级单位 %d 年度均未指定学分办法，无法申报活动",
			    *year);
		return 0;
	}
	int i = xf_policy_item(p, f->text[F_ITEM]);
	if (i < 0 || p->items[i].per == XF_PER_METRIC) {
		xf_errs_add(errs, "item: \"%.*s\" 不是 %d 年度学分办法 %s 中可登记记录的学分项目",
			    (int)xf_utf8_prefix(f->text[F_ITEM], KEY_SHOW_BYTES), f->text[F_ITEM], *year, p->id);
		goto out;
	}
	const xf_item *it = &p->items[i];
	const char *lv = f->text[F_LEVEL];
	if (it->level_points == NULL) {
		if (lv)
			xf_errs_add(errs, "level: 学分项目 %s（%s）不分级别，不能填写级别", it->key,
				    it->name);
		goto out;
	}
	int l = lv ? xf_policy_level(p, lv) : -1;
	if (l < 0 || isnan(it->level_points[l])) {
		char allowed[512] = "";
		size_t n = 0;
		for (int k = 0; k < p->nlevels && n < sizeof(allowed); k++) {
			if (isnan(it->level_points[k]))
				continue;
			int w = snprintf(allowed + n, sizeof(allowed) - n, "%s%s（%s）", n ? "、" : "",
					 p->levels[k].key, p->levels[k].name);
			if (w < 0)
				break;
			n += (size_t)w;
		}
		if (lv == NULL)
			xf_errs_add(errs, "level: 学分项目 %s 按级别计分，级别不能为空，应为 %s 之一",
				    it->key, allowed);
		else
			xf_errs_add(errs, "level: 级别 \"%.*s\" 不适用于学分项目 %s，应为 %s 之一",
				    (int)xf_utf8_prefix(lv, KEY_SHOW_BYTES), lv, it->key, allowed);
	}
out:
	xf_policy_free(owned);
	return 0;
}

/* The next key of year: act-YYYY-NNNN, NNNN one above the year's highest. */
static int next_key(xf_store *s, int year, char key[32], xf_errs *errs)
{
	char like[24];
	long long top = 0;
	snprintf(like, sizeof(like), "act-%04d-%%", year);
	if (xf_query_row(s,
			 "SELECT COALESCE(MAX(CAST(substr(key, 10) AS INTEGER)), 0) FROM activities"
			 " WHERE key LIKE CAST($1 AS TEXT)",
			 errs, BIND_FAILED, XF_IN(like), XF_OUT(&top)) != 0)
		return -1;
	snprintf(key, 32, "act-%04d-%04lld", year, top + 1);
	return 0;
}

/* Whether an activity holds key (after a failed insert: another writer
 * took the number). */
static bool key_taken(xf_store *s, const char *key)
{
	xf_errs e;
	xf_errs_init(&e);
	int f = xf_query_row(s, "SELECT id FROM activities WHERE key = $1", &e, BIND_FAILED,
			     XF_IN(key));
	xf_errs_cleanup(&e);
	return f == 0;
}

static cJSON *form_json(const form *f, const char *key)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	if (key && cJSON_AddStringToObject(o, "key", key) == NULL)
		goto fail;
	for (int i = 0; i < F_COUNT; i++) {
		cJSON *v = field_json(i, f);
		if (v == NULL || !cJSON_AddItemToObject(o, fields[i].key, v)) {
			cJSON_Delete(v);
			goto fail;
		}
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* ---- create and update ---- */

static int bind_form(xf_stmt *st, int base, const form *f)
{
	int b = 0;
	for (int i = F_TITLE; i <= F_LEVEL; i++)
		b |= xf_stmt_bind_text(st, base + (i - F_TITLE), f->text[i]);
	base += F_LEVEL - F_TITLE + 1;
	b |= f->minutes >= 0 ? xf_stmt_bind_int(st, base, f->minutes) : xf_stmt_bind_null(st, base);
	b |= xf_stmt_bind_int(st, base + 1, f->online ? 1 : 0);
	return b;
}

/* A create or an update, tried again when its key was taken meanwhile. */
typedef struct change {
	xf_store *s;
	const xf_principal *who;
	long long id;        /* update: the activity; create: the new one's */
	const form *f;       /* create: the form; update: the values given */
	const bool *given;   /* update: which fields were given */
} change;

/* Runs once(c) until it succeeds, fails for another reason than a key
 * another writer took meanwhile (*raced), or KEY_TRIES times; the last
 * try's messages go to errs. */
static int with_key_retries(int (*once)(change *c, bool *raced, xf_errs *errs), change *c,
			    xf_errs *errs)
{
	int rc = -1;
	for (int t = 0; t < KEY_TRIES; t++) {
		xf_errs e;
		xf_errs_init(&e);
		bool raced = false;
		rc = once(c, &raced, &e);
		if (rc == 0 || !raced || t == KEY_TRIES - 1) {
			errs_move(errs, &e);
			break;
		}
		xf_errs_cleanup(&e);
	}
	return rc;
}

/* One try at creating: 0 and c->id; *raced when the key was taken by
 * another writer meanwhile (try again). */
static int create_once(change *c, bool *raced, xf_errs *errs)
{
	xf_store *s = c->s;
	const xf_principal *who = c->who;
	const form *f = c->f;
	long long *id = &c->id;
	int rc = -1, year = 0;
	char key[32];
	xf_stmt *st = NULL;
	cJSON *after = NULL;
	*raced = false;
	if (xf_store_begin(s, errs) != 0)
		return -1;
	size_t before = xf_errs_count(errs);
	if (check_unit(s, who, f->unit_id, errs) != 0 || check_form(s, f, &year, errs) != 0 ||
	    xf_errs_count(errs) > before)
		goto out;
	if (next_key(s, year, key, errs) != 0)
		goto out;
	long long now = (long long)xf_clock_now();
	st = xf_stmt_prepare(s,
			     "INSERT INTO activities (key, unit_id, year, title, nature, host, speakers,"
			     " content, audience, place, date_from, date_to, item, level, minutes,"
			     " online, status, applicant, created_at, updated_at) VALUES ($1, $2, $3,"
			     " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'draft', $17,"
			     " $18, $18) RETURNING id",
			     errs);
	if (st == NULL)
		goto out;
	if ((xf_stmt_bind_text(st, 1, key) | xf_stmt_bind_int(st, 2, f->unit_id) |
	     xf_stmt_bind_int(st, 3, year) | bind_form(st, 4, f) |
	     xf_stmt_bind_int(st, 17, who->user_id) | xf_stmt_bind_int(st, 18, now)) != 0) {
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	if (xf_stmt_step(st, errs) != XF_STEP_ROW) {
		xf_stmt_finalize(st);
		st = NULL;
		xf_store_rollback(s);
		*raced = key_taken(s, key);
		return -1;
	}
	*id = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	st = NULL;
	after = form_json(f, key);
	if (after == NULL || cJSON_AddStringToObject(after, "status", "draft") == NULL) {
		oom(errs);
		goto out;
	}
	if (audit_commit(s, who, "activity.create", *id, NULL, after, errs) != 0)
		goto out;
	rc = 0;
out:
	xf_stmt_finalize(st);
	xf_store_rollback(s);
	cJSON_Delete(after);
	return rc;
}

int xf_activity_create(xf_store *s, const xf_principal *who, const char *json, size_t len,
		       long long *id, xf_errs *errs)
{
	form f;
	memset(&f, 0, sizeof(f));
	f.minutes = -1;
	bool given[F_COUNT] = {false};
	int rc = -1;
	if (who == NULL) {
		xf_errs_add(errs, "未登录 (no caller)");
		return -1;
	}
	if (parse_form(json, len, &f, given, errs) != 0)
		goto out;
	for (int i = 0; i < F_COUNT; i++)
		if (fields[i].required && !given[i] && i != F_DATE_TO && i != F_ONLINE)
			xf_errs_add(errs, "%s: %s不能为空", fields[i].key, fields[i].label);
	if (xf_errs_count(errs) > 0)
		goto out;
	if (f.text[F_DATE_TO] == NULL && (f.text[F_DATE_TO] = strdup(f.text[F_DATE_FROM])) == NULL) {
		oom(errs);
		goto out;
	}
	change c = {.s = s, .who = who, .f = &f};
	rc = with_key_retries(create_once, &c, errs);
	if (rc == 0)
		*id = c.id;
out:
	form_cleanup(&f);
	return rc;
}

/* One try at an update (see create_once for *raced). */
static int update_once(change *c, bool *raced, xf_errs *errs)
{
	xf_store *s = c->s;
	const xf_principal *who = c->who;
	long long id = c->id;
	const form *chg = c->f;
	const bool *given = c->given;
	act a;
	form nv;
	memset(&nv, 0, sizeof(nv));
	cJSON *before = NULL, *after = NULL;
	char key[32];
	int rc, year = 0;
	*raced = false;
	rc = act_open(s, who, id, A_EDIT, &a, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	/* The merged form: given fields replace the old values. */
	nv.unit_id = given[F_UNIT] ? chg->unit_id : a.f.unit_id;
	nv.minutes = given[F_MINUTES] ? chg->minutes : a.f.minutes;
	nv.online = given[F_ONLINE] ? chg->online : a.f.online;
	for (int i = 0; i < F_COUNT; i++) {
		const char *v = given[i] ? chg->text[i] : a.f.text[i];
		if (v && (nv.text[i] = strdup(v)) == NULL) {
			oom(errs);
			goto out;
		}
	}
	size_t nerr = xf_errs_count(errs);
	if (nv.unit_id != a.f.unit_id && check_unit(s, who, nv.unit_id, errs) != 0)
		goto out;
	if (check_form(s, &nv, &year, errs) != 0 || xf_errs_count(errs) > nerr)
		goto out;
	before = cJSON_CreateObject();
	after = cJSON_CreateObject();
	if (before == NULL || after == NULL) {
		oom(errs);
		goto out;
	}
	for (int i = 0; i < F_COUNT; i++) {
		if (!field_changed(i, &a.f, &nv))
			continue;
		cJSON *bv = field_json(i, &a.f), *av = field_json(i, &nv);
		if (bv == NULL || av == NULL || !cJSON_AddItemToObject(before, fields[i].key, bv) ||
		    !cJSON_AddItemToObject(after, fields[i].key, av)) {
			cJSON_Delete(bv);
			cJSON_Delete(av);
			oom(errs);
			goto out;
		}
	}
	bool rejected = is(a.status, "rejected");
	if (cJSON_GetArraySize(after) == 0 && !rejected) { /* nothing to change */
		rc = 0;
		goto out;
	}
	snprintf(key, sizeof(key), "%s", a.key);
	if (year != a.year && next_key(s, year, key, errs) != 0)
		goto out;
	if (strcmp(key, a.key) != 0 && (cJSON_AddStringToObject(before, "key", a.key) == NULL ||
					cJSON_AddStringToObject(after, "key", key) == NULL)) {
		oom(errs);
		goto out;
	}
	if (rejected && (cJSON_AddStringToObject(before, "status", a.status) == NULL ||
			 cJSON_AddStringToObject(after, "status", "draft") == NULL)) {
		oom(errs);
		goto out;
	}
	long long now = (long long)xf_clock_now();
	xf_stmt *st = xf_stmt_prepare(
		s,
		"UPDATE activities SET key = $2, unit_id = $3, year = $4, title = $5, nature = $6,"
		" host = $7, speakers = $8, content = $9, audience = $10, place = $11,"
		" date_from = $12, date_to = $13, item = $14, level = $15, minutes = $16,"
		" online = $17, status = 'draft', reviewed_by = NULL, reviewed_at = NULL,"
		" rejected_by = NULL, rejected_at = NULL, reject_reason = NULL, updated_at = $18"
		" WHERE id = $1 AND status = $19 RETURNING id",
		errs);
	if (st == NULL)
		goto out;
	if ((xf_stmt_bind_int(st, 1, id) | xf_stmt_bind_text(st, 2, key) |
	     xf_stmt_bind_int(st, 3, nv.unit_id) | xf_stmt_bind_int(st, 4, year) |
	     bind_form(st, 5, &nv) | xf_stmt_bind_int(st, 18, now) |
	     xf_stmt_bind_text(st, 19, a.status)) != 0) {
		xf_stmt_finalize(st);
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	xf_step r = xf_stmt_step(st, errs);
	xf_stmt_finalize(st);
	if (r == XF_STEP_ERROR) {
		xf_store_rollback(s);
		*raced = strcmp(key, a.key) != 0 && key_taken(s, key);
		goto out;
	}
	if (r == XF_STEP_DONE) {
		xf_errs_add(errs, RACED_MSG);
		rc = XF_ACT_CONFLICT;
		goto out;
	}
	if (audit_commit(s, who, "activity.update", id, before, after, errs) != 0)
		goto out;
	rc = 0;
out:
	xf_store_rollback(s);
	act_cleanup(&a);
	form_cleanup(&nv);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

int xf_activity_update(xf_store *s, const xf_principal *who, long long id, const char *json,
		       size_t len, xf_errs *errs)
{
	form chg;
	memset(&chg, 0, sizeof(chg));
	chg.minutes = -1;
	bool given[F_COUNT] = {false};
	int rc = -1;
	if (who == NULL)
		return XF_ACT_MISSING;
	if (parse_form(json, len, &chg, given, errs) != 0)
		goto out;
	change c = {.s = s, .who = who, .id = id, .f = &chg, .given = given};
	rc = with_key_retries(update_once, &c, errs);
out:
	form_cleanup(&chg);
	return rc;
}

/* ---- transitions ---- */

/* Checks a short text (a note or a reason): NULL/empty allowed unless
 * required, at most REASON_MAX_CHARS characters. */
static int check_note(const char *key, const char *label, const char *t, bool required,
		      xf_errs *errs)
{
	if (t == NULL || xf_text_blank(t)) {
		if (required) {
			xf_errs_add(errs, "%s: %s不能为空", key, label);
			return -1;
		}
		return 0;
	}
	long n = xf_utf8_text_chars(t, true);
	if (n < 0) {
		xf_errs_add(errs, "%s: %s含有无效字符", key, label);
		return -1;
	}
	if (n > REASON_MAX_CHARS) {
		xf_errs_add(errs, "%s: %s不能超过 %d 个字符", key, label, REASON_MAX_CHARS);
		return -1;
	}
	return 0;
}

/* Runs one transition: checks its text, reads, checks, writes the new
 * state guarded by the old one, audits. text: the note or the reason. */
static int transition(xf_store *s, const xf_principal *who, long long id, int action,
		      const char *text, xf_errs *errs)
{
	static const struct {
		const char *key, *label;
		bool required;
	} texts[A_COUNT] = {
		[A_REVIEW] = {"note", "审核意见", false},
		[A_APPROVE] = {"note", "审批意见", false},
		[A_REJECT] = {"reason", "退回理由", true},
	};
	static const char *const to_status[A_COUNT] = {
		[A_SUBMIT] = "submitted", [A_WITHDRAW] = "withdrawn", [A_REVIEW] = "reviewed",
		[A_APPROVE] = "approved", [A_REJECT] = "rejected",
	};
	static const char *const audit_action[A_COUNT] = {
		[A_SUBMIT] = "activity.submit", [A_WITHDRAW] = "activity.withdraw",
		[A_REVIEW] = "activity.review", [A_APPROVE] = "activity.approve",
		[A_REJECT] = "activity.reject",
	};
	act a;
	cJSON *before = NULL, *after = NULL;
	const char *text_key = texts[action].key;
	if (text_key &&
	    check_note(text_key, texts[action].label, text, texts[action].required, errs) != 0)
		return -1;
	int rc = act_open(s, who, id, action, &a, errs);
	if (rc != 0)
		return rc;
	long long now = (long long)xf_clock_now(), changed = 0;
	int f;
	switch (action) {
	case A_SUBMIT:
	case A_WITHDRAW:
		f = xf_query_row(s,
				 "UPDATE activities SET status = $3, updated_at = $2"
				 " WHERE id = $1 AND status = $4 RETURNING id",
				 errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_IN(to_status[action]),
				 XF_IN(a.status), XF_OUT(&changed));
		break;
	case A_REVIEW:
		f = xf_query_row(s,
				 "UPDATE activities SET status = 'reviewed', reviewed_by = $3,"
				 " reviewed_at = $2, updated_at = $2"
				 " WHERE id = $1 AND status = 'submitted' RETURNING id",
				 errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_IN(who->user_id),
				 XF_OUT(&changed));
		break;
	case A_APPROVE:
		f = xf_query_row(s,
				 "UPDATE activities SET status = 'approved', approved_by = $3,"
				 " approved_at = $2, updated_at = $2"
				 " WHERE id = $1 AND status = 'reviewed' AND reviewed_by = $4 RETURNING id",
				 errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_IN(who->user_id),
				 XF_IN(a.reviewed_by), XF_OUT(&changed));
		break;
	default: /* A_REJECT */
		f = xf_query_row(s,
				 "UPDATE activities SET status = 'rejected', rejected_by = $3,"
				 " rejected_at = $2, reject_reason = $4, updated_at = $2"
				 " WHERE id = $1 AND status = $5 RETURNING id",
				 errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_IN(who->user_id),
				 XF_IN(text), XF_IN(a.status), XF_OUT(&changed));
		break;
	}
	rc = guarded(f, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	before = status_json(a.status, NULL, NULL);
	after = status_json(to_status[action], text_key, text && !xf_text_blank(text) ? text : NULL);
	if (before == NULL || after == NULL) {
		oom(errs);
		goto out;
	}
	if (audit_commit(s, who, audit_action[action], id, before, after, errs) != 0)
		goto out;
	rc = 0;
out:
	xf_store_rollback(s);
	act_cleanup(&a);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

int xf_activity_submit(xf_store *s, const xf_principal *who, long long id, xf_errs *errs)
{
	return transition(s, who, id, A_SUBMIT, NULL, errs);
}

int xf_activity_withdraw(xf_store *s, const xf_principal *who, long long id, xf_errs *errs)
{
	return transition(s, who, id, A_WITHDRAW, NULL, errs);
}

int xf_activity_review(xf_store *s, const xf_principal *who, long long id, const char *note,
		       xf_errs *errs)
{
	return transition(s, who, id, A_REVIEW, note, errs);
}

int xf_activity_approve(xf_store *s, const xf_principal *who, long long id, const char *note,
			xf_errs *errs)
{
	return transition(s, who, id, A_APPROVE, note, errs);
}

int xf_activity_reject(xf_store *s, const xf_principal *who, long long id, const char *reason,
		       xf_errs *errs)
{
	return transition(s, who, id, A_REJECT, reason, errs);
}

/* ---- answers ---- */

/* The columns of an activity as the answers show it. */
#define ACT_COLS                                                                           \
	"a.id, a.key, a.status, a.unit_id, u.code, u.name, a.year, a.item, a.level, a.title,"\
	" a.nature, a.host, a.speakers, a.content, a.audience, a.place, a.date_from,"        \
	" a.date_to, a.minutes, a.online, a.applicant, ua.display_name, a.reviewed_by,"      \
	" ur.display_name, a.reviewed_at, a.approved_by, uv.display_name, a.approved_at,"    \
	" a.rejected_by, uj.display_name, a.rejected_at, a.reject_reason, a.records_at,"     \
	" a.created_at, a.updated_at,"                                                       \
	" (SELECT COUNT(*) FROM activity_attendance t WHERE t.activity_id = a.id),"          \
	" (SELECT COUNT(t.record_id) FROM activity_attendance t WHERE t.activity_id = a.id)"
#define ACT_FROM                                                                           \
	" FROM activities a JOIN units u ON u.id = a.unit_id"                                 \
	" JOIN users ua ON ua.id = a.applicant"                                               \
	" LEFT JOIN users ur ON ur.id = a.reviewed_by"                                        \
	" LEFT JOIN users uv ON uv.id = a.approved_by"                                        \
	" LEFT JOIN users uj ON uj.id = a.rejected_by"

enum {
	C_ID, C_KEY, C_STATUS, C_UNIT, C_UNIT_CODE, C_UNIT_NAME, C_YEAR, C_ITEM, C_LEVEL,
	C_TITLE, C_NATURE, C_HOST, C_SPEAKERS, C_CONTENT, C_AUDIENCE, C_PLACE, C_FROM, C_TO,
	C_MINUTES, C_ONLINE, C_APPLICANT, C_APPLICANT_NAME, C_REVIEWED_BY, C_REVIEWED_NAME,
	C_REVIEWED_AT, C_APPROVED_BY, C_APPROVED_NAME, C_APPROVED_AT, C_REJECTED_BY,
	C_REJECTED_NAME, C_REJECTED_AT, C_REASON, C_RECORDS_AT, C_CREATED_AT, C_UPDATED_AT,
	C_LISTED, C_GIVEN
};

static void write_time(xf_jw *w, const char *key, xf_stmt *st, int col)
{
	if (xf_stmt_is_null(st, col)) {
		xf_jw_knull(w, key);
		return;
	}
	char t[32];
	xf_iso_utc(xf_stmt_int(st, col), t);
	xf_jw_kstr(w, key, t);
}

/* An integer column that may be NULL. */
static void write_opt_int(xf_jw *w, const char *key, xf_stmt *st, int col)
{
	if (xf_stmt_is_null(st, col))
		xf_jw_knull(w, key);
	else
		xf_jw_kint(w, key, xf_stmt_int(st, col));
}

static void write_user(xf_jw *w, const char *key, xf_stmt *st, int id_col, int name_col)
{
	xf_jw_key(w, key);
	if (xf_stmt_is_null(st, id_col)) {
		xf_jw_null(w);
		return;
	}
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, id_col));
	xf_jw_kstr(w, "name", xf_stmt_text(st, name_col));
	xf_jw_obj_end(w);
}

/* The fields of the current row of an ACT_COLS statement (the object's
 * members, without its braces). */
static void write_act_fields(xf_jw *w, xf_stmt *st, xf_store *s, names_cache *nc)
{
	const char *status = xf_stmt_text(st, C_STATUS);
	xf_jw_kint(w, "id", xf_stmt_int(st, C_ID));
	xf_jw_kstr(w, "key", xf_stmt_text(st, C_KEY));
	xf_jw_kstr(w, "status", status);
	xf_jw_kstr(w, "status_name", status_name(status));
	xf_jw_key(w, "unit");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", xf_stmt_int(st, C_UNIT));
	xf_jw_kstr(w, "code", xf_stmt_text(st, C_UNIT_CODE));
	xf_jw_kstr(w, "name", xf_stmt_text(st, C_UNIT_NAME));
	xf_jw_obj_end(w);
	xf_jw_kint(w, "year", xf_stmt_int(st, C_YEAR));
	const char *item_name, *level_name;
	item_names(cached_policy(s, nc, xf_stmt_int(st, C_UNIT), (int)xf_stmt_int(st, C_YEAR)),
		   xf_stmt_text(st, C_ITEM), xf_stmt_text(st, C_LEVEL), &item_name, &level_name);
	xf_jw_kstr(w, "item", xf_stmt_text(st, C_ITEM));
	xf_jw_kstr(w, "item_name", item_name);
	xf_jw_kstr(w, "level", xf_stmt_text(st, C_LEVEL));
	xf_jw_kstr(w, "level_name", level_name);
	static const struct {
		const char *key;
		int col;
	} texts[] = {
		{"title", C_TITLE},       {"nature", C_NATURE},     {"host", C_HOST},
		{"speakers", C_SPEAKERS}, {"content", C_CONTENT},   {"audience", C_AUDIENCE},
		{"place", C_PLACE},       {"date_from", C_FROM},    {"date_to", C_TO},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		xf_jw_kstr(w, texts[i].key, xf_stmt_text(st, texts[i].col));
	xf_jw_kint(w, "days", span_days(xf_stmt_text(st, C_FROM), xf_stmt_text(st, C_TO)));
	write_opt_int(w, "minutes", st, C_MINUTES);
	xf_jw_kbool(w, "online", xf_stmt_int(st, C_ONLINE) != 0);
	write_user(w, "applicant", st, C_APPLICANT, C_APPLICANT_NAME);
	write_user(w, "reviewed_by", st, C_REVIEWED_BY, C_REVIEWED_NAME);
	write_time(w, "reviewed_at", st, C_REVIEWED_AT);
	write_user(w, "approved_by", st, C_APPROVED_BY, C_APPROVED_NAME);
	write_time(w, "approved_at", st, C_APPROVED_AT);
	write_user(w, "rejected_by", st, C_REJECTED_BY, C_REJECTED_NAME);
	write_time(w, "rejected_at", st, C_REJECTED_AT);
	xf_jw_kstr(w, "reject_reason", xf_stmt_text(st, C_REASON));
	write_time(w, "records_at", st, C_RECORDS_AT);
	write_time(w, "created_at", st, C_CREATED_AT);
	write_time(w, "updated_at", st, C_UPDATED_AT);
	xf_jw_key(w, "attendance");
	xf_jw_obj(w);
	xf_jw_kint(w, "listed", xf_stmt_int(st, C_LISTED));
	xf_jw_kint(w, "given", xf_stmt_int(st, C_GIVEN));
	xf_jw_obj_end(w);
}

int xf_activity_get_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
			 xf_errs *errs)
{
	act a;
	names_cache nc = {.n = 0};
	int rc = act_load_visible(s, who, id, &a, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	xf_stmt *st = xf_stmt_prepare(s, "SELECT " ACT_COLS ACT_FROM " WHERE a.id = $1", errs);
	if (st == NULL)
		goto out;
	if (xf_stmt_bind_int(st, 1, id) != 0) {
		xf_stmt_finalize(st);
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	xf_step r = xf_stmt_step(st, errs);
	if (r != XF_STEP_ROW) {
		xf_stmt_finalize(st);
		rc = r == XF_STEP_DONE ? XF_ACT_MISSING : -1;
		goto out;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	write_act_fields(&w, st, s, &nc);
	xf_stmt_finalize(st);
	xf_jw_key(&w, "can");
	xf_jw_arr(&w);
	for (int i = 0; i < A_COUNT; i++)
		if (act_check(who, &a, i, NULL) == 0)
			xf_jw_str(&w, action_keys[i]);
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	act_cleanup(&a);
	names_cache_cleanup(&nc);
	return rc;
}

/* ---- the list ---- */

/* Unit ids as one text of ID_WIDTH-digit numbers (an id 0 that matches
 * nothing when there are none). Caller frees. */
static char *ids_text(const long long *a, size_t na, const long long *b, size_t nb)
{
	char *t = malloc((na + nb + 1) * ID_WIDTH + 1);
	if (t == NULL)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < na + nb; i++) {
		long long v = i < na ? a[i] : b[i - na];
		if (v <= 0)
			continue;
		snprintf(t + n, ID_WIDTH + 1, "%0*lld", ID_WIDTH, v);
		n += ID_WIDTH;
	}
	if (n == 0) {
		snprintf(t, ID_WIDTH + 1, "%0*d", ID_WIDTH, 0);
		n = ID_WIDTH;
	}
	t[n] = '\0';
	return t;
}

/* Splits text parameter N into the ids of table T. */
#define IDS_CTE(T, N)                                                                      \
	" " T "_pos(i) AS (SELECT 1 UNION ALL SELECT i + 19 FROM " T "_pos"                 \
	" WHERE i + 19 <= length(CAST($" N " AS TEXT))),"                                    \
	" " T "(id) AS (SELECT CAST(substr(CAST($" N " AS TEXT), i, 19) AS BIGINT) FROM " T "_pos)"

/* $1 admin (1/0), $2 the caller's user id, $3 staff unit ids, $4 the
 * units of the caller's organisation, $5 status or NULL, $6 unit (0: any),
 * $7 year (0: any), $8 LIKE pattern or NULL. */
#define LIST_WITH                                                                          \
	"WITH RECURSIVE" IDS_CTE("staff", "3") "," IDS_CTE("org", "4") ","                   \
	" sub(id) AS (SELECT id FROM units WHERE id = CAST($6 AS BIGINT)"                    \
	" UNION SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)"
#define LIST_WHERE                                                                         \
	" WHERE (CAST($1 AS BIGINT) = 1 OR a.applicant = CAST($2 AS BIGINT)"                 \
	" OR a.unit_id IN (SELECT id FROM staff)"                                            \
	" OR (a.status = 'approved' AND a.unit_id IN (SELECT id FROM org)))"                 \
	" AND (CAST($5 AS TEXT) IS NULL OR a.status = CAST($5 AS TEXT))"                     \
	" AND (CAST($6 AS BIGINT) = 0 OR a.unit_id IN (SELECT id FROM sub))"                 \
	" AND (CAST($7 AS BIGINT) = 0 OR a.year = CAST($7 AS BIGINT))"                       \
	" AND (CAST($8 AS TEXT) IS NULL"                                                     \
	" OR lower(a.title) LIKE lower(CAST($8 AS TEXT)) ESCAPE '\\'"                        \
	" OR lower(a.key) LIKE lower(CAST($8 AS TEXT)) ESCAPE '\\')"

static int check_query(const xf_activity_query *q, xf_errs *errs)
{
	size_t before = xf_errs_count(errs);
	if (q->page < 1 || q->page > PAGE_MAX)
		xf_errs_add(errs, "page: 页码应为 1 到 %lld 之间的整数", PAGE_MAX);
	if (q->per_page < 1 || q->per_page > PER_PAGE_MAX)
		xf_errs_add(errs, "per_page: 每页条数应为 1 到 %d 之间的整数", PER_PAGE_MAX);
	if (q->unit_id < 0)
		xf_errs_add(errs, "unit_id: 单位编号应为正整数");
	if (q->year != 0 && (q->year < 2000 || q->year > 2100))
		xf_errs_add(errs, "year: 年度应为 2000 到 2100 之间的整数");
	if (q->status) {
		bool ok = false;
		for (size_t i = 0; i < NSTATUSES; i++)
			ok = ok || strcmp(q->status, statuses[i].key) == 0;
		if (!ok)
			xf_errs_add(errs, "status: 状态应为 draft、submitted、reviewed、approved、"
				    "rejected、withdrawn 之一");
	}
	if (q->q) {
		long n = xf_utf8_text_chars(q->q, false);
		if (n < 0)
			xf_errs_add(errs, "q: 搜索词含有无效字符");
		else if (n > Q_MAX_CHARS)
			xf_errs_add(errs, "q: 搜索词不能超过 %d 个字符", Q_MAX_CHARS);
	}
	return xf_errs_count(errs) > before ? -1 : 0;
}

/* The units of the caller's organisation (the tree of their person's
 * root unit), sorted; none when no person. */
static int org_units(xf_store *s, const xf_principal *who, long long **ids, size_t *n,
		     xf_errs *errs)
{
	long long unit = 0, root = 0;
	*ids = NULL;
	*n = 0;
	if (who->person_id <= 0)
		return 0;
	int f = xf_people_unit_of(s, who->person_id, &unit, errs);
	if (f < 0)
		return -1;
	if (f == 1 || unit <= 0)
		return 0;
	f = root_of(s, unit, &root, errs);
	if (f < 0)
		return -1;
	if (f == 1)
		return 0;
	return xf_units_subtree(s, root, ids, n, errs) < 0 ? -1 : 0;
}

static int bind_list(xf_stmt *st, const xf_principal *who, const xf_activity_query *q,
		     const char *staff, const char *org, const char *pattern)
{
	return xf_stmt_bind_int(st, 1, is_admin(who) ? 1 : 0) |
	       xf_stmt_bind_int(st, 2, who->user_id) | xf_stmt_bind_text(st, 3, staff) |
	       xf_stmt_bind_text(st, 4, org) | xf_stmt_bind_text(st, 5, q->status) |
	       xf_stmt_bind_int(st, 6, q->unit_id) | xf_stmt_bind_int(st, 7, q->year) |
	       xf_stmt_bind_text(st, 8, pattern);
}

int xf_activities_list_json(xf_store *s, const xf_principal *who, const xf_activity_query *q,
			    FILE *f, xf_errs *errs)
{
	long long *org = NULL;
	size_t norg = 0;
	char *staff_t = NULL, *org_t = NULL, *pattern = NULL;
	xf_stmt *st = NULL;
	names_cache nc = {.n = 0};
	int rc = -1;
	long long total = 0;
	if (check_query(q, errs) != 0)
		return -1;
	if (who == NULL)
		return XF_ACT_MISSING;
	if (org_units(s, who, &org, &norg, errs) != 0)
		goto out;
	staff_t = ids_text((who->roles & XF_ROLE_REVIEWER) ? who->review_units : NULL,
			   (who->roles & XF_ROLE_REVIEWER) ? who->nreview_units : 0,
			   (who->roles & XF_ROLE_APPROVER) ? who->approve_units : NULL,
			   (who->roles & XF_ROLE_APPROVER) ? who->napprove_units : 0);
	org_t = ids_text(org, norg, NULL, 0);
	pattern = q->q && *q->q ? xf_like_contains(q->q) : NULL;
	if (staff_t == NULL || org_t == NULL || (q->q && *q->q && pattern == NULL)) {
		oom(errs);
		goto out;
	}
	st = xf_stmt_prepare(s, LIST_WITH " SELECT COUNT(*) FROM activities a" LIST_WHERE, errs);
	if (st == NULL)
		goto out;
	if (bind_list(st, who, q, staff_t, org_t, pattern) != 0)
		goto bind_fail;
	if (xf_stmt_step(st, errs) != XF_STEP_ROW)
		goto out;
	total = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	st = NULL;
	long long offset = (q->page - 1) * q->per_page;
	if (total > offset) {
		st = xf_stmt_prepare(s,
				     LIST_WITH " SELECT " ACT_COLS ACT_FROM LIST_WHERE
					       " ORDER BY a.date_from DESC, a.id DESC LIMIT $9 OFFSET $10",
				     errs);
		if (st == NULL)
			goto out;
		if ((bind_list(st, who, q, staff_t, org_t, pattern) |
		     xf_stmt_bind_int(st, 9, q->per_page) | xf_stmt_bind_int(st, 10, offset)) != 0)
			goto bind_fail;
	}
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "total", total);
	xf_jw_kint(&w, "page", q->page);
	xf_jw_kint(&w, "per_page", q->per_page);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	if (st) {
		xf_step r;
		while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
			xf_jw_obj(&w);
			write_act_fields(&w, st, s, &nc);
			xf_jw_obj_end(&w);
		}
		if (r == XF_STEP_ERROR)
			goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
	goto out;
bind_fail:
	xf_errs_add(errs, "%s", BIND_FAILED_MSG);
	errs->internal = true;
out:
	xf_stmt_finalize(st);
	names_cache_cleanup(&nc);
	free(org);
	free(staff_t);
	free(org_t);
	free(pattern);
	return rc;
}

/* ---- the attendance list ---- */

/* Who sees the list: admins, the applicant, reviewers and approvers of
 * the activity's unit. */
static bool sees_attendance(const xf_principal *who, const act *a)
{
	return organiser(who, a) || xf_principal_heads_unit(who, XF_ROLE_REVIEWER, a->f.unit_id) ||
	       xf_principal_heads_unit(who, XF_ROLE_APPROVER, a->f.unit_id);
}

int xf_activity_attendance_json(xf_store *s, const xf_principal *who, long long id, FILE *f,
				xf_errs *errs)
{
	act a;
	xf_stmt *st = NULL;
	int rc = act_load_visible(s, who, id, &a, errs);
	if (rc != 0)
		goto out;
	if (!sees_attendance(who, &a)) {
		rc = XF_ACT_MISSING;
		goto out;
	}
	rc = -1;
	/* By the code of the person's unit (none last), then the person's
	 * code, compared as bytes on both backends (PostgreSQL's code columns
	 * are COLLATE "C", schema 4): the same list on both. */
	st = xf_stmt_prepare(s,
			     "SELECT p.id, p.code, p.name, p.staff_no, u.id, u.code, u.name,"
			     " t.attended_minutes, t.record_id FROM activity_attendance t"
			     " JOIN people p ON p.id = t.person_id LEFT JOIN units u ON u.id = p.unit_id"
			     " WHERE t.activity_id = $1"
			     " ORDER BY CASE WHEN u.code IS NULL THEN 1 ELSE 0 END, u.code, p.code",
			     errs);
	if (st == NULL)
		goto out;
	if (xf_stmt_bind_int(st, 1, id) != 0) {
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	long long given = 0;
	int g = xf_query_row(s, "SELECT COUNT(record_id) FROM activity_attendance"
			     " WHERE activity_id = $1", errs, BIND_FAILED, XF_IN(id), XF_OUT(&given));
	if (g != 0)
		goto out;
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "activity_id", id);
	xf_jw_kstr(&w, "key", a.key);
	xf_jw_kint(&w, "listed", a.listed);
	xf_jw_kint(&w, "given", given);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		xf_jw_obj(&w);
		xf_jw_key(&w, "person");
		xf_jw_obj(&w);
		xf_jw_kint(&w, "id", xf_stmt_int(st, 0));
		xf_jw_kstr(&w, "code", xf_stmt_text(st, 1));
		xf_jw_kstr(&w, "name", xf_stmt_text(st, 2));
		xf_jw_kstr(&w, "staff_no", xf_stmt_text(st, 3));
		xf_jw_key(&w, "unit");
		if (xf_stmt_is_null(st, 4)) {
			xf_jw_null(&w);
		} else {
			xf_jw_obj(&w);
			xf_jw_kint(&w, "id", xf_stmt_int(st, 4));
			xf_jw_kstr(&w, "code", xf_stmt_text(st, 5));
			xf_jw_kstr(&w, "name", xf_stmt_text(st, 6));
			xf_jw_obj_end(&w);
		}
		xf_jw_obj_end(&w);
		write_opt_int(&w, "attended_minutes", st, 7);
		write_opt_int(&w, "record_id", st, 8);
		xf_jw_obj_end(&w);
	}
	if (r == XF_STEP_ERROR)
		goto out;
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	xf_stmt_finalize(st);
	act_cleanup(&a);
	return rc;
}

/* ---- reading an attendance file ---- */

enum { H_STAFF, H_CODE, H_NAME, H_MINUTES, H_COUNT };

static const struct {
	const char *title; /* as a message names the column */
	const char *names[4];
} heads[H_COUNT] = {
	[H_STAFF] = {"工号", {"工号", NULL}},
	[H_CODE] = {"编号", {"编号", "人员编号", NULL}},
	[H_NAME] = {"姓名", {"姓名", NULL}},
	[H_MINUTES] = {"听课时长（分钟）",
		       {"听课时长（分钟）", "听课时长(分钟)", "听课时长", NULL}},
};

/* Columns a sign-in sheet often has, read past. */
static const char *const ignored_heads[] = {
	"序号", "单位", "科室", "部门", "职务", "签名", "签到时间", "备注",
};

typedef struct att_row {
	long long person;
	long long minutes; /* -1: not given */
	uint32_t row;
} att_row;

typedef struct att_reader {
	xf_store *s;
	const char *name;
	xf_errs *errs;
	const act *a;
	const long long *org;   /* the organisation's units, sorted */
	size_t norg;
	const char *org_name;
	bool header_done;
	int col[H_COUNT];       /* file column of each known header, -1 */
	long long problems;
	bool db_failed;         /* a database error: stop */
	att_row *rows;
	size_t nrows, caprows;
} att_reader;

static void att_problem(att_reader *m, uint32_t row, int h, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void att_problem(att_reader *m, uint32_t row, int h, const char *fmt, ...)
{
	char msg[512], where[96] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (h >= 0 && m->col[h] >= 0) {
		char letter[8];
		xf_table_column_name((size_t)m->col[h], letter);
		snprintf(where, sizeof(where), " %s 列（%s）", letter, heads[h].title);
	}
	if (m->problems++ < MAX_REPORTED)
		xf_errs_add(m->errs, "%s: 第 %u 行%s：%s", m->name, row, where, msg);
}

/* s without ASCII spaces, tabs and ideographic spaces (U+3000), into out. */
static void squeeze(const char *s, char *out, size_t size)
{
	size_t n = 0;
	while (*s && n + 1 < size) {
		if (*s == ' ' || *s == '\t') {
			s++;
		} else if (strncmp(s, "\xe3\x80\x80", 3) == 0) {
			s += 3;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

static int att_header(att_reader *m, uint32_t row, const char *const *cells, size_t n)
{
	for (int h = 0; h < H_COUNT; h++)
		m->col[h] = -1;
	for (size_t i = 0; i < n; i++) {
		char t[128];
		squeeze(cells[i], t, sizeof(t));
		if (t[0] == '\0')
			continue;
		char letter[8];
		xf_table_column_name(i, letter);
		int found = -1;
		for (int h = 0; h < H_COUNT && found < 0; h++)
			for (int k = 0; heads[h].names[k] && found < 0; k++)
				if (strcmp(t, heads[h].names[k]) == 0)
					found = h;
		if (found < 0) {
			bool skip = false;
			for (size_t k = 0; k < sizeof(ignored_heads) / sizeof(ignored_heads[0]); k++)
				skip = skip || strcmp(t, ignored_heads[k]) == 0;
			if (!skip) {
				m->problems++;
				xf_errs_add(m->errs, "%s: 第 %u 行 %s 列：未知的列 \"%.40s\"（应为 工号、编号、"
					    "姓名、听课时长（分钟））", m->name, row, letter, cells[i]);
			}
			continue;
		}
		if (m->col[found] >= 0) {
			m->problems++;
			xf_errs_add(m->errs, "%s: 第 %u 行 %s 列：列“%s”重复", m->name, row, letter,
				    heads[found].title);
			continue;
		}
		m->col[found] = (int)i;
	}
	if (m->col[H_NAME] < 0) {
		m->problems++;
		xf_errs_add(m->errs, "%s: 第 %u 行：缺少必填列“姓名”", m->name, row);
	}
	if (m->col[H_STAFF] < 0 && m->col[H_CODE] < 0) {
		m->problems++;
		xf_errs_add(m->errs, "%s: 第 %u 行：缺少“工号”或“编号”列（二者至少有一）", m->name, row);
	}
	m->header_done = true;
	return m->problems > 0 ? 1 : 0; /* a bad header: the rows cannot be read */
}

static const char *att_cell(const att_reader *m, int h, const char *const *cells, size_t n)
{
	int c = m->col[h];
	return c >= 0 && (size_t)c < n ? cells[c] : "";
}

/* A person by staff number or code: 0 and the values; 1 when none. */
typedef struct att_person {
	long long id, unit;
	bool active;
	char name[256], code[128];
} att_person;

static int att_find(att_reader *m, const char *sql, const char *v, att_person *p)
{
	memset(p, 0, sizeof(*p));
	int f = xf_query_row(m->s, sql, m->errs, BIND_FAILED, XF_IN(v), XF_OUT(&p->id),
			     XF_OUT(&p->unit), XF_OUT(&p->active),
			     XF_OUT_TEXT(p->name, sizeof(p->name)),
			     XF_OUT_TEXT(p->code, sizeof(p->code)));
	if (f < 0)
		m->db_failed = true;
	return f;
}

static int att_row_fn(void *ctx, uint32_t row, const char *const *cells, size_t n)
{
	att_reader *m = ctx;
	if (!m->header_done)
		return att_header(m, row, cells, n);
	const char *staff = att_cell(m, H_STAFF, cells, n), *code = att_cell(m, H_CODE, cells, n);
	const char *name = att_cell(m, H_NAME, cells, n), *mins = att_cell(m, H_MINUTES, cells, n);
	if (!*staff && !*code && !*name && !*mins)
		return 0; /* a row of ignored columns only (序号...) */
	if (m->nrows >= XF_ACT_MAX_ATTENDEES) {
		att_problem(m, row, -1, "名单不能超过 %d 人", XF_ACT_MAX_ATTENDEES);
		return 1;
	}
	long long minutes = -1;
	if (*mins) {
		double d;
		if (xf_parse_double(mins, &d) != 0 || d < 0 || d != floor(d) || d > MINUTES_MAX)
			att_problem(m, row, H_MINUTES, "应为不小于 0 的整数（分钟），实际为 \"%.40s\"", mins);
		else if (m->a->f.minutes >= 0 && d > (double)m->a->f.minutes)
			att_problem(m, row, H_MINUTES, "听课时长 %.0f 分钟超过课时长度 %lld 分钟", d,
				    m->a->f.minutes);
		else
			minutes = (long long)d;
	}
	if (!*name)
		att_problem(m, row, H_NAME, "姓名为空");
	if (!*staff && !*code) {
		att_problem(m, row, m->col[H_STAFF] >= 0 ? H_STAFF : H_CODE, "需要工号或编号");
		return 0;
	}
	att_person p, q;
	int f = *staff ? att_find(m, "SELECT id, unit_id, active, name, code FROM people"
				     " WHERE staff_no = $1", staff, &p) : 1;
	if (f < 0)
		return 1;
	if (*staff && f == 1) {
		att_problem(m, row, H_STAFF, "未知人员：工号 %.40s 不在名册中", staff);
		return 0;
	}
	if (*code) {
		int g = att_find(m, "SELECT id, unit_id, active, name, code FROM people"
				    " WHERE code = $1", code, &q);
		if (g < 0)
			return 1;
		if (g == 1) {
			att_problem(m, row, H_CODE, "未知人员：编号 %.40s 不在名册中", code);
			return 0;
		}
		if (*staff && q.id != p.id) {
			att_problem(m, row, H_CODE, "编号 %.40s 与工号 %.40s 不是同一人", code, staff);
			return 0;
		}
		if (!*staff)
			p = q;
	}
	int h = *staff ? H_STAFF : H_CODE;
	const char *who = *staff ? staff : code;
	if (!p.active) {
		att_problem(m, row, h, "%s（%.40s）已不在职", p.name, who);
		return 0;
	}
	xf_unit_scope org = {.units = m->org, .nunits = m->norg};
	if (!xf_unit_scope_has(&org, p.unit)) {
		att_problem(m, row, h, "%s（%.40s）不属于%s，不能列入本活动的名单", p.name, who,
			    m->org_name);
		return 0;
	}
	char given_name[256], roll_name[256];
	squeeze(name, given_name, sizeof(given_name));
	squeeze(p.name, roll_name, sizeof(roll_name));
	if (*name && strcmp(given_name, roll_name) != 0) {
		att_problem(m, row, H_NAME, "姓名“%.40s”与名册中%s %.40s 的姓名“%s”不符", name,
			    *staff ? "工号" : "编号", who, p.name);
		return 0;
	}
	for (size_t i = 0; i < m->nrows; i++) {
		if (m->rows[i].person == p.id) {
			att_problem(m, row, h, "%s 与第 %u 行重复（同一人只能列入一次）", p.name,
				    m->rows[i].row);
			return 0;
		}
	}
	if (m->nrows == m->caprows) {
		size_t cap = m->caprows ? m->caprows * 2 : 64;
		att_row *r = realloc(m->rows, cap * sizeof(*r));
		if (r == NULL) {
			oom(m->errs);
			m->db_failed = true;
			return 1;
		}
		m->rows = r;
		m->caprows = cap;
	}
	m->rows[m->nrows++] = (att_row){p.id, minutes, row};
	return 0;
}

int xf_activity_attendance_upload(xf_store *s, const xf_principal *who, long long id,
				  const char *data, size_t len, const char *name, bool dry_run,
				  xf_attendance_report *rep, xf_errs *errs)
{
	act a;
	att_reader m;
	memset(&m, 0, sizeof(m));
	memset(rep, 0, sizeof(*rep));
	rep->dry_run = dry_run;
	long long *org = NULL;
	size_t norg = 0;
	char org_name[256] = "";
	cJSON *after = NULL;
	int rc = -1;
	if (name == NULL || *name == '\0')
		name = "名单";
	rc = act_open(s, who, id, A_ATTENDANCE, &a, errs);
	if (rc != 0)
		return rc;
	rc = -1;
	if (xf_units_subtree(s, a.root_id, &org, &norg, errs) < 0 ||
	    xf_query_row(s, "SELECT name FROM units WHERE id = $1", errs, BIND_FAILED,
			 XF_IN(a.root_id), XF_OUT_TEXT(org_name, sizeof(org_name))) < 0)
		goto out;
	m.s = s;
	m.name = name;
	m.errs = errs;
	m.a = &a;
	m.org = org;
	m.norg = norg;
	m.org_name = org_name;
	if (len == 0) {
		xf_errs_add(errs, "%s: 文件是空的", name);
		goto out;
	}
	bool xlsx = len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
	int read_rc = xlsx ? xf_xlsx_read(data, len, name, 0, att_row_fn, &m, errs)
			   : xf_csv_read(data, len, name, att_row_fn, &m, errs);
	if (read_rc < 0 || m.db_failed)
		goto out;
	if (!m.header_done) {
		xf_errs_add(errs, "%s: 文件是空的，没有表头", name);
		goto out;
	}
	if (m.problems > MAX_REPORTED)
		xf_errs_add(errs, "%s: 另有 %lld 处问题未列出", name, m.problems - MAX_REPORTED);
	if (m.problems == 0 && m.nrows == 0)
		xf_errs_add(errs, "%s: 名单中没有人员", name);
	if (m.problems > 0 || xf_errs_count(errs) > 0)
		goto out;
	rep->listed = (long long)m.nrows;
	rep->replaced = a.listed;
	if (dry_run) {
		rc = 0;
		goto out;
	}
	/* The state again, as a guarded write: a records step or another
	 * change that got in first wins. */
	long long now = (long long)xf_clock_now(), changed = 0;
	int f = xf_query_row(s,
			     "UPDATE activities SET updated_at = $2 WHERE id = $1"
			     " AND status = 'approved' AND records_at IS NULL RETURNING id",
			     errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_OUT(&changed));
	rc = guarded(f, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	if (xf_query_exec(s, "DELETE FROM activity_attendance WHERE activity_id = $1", errs,
			  BIND_FAILED, XF_IN(id)) != 0)
		goto out;
	for (size_t i = 0; i < m.nrows; i++) {
		const att_row *r = &m.rows[i];
		int w = r->minutes >= 0
				? xf_query_exec(s, "INSERT INTO activity_attendance (activity_id,"
						   " person_id, attended_minutes) VALUES ($1, $2, $3)",
						errs, BIND_FAILED, XF_IN(id), XF_IN(r->person),
						XF_IN(r->minutes))
				: xf_query_exec(s, "INSERT INTO activity_attendance (activity_id,"
						   " person_id, attended_minutes) VALUES ($1, $2, NULL)",
						errs, BIND_FAILED, XF_IN(id), XF_IN(r->person));
		if (w != 0)
			goto out;
	}
	after = cJSON_CreateObject();
	if (after == NULL || cJSON_AddStringToObject(after, "file", name) == NULL ||
	    cJSON_AddNumberToObject(after, "listed", (double)rep->listed) == NULL ||
	    cJSON_AddNumberToObject(after, "replaced", (double)rep->replaced) == NULL) {
		oom(errs);
		goto out;
	}
	if (audit_commit(s, who, "activity.attendance", id, NULL, after, errs) != 0)
		goto out;
	rc = 0;
out:
	xf_store_rollback(s);
	act_cleanup(&a);
	free(org);
	free(m.rows);
	cJSON_Delete(after);
	return rc;
}

/* ---- the records ---- */

typedef struct attendee {
	long long person;
	long long minutes; /* -1: none */
	char name[256];
	long long record;  /* the record given, or the one that was there */
	bool skipped;
} attendee;

/* The listed people with their attended minutes, in person order. */
static int load_attendees(xf_store *s, long long id, attendee **out, size_t *n, xf_errs *errs)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT t.person_id, t.attended_minutes, p.name"
				      " FROM activity_attendance t JOIN people p ON p.id = t.person_id"
				      " WHERE t.activity_id = $1 ORDER BY t.person_id",
				      errs);
	if (st == NULL)
		return -1;
	if (xf_stmt_bind_int(st, 1, id) != 0) {
		xf_stmt_finalize(st);
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		return -1;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			attendee *p = realloc(*out, cap * sizeof(*p));
			if (p == NULL) {
				oom(errs);
				r = XF_STEP_ERROR;
				break;
			}
			*out = p;
		}
		attendee *e = &(*out)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->person = xf_stmt_int(st, 0);
		e->minutes = xf_stmt_is_null(st, 1) ? -1 : xf_stmt_int(st, 1);
		snprintf(e->name, sizeof(e->name), "%s", xf_stmt_text(st, 2) ? xf_stmt_text(st, 2) : "");
	}
	xf_stmt_finalize(st);
	return r == XF_STEP_ERROR ? -1 : 0;
}

/* Refuses (XF_ACT_ARCHIVED) when a listed person's date lies in an
 * archived 公示 period, naming the first few. */
static int check_archived(xf_store *s, long long id, const char *date, xf_errs *errs)
{
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT p.name FROM activity_attendance t"
				      " JOIN people p ON p.id = t.person_id WHERE t.activity_id = $1"
				      " AND " XF_ARCHIVED_SQL("t.person_id", "CAST($2 AS TEXT)")
				      " ORDER BY t.person_id",
				      errs);
	if (st == NULL)
		return -1;
	if ((xf_stmt_bind_int(st, 1, id) | xf_stmt_bind_text(st, 2, date)) != 0) {
		xf_stmt_finalize(st);
		xf_errs_add(errs, "%s", BIND_FAILED_MSG);
		errs->internal = true;
		return -1;
	}
	char names[512] = "";
	size_t len = 0;
	long long count = 0;
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (count++ < 5 && len < sizeof(names)) {
			int w = snprintf(names + len, sizeof(names) - len, "%s%s", len ? "、" : "",
					 xf_stmt_text(st, 0));
			if (w > 0)
				len += (size_t)w;
		}
	}
	xf_stmt_finalize(st);
	if (r == XF_STEP_ERROR)
		return -1;
	if (count == 0)
		return 0;
	xf_errs_add(errs, "该期间已归档，记录不能再修改：%s%s 的 %s 在已归档的公示期间内", names,
		    count > 5 ? " 等" : "", date);
	return XF_ACT_ARCHIVED;
}

int xf_activity_records(xf_store *s, const xf_principal *who, long long id, FILE *f,
			xf_errs *errs)
{
	act a;
	attendee *people = NULL;
	size_t npeople = 0;
	xf_data *d = NULL;
	cJSON *after = NULL;
	long long given = 0, skipped = 0, now = (long long)xf_clock_now();
	int year = 0;
	int rc = act_open(s, who, id, A_RECORDS, &a, errs);
	if (rc != 0)
		return rc;
	/* The form is checked again: the policy of the year may have changed
	 * since the approval. */
	size_t nerr = xf_errs_count(errs);
	rc = -1;
	if (check_form(s, &a.f, &year, errs) != 0 || xf_errs_count(errs) > nerr)
		goto out;
	rc = check_archived(s, id, a.f.text[F_DATE_FROM], errs);
	if (rc != 0)
		goto out;
	rc = -1;
	long long changed = 0;
	int w = xf_query_row(s,
			     "UPDATE activities SET records_at = $2, updated_at = $2 WHERE id = $1"
			     " AND status = 'approved' AND records_at IS NULL RETURNING id",
			     errs, BIND_FAILED, XF_IN(id), XF_IN(now), XF_OUT(&changed));
	rc = guarded(w, errs);
	if (rc != 0)
		goto out;
	rc = -1;
	if (load_attendees(s, id, &people, &npeople, errs) != 0)
		goto out;
	d = xf_data_new(s, errs);
	if (d == NULL)
		goto out;
	char object[48], body[1024];
	snprintf(object, sizeof(object), "activity:%lld", id);
	snprintf(body, sizeof(body), "《%s》（%s，%s 至 %s）已为您登记学习记录，计入 %d 年度学分。",
		 a.f.text[F_TITLE], a.key, a.f.text[F_DATE_FROM], a.f.text[F_DATE_TO], year);
	for (size_t i = 0; i < npeople; i++) {
		attendee *e = &people[i];
		long long existing = 0;
		int h = xf_query_row(s, "SELECT id FROM records WHERE person_id = $1 AND activity = $2"
					" ORDER BY id LIMIT 1", errs, BIND_FAILED, XF_IN(e->person),
				     XF_IN(a.key), XF_OUT(&existing));
		if (h < 0)
			goto out;
		if (h == 0) {
			e->skipped = true;
			e->record = existing;
			skipped++;
			continue;
		}
		xf_record_row r = {
			.item = a.f.text[F_ITEM], .date = a.f.text[F_DATE_FROM],
			.level = a.f.text[F_LEVEL], .kind = NULL, .activity = a.key,
			.count = NAN, .days = (double)span_days(a.f.text[F_DATE_FROM], a.f.text[F_DATE_TO]),
			.months = NAN, .hours = NAN,
			.minutes = a.f.minutes >= 0 ? (double)a.f.minutes : NAN,
			.attended_minutes = e->minutes >= 0 ? (double)e->minutes : NAN,
			.score = NAN, .credits = NAN, .passed = -1, .completed = -1,
			.online = a.f.online ? 1 : 0, .approved = 1, .awarded = -1, .speaker = -1,
		};
		if (xf_data_next_record_id(d, e->person, &e->record, errs) != 0 ||
		    xf_data_add_record_at(d, e->person, e->record, &r, 0, errs) != 0 ||
		    xf_query_exec(s, "UPDATE activity_attendance SET record_id = $3"
				     " WHERE activity_id = $1 AND person_id = $2", errs, BIND_FAILED,
				  XF_IN(id), XF_IN(e->person), XF_IN(e->record)) != 0 ||
		    xf_notice_add(s, e->person, XF_NOTICE_ACTIVITY_RECORD, "培训活动学分已登记", body,
				  object, errs) != 0)
			goto out;
		given++;
	}
	after = cJSON_CreateObject();
	if (after == NULL || cJSON_AddStringToObject(after, "key", a.key) == NULL ||
	    cJSON_AddNumberToObject(after, "given", (double)given) == NULL ||
	    cJSON_AddNumberToObject(after, "skipped", (double)skipped) == NULL) {
		oom(errs);
		goto out;
	}
	if (audit_commit(s, who, "activity.records", id, NULL, after, errs) != 0)
		goto out;
	rc = 0;
	char at[32];
	xf_iso_utc(now, at);
	xf_jw jw;
	xf_jw_init(&jw, f);
	xf_jw_obj(&jw);
	xf_jw_kint(&jw, "given", given);
	xf_jw_key(&jw, "skipped");
	xf_jw_arr(&jw);
	for (size_t i = 0; i < npeople; i++) {
		if (!people[i].skipped)
			continue;
		xf_jw_obj(&jw);
		xf_jw_kint(&jw, "person_id", people[i].person);
		xf_jw_kstr(&jw, "name", people[i].name);
		xf_jw_kint(&jw, "record_id", people[i].record);
		xf_jw_obj_end(&jw);
	}
	xf_jw_arr_end(&jw);
	xf_jw_kstr(&jw, "records_at", at);
	xf_jw_obj_end(&jw);
out:
	xf_store_rollback(s);
	xf_data_free(d);
	act_cleanup(&a);
	free(people);
	cJSON_Delete(after);
	return rc;
}
