/* Unit test of common/elf_check.c: a hand-built valid image, one or more cases per
 * rejection kind, real binaries from the host, and a seeded mutation run whose accepted
 * mutants are re-checked against an independent reading of the headers.
 * Usage: elf_check_test [STATIC_ELF]  (the optional file is mutated too; must be valid) */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_check.h"
#include "unit_check.h"
#include "exit_codes.h"

static const char *result_name(enum elf_check_result r)
{
    static const char *names[] = {"OK", "NOT_ELF", "TRUNCATED", "CLASS", "ENDIAN",
                                  "MACHINE", "VERSION", "TYPE", "DYNAMIC", "MALFORMED",
                                  "NO_LOAD", "ENTRY"};
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "(out of range)";
}
#define RESULT_COUNT 12

/* Little-endian stores and loads, independent of the code under test. */
static void put16(uint8_t *p, uint64_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint64_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (8 * i); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }
static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Runs elf_check on a private copy that ends exactly at the end of a heap block (so
 * ASan sees any read past head_len), at an odd address when `odd` (so any aligned-load
 * assumption shows up under UBSan). */
static enum elf_check_result run_check(const uint8_t *img, size_t head_len, uint64_t file_size,
                                       int odd, struct elf_check_info *info)
{
    size_t size = head_len + (odd ? 1 : 0);
    uint8_t *block = malloc(size ? size : 1);
    if (!block) {
        perror("malloc");
        exit(2);
    }
    uint8_t *copy = block + (odd ? 1 : 0);
    if (head_len)
        memcpy(copy, img, head_len);
    enum elf_check_result r = elf_check(copy, head_len, file_size, info);
    free(block);
    return r;
}

/* ---- the hand-built image ---- */

enum {
    IMG_SIZE = 0x1080,
    TEXT_VADDR = 0x400000,
    DATA_OFF = 0x1000,
    DATA_VADDR = 0x401000,
    PH0 = 64,
    PH1 = 64 + 56,
    PH2 = 64 + 112,
};

static void set_phdr(uint8_t *ph, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz, uint64_t align)
{
    put32(ph, type);
    put32(ph + 4, flags);
    put64(ph + 8, off);
    put64(ph + 16, vaddr);
    put64(ph + 24, vaddr);
    put64(ph + 32, filesz);
    put64(ph + 40, memsz);
    put64(ph + 48, align);
}

/* A minimal static executable: R+X text segment holding the headers and entry, and an
 * RW data segment with bss. `img` must hold IMG_SIZE bytes. */
static void build_valid(uint8_t *img)
{
    memset(img, 0, IMG_SIZE);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 2; /* ELFCLASS64 */
    img[5] = 1; /* ELFDATA2LSB */
    img[6] = 1; /* EV_CURRENT */
    put16(img + 16, 2);  /* ET_EXEC */
    put16(img + 18, 62); /* EM_X86_64 */
    put32(img + 20, 1);
    put64(img + 24, TEXT_VADDR + 0x100); /* entry */
    put64(img + 32, 64);                 /* phoff */
    put64(img + 40, 0);                  /* shoff */
    put16(img + 52, 64);                 /* ehsize */
    put16(img + 54, 56);                 /* phentsize */
    put16(img + 56, 2);                  /* phnum */
    set_phdr(img + PH0, 1, 5, 0, TEXT_VADDR, 0x200, 0x200, 0x1000);
    set_phdr(img + PH1, 1, 6, DATA_OFF, DATA_VADDR, 0x80, 0x2000, 0x1000);
    for (int i = 0x100; i < 0x200; i++)
        img[i] = 0xcc; /* int3: "code" */
}

static uint8_t g_img[IMG_SIZE];

