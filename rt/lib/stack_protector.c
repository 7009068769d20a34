/* Called by code the compiler instrumented with -fstack-protector when the canary at
 * %gs:8 no longer matches: asis's own stack was overwritten. Report where and stop. */
#include "exit_codes.h"
#include "lib/log.h"
#include "lib/self_symbols.h"
#include "pal/host.h"
#include "tcb.h"

#define SIGABRT 6

extern const char __ehdr_start[];

/* Dies of SIGABRT, as glibc's __stack_chk_fail does: a status unlike asis's own exit
 * statuses (fatal()) and unlike a fault in asis code (which dies of the fault's signal),
 * with a core dump where they are enabled. The app's disposition and mask of SIGABRT are
 * mirrored on the host, so both are reset first. */
__attribute__((noreturn)) static void die_of_sigabrt(void)
{
    struct kernel_sigaction dfl = { .handler = 0 };
    kernel_sigset_t abrt = 1ULL << (SIGABRT - 1);
    host_syscall4(__NR_rt_sigaction, SIGABRT, &dfl, 0, sizeof(kernel_sigset_t));
    host_syscall3(__NR_tgkill, host_getpid(), host_gettid(), SIGABRT);
    host_syscall4(__NR_rt_sigprocmask, SIG_UNBLOCK, &abrt, 0, sizeof(kernel_sigset_t));
    host_exit_group(ASIS_EXIT_INTERNAL); /* only if another thread changed it meanwhile */
}

__attribute__((noreturn, no_stack_protector)) void __stack_chk_fail(void);
__attribute__((noreturn, no_stack_protector)) void __stack_chk_fail(void)
{
    /* Inside the function whose epilogue found the canary changed: its frame's return
     * address is likely overwritten too, so no call chain is walked. */
    const char *caller = __builtin_return_address(0);
    struct tcb *t = tcb_self();
    if (t->in_fatal)
        die_of_sigabrt(); /* the report itself smashed a stack: say nothing more */
    t->in_fatal = 1;
    unsigned long rt_off = (unsigned long)(caller - __ehdr_start);
    char name[128];
    uintptr_t off;
    if (self_symbol_lookup((uintptr_t)caller - 1, name, sizeof(name), &off) == 0)
        log_error("internal error: stack smashing detected in asis code in %s+0x%lx "
                  "(asis-rt+0x%lx); this is an asis bug",
                  name, (unsigned long)off + 1, rt_off);
    else
        log_error("internal error: stack smashing detected in asis code at asis-rt+0x%lx; "
                  "this is an asis bug (addr2line -e asis-rt names this place)",
                  rt_off);
    if (t->trap_uc)
        log_error("  while serving syscall %ld from app rip %p", t->trap_nr,
                  (void *)t->trap_uc->uc_mcontext.rip);
    die_of_sigabrt();
}
