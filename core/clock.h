/*
 * clock.h — the one clock Intake reads, and the one writer and reader of
 * its time text.
 *
 * Every time a record, audit entry, vault or bundle carries comes from
 * clock_now(). The program reads only the system clock: nothing in its
 * environment can date a record. Test programs link a build of this module
 * compiled with -DINTAKE_TEST_CLOCK, in which INTAKE_TEST_NOW=<unix seconds>
 * (digits only, up to 9999-12-31T23:59:59Z) fixes clock_now(); the Makefile
 * keeps that object out of libintake.a and out of the installed binary.
 *
 * Times are written in UTC, in one of the clock_style shapes below, with
 * four-digit years: only 1970-01-01T00:00:00Z to CLOCK_MAX has a text.
 * clock_parse_iso() accepts exactly what clock_format(CLOCK_ISO) writes, so
 * text read back is written back byte for byte.
 */
#ifndef INTAKE_CLOCK_H
#define INTAKE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 9999-12-31T23:59:59Z: the last time with a four-digit year. */
#define CLOCK_MAX 253402300799LL

/* Bytes of the longest text clock_format() writes, with its NUL. */
#define CLOCK_TEXT_SIZE 21

enum clock_style {
	CLOCK_ISO,     /* 2026-03-01T09:30:05Z, what records and bundles store */
	CLOCK_SECONDS, /* 2026-03-01 09:30:05 */
	CLOCK_MINUTES, /* 2026-03-01 09:30 */
	CLOCK_DAY      /* 2026-03-01 */
};

/* Seconds since 1970-01-01T00:00:00Z (fixed by INTAKE_TEST_NOW in test
 * builds only). */
time_t clock_now(void);

/* Milliseconds since 1970 from the system clock, in every build: it paces
 * waits between attempts, which a fixed clock would make endless. */
uint64_t clock_now_ms(void);

/* Writes t as UTC text in `style` into out. False, with out "", when t is
 * before 1970 or after CLOCK_MAX. */
bool clock_format(time_t t, enum clock_style style, char out[CLOCK_TEXT_SIZE]);

/* The local calendar date of t, as YYYY-MM-DD (what today() gives forms);
 * "1970-01-01" when the system cannot say, with false. */
bool clock_local_day(time_t t, char out[CLOCK_TEXT_SIZE]);

/* Exactly the len bytes "YYYY-MM-DDTHH:MM:SSZ" of a real UTC time from
 * 1970 to CLOCK_MAX: its seconds in *out. False for anything else. */
bool clock_parse_iso(const char *s, size_t len, time_t *out);

/* Exactly the len bytes "YYYY-MM-DD" of a real date in years 0001-9999: the
 * seconds of its midnight UTC in *out (negative before 1970; out may be
 * NULL to only check). False for anything else. */
bool clock_parse_day(const char *s, size_t len, time_t *out);

#endif
