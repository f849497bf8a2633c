/* Tests for src/api/cache.c: entries served only at their generation,
 * replaced by slot, bounded in bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/cache.h"

static void test_get_put(void **state)
{
	api_cache *c = api_cache_new(64, 1 << 20);
	xf_arena a;
	xf_arena_init(&a, 0);
	void *d;
	size_t n;
	assert_false(api_cache_get(c, "k", 1, &a, &d, &n));
	api_cache_put(c, "k", 1, "hello", 5);
	assert_true(api_cache_get(c, "k", 1, &a, &d, &n));
	assert_int_equal(n, 5);
	assert_memory_equal(d, "hello", 5);
	/* Another generation: the database changed since. */
	assert_false(api_cache_get(c, "k", 2, &a, &d, &n));
	/* Another key in the same slot is not this one. */
	assert_false(api_cache_get(c, "other", 1, &a, &d, &n));
	/* A newer put replaces. */
	api_cache_put(c, "k", 2, "world!", 6);
	assert_true(api_cache_get(c, "k", 2, &a, &d, &n));
	assert_int_equal(n, 6);
	assert_memory_equal(d, "world!", 6);
	size_t entries, bytes;
	api_cache_stats(c, &entries, &bytes);
	assert_int_equal(entries, 1);
	assert_int_equal(bytes, 2 + 6);
	xf_arena_cleanup(&a);
	api_cache_free(c);
}

static void test_bounds(void **state)
{
	/* 6400 bytes in all: entries over 100 bytes are not kept. */
	api_cache *c = api_cache_new(1024, 6400);
	xf_arena a;
	xf_arena_init(&a, 0);
	char big[200];
	memset(big, 'x', sizeof(big));
	api_cache_put(c, "big", 1, big, sizeof(big));
	void *d;
	size_t n;
	assert_false(api_cache_get(c, "big", 1, &a, &d, &n));
	char key[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		api_cache_put(c, key, 1, big, 90);
	}
	size_t entries, bytes;
	api_cache_stats(c, &entries, &bytes);
	assert_true(bytes <= 6400);
	assert_true(entries > 0 && entries < 1000);
	/* A single slot: everything lands in it, the last put stays. */
	api_cache *one = api_cache_new(1, 1 << 20);
	api_cache_put(one, "a", 1, "1", 1);
	api_cache_put(one, "b", 1, "2", 1);
	assert_false(api_cache_get(one, "a", 1, &a, &d, &n));
	assert_true(api_cache_get(one, "b", 1, &a, &d, &n));
	api_cache_stats(one, &entries, &bytes);
	assert_int_equal(entries, 1);
	assert_int_equal(bytes, 3);
	api_cache_free(one);
	xf_arena_cleanup(&a);
	api_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_put),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
