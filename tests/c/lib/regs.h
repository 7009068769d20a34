// What syscall_regs.c and clone_regs.c share: the register set they load before a raw
// `syscall` and compare after it, the assembly pieces that load and store it, the test
// patterns and the comparisons. Included as "lib/regs.h" (relative to the including
// file, so no -I is needed); not a test itself: tests/run.sh builds tests/c/*.c only.
#ifndef ASIS_TESTS_C_LIB_REGS_H
#define ASIS_TESTS_C_LIB_REGS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

// struct regset layout, spelled out because the assembly uses the offsets.
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

#define OFF(t, m) __builtin_offsetof(struct t, m)
_Static_assert(OFF(regset, rflags) == RS_FLAGS && OFF(regset, x87) == RS_X87 &&
	       OFF(regset, mxcsr) == RS_MXCSR && OFF(regset, fcw) == RS_FCW &&
	       OFF(regset, zmm) == RS_ZMM && OFF(regset, k) == RS_K &&
	       sizeof(struct regset) == RS_SIZE, "regset layout");
_Static_assert(OFF(frame, pre_flags) == F_PRE_FLAGS && OFF(frame, rcx_expect) == F_RCX_EXPECT &&
	       OFF(frame, level) == F_LEVEL, "frame layout");

#define STR_(x) #x
#define STR(x) STR_(x)

// ---------------------------------------------------------------------------- assembly
// String pieces for a top-level __asm__ defining `void NAME(struct frame *f)`:
//   REGS_ASM_EQU "NAME:\n" REGS_ASM_LOAD_AND_SYSCALL ... REGS_ASM_STORE_AND_RETURN
// They use the local labels 1 (after the syscall), 10, 20 and 30.

// The offsets above as assembler symbols.
#define REGS_ASM_EQU                                                                    \
	".equ IN, " STR(F_IN) "\n"                                                      \
	".equ OUT, " STR(F_OUT) "\n"                                                    \
	".equ FLAGS, " STR(RS_FLAGS) "\n"                                               \
	".equ X87, " STR(RS_X87) "\n"                                                   \
	".equ MXCSR, " STR(RS_MXCSR) "\n"                                               \
	".equ FCW, " STR(RS_FCW) "\n"                                                   \
	".equ ZMM, " STR(RS_ZMM) "\n"                                                   \
	".equ KREG, " STR(RS_K) "\n"                                                    \
	".equ PRE_FLAGS, " STR(F_PRE_FLAGS) "\n"                                        \
	".equ RCX_EXPECT, " STR(F_RCX_EXPECT) "\n"                                      \
	".equ LEVEL, " STR(F_LEVEL) "\n"

// One move between a register and memory, in the direction of the name.
#define REGS_ASM_LOAD(insn, reg, mem) "	" insn " " mem ", " reg "\n"
#define REGS_ASM_STORE(insn, reg, mem) "	" insn " " reg ", " mem "\n"

// Moves the vector registers the level in LEVEL_AT says the CPU has (xmm0-15, ymm0-15 or
// zmm0-31 and k0-7) with MOVE (REGS_ASM_LOAD or REGS_ASM_STORE) to or from ZMM_AT and
// K_AT (addresses in terms of \i, the register number), then AVX_DONE when AVX was used.
// Clobbers rax and the flags.
#define REGS_ASM_VECTORS(MOVE, LEVEL_AT, ZMM_AT, K_AT, AVX_DONE)                        \
	"	mov " LEVEL_AT ", %rax\n"                                               \
	"	cmp $2, %rax\n"                                                         \
	"	je 20f\n"                                                               \
	"	cmp $1, %rax\n"                                                         \
	"	je 10f\n"                                                               \
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"                         \
	MOVE("movdqu", "%xmm\\i", ZMM_AT)                                               \
	"	.endr\n"                                                                \
	"	jmp 30f\n"                                                              \
	"10:\n"                                                                         \
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"                         \
	MOVE("vmovdqu", "%ymm\\i", ZMM_AT)                                              \
	"	.endr\n"                                                                \
	AVX_DONE                                                                        \
	"	jmp 30f\n"                                                              \
	"20:\n"                                                                         \
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n" \
	MOVE("vmovdqu64", "%zmm\\i", ZMM_AT)                                            \
	"	.endr\n"                                                                \
	"	.irp i,0,1,2,3,4,5,6,7\n"                                               \
	MOVE("kmovq", "%k\\i", K_AT)                                                    \
	"	.endr\n"                                                                \
	AVX_DONE                                                                        \
	"30:\n"

