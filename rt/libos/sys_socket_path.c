/* Unix-domain socket addresses that name a file (sun_path[0] != 0). The kernel looks
 * such a path up itself (bind, connect, and sendto/sendmsg/sendmmsg of a datagram
 * socket), so asis resolves it in the app's view first and gives the host a path that
 * leads only there:
 *   connect and sends: "/proc/thread-self/fd/N", N an O_PATH fd of the socket file;
 *   bind: "/proc/thread-self/fd/N/NAME", N an O_PATH fd of the directory to create it
 *   in (shorter spellings when that does not fit in sun_path: see reserve_name).
 * The host keeps a bound socket's address as that text and shows it to getsockname,
 * getpeername, accept, recvfrom and recvmsg; a table of the names this process bound
 * turns it back into the text the app bound, as Linux would return it. Abstract and
 * unnamed addresses, and other families, pass unchanged (but from asis's copy, so that
 * the app cannot swap in a path after the check). A path given to a socket that does not
 * look it up (another family, a Unix stream socket's send) reaches the host as "/" (see
 * hide_file_name): another thread may make fd a Unix socket after the check.
 *
 * Not translated: recvmmsg's addresses, and names bound by another process (also one
 * this program exec'd, which inherits the socket but not the table): the host's text
 * is returned as is.
 *
 * Sends also hand the host asis's copy of the control data, in which asis's own fds
 * cannot be passed with SCM_RIGHTS (see hide_reserved_fds). */
#include "libos/syscall.h"
#include "lib/fmt.h"
#include "libos/fd_reserve.h"
#include "lib/mutex.h"
#include "lib/string.h"
#include "libos/signal.h"
#include "pal/host.h"
#include "vfs/lookup.h"
#include <asm/socket.h>
#include <linux/un.h>

#define AF_UNIX 1
#define SOCK_DGRAM 2
#define SOCKADDR_MAX 128 /* sizeof(struct sockaddr_storage): Linux refuses longer ones */
#define SUN_PATH_OFFSET 2
#define UIO_MAXIOV 1024  /* sendmmsg sends at most this many messages per call */
#define HOST_S_IFSOCK 0140000

struct sock_addr {
    union {
        struct __kernel_sockaddr_storage ss;
        struct sockaddr_un un;
        char bytes[SOCKADDR_MAX];
    };
};

/* struct msghdr and struct mmsghdr of x86-64 */
struct app_msghdr {
    void *msg_name;
    int msg_namelen;
    void *msg_iov;
    size_t msg_iovlen;
    void *msg_control;
    size_t msg_controllen;
    int msg_flags;
};
struct app_mmsghdr {
    struct app_msghdr msg_hdr;
    unsigned int msg_len;
};
_Static_assert(sizeof(struct app_msghdr) == 56, "struct msghdr of x86-64");
_Static_assert(sizeof(struct app_mmsghdr) == 64, "struct mmsghdr of x86-64");

static size_t bounded_strlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* ------------------------------------------------------------ names this process bound */

enum { NAME_FREE, NAME_PENDING, NAME_BOUND };
#define BOUND_NAMES_MAX 64

struct bound_name {
    int state;
    int fd;                  /* the app's socket fd at bind, to tell whether it lives */
    uint64_t dev, ino;       /* that socket */
    unsigned long seq;       /* binding order: the oldest is forgotten first */
    size_t host_len, guest_len;
    char host[UNIX_PATH_MAX + 1];  /* the text the host keeps */
    char guest[UNIX_PATH_MAX + 1]; /* the text the app bound */
};

static struct mutex g_names_lock;
static struct bound_name g_names[BOUND_NAMES_MAX];
static unsigned long g_names_seq;
static int g_names_used; /* set once: until then, addresses need no translation */

void socket_names_lock(void)
{
    mutex_lock(&g_names_lock);
}

void socket_names_unlock(void)
{
    mutex_unlock(&g_names_lock);
}

