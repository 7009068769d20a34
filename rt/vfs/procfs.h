/* asis's /proc (MOUNT_PROC): the host's /proc, except in the directories of this
 * process (/proc/PID and /proc/PID/task/TID, PID being this process or one of its
 * threads), where what describes the program must be the app's, not asis-rt's:
 *   exe, cwd, root      symlinks in guest terms
 *   fd/N                the app's fds only (asis's reserved ones do not exist)
 *   fdinfo/N            likewise
 *   cmdline, environ, auxv, maps, mountinfo, mounts, limits   generated (proc_files.h)
 * Other processes do not exist, except asis's (the app's children, any asis-rt: they
 * share the view). Everything else (cpuinfo, stat, status, ...) is the host's. */
#ifndef ASIS_VFS_PROCFS_H
#define ASIS_VFS_PROCFS_H
#include "vfs/content.h"
#include "vfs/special.h"

void procfs_classify(const struct mount *m, const char *rel, struct special_node *n);

/* A file asis generates. */
struct proc_file {
    const char *name;
    unsigned mode; /* as Linux shows it: 0444, or 0400 for what only the owner may read */
    long (*generate)(const struct mount *m, struct content *out); /* 0 or -errno */
};

/* The generated file rel names, or NULL if rel is not one. */
const struct proc_file *procfs_file_of(const struct mount *m, const char *rel);

/* Opening rel with flags: writing is for this process's own directories only (not
 * /proc/sys, sysrq-trigger, other processes' mem, ...): 0 or -EACCES. */
long procfs_open_check(const struct mount *m, const char *rel, int flags);

/* Is rel an fd or fdinfo directory of this process (its listing hides asis's fds)? */
int procfs_is_fd_dir(const struct mount *m, const char *rel);

#endif
