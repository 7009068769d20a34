// Waiting for signals: rt_sigpending (also for a blocked ignored signal, dropped once
// SIG_IGN is set); rt_sigtimedwait (a pending signal with a zero timeout and its siginfo,
// EAGAIN on timeout, EINVAL for bad arguments, woken by a signal from another thread,
// EINTR when a handled unblocked signal from another thread interrupts it, even with
// SA_RESTART); signalfd (records read for blocked signals, poll, blocking read, mask
// update); ppoll, pselect6 and epoll_pwait with a mask that unblocks a pending signal
// (EINTR, the handler ran with that mask, its frame restores the original, which is the
// mask afterwards; a ready descriptor instead returns it and leaves the signal pending);
// rt_sigsuspend the same way; pause interrupted by a signal from a thread. Threads that
// send are synchronized so that every run prints the same.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/outcome.h"
#include "lib/poll_names.h"
#include "lib/signals.h"

static pid_t main_tid;
static volatile int ran[65];
static volatile uint64_t in_mask, in_uc_mask;

static void h_note(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    ran[sig]++;
    in_mask = mask_get();
    in_uc_mask = uc_mask(uc);
}

static void reset_notes(void)
{
    memset((void *)ran, 0, sizeof(ran));
    in_mask = in_uc_mask = 0;
}

static long timedwait(uint64_t set, siginfo_t *si, const struct timespec *ts, size_t size)
{
    long r = syscall(SYS_rt_sigtimedwait, &set, si, ts, size);
    return r == -1 ? -errno : r;
}

// A call's result: "-1 ENAME" or the number; sig_result names a returned signal.
static const char *result(long r)
{
    static char b[4][48];
    static int next;
    char *s = b[next++ % 4];
    if (r < 0)
        snprintf(s, 48, "-1 %s", strerrorname_np(-r));
    else
        snprintf(s, 48, "%ld", r);
    return s;
}

static const char *sig_result(long r)
{
    return r >= 1 && r <= 64 ? sig_name(r) : result(r);
}

// Consumes whatever of `set` is pending, so that no stray signal reaches a later check.
static void drain(uint64_t set)
{
    uint64_t old = mask_get();
    mask_set(old | set);
    struct timespec zero = { 0, 0 };
    while (timedwait(set, NULL, &zero, 8) > 0) {
    }
    mask_set(old);
}

// ---------------------------------------------------------------- helper threads

struct sender {
    pthread_t t;
    int sig, delay_ms, process, value;
    volatile int stop, repeat;
};

// Sends once after delay_ms (to main's thread, or to the process with sigqueue), or, with
// repeat, every 5 ms until told to stop: a signal that must interrupt a wait which may
// not have started yet.
static void *sender_main(void *arg)
{
    struct sender *s = arg;
    sleep_ms(s->delay_ms);
    do {
        if (s->process) {
            union sigval v = { .sival_int = s->value };
            sigqueue(getpid(), s->sig, v);
        } else {
            syscall(SYS_tgkill, getpid(), main_tid, s->sig);
        }
        if (s->repeat)
            sleep_ms(5);
    } while (s->repeat && !s->stop);
    return NULL;
}

// The thread starts with every signal blocked, so a process-directed one goes to main.
static void start(struct sender *s)
{
    uint64_t old = mask_get();
    mask_set(~0ULL);
    pthread_create(&s->t, NULL, sender_main, s);
    mask_set(old);
}

static void finish(struct sender *s)
{
    s->stop = 1;
    pthread_join(s->t, NULL);
    drain(BIT(s->sig));
}

// ---------------------------------------------------------------- rt_sigpending

static void pending(void)
{
    mask_set(BIT(SIGUSR1) | BIT(SIGUSR2));
    raise_raw(SIGUSR1);
    kill(getpid(), SIGUSR2);
    printf("sigpending: %s\n", set_names(pending_get()));
    uint32_t low = 0xdeadbeef;
    T("rt_sigpending, sigsetsize 4", syscall(SYS_rt_sigpending, &low, 4));
    printf("  low word: %s\n", set_names(low));
    uint64_t big[2];
    T("rt_sigpending, sigsetsize 16", syscall(SYS_rt_sigpending, big, 16));
    T("rt_sigpending, bad pointer", syscall(SYS_rt_sigpending, (void *)8, 8));
    signal(SIGUSR2, SIG_IGN); /* a pending signal set to SIG_IGN is dropped */
    printf("  after SIG_IGN for USR2: %s\n", set_names(pending_get()));
    signal(SIGUSR2, SIG_DFL);
    raise_raw(SIGUSR2);
    signal(SIGCHLD, SIG_DFL);
    mask_set(BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGCHLD));
    raise_raw(SIGCHLD); /* blocked signals are kept even when their default is ignore */
    printf("  with CHLD (default ignore) blocked and raised: %s\n", set_names(pending_get()));
    drain(BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGCHLD));
    printf("  after draining: %s\n", set_names(pending_get()));
    mask_set(0);
}

