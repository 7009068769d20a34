#!/usr/bin/env bash
# bench/run.sh: run each benchmark natively and under `build/asis run`, in one run on the
# same machine, and print the ratio asis/native. For humans and closing notes: nothing
# here asserts a timing. See bench/README.md.
#
# Environment:
#   BENCH_QUICK=1        short sizes and fewer runs (a smoke check of the plumbing)
#   BENCH_SELFTEST=1     run the "asis" columns natively too (tests the plumbing only;
#                        needs no build/asis)
#   BENCH_TRAPS="sud seccomp"  one asis column per trap mechanism (--trap=X)
#   ASIS_RUN_FLAGS="..." extra flags for every `asis run` (e.g. --trap=seccomp)
#   BENCH_ALL_GO=1       also build and run with every other /usr/lib/go-1.* toolchain
#   BENCH_RUNS=N         runs per measurement (default 5, quick 3), interleaved between
#                        the columns; the median is shown
#   BENCH_CPUS=LIST      pin everything with `taskset -c LIST` (default: no pinning)
#   BENCH_TIMEOUT=S      kill a run after S seconds (default 300) and report it failed
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
MAKE_BUILD=$BUILD # as the Makefile spells it, so make sees the same target names
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/bench
ASIS=$BUILD/asis

QUICK=${BENCH_QUICK:-0}
SELFTEST=${BENCH_SELFTEST:-0}
TIMEOUT=${BENCH_TIMEOUT:-300}
RSS_TARGET_KIB=$((8 * 1024))

if [ "$QUICK" = 1 ]; then
    RUNS=${BENCH_RUNS:-3}
    N_SYSCALL=200000 FILE_MIB=8 N_PINGPONG=100000 N_PATHS=20000 N_SIGNALS=10000 HELLO_RUNS=5
    N_HTTP=2000 N_TIME=200000 N_RDTSC=200000 N_RDTSC_EMULATED=2000
else
    RUNS=${BENCH_RUNS:-5}
    N_SYSCALL=2000000 FILE_MIB=64 N_PINGPONG=1000000 N_PATHS=200000 N_SIGNALS=100000 HELLO_RUNS=20
    N_HTTP=20000 N_TIME=2000000 N_RDTSC=2000000 N_RDTSC_EMULATED=20000
fi

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

mkdir -p "$OUT"
TMP=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- what to run -----------------------------------------------------------------

if [ "$SELFTEST" != 1 ]; then
    # make is incremental: this only rebuilds asis and asis-rt when sources changed.
    make -s -C "$ROOT" BUILD="$MAKE_BUILD" all || die "building asis failed"
    [ -x "$ASIS" ] || die "$ASIS missing after make"
fi

read -r -a run_flags <<<"${ASIS_RUN_FLAGS:-}"

