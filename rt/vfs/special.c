/* asis's /proc and /dev (see special.h): dispatch by mount kind, the generated files'
 * descriptors, and directory listings that hide what the app must not see. */
#include "vfs/special.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/fd_reserve.h"
#include "pal/host.h"
#include "vfs/devfs.h"
#include "vfs/generated_fd.h"
#include "vfs/procfs.h"

/* lookup may name a mount's root "." and a directory with a trailing '/'. */
static const char *plain_rel(const char *rel, char *buf)
{
    size_t n = strlen(rel);
    if (n == 1 && rel[0] == '.')
        return "";
    if (n == 0 || rel[n - 1] != '/')
        return rel;
    while (n > 0 && rel[n - 1] == '/')
        n--;
    memcpy(buf, rel, n);
    buf[n] = 0;
    return buf;
}

void special_classify(const struct mount *m, const char *rel, struct special_node *n)
{
    char buf[VIEW_PATH_MAX];
    rel = plain_rel(rel, buf);
    switch (m->kind) {
    case MOUNT_PROC:
        procfs_classify(m, rel, n);
        return;
    case MOUNT_DEV:
        devfs_classify(rel, n);
        return;
    case MOUNT_HOST_DIR:
        break;
    }
    n->kind = SPECIAL_HOST;
    n->fd = -1;
    n->target[0] = 0;
}

long special_open_file(const struct mount *m, const char *rel, int flags)
{
    char buf[VIEW_PATH_MAX];
    rel = plain_rel(rel, buf);
    const struct proc_file *f = m->kind == MOUNT_PROC ? procfs_file_of(m, rel) : 0;
    if (!f)
        return -ENOENT;
    return generated_fd_open(m, rel, f, flags);
}

/* Directory listings asis filters. */
enum listing_filter { LIST_ALL, LIST_APP_FDS, LIST_DEV_NAMES };

static enum listing_filter listing_filter_of(const struct mount *m, const char *rel)
{
    if (m->kind == MOUNT_PROC && procfs_is_fd_dir(m, rel))
        return LIST_APP_FDS;
    if (m->kind == MOUNT_DEV && rel[0] == 0)
        return LIST_DEV_NAMES;
    return LIST_ALL;
}

/* One bit per app fd known to be open on a filtered directory: opened by vfs_open, or
 * found by listing_filter_now. The bit only says "look closer": the fd may have been
 * closed and reused since, so getdents64 asks the host what the fd is now. Atomic bit
 * operations: no lock, nothing to fix after fork. */
#define FD_BITS 65536
static unsigned long g_dir_fds[FD_BITS / 64];

void special_note_dir_opened(const struct mount *m, const char *rel, int app_fd)
{
    char buf[VIEW_PATH_MAX];
    if (app_fd < 0 || app_fd >= FD_BITS)
        return;
    if (listing_filter_of(m, plain_rel(rel, buf)) != LIST_ALL)
        __atomic_fetch_or(&g_dir_fds[app_fd / 64], 1UL << (app_fd % 64), __ATOMIC_RELAXED);
}

/* What fd is open on now, from its host path mapped into the view. */
static enum listing_filter listing_filter_of_fd(int fd)
{
    char link[VIEW_FD_LINK_BYTES], host[VIEW_PATH_MAX], guest[VIEW_PATH_MAX];
    view_fd_link(link, fd);
    long n = host_syscall3(__NR_readlink, link, host, sizeof(host) - 1);
    if (n <= 0)
        return LIST_ALL;
    host[n] = 0;
    if (view_guest_of_host(host, guest, sizeof(guest)) < 0)
        return LIST_ALL;
    const char *rest;
    const struct mount *m = view_mount_of(guest, &rest);
    return listing_filter_of(m, rest);
}

/* struct statfs of x86-64 */
struct host_statfs {
    long f_type, f_bsize;
    unsigned long f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int f_fsid[2];
    long f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct host_statfs) == 120, "struct statfs of x86-64");
#define PROC_SUPER_MAGIC 0x9fa0

/* The host directories shown as the root of a MOUNT_DEV mount (the one listing of /dev
 * that is filtered): their file system type and identity, noted once the mount table
 * is complete (special_init), read without a lock afterwards. */
