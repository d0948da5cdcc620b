/* test_i18n.c — the interface language: which one the environment asks
 * for, the bundled catalogs (build/locale, beside this binary's folder),
 * and a catalog's unsafe entries dropped (a printf conversion that differs
 * from the English, positional ones, %n, escape sequences). */
#include "testutil.h"
#include <stdint.h>
#include "i18n.h"

/* A GNU .mo file of n entries (ids sorted, as msgfmt writes them; "" the
 * header) at dir/lo/LC_MESSAGES/intake.mo. Strings may hold NULs: lengths
 * come from idlen/strlen arrays. */
static void
write_mo(const char *dir, size_t n, const char *const *ids, const size_t *idlen,
    const char *const *strs, const size_t *slen)
{
	char path[4096];
	FILE *f;
	uint32_t head[7] = { 0x950412de, 0, (uint32_t)n, 28, (uint32_t)(28 + 8 * n), 0, 0 };
	uint32_t off = (uint32_t)(28 + 16 * n);

	snprintf(path, sizeof path, "%s/lo", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/lo/LC_MESSAGES", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/lo/LC_MESSAGES/intake.mo", dir);
	assert_non_null(f = fopen(path, "wb"));
	fwrite(head, sizeof head, 1, f);
	for (size_t i = 0; i < n; i++) {
		uint32_t e[2] = { (uint32_t)idlen[i], off };

		fwrite(e, sizeof e, 1, f);
		off += (uint32_t)idlen[i] + 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t e[2] = { (uint32_t)slen[i], off };

		fwrite(e, sizeof e, 1, f);
		off += (uint32_t)slen[i] + 1;
	}
	for (size_t i = 0; i < n; i++)
		fwrite(ids[i], idlen[i] + 1, 1, f);
	for (size_t i = 0; i < n; i++)
		fwrite(strs[i], slen[i] + 1, 1, f);
	fclose(f);
}

static void
test_codes(void **state)
{
	(void)state;
	assert_string_equal(i18n_code("lo"), "lo");
	assert_string_equal(i18n_code("lo_LA.UTF-8"), "lo");
	assert_string_equal(i18n_code("th_TH"), "th");
	assert_string_equal(i18n_code("zh_TW.UTF-8"), "zh");
	assert_string_equal(i18n_code("en_GB.UTF-8@euro"), "en");
	assert_null(i18n_code("C.UTF-8"));
	assert_null(i18n_code("POSIX"));
	assert_null(i18n_code("lao"));
	assert_null(i18n_code(""));
	assert_null(i18n_code(NULL));
	assert_int_equal(i18n_count(), 4);
	assert_string_equal(i18n_name_at(1), "ພາສາລາວ");
}

