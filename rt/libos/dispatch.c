/* The syscall table (made from syscalls.def) and the dispatcher every interception
 * path ends in. */
#include "libos/syscall.h"
#include "vfs/lookup.h"
#include "lib/log.h"
#include "libos/fd_reserve.h"
#include "libos/patch.h"
#include "libos/signal.h"
#include "libos/trace.h"
#include "pal/host.h"

typedef long (*syscall_fn)(long, long, long, long, long, long);

enum syscall_kind { SC_NONE = 0, SC_PASS, SC_BLOCK, SC_EMUL, SC_DENY };

struct syscall_entry {
    const char *name;
    syscall_fn fn;
    unsigned char kind;
    char ret_fmt;
    const char *arg_fmt; /* or, for SC_DENY, the reason */
};

#define SYSCALL_NAME_COUNT_IS(n) enum { SYSCALL_NAMES = (n) };
#define SYSCALL_NAME(nr, name)
#include "libos/syscall_names.h"
#undef SYSCALL_NAME_COUNT_IS
#undef SYSCALL_NAME

static const char *const g_syscall_names[SYSCALL_NAMES] = {
#define SYSCALL_NAME_COUNT_IS(n)
#define SYSCALL_NAME(nr, name) [nr] = #name,
#include "libos/syscall_names.h"
};

static const struct syscall_entry g_syscalls[SYSCALL_NAMES] = {
#define PASS(name, ret, args) [__NR_##name] = { #name, 0, SC_PASS, ret, args },
#define BLOCK(name, ret, args) [__NR_##name] = { #name, 0, SC_BLOCK, ret, args },
#define EMUL(name, ret, args) [__NR_##name] = { #name, (syscall_fn)(void *)sys_##name, SC_EMUL, ret, args },
#define DENY(name, reason) [__NR_##name] = { #name, 0, SC_DENY, 'i', reason },
#include "libos/syscalls.def"
};

/* One bit per syscall number: has its refusal been logged already? */
static unsigned long g_refusal_logged[(SYSCALL_NAMES + 63) / 64 + 1];

const char *syscall_name(long nr)
{
    if (nr >= 0 && nr < SYSCALL_NAMES && g_syscall_names[nr])
        return g_syscall_names[nr];
    return 0;
}

static long refuse(long nr, const char *reason)
{
    long slot = (nr >= 0 && nr < SYSCALL_NAMES) ? nr : SYSCALL_NAMES;
    unsigned long bit = 1UL << (slot % 64);
    if (!(__atomic_fetch_or(&g_refusal_logged[slot / 64], bit, __ATOMIC_RELAXED) & bit)) {
        const char *name = syscall_name(nr);
        if (name)
            log_warn("unsupported syscall %s (%ld): %s; returning ENOSYS", name, nr, reason);
        else
            log_warn("unknown syscall number %ld; returning ENOSYS", nr);
    }
    return -ENOSYS;
}

uint16_t syscall_patch_class(long nr)
{
    switch (nr) {
    /* Go's netpoller calls epoll_pwait with no mask: then it is epoll_wait, a BLOCK call. */
    case __NR_epoll_pwait:
    case __NR_epoll_pwait2:
        return PATCH_CLASS_PASS | PATCH_CLASS_PASS_IF_NO_MASK | 1;
    /* These need the host's whole signal context: the new thread or program starts from
     * it, or (rt_sigreturn) it is replaced. */
    case __NR_rt_sigreturn:
    case __NR_clone:
    case __NR_clone3:
    case __NR_fork:
    case __NR_vfork:
    case __NR_execve:
    case __NR_execveat:
        return PATCH_CLASS_TRAP;
    }
    if (nr < 0 || nr >= SYSCALL_NAMES)
        return 0;
    const struct syscall_entry *e = &g_syscalls[nr];
    if (e->kind != SC_PASS && e->kind != SC_BLOCK)
        return 0;
    uint16_t c = PATCH_CLASS_PASS;
    for (int i = 0; e->arg_fmt[i] && i < 6; i++) {
        if (e->arg_fmt[i] == 'F')
            c |= 1u << i;
        else if (e->arg_fmt[i] == 'D')
            return 0; /* AT_FDCWD or an fd: left to E's fd_args_ok */
    }
    return c;
}

/* asis's own descriptors do not exist for the app. */
static int fd_args_ok(const char *fmt, const long args[6])
{
    for (int i = 0; fmt[i] && i < 6; i++) {
        if (fmt[i] == 'F' || (fmt[i] == 'D' && (int)args[i] != AT_FDCWD))
            if (fd_is_reserved((int)args[i]))
                return 0;
    }
    return 1;
}

long syscall_dispatch(struct tcb *t, long nr, const long args[6])
{
    const struct syscall_entry *e =
        (nr >= 0 && nr < SYSCALL_NAMES && g_syscalls[nr].kind) ? &g_syscalls[nr] : 0;
    long ret;

    if (!e)
        ret = refuse(nr, "not implemented");
    else if (e->kind == SC_DENY)
        ret = refuse(nr, e->arg_fmt);
    else if (!fd_args_ok(e->arg_fmt, args))
        ret = -EBADF;
    else {
        /* exit and exit_group do not come back: trace them first. */
        if (g_trace_fd >= 0 && (nr == __NR_exit || nr == __NR_exit_group))
            trace_syscall(t, e->name, nr, e->arg_fmt, e->ret_fmt, args, 0, 0);
        if (e->kind == SC_BLOCK) {
            /* Made in app context (the PASS trampoline), unless the app blocks or ignores
             * a signal asis owns: the trampoline cannot hold those back from interrupting
             * it, a window can. --trace prints the result: the call stays in the trap. */
            if (g_trace_fd < 0 && !signal_owned_refused(t))
                return signal_pass_in_app(t, nr);
            ret = syscall_interruptible(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        } else if (e->kind == SC_PASS)
            ret = pal_syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        else
            ret = e->fn(args[0], args[1], args[2], args[3], args[4], args[5]);
        if (t->vfs_held_fd[0])
            vfs_release_held_fds(t);
        if (g_trace_fd >= 0)
            trace_syscall(t, e->name, nr, e->arg_fmt, e->ret_fmt, args, ret, 1);
        return ret;
    }
    if (g_trace_fd >= 0)
        trace_syscall(t, syscall_name(nr), nr, "xxxxxx", 'i', args, ret, 1);
    return ret;
}
