/* The asis thread control block: one per app thread, found through %gs (the app owns
 * %fs). Offsets are fixed because assembly and the stack protector
 * (-mstack-protector-guard-offset=8) use them; the static_asserts below pin them. */
#ifndef ASIS_TCB_H
#define ASIS_TCB_H

#define TCB_OFF_SELF 0
#define TCB_OFF_CANARY 8
#define TCB_OFF_FAULT_FIXUP 16

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "pal/host_abi.h"

/* Each thread's asis memory: a guard page, the asis stack (also the host signal
 * stack: the SIGSYS trap handler runs on it), then the TCB. */
#define THREAD_AREA_GUARD_BYTES 4096
#define THREAD_AREA_STACK_BYTES (256 * 1024)
#define THREAD_AREA_BYTES (THREAD_AREA_GUARD_BYTES + THREAD_AREA_STACK_BYTES + 4096)

#define VFS_HELD_FDS 8 /* lookups of one syscall: two for rename and link, one per
                          script level of an execve */

struct tcb {
    struct tcb *self;      /* %gs:0 */
    uint64_t canary;       /* %gs:8, read by the stack protector */
    uintptr_t fault_fixup; /* %gs:16, where a faulting app-memory copy resumes; 0 if none */

    int tid;                      /* host tid == app tid (threads are 1:1) */
    volatile int host_tid_word;   /* the kernel clears it when the host thread is gone */
    int exited;                   /* set by sys_exit before the host thread dies */
    int vfork_child;              /* a vfork child: shares our memory, not our process */
    int vfork_root;               /* its own chroot: index + 1 in view.c's roots, or 0 */
    int *app_clear_child_tid;     /* set_tid_address / CLONE_CHILD_CLEARTID */

    struct host_ucontext *trap_uc; /* the app context of the syscall being served */

    /* App signal state, recorded until signal delivery is emulated. */
    kernel_sigset_t app_sigmask;
    struct host_stack app_altstack;
    uint64_t app_gs_base;          /* ARCH_SET_GS from the app: remembered, never applied */

    uintptr_t exec_scratch;        /* argument copies of an execve in progress, or 0 */
    int vfs_held_fd[VFS_HELD_FDS]; /* fd + 1 of directories lookups hold for this
                                      syscall (rt/vfs/lookup.c), 0 if none */
    uintptr_t area_base;           /* the thread area this TCB lives in */
    struct tcb *next;              /* g_thread_list */
};

_Static_assert(__builtin_offsetof(struct tcb, self) == TCB_OFF_SELF, "tcb self");
_Static_assert(__builtin_offsetof(struct tcb, canary) == TCB_OFF_CANARY, "tcb canary");
_Static_assert(__builtin_offsetof(struct tcb, fault_fixup) == TCB_OFF_FAULT_FIXUP, "tcb fixup");

static inline struct tcb *tcb_self(void)
{
    struct tcb *t;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(t));
    return t;
}

static inline uintptr_t tcb_stack_top(const struct tcb *t)
{
    return t->area_base + THREAD_AREA_GUARD_BYTES + THREAD_AREA_STACK_BYTES;
}
#endif
#endif
