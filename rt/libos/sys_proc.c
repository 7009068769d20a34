/* Process limits, control and identity: the calls of the family that need asis's view
 * (see syscalls.def for the passthroughs: ids, getrandom, sysinfo, ...). */
#include "libos/rdtsc.h"
#include "libos/syscall.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/fd_reserve.h"
#include "pal/host.h"

#define RLIMIT_NOFILE_ID 7

struct rlimit64 {
    unsigned long cur, max;
};

long sys_prlimit64(int pid, int resource, const void *new_limit, void *old_limit)
{
    /* Any thread of this process names the process itself, as on Linux. */
    int self = pid == 0 || pid == host_getpid() ||
               host_syscall3(__NR_tgkill, host_getpid(), pid, 0) == 0;
    if (!self)
        return host_syscall4(__NR_prlimit64, pid, resource, new_limit, old_limit);
    if (resource != RLIMIT_NOFILE_ID)
        return host_syscall4(__NR_prlimit64, 0, resource, new_limit, old_limit);

    /* NOFILE: the app's limits end below asis's reserved descriptors. */
    struct rlimit64 old, lim;
    fd_app_nofile_limits(&old.cur, &old.max);
    if (new_limit) {
        if (copy_from_app(&lim, new_limit, sizeof(lim)) < 0)
            return -EFAULT;
        if (tcb_self()->vfork_child) /* its own process: leave the parent's record alone */
            return fd_app_set_nofile_limits_host_only(lim.cur, lim.max);
        long r = fd_app_set_nofile_limits(lim.cur, lim.max);
        if (r < 0)
            return r;
    }
    if (old_limit && copy_to_app(old_limit, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

long sys_getrlimit(int resource, void *limit)
{
    return sys_prlimit64(0, resource, 0, limit);
}

long sys_setrlimit(int resource, const void *limit)
{
    return sys_prlimit64(0, resource, limit, 0);
}

long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
    switch (option) {
    case PR_SET_PDEATHSIG:
    case PR_GET_PDEATHSIG:
    case PR_GET_DUMPABLE:
    case PR_SET_DUMPABLE:
    case PR_SET_NAME:
    case PR_GET_NAME:
    case PR_GET_TIMERSLACK:
    case PR_SET_TIMERSLACK:
    case PR_CAPBSET_READ:
    case PR_GET_NO_NEW_PRIVS:
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_THP_DISABLE:
    case PR_SET_THP_DISABLE:
    case PR_SET_VMA:
    case PR_GET_KEEPCAPS:
    case PR_SET_KEEPCAPS:
    case PR_CAP_AMBIENT:
    case PR_CAPBSET_DROP:
    case PR_GET_SECUREBITS:
    case PR_SET_SECUREBITS:
    case PR_GET_CHILD_SUBREAPER:
    case PR_SET_CHILD_SUBREAPER:
    case PR_MCE_KILL:
    case PR_MCE_KILL_GET:
    case PR_SET_PTRACER:
        return host_syscall5(__NR_prctl, option, a2, a3, a4, a5);
    case PR_GET_TSC:
    case PR_SET_TSC:
        if (!g_rdtsc_emulate)
            return host_syscall5(__NR_prctl, option, a2, a3, a4, a5);
        /* --rdtsc=emulate: the TSC is asis's to switch; for the app rdtsc works. */
        if (option == PR_SET_TSC)
            return -EINVAL;
        return copy_to_app((void *)a2, &(int){ PR_TSC_ENABLE }, sizeof(int));
    case PR_GET_TID_ADDRESS: {
        /* The app's clear-child-tid address, not the word asis gave the host. */
        int *addr = tcb_self()->app_clear_child_tid;
        return copy_to_app((void *)a2, &addr, sizeof(addr));
    }
    }
    /* Others (seccomp, syscall user dispatch, ...) would change how asis itself runs. */
    log_debug("prctl option %d refused (EINVAL)", option);
    return -EINVAL;
}

/* The kernel release uname reports, set by the user (`asis run --uname-release`) for
 * programs that check it; NULL: the host's. */
const char *g_uname_release;

struct new_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(void *app_buf)
{
    struct new_utsname u;
    long r = host_syscall1(__NR_uname, &u);
    if (r < 0)
        return r;
    if (g_uname_release) {
        size_t n = strlen(g_uname_release);
        if (n >= sizeof(u.release))
            n = sizeof(u.release) - 1; /* the kernel's field is 64 bytes and a NUL */
        memset(u.release, 0, sizeof(u.release));
        memcpy(u.release, g_uname_release, n);
    }
    return copy_to_app(app_buf, &u, sizeof(u));
}

/* Mounts would change what the app's paths name behind asis's view (and, as root, bind
 * host paths into it): refused as for a process without CAP_SYS_ADMIN. */
static long refuse_mount(void)
{
    static int warned;
    if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        log_warn("mount is refused: the app's file system is asis's view");
    return -EPERM;
}

long sys_mount(const char *source, const char *target, const char *fstype,
               unsigned long flags, const void *data)
{
    (void)source, (void)target, (void)fstype, (void)flags, (void)data;
    return refuse_mount();
}

long sys_umount2(const char *target, int flags)
{
    (void)target, (void)flags;
    return refuse_mount();
}

/* A new mount namespace, or a user namespace (which gives the right to mount in one),
 * would let the app mount over the host's /proc, which asis itself opens paths through. */
long sys_unshare(unsigned long flags)
{
    if (flags & (CLONE_NEWNS | CLONE_NEWUSER))
        return -EPERM;
    return host_syscall1(__NR_unshare, flags);
}
