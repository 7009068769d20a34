#!/usr/bin/env bash
# The syscall sites `asis inspect --sites` finds (docs/patching-design.md 9), against an
# independent reference: every `syscall` instruction objdump finds, named by nm.
# - For each installed Go toolchain, a program using net/http (client and server on
#   loopback), os/exec and os/signal, built with CGO_ENABLED=0, stripped and not: the
#   reference comes from the unstripped build (nm's names without the linker's .abi0
#   suffix, as the pclntab spells them); both builds must list exactly it, and every
#   site but syscall.rawVforkSyscall (pop %r12: not idempotent) must be patched.
# - A static glibc program: every syscall objdump finds inside a function with a symbol
#   and a size must be listed (patched or trapped), and some must be patched. Stripped
#   (function bounds from .eh_frame FDEs), it must list the same sites, patch most of
#   them, none the unstripped build traps, and its write loop must take the patched path.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"
export ASIS_PLAN_CACHE=off # the analysis, not the cache (patch_cache.sh tests that)

mkdir -p "$tmp/goprog"
cat >"$tmp/goprog/main.go" <<'GO'
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	if os.Getenv("PATCH_SITES_CHILD") != "" {
		fmt.Print("child")
		return
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PATCH_SITES_CHILD=1")
	out, err := cmd.Output()
	fmt.Println(string(out), err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(string(b))
	}
}
GO
printf 'module patchsites\n\ngo 1.19\n' >"$tmp/goprog/go.mod"

