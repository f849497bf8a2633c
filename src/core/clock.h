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

/* Now as the text the database keeps timestamps in, UTC to the
 * millisecond ("2026-11-24T02:05:03.123Z", as SQLite's
 * strftime('%Y-%m-%dT%H:%M:%fZ')), with the test offset. Returns out. */
const char *xf_clock_stamp(char out[32]);

#endif
