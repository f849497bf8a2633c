/* jsonw: streaming JSON writer with one-space indentation. */
#include "io/jsonw.h"

#include <math.h>

#include "core/num.h"

void xf_jw_init(xf_jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->has_items[0] = false;
	w->after_key = false;
}

static void indent(xf_jw *w)
{
	static const char nl_spaces[] = "\n                                ";
	fwrite(nl_spaces, 1, (size_t)w->depth + 1, w->f); /* depth < XF_JW_MAX_DEPTH */
}

/* Separator and indentation before a value or a key. */
static void before_value(xf_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->has_items[w->depth])
		fputc(',', w->f);
	w->has_items[w->depth] = true;
	indent(w);
}

static void jw_open(xf_jw *w, char c)
{
	before_value(w);
	fputc(c, w->f);
	if (w->depth + 1 < XF_JW_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void jw_close(xf_jw *w, char c)
{
	bool had = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w);
	fputc(c, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void xf_jw_obj(xf_jw *w) { jw_open(w, '{'); }
void xf_jw_obj_end(xf_jw *w) { jw_close(w, '}'); }
void xf_jw_arr(xf_jw *w) { jw_open(w, '['); }
void xf_jw_arr_end(xf_jw *w) { jw_close(w, ']'); }

static void write_string(FILE *f, const char *s)
{
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		/* Runs of characters that need no escape go out in one write. */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), f);
		if (*p == '\0')
			break;
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default: fprintf(f, "\\u%04x", *p);
		}
		p++;
	}
	fputc('"', f);
}

void xf_jw_key(xf_jw *w, const char *key)
{
	before_value(w);
	write_string(w->f, key);
	fputs(": ", w->f);
	w->after_key = true;
}

void xf_jw_str(xf_jw *w, const char *s)
{
	if (s == NULL) {
		xf_jw_null(w);
		return;
	}
	before_value(w);
	write_string(w->f, s);
}

void xf_jw_null(xf_jw *w)
{
	before_value(w);
	fputs("null", w->f);
}

void xf_jw_bool(xf_jw *w, bool b)
{
	before_value(w);
	fputs(b ? "true" : "false", w->f);
}

void xf_jw_int(xf_jw *w, long long v)
{
	before_value(w);
	fprintf(w->f, "%lld", v);
}

void xf_jw_credits(xf_jw *w, double v)
{
	char buf[32];
	if (!isfinite(v)) {
		xf_jw_null(w);
		return;
	}
	before_value(w);
	xf_format_num(xf_round2(v), buf);
	fputs(buf, w->f);
}

void xf_jw_num(xf_jw *w, double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
		xf_jw_int(w, (long long)v);
	else
		xf_jw_credits(w, v);
}

void xf_jw_kstr(xf_jw *w, const char *key, const char *s) { xf_jw_key(w, key); xf_jw_str(w, s); }
void xf_jw_kbool(xf_jw *w, const char *key, bool b) { xf_jw_key(w, key); xf_jw_bool(w, b); }
void xf_jw_kint(xf_jw *w, const char *key, long long v) { xf_jw_key(w, key); xf_jw_int(w, v); }
void xf_jw_kcredits(xf_jw *w, const char *key, double v) { xf_jw_key(w, key); xf_jw_credits(w, v); }
void xf_jw_knum(xf_jw *w, const char *key, double v) { xf_jw_key(w, key); xf_jw_num(w, v); }
void xf_jw_knull(xf_jw *w, const char *key) { xf_jw_key(w, key); xf_jw_null(w); }

void xf_jw_raw(xf_jw *w, const char *json)
{
	before_value(w);
	fputs(json, w->f);
}
