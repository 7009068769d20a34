/* The patch plan: analysing a mapped program and laying its sites out in the shared
 * format (common/patch_plan.h), and checking a plan read back from the cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "patch.h"

#define SYSCALL_LEN 2
#define WINDOW_MIN 5
#define WINDOW_MAX 16

void site_list_add(struct site_list *l, const struct found_site *s)
{
    if (l->failed)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct found_site *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->failed = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *s;
}

void site_list_free(struct site_list *l)
{
    free(l->v);
    free(l->names);
    memset(l, 0, sizeof *l);
}

void site_make_trapped(struct patch_site *s, enum patch_trap_reason reason)
{
    uint8_t syscall_bytes[SYSCALL_LEN];
    memcpy(syscall_bytes, s->orig + s->len - SYSCALL_LEN, SYSCALL_LEN);
    s->vaddr += s->len - SYSCALL_LEN;
    memset(s->orig, 0, sizeof s->orig);
    memcpy(s->orig, syscall_bytes, SYSCALL_LEN);
    s->len = SYSCALL_LEN;
    s->prefix_len = 0;
    s->kind = PATCH_SITE_TRAPPED;
    s->reason = (uint8_t)reason;
}

int program_image_map(int fd, struct program_image *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (st.st_size <= 0) {
        errno = EINVAL;
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return -1;
    out->map = m;
    out->size = (size_t)st.st_size;
    if (elf_image_init(&out->elf, m, out->size) != 0) {
        program_image_unmap(out);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

void program_image_unmap(struct program_image *pi)
{
    if (pi->map)
        munmap(pi->map, pi->size);
    memset(pi, 0, sizeof *pi);
}

static uint64_t syscall_addr(const struct patch_site *s)
{
    return s->vaddr + s->len - SYSCALL_LEN;
}

static int compare_sites(const void *a, const void *b)
{
    uint64_t x = syscall_addr(&((const struct found_site *)a)->site);
    uint64_t y = syscall_addr(&((const struct found_site *)b)->site);
    return x < y ? -1 : x > y;
}

/* Sorted by syscall address, one site per syscall (functions that overlap decode it
 * twice: the more cautious reading wins), and no window overlapping the one before.
 * A window ends at its own syscall and holds no other, so sorting by syscall address
 * sorts by window start too once overlaps are trapped. */
static void normalise(struct site_list *l)
{
    if (!l->n)
        return;
    qsort(l->v, l->n, sizeof *l->v, compare_sites);
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct found_site *cur = &l->v[i];
        if (kept && syscall_addr(&l->v[kept - 1].site) == syscall_addr(&cur->site)) {
            struct patch_site *prev = &l->v[kept - 1].site;
            if (prev->kind != PATCH_SITE_TRAPPED &&
                (cur->site.kind == PATCH_SITE_TRAPPED || cur->site.len < prev->len))
                *prev = cur->site;
            continue;
        }
        if (kept) {
            const struct patch_site *prev = &l->v[kept - 1].site;
            if (cur->site.vaddr < prev->vaddr + prev->len)
                site_make_trapped(&cur->site, PATCH_REASON_BRANCH_INTO);
        }
        l->v[kept++] = *cur;
    }
    l->n = kept;
}

/* Lays out header, sites and names. Sites of one function are adjacent, so a name is
 * stored once per run of sites. */
