/* The working directory and the root: chdir, fchdir, getcwd, chroot. asis keeps the
 * app's working directory (a guest path, rt/vfs/view.h) and moves the host's along with
 * it, so that child processes start in the same place; chroot moves the app's root
 * within the view, the host's not at all. */
#include "libos/syscall.h"
#include "lib/string.h"
#include "pal/host.h"
#include "vfs/lookup.h"

/* The directory app_path names: an O_PATH fd of it (close it) and its guest path in
 * *guest, or NULL when the view cannot name it (removed, deeper than PATH_MAX) though
 * it lies in the view. Directories outside the view are ENOENT. */
static long open_dir(const char *app_path, struct lookup *l, char *path, const char **guest)
{
    long r = vfs_lookup_app(AT_FDCWD, app_path, LOOKUP_FOLLOW, l, path);
    if (r < 0)
        return r;
    long fd = vfs_open(l, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    *guest = l->anchored ? 0 : l->guest;
    if (l->magic_fd >= 0) /* a directory reached through /proc/self/fd/N */
        *guest = view_guest_of_fd(l->magic_fd, path, VIEW_PATH_MAX) > 0 ? path : 0;
    if (!*guest && !vfs_dir_in_view((int)fd)) {
        host_close((int)fd);
        return -ENOENT;
    }
    return fd;
}

long sys_chdir(const char *app_path)
{
    char path[VIEW_PATH_MAX];
    struct lookup l;
    const char *guest;
    long fd = open_dir(app_path, &l, path, &guest);
    if (fd < 0)
        return fd;
    long r = host_syscall1(__NR_fchdir, fd); /* the host checks search permission */
    host_close((int)fd);
    if (r == 0 && guest)
        view_set_cwd(guest);
    return r;
}

long sys_fchdir(int fd)
{
    char guest[VIEW_PATH_MAX];
    struct host_stat st;
    long r = host_syscall2(__NR_fstat, fd, &st);
    if (r < 0)
        return r;
    if ((st.st_mode & HOST_S_IFMT) != HOST_S_IFDIR)
        return -ENOTDIR;
    /* A directory outside the view (one the app inherited) is not a way out of it;
     * one that was removed or lies deeper than PATH_MAX is in the view, unnamed. */
    long named = view_guest_of_fd(fd, guest, sizeof(guest));
    if (named < 0 && !vfs_dir_in_view(fd))
        return -EACCES;
    r = host_syscall1(__NR_fchdir, fd);
    if (r == 0 && named > 0)
        view_set_cwd(guest);
    return r;
}

long sys_getcwd(char *app_buf, unsigned long size)
{
    char cwd[VIEW_PATH_MAX];
    long r = host_syscall2(__NR_getcwd, cwd, sizeof(cwd));
    if (r == -ENOENT || r == -ENAMETOOLONG)
        return r; /* removed, or deeper than PATH_MAX: Linux says so too */
    view_cwd(cwd);
    if (!view_to_app_path(cwd)) {
        /* Outside the app's root (it chrooted elsewhere): marked, as Linux does. */
        static const char mark[] = "(unreachable)";
        size_t len = strlen(cwd);
        if (len + sizeof(mark) > sizeof(cwd))
            return -ENAMETOOLONG;
        memmove(cwd + sizeof(mark) - 1, cwd, len + 1);
        memcpy(cwd, mark, sizeof(mark) - 1);
    }
    size_t n = strlen(cwd) + 1;
    if (size < n)
        return -ERANGE;
    if (copy_to_app(app_buf, cwd, n) < 0)
        return -EFAULT;
    return (long)n;
}

/* Linux's order: the lookup (ENOENT, ENOTDIR...), search permission (EACCES), then the
 * capability (EPERM). */
#define CAP_SYS_CHROOT_BIT 18
#define LINUX_CAPABILITY_VERSION_3 0x20080522

static int has_cap_sys_chroot(void)
{
    struct { uint32_t version; int pid; } header = { LINUX_CAPABILITY_VERSION_3, 0 };
    struct { uint32_t effective, permitted, inheritable; } data[2];
    if (host_syscall2(__NR_capget, &header, data) < 0)
        return 0;
    return (data[0].effective >> CAP_SYS_CHROOT_BIT) & 1;
}

long sys_chroot(const char *app_path)
{
    char path[VIEW_PATH_MAX];
    struct lookup l;
    const char *guest;
    long fd = open_dir(app_path, &l, path, &guest);
    if (fd < 0)
        return fd;
    long r = guest ? 0 : -ENOENT; /* a directory the view cannot name cannot be a root */
    if (r == 0)
        r = host_syscall4(__NR_faccessat2, fd, "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
    host_close((int)fd);
    if (r == 0 && !has_cap_sys_chroot())
        r = -EPERM;
    if (r == 0)
        r = view_set_root(guest);
    return r;
}
