// Small helpers the C tests share that are not about signals: failing with the errno
// name, printing booleans, sleeping, a monotonic clock in ms, waiting for a condition,
// forking with flushed output, running a section in a child of its own, collecting
// what a child wrote to a pipe before it ended, a thread's scheduler state from /proc, and
// (with _GNU_SOURCE) pinning to one CPU.
#ifndef ASIS_TESTS_C_LIB_TEST_UTIL_H
#define ASIS_TESTS_C_LIB_TEST_UTIL_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void die(const char *what)
{
    const char *n = strerrorname_np(errno);
    printf("FAIL: %s: %s\n", what, n ? n : "?");
    exit(1);
}

static inline const char *yes(int b)
{
    return b ? "yes" : "no";
}

// Sleeps the whole time, even across signal handlers.
static inline void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

// One nanosleep of ms < 1000: a handled signal ends it early.
static inline void nap_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static inline long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

// Reads fd into buf (NUL-terminated, at most size - 1 bytes) until EOF, closes it, then
// waits for child pid and returns its wait status.
static inline int read_child_report(int fd, pid_t pid, char *buf, size_t size)
{
    size_t n = 0;
    long r;
    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += r;
    buf[n] = 0;
    close(fd);
    int st;
    waitpid(pid, &st, 0);
    return st;
}

// The scheduler state ('R', 'S', 'T', ...) that a /proc/.../stat file shows, or 0.
static inline char proc_stat_state(const char *stat_path)
{
    char buf[512];
    int fd = open(stat_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); // the command name may hold anything, even ')'
    return p && p[1] == ' ' ? p[2] : 0;
}

// The scheduler state of thread tid of this process, or 0.
static inline char task_state(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
    return proc_stat_state(path);
}

// Waits (at most ms) until cond() holds; returns whether it did.
static inline int wait_until(int (*cond)(void), int ms)
{
    long long end = now_ms() + ms;
    while (!cond()) {
        if (now_ms() > end)
            return 0;
        nap_ms(1);
    }
    return 1;
}

// fork() with stdout and stderr flushed first (the child must not print the parent's
// buffered output again); a failure ends the program.
static inline pid_t fork_flushed(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t c = fork();
    if (c < 0)
        die("fork");
    return c;
}

// Runs fn in a child of its own, so that a section that crashes still lets the others
// report; prints how the child ended unless it exited with status 0.
static inline void run_section(const char *name, void (*fn)(void))
{
    pid_t c = fork_flushed();
    if (c == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int st;
    if (waitpid(c, &st, 0) != c)
        die("waitpid");
    if (WIFSIGNALED(st))
        printf("%s: section killed by SIG%s\n", name, sigabbrev_np(WTERMSIG(st)));
    else if (WEXITSTATUS(st) != 0)
        printf("%s: section ended with exit status %d\n", name, WEXITSTATUS(st));
    fflush(stdout);
}

#ifdef _GNU_SOURCE
#include <sched.h>
// Moves the calling thread to cpu alone (a test that asks which CPU it runs on).
static inline void pin_to_cpu(int cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0)
        die("sched_setaffinity");
}
#endif

#endif
