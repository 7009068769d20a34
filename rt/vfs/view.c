/* The mount table and the working directory (view.h). The table is built once at
 * start-up and never changes afterwards, so lookups read it without a lock; only the
 * working directory changes, under g_cwd_lock. */
#include "vfs/view.h"
#include "vfs/path_text.h"
#include "exit_codes.h"
#include "launch_plan.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "lib/mutex.h"
#include "lib/string.h"
#include "libos/fd_reserve.h"
#include "libos/vma.h"
#include "pal/host.h"
#include "tcb.h"

static struct mount g_mounts[VIEW_MOUNTS_MAX];
static int g_mount_count;

static struct mutex g_cwd_lock;
static char g_cwd[VIEW_PATH_MAX] = "/";

/* Lexically canonical absolute path: no "//", ".", ".." or trailing '/'. Only for paths
 * the user gave on asis's command line, which name no symlinks that matter here. */
static int canonical_guest(const char *in, char *out, size_t size)
{
    if (in[0] != '/')
        return -1;
    size_t n = 0, len;
    const char *p = in, *c;
    while ((c = path_next_component(&p, &len))) {
        if (path_is_dot(c, len))
            continue;
        if (path_is_dotdot(c, len)) {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            continue;
        }
        if (n + 1 + len + 1 > size)
            return -1;
        out[n++] = '/';
        memcpy(out + n, c, len);
        n += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = 0;
    return 0;
}

/* 1 if path equals prefix or continues it with a '/' (prefix "/" matches everything). */
static int has_path_prefix(const char *path, const char *prefix, size_t prefix_len)
{
    if (prefix_len == 1 && prefix[0] == '/')
        return path[0] == '/';
    return strncmp(path, prefix, prefix_len) == 0 &&
           (path[prefix_len] == 0 || path[prefix_len] == '/');
}

static void add_mount(enum mount_kind kind, long fd, const char *host_path,
                      const char *guest_path, unsigned flags)
{
    if (g_mount_count == VIEW_MOUNTS_MAX)
        fatal("too many mounts (at most %d)", VIEW_MOUNTS_MAX);
    struct mount *m = &g_mounts[g_mount_count];
    if (canonical_guest(guest_path, m->guest, sizeof(m->guest)) < 0)
        fatal("mount point '%s' is not an absolute path", guest_path);
    if (g_mount_count == 0 && strcmp(m->guest, "/") != 0)
        fatal("the first mount must be the root");
    struct host_stat st;
    if (fd >= 0 && (host_syscall2(__NR_fstat, fd, &st) < 0 ||
                    (st.st_mode & HOST_S_IFMT) != HOST_S_IFDIR))
        fd = -ENOTDIR;
    if (fd < 0)
        fatal("cannot use %s as %s in the app's view: %s", host_path, m->guest,
              fd == -ENOENT ? "no such directory" : fd == -ENOTDIR ? "not a directory"
                                                                 : "cannot open it");
    m->host_fd = fd_move_to_reserved((int)fd);
    if (m->host_fd < 0)
        fatal("no room for the descriptor of mount %s", m->guest);
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, m->host_fd);
    long n = host_syscall3(__NR_readlink, link, m->host, sizeof(m->host) - 1);
    if (n <= 0 || m->host[0] != '/')
        fatal("cannot find where %s is on the host", host_path);
    m->host[n] = 0;
    m->host_len = (size_t)n;
    m->guest_len = strlen(m->guest);
    m->kind = kind;
    m->flags = flags;
    g_mount_count++;
}

