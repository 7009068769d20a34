/* Called by code the compiler instrumented with -fstack-protector when the canary at
 * %gs:8 no longer matches: asis's own stack was overwritten. Report where and stop. */
#include "lib/log.h"

extern const char __ehdr_start[];

__attribute__((noreturn, no_stack_protector)) void __stack_chk_fail(void);
__attribute__((noreturn, no_stack_protector)) void __stack_chk_fail(void)
{
    const char *caller = __builtin_return_address(0);
    fatal("internal error: stack smashing detected in asis code (runtime offset 0x%lx)",
          (unsigned long)(caller - __ehdr_start));
}
