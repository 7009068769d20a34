/* The descriptor the app gets for a file asis generates (procfs.h): a sealed memfd
 * holding the content, so that read, pread, lseek, fstat and mmap are the host's. The
 * memfd is named after the file's guest path, which lets /proc/self/fd/N say what
 * Linux says ("/proc/1234/maps") instead of the host's "/memfd:..." name. */
#ifndef ASIS_VFS_GENERATED_FD_H
#define ASIS_VFS_GENERATED_FD_H
#include <stddef.h>
#include "vfs/procfs.h"

/* Generates f (at rel inside mount m) and opens it as the app's open(2) with flags
 * asks: -ENOTDIR, -EEXIST and -EACCES as Linux gives them for a read-only file. */
long generated_fd_open(const struct mount *m, const char *rel, const struct proc_file *f,
                       int flags);

/* If host_link (what the host's /proc/self/fd/N says of the app's fd) is a generated
 * file's memfd, copies its guest path into buf and returns 1; else 0. */
int generated_fd_name(int fd, const char *host_link, char *buf, size_t size);

#endif
