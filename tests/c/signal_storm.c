// asis-test: timeout=60
// Eight threads send each other signals with tgkill for about 10 s: thread i sends
// SIGRTMIN+i to the other threads in turn (retrying while the queue is full, EAGAIN) and,
// now and then, SIGUSR1. Real-time signals are queued, so each thread must receive exactly
// as many of each as were sent to it; SIGUSR1 is not (a second one while one is pending
// is dropped), so each receives at least one and at most as many as were sent. Only
// these facts are printed, never the counts.
//
// A sender leaves a target alone while 64 signals from anyone wait there. Without that, a
// thread the scheduler neglects collects a backlog of tens of thousands, which fills the
// per-user queue limit (then a SIGUSR1 arrives without its siginfo: SI_USER, pid 0) and
// takes seconds to drain at the end. The bound is per target, not per pair, so that
// every thread's queue empties now and then and it gets to send: a thread runs none of
// its own code while a signal is pending for it, and where taking a signal costs much
// more than sending one (as under asis with a patched tgkill and a trapped
// rt_sigreturn), whoever sends most keeps the others busy taking its signals, and a
// thread could be starved for the whole run.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "lib/test_util.h"

#define NTHREADS 8
#define SECONDS 10

static pid_t tids[NTHREADS];
static __thread int my_index;

#define MAX_IN_FLIGHT 64 // per target, from all senders

// [target][sender] for real-time signals (sender i sends SIGRTMIN+i); sent[][] is written
// only by the sender, received[][] only by the target's handler.
static atomic_long rt_sent[NTHREADS][NTHREADS], rt_received[NTHREADS][NTHREADS];
static long usr1_sent[NTHREADS][NTHREADS]; // [target][sender]
static long usr1_received[NTHREADS];
static atomic_int bad_info; // arrivals with a wrong si_code, si_pid or signal number

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (si->si_signo != sig)
        atomic_fetch_add(&bad_info, 1);
    // A handler does not interrupt itself (its signal is blocked while it runs), and each
    // counter belongs to one thread and one signal: usr1_received needs no atomics.
    if (sig == SIGUSR1) {
        usr1_received[my_index]++;
    } else if (sig >= SIGRTMIN && sig < SIGRTMIN + NTHREADS) {
        if (si->si_code != SI_TKILL || si->si_pid != getpid())
            atomic_fetch_add(&bad_info, 1);
        atomic_fetch_add_explicit(&rt_received[my_index][sig - SIGRTMIN], 1,
                                  memory_order_relaxed);
    } else {
        atomic_fetch_add(&bad_info, 1);
    }
}

static pthread_barrier_t start, stop_sending, drained;
static atomic_int stop;
static atomic_long eagain; // how often a queue was full (not printed: it varies)

// Signals sent to target and not yet counted by its handler, from every sender.
static long in_flight(int target)
{
    long n = 0;
    for (int s = 0; s < NTHREADS; s++)
        n += atomic_load_explicit(&rt_sent[target][s], memory_order_relaxed) -
             atomic_load_explicit(&rt_received[target][s], memory_order_relaxed);
    return n;
}

static void *storm(void *arg)
{
    my_index = (int)(long)arg;
    tids[my_index] = gettid();
    pthread_barrier_wait(&start);
    int sig = SIGRTMIN + my_index;
    for (unsigned long n = 0; !atomic_load(&stop); n++) {
        // The others in turn (a target skipped for being full is skipped this round).
        int target = (my_index + 1 + (int)(n % (NTHREADS - 1))) % NTHREADS;
        if (in_flight(target) >= MAX_IN_FLIGHT) {
            sched_yield();
            continue;
        }
        while (syscall(SYS_tgkill, getpid(), tids[target], sig) != 0) {
            if (errno != EAGAIN) {
                printf("tgkill: %s\n", strerrorname_np(errno));
                exit(1);
            }
            atomic_fetch_add(&eagain, 1);
            sched_yield(); // our own handlers run here, which is what empties the queues
        }
        atomic_fetch_add_explicit(&rt_sent[target][my_index], 1, memory_order_relaxed);
        if (n % 8 == 0) {
            if (syscall(SYS_tgkill, getpid(), tids[target], SIGUSR1) != 0) {
                printf("tgkill SIGUSR1: %s\n", strerrorname_np(errno));
                exit(1);
            }
            usr1_sent[target][my_index]++;
        }
    }
    // Nobody sends any more once everybody has passed this barrier; what is still
    // pending for us is delivered when the barrier's futex call returns, and at the
    // latest by the next system call.
    pthread_barrier_wait(&stop_sending);
    sched_yield();
    pthread_barrier_wait(&drained);
    return NULL;
}

int main(void)
{
    struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < NTHREADS; i++)
        sigaction(SIGRTMIN + i, &sa, NULL);

    pthread_barrier_init(&start, NULL, NTHREADS + 1);
    pthread_barrier_init(&stop_sending, NULL, NTHREADS);
    pthread_barrier_init(&drained, NULL, NTHREADS + 1);
    // The main thread takes none of these signals (they are all thread-directed anyway).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL); // threads start unblocked
        if (pthread_create(&th[i], NULL, storm, (void *)(long)i) != 0) {
            perror("pthread_create");
            return 1;
        }
        pthread_sigmask(SIG_BLOCK, &all, NULL);
    }
    pthread_barrier_wait(&start);
    struct timespec ts = { SECONDS, 0 };
    while (nanosleep(&ts, &ts) != 0)
        ;
    atomic_store(&stop, 1);
    pthread_barrier_wait(&drained);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);

    int rt_exact = 1, usr1_ok = 1, usr1_sent_all = 1, every_pair = 1;
    for (int t = 0; t < NTHREADS; t++) {
        long sent = 0;
        for (int s = 0; s < NTHREADS; s++) {
            if (atomic_load(&rt_sent[t][s]) != atomic_load(&rt_received[t][s]))
                rt_exact = 0;
            if (s != t && atomic_load(&rt_sent[t][s]) == 0)
                every_pair = 0;
            sent += usr1_sent[t][s];
        }
        if (sent == 0)
            usr1_sent_all = 0;
        if (!(usr1_received[t] > 0 && usr1_received[t] <= sent))
            usr1_ok = 0;
    }
    printf("every thread sent real-time signals to every other: %s\n", yes(every_pair));
    printf("real-time signals: received == sent for every thread and signal: %s\n",
           yes(rt_exact));
    printf("SIGUSR1 sent to every thread: %s\n", yes(usr1_sent_all));
    printf("SIGUSR1: 0 < received <= sent for every thread: %s\n", yes(usr1_ok));
    printf("every real-time siginfo said SI_TKILL from this process: %s\n",
           yes(atomic_load(&bad_info) == 0));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return 0;
}
