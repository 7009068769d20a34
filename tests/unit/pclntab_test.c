/* Unit test of common/pclntab.c and common/go_buildinfo.c: a hand-built Go-like ELF
 * image (with section headers and without), then truncated, bad-magic, bad-offset and
 * non-increasing tables, each of which must be refused with a reason, and a seeded
 * mutation run over the table. Every parse runs on a heap copy that ends exactly at the
 * image's end, so ASan sees any read past it.
 * Usage: pclntab_test [GO_BINARY]  (optional: a real Go binary must parse, its function
 * table must be increasing and every name non-empty) */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "go_buildinfo.h"
#include "pclntab.h"
#include "unit_check.h"

static void put16(uint8_t *p, uint64_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint64_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (8 * i); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }

/* ---- the hand-built image ----
 * 0x0000 ELF header, program headers (R E text, R pclntab, RW build info)
 * 0x1000 text (0x100 bytes) at TEXT
 * 0x2000 pclntab at 0x402000
 * 0x3000 build info at 0x403000
 * 0x3800 section headers (null, .text, .gopclntab, .go.buildinfo, .shstrtab), names */
enum {
    IMG_SIZE = 0x4000,
    TEXT = 0x401000,
    TEXT_OFF = 0x1000,
    TEXT_SIZE = 0x100,
    PCLN_OFF = 0x2000,
    INFO_OFF = 0x3000,
    SH_OFF = 0x3800,
    SHSTR_OFF = 0x3b00,
    /* the pclntab */
    NFUNC = 3,
    NAMES = 72,                 /* funcnameOffset, right after the header (as Go 1.26) */
    FUNCTAB = 0x80,             /* pclnOffset */
    FUNCS = FUNCTAB + (NFUNC + 1) * 8, /* _func records, 16 bytes each */
    PCLN_SIZE = FUNCS + NFUNC * 16,
};
static const char *const g_names[NFUNC] = {"internal/abi.Start", "_rt0_amd64_linux", "main.main"};
static const uint32_t g_entryoff[NFUNC + 1] = {0, 0x20, 0x60, 0x100};
static uint32_t g_name_off[NFUNC];
static uint64_t g_cu; /* cuOffset: the end of the name table */

static uint8_t g_img[IMG_SIZE];
static uint64_t g_pcln_size; /* .gopclntab's sh_size */

static void set_phdr(uint8_t *ph, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t size)
{
    put32(ph, type);
    put32(ph + 4, flags);
    put64(ph + 8, off);
    put64(ph + 16, vaddr);
    put64(ph + 24, vaddr);
    put64(ph + 32, size);
    put64(ph + 40, size);
    put64(ph + 48, 0x1000);
}

static void set_shdr(int i, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr,
                     uint64_t off, uint64_t size)
{
    uint8_t *sh = g_img + SH_OFF + 64 * i;
    put32(sh, name);
    put32(sh + 4, type);
    put64(sh + 8, flags);
    put64(sh + 16, addr);
    put64(sh + 24, off);
    put64(sh + 32, size);
}

static void build_pclntab(uint32_t magic, uint64_t text_start)
{
    uint8_t *t = g_img + PCLN_OFF;
    memset(t, 0, 0x1000);
    put32(t, magic);
    t[6] = 1; /* minLC */
    t[7] = 8; /* ptrSize */
    put64(t + 8, NFUNC);
    put64(t + 16, 1);          /* nfiles */
    put64(t + 24, text_start); /* 0 as in Go 1.26 */
    uint64_t at = NAMES;
    for (int i = 0; i < NFUNC; i++) {
        g_name_off[i] = (uint32_t)(at - NAMES);
        memcpy(t + at, g_names[i], strlen(g_names[i]) + 1);
        at += strlen(g_names[i]) + 1;
    }
    g_cu = at;
    put64(t + 32, NAMES);
    put64(t + 40, g_cu);    /* cuOffset */
    put64(t + 48, g_cu);    /* filetabOffset */
    put64(t + 56, g_cu);    /* pctabOffset */
    put64(t + 64, FUNCTAB); /* pclnOffset */
    for (int i = 0; i <= NFUNC; i++) {
        put32(t + FUNCTAB + 8 * i, g_entryoff[i]);
        put32(t + FUNCTAB + 8 * i + 4, i < NFUNC ? FUNCS - FUNCTAB + 16 * i : 0);
    }
    for (int i = 0; i < NFUNC; i++) {
        put32(t + FUNCS + 16 * i, g_entryoff[i]);
        put32(t + FUNCS + 16 * i + 4, g_name_off[i]);
    }
    g_pcln_size = PCLN_SIZE;
}

