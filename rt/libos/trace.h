/* strace-style tracing of the app's syscalls (asis run --trace). */
#ifndef ASIS_LIBOS_TRACE_H
#define ASIS_LIBOS_TRACE_H
#include "tcb.h"

extern int g_trace_fd; /* -1: tracing off */

/* Prints one line: "[tid] name(args) = result". done == 0 for calls that never return
 * (exit), printed before they run. Format letters: see syscalls.def. */
void trace_syscall(struct tcb *t, const char *name, long nr, const char *arg_fmt, char ret_fmt,
                   const long args[6], long ret, int done);

/* Prints "[tid] --- SIGNAME {si_code=...} ---" for a signal delivered to an app handler. */
void trace_signal(struct tcb *t, const struct host_siginfo *si);

#endif
