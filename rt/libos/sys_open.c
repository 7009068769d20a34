/* Opening files by path: open, openat, creat. The path is resolved in the app's view
 * (rt/vfs/lookup.h); the host opens it confined to the mount it lies in. */
#include "libos/syscall.h"
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