/* Expects `want` from the image in g_img (head = whole image unless head_len given). */
static void expect(const char *what, size_t head_len, uint64_t file_size,
                   enum elf_check_result want, int want_bad_phdr)
{
    struct elf_check_info info;
    for (int odd = 0; odd < 2; odd++) {
        enum elf_check_result r = run_check(g_img, head_len, file_size, odd, &info);
        if (r != want) {
            fail_why("%s: got %s (%s), want %s", what, result_name(r),
                     info.reason ? info.reason : "-", result_name(want));
            return;
        }
        if (want_bad_phdr != -2 && info.bad_phdr != want_bad_phdr) {
            fail_why("%s: bad_phdr %d, want %d", what, info.bad_phdr, want_bad_phdr);
            return;
        }
        if ((want == ELF_ERR_MALFORMED || want == ELF_ERR_TRUNCATED) && !info.reason) {
            fail_why("%s: no reason given", what);
            return;
        }
        if (want == ELF_OK && (info.reason || info.bad_phdr != -1)) {
            fail_why("%s: OK but reason/bad_phdr set", what);
            return;
        }
    }
}

static void expect_img(const char *what, enum elf_check_result want, int want_bad_phdr)
{
    expect(what, IMG_SIZE, IMG_SIZE, want, want_bad_phdr);
}

static void test_valid(void)
{
    build_valid(g_img);
    struct elf_check_info info;
    enum elf_check_result r = run_check(g_img, IMG_SIZE, IMG_SIZE, 1, &info);
    if (r != ELF_OK)
        fail_why("valid image: got %s (%s)", result_name(r), info.reason ? info.reason : "-");
    else if (info.type != 2 || info.entry != TEXT_VADDR + 0x100 || info.phoff != 64 ||
             info.phnum != 2 || info.lowest_vaddr != TEXT_VADDR ||
             info.highest_vaddr != DATA_VADDR + 0x2000)
        fail_why("valid image: info fields wrong (type %u entry %#llx low %#llx high %#llx)",
                 info.type, (unsigned long long)info.entry,
                 (unsigned long long)info.lowest_vaddr, (unsigned long long)info.highest_vaddr);
    /* The caller may pass more of the file than the headers need, or just enough. */
    expect("head is only the headers", PH2, IMG_SIZE, ELF_OK, -1);
    /* Entry on the first and last byte of the exec segment. */
    put64(g_img + 24, TEXT_VADDR);
    expect_img("entry at segment start", ELF_OK, -1);
    put64(g_img + 24, TEXT_VADDR + 0x1ff);
    expect_img("entry at segment end - 1", ELF_OK, -1);
    /* Segments that share a page (common with lld) are fine as long as bytes do not overlap. */
    build_valid(g_img);
    set_phdr(g_img + PH1, 1, 6, 0x200, TEXT_VADDR + 0x200, 0x80, 0x100, 0x1000);
    expect_img("segments sharing a page", ELF_OK, -1);
    /* Static-pie: ET_DYN linked at 0, with PT_TLS inside the data segment and extra
     * non-load headers. */
    build_valid(g_img);
    put16(g_img + 16, 3);
    put16(g_img + 56, 4);
    put64(g_img + 24, 0x100);
    set_phdr(g_img + PH0, 1, 5, 0, 0, 0x200, 0x200, 0x1000);
    set_phdr(g_img + PH1, 1, 6, DATA_OFF, 0x1000, 0x80, 0x2000, 0x1000);
    set_phdr(g_img + PH2, 7, 4, DATA_OFF + 0x10, 0x1010, 0x20, 0x40, 8);
    set_phdr(g_img + PH2 + 56, 0x6474e551, 6, 0, 0, 0, 0, 16); /* PT_GNU_STACK */
    expect_img("static-pie with PT_TLS", ELF_OK, -1);
    group_end("valid images accepted");
}

static void test_not_elf(void)
{
    build_valid(g_img);
    expect("empty file", 0, 0, ELF_ERR_NOT_ELF, -1);
    expect("3 bytes", 3, 3, ELF_ERR_NOT_ELF, -1);
    /* A caller's buffer longer than the file: only file_size bytes are the file. */
    expect("magic beyond the end of the file", IMG_SIZE, 3, ELF_ERR_NOT_ELF, -1);
    g_img[1] = 'e';
    expect_img("bad magic", ELF_ERR_NOT_ELF, -1);
    memcpy(g_img, "#!/bin/sh\necho hi\n", 18);
    expect("script", 18, 18, ELF_ERR_NOT_ELF, -1);
    memcpy(g_img, "hello world\n", 12);
    expect("text", 12, 12, ELF_ERR_NOT_ELF, -1);
    group_end("not an ELF file");
}

