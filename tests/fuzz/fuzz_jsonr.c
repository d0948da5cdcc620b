/*
 * Feeds any bytes to the JSON reader and to jansson's, with both flags
 * intake uses: both refuse them, or both give values that dump to the
 * same text.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t flags[] = { 0, JSON_REJECT_DUPLICATES };

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		json_t *a = jsonr_load((const char *)data, size, flags[i], NULL);
		json_t *b = json_loadb((const char *)data, size, flags[i], NULL);
		char *da = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
		char *db = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;

		if ((a == NULL) != (b == NULL) || (da == NULL) != (db == NULL) ||
		    (da != NULL && strcmp(da, db) != 0)) {
			fprintf(stderr, "jsonr: %s\njansson: %s\n", da ? da : "(refused)",
			    db ? db : "(refused)");
			abort();
		}
		free(da);
		free(db);
		json_decref(a);
		json_decref(b);
	}
	return 0;
}
