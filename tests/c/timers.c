// Timers that send signals: setitimer ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF fire
// SIGALRM, SIGVTALRM and SIGPROF (getitimer and the old value of setitimer report at
// most what was set, plus a tick for the CPU-time ones); alarm returns the seconds left of the previous one; POSIX timers
// (raw timer_create) with SIGEV_SIGNAL (si_code SI_TIMER, si_value, si_timerid), with
// SIGEV_THREAD_ID (only the named thread takes the signal), SIGEV_NONE, on CPU-time
// clocks, glibc's SIGEV_THREAD; overruns counted while the signal is blocked
// (si_overrun, timer_getoverrun); timer_delete and the errors of each call. Only
// relations are printed ("fired", "remaining <= set"), never times or counts of ticks.
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
#include <sys/time.h>
#include "lib/outcome.h"
#include "lib/signals.h"

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// ---------------------------------------------------------------------------- records

struct record {
    atomic_int count;
    atomic_int elsewhere; // arrivals on another thread than `want_tid`
    pid_t want_tid;       // 0: any thread
    int code, value, timerid, overrun;
    int getoverrun; // timer_getoverrun in the handler, at the first arrival
};

static struct record rec[65];

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    struct record *r = &rec[sig];
    int first = atomic_load(&r->count) == 0;
    r->code = si->si_code;
    if (si->si_code == SI_TIMER) {
        r->value = si->si_value.sival_int;
        r->timerid = si->si_timerid;
        r->overrun = si->si_overrun;
        if (first)
            r->getoverrun = (int)syscall(SYS_timer_getoverrun, si->si_timerid);
    }
    if (r->want_tid && gettid() != r->want_tid)
        atomic_fetch_add(&r->elsewhere, 1);
    atomic_fetch_add(&r->count, 1);
}

// The si_code of the last arrival of sig, or "none".
static const char *arrived_code(int sig)
{
    return atomic_load(&rec[sig].count) ? si_code_name(rec[sig].code) : "none";
}

static void handle(int sig)
{
    struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        die("sigaction");
    memset(&rec[sig], 0, sizeof(rec[sig]));
}

