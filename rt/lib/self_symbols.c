/* A small symbolizer over the runtime's own ELF file (self_symbols.h). It trusts nothing
 * the file says: every offset and count is bounded before it is used, and the file must
 * begin with the very headers and build-id the kernel loaded, so a rebuilt or foreign
 * file is never taken for ours. */
#include "lib/self_symbols.h"
#include <elf.h>
#include "lib/string.h"
#include "pal/host.h"

extern const char __ehdr_start[], _end[];

#define SCRATCH_BYTES 4096
#define MAX_SECTIONS 1024
#define MAX_SYMBOLS (1u << 20)

/* Static rather than on the stack: callers run on a stack already in trouble. Only fatal
 * paths come here, so one user at a time is enough; a second one just gets no name. */
static union {
    unsigned char bytes[SCRATCH_BYTES];
    Elf64_Sym syms[SCRATCH_BYTES / sizeof(Elf64_Sym)];
} g_scratch;
static int g_scratch_busy;

/* Exactly n bytes at off, or -1 (a short read is a truncated file). */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    if (off > (uint64_t)INT64_MAX - n)
        return -1;
    return host_syscall4(__NR_pread64, fd, buf, n, off) == (long)n ? 0 : -1;
}

/* How many first bytes of the loaded image are the file's own bytes, unchanged by
 * loading: the ELF header, the program headers and the notes (the build-id). Also the
 * link-time address of the image's first byte. 0 if the image is not as expected. */
static size_t loaded_head(uint64_t *link_base)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start;
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > SCRATCH_BYTES ||
        eh->e_phnum > (SCRATCH_BYTES - eh->e_phoff) / sizeof(Elf64_Phdr))
        return 0; /* the program headers must lie in the first page, which is mapped */
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(__ehdr_start + eh->e_phoff);
    const Elf64_Phdr *first = 0;
    for (int i = 0; i < eh->e_phnum && !first; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            first = &ph[i];
    uint64_t head = eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr);
    if (!first || head > first->p_filesz)
        return 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_NOTE && p->p_vaddr - first->p_vaddr == p->p_offset &&
            p->p_filesz <= first->p_filesz && p->p_offset <= first->p_filesz - p->p_filesz &&
            p->p_offset + p->p_filesz > head)
            head = p->p_offset + p->p_filesz;
    }
    *link_base = first->p_vaddr;
    return head < SCRATCH_BYTES ? head : SCRATCH_BYTES;
}

static int read_section(int fd, const Elf64_Ehdr *eh, unsigned i, Elf64_Shdr *sh)
{
    if (i >= eh->e_shnum || eh->e_shoff > (uint64_t)INT64_MAX)
        return -1;
    return read_at(fd, sh, sizeof(*sh), eh->e_shoff + (uint64_t)i * sizeof(*sh));
}

/* The first SHT_SYMTAB and the string table it names. */
static int find_symtab(int fd, const Elf64_Ehdr *eh, Elf64_Shdr *symtab, Elf64_Shdr *strtab)
{
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum > MAX_SECTIONS)
        return -1;
    for (unsigned i = 1; i < eh->e_shnum; i++) {
        if (read_section(fd, eh, i, symtab) < 0)
            return -1;
        if (symtab->sh_type != SHT_SYMTAB)
            continue;
        if (symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_offset > (uint64_t)INT64_MAX ||
            symtab->sh_size / sizeof(Elf64_Sym) > MAX_SYMBOLS ||
            read_section(fd, eh, symtab->sh_link, strtab) < 0 || strtab->sh_type != SHT_STRTAB ||
            strtab->sh_offset > (uint64_t)INT64_MAX)
            return -1;
        return 0;
    }
    return -1; /* stripped */
}

/* The symbol for pc: the function whose extent holds it, else (code written in assembly
 * has no sizes) the nearest label without a size at or below it. */
