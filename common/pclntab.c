/* Go's pclntab: finding the header and validating the function table once, so that
 * reading any function afterwards is a few loads with no checks left to fail. */
#include <string.h>

#include "unaligned.h"
#include "pclntab.h"

#define HEADER_SIZE 72        /* u32 magic, 4 x u8, 8 x uintptr */
#define OLD_MAGIC_GO12 0xfffffffbu
#define OLD_MAGIC_GO116 0xfffffffau
#define FUNCTAB_PAIR 8        /* {u32 entryoff, u32 funcoff} */
#define FUNC_HEAD 8           /* _func starts {u32 entryOff, i32 nameOff} */
/* Where the header does not say, the text starts at the entry point minus its offset. */
#define ENTRY_FUNC_NAME "_rt0_amd64_linux"

static enum pclntab_status fail(const char **reason, enum pclntab_status s, const char *why)
{
    if (reason)
        *reason = why;
    return s;
}

static const uint8_t *pair(const struct pclntab *t, uint64_t i)
{
    return t->base + t->functab + i * FUNCTAB_PAIR;
}

/* Checks the header and every function-table entry of the table at base (size bytes
 * available). Fills t except text_start. */
static enum pclntab_status validate(const uint8_t *base, uint64_t size, struct pclntab *t,
                                    const char **reason)
{
    if (size < HEADER_SIZE)
        return fail(reason, PCLNTAB_MALFORMED, "pclntab shorter than its header");
    uint32_t magic = get32(base);
    if (magic == OLD_MAGIC_GO12 || magic == OLD_MAGIC_GO116)
        return fail(reason, PCLNTAB_TOO_OLD, "Go older than 1.18");
    if (magic != PCLNTAB_MAGIC_GO118 && magic != PCLNTAB_MAGIC_GO120)
        return fail(reason, PCLNTAB_MALFORMED, "unknown pclntab magic");
    if (base[4] != 0 || base[5] != 0 || base[6] != 1 || base[7] != 8)
        return fail(reason, PCLNTAB_MALFORMED, "pclntab header is not for x86-64");
    uint64_t nfunc = get64(base + 8);
    uint64_t funcnames = get64(base + 32), cu = get64(base + 40), functab = get64(base + 64);
    if (nfunc == 0 || nfunc >= size / FUNCTAB_PAIR)
        return fail(reason, PCLNTAB_MALFORMED, "bad function count");
    /* The name table runs up to the cu table and ends with a NUL, so every name that
     * starts inside it ends inside it. */
    if (funcnames < HEADER_SIZE || cu <= funcnames || cu > size || base[cu - 1] != 0)
        return fail(reason, PCLNTAB_MALFORMED, "function name table out of bounds");
    if (functab < HEADER_SIZE || functab > size ||
        (nfunc + 1) * FUNCTAB_PAIR > size - functab)
        return fail(reason, PCLNTAB_MALFORMED, "function table out of bounds");
    t->base = base;
    t->size = size;
    t->magic = magic;
    t->nfunc = nfunc;
    t->funcnames = funcnames;
    t->functab = functab;
    t->text_start = get64(base + 24);

    uint64_t func_area = size - functab; /* _func records lie after the function table */
    for (uint64_t i = 0; i < nfunc; i++) {
        const uint8_t *p = pair(t, i);
        uint32_t entryoff = get32(p), funcoff = get32(p + 4);
        if (get32(p + FUNCTAB_PAIR) <= entryoff)
            return fail(reason, PCLNTAB_MALFORMED, "function table not increasing");
        if (funcoff > func_area - FUNC_HEAD)
            return fail(reason, PCLNTAB_MALFORMED, "function record out of bounds");
        const uint8_t *f = base + functab + funcoff;
        int32_t name_off;
        memcpy(&name_off, f + 4, sizeof name_off);
        if (get32(f) != entryoff)
            return fail(reason, PCLNTAB_MALFORMED, "function record disagrees with the table");
        if (name_off < 0 || (uint64_t)name_off >= cu - funcnames - 1 ||
            base[funcnames + (uint64_t)name_off] == 0)
            return fail(reason, PCLNTAB_MALFORMED, "function name out of bounds");
    }
    return PCLNTAB_OK;
}

