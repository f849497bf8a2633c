/* scorecards: a member's yearly scorecard — self scores, submission, the
 * reviewer's scores — and its view with the engine's totals (see
 * scorecards.h).
 *
 * Choices worth knowing:
 *   - The card's policy is the one of the person's unit for the year, own
 *     or inherited (XF_SCOPE_UNIT_POLICY, as the credit views read it);
 *     a policy without scorecard lines has no card.
 *   - Nothing is written by reading: a person without a scorecards row has
 *     a draft with no scores.
 *   - Every change first takes the card's row with a guarded write (an
 *     UPDATE ... WHERE status = expected RETURNING, or the INSERT of a new
 *     draft), which on PostgreSQL also locks it; what it then reads of the
 *     scores cannot be changed under it by another writer of the card. No
 *     row returned means another writer got there first: 409.
 *   - Scores have at most 2 decimals: a figure the member or reviewer sees
 *     is the figure stored, never a silently rounded one.
 *   - Reviewers work on the scope they are given (their review units):
 *     admins, who see every unit, do not review (separation of duties). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/num.h"
#include "core/utf8.h"
#include "engine/engine.h"
#include "io/jsonw.h"
#include "policy/policy.h"
#include "service/assess_load.h"
#include "service/audit.h"
#include "service/notices.h"
#include "service/scope.h"
#include "service/scorecards.h"
#include "store/query.h"

#define BIND_FAILED_MSG "绑定参数失败 (cannot bind a parameter)"
#define BIND_FAILED XF_BIND_MSG(BIND_FAILED_MSG)
#define KEY_SHOW_BYTES 64     /* of an unknown name in a message */
#define LIST_MAX 1024         /* a list of lines in one message */
#define EPS 1e-9

/* ---- small helpers ---- */

static void oom(xf_errs *errs)
{
	xf_errs_add(errs, "内存不足 (out of memory)");
	errs->internal = true;
}

/* ---- the card ---- */

typedef struct card {
	long long person_id, unit_id;
	int year;
	char *ref;              /* the policy as the store names it */
	const xf_policy *p;
	xf_policy *owned;
	bool exists;            /* a scorecards row */
	char status[16];
	char *note;
	bool has_self[XF_MAX_LINES], has_review[XF_MAX_LINES];
	double self[XF_MAX_LINES], review[XF_MAX_LINES];
} card;

static void card_cleanup(card *c)
{
	free(c->ref);
	free(c->note);
	xf_policy_free(c->owned);
	memset(c, 0, sizeof(*c));
}

/* Finds the person (in scope, when one is given) and the policy of their
 * card for the year. XF_SC_OK, XF_SC_MISSING, XF_SC_NONE (message) or -1. */
static int card_find(xf_store *s, const xf_unit_scope *scope, long long person_id, int year,
		     card *c, xf_errs *errs)
{
	memset(c, 0, sizeof(*c));
	c->person_id = person_id;
	c->year = year;
	snprintf(c->status, sizeof(c->status), "draft");
	int f = xf_query_row(s, "SELECT unit_id FROM people WHERE id = $1", errs, BIND_FAILED,
			     XF_IN(person_id), XF_OUT(&c->unit_id));
	if (f != 0)
		return f < 0 ? -1 : XF_SC_MISSING;
	if (scope && !xf_unit_scope_has(scope, c->unit_id))
		return XF_SC_MISSING;
	if (c->unit_id == 0) {
		xf_errs_add(errs, "该人员不属于任何单位，没有评分表");
		return XF_SC_NONE;
	}
	f = xf_query_row(s, XF_SCOPE_UNIT_POLICY, errs, BIND_FAILED, XF_IN(c->unit_id), XF_IN(year),
			 XF_OUT(&c->ref));
	if (f < 0)
		return -1;
	if (f == 1 || c->ref == NULL) {
		xf_errs_add(errs, "该人员所在单位及其上级单位 %d 年度均未指定学分办法，没有评分表", year);
		return XF_SC_NONE;
	}
	c->p = xf_load_policy(c->ref, &c->owned, errs);
	if (c->p == NULL) {
		errs->internal = true;
		return -1;
	}
	if (c->p->nlines == 0) {
		xf_errs_add(errs, "该人员所在单位的学分办法没有评分表");
		return XF_SC_NONE;
	}
	return XF_SC_OK;
}

/* Reads the card's row (status, note) and its scores of the policy's
 * lines (rows of other lines are ignored). 0 or -1. */
static int card_read(xf_store *s, card *c, xf_errs *errs)
{
	free(c->note);
	c->note = NULL;
	c->exists = false;
	snprintf(c->status, sizeof(c->status), "draft");
	char status[16] = "";
	int f = xf_query_row(s, "SELECT status, note FROM scorecards WHERE person_id = $1 AND year = $2",
			     errs, BIND_FAILED, XF_IN(c->person_id), XF_IN(c->year),
			     XF_OUT_TEXT(status, sizeof(status)), XF_OUT(&c->note));
	if (f < 0)
		return -1;
	if (f == 0) {
		c->exists = true;
		snprintf(c->status, sizeof(c->status), "%s", status);
	}
	memset(c->has_self, 0, sizeof(c->has_self));
	memset(c->has_review, 0, sizeof(c->has_review));
	xf_stmt *st = xf_stmt_prepare(s, "SELECT line, self, review FROM scores"
				      " WHERE person_id = $1 AND year = $2", errs);
	if (st == NULL)
		return -1;
	if ((xf_stmt_bind_int(st, 1, c->person_id) | xf_stmt_bind_int(st, 2, c->year)) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		errs->internal = true;
		xf_stmt_finalize(st);
		return -1;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		const char *line = xf_stmt_text(st, 0);
		int k = line ? xf_policy_line(c->p, line) : -1;
		if (k < 0)
			continue;
		c->has_self[k] = !xf_stmt_is_null(st, 1);
		c->self[k] = c->has_self[k] ? xf_stmt_double(st, 1) : 0;
		c->has_review[k] = !xf_stmt_is_null(st, 2);
		c->review[k] = c->has_review[k] ? xf_stmt_double(st, 2) : 0;
	}
	xf_stmt_finalize(st);
	return r == XF_STEP_ERROR ? -1 : 0;
}

