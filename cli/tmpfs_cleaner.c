/* Removes the directories behind --tmpfs mounts when the app has ended. The front end
 * becomes the runtime (exec), which cannot be trusted to clean up: the app may be
 * killed by a signal. So a detached process waits on a pidfd of this process, which
 * becomes readable when the process ends however it ends, and then removes them. */
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "exit_codes.h"

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
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
    for (int i = 0; i < count; i++)
        nftw(dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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
    pid_t child = fork();
    if (child < 0) {
        cli_error("run: cannot start the --tmpfs cleaner: %s", strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }
    if (child == 0) {
        /* The grandchild does the work, so the app never has it as a child to wait for. */
        if (fork() == 0)
            clean_when_done(pidfd, dirs, count);
        _exit(0);
    }
    close(pidfd);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    return 0;
}
