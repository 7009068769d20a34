/* asis run: checks the program, then execs the runtime with a launch plan
 * (common/launch_plan.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>
#include "cli.h"
#include "exit_codes.h"
#include "launch_plan.h"
#include "patch.h"

struct run_options {
    const char *trace_path; /* NULL: no trace; "-": stderr */
    const char *trap;       /* "sud" or "seccomp" */
    int log_level;
    const char *uname_release;
    const char *patch; /* "off", "go" or "all" */
    int stats;
    const char *rdtsc; /* "native" or "emulate" */
    struct view_options view;
};

static int parse_log_level(const char *s)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* The runtime sits next to the front end (build/ or the install directory), unless
 * ASIS_RUNTIME names another. */
static int find_runtime(char *out, size_t size)
{
    const char *env = getenv("ASIS_RUNTIME");
    if (env && *env) {
        snprintf(out, size, "%s", env);
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0) {
            snprintf(out, size, "(the directory of asis: /proc/self/exe unreadable)");
            return -1;
        }
        self[n] = 0;
        char *slash = strrchr(self, '/');
        *slash = 0;
        if ((size_t)snprintf(out, size, "%s/asis-rt", self) >= size)
            return -1;
    }
    return access(out, X_OK);
}

/* Whether the plan has a site that --patch=mode would rewrite. */
static int plan_has_work(const struct plan *p, const char *mode)
{
    for (uint32_t i = 0; i < p->hdr->nsites; i++) {
        uint8_t kind = p->sites[i].kind;
        if (kind == PATCH_SITE_GO || (kind == PATCH_SITE_GENERIC && strcmp(mode, "all") == 0))
            return 1;
    }
    return 0;
}

/* The patch mode to pass and the plan's fd (or -1): without a plan, or with nothing in
 * it to rewrite, the program simply runs with every syscall trapped. */
static const char *prepare_patching(int prog_fd, const struct run_options *opt, int *plan_fd)
{
    *plan_fd = -1;
    if (strcmp(opt->patch, "off") == 0)
        return "off";
    struct plan_result r;
    const char *why = "";
    if (plan_get(prog_fd, &r, &why) != 0) {
        if (opt->log_level >= 2)
            fprintf(stderr, "asis: info: no patch plan (%s); every syscall traps\n", why);
        return "off";
    }
    if (opt->log_level >= 2)
        fprintf(stderr, "asis: info: patch plan %s in %.2f ms, %u sites\n",
                r.cached ? "cached" : "computed", r.ms, r.plan.hdr->nsites);
    if (!plan_has_work(&r.plan, opt->patch)) {
        plan_result_free(&r);
        return "off";
    }
    *plan_fd = r.fd;
    r.fd = -1; /* kept open for the runtime */
    plan_result_free(&r);
    return opt->patch;
}

static int keep_across_exec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

