/* Signals and the trap: the interruptible window around a blocking host call, and what
 * the end of a trap does with a signal taken there (docs/signals-design.md 2.2, 2.3). */
#include "libos/signal.h"
#include "libos/syscall.h"
#include "pal/host.h"

long syscall_interruptible(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    return syscall_interruptible_within(signal_window_mask(tcb_self()), nr, a1, a2, a3, a4, a5,
                                        a6);
}

kernel_sigset_t signal_owned_refused(const struct tcb *t)
{
    kernel_sigset_t ignored = t->vfork_actions ? signal_owned_ignored_by(t)
                                               : __atomic_load_n(&g_owned_ignored, __ATOMIC_RELAXED);
    return OWNED_SYNC & (t->app_sigmask | ignored);
}

kernel_sigset_t signal_window_mask(const struct tcb *t)
{
    /* Nothing in the window faults or traps, so the owned signals may be blocked there:
     * those the app blocks or ignores must not interrupt the call. */
    return host_mask_of(t->app_sigmask) | signal_owned_refused(t);
}

/* An owned signal pending in t that the app's mask (just changed by sigsuspend, ppoll...)
 * lets through becomes the trap's taken signal (ignored ones are dropped): 1 if one did,
 * and the call must then end with -ERESTARTNOHAND. */
static int signal_take_owned_due(struct tcb *t)
{
    for (;;) {
        kernel_sigset_t due = t->owned_pending & ~t->app_sigmask;
        if (!due)
            return 0;
        int sig = __builtin_ctzl(due) + 1;
        t->owned_pending &= ~SIGBIT(sig);
        if (signal_action(sig).handler == SIG_IGN_HANDLER)
            continue; /* as Linux: an ignored signal is dropped when it is dequeued */
        t->taken = t->owned_info[owned_slot(sig)];
        t->sig_taken = 1;
        return 1;
    }
}

long syscall_interruptible_within(kernel_sigset_t window_mask, long nr, long a1, long a2,
                                  long a3, long a4, long a5, long a6)
{
    tcb_self()->window_mask = window_mask;
    return pal_syscall6_intr(nr, a1, a2, a3, a4, a5, a6);
}

int signal_is_restart_code(long ret)
{
    return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
           ret == -ERESTART_RESTARTBLOCK;
}

/* Linux's handle_signal() restart rules for the interrupted call in uc, for signal sig
 * (0: none that runs a handler, as after a stop). */
static void settle_interrupted_call(struct tcb *t, struct host_ucontext *uc, int sig)
{
    struct host_mcontext *m = &uc->uc_mcontext;
    long ret = (long)m->rax;
    if (!signal_is_restart_code(ret))
        return;
    struct kernel_sigaction act = { .handler = SIG_DFL_HANDLER };
    if (sig)
        act = signal_action(sig);
    int handler = act.handler != SIG_DFL_HANDLER && act.handler != SIG_IGN_HANDLER;
    if (!handler || ret == -ERESTARTNOINTR ||
        (ret == -ERESTARTSYS && (act.flags & SA_RESTART))) {
        m->rip = t->restart_rip; /* the app's syscall, made again after the handler */
        m->rax = (uint64_t)t->trap_nr;
    } else {
        m->rax = (uint64_t)-EINTR;
    }
}

/* Calls the host restarts whatever the handler's SA_RESTART (-ERESTARTNOINTR): the
 * futex PI operations (kernel/futex/pi.c, requeue.c). A rolled-back call does not say
 * which code it had, so asis knows them by name. */
static int restarts_always(long nr, long futex_op)
{
    if (nr != __NR_futex)
        return 0;
    long op = futex_op & FUTEX_CMD_MASK;
    return op == FUTEX_LOCK_PI || op == FUTEX_LOCK_PI2 || op == FUTEX_WAIT_REQUEUE_PI;
}

long signal_rolled_back_code(long nr, long arg1)
{
    return restarts_always(nr, arg1) ? -ERESTARTNOINTR : -ERESTARTSYS;
}

long signal_pass_in_app(struct tcb *t, long nr)
{
    struct host_mcontext *m = &t->trap_uc->uc_mcontext;
    t->pass_ret = m->rip;
    t->pass_deferred = 1;
    m->rip = (uintptr_t)pal_pass_syscall;
    return nr;
}

void signal_pass_to_app_context(struct tcb *t, struct host_ucontext *uc, int sig)
{
    struct host_mcontext *m = &uc->uc_mcontext;
    uintptr_t ret = t->pass_ret;
    if (m->rip == (uintptr_t)pal_pass_syscall && m->rcx == (uintptr_t)pal_pass_after) {
        /* The host rolled the call back for a restart (rax is the number again). */
        m->rax = (uint64_t)signal_rolled_back_code(t->trap_nr, (long)m->rsi);
        m->rip = ret;
        settle_interrupted_call(t, uc, sig);
    } else if (m->rip == (uintptr_t)pal_pass_syscall) {
        m->rip = t->restart_rip; /* not made yet: made again after the handler (rax = nr) */
    } else {
        m->rip = ret; /* made: rax holds its result */
    }
    m->rcx = ret;
}

void signal_trap_exit(struct tcb *t, struct host_ucontext *uc)
{
    int deferred = t->pass_deferred, delivered = 0;
    t->pass_deferred = 0;
    kernel_sigset_t mask_to_save = t->saved_mask_valid ? t->saved_mask : t->app_sigmask;
    int restart = t->trap_nr != __NR_rt_sigreturn && signal_is_restart_code((long)uc->uc_mcontext.rax);
    if (!t->sig_taken && restart) {
        /* Interrupted by a signal the host handled itself (a stop): restart, as Linux. */
        settle_interrupted_call(t, uc, 0);
    } else if (!t->sig_taken && signal_take_owned_due(t) && deferred) {
        /* An owned signal the app let through meanwhile: the call is made after it. */
        uc->uc_mcontext.rip = t->restart_rip;
    }
    if (t->sig_taken) {
        t->sig_taken = 0;
        settle_interrupted_call(t, uc, t->taken.si_signo);
        delivered = signal_deliver(t, uc, &t->taken, mask_to_save);
    }
    if (!delivered) {
        /* Linux's restore_saved_sigmask: no handler ran, so the call's temporary mask
         * (sigsuspend, ppoll ...) ends with it. */
        if (t->saved_mask_valid)
            t->app_sigmask = t->saved_mask;
        uc->uc_sigmask = host_mask_of(t->app_sigmask);
    }
    t->saved_mask_valid = 0;
}

long signal_temporary_mask(const void *app_mask, size_t sigsetsize, kernel_sigset_t *host)
{
    struct tcb *t = tcb_self();
    kernel_sigset_t mask;
    if (sigsetsize != sizeof(kernel_sigset_t))
        return -EINVAL;
    if (copy_from_app(&mask, app_mask, sizeof(mask)) < 0)
        return -EFAULT;
    /* Linux's set_user_sigmask: the handler of a signal that interrupts the call runs with
     * this mask and its frame restores the old one; otherwise the old one is back at once
     * (signal_trap_exit). */
    t->saved_mask = t->app_sigmask;
    t->saved_mask_valid = 1;
    t->app_sigmask = mask & ~UNBLOCKABLE;
    *host = signal_window_mask(t);
    /* An owned signal the new mask lets through ends the call before it starts. */
    return signal_take_owned_due(t) ? -ERESTARTNOHAND : 0;
}
