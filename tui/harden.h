/*
 * harden.h — process hardening, done first thing in main().
 *
 * No core dumps (RLIMIT_CORE 0), not dumpable (so no ptrace attach by the same
 * user and no /proc/PID/mem reads), umask 077 so nothing we create is readable
 * by others. Returns 0, or -1 with a message when a step failed.
 */
#ifndef INTAKE_HARDEN_H
#define INTAKE_HARDEN_H

#include <stddef.h>

int harden_process(char *err, size_t errlen);

#endif
