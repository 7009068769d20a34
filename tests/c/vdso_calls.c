// asis-test: rdtsc=emulate
// The vDSO as seen by a program that parses it itself (as glibc and Go do): found through
// AT_SYSINFO_EHDR, an ELF64 x86-64 ET_DYN image in a mapping /proc/self/maps names [vdso];
// program headers give the load bias (first PT_LOAD) and PT_DYNAMIC, which gives the
// symbol and string tables, DT_HASH and/or DT_GNU_HASH (each present table is searched,
// and they must agree), DT_VERSYM and DT_VERDEF; __vdso_clock_gettime, __vdso_gettimeofday,
// __vdso_time, __vdso_getcpu and __vdso_clock_getres are looked up with version LINUX_2.6
// checked, with their unprefixed aliases. Then each is called and compared with the raw
// syscall (syscall(), since glibc's wrappers may use the vDSO themselves): every clock
// lies between two syscall readings (coarse clocks give or take their resolution, CPU-time
// clocks are only ordered), the results for invalid ids (-errno, not -1) and each
// clock_getres equal the syscall's, gettimeofday and time agree, getcpu names an allowed
// cpu (the pinned one when pinned) and the syscall's node; CLOCK_MONOTONIC never goes
// back, on one thread or across 4 publishing their readings; and the calls work on a 1 KiB
// stack above a guard page (Go calls the vDSO on small stacks). Only facts are printed.
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include "lib/test_util.h"

#define VERSION "LINUX_2.6"

// ---------------------------------------------------------------------------- the ELF

struct vdso {
    uintptr_t lo, hi; // the mapping that holds the ELF header: every access stays inside
    uintptr_t load_offset;
    const Elf64_Sym *symtab;
    const char *strtab;
    const Elf64_Word *hash;     // DT_HASH
    const Elf64_Word *gnu_hash; // DT_GNU_HASH
    const Elf64_Versym *versym;
    const Elf64_Verdef *verdef;
};

static struct vdso v;
static int tables_disagree; // lookups where DT_HASH and DT_GNU_HASH gave different answers

static int inside(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return a >= v.lo && a <= v.hi && n <= v.hi - a;
}

// A NUL-terminated string that lies inside the mapping, or NULL.
static const char *str_at(Elf64_Word off)
{
    const char *s = v.strtab + off;
    if (!inside(s, 1) || !memchr(s, 0, v.hi - (uintptr_t)s))
        return NULL;
    return s;
}

static uint32_t elf_hash(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static uint32_t gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    return h;
}

// Whether symbol i's version (DT_VERSYM index, resolved through DT_VERDEF) is `version`;
// as Go's vdsoMatchVersion: the base definition never matches, the hidden bit is ignored.
static int version_is(size_t i, const char *version)
{
    if (!v.versym || !v.verdef || !inside(&v.versym[i], sizeof(v.versym[i])))
        return 0;
    unsigned ver = v.versym[i] & 0x7fff;
    const Elf64_Verdef *d = v.verdef;
    for (int n = 0; n < 256 && inside(d, sizeof(*d)); n++) {
        if (!(d->vd_flags & VER_FLG_BASE) && (d->vd_ndx & 0x7fff) == ver) {
            const Elf64_Verdaux *aux = (const void *)((const char *)d + d->vd_aux);
            if (!inside(aux, sizeof(*aux)))
                return 0;
            const char *name = str_at(aux->vda_name);
            return d->vd_hash == elf_hash(version) && name && strcmp(name, version) == 0;
        }
        if (d->vd_next == 0)
            break;
        d = (const void *)((const char *)d + d->vd_next);
    }
    return 0;
}

// Whether symbol i is a defined function (or untyped) global or weak symbol called name,
// of the given version.
static int symbol_is(size_t i, const char *name, const char *version)
{
    const Elf64_Sym *s = &v.symtab[i];
    if (!inside(s, sizeof(*s)))
        return 0;
    int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
    if ((type != STT_FUNC && type != STT_NOTYPE) || (bind != STB_GLOBAL && bind != STB_WEAK) ||
        s->st_shndx == SHN_UNDEF)
        return 0;
    const char *n = str_at(s->st_name);
    return n && strcmp(n, name) == 0 && version_is(i, version);
}

