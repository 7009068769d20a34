/* The app's vDSO: a copy of asis's own image (rt/vdso, carried by vdso_image.S) with its
 * data page below it, mapped for each program. docs/vdso-design.md says why the calls
 * are served by the host kernel's vDSO functions, which asis-rt finds through its own
 * AT_SYSINFO_EHDR, and when they are not. */
#include "loader/vdso_map.h"
#include <elf.h>
#include "lib/string.h"
#include "libos/vma.h"
#include "loader/loader.h"
#include "pal/host.h"
#include "vdso/vdso_data.h"

extern const char asis_vdso_image[], asis_vdso_image_end[];

#define PAGE 4096UL
/* The kernel's vDSO data pages ([vvar], [vvar_vclock]) lie right below its text: 6 pages
 * on Linux 6.18, 4 on older kernels. */
#define HOST_VDSO_DATA_ROOM (64UL << 10)

static uintptr_t page_up(uintptr_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

/* The dynamic symbol table of the host's vDSO, found as Go's runtime finds it. */
struct host_vdso {
    uintptr_t base;  /* where its ELF header is */
    uintptr_t bias;  /* load address minus link address */
    uintptr_t end;   /* end of its text */
    const Elf64_Sym *symtab;
    const char *strtab;
    size_t nsyms;
};

/* The number of symbols in a GNU hash table: one past the highest chain end. */
static size_t gnu_hash_nsyms(const uint32_t *h)
{
    uint32_t nbucket = h[0], symoffset = h[1], bloom = h[2];
    const uint32_t *buckets = h + 4 + bloom * 2, *chain = buckets + nbucket;
    uint32_t last = 0;
    for (uint32_t b = 0; b < nbucket; b++)
        if (buckets[b] > last)
            last = buckets[b];
    if (last < symoffset)
        return symoffset;
    while (!(chain[last - symoffset] & 1))
        last++;
    return last + 1;
}

static int host_vdso_open(uintptr_t base, struct host_vdso *v)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_phentsize != sizeof(Elf64_Phdr))
        return 0;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = 0;
    int have_load = 0;
    v->base = base;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            have_load = 1;
            v->bias = base + ph[i].p_offset - ph[i].p_vaddr;
            v->end = page_up(v->bias + ph[i].p_vaddr + ph[i].p_memsz);
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
        }
    }
    if (!have_load || !dyn)
        return 0;
    const uint32_t *hash = 0, *gnu_hash = 0;
    v->symtab = 0;
    v->strtab = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = v->bias + dyn->d_un.d_ptr;
        if (dyn->d_tag == DT_SYMTAB)
            v->symtab = (const Elf64_Sym *)p;
        else if (dyn->d_tag == DT_STRTAB)
            v->strtab = (const char *)p;
        else if (dyn->d_tag == DT_HASH)
            hash = (const uint32_t *)p;
        else if (dyn->d_tag == DT_GNU_HASH)
            gnu_hash = (const uint32_t *)p;
    }
    if (!v->symtab || !v->strtab || (!hash && !gnu_hash))
        return 0;
    v->nsyms = hash ? hash[1] : gnu_hash_nsyms(gnu_hash);
    return 1;
}

static void *host_vdso_function(const struct host_vdso *v, const char *name)
{
    for (size_t i = 1; i < v->nsyms; i++) {
        const Elf64_Sym *s = &v->symtab[i];
        if (ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_shndx != SHN_UNDEF &&
            strcmp(v->strtab + s->st_name, name) == 0)
            return (void *)(v->bias + s->st_value);
    }
    return 0;
}

static struct vdso_mapping g_mapping;

const struct vdso_mapping *vdso_mapping(void)
{
    return &g_mapping;
}

uintptr_t vdso_map(const uint64_t *host_auxv, int use_host_clocks)
{
    size_t image_bytes = page_up((uintptr_t)(asis_vdso_image_end - asis_vdso_image));
    size_t total = ASIS_VDSO_DATA_BYTES + image_bytes;
    char *m = host_mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host_is_error((long)m))
        return 0;
    struct asis_vdso_data *data = (struct asis_vdso_data *)m;
    char *image = m + ASIS_VDSO_DATA_BYTES;
    memcpy(image, asis_vdso_image, (size_t)(asis_vdso_image_end - asis_vdso_image));

    struct host_vdso host;
    if (use_host_clocks && host_vdso_open(host_aux(host_auxv, AT_SYSINFO_EHDR, 0), &host)) {
        data->clock_gettime = host_vdso_function(&host, "__vdso_clock_gettime");
        data->gettimeofday = host_vdso_function(&host, "__vdso_gettimeofday");
        data->time = host_vdso_function(&host, "__vdso_time");
        data->getcpu = host_vdso_function(&host, "__vdso_getcpu");
        data->clock_getres = host_vdso_function(&host, "__vdso_clock_getres");
        /* asis's from now on: the app may not map over it, and does not see it. */
        vma_note_asis(host.base - HOST_VDSO_DATA_ROOM, host.end - host.base + HOST_VDSO_DATA_ROOM);
    }
    /* What the host's cannot serve, the gate's direct calls do: a host syscall each, but
     * no trap (gate.S). */
    if (!data->clock_gettime)
        data->clock_gettime = (void *)pal_vdso_clock_gettime;
    if (!data->gettimeofday)
        data->gettimeofday = (void *)pal_vdso_gettimeofday;
    if (!data->time)
        data->time = pal_vdso_time;
    if (!data->getcpu)
        data->getcpu = pal_vdso_getcpu;
    if (!data->clock_getres)
        data->clock_getres = (void *)pal_vdso_clock_getres;

    host_syscall5(__NR_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, m, total, VDSO_ANON_NAME);
    host_mprotect(m, ASIS_VDSO_DATA_BYTES, PROT_READ);
    host_mprotect(image, image_bytes, PROT_READ | PROT_EXEC);
    vma_note_app((uintptr_t)m, ASIS_VDSO_DATA_BYTES, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    vma_note_app((uintptr_t)image, image_bytes, PROT_READ | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS);
    g_mapping.data = (uintptr_t)m;
    g_mapping.text = (uintptr_t)image;
    g_mapping.end = (uintptr_t)image + image_bytes;
    return (uintptr_t)image;
}
