/* asis: command line entry. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "exit_codes.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("asis: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: asis run [options] [--] PROGRAM [ARGS...]\n"
            "       asis inspect [--sites] PROGRAM\n"
            "       asis --version | --help\n"
            "\n"
            "Runs an unmodified static x86-64 Linux program (such as a Go binary) inside asis,\n"
            "which serves every syscall it makes.\n"
            "\n"
            "run options:\n"
            "  --trace[=FILE]        print every syscall, strace style, to stderr or FILE\n"
            "  --trap=sud|seccomp    how syscalls are intercepted (default: sud)\n"
            "  --log=LEVEL           asis's own messages: error, warn (default), info, debug\n"
            "  --root=DIR            the host directory the app sees as / (default: /)\n"
            "  --bind=HOST:GUEST[:ro]  also show host directory HOST at GUEST; :ro refuses\n"
            "                        writes (EROFS)\n"
            "  --tmpfs=GUEST         an empty in-memory directory at GUEST, removed at exit\n"
            "  --cwd=GUEST           the start directory (default: the current directory\n"
            "                        when the view shows it, else /)\n"
            "  --uname-release=STR   the kernel release uname reports to the app\n"
            "  --patch=off|go|all    rewrite syscall sites to enter asis without a trap: none,\n"
            "                        Go's runtime and syscall sites, or also those found in\n"
            "                        other code such as static glibc (default: all)\n"
            "  --stats               at exit, print how each syscall number was served\n"
            "  --rdtsc=native|emulate  rdtsc and rdtscp run on the CPU (default), or fault\n"
            "                        and asis answers them at the host TSC's rate, as an\n"
            "                        enclave runtime must\n"
            "The app sees asis's /proc and /dev in any case; paths outside the view do not\n"
            "exist for it. PROGRAM itself is a path on the host.\n"
            "\n"
            "inspect prints what asis sees in PROGRAM: its ELF layout, Go version, and each\n"
            "syscall site with whether it is patched or trapped and why (--sites: only\n"
            "'ADDRESS FUNCTION+OFFSET patch|trap' lines). Patch plans are cached in\n"
            "$XDG_CACHE_HOME/asis/plans (default ~/.cache/asis/plans); ASIS_PLAN_CACHE=off\n"
            "neither reads nor writes them.\n"
            "\n"
            "exit status: the program's own, or when asis cannot run it:\n"
            "  120 internal failure   121 not an ELF file      122 corrupt or unloadable ELF\n"
            "  123 wrong architecture 124 not supported yet     125 usage error\n"
            "  126 not executable     127 no such file\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("no command given (usage: asis run [options] [--] PROGRAM [ARGS...]; "
                  "asis --help for more)");
        return ASIS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "inspect") == 0)
        return cmd_inspect(argc - 2, argv + 2);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("asis %s\n", ASIS_VERSION);
        return 0;
    }
    cli_error("unknown command '%s' (try 'asis --help')", cmd);
    return ASIS_EXIT_USAGE;
}
