/* yaml: reads YAML text into a small tree that keeps each node's line and
 * column, and reports problems as NAME:LINE:COL: KEY.PATH: 中文 (English).
 * One reader for the policy files (policy/policy_load.c) and the settings
 * file of `xuefen serve` (api/config.c).
 *
 * libfyaml's event parser does the parsing. Fuzzing found faults in
 * libfyaml 0.7.12 that are worked around here, so every reader of YAML
 * must come through this module:
 * - it loops forever on some invalid UTF-8 and crashes on some tabs, so
 *   text that is not UTF-8 or holds a tab is refused before libfyaml sees
 *   it (YAML forbids tab indentation anyway);
 * - fy_token_get_text() leaks for some quoted scalars, so scalar text is
 *   copied through the token iterator;
 * - it prints diagnostics to stderr, so they are collected and turned into
 *   our messages instead.
 * Tags, aliases (an anchor alone is ignored), a NUL inside a scalar and a
 * second document are refused. Mappings keep their keys in file order,
 * duplicates included: xf_yaml_map reports those.
 *
 * A loader keeps an xf_yaml_ctx: the file name, the message list, the key
 * path of what it is reading (xf_yaml_key/xf_yaml_idx push, xf_yaml_pop
 * restores) and a count of problems. Loaders report problems and go on, so
 * that one run lists everything wrong with a file. */
#ifndef XF_IO_YAML_H
#define XF_IO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"

#define XF_YAML_MAX_DEPTH 32        /* deepest nesting any loader allows */
#define XF_YAML_MAX_ENTRIES 1000000 /* default entries in one container */
#define XF_YAML_PATH_MAX 256        /* key path in messages (cut past it) */
#define XF_YAML_KEY_SHOWN 64        /* bytes of a user's key in the path */

typedef enum xf_yaml_type {
	XF_YAML_SCALAR,
	XF_YAML_SEQ,
	XF_YAML_MAP,
} xf_yaml_type;

/* A node of the tree: read it, do not change it. */
typedef struct xf_yaml_node {
	xf_yaml_type type;
	bool plain;          /* plain scalar: may be a number, bool or null */
	int line, col;       /* 1-based; a quoted scalar's is at its quote */
	char *str;           /* SCALAR: text, escapes resolved, NUL-terminated,
			      * no NUL inside; NULL otherwise */
	size_t len;          /* SCALAR: bytes in str */
	struct xf_yaml_node **kids; /* SEQ: items; MAP: key, value, key,
				     * value... (keys may be any node) */
	int nkids;
	int cap;             /* room in kids (the builder's) */
} xf_yaml_node;

/* What a loader may set differently; zero fields take the defaults. The
 * settings loader keeps its own older wording through these. */
typedef struct xf_yaml_opts {
	int max_depth;        /* containers nested deeper are refused;
			       * 0 or more than XF_YAML_MAX_DEPTH: that */
	int max_entries;      /* entries (a mapping's keys and values count
			       * one each) in one container; 0: the default */
	const char *too_deep; /* message for the first; NULL: 嵌套超过 N 层
			       * (nested deeper than N levels) */
	const char *too_many; /* for the second; NULL: 条目过多，最多 N 个
			       * (too many entries, at most N) */
	bool refuse_nul;      /* refuse a NUL byte anywhere in the text, at
			       * its place (else libfyaml meets it) */
	const char *key_word; /* what xf_yaml_map calls a key in Chinese
			       * (未知的键, 重复的键...); NULL: 键 */
} xf_yaml_opts;

/* A loader's state. Fields are read by loaders (nerr to know whether
 * anything was reported) and written only through the functions. */
typedef struct xf_yaml_ctx {
	const char *name;     /* file name in messages, not owned */
	xf_errs *errs;
	int nerr;             /* problems reported through this context */
	char path[XF_YAML_PATH_MAX];
	size_t plen;
	int line, col;        /* last position seen while building the tree */
	xf_yaml_opts opts;
} xf_yaml_ctx;

