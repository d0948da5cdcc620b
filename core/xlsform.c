/*
 * xlsform.c — XLSForm workbook (.xlsx) to Intake form YAML.
 *
 * The archive is read with libzip and each XML part with libxml2's tree
 * parser; nothing here unzips or parses XML by hand. The workbook becomes a
 * few sparse grids of cell texts (one per sheet Intake reads), the grids
 * become YAML line by line, and every YAML line remembers the cell it came
 * from so that what the form loader says about the YAML can be said about
 * the workbook.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "fdio.h"
#include "form.h"
#include "xlsform.h"

enum sheet_id { SH_SURVEY, SH_CHOICES, SH_SETTINGS, SH_INDICATORS, SH_OUTCOMES, SH_COUNT };

static const char *const sheet_names[SH_COUNT] = {
	"survey", "choices", "settings", "indicators", "outcomes",
};

/* One sheet: the texts under each headed column, rows 1..nrows. */
struct sheet {
	bool present;
	char *path;             /* its part in the archive */
	size_t nh;
	char *hdr[XLSFORM_MAX_COLS];
	unsigned hcol[XLSFORM_MAX_COLS];        /* 0-based column of header h */
	unsigned nrows;
	char **cells;           /* [(row - 1) * nh + h], NULL when empty */
};

/* Where a line of the YAML came from; sheet SH_COUNT: nowhere in particular. */
struct origin {
	unsigned char sheet;
	unsigned row, col;
};

struct lang {
	char code[16];
	char name[64];
};

struct choice_list {
	char *name;             /* as the form will call it */
	const char *wb_name;    /* as the workbook calls it */
	unsigned *rows;
	size_t n, cap;
	bool yes_no;            /* exactly the values yes and no */
};

struct xl {
	const char *name;
	struct diag_list *dl;
	bool nomem;
	size_t errors;
	zip_t *za;
	size_t total;           /* bytes inflated so far */
	char **sst;
	size_t nsst;
	struct sheet sh[SH_COUNT];
	struct lang langs[FORM_MAX_LANGS];
	size_t nlangs;
	struct choice_list *lists;
	size_t nlists;
	/* names of survey rows left out for a reported problem: the loader's
	 * "unknown question" about them would only repeat it */
	const char **dropped;
	size_t ndropped;
	/* output */
	char *out;
	size_t len, cap;
	struct origin *lines;   /* lines[i]: origin of YAML line i + 1 */
	size_t nlines, lcap;
	bool line_open;
	bool warned[SH_COUNT][XLSFORM_MAX_COLS];
};

/* ---- messages ---------------------------------------------------------- */

static void
col_letters(unsigned col, char out[8])
{
	char tmp[8];
	size_t n = 0;

	col++;
	while (col > 0 && n < sizeof tmp - 1) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static void __attribute__((format(printf, 6, 0)))
vsay(struct xl *x, enum diag_level lv, int sheet, unsigned row, unsigned col,
    const char *fmt, va_list ap)
{
	char where[600], msg[1200], letters[8];

	if (sheet >= 0 && sheet < SH_COUNT && row > 0) {
		col_letters(col, letters);
		snprintf(where, sizeof where, "%s:%s!%u:%s", x->name, sheet_names[sheet], row, letters);
	} else if (sheet >= 0 && sheet < SH_COUNT) {
		snprintf(where, sizeof where, "%s:%s", x->name, sheet_names[sheet]);
	} else {
		snprintf(where, sizeof where, "%s", x->name);
	}
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (lv == DIAG_ERROR)
		x->errors++;
	if (diag_add(x->dl, lv, where, 0, 0, "%s", msg) == ST_NOMEM)
		x->nomem = true;
}

static void __attribute__((format(printf, 5, 6)))
err_at(struct xl *x, int sheet, unsigned row, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(x, DIAG_ERROR, sheet, row, col, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 5, 6)))
warn_at(struct xl *x, int sheet, unsigned row, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(x, DIAG_WARNING, sheet, row, col, fmt, ap);
	va_end(ap);
}

/* ---- archive and XML --------------------------------------------------- */

/* The inflated bytes of one member, NUL-terminated; NULL when absent
 * (reported unless optional) or too large. */
static char *
read_part(struct xl *x, const char *path, size_t *len, bool optional)
{
	zip_int64_t idx = zip_name_locate(x->za, path, 0);
	zip_stat_t st;
	zip_file_t *zf;
	char *buf;
	zip_int64_t got;

	*len = 0;
	if (idx < 0) {
		if (!optional)
			err_at(x, -1, 0, 0, "the workbook has no %s: save it again as an Excel workbook (.xlsx)", path);
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		err_at(x, -1, 0, 0, "cannot read %s in the workbook: save it again as an Excel workbook (.xlsx)", path);
		return NULL;
	}
	if (st.size > XLSFORM_MAX_PART || x->total + st.size > XLSFORM_MAX_TOTAL) {
		err_at(x, -1, 0, 0, "%s inflates to %llu bytes, more than an XLSForm needs (limit %u for one part, %u in all): "
		    "remove unused sheets, images and formatting, or split the form",
		    path, (unsigned long long)st.size, XLSFORM_MAX_PART, XLSFORM_MAX_TOTAL);
		return NULL;
	}
	if ((buf = malloc((size_t)st.size + 1)) == NULL) {
		x->nomem = true;
		return NULL;
	}
	zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
	/* Reads at most the declared size, whatever the data would inflate
	 * to; libzip checks the size and CRC when the data ends early. */
	got = zf ? zip_fread(zf, buf, st.size) : -1;
	if (zf)
		zip_fclose(zf);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(buf);
		err_at(x, -1, 0, 0, "%s in the workbook is damaged (%s): save the workbook again",
		    path, zip_strerror(x->za));
		return NULL;
	}
	x->total += (size_t)st.size;
	buf[st.size] = '\0';
	*len = (size_t)st.size;
	return buf;
}

