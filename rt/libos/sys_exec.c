/* execve (see exec.h). The app's path, argv and envp are copied into a scratch mapping
 * (they may be megabytes), the program is checked, #! lines are followed, and the host
 * execs asis-rt with a launch plan (common/launch_plan.h) for the program. */
#include "libos/exec.h"
#include "libos/patch.h"
#include "libos/rdtsc.h"
#include "elf_check.h"
#include "launch_plan.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/syscall.h"
#include "libos/trace.h"
#include "pal/host.h"
#include "pal/trap_setup.h"
#include "vfs/lookup.h"

#define PATH_MAX_LINUX 4096
#define SCRIPT_DEPTH_MAX 4          /* as Linux's binfmt_script recursion limit */
#define ARGS_MAX_BYTES (2UL << 20)  /* argv + envp strings, as the default ARG_MAX */
#define SCRATCH_BYTES ((1UL << 20) + ARGS_MAX_BYTES + 8192)
/* runtime options before the app's argv: 8, the mounts (2 each), --uname-release,
 * --sigmask, --patch, --plan-cache-fd, --stats, --rdtsc */
#define PLAN_ARGS (14 + 2 * VIEW_MOUNTS_MAX)

static char g_runtime_path[PATH_MAX_LINUX];
static char g_exe_real_path[PATH_MAX_LINUX];

static int g_exe_fd = -1; /* the app's program, open in the reserved range */

void exec_init(const char *runtime_path, const char *exe_real_path, int exe_fd)
{
    g_exe_fd = exe_fd;
    fmt_snprintf(g_runtime_path, sizeof(g_runtime_path), "%s", runtime_path);
    fmt_snprintf(g_exe_real_path, sizeof(g_exe_real_path), "%s", exe_real_path);
}

const char *exec_app_real_path(void)
{
    return g_exe_real_path;
}

const char *exec_runtime_path(void)
{
    return g_runtime_path;
}

void exec_release_scratch(struct tcb *t)
{
    if (t->exec_scratch) {
        host_munmap((void *)t->exec_scratch, SCRATCH_BYTES);
        t->exec_scratch = 0;
    }
}

/* The scratch mapping: pointer arrays grow up from the start, strings from STRINGS_AT. */
#define STRINGS_AT (1UL << 20)

struct scratch {
    char *next, *end;         /* pointers and small buffers */
    char *str_next, *str_end; /* strings */
};

static void *scratch_alloc(struct scratch *s, size_t n)
{
    n = (n + 7) & ~7UL;
    if ((size_t)(s->end - s->next) < n)
        return 0;
    void *p = s->next;
    s->next += n;
    return p;
}

static char *scratch_strdup(struct scratch *s, const char *str)
{
    size_t n = strlen(str) + 1;
    if ((size_t)(s->str_end - s->str_next) < n)
        return 0;
    char *p = s->str_next;
    memcpy(p, str, n);
    s->str_next += n;
    return p;
}

/* Copies an app string vector (argv or envp) into the scratch; a NULL vector is empty, as
 * Linux accepts it. Returns the count or -errno; *out is NULL-terminated. */
static long copy_vector(struct scratch *s, char *const *app_vec, char ***out)
{
    char **vec = (char **)s->next;
    long n = 0;
    for (;; n++) {
        if ((char *)&vec[n + 1] > s->end)
            return -E2BIG;
        char *app_str = 0;
        if (app_vec && copy_from_app(&app_str, &app_vec[n], sizeof(app_str)) < 0)
            return -EFAULT;
        vec[n] = 0;
        if (!app_str)
            break;
        long len = copy_str_from_app(s->str_next, app_str, s->str_end - s->str_next);
        if (len == -EFAULT)
            return -EFAULT;
        if (len < 0)
            return -E2BIG; /* no room left for this string: over ARG_MAX */
        vec[n] = s->str_next;
        s->str_next += len + 1;
    }
    s->next = (char *)&vec[n + 1];
    *out = vec;
    return n;
}

/* Parses "#!interp [arg]" in the first line of a script (head holds len bytes and room
 * for one more). Linux reads at most 256 bytes of it. 0, or -ENOEXEC. */
static int parse_shebang(char *head, long len, char **interp, char **arg)
{
    long end = 2;
    while (end < len && end < 255 && head[end] != '\n')
        end++;
    head[end] = 0;
    char *p = head + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -ENOEXEC;
    *interp = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    *arg = 0;
    if (*p) {
        *p++ = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p) {
            /* The rest of the line is one argument, trailing blanks cut. */
            *arg = p;
            char *q = p + strlen(p);
            while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
                *--q = 0;
        }
    }
    return 0;
}

/* Opens path (resolved in the app's view) for execution as Linux would judge it. The
 * fd is close-on-exec until the exec that needs it, so that a fork+exec in another
 * thread does not inherit it. (It takes a slot of the app's fd range for that moment:
 * the reserved range is only writable while asis starts, see fd_reserve.c.) */
