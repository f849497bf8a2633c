/* Unit tests for src/core/strmap.c: interning, growth, stable copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/strmap.h"

static void test_intern(void **state)
{
	(void)state;
	xf_strmap *m = xf_strmap_new();
	assert_non_null(m);
	const char *a = NULL, *b = NULL;
	assert_int_equal(xf_strmap_intern(m, "张伟", &a), 0);
	assert_int_equal(xf_strmap_intern(m, "li", NULL), 1);
	assert_int_equal(xf_strmap_intern(m, "张伟", &b), 0);
	assert_ptr_equal(a, b);
	assert_string_equal(a, "张伟");
	assert_int_equal(xf_strmap_get(m, "li"), 1);
	assert_int_equal(xf_strmap_get(m, "nobody"), -1);
	assert_int_equal(xf_strmap_get(m, ""), -1);
	assert_int_equal(xf_strmap_intern(m, "", NULL), 2);
	assert_int_equal(xf_strmap_size(m), 3);
	xf_strmap_free(m);
}

static void test_growth(void **state)
{
	(void)state;
	xf_strmap *m = xf_strmap_new();
	const char *first = NULL;
	char key[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "person-%d", i);
		const char *copy;
		assert_int_equal(xf_strmap_intern(m, key, &copy), i);
		if (i == 0)
			first = copy;
	}
	assert_string_equal(first, "person-0"); /* copies survive growth */
	for (int i = 0; i < 100000; i += 997) {
		snprintf(key, sizeof(key), "person-%d", i);
		assert_int_equal(xf_strmap_get(m, key), i);
	}
	assert_int_equal(xf_strmap_put(m, "person-5", 42, NULL), 5); /* keeps old */
	xf_strmap_free(m);
	xf_strmap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests_name("core/strmap", tests, NULL, NULL);
}