static xmlDoc *
read_xml(struct xl *x, const char *path, bool optional)
{
	size_t len;
	char *buf = read_part(x, path, &len, optional);
	xmlDoc *doc;

	if (buf == NULL)
		return NULL;
	if (len > INT32_MAX) {
		free(buf);
		return NULL;
	}
	doc = xmlReadMemory(buf, (int)len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	free(buf);
	if (doc == NULL) {
		err_at(x, -1, 0, 0, "%s in the workbook is not well-formed XML: save the workbook again from a spreadsheet program", path);
		return NULL;
	}
	/* A DTD could declare entities that expand a small part into a huge
	 * one; no spreadsheet program writes one. */
	if (doc->intSubset != NULL || doc->extSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
		err_at(x, -1, 0, 0, "%s in the workbook has a DTD or no content, which spreadsheet programs never write: save the workbook again",
		    path);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static bool
is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *
attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* An attribute in any namespace (r:id is in the relationships one). */
static char *
attr_any(xmlNode *n, const char *name)
{
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0)
			return (char *)xmlNodeGetContent((xmlNode *)a);
	return NULL;
}

/* Appends the text of every <t> under n (skipping phonetic runs) to buf. */
static void
gather_t(struct xl *x, const xmlNode *n, char **buf, size_t *len, bool *cut)
{
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (is(k, "rPh"))
			continue;
		if (is(k, "t")) {
			xmlChar *t = xmlNodeGetContent(k);
			size_t tl = t ? strlen((char *)t) : 0;
			char *nb;

			if (*len + tl > XLSFORM_MAX_CELL) {
				*cut = true;
				tl = 0;
			}
			if (tl > 0) {
				nb = realloc(*buf, *len + tl + 1);
				if (nb == NULL) {
					x->nomem = true;
				} else {
					*buf = nb;
					memcpy(*buf + *len, t, tl);
					*len += tl;
					(*buf)[*len] = '\0';
				}
			}
			xmlFree(t);
		} else if (k->type == XML_ELEMENT_NODE) {
			gather_t(x, k, buf, len, cut);
		}
	}
}

static char *
rich_text(struct xl *x, const xmlNode *n, bool *cut)
{
	char *buf = calloc(1, 1);
	size_t len = 0;

	if (buf == NULL) {
		x->nomem = true;
		return NULL;
	}
	gather_t(x, n, &buf, &len, cut);
	return buf;
}

static void
read_shared_strings(struct xl *x)
{
	xmlDoc *doc = read_xml(x, "xl/sharedStrings.xml", true);
	xmlNode *root;
	size_t n = 0;

	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	for (xmlNode *k = root->children; k; k = k->next)
		if (is(k, "si"))
			n++;
	if (n > XLSFORM_MAX_STRINGS) {
		err_at(x, -1, 0, 0, "the workbook holds %zu distinct texts, more than %d: an XLSForm needs far fewer; remove unused sheets",
		    n, XLSFORM_MAX_STRINGS);
		goto out;
	}
	if ((x->sst = calloc(n + 1, sizeof *x->sst)) == NULL) {
		x->nomem = true;
		goto out;
	}
	for (xmlNode *k = root->children; k && !x->nomem; k = k->next) {
		bool cut = false;

		if (!is(k, "si"))
			continue;
		x->sst[x->nsst++] = rich_text(x, k, &cut);
		if (cut)
			err_at(x, -1, 0, 0, "text %zu of the workbook is longer than %d bytes: shorten it",
			    x->nsst, XLSFORM_MAX_CELL);
	}
out:
	xmlFreeDoc(doc);
}

/* The part each sheet Intake reads lives in, from the workbook and its
 * relationships. */
static void
find_sheets(struct xl *x)
{
	xmlDoc *wb = read_xml(x, "xl/workbook.xml", false);
	xmlDoc *rels = wb ? read_xml(x, "xl/_rels/workbook.xml.rels", false) : NULL;
	xmlNode *sheets = NULL;

	if (wb == NULL || rels == NULL)
		goto out;
	for (xmlNode *k = xmlDocGetRootElement(wb)->children; k; k = k->next)
		if (is(k, "sheets"))
			sheets = k;
	for (xmlNode *s = sheets ? sheets->children : NULL; s; s = s->next) {
		char *name, *rid;
		int which = -1;

		if (!is(s, "sheet"))
			continue;
		name = attr(s, "name");
		rid = attr_any(s, "id");
		for (int i = 0; name && i < SH_COUNT; i++)
			if (strcasecmp(name, sheet_names[i]) == 0)
				which = i;
		if (which >= 0 && rid != NULL && !x->sh[which].present) {
			for (xmlNode *r = xmlDocGetRootElement(rels)->children; r; r = r->next) {
				char *id, *target;

				if (!is(r, "Relationship"))
					continue;
				id = attr(r, "Id");
				target = attr(r, "Target");
				/* The first relationship of that id counts: a workbook
				 * may repeat one. */
				if (id && target && strcmp(id, rid) == 0 && x->sh[which].path == NULL) {
					size_t n = strlen(target) + 8;

					x->sh[which].path = malloc(n);
					if (x->sh[which].path == NULL)
						x->nomem = true;
					else if (target[0] == '/')
						snprintf(x->sh[which].path, n, "%s", target + 1);
					else
						snprintf(x->sh[which].path, n, "xl/%s", target);
					x->sh[which].present = x->sh[which].path != NULL;
				}
				xmlFree(id);
				xmlFree(target);
			}
		}
		xmlFree(name);
		xmlFree(rid);
	}
out:
	xmlFreeDoc(wb);
	xmlFreeDoc(rels);
}

/* "B7" -> column 1, row 7. false when not a cell reference. */
static bool
parse_ref(const char *r, unsigned *col, unsigned *row)
{
	unsigned c = 0, w = 0;
	size_t i = 0;

	while (r[i] >= 'A' && r[i] <= 'Z' && i < 3)
		c = c * 26 + (unsigned)(r[i++] - 'A' + 1);
	if (i == 0 || c > 16384)
		return false;
	if (!(r[i] >= '1' && r[i] <= '9'))
		return false;
	for (; r[i] >= '0' && r[i] <= '9'; i++) {
		w = w * 10 + (unsigned)(r[i] - '0');
		if (w > 1048576)
			return false;
	}
	if (r[i] != '\0')
		return false;
	*col = c - 1;
	*row = w;
	return true;
}

/* The text of a cell as a spreadsheet shows it, or NULL (empty). */
static char *
cell_text(struct xl *x, int sheet, unsigned row, unsigned col, xmlNode *c)
{
	char *t = attr(c, "t"), *v = NULL, *res = NULL;
	bool cut = false;

	for (xmlNode *k = c->children; k; k = k->next) {
		if (is(k, "v") && v == NULL)
			v = (char *)xmlNodeGetContent(k);
		else if (is(k, "is") && res == NULL)
			res = rich_text(x, k, &cut);
	}
	if (t && strcmp(t, "inlineStr") == 0) {
		/* res already holds it */
	} else if (t && strcmp(t, "s") == 0) {
		char *end;
		unsigned long i = v ? strtoul(v, &end, 10) : 0;

		if (v == NULL || *end != '\0' || i >= x->nsst)
			err_at(x, sheet, row, col, "this cell names text %s that the workbook does not hold: save the workbook again",
			    v ? v : "(none)");
		else if ((res = strdup(x->sst[i] ? x->sst[i] : "")) == NULL)
			x->nomem = true;
	} else if (t && strcmp(t, "b") == 0) {
		if (v && (res = strdup(strcmp(v, "1") == 0 ? "TRUE" : "FALSE")) == NULL)
			x->nomem = true;
	} else if (t && strcmp(t, "e") == 0) {
		err_at(x, sheet, row, col, "this cell holds the spreadsheet error %s: fix the formula or type the value",
		    v ? v : "");
	} else if (v != NULL) {
		/* numbers (t absent or "n") and formula strings ("str") as stored */
		if (strlen(v) > XLSFORM_MAX_CELL)
			cut = true;
		else if ((res = strdup(v)) == NULL)
			x->nomem = true;
	}
	if (cut)
		err_at(x, sheet, row, col, "this cell holds more than %d bytes of text: shorten it", XLSFORM_MAX_CELL);
	xmlFree(t);
	xmlFree(v);
	if (res && res[0] == '\0') {
		free(res);
		res = NULL;
	}
	return res;
}

static void
trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[b]))
		b++;
	memmove(s, s + b, n - b + 1);
}

