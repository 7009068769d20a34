/* Path lookup in the app's view (view.h). Paths are resolved as Linux resolves them
 * (".", "..", symlinks, 40 links at most, ENOTDIR, ENAMETOOLONG), but in guest terms:
 * ".." stops at the guest root, absolute symlinks start at the guest root, and every
 * host lookup stays inside one mount.
 *
 * Common case: one openat2 on the host. A path with "..", a symlink or a component in
 * asis's /proc or /dev takes a component-by-component walk. */
#ifndef ASIS_VFS_LOOKUP_H
#define ASIS_VFS_LOOKUP_H
#include "vfs/view.h"

/* flags for vfs_lookup */
#define LOOKUP_FOLLOW 1u     /* follow a symlink in the last component */
#define LOOKUP_EMPTY_OK 2u   /* "" names the start directory (AT_EMPTY_PATH) */
#define LOOKUP_DIRECTORY 4u  /* the result must be a directory (a trailing '/' implies it) */

struct lookup {
    const struct mount *mnt;   /* where the result lies */
    const char *rel;           /* for host calls at mnt->host_fd: "." for its root, else
                                  "a/b", with a '/' appended if the app's path had one */
    char guest[VIEW_PATH_MAX]; /* canonical guest path of the result */
    char rel_buf[VIEW_PATH_MAX];
    /* >= 0: the result is the app's fd N, reached through a /proc/.../fd/N link (pipes,
     * sockets, deleted files); then guest is the link's name and only open works. */
    int magic_fd;
    int trailing_slash;        /* the app's path ended in '/' */
    int last_dot;              /* its last component was "." (1) or ".." (2) */
    /* 0: made from the path's text alone (no "..", no special mount), trusting that no
     * component is a symlink. The vfs_ calls below check that with RESOLVE_NO_SYMLINKS
     * and, when a symlink is there, redo the lookup by walking (vfs_lookup_walk). */
    int walked;
    /* 1: a relative path from a directory the view cannot name (removed, or deeper than
     * PATH_MAX): resolved by the host beneath that directory (RESOLVE_BENEATH), from
     * anchor_fd (held until the syscall ends); guest is then empty and mnt the mount of
     * the directory's nearest named ancestor. */
    int anchored;
    int anchor_fd;
    char path_buf[VIEW_PATH_MAX]; /* a path rewritten by the lookup */
    unsigned resolve;          /* the app's openat2 RESOLVE_* flags, else 0 */
    /* what the lookup was asked, to redo it */
    int dirfd;
    unsigned flags;
    const char *path;
};

/* Resolves the app path (already copied into asis) relative to dirfd (AT_FDCWD or an
 * app fd). The last component need not exist: the caller's host call then reports
 * ENOENT, or creates it. Returns 0 or -errno. */
long vfs_lookup(int dirfd, const char *path, unsigned flags, struct lookup *out);

/* The same with openat2's RESOLVE_* restrictions (BENEATH, IN_ROOT, NO_SYMLINKS,
 * NO_MAGICLINKS, NO_XDEV), applied in guest terms: IN_ROOT and BENEATH are about dirfd's
 * place in the view. Always walked. */
long vfs_lookup_scoped(int dirfd, const char *path, unsigned flags, unsigned resolve,
                       struct lookup *out);

/* Copies an app path into buf (VIEW_PATH_MAX bytes): its length, -EFAULT, or
 * -ENAMETOOLONG (PATH_MAX with the NUL, as Linux). */
long vfs_copy_path(char *buf, const char *app_path);

/* Copies an app path into buf (VIEW_PATH_MAX bytes) and looks it up. -EFAULT,
 * -ENAMETOOLONG, -ENOENT for "" (unless LOOKUP_EMPTY_OK) as Linux. */
long vfs_lookup_app(int dirfd, const char *app_path, unsigned flags, struct lookup *out,
                    char *buf);

/* Redoes a lexical lookup component by component (symlinks followed by asis). */
long vfs_lookup_walk(struct lookup *l);

/* Host operations on a lookup result. Each returns what the host returned (-errno).
 *   vfs_open: an fd for the app, as openat would give it; a read-only mount refuses
 *             writes with EROFS, after the checks Linux makes first.
 *   vfs_open_parent: an O_PATH fd of the directory holding the result and the last
 *             component's name in *name (for *at calls that act on a name without
 *             following it: unlink, mkdir, rename, link, symlink, mknod, readlink,
 *             lstat). The fd is asis's: close it with host_close. For a mount's root
 *             *name is "" and the fd is the root itself (use AT_EMPTY_PATH).
 *   vfs_open_object: an O_PATH fd of the result itself (for stat, chmod, xattrs, ...). */
long vfs_open(struct lookup *l, int flags, int mode);
long vfs_open_parent(struct lookup *l, const char **name);
long vfs_open_object(struct lookup *l);

/* -EROFS if the result's mount is read-only, else 0. */
int vfs_check_writable(const struct lookup *l);

/* 1 if directory fd lies in the view (it, or an ancestor, has a guest path). */
int vfs_dir_in_view(int fd);

/* Closes the fds lookups of this thread held for the syscall that just ended. */
struct tcb;
void vfs_release_held_fds(struct tcb *t);

#endif
