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

#include "lib/regs.h"

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

_Static_assert(OFF(child_save, k) == CS_K && OFF(child_save, fsbase) == CS_FSBASE &&
	       OFF(child_save, mxcsr) == CS_MXCSR && OFF(child_save, fcw) == CS_FCW &&
	       OFF(child_save, x87) == CS_X87 && OFF(child_save, pid) == CS_PID &&
	       OFF(child_save, tid) == CS_TID && OFF(child_save, pushed) == CS_GPR &&
	       OFF(child_save, rsp) == CS_RSP && OFF(child_save, flags) == CS_FLAGS &&
	       sizeof(struct child_save) == CS_SIZE && CS_SIZE - CS_PUSHED == CS_GPR,
	       "child_save layout");

void raw_clone_all_regs(struct frame *f);

__asm__(
	REGS_ASM_EQU
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
	REGS_ASM_LOAD_AND_SYSCALL
	"	test %rax, %rax\n"
	"	jz 50f\n"
	// Parent.
	REGS_ASM_STORE_AND_RETURN
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
	REGS_ASM_VECTORS(REGS_ASM_STORE, "CS_LEVEL(%rsp)", "\\i*64(%rsp)", "CS_K+\\i*8(%rsp)", "")
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

// Hardware register number of each child_save.pushed[] slot.
static const int pushed_reg[15] = { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1, 0 };

#define CTID_SENTINEL 0x7ffffff0
#define STACK_SIZE (64 * 1024)

static int failed;
static _Alignas(64) unsigned char child_stack[STACK_SIZE];
static volatile int ptid;
static volatile int ctid = CTID_SENTINEL;
static _Alignas(64) unsigned char fake_tls[256]; // the child never dereferences it

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

// A regs_check_fn: one line per register, "WHO WHAT: ...".
static void check_reg(const char *who, const char *what, uint64_t want, uint64_t got)
{
	char label[64];
	snprintf(label, sizeof(label), "%s %s", who, what);
	check(label, want, got);
}

// The vector registers: one line for the whole set, details on mismatch.
static void vectors(const char *who, const struct regset *in, const uint8_t (*zmm)[64],
		    const uint64_t *k)
{
	if (check_vectors(check_reg, who, in, zmm, k) == 0)
		printf("%s vector regs: ok\n", who);
}

int main(void)
{
	static struct frame f;

	detect_level();

	unsigned char *top = child_stack + STACK_SIZE - 64;
	struct child_save *cs = (struct child_save *)(top - CS_SIZE);
	memcpy(top, &level, sizeof(level));

	fill_patterns(&f.in, 0); // RZ, FTZ, DAZ, sticky PE/IE; 53-bit, round toward zero
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
	check_gprs(check_reg, "parent", f.in.gpr, f.out.gpr);
	check_rcx_r11(check_reg, "parent", &f, f.out.gpr);
	check("parent rflags", f.pre_flags, f.out.rflags);
	check_fp(check_reg, "parent", &f.in, f.out.mxcsr, f.out.fcw, f.out.x87);
	vectors("parent", &f.in, (const uint8_t(*)[64])f.out.zmm, f.out.k);

	// Child side.
	uint64_t child[16];
	for (int i = 0; i < 15; i++)
		child[pushed_reg[i]] = cs->pushed[i];
	check("child rax (0)", 0, child[RAX]);
	check_gprs(check_reg, "child", f.in.gpr, child);
	check("child rsp (the stack argument)", (uint64_t)top, cs->rsp + 8);
	check_rcx_r11(check_reg, "child", &f, child);
	check("child rflags", f.pre_flags, cs->flags);
	check("child fs base (the tls argument)", (uint64_t)fake_tls, cs->fsbase);
	check_fp(check_reg, "child", &f.in, cs->mxcsr, cs->fcw, cs->x87);
	vectors("child", &f.in, (const uint8_t(*)[64])cs->zmm, cs->k);
	return failed;
}