static long open_checked_executable(long obj)
{
    /* Checked and opened through the object's /proc link: exactly what was looked up. */
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, obj);
    long r;
    r = host_syscall4(__NR_faccessat, AT_FDCWD, link, 1 /* X_OK */, 0);
    /* Non-blocking: a FIFO must not hang the open (Linux refuses it with EACCES). */
    long fd = r < 0 ? r : host_syscall4(__NR_openat, AT_FDCWD, link,
                                        O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
    host_close((int)obj);
    if (fd < 0)
        return fd;
    struct host_stat st;
    if (host_syscall2(__NR_fstat, fd, &st) < 0 || (st.st_mode & HOST_S_IFMT) != HOST_S_IFREG) {
        host_close((int)fd);
        return -EACCES;
    }
    return fd;
}

static long open_executable(const char *path)
{
    struct lookup l;
    long r = vfs_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &l);
    if (r < 0)
        return r;
    long obj = vfs_open_object(&l);
    return obj < 0 ? obj : open_checked_executable(obj);
}

/* The app's own program, through the fd asis keeps of it: the file itself, wherever
 * its path leads now. */
static long open_own_executable(void)
{
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, g_exe_fd);
    long obj = host_syscall4(__NR_openat, AT_FDCWD, link, O_PATH | O_CLOEXEC, 0);
    return obj < 0 ? obj : open_checked_executable(obj);
}

