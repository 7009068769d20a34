/* Polling: poll, ppoll, select and pselect6 pass through to the host, except that
 * asis's reserved descriptors must not exist for the app: poll reports them POLLNVAL
 * (and returns at once, as for any closed fd), select ignores them as it ignores
 * descriptors past the end of the fd table. The host would report them as the open
 * files they are. (epoll needs nothing: the dispatcher checks epoll_ctl's fd.) */
#include "libos/syscall.h"
#include "libos/signal.h"
#include "libos/fd_reserve.h"
#include "pal/host.h"

#define POLLNVAL_BIT 0x20
#define POLL_STACK_ENTRIES 64
#define NSEC_PER_SEC 1000000000L

struct app_pollfd {
    int fd;
    short events, revents;
};

struct app_timespec {
    long sec, nsec;
};

static int is_reserved(int fd)
{
    return fd >= 0 && fd_is_reserved(fd);
}

/* As the kernel's poll_select_set_timeout: a negative or unnormalised time is EINVAL. */
static long check_timeout(long sec, long nsec)
{
    return sec < 0 || (unsigned long)nsec >= NSEC_PER_SEC ? -EINVAL : 0;
}

/* ---------------------------------------------------------------- poll, ppoll */

/* 1 if the app's array names a reserved descriptor, 0 if not, -EFAULT if it cannot be
 * read (the host will then say so itself). */
static long pollfds_name_reserved(const struct app_pollfd *app_fds, unsigned long nfds)
{
    struct app_pollfd chunk[POLL_STACK_ENTRIES];
    for (unsigned long i = 0; i < nfds; i += POLL_STACK_ENTRIES) {
        unsigned long n = nfds - i < POLL_STACK_ENTRIES ? nfds - i : POLL_STACK_ENTRIES;
        if (copy_from_app(chunk, app_fds + i, n * sizeof(chunk[0])) < 0)
            return -EFAULT;
        for (unsigned long j = 0; j < n; j++)
            if (is_reserved(chunk[j].fd))
                return 1;
    }
    return 0;
}

/* Polls a copy of the app's array in which the reserved entries are disabled, without
 * waiting (each of them is a ready POLLNVAL), and writes back every revents as the
 * kernel does. For ppoll, the app's signal mask is only checked: the result is at least
 * 1, so no signal could interrupt the call and the mask would change nothing. */
