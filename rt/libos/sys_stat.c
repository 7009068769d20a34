/* Asking about a file by path: stat and its variants, access, statfs. Each resolves the
 * path in the app's view, opens the object itself (O_PATH) and asks the host about that
 * descriptor, so the answer is about what the view shows. */
#include "libos/syscall.h"
#include "pal/host.h"
#include "vfs/lookup.h"

/* An O_PATH fd of what app_path names from dirfd, or -errno. */
static long open_named(int dirfd, const char *app_path, int follow, struct lookup *l,
                       char *path)
{
    long r = vfs_lookup_app(dirfd, app_path, follow ? LOOKUP_FOLLOW : 0, l, path);
    return r < 0 ? r : vfs_open_object(l);
}

/* "" with AT_EMPTY_PATH (or a NULL path, which Linux 6.11 accepts) names dirfd itself. */
static int names_dirfd(const char *app_path, int flags)
{
    if (!(flags & AT_EMPTY_PATH))
        return 0;
    char first;
    return !app_path || (copy_from_app(&first, app_path, 1) == 0 && first == 0);
}

long sys_newfstatat(int dirfd, const char *app_path, void *statbuf, int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
        return -EINVAL;
    if (names_dirfd(app_path, flags))
        return host_syscall4(__NR_newfstatat, dirfd, "", statbuf, AT_EMPTY_PATH);
    char path[VIEW_PATH_MAX];
    struct lookup l;
    long fd = open_named(dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW), &l, path);
    if (fd < 0)
        return fd;
    long r = host_syscall4(__NR_newfstatat, fd, "", statbuf, AT_EMPTY_PATH);
    host_close((int)fd);
    return r;
}

long sys_stat(const char *app_path, void *statbuf)
{
    return sys_newfstatat(AT_FDCWD, app_path, statbuf, 0);
}

long sys_lstat(const char *app_path, void *statbuf)
{
    return sys_newfstatat(AT_FDCWD, app_path, statbuf, AT_SYMLINK_NOFOLLOW);
}

#define STATX_RESERVED_BIT 0x80000000U /* STATX__RESERVED */

long sys_statx(int dirfd, const char *app_path, int flags, unsigned int mask, void *buf)
{
    if (names_dirfd(app_path, flags))
        return host_syscall5(__NR_statx, dirfd, "", flags, mask, buf);
    /* Linux's checks of the flags and mask come before the lookup. */
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED_BIT))
        return -EINVAL;
    long r;
    char path[VIEW_PATH_MAX];
    struct lookup l;
    long fd = open_named(dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW), &l, path);
    if (fd < 0)
        return fd;
    r = host_syscall5(__NR_statx, fd, "", flags | AT_EMPTY_PATH, mask, buf);
    host_close((int)fd);
    return r;
}

#define W_OK_BIT 2

long sys_faccessat2(int dirfd, const char *app_path, int mode, int flags)
{
    if (mode & ~7)
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (names_dirfd(app_path, flags))
        return host_syscall4(__NR_faccessat2, dirfd, "", mode, flags);
    char path[VIEW_PATH_MAX];
    struct lookup l;
    long fd = open_named(dirfd, app_path, !(flags & AT_SYMLINK_NOFOLLOW), &l, path);
    if (fd < 0)
        return fd;
    long r = host_syscall4(__NR_faccessat2, fd, "", mode, flags | AT_EMPTY_PATH);
    if (r == 0 && (mode & W_OK_BIT) && vfs_check_writable(&l) < 0) {
        /* Write access to a file of a read-only mount: EROFS, as Linux says for files,
         * directories and symlinks (devices and FIFOs stay writable). */
        struct host_stat st;
        if (host_syscall4(__NR_newfstatat, fd, "", &st, AT_EMPTY_PATH) == 0) {
            uint32_t type = st.st_mode & HOST_S_IFMT;
            if (type == HOST_S_IFREG || type == HOST_S_IFDIR || type == HOST_S_IFLNK)
                r = -EROFS;
        }
    }
    host_close((int)fd);
    return r;
}

long sys_faccessat(int dirfd, const char *app_path, int mode)
{
    return sys_faccessat2(dirfd, app_path, mode, 0);
}

long sys_access(const char *app_path, int mode)
{
    return sys_faccessat2(AT_FDCWD, app_path, mode, 0);
}

long sys_statfs(const char *app_path, void *buf)
{
    char path[VIEW_PATH_MAX];
    struct lookup l;
    long fd = open_named(AT_FDCWD, app_path, 1, &l, path);
    if (fd < 0)
        return fd;
    long r = host_syscall2(__NR_fstatfs, fd, buf);
    host_close((int)fd);
    return r;
}
