/* The patch-plan cache (docs/patching-design.md 5.2). Hashing a 6 MB program costs
 * ~40 ms (libmd) and analysing it ~25-60 ms more, against a start-up budget of a few ms,
 * so plans are kept on disk:
 *     DIR/<sha256 of the program>.plan   the plan, then the sha256 of the plan bytes
 *     DIR/by-id/<dev>-<ino>-<size>-<mtime_ns>-<ctime_ns>   the program's sha256, in hex
 * DIR is $XDG_CACHE_HOME/asis/plans, else $HOME/.cache/asis/plans. A warm start is an
 * fstat of the program and two small files read, nothing hashed but the plan itself.
 * An index entry is only a hint: the plan must name the hash the entry gave and the
 * program's size, and a bad or missing plan is recomputed. Files are written under a
 * temporary name and renamed, so a reader never sees half of one. When the cache cannot
 * be written the plan goes to the runtime in a sealed memfd. ASIS_PLAN_CACHE=off skips
 * the cache entirely (always computed, nothing written): for tests and measurements. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "patch.h"

#define HASH_LEN SHA256_DIGEST_LENGTH
#define HEX_LEN (2 * HASH_LEN)
#define PLAN_FILE_MAX                                                                      \
    (sizeof(struct patch_plan_header) + (size_t)PATCH_PLAN_MAX_SITES * sizeof(struct patch_site) + \
     PATCH_PLAN_MAX_NAMES + HASH_LEN)

struct cache {
    char dir[PATH_MAX - 128]; /* "" when there is no cache */
    char id[128];             /* the program's by-id name */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void to_hex(const uint8_t hash[HASH_LEN], char hex[HEX_LEN + 1])
{
    for (int i = 0; i < HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly HEX_LEN lowercase hex digits (not NUL-ended: an index file's first bytes). */
static int from_hex(const char *hex, uint8_t hash[HASH_LEN])
{
    for (int i = 0; i < HASH_LEN; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        hash[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static void sha256(const void *data, size_t len, uint8_t out[HASH_LEN])
{
    SHA2_CTX ctx;
    SHA256Init(&ctx);
    SHA256Update(&ctx, data, len);
    SHA256Final(out, &ctx);
}

static void cache_init(struct cache *c, const struct stat *st)
{
    c->dir[0] = 0;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *off = getenv("ASIS_PLAN_CACHE");
    int use = !(off && strcmp(off, "off") == 0), n = -1;
    if (use && xdg && xdg[0] == '/')
        n = snprintf(c->dir, sizeof c->dir, "%s/asis/plans", xdg);
    else if (use && home && home[0] == '/')
        n = snprintf(c->dir, sizeof c->dir, "%s/.cache/asis/plans", home);
    if (n < 0 || (size_t)n >= sizeof c->dir)
        c->dir[0] = 0;
    snprintf(c->id, sizeof c->id, "%llu-%llu-%llu-%llu-%llu", (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull + st->st_mtim.tv_nsec,
             (unsigned long long)st->st_ctim.tv_sec * 1000000000ull + st->st_ctim.tv_nsec);
}

static int same_identity(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads the whole of fd (a regular file of at most max bytes) into a malloc'd buffer. */
static uint8_t *read_all(int fd, size_t max, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t)st.st_size > max)
        return NULL;
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(size);
    while (buf && got < size) {
        ssize_t r = pread(fd, buf + got, size - got, (off_t)got);
        if (r <= 0) {
            free(buf);
            return NULL;
        }
        got += (size_t)r;
    }
    *len = size;
    return buf;
}

/* Opens DIR/<hex>.plan and checks it is an intact plan for a program of this size and
 * hash. Returns its read-only fd, or -1. */
static int open_plan(const struct cache *c, const uint8_t hash[HASH_LEN], uint64_t program_size,
                     struct plan *plan)
{
    char hex[HEX_LEN + 1], path[PATH_MAX];
    to_hex(hash, hex);
    snprintf(path, sizeof path, "%s/%s.plan", c->dir, hex);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len;
    uint8_t *buf = read_all(fd, PLAN_FILE_MAX, &len);
    uint8_t sum[HASH_LEN];
    if (buf && len > HASH_LEN)
        sha256(buf, len - HASH_LEN, sum);
    if (!buf || len <= HASH_LEN || memcmp(sum, buf + len - HASH_LEN, HASH_LEN) != 0 ||
        plan_parse(buf, len - HASH_LEN, plan) != 0 || plan->hdr->program_size != program_size ||
        memcmp(plan->hdr->program_sha256, hash, HASH_LEN) != 0) {
        free(buf);
        memset(plan, 0, sizeof *plan);
        close(fd);
        return -1;
    }
    return fd;
}

/* The warm path: by-id entry, then the plan it names. */
static int lookup(const struct cache *c, uint64_t program_size, struct plan *plan)
{
    char path[PATH_MAX + 160], hex[HEX_LEN + 2];
    snprintf(path, sizeof path, "%s/by-id/%s", c->dir, c->id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread(fd, hex, sizeof hex, 0);
    close(fd);
    uint8_t hash[HASH_LEN];
    if (n < HEX_LEN || from_hex(hex, hash) != 0)
        return -1;
    return open_plan(c, hash, program_size, plan);
}

/* mkdir -p, mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char saved = *s;
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                return -1;
            *s = saved;
            if (!saved)
                return 0;
        }
    }
}

/* Writes data (then, if trailer, its sha256) to dir/name through a temporary file and a
 * rename. 0 or -1. */
static int write_file(const char *dir, const char *name, const void *data, size_t len, int trailer)
{
    char tmp[PATH_MAX], final[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    uint8_t sum[HASH_LEN];
    if (trailer)
        sha256(data, len, sum);
    int ok = write(fd, data, len) == (ssize_t)len &&
             (!trailer || write(fd, sum, HASH_LEN) == HASH_LEN) && fchmod(fd, 0644) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, final) == 0;
    if (!ok)
        unlink(tmp);
    return ok ? 0 : -1;
}

/* Stores the plan and the program's index entry (only if the program did not change
 * while it was hashed). Returns a read-only fd of the stored plan, or -1. */
static int store(const struct cache *c, int prog_fd, const struct stat *before,
                 const struct plan *plan, int plan_is_stored)
{
    char by_id[PATH_MAX], hex[HEX_LEN + 2], name[HEX_LEN + 8], path[PATH_MAX];
    snprintf(by_id, sizeof by_id, "%s/by-id", c->dir);
    to_hex(plan->hdr->program_sha256, hex);
    snprintf(name, sizeof name, "%s.plan", hex);
    if (make_dirs(by_id) != 0)
        return -1;
    if (!plan_is_stored && write_file(c->dir, name, plan->bytes, plan->size, 1) != 0)
        return -1;
    struct stat after;
    if (fstat(prog_fd, &after) == 0 && same_identity(before, &after)) {
        strcat(hex, "\n");
        write_file(by_id, c->id, hex, HEX_LEN + 1, 0);
    }
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* The plan in a sealed memfd, for when it cannot be stored. */
static int plan_memfd(const struct plan *plan)
{
    int fd = memfd_create("asis-plan", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    if (write(fd, plan->bytes, plan->size) != (ssize_t)plan->size ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int plan_get(int prog_fd, struct plan_result *r, const char **why)
{
    double t0 = now_ms();
    memset(r, 0, sizeof *r);
    r->fd = -1;
    struct stat st;
    struct cache c;
    if (fstat(prog_fd, &st) != 0) {
        *why = "cannot stat the program";
        return -1;
    }
    cache_init(&c, &st);
    if (c.dir[0] && (r->fd = lookup(&c, (uint64_t)st.st_size, &r->plan)) >= 0) {
        r->cached = 1;
        r->ms = now_ms() - t0;
        return 0;
    }

    struct program_image pi;
    if (program_image_map(prog_fd, &pi) != 0) {
        *why = "cannot map the program";
        return -1;
    }
    uint8_t hash[HASH_LEN];
    sha256(pi.map, pi.size, hash);
    int stored = 0;
    if (c.dir[0] && (r->fd = open_plan(&c, hash, pi.size, &r->plan)) >= 0) {
        /* Same content under another identity (a copy, a touched file). */
        r->cached = 2;
        stored = 1;
        close(r->fd);
    } else if (plan_build(&pi.elf, pi.size, hash, &r->plan) != 0) {
        program_image_unmap(&pi);
        *why = "analysis failed (out of memory)";
        return -1;
    }
    program_image_unmap(&pi);
    r->fd = c.dir[0] ? store(&c, prog_fd, &st, &r->plan, stored) : -1;
    if (r->fd < 0)
        r->fd = plan_memfd(&r->plan);
    if (r->fd < 0) {
        plan_result_free(r);
        *why = "cannot hand the plan over (memfd)";
        return -1;
    }
    r->ms = now_ms() - t0;
    return 0;
}

int plan_cache_open_dir(void)
{
    struct stat none = { 0 };
    struct cache c;
    cache_init(&c, &none);
    return c.dir[0] ? open(c.dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
}

void plan_result_free(struct plan_result *r)
{
    plan_free(&r->plan);
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}
