// Mistakes asis's binary patching once made at patched syscall sites, one section each
// (the comment above each says what went wrong). Every section runs in a child of its
// own, so a section that crashes asis still lets the others report.
//
// The calls under test are made from sites asis patches: hand-written functions (symbol,
// type, size and CFI, as compiled code has) whose window is `mov $nr,%eax; syscall`, and
// glibc's own syscall(). `asis inspect` lists each of them as "patch", and `asis run
// --stats` counts their calls in the 'patched' column (path P: getpid, getppid,
// sched_yield), the 'entry' column (path E: rt_sigprocmask, fcntl) and the 'stub-trap'
// column (path T: fork), as the sections intend.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "lib/signals.h"

#define EFLAGS_TF 0x100L
#define EFLAGS_DF 0x400L

// ---------------------------------------------------------------------------- helpers

static volatile sig_atomic_t usr1_runs;
static volatile long usr1_flags; // EFLAGS inside the last SIGUSR1 handler

static long read_flags(void)
{
    long f;
    __asm__ volatile("pushfq; pop %0" : "=r"(f));
    return f;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    usr1_flags = read_flags();
    usr1_runs++;
}

// SIGUSR1 pending and blocked, so that unblocking it (rt_sigprocmask on path E) makes the
// call take the slow exit, which delivers it.
static void usr1_pending(void)
{
    on(SIGUSR1, on_usr1, 0, 0);
    mask_set(mask_get() | BIT(SIGUSR1));
    raise_raw(SIGUSR1);
}

// ---------------------------------------------------------------------------- single_step
// The program single-steps itself (it sets EFLAGS.TF with popfq; a SIGTRAP handler
// counts the steps) through a call on each path: getpid (P), rt_sigprocmask with
// nothing to deliver (E, fast exit), rt_sigprocmask unblocking a pending SIGUSR1 (E,
// slow exit) and fork (T). Natively the call returns its result, TF is still set after
// it and in the fork child, every step is a trap inside the stepped function, and none
// comes once the program has cleared TF. asis once (1) took the step after its stub's
// jump into the patch entry for one inside its PASS trampoline and resumed the program
// at a stale return address with rax = 39, without making the call (a crash or a wrong
// result), and (2) took the step after P's jump to the trampoline's syscall for one in
// its own code: it cleared the program's TF, and set it again at some later slow exit,
// long after the program had cleared it.
//
// A patched window is one instruction to the stepper: the trap natively seen after
// `mov $nr,%eax` (at the `syscall`) does not come (docs/patching-design.md 10, 11). Steps
// with rip inside the window are left out of the counts; all others must match.

// long NAME(long *flags, ...): sets TF, makes the call from its own window, reads the
// flags into *flags, clears TF and returns the call's result. NAME_marks holds the
// function's start, the window's start, the return address R and the function's end.
#define STEPPED(NAME, SETUP, NR)                                                   \
    __asm__(".text\n"                                                              \
            ".globl " #NAME "\n"                                                   \
            ".type " #NAME ",@function\n" #NAME ":\n"                              \
            "    .cfi_startproc\n"                                                 \
            "    push %rdi\n"                                                      \
            "    .cfi_adjust_cfa_offset 8\n"                                       \
            "    " SETUP "\n"                                                      \
            "    pushfq\n"                                                         \
            "    orq $0x100,(%rsp)\n"                                              \
            "    popfq\n"                                                          \
            "    nop\n"                                                            \
            "1:  mov $" #NR ",%eax\n"                                              \
            "    syscall\n"                                                        \
            "2:  nop\n"                                                            \
            "    pushfq\n"                                                         \
            "    pop %rcx\n"                                                       \
            "    pushfq\n"                                                         \
            "    andq $~0x100,(%rsp)\n"                                            \
            "    popfq\n"                                                          \
            "    pop %rdi\n"                                                       \
            "    .cfi_adjust_cfa_offset -8\n"                                      \
            "    mov %rcx,(%rdi)\n"                                                \
            "    ret\n"                                                            \
            "    .cfi_endproc\n"                                                   \
            "3:\n"                                                                 \
            ".size " #NAME ",.-" #NAME "\n"                                        \
            ".data\n"                                                              \
            ".balign 8\n" #NAME "_marks: .quad " #NAME ", 1b, 2b, 3b\n"           \
            ".text\n")

STEPPED(step_getpid, "", 39);
STEPPED(step_sigprocmask, "mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx; mov $8,%r10d", 14);
STEPPED(step_fork, "", 57);

