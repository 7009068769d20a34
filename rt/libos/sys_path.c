/* Changing names in the file system: unlink, rmdir, mkdir, mknod, rename, link,
 * symlink, and reading symlinks. Each resolves the path in the app's view up to its
 * last component (rt/vfs/lookup.h) and asks the host to act on that one name in the
 * verified parent directory, so it cannot reach outside the view. */
#include "libos/syscall.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/exec.h"
#include "pal/host.h"
#include "vfs/lookup.h"
#include "vfs/special.h"

int path_names_own_exe(const char *path)
{
    if (strcmp(path, "/proc/self/exe") == 0 || strcmp(path, "/proc/thread-self/exe") == 0)
        return 1;
    char own[40];
    fmt_snprintf(own, sizeof(own), "/proc/%ld/exe", host_getpid());
    return strcmp(path, own) == 0;
}

/* Looks up app_path without following its last component and opens its parent:
 * returns the parent fd (close it) and the name in it, or -errno. */
static long parent_of(int dirfd, const char *app_path, struct lookup *l, char *path,
                      const char **name)
{
    long r = vfs_lookup_app(dirfd, app_path, 0, l, path);
    return r < 0 ? r : vfs_open_parent(l, name);
}

/* 1 if the name exists in the parent (not following it), 0 if not, or -errno. */
static long name_exists(long parent, const char *name)
{
    struct host_stat st;
    long r = host_syscall4(__NR_newfstatat, parent, name, &st, AT_SYMLINK_NOFOLLOW);
    return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* ------------------------------------------------------------------ readlink */

static long copy_link_text(const char *text, char *app_buf, long size)
{
    size_t len = strlen(text);
    if (len > (size_t)size)
        len = (size_t)size; /* readlink truncates silently */
    if (copy_to_app(app_buf, text, len) < 0)
        return -EFAULT;
    return (long)len;
}

long sys_readlinkat(int dirfd, const char *app_path, char *app_buf, int size)
{
    if (size <= 0)
        return -EINVAL;
    char first;
    if (app_path && copy_from_app(&first, app_path, 1) == 0 && first == 0)
        return host_syscall4(__NR_readlinkat, dirfd, "", app_buf, size); /* an O_PATH fd */
    char path[VIEW_PATH_MAX];
    struct lookup l;
    long r = vfs_lookup_app(dirfd, app_path, 0, &l, path);
    if (r < 0)
        return r;
    if (l.mnt->kind != MOUNT_HOST_DIR) {
        struct special_node node;
        special_classify(l.mnt, l.rel[0] == '.' && !l.rel[1] ? "" : l.rel, &node);
        if (node.kind == SPECIAL_MISSING)
            return -ENOENT;
        if (node.kind == SPECIAL_SYMLINK || node.kind == SPECIAL_FD_LINK)
            return copy_link_text(node.target, app_buf, size);
        if (node.kind == SPECIAL_FILE)
            return -EINVAL;
    }
    const char *name;
    long parent = vfs_open_parent(&l, &name);
    if (parent < 0)
        return parent;
    r = host_syscall4(__NR_readlinkat, parent, name, app_buf, size);
    host_close((int)parent);
    return r;
}

long sys_readlink(const char *app_path, char *app_buf, int size)
{
    return sys_readlinkat(AT_FDCWD, app_path, app_buf, size);
}

/* ------------------------------------------------------------- unlink, rmdir */

long sys_unlinkat(int dirfd, const char *app_path, int flags)
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    char path[VIEW_PATH_MAX];
    struct lookup l;
    const char *name;
    long parent = parent_of(dirfd, app_path, &l, path, &name);
    if (parent < 0)
        return parent;
    long r;
    if (l.last_dot)
        r = (flags & AT_REMOVEDIR) ? (l.last_dot == 1 ? -EINVAL : -ENOTEMPTY) : -EISDIR;
    else if ((flags & AT_REMOVEDIR) && view_is_mount_point(l.guest))
        r = -EBUSY;
    else if (vfs_check_writable(&l) < 0)
        r = -EROFS; /* Linux asks for write access to the mount before the name */
    else
        r = host_syscall3(__NR_unlinkat, parent, name, flags);
    host_close((int)parent);
    return r;
}

