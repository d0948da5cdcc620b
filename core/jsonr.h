/*
 * jsonr.h — JSON text read into jansson values without jansson's reader,
 * for the texts intake reads by the thousand: every record of an import
 * (rebuilt through the engine), of an export and of a statistics release.
 * jansson's reader takes each character through a stream with a check of
 * its own; for a 2 KiB record that was 150,000 instructions, two fifths
 * of a whole import.
 *
 * jsonr_load(text, len, flags, err) gives what json_loadb gives with the
 * same arguments, for flags 0 or JSON_REJECT_DUPLICATES: the same values
 * in the same order, or NULL. It reads the texts intake writes itself:
 * objects, arrays, strings of valid UTF-8 with the usual escapes, integers
 * that fit a json_int_t, reals, true, false and null, up to JSONR_DEPTH
 * deep. At anything else (an error, \u0000, a lone surrogate, a number
 * out of range, a text nested deeper, no memory) it hands the whole text
 * to json_loadb: every refusal, with its message in *err, is jansson's
 * own, and so is every text this reader does not know to be well formed.
 * *err is set only then.
 *
 * Strings with escapes are unescaped in a buffer of the reader's, which is
 * wiped before it is freed: it held part of a record.
 */
#ifndef INTAKE_JSONR_H
#define INTAKE_JSONR_H

#include <jansson.h>
#include <stddef.h>

#define JSONR_DEPTH 64

json_t *jsonr_load(const char *text, size_t len, size_t flags, json_error_t *err);

/* For tests: how many texts were handed to jansson since the last call. */
size_t jsonr_test_deferred(void);

#endif
