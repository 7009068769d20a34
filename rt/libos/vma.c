/* The VMA list (see vma.h). */
#include "libos/vma.h"
#include "lib/mutex.h"
#include "lib/string.h"
#include "pal/host.h"

static struct mutex g_vma_lock;
static struct vma *g_vmas;
static size_t g_vma_count, g_vma_capacity;

/* Index of the first vma whose end is above addr. */
static size_t first_ending_after(uintptr_t addr)
{
    size_t lo = 0, hi = g_vma_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g_vmas[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The array lives in one reservation made at first use and never moved: pages are
 * committed as it grows, and the reservation itself is recorded as asis memory so the
 * app cannot map over the records. */
#define VMA_ARRAY_BYTES (64UL << 20)

static void insert(uintptr_t start, uintptr_t end, int prot, int flags, enum vma_owner owner);

static int reserve(size_t extra)
{
    if (!g_vmas) {
        struct vma *a = host_mmap(0, VMA_ARRAY_BYTES, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (host_is_error((long)a))
            return -1;
        g_vmas = a;
        g_vma_capacity = VMA_ARRAY_BYTES / sizeof(*a);
        insert((uintptr_t)a, (uintptr_t)a + VMA_ARRAY_BYTES, PROT_READ | PROT_WRITE, 0, VMA_ASIS);
    }
    return g_vma_count + extra <= g_vma_capacity ? 0 : -1;
}

/* Cuts [start, end) out of every vma of the given owners (0: any owner). */
static void carve(uintptr_t start, uintptr_t end, int owners)
{
    size_t i = first_ending_after(start);
    while (i < g_vma_count && g_vmas[i].start < end) {
        struct vma *v = &g_vmas[i];
        if (owners && !(v->owner & owners)) {
            i++;
            continue;
        }
        if (v->start < start && v->end > end) {
            /* split in two around the hole */
            if (reserve(1))
                return;
            v = &g_vmas[i];
            memmove(&g_vmas[i + 1], &g_vmas[i], (g_vma_count - i) * sizeof(*v));
            g_vma_count++;
            g_vmas[i].end = start;
            g_vmas[i + 1].start = end;
            return;
        }
        if (v->start < start) {
            v->end = start;
            i++;
        } else if (v->end > end) {
            v->start = end;
            i++;
        } else {
            memmove(&g_vmas[i], &g_vmas[i + 1], (g_vma_count - i - 1) * sizeof(*v));
            g_vma_count--;
        }
    }
}

static void insert(uintptr_t start, uintptr_t end, int prot, int flags, enum vma_owner owner)
{
    carve(start, end, 0);
    if (reserve(1))
        return;
    size_t i = first_ending_after(start);
    memmove(&g_vmas[i + 1], &g_vmas[i], (g_vma_count - i) * sizeof(g_vmas[0]));
    g_vmas[i] = (struct vma){ start, end, prot, flags, owner };
    g_vma_count++;
}

static uintptr_t page_down(uintptr_t a) { return a & ~4095UL; }
static uintptr_t page_up(uintptr_t a) { return (a + 4095) & ~4095UL; }

void vma_note_asis(uintptr_t start, size_t len)
{
    mutex_lock(&g_vma_lock);
    insert(page_down(start), page_up(start + len), PROT_READ | PROT_WRITE, 0, VMA_ASIS);
    mutex_unlock(&g_vma_lock);
}

void vma_note_app(uintptr_t start, size_t len, int prot, int flags)
{
    mutex_lock(&g_vma_lock);
    insert(page_down(start), page_up(start + len), prot, flags, VMA_APP);
    mutex_unlock(&g_vma_lock);
}

void vma_forget_asis(uintptr_t start, size_t len)
{
    mutex_lock(&g_vma_lock);
    carve(page_down(start), page_up(start + len), VMA_ASIS);
    mutex_unlock(&g_vma_lock);
}

void vma_forget_app(uintptr_t start, size_t len)
{
    mutex_lock(&g_vma_lock);
    carve(page_down(start), page_up(start + len), VMA_APP);
    mutex_unlock(&g_vma_lock);
}

void vma_protect_app(uintptr_t start, size_t len, int prot)
{
    uintptr_t s = page_down(start), e = page_up(start + len);
    mutex_lock(&g_vma_lock);
    /* Split at both ends, then relabel the vmas inside. */
    for (size_t i = first_ending_after(s); i < g_vma_count && g_vmas[i].start < e; i++) {
        struct vma v = g_vmas[i];
        if (v.owner != VMA_APP || v.prot == prot)
            continue;
        uintptr_t a = v.start > s ? v.start : s, b = v.end < e ? v.end : e;
        insert(a, b, prot, v.flags, VMA_APP);
        if (v.start < a)
            insert(v.start, a, v.prot, v.flags, VMA_APP);
        if (v.end > b)
            insert(b, v.end, v.prot, v.flags, VMA_APP);
        i = first_ending_after(b) - 1;
    }
    mutex_unlock(&g_vma_lock);
}

uintptr_t vma_first_asis(uintptr_t start, size_t len)
{
    uintptr_t end = start + len < start ? UINTPTR_MAX : start + len;
    uintptr_t hit = 0;
    mutex_lock(&g_vma_lock);
    for (size_t i = first_ending_after(start); i < g_vma_count && g_vmas[i].start < end; i++)
        if (g_vmas[i].owner == VMA_ASIS) {
            hit = g_vmas[i].start > start ? g_vmas[i].start : start;
            break;
        }
    mutex_unlock(&g_vma_lock);
    return hit;
}

int vma_overlaps_asis(uintptr_t start, size_t len)
{
    if (start + len < start)
        return 1;
    return vma_first_asis(start, len) != 0;
}

int vma_app_prot_at(uintptr_t addr)
{
    int prot = PROT_READ | PROT_WRITE;
    mutex_lock(&g_vma_lock);
    size_t i = first_ending_after(addr);
    if (i < g_vma_count && g_vmas[i].start <= addr && g_vmas[i].owner == VMA_APP)
        prot = g_vmas[i].prot;
    mutex_unlock(&g_vma_lock);
    return prot;
}

size_t vma_count(void)
{
    return g_vma_count;
}

void vma_lock(void)
{
    mutex_lock(&g_vma_lock);
}

void vma_unlock(void)
{
    mutex_unlock(&g_vma_lock);
}
