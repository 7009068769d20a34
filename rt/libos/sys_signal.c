/* Signal state: handlers, masks and alternate stacks are recorded as Linux would keep
 * them and reported back, but not yet delivered (signal delivery is a later step). */
#include "libos/syscall.h"
#include "lib/mutex.h"
#include "pal/host.h"

#define SIGBIT(s) (1UL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define MINSIGSTKSZ_LINUX 2048
#define SIGPIPE_NUMBER 13

#define SIG_DFL_HANDLER ((void *)0)
#define SIG_IGN_HANDLER ((void *)1)
/* sa_flags bits Linux keeps; others are cleared, so apps can probe with SA_UNSUPPORTED. */
#define SA_KNOWN_FLAGS                                                                     \
    (0x1 /* SA_NOCLDSTOP */ | 0x2 /* SA_NOCLDWAIT */ | SA_SIGINFO | 0x800 /* SA_EXPOSE_TAGBITS */ | \
     SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

static struct mutex g_sigaction_lock;
static struct kernel_sigaction g_app_sigactions[NSIG_LINUX + 1];

/* Signals whose host handler is asis's own (rt/entry/host_signals.c). */
static int asis_owns(int sig)
{
    return sig == SIGSYS || sig == SIGSEGV || sig == SIGBUS;
}

/* Until signals are delivered, the host disposition follows the app's as closely as it
 * can: ignored stays ignored, default stays default, and a handler gets the default
 * action, except SIGPIPE, which a handler (Go's, for one) mostly uses to turn a broken
 * pipe into EPIPE: it is ignored on the host. */
static void mirror_to_host(int sig, const struct kernel_sigaction *act)
{
    if (asis_owns(sig) || sig == SIGKILL || sig == SIGSTOP)
        return;
    struct kernel_sigaction host = { .handler = SIG_DFL_HANDLER };
    if (act->handler == SIG_IGN_HANDLER || (sig == SIGPIPE_NUMBER && act->handler != SIG_DFL_HANDLER))
        host.handler = SIG_IGN_HANDLER;
    host_syscall4(__NR_rt_sigaction, sig, &host, 0, sizeof(kernel_sigset_t));
}

void signal_state_init(struct tcb *main_thread)
{
    /* What was ignored when asis started stays ignored for the app (nohup, trap ''). */
    for (int sig = 1; sig <= NSIG_LINUX; sig++) {
        struct kernel_sigaction old;
        if (!asis_owns(sig) && host_syscall4(__NR_rt_sigaction, sig, 0, &old, sizeof(kernel_sigset_t)) == 0 &&
            old.handler == SIG_IGN_HANDLER)
            g_app_sigactions[sig].handler = SIG_IGN_HANDLER;
    }
    /* The mask asis-rt started with is the app's (execve keeps it); the signals asis
     * handles itself must not be blocked on the host. */
    host_syscall4(__NR_rt_sigprocmask, SIG_BLOCK, 0, &main_thread->app_sigmask, sizeof(kernel_sigset_t));
    kernel_sigset_t owned = SIGBIT(SIGSYS) | SIGBIT(SIGSEGV) | SIGBIT(SIGBUS);
    host_syscall4(__NR_rt_sigprocmask, SIG_UNBLOCK, &owned, 0, sizeof(kernel_sigset_t));
}

void signal_mask_for_exec(const struct tcb *t)
{
    /* execve keeps the signal mask: make the host's the app's (the trap handler runs with
     * SIGSYS blocked, which the new runtime would inherit). */
    kernel_sigset_t mask = t->app_sigmask & ~(SIGBIT(SIGSYS) | SIGBIT(SIGSEGV) | SIGBIT(SIGBUS));
    host_syscall4(__NR_rt_sigprocmask, SIG_SETMASK, &mask, 0, sizeof(kernel_sigset_t));
}

void signal_dispositions_for_exec(void)
{
    /* A handled SIGPIPE is ignored on the host only as a stand-in for the handler;
     * execve resets handlers to the default, so the new program must not inherit it. */
    if (g_app_sigactions[SIGPIPE_NUMBER].handler != SIG_IGN_HANDLER) {
        struct kernel_sigaction dfl = { .handler = SIG_DFL_HANDLER };
        host_syscall4(__NR_rt_sigaction, SIGPIPE_NUMBER, &dfl, 0, sizeof(kernel_sigset_t));
    }
}

void signal_dispositions_after_failed_exec(void)
{
    mirror_to_host(SIGPIPE_NUMBER, &g_app_sigactions[SIGPIPE_NUMBER]);
}

void signal_mask_after_failed_exec(void)
{
    kernel_sigset_t sigsys = SIGBIT(SIGSYS);
    host_syscall4(__NR_rt_sigprocmask, SIG_BLOCK, &sigsys, 0, sizeof(kernel_sigset_t));
}

long sys_rt_sigaction(int sig, const void *act, void *oldact, size_t sigsetsize)
{
    struct kernel_sigaction new_action, old_action;
    if (sigsetsize != sizeof(kernel_sigset_t))
        return -EINVAL;
    if (act && copy_from_app(&new_action, act, sizeof(new_action)) < 0)
        return -EFAULT;
    if (sig < 1 || sig > NSIG_LINUX || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    mutex_lock(&g_sigaction_lock);
    old_action = g_app_sigactions[sig];
    if (act && tcb_self()->vfork_child) {
        /* A vfork child has its own handlers (no CLONE_SIGHAND) but shares our memory:
         * only its host disposition changes, never the parent's record. */
        mirror_to_host(sig, &new_action);
    } else if (act) {
        new_action.mask &= ~UNBLOCKABLE;
        new_action.flags &= SA_KNOWN_FLAGS;
        g_app_sigactions[sig] = new_action;
        mirror_to_host(sig, &new_action);
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
    /* As Linux: the new stack is in place even if the old one cannot be reported. */
    if (ss)
        t->app_altstack = new_stack;
    if (old_ss && copy_to_app(old_ss, &old_stack, sizeof(old_stack)) < 0)
        return -EFAULT;
    return 0;
}

void signal_state_lock(void)
{
    mutex_lock(&g_sigaction_lock);
}

void signal_state_unlock(void)
{
    mutex_unlock(&g_sigaction_lock);
}
