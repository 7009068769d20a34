/* The host interface: everything above rt/pal reaches the host kernel through these
 * calls, which all go through the one gate (rt/pal/gate.S). Results are values or
 * -errno, never a global errno. */
#ifndef ASIS_PAL_HOST_H
#define ASIS_PAL_HOST_H

#include "pal/host_abi.h"

long pal_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* The same for a call that may block: signals the window mask lets through interrupt it
 * (rt/pal/gate.S; use syscall_interruptible() from rt/libos/signal.h). */
long pal_syscall6_intr(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
extern const char pal_window_start[], pal_window_syscall[], pal_window_end[], pal_window_closed[];
extern const char pal_pass_syscall[], pal_pass_after[], pal_pass_end[];
long pal_clone_thread(unsigned long flags, void *child_sp, int *ptid, int *ctid,
                      unsigned long tls, void (*fn)(void *), void *arg);
long pal_fork(void);
__attribute__((noreturn)) void pal_resume_context(struct host_ucontext *uc);
void pal_sigreturn(void);
/* gate.S: the clock calls asis's vDSO makes when the host's vDSO cannot serve them. */
extern const char pal_vdso_calls_start[], pal_vdso_calls_end[];
int pal_vdso_clock_gettime(long clock, void *ts);
int pal_vdso_gettimeofday(void *tv, void *tz);
long pal_vdso_time(long *t);
long pal_vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
int pal_vdso_clock_getres(long clock, void *res);
extern const char pal_gate_start[], pal_gate_end[];

/* Fault-safe app memory access (rt/pal/usercopy.S): 0 or -EFAULT. */
long copy_from_app(void *dst, const void *app_src, size_t n);
long copy_to_app(void *app_dst, const void *src, size_t n);
long copy_str_from_app(char *dst, const char *app_src, size_t size);
extern const char usercopy_start[], usercopy_end[];

#define host_syscall0(nr) pal_syscall6((nr), 0, 0, 0, 0, 0, 0)
#define host_syscall1(nr, a) pal_syscall6((nr), (long)(a), 0, 0, 0, 0, 0)
#define host_syscall2(nr, a, b) pal_syscall6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define host_syscall3(nr, a, b, c) pal_syscall6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define host_syscall4(nr, a, b, c, d) \
    pal_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define host_syscall5(nr, a, b, c, d, e) \
    pal_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define host_syscall6(nr, a, b, c, d, e, f) \
    pal_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static inline long host_write(int fd, const void *buf, size_t n)
{
    return host_syscall3(__NR_write, fd, buf, n);
}
static inline long host_close(int fd) { return host_syscall1(__NR_close, fd); }
static inline void *host_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    return (void *)host_syscall6(__NR_mmap, addr, len, prot, flags, fd, off);
}
static inline long host_munmap(void *addr, size_t len)
{
    return host_syscall2(__NR_munmap, addr, len);
}
static inline long host_mprotect(void *addr, size_t len, int prot)
{
    return host_syscall3(__NR_mprotect, addr, len, prot);
}
static inline long host_gettid(void) { return host_syscall0(__NR_gettid); }
static inline long host_getpid(void) { return host_syscall0(__NR_getpid); }
static inline long host_futex(volatile int *uaddr, int op, int val, const void *timeout)
{
    return host_syscall4(__NR_futex, uaddr, op, val, timeout);
}
__attribute__((noreturn)) static inline void host_exit_group(int code)
{
    for (;;)
        host_syscall1(__NR_exit_group, code);
}
__attribute__((noreturn)) static inline void host_exit_thread(int code)
{
    for (;;)
        host_syscall1(__NR_exit, code);
}
static inline int host_is_error(long r) { return (unsigned long)r > -4096UL; }

#endif
