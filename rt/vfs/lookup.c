/* Path lookup in the app's view (lookup.h). */
#include "vfs/lookup.h"
#include "vfs/path_text.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/fd_reserve.h"
#include "libos/signal.h"
#include "pal/host.h"
#include "vfs/special.h"
#include "vfs/procfs.h"
#include "tcb.h"

#define NAME_MAX_LINUX 255
#define SYMLINKS_MAX 40 /* Linux's MAXSYMLINKS */
#define NOT_A_SYMLINK (-4096 - 1)     /* a directory, or anything if not checked */
#define NOT_A_SYMLINK_NOR_DIR (-4096 - 2)

/* Every host lookup of an app path: confined to the mount's directory, and no symlink
 * (asis follows them itself, in guest terms). */
#define CONFINED (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static long host_openat2(int dirfd, const char *rel, long flags, long mode, long resolve)
{
    struct open_how how = { .flags = (uint64_t)flags, .mode = (uint64_t)mode,
                            .resolve = (uint64_t)resolve };
    return host_syscall4(__NR_openat2, dirfd, rel, &how, sizeof(how));
}

/* The app's own open: a FIFO blocks in it until the other end opens, so it is made
 * interruptible by signals (rt/libos/signal.h). */
static long host_openat2_final(int dirfd, const char *rel, long flags, long mode, long resolve)
{
    if (flags & (O_PATH | O_NONBLOCK))
        return host_openat2(dirfd, rel, flags, mode, resolve);
    struct open_how how = { .flags = (uint64_t)flags, .mode = (uint64_t)mode,
                            .resolve = (uint64_t)resolve };
    return syscall_interruptible(__NR_openat2, dirfd, (long)rel, (long)&how, sizeof(how), 0, 0);
}

static long host_fstat_mode(int fd, uint32_t *mode)
{
    struct host_stat st;
    long r = host_syscall2(__NR_fstat, fd, &st);
    if (r == 0)
        *mode = st.st_mode & HOST_S_IFMT;
    return r;
}

#define START_UNNAMED 1 /* start_dir: a directory that exists but has no guest path */

/* The guest directory a relative path starts from: 0, START_UNNAMED or -errno. */
static long start_dir(int dirfd, char *base)
{
    if (dirfd == AT_FDCWD)
        return view_cwd(base) < 0 ? START_UNNAMED : 0;
    if (dirfd < 0 || fd_is_reserved(dirfd))
        return -EBADF;
    uint32_t mode = 0;
    long r = host_fstat_mode(dirfd, &mode);
    if (r < 0)
        return r;
    if (mode != HOST_S_IFDIR)
        return -ENOTDIR;
    r = view_guest_of_fd(dirfd, base, VIEW_PATH_MAX);
    if (r == -ESTALE || r == -ENAMETOOLONG)
        return START_UNNAMED;
    /* A directory the view does not show (one the app inherited) is not a way out. */
    return r < 0 ? -ENOENT : 0;
}

/* Where host lookups of a result start, and how they are confined. */
static int base_fd(const struct lookup *l)
{
    return l->anchored ? l->anchor_fd : l->mnt->host_fd;
}

static long confinement(const struct lookup *l)
{
    if (l->resolve & RESOLVE_NO_XDEV)
        return (l->anchored ? RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS : CONFINED) |
               RESOLVE_NO_XDEV;
    return l->anchored ? (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) : CONFINED;
}

long vfs_lookup(int dirfd, const char *path, unsigned flags, struct lookup *l);

static int starts_with_dotdot(const char *p)
{
    return p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]);
}

/* Holds an fd of asis's until the current syscall ends (syscall_dispatch releases it):
 * for lookup results that start at a directory of their own. */
static long hold_fd(long fd)
{
    /* Out of the way of the app's next open, which gets the lowest free number as on
     * Linux: near the top of the app's range. */
    unsigned long cur, max;
    fd_app_nofile_limits(&cur, &max);
    if (cur > 2 * VFS_HELD_FDS + 3) {
        long high = host_syscall3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, cur - 2 * VFS_HELD_FDS);
        if (high >= 0) {
            host_close((int)fd);
            fd = high;
        }
    }
    struct tcb *t = tcb_self();
    for (int i = 0; i < VFS_HELD_FDS; i++) {
        if (!t->vfs_held_fd[i]) {
            t->vfs_held_fd[i] = (int)fd + 1;
            return fd;
        }
    }
    host_close((int)fd);
    return -ENOMEM;
}

