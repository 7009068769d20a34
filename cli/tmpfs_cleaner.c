/* Removes the directories behind --tmpfs mounts when the app has ended. The front end
 * becomes the runtime (exec), which cannot be trusted to clean up: the app may be
 * killed by a signal. So a detached process waits on a pidfd of this process, which
 * becomes readable when the process ends however it ends, and then removes them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "exit_codes.h"

/* The removal works on directory fds, never on paths: a process of the app that
 * outlives it may still swap a directory for a symlink, and the cleaner (the user,
 * maybe root) must not follow it out of the tmpfs. Every directory is opened relative to
 * its parent's fd with O_NOFOLLOW, every entry removed with unlinkat in its parent. */
#define REMOVE_DEPTH_MAX 1000 /* deeper directories are left (one fd per level) */
#define REMOVE_PASSES 4       /* a survivor may add entries while they are removed */

static int is_dot_or_dotdot(const char *name)
{
    return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* Removes what the directory dirfd holds, and closes dirfd. */
static void remove_contents(int dirfd, int depth)
{
    DIR *d = fdopendir(dirfd);
    if (!d) {
        close(dirfd);
        return;
    }
    for (int pass = 0; pass < REMOVE_PASSES; pass++) {
        int removed = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (is_dot_or_dotdot(e->d_name))
                continue;
            struct stat st;
            if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                continue;
            if (S_ISDIR(st.st_mode) && depth < REMOVE_DEPTH_MAX) {
                int sub = openat(dirfd, e->d_name,
                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                    remove_contents(sub, depth + 1);
            }
            if (unlinkat(dirfd, e->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) == 0)
                removed = 1;
        }
        if (!removed)
            break;
        rewinddir(d);
    }
    closedir(d);
}

static void remove_tree(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    remove_contents(fd, 0);
    rmdir(dir); /* asis made it: a symlink put in its place is not removed (ENOTDIR) */
}

static void clean_when_done(int pidfd, char *const dirs[], int count)
{
    /* Out of the app's session (a Ctrl-C for the app must not kill the cleaner) and
     * holding nothing of it (a pipe end kept open here would keep a reader waiting). */
    setsid();
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    if (pidfd > 0)
        syscall(SYS_close_range, 0, pidfd - 1, 0);
    syscall(SYS_close_range, pidfd + 1, ~0U, 0);
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
    /* Room for an fd per level of a deep tree. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    for (int i = 0; i < count; i++)
        remove_tree(dirs[i]);
}

int tmpfs_cleaner_start(char *const dirs[], int count)
{
    if (count == 0)
        return 0;
    /* A pidfd of this very process: the runtime keeps its pid across the exec. It is
     * close-on-exec, so the app never sees it. */
    int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (pidfd < 0) {
        cli_error("run: --tmpfs needs pidfd_open (Linux 5.3): %s", strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }
    /* The cleaner is made a child of our parent (CLONE_PARENT), not of this process:
     * the app must not find it among its children, nor its CPU time in
     * getrusage(RUSAGE_CHILDREN), which a child reaped here would leave. Where that is
     * refused (this process is a namespace's init), a grandchild does the work. */
    pid_t child = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
    if (child == 0) {
        clean_when_done(pidfd, dirs, count);
        _exit(0);
    }
    if (child < 0 && errno == EINVAL) {
        child = fork();
        if (child == 0) {
            if (fork() == 0)
                clean_when_done(pidfd, dirs, count);
            _exit(0);
        }
        if (child > 0)
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
    }
    if (child < 0) {
        cli_error("run: cannot start the --tmpfs cleaner: %s", strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }
    close(pidfd);
    return 0;
}