static void test_truncated(void)
{
    build_valid(g_img);
    expect("just the magic", 4, 4, ELF_ERR_TRUNCATED, -1);
    expect("inside the ELF header", 40, 40, ELF_ERR_TRUNCATED, -1);
    expect("header only", 64, 64, ELF_ERR_TRUNCATED, -1);
    expect("inside the program headers", PH1 + 10, PH1 + 10, ELF_ERR_TRUNCATED, -1);
    expect("inside the text segment", 0x150, 0x150, ELF_ERR_TRUNCATED, 0);
    expect("inside the data segment", DATA_OFF + 0x40, DATA_OFF + 0x40, ELF_ERR_TRUNCATED, 1);
    expect("one byte short", IMG_SIZE - 1, IMG_SIZE - 1, ELF_ERR_TRUNCATED, 1);
    put64(g_img + 32, IMG_SIZE);
    expect_img("phoff at end of file", ELF_ERR_TRUNCATED, -1);
    build_valid(g_img);
    put64(g_img + PH1 + 8, 0x3000); /* congruent with its vaddr, but past EOF */
    put64(g_img + PH1 + 16, 0x403000);
    expect_img("segment offset past EOF", ELF_ERR_TRUNCATED, 1);
    group_end("truncated files");
}

static void test_arch(void)
{
    build_valid(g_img);
    g_img[4] = 1;
    expect_img("ELFCLASS32", ELF_ERR_CLASS, -1);
    expect("ELFCLASS32, short", 40, 40, ELF_ERR_CLASS, -1);
    g_img[4] = 0;
    expect_img("ELFCLASSNONE", ELF_ERR_CLASS, -1);
    group_end("class");

    build_valid(g_img);
    g_img[5] = 2;
    expect_img("ELFDATA2MSB", ELF_ERR_ENDIAN, -1);
    g_img[5] = 0;
    expect_img("ELFDATANONE", ELF_ERR_ENDIAN, -1);
    group_end("endianness");

    build_valid(g_img);
    put16(g_img + 18, 183);
    expect_img("EM_AARCH64", ELF_ERR_MACHINE, -1);
    put16(g_img + 18, 3);
    expect_img("EM_386", ELF_ERR_MACHINE, -1);
    put16(g_img + 18, 62 + 0x100);
    expect_img("high byte of e_machine", ELF_ERR_MACHINE, -1);
    group_end("machine");

    build_valid(g_img);
    g_img[6] = 0;
    expect_img("EI_VERSION 0", ELF_ERR_VERSION, -1);
    build_valid(g_img);
    put32(g_img + 20, 2);
    expect_img("e_version 2", ELF_ERR_VERSION, -1);
    put32(g_img + 20, 0x10001);
    expect_img("e_version high bits", ELF_ERR_VERSION, -1);
    group_end("version");

    build_valid(g_img);
    put16(g_img + 16, 1);
    expect_img("ET_REL", ELF_ERR_TYPE, -1);
    put16(g_img + 16, 4);
    expect_img("ET_CORE", ELF_ERR_TYPE, -1);
    put16(g_img + 16, 0);
    expect_img("ET_NONE", ELF_ERR_TYPE, -1);
    put16(g_img + 16, 0x102);
    expect_img("high byte of e_type", ELF_ERR_TYPE, -1);
    group_end("type");
}

static void test_dynamic(void)
{
    build_valid(g_img);
    put16(g_img + 56, 3);
    set_phdr(g_img + PH2, 3, 4, 0x1c0, TEXT_VADDR + 0x1c0, 0x1c, 0x1c, 1);
    memcpy(g_img + 0x1c0, "/lib64/ld-linux-x86-64.so.2", 28);
    expect_img("PT_INTERP", ELF_ERR_DYNAMIC, 2);
    /* Even with a broken load segment the user hears about the real problem. */
    put64(g_img + PH0 + 32, 0x5000);
    expect_img("PT_INTERP with bad load", ELF_ERR_DYNAMIC, 2);
    /* But a broken header wins: dynamic is only said of a plausible executable. */
    put16(g_img + 18, 183);
    expect_img("PT_INTERP for aarch64", ELF_ERR_MACHINE, -1);
    group_end("dynamic");
}