// ---------------------------------------------------------------- rt_sigtimedwait

static void timed_waits(void)
{
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    on(SIGUSR1, h_note, SA_RESTART, 0);
    on(SIGUSR2, h_note, SA_RESTART, 0);
    reset_notes();
    mask_set(BIT(SIGUSR1) | BIT(SIGRTMIN));

    raise_raw(SIGUSR1);
    memset(&si, 0, sizeof(si));
    long r = timedwait(BIT(SIGUSR1), &si, &zero, 8);
    printf("sigtimedwait, USR1 pending, timeout 0: %s; si_signo %s si_code %s from me %s; "
           "handler ran %s; pending now %s\n",
           sig_result(r), sig_name(si.si_signo), si_code_name(si.si_code),
           yes(si.si_pid == getpid() && si.si_uid == getuid()), yes(ran[SIGUSR1]),
           set_names(pending_get()));

    union sigval v = { .sival_int = 9 };
    sigqueue(getpid(), SIGRTMIN, v);
    memset(&si, 0, sizeof(si));
    r = timedwait(BIT(SIGUSR1) | BIT(SIGRTMIN), &si, NULL, 8);
    printf("sigtimedwait, RTMIN queued, no timeout: %s; si_code %s value %d\n", sig_result(r),
           si_code_name(si.si_code), si.si_value.sival_int);

    raise_raw(SIGUSR1);
    printf("sigtimedwait, info NULL: %s\n", sig_result(timedwait(BIT(SIGUSR1), NULL, &zero, 8)));
    printf("sigtimedwait, nothing pending, timeout 0: %s\n",
           result(timedwait(BIT(SIGUSR1), &si, &zero, 8)));
    struct timespec ts20 = { 0, 20 * 1000000 };
    long long t0 = now_ms();
    r = timedwait(BIT(SIGUSR1), &si, &ts20, 8);
    printf("sigtimedwait, 20 ms: %s, waited at least 20 ms: %s\n", result(r),
           yes(now_ms() - t0 >= 20));

    raise_raw(SIGUSR1);
    struct timespec bad = { 0, 1000000000 };
    printf("sigtimedwait, tv_nsec 1e9 with USR1 pending: %s\n",
           result(timedwait(BIT(SIGUSR1), &si, &bad, 8)));
    printf("sigtimedwait, sigsetsize 4: %s\n", result(timedwait(BIT(SIGUSR1), &si, &zero, 4)));
    printf("sigtimedwait, bad set pointer: %s\n",
           result(syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8) == -1 ? -errno : 0));
    printf("  USR1 still pending: %s\n", yes(pending_get() & BIT(SIGUSR1)));
    drain(BIT(SIGUSR1));

    /* woken by the awaited signal, sent by another thread (process-directed) */
    struct sender s = { .sig = SIGUSR1, .delay_ms = 20, .process = 1, .value = 3 };
    start(&s);
    struct timespec ts5 = { 5, 0 };
    memset(&si, 0, sizeof(si));
    r = timedwait(BIT(SIGUSR1), &si, &ts5, 8);
    printf("sigtimedwait woken by a thread's sigqueue: %s, si_code %s value %d\n", sig_result(r),
           si_code_name(si.si_code), si.si_value.sival_int);
    finish(&s);

    /* interrupted by a handled, unblocked signal (SA_RESTART does not matter) */
    reset_notes();
    struct sender s2 = { .sig = SIGUSR2, .delay_ms = 20, .repeat = 1 };
    start(&s2);
    r = timedwait(BIT(SIGUSR1), &si, &ts5, 8);
    finish(&s2);
    printf("sigtimedwait, USR2 handler from a thread: %s, handler ran: %s\n", result(r),
           yes(ran[SIGUSR2]));
    mask_set(0);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

// ---------------------------------------------------------------- signalfd

