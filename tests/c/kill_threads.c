// Signals between threads and to a child, sent with the raw calls kill, tgkill, tkill,
// rt_sigqueueinfo and rt_tgsigqueueinfo: which thread handles each one (a thread-directed
// signal waits for its thread to unblock it; a process-directed one runs on the only
// thread not blocking it, or on the first to unblock it), with which si_code, si_value
// and sender; the permission and argument errors of each call; a new thread (pthread and
// raw clone) and a forked child start with their creator's signal mask. Threads are
// numbered (0 is the main thread), and every arrival is printed.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/outcome.h"
#include "lib/signals.h"

#define NTHREADS 4 // the main thread and three workers

// "SIGUSR1", "SIGRTMIN+2" (signals.h's sig_name says "USR1", "RTMIN+2").
static const char *full_sig_name(int sig)
{
    static char buf[4][16];
    static int next;
    char *b = buf[next++ % 4];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(b, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(b, 16, "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    return b;
}

// ---------------------------------------------------------------------------- arrivals

static __thread int my_index; // 0: the main thread

struct arrival {
    int sig, thread, code, value;
    pid_t pid;
    uid_t uid;
};

static struct arrival arrivals[64];
static atomic_int claimed, published;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int i = atomic_fetch_add(&claimed, 1);
    if (i < 64) {
        arrivals[i] = (struct arrival){ sig, my_index, si->si_code, 0, si->si_pid, si->si_uid };
        if (si->si_code == SI_QUEUE)
            arrivals[i].value = si->si_value.sival_int;
    }
    atomic_fetch_add(&published, 1);
}

static sigset_t test_set; // SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN+1

static void install_handlers(void)
{
    struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
    sa.sa_mask = test_set; // one handler at a time per thread
    int sigs[] = { SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1 };
    for (int i = 0; i < 4; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0)
            die("sigaction");
}

static void print_arrival(const struct arrival *a, pid_t sender)
{
    printf("%s on thread %d, %s", full_sig_name(a->sig), a->thread, si_code_name(a->code));
    if (a->code == SI_QUEUE)
        printf(" value %d", a->value);
    printf(", %s", a->pid == sender ? "from the sender" : "from elsewhere");
    printf(", uid %s\n", a->uid == getuid() ? "ours" : "other");
}

static int seen; // arrivals printed so far

// Waits (at most 2 s) for n more arrivals, then prints what arrived. n == 0: gives a
// signal that should not arrive 50 ms to show up anyway.
static void expect(const char *what, int n)
{
    if (n == 0)
        sleep_ms(50);
    for (int i = 0; i < 2000 && atomic_load(&published) < seen + n; i++)
        sleep_ms(1);
    int now = atomic_load(&published);
    printf("%s:%s", what, now == seen ? " nothing\n" : "\n");
    for (; seen < now && seen < 64; seen++) {
        printf("  ");
        print_arrival(&arrivals[seen], getpid());
    }
    fflush(stdout);
}

// ---------------------------------------------------------------------------- workers

enum { CMD_BLOCK, CMD_UNBLOCK, CMD_TGKILL, CMD_TKILL, CMD_TGSIGQUEUE, CMD_QUEUE_AS_USER,
       CMD_TGQUEUE_AS_USER };

struct worker {
    pthread_t th;
    int index;
    atomic_int tid;
    atomic_int req, done; // command sequence numbers
    int cmd, sig, target, value;
    long result;
    int err;
    int handled_during; // arrivals while the command ran (a signal to itself)
    sigset_t start_mask;
    int spawned_inherited; // worker 1: did its own new thread get its (changed) mask?
};

static struct worker workers[NTHREADS];
static pid_t tids[NTHREADS];

static long futex(atomic_int *w, int op, int val, const struct timespec *ts)
{
    return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static sigset_t current_mask(void)
{
    sigset_t m;
    sigemptyset(&m);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static int same_mask(const sigset_t *a, const sigset_t *b)
{
    for (int s = 1; s < 65; s++)
        if (sigismember(a, s) != sigismember(b, s))
            return 0;
    return 1;
}

static void *report_mask(void *arg)
{
    *(sigset_t *)arg = current_mask();
    return NULL;
}

static void run_command(struct worker *w)
{
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, w->sig);
    siginfo_t si = queue_info(w->value);
    si.si_signo = w->sig;
    pid_t target = w->target >= 0 ? tids[w->target] : 0;
    int before = atomic_load(&published);
    errno = 0;
    switch (w->cmd) {
    case CMD_BLOCK: w->result = pthread_sigmask(SIG_BLOCK, &one, NULL); break;
    case CMD_UNBLOCK: w->result = pthread_sigmask(SIG_UNBLOCK, &one, NULL); break;
    case CMD_TGKILL: w->result = syscall(SYS_tgkill, getpid(), target, w->sig); break;
    case CMD_TKILL: w->result = syscall(SYS_tkill, target, w->sig); break;
    case CMD_TGSIGQUEUE:
        w->result = syscall(SYS_rt_tgsigqueueinfo, getpid(), target, w->sig, &si);
        break;
    case CMD_QUEUE_AS_USER: // si_code SI_USER from a thread that is not the leader
        si.si_code = SI_USER;
        w->result = syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si);
        break;
    case CMD_TGQUEUE_AS_USER:
        si.si_code = SI_USER;
        w->result = syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), 0, &si);
        break;
    }
    w->err = errno;
    w->handled_during = atomic_load(&published) - before;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    my_index = w->index;
    w->start_mask = current_mask();
    if (w->index == 1) {
        // A thread started by a worker gets the worker's mask, not the main thread's.
        sigset_t hup, mine, child;
        sigemptyset(&hup);
        sigaddset(&hup, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &hup, NULL);
        mine = current_mask();
        pthread_t t;
        pthread_create(&t, NULL, report_mask, &child);
        pthread_join(t, NULL);
        w->spawned_inherited = same_mask(&mine, &child) && sigismember(&child, SIGHUP);
        pthread_sigmask(SIG_UNBLOCK, &hup, NULL);
    }
    atomic_store(&w->tid, gettid());
    futex(&w->tid, FUTEX_WAKE_PRIVATE, 1, NULL);
    int done = 0;
    for (;;) {
        while (atomic_load(&w->req) == done)
            futex(&w->req, FUTEX_WAIT_PRIVATE, done, NULL);
        run_command(w);
        atomic_store(&w->done, ++done);
        futex(&w->done, FUTEX_WAKE_PRIVATE, 1, NULL);
    }
    return NULL;
}