// The index of the symbol through DT_HASH, or -1.
static long lookup_sysv(const char *name, const char *version)
{
    const Elf64_Word *h = v.hash;
    if (!inside(h, 2 * sizeof(*h)) || h[0] == 0)
        return -1;
    Elf64_Word nbucket = h[0], nchain = h[1];
    const Elf64_Word *bucket = h + 2, *chain = bucket + nbucket;
    if (!inside(h, (2 + (size_t)nbucket + nchain) * sizeof(*h)))
        return -1;
    Elf64_Word i = bucket[elf_hash(name) % nbucket];
    for (Elf64_Word n = 0; i != STN_UNDEF && i < nchain && n < nchain; i = chain[i], n++)
        if (symbol_is(i, name, version))
            return i;
    return -1;
}

// The index of the symbol through DT_GNU_HASH (bloom filter, bucket, chain), or -1.
static long lookup_gnu(const char *name, const char *version)
{
    const Elf64_Word *g = v.gnu_hash;
    if (!inside(g, 4 * sizeof(*g)) || g[0] == 0 || g[2] == 0)
        return -1;
    Elf64_Word nbuckets = g[0], symoffset = g[1], bloom_size = g[2], bloom_shift = g[3];
    const uint64_t *bloom = (const uint64_t *)(g + 4);
    const Elf64_Word *buckets = (const Elf64_Word *)(bloom + bloom_size);
    const Elf64_Word *chain = buckets + nbuckets;
    if (!inside(bloom, bloom_size * sizeof(*bloom)) ||
        !inside(buckets, nbuckets * sizeof(*buckets)))
        return -1;
    uint32_t h = gnu_hash(name);
    uint64_t word = bloom[(h / 64) % bloom_size];
    uint64_t mask = (1ULL << (h % 64)) | (1ULL << ((h >> bloom_shift) % 64));
    if ((word & mask) != mask)
        return -1;
    Elf64_Word i = buckets[h % nbuckets];
    if (i == 0 || i < symoffset)
        return -1;
    for (;; i++) {
        const Elf64_Word *c = &chain[i - symoffset];
        if (!inside(c, sizeof(*c)))
            return -1;
        if ((h | 1) == (*c | 1) && symbol_is(i, name, version))
            return i;
        if (*c & 1)
            return -1;
    }
}

// The index of the symbol through every hash table there is (DT_GNU_HASH first, as
// glibc), counting disagreements; -1 when not found.
static long lookup(const char *name, const char *version)
{
    long gnu = v.gnu_hash ? lookup_gnu(name, version) : -1;
    long sysv = v.hash ? lookup_sysv(name, version) : -1;
    if (v.gnu_hash && v.hash && gnu != sysv)
        tables_disagree++;
    return v.gnu_hash ? gnu : sysv;
}

// Finds the mapping of /proc/self/maps that holds addr; returns its name (or "") and
// copies its permissions.
static int find_mapping(uintptr_t addr, char *name, size_t name_size, char perms[8])
{
    char line[4096 + 128];
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        die("/proc/self/maps");
    int found = 0;
    while (!found && fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        int path_at = 0;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3)
            continue;
        if (addr >= lo && addr < hi) {
            v.lo = lo;
            v.hi = hi;
            snprintf(name, name_size, "%s", path_at ? line + path_at : "");
            found = 1;
        }
    }
    fclose(f);
    return found;
}

