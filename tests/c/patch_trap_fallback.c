// Hand-written syscall sites that a binary patcher must leave alone (docs/patching-design.md
// 2.2: they stay trapped), next to ordinary sites it may rewrite, each called many times
// with its results checked. A patcher that rewrote a refused site breaks the program:
// - a branch into the window: the branch lands on the `int3` left after the `jmp rel32`
//   (SIGTRAP), or in the middle of the `jmp` (garbage);
// - a non-idempotent prefix (`add $1,%eax`): a read interrupted by a SA_RESTART signal
//   would restart at the window start and run `add` again, making read (0) a write (1),
//   which fails with EBADF on the read end of a pipe;
// - a 2-byte prefix whose window cannot grow (function start, a memory read, a branch
//   target just before it): a window of 4 bytes cannot hold the 5-byte jump;
// - a function with an indirect jump through a table: one table entry targets a
//   `syscall` directly.
// Every function has a symbol with type and size, and CFI, as compiled code has, so the
// patcher finds its bounds. The output is counts and comparisons only.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "lib/test_util.h"

// ---------------------------------------------------------------------------- the sites

long pt_loop_into(long n);                     // n getpid through one site; their sum
long pt_branch_into(long nr, long use_nr);     // use_nr ? syscall nr : getpid
long pt_read_addone(long fd, void *buf, long len); // read; prefix `add $1,%eax`
long pt_push_pop_getpid(void);                 // getpid; prefix `push $39; pop %rax`
long pt_nr_edi(long nr);                       // syscall nr; prefix `mov %edi,%eax` only
long pt_nr_edi_mem(const int *nr);             // the same after a load of the number
long pt_nr_edi_label(long nr, long skip);      // the same after a branch target
long pt_table(long idx);                       // 0 getpid, 1 getppid, 2 gettid
long pt_getpid(void);                          // patchable: mov $39,%eax; syscall
long pt_getppid_rax(void);                     // patchable: mov $110,%rax; syscall
long pt_write(long fd, const void *buf, long len); // patchable: mov $1,%eax; syscall

