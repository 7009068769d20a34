// The FP and vector state across a signal handler. The interrupted code holds distinct
// values in xmm0-15 (and the ymm upper halves with AVX, zmm0-31 and k0-k7 with
// AVX-512), x87 st0, the x87 control word and MXCSR when a signal arrives: a ud2 fault,
// a SIGUSR1 it sends itself with tgkill, or one another thread sends while it spins.
// The handler must start with a fresh state, as Linux gives it (MXCSR 0x1f80, x87 CW
// 0x37f, x87 stack empty, vector registers zero), find the interrupted values in its
// frame (uc_mcontext.fpregs, the xsave area), and may clobber everything: after the
// return the originals are back. A handler that edits xmm0, MXCSR, the x87 CW and st0
// (and the upper half of ymm0) in the frame gets them after the return.
// Only what every x86-64 CPU has gets its own line; the AVX and AVX-512 parts are folded
// into one "where present" answer, yes when the CPU lacks them.
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

// ---------------------------------------------------------------------------- assembly

// Load f->in into every register (vectors as f->level says), then ud2, the syscall in
// f->in's rax, or a spin at spin_at (a jump through spin_next, no flags changed) until
// spin_next is spin_done; store all into f->out.
void site_ud2(struct frame *f);
void site_syscall(struct frame *f);
void site_spin(struct frame *f);
extern char spin_at[], spin_done[];
void *volatile spin_next;

__asm__(REGS_ASM_EQU
        ".text\n"
        ".globl site_ud2\n"
        "site_ud2:\n"
        REGS_ASM_LOAD_AND("ud2")
        REGS_ASM_STORE_AND_RETURN);

__asm__(".text\n"
        ".globl site_syscall\n"
        "site_syscall:\n"
        REGS_ASM_LOAD_AND_SYSCALL
        REGS_ASM_STORE_AND_RETURN);

__asm__(".text\n"
        ".globl site_spin, spin_at, spin_done\n"
        "site_spin:\n"
        REGS_ASM_LOAD_AND("spin_at: jmp *spin_next(%rip)\nspin_done:")
        REGS_ASM_STORE_AND_RETURN);

// The handler's entry: stores the FP state it starts with (fxsave for x87, MXCSR and
// xmm; the wider registers into entry.in as entry.level says), then goes on in C with
// the arguments untouched.
void handler_entry(int sig, siginfo_t *si, void *uc);
void on_signal(int sig, siginfo_t *si, void *uc);
struct frame entry;
_Alignas(64) uint8_t entry_fx[512];

// Loads clobber.in's vector, x87 (one push), x87 CW and MXCSR values and returns with
// them in place.
void clobber_fp(struct frame *c);
struct frame clobber;

__asm__(".text\n"
        ".globl handler_entry\n"
        "handler_entry:\n"
        "    fxsave entry_fx(%rip)\n"
        "    push %rdi\n"
        "    lea entry(%rip), %rdi\n"
        REGS_ASM_VECTORS(REGS_ASM_STORE, "LEVEL(%rdi)", "IN+ZMM+\\i*64(%rdi)",
                         "IN+KREG+\\i*8(%rdi)", "")
        "    pop %rdi\n"
        "    jmp on_signal\n"
        ".globl clobber_fp\n"
        "clobber_fp:\n"
        REGS_ASM_VECTORS(REGS_ASM_LOAD, "LEVEL(%rdi)", "IN+ZMM+\\i*64(%rdi)",
                         "IN+KREG+\\i*8(%rdi)", "")
        "    fldl IN+X87(%rdi)\n"
        "    fldcw IN+FCW(%rdi)\n"
        "    ldmxcsr IN+MXCSR(%rdi)\n"
        "    ret\n");

// ---------------------------------------------------------------------------- xsave area

// Offsets of the xsave components in the (standard format) signal frame area.
enum { YMM_HI128 = 2, OPMASK = 5, ZMM_HI256 = 6, HI16_ZMM = 7 };
static uint32_t xoff[8];

static void find_xsave_offsets(void)
{
    unsigned a, b, c, d;
    for (int i = 2; i < 8; i++) {
        __cpuid_count(0xd, i, a, b, c, d);
        xoff[i] = b;
    }
}

static uint64_t xstate_bv(const uint8_t *area)
{
    uint64_t bv;
    memcpy(&bv, area + 512, 8);
    return bv;
}

// Whether the parts of the frame's xsave area the CPU has beyond xmm (ymm upper halves,
// zmm, k) hold R's values. True when the CPU has none.
static int frame_wide_matches(const uint8_t *area, const struct regset *r)
{
    int ok = 1;
    uint64_t bv = xstate_bv(area);
    if (level >= 1) {
        ok &= (bv >> YMM_HI128) & 1;
        for (int i = 0; i < 16; i++)
            ok &= memcmp(area + xoff[YMM_HI128] + 16 * i, &r->zmm[i][16], 16) == 0;
    }
    if (level == 2) {
        ok &= ((bv >> OPMASK) & 7) == 7;
        ok &= memcmp(area + xoff[OPMASK], r->k, 64) == 0;
        for (int i = 0; i < 16; i++)
            ok &= memcmp(area + xoff[ZMM_HI256] + 32 * i, &r->zmm[i][32], 32) == 0;
        for (int i = 0; i < 16; i++)
            ok &= memcmp(area + xoff[HI16_ZMM] + 64 * i, r->zmm[16 + i], 64) == 0;
    }
    return ok;
}

