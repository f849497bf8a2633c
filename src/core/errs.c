/* errs: an ordered, bounded list of user-facing error messages. */
#include "core/errs.h"

#include <stdlib.h>
#include <string.h>

void xf_errs_init(xf_errs *e)
{
	memset(e, 0, sizeof(*e));
}

void xf_errs_cleanup(xf_errs *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	memset(e, 0, sizeof(*e));
}

void xf_errs_vadd(xf_errs *e, const char *fmt, va_list ap)
{
	if (e->n >= XF_ERRS_MAX) {
		e->dropped++;
		return;
	}
	if (e->msgs == NULL) {
		e->msgs = calloc(XF_ERRS_MAX, sizeof(*e->msgs));
		if (e->msgs == NULL) {
			e->dropped++;
			return;
		}
	}
	va_list aq;
	va_copy(aq, ap);
	int len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *msg = len < 0 ? NULL : malloc((size_t)len + 1);
	if (msg == NULL) {
		e->dropped++;
		return;
	}
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	e->msgs[e->n++] = msg;
}

void xf_errs_add(xf_errs *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xf_errs_vadd(e, fmt, ap);
	va_end(ap);
}

void xf_errs_append(xf_errs *e, const xf_errs *from)
{
	for (size_t i = 0; i < from->n; i++)
		xf_errs_add(e, "%s", from->msgs[i]);
	e->dropped += from->dropped;
	e->internal = e->internal || from->internal;
}

size_t xf_errs_count(const xf_errs *e)
{
	return e->n + e->dropped;
}

void xf_errs_print(const xf_errs *e, const char *prefix, FILE *out)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(out, "%s%s\n", prefix ? prefix : "", e->msgs[i]);
	if (e->dropped)
		fprintf(out, "%s另有 %zu 个问题未列出 (%zu more problems not shown)\n",
			prefix ? prefix : "", e->dropped, e->dropped);
}
