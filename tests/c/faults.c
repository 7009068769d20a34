// Hardware faults as Linux reports them. Handled, with an SA_SIGINFO handler that
// resumes by editing the saved rip (or rsp, or with siglongjmp): SIGSEGV for an unmapped
// page (SEGV_MAPERR), a read-only page (SEGV_ACCERR), a jump into a non-executable page
// or to address 0, a non-canonical address and a privileged instruction (SI_KERNEL);
// SIGBUS past the end of a truncated file mapping (BUS_ADRERR); SIGFPE for an integer
// divide by zero or overflow (FPE_INTDIV) and an unmasked SSE divide by zero; SIGILL for
// ud2 (ILL_ILLOPN); SIGTRAP for int3 and `int $3` (SI_KERNEL, rip after the
// instruction) and a single step (TRAP_TRACE). For each: si_code, si_addr, the frame's
// rip, trapno, err and cr2. SEGV, ILL and TRAP again in a second thread, and a thread's
// stack overflow handled on its sigaltstack. Then faults inside handlers, and in child processes the
// same faults with the default action, ignored, or blocked: Linux forces them, the
// child dies.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/signals.h"

// ---------------------------------------------------------------------------- fault sites
// Each NAME_at is the faulting instruction and NAME_after the one after it, so that a
// handler resumes by setting rip to NAME_after.
void do_load(const void *p);
void do_store(void *p);
void do_idiv(long a, long b);
void do_ud2(void);
void do_int3(void);
void do_int_3(void);
void do_hlt(void);
void do_call(const void *target);
void do_single_step(void);
void do_sse_div(void);
extern char load_at[], load_after[], store_at[], store_after[], idiv_at[], idiv_after[],
    ud2_at[], ud2_after[], int3_at[], int3_after[], int_3_at[], int_3_after[], hlt_at[],
    hlt_after[], call_after[], step_nop[], step_after[], sse_div_at[], sse_div_after[];

__asm__(".text\n"
        ".globl do_load, load_at, load_after\n"
        "do_load:\n"
        "load_at: mov (%rdi), %rax\n"
        "load_after: ret\n"
        ".globl do_store, store_at, store_after\n"
        "do_store:\n"
        "store_at: movq $1, (%rdi)\n"
        "store_after: ret\n"
        ".globl do_idiv, idiv_at, idiv_after\n"
        "do_idiv:\n"
        "    mov %rdi, %rax\n"
        "    cqo\n"
        "idiv_at: idiv %rsi\n"
        "idiv_after: ret\n"
        ".globl do_ud2, ud2_at, ud2_after\n"
        "do_ud2:\n"
        "ud2_at: ud2\n"
        "ud2_after: ret\n"
        ".globl do_int3, int3_at, int3_after\n"
        "do_int3:\n"
        "int3_at: int3\n"
        "int3_after: ret\n"
        ".globl do_int_3, int_3_at, int_3_after\n"
        "do_int_3:\n"
        "int_3_at: .byte 0xcd, 0x03\n" // int $3, the two-byte form
        "int_3_after: ret\n"
        ".globl do_hlt, hlt_at, hlt_after\n"
        "do_hlt:\n"
        "hlt_at: hlt\n"
        "hlt_after: ret\n"
        ".globl do_call, call_after\n"
        "do_call:\n"
        "    call *%rdi\n"
        "call_after: ret\n"
        // popf sets TF; the trap comes after the instruction that follows it.
        ".globl do_single_step, step_nop, step_after\n"
        "do_single_step:\n"
        "    pushfq\n"
        "    orq $0x100, (%rsp)\n"
        "    popfq\n"
        "step_nop: nop\n"
        "step_after: ret\n"
        // 1.0 / 0.0 with the divide-by-zero exception unmasked in MXCSR.
        ".globl do_sse_div, sse_div_at, sse_div_after\n"
        "do_sse_div:\n"
        "    sub $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    andl $~0x200, (%rsp)\n"
        "    ldmxcsr (%rsp)\n"
        "    mov $1, %eax\n"
        "    cvtsi2sd %eax, %xmm0\n"
        "    xorpd %xmm1, %xmm1\n"
        "sse_div_at: divsd %xmm1, %xmm0\n"
        "sse_div_after:\n"
        "    stmxcsr (%rsp)\n"
        "    orl $0x200, (%rsp)\n"
        "    ldmxcsr (%rsp)\n"
        "    add $8, %rsp\n"
        "    ret\n");

// ---------------------------------------------------------------------------- names

