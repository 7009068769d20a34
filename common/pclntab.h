/* Go's pclntab (runtime.pcHeader and the function table after it), read from a Go
 * binary in memory: how many functions, and each one's [entry, end) and name. Go 1.18
 * and newer only (magic 0xfffffff0 for 1.18-1.19, 0xfffffff1 for 1.20+). Found through
 * the .gopclntab section, or, with no section headers, by searching the non-writable
 * PT_LOADs for the header. docs/patching-design.md 1.1-1.2 has the measured facts.
 * The whole function table is validated when it is found, so reading a function never
 * fails afterwards; nothing is allocated. */
#ifndef ASIS_PCLNTAB_H
#define ASIS_PCLNTAB_H

#include <stdint.h>

#include "elf_image.h"

#define PCLNTAB_MAGIC_GO118 0xfffffff0u
#define PCLNTAB_MAGIC_GO120 0xfffffff1u

enum pclntab_status {
    PCLNTAB_OK = 0,
    PCLNTAB_NOT_GO,    /* no .gopclntab and no header anywhere: not a Go binary */
    PCLNTAB_TOO_OLD,   /* a pclntab of Go 1.2-1.17 */
    PCLNTAB_MALFORMED, /* a pclntab that does not hold together; see the reason */
};

struct pclntab {
    const uint8_t *base;   /* the header, inside the image */
    uint64_t size;         /* bytes from base that belong to the table */
    uint32_t magic;
    uint64_t nfunc;
    uint64_t text_start;   /* ELF .text (Go 1.26 no longer stores it in the header) */
    uint64_t funcnames;    /* offsets from base */
    uint64_t functab;
};

struct pclntab_func {
    uint64_t entry, end;   /* [entry, end): the next function's entry, or the end of text */
    const char *name;      /* NUL-ended, inside the image */
};

/* Finds and validates the pclntab of img. On anything but PCLNTAB_OK, *reason (if not
 * NULL) gets a short static phrase. */
enum pclntab_status pclntab_find(const struct elf_image *img, struct pclntab *t,
                                 const char **reason);

/* Function i (0 <= i < nfunc) of a table pclntab_find accepted; -1 if i is out of range. */
int pclntab_func(const struct pclntab *t, uint64_t i, struct pclntab_func *f);

/* "1.18-1.19" or "1.20+", for people. */
const char *pclntab_format_name(const struct pclntab *t);

#endif
