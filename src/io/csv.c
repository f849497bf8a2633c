/* csv: reads CSV exports (UTF-8, GBK/GB18030, UTF-16LE) into table rows.
 *
 * Two steps. The encoding is settled first: valid UTF-8 is parsed where it
 * lies; GB18030 and UTF-16LE are converted to UTF-8 in one iconv pass over
 * the whole buffer. Then one pass parses records, copying each row's cells
 * into a single reusable row buffer (cells NUL-terminated one after the
 * other), so that no cell costs an allocation. Scanning uses byte-class
 * tables so that the plain bytes of a cell are skipped in a tight loop. */
#include "core/utf8.h"
#include "io/csv.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWBUF_MIN 4096

typedef struct csv {
	const char *name;
	xf_errs *errs;
	const unsigned char *p; /* UTF-8 text being parsed */
	size_t n;
	size_t i;               /* next byte */
	unsigned char sep;
	uint64_t line;          /* 1-based line of p[i] */
	unsigned char ustop[256]; /* bytes ending an unquoted run */
	unsigned char qstop[256]; /* bytes ending a quoted run */
	unsigned char blank[256]; /* bytes trimmed around cells */
	char *buf;              /* the row's cells, each NUL-terminated */
	size_t len, cap;
	size_t ncells;
	size_t off[XF_TABLE_MAX_COLS];
	const char *cells[XF_TABLE_MAX_COLS];
	uint32_t rows;          /* rows delivered */
} csv;

