/* strmap: a string -> int map with the strings copied in, used to intern
 * identifiers (person ids, activity keys, units) into small integers so the
 * engine compares ints, never strings.
 *
 * Open addressing with linear probing; the table doubles at 70% load.
 * Keys are copied into blocks owned by the map. */
#ifndef XF_CORE_STRMAP_H
#define XF_CORE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct xf_strmap xf_strmap;

/* Returns a new empty map, or NULL on allocation failure. */
xf_strmap *xf_strmap_new(void);
void xf_strmap_free(xf_strmap *m);

/* Value of key, or -1 when absent. */
int32_t xf_strmap_get(const xf_strmap *m, const char *key);

/* Looks key up; if absent, stores it with value `value`. Returns the stored
 * value (the old one when the key was there), or -2 on allocation failure.
 * *interned, when not NULL, receives the map's copy of the key (valid until
 * the map is freed). */
int32_t xf_strmap_put(xf_strmap *m, const char *key, int32_t value,
		      const char **interned);

/* Interns key: the first key gets 0, the next new one 1, and so on. Returns
 * the key's number, or -2 on allocation failure. */
int32_t xf_strmap_intern(xf_strmap *m, const char *key, const char **interned);

/* Number of keys. */
size_t xf_strmap_size(const xf_strmap *m);

#endif
