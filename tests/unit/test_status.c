/* test_status.c — every status code has a text, and status_msg() writes,
 * cuts and skips as status.h promises, and status_fail() returns the code
 * it is given. */
#include "testutil.h"
#include "status.h"

static void
every_status_has_text(void **state)
{
	(void)state;
	for (int s = 0; s < ST__COUNT; s++) {
		assert_non_null(status_str((enum status)s));
		assert_true(strlen(status_str((enum status)s)) > 0);
	}
	assert_string_equal(status_str(ST_OK), "ok");
	assert_string_equal(status_str((enum status)999), "unknown status");
}

static void
status_msg_formats_cuts_and_skips(void **state)
{
	char buf[16];

	(void)state;
	status_msg(buf, sizeof buf, "%s %d", "case", 7);
	assert_string_equal(buf, "case 7");
	/* Too long: cut, NUL-terminated, and marked as cut. */
	status_msg(buf, sizeof buf, "cannot read %s", "/a/long/path/name");
	assert_int_equal(strlen(buf), sizeof buf - 1);
	assert_string_equal(buf, "cannot read ...");
	/* Exactly full still fits whole. */
	status_msg(buf, sizeof buf, "%s", "fifteen bytes!!");
	assert_string_equal(buf, "fifteen bytes!!");
	/* No buffer, or one of no bytes: nothing is written. */
	status_msg(NULL, 10, "x");
	buf[0] = 'z';
	status_msg(buf, 0, "x");
	assert_int_equal(buf[0], 'z');
	/* Too small to mark: still cut and terminated. */
	status_msg(buf, 3, "abcdef");
	assert_string_equal(buf, "ab");
}

static void
status_fail_writes_and_returns_the_status(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(status_fail(buf, sizeof buf, ST_INVALID, "bad %s", "name"), ST_INVALID);
	assert_string_equal(buf, "bad name");
	assert_int_equal(status_fail(NULL, 0, ST_DENIED, "x"), ST_DENIED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_status_has_text),
		cmocka_unit_test(status_msg_formats_cuts_and_skips),
		cmocka_unit_test(status_fail_writes_and_returns_the_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
