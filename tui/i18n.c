/*
 * i18n.c — the interface language and a reader of GNU .mo catalogs that
 * checks every entry before using it; contracts and the reasons for not
 * using glibc's gettext in i18n.h.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "textcheck.h"

#ifndef INTAKE_LOCALE_DIR
#define INTAKE_LOCALE_DIR "/usr/local/share/locale"
#endif
#define DOMAIN "intake"
#define MO_MAGIC 0x950412deu
#define MO_MAX_BYTES (8u << 20)         /* ours are tens of KiB */
#define SIG_MAX 64

static const struct {
	const char *code, *name, *catalog;
} langs[] = {
	{ "en", "English", NULL },
	{ "lo", "ພາສາລາວ", "lo" },
	{ "th", "ภาษาไทย", "th" },
	{ "zh", "中文（简体）", "zh_CN" },
};
#define NLANGS (sizeof langs / sizeof langs[0])

struct entry {
	const char *id;                 /* the English singular */
	const char *plural;             /* the catalog's English plural, or NULL */
	const char *str;                /* the forms, each NUL-terminated */
	uint32_t strlen;                /* bytes of all forms */
	bool single;                    /* the first form takes the singular's arguments */
};

struct catalog {
	char *data;
	struct entry *e;
	size_t n, dropped;
	unsigned nplurals;
	const char *code;
};

static struct catalog *current;

size_t
i18n_count(void)
{
	return NLANGS;
}

const char *
i18n_code_at(size_t i)
{
	return i < NLANGS ? langs[i].code : NULL;
}

const char *
i18n_name_at(size_t i)
{
	return i < NLANGS ? langs[i].name : NULL;
}

const char *
i18n_current(void)
{
	return current != NULL ? current->code : "en";
}

size_t
i18n_dropped(void)
{
	return current != NULL ? current->dropped : 0;
}

const char *
i18n_code(const char *name)
{
	size_t l;

	if (name == NULL)
		return NULL;
	l = strcspn(name, "_.@-");
	for (size_t i = 0; i < NLANGS; i++)
		if (l == 2 && tolower((unsigned char)name[0]) == langs[i].code[0] &&
		    tolower((unsigned char)name[1]) == langs[i].code[1])
			return langs[i].code;
	return NULL;
}

/* The language was given on the command line (i18n_pin). */
static bool pinned;

void
i18n_pin(void)
{
	pinned = true;
}

bool
i18n_given(void)
{
	return pinned || i18n_code(getenv("INTAKE_LANG")) != NULL;
}

static bool
is_c_locale(const char *v)
{
	return strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 || strncmp(v, "C.", 2) == 0;
}

const char *
i18n_from_env(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v = getenv("INTAKE_LANG"), *loc = NULL, *c;
	char one[64];

	if ((c = i18n_code(v)) != NULL)
		return c;
	for (size_t i = 0; i < 3 && loc == NULL; i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			loc = v;
	if (loc != NULL && !is_c_locale(loc) && (v = getenv("LANGUAGE")) != NULL) {
		while (*v != '\0') {
			size_t l = strcspn(v, ":");

			if (l > 0 && l < sizeof one) {
				memcpy(one, v, l);
				one[l] = '\0';
				if ((c = i18n_code(one)) != NULL)
					return c;
			}
			v += l + (v[l] == ':');
		}
	}
	if ((c = i18n_code(loc)) != NULL)
		return c;
	return "en";
}

/* ---- format safety ---- */

/*
 * The conversions of printf format s[0, len) in order, as the arguments
 * they read ("*", "s", "zu", "lld"), into sig. False when s is not a
 * format the program may pass on: a positional (%1$s) or %n conversion, an
 * unknown one, or too many.
 */
static bool
format_sig(const char *s, size_t len, char *sig)
{
	const char *p = s, *end = s + len;
	size_t n = 0;

	sig[0] = '\0';
	while ((p = memchr(p, '%', (size_t)(end - p))) != NULL) {
		const char *len_start;

		if (++p < end && *p == '%') {
			p++;
			continue;
		}
		while (p < end && strchr("-+ #0'", *p) != NULL)
			p++;
		if (p < end && *p == '*') {
			if (n + 2 >= SIG_MAX)
				return false;
			sig[n++] = '*';
			p++;
		} else {
			while (p < end && isdigit((unsigned char)*p))
				p++;
			if (p < end && *p == '$')
				return false;
		}
		if (p < end && *p == '.') {
			p++;
			if (p < end && *p == '*') {
				if (n + 2 >= SIG_MAX)
					return false;
				sig[n++] = '*';
				p++;
			}
			while (p < end && isdigit((unsigned char)*p))
				p++;
		}
		len_start = p;
		while (p < end && strchr("hljztL", *p) != NULL && p - len_start < 2)
			p++;
		if (p >= end || strchr("diouxXeEfFgGaAcsp", *p) == NULL)
			return false;
		p++;
		if (n + (size_t)(p - len_start) + 2 >= SIG_MAX)
			return false;
		sig[n++] = ' ';
		memcpy(sig + n, len_start, (size_t)(p - len_start));
		n += (size_t)(p - len_start);
	}
	sig[n] = '\0';
	return true;
}

/* Whether translation form t[0, tlen) may stand for the English id (and
 * its plural, or NULL): safe text, and the same conversions as one of them. */
static bool
form_ok(const char *t, size_t tlen, const char *id, const char *plural)
{
	char want[SIG_MAX], got[SIG_MAX];

	if (!textcheck_ok(t, tlen, TEXTCHECK_NEWLINE))
		return false;
	if (!format_sig(t, tlen, got))
		return false;
	if (format_sig(id, strlen(id), want) && strcmp(want, got) == 0)
		return true;
	if (plural != NULL && format_sig(plural, strlen(plural), want) && strcmp(want, got) == 0)
		return true;
	/* An English text that is no format (a lone "%") is never one. */
	return memchr(t, '%', tlen) == NULL && !format_sig(id, strlen(id), want);
}

/* ---- reading a catalog ---- */

static uint32_t
get32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int
cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->id, ((const struct entry *)y)->id);
}

