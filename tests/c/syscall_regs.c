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

// struct regset layout, spelled out because the assembly below uses the offsets.
#define RS_GPR 0        // 16 x u64, hardware order rax rcx rdx rbx rsp rbp rsi rdi r8..r15
#define RS_FLAGS 128
#define RS_X87 136      // one double on the x87 stack
#define RS_MXCSR 144
#define RS_FCW 148
#define RS_ZMM 192      // 32 x 64 bytes; only the part the CPU has is used
#define RS_K 2240       // 8 x u64 opmask registers
#define RS_SIZE 2304

#define F_IN 0
#define F_OUT RS_SIZE
#define F_PRE_FLAGS (2 * RS_SIZE)       // rflags just before the syscall
#define F_RCX_EXPECT (2 * RS_SIZE + 8)  // address of the instruction after it
#define F_LEVEL (2 * RS_SIZE + 16)      // 0 SSE, 1 AVX, 2 AVX-512 (F+BW)

struct regset {
	uint64_t gpr[16];
	uint64_t rflags;
	uint64_t x87;
	uint32_t mxcsr;
	uint16_t fcw;
	uint8_t pad[42];
	uint8_t zmm[32][64];
	uint64_t k[8];
};

struct frame {
	struct regset in;
	struct regset out;
	uint64_t pre_flags;
	uint64_t rcx_expect;
	uint64_t level;
};

_Static_assert(__builtin_offsetof(struct regset, rflags) == RS_FLAGS, "layout");
_Static_assert(__builtin_offsetof(struct regset, x87) == RS_X87, "layout");
_Static_assert(__builtin_offsetof(struct regset, mxcsr) == RS_MXCSR, "layout");
_Static_assert(__builtin_offsetof(struct regset, fcw) == RS_FCW, "layout");
_Static_assert(__builtin_offsetof(struct regset, zmm) == RS_ZMM, "layout");
_Static_assert(__builtin_offsetof(struct regset, k) == RS_K, "layout");
_Static_assert(sizeof(struct regset) == RS_SIZE, "layout");
_Static_assert(__builtin_offsetof(struct frame, pre_flags) == F_PRE_FLAGS, "layout");
_Static_assert(__builtin_offsetof(struct frame, rcx_expect) == F_RCX_EXPECT, "layout");
_Static_assert(__builtin_offsetof(struct frame, level) == F_LEVEL, "layout");

#define STR_(x) #x
#define STR(x) STR_(x)

void raw_syscall_all_regs(struct frame *f);

