/* Unit tests for src/io/yaml.c: the tree (nesting, scalars with their line
 * and column, plain or quoted), the refusals (invalid UTF-8, tabs, NUL,
 * tags, aliases, a second document, nesting and entry limits, syntax
 * errors), each with its exact located message, the options, the key path,
 * and the checks on mappings (unknown, duplicate and missing keys) and
 * booleans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/yaml.h"

/* ---- Helpers -------------------------------------------------------------- */

/* Writes a compact picture of the tree: a scalar as text@L:C (quoted text
 * in '...'), a sequence as [items]@L:C, a mapping as {k=v ...}@L:C. */
static void dump(FILE *f, const xf_yaml_node *n)
{
	switch (n->type) {
	case XF_YAML_SCALAR:
		fprintf(f, n->plain ? "%s" : "'%s'", n->str);
		break;
	case XF_YAML_SEQ:
		fputc('[', f);
		for (int i = 0; i < n->nkids; i++) {
			fputs(i ? " " : "", f);
			dump(f, n->kids[i]);
		}
		fputc(']', f);
		break;
	case XF_YAML_MAP:
		fputc('{', f);
		for (int i = 0; i + 1 < n->nkids; i += 2) {
			fputs(i ? " " : "", f);
			dump(f, n->kids[i]);
			fputc('=', f);
			dump(f, n->kids[i + 1]);
		}
		fputc('}', f);
		break;
	}
	fprintf(f, "@%d:%d", n->line, n->col);
}

/* All messages, one a line. */
static char *messages(const xf_errs *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	for (size_t i = 0; i < e->n; i++)
		fprintf(f, "%s\n", e->msgs[i]);
	fclose(f);
	return buf;
}

/* A loader's own limits and wording (api/config.c keeps its older
 * messages so), and small limits in the default wording. */
static const xf_yaml_opts own_opts = {
	.max_depth = 3,
	.max_entries = 8,
	.too_deep = "太深 (too deep)",
	.too_many = "太多 (too many)",
	.refuse_nul = true,
	.key_word = "设置项",
};

static const xf_yaml_opts small_opts = {.max_depth = 2, .max_entries = 3};

/* ---- Parsing ---------------------------------------------------------------- */

