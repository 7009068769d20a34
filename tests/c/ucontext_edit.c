// The signal frame as a handler sees and edits it. A SIGUSR1 sent with a raw tgkill
// (delivered right after the syscall) and a ud2 fault interrupt code that holds a
// distinct value in every register. The handler checks the frame: every register as it
// was interrupted (rax the syscall's result, rcx/r11 as `syscall` leaves them), rip,
// flags, cs/ss, uc_flags, uc_link, uc_stack, uc_sigmask, fpregs and its xstate magics,
// the siginfo, the handler's arguments, stack alignment and return address. Then it
// edits the frame and the interrupted code reports what it finds after the return:
// rax, r12 and rflags changed; rip redirected to another function; a Go-style pushCall
// (rsp -= 8, old rip stored there, rip = a detour that returns to it with `ret`); a
// signal added to uc_sigmask. The pushCall again for a SIGUSR1 that another thread
// sends while this one spins in a loop (how Go preempts), and the siginfo of raise, kill
// and sigqueue.
#define _GNU_SOURCE
#include <cpuid.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/regs.h"
#include "lib/signals.h"

// ---------------------------------------------------------------------------- sites

// Load f->in into every register, then tgkill (rax, rdi, rsi, rdx set up by the caller)
// or ud2; store every register into f->out. f->rcx_expect: the address after the
// instruction.
void site_syscall(struct frame *f);
void site_ud2(struct frame *f);

__asm__(REGS_ASM_EQU
        ".text\n"
        ".globl site_syscall\n"
        "site_syscall:\n"
        REGS_ASM_LOAD_AND_SYSCALL
        REGS_ASM_STORE_AND_RETURN);

__asm__(".text\n"
        ".globl site_ud2\n"
        "site_ud2:\n"
        REGS_ASM_LOAD_AND("ud2")
        REGS_ASM_STORE_AND_RETURN);

// Spins at spin_at (a jump through spin_next, which changes no flags) until spin_next
// is spin_done, then stores the registers as the other sites do.
void site_spin(struct frame *f);
extern char spin_at[], spin_done[];
void *spin_next;

__asm__(".text\n"
        ".globl site_spin, spin_at, spin_done\n"
        "site_spin:\n"
        REGS_ASM_LOAD_AND("spin_at: jmp *spin_next(%rip)\nspin_done:")
        REGS_ASM_STORE_AND_RETURN);

#define REDIRECT_MARK_ASM "0x7ed1ec7ed1ec7ed1"
#define REDIRECT_MARK 0x7ed1ec7ed1ec7ed1ull

// Where a handler redirects rip: sets r13 to REDIRECT_MARK and counts itself (no flag
// changes), then continues at redirect_back.
void redirect_stub(void);
uint64_t redirect_calls;
void *redirect_back;

// The pushCall detour: called with the interrupted rip as its return address, as if
// the interrupted code had called it; records what it sees, changes nothing, returns.
void detour(void);
uint64_t detour_calls, detour_ret, detour_r12, detour_sp;

// The pushCall detour that ends the spin: sets spin_next to spin_done, changes nothing
// else, returns to the interrupted rip.
void detour_stop(void);

// The handler's entry: notes rsp (the return address is at it) and goes on in C.
void handler_entry(int sig, siginfo_t *si, void *uc);
void on_signal(int sig, siginfo_t *si, void *uc);
uint64_t entry_rsp;

