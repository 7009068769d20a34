/* Waiting for signals: rt_sigpending, rt_sigsuspend, rt_sigtimedwait. The host holds
 * the pending signals; asis adds the signals it owns that a process sent while the app
 * blocked them (tcb.owned_pending), and keeps the host from seeing a mask that would
 * block asis's own signals. */
#include "libos/signal.h"
#include "libos/syscall.h"
#include "pal/host.h"

long sys_rt_sigpending(void *set, size_t sigsetsize)
{
    struct tcb *t = tcb_self();
    if (sigsetsize > sizeof(kernel_sigset_t))
        return -EINVAL;
    kernel_sigset_t host = 0;
    long r = host_syscall2(__NR_rt_sigpending, &host, sizeof(host));
    if (r < 0)
        return r;
    /* The host's mask in a trap blocks more than the app's: report only what the app
     * blocks, as Linux reports pending & blocked. */
    kernel_sigset_t pending = (host | t->owned_pending) & t->app_sigmask;
    if (copy_to_app(set, &pending, sigsetsize) < 0)
        return -EFAULT;
    return 0;
}

long sys_rt_sigsuspend(const void *app_mask, size_t sigsetsize)
{
    struct tcb *t = tcb_self();
    /* Linux's saved mask: the handler runs with this one, its frame saves the old one,
     * and without a handler the old one comes back (signal_trap_exit). */
    kernel_sigset_t host;
    long r = signal_temporary_mask(app_mask, sigsetsize, &host);
    if (r < 0)
        return r;
    /* host: the owned signals the app lets through interrupt it too (on_fault,
     * on_sigsys). */
    r = syscall_interruptible_within(WINDOW_KEEPS_BLOCKED, __NR_rt_sigsuspend, (long)&host,
                                     sizeof(host), 0, 0, 0, 0);
    /* A signal was taken: EINTR if its handler runs, a restart (with the same mask) if
     * the app's action changed meanwhile to one without a handler, as Linux. */
    return t->sig_taken ? -ERESTARTNOHAND : r;
}

long sys_rt_sigtimedwait(const void *app_set, void *app_info, const void *app_timeout,
                         size_t sigsetsize)
{
    struct tcb *t = tcb_self();
    kernel_sigset_t set;
    if (sigsetsize != sizeof(kernel_sigset_t))
        return -EINVAL;
    if (copy_from_app(&set, app_set, sizeof(set)) < 0)
        return -EFAULT;
    set &= ~UNBLOCKABLE;
    kernel_sigset_t owned = t->owned_pending & set;
    if (owned) {
        int sig = __builtin_ctzl(owned) + 1;
        struct host_siginfo si = t->owned_info[owned_slot(sig)];
        if (app_info && copy_to_app(app_info, &si, sizeof(si)) < 0)
            return -EFAULT;
        t->owned_pending &= ~SIGBIT(sig);
        return sig;
    }
    struct host_siginfo si;
    struct host_timespec ts;
    if (app_timeout && copy_from_app(&ts, app_timeout, sizeof(ts)) < 0)
        return -EFAULT;
    /* The owned signals the app waits for are blocked in the window (it blocks them),
     * so the host's call takes them as any other. */
    long r = syscall_interruptible(__NR_rt_sigtimedwait, (long)&set, (long)&si,
                                   app_timeout ? (long)&ts : 0, sizeof(set), 0, 0);
    if (r > 0 && app_info && copy_to_app(app_info, &si, sizeof(si)) < 0)
        return -EFAULT;
    return r;
}
