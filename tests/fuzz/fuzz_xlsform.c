/*
 * Imports any bytes as an XLSForm workbook. Crashes, leaks, undefined
 * behaviour and runaway memory are the findings; so is a YAML form handed
 * out that the form loader then refuses, or a failure with no error said.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "xlsform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl;
	char *yaml = NULL;
	size_t len = 0;
	enum status st;

	diag_list_init(&dl);
	st = xlsform_import_buffer("fuzz.xlsx", data, size, NULL, &yaml, &len, &dl);
	if (st == ST_OK) {
		struct form *f = NULL;

		if (yaml == NULL || strlen(yaml) != len ||
		    form_load_buffer("fuzz.xlsx", yaml, len, &f, NULL) != ST_OK)
			abort();
		form_free(f);
	} else if (yaml != NULL || (st == ST_INVALID && dl.errors == 0)) {
		abort();
	}
	free(yaml);
	diag_list_free(&dl);
	return 0;
}
