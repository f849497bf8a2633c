/* jsonw: a small streaming JSON writer. Output is indented by one space per
 * level (the layout of the shipped expected files), strings are escaped,
 * and non-ASCII UTF-8 is written as is. It never builds a tree, so a result
 * for a million people streams out in constant memory. */
#ifndef XF_IO_JSONW_H
#define XF_IO_JSONW_H

#include <stdbool.h>
#include <stdio.h>

#define XF_JW_MAX_DEPTH 32

typedef struct xf_jw {
	FILE *f;
	int depth;
	bool has_items[XF_JW_MAX_DEPTH]; /* the container at depth has members */
	bool after_key;
} xf_jw;

void xf_jw_init(xf_jw *w, FILE *f);

void xf_jw_obj(xf_jw *w);      /* { */
void xf_jw_obj_end(xf_jw *w);  /* } */
void xf_jw_arr(xf_jw *w);      /* [ */
void xf_jw_arr_end(xf_jw *w);  /* ] */
void xf_jw_key(xf_jw *w, const char *key);

void xf_jw_str(xf_jw *w, const char *s);  /* NULL writes null */
void xf_jw_null(xf_jw *w);
void xf_jw_bool(xf_jw *w, bool b);
void xf_jw_int(xf_jw *w, long long v);
/* A credit figure: rounded half-up to 2 decimals, written "14.0"/"58.33". */
void xf_jw_credits(xf_jw *w, double v);
/* Any number: integral values as integers, others as credits. */
void xf_jw_num(xf_jw *w, double v);

/* A value that is already JSON text (e.g. stored JSON), written as is. The
 * caller vouches that it is one valid JSON value. */
void xf_jw_raw(xf_jw *w, const char *json);

/* Key + value shorthands. */
void xf_jw_kstr(xf_jw *w, const char *key, const char *s);
void xf_jw_kbool(xf_jw *w, const char *key, bool b);
void xf_jw_kint(xf_jw *w, const char *key, long long v);
void xf_jw_kcredits(xf_jw *w, const char *key, double v);
void xf_jw_knum(xf_jw *w, const char *key, double v);
void xf_jw_knull(xf_jw *w, const char *key);

#endif