static void block(int sig, int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

static volatile unsigned long sink;

// Waits until sig arrived n times or timeout_ms passed, sleeping or burning CPU.
static int wait_count(int sig, int n, int timeout_ms, int busy)
{
    long long end = mono_ns() + timeout_ms * 1000000LL;
    while (atomic_load(&rec[sig].count) < n && mono_ns() < end) {
        if (busy)
            for (int i = 0; i < 100000; i++)
                sink += i;
        else
            sleep_ms(1);
    }
    return atomic_load(&rec[sig].count) >= n;
}

// ---------------------------------------------------------------------------- itimers

static long long tv_ns(struct timeval tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; }

// CPU-time itimers (VIRTUAL, PROF) start one tick later than asked (Linux adds
// TICK_NSEC, at most 10 ms, in set_cpu_itimer), so their remaining time may exceed it.
static void itimer(const char *name, int which, int sig, int cpu)
{
    handle(sig);
    long long limit = 1000000000LL + (cpu ? 10000000LL : 0);
    const char *range = cpu ? "(0, 1 s + a tick]" : "(0, 1 s]";
    struct itimerval set = { .it_value = { 1, 0 } }, got, old;
    T("setitimer 1 s", setitimer(which, &set, NULL));
    getitimer(which, &got);
    printf("%s: getitimer remaining in %s: %s, interval 0: %s\n", name, range,
           yes(tv_ns(got.it_value) > 0 && tv_ns(got.it_value) <= limit),
           yes(tv_ns(got.it_interval) == 0));
    struct itimerval zero = { 0 };
    T("setitimer 0 (disarm)", setitimer(which, &zero, &old));
    printf("%s: old value in %s: %s\n", name, range,
           yes(tv_ns(old.it_value) > 0 && tv_ns(old.it_value) <= limit));
    getitimer(which, &got);
    printf("%s: disarmed: %s\n", name, yes(tv_ns(got.it_value) == 0));

    struct itimerval every = { .it_value = { 0, 10000 }, .it_interval = { 0, 10000 } };
    setitimer(which, &every, NULL);
    getitimer(which, &got);
    printf("%s: interval kept: %s\n", name, yes(tv_ns(got.it_interval) == 10000000LL));
    int fired = wait_count(sig, 3, 5000, cpu);
    setitimer(which, &zero, NULL);
    printf("%s: fired %s at least 3 times: %s, si_code %s\n", name, sigabbrev_np(sig),
           yes(fired), arrived_code(sig));
    signal(sig, SIG_IGN); // a late one must not kill us
}

static void itimers(void)
{
    printf("-- setitimer, getitimer, alarm\n");
    itimer("ITIMER_REAL", ITIMER_REAL, SIGALRM, 0);
    itimer("ITIMER_VIRTUAL", ITIMER_VIRTUAL, SIGVTALRM, 1);
    itimer("ITIMER_PROF", ITIMER_PROF, SIGPROF, 1);

    struct itimerval v = { .it_value = { 1, 0 } }, got;
    T("setitimer(3)", setitimer(3, &v, NULL));
    v.it_value.tv_usec = 1000000;
    T("setitimer with tv_usec 1000000", setitimer(ITIMER_REAL, &v, NULL));
    T("getitimer(3)", getitimer(3, &got));
    T("getitimer(bad pointer)", syscall(SYS_getitimer, ITIMER_REAL, (void *)8));
    T("setitimer(bad pointer)", syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL));

    // alarm returns the previous alarm's seconds left, rounded to the nearest.
    T("alarm(5)", alarm(5));
    T("alarm(3)", alarm(3));
    getitimer(ITIMER_REAL, &got);
    printf("ITIMER_REAL after alarm(3) in (2, 3 s]: %s\n",
           yes(tv_ns(got.it_value) > 2000000000LL && tv_ns(got.it_value) <= 3000000000LL));
    T("alarm(0)", alarm(0));
    T("alarm(0) again", alarm(0));
    handle(SIGALRM);
    alarm(1);
    int fired = wait_count(SIGALRM, 1, 3000, 0);
    printf("alarm(1) fired SIGALRM: %s, si_code %s\n", yes(fired), arrived_code(SIGALRM));
    T("alarm(0) after it fired", alarm(0));
}

// ---------------------------------------------------------------------------- POSIX timers

static int new_timer(clockid_t clock, int notify, int sig, int value, pid_t tid)
{
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = notify;
    sev.sigev_signo = sig;
    sev.sigev_value.sival_int = value;
    sev._sigev_un._tid = tid;
    int id = -1;
    if (syscall(SYS_timer_create, clock, &sev, &id) != 0)
        die("timer_create");
    return id;
}

static long settime(int id, int flags, long long value_ns, long long interval_ns,
                    struct itimerspec *old)
{
    struct itimerspec its = {
        .it_value = { value_ns / 1000000000LL, value_ns % 1000000000LL },
        .it_interval = { interval_ns / 1000000000LL, interval_ns % 1000000000LL },
    };
    return syscall(SYS_timer_settime, id, flags, &its, old);
}

static long long ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

