/* Decoding one function: its syscalls with their windows, and the addresses it may
 * branch to. Decoding is linear from the entry, which suits compiled functions (code,
 * then padding); anything that makes the function's control flow unknowable (bytes
 * that do not decode, an indirect jmp that may land anywhere in it) leaves its sites
 * trapped. */
#include "site_scan.h"

#define PRIOR_MAX 8 /* instructions kept before the current one: a window has at most 7 */

static void note_targets(const ZydisDecodedInstruction *in, uint64_t next,
                         struct branch_targets *targets)
{
    if (in->raw.imm[0].is_relative)
        branch_targets_add(targets, next + (uint64_t)in->raw.imm[0].value.s);
    else if (in->attributes & ZYDIS_ATTRIB_IS_RELATIVE)
        branch_targets_add(targets, next + (uint64_t)in->raw.disp.value);
    if (in->mnemonic == ZYDIS_MNEMONIC_CALL)
        branch_targets_add(targets, next); /* the return address */
}

int scan_function(const ZydisDecoder *dec, const struct elf_image *img,
                  struct function_scan *f, int max_prefix, uint8_t kind,
                  struct branch_targets *targets, struct site_list *sites)
{
    uint32_t seg_flags = 0;
    uint64_t size = f->end - f->entry;
    const uint8_t *code = f->end > f->entry ? elf_image_at(img, f->entry, size, &seg_flags) : NULL;
    if (!code || !(seg_flags & ELF_PF_X))
        return -1;
    branch_targets_add(targets, f->entry);
    struct prior_insn ring[PRIOR_MAX];
    int ring_len = 0; /* ring[(head - 1 - k) % PRIOR_MAX] is the k-th before */
    unsigned head = 0;
    size_t first_site = sites->n;
    uint64_t off = 0;
    while (off < size) {
        ZydisDecodedInstruction in;
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dec, NULL, code + off, size - off, &in))) {
            f->unsafe = 1;
            ring_len = 0;
            off++;
            continue;
        }
        uint64_t ip = f->entry + off;
        note_targets(&in, ip + in.length, targets);
        if (in.mnemonic == ZYDIS_MNEMONIC_JMP && !in.raw.imm[0].is_relative)
            f->unsafe = 1;
        if (in.mnemonic == ZYDIS_MNEMONIC_SYSCALL) {
            struct prior_insn prior[PRIOR_MAX];
            for (int k = 0; k < ring_len; k++)
                prior[k] = ring[(head + 2 * PRIOR_MAX - 1 - k) % PRIOR_MAX];
            struct found_site fs = {.name = f->name};
            site_window_choose(dec, prior, ring_len, max_prefix, ip, code + off, kind, &fs.site);
            fs.site.func_off = (uint32_t)off;
            site_list_add(sites, &fs);
        }
        ring[head % PRIOR_MAX] = (struct prior_insn){ip, code + off, in.length};
        head++;
        if (ring_len < PRIOR_MAX)
            ring_len++;
        off += in.length;
    }
    if (f->unsafe)
        for (size_t i = first_site; i < sites->n; i++)
            if (sites->v[i].site.kind != PATCH_SITE_TRAPPED)
                site_make_trapped(&sites->v[i].site, PATCH_REASON_UNSAFE_FUNCTION);
    return 0;
}
