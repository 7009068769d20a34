/* The --trace printer: decodes a syscall's arguments from the letters in syscalls.def and
 * writes one strace-like line per call, in a single write so threads do not interleave.
 * App memory (strings, buffers) is read fault-safely: a bad pointer prints as such. */
#include "libos/trace.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/errno_names.h"
#include "pal/host.h"

int g_trace_fd = -1;

struct line {
    char buf[1024];
    size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    if (l->len >= sizeof(l->buf))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
    va_end(ap);
    l->len += n;
    if (l->len > sizeof(l->buf) - 1)
        l->len = sizeof(l->buf) - 1;
}

struct flag_name {
    unsigned long bit;
    const char *name;
};

static void add_flags(struct line *l, unsigned long v, const struct flag_name *names, int n,
                      const char *zero)
{
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (names[i].bit && (v & names[i].bit) == names[i].bit) {
            add(l, "%s%s", first ? "" : "|", names[i].name);
            v &= ~names[i].bit;
            first = 0;
        }
    }
    if (v || first)
        add(l, "%s%s", first ? "" : "|", (first && !v && zero) ? zero : "");
    if (v)
        add(l, "0x%lx", v);
}

static const struct flag_name g_open_flags[] = {
    { O_CREAT, "O_CREAT" },
    { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
    { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_DIRECTORY, "O_DIRECTORY" },
    { O_NOFOLLOW, "O_NOFOLLOW" }, { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
    { O_LARGEFILE, "O_LARGEFILE" }, { O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" },
    { O_NOATIME, "O_NOATIME" },
};
static const struct flag_name g_prot_flags[] = {
    { PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" }, { PROT_EXEC, "PROT_EXEC" },
};
static const struct flag_name g_map_flags[] = {
    { MAP_SHARED, "MAP_SHARED" }, { MAP_PRIVATE, "MAP_PRIVATE" }, { MAP_FIXED, "MAP_FIXED" },
    { MAP_ANONYMOUS, "MAP_ANONYMOUS" }, { MAP_NORESERVE, "MAP_NORESERVE" },
    { MAP_GROWSDOWN, "MAP_GROWSDOWN" }, { MAP_POPULATE, "MAP_POPULATE" },
    { MAP_STACK, "MAP_STACK" }, { MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
};
static const struct flag_name g_clone_flags[] = {
    { CLONE_VM, "CLONE_VM" }, { CLONE_FS, "CLONE_FS" }, { CLONE_FILES, "CLONE_FILES" },
    { CLONE_SIGHAND, "CLONE_SIGHAND" }, { CLONE_PIDFD, "CLONE_PIDFD" },
    { CLONE_VFORK, "CLONE_VFORK" }, { CLONE_PARENT, "CLONE_PARENT" },
    { CLONE_THREAD, "CLONE_THREAD" }, { CLONE_SYSVSEM, "CLONE_SYSVSEM" },
    { CLONE_SETTLS, "CLONE_SETTLS" }, { CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID" },
    { CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID" },
    { CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID" },
};

static const char *const g_futex_ops[] = {
    "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
    "FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
    "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET",
};
static const char *const g_clocks[] = {
    "CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
    "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME",
};
static const char *const g_signals[] = {
    0, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
    "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",
    "SIGPWR", "SIGSYS",
};
static const char *const g_restart_names[] = {
    "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD", "ERESTART_RESTARTBLOCK",
};
static const char *const g_arch_prctl_codes[] = {
    [ARCH_SET_GS - 0x1000] = "ARCH_SET_GS", [ARCH_SET_FS - 0x1000] = "ARCH_SET_FS",
    [ARCH_GET_FS - 0x1000] = "ARCH_GET_FS", [ARCH_GET_GS - 0x1000] = "ARCH_GET_GS",
};

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

/* Prints up to 32 bytes of app memory as an escaped C string. */
static void add_app_bytes(struct line *l, long addr, long len)
{
    char data[32];
    long n = len < (long)sizeof(data) ? len : (long)sizeof(data);
    if (n < 0)
        n = 0;
    if (copy_from_app(data, (const void *)addr, n) < 0) {
        add(l, "%p", (void *)addr);
        return;
    }
    add(l, "\"");
    for (long i = 0; i < n; i++) {
        unsigned char c = data[i];
        if (c == '\n')
            add(l, "\\n");
        else if (c == '\t')
            add(l, "\\t");
        else if (c == '"' || c == '\\')
            add(l, "\\%c", c);
        else if (c >= 32 && c < 127)
            add(l, "%c", c);
        else
            add(l, "\\x%02x", c);
    }
    add(l, "\"%s", len > n ? "..." : "");
}

static void add_app_string(struct line *l, long addr)
{
    char s[256];
    long n = copy_str_from_app(s, (const char *)addr, sizeof(s));
    if (n == -EFAULT) {
        add(l, "%p", (void *)addr);
        return;
    }
    add_app_bytes(l, addr, n < 0 ? (long)sizeof(s) + 1 : n);
}

static void add_name_or_number(struct line *l, long v, const char *const *names, int n)
{
    if (v >= 0 && v < n && names[v])
        add(l, "%s", names[v]);
    else
        add(l, "%ld", v);
}

static void add_arg(struct line *l, char f, const long *args, int i, long ret, int done)
{
    long v = args[i];
    switch (f) {
    case 'i':
    case 'F':
        add(l, "%d", (int)v);
        break;
    case 'D':
        if ((int)v == AT_FDCWD)
            add(l, "AT_FDCWD");
        else
            add(l, "%d", (int)v);
        break;
    case 'u':
        add(l, "%lu", v);
        break;
    case 'p':
        if (v)
            add(l, "%p", (void *)v);
        else
            add(l, "NULL");
        break;
    case 's':
        add_app_string(l, v);
        break;
    case 'b':
        add_app_bytes(l, v, args[i + 1]);
        break;
    case 'B':
        if (done && ret >= 0)
            add_app_bytes(l, v, ret);
        else
            add(l, "%p", (void *)v);
        break;
    case 'o': {
        static const char *const access_modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "3" };
        add(l, "%s", access_modes[v & O_ACCMODE]);
        if (v & ~(long)O_ACCMODE) {
            add(l, "|");
            add_flags(l, v & ~(long)O_ACCMODE, g_open_flags, COUNT(g_open_flags), 0);
        }
        break;
    }
    case 'm':
        add(l, "0%lo", v);
        break;
    case 'P':
        add_flags(l, v, g_prot_flags, COUNT(g_prot_flags), "PROT_NONE");
        break;
    case 'M':
        add_flags(l, v, g_map_flags, COUNT(g_map_flags), 0);
        break;
    case 'S':
        add_name_or_number(l, v, g_signals, COUNT(g_signals));
        break;
    case 'f':
        add_name_or_number(l, v & 127, g_futex_ops, COUNT(g_futex_ops));
        if (v & FUTEX_PRIVATE_FLAG)
            add(l, "_PRIVATE");
        break;
    case 'c':
        add_flags(l, v & ~0xffUL, g_clone_flags, COUNT(g_clone_flags), 0);
        if (v & 0xff)
            add(l, "|");
        if (v & 0xff)
            add_name_or_number(l, v & 0xff, g_signals, COUNT(g_signals));
        break;
    case 'a':
        add_name_or_number(l, v - 0x1000, g_arch_prctl_codes, COUNT(g_arch_prctl_codes));
        break;
    case 'C':
        add_name_or_number(l, v, g_clocks, COUNT(g_clocks));
        break;
    default:
        add(l, "0x%lx", v);
    }
}

void trace_syscall(struct tcb *t, const char *name, long nr, const char *arg_fmt, char ret_fmt,
                   const long args[6], long ret, int done)
{
    struct line l = { .len = 0 };
    add(&l, "[%d] ", t->tid);
    if (name)
        add(&l, "%s(", name);
    else
        add(&l, "syscall_%ld(", nr);
    for (int i = 0; arg_fmt[i] && i < 6; i++) {
        if (i)
            add(&l, ", ");
        add_arg(&l, arg_fmt[i], args, i, ret, done);
    }
    add(&l, ")");
    if (!done) {
        add(&l, " ...\n");
    } else if (ret < 0 && ret > -4096) {
        long e = -ret;
        const char *en = e < COUNT(g_errno_names) ? g_errno_names[e] : 0;
        if (e >= ERESTARTSYS && e <= ERESTART_RESTARTBLOCK)
            add(&l, " = ? %s (interrupted by a signal)\n", g_restart_names[e - ERESTARTSYS]);
        else
            add(&l, " = -1 %s (%ld)\n", en ? en : "E?", e);
    } else if (ret_fmt == 'x') {
        add(&l, " = %p\n", (void *)ret);
    } else {
        add(&l, " = %ld\n", ret);
    }
    if (l.len >= sizeof(l.buf) - 1)
        l.buf[sizeof(l.buf) - 2] = '\n';
    host_write(g_trace_fd, l.buf, l.len);
}

void trace_signal(struct tcb *t, const struct host_siginfo *si)
{
    struct line l = { .len = 0 };
    add(&l, "[%d] --- ", t->tid);
    add_name_or_number(&l, si->si_signo, g_signals, COUNT(g_signals));
    add(&l, " {si_code=%d", si->si_code);
    if (si->si_code <= 0) /* sent by a process: kill, tgkill, sigqueue */
        add(&l, ", si_pid=%d", *(const int *)&si->u);
    else if (si->si_signo == SIGSEGV || si->si_signo == SIGBUS || si->si_signo == SIGFPE ||
             si->si_signo == SIGILL || si->si_signo == SIGTRAP)
        add(&l, ", si_addr=%p", si->u.fault.addr);
    add(&l, "} ---\n");
    host_write(g_trace_fd, l.buf, l.len);
}
