/* The app's signal state and the calls that change it: actions (rt_sigaction), masks
 * (rt_sigprocmask), alternate stacks (sigaltstack). The host's dispositions and mask
 * follow the app's as rt/libos/signal.h says; delivery is signal_frame.c's. */
#include "libos/signal.h"
#include "libos/syscall.h"
#include "launch_plan.h"
#include "lib/fmt.h"
#include "lib/mutex.h"
#include "lib/string.h"
#include "pal/host.h"

#define MINSIGSTKSZ_LINUX 2048

/* sa_flags bits Linux keeps; others are cleared, so apps can probe with SA_UNSUPPORTED. */
#define SA_KNOWN_FLAGS                                                                     \
    (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | 0x800 /* SA_EXPOSE_TAGBITS */ |            \
     SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

static struct mutex g_sigaction_lock;
static struct kernel_sigaction g_app_sigactions[NSIG_LINUX + 1];
kernel_sigset_t g_owned_ignored;

#define ACTIONS_BYTES (sizeof(struct kernel_sigaction) * (NSIG_LINUX + 1))

/* The table the calling task's actions live in: a vfork child has its own. */
static struct kernel_sigaction *actions_of(const struct tcb *t)
{
    return t->vfork_actions ? t->vfork_actions : g_app_sigactions;
}

struct kernel_sigaction *signal_actions_copy(void)
{
    void *table = host_mmap(0, ACTIONS_BYTES, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host_is_error((long)table))
        return 0;
    mutex_lock(&g_sigaction_lock);
    memcpy(table, actions_of(tcb_self()), ACTIONS_BYTES);
    mutex_unlock(&g_sigaction_lock);
    return table;
}

void signal_actions_free(struct kernel_sigaction *table)
{
    if (table)
        host_munmap(table, ACTIONS_BYTES);
}

kernel_sigset_t signal_owned_ignored_by(const struct tcb *t)
{
    kernel_sigset_t ignored = 0;
    mutex_lock(&g_sigaction_lock);
    for (int sig = 1; sig <= NSIG_LINUX; sig++)
        if (signal_is_owned(sig) && actions_of(t)[sig].handler == SIG_IGN_HANDLER)
            ignored |= SIGBIT(sig);
    mutex_unlock(&g_sigaction_lock);
    return ignored;
}

static void note_owned_ignored(int sig, const struct kernel_sigaction *act)
{
    if (!signal_is_owned(sig))
        return;
    if (act->handler == SIG_IGN_HANDLER)
        __atomic_fetch_or(&g_owned_ignored, SIGBIT(sig), __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&g_owned_ignored, ~SIGBIT(sig), __ATOMIC_RELAXED);
}

/* The host disposition for the app's action: ignored and default stay so on the host
 * (which then carries them out: exit status, core, stop, continue), and a handler
 * becomes asis's on_async, which delivers to it. SA_RESTART on the host handler makes
 * the host tell asis which interrupted calls Linux would restart (signal_trap.c). */
static void mirror_to_host(int sig, const struct kernel_sigaction *act)
{
    if (signal_is_owned(sig) || sig == SIGKILL || sig == SIGSTOP)
        return;
    struct kernel_sigaction host = { .handler = act->handler };
    if (act->handler != SIG_DFL_HANDLER && act->handler != SIG_IGN_HANDLER) {
        host.handler = (void *)host_signals_on_async;
        host.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_RESTART;
        host.restorer = (void *)pal_sigreturn;
        host.mask = ASYNC_ALL;
    }
    if (sig == SIGCHLD)
        host.flags |= act->flags & (SA_NOCLDSTOP | SA_NOCLDWAIT);
    host_syscall4(__NR_rt_sigaction, sig, &host, 0, sizeof(kernel_sigset_t));
}

struct kernel_sigaction signal_action(int sig)
{
    mutex_lock(&g_sigaction_lock);
    struct kernel_sigaction act = actions_of(tcb_self())[sig];
    mutex_unlock(&g_sigaction_lock);
    return act;
}

void signal_reset_to_default(int sig)
{
    struct tcb *t = tcb_self();
    mutex_lock(&g_sigaction_lock);
    actions_of(t)[sig].handler = SIG_DFL_HANDLER;
    mirror_to_host(sig, &actions_of(t)[sig]);
    if (!t->vfork_actions)
        note_owned_ignored(sig, &g_app_sigactions[sig]);
    mutex_unlock(&g_sigaction_lock);
}

/* A hex number at *s; *s moves past it. */
static kernel_sigset_t parse_hex(const char **s)
{
    kernel_sigset_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            return v;
        v = v << 4 | (kernel_sigset_t)d;
    }
}

/* The next ",HEX" field at *s, or 0 if there is none. */
static kernel_sigset_t parse_next_hex(const char **s)
{
    if (**s != ',')
        return 0;
    (*s)++;
    return parse_hex(s);
}