static const char *code_name(int sig, int code)
{
    static char buf[32];
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    }
    if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
    if (sig == SIGBUS && code == BUS_ADRERR) return "BUS_ADRERR";
    if (sig == SIGBUS && code == BUS_ADRALN) return "BUS_ADRALN";
    if (sig == SIGBUS && code == BUS_OBJERR) return "BUS_OBJERR";
    if (sig == SIGFPE && code == FPE_INTDIV) return "FPE_INTDIV";
    if (sig == SIGFPE && code == FPE_INTOVF) return "FPE_INTOVF";
    if (sig == SIGFPE && code == FPE_FLTDIV) return "FPE_FLTDIV";
    if (sig == SIGILL && code == ILL_ILLOPN) return "ILL_ILLOPN";
    if (sig == SIGILL && code == ILL_ILLOPC) return "ILL_ILLOPC";
    if (sig == SIGTRAP && code == TRAP_BRKPT) return "TRAP_BRKPT";
    if (sig == SIGTRAP && code == TRAP_TRACE) return "TRAP_TRACE";
    snprintf(buf, sizeof(buf), "code %d", code);
    return buf;
}

// ---------------------------------------------------------------------------- the handler

enum resume { RESUME_AT, RESUME_POP, RESUME_LONGJMP };

// How the handler resumes (set before each fault) and what it saw.
static volatile enum resume resume_how;
static void *volatile resume_rip;
static sigjmp_buf jump_back;

static volatile struct seen {
    int count, sig, code;
    uintptr_t addr, rip, trapno, err, cr2, eflags, popped;
    int blocked;      // the signal is blocked while its handler runs
    uint32_t mxcsr;   // MXCSR saved in the frame
} seen;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    if (++seen.count > 1) {
        // The resume did not get past the fault: stop instead of looping.
        static const char msg[] = "fault handler entered twice, giving up\n";
        write(1, msg, sizeof(msg) - 1);
        _exit(3);
    }
    seen.sig = sig;
    seen.code = si->si_code;
    seen.addr = (uintptr_t)si->si_addr;
    seen.rip = g[REG_RIP];
    seen.trapno = g[REG_TRAPNO];
    seen.err = g[REG_ERR];
    seen.cr2 = g[REG_CR2];
    seen.eflags = g[REG_EFL];
    seen.blocked = (mask_get() & BIT(sig)) != 0;
    seen.mxcsr = uc->uc_mcontext.fpregs ? uc->uc_mcontext.fpregs->mxcsr : 0;
    switch (resume_how) {
    case RESUME_AT:
        g[REG_RIP] = (greg_t)resume_rip;
        break;
    case RESUME_POP: // the fault is at a call's target: return to the caller
        seen.popped = *(uintptr_t *)g[REG_RSP];
        g[REG_RIP] = (greg_t)seen.popped;
        g[REG_RSP] += 8;
        break;
    case RESUME_LONGJMP:
        siglongjmp(jump_back, 1);
    }
    g[REG_EFL] &= ~0x100L; // TF: a single step trap stops here
    if (uc->uc_mcontext.fpregs)
        uc->uc_mcontext.fpregs->mxcsr |= 0x1f80; // SSE exceptions masked again
}

static const int fault_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };

static void handle_all(void (*h)(int, siginfo_t *, void *), int flags, uint64_t sa_mask)
{
    for (size_t i = 0; i < sizeof(fault_sigs) / sizeof(fault_sigs[0]); i++)
        on(fault_sigs[i], h, flags, sa_mask);
}

// What a fault site reports: signal, code, whether si_addr is WANT_ADDR, whether the
// frame's rip is WANT_RIP, trapno and err; cr2 only for page faults (else it is stale).
static void report(const char *what, const void *want_addr, const void *want_rip)
{
    if (seen.count == 0) {
        printf("%s: no signal\n", what);
        return;
    }
    printf("%s: %s %s, si_addr %s, rip %s, trapno %lu err 0x%lx", what, sig_name(seen.sig),
           code_name(seen.sig, seen.code), seen.addr == (uintptr_t)want_addr ? "ok" : "wrong",
           seen.rip == (uintptr_t)want_rip ? "ok" : "wrong", (unsigned long)seen.trapno,
           (unsigned long)seen.err);
    if (seen.trapno == 14)
        printf(", cr2 %s", seen.cr2 == (uintptr_t)want_addr ? "ok" : "wrong");
    printf(", %s blocked in its handler: %s\n", sig_name(seen.sig), yes(seen.blocked));
    fflush(stdout);
}

static void arm(enum resume how, void *rip)
{
    memset((void *)&seen, 0, sizeof(seen));
    resume_how = how;
    resume_rip = rip;
}

// ---------------------------------------------------------------------------- handled

