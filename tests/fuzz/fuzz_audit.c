/*
 * fuzz_audit.c — the decoder of audit entries, the head text parser and the
 * reason check. An entry that decodes must encode back to the same bytes
 * (one layout per entry), and its description must stay free of control
 * characters whatever the bytes held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char again[AUDIT_ENTRY_MAX];
	struct vault_audit_head head;
	struct audit_entry e;
	char *text, desc[1024], msg[VAULT_MSG_MAX];
	size_t len;

	if (audit_decode(data, size, &e) == ST_OK) {
		if (audit_encode(&e, again, sizeof again, &len) != ST_OK || len != size ||
		    memcmp(again, data, size) != 0)
			abort();
		audit_describe(&e, desc, sizeof desc);
		for (const unsigned char *p = (const unsigned char *)desc; *p; p++)
			if (*p < 0x20 || *p == 0x7F)
				abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (audit_head_parse(text, &head) == ST_OK && head.seq == 0)
		abort();
	if (vault_check_reason(text, msg, sizeof msg) == ST_OK &&
	    (text[0] == '\0' || strlen(text) > VAULT_REASON_MAX))
		abort();
	free(text);
	return 0;
}
