// rt_sigreturn with a frame the handler damaged: what Linux refuses (SIGSEGV, si_code
// SI_KERNEL, at the restored registers, with the frame's mask already in place) and what
// it accepts (no FP state: a fresh one; no xsave magic: only the legacy x87/SSE part).
// Each case runs in a child.
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/wait.h>

enum edit { FP_NULL, FP_MISALIGNED, FP_UNMAPPED, MXCSR_RESERVED, XCOMP_BV, NO_MAGIC };
static const char *const names[] = { "fpstate NULL", "fpstate misaligned", "fpstate unmapped",
                                     "MXCSR reserved bit", "xsave header XCOMP_BV", "xsave magic cleared" };
static volatile enum edit g_edit;
static volatile uint64_t restored_marker;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)si;
    ucontext_t *uc = ctx;
    uc->uc_mcontext.gregs[REG_R12] = 0x1234; // visible only if the registers come back
    sigaddset(&uc->uc_sigmask, SIGUSR2);     // the mask the frame restores
    char *fp = (char *)uc->uc_mcontext.fpregs;
    switch (g_edit) {
    case FP_NULL: uc->uc_mcontext.fpregs = NULL; break;
    case FP_MISALIGNED: uc->uc_mcontext.fpregs = (void *)(fp + 8); break;
    case FP_UNMAPPED: uc->uc_mcontext.fpregs = (void *)0x1000; break;
    case MXCSR_RESERVED: *(uint32_t *)(fp + 24) |= 0x80000000u; break;
    case XCOMP_BV: *(uint64_t *)(fp + 520) = 1; break;
    case NO_MAGIC: *(uint32_t *)(fp + 464) = 0; ((uint32_t *)(fp + 160))[0] = 0xabcdef01; break;
    }
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    ucontext_t *uc = ctx;
    printf("  SIGSEGV si_code %s, r12 restored %s, frame mask had SIGUSR2 %s\n",
           si->si_code == SI_KERNEL ? "SI_KERNEL" : "other",
           uc->uc_mcontext.gregs[REG_R12] == 0x1234 ? "yes" : "no",
           sigismember(&uc->uc_sigmask, SIGUSR2) ? "yes" : "no");
    fflush(stdout);
    _exit(0);
}

static void run(enum edit e)
{
    printf("%s:\n", names[e]);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
        sigaction(SIGUSR1, &sa, 0);
        struct sigaction sb = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
        sigaction(SIGSEGV, &sb, 0);
        g_edit = e;
        uint32_t mx = 0x1fc0; // not the reset value
        __asm__ volatile("ldmxcsr %0" ::"m"(mx));
        uint64_t r12 = 0;
        float xmm0_in = 1.5f, xmm0_out;
        __asm__ volatile("movss %[in], %%xmm0\n\t"
                         "mov $0, %%r12\n\t"
                         "mov $39, %%eax\n\tsyscall\n\t"  // getpid
                         "mov %%eax, %%edi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t" // kill(pid, SIGUSR1)
                         "mov %%r12, %[r12]\n\t"
                         "movss %%xmm0, %[out]"
                         : [r12] "=m"(r12), [out] "=m"(xmm0_out)
                         : [in] "m"(xmm0_in)
                         : "rax", "rdi", "rsi", "rcx", "r11", "r12", "xmm0", "memory");
        uint32_t mx_after;
        __asm__ volatile("stmxcsr %0" : "=m"(mx_after));
        sigset_t now;
        sigprocmask(SIG_BLOCK, 0, &now);
        printf("  returned: r12 0x%lx, MXCSR %s, xmm0 %s, SIGUSR2 blocked %s\n", (unsigned long)r12,
               mx_after == 0x1f80 ? "reset" : mx_after == 0x1fc0 ? "kept" : "other",
               xmm0_out == 1.5f ? "kept" : *(uint32_t *)&xmm0_out == 0xabcdef01 ? "from the frame's legacy area" : xmm0_out == 0 ? "zero" : "other",
               sigismember(&now, SIGUSR2) ? "yes" : "no");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("  child %s %d\n", WIFSIGNALED(st) ? "killed by" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

int main(void)
{
    for (int e = FP_NULL; e <= NO_MAGIC; e++)
        run((enum edit)e);
    return 0;
}
