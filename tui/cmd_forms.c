/*
 * cmd_forms.c — `intake forms check FILE...`, `intake forms list` and
 * `intake forms import FILE.xlsx [--out FORM.yaml]`.
 *
 * File names, form ids, versions, titles and messages that quote a form
 * are printed through outsafe.h: a form file or its name is data.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fdio.h"
#include "form.h"
#include "formdir.h"
#include "outsafe.h"
#include "xlsform.h"

/* Warns, on stderr, while a form's referral directory still holds entries
 * shipped as examples (`example: true`): their contacts are placeholders,
 * and a wrong number given to someone in danger is worse than none. Checking
 * the directory itself (list) names each such entry, to be replaced; a form
 * only counts them. Returns the number of warnings printed (0 or 1). */
static size_t
warn_example_referrals(const char *path, const struct form *f, bool list)
{
	size_t n = form_referral_count(f), examples = 0;

	for (size_t r = 0; r < n; r++)
		if (form_referral_example(f, r))
			examples++;
	if (examples == 0)
		return 0;
	outsafe_put(stderr, path);
	if (examples == n)
		fprintf(stderr, ": warning: every referral (%zu) is an example with a placeholder "
		    "contact: replace them with services you have verified before real interviews\n",
		    n);
	else
		fprintf(stderr, ": warning: %zu of %zu referrals are examples with placeholder "
		    "contacts: replace or remove them before real interviews\n", examples, n);
	if (!list) {
		fprintf(stderr, "  (`intake forms check` of the referral directory lists them)\n");
		return 1;
	}
	for (size_t r = 0; r < n; r++) {
		if (!form_referral_example(f, r))
			continue;
		fputs("  example: ", stderr);
		outsafe_put(stderr, form_referral_id(f, r));
		fputs("  ", stderr);
		outsafe_put(stderr, form_referral_name(f, r, 0));
		fputc('\n', stderr);
	}
	return 1;
}

/* Checks a referral directory by loading the forms beside it that use it. */
static int
check_referrals(const char *path)
{
	char dir[PATH_MAX], form_path[PATH_MAX + 256];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	struct dirent *e;
	struct diag_list dl;
	size_t users = 0;
	int bad = 0, warned = 0;
	DIR *d;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if ((d = opendir(dir)) == NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		struct form *f = NULL;
		const char *rs;
		size_t rl;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0 || strcmp(e->d_name, base) == 0)
			continue;
		snprintf(form_path, sizeof form_path, "%s/%s", dir, e->d_name);
		if (form_file_kind_path(form_path) == FORM_FILE_REFERRALS)
			continue;
		diag_list_init(&dl);
		if (form_load_file(form_path, &f, &dl) == ST_OK) {
			rs = form_referrals_source(f, &rl);
			if (rs != NULL) {
				users++;
				if (!warned)
					warned = warn_example_referrals(path, f, true) > 0;
			}
		} else {
			/* Errors in the referrals file show up through the form. */
			for (size_t i = 0; i < dl.count; i++)
				if (strstr(dl.items[i].file, base) != NULL) {
					char msg[1024];

					diag_format(&dl.items[i], msg, sizeof msg);
					outsafe_put(stderr, msg);
					fputc('\n', stderr);
					bad = 1;
				}
		}
		form_free(f);
		diag_list_free(&dl);
	}
	closedir(d);
	outsafe_put(stdout, path);
	if (bad)
		printf(": errors: the referral directory cannot be used until fixed\n");
	else
		printf(": ok: referral directory, used by %zu form%s beside it\n",
		    users, users == 1 ? "" : "s");
	return bad;
}

