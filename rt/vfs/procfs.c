/* asis's /proc (see procfs.h): which names of this process's directories asis answers. */
#include "vfs/procfs.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/exec.h"
#include "libos/fd_reserve.h"
#include "pal/host.h"
#include "vfs/generated_fd.h"
#include "vfs/proc_files.h"

static const struct proc_file g_files[] = {
    { "cmdline", 0444, proc_cmdline },
    { "environ", 0400, proc_environ },
    { "auxv", 0400, proc_auxv },
    { "maps", 0444, proc_maps },
    { "mountinfo", 0444, proc_mountinfo },
    { "mounts", 0444, proc_mounts },
    { "limits", 0444, proc_limits },
};

static const struct proc_file *file_named(const char *name)
{
    for (size_t i = 0; i < sizeof(g_files) / sizeof(g_files[0]); i++)
        if (strcmp(name, g_files[i].name) == 0)
            return &g_files[i];
    return 0;
}

static size_t component_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != '/')
        n++;
    return n;
}

static int component_is(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(s, name, len) == 0;
}

/* A pid, tid or fd as /proc spells it: decimal, no sign, no leading zero. -1 if not. */
static long parse_id(const char *s, size_t len)
{
    if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= 0x7fffffff ? v : -1;
}

/* Is tid a thread of this process? The host's /proc/self/task says. */
static int is_own_thread(const struct mount *m, long tid)
{
    if (tid == host_gettid())
        return 1;
    char path[40];
    fmt_snprintf(path, sizeof(path), "self/task/%ld", tid);
    return host_syscall4(__NR_faccessat, m->host_fd, path, 0 /* F_OK */, 0) == 0;
}

/* A process or thread directory and what rel names below it. */
struct pid_dir {
    long pid, tid;     /* tid: -1 unless rel goes through task/TID */
    const char *entry; /* below the directory: "" for the directory itself */
};

/* Splits rel as PID/entry or PID/task/TID/entry (also self/, thread-self/, which
 * lookup follows as host symlinks but are answered anyway). 0 if it is neither. */
static int split_pid_dir(const char *rel, struct pid_dir *d)
{
    size_t len = component_len(rel);
    d->tid = -1;
    if (component_is(rel, len, "self"))
        d->pid = host_getpid();
    else if (component_is(rel, len, "thread-self"))
        d->pid = host_getpid(), d->tid = host_gettid();
    else if ((d->pid = parse_id(rel, len)) < 0)
        return 0;
    d->entry = rel[len] ? rel + len + 1 : "";
    if (d->tid >= 0)
        return 1;
    len = component_len(d->entry);
    if (!component_is(d->entry, len, "task") || !d->entry[len])
        return 1;
    const char *tid_name = d->entry + len + 1;
    len = component_len(tid_name);
    if ((d->tid = parse_id(tid_name, len)) < 0)
        return 0;
    d->entry = tid_name[len] ? tid_name + len + 1 : "";
    return 1;
}

/* Is it a directory of this process: PID this process or one of its threads (whose
 * /proc/TID Linux also answers), TID one of its threads? */
static int is_own(const struct mount *m, const struct pid_dir *d)
{
    if (d->pid != host_getpid() && !is_own_thread(m, d->pid))
        return 0;
    return d->tid < 0 || is_own_thread(m, d->tid);
}

/* Another process the app may see: one running asis-rt (the app's parent or children
 * under asis, in the same view). Others are outside the view: as if absent. */
static int is_asis_process(long pid)
{
    char link[40], exe[VIEW_PATH_MAX];
    fmt_snprintf(link, sizeof(link), "/proc/%ld/exe", pid);
    long n = host_syscall3(__NR_readlink, link, exe, sizeof(exe) - 1);
    if (n <= 0)
        return 0;
    exe[n] = 0;
    return strcmp(exe, exec_runtime_path()) == 0;
}

/* A child of this process runs under asis too, even once it has exited and its exe
 * link is gone: waitid without waiting and without reaping says whether it is one. */
static int is_child(long pid)
{
    unsigned char info[128]; /* siginfo_t */
    return host_syscall5(__NR_waitid, 1 /* P_PID */, pid, info,
                         4 /* WEXITED */ | 1 /* WNOHANG */ | 0x01000000 /* WNOWAIT */, 0) == 0;
}

static const char *own_entry(const struct mount *m, const char *rel)
{
    struct pid_dir d;
    return split_pid_dir(rel, &d) && is_own(m, &d) ? d.entry : 0;
}

/* fd/N or fdinfo/N with N in asis's range. Hidden in every process's directories: the
 * app's parent and children run under asis too, with their descriptors there. */
