/* App threads: each has a host thread (1:1) and an asis thread area (TCB + asis stack). */
#ifndef ASIS_LIBOS_THREAD_H
#define ASIS_LIBOS_THREAD_H
#include "tcb.h"

/* Maps a new thread area and initialises its TCB; NULL if out of memory. Safe to call
 * before %gs is set up (no stack protector). */
struct tcb *thread_area_alloc(uint64_t canary);

/* Adds t to the thread list; frees the areas of threads the kernel has reaped. */
void thread_register(struct tcb *t);

/* Unmaps a thread area that no host thread runs on any more. */
void thread_area_release(struct tcb *t);

/* In a forked child: forget every thread but the caller. */
void thread_list_keep_only(struct tcb *self);

/* Held across fork so the child does not inherit a list in mid-change. */
void thread_list_lock(void);
void thread_list_unlock(void);

/* Sets the calling host thread's sigaltstack to its asis stack. */
void thread_use_asis_signal_stack(struct tcb *t);

#endif
