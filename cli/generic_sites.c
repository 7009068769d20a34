/* The syscall sites of other code (static glibc programs, static-pie too), for
 * --patch=all. Function bounds come from .symtab FUNC symbols with sizes, else, in a
 * stripped program, from the FDEs of .eh_frame (pc_begin, pc_range), which `strip`
 * keeps; each function is decoded from its entry, and a site's window grows backwards
 * over movable, idempotent instructions until it holds the 5-byte jmp
 * (docs/patching-design.md 2.2). A function is refused as a whole (its sites trapped)
 * when its bytes do not decode, it has an indirect jmp (a jump table may land in a
 * window) or exception landing pads. Code outside every function (hand-written asm
 * without symbol sizes or CFI, an FDE that does not start at an instruction) is decoded
 * for its branch targets, and its sites are listed trapped (NO_BOUNDS), as are all sites
 * of a program with neither .symtab nor .eh_frame; linear decoding there may misread
 * data as code, which costs nothing when every site traps. */
#include <stdio.h>
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

/* Sorts v[0..k) and keeps one function per address (the best-ranked name, the largest
 * extent); returns how many are left. */
static size_t one_per_address(struct func *v, size_t k)
{
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
    return m;
}

/* Whether [lo, hi) is loaded, file-backed and executable: a function that is not is
 * no function (and bounds no gap). */
static int is_code(const struct elf_image *img, uint64_t lo, uint64_t hi)
{
    uint32_t seg_flags = 0;
    return hi > lo && elf_image_at(img, lo, hi - lo, &seg_flags) && (seg_flags & ELF_PF_X);
}

/* The FUNC symbols of .symtab with sizes, sorted, one per address. -1: no .symtab (or
 * out of memory); 0 and *n = 0 when it has no usable function. */
static int symbol_functions(const struct elf_image *img, struct func **out, size_t *n)
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
            value > UINT64_MAX - size || !is_code(img, value, value + size))
            continue;
        const char *name = NULL;
        if (name_off < str.size && memchr(str.bytes + name_off, 0, str.size - name_off))
            name = (const char *)str.bytes + name_off;
        v[k++] = (struct func){value, value + size, name, binding_rank(s[4] >> 4)};
    }
    *out = v;
    *n = one_per_address(v, k);
    return 0;
}

#define FDE_NAME_SIZE 24 /* "fde@0x" and 16 hex digits */

/* The FDEs as functions, named fde@0xADDR (names in out->names), sorted, one per
 * address. An FDE that does not start where the linear sweep of its section has an
 * instruction is left out: decoding from there would begin with garbage. 0, or -1 out
 * of memory. */
static int fde_functions(const ZydisDecoder *dec, const struct elf_image *img,
                         const struct fde_range *fdes, size_t nfdes, struct func **out,
                         size_t *n, struct site_list *list)
{
    *out = NULL;
    *n = 0;
    struct insn_starts starts;
    if (insn_starts_sweep(dec, img, &starts) != 0)
        return 0; /* nothing to check FDEs against: none is trusted */
    struct func *v = calloc(nfdes ? nfdes : 1, sizeof *v);
    char *names = malloc(nfdes ? nfdes * FDE_NAME_SIZE : 1);
    if (!v || !names) {
        free(v);
        free(names);
        insn_starts_free(&starts);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < nfdes; i++) {
        if (!is_code(img, fdes[i].lo, fdes[i].hi) || !insn_starts_has(&starts, fdes[i].lo))
            continue;
        char *name = names + i * FDE_NAME_SIZE;
        snprintf(name, FDE_NAME_SIZE, "fde@0x%llx", (unsigned long long)fdes[i].lo);
        v[k++] = (struct func){fdes[i].lo, fdes[i].hi, name, 0};
    }
    insn_starts_free(&starts);
    free(list->names);
    list->names = names;
    *out = v;
    *n = one_per_address(v, k);
    return 0;
}

/* The functions with exception landing pads (their FDEs name an LSDA), sorted by lo,
 * each with the largest hi of it and those before it: [lo, hi) overlaps one of them iff
 * the last one with pad lo < hi has max_hi > lo, which one binary search finds. */
struct pad_index {
    struct pad {
        uint64_t lo, max_hi;
    } *v;
    size_t n;
    int unknown; /* the program has landing pads but .eh_frame cannot say where */
};

static int pad_index_build(const struct fde_range *fdes, size_t nfdes, struct pad_index *p)
{
    p->n = 0;
    p->v = malloc((nfdes ? nfdes : 1) * sizeof *p->v);
    if (!p->v)
        return -1;
    uint64_t max_hi = 0;
    for (size_t i = 0; i < nfdes; i++) {
        if (!fdes[i].has_lsda)
            continue;
        if (fdes[i].hi > max_hi)
            max_hi = fdes[i].hi;
        p->v[p->n++] = (struct pad){fdes[i].lo, max_hi};
    }
    return 0;
}

