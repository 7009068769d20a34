// Descriptor kinds and I/O calls beyond read/write: memfd, timerfd, eventfd, inotify,
// a FIFO, splice/tee/sendfile/copy_file_range, poll and select, flock, fallocate,
// xattrs, utimensat, close_range; results and errnos as Linux gives them. asis's own
// descriptors (above the NOFILE limits) cannot be sent with SCM_RIGHTS, nor listed in
// /proc/self/fd or /dev through a descriptor asis did not open itself (dup, reopen).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "lib/outcome.h"

/* sendmsg of one SCM_RIGHTS message carrying fd, after a filler message of another
 * level that makes the control data filler bytes longer (0: none). */
static long send_fd(int sock, int fd, size_t filler)
{
    static char ctl[8192] __attribute__((aligned(8)));
    memset(ctl, 0, sizeof(ctl));
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    if (filler) {
        c->cmsg_len = filler;
        c->cmsg_level = 12345;
        c->cmsg_type = 1;
        c = (struct cmsghdr *)(ctl + CMSG_ALIGN(filler));
    }
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    struct iovec iov = { "x", 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                        .msg_controllen = (filler ? CMSG_ALIGN(filler) : 0) + CMSG_SPACE(sizeof(int)) };
    return sendmsg(sock, &m, MSG_DONTWAIT);
}

/* Every fd from each NOFILE limit to 100 past it is not open for the program (asis keeps
 * its own there, above the app's hard limit): sending any is EBADF. */
static void scm_rights_beyond_limits(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    rlim_t starts[] = { lim.rlim_cur, lim.rlim_max };
    int all_ebadf = 1;
    for (int s = 0; s < 2; s++)
        for (rlim_t fd = starts[s]; fd <= starts[s] + 100 && fd < (1u << 30); fd++) {
            for (size_t filler = 0; filler <= 4000; filler += 4000) {
                errno = 0;
                long r = send_fd(sv[0], (int)fd, filler);
                if (r != -1 || errno != EBADF) {
                    printf("SCM_RIGHTS of fd %d (filler %zu): %ld %s\n", (int)fd, filler, r,
                           strerrorname_np(errno));
                    all_ebadf = 0;
                }
            }
        }
    printf("SCM_RIGHTS beyond the NOFILE limits all EBADF: %s\n", all_ebadf ? "yes" : "no");

    /* sendmmsg: a message without control data is sent, the next one is refused. */
    int bad = (int)lim.rlim_max;
    char ctl[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8))) = { 0 };
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    struct iovec iov = { "y", 1 };
    struct mmsghdr mm[2] = { { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } },
                             { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1,
                                            .msg_control = ctl,
                                            .msg_controllen = sizeof(ctl) } } };
    int all_bad = 1;
    for (int fd = bad; fd < bad + 64 && all_bad; fd++) {
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        errno = 0;
        all_bad = sendmmsg(sv[0], mm, 2, MSG_DONTWAIT) == 1;
        all_bad = all_bad && sendmmsg(sv[0], mm + 1, 1, MSG_DONTWAIT) == -1 && errno == EBADF;
    }
    printf("sendmmsg stops at SCM_RIGHTS beyond the hard limit: %s\n", all_bad ? "yes" : "no");

    /* What Linux checks before the fds: a malformed message, the control data's address
     * and size. A good fd is passed, at both sizes. */
    int one = 1;
    memcpy(CMSG_DATA(c), &one, sizeof(int));
    c->cmsg_len = sizeof(ctl) + 8;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                        .msg_controllen = sizeof(ctl) };
    T("SCM_RIGHTS malformed", sendmsg(sv[0], &m, MSG_DONTWAIT));
    m.msg_control = NULL;
    T("SCM_RIGHTS control NULL", sendmsg(sv[0], &m, MSG_DONTWAIT));
    m.msg_controllen = 1 << 20;
    T("SCM_RIGHTS control of 1 MiB", sendmsg(sv[0], &m, MSG_DONTWAIT));
    T("SCM_RIGHTS of fd 1", send_fd(sv[0], 1, 0));
    T("SCM_RIGHTS of fd 1 after 4000 bytes", send_fd(sv[0], 1, 4000));
    close(sv[0]);
    close(sv[1]);
}

/* The fds a getdents64 listing of dir shows at or above the NOFILE soft limit. */
static void list_fds_above_limit(const char *what, int dir)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    char buf[4096] __attribute__((aligned(8)));
    printf("%s lists fds above the soft limit:", what);
    lseek(dir, 0, SEEK_SET);
    long n;
    int found = 0;
    while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
        for (long off = 0; off < n;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            const char *name = buf + off + 19;
            if (name[0] >= '0' && name[0] <= '9' && (rlim_t)atol(name) >= lim.rlim_cur) {
                printf(" %s", name);
                found = 1;
            }
            off += reclen;
        }
    printf("%s\n", n < 0 ? " (error)" : found ? "" : " none");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names a getdents64 listing of dir shows, sorted, into out. */