// Parses the vDSO at base; prints what it finds; returns whether symbols can be looked up.
static int parse(uintptr_t base)
{
    char name[256] = "", perms[8] = "";
    int mapped = find_mapping(base, name, sizeof(name), perms);
    printf("vdso in /proc/self/maps: %s\n", yes(mapped && strcmp(name, "[vdso]") == 0));
    if (!mapped) {
        printf("AT_SYSINFO_EHDR lies in no mapping\n");
        return 0;
    }
    printf("[vdso] mapping permissions: %s\n", perms);

    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    if (!inside(eh, sizeof(*eh))) {
        printf("ELF header outside the mapping\n");
        return 0;
    }
    int ident_ok = memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
                   eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB &&
                   eh->e_ident[EI_VERSION] == EV_CURRENT;
    printf("ELF header: ELF64 little-endian: %s, ET_DYN: %s, EM_X86_64: %s\n", yes(ident_ok),
           yes(eh->e_type == ET_DYN), yes(eh->e_machine == EM_X86_64));
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    if (!ident_ok || eh->e_phentsize != sizeof(*ph) || !inside(ph, eh->e_phnum * sizeof(*ph))) {
        printf("program headers: unusable\n");
        return 0;
    }

    const Elf64_Dyn *dyn = NULL;
    int found_load = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !found_load) {
            found_load = 1;
            v.load_offset = base + ph[i].p_offset - ph[i].p_vaddr;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
        }
    }
    printf("PT_LOAD: %s, PT_DYNAMIC: %s\n", yes(found_load), yes(dyn != NULL));
    if (!found_load || !dyn)
        return 0;

    for (; inside(dyn, sizeof(*dyn)) && dyn->d_tag != DT_NULL; dyn++) {
        const void *p = (const void *)(v.load_offset + dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB: v.symtab = p; break;
        case DT_STRTAB: v.strtab = p; break;
        case DT_HASH: v.hash = p; break;
        case DT_GNU_HASH: v.gnu_hash = p; break;
        case DT_VERSYM: v.versym = p; break;
        case DT_VERDEF: v.verdef = p; break;
        }
    }
    printf("dynamic section ends with DT_NULL inside the mapping: %s\n",
           yes(inside(dyn, sizeof(*dyn))));
    printf("DT_SYMTAB and DT_STRTAB: %s\n", yes(v.symtab && v.strtab));
    printf("DT_HASH or DT_GNU_HASH: %s\n", yes(v.hash || v.gnu_hash));
    printf("DT_VERSYM and DT_VERDEF: %s\n", yes(v.versym && v.verdef));
    if (!v.symtab || !v.strtab || (!v.hash && !v.gnu_hash))
        return 0;

    int defined = 0;
    const Elf64_Verdef *d = v.verdef;
    for (int n = 0; d && n < 256 && inside(d, sizeof(*d)); n++) {
        const Elf64_Verdaux *aux = (const void *)((const char *)d + d->vd_aux);
        const char *vn = inside(aux, sizeof(*aux)) ? str_at(aux->vda_name) : NULL;
        if (!(d->vd_flags & VER_FLG_BASE) && vn && strcmp(vn, VERSION) == 0 &&
            d->vd_hash == elf_hash(VERSION))
            defined = 1;
        if (d->vd_next == 0)
            break;
        d = (const void *)((const char *)d + d->vd_next);
    }
    printf("version %s defined: %s\n", VERSION, yes(defined));
    return 1;
}

static const char *type_name(int t)
{
    return t == STT_FUNC ? "FUNC" : t == STT_NOTYPE ? "NOTYPE" : "other type";
}

static const char *bind_name(int b)
{
    return b == STB_GLOBAL ? "GLOBAL" : b == STB_WEAK ? "WEAK" : "other binding";
}

// Looks up name (and its alias) with VERSION; prints what it is; returns its address.
static void *resolve(const char *name, const char *alias)
{
    long i = lookup(name, VERSION);
    if (i < 0) {
        printf("%s: missing\n", name);
        return NULL;
    }
    const Elf64_Sym *s = &v.symtab[i];
    uintptr_t addr = v.load_offset + s->st_value;
    int in_text = inside((void *)addr, 1);
    printf("%s: found, version %s, %s, %s, inside the mapping: %s\n", name, VERSION,
           type_name(ELF64_ST_TYPE(s->st_info)), bind_name(ELF64_ST_BIND(s->st_info)),
           yes(in_text));
    long a = lookup(alias, VERSION);
    if (a < 0)
        printf("%s: missing\n", alias);
    else
        printf("%s: %s, the same address: %s\n", alias,
               bind_name(ELF64_ST_BIND(v.symtab[a].st_info)),
               yes(v.load_offset + v.symtab[a].st_value == addr));
    return in_text ? (void *)addr : NULL;
}