__asm__(".text\n"
        ".globl redirect_stub\n"
        "redirect_stub:\n"
        "    mov redirect_calls(%rip), %r13\n"
        "    lea 1(%r13), %r13\n"
        "    mov %r13, redirect_calls(%rip)\n"
        "    movabs $" REDIRECT_MARK_ASM ", %r13\n"
        "    jmp *redirect_back(%rip)\n"
        ".globl detour\n"
        "detour:\n"
        "    pushfq\n"
        "    push %rax\n"
        "    mov 16(%rsp), %rax\n"
        "    mov %rax, detour_ret(%rip)\n"
        "    mov %r12, detour_r12(%rip)\n"
        "    lea 24(%rsp), %rax\n"
        "    mov %rax, detour_sp(%rip)\n"
        "    incq detour_calls(%rip)\n"
        "    pop %rax\n"
        "    popfq\n"
        "    ret\n"
        ".globl detour_stop\n"
        "detour_stop:\n"
        "    pushfq\n"
        "    push %rax\n"
        "    lea spin_done(%rip), %rax\n"
        "    mov %rax, spin_next(%rip)\n"
        "    mov 16(%rsp), %rax\n"
        "    mov %rax, detour_ret(%rip)\n"
        "    incq detour_calls(%rip)\n"
        "    pop %rax\n"
        "    popfq\n"
        "    ret\n"
        ".globl handler_entry\n"
        "handler_entry:\n"
        "    mov %rsp, entry_rsp(%rip)\n"
        "    jmp on_signal\n");

// ---------------------------------------------------------------------------- handler

enum mode { OBSERVE, EDIT_REGS, REDIRECT, DETOUR, EDIT_MASK, STOP_SPIN };

#define NEW_RAX 0x0123456789abcdefull
#define NEW_R12 0xfedcba9876543210ull
#define CF 0x1ull
#define DF 0x400ull
#define IOPL 0x3000ull
#define RF 0x10000ull
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

static volatile enum mode mode;

// What the handler saw.
static struct seen {
    int count, sig, code, err_no, pid_ok, uid_ok, value;
    uintptr_t addr;
    greg_t g[NGREG];
    unsigned long uc_flags;
    void *uc_link;
    stack_t stack;
    uint64_t uc_sigmask, mask;
    int df_in_handler;
    int fpregs_nonnull, fpregs_aligned, fpregs_above_info, xstate_ok;
    int info_after_uc, uc_above_ret, ret_is_restorer, aligned, below_red_zone;
} seen;

static void *restorer; // the sa_restorer glibc installed

static int has_xsave(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    return (c >> 27) & 1; // OSXSAVE: the kernel uses xsave
}

static int xstate_as_cpu_says(const struct _libc_fpstate *fp)
{
    const uint32_t *sw = (const uint32_t *)((const char *)fp + 464); // fx_sw_bytes
    int magic1 = sw[0] == FP_XSTATE_MAGIC1;
    if (!has_xsave())
        return !magic1;
    uint32_t extended = sw[1], xstate_size = sw[4];
    uint64_t features;
    memcpy(&features, &sw[2], 8);
    uint32_t magic2;
    memcpy(&magic2, (const char *)fp + xstate_size, 4);
    return magic1 && magic2 == FP_XSTATE_MAGIC2 && extended == xstate_size + 4 &&
           (features & 3) == 3 && xstate_size >= 576;
}

// STOP_SPIN: the frame of the signal that found the spin loop (others found the thread
// elsewhere and changed nothing).
static greg_t spin_g[NGREG];