static void show_record(const struct signalfd_siginfo *f)
{
    printf("  record: %s %s value %d from me %s\n", sig_name(f->ssi_signo),
           si_code_name(f->ssi_code), f->ssi_int,
           yes(f->ssi_pid == (uint32_t)getpid() && f->ssi_uid == getuid()));
}

static void poll_sfd(const char *what, int fd, int timeout)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char names[64];
    long r = poll(&p, 1, timeout);
    poll_names(p.revents, names);
    printf("%s: poll %ld %s\n", what, r, names);
}

static void signal_fds(void)
{
    uint64_t set = BIT(SIGUSR1) | BIT(SIGRTMIN);
    mask_set(set);
    int fd = syscall(SYS_signalfd4, -1, &set, 8, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd4: %s, close-on-exec %s\n", fd >= 0 ? "ok" : strerrorname_np(errno),
           yes(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    poll_sfd("signalfd, nothing pending", fd, 0);
    struct signalfd_siginfo rec[4];
    T("read, nothing pending", read(fd, rec, sizeof(rec)));

    raise_raw(SIGUSR1);
    union sigval v = { .sival_int = 7 };
    sigqueue(getpid(), SIGRTMIN, v);
    v.sival_int = 8;
    sigqueue(getpid(), SIGRTMIN, v);
    raise_raw(SIGUSR1); /* a second USR1 coalesces with the first */
    poll_sfd("signalfd, three pending", fd, 0);
    T("read, 100-byte buffer", read(fd, rec, 100));
    long n = read(fd, rec, 4 * sizeof(rec[0]));
    printf("read, room for 4: %ld records\n", n / (long)sizeof(rec[0]));
    for (long i = 0; i < n / (long)sizeof(rec[0]); i++)
        show_record(&rec[i]);
    poll_sfd("signalfd, drained", fd, 0);
    printf("  pending now %s\n", set_names(pending_get()));

    uint64_t usr2 = BIT(SIGUSR2);
    mask_set(set | usr2);
    long same = syscall(SYS_signalfd4, fd, &usr2, 8, 0);
    printf("signalfd4 on the same fd, set {USR2}: same fd %s\n", yes(same == fd));
    raise_raw(SIGUSR1);
    raise_raw(SIGUSR2);
    n = read(fd, rec, sizeof(rec));
    printf("read: %ld records\n", n / (long)sizeof(rec[0]));
    for (long i = 0; i < n / (long)sizeof(rec[0]); i++)
        show_record(&rec[i]);
    printf("  pending now %s\n", set_names(pending_get()));
    drain(BIT(SIGUSR1));

    T("signalfd4, sigsetsize 4", syscall(SYS_signalfd4, -1, &set, 4, 0));
    T("signalfd4, flags 1", syscall(SYS_signalfd4, -1, &set, 8, 1));
    int pipefd[2];
    if (pipe(pipefd) != 0)
        exit(1);
    T("signalfd4 on a pipe", syscall(SYS_signalfd4, pipefd[0], &set, 8, 0));
    close(pipefd[0]);
    close(pipefd[1]);
    close(fd);

    /* a blocking read and a poll woken by a thread's sigqueue */
    fd = syscall(SYS_signalfd4, -1, &set, 8, 0);
    struct sender s = { .sig = SIGRTMIN, .delay_ms = 20, .process = 1, .value = 5 };
    start(&s);
    n = read(fd, rec, sizeof(rec));
    printf("blocking read, sent by a thread: %ld records\n", n / (long)sizeof(rec[0]));
    if (n > 0)
        show_record(&rec[0]);
    finish(&s);
    struct sender s2 = { .sig = SIGRTMIN, .delay_ms = 20, .process = 1, .value = 6 };
    start(&s2);
    poll_sfd("signalfd poll woken by a thread", fd, 5000);
    pthread_join(s2.t, NULL);
    n = read(fd, rec, sizeof(rec));
    printf("  then read: %ld records\n", n / (long)sizeof(rec[0]));
    if (n > 0)
        show_record(&rec[0]);
    close(fd);
    mask_set(0);
}

// ---------------------------------------------------------------- calls with a mask

struct pselect_mask {
    const uint64_t *ss;
    size_t len;
};

enum which { PPOLL, PSELECT, EPOLL_PWAIT, SIGSUSPEND };

static long masked_call(enum which w, int fd, int timeout_ms, const uint64_t *mask, size_t len)
{
    struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
    long r = -1;
    if (w == PPOLL) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        r = syscall(SYS_ppoll, &p, 1, &ts, mask, len);
    } else if (w == PSELECT) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(fd, &rd);
        struct pselect_mask m = { mask, len };
        r = syscall(SYS_pselect6, fd + 1, &rd, NULL, NULL, &ts, &m);
    } else if (w == EPOLL_PWAIT) {
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event e = { .events = EPOLLIN };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        r = syscall(SYS_epoll_pwait, ep, &e, 1, timeout_ms, mask, len);
        int saved = errno;
        close(ep);
        errno = saved;
    } else {
        r = syscall(SYS_rt_sigsuspend, mask, len);
    }
    return r == -1 ? -errno : r;
}

