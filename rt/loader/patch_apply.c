/* Applies the front end's patch plan (common/patch_plan.h) to the image just loaded,
 * before the app's first instruction (docs/patching-design.md 3.2, 5.3). Only one thread
 * exists, so no other CPU can be executing the bytes being rewritten. Every site is
 * checked against the loaded bytes; a site that fails any check is left alone and keeps
 * trapping, so a stale or damaged plan costs speed, never correctness. */
#include "libos/patch.h"
#include "patch_plan.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/vma.h"
#include "loader/loader.h"
#include "pal/host.h"

#define PAGE 4096UL
static uintptr_t page_down(uintptr_t a) { return a & ~(PAGE - 1); }
static uintptr_t page_up(uintptr_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }

uintptr_t g_patch_stub_base;
uint32_t g_patch_nslots;

/* Offsets in a stub slot after the copied instructions (see build_stub). */
#define STUB_LEA_BYTES 7   /* lea R(%rip), %rcx */
#define STUB_MOV_BYTES 6   /* mov $k, %r11d */
#define STUB_JMP_BYTES 6   /* jmp *entry(%rip) */
#define STUB_TAIL_BYTES 7  /* syscall; jmp R */
#define REL32_MAX 0x7fffff00L

static int fits_rel32(uintptr_t from_end, uintptr_t to)
{
    long d = (long)(to - from_end);
    return d > -REL32_MAX && d < REL32_MAX;
}

static void put_rel32(uint8_t *p, uintptr_t insn_end, uintptr_t target)
{
    int32_t rel = (int32_t)(long)(target - insn_end);
    memcpy(p, &rel, 4);
}

