/* Memory-family state set up by the loader. */
#ifndef ASIS_LIBOS_MM_H
#define ASIS_LIBOS_MM_H
#include <stdint.h>

/* The app's program break starts at the page after its highest segment; the loader may
 * have reserved [start, reserved_end) for it (PROT_NONE) so that it can grow. */
void mm_brk_init(uintptr_t start, uintptr_t reserved_end);

/* Taken across fork (libos/fork.c). */
void mm_brk_lock(void);
void mm_brk_unlock(void);

#endif