static const char *call_name[] = { "ppoll", "pselect6", "epoll_pwait", "rt_sigsuspend" };

static void with_mask(enum which w)
{
    const char *name = call_name[w];
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    uint64_t orig = BIT(SIGUSR1) | BIT(SIGWINCH);
    uint64_t temp = BIT(SIGWINCH) | BIT(SIGRTMIN + 1);
    on(SIGUSR1, h_note, SA_RESTART, BIT(SIGRTMIN + 2));
    mask_set(orig);

    /* a pending signal the temporary mask unblocks */
    reset_notes();
    raise_raw(SIGUSR1);
    long r = masked_call(w, p[0], 5000, &temp, 8);
    uint64_t after = mask_get();
    printf("%s, USR1 pending, mask unblocks it: %s, handler ran %d\n", name, result(r),
           ran[SIGUSR1]);
    printf("  mask in handler %s (= temp|sa_mask|sig: %s), frame restores %s, after %s\n",
           set_names(in_mask), yes(in_mask == (temp | BIT(SIGRTMIN + 2) | BIT(SIGUSR1))),
           set_names(in_uc_mask), set_names(after));

    /* sent by a thread once the call may be waiting */
    reset_notes();
    struct sender s = { .sig = SIGUSR1, .delay_ms = 20 };
    start(&s);
    r = masked_call(w, p[0], 5000, &temp, 8);
    after = mask_get();
    pthread_join(s.t, NULL);
    printf("%s, USR1 from a thread: %s, handler ran %d, frame restores %s, after %s\n", name,
           result(r), ran[SIGUSR1], set_names(in_uc_mask), set_names(after));

    if (w != SIGSUSPEND) {
        /* a mask that keeps it blocked: a plain timeout */
        reset_notes();
        raise_raw(SIGUSR1);
        r = masked_call(w, p[0], 0, &orig, 8);
        printf("%s, mask keeps USR1 blocked, timeout 0: %s, handler ran %d, pending %s\n", name,
               result(r), ran[SIGUSR1], set_names(pending_get()));
        r = masked_call(w, p[0], 0, NULL, 8);
        printf("%s, no mask, timeout 0: %s, handler ran %d\n", name, result(r), ran[SIGUSR1]);
        /* a ready descriptor wins: the result is returned, the handler waits */
        if (write(p[1], "x", 1) != 1)
            exit(1);
        r = masked_call(w, p[0], 5000, &temp, 8);
        printf("%s, fd ready and USR1 pending: %s, handler ran %d, pending %s, after %s\n",
               name, result(r), ran[SIGUSR1], set_names(pending_get()), set_names(mask_get()));
        drain(BIT(SIGUSR1));
    }
    printf("%s, sigsetsize 4: %s\n", name, result(masked_call(w, p[0], 0, &temp, 4)));
    mask_set(0);
    dfl(SIGUSR1);
    close(p[0]);
    close(p[1]);
}

// ---------------------------------------------------------------- pause

static void pause_from_thread(void)
{
    on(SIGUSR2, h_note, SA_RESTART, 0);
    reset_notes();
    struct sender s = { .sig = SIGUSR2, .delay_ms = 20, .repeat = 1 };
    start(&s);
    long r = syscall(SYS_pause);
    r = r == -1 ? -errno : r;
    finish(&s);
    printf("pause, USR2 from a thread: %s, handler ran: %s\n", result(r), yes(ran[SIGUSR2]));
    dfl(SIGUSR2);
}

int main(void)
{
    mask_set(0);
    main_tid = gettid();
    alarm(30); /* a wait that never ends kills the program instead of hanging */
    pending();
    timed_waits();
    signal_fds();
    with_mask(PPOLL);
    with_mask(PSELECT);
    with_mask(EPOLL_PWAIT);
    with_mask(SIGSUSPEND);
    pause_from_thread();
    return 0;
}