static int find_symbol(int fd, const Elf64_Shdr *symtab, uint64_t pc, Elf64_Sym *best)
{
    const uint64_t count = symtab->sh_size / sizeof(Elf64_Sym);
    const uint64_t per_read = sizeof(g_scratch.syms) / sizeof(g_scratch.syms[0]);
    Elf64_Sym nearest = { 0 };
    int found = 0;
    for (uint64_t i = 0; i < count; i += per_read) {
        uint64_t n = count - i < per_read ? count - i : per_read;
        if (read_at(fd, g_scratch.syms, n * sizeof(Elf64_Sym),
                    symtab->sh_offset + i * sizeof(Elf64_Sym)) < 0)
            return -1;
        for (uint64_t j = 0; j < n; j++) {
            const Elf64_Sym *s = &g_scratch.syms[j];
            int type = ELF64_ST_TYPE(s->st_info);
            if (s->st_name == 0 || s->st_shndx == SHN_UNDEF || s->st_shndx >= SHN_LORESERVE ||
                s->st_value > pc || (type != STT_FUNC && type != STT_NOTYPE))
                continue;
            if (type == STT_FUNC && pc - s->st_value < s->st_size) {
                *best = *s;
                return 0;
            }
            if (s->st_size == 0 && (!found || s->st_value > nearest.st_value)) {
                nearest = *s;
                found = 1;
            }
        }
    }
    *best = nearest;
    return found ? 0 : -1;
}

static int lookup_in(int fd, uintptr_t addr, char *name, size_t size, uintptr_t *offset)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start; /* the file's, once checked */
    uint64_t link_base = 0;
    size_t head = loaded_head(&link_base);
    if (!head || read_at(fd, g_scratch.bytes, head, 0) < 0 ||
        memcmp(g_scratch.bytes, __ehdr_start, head) != 0)
        return -1;
    uint64_t pc = addr - (uintptr_t)__ehdr_start + link_base;

    Elf64_Shdr symtab, strtab, code;
    Elf64_Sym sym;
    if (find_symtab(fd, eh, &symtab, &strtab) < 0 || find_symbol(fd, &symtab, pc, &sym) < 0)
        return -1;
    /* Its section must be code that holds pc: a label of some other section, or the last
     * one before a gap, names nothing. */
    if (read_section(fd, eh, sym.st_shndx, &code) < 0 || !(code.sh_flags & SHF_EXECINSTR) ||
        pc < code.sh_addr || pc - code.sh_addr >= code.sh_size)
        return -1;

    if (sym.st_name >= strtab.sh_size)
        return -1;
    uint64_t avail = strtab.sh_size - sym.st_name;
    size_t n = size - 1 < avail ? size - 1 : (size_t)avail;
    long got = host_syscall4(__NR_pread64, fd, name, n, strtab.sh_offset + sym.st_name);
    if (got <= 0 || (size_t)got > n)
        return -1;
    name[got] = 0;
    for (long k = 0; k < got && name[k]; k++)
        if (name[k] < 0x20 || name[k] > 0x7e)
            name[k] = '?'; /* it goes into a log line */
    if (!name[0])
        return -1;
    *offset = pc - sym.st_value;
    return 0;
}

int self_symbol_lookup(uintptr_t addr, char *name, size_t size, uintptr_t *offset)
{
    if (size < 2 || addr < (uintptr_t)__ehdr_start || addr >= (uintptr_t)_end)
        return -1;
    if (__atomic_exchange_n(&g_scratch_busy, 1, __ATOMIC_ACQUIRE))
        return -1;
    int r = -1;
    /* The host's /proc, not the app's view of it: this is the runtime's own file. */
    long fd = host_syscall4(__NR_openat, AT_FDCWD, "/proc/self/exe",
                            O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
    if (fd >= 0) {
        r = lookup_in((int)fd, addr, name, size, offset);
        host_close((int)fd);
    }
    __atomic_store_n(&g_scratch_busy, 0, __ATOMIC_RELEASE);
    return r;
}
