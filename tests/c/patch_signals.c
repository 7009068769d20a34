// Signals around glibc's own syscall sites (the ones a binary patcher rewrites), reached
// through libc wrappers and syscall(): a SIGALRM from setitimer interrupts a blocking
// pipe read, accept on a listening Unix socket and the open of a FIFO with no writer,
// with SA_RESTART (the call completes once a second thread supplies what it waits for)
// and without (EINTR, then the call again); a signal sent to the calling thread itself
// (tgkill through syscall(), raise, kill, pthread_kill) has run its handler when the
// call returns. Every handler checks the rip of its frame against the executable
// mappings of the program's own file, read from /proc/self/maps beforehand: an
// interrupted call is reported at the site (or just after it), never inside code the
// program does not have. The executable mappings that are neither the program's file nor
// [vdso]/[vsyscall] are counted (none natively, and none under asis: its own code is
// not the program's to see).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include "lib/test_util.h"

// ---------------------------------------------------------------------------- the maps

#define MAX_TEXT 16

static uintptr_t text_lo[MAX_TEXT], text_hi[MAX_TEXT];
static int n_text;

// Reads /proc/self/maps: keeps the executable ranges of the program's own file and
// returns how many executable mappings are something else (not [vdso]/[vsyscall]).
static int scan_maps(int keep)
{
    char exe[4096], line[4096 + 128];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        die("readlink /proc/self/exe");
    exe[n] = 0;
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        die("/proc/self/maps");
    int foreign = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char perms[8];
        int path_at = 0;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3)
            continue;
        if (!strchr(perms, 'x'))
            continue;
        const char *path = path_at ? line + path_at : "";
        if (strcmp(path, exe) == 0) {
            if (keep && n_text < MAX_TEXT) {
                text_lo[n_text] = lo;
                text_hi[n_text++] = hi;
            }
        } else if (strcmp(path, "[vdso]") != 0 && strcmp(path, "[vsyscall]") != 0) {
            foreign++;
        }
    }
    fclose(f);
    return foreign;
}

// ---------------------------------------------------------------------------- handlers

static volatile sig_atomic_t handled;
static volatile sig_atomic_t rip_outside; // handler frames whose rip is not program text

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    uintptr_t rip = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
    int inside = 0;
    for (int i = 0; i < n_text; i++)
        inside |= rip >= text_lo[i] && rip < text_hi[i];
    if (!inside)
        rip_outside++;
    handled++;
}

static void install(int sig, int restart)
{
    struct sigaction sa = { .sa_sigaction = on_signal,
                            .sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0) };
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        die("sigaction");
}

// ---------------------------------------------------------------------------- SIGALRM

struct blocking_case {
    const char *name;
    long (*call)(void);     // blocks; -1 and errno on failure
    void (*complete)(void); // run by the helper thread: lets the call finish
    void (*check)(long r);  // prints what the successful call gave
};

static pid_t main_tid;
static atomic_int call_done;
static const struct blocking_case *current;

static int done(void) { return atomic_load(&call_done); }
static int asleep_or_done(void) { return done() || task_state(main_tid) == 'S'; }
static int handler_ran_or_done(void) { return done() || handled > 0; }

// Once the main thread sleeps in the call, arms a 1 ms one-shot ITIMER_REAL: its
// process-directed SIGALRM can only go to the main thread, since this one blocks it.
// Completes the call once the handler ran and the call sleeps again or has returned.
static void *helper(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    if (!wait_until(asleep_or_done, 5000) || done())
        printf("%s: the call did not block\n", current->name);
    struct itimerval it = { .it_value = { 0, 1000 } };
    if (setitimer(ITIMER_REAL, &it, NULL) != 0)
        die("setitimer");
    if (!wait_until(handler_ran_or_done, 5000))
        printf("%s: no SIGALRM\n", current->name);
    wait_until(asleep_or_done, 5000);
    current->complete();
    return NULL;
}

static void run(const struct blocking_case *c, int restart)
{
    install(SIGALRM, restart);
    handled = 0;
    rip_outside = 0;
    atomic_store(&call_done, 0);
    current = c;
    main_tid = gettid();
    pthread_t th;
    if (pthread_create(&th, NULL, helper, NULL) != 0)
        die("pthread_create");
    errno = 0;
    long r = c->call();
    int err = errno;
    atomic_store(&call_done, 1);
    printf("%s, %s: ", c->name, restart ? "SA_RESTART" : "no SA_RESTART");
    if (r == -1) {
        printf("%s, again: ", strerrorname_np(err) ? strerrorname_np(err) : "?");
        errno = 0;
        r = c->call(); // no timer armed now: completes when the helper lets it
        err = errno;
    }
    pthread_join(th, NULL);
    if (r == -1)
        printf("%s", strerrorname_np(err) ? strerrorname_np(err) : "?");
    else
        c->check(r);
    printf(" (handler ran %d, rip in program text: %s)\n", (int)handled, yes(rip_outside == 0));
    fflush(stdout);
}

// A pipe read, through read() and through syscall().
static int pfd[2];
static const char pipe_data[] = "pipe data";

