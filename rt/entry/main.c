/* rt_main: reads the launch plan, loads the app, turns interception on, runs the app. */
#include "entry/boot.h"
#include "elf_check.h"
#include "exit_codes.h"
#include "launch_plan.h"
#include "entry/host_signals.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/exec.h"
#include "libos/fd_reserve.h"
#include "lib/fmt.h"
#include "libos/mm.h"
#include "libos/patch.h"
#include "libos/rdtsc.h"
#include "libos/syscall.h"
#include "libos/thread.h"
#include "libos/trace.h"
#include "libos/vma.h"
#include "loader/loader.h"
#include "loader/vdso_map.h"
#include "pal/host.h"
#include "pal/trap_setup.h"
#include "vfs/special.h"
#include "vfs/view.h"

extern const char __ehdr_start[], _end[];

struct plan {
    int exe_fd;
    const char *exe_path;
    int trace_fd;
    const char *start_dir;   /* --cwd, or NULL */
    const char *root;        /* --chroot (the app chrooted, then exec'd), or NULL */
    const char *sigmask;     /* --sigmask (hex,hex,hex), or NULL */
    int patch_plan_fd;       /* --patch-plan-fd, or -1 */
    int app_argc;
    char **app_argv;
};

/* Where asis-rt is (to start programs the app runs) and the app's real path (what
 * /proc/self/exe names for it). */