static int names_in_use(void)
{
    return __atomic_load_n(&g_names_used, __ATOMIC_ACQUIRE);
}

/* Whether the socket an entry was made for is still open at its fd. */
static int name_alive(const struct bound_name *e)
{
    if (e->state == NAME_PENDING)
        return 1;
    struct host_stat st;
    return e->state == NAME_BOUND && host_syscall2(__NR_fstat, e->fd, &st) == 0 &&
           (st.st_mode & HOST_S_IFMT) == HOST_S_IFSOCK && st.st_dev == e->dev &&
           st.st_ino == e->ino;
}

static struct bound_name *name_with_host_text(const char *host, size_t len)
{
    for (int i = 0; i < BOUND_NAMES_MAX; i++) {
        struct bound_name *e = &g_names[i];
        if (e->state != NAME_FREE && e->host_len == len && memcmp(e->host, host, len) == 0)
            return e;
    }
    return 0;
}

/* A slot for a new name: a free one, else one whose socket is gone, else the oldest. */
static struct bound_name *free_name_slot(void)
{
    struct bound_name *oldest = 0;
    for (int i = 0; i < BOUND_NAMES_MAX; i++)
        if (g_names[i].state == NAME_FREE)
            return &g_names[i];
    for (int i = 0; i < BOUND_NAMES_MAX; i++) {
        struct bound_name *e = &g_names[i];
        if (e->state != NAME_BOUND)
            continue;
        if (!name_alive(e))
            return e;
        if (!oldest || e->seq < oldest->seq)
            oldest = e;
    }
    return oldest;
}

/* Chooses the host text for binding NAME in the directory held by parent_fd, unique
 * among the names of live sockets ("./" is added until it is), and reserves a slot for
 * it. The text is "/proc/thread-self/fd/N/NAME", or shorter when that does not fit in
 * sun_path: "/proc/self/fd/N/NAME", or NAME alone when the directory is the host's
 * working directory (in_cwd), where the host creates it all the same. Returns the slot
 * (NULL: no room to remember it; the text is in host all the same), or -ENAMETOOLONG
 * through *err when no spelling fits. */
static struct bound_name *reserve_name(long parent_fd, int in_cwd, const char *name,
                                       const char *guest, char *host, long *err)
{
    static const char *const prefixes[] = { "/proc/thread-self/fd/%ld/", "/proc/self/fd/%ld/",
                                             "" };
    *err = 0;
    socket_names_lock();
    struct bound_name *slot = 0;
    int found = 0;
    long name_len = (long)strlen(name);
    for (int p = 0; p < (in_cwd ? 3 : 2) && !found; p++) {
        for (int dots = 0;; dots++) {
            long n = fmt_snprintf(host, UNIX_PATH_MAX + 1, prefixes[p], parent_fd);
            if (n < 0 || n + 2 * dots + name_len > UNIX_PATH_MAX)
                break;
            for (int d = 0; d < dots; d++)
                host[n++] = '.', host[n++] = '/';
            memcpy(host + n, name, (size_t)name_len + 1);
            struct bound_name *same = name_with_host_text(host, (size_t)(n + name_len));
            if (same && name_alive(same))
                continue;
            if (same)
                same->state = NAME_FREE; /* a socket that is gone */
            found = 1;
            break;
        }
    }
    if (!found) {
        *err = -ENAMETOOLONG;
    } else if ((slot = free_name_slot())) {
        slot->state = NAME_PENDING;
        slot->host_len = strlen(host);
        memcpy(slot->host, host, slot->host_len + 1);
        slot->guest_len = strlen(guest);
        memcpy(slot->guest, guest, slot->guest_len + 1);
    }
    socket_names_unlock();
    return slot;
}

