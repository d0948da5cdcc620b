/*
 * fuzz_envelope.c — any bytes opened as a vault item (record, summary,
 * draft, history, form), through the vault's own envelope reader, with a
 * fixed vault id and key.
 *
 * Input: byte 0 picks the kind, byte 1 the length of the LMDB key the item
 * is stored under, then that key, then the envelope. Checks: nothing
 * crashes; an envelope that opens seals again for the same slot into one
 * that opens to the same owner and content; a failure is ST_TAMPERED (or
 * ST_NOMEM) with nothing returned.
 *
 * INTAKE_FUZZ_WRITE_SEEDS=DIR writes valid envelopes of every kind there
 * (how tests/fuzz/corpus/envelope was made).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const kinds[] = { "record", "summary", "draft", "history", "form" };
static const unsigned char vault_id[VAULT_ID_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
static const unsigned char vault_key[32] = {
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
};

#define KEY_LIMIT (VAULT_USER_MAX + 1 + VAULT_ID_BYTES)

static void
write_seeds(const char *dir)
{
	static const char *const contents[] = {
		"{\"id\":\"00\",\"answers\":{\"q\":\"yes\"}}", "{\"status\":\"final\"}",
		"{\"position\":\"q1\"}", "{\"old\":1}", "id: f\nversion: 1\n",
	};
	unsigned char slot[KEY_LIMIT];
	char path[4096];

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t slotlen = k == 2 || k == 3 ? 20 : k == 4 ? 32 : 16;
		unsigned char *env;
		size_t len;
		FILE *f;

		for (size_t i = 0; i < slotlen; i++)
			slot[i] = (unsigned char)(i * 7 + k);
		if (vault_test_envelope_seal(vault_id, vault_key, kinds[k], slot, slotlen, "ana",
		    contents[k], strlen(contents[k]), &env, &len) != ST_OK)
			abort();
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, kinds[k]) >= sizeof path ||
		    (f = fopen(path, "wb")) == NULL)
			abort();
		fputc((int)k, f);
		fputc((int)slotlen, f);
		fwrite(slot, 1, slotlen, f);
		fwrite(env, 1, len, f);
		fclose(f);
		free(env);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("INTAKE_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (dir != NULL)
		write_seeds(dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char owner[VAULT_USER_MAX + 1], owner2[VAULT_USER_MAX + 1], *plain, *again;
	unsigned char *env;
	const char *kind;
	size_t slotlen, plen, alen, elen;
	enum status st;

	if (size < 2)
		return 0;
	kind = kinds[data[0] % (sizeof kinds / sizeof kinds[0])];
	slotlen = data[1] % (KEY_LIMIT + 1);
	if (size < 2 + slotlen)
		return 0;
	st = vault_test_envelope_open(vault_id, vault_key, kind, data + 2, slotlen,
	    data + 2 + slotlen, size - 2 - slotlen, owner, &plain, &plen);
	if (st != ST_OK) {
		if ((st != ST_TAMPERED && st != ST_NOMEM) || plain != NULL || plen != 0)
			abort();
		return 0;
	}
	if (plain == NULL || plain[plen] != '\0' || strlen(owner) > VAULT_USER_MAX)
		abort();
	if (vault_test_envelope_seal(vault_id, vault_key, kind, data + 2, slotlen, owner, plain,
	    plen, &env, &elen) != ST_OK ||
	    vault_test_envelope_open(vault_id, vault_key, kind, data + 2, slotlen, env, elen,
	    owner2, &again, &alen) != ST_OK ||
	    alen != plen || memcmp(again, plain, plen) != 0 || strcmp(owner, owner2) != 0)
		abort();
	vault_plain_free(again, alen);
	vault_plain_free(plain, plen);
	free(env);
	return 0;
}
