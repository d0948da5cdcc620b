/*
 * addrspace.h — tells an address-space limit (`ulimit -v`, RLIMIT_AS) that
 * is too small for a mapping from a real shortage of memory.
 *
 * LMDB maps the whole vault file (and room to grow) into the process: under
 * a limit on virtual memory the mapping fails with ENOMEM although the
 * machine has memory to spare, and "out of memory" sends the user looking
 * in the wrong place. addrspace_explain() says what the limit is, what the
 * process already uses, what the mapping needs and what to set instead.
 *
 * Contracts: no allocation; reads getrlimit and /proc/self/statm only.
 * Returns 1 and fills msg when a finite limit would be exceeded by `need`
 * more bytes (with a 128 MiB margin for the passphrase key derivation and
 * the program's own growth), 0 otherwise (msg untouched): then the
 * failure was something else, to be reported as it is.
 */
#ifndef INTAKE_ADDRSPACE_H
#define INTAKE_ADDRSPACE_H

#include <stddef.h>

int addrspace_explain(size_t need, char *msg, size_t msglen);

#endif