/*
 * Reads one sheet into its grid. Rows and cells may be left out of the XML
 * (empty ones usually are), so each is placed by its r="B7" reference, or
 * after the previous one when it has none. Row 1 holds the headers.
 */
static void
read_sheet(struct xl *x, int which)
{
	struct sheet *s = &x->sh[which];
	xmlDoc *doc = read_xml(x, s->path, false);
	xmlNode *data = NULL;

	if (doc == NULL)
		return;
	for (xmlNode *k = xmlDocGetRootElement(doc)->children; k; k = k->next)
		if (is(k, "sheetData"))
			data = k;
	for (int pass = 0; pass < 2 && data && !x->nomem; pass++) {
		unsigned row = 0;

		if (pass == 1) {
			if (s->nh == 0) {
				err_at(x, which, 1, 0, "the %s sheet has no column headers in row 1: put the XLSForm column names (type, name, label, ...) there",
				    sheet_names[which]);
				break;
			}
			s->cells = calloc((size_t)s->nrows * s->nh + 1, sizeof *s->cells);
			if (s->cells == NULL) {
				x->nomem = true;
				break;
			}
		}
		for (xmlNode *r = data->children; r; r = r->next) {
			char *rr;
			unsigned col = 0;
			bool first = true;

			if (!is(r, "row"))
				continue;
			rr = attr(r, "r");
			if (rr) {
				char *end;
				unsigned long v = strtoul(rr, &end, 10);

				row = *end == '\0' && v > 0 && v <= 1048576 ? (unsigned)v : row + 1;
			} else {
				row++;
			}
			xmlFree(rr);
			if (row > XLSFORM_MAX_ROWS) {
				if (pass == 0)
					err_at(x, which, row, 0, "the %s sheet goes on past row %d: an XLSForm needs far fewer rows; delete the rows below the form",
					    sheet_names[which], XLSFORM_MAX_ROWS);
				break;
			}
			for (xmlNode *c = r->children; c; c = c->next) {
				char *ref, *text;
				unsigned ccol, crow;
				size_t h = 0;

				if (!is(c, "c"))
					continue;
				ref = attr(c, "r");
				if (ref && parse_ref(ref, &ccol, &crow) && crow == row)
					col = ccol;
				else if (!first)
					col++;
				xmlFree(ref);
				first = false;
				if (pass == 0 && row != 1)
					continue;
				if (pass == 1) {
					for (h = 0; h < s->nh && s->hcol[h] != col; h++)
						;
					if (h == s->nh || row == 1)
						continue;
				}
				text = cell_text(x, which, row, col, c);
				if (text == NULL)
					continue;
				if (pass == 1) {
					free(s->cells[(size_t)(row - 1) * s->nh + h]);
					s->cells[(size_t)(row - 1) * s->nh + h] = text;
					continue;
				}
				trim(text);
				if (text[0] == '\0' || s->nh == XLSFORM_MAX_COLS) {
					if (text[0] != '\0')
						err_at(x, which, 1, col, "more than %d headed columns: remove the columns Intake does not use",
						    XLSFORM_MAX_COLS);
					free(text);
					continue;
				}
				s->hdr[s->nh] = text;
				s->hcol[s->nh++] = col;
			}
			if (row > s->nrows)
				s->nrows = row;
		}
	}
	xmlFreeDoc(doc);
}

static const char *
cell(const struct xl *x, int which, unsigned row, int h)
{
	const struct sheet *s = &x->sh[which];

	if (h < 0 || row < 2 || row > s->nrows || s->cells == NULL)
		return NULL;
	return s->cells[(size_t)(row - 1) * s->nh + (size_t)h];
}

/* Header index of column `name` (case-insensitive), or -1. */
static int
column(const struct xl *x, int which, const char *name)
{
	const struct sheet *s = &x->sh[which];

	for (size_t h = 0; h < s->nh; h++)
		if (strcasecmp(s->hdr[h], name) == 0)
			return (int)h;
	return -1;
}

static unsigned
hcol(const struct xl *x, int which, int h)
{
	return h >= 0 ? x->sh[which].hcol[h] : 0;
}

/* ---- languages ----------------------------------------------------------- */

static const struct {
	const char *name, *code;
} known_langs[] = {
	{"english", "en"}, {"lao", "lo"}, {"thai", "th"}, {"chinese", "zh"},
};