/* After the host's bind: the slot describes the socket fd now, or is freed. */
static void settle_name(struct bound_name *slot, int fd, long bind_result)
{
    struct host_stat st;
    int ok = bind_result == 0 && host_syscall2(__NR_fstat, fd, &st) == 0;
    socket_names_lock();
    if (ok) {
        slot->fd = fd;
        slot->dev = st.st_dev;
        slot->ino = st.st_ino;
        slot->seq = ++g_names_seq;
        slot->state = NAME_BOUND;
        __atomic_store_n(&g_names_used, 1, __ATOMIC_RELEASE);
    } else {
        slot->state = NAME_FREE;
    }
    socket_names_unlock();
}

/* Rewrites an address the host returned into the text the app bound, when this process
 * bound it. */
static void addr_to_guest(struct sock_addr *a, int *len)
{
    if (*len <= SUN_PATH_OFFSET || a->un.sun_family != AF_UNIX || !a->un.sun_path[0])
        return;
    size_t n = bounded_strlen(a->un.sun_path, (size_t)*len - SUN_PATH_OFFSET);
    socket_names_lock();
    const struct bound_name *e = name_with_host_text(a->un.sun_path, n);
    if (e && e->state == NAME_BOUND) {
        /* As Linux keeps it: the text and its NUL (111 bytes for a 108-byte path). */
        memcpy(a->un.sun_path, e->guest, e->guest_len);
        a->un.sun_path[e->guest_len] = 0;
        *len = (int)(SUN_PATH_OFFSET + e->guest_len + 1);
    }
    socket_names_unlock();
}

/* ------------------------------------------------------------------ addresses in and out */

/* Linux's move_addr_to_kernel. */
static long addr_from_app(const void *app_addr, int len, struct sock_addr *a)
{
    if (len < 0 || len > SOCKADDR_MAX)
        return -EINVAL;
    memset(a, 0, sizeof(*a));
    if (len && copy_from_app(a, app_addr, (size_t)len) < 0)
        return -EFAULT;
    return 0;
}

/* Linux's move_addr_to_user: at most *app_len bytes of the address; *app_len becomes its
 * full length. */
static long addr_to_app(const struct sock_addr *a, int klen, void *app_addr, int *app_len)
{
    int len;
    if (copy_from_app(&len, app_len, sizeof(len)) < 0)
        return -EFAULT;
    if (len > klen)
        len = klen;
    if (len < 0)
        return -EINVAL;
    if (len && copy_to_app(app_addr, a, (size_t)len) < 0)
        return -EFAULT;
    return copy_to_app(app_len, &klen, sizeof(klen)) < 0 ? -EFAULT : 0;
}

/* A Unix-domain address that names a file: its path (NUL-terminated) into path. */
static int names_file(const struct sock_addr *a, int len, char *path)
{
    if (len <= SUN_PATH_OFFSET || len > (int)sizeof(struct sockaddr_un) ||
        a->un.sun_family != AF_UNIX || !a->un.sun_path[0])
        return 0;
    size_t n = bounded_strlen(a->un.sun_path, (size_t)len - SUN_PATH_OFFSET);
    memcpy(path, a->un.sun_path, n);
    path[n] = 0;
    return 1;
}

/* For an address that goes to the host unresolved: when it names a file, the host gets
 * "/" in its place. Other families (and a Unix socket that sends without looking a name
 * up) look only at the family and the length, which are kept, so the error is the same
 * (checked against Linux: EINVAL, EAFNOSUPPORT, EOPNOTSUPP...). But if another thread
 * has dup2'd a Unix socket onto the fd since the check, the host looks up "/", which
 * is no socket (connect, send: ECONNREFUSED) and cannot be created (bind: EADDRINUSE),
 * instead of the app's path outside the view. */
static void hide_file_name(struct sock_addr *a, int len)
{
    if (len <= SUN_PATH_OFFSET || a->un.sun_family != AF_UNIX || !a->un.sun_path[0])
        return;
    memset(a->bytes + SUN_PATH_OFFSET, 0, (size_t)(len - SUN_PATH_OFFSET));
    a->un.sun_path[0] = '/';
}