static int names_reserved_fd(const char *e)
{
    size_t len = component_len(e);
    if (!e[len] || !(component_is(e, len, "fd") || component_is(e, len, "fdinfo")))
        return 0;
    long fd = parse_id(e + len + 1, component_len(e + len + 1));
    return fd >= 0 && fd_is_reserved((int)fd);
}

static void set_target(struct special_node *n, enum special_kind kind, const char *target)
{
    size_t len = strlen(target);
    if (len >= sizeof(n->target))
        len = sizeof(n->target) - 1;
    n->kind = kind;
    memcpy(n->target, target, len);
    n->target[len] = 0;
}

/* fd/N: one of the app's open fds, named as the host names it when the view does not. */
static void classify_fd_link(const char *name, struct special_node *n)
{
    size_t len = component_len(name);
    long fd = parse_id(name, len);
    if (fd < 0) {
        n->kind = SPECIAL_HOST; /* not a number: ENOENT from the host */
        return;
    }
    if (host_syscall2(__NR_fcntl, fd, F_GETFD) < 0) {
        n->kind = SPECIAL_MISSING;
        return;
    }
    if (name[len]) {
        n->kind = SPECIAL_HOST; /* below it: lookup has followed the link already */
        return;
    }
    n->fd = (int)fd;
    n->kind = SPECIAL_FD_LINK;
    if (view_guest_of_fd((int)fd, n->target, sizeof(n->target)) >= 0) {
        view_to_app_path(n->target); /* as seen from the app's root (chroot) */
        return;
    }
    char link[VIEW_FD_LINK_BYTES];
    view_fd_link(link, fd);
    long r = host_syscall3(__NR_readlink, link, n->target, sizeof(n->target) - 1);
    if (r < 0) {
        n->kind = SPECIAL_MISSING; /* closed meanwhile */
        return;
    }
    n->target[r] = 0;
    char generated[VIEW_PATH_MAX];
    if (generated_fd_name((int)fd, n->target, generated, sizeof(generated)))
        set_target(n, SPECIAL_FD_LINK, generated);
}

void procfs_classify(const struct mount *m, const char *rel, struct special_node *n)
{
    n->kind = SPECIAL_HOST;
    n->fd = -1;
    n->target[0] = 0;
    struct pid_dir d;
    if (!split_pid_dir(rel, &d))
        return;
    if (names_reserved_fd(d.entry)) {
        n->kind = SPECIAL_MISSING;
        return;
    }
    if (!is_own(m, &d)) {
        if (d.pid != host_getpid() && !is_own_thread(m, d.pid) && !is_child(d.pid) &&
            !is_asis_process(d.pid))
            n->kind = SPECIAL_MISSING;
        return;
    }
    const char *e = d.entry;
    size_t len = component_len(e);
    if (component_is(e, len, "fd") && e[len]) {
        classify_fd_link(e + len + 1, n);
        return;
    }
    if (e[len])
        return;
    if (component_is(e, len, "exe")) {
        char guest[VIEW_PATH_MAX];
        const char *host = exec_app_real_path();
        int named = view_guest_of_host(host, guest, sizeof(guest)) >= 0;
        if (named)
            view_to_app_path(guest);
        set_target(n, SPECIAL_SYMLINK, named ? guest : host);
    } else if (component_is(e, len, "cwd")) {
        n->kind = SPECIAL_SYMLINK;
        /* Linux marks a removed working directory so. */
        long cwd_state = view_cwd(n->target);
        view_to_app_path(n->target);
        if (cwd_state == -ENOENT) {
            size_t len_now = strlen(n->target);
            if (len_now + sizeof(" (deleted)") <= sizeof(n->target))
                memcpy(n->target + len_now, " (deleted)", sizeof(" (deleted)"));
        }
    } else if (component_is(e, len, "root")) {
        set_target(n, SPECIAL_SYMLINK, "/");
    } else if (file_named(e)) {
        n->kind = SPECIAL_FILE;
    }
}

const struct proc_file *procfs_file_of(const struct mount *m, const char *rel)
{
    const char *e = own_entry(m, rel);
    return e ? file_named(e) : 0;
}

int procfs_is_fd_dir(const struct mount *m, const char *rel)
{
    struct pid_dir d;
    return split_pid_dir(rel, &d) && (strcmp(d.entry, "fd") == 0 || strcmp(d.entry, "fdinfo") == 0);
}

long procfs_open_check(const struct mount *m, const char *rel, int flags)
{
    int writes = !(flags & O_PATH) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC));
    if (!writes || own_entry(m, rel))
        return 0;
    return -EACCES;
}
