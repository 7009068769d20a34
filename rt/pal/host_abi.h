/* The Linux x86-64 kernel ABI as asis's runtime sees it: syscall numbers and flag
 * constants come from the kernel's UAPI headers (header-only, fine in a freestanding
 * build); the few structures whose UAPI spelling clashes with libc-less use are
 * written out here, laid out exactly as the kernel lays them out. */
#ifndef ASIS_HOST_ABI_H
#define ASIS_HOST_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <asm/prctl.h>
#include <asm-generic/errno.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/openat2.h>
#include <linux/prctl.h>
#include <linux/sched.h>

/* Syscalls newer than the UAPI headers of the build machine (Debian 12: Linux 6.1). */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

typedef long ssize_t;
typedef uint64_t kernel_sigset_t; /* the kernel's 64-signal set */

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define SIGSYS 31
#define NSIG_LINUX 64

#define SI_KERNEL 0x80
#define SI_TKILL (-6)

/* Kernel-internal results of an interrupted syscall (include/linux/errno.h). They say
 * whether the call may be restarted after a handler; they never reach the app. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define EFLAGS_TF 0x100UL /* the trap flag: single-step */
/* The flags rt_sigreturn takes from the frame (arch/x86/kernel/signal.c FIX_EFLAGS). */
#define FIX_EFLAGS 0x50DD5UL
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)

#define SYS_SECCOMP 1        /* si_code of a seccomp SECCOMP_RET_TRAP */
#define SYS_USER_DISPATCH 2  /* si_code of a Syscall User Dispatch trap */

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif

struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    kernel_sigset_t mask;
};

struct host_stack {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
};

/* struct sigcontext (64-bit), in the kernel's order. */
struct host_mcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    void *fpstate; /* the fxsave/xsave area, 64-byte aligned */
    uint64_t reserved1[8];
};

struct host_ucontext {
    unsigned long uc_flags;
    struct host_ucontext *uc_link;
    struct host_stack uc_stack;
    struct host_mcontext uc_mcontext;
    kernel_sigset_t uc_sigmask;
};

struct host_siginfo {
    int si_signo;
    int si_errno;
    int si_code;
    int pad0;
    union {
        struct { void *call_addr; int syscall; unsigned int arch; } sigsys;
        struct { void *addr; } fault;
        char pad[112];
    } u;
};

#define UC_FP_XSTATE 0x1

/* The frame the kernel puts on the stack for a 64-bit handler (asm/sigframe.h): rsp at
 * the handler's first instruction points at pretcode, the handler's return address. The
 * xsave area lies above it, 64-byte aligned. */
struct host_rt_sigframe {
    void *pretcode;
    struct host_ucontext uc;
    struct host_siginfo info;
};
_Static_assert(sizeof(struct host_rt_sigframe) == 440, "x86-64 rt_sigframe");

/* The tail of the fxsave area's reserved bytes, where the kernel says how large the
 * xsave state that follows is (struct _fpx_sw_bytes). */
struct host_fpx_sw_bytes {
    uint32_t magic1;
    uint32_t extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
};
#define FPX_SW_BYTES_OFFSET 464
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U /* the 4 bytes right after xstate_size bytes */
#define FXSAVE_SIZE 512
#define XSAVE_HEADER_OFFSET 512
#define XSAVE_HEADER_SIZE 64


struct host_timespec {
    long tv_sec;
    long tv_nsec;
};


/* struct stat of x86-64 (asm/stat.h spells it with names that clash with libc-less use). */
struct host_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec, st_ctime_sec,
        st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct host_stat) == 144, "struct stat of x86-64");
#define HOST_S_IFMT 0170000
#define HOST_S_IFDIR 0040000
#define HOST_S_IFREG 0100000
#define HOST_S_IFLNK 0120000

#endif
