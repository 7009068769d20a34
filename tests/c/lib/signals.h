// What the signal tests share: raw mask calls (the kernel's 8-byte sigset, no glibc
// filtering), sending to the calling thread with a raw tgkill, installing an SA_SIGINFO
// handler, naming signals and sets the same way in every run, and an event log that
// handlers append to (printed by main afterwards, so handlers never call stdio).
// Includes test_util.h (die, yes, sleep_ms, nap_ms, now_ms, ...).
#ifndef ASIS_TESTS_C_LIB_SIGNALS_H
#define ASIS_TESTS_C_LIB_SIGNALS_H
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "test_util.h"

#define BIT(sig) (1ULL << ((sig) - 1))

static inline uint64_t mask_get(void)
{
    uint64_t m = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static inline void mask_set(uint64_t m)
{
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
}

static inline uint64_t pending_get(void)
{
    uint64_t m = 0;
    syscall(SYS_rt_sigpending, &m, 8);
    return m;
}

// The calling thread, as raise() would, but without glibc blocking everything around it.
static inline void raise_raw(int sig)
{
    syscall(SYS_tgkill, getpid(), gettid(), sig);
}

static inline sigset_t set_of(uint64_t bits)
{
    sigset_t s;
    sigemptyset(&s);
    for (int sig = 1; sig <= 64; sig++)
        if (bits & BIT(sig))
            sigaddset(&s, sig);
    return s;
}

static inline void on(int sig, void (*h)(int, siginfo_t *, void *), int flags, uint64_t sa_mask)
{
    struct sigaction sa = { .sa_sigaction = h, .sa_flags = SA_SIGINFO | flags };
    sa.sa_mask = set_of(sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        printf("FAIL: sigaction %d\n", sig);
        _exit(1);
    }
}

static inline void dfl(int sig)
{
    signal(sig, SIG_DFL);
}

// "USR1", "RTMIN+2" (glibc's SIGRTMIN, which is what the programs use), "SIG32".
static inline const char *sig_name(int sig)
{
    static char buf[8][24];
    static int next;
    char *b = buf[next++ % 8];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(b, 24, "RTMIN+%d", sig - SIGRTMIN);
    else if (sigabbrev_np(sig))
        snprintf(b, 24, "%s", sigabbrev_np(sig));
    else
        snprintf(b, 24, "SIG%d", sig);
    return b;
}

// The members of a set, lowest first, as "{USR1 USR2}".
static inline const char *set_names(uint64_t bits)
{
    static char buf[4][256];
    static int next;
    char *b = buf[next++ % 4];
    size_t n = 0;
    b[n++] = '{';
    for (int sig = 1; sig <= 64; sig++)
        if (bits & BIT(sig))
            n += snprintf(b + n, 256 - n, "%s%s", n > 1 ? " " : "", sig_name(sig));
    snprintf(b + n, 256 - n, "}");
    return b;
}

// The si_code values any signal can carry (not the fault-specific ones), else "other".
static inline const char *si_code_name(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_ASYNCIO: return "SI_ASYNCIO";
    case SI_SIGIO: return "SI_SIGIO";
    case SI_TKILL: return "SI_TKILL";
    default: return "other";
    }
}

// A siginfo as sigqueue from this process would send it: SI_QUEUE, our pid and uid,
// si_value.sival_int = value.
static inline siginfo_t queue_info(int value)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = value;
    return si;
}

static inline uint64_t uc_mask(void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t m;
    memcpy(&m, &uc->uc_sigmask, 8);
    return m;
}

// The event log. Handlers only format integers and copy strings into it.
static char ev_buf[4096];
static volatile int ev_len;

static inline void ev_clear(void)
{
    ev_len = 0;
    ev_buf[0] = 0;
}

static inline void ev(const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap); /* no locks, no allocation for %d/%s */
    va_end(ap);
    int at = ev_len;
    if (n < 0 || at + n + 2 >= (int)sizeof(ev_buf))
        return;
    if (at > 0)
        ev_buf[at++] = ' ';
    memcpy(ev_buf + at, tmp, n + 1);
    ev_len = at + n;
}

static inline void ev_print(const char *what)
{
    printf("%s: %s\n", what, ev_buf);
    fflush(stdout);
    ev_clear();
}

#endif
