/* Threads: clone/clone3 for threads, exit, thread ids, the app's %fs and %gs bases.
 * A new thread is a host thread with its own asis thread area; it enters the app with
 * its parent's registers (but rax = 0, the new stack and the new fs base), loaded from a
 * copy of the parent's trap frame with rt_sigreturn. vfork children start the same way;
 * fork children continue in the trap that forked them. */
#include "libos/syscall.h"
#include "libos/patch.h"
#include "libos/signal.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/thread.h"
#include "libos/exec.h"
#include "libos/fork.h"
#include "libos/vma.h"
#include "pal/host.h"
#include "pal/trap_setup.h"

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
/* What a thread clone may ask of the host as it is; the tid words asis handles itself. */
#define CLONE_HOST_PASSED                                                                   \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |      \
     CLONE_SETTLS | CLONE_PARENT_SETTID)
#define CLONE_SUPPORTED (CLONE_HOST_PASSED | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)

struct clone_request {
    unsigned long flags;
    uintptr_t stack; /* the app's new stack pointer, 0 to keep the parent's */
    int *ptid, *ctid;
    unsigned long tls;
};

/* Set up in the parent, read by the child before it enters the app. */
struct child_start {
    struct host_ucontext *uc;
    int *set_child_tid;
};

__attribute__((no_stack_protector, noreturn)) static void thread_child_start(void *arg)
{
    struct tcb *t = arg;
    /* The child inherited its parent's %gs: switch to its own block first. */
    host_syscall2(__NR_arch_prctl, ARCH_SET_GS, t);
    struct child_start *start = (struct child_start *)(tcb_stack_top(t) - sizeof(*start));
    t->tid = (int)host_gettid();
    if (start->set_child_tid)
        copy_to_app(start->set_child_tid, &t->tid, sizeof(int));
    if (trap_enable_thread() < 0)
        fatal("cannot intercept the syscalls of a new thread");
    pal_resume_context(start->uc);
}

/* A new host task (a thread, or a vfork child sharing our memory) runs on a fresh thread
 * area and enters the app with the trapping thread's registers, rax = 0 and, if given,
 * the new stack. child_prepare() sets the area up; child_launch() starts the task. */
static struct tcb *child_prepare(const struct clone_request *req)
{
    struct tcb *parent = tcb_self();
    struct host_ucontext *puc = parent->trap_uc;
    struct tcb *child = thread_area_alloc(parent->canary);
    if (!child)
        return 0;
    vma_note_asis(child->area_base, THREAD_AREA_BYTES);
    child->app_sigmask = parent->app_sigmask;
    child->app_altstack.ss_flags = SS_DISABLE; /* Linux clears it for CLONE_VM children */
    if (req->flags & CLONE_CHILD_CLEARTID)
        child->app_clear_child_tid = req->ctid;

    /* Top of the child's asis stack: start info, the xsave copy, the ucontext copy. */
    uintptr_t top = tcb_stack_top(child);
    struct child_start *start = (struct child_start *)(top - sizeof(*start));
    size_t fp_size = fpstate_size(puc->uc_mcontext.fpstate);
    uintptr_t fp = ((uintptr_t)start - fp_size) & ~63UL;
    struct host_ucontext *uc = (struct host_ucontext *)((fp - sizeof(*uc)) & ~63UL);
    memcpy((void *)fp, puc->uc_mcontext.fpstate, fp_size);
    memcpy(uc, puc, sizeof(*uc));
    uc->uc_link = 0;
    uc->uc_mcontext.fpstate = (void *)fp;
    uc->uc_mcontext.rax = 0;
    uc->uc_sigmask = host_mask_of(child->app_sigmask); /* the host's while the child runs app code */
    if (req->stack)
        uc->uc_mcontext.rsp = req->stack;
    /* rt_sigreturn also installs uc_stack: the child's host signal stack. */
    uc->uc_stack.ss_sp = (void *)(child->area_base + THREAD_AREA_GUARD_BYTES);
    uc->uc_stack.ss_size = THREAD_AREA_STACK_BYTES;
    uc->uc_stack.ss_flags = 0;
    start->uc = uc;
    /* A vfork child's tid is written by the host (its flags go as they are), before the
     * child runs: it must not fault while its host signal stack is still ours. */
    start->set_child_tid =
        (req->flags & CLONE_CHILD_SETTID) && !(req->flags & CLONE_VFORK) ? req->ctid : 0;
    return child;
}