void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    if (mode == STOP_SPIN) {
        if (g[REG_RIP] == (greg_t)spin_at && !detour_calls) {
            memcpy(spin_g, g, sizeof(spin_g));
            g[REG_RSP] -= 8;
            *(greg_t *)g[REG_RSP] = g[REG_RIP];
            g[REG_RIP] = (greg_t)detour_stop;
        }
        return;
    }
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    seen.df_in_handler = (flags & DF) != 0;
    seen.count++;
    seen.sig = sig;
    seen.code = si->si_code;
    seen.err_no = si->si_errno;
    seen.addr = (uintptr_t)si->si_addr;
    if (si->si_code <= 0) {
        seen.pid_ok = si->si_pid == getpid();
        seen.uid_ok = si->si_uid == getuid();
        seen.value = si->si_code == SI_QUEUE ? si->si_value.sival_int : 0;
    }
    memcpy(seen.g, g, sizeof(seen.g));
    seen.uc_flags = uc->uc_flags;
    seen.uc_link = uc->uc_link;
    seen.stack = uc->uc_stack;
    seen.uc_sigmask = uc_mask(uc);
    seen.mask = mask_get();
    const char *fp = (const char *)uc->uc_mcontext.fpregs;
    seen.fpregs_nonnull = fp != NULL;
    seen.fpregs_aligned = ((uintptr_t)fp & 63) == 0;
    seen.fpregs_above_info = fp >= (const char *)si + sizeof(*si);
    seen.xstate_ok = fp && xstate_as_cpu_says(uc->uc_mcontext.fpregs);
    // Kernel layout: return address, ucontext (304 bytes), siginfo.
    seen.info_after_uc = (const char *)si - (const char *)uc == 304;
    seen.uc_above_ret = (uintptr_t)uc == entry_rsp + 8;
    seen.ret_is_restorer = *(void **)entry_rsp == restorer;
    seen.aligned = (entry_rsp + 8) % 16 == 0;
    seen.below_red_zone = (uintptr_t)si + sizeof(*si) <= (uintptr_t)g[REG_RSP] - 128;

    greg_t resume = g[REG_RIP] + (sig == SIGILL ? 2 : 0); // skip the ud2
    switch (mode) {
    case OBSERVE:
        g[REG_RIP] = resume;
        break;
    case EDIT_REGS:
        g[REG_RAX] = (greg_t)NEW_RAX;
        g[REG_R12] = (greg_t)NEW_R12;
        g[REG_EFL] ^= CF;
        g[REG_EFL] |= IOPL; // not the app's to change: sigreturn ignores it
        g[REG_RIP] = resume;
        break;
    case REDIRECT:
        redirect_back = (void *)resume;
        g[REG_RIP] = (greg_t)redirect_stub;
        break;
    case DETOUR:
        g[REG_RSP] -= 8;
        *(greg_t *)g[REG_RSP] = resume;
        g[REG_RIP] = (greg_t)detour;
        break;
    case EDIT_MASK: {
        uint64_t m = uc_mask(uc) | BIT(SIGUSR2);
        memcpy(&uc->uc_sigmask, &m, 8);
        g[REG_RIP] = resume;
        break;
    }
    case STOP_SPIN:
        break;
    }
}

// ---------------------------------------------------------------------------- checks

static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

// The mask in place when the signal comes, and the handler's sa_mask.
static uint64_t mask_at_signal, sa_mask_bits;

static struct frame f;

static void load_patterns(int via_syscall)
{
    memset(&f, 0, sizeof(f));
    fill_patterns(&f.in, 0);
    f.level = 0; // xmm only: the vector registers are fpregs_handler.c's subject
    if (via_syscall) {
        f.in.gpr[RAX] = SYS_tgkill;
        f.in.gpr[RDI] = (uint64_t)getpid();
        f.in.gpr[RSI] = (uint64_t)gettid();
        f.in.gpr[RDX] = SIGUSR1;
    }
}

static void run(int via_syscall, enum mode m)
{
    load_patterns(via_syscall);
    mode = m;
    memset(&seen, 0, sizeof(seen));
    redirect_calls = detour_calls = detour_ret = detour_r12 = detour_sp = 0;
    mask_set(mask_at_signal);
    if (via_syscall)
        site_syscall(&f);
    else
        site_ud2(&f);
}

// The registers after the interrupted instruction, had the handler changed nothing.
static void expected_after(int via_syscall, uint64_t *gpr, uint64_t *rflags)
{
    memcpy(gpr, f.in.gpr, sizeof(f.in.gpr));
    *rflags = f.pre_flags;
    if (via_syscall) {
        gpr[RAX] = 0; // tgkill's result
        gpr[RCX] = f.rcx_expect;
        gpr[R11] = f.pre_flags;
    }
}