void vfs_release_held_fds(struct tcb *t)
{
    for (int i = 0; i < VFS_HELD_FDS; i++) {
        if (t->vfs_held_fd[i]) {
            host_close(t->vfs_held_fd[i] - 1);
            t->vfs_held_fd[i] = 0;
        }
    }
}

/* The guest path of the nearest ancestor of directory fd that the view names (fd
 * itself first): its length, or -ENOENT when the climb leaves the view (a directory
 * from outside it) or finds nothing in 1024 levels. */
static long named_ancestor(long fd, char *guest)
{
    long r = view_guest_of_fd((int)fd, guest, VIEW_PATH_MAX);
    if (r > 0 || r == -ENOENT)
        return r;
    long up = host_syscall4(__NR_openat, fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    for (int level = 0; up >= 0 && level < 1024; level++) {
        r = view_guest_of_fd((int)up, guest, VIEW_PATH_MAX);
        if (r > 0 || r == -ENOENT)
            break;
        long next = host_syscall4(__NR_openat, up, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        host_close((int)up);
        up = next;
    }
    if (up >= 0)
        host_close((int)up);
    return r > 0 ? r : -ENOENT;
}

int vfs_dir_in_view(int fd)
{
    char guest[VIEW_PATH_MAX];
    return named_ancestor(fd, guest) > 0;
}

static long lookup(int dirfd, const char *path, unsigned flags, unsigned resolve,
                   struct lookup *l);

/* A relative path from a start directory the view cannot name (removed, or deeper than
 * PATH_MAX). Leading ".." climb on the host (a removed directory still has its parent);
 * from a directory the view names, the lookup goes on as usual; otherwise the host
 * resolves the rest beneath that directory (RESOLVE_BENEATH), which a named ancestor
 * shows to be in the view, and in which mount. */
/* Goes on from a directory the view names: the rest of the path, from its place as the
 * app sees it (its root may be a chroot). 1 if done (*r is the result), 0 if the path
 * would not fit or the directory lies outside the app's root. */
static int continue_from_named(struct lookup *l, char *guest, const char *rest, long *r)
{
    if (!view_to_app_path(guest))
        return 0;
    long n = fmt_snprintf(l->path_buf, sizeof(l->path_buf), "%s/%s", guest, rest);
    if (n >= (long)sizeof(l->path_buf))
        return 0;
    *r = lookup(AT_FDCWD, l->path_buf, l->flags, l->resolve, l);
    return 1;
}

static long anchor(struct lookup *l)
{
    const char *p = l->path;
    char guest[VIEW_PATH_MAX];
    long r;
    long fd = host_syscall4(__NR_openat, l->dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    while (fd >= 0 && starts_with_dotdot(p)) {
        p += 2;
        while (*p == '/')
            p++;
        long parent = host_syscall4(__NR_openat, fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        host_close((int)fd);
        fd = parent;
        /* Named: the walk takes the rest, '..' included (it stops at the root). */
        if (fd >= 0 && view_guest_of_fd((int)fd, guest, sizeof(guest)) > 0 &&
            continue_from_named(l, guest, p, &r)) {
            host_close((int)fd);
            return r;
        }
    }
    if (fd < 0)
        return fd;
    if (view_guest_of_fd((int)fd, guest, sizeof(guest)) > 0 &&
        continue_from_named(l, guest, p, &r)) {
        host_close((int)fd);
        return r;
    }
    if (named_ancestor(fd, guest) < 0) {
        host_close((int)fd);
        return -ENOENT;
    }
    const char *unused;
    l->mnt = view_mount_of(guest, &unused);
    fd = hold_fd(fd);
    if (fd < 0)
        return fd;
    l->anchor_fd = (int)fd;
    size_t n = strlen(p);
    if (n == 0)
        l->rel_buf[0] = '.', l->rel_buf[1] = 0;
    else
        memcpy(l->rel_buf, p, n + 1);
    l->rel = l->rel_buf;
    l->guest[0] = 0;
    l->anchored = 1;
    l->walked = 1;
    return 0;
}

/* Appends a component (len bytes) to a canonical path. */
static long append_component(char *path, const char *c, size_t len)
{
    size_t n = strlen(path);
    if (n == 1)
        n = 0; /* "/" + "x" is "/x" */
    if (n + 1 + len + 1 > VIEW_PATH_MAX)
        return -ENAMETOOLONG;
    path[n] = '/';
    memcpy(path + n + 1, c, len);
    path[n + 1 + len] = 0;
    return 0;
}

/* Drops the last component of a canonical path ("/" stays "/"). */
static void drop_component(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] != '/')
        n--;
    path[n > 1 ? n - 1 : 1] = 0;
}

/* Fills the result's mount and host-relative path from its canonical guest path. */
static long finish(struct lookup *l)
{
    const char *rest;
    l->mnt = view_mount_of(l->guest, &rest);
    size_t n = strlen(rest);
    if (n == 0) {
        l->rel_buf[0] = '.';
        n = 1;
    } else {
        memcpy(l->rel_buf, rest, n);
    }
    if (l->last_dot || l->trailing_slash) {
        /* The host sees the ending the app gave: "x/." and "x/" differ for O_CREAT. */
        if (n + 3 > sizeof(l->rel_buf))
            return -ENAMETOOLONG;
        l->rel_buf[n++] = '/';
        if (l->last_dot)
            l->rel_buf[n++] = '.';
    }
    l->rel_buf[n] = 0;
    l->rel = l->rel_buf;
    return 0;
}

/* Reads what rel names in a host directory mount: NOT_A_SYMLINK (a directory),
 * NOT_A_SYMLINK_NOR_DIR, the length of the symlink's target (written to target), or
 * -errno (-ENOENT: nothing there). */
static long host_symlink_target(const struct mount *m, const char *rel, char *target,
                                long extra_resolve)
{
    long fd = host_openat2(m->host_fd, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
                           CONFINED | extra_resolve);
    if (fd < 0)
        return fd;
    uint32_t mode = 0;
    long r = host_fstat_mode((int)fd, &mode);
    if (r == 0 && mode == HOST_S_IFLNK) {
        r = host_syscall4(__NR_readlinkat, fd, "", target, VIEW_PATH_MAX - 1);
        if (r >= 0)
            target[r] = 0;
    } else if (r == 0) {
        r = mode == HOST_S_IFDIR ? NOT_A_SYMLINK : NOT_A_SYMLINK_NOR_DIR;
    }
    host_close((int)fd);
    return r;
}

/* The walk's shortcut: the plain components of todo from start on, up to (not
 * including) the path's last one, a "." or "..", or a mount point, checked by one host
 * call to be directories and no symlinks. Returns where the run ends in todo, with
 * canon + the run in out; 0 when there is no run or the host says no (a symlink, a
 * missing name...): then the components are taken one by one. */
static size_t verified_run(const char *canon, const char *todo, size_t start, long xdev,
                           char *out)
{
    memcpy(out, canon, strlen(canon) + 1);
    size_t end = 0, len;
    const char *p = todo + start, *c;
    while ((c = path_next_component(&p, &len))) {
        if (path_at_end(p) || len > NAME_MAX_LINUX || path_is_dot(c, len) ||
            path_is_dotdot(c, len))
            break; /* the last component, or one the walk must see itself */
        if (append_component(out, c, len) < 0)
            return 0;
        end = (size_t)(p - todo);
    }
    if (!end)
        return 0;
    const char *rel_start, *rel_end;
    const struct mount *m = view_mount_of(canon, &rel_start);
    if (view_mount_of(out, &rel_end) != m || m->kind != MOUNT_HOST_DIR)
        return 0; /* a mount point on the way */
    long fd = host_openat2(m->host_fd, rel_end, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                           CONFINED | xdev);
    if (fd < 0)
        return 0;
    host_close((int)fd);
    return end;
}

long vfs_lookup_walk(struct lookup *l)
{
    char todo[VIEW_PATH_MAX], target[VIEW_PATH_MAX], cand[VIEW_PATH_MAX];
    char root[VIEW_PATH_MAX]; /* where absolute paths start and ".." stops */
    char *canon = l->guest;
    l->magic_fd = -1;
    /* openat2's RESOLVE_* of the app (0 for every other call). */
    unsigned rs = l->resolve;
    int scoped = (rs & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) != 0;
    int no_magic = scoped || (rs & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS));
    if (!scoped) {
        const char *app_root = view_root(); /* "/", or where the app chrooted */
        memcpy(root, app_root, strlen(app_root) + 1);
    }
    if (l->path[0] == '/' && !scoped) {
        memcpy(canon, root, strlen(root) + 1);
    } else {
        long r = start_dir(l->dirfd, canon);
        if (r == START_UNNAMED)
            return scoped ? -EXDEV : anchor(l);
        if (r < 0)
            return r;
        if (l->path[0] == '/' && (rs & RESOLVE_BENEATH))
            return -EXDEV;
    }
    /* The root a scoped lookup cannot leave: its start directory. */
    if (scoped)
        memcpy(root, canon, strlen(canon) + 1);
    size_t plen = strlen(l->path);
    if (plen >= sizeof(todo))
        return -ENAMETOOLONG;
    memcpy(todo, l->path, plen + 1);

    int links = 0;
    size_t pos = 0;
    for (;;) {
        size_t len;
        const char *next = todo + pos;
        const char *c = path_next_component(&next, &len);
        if (!c)
            break;
        pos = (size_t)(next - todo);
        int is_last = path_at_end(next);
        int slash_follows = *next == '/';
        if (path_is_dot(c, len))
            continue;
        if (path_is_dotdot(c, len)) {
            if (strcmp(canon, root) == 0) {
                if (rs & RESOLVE_BENEATH)
                    return -EXDEV;
                continue; /* ".." of the root is the root */
            }
            const char *unused;
            const struct mount *before = view_mount_of(canon, &unused);
            drop_component(canon); /* canon has no symlinks: ".." is its parent */
            if ((rs & RESOLVE_NO_XDEV) && view_mount_of(canon, &unused) != before)
                return -EXDEV;
            continue;
        }
        if (len > NAME_MAX_LINUX)
            return -ENAMETOOLONG;
        if (!is_last) {
            size_t run_end = verified_run(canon, todo, pos - len, rs & RESOLVE_NO_XDEV, cand);
            if (run_end) {
                memcpy(canon, cand, strlen(cand) + 1);
                pos = run_end;
                continue;
            }
        }
        memcpy(cand, canon, strlen(canon) + 1);
        long r = append_component(cand, c, len);
        if (r < 0)
            return r;
        int follow = !is_last || slash_follows || (l->flags & LOOKUP_FOLLOW);
        if (rs & RESOLVE_NO_XDEV) {
            const char *unused;
            if (view_mount_of(cand, &unused) != view_mount_of(canon, &unused))
                return -EXDEV;
        }
        if (!follow || view_is_mount_point(cand)) {
            memcpy(canon, cand, strlen(cand) + 1);
            continue;
        }

        const char *rel;
        const struct mount *m = view_mount_of(cand, &rel);
        long tlen = NOT_A_SYMLINK;
        int asked_host = 1;
        if (m->kind != MOUNT_HOST_DIR) {
            struct special_node node;
            special_classify(m, rel, &node);
            asked_host = 0;
            switch (node.kind) {
            case SPECIAL_MISSING:
                return -ENOENT;
            case SPECIAL_FILE:
                if (!is_last || slash_follows)
                    return -ENOTDIR;
                break;
            case SPECIAL_FD_LINK:
                if (no_magic)
                    return -ELOOP;
                if (is_last && !slash_follows) {
                    l->magic_fd = node.fd;
                    break;
                }
                /* A directory reached through the app's fd N: go on from its path, as
                 * the app sees it from its root. */
                if (view_guest_of_fd(node.fd, target, sizeof(target)) < 0 ||
                    !view_to_app_path(target))
                    return -ENOTDIR;
                tlen = (long)strlen(target);
                break;
            case SPECIAL_SYMLINK:
                /* /proc's exe, cwd and root are magic links on Linux. */
                if (no_magic && m->kind == MOUNT_PROC)
                    return -ELOOP;
                tlen = (long)strlen(node.target);
                memcpy(target, node.target, (size_t)tlen + 1);
                break;
            case SPECIAL_HOST:
                asked_host = 1;
                break;
            }
            if (l->magic_fd >= 0) {
                memcpy(canon, cand, strlen(cand) + 1);
                break;
            }
        }
        if (asked_host) {
            tlen = host_symlink_target(m, rel[0] ? rel : ".", target, rs & RESOLVE_NO_XDEV);
            if (tlen == -ENOENT && is_last)
                tlen = NOT_A_SYMLINK; /* may be created by the caller */
            else if (tlen == NOT_A_SYMLINK_NOR_DIR)
                tlen = is_last ? NOT_A_SYMLINK : -ENOTDIR; /* "file/.." is ENOTDIR */
            if (tlen < 0 && tlen != NOT_A_SYMLINK)
                return tlen;
        }
        if (tlen == NOT_A_SYMLINK) {
            /* A '/' after the last component (also one from a symlink's target) says
             * it must be a directory; the host call then checks. */
            if (is_last && slash_follows)
                l->trailing_slash = 1;
            memcpy(canon, cand, strlen(cand) + 1);
            continue;
        }

        /* A symlink: what remains is its target followed by the rest of the path. */
        if ((rs & RESOLVE_NO_SYMLINKS) || ++links > SYMLINKS_MAX)
            return -ELOOP;
        if (target[0] == '/' && (rs & RESOLVE_BENEATH))
            return -EXDEV;
        if (tlen == 0)
            return -ENOENT;
        size_t rest = strlen(todo + pos);
        if ((size_t)tlen + rest + 1 > sizeof(todo))
            return -ENAMETOOLONG;
        memmove(todo + tlen, todo + pos, rest + 1);
        memcpy(todo, target, (size_t)tlen);
        pos = 0;
        if (target[0] == '/')
            memcpy(canon, root, strlen(root) + 1);
    }
    l->walked = 1;
    return finish(l);
}

static long lookup(int dirfd, const char *path, unsigned flags, unsigned resolve,
                   struct lookup *l);

long vfs_lookup(int dirfd, const char *path, unsigned flags, struct lookup *l)
{
    return lookup(dirfd, path, flags, 0, l);
}

long vfs_lookup_scoped(int dirfd, const char *path, unsigned flags, unsigned resolve,
                       struct lookup *l)
{
    return lookup(dirfd, path, flags, resolve, l);
}

static long lookup(int dirfd, const char *path, unsigned flags, unsigned resolve,
                   struct lookup *l)
{
    l->dirfd = dirfd;
    l->flags = flags;
    l->path = path;
    l->magic_fd = -1;
    l->walked = 0;
    l->trailing_slash = 0;
    l->last_dot = 0;
    l->anchored = 0;
    l->resolve = resolve;

    size_t n = strlen(path);
    if (n == 0) {
        if (!(flags & LOOKUP_EMPTY_OK))
            return -ENOENT;
        /* The directory fd itself (AT_EMPTY_PATH). */
        long r = start_dir(dirfd, l->guest);
        if (r == START_UNNAMED)
            return anchor(l);
        if (r < 0)
            return r;
        l->walked = 1;
        return finish(l);
    }
    if (n >= VIEW_PATH_MAX)
        return -ENAMETOOLONG;

    /* What the path's text says about its end; and whether it has "..". */
    l->trailing_slash = path[n - 1] == '/';
    int has_dotdot = 0;
    size_t len;
    const char *p = path, *c;
    while ((c = path_next_component(&p, &len))) {
        /* (a too long name is the host's to refuse, in its turn) */
        has_dotdot |= path_is_dotdot(c, len);
        l->last_dot = path_is_dot(c, len) ? 1 : path_is_dotdot(c, len) ? 2 : 0;
    }
    /* "x/." and "x/.." need x to be a directory: the walk checks it. */
    if (has_dotdot || l->last_dot || l->resolve)
        return vfs_lookup_walk(l);

    /* The text alone: start directory + components without "." and empty ones. */
    if (path[0] == '/') {
        const char *app_root = view_root();
        memcpy(l->guest, app_root, strlen(app_root) + 1);
    } else {
        long r = start_dir(dirfd, l->guest);
        if (r == START_UNNAMED)
            return anchor(l);
        if (r < 0)
            return r;
    }
    for (p = path; (c = path_next_component(&p, &len));) {
        if (path_is_dot(c, len))
            continue;
        long r = append_component(l->guest, c, len);
        if (r == -ENAMETOOLONG && path[0] != '/')
            return anchor(l); /* deeper than PATH_MAX: the host can still go there */
        if (r < 0)
            return r;
    }
    long r = finish(l);
    if (r < 0)
        return r;
    /* asis's /proc and /dev answer names themselves: always walked. */
    if (l->mnt->kind != MOUNT_HOST_DIR)
        return vfs_lookup_walk(l);
    return 0;
}

long vfs_copy_path(char *buf, const char *app_path)
{
    if (!app_path)
        return -EFAULT;
    long n = copy_str_from_app(buf, app_path, VIEW_PATH_MAX);
    if (n == -EFAULT)
        return -EFAULT;
    return n < 0 ? -ENAMETOOLONG : n;
}

long vfs_lookup_app(int dirfd, const char *app_path, unsigned flags, struct lookup *out,
                    char *buf)
{
    long n = vfs_copy_path(buf, app_path);
    return n < 0 ? n : vfs_lookup(dirfd, buf, flags, out);
}

/* ------------------------------------------------------------ host operations */

int vfs_check_writable(const struct lookup *l)
{
    return (l->mnt->flags & MOUNT_READONLY) ? -EROFS : 0;
}

/* open(2)'s cleaning of flags and mode, which openat2 would refuse instead. */
#define VALID_OPEN_FLAGS                                                                   \
    (O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |     \
     O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |   \
     O_NOATIME | O_CLOEXEC | __O_SYNC | O_PATH | __O_TMPFILE)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

static void clean_open_flags(int *flags, int *mode)
{
    int f = *flags & VALID_OPEN_FLAGS;
    if (f & O_PATH)
        f &= O_PATH_FLAGS;
    *mode = ((f & O_CREAT) || (f & __O_TMPFILE) == __O_TMPFILE) ? (*mode & 07777) : 0;
    *flags = f;
}

/* Whether a lexical result met a symlink: then it is redone by walking. */
static int must_walk(struct lookup *l, long r)
{
    return r == -ELOOP && !l->walked;
}

/* Linux's answers for a write-opening on a read-only mount: ENOENT and EEXIST and
 * EISDIR come first, EROFS for what would change the file system. */
static long readonly_open_check(struct lookup *l, int flags)
{
    int acc = flags & O_ACCMODE;
    if (acc == O_RDONLY && !(flags & (O_CREAT | O_TRUNC | __O_TMPFILE)))
        return 0;
    if ((flags & __O_TMPFILE) == __O_TMPFILE)
        return -EROFS;
    int nofollow = (flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL));
    long fd = host_openat2(base_fd(l), l->rel, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
                           0, confinement(l));
    if (fd == -ENOENT && (flags & O_CREAT)) {
        const char *name;
        long parent = vfs_open_parent(l, &name);
        if (parent < 0)
            return parent;
        host_close((int)parent);
        return -EROFS;
    }
    if (fd < 0)
        return fd;
    uint32_t mode = 0;
    long r = host_fstat_mode((int)fd, &mode);
    host_close((int)fd);
    if (r < 0)
        return r;
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (mode == HOST_S_IFDIR && acc != O_RDONLY)
        return -EISDIR;
    int fs_object = mode == HOST_S_IFREG || mode == HOST_S_IFDIR || mode == HOST_S_IFLNK;
    if (fs_object && (acc != O_RDONLY || (flags & O_TRUNC)))
        return -EROFS;
    return 0; /* devices, FIFOs and sockets can be written on a read-only mount */
}