void view_add_mount(enum mount_kind kind, const char *host_path, const char *guest_path,
                    unsigned flags)
{
    long fd = host_syscall4(__NR_openat, AT_FDCWD, host_path,
                            O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    add_mount(kind, fd, host_path, guest_path, flags);
}

void view_add_mount_fd(enum mount_kind kind, int host_fd, const char *guest_path,
                       unsigned flags)
{
    /* fd_move_to_reserved makes a close-on-exec copy and closes the inherited one. */
    add_mount(kind, host_fd, "(an inherited directory)", guest_path, flags);
}

void view_mount_fds_inheritable(int on)
{
    for (int i = 0; i < g_mount_count; i++)
        host_syscall3(__NR_fcntl, g_mounts[i].host_fd, F_SETFD, on ? 0 : FD_CLOEXEC);
}

int view_mount_count(void)
{
    return g_mount_count;
}

const struct mount *view_mount_at(int i)
{
    return i >= 0 && i < g_mount_count ? &g_mounts[i] : 0;
}

const struct mount *view_mount_of(const char *guest, const char **rest)
{
    const struct mount *best = &g_mounts[0];
    for (int i = 1; i < g_mount_count; i++) {
        const struct mount *m = &g_mounts[i];
        /* ">=": of two mounts at one place, the later hides the earlier. */
        if (m->guest_len >= best->guest_len && has_path_prefix(guest, m->guest, m->guest_len))
            best = m;
    }
    const char *r = guest + (best->guest_len == 1 ? 0 : best->guest_len);
    while (*r == '/')
        r++;
    *rest = r;
    return best;
}

int view_is_mount_point(const char *guest)
{
    for (int i = 0; i < g_mount_count; i++)
        if (strcmp(g_mounts[i].guest, guest) == 0)
            return 1;
    return 0;
}

long view_guest_of_host(const char *host, char *guest, size_t size)
{
    /* The most specific mount showing the host path, unless a mount at a deeper guest
     * path hides the result; then the next most specific. */
    int tried[VIEW_MOUNTS_MAX] = { 0 };
    for (;;) {
        int best = -1;
        for (int i = 0; i < g_mount_count; i++) {
            const struct mount *m = &g_mounts[i];
            if (!tried[i] && has_path_prefix(host, m->host, m->host_len) &&
                (best < 0 || m->host_len >= g_mounts[best].host_len))
                best = i;
        }
        if (best < 0)
            return -ENOENT;
        tried[best] = 1;
        const struct mount *m = &g_mounts[best];
        const char *rest = host + (m->host_len == 1 ? 0 : m->host_len);
        long n = m->guest_len == 1 ? fmt_snprintf(guest, size, "%s", rest[0] ? rest : "/")
                                   : fmt_snprintf(guest, size, "%s%s", m->guest, rest);
        if (n < 0 || (size_t)n >= size)
            return -ENAMETOOLONG;
        const char *unused;
        if (view_mount_of(guest, &unused) == m)
            return n;
    }
}

void view_fd_link(char *buf, long fd)
{
    fmt_snprintf(buf, VIEW_FD_LINK_BYTES, "/proc/thread-self/fd/%ld", fd);
}

long view_guest_of_fd(int fd, char *guest, size_t size)
{
    char link[VIEW_FD_LINK_BYTES], host[VIEW_PATH_MAX];
    view_fd_link(link, fd);
    long n = host_syscall3(__NR_readlink, link, host, sizeof(host) - 1);
    if (n < 0)
        return n == -ENOENT ? -EBADF : n;
    host[n] = 0;
    static const char deleted[] = " (deleted)";
    size_t dl = sizeof(deleted) - 1;
    if ((size_t)n > dl && strcmp(host + n - dl, deleted) == 0)
        return -ESTALE;
    if (host[0] != '/')
        return -ENOENT;
    return view_guest_of_host(host, guest, size);
}

/* ------------------------------------------------------------- working directory */

static int in_vfork_child(void)
{
    return tcb_self()->vfork_child;
}

long view_cwd(char *buf)
{
    /* The host's working directory is the app's (chdir moves both), and the host knows
     * where it is now, even after the directory was renamed. When the host cannot name
     * it (removed, or deeper than PATH_MAX), the caller works from the host's directory
     * itself; buf then holds the last path asis knew. A vfork child has its own host
     * working directory, not the recorded one. */
    char host[VIEW_PATH_MAX];
    long n = host_syscall2(__NR_getcwd, host, sizeof(host));
    if (n > 0 && view_guest_of_host(host, buf, VIEW_PATH_MAX) > 0)
        return 0;
    if (in_vfork_child()) {
        fmt_snprintf(buf, VIEW_PATH_MAX, "/");
    } else {
        mutex_lock(&g_cwd_lock);
        memcpy(buf, g_cwd, strlen(g_cwd) + 1);
        mutex_unlock(&g_cwd_lock);
    }
    return n == -ENAMETOOLONG ? -ENAMETOOLONG : n < 0 ? -ENOENT : 0;
}

void view_set_cwd(const char *guest)
{
    if (in_vfork_child())
        return; /* its host working directory is what counts (see view_cwd) */
    mutex_lock(&g_cwd_lock);
    fmt_snprintf(g_cwd, sizeof(g_cwd), "%s", guest);
    mutex_unlock(&g_cwd_lock);
}

void view_cwd_lock(void)
{
    mutex_lock(&g_cwd_lock);
}

void view_cwd_unlock(void)
{
    mutex_unlock(&g_cwd_lock);
}

void view_finish(const char *start_dir)
{
    if (g_mount_count == 0) {
        /* A plan without mounts (asis-rt started by hand in a debugger): the host's
         * root with asis's /proc and /dev, the front end's default. */
        view_add_mount(MOUNT_HOST_DIR, "/", "/", 0);
        view_add_mount(MOUNT_PROC, "/proc", "/proc", 0);
        view_add_mount(MOUNT_DEV, "/dev", "/dev", 0);
    }
    char cwd[VIEW_PATH_MAX];
    if (start_dir) {
        if (canonical_guest(start_dir, cwd, sizeof(cwd)) < 0)
            fatal("the start directory '%s' is not an absolute path", start_dir);
    } else {
        char host[VIEW_PATH_MAX];
        long n = host_syscall2(__NR_getcwd, host, sizeof(host));
        if (n <= 0 || view_guest_of_host(host, cwd, sizeof(cwd)) < 0)
            fmt_snprintf(cwd, sizeof(cwd), "/");
    }
    /* The host's working directory follows the app's, so that what inherits it (child
     * processes) finds the same place. */
    const char *rest;
    const struct mount *m = view_mount_of(cwd, &rest);
    struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
    long fd = host_syscall4(__NR_openat2, m->host_fd, rest[0] ? rest : ".", &how, sizeof(how));
    if (fd < 0 || host_syscall1(__NR_fchdir, fd) < 0) {
        /* The user's --cwd: a usage error, not asis's. */
        log_error("--cwd: %s is not a directory in the app's view", cwd);
        host_exit_group(ASIS_EXIT_USAGE);
    }
    host_close((int)fd);
    view_set_cwd(cwd);
}

/* -------------------------------------------------------------------- chroot */

/* Roots are never changed once written, so lookups read the current one without a
 * lock; each distinct chroot takes a new page (a vfork child's too, which must not
 * change its parent's), kept for the life of the process. */
#define VIEW_ROOTS_MAX 4096
static char g_root_slash[2] = "/";
static char *g_roots[VIEW_ROOTS_MAX] = { g_root_slash };
static int g_root_count = 1;
static int g_root_index;
static struct mutex g_root_lock;

const char *view_root(void)
{
    struct tcb *t = tcb_self();
    if (t->vfork_child && t->vfork_root)
        return g_roots[t->vfork_root - 1];
    return g_roots[__atomic_load_n(&g_root_index, __ATOMIC_ACQUIRE)];
}

void view_root_lock(void)
{
    mutex_lock(&g_root_lock);
}

void view_root_unlock(void)
{
    mutex_unlock(&g_root_lock);
}

long view_set_root(const char *guest)
{
    mutex_lock(&g_root_lock);
    int i = -1;
    for (int k = 0; k < g_root_count; k++)
        if (strcmp(g_roots[k], guest) == 0)
            i = k;
    if (i < 0 && g_root_count < VIEW_ROOTS_MAX) {
        char *page = host_mmap(0, VIEW_PATH_MAX, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (!host_is_error((long)page)) {
            vma_note_asis((uintptr_t)page, VIEW_PATH_MAX);
            fmt_snprintf(page, VIEW_PATH_MAX, "%s", guest);
            i = g_root_count;
            g_roots[i] = page;
            __atomic_store_n(&g_root_count, i + 1, __ATOMIC_RELEASE);
        }
    }
    mutex_unlock(&g_root_lock);
    if (i < 0)
        return -ENOMEM;
    struct tcb *t = tcb_self();
    if (t->vfork_child)
        t->vfork_root = i + 1;
    else
        __atomic_store_n(&g_root_index, i, __ATOMIC_RELEASE);
    return 0;
}

int view_dev_has_readonly_mount(uint64_t dev)
{
    for (int i = 0; i < g_mount_count; i++) {
        struct host_stat st;
        if ((g_mounts[i].flags & MOUNT_READONLY) &&
            host_syscall2(__NR_fstat, g_mounts[i].host_fd, &st) == 0 && st.st_dev == dev)
            return 1;
    }
    return 0;
}

int view_to_app_path(char *guest)
{
    const char *root = view_root();
    size_t n = strlen(root);
    if (n == 1)
        return 1;
    if (!has_path_prefix(guest, root, n))
        return 0;
    if (!guest[n])
        guest[1] = 0; /* the root itself is "/" */
    else
        memmove(guest, guest + n, strlen(guest + n) + 1);
    return 1;
}

/* ---------------------------------------------------------------- launch plan */

long view_plan_options(char *buf, size_t size, int by_fd)
{
    static const char *const kinds[] = { "dir", "proc", "dev" };
    size_t used = 0;
    long count = 0;
    for (int i = 0; i < g_mount_count; i++) {
        const struct mount *m = &g_mounts[i];
        /* A tmpfs is the same host directory for the new program (the front end's
         * cleaner removes it when the first process ends). */
        unsigned f = m->flags & (MOUNT_READONLY | MOUNT_TMPFS);
        const char *flags = f == (MOUNT_READONLY | MOUNT_TMPFS) ? "ro,tmpfs"
                            : f == MOUNT_READONLY               ? "ro"
                            : f == MOUNT_TMPFS                  ? "tmpfs"
                                                                : "";
        long a = fmt_snprintf(buf + used, size - used, "%s%s:%s:%s", PLAN_OPT_MOUNT,
                              kinds[m->kind], flags, m->guest);
        if (a < 0 || used + (size_t)a + 1 >= size)
            return -E2BIG;
        used += (size_t)a + 1;
        long b = by_fd ? fmt_snprintf(buf + used, size - used, "%s%d", PLAN_OPT_MOUNT_FD,
                                      m->host_fd)
                       : fmt_snprintf(buf + used, size - used, "%s%s", PLAN_OPT_MOUNT_HOST,
                                      m->host);
        if (b < 0 || used + (size_t)b + 1 >= size)
            return -E2BIG;
        used += (size_t)b + 1;
        count += 2;
    }
    const char *root = view_root();
    if (strcmp(root, "/") != 0) {
        long c = fmt_snprintf(buf + used, size - used, "%s%s", PLAN_OPT_CHROOT, root);
        if (c < 0 || used + (size_t)c + 1 >= size)
            return -E2BIG;
        used += (size_t)c + 1;
        count++;
    }
    return count;
}
