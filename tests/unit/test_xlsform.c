/*
 * test_xlsform.c — the XLSForm importer against workbooks built here part by
 * part: cells placed by their references (rows and cells left out), every
 * kind of cell value, and the bounds a hostile workbook runs into (an entry
 * that inflates too far, a DTD, too many rows, parts or bytes in a cell).
 */
#include "testutil.h"

#include <stdbool.h>
#include <zip.h>

#include "xlsform.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

static const char workbook[] =
    "<?xml version=\"1.0\"?><workbook " NS " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"survey\" sheetId=\"1\" r:id=\"rId1\"/>"
    "<sheet name=\"settings\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";
static const char rels[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/></Relationships>";
static const char settings[] =
    "<worksheet " NS "><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>form_id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>version</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>t1</t></is></c><c r=\"B2\"><v>7</v></c></row>"
    "</sheetData></worksheet>";

struct part {
	const char *name;
	const char *text;
	size_t len;             /* 0: strlen(text) */
};

static char *dir;

/* Writes a workbook of the given parts (plus workbook, rels, settings
 * unless given) and imports it. */
static enum status
import(const struct part *parts, size_t n, char **yaml, struct diag_list *dl)
{
	char path[4200];
	int zerr;
	zip_t *za;
	size_t len;
	bool has_wb = false, has_settings = false;

	snprintf(path, sizeof path, "%s/t.xlsx", dir);
	unlink(path);
	za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(za, parts[i].text,
		    parts[i].len ? parts[i].len : strlen(parts[i].text), 0);

		assert_non_null(s);
		assert_true(zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
		has_wb |= strcmp(parts[i].name, "xl/workbook.xml") == 0;
		has_settings |= strcmp(parts[i].name, "xl/worksheets/sheet2.xml") == 0;
	}
	if (!has_wb) {
		zip_file_add(za, "xl/workbook.xml", zip_source_buffer(za, workbook, strlen(workbook), 0), 0);
		zip_file_add(za, "xl/_rels/workbook.xml.rels", zip_source_buffer(za, rels, strlen(rels), 0), 0);
	}
	if (!has_settings)
		zip_file_add(za, "xl/worksheets/sheet2.xml", zip_source_buffer(za, settings, strlen(settings), 0), 0);
	assert_int_equal(zip_close(za), 0);
	diag_list_init(dl);
	return xlsform_import_file(path, "t.yaml", yaml, &len, dl);
}

static bool
said(const struct diag_list *dl, const char *want)
{
	for (size_t i = 0; i < dl->count; i++) {
		char line[1500];

		diag_format(&dl->items[i], line, sizeof line);
		if (strstr(line, want) != NULL)
			return true;
	}
	for (size_t i = 0; i < dl->count; i++) {
		char line[1500];

		diag_format(&dl->items[i], line, sizeof line);
		fprintf(stderr, "  said: %s\n", line);
	}
	return false;
}

/* Rows 2 and 4 are left out of the XML, and so are row 3's column D and
 * row 5's D and E; row 5's cells carry no reference and follow one another,
 * and row 6 has no number: it follows row 5. */
static const char sparse_survey[] =
    "<worksheet " NS "><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
    "<c r=\"F1\" t=\"inlineStr\"><is><t>required</t></is></c><c r=\"G1\" t=\"s\"><v>3</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>select_one yn</t></is></c>"
    "<c r=\"B3\" t=\"inlineStr\"><is><t>ok</t></is></c><c r=\"C3\" t=\"s\"><v>4</v></c>"
    "<c r=\"F3\" t=\"b\"><v>1</v></c><c r=\"G3\" t=\"inlineStr\"><is><t>interview</t></is></c></row>"
    "<row r=\"5\"><c t=\"inlineStr\"><is><t>integer</t></is></c><c t=\"inlineStr\"><is><t>age</t></is></c>"
    "<c t=\"inlineStr\"><is><r><t>Ag</t></r><r><t>e</t></r></is></c></row>"
    "<row><c t=\"inlineStr\"><is><t>geopoint</t></is></c></row>"
    "</sheetData></worksheet>";
static const char sparse_strings[] =
    "<sst " NS "><si><t>type</t></si><si><t>name</t></si><si><t>label</t></si><si><t>consent</t></si>"
    "<si><r><t>Do you </t></r><r><t>agree?</t></r><rPh><t>ignored</t></rPh></si></sst>";
static const char yn_choices_wb[] =
    "<?xml version=\"1.0\"?><workbook " NS " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"survey\" sheetId=\"1\" r:id=\"rId1\"/>"
    "<sheet name=\"settings\" sheetId=\"2\" r:id=\"rId2\"/><sheet name=\"choices\" sheetId=\"3\" r:id=\"rId3\"/></sheets></workbook>";
static const char yn_choices_rels[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Target=\"worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Target=\"worksheets/sheet3.xml\"/></Relationships>";
static const char yn_choices[] =
    "<worksheet " NS "><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>list_name</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>label</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>yn</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>yes</t></is></c>"
    "<c r=\"C2\" t=\"inlineStr\"><is><t>Yes</t></is></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>yn</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>no</t></is></c>"
    "<c r=\"C3\" t=\"inlineStr\"><is><t>No</t></is></c></row>"
    "</sheetData></worksheet>";

static void
cells_by_reference(void **state)
{
	struct part parts[] = {
		{"xl/workbook.xml", yn_choices_wb, 0},
		{"xl/_rels/workbook.xml.rels", yn_choices_rels, 0},
		{"xl/worksheets/sheet1.xml", sparse_survey, 0},
		{"xl/worksheets/sheet2.xml", settings, 0},
		{"xl/worksheets/sheet3.xml", yn_choices, 0},
		{"xl/sharedStrings.xml", sparse_strings, 0},
	};
	struct diag_list dl;
	char *yaml = NULL;

	(void)state;
	/* Row 6 (no reference: after row 5) holds a geopoint. */
	assert_int_equal(import(parts, 5, &yaml, &dl), ST_INVALID);
	diag_list_free(&dl);
	assert_int_equal(import(parts, 6, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, "t.xlsx:survey!6:A: error: type geopoint is not supported"));
	diag_list_free(&dl);
}

static void
cells_by_reference_load(void **state)
{
	char survey[sizeof sparse_survey];
	const char *cut = strstr(sparse_survey, "<row><c t=\"inlineStr\"><is><t>geopoint");
	struct part parts[] = {
		{"xl/workbook.xml", yn_choices_wb, 0},
		{"xl/_rels/workbook.xml.rels", yn_choices_rels, 0},
		{"xl/worksheets/sheet1.xml", survey, 0},
		{"xl/worksheets/sheet3.xml", yn_choices, 0},
		{"xl/sharedStrings.xml", sparse_strings, 0},
	};
	struct diag_list dl;
	char *yaml = NULL;

	(void)state;
	snprintf(survey, sizeof survey, "%.*s</sheetData></worksheet>", (int)(cut - sparse_survey), sparse_survey);
	if (import(parts, 5, &yaml, &dl) != ST_OK)
		fail_msg("%s", said(&dl, "(nothing)") ? "" : "import failed");
	assert_non_null(strstr(yaml, "id: \"t1\"\nversion: \"7\"\n"));
	assert_non_null(strstr(yaml, "type: yes_no\n        label:\n          en: \"Do you agree?\"\n        required: true\n"));
	assert_non_null(strstr(yaml, "- id: \"age\"\n        type: integer\n        label:\n          en: \"Age\"\n"));
	free(yaml);
	diag_list_free(&dl);
}

static void
inflating_part_refused(void **state)
{
	size_t big = XLSFORM_MAX_PART + 1;
	char *zeros = malloc(big);
	struct part parts[] = {
		{"xl/worksheets/sheet1.xml", sparse_survey, 0},
		{"xl/sharedStrings.xml", zeros, big},
	};
	struct diag_list dl;
	char *yaml = NULL;

	(void)state;
	assert_non_null(zeros);
	memset(zeros, ' ', big);
	assert_int_equal(import(parts, 2, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, "t.xlsx: error: xl/sharedStrings.xml inflates to 8388609 bytes"));
	assert_null(yaml);
	free(zeros);
	diag_list_free(&dl);
}

static void
dtd_refused(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
	    "<sst " NS "><si><t>&b;&b;&b;</t></si></sst>";
	struct part parts[] = {
		{"xl/worksheets/sheet1.xml", sparse_survey, 0},
		{"xl/sharedStrings.xml", laughs, 0},
	};
	struct diag_list dl;
	char *yaml = NULL;

	(void)state;
	assert_int_equal(import(parts, 2, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, "xl/sharedStrings.xml in the workbook has a DTD"));
	diag_list_free(&dl);
}

static void
rows_cells_and_parts_bounded(void **state)
{
	static const char far_row[] =
	    "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>type</t></is></c></row>"
	    "<row r=\"10001\"><c r=\"A10001\" t=\"inlineStr\"><is><t>text</t></is></c></row></sheetData></worksheet>";
	struct part one[] = {{"xl/worksheets/sheet1.xml", far_row, 0}};
	size_t cellmax = XLSFORM_MAX_CELL + 1, n;
	char *longcell = malloc(cellmax + 400), name[64];
	struct part two[] = {{"xl/worksheets/sheet1.xml", longcell, 0}};
	struct part *many = calloc(XLSFORM_MAX_ENTRIES + 1, sizeof *many);
	char (*names)[32] = calloc(XLSFORM_MAX_ENTRIES + 1, 32);
	struct diag_list dl;
	char *yaml = NULL;

	(void)state;
	assert_int_equal(import(one, 1, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, "t.xlsx:survey!10001:A: error: the survey sheet goes on past row 10000"));
	diag_list_free(&dl);

	n = (size_t)snprintf(longcell, 400, "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>");
	memset(longcell + n, 'x', cellmax);
	snprintf(longcell + n + cellmax, 300, "</t></is></c></row></sheetData></worksheet>");
	assert_int_equal(import(two, 1, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, "t.xlsx:survey!1:A: error: this cell holds more than 20000 bytes"));
	diag_list_free(&dl);

	for (size_t i = 0; i <= XLSFORM_MAX_ENTRIES; i++) {
		snprintf(names[i], 32, "pad/%zu", i);
		many[i].name = names[i];
		many[i].text = "x";
	}
	snprintf(name, sizeof name, "more than %d parts", XLSFORM_MAX_ENTRIES);
	assert_int_equal(import(many, XLSFORM_MAX_ENTRIES + 1, &yaml, &dl), ST_INVALID);
	assert_true(said(&dl, name));
	diag_list_free(&dl);
	free(longcell);
	free(many);
	free(names);
}

static void
not_a_workbook(void **state)
{
	struct diag_list dl;
	char *yaml = NULL;
	size_t len;

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(xlsform_import_buffer("x.xlsx", "PK\3\4junk", 9, NULL, &yaml, &len, &dl), ST_INVALID);
	assert_true(said(&dl, "x.xlsx: error: not an Excel workbook"));
	diag_list_free(&dl);
}

static int
setup(void **state)
{
	(void)state;
	dir = tu_tmpdir("xlsform");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	free(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cells_by_reference),
		cmocka_unit_test(cells_by_reference_load),
		cmocka_unit_test(inflating_part_refused),
		cmocka_unit_test(dtd_refused),
		cmocka_unit_test(rows_cells_and_parts_bounded),
		cmocka_unit_test(not_a_workbook),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
