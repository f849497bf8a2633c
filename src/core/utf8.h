/* utf8: checking UTF-8 text, one definition for every reader (case files,
 * policies, settings, CSV, request bodies, names and passwords). Valid
 * means well-formed: no overlong forms, no surrogates (U+D800..DFFF),
 * nothing past U+10FFFF, no truncated sequence. Also the small text
 * helpers the services share (blank, equal, append). */
#ifndef XF_CORE_UTF8_H
#define XF_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the well-formed character at s, reading at most n
 * bytes (n >= 1), or 0 when it is not one. Stops at a NUL, so n may
 * exceed what is left of a NUL-terminated string. */
size_t xf_utf8_char_len(const unsigned char *s, size_t n);

/* Offset of the first byte of p[0..n) that is not part of valid UTF-8, or
 * n when all of it is valid. Fast on ASCII runs. */
size_t xf_utf8_invalid_at(const void *p, size_t n);

/* Characters of the NUL-terminated s, or -1 when it is not valid UTF-8. */
long xf_utf8_chars(const char *s);

/* Characters of s when it is valid UTF-8 text without control characters
 * (newline, carriage return and tab allowed when multiline; DEL never);
 * -1 otherwise. For free text fields of forms. */
long xf_utf8_text_chars(const char *s, bool multiline);

/* Appends printf output to buf (size bytes, NUL-terminated), cutting it
 * where buf is full. */
void xf_text_appendf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether two texts are equal, NULL equal only to NULL. */
bool xf_text_same(const char *a, const char *b);

/* Whether s has nothing but spaces, tabs, carriage returns and newlines
 * (also when it is empty): a text field left blank. */
bool xf_text_blank(const char *s);

/* How many bytes of s to show in a message: all of it up to max bytes,
 * else the longest prefix of at most max that does not split a character. */
size_t xf_utf8_prefix(const char *s, size_t max);

#endif
