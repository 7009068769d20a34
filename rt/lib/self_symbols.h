/* Names places in asis-rt for reports of asis bugs. The runtime's .symtab is not loaded
 * into memory, so it is read from the runtime's own file, /proc/self/exe (the front end
 * execs asis-rt, and so does an app's execve). For fatal paths only: slow, and one
 * caller at a time. */
#ifndef ASIS_LIB_SELF_SYMBOLS_H
#define ASIS_LIB_SELF_SYMBOLS_H
#include <stddef.h>
#include <stdint.h>

/* The function of asis-rt containing addr: its name in name (size bytes, NUL included)
 * and addr's offset from its start in *offset. For a return address pass ret - 1 and add
 * 1 to the offset: a call to a noreturn function can be a function's last instruction.
 * Returns 0, or -1 if it cannot tell (no /proc, not the file that was loaded, no
 * .symtab, a damaged file, another thread inside): the caller then prints only the
 * offset in asis-rt. Every read is bounded; it never faults or blocks. */
int self_symbol_lookup(uintptr_t addr, char *name, size_t size, uintptr_t *offset);

#endif
