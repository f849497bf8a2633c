/* clock: the server's time, movable by tests (see clock.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

static const char *offset_file;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
	const char *f = getenv("XUEFEN_TEST_CLOCK_FILE");
	offset_file = (f && *f) ? f : NULL;
}

static long long file_offset(void)
{
	FILE *f = fopen(offset_file, "r");
	if (f == NULL)
		return 0;
	char buf[32];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	char *end;
	long long v = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf)
		return 0;
	return v;
}

time_t xf_clock_now(void)
{
	pthread_once(&once, read_env);
	time_t t = time(NULL);
	if (offset_file)
		t += (time_t)file_offset();
	return t;
}

const char *xf_clock_stamp(char out[32])
{
	pthread_once(&once, read_env);
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		ts.tv_sec = time(NULL);
		ts.tv_nsec = 0;
	}
	time_t t = ts.tv_sec;
	if (offset_file)
		t += (time_t)file_offset();
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL) {
		memcpy(out, "1970-01-01T00:00:00.000Z", 25);
		return out;
	}
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
	return out;
}
