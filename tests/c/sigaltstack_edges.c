// sigaltstack and where signal frames go: the query inside a handler reports SS_ONSTACK
// and a change there is EPERM; SS_DISABLE and handlers without SA_ONSTACK use the normal
// stack, below the 128-byte red zone; SS_AUTODISARM reads as disabled inside the handler
// and comes back at rt_sigreturn (also after the handler installed another one); the
// frame (pretcode, ucontext at +8, siginfo at +312, the 64-byte aligned xsave area above)
// lies inside the altstack with (rsp + 8) % 16 == 0 at handler entry, whatever the
// interrupted rsp and altstack alignment; a second SA_ONSTACK signal nests on the same
// altstack below the first frame; the argument errors (ENOMEM below MINSIGSTKSZ, EINVAL,
// EFAULT); and an altstack the frame cannot be written to (PROT_NONE, unmapped, or
// exhausted by nesting) kills with SIGSEGV, or delivers SIGSEGV (SI_KERNEL) to a handler
// on the normal stack.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include "lib/signals.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define KERNEL_MINSIGSTKSZ 2048 /* the kernel's, not glibc's sysconf value */
#define FP_XSTATE_MAGIC1 0x46505853U
#define ALT_SIZE 65536

// Handler entry: note rsp before any instruction of the C body ran, then go on to it.
// raise_rsp0/raise_rsp8 (tgid, tid, sig): tgkill with rsp % 16 == 0 / 8 at the syscall,
// noting that rsp, so the handler can compare it with the saved one.
__attribute__((visibility("hidden"))) uintptr_t entry_rsp, raise_rsp;
void probe_entry(int, siginfo_t *, void *);
long raise_rsp0(long, long, long);
long raise_rsp8(long, long, long);
__asm__(".text\n"
        ".globl probe_entry\n"
        ".type probe_entry,@function\n"
        "probe_entry:\n"
        "    mov %rsp, entry_rsp(%rip)\n"
        "    jmp probe_body\n"
        ".globl raise_rsp0\n"
        "raise_rsp0:\n"
        "    sub $8, %rsp\n"
        "    mov %rsp, raise_rsp(%rip)\n"
        "    mov $234, %eax\n"
        "    syscall\n"
        "    add $8, %rsp\n"
        "    ret\n"
        ".globl raise_rsp8\n"
        "raise_rsp8:\n"
        "    mov %rsp, raise_rsp(%rip)\n"
        "    mov $234, %eax\n"
        "    syscall\n"
        "    ret\n");

struct seen {
    int sig;
    uintptr_t entry, local, ucp, sip, fp, fp_end, saved_rsp, raise_rsp;
    stack_t query, uc_stack;
    long change_r, disable_r, set_other_r; /* -errno */
};
static struct seen seen[4];
static volatile int nseen;

// What a probe handler does inside, after noting what it sees (depth 0 = outermost).
static void (*volatile inside)(int depth);

static long ss_call(const stack_t *ss, stack_t *old)
{
    long r = syscall(SYS_sigaltstack, ss, old);
    return r == -1 ? -errno : r;
}

void probe_body(int sig, siginfo_t *si, void *ucv)
{
    volatile char local = 0;
    ucontext_t *uc = ucv;
    int i = nseen++;
    if (i >= 4)
        return;
    struct seen *s = &seen[i];
    s->sig = sig;
    s->entry = entry_rsp;
    s->raise_rsp = raise_rsp;
    s->local = (uintptr_t)&local;
    s->ucp = (uintptr_t)uc;
    s->sip = (uintptr_t)si;
    s->saved_rsp = uc->uc_mcontext.gregs[REG_RSP];
    s->uc_stack = uc->uc_stack;
    s->fp = (uintptr_t)uc->uc_mcontext.fpregs;
    uint32_t sw[2]; /* _fpx_sw_bytes: magic1, extended_size */
    memcpy(sw, (char *)s->fp + 464, 8);
    s->fp_end = s->fp + (sw[0] == FP_XSTATE_MAGIC1 ? sw[1] : 512);
    ss_call(NULL, &s->query);
    if (inside)
        inside(i);
}

static char *alt_a, *alt_b; /* two altstacks, each between PROT_NONE guard pages */

static char *guarded(size_t size)
{
    char *p = mmap(NULL, size + 2 * 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("FAIL: mmap\n");
        exit(1);
    }
    mprotect(p, 4096, PROT_NONE);
    mprotect(p + 4096 + size, 4096, PROT_NONE);
    return p + 4096;
}