static const struct parse_case {
	const char *text;
	size_t len;                /* 0: strlen(text) */
	const xf_yaml_opts *opts;  /* NULL: defaults */
	int rc;
	const char *tree;          /* rc 0: the dump ("" for no tree) */
	const char *msgs;          /* rc -1: every message, one a line */
} parse_cases[] = {
	/* Nesting, with the position of every node. */
	{"a: 1\nb:\n  - x\n  - 'y'\n  - {c: \"z\", d: []}\n", 0, NULL, 0,
	 "{a@1:1=1@1:4 b@2:1=[x@3:5 'y'@4:5 {c@5:6='z'@5:9 d@5:14=[]@5:17}@5:5]@3:3}@1:1",
	 NULL},
	{"- - - deep\n", 0, NULL, 0, "[[[deep@1:7]@1:5]@1:3]@1:1", NULL},
	/* Scalars: escapes resolved, plain or not (a quoted one is placed at
	 * its quote, a block scalar at its text); columns count characters. */
	{"k: \"a\\tb\\u00e9\"\nl: |\n  two\n  lines\n", 0, NULL, 0,
	 "{k@1:1='a\tbé'@1:4 l@2:1='two\nlines\n'@3:1}@1:1", NULL},
	{"名称: 学分\n值: 中文\n", 0, NULL, 0,
	 "{名称@1:1=学分@1:5 值@2:1=中文@2:4}@1:1", NULL},
	/* An anchor with no alias is ignored (the node is at its value). */
	{"a: &x 1\n", 0, NULL, 0, "{a@1:1=1@1:7}@1:1", NULL},
	/* A mapping keeps duplicate keys, in order: xf_yaml_map reports them. */
	{"a: 1\na: 2\n", 0, NULL, 0, "{a@1:1=1@1:4 a@2:1=2@2:4}@1:1", NULL},
	/* Empty and null documents give no tree and no message. */
	{"", 0, NULL, 0, "", NULL},
	{"# only a comment\n", 0, NULL, 0, "", NULL},
	{"~\n", 0, NULL, 0, "", NULL},
	{"null\n", 0, NULL, 0, "", NULL},
	{"'null'\n", 0, NULL, 0, "'null'@1:1", NULL},
	/* Refusals, each at its place. */
	{"a: b\nc: \xff\n", 0, NULL, -1, NULL,
	 "t.yaml:2:4: (root): 不是有效的 UTF-8 文本 (not valid UTF-8 text)\n"},
	{"a: \xe4\xb8\n", 0, NULL, -1, NULL,
	 "t.yaml:1:4: (root): 不是有效的 UTF-8 文本 (not valid UTF-8 text)\n"},
	{"a:\n\tb: 1\n", 0, NULL, -1, NULL,
	 "t.yaml:2:1: (root): 不能使用制表符 Tab，请用空格 (tab characters are "
	 "not allowed; use spaces)\n"},
	{"a: \"x\\0y\"\n", 0, NULL, -1, NULL,
	 "t.yaml:1:4: (root): 含有 NUL 字符 (contains a NUL character)\n"},
	{"a: b\nc: d\0e\n", 11, &own_opts, -1, NULL,
	 "t.yaml:2:5: (root): 含有 NUL 字符 (contains a NUL character)\n"},
	{"a: !!str 1\n", 0, NULL, -1, NULL,
	 "t.yaml:1:4: (root): 不支持 YAML 标签 (YAML tags are not supported)\n"},
	{"a: !!map {b: 1}\n", 0, NULL, -1, NULL,
	 "t.yaml:1:4: (root): 不支持 YAML 标签 (YAML tags are not supported)\n"},
	{"a: &x 1\nb: *x\n", 0, NULL, -1, NULL,
	 "t.yaml:2:4: (root): 不支持 YAML 别名 (YAML aliases are not supported)\n"},
	{"a: 1\n---\nb: 2\n", 0, NULL, -1, NULL,
	 "t.yaml:2:1: (root): 只能有一个 YAML 文档 (only one YAML document is "
	 "allowed)\n"},
	{"a: [1, 2\n", 0, NULL, -1, NULL,
	 "t.yaml:2:1: (root): YAML 语法错误 (YAML syntax error: flow sequence "
	 "without a closing bracket)\n"},
	/* Limits: the defaults' wording names them, a loader may word its own. */
	{"a: [[1]]\n", 0, &small_opts, -1, NULL,
	 "t.yaml:1:5: (root): 嵌套超过 2 层 (nested deeper than 2 levels)\n"},
	{"[a, b, c, d]\n", 0, &small_opts, -1, NULL,
	 "t.yaml:1:11: (root): 条目过多，最多 3 个 (too many entries, at most "
	 "3)\n"},
	{"[a, b, c]\n", 0, &small_opts, 0, "[a@1:2 b@1:5 c@1:8]@1:1", NULL},
	{"a: {b: {c: {d: 1}}}\n", 0, &own_opts, -1, NULL,
	 "t.yaml:1:12: (root): 太深 (too deep)\n"},
	{"[1, 2, 3, 4, 5, 6, 7, 8, 9]\n", 0, &own_opts, -1, NULL,
	 "t.yaml:1:26: (root): 太多 (too many)\n"},
	{"a: {b: [1, 2]}\n", 0, &own_opts, 0,
	 "{a@1:1={b@1:5=[1@1:9 2@1:12]@1:8}@1:4}@1:1", NULL},
};

