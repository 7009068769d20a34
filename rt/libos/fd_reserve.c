/* The reserved descriptor range (see fd_reserve.h). */
#include "libos/fd_reserve.h"
#include "pal/host.h"

/* The app's fd space ends at 64 Ki (minus asis's range) even when the host allows more:
 * the kernel sizes a process's fd table to its highest descriptor. */
#define FD_SPACE_CAP (1 << 16)

int g_fd_reserved_base = FD_SPACE_CAP - FD_RESERVED_COUNT;
static unsigned long g_app_nofile_cur, g_app_nofile_max, g_host_nofile_max;

struct rlimit64 {
    unsigned long cur, max;
};

void fd_reserve_init(void)
{
    struct rlimit64 lim;
    if (host_syscall4(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, 0, &lim) < 0)
        lim.cur = lim.max = 1024;
    unsigned long top = lim.max < FD_SPACE_CAP ? lim.max : FD_SPACE_CAP;
    /* A tiny hard limit: asis keeps a quarter of it (it needs only a few descriptors). */
    unsigned long reserved = top >= 4 * FD_RESERVED_COUNT ? FD_RESERVED_COUNT : top / 4;
    g_fd_reserved_base = (int)(top - reserved);
    g_app_nofile_cur = lim.cur < (unsigned long)g_fd_reserved_base ? lim.cur
                                                                    : (unsigned long)g_fd_reserved_base;
    g_app_nofile_max = g_fd_reserved_base;
    g_host_nofile_max = lim.max;
    /* Until fd_reserve_seal(), the soft limit reaches the range so asis can dup into it. */
    struct rlimit64 raised = { top, lim.max };
    host_syscall4(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, &raised, 0);
}

/* From now on the host enforces the app's own soft limit (EMFILE, EBADF on dup2 past
 * it); descriptors already above it, asis's, stay valid. */
static void apply_app_soft_limit(void)
{
    struct rlimit64 lim = { g_app_nofile_cur, g_host_nofile_max };
    host_syscall4(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, &lim, 0);
}

void fd_reserve_seal(void)
{
    apply_app_soft_limit();
}

int fd_move_to_reserved(int fd)
{
    long nfd = host_syscall3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, g_fd_reserved_base);
    if (nfd < 0)
        return (int)nfd;
    host_close(fd);
    return (int)nfd;
}

void fd_app_nofile_limits(unsigned long *cur, unsigned long *max)
{
    *cur = g_app_nofile_cur;
    *max = g_app_nofile_max;
}

int fd_app_set_nofile_limits(unsigned long cur, unsigned long max)
{
    if (cur > max)
        return -EINVAL;
    if (max > g_app_nofile_max)
        return -EPERM; /* as raising a hard limit without privilege */
    g_app_nofile_cur = cur;
    g_app_nofile_max = max;
    apply_app_soft_limit();
    return 0;
}

int fd_app_set_nofile_limits_host_only(unsigned long cur, unsigned long max)
{
    if (cur > max)
        return -EINVAL;
    if (max > g_app_nofile_max)
        return -EPERM;
    struct rlimit64 lim = { cur, g_host_nofile_max };
    return (int)host_syscall4(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, &lim, 0);
}