static long poll_hiding_reserved(struct app_pollfd *app_fds, unsigned long nfds, int is_ppoll,
                                 const void *ppoll_mask, size_t ppoll_size)
{
    struct app_pollfd stack_fds[POLL_STACK_ENTRIES];
    unsigned char stack_hidden[POLL_STACK_ENTRIES];
    struct app_pollfd *fds = stack_fds;
    unsigned char *hidden = stack_hidden;
    size_t map_bytes = 0;
    long r;

    if (nfds > POLL_STACK_ENTRIES) {
        map_bytes = (nfds * (sizeof(*fds) + 1) + 4095) & ~4095UL;
        fds = host_mmap(0, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (host_is_error((long)fds))
            return -ENOMEM;
        hidden = (unsigned char *)(fds + nfds);
    }
    if (copy_from_app(fds, app_fds, nfds * sizeof(*fds)) < 0) {
        r = -EFAULT;
        goto out;
    }
    long nval = 0;
    for (unsigned long i = 0; i < nfds; i++) {
        hidden[i] = is_reserved(fds[i].fd);
        if (hidden[i]) {
            fds[i].fd = -1; /* ignored by the host */
            nval++;
        }
    }
    if (is_ppoll && ppoll_mask) {
        kernel_sigset_t mask;
        if (ppoll_size != sizeof(mask)) {
            r = -EINVAL;
            goto out;
        }
        if (copy_from_app(&mask, ppoll_mask, sizeof(mask)) < 0) {
            r = -EFAULT;
            goto out;
        }
    }
    struct app_timespec zero = { 0, 0 };
    if (is_ppoll)
        r = host_syscall5(__NR_ppoll, fds, nfds, &zero, 0, ppoll_size);
    else
        r = host_syscall3(__NR_poll, fds, nfds, 0);
    if (r < 0)
        goto out;
    for (unsigned long i = 0; i < nfds; i++) {
        short revents = hidden[i] ? POLLNVAL_BIT : fds[i].revents;
        if (copy_to_app(&app_fds[i].revents, &revents, sizeof(revents)) < 0) {
            r = -EFAULT;
            goto out;
        }
    }
    r += nval;
out:
    if (map_bytes)
        host_munmap(fds, map_bytes);
    return r;
}

/* Past the NOFILE limit the host refuses nfds (EINVAL) before reading anything. */
static int nfds_within_limit(unsigned long nfds)
{
    unsigned long cur, max;
    fd_app_nofile_limits(&cur, &max);
    return nfds <= cur;
}

long sys_poll(void *app_fds, unsigned long nfds, int timeout_ms)
{
    if (nfds_within_limit(nfds) && pollfds_name_reserved(app_fds, nfds) == 1)
        return poll_hiding_reserved(app_fds, nfds, 0, 0, 0);
    return syscall_interruptible(__NR_poll, (long)app_fds, nfds, timeout_ms, 0, 0, 0);
}

long sys_ppoll(void *app_fds, unsigned long nfds, const void *app_timeout, const void *sigmask,
               size_t sigsetsize)
{
    if (nfds_within_limit(nfds) && pollfds_name_reserved(app_fds, nfds) == 1) {
        /* The timeout is checked first, as by the kernel; it does not matter otherwise.
         * What is left of it is all of it, so it is not written back. */
        if (app_timeout) {
            struct app_timespec ts;
            if (copy_from_app(&ts, app_timeout, sizeof(ts)) < 0)
                return -EFAULT;
            long r = check_timeout(ts.sec, ts.nsec);
            if (r < 0)
                return r;
        }
        return poll_hiding_reserved(app_fds, nfds, 1, sigmask, sigsetsize);
    }
    if (!sigmask)
        return syscall_interruptible(__NR_ppoll, (long)app_fds, nfds, (long)app_timeout, 0,
                                     sigsetsize, 0);
    kernel_sigset_t host_mask;
    long r = signal_temporary_mask(sigmask, sigsetsize, &host_mask);
    if (r < 0)
        return r;
    return syscall_interruptible_within(WINDOW_KEEPS_BLOCKED, __NR_ppoll, (long)app_fds, nfds,
                                        (long)app_timeout, (long)&host_mask, sigsetsize, 0);
}

/* ---------------------------------------------------------------- select, pselect6 */

/* The kernel ignores the bits of descriptors past the end of the process's fd table;
 * for the app that table ends where asis's range begins, so nfds stops there too. */
static int app_nfds(int nfds)
{
    return nfds > g_fd_reserved_base ? g_fd_reserved_base : nfds;
}

long sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout)
{
    return syscall_interruptible(__NR_select, app_nfds(nfds), (long)readfds, (long)writefds,
                                 (long)exceptfds, (long)app_timeout, 0);
}

long sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout,
                  void *app_sigarg)
{
    /* The sixth argument is { const sigset_t *mask; size_t size }. */
    struct { const void *mask; size_t size; } arg;
    if (app_sigarg && copy_from_app(&arg, app_sigarg, sizeof(arg)) < 0)
        return -EFAULT;
    if (!app_sigarg || !arg.mask) /* asis's copy: the app's could change meanwhile */
        return syscall_interruptible(__NR_pselect6, app_nfds(nfds), (long)readfds,
                                     (long)writefds, (long)exceptfds, (long)app_timeout,
                                     app_sigarg ? (long)&arg : 0);
    kernel_sigset_t host_mask;
    long r = signal_temporary_mask(arg.mask, arg.size, &host_mask);
    if (r < 0)
        return r;
    arg.mask = &host_mask;
    return syscall_interruptible_within(WINDOW_KEEPS_BLOCKED, __NR_pselect6, app_nfds(nfds),
                                        (long)readfds, (long)writefds, (long)exceptfds,
                                        (long)app_timeout, (long)&arg);
}

/* ---------------------------------------------------------------- epoll_pwait(2) */

static long epoll_wait_masked(long nr, int epfd, void *events, int maxevents, long timeout,
                              const void *sigmask, size_t sigsetsize)
{
    if (!sigmask)
        return syscall_interruptible(nr, epfd, (long)events, maxevents, timeout, 0, sigsetsize);
    kernel_sigset_t host_mask;
    long r = signal_temporary_mask(sigmask, sigsetsize, &host_mask);
    if (r < 0)
        return r;
    return syscall_interruptible_within(WINDOW_KEEPS_BLOCKED, nr, epfd, (long)events, maxevents,
                                        timeout, (long)&host_mask, sigsetsize);
}

long sys_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms,
                     const void *sigmask, size_t sigsetsize)
{
    return epoll_wait_masked(__NR_epoll_pwait, epfd, events, maxevents, timeout_ms, sigmask,
                             sigsetsize);
}

long sys_epoll_pwait2(int epfd, void *events, int maxevents, const void *timeout,
                      const void *sigmask, size_t sigsetsize)
{
    return epoll_wait_masked(__NR_epoll_pwait2, epfd, events, maxevents, (long)timeout, sigmask,
                             sigsetsize);
}
