#!/usr/bin/env bash
# Programs an app starts run under asis too: the child's syscalls appear in the trace,
# with the child's own pid. A program asis cannot run yet (dynamically linked) fails
# the execve with ENOEXEC and one clear log line, and the parent carries on.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/starter.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc > 1) { /* the child: one unusual syscall the trace can show */
        syscall(SYS_getpgid, 0);
        printf("child %d ran\n", getpid());
        return 0;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "child", (char *)NULL);
        _exit(99);
    }
    int status;
    waitpid(pid, &status, 0);
    char *args[] = { "true", NULL };
    execv("/bin/true", args); /* dynamically linked on Debian */
    printf("execve of a dynamic program: %s\n", strerrorname_np(errno));
    return 0;
}
C
build_static starter
"$ASIS" run --trace="$tmp/trace" "$tmp/starter" >"$tmp/out" 2>"$tmp/err"
st=$?
child=$(sed -n 's/^child \([0-9]*\) ran$/\1/p' "$tmp/out")
check "parent carries on after the failed execve" [ "$st" -eq 0 ]
check "the child ran" [ -n "$child" ]
check "the child's syscalls are in the trace under its pid" has_line "$tmp/trace" "^\[$child\] getpgid\(0\) = "
check "execve of a dynamic program fails with ENOEXEC" has_line "$tmp/out" '^execve of a dynamic program: ENOEXEC$'
check "one clear log line says why" [ "$(grep -c '^asis: cannot start /bin/true: dynamically linked' "$tmp/err")" -eq 1 ]
check "nothing else on stderr" [ "$(wc -l <"$tmp/err")" -eq 1 ]
finish
