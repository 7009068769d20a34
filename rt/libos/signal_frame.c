/* Signal frames: delivery builds on the app's stack the frame Linux builds
 * (arch/x86/kernel/signal.c get_sigframe, signal_64.c x64_setup_rt_frame), and
 * rt_sigreturn reads it back (signal_64.c rt_sigreturn). Both work on a host ucontext,
 * whose registers and xsave area are the app's: the host kernel saved them when the
 * signal or trap arrived and loads them back when asis's handler returns. */
#include "libos/signal.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/syscall.h"
#include "libos/trace.h"
#include "pal/host.h"

#define RED_ZONE 128
#define EFLAGS_DF 0x400
#define EFLAGS_RF 0x10000
#define XSAVE_MIN_SIZE (FXSAVE_SIZE + XSAVE_HEADER_SIZE)

size_t fpstate_size(const void *fpstate)
{
    struct host_fpx_sw_bytes sw;
    memcpy(&sw, (const char *)fpstate + FPX_SW_BYTES_OFFSET, sizeof(sw));
    if (sw.magic1 == FP_XSTATE_MAGIC1 && sw.extended_size >= FXSAVE_SIZE &&
        sw.extended_size <= 64 * 1024)
        return sw.extended_size;
    return FXSAVE_SIZE;
}

/* The FP state a handler starts with (Linux: fpu__clear_user_states): x87 and SSE
 * control words at their reset values and, with XSAVE, every component in its initial
 * state (XSTATE_BV 0). The sw bytes stay: they describe the area to the host. */
static void fpstate_reset(void *fpstate)
{
    char *p = fpstate;
    struct host_fpx_sw_bytes sw;
    memcpy(&sw, p + FPX_SW_BYTES_OFFSET, sizeof(sw));
    memset(p, 0, FPX_SW_BYTES_OFFSET);
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    memcpy(p, &fcw, sizeof(fcw));
    memcpy(p + 24, &mxcsr, sizeof(mxcsr));
    if (sw.magic1 == FP_XSTATE_MAGIC1)
        memset(p + XSAVE_HEADER_OFFSET, 0, XSAVE_HEADER_SIZE);
}

/* Linux's on_sig_stack(): is sp on the alternate stack (never, with SS_AUTODISARM)? */
static int within(const struct host_stack *ss, uintptr_t sp)
{
    return sp > (uintptr_t)ss->ss_sp && sp - (uintptr_t)ss->ss_sp <= ss->ss_size;
}

int signal_on_altstack(const struct host_stack *ss, uintptr_t sp)
{
    return !(ss->ss_flags & SS_AUTODISARM) && ss->ss_size && within(ss, sp);
}