static long socket_option(int fd, int option)
{
    int value = 0;
    unsigned int size = sizeof(value);
    long r = host_syscall5(__NR_getsockopt, fd, SOL_SOCKET, option, &value, &size);
    return r < 0 ? r : value;
}

/* Linux looks at the descriptor before the address: its error (EBADF, ENOTSOCK) wins. */
static long fd_error_first(int fd, long addr_error)
{
    long r = socket_option(fd, SO_DOMAIN);
    return r < 0 ? r : addr_error;
}

/* The host address that reaches the socket file path names (followed), with the O_PATH
 * fd that holds it open in *obj (close it after the call). */
static long host_addr_of_file(const char *path, struct sock_addr *h, long *obj)
{
    struct lookup l;
    long r = vfs_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &l);
    if (r < 0)
        return r;
    *obj = vfs_open_object(&l);
    if (*obj < 0)
        return *obj;
    memset(h, 0, sizeof(*h));
    h->un.sun_family = AF_UNIX;
    _Static_assert(VIEW_FD_LINK_BYTES <= UNIX_PATH_MAX, "an fd link fits in sun_path");
    view_fd_link(h->un.sun_path, *obj);
    return SUN_PATH_OFFSET + (long)strlen(h->un.sun_path) + 1;
}

/* ----------------------------------------------------------------------- bind, connect */

static long bind_file(int fd, const char *guest)
{
    struct lookup l;
    long r = vfs_lookup(AT_FDCWD, guest, 0, &l); /* the name is created: never followed */
    if (r < 0)
        return r;
    const char *name;
    long parent = vfs_open_parent(&l, &name);
    if (parent < 0)
        return parent;
    if (vfs_check_writable(&l) < 0) {
        /* Linux: an existing name is EADDRINUSE, a missing one with a '/' after it
         * ENOENT, and only then EROFS. */
        struct host_stat st;
        r = host_syscall4(__NR_newfstatat, parent, name, &st, AT_SYMLINK_NOFOLLOW);
        host_close((int)parent);
        if (r == 0)
            return -EADDRINUSE;
        return l.trailing_slash ? -ENOENT : -EROFS;
    }
    struct host_stat dir, cwd;
    int in_cwd = host_syscall2(__NR_fstat, parent, &dir) == 0 &&
                 host_syscall4(__NR_newfstatat, AT_FDCWD, ".", &cwd, 0) == 0 &&
                 dir.st_dev == cwd.st_dev && dir.st_ino == cwd.st_ino;
    char host[UNIX_PATH_MAX + 1];
    struct bound_name *slot = reserve_name(parent, in_cwd, name, guest, host, &r);
    if (r == 0) {
        struct sock_addr h;
        memset(&h, 0, sizeof(h));
        h.un.sun_family = AF_UNIX;
        size_t n = strlen(host); /* sun_path holds 108 bytes: the NUL may not fit */
        memcpy(h.un.sun_path, host, n);
        r = host_syscall3(__NR_bind, fd, &h, SUN_PATH_OFFSET + n + (n < UNIX_PATH_MAX));
        if (slot)
            settle_name(slot, fd, r);
    }
    host_close((int)parent);
    return r;
}

long sys_bind(int fd, const void *app_addr, int len)
{
    struct sock_addr a;
    char path[UNIX_PATH_MAX + 1];
    long r = addr_from_app(app_addr, len, &a);
    if (r < 0)
        return fd_error_first(fd, r);
    if (names_file(&a, len, path)) {
        long domain = socket_option(fd, SO_DOMAIN);
        if (domain < 0)
            return domain;
        if (domain == AF_UNIX)
            return bind_file(fd, path);
    }
    hide_file_name(&a, len); /* the family is refused, or the length */
    return host_syscall3(__NR_bind, fd, &a, len);
}

