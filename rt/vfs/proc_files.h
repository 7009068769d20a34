/* The generators of asis's /proc files (procfs.h). Each writes the whole content. */
#ifndef ASIS_VFS_PROC_FILES_H
#define ASIS_VFS_PROC_FILES_H
#include "vfs/content.h"
#include "vfs/view.h"

/* proc_process.c: from the app's memory and the loader's records (loader.h). */
long proc_cmdline(const struct mount *m, struct content *out);
long proc_environ(const struct mount *m, struct content *out);
long proc_auxv(const struct mount *m, struct content *out);
/* proc_limits.c: the host's, with the app's NOFILE limits. */
long proc_limits(const struct mount *m, struct content *out);
/* proc_maps.c: the app's mappings. */
long proc_maps(const struct mount *m, struct content *out);
/* proc_mounts.c: the view's mount table. */
long proc_mountinfo(const struct mount *m, struct content *out);
long proc_mounts(const struct mount *m, struct content *out);

#endif
