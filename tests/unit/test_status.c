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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_status_has_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