static void test_malformed(void)
{
    build_valid(g_img);
    put16(g_img + 52, 52);
    expect_img("e_ehsize 52", ELF_ERR_MALFORMED, -1);
    build_valid(g_img);
    put16(g_img + 54, 32);
    expect_img("e_phentsize 32", ELF_ERR_MALFORMED, -1);
    build_valid(g_img);
    put16(g_img + 56, 0xffff);
    expect_img("e_phnum PN_XNUM", ELF_ERR_MALFORMED, -1);
    put16(g_img + 56, 300);
    expect_img("e_phnum 300", ELF_ERR_MALFORMED, -1);
    build_valid(g_img);
    put64(g_img + 32, UINT64_MAX - 10);
    expect_img("phoff near UINT64_MAX", ELF_ERR_MALFORMED, -1);
    build_valid(g_img);
    expect("phdrs beyond the head passed in", 100, IMG_SIZE, ELF_ERR_MALFORMED, -1);
    expect("ELF header beyond the head", 40, IMG_SIZE, ELF_ERR_MALFORMED, -1);
    put64(g_img + PH1 + 32, 0x3000);
    expect_img("filesz > memsz", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put64(g_img + PH1 + 48, 0x1800);
    expect_img("p_align not a power of two", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put64(g_img + PH1 + 16, DATA_VADDR + 8);
    expect_img("vaddr/offset not congruent", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put64(g_img + PH1 + 16, UINT64_MAX - 0xfff);
    expect_img("vaddr + memsz overflows", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put64(g_img + PH1 + 16, 0x7ffffffff000);
    expect_img("segment crosses end of user space", ELF_ERR_MALFORMED, 1);
    put64(g_img + PH1 + 16, 0xffff800000001000);
    expect_img("segment in kernel space", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put64(g_img + PH1 + 8, UINT64_MAX - 0x7e);
    expect_img("offset + filesz overflows", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    uint8_t tmp[56];
    memcpy(tmp, g_img + PH0, 56);
    memcpy(g_img + PH0, g_img + PH1, 56);
    memcpy(g_img + PH1, tmp, 56);
    put64(g_img + 24, TEXT_VADDR + 0x100);
    expect_img("loads in descending order", ELF_ERR_MALFORMED, 1);
    struct elf_check_info info;
    if (run_check(g_img, IMG_SIZE, IMG_SIZE, 0, &info) == ELF_ERR_MALFORMED &&
        !strstr(info.reason, "order"))
        fail_why("descending loads: reason \"%s\" does not mention the order", info.reason);
    build_valid(g_img);
    put64(g_img + PH0 + 40, 0x1001); /* text memsz reaches into data */
    expect_img("loads overlap by one byte", ELF_ERR_MALFORMED, 1);
    build_valid(g_img);
    put16(g_img + 56, 4);
    set_phdr(g_img + PH2, 6, 4, 64, TEXT_VADDR + 64, 112, 112, 8);
    set_phdr(g_img + PH2 + 56, 6, 4, 64, TEXT_VADDR + 64, 112, 112, 8);
    expect_img("two PT_PHDR", ELF_ERR_MALFORMED, 3);
    set_phdr(g_img + PH2, 3, 4, 0x1c0, TEXT_VADDR + 0x1c0, 0x1c, 0x1c, 1);
    set_phdr(g_img + PH2 + 56, 3, 4, 0x1c0, TEXT_VADDR + 0x1c0, 0x1c, 0x1c, 1);
    expect_img("two PT_INTERP", ELF_ERR_MALFORMED, 3);
    build_valid(g_img);
    put16(g_img + 56, 3);
    set_phdr(g_img + PH2, 7, 4, DATA_OFF + 0x70, DATA_VADDR + 0x70, 0x20, 0x40, 8);
    expect_img("PT_TLS past its load's file bytes", ELF_ERR_MALFORMED, 2);
    set_phdr(g_img + PH2, 7, 4, 0x300, TEXT_VADDR + 0x300, 0x20, 0x40, 8);
    expect_img("PT_TLS between loads", ELF_ERR_MALFORMED, 2);
    set_phdr(g_img + PH2, 7, 4, DATA_OFF, DATA_VADDR, 0x20, 0x10, 8);
    expect_img("PT_TLS filesz > memsz", ELF_ERR_MALFORMED, 2);
    group_end("malformed headers");
}

static void test_no_load_and_entry(void)
{
    build_valid(g_img);
    put16(g_img + 56, 0);
    expect_img("e_phnum 0", ELF_ERR_NO_LOAD, -1);
    build_valid(g_img);
    put32(g_img + PH0, 4);
    put32(g_img + PH1, 4);
    expect_img("only PT_NOTE", ELF_ERR_NO_LOAD, -1);
    group_end("no loadable segments");

    build_valid(g_img);
    put64(g_img + 24, 0x100);
    expect_img("entry below all segments", ELF_ERR_ENTRY, -1);
    put64(g_img + 24, TEXT_VADDR + 0x200);
    expect_img("entry one past the text segment", ELF_ERR_ENTRY, -1);
    put64(g_img + 24, DATA_VADDR + 0x10);
    expect_img("entry in the data segment", ELF_ERR_ENTRY, -1);
    put64(g_img + 24, UINT64_MAX);
    expect_img("entry UINT64_MAX", ELF_ERR_ENTRY, -1);
    build_valid(g_img);
    put32(g_img + PH0 + 4, 4);
    expect_img("text segment not executable", ELF_ERR_ENTRY, -1);
    group_end("entry point");
}

static void test_tables(void)
{
    static const int want[RESULT_COUNT] = {
        [ELF_OK] = 0,
        [ELF_ERR_NOT_ELF] = ASIS_EXIT_NOT_ELF,
        [ELF_ERR_TRUNCATED] = ASIS_EXIT_BAD_ELF,
        [ELF_ERR_CLASS] = ASIS_EXIT_WRONG_ARCH,
        [ELF_ERR_ENDIAN] = ASIS_EXIT_WRONG_ARCH,
        [ELF_ERR_MACHINE] = ASIS_EXIT_WRONG_ARCH,
        [ELF_ERR_VERSION] = ASIS_EXIT_BAD_ELF,
        [ELF_ERR_TYPE] = ASIS_EXIT_UNSUPPORTED,
        [ELF_ERR_DYNAMIC] = ASIS_EXIT_UNSUPPORTED,
        [ELF_ERR_MALFORMED] = ASIS_EXIT_BAD_ELF,
        [ELF_ERR_NO_LOAD] = ASIS_EXIT_BAD_ELF,
        [ELF_ERR_ENTRY] = ASIS_EXIT_BAD_ELF,
    };
    for (int r = 0; r < RESULT_COUNT; r++) {
        int code = elf_check_exit_code((enum elf_check_result)r);
        const char *d = elf_check_describe((enum elf_check_result)r);
        if (code != want[r])
            fail_why("%s: exit code %d, want %d", result_name(r), code, want[r]);
        if (!d || !d[0] || strchr(d, '\n'))
            fail_why("%s: description empty or not one line", result_name(r));
    }
    if (!strstr(elf_check_describe(ELF_ERR_DYNAMIC), "dynamically linked") ||
        !strstr(elf_check_describe(ELF_ERR_DYNAMIC), "CGO_ENABLED=0"))
        fail_why("dynamic description does not say what to do");
    if (strcmp(elf_check_describe(ELF_ERR_NOT_ELF), "not an ELF file") != 0)
        fail_why("NOT_ELF description changed");
    group_end("exit codes and descriptions");
}

/* Reads the head of a file and its size; returns 0 if it cannot be read. */
static uint8_t *read_head(const char *path, size_t *head_len, uint64_t *file_size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    struct stat st;
    uint8_t *buf = malloc(ELF_CHECK_HEAD_BYTES);
    size_t n = 0;
    if (fstat(fd, &st) == 0 && buf) {
        ssize_t k;
        while (n < ELF_CHECK_HEAD_BYTES &&
               (k = read(fd, buf + n, ELF_CHECK_HEAD_BYTES - n)) > 0)
            n += (size_t)k;
    }
    close(fd);
    *head_len = n;
    *file_size = (uint64_t)st.st_size;
    return buf;
}

static void test_real_dynamic(void)
{
    const char *paths[] = {"/proc/self/exe", "/bin/true"};
    for (int i = 0; i < 2; i++) {
        size_t head_len;
        uint64_t file_size;
        uint8_t *head = read_head(paths[i], &head_len, &file_size);
        if (!head) {
            fail_why("cannot read %s", paths[i]);
            continue;
        }
        struct elf_check_info info;
        enum elf_check_result r = run_check(head, head_len, file_size, 1, &info);
        if (r != ELF_ERR_DYNAMIC)
            fail_why("%s: got %s (%s), want DYNAMIC", paths[i], result_name(r),
                     info.reason ? info.reason : "-");
        free(head);
    }
    group_end("real dynamic programs (/proc/self/exe, /bin/true)");
}

/* ---- mutation ---- */

static uint64_t g_rng;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

/* The kinds of value that break naive arithmetic, plus ones near the original. */
static uint64_t interesting(uint64_t orig, uint64_t file_size)
{
    switch (below(14)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return UINT64_MAX - below(0x2000);
    case 3: return (uint64_t)1 << 63;
    case 4: return 0x800000000000ull - below(0x3000);
    case 5: return file_size + below(3) - 1;
    case 6: return orig + below(0x2001) - 0x1000;
    case 7: return orig ^ ((uint64_t)1 << below(64));
    case 8: return rnd();
    case 9: return below(0x10000);
    case 10: return below(file_size + 1) & ~0xfffull;
    case 11: return UINT64_MAX - orig;
    case 12: return orig + 0x1000 * (below(5) + 1);
    default: return orig * 2;
    }
}

static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

/* Re-derives from the raw bytes, with 128-bit arithmetic, what ELF_OK promises.
 * Returns a description of the broken promise, or 0. */
static const char *verify_ok(const uint8_t *h, size_t head_len, uint64_t file_size,
                             const struct elf_check_info *info)
{
    typedef unsigned __int128 u128;
    if (head_len > file_size)
        head_len = file_size;
    if (head_len < 64 || memcmp(h, "\x7f" "ELF", 4) != 0 || h[4] != 2 || h[5] != 1 ||
        h[6] != 1 || get(h + 20, 4) != 1)
        return "accepted a bad ident/version";
    if (get(h + 18, 2) != 62)
        return "accepted a non-x86-64 machine";
    uint64_t type = get(h + 16, 2);
    if (type != 2 && type != 3)
        return "accepted a non-executable type";
    if (get(h + 54, 2) != 56)
        return "accepted bad e_phentsize";
    uint64_t phoff = get(h + 32, 8), phnum = get(h + 56, 2), entry = get(h + 24, 8);
    if (phnum == 0 || (u128)phoff + phnum * 56 > head_len)
        return "accepted a program header table outside the head";
    if (info->phoff != phoff || info->phnum != phnum || info->entry != entry ||
        info->type != type || info->bad_phdr != -1 || info->reason)
        return "info fields do not match the header";
    int loads = 0, entry_ok = 0;
    uint64_t low = UINT64_MAX, high = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *p = h + phoff + i * 56;
        uint64_t pt = get(p, 4), fl = get(p + 4, 4), off = get(p + 8, 8), va = get(p + 16, 8);
        uint64_t fsz = get(p + 32, 8), msz = get(p + 40, 8);
        if (pt == 3)
            return "accepted PT_INTERP";
        if (pt == 7 && fsz) {
            int inside = 0;
            for (uint64_t j = 0; j < phnum; j++) {
                const uint8_t *q = h + phoff + j * 56;
                if (get(q, 4) == 1 && off >= get(q + 8, 8) &&
                    (u128)off + fsz <= (u128)get(q + 8, 8) + get(q + 32, 8))
                    inside = 1;
            }
            if (!inside)
                return "accepted PT_TLS outside the loaded file bytes";
        }
        if (pt != 1)
            continue;
        loads++;
        if (fsz > msz)
            return "accepted p_filesz > p_memsz";
        if ((u128)off + fsz > file_size)
            return "accepted a segment past the end of the file";
        if ((u128)va + msz > 0x800000000000ull)
            return "accepted a segment outside user space";
        if (va % 4096 != off % 4096)
            return "accepted incongruent p_vaddr/p_offset";
        if ((fl & 1) && entry >= va && (u128)entry < (u128)va + msz)
            entry_ok = 1;
        if (va < low)
            low = va;
        if (va + msz > high)
            high = va + msz;
        for (uint64_t j = 0; j < i; j++) {
            const uint8_t *q = h + phoff + j * 56;
            if (get(q, 4) == 1 && ranges_overlap(va, msz, get(q + 16, 8), get(q + 40, 8)))
                return "accepted overlapping segments";
        }
    }
    if (!loads)
        return "accepted no PT_LOAD";
    if (!entry_ok)
        return "accepted an entry outside executable segments";
    if (info->lowest_vaddr != (low & ~0xfffull) || info->highest_vaddr != high)
        return "lowest/highest vaddr wrong";
    return 0;
}

/* Applies one random mutation to buf (len bytes of head); may change *file_size and
 * *head_len. */
static void mutate_once(uint8_t *buf, size_t *head_len, uint64_t *file_size, size_t hdr_area)
{
    uint64_t phoff = get(buf + 32, 8), phnum = get(buf + 56, 2);
    switch (below(6)) {
    case 0:
    case 1: { /* byte changes in the header and program headers */
        int n = 1 + (int)below(4);
        for (int i = 0; i < n; i++) {
            size_t at = below(hdr_area < *head_len ? hdr_area : *head_len);
            if (below(2))
                buf[at] ^= (uint8_t)(1u << below(8));
            else
                buf[at] = (uint8_t)rnd();
        }
        break;
    }
    case 2: { /* truncation: often inside the headers, otherwise anywhere */
        uint64_t cut = below(2) ? below(hdr_area + 64) : below(*file_size + 1);
        if (cut < *file_size)
            *file_size = cut;
        if (*head_len > *file_size)
            *head_len = (size_t)*file_size;
        break;
    }
    case 3: { /* an ELF header field */
        static const int offs[] = {24, 32, 56, 54, 52, 16};
        static const int lens[] = {8, 8, 2, 2, 2, 2};
        int k = (int)below(6);
        uint64_t v = interesting(get(buf + offs[k], lens[k]), *file_size);
        if (k == 2 && below(2))
            v = below(12); /* e_phnum: mostly small counts, sometimes huge */
        if (lens[k] == 8)
            put64(buf + offs[k], v);
        else
            put16(buf + offs[k], v);
        break;
    }
    case 4: { /* a program header field */
        if (phnum == 0 || phnum > 256 || phoff > *head_len || phoff + phnum * 56 > *head_len)
            break;
        uint8_t *p = buf + phoff + below(phnum) * 56;
        static const int offs[] = {0, 4, 8, 16, 32, 40, 48};
        int k = (int)below(7);
        uint64_t v = interesting(get(p + offs[k], k < 2 ? 4 : 8), *file_size);
        if (k == 0)
            put32(p, below(2) ? below(8) : v);
        else if (k == 1)
            put32(p + 4, below(8));
        else
            put64(p + offs[k], v);
        /* Keep vaddr and offset congruent half the time so later checks get exercised. */
        if ((k == 2 || k == 3) && below(2)) {
            uint64_t off = get(p + 8, 8), va = get(p + 16, 8);
            put64(p + 16, (va & ~0xfffull) | (off & 0xfff));
        }
        break;
    }
    default: /* the caller passes less of the file than it has */
        *head_len = below(*head_len + 1);
        break;
    }
}

/* Runs `count` mutants of the given head and checks each result. */
static void mutation_run(const char *name, const uint8_t *head, size_t head_len,
                         uint64_t file_size, uint64_t seed, int count)
{
    g_rng = seed;
    long hist[RESULT_COUNT] = {0};
    size_t hdr_area = 64 + 56 * get(head + 56, 2);
    uint8_t *buf = malloc(head_len);
    for (int m = 0; m < count && !g_why[0]; m++) {
        memcpy(buf, head, head_len);
        size_t hl = head_len;
        uint64_t fs = file_size;
        int rounds = 1 + (below(4) == 0 ? (int)below(3) : 0);
        for (int k = 0; k < rounds; k++)
            mutate_once(buf, &hl, &fs, hdr_area);
        struct elf_check_info info;
        memset(&info, 0x5a, sizeof info);
        enum elf_check_result r = run_check(buf, hl, fs, m & 1, &info);
        if ((unsigned)r >= RESULT_COUNT) {
            fail_why("mutant %d: result %d out of range", m, (int)r);
            break;
        }
        hist[r]++;
        int code = elf_check_exit_code(r);
        if (r != ELF_OK && (code < ASIS_EXIT_NOT_ELF || code > ASIS_EXIT_UNSUPPORTED))
            fail_why("mutant %d: %s maps to exit code %d", m, result_name(r), code);
        if ((r == ELF_ERR_MALFORMED || r == ELF_ERR_TRUNCATED) && !info.reason)
            fail_why("mutant %d: %s without a reason", m, result_name(r));
        if (r != ELF_OK && (info.bad_phdr < -1 || info.bad_phdr >= (int)info.phnum))
            fail_why("mutant %d: bad_phdr %d out of range", m, info.bad_phdr);
        if (r == ELF_OK) {
            const char *broken = verify_ok(buf, hl, fs, &info);
            if (broken)
                fail_why("mutant %d (seed %#llx): %s", m, (unsigned long long)seed, broken);
        }
    }
    free(buf);
    /* A mutation run that never reaches acceptance, or never reaches the per-segment
     * checks, tests nothing; make that visible. */
    if (!g_why[0] && (hist[ELF_OK] == 0 || hist[ELF_ERR_MALFORMED] == 0 ||
                      hist[ELF_ERR_TRUNCATED] == 0 || hist[ELF_ERR_ENTRY] == 0))
        fail_why("mutants do not reach all checks (OK %ld MALFORMED %ld TRUNCATED %ld "
                 "ENTRY %ld)", hist[ELF_OK], hist[ELF_ERR_MALFORMED],
                 hist[ELF_ERR_TRUNCATED], hist[ELF_ERR_ENTRY]);
    printf("# %s: %d mutants:", name, count);
    for (int r = 0; r < RESULT_COUNT; r++)
        if (hist[r])
            printf(" %s=%ld", result_name(r), hist[r]);
    printf("\n");
    char group[256];
    snprintf(group, sizeof group, "mutants of %s", name);
    group_end(group);
}

int main(int argc, char **argv)
{
    test_valid();
    test_not_elf();
    test_truncated();
    test_arch();
    test_dynamic();
    test_malformed();
    test_no_load_and_entry();
    test_tables();
    test_real_dynamic();

    build_valid(g_img);
    mutation_run("the built image", g_img, IMG_SIZE, IMG_SIZE, 0x5eed0001, 40000);
    if (argc > 1) {
        size_t head_len;
        uint64_t file_size;
        uint8_t *head = read_head(argv[1], &head_len, &file_size);
        struct elf_check_info info;
        if (!head) {
            fail_why("cannot read %s", argv[1]);
            group_end("real static binary");
        } else {
            enum elf_check_result r = run_check(head, head_len, file_size, 1, &info);
            if (r != ELF_OK)
                fail_why("%s: got %s (%s), want OK", argv[1], result_name(r),
                         info.reason ? info.reason : "-");
            group_end("real static binary accepted");
            if (r == ELF_OK)
                mutation_run(argv[1], head, head_len, file_size, 0x5eed0002, 40000);
            free(head);
        }
    }
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