long vfs_open(struct lookup *l, int flags, int mode)
{
    clean_open_flags(&flags, &mode);
    for (;;) {
        if (l->magic_fd >= 0) {
            /* Reopening one of the app's own fds, as Linux does through /proc; a file of
             * a read-only mount stays read-only. */
            char link[VIEW_FD_LINK_BYTES], guest[VIEW_PATH_MAX];
            const char *unused;
            int writing = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
            struct host_stat st;
            if (writing && host_syscall2(__NR_fstat, l->magic_fd, &st) == 0 &&
                ((st.st_mode & HOST_S_IFMT) == HOST_S_IFREG ||
                 (st.st_mode & HOST_S_IFMT) == HOST_S_IFDIR)) {
                long named = view_guest_of_fd(l->magic_fd, guest, sizeof(guest));
                /* One the view cannot name (removed, too deep) may be on a read-only
                 * mount if one lies on its device. */
                int unnamed = named == -ESTALE || named == -ENAMETOOLONG;
                if (named > 0 ? (view_mount_of(guest, &unused)->flags & MOUNT_READONLY) != 0
                              : unnamed && view_dev_has_readonly_mount(st.st_dev))
                    return -EROFS;
            }
            view_fd_link(link, l->magic_fd);
            return host_syscall4(__NR_openat, AT_FDCWD, link, flags, mode);
        }
        if (l->mnt->kind != MOUNT_HOST_DIR) {
            struct special_node node;
            special_classify(l->mnt, l->rel_buf[0] == '.' && !l->rel_buf[1] ? "" : l->rel,
                             &node);
            if (node.kind == SPECIAL_MISSING)
                return -ENOENT;
            if (node.kind == SPECIAL_FILE)
                return special_open_file(l->mnt, l->rel, flags);
            if (l->mnt->kind == MOUNT_PROC) {
                /* Nothing of the host's /proc opens for writing outside the app's own
                 * directory (/proc/sys, sysrq-trigger, ...). */
                long r = procfs_open_check(l->mnt, l->rel, flags);
                if (r < 0)
                    return r;
            }
        }
        if (l->mnt->flags & MOUNT_READONLY) {
            long r = readonly_open_check(l, flags);
            if (must_walk(l, r)) {
                if ((r = vfs_lookup_walk(l)) < 0)
                    return r;
                continue;
            }
            if (r < 0)
                return r;
        }
        long fd = host_openat2_final(base_fd(l), l->rel, flags, mode, confinement(l));
        if (must_walk(l, fd)) {
            long r = vfs_lookup_walk(l);
            if (r < 0)
                return r;
            continue;
        }
        if (fd >= 0 && l->mnt->kind != MOUNT_HOST_DIR)
            special_note_dir_opened(l->mnt, l->rel, (int)fd);
        return fd;
    }
}

