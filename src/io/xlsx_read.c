/* xlsx_read: reads one worksheet of an in-memory .xlsx into table rows.
 *
 * The archive is opened from the caller's buffer with libzip; each XML
 * part is inflated in 64 KiB chunks straight into expat's buffer, so no
 * part is ever held whole. The parts are read in dependency order:
 * _rels/.rels (where the workbook is), the workbook (sheet order, date
 * system), its .rels (which file each sheet is, where the shared strings
 * and styles are), styles.xml (which cell styles are dates), the shared
 * strings (kept: one growing arena of NUL-terminated strings plus an offset
 * per string), then the sheet, streamed row by row into the callback.
 *
 * Untrusted input: every part's declared size is checked before it is
 * opened and the bytes actually inflated are counted while reading (a zip
 * bomb's headers lie); DOCTYPE and entity declarations are refused; element
 * nesting, shared strings, cells, columns and rows are capped. */
#include "io/xlsx.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Debian's libexpat is built with XML_DTD (its expat_config.h says so), but
 * expat.h only declares the billion-laughs settings under that macro. */
#ifndef XML_DTD
#define XML_DTD 1
#endif
#include <expat.h>
#include <zip.h>

#define CHUNK 65536
#define MIB (1024u * 1024u)
#define MAX_SHEETS 4096
#define MAX_STYLES 1000000
#define ROWBUF_MIN 4096

/* What a number format shows. */
enum { K_NUM = 0, K_DATE = 1, K_TIME = 2 };

/* Cell types (the t attribute). */
enum { T_N, T_S, T_STR, T_INL, T_B, T_E, T_D };

typedef struct xr xr;

/* One XML part's element handlers; el is the local name (prefix dropped). */
typedef struct handlers {
	void (*start)(xr *x, const char *el, const char **atts);
	void (*end)(xr *x, const char *el);
	void (*text)(xr *x, const char *s, int len);
} handlers;

typedef struct sheet_ent {
	char *name;
	char *rid;
} sheet_ent;

typedef struct rel_ent {
	char *id;
	char *type;
	char *target;
} rel_ent;

struct xr {
	const char *name;
	xf_errs *errs;
	xf_xlsx_limits lim;
	zip_t *za;

	/* the part being parsed */
	XML_Parser p;
	const handlers *h;
	const char *entry;
	uint32_t depth;
	bool stop;
	int rc;

	/* _rels/.rels and the workbook's .rels */
	rel_ent *rels;
	size_t nrels, caprels;

	/* workbook.xml */
	bool date1904;
	sheet_ent *sheets;
	size_t nsheets, capsheets;

	/* styles.xml */
	uint32_t *fmtids;         /* cellXfs[i].numFmtId */
	size_t nxf, capxf;
	uint32_t *cfmt_id;        /* custom numFmts: id and kind */
	unsigned char *cfmt_kind;
	size_t ncfmt, capcfmt;
	unsigned char *xfkind;    /* K_* per cellXfs entry */
	int in_cellxfs;

	/* sharedStrings.xml */
	char *arena;
	size_t alen, acap;
	size_t *soff;
	size_t nstr, capstr;
	bool s_in_si, s_in_t;
	int s_rph;

	/* the sheet */
	const char *sheet_name;
	xf_row_fn fn;
	void *ctx;
	bool in_data, in_v, in_t, in_is;
	int rph;
	uint32_t row_depth, c_depth; /* 0 when not inside */
	uint32_t row, prev_row;
	long col, prev_col;          /* -1 before the first cell */
	int ctype;
	uint32_t cstyle;
	char *cell;                  /* raw text of the cell, cap MAX_CELL */
	size_t clen;
	char *rb;                    /* row cells, NUL-terminated, rb[0] = "" */
	size_t rlen, rcap;
	size_t ncell;
	size_t off[XF_TABLE_MAX_COLS];
	const char *cells[XF_TABLE_MAX_COLS];
};

/* ---- messages ---- */

/* Adds "NAME: [where：]message". Inside the sheet, where names the sheet,
 * the row and the column when they are known. */
__attribute__((format(printf, 2, 3)))
static void report(xr *x, const char *fmt, ...)
{
	char msg[512], where[320] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->sheet_name != NULL && x->row_depth != 0 && x->c_depth != 0 &&
	    x->col >= 0) {
		char letters[8];
		xf_table_column_name((size_t)x->col, letters);
		snprintf(where, sizeof(where), "工作表 %.200s 第 %" PRIu32
			 " 行 %s 列：", x->sheet_name, x->row, letters);
	} else if (x->sheet_name != NULL && x->row_depth != 0) {
		snprintf(where, sizeof(where), "工作表 %.200s 第 %" PRIu32
			 " 行：", x->sheet_name, x->row);
	} else if (x->sheet_name != NULL) {
		snprintf(where, sizeof(where), "工作表 %.150s（%.150s）：",
			 x->sheet_name, x->entry ? x->entry : "");
	} else if (x->entry != NULL) {
		snprintf(where, sizeof(where), "%.200s：", x->entry);
	}
	xf_errs_add(x->errs, "%s%s%s%s", x->name ? x->name : "",
		    x->name ? ": " : "", where, msg);
}

static void report_oom(xr *x)
{
	report(x, "内存不足 (out of memory)");
}

/* Stops the parse under way; the reader returns rc. */
static void halt(xr *x, int rc)
{
	x->stop = true;
	x->rc = rc;
	if (x->p != NULL)
		XML_StopParser(x->p, XML_FALSE);
}

