#!/usr/bin/env bash
# asis run --trace prints each syscall with decoded arguments and result, strace style,
# to stderr or to a file, without changing what the program itself prints.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/traced.c" <<'C'
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void)
{
    write(1, "hi\n", 3);
    open("/nonexistent-asis-trace-test", O_RDONLY | O_CLOEXEC);
    mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    close(-1);
    return 7;
}
C
build_static traced

"$ASIS" run --trace="$tmp/trace.txt" "$tmp/traced" >"$tmp/out" 2>"$tmp/err"
st=$?
check "exit status passes through" [ "$st" -eq 7 ]
check "stdout unchanged" [ "$(cat "$tmp/out")" = hi ]
check "trace to a file leaves stderr alone" [ ! -s "$tmp/err" ]
check "write decoded" has_line "$tmp/trace.txt" '^\[[0-9]+\] write\(1, "hi\\n", 3\) = 3$'
check "open decoded with errno name" has_line "$tmp/trace.txt" \
    '^\[[0-9]+\] openat\(AT_FDCWD, "/nonexistent-asis-trace-test", O_RDONLY\|O_CLOEXEC, 00\) = -1 ENOENT \(2\)$'
check "mmap flags and result" has_line "$tmp/trace.txt" \
    '^\[[0-9]+\] mmap\(NULL, 8192, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0x0\) = 0x[0-9a-f]+$'
check "bad fd" has_line "$tmp/trace.txt" '^\[[0-9]+\] close\(-1\) = -1 EBADF \(9\)$'
check "exit_group shown before it runs" has_line "$tmp/trace.txt" '^\[[0-9]+\] exit_group\(7\) \.\.\.$'

"$ASIS" run --trace "$tmp/traced" >"$tmp/out2" 2>"$tmp/err2"
check "--trace alone writes to stderr" has_line "$tmp/err2" '^\[[0-9]+\] write\(1, "hi\\n", 3\) = 3$'
check "stdout still unchanged" [ "$(cat "$tmp/out2")" = hi ]

"$ASIS" run --trace=/nonexistent-dir/trace.txt "$tmp/traced" >/dev/null 2>"$tmp/err3"
st=$?
check "unwritable trace file is a usage error" [ "$st" -eq 125 ]
check "with one clear message" [ "$(wc -l <"$tmp/err3")" -eq 1 ] && has_line "$tmp/err3" '^asis: cannot open the trace file'

finish
