/*
 * test_ytree.c — the YAML tree the form and scenario loaders share: node
 * positions, scalar styles, every way a parse is refused, and the small
 * helpers (lookup, positions, tabs, hints, ids, diagnostics), the schema
 * checks both loaders make, the top-level keys that tell file kinds apart,
 * and tracing a byte of a scalar's text back to its place in the source.
 */
#include "testutil.h"
#include <stdint.h>
#include "ytree.h"

static struct ynode *
parse(const char *text, struct yproblem *why)
{
	return ytree_parse(text, strlen(text), YTREE_MAX_DEPTH, why);
}

/* Parses text, which must fail, and returns why. */
static struct yproblem
refused(const char *text, int depth)
{
	struct yproblem why;

	assert_null(ytree_parse(text, strlen(text), depth, &why));
	return why;
}

static void
positions_of_nodes(void **state)
{
	const char *text =
	    "# a comment\n"
	    "form: demo\n"
	    "questions:\n"
	    "  - id: q1\n"
	    "    label: {en: \"Name\"}\n"
	    "  - id: q2\n"
	    "title: \"ຊື່\"  # Lao\n";
	struct yproblem why;
	struct ynode *root = parse(text, &why), *qs, *q2, *label;

	(void)state;
	assert_non_null(root);
	assert_int_equal(why.kind, YP_NONE);
	assert_int_equal(root->kind, Y_MAP);
	assert_int_equal(root->line, 2);
	assert_int_equal(root->col, 1);
	/* Keys and values alternate, in file order. */
	assert_int_equal(root->n, 6);
	assert_string_equal(root->kids[0]->text, "form");
	assert_string_equal(root->kids[2]->text, "questions");
	assert_string_equal(root->kids[4]->text, "title");

	qs = ynode_get(root, "questions");
	assert_non_null(qs);
	assert_int_equal(qs->kind, Y_SEQ);
	assert_int_equal(qs->n, 2);
	assert_int_equal(qs->line, 4);
	assert_int_equal(qs->col, 3);
	assert_int_equal(qs->end_line, 7);
	q2 = qs->kids[1];
	assert_int_equal(q2->kind, Y_MAP);
	assert_int_equal(ynode_get(q2, "id")->line, 6);
	assert_int_equal(ynode_get(q2, "id")->col, 9);
	label = ynode_get(qs->kids[0], "label");
	assert_int_equal(label->kind, Y_MAP);
	assert_int_equal(label->line, 5);
	assert_int_equal(label->col, 12);
	assert_int_equal(ynode_get(label, "en")->col, 17);
	/* A scalar's text is a copy of its value, its length in bytes. */
	assert_string_equal(ynode_get(root, "title")->text, "ຊື່");
	assert_int_equal(ynode_get(root, "title")->len, strlen("ຊື່"));
	assert_int_equal(ynode_get(root, "title")->col, 8);
	ynode_free(root);
}

static void
scalar_styles(void **state)
{
	const char *text =
	    "plain: yes\n"
	    "single: 'yes'\n"
	    "double: \"a\\tb\"\n"
	    "block: |\n"
	    "  two\n"
	    "  lines\n"
	    "empty:\n";
	struct yproblem why;
	struct ynode *root = parse(text, &why), *n;

	(void)state;
	assert_non_null(root);
	n = ynode_get(root, "plain");
	assert_true(n->plain);
	assert_false(n->quoted);
	n = ynode_get(root, "single");
	assert_false(n->plain);
	assert_true(n->quoted);
	assert_string_equal(n->text, "yes");
	n = ynode_get(root, "double");
	assert_true(n->quoted);
	assert_string_equal(n->text, "a\tb");    /* escapes decoded; TAB allowed */
	n = ynode_get(root, "block");
	assert_false(n->plain);
	assert_false(n->quoted);
	assert_string_equal(n->text, "two\nlines\n");
	n = ynode_get(root, "empty");
	assert_true(n->plain);
	assert_int_equal(n->len, 0);
	assert_string_equal(n->text, "");
	ynode_free(root);
}

