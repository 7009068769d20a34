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

struct run_options {
    const char *trace_path; /* NULL: no trace; "-": stderr */
    const char *trap;       /* "sud" or "seccomp" */
    int log_level;
    const char *uname_release;
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

static int keep_across_exec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

int cmd_run(int argc, char **argv)
{
    static struct run_options opt = { .trap = "sud", .log_level = 1 };
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
    if (keep_across_exec(prog.fd) < 0 || (trace_fd >= 0 && keep_across_exec(trace_fd) < 0)) {
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
    char **rt_argv = calloc(app_argc + 10 + 2 * mount_count, sizeof(char *));
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
