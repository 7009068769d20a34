/* Runtime start-up: rt_start (boot.c) prepares the process, rt_main (main.c) runs the
 * app. */
#ifndef ASIS_ENTRY_BOOT_H
#define ASIS_ENTRY_BOOT_H
#include <stdint.h>

__attribute__((noreturn)) void rt_start(uint64_t *initial_sp);
__attribute__((noreturn)) void rt_main(uint64_t *initial_sp);
__attribute__((noreturn)) void enter_app(uintptr_t entry, uintptr_t sp);

#endif