static void fail_oom(xr *x)
{
	report_oom(x);
	halt(x, -1);
}

/* ---- small helpers ---- */

static const char *local_name(const char *el)
{
	const char *c = strrchr(el, ':');
	return c ? c + 1 : el;
}

/* The value of attribute `key` (exact name), or NULL. */
static const char *attr(const char **atts, const char *key)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], key) == 0)
			return atts[i + 1];
	return NULL;
}

/* The value of a prefixed attribute with local name `key` (r:id). */
static const char *attr_ns(const char **atts, const char *key)
{
	for (size_t i = 0; atts[i] != NULL; i += 2) {
		const char *c = strrchr(atts[i], ':');
		if (c != NULL && strcmp(c + 1, key) == 0)
			return atts[i + 1];
	}
	return NULL;
}

/* Parses a whole unsigned decimal (surrounding spaces allowed) no greater
 * than max. Returns 0 or -1. */
static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			 s[i] == '\r'))
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -1;
		i++;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			 s[i] == '\r'))
		i++;
	if (i != n)
		return -1;
	*out = v;
	return 0;
}

static int parse_u64z(const char *s, uint64_t max, uint64_t *out)
{
	return parse_u64(s, strlen(s), max, out);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Grows *buf (element size sz) to hold at least need elements. */
static int grow(void **buf, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sz)
			return -1;
		n *= 2;
	}
	void *p = realloc(*buf, n * sz);
	if (p == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* Resolves a relationship target against the directory dir ("" or ending
 * in '/'): "/x" is from the archive root; "." and ".." segments fold.
 * Returns a malloc'd path or NULL (out of memory, or escapes the root). */
static char *resolve_path(const char *dir, const char *target)
{
	size_t dl = strlen(dir), tl = strlen(target);
	char *out;
	if (target[0] == '/') {
		dl = 0;
		target++;
		tl--;
	}
	out = malloc(dl + tl + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, dir, dl);
	size_t n = dl;
	const char *s = target;
	while (*s != '\0') {
		const char *e = strchr(s, '/');
		size_t sl = e ? (size_t)(e - s) : strlen(s);
		if (sl == 0 || (sl == 1 && s[0] == '.')) {
			/* skip */
		} else if (sl == 2 && s[0] == '.' && s[1] == '.') {
			if (n == 0) {
				free(out);
				return NULL;
			}
			n--; /* the '/' ending the last segment */
			while (n > 0 && out[n - 1] != '/')
				n--;
		} else {
			memcpy(out + n, s, sl);
			n += sl;
			if (e != NULL)
				out[n++] = '/';
		}
		s = e ? e + 1 : s + sl;
	}
	out[n] = '\0';
	return out;
}

/* Decodes OOXML's _xHHHH_ escapes in s[0..n) in place (never longer);
 * returns the new length. NUL and surrogates stay as written. */
static size_t decode_x_escapes(char *s, size_t n)
{
	size_t r = 0, w = 0;
	if (memchr(s, '_', n) == NULL)
		return n;
	while (r < n) {
		unsigned cp = 0;
		bool ok = r + 7 <= n && s[r] == '_' && s[r + 1] == 'x' &&
			  s[r + 6] == '_';
		for (size_t k = 2; ok && k < 6; k++) {
			char c = s[r + k];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				d = 16; /* not a hex digit */
			ok = ok && d < 16;
			cp = cp * 16 + (d & 15);
		}
		if (ok && (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)))
			ok = false;
		if (!ok) {
			s[w++] = s[r++];
			continue;
		}
		if (cp < 0x80) {
			s[w++] = (char)cp;
		} else if (cp < 0x800) {
			s[w++] = (char)(0xC0 | (cp >> 6));
			s[w++] = (char)(0x80 | (cp & 0x3F));
		} else {
			s[w++] = (char)(0xE0 | (cp >> 12));
			s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			s[w++] = (char)(0x80 | (cp & 0x3F));
		}
		r += 7;
	}
	return w;
}

/* ---- the XML driver ---- */