/* Returns the host tid, or -errno (the child's area is then released). */
static long child_launch(struct tcb *child, const struct clone_request *req,
                         unsigned long host_flags, int *host_ctid)
{
    struct child_start *start = (struct child_start *)(tcb_stack_top(child) - sizeof(*start));
    child->vfork_child = (host_flags & CLONE_VFORK) != 0;
    long tid = pal_clone_thread(host_flags, (void *)((uintptr_t)start->uc - 128), req->ptid,
                                host_ctid, req->tls, thread_child_start, child);
    if (tid < 0)
        thread_area_release(child);
    return tid;
}

static long clone_thread(const struct clone_request *req)
{
    struct tcb *child = child_prepare(req);
    if (!child)
        return -EAGAIN;
    /* The app's clear-child-tid word is handed to the host only at the thread's exit
     * (sys_exit); thread.c finds out by the tid when the area can be freed. */
    unsigned long host_flags = req->flags & CLONE_HOST_PASSED;
    long tid = child_launch(child, req, host_flags, 0);
    if (tid < 0)
        return tid;
    child->tid = (int)tid;
    thread_register(child);
    return tid;
}

/* vfork: the child runs in our memory, on its own asis stack, until it execs or exits;
 * only then does the host return here, so its area can be freed at once. */
static long clone_vfork(const struct clone_request *req)
{
    struct tcb *child = child_prepare(req);
    if (!child)
        return -EAGAIN;
    /* Its own signal actions, starting as ours (unless it shares them: CLONE_SIGHAND);
     * Linux keeps the altstack for it. */
    struct kernel_sigaction *actions = 0;
    if (!(req->flags & CLONE_SIGHAND) && !(actions = signal_actions_copy())) {
        thread_area_release(child);
        return -EAGAIN;
    }
    child->vfork_actions = actions;
    child->app_altstack = tcb_self()->app_altstack;
    /* Until its first entry into the app installs its own, the child's host signal stack
     * is ours, in use by this trap: no signal of asis's may reach it there. The child's
     * entry sets its mask, ours comes back after. */
    kernel_sigset_t owned = OWNED_SYNC, old;
    host_syscall4(__NR_rt_sigprocmask, SIG_BLOCK, &owned, &old, sizeof(kernel_sigset_t));
    /* Child tid words go to the host as they are: the kernel writes them in the memory the
     * child shares with us, as it would natively. */
    long pid = child_launch(child, req, req->flags, req->ctid);
    host_syscall4(__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, sizeof(kernel_sigset_t));
    signal_actions_free(actions); /* the child has exec'd or exited by now */
    if (pid < 0)
        return pid;
    exec_release_scratch(child);
    thread_area_release(child);
    return pid;
}

/* fork: the child is a copy of this process with only the calling thread, still inside
 * this trap; it returns 0 through the same path and the same registers. */
static long clone_fork(const struct clone_request *req)
{
    fork_lock_all();
    long pid = pal_syscall6(__NR_clone, req->flags, 0, (long)req->ptid, (long)req->ctid,
                            (long)req->tls, 0);
    if (pid == 0) {
        struct tcb *self = tcb_self();
        fork_unlock_all();
        self->tid = (int)host_gettid();
        self->app_clear_child_tid = (req->flags & CLONE_CHILD_CLEARTID) ? req->ctid : 0;
        thread_list_keep_only(self);
        self->owned_pending = 0; /* a child starts with no pending signals */
        if (req->stack)
            self->trap_uc->uc_mcontext.rsp = req->stack;
        if (trap_enable_thread() < 0)
            fatal("cannot intercept the syscalls of a forked child");
        return 0;
    }
    fork_unlock_all();
    return pid;
}

static long do_clone(const struct clone_request *req)
{
    if ((req->flags & CLONE_THREAD_FLAGS) == CLONE_THREAD_FLAGS) {
        if (req->flags & ~(CLONE_SUPPORTED | 0xffUL)) {
            log_warn("clone flags 0x%lx not supported for threads; returning EINVAL", req->flags);
            return -EINVAL;
        }
        return clone_thread(req);
    }
    if ((req->flags & CLONE_THREAD) || ((req->flags & CLONE_SIGHAND) && !(req->flags & CLONE_VM)))
        return -EINVAL; /* Linux: CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM */
    if (req->flags & (CLONE_NEWNS | CLONE_NEWUSER)) {
        if (req->flags & CLONE_FS)
            return -EINVAL; /* Linux: a new mount or user namespace cannot share CLONE_FS */
        return -EPERM; /* as unshare: the app could mount over what asis opens */
    }
    if ((req->flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK))
        return clone_vfork(req);
    if (req->flags & CLONE_VM) {
        log_warn("clone with CLONE_VM but neither CLONE_THREAD nor CLONE_VFORK is not "
                 "supported; returning EINVAL");
        return -EINVAL;
    }
    return clone_fork(req);
}