// Function entry (f in rdi): save the callee-saved registers and f on the stack, load
// f->in into every register but rsp (vector state first: the level test uses the
// flags), with f->pre_flags the rflags as loaded, and issue the syscall. Ends at local
// label 1, the instruction after the syscall, with rflags pushed and nothing else
// changed; for the thread that called, f is then at 8(%rsp).
#define REGS_ASM_LOAD_AND_SYSCALL REGS_ASM_LOAD_AND("syscall")

// The same with INSN (one instruction, e.g. "ud2") in place of the syscall.
#define REGS_ASM_LOAD_AND(INSN)                                                         \
	"	push %rbx\n"                                                            \
	"	push %rbp\n"                                                            \
	"	push %r12\n"                                                            \
	"	push %r13\n"                                                            \
	"	push %r14\n"                                                            \
	"	push %r15\n"                                                            \
	"	push %rdi\n"                                                            \
	REGS_ASM_VECTORS(REGS_ASM_LOAD, "LEVEL(%rdi)", "IN+ZMM+\\i*64(%rdi)",           \
			 "IN+KREG+\\i*8(%rdi)", "")                                     \
	"	fldl IN+X87(%rdi)\n"                                                    \
	"	fldcw IN+FCW(%rdi)\n"                                                   \
	"	ldmxcsr IN+MXCSR(%rdi)\n"                                               \
	"	pushq IN+FLAGS(%rdi)\n"                                                 \
	"	popfq\n"                                                                \
	"	pushfq\n"                                                               \
	"	popq PRE_FLAGS(%rdi)\n"                                                 \
	/* From here to the syscall only movs: the flags stay as loaded. */             \
	"	mov IN+0*8(%rdi), %rax\n"                                               \
	"	mov IN+1*8(%rdi), %rcx\n"                                               \
	"	mov IN+2*8(%rdi), %rdx\n"                                               \
	"	mov IN+3*8(%rdi), %rbx\n"                                               \
	"	mov IN+5*8(%rdi), %rbp\n"                                               \
	"	mov IN+6*8(%rdi), %rsi\n"                                               \
	"	mov IN+8*8(%rdi), %r8\n"                                                \
	"	mov IN+9*8(%rdi), %r9\n"                                                \
	"	mov IN+10*8(%rdi), %r10\n"                                              \
	"	mov IN+11*8(%rdi), %r11\n"                                              \
	"	mov IN+12*8(%rdi), %r12\n"                                              \
	"	mov IN+13*8(%rdi), %r13\n"                                              \
	"	mov IN+14*8(%rdi), %r14\n"                                              \
	"	mov IN+15*8(%rdi), %r15\n"                                              \
	"	mov IN+7*8(%rdi), %rdi\n"                                               \
	"	" INSN "\n"                                                             \
	"1:\n"                                                                          \
	"	pushfq\n"

// The rest of the function for the thread that called, from where
// REGS_ASM_LOAD_AND_SYSCALL ends: store every register and the pushed rflags into
// f->out, set f->rcx_expect, restore the ABI defaults (MXCSR, x87 control word, upper
// vector halves) and the callee-saved registers, and return.
#define REGS_ASM_STORE_AND_RETURN                                                       \
	"	push %rdi\n"                                                            \
	"	mov 16(%rsp), %rdi\n"                                                   \
	"	mov %rax, OUT+0*8(%rdi)\n"                                              \
	"	mov %rcx, OUT+1*8(%rdi)\n"                                              \
	"	mov %rdx, OUT+2*8(%rdi)\n"                                              \
	"	mov %rbx, OUT+3*8(%rdi)\n"                                              \
	"	mov %rbp, OUT+5*8(%rdi)\n"                                              \
	"	mov %rsi, OUT+6*8(%rdi)\n"                                              \
	"	mov %r8, OUT+8*8(%rdi)\n"                                               \
	"	mov %r9, OUT+9*8(%rdi)\n"                                               \
	"	mov %r10, OUT+10*8(%rdi)\n"                                             \
	"	mov %r11, OUT+11*8(%rdi)\n"                                             \
	"	mov %r12, OUT+12*8(%rdi)\n"                                             \
	"	mov %r13, OUT+13*8(%rdi)\n"                                             \
	"	mov %r14, OUT+14*8(%rdi)\n"                                             \
	"	mov %r15, OUT+15*8(%rdi)\n"                                             \
	"	popq OUT+7*8(%rdi)\n"                                                   \
	"	popq OUT+FLAGS(%rdi)\n"                                                 \
	"	cld\n"                                                                  \
	"	stmxcsr OUT+MXCSR(%rdi)\n"                                              \
	"	fnstcw OUT+FCW(%rdi)\n"                                                 \
	"	fstpl OUT+X87(%rdi)\n"                                                  \
	"	lea 1b(%rip), %rax\n"                                                   \
	"	mov %rax, RCX_EXPECT(%rdi)\n"                                           \
	REGS_ASM_VECTORS(REGS_ASM_STORE, "LEVEL(%rdi)", "OUT+ZMM+\\i*64(%rdi)",         \
			 "OUT+KREG+\\i*8(%rdi)", "	vzeroupper\n")                  \
	/* Back to the ABI defaults before any C code runs. */                          \
	"	pushq $0x1f80\n"                                                        \
	"	ldmxcsr (%rsp)\n"                                                       \
	"	movq $0x37f, (%rsp)\n"                                                  \
	"	fldcw (%rsp)\n"                                                         \
	"	add $8, %rsp\n"                                                         \
	"	pop %rdi\n"                                                             \
	"	pop %r15\n"                                                             \
	"	pop %r14\n"                                                             \
	"	pop %r13\n"                                                             \
	"	pop %r12\n"                                                             \
	"	pop %rbp\n"                                                             \
	"	pop %rbx\n"                                                             \
	"	ret\n"