static void XMLCALL on_start(void *ud, const XML_Char *el,
			     const XML_Char **atts)
{
	xr *x = ud;
	if (x->stop)
		return;
	if (++x->depth > x->lim.depth) {
		report(x, "XML 嵌套超过 %" PRIu32 " 层 (XML nested deeper "
		       "than %" PRIu32 " levels)", x->lim.depth, x->lim.depth);
		halt(x, -1);
		return;
	}
	x->h->start(x, local_name(el), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
	xr *x = ud;
	if (x->stop)
		return;
	x->h->end(x, local_name(el));
	x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	xr *x = ud;
	if (x->stop || x->h->text == NULL)
		return;
	x->h->text(x, s, len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *doctype,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	xr *x = ud;
	if (x->stop)
		return;
	report(x, "含有 DOCTYPE 声明，已拒绝 (DOCTYPE declarations are "
	       "refused)");
	halt(x, -1);
}

static void XMLCALL on_entity(void *ud, const XML_Char *entity,
			      int is_param, const XML_Char *value,
			      int value_length, const XML_Char *base,
			      const XML_Char *sysid, const XML_Char *pubid,
			      const XML_Char *notation)
{
	xr *x = ud;
	if (x->stop)
		return;
	report(x, "含有实体声明，已拒绝 (entity declarations are refused)");
	halt(x, -1);
}

/* Finds an archive entry: exact name first, then ignoring case (some
 * writers disagree with their own .rels on case). */
static zip_int64_t locate(xr *x, const char *path)
{
	zip_int64_t i = zip_name_locate(x->za, path, 0);
	if (i < 0)
		i = zip_name_locate(x->za, path, ZIP_FL_NOCASE);
	return i;
}

/* Streams the entry `path` through expat with handlers h, refusing it past
 * cap inflated bytes (declared or actual). Returns 0 when parsed, 1 when
 * the entry is absent and not required, otherwise -1 (reported) or the
 * value a handler stopped with. */
static int parse_entry(xr *x, const char *path, uint64_t cap, bool required,
		       const handlers *h)
{
	zip_int64_t idx = locate(x, path);
	zip_stat_t st;
	zip_file_t *zf = NULL;
	uint64_t total = 0;
	int rc = -1;

	x->entry = path;
	if (idx < 0) {
		if (!required)
			return 1;
		report(x, "文件中缺少这一部分，不是有效的 XLSX 文件 (missing "
		       "part; not a valid XLSX file)");
		return -1;
	}
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0) {
		report(x, "不是有效的 XLSX 文件 (not a valid XLSX file: %s)",
		       zip_strerror(x->za));
		return -1;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE) {
		report(x, "已加密，无法读取 (encrypted entry)");
		return -1;
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > cap) {
		report(x, "解压后 %" PRIu64 " 字节，超过上限 %" PRIu64
		       " 字节 (uncompressed size over the limit)",
		       (uint64_t)st.size, cap);
		return -1;
	}
	zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		report(x, "无法解压，不是有效的 XLSX 文件 (cannot open entry: "
		       "%s)", zip_strerror(x->za));
		return -1;
	}
	x->p = XML_ParserCreate(NULL);
	if (x->p == NULL) {
		report_oom(x);
		goto out;
	}
	x->h = h;
	x->depth = 0;
	x->stop = false;
	x->rc = 0;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(x->p, 4.0f);
	for (;;) {
		void *buf = XML_GetBuffer(x->p, CHUNK);
		if (buf == NULL) {
			report_oom(x);
			goto out;
		}
		zip_int64_t n = zip_fread(zf, buf, CHUNK);
		if (n < 0) {
			report(x, "解压失败，文件已损坏 (corrupt entry: %s)",
			       zip_file_strerror(zf));
			goto out;
		}
		total += (uint64_t)n;
		if ((st.valid & ZIP_STAT_SIZE) && total > st.size) {
			/* libzip 1.7 does not check this itself */
			report(x, "解压后比文件头声明的 %" PRIu64 " 字节大，"
			       "文件已损坏 (inflates past its declared size)",
			       (uint64_t)st.size);
			goto out;
		}
		if (total > cap) {
			report(x, "解压后超过上限 %" PRIu64 " 字节 "
			       "(inflates past the limit)", cap);
			goto out;
		}
		if (XML_ParseBuffer(x->p, (int)n, n == 0) != XML_STATUS_OK) {
			if (x->stop) {
				rc = x->rc;
				goto out;
			}
			report(x, "XML 第 %lu 行格式错误 (malformed XML: %s)",
			       (unsigned long)XML_GetCurrentLineNumber(x->p),
			       XML_ErrorString(XML_GetErrorCode(x->p)));
			goto out;
		}
		if (x->stop) {
			rc = x->rc;
			goto out;
		}
		if (n == 0)
			break;
	}
	rc = 0;
out:
	if (x->p != NULL)
		XML_ParserFree(x->p);
	x->p = NULL;
	zip_fclose(zf);
	return rc;
}

/* ---- relationships (_rels/.rels, xl/_rels/workbook.xml.rels) ---- */

static void rels_clear(xr *x)
{
	for (size_t i = 0; i < x->nrels; i++) {
		free(x->rels[i].id);
		free(x->rels[i].type);
		free(x->rels[i].target);
	}
	x->nrels = 0;
}