void signal_state_init(struct tcb *main_thread, const char *plan_mask)
{
    /* What was ignored when asis started stays ignored for the app (nohup, trap ''). */
    for (int sig = 1; sig <= NSIG_LINUX; sig++) {
        struct kernel_sigaction old;
        if (!signal_is_owned(sig) &&
            host_syscall4(__NR_rt_sigaction, sig, 0, &old, sizeof(kernel_sigset_t)) == 0 &&
            old.handler == SIG_IGN_HANDLER)
            g_app_sigactions[sig].handler = SIG_IGN_HANDLER;
    }
    /* The app's mask: from the execve that started this runtime (the old one kept async
     * signals blocked on the host through it), else the mask asis was started with. */
    if (plan_mask) {
        /* MASK,IGNORED,PENDING: then the signals asis owns that the app ignored (execve
         * keeps SIG_IGN, but the host saw asis's handler for these), and those pending for
         * it (their siginfo is not kept: they read as sent with kill by an unknown
         * process). */
        main_thread->app_sigmask = parse_hex(&plan_mask) & ~UNBLOCKABLE;
        kernel_sigset_t ignored = parse_next_hex(&plan_mask) & OWNED_SYNC;
        kernel_sigset_t pending = parse_next_hex(&plan_mask) & OWNED_SYNC;
        for (int sig = 1; sig <= NSIG_LINUX; sig++) {
            if (ignored & SIGBIT(sig))
                g_app_sigactions[sig].handler = SIG_IGN_HANDLER;
            if (pending & SIGBIT(sig)) {
                struct host_siginfo *si = &main_thread->owned_info[owned_slot(sig)];
                memset(si, 0, sizeof(*si));
                si->si_signo = sig;
            }
        }
        g_owned_ignored = ignored;
        main_thread->owned_pending = pending;
    } else
        host_syscall4(__NR_rt_sigprocmask, SIG_BLOCK, 0, &main_thread->app_sigmask,
                      sizeof(kernel_sigset_t));
    /* No handler of the app's is installed yet, so no signal can reach asis code. */
    kernel_sigset_t host = host_mask_of(main_thread->app_sigmask);
    host_syscall4(__NR_rt_sigprocmask, SIG_SETMASK, &host, 0, sizeof(kernel_sigset_t));
}

void signal_exec_option(const struct tcb *t, char *buf, size_t size)
{
    /* execve keeps the mask; the host's stays the trap's (async blocked) until the new
     * runtime enters the app, so the app's travels in the launch plan, with the owned
     * signals it ignores (SIG_IGN survives an execve) and those pending for it. */
    fmt_snprintf(buf, size, "%s%lx,%lx,%lx", PLAN_OPT_SIGMASK, (unsigned long)t->app_sigmask,
                 (unsigned long)signal_owned_ignored_by(t), (unsigned long)t->owned_pending);
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
    struct tcb *t = tcb_self();
    mutex_lock(&g_sigaction_lock);
    /* A vfork child has its own handlers (no CLONE_SIGHAND) in its own table. */
    struct kernel_sigaction *actions = actions_of(t);
    old_action = actions[sig];
    if (act) {
        new_action.mask &= ~UNBLOCKABLE;
        new_action.flags &= SA_KNOWN_FLAGS;
        actions[sig] = new_action;
        mirror_to_host(sig, &new_action);
        if (!t->vfork_actions)
            note_owned_ignored(sig, &new_action);
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
        /* The host's follows at trap exit (signal_trap_exit). */
        t->app_sigmask = new_set & ~UNBLOCKABLE;
    }
    if (oldset && copy_to_app(oldset, &old_set, sizeof(old_set)) < 0)
        return -EFAULT;
    return 0;
}

long signal_altstack_set(struct tcb *t, const struct host_stack *ss, uintptr_t sp)
{
    /* kernel/signal.c do_sigaltstack */
    if (signal_on_altstack(&t->app_altstack, sp))
        return -EPERM;
    unsigned mode = (unsigned)ss->ss_flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
        return -EINVAL;
    struct host_stack next = *ss;
    if (mode == SS_DISABLE) {
        next.ss_sp = 0;
        next.ss_size = 0;
    } else if (next.ss_size < MINSIGSTKSZ_LINUX) {
        return -ENOMEM;
    }
    t->app_altstack = next;
    return 0;
}

long sys_sigaltstack(const void *ss, void *old_ss)
{
    struct tcb *t = tcb_self();
    uintptr_t sp = t->trap_uc->uc_mcontext.rsp;
    struct host_stack new_stack, old_stack = t->app_altstack;
    /* Reported as Linux's sas_ss_flags(sp) plus SS_AUTODISARM. */
    old_stack.ss_flags = (!old_stack.ss_size ? SS_DISABLE
                          : signal_on_altstack(&t->app_altstack, sp) ? SS_ONSTACK : 0) |
                         (int)((unsigned)t->app_altstack.ss_flags & SS_AUTODISARM);
    if (ss) {
        if (copy_from_app(&new_stack, ss, sizeof(new_stack)) < 0)
            return -EFAULT;
        long r = signal_altstack_set(t, &new_stack, sp);
        if (r < 0)
            return r;
    }
    /* As Linux: the new stack is in place even if the old one cannot be reported. */
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
