/*
 * clock.c — the system clock (or, in test builds only, INTAKE_TEST_NOW) and
 * UTC time text in calendar arithmetic: no time zone, locale or libc
 * formatting takes part, so the text is the same on every machine.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#ifdef INTAKE_TEST_CLOCK
/* INTAKE_TEST_NOW as seconds, when it is set to digits that fit. */
static bool
test_now(time_t *out)
{
	const char *t = getenv("INTAKE_TEST_NOW");
	long long v = 0;
	size_t i;

	if (t == NULL || *t == '\0')
		return false;
	for (i = 0; t[i] >= '0' && t[i] <= '9' && i < 12; i++)
		v = v * 10 + (t[i] - '0');
	if (t[i] != '\0' || v > CLOCK_MAX)
		return false;
	*out = (time_t)v;
	return true;
}
#endif

time_t
clock_now(void)
{
#ifdef INTAKE_TEST_CLOCK
	time_t fixed;

	if (test_now(&fixed))
		return fixed;
#endif
	return time(NULL);
}

uint64_t
clock_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- calendar ---------------------------------------------------------- */

static const unsigned short month_start[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};

static bool
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years from year 1 to year n (n >= 0). */
static long
leaps_through(long n)
{
	return n / 4 - n / 100 + n / 400;
}

/* Days from 1970-01-01 to the first of January of year y >= 1 (negative
 * before 1970). */
static long
days_before_year(long y)
{
	return 365 * (y - 1970) + leaps_through(y - 1) - leaps_through(1969);
}

/* Days from the first of January to the first of month m (1-12). */
static long
days_before_month(long y, int m)
{
	return month_start[m - 1] + (m > 2 && leap(y));
}

static int
days_in_month(long y, int m)
{
	return m == 12 ? 31 : (int)(days_before_month(y, m + 1) - days_before_month(y, m));
}

static void
two(char *p, long v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* YYYY-MM-DD into out[0..9]. */
static void
put_day(char *out, long y, long m, long d)
{
	two(out, y / 100);
	two(out + 2, y % 100);
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
}

bool
clock_format(time_t t, enum clock_style style, char out[CLOCK_TEXT_SIZE])
{
	long days, sec, y;
	int m = 12;

	out[0] = '\0';
	if (t < 0 || (long long)t > CLOCK_MAX)
		return false;
	days = (long)(t / 86400);
	sec = (long)(t % 86400);
	/* No year has 366 days too few: y starts at or below the answer. */
	y = 1970 + days / 366;
	while (days_before_year(y + 1) <= days)
		y++;
	days -= days_before_year(y);
	while (m > 1 && days_before_month(y, m) > days)
		m--;
	put_day(out, y, m, days - days_before_month(y, m) + 1);
	if (style == CLOCK_DAY) {
		out[10] = '\0';
		return true;
	}
	out[10] = style == CLOCK_ISO ? 'T' : ' ';
	two(out + 11, sec / 3600);
	out[13] = ':';
	two(out + 14, sec / 60 % 60);
	if (style == CLOCK_MINUTES) {
		out[16] = '\0';
		return true;
	}
	out[16] = ':';
	two(out + 17, sec % 60);
	if (style == CLOCK_ISO) {
		out[19] = 'Z';
		out[20] = '\0';
	} else
		out[19] = '\0';
	return true;
}

bool
clock_local_day(time_t t, char out[CLOCK_TEXT_SIZE])
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year + 1900L < 1 || tm.tm_year + 1900L > 9999) {
		memcpy(out, "1970-01-01", 11);
		return false;
	}
	put_day(out, tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday);
	out[10] = '\0';
	return true;
}

/* Reads s against shape, where 'd' is a digit and anything else itself;
 * the runs of digits go to v in order. */
static bool
read_shape(const char *s, size_t len, const char *shape, long v[6])
{
	size_t k = 0;

	if (len != strlen(shape))
		return false;
	memset(v, 0, 6 * sizeof *v);
	for (size_t i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[k] = v[k] * 10 + (s[i] - '0');
		} else if (s[i] != shape[i])
			return false;
		else if (k < 5)
			k++;
	}
	return true;
}

static bool
real_day(const long v[3])
{
	return v[0] >= 1 && v[1] >= 1 && v[1] <= 12 && v[2] >= 1 &&
	    v[2] <= days_in_month(v[0], (int)v[1]);
}

static long long
day_seconds(const long v[3])
{
	return (days_before_year(v[0]) + days_before_month(v[0], (int)v[1]) + v[2] - 1) * 86400LL;
}

bool
clock_parse_iso(const char *s, size_t len, time_t *out)
{
	long v[6];

	if (s == NULL || !read_shape(s, len, "dddd-dd-ddTdd:dd:ddZ", v) || v[0] < 1970 ||
	    !real_day(v) || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return false;
	*out = (time_t)(day_seconds(v) + v[3] * 3600 + v[4] * 60 + v[5]);
	return true;
}

bool
clock_parse_day(const char *s, size_t len, time_t *out)
{
	long v[6];

	if (s == NULL || !read_shape(s, len, "dddd-dd-dd", v) || !real_day(v))
		return false;
	if (out != NULL)
		*out = (time_t)day_seconds(v);
	return true;
}
