#!/usr/bin/env bash
# An unimplemented syscall returns ENOSYS to the app and is logged once by name
# (DESIGN invariant 8): a program that makes each of two such calls three times gets
# ENOSYS every time and asis prints exactly one line per syscall.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
ASIS=${ASIS:-$root/build/asis}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # NAME CONDITION...
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}

cat >"$tmp/enosys.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void)
{
    for (int i = 0; i < 3; i++) {
        long a = syscall(1000), ea = errno;
        long b = syscall(SYS_acct, (char *)0), eb = errno; /* acct: not served by asis */
        printf("%ld %s %ld %s\n", a, ea == ENOSYS ? "ENOSYS" : "other", b,
               eb == ENOSYS ? "ENOSYS" : "other");
    }
    return 0;
}
C
gcc -O2 -static -o "$tmp/enosys" "$tmp/enosys.c" || { echo "not ok - build"; echo "0 passed, 1 failed"; exit 1; }
"$ASIS" run "$tmp/enosys" >"$tmp/out" 2>"$tmp/err"
st=$?
check "exit status 0" [ "$st" -eq 0 ]
check "every call returned ENOSYS" [ "$(grep -c '^-1 ENOSYS -1 ENOSYS$' "$tmp/out")" -eq 3 ]
check "unknown number logged once" [ "$(grep -c '^asis: unknown syscall number 1000' "$tmp/err")" -eq 1 ]
check "acct logged once by name" [ "$(grep -c '^asis: unsupported syscall acct (163)' "$tmp/err")" -eq 1 ]
check "nothing else on stderr" [ "$(wc -l <"$tmp/err")" -eq 2 ]
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
