/* cache: answers of the API's read routes (and the sessions behind them)
 * kept in memory while the database stays the same.
 *
 * Every entry carries the generation it was computed at; the application
 * bumps the generation when any worker's connection sees a change
 * (xf_store_change_token: a commit by any connection), so an entry is never
 * served after a change it could have missed. Slots are fixed (a key
 * hashes to one slot; a newer entry replaces the older) and the bytes held
 * are capped, so memory stays bounded whatever the traffic. Thread-safe
 * (striped locks). Internal to src/api. */
#ifndef XF_API_CACHE_H
#define XF_API_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct api_cache api_cache;

/* A cache of `slots` entries holding at most max_bytes in all; entries
 * larger than max_bytes / 64 are not kept. NULL when out of memory. */
api_cache *api_cache_new(size_t slots, size_t max_bytes);
void api_cache_free(api_cache *c);

/* The entry for key at generation gen, copied into arena (*data, *len).
 * False when absent, older, or the arena is full. */
bool api_cache_get(api_cache *c, const char *key, uint64_t gen, xf_arena *arena, void **data,
		   size_t *len);

/* Keeps a copy of data for key at gen (replacing what the slot held).
 * Silently keeps nothing when over the caps or out of memory. */
void api_cache_put(api_cache *c, const char *key, uint64_t gen, const void *data, size_t len);

/* Entries and bytes held (for tests). */
void api_cache_stats(api_cache *c, size_t *entries, size_t *bytes);

#endif