long sys_unlink(const char *app_path)
{
    return sys_unlinkat(AT_FDCWD, app_path, 0);
}

long sys_rmdir(const char *app_path)
{
    return sys_unlinkat(AT_FDCWD, app_path, AT_REMOVEDIR);
}

/* ------------------------------------------------- mkdir, mknod, symlink */

/* Creating a name: on a read-only mount, EEXIST if it is there, else EROFS. */
static long create_check(const struct lookup *l, long parent, const char *name)
{
    if (vfs_check_writable(l) == 0)
        return 0;
    long e = name_exists(parent, name);
    return e == 1 ? -EEXIST : e == 0 ? -EROFS : e;
}

/* Creates the last component of app_path in its verified parent: mkdirat, mknodat or
 * symlinkat (target then is asis's copy), each as the host call nr with (parent, name)
 * where that call takes them. */
static long create_name(int dirfd, const char *app_path, long nr, long a, long b)
{
    char path[VIEW_PATH_MAX];
    struct lookup l;
    const char *name;
    long parent = parent_of(dirfd, app_path, &l, path, &name);
    if (parent < 0)
        return parent;
    long r = create_check(&l, parent, name);
    if (r == 0 && nr == __NR_symlinkat)
        r = host_syscall3(nr, a, parent, name);
    else if (r == 0)
        r = host_syscall4(nr, parent, name, a, b);
    host_close((int)parent);
    return r;
}

long sys_mkdirat(int dirfd, const char *app_path, int mode)
{
    return create_name(dirfd, app_path, __NR_mkdirat, mode, 0);
}

long sys_mkdir(const char *app_path, int mode)
{
    return sys_mkdirat(AT_FDCWD, app_path, mode);
}

#define S_IFCHR_BITS 0020000
#define S_IFBLK_BITS 0060000

long sys_mknodat(int dirfd, const char *app_path, int mode, unsigned int dev)
{
    /* Device nodes would reach the host's devices past the view: refused as for a
     * process without CAP_MKNOD (a 0:0 character device, overlayfs's whiteout, is
     * harmless and allowed, as Linux allows it). */
    int type = mode & 0170000;
    if ((type == S_IFBLK_BITS || type == S_IFCHR_BITS) && !(type == S_IFCHR_BITS && dev == 0))
        return -EPERM;
    return create_name(dirfd, app_path, __NR_mknodat, mode, dev);
}

long sys_mknod(const char *app_path, int mode, unsigned int dev)
{
    return sys_mknodat(AT_FDCWD, app_path, mode, dev);
}

long sys_symlinkat(const char *app_target, int dirfd, const char *app_path)
{
    /* The target is text, stored as it is; only the new name is resolved. */
    char target[VIEW_PATH_MAX];
    long n = vfs_copy_path(target, app_target);
    if (n <= 0)
        return n == 0 ? -ENOENT : n;
    return create_name(dirfd, app_path, __NR_symlinkat, (long)target, 0);
}

long sys_symlink(const char *app_target, const char *app_path)
{
    return sys_symlinkat(app_target, AT_FDCWD, app_path);
}

/* ------------------------------------------------------------ rename, link */

/* Both names resolved, in one mount (else EXDEV, as between two Linux mounts). */
struct two_names {
    struct lookup from, to;
    char from_path[VIEW_PATH_MAX], to_path[VIEW_PATH_MAX];
    long from_parent, to_parent;
    const char *from_name, *to_name;
};

static long open_two(struct two_names *t, int olddirfd, const char *old_path, int from_follow,
                     int newdirfd, const char *new_path)
{
    t->from_parent = t->to_parent = -1;
    long r = vfs_lookup_app(olddirfd, old_path, from_follow ? LOOKUP_FOLLOW : 0, &t->from,
                            t->from_path);
    if (r < 0)
        return r;
    r = vfs_lookup_app(newdirfd, new_path, 0, &t->to, t->to_path);
    if (r < 0)
        return r;
    t->from_parent = vfs_open_parent(&t->from, &t->from_name);
    if (t->from_parent < 0)
        return t->from_parent;
    t->to_parent = vfs_open_parent(&t->to, &t->to_name);
    if (t->to_parent < 0)
        return t->to_parent;
    return 0;
}

