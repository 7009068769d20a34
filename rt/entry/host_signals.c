/* Host signal handlers. Both run on the thread's asis stack (SA_ONSTACK with the
 * sigaltstack every thread gets), so the app's stack is never used, however small. */
#include "entry/host_signals.h"
#include <linux/audit.h>
#include "lib/log.h"
#include "lib/string.h"
#include "libos/syscall.h"
#include "pal/host.h"

extern const char __ehdr_start[], _end[];

/* The syscall trap. The kernel has saved the app's full register state (vector state
 * included) in uc and restores it on return, with rax set to our result: the app sees
 * exactly the registers a real syscall leaves (rcx and r11 were set by the SYSCALL
 * instruction itself). */
static void die_of(int sig);

/* si_code <= 0: sent with kill, tgkill or sigqueue, not raised by the kernel for this
 * thread. For the signals asis handles itself, that means the app (or someone) wants
 * the signal's default effect: death. */
static int sent_by_a_process(const struct host_siginfo *si)
{
    return si->si_code <= 0;
}

static void die_now(int sig)
{
    die_of(sig);
    host_syscall3(__NR_tgkill, host_getpid(), host_gettid(), sig);
}

static void on_sigsys(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    struct host_mcontext *m = &uc->uc_mcontext;
    if (si->si_code != SYS_USER_DISPATCH && si->si_code != SYS_SECCOMP) {
        die_now(sig);
        return;
    }
    if (si->u.sigsys.arch != AUDIT_ARCH_X86_64) {
        m->rax = -ENOSYS; /* int $0x80 and other ABIs are not served */
        return;
    }
    struct host_ucontext *outer = t->trap_uc;
    t->trap_uc = uc;
    const long args[6] = { (long)m->rdi, (long)m->rsi, (long)m->rdx,
                           (long)m->r10, (long)m->r8,  (long)m->r9 };
    m->rax = syscall_dispatch(t, (long)m->rax, args);
    t->trap_uc = outer;
}

static void die_of(int sig)
{
    struct kernel_sigaction dfl = { 0 };
    host_syscall4(__NR_rt_sigaction, sig, &dfl, 0, sizeof(kernel_sigset_t));
}

static void on_fault(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    uintptr_t rip = uc->uc_mcontext.rip;
    if (sent_by_a_process(si)) {
        die_now(sig);
        return;
    }
    if (t->fault_fixup && rip >= (uintptr_t)usercopy_start && rip < (uintptr_t)usercopy_end) {
        uc->uc_mcontext.rip = t->fault_fixup; /* a bad app pointer: the copy returns -EFAULT */
        return;
    }
    if (rip >= (uintptr_t)__ehdr_start && rip < (uintptr_t)_end) {
        log_error("internal error: signal %d at runtime offset 0x%lx (fault address %p); "
                  "this is an asis bug",
                  sig, rip - (uintptr_t)__ehdr_start, si->u.fault.addr);
        die_of(sig);
        return;
    }
    /* A fault in app code. Until signal delivery exists, the app gets what an app
     * without a handler gets: death by this signal (the instruction faults again). */
    die_of(sig);
}

static void install(int sig, void *handler)
{
    struct kernel_sigaction sa = {
        .handler = handler,
        .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
        .restorer = (void *)pal_sigreturn,
        .mask = 0,
    };
    if (host_syscall4(__NR_rt_sigaction, sig, &sa, 0, sizeof(kernel_sigset_t)) < 0)
        fatal("cannot install the handler for host signal %d", sig);
}

void host_signals_install(void)
{
    install(SIGSYS, on_sigsys);
    install(SIGSEGV, on_fault);
    install(SIGBUS, on_fault);
}
