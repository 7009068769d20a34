/* Signal state: handlers, masks and alternate stacks are recorded as Linux would keep
 * them and reported back, but not yet delivered (signal delivery is a later step). */
#include "libos/syscall.h"
#include "lib/mutex.h"
#include "pal/host.h"

#define SIGBIT(s) (1UL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define MINSIGSTKSZ_LINUX 2048

static struct mutex g_sigaction_lock;
static struct kernel_sigaction g_app_sigactions[NSIG_LINUX + 1];

long sys_rt_sigaction(int sig, const void *act, void *oldact, size_t sigsetsize)
{
    struct kernel_sigaction new_action, old_action;
    if (sigsetsize != sizeof(kernel_sigset_t))
        return -EINVAL;
    if (sig < 1 || sig > NSIG_LINUX || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    if (act && copy_from_app(&new_action, act, sizeof(new_action)) < 0)
        return -EFAULT;
    mutex_lock(&g_sigaction_lock);
    old_action = g_app_sigactions[sig];
    if (act) {
        new_action.mask &= ~UNBLOCKABLE;
        g_app_sigactions[sig] = new_action;
    }
    mutex_unlock(&g_sigaction_lock);
    if (oldact && copy_to_app(oldact, &old_action, sizeof(old_action)) < 0)
        return -EFAULT;
    return 0;
}

long sys_rt_sigprocmask(int how, const void *set, void *oldset, size_t sigsetsize)
{
    struct tcb *t = tcb_self();
    kernel_sigset_t new_set, old_set = t->app_sigmask;
    if (sigsetsize != sizeof(kernel_sigset_t))
        return -EINVAL;
    if (set) {
        if (copy_from_app(&new_set, set, sizeof(new_set)) < 0)
            return -EFAULT;
        switch (how) {
        case SIG_BLOCK:
            new_set |= old_set;
            break;
        case SIG_UNBLOCK:
            new_set = old_set & ~new_set;
            break;
        case SIG_SETMASK:
            break;
        default:
            return -EINVAL;
        }
        t->app_sigmask = new_set & ~UNBLOCKABLE;
    }
    if (oldset && copy_to_app(oldset, &old_set, sizeof(old_set)) < 0)
        return -EFAULT;
    return 0;
}

long sys_sigaltstack(const void *ss, void *old_ss)
{
    struct tcb *t = tcb_self();
    struct host_stack new_stack, old_stack = t->app_altstack;
    if (!old_stack.ss_sp && !old_stack.ss_size)
        old_stack.ss_flags = SS_DISABLE;
    if (ss) {
        if (copy_from_app(&new_stack, ss, sizeof(new_stack)) < 0)
            return -EFAULT;
        unsigned mode = new_stack.ss_flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
            return -EINVAL;
        if (mode == SS_DISABLE) {
            new_stack.ss_sp = 0;
            new_stack.ss_size = 0;
            new_stack.ss_flags = SS_DISABLE;
        } else if (new_stack.ss_size < MINSIGSTKSZ_LINUX) {
            return -ENOMEM;
        } else {
            new_stack.ss_flags &= SS_AUTODISARM;
        }
    }
    if (old_ss && copy_to_app(old_ss, &old_stack, sizeof(old_stack)) < 0)
        return -EFAULT;
    if (ss)
        t->app_altstack = new_stack;
    return 0;
}