static char *map_pages(size_t n, int prot)
{
    char *p = mmap(NULL, n * 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

// A page with nothing mapped at it, between two that stay mapped so that nothing else
// is put there before the fault.
static char *unmapped_page(void)
{
    char *p = map_pages(3, PROT_READ);
    munmap(p + 4096, 4096);
    return p + 4096;
}

// Two pages of a file, mapped, then the file cut to 100 bytes. Returns the mapping.
static char *truncated_mapping(void)
{
    char path[] = "/tmp/asis-faults-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    unlink(path);
    static char block[8192];
    memset(block, 'x', sizeof(block));
    if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block)) {
        perror("write");
        exit(1);
    }
    char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        perror("mmap file");
        exit(1);
    }
    volatile char c = m[0] + m[4096]; // both pages present before the truncation
    (void)c;
    if (ftruncate(fd, 100) != 0) {
        perror("ftruncate");
        exit(1);
    }
    close(fd);
    return m;
}

static void segv_cases(void)
{
    char *hole = unmapped_page();
    arm(RESUME_AT, load_after);
    do_load(hole + 0x123);
    report("load from an unmapped page", hole + 0x123, load_at);

    arm(RESUME_AT, store_after);
    do_store(hole + 0x238);
    report("store to an unmapped page", hole + 0x238, store_at);

    arm(RESUME_AT, load_after);
    do_load((void *)16);
    report("load from address 16", (void *)16, load_at);

    char *ro = map_pages(1, PROT_READ);
    volatile char first = ro[0]; // present (the zero page): err has the P bit
    (void)first;
    arm(RESUME_AT, store_after);
    do_store(ro + 0x80);
    report("store to a read-only page", ro + 0x80, store_at);
    printf("read-only page unchanged: %s\n", yes(ro[0x80] == 0));

    // The page holds a ret: without NX the call would simply return.
    char *noexec = map_pages(1, PROT_READ | PROT_WRITE);
    noexec[0] = (char)0xc3;
    mprotect(noexec, 4096, PROT_READ);
    arm(RESUME_POP, NULL);
    do_call(noexec);
    report("call into a non-executable page", noexec, noexec);
    printf("  return address on the stack is the caller's: %s\n",
           yes(seen.popped == (uintptr_t)call_after));

    arm(RESUME_POP, NULL);
    do_call(NULL);
    report("call to address 0", NULL, NULL);
    printf("  return address on the stack is the caller's: %s\n",
           yes(seen.popped == (uintptr_t)call_after));

    // A general protection fault: no address (si_addr 0), trapno 13.
    arm(RESUME_AT, load_after);
    do_load((void *)0x8000000000000000ull);
    report("load from a non-canonical address", NULL, load_at);

    arm(RESUME_AT, hlt_after);
    do_hlt();
    report("hlt (privileged)", NULL, hlt_at);

    munmap(hole - 4096, 4096);
    munmap(hole + 4096, 4096);
    munmap(ro, 4096);
    munmap(noexec, 4096);
}

static void bus_cases(void)
{
    char *m = truncated_mapping();
    printf("truncated file: byte 50 '%c', byte 200 is 0: %s\n", m[50], yes(m[200] == 0));
    arm(RESUME_AT, load_after);
    do_load(m + 4096 + 8);
    report("load past the end of a truncated file", m + 4096 + 8, load_at);
    munmap(m, 8192);
}

static void fpe_cases(void)
{
    arm(RESUME_AT, idiv_after);
    do_idiv(7, 0);
    report("idiv by zero", idiv_at, idiv_at);

    arm(RESUME_AT, idiv_after);
    do_idiv(INT64_MIN, -1);
    report("idiv INT64_MIN by -1", idiv_at, idiv_at);

    arm(RESUME_AT, idiv_after);
    do_idiv(7, 2);
    report("idiv 7 by 2", idiv_at, idiv_at);

    arm(RESUME_AT, sse_div_after);
    do_sse_div();
    report("divsd by zero, exception unmasked", sse_div_at, sse_div_at);
    uint32_t mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    printf("  ZE flag set in the saved MXCSR: %s, MXCSR after: 0x%x\n",
           yes(seen.mxcsr & 0x4), mxcsr & ~0x3fu);
}

static void ill_trap_cases(void)
{
    arm(RESUME_AT, ud2_after);
    do_ud2();
    report("ud2", ud2_at, ud2_at);

    // int3 reports the address after it and no si_addr; nothing to skip.
    arm(RESUME_AT, int3_after);
    do_int3();
    report("int3", NULL, int3_after);

    arm(RESUME_AT, int_3_after);
    do_int_3();
    report("int $3", NULL, int_3_after);

    arm(RESUME_AT, step_after);
    do_single_step();
    report("single step after popf sets TF", step_after, step_after);
    printf("  TF set in the saved rflags: %s\n", yes(seen.eflags & 0x100));
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    printf("  TF clear after the return: %s\n", yes(!(flags & 0x100)));
}

