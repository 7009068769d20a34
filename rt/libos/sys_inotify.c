/* inotify_add_watch: the path is resolved in the app's view and the host watches the
 * object it names, reached through /proc/thread-self/fd/N of an O_PATH descriptor (the
 * host follows that link to exactly the object, never further). The other inotify
 * calls take no path and pass through (syscalls.def). */
#include "libos/syscall.h"
#include "lib/fmt.h"
#include "pal/host.h"
#include "vfs/lookup.h"
#include <linux/inotify.h>

long sys_inotify_add_watch(int fd, const char *app_path, unsigned int mask)
{
    /* Linux checks the mask and the descriptor before the path: the host judges them
     * with a path it cannot find, so ENOENT means they are fine (no watch is made). */
    long r = host_syscall3(__NR_inotify_add_watch, fd, "", mask);
    if (r != -ENOENT)
        return r;
    char path[VIEW_PATH_MAX];
    struct lookup l;
    r = vfs_lookup_app(AT_FDCWD, app_path, (mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW, &l,
                       path);
    if (r < 0)
        return r;
    long obj = vfs_open_object(&l);
    if (obj < 0)
        return obj;
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, obj);
    /* The link must be followed to reach the object; IN_ONLYDIR still applies to it. */
    r = host_syscall3(__NR_inotify_add_watch, fd, link, mask & ~IN_DONT_FOLLOW);
    host_close((int)obj);
    return r;
}
