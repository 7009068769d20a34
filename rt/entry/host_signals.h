/* asis's host signal handlers: the SIGSYS trap (the syscall entry of trap mode) and the
 * fault handler that turns a bad app pointer into -EFAULT. */
#ifndef ASIS_ENTRY_HOST_SIGNALS_H
#define ASIS_ENTRY_HOST_SIGNALS_H

/* Installs the handlers; they run on each thread's asis signal stack. */
void host_signals_install(void);

#endif
