/* The page the runtime writes just below the app's vDSO (its "vvar" page) before making
 * it read-only: what the vDSO functions (rt/vdso/vdso.c) read at every call. Shared by
 * the vDSO and the runtime's loader (rt/loader/vdso_map.c); docs/vdso-design.md. */
#ifndef ASIS_VDSO_DATA_H
#define ASIS_VDSO_DATA_H
#include <stdint.h>

#define ASIS_VDSO_DATA_BYTES 4096UL

struct timespec;
struct timeval;
struct timezone;

/* The clock functions a call is served by, never 0: the host kernel's own vDSO
 * function (found through asis-rt's AT_SYSINFO_EHDR), or, where that cannot serve it
 * (--rdtsc=emulate, a host without a vDSO, a function the host's lacks), the gate's
 * direct call (rt/pal/gate.S pal_vdso_*). */
struct asis_vdso_data {
    int (*clock_gettime)(long clock, struct timespec *ts);
    int (*gettimeofday)(struct timeval *tv, struct timezone *tz);
    long (*time)(long *t);
    long (*getcpu)(unsigned *cpu, unsigned *node, void *cache);
    int (*clock_getres)(long clock, struct timespec *res);
};

#endif