struct dev_root {
    long fs_type;
    uint64_t dev, ino;
};
static struct dev_root g_dev_roots[VIEW_MOUNTS_MAX];
static int g_dev_root_count;

void special_init(void)
{
    int count = 0;
    for (int i = 0; i < view_mount_count(); i++) {
        const struct mount *m = view_mount_at(i);
        struct host_statfs sfs;
        struct host_stat st;
        if (m->kind != MOUNT_DEV || host_syscall2(__NR_fstatfs, m->host_fd, &sfs) < 0 ||
            host_syscall2(__NR_fstat, m->host_fd, &st) < 0)
            continue;
        g_dev_roots[count++] = (struct dev_root){ sfs.f_type, st.st_dev, st.st_ino };
    }
    g_dev_root_count = count;
}

static int dev_roots(void)
{
    return g_dev_root_count;
}

/* Whether fd may be open on a filtered directory that vfs_open did not see (a dup, an
 * fd inherited across exec or received with SCM_RIGHTS, a reopen through
 * /proc/self/fd/N): one fstatfs, and an fstat on /dev's file system (tmpfs, often
 * also /tmp's), so that a plain listing costs almost nothing more. */
static int may_be_filtered_dir(int fd)
{
    struct host_statfs sfs;
    if (host_syscall2(__NR_fstatfs, fd, &sfs) < 0)
        return 0; /* the host's getdents64 gives the error */
    if (sfs.f_type == PROC_SUPER_MAGIC)
        return 1;
    int count = dev_roots();
    struct host_stat st;
    int stat_done = 0;
    for (int i = 0; i < count; i++) {
        if (g_dev_roots[i].fs_type != sfs.f_type)
            continue;
        if (!stat_done && host_syscall2(__NR_fstat, fd, &st) < 0)
            return 0;
        stat_done = 1;
        if (st.st_dev == g_dev_roots[i].dev && st.st_ino == g_dev_roots[i].ino)
            return 1;
    }
    return 0;
}

/* The filter fd's listing needs now; a filtered fd is remembered in g_dir_fds. */
static enum listing_filter listing_filter_now(int fd)
{
    if (fd < 0)
        return LIST_ALL;
    int remembered = fd < FD_BITS; /* beyond: asked every time */
    unsigned long bit = remembered ? 1UL << (fd % 64) : 0; /* no negative shift */
    if (remembered && (__atomic_load_n(&g_dir_fds[fd / 64], __ATOMIC_RELAXED) & bit)) {
        enum listing_filter f = listing_filter_of_fd(fd);
        if (f == LIST_ALL)
            __atomic_fetch_and(&g_dir_fds[fd / 64], ~bit, __ATOMIC_RELAXED);
        return f;
    }
    if (!may_be_filtered_dir(fd))
        return LIST_ALL;
    enum listing_filter f = listing_filter_of_fd(fd);
    if (f != LIST_ALL && remembered)
        __atomic_fetch_or(&g_dir_fds[fd / 64], bit, __ATOMIC_RELAXED);
    return f;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int entry_hidden(enum listing_filter f, const char *name)
{
    if (f == LIST_DEV_NAMES)
        return !devfs_lists_name(name);
    long fd = parse_decimal(name);
    return fd >= 0 && fd_is_reserved((int)fd);
}

long special_getdents64(int fd, void *app_buf, unsigned int size)
{
    enum listing_filter f = listing_filter_now(fd);
    if (f == LIST_ALL)
        return host_syscall3(__NR_getdents64, fd, app_buf, size);
    /* Read at most what the app's buffer holds, so that what is kept fits in it; each
     * kept entry keeps its d_off, which is where the host resumes after it. */
    char buf[8192] __attribute__((aligned(8)));
    unsigned int chunk = size < sizeof(buf) ? size : (unsigned int)sizeof(buf);
    for (;;) {
        long n = host_syscall3(__NR_getdents64, fd, buf, chunk);
        if (n <= 0)
            return n;
        size_t kept = 0;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            unsigned short len = d->d_reclen;
            if (!entry_hidden(f, d->d_name)) {
                memmove(buf + kept, d, len);
                kept += len;
            }
            off += len;
        }
        if (kept)
            return copy_to_app(app_buf, buf, kept) < 0 ? -EFAULT : (long)kept;
        /* Everything read was hidden: read on, as if those entries were not there. */
    }
}
