/* Where instructions start, by one linear sweep of each executable section from its
 * start, as objdump decodes it. An FDE of .eh_frame usually starts a function, but not
 * always at an instruction: glibc's signal trampolines (__restore_rt) have FDEs that
 * begin one byte early, inside the padding before them, so that an unwinder looking up
 * return address - 1 finds them. Decoded from there, the first instructions are
 * garbage. An FDE is trusted as a function's bounds only where the sweep, which reached
 * the same address from the section start, agrees that an instruction starts there;
 * from that point the two decodings are the same. */
#include <stdlib.h>

#include "site_scan.h"

#define SHF_EXECINSTR 4
/* Larger spans between the first and last executable section are not a compiled
 * program's: the map would be big for nothing. */
#define SPAN_MAX (256ull << 20)

static void sweep(const ZydisDecoder *dec, const uint8_t *code, uint64_t addr, uint64_t size,
                  struct insn_starts *s)
{
    uint64_t off = 0;
    while (off < size) {
        ZydisDecodedInstruction in;
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dec, NULL, code + off, size - off, &in))) {
            off++;
            continue;
        }
        uint64_t bit = addr + off - s->lo;
        s->bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
        off += in.length;
    }
}

int insn_starts_sweep(const ZydisDecoder *dec, const struct elf_image *img,
                      struct insn_starts *s)
{
    s->lo = UINT64_MAX;
    s->hi = 0;
    s->bits = NULL;
    struct elf_section sec;
    for (unsigned i = 0; elf_image_section(img, i, &sec) == 0; i++) {
        if (!(sec.flags & SHF_EXECINSTR) || !sec.bytes || !sec.size ||
            sec.addr > UINT64_MAX - sec.size)
            continue;
        if (sec.addr < s->lo)
            s->lo = sec.addr;
        if (sec.addr + sec.size > s->hi)
            s->hi = sec.addr + sec.size;
    }
    if (s->hi <= s->lo || s->hi - s->lo > SPAN_MAX)
        return -1;
    s->bits = calloc((size_t)((s->hi - s->lo + 7) / 8), 1);
    if (!s->bits)
        return -1;
    for (unsigned i = 0; elf_image_section(img, i, &sec) == 0; i++) {
        uint32_t seg_flags = 0;
        if (!(sec.flags & SHF_EXECINSTR) || !sec.bytes || !sec.size ||
            sec.addr > UINT64_MAX - sec.size)
            continue;
        /* The loaded bytes, as the functions are decoded (not the section's file bytes,
         * which could differ if the headers lie). */
        const uint8_t *code = elf_image_at(img, sec.addr, sec.size, &seg_flags);
        if (code && (seg_flags & ELF_PF_X))
            sweep(dec, code, sec.addr, sec.size, s);
    }
    return 0;
}

int insn_starts_has(const struct insn_starts *s, uint64_t addr)
{
    if (!s->bits || addr < s->lo || addr >= s->hi)
        return 0;
    uint64_t bit = addr - s->lo;
    return s->bits[bit / 8] >> (bit % 8) & 1;
}

void insn_starts_free(struct insn_starts *s)
{
    free(s->bits);
    s->bits = NULL;
}
