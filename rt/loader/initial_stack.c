/* The app's main stack, laid out as the kernel's create_elf_tables() does: strings and
 * random bytes at the top, then auxv, envp, argv and argc, rsp 16-byte aligned at argc. */
#include "loader/loader.h"
#include <elf.h>
#include "lib/string.h"
#include "libos/vma.h"
#include "pal/host.h"

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#define AT_RSEQ_ALIGN 28
#endif

#define STACK_BYTES (8UL << 20) /* the usual RLIMIT_STACK */
#define GUARD_BYTES 4096UL

static struct app_layout g_layout;

const struct app_layout *app_layout(void)
{
    return &g_layout;
}

uint64_t host_aux(const uint64_t *auxv, uint64_t type, uint64_t fallback)
{
    for (; auxv[0] != AT_NULL; auxv += 2)
        if (auxv[0] == type)
            return auxv[1];
    return fallback;
}

static char *push_bytes(uintptr_t *sp, const void *data, size_t n)
{
    *sp -= n;
    memcpy((void *)*sp, data, n);
    return (char *)*sp;
}

uintptr_t initial_stack_build(const struct loaded_image *img, const struct stack_request *req)
{
    int prot = PROT_READ | PROT_WRITE | (img->exec_stack ? PROT_EXEC : 0);
    long base = host_syscall6(__NR_mmap, 0, STACK_BYTES + GUARD_BYTES, prot,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (host_is_error(base))
        return 0;
    host_mprotect((void *)base, GUARD_BYTES, PROT_NONE);
    vma_note_app(base, GUARD_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
    vma_note_app(base + GUARD_BYTES, STACK_BYTES, prot,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK);

    uintptr_t sp = base + GUARD_BYTES + STACK_BYTES - 16;
    const char *execfn = push_bytes(&sp, req->execfn, strlen(req->execfn) + 1);
    int envc = 0;
    while (req->envp[envc])
        envc++;
    char *env_copies[envc + 1];
    char *arg_copies[req->argc + 1];
    for (int i = envc - 1; i >= 0; i--)
        env_copies[i] = push_bytes(&sp, req->envp[i], strlen(req->envp[i]) + 1);
    uintptr_t env_start = sp;
    for (int i = req->argc - 1; i >= 0; i--)
        arg_copies[i] = push_bytes(&sp, req->argv[i], strlen(req->argv[i]) + 1);
    g_layout.arg_start = sp;
    g_layout.arg_end = g_layout.env_start = env_start;
    g_layout.env_end = (uintptr_t)execfn;
    const char *platform = push_bytes(&sp, "x86_64", 7);
    uint8_t random[16];
    if (host_syscall3(__NR_getrandom, random, sizeof(random), 0) != sizeof(random))
        memcpy(random, (const void *)host_aux(req->host_auxv, AT_RANDOM, 0), sizeof(random));
    const char *random_at = push_bytes(&sp, random, sizeof(random));
    sp &= ~15UL;

    const uint64_t *h = req->host_auxv;
    /* Linux's order: the vDSO first (ARCH_DLINFO), when there is one. */
    uint64_t auxv_all[][2] = {
        { AT_SYSINFO_EHDR, req->vdso },
        { AT_HWCAP, host_aux(h, AT_HWCAP, 0) },
        { AT_PAGESZ, 4096 },
        { AT_CLKTCK, host_aux(h, AT_CLKTCK, 100) },
        { AT_PHDR, img->phdr_addr },
        { AT_PHENT, sizeof(Elf64_Phdr) },
        { AT_PHNUM, img->phnum },
        { AT_BASE, 0 },
        { AT_FLAGS, 0 },
        { AT_ENTRY, img->entry },
        { AT_UID, host_aux(h, AT_UID, 0) },
        { AT_EUID, host_aux(h, AT_EUID, 0) },
        { AT_GID, host_aux(h, AT_GID, 0) },
        { AT_EGID, host_aux(h, AT_EGID, 0) },
        { AT_SECURE, host_aux(h, AT_SECURE, 0) },
        { AT_RANDOM, (uintptr_t)random_at },
        { AT_HWCAP2, host_aux(h, AT_HWCAP2, 0) },
        { AT_EXECFN, (uintptr_t)execfn },
        { AT_PLATFORM, (uintptr_t)platform },
        { AT_MINSIGSTKSZ, host_aux(h, AT_MINSIGSTKSZ, 2048) },
        { AT_RSEQ_FEATURE_SIZE, host_aux(h, AT_RSEQ_FEATURE_SIZE, 0) },
        { AT_RSEQ_ALIGN, host_aux(h, AT_RSEQ_ALIGN, 0) },
        { AT_NULL, 0 },
    };
    uint64_t (*auxv)[2] = req->vdso ? auxv_all : auxv_all + 1;
    size_t auxv_bytes = sizeof(auxv_all) - (req->vdso ? 0 : sizeof(auxv_all[0]));
    size_t nwords = 1 + (req->argc + 1) + (envc + 1) + auxv_bytes / 8;
    sp -= nwords * 8;
    sp &= ~15UL;

    uint64_t *w = (uint64_t *)sp;
    *w++ = req->argc;
    for (int i = 0; i < req->argc; i++)
        *w++ = (uintptr_t)arg_copies[i];
    *w++ = 0;
    for (int i = 0; i < envc; i++)
        *w++ = (uintptr_t)env_copies[i];
    *w++ = 0;
    memcpy(w, auxv, auxv_bytes);

    _Static_assert(sizeof(auxv_all) / 8 <= APP_AUXV_MAX_WORDS, "app_layout.auxv is too small");
    memcpy(g_layout.auxv, auxv, auxv_bytes);
    g_layout.auxv_words = auxv_bytes / 8;
    g_layout.stack_start = base + GUARD_BYTES;
    g_layout.stack_end = base + GUARD_BYTES + STACK_BYTES;
    g_layout.brk_start = (img->end + 4095) & ~4095UL;
    g_layout.brk_reserved_end = img->brk_reserved_end;
    return sp;
}