static void list_names(int dir, char *out, size_t size)
{
    char buf[4096] __attribute__((aligned(8)));
    char *names[512];
    int count = 0;
    long n;
    lseek(dir, 0, SEEK_SET);
    while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
        for (long off = 0; off < n;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            if (count < 512)
                names[count++] = strdup(buf + off + 19);
            off += reclen;
        }
    qsort(names, count, sizeof(char *), compare_names);
    out[0] = 0;
    for (int i = 0; i < count; i++) {
        snprintf(out + strlen(out), size - strlen(out), "%s ", names[i]);
        free(names[i]);
    }
}

/* Listings through descriptors the program made from an opened one. */
static void listings_through_copies(void)
{
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    int copy = dup(dir);
    list_fds_above_limit("dup of /proc/self/fd", copy);
    close(copy);
    copy = fcntl(dir, F_DUPFD_CLOEXEC, 100);
    list_fds_above_limit("F_DUPFD of /proc/self/fd", copy);
    close(copy);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", dir);
    copy = open(path, O_RDONLY | O_DIRECTORY);
    list_fds_above_limit("reopen of /proc/self/fd", copy);
    close(copy);
    close(dir);
    dir = open("/proc/self/fdinfo", O_RDONLY | O_DIRECTORY);
    copy = dup(dir);
    list_fds_above_limit("dup of /proc/self/fdinfo", copy);
    close(copy);
    close(dir);

    static char direct[16384], copied[16384];
    dir = open("/dev", O_RDONLY | O_DIRECTORY);
    copy = dup(dir);
    list_names(dir, direct, sizeof(direct));
    list_names(copy, copied, sizeof(copied));
    printf("dup of /dev lists the same names: %s\n", strcmp(direct, copied) == 0 ? "yes" : "no");
    close(copy);
    close(dir);
}

int main(void)
{
    char dir[] = "/tmp/asis-descriptors-XXXXXX", path[128], fifo[128];
    mkdtemp(dir);
    snprintf(path, sizeof(path), "%s/file", dir);
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);

    int mfd = memfd_create("asis-test", MFD_CLOEXEC);
    T("memfd write", write(mfd, "memfd data", 10));
    char buf[64] = { 0 };
    T("memfd pread", pread(mfd, buf, sizeof(buf) - 1, 0));
    printf("memfd content: %s\n", buf);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct itimerspec its = { .it_value = { 0, 20 * 1000 * 1000 } };
    T("timerfd_settime", timerfd_settime(tfd, 0, &its, NULL));
    struct pollfd pfd = { .fd = tfd, .events = POLLIN };
    T("poll timerfd", poll(&pfd, 1, 5000));
    uint64_t ticks = 0;
    T("timerfd read", read(tfd, &ticks, sizeof(ticks)));
    printf("timer expirations: %llu\n", (unsigned long long)ticks);

    int efd = eventfd(0, EFD_NONBLOCK);
    uint64_t one = 1;
    T("eventfd read when empty", read(efd, &ticks, sizeof(ticks)));
    T("eventfd write", write(efd, &one, sizeof(one)));
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(efd, &rs);
    struct timeval tv = { 1, 0 };
    T("select eventfd", select(efd + 1, &rs, NULL, NULL, &tv));

    int ino = inotify_init1(IN_CLOEXEC);
    T("inotify_add_watch", inotify_add_watch(ino, dir, IN_CREATE) > 0);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char evbuf[4096];
    long n = read(ino, evbuf, sizeof(evbuf));
    struct inotify_event *ev = (struct inotify_event *)evbuf;
    printf("inotify event: %s %s\n", n > 0 && (ev->mask & IN_CREATE) ? "IN_CREATE" : "none",
           n > 0 ? ev->name : "");

    T("write file", write(fd, "0123456789", 10));
    T("fallocate", fallocate(fd, 0, 0, 4096));
    T("flock exclusive", flock(fd, LOCK_EX | LOCK_NB));
    T("sendfile memfd->file", sendfile(fd, mfd, &(off_t){ 0 }, 10));
    T("copy_file_range", copy_file_range(mfd, &(loff_t){ 0 }, fd, &(loff_t){ 100 }, 10, 0));
    int p[2], q[2];
    pipe(p);
    pipe(q);
    T("splice file->pipe", splice(fd, &(loff_t){ 0 }, p[1], NULL, 10, 0));
    T("tee pipe->pipe", tee(p[0], q[1], 10, 0));
    T("read teed", read(q[0], buf, 10));
    T("setxattr", setxattr(path, "user.asis", "v", 1, 0) == 0 || errno == ENOTSUP);
    T("getxattr missing", getxattr(path, "user.nothing", buf, sizeof(buf)));
    struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    T("utimensat", utimensat(AT_FDCWD, path, times, 0));
    struct stat st;
    stat(path, &st);
    printf("mtime set: %s\n", st.st_mtime == 1000000000 ? "yes" : "no");
    T("mkfifo", mkfifo(fifo, 0600));
    T("open fifo nonblocking", open(fifo, O_RDONLY | O_NONBLOCK) >= 0);
    T("close_range", syscall(SYS_close_range, fd + 1, fd + 64, 0));
    T("fd closed by close_range", fcntl(q[1], F_GETFD));
    T("dup2 to a bad fd", dup2(1, -1));
    T("fcntl F_DUPFD huge", fcntl(1, F_DUPFD, 1 << 30));
    scm_rights_beyond_limits();
    listings_through_copies();
    unlink(fifo);
    unlink(path);
    rmdir(dir);
    return 0;
}