long sys_connect(int fd, const void *app_addr, int len)
{
    struct sock_addr a, h;
    char path[UNIX_PATH_MAX + 1];
    long r = addr_from_app(app_addr, len, &a);
    if (r < 0)
        return fd_error_first(fd, r);
    long domain = names_file(&a, len, path) ? socket_option(fd, SO_DOMAIN) : 0;
    if (domain < 0)
        return domain;
    if (domain != AF_UNIX) {
        hide_file_name(&a, len);
        return syscall_interruptible(__NR_connect, (long)fd, (long)&a, (long)len, 0, 0, 0);
    }
    long obj = -1;
    long hlen = host_addr_of_file(path, &h, &obj);
    if (hlen < 0)
        return hlen;
    r = syscall_interruptible(__NR_connect, (long)fd, (long)&h, (long)hlen, 0, 0, 0);
    host_close((int)obj);
    return r;
}

/* ------------------------------------------------------------------- control data */

/* An app could send asis's reserved fds with SCM_RIGHTS (to itself through a socketpair)
 * and receive copies in its own range. The host is given asis's copy of the control data
 * (so that the app cannot change it after the check), in which every reserved fd of an
 * SCM_RIGHTS message is replaced by -1, which is never open: the host answers EBADF, as
 * Linux does for an fd that is not open, and only where Linux would (after the socket's
 * family, a malformed message, too many fds...). */
#define SCM_RIGHTS 1
#define CMSG_HDR_BYTES 16u  /* struct cmsghdr of x86-64: cmsg_len (size_t), level, type */
#define CONTROL_ON_STACK 2048
/* Linux copies control data into a buffer of at most net.core.optmem_max bytes (128 KiB
 * by default since 6.9, 20 KiB before): larger is ENOBUFS. Larger than this is ENOBUFS
 * under asis whatever the host's setting. */
#define CONTROL_MAX (128 * 1024)
/* msg_controllen values the host refuses as Linux would refuse the app's: with ENOBUFS
 * (more than INT_MAX), and a pointer copy_from_user refuses (EFAULT, unless the length
 * is ENOBUFS first, as for the app). */
#define CONTROL_LEN_ENOBUFS ((size_t)0x7fffffff + 1)
#define CONTROL_EFAULT ((void *)0xffff800000000000UL)

struct control_copy {
    char stack[CONTROL_ON_STACK] __attribute__((aligned(8)));
    void *mapped; /* a larger copy: munmap'd by control_release */
    size_t mapped_size;
};

/* Linux's for_each_cmsghdr over the copy: a message the host would refuse (EINVAL) ends
 * the walk, as it ends Linux's. */
static void hide_reserved_fds(char *ctl, size_t size)
{
    for (size_t pos = 0; pos + CMSG_HDR_BYTES <= size;) {
        size_t len;
        int level, type;
        memcpy(&len, ctl + pos, sizeof(len));
        memcpy(&level, ctl + pos + 8, sizeof(level));
        memcpy(&type, ctl + pos + 12, sizeof(type));
        if (len < CMSG_HDR_BYTES || len > size - pos)
            return;
        if (level == SOL_SOCKET && type == SCM_RIGHTS) {
            int *fds = (int *)(ctl + pos + CMSG_HDR_BYTES); /* pos is a multiple of 8 */
            for (size_t i = 0; i < (len - CMSG_HDR_BYTES) / sizeof(int); i++)
                if (fd_is_reserved(fds[i]))
                    fds[i] = -1;
        }
        pos += (len + 7) & ~(size_t)7; /* CMSG_ALIGN */
    }
}

/* Points the header's control data at asis's copy; when it cannot be copied, at what
 * makes the host fail as Linux fails (the errors that come first stay the host's). */
static void control_from_app(struct app_msghdr *m, struct control_copy *c)
{
    c->mapped = 0;
    size_t len = m->msg_controllen;
    if (!len)
        return;
    if (len > CONTROL_MAX) {
        m->msg_controllen = CONTROL_LEN_ENOBUFS;
        return;
    }
    char *buf = c->stack;
    if (len > sizeof(c->stack)) {
        size_t size = (len + 4095) & ~(size_t)4095;
        void *p = host_mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
        if ((unsigned long)p >= -4095UL) {
            m->msg_controllen = CONTROL_LEN_ENOBUFS; /* Linux: no memory is ENOBUFS */
            return;
        }
        c->mapped = p;
        c->mapped_size = size;
        buf = p;
    }
    if (copy_from_app(buf, m->msg_control, len) < 0) {
        m->msg_control = CONTROL_EFAULT;
        return;
    }
    hide_reserved_fds(buf, len);
    m->msg_control = buf;
}