// ---------------------------------------------------------------------------- the calls

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(long *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);
typedef int (*clock_getres_fn)(clockid_t, struct timespec *);

static clock_gettime_fn vdso_clock_gettime;
static gettimeofday_fn vdso_gettimeofday;
static time_fn vdso_time;
static getcpu_fn vdso_getcpu;
static clock_getres_fn vdso_clock_getres;

// A raw syscall's result as the vDSO gives it: -errno on failure.
#define RAW(...)                                                                           \
    ({                                                                                     \
        long r_ = syscall(__VA_ARGS__);                                                    \
        r_ == -1 ? -errno : r_;                                                            \
    })

static const char *result_name(long r)
{
    static char buf[4][32];
    static int next;
    char *b = buf[next++ % 4];
    const char *n = r < 0 && r > -4096 ? strerrorname_np(-r) : NULL;
    if (n)
        snprintf(b, 32, "-%s", n);
    else
        snprintf(b, 32, "%ld", r);
    return b;
}

static long long ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }
static long long tv_us(struct timeval tv) { return tv.tv_sec * 1000000LL + tv.tv_usec; }
static int ts_valid(struct timespec ts) { return ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L; }

enum kind { HRES, COARSE, CPU };

static const struct clock_case {
    clockid_t id;
    const char *name;
    enum kind kind;
} clocks[] = {
    { CLOCK_REALTIME, "CLOCK_REALTIME", HRES },
    { CLOCK_MONOTONIC, "CLOCK_MONOTONIC", HRES },
    { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", HRES },
    { CLOCK_BOOTTIME, "CLOCK_BOOTTIME", HRES },
    { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", COARSE },
    { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", COARSE },
    { CLOCK_TAI, "CLOCK_TAI", HRES },
    { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", CPU },
    { CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", CPU },
};
#define N_CLOCKS (sizeof(clocks) / sizeof(clocks[0]))

#define ROUNDS 1000

// Each clock, ROUNDS times, between two syscall readings.
static void clock_bounds(void)
{
    printf("-- clock_gettime against the syscall\n");
    for (size_t c = 0; c < N_CLOCKS; c++) {
        const struct clock_case *k = &clocks[c];
        struct timespec res = { 0 };
        syscall(SYS_clock_getres, k->id, &res);
        long long slack = k->kind == COARSE ? ts_ns(res) : 0;
        int bad_ret = 0, outside = 0;
        for (int i = 0; i < ROUNDS; i++) {
            struct timespec a, t = { -1, -1 }, b;
            syscall(SYS_clock_gettime, k->id, &a);
            int r = vdso_clock_gettime(k->id, &t);
            syscall(SYS_clock_gettime, k->id, &b);
            bad_ret += r != 0;
            outside += !ts_valid(t) || ts_ns(t) < ts_ns(a) - slack || ts_ns(t) > ts_ns(b) + slack ||
                       (k->kind == CPU && ts_ns(t) <= 0);
        }
        const char *how = k->kind == COARSE ? "within syscall bounds give or take the resolution"
                          : k->kind == CPU  ? "positive and between syscall readings"
                                            : "within syscall bounds";
        printf("clock_gettime(%s): returns 0: %s, %s: %s\n", k->name, yes(bad_ret == 0), how,
               yes(outside == 0));
    }
}

// clockid of a dynamic (posix-clock) fd and of another process's CPU clock, as the
// kernel encodes them (FD_TO_CLOCKID, MAKE_PROCESS_CPUCLOCK).
static clockid_t fd_clock(int fd) { return (clockid_t)((~(unsigned)fd << 3) | 3); }
static clockid_t pid_clock(pid_t pid, int which)
{
    return (clockid_t)((~(unsigned)pid << 3) | which);
}
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4

static void compare_result(const char *what, clockid_t id)
{
    struct timespec t, s;
    long vr = vdso_clock_gettime(id, &t);
    long sr = RAW(SYS_clock_gettime, id, &s);
    printf("clock_gettime(%s): vdso %s, syscall %s\n", what, result_name(vr), result_name(sr));
    if (vdso_clock_getres) {
        vr = vdso_clock_getres(id, &t);
        sr = RAW(SYS_clock_getres, id, &s);
        printf("clock_getres(%s): vdso %s, syscall %s\n", what, result_name(vr), result_name(sr));
    }
}

// Invalid and unusual clock ids: the vDSO returns what the syscall does, as -errno.
static void clock_errors(void)
{
    printf("-- unusual clock ids\n");
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open /dev/null");
    compare_result("12345", 12345);
    compare_result("dynamic clock of /dev/null", fd_clock(fd));
    close(fd);
    compare_result("dynamic clock of a closed fd", fd_clock(fd));
    compare_result("CPU clock of this process by pid", pid_clock(getpid(), CPUCLOCK_SCHED));
    compare_result("CPU clock of this thread by tid",
                   pid_clock(gettid(), CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD));

    int differ = 0, differ_res = 0;
    for (clockid_t id = -8; id < 16; id++) {
        struct timespec t, s;
        differ += vdso_clock_gettime(id, &t) != RAW(SYS_clock_gettime, id, &s);
        if (vdso_clock_getres)
            differ_res += vdso_clock_getres(id, &t) != RAW(SYS_clock_getres, id, &s);
    }
    printf("clock ids -8..15: clock_gettime returns what the syscall returns: %s\n",
           yes(differ == 0));
    if (vdso_clock_getres)
        printf("clock ids -8..15: clock_getres returns what the syscall returns: %s\n",
               yes(differ_res == 0));
}

static void clock_getres_calls(void)
{
    printf("-- clock_getres\n");
    for (size_t c = 0; c < N_CLOCKS; c++) {
        struct timespec t = { -1, -1 }, s = { -2, -2 };
        int r = vdso_clock_getres(clocks[c].id, &t);
        syscall(SYS_clock_getres, clocks[c].id, &s);
        printf("clock_getres(%s): %s, the syscall's resolution: %s\n", clocks[c].name,
               result_name(r), yes(t.tv_sec == s.tv_sec && t.tv_nsec == s.tv_nsec));
    }
    printf("clock_getres(CLOCK_MONOTONIC, NULL): vdso %s, syscall %s\n",
           result_name(vdso_clock_getres(CLOCK_MONOTONIC, NULL)),
           result_name(RAW(SYS_clock_getres, CLOCK_MONOTONIC, NULL)));
}

static void gettimeofday_calls(void)
{
    printf("-- gettimeofday\n");
    int bad_ret = 0, outside = 0;
    for (int i = 0; i < ROUNDS; i++) {
        struct timeval a, t = { -1, -1 }, b;
        syscall(SYS_gettimeofday, &a, NULL);
        bad_ret += vdso_gettimeofday(&t, NULL) != 0;
        syscall(SYS_gettimeofday, &b, NULL);
        outside += t.tv_usec < 0 || t.tv_usec >= 1000000 || tv_us(t) < tv_us(a) ||
                   tv_us(t) > tv_us(b);
    }
    printf("gettimeofday(&tv, NULL): returns 0: %s, within syscall bounds: %s\n", yes(bad_ret == 0),
           yes(outside == 0));

    struct timeval a, t = { -1, -1 }, b;
    struct timezone tz = { -1, -1 }, stz = { -2, -2 };
    syscall(SYS_gettimeofday, &a, &stz);
    int r = vdso_gettimeofday(&t, &tz);
    syscall(SYS_gettimeofday, &b, NULL);
    printf("gettimeofday(&tv, &tz): %s, within syscall bounds: %s, the syscall's timezone: %s\n",
           result_name(r), yes(tv_us(t) >= tv_us(a) && tv_us(t) <= tv_us(b)),
           yes(tz.tz_minuteswest == stz.tz_minuteswest && tz.tz_dsttime == stz.tz_dsttime));
    struct timezone tz2 = { -1, -1 };
    r = vdso_gettimeofday(NULL, &tz2);
    printf("gettimeofday(NULL, &tz): %s, the syscall's timezone: %s\n", result_name(r),
           yes(tz2.tz_minuteswest == stz.tz_minuteswest && tz2.tz_dsttime == stz.tz_dsttime));
    printf("gettimeofday(NULL, NULL): vdso %s, syscall %s\n",
           result_name(vdso_gettimeofday(NULL, NULL)),
           result_name(RAW(SYS_gettimeofday, NULL, NULL)));
}

static void time_calls(void)
{
    printf("-- time\n");
    long a = syscall(SYS_time, NULL);
    long t1 = vdso_time(NULL);
    long stored = -1;
    long t2 = vdso_time(&stored);
    long b = syscall(SYS_time, NULL);
    printf("time(NULL): within 1 s of the syscall's: %s\n", yes(t1 >= a - 1 && t1 <= b + 1));
    printf("time(&t): within 1 s of the syscall's: %s, stored the returned value: %s\n",
           yes(t2 >= a - 1 && t2 <= b + 1), yes(stored == t2));
}

static int syscall_node(void)
{
    unsigned cpu = ~0u, node = ~0u;
    syscall(SYS_getcpu, &cpu, &node, NULL);
    return (int)node;
}

static void getcpu_calls(void)
{
    printf("-- getcpu\n");
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
        die("sched_getaffinity");
    long nconf = sysconf(_SC_NPROCESSORS_CONF);
    unsigned cpu = ~0u, node = ~0u;
    long r = vdso_getcpu(&cpu, &node, NULL);
    printf("getcpu(&cpu, &node, NULL): %s, cpu < configured cpus: %s, cpu allowed: %s, node is "
           "the syscall's: %s\n",
           result_name(r), yes((long)cpu < nconf),
           yes(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed)),
           yes((int)node == syscall_node()));
    cpu = ~0u;
    r = vdso_getcpu(&cpu, NULL, NULL);
    printf("getcpu(&cpu, NULL, NULL): %s, cpu allowed: %s\n", result_name(r),
           yes(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed)));
    node = ~0u;
    r = vdso_getcpu(NULL, &node, NULL);
    printf("getcpu(NULL, &node, NULL): %s, node is the syscall's: %s\n", result_name(r),
           yes((int)node == syscall_node()));
    printf("getcpu(NULL, NULL, NULL): %s\n", result_name(vdso_getcpu(NULL, NULL, NULL)));

    // Pinned to each allowed cpu in turn, getcpu names that cpu.
    int wrong = 0, pinned = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &allowed))
            continue;
        pin_to_cpu(c);
        pinned++;
        cpu = ~0u;
        wrong += vdso_getcpu(&cpu, NULL, NULL) != 0 || cpu != (unsigned)c;
    }
    sched_setaffinity(0, sizeof(allowed), &allowed);
    printf("pinned to each allowed cpu: getcpu names it: %s\n", yes(pinned > 0 && wrong == 0));
}