// Has worker i run cmd; returns its result (errno in *err).
static long command(int i, int cmd, int sig, int target, int value, int *err)
{
    struct worker *w = &workers[i];
    w->cmd = cmd;
    w->sig = sig;
    w->target = target;
    w->value = value;
    int want = atomic_fetch_add(&w->req, 1) + 1;
    futex(&w->req, FUTEX_WAKE_PRIVATE, 1, NULL);
    struct timespec tick = { 0, 10000000 };
    for (int n = 0; atomic_load(&w->done) != want; n++) {
        if (n == 500) {
            printf("worker %d stuck\n", i);
            exit(1);
        }
        futex(&w->done, FUTEX_WAIT_PRIVATE, want - 1, &tick);
    }
    if (err)
        *err = w->err;
    return w->result;
}

static void worker_call(const char *what, int i, int cmd, int sig, int target, int value)
{
    int err;
    long r = command(i, cmd, sig, target, value, &err);
    show(what, r, err);
}

// ---------------------------------------------------------------------------- raw clone

static uint64_t raw_thread_mask;
static atomic_int raw_thread_tid;

// Runs on the raw thread: no TLS of its own, so raw system calls only.
static void raw_thread_body(void)
{
    register long r10 __asm__("r10") = 8;
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(SYS_rt_sigprocmask), "D"(SIG_BLOCK), "S"(0L), "d"(&raw_thread_mask),
                       "r"(r10)
                     : "rcx", "r11", "memory");
}

// clone(flags, stack, NULL, &raw_thread_tid, 0); the child calls body and exits.
static long raw_clone(void *stack_top, void (*body)(void))
{
    const long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                       CLONE_SYSVSEM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    register long r10 __asm__("r10") = (long)&raw_thread_tid;
    register long r8 __asm__("r8") = 0;
    register void (*r9)(void) __asm__("r9") = body;
    long r;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "call *%%r9\n\t"
                     "mov %[exit], %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(r)
                     : "a"(SYS_clone), "D"(flags), "S"(stack_top), "d"(0L), "r"(r10), "r"(r8),
                       "r"(r9), [exit] "i"(SYS_exit)
                     : "rcx", "r11", "memory");
    return r;
}