static void set_alt(void *sp, size_t size, int flags)
{
    stack_t ss = { .ss_sp = sp, .ss_size = size, .ss_flags = flags };
    long r = ss_call(&ss, NULL);
    if (r != 0) {
        printf("FAIL: sigaltstack: %s\n", strerrorname_np(-r));
        exit(1);
    }
}

static const char *flags_name(int f)
{
    static char b[4][64];
    static int next;
    char *s = b[next++ % 4];
    s[0] = 0;
    if (f & SS_ONSTACK)
        strcat(s, "|ONSTACK");
    if (f & SS_DISABLE)
        strcat(s, "|DISABLE");
    if (f & SS_AUTODISARM)
        strcat(s, "|AUTODISARM");
    if (f & ~(SS_ONSTACK | SS_DISABLE | (int)SS_AUTODISARM))
        snprintf(s + strlen(s), 32, "|0x%x", f & ~(SS_ONSTACK | SS_DISABLE | (int)SS_AUTODISARM));
    return s[0] ? s + 1 : "0";
}

static const char *err_name(long r)
{
    if (r >= 0)
        return "0";
    const char *n = strerrorname_np(-r);
    return n ? n : "?";
}

// The altstacks this program sets, by start and size: "A", "A+3" (misaligned), "A/2048"
// (the smallest), "B"; or "null", or "other".
static const char *which_stack(const stack_t *ss)
{
    if (ss->ss_sp == NULL && ss->ss_size == 0)
        return "null";
    if (ss->ss_sp == alt_a && ss->ss_size == ALT_SIZE)
        return "A";
    if (ss->ss_sp == alt_a + 3 && ss->ss_size == ALT_SIZE - 8)
        return "A+3";
    if (ss->ss_sp == alt_a && ss->ss_size == KERNEL_MINSIGSTKSZ)
        return "A/2048";
    if (ss->ss_sp == alt_b && ss->ss_size == ALT_SIZE)
        return "B";
    return "other";
}

static int within(uintptr_t p, const char *base, size_t size)
{
    return p >= (uintptr_t)base && p < (uintptr_t)base + size;
}

// Where the frame of seen[i] went and how it is laid out. base/size: the altstack it
// should be on, or NULL for the normal stack.
static void show_frame(const char *what, int i, const char *base, size_t size)
{
    struct seen *s = &seen[i];
    if (i >= nseen) {
        printf("%s: handler did not run\n", what);
        return;
    }
    printf("%s: %s ran", what, sig_name(s->sig));
    if (base)
        printf(", frame in the altstack: %s",
               yes(within(s->entry, base, size) && within(s->local, base, size) &&
                   within(s->fp_end - 1, base, size)));
    else
        printf(", frame off both altstacks: %s",
               yes(!within(s->entry, alt_a, ALT_SIZE) && !within(s->entry, alt_b, ALT_SIZE)));
    printf(", (rsp+8)%%16==0: %s\n", yes((s->entry + 8) % 16 == 0));
    printf("  ucontext at rsp+8: %s, siginfo at rsp+312: %s, xsave area 64-aligned "
           "above the frame: %s\n",
           yes(s->ucp == s->entry + 8), yes(s->sip == s->entry + 312),
           yes(s->fp % 64 == 0 && s->fp >= s->entry + 440));
    printf("  saved rsp = rsp at the syscall: %s, frame below rsp-128: %s\n",
           yes(s->saved_rsp == s->raise_rsp),
           yes(s->fp_end <= s->raise_rsp - 128 || (base && s->raise_rsp < (uintptr_t)base) ||
               (base && s->raise_rsp > (uintptr_t)base + size)));
    printf("  query inside: flags %s stack %s; uc_stack: flags %s stack %s\n",
           flags_name(s->query.ss_flags), which_stack(&s->query),
           flags_name(s->uc_stack.ss_flags), which_stack(&s->uc_stack));
}

static void query(const char *what)
{
    stack_t o;
    memset(&o, 0x55, sizeof(o));
    long r = ss_call(NULL, &o);
    printf("%s: %s flags %s stack %s\n", what, err_name(r), flags_name(o.ss_flags),
           which_stack(&o));
}

static void probe(int sig, int sa_flags, int odd)
{
    nseen = 0;
    on(sig, probe_entry, sa_flags, 0);
    if (odd)
        raise_rsp8(getpid(), gettid(), sig);
    else
        raise_rsp0(getpid(), gettid(), sig);
}

// ---------------------------------------------------------------- inside actions

static void try_changes(int depth)
{
    if (depth != 0)
        return;
    stack_t other = { .ss_sp = alt_b, .ss_size = ALT_SIZE };
    stack_t off = { .ss_flags = SS_DISABLE };
    seen[0].change_r = ss_call(&other, NULL);
    seen[0].disable_r = ss_call(&off, NULL);
}