// ---------------------------------------------------------------------------- ordering

static long long vdso_mono(void)
{
    struct timespec t;
    vdso_clock_gettime(CLOCK_MONOTONIC, &t);
    return ts_ns(t);
}

#define THREADS 4
#define THREAD_ROUNDS 100000

static _Atomic long long published;
static atomic_int behind; // readings smaller than a value published before they were taken

static void *reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < THREAD_ROUNDS; i++) {
        long long seen = atomic_load(&published);
        long long now = vdso_mono();
        if (now < seen)
            atomic_fetch_add(&behind, 1);
        atomic_store(&published, now);
    }
    return NULL;
}

static void monotonic(void)
{
    printf("-- CLOCK_MONOTONIC ordering\n");
    int back = 0;
    long long prev = vdso_mono();
    for (int i = 0; i < 100000; i++) {
        long long now = vdso_mono();
        back += now < prev;
        prev = now;
    }
    printf("100000 back-to-back calls never go back: %s\n", yes(back == 0));

    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, reader, NULL) != 0)
            die("pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    printf("%d threads: no reading below one published before it: %s\n", THREADS,
           yes(atomic_load(&behind) == 0));
}

// ---------------------------------------------------------------------------- signals

// A timer signal every 50 us lands, among other places, inside the vDSO functions (and
// whatever they call): the handler runs there, reads the clock itself, and the
// interrupted call still gives an ordered, valid reading.
static volatile sig_atomic_t handled, handler_back;
static long long handler_last;