static long do_execve(struct scratch *s, const char *app_path, char *const *app_argv,
                      char *const *app_envp)
{
    char *path = s->str_next;
    long n = copy_str_from_app(path, app_path, PATH_MAX_LINUX);
    if (n < 0)
        return n == -EFAULT ? -EFAULT : -ENAMETOOLONG;
    if (n == 0)
        return -ENOENT;
    s->str_next += n + 1;
    /* The app's own program is known by its host path (it need not be in the view). */
    int own_exe = path_names_own_exe(path);
    if (own_exe && !(path = scratch_strdup(s, exec_app_real_path())))
        return -E2BIG;

    /* Room in front of argv for the launch plan and for interpreters of scripts. */
    if (!scratch_alloc(s, (PLAN_ARGS + 2 * SCRIPT_DEPTH_MAX + 2) * sizeof(char *)))
        return -E2BIG;
    char **argv, **envp;
    long argc = copy_vector(s, app_argv, &argv);
    if (argc < 0)
        return argc;
    if (argc == 0) {
        /* Linux (5.18 and newer) gives a program started with no argv one empty one. */
        static char empty[] = "";
        if (!scratch_alloc(s, sizeof(char *)))
            return -E2BIG;
        argv[0] = empty;
        argv[1] = 0;
        argc = 1;
    }
    long envc = copy_vector(s, app_envp, &envp);
    if (envc < 0)
        return envc;
    uint8_t *head = scratch_alloc(s, ELF_CHECK_HEAD_BYTES);
    if (!head)
        return -E2BIG;

    /* The argv of what will run: each script level puts its interpreter in front. */
    char **args = argv;
    const char *exe = path;
    long fd;
    for (int depth = 0;; depth++) {
        fd = depth == 0 && own_exe ? open_own_executable() : open_executable(exe);
        if (fd < 0)
            return fd;
        long got = host_syscall4(__NR_pread64, fd, head, ELF_CHECK_HEAD_BYTES - 1, 0);
        if (got < 0) {
            host_close((int)fd);
            return got;
        }
        if (got >= 2 && head[0] == '#' && head[1] == '!') {
            host_close((int)fd);
            if (depth >= SCRIPT_DEPTH_MAX)
                return -ELOOP;
            char *interp, *arg;
            if (parse_shebang((char *)head, got, &interp, &arg) < 0)
                return -ENOEXEC;
            char *interp_copy = scratch_strdup(s, interp);
            char *arg_copy = arg ? scratch_strdup(s, arg) : 0;
            if (!interp_copy || (arg && !arg_copy))
                return -E2BIG;
            /* interp [arg] script args[1..]: the script's path replaces args[0]. */
            if (args[0])
                args++;
            *--args = (char *)exe;
            if (arg_copy)
                *--args = arg_copy;
            *--args = interp_copy;
            exe = interp_copy;
            continue;
        }
        uint64_t size = (uint64_t)host_syscall3(__NR_lseek, fd, 0, 2 /* SEEK_END */);
        struct elf_check_info info;
        enum elf_check_result check = elf_check(head, (size_t)got, size, &info);
        if (check != ELF_OK) {
            host_close((int)fd);
            /* Not a program at all is plain ENOEXEC, as on Linux (a shell then runs it as
             * a script); a program asis cannot run yet deserves a word. */
            if (check == ELF_ERR_DYNAMIC || check == ELF_ERR_TYPE)
                log_warn("cannot start %s: %s", exe, elf_check_describe(check));
            return -ENOEXEC;
        }
        break;
    }

    /* asis-rt OPTIONS -- args..., built in front of args. */
    char opt_fd[32], opt_log[32], opt_trace[32];
    fmt_snprintf(opt_fd, sizeof(opt_fd), "%s%ld", PLAN_OPT_EXE_FD, fd);
    fmt_snprintf(opt_log, sizeof(opt_log), "%s%d", PLAN_OPT_LOG_LEVEL, g_log_level);
    fmt_snprintf(opt_trace, sizeof(opt_trace), "%s%d", PLAN_OPT_TRACE_FD, g_trace_fd);
    char *opt_path = s->str_next;
    if ((size_t)(s->str_end - s->str_next) < strlen(PLAN_OPT_EXE_PATH) + strlen(path) + 1) {
        host_close((int)fd);
        return -E2BIG;
    }
    s->str_next += fmt_snprintf(opt_path, s->str_end - s->str_next, "%s%s", PLAN_OPT_EXE_PATH,
                                path) + 1;
    *--args = PLAN_END;
    /* The same view: its mounts, and the working directory is the host's (which
     * follows the app's). */
    char *view_opts = s->str_next;
    long nopts = view_plan_options(view_opts, (size_t)(s->str_end - s->str_next), 1);
    if (nopts < 0) {
        host_close((int)fd);
        return -E2BIG;
    }
    args -= nopts; /* in front of "--", in their order */
    char *opt = view_opts;
    for (long k = 0; k < nopts; k++) {
        args[k] = opt;
        opt += strlen(opt) + 1;
    }
    s->str_next = opt;
    char opt_release[80];
    if (g_uname_release) {
        fmt_snprintf(opt_release, sizeof(opt_release), "%s%s", PLAN_OPT_UNAME_RELEASE,
                     g_uname_release);
        *--args = opt_release;
    }
    if (g_trace_fd >= 0)
        *--args = opt_trace;
    char opt_sigmask[72];
    signal_exec_option(tcb_self(), opt_sigmask, sizeof(opt_sigmask));
    *--args = opt_sigmask;
    *--args = opt_log;
    /* Patching as asked for the first program, from the plan cache (patch_lookup.c). */
    char opt_cache[40];
    static const char *const patch_opts[] = { PLAN_OPT_PATCH "off", PLAN_OPT_PATCH "go",
                                              PLAN_OPT_PATCH "all" };
    *--args = (char *)patch_opts[g_patch_mode];
    if (g_plan_cache_fd >= 0) {
        fmt_snprintf(opt_cache, sizeof(opt_cache), "%s%d", PLAN_OPT_PLAN_CACHE_FD, g_plan_cache_fd);
        *--args = opt_cache;
    }
    if (g_patch_stats)
        *--args = PLAN_OPT_STATS;
    if (g_rdtsc_emulate)
        *--args = PLAN_OPT_RDTSC "emulate";
    *--args = g_trap_mode == TRAP_SECCOMP ? PLAN_OPT_TRAP "seccomp-inherited" : PLAN_OPT_TRAP "sud";
    *--args = opt_path;
    *--args = opt_fd;
    *--args = g_runtime_path;

    /* The trace file stays open in the new runtime; no other descriptor of asis's does. */
    if (g_trace_fd >= 0)
        host_syscall3(__NR_fcntl, g_trace_fd, F_SETFD, 0);
    host_syscall3(__NR_fcntl, fd, F_SETFD, 0);
    view_mount_fds_inheritable(1);
    if (g_plan_cache_fd >= 0)
        host_syscall3(__NR_fcntl, g_plan_cache_fd, F_SETFD, 0);
    long r = host_syscall3(__NR_execve, g_runtime_path, args, envp);
    if (g_plan_cache_fd >= 0)
        host_syscall3(__NR_fcntl, g_plan_cache_fd, F_SETFD, FD_CLOEXEC);
    view_mount_fds_inheritable(0);
    if (g_trace_fd >= 0)
        host_syscall3(__NR_fcntl, g_trace_fd, F_SETFD, FD_CLOEXEC);
    host_close((int)fd);
    return r;
}

long sys_execve(const char *app_path, char *const *app_argv, char *const *app_envp)
{
    struct tcb *t = tcb_self();
    void *map = host_mmap(0, SCRATCH_BYTES, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host_is_error((long)map))
        return -ENOMEM;
    t->exec_scratch = (uintptr_t)map;
    struct scratch s = { map, (char *)map + STRINGS_AT, (char *)map + STRINGS_AT,
                         (char *)map + SCRATCH_BYTES };
    long r = do_execve(&s, app_path, app_argv, app_envp);
    exec_release_scratch(t);
    return r;
}

long sys_execveat(int dirfd, const char *app_path, char *const *app_argv,
                  char *const *app_envp, int flags)
{
    char first;
    if (copy_from_app(&first, app_path, 1) < 0)
        return -EFAULT;
    if ((first == '/' || dirfd == AT_FDCWD) && flags == 0)
        return sys_execve(app_path, app_argv, app_envp);
    /* Relative to a directory fd, or with flags (AT_EMPTY_PATH, ...): not yet. */
    static int logged;
    if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
        log_warn("execveat relative to a directory fd or with flags is not supported yet; "
                 "returning ENOSYS");
    return -ENOSYS;
}