/* The address of the function called name, or 0. */
static uint64_t offset_of_func(const struct pclntab *t, const char *name)
{
    for (uint64_t i = 0; i < t->nfunc; i++) {
        const uint8_t *f = t->base + t->functab + get32(pair(t, i) + 4);
        int32_t name_off;
        memcpy(&name_off, f + 4, sizeof name_off);
        if (strcmp((const char *)t->base + t->funcnames + name_off, name) == 0)
            return get32(pair(t, i));
    }
    return UINT64_MAX;
}

/* Sets t->text_start from the ELF .text section (as debug/gosym does: Go 1.26 stores 0
 * in the header), else from the header, else from the entry point. */
static enum pclntab_status find_text_start(const struct elf_image *img, struct pclntab *t,
                                           const char **reason)
{
    struct elf_section text;
    if (elf_image_find_section(img, ".text", &text) == 0) {
        if (t->text_start && t->text_start != text.addr)
            return fail(reason, PCLNTAB_MALFORMED, "pclntab textStart is not .text");
        t->text_start = text.addr;
    } else if (!t->text_start) {
        uint64_t off = offset_of_func(t, ENTRY_FUNC_NAME);
        if (off == UINT64_MAX || off > img->entry)
            return fail(reason, PCLNTAB_MALFORMED, "cannot tell where the text starts");
        t->text_start = img->entry - off;
    }
    if (t->text_start > UINT64_MAX - get32(pair(t, t->nfunc)))
        return fail(reason, PCLNTAB_MALFORMED, "text addresses overflow");
    return PCLNTAB_OK;
}

/* With no section headers: the first header in a non-writable PT_LOAD whose table
 * validates. Only magics of supported versions are searched for; an older Go binary
 * stripped of its section headers is "not Go" here. */
static enum pclntab_status search_segments(const struct elf_image *img, struct pclntab *t,
                                           const char **reason)
{
    static const uint8_t patterns[2][8] = {
        {0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8},
        {0xf0, 0xff, 0xff, 0xff, 0, 0, 1, 8},
    };
    struct elf_segment s;
    for (unsigned i = 0; elf_image_segment(img, i, &s) == 0; i++) {
        if (s.type != ELF_PT_LOAD || (s.flags & ELF_PF_W) || !s.filesz)
            continue;
        const uint8_t *seg = elf_image_at(img, s.vaddr, s.filesz, NULL);
        if (!seg)
            continue;
        for (int k = 0; k < 2; k++) {
            const uint8_t *p = seg, *end = seg + s.filesz;
            while ((p = memmem(p, (size_t)(end - p), patterns[k], sizeof patterns[k]))) {
                if (validate(p, (uint64_t)(end - p), t, NULL) == PCLNTAB_OK)
                    return PCLNTAB_OK;
                p++;
            }
        }
    }
    return fail(reason, PCLNTAB_NOT_GO, "no Go pclntab");
}

enum pclntab_status pclntab_find(const struct elf_image *img, struct pclntab *t,
                                 const char **reason)
{
    memset(t, 0, sizeof *t);
    struct elf_section sec;
    enum pclntab_status st;
    if (elf_image_find_section(img, ".gopclntab", &sec) == 0) {
        if (!sec.bytes)
            return fail(reason, PCLNTAB_MALFORMED, ".gopclntab outside the file");
        st = validate(sec.bytes, sec.size, t, reason);
    } else if (img->shnum) {
        return fail(reason, PCLNTAB_NOT_GO, "no .gopclntab section");
    } else {
        st = search_segments(img, t, reason);
    }
    if (st != PCLNTAB_OK) {
        memset(t, 0, sizeof *t);
        return st;
    }
    st = find_text_start(img, t, reason);
    if (st != PCLNTAB_OK)
        memset(t, 0, sizeof *t);
    return st;
}

int pclntab_func(const struct pclntab *t, uint64_t i, struct pclntab_func *f)
{
    if (i >= t->nfunc)
        return -1;
    const uint8_t *p = pair(t, i);
    const uint8_t *rec = t->base + t->functab + get32(p + 4);
    int32_t name_off;
    memcpy(&name_off, rec + 4, sizeof name_off);
    f->entry = t->text_start + get32(p);
    f->end = t->text_start + get32(p + FUNCTAB_PAIR);
    f->name = (const char *)t->base + t->funcnames + name_off;
    return 0;
}

const char *pclntab_format_name(const struct pclntab *t)
{
    return t->magic == PCLNTAB_MAGIC_GO118 ? "1.18-1.19" : "1.20+";
}