/* The string at table slot i: its length and offset, checked to lie in
 * the file and end with a NUL. NULL when it does not. */
static const char *
mo_string(const char *data, size_t size, uint32_t table, uint32_t i, bool swap,
    uint32_t *len)
{
	uint64_t slot = (uint64_t)table + 8u * (uint64_t)i, off;

	if (slot + 8 > size)
		return NULL;
	*len = get32((const unsigned char *)data + slot, swap);
	off = get32((const unsigned char *)data + slot + 4, swap);
	if (off + *len + 1 > size || data[off + *len] != '\0')
		return NULL;
	return data + off;
}

static unsigned
plural_count(const char *header)
{
	const char *p = strstr(header, "nplurals=");
	unsigned long v;

	if (p == NULL)
		return 2;
	v = strtoul(p + 9, NULL, 10);
	return v >= 1 && v <= 6 ? (unsigned)v : 2;
}

static void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	free(c->e);
	free(c->data);
	free(c);
}

static enum status
read_file(const char *path, char **data, size_t *size)
{
	struct stat st;
	ssize_t got;
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ST_NOTFOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 28 ||
	    (uint64_t)st.st_size > MO_MAX_BYTES) {
		close(fd);
		return ST_FORMAT;
	}
	if ((*data = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return ST_NOMEM;
	}
	while (have < (size_t)st.st_size &&
	    (got = read(fd, *data + have, (size_t)st.st_size - have)) > 0)
		have += (size_t)got;
	close(fd);
	if (have != (size_t)st.st_size) {
		free(*data);
		*data = NULL;
		return ST_IO;
	}
	*size = have;
	return ST_OK;
}

/* Reads and checks the catalog at path; entries that fail the checks of
 * i18n.h are dropped and counted. */
static enum status
catalog_load(const char *path, const char *code, struct catalog **out)
{
	struct catalog *c = calloc(1, sizeof *c);
	const unsigned char *h;
	uint32_t count, orig, trans;
	size_t size = 0;
	bool swap;
	enum status st;

	if (c == NULL)
		return ST_NOMEM;
	c->code = code;
	c->nplurals = 2;
	if ((st = read_file(path, &c->data, &size)) != ST_OK)
		goto fail;
	h = (const unsigned char *)c->data;
	st = ST_FORMAT;
	if (get32(h, false) == MO_MAGIC)
		swap = false;
	else if (get32(h, true) == MO_MAGIC)
		swap = true;
	else
		goto fail;
	if (get32(h + 4, swap) >> 16 != 0)     /* major revision 0 only */
		goto fail;
	count = get32(h + 8, swap);
	orig = get32(h + 12, swap);
	trans = get32(h + 16, swap);
	if (count > size / 16 || (c->e = calloc(count ? count : 1, sizeof *c->e)) == NULL) {
		st = count > size / 16 ? ST_FORMAT : ST_NOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t idlen, tlen;
		const char *id = mo_string(c->data, size, orig, i, swap, &idlen);
		const char *t = mo_string(c->data, size, trans, i, swap, &tlen);
		const char *plural, *form;
		bool ok = true;

		if (id == NULL || t == NULL)
			goto fail;
		if (idlen == 0) {               /* the header */
			c->nplurals = plural_count(t);
			continue;
		}
		if (memchr(id, '\004', idlen) != NULL || tlen == 0) {
			c->dropped++;           /* no context is ever asked for */
			continue;
		}
		plural = strlen(id) < idlen ? id + strlen(id) + 1 : NULL;
		for (form = t; form < t + tlen; form += strlen(form) + 1)
			ok = ok && form_ok(form, strlen(form), id, plural);
		if (!ok) {
			c->dropped++;
			continue;
		}
		c->e[c->n].id = id;
		c->e[c->n].plural = plural;
		c->e[c->n].str = t;
		c->e[c->n].strlen = tlen;
		/* A plural entry's forms may follow the catalog's own plural,
		 * which the program never checked: as a plain message only a
		 * first form with the singular's conversions will do. */
		c->e[c->n].single = plural == NULL || form_ok(t, strlen(t), id, NULL);
		c->n++;
	}
	qsort(c->e, c->n, sizeof *c->e, cmp_entry);
	*out = c;
	return ST_OK;
fail:
	catalog_free(c);
	return st;
}