static void rels_start(xr *x, const char *el, const char **atts)
{
	if (strcmp(el, "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type");
	const char *target = attr(atts, "Target");
	const char *mode = attr(atts, "TargetMode");
	if (id == NULL || type == NULL || target == NULL ||
	    (mode != NULL && strcmp(mode, "External") == 0))
		return;
	if (grow((void **)&x->rels, &x->caprels, x->nrels + 1,
		 sizeof(*x->rels)) != 0) {
		fail_oom(x);
		return;
	}
	rel_ent *r = &x->rels[x->nrels];
	r->id = strdup(id);
	r->type = strdup(type);
	r->target = strdup(target);
	x->nrels++;
	if (r->id == NULL || r->type == NULL || r->target == NULL)
		fail_oom(x);
}

static void ignore_end(xr *x, const char *el)
{
}

static const handlers rels_handlers = { rels_start, ignore_end, NULL };

/* The target of the first relationship whose type ends in suffix (and
 * whose id is id, when id is not NULL), or NULL. */
static const char *rel_find(const xr *x, const char *id, const char *suffix)
{
	for (size_t i = 0; i < x->nrels; i++) {
		if (id != NULL && strcmp(x->rels[i].id, id) != 0)
			continue;
		if (suffix != NULL && !ends_with(x->rels[i].type, suffix))
			continue;
		return x->rels[i].target;
	}
	return NULL;
}

/* ---- workbook.xml ---- */

static void wb_start(xr *x, const char *el, const char **atts)
{
	if (strcmp(el, "workbookPr") == 0) {
		const char *v = attr(atts, "date1904");
		x->date1904 = v != NULL &&
			      (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
		return;
	}
	if (strcmp(el, "sheet") != 0)
		return;
	const char *nm = attr(atts, "name"), *rid = attr_ns(atts, "id");
	if (x->nsheets == MAX_SHEETS) {
		report(x, "工作表超过 %d 个 (more than %d sheets)", MAX_SHEETS,
		       MAX_SHEETS);
		halt(x, -1);
		return;
	}
	if (grow((void **)&x->sheets, &x->capsheets, x->nsheets + 1,
		 sizeof(*x->sheets)) != 0) {
		fail_oom(x);
		return;
	}
	sheet_ent *s = &x->sheets[x->nsheets];
	s->name = strdup(nm ? nm : "");
	s->rid = strdup(rid ? rid : "");
	x->nsheets++;
	if (s->name == NULL || s->rid == NULL)
		fail_oom(x);
}

static const handlers wb_handlers = { wb_start, ignore_end, NULL };

/* ---- styles.xml: which cell styles show dates ---- */

/* What a number format code shows: date (y, d, or m without h/s), time of
 * day (h, s, m), or a number. Quoted text, [..] sections, and characters
 * escaped by \, _ or * are not tokens. */
static int code_kind(const char *code)
{
	bool date = false, time = false, month = false;
	for (const char *p = code; *p != '\0'; p++) {
		char c = *p;
		if (c == '"') {
			const char *q = strchr(p + 1, '"');
			if (q == NULL)
				break;
			p = q;
			continue;
		}
		if (c == '[') {
			const char *q = strchr(p + 1, ']');
			if (q == NULL)
				break;
			p = q;
			continue;
		}
		if (c == '\\' || c == '_' || c == '*') {
			if (p[1] == '\0')
				break;
			p++;
			continue;
		}
		switch (c) {
		case 'y': case 'Y': case 'd': case 'D':
			date = true;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = true;
			break;
		case 'm': case 'M':
			month = true;
			break;
		default:
			break;
		}
	}
	if (date)
		return K_DATE;
	if (time)
		return K_TIME;
	return month ? K_DATE : K_NUM;
}

static int builtin_kind(uint32_t id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	    (id >= 50 && id <= 58))
		return K_DATE;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return K_TIME;
	return K_NUM;
}

static void st_start(xr *x, const char *el, const char **atts)
{
	uint64_t id;
	if (strcmp(el, "cellXfs") == 0) {
		x->in_cellxfs = (int)x->depth;
		return;
	}
	if (strcmp(el, "numFmt") == 0) {
		const char *sid = attr(atts, "numFmtId");
		const char *code = attr(atts, "formatCode");
		if (sid == NULL || code == NULL ||
		    parse_u64z(sid, UINT32_MAX, &id) != 0)
			return;
		if (x->ncfmt == MAX_STYLES)
			return;
		if (grow((void **)&x->cfmt_id, &x->capcfmt, x->ncfmt + 1,
			 sizeof(*x->cfmt_id)) != 0) {
			fail_oom(x);
			return;
		}
		unsigned char *k = realloc(x->cfmt_kind, x->capcfmt);
		if (k == NULL) {
			fail_oom(x);
			return;
		}
		x->cfmt_kind = k;
		x->cfmt_id[x->ncfmt] = (uint32_t)id;
		x->cfmt_kind[x->ncfmt] = (unsigned char)code_kind(code);
		x->ncfmt++;
		return;
	}
	if (strcmp(el, "xf") == 0 && x->in_cellxfs != 0 &&
	    x->depth == (uint32_t)x->in_cellxfs + 1) {
		const char *sid = attr(atts, "numFmtId");
		if (sid == NULL || parse_u64z(sid, UINT32_MAX, &id) != 0)
			id = 0;
		if (x->nxf == MAX_STYLES) {
			report(x, "单元格样式超过 %d 个 (more than %d cell "
			       "styles)", MAX_STYLES, MAX_STYLES);
			halt(x, -1);
			return;
		}
		if (grow((void **)&x->fmtids, &x->capxf, x->nxf + 1,
			 sizeof(*x->fmtids)) != 0) {
			fail_oom(x);
			return;
		}
		x->fmtids[x->nxf++] = (uint32_t)id;
	}
}

static void st_end(xr *x, const char *el)
{
	if (strcmp(el, "cellXfs") == 0 && x->in_cellxfs == (int)x->depth)
		x->in_cellxfs = 0;
}

static const handlers st_handlers = { st_start, st_end, NULL };

/* Settles the kind of every cell style once (the last definition of a
 * custom format id wins, as it overrides a built-in one). */
static int styles_finish(xr *x)
{
	if (x->nxf == 0)
		return 0;
	x->xfkind = malloc(x->nxf);
	if (x->xfkind == NULL) {
		report_oom(x);
		return -1;
	}
	for (size_t i = 0; i < x->nxf; i++) {
		int k = builtin_kind(x->fmtids[i]);
		for (size_t j = x->ncfmt; j-- > 0;) {
			if (x->cfmt_id[j] == x->fmtids[i]) {
				k = x->cfmt_kind[j];
				break;
			}
		}
		x->xfkind[i] = (unsigned char)k;
	}
	return 0;
}

/* ---- sharedStrings.xml ---- */

static int arena_put(xr *x, const char *s, size_t n)
{
	if (n > x->lim.string_bytes || x->alen > x->lim.string_bytes - n) {
		report(x, "共享字符串超过 %" PRIu64 " 字节 (shared strings "
		       "over %" PRIu64 " bytes)", x->lim.string_bytes,
		       x->lim.string_bytes);
		halt(x, -1);
		return -1;
	}
	if (grow((void **)&x->arena, &x->acap, x->alen + n, 1) != 0) {
		fail_oom(x);
		return -1;
	}
	memcpy(x->arena + x->alen, s, n);
	x->alen += n;
	return 0;
}

static void sst_start(xr *x, const char *el, const char **atts)
{
	if (strcmp(el, "si") == 0) {
		if (x->s_in_si)
			return;
		if (x->nstr >= x->lim.strings) {
			report(x, "共享字符串超过 %" PRIu64 " 个 (more than %"
			       PRIu64 " shared strings)", x->lim.strings,
			       x->lim.strings);
			halt(x, -1);
			return;
		}
		if (grow((void **)&x->soff, &x->capstr, x->nstr + 1,
			 sizeof(*x->soff)) != 0) {
			fail_oom(x);
			return;
		}
		x->soff[x->nstr] = x->alen;
		x->s_in_si = true;
		x->s_rph = 0;
	} else if (strcmp(el, "rPh") == 0 && x->s_in_si) {
		x->s_rph++;
	} else if (strcmp(el, "t") == 0 && x->s_in_si && x->s_rph == 0) {
		x->s_in_t = true;
	}
}

static void sst_end(xr *x, const char *el)
{
	if (strcmp(el, "si") == 0 && x->s_in_si) {
		size_t start = x->soff[x->nstr];
		x->alen = start + decode_x_escapes(x->arena + start,
						   x->alen - start);
		if (arena_put(x, "", 1) != 0)
			return;
		x->nstr++;
		x->s_in_si = false;
		x->s_in_t = false;
	} else if (strcmp(el, "rPh") == 0 && x->s_rph > 0) {
		x->s_rph--;
	} else if (strcmp(el, "t") == 0) {
		x->s_in_t = false;
	}
}

static void sst_text(xr *x, const char *s, int len)
{
	if (x->s_in_t)
		arena_put(x, s, (size_t)len);
}

static const handlers sst_handlers = { sst_start, sst_end, sst_text };

/* ---- the sheet ---- */

/* Shortest decimal text that reads back as v: integers (below 2^53) as
 * they are, others with the fewest significant digits (15..17). */
static void format_number(double v, char *buf, size_t size)
{
	if (v == 0) {
		snprintf(buf, size, "0");
		return;
	}
	if (fabs(v) < 9007199254740992.0 && v == floor(v)) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* Formats an Excel serial as a date, date-time or time of day. Returns -1
 * when the serial is outside 0..9999-12-31 (then it shows as a number). */
static int format_serial(const xr *x, double v, int kind, char *buf,
			 size_t size)
{
	int64_t maxd = x->date1904 ? 2958466 - 1462 : 2958466;
	if (!(v >= 0 && v < (double)maxd))
		return -1;
	int64_t total = llround(v * 86400.0);
	int64_t day = total / 86400;
	if (day >= maxd)
		return -1; /* rounded up past 9999-12-31 */
	unsigned secs = (unsigned)(total % 86400);
	unsigned hh = secs / 3600, mi = secs / 60 % 60, ss = secs % 60;
	if (kind == K_TIME || (!x->date1904 && day < 1)) {
		snprintf(buf, size, "%02u:%02u:%02u", hh, mi, ss);
		return 0;
	}
	int64_t y;
	unsigned m, d;
	if (x->date1904) {
		civil_from_days(-24107 + day, &y, &m, &d);
	} else if (day == 60) {
		y = 1900, m = 2, d = 29; /* Lotus 1-2-3's leap day */
	} else {
		civil_from_days((day < 60 ? -25568 : -25569) + day, &y, &m,
				&d);
	}
	if (secs == 0)
		snprintf(buf, size, "%04" PRId64 "-%02u-%02u", y, m, d);
	else
		snprintf(buf, size, "%04" PRId64 "-%02u-%02u %02u:%02u:%02u",
			 y, m, d, hh, mi, ss);
	return 0;
}

/* Reads the cell's raw text as a number: digits, sign, point, exponent,
 * nothing else (no hex, inf or nan). */
static int parse_number(const char *s, double *out)
{
	char *end;
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' ||
	      s[0] == '.'))
		return -1;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' ||
		      *p == '.' || *p == 'e' || *p == 'E'))
			return -1;
	double v = strtod(s, &end);
	if (*end != '\0' || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Whether s[0..n) is "0" or a whole number of at most 15 digits without
 * leading zeros: what format_number would print for it, unchanged. */
static bool plain_integer(const char *s, size_t n)
{
	size_t i = s[0] == '-' ? 1 : 0;
	if (n - i == 0 || n - i > 15 || (s[i] == '0' && (n - i > 1 || i)))
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Appends the finished cell's text at column x->col. */
static int row_put(xr *x, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (n > XF_TABLE_MAX_CELL) {
		report(x, "单元格超过 %d 字节 (cell longer than %d bytes)",
		       XF_TABLE_MAX_CELL, XF_TABLE_MAX_CELL);
		halt(x, -1);
		return -1;
	}
	if (grow((void **)&x->rb, &x->rcap, x->rlen + n + 1, 1) != 0) {
		fail_oom(x);
		return -1;
	}
	for (size_t k = x->ncell; k < (size_t)x->col; k++)
		x->off[k] = 0; /* rb[0] is "" */
	x->off[x->col] = x->rlen;
	memcpy(x->rb + x->rlen, s, n);
	x->rb[x->rlen + n] = '\0';
	x->rlen += n + 1;
	x->ncell = (size_t)x->col + 1;
	return 0;
}

static void cell_finish(xr *x)
{
	char num[64];
	const char *s = x->cell;
	size_t n = x->clen;
	uint64_t idx;
	double v;

	x->cell[n] = '\0';
	switch (x->ctype) {
	case T_S:
		if (n == 0)
			return;
		if (parse_u64(x->cell, n, UINT64_MAX / 2, &idx) != 0 ||
		    idx >= x->nstr) {
			report(x, "共享字符串编号 %.20s 无效 (shared string "
			       "index out of range)", x->cell);
			halt(x, -1);
			return;
		}
		s = x->arena + x->soff[idx];
		n = strlen(s);
		break;
	case T_B:
		if (strcmp(x->cell, "1") == 0)
			s = "TRUE";
		else if (strcmp(x->cell, "0") == 0)
			s = "FALSE";
		n = strlen(s);
		break;
	case T_INL:
	case T_STR:
		n = decode_x_escapes(x->cell, n);
		break;
	case T_D:
		/* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z]" */
		if (n >= 19 && x->cell[4] == '-' && x->cell[10] == 'T') {
			if (memcmp(x->cell + 11, "00:00:00", 8) == 0) {
				n = 10;
			} else {
				x->cell[10] = ' ';
				n = 19;
			}
		}
		break;
	case T_N:
		if (n == 0)
			break;
		int kind = x->cstyle < x->nxf ? x->xfkind[x->cstyle] : K_NUM;
		if (kind == K_NUM && plain_integer(x->cell, n))
			break; /* already its shortest form */
		if (parse_number(x->cell, &v) != 0)
			break; /* shown as written */
		if (kind == K_NUM ||
		    format_serial(x, v, kind, num, sizeof(num)) != 0)
			format_number(v, num, sizeof(num));
		s = num;
		n = strlen(num);
		break;
	default:
		break;
	}
	row_put(x, s, n);
}

/* Column index from a reference's letters ("C5" -> 2); -1 when bad. */
static long ref_col(const char *r)
{
	long c = 0;
	size_t i = 0;
	while ((r[i] >= 'A' && r[i] <= 'Z') || (r[i] >= 'a' && r[i] <= 'z')) {
		int d = (r[i] | 0x20) - 'a' + 1;
		if (i == 4)
			return -1;
		c = c * 26 + d;
		i++;
	}
	if (i == 0 || (r[i] != '\0' && (r[i] < '0' || r[i] > '9')))
		return -1;
	return c - 1;
}

static int cell_type(const char *t)
{
	static const struct { const char *name; int type; } types[] = {
		{ "n", T_N }, { "s", T_S }, { "str", T_STR },
		{ "inlineStr", T_INL }, { "b", T_B }, { "e", T_E },
		{ "d", T_D },
	};
	if (t == NULL)
		return T_N;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i].name) == 0)
			return types[i].type;
	return T_STR;
}

