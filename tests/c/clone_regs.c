// Raw clone(2) the way Go's runtime.clone and glibc's clone3/clone do it: the new thread
// starts at the instruction after `syscall`, on the stack it was given, with every other
// register (vector, MXCSR, x87 control word and flags included) equal to the parent's,
// rax 0 and the fs base it was given. The parent gets its registers back as for any
// syscall, the tid in *ptid, and *ctid is zeroed and futex-woken when the child exits.
// The child touches neither TLS nor libc: it saves everything on its own stack with
// pushes and rsp-relative stores, then uses raw syscalls only.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>

// struct regset (what the parent loads, and what it gets back).
#define RS_FLAGS 128
#define RS_X87 136
#define RS_MXCSR 144
#define RS_FCW 148
#define RS_ZMM 192
#define RS_K 2240
#define RS_SIZE 2304

#define F_IN 0
#define F_OUT RS_SIZE
#define F_PRE_FLAGS (2 * RS_SIZE)
#define F_RCX_EXPECT (2 * RS_SIZE + 8)
#define F_LEVEL (2 * RS_SIZE + 16)

// struct child_save, which ends exactly at the child's initial stack pointer.
#define CS_ZMM 0
#define CS_K 2048
#define CS_FSBASE 2112
#define CS_MXCSR 2120
#define CS_FCW 2124
#define CS_X87 2128
#define CS_PID 2136
#define CS_TID 2144
#define CS_GPR 2152     // 15 pushes, so r15 lowest ... rax highest
#define CS_RSP 2272
#define CS_FLAGS 2280
#define CS_SIZE 2288
#define CS_PUSHED (17 * 8)  // flags, rsp, 15 GPRs
#define CS_LEVEL CS_SIZE    // the parent leaves the vector level just above the stack top

struct regset {
	uint64_t gpr[16]; // hardware order rax rcx rdx rbx rsp rbp rsi rdi r8..r15
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

struct child_save {
	uint8_t zmm[32][64];
	uint64_t k[8];
	uint64_t fsbase;
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t pad;
	uint64_t x87;
	uint64_t pid;
	uint64_t tid;
	uint64_t pushed[15]; // r15 r14 r13 r12 r11 r10 r9 r8 rdi rsi rbp rbx rdx rcx rax
	uint64_t rsp;        // value of rsp after the first push (entry rsp - 8)
	uint64_t flags;
};

#define OFF(t, m) __builtin_offsetof(struct t, m)
_Static_assert(OFF(regset, rflags) == RS_FLAGS && OFF(regset, x87) == RS_X87 &&
	       OFF(regset, mxcsr) == RS_MXCSR && OFF(regset, fcw) == RS_FCW &&
	       OFF(regset, zmm) == RS_ZMM && OFF(regset, k) == RS_K &&
	       sizeof(struct regset) == RS_SIZE, "regset layout");
_Static_assert(OFF(frame, pre_flags) == F_PRE_FLAGS && OFF(frame, rcx_expect) == F_RCX_EXPECT &&
	       OFF(frame, level) == F_LEVEL, "frame layout");
_Static_assert(OFF(child_save, k) == CS_K && OFF(child_save, fsbase) == CS_FSBASE &&
	       OFF(child_save, mxcsr) == CS_MXCSR && OFF(child_save, fcw) == CS_FCW &&
	       OFF(child_save, x87) == CS_X87 && OFF(child_save, pid) == CS_PID &&
	       OFF(child_save, tid) == CS_TID && OFF(child_save, pushed) == CS_GPR &&
	       OFF(child_save, rsp) == CS_RSP && OFF(child_save, flags) == CS_FLAGS &&
	       sizeof(struct child_save) == CS_SIZE && CS_SIZE - CS_PUSHED == CS_GPR,
	       "child_save layout");

#define STR_(x) #x
#define STR(x) STR_(x)

void raw_clone_all_regs(struct frame *f);

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
	".equ CS_K, " STR(CS_K) "\n"
	".equ CS_FSBASE, " STR(CS_FSBASE) "\n"
	".equ CS_MXCSR, " STR(CS_MXCSR) "\n"
	".equ CS_FCW, " STR(CS_FCW) "\n"
	".equ CS_X87, " STR(CS_X87) "\n"
	".equ CS_PID, " STR(CS_PID) "\n"
	".equ CS_TID, " STR(CS_TID) "\n"
	".equ CS_LEVEL, " STR(CS_LEVEL) "\n"
	".equ CS_SUB, " STR(CS_GPR) "\n"
	".text\n"
	".globl raw_clone_all_regs\n"
	".type raw_clone_all_regs,@function\n"
	"raw_clone_all_regs:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdi\n"
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
	"	test %rax, %rax\n"
	"	jz 50f\n"
	// Parent.
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
	// Child: the flags are already saved at entry rsp - 8.
	"50:\n"
	"	push %rsp\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %rsi\n"
	"	push %rdi\n"
	"	push %r8\n"
	"	push %r9\n"
	"	push %r10\n"
	"	push %r11\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	sub $CS_SUB, %rsp\n"
	"	stmxcsr CS_MXCSR(%rsp)\n"
	"	fnstcw CS_FCW(%rsp)\n"
	"	fstpl CS_X87(%rsp)\n"
	"	mov CS_LEVEL(%rsp), %rax\n"
	"	cmp $2, %rax\n"
	"	je 20f\n"
	"	cmp $1, %rax\n"
	"	je 10f\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu %xmm\\i, \\i*64(%rsp)\n"
	"	.endr\n"
	"	jmp 30f\n"
	"10:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu %ymm\\i, \\i*64(%rsp)\n"
	"	.endr\n"
	"	jmp 30f\n"
	"20:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\i, \\i*64(%rsp)\n"
	"	.endr\n"
	"	.irp i,0,1,2,3,4,5,6,7\n"
	"	kmovq %k\\i, CS_K+\\i*8(%rsp)\n"
	"	.endr\n"
	"30:\n"
	"	mov $158, %eax\n"          // arch_prctl(ARCH_GET_FS, &save->fsbase)
	"	mov $0x1003, %edi\n"
	"	lea CS_FSBASE(%rsp), %rsi\n"
	"	syscall\n"
	"	mov $39, %eax\n"           // getpid
	"	syscall\n"
	"	mov %rax, CS_PID(%rsp)\n"
	"	mov $186, %eax\n"          // gettid
	"	syscall\n"
	"	mov %rax, CS_TID(%rsp)\n"
	// Linger 50 ms so that the parent is already asleep on ctid when the exit wakes it.
	"	pushq $50000000\n"
	"	pushq $0\n"
	"	mov $35, %eax\n"           // nanosleep
	"	mov %rsp, %rdi\n"
	"	xor %esi, %esi\n"
	"	syscall\n"
	"	mov $60, %eax\n"           // exit (this thread only)
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	ud2\n"
	".size raw_clone_all_regs, .-raw_clone_all_regs\n");

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
enum { RAX = 0, RCX = 1, RDX = 2, RSP = 4, RSI = 6, RDI = 7, R8 = 8, R10 = 10, R11 = 11 };
// Hardware register number of each child_save.pushed[] slot.
static const int pushed_reg[15] = { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1, 0 };