static void
env(const char *intake, const char *language, const char *lc_all, const char *lc_messages,
    const char *lang)
{
	const char *names[] = { "INTAKE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *values[] = { intake, language, lc_all, lc_messages, lang };

	for (size_t i = 0; i < 5; i++) {
		if (values[i] == NULL)
			unsetenv(names[i]);
		else
			setenv(names[i], values[i], 1);
	}
}

static void
test_from_env(void **state)
{
	(void)state;
	env(NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(i18n_from_env(), "en");
	/* A locale that is not installed counts all the same. */
	env(NULL, NULL, NULL, NULL, "lo_LA.UTF-8");
	assert_string_equal(i18n_from_env(), "lo");
	env(NULL, NULL, NULL, "th_TH.UTF-8", "lo_LA.UTF-8");
	assert_string_equal(i18n_from_env(), "th");
	env(NULL, NULL, "zh_CN.UTF-8", "th_TH.UTF-8", "lo_LA.UTF-8");
	assert_string_equal(i18n_from_env(), "zh");
	/* LANGUAGE: its first language offered, but not under C. */
	env(NULL, "fr:th:lo", NULL, NULL, "en_US.UTF-8");
	assert_string_equal(i18n_from_env(), "th");
	env(NULL, "th", "C.UTF-8", NULL, "lo_LA.UTF-8");
	assert_string_equal(i18n_from_env(), "en");
	/* INTAKE_LANG wins; one that names nothing offered is passed over. */
	env("lo", "th", "zh_CN.UTF-8", NULL, NULL);
	assert_string_equal(i18n_from_env(), "lo");
	env("klingon", NULL, NULL, NULL, "th_TH.UTF-8");
	assert_string_equal(i18n_from_env(), "th");
	env(NULL, NULL, NULL, NULL, NULL);
}

/* The catalogs the build made, found beside the binary. */
static void
test_bundled(void **state)
{
	char err[1024];

	(void)state;
	assert_string_equal(i18n_current(), "en");
	assert_string_equal(_("Start a new interview"), "Start a new interview");
	assert_int_equal(i18n_set("lo", NULL, err, sizeof err), ST_OK);
	assert_string_equal(i18n_current(), "lo");
	assert_string_equal(_("Start a new interview"), "ເລີ່ມການສຳພາດໃໝ່");
	assert_string_equal(_("Unlock the vault"), "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ");
	assert_int_equal(i18n_dropped(), 0);
	assert_string_equal(_("a message no catalog has"), "a message no catalog has");
	assert_int_equal(i18n_set("th", NULL, err, sizeof err), ST_OK);
	assert_string_equal(_("Start a new interview"), "เริ่มการสัมภาษณ์ใหม่");
	assert_int_equal(i18n_dropped(), 0);
	assert_int_equal(i18n_set("zh", NULL, err, sizeof err), ST_OK);
	assert_string_equal(_("Start a new interview"), "开始新的访谈");
	assert_string_equal(P_("%zu scenario file fails the check: run `intake training check`",
	    "%zu scenario files fail the check: run `intake training check`", 3),
	    "%zu 个情景文件未通过检查：请运行 `intake training check`");
	assert_int_equal(i18n_dropped(), 0);
	assert_int_equal(i18n_set("en", NULL, err, sizeof err), ST_OK);
	assert_string_equal(_("Start a new interview"), "Start a new interview");
	assert_string_equal(P_("%zu file", "%zu files", 1), "%zu file");
	assert_string_equal(P_("%zu file", "%zu files", 2), "%zu files");
}

static void
test_unsafe_dropped(void **state)
{
	static const char *const ids[] = {
		"", "Count %zu", "Hello", "Plain", "Pos %s %s", "Saved %s", "Star %*d",
		"one %zu\0many %zu",
	};
	static const size_t idlen[] = { 0, 9, 5, 5, 9, 8, 8, 16 };
	static const char *const strs[] = {
		"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n",
		"N %zu", "\x1b[2JBad", "oops %n", "%2$s %1$s", "X %d", "S %*d", "P %zu",
	};
	size_t slen[8];
	char *dir = tu_tmpdir("i18n"), err[1024];

	(void)state;
	for (size_t i = 0; i < 8; i++)
		slen[i] = strlen(strs[i]);
	write_mo(dir, 8, ids, idlen, strs, slen);
	assert_int_equal(i18n_set("lo", dir, err, sizeof err), ST_OK);
	assert_string_equal(_("Count %zu"), "N %zu");
	assert_string_equal(_("Star %*d"), "S %*d");
	assert_string_equal(P_("one %zu", "many %zu", 5), "P %zu");
	/* Dropped: the English stands. */
	assert_string_equal(_("Hello"), "Hello");
	assert_string_equal(_("Plain"), "Plain");
	assert_string_equal(_("Pos %s %s"), "Pos %s %s");
	assert_string_equal(_("Saved %s"), "Saved %s");
	assert_int_equal(i18n_dropped(), 4);
	assert_string_equal(_(""), "");         /* never the header */
	tu_rmtree(dir);
	free(dir);
	assert_int_equal(i18n_set("en", NULL, err, sizeof err), ST_OK);
}

/* A catalog's plural is its own text: forms checked against it must not
 * stand for a plain message, nor for another plural than the program's. */
static void
test_catalog_plural_is_not_trusted(void **state)
{
	static const char *const ids[] = {
		"", "%lu rec\0%lu recs", "fewer than %u\0%s%s%s%s%s%s%s%s",
	};
	static const size_t idlen[] = { 0, 16, 30 };
	static const char *const strs[] = {
		"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n",
		"R %lu", "%s%s%s%s%s%s%s%s",
	};
	size_t slen[3];
	char *dir = tu_tmpdir("i18n"), err[1024];

	(void)state;
	for (size_t i = 0; i < 3; i++)
		slen[i] = strlen(strs[i]);
	write_mo(dir, 3, ids, idlen, strs, slen);
	assert_int_equal(i18n_set("lo", dir, err, sizeof err), ST_OK);
	/* "%s%s..." matched the catalog's own plural, and printf would read
	 * eight strings where the program passes one number. */
	assert_string_equal(_("fewer than %u"), "fewer than %u");
	assert_string_equal(P_("fewer than %u", "fewer than %u", 2), "fewer than %u");
	/* The plural the program asks for, and the catalog's: translated. */
	assert_string_equal(P_("%lu rec", "%lu recs", 2), "R %lu");
	/* Another plural of the same singular: English. */
	assert_string_equal(P_("%lu rec", "%lu records", 2), "%lu records");
	tu_rmtree(dir);
	free(dir);
	assert_int_equal(i18n_set("en", NULL, err, sizeof err), ST_OK);
}

static void
test_bad_catalogs(void **state)
{
	char *dir = tu_tmpdir("i18n"), err[1024], path[4096];
	FILE *f;

	(void)state;
	assert_int_equal(i18n_set("lo", dir, err, sizeof err), ST_NOTFOUND);
	assert_non_null(strstr(err, "lo/LC_MESSAGES/intake.mo"));
	assert_string_equal(i18n_current(), "en");
	snprintf(path, sizeof path, "%s/lo", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/lo/LC_MESSAGES", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/lo/LC_MESSAGES/intake.mo", dir);
	assert_non_null(f = fopen(path, "wb"));
	fputs("this is not a message catalog at all, only text", f);
	fclose(f);
	assert_int_equal(i18n_set("lo", dir, err, sizeof err), ST_FORMAT);
	assert_string_equal(i18n_current(), "en");
	/* A table that points past the end of the file. */
	{
		uint32_t head[7] = { 0x950412de, 0, 1, 28, 36, 0, 0 }, e[4] = { 5, 9999, 5, 9999 };

		assert_non_null(f = fopen(path, "wb"));
		fwrite(head, sizeof head, 1, f);
		fwrite(e, sizeof e, 1, f);
		fclose(f);
	}
	assert_int_equal(i18n_set("lo", dir, err, sizeof err), ST_FORMAT);
	assert_int_equal(i18n_set("xx", dir, err, sizeof err), ST_INVALID);
	assert_string_equal(i18n_current(), "en");
	tu_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_from_env),
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_unsafe_dropped),
		cmocka_unit_test(test_catalog_plural_is_not_trusted),
		cmocka_unit_test(test_bad_catalogs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
