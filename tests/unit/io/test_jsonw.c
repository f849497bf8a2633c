/* Unit tests for src/io/jsonw.c: layout, escaping, number forms. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "io/jsonw.h"

static void test_layout(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "policy", "bigdata-bureau");
	xf_jw_kint(&w, "year", 2025);
	xf_jw_key(&w, "people");
	xf_jw_arr(&w);
	xf_jw_obj(&w);
	xf_jw_kstr(&w, "id", "张\"伟\"\n");
	xf_jw_kcredits(&w, "total", 56);
	xf_jw_kcredits(&w, "required", 58.333333);
	xf_jw_knum(&w, "growth", 6720);
	xf_jw_knull(&w, "grade");
	xf_jw_key(&w, "flags");
	xf_jw_arr(&w);
	xf_jw_arr_end(&w);
	xf_jw_key(&w, "items");
	xf_jw_obj(&w);
	xf_jw_obj_end(&w);
	xf_jw_kbool(&w, "met", false);
	xf_jw_kcredits(&w, "bad", NAN);
	xf_jw_obj_end(&w);
	xf_jw_arr_end(&w);
	xf_jw_obj_end(&w);
	fclose(f);
	assert_string_equal(buf,
			    "{\n"
			    " \"policy\": \"bigdata-bureau\",\n"
			    " \"year\": 2025,\n"
			    " \"people\": [\n"
			    "  {\n"
			    "   \"id\": \"张\\\"伟\\\"\\n\",\n"
			    "   \"total\": 56.0,\n"
			    "   \"required\": 58.33,\n"
			    "   \"growth\": 6720,\n"
			    "   \"grade\": null,\n"
			    "   \"flags\": [],\n"
			    "   \"items\": {},\n"
			    "   \"met\": false,\n"
			    "   \"bad\": null\n"
			    "  }\n"
			    " ]\n"
			    "}\n");
	free(buf);
}

static void test_control_chars(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	xf_jw w;
	xf_jw_init(&w, f);
	xf_jw_str(&w, "a\x01\tb\\");
	fclose(f);
	assert_string_equal(buf, "\"a\\u0001\\tb\\\\\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_control_chars),
	};
	return cmocka_run_group_tests_name("io/jsonw", tests, NULL, NULL);
}