static void build_image(int with_sections, uint32_t magic, uint64_t text_start)
{
    memset(g_img, 0, sizeof g_img);
    memcpy(g_img, "\x7f" "ELF", 4);
    g_img[4] = 2;
    g_img[5] = 1;
    g_img[6] = 1;
    put16(g_img + 16, 2);
    put16(g_img + 18, 62);
    put32(g_img + 20, 1);
    put64(g_img + 24, TEXT + g_entryoff[1]); /* the entry point is _rt0_amd64_linux */
    put64(g_img + 32, 64);
    put16(g_img + 52, 64);
    put16(g_img + 54, 56);
    put16(g_img + 56, 3);
    set_phdr(g_img + 64, 1, 5, TEXT_OFF, TEXT, TEXT_SIZE);
    set_phdr(g_img + 64 + 56, 1, 4, PCLN_OFF, 0x402000, 0x1000);
    set_phdr(g_img + 64 + 112, 1, 6, INFO_OFF, 0x403000, 0x100);
    memset(g_img + TEXT_OFF, 0xcc, TEXT_SIZE);
    build_pclntab(magic, text_start);
    if (!with_sections)
        return;
    static const char shstr[] = "\0.text\0.gopclntab\0.go.buildinfo\0.shstrtab";
    memcpy(g_img + SHSTR_OFF, shstr, sizeof shstr);
    set_shdr(1, 1, 1, 6, TEXT, TEXT_OFF, TEXT_SIZE);
    set_shdr(2, 7, 1, 2, 0x402000, PCLN_OFF, g_pcln_size);
    set_shdr(3, 18, 1, 3, 0x403000, INFO_OFF, 0x100);
    set_shdr(4, 32, 3, 0, 0, SHSTR_OFF, sizeof shstr);
    put64(g_img + 40, SH_OFF);
    put16(g_img + 58, 64);
    put16(g_img + 60, 5);
    put16(g_img + 62, 4);
}

/* Sets .gopclntab's size (the table's bound when found through the section). */
static void set_pcln_size(uint64_t size)
{
    put64(g_img + SH_OFF + 64 * 2 + 32, size);
}

/* Runs pclntab_find on a heap copy of the first len bytes of g_img; on success also
 * reads every function (names are strlen'd, so ASan sees any unterminated one). */
static enum pclntab_status parse(size_t len, struct pclntab *t, const char **reason)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        perror("malloc");
        exit(2);
    }
    memcpy(copy, g_img, len);
    struct elf_image img;
    enum pclntab_status st = PCLNTAB_NOT_GO;
    *reason = "not an ELF image";
    if (elf_image_init(&img, copy, len) == 0) {
        *reason = "";
        st = pclntab_find(&img, t, reason);
    }
    if (st == PCLNTAB_OK) {
        struct pclntab_func f;
        for (uint64_t i = 0; pclntab_func(t, i, &f) == 0; i++)
            if (f.end <= f.entry || strlen(f.name) == 0)
                fail_why("function %llu accepted but inconsistent", (unsigned long long)i);
    }
    free(copy);
    return st;
}

static const char *status_name(enum pclntab_status st)
{
    static const char *const names[] = {"OK", "NOT_GO", "TOO_OLD", "MALFORMED"};
    return (unsigned)st < 4 ? names[st] : "(out of range)";
}

