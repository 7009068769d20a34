/* The syscall sites of other code (static glibc programs, static-pie too), for
 * --patch=all. Function bounds come from .symtab FUNC symbols with sizes; each function
 * is decoded from its entry, and a site's window grows backwards over movable,
 * idempotent instructions until it holds the 5-byte jmp (docs/patching-design.md 2.2).
 * A function is refused as a whole (its sites trapped) when its bytes do not decode,
 * it has an indirect jmp (a jump table may land in a window) or exception landing pads.
 * Without .symtab nothing can be proven: the executable sections are decoded linearly
 * only so that `asis inspect` can list the sites, all trapped (NO_BOUNDS); linear
 * decoding may misread data as code, which costs nothing when every site traps. */
#include <stdlib.h>
#include <string.h>

#include "site_scan.h"

#define SHF_EXECINSTR 4
#define SYM_SIZE 24
#define STT_FUNC 2
#define STT_GNU_IFUNC 10
#define STB_LOCAL 0
#define STB_GLOBAL 1
#define STB_WEAK 2
/* Bytes before a syscall a window may span: 16 with the syscall. */
#define GENERIC_MAX_PREFIX 7

struct func {
    uint64_t lo, hi;
    const char *name;
    int rank; /* for aliases at one address: global, then weak, then local names */
};

static int compare_funcs(const void *a, const void *b)
{
    const struct func *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->rank - y->rank;
}

static int binding_rank(uint8_t bind)
{
    return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/* The FUNC symbols of .symtab, sorted, one per address. -1: no .symtab; *n = 0 and
 * 0 returned when it has no usable function. */
static int read_functions(const struct elf_image *img, struct func **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct elf_section sym, str;
    if (elf_image_find_section_type(img, ELF_SHT_SYMTAB, &sym) != 0)
        return -1;
    if (!sym.bytes || elf_image_section(img, sym.link, &str) != 0 || !str.bytes)
        return 0;
    size_t count = (size_t)(sym.size / SYM_SIZE);
    struct func *v = calloc(count ? count : 1, sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *s = sym.bytes + i * SYM_SIZE;
        uint32_t name_off;
        uint16_t shndx;
        uint64_t value, size;
        memcpy(&name_off, s, 4);
        memcpy(&shndx, s + 6, 2);
        memcpy(&value, s + 8, 8);
        memcpy(&size, s + 16, 8);
        uint8_t type = s[4] & 0xf;
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !shndx || !size ||
            value > UINT64_MAX - size)
            continue;
        const char *name = NULL;
        if (name_off < str.size && memchr(str.bytes + name_off, 0, str.size - name_off))
            name = (const char *)str.bytes + name_off;
        v[k++] = (struct func){value, value + size, name, binding_rank(s[4] >> 4)};
    }
    qsort(v, k, sizeof *v, compare_funcs);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && v[m - 1].lo == v[i].lo) {
            if (v[i].hi > v[m - 1].hi)
                v[m - 1].hi = v[i].hi;
            continue;
        }
        v[m++] = v[i];
    }
    *out = v;
    *n = m;
    return 0;
}

static int overlaps(const struct addr_range *r, size_t n, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < n && r[i].lo < hi; i++)
        if (r[i].hi > lo)
            return 1;
    return 0;
}

/* Decodes [lo, hi) for its branch targets only: code outside every symbol (stubs,
 * padding) may still jump into a function. */
static void scan_gap(const ZydisDecoder *dec, const struct elf_image *img, uint64_t lo,
                     uint64_t hi, struct branch_targets *targets)
{
    if (hi <= lo)
        return;
    struct site_list ignored = {0};
    struct function_scan f = {.entry = lo, .end = hi};
    scan_function(dec, img, &f, 0, PATCH_SITE_TRAPPED, targets, &ignored);
    site_list_free(&ignored);
}

static void with_symbols(const ZydisDecoder *dec, const struct elf_image *img,
                         const struct func *funcs, size_t nfuncs, struct site_list *out,
                         struct branch_targets *targets)
{
    struct addr_range *pads;
    size_t npads;
    int pads_unknown = landing_pad_functions(img, &pads, &npads) != 0;
    for (size_t i = 0; i < nfuncs; i++) {
        struct function_scan f = {.entry = funcs[i].lo, .end = funcs[i].hi, .name = funcs[i].name};
        size_t first = out->n;
        if (scan_function(dec, img, &f, GENERIC_MAX_PREFIX, PATCH_SITE_GENERIC, targets, out) != 0)
            continue;
        if (pads_unknown || overlaps(pads, npads, f.entry, f.end))
            for (size_t k = first; k < out->n; k++)
                if (out->v[k].site.kind != PATCH_SITE_TRAPPED)
                    site_make_trapped(&out->v[k].site, PATCH_REASON_UNSAFE_FUNCTION);
    }
    free(pads);
    /* The gaps between functions inside the executable sections. */
    struct elf_section sec;
    for (unsigned s = 0; elf_image_section(img, s, &sec) == 0; s++) {
        if (!(sec.flags & SHF_EXECINSTR) || !sec.bytes || sec.addr > UINT64_MAX - sec.size)
            continue;
        uint64_t at = sec.addr, end = sec.addr + sec.size;
        for (size_t i = 0; i < nfuncs && at < end; i++) {
            if (funcs[i].hi <= at)
                continue;
            if (funcs[i].lo >= end)
                break;
            scan_gap(dec, img, at, funcs[i].lo, targets);
            at = funcs[i].hi;
        }
        scan_gap(dec, img, at, end, targets);
    }
}

/* No symbols: every executable section, or every executable PT_LOAD if there are no
 * section headers, as one unnamed stretch of code. */
static void without_symbols(const ZydisDecoder *dec, const struct elf_image *img,
                            struct site_list *out, struct branch_targets *targets)
{
    struct elf_section sec;
    struct elf_segment seg;
    int any = 0;
    for (unsigned s = 0; elf_image_section(img, s, &sec) == 0; s++) {
        if ((sec.flags & SHF_EXECINSTR) && sec.bytes && sec.addr <= UINT64_MAX - sec.size) {
            struct function_scan f = {.entry = sec.addr, .end = sec.addr + sec.size};
            scan_function(dec, img, &f, 0, PATCH_SITE_TRAPPED, targets, out);
            any = 1;
        }
    }
    for (unsigned s = 0; !any && elf_image_segment(img, s, &seg) == 0; s++) {
        if (seg.type == ELF_PT_LOAD && (seg.flags & ELF_PF_X) &&
            seg.vaddr <= UINT64_MAX - seg.filesz) {
            struct function_scan f = {.entry = seg.vaddr, .end = seg.vaddr + seg.filesz};
            scan_function(dec, img, &f, 0, PATCH_SITE_TRAPPED, targets, out);
        }
    }
    for (size_t i = 0; i < out->n; i++)
        out->v[i].site.reason = PATCH_REASON_NO_BOUNDS;
}

int generic_sites_find(const struct elf_image *img, struct site_list *out)
{
    ZydisDecoder dec;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
        return -1;
    struct branch_targets targets = {0};
    struct func *funcs;
    size_t nfuncs;
    if (read_functions(img, &funcs, &nfuncs) != 0) {
        without_symbols(&dec, img, out, &targets);
    } else {
        with_symbols(&dec, img, funcs, nfuncs, out, &targets);
        free(funcs);
        sites_check_targets(out, &targets);
    }
    int failed = targets.failed || out->failed;
    branch_targets_free(&targets);
    return failed ? -1 : 0;
}
