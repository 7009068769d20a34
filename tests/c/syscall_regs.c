// The syscall entry ABI, as Linux defines it for a raw `syscall` instruction: every
// register except rax (result), rcx (return address) and r11 (rflags) comes back
// unchanged, the flags come back unchanged, and the vector, MXCSR and x87 state are
// untouched. Go's runtime and hand-written assembly rely on all of it; an interposer
// that saves "the registers C cares about" breaks them silently. Each syscall is issued
// from assembly with every register holding a distinct pattern, non-default rounding
// modes and DF set, then everything is stored and compared.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "lib/regs.h"

void raw_syscall_all_regs(struct frame *f);

// raw_syscall_all_regs(f): load f->in into every register, syscall, store into f->out.
// Only rsp stays ours; f itself is kept on the stack across the syscall.
__asm__(
	REGS_ASM_EQU
	".text\n"
	".globl raw_syscall_all_regs\n"
	".type raw_syscall_all_regs,@function\n"
	"raw_syscall_all_regs:\n"
	REGS_ASM_LOAD_AND_SYSCALL
	REGS_ASM_STORE_AND_RETURN
	".size raw_syscall_all_regs, .-raw_syscall_all_regs\n");

static int futex_word;
static struct timespec ts_buf;

struct call {
	const char *name;
	long nr;
	int nargs;
	long args[6];
	long (*expect)(void); // expected return value
};

static long ret_zero(void) { return 0; }
static long ret_pid(void) { return getpid(); }
static long ret_enosys(void) { return -38; }
static long ret_efault(void) { return -14; }

static const int arg_regs[6] = { RDI, RSI, RDX, R10, R8, R9 };

static int bad;

static void report(const char *name, const char *what, uint64_t want, uint64_t got)
{
	printf("%s: %s differs: want 0x%016llx got 0x%016llx\n", name, what,
	       (unsigned long long)want, (unsigned long long)got);
	bad = 1;
}

// A regs_check_fn: reports only what differs.
static void differs(const char *name, const char *what, uint64_t want, uint64_t got)
{
	if (want != got)
		report(name, what, want, got);
}

static void run(const struct call *c)
{
	static struct frame f;
	int before = bad;
	bad = 0;
	for (unsigned pass = 0; pass < 2; pass++) {
		memset(&f, 0, sizeof(f));
		fill_patterns(&f.in, pass);
		f.level = level;
		f.in.gpr[RAX] = (uint64_t)c->nr;
		for (int i = 0; i < c->nargs; i++)
			f.in.gpr[arg_regs[i]] = (uint64_t)c->args[i];
		raw_syscall_all_regs(&f);

		const struct regset *in = &f.in, *out = &f.out;
		if ((long)out->gpr[RAX] != c->expect())
			report(c->name, "return value (rax)", (uint64_t)c->expect(), out->gpr[RAX]);
		check_gprs(differs, c->name, in->gpr, out->gpr);
		// The CPU puts rflags in r11; the kernel returns with rflags and r11 as they
		// were (sysret reloads rflags from r11).
		check_rcx_r11(differs, c->name, &f, out->gpr);
		if ((f.pre_flags & TEST_FLAGS) != (in->rflags & TEST_FLAGS))
			report(c->name, "popf sanity", in->rflags, f.pre_flags);
		if (out->rflags != f.pre_flags)
			report(c->name, "rflags", f.pre_flags, out->rflags);
		check_fp(differs, c->name, in, out->mxcsr, out->fcw, out->x87);
		check_vectors(differs, c->name, in, out->zmm, out->k);
	}
	if (!bad)
		printf("%s: regs ok\n", c->name);
	bad |= before;
}

int main(void)
{
	detect_level();
	fflush(stdout);

	const struct call calls[] = {
		{ "getpid", SYS_getpid, 0, { 0 }, ret_pid },
		{ "write", SYS_write, 3, { 1, (long)"", 0 }, ret_zero },
		{ "clock_gettime", SYS_clock_gettime, 2, { CLOCK_MONOTONIC, (long)&ts_buf }, ret_zero },
		{ "futex_wake", SYS_futex, 3, { (long)&futex_word, FUTEX_WAKE_PRIVATE, 1 }, ret_zero },
		{ "sched_yield", SYS_sched_yield, 0, { 0 }, ret_zero },
		{ "write_efault", SYS_write, 3, { 1, 8, 10 }, ret_efault },
		{ "unknown_syscall", 1000, 0, { 0 }, ret_enosys },
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		run(&calls[i]);
		fflush(stdout);
	}
	return bad;
}