static void on_alarm(int sig)
{
    (void)sig;
    long long now = vdso_mono();
    if (now < handler_last)
        handler_back = 1;
    handler_last = now;
    handled++;
}

static void signals(void)
{
    printf("-- a timer signal storm during calls\n");
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 50 }, { 0, 50 } };
    setitimer(ITIMER_REAL, &it, NULL);
    int back = 0, bad = 0;
    long long prev = vdso_mono();
    for (int i = 0; i < 300000 || handled < 100; i++) {
        struct timespec ts;
        if (vdso_clock_gettime(CLOCK_MONOTONIC, &ts) != 0 || !ts_valid(ts))
            bad++;
        long long now = ts_ns(ts);
        back += now < prev;
        prev = now;
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("at least 100 signals handled: %s\n", yes(handled >= 100));
    printf("readings valid and ordered throughout: %s\n", yes(back == 0 && bad == 0));
    printf("the handler's own readings ordered: %s\n", yes(!handler_back));
}

// ---------------------------------------------------------------------------- small stack

#define SMALL_STACK 1024

// long call_on_stack(void *fn, long a, long b, long c, void *top): calls fn(a, b, c) with
// rsp = top (16-byte aligned), then returns on the caller's stack.
__asm__(".pushsection .text\n"
        ".type call_on_stack, @function\n"
        "call_on_stack:\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    mov %r8, %rsp\n"
        "    mov %rdi, %rax\n"
        "    mov %rsi, %rdi\n"
        "    mov %rdx, %rsi\n"
        "    mov %rcx, %rdx\n"
        "    call *%rax\n"
        "    mov %rbp, %rsp\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size call_on_stack, .-call_on_stack\n"
        ".popsection\n");