static void sh_start(xr *x, const char *el, const char **atts)
{
	uint64_t u;
	if (x->c_depth != 0) {
		if (strcmp(el, "v") == 0) {
			x->in_v = true;
		} else if (strcmp(el, "is") == 0) {
			x->in_is = true;
		} else if (strcmp(el, "rPh") == 0) {
			x->rph++;
		} else if (strcmp(el, "t") == 0 && x->in_is && x->rph == 0) {
			x->in_t = true;
		}
		return;
	}
	if (x->row_depth != 0) {
		if (strcmp(el, "c") != 0)
			return;
		const char *r = attr(atts, "r"), *s = attr(atts, "s");
		long col = x->prev_col + 1;
		x->c_depth = x->depth;
		x->col = x->prev_col + 1;
		if (r != NULL) {
			col = ref_col(r);
			if (col < 0) {
				x->col = -1;
				report(x, "单元格引用 %.20s 无效 (bad cell "
				       "reference)", r);
				halt(x, -1);
				return;
			}
		}
		x->col = col;
		if (col >= XF_TABLE_MAX_COLS) {
			report(x, "超过 %d 列 (more than %d columns)",
			       XF_TABLE_MAX_COLS, XF_TABLE_MAX_COLS);
			halt(x, -1);
			return;
		}
		if (col <= x->prev_col) {
			report(x, "单元格顺序错乱 (cells out of order)");
			halt(x, -1);
			return;
		}
		x->prev_col = col;
		x->ctype = cell_type(attr(atts, "t"));
		x->cstyle = 0;
		if (s != NULL && parse_u64z(s, UINT32_MAX, &u) == 0)
			x->cstyle = (uint32_t)u;
		x->clen = 0;
		x->in_v = x->in_t = x->in_is = false;
		x->rph = 0;
		return;
	}
	if (strcmp(el, "sheetData") == 0) {
		x->in_data = true;
	} else if (strcmp(el, "row") == 0 && x->in_data) {
		const char *r = attr(atts, "r");
		uint32_t row = x->prev_row + 1;
		x->row_depth = x->depth;
		if (r != NULL) {
			if (parse_u64z(r, UINT32_MAX, &u) != 0 || u == 0) {
				x->row = x->prev_row + 1;
				report(x, "行号 %.20s 无效 (bad row number)", r);
				halt(x, -1);
				return;
			}
			if (u > x->lim.rows) {
				x->row_depth = 0;
				report(x, "超过 %" PRIu32 " 行 (more than %"
				       PRIu32 " rows)", x->lim.rows,
				       x->lim.rows);
				halt(x, -1);
				return;
			}
			row = (uint32_t)u;
		}
		x->row = row;
		if (row <= x->prev_row || row > x->lim.rows) {
			report(x, "行顺序错乱或超过 %" PRIu32 " 行 (rows out "
			       "of order or more than %" PRIu32 ")",
			       x->lim.rows, x->lim.rows);
			halt(x, -1);
			return;
		}
		x->prev_row = row;
		x->prev_col = -1;
		x->col = -1;
		x->rlen = 1;
		x->ncell = 0;
	}
}