__asm__(
    ".text\n"

    // (1) A backward branch to the syscall: the loop re-enters at the syscall, not at
    // the `mov` that starts its window.
    ".globl pt_loop_into\n"
    ".type pt_loop_into,@function\n"
    "pt_loop_into:\n"
    "    .cfi_startproc\n"
    "    mov %rdi,%r9\n"
    "    xor %r8d,%r8d\n"
    "    mov $39,%eax\n"
    "1:  syscall\n"
    "    add %rax,%r8\n"
    "    mov $39,%eax\n"
    "    dec %r9\n"
    "    jnz 1b\n"
    "    mov %r8,%rax\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_loop_into,.-pt_loop_into\n"

    // (1) A forward jump to the syscall from the other arm of a branch; the window's
    // own start (label 1) is a branch target too, which alone would be allowed.
    ".globl pt_branch_into\n"
    ".type pt_branch_into,@function\n"
    "pt_branch_into:\n"
    "    .cfi_startproc\n"
    "    test %rsi,%rsi\n"
    "    jz 1f\n"
    "    mov %edi,%eax\n"
    "    jmp 2f\n"
    "1:  mov $39,%eax\n"
    "2:  syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_branch_into,.-pt_branch_into\n"

    // (2) `add $1,%eax; syscall` is exactly 5 bytes, but running `add` twice (a restart
    // at the window start) turns read (0) into write (1).
    ".globl pt_read_addone\n"
    ".type pt_read_addone,@function\n"
    "pt_read_addone:\n"
    "    .cfi_startproc\n"
    "    mov $-1,%eax\n"
    "    add $1,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_read_addone,.-pt_read_addone\n"

    // (2) `push $39; pop %rax; syscall` is exactly 5 bytes: the prefix writes and reads
    // the stack and moves rsp.
    ".globl pt_push_pop_getpid\n"
    ".type pt_push_pop_getpid,@function\n"
    "pt_push_pop_getpid:\n"
    "    .cfi_startproc\n"
    "    push $39\n"
    "    .cfi_adjust_cfa_offset 8\n"
    "    pop %rax\n"
    "    .cfi_adjust_cfa_offset -8\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_push_pop_getpid,.-pt_push_pop_getpid\n"

    // (3) A 2-byte prefix at the function's start: nothing before it to grow over.
    ".globl pt_nr_edi\n"
    ".type pt_nr_edi,@function\n"
    "pt_nr_edi:\n"
    "    .cfi_startproc\n"
    "    mov %edi,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_nr_edi,.-pt_nr_edi\n"

    // (3) A 2-byte prefix after a load from memory (not [rsp]), which a window may not hold.
    ".globl pt_nr_edi_mem\n"
    ".type pt_nr_edi_mem,@function\n"
    "pt_nr_edi_mem:\n"
    "    .cfi_startproc\n"
    "    mov (%rdi),%edi\n"
    "    mov %edi,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_nr_edi_mem,.-pt_nr_edi_mem\n"

    // (3) A 2-byte prefix that is a branch target, after idempotent instructions (5
    // bytes) that a window could otherwise include: growing over them would put the
    // target inside the window.
    ".globl pt_nr_edi_label\n"
    ".type pt_nr_edi_label,@function\n"
    "pt_nr_edi_label:\n"
    "    .cfi_startproc\n"
    "    test %rsi,%rsi\n"
    "    jnz 1f\n"
    "    xor %edx,%edx\n"
    "    xor %r10d,%r10d\n"
    "1:  mov %edi,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_nr_edi_label,.-pt_nr_edi_label\n"

    // (4) A jump table (position-independent, as gcc emits for a switch): entries 0 and
    // 1 go to ordinary-looking sites, entry 2 straight to the first site's syscall with
    // eax = gettid set before the jump.
    ".globl pt_table\n"
    ".type pt_table,@function\n"
    "pt_table:\n"
    "    .cfi_startproc\n"
    "    mov $186,%eax\n"
    "    lea .Lpt_tab(%rip),%rdx\n"
    "    movslq (%rdx,%rdi,4),%rcx\n"
    "    add %rcx,%rdx\n"
    "    jmp *%rdx\n"
    ".Lpt_c0:\n"
    "    mov $39,%eax\n"
    ".Lpt_s0:\n"
    "    syscall\n"
    "    ret\n"
    ".Lpt_c1:\n"
    "    mov $110,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_table,.-pt_table\n"

    // Ordinary sites a patcher may rewrite.
    ".globl pt_getpid\n"
    ".type pt_getpid,@function\n"
    "pt_getpid:\n"
    "    .cfi_startproc\n"
    "    mov $39,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_getpid,.-pt_getpid\n"

    ".globl pt_getppid_rax\n"
    ".type pt_getppid_rax,@function\n"
    "pt_getppid_rax:\n"
    "    .cfi_startproc\n"
    "    mov $110,%rax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_getppid_rax,.-pt_getppid_rax\n"

    ".globl pt_write\n"
    ".type pt_write,@function\n"
    "pt_write:\n"
    "    .cfi_startproc\n"
    "    mov $1,%eax\n"
    "    syscall\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size pt_write,.-pt_write\n"

    ".section .rodata\n"
    ".balign 4\n"
    ".Lpt_tab:\n"
    "    .long .Lpt_c0-.Lpt_tab\n"
    "    .long .Lpt_c1-.Lpt_tab\n"
    "    .long .Lpt_s0-.Lpt_tab\n"
    ".text\n");

// ---------------------------------------------------------------------------- helpers

#define ROUNDS 20000
#define PATCHABLE_ROUNDS 100000

static long pid, ppid, tid;

static void report(const char *what, long calls, long wrong)
{
    printf("%s: %ld calls, %ld wrong\n", what, calls, wrong);
    fflush(stdout);
}

// ---------------------------------------------------------------------------- (2) restart

static volatile sig_atomic_t handled;
static pid_t main_tid;
static atomic_int call_done;
static int pipe_r, pipe_w;
static const char data[] = "restart!";

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static int done(void) { return atomic_load(&call_done); }
static int asleep_or_done(void) { return done() || task_state(main_tid) == 'S'; }
static int handler_ran_or_done(void) { return done() || handled > 0; }

// Waits until the main thread sleeps in the read, interrupts it, and once the read
// sleeps again (restarted) or has returned, writes the data.
static void *interrupter(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    if (!wait_until(asleep_or_done, 5000) || done())
        printf("the read did not block\n");
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    wait_until(handler_ran_or_done, 5000);
    wait_until(asleep_or_done, 5000);
    if (write(pipe_w, data, sizeof(data)) != (long)sizeof(data))
        die("write");
    return NULL;
}

