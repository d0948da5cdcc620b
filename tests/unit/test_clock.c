/* Unit tests for core/clock.c: its text agrees with the C library's UTC
 * calendar, its parsers take back exactly what it writes, and (this binary
 * links the test clock) INTAKE_TEST_NOW fixes clock_now(). */
#include "testutil.h"
#include "clock.h"

/* What the C library writes for t in the shape of `style`. */
static void
libc_text(time_t t, enum clock_style style, char *buf, size_t len)
{
	struct tm tm;
	size_t n = 0;

	assert_non_null(gmtime_r(&t, &tm));
	switch (style) {
	case CLOCK_ISO: n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm); break;
	case CLOCK_SECONDS: n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm); break;
	case CLOCK_MINUTES: n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm); break;
	case CLOCK_DAY: n = strftime(buf, len, "%Y-%m-%d", &tm); break;
	}
	assert_true(n > 0);
}

/* Every style, at every edge of the calendar and at spread times, agrees
 * byte for byte with gmtime + strftime; every ISO text reads back. */
static void
text_agrees_with_libc(void **state)
{
	static const time_t edges[] = {
		0, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800,
		1709164800 /* 2024-02-29 */, 4107542399 /* 2100-02-28T23:59:59 */,
		4107542400, 4294967295, 4294967296, 253402300799, 1790000000,
	};
	char want[64], got[CLOCK_TEXT_SIZE];
	unsigned long long x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < 100000 + sizeof edges / sizeof *edges; i++) {
		time_t t, back;

		if (i < sizeof edges / sizeof *edges)
			t = edges[i];
		else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (time_t)(x % (unsigned long long)(CLOCK_MAX + 1));
		}
		for (int s = CLOCK_ISO; s <= CLOCK_DAY; s++) {
			libc_text(t, (enum clock_style)s, want, sizeof want);
			assert_true(clock_format(t, (enum clock_style)s, got));
			assert_string_equal(got, want);
		}
		clock_format(t, CLOCK_ISO, got);
		assert_true(clock_parse_iso(got, strlen(got), &back));
		assert_int_equal(back, t);
		assert_true(clock_parse_day(got, 10, &back));
		assert_int_equal(back, t - t % 86400);
	}
}

static void
out_of_range_has_no_text(void **state)
{
	char got[CLOCK_TEXT_SIZE] = "x";

	(void)state;
	assert_false(clock_format(-1, CLOCK_ISO, got));
	assert_string_equal(got, "");
	assert_false(clock_format(CLOCK_MAX + 1, CLOCK_SECONDS, got));
	assert_string_equal(got, "");
}

/* Only the exact shape of a real time is read; nothing looser. */
static void
parsers_refuse_near_misses(void **state)
{
	static const char *bad_iso[] = {
		"", "2026-03-01T09:30:05", "2026-03-01T09:30:05Z ", " 2026-03-01T09:30:05Z",
		"2026-3-01T09:30:05Z", "2026-03-01 09:30:05Z", "2026-02-29T00:00:00Z",
		"1969-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-03-01T24:00:00Z", "2026-03-01T09:60:00Z", "2026-03-01T09:30:60Z",
		"2026-03-00T09:30:05Z", "+026-03-01T09:30:05Z",
	};
	static const char *bad_day[] = {
		"", "0000-01-01", "2026-02-29", "1900-02-29", "2026-1-01", "2026-01-01T",
		"2026/01/01", "2026-00-10", "2026-06-31",
	};
	time_t t;

	(void)state;
	for (size_t i = 0; i < sizeof bad_iso / sizeof *bad_iso; i++)
		assert_false(clock_parse_iso(bad_iso[i], strlen(bad_iso[i]), &t));
	for (size_t i = 0; i < sizeof bad_day / sizeof *bad_day; i++)
		assert_false(clock_parse_day(bad_day[i], strlen(bad_day[i]), NULL));
	assert_true(clock_parse_day("2000-02-29", 10, NULL));
	assert_true(clock_parse_day("0001-01-01", 10, &t));
	assert_true(t < 0);
	assert_true(clock_parse_day("1970-01-02", 10, &t));
	assert_int_equal(t, 86400);
	/* The length given is the whole text: a longer string is refused. */
	assert_false(clock_parse_iso("2026-03-01T09:30:05Zjunk", 24, &t));
	assert_true(clock_parse_iso("2026-03-01T09:30:05Zjunk", 20, &t));
}

static void
test_clock_follows_intake_test_now(void **state)
{
	time_t before;

	(void)state;
	setenv("INTAKE_TEST_NOW", "1000000000", 1);
	assert_int_equal(clock_now(), 1000000000);
	/* Anything but digits that fit leaves the system clock in charge. */
	setenv("INTAKE_TEST_NOW", "1000000000x", 1);
	before = time(NULL);
	assert_true(clock_now() >= before);
	setenv("INTAKE_TEST_NOW", "253402300800", 1);
	assert_true(clock_now() >= before);
	unsetenv("INTAKE_TEST_NOW");
	assert_true(clock_now() >= before);
	assert_true(clock_now_ms() / 1000 >= (uint64_t)before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_agrees_with_libc),
		cmocka_unit_test(out_of_range_has_no_text),
		cmocka_unit_test(parsers_refuse_near_misses),
		cmocka_unit_test(test_clock_follows_intake_test_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
