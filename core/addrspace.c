/*
 * addrspace.c — an address-space limit named as such (see addrspace.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "addrspace.h"

#define MIB     ((uint64_t)1 << 20)
#define MARGIN  (128 * MIB)

/* Bytes of address space the process holds now (0 when unknown). */
static uint64_t
in_use(void)
{
	unsigned long long pages = 0;
	long psize = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &pages) != 1)
		pages = 0;
	fclose(f);
	return psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
}

int
addrspace_explain(size_t need, char *msg, size_t msglen)
{
	struct rlimit rl;
	uint64_t used, want;

	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	used = in_use();
	if (used + need <= (uint64_t)rl.rlim_cur)
		return 0;
	want = (used + need + MARGIN + MIB - 1) / MIB;
	snprintf(msg, msglen, "the address-space limit of this session (ulimit -v) is %llu MiB; "
	    "intake already uses %llu MiB of it and the vault's map needs %llu MiB more: raise "
	    "the limit to at least %llu MiB (ulimit -v %llu, in KiB) or remove it (ulimit -v "
	    "unlimited); this is not a shortage of memory",
	    (unsigned long long)((uint64_t)rl.rlim_cur / MIB), (unsigned long long)(used / MIB),
	    (unsigned long long)((need + MIB - 1) / MIB), (unsigned long long)want,
	    (unsigned long long)(want * 1024));
	return 1;
}
