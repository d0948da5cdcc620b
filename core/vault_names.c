/*
 * vault_names.c — the rules of vault.h that need no vault: user names,
 * passphrases, role names, case codes and record ids as text, and amend or
 * delete reasons. Nothing here touches LMDB or a handle; audit.c uses it
 * to describe entries.
 */
#include <string.h>
#include <unictype.h>
#include <unistr.h>

#include "textcheck.h"
#include "vault_int.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ---- names, passphrases, roles ---------------------------------------- */

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_SUPERVISOR:  return "supervisor";
	case ROLE_INTERVIEWER: return "interviewer";
	case ROLE_TRAINER:     return "trainer";
	}
	return "unknown";
}

enum status
role_parse(const char *s, enum role *out)
{
	static const enum role all[] = { ROLE_SUPERVISOR, ROLE_INTERVIEWER, ROLE_TRAINER };

	for (size_t i = 0; s != NULL && i < sizeof all / sizeof all[0]; i++) {
		if (strcmp(s, role_name(all[i])) == 0) {
			*out = all[i];
			return ST_OK;
		}
	}
	return ST_INVALID;
}

enum status
vault_check_user_name(const char *name, char *msg, size_t msglen)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t len, i, pos;
	ucs4_t uc = 0, first = 0;
	int n;

	if (name == NULL || name[0] == '\0')
		return status_fail(msg, msglen, ST_INVALID, "the user name is empty: give a name of 1 to %d bytes",
		    VAULT_USER_MAX);
	len = strlen(name);
	if (len > VAULT_USER_MAX)
		return status_fail(msg, msglen, ST_INVALID,
		    "the user name is %zu bytes long; at most %d bytes are allowed "
		    "(about 21 Lao, Thai or Chinese characters)", len, VAULT_USER_MAX);
	if (u8_check(s, len) != NULL)
		return status_fail(msg, msglen, ST_INVALID,
		    "the user name is not valid UTF-8: check the terminal's character encoding");
	if (name[0] == '-')
		return status_fail(msg, msglen, ST_INVALID,
		    "the user name cannot start with '-' (it would read as an option)");
	for (i = 0, pos = 1; i < len; i += (size_t)n, pos++) {
		n = u8_mbtouc(&uc, s + i, len - i);
		if (i == 0)
			first = uc;
		/* The hidden characters of textcheck.h (the one rule) would let
		 * two different names look the same. */
		if (textcheck_is_hidden(uc))
			return status_fail(msg, msglen, ST_INVALID,
			    "the user name contains a control or invisible formatting character "
			    "(character %zu): use letters, digits and punctuation", pos);
		if (textcheck_is_invisible(uc))
			return status_fail(msg, msglen, ST_INVALID,
			    "the user name contains a character that shows nothing (U+%04lX, "
			    "character %zu), so two different names could look the same: remove it",
			    (unsigned long)uc, pos);
	}
	if (uc_is_property_white_space(first) || uc_is_property_white_space(uc))
		return status_fail(msg, msglen, ST_INVALID,
		    "the user name starts or ends with a space: remove it");
	return ST_OK;
}

/*
 * Passphrases. Argon2id makes each guess cost about half a second, but that
 * only multiplies the work: a short passphrase is still found by an attacker
 * who has the vault file and time. VAULT_PASS_MIN is 10 characters because
 * that is what an interviewer can type reliably on a phone or a borrowed
 * keyboard while being long enough for a few words ("mango river 42" is
 * better than "M@ngo1"). Characters are Unicode code points, so Lao, Thai
 * and Chinese passphrases count fairly. Passphrases are used as exact bytes
 * (no normalisation), the same on every terminal that types them alike.
 */
enum status
vault_check_passphrase(const char *pass, size_t len, char *msg, size_t msglen)
{
	size_t chars;

	if (pass == NULL || len == 0)
		return status_fail(msg, msglen, ST_INVALID,
		    "the passphrase is empty: use at least %d characters, for example a few words",
		    VAULT_PASS_MIN);
	if (len > VAULT_PASS_MAX)
		return status_fail(msg, msglen, ST_INVALID,
		    "the passphrase is %zu bytes long; at most %d bytes are allowed", len, VAULT_PASS_MAX);
	if (u8_check((const uint8_t *)pass, len) != NULL)
		return status_fail(msg, msglen, ST_INVALID,
		    "the passphrase is not valid UTF-8: check the terminal's character encoding");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pass[i];
		if (c < 0x20 || c == 0x7F)
			return status_fail(msg, msglen, ST_INVALID,
			    "the passphrase contains a control character (such as a tab or a line break)");
	}
	chars = u8_mbsnlen((const uint8_t *)pass, len);
	if (chars < VAULT_PASS_MIN)
		return status_fail(msg, msglen, ST_INVALID,
		    "the passphrase is too short: %zu characters, at least %d are needed "
		    "(a few words are easy to remember)", chars, VAULT_PASS_MIN);
	return ST_OK;
}

