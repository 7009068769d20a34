/* The first C code of the runtime. It runs before the runtime is relocated and before
 * %gs holds a thread block, so it has no stack protector and touches no pointer stored
 * in data until relocate_self() is done. */
#include <elf.h>
#include "entry/boot.h"
#include "libos/thread.h"
#include "pal/host.h"
#include "tcb.h"

/* Provided by the linker. Hidden, so they are reached PC-relative, never through a GOT
 * entry that is not relocated yet. */
extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));
extern Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));

/* A static-pie has only R_X86_64_RELATIVE relocations (nothing is imported). */
__attribute__((no_stack_protector)) static void relocate_self(void)
{
    uintptr_t base = (uintptr_t)&__ehdr_start;
    const Elf64_Rela *rela = 0;
    uint64_t relasz = 0;
    for (Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_RELA)
            rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
        else if (d->d_tag == DT_RELASZ)
            relasz = d->d_un.d_val;
        else if (d->d_tag == DT_REL || d->d_tag == 36 /* DT_RELR */)
            host_exit_group(120); /* a relocation format this loop does not apply */
    }
    for (uint64_t i = 0; rela && i < relasz / sizeof(*rela); i++) {
        if (ELF64_R_TYPE(rela[i].r_info) == R_X86_64_RELATIVE)
            *(uint64_t *)(base + rela[i].r_offset) = base + rela[i].r_addend;
        else if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_NONE)
            host_exit_group(120); /* the runtime imports nothing: a build error */
    }
}

__attribute__((no_stack_protector, noreturn)) void rt_start(uint64_t *initial_sp)
{
    relocate_self();

    /* The canary comes from the kernel's AT_RANDOM bytes of this process. */
    uint64_t *p = initial_sp + 1 + initial_sp[0] + 1; /* skip argc, argv, NULL */
    while (*p)
        p++;
    uint64_t canary = 0x2f8a3c9e5d7b1f06ULL;
    for (uint64_t *aux = p + 1; aux[0] != AT_NULL; aux += 2)
        if (aux[0] == AT_RANDOM)
            canary = *(const uint64_t *)aux[1];
    canary &= ~0xffULL; /* a zero low byte stops string overflows from copying it */

    struct tcb *t = thread_area_alloc(canary);
    if (!t)
        host_exit_group(120);
    host_syscall2(__NR_arch_prctl, ARCH_SET_GS, t);
    rt_main(initial_sp);
}