# Variant 0 is native; each further one is an asis column. VPRE[label] is that
# column's command prefix, one word per line (empty for a native run).
variants=(native)
declare -A VPRE
VPRE[native]=""
add_asis_variant() { # label, extra flag (or empty)
    local label=$1 flag=$2 pre=()
    if [ "$SELFTEST" != 1 ]; then
        pre=("$ASIS" run)
        [ -n "$flag" ] && pre+=("$flag")
        pre+=("${run_flags[@]}" --)
    fi
    variants+=("$label")
    VPRE[$label]=$( [ ${#pre[@]} -eq 0 ] || printf '%s\n' "${pre[@]}")
}
if [ -n "${BENCH_TRAPS:-}" ]; then
    for t in $BENCH_TRAPS; do add_asis_variant "asis[$t]" "--trap=$t"; done
else
    add_asis_variant asis ""
fi

# --- build the helpers -------------------------------------------------------------

MEASURE=$OUT/measure
if [ ! -x "$MEASURE" ] || [ "$ROOT/bench/measure.c" -nt "$MEASURE" ]; then
    gcc -O2 -Wall -Wextra -o "$MEASURE" "$ROOT/bench/measure.c" || die "building measure failed"
fi

KERNEL_FLOOR=$OUT/kernel_floor
if [ ! -x "$KERNEL_FLOOR" ] || [ "$ROOT/bench/kernel_floor.c" -nt "$KERNEL_FLOOR" ]; then
    gcc -O2 -Wall -Wextra -o "$KERNEL_FLOOR" "$ROOT/bench/kernel_floor.c" ||
        die "building kernel_floor failed"
fi

RDTSC_COST=$OUT/rdtsc_cost # static: asis runs it too
if [ ! -x "$RDTSC_COST" ] || [ "$ROOT/bench/rdtsc_cost.c" -nt "$RDTSC_COST" ]; then
    gcc -O2 -static -Wall -Wextra -o "$RDTSC_COST" "$ROOT/bench/rdtsc_cost.c" ||
        die "building rdtsc_cost failed"
fi

mapfile -t toolchains < <(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V)
[ ${#toolchains[@]} -gt 0 ] || die "no Go toolchain in /usr/lib/go-1.*"
if [ "${BENCH_ALL_GO:-0}" != 1 ]; then
    toolchains=("${toolchains[-1]}")
fi

PROGS=(syscall_loop file_io pingpong path_ops signals http_loopback time_now hello)

build_progs() { # toolchain dir -> builds $OUT/go<ver>/<prog>
    local tc=$1 ver=${1##*/go-} p
    for p in "${PROGS[@]}"; do
        (cd "$ROOT/bench/go/$p" &&
            env CGO_ENABLED=0 GOTOOLCHAIN=local GOENV=off GOFLAGS= \
                GOCACHE="$BUILD/gocache/$ver" GOPATH="$BUILD/gopath" \
                "$tc/bin/go" build -o "$OUT/go$ver/$p" main.go) ||
            die "building $p with go$ver failed"
    done
}

# --- measuring ---------------------------------------------------------------------

pin=()
[ -n "${BENCH_CPUS:-}" ] && pin=(taskset -c "$BENCH_CPUS")

declare -A RES   # "<row>|<variant>" -> value, or FAIL
FAILED=0

# median KEY < lines of key=value pairs: median of KEY's values, nothing if absent.
median_of() {
    awk -v key="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
                       if (kv[1] == key) print kv[2] } }' |
        sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
              if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure_into VARIANT RUNS WARMUP OUTFILE BIN ARGS... : appends the program's stdout
# to OUTFILE and writes measure's summary to OUTFILE.m. Returns nonzero, and measure
# says why on stderr, if any run failed.
measure_into() {
    local variant=$1 runs=$2 warm=$3 outf=$4
    shift 4
    local -a pre=()
    [ -z "${VPRE[$variant]}" ] || mapfile -t pre <<<"${VPRE[$variant]}"
    "${pin[@]}" "$MEASURE" -n "$runs" -w "$warm" -t "$TIMEOUT" -o "$outf.m" -- \
        "${pre[@]}" "$@" >>"$outf"
}

# The number of lines a program printed must equal the number of runs (with warm-up):
# a program that printed nothing or garbage must not yield a number.
check_lines() { # file expected-count
    local got
    got=$(wc -l <"$1")
    if [ "$got" -ne "$2" ]; then
        say "bench: expected $2 output lines, got $got:"
        head -5 "$1" >&2
        return 1
    fi
}

record() { # row variant value-or-empty
    if [ -n "$3" ]; then RES["$1|$2"]=$3; else RES["$1|$2"]=FAIL; FAILED=1; fi
}

# interleaved NAME BIN ARGS...: RUNS rounds, each running the program once per variant,
# so slow drift of the machine (other load, thermal, page cache) hits every column alike.
# Leaves the output of variant V in $TMP/NAME.V; a variant whose run failed is dropped
# from later rounds and its file removed.
interleaved() {
    local name=$1 bin=$2 v r
    shift 2
    local -A dead=()
    for v in "${variants[@]}"; do : >"$TMP/$name.$v"; done
    for ((r = 1; r <= RUNS; r++)); do
        for v in "${variants[@]}"; do
            [ -z "${dead[$v]:-}" ] || continue
            say "bench: round $r/$RUNS: $v $(basename "$(dirname "$bin")")/$name $*"
            if ! measure_into "$v" 1 0 "$TMP/$name.$v" "$bin" "$@"; then
                dead[$v]=1
                rm -f "$TMP/$name.$v"
            fi
        done
    done
    for v in "${variants[@]}"; do
        [ -f "$TMP/$name.$v" ] && ! check_lines "$TMP/$name.$v" "$RUNS" && rm -f "$TMP/$name.$v"
    done
    return 0
}

# median_in NAME VARIANT KEY: the median of KEY in that variant's output, or nothing.
median_in() {
    [ -f "$TMP/$1.$2" ] || return 0
    median_of "$3" <"$TMP/$1.$2" || say "bench: $1 under $2 printed no $3="
}

bench_one_toolchain() {
    local ver=$1 dir=$OUT/go$1 v val r f
    interleaved syscall_loop "$dir/syscall_loop" "$N_SYSCALL"
    interleaved file_io "$dir/file_io" "$FILE_MIB"
    interleaved pingpong "$dir/pingpong" "$N_PINGPONG"
    interleaved path_ops "$dir/path_ops" "$N_PATHS"
    interleaved signals "$dir/signals" "$N_SIGNALS"
    interleaved http_loopback "$dir/http_loopback" "$N_HTTP"
    interleaved time_now "$dir/time_now" "$N_TIME"
    for v in "${variants[@]}"; do
        record syscall_loop "$v" "$(median_in syscall_loop "$v" ns_per_op)"
        record file_io_write "$v" "$(median_in file_io "$v" write_MBps)"
        record file_io_read "$v" "$(median_in file_io "$v" read_MBps)"
        record pingpong "$v" "$(median_in pingpong "$v" ns_per_roundtrip)"
        record stat "$v" "$(median_in path_ops "$v" stat_ns)"
        record open_close "$v" "$(median_in path_ops "$v" open_close_ns)"
        record symlink_stat "$v" "$(median_in path_ops "$v" symlink_stat_ns)"
        record fault_panic "$v" "$(median_in signals "$v" ns_per_fault)"
        record http_loopback "$v" "$(median_in http_loopback "$v" ns_per_request)"
        record time_now "$v" "$(median_in time_now "$v" ns_per_op)"
    done

    # Start-up: a block of runs per variant (each is ~1 ms, so drift does not matter),
    # after one warm-up run that puts the binaries in the page cache.
    for v in "${variants[@]}"; do
        f=$TMP/hello.$v
        : >"$f"
        val= r=
        say "bench: $v go$ver/hello x $HELLO_RUNS"
        if measure_into "$v" "$HELLO_RUNS" 1 "$f" "$dir/hello" &&
            check_lines "$f" $((HELLO_RUNS + 1)); then
            if grep -qvx hello "$f"; then
                say "bench: hello printed something else:"; sort -u "$f" | head -3 >&2
            else
                val=$(median_of median_ns <"$f.m" | awk '{ printf "%.3f", $1 / 1e6 }')
                r=$(median_of max_rss_kib <"$f.m")
            fi
        fi
        record hello "$v" "$val"
        record hello_rss "$v" "$r"
    done
}

# --- report ------------------------------------------------------------------------

fmt_num() { # value -> compact number (FAIL passes through)
    [ "$1" = FAIL ] && { echo FAIL; return; }
    awk -v x="$1" 'BEGIN { if (x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x;
                           else printf "%.2f", x }'
}

ratio() { # asis native -> asis/native, or "-" when either failed
    if [ "$1" = FAIL ] || [ "$2" = FAIL ]; then echo -; return; fi
    awk -v a="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", a / n; else print "-" }'
}

# Column widths: each asis column as wide as its label.
print_header() {
    local v line
    line=$(printf '%-14s %-12s %9s' benchmark unit native)
    for v in "${variants[@]:1}"; do
        line+=$(printf '  %*s %6s' "$(( ${#v} > 9 ? ${#v} : 9 ))" "$v" ratio)
    done
    printf '%s\n' "$line"
}

print_row() { # row unit
    local row=$1 nat=${RES["$1|native"]} v val line
    line=$(printf '%-14s %-12s %9s' "$row" "$2" "$(fmt_num "$nat")")
    for v in "${variants[@]:1}"; do
        val=${RES["$row|$v"]}
        line+=$(printf '  %*s %6s' "$(( ${#v} > 9 ? ${#v} : 9 ))" "$(fmt_num "$val")" \
            "$(ratio "$val" "$nat")")
    done
    printf '%s\n' "$line"
}

print_rss() {
    local nat=${RES["hello_rss|native"]} v val
    printf 'peak RSS of hello (largest ru_maxrss over %d runs):\n' "$HELLO_RUNS"
    printf '  %-16s %s\n' native "$([ "$nat" = FAIL ] && echo FAIL ||
        awk -v k="$nat" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
    for v in "${variants[@]:1}"; do
        val=${RES["hello_rss|$v"]}
        if [ "$val" = FAIL ] || [ "$nat" = FAIL ]; then
            printf '  %-16s %s\n' "$v" "$([ "$val" = FAIL ] && echo FAIL || echo "$val KiB")"
            continue
        fi
        awk -v v="$v" -v k="$val" -v n="$nat" -v t="$RSS_TARGET_KIB" 'BEGIN {
            d = k - n
            over = (d > t) ? "  OVER TARGET" : ""
            printf "  %-16s %.1f MiB, asis own share %.1f MiB (target <= %.0f MiB)%s\n",
                v, k / 1024, d / 1024, t / 1024, over }'
    done
}

say "bench: $( [ "$QUICK" = 1 ] && echo quick || echo full ) run, $RUNS runs per point"
declare -a REPORT_VERS=()
for tc in "${toolchains[@]}"; do
    ver=${tc##*/go-}
    say "bench: building programs with go$ver"
    build_progs "$tc"
    bench_one_toolchain "$ver"
    {
        echo
        echo "== go$ver ($("$tc/bin/go" version | awk '{ print $3 }')) =="
        print_header
        print_row syscall_loop ns/op
        print_row file_io_write MB/s
        print_row file_io_read MB/s
        print_row pingpong ns/roundtrip
        print_row stat ns/op
        print_row open_close ns/op
        print_row symlink_stat ns/op
        print_row fault_panic ns/op
        print_row http_loopback ns/request
        print_row time_now ns/op
        print_row hello ms/run
        print_rss
    } >"$TMP/report-$ver"
    REPORT_VERS+=("$ver")
done

# What the kernel alone charges a syscall once interception is on (no asis): the floor
# under syscall_loop's asis column.
say "bench: kernel_floor x $RUNS"
for _ in $(seq "$RUNS"); do
    ${BENCH_CPUS:+taskset -c "$BENCH_CPUS"} "$KERNEL_FLOOR" "$N_SYSCALL" >>"$TMP/kernel_floor" ||
        say "bench: kernel_floor failed"
done

# What --rdtsc=emulate costs: one rdtsc natively, under asis (the CPU's), emulated by
# asis, and emulated by a bare SIGSEGV handler with no asis (the kernel's floor); and
# time.Now (newest toolchain) emulated, where the vDSO's clock reads become syscalls.
RDTSC_LINE=
if [ "$SELFTEST" != 1 ]; then
    say "bench: rdtsc x $RUNS"
    for _ in $(seq "$RUNS"); do
        {
            echo "native_$("${pin[@]}" "$RDTSC_COST" "$N_RDTSC")"
            echo "asis_$("${pin[@]}" "$ASIS" run "${run_flags[@]}" -- "$RDTSC_COST" "$N_RDTSC")"
            echo "emulated_$("${pin[@]}" "$ASIS" run --rdtsc=emulate "${run_flags[@]}" -- \
                "$RDTSC_COST" "$N_RDTSC_EMULATED")"
            echo "floor_$("${pin[@]}" "$RDTSC_COST" --floor "$N_RDTSC_EMULATED")"
            echo "time_now_$("${pin[@]}" "$ASIS" run --rdtsc=emulate "${run_flags[@]}" -- \
                "$OUT/go${REPORT_VERS[-1]}/time_now" "$((N_TIME / 20))")"
        } >>"$TMP/rdtsc" 2>/dev/null || say "bench: rdtsc_cost failed"
    done
    r_native=$(median_of native_ns_per_rdtsc <"$TMP/rdtsc")
    r_asis=$(median_of asis_ns_per_rdtsc <"$TMP/rdtsc")
    r_emulated=$(median_of emulated_ns_per_rdtsc <"$TMP/rdtsc")
    r_floor=$(median_of floor_ns_per_rdtsc <"$TMP/rdtsc")
    r_time=$(median_of time_now_ns_per_op <"$TMP/rdtsc")
    RDTSC_LINE="rdtsc (bench/rdtsc_cost.c): $r_native ns natively, $r_asis ns under asis,"
    RDTSC_LINE+=" $r_emulated ns with --rdtsc=emulate, $r_floor ns for a bare SIGSEGV handler"
    RDTSC_LINE+=" doing the same with no asis (the kernel's floor); time.Now with"
    RDTSC_LINE+=" --rdtsc=emulate (go${REPORT_VERS[-1]}): $r_time ns/op"
fi

# The whole table at the end, so progress messages and program stderr do not split it.
echo "asis benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $(nproc) CPUs," \
    "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "mode: $( [ "$QUICK" = 1 ] && echo quick || echo full ), median of $RUNS runs" \
    "(hello: $HELLO_RUNS)$( [ -n "${BENCH_CPUS:-}" ] && echo ", pinned to CPUs $BENCH_CPUS")"
if [ "$SELFTEST" = 1 ]; then
    echo "SELFTEST: the asis columns ran natively; the ratios only show run-to-run noise"
else
    echo "asis run flags: ${ASIS_RUN_FLAGS:-(none)}${BENCH_TRAPS:+; traps: $BENCH_TRAPS}"
fi
echo "sizes: syscall_loop $N_SYSCALL calls, file_io $FILE_MIB MiB, pingpong $N_PINGPONG round trips," \
    "path_ops $N_PATHS calls each, signals $N_SIGNALS faults," \
    "http_loopback $N_HTTP requests, time_now $N_TIME calls"
echo "ratio = asis/native; for MB/s rows higher is better, so a ratio below 1 means asis is slower"
for ver in "${REPORT_VERS[@]}"; do cat "$TMP/report-$ver"; done
if [ -s "$TMP/kernel_floor" ]; then
    kf_native=$(median_of native_ns <"$TMP/kernel_floor")
    kf_sud=$(median_of sud_ns <"$TMP/kernel_floor")
    kf_seccomp=$(median_of seccomp_ns <"$TMP/kernel_floor")
    echo "kernel floor (bench/kernel_floor.c, no asis): one getppid costs $kf_native ns natively," \
        "$kf_sud ns with Syscall User Dispatch on ($(awk -v a="$kf_sud" -v b="$kf_native" \
        'BEGIN { printf "%.2f", a / b }')x), $kf_seccomp ns with a seccomp filter" \
        "($(awk -v a="$kf_seccomp" -v b="$kf_native" 'BEGIN { printf "%.2f", a / b }')x)"
fi

[ -z "$RDTSC_LINE" ] || echo "$RDTSC_LINE"

[ "$FAILED" = 0 ] || { say "bench: some measurements FAILED (see messages above)"; exit 1; }