static void record_paths(int exe_fd)
{
    static char runtime[4096], exe[4096], link[VIEW_FD_LINK_BYTES];
    long n = host_syscall3(__NR_readlink, "/proc/self/exe", runtime, sizeof(runtime) - 1);
    runtime[n > 0 ? n : 0] = 0;
    view_fd_link(link, exe_fd);
    n = host_syscall3(__NR_readlink, link, exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    exec_init(runtime, exe, exe_fd);
}

/* "KIND:FLAGS:GUEST" and the host directory, by path or inherited fd
 * (common/launch_plan.h). */
static void add_planned_mount(const char *spec, const char *host, int host_fd)
{
    enum mount_kind kind;
    if (starts_with(spec, "dir:"))
        kind = MOUNT_HOST_DIR;
    else if (starts_with(spec, "proc:"))
        kind = MOUNT_PROC;
    else if (starts_with(spec, "dev:"))
        kind = MOUNT_DEV;
    else
        fatal("asis-rt: bad mount in the launch plan: '%s'", spec);
    const char *flags = spec;
    while (*flags != ':')
        flags++;
    flags++;
    const char *guest = flags;
    while (*guest && *guest != ':')
        guest++;
    if (!*guest)
        fatal("asis-rt: bad mount in the launch plan: '%s'", spec);
    unsigned f = 0;
    for (const char *c = flags; c < guest;) {
        if (starts_with(c, "ro"))
            f |= MOUNT_READONLY, c += 2;
        else if (starts_with(c, "tmpfs"))
            f |= MOUNT_TMPFS, c += 5;
        else
            fatal("asis-rt: bad mount flags in the launch plan: '%s'", spec);
        if (*c == ',')
            c++;
    }
    if (host)
        view_add_mount(kind, host, guest + 1, f);
    else
        view_add_mount_fd(kind, host_fd, guest + 1, f);
}

static void read_plan(int argc, char **argv, struct plan *p)
{
    p->start_dir = 0;
    p->root = 0;
    p->exe_fd = -1;
    p->exe_path = 0;
    p->trace_fd = -1;
    p->sigmask = 0;
    p->patch_plan_fd = -1;
    int i = 1;
    for (; i < argc && strcmp(argv[i], PLAN_END) != 0; i++) {
        const char *a = argv[i];
        if (starts_with(a, PLAN_OPT_EXE_FD))
            p->exe_fd = (int)parse_decimal(a + strlen(PLAN_OPT_EXE_FD));
        else if (starts_with(a, PLAN_OPT_EXE_PATH)) {
            /* Copied: present_app_identity() reuses the argument area. */
            static char exe_path[4096];
            fmt_snprintf(exe_path, sizeof(exe_path), "%s", a + strlen(PLAN_OPT_EXE_PATH));
            p->exe_path = exe_path;
        }
        else if (starts_with(a, PLAN_OPT_TRACE_FD))
            p->trace_fd = (int)parse_decimal(a + strlen(PLAN_OPT_TRACE_FD));
        else if (strcmp(a, PLAN_OPT_TRAP "seccomp") == 0)
            g_trap_mode = TRAP_SECCOMP;
        else if (strcmp(a, PLAN_OPT_TRAP "seccomp-inherited") == 0)
            g_trap_mode = TRAP_SECCOMP, g_seccomp_inherited = 1;
        else if (strcmp(a, PLAN_OPT_TRAP "sud") == 0)
            g_trap_mode = TRAP_SUD;
        else if (starts_with(a, PLAN_OPT_LOG_LEVEL))
            g_log_level = (int)parse_decimal(a + strlen(PLAN_OPT_LOG_LEVEL));
        else if (starts_with(a, PLAN_OPT_MOUNT) && i + 1 < argc &&
                 starts_with(argv[i + 1], PLAN_OPT_MOUNT_HOST)) {
            add_planned_mount(a + strlen(PLAN_OPT_MOUNT),
                              argv[i + 1] + strlen(PLAN_OPT_MOUNT_HOST), -1);
            i++;
        } else if (starts_with(a, PLAN_OPT_MOUNT) && i + 1 < argc &&
                   starts_with(argv[i + 1], PLAN_OPT_MOUNT_FD)) {
            add_planned_mount(a + strlen(PLAN_OPT_MOUNT), 0,
                              (int)parse_decimal(argv[i + 1] + strlen(PLAN_OPT_MOUNT_FD)));
            i++;
        } else if (starts_with(a, PLAN_OPT_CWD)) {
            static char start_dir[4096]; /* copied, as exe_path */
            fmt_snprintf(start_dir, sizeof(start_dir), "%s", a + strlen(PLAN_OPT_CWD));
            p->start_dir = start_dir;
        } else if (starts_with(a, PLAN_OPT_CHROOT)) {
            static char root[4096]; /* copied, as exe_path */
            fmt_snprintf(root, sizeof(root), "%s", a + strlen(PLAN_OPT_CHROOT));
            p->root = root;
        } else if (starts_with(a, PLAN_OPT_UNAME_RELEASE)) {
            static char release[65]; /* struct utsname's field size */
            fmt_snprintf(release, sizeof(release), "%s", a + strlen(PLAN_OPT_UNAME_RELEASE));
            g_uname_release = release;
        } else if (starts_with(a, PLAN_OPT_SIGMASK)) {
            static char sigmask[64]; /* copied, as exe_path */
            fmt_snprintf(sigmask, sizeof(sigmask), "%s", a + strlen(PLAN_OPT_SIGMASK));
            p->sigmask = sigmask;
        } else if (strcmp(a, PLAN_OPT_PATCH "off") == 0) {
            g_patch_mode = PATCH_OFF;
        } else if (strcmp(a, PLAN_OPT_PATCH "go") == 0) {
            g_patch_mode = PATCH_GO;
        } else if (strcmp(a, PLAN_OPT_PATCH "all") == 0) {
            g_patch_mode = PATCH_ALL;
        } else if (starts_with(a, PLAN_OPT_PATCH_PLAN_FD)) {
            p->patch_plan_fd = (int)parse_decimal(a + strlen(PLAN_OPT_PATCH_PLAN_FD));
        } else if (starts_with(a, PLAN_OPT_PLAN_CACHE_FD)) {
            g_plan_cache_fd = (int)parse_decimal(a + strlen(PLAN_OPT_PLAN_CACHE_FD));
        } else if (strcmp(a, PLAN_OPT_STATS) == 0) {
            patch_stats_enable();
        } else if (strcmp(a, PLAN_OPT_RDTSC "emulate") == 0) {
            g_rdtsc_emulate = 1;
        } else if (strcmp(a, PLAN_OPT_RDTSC "native") == 0) {
            g_rdtsc_emulate = 0;
        } else
            fatal("asis-rt: unknown launch option '%s' (asis-rt is started by asis)", a);
    }
    if (i >= argc - 1 || p->exe_fd < 0 || !p->exe_path)
        fatal("asis-rt is started by 'asis run', not directly");
    p->app_argc = argc - i - 1;
    p->app_argv = argv + i + 1;
}

/* What /proc/PID/cmdline and /proc/PID/comm show, to the app and to ps alike: the app's
 * command line and name, not asis-rt's. The kernel reads cmdline from this process's
 * original argument area, so the app's strings are moved to its start (the rest is
 * zeroed); comm is the program's base name, as exec sets it. */
static void present_app_identity(int argc, char **argv, const struct plan *p)
{
    char *area = argv[0];
    char *area_end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    char *dst = area;
    for (int i = 0; i < p->app_argc; i++) {
        size_t n = strlen(p->app_argv[i]) + 1;
        memmove(dst, p->app_argv[i], n);
        p->app_argv[i] = dst; /* the strings moved: keep the plan pointing at them */
        dst += n;
    }
    memset(dst, 0, area_end - dst);
    /* With CAP_SYS_RESOURCE the area can also be cut to size; otherwise readers see the
     * app's arguments followed by empty ones. */
    host_syscall5(__NR_prctl, PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)dst, 0, 0);

    const char *base = p->exe_path;
    for (const char *c = p->exe_path; *c; c++)
        if (*c == '/')
            base = c + 1;
    char comm[16];
    fmt_snprintf(comm, sizeof(comm), "%s", base);
    host_syscall2(__NR_prctl, PR_SET_NAME, comm);
}

