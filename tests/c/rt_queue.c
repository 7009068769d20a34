// Queueing of blocked signals: SIGRTMIN queued five times with values 1..5, SIGRTMIN+1
// twice, SIGUSR1 sent five times; sigpending shows the three; after one unblock the
// handler sees each RT signal once per send, in FIFO order with its value, the lowest
// signal number first, and SIGUSR1 once (standard signals coalesce); si_code tells
// SI_QUEUE, SI_USER and SI_TKILL apart and si_pid/si_uid name the sender. With an empty
// sa_mask the pending signals nest at the unblock, in the order Linux builds the frames.
// Also: a hundred queued values stay in order; a thread-directed signal is taken before
// a process-directed one; rt_sigqueueinfo may forge si_code only towards itself.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/signals.h"

static volatile int count, in_order, last_value;

// Logs signal/si_code[/value] and the mask its frame restores at the return, which shows
// how the frames nest.
static void h_log(int sig, siginfo_t *si, void *uc)
{
    int me = si->si_pid == getpid() && si->si_uid == getuid();
    const char *restores = set_names(uc_mask(uc));
    if (si->si_code == SI_QUEUE)
        ev("%s/%s/%d%s %s", sig_name(sig), si_code_name(si->si_code), si->si_value.sival_int,
           me ? "" : "/not-me", restores);
    else
        ev("%s/%s%s %s", sig_name(sig), si_code_name(si->si_code), me ? "" : "/not-me", restores);
}

static void h_count(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    if (si->si_value.sival_int != last_value + 1)
        in_order = 0;
    last_value = si->si_value.sival_int;
    count++;
}

static void queue(int sig, int value)
{
    union sigval v = { .sival_int = value };
    if (sigqueue(getpid(), sig, v) != 0)
        printf("sigqueue %s %d: %s\n", sig_name(sig), value, strerrorname_np(errno));
}

static void send_all(void)
{
    queue(SIGRTMIN + 1, 10);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    for (int v = 1; v <= 5; v++) {
        queue(SIGRTMIN, v);
        if (v <= 3)
            kill(getpid(), SIGUSR1);
    }
    queue(SIGRTMIN + 1, 11);
}

static void one_unblock(uint64_t sa_mask, const char *what)
{
    uint64_t three = BIT(SIGUSR1) | BIT(SIGRTMIN) | BIT(SIGRTMIN + 1);
    on(SIGUSR1, h_log, 0, sa_mask);
    on(SIGRTMIN, h_log, 0, sa_mask);
    on(SIGRTMIN + 1, h_log, 0, sa_mask);
    mask_set(three);
    send_all();
    printf("%s: pending before the unblock %s\n", what, set_names(pending_get()));
    ev_clear();
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &three, NULL, 8);
    ev("unblock-returned");
    ev_print("  delivered");
    printf("  pending after %s, mask after %s\n", set_names(pending_get()),
           set_names(mask_get()));
    dfl(SIGUSR1);
    dfl(SIGRTMIN);
    dfl(SIGRTMIN + 1);
}

static void hundred(void)
{
    on(SIGRTMIN + 4, h_count, 0, 0);
    mask_set(BIT(SIGRTMIN + 4));
    for (int v = 1; v <= 100; v++)
        queue(SIGRTMIN + 4, v);
    count = 0;
    in_order = 1;
    last_value = 0;
    mask_set(0);
    printf("100 values queued: %d delivered, in order: %s\n", count, yes(in_order));
    dfl(SIGRTMIN + 4);
}

static void thread_before_process(void)
{
    uint64_t both = BIT(SIGRTMIN + 2) | BIT(SIGRTMIN + 3);
    on(SIGRTMIN + 2, h_log, 0, both);
    on(SIGRTMIN + 3, h_log, 0, both);
    mask_set(both);
    kill(getpid(), SIGRTMIN + 2); /* process-directed, lower number */
    siginfo_t si = queue_info(42);
    long r = syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGRTMIN + 3, &si);
    printf("rt_tgsigqueueinfo to myself: %ld\n", r);
    ev_clear();
    mask_set(0);
    ev_print("thread-directed RTMIN+3 and process-directed RTMIN+2");
    dfl(SIGRTMIN + 2);
    dfl(SIGRTMIN + 3);
}

static void forged_codes(void)
{
    on(SIGUSR2, h_log, 0, 0);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_code = SI_USER;
    si.si_pid = getpid();
    si.si_uid = getuid();
    ev_clear();
    long r = syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si);
    printf("rt_sigqueueinfo to myself with SI_USER: %ld\n", r);
    si.si_code = SI_KERNEL;
    r = syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si);
    printf("rt_sigqueueinfo to myself with SI_KERNEL: %ld\n", r);
    ev_print("  delivered");
    dfl(SIGUSR2);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    si.si_code = SI_USER;
    errno = 0;
    r = syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
    printf("rt_sigqueueinfo to a child with SI_USER: %ld %s\n", r, r ? strerrorname_np(errno) : "");
    si.si_code = SI_TKILL;
    r = syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
    printf("rt_sigqueueinfo to a child with SI_TKILL: %ld %s\n", r, r ? strerrorname_np(errno) : "");
    si.si_code = SI_QUEUE;
    r = syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
    printf("rt_sigqueueinfo to a child with SI_QUEUE: %ld\n", r);
    int st;
    waitpid(pid, &st, 0);
    printf("  child %s %s\n", WIFSIGNALED(st) ? "killed by" : "exited",
           WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "");
}

int main(void)
{
    mask_set(0);
    one_unblock(BIT(SIGUSR1) | BIT(SIGRTMIN) | BIT(SIGRTMIN + 1), "sa_mask holds all three");
    one_unblock(0, "empty sa_mask");
    hundred();
    thread_before_process();
    forged_codes();
    return 0;
}
