/* Memory: mmap and friends go to the host at the same addresses (the app and asis share
 * one address space), are recorded in the VMA list, and may not touch asis's memory. */
#include "libos/syscall.h"
#include "libos/mm.h"
#include "libos/vma.h"
#include "libos/fd_reserve.h"
#include "lib/mutex.h"
#include "pal/host.h"

#define PAGE 4096UL
static uintptr_t page_up(uintptr_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }

#define USER_SPACE_END 0x800000000000UL

static struct mutex g_brk_lock;
static uintptr_t g_brk_start, g_brk_cur;
static uintptr_t g_brk_reserved_end; /* [start, reserved_end) is held PROT_NONE for brk */

void mm_brk_init(uintptr_t start, uintptr_t reserved_end)
{
    g_brk_start = g_brk_cur = page_up(start);
    g_brk_reserved_end = reserved_end > g_brk_start ? reserved_end : g_brk_start;
}

/* Makes [from, to) usable heap: inside the reservation by replacing it, past it only
 * where nothing is mapped yet. */
static int brk_map(uintptr_t from, uintptr_t to)
{
    uintptr_t split = to < g_brk_reserved_end ? to : g_brk_reserved_end;
    if (from < split) {
        long r = host_syscall6(__NR_mmap, from, split - from, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (host_is_error(r))
            return -1;
    }
    uintptr_t rest = from > split ? from : split;
    if (rest < to) {
        long r = host_syscall6(__NR_mmap, rest, to - rest, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (host_is_error(r) || (uintptr_t)r != rest) {
            if (!host_is_error(r))
                host_munmap((void *)r, to - rest);
            return -1;
        }
    }
    vma_note_app(from, to - from, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    return 0;
}

/* Gives [from, to) back: inside the reservation it becomes reserved again. */
static void brk_unmap(uintptr_t from, uintptr_t to)
{
    uintptr_t split = to < g_brk_reserved_end ? to : g_brk_reserved_end;
    if (from < split) {
        host_syscall6(__NR_mmap, from, split - from, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        vma_note_app(from, split - from, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    }
    uintptr_t rest = from > split ? from : split;
    if (rest < to) {
        host_munmap((void *)rest, to - rest);
        vma_forget_app(rest, to - rest);
    }
}

long sys_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off)
{
    if (len == 0 || page_up(len) < len)
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS) && fd_is_reserved(fd))
        return -EBADF; /* (an anonymous mapping ignores its fd, as Linux does) */
    if ((flags & MAP_FIXED_NOREPLACE) && vma_overlaps_asis(addr, page_up(len)))
        return -EEXIST;
    if ((flags & MAP_FIXED) && vma_overlaps_asis(addr, page_up(len)))
        return -ENOMEM;
    long r = host_syscall6(__NR_mmap, addr, len, prot, flags, fd, off);
    if (!host_is_error(r))
        vma_note_app(r, len, prot, flags);
    return r;
}

long sys_munmap(uintptr_t addr, size_t len)
{
    if (vma_overlaps_asis(addr, page_up(len)))
        return -EINVAL;
    long r = host_munmap((void *)addr, len);
    if (r == 0)
        vma_forget_app(addr, len);
    return r;
}

long sys_mprotect(uintptr_t addr, size_t len, int prot)
{
    uintptr_t asis_start = vma_first_asis(addr, page_up(len));
    if (asis_start) {
        /* As Linux does at a hole: change what lies before it, then fail. */
        if (asis_start > addr && host_mprotect((void *)addr, asis_start - addr, prot) == 0)
            vma_protect_app(addr, asis_start - addr, prot);
        return -ENOMEM;
    }
    long r = host_mprotect((void *)addr, len, prot);
    if (r == 0)
        vma_protect_app(addr, len, prot);
    return r;
}

long sys_madvise(uintptr_t addr, size_t len, int advice)
{
    if (vma_overlaps_asis(addr, page_up(len)))
        return -ENOMEM;
    return host_syscall3(__NR_madvise, addr, len, advice);
}

long sys_mremap(uintptr_t old_addr, size_t old_len, size_t new_len, int flags, uintptr_t new_addr)
{
    if (vma_overlaps_asis(old_addr, page_up(old_len)))
        return -EFAULT;
    if ((flags & MREMAP_FIXED) && vma_overlaps_asis(new_addr, page_up(new_len)))
        return -EINVAL;
    int prot = vma_app_prot_at(old_addr);
    long r = host_syscall5(__NR_mremap, old_addr, old_len, new_len, flags, new_addr);
    if (!host_is_error(r)) {
        if (!(flags & MREMAP_DONTUNMAP))
            vma_forget_app(old_addr, old_len);
        vma_note_app(r, new_len, prot, MAP_PRIVATE);
    }
    return r;
}

/* brk is emulated on anonymous memory after the app's image, as the kernel places it;
 * growth fails (returns the old break) where something else is mapped. */
long sys_brk(uintptr_t addr)
{
    mutex_lock(&g_brk_lock);
    uintptr_t cur = g_brk_cur;
    if (addr >= g_brk_start && addr < USER_SPACE_END - PAGE && addr != cur) {
        uintptr_t old_top = page_up(cur), new_top = page_up(addr);
        if (new_top > old_top) {
            if (brk_map(old_top, new_top) == 0)
                cur = addr;
        } else {
            if (new_top < old_top)
                brk_unmap(new_top, old_top);
            cur = addr;
        }
        g_brk_cur = cur;
    }
    mutex_unlock(&g_brk_lock);
    return cur;
}

void mm_brk_lock(void)
{
    mutex_lock(&g_brk_lock);
}

void mm_brk_unlock(void)
{
    mutex_unlock(&g_brk_lock);
}