static void control_release(struct control_copy *c)
{
    if (c->mapped)
        host_munmap(c->mapped, c->mapped_size);
}

/* ------------------------------------------------------------------------------ send */

/* Only a datagram socket sends to a file's name: a stream socket refuses an address
 * (EISCONN, EOPNOTSUPP) and a seqpacket socket ignores it, without looking it up. */
static long sends_to_files(int fd)
{
    long domain = socket_option(fd, SO_DOMAIN);
    if (domain < 0 || domain != AF_UNIX)
        return domain < 0 ? domain : 0;
    long type = socket_option(fd, SO_TYPE);
    return type < 0 ? type : type == SOCK_DGRAM;
}

long sys_sendto(int fd, const void *buf, size_t size, int flags, const void *app_addr,
                int len)
{
    if (!app_addr)
        return syscall_interruptible(__NR_sendto, (long)fd, (long)buf, (long)size, (long)flags,
                                     0, (long)len);
    struct sock_addr a, h;
    char path[UNIX_PATH_MAX + 1];
    long r = addr_from_app(app_addr, len, &a);
    if (r < 0)
        return fd_error_first(fd, r);
    long to_file = names_file(&a, len, path) ? sends_to_files(fd) : 0;
    if (to_file < 0)
        return to_file;
    if (!to_file) {
        hide_file_name(&a, len);
        return syscall_interruptible(__NR_sendto, (long)fd, (long)buf, (long)size, (long)flags,
                                     (long)&a, (long)len);
    }
    long obj = -1;
    long hlen = host_addr_of_file(path, &h, &obj);
    if (hlen < 0)
        return hlen;
    r = syscall_interruptible(__NR_sendto, (long)fd, (long)buf, (long)size, (long)flags,
                              (long)&h, (long)hlen);
    host_close((int)obj);
    return r;
}

/* sendmsg of a header in asis's memory whose control data is asis's already. The host
 * reads asis's copies only, never the app's header or name again. */
static long send_message(int fd, struct app_msghdr m, int flags)
{
    if (!m.msg_name || !m.msg_namelen)
        return syscall_interruptible(__NR_sendmsg, (long)fd, (long)&m, (long)flags, 0, 0, 0);
    if (m.msg_namelen < 0)
        return fd_error_first(fd, -EINVAL);
    int len = m.msg_namelen > SOCKADDR_MAX ? SOCKADDR_MAX : m.msg_namelen;
    struct sock_addr a, h;
    char path[UNIX_PATH_MAX + 1];
    long r = addr_from_app(m.msg_name, len, &a);
    if (r < 0)
        return fd_error_first(fd, r);
    m.msg_name = &a;
    m.msg_namelen = len;
    long to_file = names_file(&a, len, path) ? sends_to_files(fd) : 0;
    if (to_file < 0)
        return to_file;
    if (!to_file) {
        hide_file_name(&a, len);
        return syscall_interruptible(__NR_sendmsg, (long)fd, (long)&m, (long)flags, 0, 0, 0);
    }
    long obj = -1;
    long hlen = host_addr_of_file(path, &h, &obj);
    if (hlen < 0)
        return hlen;
    m.msg_name = &h;
    m.msg_namelen = (int)hlen;
    r = syscall_interruptible(__NR_sendmsg, (long)fd, (long)&m, (long)flags, 0, 0, 0);
    host_close((int)obj);
    return r;
}

