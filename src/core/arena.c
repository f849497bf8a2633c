/* arena: a per-request memory pool (see arena.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK 8192
#define ARENA_DEFAULT_CAP ((size_t)64 << 20)
#define ARENA_ALIGN 16

struct xf_arena_block {
	xf_arena_block *next;
	size_t size; /* bytes of data[] */
	size_t off;  /* bytes of data[] taken */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void xf_arena_init(xf_arena *a, size_t cap)
{
	a->head = NULL;
	a->used = 0;
	a->cap = cap ? cap : ARENA_DEFAULT_CAP;
}

void xf_arena_cleanup(xf_arena *a)
{
	xf_arena_block *b = a->head;
	while (b) {
		xf_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void xf_arena_reset(xf_arena *a)
{
	if (a->head == NULL)
		return;
	/* Keep the oldest block (the last in the chain): it is the usual size. */
	xf_arena_block *b = a->head, *keep = NULL;
	while (b) {
		xf_arena_block *next = b->next;
		if (next == NULL)
			keep = b;
		else
			free(b);
		b = next;
	}
	keep->next = NULL;
	keep->off = 0;
	a->head = keep;
	a->used = sizeof(*keep) + keep->size;
}

void *xf_arena_alloc(xf_arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need < size)
		return NULL;
	xf_arena_block *b = a->head;
	if (b == NULL || b->size - b->off < need) {
		size_t bsize = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		if (bsize > a->cap || a->used > a->cap - bsize - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + bsize);
		if (b == NULL)
			return NULL;
		b->size = bsize;
		b->off = 0;
		b->next = a->head;
		a->head = b;
		a->used += sizeof(*b) + bsize;
	}
	void *p = b->data + b->off;
	b->off += need;
	return p;
}

void *xf_arena_calloc(xf_arena *a, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	void *p = xf_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *xf_arena_strndup(xf_arena *a, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	char *p = xf_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *xf_arena_strdup(xf_arena *a, const char *s)
{
	return s ? xf_arena_strndup(a, s, strlen(s)) : NULL;
}

char *xf_arena_printf(xf_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = xf_arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