long sys_fork(void)
{
    struct clone_request req = { 17 /* SIGCHLD */, 0, 0, 0, 0 };
    return do_clone(&req);
}

long sys_vfork(void)
{
    struct clone_request req = { CLONE_VM | CLONE_VFORK | 17 /* SIGCHLD */, 0, 0, 0, 0 };
    return do_clone(&req);
}

long sys_clone(unsigned long flags, uintptr_t stack, int *ptid, int *ctid, unsigned long tls)
{
    struct clone_request req = { flags, stack, ptid, ctid, tls };
    return do_clone(&req);
}

/* struct clone_args of clone3(2). */
struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

long sys_clone3(void *app_args, size_t size)
{
    struct clone_args_v2 ca;
    memset(&ca, 0, sizeof(ca));
    if (size < 64)
        return -EINVAL;
    if (size > 4096)
        return -E2BIG;
    if (copy_from_app(&ca, app_args, size < sizeof(ca) ? size : sizeof(ca)) < 0)
        return -EFAULT;
    /* Bytes past the struct this kernel ABI knows must be zero (E2BIG otherwise). */
    for (size_t off = sizeof(ca); off < size; off++) {
        unsigned char b;
        if (copy_from_app(&b, (char *)app_args + off, 1) < 0)
            return -EFAULT;
        if (b)
            return -E2BIG;
    }
    if (ca.set_tid || ca.set_tid_size || ca.cgroup || ca.exit_signal > NSIG_LINUX)
        return -EINVAL;
    if ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal)
        return -EINVAL;
    /* Flags only clone3 can carry (CLONE_NEWTIME in the low byte, CLONE_CLEAR_SIGHAND and
     * CLONE_INTO_CGROUP above 32 bits) cannot be handed to the host's clone, whose low
     * byte is the exit signal: refuse them rather than lose them. */
    if (ca.flags & (0xffUL | ~0xffffffffUL)) {
        log_warn("clone3 flags 0x%lx not supported yet; returning EINVAL", (unsigned long)ca.flags);
        return -EINVAL;
    }
    if (!ca.stack != !ca.stack_size)
        return -EINVAL;
    /* clone(2) returns a pidfd through the parent-tid pointer; clone3 has its own. */
    if ((ca.flags & CLONE_PIDFD) && (ca.flags & CLONE_PARENT_SETTID))
        return -EINVAL; /* (allowed by clone3, not expressible for the host's clone) */
    struct clone_request req = {
        .flags = ca.flags | ca.exit_signal,
        .stack = ca.stack ? ca.stack + ca.stack_size : 0,
        .ptid = (int *)((ca.flags & CLONE_PIDFD) ? ca.pidfd : ca.parent_tid),
        .ctid = (int *)ca.child_tid,
        .tls = ca.tls,
    };
    return do_clone(&req);
}

long sys_exit(int code)
{
    struct tcb *t = tcb_self();
    __atomic_store_n(&t->exited, 1, __ATOMIC_RELEASE);
    /* The host clears the app's tid word and wakes its joiner once this thread can no
     * longer run, after its robust futexes and its rseq area are done with, as natively:
     * the joiner may free this thread's stack at once. */
    host_syscall1(__NR_set_tid_address, t->app_clear_child_tid);
    host_exit_thread(code);
}

long sys_exit_group(int code)
{
    if (!tcb_self()->vfork_child)
        patch_stats_print(); /* a vfork child's exit is not its parent's */
    host_exit_group(code);
}

long sys_set_tid_address(int *tidptr)
{
    struct tcb *t = tcb_self();
    t->app_clear_child_tid = tidptr;
    return t->tid;
}

long sys_arch_prctl(int code, unsigned long addr)
{
    struct tcb *t = tcb_self();
    unsigned long value;
    switch (code) {
    case ARCH_SET_FS:
        return host_syscall2(__NR_arch_prctl, ARCH_SET_FS, addr);
    case ARCH_GET_FS: {
        long r = host_syscall2(__NR_arch_prctl, ARCH_GET_FS, &value);
        if (r < 0)
            return r;
        return copy_to_app((void *)addr, &value, sizeof(value));
    }
    case ARCH_SET_GS:
        /* %gs holds asis's thread block; the app's value is kept but not loaded. */
        if (addr >= 0x800000000000UL)
            return -EPERM;
        t->app_gs_base = addr;
        return 0;
    case ARCH_GET_GS:
        return copy_to_app((void *)addr, &t->app_gs_base, sizeof(t->app_gs_base));
    }
    return -EINVAL;
}
