/* The asis thread control block: one per app thread, found through %gs (the app owns
 * %fs). Offsets are fixed because assembly and the stack protector
 * (-mstack-protector-guard-offset=8) use them; the static_asserts below pin them. */
#ifndef ASIS_TCB_H
#define ASIS_TCB_H

#define TCB_OFF_SELF 0
#define TCB_OFF_CANARY 8
#define TCB_OFF_FAULT_FIXUP 16
#define TCB_OFF_SIG_TAKEN 24
#define TCB_OFF_WINDOW_MASK 32
#define TCB_OFF_PASS_RET 40
#define TCB_OFF_TRAP_NR 48
#define TCB_OFF_RESTART_RIP 56
#define TCB_OFF_APP_SIGMASK 64
#define TCB_OFF_VFORK_ACTIONS 72
#define TCB_OFF_PATCH_SITE 80
#define TCB_OFF_PATCH_RET 88
#define TCB_OFF_PATCH_SAVE 96 /* five words: rdi rsi rdx r10 rax */
#define TCB_OFF_STACK_TOP 136
#define TCB_OFF_EXIT_MASK 144
#define TCB_OFF_OWNED_PENDING 152

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
    int sig_taken;         /* %gs:24, a signal was taken in this trap's interruptible
                              window (rt/pal/gate.S): held in taken until the trap exits */
    int pad0;
    kernel_sigset_t window_mask; /* %gs:32, the host mask inside that window */
    uintptr_t pass_ret;          /* %gs:40, where the PASS trampoline (gate.S) returns to
                                    the app: the address after its syscall instruction */
    long trap_nr;                /* %gs:48, the syscall this trap or patched call serves,
                                    for restarts */
    uintptr_t restart_rip;       /* %gs:56, where the app makes that call again after a
                                    handler: its syscall instruction, or a patched site's
                                    window start (docs/patching-design.md 0.6) */
    /* App signal state (rt/libos/signal.h). The host's mask is derived from app_sigmask
     * whenever app code runs. The patch entry reads it (gate.S). */
    kernel_sigset_t app_sigmask;             /* %gs:64 */
    struct kernel_sigaction *vfork_actions;  /* %gs:72, a vfork child's own signal actions
                                                (sys_signal.c), or 0 */
    /* The patched-site entry (rt/pal/patch_entry.S): */
    uint64_t patch_site;         /* %gs:80, the site being entered (index in the plan) */
    uintptr_t patch_ret;         /* %gs:88, its return address: the end of its window */
    uint64_t patch_save[5];      /* %gs:96, rdi rsi rdx r10 rax while the entry blocks
                                    signals */
    uintptr_t stack_top;         /* %gs:136, top of the asis stack */
    kernel_sigset_t exit_mask;   /* %gs:144, the host mask a patched call returns with */
    kernel_sigset_t owned_pending; /* %gs:152, signals asis owns (SIGSEGV...) sent by a
                                      process while the app blocked them or was inside
                                      asis; the patch entry leaves P to E while any wait */

    int tid;                      /* host tid == app tid (threads are 1:1) */
    int exited;                   /* set by sys_exit before the host thread dies */
    int vfork_child;              /* a vfork child: shares our memory, not our process */
    int vfork_root;               /* its own chroot: index + 1 in view.c's roots, or 0 */
    int *app_clear_child_tid;     /* set_tid_address / CLONE_CHILD_CLEARTID */

    struct host_ucontext *trap_uc; /* the app context of the syscall being served */

    struct host_stack app_altstack;
    struct host_siginfo taken;     /* the signal taken in the window, if sig_taken */
    uintptr_t patch_settle_rip;    /* where a patched call's slow exit resumes the app */
    int patch_tf;                  /* the app's trap flag was set in that call (path E) */
    uint64_t patch_eflags;         /* the app's flags for that slow exit */
    int pass_deferred;             /* this trap leaves its syscall to the PASS trampoline */
    kernel_sigset_t saved_mask;    /* the mask to restore at trap exit (sigsuspend, ppoll) */
    int saved_mask_valid;
    int in_fatal;                  /* printing an asis-bug report: a second fault just dies */
    struct host_siginfo owned_info[6]; /* their siginfo (rt/libos/signal.h owned_slot) */
    uint64_t app_gs_base;          /* ARCH_SET_GS from the app: remembered, never applied */

    uintptr_t exec_scratch;        /* argument copies of an execve in progress, or 0 */
    int vfs_held_fd[VFS_HELD_FDS]; /* fd + 1 of directories lookups hold for this
                                      syscall (rt/vfs/lookup.c), 0 if none */
    uintptr_t area_base;           /* the thread area this TCB lives in */
    struct tcb *next;              /* g_thread_list */
};

_Static_assert(sizeof(struct tcb) <= 4096, "the TCB fits its page of the thread area");
_Static_assert(__builtin_offsetof(struct tcb, self) == TCB_OFF_SELF, "tcb self");
_Static_assert(__builtin_offsetof(struct tcb, canary) == TCB_OFF_CANARY, "tcb canary");
_Static_assert(__builtin_offsetof(struct tcb, fault_fixup) == TCB_OFF_FAULT_FIXUP, "tcb fixup");
_Static_assert(__builtin_offsetof(struct tcb, sig_taken) == TCB_OFF_SIG_TAKEN, "tcb sig_taken");
_Static_assert(__builtin_offsetof(struct tcb, window_mask) == TCB_OFF_WINDOW_MASK, "tcb window");
_Static_assert(__builtin_offsetof(struct tcb, pass_ret) == TCB_OFF_PASS_RET, "tcb pass_ret");
_Static_assert(__builtin_offsetof(struct tcb, trap_nr) == TCB_OFF_TRAP_NR, "tcb trap_nr");
_Static_assert(__builtin_offsetof(struct tcb, restart_rip) == TCB_OFF_RESTART_RIP, "tcb restart");
_Static_assert(__builtin_offsetof(struct tcb, app_sigmask) == TCB_OFF_APP_SIGMASK, "tcb mask");
_Static_assert(__builtin_offsetof(struct tcb, vfork_actions) == TCB_OFF_VFORK_ACTIONS, "tcb vfork");
_Static_assert(__builtin_offsetof(struct tcb, patch_site) == TCB_OFF_PATCH_SITE, "tcb site");
_Static_assert(__builtin_offsetof(struct tcb, patch_ret) == TCB_OFF_PATCH_RET, "tcb ret");
_Static_assert(__builtin_offsetof(struct tcb, patch_save) == TCB_OFF_PATCH_SAVE, "tcb save");
_Static_assert(__builtin_offsetof(struct tcb, stack_top) == TCB_OFF_STACK_TOP, "tcb stack");
_Static_assert(__builtin_offsetof(struct tcb, exit_mask) == TCB_OFF_EXIT_MASK, "tcb exit mask");
_Static_assert(__builtin_offsetof(struct tcb, owned_pending) == TCB_OFF_OWNED_PENDING, "tcb owned");

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