// Names of the registers in GOT that differ from WANT ("" if none); rsp is not stored.
static const char *differing(const uint64_t *want, const uint64_t *got, uint64_t want_flags,
                             uint64_t got_flags)
{
    static char buf[160];
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < 16; i++)
        if (i != RSP && want[i] != got[i])
            n += snprintf(buf + n, sizeof(buf) - n, " %s", gpr_names[i]);
    if (want_flags != got_flags)
        n += snprintf(buf + n, sizeof(buf) - n, " rflags");
    return buf;
}

static void print_regs(const char *what, const char *diff)
{
    if (diff[0])
        printf("  %s: differ:%s\n", what, diff);
    else
        printf("  %s: ok\n", what);
}

// Registers after the return against WANT; xmm, MXCSR, x87 too.
static void check_after(const uint64_t *want, uint64_t want_flags)
{
    print_regs("registers after the return", differing(want, f.out.gpr, want_flags, f.out.rflags));
    int fp_same = f.out.mxcsr == f.in.mxcsr && f.out.fcw == f.in.fcw && f.out.x87 == f.in.x87;
    for (int i = 0; i < 16; i++)
        fp_same &= memcmp(f.in.zmm[i], f.out.zmm[i], 16) == 0;
    printf("  xmm, MXCSR, x87 after the return: %s\n", fp_same ? "ok" : "differ");
}

static void observe(int via_syscall)
{
    const char *name = via_syscall ? "tgkill" : "ud2";
    run(via_syscall, OBSERVE);
    printf("%s: handler calls %d, signal %s\n", name, seen.count, sig_name(seen.sig));
    if (seen.count != 1)
        return;

    uint64_t want[16], want_flags, frame[16];
    expected_after(via_syscall, want, &want_flags);
    for (int i = 0; i < 16; i++)
        frame[i] = (uint64_t)seen.g[greg_of[i]];
    print_regs("frame registers", differing(want, frame, want_flags,
                                             (uint64_t)seen.g[REG_EFL] & ~RF));
    uintptr_t insn = f.rcx_expect - (via_syscall ? 0 : 2);
    printf("  frame rip is %s: %s\n", via_syscall ? "after the syscall" : "the ud2",
           yes((uintptr_t)seen.g[REG_RIP] == insn));
    printf("  frame cs 0x%llx ss 0x%llx\n", (unsigned long long)(seen.g[REG_CSGSFS] & 0xffff),
           (unsigned long long)((uint64_t)seen.g[REG_CSGSFS] >> 48));
    if (via_syscall)
        printf("  siginfo: %s code %d errno %d, pid mine %s, uid mine %s\n",
               sig_name(seen.sig), seen.code, seen.err_no, yes(seen.pid_ok), yes(seen.uid_ok));
    else
        printf("  siginfo: %s code %d (ILL_ILLOPN %d), si_addr the ud2 %s\n", sig_name(seen.sig),
               seen.code, ILL_ILLOPN, yes(seen.addr == insn));
    printf("  uc_sigmask the mask at the signal: %s; mask in the handler %s\n",
           yes(seen.uc_sigmask == mask_at_signal), set_names(seen.mask));
    printf("  uc_sigmask in uc_mcontext.oldmask too: %s\n",
           yes((uint64_t)seen.g[REG_OLDMASK] == mask_at_signal));
    printf("  uc_flags: FP_XSTATE iff the CPU has xsave %s, SIGCONTEXT_SS %s, "
           "STRICT_RESTORE_SS %s\n",
           yes(!!(seen.uc_flags & UC_FP_XSTATE) == has_xsave()),
           yes(seen.uc_flags & UC_SIGCONTEXT_SS), yes(seen.uc_flags & UC_STRICT_RESTORE_SS));
    printf("  uc_link NULL %s, uc_stack: ss_sp NULL %s, ss_flags %d, ss_size %zu\n",
           yes(seen.uc_link == NULL), yes(seen.stack.ss_sp == NULL), seen.stack.ss_flags,
           seen.stack.ss_size);
    printf("  fpregs: non-NULL %s, 64-byte aligned %s, above the siginfo %s, "
           "xstate header as the CPU says %s\n",
           yes(seen.fpregs_nonnull), yes(seen.fpregs_aligned), yes(seen.fpregs_above_info),
           yes(seen.xstate_ok));
    printf("  handler entry: returns to sa_restorer %s, ucontext above the return address "
           "%s, siginfo after the ucontext %s, rsp+8 16-byte aligned %s\n",
           yes(seen.ret_is_restorer), yes(seen.uc_above_ret), yes(seen.info_after_uc),
           yes(seen.aligned));
    printf("  frame below the interrupted red zone %s, DF clear in the handler %s\n",
           yes(seen.below_red_zone), yes(!seen.df_in_handler));
    printf("  mask after the return: %s\n", set_names(mask_get()));
    check_after(want, want_flags);
}

