// A blocking call interrupted by a handled signal, with the handler installed with and
// without SA_RESTART (man 7 signal). A helper thread waits until the main thread is
// surely asleep in the call (its /proc/self/task/TID/stat says S), sends it SIGUSR1 with
// tgkill, waits for the handler and, if the call was restarted, for the thread to sleep
// again, then does what lets the call complete (writes to the pipe, lets the child exit,
// wakes the futex, connects, opens the FIFO for writing, unlocks). Restartable calls
// complete with SA_RESTART and fail with EINTR without it; nanosleep, clock_nanosleep,
// poll, select, epoll_wait, pause, sigsuspend, sigtimedwait, a futex wait with a timeout
// and a socket read with SO_RCVTIMEO fail with EINTR either way; a write interrupted
// after it wrote something returns its count either way.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/test_util.h"

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

// The scheduler state of a thread of this process ('R', 'S', ...), or 0.
// ---------------------------------------------------------------------------- one case

struct blocking_case {
    const char *name;
    long (*call)(void);          // the blocking call; -1 with errno on failure
    void (*complete)(void);      // lets the call finish (may be NULL); must not block
    void (*show_result)(long r); // prints a success result (NULL: print r)
};

static pid_t main_tid;
static long last_result; // what the call returned, for the cleanup (accepted fd, ...)
static atomic_int call_done;
static const struct blocking_case *current;

static int done(void) { return atomic_load(&call_done); }
static int asleep_or_done(void) { return done() || task_state(main_tid) == 'S'; }
static int handler_ran_or_done(void) { return done() || handled > 0; }

static void *helper(void *arg)
{
    (void)arg;
    // Only the main thread may take SIGUSR1 (tgkill names it anyway).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);

    if (!wait_until(asleep_or_done, 5000) || done()) {
        printf("%s: the call did not block\n", current->name);
        fflush(stdout);
    }
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    wait_until(handler_ran_or_done, 5000);
    // Restarted: complete only once the call sleeps again (a futex value changed before
    // the restart would make FUTEX_WAIT fail with EAGAIN instead).
    wait_until(asleep_or_done, 5000);
    if (current->complete)
        current->complete();
    if (!wait_until(done, 5000)) {
        printf("%s: stuck\n", current->name);
        fflush(stdout);
        _exit(1);
    }
    return NULL;
}

static void run(const struct blocking_case *c, int restart)
{
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    atomic_store(&call_done, 0);
    current = c;
    main_tid = gettid();

    pthread_t th;
    if (pthread_create(&th, NULL, helper, NULL) != 0)
        die("pthread_create");
    errno = 0;
    long r = c->call();
    int err = errno;
    last_result = r;
    atomic_store(&call_done, 1);
    pthread_join(th, NULL);

    printf("%s, %s: ", c->name, restart ? "SA_RESTART" : "no SA_RESTART");
    if (r == -1) {
        const char *n = strerrorname_np(err);
        printf("-1 %s", n ? n : "?");
    } else if (c->show_result) {
        c->show_result(r);
    } else {
        printf("%ld", r);
    }
    printf(" (handler ran %d)\n", (int)handled);
    fflush(stdout);
}

// ---------------------------------------------------------------------------- the calls

static int p[2]; // a pipe, made anew for each case that uses one
static char big[3 * 65536];

static void new_pipe(void)
{
    if (pipe2(p, O_CLOEXEC) != 0)
        die("pipe2");
    if (fcntl(p[1], F_SETPIPE_SZ, 65536) != 65536)
        die("F_SETPIPE_SZ");
}

static void close_pipe(void)
{
    close(p[0]);
    close(p[1]);
}

static void drain_pipe(void)
{
    static char buf[65536];
    int fl = fcntl(p[0], F_GETFL);
    fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    fcntl(p[0], F_SETFL, fl);
}

static void fill_pipe(void)
{
    int fl = fcntl(p[1], F_GETFL);
    fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
    while (write(p[1], big, sizeof(big)) > 0)
        ;
    fcntl(p[1], F_SETFL, fl);
}

static long pipe_read(void)
{
    char c[8];
    return syscall(SYS_read, p[0], c, sizeof(c));
}

static void pipe_put_byte(void)
{
    if (write(p[1], "x", 1) != 1)
        die("write");
}

static long pipe_write_one(void) { return syscall(SYS_write, p[1], "y", 1); }

static long pipe_write_big(void) { return syscall(SYS_write, p[1], big, sizeof(big)); }

static void show_partial(long r) { printf("%ld (the pipe's size: %s)", r, r == 65536 ? "yes" : "no"); }

// wait4 on a child that exits with status 7 once it reads a byte from the pipe.
static pid_t child;

static long wait_child(void)
{
    int status = 0;
    long r = syscall(SYS_wait4, child, &status, 0, NULL);
    if (r == child)
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + status;
    return r == -1 ? -1 : -2;
}

