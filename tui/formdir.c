/*
 * formdir.c — finding the forms directory and loading a form by id or path.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "form.h"
#include "formdir.h"
#include "outsafe.h"

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Tries one candidate; returns 1 and fills buf when it is a directory. */
static int
try_dir(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s%s", a, b);

	return n > 0 && (size_t)n < len && is_dir(buf);
}

/* Beside the binary: build trees first, then an installed tree. */
static const char *const beside_exe[] = {
	"/forms", "/../forms", "/../../forms", "/../share/intake/forms"
};

/* The folder of the running binary into exe; 0 when unknown. */
static int
exe_dir(char exe[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return 0;
	*slash = '\0';
	return 1;
}

/* The first directory of $INTAKE_FORMS into one; 0 when unset or too long. */
static int
env_dir(char one[PATH_MAX])
{
	const char *env = getenv("INTAKE_FORMS");
	size_t l;

	if (env == NULL || *env == '\0')
		return 0;
	l = strcspn(env, ":");
	if (l >= PATH_MAX)
		return 0;
	memcpy(one, env, l);
	one[l] = '\0';
	return 1;
}

enum status
formdir_find(char *buf, size_t len)
{
	char exe[PATH_MAX], one[PATH_MAX];

	if (env_dir(one) && try_dir(buf, len, one, ""))
		return ST_OK;
	if (exe_dir(exe))
		for (size_t i = 0; i < sizeof beside_exe / sizeof *beside_exe; i++)
			if (try_dir(buf, len, exe, beside_exe[i]))
				return ST_OK;
	if (try_dir(buf, len, INTAKE_FORMS_DIR, ""))
		return ST_OK;
	/* Not found: the installed directory, which does not exist, so that
	 * whoever goes on without forms reads none (never the current
	 * directory's). */
	snprintf(buf, len, "%s", INTAKE_FORMS_DIR);
	return ST_NOTFOUND;
}

enum status
formdir_require(char *buf, size_t len)
{
	char exe[PATH_MAX], one[PATH_MAX];

	if (formdir_find(buf, len) == ST_OK)
		return ST_OK;
	fprintf(stderr, "intake: no forms directory found. Looked in ");
	if (env_dir(one))
		fprintf(stderr, "%s (INTAKE_FORMS), ", one);
	else
		fprintf(stderr, "INTAKE_FORMS (not set), ");
	if (exe_dir(exe))
		for (size_t i = 0; i < sizeof beside_exe / sizeof *beside_exe; i++)
			fprintf(stderr, "%s%s, ", exe, beside_exe[i]);
	fprintf(stderr, "%s.\nSet INTAKE_FORMS to the folder holding the forms "
	    "(they are never taken from the current directory).\n", INTAKE_FORMS_DIR);
	return ST_NOTFOUND;
}

void
formdir_print_diags(const struct diag_list *dl)
{
	char line[1024];

	for (size_t i = 0; i < dl->count; i++) {
		diag_format(&dl->items[i], line, sizeof line);
		/* A message may quote the file's name or text. */
		outsafe_put(stderr, line);
		fputc('\n', stderr);
	}
	if (diag_dropped(dl) > 0)
		fprintf(stderr, "(%zu more not shown)\n", diag_dropped(dl));
}

/* A name with a '/' is a path, read as typed (./my-form.yaml for the
 * current directory); any other name, "screening-short.yaml" too, is looked
 * for in the forms directory only. */
static int
looks_like_path(const char *name)
{
	return strchr(name, '/') != NULL;
}

static int
has_yaml_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* Finds, in dir, the form whose id is `id` (file names may differ from ids:
 * screening-short.yaml holds screening_short) and writes its path; path
 * is left as it was when none has that id. */
static int
find_by_id(const char *dir, const char *id, char *path, size_t len)
{
	char cand[PATH_MAX];
	struct dirent *e;
	struct form *f;
	DIR *d = opendir(dir);
	int found = 0;

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		if (snprintf(cand, sizeof cand, "%s/%s", dir, e->d_name) >= (int)sizeof cand)
			continue;
		f = NULL;
		if (form_load_file(cand, &f, NULL) == ST_OK && strcmp(form_id(f), id) == 0 &&
		    strlen(cand) < len) {
			memcpy(path, cand, strlen(cand) + 1);
			found = 1;
		}
		form_free(f);
	}
	closedir(d);
	return found;
}

enum status
formdir_load(const char *name, struct form **out)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct diag_list dl;
	enum status st;
	int n;

	if (looks_like_path(name)) {
		n = snprintf(path, sizeof path, "%s", name);
	} else {
		if (formdir_require(dir, sizeof dir) != ST_OK)
			return ST_NOTFOUND;
		n = snprintf(path, sizeof path, "%s/%s%s", dir, name,
		    has_yaml_suffix(name) ? "" : ".yaml");
		if (n > 0 && (size_t)n < sizeof path && access(path, R_OK) != 0 &&
		    find_by_id(dir, name, path, sizeof path))
			n = (int)strlen(path);
	}
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "intake: form path too long\n");
		return ST_INVALID;
	}
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "intake: no form '%s' (looked for %s): see `intake forms list`\n",
		    name, path);
		return ST_NOTFOUND;
	}
	diag_list_init(&dl);
	st = form_load_file(path, out, &dl);
	if (st != ST_OK || dl.errors > 0)
		formdir_print_diags(&dl);
	diag_list_free(&dl);
	return st;
}
