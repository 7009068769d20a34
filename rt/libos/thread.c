/* Thread areas and the list of live app threads. */
#include "libos/thread.h"
#include "lib/mutex.h"
#include "libos/vma.h"
#include "pal/host.h"

static struct mutex g_thread_lock;
static struct tcb *g_thread_list;

__attribute__((no_stack_protector)) struct tcb *thread_area_alloc(uint64_t canary)
{
    void *area = host_mmap(0, THREAD_AREA_BYTES, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host_is_error((long)area))
        return 0;
    /* The guard page turns an asis stack overflow into a fault, not silent corruption. */
    host_mprotect(area, THREAD_AREA_GUARD_BYTES, PROT_NONE);
    struct tcb *t = (struct tcb *)((char *)area + THREAD_AREA_GUARD_BYTES +
                                   THREAD_AREA_STACK_BYTES);
    t->self = t;
    t->canary = canary;
    t->area_base = (uintptr_t)area;
    t->stack_top = tcb_stack_top(t);
    return t;
}

void thread_area_release(struct tcb *t)
{
    uintptr_t base = t->area_base;
    /* Forget first: once unmapped, another thread may be given the same range. */
    vma_forget_asis(base, THREAD_AREA_BYTES);
    host_munmap((void *)base, THREAD_AREA_BYTES);
}

void thread_register(struct tcb *t)
{
    struct tcb *dead = 0;
    mutex_lock(&g_thread_lock);
    /* Reap: a thread that has exited and whose host thread is gone (its tid no longer
     * names a thread of this process: the kernel has released it, so nothing touches its
     * area) no longer uses its area. A tid reused meanwhile only delays this. */
    long pid = host_getpid();
    for (struct tcb **pp = &g_thread_list; *pp;) {
        struct tcb *c = *pp;
        if (__atomic_load_n(&c->exited, __ATOMIC_ACQUIRE) &&
            host_syscall3(__NR_tgkill, pid, c->tid, 0) == -ESRCH) {
            *pp = c->next;
            c->next = dead;
            dead = c;
        } else {
            pp = &c->next;
        }
    }
    t->next = g_thread_list;
    g_thread_list = t;
    mutex_unlock(&g_thread_lock);
    while (dead) {
        struct tcb *next = dead->next;
        thread_area_release(dead);
        dead = next;
    }
}

void thread_use_asis_signal_stack(struct tcb *t)
{
    struct host_stack ss = {
        .ss_sp = (void *)(t->area_base + THREAD_AREA_GUARD_BYTES),
        .ss_flags = 0,
        .ss_size = THREAD_AREA_STACK_BYTES,
    };
    host_syscall2(__NR_sigaltstack, &ss, 0);
}

void thread_list_keep_only(struct tcb *self)
{
    /* In a forked child the other threads do not exist: their areas are dead copies. */
    struct tcb *c = g_thread_list;
    g_thread_list = 0;
    while (c) {
        struct tcb *next = c->next;
        if (c != self)
            thread_area_release(c);
        c = next;
    }
    self->next = 0;
    g_thread_list = self;
}

void thread_list_lock(void)
{
    mutex_lock(&g_thread_lock);
}

void thread_list_unlock(void)
{
    mutex_unlock(&g_thread_lock);
}