static void
refusals(void **state)
{
	struct yproblem why;
	char deep[512] = "";

	(void)state;
	/* Nothing but comments: no tree and no problem. */
	assert_null(parse("# only a comment\n\n", &why));
	assert_int_equal(why.kind, YP_NONE);
	assert_null(parse("", &why));
	assert_int_equal(why.kind, YP_NONE);

	why = refused("a: [1, 2\nb: 3\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_SYNTAX);
	assert_true(why.line >= 1);
	assert_true(strlen(why.problem) > 0);

	why = refused("a: 1\n---\nb: 2\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_SECOND_DOC);
	assert_int_equal(why.line, 2);
	assert_int_equal(why.col, 1);

	why = refused("a: &x [1, 2]\nb: *x\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_ALIAS);
	assert_int_equal(why.line, 2);
	assert_int_equal(why.col, 4);
	assert_string_equal(why.anchor, "x");

	why = refused("a:\n  b:\n    c: 1\n", 2);
	assert_int_equal(why.kind, YP_TOO_DEEP);
	assert_int_equal(why.line, 3);
	assert_int_equal(why.col, 5);
	/* Deeper than YTREE_MAX_DEPTH is refused whatever the caller asks. */
	for (int i = 0; i < YTREE_MAX_DEPTH + 1; i++)
		strcat(deep, "[");
	why = refused(deep, 1000);
	assert_int_equal(why.kind, YP_TOO_DEEP);
	assert_int_equal(why.col, YTREE_MAX_DEPTH + 1);

	/* A hidden character: where it stands when written raw (a right-to-
	 * left override in column 10), at the scalar when written as an
	 * escape. A raw C0 control is libyaml's own syntax error. */
	why = refused("label: ab\xe2\x80\xae" "cdef\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_HIDDEN);
	assert_int_equal(why.ch, 0x202e);
	assert_int_equal(why.line, 1);
	assert_int_equal(why.col, 10);
	why = refused("label: ab\x1b" "c\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_SYNTAX);
	why = refused("x: 1\nlabel: \"a\\u202eb\"\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_HIDDEN);
	assert_int_equal(why.ch, 0x202e);
	assert_int_equal(why.line, 2);
	assert_int_equal(why.col, 8);
	/* In a key too. */
	why = refused("\"k\\e\": 1\n", YTREE_MAX_DEPTH);
	assert_int_equal(why.kind, YP_HIDDEN);
}

static void
lookup_and_positions(void **state)
{
	struct yproblem why;
	struct ynode *root = parse("a: 1\n? [x]\n: 2\nb: 3\na: 4\n", &why);
	unsigned line, col;
	const char *buf = "ab\nກຂ\nz";

	(void)state;
	assert_non_null(root);
	/* First occurrence; a key that is not a scalar is skipped. */
	assert_string_equal(ynode_get(root, "a")->text, "1");
	assert_string_equal(ynode_get(root, "b")->text, "3");
	assert_null(ynode_get(root, "c"));
	assert_null(ynode_get(NULL, "a"));
	assert_null(ynode_get(ynode_get(root, "a"), "a"));     /* not a mapping */
	ynode_free(root);
	ynode_free(NULL);

	/* Columns count characters: ກ and ຂ are three bytes each. */
	ytree_pos(buf, 0, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	ytree_pos(buf, 2, &line, &col);
	assert_int_equal(col, 3);
	ytree_pos(buf, 3 + 3, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	ytree_pos(buf, strlen(buf) - 1, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 1);

	assert_true(ytree_blank("", 0));
	assert_true(ytree_blank(" \t\r\n\n", 5));
	assert_false(ytree_blank("  # c\n", 6));
}

static void
tabs_hints_and_ids(void **state)
{
	const char *text = "a:\n\tb: 1\n  c: 2\n \t d: 3\ne: \"\t\"\n\t\n";
	struct ypos at[2];

	(void)state;
	/* Tabs in indentation only (not the one inside a value), and only the
	 * first `max` placed. */
	assert_int_equal(ytree_indent_tabs(text, strlen(text), at, 2), 3);
	assert_int_equal(at[0].line, 2);
	assert_int_equal(at[0].col, 1);
	assert_int_equal(at[1].line, 4);
	assert_int_equal(at[1].col, 2);
	assert_int_equal(ytree_indent_tabs("a: 1\n", 5, at, 2), 0);

	assert_int_equal(ytree_distance("select_one", "select_one"), 0);
	assert_int_equal(ytree_distance("selct_one", "select_one"), 1);
	assert_int_equal(ytree_distance("interger", "integer"), 1);
	assert_int_equal(ytree_distance("", "abc"), 3);
	assert_int_equal(ytree_distance("kitten", "sitting"), 3);
	assert_int_equal(ytree_distance("x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    SIZE_MAX);

	assert_true(ytree_valid_id("age_band", 32));
	assert_true(ytree_valid_id("q2", 2));
	assert_false(ytree_valid_id("q23", 2));
	assert_false(ytree_valid_id("", 32));
	assert_false(ytree_valid_id("2q", 32));
	assert_false(ytree_valid_id("_q", 32));
	assert_false(ytree_valid_id("Age", 32));
	assert_false(ytree_valid_id("age-band", 32));
}

static void
diagnostics_of_a_source(void **state)
{
	struct diag_list dl;
	struct ysource src;
	char line[256];
	char *copy;

	(void)state;
	diag_list_init(&dl);
	src = (struct ysource){ &dl, "forms/demo.yaml", false };
	ysource_error(&src, 12, 7, "unknown question type '%s'", "number");
	ysource_warning(&src, 3, 1, "language %s is a draft", "th");
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.warnings, 1);
	assert_int_equal(dl.count, 2);
	diag_format(&dl.items[0], line, sizeof line);
	assert_string_equal(line, "forms/demo.yaml:12:7: error: unknown question type 'number'");
	diag_format(&dl.items[1], line, sizeof line);
	assert_string_equal(line, "forms/demo.yaml:3:1: warning: language th is a draft");
	copy = ysource_strdup(&src, "kept");
	assert_string_equal(copy, "kept");
	assert_false(src.nomem);
	free(copy);
	diag_list_free(&dl);
}

/* The message of diagnostic i, as a user reads it. */
static const char *
said(const struct diag_list *dl, size_t i)
{
	static char line[512];

	assert_true(i < dl->count);
	diag_format(&dl->items[i], line, sizeof line);
	return line;
}

static void
schema_checks(void **state)
{
	static const char *const keys[] = {"id", "label", "when", NULL};
	const char *text =
	    "id: q1\n"
	    "lable: x\n"
	    "id: q2\n"
	    "colour: red\n"
	    "empty: \"  \"\n"
	    "list: [a]\n"
	    "none: []\n";
	struct diag_list dl;
	struct ysource src;
	struct yproblem why;
	struct ynode *root = parse(text, &why);

	(void)state;
	assert_non_null(root);
	diag_list_init(&dl);
	src = (struct ysource){ &dl, "f.yaml", false };
	assert_string_equal(ynode_kind_name(Y_SCALAR), "text");
	assert_string_equal(ynode_kind_name(Y_SEQ), "a list");
	assert_string_equal(ynode_kind_name(Y_MAP), "a mapping");

	assert_true(ysource_check_map(&src, root, "a question", keys));
	assert_int_equal(dl.errors, 6);
	assert_string_equal(said(&dl, 0), "f.yaml:2:1: error: unknown field 'lable' in a question: did you mean 'label'?");
	assert_string_equal(said(&dl, 1), "f.yaml:3:1: error: duplicate field 'id' in a question (first at line 1): keep one");
	assert_string_equal(said(&dl, 2), "f.yaml:4:1: error: unknown field 'colour' in a question: known fields are id, label, when");
	assert_false(ysource_check_map(&src, ynode_get(root, "list"), "a question", keys));
	assert_string_equal(said(&dl, 6), "f.yaml:6:7: error: a question must be a mapping of fields (field: value), not a list");

	assert_string_equal(ysource_text(&src, ynode_get(root, "id"), "id"), "q1");
	assert_null(ysource_text(&src, ynode_get(root, "empty"), "the label"));
	assert_string_equal(said(&dl, 7), "f.yaml:5:8: error: the label is empty: write a value");
	assert_null(ysource_text(&src, ynode_get(root, "list"), "the label"));
	assert_string_equal(said(&dl, 8), "f.yaml:6:7: error: the label must be text, not a list");

	assert_non_null(ysource_require(&src, root, "id", "this question"));
	assert_null(ysource_require(&src, root, "when", "this question"));
	assert_string_equal(said(&dl, 9), "f.yaml:1:1: error: this question has no when: add when:");

	assert_non_null(ysource_seq(&src, ynode_get(root, "list"), "choices", true));
	assert_non_null(ysource_seq(&src, ynode_get(root, "none"), "choices", false));
	assert_null(ysource_seq(&src, ynode_get(root, "none"), "choices", true));
	assert_string_equal(said(&dl, 10), "f.yaml:7:7: error: choices is empty: add at least one item");
	assert_null(ysource_seq(&src, ynode_get(root, "id"), "choices", false));
	assert_string_equal(said(&dl, 11),
	    "f.yaml:1:5: error: choices must be a list (items starting with '- '), not text");
	assert_int_equal(dl.count, 12);
	assert_false(src.nomem);
	ynode_free(root);
	diag_list_free(&dl);
}

static void
prechecks_and_problems(void **state)
{
	struct diag_list dl;
	struct ysource src;
	struct yproblem why;

	(void)state;
	diag_list_init(&dl);
	src = (struct ysource){ &dl, "s.yaml", false };
	assert_true(ysource_precheck(&src, "a: 1\n", 5));
	assert_false(ysource_precheck(&src, "title: Caf\xe9\n", 12));
	assert_string_equal(said(&dl, 0),
	    "s.yaml:1:11: error: byte 0xE9 (after \"title: Caf\") is not valid UTF-8: save the file as UTF-8");
	assert_false(ysource_precheck(&src, "a: 1\n\0", 6));
	assert_string_equal(said(&dl, 1), "s.yaml:2:1: error: the file contains a NUL byte: save it as plain UTF-8 text");
	assert_false(ysource_precheck(&src, "a:\n\tb: 1\n", 9));
	assert_string_equal(said(&dl, 2), "s.yaml:2:1: error: tab character used for indentation: use spaces");

	assert_null(ytree_parse("a: 1\n---\nb: 2\n", 14, YTREE_MAX_DEPTH, &why));
	ysource_problem(&src, &why, "scenario", YTREE_MAX_DEPTH);
	assert_string_equal(said(&dl, 3),
	    "s.yaml:2:1: error: a second YAML document starts here: a scenario file holds one document; remove the '---'");
	why.kind = YP_NONE;
	ysource_problem(&src, &why, "scenario", YTREE_MAX_DEPTH);
	assert_int_equal(dl.count, 4);
	diag_list_free(&dl);
}

static void
top_level_keys(void **state)
{
	static const char *const keys[] = {"referrals", "sections", "scenario", NULL};

	(void)state;
	assert_int_equal(ytree_top_keys("sections: []\nreferrals: r.yaml\n", strlen("sections: []\nreferrals: r.yaml\n"), keys), 3);
	assert_int_equal(ytree_top_keys("x: {scenario: 1}\n", strlen("x: {scenario: 1}\n"), keys), 0);
	assert_int_equal(ytree_top_keys("- scenario\n", strlen("- scenario\n"), keys), 0);
	assert_int_equal(ytree_top_keys("x: referrals\n", strlen("x: referrals\n"), keys), 0);
	/* Keys before a syntax error still count. */
	assert_int_equal(ytree_top_keys("scenario: a\nb: [1, 2\n", strlen("scenario: a\nb: [1, 2\n"), keys), 4);
	assert_int_equal(ytree_top_keys("", strlen(""), keys), 0);
}

/* Where byte off of node n's text is in text, through ytree_scalar_pos;
 * false when it cannot say. */
static bool
traced(const char *text, const struct ynode *n, size_t off, unsigned *line, unsigned *col)
{
	return ytree_scalar_pos(text, strlen(text), n->style, n->start, n->end, n->text, off,
	    line, col);
}

/* A form's diagnostics point at the very character of a label or expression
 * that is wrong, whatever the scalar's style: ytree_scalar_pos maps a byte
 * of the decoded text back to its line and column in the source. */
static void
scalar_positions(void **state)
{
	const char *text =
	    "plain: a b c\n"
	    "double: \"x\\ty z\"\n"
	    "single: 'it''s ok'\n"
	    "block: |\n"
	    "  one\n"
	    "  two\n"
	    "folded: >\n"
	    "  alpha\n"
	    "  beta\n"
	    "lao: \"ກ ຂ\"\n";
	struct yproblem why;
	struct ynode *root = parse(text, &why), *n;
	unsigned line = 0, col = 0;

	(void)state;
	assert_non_null(root);
	n = ynode_get(root, "plain");
	assert_true(traced(text, n, 4, &line, &col));          /* "c" */
	assert_int_equal(line, 1);
	assert_int_equal(col, 12);
	/* An escape is two source characters for one of text. */
	n = ynode_get(root, "double");
	assert_int_equal(n->style, YS_DOUBLE);
	assert_string_equal(n->text, "x\ty z");
	assert_true(traced(text, n, 4, &line, &col));          /* "z" */
	assert_int_equal(line, 2);
	assert_int_equal(col, 15);
	/* '' is one quote of text. */
	n = ynode_get(root, "single");
	assert_string_equal(n->text, "it's ok");
	assert_true(traced(text, n, 5, &line, &col));          /* "o" */
	assert_int_equal(line, 3);
	assert_int_equal(col, 16);
	/* A block's header and indentation are no part of its text. */
	n = ynode_get(root, "block");
	assert_int_equal(n->style, YS_LITERAL);
	assert_true(traced(text, n, 4, &line, &col));          /* "two" */
	assert_int_equal(line, 6);
	assert_int_equal(col, 3);
	/* A folded line break is a space of text. */
	n = ynode_get(root, "folded");
	assert_int_equal(n->style, YS_FOLDED);
	assert_string_equal(n->text, "alpha beta\n");
	assert_true(traced(text, n, 6, &line, &col));          /* "beta" */
	assert_int_equal(line, 9);
	assert_int_equal(col, 3);
	/* Columns count characters: the third character of a Lao text. */
	n = ynode_get(root, "lao");
	assert_true(traced(text, n, strlen("ກ "), &line, &col));
	assert_int_equal(line, 10);
	assert_int_equal(col, 9);

	/* Whatever cannot be traced is refused, never a wrong position: an
	 * offset past the text, an empty or reversed span, a text the source
	 * does not hold, a span cut short by the buffer's length. */
	n = ynode_get(root, "plain");
	assert_false(traced(text, n, strlen(n->text), &line, &col));
	assert_false(ytree_scalar_pos(text, strlen(text), n->style, n->start, n->start, n->text, 0,
	    &line, &col));
	assert_false(ytree_scalar_pos(text, strlen(text), n->style, n->end, n->start, n->text, 0,
	    &line, &col));
	assert_false(ytree_scalar_pos(text, strlen(text), n->style, n->start, n->end, "q r s", 2,
	    &line, &col));
	assert_false(ytree_scalar_pos(text, n->start + 2, n->style, n->start, n->end, n->text, 4,
	    &line, &col));
	/* Nor can an escape cut short in the source ("\x" without its digits). */
	assert_false(ytree_scalar_pos("k: \"a\\x\"\n", 9, YS_DOUBLE, 3, 8, "a?", 1, &line, &col));
	ynode_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(positions_of_nodes),
		cmocka_unit_test(scalar_styles),
		cmocka_unit_test(refusals),
		cmocka_unit_test(lookup_and_positions),
		cmocka_unit_test(tabs_hints_and_ids),
		cmocka_unit_test(diagnostics_of_a_source),
		cmocka_unit_test(schema_checks),
		cmocka_unit_test(prechecks_and_problems),
		cmocka_unit_test(top_level_keys),
		cmocka_unit_test(scalar_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