#define TEST_FLAGS 0xcd5ull // CF PF AF ZF SF DF OF
#define CTID_SENTINEL 0x7ffffff0
#define STACK_SIZE (64 * 1024)

static uint64_t level;
static int failed;
static _Alignas(64) unsigned char child_stack[STACK_SIZE];
static volatile int ptid;
static volatile int ctid = CTID_SENTINEL;
static _Alignas(64) unsigned char fake_tls[256]; // the child never dereferences it

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	return x;
}

static void line(const char *what, int ok, uint64_t want, uint64_t got)
{
	if (ok) {
		printf("%s: ok\n", what);
	} else {
		printf("%s: want 0x%016llx got 0x%016llx\n", what, (unsigned long long)want,
		       (unsigned long long)got);
		failed = 1;
	}
}

static void check(const char *what, uint64_t want, uint64_t got)
{
	line(what, want == got, want, got);
}

// Compare vector registers; one line for the whole set, details on mismatch.
static void check_vectors(const char *who, const struct regset *in,
			  const uint8_t (*zmm)[64], const uint64_t *k)
{
	int nregs = level == 2 ? 32 : 16;
	int bytes = level == 2 ? 64 : level == 1 ? 32 : 16;
	int ok = 1;
	for (int i = 0; i < nregs; i++)
		for (int q = 0; q < bytes / 8; q++) {
			uint64_t a, b;
			memcpy(&a, &in->zmm[i][q * 8], 8);
			memcpy(&b, &zmm[i][q * 8], 8);
			if (a != b) {
				printf("%s %s%d qword %d: want 0x%016llx got 0x%016llx\n", who,
				       q < 2 ? "xmm" : q < 4 ? "ymm" : "zmm", i, q,
				       (unsigned long long)a, (unsigned long long)b);
				ok = 0;
			}
		}
	if (level == 2)
		for (int i = 0; i < 8; i++)
			if (in->k[i] != k[i]) {
				printf("%s k%d: want 0x%016llx got 0x%016llx\n", who, i,
				       (unsigned long long)in->k[i], (unsigned long long)k[i]);
				ok = 0;
			}
	if (ok)
		printf("%s vector regs: ok\n", who);
	else
		failed = 1;
}

