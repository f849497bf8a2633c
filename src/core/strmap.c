/* strmap: string -> int map, open addressing, keys copied into blocks. */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	const char *key; /* NULL when empty */
	uint32_t hash;
	int32_t value;
};

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct xf_strmap {
	struct slot *slots;
	size_t cap;  /* power of two */
	size_t size;
	struct block *blocks;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

xf_strmap *xf_strmap_new(void)
{
	xf_strmap *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->cap = 16;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void xf_strmap_free(xf_strmap *m)
{
	if (m == NULL)
		return;
	struct block *b = m->blocks;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	free(m->slots);
	free(m);
}

static const char *copy_key(xf_strmap *m, const char *key)
{
	size_t len = strlen(key) + 1;
	struct block *b = m->blocks;
	if (b == NULL || b->size - b->used < len) {
		size_t size = len > 16384 ? len : 16384;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->next = m->blocks;
		b->used = 0;
		b->size = size;
		m->blocks = b;
	}
	char *dst = b->data + b->used;
	memcpy(dst, key, len);
	b->used += len;
	return dst;
}

static struct slot *find(const struct slot *slots, size_t cap, const char *key,
			 uint32_t h)
{
	size_t i = h & (cap - 1);
	for (;;) {
		const struct slot *s = &slots[i];
		if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
			return (struct slot *)s;
		i = (i + 1) & (cap - 1);
	}
}

static int grow(xf_strmap *m)
{
	size_t cap = m->cap * 2;
	struct slot *slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		*find(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int32_t xf_strmap_get(const xf_strmap *m, const char *key)
{
	const struct slot *s = find(m->slots, m->cap, key, hash_str(key));
	return s->key ? s->value : -1;
}

int32_t xf_strmap_put(xf_strmap *m, const char *key, int32_t value,
		      const char **interned)
{
	uint32_t h = hash_str(key);
	struct slot *s = find(m->slots, m->cap, key, h);
	if (s->key == NULL) {
		if ((m->size + 1) * 10 > m->cap * 7) {
			if (grow(m) != 0)
				return -2;
			s = find(m->slots, m->cap, key, h);
		}
		const char *copy = copy_key(m, key);
		if (copy == NULL)
			return -2;
		s->key = copy;
		s->hash = h;
		s->value = value;
		m->size++;
	}
	if (interned)
		*interned = s->key;
	return s->value;
}

int32_t xf_strmap_intern(xf_strmap *m, const char *key, const char **interned)
{
	return xf_strmap_put(m, key, (int32_t)m->size, interned);
}

size_t xf_strmap_size(const xf_strmap *m)
{
	return m->size;
}
