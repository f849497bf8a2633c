/* Unit tests for src/core/errs.c: bounded message list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/errs.h"

static void test_add_and_print(void **state)
{
	(void)state;
	xf_errs e;
	xf_errs_init(&e);
	xf_errs_add(&e, "records[%d].level: bad", 3);
	xf_errs_add(&e, "people[0].id: missing");
	assert_int_equal(xf_errs_count(&e), 2);
	assert_string_equal(e.msgs[0], "records[3].level: bad");

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs_print(&e, "case.json: ", f);
	fclose(f);
	assert_string_equal(buf, "case.json: records[3].level: bad\ncase.json: people[0].id: missing\n");
	free(buf);
	xf_errs_cleanup(&e);
}

static void test_bounded(void **state)
{
	(void)state;
	xf_errs e;
	xf_errs_init(&e);
	for (int i = 0; i < XF_ERRS_MAX + 50; i++)
		xf_errs_add(&e, "problem %d", i);
	assert_int_equal(e.n, XF_ERRS_MAX);
	assert_int_equal(e.dropped, 50);
	assert_int_equal(xf_errs_count(&e), XF_ERRS_MAX + 50);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_errs_print(&e, NULL, f);
	fclose(f);
	assert_non_null(strstr(buf, "50 more problems"));
	free(buf);
	xf_errs_cleanup(&e);
}

/* append: the messages in order after those there, the dropped count
 * and the internal mark carried over. */
static void test_append(void **state)
{
	(void)state;
	xf_errs a, b;
	xf_errs_init(&a);
	xf_errs_init(&b);
	xf_errs_add(&a, "一");
	xf_errs_add(&b, "二");
	xf_errs_add(&b, "三");
	b.dropped = 4;
	b.internal = true;
	xf_errs_append(&a, &b);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.msgs[1], "二");
	assert_string_equal(a.msgs[2], "三");
	assert_int_equal(xf_errs_count(&a), 7);
	assert_true(a.internal);
	assert_int_equal(b.n, 2); /* from is left as it was */
	xf_errs_cleanup(&a);
	xf_errs_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_print),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests_name("core/errs", tests, NULL, NULL);
}