// A blocking read through the `add $1,%eax` site, interrupted by SIGUSR1.
static void interrupted_read(int restart)
{
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    atomic_store(&call_done, 0);
    main_tid = gettid();
    pthread_t th;
    if (pthread_create(&th, NULL, interrupter, NULL) != 0)
        die("pthread_create");
    char buf[32] = { 0 };
    long r = pt_read_addone(pipe_r, buf, sizeof(buf));
    atomic_store(&call_done, 1);
    pthread_join(th, NULL);
    printf("read with a non-idempotent prefix, %s: ", restart ? "SA_RESTART" : "no SA_RESTART");
    if (r < 0)
        printf("%s", strerrorname_np(-r) ? strerrorname_np(-r) : "?");
    else
        printf("%ld bytes, data right: %s", r, yes(r == sizeof(data) && !memcmp(buf, data, r)));
    if (r < 0) { // the data is still in the pipe
        long n = read(pipe_r, buf, sizeof(buf));
        printf(", then %ld bytes, data right: %s", n, yes(n == sizeof(data) && !memcmp(buf, data, n)));
    }
    printf(" (handler ran %d)\n", (int)handled);
    fflush(stdout);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    pid = syscall(SYS_getpid);
    ppid = syscall(SYS_getppid);
    tid = syscall(SYS_gettid);
    long wrong;
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    pipe_r = fds[0];
    pipe_w = fds[1];

    // (1) branches into the window
    long sum = pt_loop_into(ROUNDS);
    printf("backward branch to the syscall: %d calls, sum right: %s\n", ROUNDS,
           yes(sum == ROUNDS * pid));
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++)
        wrong += pt_branch_into(SYS_getppid, i & 1) != (i & 1 ? ppid : pid);
    report("forward jump to the syscall", ROUNDS, wrong);

    // (2) non-idempotent prefixes
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++) {
        char c = (char)i, got = 0;
        if (write(pipe_w, &c, 1) != 1)
            die("write");
        wrong += pt_read_addone(pipe_r, &got, 1) != 1 || got != c;
    }
    report("read after add $1,%eax", ROUNDS, wrong);
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++)
        wrong += pt_push_pop_getpid() != pid;
    report("getpid after push/pop", ROUNDS, wrong);
    for (int round = 0; round < 3; round++) {
        interrupted_read(1);
        interrupted_read(0);
    }

    // (3) 2-byte prefixes
    static const long nrs[3] = { SYS_getpid, SYS_getppid, SYS_gettid };
    const long want[3] = { pid, ppid, tid };
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++)
        wrong += pt_nr_edi(nrs[i % 3]) != want[i % 3];
    report("mov %edi,%eax at the function start", ROUNDS, wrong);
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++) {
        int nr = (int)nrs[i % 3];
        wrong += pt_nr_edi_mem(&nr) != want[i % 3];
    }
    report("mov %edi,%eax after a load", ROUNDS, wrong);
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++)
        wrong += pt_nr_edi_label(nrs[i % 3], i & 1) != want[i % 3];
    report("mov %edi,%eax at a branch target", ROUNDS, wrong);

    // (4) a jump table
    wrong = 0;
    for (long i = 0; i < ROUNDS; i++)
        wrong += pt_table(i % 3) != want[i % 3];
    report("jump table into a syscall", ROUNDS, wrong);

    // Patchable sites
    wrong = 0;
    for (long i = 0; i < PATCHABLE_ROUNDS; i++)
        wrong += pt_getpid() != pid;
    report("getpid, mov $39,%eax", PATCHABLE_ROUNDS, wrong);
    wrong = 0;
    for (long i = 0; i < PATCHABLE_ROUNDS; i++)
        wrong += pt_getppid_rax() != ppid;
    report("getppid, mov $110,%rax", PATCHABLE_ROUNDS, wrong);
    wrong = 0;
    long bad_fd = pt_write(-1, "x", 1);
    for (long i = 0; i < PATCHABLE_ROUNDS; i++) {
        char c = (char)(i * 7), got = 0;
        wrong += pt_write(pipe_w, &c, 1) != 1;
        wrong += read(pipe_r, &got, 1) != 1 || got != c;
    }
    report("write, mov $1,%eax", PATCHABLE_ROUNDS, wrong);
    printf("write to fd -1: %s\n", bad_fd < 0 ? strerrorname_np(-bad_fd) : "no error");
    return 0;
}
