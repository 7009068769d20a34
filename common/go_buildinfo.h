/* The Go version a binary was built with, from its build info blob (.go.buildinfo; Go's
 * debug/buildinfo): a 32-byte header whose first 14 bytes are "\xff Go buildinf:", then,
 * since Go 1.18, the version as a uvarint-length-prefixed string. Without section
 * headers the blob is searched for, 16-byte aligned, in the first 64 KiB of the writable
 * PT_LOAD. docs/patching-design.md 1.3. The version only labels output; nothing is
 * decided from it. */
#ifndef ASIS_GO_BUILDINFO_H
#define ASIS_GO_BUILDINFO_H

#include <stddef.h>

#include "elf_image.h"

/* Writes the version ("go1.26.11") to out as a NUL-ended string and returns 0; -1 if
 * there is no build info blob, it is of Go before 1.18, or the version is not a short
 * printable string. */
int go_buildinfo_version(const struct elf_image *img, char *out, size_t out_size);

#endif