// siglongjmp out of the handler: with a saved mask it comes back; without, the signal
// stays blocked (as the handler left it).
static void longjmp_cases(void)
{
    arm(RESUME_LONGJMP, NULL);
    if (sigsetjmp(jump_back, 1) == 0) {
        do_load(NULL);
        printf("siglongjmp: the load did not fault\n");
    }
    report("load from address 0, siglongjmp out", NULL, load_at);
    printf("  SEGV blocked after siglongjmp with the saved mask: %s\n",
           yes(mask_get() & BIT(SIGSEGV)));

    arm(RESUME_LONGJMP, NULL);
    if (sigsetjmp(jump_back, 0) == 0) {
        do_ud2();
        printf("siglongjmp: ud2 did not fault\n");
    }
    report("ud2, siglongjmp out without the mask", ud2_at, ud2_at);
    printf("  ILL blocked after siglongjmp without the saved mask: %s\n",
           yes(mask_get() & BIT(SIGILL)));
    mask_set(0);
}

// ---------------------------------------------------------------------------- threads

static void *faults_in_thread(void *arg)
{
    (void)arg;
    arm(RESUME_AT, load_after);
    do_load((void *)16);
    report("thread: load from address 16", (void *)16, load_at);
    arm(RESUME_AT, ud2_after);
    do_ud2();
    report("thread: ud2", ud2_at, ud2_at);
    arm(RESUME_AT, int3_after);
    do_int3();
    report("thread: int3", NULL, int3_after);
    return NULL;
}

// A thread recurses into the guard page below its stack; the SIGSEGV handler can only
// run on the thread's sigaltstack (SA_ONSTACK) and leaves with siglongjmp.
static char overflow_altstack[65536];
static sigjmp_buf overflow_back;
static volatile uintptr_t overflow_handler_sp;

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char here;
    seen.count++;
    seen.sig = sig;
    seen.code = si->si_code;
    seen.addr = (uintptr_t)si->si_addr;
    overflow_handler_sp = (uintptr_t)&here;
    siglongjmp(overflow_back, 1);
}

static int recurse(int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    if (n > (1 << 20)) // never: the stack ends long before
        return 0;
    return recurse(n + 1) + buf[0];
}

static void *overflow_thread(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *lo;
    size_t size, guard;
    pthread_getattr_np(pthread_self(), &a);
    pthread_attr_getstack(&a, &lo, &size);
    pthread_attr_getguardsize(&a, &guard);
    pthread_attr_destroy(&a);
    stack_t ss = { .ss_sp = overflow_altstack, .ss_size = sizeof(overflow_altstack) };
    sigaltstack(&ss, NULL);
    memset((void *)&seen, 0, sizeof(seen));
    if (sigsetjmp(overflow_back, 1) == 0)
        recurse(0);
    uintptr_t alt = (uintptr_t)overflow_altstack, guard_lo = (uintptr_t)lo - guard;
    uintptr_t sp = overflow_handler_sp;
    printf("thread stack overflow: handler calls %d, %s %s, si_addr in the guard page %s, "
           "handler on the sigaltstack %s\n",
           seen.count, sig_name(seen.sig), code_name(seen.sig, seen.code),
           yes(seen.addr >= guard_lo && seen.addr < (uintptr_t)lo),
           yes(sp >= alt && sp < alt + sizeof(overflow_altstack)));
    return NULL;
}

static void thread_cases(void)
{
    pthread_t t;
    fflush(stdout);
    pthread_create(&t, NULL, faults_in_thread, NULL);
    pthread_join(t, NULL);

    on(SIGSEGV, on_overflow, SA_ONSTACK, 0);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256 * 1024);
    pthread_create(&t, &a, overflow_thread, NULL);
    pthread_join(t, NULL);
    pthread_attr_destroy(&a);
    handle_all(on_fault, 0, 0);
}

// ---------------------------------------------------------------------------- nested

static volatile int depth;

static void on_usr1_faulting(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    ev("usr1-enter");
    do_ud2();
    ev("usr1-leave");
}

static void on_ill_logging(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    ev("%s(%s) mask %s uc_sigmask %s", sig_name(sig), code_name(sig, si->si_code),
       set_names(mask_get()), set_names(uc_mask(uc)));
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)ud2_after;
}