/* Starts a context with an empty key path and no problems. name and errs
 * must outlive it; opts is copied (NULL: all defaults). */
void xf_yaml_init(xf_yaml_ctx *y, const char *name, xf_errs *errs,
		  const xf_yaml_opts *opts);

/* Parses text[0..len) (no terminator needed; not kept) into a tree.
 * Returns 0 with *root the tree (caller frees with xf_yaml_free), *root
 * NULL when the document is empty or null (~, null); -1 with messages (*root
 * NULL) on text that is not UTF-8, a tab, syntax errors, a tag, an alias,
 * a NUL, a second document, a limit passed, or memory running out. */
int xf_yaml_parse(xf_yaml_ctx *y, const char *text, size_t len,
		  xf_yaml_node **root);

/* Frees a tree (NULL is fine). */
void xf_yaml_free(xf_yaml_node *n);

/* Whether n is a plain scalar meaning null: empty, ~, null, Null, NULL. */
bool xf_yaml_is_null(const xf_yaml_node *n);

/* The value of key in mapping m (its first occurrence), or NULL when m is
 * NULL, not a mapping or has no such key. */
const xf_yaml_node *xf_yaml_get(const xf_yaml_node *m, const char *key);

/* ---- Messages --------------------------------------------------------- */

/* Adds "NAME:LINE:COL: PATH: MESSAGE" to the list ("(root)" for an empty
 * path; MESSAGE cut at 639 bytes) and counts it. */
void xf_yaml_at(xf_yaml_ctx *y, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at node n (1:1 when n is NULL). */
void xf_yaml_err(xf_yaml_ctx *y, const xf_yaml_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "内存不足 (out of memory)" at n. */
void xf_yaml_oom(xf_yaml_ctx *y, const xf_yaml_node *n);

/* Appends to the key path (cut at XF_YAML_PATH_MAX - 1 bytes); each
 * returns the mark to restore with xf_yaml_pop. xf_yaml_key appends
 * ".key" ("key" at the start), at most XF_YAML_KEY_SHOWN bytes of it, with
 * control characters shown as '?'; xf_yaml_idx appends "[i]". */
size_t xf_yaml_push(xf_yaml_ctx *y, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t xf_yaml_key(xf_yaml_ctx *y, const char *key);
size_t xf_yaml_idx(xf_yaml_ctx *y, int i);
void xf_yaml_pop(xf_yaml_ctx *y, size_t mark);

/* ---- Checking and reading --------------------------------------------- */

/* Key lists are NULL-terminated arrays of names; a leading '*' marks a
 * required key in xf_yaml_map and is not part of the name. */

/* Index of s in keys, or -1. */
int xf_yaml_key_index(const char *const *keys, const char *s);
/* Writes the names in keys as "a, b, c" into buf (cut to fit size >= 1). */
void xf_yaml_key_list(const char *const *keys, char *buf, size_t size);

/* Checks that n is a mapping whose keys are strings among keys (at most
 * 32), each given once, with every required key there. Reports each
 * problem at its key (the path naming it); returns false only when n is
 * not a mapping (reported). */
bool xf_yaml_map(xf_yaml_ctx *y, const xf_yaml_node *n,
		 const char *const *keys);

/* Reports that mapping n lacks key: "缺少必需的键 (missing required key)"
 * (with the loader's key_word) at n, the path naming key. */
void xf_yaml_missing(xf_yaml_ctx *y, const xf_yaml_node *n, const char *key);

/* Reads m[key] as true/false (also True, TRUE, False, FALSE; plain only):
 * 1 when read into *out, 0 when absent (*out untouched), -1 when wrong
 * (reported). */
int xf_yaml_get_bool(xf_yaml_ctx *y, const xf_yaml_node *m, const char *key,
		     bool *out);

#endif