long step_getpid(long *flags);
long step_sigprocmask(long *flags, long how, const uint64_t *set, uint64_t *old);
long step_fork(long *flags);
extern const uintptr_t step_getpid_marks[4], step_sigprocmask_marks[4], step_fork_marks[4];

static const uintptr_t *step_marks; // of the function being stepped
static volatile int steps, window_steps, stray_steps;

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    uintptr_t rip = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
    const uintptr_t *m = step_marks;
    if (m && rip > m[1] && rip < m[2])
        window_steps++;
    else if (m && rip >= m[0] && rip < m[3])
        steps++;
    else
        stray_steps++;
}

static void step_begin(const uintptr_t *marks)
{
    step_marks = marks;
    steps = window_steps = stray_steps = 0;
}

static void step_report(const char *what, int result_right, long flags)
{
    printf("single_step: %s: result right %s, TF kept %s, steps %d, stray steps %d\n", what,
           yes(result_right), yes(flags & EFLAGS_TF), steps, stray_steps);
}

static void single_step(void)
{
    on(SIGTRAP, on_trap, 0, 0);
    long flags;
    pid_t pid = getpid();

    step_begin(step_getpid_marks);
    long r = step_getpid(&flags);
    step_report("getpid (P)", r == pid, flags);

    uint64_t before = mask_get(), old = ~0ULL, none = 0;
    step_begin(step_sigprocmask_marks);
    r = step_sigprocmask(&flags, SIG_BLOCK, &none, &old);
    step_report("rt_sigprocmask (E)", r == 0 && old == before, flags);

    usr1_pending();
    uint64_t usr1 = BIT(SIGUSR1);
    step_begin(step_sigprocmask_marks);
    r = step_sigprocmask(&flags, SIG_UNBLOCK, &usr1, NULL);
    step_report("rt_sigprocmask unblocking SIGUSR1 (E, slow exit)", r == 0 && usr1_runs == 1,
                flags);
    printf("single_step: TF in the SIGUSR1 handler %s\n", yes(usr1_flags & EFLAGS_TF));

    fflush(stdout);
    step_begin(step_fork_marks);
    r = step_fork(&flags);
    if (r == 0) {
        step_report("fork (T), in the child", 1, flags);
        fflush(stdout);
        _exit(0);
    }
    int st = -1;
    int reaped = r > 0 && waitpid((pid_t)r, &st, 0) == r;
    step_report("fork (T), in the parent", reaped && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                flags);

    // TF is clear now: calls on every path, and glibc's getpid wrapper, give no trap.
    step_begin(NULL);
    (void)syscall(SYS_getppid);
    (void)mask_get();
    usr1_pending();
    mask_set(mask_get() & ~BIT(SIGUSR1));
    (void)getpid();
    pid_t c = fork_flushed();
    if (c == 0)
        _exit(0);
    waitpid(c, NULL, 0);
    printf("single_step: steps after TF was cleared %d, TF set %s\n",
           steps + window_steps + stray_steps, yes(read_flags() & EFLAGS_TF));

    // The same through glibc's getpid wrapper (its own patched site), stepped from C.
    step_begin(NULL);
    __asm__ volatile("pushfq; orq $0x100,(%%rsp); popfq" ::: "memory", "cc");
    pid_t stepped = getpid();
    __asm__ volatile("pushfq; pop %0; pushfq; andq $~0x100,(%%rsp); popfq"
                     : "=r"(flags)::"memory", "cc");
    int stepped_any = steps + window_steps + stray_steps > 0;
    step_begin(NULL);
    (void)mask_get();
    printf("single_step: glibc getpid stepped: result right %s, TF kept %s, stepped %s, "
           "steps after %d\n",
           yes(stepped == pid), yes(flags & EFLAGS_TF), yes(stepped_any),
           steps + window_steps + stray_steps);
}

// ---------------------------------------------------------------------------- direction_flag
// SYSCALL keeps every flag the kernel does not return in r11; the direction flag set by
// `std` is still set after the call, and a handler run on the way back (here SIGUSR1,
// delivered at the slow exit) starts with it clear and its return restores it. asis's
// path E entry does `cld`, and once restored the program's flags at neither of its exits:
// DF came back clear.

