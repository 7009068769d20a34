/* File descriptors: the calls that need more than a passthrough (see syscalls.def for
 * the rest of the family). */
#include "libos/syscall.h"
#include "lib/log.h"
#include "libos/fd_reserve.h"
#include "libos/signal.h"
#include "pal/host.h"

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
    if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && arg >= (unsigned long)g_fd_reserved_base)
        return -EINVAL; /* as for an arg at or above RLIMIT_NOFILE */
    if (cmd == F_SETLKW || cmd == F_OFD_SETLKW) /* waits for the lock: interruptible */
        return syscall_interruptible(__NR_fcntl, fd, cmd, (long)arg, 0, 0, 0);
    return host_syscall3(__NR_fcntl, fd, cmd, arg);
}

/* Terminal and generic descriptor ioctls are passed to the host; anything else (device
 * control an app under asis has no business doing) is ENOTTY, as on a plain file. */
static int ioctl_is_allowed(unsigned long request)
{
    switch (request) {
    case 0x5401: /* TCGETS */
    case 0x5402: /* TCSETS */
    case 0x5403: /* TCSETSW */
    case 0x5404: /* TCSETSF */
    case 0x5409: /* TCSBRK */
    case 0x540A: /* TCXONC */
    case 0x540B: /* TCFLSH */
    case 0x540F: /* TIOCGPGRP */
    case 0x5410: /* TIOCSPGRP */
    case 0x5411: /* TIOCOUTQ */
    case 0x5413: /* TIOCGWINSZ */
    case 0x5414: /* TIOCSWINSZ */
    case 0x541B: /* FIONREAD */
    case 0x5421: /* FIONBIO */
    case 0x5429: /* TIOCGSID */
    case 0x5450: /* FIONCLEX */
    case 0x5451: /* FIOCLEX */
    case 0x5452: /* FIOASYNC */
    case 0x802c542a: /* TCGETS2 */
    case 0x402c542b: /* TCSETS2 */
    case 0x402c542c: /* TCSETSW2 */
    case 0x402c542d: /* TCSETSF2 */
    case 0x80045430: /* TIOCGPTN */
    case 0x40045431: /* TIOCSPTLCK */
        return 1;
    }
    return 0;
}

static int ioctl_may_wait(unsigned long request)
{
    switch (request) {
    case 0x5403: /* TCSETSW */
    case 0x5404: /* TCSETSF */
    case 0x5407: /* TCSETAW */
    case 0x5408: /* TCSETAF */
    case 0x5409: /* TCSBRK */
    case 0x5425: /* TCSBRKP */
    case 0x402c542c: /* TCSETSW2 */
    case 0x402c542d: /* TCSETSF2 */
        return 1;
    }
    return 0;
}

long sys_ioctl(int fd, unsigned long request, unsigned long arg)
{
    if (!ioctl_is_allowed(request)) {
        log_debug("ioctl 0x%lx on fd %d refused (ENOTTY)", request, fd);
        return -ENOTTY;
    }
    if (ioctl_may_wait(request)) /* waits for the output to drain: interruptible */
        return syscall_interruptible(__NR_ioctl, fd, (long)request, (long)arg, 0, 0, 0);
    return host_syscall3(__NR_ioctl, fd, request, arg);
}

/* close_range stops below asis's descriptors, however far the app asks. */
long sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    if (first > last)
        return -EINVAL;
    if (first >= (unsigned int)g_fd_reserved_base)
        return 0;
    if (last >= (unsigned int)g_fd_reserved_base)
        last = (unsigned int)g_fd_reserved_base - 1;
    return host_syscall3(__NR_close_range, first, last, flags);
}