int main(void)
{
	static struct frame f;
	char what[64];

	__builtin_cpu_init();
	level = 0;
	if (__builtin_cpu_supports("avx"))
		level = 1;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		level = 2;

	unsigned char *top = child_stack + STACK_SIZE - 64;
	struct child_save *cs = (struct child_save *)(top - CS_SIZE);
	memcpy(top, &level, sizeof(level));

	for (int i = 0; i < 16; i++)
		f.in.gpr[i] = 0x8000000000000000ull | mix(i + 1);
	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 64; j++)
			f.in.zmm[i][j] = (uint8_t)mix(i * 64 + j + 7);
	for (int i = 0; i < 8; i++)
		f.in.k[i] = mix(500 + i);
	double d = 1.0 / 3.0;
	memcpy(&f.in.x87, &d, sizeof(d));
	f.in.mxcsr = 0x1f80 | 0x6000 | 0x8000 | 0x40 | 0x21; // RZ, FTZ, DAZ, sticky PE/IE
	f.in.fcw = 0x0e7f;                                  // 53-bit, round toward zero
	f.in.rflags = 0x202 | TEST_FLAGS;
	f.level = level;

	const uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			       CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			       CLONE_CHILD_CLEARTID;
	f.in.gpr[RAX] = SYS_clone;
	f.in.gpr[RDI] = flags;
	f.in.gpr[RSI] = (uint64_t)top;
	f.in.gpr[RDX] = (uint64_t)&ptid;
	f.in.gpr[R10] = (uint64_t)&ctid;
	f.in.gpr[R8] = (uint64_t)fake_tls;

	fflush(stdout);
	raw_clone_all_regs(&f);

	long tid = (long)f.out.gpr[RAX];
	if (tid <= 0) {
		printf("clone failed: %ld\n", tid);
		return 1;
	}

	// Wait for the exit wake on ctid, as pthread_join does (a shared futex: the
	// kernel's wake at thread exit is not FUTEX_PRIVATE).
	struct timespec timeout = { 10, 0 };
	long r;
	int woken = 0, timed_out = 0;
	while (ctid != 0) {
		r = syscall(SYS_futex, &ctid, FUTEX_WAIT, CTID_SENTINEL, &timeout, NULL, 0);
		if (r == 0 || errno == EAGAIN)
			woken = 1; // EAGAIN: already cleared before we slept
		else if (errno == ETIMEDOUT) {
			timed_out = 1;
			break;
		}
	}
	if (ctid == 0 && !woken)
		woken = 1; // cleared before the first wait
	printf("ctid cleared at exit: %s\n", ctid == 0 ? "ok" : "NO");
	printf("ctid waiter woken: %s\n", woken && !timed_out ? "ok" : "NO");
	if (ctid != 0 || !woken || timed_out) {
		printf("child did not finish; not reading its registers\n");
		return 1;
	}
	check("ptid holds the child's tid", (uint64_t)tid, (uint64_t)ptid);
	check("child gettid == clone result", (uint64_t)tid, cs->tid);
	check("child getpid == parent getpid", (uint64_t)getpid(), cs->pid);
	line("child tid differs from pid", (uint64_t)tid != cs->pid, cs->pid, (uint64_t)tid);

	// Parent side: an ordinary syscall return.
	for (int i = 0; i < 16; i++) {
		if (i == RAX || i == RCX || i == R11 || i == RSP)
			continue;
		snprintf(what, sizeof(what), "parent %s", gpr_names[i]);
		check(what, f.in.gpr[i], f.out.gpr[i]);
	}
	check("parent rcx (address after syscall)", f.rcx_expect, f.out.gpr[RCX]);
	check("parent r11 (rflags at syscall)", f.pre_flags, f.out.gpr[R11]);
	check("parent rflags", f.pre_flags, f.out.rflags);
	check("parent mxcsr", f.in.mxcsr, f.out.mxcsr);
	check("parent x87 control word", f.in.fcw, f.out.fcw);
	check("parent x87 st0", f.in.x87, f.out.x87);
	check_vectors("parent", &f.in, (const uint8_t(*)[64])f.out.zmm, f.out.k);

	// Child side.
	uint64_t child[16];
	for (int i = 0; i < 15; i++)
		child[pushed_reg[i]] = cs->pushed[i];
	check("child rax (0)", 0, child[RAX]);
	for (int i = 0; i < 16; i++) {
		if (i == RAX || i == RCX || i == R11 || i == RSP)
			continue;
		snprintf(what, sizeof(what), "child %s", gpr_names[i]);
		check(what, f.in.gpr[i], child[i]);
	}
	check("child rsp (the stack argument)", (uint64_t)top, cs->rsp + 8);
	check("child rcx (address after syscall)", f.rcx_expect, child[RCX]);
	check("child r11 (rflags at syscall)", f.pre_flags, child[R11]);
	check("child rflags", f.pre_flags, cs->flags);
	check("child fs base (the tls argument)", (uint64_t)fake_tls, cs->fsbase);
	check("child mxcsr", f.in.mxcsr, cs->mxcsr);
	check("child x87 control word", f.in.fcw, cs->fcw);
	check("child x87 st0", f.in.x87, cs->x87);
	check_vectors("child", &f.in, cs->zmm, cs->k);
	return failed;
}
