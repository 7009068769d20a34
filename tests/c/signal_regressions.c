// Signal-delivery mistakes asis once made, one section each (the comment above each says
// what went wrong). Every section runs in a child of its own, so a section that kills its
// process or crashes asis still lets the others report; a section that does not end
// with exit status 0 prints how it ended. Waits are short and bounded: a sender waits
// until its target sleeps in the call under test (state S in /proc/PID/task/TID/stat)
// rather than sleeping for a fixed time.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "lib/signals.h"

// ---------------------------------------------------------------------------- helpers

// die() with _exit after a flush, as a forked section must end.
static void die_now(const char *what)
{
    const char *n = strerrorname_np(errno);
    printf("FAIL: %s: %s\n", what, n ? n : "?");
    fflush(stdout);
    _exit(1);
}

static const char *err_name(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "?";
}

// The scheduler state of thread tid of process pid ('R', 'S', ...), or 0.
static char thread_state(pid_t pid, pid_t tid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
    return proc_stat_state(path);
}

// Waits at most ms for cond(arg); returns whether it came true.
static int wait_for(int (*cond)(void *), void *arg, int ms)
{
    long long end = now_ms() + ms;
    while (!cond(arg)) {
        if (now_ms() > end)
            return 0;
        nap_ms(1);
    }
    return 1;
}

// What a process and its children (or a thread and its helper) tell each other. It is
// shared memory, so a handler in one process can signal a waiter in another.
struct shared {
    atomic_int handled;  // handler runs
    atomic_int calling;  // the call under test is about to be made
    atomic_int returned; // the call under test has returned
    pid_t pid, tid;      // who makes it
};

static struct shared *sh;

static void shared_reset(void)
{
    memset(sh, 0, sizeof(*sh));
    sh->pid = getpid();
    sh->tid = gettid();
}

static int in_call(void *arg)
{
    (void)arg;
    return atomic_load(&sh->returned)
        || (atomic_load(&sh->calling) && thread_state(sh->pid, sh->tid) == 'S');
}

static int returned(void *arg)
{
    (void)arg;
    return atomic_load(&sh->returned);
}

static int handled_or_returned(void *arg)
{
    (void)arg;
    return atomic_load(&sh->handled) > 0 || atomic_load(&sh->returned);
}

static void count_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    atomic_fetch_add(&sh->handled, 1);
}

static const char *status_text(int st)
{
    static char buf[32];
    if (WIFEXITED(st))
        snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "killed by %s", sig_name(WTERMSIG(st)));
    else
        snprintf(buf, sizeof(buf), "status 0x%x", st);
    return buf;
}

