/* The FDEs of .eh_frame: the code ranges the unwinder knows, which `strip` keeps. They
 * give function bounds when .symtab is gone, and tell which functions have exception
 * landing pads: an FDE that names an LSDA (its .gcc_except_table entry) has some. A
 * landing pad is entered by the unwinder, not by any instruction, so no decoder sees it
 * as a branch target. glibc's static stdio has about 16 such functions (lock cleanups in
 * fclose, fputs...). */
#include <stdlib.h>
#include <string.h>

#include "patch.h"

/* DWARF pointer encodings (DW_EH_PE_*). */
#define PE_OMIT 0xff
#define PE_ABSPTR 0x00
#define PE_ULEB128 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB128 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_PCREL 0x10
#define PE_INDIRECT 0x80

/* A bounded reader over .eh_frame; any overrun sets bad. */
struct reader {
    const uint8_t *p;
    size_t pos, end;
    uint64_t addr; /* .eh_frame's address, for pc-relative pointers */
    int bad;
};

static uint64_t read_n(struct reader *r, int n)
{
    if (r->bad || n > 8 || r->end - r->pos < (size_t)n || r->pos > r->end) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | r->p[r->pos + (size_t)i];
    r->pos += (size_t)n;
    return v;
}

static uint64_t read_leb(struct reader *r, int is_signed)
{
    uint64_t v = 0;
    int shift = 0;
    uint8_t c;
    do {
        c = (uint8_t)read_n(r, 1);
        if (shift < 64)
            v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    } while ((c & 0x80) && !r->bad);
    if (is_signed && shift < 64 && (c & 0x40))
        v |= ~(uint64_t)0 << shift;
    return v;
}

/* An encoded pointer's value; *raw gets the value before pc-relative adjustment. */
static uint64_t read_pointer(struct reader *r, uint8_t enc, uint64_t *raw)
{
    uint64_t field = r->addr + r->pos, v;
    switch (enc & 0x0f) {
    case PE_ABSPTR: case PE_UDATA8: case PE_SDATA8: v = read_n(r, 8); break;
    case PE_UDATA2: v = read_n(r, 2); break;
    case PE_SDATA2: v = (uint64_t)(int64_t)(int16_t)read_n(r, 2); break;
    case PE_UDATA4: v = read_n(r, 4); break;
    case PE_SDATA4: v = (uint64_t)(int64_t)(int32_t)read_n(r, 4); break;
    case PE_ULEB128: v = read_leb(r, 0); break;
    case PE_SLEB128: v = read_leb(r, 1); break;
    default: r->bad = 1; return 0;
    }
    if (raw)
        *raw = v;
    if ((enc & 0x70) == PE_PCREL)
        v += field;
    else if ((enc & 0x70) != 0)
        r->bad = 1; /* textrel, datarel, funcrel: not used on x86-64 Linux */
    return v;
}

struct cie {
    uint8_t fde_enc, lsda_enc;
    int has_aug_data, has_lsda;
};

/* Reads the CIE at pos (just after its id field), up to its instructions. */
static int read_cie(struct reader r, struct cie *c)
{
    memset(c, 0, sizeof *c);
    c->fde_enc = PE_ABSPTR;
    c->lsda_enc = PE_OMIT;
    uint8_t version = (uint8_t)read_n(&r, 1);
    const char *aug = (const char *)r.p + r.pos;
    const void *nul = r.pos < r.end ? memchr(aug, 0, r.end - r.pos) : NULL;
    if (!nul)
        return -1;
    r.pos += strlen(aug) + 1;
    if (strstr(aug, "eh"))
        read_n(&r, 8);
    read_leb(&r, 0); /* code alignment */
    read_leb(&r, 1); /* data alignment */
    if (version == 1)
        read_n(&r, 1);
    else
        read_leb(&r, 0);
    if (aug[0] != 'z')
        return r.bad ? -1 : 0;
    c->has_aug_data = 1;
    read_leb(&r, 0);
    for (const char *a = aug + 1; *a && !r.bad; a++) {
        if (*a == 'L') {
            c->lsda_enc = (uint8_t)read_n(&r, 1);
            c->has_lsda = c->lsda_enc != PE_OMIT;
        } else if (*a == 'R') {
            c->fde_enc = (uint8_t)read_n(&r, 1);
        } else if (*a == 'P') {
            uint8_t enc = (uint8_t)read_n(&r, 1);
            read_pointer(&r, enc & ~PE_INDIRECT, NULL);
        } else if (*a != 'S' && *a != 'B' && *a != 'G') {
            return -1; /* an augmentation we cannot skip */
        }
    }
    return r.bad ? -1 : 0;
}

static int add_fde(struct fde_range **v, size_t *n, size_t *cap, const struct fde_range *f)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        struct fde_range *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = *f;
    return 0;
}

static int compare_fdes(const void *a, const void *b)
{
    uint64_t x = ((const struct fde_range *)a)->lo, y = ((const struct fde_range *)b)->lo;
    return x < y ? -1 : x > y;
}

int eh_frame_fdes(const struct elf_image *img, struct fde_range **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct elf_section eh;
    if (elf_image_find_section(img, ".eh_frame", &eh) != 0)
        return 0;
    if (!eh.bytes)
        return -1;
    struct reader r = {.p = eh.bytes, .end = (size_t)eh.size, .addr = eh.addr};
    size_t cap = 0;
    while (r.pos < r.end && !r.bad) {
        uint64_t len = read_n(&r, 4);
        if (len == 0)
            break; /* terminator */
        if (len == 0xffffffff)
            len = read_n(&r, 8);
        size_t body = r.pos;
        if (r.bad || len > r.end - body)
            goto bad;
        size_t next = body + (size_t)len;
        uint32_t id = (uint32_t)read_n(&r, 4);
        if (id != 0) { /* an FDE; id is the distance back to its CIE */
            if (id > body)
                goto bad;
            struct reader cr = r;
            cr.pos = body - id;
            uint64_t cie_len = read_n(&cr, 4);
            if (cie_len == 0xffffffff)
                read_n(&cr, 8);
            read_n(&cr, 4); /* CIE id */
            struct cie c;
            if (cr.bad || read_cie(cr, &c) != 0)
                goto bad;
            struct reader fr = r;
            fr.end = next;
            uint64_t lo = read_pointer(&fr, c.fde_enc, NULL);
            uint64_t range = read_pointer(&fr, c.fde_enc & 0x0f, NULL);
            uint64_t lsda_raw = 0;
            if (c.has_aug_data)
                read_leb(&fr, 0);
            if (c.has_lsda)
                read_pointer(&fr, c.lsda_enc & ~PE_INDIRECT, &lsda_raw);
            if (fr.bad)
                goto bad;
            /* An empty range or one that wraps describes no code (a discarded function's
             * leftover FDE). */
            struct fde_range f = {lo, lo + range, lsda_raw != 0};
            if (range && lo <= UINT64_MAX - range && add_fde(out, n, &cap, &f) != 0)
                goto bad;
        }
        r.pos = next;
    }
    if (r.bad)
        goto bad;
    if (*n)
        qsort(*out, *n, sizeof **out, compare_fdes);
    return 0;
bad:
    free(*out);
    *out = NULL;
    *n = 0;
    return -1;
}
