#!/usr/bin/env bash
# asis's own descriptors are invisible to the app (DESIGN invariant 6): a program that
# closes every descriptor it might have, and tries to dup onto the top of its fd space,
# does not disturb asis, whose trace keeps arriving after the closing spree.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
ASIS=${ASIS:-$root/build/asis}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # NAME COMMAND...
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}

cat >"$tmp/closer.c" <<'C'
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
int main(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    int closed = 0;
    for (int fd = 3; fd < 65536; fd++)
        closed += close(fd) == 0;
    /* The top of the app's fd space, as its own limit says. */
    int top = (int)lim.rlim_max - 1;
    int dup_top = dup2(1, top) == top;
    printf("closed %d, dup to the top of the fd space %s\n", closed, dup_top ? "works" : "fails");
    return 0;
}
C
gcc -O2 -static -o "$tmp/closer" "$tmp/closer.c" || { echo "not ok - build"; echo "0 passed, 1 failed"; exit 1; }
"$tmp/closer" >"$tmp/native.out" 2>&1
"$ASIS" run --trace="$tmp/trace.txt" "$tmp/closer" >"$tmp/asis.out" 2>"$tmp/asis.err"
st=$?
check "exit status 0" [ "$st" -eq 0 ]
check "same output as native (no descriptor of asis was open to the app)" cmp -s "$tmp/native.out" "$tmp/asis.out"
check "nothing on stderr" [ ! -s "$tmp/asis.err" ]
check "trace still written after every close" grep -qE '^\[[0-9]+\] exit_group\(0\)' "$tmp/trace.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
