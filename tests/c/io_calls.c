// Descriptors and I/O calls in depth, as raw syscalls: poll, ppoll, select and pselect6
// (timeouts, readiness of pipes and sockets), epoll (ctl, wait, pwait, EPOLLONESHOT,
// EPOLLET, epoll in epoll), eventfd, timerfd, pipes and FIFOs, sendfile,
// copy_file_range, splice, tee, fallocate, flock, fadvise, xattrs on /tmp and /dev/shm,
// utimensat, fchmod/fchown, statfs, inotify, memfd seals, close_range, the top of the
// descriptor space the app sees (asis's own descriptors sit just above it), and the
// EBADF/EINVAL/EFAULT of each family. Only facts that hold in every correct run are
// printed: relations ("waited >= timeout"), never times, paths or descriptor numbers.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "lib/outcome.h"
#include "lib/poll_names.h"

// volatile: the compiler must not see the bad pointer (no warning, no folding).
static void *volatile bad_ptr = (void *)8;
#define BAD bad_ptr

#define TMPFS_MAGIC_ 0x01021994

static const char *yes(int b) { return b ? "yes" : "no"; }

static void die(const char *what)
{
    const char *n = strerrorname_np(errno);
    printf("FAIL: %s: %s\n", what, n ? n : "?");
    exit(1);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// poll one fd without waiting; print the result and revents.
static void poll_now(const char *what, int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events, .revents = 0x7fff };
    char names[64];
    errno = 0;
    long r = syscall(SYS_poll, &p, 1, 0);
    poll_names(p.revents, names);
    if (r == -1)
        show(what, r, errno);
    else
        printf("%s: poll %ld revents %s\n", what, r, names);
}

static void drain(int fd)
{
    char buf[256];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    fcntl(fd, F_SETFL, fl);
}

static void make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        die("pipe2");
}

// ---------------------------------------------------------------------------- poll

static void poll_family(void)
{
    int p[2], sv[2];
    char buf[64];
    make_pipe(p);

    poll_now("poll empty pipe read end", p[0], POLLIN);
    poll_now("poll pipe write end", p[1], POLLOUT);
    long long t0 = now_ns();
    struct pollfd pf = { .fd = p[0], .events = POLLIN };
    T("poll empty pipe, 30 ms", syscall(SYS_poll, &pf, 1, 30));
    printf("poll waited >= 30 ms: %s\n", yes(now_ns() - t0 >= 30000000LL));
    T("write pipe", write(p[1], "x", 1));
    poll_now("poll pipe with data", p[0], POLLIN | POLLOUT);
    T("poll pipe with data, infinite timeout", syscall(SYS_poll, &pf, 1, -1));
    struct pollfd several[4] = {
        { .fd = p[0], .events = POLLIN }, { .fd = -1, .events = POLLIN, .revents = 7 },
        { .fd = p[1], .events = POLLOUT }, { .fd = 60, .events = POLLIN },
    };
    T("poll 4 (ready, fd -1, ready, not open)", syscall(SYS_poll, several, 4, 0));
    for (int i = 0; i < 4; i++) {
        poll_names(several[i].revents, buf);
        printf("  entry %d revents %s\n", i, buf);
    }
    close(p[1]);
    poll_now("poll read end, data and writer gone", p[0], POLLIN);
    drain(p[0]);
    poll_now("poll read end, writer gone", p[0], POLLIN);
    close(p[0]);
    make_pipe(p);
    close(p[0]);
    poll_now("poll write end, reader gone", p[1], POLLOUT);
    close(p[1]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        die("socketpair");
    poll_now("poll socket, idle", sv[0], POLLIN | POLLOUT | POLLRDHUP);
    T("send", send(sv[1], "abc", 3, 0));
    poll_now("poll socket, data", sv[0], POLLIN | POLLOUT | POLLRDHUP);
    T("shutdown peer SHUT_WR", shutdown(sv[1], SHUT_WR));
    poll_now("poll socket, peer shut down writing", sv[0], POLLIN | POLLRDHUP);
    close(sv[1]);
    poll_now("poll socket, peer closed", sv[0], POLLIN | POLLOUT | POLLRDHUP);
    close(sv[0]);

    // ppoll: timespec (updated with the time left), signal mask.
    make_pipe(p);
    pf.fd = p[0];
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    uint64_t mask = 1ULL << (SIGUSR1 - 1);
    t0 = now_ns();
    T("ppoll empty pipe, 20 ms, mask", syscall(SYS_ppoll, &pf, 1, &ts, &mask, 8));
    printf("ppoll waited >= 20 ms: %s, time left written back as 0: %s\n",
           yes(now_ns() - t0 >= 20000000LL), yes(ts.tv_sec == 0 && ts.tv_nsec == 0));
    write(p[1], "y", 1);
    ts = (struct timespec){ 5, 0 };
    T("ppoll ready pipe, 5 s", syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8));
    printf("ppoll time left below 5 s and above 4 s: %s\n",
           yes(ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0)));
    T("ppoll NULL timeout, ready", syscall(SYS_ppoll, &pf, 1, NULL, NULL, 8));
    T("ppoll sigsetsize 4", syscall(SYS_ppoll, &pf, 1, NULL, &mask, 4));
    ts = (struct timespec){ 0, 1000000000 };
    T("ppoll tv_nsec 1e9", syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8));
    ts = (struct timespec){ -1, 0 };
    T("ppoll tv_sec -1", syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8));
    T("ppoll bad timespec", syscall(SYS_ppoll, &pf, 1, BAD, NULL, 8));
    T("ppoll bad sigmask", syscall(SYS_ppoll, &pf, 1, NULL, BAD, 8));
    T("ppoll bad fds", syscall(SYS_ppoll, BAD, 1, NULL, NULL, 8));
    T("poll bad fds", syscall(SYS_poll, BAD, 1, 0));
    T("poll bad fds, nfds 0", syscall(SYS_poll, BAD, 0, 0));
    T("poll nfds above RLIMIT_NOFILE", syscall(SYS_poll, &pf, 1UL << 30, 0));

    // select: the timeval is updated with the time left; unopened fds are EBADF.
    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(p[0], &rs);
    FD_SET(p[1], &ws);
    struct timeval tv = { 0, 0 };
    T("select pipe (read ready, write ready)", syscall(SYS_select, p[1] + 1, &rs, &ws, NULL, &tv));
    printf("select sets: read %s write %s\n", yes(FD_ISSET(p[0], &rs)), yes(FD_ISSET(p[1], &ws)));
    drain(p[0]);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    tv = (struct timeval){ 0, 20000 };
    t0 = now_ns();
    T("select empty pipe, 20 ms", syscall(SYS_select, p[0] + 1, &rs, NULL, NULL, &tv));
    printf("select waited >= 20 ms: %s, set cleared: %s, time left 0: %s\n",
           yes(now_ns() - t0 >= 20000000LL), yes(!FD_ISSET(p[0], &rs)),
           yes(tv.tv_sec == 0 && tv.tv_usec == 0));
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    tv = (struct timeval){ 0, 0 };
    T("select nfds -1", syscall(SYS_select, -1, &rs, NULL, NULL, &tv));
    T("select nfds 0, no sets", syscall(SYS_select, 0, NULL, NULL, NULL, &tv));
    tv = (struct timeval){ 0, -1 };
    T("select tv_usec -1", syscall(SYS_select, p[0] + 1, &rs, NULL, NULL, &tv));
    tv = (struct timeval){ 0, 0 };
    FD_SET(50, &rs);
    T("select an unopened fd", syscall(SYS_select, 51, &rs, NULL, NULL, &tv));
    T("select bad readfds", syscall(SYS_select, p[0] + 1, BAD, NULL, NULL, &tv));
    T("select bad timeval", syscall(SYS_select, p[0] + 1, NULL, NULL, NULL, BAD));

    // pselect6: the sixth argument is { const sigset_t *ss; size_t ss_len; }.
    struct { void *ss; size_t len; } sig = { &mask, 8 }, sig_bad_len = { &mask, 4 },
                                       sig_bad_ptr = { BAD, 8 };
    write(p[1], "z", 1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    ts = (struct timespec){ 1, 0 };
    T("pselect6 ready pipe, mask", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &sig));
    printf("pselect6 read set: %s\n", yes(FD_ISSET(p[0], &rs)));
    drain(p[0]);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    ts = (struct timespec){ 0, 20 * 1000 * 1000 };
    t0 = now_ns();
    T("pselect6 empty pipe, 20 ms", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, NULL));
    printf("pselect6 waited >= 20 ms: %s, time left 0: %s\n", yes(now_ns() - t0 >= 20000000LL),
           yes(ts.tv_sec == 0 && ts.tv_nsec == 0));
    FD_SET(p[0], &rs);
    ts = (struct timespec){ 0, 0 };
    T("pselect6 sigset size 4", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &sig_bad_len));
    T("pselect6 bad sigset", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &sig_bad_ptr));
    T("pselect6 bad sig argument", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, BAD));
    ts = (struct timespec){ 0, -5 };
    T("pselect6 tv_nsec -5", syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, NULL));
    close(p[0]);
    close(p[1]);
}