static int lay_out(const struct site_list *l, uint32_t flags, uint64_t program_size,
                   const uint8_t program_sha256[32], struct plan *out)
{
    size_t n = l->n < PATCH_PLAN_MAX_SITES ? l->n : PATCH_PLAN_MAX_SITES;
    size_t names_bytes = 0;
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = l->v[i].name;
        if (name && (!last || strcmp(name, last) != 0)) {
            size_t len = strlen(name) + 1;
            if (names_bytes + len > PATCH_PLAN_MAX_NAMES)
                break;
            names_bytes += len;
            last = name;
        }
    }
    size_t size = sizeof(struct patch_plan_header) + n * sizeof(struct patch_site) + names_bytes;
    uint8_t *bytes = calloc(1, size);
    if (!bytes)
        return -1;
    struct patch_plan_header *h = (struct patch_plan_header *)bytes;
    memcpy(h->magic, PATCH_PLAN_MAGIC, sizeof h->magic);
    h->version = PATCH_PLAN_VERSION;
    h->nsites = (uint32_t)n;
    h->names_bytes = (uint32_t)names_bytes;
    h->flags = flags;
    h->program_size = program_size;
    memcpy(h->program_sha256, program_sha256, 32);
    struct patch_site *sites = (struct patch_site *)(h + 1);
    char *names = (char *)(sites + n);
    size_t used = 0;
    uint32_t last_off = UINT32_MAX;
    last = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = l->v[i].name;
        sites[i] = l->v[i].site;
        if (name && last && strcmp(name, last) == 0) {
            sites[i].name_off = last_off;
        } else if (name && used + strlen(name) + 1 <= names_bytes) {
            last_off = (uint32_t)used;
            last = name;
            memcpy(names + used, name, strlen(name) + 1);
            used += strlen(name) + 1;
            sites[i].name_off = last_off;
        } else {
            sites[i].name_off = UINT32_MAX;
        }
    }
    return plan_parse(bytes, size, out) == 0 ? 0 : (free(bytes), -1);
}

int plan_build(const struct elf_image *img, uint64_t program_size,
               const uint8_t program_sha256[32], struct plan *out)
{
    uint32_t flags = 0;
    struct elf_section symtab;
    if (elf_image_find_section_type(img, ELF_SHT_SYMTAB, &symtab) != 0)
        flags |= PATCH_PLAN_STRIPPED;
    struct site_list sites = {0};
    struct pclntab t;
    int r;
    if (pclntab_find(img, &t, NULL) == PCLNTAB_OK) {
        flags |= PATCH_PLAN_GO;
        r = go_sites_find(img, &t, &sites);
    } else {
        r = generic_sites_find(img, &sites);
    }
    if (r == 0 && !sites.failed) {
        normalise(&sites);
        r = lay_out(&sites, flags, program_size, program_sha256, out);
    } else {
        r = -1;
    }
    site_list_free(&sites);
    return r;
}

/* The checks the layout promises; the runtime makes its own. */
static int site_ok(const struct patch_site *s, uint32_t names_bytes, uint64_t prev_end)
{
    if (s->vaddr < prev_end || s->vaddr > UINT64_MAX - WINDOW_MAX)
        return 0;
    if (s->name_off != UINT32_MAX && s->name_off >= names_bytes)
        return 0;
    if (s->kind == PATCH_SITE_TRAPPED)
        return s->len == SYSCALL_LEN && s->prefix_len == 0 && s->reason < PATCH_REASON_COUNT;
    return (s->kind == PATCH_SITE_GO || s->kind == PATCH_SITE_GENERIC) && s->len >= WINDOW_MIN &&
           s->len <= WINDOW_MAX && s->prefix_len == s->len - SYSCALL_LEN;
}

int plan_parse(uint8_t *bytes, size_t size, struct plan *out)
{
    const struct patch_plan_header *h = (const struct patch_plan_header *)bytes;
    if (size < sizeof *h || memcmp(h->magic, PATCH_PLAN_MAGIC, sizeof h->magic) != 0 ||
        h->version != PATCH_PLAN_VERSION || h->nsites > PATCH_PLAN_MAX_SITES ||
        h->names_bytes > PATCH_PLAN_MAX_NAMES ||
        size != sizeof *h + (size_t)h->nsites * sizeof(struct patch_site) + h->names_bytes)
        return -1;
    const struct patch_site *sites = (const struct patch_site *)(h + 1);
    const char *names = (const char *)(sites + h->nsites);
    if (h->names_bytes && names[h->names_bytes - 1] != 0)
        return -1;
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < h->nsites; i++) {
        if (!site_ok(&sites[i], h->names_bytes, prev_end))
            return -1;
        prev_end = sites[i].vaddr + sites[i].len;
    }
    out->bytes = bytes;
    out->size = size;
    out->hdr = h;
    out->sites = sites;
    out->names = names;
    return 0;
}

const char *plan_site_name(const struct plan *p, const struct patch_site *s)
{
    return s->name_off == UINT32_MAX ? "?" : p->names + s->name_off;
}

void plan_free(struct plan *p)
{
    free(p->bytes);
    memset(p, 0, sizeof *p);
}