// raw_syscall_all_regs(f): load f->in into every register, syscall, store into f->out.
// Only rsp stays ours; f itself is kept on the stack across the syscall.
__asm__(
	".equ IN, " STR(F_IN) "\n"
	".equ OUT, " STR(F_OUT) "\n"
	".equ FLAGS, " STR(RS_FLAGS) "\n"
	".equ X87, " STR(RS_X87) "\n"
	".equ MXCSR, " STR(RS_MXCSR) "\n"
	".equ FCW, " STR(RS_FCW) "\n"
	".equ ZMM, " STR(RS_ZMM) "\n"
	".equ KREG, " STR(RS_K) "\n"
	".equ PRE_FLAGS, " STR(F_PRE_FLAGS) "\n"
	".equ RCX_EXPECT, " STR(F_RCX_EXPECT) "\n"
	".equ LEVEL, " STR(F_LEVEL) "\n"
	".text\n"
	".globl raw_syscall_all_regs\n"
	".type raw_syscall_all_regs,@function\n"
	"raw_syscall_all_regs:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdi\n"
	// Vector state first: the level test uses the flags.
	"	mov LEVEL(%rdi), %rax\n"
	"	cmp $2, %rax\n"
	"	je 20f\n"
	"	cmp $1, %rax\n"
	"	je 10f\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu IN+ZMM+\\i*64(%rdi), %xmm\\i\n"
	"	.endr\n"
	"	jmp 30f\n"
	"10:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu IN+ZMM+\\i*64(%rdi), %ymm\\i\n"
	"	.endr\n"
	"	jmp 30f\n"
	"20:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 IN+ZMM+\\i*64(%rdi), %zmm\\i\n"
	"	.endr\n"
	"	.irp i,0,1,2,3,4,5,6,7\n"
	"	kmovq IN+KREG+\\i*8(%rdi), %k\\i\n"
	"	.endr\n"
	"30:\n"
	"	fldl IN+X87(%rdi)\n"
	"	fldcw IN+FCW(%rdi)\n"
	"	ldmxcsr IN+MXCSR(%rdi)\n"
	"	pushq IN+FLAGS(%rdi)\n"
	"	popfq\n"
	"	pushfq\n"
	"	popq PRE_FLAGS(%rdi)\n"
	// From here to the syscall only movs: the flags stay as loaded.
	"	mov IN+0*8(%rdi), %rax\n"
	"	mov IN+1*8(%rdi), %rcx\n"
	"	mov IN+2*8(%rdi), %rdx\n"
	"	mov IN+3*8(%rdi), %rbx\n"
	"	mov IN+5*8(%rdi), %rbp\n"
	"	mov IN+6*8(%rdi), %rsi\n"
	"	mov IN+8*8(%rdi), %r8\n"
	"	mov IN+9*8(%rdi), %r9\n"
	"	mov IN+10*8(%rdi), %r10\n"
	"	mov IN+11*8(%rdi), %r11\n"
	"	mov IN+12*8(%rdi), %r12\n"
	"	mov IN+13*8(%rdi), %r13\n"
	"	mov IN+14*8(%rdi), %r14\n"
	"	mov IN+15*8(%rdi), %r15\n"
	"	mov IN+7*8(%rdi), %rdi\n"
	"	syscall\n"
	"1:\n"
	"	pushfq\n"
	"	push %rdi\n"
	"	mov 16(%rsp), %rdi\n"
	"	mov %rax, OUT+0*8(%rdi)\n"
	"	mov %rcx, OUT+1*8(%rdi)\n"
	"	mov %rdx, OUT+2*8(%rdi)\n"
	"	mov %rbx, OUT+3*8(%rdi)\n"
	"	mov %rbp, OUT+5*8(%rdi)\n"
	"	mov %rsi, OUT+6*8(%rdi)\n"
	"	mov %r8, OUT+8*8(%rdi)\n"
	"	mov %r9, OUT+9*8(%rdi)\n"
	"	mov %r10, OUT+10*8(%rdi)\n"
	"	mov %r11, OUT+11*8(%rdi)\n"
	"	mov %r12, OUT+12*8(%rdi)\n"
	"	mov %r13, OUT+13*8(%rdi)\n"
	"	mov %r14, OUT+14*8(%rdi)\n"
	"	mov %r15, OUT+15*8(%rdi)\n"
	"	popq OUT+7*8(%rdi)\n"
	"	popq OUT+FLAGS(%rdi)\n"
	"	cld\n"
	"	stmxcsr OUT+MXCSR(%rdi)\n"
	"	fnstcw OUT+FCW(%rdi)\n"
	"	fstpl OUT+X87(%rdi)\n"
	"	lea 1b(%rip), %rax\n"
	"	mov %rax, RCX_EXPECT(%rdi)\n"
	"	mov LEVEL(%rdi), %rax\n"
	"	cmp $2, %rax\n"
	"	je 20f\n"
	"	cmp $1, %rax\n"
	"	je 10f\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu %xmm\\i, OUT+ZMM+\\i*64(%rdi)\n"
	"	.endr\n"
	"	jmp 30f\n"
	"10:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu %ymm\\i, OUT+ZMM+\\i*64(%rdi)\n"
	"	.endr\n"
	"	vzeroupper\n"
	"	jmp 30f\n"
	"20:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\i, OUT+ZMM+\\i*64(%rdi)\n"
	"	.endr\n"
	"	.irp i,0,1,2,3,4,5,6,7\n"
	"	kmovq %k\\i, OUT+KREG+\\i*8(%rdi)\n"
	"	.endr\n"
	"	vzeroupper\n"
	"30:\n"
	// Back to the ABI defaults before any C code runs.
	"	pushq $0x1f80\n"
	"	ldmxcsr (%rsp)\n"
	"	movq $0x37f, (%rsp)\n"
	"	fldcw (%rsp)\n"
	"	add $8, %rsp\n"
	"	pop %rdi\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size raw_syscall_all_regs, .-raw_syscall_all_regs\n");

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
enum { RAX = 0, RCX = 1, RDX = 2, RSP = 4, RSI = 6, RDI = 7, R8 = 8, R9 = 9, R10 = 10, R11 = 11 };