static long libc_read(void)
{
    static char buf[64];
    long r = read(pfd[0], buf, sizeof(buf));
    return r == (long)sizeof(pipe_data) && !memcmp(buf, pipe_data, r) ? r : (r < 0 ? r : -2);
}

static long raw_read(void)
{
    static char buf[64];
    long r = syscall(SYS_read, pfd[0], buf, sizeof(buf));
    return r == (long)sizeof(pipe_data) && !memcmp(buf, pipe_data, r) ? r : (r < 0 ? r : -2);
}

static void pipe_write(void)
{
    if (write(pfd[1], pipe_data, sizeof(pipe_data)) != (long)sizeof(pipe_data))
        die("write");
}

static void show_read(long r) { printf("%s", r == -2 ? "wrong data" : "the data"); }

// accept on a listening Unix socket, through accept() and syscall(SYS_accept4).
static int listener, connector = -1;
static struct sockaddr_un sock_addr;

static long libc_accept(void) { return accept(listener, NULL, NULL); }

static long raw_accept(void)
{
    return syscall(SYS_accept4, listener, NULL, NULL, SOCK_CLOEXEC);
}

static void do_connect(void)
{
    connector = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connector < 0 || connect(connector, (struct sockaddr *)&sock_addr, sizeof(sock_addr)) != 0)
        die("connect");
}

static void show_accept(long fd)
{
    // The accepted socket is the other end of the helper's connection.
    int ok = write(connector, "u", 1) == 1;
    char c = 0;
    ok = ok && read(fd, &c, 1) == 1 && c == 'u';
    printf("a connected socket: %s", yes(ok));
    close(fd);
    close(connector);
    connector = -1;
}

// open of a FIFO that has no writer yet, through open() and syscall(SYS_openat).
static char fifo_path[64];
static const char fifo_data[] = "fifo data";

static long libc_open_fifo(void) { return open(fifo_path, O_RDONLY | O_CLOEXEC); }

static long raw_open_fifo(void)
{
    return syscall(SYS_openat, AT_FDCWD, fifo_path, O_RDONLY | O_CLOEXEC);
}

// Blocks until a reader opens the FIFO (the restarted open, or the second one after
// EINTR), then writes and closes.
static void fifo_writer(void)
{
    int fd = open(fifo_path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        die("open fifo for writing");
    if (write(fd, fifo_data, sizeof(fifo_data)) != (long)sizeof(fifo_data))
        die("write fifo");
    close(fd);
}

static void show_fifo(long fd)
{
    char buf[64];
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof(buf) - n)) > 0)
        n += r;
    printf("the writer's data: %s", yes(n == (long)sizeof(fifo_data) && !memcmp(buf, fifo_data, n)));
    close(fd);
}

static const struct blocking_case cases[] = {
    { "pipe read, read()", libc_read, pipe_write, show_read },
    { "pipe read, syscall(SYS_read)", raw_read, pipe_write, show_read },
    { "accept, accept()", libc_accept, do_connect, show_accept },
    { "accept, syscall(SYS_accept4)", raw_accept, do_connect, show_accept },
    { "FIFO open, open()", libc_open_fifo, fifo_writer, show_fifo },
    { "FIFO open, syscall(SYS_openat)", raw_open_fifo, fifo_writer, show_fifo },
};

// ---------------------------------------------------------------------------- to self

#define SELF_ROUNDS 5000

static void send_tgkill(void) { syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1); }
static void send_raise(void) { raise(SIGUSR1); }
static void send_kill(void) { kill(getpid(), SIGUSR1); }
static void send_pthread_kill(void) { pthread_kill(pthread_self(), SIGUSR1); }

// The handler must have run by the time the sending call returns.
static void to_self(const char *name, void (*send)(void))
{
    int late = 0;
    handled = 0;
    rip_outside = 0;
    for (int i = 0; i < SELF_ROUNDS; i++) {
        int before = handled;
        send();
        late += handled != before + 1;
    }
    printf("%s to self: %d sent, handled %d, late %d, rip in program text: %s\n", name,
           SELF_ROUNDS, (int)handled, late, yes(rip_outside == 0));
    fflush(stdout);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    printf("foreign executable mappings at start: %d\n", scan_maps(1));
    printf("program text found: %s\n", yes(n_text > 0));

    if (pipe2(pfd, O_CLOEXEC) != 0)
        die("pipe2");
    char dir[] = "/tmp/patch_signals.XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp");
    snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", dir);
    if (mkfifo(fifo_path, 0600) != 0)
        die("mkfifo");
    sock_addr.sun_family = AF_UNIX;
    snprintf(sock_addr.sun_path, sizeof(sock_addr.sun_path), "%s/sock", dir);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&sock_addr, sizeof(sock_addr)) != 0 ||
        listen(listener, 4) != 0)
        die("listen");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run(&cases[i], 1);
        run(&cases[i], 0);
    }

    install(SIGUSR1, 0);
    to_self("tgkill via syscall()", send_tgkill);
    to_self("raise", send_raise);
    to_self("kill", send_kill);
    to_self("pthread_kill", send_pthread_kill);

    printf("foreign executable mappings at the end: %d\n", scan_maps(0));

    close(listener);
    unlink(sock_addr.sun_path);
    unlink(fifo_path);
    rmdir(dir);
    return 0;
}
