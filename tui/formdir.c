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

enum status
formdir_find(char *buf, size_t len)
{
	const char *env = getenv("INTAKE_FORMS");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env != NULL && *env != '\0') {
		/* First directory of the list. */
		const char *colon = strchr(env, ':');
		size_t l = colon ? (size_t)(colon - env) : strlen(env);
		char one[PATH_MAX];

		if (l < sizeof one) {
			memcpy(one, env, l);
			one[l] = '\0';
			if (try_dir(buf, len, one, ""))
				return ST_OK;
		}
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (try_dir(buf, len, exe, "/forms") ||
			    try_dir(buf, len, exe, "/../forms") ||
			    try_dir(buf, len, exe, "/../../forms") ||
			    try_dir(buf, len, exe, "/../share/intake/forms"))
				return ST_OK;
		}
	}
	if (try_dir(buf, len, INTAKE_FORMS_DIR, ""))
		return ST_OK;
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

static int
looks_like_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') != NULL || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

/* Finds, in dir, the form whose id is `id` (file names may differ from ids:
 * screening-short.yaml holds screening_short). */
static int
find_by_id(const char *dir, const char *id, char *path, size_t len)
{
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
		if (snprintf(path, len, "%s/%s", dir, e->d_name) >= (int)len)
			continue;
		f = NULL;
		if (form_load_file(path, &f, NULL) == ST_OK && strcmp(form_id(f), id) == 0)
			found = 1;
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
		if (formdir_find(dir, sizeof dir) != ST_OK) {
			fprintf(stderr, "intake: no forms directory found: set INTAKE_FORMS "
			    "or name the form file\n");
			return ST_NOTFOUND;
		}
		n = snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
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
