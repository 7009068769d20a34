/* Memory-family state set up by the loader. */
#ifndef ASIS_LIBOS_MM_H
#define ASIS_LIBOS_MM_H
#include <stdint.h>

/* The app's program break starts at the page after its highest segment. */
void mm_brk_init(uintptr_t start);

#endif