// ---------------------------------------------------------------------------- handler

#define FRESH_MXCSR 0x1f80
#define FRESH_FCW 0x37f
#define EDIT_MXCSR 0x3f80 // round down
#define EDIT_FCW 0x027f   // 53-bit precision
#define EDIT_ST0 2.5

enum kind { UD2, TGKILL, ASYNC };
static const char *const kind_names[] = { "ud2", "tgkill SIGUSR1", "SIGUSR1 from a thread" };

static volatile enum kind kind;
static volatile int edit; // the handler edits the frame's FP state
static const uint8_t edit_xmm0[16] = "edited-xmm0-val";
static const uint8_t edit_ymm0_hi[16] = "edited-ymm0-hi!";

static struct frame f;

static struct seen {
    int count;
    // at entry
    int fresh_mxcsr, fresh_fcw, x87_empty, xmm_zero, wide_zero;
    // in the frame
    int frame_mxcsr, frame_fcw, frame_st0, frame_xmm, frame_wide;
} seen;

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

// The x87 80-bit form of a double as it is stored in the FXSAVE area.
static void to_x87(uint64_t bits, uint8_t out[10])
{
    double d;
    memcpy(&d, &bits, 8);
    long double ld = d;
    memcpy(out, &ld, 10);
}

void on_signal(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    ucontext_t *uc = ucv;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    if (kind == ASYNC && uc->uc_mcontext.gregs[REG_RIP] != (greg_t)spin_at) {
        clobber_fp(&clobber); // the signal found the thread outside the loop
        return;
    }
    seen.count++;

    // What the handler started with: the fxsave at entry.
    uint16_t fcw;
    uint32_t mxcsr;
    memcpy(&fcw, entry_fx + 0, 2);
    memcpy(&mxcsr, entry_fx + 24, 4);
    seen.fresh_mxcsr = mxcsr == FRESH_MXCSR;
    seen.fresh_fcw = fcw == FRESH_FCW;
    seen.x87_empty = entry_fx[4] == 0; // abridged tag word: no register valid
    seen.xmm_zero = all_zero(entry_fx + 160, 256);
    int wide_zero = 1;
    for (int i = 0; level && i < (level == 2 ? 32 : 16); i++)
        wide_zero &= all_zero(entry.in.zmm[i], level == 2 ? 64 : 32);
    if (level == 2)
        wide_zero &= all_zero(entry.in.k, sizeof(entry.in.k));
    seen.wide_zero = wide_zero;

    // The interrupted state in the frame.
    if (fp) {
        uint8_t st0[10];
        to_x87(f.in.x87, st0);
        seen.frame_mxcsr = fp->mxcsr == f.in.mxcsr;
        seen.frame_fcw = fp->cwd == f.in.fcw;
        seen.frame_st0 = memcmp(&fp->_st[0], st0, 10) == 0;
        int xmm = 1;
        for (int i = 0; i < 16; i++)
            xmm &= memcmp(&fp->_xmm[i], f.in.zmm[i], 16) == 0;
        seen.frame_xmm = xmm;
        seen.frame_wide = (uc->uc_flags & 1) ? frame_wide_matches((uint8_t *)fp, &f.in)
                                             : level == 0;
    }

    if (sig == SIGILL)
        uc->uc_mcontext.gregs[REG_RIP] += 2; // past the ud2
    if (kind == ASYNC)
        spin_next = spin_done;
    if (edit && fp) {
        memcpy(&fp->_xmm[0], edit_xmm0, 16);
        fp->mxcsr = EDIT_MXCSR;
        fp->cwd = EDIT_FCW;
        uint64_t bits;
        double d = EDIT_ST0;
        memcpy(&bits, &d, 8);
        to_x87(bits, (uint8_t *)&fp->_st[0]);
        if (level >= 1 && (uc->uc_flags & 1))
            memcpy((uint8_t *)fp + xoff[YMM_HI128], edit_ymm0_hi, 16);
    }
    clobber_fp(&clobber); // last: nothing after it may need the ABI's FP defaults
}

// ---------------------------------------------------------------------------- checks

static const char *ok(int b)
{
    return b ? "ok" : "differs";
}

static pid_t main_tid;
static volatile int spinning, gave_up;

// Signals the main thread every millisecond until a handler found it in the spin loop;
// gives up (and ends the spin itself) after 3 s.
static void *spin_sender(void *arg)
{
    (void)arg;
    struct timespec ms = { 0, 1000000 };
    for (int i = 0; i < 3000 && spin_next != spin_done; i++) {
        if (spinning)
            syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
        nanosleep(&ms, NULL);
    }
    if (spin_next != spin_done) {
        gave_up = 1;
        spin_next = spin_done;
    }
    return NULL;
}