static void sh_end(xr *x, const char *el)
{
	if (x->c_depth != 0) {
		if (x->depth == x->c_depth) {
			cell_finish(x);
			x->c_depth = 0;
		} else if (strcmp(el, "v") == 0) {
			x->in_v = false;
		} else if (strcmp(el, "t") == 0) {
			x->in_t = false;
		} else if (strcmp(el, "is") == 0) {
			x->in_is = false;
		} else if (strcmp(el, "rPh") == 0 && x->rph > 0) {
			x->rph--;
		}
		return;
	}
	if (x->row_depth != 0) {
		if (x->depth != x->row_depth)
			return;
		x->row_depth = 0;
		if (x->ncell == 0)
			return;
		for (size_t k = 0; k < x->ncell; k++)
			x->cells[k] = x->rb + x->off[k];
		int rc = x->fn(x->ctx, x->row, x->cells, x->ncell);
		if (rc != 0)
			halt(x, rc);
		return;
	}
	if (strcmp(el, "sheetData") == 0)
		x->in_data = false;
}

static void sh_text(xr *x, const char *s, int len)
{
	if (!x->in_v && !x->in_t)
		return;
	if ((size_t)len > XF_TABLE_MAX_CELL - x->clen) {
		report(x, "单元格超过 %d 字节 (cell longer than %d bytes)",
		       XF_TABLE_MAX_CELL, XF_TABLE_MAX_CELL);
		halt(x, -1);
		return;
	}
	memcpy(x->cell + x->clen, s, (size_t)len);
	x->clen += (size_t)len;
}

