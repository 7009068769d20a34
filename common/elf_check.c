/* Validation of an x86-64 ELF executable's header and program headers before anything
 * is mapped. Freestanding (the runtime links it too): no libc, and every field is read
 * byte by byte because the caller's buffer need not be aligned. */
#include <stddef.h>
#include <stdint.h>

#include "elf_check.h"
#include "exit_codes.h"

/* The few ELF constants needed, spelled out so no system header is required. */
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_TLS 7
#define PF_X 1

/* Offsets inside Elf64_Ehdr and Elf64_Phdr. */
#define E_TYPE 16
#define E_MACHINE 18
#define E_VERSION 20
#define E_ENTRY 24
#define E_PHOFF 32
#define E_EHSIZE 52
#define E_PHENTSIZE 54
#define E_PHNUM 56
#define P_TYPE 0
#define P_FLAGS 4
#define P_OFFSET 8
#define P_VADDR 16
#define P_FILESZ 32
#define P_MEMSZ 40
#define P_ALIGN 48

/* More program headers than any real program has; bounds the work and the head size. */
#define MAX_PHNUM 256
#define PAGE_SIZE 4096
/* End of the x86-64 user address space with 4-level paging; segments must lie below. */
#define USER_ADDR_END 0x800000000000ull

static uint16_t load16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load64(const uint8_t *p)
{
    return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32;
}

/* One program header, already decoded. */
struct phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

static struct phdr read_phdr(const uint8_t *p)
{
    struct phdr ph;
    ph.type = load32(p + P_TYPE);
    ph.flags = load32(p + P_FLAGS);
    ph.offset = load64(p + P_OFFSET);
    ph.vaddr = load64(p + P_VADDR);
    ph.filesz = load64(p + P_FILESZ);
    ph.memsz = load64(p + P_MEMSZ);
    ph.align = load64(p + P_ALIGN);
    return ph;
}

static enum elf_check_result fail(struct elf_check_info *info, enum elf_check_result r,
                                  int bad_phdr, const char *reason)
{
    info->bad_phdr = bad_phdr;
    info->reason = reason;
    return r;
}

/* The checks on the 64-byte ELF header, up to and including where the program header
 * table lies. */
