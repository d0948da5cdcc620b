/*
 * fuzz_casecode.c — the parsers of typed input in vault.h: case codes, user
 * names and passphrases. Checks that a code accepted once is accepted again
 * in its canonical form with the same meaning, and that nothing crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), msg[VAULT_MSG_MAX];
	struct case_code code, again;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (case_code_parse(text, &code, msg, sizeof msg) == ST_OK) {
		if (strlen(code.s) != VAULT_CODE_LEN ||
		    case_code_parse(code.s, &again, NULL, 0) != ST_OK ||
		    strcmp(code.s, again.s) != 0)
			abort();
	} else if (msg[0] == '\0') {
		abort();
	}
	if (vault_check_user_name(text, msg, sizeof msg) == ST_OK &&
	    (strlen(text) == 0 || strlen(text) > VAULT_USER_MAX))
		abort();
	if (vault_check_passphrase((const char *)data, size, msg, sizeof msg) == ST_OK &&
	    (size < VAULT_PASS_MIN || size > VAULT_PASS_MAX))
		abort();
	free(text);
	return 0;
}