static void show_wait(long r)
{
    if (r == -2)
        printf("another pid");
    else
        printf("the child, exit status %ld", r);
}

static void start_child(void)
{
    new_pipe();
    fflush(stdout);
    child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        char c;
        close(p[1]);
        _exit(read(p[0], &c, 1) == 1 ? 7 : 8);
    }
}

static void reap_child(void)
{
    if (child > 0)
        waitpid(child, NULL, 0);
    child = 0;
    close_pipe();
}

static atomic_int futex_word;

static long futex_wait(void)
{
    return syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static long futex_wait_timeout(void)
{
    struct timespec ts = { 10, 0 };
    return syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

static void futex_wake(void)
{
    atomic_store(&futex_word, 1);
    syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static int listener;
static int connector = -1;

static long do_accept(void) { return syscall(SYS_accept, listener, NULL, NULL); }

static void do_connect(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    getsockname(listener, (struct sockaddr *)&a, &len);
    connector = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connector < 0 || connect(connector, (struct sockaddr *)&a, len) != 0)
        die("connect");
}

static void show_fd(long r) { printf("a descriptor"); (void)r; }

static char fifo_path[64];
static int fifo_writer = -1;

static long open_fifo(void) { return syscall(SYS_openat, AT_FDCWD, fifo_path, O_RDONLY | O_CLOEXEC); }

static void open_fifo_writer(void)
{
    // O_NONBLOCK: never blocks; ENXIO when the reader has given up (no SA_RESTART).
    fifo_writer = open(fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

static int lock_fd[2];

static long flock_blocked(void) { return syscall(SYS_flock, lock_fd[1], LOCK_EX); }
static void flock_release(void) { flock(lock_fd[0], LOCK_UN); }

static long ofd_lock_blocked(void)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    return syscall(SYS_fcntl, lock_fd[1], F_OFD_SETLKW, &fl);
}

static void ofd_lock_release(void)
{
    struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    fcntl(lock_fd[0], F_OFD_SETLK, &fl);
}

static int sv[2]; // a socketpair

static long socket_read(void)
{
    char c[8];
    return syscall(SYS_recvfrom, sv[0], c, sizeof(c), 0, NULL, NULL);
}

static void socket_put_byte(void)
{
    if (write(sv[1], "x", 1) != 1)
        die("write socket");
}

static struct timespec rem;

static long do_nanosleep(void)
{
    struct timespec ts = { 10, 0 };
    rem.tv_sec = rem.tv_nsec = -1;
    return syscall(SYS_nanosleep, &ts, &rem);
}

static long do_clock_nanosleep(void)
{
    struct timespec ts = { 10, 0 };
    return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
}

static long do_poll(void)
{
    struct pollfd pf = { .fd = p[0], .events = POLLIN };
    return syscall(SYS_poll, &pf, 1, -1);
}

static long do_select(void)
{
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    return syscall(SYS_select, p[0] + 1, &r, NULL, NULL, NULL);
}

static int epfd;

static long do_epoll_wait(void)
{
    struct epoll_event ev;
    return syscall(SYS_epoll_wait, epfd, &ev, 1, -1);
}

static long do_pause(void) { return syscall(SYS_pause); }

static long do_sigsuspend(void)
{
    sigset_t none;
    sigemptyset(&none);
    return syscall(SYS_rt_sigsuspend, &none, 8);
}

static long do_sigtimedwait(void)
{
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    struct timespec ts = { 10, 0 };
    return syscall(SYS_rt_sigtimedwait, &usr2, NULL, &ts, 8);
}

// ---------------------------------------------------------------------------- main

static void both(const struct blocking_case *c, void (*setup)(void), void (*cleanup)(void))
{
    for (int restart = 1; restart >= 0; restart--) {
        if (setup)
            setup();
        run(c, restart);
        if (cleanup)
            cleanup();
    }
}

static void setup_full_pipe(void)
{
    new_pipe();
    fill_pipe();
}

static void setup_futex(void) { atomic_store(&futex_word, 0); }

static void setup_listener(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(listener, 4) != 0)
        die("listener");
}

static void cleanup_listener(void)
{
    close(listener);
    close(connector);
    connector = -1;
    if (last_result >= 0)
        close((int)last_result);
}

static void cleanup_fifo(void)
{
    if (last_result >= 0)
        close((int)last_result);
    if (fifo_writer >= 0)
        close(fifo_writer);
    fifo_writer = -1;
}

static void setup_locks(void)
{
    char path[] = "/tmp/asis-eintr-lock-XXXXXX";
    lock_fd[0] = mkstemp(path);
    if (lock_fd[0] < 0)
        die("mkstemp");
    unlink(path);
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", lock_fd[0]);
    lock_fd[1] = open(proc, O_RDWR | O_CLOEXEC); // a second open file description
    if (lock_fd[1] < 0)
        die("reopen");
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    if (flock(lock_fd[0], LOCK_EX) != 0 || fcntl(lock_fd[0], F_OFD_SETLK, &fl) != 0)
        die("lock");
}

static void cleanup_locks(void)
{
    close(lock_fd[0]);
    close(lock_fd[1]);
}

static void setup_socketpair(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        die("socketpair");
}

static void setup_socketpair_timeout(void)
{
    setup_socketpair();
    struct timeval tv = { 10, 0 };
    if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
        die("SO_RCVTIMEO");
}

static void cleanup_socketpair(void)
{
    close(sv[0]);
    close(sv[1]);
}

static void setup_epoll(void)
{
    new_pipe();
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN };
    if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &ev) != 0)
        die("epoll");
}