/* "English (en)" -> en/English; "en" -> en; "Lao" -> lo. false if unknown. */
static bool
parse_lang(const char *s, struct lang *out)
{
	const char *open = strrchr(s, '('), *close = strrchr(s, ')');
	size_t n;

	memset(out, 0, sizeof *out);
	if (open && close && close > open && close[1] == '\0') {
		n = (size_t)(close - open - 1);
		if (n < 2 || n >= sizeof out->code)
			return false;
		memcpy(out->code, open + 1, n);
		n = (size_t)(open - s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		snprintf(out->name, sizeof out->name, "%.*s", (int)n, s);
	} else {
		for (size_t k = 0; k < sizeof known_langs / sizeof known_langs[0]; k++)
			if (strcasecmp(s, known_langs[k].name) == 0 || strcmp(s, known_langs[k].code) == 0) {
				snprintf(out->code, sizeof out->code, "%s", known_langs[k].code);
				snprintf(out->name, sizeof out->name, "%s", known_langs[k].name);
				out->name[0] = (char)toupper((unsigned char)out->name[0]);
			}
		if (out->code[0] == '\0')
			return false;
	}
	for (size_t i = 0; out->code[i]; i++)
		if (!(islower((unsigned char)out->code[i]) || (i > 0 && (out->code[i] == '-' ||
		    isalnum((unsigned char)out->code[i])))))
			return false;
	if (out->name[0] == '\0')
		snprintf(out->name, sizeof out->name, "%s", out->code);
	return true;
}

static int
lang_add(struct xl *x, const struct lang *lg)
{
	for (size_t i = 0; i < x->nlangs; i++)
		if (strcmp(x->langs[i].code, lg->code) == 0)
			return (int)i;
	if (x->nlangs == FORM_MAX_LANGS)
		return -1;
	x->langs[x->nlangs] = *lg;
	return (int)x->nlangs++;
}

/* Language of a column "label::English (en)" (base "label"): its index in
 * x->langs, 0 for a plain "label", -1 when the column is not base's, -2
 * when its language cannot be read (reported). */
static int
column_lang(struct xl *x, int which, size_t h, const char *base)
{
	const char *hd = x->sh[which].hdr[h];
	size_t bl = strlen(base);
	struct lang lg;
	int li;

	if (strncasecmp(hd, base, bl) != 0)
		return -1;
	if (hd[bl] == '\0')
		return 0;
	if (strncmp(hd + bl, "::", 2) != 0)
		return -1;
	if (!parse_lang(hd + bl + 2, &lg)) {
		err_at(x, which, 1, x->sh[which].hcol[h],
		    "column %s: cannot tell the language: write it with its code in parentheses, like %s::Khmer (km)", hd, base);
		return -2;
	}
	li = lang_add(x, &lg);
	if (li < 0)
		err_at(x, which, 1, x->sh[which].hcol[h], "column %s: more than %d languages: remove some", hd, FORM_MAX_LANGS);
	return li < 0 ? -2 : li;
}

/* ---- YAML output ------------------------------------------------------- */

static void
out_raw(struct xl *x, const char *s, size_t n)
{
	if (x->nomem)
		return;
	if (x->len + n + 1 > x->cap) {
		size_t nc = (x->cap ? x->cap * 2 : 4096) + n;
		char *nb = realloc(x->out, nc);

		if (nb == NULL) {
			x->nomem = true;
			return;
		}
		x->out = nb;
		x->cap = nc;
	}
	memcpy(x->out + x->len, s, n);
	x->len += n;
	x->out[x->len] = '\0';
}

/* Starts a YAML line that came from cell (sheet, row, col). */
static void __attribute__((format(printf, 5, 6)))
line(struct xl *x, int sheet, unsigned row, unsigned col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (x->line_open)
		out_raw(x, "\n", 1);
	if (x->nlines == x->lcap) {
		size_t nc = x->lcap ? x->lcap * 2 : 256;
		struct origin *nl = realloc(x->lines, nc * sizeof *nl);

		if (nl == NULL) {
			x->nomem = true;
			return;
		}
		x->lines = nl;
		x->lcap = nc;
	}
	x->lines[x->nlines].sheet = (unsigned char)(sheet < 0 ? SH_COUNT : sheet);
	x->lines[x->nlines].row = row;
	x->lines[x->nlines].col = col;
	x->nlines++;
	x->line_open = true;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out_raw(x, buf, n < 0 ? 0 : (size_t)n >= sizeof buf ? sizeof buf - 1 : (size_t)n);
}

/* A double-quoted YAML scalar on the current line: the text stays on one
 * line, so line numbers keep mapping to cells. */
static void
quoted(struct xl *x, const char *s)
{
	out_raw(x, "\"", 1);
	for (; *s; s++) {
		const char *esc = NULL;

		switch (*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		default: break;
		}
		if (esc)
			out_raw(x, esc, strlen(esc));
		else
			out_raw(x, s, 1);
	}
	out_raw(x, "\"", 1);
}

/* key: "text" from one cell. */
static void
field(struct xl *x, int indent, const char *key, int sheet, unsigned row, int h)
{
	const char *v = cell(x, sheet, row, h);

	if (v == NULL)
		return;
	line(x, sheet, row, hcol(x, sheet, h), "%*s%s: ", indent, "", key);
	quoted(x, v);
}

/* A label-like field from the columns base, base::Lang (one line each).
 * Returns false when no column has text for this row. */
static bool
label_field(struct xl *x, int indent, const char *key, const char *base, int sheet, unsigned row)
{
	bool any = false;

	for (size_t li = 0; li < x->nlangs; li++)
		for (size_t h = 0; h < x->sh[sheet].nh; h++) {
			const char *hd = x->sh[sheet].hdr[h], *v;
			size_t bl = strlen(base);
			struct lang lg;
			bool mine;

			if (strncasecmp(hd, base, bl) != 0)
				continue;
			if (hd[bl] == '\0')
				mine = li == 0;
			else
				mine = strncmp(hd + bl, "::", 2) == 0 && parse_lang(hd + bl + 2, &lg) &&
				    strcmp(lg.code, x->langs[li].code) == 0;
			if (!mine || (v = cell(x, sheet, row, (int)h)) == NULL)
				continue;
			if (!any)
				line(x, sheet, row, x->sh[sheet].hcol[h], "%*s%s:", indent, "", key);
			any = true;
			line(x, sheet, row, x->sh[sheet].hcol[h], "%*s  %s: ", indent, "", x->langs[li].code);
			quoted(x, v);
			break;
		}
	return any;
}

/* ---- sheets to YAML -------------------------------------------------- */

/* Columns Intake reads, per sheet; base names of translated ones end in ::. */
static const char *const survey_cols[] = {
	"type", "name", "label", "hint", "required", "relevant", "constraint",
	"constraint_message", "calculation", "consent", "keep_without_consent", "report",
	NULL,
};
static const char *const choices_cols[] = {"list_name", "list name", "name", "label", NULL};
static const char *const settings_cols[] = {
	"form_id", "version", "form_title", "default_language", "referrals", "max_text_length", NULL,
};
static const char *const indicators_cols[] = {"id", "level", "label", "when", NULL};
static const char *const outcomes_cols[] = {"id", "label", "advice", "when", "referrals", NULL};

static const struct {
	const char *col, *why;
	bool error;
} ignored_cols[] = {
	{"appearance", "Intake draws every question the same way", false},
	{"guidance_hint", "show the guidance in the hint instead", false},
	{"required_message", "Intake shows its own message in the interview language", false},
	{"media", "Intake shows no images, audio or video", false},
	{"image", "Intake shows no images, audio or video", false},
	{"audio", "Intake shows no images, audio or video", false},
	{"video", "Intake shows no images, audio or video", false},
	{"big-image", "Intake shows no images, audio or video", false},
	{"autoplay", "Intake shows no images, audio or video", false},
	{"instance_name", "records stay in the encrypted vault, which needs no name", false},
	{"submission_url", "records stay in the encrypted vault and are never sent", false},
	{"public_key", "records are encrypted in the vault with its own keys", false},
	{"style", "Intake draws every form the same way", false},
	{"choice_filter", "cascading selects are not supported: ask separate questions with relevant", true},
	{"default", "Intake starts every answer empty: remove the default or say it in the hint", true},
	{"read_only", "a read-only question is a note in Intake: use type note", true},
	{"repeat_count", "repeats are not supported", true},
	{"trigger", "Intake recomputes calculations whenever an answer changes: remove trigger", true},
	{"parameters", "Intake has no question parameters: remove them", true},
};

/* Every cell under a column Intake does not read: a warning once per
 * column, or an error at each non-empty cell when ignoring it would change
 * what the form asks. */
static void
check_columns(struct xl *x, int which, const char *const *known)
{
	struct sheet *s = &x->sh[which];

	for (size_t h = 0; h < s->nh; h++) {
		const char *hd = s->hdr[h];
		size_t base = strcspn(hd, ":");
		bool ok = false;
		int ig = -1;

		for (size_t k = 0; known[k] && !ok; k++)
			ok = strlen(known[k]) == base && strncasecmp(hd, known[k], base) == 0;
		if (ok)
			continue;
		for (size_t k = 0; k < sizeof ignored_cols / sizeof ignored_cols[0]; k++)
			if (strlen(ignored_cols[k].col) == base && strncasecmp(hd, ignored_cols[k].col, base) == 0)
				ig = (int)k;
		for (unsigned r = 2; r <= s->nrows; r++) {
			if (cell(x, which, r, (int)h) == NULL)
				continue;
			if (ig >= 0 && ignored_cols[ig].error) {
				err_at(x, which, r, s->hcol[h], "column %s is not supported: %s", hd, ignored_cols[ig].why);
				continue;
			}
			if (!x->warned[which][h])
				warn_at(x, which, r, s->hcol[h], "column %s is ignored (first used here): %s", hd,
				    ig >= 0 ? ignored_cols[ig].why : "it is not an XLSForm column Intake reads");
			x->warned[which][h] = true;
			break;
		}
	}
}

static const char *
setting(const struct xl *x, const char *name, int *h)
{
	*h = column(x, SH_SETTINGS, name);
	return cell(x, SH_SETTINGS, 2, *h);
}

static void
emit_languages(struct xl *x)
{
	int h;
	const char *dl = setting(x, "default_language", &h);
	struct lang lg;

	/* The default language comes first, then the others as the survey's
	 * columns name them. */
	if (dl != NULL) {
		if (!parse_lang(dl, &lg))
			err_at(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h),
			    "default_language '%.40s': cannot tell the language: write it like English (en)", dl);
		else
			lang_add(x, &lg);
	}
	for (int sh = 0; sh < SH_COUNT; sh++)
		for (size_t c = 0; c < x->sh[sh].nh; c++) {
			static const char *const bases[] = {"label", "hint", "constraint_message", "advice"};

			for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
				if (strncasecmp(x->sh[sh].hdr[c], bases[b], strlen(bases[b])) == 0 &&
				    x->sh[sh].hdr[c][strlen(bases[b])] == ':')
					(void)column_lang(x, sh, c, bases[b]);
		}
	if (x->nlangs == 0) {
		parse_lang("English (en)", &lg);
		lang_add(x, &lg);
		if (column(x, SH_SURVEY, "label") >= 0)
			warn_at(x, SH_SURVEY, 1, hcol(x, SH_SURVEY, column(x, SH_SURVEY, "label")),
			    "labels with no language are taken as English (en): name the language, like label::Lao (lo), or set default_language in settings");
	}
	line(x, -1, 0, 0, "languages:");
	for (size_t i = 0; i < x->nlangs; i++) {
		line(x, -1, 0, 0, "  - {code: %s, name: ", x->langs[i].code);
		quoted(x, x->langs[i].name);
		/* Only the default is taken as reviewed: Intake warns about, and
		 * falls back from, missing text in a draft language. */
		out_raw(x, i == 0 ? ", status: reviewed}" : ", status: draft}", i == 0 ? 19 : 16);
	}
}