static void raw_clone_mask(const sigset_t *creator)
{
    size_t size = 64 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED)
        die("mmap");
    raw_thread_mask = ~0ULL;
    atomic_store(&raw_thread_tid, -1);
    long tid = raw_clone(stack + size, raw_thread_body);
    if (tid < 0) {
        printf("raw clone: %ld\n", tid);
        return;
    }
    int v;
    while ((v = atomic_load(&raw_thread_tid)) != 0)
        futex(&raw_thread_tid, FUTEX_WAIT, v, NULL); // CLONE_CHILD_CLEARTID wakes us
    munmap(stack, size);
    uint64_t want = 0;
    for (int s = 1; s < 65; s++)
        if (sigismember(creator, s))
            want |= 1ULL << (s - 1);
    printf("raw clone thread started with its creator's mask: %s\n",
           yes(raw_thread_mask == want));
}

// ---------------------------------------------------------------------------- the child

static int cmp_arrival(const void *a, const void *b)
{
    const struct arrival *x = a, *y = b;
    if (x->sig != y->sig)
        return x->sig - y->sig;
    return x->value - y->value;
}

static void to_child(void)
{
    printf("-- signals to a forked child\n");
    int go[2], report[2];
    if (pipe(go) != 0 || pipe(report) != 0)
        die("pipe");
    sigset_t parent_mask = current_mask();
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(go[1]);
        close(report[0]);
        atomic_store(&claimed, 0);
        atomic_store(&published, 0);
        sigset_t m = current_mask();
        dprintf(report[1], "child started with the parent's mask: %s\n",
                yes(same_mask(&m, &parent_mask)));
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(100);
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL); // the handlers run here
        int n = atomic_load(&published);
        if (n > 64)
            n = 64;
        qsort(arrivals, n, sizeof(arrivals[0]), cmp_arrival); // order is rt_queue.c's
        for (int i = 0; i < n; i++) {
            const struct arrival *a = &arrivals[i];
            dprintf(report[1], "  %s, %s", full_sig_name(a->sig), si_code_name(a->code));
            if (a->code == SI_QUEUE)
                dprintf(report[1], " value %d", a->value);
            dprintf(report[1], ", %s\n", a->pid == getppid() ? "from the parent" : "from elsewhere");
        }
        _exit(n);
    }
    close(go[0]);
    close(report[1]);

    siginfo_t si = queue_info(5);
    T("kill(child, SIGUSR1)", syscall(SYS_kill, child, SIGUSR1));
    T("rt_sigqueueinfo(child, SIGRTMIN, SI_QUEUE 5)",
      syscall(SYS_rt_sigqueueinfo, child, SIGRTMIN, &si));
    si.si_value.sival_int = 6;
    T("rt_sigqueueinfo(child, SIGRTMIN, SI_QUEUE 6)",
      syscall(SYS_rt_sigqueueinfo, child, SIGRTMIN, &si));
    T("tgkill(child, child, SIGUSR2)", syscall(SYS_tgkill, child, child, SIGUSR2));
    T("tkill(child, SIGRTMIN+1)", syscall(SYS_tkill, child, SIGRTMIN + 1));
    si.si_value.sival_int = 7;
    T("rt_tgsigqueueinfo(child, child, SIGRTMIN+1, SI_QUEUE 7)",
      syscall(SYS_rt_tgsigqueueinfo, child, child, SIGRTMIN + 1, &si));
    // Only a process may claim si_code >= 0 or SI_TKILL, and only towards itself.
    si.si_code = SI_USER;
    T("rt_sigqueueinfo(child, SIGUSR1, SI_USER)", syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &si));
    si.si_code = SI_TKILL;
    T("rt_sigqueueinfo(child, SIGUSR1, SI_TKILL)",
      syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &si));
    si.si_code = SI_KERNEL;
    T("rt_tgsigqueueinfo(child, child, SIGUSR1, SI_KERNEL)",
      syscall(SYS_rt_tgsigqueueinfo, child, child, SIGUSR1, &si));
    T("tgkill(child, a thread of ours, 0)", syscall(SYS_tgkill, child, tids[1], 0));
    if (write(go[1], "g", 1) != 1)
        die("write");

    char buf[2048];
    ssize_t len, total = 0;
    while ((len = read(report[0], buf + total, sizeof(buf) - 1 - total)) > 0)
        total += len;
    buf[total] = 0;
    printf("%s", buf);
    int status;
    waitpid(child, &status, 0);
    printf("child exit status (signals handled): %d\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(go[1]);
    close(report[0]);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    sigemptyset(&test_set);
    sigaddset(&test_set, SIGUSR1);
    sigaddset(&test_set, SIGUSR2);
    sigaddset(&test_set, SIGRTMIN);
    sigaddset(&test_set, SIGRTMIN + 1);
    install_handlers();
    pthread_sigmask(SIG_BLOCK, &test_set, NULL);
    sigset_t main_mask = current_mask();
    tids[0] = gettid();

    printf("-- new threads start with their creator's mask\n");
    for (int i = 1; i < NTHREADS; i++) {
        workers[i].index = i;
        atomic_store(&workers[i].tid, 0);
        if (pthread_create(&workers[i].th, NULL, worker_main, &workers[i]) != 0)
            die("pthread_create");
        while (atomic_load(&workers[i].tid) == 0)
            futex(&workers[i].tid, FUTEX_WAIT_PRIVATE, 0, NULL);
        tids[i] = atomic_load(&workers[i].tid);
        printf("thread %d started with the main thread's mask: %s\n", i,
               yes(same_mask(&workers[i].start_mask, &main_mask)));
    }
    printf("a thread started by thread 1 got thread 1's mask: %s\n",
           yes(workers[1].spawned_inherited));
    raw_clone_mask(&main_mask);

    printf("-- thread-directed: waits for its thread\n");
    T("tgkill(thread 2, SIGUSR1)", syscall(SYS_tgkill, getpid(), tids[2], SIGUSR1));
    expect("while every thread blocks it", 0);
    worker_call("thread 1 unblocks SIGUSR1", 1, CMD_UNBLOCK, SIGUSR1, -1, 0);
    expect("after thread 1 unblocked it", 0);
    worker_call("thread 2 unblocks SIGUSR1", 2, CMD_UNBLOCK, SIGUSR1, -1, 0);
    expect("after thread 2 unblocked it", 1);

    printf("-- process-directed: runs on the one thread not blocking it\n");
    worker_call("thread 2 blocks SIGUSR1", 2, CMD_BLOCK, SIGUSR1, -1, 0);
    T("kill(self, SIGUSR1)", syscall(SYS_kill, getpid(), SIGUSR1));
    expect("only thread 1 takes SIGUSR1", 1);
    siginfo_t si = queue_info(42);
    T("rt_sigqueueinfo(self, SIGUSR1, SI_QUEUE 42)",
      syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    expect("only thread 1 takes SIGUSR1", 1);
    worker_call("thread 1 blocks SIGUSR1", 1, CMD_BLOCK, SIGUSR1, -1, 0);
    T("kill(self, SIGUSR1)", syscall(SYS_kill, getpid(), SIGUSR1));
    expect("while every thread blocks it", 0);
    worker_call("thread 3 unblocks SIGUSR1", 3, CMD_UNBLOCK, SIGUSR1, -1, 0);
    expect("after thread 3 unblocked it", 1);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
    int before = atomic_load(&published);
    T("kill(self, SIGUSR2) with only thread 0 not blocking it", syscall(SYS_kill, getpid(), SIGUSR2));
    printf("handled before kill returned: %s\n", yes(atomic_load(&published) == before + 1));
    expect("SIGUSR2", 1);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);

    printf("-- between threads\n");
    worker_call("thread 3 unblocks SIGRTMIN", 3, CMD_UNBLOCK, SIGRTMIN, -1, 0);
    worker_call("thread 1: tgkill(thread 3, SIGRTMIN)", 1, CMD_TGKILL, SIGRTMIN, 3, 0);
    expect("SIGRTMIN", 1);
    worker_call("thread 2 unblocks SIGRTMIN+1", 2, CMD_UNBLOCK, SIGRTMIN + 1, -1, 0);
    worker_call("thread 3: tkill(thread 2, SIGRTMIN+1)", 3, CMD_TKILL, SIGRTMIN + 1, 2, 0);
    expect("SIGRTMIN+1", 1);
    worker_call("thread 1 unblocks SIGRTMIN", 1, CMD_UNBLOCK, SIGRTMIN, -1, 0);
    worker_call("thread 2: rt_tgsigqueueinfo(thread 1, SIGRTMIN, SI_QUEUE 99)", 2,
                CMD_TGSIGQUEUE, SIGRTMIN, 1, 99);
    expect("SIGRTMIN", 1);
    worker_call("thread 1: tgkill(itself, SIGRTMIN)", 1, CMD_TGKILL, SIGRTMIN, 1, 0);
    printf("handled before tgkill returned: %s\n", yes(workers[1].handled_during == 1));
    expect("SIGRTMIN", 1);
    worker_call("thread 3: tgkill(thread 0, SIGUSR2)", 3, CMD_TGKILL, SIGUSR2, 0, 0);
    expect("while thread 0 blocks it", 0);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
    expect("after thread 0 unblocked it", 1);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);

    printf("-- errors\n");
    T("tgkill(self, thread 1, 0)", syscall(SYS_tgkill, getpid(), tids[1], 0));
    T("tgkill(self, thread 1, 65)", syscall(SYS_tgkill, getpid(), tids[1], 65));
    T("tgkill(self, 0, SIGUSR1)", syscall(SYS_tgkill, getpid(), 0, SIGUSR1));
    T("tgkill(self, -1, SIGUSR1)", syscall(SYS_tgkill, getpid(), -1, SIGUSR1));
    T("tgkill(0, thread 1, SIGUSR1)", syscall(SYS_tgkill, 0, tids[1], SIGUSR1));
    T("tgkill(parent, thread 1, 0)", syscall(SYS_tgkill, getppid(), tids[1], 0));
    T("tgkill(self, no such thread, 0)", syscall(SYS_tgkill, getpid(), 0x3fffffff, 0));
    T("tkill(thread 1, 0)", syscall(SYS_tkill, tids[1], 0));
    T("tkill(-1, 0)", syscall(SYS_tkill, -1, 0));
    T("tkill(0, 0)", syscall(SYS_tkill, 0, 0));
    T("tkill(thread 1, -1)", syscall(SYS_tkill, tids[1], -1));
    T("tkill(no such thread, 0)", syscall(SYS_tkill, 0x3fffffff, 0));
    T("kill(self, 65)", syscall(SYS_kill, getpid(), 65));
    T("kill(no such process, 0)", syscall(SYS_kill, 0x3fffffff, 0));
    T("kill(INT_MIN, 0)", syscall(SYS_kill, (int)0x80000000, 0));
    si.si_code = SI_USER;
    T("rt_sigqueueinfo(self, 0, SI_USER) from thread 0",
      syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si));
    T("rt_tgsigqueueinfo(self, thread 0, 0, SI_USER) from thread 0",
      syscall(SYS_rt_tgsigqueueinfo, getpid(), tids[0], 0, &si));
    worker_call("rt_sigqueueinfo(self, 0, SI_USER) from thread 1", 1, CMD_QUEUE_AS_USER, 0,
                -1, 0);
    worker_call("rt_tgsigqueueinfo(self, thread 1, 0, SI_USER) from thread 1", 1,
                CMD_TGQUEUE_AS_USER, 0, -1, 0);
    si.si_code = SI_QUEUE;
    T("rt_sigqueueinfo(self, 65, SI_QUEUE)", syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si));
    T("rt_sigqueueinfo(self, SIGUSR1, bad pointer)",
      syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)8));
    T("rt_tgsigqueueinfo(self, thread 1, SIGUSR1, bad pointer)",
      syscall(SYS_rt_tgsigqueueinfo, getpid(), tids[1], SIGUSR1, (void *)8));
    T("rt_tgsigqueueinfo(self, 0, SIGUSR1)", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si));
    expect("none of these delivered anything", 0);

    to_child();
    return 0;
}