/* Adds "NAME: 第 N 行[ X 列]：message"; col < 0 when no column applies. */
__attribute__((format(printf, 4, 5)))
static void report(csv *c, uint64_t line, long col, const char *fmt, ...)
{
	char msg[512], where[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (col >= 0) {
		char letters[8];
		xf_table_column_name((size_t)col, letters);
		snprintf(where, sizeof(where), "第 %" PRIu64 " 行 %s 列", line,
			 letters);
	} else {
		snprintf(where, sizeof(where), "第 %" PRIu64 " 行", line);
	}
	xf_errs_add(c->errs, "%s%s%s：%s", c->name ? c->name : "",
		    c->name ? ": " : "", where, msg);
}

static void report_oom(csv *c)
{
	xf_errs_add(c->errs, "%s%s内存不足 (out of memory)",
		    c->name ? c->name : "", c->name ? ": " : "");
}

/* ---- encodings ---- */


/* Line (1-based) of byte off, counting CRLF, LF and CR as line ends, with
 * units of `unit` bytes (1, or 2 for UTF-16LE). */
static uint64_t line_at(const unsigned char *p, size_t off, size_t unit)
{
	uint64_t line = 1;
	for (size_t i = 0; i + unit <= off; i += unit) {
		if (unit == 2 && p[i + 1] != 0)
			continue;
		if (p[i] == '\r')
			line++;
		else if (p[i] == '\n' && !(i >= unit && p[i - unit] == '\r' &&
					   (unit == 1 || p[i - unit + 1] == 0)))
			line++;
	}
	return line;
}

/* Converts src[0..n) from `from` to UTF-8 in one pass into a new buffer
 * (*out, *outlen; the caller frees *out). Returns 0, or -1 with a message
 * (the line of the first byte that does not convert). */
static int convert(csv *c, const unsigned char *src, size_t n,
		   const char *from, size_t unit, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (n > SIZE_MAX / 2 - 16) {
		report_oom(c);
		return -1;
	}
	/* GB18030 and UTF-16 take at most 1.5 times their size in UTF-8. */
	size_t cap = n + n / 2 + 16;
	char *buf = malloc(cap);
	if (buf == NULL) {
		report_oom(c);
		return -1;
	}
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		xf_errs_add(c->errs, "%s%s无法转换 %s 编码 (no %s converter)",
			    c->name ? c->name : "", c->name ? ": " : "", from,
			    from);
		free(buf);
		return -1;
	}
	char *in = (char *)src; /* iconv does not write its input */
	size_t inleft = n;
	char *o = buf;
	size_t oleft = cap;
	int rc = 0;
	while (inleft > 0) {
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			/* Not expected given the bound above; grow anyway. */
			size_t used = (size_t)(o - buf);
			if (cap > SIZE_MAX / 2) {
				report_oom(c);
				rc = -1;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				report_oom(c);
				rc = -1;
				break;
			}
			buf = nb;
			cap *= 2;
			o = buf + used;
			oleft = cap - used;
			continue;
		}
		size_t at = (size_t)((const unsigned char *)in - src);
		if (unit == 2)
			report(c, line_at(src, at, 2), -1,
			       "不是有效的 UTF-16LE 文本 (invalid UTF-16LE)");
		else
			report(c, line_at(src, at, 1), -1,
			       "文件编码无法识别，既不是 UTF-8 也不是 GBK/GB18030 "
			       "(neither UTF-8 nor GBK/GB18030)");
		rc = -1;
		break;
	}
	iconv_close(cd);
	if (rc != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

/* ---- parsing ---- */

/* The first line's separator (blank lines before it skipped): comma if it
 * has one outside quotes, else the more frequent of tab and semicolon (tab
 * on a tie), else comma. */
static unsigned char detect_sep(const unsigned char *p, size_t n)
{
	size_t commas = 0, semis = 0, tabs = 0;
	bool inq = false;
	size_t i = 0;
	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	for (; i < n; i++) {
		unsigned char b = p[i];
		if (b == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (b == '\r' || b == '\n')
			break;
		else if (b == ',')
			commas++;
		else if (b == ';')
			semis++;
		else if (b == '\t')
			tabs++;
	}
	if (commas > 0)
		return ',';
	if (tabs == 0 && semis == 0)
		return ',';
	return tabs >= semis ? '\t' : ';';
}

/* Makes room for k more bytes in the row buffer. Bounded: the cell and
 * column limits are checked before anything is appended, so a row never
 * needs more than XF_TABLE_MAX_COLS * (XF_TABLE_MAX_CELL + 1) bytes. */
static int reserve(csv *c, size_t k)
{
	if (c->cap - c->len >= k)
		return 0;
	size_t cap = c->cap ? c->cap : ROWBUF_MIN;
	while (cap - c->len < k)
		cap *= 2;
	char *nb = realloc(c->buf, cap);
	if (nb == NULL) {
		report_oom(c);
		return -1;
	}
	c->buf = nb;
	c->cap = cap;
	return 0;
}

static int append(csv *c, const unsigned char *s, size_t k)
{
	if (k == 0)
		return 0;
	if (reserve(c, k) != 0)
		return -1;
	memcpy(c->buf + c->len, s, k);
	c->len += k;
	return 0;
}

static void report_too_long(csv *c, uint64_t row, size_t col)
{
	report(c, row, (long)col,
	       "单元格超过 %d 字节 (cell longer than %d bytes)",
	       XF_TABLE_MAX_CELL, XF_TABLE_MAX_CELL);
}

static void report_nul(csv *c, size_t col)
{
	report(c, c->line, (long)col, "含有 NUL 空字节 (NUL byte)");
}

/* Reads a quoted cell; c->i is at the opening quote. Leaves c->i after the
 * closing quote and any blanks after it. *clen receives the cell length. */
static int quoted(csv *c, uint64_t row, size_t col, size_t *clen)
{
	const unsigned char *p = c->p;
	size_t n = c->n, i = c->i + 1;
	uint64_t open_line = c->line;
	size_t cl = 0;
	int rc = -1;
	for (;;) {
		size_t s = i;
		while (i < n && !c->qstop[p[i]])
			i++;
		if (i - s > XF_TABLE_MAX_CELL - cl) {
			/* A stray quote is likelier than a huge cell. */
			if (memchr(p + s, '"', n - s) == NULL)
				report(c, open_line, (long)col,
				       "引号没有闭合 (unterminated quote)");
			else
				report_too_long(c, row, col);
			goto out;
		}
		if (append(c, p + s, i - s) != 0)
			goto out;
		cl += i - s;
		if (i == n) {
			report(c, open_line, (long)col,
			       "引号没有闭合 (unterminated quote)");
			goto out;
		}
		unsigned char b = p[i];
		if (b == 0) {
			report_nul(c, col);
			goto out;
		}
		if (b == '"' && !(i + 1 < n && p[i + 1] == '"')) {
			i++;
			break;
		}
		/* An escaped quote ("") or a line end kept in the cell. */
		if (cl == XF_TABLE_MAX_CELL) {
			report_too_long(c, row, col);
			goto out;
		}
		if (append(c, &b, 1) != 0)
			goto out;
		cl++;
		if (b == '"')
			i += 2;
		else {
			if (b == '\r' || p[i - 1] != '\r')
				c->line++;
			i++;
		}
	}
	while (i < n && c->blank[p[i]])
		i++;
	if (i < n && p[i] != c->sep && p[i] != '\r' && p[i] != '\n') {
		c->i = i;
		if (p[i] == 0)
			report_nul(c, col);
		else
			report(c, c->line, (long)col,
			       "引号结束后还有文字 (text after the closing quote)");
		goto out;
	}
	c->i = i;
	*clen = cl;
	rc = 0;
out:
	return rc;
}

/* Reads an unquoted cell from c->i (leading blanks already skipped) up to
 * the separator, a line end, a NUL or the end; trailing blanks dropped. */
static int unquoted(csv *c, uint64_t row, size_t col, size_t *clen)
{
	const unsigned char *p = c->p;
	size_t n = c->n, s = c->i, i = c->i;
	while (i < n && !c->ustop[p[i]])
		i++;
	size_t e = i;
	while (e > s && c->blank[p[e - 1]])
		e--;
	c->i = i;
	if (e - s > XF_TABLE_MAX_CELL) {
		report_too_long(c, row, col);
		return -1;
	}
	*clen = e - s;
	return append(c, p + s, e - s);
}

/* Reads one record starting at c->i. Returns 0 and sets *any when a cell
 * is non-empty, or -1 with a message. */
static int record(csv *c, uint64_t row, bool *any)
{
	const unsigned char *p = c->p;
	size_t n = c->n;
	*any = false;
	c->len = 0;
	c->ncells = 0;
	for (;;) {
		if (c->ncells == XF_TABLE_MAX_COLS) {
			report(c, row, -1, "超过 %d 列 (more than %d columns)",
			       XF_TABLE_MAX_COLS, XF_TABLE_MAX_COLS);
			return -1;
		}
		size_t col = c->ncells;
		c->off[c->ncells++] = c->len;
		while (c->i < n && c->blank[p[c->i]])
			c->i++;
		size_t clen = 0;
		int rc;
		if (c->i < n && p[c->i] == '"')
			rc = quoted(c, row, col, &clen);
		else
			rc = unquoted(c, row, col, &clen);
		if (rc != 0)
			return -1;
		if (clen > 0)
			*any = true;
		unsigned char z = 0;
		if (append(c, &z, 1) != 0)
			return -1;
		if (c->i == n)
			return 0;
		unsigned char b = p[c->i];
		if (b == c->sep) {
			c->i++;
			continue;
		}
		if (b == 0) {
			report_nul(c, col);
			return -1;
		}
		/* b is a line end. */
		c->i++;
		if (b == '\r' && c->i < n && p[c->i] == '\n')
			c->i++;
		c->line++;
		return 0;
	}
}

static int parse(csv *c, xf_row_fn fn, void *ctx)
{
	memset(c->ustop, 0, sizeof(c->ustop));
	memset(c->qstop, 0, sizeof(c->qstop));
	memset(c->blank, 0, sizeof(c->blank));
	c->ustop[c->sep] = c->ustop['\r'] = c->ustop['\n'] = c->ustop[0] = 1;
	c->qstop['"'] = c->qstop['\r'] = c->qstop['\n'] = c->qstop[0] = 1;
	c->blank[' '] = 1;
	if (c->sep != '\t')
		c->blank['\t'] = 1;
	while (c->i < c->n) {
		uint64_t row = c->line;
		bool any;
		if (record(c, row, &any) != 0)
			return -1;
		if (!any)
			continue;
		if (c->rows == XF_TABLE_MAX_ROWS || row > UINT32_MAX) {
			report(c, row, -1, "超过 %u 行 (more than %u rows)",
			       XF_TABLE_MAX_ROWS, XF_TABLE_MAX_ROWS);
			return -1;
		}
		c->rows++;
		for (size_t k = 0; k < c->ncells; k++)
			c->cells[k] = c->buf + c->off[k];
		int rc = fn(ctx, (uint32_t)row, c->cells, c->ncells);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int xf_csv_read(const char *data, size_t len, const char *name, xf_row_fn fn,
		void *ctx, xf_errs *errs)
{
	const unsigned char *src = (const unsigned char *)data;
	char *conv = NULL;
	size_t convlen = 0;
	bool utf16 = false;
	int rc = -1;
	csv *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		xf_errs_add(errs, "%s%s内存不足 (out of memory)",
			    name ? name : "", name ? ": " : "");
		return -1;
	}
	c->name = name;
	c->errs = errs;
	c->line = 1;

	if (len >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF) {
		c->p = src + 3;
		c->n = len - 3;
		size_t bad = xf_utf8_invalid_at(c->p, c->n);
		if (bad < c->n) {
			report(c, line_at(c->p, bad, 1), -1,
			       "有 UTF-8 BOM 但不是有效的 UTF-8 "
			       "(invalid UTF-8 after a UTF-8 BOM)");
			goto out;
		}
	} else if (len >= 2 && src[0] == 0xFF && src[1] == 0xFE) {
		if (convert(c, src + 2, len - 2, "UTF-16LE", 2, &conv,
			    &convlen) != 0)
			goto out;
		utf16 = true;
	} else if (xf_utf8_invalid_at(src, len) == len) {
		c->p = src;
		c->n = len;
	} else {
		if (convert(c, src, len, "GB18030", 1, &conv, &convlen) != 0)
			goto out;
	}
	if (conv != NULL) {
		c->p = (const unsigned char *)conv;
		c->n = convlen;
		/* A BOM carried through the conversion (GB18030 has one). */
		if (c->n >= 3 && c->p[0] == 0xEF && c->p[1] == 0xBB &&
		    c->p[2] == 0xBF) {
			c->p += 3;
			c->n -= 3;
		}
	}
	c->sep = utf16 ? '\t' : detect_sep(c->p, c->n);
	rc = parse(c, fn, ctx);
out:
	free(conv);
	free(c->buf);
	free(c);
	return rc;
}