/* ---- case codes --------------------------------------------------------- */

/* Multiplication by x in GF(32) modulo x^5 + x^2 + 1. The check symbol makes
 * sum(x^(9-i) * d_i) vanish: every single wrong symbol and every swap of two
 * neighbours (or of symbols two apart) changes the sum, so it is caught. */
static unsigned
gf32_mulx(unsigned a)
{
	return ((a << 1) & 0x1F) ^ ((a & 0x10) ? 0x05 : 0);
}

static unsigned
code_fold(const unsigned *d, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++)
		r = gf32_mulx(r) ^ d[i];
	return r;
}

void
vault_code_format(const unsigned d[9], struct case_code *out)
{
	size_t j = 0;

	for (size_t i = 0; i < 9; i++) {
		if (i == 4 || i == 8)
			out->s[j++] = '-';
		out->s[j++] = crockford[d[i]];
	}
	out->s[j] = '\0';
}

void
record_id_code(const struct record_id *id, struct case_code *out)
{
	uint64_t bits = 0;
	unsigned d[9];

	for (size_t i = 0; i < CODE_BYTES; i++)
		bits = bits << 8 | id->b[i];
	for (size_t i = 0; i < 8; i++)
		d[i] = (unsigned)(bits >> (35 - 5 * i)) & 0x1F;
	d[8] = gf32_mulx(code_fold(d, 8));
	vault_code_format(d, out);
}

static int
crockford_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		return 0;
	if (c == 'I' || c == 'L')
		return 1;
	for (int i = 0; i < 32; i++)
		if (crockford[i] == c)
			return i;
	return -1;
}

enum status
vault_code_decode(const char *text, unsigned d[9], char *msg, size_t msglen)
{
	size_t n = 0;

	if (text == NULL)
		return status_fail(msg, msglen, ST_INVALID, "no case code given");
	for (const char *p = text; *p != '\0'; p++) {
		int val;

		if (*p == '-' || *p == ' ')
			continue;
		val = crockford_value(*p);
		if (val < 0 || n == 9) {
			if (val < 0 && (*p == 'U' || *p == 'u'))
				return status_fail(msg, msglen, ST_INVALID,
				    "case codes never contain the letter U: check the code");
			return status_fail(msg, msglen, ST_INVALID,
			    "this is not a case code: a case code has 9 letters and digits, "
			    "like K7QM-3XTD-D");
		}
		d[n++] = (unsigned)val;
	}
	if (n != 9)
		return status_fail(msg, msglen, ST_INVALID,
		    "this is not a case code: a case code has 9 letters and digits, like K7QM-3XTD-D");
	if (code_fold(d, 9) != 0)
		return status_fail(msg, msglen, ST_INVALID,
		    "this case code has a typing error (its last character does not match): "
		    "check it and type it again");
	return ST_OK;
}

enum status
case_code_parse(const char *text, struct case_code *out, char *msg, size_t msglen)
{
	unsigned d[9];
	enum status st;

	st = vault_code_decode(text, d, msg, msglen);
	if (st == ST_OK && out != NULL)
		vault_code_format(d, out);
	return st;
}

enum status
record_id_hex(const struct record_id *id, char out[2 * VAULT_ID_BYTES + 1])
{
	crypto_bin2hex(out, id->b, VAULT_ID_BYTES);
	return ST_OK;
}

/* ==== amend reasons ======================================================= */

enum status
vault_check_reason(const char *reason, char *msg, size_t msglen)
{
	const uint8_t *s = (const uint8_t *)reason;
	size_t len, i;
	ucs4_t uc;
	int n, visible = 0;

	if (reason == NULL || reason[0] == '\0')
		return status_fail(msg, msglen, ST_INVALID, "the reason is empty: say in a few words why "
		    "(it is kept in the audit trail)");
	len = strlen(reason);
	if (len > VAULT_REASON_MAX)
		return status_fail(msg, msglen, ST_INVALID, "the reason is %zu bytes long; at most %d are "
		    "allowed", len, VAULT_REASON_MAX);
	if (u8_check(s, len) != NULL)
		return status_fail(msg, msglen, ST_INVALID, "the reason is not valid UTF-8: check the "
		    "terminal's character encoding");
	for (i = 0; i < len; i += (size_t)n) {
		n = u8_mbtouc(&uc, s + i, len - i);
		if (textcheck_is_hidden(uc))
			return status_fail(msg, msglen, ST_INVALID, "the reason contains a control or invisible "
			    "formatting character: use plain text on one line");
		if (!uc_is_property_white_space(uc))
			visible = 1;
	}
	if (!visible)
		return status_fail(msg, msglen, ST_INVALID, "the reason is only spaces: say in a few words why");
	return ST_OK;
}
