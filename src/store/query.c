/* query: xf_query_exec and xf_query_row, one statement run once over the
 * public xf_stmt API (see query.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/query.h"

#define OOM_MSG "内存不足 (out of memory)"

static bool is_in(xf_qkind k)
{
	return k == XF_QK_IN_TEXT || k == XF_QK_IN_INT || k == XF_QK_IN_DOUBLE ||
	       k == XF_QK_IN_NULL;
}

static bool is_out(xf_qkind k)
{
	return k == XF_QK_OUT_INT || k == XF_QK_OUT_BOOL || k == XF_QK_OUT_DOUBLE ||
	       k == XF_QK_OUT_DUP || k == XF_QK_OUT_TEXT || k == XF_QK_OUT_SKIP;
}

/* Checks the list: parameters before places, places only when allowed,
 * every kind known. Sets *bind_msg. 0, or -1 with a message. */
static int check_args(const xf_qarg *args, bool outs_allowed, const char **bind_msg,
		      xf_errs *errs)
{
	bool seen_out = false;
	*bind_msg = OOM_MSG;
	for (size_t i = 0; args[i].kind != XF_QK_END; i++) {
		xf_qkind k = args[i].kind;
		bool bad;
		if (k == XF_QK_BIND_MSG) {
			bad = args[i].v.text == NULL;
			if (!bad)
				*bind_msg = args[i].v.text;
		} else if (is_in(k)) {
			bad = seen_out;
		} else if (is_out(k)) {
			bad = !outs_allowed;
			seen_out = true;
		} else {
			bad = true;
		}
		if (bad) {
			xf_errs_add(errs, "查询参数有误：第 %zu 个 (bad query argument %zu)", i + 1,
				    i + 1);
			errs->internal = true;
			return -1;
		}
	}
	return 0;
}

/* Binds the parameters in order: 0, or -1 with bind_msg. */
static int bind_all(xf_stmt *st, const xf_qarg *args, const char *bind_msg, xf_errs *errs)
{
	int n = 0;
	for (size_t i = 0; args[i].kind != XF_QK_END; i++) {
		const xf_qarg *a = &args[i];
		int r = 0;
		switch (a->kind) {
		case XF_QK_IN_TEXT:
			r = xf_stmt_bind_text(st, ++n, a->v.text);
			break;
		case XF_QK_IN_INT:
			r = xf_stmt_bind_int(st, ++n, a->v.num);
			break;
		case XF_QK_IN_DOUBLE:
			r = xf_stmt_bind_double(st, ++n, a->v.dbl);
			break;
		case XF_QK_IN_NULL:
			r = xf_stmt_bind_null(st, ++n);
			break;
		default:
			break;
		}
		if (r != 0) {
			xf_errs_add(errs, "%s", bind_msg);
			return -1;
		}
	}
	return 0;
}

/* Frees the copies of args[0..end) and sets their places NULL again. */
static void undo_dups(const xf_qarg *args, size_t end)
{
	for (size_t i = 0; i < end; i++) {
		if (args[i].kind == XF_QK_OUT_DUP && args[i].v.pdup) {
			free(*args[i].v.pdup);
			*args[i].v.pdup = NULL;
		}
	}
}

/* Reads the current row into the places. 0, or -1 (out of memory). */
static int read_row(xf_stmt *st, const xf_qarg *args, xf_errs *errs)
{
	int col = 0;
	for (size_t i = 0; args[i].kind != XF_QK_END; i++) {
		const xf_qarg *a = &args[i];
		if (!is_out(a->kind))
			continue;
		int c = col++;
		const char *t;
		switch (a->kind) {
		case XF_QK_OUT_INT:
			if (a->v.pnum)
				*a->v.pnum = xf_stmt_is_null(st, c) ? 0 : xf_stmt_int(st, c);
			break;
		case XF_QK_OUT_BOOL:
			if (a->v.pbool)
				*a->v.pbool = xf_stmt_int(st, c) != 0;
			break;
		case XF_QK_OUT_DOUBLE:
			if (a->v.pdbl)
				*a->v.pdbl = xf_stmt_is_null(st, c) ? 0 : xf_stmt_double(st, c);
			break;
		case XF_QK_OUT_DUP:
			if (a->v.pdup == NULL)
				break;
			t = xf_stmt_text(st, c);
			*a->v.pdup = t ? strdup(t) : NULL;
			if (t && *a->v.pdup == NULL) {
				undo_dups(args, i);
				xf_errs_add(errs, OOM_MSG);
				return -1;
			}
			break;
		case XF_QK_OUT_TEXT:
			if (a->v.buf == NULL || a->size == 0)
				break;
			t = xf_stmt_text(st, c);
			snprintf(a->v.buf, a->size, "%s", t ? t : "");
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Prepares, binds and steps once: 0 no row, 1 a row, -1 (st finalized
 * and NULL on -1). */
static int run(xf_store *s, const char *sql, const xf_qarg *args, bool outs_allowed,
	       xf_stmt **st, xf_errs *errs)
{
	const char *bind_msg;
	*st = NULL;
	if (check_args(args, outs_allowed, &bind_msg, errs) != 0)
		return -1;
	*st = xf_stmt_prepare(s, sql, errs);
	if (*st == NULL)
		return -1;
	xf_step r = XF_STEP_ERROR;
	if (bind_all(*st, args, bind_msg, errs) == 0)
		r = xf_stmt_step(*st, errs);
	if (r == XF_STEP_ERROR) {
		xf_stmt_finalize(*st);
		*st = NULL;
		return -1;
	}
	return r == XF_STEP_ROW ? 1 : 0;
}

int xf_query_exec_args(xf_store *s, const char *sql, xf_errs *errs, const xf_qarg *args)
{
	xf_stmt *st;
	int r = run(s, sql, args, false, &st, errs);
	xf_stmt_finalize(st);
	return r < 0 ? -1 : 0;
}

int xf_query_row_args(xf_store *s, const char *sql, xf_errs *errs, const xf_qarg *args)
{
	xf_stmt *st;
	int r = run(s, sql, args, true, &st, errs);
	int rc = r < 0 ? -1 : r == 0 ? 1 : 0;
	if (rc == 0 && read_row(st, args, errs) != 0)
		rc = -1;
	xf_stmt_finalize(st);
	return rc;
}

char *xf_like_contains(const char *q)
{
	size_t n = strlen(q);
	char *p = malloc(2 * n + 3);
	if (p == NULL)
		return NULL;
	size_t k = 0;
	p[k++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (q[i] == '\\' || q[i] == '%' || q[i] == '_')
			p[k++] = '\\';
		p[k++] = q[i];
	}
	p[k++] = '%';
	p[k] = '\0';
	return p;
}
