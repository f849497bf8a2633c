/* clock: the time the server goes by, in Unix seconds.
 *
 * Session expiry and lockouts are tested over real HTTP by moving this
 * clock: when the environment variable XUEFEN_TEST_CLOCK_FILE names a file,
 * the file's content (a number of seconds, may be negative) is added to the
 * system time on every call. The variable is read once, at the first call;
 * it is for tests and nothing else reads it. */
#ifndef XF_CORE_CLOCK_H
#define XF_CORE_CLOCK_H

#include <time.h>

/* Now, in Unix seconds, with the test offset when one is set. */
time_t xf_clock_now(void);

#endif
