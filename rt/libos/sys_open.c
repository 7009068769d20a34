/* Opening files by path: open, openat, creat. The path is resolved in the app's view
 * (rt/vfs/lookup.h); the host opens it confined to the mount it lies in. */
#include "libos/syscall.h"
#include "pal/host.h"
#include "vfs/lookup.h"

long sys_openat(int dirfd, const char *app_path, int flags, int mode)
{
    char path[VIEW_PATH_MAX];
    struct lookup l;
    /* O_CREAT|O_EXCL does not follow a symlink in the last component: it is EEXIST. */
    int follow = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
    long r = vfs_lookup_app(dirfd, app_path, follow ? LOOKUP_FOLLOW : 0, &l, path);
    if (r < 0)
        return r;
    return vfs_open(&l, flags, mode);
}

long sys_open(const char *app_path, int flags, int mode)
{
    return sys_openat(AT_FDCWD, app_path, flags, mode);
}

long sys_creat(const char *app_path, int mode)
{
    return sys_openat(AT_FDCWD, app_path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* openat2 as Linux checks it: the struct may be larger than the one asis knows if the
 * rest is zero; unknown flags, a mode without O_CREAT/O_TMPFILE and BENEATH with IN_ROOT
 * are EINVAL. The RESOLVE_* rules apply in the app's view (vfs_lookup_scoped). */
#define OPEN_HOW_SIZE_VER0 24
#define VALID_RESOLVE                                                                      \
    (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |     \
     RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define VALID_OPEN_FLAGS_ALL                                                               \
    (O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |     \
     O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |   \
     O_NOATIME | O_CLOEXEC | __O_SYNC | O_PATH | __O_TMPFILE)

long sys_openat2(int dirfd, const char *app_path, const void *app_how, size_t size)
{
    struct open_how how = { 0 };
    if (size < OPEN_HOW_SIZE_VER0)
        return -EINVAL;
    if (size > 4096)
        return -E2BIG;
    if (copy_from_app(&how, app_how, size < sizeof(how) ? size : sizeof(how)) < 0)
        return -EFAULT;
    for (size_t off = sizeof(how); off < size; off++) {
        char c;
        if (copy_from_app(&c, (const char *)app_how + off, 1) < 0)
            return -EFAULT;
        if (c)
            return -E2BIG;
    }
    if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS_ALL)
        return -EINVAL;
    int flags = (int)how.flags;
    int creating = (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
    if (how.mode & ~(uint64_t)07777 || (!creating && how.mode))
        return -EINVAL;
    if (how.resolve & ~(uint64_t)VALID_RESOLVE)
        return -EINVAL;
    if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
        return -EINVAL;
    if ((flags & O_PATH) && (flags & ~(O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)))
        return -EINVAL;
    if ((flags & __O_TMPFILE) == __O_TMPFILE && !(flags & (O_WRONLY | O_RDWR)))
        return -EINVAL;
    if (how.resolve & RESOLVE_CACHED)
        return -EAGAIN; /* "not in the cache": the caller retries without it */
    char path[VIEW_PATH_MAX];
    long n = vfs_copy_path(path, app_path);
    if (n <= 0)
        return n == 0 ? -ENOENT : n;
    struct lookup l;
    int follow = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
    long r = vfs_lookup_scoped(dirfd, path, follow ? LOOKUP_FOLLOW : 0, (unsigned)how.resolve, &l);
    if (r < 0)
        return r;
    return vfs_open(&l, flags, (int)how.mode);
}
