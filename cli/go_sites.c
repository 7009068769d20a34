/* The syscall sites of a Go binary: every function the pclntab lists is decoded (Go
 * functions decode linearly: code, then int3 padding), and each SYSCALL gets a window
 * of exactly the one instruction before it: in Go's runtime and syscall packages that is
 * `mov $nr,%eax`, `mov $nr,%rax`, `mov %rbx,%rdi` (Syscall6) or `mov 0x8(%rsp),%rax`
 * (rawSyscallNoError), all idempotent; rawVforkSyscall's `pop %r12` is not and stays
 * trapped (docs/patching-design.md 1.4, 2.1). The decision is made from the bytes, not
 * the names, so an unknown runtime function with a known prefix is patched too. */
#include "site_scan.h"

#define GO_MAX_PREFIX 1

int go_sites_find(const struct elf_image *img, const struct pclntab *t, struct site_list *out)
{
    ZydisDecoder dec;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
        return -1;
    struct branch_targets targets = {0};
    for (uint64_t i = 0; i < t->nfunc; i++) {
        struct pclntab_func pf;
        pclntab_func(t, i, &pf);
        struct function_scan f = {.entry = pf.entry, .end = pf.end, .name = pf.name};
        /* A function whose bytes are not in the file has no sites to find. */
        scan_function(&dec, img, &f, GO_MAX_PREFIX, PATCH_SITE_GO, &targets, out);
    }
    sites_check_targets(out, &targets);
    int failed = targets.failed || out->failed;
    branch_targets_free(&targets);
    return failed ? -1 : 0;
}
