/* num: rounding and checked number parsing. */
#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double xf_round2(double v)
{
	if (!isfinite(v))
		return v;
	double s = v < 0 ? -1.0 : 1.0;
	double r = floor(fabs(v) * 100.0 + 0.5 + 1e-7) / 100.0;
	return s * r;
}

double xf_round0(double v)
{
	if (!isfinite(v))
		return v;
	double s = v < 0 ? -1.0 : 1.0;
	return s * floor(fabs(v) + 0.5 + 1e-9);
}

int xf_parse_double(const char *s, double *out)
{
	const char *p = s;
	if (s == NULL || *s == '\0')
		return -1;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0')
		return -1;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno != 0 || end != p || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

void xf_format_num(double v, char *buf)
{
	if (!isfinite(v)) {
		strcpy(buf, "null");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0.0" */
	if (fabs(v) >= 1e15) {
		snprintf(buf, 32, "%.17g", v);
		return;
	}
	snprintf(buf, 32, "%.2f", v);
	size_t n = strlen(buf);
	/* "14.00" -> "14.0", "14.50" -> "14.5"; keep one decimal. */
	if (n >= 2 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n >= 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
}

const char *xf_format_short(double v, char buf[32])
{
	xf_format_num(xf_round2(v), buf);
	size_t n = strlen(buf);
	if (n >= 2 && buf[n - 1] == '0' && buf[n - 2] == '.')
		buf[n - 2] = '\0';
	return buf;
}