static void
emit_header(struct xl *x)
{
	int h;
	const char *v;

	line(x, -1, 0, 0, "# Imported from an XLSForm by `intake forms import`.");
	if (!x->sh[SH_SETTINGS].present)
		err_at(x, -1, 0, 0, "the workbook has no settings sheet: add one with form_id and version in row 2");
	v = setting(x, "form_id", &h);
	if (v == NULL && x->sh[SH_SETTINGS].present)
		err_at(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h),
		    "no form_id: add a form_id column with an id such as labour_screening (lowercase letters, digits and _)");
	if (v)
		field(x, 0, "id", SH_SETTINGS, 2, h);
	v = setting(x, "version", &h);
	if (v)
		field(x, 0, "version", SH_SETTINGS, 2, h);
	else if (x->sh[SH_SETTINGS].present)
		err_at(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h),
		    "no version: add a version column (such as 1 or 2024-05-01); records name the version they were made with");
	emit_languages(x);
	v = setting(x, "form_title", &h);
	if (v) {
		line(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h), "title:");
		line(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h), "  %s: ", x->langs[0].code);
		quoted(x, v);
	}
	if (setting(x, "referrals", &h))
		field(x, 0, "referrals", SH_SETTINGS, 2, h);
	if (setting(x, "max_text_length", &h)) {
		line(x, -1, 0, 0, "settings:");
		line(x, SH_SETTINGS, 2, hcol(x, SH_SETTINGS, h), "  max_text_length: %s",
		    cell(x, SH_SETTINGS, 2, h));
	}
}

static struct choice_list *
list_find(struct xl *x, const char *wb_name)
{
	for (size_t i = 0; i < x->nlists; i++)
		if (strcmp(x->lists[i].wb_name, wb_name) == 0)
			return &x->lists[i];
	return NULL;
}

/* Groups the choices sheet's rows by list, in order of first appearance. */
static void
collect_choices(struct xl *x)
{
	int hl = column(x, SH_CHOICES, "list_name"), hn = column(x, SH_CHOICES, "name");
	const struct sheet *s = &x->sh[SH_CHOICES];

	if (!s->present)
		return;
	if (hl < 0)
		hl = column(x, SH_CHOICES, "list name");
	if (hl < 0 || hn < 0) {
		err_at(x, SH_CHOICES, 1, 0, "the choices sheet needs the columns list_name, name and label");
		return;
	}
	x->lists = calloc(s->nrows + 1, sizeof *x->lists);
	if (x->lists == NULL) {
		x->nomem = true;
		return;
	}
	for (unsigned r = 2; r <= s->nrows && !x->nomem; r++) {
		const char *ln = cell(x, SH_CHOICES, r, hl);
		struct choice_list *cl;

		if (ln == NULL) {
			if (cell(x, SH_CHOICES, r, hn) != NULL)
				err_at(x, SH_CHOICES, r, s->hcol[hl], "this choice has no list_name: name the list it belongs to");
			continue;
		}
		if ((cl = list_find(x, ln)) == NULL) {
			cl = &x->lists[x->nlists++];
			cl->wb_name = ln;
		}
		if (cl->n == cl->cap) {
			size_t nc = cl->cap ? cl->cap * 2 : 8;
			unsigned *nr = realloc(cl->rows, nc * sizeof *nr);

			if (nr == NULL) {
				x->nomem = true;
				return;
			}
			cl->rows = nr;
			cl->cap = nc;
		}
		cl->rows[cl->n++] = r;
	}
	/* A list of exactly yes and no is Intake's yes_no type; its labels
	 * become the form's yes_no list. */
	for (size_t i = 0; i < x->nlists; i++) {
		struct choice_list *cl = &x->lists[i];
		const char *a = cl->n == 2 ? cell(x, SH_CHOICES, cl->rows[0], hn) : NULL;
		const char *b = cl->n == 2 ? cell(x, SH_CHOICES, cl->rows[1], hn) : NULL;

		cl->yes_no = a && b && ((strcmp(a, "yes") == 0 && strcmp(b, "no") == 0) ||
		    (strcmp(a, "no") == 0 && strcmp(b, "yes") == 0));
		cl->name = strdup(cl->wb_name);
		if (cl->name == NULL)
			x->nomem = true;
	}
}