static int
forms_check(struct cli *c)
{
	struct diag_list dl;
	struct form *f;
	enum status st;
	int bad = 0;

	if (c->argc < 2) {
		fprintf(stderr, "intake: usage: intake forms check FILE...\n");
		return EXIT_USAGE;
	}
	for (int i = 1; i < c->argc; i++) {
		switch (form_file_kind_path(c->argv[i])) {
		case FORM_FILE_REFERRALS:
			bad |= check_referrals(c->argv[i]);
			continue;
		case FORM_FILE_SCENARIO:
			bad |= cli_check_scenario(c->argv[i]);
			continue;
		case FORM_FILE_FORM:
			break;
		}
		diag_list_init(&dl);
		f = NULL;
		st = form_load_file(c->argv[i], &f, &dl);
		formdir_print_diags(&dl);
		if (st == ST_OK && form_referrals_source(f, NULL) != NULL)
			dl.warnings += warn_example_referrals(c->argv[i], f, false);
		outsafe_put(stdout, c->argv[i]);
		if (st == ST_OK) {
			printf(": ok: form '");
			outsafe_put(stdout, form_id(f));
			printf("' version ");
			outsafe_put(stdout, form_version(f));
			printf(", %zu questions, %zu languages",
			    form_question_count(f), form_lang_count(f));
			if (dl.warnings > 0)
				printf(", %zu warning%s", dl.warnings, dl.warnings == 1 ? "" : "s");
			printf("\n");
		} else {
			printf(": %zu error%s: this form cannot be used until fixed\n",
			    dl.errors, dl.errors == 1 ? "" : "s");
			bad = 1;
		}
		form_free(f);
		diag_list_free(&dl);
	}
	return bad ? EXIT_INVALID : EXIT_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
forms_list(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (formdir_require(dir, sizeof dir) != ST_OK)
		return EXIT_FAIL;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "intake: cannot read ");
		outsafe_put(stderr, dir);
		fputc('\n', stderr);
		return EXIT_FAIL;
	}
	while ((e = readdir(d)) != NULL && n < sizeof names / sizeof names[0]) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0 &&
		    strcmp(e->d_name, "referrals.yaml") != 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	printf("Forms in ");
	outsafe_put(stdout, dir);
	printf(":\n");
	for (size_t i = 0; i < n; i++) {
		char id[4 * FORM_ID_MAX + 1], version[128], name[1024];
		struct form *f = NULL;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (names[i] != NULL && form_load_file(path, &f, NULL) == ST_OK) {
			printf("  %-20s v%-6s %3zu questions  ", outsafe_str(id, sizeof id, form_id(f)),
			    outsafe_str(version, sizeof version, form_version(f)),
			    form_question_count(f));
			for (size_t l = 0; l < form_lang_count(f); l++) {
				fputs(l ? " " : "", stdout);
				outsafe_put(stdout, form_lang_code(f, l));
				fputs(form_lang_status(f, l) == FORM_LANG_DRAFT ? "(draft)" : "", stdout);
			}
			printf("\n      ");
			outsafe_put(stdout, form_title(f, 0));
			putchar('\n');
		} else {
			printf("  %-20s (fails `intake forms check`)\n",
			    outsafe_str(name, sizeof name, names[i] ? names[i] : "?"));
		}
		form_free(f);
		free(names[i]);
	}
	return EXIT_OK;
}

/*
 * Converts an XLSForm workbook into a form and checks it. The form goes to
 * --out (a new file: an existing one is never replaced) or to stdout, and
 * only when it loads; every problem is printed at its sheet, row and
 * column.
 */
static int
forms_import(struct cli *c)
{
	struct diag_list dl;
	char *yaml = NULL;
	size_t len = 0;
	enum status st;
	int rc = EXIT_OK, fd;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake forms import FILE.xlsx [--out FORM.yaml]\n");
		return EXIT_USAGE;
	}
	diag_list_init(&dl);
	st = xlsform_import_file(c->argv[1], c->out, &yaml, &len, &dl);
	formdir_print_diags(&dl);
	if (st != ST_OK) {
		outsafe_put(stderr, c->argv[1]);
		fprintf(stderr, ": %zu error%s: no form written; fix the workbook and import it again\n",
		    dl.errors, dl.errors == 1 ? "" : "s");
		rc = st == ST_NOMEM ? EXIT_FAIL : st == ST_IO ? EXIT_FAIL : EXIT_INVALID;
		goto out;
	}
	if (c->out == NULL) {
		if (fdio_write(STDOUT_FILENO, yaml, len) != 0)
			rc = EXIT_FAIL;
		goto out;
	}
	/* A form holds no record: readable by all, like the installed ones
	 * (fchmod, as the umask of `intake` is strict). */
	fd = open(c->out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) != 0 || fdio_write(fd, yaml, len) != 0 || fsync(fd) != 0) {
		int e = errno;

		fprintf(stderr, "intake: cannot write ");
		outsafe_put(stderr, c->out);
		fprintf(stderr, ": %s%s\n", strerror(e), e == EEXIST ? " (choose a new name: an existing file is never replaced)" : "");
		if (fd >= 0) {
			close(fd);
			unlink(c->out);
		}
		rc = EXIT_FAIL;
		goto out;
	}
	close(fd);
	outsafe_put(stdout, c->out);
	printf(": ok: imported from ");
	outsafe_put(stdout, c->argv[1]);
	printf("%s%zu warning%s); check it with `intake forms check` after every edit\n",
	    " (", dl.warnings, dl.warnings == 1 ? "" : "s");
out:
	free(yaml);
	diag_list_free(&dl);
	return rc;
}

int
cmd_forms(struct cli *c)
{
	const char *sub = c->argc > 0 ? c->argv[0] : "";

	if (strcmp(sub, "check") == 0)
		return forms_check(c);
	if (strcmp(sub, "list") == 0)
		return forms_list();
	if (strcmp(sub, "import") == 0)
		return forms_import(c);
	fprintf(stderr, "intake: usage: intake forms check FILE... | intake forms list | "
	    "intake forms import FILE.xlsx [--out FORM.yaml]\n");
	return EXIT_USAGE;
}