static int has_landing_pads(const struct pad_index *p, uint64_t lo, uint64_t hi)
{
    if (p->unknown)
        return 1;
    size_t l = 0, r = p->n;
    while (l < r) { /* the first pad with lo >= hi */
        size_t m = l + (r - l) / 2;
        if (p->v[m].lo < hi)
            l = m + 1;
        else
            r = m;
    }
    return l > 0 && p->v[l - 1].max_hi > lo;
}

/* Decodes [lo, hi), code outside every function: its branch targets count (stubs and
 * hand-written asm may jump into a function), its sites are listed, trapped. */
static void scan_gap(const ZydisDecoder *dec, const struct elf_image *img, uint64_t lo,
                     uint64_t hi, struct branch_targets *targets, struct site_list *out)
{
    if (hi <= lo)
        return;
    struct function_scan f = {.entry = lo, .end = hi};
    size_t first = out->n;
    scan_function(dec, img, &f, 0, PATCH_SITE_TRAPPED, targets, out);
    for (size_t i = first; i < out->n; i++)
        out->v[i].site.reason = PATCH_REASON_NO_BOUNDS;
}

static void with_bounds(const ZydisDecoder *dec, const struct elf_image *img,
                        const struct func *funcs, size_t nfuncs, const struct pad_index *pads,
                        struct site_list *out, struct branch_targets *targets)
{
    for (size_t i = 0; i < nfuncs; i++) {
        struct function_scan f = {.entry = funcs[i].lo, .end = funcs[i].hi, .name = funcs[i].name};
        f.unsafe = has_landing_pads(pads, f.entry, f.end);
        scan_function(dec, img, &f, GENERIC_MAX_PREFIX, PATCH_SITE_GENERIC, targets, out);
    }
    /* The gaps between functions inside the executable sections (functions may overlap). */
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
            scan_gap(dec, img, at, funcs[i].lo, targets, out);
            at = funcs[i].hi;
        }
        scan_gap(dec, img, at, end, targets, out);
    }
}

/* No function bounds: every executable section, or every executable PT_LOAD if there
 * are no section headers, as one stretch of code outside every function. */
static void without_bounds(const ZydisDecoder *dec, const struct elf_image *img,
                           struct site_list *out, struct branch_targets *targets)
{
    struct elf_section sec;
    struct elf_segment seg;
    int any = 0;
    for (unsigned s = 0; elf_image_section(img, s, &sec) == 0; s++) {
        if ((sec.flags & SHF_EXECINSTR) && sec.bytes && sec.addr <= UINT64_MAX - sec.size) {
            scan_gap(dec, img, sec.addr, sec.addr + sec.size, targets, out);
            any = 1;
        }
    }
    for (unsigned s = 0; !any && elf_image_segment(img, s, &seg) == 0; s++) {
        if (seg.type == ELF_PT_LOAD && (seg.flags & ELF_PF_X) &&
            seg.vaddr <= UINT64_MAX - seg.filesz)
            scan_gap(dec, img, seg.vaddr, seg.vaddr + seg.filesz, targets, out);
    }
}

int generic_sites_find(const struct elf_image *img, struct site_list *out)
{
    ZydisDecoder dec;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
        return -1;
    struct fde_range *fdes;
    size_t nfdes;
    struct pad_index pads = {0};
    struct elf_section except;
    if (eh_frame_fdes(img, &fdes, &nfdes) != 0)
        pads.unknown = elf_image_find_section(img, ".gcc_except_table", &except) == 0;
    int failed = pad_index_build(fdes, nfdes, &pads) != 0;
    struct branch_targets targets = {0};
    /* Every FDE start is a place code begins, whether or not it bounds a function here. */
    for (size_t i = 0; i < nfdes; i++)
        branch_targets_add(&targets, fdes[i].lo);
    struct func *funcs = NULL;
    size_t nfuncs = 0;
    if (symbol_functions(img, &funcs, &nfuncs) != 0 || nfuncs == 0) {
        free(funcs);
        failed |= fde_functions(&dec, img, fdes, nfdes, &funcs, &nfuncs, out) != 0;
    }
    if (nfuncs && !failed) {
        with_bounds(&dec, img, funcs, nfuncs, &pads, out, &targets);
        sites_check_targets(out, &targets);
    } else {
        without_bounds(&dec, img, out, &targets);
    }
    free(funcs);
    free(fdes);
    free(pads.v);
    failed |= targets.failed || out->failed;
    branch_targets_free(&targets);
    return failed ? -1 : 0;
}
