/* policy_cache: shipped policies compiled once per process and shared
 * (see xf_policy_builtin_shared in policy.h). A compiled policy is never
 * changed after loading, so threads may read it at once. */
#include <pthread.h>
#include <string.h>

#include "policy/policy.h"

#define CACHE_MAX 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *id;  /* the builtin table's own string */
	xf_policy *p;
} cache[CACHE_MAX];
static size_t ncache;

const xf_policy *xf_policy_builtin_shared(const char *id, xf_errs *errs)
{
	const xf_policy *found = NULL;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ncache && found == NULL; i++)
		if (strcmp(cache[i].id, id) == 0)
			found = cache[i].p;
	if (found == NULL) {
		const char *key = NULL;
		for (size_t i = 0; i < xf_builtin_policy_count; i++)
			if (strcmp(xf_builtin_policies[i].id, id) == 0)
				key = xf_builtin_policies[i].id;
		xf_policy *p = key ? xf_policy_resolve(key, NULL, errs) : NULL;
		if (key == NULL)
			xf_errs_add(errs, "%s: 未知的内置学分办法 (unknown shipped policy)", id);
		if (p && ncache < CACHE_MAX) {
			cache[ncache].id = key;
			cache[ncache].p = p;
			ncache++;
			found = p;
		} else if (p) {
			xf_policy_free(p); /* cannot happen: fewer builtins than slots */
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}