static void nest_usr2(int depth)
{
    if (depth == 0)
        raise_rsp8(getpid(), gettid(), SIGUSR2);
}

static void set_b_then_nest(int depth)
{
    if (depth != 0)
        return;
    stack_t other = { .ss_sp = alt_b, .ss_size = ALT_SIZE };
    seen[0].set_other_r = ss_call(&other, NULL);
    raise_rsp8(getpid(), gettid(), SIGUSR2);
}

// ---------------------------------------------------------------- the checks

static void argument_errors(void)
{
    query("no altstack yet");
    stack_t ss = { .ss_sp = alt_a, .ss_size = KERNEL_MINSIGSTKSZ - 1 };
    printf("size MINSIGSTKSZ-1: %s\n", err_name(ss_call(&ss, NULL)));
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 4;
    printf("flags 4: %s\n", err_name(ss_call(&ss, NULL)));
    ss.ss_flags = SS_DISABLE | SS_ONSTACK;
    printf("flags DISABLE|ONSTACK: %s\n", err_name(ss_call(&ss, NULL)));
    printf("bad new pointer: %s\n", err_name(ss_call((stack_t *)8, NULL)));
    printf("bad old pointer: %s\n", err_name(ss_call(NULL, (stack_t *)8)));
    query("after the errors");
    stack_t off = { .ss_sp = (void *)1, .ss_size = 5, .ss_flags = SS_DISABLE };
    printf("SS_DISABLE with junk sp/size: %s\n", err_name(ss_call(&off, NULL)));
    query("  then");
    set_alt(alt_a, ALT_SIZE, SS_ONSTACK); /* the old spelling of "enabled" */
    query("set with the legacy SS_ONSTACK flag");
    ss = (stack_t){ .ss_sp = alt_a, .ss_size = KERNEL_MINSIGSTKSZ };
    printf("size MINSIGSTKSZ: %s\n", err_name(ss_call(&ss, NULL)));
    query("  then");
    stack_t old;
    memset(&old, 0x55, sizeof(old));
    ss = (stack_t){ .ss_sp = alt_a, .ss_size = ALT_SIZE };
    printf("replace, old returned: %s", err_name(ss_call(&ss, &old)));
    printf(" flags %s stack %s\n", flags_name(old.ss_flags), which_stack(&old));
}

static void on_altstack(void)
{
    set_alt(alt_a, ALT_SIZE, 0);
    query("altstack A");
    inside = try_changes;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    show_frame("SA_ONSTACK, rsp%16==0 at the raise", 0, alt_a, ALT_SIZE);
    printf("  inside: change %s, SS_DISABLE %s\n", err_name(seen[0].change_r),
           err_name(seen[0].disable_r));
    query("  after");
    probe(SIGUSR1, SA_ONSTACK, 1);
    show_frame("SA_ONSTACK, rsp%16==8 at the raise", 0, alt_a, ALT_SIZE);

    /* a misaligned altstack: the kernel aligns the frame itself */
    set_alt(alt_a + 3, ALT_SIZE - 8, 0);
    probe(SIGUSR1, SA_ONSTACK, 0);
    show_frame("altstack at A+3, size-8", 0, alt_a + 3, ALT_SIZE - 8);
    set_alt(alt_a, ALT_SIZE, 0);

    probe(SIGUSR1, 0, 0);
    show_frame("no SA_ONSTACK, rsp%16==0", 0, NULL, 0);
    probe(SIGUSR1, 0, 1);
    show_frame("no SA_ONSTACK, rsp%16==8", 0, NULL, 0);

    on(SIGUSR2, probe_entry, SA_ONSTACK, 0);
    inside = nest_usr2;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    show_frame("nested: outer", 0, alt_a, ALT_SIZE);
    show_frame("nested: inner", 1, alt_a, ALT_SIZE);
    printf("  inner frame below the outer one: %s\n",
           yes(nseen == 2 && seen[1].fp_end <= seen[0].entry && seen[1].local < seen[0].local));

    on(SIGUSR2, probe_entry, 0, 0);
    inside = nest_usr2;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    show_frame("nested without SA_ONSTACK: inner", 1, alt_a, ALT_SIZE);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

static void disabled(void)
{
    stack_t off = { .ss_flags = SS_DISABLE };
    printf("SS_DISABLE: %s\n", err_name(ss_call(&off, NULL)));
    query("  then");
    probe(SIGUSR1, SA_ONSTACK, 0);
    show_frame("SA_ONSTACK with the altstack disabled", 0, NULL, 0);
    dfl(SIGUSR1);
}

static void autodisarm(void)
{
    set_alt(alt_a, ALT_SIZE, SS_AUTODISARM);
    query("SS_AUTODISARM");
    inside = try_changes;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    show_frame("SS_AUTODISARM handler", 0, alt_a, ALT_SIZE);
    printf("  inside: change %s, SS_DISABLE %s\n", err_name(seen[0].change_r),
           err_name(seen[0].disable_r));
    query("  after");

    on(SIGUSR2, probe_entry, SA_ONSTACK, 0);
    inside = nest_usr2;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    show_frame("SS_AUTODISARM nested: inner", 1, alt_a, ALT_SIZE);
    printf("  inner below the outer frame: %s\n",
           yes(nseen == 2 && seen[1].fp_end <= seen[0].entry));
    query("  after");

    inside = set_b_then_nest;
    probe(SIGUSR1, SA_ONSTACK, 0);
    inside = NULL;
    printf("SS_AUTODISARM handler installs B: %s\n", err_name(seen[0].set_other_r));
    show_frame("  then a nested SA_ONSTACK signal", 1, alt_b, ALT_SIZE);
    query("  after both returned");
    dfl(SIGUSR1);
    dfl(SIGUSR2);
    stack_t off = { .ss_flags = SS_DISABLE };
    ss_call(&off, NULL);
}

// ---------------------------------------------------------------- deaths, in children

static volatile int depth_reached;
static int report_fd;

static void h_never(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    if (write(report_fd, "usr1-handler-ran ", 17) < 0)
        _exit(3);
}

static void h_recurse(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    depth_reached++;
    raise_raw(sig);
}

static void h_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    char b[64];
    int n = snprintf(b, sizeof(b), "SIGSEGV-handler(code %s) ",
                     si->si_code == SI_KERNEL ? "SI_KERNEL" : "other");
    if (write(report_fd, b, n) < 0)
        _exit(3);
    _exit(7);
}

