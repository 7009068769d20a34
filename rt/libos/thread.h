/* App threads: each has a host thread (1:1) and an asis thread area (TCB + asis stack). */
#ifndef ASIS_LIBOS_THREAD_H
#define ASIS_LIBOS_THREAD_H
#include "tcb.h"

/* Maps a new thread area and initialises its TCB; NULL if out of memory. Safe to call
 * before %gs is set up (no stack protector). */
struct tcb *thread_area_alloc(uint64_t canary);

/* Adds t to the thread list; frees the areas of threads the kernel has reaped. */
void thread_register(struct tcb *t);

/* Sets the calling host thread's sigaltstack to its asis stack. */
void thread_use_asis_signal_stack(struct tcb *t);

#endif