// ---------------------------------------------------------------------------- epoll

static void epoll_wait_show(const char *what, int ep, int timeout)
{
    struct epoll_event ev[4];
    memset(ev, 0, sizeof(ev));
    errno = 0;
    long r = syscall(SYS_epoll_wait, ep, ev, 4, timeout);
    if (r <= 0) {
        show(what, r, errno);
        return;
    }
    printf("%s: %ld", what, r);
    for (long i = 0; i < r; i++)
        printf(" [data %llu events 0x%x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static void epoll_family(const char *file)
{
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
    printf("epoll_create1 cloexec: %s\n", yes(ep >= 0 && (fcntl(ep, F_GETFD) & FD_CLOEXEC)));
    T("epoll_create1 bad flags", syscall(SYS_epoll_create1, 1));
    T("epoll_create size 0", syscall(SYS_epoll_create, 0));
    int ep_old = syscall(SYS_epoll_create, 1);
    printf("epoll_create size 1 gives an fd: %s\n", yes(ep_old >= 0));
    close(ep_old);

    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 42 };
    T("ctl ADD pipe read end", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e));
    T("ctl ADD again", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e));
    T("ctl MOD not added", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, q[0], &e));
    T("ctl DEL not added", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, q[0], NULL));
    int reg = open(file, O_RDONLY | O_CLOEXEC);
    T("ctl ADD regular file", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, reg, &e));
    close(reg);
    T("ctl ADD closed fd", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 60, &e));
    T("ctl on a bad epfd", syscall(SYS_epoll_ctl, 60, EPOLL_CTL_ADD, p[0], &e));
    T("ctl on a pipe as epfd", syscall(SYS_epoll_ctl, q[0], EPOLL_CTL_ADD, p[0], &e));
    T("ctl ADD epfd to itself", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &e));
    T("ctl bad op", syscall(SYS_epoll_ctl, ep, 7, q[0], &e));
    struct epoll_event ex = { .events = EPOLLIN | EPOLLEXCLUSIVE };
    T("ctl MOD with EPOLLEXCLUSIVE", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ex));
    T("ctl ADD bad event pointer", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, q[0], BAD));

    epoll_wait_show("wait, nothing ready", ep, 0);
    long long t0 = now_ns();
    epoll_wait_show("wait 20 ms, nothing ready", ep, 20);
    printf("epoll_wait waited >= 20 ms: %s\n", yes(now_ns() - t0 >= 20000000LL));
    write(p[1], "a", 1);
    epoll_wait_show("wait, pipe readable", ep, -1);
    struct epoll_event ev[2];
    T("wait maxevents 0", syscall(SYS_epoll_wait, ep, ev, 0, 0));
    T("wait maxevents -1", syscall(SYS_epoll_wait, ep, ev, -1, 0));
    T("wait on a pipe", syscall(SYS_epoll_wait, q[0], ev, 2, 0));
    T("wait on a bad fd", syscall(SYS_epoll_wait, 60, ev, 2, 0));
    T("wait bad events, one ready", syscall(SYS_epoll_wait, ep, BAD, 2, 0));

    e = (struct epoll_event){ .events = EPOLLOUT, .data.u64 = 43 };
    T("ctl MOD to EPOLLOUT", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &e));
    epoll_wait_show("wait, read end for EPOLLOUT", ep, 0);
    e = (struct epoll_event){ .events = EPOLLOUT, .data.u64 = 44 };
    T("ctl ADD write end of other pipe", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, q[1], &e));
    epoll_wait_show("wait, write end ready", ep, 0);
    T("ctl DEL read end", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));
    T("ctl DEL write end (event pointer ignored)", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, q[1], BAD));
    epoll_wait_show("wait after DEL", ep, 0);

    // epoll_pwait with a mask; the mask is the caller's again afterwards.
    e = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 45 };
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e);
    uint64_t mask = 1ULL << (SIGUSR2 - 1), cur = 0;
    T("epoll_pwait with mask, ready", syscall(SYS_epoll_pwait, ep, ev, 2, 100, &mask, 8));
    printf("epoll_pwait data %llu\n", (unsigned long long)ev[0].data.u64);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
    printf("SIGUSR2 blocked after epoll_pwait: %s\n", yes(cur & mask));
    drain(p[0]);
    t0 = now_ns();
    T("epoll_pwait with mask, 20 ms", syscall(SYS_epoll_pwait, ep, ev, 2, 20, &mask, 8));
    printf("epoll_pwait waited >= 20 ms: %s\n", yes(now_ns() - t0 >= 20000000LL));
    T("epoll_pwait sigsetsize 4", syscall(SYS_epoll_pwait, ep, ev, 2, 0, &mask, 4));
    T("epoll_pwait bad mask", syscall(SYS_epoll_pwait, ep, ev, 2, 0, BAD, 8));
    T("epoll_pwait NULL mask", syscall(SYS_epoll_pwait, ep, ev, 2, 0, NULL, 8));
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);

    // EPOLLONESHOT: one report, then nothing until MOD re-arms it.
    e = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 46 };
    T("ctl ADD EPOLLONESHOT", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e));
    write(p[1], "b", 1);
    epoll_wait_show("oneshot: first wait", ep, 0);
    epoll_wait_show("oneshot: second wait, data still there", ep, 0);
    T("ctl MOD re-arms", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &e));
    epoll_wait_show("oneshot: after re-arming", ep, 0);
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);
    drain(p[0]);

    // EPOLLET: reported on each new arrival only.
    e = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = 47 };
    T("ctl ADD EPOLLET", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e));
    epoll_wait_show("edge: nothing yet", ep, 0);
    write(p[1], "c", 1);
    epoll_wait_show("edge: after a write", ep, 0);
    epoll_wait_show("edge: again, data unread", ep, 0);
    write(p[1], "d", 1);
    epoll_wait_show("edge: after another write", ep, 0);

    // epoll in epoll: the inner set is readable when one of its fds is; no loops.
    int outer = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
    e = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 48 };
    T("ctl ADD inner epoll to outer", syscall(SYS_epoll_ctl, outer, EPOLL_CTL_ADD, ep, &e));
    write(p[1], "e", 1);
    epoll_wait_show("outer: inner has an event", outer, 0);
    T("ctl ADD outer to inner (loop)", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, outer, &e));
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);
    epoll_wait_show("outer: inner empty", outer, 0);

    // Closing the only descriptor of a watched pipe removes it from the set.
    e = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 49 };
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, q[0], &e);
    write(q[1], "f", 1);
    epoll_wait_show("before closing the watched fd", ep, 0);
    close(q[0]);
    epoll_wait_show("after closing the watched fd", ep, 0);

    close(outer);
    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[1]);
}

