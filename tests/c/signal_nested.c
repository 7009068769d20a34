// Handlers inside handlers: SA_NODEFER lets a handler re-raise its own signal and nest
// three deep; without it the signal waits, pending, until the handler returns; sa_mask
// holds a second signal (raised inside, or sent by another thread) until the return;
// SA_RESETHAND makes the second instance kill (a child); a different unblocked signal
// sent by another thread while a handler runs nests on top of it; and the mask inside a
// handler is old | sa_mask | sig (SIGKILL/SIGSTOP stripped), the frame's uc_sigmask the
// old one, restored at the return. Handlers log events; main prints them afterwards.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/signals.h"

static volatile int depth, max_depth, calls;
static volatile uint64_t seen_mask, seen_uc_mask, seen_pending;

// ---------------------------------------------------------------- SA_NODEFER recursion

static void h_recurse(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    int d = ++depth;
    calls++;
    if (d > max_depth)
        max_depth = d;
    ev("enter%d", d);
    if (d == 3)
        seen_mask = mask_get();
    if (d < 3)
        raise_raw(sig);
    ev("leave%d", d);
    depth--;
}

static void nodefer_recursion(void)
{
    on(SIGUSR1, h_recurse, SA_NODEFER, 0);
    depth = max_depth = calls = 0;
    raise_raw(SIGUSR1);
    printf("SA_NODEFER: calls %d, deepest %d, SIGUSR1 blocked at depth 3: %s\n", calls,
           max_depth, yes(seen_mask & BIT(SIGUSR1)));
    ev_print("SA_NODEFER order");
    dfl(SIGUSR1);
}

// ---------------------------------------------------------------- deferred self-raise

static void h_defer(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    int n = ++calls;
    ev("enter%d", n);
    if (n == 1) {
        raise_raw(sig);
        ev("raised");
        ev(pending_get() & BIT(sig) ? "pending" : "not-pending");
    }
    ev("leave%d", n);
}

static void deferred_self(void)
{
    on(SIGUSR1, h_defer, 0, 0);
    calls = 0;
    raise_raw(SIGUSR1);
    ev("main");
    printf("without SA_NODEFER: calls %d\n", calls);
    ev_print("without SA_NODEFER order");
    dfl(SIGUSR1);
}

// ---------------------------------------------------------------- sa_mask holds a second

static void h_usr2_log(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    ev("usr2(code %d)", si->si_code);
}

static void h_usr1_raises_usr2(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    ev("usr1-enter");
    raise_raw(SIGUSR2);
    ev("usr2-raised");
    ev(pending_get() & BIT(SIGUSR2) ? "usr2-pending" : "usr2-not-pending");
    ev("usr1-leave");
}