int cmd_run(int argc, char **argv)
{
    static struct run_options opt = { .trap = "sud", .log_level = 1, .patch = "all",
                                      .rdtsc = "native" };
    int i = 0, view_status;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-')
            break;
        if (strcmp(a, "--trace") == 0) {
            opt.trace_path = "-";
        } else if (strncmp(a, "--trace=", 8) == 0 && a[8]) {
            opt.trace_path = a + 8;
        } else if (strcmp(a, "--trap=sud") == 0 || strcmp(a, "--trap=seccomp") == 0) {
            opt.trap = a + 7;
        } else if (strncmp(a, "--log=", 6) == 0 && parse_log_level(a + 6) >= 0) {
            opt.log_level = parse_log_level(a + 6);
        } else if (strncmp(a, "--patch=", 8) == 0) {
            if (strcmp(a + 8, "off") != 0 && strcmp(a + 8, "go") != 0 && strcmp(a + 8, "all") != 0) {
                cli_error("run: --patch: expected off, go or all, not '%s'", a + 8);
                return ASIS_EXIT_USAGE;
            }
            opt.patch = a + 8;
        } else if (strcmp(a, "--stats") == 0) {
            opt.stats = 1;
        } else if (strncmp(a, "--rdtsc=", 8) == 0) {
            if (strcmp(a + 8, "native") != 0 && strcmp(a + 8, "emulate") != 0) {
                cli_error("run: --rdtsc: expected native or emulate, not '%s'", a + 8);
                return ASIS_EXIT_USAGE;
            }
            opt.rdtsc = a + 8;
        } else if (strncmp(a, "--uname-release=", 16) == 0) {
            if (strlen(a + 16) > 64) {
                /* struct utsname's field: 64 bytes and a NUL */
                cli_error("run: --uname-release: at most 64 bytes");
                return ASIS_EXIT_USAGE;
            }
            opt.uname_release = a + 16;
        } else if (view_option_parse(&opt.view, a, &view_status)) {
            if (view_status)
                return view_status;
        } else {
            cli_error("run: unknown or malformed option '%s' (try 'asis --help')", a);
            return ASIS_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("run: no program given (usage: asis run [options] [--] PROGRAM [ARGS...])");
        return ASIS_EXIT_USAGE;
    }

    struct program prog;
    int status = program_open(argv[i], &prog);
    if (status)
        return status;

    char runtime[PATH_MAX];
    if (find_runtime(runtime, sizeof(runtime)) != 0) {
        cli_error("cannot find the asis runtime at %s: %s", runtime, strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }

    int trace_fd = -1;
    if (opt.trace_path) {
        trace_fd = strcmp(opt.trace_path, "-") == 0
                       ? dup(2)
                       : open(opt.trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (trace_fd < 0) {
            cli_error("cannot open the trace file %s: %s", opt.trace_path, strerror(errno));
            return ASIS_EXIT_USAGE;
        }
    }
    int plan_fd, cache_fd = -1;
    const char *patch_mode = prepare_patching(prog.fd, &opt, &plan_fd);
    if (strcmp(opt.patch, "off") != 0) {
        cache_fd = plan_cache_open_dir();
        patch_mode = opt.patch; /* for the programs the app execs, too */
    }
    if (keep_across_exec(prog.fd) < 0 || (trace_fd >= 0 && keep_across_exec(trace_fd) < 0) ||
        (plan_fd >= 0 && keep_across_exec(plan_fd) < 0) ||
        (cache_fd >= 0 && keep_across_exec(cache_fd) < 0)) {
        cli_error("cannot pass descriptors to the runtime: %s", strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }

    struct view_mount *mounts;
    int mount_count;
    status = view_options_finish(&opt.view, &mounts, &mount_count);
    if (status)
        return status;

    /* asis-rt PLAN... -- argv0 args... */
    int app_argc = argc - i;
    char **rt_argv = calloc(app_argc + 15 + 2 * mount_count, sizeof(char *));
    if (!rt_argv) {
        cli_error("out of memory");
        return ASIS_EXIT_INTERNAL;
    }
    int n = 0, failed = 0;
    rt_argv[n++] = "asis-rt";
    failed |= asprintf(&rt_argv[n++], "%s%d", PLAN_OPT_EXE_FD, prog.fd) < 0;
    failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_EXE_PATH, prog.path) < 0;
    if (trace_fd >= 0)
        failed |= asprintf(&rt_argv[n++], "%s%d", PLAN_OPT_TRACE_FD, trace_fd) < 0;
    failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_TRAP, opt.trap) < 0;
    failed |= asprintf(&rt_argv[n++], "%s%d", PLAN_OPT_LOG_LEVEL, opt.log_level) < 0;
    for (int k = 0; k < mount_count; k++) {
        failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_MOUNT, mounts[k].kind_flags_guest) < 0;
        failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_MOUNT_HOST, mounts[k].host) < 0;
    }
    if (opt.view.start_dir)
        failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_CWD, opt.view.start_dir) < 0;
    if (opt.uname_release)
        failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_UNAME_RELEASE, opt.uname_release) < 0;
    failed |= asprintf(&rt_argv[n++], "%s%s", PLAN_OPT_PATCH, patch_mode) < 0;
    if (plan_fd >= 0)
        failed |= asprintf(&rt_argv[n++], "%s%d", PLAN_OPT_PATCH_PLAN_FD, plan_fd) < 0;
    if (cache_fd >= 0)
        failed |= asprintf(&rt_argv[n++], "%s%d", PLAN_OPT_PLAN_CACHE_FD, cache_fd) < 0;
    if (opt.stats)
        rt_argv[n++] = PLAN_OPT_STATS;
    if (strcmp(opt.rdtsc, "emulate") == 0)
        rt_argv[n++] = PLAN_OPT_RDTSC "emulate";
    if (failed) {
        cli_error("out of memory");
        return ASIS_EXIT_INTERNAL;
    }
    rt_argv[n++] = PLAN_END;
    for (int k = 0; k < app_argc; k++)
        rt_argv[n++] = argv[i + k];
    rt_argv[n] = NULL;

    /* Under seccomp, every asis-rt of a process tree must have its gate at the same
     * address: the filter the first one installs is inherited and lets through only
     * that address (docs/trap-mechanisms.md). Without address randomisation, each exec
     * of asis-rt lands at the same place. */
    if (strcmp(opt.trap, "seccomp") == 0) {
        int persona = personality(0xffffffff);
        if (persona == -1 || personality(persona | ADDR_NO_RANDOMIZE) == -1) {
            cli_error("cannot turn off address randomisation for --trap=seccomp: %s",
                      strerror(errno));
            return ASIS_EXIT_INTERNAL;
        }
    }
    status = tmpfs_cleaner_start(opt.view.tmpfs_dirs, opt.view.tmpfs_count);
    if (status)
        return status;
    extern char **environ;
    execve(runtime, rt_argv, environ);
    cli_error("cannot start the asis runtime %s: %s", runtime, strerror(errno));
    return ASIS_EXIT_INTERNAL;
}