static int default_is_ignore(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

void signal_die(struct host_ucontext *uc, int sig)
{
    struct kernel_sigaction dfl = { .handler = SIG_DFL_HANDLER };
    host_syscall4(__NR_rt_sigaction, sig, &dfl, 0, sizeof(kernel_sigset_t));
    host_syscall3(__NR_tgkill, host_getpid(), host_gettid(), sig);
    uc->uc_sigmask &= ~SIGBIT(sig);
}

/* Writes the frame; returns its address, or 0 if it does not fit or cannot be written. */
static uintptr_t frame_write(struct tcb *t, struct host_ucontext *uc,
                             const struct host_siginfo *si, const struct kernel_sigaction *act,
                             kernel_sigset_t mask_to_save)
{
    const struct host_stack ss = t->app_altstack;
    uintptr_t sp = uc->uc_mcontext.rsp;
    int nested = signal_on_altstack(&ss, sp);
    int entering = 0;
    sp -= RED_ZONE;
    if ((act->flags & SA_ONSTACK) && ss.ss_size && !signal_on_altstack(&ss, sp)) {
        sp = (uintptr_t)ss.ss_sp + ss.ss_size;
        entering = 1;
    }
    size_t fp_size = fpstate_size(uc->uc_mcontext.fpstate);
    uintptr_t fp = (sp - fp_size) & ~63UL;
    uintptr_t frame = ((fp - sizeof(struct host_rt_sigframe)) & ~15UL) - 8;
    if ((nested || entering) && !within(&ss, frame))
        return 0; /* the alternate stack would overflow */
    if (!(act->flags & SA_RESTORER))
        return 0; /* x86-64 handlers return through the restorer only */
    if (copy_to_app((void *)fp, uc->uc_mcontext.fpstate, fp_size) < 0)
        return 0;

    struct host_rt_sigframe f;
    memset(&f, 0, sizeof(f));
    f.pretcode = act->restorer;
    f.uc.uc_flags = uc->uc_flags;
    f.uc.uc_stack.ss_sp = ss.ss_sp;
    f.uc.uc_stack.ss_flags = ss.ss_flags; /* raw, as Linux's __save_altstack */
    f.uc.uc_stack.ss_size = ss.ss_size;
    f.uc.uc_mcontext = uc->uc_mcontext;
    f.uc.uc_mcontext.fpstate = (void *)fp;
    f.uc.uc_mcontext.oldmask = mask_to_save;
    f.uc.uc_sigmask = mask_to_save;
    f.info = *si;
    if (copy_to_app((void *)frame, &f, sizeof(f)) < 0)
        return 0;
    return frame;
}

/* Linux's force_sigsegv(): the frame for sig could not be built. */
static void force_sigsegv(struct tcb *t, struct host_ucontext *uc, int sig)
{
    struct host_siginfo si = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
    if (sig == SIGSEGV) {
        signal_die(uc, SIGSEGV);
        return;
    }
    signal_force(t, uc, &si);
}

void signal_force(struct tcb *t, struct host_ucontext *uc, const struct host_siginfo *si)
{
    int sig = si->si_signo;
    struct kernel_sigaction act = signal_action(sig);
    if (act.handler == SIG_DFL_HANDLER || act.handler == SIG_IGN_HANDLER ||
        (t->app_sigmask & SIGBIT(sig))) {
        signal_die(uc, sig);
        return;
    }
    signal_deliver(t, uc, si, t->app_sigmask);
}

int signal_deliver(struct tcb *t, struct host_ucontext *uc, const struct host_siginfo *si,
                   kernel_sigset_t mask_to_save)
{
    int sig = si->si_signo;
    struct kernel_sigaction act = signal_action(sig);
    uc->uc_sigmask = host_mask_of(t->app_sigmask);
    if (act.handler == SIG_IGN_HANDLER)
        return 0;
    if (act.handler == SIG_DFL_HANDLER) {
        /* The app changed its action since the host queued the signal to on_async. */
        if (!default_is_ignore(sig))
            signal_die(uc, sig);
        return 0;
    }
    if (g_trace_fd >= 0)
        trace_signal(t, si);
    uintptr_t frame = frame_write(t, uc, si, &act, mask_to_save);
    if (!frame) {
        force_sigsegv(t, uc, sig);
        return 0;
    }
    struct host_mcontext *m = &uc->uc_mcontext;
    m->rdi = (uint64_t)sig;
    m->rsi = frame + offsetof(struct host_rt_sigframe, info);
    m->rdx = frame + offsetof(struct host_rt_sigframe, uc);
    m->rax = 0;
    m->rip = (uint64_t)act.handler;
    m->rsp = frame;
    m->eflags &= ~(uint64_t)(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
    fpstate_reset(m->fpstate);

    t->app_sigmask |= act.mask | ((act.flags & SA_NODEFER) ? 0 : SIGBIT(sig));
    t->app_sigmask &= ~UNBLOCKABLE;
    uc->uc_sigmask = host_mask_of(t->app_sigmask);
    if (act.flags & SA_RESETHAND)
        signal_reset_to_default(sig);
    if (t->app_altstack.ss_flags & SS_AUTODISARM) {
        t->app_altstack.ss_sp = 0;
        t->app_altstack.ss_size = 0;
        t->app_altstack.ss_flags = SS_DISABLE;
    }
    return 1;
}

/* Loads the app's FP state from its frame into the host frame the trap returns through,
 * with the checks Linux makes (arch/x86/kernel/fpu/signal.c check_xstate_in_sigframe),
 * plus those whose failure would otherwise surface in the host's own rt_sigreturn.
 * Returns -1 for a frame Linux would refuse with SIGSEGV. */
static int fpstate_restore(struct host_ucontext *uc, const char *app_fp)
{
    char *host = uc->uc_mcontext.fpstate;
    if (!app_fp) {
        fpstate_reset(host);
        return 0;
    }
    if ((uintptr_t)app_fp & 63)
        return -1;
    struct host_fpx_sw_bytes host_sw, sw;
    memcpy(&host_sw, host + FPX_SW_BYTES_OFFSET, sizeof(host_sw));
    if (copy_from_app(&sw, app_fp + FPX_SW_BYTES_OFFSET, sizeof(sw)) < 0)
        return -1;
    uint32_t magic2 = 0;
    int xsave = host_sw.magic1 == FP_XSTATE_MAGIC1 && sw.magic1 == FP_XSTATE_MAGIC1 &&
                sw.xstate_size >= XSAVE_MIN_SIZE && sw.xstate_size <= host_sw.xstate_size &&
                sw.xstate_size <= sw.extended_size &&
                copy_from_app(&magic2, app_fp + sw.xstate_size, sizeof(magic2)) == 0 &&
                magic2 == FP_XSTATE_MAGIC2;
    size_t size = xsave ? sw.xstate_size : FXSAVE_SIZE;
    char header[XSAVE_HEADER_SIZE];
    uint32_t mxcsr, mxcsr_mask;
    memcpy(&mxcsr_mask, host + 28, sizeof(mxcsr_mask));
    if (copy_from_app(&mxcsr, app_fp + 24, sizeof(mxcsr)) < 0 || (mxcsr & ~mxcsr_mask))
        return -1;
    if (xsave) {
        if (copy_from_app(header, app_fp + XSAVE_HEADER_OFFSET, sizeof(header)) < 0)
            return -1;
        uint64_t xstate_bv;
        memcpy(&xstate_bv, header, sizeof(xstate_bv));
        for (size_t i = 8; i < sizeof(header); i++)
            if (header[i])
                return -1; /* XCOMP_BV and the reserved bytes: XRSTOR would fault */
        if (xstate_bv & ~host_sw.xfeatures)
            return -1;
    }
    if (copy_from_app(host, app_fp, size) < 0) {
        fpstate_reset(host); /* a partial copy must not reach the host's XRSTOR */
        return -1;
    }
    if (xsave) {
        memcpy(host + size, &magic2, sizeof(magic2));
    } else {
        /* Only the legacy area: magic1 0 makes the host restore x87/SSE and reset the rest. */
        uint32_t no_magic = 0;
        memcpy(host + FPX_SW_BYTES_OFFSET, &no_magic, sizeof(no_magic));
    }
    return 0;
}

long sys_rt_sigreturn(void)
{
    struct tcb *t = tcb_self();
    struct host_ucontext *uc = t->trap_uc;
    struct host_mcontext *m = &uc->uc_mcontext;
    /* The handler's `ret` popped pretcode: the frame starts 8 bytes below rsp. */
    uintptr_t frame = m->rsp - 8;
    struct host_ucontext u;
    struct host_siginfo bad = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
    if (copy_from_app(&u, (void *)(frame + offsetof(struct host_rt_sigframe, uc)), sizeof(u)) < 0) {
        signal_force(t, uc, &bad);
        return (long)m->rax;
    }
    /* In Linux's order: the mask, the registers, then the FP state, whose failure leaves
     * the first two in place and is SIGSEGV at the restored context. */
    t->app_sigmask = u.uc_sigmask & ~UNBLOCKABLE;
    const struct host_mcontext *n = &u.uc_mcontext;
    m->r8 = n->r8, m->r9 = n->r9, m->r10 = n->r10, m->r11 = n->r11;
    m->r12 = n->r12, m->r13 = n->r13, m->r14 = n->r14, m->r15 = n->r15;
    m->rdi = n->rdi, m->rsi = n->rsi, m->rbp = n->rbp, m->rbx = n->rbx;
    m->rdx = n->rdx, m->rcx = n->rcx, m->rsp = n->rsp, m->rip = n->rip;
    m->eflags = (m->eflags & ~FIX_EFLAGS) | (n->eflags & FIX_EFLAGS);
    if (fpstate_restore(uc, u.uc_mcontext.fpstate) < 0) {
        m->rax = n->rax;
        signal_force(t, uc, &bad);
        return (long)m->rax;
    }
    /* As Linux's restore_altstack: errors are ignored. */
    signal_altstack_set(t, &u.uc_stack, n->rsp);
    return (long)n->rax;
}
