/* asis's /proc and /dev (mount kinds MOUNT_PROC and MOUNT_DEV of view.h). They sit on
 * the host's /proc and /dev and answer some names themselves: what describes the app
 * rather than asis-rt (/proc/self/exe, cmdline, environ, maps, auxv, mountinfo, cwd,
 * root, fd/N), and which devices exist. Every other name is the host's.
 *
 * lookup.c asks special_classify about each component it walks inside such a mount. */
#ifndef ASIS_VFS_SPECIAL_H
#define ASIS_VFS_SPECIAL_H
#include "vfs/view.h"

enum special_kind {
    SPECIAL_HOST,    /* the host's entry answers (it may not exist) */
    SPECIAL_MISSING, /* hidden from the app: ENOENT */
    SPECIAL_SYMLINK, /* a symlink asis makes up; target holds it, in guest terms */
    SPECIAL_FD_LINK, /* /proc/PID/fd/N of the app: target is what readlink says (a guest
                        path, or "pipe:[123]" ...); following it reopens app fd N */
    SPECIAL_FILE,    /* a file whose content asis generates: special_open_file */
};

struct special_node {
    enum special_kind kind;
    int fd;                     /* SPECIAL_FD_LINK: the app fd */
    char target[VIEW_PATH_MAX]; /* SPECIAL_SYMLINK, SPECIAL_FD_LINK */
};

/* Once the mount table is complete (rt_main, after view_finish). */
void special_init(void);

/* rel is the path inside the mount ("self", "1234/maps", "null"), canonical except
 * that its components are not yet checked to exist. */
void special_classify(const struct mount *m, const char *rel, struct special_node *n);

/* Opens a SPECIAL_FILE: a read-only fd holding the content generated now (a memfd, so
 * it is a real fd: fstat, lseek, pread, mmap work). Write access is EACCES. */
long special_open_file(const struct mount *m, const char *rel, int flags);

/* After the app opened a directory inside such a mount: remembers the app's fd when its
 * listing must be filtered (/proc/PID/fd and fdinfo must not show asis's descriptors,
 * /dev only the devices asis shows). An fd asis did not open (dup, exec, SCM_RIGHTS) is
 * recognised by special_getdents64 all the same: this only spares it a question. */
void special_note_dir_opened(const struct mount *m, const char *rel, int app_fd);
/* getdents64 for the app: the host's entries minus hidden ones. */
long special_getdents64(int fd, void *app_buf, unsigned int size);

#endif