long sys_sendmsg(int fd, const void *app_msg, int flags)
{
    struct app_msghdr m;
    if (copy_from_app(&m, app_msg, sizeof(m)) < 0)
        return fd_error_first(fd, -EFAULT);
    struct control_copy control;
    control_from_app(&m, &control);
    long r = send_message(fd, m, flags);
    control_release(&control);
    return r;
}

/* A message header of sendmmsg into asis's memory, with its name in *name (hidden: see
 * hide_file_name), as Linux's copy_msghdr_from_user reads it. */
static long message_from_app(const struct app_msghdr *app, struct app_msghdr *m,
                             struct sock_addr *name)
{
    if (copy_from_app(m, app, sizeof(*m)) < 0)
        return -EFAULT;
    if (!m->msg_name || !m->msg_namelen)
        return 0;
    if (m->msg_namelen < 0)
        return -EINVAL;
    int len = m->msg_namelen > SOCKADDR_MAX ? SOCKADDR_MAX : m->msg_namelen;
    long r = addr_from_app(m->msg_name, len, name);
    if (r < 0)
        return r;
    hide_file_name(name, len);
    m->msg_name = name;
    m->msg_namelen = len;
    return 0;
}

/* A socket that looks no name up: the host sends the messages SEND_BATCH at a time, from
 * asis's copies of their headers and names, so that the host never reads a name the app
 * could change after the check; a message with control data goes alone, with asis's
 * copy of it. As Linux's loop: stop at the first error, which is returned only if
 * nothing was sent. */
#define SEND_BATCH 16

static long send_batches(int fd, struct app_mmsghdr *app, unsigned int count, int flags)
{
    unsigned int sent = 0;
    long err = 0;
    while (sent < count && !err) {
        struct app_mmsghdr vec[SEND_BATCH];
        struct sock_addr names[SEND_BATCH];
        struct control_copy control;
        control.mapped = 0;
        unsigned int n = 0;
        for (; n < SEND_BATCH && sent + n < count; n++) {
            err = message_from_app(&app[sent + n].msg_hdr, &vec[n].msg_hdr, &names[n]);
            if (err < 0)
                break;
            if (vec[n].msg_hdr.msg_controllen) {
                if (n == 0) /* else it starts the next batch */
                    control_from_app(&vec[n++].msg_hdr, &control);
                break;
            }
        }
        if (!n)
            break;
        long r = syscall_interruptible(__NR_sendmmsg, (long)fd, (long)vec, (long)n, (long)flags,
                                       0, 0);
        control_release(&control);
        if (r < 0) {
            err = r;
            break;
        }
        for (long i = 0; i < r; i++) {
            if (copy_to_app(&app[sent].msg_len, &vec[i].msg_len, sizeof(vec[i].msg_len)) < 0)
                return sent ? (long)sent : -EFAULT;
            sent++;
        }
        if ((unsigned long)r < n)
            break; /* the host stopped at an error */
    }
    return sent ? (long)sent : err;
}

long sys_sendmmsg(int fd, void *app_vec, unsigned int count, int flags)
{
    long to_file = sends_to_files(fd);
    if (to_file < 0)
        return to_file;
    struct app_mmsghdr *vec = app_vec;
    if (count > UIO_MAXIOV)
        count = UIO_MAXIOV;
    if (!to_file) /* no message can name a file */
        return send_batches(fd, vec, count, flags);
    /* A Unix datagram socket: one sendmsg per message, as Linux's loop does (stopping
     * at the first error, which is returned only if nothing was sent). */
    unsigned int sent = 0;
    long r = 0;
    while (sent < count) {
        r = sys_sendmsg(fd, &vec[sent].msg_hdr, flags);
        if (r < 0)
            break;
        unsigned int n = (unsigned int)r;
        if (copy_to_app(&vec[sent].msg_len, &n, sizeof(n)) < 0) {
            r = -EFAULT;
            break;
        }
        sent++;
    }
    return sent ? (long)sent : r;
}

/* ---------------------------------------------------------------- addresses given back */