long call_on_stack(void *fn, long a, long b, long c, void *top);

// The vDSO functions called with rsp 1 KiB above a PROT_NONE page: using more stack
// than that faults (the section reports SIGSEGV).
static void small_stack(void)
{
    printf("-- calls on a %d-byte stack above a guard page\n", SMALL_STACK);
    fflush(stdout); // each line is out before the next call, which may crash
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, page, PROT_NONE) != 0)
        die("mmap guard");
    void *top = m + page + SMALL_STACK;

    static const clockid_t ids[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_MONOTONIC_RAW,
                                     CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE, CLOCK_TAI };
    static const char *const names[] = { "CLOCK_MONOTONIC", "CLOCK_REALTIME",
                                         "CLOCK_MONOTONIC_RAW", "CLOCK_BOOTTIME",
                                         "CLOCK_MONOTONIC_COARSE", "CLOCK_TAI" };
    if (vdso_clock_gettime) {
        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
            struct timespec a, t = { -1, -1 }, b, res = { 0 };
            syscall(SYS_clock_getres, ids[i], &res);
            long long slack = ids[i] == CLOCK_MONOTONIC_COARSE ? ts_ns(res) : 0;
            syscall(SYS_clock_gettime, ids[i], &a);
            int r = (int)call_on_stack(vdso_clock_gettime, ids[i], (long)&t, 0, top);
            syscall(SYS_clock_gettime, ids[i], &b);
            int in = ts_valid(t) && ts_ns(t) >= ts_ns(a) - slack && ts_ns(t) <= ts_ns(b) + slack;
            printf("clock_gettime(%s): %s, within syscall bounds: %s\n", names[i], result_name(r),
                   yes(in));
            fflush(stdout);
        }
    }
    if (vdso_gettimeofday) {
        struct timeval a, t = { -1, -1 }, b;
        syscall(SYS_gettimeofday, &a, NULL);
        int r = (int)call_on_stack(vdso_gettimeofday, (long)&t, 0, 0, top);
        syscall(SYS_gettimeofday, &b, NULL);
        printf("gettimeofday: %s, within syscall bounds: %s\n", result_name(r),
               yes(tv_us(t) >= tv_us(a) && tv_us(t) <= tv_us(b)));
        fflush(stdout);
    }
    if (vdso_time) {
        long a = syscall(SYS_time, NULL);
        long t = call_on_stack(vdso_time, 0, 0, 0, top);
        long b = syscall(SYS_time, NULL);
        printf("time: within 1 s of the syscall's: %s\n", yes(t >= a - 1 && t <= b + 1));
        fflush(stdout);
    }
    if (vdso_getcpu) {
        cpu_set_t allowed;
        sched_getaffinity(0, sizeof(allowed), &allowed);
        unsigned cpu = ~0u, node = ~0u;
        long r = call_on_stack(vdso_getcpu, (long)&cpu, (long)&node, 0, top);
        printf("getcpu: %s, cpu allowed: %s\n", result_name(r),
               yes(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed)));
        fflush(stdout);
    }
    if (vdso_clock_getres) {
        struct timespec t = { -1, -1 }, s = { -2, -2 };
        int r = (int)call_on_stack(vdso_clock_getres, CLOCK_MONOTONIC, (long)&t, 0, top);
        syscall(SYS_clock_getres, CLOCK_MONOTONIC, &s);
        printf("clock_getres(CLOCK_MONOTONIC): %s, the syscall's: %s\n", result_name(r),
               yes(ts_ns(t) == ts_ns(s)));
        fflush(stdout);
    }
    munmap(m, 2 * page);
}

