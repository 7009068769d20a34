/*
 * kernel_floor: what the host kernel alone charges a syscall once a process intercepts
 * syscalls the way asis does, with no asis involved. Times a loop of getppid (one raw
 * SYSCALL each) three ways, one after the other:
 *   seccomp   (a forked child, first) a one-instruction allow-all seccomp filter;
 *   native    nothing enabled;
 *   sud       Syscall User Dispatch on, with the selector set to allow everything, so
 *             every syscall still runs natively but takes the kernel's slow entry path.
 * A patched site under asis can be no faster than the sud (or seccomp) line: that is the
 * floor for `syscall_loop` (docs/patching-design.md 11).
 *
 *   kernel_floor [N]     prints: native_ns=.. sud_ns=.. seccomp_ns=..
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

static volatile char selector; /* SYSCALL_DISPATCH_FILTER_ALLOW = 0 */

static double ns_per_call(long n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getppid) : "rcx", "r11", "memory");
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = { 1, &allow };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
            _exit(1);
        double t = ns_per_call(n);
        _exit(write(fds[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
    }
    /* One at a time: the loops must not compete for the CPUs. */
    int st;
    double seccomp = -1;
    if (waitpid(pid, &st, 0) != pid || st != 0 || read(fds[0], &seccomp, sizeof(seccomp)) != sizeof(seccomp)) {
        fprintf(stderr, "kernel_floor: the seccomp child failed\n");
        return 1;
    }
    double native = ns_per_call(n);
    /* An empty range at address 1: no syscall is ever in it, the selector decides. */
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 1, 1, &selector) != 0) {
        perror("kernel_floor: PR_SET_SYSCALL_USER_DISPATCH");
        return 1;
    }
    double sud = ns_per_call(n);
    printf("native_ns=%.1f sud_ns=%.1f seccomp_ns=%.1f\n", native, sud, seccomp);
    return 0;
}
