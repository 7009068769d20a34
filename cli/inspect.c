/* asis inspect: what asis sees in a program before running it, including the syscall
 * sites binary patching finds (docs/patching-design.md 6). --sites prints only
 * `ADDR FUNC+OFF patch|trap` per site, sorted by address, for tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <Zydis/Zydis.h>

#include "cli.h"
#include "elf_check.h"
#include "exit_codes.h"
#include "go_buildinfo.h"
#include "patch.h"

static const char *const syscall_names[] = {
#define SYSCALL_NAME_COUNT_IS(n)
#define SYSCALL_NAME(nr, name) [nr] = #name,
#include "../rt/libos/syscall_names.h"
#undef SYSCALL_NAME
#undef SYSCALL_NAME_COUNT_IS
};

static const char *reason_text(uint8_t reason)
{
    switch (reason) {
    case PATCH_REASON_BRANCH_INTO: return "branch into window";
    case PATCH_REASON_NO_WINDOW: return "no movable window";
    case PATCH_REASON_NOT_IDEMPOTENT: return "not idempotent";
    case PATCH_REASON_NO_BOUNDS: return "function bounds unknown";
    case PATCH_REASON_UNSAFE_FUNCTION: return "function not provably safe";
    default: return "unknown reason";
    }
}

/* The window's moved instructions, AT&T syntax, "; "-separated. */
static void describe_prefix(const struct patch_site *s, char *out, size_t size)
{
    ZydisDecoder dec;
    ZydisFormatter fmt;
    out[0] = 0;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
        !ZYAN_SUCCESS(ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_ATT)))
        return;
    /* objdump's spelling: $0xe7, 0x8(%rsp) */
    ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
    ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_IMM_PADDING, ZYDIS_PADDING_DISABLED);
    ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_DISP_PADDING, ZYDIS_PADDING_DISABLED);
    size_t used = 0;
    for (unsigned off = 0; off < s->prefix_len;) {
        ZydisDecodedInstruction in;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        char text[96];
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, s->orig + off, s->prefix_len - off, &in, ops)) ||
            !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &in, ops, in.operand_count_visible,
                                                          text, sizeof text, s->vaddr + off, NULL)))
            return;
        int n = snprintf(out + used, size - used, "%s%s", off ? "; " : "", text);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
        off += in.length;
    }
}

static void print_site(const struct plan *p, const struct patch_site *s, int brief)
{
    uint64_t addr = s->vaddr + s->len - 2;
    const char *verdict = s->kind == PATCH_SITE_TRAPPED ? "trap" : "patch";
    char where[512]; /* FUNC+OFF, or ? when the function is unknown */
    if (s->name_off == UINT32_MAX)
        snprintf(where, sizeof where, "?");
    else
        snprintf(where, sizeof where, "%s+0x%x", plan_site_name(p, s), s->func_off);
    if (brief) {
        printf("0x%llx %s %s\n", (unsigned long long)addr, where, verdict);
        return;
    }
    char nr[48];
    if (s->nr >= 0 && (size_t)s->nr < sizeof syscall_names / sizeof *syscall_names &&
        syscall_names[s->nr])
        snprintf(nr, sizeof nr, "nr=%d (%s)", s->nr, syscall_names[s->nr]);
    else if (s->nr >= 0)
        snprintf(nr, sizeof nr, "nr=%d", s->nr);
    else
        snprintf(nr, sizeof nr, "nr=%s", s->kind == PATCH_SITE_TRAPPED ? "?" : "rax");
    char detail[256];
    if (s->kind == PATCH_SITE_TRAPPED) {
        snprintf(detail, sizeof detail, "%s", reason_text(s->reason));
    } else {
        char prefix[200];
        describe_prefix(s, prefix, sizeof prefix);
        snprintf(detail, sizeof detail, "%u B window: %s%s", s->len, prefix,
                 s->kind == PATCH_SITE_GENERIC ? "; --patch=all only" : "");
    }
    printf("0x%llx  %s  %s  %s (%s)\n", (unsigned long long)addr, where, nr, verdict, detail);
}

