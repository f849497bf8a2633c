/* config: reads the YAML settings file of `xuefen serve` (config.h,
 * docs/configuration.md).
 *
 * Like the policy loader, libfyaml's event parser builds a small tree that
 * keeps each node's line and column; the tree is then checked key by key.
 * Every problem is reported as PATH:LINE:COL: KEY: 中文 (English), and the
 * walk goes on so that one run lists everything wrong. Unknown keys are
 * errors: a misspelt setting must not pass silently. The values are read
 * into a copy, so the caller's settings are unchanged on failure. */
#include "core/utf8.h"
#include "api/config.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"

#define CFG_FILE_MAX ((size_t)1 << 20) /* a settings file is small */
#define CFG_MAX_DEPTH 16
#define CFG_MAX_KIDS 4096
#define PATH_LEN 128
#define KEY_SHOWN 64
#define STR_MAX 4096                  /* longest string value */
#define KIB ((uint64_t)1024)
#define SIZE_MIN_BYTES KIB            /* every size limit: 1 KB ... */
#define SIZE_MAX_BYTES (KIB * KIB * KIB) /* ... to 1 GB (bodies are held in memory) */

/* ---- The YAML tree ---------------------------------------------------- */

typedef enum yn_type { YN_SCALAR, YN_SEQ, YN_MAP } yn_type;

typedef struct ynode {
	yn_type type;
	bool plain;          /* plain scalar: may be a number, bool or null */
	int line, col;       /* 1-based */
	char *str;           /* YN_SCALAR: text, NUL-terminated */
	size_t len;
	struct ynode **kids; /* SEQ: items; MAP: key, value, key, value... */
	int nkids, cap;
} ynode;

typedef struct ld {
	const char *name;
	xf_errs *errs;
	int nerr;
	char path[PATH_LEN];
	size_t plen;
	int line, col;       /* last position seen while building the tree */
} ld;

