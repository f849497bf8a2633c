/* query: one-statement helpers over xf_stmt for the common case "prepare,
 * bind, step once, read one row, finalize", so that a lookup or a change is
 * one call:
 *
 *   xf_query_exec(s, "DELETE FROM sessions WHERE user_id = $1", errs, XF_IN(id));
 *   int f = xf_query_row(s, "SELECT id, name FROM units WHERE code = $1", errs,
 *                        XF_IN(code), XF_OUT(&id), XF_OUT_TEXT(name, sizeof(name)));
 *
 * The arguments are typed with _Generic: XF_IN takes a text (char *, const
 * char *; NULL binds SQL NULL), an integer or a double, and XF_OUT a
 * long long *, bool *, double * or char ** (a copy the caller frees); any
 * other type does not compile. XF_IN values bind $1, $2, ... in order; the
 * XF_OUT places that follow them take columns 0, 1, ... of the first row.
 * An XF_IN after an XF_OUT, or an XF_OUT in xf_query_exec, is refused at
 * run time with a message (a programming error, reported as internal).
 *
 * A statement that runs several times or reads many rows uses xf_stmt
 * directly. Only the public xf_stmt_* functions are used, so the statement
 * cache of store.c applies. */
#ifndef XF_STORE_QUERY_H
#define XF_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"
#include "store/store.h"

/* One argument of a query: a parameter, a place for a column, or an
 * option. Made by the macros below; the list ends with XF_QEND. */
typedef enum xf_qkind {
	XF_QK_END = 0,
	XF_QK_IN_TEXT,
	XF_QK_IN_INT,
	XF_QK_IN_DOUBLE,
	XF_QK_IN_NULL,
	XF_QK_OUT_INT,    /* long long *: SQL NULL reads 0 */
	XF_QK_OUT_BOOL,   /* bool *: the integer is not 0 */
	XF_QK_OUT_DOUBLE, /* double *: SQL NULL reads 0 */
	XF_QK_OUT_DUP,    /* char **: a malloc'd copy, NULL for SQL NULL */
	XF_QK_OUT_TEXT,   /* char buf[size]: a bounded copy, "" for SQL NULL */
	XF_QK_OUT_SKIP,   /* a column not read */
	XF_QK_BIND_MSG    /* the message when binding fails */
} xf_qkind;

typedef struct xf_qarg {
	xf_qkind kind;
	union {
		const char *text;
		long long num;
		double dbl;
		long long *pnum;
		bool *pbool;
		double *pdbl;
		char **pdup;
		char *buf;
	} v;
	size_t size; /* XF_QK_OUT_TEXT: the size of buf */
} xf_qarg;

static inline xf_qarg xf_qin_text(const char *v)
{
	return (xf_qarg){.kind = XF_QK_IN_TEXT, .v.text = v};
}
static inline xf_qarg xf_qin_int(long long v)
{
	return (xf_qarg){.kind = XF_QK_IN_INT, .v.num = v};
}
static inline xf_qarg xf_qin_double(double v)
{
	return (xf_qarg){.kind = XF_QK_IN_DOUBLE, .v.dbl = v};
}
static inline xf_qarg xf_qout_int(long long *p)
{
	return (xf_qarg){.kind = XF_QK_OUT_INT, .v.pnum = p};
}
static inline xf_qarg xf_qout_bool(bool *p)
{
	return (xf_qarg){.kind = XF_QK_OUT_BOOL, .v.pbool = p};
}
static inline xf_qarg xf_qout_double(double *p)
{
	return (xf_qarg){.kind = XF_QK_OUT_DOUBLE, .v.pdbl = p};
}
static inline xf_qarg xf_qout_dup(char **p)
{
	return (xf_qarg){.kind = XF_QK_OUT_DUP, .v.pdup = p};
}

/* A parameter: text (NULL binds SQL NULL), integer or double. */
#define XF_IN(x)                                                                           \
	_Generic((x), char *: xf_qin_text, const char *: xf_qin_text, void *: xf_qin_text,   \
		 _Bool: xf_qin_int, char: xf_qin_int, signed char: xf_qin_int,               \
		 unsigned char: xf_qin_int, short: xf_qin_int, unsigned short: xf_qin_int,   \
		 int: xf_qin_int, unsigned: xf_qin_int, long: xf_qin_int,                    \
		 unsigned long: xf_qin_int, long long: xf_qin_int, float: xf_qin_double,     \
		 double: xf_qin_double)(x)
/* SQL NULL as a parameter. */
#define XF_IN_NULL ((xf_qarg){.kind = XF_QK_IN_NULL})

/* Where the next column goes; a NULL pointer skips the column. */
#define XF_OUT(p)                                                                          \
	_Generic((p), long long *: xf_qout_int, bool *: xf_qout_bool,                        \
		 double *: xf_qout_double, char **: xf_qout_dup)(p)
/* The next column copied into buf (size bytes, always terminated; "" for
 * SQL NULL); a NULL buf skips the column. */
#define XF_OUT_TEXT(b, n) ((xf_qarg){.kind = XF_QK_OUT_TEXT, .v.buf = (b), .size = (n)})
#define XF_OUT_SKIP ((xf_qarg){.kind = XF_QK_OUT_SKIP})

/* The message added when a parameter cannot be bound (default "内存不足
 * (out of memory)"); may stand anywhere in the list. */
#define XF_BIND_MSG(m) ((xf_qarg){.kind = XF_QK_BIND_MSG, .v.text = (m)})

#define XF_QEND ((xf_qarg){.kind = XF_QK_END})

/* Runs sql with the XF_IN parameters given; a row it returns is ignored.
 * 0, or -1 with a message (prepare, bind or step failed). */
#define xf_query_exec(s, sql, errs, ...)                                                   \
	xf_query_exec_args((s), (sql), (errs), (const xf_qarg[]){__VA_ARGS__, XF_QEND})

/* Runs sql with the XF_IN parameters and reads the first row's columns
 * into the XF_OUT places (none: only whether there is a row). 0 and the
 * places filled; 1 when there is no row (places untouched); -1 with a
 * message (places may be partly filled, but no char ** holds a copy: those
 * this call filled are freed and NULL again). */
#define xf_query_row(s, sql, errs, ...)                                                    \
	xf_query_row_args((s), (sql), (errs), (const xf_qarg[]){__VA_ARGS__, XF_QEND})

int xf_query_exec_args(xf_store *s, const char *sql, xf_errs *errs, const xf_qarg *args);
int xf_query_row_args(xf_store *s, const char *sql, xf_errs *errs, const xf_qarg *args);

/* The LIKE pattern "%q%" that finds q anywhere, with \, % and _ escaped
 * by '\' (use with ESCAPE '\'); a new string the caller frees, NULL when
 * out of memory. */
char *xf_like_contains(const char *q);

#endif