// SA_NODEFER: the SEGV handler faults again and the second instance nests.
static void on_segv_nodefer(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    int d = ++depth;
    ev("segv%d(%s)", d, code_name(sig, si->si_code));
    if (d == 1)
        do_load((void *)8);
    ev("leave%d", d);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)load_after;
    depth--;
}

static void nested_cases(void)
{
    on(SIGILL, on_ill_logging, 0, 0);
    on(SIGUSR1, on_usr1_faulting, 0, 0);
    raise_raw(SIGUSR1);
    ev("main");
    ev_print("ud2 inside a SIGUSR1 handler");

    on(SIGSEGV, on_segv_nodefer, SA_NODEFER, 0);
    depth = 0;
    do_load((void *)16);
    ev("main");
    ev_print("SEGV inside the SEGV handler, SA_NODEFER");
    dfl(SIGUSR1);
    handle_all(on_fault, 0, 0);
}

// ---------------------------------------------------------------------------- children

enum mode { DEFAULT, IGNORED, BLOCKED, HANDLED };
static const char *const mode_names[] = { "default", "ignored", "blocked", "handled" };

struct kind {
    const char *name;
    int sig;
    void (*fault)(void);
    void *after;
};

static void fault_segv(void) { do_load((void *)16); }
static void fault_bus(void) { do_load(truncated_mapping() + 4096); }
static void fault_fpe(void) { do_idiv(1, 0); }

static const struct kind kinds[] = {
    { "SEGV", SIGSEGV, fault_segv, load_after },
    { "BUS", SIGBUS, fault_bus, load_after },
    { "FPE", SIGFPE, fault_fpe, idiv_after },
    { "ILL", SIGILL, do_ud2, ud2_after },
    { "TRAP", SIGTRAP, do_int3, int3_after },
};

static void show_status(const char *what, int status)
{
    if (WIFSIGNALED(status))
        printf("%s: killed by %s\n", what, sig_name(WTERMSIG(status)));
    else if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else
        printf("%s: status 0x%x\n", what, status);
    fflush(stdout);
}

// Runs FN in a child without core dumps; prints how the child ended.
static void in_child(const char *what, void (*fn)(const void *), const void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("%s: fork/wait failed\n", what);
        return;
    }
    show_status(what, status);
}

struct child_fault {
    const struct kind *k;
    enum mode mode;
};

static void child_fault(const void *arg)
{
    const struct child_fault *c = arg;
    const struct kind *k = c->k;
    switch (c->mode) {
    case DEFAULT:
        dfl(k->sig);
        break;
    case IGNORED:
        signal(k->sig, SIG_IGN);
        break;
    case BLOCKED:
        mask_set(BIT(k->sig));
        break;
    case HANDLED:
        break;
    }
    arm(RESUME_AT, k->after); // the handler, if it ran, would resume here
    k->fault();
    printf("  child survived the %s fault, handler calls %d\n", k->name, seen.count);
}

// A fault inside a handler whose sa_mask blocks the fault's signal, and a fault inside
// the handler of the same signal without SA_NODEFER: both forced, the child dies.
static void on_usr1_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    do_load((void *)16);
}

static void child_fault_under_sa_mask(const void *arg)
{
    (void)arg;
    arm(RESUME_AT, load_after);
    on(SIGUSR1, on_usr1_segv, 0, BIT(SIGSEGV));
    raise_raw(SIGUSR1);
    printf("  child survived, handler calls %d\n", seen.count);
}

static void on_segv_faulting(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    if (++depth == 1)
        do_load((void *)24);
}

static void child_fault_in_own_handler(const void *arg)
{
    (void)arg;
    depth = 0;
    on(SIGSEGV, on_segv_faulting, 0, 0);
    do_load((void *)16);
    printf("  child survived (depth %d)\n", depth);
}

static void children(void)
{
    char what[64];
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        for (enum mode m = DEFAULT; m <= HANDLED; m++) {
            struct child_fault c = { &kinds[i], m };
            snprintf(what, sizeof(what), "child, %s %s", kinds[i].name, mode_names[m]);
            in_child(what, child_fault, &c);
        }
    in_child("child, SEGV in a SIGUSR1 handler whose sa_mask has SEGV",
             child_fault_under_sa_mask, NULL);
    in_child("child, SEGV in the SEGV handler", child_fault_in_own_handler, NULL);
}

int main(void)
{
    handle_all(on_fault, 0, 0);
    segv_cases();
    bus_cases();
    fpe_cases();
    ill_trap_cases();
    longjmp_cases();
    thread_cases();
    nested_cases();
    children();
    printf("mask at the end: %s\n", set_names(mask_get()));
    return 0;
}