/* The go: and stripped: lines, from the mapped program. */
static void print_program_kind(int fd)
{
    struct program_image pi;
    if (program_image_map(fd, &pi) != 0) {
        printf("go:        unknown (cannot map the program)\nstripped:  unknown\n");
        return;
    }
    struct pclntab t;
    const char *why = "";
    char version[80];
    enum pclntab_status st = pclntab_find(&pi.elf, &t, &why);
    if (go_buildinfo_version(&pi.elf, version, sizeof version) != 0)
        snprintf(version, sizeof version, "version unknown");
    if (st == PCLNTAB_OK)
        printf("go:        %s (pclntab %s, %llu functions)\n", version, pclntab_format_name(&t),
               (unsigned long long)t.nfunc);
    else if (st == PCLNTAB_NOT_GO)
        printf("go:        no\n");
    else
        printf("go:        %s, not analysed (%s)\n", version, why);
    struct elf_section symtab;
    struct fde_range *fdes = NULL;
    size_t nfdes = 0;
    if (elf_image_find_section_type(&pi.elf, ELF_SHT_SYMTAB, &symtab) == 0)
        printf("stripped:  no\n");
    else if (st != PCLNTAB_OK && eh_frame_fdes(&pi.elf, &fdes, &nfdes) == 0 && nfdes)
        printf("stripped:  yes (function bounds from %zu .eh_frame FDEs)\n", nfdes);
    else
        printf("stripped:  yes\n");
    free(fdes);
    program_image_unmap(&pi);
}

static void print_sites(int fd, int brief)
{
    struct plan_result r;
    const char *why = "";
    if (plan_get(fd, &r, &why) != 0) {
        if (!brief)
            printf("plan:      none (%s)\n", why);
        return;
    }
    const struct plan *p = &r.plan;
    if (!brief)
        printf("plan:      %s (%s%.2f ms)\n", r.cached ? "cached" : "computed",
               r.cached == 2 ? "found by content, " : "", r.ms);
    uint32_t patched = 0;
    for (uint32_t i = 0; i < p->hdr->nsites; i++) {
        print_site(p, &p->sites[i], brief);
        patched += p->sites[i].kind != PATCH_SITE_TRAPPED;
    }
    if (!brief)
        printf("sites:     %u, patched %u, trapped %u\n", p->hdr->nsites, patched,
               p->hdr->nsites - patched);
    plan_result_free(&r);
}

int cmd_inspect(int argc, char **argv)
{
    int brief = argc == 2 && strcmp(argv[0], "--sites") == 0;
    if (argc != 1 + brief) {
        cli_error("inspect: give exactly one program (usage: asis inspect [--sites] PROGRAM)");
        return ASIS_EXIT_USAGE;
    }
    struct program prog;
    int status = program_open(argv[brief], &prog);
    if (status)
        return status;
    if (brief) {
        print_sites(prog.fd, 1);
        close(prog.fd);
        return 0;
    }
    static uint8_t head[ELF_CHECK_HEAD_BYTES];
    ssize_t got = pread(prog.fd, head, sizeof(head), 0);
    off_t size = lseek(prog.fd, 0, SEEK_END);
    struct elf_check_info info;
    elf_check(head, got < 0 ? 0 : (size_t)got, (uint64_t)size, &info);
    printf("program:   %s\n", prog.path);
    printf("format:    ELF64 x86-64, %s\n",
           info.type == 2 ? "static executable (ET_EXEC)" : "static position-independent (ET_DYN)");
    printf("entry:     0x%llx\n", (unsigned long long)info.entry);
    printf("segments:  0x%llx-0x%llx\n", (unsigned long long)info.lowest_vaddr,
           (unsigned long long)info.highest_vaddr);
    printf("runnable:  yes (patched sites below cost about a call, the rest a trap)\n");
    print_program_kind(prog.fd);
    print_sites(prog.fd, 0);
    close(prog.fd);
    return 0;
}
