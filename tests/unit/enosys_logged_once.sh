#!/usr/bin/env bash
# An unimplemented syscall returns ENOSYS to the app and is logged once by name
# (DESIGN invariant 8): a program that makes each of two such calls three times gets
# ENOSYS every time and asis prints exactly one line per syscall.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

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
build_static enosys
"$ASIS" run "$tmp/enosys" >"$tmp/out" 2>"$tmp/err"
st=$?
check "exit status 0" [ "$st" -eq 0 ]
check "every call returned ENOSYS" [ "$(grep -c '^-1 ENOSYS -1 ENOSYS$' "$tmp/out")" -eq 3 ]
check "unknown number logged once" [ "$(grep -c '^asis: unknown syscall number 1000' "$tmp/err")" -eq 1 ]
check "acct logged once by name" [ "$(grep -c '^asis: unsupported syscall acct (163)' "$tmp/err")" -eq 1 ]
check "nothing else on stderr" [ "$(wc -l <"$tmp/err")" -eq 2 ]
finish
