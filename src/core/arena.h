/* arena: a per-request memory pool (like h2o's req->pool). Everything a
 * request allocates comes from its arena and goes at once when the request
 * ends. Blocks are chained; a request may not take more than its cap, so a
 * hostile request cannot exhaust memory through the arena.
 *
 * Allocation functions return NULL when the cap is reached or memory runs
 * out; the arena stays usable and xf_arena_cleanup frees what was taken. */
#ifndef XF_CORE_ARENA_H
#define XF_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct xf_arena_block xf_arena_block;

typedef struct xf_arena {
	xf_arena_block *head; /* the block being filled; older ones follow */
	size_t used;          /* bytes taken from the system, all blocks */
	size_t cap;           /* at most this many bytes (0: 64 MiB) */
} xf_arena;

void xf_arena_init(xf_arena *a, size_t cap);
/* Frees every block; the arena may be used again after init. */
void xf_arena_cleanup(xf_arena *a);
/* Frees every block but the first and empties it, for reuse by the next
 * request on the same thread. */
void xf_arena_reset(xf_arena *a);

/* size bytes aligned for any type, uninitialised. */
void *xf_arena_alloc(xf_arena *a, size_t size);
/* The same, zeroed. */
void *xf_arena_calloc(xf_arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s (NULL gives NULL), of its first n bytes. */
char *xf_arena_strdup(xf_arena *a, const char *s);
char *xf_arena_strndup(xf_arena *a, const char *s, size_t n);
/* A formatted string. */
char *xf_arena_printf(xf_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