enum alt_kind { PROT_NONE_ALT, UNMAPPED_ALT, EXHAUSTED_ALT };
enum segv_kind { SEGV_DEFAULT, SEGV_HANDLER, SEGV_HANDLER_ONSTACK };

static void doomed(enum alt_kind alt, enum segv_kind segv, const char *what)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        report_fd = p[1];
        char *m = mmap(NULL, ALT_SIZE, alt == PROT_NONE_ALT ? PROT_NONE : PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (alt == UNMAPPED_ALT)
            munmap(m, ALT_SIZE);
        if (alt == EXHAUSTED_ALT)
            m = alt_a; /* guard pages on both sides */
        set_alt(m, ALT_SIZE, 0);
        if (segv != SEGV_DEFAULT)
            on(SIGSEGV, h_segv, segv == SEGV_HANDLER_ONSTACK ? SA_ONSTACK : 0, 0);
        if (alt == EXHAUSTED_ALT)
            on(SIGUSR1, h_recurse, SA_ONSTACK | SA_NODEFER, 0);
        else
            on(SIGUSR1, h_never, SA_ONSTACK, 0);
        raise_raw(SIGUSR1);
        if (write(report_fd, "survived", 8) < 0)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    char buf[256];
    int st = read_child_report(p[0], pid, buf, sizeof(buf));
    printf("%s: %s", what, buf);
    if (WIFSIGNALED(st))
        printf("killed by %s\n", sig_name(WTERMSIG(st)));
    else
        printf("exited %d\n", WEXITSTATUS(st));
}

int main(void)
{
    mask_set(0);
    alt_a = guarded(ALT_SIZE);
    alt_b = guarded(ALT_SIZE);
    argument_errors();
    on_altstack();
    disabled();
    autodisarm();
    doomed(PROT_NONE_ALT, SEGV_DEFAULT, "PROT_NONE altstack");
    doomed(PROT_NONE_ALT, SEGV_HANDLER, "PROT_NONE altstack, SIGSEGV handler");
    doomed(PROT_NONE_ALT, SEGV_HANDLER_ONSTACK, "PROT_NONE altstack, SA_ONSTACK SIGSEGV handler");
    doomed(UNMAPPED_ALT, SEGV_DEFAULT, "unmapped altstack");
    doomed(EXHAUSTED_ALT, SEGV_DEFAULT, "altstack exhausted by nesting");
    /* the interrupted rsp is at the bottom of the altstack: the SIGSEGV frame goes below
     * it, into the guard page, so this handler cannot run either */
    doomed(EXHAUSTED_ALT, SEGV_HANDLER, "altstack exhausted by nesting, SIGSEGV handler (no room either)");
    return 0;
}