static void check_parse(const struct parse_case *c)
{
	xf_errs e;
	xf_errs_init(&e);
	xf_yaml_ctx y;
	xf_yaml_init(&y, "t.yaml", &e, c->opts);
	xf_yaml_node *root = (xf_yaml_node *)1;
	size_t len = c->len ? c->len : strlen(c->text);
	int rc = xf_yaml_parse(&y, c->text, len, &root);
	char *msgs = messages(&e);
	if (rc != c->rc)
		fail_msg("%s: rc %d, messages:\n%s", c->text, rc, msgs);
	if (rc == 0) {
		assert_string_equal(msgs, "");
		assert_int_equal(y.nerr, 0);
		char *buf = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&buf, &n);
		if (root != NULL)
			dump(f, root);
		fclose(f);
		assert_string_equal(buf, c->tree);
		free(buf);
	} else {
		assert_null(root);
		assert_string_equal(msgs, c->msgs);
		assert_int_equal(y.nerr, (int)e.n);
	}
	free(msgs);
	xf_yaml_free(root);
	xf_errs_cleanup(&e);
}

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		check_parse(&parse_cases[i]);
}

/* The text need not end in a NUL: the parser reads len bytes only. */
static void test_parse_unterminated(void **state)
{
	(void)state;
	char *text = malloc(6);
	assert_non_null(text);
	memcpy(text, "a: 12X", 6);
	xf_errs e;
	xf_errs_init(&e);
	xf_yaml_ctx y;
	xf_yaml_init(&y, "t.yaml", &e, NULL);
	xf_yaml_node *root = NULL;
	assert_int_equal(xf_yaml_parse(&y, text, 5, &root), 0);
	assert_non_null(root);
	const xf_yaml_node *v = xf_yaml_get(root, "a");
	assert_non_null(v);
	assert_string_equal(v->str, "12");
	assert_int_equal(v->len, 2);
	xf_yaml_free(root);
	xf_errs_cleanup(&e);
	free(text);
}

/* Deep nesting, at the default limit and past it. */
static void test_parse_depth(void **state)
{
	(void)state;
	char text[2 * (XF_YAML_MAX_DEPTH + 1) + 2];
	for (int deep = XF_YAML_MAX_DEPTH; deep <= XF_YAML_MAX_DEPTH + 1; deep++) {
		memset(text, '[', (size_t)deep);
		memset(text + deep, ']', (size_t)deep);
		text[2 * deep] = '\0';
		xf_errs e;
		xf_errs_init(&e);
		xf_yaml_ctx y;
		xf_yaml_init(&y, "t.yaml", &e, NULL);
		xf_yaml_node *root = NULL;
		int rc = xf_yaml_parse(&y, text, strlen(text), &root);
		if (deep == XF_YAML_MAX_DEPTH) {
			assert_int_equal(rc, 0);
			int levels = 0;
			for (const xf_yaml_node *n = root; n != NULL;
			     n = n->nkids ? n->kids[0] : NULL)
				levels++;
			assert_int_equal(levels, XF_YAML_MAX_DEPTH);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(e.n, 1);
			assert_string_equal(e.msgs[0], "t.yaml:1:33: (root): 嵌套超过 "
					    "32 层 (nested deeper than 32 levels)");
		}
		xf_yaml_free(root);
		xf_errs_cleanup(&e);
	}
}

/* ---- Messages and the key path ------------------------------------------ */

static void test_key_path(void **state)
{
	(void)state;
	xf_errs e;
	xf_errs_init(&e);
	xf_yaml_ctx y;
	xf_yaml_init(&y, "p.yaml", &e, NULL);
	xf_yaml_at(&y, 3, 4, "top %d", 1);
	size_t m1 = xf_yaml_key(&y, "items");
	size_t m2 = xf_yaml_idx(&y, 2);
	size_t m3 = xf_yaml_key(&y, "na\x01me\x7f");
	xf_yaml_at(&y, 5, 6, "deep");
	xf_yaml_pop(&y, m3);
	size_t m4 = xf_yaml_push(&y, "[%d].min", 7);
	xf_yaml_err(&y, NULL, "no node");
	xf_yaml_pop(&y, m4);
	xf_yaml_pop(&y, m2);
	xf_yaml_oom(&y, NULL);
	xf_yaml_pop(&y, m1);
	xf_yaml_at(&y, 9, 9, "back");
	assert_int_equal(y.nerr, 5);
	char *msgs = messages(&e);
	assert_string_equal(msgs,
			    "p.yaml:3:4: (root): top 1\n"
			    "p.yaml:5:6: items[2].na?me?: deep\n"
			    "p.yaml:1:1: items[2][7].min: no node\n"
			    "p.yaml:1:1: items: 内存不足 (out of memory)\n"
			    "p.yaml:9:9: (root): back\n");
	free(msgs);
	xf_errs_cleanup(&e);
}