// ---------------------------------------------------------------------------- eventfd, timerfd

static void eventfd_family(void)
{
    uint64_t v = 0;
    int sem = syscall(SYS_eventfd2, 3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    for (int i = 0; i < 3; i++) {
        T("semaphore read", read(sem, &v, 8));
        printf("  value %llu\n", (unsigned long long)v);
    }
    T("semaphore read at 0", read(sem, &v, 8));
    v = 5;
    T("semaphore write 5", write(sem, &v, 8));
    poll_now("poll semaphore", sem, POLLIN | POLLOUT);
    close(sem);

    int efd = syscall(SYS_eventfd2, 0, EFD_NONBLOCK | EFD_CLOEXEC);
    T("eventfd read empty", read(efd, &v, 8));
    v = 2;
    T("eventfd write 2", write(efd, &v, 8));
    T("eventfd write 3", write(efd, &v, 8));
    T("eventfd read 4 bytes", read(efd, &v, 4));
    T("eventfd read", read(efd, &v, 8));
    printf("  value %llu\n", (unsigned long long)v);
    v = UINT64_MAX;
    T("eventfd write UINT64_MAX", write(efd, &v, 8));
    v = UINT64_MAX - 1;
    T("eventfd write UINT64_MAX-1", write(efd, &v, 8));
    v = 1;
    T("eventfd write past the maximum", write(efd, &v, 8));
    poll_now("poll full eventfd", efd, POLLIN | POLLOUT);
    T("eventfd write 4 bytes", write(efd, &v, 4));
    T("eventfd read bad buffer", read(efd, BAD, 8));
    T("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x10));
    int old = syscall(SYS_eventfd, 7);
    T("eventfd (old call) read", read(old, &v, 8));
    printf("  value %llu\n", (unsigned long long)v);
    close(old);
    close(efd);
}

static void timerfd_family(void)
{
    uint64_t n = 0;
    struct itimerspec its, cur, old;
    int tfd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    printf("timerfd nonblock, cloexec: %s %s\n", yes(fcntl(tfd, F_GETFL) & O_NONBLOCK),
           yes(fcntl(tfd, F_GETFD) & FD_CLOEXEC));
    T("timerfd read, not armed", read(tfd, &n, 8));
    T("timerfd gettime, not armed", syscall(SYS_timerfd_gettime, tfd, &cur));
    printf("  disarmed: %s\n", yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 &&
                                   cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0));

    // Relative, periodic: at least 3 expirations 35 ms later.
    its = (struct itimerspec){ .it_value = { 0, 10000000 }, .it_interval = { 0, 10000000 } };
    T("timerfd settime relative 10 ms, every 10 ms", syscall(SYS_timerfd_settime, tfd, 0, &its, NULL));
    T("timerfd gettime", syscall(SYS_timerfd_gettime, tfd, &cur));
    printf("  interval 10 ms: %s, value in (0, 10 ms]: %s\n",
           yes(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10000000),
           yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
               cur.it_value.tv_nsec <= 10000000));
    usleep(35000);
    T("timerfd read", read(tfd, &n, 8));
    printf("  expirations >= 3: %s\n", yes(n >= 3));
    T("timerfd read 4 bytes", read(tfd, &n, 4));
    its = (struct itimerspec){ 0 };
    T("timerfd disarm, old value", syscall(SYS_timerfd_settime, tfd, 0, &its, &old));
    printf("  old interval 10 ms: %s\n",
           yes(old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 10000000));
    close(tfd);

    // Absolute, one-shot, blocking read.
    tfd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long t0 = now_ns();
    its = (struct itimerspec){ .it_value = now };
    its.it_value.tv_nsec += 30000000;
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000;
    }
    T("timerfd settime absolute now + 30 ms", syscall(SYS_timerfd_settime, tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T("timerfd blocking read", read(tfd, &n, 8));
    printf("  expirations %llu, waited >= 30 ms: %s\n", (unsigned long long)n,
           yes(now_ns() - t0 >= 30000000LL));
    its.it_value.tv_sec -= 100;
    T("timerfd settime absolute in the past", syscall(SYS_timerfd_settime, tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T("timerfd read", read(tfd, &n, 8));
    printf("  expirations %llu\n", (unsigned long long)n);
    T("timerfd gettime after one-shot", syscall(SYS_timerfd_gettime, tfd, &cur));
    printf("  disarmed: %s\n", yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0));

    T("timerfd_create bad clock", syscall(SYS_timerfd_create, 99, 0));
    T("timerfd_create CLOCK_PROCESS_CPUTIME_ID", syscall(SYS_timerfd_create, CLOCK_PROCESS_CPUTIME_ID, 0));
    T("timerfd_create bad flags", syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 1));
    int boot = syscall(SYS_timerfd_create, CLOCK_BOOTTIME, TFD_CLOEXEC);
    printf("timerfd_create CLOCK_BOOTTIME: %s\n", yes(boot >= 0));
    close(boot);
    its = (struct itimerspec){ .it_value = { 0, 1000000000 } };
    T("timerfd settime tv_nsec 1e9", syscall(SYS_timerfd_settime, tfd, 0, &its, NULL));
    its = (struct itimerspec){ .it_value = { 1, 0 } };
    T("timerfd settime bad flags", syscall(SYS_timerfd_settime, tfd, 8, &its, NULL));
    T("timerfd settime CANCEL_ON_SET without ABSTIME",
      syscall(SYS_timerfd_settime, tfd, TFD_TIMER_CANCEL_ON_SET, &its, NULL));
    T("timerfd settime bad new", syscall(SYS_timerfd_settime, tfd, 0, BAD, NULL));
    T("timerfd settime bad old", syscall(SYS_timerfd_settime, tfd, 0, &its, BAD));
    T("timerfd gettime bad", syscall(SYS_timerfd_gettime, tfd, BAD));
    T("timerfd settime on a pipe", syscall(SYS_timerfd_settime, 0 /* stdin */, 0, &its, NULL));
    T("timerfd gettime bad fd", syscall(SYS_timerfd_gettime, 60, &cur));
    close(tfd);
}

// ---------------------------------------------------------------------------- pipes, FIFOs

static void pipes_and_fifos(const char *dir)
{
    int p[2];
    char buf[16];
    T("pipe2 bad flags", syscall(SYS_pipe2, p, 1));
    T("pipe2 bad pointer", syscall(SYS_pipe2, BAD, 0));
    T("pipe2 O_NONBLOCK", syscall(SYS_pipe2, p, O_NONBLOCK | O_CLOEXEC));
    T("read empty nonblocking pipe", read(p[0], buf, 1));
    T("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    T("F_SETPIPE_SZ 8192", fcntl(p[0], F_SETPIPE_SZ, 8192));
    T("F_GETPIPE_SZ", fcntl(p[1], F_GETPIPE_SZ));
    long total = 0, r;
    char chunk[1024] = { 0 };
    while ((r = write(p[1], chunk, sizeof(chunk))) > 0)
        total += r;
    printf("nonblocking pipe holds %ld bytes, then: %s\n", total, strerrorname_np(errno));
    T("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
    close(p[0]);
    close(p[1]);
    int old[2];
    T("pipe (old call)", syscall(SYS_pipe, old));
    close(old[0]);
    close(old[1]);

    char fifo[256];
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    T("mknodat S_IFIFO", mknodat(AT_FDCWD, fifo, S_IFIFO | 0600, 0));
    T("mknodat S_IFIFO again", mknodat(AT_FDCWD, fifo, S_IFIFO | 0600, 0));
    struct stat st;
    stat(fifo, &st);
    printf("fifo is S_ISFIFO: %s, mode 0%o\n", yes(S_ISFIFO(st.st_mode)), st.st_mode & 07777);
    T("open fifo O_WRONLY|O_NONBLOCK, no reader", open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    printf("open fifo O_RDONLY|O_NONBLOCK: %s\n", yes(rd >= 0));
    T("read fifo, no writer yet", read(rd, buf, sizeof(buf)));
    int wr = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    printf("open fifo writer with a reader: %s\n", yes(wr >= 0));
    T("read fifo, writer, no data", read(rd, buf, sizeof(buf)));
    T("write fifo", write(wr, "fifo", 4));
    memset(buf, 0, sizeof(buf));
    T("read fifo", read(rd, buf, sizeof(buf)));
    printf("fifo data: %s\n", buf);
    close(wr);
    T("read fifo, writer gone", read(rd, buf, sizeof(buf)));
    close(rd);
    int rw = open(fifo, O_RDWR | O_CLOEXEC);
    printf("open fifo O_RDWR (never blocks): %s\n", yes(rw >= 0));
    close(rw);
    T("mknodat bad type", mknodat(AT_FDCWD, fifo, 0170000 | 0600, 0));
    T("mknodat bad path pointer", syscall(SYS_mknodat, AT_FDCWD, BAD, S_IFIFO | 0600, 0));
    unlink(fifo);
}

// ---------------------------------------------------------------------------- data movers

static void write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, data, strlen(data)) != (long)strlen(data))
        die("write_file");
    close(fd);
}

static void show_file(const char *what, int fd)
{
    char buf[128] = { 0 };
    long n = pread(fd, buf, sizeof(buf) - 1, 0);
    for (long i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = '.';
    printf("%s: %ld bytes \"%s\"\n", what, n, n > 0 ? buf : "");
}

static void data_movers(const char *dir)
{
    char src_path[256], dst_path[256], buf[64];
    snprintf(src_path, sizeof(src_path), "%s/src", dir);
    snprintf(dst_path, sizeof(dst_path), "%s/dst", dir);
    write_file(src_path, "0123456789abcdefghij");
    int src = open(src_path, O_RDONLY | O_CLOEXEC);
    int dst = open(dst_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int p[2];
    make_pipe(p);

    // sendfile: with an offset (the file position stays), without (it moves).
    off_t off = 5;
    T("sendfile file->file, offset 5, 5 bytes", syscall(SYS_sendfile, dst, src, &off, 5));
    printf("  offset now %ld, src position %ld\n", (long)off, (long)lseek(src, 0, SEEK_CUR));
    T("sendfile file->file, no offset, 3 bytes", syscall(SYS_sendfile, dst, src, NULL, 3));
    printf("  src position %ld\n", (long)lseek(src, 0, SEEK_CUR));
    show_file("dst", dst);
    T("sendfile file->pipe", syscall(SYS_sendfile, p[1], src, NULL, 4));
    memset(buf, 0, sizeof(buf));
    T("read pipe", read(p[0], buf, sizeof(buf)));
    printf("  pipe data: %s\n", buf);
    T("sendfile count 0", syscall(SYS_sendfile, dst, src, NULL, 0));
    T("sendfile past EOF", syscall(SYS_sendfile, dst, src, &(off_t){ 100 }, 5));
    T("sendfile from a write-only fd", syscall(SYS_sendfile, p[1], p[1], NULL, 1));
    T("sendfile bad in fd", syscall(SYS_sendfile, dst, 60, NULL, 1));
    T("sendfile bad out fd", syscall(SYS_sendfile, 60, src, NULL, 1));
    T("sendfile bad offset pointer", syscall(SYS_sendfile, dst, src, BAD, 1));
    T("sendfile negative offset", syscall(SYS_sendfile, dst, src, &(off_t){ -1 }, 1));
    int app = open(dst_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    T("sendfile to O_APPEND", syscall(SYS_sendfile, app, src, &(off_t){ 0 }, 1));
    close(app);

    // copy_file_range.
    loff_t in_off = 10, out_off = 30;
    T("copy_file_range 5 bytes", syscall(SYS_copy_file_range, src, &in_off, dst, &out_off, 5, 0));
    printf("  offsets now %ld %ld\n", (long)in_off, (long)out_off);
    show_file("dst", dst);
    T("copy_file_range no offsets", syscall(SYS_copy_file_range, src, NULL, dst, NULL, 2, 0));
    T("copy_file_range flags 1", syscall(SYS_copy_file_range, src, &in_off, dst, &out_off, 1, 1));
    T("copy_file_range to a pipe", syscall(SYS_copy_file_range, src, &in_off, p[1], NULL, 1, 0));
    T("copy_file_range same file, overlapping",
      syscall(SYS_copy_file_range, dst, &(loff_t){ 0 }, dst, &(loff_t){ 2 }, 5, 0));
    T("copy_file_range from write-only",
      syscall(SYS_copy_file_range, p[1], NULL, dst, &out_off, 1, 0));
    T("copy_file_range bad fd", syscall(SYS_copy_file_range, 60, NULL, dst, NULL, 1, 0));
    T("copy_file_range bad offset pointer", syscall(SYS_copy_file_range, src, BAD, dst, NULL, 1, 0));
    T("copy_file_range past EOF", syscall(SYS_copy_file_range, src, &(loff_t){ 1000 }, dst, &(loff_t){ 0 }, 5, 0));

    // splice and tee.
    int q[2];
    make_pipe(q);
    drain(p[0]);
    loff_t soff = 0;
    T("splice file->pipe", syscall(SYS_splice, src, &soff, p[1], NULL, 6, 0));
    printf("  offset now %ld\n", (long)soff);
    T("tee pipe->pipe", syscall(SYS_tee, p[0], q[1], 100, 0));
    T("splice pipe->file", syscall(SYS_splice, p[0], NULL, dst, &(loff_t){ 40 }, 100, 0));
    show_file("dst", dst);
    memset(buf, 0, sizeof(buf));
    T("read teed copy", read(q[0], buf, sizeof(buf)));
    printf("  teed data: %s\n", buf);
    T("splice file->file", syscall(SYS_splice, src, NULL, dst, NULL, 1, 0));
    T("splice offset on a pipe", syscall(SYS_splice, p[0], &soff, dst, NULL, 1, 0));
    T("splice bad flags", syscall(SYS_splice, src, &soff, p[1], NULL, 1, 0x100));
    T("splice bad fd", syscall(SYS_splice, 60, NULL, p[1], NULL, 1, 0));
    T("splice bad offset pointer", syscall(SYS_splice, src, BAD, p[1], NULL, 1, 0));
    T("splice empty pipe, SPLICE_F_NONBLOCK", syscall(SYS_splice, p[0], NULL, dst, NULL, 1, SPLICE_F_NONBLOCK));
    T("tee empty pipe, SPLICE_F_NONBLOCK", syscall(SYS_tee, p[0], q[1], 1, SPLICE_F_NONBLOCK));
    T("tee pipe to itself", syscall(SYS_tee, p[0], p[1], 1, 0));
    T("tee from a file", syscall(SYS_tee, src, q[1], 1, 0));
    T("tee bad flags", syscall(SYS_tee, p[0], q[1], 1, 0x100));
    close(q[0]);
    close(q[1]);
    close(p[0]);
    close(p[1]);
    close(src);
    close(dst);
    unlink(src_path);
    unlink(dst_path);
}

// ---------------------------------------------------------------------------- space, locks, advice

static void fallocate_in(const char *label, const char *dir)
{
    char path[256], what[128];
    snprintf(path, sizeof(path), "%s/alloc", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    struct stat st;
#define F(name, expr) do { snprintf(what, sizeof(what), "%s: %s", label, name); T(what, expr); } while (0)
    F("fallocate 0..8192", fallocate(fd, 0, 0, 8192));
    fstat(fd, &st);
    printf("%s: size %ld, blocks allocated: %s\n", label, (long)st.st_size, yes(st.st_blocks > 0));
    F("fallocate KEEP_SIZE to 64 KiB", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 57344));
    fstat(fd, &st);
    printf("%s: size %ld\n", label, (long)st.st_size);
    char block[4096];
    memset(block, 'x', sizeof(block));
    pwrite(fd, block, sizeof(block), 0);
    pwrite(fd, block, sizeof(block), 4096);
    F("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
    F("PUNCH_HOLE|KEEP_SIZE 0..4096", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
    char back[4096];
    pread(fd, back, sizeof(back), 0);
    int zeros = 1;
    for (size_t i = 0; i < sizeof(back); i++)
        zeros &= back[i] == 0;
    pread(fd, back, 1, 4096);
    fstat(fd, &st);
    printf("%s: hole reads as zeros: %s, data after it kept: %s, size %ld\n", label, yes(zeros),
           yes(back[0] == 'x'), (long)st.st_size);
    F("fallocate length 0", fallocate(fd, 0, 0, 0));
    F("fallocate negative offset", fallocate(fd, 0, -1, 10));
    F("fallocate bad mode", fallocate(fd, 0x1000, 0, 10));
    close(fd);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    F("fallocate on a read-only fd", fallocate(fd, 0, 0, 10));
    close(fd);
#undef F
    unlink(path);
}

static void locks_and_advice(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/lock", dir);
    write_file(path, "lock");
    int a = open(path, O_RDWR | O_CLOEXEC), b = open(path, O_RDWR | O_CLOEXEC);
    int a2 = dup(a);
    T("flock a LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
    errno = 0;
    int r = flock(b, LOCK_EX | LOCK_NB);
    printf("flock b LOCK_EX|LOCK_NB: %d %s, EWOULDBLOCK: %s\n", r, strerrorname_np(errno),
           yes(errno == EWOULDBLOCK));
    T("flock b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
    T("flock dup of a (same open file) LOCK_EX|LOCK_NB", flock(a2, LOCK_EX | LOCK_NB));
    T("flock a LOCK_UN", flock(a, LOCK_UN));
    T("flock b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
    T("flock a LOCK_SH|LOCK_NB", flock(a, LOCK_SH | LOCK_NB));
    T("flock a upgrade LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
    T("flock bad op", flock(a, 0));
    T("flock bad op 77", flock(a, 77));
    T("flock bad fd", flock(60, LOCK_EX));
    close(b);
    T("flock a LOCK_EX|LOCK_NB after b closed", flock(a, LOCK_EX | LOCK_NB));
    close(a);
    close(a2);

    int fd = open(path, O_RDONLY | O_CLOEXEC), p[2];
    make_pipe(p);
    T("fadvise64 SEQUENTIAL", syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    T("fadvise64 WILLNEED", syscall(SYS_fadvise64, fd, 0, 4, POSIX_FADV_WILLNEED));
    T("fadvise64 DONTNEED", syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED));
    T("fadvise64 bad advice", syscall(SYS_fadvise64, fd, 0, 0, 99));
    T("fadvise64 negative length", syscall(SYS_fadvise64, fd, 0, -1, POSIX_FADV_NORMAL));
    T("fadvise64 on a pipe", syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL));
    T("fadvise64 bad fd", syscall(SYS_fadvise64, 60, 0, 0, POSIX_FADV_NORMAL));
    close(p[0]);
    close(p[1]);
    close(fd);
    unlink(path);
}

// ---------------------------------------------------------------------------- xattrs

static void xattrs_in(const char *label, const char *dir)
{
    char path[256], what[128], val[64];
    snprintf(path, sizeof(path), "%s/xattr", dir);
    write_file(path, "x");
#define X(name, expr) do { snprintf(what, sizeof(what), "%s: %s", label, name); T(what, expr); } while (0)
    X("setxattr user.asis", setxattr(path, "user.asis", "value", 5, 0));
    X("getxattr size", getxattr(path, "user.asis", NULL, 0));
    memset(val, 0, sizeof(val));
    X("getxattr", getxattr(path, "user.asis", val, sizeof(val)));
    printf("%s: value \"%s\"\n", label, val);
    X("getxattr buffer too small", getxattr(path, "user.asis", val, 2));
    X("getxattr missing", getxattr(path, "user.nothing", val, sizeof(val)));
    X("setxattr XATTR_CREATE existing", setxattr(path, "user.asis", "v", 1, XATTR_CREATE));
    X("setxattr XATTR_REPLACE missing", setxattr(path, "user.other", "v", 1, XATTR_REPLACE));
    X("setxattr bad flags", setxattr(path, "user.asis", "v", 1, 4));
    X("setxattr unknown namespace", setxattr(path, "nonamespace.x", "v", 1, 0));
    X("setxattr empty name", setxattr(path, "", "v", 1, 0));
    char longname[300];
    memset(longname, 'n', sizeof(longname));
    memcpy(longname, "user.", 5);
    longname[299] = 0;
    X("setxattr 299-byte name", setxattr(path, longname, "v", 1, 0));
    char *big = calloc(1, 70000);
    X("setxattr 70000-byte value", setxattr(path, "user.big", big, 70000, 0));
    free(big);
    char list[1024];
    long n = listxattr(path, list, sizeof(list));
    int found = 0;
    for (long i = 0; i < n; i += strlen(list + i) + 1)
        found |= strcmp(list + i, "user.asis") == 0;
    printf("%s: listxattr has user.asis: %s\n", label, yes(found));
    X("listxattr size too small", listxattr(path, list, 1));
    int fd = open(path, O_RDWR | O_CLOEXEC);
    X("fsetxattr user.fd", fsetxattr(fd, "user.fd", "fdv", 3, 0));
    memset(val, 0, sizeof(val));
    X("fgetxattr user.fd", fgetxattr(fd, "user.fd", val, sizeof(val)));
    printf("%s: value \"%s\"\n", label, val);
    n = flistxattr(fd, list, sizeof(list));
    found = 0;
    for (long i = 0; i < n; i += strlen(list + i) + 1)
        found |= strcmp(list + i, "user.fd") == 0;
    printf("%s: flistxattr has user.fd: %s\n", label, yes(found));
    X("fremovexattr user.fd", fremovexattr(fd, "user.fd"));
    X("fremovexattr user.fd again", fremovexattr(fd, "user.fd"));
    X("removexattr user.asis", removexattr(path, "user.asis"));
    X("lgetxattr on a file", lgetxattr(path, "user.asis", val, sizeof(val)));
    X("getxattr bad name pointer", syscall(SYS_getxattr, path, BAD, val, sizeof(val)));
    X("getxattr bad value pointer", (fsetxattr(fd, "user.v", "v", 1, 0),
                                     syscall(SYS_getxattr, path, "user.v", BAD, 10)));
    X("setxattr bad value pointer", syscall(SYS_setxattr, path, "user.w", BAD, 10, 0));
    X("listxattr bad buffer", syscall(SYS_listxattr, path, BAD, 100));
    X("fgetxattr bad fd", fgetxattr(60, "user.v", val, sizeof(val)));
    close(fd);
#undef X
    unlink(path);
}

// ---------------------------------------------------------------------------- metadata

static void metadata(const char *dir)
{
    char path[256], link[256];
    snprintf(path, sizeof(path), "%s/meta", dir);
    snprintf(link, sizeof(link), "%s/metalink", dir);
    write_file(path, "m");
    symlink("meta", link);
    struct stat st, lst;

    struct timespec times[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
    T("utimensat set both", utimensat(AT_FDCWD, path, times, 0));
    stat(path, &st);
    printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec before;
    clock_gettime(CLOCK_REALTIME, &before);
    before.tv_sec -= 1; // file systems may round the current time down a little
    struct timespec omit_now[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    T("utimensat atime OMIT, mtime NOW", utimensat(AT_FDCWD, path, omit_now, 0));
    stat(path, &st);
    printf("atime kept: %s, mtime is now: %s\n",
           yes(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789),
           yes(st.st_mtim.tv_sec >= before.tv_sec));
    struct timespec both_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    T("utimensat both OMIT", utimensat(AT_FDCWD, path, both_omit, 0));
    T("utimensat NULL times (now)", utimensat(AT_FDCWD, path, NULL, 0));
    stat(path, &st);
    printf("atime is now: %s\n", yes(st.st_atim.tv_sec >= before.tv_sec));
    T("utimensat symlink NOFOLLOW", utimensat(AT_FDCWD, link, times, AT_SYMLINK_NOFOLLOW));
    lstat(link, &lst);
    stat(path, &st);
    printf("link mtime set: %s, target mtime untouched: %s\n", yes(lst.st_mtim.tv_sec == 1100000000),
           yes(st.st_mtim.tv_sec != 1100000000));
    int fd = open(path, O_RDWR | O_CLOEXEC);
    T("utimensat(fd, NULL path) = futimens", syscall(SYS_utimensat, fd, NULL, times, 0));
    fstat(fd, &st);
    printf("futimens mtime set: %s\n", yes(st.st_mtim.tv_sec == 1100000000));
    struct timespec bad_nsec[2] = { { 0, 1000000000 }, { 0, 0 } };
    T("utimensat tv_nsec 1e9", utimensat(AT_FDCWD, path, bad_nsec, 0));
    T("utimensat bad flags", utimensat(AT_FDCWD, path, times, 0x8000));
    T("utimensat bad times pointer", syscall(SYS_utimensat, AT_FDCWD, path, BAD, 0));
    T("utimensat bad path pointer", syscall(SYS_utimensat, AT_FDCWD, BAD, times, 0));
    T("utimensat bad fd, NULL path", syscall(SYS_utimensat, 60, NULL, times, 0));
    T("utimensat missing file", utimensat(AT_FDCWD, "/nonexistent-asis/x", times, 0));

    T("fchmod 0640", fchmod(fd, 0640));
    fstat(fd, &st);
    printf("mode 0%o\n", st.st_mode & 07777);
    T("fchmod 04755 (setuid bit)", fchmod(fd, 04755));
    fstat(fd, &st);
    printf("mode 0%o\n", st.st_mode & 07777);
    T("fchmod bad fd", fchmod(60, 0600));
    int opath = open(path, O_PATH | O_CLOEXEC);
    T("fchmod O_PATH fd", fchmod(opath, 0600));
    T("fchown O_PATH fd", fchown(opath, getuid(), getgid()));
    close(opath);
    T("fchown to own uid and gid", fchown(fd, getuid(), getgid()));
    T("fchown -1 -1", fchown(fd, -1, -1));
    T("fchown to root", fchown(fd, 0, 0));
    T("fchown bad fd", fchown(60, getuid(), getgid()));
    close(fd);

    struct statfs sf, fsf;
    T("statfs dir", statfs(dir, &sf));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    T("fstatfs dir fd", fstatfs(fd, &fsf));
    close(fd);
    printf("statfs and fstatfs agree on f_type: %s, f_bsize > 0: %s, f_namelen %ld\n",
           yes(sf.f_type == fsf.f_type), yes(sf.f_bsize > 0), (long)sf.f_namelen);
    T("statfs /dev/shm", statfs("/dev/shm", &sf));
    printf("/dev/shm is tmpfs: %s\n", yes(sf.f_type == TMPFS_MAGIC_));
    T("statfs missing", statfs("/nonexistent-asis", &sf));
    T("statfs bad buffer", syscall(SYS_statfs, dir, BAD));
    T("statfs bad path", syscall(SYS_statfs, BAD, &sf));
    T("fstatfs bad buffer", syscall(SYS_fstatfs, 0, BAD));
    T("fstatfs bad fd", fstatfs(60, &sf));
    unlink(link);
    unlink(path);
}

// ---------------------------------------------------------------------------- inotify, memfd

static void show_inotify_events(int ino)
{
    char buf[4096] __attribute__((aligned(8)));
    long n = read(ino, buf, sizeof(buf));
    if (n <= 0) {
        show("inotify read", n, errno);
        return;
    }
    for (long i = 0; i < n;) {
        struct inotify_event *ev = (struct inotify_event *)(buf + i);
        printf("inotify event:%s%s%s%s name \"%s\"\n", ev->mask & IN_CREATE ? " IN_CREATE" : "",
               ev->mask & IN_DELETE ? " IN_DELETE" : "", ev->mask & IN_IGNORED ? " IN_IGNORED" : "",
               ev->mask & IN_ISDIR ? " IN_ISDIR" : "", ev->len ? ev->name : "");
        i += sizeof(*ev) + ev->len;
    }
}

static void inotify_family(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/watched", dir);
    int ino = syscall(SYS_inotify_init1, IN_NONBLOCK | IN_CLOEXEC);
    printf("inotify_init1: %s\n", yes(ino >= 0));
    char ev[64];
    T("inotify read, nothing yet", read(ino, ev, sizeof(ev)));
    int wd = inotify_add_watch(ino, dir, IN_CREATE | IN_DELETE);
    printf("inotify_add_watch: %s\n", yes(wd > 0));
    T("same watch again gives the same wd", inotify_add_watch(ino, dir, IN_CREATE | IN_DELETE) == wd);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    show_inotify_events(ino);
    unlink(path);
    show_inotify_events(ino);
    T("inotify_rm_watch", inotify_rm_watch(ino, wd));
    show_inotify_events(ino);
    T("inotify_rm_watch again", inotify_rm_watch(ino, wd));
    T("inotify_add_watch missing path", inotify_add_watch(ino, "/nonexistent-asis", IN_CREATE));
    T("inotify_add_watch mask 0", inotify_add_watch(ino, dir, 0));
    T("inotify_add_watch bad path pointer", syscall(SYS_inotify_add_watch, ino, BAD, IN_CREATE));
    T("inotify_add_watch on a non-inotify fd", inotify_add_watch(0, dir, IN_CREATE));
    T("inotify_add_watch bad fd", inotify_add_watch(60, dir, IN_CREATE));
    T("inotify_init1 bad flags", syscall(SYS_inotify_init1, 1));
    wd = inotify_add_watch(ino, dir, IN_CREATE);
    close(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    char small[4];
    T("inotify read, buffer too small for the event", read(ino, small, sizeof(small)));
    show_inotify_events(ino);
    unlink(path);
    close(ino);
}

static void memfd_family(void)
{
    int fd = syscall(SYS_memfd_create, "asis-sealed", MFD_ALLOW_SEALING | MFD_CLOEXEC);
    T("memfd write", write(fd, "seal", 4));
    T("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    T("F_ADD_SEALS F_SEAL_WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    T("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    T("memfd write, sealed", write(fd, "x", 1));
    T("memfd pwrite, sealed", pwrite(fd, "x", 1, 0));
    T("mmap shared writable, sealed",
      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
    char buf[8] = { 0 };
    T("memfd pread, sealed", pread(fd, buf, sizeof(buf) - 1, 0));
    printf("memfd content: %s\n", buf);
    T("F_ADD_SEALS F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL",
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
    T("ftruncate shrink, sealed", ftruncate(fd, 1));
    T("ftruncate grow, sealed", ftruncate(fd, 100));
    T("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    close(fd);

    int pp[2];
    fd = syscall(SYS_memfd_create, "asis-unsealable", MFD_CLOEXEC);
    T("F_GET_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
    T("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    close(fd);
    fd = syscall(SYS_memfd_create, "asis-grow", MFD_ALLOW_SEALING | MFD_CLOEXEC);
    T("ftruncate 8", ftruncate(fd, 8));
    T("F_ADD_SEALS F_SEAL_GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    T("write within size", pwrite(fd, "ab", 2, 0));
    T("write past the end", pwrite(fd, "ab", 2, 7));
    close(fd);
    T("F_GET_SEALS on a pipe", (pipe(pp), fcntl(pp[0], F_GET_SEALS)));
    close(pp[0]);
    close(pp[1]);

    char longname[300];
    memset(longname, 'm', sizeof(longname));
    longname[299] = 0;
    T("memfd_create 299-byte name", syscall(SYS_memfd_create, longname, 0));
    T("memfd_create bad flags", syscall(SYS_memfd_create, "x", 0x1000));
    T("memfd_create bad name pointer", syscall(SYS_memfd_create, BAD, 0));
}

// ---------------------------------------------------------------------------- descriptor space

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static void close_range_family(void)
{
    int base = fcntl(0, F_DUPFD, 100), a = fcntl(0, F_DUPFD, 100), b = fcntl(0, F_DUPFD, 100);
    if (base != 100 || a != 101 || b != 102)
        die("F_DUPFD: not 100, 101, 102");
    T("close_range CLOEXEC over the first two", syscall(SYS_close_range, base, a, CLOSE_RANGE_CLOEXEC));
    printf("cloexec: %s %s %s\n", yes(fcntl(base, F_GETFD) & FD_CLOEXEC),
           yes(fcntl(a, F_GETFD) & FD_CLOEXEC), yes(fcntl(b, F_GETFD) & FD_CLOEXEC));
    T("close_range the three", syscall(SYS_close_range, base, b, 0));
    printf("open after close_range: %s %s %s\n", yes(is_open(base)), yes(is_open(a)), yes(is_open(b)));
    T("close_range first > last", syscall(SYS_close_range, 10, 5, 0));
    T("close_range bad flags", syscall(SYS_close_range, base, b, 0x80));
    T("close_range of nothing open", syscall(SYS_close_range, 1000, 2000, 0));
    T("close_range CLOSE_RANGE_UNSHARE", syscall(SYS_close_range, 1000, 2000, CLOSE_RANGE_UNSHARE));
    T("close_range CLOEXEC to the top", syscall(SYS_close_range, base, ~0U, CLOSE_RANGE_CLOEXEC));
}

// The NOFILE limit is the top of the app's descriptor space; asis keeps its own
// descriptors above it, where the app must find nothing at all.
static void top_of_fd_space(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    long soft = lim.rlim_cur;
    printf("soft NOFILE <= hard: %s, sysconf(_SC_OPEN_MAX) is soft: %s\n",
           yes(lim.rlim_cur <= lim.rlim_max), yes(sysconf(_SC_OPEN_MAX) == soft));
    T("dup2 to soft limit - 1", dup2(1, soft - 1) == soft - 1);
    T("write to it", write(soft - 1, "", 0));
    T("dup2 to the soft limit", dup2(1, soft));
    T("dup3 to the soft limit", dup3(1, soft, O_CLOEXEC));
    T("fcntl F_DUPFD at the soft limit", fcntl(1, F_DUPFD, soft));
    T("fcntl F_DUPFD_CLOEXEC just below it", fcntl(1, F_DUPFD_CLOEXEC, soft - 1) == -1 ? -1 : 0);
    close(soft - 1);
    T("fcntl F_DUPFD_CLOEXEC just below it, free", fcntl(1, F_DUPFD_CLOEXEC, soft - 1) == soft - 1);
    close(soft - 1);

    // The soft limit raised to the hard one: the whole space the app may use.
    lim.rlim_cur = lim.rlim_max;
    T("setrlimit soft = hard", setrlimit(RLIMIT_NOFILE, &lim));
    long top = lim.rlim_max;
    if (top > (1 << 24)) { // unlimited hard limit: nothing at the top to test
        printf("skipped\n");
        return;
    }
    T("dup2 to hard limit - 1", dup2(1, top - 1) == top - 1);
    T("dup2 to hard limit", dup2(1, top));
    T("dup2 to hard limit + 1", dup2(1, top + 1));
    T("dup2 to hard limit + 63", dup2(1, top + 63));
    T("fcntl F_GETFD hard limit", fcntl(top, F_GETFD));
    T("close hard limit", close(top));
    T("write hard limit + 1", write(top + 1, "x", 1));
    T("fstat hard limit + 2", fstat(top + 2, &(struct stat){ 0 }));
    T("dup hard limit + 3", dup(top + 3));
    T("dup2 from hard limit", dup2(top, 5));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = { .events = EPOLLIN };
    T("epoll_ctl ADD hard limit", epoll_ctl(ep, EPOLL_CTL_ADD, top, &e));
    close(ep);
    // Nothing is open at or above the limit: poll reports every one as POLLNVAL.
    struct pollfd many[200];
    for (int i = 0; i < 200; i++)
        many[i] = (struct pollfd){ .fd = i < 136 ? -1 : (int)top + i - 136, .events = POLLIN | POLLOUT };
    many[0] = (struct pollfd){ .fd = 1, .events = POLLOUT };
    T("poll (stdout, 135 x -1, hard limit .. +63)", syscall(SYS_poll, many, 200, 1000));
    int nval = 0;
    for (int i = 0; i < 200; i++)
        nval += many[i].revents == POLLNVAL;
    printf("entries with exactly POLLNVAL: %d, stdout writable: %s\n", nval,
           yes(many[0].revents == POLLOUT));
    struct pollfd pf[64];
    for (int i = 0; i < 64; i++)
        pf[i] = (struct pollfd){ .fd = (int)top + i, .events = POLLIN | POLLOUT };
    T("poll hard limit .. +63", syscall(SYS_poll, pf, 64, 1000));
    nval = 0;
    for (int i = 0; i < 64; i++)
        nval += pf[i].revents == POLLNVAL;
    printf("entries with exactly POLLNVAL: %d\n", nval);
    struct timespec ts = { 1, 0 };
    pf[63] = (struct pollfd){ .fd = 0, .events = 0 };
    T("ppoll (hard limit .. +62, stdin)", syscall(SYS_ppoll, pf, 64, &ts, NULL, 8));
    printf("time left above 0: %s\n", yes(ts.tv_sec > 0 || ts.tv_nsec > 0));
    nval = 0;
    for (int i = 0; i < 64; i++)
        nval += pf[i].revents == POLLNVAL;
    printf("entries with exactly POLLNVAL: %d\n", nval);
    T("close_range from hard limit - 1 to the top", syscall(SYS_close_range, top - 1, ~0U, 0));
    T("hard limit - 1 closed", fcntl(top - 1, F_GETFD));
}

// Run last: every descriptor but 0-2 closed, and the process must go on working.
static void close_everything(const char *dir)
{
    T("close_range 3 .. ~0", syscall(SYS_close_range, 3, ~0U, 0));
    char path[256];
    snprintf(path, sizeof(path), "%s/after", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    printf("open after closing everything gets fd 3: %s\n", yes(fd == 3));
    close(fd);
    unlink(path);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child after close_range runs\n");
        fflush(stdout);
        _exit(7);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
    char tmpl[] = "/tmp/asis-io-XXXXXX", shm_tmpl[] = "/dev/shm/asis-io-XXXXXX", file[300];
    char *dir = mkdtemp(tmpl), *shm = mkdtemp(shm_tmpl);
    if (!dir || !shm)
        die("mkdtemp");
    snprintf(file, sizeof(file), "%s/regular", dir);
    write_file(file, "regular");

    printf("== poll, ppoll, select, pselect6\n");
    poll_family();
    printf("== epoll\n");
    epoll_family(file);
    printf("== eventfd\n");
    eventfd_family();
    printf("== timerfd\n");
    timerfd_family();
    printf("== pipes and FIFOs\n");
    pipes_and_fifos(dir);
    printf("== sendfile, copy_file_range, splice, tee\n");
    data_movers(dir);
    printf("== fallocate\n");
    fallocate_in("tmp", dir);
    fallocate_in("shm", shm);
    printf("== flock, fadvise\n");
    locks_and_advice(dir);
    printf("== xattrs\n");
    xattrs_in("tmp", dir);
    xattrs_in("shm", shm);
    printf("== utimensat, fchmod, fchown, statfs\n");
    metadata(dir);
    printf("== inotify\n");
    inotify_family(dir);
    printf("== memfd\n");
    memfd_family();
    printf("== close_range\n");
    close_range_family();
    printf("== top of the descriptor space\n");
    top_of_fd_space();
    unlink(file);
    printf("== everything closed\n");
    close_everything(dir);
    rmdir(shm);
    rmdir(dir);
    return 0;
}
