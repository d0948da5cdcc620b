/* harden.c — process hardening at start-up: no core dumps, not dumpable,
 * umask 077. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "harden.h"

int
harden_process(char *err, size_t errlen)
{
	struct rlimit rl = { 0, 0 };

	umask(077);
	if (setrlimit(RLIMIT_CORE, &rl) != 0) {
		snprintf(err, errlen, "cannot disable core dumps: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot mark the process undumpable: %s", strerror(errno));
		return -1;
	}
	return 0;
}