long sys_getsockname(int fd, void *app_addr, int *app_len)
{
    if (!names_in_use())
        return host_syscall3(__NR_getsockname, fd, app_addr, app_len);
    struct sock_addr a;
    int klen = sizeof(a);
    long r = host_syscall3(__NR_getsockname, fd, &a, &klen);
    if (r < 0)
        return r;
    addr_to_guest(&a, &klen);
    return addr_to_app(&a, klen, app_addr, app_len);
}

long sys_getpeername(int fd, void *app_addr, int *app_len)
{
    if (!names_in_use())
        return host_syscall3(__NR_getpeername, fd, app_addr, app_len);
    struct sock_addr a;
    int klen = sizeof(a);
    long r = host_syscall3(__NR_getpeername, fd, &a, &klen);
    if (r < 0)
        return r;
    addr_to_guest(&a, &klen);
    return addr_to_app(&a, klen, app_addr, app_len);
}

long sys_accept4(int fd, void *app_addr, int *app_len, int flags)
{
    if (!app_addr || !names_in_use())
        return syscall_interruptible(__NR_accept4, (long)fd, (long)app_addr, (long)app_len,
                                     (long)flags, 0, 0);
    struct sock_addr a;
    int klen = sizeof(a);
    long conn = syscall_interruptible(__NR_accept4, (long)fd, (long)&a, (long)&klen,
                                      (long)flags, 0, 0);
    if (conn < 0)
        return conn;
    addr_to_guest(&a, &klen);
    long r = addr_to_app(&a, klen, app_addr, app_len);
    if (r < 0) {
        host_close((int)conn); /* Linux drops the connection too */
        return r;
    }
    return conn;
}

long sys_accept(int fd, void *app_addr, int *app_len)
{
    return sys_accept4(fd, app_addr, app_len, 0);
}

long sys_recvfrom(int fd, void *buf, size_t size, int flags, void *app_addr, int *app_len)
{
    if (!app_addr || !names_in_use())
        return syscall_interruptible(__NR_recvfrom, (long)fd, (long)buf, (long)size,
                                     (long)flags, (long)app_addr, (long)app_len);
    struct sock_addr a;
    int klen = sizeof(a);
    long n = syscall_interruptible(__NR_recvfrom, (long)fd, (long)buf, (long)size, (long)flags,
                                   (long)&a, (long)&klen);
    if (n < 0)
        return n;
    addr_to_guest(&a, &klen);
    long r = addr_to_app(&a, klen, app_addr, app_len);
    return r < 0 ? r : n;
}

long sys_recvmsg(int fd, void *app_msg, int flags)
{
    struct app_msghdr m;
    /* Receiving looks nothing up: when there is no name to translate, or the header is
     * unreadable, the host serves the app's header itself. */
    if (!names_in_use() || copy_from_app(&m, app_msg, sizeof(m)) < 0 || !m.msg_name ||
        m.msg_namelen <= 0)
        return syscall_interruptible(__NR_recvmsg, (long)fd, (long)app_msg, (long)flags, 0, 0, 0);
    struct app_msghdr *app = app_msg;
    void *app_name = m.msg_name;
    struct sock_addr a;
    m.msg_name = &a;
    m.msg_namelen = sizeof(a);
    long n = syscall_interruptible(__NR_recvmsg, (long)fd, (long)&m, (long)flags, 0, 0, 0);
    if (n < 0)
        return n;
    /* What Linux writes back into the app's header: the name, its length, the flags
     * and the length of the control data (which went to the app's buffer directly). */
    addr_to_guest(&a, &m.msg_namelen);
    long r = addr_to_app(&a, m.msg_namelen, app_name, &app->msg_namelen);
    if (r < 0)
        return r;
    if (copy_to_app(&app->msg_flags, &m.msg_flags, sizeof(m.msg_flags)) < 0 ||
        copy_to_app(&app->msg_controllen, &m.msg_controllen, sizeof(m.msg_controllen)) < 0)
        return -EFAULT;
    return n;
}