# reference BINARY: "0xADDR NAME+0xOFF" for each syscall instruction, by objdump and nm;
# with a second argument "sized", only those inside a symbol's [start, start + size).
reference() {
    local bin=$1 sized=${2:-}
    {
        objdump -d --no-show-raw-insn "$bin" |
            awk '$2 == "syscall" { a = $1; sub(":", "", a); printf "%16s\n", a }' | tr ' ' 0 |
            sed 's/$/ Y/'
        if [ -n "$sized" ]; then
            nm -n -S "$bin" | awk 'NF == 4 && $3 ~ /^[TtWi]$/ { print $1, "S", $4, $2 }'
        else
            nm -n "$bin" | awk '$2 ~ /^[Tt]$/ { print $1, "S", $3 }'
        fi
    } | sort -k1,1 -k2,2 | while read -r addr kind name size; do
        if [ "$kind" = S ]; then
            sym=${name%.abi0} sym_addr=$addr sym_size=${size:-}
        elif [ -n "${sym:-}" ]; then
            off=$((16#$addr - 16#$sym_addr))
            if [ -z "$sized" ] || [ "$off" -lt $((16#${sym_size:-0})) ]; then
                printf '0x%x %s+0x%x\n' $((16#$addr)) "$sym" "$off"
            fi
        fi
    done
}

# patched SITES: the addresses of the patched sites in inspect --sites output, sorted.
patched() { awk '$3 == "patch" { print $1 }' "$1" | sort; }

# write_loop_patched STATS: --stats output says the loop's 1000 writes took path P and
# none trapped (columns: patched entry stub-trap trapped).
write_loop_patched() {
    awk '$2 == "stats:" && $3 == "write" && $4 >= 1000 && $7 == 0 { ok = 1 } END { exit !ok }' "$1"
}

# sites BINARY: inspect --sites without the verdict.
sites() { "$ASIS" inspect --sites "$1" | awk '{ print $1, $2 }'; }

ran=0
for goroot in /usr/lib/go-1.*; do
    go=$goroot/bin/go
    [ -x "$go" ] || continue
    ver=${goroot##*/go-}
    ran=1
    for strip in "" -s; do
        ldflags=()
        [ -n "$strip" ] && ldflags=(-ldflags=-s\ -w)
        (cd "$tmp/goprog" && env -u GO111MODULE -u GOEXPERIMENT -u GOAMD64 -u GOROOT \
            CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOENV=off GOWORK=off GOOS=linux GOARCH=amd64 \
            GOCACHE="$root/build/gocache/$ver" GOPATH="$root/build/gopath" \
            "$go" build ${ldflags[@]+"${ldflags[@]}"} -o "$tmp/app-$ver$strip" .) \
            >"$tmp/build.log" 2>&1 || { echo "# $(tail -5 "$tmp/build.log")"; }
    done
    if [ ! -x "$tmp/app-$ver" ] || [ ! -x "$tmp/app-$ver-s" ]; then
        check "go$ver: build the test program" false
        continue
    fi
    reference "$tmp/app-$ver" >"$tmp/ref-$ver"
    check "go$ver: objdump finds syscall sites" [ "$(wc -l <"$tmp/ref-$ver")" -ge 30 ]
    for strip in "" -s; do
        what=$([ -n "$strip" ] && echo stripped || echo unstripped)
        sites "$tmp/app-$ver$strip" >"$tmp/got-$ver$strip"
        check "go$ver $what: inspect --sites lists exactly objdump's sites, named as nm names them" \
            cmp -s "$tmp/ref-$ver" "$tmp/got-$ver$strip"
        cmp -s "$tmp/ref-$ver" "$tmp/got-$ver$strip" ||
            diff "$tmp/ref-$ver" "$tmp/got-$ver$strip" | head -10 | sed 's/^/# /'
        "$ASIS" inspect --sites "$tmp/app-$ver$strip" >"$tmp/verdicts"
        check "go$ver $what: every site but syscall.rawVforkSyscall is patched" \
            [ -z "$(awk '($3 == "patch") == ($2 ~ /^syscall\.rawVforkSyscall\+/)' "$tmp/verdicts")" ]
        check "go$ver $what: rawVforkSyscall is there, trapped as not idempotent" \
            has_line <("$ASIS" inspect "$tmp/app-$ver$strip") \
            'syscall\.rawVforkSyscall\+0x[0-9a-f]+ .* trap \(not idempotent\)'
    done
    echo "# go$ver: $(wc -l <"$tmp/ref-$ver") sites, $(grep -c ' patch$' "$tmp/verdicts") patched"
    # The program itself, natively and under asis with each patch mode.
    "$tmp/app-$ver-s" >"$tmp/native.out" 2>&1
    for mode in off go all; do
        "$ASIS" run --patch=$mode "$tmp/app-$ver-s" >"$tmp/asis.out" 2>&1
        check "go$ver: runs like natively with --patch=$mode" cmp -s "$tmp/native.out" "$tmp/asis.out"
    done
done
check "at least one Go toolchain is installed" [ "$ran" -eq 1 ]

cat >"$tmp/cprog.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *worker(void *arg) { return arg; }
int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    int writes = 0;
    for (int i = 0; i < 1000; i++)
        writes += write(1, "", 0) == 0;
    printf("%d %d\n", getppid() > 0 && writes == 1000, (int)sysconf(_SC_NPROCESSORS_ONLN) > 0);
    return 0;
}
C
gcc -O2 -static -pthread -o "$tmp/cprog" "$tmp/cprog.c" || check "build the C program" false
for pie in "" -pie; do
    bin=$tmp/cprog
    if [ -n "$pie" ]; then
        gcc -O2 -static-pie -pthread -o "$tmp/cprog-pie" "$tmp/cprog.c" || check "build static-pie" false
        bin=$tmp/cprog-pie
    fi
    reference "$bin" sized | awk '{ print $1 }' >"$tmp/cref"
    "$ASIS" inspect --sites "$bin" >"$tmp/cgot"
    check "glibc static$pie: objdump finds syscall sites in functions" [ "$(wc -l <"$tmp/cref")" -ge 50 ]
    check "glibc static$pie: inspect lists every one of them" \
        [ -z "$(awk '{ print $1 }' "$tmp/cgot" | sort | comm -23 <(sort "$tmp/cref") -)" ]
    check "glibc static$pie: most are patched" \
        [ "$(grep -c ' patch$' "$tmp/cgot")" -gt "$(grep -c ' trap$' "$tmp/cgot")" ]
    echo "# glibc static$pie: $(wc -l <"$tmp/cgot") sites, $(grep -c ' patch$' "$tmp/cgot") patched"
    for mode in off go all; do
        check "glibc static$pie: runs like natively with --patch=$mode" \
            [ "$("$ASIS" run --patch=$mode "$bin" 2>&1)" = "1 1" ]
    done

    # Stripped: the functions are the FDEs of .eh_frame. A site outside every FDE (the
    # signal trampoline's FDE starts inside padding, __clone's syscall is between its
    # two FDEs) is trapped, so the stripped build may patch fewer sites, never others.
    strip -o "$bin-s" "$bin" || check "glibc static$pie: strip" false
    "$ASIS" inspect --sites "$bin-s" >"$tmp/cgot-s"
    check "glibc static$pie stripped: inspect lists the unstripped build's sites" \
        cmp -s <(awk '{ print $1 }' "$tmp/cgot") <(awk '{ print $1 }' "$tmp/cgot-s")
    check "glibc static$pie stripped: it patches only sites the unstripped build patches" \
        [ -z "$(comm -13 <(patched "$tmp/cgot") <(patched "$tmp/cgot-s"))" ]
    check "glibc static$pie stripped: most are patched" \
        [ "$(grep -c ' patch$' "$tmp/cgot-s")" -gt "$(grep -c ' trap$' "$tmp/cgot-s")" ]
    check "glibc static$pie stripped: sites are named by their FDE" \
        has_line "$tmp/cgot-s" '^0x[0-9a-f]+ fde@0x[0-9a-f]+\+0x[0-9a-f]+ patch$'
    echo "# glibc static$pie stripped: $(wc -l <"$tmp/cgot-s") sites," \
        "$(grep -c ' patch$' "$tmp/cgot-s") patched"
    "$ASIS" run --stats "$bin-s" >"$tmp/c.out" 2>"$tmp/c.err"
    check "glibc static$pie stripped: runs like natively" \
        [ "$(cat "$tmp/c.out")" = "$("$bin-s")" ]
    check "glibc static$pie stripped: the write loop takes the patched path" \
        write_loop_patched "$tmp/c.err"
done
finish
