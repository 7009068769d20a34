/* Signal delivery to the app (docs/signals-design.md). The host kernel keeps the queues:
 * while app code runs, the host's mask is host_mask_of(the app's) and each host
 * disposition mirrors the app's, with asis's on_async standing in for an app handler.
 * asis code runs with async signals blocked, except inside the interruptible window of a
 * blocking host call (syscall_interruptible). */
#ifndef ASIS_LIBOS_SIGNAL_H
#define ASIS_LIBOS_SIGNAL_H

#include "tcb.h"

#define SIGBIT(s) (1UL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* Raised by the CPU or by the trap mechanism: asis's own on the host, never blocked there. */
#define OWNED_SYNC                                                                          \
    (SIGBIT(SIGSYS) | SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGILL) |   \
     SIGBIT(SIGTRAP))
/* Everything else: blocked on the host while asis code runs. */
#define ASYNC_ALL (~(OWNED_SYNC | UNBLOCKABLE))

#define SIG_DFL_HANDLER ((void *)0)
#define SIG_IGN_HANDLER ((void *)1)

static inline kernel_sigset_t host_mask_of(kernel_sigset_t app_mask)
{
    return app_mask & ASYNC_ALL;
}

static inline int signal_is_owned(int sig)
{
    return (OWNED_SYNC & SIGBIT(sig)) != 0;
}

/* Index of an OWNED_SYNC signal in tcb.owned_info. */
static inline int owned_slot(int sig)
{
    switch (sig) {
    case SIGILL: return 0;
    case SIGTRAP: return 1;
    case SIGBUS: return 2;
    case SIGFPE: return 3;
    case SIGSEGV: return 4;
    default: return 5; /* SIGSYS */
    }
}

/* The app's action for sig, read under the lock (a vfork child's own, in its table). */
struct kernel_sigaction signal_action(int sig);
/* Owned signals (OWNED_SYNC) the app ignores: the window keeps them blocked, as Linux
 * drops them without interrupting anything. */
extern kernel_sigset_t g_owned_ignored;
/* A vfork child's own action table (it shares our memory, not our handlers): made from
 * the parent's at the vfork, freed with the child's thread area. 0 on failure. */
struct kernel_sigaction *signal_actions_copy(void);
void signal_actions_free(struct kernel_sigaction *table);

/* Makes uc enter the app's handler for si (or carry out the action the app set, if that
 * is not a handler): builds the kernel's frame on the app's stack, with mask_to_save as
 * the mask its rt_sigreturn restores. Linux's force_sigsegv if the frame cannot be
 * written. Sets uc->uc_sigmask to the host mask for the handler. (signal_frame.c) */
int signal_deliver(struct tcb *t, struct host_ucontext *uc, const struct host_siginfo *si,
                   kernel_sigset_t mask_to_save); /* 1 if a handler's frame was built */

/* Linux's force_sig_info(): a signal the app cannot refuse (a fault, a bad frame). If it
 * blocks or ignores it, or has no handler, the default action (death) follows. */
void signal_force(struct tcb *t, struct host_ucontext *uc, const struct host_siginfo *si);

/* Is sp on the app's alternate signal stack, as Linux's on_sig_stack() says? */
int signal_on_altstack(const struct host_stack *ss, uintptr_t sp);
/* sigaltstack's change, for the app's sp (sys_signal.c): 0 or -errno. */
long signal_altstack_set(struct tcb *t, const struct host_stack *ss, uintptr_t sp);
/* The app's action becomes SIG_DFL (SA_RESETHAND). */
void signal_reset_to_default(int sig);

/* Kills the process with sig as its host default action would (the signal is unblocked
 * and re-raised to this thread with SIG_DFL; the host acts when the handler returns). */
void signal_die(struct host_ucontext *uc, int sig);

/* The end of every trap: delivers a signal taken in the window (with the restart rules
 * of the interrupted call), or an owned signal that became unblocked; sets the mask the
 * host installs when it returns to the app. */
void signal_trap_exit(struct tcb *t, struct host_ucontext *uc);

/* A host call that may block, interruptible by the signals the app does not block. */
long syscall_interruptible(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* The same with the host mask of the window given: for calls that set their own mask
 * atomically (sigsuspend, ppoll), the window keeps every async signal blocked. */
long syscall_interruptible_within(kernel_sigset_t window_mask, long nr, long a1, long a2,
                                  long a3, long a4, long a5, long a6);
#define WINDOW_KEEPS_BLOCKED (~UNBLOCKABLE)
/* For a call with a temporary mask (ppoll, pselect6, epoll_pwait): reads the app's, makes
 * it the app's mask for the call as Linux does, and gives the host's form of it for the
 * call itself (made with syscall_interruptible_within(WINDOW_KEEPS_BLOCKED, ...)).
 * 0, -errno, or -ERESTARTNOHAND when an owned signal is due at once (the call ends). */
long signal_temporary_mask(const void *app_mask, size_t sigsetsize, kernel_sigset_t *host);
/* The owned signals (OWNED_SYNC) t's app blocks or ignores: none of them may interrupt
 * a call (so such a call is made in a window, whose mask holds them back). */
kernel_sigset_t signal_owned_refused(const struct tcb *t);
/* The owned signals a vfork child's own action table ignores (sys_signal.c). */
kernel_sigset_t signal_owned_ignored_by(const struct tcb *t);
/* The host mask inside a window for t (see syscall_interruptible). */
kernel_sigset_t signal_window_mask(const struct tcb *t);
/* What call nr (first argument arg1) had returned when the host rolled it back for a
 * restart: -ERESTARTNOINTR for the calls Linux restarts always, else -ERESTARTSYS. */
long signal_rolled_back_code(long nr, long arg1);
/* Leaves the trapped call nr to the PASS trampoline (gate.S): the trap returns into it
 * instead of to the app. Returns nr, which the trap puts in rax for the trampoline. */
long signal_pass_in_app(struct tcb *t, long nr);
/* A signal landed in the trampoline: make uc the app's context at its syscall, per
 * Linux's restart rules for sig. */
void signal_pass_to_app_context(struct tcb *t, struct host_ucontext *uc, int sig);

/* The xsave area size the kernel recorded in a frame it built (its sw bytes). */
size_t fpstate_size(const void *fpstate);

/* The host handler standing in for app handlers (rt/entry/host_signals.c). */
void host_signals_on_async(int sig, struct host_siginfo *si, struct host_ucontext *uc);

/* Is ret one of the -ERESTART* codes a call interrupted by a signal ends with? */
int signal_is_restart_code(long ret);

#endif
