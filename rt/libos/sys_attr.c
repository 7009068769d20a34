/* A file's attributes by path: mode, owner, times, size and extended attributes. Each
 * call resolves the path in the app's view, opens the object itself (O_PATH, see
 * vfs_open_object) and has the host act on that descriptor: with AT_EMPTY_PATH, or
 * through its link /proc/thread-self/fd/N, which the host follows to exactly that
 * object (a symlink reached through such a link is not followed further). So the host
 * never resolves a path the app wrote. Changes on a read-only mount are EROFS, once the
 * object is known to exist (ENOENT first, as on Linux). */
#include "libos/syscall.h"
#include "lib/fmt.h"
#include "pal/host.h"
#include "vfs/lookup.h"

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* What an app path names, held open for one host call. */
struct target {
    struct lookup l;
    char path[VIEW_PATH_MAX];
    long fd;       /* O_PATH fd of the object (asis's; target_close closes it) */
    char link[VIEW_FD_LINK_BYTES]; /* view_fd_link of fd: leads to the object */
};

static long target_open(struct target *t, int dirfd, const char *app_path, int follow)
{
    long r = vfs_lookup_app(dirfd, app_path, follow ? LOOKUP_FOLLOW : 0, &t->l, t->path);
    if (r < 0)
        return r;
    t->fd = vfs_open_object(&t->l);
    if (t->fd < 0)
        return t->fd;
    /* thread-self: the fd table of this thread, even one cloned without CLONE_FILES. */
    view_fd_link(t->link, t->fd);
    return 0;
}

static void target_close(struct target *t)
{
    host_close((int)t->fd);
}

/* EROFS if the object lies in a read-only mount. */
static long check_writable(const struct lookup *l)
{
    if (l->magic_fd < 0)
        return vfs_check_writable(l);
    /* An app fd reached through /proc/self/fd/N: the mount of the file it has open
     * (pipes and sockets are in none). */
    char guest[VIEW_PATH_MAX];
    const char *rest;
    if (view_guest_of_fd(l->magic_fd, guest, sizeof(guest)) < 0)
        return 0;
    return (view_mount_of(guest, &rest)->flags & MOUNT_READONLY) ? -EROFS : 0;
}

/* target_open for a call that changes the object: EROFS on a read-only mount. */
static long target_open_for_change(struct target *t, int dirfd, const char *app_path,
                                   int follow)
{
    long r = target_open(t, dirfd, app_path, follow);
    if (r < 0)
        return r;
    r = check_writable(&t->l);
    if (r < 0)
        target_close(t);
    return r;
}

/* 1 when the call acts on dirfd itself, which the host can do as asked since no path
 * is looked up: "" with AT_EMPTY_PATH, or a NULL path (for which the host answers
 * EFAULT, or acts on dirfd where Linux allows that). */
static int acts_on_dirfd(const char *app_path, int flags)
{
    if (!app_path)
        return 1;
    char first;
    return (flags & AT_EMPTY_PATH) && copy_from_app(&first, app_path, 1) == 0 && first == 0;
}

/* ---------------------------------------------------------------------------- mode */

long sys_fchmodat2(int dirfd, const char *app_path, unsigned int mode, unsigned int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (acts_on_dirfd(app_path, (int)flags))
        return host_syscall4(__NR_fchmodat2, dirfd, app_path ? "" : 0, mode, flags);
    struct target t;
    long r = target_open_for_change(&t, dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW));
    if (r < 0)
        return r;
    /* A symlink itself cannot change its mode: the host says EOPNOTSUPP, as Linux. */
    r = host_syscall3(__NR_fchmodat, AT_FDCWD, t.link, mode);
    target_close(&t);
    return r;
}

long sys_fchmodat(int dirfd, const char *app_path, unsigned int mode)
{
    if (!app_path)
        return -EFAULT;
    return sys_fchmodat2(dirfd, app_path, mode, 0);
}

long sys_chmod(const char *app_path, unsigned int mode)
{
    return sys_fchmodat(AT_FDCWD, app_path, mode);
}

/* --------------------------------------------------------------------------- owner */

long sys_fchownat(int dirfd, const char *app_path, unsigned int uid, unsigned int gid,
                  int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (acts_on_dirfd(app_path, flags))
        return host_syscall5(__NR_fchownat, dirfd, app_path ? "" : 0, uid, gid, flags);
    struct target t;
    long r = target_open_for_change(&t, dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW));
    if (r < 0)
        return r;
    r = host_syscall5(__NR_fchownat, t.fd, "", uid, gid, AT_EMPTY_PATH);
    target_close(&t);
    return r;
}

long sys_chown(const char *app_path, unsigned int uid, unsigned int gid)
{
    if (!app_path)
        return -EFAULT;
    return sys_fchownat(AT_FDCWD, app_path, uid, gid, 0);
}