static void
emit_choices(struct xl *x)
{
	int hn = column(x, SH_CHOICES, "name");
	bool yes_no_done = false, any = false;

	for (size_t i = 0; i < x->nlists; i++) {
		const struct choice_list *cl = &x->lists[i];
		const char *name = cl->name;

		if (cl->yes_no) {
			if (yes_no_done)
				continue;
			yes_no_done = true;
			name = "yes_no";
		} else if (strcmp(cl->name, "yes_no") == 0) {
			err_at(x, SH_CHOICES, cl->rows[0], hcol(x, SH_CHOICES, column(x, SH_CHOICES, "list_name")),
			    "a list named yes_no must hold exactly the choices yes and no: rename this list");
			continue;
		}
		if (!any)
			line(x, -1, 0, 0, "choices:");
		any = true;
		line(x, SH_CHOICES, cl->rows[0], hcol(x, SH_CHOICES, column(x, SH_CHOICES, "list_name")), "  %s:", name);
		for (size_t k = 0; k < cl->n; k++) {
			unsigned r = cl->rows[k];

			line(x, SH_CHOICES, r, hcol(x, SH_CHOICES, hn), "    - value: ");
			quoted(x, cell(x, SH_CHOICES, r, hn) ? cell(x, SH_CHOICES, r, hn) : "");
			if (!label_field(x, 6, "label", "label", SH_CHOICES, r))
				err_at(x, SH_CHOICES, r, hcol(x, SH_CHOICES, hn), "this choice has no label: add one");
		}
	}
}

struct survey_state {
	bool open;              /* a section is open */
	bool group;             /* ... and it is a group */
	unsigned group_row;
	unsigned implicit;      /* sections made for questions outside groups */
	bool in_repeat;
};

static void
open_section(struct xl *x, struct survey_state *st, unsigned row, bool group)
{
	int hn = column(x, SH_SURVEY, "name");

	if (!group) {
		st->implicit++;
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, column(x, SH_SURVEY, "type")),
		    "  - id: part_%u", st->implicit);
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, column(x, SH_SURVEY, "type")), "    title:");
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, column(x, SH_SURVEY, "type")), "      %s: \"Part %u\"",
		    x->langs[0].code, st->implicit);
	} else {
		field(x, 2, "- id", SH_SURVEY, row, hn);
		if (!label_field(x, 4, "title", "label", SH_SURVEY, row)) {
			line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, hn), "    title:");
			line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, hn), "      %s: ", x->langs[0].code);
			quoted(x, cell(x, SH_SURVEY, row, hn));
		}
		field(x, 4, "relevant", SH_SURVEY, row, column(x, SH_SURVEY, "relevant"));
	}
	line(x, SH_SURVEY, row, 0, "    questions:");
	st->open = true;
	st->group = group;
	st->group_row = row;
}

/* The survey type cell's meaning: Intake's type, or a problem. */
static const char *
map_type(struct xl *x, unsigned row, const char *type, const char **list, bool *skip)
{
	static const char *const same[] = {"text", "integer", "decimal", "date", "note", "calculate", NULL};
	static const char *const meta[] = {
		"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
		"username", "email", "audit", "start-geopoint", NULL,
	};
	static const struct {
		const char *type, *instead;
	} unsupported[] = {
		{"geopoint", "Intake records no location: ask for the place as text or a select_one of places"},
		{"geotrace", "Intake records no location: ask for the place as text"},
		{"geoshape", "Intake records no location: ask for the place as text"},
		{"image", "Intake takes no photos: describe what matters in a text question"},
		{"audio", "Intake records no sound: use a text question"},
		{"video", "Intake records no video: use a text question"},
		{"file", "Intake takes no files: use a text question"},
		{"background-audio", "Intake records no sound"},
		{"barcode", "type the code into a text question"},
		{"time", "use a text question, or a date question for the day"},
		{"datetime", "use a date question, and a text question for the time if it matters"},
		{"range", "use an integer question with a constraint such as . >= 1 and . <= 5"},
		{"rank", "ask a select_one for the most important choice"},
		{"acknowledge", "use a yes_no question"},
		{"hidden", "use a calculate question"},
		{"xml-external", "Intake reads no external data"},
		{"csv-external", "Intake reads no external data"},
		{"select_one_from_file", "copy the choices from the file into the choices sheet and use select_one"},
		{"select_multiple_from_file", "copy the choices from the file into the choices sheet and use select_multiple"},
		{"begin_repeat", "repeats are not supported: ask about the most important case (such as the main employer), or ask how many there were"},
	};
	char first[64];
	size_t n = strcspn(type, " ");
	const char *rest = type + n;
	int ht = column(x, SH_SURVEY, "type");

	*skip = false;
	*list = NULL;
	snprintf(first, sizeof first, "%.*s", (int)(n < sizeof first ? n : sizeof first - 1), type);
	for (char *p = first; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	while (*rest == ' ')
		rest++;
	for (size_t k = 0; same[k]; k++)
		if (strcmp(first, same[k]) == 0 && *rest == '\0')
			return same[k];
	if (strcmp(first, "select_one") == 0 || strcmp(first, "select_multiple") == 0) {
		size_t ln = strcspn(rest, " ");

		if (ln == 0) {
			err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht),
			    "type %s names no choice list: write %s LIST with a list_name from the choices sheet", first, first);
			return NULL;
		}
		if (rest[ln] != '\0') {
			err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht),
			    "type '%.80s': or_other and anything after the list name are not supported: add an 'other' choice instead",
			    type);
			return NULL;
		}
		*list = rest;
		return first[7] == 'o' ? "select_one" : "select_multiple";
	}
	for (size_t k = 0; meta[k]; k++)
		if (strcmp(first, meta[k]) == 0) {
			warn_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht),
			    "type %s is skipped: Intake records the interviewer and the start and end of every interview itself", first);
			*skip = true;
			return NULL;
		}
	for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
		if (strcmp(first, unsupported[k].type) == 0) {
			err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht), "type %s is not supported: %s",
			    first, unsupported[k].instead);
			return NULL;
		}
	err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht),
	    "unknown type '%.60s': use text, integer, decimal, date, note, calculate, select_one LIST or select_multiple LIST",
	    type);
	return NULL;
}

static bool
is_word(const char *type, const char *a, const char *b)
{
	return strcasecmp(type, a) == 0 || strcasecmp(type, b) == 0;
}

static void
emit_required(struct xl *x, unsigned row)
{
	int h = column(x, SH_SURVEY, "required");
	const char *v = cell(x, SH_SURVEY, row, h);

	if (v == NULL)
		return;
	if (is_word(v, "yes", "true") || strcasecmp(v, "true()") == 0 || strcmp(v, "1") == 0)
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, h), "        required: true");
	else if (!(is_word(v, "no", "false") || strcasecmp(v, "false()") == 0 || strcmp(v, "0") == 0))
		err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, h),
		    "required '%.40s' is not supported: write yes or no (Intake has no conditional required)", v);
}

