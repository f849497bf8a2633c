/* utf8: the text checks shared by the form fields (xf_utf8_text_chars) and
 * the bounded names in messages (xf_utf8_prefix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/utf8.h"

static void test_text_chars(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool multiline;
		long want;
	} cases[] = {
		{"", false, 0},           {"学习强国", false, 4},   {"a b", false, 3},
		{"a\nb", false, -1},      {"a\nb", true, 3},        {"a\r\n\tb", true, 5},
		{"a\x01" "b", true, -1},  {"a\x7f", true, -1},      {"\xe5\xad", false, -1},
		{"\xc0\xaf", true, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(xf_utf8_text_chars(cases[i].s, cases[i].multiline), cases[i].want);
}

static void test_prefix(void **state)
{
	(void)state;
	assert_int_equal(xf_utf8_prefix("abc", 64), 3);
	assert_int_equal(xf_utf8_prefix("abcdef", 4), 4);
	/* 学 is 3 bytes: 4 bytes of "学学" keep only the first. */
	assert_int_equal(xf_utf8_prefix("学学", 4), 3);
	assert_int_equal(xf_utf8_prefix("学学", 2), 0);
	assert_int_equal(xf_utf8_prefix("学学", 6), 6);
}

/* A text field left blank: only spaces, tabs, CR and LF (or nothing);
 * a full-width space or any other character is text. */
static void test_text_blank(void **state)
{
	(void)state;
	assert_true(xf_text_blank(""));
	assert_true(xf_text_blank(" \t\r\n "));
	assert_false(xf_text_blank(" a "));
	assert_false(xf_text_blank("\xe3\x80\x80")); /* U+3000 ideographic space */
	assert_false(xf_text_blank("学"));
}

/* Texts equal or not (NULL only to NULL); appending cut where the
 * buffer is full, never past it. */
static void test_same_and_append(void **state)
{
	(void)state;
	assert_true(xf_text_same(NULL, NULL));
	assert_false(xf_text_same("a", NULL));
	assert_false(xf_text_same(NULL, ""));
	assert_true(xf_text_same("学分", "学分"));
	assert_false(xf_text_same("学分", "学时"));
	char buf[8] = "ab";
	xf_text_appendf(buf, sizeof(buf), "%d-%s", 12, "cd");
	assert_string_equal(buf, "ab12-cd");
	xf_text_appendf(buf, sizeof(buf), "xyz");
	assert_string_equal(buf, "ab12-cd"); /* full: nothing more */
	char small[5] = "";
	xf_text_appendf(small, sizeof(small), "%s", "123456");
	assert_string_equal(small, "1234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_chars),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_text_blank),
		cmocka_unit_test(test_same_and_append),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
