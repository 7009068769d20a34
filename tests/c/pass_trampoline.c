// A blocking syscall that asis passes to the host, seen from the app at each point where
// it can end: returned normally, interrupted by a handler without SA_RESTART (EINTR)
// and with it (restarted), nanosleep's remaining time, and a stop and continue in the
// middle of a timed sleep (it resumes to its first deadline; a SIGCONT handler ends it
// with EINTR). At each point the registers a raw `syscall` leaves (rcx the return
// address, r11 the flags) and those the handler's frame holds (rip, rax, rcx, r11 and
// the arguments) are what Linux gives. Signals come from a child process once the call
// sleeps (state S in /proc), so every wait is short and bounded.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/signals.h"

// ---------------------------------------------------------------------------- helpers

// "EINTR", or the value when r is not negative.
static const char *err_name(long r, int err)
{
    static char buf[4][24];
    static int next;
    if (r >= 0) {
        char *b = buf[next++ % 4];
        snprintf(b, sizeof(buf[0]), "%ld", r);
        return b;
    }
    const char *n = strerrorname_np(err);
    return n ? n : "?";
}

// The scheduler state of process pid's main thread ('R', 'S', 'T', ...), or 0.
static char proc_state(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    return proc_stat_state(path);
}

// What the caller and its signalling child share.
struct shared {
    atomic_int handled;   // handler runs
    atomic_int calling;   // the call under test is about to be made
    atomic_int returned;  // ... and has returned
    long long deadline;   // when the timed call should end (CLOCK_MONOTONIC, ms)
    atomic_llong cont_ms; // when SIGCONT was sent
    pid_t pid;            // the caller
};

static struct shared *sh;

static void shared_reset(void)
{
    memset(sh, 0, sizeof(*sh));
    sh->pid = getpid();
}

// Waits at most ms until the caller sleeps in the call (or has returned), or is in
// state want_state; returns whether it did.
static int wait_state(char want_state, int ms)
{
    long long end = now_ms() + ms;
    for (;;) {
        if (atomic_load(&sh->returned))
            return 0;
        if (atomic_load(&sh->calling) && proc_state(sh->pid) == want_state)
            return 1;
        if (now_ms() > end)
            return 0;
        nap_ms(1);
    }
}

static void wait_handled(int ms)
{
    long long end = now_ms() + ms;
    while (!atomic_load(&sh->handled) && !atomic_load(&sh->returned) && now_ms() < end)
        nap_ms(1);
}

// Forks the child that signals the caller; it runs fn and exits.
static pid_t sender(void (*fn)(int), int arg)
{
    fflush(stdout);
    pid_t c = fork();
    if (c < 0)
        die("fork");
    if (c == 0) {
        fn(arg);
        _exit(0);
    }
    return c;
}

static void reap(pid_t c)
{
    int st;
    waitpid(c, &st, 0);
}

// ---------------------------------------------------------------------------- the raw call

extern char after_syscall[];

struct regs {
    long ret;
    long rcx;   // relative to after_syscall
    long r11;   // the flags, RF cleared
    long flags; // before the call, RF cleared
};

#define RF 0x10000L

__attribute__((noinline)) static struct regs raw_call(long nr, long a1, long a2, long a3)
{
    struct regs o;
    long rcx, flags;
    register long r10 __asm__("r10") = 0;
    register long r11 __asm__("r11");
    __asm__ volatile("pushfq\n\t"
                     "pop %[fl]\n\t"
                     "syscall\n"
                     "after_syscall:\n\t"
                     : "=a"(o.ret), "=c"(rcx), "=r"(r11), [fl] "=&r"(flags), "+r"(r10)
                     : "0"(nr), "D"(a1), "S"(a2), "d"(a3)
                     : "memory", "cc");
    o.rcx = rcx - (long)after_syscall;
    o.r11 = r11 & ~RF;
    o.flags = flags & ~RF;
    return o;
}

// What the handler found in its frame.
static volatile long h_rip, h_rax, h_rcx, h_r11, h_rdi, h_rdx;

static void frame_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    h_rip = g[REG_RIP] - (long)after_syscall;
    h_rax = g[REG_RAX];
    h_rcx = g[REG_RCX] - (long)after_syscall;
    h_r11 = g[REG_R11] & ~RF;
    h_rdi = g[REG_RDI];
    h_rdx = g[REG_RDX];
    atomic_fetch_add(&sh->handled, 1);
}

static void print_return(const char *what, struct regs o)
{
    printf("%s: -> %s, rcx the return address %s, r11 the flags %s\n", what,
           err_name(o.ret, (int)-o.ret), yes(o.rcx == 0), yes(o.r11 == o.flags));
}

static void print_frame(const char *what, struct regs o, long fd, long count)
{
    printf("%s: handler runs %d, frame rip %s, rax %s, rcx the return address %s, r11 the "
           "flags %s, arguments intact %s\n",
           what, atomic_load(&sh->handled),
           h_rip == 0 ? "the return address" : h_rip == -2 ? "the syscall instruction" : "?",
           h_rax == -EINTR ? "-EINTR" : h_rax == SYS_read ? "the call number" : "?",
           yes(h_rcx == 0), yes(h_r11 == o.flags), yes(h_rdi == fd && h_rdx == count));
}

// ---------------------------------------------------------------------------- interrupted reads

