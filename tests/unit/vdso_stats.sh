#!/usr/bin/env bash
# Clock reads go through asis's vDSO, not through syscalls: with `asis run --stats`, a Go
# program (each installed toolchain) making 200,000 time.Now calls and 1,000
# syscall.Gettimeofday calls, and a static glibc program making 200,000 clock_gettime,
# gettimeofday and time calls, show (almost) no clock syscall at all, with the CPU's rdtsc
# and with --rdtsc=emulate (where the vDSO's calls go straight to the host through the
# gate, docs/vdso-design.md 2). Before asis had a vDSO each of these calls was a syscall,
# which the same counters show.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"
export XDG_CACHE_HOME=$tmp/cache

mkdir -p "$tmp/src"
cat >"$tmp/src/main.go" <<'GO'
package main

import (
	"fmt"
	"syscall"
	"time"
)

func main() {
	start := time.Now()
	prev := start
	ordered := true
	for i := 0; i < 200000; i++ {
		now := time.Now()
		if now.Before(prev) {
			ordered = false
		}
		prev = now
	}
	var tv syscall.Timeval
	for i := 0; i < 1000; i++ {
		if err := syscall.Gettimeofday(&tv); err != nil {
			ordered = false
		}
	}
	fmt.Println("ordered", ordered, "wall close", tv.Sec-time.Now().Unix() < 2)
}
GO
printf 'module vdsostats\n' >"$tmp/src/go.mod"

cat >"$tmp/clocks.c" <<'C'
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
int main(void)
{
    struct timespec ts;
    struct timeval tv;
    long sum = 0;
    for (int i = 0; i < 200000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        gettimeofday(&tv, NULL);
        sum += time(NULL) > 0;
    }
    printf("clocks read %ld\n", sum);
    return 0;
}
C
build_static clocks

# calls FILE NAME: how many NAME syscalls asis saw, over every path.
calls() { awk -v n="$2" '$2 == "stats:" && $3 == n { s += $4 + $5 + $6 + $7 } END { print s + 0 }' "$1"; }
few() { [ "$1" -lt 100 ]; }

for mode in native emulate; do
    "$ASIS" run --stats --rdtsc=$mode "$tmp/clocks" >"$tmp/out" 2>"$tmp/err"
    check "C, rdtsc $mode: runs" has_line "$tmp/out" '^clocks read 200000$'
    for c in clock_gettime gettimeofday time; do
        n=$(calls "$tmp/err" $c)
        check "C, rdtsc $mode: 200000 $c calls, $n syscalls" few "$n"
    done
done

found=0
for goroot in /usr/lib/go-1.*; do
    [ -x "$goroot/bin/go" ] || continue
    found=1
    v=${goroot##*/go-}
    bin=$tmp/clock-$v
    (cd "$tmp/src" && CGO_ENABLED=0 GOCACHE=$tmp/gocache GOFLAGS=-mod=mod \
        "$goroot/bin/go" build -o "$bin" .) || {
        check "go$v: build" false
        continue
    }
    for mode in native emulate; do
        "$ASIS" run --stats --rdtsc=$mode "$bin" >"$tmp/out" 2>"$tmp/err"
        check "go$v, rdtsc $mode: runs" has_line "$tmp/out" '^ordered true wall close true$'
        n=$(calls "$tmp/err" clock_gettime)
        check "go$v, rdtsc $mode: 200000 time.Now, $n clock_gettime syscalls" few "$n"
        n=$(calls "$tmp/err" gettimeofday)
        check "go$v, rdtsc $mode: 1000 Gettimeofday, $n gettimeofday syscalls" few "$n"
    done
done
[ "$found" = 1 ] || check "a Go toolchain is installed" false
finish
