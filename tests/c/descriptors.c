// Descriptor kinds and I/O calls beyond read/write: memfd, timerfd, eventfd, inotify,
// a FIFO, splice/tee/sendfile/copy_file_range, poll and select, flock, fallocate,
// xattrs, utimensat, close_range; results and errnos as Linux gives them.
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
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "lib/outcome.h"


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
    unlink(fifo);
    unlink(path);
    rmdir(dir);
    return 0;
}
