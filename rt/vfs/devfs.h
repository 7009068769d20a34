/* asis's /dev (MOUNT_DEV): the host's /dev reduced to the devices a program may expect
 * (null, zero, full, random, urandom, tty, ptmx, pts/, shm/) and the links fd, stdin,
 * stdout and stderr into /proc/self/fd. Every other name does not exist for the app. */
#ifndef ASIS_VFS_DEVFS_H
#define ASIS_VFS_DEVFS_H
#include "vfs/special.h"

/* rel: the path inside the mount ("" for /dev itself). */
void devfs_classify(const char *rel, struct special_node *n);
/* Does the listing of /dev show this entry? */
int devfs_lists_name(const char *name);

#endif
