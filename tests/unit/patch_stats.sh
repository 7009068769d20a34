#!/usr/bin/env bash
# `asis run --stats` and what it shows about patching, for each installed Go toolchain:
# - a Go program's getppid loop is served by its patched site (path P), and at most 1% of
#   all its syscalls are left to a trap, those being calls that need the host's whole
#   context (rt_sigreturn, clone ...);
# - a program the app execs (here itself) finds its plan in the cache and is patched too;
# - with --patch=off every call traps, which the same counters show (so the checks above
#   can fail);
# - --trace keeps every call visible: nothing takes the direct path P.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"
export XDG_CACHE_HOME=$tmp/cache

mkdir -p "$tmp/src"
cat >"$tmp/src/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

func loop(n int) int {
	ok := 0
	for i := 0; i < n; i++ {
		if syscall.Getppid() > 0 {
			ok++
		}
	}
	return ok
}

func main() {
	if len(os.Args) > 1 {
		fmt.Println("child", loop(777))
		return
	}
	child := exec.Command(os.Args[0], "child")
	child.Stderr = os.Stderr // where asis prints the child's --stats
	out, err := child.Output()
	fmt.Printf("parent %d, %s err %v\n", loop(100000), strings.TrimSpace(string(out)), err)
}
GO
printf 'module stats\n' >"$tmp/src/go.mod"

# row FILE NAME: the counters "patched entry stub-trap trapped" of syscall NAME, one line
# per process that made it.
row() { awk -v n="$2" '$2 == "stats:" && $3 == n { print $4, $5, $6, $7 }' "$1"; }
# trapped_share_ok FILE: the last process's summary says at most 1.0% by a trap.
trapped_share_ok() {
    local pct
    pct=$(grep -E 'syscalls: patched' "$1" | tail -n 1 | sed -E 's/.*; ([0-9.]+)% by a trap/\1/')
    [ -n "$pct" ] && awk -v p="$pct" 'BEGIN { exit !(p <= 1.0) }'
}
# only_context_calls_trap FILE: every row with a stub-trap or trapped count is one of the
# calls that need the whole context.
only_context_calls_trap() {
    ! awk '$2 == "stats:" && $3 != "syscall" && $4 != "syscalls:" && ($6 + $7) > 0 { print $3 }' "$1" |
        grep -vxE 'rt_sigreturn|clone|clone3|fork|vfork|execve|execveat'
}

found=0
for goroot in /usr/lib/go-1.*; do
    [ -x "$goroot/bin/go" ] || continue
    found=1
    v=${goroot##*/go-}
    bin=$tmp/stats-$v
    (cd "$tmp/src" && CGO_ENABLED=0 GOCACHE=$tmp/gocache GOFLAGS=-mod=mod \
        "$goroot/bin/go" build -ldflags='-s -w' -o "$bin" .) || {
        check "go$v: build" false
        continue
    }
    "$ASIS" run --stats "$bin" >"$tmp/out" 2>"$tmp/err"
    check "go$v: runs, child output" has_line "$tmp/out" '^parent 100000, child 777 err <nil>'
    check "go$v: the parent's getppid loop is patched" \
        has_line <(row "$tmp/err" getppid) '^100000 0 0 0$'
    check "go$v: the exec'd child finds its plan and is patched" \
        has_line <(row "$tmp/err" getppid) '^777 0 0 0$'
    check "go$v: at most 1% of the syscalls trap" trapped_share_ok "$tmp/err"
    check "go$v: only context calls trap" only_context_calls_trap "$tmp/err"

    "$ASIS" run --stats --patch=off "$bin" >"$tmp/out" 2>"$tmp/err"
    check "go$v: --patch=off: every getppid traps" has_line <(row "$tmp/err" getppid) '^0 0 0 100000$'
    check "go$v: --patch=off: the child traps too" has_line <(row "$tmp/err" getppid) '^0 0 0 777$'

    "$ASIS" run --stats --trace="$tmp/trace" "$bin" >"$tmp/out" 2>"$tmp/err"
    check "go$v: --trace: getppid through the entry, traced" \
        has_line <(row "$tmp/err" getppid) '^0 100000 0 0$'
    check "go$v: --trace: the trace has them" \
        [ "$(grep -c '^\[[0-9]*\] getppid() = ' "$tmp/trace")" -ge 100000 ]
done
[ "$found" = 1 ] || check "a Go toolchain is installed" false
finish