static enum elf_check_result check_ehdr(const uint8_t *head, size_t head_len,
                                        uint64_t file_size, struct elf_check_info *info)
{
    if (head_len < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F')
        return fail(info, ELF_ERR_NOT_ELF, -1, 0);
    /* Class and byte order first, from whatever part of e_ident exists: a short 32-bit
     * file is better described as 32-bit than as truncated. */
    if (head_len > EI_CLASS && head[EI_CLASS] != ELFCLASS64)
        return fail(info, ELF_ERR_CLASS, -1, 0);
    if (head_len > EI_DATA && head[EI_DATA] != ELFDATA2LSB)
        return fail(info, ELF_ERR_ENDIAN, -1, 0);
    if (file_size < EHDR_SIZE)
        return fail(info, ELF_ERR_TRUNCATED, -1, "file ends inside the ELF header");
    if (head_len < EHDR_SIZE)
        return fail(info, ELF_ERR_MALFORMED, -1, "ELF header not inside the bytes read");

    info->type = load16(head + E_TYPE);
    info->entry = load64(head + E_ENTRY);
    info->phoff = load64(head + E_PHOFF);
    info->phnum = load16(head + E_PHNUM);

    if (load16(head + E_MACHINE) != EM_X86_64)
        return fail(info, ELF_ERR_MACHINE, -1, 0);
    if (head[EI_VERSION] != EV_CURRENT || load32(head + E_VERSION) != EV_CURRENT)
        return fail(info, ELF_ERR_VERSION, -1, 0);
    if (info->type != ET_EXEC && info->type != ET_DYN)
        return fail(info, ELF_ERR_TYPE, -1, 0);
    if (load16(head + E_EHSIZE) < EHDR_SIZE)
        return fail(info, ELF_ERR_MALFORMED, -1, "e_ehsize smaller than an ELF64 header");
    if (info->phnum == 0)
        return fail(info, ELF_ERR_NO_LOAD, -1, "no program headers");
    if (load16(head + E_PHENTSIZE) != PHDR_SIZE)
        return fail(info, ELF_ERR_MALFORMED, -1, "e_phentsize is not 56");
    if (info->phnum > MAX_PHNUM)
        return fail(info, ELF_ERR_MALFORMED, -1, "too many program headers");

    /* phnum <= MAX_PHNUM, so the table size cannot overflow; the offset can. */
    uint64_t table_size = (uint64_t)info->phnum * PHDR_SIZE;
    if (info->phoff > UINT64_MAX - table_size)
        return fail(info, ELF_ERR_MALFORMED, -1, "program header table offset overflows");
    uint64_t table_end = info->phoff + table_size;
    if (table_end > file_size)
        return fail(info, ELF_ERR_TRUNCATED, -1, "program header table extends past end of file");
    if (table_end > head_len)
        return fail(info, ELF_ERR_MALFORMED, -1, "program header table too far into the file");
    return ELF_OK;
}

static int is_power_of_two_or_zero(uint64_t x)
{
    return (x & (x - 1)) == 0;
}

/* The checks on one PT_LOAD on its own. */
static enum elf_check_result check_load(const struct phdr *ph, uint64_t file_size, int i,
                                        struct elf_check_info *info)
{
    if (ph->filesz > ph->memsz)
        return fail(info, ELF_ERR_MALFORMED, i, "p_filesz larger than p_memsz");
    if (ph->offset > UINT64_MAX - ph->filesz)
        return fail(info, ELF_ERR_MALFORMED, i, "segment file range overflows");
    if (ph->offset + ph->filesz > file_size)
        return fail(info, ELF_ERR_TRUNCATED, i, "segment extends past end of file");
    if (!is_power_of_two_or_zero(ph->align))
        return fail(info, ELF_ERR_MALFORMED, i, "p_align is not a power of two");
    /* mmap maps whole pages of the file, so address and offset must share a page offset. */
    if (ph->vaddr % PAGE_SIZE != ph->offset % PAGE_SIZE)
        return fail(info, ELF_ERR_MALFORMED, i, "p_vaddr and p_offset differ modulo the page size");
    if (ph->vaddr > UINT64_MAX - ph->memsz)
        return fail(info, ELF_ERR_MALFORMED, i, "segment address range overflows");
    if (ph->vaddr + ph->memsz > USER_ADDR_END)
        return fail(info, ELF_ERR_MALFORMED, i, "segment outside the user address space");
    return ELF_OK;
}

/* PT_TLS's initial image is copied from the file, so it must come from loaded bytes. */
static enum elf_check_result check_tls(const uint8_t *table, uint16_t phnum,
                                       const struct phdr *tls, int i,
                                       struct elf_check_info *info)
{
    if (tls->filesz > tls->memsz)
        return fail(info, ELF_ERR_MALFORMED, i, "p_filesz larger than p_memsz");
    if (!is_power_of_two_or_zero(tls->align))
        return fail(info, ELF_ERR_MALFORMED, i, "p_align is not a power of two");
    if (tls->offset > UINT64_MAX - tls->filesz)
        return fail(info, ELF_ERR_MALFORMED, i, "segment file range overflows");
    if (tls->filesz == 0)
        return ELF_OK;
    for (uint16_t j = 0; j < phnum; j++) {
        struct phdr ld = read_phdr(table + (size_t)j * PHDR_SIZE);
        /* Loads were checked already: offset + filesz does not overflow. */
        if (ld.type == PT_LOAD && tls->offset >= ld.offset &&
            tls->offset + tls->filesz <= ld.offset + ld.filesz)
            return ELF_OK;
    }
    return fail(info, ELF_ERR_MALFORMED, i, "TLS template not inside a loaded segment");
}

enum elf_check_result elf_check(const uint8_t *head, size_t head_len, uint64_t file_size,
                                struct elf_check_info *info)
{
    struct elf_check_info scratch;
    if (!info)
        info = &scratch;
    info->type = 0;
    info->entry = 0;
    info->phoff = 0;
    info->phnum = 0;
    info->lowest_vaddr = 0;
    info->highest_vaddr = 0;
    info->bad_phdr = -1;
    info->reason = 0;
    /* Bytes beyond the end of the file cannot be part of it. */
    if (head_len > file_size)
        head_len = (size_t)file_size;

    enum elf_check_result r = check_ehdr(head, head_len, file_size, info);
    if (r != ELF_OK)
        return r;
    const uint8_t *table = head + info->phoff;
    uint16_t phnum = info->phnum;

    /* A dynamic program gets the helpful message even if the rest is odd. */
    int interp_count = 0, phdr_count = 0, interp_index = -1;
    for (uint16_t i = 0; i < phnum; i++) {
        uint32_t type = load32(table + (size_t)i * PHDR_SIZE + P_TYPE);
        if (type == PT_INTERP) {
            if (++interp_count > 1)
                return fail(info, ELF_ERR_MALFORMED, i, "more than one PT_INTERP");
            interp_index = i;
        } else if (type == PT_PHDR && ++phdr_count > 1) {
            return fail(info, ELF_ERR_MALFORMED, i, "more than one PT_PHDR");
        }
    }
    if (interp_count)
        return fail(info, ELF_ERR_DYNAMIC, interp_index, 0);

    int load_count = 0, entry_ok = 0;
    uint64_t prev_vaddr = 0, prev_end = 0;
    for (uint16_t i = 0; i < phnum; i++) {
        struct phdr ph = read_phdr(table + (size_t)i * PHDR_SIZE);
        if (ph.type != PT_LOAD)
            continue;
        r = check_load(&ph, file_size, i, info);
        if (r != ELF_OK)
            return r;
        /* The ABI requires PT_LOADs in ascending p_vaddr order; requiring each to start at
         * or after the previous one's end also rules out overlap. Sharing a page is fine. */
        if (load_count > 0 && ph.vaddr < prev_vaddr)
            return fail(info, ELF_ERR_MALFORMED, i, "segments not in ascending address order");
        if (load_count > 0 && ph.vaddr < prev_end)
            return fail(info, ELF_ERR_MALFORMED, i, "segments overlap");
        if (load_count == 0)
            info->lowest_vaddr = ph.vaddr & ~(uint64_t)(PAGE_SIZE - 1);
        prev_vaddr = ph.vaddr;
        prev_end = ph.vaddr + ph.memsz;
        info->highest_vaddr = prev_end;
        load_count++;
        if ((ph.flags & PF_X) && info->entry >= ph.vaddr && info->entry - ph.vaddr < ph.memsz)
            entry_ok = 1;
    }
    if (load_count == 0)
        return fail(info, ELF_ERR_NO_LOAD, -1, 0);

    for (uint16_t i = 0; i < phnum; i++) {
        struct phdr ph = read_phdr(table + (size_t)i * PHDR_SIZE);
        if (ph.type != PT_TLS)
            continue;
        r = check_tls(table, phnum, &ph, i, info);
        if (r != ELF_OK)
            return r;
    }

    if (!entry_ok)
        return fail(info, ELF_ERR_ENTRY, -1, 0);
    return ELF_OK;
}

const char *elf_check_describe(enum elf_check_result result)
{
    switch (result) {
    case ELF_OK:
        return "valid x86-64 ELF executable";
    case ELF_ERR_NOT_ELF:
        return "not an ELF file";
    case ELF_ERR_TRUNCATED:
        return "truncated ELF file";
    case ELF_ERR_CLASS:
        return "not a 64-bit ELF file";
    case ELF_ERR_ENDIAN:
        return "not a little-endian ELF file";
    case ELF_ERR_MACHINE:
        return "not an x86-64 program";
    case ELF_ERR_VERSION:
        return "unsupported ELF version";
    case ELF_ERR_TYPE:
        return "not an executable (relocatable object or core file)";
    case ELF_ERR_DYNAMIC:
        return "dynamically linked programs are not supported yet; "
               "build it statically (for Go: CGO_ENABLED=0)";
    case ELF_ERR_MALFORMED:
        return "corrupt ELF program headers";
    case ELF_ERR_NO_LOAD:
        return "no loadable segments";
    case ELF_ERR_ENTRY:
        return "entry point is not in an executable segment";
    }
    return "unknown ELF check result";
}

int elf_check_exit_code(enum elf_check_result result)
{
    switch (result) {
    case ELF_OK:
        return 0;
    case ELF_ERR_NOT_ELF:
        return ASIS_EXIT_NOT_ELF;
    case ELF_ERR_TRUNCATED:
    case ELF_ERR_MALFORMED:
    case ELF_ERR_NO_LOAD:
    case ELF_ERR_ENTRY:
    case ELF_ERR_VERSION:
        return ASIS_EXIT_BAD_ELF;
    case ELF_ERR_CLASS:
    case ELF_ERR_ENDIAN:
    case ELF_ERR_MACHINE:
        return ASIS_EXIT_WRONG_ARCH;
    case ELF_ERR_TYPE:
    case ELF_ERR_DYNAMIC:
        return ASIS_EXIT_UNSUPPORTED;
    }
    return ASIS_EXIT_INTERNAL;
}
