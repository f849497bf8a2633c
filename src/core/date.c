/* date: strict date parsing and month sets. */
#include "core/date.h"

#include <time.h>

#include <string.h>

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int xf_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Reads exactly n decimal digits. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int xf_month_parse(const char *s, int *year, int *month)
{
	int y, m;
	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m))
		return -1;
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	*year = y;
	*month = m;
	return 0;
}

int xf_date_parse(const char *s, xf_date *out)
{
	int y, m, d;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	if (d < 1 || d > xf_days_in_month(y, m))
		return -1;
	*out = y * 10000 + m * 100 + d;
	return 0;
}

xf_monthset xf_monthset_range(int year, xf_date from, xf_date to)
{
	if (from == 0 || to == 0 || to < from)
		return 0;
	int fy = XF_DATE_YEAR(from), ty = XF_DATE_YEAR(to);
	if (fy > year || ty < year)
		return 0;
	int fm = fy < year ? 1 : XF_DATE_MONTH(from);
	int tm = ty > year ? 12 : XF_DATE_MONTH(to);
	xf_monthset s = 0;
	for (int m = fm; m <= tm; m++)
		s |= (xf_monthset)(1u << (m - 1));
	return s;
}

int xf_monthset_count(xf_monthset s)
{
	return __builtin_popcount((unsigned)s);
}

const char *xf_iso_utc(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t != 0 && gmtime_r(&tt, &tm) != NULL &&
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
	return out;
}

const char *xf_date_text(xf_date d, char buf[11])
{
	unsigned y = (unsigned)XF_DATE_YEAR(d) % 10000u, m = (unsigned)XF_DATE_MONTH(d) % 100u,
		 day = (unsigned)XF_DATE_DAY(d) % 100u;
	const unsigned digits[8] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10,
				    m / 10, m % 10, day / 10, day % 10};
	static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
	for (int i = 0; i < 8; i++)
		buf[at[i]] = (char)('0' + digits[i]);
	buf[4] = buf[7] = '-';
	buf[10] = '\0';
	return buf;
}

xf_date xf_date_next(xf_date d)
{
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), day = XF_DATE_DAY(d);
	if (day < xf_days_in_month(y, m))
		return d + 1;
	if (m < 12)
		return y * 10000 + (m + 1) * 100 + 1;
	return (y + 1) * 10000 + 101;
}

xf_date xf_date_prev(xf_date d)
{
	int y = XF_DATE_YEAR(d), m = XF_DATE_MONTH(d), day = XF_DATE_DAY(d);
	if (day > 1)
		return d - 1;
	if (m > 1)
		return y * 10000 + (m - 1) * 100 + xf_days_in_month(y, m - 1);
	return (y - 1) * 10000 + 1231;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long xf_date_days(xf_date a, xf_date b)
{
	return days_from_civil(XF_DATE_YEAR(b), XF_DATE_MONTH(b), XF_DATE_DAY(b)) -
	       days_from_civil(XF_DATE_YEAR(a), XF_DATE_MONTH(a), XF_DATE_DAY(a));
}