// long NAME(long *flags, ...): sets DF, makes the call from its own window, stores the
// flags after it in *flags (and clears DF again) and returns the call's result.
#define WITH_DF(NAME, SETUP, NR)                                                   \
    __asm__(".text\n"                                                              \
            ".globl " #NAME "\n"                                                   \
            ".type " #NAME ",@function\n" #NAME ":\n"                              \
            "    .cfi_startproc\n"                                                 \
            "    push %rdi\n"                                                      \
            "    .cfi_adjust_cfa_offset 8\n"                                       \
            "    " SETUP "\n"                                                      \
            "    std\n"                                                            \
            "    mov $" #NR ",%eax\n"                                              \
            "    syscall\n"                                                        \
            "    pushfq\n"                                                         \
            "    pop %rcx\n"                                                       \
            "    cld\n"                                                            \
            "    pop %rdi\n"                                                       \
            "    .cfi_adjust_cfa_offset -8\n"                                      \
            "    mov %rcx,(%rdi)\n"                                                \
            "    ret\n"                                                            \
            "    .cfi_endproc\n"                                                   \
            ".size " #NAME ",.-" #NAME "\n")

WITH_DF(df_getpid, "", 39);
WITH_DF(df_sigprocmask, "mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx; mov $8,%r10d", 14);
WITH_DF(df_fork, "", 57);

long df_getpid(long *flags);
long df_sigprocmask(long *flags, long how, const uint64_t *set, uint64_t *old);
long df_fork(long *flags);

static void direction_flag(void)
{
    long flags;
    pid_t pid = getpid();
    long r = df_getpid(&flags);
    printf("direction_flag: getpid (P): result right %s, DF kept %s\n", yes(r == pid),
           yes(flags & EFLAGS_DF));
    uint64_t none = 0, old = ~0ULL, before = mask_get();
    r = df_sigprocmask(&flags, SIG_BLOCK, &none, &old);
    printf("direction_flag: rt_sigprocmask (E): result right %s, DF kept %s\n",
           yes(r == 0 && old == before), yes(flags & EFLAGS_DF));
    usr1_pending();
    uint64_t usr1 = BIT(SIGUSR1);
    r = df_sigprocmask(&flags, SIG_UNBLOCK, &usr1, NULL);
    printf("direction_flag: rt_sigprocmask unblocking SIGUSR1 (E, slow exit): result right %s, "
           "DF kept %s, DF clear in the handler %s\n",
           yes(r == 0 && usr1_runs == 1), yes(flags & EFLAGS_DF), yes(!(usr1_flags & EFLAGS_DF)));
    fflush(stdout);
    r = df_fork(&flags);
    if (r == 0)
        _exit(flags & EFLAGS_DF ? 4 : 5);
    int st = 0;
    int reaped = r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st);
    printf("direction_flag: fork (T): DF kept in the parent %s, in the child %s\n",
           yes(flags & EFLAGS_DF), yes(reaped && WEXITSTATUS(st) == 4));
}

// ---------------------------------------------------------------------------- high_bits
// The kernel takes the syscall number from eax, sign-extended (`movslq %eax`): bits 32
// to 63 of rax do not matter. asis's patch entry compared the whole of rax with its table
// size and sent such a call to path E, which refused it (ENOSYS, and a warning).
// glibc's syscall() makes each call from its own patched site.

static void high_bits(void)
{
    const long hi[] = { 1L << 32, (long)0xdead000000000000UL, (long)0xffffffff00000000UL };
    const char *hi_name[] = { "1<<32", "0xdead<<48", "0xffffffff<<32" };
    pid_t pid = getpid();
    for (int i = 0; i < 3; i++) {
        long r = syscall(hi[i] | SYS_getpid);
        printf("high_bits: %s | getpid (P) is getpid %s\n", hi_name[i], yes(r == pid));
        uint64_t old = ~0ULL, none = 0;
        r = syscall(hi[i] | SYS_rt_sigprocmask, SIG_BLOCK, &none, &old, 8);
        printf("high_bits: %s | rt_sigprocmask (E) is rt_sigprocmask %s\n", hi_name[i],
               yes(r == 0 && old == mask_get()));
    }
    fflush(stdout);
    long r = syscall((1L << 32) | SYS_fork);
    if (r == 0)
        _exit(3);
    int st = 0;
    printf("high_bits: 1<<32 | fork (T) is fork %s\n",
           yes(r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 3));
}

// ---------------------------------------------------------------------------- register_storm
// For about a second, calls on path P (getpid, sched_yield) and E (rt_sigprocmask, fcntl
// failing with EBADF) with a sentinel in every general register and DF set, while a
// CPU-time timer and a second thread's tgkill land signals at every point of the patched
// path, and the handler makes P and E calls of its own. Natively every register but rax,
// rcx and r11 comes back unchanged, DF too, rax holds the result and rcx the return
// address.