static void edit_regs(int via_syscall)
{
    run(via_syscall, EDIT_REGS);
    printf("%s, rax r12 CF IOPL edited in the frame: handler calls %d\n",
           via_syscall ? "tgkill" : "ud2", seen.count);
    uint64_t want[16], want_flags;
    expected_after(via_syscall, want, &want_flags);
    want[RAX] = NEW_RAX;
    want[12] = NEW_R12;
    want_flags ^= CF;
    check_after(want, want_flags);
}

static void redirect(int via_syscall)
{
    run(via_syscall, REDIRECT);
    printf("%s, rip redirected to another function: handler calls %d, function ran %llu "
           "times\n",
           via_syscall ? "tgkill" : "ud2", seen.count, (unsigned long long)redirect_calls);
    uint64_t want[16], want_flags;
    expected_after(via_syscall, want, &want_flags);
    want[13] = REDIRECT_MARK;
    check_after(want, want_flags);
}

static void push_call(int via_syscall)
{
    run(via_syscall, DETOUR);
    uintptr_t resume = f.rcx_expect;
    printf("%s, pushCall detour: handler calls %d, detour ran %llu times, returned to the "
           "interrupted code %s, saw its r12 %s, left its stack as it was %s\n",
           via_syscall ? "tgkill" : "ud2", seen.count, (unsigned long long)detour_calls,
           yes(detour_ret == resume), yes(detour_r12 == f.in.gpr[12]),
           yes(detour_sp == (uint64_t)seen.g[REG_RSP]));
    uint64_t want[16], want_flags;
    expected_after(via_syscall, want, &want_flags);
    check_after(want, want_flags);
}

static void edit_mask(int via_syscall)
{
    run(via_syscall, EDIT_MASK);
    uint64_t after = mask_get();
    mask_set(0);
    printf("%s, USR2 added to uc_sigmask: handler calls %d, mask after the return %s\n",
           via_syscall ? "tgkill" : "ud2", seen.count, set_names(after));
}

// ---------------------------------------------------------------------------- async

static pid_t main_tid;
static volatile int spinning, gave_up;

// Signals the main thread every millisecond until a handler found it in the spin loop;
// gives up (and ends the spin itself) after 3 s.
static void *spin_sender(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3000 && !detour_calls; i++) {
        if (spinning)
            syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
        nap_ms(1);
    }
    if (!detour_calls) {
        gave_up = 1;
        spin_next = spin_done;
    }
    return NULL;
}

