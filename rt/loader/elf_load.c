/* Maps a static ELF executable (ET_EXEC at its link address, or a static-pie ET_DYN
 * anywhere) the way the kernel's binfmt_elf does: file-backed private mappings with the
 * segments' protections, the bss zeroed. elf_check() has vetted every header first. */
#include "loader/loader.h"
#include <elf.h>
#include "elf_check.h"
#include "lib/string.h"
#include "libos/vma.h"
#include "pal/host.h"

#define PAGE 4096UL
static uintptr_t page_down(uintptr_t a) { return a & ~(PAGE - 1); }
static uintptr_t page_up(uintptr_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }

static uint8_t g_head[ELF_CHECK_HEAD_BYTES];

/* A static-pie lands in the top-down mmap area, right under other mappings, so its break
 * could never grow there; Linux moves such a brk away for the same reason. asis keeps
 * this much address space (reserved, not committed) after the image for it. */
#define PIE_BRK_ROOM (1UL << 30)

static int segment_prot(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

static int map_segment(int fd, const Elf64_Phdr *ph, uintptr_t bias)
{
    int prot = segment_prot(ph->p_flags);
    uintptr_t start = page_down(bias + ph->p_vaddr);
    uintptr_t file_end = bias + ph->p_vaddr + ph->p_filesz;
    uintptr_t mem_end = page_up(bias + ph->p_vaddr + ph->p_memsz);

    if (ph->p_filesz) {
        long r = host_syscall6(__NR_mmap, start, file_end - start, prot,
                               MAP_PRIVATE | MAP_FIXED, fd, page_down(ph->p_offset));
        if (host_is_error(r))
            return (int)r;
        /* The rest of the last file page belongs to the bss: zero it. */
        if (ph->p_memsz > ph->p_filesz && (file_end & (PAGE - 1))) {
            if (!(prot & PROT_WRITE))
                host_mprotect((void *)page_down(file_end), PAGE, prot | PROT_WRITE);
            memset((void *)file_end, 0, page_up(file_end) - file_end);
            if (!(prot & PROT_WRITE))
                host_mprotect((void *)page_down(file_end), PAGE, prot);
        }
    }
    uintptr_t anon_start = ph->p_filesz ? page_up(file_end) : start;
    if (mem_end > anon_start) {
        long r = host_syscall6(__NR_mmap, anon_start, mem_end - anon_start, prot,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (host_is_error(r))
            return (int)r;
    }
    if (mem_end > start)
        vma_note_app(start, mem_end - start, prot, MAP_PRIVATE);
    return 0;
}

int elf_load(int fd, struct loaded_image *img)
{
    long size = host_syscall3(__NR_lseek, fd, 0, 2 /* SEEK_END */);
    if (size < 0)
        return (int)size;
    long got = host_syscall4(__NR_pread64, fd, g_head, sizeof(g_head), 0);
    if (got < 0)
        return (int)got;
    struct elf_check_info info;
    enum elf_check_result check = elf_check(g_head, (size_t)got, (uint64_t)size, &info);
    if (check != ELF_OK)
        return (int)check;

    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)g_head;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(g_head + eh->e_phoff);
    size_t span = page_up(info.highest_vaddr) - info.lowest_vaddr;
    size_t brk_room = eh->e_type == ET_DYN ? PIE_BRK_ROOM : 0;

    /* ET_EXEC goes where it was linked; a static-pie wherever the host finds room.
     * Reserving the whole span first keeps segments together and refuses to map over
     * anything already there (asis itself included). */
    uintptr_t want = eh->e_type == ET_EXEC ? info.lowest_vaddr : 0;
    long base = host_syscall6(__NR_mmap, want, span + brk_room, PROT_NONE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                                  (want ? MAP_FIXED_NOREPLACE : 0),
                              -1, 0);
    if (host_is_error(base))
        return (int)base;
    if (want && (uintptr_t)base != want) { /* a kernel that took NOREPLACE as a hint */
        host_munmap((void *)base, span);
        return -EEXIST;
    }
    uintptr_t bias = (uintptr_t)base - info.lowest_vaddr;

    img->phdr_addr = 0;
    img->exec_stack = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_GNU_STACK)
            img->exec_stack = (ph[i].p_flags & PF_X) != 0;
        if (ph[i].p_type == PT_PHDR)
            img->phdr_addr = bias + ph[i].p_vaddr;
        if (ph[i].p_type != PT_LOAD)
            continue;
        int r = map_segment(fd, &ph[i], bias);
        if (r < 0)
            return r;
        /* Without PT_PHDR, the headers are wherever the file's bytes at e_phoff landed. */
        if (!img->phdr_addr && eh->e_phoff >= ph[i].p_offset &&
            eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= ph[i].p_offset + ph[i].p_filesz)
            img->phdr_addr = bias + ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset);
    }
    img->bias = bias;
    img->entry = bias + eh->e_entry;
    img->phnum = eh->e_phnum;
    img->end = bias + info.highest_vaddr;
    img->brk_reserved_end = (uintptr_t)base + span + brk_room;
    if (brk_room)
        vma_note_app((uintptr_t)base + span, brk_room, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    return 0;
}
