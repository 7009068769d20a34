/*
 * measure: run a command N times and report the median wall time and the peak RSS.
 *
 *   measure [-n RUNS] [-w WARMUP] [-t TIMEOUT_S] [-o FILE] -- PROGRAM [ARGS...]
 *
 * Each run is fork + execve + wait4, timed with CLOCK_MONOTONIC from just before the
 * fork to just after wait4 returns, so start-up and tear-down are included. The peak
 * RSS is the largest ru_maxrss that wait4 reports over the counted runs (KiB; for a
 * program that execs another, the kernel keeps the larger of the two images).
 *
 * Any run that does not exit with status 0 (nonzero exit, signal, timeout, execve
 * failure) makes measure say so on stderr and exit 1: a benchmark that fails must not
 * produce a number. The child inherits stdin/stdout/stderr and the environment.
 *
 * One summary line goes to stderr (or to FILE with -o):
 *   runs=N median_ns=.. min_ns=.. max_ns=.. max_rss_kib=.. exit=0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The child being waited for; the SIGALRM handler kills it on timeout. */
static volatile pid_t current_child;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    if (current_child > 0)
        kill(current_child, SIGKILL);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-t TIMEOUT_S] [-o FILE] "
                    "-- PROGRAM [ARGS...]\n");
    exit(2);
}

/* Runs argv once. Returns 0 and fills *ns and *rss_kib on a clean exit 0, else
 * reports the failure on stderr and returns -1. */
static int run_once(char **argv, unsigned timeout_s, int run_no, long long *ns,
                    long *rss_kib)
{
    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "measure: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* execve resets our SIGALRM handler; the alarm is armed only in the parent. */
        execve(argv[0], argv, environ);
        fprintf(stderr, "measure: execve %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    current_child = pid;
    timed_out = 0;
    if (timeout_s)
        alarm(timeout_s);

    int status;
    struct rusage ru;
    pid_t w;
    do {
        w = wait4(pid, &status, 0, &ru);
    } while (w < 0 && errno == EINTR);
    long long t1 = now_ns();
    alarm(0);
    current_child = 0;
    if (w < 0) {
        fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
        return -1;
    }

    if (timed_out) {
        fprintf(stderr, "measure: run %d of %s: timed out after %u s (killed)\n",
                run_no, argv[0], timeout_s);
        return -1;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "measure: run %d of %s: killed by signal %d (%s)%s\n", run_no,
                argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)),
                WCOREDUMP(status) ? ", core dumped" : "");
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "measure: run %d of %s: exit status %d\n", run_no, argv[0],
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    *ns = t1 - t0;
    *rss_kib = ru.ru_maxrss;
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 5, warmup = 0;
    unsigned timeout_s = 0;
    const char *out_path = NULL;
    int opt;

    while ((opt = getopt(argc, argv, "+n:w:t:o:")) != -1) {
        switch (opt) {
        case 'n': runs = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 't': timeout_s = (unsigned)atoi(optarg); break;
        case 'o': out_path = optarg; break;
        default: usage();
        }
    }
    if (optind >= argc || runs < 1 || warmup < 0)
        usage();
    char **cmd = argv + optind;

    /* No SA_RESTART: the alarm must interrupt wait4 only to let the handler kill the
     * child; the loop above then waits again and reaps it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    long long *ns = calloc((size_t)runs, sizeof *ns);
    if (!ns) {
        fprintf(stderr, "measure: out of memory\n");
        return 1;
    }
    long max_rss = 0;

    for (int i = 0; i < warmup + runs; i++) {
        long long t;
        long rss;
        /* Flush so the children's output and ours do not interleave oddly. */
        fflush(NULL);
        if (run_once(cmd, timeout_s, i + 1, &t, &rss) != 0) {
            fprintf(stderr, "measure: FAILED:");
            for (char **a = cmd; *a; a++)
                fprintf(stderr, " %s", *a);
            fputc('\n', stderr);
            return 1;
        }
        if (i < warmup)
            continue;
        ns[i - warmup] = t;
        if (rss > max_rss)
            max_rss = rss;
    }

    qsort(ns, (size_t)runs, sizeof *ns, cmp_ll);
    /* Median; for an even count, the mean of the two middle values. */
    long long median = (runs % 2) ? ns[runs / 2] : (ns[runs / 2 - 1] + ns[runs / 2]) / 2;

    FILE *out = stderr;
    if (out_path) {
        out = fopen(out_path, "w");
        if (!out) {
            fprintf(stderr, "measure: %s: %s\n", out_path, strerror(errno));
            return 1;
        }
    }
    fprintf(out, "runs=%d median_ns=%lld min_ns=%lld max_ns=%lld max_rss_kib=%ld exit=0\n",
            runs, median, ns[0], ns[runs - 1], max_rss);
    if (out != stderr && fclose(out) != 0) {
        fprintf(stderr, "measure: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    free(ns);
    return 0;
}