// ---------------------------------------------------------------------------- C side

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
enum { RAX = 0, RCX = 1, RDX = 2, RSP = 4, RSI = 6, RDI = 7, R8 = 8, R9 = 9, R10 = 10, R11 = 11 };

// Flags the tests set: CF PF AF ZF SF DF OF. Never TF (would trap) or AC (alignment
// checking is on in Linux user mode).
#define TEST_FLAGS 0xcd5ull

// The vector state the CPU has, as in struct frame: 0 SSE, 1 AVX, 2 AVX-512 (F+BW).
static uint64_t level;

static void detect_level(void)
{
	__builtin_cpu_init();
	level = 0;
	if (__builtin_cpu_supports("avx"))
		level = 1;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		level = 2;
}

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

// How a test takes one comparison: WHO is the test's label for the register set
// (a syscall name, "parent", "child"), WHAT the register.
typedef void regs_check_fn(const char *who, const char *what, uint64_t want, uint64_t got);

// The GPRs a syscall leaves alone: all but rax, rcx, r11 and rsp.
static void check_gprs(regs_check_fn *check, const char *who, const uint64_t *want,
		       const uint64_t *got)
{
	for (int i = 0; i < 16; i++) {
		if (i == RAX || i == RCX || i == R11 || i == RSP)
			continue;
		check(who, gpr_names[i], want[i], got[i]);
	}
}

// What the syscall instruction puts in rcx and r11.
static void check_rcx_r11(regs_check_fn *check, const char *who, const struct frame *f,
			  const uint64_t *got)
{
	check(who, "rcx (address after syscall)", f->rcx_expect, got[RCX]);
	check(who, "r11 (rflags at syscall)", f->pre_flags, got[R11]);
}

static void check_fp(regs_check_fn *check, const char *who, const struct regset *in,
		     uint32_t mxcsr, uint16_t fcw, uint64_t x87)
{
	check(who, "mxcsr", in->mxcsr, mxcsr);
	check(who, "x87 control word", in->fcw, fcw);
	check(who, "x87 st0", in->x87, x87);
}

// The vector registers the CPU has (and k0-k7 with AVX-512) against in's, by qword.
// Unlike the others, calls CHECK for a mismatch only; returns how many there were.
static int check_vectors(regs_check_fn *check, const char *who, const struct regset *in,
			 const uint8_t (*zmm)[64], const uint64_t *k)
{
	int nregs = level == 2 ? 32 : 16;
	int bytes = level == 2 ? 64 : level == 1 ? 32 : 16;
	int mismatches = 0;
	char what[32];
	for (int i = 0; i < nregs; i++)
		for (int q = 0; q < bytes / 8; q++) {
			uint64_t a, b;
			memcpy(&a, &in->zmm[i][q * 8], 8);
			memcpy(&b, &zmm[i][q * 8], 8);
			if (a != b) {
				snprintf(what, sizeof(what), "%s%d qword %d",
					 q < 2 ? "xmm" : q < 4 ? "ymm" : "zmm", i, q);
				check(who, what, a, b);
				mismatches++;
			}
		}
	if (level == 2)
		for (int i = 0; i < 8; i++)
			if (in->k[i] != k[i]) {
				snprintf(what, sizeof(what), "k%d", i);
				check(who, what, in->k[i], k[i]);
				mismatches++;
			}
	return mismatches;
}

#endif