// ---------------------------------------------------------------------------- main

int main(void)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    printf("vdso found: %s\n", yes(base != 0));
    if (!base || !parse(base))
        return 0;

    vdso_clock_gettime = (clock_gettime_fn)resolve("__vdso_clock_gettime", "clock_gettime");
    vdso_gettimeofday = (gettimeofday_fn)resolve("__vdso_gettimeofday", "gettimeofday");
    vdso_time = (time_fn)resolve("__vdso_time", "time");
    vdso_getcpu = (getcpu_fn)resolve("__vdso_getcpu", "getcpu");
    vdso_clock_getres = (clock_getres_fn)resolve("__vdso_clock_getres", "clock_getres");
    printf("__vdso_clock_gettime with version LINUX_2.5: found: %s\n",
           yes(lookup("__vdso_clock_gettime", "LINUX_2.5") >= 0));
    printf("DT_HASH and DT_GNU_HASH lookups agree: %s\n", yes(tables_disagree == 0));
    fflush(stdout);

    if (vdso_clock_gettime) {
        run_section("clock_gettime", clock_bounds);
        run_section("clock ids", clock_errors);
        run_section("monotonic", monotonic);
        run_section("signals", signals);
    }
    if (vdso_clock_getres)
        run_section("clock_getres", clock_getres_calls);
    if (vdso_gettimeofday)
        run_section("gettimeofday", gettimeofday_calls);
    if (vdso_time)
        run_section("time", time_calls);
    if (vdso_getcpu)
        run_section("getcpu", getcpu_calls);
    run_section("small stack", small_stack);
    return 0;
}