static void async_push_call(void)
{
    memset(&f, 0, sizeof(f));
    fill_patterns(&f.in, 1);
    f.level = 0;
    mode = STOP_SPIN;
    detour_calls = detour_ret = 0;
    spin_next = spin_at;
    spinning = gave_up = 0;
    main_tid = gettid();
    mask_set(0);
    pthread_t t;
    pthread_create(&t, NULL, spin_sender, NULL);
    spinning = 1;
    site_spin(&f);
    spinning = 0;
    pthread_join(t, NULL);
    mode = OBSERVE;

    printf("SIGUSR1 from another thread into a spin loop, pushCall detour: loop ended by the "
           "detour %s, detour ran %llu times, returned to the loop %s\n",
           yes(!gave_up), (unsigned long long)detour_calls,
           yes(detour_ret == (uintptr_t)spin_at));
    uint64_t want[16], want_flags, frame[16];
    expected_after(0, want, &want_flags);
    for (int i = 0; i < 16; i++)
        frame[i] = (uint64_t)spin_g[greg_of[i]];
    if (!gave_up)
        print_regs("frame registers", differing(want, frame, want_flags,
                                                 (uint64_t)spin_g[REG_EFL] & ~RF));
    check_after(want, want_flags);
}

// siginfo of the ways a process signals itself (glibc raise blocks all signals around
// its tgkill; delivery comes when it restores the mask).
static void senders(void)
{
    mode = OBSERVE;
    mask_set(0);
    memset(&seen, 0, sizeof(seen));
    raise(SIGUSR1);
    printf("raise: calls %d, %s, pid mine %s, uid mine %s, uc_sigmask %s\n", seen.count,
           seen.code == SI_TKILL ? "SI_TKILL" : "other code", yes(seen.pid_ok),
           yes(seen.uid_ok), set_names(seen.uc_sigmask));
    memset(&seen, 0, sizeof(seen));
    kill(getpid(), SIGUSR1);
    printf("kill: calls %d, %s, pid mine %s, uid mine %s\n", seen.count,
           seen.code == SI_USER ? "SI_USER" : "other code", yes(seen.pid_ok), yes(seen.uid_ok));
    memset(&seen, 0, sizeof(seen));
    sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });
    printf("sigqueue: calls %d, %s, pid mine %s, uid mine %s, value %d\n", seen.count,
           seen.code == SI_QUEUE ? "SI_QUEUE" : "other code", yes(seen.pid_ok),
           yes(seen.uid_ok), seen.value);
}

// uc_stack is the thread's sigaltstack setting with its flags as last set (Linux keeps
// them raw: SS_DISABLE after a disable, 0 after setting one, and whatever an exec
// inherited if never set, which is why main disables it first).
static void registered_altstack(void)
{
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    stack_t off = { .ss_flags = SS_DISABLE };
    sigaltstack(&ss, NULL);
    mode = OBSERVE;
    mask_set(0);
    memset(&seen, 0, sizeof(seen));
    raise_raw(SIGUSR1);
    sigaltstack(&off, NULL);
    printf("altstack registered, handler without SA_ONSTACK: calls %d, uc_stack: ss_sp %s, "
           "ss_flags %d, ss_size %s\n",
           seen.count, yes(seen.stack.ss_sp == altstack), seen.stack.ss_flags,
           yes(seen.stack.ss_size == sizeof(altstack)));
}

static void install(int sig)
{
    struct sigaction sa = { .sa_sigaction = handler_entry, .sa_flags = SA_SIGINFO };
    sa.sa_mask = set_of(sa_mask_bits);
    struct sigaction got;
    if (sigaction(sig, &sa, NULL) != 0 || sigaction(sig, NULL, &got) != 0) {
        printf("sigaction failed\n");
        _exit(1);
    }
    restorer = (void *)got.sa_restorer;
}

int main(void)
{
    stack_t off = { .ss_flags = SS_DISABLE };
    sigaltstack(&off, NULL);
    mask_at_signal = BIT(SIGWINCH) | BIT(SIGRTMIN + 3);
    sa_mask_bits = BIT(SIGHUP);
    install(SIGUSR1);
    install(SIGILL);
    for (int via_syscall = 1; via_syscall >= 0; via_syscall--) {
        observe(via_syscall);
        edit_regs(via_syscall);
        redirect(via_syscall);
        push_call(via_syscall);
        edit_mask(via_syscall);
    }
    async_push_call();
    senders();
    registered_altstack();
    mask_set(0);
    return 0;
}