/* Why a card in status cannot take a change of the member's. */
static const char *not_draft_msg(const char *status)
{
	return strcmp(status, "reviewed") == 0 ? "评分表已评分，不能再修改或提交"
					       : "评分表已提交，不能再修改或提交";
}

static void card_object(char *buf, size_t size, const card *c)
{
	snprintf(buf, size, "scorecard:%lld:%d", c->person_id, c->year);
}

/* One audit row; before/after are JSON objects (taken: deleted here). */
static int audit(xf_store *s, const char *actor, const char *action, const card *c,
		 cJSON *before, cJSON *after, xf_errs *errs)
{
	char object[64];
	card_object(object, sizeof(object), c);
	int rc = xf_audit_json(s, actor, action, object, before, after, errs);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

/* The engine's run of the card's person for the year, as the credit
 * views run it: the person's inputs in l (the people row current) and
 * the result in res. XF_SC_OK, XF_SC_MISSING (the person is gone), or -1
 * (a row the policy cannot value, errs not internal; or a failure of the
 * system). The caller cleans up l, res and scratch in every case. */
static int card_compute(xf_store *s, const card *c, xf_load *l, xf_result *res,
			xf_engine_scratch *scratch, xf_errs *errs)
{
	if (xf_load_open(l, s, XF_LOAD_PERSON, c->year, NULL, NULL, c->person_id, errs) != 0)
		return -1;
	if (!xf_load_has_person(l))
		return XF_SC_MISSING;
	if (xf_load_begin(l, c->p, c->ref) != 0)
		return -1;
	int more = xf_load_next(l);
	if (more != 1)
		return more == 0 ? XF_SC_MISSING : -1;
	if (xf_result_init(res, c->p) != 0 ||
	    xf_engine_assess(c->p, c->year, &l->in, scratch, res, NULL) != 0) {
		oom(errs);
		return -1;
	}
	return XF_SC_OK;
}

/* Before a change commits, in its transaction: the card as changed can be
 * computed. Otherwise the answer after the change could not show it, so
 * the change is refused: XF_SC_DATA (the person's other data does not fit
 * the policy; nothing is saved), or -1. */
static int card_check(xf_store *s, const card *c, xf_errs *errs)
{
	xf_load l;
	xf_result res;
	xf_engine_scratch scratch;
	memset(&l, 0, sizeof(l));
	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	int rc = card_compute(s, c, &l, &res, &scratch, errs);
	if (rc < 0 && !errs->internal)
		rc = XF_SC_DATA;
	xf_load_cleanup(&l);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	return rc;
}

/* The card's row after a guarded write (f as xf_query_row returned it):
 * XF_SC_CONFLICT when no row came back (another writer was first), -1
 * for a failure. Only for f != 0. */
static int raced(int f, xf_errs *errs)
{
	if (f < 0)
		return -1;
	xf_errs_add(errs, "评分表已被他人修改，请刷新后重试");
	return XF_SC_CONFLICT;
}

/* The end of a change, in its transaction: the card as changed can be
 * computed (card_check), one audit row (before and after are taken), the
 * commit. XF_SC_OK once committed; otherwise the refusal or -1, the
 * transaction left for the caller to roll back. */
static int card_commit(xf_store *s, const card *c, const char *actor, const char *action,
		       cJSON *before, cJSON *after, xf_errs *errs)
{
	int rc = card_check(s, c, errs);
	if (rc != XF_SC_OK) {
		cJSON_Delete(before);
		cJSON_Delete(after);
		return rc;
	}
	if (audit(s, actor, action, c, before, after, errs) != 0 || xf_store_commit(s, errs) != 0)
		return -1;
	return XF_SC_OK;
}

/* ---- reading a request ---- */

/* The body as a JSON object; NULL with a message. */
static cJSON *parse_object(const char *json, xf_errs *errs)
{
	cJSON *root = json ? cJSON_Parse(json) : NULL;
	if (!cJSON_IsObject(root)) {
		xf_errs_add(errs, "请求内容: 应为 JSON 对象");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Refuses members of root other than those named in allowed (NULL-ended). */
static void only_fields(const cJSON *root, const char *const *allowed, xf_errs *errs)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, root) {
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(m->string, allowed[i]) == 0;
		if (!ok)
			xf_errs_add(errs, "未知字段 %.*s", (int)xf_utf8_prefix(m->string, KEY_SHOW_BYTES), m->string);
	}
}

/* The scores asked for: per line, whether it is given, and its value or
 * its removal (null). */
typedef struct change {
	bool given[XF_MAX_LINES];
	bool clear[XF_MAX_LINES];
	double v[XF_MAX_LINES];
	int n;
} change;

/* Reads {"plan.goal": 6, ...} against the policy's lines, adding one
 * message per problem, each naming the line. */
static void parse_lines(const xf_policy *p, const cJSON *lines, change *ch, xf_errs *errs)
{
	memset(ch, 0, sizeof(*ch));
	if (!cJSON_IsObject(lines)) {
		xf_errs_add(errs, "lines: 应为 JSON 对象，如 {\"%s\": 5}", p->lines[0].key);
		return;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, lines) {
		const char *key = m->string;
		int k = xf_policy_line(p, key);
		char a[32], b[32];
		if (k < 0) {
			xf_errs_add(errs, "评分表中没有 %.*s 这一项", (int)xf_utf8_prefix(key, KEY_SHOW_BYTES), key);
			continue;
		}
		if (ch->given[k]) {
			xf_errs_add(errs, "%s 重复出现", key);
			continue;
		}
		const xf_line *ln = &p->lines[k];
		if (cJSON_IsNull(m)) {
			ch->given[k] = ch->clear[k] = true;
			ch->n++;
			continue;
		}
		double v = m->valuedouble;
		if (!cJSON_IsNumber(m) || !isfinite(v)) {
			xf_errs_add(errs, "%s 的分数应为 0 到 %s 之间的数字", key, xf_format_short(ln->max, a));
			continue;
		}
		if (v < 0) {
			xf_errs_add(errs, "%s 的分数不能小于 0", key);
			continue;
		}
		if (v > ln->max + EPS) {
			xf_errs_add(errs, "%s 的分数不能超过 %s", key, xf_format_short(ln->max, a));
			continue;
		}
		if (fabs(v * 100 - round(v * 100)) > 1e-6) {
			xf_errs_add(errs, "%s 的分数最多保留两位小数（收到 %s）", key, xf_format_short(v, b));
			continue;
		}
		ch->given[k] = true;
		ch->v[k] = xf_round2(v);
		ch->n++;
	}
}

/* "plan.goal（制定…）、effect.skill（…）" of the lines where has[] is
 * false, bounded. */
static void missing_list(const xf_policy *p, const bool *has, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t n = 0;
	for (int k = 0; k < p->nlines; k++) {
		if (has[k])
			continue;
		int w = snprintf(buf + n, size - n, "%s%s（%s）", n ? "、" : "", p->lines[k].key,
				 p->lines[k].name);
		if (w < 0 || (size_t)w >= size - n) {
			/* Cut at the last whole entry and say there are more. */
			buf[n] = '\0';
			if (n + 8 < size)
				snprintf(buf + n, size - n, "等");
			return;
		}
		n += (size_t)w;
	}
}

/* Writes the self (review false) or review score of line k: upsert that
 * column only. */
static int put_score(xf_store *s, const card *c, int k, bool review, bool clear, double v,
		     xf_errs *errs)
{
	const char *sql = review
		? "INSERT INTO scores (person_id, year, line, review) VALUES ($1, $2, $3, $4)"
		  " ON CONFLICT (person_id, year, line) DO UPDATE SET review = excluded.review"
		: "INSERT INTO scores (person_id, year, line, self) VALUES ($1, $2, $3, $4)"
		  " ON CONFLICT (person_id, year, line) DO UPDATE SET self = excluded.self";
	if (clear)
		return xf_query_exec(s, sql, errs, BIND_FAILED, XF_IN(c->person_id), XF_IN(c->year),
				     XF_IN(c->p->lines[k].key), XF_IN_NULL);
	return xf_query_exec(s, sql, errs, BIND_FAILED, XF_IN(c->person_id), XF_IN(c->year),
			     XF_IN(c->p->lines[k].key), XF_IN(v));
}

/* Adds {"key": value or null} to obj. */
static bool add_score(cJSON *obj, const char *key, bool has, double v)
{
	cJSON *x = has ? cJSON_CreateNumber(v) : cJSON_CreateNull();
	return x != NULL && cJSON_AddItemToObject(obj, key, x);
}

/* {"year": Y, "status": S, ...} for the audit rows. */
static cJSON *audit_head(const card *c, const char *status)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddNumberToObject(o, "year", c->year) == NULL ||
	    (status && cJSON_AddStringToObject(o, "status", status) == NULL)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- the member's scores ---- */

/* Checks the note: a string of at most XF_SCORECARD_NOTE_MAX characters
 * (line breaks and tabs allowed) or null. *out: the text, NULL to clear. */
static void parse_note(const cJSON *note, const char **out, xf_errs *errs)
{
	*out = NULL;
	if (cJSON_IsNull(note))
		return;
	if (!cJSON_IsString(note)) {
		xf_errs_add(errs, "note: 应为字符串");
		return;
	}
	const char *v = note->valuestring;
	for (const unsigned char *q = (const unsigned char *)v; *q; q++)
		if ((*q < 0x20 && *q != '\n' && *q != '\r' && *q != '\t') || *q == 0x7f) {
			xf_errs_add(errs, "note: 不能包含控制字符");
			return;
		}
	long n = xf_utf8_chars(v);
	if (n < 0)
		xf_errs_add(errs, "note: 不是有效的 UTF-8 文本");
	else if (n > XF_SCORECARD_NOTE_MAX)
		xf_errs_add(errs, "note: 不能超过 %d 个字", XF_SCORECARD_NOTE_MAX);
	else
		*out = v;
}

int xf_scorecard_self(xf_store *s, long long person_id, int year, const char *json,
		      const char *actor, xf_errs *errs)
{
	static const char *const allowed[] = {"lines", "note", NULL};
	card c;
	change ch;
	cJSON *root = NULL, *before = NULL, *after = NULL;
	bool in_tx = false;
	int rc = card_find(s, NULL, person_id, year, &c, errs);
	if (rc != XF_SC_OK)
		goto out;
	rc = -1;
	root = parse_object(json, errs);
	if (root == NULL)
		goto out;
	size_t nerr = xf_errs_count(errs);
	only_fields(root, allowed, errs);
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines");
	const cJSON *note_j = cJSON_GetObjectItemCaseSensitive(root, "note");
	memset(&ch, 0, sizeof(ch));
	if (lines)
		parse_lines(c.p, lines, &ch, errs);
	const char *note = NULL;
	if (note_j)
		parse_note(note_j, &note, errs);
	if (xf_errs_count(errs) > nerr)
		goto out;

	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	if (card_read(s, &c, errs) != 0)
		goto out;
	if (c.exists && strcmp(c.status, "draft") != 0) {
		xf_errs_add(errs, "%s", not_draft_msg(c.status));
		rc = XF_SC_CONFLICT;
		goto out;
	}
	/* What changes; nothing: nothing is written. */
	bool note_changes = note_j && !xf_text_same(note, c.note);
	int nchanged = 0;
	for (int k = 0; k < c.p->nlines; k++) {
		if (!ch.given[k])
			continue;
		bool same = ch.clear[k] ? !c.has_self[k]
					: c.has_self[k] && fabs(c.self[k] - ch.v[k]) < EPS;
		if (same)
			ch.given[k] = false;
		else
			nchanged++;
	}
	if (nchanged == 0 && !note_changes) {
		rc = XF_SC_OK;
		goto out;
	}
	/* Take the row: a new draft, or the draft as it is. */
	const char *new_note = note_j ? note : c.note;
	int f;
	if (!c.exists)
		f = xf_query_row(s, "INSERT INTO scorecards (person_id, year, status, note)"
				 " VALUES ($1, $2, 'draft', $3) ON CONFLICT (person_id, year) DO NOTHING"
				 " RETURNING person_id", errs, BIND_FAILED, XF_IN(person_id), XF_IN(year),
				 XF_IN(new_note));
	else
		f = xf_query_row(s, "UPDATE scorecards SET note = $3 WHERE person_id = $1 AND year = $2"
				 " AND status = 'draft' RETURNING person_id", errs, BIND_FAILED,
				 XF_IN(person_id), XF_IN(year), XF_IN(new_note));
	if (f != 0) {
		rc = raced(f, errs);
		goto out;
	}
	before = audit_head(&c, c.exists ? "draft" : NULL);
	after = audit_head(&c, "draft");
	cJSON *bl = before ? cJSON_AddObjectToObject(before, "lines") : NULL;
	cJSON *al = after ? cJSON_AddObjectToObject(after, "lines") : NULL;
	if (bl == NULL || al == NULL)
		goto oom;
	if (note_changes && ((c.note ? cJSON_AddStringToObject(before, "note", c.note)
			      : cJSON_AddNullToObject(before, "note")) == NULL ||
			     (note ? cJSON_AddStringToObject(after, "note", note)
			      : cJSON_AddNullToObject(after, "note")) == NULL))
		goto oom;
	for (int k = 0; k < c.p->nlines; k++) {
		if (!ch.given[k])
			continue;
		const char *key = c.p->lines[k].key;
		if (!add_score(bl, key, c.has_self[k], c.self[k]) ||
		    !add_score(al, key, !ch.clear[k], ch.v[k]))
			goto oom;
		if (put_score(s, &c, k, false, ch.clear[k], ch.v[k], errs) != 0)
			goto out;
	}
	rc = card_commit(s, &c, actor, "scorecard.self", before, after, errs);
	before = after = NULL;
	in_tx = rc != XF_SC_OK;
	goto out;
oom:
	oom(errs);
	rc = -1;
out:
	if (in_tx)
		xf_store_rollback(s);
	cJSON_Delete(root);
	cJSON_Delete(before);
	cJSON_Delete(after);
	card_cleanup(&c);
	return rc;
}

int xf_scorecard_submit(xf_store *s, long long person_id, int year, const char *actor,
			xf_errs *errs)
{
	card c;
	bool in_tx = false;
	int rc = card_find(s, NULL, person_id, year, &c, errs);
	if (rc != XF_SC_OK)
		goto out;
	rc = -1;
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int f = xf_query_row(s, "UPDATE scorecards SET status = 'submitted', submitted_at = $3"
			     " WHERE person_id = $1 AND year = $2 AND status = 'draft'"
			     " RETURNING person_id", errs, BIND_FAILED, XF_IN(person_id), XF_IN(year),
			     XF_IN((long long)xf_clock_now()));
	if (f < 0 || card_read(s, &c, errs) != 0)
		goto out;
	if (f == 1 && c.exists) {
		xf_errs_add(errs, "%s", not_draft_msg(c.status));
		rc = XF_SC_CONFLICT;
		goto out;
	}
	/* card_read ran after the update: the row, if any, is now submitted
	 * and ours; the scores are what is submitted. */
	char list[LIST_MAX];
	missing_list(c.p, c.has_self, list, sizeof(list));
	if (list[0] != '\0') {
		xf_errs_add(errs, "以下项目尚未自评，不能提交：%s", list);
		goto out;
	}
	/* Scores without a card (a case file's import): the card starts
	 * here, submitted. */
	if (f == 1) {
		f = xf_query_row(s, "INSERT INTO scorecards (person_id, year, status, submitted_at)"
				 " VALUES ($1, $2, 'submitted', $3) ON CONFLICT (person_id, year)"
				 " DO NOTHING RETURNING person_id", errs, BIND_FAILED, XF_IN(person_id),
				 XF_IN(year), XF_IN((long long)xf_clock_now()));
		if (f != 0) {
			rc = raced(f, errs);
			goto out;
		}
	}
	rc = card_commit(s, &c, actor, "scorecard.submit", audit_head(&c, "draft"),
			 audit_head(&c, "submitted"), errs);
	in_tx = rc != XF_SC_OK;
out:
	if (in_tx)
		xf_store_rollback(s);
	card_cleanup(&c);
	return rc;
}

/* ---- the reviewer's scores ---- */

int xf_scorecard_review(xf_store *s, const xf_scorecard_reviewer *r, long long person_id,
			int year, const char *json, xf_errs *errs)
{
	static const char *const allowed[] = {"lines", NULL};
	card c;
	change ch;
	cJSON *root = NULL, *before = NULL, *after = NULL;
	bool in_tx = false;
	int rc = card_find(s, r->scope, person_id, year, &c, errs);
	if (rc != XF_SC_OK)
		goto out;
	if (r->person_id != 0 && r->person_id == person_id) {
		xf_errs_add(errs, "不能为自己的评分表评分");
		rc = XF_SC_OWN;
		goto out;
	}
	rc = -1;
	root = parse_object(json, errs);
	if (root == NULL)
		goto out;
	size_t nerr = xf_errs_count(errs);
	only_fields(root, allowed, errs);
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines");
	memset(&ch, 0, sizeof(ch));
	if (lines == NULL)
		xf_errs_add(errs, "lines: 请填写各项的考评分");
	else
		parse_lines(c.p, lines, &ch, errs);
	if (xf_errs_count(errs) > nerr)
		goto out;

	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	if (card_read(s, &c, errs) != 0)
		goto out;
	if (!c.exists || strcmp(c.status, "draft") == 0) {
		xf_errs_add(errs, "评分表尚未提交，不能评分");
		rc = XF_SC_CONFLICT;
		goto out;
	}
	char old_status[16];
	snprintf(old_status, sizeof(old_status), "%s", c.status);
	long long now = (long long)xf_clock_now();
	int f = xf_query_row(s, "UPDATE scorecards SET status = 'reviewed', reviewed_by = $3,"
			     " reviewed_at = $4 WHERE person_id = $1 AND year = $2 AND status = $5"
			     " RETURNING person_id", errs, BIND_FAILED, XF_IN(person_id), XF_IN(year),
			     XF_IN(r->user_id), XF_IN(now), XF_IN(old_status));
	if (f != 0) {
		rc = raced(f, errs);
		goto out;
	}
	/* The row is ours now: read the scores again under it. */
	if (card_read(s, &c, errs) != 0)
		goto out;
	bool has[XF_MAX_LINES];
	double total = 0;
	for (int k = 0; k < c.p->nlines; k++) {
		has[k] = ch.given[k] ? !ch.clear[k] : c.has_review[k];
		total += ch.given[k] ? ch.v[k] : c.review[k];
	}
	char list[LIST_MAX];
	missing_list(c.p, has, list, sizeof(list));
	if (list[0] != '\0') {
		xf_errs_add(errs, "以下项目尚未评分：%s", list);
		goto out;
	}
	before = audit_head(&c, old_status);
	after = audit_head(&c, "reviewed");
	cJSON *bl = before ? cJSON_AddObjectToObject(before, "lines") : NULL;
	cJSON *al = after ? cJSON_AddObjectToObject(after, "lines") : NULL;
	if (bl == NULL || al == NULL)
		goto oom;
	for (int k = 0; k < c.p->nlines; k++) {
		if (!ch.given[k] || (c.has_review[k] && fabs(c.review[k] - ch.v[k]) < EPS))
			continue;
		const char *key = c.p->lines[k].key;
		if (!add_score(bl, key, c.has_review[k], c.review[k]) ||
		    !add_score(al, key, true, ch.v[k]))
			goto oom;
		if (put_score(s, &c, k, true, false, ch.v[k], errs) != 0)
			goto out;
	}
	char title[128], body[128], object[64], a[32], b[32];
	double max_total = 0;
	for (int k = 0; k < c.p->nlines; k++)
		max_total += c.p->lines[k].max;
	snprintf(title, sizeof(title), "您的%d年度评分表已评分", year);
	snprintf(body, sizeof(body), "考评总分 %s 分（满分 %s 分）", xf_format_short(total, a),
		 xf_format_short(max_total, b));
	card_object(object, sizeof(object), &c);
	if (xf_notice_add(s, person_id, XF_NOTICE_SCORECARD_REVIEWED, title, body, object, errs) != 0)
		goto out;
	rc = card_commit(s, &c, r->actor, "scorecard.review", before, after, errs);
	before = after = NULL;
	in_tx = rc != XF_SC_OK;
	goto out;
oom:
	oom(errs);
	rc = -1;
out:
	if (in_tx)
		xf_store_rollback(s);
	cJSON_Delete(root);
	cJSON_Delete(before);
	cJSON_Delete(after);
	card_cleanup(&c);
	return rc;
}

/* ---- the view ---- */

/* The card's row as the view shows it. */
typedef struct card_row {
	bool exists;
	char status[16];
	char *note;
	long long submitted_at, reviewed_at, reviewer_id;
	bool has_submitted, has_reviewed;
	char *reviewer;
} card_row;

static int row_read(xf_store *s, long long person_id, int year, card_row *cr, xf_errs *errs)
{
	memset(cr, 0, sizeof(*cr));
	snprintf(cr->status, sizeof(cr->status), "draft");
	xf_stmt *st = xf_stmt_prepare(s, "SELECT c.status, c.note, c.submitted_at, c.reviewed_at,"
				      " u.id, u.display_name FROM scorecards c"
				      " LEFT JOIN users u ON u.id = c.reviewed_by"
				      " WHERE c.person_id = $1 AND c.year = $2", errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	if ((xf_stmt_bind_int(st, 1, person_id) | xf_stmt_bind_int(st, 2, year)) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	xf_step r = xf_stmt_step(st, errs);
	if (r == XF_STEP_ERROR)
		goto out;
	if (r == XF_STEP_ROW) {
		cr->exists = true;
		snprintf(cr->status, sizeof(cr->status), "%s", xf_stmt_text(st, 0));
		const char *note = xf_stmt_text(st, 1), *who = xf_stmt_text(st, 5);
		cr->note = note ? strdup(note) : NULL;
		cr->reviewer = who ? strdup(who) : NULL;
		if ((note && cr->note == NULL) || (who && cr->reviewer == NULL)) {
			oom(errs);
			goto out;
		}
		cr->has_submitted = !xf_stmt_is_null(st, 2);
		cr->submitted_at = xf_stmt_int(st, 2);
		cr->has_reviewed = !xf_stmt_is_null(st, 3);
		cr->reviewed_at = xf_stmt_int(st, 3);
		cr->reviewer_id = xf_stmt_is_null(st, 4) ? 0 : xf_stmt_int(st, 4);
	}
	rc = 0;
out:
	xf_stmt_finalize(st);
	return rc;
}

static void write_time(xf_jw *w, const char *key, bool has, long long t)
{
	char buf[32];
	if (has) {
		xf_iso_utc(t, buf);
		xf_jw_kstr(w, key, buf);
	} else {
		xf_jw_knull(w, key);
	}
}

static void write_opt(xf_jw *w, const char *key, bool has, double v)
{
	if (has)
		xf_jw_knum(w, key, v);
	else
		xf_jw_knull(w, key);
}

static void write_card(xf_jw *w, const card *c, xf_load *l, const card_row *cr,
		       const xf_result *res)
{
	const xf_policy *p = c->p;
	xf_stmt *row = xf_load_people(l);
	bool has_self[XF_MAX_LINES] = {false}, has_review[XF_MAX_LINES] = {false};
	double self[XF_MAX_LINES] = {0}, review[XF_MAX_LINES] = {0};
	for (size_t i = 0; i < l->in.nscores; i++) {
		const xf_score *sc = &l->in.scores[i];
		if (sc->line < 0 || sc->line >= p->nlines)
			continue;
		has_self[sc->line] = sc->has_self;
		self[sc->line] = sc->self;
		has_review[sc->line] = sc->has_review;
		review[sc->line] = sc->review;
	}

	xf_jw_obj(w);
	xf_jw_key(w, "person");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", c->person_id);
	xf_jw_kstr(w, "code", xf_stmt_text(row, 1));
	xf_jw_kstr(w, "name", xf_stmt_text(row, 2));
	xf_jw_key(w, "unit");
	xf_jw_obj(w);
	xf_jw_kint(w, "id", c->unit_id);
	xf_jw_kstr(w, "code", xf_stmt_text(row, 3));
	xf_jw_kstr(w, "name", xf_stmt_text(row, 7));
	xf_jw_obj_end(w);
	xf_jw_obj_end(w);
	xf_jw_kint(w, "year", c->year);
	xf_jw_key(w, "policy");
	xf_jw_obj(w);
	xf_jw_kstr(w, "id", p->id);
	xf_jw_kstr(w, "name", p->title);
	xf_jw_obj_end(w);
	xf_jw_kstr(w, "status", cr->status);
	xf_jw_kstr(w, "note", cr->note);
	write_time(w, "submitted_at", cr->has_submitted, cr->submitted_at);
	write_time(w, "reviewed_at", cr->has_reviewed, cr->reviewed_at);
	xf_jw_key(w, "reviewed_by");
	if (cr->reviewer_id > 0) {
		xf_jw_obj(w);
		xf_jw_kint(w, "id", cr->reviewer_id);
		xf_jw_kstr(w, "name", cr->reviewer);
		xf_jw_obj_end(w);
	} else {
		xf_jw_null(w);
	}

	xf_jw_key(w, "sections");
	xf_jw_arr(w);
	for (int sct = 0; sct < p->nsections; sct++) {
		double ss = 0, rs = 0;
		for (int k = 0; k < p->nlines; k++) {
			if (p->lines[k].section != sct)
				continue;
			ss += has_self[k] ? self[k] : 0;
			rs += has_review[k] ? review[k] : 0;
		}
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", p->sections[sct].key);
		xf_jw_kstr(w, "name", p->sections[sct].name);
		xf_jw_knum(w, "max", p->sections[sct].max);
		xf_jw_knum(w, "self", xf_round2(ss));
		xf_jw_knum(w, "review", xf_round2(rs));
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);

	double max_total = 0;
	xf_jw_key(w, "lines");
	xf_jw_arr(w);
	for (int k = 0; k < p->nlines; k++) {
		const xf_line *ln = &p->lines[k];
		const xf_section *sec = &p->sections[ln->section];
		max_total += ln->max;
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", ln->key);
		xf_jw_kstr(w, "name", ln->name);
		xf_jw_key(w, "section");
		xf_jw_obj(w);
		xf_jw_kstr(w, "key", sec->key);
		xf_jw_kstr(w, "name", sec->name);
		xf_jw_obj_end(w);
		xf_jw_knum(w, "max", ln->max);
		write_opt(w, "self", has_self[k], self[k]);
		write_opt(w, "review", has_review[k], review[k]);
		xf_jw_obj_end(w);
	}
	xf_jw_arr_end(w);
	xf_jw_knum(w, "max_total", xf_round2(max_total));
	xf_jw_knum(w, "self_total", res->has_scores ? res->self_total : 0);
	xf_jw_knum(w, "review_total", res->has_scores ? res->review_total : 0);
	xf_jw_knum(w, "total", res->has_total ? res->total : 0);
	for (int k = 0; k < p->nresult_flags && k < 32; k++)
		xf_jw_kbool(w, p->result_flags[k].key, (res->result_flags >> k) & 1u);
	xf_jw_obj_end(w);
}

/* Finds, reads and computes one card and writes it to w. XF_SC_OK,
 * XF_SC_MISSING, XF_SC_NONE (message) or -1; nothing written unless OK. */
static int card_write_one(xf_store *s, const xf_unit_scope *scope, long long person_id, int year,
			  xf_jw *w, xf_errs *errs)
{
	card c;
	card_row cr = {0};
	xf_load l;
	xf_result res;
	xf_engine_scratch scratch;
	memset(&l, 0, sizeof(l));
	memset(&res, 0, sizeof(res));
	xf_scratch_init(&scratch);
	int rc = card_find(s, scope, person_id, year, &c, errs);
	if (rc != XF_SC_OK)
		goto out;
	rc = -1;
	if (row_read(s, person_id, year, &cr, errs) != 0)
		goto out;
	rc = card_compute(s, &c, &l, &res, &scratch, errs); /* MISSING: gone since card_find */
	if (rc != XF_SC_OK)
		goto out;
	write_card(w, &c, &l, &cr, &res);
	rc = XF_SC_OK;
out:
	xf_load_cleanup(&l);
	xf_result_cleanup(&res);
	xf_scratch_cleanup(&scratch);
	free(cr.note);
	free(cr.reviewer);
	card_cleanup(&c);
	return rc;
}

int xf_scorecard_json(xf_store *s, const xf_unit_scope *scope, long long person_id, int year,
		      FILE *f, xf_errs *errs)
{
	xf_jw w;
	xf_jw_init(&w, f);
	return card_write_one(s, scope, person_id, year, &w, errs);
}

/* ---- the reviewer's list ---- */

/* Whether policy ref has scorecard lines, remembered in *yes / *no (the
 * last policy seen of each kind: one or two are in play). 1, 0, or -1. */
static int has_lines(const char *ref, char **yes, char **no, xf_errs *errs)
{
	if (*yes && strcmp(ref, *yes) == 0)
		return 1;
	if (*no && strcmp(ref, *no) == 0)
		return 0;
	xf_policy *owned = NULL;
	const xf_policy *p = xf_load_policy(ref, &owned, errs);
	if (p == NULL) {
		errs->internal = true;
		return -1;
	}
	int lines = p->nlines > 0;
	xf_policy_free(owned);
	char **keep = lines ? yes : no;
	free(*keep);
	if ((*keep = strdup(ref)) == NULL) {
		oom(errs);
		return -1;
	}
	return lines;
}

/* The units of the scope whose policy for the year (XF_SCOPE_EFF: their
 * own or the nearest above) has scorecard lines, as "id,id,..." in a
 * malloc'd text ("" for none). NULL with a message on error. */
static char *card_units(xf_store *s, const xf_unit_scope *scope, int year, xf_errs *errs)
{
	char *text = NULL, *yes = NULL, *no = NULL;
	size_t len = 0;
	int rc = -1;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL) {
		oom(errs);
		return NULL;
	}
	xf_stmt *st = xf_stmt_prepare(s, XF_SCOPE_EFF " SELECT unit_id, policy FROM eff ORDER BY unit_id",
				      errs);
	if (st == NULL)
		goto out;
	if (xf_stmt_bind_int(st, 1, year) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	bool first = true;
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		long long unit = xf_stmt_int(st, 0);
		const char *ref = xf_stmt_text(st, 1);
		if (ref == NULL || !xf_unit_scope_has(scope, unit))
			continue;
		int lines = has_lines(ref, &yes, &no, errs);
		if (lines < 0)
			goto out;
		if (lines) {
			fprintf(out, "%s%lld", first ? "" : ",", unit);
			first = false;
		}
	}
	if (r == XF_STEP_ERROR)
		goto out;
	rc = 0;
out:
	xf_stmt_finalize(st);
	free(yes);
	free(no);
	if (fclose(out) != 0 && rc == 0) {
		oom(errs);
		rc = -1;
	}
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The people of the list: active, in the units (ids printed by
 * card_units, never the caller's text, so they may stand in the SQL), with
 * the card status $2 (a missing card is a draft) and a name, code or staff
 * number containing $3, when those are not NULL. $1 is the year. */
#define LIST_FROM                                                                          \
	" FROM people p LEFT JOIN scorecards c ON c.person_id = p.id AND c.year = $1"       \
	" WHERE p.active = 1 AND p.unit_id IN (%s)"                                         \
	" AND (CAST($2 AS TEXT) IS NULL OR COALESCE(c.status, 'draft') = CAST($2 AS TEXT))" \
	" AND (CAST($3 AS TEXT) IS NULL"                                                    \
	" OR lower(p.name) LIKE lower(CAST($3 AS TEXT)) ESCAPE '\\'"                      \
	" OR lower(p.code) LIKE lower(CAST($3 AS TEXT)) ESCAPE '\\'"                      \
	" OR lower(p.staff_no) LIKE lower(CAST($3 AS TEXT)) ESCAPE '\\')"

/* fmt (with one %s) with units in it, malloc'd; NULL when out of memory. */
static char *with_units(const char *fmt, const char *units)
{
	int n = snprintf(NULL, 0, fmt, units);
	char *out = n < 0 ? NULL : malloc((size_t)n + 1);
	if (out)
		snprintf(out, (size_t)n + 1, fmt, units);
	return out;
}

/* Runs the count or a page of the list: the total in *total, or
 * up to per_page person ids in ids (*n). 0 or -1. */
static int list_query(xf_store *s, const char *units, const xf_scorecard_query *q,
		      const char *pattern, bool count, long long *ids, size_t *n,
		      long long *total, xf_errs *errs)
{
	char *sql = count ? with_units("SELECT COUNT(*)" LIST_FROM, units)
			  : with_units("SELECT p.id" LIST_FROM
				       " ORDER BY CASE COALESCE(c.status, 'draft')"
				       " WHEN 'submitted' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END,"
				       " p.id LIMIT $4 OFFSET $5", units);
	if (sql == NULL) {
		oom(errs);
		return -1;
	}
	xf_stmt *st = xf_stmt_prepare(s, sql, errs);
	free(sql);
	if (st == NULL)
		return -1;
	int rc = -1;
	if ((xf_stmt_bind_int(st, 1, q->year) |
	     (q->status ? xf_stmt_bind_text(st, 2, q->status) : xf_stmt_bind_null(st, 2)) |
	     (pattern ? xf_stmt_bind_text(st, 3, pattern) : xf_stmt_bind_null(st, 3)) |
	     (count ? 0 : xf_stmt_bind_int(st, 4, q->per_page)) |
	     (count ? 0 : xf_stmt_bind_int(st, 5, (q->page - 1) * q->per_page))) != 0) {
		xf_errs_add(errs, BIND_FAILED_MSG);
		errs->internal = true;
		goto out;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (count)
			*total = xf_stmt_int(st, 0);
		else if (*n < (size_t)q->per_page)
			ids[(*n)++] = xf_stmt_int(st, 0);
	}
	rc = r == XF_STEP_ERROR ? -1 : 0;
out:
	xf_stmt_finalize(st);
	return rc;
}

int xf_scorecard_features(xf_store *s, long long person_id, const xf_unit_scope *review_scope,
			  int year, bool *own, bool *review, xf_errs *errs)
{
	*own = *review = false;
	if (person_id != 0) {
		card c;
		xf_errs why; /* NONE's reason: not an error here */
		xf_errs_init(&why);
		int rc = card_find(s, NULL, person_id, year, &c, &why);
		card_cleanup(&c);
		if (rc < 0)
			xf_errs_append(errs, &why);
		xf_errs_cleanup(&why);
		if (rc < 0)
			return -1;
		*own = rc == XF_SC_OK;
	}
	if (review_scope != NULL && review_scope->nunits > 0) {
		char *units = card_units(s, review_scope, year, errs);
		if (units == NULL)
			return -1;
		*review = units[0] != '\0';
		free(units);
	}
	return 0;
}

int xf_scorecards_list_json(xf_store *s, const xf_unit_scope *scope, const xf_scorecard_query *q,
			    FILE *f, xf_errs *errs)
{
	char *units = card_units(s, scope, q->year, errs);
	char *pattern = q->q && *q->q ? xf_like_contains(q->q) : NULL;
	long long *ids = calloc((size_t)q->per_page, sizeof(*ids)), total = 0;
	size_t n = 0;
	int rc = -1;
	if (units == NULL)
		goto out;
	if (ids == NULL || (q->q && *q->q && pattern == NULL)) {
		oom(errs);
		goto out;
	}
	/* No unit with a scorecard: "IN (NULL)" matches nobody. */
	const char *in = units[0] ? units : "NULL";
	if (list_query(s, in, q, pattern, true, NULL, NULL, &total, errs) != 0 ||
	    list_query(s, in, q, pattern, false, ids, &n, NULL, errs) != 0)
		goto out;

	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kint(&w, "year", q->year);
	xf_jw_kint(&w, "page", q->page);
	xf_jw_kint(&w, "per_page", q->per_page);
	xf_jw_kint(&w, "total", total);
	xf_jw_key(&w, "items");
	xf_jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		xf_errs one;
		xf_errs_init(&one);
		int k = card_write_one(s, scope, ids[i], q->year, &w, &one);
		if (k < 0) /* a failure, or a person whose data the policy cannot read */
			xf_errs_append(errs, &one);
		xf_errs_cleanup(&one); /* MISSING or NONE: gone or moved since the count */
		if (k < 0)
			goto out;
	}
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	rc = 0;
out:
	free(units);
	free(pattern);
	free(ids);
	return rc;
}
