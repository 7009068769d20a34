/* asis's vDSO: the functions Linux exports to x86-64 programs, under the same names and
 * version (vdso.lds), so that Go's runtime and glibc find them through AT_SYSINFO_EHDR as
 * on Linux. Each one jumps to the function the runtime put in the data page below the
 * image (rt/loader/vdso_map.c fills every pointer before the app runs): a tail call, no
 * stack of ours, since Go calls the vDSO on small stacks. Built on its own as a shared
 * object with no relocations and no stack protector: it runs as app code, on the app's
 * stack. The result is the callee's: 0 or -errno, never -1 with errno, as Linux's. */
#include "vdso/vdso_data.h"

/* The data page, one page below the image (vdso.lds). Its contents are unknown to the
 * compiler (an extern with no initializer), so each call loads its pointer. */
extern const struct asis_vdso_data asis_vdso_data __attribute__((visibility("hidden")));

int __vdso_clock_gettime(long clock, struct timespec *ts);
int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz);
long __vdso_time(long *t);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
int __vdso_clock_getres(long clock, struct timespec *res);

int __vdso_clock_gettime(long clock, struct timespec *ts)
{
    return asis_vdso_data.clock_gettime(clock, ts);
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
    return asis_vdso_data.gettimeofday(tv, tz);
}

long __vdso_time(long *t)
{
    return asis_vdso_data.time(t);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
    return asis_vdso_data.getcpu(cpu, node, cache);
}

int __vdso_clock_getres(long clock, struct timespec *res)
{
    return asis_vdso_data.clock_getres(clock, res);
}

/* The unprefixed names Linux also exports (weak, as there). */
int clock_gettime(long, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(long, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