static int read_all(int fd, void *buf, size_t n, long off)
{
    size_t done = 0;
    while (done < n) {
        long r = host_syscall4(__NR_pread64, fd, (char *)buf + done, n - done, off + done);
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

static int selected(const struct patch_site *s, enum patch_mode mode)
{
    if (s->kind == PATCH_SITE_GO)
        return mode == PATCH_GO || mode == PATCH_ALL;
    return s->kind == PATCH_SITE_GENERIC && mode == PATCH_ALL;
}

/* The window [a, a+len) is the plan's, executable and readable, and holds its bytes. */
static int site_checks(const struct patch_site *s, uintptr_t a)
{
    if (s->len < 5 || s->len > sizeof(s->orig) || s->prefix_len != s->len - 2 ||
        s->orig[s->len - 2] != 0x0f || s->orig[s->len - 1] != 0x05)
        return 0;
    int p0 = vma_app_prot_at(a), p1 = vma_app_prot_at(a + s->len - 1);
    int rx = PROT_READ | PROT_EXEC;
    if ((p0 & rx) != rx || (p1 & rx) != rx || (p0 & PROT_WRITE) || vma_overlaps_asis(a, s->len))
        return 0;
    return memcmp((const void *)a, s->orig, s->len) == 0;
}

/* A page for the stubs within rel32 reach of every site in [lo, hi): just below the
 * image (Go links at 0x400000, leaving the space under it free), else 1 GiB above its
 * end, beyond where its break grows. */
static uintptr_t map_stub_page(size_t bytes, uintptr_t lo, uintptr_t hi,
                               const struct loaded_image *img)
{
    uintptr_t image_start = page_down(lo), image_end = page_up(img->brk_reserved_end);
    if (image_end < img->end + (1UL << 30))
        image_end = page_up(img->end + (1UL << 30));
    for (int i = 0; i < 80; i++) {
        uintptr_t want = i < 64 ? image_start - bytes - ((uintptr_t)i << 20) - (1UL << 20)
                                : image_end + ((uintptr_t)(i - 64) << 20);
        if (want < 0x10000 || (i < 64 && want > image_start)) {
            i = 63; /* no room below: try above */
            continue;
        }
        if (!fits_rel32(want, hi) || !fits_rel32(hi, want) || !fits_rel32(lo, want + bytes))
            continue;
        long r = host_syscall6(__NR_mmap, want, bytes, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if ((uintptr_t)r == want)
            return want;
        if (!host_is_error(r))
            host_munmap((void *)r, bytes);
    }
    return 0;
}

/* Slot k: the window's instructions before its syscall, then the SYSCALL contract
 * (rcx = R, r11 = k) and a jump to the entry; then path T's own syscall and the way
 * back. */
static uintptr_t build_stub(uint8_t *slot, uintptr_t slot_addr, const struct patch_site *s,
                            uint32_t k, uintptr_t ret, uintptr_t entry_literal)
{
    size_t o = s->prefix_len;
    memcpy(slot, s->orig, o);
    slot[o] = 0x48, slot[o + 1] = 0x8d, slot[o + 2] = 0x0d; /* lea R(%rip), %rcx */
    put_rel32(slot + o + 3, slot_addr + o + STUB_LEA_BYTES, ret);
    o += STUB_LEA_BYTES;
    slot[o] = 0x41, slot[o + 1] = 0xbb; /* mov $k, %r11d */
    memcpy(slot + o + 2, &k, 4);
    o += STUB_MOV_BYTES;
    slot[o] = 0xff, slot[o + 1] = 0x25; /* jmp *entry(%rip) */
    put_rel32(slot + o + 2, slot_addr + o + STUB_JMP_BYTES, entry_literal);
    o += STUB_JMP_BYTES;
    uintptr_t trap = slot_addr + o;
    slot[o] = 0x0f, slot[o + 1] = 0x05; /* syscall */
    slot[o + 2] = 0xe9;                 /* jmp R */
    put_rel32(slot + o + 3, slot_addr + o + STUB_TAIL_BYTES, ret);
    o += STUB_TAIL_BYTES;
    memset(slot + o, 0xcc, PATCH_STUB_BYTES - o);
    return trap;
}

/* The pages being rewritten: writable (and not executable) while the sites on them are
 * written, one mprotect pair per run of pages rather than per site. */
struct write_window {
    uintptr_t start, end; /* page aligned; empty if start == end */
    int prot;             /* to restore */
};

static void write_window_close(struct write_window *w)
{
    if (w->end > w->start)
        host_mprotect((void *)w->start, w->end - w->start, w->prot);
    w->start = w->end = 0;
}

/* Makes [a, a+len) writable, extending the open window if the site is on its pages or
 * the page after. 0, or -1 if the host refused. */
static int write_window_cover(struct write_window *w, uintptr_t a, size_t len)
{
    uintptr_t p = page_down(a), e = page_up(a + len);
    int prot = vma_app_prot_at(a);
    if (w->end > w->start && p >= w->start && p <= w->end && prot == w->prot) {
        if (e > w->end && host_mprotect((void *)w->end, e - w->end, PROT_READ | PROT_WRITE) < 0)
            return -1;
        if (e > w->end)
            w->end = e;
        return 0;
    }
    write_window_close(w);
    if (host_mprotect((void *)p, e - p, PROT_READ | PROT_WRITE) < 0)
        return -1;
    *w = (struct write_window){ p, e, prot };
    return 0;
}

void patch_apply(int plan_fd, enum patch_mode mode, const struct loaded_image *img)
{
    uintptr_t bias = img->bias;
    struct patch_plan_header h;
    if (read_all(plan_fd, &h, sizeof(h), 0) < 0 || memcmp(h.magic, PATCH_PLAN_MAGIC, 8) != 0 ||
        h.version != PATCH_PLAN_VERSION || h.nsites > PATCH_PLAN_MAX_SITES) {
        log_warn("the patch plan is unreadable or of another version; every site traps");
        return;
    }
    if (!h.nsites || mode == PATCH_OFF)
        return;
    size_t sites_bytes = page_up(h.nsites * sizeof(struct patch_site));
    struct patch_site *sites = host_mmap(0, sites_bytes, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host_is_error((long)sites))
        return;
    if (read_all(plan_fd, sites, h.nsites * sizeof(struct patch_site), sizeof(h)) < 0) {
        log_warn("the patch plan is truncated; every site traps");
        host_munmap(sites, sites_bytes);
        return;
    }

    /* Which sites pass their checks, and the range they span. */
    uint32_t n = 0, refused = 0;
    uintptr_t lo = ~0UL, hi = 0, prev_end = 0;
    for (uint32_t i = 0; i < h.nsites; i++) {
        struct patch_site *s = &sites[i];
        if (!selected(s, mode))
            continue;
        uintptr_t a = s->vaddr + bias;
        if (a < prev_end || !site_checks(s, a)) {
            s->kind = PATCH_SITE_TRAPPED; /* out of order, overlapping or not as planned */
            refused++;
            continue;
        }
        prev_end = a + s->len;
        lo = a < lo ? a : lo;
        hi = prev_end > hi ? prev_end : hi;
        n++;
    }
    if (refused)
        log_info("patch plan: %u sites differ from the program and keep trapping", refused);
    if (!n) {
        host_munmap(sites, sites_bytes);
        return;
    }

    size_t stub_bytes = page_up((size_t)n * PATCH_STUB_BYTES + 8);
    size_t slots_bytes = page_up((size_t)n * sizeof(struct patch_slot));
    uintptr_t stubs = map_stub_page(stub_bytes, lo, hi, img);
    struct patch_slot *slots = host_mmap(0, slots_bytes, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!stubs || host_is_error((long)slots)) {
        log_warn("no room for the patch stubs near the program; every site traps");
        if (stubs)
            host_munmap((void *)stubs, stub_bytes);
        host_munmap(sites, sites_bytes);
        return;
    }
    uintptr_t entry_literal = stubs + stub_bytes - 8;
    uintptr_t entry = (uintptr_t)pal_patch_entry;
    memcpy((void *)entry_literal, &entry, 8);

    uint32_t k = 0;
    for (uint32_t i = 0; i < h.nsites; i++) {
        const struct patch_site *s = &sites[i];
        if (!selected(s, mode))
            continue;
        uintptr_t a = s->vaddr + bias, slot = stubs + (uintptr_t)k * PATCH_STUB_BYTES;
        slots[k].start = a;
        slots[k].ret = a + s->len;
        slots[k].plan_index = i;
        slots[k].nr = s->nr;
        slots[k].trap = build_stub((uint8_t *)slot, slot, s, k, a + s->len, entry_literal);
        k++;
    }
    host_mprotect((void *)stubs, stub_bytes, PROT_READ | PROT_EXEC);
    host_mprotect(slots, slots_bytes, PROT_READ);
    vma_note_asis(stubs, stub_bytes);
    vma_note_asis((uintptr_t)slots, slots_bytes);
    g_patch_slots = slots;
    g_patch_stub_base = stubs;
    g_patch_nslots = n;

    /* Now the sites: jmp rel32 to the stub, int3 over the rest of the window. */
    struct write_window win = { 0, 0, 0 };
    for (k = 0; k < n; k++) {
        const struct patch_site *s = &sites[slots[k].plan_index];
        uintptr_t a = slots[k].start, stub = stubs + (uintptr_t)k * PATCH_STUB_BYTES;
        if (write_window_cover(&win, a, s->len) < 0)
            continue; /* stays as it was: its syscall traps */
        uint8_t *w = (uint8_t *)a;
        memset(w + 5, 0xcc, s->len - 5);
        put_rel32(w + 1, a + 5, stub);
        w[0] = 0xe9;
    }
    write_window_close(&win);
    log_info("patch plan: %u of %u sites patched", n, h.nsites);
    host_munmap(sites, sites_bytes);
}