static const handlers sh_handlers = { sh_start, sh_end, sh_text };

/* ---- the reader ---- */

static void limits_resolve(xf_xlsx_limits *out, const xf_xlsx_limits *in)
{
	xf_xlsx_limits d = {
		.sheet_bytes = 256ull * MIB,
		.sst_bytes = 256ull * MIB,
		.meta_bytes = 16ull * MIB,
		.strings = 5000000,
		.string_bytes = 256ull * MIB,
		.depth = 64,
		.rows = XF_TABLE_MAX_ROWS,
	};
	if (in != NULL) {
		if (in->sheet_bytes)
			d.sheet_bytes = in->sheet_bytes;
		if (in->sst_bytes)
			d.sst_bytes = in->sst_bytes;
		if (in->meta_bytes)
			d.meta_bytes = in->meta_bytes;
		if (in->strings)
			d.strings = in->strings;
		if (in->string_bytes)
			d.string_bytes = in->string_bytes;
		if (in->depth)
			d.depth = in->depth;
		if (in->rows && in->rows < d.rows)
			d.rows = in->rows;
	}
	*out = d;
}

static void xr_cleanup(xr *x)
{
	if (x->za != NULL)
		zip_discard(x->za);
	rels_clear(x);
	free(x->rels);
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	free(x->sheets);
	free(x->fmtids);
	free(x->cfmt_id);
	free(x->cfmt_kind);
	free(x->xfkind);
	free(x->arena);
	free(x->soff);
	free(x->cell);
	free(x->rb);
	free(x);
}

/* Opens the archive and reads the workbook part: x->sheets, x->date1904,
 * and *wbpath, the workbook part's path ("xl/workbook.xml"), malloc'd. */