// long NAME(long *rax): loads the sentinels, sets DF, makes the call, returns a mask of
// what changed (bit i: 0 rbx 1 rbp 2 rdi 3 rsi 4 rdx 5 r8 6 r9 7 r10 8 r12 9 r13 10 r14
// 11 r15 12 rsp 13 rcx != R 14 DF) and stores rax in *rax.
#define CHECKER(NAME, SETUP, CHECK_ARGS)                                           \
    __asm__(".text\n"                                                              \
            ".globl " #NAME "\n"                                                   \
            ".type " #NAME ",@function\n" #NAME ":\n"                              \
            "    .cfi_startproc\n"                                                 \
            "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n" \
            "    push %rdi\n"                                                      \
            "    .cfi_adjust_cfa_offset 56\n"                                      \
            "    mov %rsp,%rbp\n"                                                  \
            "    movabs $0x1111111111111111,%rbx\n"                                \
            "    movabs $0x2222222222222222,%r12\n"                                \
            "    movabs $0x3333333333333333,%r13\n"                                \
            "    movabs $0x4444444444444444,%r14\n"                                \
            "    movabs $0x5555555555555555,%r15\n"                                \
            "    movabs $0x6666666666666666,%r8\n"                                 \
            "    movabs $0x7777777777777777,%r9\n"                                 \
            "    movabs $0x8888888888888888,%rdi\n"                                \
            "    movabs $0x9999999999999999,%rsi\n"                                \
            "    movabs $0xaaaaaaaaaaaaaaaa,%rdx\n"                                \
            "    movabs $0xbbbbbbbbbbbbbbbb,%r10\n"                                \
            "    std\n"                                                            \
            SETUP                                                                  \
            "    syscall\n"                                                        \
            "1:  pushfq\n"                                                         \
            "    cld\n"                                                            \
            "    push %rax\n"                                                      \
            "    xor %eax,%eax\n"                                                  \
            "    testq $0x400,8(%rsp); jnz 2f; or $0x4000,%eax; 2:\n"              \
            "    lea 1b(%rip),%r11; cmp %r11,%rcx; je 2f; or $0x2000,%eax; 2:\n"  \
            "    lea -16(%rbp),%r11; cmp %r11,%rsp; je 2f; or $0x1000,%eax; 2:\n" \
            "    movabs $0x1111111111111111,%r11; cmp %r11,%rbx; je 2f; or $1,%eax; 2:\n" \
            "    movabs $0x2222222222222222,%r11; cmp %r11,%r12; je 2f; or $0x100,%eax; 2:\n" \
            "    movabs $0x3333333333333333,%r11; cmp %r11,%r13; je 2f; or $0x200,%eax; 2:\n" \
            "    movabs $0x4444444444444444,%r11; cmp %r11,%r14; je 2f; or $0x400,%eax; 2:\n" \
            "    movabs $0x5555555555555555,%r11; cmp %r11,%r15; je 2f; or $0x800,%eax; 2:\n" \
            "    movabs $0x6666666666666666,%r11; cmp %r11,%r8; je 2f; or $0x20,%eax; 2:\n" \
            "    movabs $0x7777777777777777,%r11; cmp %r11,%r9; je 2f; or $0x40,%eax; 2:\n" \
            CHECK_ARGS                                                             \
            "    pop %rcx\n"                                                       \
            "    add $8,%rsp\n"                                                    \
            "    pop %rdi\n"                                                       \
            "    mov %rcx,(%rdi)\n"                                                \
            "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"      \
            "    .cfi_adjust_cfa_offset -56\n"                                     \
            "    ret\n"                                                            \
            "    .cfi_endproc\n"                                                   \
            ".size " #NAME ",.-" #NAME "\n")

#define CHECK_SENTINEL_ARGS                                                             \
    "    movabs $0x8888888888888888,%r11; cmp %r11,%rdi; je 2f; or $4,%eax; 2:\n"       \
    "    movabs $0x9999999999999999,%r11; cmp %r11,%rsi; je 2f; or $8,%eax; 2:\n"       \
    "    movabs $0xaaaaaaaaaaaaaaaa,%r11; cmp %r11,%rdx; je 2f; or $16,%eax; 2:\n"      \
    "    movabs $0xbbbbbbbbbbbbbbbb,%r11; cmp %r11,%r10; je 2f; or $0x80,%eax; 2:\n"

// getpid (P): the argument registers hold sentinels too.
CHECKER(storm_getpid, "    mov $39,%eax\n", CHECK_SENTINEL_ARGS);
// sched_yield (P)
CHECKER(storm_yield, "    mov $24,%eax\n", CHECK_SENTINEL_ARGS);
// rt_sigprocmask(SIG_BLOCK, NULL, NULL, 8) (E): 0
CHECKER(storm_sigprocmask,
        "    xor %edi,%edi; xor %esi,%esi; xor %edx,%edx; mov $8,%r10d\n"
        "    mov $14,%eax\n",
        "    cmp $0,%rdi; je 2f; or $4,%eax; 2:\n"
        "    cmp $0,%rsi; je 2f; or $8,%eax; 2:\n"
        "    cmp $0,%rdx; je 2f; or $16,%eax; 2:\n"
        "    cmp $8,%r10; je 2f; or $0x80,%eax; 2:\n");
// fcntl(1000, F_GETFD) (E): -EBADF
CHECKER(storm_fcntl,
        "    mov $1000,%edi; mov $1,%esi\n"
        "    mov $72,%eax\n",
        "    cmp $1000,%rdi; je 2f; or $4,%eax; 2:\n"
        "    cmp $1,%rsi; je 2f; or $8,%eax; 2:\n"
        "    movabs $0xaaaaaaaaaaaaaaaa,%r11; cmp %r11,%rdx; je 2f; or $16,%eax; 2:\n"
        "    movabs $0xbbbbbbbbbbbbbbbb,%r11; cmp %r11,%r10; je 2f; or $0x80,%eax; 2:\n");

long storm_getpid(long *rax);
long storm_yield(long *rax);
long storm_sigprocmask(long *rax);
long storm_fcntl(long *rax);

static atomic_long storm_signals;
static atomic_int storm_stop;
static pid_t storm_tid;

static void on_storm(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    (void)mask_get(); // E
    (void)getpid();   // P
    atomic_fetch_add_explicit(&storm_signals, 1, memory_order_relaxed);
}

static void *storm_sender(void *arg)
{
    (void)arg;
    pid_t pid = getpid();
    while (!atomic_load(&storm_stop)) {
        syscall(SYS_tgkill, pid, storm_tid, SIGUSR1);
        for (volatile int i = 0; i < 200; i++)
            ;
    }
    return NULL;
}

static void register_storm(void)
{
    struct {
        const char *name;
        long (*call)(long *);
        long want;
        long bad, wrong, changed;
    } calls[] = {
        { "getpid (P)", storm_getpid, getpid(), 0, 0, 0 },
        { "sched_yield (P)", storm_yield, 0, 0, 0, 0 },
        { "rt_sigprocmask (E)", storm_sigprocmask, 0, 0, 0, 0 },
        { "fcntl (E)", storm_fcntl, -EBADF, 0, 0, 0 },
    };
    const int n_calls = sizeof(calls) / sizeof(calls[0]);
    on(SIGUSR1, on_storm, SA_RESTART, 0);
    on(SIGPROF, on_storm, SA_RESTART, 0);
    storm_tid = gettid();
    struct itimerval it = { { 0, 100 }, { 0, 100 } };
    setitimer(ITIMER_PROF, &it, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, storm_sender, NULL) != 0)
        die("pthread_create");
    long rounds = 0;
    long long end = now_ms() + 1000;
    while (now_ms() < end) {
        for (int i = 0; i < 1000; i++, rounds++) {
            for (int k = 0; k < n_calls; k++) {
                long rax;
                long m = calls[k].call(&rax);
                if (m)
                    calls[k].bad++, calls[k].changed |= m;
                if (rax != calls[k].want)
                    calls[k].wrong++;
            }
        }
    }
    atomic_store(&storm_stop, 1);
    pthread_join(th, NULL);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_PROF, &off, NULL);
    for (int k = 0; k < n_calls; k++) {
        printf("register_storm: %s: registers and DF kept %s, result right %s\n",
               calls[k].name, yes(!calls[k].bad), yes(!calls[k].wrong));
        if (calls[k].bad || calls[k].wrong)
            fprintf(stderr, "register_storm: %s: %ld changed (mask %#lx), %ld wrong of %ld\n",
                    calls[k].name, calls[k].bad, calls[k].changed, calls[k].wrong, rounds);
    }
    printf("register_storm: signals landed %s\n", yes(atomic_load(&storm_signals) > 0));
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    run_section("single_step", single_step);
    run_section("direction_flag", direction_flag);
    run_section("high_bits", high_bits);
    run_section("register_storm", register_storm);
    return 0;
}