static int pipe_w;

// SIGUSR1 once the read sleeps; with restart set, a byte once the restarted read sleeps.
static void kick_read(int restart)
{
    wait_state('S', 2000);
    kill(sh->pid, SIGUSR1);
    if (restart) {
        wait_handled(2000);
        wait_state('S', 2000);
        if (write(pipe_w, "y", 1) != 1)
            _exit(1);
    }
}

static void reads(void)
{
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pipe_w = p[1];
    char b[4];

    if (write(p[1], "x", 1) != 1)
        die("write");
    print_return("read with data", raw_call(SYS_read, p[0], (long)b, 1));

    for (int restart = 0; restart < 2; restart++) {
        const char *what = restart ? "read, SA_RESTART handler" : "read, handler";
        on(SIGUSR1, frame_handler, restart ? SA_RESTART : 0, 0);
        shared_reset();
        pid_t c = sender(kick_read, restart);
        atomic_store(&sh->calling, 1);
        struct regs o = raw_call(SYS_read, p[0], (long)b, 1);
        atomic_store(&sh->returned, 1);
        print_return(what, o);
        print_frame(what, o, p[0], 1);
        reap(c);
    }
    close(p[0]);
    close(p[1]);
}

// ---------------------------------------------------------------------------- nanosleep

static void kick_sleep(int unused)
{
    (void)unused;
    wait_state('S', 2000);
    kill(sh->pid, SIGUSR1);
}

// nanosleep of 2 s ends with EINTR and its remaining time, SA_RESTART or not.
static void sleeps(void)
{
    for (int restart = 0; restart < 2; restart++) {
        const char *what = restart ? "nanosleep, SA_RESTART handler" : "nanosleep, handler";
        on(SIGUSR1, frame_handler, restart ? SA_RESTART : 0, 0);
        shared_reset();
        struct timespec ts = { 2, 0 }, rem = { -1, -1 };
        pid_t c = sender(kick_sleep, 0);
        atomic_store(&sh->calling, 1);
        struct regs o = raw_call(SYS_nanosleep, (long)&ts, (long)&rem, 0);
        atomic_store(&sh->returned, 1);
        print_return(what, o);
        // The timer's slack (50 us) can leave a little more than was asked.
        long long rem_ns = rem.tv_sec * 1000000000LL + rem.tv_nsec;
        printf("%s: remaining between 1 s and the 2 s asked %s\n", what,
               yes(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L && rem_ns > 1000000000LL
                   && rem_ns <= 2001000000LL));
        print_frame(what, o, (long)&ts, 0);
        reap(c);
    }
}

// ---------------------------------------------------------------------------- stop and continue

enum { SLEEP_MS = 1000 }; // long enough that scheduling delays under load stay far below SLEEP_MS / 2

static int cont_at_once;

// SIGSTOP once the call sleeps; SIGCONT once stopped, either at once or after the
// call's deadline has passed.
static void stop_then_cont(int unused)
{
    (void)unused;
    wait_state('S', 2000);
    kill(sh->pid, SIGSTOP);
    wait_state('T', 2000);
    if (!cont_at_once)
        while (now_ms() < sh->deadline + 20)
            nap_ms(2);
    atomic_store(&sh->cont_ms, now_ms());
    kill(sh->pid, SIGCONT);
}

static void cont_handler(int sig)
{
    (void)sig;
    atomic_fetch_add(&sh->handled, 1);
}

static const char *const stop_names[] = { "nanosleep", "clock_nanosleep", "futex wait" };

static void stopped_call(int which)
{
    static uint32_t word;
    shared_reset();
    struct timespec ts = { 0, SLEEP_MS * 1000000L };
    long long start = now_ms();
    sh->deadline = start + SLEEP_MS;
    pid_t c = sender(stop_then_cont, 0);
    atomic_store(&sh->calling, 1);
    long r;
    if (which == 0)
        r = syscall(SYS_nanosleep, &ts, NULL);
    else if (which == 1)
        r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
    else
        r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    int err = errno;
    long long end = now_ms();
    atomic_store(&sh->returned, 1);
    reap(c);
    if (cont_at_once) {
        printf("stop_cont: %s, SIGCONT handler: -> %s, handler runs %d\n", stop_names[which],
               err_name(r, err), atomic_load(&sh->handled));
        return;
    }
    // Resumed, the call ends at its first deadline, which passed while it was stopped:
    // at once. Restarted from the start, it would sleep SLEEP_MS more.
    long long after_cont = end - atomic_load(&sh->cont_ms);
    printf("stop_cont: %s: -> %s, slept at least the time asked %s, ended soon after "
           "SIGCONT %s\n",
           stop_names[which], err_name(r, err), yes(end - start >= SLEEP_MS),
           yes(after_cont < SLEEP_MS / 2));
}

// In a child: the stops would otherwise be reported to whoever runs this program.
static void stop_cont(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c < 0)
        die("fork");
    if (c == 0) {
        for (int which = 0; which < 3; which++)
            stopped_call(which);
        signal(SIGCONT, cont_handler);
        cont_at_once = 1;
        stopped_call(0);
        stopped_call(2);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("stop_cont: child status 0x%x\n", st);
}

int main(void)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    reads();
    sleeps();
    stop_cont();
    return 0;
}
