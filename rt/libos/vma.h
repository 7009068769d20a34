/* asis's map of the address space: every mapping the app made (for mincore, brk and,
 * later, /proc/self/maps) and every range asis owns (which the app may not map over,
 * unmap or reprotect). A sorted array: lookups are binary searches. */
#ifndef ASIS_LIBOS_VMA_H
#define ASIS_LIBOS_VMA_H
#include <stddef.h>
#include <stdint.h>

enum vma_owner { VMA_APP = 1, VMA_ASIS = 2 };

struct vma {
    uintptr_t start, end; /* [start, end), page aligned */
    int prot;
    int flags;            /* MAP_* of the mapping */
    enum vma_owner owner;
};

/* Records [start, start+len) as owned by asis / by the app, replacing what was there. */
void vma_note_asis(uintptr_t start, size_t len);
void vma_note_app(uintptr_t start, size_t len, int prot, int flags);
void vma_forget_asis(uintptr_t start, size_t len);
/* Removes app mappings in the range (munmap). */
void vma_forget_app(uintptr_t start, size_t len);
/* Changes the recorded protection of app mappings in the range (mprotect). */
void vma_protect_app(uintptr_t start, size_t len, int prot);
/* Does [start, start+len) touch memory asis owns? */
int vma_overlaps_asis(uintptr_t start, size_t len);
/* The lowest asis-owned address in [start, start+len), or 0 if none. */
uintptr_t vma_first_asis(uintptr_t start, size_t len);
/* Protection of the app mapping containing addr (PROT_READ|PROT_WRITE if unknown). */
int vma_app_prot_at(uintptr_t addr);
/* Taken across fork (libos/fork.c). */
void vma_lock(void);
void vma_unlock(void);
/* Number of recorded ranges (for tests and diagnostics). */
size_t vma_count(void);

#endif