static void sigev_signal(void)
{
    printf("-- SIGEV_SIGNAL\n");
    int sig = SIGRTMIN;
    handle(sig);
    int id = new_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, 1234, 0);
    struct itimerspec got, old;
    T("timer_settime 1 s", settime(id, 0, 1000000000LL, 0, NULL));
    syscall(SYS_timer_gettime, id, &got);
    printf("timer_gettime remaining in (0, 1 s]: %s\n",
           yes(ts_ns(got.it_value) > 0 && ts_ns(got.it_value) <= 1000000000LL));
    T("timer_settime 10 ms", settime(id, 0, 10000000LL, 0, &old));
    printf("old value in (0, 1 s]: %s\n",
           yes(ts_ns(old.it_value) > 0 && ts_ns(old.it_value) <= 1000000000LL));
    int fired = wait_count(sig, 1, 3000, 0);
    printf("fired: %s, si_code %s, si_value %d, si_timerid the timer: %s, si_overrun %d\n",
           yes(fired), arrived_code(sig), rec[sig].value, yes(rec[sig].timerid == id),
           rec[sig].overrun);
    syscall(SYS_timer_gettime, id, &got);
    printf("one-shot timer disarmed after it fired: %s\n", yes(ts_ns(got.it_value) == 0));
    sleep_ms(20);
    printf("fired once only: %s\n", yes(atomic_load(&rec[sig].count) == 1));

    // TIMER_ABSTIME with a time already past fires at once.
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    T("timer_settime TIMER_ABSTIME in the past", settime(id, TIMER_ABSTIME, ts_ns(now) - 1000000000LL, 0, NULL));
    fired = wait_count(sig, 2, 3000, 0);
    printf("fired: %s\n", yes(fired));

    T("timer_delete", syscall(SYS_timer_delete, id));
    T("timer_settime after delete", settime(id, 0, 10000000LL, 0, NULL));
    T("timer_gettime after delete", syscall(SYS_timer_gettime, id, &got));
    T("timer_getoverrun after delete", syscall(SYS_timer_getoverrun, id));
    T("timer_delete again", syscall(SYS_timer_delete, id));
}

static atomic_int worker_tid, worker_stop;

static void *worker(void *arg)
{
    (void)arg;
    atomic_store(&worker_tid, gettid());
    while (!atomic_load(&worker_stop))
        sleep_ms(1);
    return NULL;
}

static void sigev_thread_id(void)
{
    printf("-- SIGEV_THREAD_ID\n");
    int sig = SIGRTMIN + 1;
    handle(sig);
    pthread_t th;
    if (pthread_create(&th, NULL, worker, NULL) != 0)
        die("pthread_create");
    while (atomic_load(&worker_tid) == 0)
        sleep_ms(1);
    rec[sig].want_tid = atomic_load(&worker_tid);
    // The main thread does not block the signal either: only the naming decides.
    int id = new_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL | SIGEV_THREAD_ID, sig, 77,
                       atomic_load(&worker_tid));
    settime(id, 0, 5000000LL, 5000000LL, NULL);
    int fired = wait_count(sig, 5, 3000, 0);
    settime(id, 0, 0, 0, NULL);
    syscall(SYS_timer_delete, id);
    printf("fired 5 times: %s, on the named thread only: %s, si_code %s, si_value %d\n",
           yes(fired), yes(atomic_load(&rec[sig].elsewhere) == 0), arrived_code(sig),
           rec[sig].value);
    atomic_store(&worker_stop, 1);
    pthread_join(th, NULL);

    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
    sev.sigev_signo = sig;
    sev._sigev_un._tid = getppid(); // not a thread of this process
    int tid;
    T("SIGEV_THREAD_ID naming another process", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid));
    sev._sigev_un._tid = 0;
    T("SIGEV_THREAD_ID naming tid 0", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid));
}

static void overrun(void)
{
    printf("-- overruns while blocked\n");
    int sig = SIGRTMIN + 2;
    handle(sig);
    block(sig, SIG_BLOCK);
    int id = new_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, 9, 0);
    settime(id, 0, 1000000LL, 1000000LL, NULL);
    sleep_ms(50);
    printf("nothing delivered while blocked: %s\n", yes(atomic_load(&rec[sig].count) == 0));
    block(sig, SIG_UNBLOCK);
    int fired = wait_count(sig, 1, 3000, 0);
    settime(id, 0, 0, 0, NULL);
    printf("delivered once unblocked: %s, si_overrun > 0: %s, timer_getoverrun in the "
           "handler == si_overrun: %s\n",
           yes(fired), yes(rec[sig].overrun > 0), yes(rec[sig].getoverrun == rec[sig].overrun));
    T("timer_delete", syscall(SYS_timer_delete, id));
}