long sys_lchown(const char *app_path, unsigned int uid, unsigned int gid)
{
    if (!app_path)
        return -EFAULT;
    return sys_fchownat(AT_FDCWD, app_path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

/* --------------------------------------------------------------------------- times */

static int nsec_valid(long nsec)
{
    return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec <= 999999999);
}

/* Linux's do_utimes: ts is NULL (now) or two times already copied from the app. */
/* -EROFS if app fd's file lies on a read-only mount, -EBADF if fd is not open, else 0
 * (pipes, sockets and files outside the view are on none). */
static long fd_on_readonly_mount(int fd)
{
    char guest[VIEW_PATH_MAX];
    const char *rest;
    long fl = host_syscall2(__NR_fcntl, fd, F_GETFL);
    if (fl < 0 || (fl & O_PATH))
        return fl < 0 ? fl : 0; /* the host says EBADF for both */
    long r = view_guest_of_fd(fd, guest, sizeof(guest));
    if (r > 0)
        return (view_mount_of(guest, &rest)->flags & MOUNT_READONLY) ? -EROFS : 0;
    if (r == -ESTALE || r == -ENAMETOOLONG) {
        /* A file the view cannot name: read-only if it may lie on a read-only mount. */
        struct host_stat st;
        if (host_syscall2(__NR_fstat, fd, &st) == 0 && view_dev_has_readonly_mount(st.st_dev))
            return -EROFS;
    }
    return 0;
}

static long set_times(int dirfd, const char *app_path, const struct host_timespec *ts,
                      int flags)
{
    if (!app_path) { /* the fd itself (futimens), or EFAULT for AT_FDCWD */
        long ro = dirfd == AT_FDCWD ? 0 : fd_on_readonly_mount(dirfd);
        return ro < 0 ? ro : host_syscall4(__NR_utimensat, dirfd, 0, ts, flags);
    }
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (acts_on_dirfd(app_path, flags)) {
        long ro = fd_on_readonly_mount(dirfd);
        return ro < 0 ? ro : host_syscall4(__NR_utimensat, dirfd, "", ts, flags);
    }
    struct target t;
    long r = target_open(&t, dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW));
    if (r < 0)
        return r;
    /* Linux judges the times once the file is found, before the mount. */
    if (ts && (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec)))
        r = -EINVAL;
    else if ((r = check_writable(&t.l)) == 0)
        r = host_syscall4(__NR_utimensat, AT_FDCWD, t.link, ts, 0);
    target_close(&t);
    return r;
}

long sys_utimensat(int dirfd, const char *app_path, const void *app_times, int flags)
{
    struct host_timespec ts[2];
    if (app_times) {
        if (copy_from_app(ts, app_times, sizeof(ts)) < 0)
            return -EFAULT;
        /* Nothing to do: Linux does not even look at the path. */
        if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
            return 0;
    }
    return set_times(dirfd, app_path, app_times ? ts : 0, flags);
}

struct app_timeval {
    long tv_sec, tv_usec;
};

long sys_futimesat(int dirfd, const char *app_path, const void *app_times)
{
    struct host_timespec ts[2];
    if (app_times) {
        struct app_timeval tv[2];
        if (copy_from_app(tv, app_times, sizeof(tv)) < 0)
            return -EFAULT;
        /* Checked here, before the conversion could hide a bad value (or make
         * UTIME_NOW/UTIME_OMIT, which only utimensat knows). */
        for (int i = 0; i < 2; i++) {
            if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                return -EINVAL;
            ts[i].tv_sec = tv[i].tv_sec;
            ts[i].tv_nsec = tv[i].tv_usec * 1000;
        }
    }
    return set_times(dirfd, app_path, app_times ? ts : 0, 0);
}

long sys_utimes(const char *app_path, const void *app_times)
{
    return sys_futimesat(AT_FDCWD, app_path, app_times);
}

long sys_utime(const char *app_path, const void *app_times)
{
    struct host_timespec ts[2];
    if (app_times) {
        long t[2]; /* struct utimbuf: actime, modtime */
        if (copy_from_app(t, app_times, sizeof(t)) < 0)
            return -EFAULT;
        ts[0].tv_sec = t[0], ts[0].tv_nsec = 0;
        ts[1].tv_sec = t[1], ts[1].tv_nsec = 0;
    }
    return set_times(AT_FDCWD, app_path, app_times ? ts : 0, 0);
}

/* ---------------------------------------------------------------------------- size */