static void sa_mask_holds(void)
{
    on(SIGUSR2, h_usr2_log, 0, 0);
    on(SIGUSR1, h_usr1_raises_usr2, 0, BIT(SIGUSR2));
    raise_raw(SIGUSR1);
    ev("main");
    ev_print("sa_mask {USR2}, USR2 raised inside");
    /* the same without sa_mask: USR2 nests at once */
    on(SIGUSR1, h_usr1_raises_usr2, 0, 0);
    raise_raw(SIGUSR1);
    ev("main");
    ev_print("empty sa_mask, USR2 raised inside");
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

// ---------------------------------------------------------------- another thread sends

static pid_t main_tid;
static volatile int in_handler, usr2_done;

// Waits until main is inside its SIGUSR1 handler, then sends it SIGUSR2.
static void *sender(void *arg)
{
    (void)arg;
    long long end = now_ms() + 3000;
    while (!in_handler && now_ms() < end)
        nap_ms(1);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
    return NULL;
}

static void h_usr2_done(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    ev("usr2(code %d)", si->si_code);
    seen_mask = mask_get();
    seen_uc_mask = uc_mask(uc);
    usr2_done = 1;
}

// Stays in the handler until USR2 ran (empty sa_mask) or is pending (sa_mask {USR2}).
static void h_usr1_waits(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    ev("usr1-enter");
    in_handler = 1;
    long long end = now_ms() + 3000;
    int got = 0;
    while (!got && now_ms() < end) {
        got = usr2_done ? 1 : (pending_get() & BIT(SIGUSR2)) ? 2 : 0;
    }
    ev(got == 1 ? "usr1-saw-usr2-run" : got == 2 ? "usr1-saw-usr2-pending" : "usr1-timeout");
    ev("usr1-leave");
}

static void from_thread(uint64_t sa_mask, const char *what)
{
    on(SIGUSR2, h_usr2_done, 0, 0);
    on(SIGUSR1, h_usr1_waits, 0, sa_mask);
    in_handler = usr2_done = 0;
    seen_mask = seen_uc_mask = 0;
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    raise_raw(SIGUSR1);
    ev("main");
    pthread_join(t, NULL);
    ev_print(what);
    printf("  mask in the USR2 handler %s, its uc_sigmask %s\n", set_names(seen_mask),
           set_names(seen_uc_mask));
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

// ---------------------------------------------------------------- SA_RESETHAND

static int report_fd;

static void say(const char *s)
{
    if (write(report_fd, s, strlen(s)) < 0)
        _exit(3);
}

static void h_reset(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    say(mask_get() & BIT(sig) ? "handler(sig blocked) " : "handler(sig not blocked) ");
}

static void h_reset_reraise(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    say("handler ");
    raise_raw(sig);
    say("raised-inside ");
    say("returning ");
}

static void resethand_child(void (*h)(int, siginfo_t *, void *), int extra_flags,
                            const char *what)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        report_fd = p[1];
        on(SIGUSR1, h, SA_RESETHAND | extra_flags, 0);
        raise_raw(SIGUSR1);
        struct sigaction now;
        sigaction(SIGUSR1, NULL, &now);
        say(now.sa_handler == SIG_DFL ? "now-default " : "still-handled ");
        say(now.sa_flags & SA_RESETHAND ? "flag-kept " : "flag-cleared ");
        raise_raw(SIGUSR1);
        say("survived");
        _exit(0);
    }
    close(p[1]);
    char buf[512];
    int st = read_child_report(p[0], pid, buf, sizeof(buf));
    printf("%s: %s\n", what, buf);
    if (WIFSIGNALED(st))
        printf("  child killed by %s\n", sig_name(WTERMSIG(st)));
    else
        printf("  child exited %d\n", WEXITSTATUS(st));
}

// ---------------------------------------------------------------- mask inside a handler

static void h_mask(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    seen_mask = mask_get();
    seen_uc_mask = uc_mask(uc);
}

static void mask_inside(int flags, const char *what)
{
    uint64_t old = BIT(SIGWINCH) | BIT(SIGRTMIN + 3);
    uint64_t sa = BIT(SIGUSR2) | BIT(SIGRTMIN + 2) | BIT(SIGKILL) | BIT(SIGSTOP);
    uint64_t want = old | (sa & ~(BIT(SIGKILL) | BIT(SIGSTOP)));
    if (!(flags & SA_NODEFER))
        want |= BIT(SIGUSR1);
    on(SIGUSR1, h_mask, flags, sa);
    mask_set(old);
    seen_mask = seen_uc_mask = 0;
    raise_raw(SIGUSR1);
    uint64_t after = mask_get();
    mask_set(0);
    printf("%s: mask in handler %s\n", what, set_names(seen_mask));
    printf("  = old|sa_mask|sig (KILL/STOP dropped): %s, uc_sigmask = old: %s, "
           "restored after: %s\n",
           yes(seen_mask == want), yes(seen_uc_mask == old), yes(after == old));
    struct sigaction back;
    sigaction(SIGUSR1, NULL, &back);
    printf("  sa_mask read back: KILL %s, STOP %s, USR2 %s\n",
           yes(sigismember(&back.sa_mask, SIGKILL)), yes(sigismember(&back.sa_mask, SIGSTOP)),
           yes(sigismember(&back.sa_mask, SIGUSR2)));
    dfl(SIGUSR1);
}

int main(void)
{
    mask_set(0);
    main_tid = gettid();
    nodefer_recursion();
    deferred_self();
    sa_mask_holds();
    from_thread(0, "USR2 from a thread during the USR1 handler");
    from_thread(BIT(SIGUSR2), "USR2 from a thread, sa_mask {USR2}");
    resethand_child(h_reset, 0, "SA_RESETHAND, raised twice");
    resethand_child(h_reset, SA_NODEFER, "SA_RESETHAND|SA_NODEFER, raised twice");
    resethand_child(h_reset_reraise, 0, "SA_RESETHAND, raised again inside");
    mask_inside(0, "mask inside");
    mask_inside(SA_NODEFER, "mask inside with SA_NODEFER");
    return 0;
}