long vfs_open_parent(struct lookup *l, const char **name)
{
    for (;;) {
        /* Split rel ("a/b/c" or "a/b/c/") at its last component. */
        char parent[VIEW_PATH_MAX];
        size_t n = strlen(l->rel);
        size_t end = n;
        if (end > 1 && l->rel[end - 1] == '/')
            end--;
        size_t start = end;
        while (start > 0 && l->rel[start - 1] != '/')
            start--;
        if (start == 0) {
            parent[0] = '.', parent[1] = 0;
        } else {
            memcpy(parent, l->rel, start - 1);
            parent[start - 1] = 0;
        }
        *name = l->rel + start; /* "." for the mount's root */
        long fd = host_openat2(base_fd(l), parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                               confinement(l));
        if (must_walk(l, fd)) {
            /* The parent is walked; the last component stays as the app named it. */
            unsigned saved = l->flags;
            l->flags &= ~LOOKUP_FOLLOW;
            long r = vfs_lookup_walk(l);
            l->flags = saved;
            if (r < 0)
                return r;
            continue;
        }
        return fd;
    }
}

long vfs_open_object(struct lookup *l)
{
    int nofollow = !(l->flags & LOOKUP_FOLLOW) && !l->trailing_slash;
    for (;;) {
        if (l->magic_fd >= 0) {
            char link[VIEW_FD_LINK_BYTES];
            view_fd_link(link, l->magic_fd);
            return host_syscall4(__NR_openat, AT_FDCWD, link, O_PATH | O_CLOEXEC, 0);
        }
        if (l->mnt->kind != MOUNT_HOST_DIR) {
            struct special_node node;
            special_classify(l->mnt, l->rel_buf[0] == '.' && !l->rel_buf[1] ? "" : l->rel,
                             &node);
            if (node.kind == SPECIAL_MISSING)
                return -ENOENT;
            if (node.kind == SPECIAL_FILE)
                return special_open_file(l->mnt, l->rel, O_RDONLY | O_CLOEXEC);
        }
        long fd = host_openat2(base_fd(l), l->rel,
                               O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0), 0, confinement(l));
        if (must_walk(l, fd)) {
            long r = vfs_lookup_walk(l);
            if (r < 0)
                return r;
            continue;
        }
        return fd;
    }
}
