// rdtsc and rdtscp executed directly (inline asm), as Go's cputicks and many runtimes do;
// run natively and under `asis run --rdtsc=emulate`, where they fault and asis answers.
// A million back-to-back rdtsc reads (and rdtscp, and the two interleaved) never go back
// and do advance; across 4 threads publishing their readings through an atomic, a
// reading taken after seeing a published one is not below it; the rate against
// CLOCK_MONOTONIC_RAW over ~100 ms lies in [0.2, 10] GHz and two measurements agree
// within 2%; rdtscp's TSC_AUX holds the cpu (low 12 bits: an allowed cpu, the pinned one
// when pinned) and the node getcpu gives (bits 12 and up); rdtsc in a SIGALRM handler
// (setitimer) works and is not below what the interrupted loop read; a forked child's
// reading is not below its parent's. rdtscp parts are skipped silently without rdtscp.
// Only facts are printed, never counts or rates.
// asis-test: rdtsc=emulate
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "lib/test_util.h"

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

// rdtsc after every earlier instruction (the load of a published value) completed.
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtscp(uint32_t *aux)
{
    uint32_t lo, hi, c;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c)::"memory");
    *aux = c;
    return (uint64_t)hi << 32 | lo;
}

static int have_rdtscp;
static long nconf;
static cpu_set_t allowed;

static long long raw_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cpu_ok(uint32_t aux)
{
    unsigned cpu = aux & 0xfff;
    return (long)cpu < nconf && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed);
}

// ---------------------------------------------------------------------------- one thread

#define READS 1000000

static void one_thread(void)
{
    printf("-- one thread\n");
    int back = 0;
    uint64_t first = rdtsc(), prev = first;
    for (int i = 0; i < READS; i++) {
        uint64_t t = rdtsc();
        back += t < prev;
        prev = t;
    }
    printf("rdtsc: %d back-to-back reads never go back: %s, advance: %s\n", READS, yes(back == 0),
           yes(prev > first));
    if (!have_rdtscp)
        return;

    uint32_t aux;
    int bad_cpu = 0;
    back = 0;
    first = prev = rdtscp(&aux);
    for (int i = 0; i < READS / 10; i++) {
        uint64_t t = rdtscp(&aux);
        back += t < prev;
        bad_cpu += !cpu_ok(aux);
        prev = t;
    }
    printf("rdtscp: %d back-to-back reads never go back: %s, advance: %s, TSC_AUX an allowed "
           "cpu: %s\n",
           READS / 10, yes(back == 0), yes(prev > first), yes(bad_cpu == 0));

    back = 0;
    prev = rdtsc_ordered();
    for (int i = 0; i < READS / 10; i++) {
        uint64_t t = i & 1 ? rdtscp(&aux) : rdtsc_ordered();
        back += t < prev;
        prev = t;
    }
    printf("rdtsc and rdtscp interleaved: never go back: %s\n", yes(back == 0));
}

// ---------------------------------------------------------------------------- threads

#define THREADS 4
#define THREAD_READS 100000

static _Atomic uint64_t published;
static atomic_int behind; // readings below a value published before they were taken

static void *reader(void *arg)
{
    (void)arg;
    uint32_t aux;
    for (int i = 0; i < THREAD_READS; i++) {
        uint64_t seen = atomic_load(&published);
        uint64_t now = have_rdtscp && (i & 1) ? rdtscp(&aux) : rdtsc_ordered();
        if (now < seen)
            atomic_fetch_add(&behind, 1);
        atomic_store(&published, now);
    }
    return NULL;
}

static void threads(void)
{
    printf("-- %d threads\n", THREADS);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, reader, NULL) != 0)
            die("pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    printf("no reading below one published before it: %s\n", yes(atomic_load(&behind) == 0));
}

// ---------------------------------------------------------------------------- rate

struct sample {
    long long ns;
    uint64_t tsc;
};

// A TSC reading and the CLOCK_MONOTONIC_RAW time it was taken at: the middle of the
// narrowest of up to 100 clock-rdtsc-clock brackets (a preemption inside one only
// widens it).
static struct sample take_sample(void)
{
    struct sample s = { 0, 0 };
    long long best = -1;
    for (int i = 0; i < 100 && (best < 0 || best > 2000); i++) {
        long long a = raw_ns();
        uint64_t t = rdtsc_ordered();
        long long b = raw_ns();
        if (best < 0 || b - a < best) {
            best = b - a;
            s.ns = a + (b - a) / 2;
            s.tsc = t;
        }
    }
    return s;
}

// TSC ticks per ns over about 100 ms.
static double measure_rate(void)
{
    struct sample a = take_sample();
    sleep_ms(100);
    struct sample b = take_sample();
    return b.ns > a.ns && b.tsc > a.tsc ? (double)(b.tsc - a.tsc) / (double)(b.ns - a.ns) : 0;
}