static int open_workbook(xr *x, const char *data, size_t len, char **wbpath)
{
	static const unsigned char cfb[8] = { 0xD0, 0xCF, 0x11, 0xE0,
					      0xA1, 0xB1, 0x1A, 0xE1 };
	zip_error_t ze;
	zip_source_t *src;
	int rc;

	*wbpath = NULL;
	if (len >= 8 && memcmp(data, cfb, 8) == 0) {
		report(x, "不是有效的 XLSX 文件：加密的工作簿或旧版 .xls "
		       "(not a valid XLSX file: encrypted workbook or legacy "
		       ".xls)");
		return -1;
	}
	zip_error_init(&ze);
	src = zip_source_buffer_create(len ? data : "", len, 0, &ze);
	if (src == NULL) {
		zip_error_fini(&ze);
		report_oom(x);
		return -1;
	}
	x->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (x->za == NULL) {
		report(x, "不是有效的 XLSX 文件 (not a valid XLSX file: %s)",
		       zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	if (zip_get_num_entries(x->za, 0) <= 0) {
		report(x, "不是有效的 XLSX 文件 (not a valid XLSX file: empty "
		       "archive)");
		return -1;
	}

	rc = parse_entry(x, "_rels/.rels", x->lim.meta_bytes, false,
			 &rels_handlers);
	if (rc < 0)
		return -1;
	const char *t = rc == 0 ? rel_find(x, NULL, "/officeDocument") : NULL;
	char *wb = resolve_path("", t ? t : "xl/workbook.xml");
	rels_clear(x);
	if (wb == NULL) {
		report(x, "不是有效的 XLSX 文件 (not a valid XLSX file: bad "
		       "workbook path)");
		return -1;
	}
	rc = parse_entry(x, wb, x->lim.meta_bytes, true, &wb_handlers);
	x->entry = NULL;
	if (rc != 0) {
		free(wb);
		return -1;
	}
	*wbpath = wb;
	return 0;
}

static xr *xr_new(const char *name, xf_errs *errs, const xf_xlsx_limits *lim)
{
	xr *x = calloc(1, sizeof(*x));
	if (x == NULL) {
		xf_errs_add(errs, "%s%s内存不足 (out of memory)",
			    name ? name : "", name ? ": " : "");
		return NULL;
	}
	x->name = name;
	x->errs = errs;
	limits_resolve(&x->lim, lim);
	x->prev_col = -1;
	x->col = -1;
	return x;
}

/* Parses the part named by the workbook relationship of type suffix, if
 * there is one. Returns 0 (also when absent) or non-zero. */
static int parse_related(xr *x, const char *wbdir, const char *suffix,
			 uint64_t cap, const handlers *h)
{
	const char *t = rel_find(x, NULL, suffix);
	if (t == NULL)
		return 0;
	char *path = resolve_path(wbdir, t);
	if (path == NULL) {
		report(x, "不是有效的 XLSX 文件 (not a valid XLSX file: bad "
		       "part path %.100s)", t);
		return -1;
	}
	int rc = parse_entry(x, path, cap, false, h);
	free(path);
	x->entry = NULL;
	return rc == 1 ? 0 : rc;
}

int xf_xlsx_read_limits(const char *data, size_t len, const char *name,
			int sheet, xf_row_fn fn, void *ctx, xf_errs *errs,
			const xf_xlsx_limits *lim)
{
	char *wbpath = NULL, *wbdir = NULL, *path = NULL;
	int rc = -1;
	xr *x = xr_new(name, errs, lim);
	if (x == NULL)
		return -1;
	x->fn = fn;
	x->ctx = ctx;
	if (open_workbook(x, data, len, &wbpath) != 0)
		goto out;
	if (sheet < 0 || (size_t)sheet >= x->nsheets) {
		report(x, "没有第 %d 个工作表，共 %zu 个 (no sheet %d; the "
		       "workbook has %zu)", sheet + 1, x->nsheets, sheet + 1,
		       x->nsheets);
		goto out;
	}
	/* the workbook's relationships: DIR/_rels/FILE.rels */
	const char *base = strrchr(wbpath, '/');
	size_t dl = base ? (size_t)(base - wbpath) + 1 : 0;
	base = wbpath + dl;
	wbdir = strdup(wbpath);
	path = malloc(strlen(wbpath) + sizeof("_rels/.rels"));
	if (wbdir == NULL || path == NULL) {
		report_oom(x);
		goto out;
	}
	wbdir[dl] = '\0';
	sprintf(path, "%s_rels/%s.rels", wbdir, base);
	if (parse_entry(x, path, x->lim.meta_bytes, true, &rels_handlers) !=
	    0)
		goto out;
	x->entry = NULL;
	const sheet_ent *se = &x->sheets[sheet];
	const rel_ent *rel = NULL;
	for (size_t i = 0; i < x->nrels && rel == NULL; i++)
		if (strcmp(x->rels[i].id, se->rid) == 0)
			rel = &x->rels[i];
	if (rel == NULL) {
		report(x, "工作表 %.200s 找不到对应的文件 (sheet has no "
		       "relationship)", se->name);
		goto out;
	}
	if (!ends_with(rel->type, "/worksheet")) {
		report(x, "工作表 %.200s 不是普通工作表（可能是图表） "
		       "(not a worksheet)", se->name);
		goto out;
	}
	const char *target = rel->target;
	if (parse_related(x, wbdir, "/styles", x->lim.meta_bytes,
			  &st_handlers) != 0 ||
	    styles_finish(x) != 0 ||
	    parse_related(x, wbdir, "/sharedStrings", x->lim.sst_bytes,
			  &sst_handlers) != 0)
		goto out;

	free(path);
	path = resolve_path(wbdir, target);
	if (path == NULL) {
		report(x, "工作表 %.200s 的路径无效 (bad sheet path)",
		       se->name);
		goto out;
	}
	x->cell = malloc(XF_TABLE_MAX_CELL + 1);
	x->rcap = ROWBUF_MIN;
	x->rb = malloc(x->rcap);
	if (x->cell == NULL || x->rb == NULL) {
		report_oom(x);
		goto out;
	}
	x->rb[0] = '\0';
	x->sheet_name = se->name;
	rc = parse_entry(x, path, x->lim.sheet_bytes, true, &sh_handlers);
out:
	free(path);
	free(wbdir);
	free(wbpath);
	xr_cleanup(x);
	return rc;
}

int xf_xlsx_read(const char *data, size_t len, const char *name, int sheet,
		 xf_row_fn fn, void *ctx, xf_errs *errs)
{
	return xf_xlsx_read_limits(data, len, name, sheet, fn, ctx, errs,
				   NULL);
}

int xf_xlsx_sheets(const char *data, size_t len, const char *name,
		   xf_xlsx_sheet_fn fn, void *ctx, xf_errs *errs)
{
	char *wbpath = NULL;
	int rc = -1;
	xr *x = xr_new(name, errs, NULL);
	if (x == NULL)
		return -1;
	if (open_workbook(x, data, len, &wbpath) != 0)
		goto out;
	rc = (int)x->nsheets;
	for (size_t i = 0; fn != NULL && i < x->nsheets; i++)
		if (fn(ctx, (int)i, x->sheets[i].name) != 0)
			break;
out:
	free(wbpath);
	xr_cleanup(x);
	return rc;
}

int xf_xlsx_sheet_count(const char *data, size_t len, const char *name,
			xf_errs *errs)
{
	return xf_xlsx_sheets(data, len, name, NULL, NULL, errs);
}