/* A user's key shows at most XF_YAML_KEY_SHOWN bytes; the path is cut at
 * XF_YAML_PATH_MAX - 1 bytes and pops back cleanly. */
static void test_key_path_limits(void **state)
{
	(void)state;
	xf_errs e;
	xf_errs_init(&e);
	xf_yaml_ctx y;
	xf_yaml_init(&y, "p.yaml", &e, NULL);
	char key[200];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	size_t m = xf_yaml_key(&y, key);
	assert_int_equal(y.plen, XF_YAML_KEY_SHOWN);
	for (int i = 0; i < 10; i++)
		xf_yaml_key(&y, key);
	assert_int_equal(y.plen, XF_YAML_PATH_MAX - 1);
	assert_int_equal(strlen(y.path), XF_YAML_PATH_MAX - 1);
	size_t full = xf_yaml_idx(&y, 5);
	assert_int_equal(full, XF_YAML_PATH_MAX - 1);
	assert_int_equal(y.plen, XF_YAML_PATH_MAX - 1);
	xf_yaml_pop(&y, m);
	assert_int_equal(y.plen, 0);
	assert_string_equal(y.path, "");
	xf_errs_cleanup(&e);
}

/* ---- Checking mappings ----------------------------------------------------- */

static const struct map_case {
	const char *text;
	const xf_yaml_opts *opts;
	bool ok;                   /* what xf_yaml_map returns */
	const char *msgs;
} map_cases[] = {
	{"id: a\ntitle: b\n", NULL, true, ""},
	{"id: a\ntitle: b\nsource: c\n", NULL, true, ""},
	{"id: a\nfoo: 1\ntitle: b\nid: c\n", NULL, true,
	 "t.yaml:2:1: foo: 未知的键 (unknown key; expected one of: id, title, "
	 "source)\n"
	 "t.yaml:4:1: id: 重复的键 (duplicate key)\n"},
	{"source: c\n", NULL, true,
	 "t.yaml:1:1: id: 缺少必需的键 (missing required key)\n"
	 "t.yaml:1:1: title: 缺少必需的键 (missing required key)\n"},
	{"[a]: 1\nid: a\ntitle: b\n", NULL, true,
	 "t.yaml:1:1: (root): 键应为字符串 (a key must be a string)\n"},
	{"- id\n", NULL, false, "t.yaml:1:1: (root): 应为映射 (expected a mapping)\n"},
	{"id: a\ntitle: b\nxx: 1\ntitle: c\n", &own_opts, true,
	 "t.yaml:3:1: xx: 未知的设置项 (unknown key; expected one of: id, "
	 "title, source)\n"
	 "t.yaml:4:1: title: 重复的设置项 (duplicate key)\n"},
};

static void test_map(void **state)
{
	(void)state;
	static const char *const keys[] = {"*id", "*title", "source", NULL};
	for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct map_case *c = &map_cases[i];
		xf_errs e;
		xf_errs_init(&e);
		xf_yaml_ctx y;
		xf_yaml_init(&y, "t.yaml", &e, c->opts);
		xf_yaml_node *root = NULL;
		assert_int_equal(xf_yaml_parse(&y, c->text, strlen(c->text), &root), 0);
		assert_non_null(root);
		assert_int_equal(xf_yaml_map(&y, root, keys), c->ok);
		char *msgs = messages(&e);
		assert_string_equal(msgs, c->msgs);
		assert_int_equal(y.plen, 0); /* the path is restored */
		free(msgs);
		xf_yaml_free(root);
		xf_errs_cleanup(&e);
	}
}