static void cleanup_epoll(void)
{
    close(epfd);
    close_pipe();
}

int main(void)
{
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)i;
    char dir[] = "/tmp/asis-eintr-XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp");
    snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", dir);
    if (mkfifo(fifo_path, 0600) != 0)
        die("mkfifo");

    printf("-- restarted with SA_RESTART, EINTR without\n");
    both(&(struct blocking_case){ "pipe read", pipe_read, pipe_put_byte, NULL }, new_pipe,
         close_pipe);
    both(&(struct blocking_case){ "write to a full pipe", pipe_write_one, drain_pipe, NULL },
         setup_full_pipe, close_pipe);
    both(&(struct blocking_case){ "wait4 on a sleeping child", wait_child, pipe_put_byte,
                                  show_wait },
         start_child, reap_child);
    both(&(struct blocking_case){ "futex wait", futex_wait, futex_wake, NULL }, setup_futex,
         NULL);
    both(&(struct blocking_case){ "accept", do_accept, do_connect, show_fd }, setup_listener,
         cleanup_listener);
    both(&(struct blocking_case){ "open of a FIFO without writer", open_fifo,
                                  open_fifo_writer, show_fd },
         NULL, cleanup_fifo);
    both(&(struct blocking_case){ "flock", flock_blocked, flock_release, NULL }, setup_locks,
         cleanup_locks);
    both(&(struct blocking_case){ "F_OFD_SETLKW", ofd_lock_blocked, ofd_lock_release, NULL },
         setup_locks, cleanup_locks);
    both(&(struct blocking_case){ "socket read", socket_read, socket_put_byte, NULL },
         setup_socketpair, cleanup_socketpair);

    printf("-- EINTR even with SA_RESTART\n");
    for (int restart = 1; restart >= 0; restart--) {
        run(&(struct blocking_case){ "nanosleep", do_nanosleep, NULL, NULL },
            restart);
        // Linux counts to the timer's hard expiry, which timer slack puts a little past
        // the 10 s asked for.
        printf("nanosleep remaining time in (0, 11 s): %s\n",
               rem.tv_sec >= 0 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000 &&
                       (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 11
                   ? "yes"
                   : "no");
    }
    both(&(struct blocking_case){ "clock_nanosleep", do_clock_nanosleep, NULL, NULL }, NULL,
         NULL);
    both(&(struct blocking_case){ "poll", do_poll, NULL, NULL }, new_pipe, close_pipe);
    both(&(struct blocking_case){ "select", do_select, NULL, NULL }, new_pipe, close_pipe);
    both(&(struct blocking_case){ "epoll_wait", do_epoll_wait, NULL, NULL }, setup_epoll,
         cleanup_epoll);
    both(&(struct blocking_case){ "pause", do_pause, NULL, NULL }, NULL, NULL);
    both(&(struct blocking_case){ "futex wait with a timeout", futex_wait_timeout, futex_wake,
                                  NULL },
         setup_futex, NULL);
    both(&(struct blocking_case){ "socket read with SO_RCVTIMEO", socket_read,
                                  socket_put_byte, NULL },
         setup_socketpair_timeout, cleanup_socketpair);
    both(&(struct blocking_case){ "sigtimedwait for another signal", do_sigtimedwait, NULL,
                                  NULL },
         NULL, NULL);

    // sigsuspend with SIGUSR1 blocked outside: only its temporary mask lets it in, and
    // the old mask is back when it returns.
    sigset_t usr1, old, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    for (int restart = 1; restart >= 0; restart--) {
        sigprocmask(SIG_BLOCK, &usr1, &old);
        run(&(struct blocking_case){ "sigsuspend", do_sigsuspend, NULL, NULL }, restart);
        sigprocmask(SIG_SETMASK, &old, &now);
        printf("SIGUSR1 blocked again after sigsuspend: %s\n",
               sigismember(&now, SIGUSR1) ? "yes" : "no");
    }

    printf("-- a write interrupted after it wrote something returns its count\n");
    both(&(struct blocking_case){ "write larger than the pipe", pipe_write_big, drain_pipe,
                                  show_partial },
         new_pipe, close_pipe);

    unlink(fifo_path);
    rmdir(dir);
    return 0;
}
