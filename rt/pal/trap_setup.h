/* How the app's syscalls are made to trap: Syscall User Dispatch (per thread) or a
 * seccomp filter on the instruction pointer (per process, inherited). Either way only
 * syscalls from the gate (rt/pal/gate.S) reach the host; all others raise SIGSYS.
 * docs/trap-mechanisms.md says which is the default and why. */
#ifndef ASIS_PAL_TRAP_SETUP_H
#define ASIS_PAL_TRAP_SETUP_H

enum trap_mode { TRAP_SUD = 0, TRAP_SECCOMP = 1 };
extern enum trap_mode g_trap_mode;
/* Set when an asis app started this runtime under seccomp: the filter is already on. */
extern int g_seccomp_inherited;

/* Once, on the main thread, after the SIGSYS handler is installed. 0 or -errno. */
int trap_enable_process(void);
/* On every new thread, before it runs app code. 0 or -errno. */
int trap_enable_thread(void);

#endif