long sys_truncate(const char *app_path, long length)
{
    if (length < 0)
        return -EINVAL;
    struct target t;
    long r = target_open(&t, AT_FDCWD, app_path, 1);
    if (r < 0)
        return r;
    if (check_writable(&t.l) < 0) {
        /* Linux judges the file's type before the mount's being read-only. */
        struct host_stat st;
        r = host_syscall4(__NR_newfstatat, t.fd, "", &st, AT_EMPTY_PATH);
        if (r == 0) {
            uint32_t type = st.st_mode & HOST_S_IFMT;
            r = type == HOST_S_IFDIR ? -EISDIR : type != HOST_S_IFREG ? -EINVAL : -EROFS;
        }
        target_close(&t);
        return r;
    }
    r = host_syscall2(__NR_truncate, t.link, length);
    target_close(&t);
    return r;
}

/* ---------------------------------------------------------------- extended attributes */

/* Linux 6.13 and later check an attribute's name (and the value to set) before the
 * path. The host judges them first with a path it cannot find: ENOENT means they are
 * fine (an older host looks at the path first, and then judges them on the real call,
 * as it would natively). */
static long xattr_args_checked(long probe)
{
    return probe == -ENOENT ? 0 : probe;
}

static long get_xattr(const char *app_path, const char *name, void *value,
                      unsigned long size, int follow)
{
    long r = xattr_args_checked(host_syscall4(__NR_getxattr, "", name, 0, 0));
    if (r < 0)
        return r;
    struct target t;
    if ((r = target_open(&t, AT_FDCWD, app_path, follow)) < 0)
        return r;
    r = host_syscall4(__NR_getxattr, t.link, name, value, size);
    target_close(&t);
    return r;
}

long sys_getxattr(const char *app_path, const char *name, void *value, unsigned long size)
{
    return get_xattr(app_path, name, value, size, 1);
}

long sys_lgetxattr(const char *app_path, const char *name, void *value, unsigned long size)
{
    return get_xattr(app_path, name, value, size, 0);
}

static long set_xattr(const char *app_path, const char *name, const void *value,
                      unsigned long size, int flags, int follow)
{
    long r = xattr_args_checked(host_syscall5(__NR_setxattr, "", name, value, size, flags));
    if (r < 0)
        return r;
    struct target t;
    if ((r = target_open_for_change(&t, AT_FDCWD, app_path, follow)) < 0)
        return r;
    r = host_syscall5(__NR_setxattr, t.link, name, value, size, flags);
    target_close(&t);
    return r;
}

long sys_setxattr(const char *app_path, const char *name, const void *value,
                  unsigned long size, int flags)
{
    return set_xattr(app_path, name, value, size, flags, 1);
}

long sys_lsetxattr(const char *app_path, const char *name, const void *value,
                   unsigned long size, int flags)
{
    return set_xattr(app_path, name, value, size, flags, 0);
}

static long list_xattr(const char *app_path, char *list, unsigned long size, int follow)
{
    struct target t;
    long r = target_open(&t, AT_FDCWD, app_path, follow);
    if (r < 0)
        return r;
    r = host_syscall3(__NR_listxattr, t.link, list, size);
    target_close(&t);
    return r;
}

long sys_listxattr(const char *app_path, char *list, unsigned long size)
{
    return list_xattr(app_path, list, size, 1);
}

long sys_llistxattr(const char *app_path, char *list, unsigned long size)
{
    return list_xattr(app_path, list, size, 0);
}

static long remove_xattr(const char *app_path, const char *name, int follow)
{
    long r = xattr_args_checked(host_syscall2(__NR_removexattr, "", name));
    if (r < 0)
        return r;
    struct target t;
    if ((r = target_open_for_change(&t, AT_FDCWD, app_path, follow)) < 0)
        return r;
    r = host_syscall2(__NR_removexattr, t.link, name);
    target_close(&t);
    return r;
}

long sys_removexattr(const char *app_path, const char *name)
{
    return remove_xattr(app_path, name, 1);
}

long sys_lremovexattr(const char *app_path, const char *name)
{
    return remove_xattr(app_path, name, 0);
}

/* ------------------------------------------------ the same calls on an open fd */
/* A file of a read-only mount keeps its attributes however it was opened. */

long sys_fchmod(int fd, unsigned int mode)
{
    long r = fd_on_readonly_mount(fd);
    return r < 0 ? r : host_syscall2(__NR_fchmod, fd, mode);
}

long sys_fchown(int fd, unsigned int uid, unsigned int gid)
{
    long r = fd_on_readonly_mount(fd);
    return r < 0 ? r : host_syscall3(__NR_fchown, fd, uid, gid);
}

long sys_fsetxattr(int fd, const char *name, const void *value, unsigned long size, int flags)
{
    long r = fd_on_readonly_mount(fd);
    return r < 0 ? r : host_syscall5(__NR_fsetxattr, fd, name, value, size, flags);
}

long sys_fremovexattr(int fd, const char *name)
{
    long r = fd_on_readonly_mount(fd);
    return r < 0 ? r : host_syscall2(__NR_fremovexattr, fd, name);
}
