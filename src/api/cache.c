/* cache: read answers kept while the database is unchanged (see cache.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/cache.h"

#define STRIPES 64

typedef struct slot {
	char *key;       /* malloc'd, with the data after it */
	void *data;
	size_t len;
	uint64_t gen;
} slot;

struct api_cache {
	slot *slots;
	size_t nslots;
	size_t max_bytes, max_entry;
	atomic_size_t bytes;
	pthread_mutex_t locks[STRIPES];
};

/* FNV-1a. */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

api_cache *api_cache_new(size_t slots, size_t max_bytes)
{
	api_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->slots = calloc(slots ? slots : 1, sizeof(slot));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	c->nslots = slots ? slots : 1;
	c->max_bytes = max_bytes;
	c->max_entry = max_bytes / 64;
	atomic_init(&c->bytes, 0);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	return c;
}

static size_t entry_size(const slot *s)
{
	return s->key ? strlen(s->key) + 1 + s->len : 0;
}

static void slot_clear(api_cache *c, slot *s)
{
	atomic_fetch_sub(&c->bytes, entry_size(s));
	free(s->key);
	memset(s, 0, sizeof(*s));
}

void api_cache_free(api_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		free(c->slots[i].key);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

bool api_cache_get(api_cache *c, const char *key, uint64_t gen, xf_arena *arena, void **data,
		   size_t *len)
{
	uint64_t h = hash(key);
	size_t i = (size_t)(h % c->nslots);
	slot *s = &c->slots[i];
	pthread_mutex_t *m = &c->locks[i % STRIPES]; /* by slot: one lock per slot */
	bool hit = false;
	pthread_mutex_lock(m);
	if (s->key && s->gen == gen && strcmp(s->key, key) == 0) {
		void *copy = xf_arena_alloc(arena, s->len ? s->len : 1);
		if (copy) {
			memcpy(copy, s->data, s->len);
			*data = copy;
			*len = s->len;
			hit = true;
		}
	}
	pthread_mutex_unlock(m);
	return hit;
}

void api_cache_put(api_cache *c, const char *key, uint64_t gen, const void *data, size_t len)
{
	size_t klen = strlen(key) + 1;
	if (len > c->max_entry || klen > 1024)
		return;
	uint64_t h = hash(key);
	size_t i = (size_t)(h % c->nslots);
	slot *s = &c->slots[i];
	pthread_mutex_t *m = &c->locks[i % STRIPES]; /* by slot: one lock per slot */
	pthread_mutex_lock(m);
	slot_clear(c, s);
	if (atomic_load(&c->bytes) + klen + len <= c->max_bytes) {
		char *k = malloc(klen + len);
		if (k) {
			memcpy(k, key, klen);
			memcpy(k + klen, data, len);
			s->key = k;
			s->data = k + klen;
			s->len = len;
			s->gen = gen;
			atomic_fetch_add(&c->bytes, klen + len);
		}
	}
	pthread_mutex_unlock(m);
}

void api_cache_stats(api_cache *c, size_t *entries, size_t *bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nslots; i++) {
		pthread_mutex_t *m = &c->locks[i % STRIPES];
		pthread_mutex_lock(m);
		n += c->slots[i].key != NULL;
		pthread_mutex_unlock(m);
	}
	*entries = n;
	*bytes = atomic_load(&c->bytes);
}
