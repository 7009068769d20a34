#!/usr/bin/env bash
# asis's own descriptors are invisible to the app (DESIGN invariant 6): a program that
# closes every descriptor it might have (one by one, then with close_range to ~0), and
# tries to dup onto the top of its fd space,
# does not disturb asis, whose trace keeps arriving after the closing spree.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/closer.c" <<'C'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    int closed = 0;
    for (int fd = 3; fd < 65536; fd++)
        closed += close(fd) == 0;
    long range = syscall(SYS_close_range, 3, ~0U, 0);
    /* The top of the app's fd space, as its own limit says. */
    int top = (int)lim.rlim_max - 1;
    int dup_top = dup2(1, top) == top;
    printf("closed %d, close_range to ~0 %ld, dup to the top of the fd space %s\n", closed,
           range, dup_top ? "works" : "fails");
    return 0;
}
C
build_static closer
"$tmp/closer" >"$tmp/native.out" 2>&1
"$ASIS" run --trace="$tmp/trace.txt" "$tmp/closer" >"$tmp/asis.out" 2>"$tmp/asis.err"
st=$?
check "exit status 0" [ "$st" -eq 0 ]
check "same output as native (no descriptor of asis was open to the app)" cmp -s "$tmp/native.out" "$tmp/asis.out"
check "nothing on stderr" [ ! -s "$tmp/asis.err" ]
check "trace still written after every close" grep -qE '^\[[0-9]+\] exit_group\(0\)' "$tmp/trace.txt"
finish
