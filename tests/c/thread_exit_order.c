// What a thread's exit has finished by the time pthread_join returns. Natively the kernel
// clears the exiting thread's tid word (CLONE_CHILD_CLEARTID) and wakes its joiner only
// after the thread has released its robust mutexes and can never return to user mode
// again. asis once cleared the word and woke the joiner itself, in sys_exit, before the
// host thread exited, so the joiner could run first. Each section runs in a child of its
// own, so one that crashes still lets the other report.
//
// Both sections keep the whole process on one CPU and give the exiting thread the
// lowest weight (nice 19), so that the woken joiner preempts it whenever the kernel lets
// it: that is what opened asis's window. Nothing here needs privileges. The threads end
// with glibc's exit site (path E under --patch=all, `asis run --stats` counts it under
// 'entry') and start with clone3 (path T, 'stub-trap'); the bug showed on every path,
// --patch=off included.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/test_util.h"

// ---------------------------------------------------------------------------- helpers

// The first CPU this process may run on becomes the only one.
static void one_cpu(void)
{
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof(all), &all) != 0)
        die("sched_getaffinity");
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &all))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0)
        die("sched_setaffinity");
}

// The calling thread gets the lowest weight, so that a thread it wakes runs first.
static void lowest_weight(void)
{
    setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
}

// ---------------------------------------------------------------------------- user_stacks
// Threads on stacks of the program's own (pthread_attr_setstack), unmapped as soon as
// pthread_join returns. glibc keeps the thread's struct pthread, and with it the rseq
// area the thread registered with the kernel, at the top of that stack. asis woke the
// joiner with a FUTEX_WAKE of its own: when the joiner preempted the exiting thread
// there, that futex call returned to user mode with a pending rseq update, which the
// kernel then wrote into the unmapped stack and killed the whole process with SIGSEGV.
// The stacks rotate through a reserved region and go back to an inaccessible
// reservation (their pages are dropped) rather than being unmapped outright: a stack's
// address is then not handed out again by the next round's mmap, so a late write
// always faults instead of landing in a new mapping. asis failed within some 20 rounds.

#define STACK_SIZE (64 * 1024)
#define STACK_SLOTS 64
#define STACK_ROUNDS 30000

static void *exit_at_once(void *arg)
{
    lowest_weight();
    return arg;
}

static void user_stacks(void)
{
    one_cpu();
    char *region = mmap(NULL, (size_t)STACK_SLOTS * STACK_SIZE, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED)
        die("mmap reservation");
    int done = 0;
    for (int i = 0; i < STACK_ROUNDS; i++) {
        char *stack = region + (size_t)(i % STACK_SLOTS) * STACK_SIZE;
        if (mmap(stack, STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != stack)
            die("mmap stack");
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstack(&a, stack, STACK_SIZE);
        pthread_t th;
        int err = pthread_create(&th, &a, exit_at_once, NULL);
        if (err != 0) {
            errno = err;
            die("pthread_create");
        }
        pthread_attr_destroy(&a);
        if (pthread_join(th, NULL) != 0)
            break;
        if (mmap(stack, STACK_SIZE, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != stack)
            die("mmap drop stack");
        done++;
    }
    printf("user_stacks: %d threads joined and their stacks dropped at once: all %s\n",
           STACK_ROUNDS, yes(done == STACK_ROUNDS));
}

// ---------------------------------------------------------------------------- robust_owner
// A thread exits holding a robust mutex. The kernel marks the mutex FUTEX_OWNER_DIED
// (processing the thread's robust list) before it clears the tid word, so a trylock
// right after pthread_join says EOWNERDEAD every time. Under asis the joiner could run
// before the host thread exited and find the mutex still held (EBUSY), in about a
// third of the rounds.

#define ROBUST_ROUNDS 2000

static pthread_mutex_t robust;

static void *lock_and_exit(void *arg)
{
    lowest_weight();
    pthread_mutex_lock(&robust);
    return arg;
}

static void robust_owner(void)
{
    one_cpu();
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &ma);
    int busy = 0, other = 0;
    for (int i = 0; i < ROBUST_ROUNDS; i++) {
        pthread_t th;
        int err = pthread_create(&th, NULL, lock_and_exit, NULL);
        if (err != 0) {
            errno = err;
            die("pthread_create");
        }
        pthread_join(th, NULL);
        int r = pthread_mutex_trylock(&robust);
        if (r == EBUSY) {
            busy++;
            r = pthread_mutex_lock(&robust); // the owner's death comes a moment later
        }
        if (r == EOWNERDEAD)
            pthread_mutex_consistent(&robust);
        else
            other++;
        pthread_mutex_unlock(&robust);
    }
    printf("robust_owner: mutex of a joined thread EOWNERDEAD at once in all %d rounds: %s\n",
           ROBUST_ROUNDS, yes(busy == 0 && other == 0));
    if (busy || other)
        fprintf(stderr, "robust_owner: EBUSY %d, other %d\n", busy, other);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    run_section("user_stacks", user_stacks);
    run_section("robust_owner", robust_owner);
    return 0;
}
