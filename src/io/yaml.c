/* yaml: the YAML tree reader shared by the policy and settings loaders
 * (yaml.h), with the workarounds for libfyaml 0.7.12's faults. */
#include "io/yaml.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define MSG_MAX 640    /* one message's text */
#define LIST_MAX 400   /* a key list quoted in a message */

static const char *key_word(const xf_yaml_ctx *y)
{
	return y->opts.key_word ? y->opts.key_word : "键";
}

/* ---- Messages and key paths ------------------------------------------- */

static void vat(xf_yaml_ctx *y, int line, int col, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vat(xf_yaml_ctx *y, int line, int col, const char *fmt, va_list ap)
{
	char msg[MSG_MAX];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	xf_errs_add(y->errs, "%s:%d:%d: %s: %s", y->name, line, col,
		    y->plen ? y->path : "(root)", msg);
	y->nerr++;
}

void xf_yaml_at(xf_yaml_ctx *y, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vat(y, line, col, fmt, ap);
	va_end(ap);
}

void xf_yaml_err(xf_yaml_ctx *y, const xf_yaml_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vat(y, n ? n->line : 1, n ? n->col : 1, fmt, ap);
	va_end(ap);
}

void xf_yaml_oom(xf_yaml_ctx *y, const xf_yaml_node *n)
{
	xf_yaml_err(y, n, "内存不足 (out of memory)");
}

size_t xf_yaml_push(xf_yaml_ctx *y, const char *fmt, ...)
{
	size_t mark = y->plen;
	size_t room = sizeof(y->path) - y->plen;
	if (room <= 1)
		return mark;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(y->path + y->plen, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		y->plen += (size_t)k < room ? (size_t)k : room - 1;
	return mark;
}

size_t xf_yaml_key(xf_yaml_ctx *y, const char *key)
{
	char k[XF_YAML_KEY_SHOWN + 1];
	size_t i = 0;
	for (; key[i] != '\0' && i < XF_YAML_KEY_SHOWN; i++) {
		unsigned char c = (unsigned char)key[i];
		k[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	k[i] = '\0';
	return xf_yaml_push(y, y->plen ? ".%s" : "%s", k);
}

size_t xf_yaml_idx(xf_yaml_ctx *y, int i)
{
	return xf_yaml_push(y, "[%d]", i);
}

void xf_yaml_pop(xf_yaml_ctx *y, size_t mark)
{
	y->plen = mark;
	y->path[mark] = '\0';
}

void xf_yaml_init(xf_yaml_ctx *y, const char *name, xf_errs *errs,
		  const xf_yaml_opts *opts)
{
	memset(y, 0, sizeof(*y));
	y->name = name;
	y->errs = errs;
	y->line = 1;
	y->col = 1;
	if (opts != NULL)
		y->opts = *opts;
	if (y->opts.max_depth <= 0 || y->opts.max_depth > XF_YAML_MAX_DEPTH)
		y->opts.max_depth = XF_YAML_MAX_DEPTH;
	if (y->opts.max_entries <= 0)
		y->opts.max_entries = XF_YAML_MAX_ENTRIES;
}

/* ---- The tree ------------------------------------------------------------ */

void xf_yaml_free(xf_yaml_node *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->nkids; i++)
		xf_yaml_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

bool xf_yaml_is_null(const xf_yaml_node *n)
{
	if (n->type != XF_YAML_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 ||
	       strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	       strcmp(n->str, "NULL") == 0;
}

const xf_yaml_node *xf_yaml_get(const xf_yaml_node *m, const char *key)
{
	if (m == NULL || m->type != XF_YAML_MAP)
		return NULL;
	for (int i = 0; i + 1 < m->nkids; i += 2) {
		const xf_yaml_node *k = m->kids[i];
		if (k->type == XF_YAML_SCALAR && strcmp(k->str, key) == 0)
			return m->kids[i + 1];
	}
	return NULL;
}

/* ---- Building the tree from libfyaml events ------------------------------ */

typedef struct ybuild {
	xf_yaml_ctx *y;
	xf_yaml_node *stack[XF_YAML_MAX_DEPTH];
	int depth;
	xf_yaml_node *root;
	int ndocs;
} ybuild;

/* libfyaml's diagnostics are collected (report_diag), never printed. */
static void diag_sink(struct fy_diag *diag, void *user, const char *buf,
		      size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* A new node at the event's start (or the last position seen); reports
 * and returns NULL when memory runs out. */
static xf_yaml_node *node_new(xf_yaml_ctx *y, xf_yaml_type type,
			      struct fy_event *e)
{
	const struct fy_mark *m = fy_event_start_mark(e);
	if (m != NULL && m->line >= 0 && m->column >= 0) {
		y->line = m->line + 1;
		y->col = m->column + 1;
	}
	xf_yaml_node *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		xf_yaml_at(y, y->line, y->col, "内存不足 (out of memory)");
		return NULL;
	}
	n->type = type;
	n->line = y->line;
	n->col = y->col;
	return n;
}

/* Reports at n that a container is nested too deeply (deep) or has too
 * many entries: in the loader's words, or in ours naming the limit. */
static void limit_err(xf_yaml_ctx *y, const xf_yaml_node *n, bool deep)
{
	const xf_yaml_opts *o = &y->opts;
	if (deep && o->too_deep != NULL)
		xf_yaml_err(y, n, "%s", o->too_deep);
	else if (deep)
		xf_yaml_err(y, n, "嵌套超过 %d 层 (nested deeper than %d levels)",
			    o->max_depth, o->max_depth);
	else if (o->too_many != NULL)
		xf_yaml_err(y, n, "%s", o->too_many);
	else
		xf_yaml_err(y, n, "条目过多，最多 %d 个 (too many entries, at "
			    "most %d)", o->max_entries, o->max_entries);
}

static int node_add(xf_yaml_ctx *y, xf_yaml_node *parent, xf_yaml_node *kid)
{
	if (parent->nkids >= y->opts.max_entries) {
		limit_err(y, kid, false);
		return -1;
	}
	if (parent->nkids == parent->cap) {
		int cap = parent->cap ? parent->cap * 2 : 4;
		xf_yaml_node **k = realloc(parent->kids, (size_t)cap * sizeof(*k));
		if (k == NULL) {
			xf_yaml_oom(y, kid);
			return -1;
		}
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
	return 0;
}

/* Hangs n under the open container (or makes it the root); frees it and
 * returns -1 on failure. */
static int build_attach(ybuild *b, xf_yaml_node *n)
{
	if (b->depth == 0) {
		if (b->root != NULL) {
			xf_yaml_free(n);
			return -1;
		}
		b->root = n;
		return 0;
	}
	if (node_add(b->y, b->stack[b->depth - 1], n) != 0) {
		xf_yaml_free(n);
		return -1;
	}
	return 0;
}

/* Copies a scalar token's text (escapes resolved) into a new
 * NUL-terminated buffer: 0, or -1 out of memory, -2 unreadable text.
 * Reads it through the token iterator: in libfyaml 0.7.12
 * fy_token_get_text() leaks its buffer for some quoted scalars. */
static int token_text(struct fy_token *t, char **out, size_t *outlen)
{
	struct fy_token_iter *it = fy_token_iter_create(t);
	if (it == NULL)
		return -1;
	char *buf = malloc(64);
	size_t len = 0, cap = 64;
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

static void tag_err(xf_yaml_ctx *y, struct fy_token *tag, const xf_yaml_node *n)
{
	const struct fy_mark *m = fy_token_start_mark(tag);
	bool ok = m != NULL && m->line >= 0 && m->column >= 0;
	xf_yaml_at(y, ok ? m->line + 1 : n->line, ok ? m->column + 1 : n->col,
		   "不支持 YAML 标签 (YAML tags are not supported)");
}

static int build_scalar(ybuild *b, struct fy_event *e)
{
	xf_yaml_node *n = node_new(b->y, XF_YAML_SCALAR, e);
	if (n == NULL)
		return -1;
	if (e->scalar.tag != NULL) {
		tag_err(b->y, e->scalar.tag, n);
		xf_yaml_free(n);
		return -1;
	}
	int rc = token_text(e->scalar.value, &n->str, &n->len);
	if (rc != 0) {
		if (rc == -1)
			xf_yaml_oom(b->y, n);
		else
			xf_yaml_err(b->y, n, "YAML 语法错误 (YAML syntax error)");
		xf_yaml_free(n);
		return -1;
	}
	enum fy_scalar_style style = fy_token_scalar_style(e->scalar.value);
	n->plain = style == FYSS_PLAIN;
	/* libfyaml marks a quoted scalar at its text; point at the quote. */
	if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) &&
	    n->col > 1)
		n->col--;
	if (memchr(n->str, '\0', n->len) != NULL) {
		xf_yaml_err(b->y, n, "含有 NUL 字符 (contains a NUL character)");
		xf_yaml_free(n);
		return -1;
	}
	return build_attach(b, n);
}

static int build_open(ybuild *b, struct fy_event *e, xf_yaml_type type)
{
	xf_yaml_ctx *y = b->y;
	struct fy_token *tag = type == XF_YAML_MAP ? e->mapping_start.tag
						   : e->sequence_start.tag;
	xf_yaml_node *n = node_new(y, type, e);
	if (n == NULL)
		return -1;
	if (tag != NULL) {
		tag_err(y, tag, n);
		xf_yaml_free(n);
		return -1;
	}
	if (b->depth >= y->opts.max_depth) {
		limit_err(y, n, true);
		xf_yaml_free(n);
		return -1;
	}
	if (build_attach(b, n) != 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

static int build_event(ybuild *b, struct fy_event *e)
{
	xf_yaml_ctx *y = b->y;
	const struct fy_mark *m;
	switch (e->type) {
	case FYET_DOCUMENT_START:
		if (++b->ndocs > 1) {
			m = fy_event_start_mark(e);
			xf_yaml_at(y, m ? m->line + 1 : y->line,
				   m ? m->column + 1 : y->col,
				   "只能有一个 YAML 文档 (only one YAML document "
				   "is allowed)");
			return -1;
		}
		return 0;
	case FYET_SCALAR:
		return build_scalar(b, e);
	case FYET_ALIAS:
		/* The mark is at the anchor's name, just after the '*'. */
		m = fy_event_start_mark(e);
		xf_yaml_at(y, m ? m->line + 1 : y->line,
			   m ? (m->column > 0 ? m->column : 1) : y->col,
			   "不支持 YAML 别名 (YAML aliases are not supported)");
		return -1;
	case FYET_MAPPING_START:
		return build_open(b, e, XF_YAML_MAP);
	case FYET_SEQUENCE_START:
		return build_open(b, e, XF_YAML_SEQ);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

/* Turns libfyaml's collected diagnostics into our messages. */
static void report_diag(xf_yaml_ctx *y, struct fy_diag *diag)
{
	int n = 0;
	void *iter = NULL;
	for (;;) {
		struct fy_diag_error *de = fy_diag_errors_iterate(diag, &iter);
		if (de == NULL)
			break;
		if (de->type < FYET_ERROR)
			continue;
		xf_yaml_at(y, de->line > 0 ? de->line : y->line,
			   de->column > 0 ? de->column : y->col,
			   "YAML 语法错误 (YAML syntax error: %s)",
			   de->msg ? de->msg : "?");
		n++;
	}
	if (n == 0)
		xf_yaml_at(y, y->line, y->col, "YAML 语法错误 (YAML syntax error)");
}

/* Refuses text that is not UTF-8 (YAML is Unicode text) or that holds a
 * tab (YAML forbids tabs for indentation, and libfyaml 0.7.12 loops
 * forever on some invalid bytes and crashes on some tabs), and a NUL when
 * the loader asks. */
static int check_text(xf_yaml_ctx *y, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		size_t k = xf_utf8_char_len(s + i, len - i);
		if (k == 0) {
			xf_yaml_at(y, line, col, "不是有效的 UTF-8 文本 (not valid "
				   "UTF-8 text)");
			return -1;
		}
		if (s[i] == '\t') {
			xf_yaml_at(y, line, col, "不能使用制表符 Tab，请用空格 "
				   "(tab characters are not allowed; use spaces)");
			return -1;
		}
		if (s[i] == '\0' && y->opts.refuse_nul) {
			xf_yaml_at(y, line, col, "含有 NUL 字符 (contains a NUL "
				   "character)");
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

/* Runs libfyaml's event parser over text (NUL at text[len]) into b. */
static int parse_events(ybuild *b, const char *text, size_t len)
{
	xf_yaml_ctx *y = b->y;
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_sink;
	dcfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (diag == NULL) {
		xf_yaml_at(y, 1, 1, "内存不足 (out of memory)");
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
		xf_yaml_at(y, 1, 1, "内存不足 (out of memory)");
	while (!failed) {
		struct fy_event *e = fy_parser_parse(fyp);
		if (e == NULL)
			break;
		failed = build_event(b, e) != 0;
		fy_parser_event_free(fyp, e);
	}
	if (!failed && fy_parser_get_stream_error(fyp)) {
		report_diag(y, diag);
		failed = true;
	}
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return failed ? -1 : 0;
}

int xf_yaml_parse(xf_yaml_ctx *y, const char *text, size_t len,
		  xf_yaml_node **root)
{
	ybuild b;
	memset(&b, 0, sizeof(b));
	b.y = y;
	y->line = 1;
	y->col = 1;
	*root = NULL;
	/* libfyaml wants a NUL after the text; do not rely on the caller's. */
	char *copy = malloc(len + 1);
	if (copy == NULL) {
		xf_yaml_at(y, 1, 1, "内存不足 (out of memory)");
		return -1;
	}
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	int rc = -1;
	if (check_text(y, copy, len) != 0 || parse_events(&b, copy, len) != 0)
		goto out;
	if (b.root != NULL && xf_yaml_is_null(b.root)) {
		xf_yaml_free(b.root);
		b.root = NULL;
	}
	*root = b.root;
	b.root = NULL;
	rc = 0;
out:
	xf_yaml_free(b.root);
	free(copy);
	return rc;
}

/* ---- Checking and reading ------------------------------------------------ */

static const char *key_name(const char *k)
{
	return k[0] == '*' ? k + 1 : k;
}

int xf_yaml_key_index(const char *const *keys, const char *s)
{
	for (int j = 0; keys[j] != NULL; j++)
		if (strcmp(key_name(keys[j]), s) == 0)
			return j;
	return -1;
}

void xf_yaml_key_list(const char *const *keys, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int j = 0; keys[j] != NULL && used + 1 < size; j++) {
		int k = snprintf(buf + used, size - used, "%s%s",
				 j ? ", " : "", key_name(keys[j]));
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

void xf_yaml_missing(xf_yaml_ctx *y, const xf_yaml_node *n, const char *key)
{
	size_t mark = xf_yaml_key(y, key);
	xf_yaml_err(y, n, "缺少必需的%s (missing required key)", key_word(y));
	xf_yaml_pop(y, mark);
}

bool xf_yaml_map(xf_yaml_ctx *y, const xf_yaml_node *n,
		 const char *const *keys)
{
	if (n->type != XF_YAML_MAP) {
		xf_yaml_err(y, n, "应为映射 (expected a mapping)");
		return false;
	}
	uint32_t seen = 0;
	for (int i = 0; i + 1 < n->nkids; i += 2) {
		const xf_yaml_node *k = n->kids[i];
		if (k->type != XF_YAML_SCALAR) {
			xf_yaml_err(y, k, "键应为字符串 (a key must be a string)");
			continue;
		}
		int j = xf_yaml_key_index(keys, k->str);
		size_t mark = xf_yaml_key(y, k->str);
		if (j < 0) {
			char list[LIST_MAX];
			xf_yaml_key_list(keys, list, sizeof(list));
			xf_yaml_err(y, k, "未知的%s (unknown key; expected one "
				    "of: %s)", key_word(y), list);
		} else if (seen & (1u << j)) {
			xf_yaml_err(y, k, "重复的%s (duplicate key)", key_word(y));
		} else {
			seen |= 1u << j;
		}
		xf_yaml_pop(y, mark);
	}
	for (int j = 0; keys[j] != NULL; j++)
		if (keys[j][0] == '*' && !(seen & (1u << j)))
			xf_yaml_missing(y, n, key_name(keys[j]));
	return true;
}

int xf_yaml_get_bool(xf_yaml_ctx *y, const xf_yaml_node *m, const char *key,
		     bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", NULL};
	static const char *const no[] = {"false", "False", "FALSE", NULL};
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	if (v->type == XF_YAML_SCALAR && v->plain) {
		if (xf_yaml_key_index(yes, v->str) >= 0) {
			*out = true;
			return 1;
		}
		if (xf_yaml_key_index(no, v->str) >= 0) {
			*out = false;
			return 1;
		}
	}
	size_t mark = xf_yaml_key(y, key);
	xf_yaml_err(y, v, "应为 true 或 false (expected true or false)");
	xf_yaml_pop(y, mark);
	return -1;
}
