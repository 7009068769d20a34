/* Generated files as memfds (see generated_fd.h). */
#include "vfs/generated_fd.h"
#include "vfs/view.h"
#include <linux/memfd.h>
#include "lib/fmt.h"
#include "lib/string.h"
#include "pal/host.h"
#include "vfs/content.h"

#define MEMFD_PREFIX "/memfd:"
#define MEMFD_SUFFIX " (deleted)"
#define MEMFD_NAME_MAX 249 /* the kernel's limit, without the prefix */
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The flags of the app's open that its descriptor keeps. */
#define OPEN_FLAGS_KEPT (O_CLOEXEC | O_NONBLOCK | O_PATH | O_LARGEFILE)

static long create_memfd(const struct mount *m, const char *rel, const struct proc_file *f)
{
    char name[MEMFD_NAME_MAX + 1];
    int n = fmt_snprintf(name, sizeof(name), "%s/%s", m->guest, rel);
    if (n < 0 || (size_t)n >= sizeof(name))
        fmt_snprintf(name, sizeof(name), "%s", f->name);
    return host_syscall2(__NR_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

long generated_fd_open(const struct mount *m, const char *rel, const struct proc_file *f,
                       int flags)
{
    /* In the order Linux checks: the name exists and is no directory. */
    if (!(flags & O_PATH) && (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return -EEXIST;
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    int wants_write = !(flags & O_PATH) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC));

    long memfd = create_memfd(m, rel, f);
    if (memfd < 0)
        return memfd;
    struct content c;
    content_init(&c, (int)memfd);
    long r = f->generate(m, &c);
    long w = content_finish(&c);
    if (r == 0)
        r = w;
    if (r == 0)
        r = host_syscall2(__NR_fchmod, memfd, f->mode);
    if (r == 0)
        r = host_syscall3(__NR_fcntl, memfd, F_ADD_SEALS, SEALS);
    if (r < 0) {
        host_close((int)memfd);
        return r;
    }
    /* The app's descriptor is one of its own on the same content, opened as the app
     * asked. Writing needs the permission Linux asks for (the mode is 0444 or 0400:
     * only a process that overrides permissions may), and then fails anyway: the
     * content is sealed. */
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, memfd);
    if (wants_write) {
        r = host_syscall4(__NR_faccessat2, AT_FDCWD, link, 2 /* W_OK */, AT_EACCESS);
        if (r < 0) {
            host_close((int)memfd);
            return r == -ENOSYS ? -EACCES : r;
        }
    }
    int access = flags & O_PATH ? O_RDONLY : flags & O_ACCMODE;
    long fd = host_syscall4(__NR_openat, AT_FDCWD, link, access | (flags & OPEN_FLAGS_KEPT), 0);
    if (fd > memfd) {
        /* The app expects the lowest free number, which the memfd holds: dup3 puts the
         * descriptor there in one step, with no moment where another thread could take
         * the number. */
        if (host_syscall3(__NR_dup3, fd, memfd, flags & O_CLOEXEC) >= 0) {
            host_close((int)fd);
            return memfd;
        }
    }
    host_close((int)memfd);
    return fd;
}

int generated_fd_name(int fd, const char *host_link, char *buf, size_t size)
{
    size_t plen = sizeof(MEMFD_PREFIX) - 1, slen = sizeof(MEMFD_SUFFIX) - 1;
    size_t len = strlen(host_link);
    if (len <= plen + slen || strncmp(host_link, MEMFD_PREFIX, plen) != 0 ||
        strcmp(host_link + len - slen, MEMFD_SUFFIX) != 0 || host_link[plen] != '/')
        return 0;
    /* The app's own memfds are not sealed this way (and if one is, it fooled itself). */
    if (host_syscall2(__NR_fcntl, fd, F_GET_SEALS) != SEALS)
        return 0;
    size_t n = len - plen - slen;
    if (n + 1 > size)
        return 0;
    memcpy(buf, host_link + plen, n);
    buf[n] = 0;
    return 1;
}