static void close_two(struct two_names *t)
{
    if (t->from_parent >= 0)
        host_close((int)t->from_parent);
    if (t->to_parent >= 0)
        host_close((int)t->to_parent);
}

long sys_renameat2(int olddirfd, const char *old_path, int newdirfd, const char *new_path,
                   unsigned int flags)
{
    struct two_names t;
    long r = open_two(&t, olddirfd, old_path, 0, newdirfd, new_path);
    if (r == 0) {
        if (t.from.last_dot || t.to.last_dot)
            r = -EBUSY;
        else if (vfs_check_writable(&t.from) < 0 && t.from.mnt == t.to.mnt)
            r = -EROFS; /* before looking at the names, as Linux */
        else if ((r = name_exists(t.from_parent, t.from_name)) != 1)
            r = r == 0 ? -ENOENT : r;
        else if (view_is_mount_point(t.from.guest) || view_is_mount_point(t.to.guest))
            r = -EBUSY;
        else if (t.from.mnt != t.to.mnt)
            r = -EXDEV;
        else if (vfs_check_writable(&t.from) < 0)
            r = -EROFS;
        else
            r = host_syscall5(__NR_renameat2, t.from_parent, t.from_name, t.to_parent,
                              t.to_name, flags);
    }
    close_two(&t);
    return r;
}

long sys_renameat(int olddirfd, const char *old_path, int newdirfd, const char *new_path)
{
    return sys_renameat2(olddirfd, old_path, newdirfd, new_path, 0);
}

long sys_rename(const char *old_path, const char *new_path)
{
    return sys_renameat2(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}

long sys_linkat(int olddirfd, const char *old_path, int newdirfd, const char *new_path,
                int flags)
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct two_names t;
    char first;
    if ((flags & AT_EMPTY_PATH) && copy_from_app(&first, old_path, 1) == 0 && first == 0) {
        /* Linking an open fd's file: the host judges (CAP_DAC_READ_SEARCH). */
        long r = vfs_lookup_app(newdirfd, new_path, 0, &t.to, t.to_path);
        if (r < 0)
            return r;
        long parent = vfs_open_parent(&t.to, &t.to_name);
        if (parent < 0)
            return parent;
        /* The fd's file must lie in the same mount (a file of a read-only mount must
         * not gain a writable name); one the view cannot place is refused likewise. */
        char from_guest[VIEW_PATH_MAX];
        const char *unused;
        if (view_guest_of_fd(olddirfd, from_guest, sizeof(from_guest)) <= 0 ||
            view_mount_of(from_guest, &unused) != t.to.mnt)
            r = -EXDEV;
        else
            r = create_check(&t.to, parent, t.to_name);
        if (r == 0)
            r = host_syscall5(__NR_linkat, olddirfd, "", parent, t.to_name, AT_EMPTY_PATH);
        host_close((int)parent);
        return r;
    }
    int follow = (flags & AT_SYMLINK_FOLLOW) != 0;
    long r = open_two(&t, olddirfd, old_path, follow, newdirfd, new_path);
    if (r == 0) {
        long from_obj = -1;
        if ((r = name_exists(t.from_parent, t.from_name)) != 1)
            r = r == 0 ? -ENOENT : r;
        else if (t.to.last_dot || view_is_mount_point(t.to.guest))
            r = -EEXIST;
        else if (t.from.mnt != t.to.mnt)
            r = -EXDEV;
        else if ((r = create_check(&t.to, t.to_parent, t.to_name)) < 0)
            ;
        else if (!follow)
            r = host_syscall5(__NR_linkat, t.from_parent, t.from_name, t.to_parent, t.to_name, 0);
        else if ((from_obj = vfs_open_object(&t.from)) < 0)
            r = from_obj;
        else {
            /* The symlink was followed by asis; link what it leads to, through the
             * O_PATH fd's /proc link (no capability needed, unlike AT_EMPTY_PATH). */
            char link[VIEW_FD_LINK_BYTES];
            view_fd_link(link, from_obj);
            r = host_syscall5(__NR_linkat, AT_FDCWD, link, t.to_parent, t.to_name,
                              AT_SYMLINK_FOLLOW);
        }
        if (from_obj >= 0)
            host_close((int)from_obj);
    }
    close_two(&t);
    return r;
}

long sys_link(const char *old_path, const char *new_path)
{
    return sys_linkat(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}