static void expect(const char *what, size_t len, enum pclntab_status want)
{
    struct pclntab t;
    const char *reason;
    enum pclntab_status st = parse(len, &t, &reason);
    if (st != want)
        fail_why("%s: got %s (%s), want %s", what, status_name(st), reason, status_name(want));
    else if (st != PCLNTAB_OK && (!reason || !reason[0]))
        fail_why("%s: refused without a reason", what);
}

/* The valid image, with and without section headers, both magics. */
static void test_valid(void)
{
    static const struct {
        int sections;
        uint32_t magic;
        uint64_t text_start;
        const char *what;
    } cases[] = {
        {1, PCLNTAB_MAGIC_GO120, 0, "Go 1.26 style: textStart 0, from .text"},
        {1, PCLNTAB_MAGIC_GO120, TEXT, "Go 1.20 style: textStart in the header"},
        {1, PCLNTAB_MAGIC_GO118, TEXT, "Go 1.18 magic"},
        {0, PCLNTAB_MAGIC_GO120, TEXT, "no section headers: found by search"},
        {0, PCLNTAB_MAGIC_GO120, 0, "no section headers, textStart 0: from the entry point"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        build_image(cases[c].sections, cases[c].magic, cases[c].text_start);
        struct pclntab t;
        const char *reason;
        enum pclntab_status st = parse(IMG_SIZE, &t, &reason);
        if (st != PCLNTAB_OK) {
            fail_why("%s: got %s (%s)", cases[c].what, status_name(st), reason);
            continue;
        }
        /* Parse again on the static image to look at the functions. */
        struct elf_image img;
        elf_image_init(&img, g_img, IMG_SIZE);
        pclntab_find(&img, &t, &reason);
        if (t.nfunc != NFUNC || t.text_start != TEXT)
            fail_why("%s: nfunc %llu text %#llx", cases[c].what, (unsigned long long)t.nfunc,
                     (unsigned long long)t.text_start);
        for (int i = 0; i < NFUNC; i++) {
            struct pclntab_func f;
            if (pclntab_func(&t, (uint64_t)i, &f) != 0 || f.entry != TEXT + g_entryoff[i] ||
                f.end != TEXT + g_entryoff[i + 1] || strcmp(f.name, g_names[i]) != 0)
                fail_why("%s: function %d wrong", cases[c].what, i);
        }
        struct pclntab_func f;
        if (pclntab_func(&t, NFUNC, &f) != -1)
            fail_why("%s: function %d (past the end) accepted", cases[c].what, NFUNC);
        if (strcmp(pclntab_format_name(&t), cases[c].magic == PCLNTAB_MAGIC_GO118 ? "1.18-1.19" : "1.20+"))
            fail_why("%s: format name %s", cases[c].what, pclntab_format_name(&t));
    }
    group_end("valid tables parse, with and without section headers");
}

static void test_not_go(void)
{
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    memcpy(g_img + SHSTR_OFF + 7, ".xopclntab", 10);
    expect("no .gopclntab section", IMG_SIZE, PCLNTAB_NOT_GO);
    build_image(0, PCLNTAB_MAGIC_GO120, TEXT);
    memset(g_img + PCLN_OFF, 0, 8);
    expect("no section headers, no header bytes", IMG_SIZE, PCLNTAB_NOT_GO);
    group_end("a non-Go image is NOT_GO");
}

static void test_truncated(void)
{
    /* Every shorter table: the function records at its end are cut (only the first 8
     * bytes of the last 16-byte record are read). */
    for (uint64_t size = 0; size < PCLN_SIZE - 8; size++) {
        build_image(1, PCLNTAB_MAGIC_GO120, 0);
        set_pcln_size(size);
        char what[64];
        snprintf(what, sizeof what, ".gopclntab of %llu bytes", (unsigned long long)size);
        expect(what, IMG_SIZE, PCLNTAB_MALFORMED);
    }
    /* The file ends inside the table: the section is outside the file. */
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    uint8_t saved[IMG_SIZE];
    memcpy(saved, g_img, IMG_SIZE);
    for (size_t cut = PCLN_OFF; cut < PCLN_OFF + PCLN_SIZE - 8; cut += 7) {
        memcpy(g_img, saved, IMG_SIZE);
        /* Section headers and names go to the start of the cut-off region's page, so the
         * image up to `cut` still has them and only the table is short. */
        memcpy(g_img + 0x600, saved + SH_OFF, 64 * 5);
        memcpy(g_img + 0x900, saved + SHSTR_OFF, 0x40);
        put64(g_img + 40, 0x600);
        put64(g_img + 0x600 + 64 * 4 + 24, 0x900);
        char what[64];
        snprintf(what, sizeof what, "file cut at %#zx", cut);
        expect(what, cut, PCLNTAB_MALFORMED);
    }
    /* No section headers and a segment cut short: nothing validates. */
    for (size_t cut = PCLN_OFF; cut < PCLN_OFF + PCLN_SIZE; cut += 5) {
        build_image(0, PCLNTAB_MAGIC_GO120, TEXT);
        char what[64];
        snprintf(what, sizeof what, "no sections, file cut at %#zx", cut);
        expect(what, cut, PCLNTAB_NOT_GO);
    }
    group_end("truncated tables are refused");
}

static void test_magic(void)
{
    build_image(1, 0xfffffffb, 0);
    expect("Go 1.2-1.15 magic", IMG_SIZE, PCLNTAB_TOO_OLD);
    build_image(1, 0xfffffffa, 0);
    expect("Go 1.16-1.17 magic", IMG_SIZE, PCLNTAB_TOO_OLD);
    build_image(1, 0x12345678, 0);
    expect("unknown magic", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    g_img[PCLN_OFF + 7] = 4;
    expect("ptrSize 4", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    g_img[PCLN_OFF + 6] = 4;
    expect("minLC 4", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    struct pclntab t;
    const char *reason;
    if (parse(IMG_SIZE, &t, &reason) == PCLNTAB_TOO_OLD || strstr(reason, "1.18"))
        fail_why("valid table reported as old");
    build_image(1, 0xfffffffa, 0);
    parse(IMG_SIZE, &t, &reason);
    if (!strstr(reason, "older than 1.18"))
        fail_why("old magic's reason does not say 'older than 1.18': %s", reason);
    group_end("bad and old magics are refused");
}

/* One header or record field at a time. */
static void test_offsets(void)
{
    static const struct {
        unsigned off, width;
        uint64_t value;
        const char *what;
    } cases[] = {
        {8, 8, 0, "nfunc 0"},
        {8, 8, 1u << 20, "nfunc far too large"},
        {8, 8, UINT64_MAX, "nfunc -1"},
        {32, 8, 0, "funcnameOffset 0 (inside the header)"},
        {32, 8, PCLN_SIZE + 1, "funcnameOffset past the end"},
        {32, 8, UINT64_MAX, "funcnameOffset -1"},
        {40, 8, NAMES, "cuOffset = funcnameOffset (empty name table)"},
        {40, 8, PCLN_SIZE + 8, "cuOffset past the end"},
        {40, 8, NAMES + 3, "name table not ending in NUL"},
        {64, 8, PCLN_SIZE, "pclnOffset at the end"},
        {64, 8, PCLN_SIZE - 8, "pclnOffset: table past the end"},
        {64, 8, 1ull << 63, "pclnOffset huge"},
        {24, 8, TEXT + 0x1000, "textStart disagrees with .text"},
        {FUNCTAB + 4, 4, 0xfffffff0u, "funcoff past the end"},
        {FUNCTAB + 12, 4, PCLN_SIZE - FUNCTAB - 4, "funcoff: record straddles the end"},
        {FUNCS + 4, 4, 0x80000000u, "nameOff negative"},
        {FUNCS + 4, 4, 0x7fffffffu, "nameOff past the end"},
        {FUNCS + 16 + 4, 4, 0, "nameOff: (fine: points at the first name)"},
        {FUNCS + 16, 4, 0x21, "_func entryOff disagrees with the table"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        build_image(1, PCLNTAB_MAGIC_GO120, 0);
        uint8_t *p = g_img + PCLN_OFF + cases[c].off;
        if (cases[c].width == 8)
            put64(p, cases[c].value);
        else
            put32(p, cases[c].value);
        expect(cases[c].what, IMG_SIZE,
               strstr(cases[c].what, "(fine") ? PCLNTAB_OK : PCLNTAB_MALFORMED);
    }
    /* A name that would be empty: nameOff at the name table's final NUL. */
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put32(g_img + PCLN_OFF + FUNCS + 4, g_cu - NAMES - 1);
    expect("empty name", IMG_SIZE, PCLNTAB_MALFORMED);
    /* .gopclntab outside the file. */
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put64(g_img + SH_OFF + 64 * 2 + 24, IMG_SIZE - 8);
    expect(".gopclntab's offset near the end of the file", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put64(g_img + SH_OFF + 64 * 2 + 32, UINT64_MAX);
    expect(".gopclntab's size -1", IMG_SIZE, PCLNTAB_MALFORMED);
    group_end("bad offsets are refused");
}

static void test_not_increasing(void)
{
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put32(g_img + PCLN_OFF + FUNCTAB + 8, 0); /* function 1 at the same entry as 0 */
    put32(g_img + PCLN_OFF + FUNCS + 16, 0);
    expect("two functions at one entry", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put32(g_img + PCLN_OFF + FUNCTAB + 16, 0x10); /* function 2 before function 1 */
    put32(g_img + PCLN_OFF + FUNCS + 32, 0x10);
    expect("entries going backwards", IMG_SIZE, PCLNTAB_MALFORMED);
    build_image(1, PCLNTAB_MAGIC_GO120, 0);
    put32(g_img + PCLN_OFF + FUNCTAB + 8 * NFUNC, 0x60); /* end of text = last entry */
    expect("last function empty", IMG_SIZE, PCLNTAB_MALFORMED);
    /* Without section headers the search must also refuse it (and find nothing). */
    build_image(0, PCLNTAB_MAGIC_GO120, TEXT);
    put32(g_img + PCLN_OFF + FUNCTAB + 16, 0x10);
    put32(g_img + PCLN_OFF + FUNCS + 32, 0x10);
    expect("entries going backwards, no sections", IMG_SIZE, PCLNTAB_NOT_GO);
    /* No sections, no textStart and no _rt0_amd64_linux: the text start is unknown. */
    build_image(0, PCLNTAB_MAGIC_GO120, 0);
    memcpy(g_img + PCLN_OFF + NAMES + g_name_off[1], "_rt1", 4);
    expect("no text start to be found", IMG_SIZE, PCLNTAB_MALFORMED);
    group_end("non-increasing function tables are refused");
}

/* Seeded mutations of the table bytes: whatever the result, no read outside the image
 * (ASan) and, if accepted, consistent functions (checked in parse). */
static uint64_t g_seed;
static uint64_t rnd(void)
{
    uint64_t z = (g_seed += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_mutations(void)
{
    g_seed = 0x9c17ab;
    int accepted = 0, refused = 0;
    for (int m = 0; m < 20000; m++) {
        int sections = (int)(rnd() & 1);
        build_image(sections, rnd() & 2 ? PCLNTAB_MAGIC_GO120 : PCLNTAB_MAGIC_GO118,
                    rnd() & 4 ? TEXT : 0);
        int n = 1 + (int)(rnd() % 4);
        for (int k = 0; k < n; k++) {
            uint64_t at = rnd() % PCLN_SIZE;
            g_img[PCLN_OFF + at] = rnd() & 1 ? (uint8_t)rnd() : g_img[PCLN_OFF + at] ^ (1u << (rnd() % 8));
        }
        struct pclntab t;
        const char *reason;
        size_t len = rnd() % 8 == 0 ? PCLN_OFF + rnd() % 0x1000 : IMG_SIZE;
        if (parse(len, &t, &reason) == PCLNTAB_OK)
            accepted++;
        else
            refused++;
    }
    if (!accepted || !refused)
        fail_why("mutation run tested one side only: %d accepted, %d refused", accepted, refused);
    printf("# mutations: %d accepted, %d refused\n", accepted, refused);
    group_end("mutated tables: no out-of-bounds read, accepted ones consistent");
}

/* ---- build info ---- */

static void build_info(const char *version, uint8_t flags)
{
    uint8_t *b = g_img + INFO_OFF;
    memset(b, 0, 0x100);
    memcpy(b, "\xff Go buildinf:", 14);
    b[14] = 8;
    b[15] = flags;
    b[32] = (uint8_t)strlen(version);
    memcpy(b + 33, version, strlen(version));
}

static void expect_version(const char *what, size_t len, const char *want)
{
    uint8_t *copy = malloc(len);
    memcpy(copy, g_img, len);
    struct elf_image img;
    char got[80] = "";
    int r = elf_image_init(&img, copy, len) == 0 ? go_buildinfo_version(&img, got, sizeof got) : -1;
    if (want && (r != 0 || strcmp(got, want) != 0))
        fail_why("%s: got %d '%s', want '%s'", what, r, got, want);
    if (!want && r != -1)
        fail_why("%s: accepted '%s'", what, got);
    free(copy);
}

static void test_buildinfo(void)
{
    for (int sections = 0; sections < 2; sections++) {
        build_image(sections, PCLNTAB_MAGIC_GO120, 0);
        build_info("go1.26.11", 2);
        expect_version(sections ? ".go.buildinfo" : "found in the RW segment", IMG_SIZE, "go1.26.11");
        build_info("go1.16", 0);
        expect_version("pointer format (Go before 1.18)", IMG_SIZE, NULL);
        build_info("go1.26.11", 3);
        expect_version("big-endian flag", IMG_SIZE, NULL);
        build_info("go\x01", 2);
        expect_version("unprintable version", IMG_SIZE, NULL);
        build_info("go1.26.11", 2);
        g_img[INFO_OFF + 32] = 0x80; /* a varint that never ends */
        memset(g_img + INFO_OFF + 33, 0xff, 0x100 - 33);
        expect_version("endless length varint", IMG_SIZE, NULL);
        build_info("go1.26.11", 2);
        g_img[INFO_OFF + 32] = 0xf0;
        expect_version("length past the blob", IMG_SIZE, NULL);
        build_info("go1.26.11", 2);
        expect_version("file cut inside the version", INFO_OFF + 36, NULL);
        build_info("go1.26.11", 2);
        g_img[INFO_OFF] = 0;
        expect_version("no magic", IMG_SIZE, NULL);
    }
    group_end("Go build info version");
}

/* ---- a real binary ---- */

static void test_real(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    uint8_t *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0 || !(buf = malloc((size_t)st.st_size)) ||
        read(fd, buf, (size_t)st.st_size) != st.st_size) {
        fail_why("cannot read %s", path);
    } else {
        struct elf_image img;
        struct pclntab t;
        const char *reason = "not ELF";
        char version[80];
        if (elf_image_init(&img, buf, (size_t)st.st_size) != 0 ||
            pclntab_find(&img, &t, &reason) != PCLNTAB_OK) {
            fail_why("%s: %s", path, reason);
        } else {
            uint64_t prev_end = 0;
            for (uint64_t i = 0; i < t.nfunc; i++) {
                struct pclntab_func f;
                pclntab_func(&t, i, &f);
                if (f.entry < prev_end || f.end <= f.entry || !f.name[0])
                    fail_why("function %llu (%s) out of order", (unsigned long long)i, f.name);
                prev_end = f.end;
            }
            if (go_buildinfo_version(&img, version, sizeof version) != 0 ||
                strncmp(version, "go1.", 4) != 0)
                fail_why("%s: no Go version", path);
            printf("# %s: %s, %llu functions\n", path, version, (unsigned long long)t.nfunc);
        }
    }
    free(buf);
    if (fd >= 0)
        close(fd);
    group_end("real Go binary");
}

int main(int argc, char **argv)
{
    test_valid();
    test_not_go();
    test_truncated();
    test_magic();
    test_offsets();
    test_not_increasing();
    test_mutations();
    test_buildinfo();
    if (argc > 1)
        test_real(argv[1]);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
