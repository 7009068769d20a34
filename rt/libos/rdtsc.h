/* --rdtsc=emulate: the app's rdtsc and rdtscp fault (PR_SET_TSC) and asis answers them,
 * as a runtime must where the instruction is not allowed (an enclave). rdtsc.c. */
#ifndef ASIS_LIBOS_RDTSC_H
#define ASIS_LIBOS_RDTSC_H
#include "pal/host_abi.h"

extern int g_rdtsc_emulate;

/* The first and the last step of measuring the host TSC's rate, at the runtime's start
 * and just before the app's first instruction; the second switches the TSC off for the
 * process (and every thread it makes). Returns 0 or -errno. */
void rdtsc_calibration_start(void);
int rdtsc_emulation_enable(void);
/* A fault at rip: if it is an rdtsc or rdtscp of the app's, answers it in uc (rax, rdx,
 * rcx for rdtscp, rip past it) and returns 1; else 0. */
int rdtsc_emulate_fault(const struct host_siginfo *si, struct host_ucontext *uc);

#endif
