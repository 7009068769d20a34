/* Host signal handlers. All run on the thread's asis stack (SA_ONSTACK with the
 * sigaltstack every thread gets), so the app's stack is never used, however small; that
 * stack is empty whenever app code runs. docs/signals-design.md says why each is so. */
#include "entry/host_signals.h"
#include <linux/audit.h>
#include "lib/fmt.h"
#include "lib/log.h"
#include "lib/self_symbols.h"
#include "lib/string.h"
#include "libos/patch.h"
#include "libos/rdtsc.h"
#include "libos/signal.h"
#include "libos/syscall.h"
#include "pal/host.h"

extern const char __ehdr_start[], _end[];

/* asis's own code. The gate's clock calls for the vDSO (gate.S) are not: the app runs
 * them, as it runs its vDSO, and a signal or fault there is the app's. */
static int in_asis(uintptr_t rip)
{
    if (rip >= (uintptr_t)pal_vdso_calls_start && rip < (uintptr_t)pal_vdso_calls_end)
        return 0;
    return rip >= (uintptr_t)__ehdr_start && rip < (uintptr_t)_end;
}

/* si_code <= 0: sent with kill, tgkill or sigqueue, not raised by the kernel for this
 * thread. */
static int sent_by_a_process(const struct host_siginfo *si)
{
    return si->si_code <= 0;
}

/* A signal that arrived in the interruptible window of a blocking host call (gate.S):
 * note it for the trap's exit and end the call, with -ERESTART* if it was not made or was
 * rolled back by the host (then the app's SA_RESTART decides), or with its result. */
static void take_in_window(struct tcb *t, const struct host_siginfo *si, struct host_ucontext *uc)
{
    struct host_mcontext *m = &uc->uc_mcontext;
    uintptr_t rip = m->rip;
    if (rip > (uintptr_t)pal_window_end)
        ; /* closing the window: the result is already saved */
    else if (rip < (uintptr_t)pal_window_syscall ||
        (rip == (uintptr_t)pal_window_syscall && m->rcx != (uintptr_t)pal_window_end))
        m->rax = (uint64_t)-ERESTARTNOINTR; /* not made: as if the signal came just before */
    else if (rip == (uintptr_t)pal_window_syscall)
        /* the host rolled it back: the app's own arguments say which code it had */
        m->rax = (uint64_t)signal_rolled_back_code(t->trap_nr,
                                                   (long)t->trap_uc->uc_mcontext.rsi);
    if (rip <= (uintptr_t)pal_window_end)
        m->rip = (uintptr_t)pal_window_end;
    t->taken = *si;
    t->sig_taken = 1;
    uc->uc_sigmask |= ASYNC_ALL; /* one signal per trap: the rest wait in the host */
}

static int in_pass_trampoline(uintptr_t rip)
{
    return rip >= (uintptr_t)pal_pass_syscall && rip < (uintptr_t)pal_pass_end;
}

/* From the unblocking to the re-blocking of the window (gate.S). At pal_window_closed
 * itself the caller's mask is back: what arrives there was held by the window's mask. */
static int in_window(uintptr_t rip)
{
    return rip >= (uintptr_t)pal_window_start && rip < (uintptr_t)pal_window_closed;
}

void host_signals_on_async(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    uintptr_t rip = uc->uc_mcontext.rip;
    (void)sig;
    if (in_window(rip)) {
        take_in_window(t, si, uc);
        return;
    }
    if (patch_app_context(t, uc)) {
        ; /* a stub or the patch entry, standing for the app at its site */
    } else if (in_pass_trampoline(rip)) {
        signal_pass_to_app_context(t, uc, si->si_signo); /* then as in app code */
    } else if (in_asis(rip)) {
        /* asis code runs with async signals blocked outside the windows: a bug. Keep the
         * signal for later rather than lose it. */
        static int logged;
        if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
            log_warn("signal %d arrived in asis code at +0x%lx; requeued (an asis bug)",
                     si->si_signo, rip - (uintptr_t)__ehdr_start);
        host_syscall4(__NR_rt_tgsigqueueinfo, host_getpid(), host_gettid(), si->si_signo, si);
        uc->uc_sigmask |= ASYNC_ALL;
        return;
    }
    signal_deliver(t, uc, si, t->app_sigmask);
}