static void
emit_question(struct xl *x, unsigned row, const char *type, const char *list)
{
	static const char *const passed[] = {"relevant", "constraint", "calculation", "consent", "report", NULL};
	int hn = column(x, SH_SURVEY, "name"), ht = column(x, SH_SURVEY, "type"), h;
	const char *v;

	if (cell(x, SH_SURVEY, row, hn) == NULL) {
		err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, hn), "this %s has no name: give it one (lowercase letters, digits and _)", type);
		return;
	}
	field(x, 6, "- id", SH_SURVEY, row, hn);
	if (list != NULL) {
		struct choice_list *cl = list_find(x, list);

		if (cl == NULL) {
			err_at(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht),
			    "choice list '%.60s' is not in the choices sheet: add its choices there, or fix the name", list);
			return;
		}
		if (cl->yes_no && strcmp(type, "select_one") == 0) {
			line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht), "        type: yes_no");
		} else {
			line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht), "        type: %s", type);
			line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht), "        choices: %s",
			    cl->yes_no ? "yes_no" : cl->name);
		}
	} else {
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, ht), "        type: %s", type);
	}
	label_field(x, 8, "label", "label", SH_SURVEY, row);
	label_field(x, 8, "hint", "hint", SH_SURVEY, row);
	emit_required(x, row);
	for (size_t k = 0; passed[k]; k++)
		field(x, 8, passed[k], SH_SURVEY, row, column(x, SH_SURVEY, passed[k]));
	label_field(x, 8, "constraint_message", "constraint_message", SH_SURVEY, row);
	h = column(x, SH_SURVEY, "keep_without_consent");
	if ((v = cell(x, SH_SURVEY, row, h)) != NULL)
		line(x, SH_SURVEY, row, hcol(x, SH_SURVEY, h), "        keep_without_consent: %s",
		    is_word(v, "yes", "true") || strcmp(v, "1") == 0 ? "true" : "false");
}

static void
emit_survey(struct xl *x)
{
	const struct sheet *s = &x->sh[SH_SURVEY];
	int ht = column(x, SH_SURVEY, "type"), hn = column(x, SH_SURVEY, "name");
	struct survey_state st = {0};
	bool questions_here = false;

	if (!s->present) {
		err_at(x, -1, 0, 0, "the workbook has no survey sheet: an XLSForm lists its questions on a sheet named survey");
		return;
	}
	if (ht < 0 || hn < 0) {
		err_at(x, SH_SURVEY, 1, 0, "the survey sheet needs the columns type, name and label in row 1");
		return;
	}
	if ((x->dropped = calloc(s->nrows + 1, sizeof *x->dropped)) == NULL) {
		x->nomem = true;
		return;
	}
	line(x, -1, 0, 0, "sections:");
	for (unsigned r = 2; r <= s->nrows && !x->nomem; r++) {
		char type[200];
		const char *t = cell(x, SH_SURVEY, r, ht), *mapped, *list;
		bool skip;

		if (t == NULL) {
			bool any = false;

			for (size_t h = 0; h < s->nh; h++)
				any = any || cell(x, SH_SURVEY, r, (int)h) != NULL;
			if (any)
				err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, ht), "this row has no type: give it one, or delete the row");
			continue;
		}
		snprintf(type, sizeof type, "%s", t);
		trim(type);
		if (is_word(type, "begin group", "begin_group")) {
			if (st.group) {
				err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, ht),
				    "a group inside group at row %u: sections do not nest; end the outer group first, or repeat its relevant on this one",
				    st.group_row);
				continue;
			}
			if (cell(x, SH_SURVEY, r, hn) == NULL) {
				err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, hn), "this group has no name: give it one");
				continue;
			}
			if (st.open && !questions_here)
				err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, ht), "empty part before this group");
			open_section(x, &st, r, true);
			questions_here = false;
			continue;
		}
		if (is_word(type, "end group", "end_group")) {
			if (!st.group) {
				err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, ht), "end group without a begin group: delete this row or add the begin group");
				continue;
			}
			if (!questions_here)
				err_at(x, SH_SURVEY, st.group_row, hcol(x, SH_SURVEY, ht),
				    "this group holds no question: add questions or delete the group");
			st.open = st.group = false;
			continue;
		}
		if (is_word(type, "begin repeat", "begin_repeat")) {
			err_at(x, SH_SURVEY, r, hcol(x, SH_SURVEY, ht),
			    "repeats are not supported: ask about the most important case (such as the main employer), or ask how many there were");
			st.in_repeat = true;
			continue;
		}
		if (is_word(type, "end repeat", "end_repeat")) {
			st.in_repeat = false;
			continue;
		}
		mapped = map_type(x, r, type, &list, &skip);
		if (mapped == NULL) {
			if (cell(x, SH_SURVEY, r, hn) != NULL)
				x->dropped[x->ndropped++] = cell(x, SH_SURVEY, r, hn);
			continue;
		}
		if (!st.open) {
			open_section(x, &st, r, false);
			questions_here = false;
		}
		emit_question(x, r, mapped, list);
		questions_here = true;
	}
	if (st.group)
		err_at(x, SH_SURVEY, st.group_row, hcol(x, SH_SURVEY, ht), "this group is never ended: add an end group row after its last question");
	if (st.implicit == 0 && !questions_here && x->nlines > 0 && !st.open)
		err_at(x, SH_SURVEY, 1, 0, "the survey sheet has no questions");
}

static void
emit_rules(struct xl *x, int which, const char *key)
{
	const struct sheet *s = &x->sh[which];
	int hid = column(x, which, "id");
	bool any = false;

	if (!s->present)
		return;
	if (hid < 0) {
		err_at(x, which, 1, 0, "the %s sheet needs an id column", sheet_names[which]);
		return;
	}
	for (unsigned r = 2; r <= s->nrows && !x->nomem; r++) {
		const char *v;
		int h;

		if (cell(x, which, r, hid) == NULL)
			continue;
		if (!any)
			line(x, -1, 0, 0, "%s:", key);
		any = true;
		field(x, 2, "- id", which, r, hid);
		if (which == SH_INDICATORS)
			field(x, 4, "level", which, r, column(x, which, "level"));
		label_field(x, 4, "label", "label", which, r);
		if (which == SH_OUTCOMES)
			label_field(x, 4, "advice", "advice", which, r);
		field(x, 4, "when", which, r, column(x, which, "when"));
		h = column(x, which, "referrals");
		if (which == SH_OUTCOMES && (v = cell(x, which, r, h)) != NULL) {
			char word[80];
			size_t i = 0;

			line(x, which, r, hcol(x, which, h), "    referrals: [");
			while (v[i]) {
				size_t n = strcspn(v + i, " ,");

				if (n > 0) {
					snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), v + i);
					quoted(x, word);
					if (v[i + n] != '\0' && v[i + n + strspn(v + i + n, " ,")] != '\0')
						out_raw(x, ", ", 2);
				}
				i += n;
				i += strspn(v + i, " ,");
			}
			out_raw(x, "]", 1);
		}
	}
}