static void test_key_lists(void **state)
{
	(void)state;
	static const char *const keys[] = {"*id", "title", "*lines", NULL};
	assert_int_equal(xf_yaml_key_index(keys, "id"), 0);
	assert_int_equal(xf_yaml_key_index(keys, "lines"), 2);
	assert_int_equal(xf_yaml_key_index(keys, "*id"), -1);
	assert_int_equal(xf_yaml_key_index(keys, "x"), -1);
	char buf[64];
	xf_yaml_key_list(keys, buf, sizeof(buf));
	assert_string_equal(buf, "id, title, lines");
	char small[8];
	xf_yaml_key_list(keys, small, sizeof(small));
	assert_string_equal(small, "id, tit");
}

/* ---- Reading values ------------------------------------------------------ */

static const struct bool_case {
	const char *text;
	int rc;
	bool value;                /* when rc is 1 */
	const char *msgs;
} bool_cases[] = {
	{"b: true\n", 1, true, ""},
	{"b: True\n", 1, true, ""},
	{"b: FALSE\n", 1, false, ""},
	{"c: 1\n", 0, false, ""},
	{"b: 'true'\n", -1, false,
	 "t.yaml:1:4: b: 应为 true 或 false (expected true or false)\n"},
	{"b: yes\n", -1, false,
	 "t.yaml:1:4: b: 应为 true 或 false (expected true or false)\n"},
	{"b: [true]\n", -1, false,
	 "t.yaml:1:4: b: 应为 true 或 false (expected true or false)\n"},
};

static void test_get_bool(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bool_cases) / sizeof(bool_cases[0]); i++) {
		const struct bool_case *c = &bool_cases[i];
		xf_errs e;
		xf_errs_init(&e);
		xf_yaml_ctx y;
		xf_yaml_init(&y, "t.yaml", &e, NULL);
		xf_yaml_node *root = NULL;
		assert_int_equal(xf_yaml_parse(&y, c->text, strlen(c->text), &root), 0);
		bool out = !c->value;
		int rc = xf_yaml_get_bool(&y, root, "b", &out);
		assert_int_equal(rc, c->rc);
		if (rc == 1)
			assert_int_equal(out, c->value);
		else
			assert_int_equal(out, !c->value); /* untouched */
		char *msgs = messages(&e);
		assert_string_equal(msgs, c->msgs);
		free(msgs);
		xf_yaml_free(root);
		xf_errs_cleanup(&e);
	}
}

static void test_get_and_null(void **state)
{
	(void)state;
	static const char text[] = "a: ~\nb: ''\nc: Null\nd: x\na: 2\n";
	xf_errs e;
	xf_errs_init(&e);
	xf_yaml_ctx y;
	xf_yaml_init(&y, "t.yaml", &e, NULL);
	xf_yaml_node *root = NULL;
	assert_int_equal(xf_yaml_parse(&y, text, strlen(text), &root), 0);
	const xf_yaml_node *a = xf_yaml_get(root, "a");
	assert_non_null(a);
	assert_int_equal(a->line, 1); /* the first of two */
	assert_true(xf_yaml_is_null(a));
	assert_false(xf_yaml_is_null(xf_yaml_get(root, "b"))); /* quoted */
	assert_true(xf_yaml_is_null(xf_yaml_get(root, "c")));
	assert_false(xf_yaml_is_null(xf_yaml_get(root, "d")));
	assert_false(xf_yaml_is_null(root));
	assert_null(xf_yaml_get(root, "zz"));
	assert_null(xf_yaml_get(NULL, "a"));
	assert_null(xf_yaml_get(a, "a")); /* not a mapping */
	xf_yaml_free(root);
	xf_yaml_free(NULL);
	xf_errs_cleanup(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_unterminated),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_key_path),
		cmocka_unit_test(test_key_path_limits),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_key_lists),
		cmocka_unit_test(test_get_bool),
		cmocka_unit_test(test_get_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
