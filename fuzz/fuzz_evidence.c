/* fuzz_evidence: libFuzzer target for the evidence checks
 * (src/service/evidence.c): the content sniffer (ZIP central directory,
 * OLE2 directory sector), the name sanitiser and the upload check that
 * joins them. The input is passed with its exact length and no
 * terminator, so reading past it shows up under ASan. It is used both as
 * a file's content and as its raw name. Every sanitised name must be
 * short, valid UTF-8, a single path component without control characters
 * or leading/trailing dots and spaces, and sanitising it again must give
 * it back unchanged; a check that passes must agree with the sniffer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"
#include "service/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean_or_trap(const char *s, size_t n)
{
	if (n != strlen(s) || n > XF_EVIDENCE_NAME_MAX || xf_utf8_invalid_at(s, n) != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			__builtin_trap();
	}
	if (n > 0 && (s[0] == '.' || s[0] == ' ' || s[n - 1] == '.' || s[n - 1] == ' '))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xf_evidence_type t = xf_evidence_sniff(data, size);
	if ((int)t < XF_EV_NONE || (int)t > XF_EV_OLE)
		__builtin_trap();

	char out[XF_EVIDENCE_NAME_MAX + 1], again[XF_EVIDENCE_NAME_MAX + 1];
	size_t n = xf_evidence_sanitize_name((const char *)data, size, out, sizeof(out));
	clean_or_trap(out, n);
	size_t m = xf_evidence_sanitize_name(out, n, again, sizeof(again));
	if (m != n || memcmp(out, again, n) != 0)
		__builtin_trap(); /* idempotent */

	xf_errs errs;
	xf_errs_init(&errs);
	char name[XF_EVIDENCE_NAME_MAX + 1];
	xf_evidence_type t2;
	int rc = xf_evidence_check(data, size, (const char *)data, size, &t2, name, &errs);
	if (t2 != t || (rc == 0) != (xf_errs_count(&errs) == 0))
		__builtin_trap(); /* failure always says why, success never */
	clean_or_trap(name, strlen(name));
	if (rc == 0 && (t == XF_EV_NONE || !xf_evidence_ext_ok(t, name)))
		__builtin_trap();
	if (rc == 0 && xf_evidence_mime(t, name) == NULL)
		__builtin_trap();
	xf_errs_cleanup(&errs);
	return 0;
}