static void yn_free(ynode *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->nkids; i++)
		yn_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static void ld_at(ld *l, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void ld_at(ld *l, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xf_errs_add(l->errs, "%s:%d:%d: %s: %s", l->name, line, col,
		    l->plen ? l->path : "(root)", msg);
	l->nerr++;
}

static void ld_err(ld *l, const ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ld_err(ld *l, const ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld_at(l, n->line, n->col, "%s", msg);
}

/* Appends ".key" (or "key") to the key path, control characters replaced;
 * returns the mark to restore with ld_pop. */
static size_t ld_key(ld *l, const char *key)
{
	size_t mark = l->plen;
	if (l->plen > 0 && l->plen + 1 < sizeof(l->path))
		l->path[l->plen++] = '.';
	for (size_t i = 0; key[i] != '\0' && i < KEY_SHOWN &&
			   l->plen + 1 < sizeof(l->path); i++) {
		unsigned char c = (unsigned char)key[i];
		l->path[l->plen++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	l->path[l->plen] = '\0';
	return mark;
}

static void ld_pop(ld *l, size_t mark)
{
	l->plen = mark;
	l->path[mark] = '\0';
}

/* ---- Building the tree from libfyaml events ---------------------------- */

typedef struct ybuild {
	ld *l;
	ynode *stack[CFG_MAX_DEPTH];
	int depth;
	ynode *root;
	int ndocs;
} ybuild;

static void diag_sink(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static ynode *yn_new(ld *l, yn_type type, struct fy_event *e)
{
	const struct fy_mark *m = fy_event_start_mark(e);
	if (m != NULL && m->line >= 0 && m->column >= 0) {
		l->line = m->line + 1;
		l->col = m->column + 1;
	}
	ynode *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		ld_at(l, l->line, l->col, "内存不足 (out of memory)");
		return NULL;
	}
	n->type = type;
	n->line = l->line;
	n->col = l->col;
	return n;
}

/* Hangs n under the open container (or makes it the root); frees it and
 * returns -1 on failure. */
static int build_attach(ybuild *b, ynode *n)
{
	if (b->depth == 0) {
		if (b->root != NULL) {
			yn_free(n);
			return -1;
		}
		b->root = n;
		return 0;
	}
	ynode *p = b->stack[b->depth - 1];
	if (p->nkids >= CFG_MAX_KIDS) {
		ld_err(b->l, n, "条目过多 (too many entries)");
		yn_free(n);
		return -1;
	}
	if (p->nkids == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		ynode **k = realloc(p->kids, (size_t)cap * sizeof(*k));
		if (k == NULL) {
			ld_err(b->l, n, "内存不足 (out of memory)");
			yn_free(n);
			return -1;
		}
		p->kids = k;
		p->cap = cap;
	}
	p->kids[p->nkids++] = n;
	return 0;
}

/* Copies a scalar's text (escapes resolved) through the token iterator:
 * in libfyaml 0.7.12 fy_token_get_text() leaks for some quoted scalars.
 * 0, or -1 out of memory, -2 unreadable text. */
static int token_text(struct fy_token *t, char **out, size_t *outlen)
{
	struct fy_token_iter *it = fy_token_iter_create(t);
	if (it == NULL)
		return -1;
	size_t len = 0, cap = 64;
	char *buf = malloc(cap);
	const struct fy_iter_chunk *c = NULL;
	int err = 0;
	while (buf != NULL) {
		c = fy_token_iter_chunk_next(it, c, &err);
		if (c == NULL)
			break;
		if (c->len >= cap - len) {
			size_t want = len + c->len + 1;
			cap = want > cap * 2 ? want : cap * 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		memcpy(buf + len, c->str, c->len);
		len += c->len;
	}
	fy_token_iter_destroy(it);
	if (buf == NULL)
		return -1;
	if (err != 0) {
		free(buf);
		return -2;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static void tag_err(ld *l, struct fy_token *tag, const ynode *n)
{
	const struct fy_mark *m = fy_token_start_mark(tag);
	bool ok = m != NULL && m->line >= 0 && m->column >= 0;
	ld_at(l, ok ? m->line + 1 : n->line, ok ? m->column + 1 : n->col,
	      "不支持 YAML 标签 (YAML tags are not supported)");
}

static int build_scalar(ybuild *b, struct fy_event *e)
{
	ynode *n = yn_new(b->l, YN_SCALAR, e);
	if (n == NULL)
		return -1;
	if (e->scalar.tag != NULL) {
		tag_err(b->l, e->scalar.tag, n);
		yn_free(n);
		return -1;
	}
	int rc = token_text(e->scalar.value, &n->str, &n->len);
	if (rc != 0) {
		ld_err(b->l, n, rc == -1 ? "内存不足 (out of memory)"
					 : "YAML 语法错误 (YAML syntax error)");
		yn_free(n);
		return -1;
	}
	enum fy_scalar_style style = fy_token_scalar_style(e->scalar.value);
	n->plain = style == FYSS_PLAIN;
	/* libfyaml marks a quoted scalar at its text; point at the quote. */
	if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) && n->col > 1)
		n->col--;
	if (memchr(n->str, '\0', n->len) != NULL) {
		ld_err(b->l, n, "含有 NUL 字符 (contains a NUL character)");
		yn_free(n);
		return -1;
	}
	return build_attach(b, n);
}

static int build_open(ybuild *b, struct fy_event *e, yn_type type)
{
	struct fy_token *tag = type == YN_MAP ? e->mapping_start.tag
					      : e->sequence_start.tag;
	ynode *n = yn_new(b->l, type, e);
	if (n == NULL)
		return -1;
	if (tag != NULL) {
		tag_err(b->l, tag, n);
		yn_free(n);
		return -1;
	}
	if (b->depth >= CFG_MAX_DEPTH) {
		ld_err(b->l, n, "嵌套过深 (nested too deeply)");
		yn_free(n);
		return -1;
	}
	if (build_attach(b, n) != 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

static int build_event(ybuild *b, struct fy_event *e)
{
	const struct fy_mark *m;
	switch (e->type) {
	case FYET_DOCUMENT_START:
		if (++b->ndocs > 1) {
			m = fy_event_start_mark(e);
			ld_at(b->l, m ? m->line + 1 : b->l->line, m ? m->column + 1 : b->l->col,
			      "只能有一个 YAML 文档 (only one YAML document is allowed)");
			return -1;
		}
		return 0;
	case FYET_SCALAR:
		return build_scalar(b, e);
	case FYET_ALIAS:
		/* The mark is at the anchor's name, just after the '*'. */
		m = fy_event_start_mark(e);
		ld_at(b->l, m ? m->line + 1 : b->l->line,
		      m ? (m->column > 0 ? m->column : 1) : b->l->col,
		      "不支持 YAML 别名 (YAML aliases are not supported)");
		return -1;
	case FYET_MAPPING_START:
		return build_open(b, e, YN_MAP);
	case FYET_SEQUENCE_START:
		return build_open(b, e, YN_SEQ);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

static void report_diag(ld *l, struct fy_diag *diag)
{
	int n = 0;
	void *iter = NULL;
	for (;;) {
		struct fy_diag_error *de = fy_diag_errors_iterate(diag, &iter);
		if (de == NULL)
			break;
		if (de->type < FYET_ERROR)
			continue;
		ld_at(l, de->line > 0 ? de->line : l->line, de->column > 0 ? de->column : l->col,
		      "YAML 语法错误 (YAML syntax error: %s)", de->msg ? de->msg : "?");
		n++;
	}
	if (n == 0)
		ld_at(l, l->line, l->col, "YAML 语法错误 (YAML syntax error)");
}


/* Refuses text that is not UTF-8 or holds a tab or a NUL: YAML forbids tab
 * indentation, and libfyaml 0.7.12 loops forever on some invalid bytes and
 * crashes on some tabs. */
static int check_text(ld *l, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		size_t k = xf_utf8_char_len(s + i, len - i);
		if (k == 0) {
			ld_at(l, line, col, "不是有效的 UTF-8 文本 (not valid UTF-8 text)");
			return -1;
		}
		if (s[i] == '\t') {
			ld_at(l, line, col, "不能使用制表符 Tab，请用空格 (tab characters "
			      "are not allowed; use spaces)");
			return -1;
		}
		if (s[i] == '\0') {
			ld_at(l, line, col, "含有 NUL 字符 (contains a NUL character)");
			return -1;
		}
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += k;
	}
	return 0;
}

static bool yn_is_null(const ynode *n)
{
	if (n->type != YN_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

/* Parses text (NUL-terminated at len) into a tree: 0 with *root (NULL for
 * an empty document), or -1 with messages. */
static int yaml_load(ld *l, const char *text, size_t len, ynode **root)
{
	ybuild b;
	memset(&b, 0, sizeof(b));
	b.l = l;
	l->line = 1;
	l->col = 1;
	*root = NULL;
	if (check_text(l, text, len) != 0)
		return -1;

	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_sink;
	dcfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (diag == NULL) {
		ld_at(l, 1, 1, "内存不足 (out of memory)");
		return -1;
	}
	fy_diag_set_collect_errors(diag, true);
	struct fy_parse_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = diag;
	struct fy_parser *fyp = fy_parser_create(&cfg);
	bool failed = fyp == NULL || fy_parser_set_string(fyp, text, len) != 0;
	if (failed)
		ld_at(l, 1, 1, "内存不足 (out of memory)");
	while (!failed) {
		struct fy_event *e = fy_parser_parse(fyp);
		if (e == NULL)
			break;
		failed = build_event(&b, e) != 0;
		fy_parser_event_free(fyp, e);
	}
	if (!failed && fy_parser_get_stream_error(fyp)) {
		report_diag(l, diag);
		failed = true;
	}
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	if (failed) {
		yn_free(b.root);
		return -1;
	}
	if (b.root != NULL && yn_is_null(b.root)) {
		yn_free(b.root);
		b.root = NULL;
	}
	*root = b.root;
	return 0;
}

/* ---- Reading values ----------------------------------------------------- */

/* Checks that n is a mapping with string keys, each among keys
 * (NULL-terminated) and given once. Reports every problem; false when n is
 * not a mapping. */
static bool ld_map(ld *l, const ynode *n, const char *const *keys)
{
	if (n->type != YN_MAP) {
		ld_err(l, n, "应为映射 (expected a mapping)");
		return false;
	}
	for (int i = 0; i + 1 < n->nkids; i += 2) {
		const ynode *k = n->kids[i];
		if (k->type != YN_SCALAR) {
			ld_err(l, k, "键应为字符串 (a key must be a string)");
			continue;
		}
		size_t mark = ld_key(l, k->str);
		bool known = false;
		for (int j = 0; keys[j] != NULL; j++)
			known = known || strcmp(keys[j], k->str) == 0;
		if (!known) {
			char list[256];
			size_t used = 0;
			list[0] = '\0';
			for (int j = 0; keys[j] != NULL && used + 1 < sizeof(list); j++) {
				int w = snprintf(list + used, sizeof(list) - used, "%s%s",
						 j ? ", " : "", keys[j]);
				if (w < 0)
					break;
				used += (size_t)w;
			}
			ld_err(l, k, "未知的设置项 (unknown key; expected one of: %s)", list);
		} else {
			for (int j = 0; j < i; j += 2) {
				const ynode *p = n->kids[j];
				if (p->type == YN_SCALAR && strcmp(p->str, k->str) == 0) {
					ld_err(l, k, "重复的设置项 (duplicate key)");
					break;
				}
			}
		}
		ld_pop(l, mark);
	}
	return true;
}

/* The value of key in mapping m (first occurrence), or NULL. */
static const ynode *yn_get(const ynode *m, const char *key)
{
	for (int i = 0; i + 1 < m->nkids; i += 2) {
		const ynode *k = m->kids[i];
		if (k->type == YN_SCALAR && strcmp(k->str, key) == 0)
			return m->kids[i + 1];
	}
	return NULL;
}

/* The getters read m[key] into *out: 1 when read, 0 when absent (*out
 * untouched), -1 when wrong (reported). */

static int get_str(ld *l, const ynode *m, const char *key, char **out)
{
	const ynode *v = yn_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = ld_key(l, key);
	int rc = -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		ld_err(l, v, "应为非空字符串 (expected a non-empty string)");
		goto out;
	}
	if (v->len > STR_MAX) {
		ld_err(l, v, "过长，最多 %d 字节 (too long, at most %d bytes)", STR_MAX, STR_MAX);
		goto out;
	}
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->str[i];
		if (c < 0x20 || c == 0x7f) {
			ld_err(l, v, "不能含有控制字符 (must not contain control characters)");
			goto out;
		}
	}
	char *s = strdup(v->str);
	if (s == NULL) {
		ld_err(l, v, "内存不足 (out of memory)");
		goto out;
	}
	free(*out);
	*out = s;
	rc = 1;
out:
	ld_pop(l, mark);
	return rc;
}

static int get_bool(ld *l, const ynode *m, const char *key, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	const ynode *v = yn_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = ld_key(l, key);
	int rc = -1;
	for (int i = 0; v->type == YN_SCALAR && v->plain && i < 3; i++) {
		if (strcmp(v->str, yes[i]) == 0) {
			*out = true;
			rc = 1;
		} else if (strcmp(v->str, no[i]) == 0) {
			*out = false;
			rc = 1;
		}
	}
	if (rc != 1)
		ld_err(l, v, "应为 true 或 false (expected true or false)");
	ld_pop(l, mark);
	return rc;
}

/* Reads the leading digits of s as a number no larger than max: the end
 * of the digits, or NULL when there are none or the value is larger. */
static const char *digits(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (d > max || v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

static int get_int(ld *l, const ynode *m, const char *key, int lo, int hi, int *out)
{
	const ynode *v = yn_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = ld_key(l, key);
	uint64_t n = 0;
	const char *end = v->type == YN_SCALAR && v->plain
				  ? digits(v->str, (uint64_t)hi, &n) : NULL;
	int rc = 1;
	if (end == NULL || *end != '\0' || n < (uint64_t)lo || n > (uint64_t)hi) {
		ld_err(l, v, "应为 %d 到 %d 之间的整数 (expected a whole number from "
		       "%d to %d)", lo, hi, lo, hi);
		rc = -1;
	} else {
		*out = (int)n;
	}
	ld_pop(l, mark);
	return rc;
}

/* A size: a number of bytes, or a number followed by KB, MB or GB
 * (1024-based; "K"/"M"/"G", "KiB"... and lower case accepted), from 1 KB
 * to 1 GB. */
static int get_size(ld *l, const ynode *m, const char *key, size_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{"", 1},
		{"b", 1},
		{"k", KIB}, {"kb", KIB}, {"kib", KIB},
		{"m", KIB * KIB}, {"mb", KIB * KIB}, {"mib", KIB * KIB},
		{"g", KIB * KIB * KIB}, {"gb", KIB * KIB * KIB}, {"gib", KIB * KIB * KIB},
	};
	const ynode *v = yn_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = ld_key(l, key);
	int rc = -1;
	uint64_t n = 0;
	const char *end = v->type == YN_SCALAR ? digits(v->str, (uint64_t)1 << 50, &n) : NULL;
	if (end != NULL && *end == ' ')
		end++;
	uint64_t mul = 0;
	for (size_t i = 0; end != NULL && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			mul = units[i].mul;
	if (end == NULL || mul == 0) {
		ld_err(l, v, "应为大小，如 1048576、512KB、20MB 或 1GB (expected a size "
		       "such as 1048576, 512KB, 20MB or 1GB)");
		goto out;
	}
	if (n > SIZE_MAX_BYTES / mul || n * mul < SIZE_MIN_BYTES ||
	    n * mul > SIZE_MAX_BYTES) {
		ld_err(l, v, "应在 1KB 到 1GB 之间 (expected a size from 1KB to 1GB)");
		goto out;
	}
	*out = (size_t)(n * mul);
	rc = 1;
out:
	ld_pop(l, mark);
	return rc;
}

/* The mapping under key, checked against keys; NULL when absent or wrong. */
static const ynode *get_section(ld *l, const ynode *m, const char *key,
				const char *const *keys)
{
	const ynode *v = yn_get(m, key);
	if (v == NULL)
		return NULL;
	size_t mark = ld_key(l, key);
	bool ok = ld_map(l, v, keys);
	ld_pop(l, mark);
	return ok ? v : NULL;
}

/* ---- The settings ------------------------------------------------------ */

static void load_root(ld *l, const ynode *root, xf_config *c)
{
	static const char *const top[] = {
		"listen", "db", "threads", "web_root", "tls", "secure_cookies", "limits",
		"session", "login", "password", NULL,
	};
	static const char *const tls[] = {"cert", "key", NULL};
	static const char *const limits[] = {"json_body", "upload", "import", NULL};
	static const char *const session[] = {"idle_minutes", "absolute_hours", NULL};
	static const char *const login[] = {"max_failures", "lock_minutes", NULL};
	static const char *const password[] = {"min_length", "min_classes", NULL};

	if (!ld_map(l, root, top))
		return;
	get_str(l, root, "listen", &c->listen);
	get_str(l, root, "db", &c->db);
	get_int(l, root, "threads", 0, 256, &c->threads);
	get_str(l, root, "web_root", &c->web_root);
	get_bool(l, root, "secure_cookies", &c->secure_cookies);

	const ynode *s = get_section(l, root, "tls", tls);
	if (s != NULL) {
		size_t mark = ld_key(l, "tls");
		int rc1 = get_str(l, s, "cert", &c->tls_cert);
		int rc2 = get_str(l, s, "key", &c->tls_key);
		if ((rc1 == 0) != (rc2 == 0) && rc1 >= 0 && rc2 >= 0)
			ld_err(l, s, "cert 和 key 必须同时设置 (cert and key must both be set)");
		ld_pop(l, mark);
	}

	s = get_section(l, root, "limits", limits);
	if (s != NULL) {
		size_t mark = ld_key(l, "limits");
		get_size(l, s, "json_body", &c->json_body_max);
		get_size(l, s, "upload", &c->upload_max);
		get_size(l, s, "import", &c->import_max);
		ld_pop(l, mark);
	}

	int minutes, hours;
	s = get_section(l, root, "session", session);
	if (s != NULL) {
		size_t mark = ld_key(l, "session");
		if (get_int(l, s, "idle_minutes", 1, 7 * 24 * 60, &minutes) == 1)
			c->session_idle_s = minutes * 60;
		if (get_int(l, s, "absolute_hours", 1, 30 * 24, &hours) == 1)
			c->session_absolute_s = hours * 3600;
		ld_pop(l, mark);
	}

	s = get_section(l, root, "login", login);
	if (s != NULL) {
		size_t mark = ld_key(l, "login");
		get_int(l, s, "max_failures", 1, 1000, &c->login_max_failures);
		if (get_int(l, s, "lock_minutes", 1, 7 * 24 * 60, &minutes) == 1)
			c->login_lock_s = minutes * 60;
		ld_pop(l, mark);
	}

	s = get_section(l, root, "password", password);
	if (s != NULL) {
		size_t mark = ld_key(l, "password");
		get_int(l, s, "min_length", 6, 128, &c->password_min_length);
		get_int(l, s, "min_classes", 1, 4, &c->password_min_classes);
		ld_pop(l, mark);
	}
	if (c->session_idle_s > c->session_absolute_s)
		ld_at(l, root->line, root->col, "session.idle_minutes 不能超过 "
		      "session.absolute_hours (the idle timeout must not exceed the "
		      "absolute one)");
}

/* ---- Public functions -------------------------------------------------- */

void xf_config_defaults(xf_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = strdup("127.0.0.1:8080");
	c->threads = 0;
	c->json_body_max = (size_t)1 << 20;
	c->upload_max = (size_t)20 << 20;
	c->import_max = (size_t)50 << 20;
	c->session_idle_s = 30 * 60;
	c->session_absolute_s = 12 * 3600;
	c->login_max_failures = 5;
	c->login_lock_s = 15 * 60;
	c->password_min_length = 8;
	c->password_min_classes = 3;
}

static char *dup_or_null(const char *s, bool *oom)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		*oom = true;
	return d;
}

int xf_config_load(xf_config *c, const char *path, xf_errs *errs)
{
	ld l;
	memset(&l, 0, sizeof(l));
	l.name = path;
	l.errs = errs;
	char *text = NULL;
	size_t len = 0;
	ynode *root = NULL;
	bool oom = false;

	/* Read into a copy: c stays as it was on failure. */
	xf_config n = *c;
	n.listen = dup_or_null(c->listen, &oom);
	n.db = dup_or_null(c->db, &oom);
	n.web_root = dup_or_null(c->web_root, &oom);
	n.tls_cert = dup_or_null(c->tls_cert, &oom);
	n.tls_key = dup_or_null(c->tls_key, &oom);
	if (oom) {
		xf_errs_add(errs, "%s: 内存不足 (out of memory)", path);
		goto fail;
	}
	if (xf_file_read(path, CFG_FILE_MAX, &text, &len, errs) != 0)
		goto fail;
	if (yaml_load(&l, text, len, &root) != 0)
		goto fail;
	if (root != NULL)
		load_root(&l, root, &n);
	if (l.nerr > 0)
		goto fail;
	yn_free(root);
	free(text);
	xf_config_cleanup(c);
	*c = n;
	return 0;

fail:
	yn_free(root);
	free(text);
	xf_config_cleanup(&n);
	return -1;
}

void xf_config_cleanup(xf_config *c)
{
	free(c->listen);
	free(c->db);
	free(c->web_root);
	free(c->tls_cert);
	free(c->tls_key);
	c->listen = c->db = c->web_root = c->tls_cert = c->tls_key = NULL;
}