/* ---- checking the YAML ----------------------------------------------- */

/* What the loader says about the YAML, said about the workbook's cells. */
static enum status
check_yaml(struct xl *x, const char *form_name)
{
	struct diag_list dl;
	struct form *f = NULL;
	enum status st;

	diag_list_init(&dl);
	st = form_load_buffer(form_name, x->out, x->len, &f, &dl);
	form_free(f);
	for (size_t i = 0; i < dl.count; i++) {
		const struct diag *d = &dl.items[i];
		const struct origin *o = d->line > 0 && d->line <= x->nlines ? &x->lines[d->line - 1] : NULL;
		bool echo = false;

		for (size_t k = 0; k < x->ndropped && !echo; k++) {
			char ref[200];

			snprintf(ref, sizeof ref, "unknown question ${%s}", x->dropped[k]);
			echo = strstr(d->msg, ref) != NULL;
		}
		if (echo)
			continue;

		if (strcmp(d->file, form_name) != 0) {
			if (diag_add(x->dl, d->level, d->file, d->line, d->col, "%s", d->msg) == ST_NOMEM)
				x->nomem = true;
		} else if (o && o->sheet < SH_COUNT) {
			/* The loader speaks YAML; say where that goes in a workbook. */
			const char *hint = strstr(d->msg, "consent: interview") ?
			    " (in the workbook: write interview in the consent column of that question's row)" : "";

			if (d->level == DIAG_ERROR)
				err_at(x, o->sheet, o->row, o->col, "%s%s", d->msg, hint);
			else
				warn_at(x, o->sheet, o->row, o->col, "%s", d->msg);
		} else if (d->level == DIAG_ERROR) {
			err_at(x, -1, 0, 0, "%s", d->msg);
		} else {
			warn_at(x, -1, 0, 0, "%s", d->msg);
		}
	}
	diag_list_free(&dl);
	return st;
}

/* ---- entry points ---------------------------------------------------- */

static void
xl_free(struct xl *x)
{
	for (size_t i = 0; i < x->nsst; i++)
		free(x->sst[i]);
	free(x->sst);
	for (int s = 0; s < SH_COUNT; s++) {
		struct sheet *sh = &x->sh[s];

		for (size_t k = 0; sh->cells && k < (size_t)sh->nrows * sh->nh; k++)
			free(sh->cells[k]);
		free(sh->cells);
		for (size_t h = 0; h < sh->nh; h++)
			free(sh->hdr[h]);
		free(sh->path);
	}
	for (size_t i = 0; i < x->nlists; i++) {
		free(x->lists[i].name);
		free(x->lists[i].rows);
	}
	free(x->lists);
	free(x->dropped);
	free(x->lines);
	if (x->za)
		zip_discard(x->za);
}

enum status
xlsform_import_buffer(const char *name, const void *buf, size_t size,
    const char *form_name, char **yaml, size_t *len, struct diag_list *diags)
{
	struct xl x;
	zip_error_t ze;
	zip_source_t *src;
	enum status st = ST_INVALID;

	*yaml = NULL;
	*len = 0;
	memset(&x, 0, sizeof x);
	x.name = name;
	x.dl = diags;
	if (form_name == NULL)
		form_name = name;
	if (size > XLSFORM_MAX_FILE) {
		err_at(&x, -1, 0, 0, "the workbook is %zu bytes; an XLSForm is far smaller (limit %u): remove images and unused sheets",
		    size, XLSFORM_MAX_FILE);
		return ST_INVALID;
	}
	zip_error_init(&ze);
	src = zip_source_buffer_create(buf, size, 0, &ze);
	if (src == NULL || (x.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze)) == NULL) {
		if (src)
			zip_source_free(src);
		err_at(&x, -1, 0, 0, "not an Excel workbook (%s): save the XLSForm as .xlsx (Excel 2007 or later)",
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return ST_INVALID;
	}
	zip_error_fini(&ze);
	if (zip_get_num_entries(x.za, 0) > XLSFORM_MAX_ENTRIES) {
		err_at(&x, -1, 0, 0, "the workbook holds more than %d parts: an XLSForm needs a few; save it again without extras",
		    XLSFORM_MAX_ENTRIES);
		goto out;
	}
	find_sheets(&x);
	read_shared_strings(&x);
	for (int s = 0; s < SH_COUNT && !x.nomem && x.errors == 0; s++)
		if (x.sh[s].present)
			read_sheet(&x, s);
	if (x.nomem || x.errors > 0)
		goto out;
	check_columns(&x, SH_SURVEY, survey_cols);
	check_columns(&x, SH_CHOICES, choices_cols);
	check_columns(&x, SH_SETTINGS, settings_cols);
	check_columns(&x, SH_INDICATORS, indicators_cols);
	check_columns(&x, SH_OUTCOMES, outcomes_cols);
	collect_choices(&x);
	emit_header(&x);
	emit_choices(&x);
	emit_survey(&x);
	emit_rules(&x, SH_INDICATORS, "indicators");
	emit_rules(&x, SH_OUTCOMES, "outcomes");
	out_raw(&x, "\n", 1);
	if (x.nomem)
		goto out;
	/* Checked even after problems were found, so that one run reports
	 * everything; nothing is handed out unless all is well. */
	st = check_yaml(&x, form_name);
	if (st == ST_OK && x.errors == 0 && !x.nomem) {
		*yaml = x.out;
		*len = x.len;
		x.out = NULL;
	} else if (st == ST_OK) {
		st = ST_INVALID;
	}
out:
	if (x.nomem)
		st = ST_NOMEM;
	else if (x.errors > 0)
		st = ST_INVALID;
	free(x.out);
	xl_free(&x);
	return st;
}

enum status
xlsform_import_file(const char *path, const char *form_name, char **yaml, size_t *len,
    struct diag_list *diags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	enum status st;

	*yaml = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read it (%s): give the path of an .xlsx file",
		    fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return ST_IO;
	}
	if ((size_t)sb.st_size > XLSFORM_MAX_FILE) {
		diag_add(diags, DIAG_ERROR, path, 0, 0, "the workbook is %lld bytes; an XLSForm is far smaller (limit %u): remove images and unused sheets",
		    (long long)sb.st_size, XLSFORM_MAX_FILE);
		close(fd);
		return ST_INVALID;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return ST_NOMEM;
	}
	got = fdio_read(fd, buf, (size_t)sb.st_size);
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(buf);
		diag_add(diags, DIAG_ERROR, path, 0, 0, "could not read the whole file: try again");
		return ST_IO;
	}
	st = xlsform_import_buffer(path, buf, got, form_name, yaml, len, diags);
	free(buf);
	return st;
}