static void rate(void)
{
    printf("-- rate against CLOCK_MONOTONIC_RAW\n");
    double r1 = measure_rate(), r2 = measure_rate();
    printf("rate in [0.2, 10] GHz: %s, %s\n", yes(r1 >= 0.2 && r1 <= 10),
           yes(r2 >= 0.2 && r2 <= 10));
    printf("two measurements agree within 2%%: %s\n",
           yes(r1 > 0 && r2 > 0 && r2 / r1 >= 0.98 && r2 / r1 <= 1.02));
}

// ---------------------------------------------------------------------------- TSC_AUX

static void tsc_aux(void)
{
    printf("-- rdtscp TSC_AUX\n");
    unsigned cpu, node;
    uint32_t aux;
    rdtscp(&aux);
    syscall(SYS_getcpu, &cpu, &node, NULL);
    printf("low 12 bits: an allowed cpu below the configured count: %s, the rest: getcpu's "
           "node: %s\n",
           yes(cpu_ok(aux)), yes(aux >> 12 == node));

    int wrong = 0, pinned = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &allowed))
            continue;
        pin_to_cpu(c);
        pinned++;
        rdtscp(&aux);
        wrong += (aux & 0xfff) != (unsigned)c;
    }
    if (sched_setaffinity(0, sizeof(allowed), &allowed) != 0)
        die("sched_setaffinity");
    printf("pinned to each allowed cpu: TSC_AUX names it: %s\n", yes(pinned > 0 && wrong == 0));
}

// ---------------------------------------------------------------------------- signals

#define TICKS 50

static volatile uint64_t loop_last; // the loop's latest reading
static volatile sig_atomic_t ticks, handler_behind, handler_bad_cpu;

static void on_alarm(int sig)
{
    (void)sig;
    uint64_t t = rdtsc();
    if (t < loop_last)
        handler_behind = 1;
    if (have_rdtscp) {
        uint32_t aux;
        uint64_t t2 = rdtscp(&aux);
        if (t2 < t)
            handler_behind = 1;
        if (!cpu_ok(aux))
            handler_bad_cpu = 1;
    }
    ticks++;
}

static void in_handler(void)
{
    printf("-- rdtsc in a SIGALRM handler\n");
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        die("sigaction");
    struct itimerval every = { .it_value = { 0, 2000 }, .it_interval = { 0, 2000 } };
    if (setitimer(ITIMER_REAL, &every, NULL) != 0)
        die("setitimer");
    int back = 0;
    uint64_t prev = rdtsc();
    long long end = now_ms() + 10000;
    for (long i = 0; ticks < TICKS; i++) {
        uint64_t t = rdtsc();
        back += t < prev;
        prev = t;
        loop_last = t;
        if (i % 1024 == 0 && now_ms() > end)
            break;
    }
    struct itimerval zero = { 0 };
    setitimer(ITIMER_REAL, &zero, NULL);
    signal(SIGALRM, SIG_IGN);
    printf("handler ran %d times: %s, its reads not below the interrupted loop's: %s, "
           "TSC_AUX an allowed cpu: %s\n",
           TICKS, yes(ticks >= TICKS), yes(!handler_behind), yes(!handler_bad_cpu));
    printf("the interrupted loop never goes back: %s\n", yes(back == 0));
}

// ---------------------------------------------------------------------------- fork

static void forked(void)
{
    printf("-- fork\n");
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    uint64_t before = rdtsc_ordered();
    pid_t c = fork_flushed();
    if (c == 0) {
        uint64_t t = rdtsc_ordered();
        char ok = t >= before ? 'y' : 'n';
        if (write(fds[1], &ok, 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char ok = 0;
    if (read(fds[0], &ok, 1) != 1)
        ok = '?';
    close(fds[0]);
    int st;
    waitpid(c, &st, 0);
    printf("a forked child's rdtsc not below its parent's earlier one: %s, child exit status "
           "%d\n",
           yes(ok == 'y'), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    unsigned a, b, c, d;
    have_rdtscp = __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27)); // RDTSCP
    nconf = sysconf(_SC_NPROCESSORS_CONF);
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
        die("sched_getaffinity");

    // For the program rdtsc is allowed (asis's emulation switches the TSC off, not it).
    int tsc = -1;
    printf("prctl(PR_GET_TSC): %s\n",
           prctl(PR_GET_TSC, &tsc, 0, 0, 0) != 0 ? strerrorname_np(errno)
           : tsc == PR_TSC_ENABLE                ? "PR_TSC_ENABLE"
                                                 : "something else");
    run_section("one thread", one_thread);
    run_section("threads", threads);
    run_section("rate", rate);
    if (have_rdtscp)
        run_section("TSC_AUX", tsc_aux);
    run_section("signal handler", in_handler);
    run_section("fork", forked);
    return 0;
}