/* A signal asis owns (SIGSEGV ...) sent by a process: to the app as any other signal. */
static void owned_sent(struct tcb *t, struct host_siginfo *si, struct host_ucontext *uc)
{
    int sig = si->si_signo;
    uintptr_t rip = uc->uc_mcontext.rip;
    if (in_window(rip)) {
        take_in_window(t, si, uc); /* the window's mask lets it through only if it is due */
        return;
    }
    if (patch_app_context(t, uc))
        rip = uc->uc_mcontext.rip; /* the app at a patched site */
    if (in_pass_trampoline(rip) && !(signal_owned_refused(t) & SIGBIT(sig))) {
        /* Due now: it ends the app's blocking call as any signal would. (A blocked or
         * ignored one leaves the trampoline alone: a rolled-back call is made again.) */
        signal_pass_to_app_context(t, uc, sig);
        signal_deliver(t, uc, si, t->app_sigmask);
        return;
    }
    if (in_asis(rip) || (t->app_sigmask & SIGBIT(sig))) {
        /* Blocked by the app, or asis is busy: pending until a trap exit allows it (as
         * Linux, a blocked signal stays pending even if ignored). Standard signals do
         * not queue: a second one while pending is lost. */
        if (!(t->owned_pending & SIGBIT(sig))) {
            t->owned_info[owned_slot(sig)] = *si;
            t->owned_pending |= SIGBIT(sig);
        }
        return;
    }
    signal_deliver(t, uc, si, t->app_sigmask);
}

static void on_sigsys(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    struct host_mcontext *m = &uc->uc_mcontext;
    (void)sig;
    if (si->si_code != SYS_USER_DISPATCH && si->si_code != SYS_SECCOMP) {
        owned_sent(t, si, uc); /* not a trap: sent by a process */
        return;
    }
    if (si->u.sigsys.arch != AUDIT_ARCH_X86_64) {
        m->rax = -ENOSYS; /* int $0x80 and other ABIs are not served */
        return;
    }
    /* The kernel has saved the app's full register state (vector state included) in uc
     * and restores it on return, with rax set to our result: the app sees exactly the
     * registers a real syscall leaves (rcx and r11 were set by SYSCALL itself). */
    struct host_ucontext *outer = t->trap_uc;
    t->trap_uc = uc;
    t->trap_nr = si->u.sigsys.syscall;
    if (patch_trap_from_stub(t, uc))
        patch_stats_count(PATCH_PATH_T, t->trap_nr);
    else {
        t->restart_rip = m->rip - 2; /* the syscall instruction */
        patch_stats_count(PATCH_PATH_TRAP, t->trap_nr);
    }
    const long args[6] = { (long)m->rdi, (long)m->rsi, (long)m->rdx,
                           (long)m->r10, (long)m->r8,  (long)m->r9 };
    m->rax = (uint64_t)syscall_dispatch(t, t->trap_nr, args);
    signal_trap_exit(t, uc);
    t->trap_uc = outer;
}

/* "asis-rt+0xOFF (function+0xOFF)" for a place in asis-rt; a return address is looked
 * up one byte back (the call may end its function). */
static void name_place(uintptr_t addr, int is_return, char *buf, size_t size)
{
    char name[128];
    uintptr_t off;
    size_t n = (size_t)fmt_snprintf(buf, size, "asis-rt+0x%lx", addr - (uintptr_t)__ehdr_start);
    if (n < size && self_symbol_lookup(addr - (uintptr_t)is_return, name, sizeof(name), &off) == 0)
        fmt_snprintf(buf + n, size - n, " (%s+0x%lx)", name, off + (uintptr_t)is_return);
}

/* An asis bug: say where, with the frame-pointer chain of the runtime (built with
 * -fno-omit-frame-pointer), then let the host kill the process with the signal. */