static void run(enum kind k, int do_edit)
{
    memset(&f, 0, sizeof(f));
    fill_patterns(&f.in, 0);
    f.level = level;
    if (k == TGKILL) {
        f.in.gpr[RAX] = SYS_tgkill;
        f.in.gpr[RDI] = (uint64_t)getpid();
        f.in.gpr[RSI] = (uint64_t)gettid();
        f.in.gpr[RDX] = SIGUSR1;
    }
    memset(&entry, 0xee, sizeof(entry)); // so that a missing store shows
    memset(entry_fx, 0xee, sizeof(entry_fx));
    entry.level = level;
    memset(&seen, 0, sizeof(seen));
    kind = k;
    edit = do_edit;
    if (k == UD2) {
        site_ud2(&f);
    } else if (k == TGKILL) {
        site_syscall(&f);
    } else {
        spin_next = spin_at;
        spinning = gave_up = 0;
        main_tid = gettid();
        pthread_t t;
        pthread_create(&t, NULL, spin_sender, NULL);
        spinning = 1;
        site_spin(&f);
        spinning = 0;
        pthread_join(t, NULL);
    }
}

// Whether the wider parts of register I (beyond its xmm) and k0-k7 came back as in IN.
static int wide_same(const struct regset *in, const struct regset *out, int skip_ymm0)
{
    int bytes = level == 2 ? 64 : level == 1 ? 32 : 16;
    int ok = 1;
    for (int i = 0; i < (level == 2 ? 32 : 16); i++) {
        int from = i < 16 ? 16 : 0;
        if (i == 0 && skip_ymm0)
            from = 32;
        if (from < bytes)
            ok &= memcmp(&in->zmm[i][from], &out->zmm[i][from], bytes - from) == 0;
    }
    if (level == 2)
        ok &= memcmp(in->k, out->k, sizeof(in->k)) == 0;
    return ok;
}

static void check(enum kind k)
{
    const char *name = kind_names[k];
    int via_syscall = k == TGKILL;
    run(k, 0);
    printf("%s: handler calls %d\n", name, seen.count);
    printf("  handler starts with: MXCSR 0x1f80 %s, x87 CW 0x37f %s, x87 stack empty %s, "
           "xmm0-15 zero %s, wider registers zero where present %s\n",
           yes(seen.fresh_mxcsr), yes(seen.fresh_fcw), yes(seen.x87_empty), yes(seen.xmm_zero),
           yes(seen.wide_zero));
    printf("  frame holds: MXCSR %s, x87 CW %s, st0 %s, xmm0-15 %s, wider registers where "
           "present %s\n",
           ok(seen.frame_mxcsr), ok(seen.frame_fcw), ok(seen.frame_st0), ok(seen.frame_xmm),
           ok(seen.frame_wide));

    const struct regset *in = &f.in, *out = &f.out;
    int gprs = 1;
    for (int i = 0; i < 16; i++)
        if (i != RSP && !(via_syscall && (i == RAX || i == RCX || i == R11)))
            gprs &= in->gpr[i] == out->gpr[i];
    int xmm = 1;
    for (int i = 0; i < 16; i++)
        xmm &= memcmp(in->zmm[i], out->zmm[i], 16) == 0;
    printf("  after the clobbering handler: general registers %s, flags %s, MXCSR %s, "
           "x87 CW %s, st0 %s, xmm0-15 %s, wider registers where present %s\n",
           ok(gprs), ok(out->rflags == f.pre_flags), ok(out->mxcsr == in->mxcsr),
           ok(out->fcw == in->fcw), ok(out->x87 == in->x87), ok(xmm), ok(wide_same(in, out, 0)));

    run(k, 1);
    double st0;
    memcpy(&st0, &out->x87, 8);
    int others = 1;
    for (int i = 1; i < 16; i++)
        others &= memcmp(in->zmm[i], out->zmm[i], 16) == 0;
    int ymm0_hi = level == 0 || memcmp(&out->zmm[0][16], edit_ymm0_hi, 16) == 0;
    printf("%s, frame edited: handler calls %d, xmm0 %s, MXCSR %s, x87 CW %s, st0 %s, "
           "ymm0 upper half where present %s, xmm1-15 %s, wider registers where present %s\n",
           name, seen.count, ok(memcmp(out->zmm[0], edit_xmm0, 16) == 0),
           ok(out->mxcsr == EDIT_MXCSR), ok(out->fcw == EDIT_FCW), ok(st0 == EDIT_ST0),
           ok(ymm0_hi), ok(others), ok(wide_same(in, out, 1)));
}

int main(void)
{
    detect_level();
    find_xsave_offsets();
    fill_patterns(&clobber.in, 2);
    clobber.level = level;
    struct sigaction sa = { .sa_sigaction = handler_entry, .sa_flags = SA_SIGINFO };
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    check(UD2);
    check(TGKILL);
    check(ASYNC);
    return 0;
}
