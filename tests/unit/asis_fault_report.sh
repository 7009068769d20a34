#!/usr/bin/env bash
# A fault inside asis's own code is an asis bug: asis prints one report (the signal, where
# in asis-rt and in which function, the runtime's call chain and the syscall being served)
# and the process dies of that signal, never hangs. No app can make asis fault, so gdb makes one: it stops the
# runtime in sys_uname and sends it to the ud2 after pal_sigreturn's syscall.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/un.c" <<'C'
#include <stdio.h>
#include <sys/utsname.h>
int main(void)
{
    struct utsname u;
    uname(&u);
    printf("uname returned\n");
    return 0;
}
C
build_static un
cat >"$tmp/gdb.cmd" <<'G'
set pagination off
set breakpoint pending on
handle SIGSYS nostop noprint pass
handle SIGILL nostop noprint pass
break sys_uname
run
set var $rip = (long)&pal_sigreturn + 7
continue
G
timeout 120 gdb -q -batch -x "$tmp/gdb.cmd" --args "$ASIS" run "$tmp/un" >"$tmp/out" 2>&1
check "gdb reached sys_uname in asis-rt" has_line "$tmp/out" "^Breakpoint 1, sys_uname"
check "one report names the signal and the place" \
    has_line "$tmp/out" "^asis: internal error: signal 4 \(code [0-9]+\) at asis-rt\+0x[0-9a-f]+.*this is an asis bug"
check "the place is named from asis-rt's symbols" \
    has_line "$tmp/out" "^asis: internal error: signal 4 .* at asis-rt\+0x[0-9a-f]+ \(pal_sigreturn\+0x7\),"
check "the runtime's call chain follows, named" \
    has_line "$tmp/out" "^asis:   called from asis-rt\+0x[0-9a-f]+ \([a-z_]+\+0x[0-9a-f]+\)"
check "and the syscall being served (uname, 63)" \
    has_line "$tmp/out" "^asis:   while serving syscall 63 from app rip 0x[0-9a-f]+"
check "the process died of SIGILL" has_line "$tmp/out" "^Program terminated with signal SIGILL"
check "the app never went on" bash -c "! grep -q 'uname returned' '$tmp/out'"
check "exactly one report" [ "$(grep -c 'internal error' "$tmp/out")" = 1 ]
[ "$failed" -eq 0 ] || sed 's/^/#   /' "$tmp/out"
finish