static void report_asis_fault(struct tcb *t, int sig, const struct host_siginfo *si,
                              struct host_ucontext *uc)
{
    const struct host_mcontext *m = &uc->uc_mcontext;
    if (!t->in_fatal) {
        t->in_fatal = 1;
        char where[160];
        name_place(m->rip, 0, where, sizeof(where));
        log_error("internal error: signal %d (code %d) at %s, fault address %p; "
                  "this is an asis bug (addr2line -e asis-rt names these places)",
                  sig, si->si_code, where, si->u.fault.addr);
        uintptr_t lo = t->area_base, hi = tcb_stack_top(t);
        uintptr_t fp = m->rbp;
        for (int depth = 0; depth < 32 && fp >= lo && fp + 16 <= hi && !(fp & 7); depth++) {
            uintptr_t ret = ((const uintptr_t *)fp)[1];
            if (!in_asis(ret))
                break;
            name_place(ret, 1, where, sizeof(where));
            log_error("  called from %s", where);
            fp = ((const uintptr_t *)fp)[0];
        }
        if (t->trap_uc)
            log_error("  while serving syscall %ld from app rip %p", t->trap_nr,
                      (void *)t->trap_uc->uc_mcontext.rip);
    }
    signal_die(uc, sig);
}

static void on_fault(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    uintptr_t rip = uc->uc_mcontext.rip;
    if (sent_by_a_process(si)) {
        owned_sent(t, si, uc);
        return;
    }
    if (sig == SIGTRAP && rip > (uintptr_t)pal_pass_syscall && rip < (uintptr_t)pal_pass_end) {
        /* The app single-steps (EFLAGS.TF) through a call the trampoline made: natively
         * the SYSCALL instruction gives no trap of its own, so none here either; the
         * next comes after the app's next instruction. */
        uc->uc_mcontext.rip = uc->uc_mcontext.rcx = t->pass_ret;
        return;
    }
    if (sig == SIGTRAP && (patch_in_code(rip) || rip == (uintptr_t)pal_pass_syscall))
        return; /* single-stepping through a stub, the patch entry or into path P's
                   syscall: as over a SYSCALL, the next trap comes after it */
    if (sig == SIGTRAP && in_asis(rip) && (uc->uc_mcontext.eflags & EFLAGS_TF)) {
        /* The app's trap flag came along into a patched call's C code (path E): off
         * until the call's end, where patch_settle sets it again. */
        uc->uc_mcontext.eflags &= ~EFLAGS_TF;
        t->patch_tf = 1;
        return;
    }
    if (sig == SIGILL && rip == (uintptr_t)pal_patch_settle) {
        patch_settle(t, uc); /* the slow exit of a patched call (patch_entry.inc) */
        return;
    }
    if (t->fault_fixup && rip >= (uintptr_t)usercopy_start && rip < (uintptr_t)usercopy_end) {
        uc->uc_mcontext.rip = t->fault_fixup; /* a bad app pointer: the copy returns -EFAULT */
        return;
    }
    if (in_asis(rip)) {
        report_asis_fault(t, sig, si, uc);
        return;
    }
    if (rdtsc_emulate_fault(si, uc))
        return; /* --rdtsc=emulate */
    /* A fault in app code: Linux's force semantics (a blocked or ignored fault kills).
     * One in a stub's copy of the app's instructions happened, for the app, at its site. */
    patch_app_context(t, uc);
    signal_force(t, uc, si);
}

static void install(int sig, void *handler, unsigned long extra_flags)
{
    struct kernel_sigaction sa = {
        .handler = handler,
        .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER | extra_flags,
        .restorer = (void *)pal_sigreturn,
        .mask = ASYNC_ALL,
    };
    if (host_syscall4(__NR_rt_sigaction, sig, &sa, 0, sizeof(kernel_sigset_t)) < 0)
        fatal("cannot install the handler for host signal %d", sig);
}

void host_signals_install(void)
{
    /* SA_RESTART: one of these sent by a process into a window must leave the call
     * restartable, as on_async does. SA_NODEFER: a bad app pointer met while building a
     * frame in on_fault must not find SIGSEGV blocked (the host would kill). */
    install(SIGSYS, on_sigsys, SA_RESTART);
    install(SIGSEGV, on_fault, SA_RESTART | SA_NODEFER);
    install(SIGBUS, on_fault, SA_RESTART | SA_NODEFER);
    install(SIGFPE, on_fault, SA_RESTART | SA_NODEFER);
    install(SIGILL, on_fault, SA_RESTART | SA_NODEFER);
    install(SIGTRAP, on_fault, SA_RESTART | SA_NODEFER);
}
