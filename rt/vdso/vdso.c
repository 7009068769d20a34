/* asis's vDSO: the functions Linux exports to x86-64 programs, under the same names and
 * version (vdso.lds), so that Go's runtime and glibc find them through AT_SYSINFO_EHDR as
 * on Linux. Each one jumps to the function the runtime put in the data page below the
 * image (a tail call: no stack of ours, since Go calls the vDSO on small stacks), or
 * makes the syscall, which asis serves. Built on its own as a shared object with no
 * relocations and no stack protector: it runs as app code, on the app's stack. */
#include <asm/unistd.h>
#include "vdso/vdso_data.h"

/* The data page, one page below the image (vdso.lds). */
extern const struct asis_vdso_data asis_vdso_data __attribute__((visibility("hidden")));

/* The runtime writes the page before the app runs and never again; the compiler must
 * still load each pointer at the call, not assume a value from the image. */
#define DATA(field) (*(__typeof__(asis_vdso_data.field) const volatile *)&asis_vdso_data.field)

static long syscall2(long nr, long a, long b)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return r;
}

static long syscall3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}


int __vdso_clock_gettime(long clock, struct timespec *ts);
int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz);
long __vdso_time(long *t);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
int __vdso_clock_getres(long clock, struct timespec *res);

/* As Linux's: the result is 0 or -errno, never -1 with errno (callers check). */
int __vdso_clock_gettime(long clock, struct timespec *ts)
{
    int (*f)(long, struct timespec *) = DATA(clock_gettime);
    if (f)
        return f(clock, ts);
    return (int)syscall2(__NR_clock_gettime, clock, (long)ts);
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
    int (*f)(struct timeval *, struct timezone *) = DATA(gettimeofday);
    if (f)
        return f(tv, tz);
    return (int)syscall2(__NR_gettimeofday, (long)tv, (long)tz);
}

long __vdso_time(long *t)
{
    long (*f)(long *) = DATA(time);
    if (f)
        return f(t);
    return syscall2(__NR_time, (long)t, 0);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
    long (*f)(unsigned *, unsigned *, void *) = DATA(getcpu);
    if (f)
        return f(cpu, node, cache);
    return syscall3(__NR_getcpu, (long)cpu, (long)node, (long)cache);
}

int __vdso_clock_getres(long clock, struct timespec *res)
{
    int (*f)(long, struct timespec *) = DATA(clock_getres);
    if (f)
        return f(clock, res);
    return (int)syscall2(__NR_clock_getres, clock, (long)res);
}

/* The unprefixed names Linux also exports (weak, as there). */
int clock_gettime(long, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(long, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
