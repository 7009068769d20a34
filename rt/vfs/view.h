/* The app's file-system view: a mount table that maps guest paths (what the app names)
 * to host directories, and the app's working directory. asis resolves every path the
 * app gives against it (lookup.h); the host kernel never sees an app path unchecked.
 *
 * Each mount is a host directory held open as an O_PATH fd in asis's reserved range.
 * Host lookups start at that fd with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, so they
 * cannot leave the mount; symlinks are read and followed by asis, in guest terms.
 * Kinds: a host directory (the root, binds, tmpfs), asis's /proc (procfs.h) and
 * asis's /dev (devfs.h), which answer some names themselves and pass the rest to the
 * host's /proc and /dev. */
#ifndef ASIS_VFS_VIEW_H
#define ASIS_VFS_VIEW_H
#include <stddef.h>
#include <stdint.h>

#define VIEW_PATH_MAX 4096 /* PATH_MAX, including the NUL */
#define VIEW_MOUNTS_MAX 24

enum mount_kind { MOUNT_HOST_DIR, MOUNT_PROC, MOUNT_DEV };

#define MOUNT_READONLY 1u /* writes are EROFS */
#define MOUNT_TMPFS 2u    /* a private directory asis made; removed when the view ends */

struct mount {
    enum mount_kind kind;
    unsigned flags;
    int host_fd;                 /* O_PATH directory fd (reserved range) */
    size_t guest_len, host_len;
    char guest[VIEW_PATH_MAX];   /* canonical: "/" or "/a/b", no trailing slash */
    char host[VIEW_PATH_MAX];    /* the host directory's canonical path */
};

/* Start-up (before fd_reserve_seal): view_add_mount for each mount of the launch plan,
 * root first; then view_finish, which adds the default /proc and /dev when the plan has
 * none and sets the working directory (the plan's, or the host's mapped into the view,
 * else "/"). Errors are fatal: a view that cannot be built must not run the app. */
void view_add_mount(enum mount_kind kind, const char *host_path, const char *guest_path,
                    unsigned flags);
void view_finish(const char *start_dir);
/* The same with the host directory given as an fd (inherited across exec). */
void view_add_mount_fd(enum mount_kind kind, int host_fd, const char *guest_path,
                       unsigned flags);

/* The mount a canonical guest path lies in (longest prefix); *rest is the path inside
 * the mount: "" for the mount's root, else "a/b" (no leading slash). Never NULL: the
 * root mount holds everything. */
const struct mount *view_mount_of(const char *guest, const char **rest);
/* 1 if the canonical guest path is the root of a mount (it cannot be renamed, removed
 * or replaced: EBUSY). */
int view_is_mount_point(const char *guest);
/* Maps a canonical host path to the guest path that shows it (the mount with the
 * longest host prefix wins). Returns the length, or -ENOENT if no mount shows it. */
long view_guest_of_host(const char *host, char *guest, size_t size);
/* The host path that leads to exactly what fd is open on, in the calling thread's fd
 * table: "/proc/thread-self/fd/N". Host calls on it act on that file, wherever its
 * name is now, and never on a path the app could change. */
#define VIEW_FD_LINK_BYTES 48
void view_fd_link(char *buf, long fd);

/* The guest path of an open app fd (from the host's /proc/self/fd), or -ENOENT when
 * it names nothing in the view (a pipe, a socket, a file outside the view), -ESTALE
 * when it was removed, -ENAMETOOLONG when its path is longer than PATH_MAX. */
long view_guest_of_fd(int fd, char *guest, size_t size);

/* The working directory, canonical guest path, copied into buf (VIEW_PATH_MAX bytes;
 * another thread may chdir meanwhile). Set by chdir/fchdir (sys_cwd.c), which also move
 * the host's working directory there, so that children inherit it. A vfork child shares
 * asis's memory but not its parent's working directory: it reads the host's. */
long view_cwd(char *buf); /* 0, or -ENOENT (removed) / -ENAMETOOLONG: then buf holds
                             the last path asis knew */
void view_set_cwd(const char *guest);
/* Held across fork (rt/libos/fork.c), so that the child's copy is consistent. */
void view_cwd_lock(void);
void view_cwd_unlock(void);

/* The app's root (chroot): a canonical guest path, "/" unless the app called chroot.
 * Absolute paths and symlinks start there and ".." stops there; paths shown to the app
 * (getcwd, /proc links) are relative to it. A vfork child's chroot is its own. */
const char *view_root(void);
long view_set_root(const char *guest);
/* Held across fork (rt/libos/fork.c). */
void view_root_lock(void);
void view_root_unlock(void);
/* 1 if a read-only mount lies on host device dev: a file of it the view cannot name
 * (removed, deeper than PATH_MAX) may be on that mount. */
int view_dev_has_readonly_mount(uint64_t dev);
/* Rewrites a guest path in place as the app sees it from its root; a path outside the
 * root is left whole and 0 returned (else 1). */
int view_to_app_path(char *guest);

/* Launch-plan options (common/launch_plan.h) that recreate this view in a runtime
 * started by execve: writes them, NUL-separated, into buf; returns how many, or -E2BIG.
 * by_fd: name each mount's directory by its fd (see view_mount_fds_inheritable). */
long view_plan_options(char *buf, size_t size, int by_fd);
/* Around an execve: lets the mounts' fds be inherited (1), or not (0). */
void view_mount_fds_inheritable(int on);

int view_mount_count(void);
const struct mount *view_mount_at(int i);

#endif
