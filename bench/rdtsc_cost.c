/*
 * rdtsc_cost: the cost of one rdtsc, for the `--rdtsc=emulate` line of bench/run.sh.
 *
 *   rdtsc_cost N           times N rdtsc instructions; prints ns_per_rdtsc=..
 *   rdtsc_cost --floor N   the same with the TSC switched off for this process
 *                          (PR_SET_TSC) and its own SIGSEGV handler doing what asis's
 *                          does (read the instruction, CLOCK_MONOTONIC_RAW, step over
 *                          it), no asis: what the kernel alone charges an emulated rdtsc.
 * Run it natively, under `asis run`, and under `asis run --rdtsc=emulate`.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    const unsigned char *ip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
    if (ip[0] != 0x0f || ip[1] != 0x31)
        abort();
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC_RAW, &ts);
    uint64_t v = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    uc->uc_mcontext.gregs[REG_RAX] = (uint32_t)v;
    uc->uc_mcontext.gregs[REG_RDX] = v >> 32;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
}

int main(int argc, char **argv)
{
    int floor = argc > 1 && strcmp(argv[1], "--floor") == 0;
    long n = argc > 1 + floor ? atol(argv[1 + floor]) : 1000000;
    if (floor) {
        struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
        sigaction(SIGSEGV, &sa, NULL);
        if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV) != 0) {
            perror("prctl(PR_SET_TSC)");
            return 1;
        }
    }
    struct timespec a, b;
    uint64_t sink = 0;
    /* The syscall, not the vDSO: with the TSC off, the vDSO's own rdtsc would fault. */
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        sink += rdtsc();
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    printf("ns_per_rdtsc=%.1f sink=%lu\n", ns / (double)n, (unsigned long)(sink & 1));
    return 0;
}