static void sigev_none(void)
{
    printf("-- SIGEV_NONE and CPU-time clocks\n");
    int id = new_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
    settime(id, 0, 30000000LL, 0, NULL);
    struct itimerspec a, b;
    syscall(SYS_timer_gettime, id, &a);
    sleep_ms(5);
    syscall(SYS_timer_gettime, id, &b);
    printf("SIGEV_NONE: remaining goes down: %s\n",
           yes(ts_ns(b.it_value) < ts_ns(a.it_value) && ts_ns(b.it_value) > 0));
    sleep_ms(40);
    syscall(SYS_timer_gettime, id, &b);
    printf("SIGEV_NONE: expired to 0: %s\n", yes(ts_ns(b.it_value) == 0));
    syscall(SYS_timer_delete, id);

    clockid_t clocks[] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
    const char *names[] = { "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID" };
    for (int i = 0; i < 2; i++) {
        int sig = SIGRTMIN + 3;
        handle(sig);
        id = new_timer(clocks[i], SIGEV_SIGNAL, sig, 10 + i, 0);
        settime(id, 0, 5000000LL, 0, NULL);
        int fired = wait_count(sig, 1, 5000, 1);
        syscall(SYS_timer_delete, id);
        printf("%s timer fired after CPU use: %s, si_code %s, si_value %d\n", names[i],
               yes(fired), arrived_code(sig), rec[sig].value);
    }
}

static atomic_int thread_value;
static atomic_int thread_other;
static pid_t main_tid;

static void on_timer_thread(union sigval v)
{
    atomic_store(&thread_other, gettid() != main_tid);
    atomic_store(&thread_value, v.sival_int);
}

static void sigev_thread(void)
{
    printf("-- glibc SIGEV_THREAD\n");
    main_tid = gettid();
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_timer_thread;
    sev.sigev_value.sival_int = 5;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &sev, &t) != 0)
        die("timer_create SIGEV_THREAD");
    struct itimerspec its = { .it_value = { 0, 10000000 } };
    timer_settime(t, 0, &its, NULL);
    for (int i = 0; i < 3000 && atomic_load(&thread_value) == 0; i++)
        sleep_ms(1);
    printf("callback ran with value %d, on another thread: %s\n", atomic_load(&thread_value),
           yes(atomic_load(&thread_other)));
    T("timer_delete", timer_delete(t));
}

static void errors(void)
{
    printf("-- errors\n");
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN;
    int id;
    T("timer_create(clock 99)", syscall(SYS_timer_create, 99, &sev, &id));
    sev.sigev_signo = 0;
    T("timer_create(signal 0)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id));
    sev.sigev_signo = 65;
    T("timer_create(signal 65)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id));
    sev.sigev_signo = SIGRTMIN;
    sev.sigev_notify = 99;
    T("timer_create(notify 99)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id));
    T("timer_create(bad sigevent)", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &id));
    sev.sigev_notify = SIGEV_SIGNAL;
    T("timer_create(bad id pointer)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, (void *)8));
    T("timer_settime(no such timer)", settime(12345, 0, 1000000LL, 0, NULL));
    T("timer_gettime(-1)", syscall(SYS_timer_gettime, -1, &(struct itimerspec){ 0 }));
    T("timer_delete(no such timer)", syscall(SYS_timer_delete, 12345));

    id = new_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
    struct itimerspec bad_nsec = { .it_value = { 0, 1000000000 } };
    T("timer_settime(tv_nsec 1e9)", syscall(SYS_timer_settime, id, 0, &bad_nsec, NULL));
    T("timer_settime(bad pointer)", syscall(SYS_timer_settime, id, 0, (void *)8, NULL));
    T("timer_gettime(bad pointer)", syscall(SYS_timer_gettime, id, (void *)8));
    T("timer_delete", syscall(SYS_timer_delete, id));
}

int main(void)
{
    itimers();
    sigev_signal();
    sigev_thread_id();
    overrun();
    sigev_none();
    sigev_thread();
    errors();
    return 0;
}