static const struct entry *
lookup(const char *msgid)
{
	struct entry key = { msgid, NULL, NULL, 0, false };

	if (current == NULL || msgid == NULL || current->n == 0)
		return NULL;
	return bsearch(&key, current->e, current->n, sizeof key, cmp_entry);
}

const char *
i18n_get(const char *msgid)
{
	const struct entry *e = lookup(msgid);

	return e != NULL && e->single ? e->str : msgid;
}

const char *
i18n_nget(const char *one, const char *many, unsigned long n)
{
	const struct entry *e = lookup(one);
	unsigned idx;
	const char *form;

	/* Only an entry for this very plural: the catalog's forms were checked
	 * against its plural, which must then be the program's. */
	if (e == NULL || e->plural == NULL || strcmp(e->plural, many) != 0)
		return n == 1 ? one : many;
	idx = current->nplurals == 1 ? 0 : n != 1;
	form = e->str;
	/* A catalog with fewer forms than it declares gives its last. */
	while (idx-- > 0 && form + strlen(form) + 1 < e->str + e->strlen)
		form += strlen(form) + 1;
	return form;
}

const struct words i18n_words = { i18n_get, i18n_nget };

/* The folder of the running binary into exe; false when unknown. */
static bool
exe_dir(char exe[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return false;
	*slash = '\0';
	return true;
}

enum status
i18n_set(const char *code, const char *dir, char *err, size_t errlen)
{
	static const char *const beside_exe[] = { "/locale", "/../locale", "/../share/locale" };
	char exe[PATH_MAX], path[PATH_MAX + 64], looked[1024] = "";
	struct catalog *c = NULL;
	size_t li = NLANGS, used = 0;
	enum status st = ST_NOTFOUND;

	for (size_t i = 0; code != NULL && i < NLANGS; i++)
		if (strcmp(code, langs[i].code) == 0)
			li = i;
	if (li == NLANGS) {
		status_msg(err, errlen, "unknown language '%s': Intake's screens come in en, lo, "
		    "th and zh", code ? code : "");
		return ST_INVALID;
	}
	if (langs[li].catalog == NULL) {
		catalog_free(current);
		current = NULL;
		return ST_OK;
	}
	for (int k = 0; st == ST_NOTFOUND && k < 5; k++) {
		const char *base;
		char *owned = NULL;

		if (dir != NULL) {
			if (k > 0)
				break;
			base = dir;
		} else if (k < 3) {
			if (!exe_dir(exe))
				continue;
			if (asprintf(&owned, "%s%s", exe, beside_exe[k]) < 0)
				return ST_NOMEM;
			base = owned;
		} else if (k == 3) {
			base = INTAKE_LOCALE_DIR;
		} else {
			break;
		}
		if (snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/" DOMAIN ".mo", base,
		    langs[li].catalog) < (int)sizeof path) {
			st = catalog_load(path, langs[li].code, &c);
			if (used < sizeof looked)
				used += (size_t)snprintf(looked + used, sizeof looked - used, "%s%s",
				    used ? ", " : "", path);
		}
		free(owned);
	}
	if (st != ST_OK) {
		status_msg(err, errlen, "%s catalog for %s (%s) at %s", st == ST_NOTFOUND ?
		    "no" : "unreadable", langs[li].code, langs[li].name, looked);
		return st;
	}
	catalog_free(current);
	current = c;
	return ST_OK;
}
