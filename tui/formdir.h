/*
 * formdir.h — where the program finds its questionnaires.
 *
 * A form is named on the command line by a path (anything with a '/' or
 * ending in .yaml) or by its id, looked up in the form directories, in order:
 *   1. $INTAKE_FORMS (colon-separated), when set;
 *   2. forms/ beside the binary's source tree (a build tree: ./intake,
 *      build/intake, build/asan/intake);
 *   3. ../share/intake/forms beside the binary (an installed tree, wherever
 *      it was installed or staged with DESTDIR);
 *   4. the $(PREFIX)/share/intake/forms compiled in.
 * Never the current directory: a forms/ or referrals.yaml planted where a
 * supervisor happens to run intake is not read.
 */
#ifndef INTAKE_FORMDIR_H
#define INTAKE_FORMDIR_H

#include <stddef.h>

#include "diag.h"
#include "status.h"

struct form;

/* The first form directory that exists, into buf. ST_NOTFOUND if none,
 * with buf then naming the compiled-in directory (which does not exist): a
 * command that can do without forms (showing a stored record, exports) goes
 * on with it and reads no form or referrals file. */
enum status formdir_find(char *buf, size_t len);

/* formdir_find() for commands that cannot do without forms: when none is
 * found, says on stderr every place looked in and how to set INTAKE_FORMS. */
enum status formdir_require(char *buf, size_t len);

/* Loads a form by path or id, reporting problems on stderr as
 * "file:line:col: ...". ST_NOTFOUND when no such form exists. */
enum status formdir_load(const char *name, struct form **out);

/* Prints every diagnostic of dl on stderr. */
void formdir_print_diags(const struct diag_list *dl);

#endif