void rt_main(uint64_t *initial_sp)
{
    int argc = (int)initial_sp[0];
    char **argv = (char **)(initial_sp + 1);
    char **envp = argv + argc + 1;
    char **e = envp;
    while (*e)
        e++;
    const uint64_t *host_auxv = (const uint64_t *)(e + 1);

    struct tcb *self = tcb_self();
    self->tid = (int)host_gettid();

    /* asis's descriptors move out of the app's way first. */
    fd_reserve_init();
    int log_fd = fd_move_to_reserved(host_syscall1(__NR_dup, 2));
    if (log_fd >= 0)
        g_log_fd = log_fd;

    struct plan plan;
    read_plan(argc, argv, &plan);
    present_app_identity(argc, argv, &plan);
    rdtsc_calibration_start(); /* the load below is the measurement's span */
    int exe_fd = fd_move_to_reserved(plan.exe_fd);
    if (exe_fd < 0)
        fatal("cannot use the program's file descriptor (%d)", exe_fd);
    record_paths(exe_fd);
    if (g_plan_cache_fd >= 0)
        g_plan_cache_fd = fd_move_to_reserved(g_plan_cache_fd); /* kept for execve */
    if (plan.trace_fd >= 0) {
        g_trace_fd = fd_move_to_reserved(plan.trace_fd);
        if (g_trace_fd < 0)
            fatal("cannot use the trace file descriptor (%d)", g_trace_fd);
    }

    view_finish(plan.start_dir);
    special_init();
    if (plan.root && view_set_root(plan.root) < 0)
        fatal("cannot take the root %s from the launch plan", plan.root);
    fd_reserve_seal();

    vma_note_asis((uintptr_t)__ehdr_start, (uintptr_t)_end - (uintptr_t)__ehdr_start);
    vma_note_asis(self->area_base, THREAD_AREA_BYTES);

    struct loaded_image img;
    int r = elf_load(exe_fd, &img);
    if (r > 0) {
        log_error("%s: %s", plan.exe_path, elf_check_describe((enum elf_check_result)r));
        host_exit_group(elf_check_exit_code((enum elf_check_result)r));
    }
    if (r < 0) {
        /* The headers were sound but the host refused the mappings: the segments do not
         * fit (too large, or overlapping what is already mapped). */
        log_error("%s: cannot map the program's segments (%s)", plan.exe_path,
                  r == -ENOMEM ? "out of memory" : r == -EEXIST ? "address already in use"
                                                                : "refused by the host");
        host_exit_group(ASIS_EXIT_BAD_ELF);
    }
    /* exe_fd stays open (reserved, close-on-exec): execve of /proc/self/exe reopens
     * exactly this file, whatever its path names by then. */
    mm_brk_init(img.end, img.brk_reserved_end);
    patch_class_init();
    if (plan.patch_plan_fd < 0 && g_plan_cache_fd >= 0 && g_patch_mode != PATCH_OFF)
        plan.patch_plan_fd = patch_plan_lookup(g_plan_cache_fd, exe_fd); /* exec'd by the app */
    if (plan.patch_plan_fd >= 0) {
        /* Before the app's first instruction; the plan's fd is not the app's. */
        patch_apply(plan.patch_plan_fd, g_patch_mode, &img);
        host_close(plan.patch_plan_fd);
    }

    struct stack_request req = {
        .argc = plan.app_argc,
        .argv = plan.app_argv,
        .envp = envp,
        .host_auxv = host_auxv,
        .execfn = plan.exe_path,
        .vdso = vdso_map(host_auxv, !g_rdtsc_emulate),
    };
    uintptr_t sp = initial_stack_build(&img, &req);
    if (!sp)
        fatal("cannot map the program's stack");

    signal_state_init(self, plan.sigmask);
    thread_register(self);
    thread_use_asis_signal_stack(self);
    host_signals_install();
    r = trap_enable_process();
    if (r < 0)
        fatal("cannot intercept syscalls with %s (error %d); the host kernel needs %s",
              g_trap_mode == TRAP_SUD ? "Syscall User Dispatch" : "seccomp", -r,
              g_trap_mode == TRAP_SUD ? "Linux 5.11 or newer" : "seccomp filters");
    if (g_rdtsc_emulate && (r = rdtsc_emulation_enable()) < 0)
        fatal("cannot make rdtsc fault for --rdtsc=emulate (prctl PR_SET_TSC: error %d)", -r);
    enter_app(img.entry, sp);
}
