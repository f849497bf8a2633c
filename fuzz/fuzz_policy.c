/* fuzz_policy: libFuzzer target for the policy YAML reader. Any input must
 * either load (and then print with xf_policy_show) or be refused with
 * messages; never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_policy *p = xf_policy_parse((const char *)data, size, "fuzz.yaml",
				       &errs);
	if (p != NULL) {
		FILE *out = fopen("/dev/null", "w");
		if (out != NULL) {
			xf_policy_show(p, out);
			fclose(out);
		}
		xf_policy_free(p);
	} else if (xf_errs_count(&errs) == 0) {
		__builtin_trap(); /* refused without saying why */
	}
	xf_errs_cleanup(&errs);
	return 0;
}