// Flags the test sets: CF PF AF ZF SF DF OF. Never TF (would trap) or AC (alignment
// checking is on in Linux user mode).
#define TEST_FLAGS 0xcd5ull

static uint64_t level;
static int futex_word;
static struct timespec ts_buf;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	return x;
}

// Distinct values everywhere, high bits set so truncation to 32 bits shows.
static void fill_patterns(struct regset *r, unsigned pass)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 16; i++)
		r->gpr[i] = 0x8000000000000000ull | mix(pass * 1000 + i + 1);
	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 64; j++)
			r->zmm[i][j] = (uint8_t)mix(pass * 100000 + i * 64 + j + 7);
	for (int i = 0; i < 8; i++)
		r->k[i] = mix(pass * 1000 + 500 + i);
	double d = pass ? -2.75 : 1.0 / 3.0;
	memcpy(&r->x87, &d, sizeof(d));
	if (pass == 0) {
		// Round toward zero, flush-to-zero, denormals-are-zero, PE and IE flags
		// sticky; every exception stays masked.
		r->mxcsr = 0x1f80 | 0x6000 | 0x8000 | 0x40 | 0x21;
		// 53-bit precision, round toward zero, all exceptions masked.
		r->fcw = 0x0e7f;
		r->rflags = 0x202 | TEST_FLAGS;
	} else {
		// Round up (SSE), round up with 24-bit precision (x87), every exception
		// still masked, all test flags clear.
		r->mxcsr = 0x1f80 | 0x4000;
		r->fcw = 0x087f;
		r->rflags = 0x202;
	}
}

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

static void check_vectors(const char *name, const struct regset *in, const struct regset *out)
{
	int nregs = level == 2 ? 32 : 16;
	int bytes = level == 2 ? 64 : level == 1 ? 32 : 16;
	for (int i = 0; i < nregs; i++) {
		for (int q = 0; q < bytes / 8; q++) {
			uint64_t a, b;
			memcpy(&a, &in->zmm[i][q * 8], 8);
			memcpy(&b, &out->zmm[i][q * 8], 8);
			if (a != b) {
				char what[32];
				snprintf(what, sizeof(what), "%s%d qword %d",
					 q < 2 ? "xmm" : q < 4 ? "ymm" : "zmm", i, q);
				report(name, what, a, b);
			}
		}
	}
	if (level == 2)
		for (int i = 0; i < 8; i++)
			if (in->k[i] != out->k[i]) {
				char what[8];
				snprintf(what, sizeof(what), "k%d", i);
				report(name, what, in->k[i], out->k[i]);
			}
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
		for (int i = 0; i < 16; i++) {
			if (i == RAX || i == RCX || i == R11 || i == RSP)
				continue;
			if (in->gpr[i] != out->gpr[i])
				report(c->name, gpr_names[i], in->gpr[i], out->gpr[i]);
		}
		if (out->gpr[RCX] != f.rcx_expect)
			report(c->name, "rcx (address after syscall)", f.rcx_expect, out->gpr[RCX]);
		// The CPU puts rflags in r11; the kernel returns with rflags and r11 as they
		// were (sysret reloads rflags from r11).
		if (out->gpr[R11] != f.pre_flags)
			report(c->name, "r11 (rflags at syscall)", f.pre_flags, out->gpr[R11]);
		if ((f.pre_flags & TEST_FLAGS) != (in->rflags & TEST_FLAGS))
			report(c->name, "popf sanity", in->rflags, f.pre_flags);
		if (out->rflags != f.pre_flags)
			report(c->name, "rflags", f.pre_flags, out->rflags);
		if (out->mxcsr != in->mxcsr)
			report(c->name, "mxcsr", in->mxcsr, out->mxcsr);
		if (out->fcw != in->fcw)
			report(c->name, "x87 control word", in->fcw, out->fcw);
		if (out->x87 != in->x87)
			report(c->name, "x87 st0", in->x87, out->x87);
		check_vectors(c->name, in, out);
	}
	if (!bad)
		printf("%s: regs ok\n", c->name);
	bad |= before;
}

int main(void)
{
	__builtin_cpu_init();
	level = 0;
	if (__builtin_cpu_supports("avx"))
		level = 1;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		level = 2;
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