static void section(const char *name, void (*fn)(void))
{
    pid_t c = fork_flushed();
    if (c == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int st;
    if (waitpid(c, &st, 0) != c)
        die_now("waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("%s: section ended: %s\n", name, status_text(st));
    fflush(stdout);
}

// ---------------------------------------------------------------------------- fork_pending
// A fork child starts with no pending signals. asis once gave the child its parent's
// pending SIGTRAP (a signal it also uses itself), which killed the child as soon as it
// unblocked it.

static void fork_pending(void)
{
    uint64_t sigs = BIT(SIGTRAP) | BIT(SIGSEGV) | BIT(SIGUSR1);
    mask_set(sigs);
    raise_raw(SIGTRAP);
    raise_raw(SIGSEGV);
    raise_raw(SIGUSR1);
    printf("fork_pending: parent pending %s\n", set_names(pending_get()));
    pid_t c = fork_flushed();
    if (c == 0) {
        printf("fork_pending: child pending %s\n", set_names(pending_get()));
        mask_set(0);
        printf("fork_pending: child survived unblocking\n");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("fork_pending: child %s\n", status_text(st));
}

// ---------------------------------------------------------------------------- owned_eintr
// A SIGTRAP sent by another process while the app blocks it, ignores it or handles it
// with SA_RESTART must not make a pipe read fail. asis, which also catches SIGTRAP on
// the host, once let every such kill() end the read with EINTR.

enum trap_mode { TRAP_BLOCKED, TRAP_IGNORED, TRAP_RESTART_HANDLER };

static void owned_read(const char *what, enum trap_mode mode)
{
    int p[2];
    if (pipe(p) != 0)
        die_now("pipe");
    shared_reset();
    pid_t c = fork_flushed();
    if (c == 0) {
        wait_for(in_call, NULL, 2000);
        kill(sh->pid, SIGTRAP);
        if (mode == TRAP_RESTART_HANDLER) {
            // The write must come after the handler and the restart.
            wait_for(handled_or_returned, NULL, 2000);
            wait_for(in_call, NULL, 2000);
        } else {
            // Nothing to see natively; a wrongly woken read ends within microseconds.
            wait_for(returned, NULL, 50);
        }
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        _exit(0);
    }
    char b;
    atomic_store(&sh->calling, 1);
    ssize_t n = read(p[0], &b, 1);
    int err = errno;
    atomic_store(&sh->returned, 1);
    if (n == 1)
        printf("owned_eintr: %s: read -> 1\n", what);
    else
        printf("owned_eintr: %s: read -> %zd %s\n", what, n, err_name(err));
    int st;
    waitpid(c, &st, 0);
    close(p[0]);
    close(p[1]);
}

static void owned_eintr(void)
{
    mask_set(BIT(SIGTRAP));
    owned_read("SIGTRAP blocked", TRAP_BLOCKED);
    printf("owned_eintr: SIGTRAP pending afterwards: %s\n",
           yes(pending_get() & BIT(SIGTRAP)));
    signal(SIGTRAP, SIG_IGN); // discards the pending one
    mask_set(0);
    owned_read("SIGTRAP ignored", TRAP_IGNORED);
    on(SIGTRAP, count_handler, SA_RESTART, 0);
    owned_read("SIGTRAP SA_RESTART handler", TRAP_RESTART_HANDLER);
    printf("owned_eintr: handler runs: %d\n", atomic_load(&sh->handled));
}

// ---------------------------------------------------------------------------- owned_kill
// SIGSEGV sent by another process to a program blocked in read, with the default action,
// kills it at once. asis once kept the signal for the program's next syscall (the read
// ran outside any window), so the program slept on.

static void owned_kill(void)
{
    int p[2];
    if (pipe(p) != 0)
        die_now("pipe");
    shared_reset();
    pid_t c = fork_flushed();
    if (c == 0) {
        shared_reset();
        char b;
        atomic_store(&sh->calling, 1);
        ssize_t n = read(p[0], &b, 1);
        _exit(n == 1 ? 3 : 4);
    }
    wait_for(in_call, NULL, 2000);
    kill(c, SIGSEGV);
    int st = 0;
    long long end = now_ms() + 2000;
    pid_t r;
    while ((r = waitpid(c, &st, WNOHANG)) == 0 && now_ms() < end)
        nap_ms(1);
    if (r == 0) {
        printf("owned_kill: still blocked after 2 s\n");
        if (write(p[1], "x", 1) != 1)
            die_now("write");
        waitpid(c, &st, 0);
    }
    printf("owned_kill: reader %s\n", status_text(st));
    close(p[0]);
    close(p[1]);
}

// ---------------------------------------------------------------------------- sigwait_owned
// sigtimedwait for a blocked SIGTRAP returns it when another process sends it. asis once
// ended the wait with EINTR instead.

static void sigwait_owned(void)
{
    mask_set(BIT(SIGTRAP));
    shared_reset();
    pid_t c = fork_flushed();
    if (c == 0) {
        wait_for(in_call, NULL, 2000);
        kill(sh->pid, SIGTRAP);
        _exit(0);
    }
    sigset_t set = set_of(BIT(SIGTRAP));
    struct timespec ts = { 2, 0 };
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    atomic_store(&sh->calling, 1);
    int r = sigtimedwait(&set, &si, &ts);
    int err = errno;
    atomic_store(&sh->returned, 1);
    if (r > 0)
        printf("sigtimedwait_owned: -> %s, si_code SI_USER %s, sent by the child %s\n",
               sig_name(r), yes(si.si_code == SI_USER), yes(si.si_pid == c));
    else
        printf("sigtimedwait_owned: -> %d %s\n", r, err_name(err));
    int st;
    waitpid(c, &st, 0);
}

// ---------------------------------------------------------------------------- pi_futex
// FUTEX_LOCK_PI interrupted by a handler without SA_RESTART is restarted (Linux returns
// -ERESTARTNOINTR), never EINTR. asis once returned EINTR.

static uint32_t pi_lock;
static long pi_result;
static int pi_err;

static void *pi_waiter(void *arg)
{
    (void)arg;
    sh->tid = gettid();
    atomic_store(&sh->calling, 1);
    pi_result = syscall(SYS_futex, &pi_lock, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    pi_err = errno;
    atomic_store(&sh->returned, 1);
    if (pi_result == 0) {
        printf("pi_futex: lock owned by the waiter: %s\n",
               yes((pi_lock & FUTEX_TID_MASK) == (uint32_t)gettid()));
        syscall(SYS_futex, &pi_lock, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    }
    return NULL;
}

static void pi_futex(void)
{
    on(SIGUSR1, count_handler, 0, 0); // no SA_RESTART
    shared_reset();
    sh->tid = 0;
    pi_lock = gettid(); // held by the main thread
    pthread_t t;
    if (pthread_create(&t, NULL, pi_waiter, NULL) != 0)
        die_now("pthread_create");
    while (!atomic_load(&sh->calling))
        nap_ms(1);
    wait_for(in_call, NULL, 2000);
    syscall(SYS_tgkill, getpid(), sh->tid, SIGUSR1);
    wait_for(handled_or_returned, NULL, 2000);
    wait_for(in_call, NULL, 2000); // restarted: asleep again
    syscall(SYS_futex, &pi_lock, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    pthread_join(t, NULL);
    if (pi_result == 0)
        printf("pi_futex: FUTEX_LOCK_PI -> 0, handler runs %d\n", atomic_load(&sh->handled));
    else
        printf("pi_futex: FUTEX_LOCK_PI -> %ld %s, handler runs %d\n", pi_result,
               err_name(pi_err), atomic_load(&sh->handled));
}

// ---------------------------------------------------------------------------- ppoll_reserved
// ppoll with a temporary mask that unblocks a pending signal, on an fd number that is
// not open (in asis's reserved range): Linux returns 1 with POLLNVAL, so the old mask is
// back before the signal could be delivered and the signal stays pending. asis once gave
// the temporary mask to the host, where the signal arrived inside asis and ppoll failed
// with EINTR.

static void ppoll_reserved(void)
{
    shared_reset();
    on(SIGUSR1, count_handler, 0, 0);
    mask_set(BIT(SIGUSR1));
    raise_raw(SIGUSR1);
    struct pollfd p = { .fd = 0x7ffffff0, .events = POLLIN };
    struct timespec zero = { 0, 0 };
    uint64_t empty = 0;
    long r = syscall(SYS_ppoll, &p, 1, &zero, &empty, 8);
    int err = errno;
    if (r >= 0)
        printf("ppoll_reserved: ppoll -> %ld, POLLNVAL %s\n", r, yes(p.revents & POLLNVAL));
    else
        printf("ppoll_reserved: ppoll -> %ld %s\n", r, err_name(err));
    printf("ppoll_reserved: handler runs %d, mask back %s, still pending %s\n",
           atomic_load(&sh->handled), set_names(mask_get()),
           yes(pending_get() & BIT(SIGUSR1)));
    mask_set(0);
    printf("ppoll_reserved: handler runs after the unblock %d\n", atomic_load(&sh->handled));
}

// ---------------------------------------------------------------------------- suspend_race
// sigsuspend's temporary mask must never outlive the call, even when the signal that
// woke it became ignored before it was delivered (Linux then restarts the sigsuspend
// with the mask restored). asis once returned with the temporary (empty) mask left in
// place. The main thread toggles SIGUSR1 between a handler and SIG_IGN while sending it
// to a thread that loops on sigsuspend. The race shows (within milliseconds) only when
// the two run on different CPUs, so they are pinned to two if there are two.

static atomic_int suspend_stop, suspend_leaks;
static int suspend_cpu[2] = { -1, -1 };

// Pins the calling thread to suspend_cpu[which], if there is one.
static void pin(int which)
{
    if (suspend_cpu[which] < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(suspend_cpu[which], &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void plain_handler(int sig)
{
    (void)sig;
}

static void *suspender(void *arg)
{
    (void)arg;
    sh->tid = gettid();
    sigset_t empty;
    sigemptyset(&empty);
    mask_set(BIT(SIGUSR1));
    pin(1);
    atomic_store(&sh->calling, 1);
    while (!atomic_load(&suspend_stop)) {
        sigsuspend(&empty);
        if (!(mask_get() & BIT(SIGUSR1))) {
            atomic_fetch_add(&suspend_leaks, 1);
            mask_set(BIT(SIGUSR1));
        }
    }
    return NULL;
}

static void suspend_race(void)
{
    shared_reset();
    mask_set(BIT(SIGUSR1)); // only the suspender takes it
    struct sigaction handle = { .sa_handler = plain_handler }, ignore = { .sa_handler = SIG_IGN };
    sigaction(SIGUSR1, &handle, NULL);
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
        for (int cpu = 0, n = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
            if (CPU_ISSET(cpu, &allowed))
                suspend_cpu[n++] = cpu;
    if (suspend_cpu[1] < 0)
        suspend_cpu[0] = -1;
    pin(0);
    pthread_t t;
    if (pthread_create(&t, NULL, suspender, NULL) != 0)
        die_now("pthread_create");
    while (!atomic_load(&sh->calling))
        nap_ms(1);
    unsigned spin = 1;
    long long end = now_ms() + 400;
    while (now_ms() < end) {
        sigaction(SIGUSR1, &handle, NULL);
        syscall(SYS_tgkill, getpid(), sh->tid, SIGUSR1);
        spin = spin * 1103515245u + 12345u; // varying delays, to hit every moment
        for (volatile unsigned i = 0; i < (spin >> 16) % 2000; i++)
            ;
        sigaction(SIGUSR1, &ignore, NULL);
    }
    atomic_store(&suspend_stop, 1);
    sigaction(SIGUSR1, &handle, NULL);
    syscall(SYS_tgkill, getpid(), sh->tid, SIGUSR1); // wakes the last sigsuspend
    pthread_join(t, NULL);
    printf("suspend_race: mask always restored after sigsuspend: %s\n",
           yes(atomic_load(&suspend_leaks) == 0));
}

// ---------------------------------------------------------------------------- vfork_resethand
// A vfork child shares its parent's memory but not its signal actions: SA_RESETHAND
// applied in the child leaves the parent's handler in place. asis once reset the
// parent's action too, so the parent's next SIGUSR1 killed it.

static volatile sig_atomic_t resethand_runs;

static void resethand_handler(int sig)
{
    (void)sig;
    resethand_runs++;
}

static void vfork_resethand(void)
{
    struct sigaction sa = { .sa_handler = resethand_handler, .sa_flags = SA_RESETHAND };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pid_t c = vfork();
    if (c == 0) {
        syscall(SYS_kill, syscall(SYS_getpid), SIGUSR1); // the child's own SA_RESETHAND
        syscall(SYS_exit_group, 0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("vfork_resethand: child ran the handler: %s, child %s\n", yes(resethand_runs == 1),
           status_text(st));
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    printf("vfork_resethand: parent's action still the handler: %s\n",
           yes(cur.sa_handler == resethand_handler));
    fflush(stdout);
    raise_raw(SIGUSR1);
    printf("vfork_resethand: parent handled it: %s\n", yes(resethand_runs == 2));
}

// ---------------------------------------------------------------------------- vfork_settid
// A vfork-style clone with CLONE_CHILD_SETTID: the child's id is written at the address,
// and an unmapped address is ignored (the child runs anyway). asis once smashed its own
// stack for the unmapped one and died with an internal error.

static long raw_vfork_clone(unsigned long flags, void *ctid)
{
    long ret;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $60, %%eax\n\t" // child: exit(7) at once, touching no memory
                     "mov $7, %%edi\n\t"
                     "syscall\n\t"
                     "1:\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_clone), "D"(flags), "S"(0L), "d"(0L), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static int settid_word;

static void settid_case(const char *what, void *ctid)
{
    volatile long a = 0x1111, b = 0x2222;
    settid_word = 0;
    long pid = raw_vfork_clone(CLONE_VM | CLONE_VFORK | CLONE_CHILD_SETTID | SIGCHLD, ctid);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    printf("vfork_settid: %s: parent back %s, locals intact %s, child %s", what,
           yes(pid > 0), yes(a == 0x1111 && b == 0x2222), status_text(st));
    if (ctid == &settid_word)
        printf(", child's id written %s", yes(pid > 0 && settid_word == pid));
    printf("\n");
    fflush(stdout); // before a crash of the next case can lose it
}

static void vfork_settid(void)
{
    settid_case("mapped ctid", &settid_word);
    settid_case("unmapped ctid", (void *)16);
}


// ---------------------------------------------------------------------------- owned_ignored_exec
// SIG_IGN survives an execve, also for the signals asis handles itself (SIGTRAP here),
// whose host disposition was asis's handler. asis once gave the new program SIG_DFL, so
// a SIGTRAP killed it.

static void after_exec_check(void)
{
    struct sigaction old;
    sigaction(SIGTRAP, NULL, &old);
    printf("owned_ignored_exec: after exec SIGTRAP is %s\n",
           old.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    fflush(stdout);
    raise(SIGTRAP);
    printf("owned_ignored_exec: survived SIGTRAP\n");
    fflush(stdout);
    _exit(0);
}

static void owned_ignored_exec(void)
{
    signal(SIGTRAP, SIG_IGN);
    fflush(stdout);
    execl("/proc/self/exe", "signal_regressions", "after-exec", (char *)NULL);
    die_now("execl");
}


// ---------------------------------------------------------------------------- owned_eintr_timed
// A SIGTRAP or SIGSEGV sent by another process while the app ignores or blocks it must
// not end a timed wait: nanosleep, clock_nanosleep, a futex wait with a timeout and
// epoll_wait run to their timeout. asis once ended each with EINTR (the calls ran with
// asis's handlers for those signals open on the host).

enum { TIMED_MS = 60 };

static const char *const timed_names[] = {
    "nanosleep", "clock_nanosleep", "futex wait", "epoll_wait",
};

static long timed_call(int which, int ep)
{
    static uint32_t word;
    struct timespec ts = { 0, TIMED_MS * 1000000L };
    struct epoll_event e;
    switch (which) {
    case 0: return syscall(SYS_nanosleep, &ts, NULL);
    case 1: return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
    case 2: return syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    default: return syscall(SYS_epoll_wait, ep, &e, 1, TIMED_MS);
    }
}

// Each call, with sig sent by a child once the call sleeps.
static void timed_calls(const char *mode, int sig, int ep)
{
    for (int which = 0; which < 4; which++) {
        shared_reset();
        pid_t c = fork_flushed();
        if (c == 0) {
            wait_for(in_call, NULL, 2000);
            kill(sh->pid, sig);
            _exit(0);
        }
        atomic_store(&sh->calling, 1);
        long r = timed_call(which, ep);
        int err = errno;
        atomic_store(&sh->returned, 1);
        printf("owned_eintr_timed: %s %s: %s -> %s\n", sig_name(sig), mode,
               timed_names[which], r == 0 ? "0" : err_name(err));
        int st;
        waitpid(c, &st, 0);
    }
}

static void owned_eintr_timed(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die_now("epoll_create1");
    int sigs[] = { SIGTRAP, SIGSEGV };
    for (int i = 0; i < 2; i++) {
        int sig = sigs[i];
        signal(sig, SIG_IGN);
        timed_calls("ignored", sig, ep);
        signal(sig, SIG_DFL);
        mask_set(BIT(sig));
        timed_calls("blocked", sig, ep);
        printf("owned_eintr_timed: %s pending afterwards: %s\n", sig_name(sig),
               yes(pending_get() & BIT(sig)));
        signal(sig, SIG_IGN); // discards the pending one
        mask_set(0);
        signal(sig, SIG_DFL);
    }
    close(ep);
}

// ---------------------------------------------------------------------------- owned_temp_mask
// A handled SIGTRAP, pending while blocked, is unblocked by the temporary mask of ppoll,
// pselect6, epoll_pwait or sigsuspend: the call fails with EINTR at once and the handler
// runs. asis once ran the handler but let the wait go on to its timeout (return 0).
// A SIGALRM ends a sigsuspend that would sleep on.

static void owned_temp_mask(void)
{
    shared_reset();
    on(SIGTRAP, count_handler, 0, 0);
    on(SIGALRM, count_handler, 0, 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die_now("epoll_create1");
    static const char *const names[] = { "ppoll", "pselect6", "epoll_pwait", "sigsuspend" };
    for (int which = 0; which < 4; which++) {
        mask_set(BIT(SIGTRAP));
        kill(getpid(), SIGTRAP);
        atomic_store(&sh->handled, 0);
        uint64_t empty = 0;
        struct timespec ts = { 0, 200 * 1000000L };
        struct { const void *set; size_t size; } pselect_mask = { &empty, 8 };
        struct itimerval alarm_at = { .it_value = { 0, 200000 } }, off = { 0 };
        struct epoll_event e;
        long r;
        switch (which) {
        case 0: r = syscall(SYS_ppoll, NULL, 0, &ts, &empty, 8); break;
        case 1: r = syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &pselect_mask); break;
        case 2: r = syscall(SYS_epoll_pwait, ep, &e, 1, 200, &empty, 8); break;
        default:
            setitimer(ITIMER_REAL, &alarm_at, NULL);
            r = syscall(SYS_rt_sigsuspend, &empty, 8);
            setitimer(ITIMER_REAL, &off, NULL);
            break;
        }
        int err = errno;
        printf("owned_temp_mask: %s -> %s, handler runs %d, mask back %s\n", names[which],
               r == 0 ? "0" : err_name(err), atomic_load(&sh->handled),
               set_names(mask_get()));
        mask_set(0);
    }
    close(ep);
}

// ---------------------------------------------------------------------------- owned_ignored_wait
// An ignored SIGTRAP that is blocked is still queued; a temporary mask that unblocks it
// discards it, and the wait goes on. asis once ended sigsuspend with EINTR without a
// handler run (and ppoll likewise) instead of sleeping until the SIGALRM.

static void owned_ignored_wait(void)
{
    shared_reset();
    signal(SIGTRAP, SIG_IGN);
    on(SIGALRM, count_handler, 0, 0);
    mask_set(BIT(SIGTRAP));
    kill(getpid(), SIGTRAP);
    printf("owned_ignored_wait: SIGTRAP pending: %s\n", yes(pending_get() & BIT(SIGTRAP)));
    uint64_t empty = 0;
    struct itimerval alarm_at = { .it_value = { 0, 100000 } }, off = { 0 };
    setitimer(ITIMER_REAL, &alarm_at, NULL);
    long r = syscall(SYS_rt_sigsuspend, &empty, 8);
    int err = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    printf("owned_ignored_wait: sigsuspend -> %s, SIGALRM handler runs %d, SIGTRAP pending %s\n",
           r == 0 ? "0" : err_name(err), atomic_load(&sh->handled),
           yes(pending_get() & BIT(SIGTRAP)));
    kill(getpid(), SIGTRAP);
    struct timespec ts = { 0, 50 * 1000000L };
    r = syscall(SYS_ppoll, NULL, 0, &ts, &empty, 8);
    err = errno;
    printf("owned_ignored_wait: ppoll -> %s, SIGTRAP pending %s\n", r == 0 ? "0" : err_name(err),
           yes(pending_get() & BIT(SIGTRAP)));
}

// ---------------------------------------------------------------------------- tf_step
// A program single-steps itself (EFLAGS.TF and a SIGTRAP handler, no ptrace) across a raw
// syscall, one asis serves (getppid) and one passed to the host (read). Every step is a
// SIGTRAP at an instruction of the stepped code. asis once took the step after its own
// syscall instruction for a bug of its own and died with an internal error.

extern char tf_region_start[], tf_region_end[];
static volatile int tf_traps, tf_outside, tf_bad_code;

static void tf_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    uintptr_t rip = uc->uc_mcontext.gregs[REG_RIP];
    tf_traps++;
    if (rip < (uintptr_t)tf_region_start || rip > (uintptr_t)tf_region_end)
        tf_outside++;
    if (si->si_code != TRAP_TRACE && si->si_code != TRAP_BRKPT && si->si_code != SI_KERNEL)
        tf_bad_code++;
}

__attribute__((noinline)) static long tf_stepped_syscall(long nr, long a1, long a2, long a3)
{
    long ret;
    register long r10 __asm__("r10") = 0;
    __asm__ volatile("pushfq\n\t"
                     "orq $0x100, (%%rsp)\n\t"
                     "popfq\n"
                     "tf_region_start:\n\t"
                     "nop\n\t"
                     "nop\n\t"
                     "syscall\n\t"
                     "nop\n\t"
                     "nop\n\t"
                     "pushfq\n\t"
                     "andq $~0x100, (%%rsp)\n\t"
                     "popfq\n"
                     "tf_region_end:\n\t"
                     : "=a"(ret)
                     : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
                     : "rcx", "r11", "memory", "cc");
    return ret;
}

static void tf_step(void)
{
    on(SIGTRAP, tf_handler, 0, 0);
    int p[2];
    if (pipe(p) != 0 || write(p[1], "abc", 3) != 3)
        die_now("pipe");
    char b[4];
    long r = tf_stepped_syscall(SYS_getppid, 0, 0, 0);
    printf("tf_step: getppid -> %s, steps %d, outside the code %d, other si_code %d\n",
           r == getppid() ? "the parent" : "?", tf_traps, tf_outside, tf_bad_code);
    tf_traps = tf_outside = tf_bad_code = 0;
    r = tf_stepped_syscall(SYS_read, p[0], (long)b, 1);
    printf("tf_step: read -> %ld, steps %d, outside the code %d, other si_code %d\n", r,
           tf_traps, tf_outside, tf_bad_code);
}

// ---------------------------------------------------------------------------- vfork_sighand
// A vfork-style clone with CLONE_SIGHAND shares its parent's signal actions: SIG_IGN set
// by the child is the parent's too. asis once gave the child a copy, so the parent kept
// its handler.

static volatile sig_atomic_t sighand_runs;

static void sighand_handler(int sig)
{
    (void)sig;
    sighand_runs++;
}

// The kernel's struct sigaction, as rt_sigaction takes it.
static const struct {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
} ignore_action = { SIG_IGN, 0, NULL, 0 };

// clone(flags) whose child sets SIGUSR1 to SIG_IGN and exits at once, touching no memory.
static long raw_vfork_ignoring_usr1(unsigned long flags)
{
    long ret;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    register const void *r9 __asm__("r9") = &ignore_action;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $13, %%eax\n\t" // rt_sigaction(SIGUSR1, r9, NULL, 8)
                     "mov $10, %%edi\n\t"
                     "mov %%r9, %%rsi\n\t"
                     "xor %%edx, %%edx\n\t"
                     "mov $8, %%r10d\n\t"
                     "syscall\n\t"
                     "mov $60, %%eax\n\t" // exit(0)
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "1:\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_clone), "D"(flags), "S"(0L), "d"(0L), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static void vfork_sighand(void)
{
    signal(SIGUSR1, sighand_handler);
    long pid = raw_vfork_ignoring_usr1(CLONE_VM | CLONE_VFORK | CLONE_SIGHAND | SIGCHLD);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    printf("vfork_sighand: child %s, parent's SIGUSR1 is now %s\n", status_text(st),
           cur.sa_handler == SIG_IGN ? "ignored"
           : cur.sa_handler == sighand_handler ? "the handler" : "other");
    fflush(stdout);
    raise_raw(SIGUSR1);
    printf("vfork_sighand: handler runs %d\n", (int)sighand_runs);
}

// ---------------------------------------------------------------------------- exec_pending
// Blocked signals pending at an execve stay pending in the new program, also SIGTRAP,
// which asis handles itself; unblocked there, both are delivered. asis once lost the
// pending SIGTRAP.

static volatile sig_atomic_t exec_pending_runs;

static void exec_pending_handler(int sig)
{
    (void)sig;
    exec_pending_runs++;
}

static void after_exec_pending(void)
{
    printf("exec_pending: after exec pending %s, blocked %s\n",
           set_names(pending_get() & (BIT(SIGTRAP) | BIT(SIGUSR1))),
           set_names(mask_get() & (BIT(SIGTRAP) | BIT(SIGUSR1))));
    signal(SIGTRAP, exec_pending_handler);
    signal(SIGUSR1, exec_pending_handler);
    mask_set(0);
    printf("exec_pending: handler runs after the unblock %d\n", (int)exec_pending_runs);
    fflush(stdout);
    _exit(0);
}

static void exec_pending(void)
{
    mask_set(BIT(SIGTRAP) | BIT(SIGUSR1));
    kill(getpid(), SIGTRAP);
    kill(getpid(), SIGUSR1);
    fflush(stdout);
    execl("/proc/self/exe", "signal_regressions", "after-exec-pending", (char *)NULL);
    die_now("execl");
}

// ---------------------------------------------------------------------------- main

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "after-exec") == 0)
        after_exec_check();
    if (argc > 1 && strcmp(argv[1], "after-exec-pending") == 0)
        after_exec_pending();
    // Sections die of signals on purpose: no core files.
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die_now("mmap");
    section("fork_pending", fork_pending);
    section("owned_eintr", owned_eintr);
    section("owned_kill", owned_kill);
    section("sigtimedwait_owned", sigwait_owned);
    section("pi_futex", pi_futex);
    section("ppoll_reserved", ppoll_reserved);
    section("suspend_race", suspend_race);
    section("vfork_resethand", vfork_resethand);
    section("vfork_settid", vfork_settid);
    section("owned_ignored_exec", owned_ignored_exec);
    section("owned_eintr_timed", owned_eintr_timed);
    section("owned_temp_mask", owned_temp_mask);
    section("owned_ignored_wait", owned_ignored_wait);
    section("tf_step", tf_step);
    section("vfork_sighand", vfork_sighand);
    section("exec_pending", exec_pending);
    return 0;
}
