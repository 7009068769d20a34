#!/usr/bin/env bash
# The one test runner of asis. Usage: tests/run.sh [PATTERN]
#
# Runs, in this order:
#   unit/NAME                        build/unit/NAME (from tests/unit/NAME.c) and
#                                    tests/unit/NAME.sh; pass = exit status 0
#   c/CASE/static, c/CASE/static-pie tests/c/CASE.c built by gcc, run natively and under asis
#   go1.NN/CASE[:VARIANT]/unstripped, go1.NN/CASE[:VARIANT]/stripped
#                                    tests/go/CASE/ built by every installed Go toolchain,
#                                    run natively and under asis
# A program test passes when the run under `build/asis run` gives the same exit status,
# stdout and stderr as the native run: the native run is the reference, so no expected
# output is written down anywhere. Prints "ok - NAME" or "not ok - NAME" per test (with
# a short diff and the commands to reproduce on failure) and, as the last line,
# "N passed, N failed". Exit status 0 only if nothing failed and something ran.
#
# PATTERN: run only the tests whose name contains it (only what they need is built).
#
# Environment:
#   ASIS_RUN_FLAGS        extra flags for `asis run`, e.g. --trap=seccomp
#   ASIS_TRAP_MODES       trap mechanisms every program runs under ("sud seccomp")
#   ASIS_PATCH_MODES      patch modes besides the default all, run under the first trap
#                         mechanism ("off go"); "" for none
#   ASIS_RDTSC_EMULATE    1 (default): Go programs, and C programs that ask for it
#                         (// asis-test: rdtsc=emulate), also run under the first trap
#                         mechanism with --rdtsc=emulate; 0: not
#   ASIS_GO_VERSIONS      Go versions to use, e.g. "1.19 1.26" (default: every
#                         /usr/lib/go-1.*/bin/go)
#   ASIS_TIMEOUT          default per-run timeout in seconds (60); a case may set its own
#   ASIS_UNIT_TIMEOUT     timeout of each unit test (600)
#   ASIS_JOBS             parallel build jobs (number of CPUs)
#   ASIS_NO_MAKE=1        do not run `make -s all unit` first
#   ASIS_RUNNER_SELFTEST=1  run every program natively twice instead of under asis: tests
#                         this runner and the test programs themselves, without asis
#
# tests/go/CASE/case.conf (optional) is sourced by bash and may set:
#   ARGS=(...)       arguments
#   VARIANTS=(...)   one test per element; each element is split into words and appended
#                    to ARGS; the test is named CASE:ELEMENT (spaces become _)
#   ENV=(K=V ...)    added to the environment
#   STDIN_CMD="..."  a shell command whose stdout is piped into the program (else /dev/null)
#   COMPARE=exact|first-line-stderr
#   TIMEOUT=seconds
#   TRAPS=(sud ...)  the trap mechanisms this case runs under (default: all of
#                    ASIS_TRAP_MODES); say in case.conf why one is left out
# tests/c/CASE.c may hold lines "// asis-test: KEY=VALUE" with the same meaning:
#   variants=static|static-pie (space or comma separated; default both), args=...
#   (shell words), env=..., stdin=..., compare=..., timeout=..., and cflags=... (extra gcc
#   arguments, placed after the source file so that -lfoo works).

set -u
shopt -s nullglob
shopt -s lastpipe # "details | not_ok NAME" must count in this shell, not a subshell

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

# Programs start with only stdin, stdout and stderr open, as on CI: a descriptor the
# caller leaked (a terminal multiplexer, an IDE) changes what some tests do (Go's
# TestExtraFiles skips itself when it finds one), and local runs must match CI's.
for fd_path in "/proc/$$/fd"/*; do
    fd=${fd_path##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then
        eval "exec $fd>&-"
    fi
done
unset fd_path fd

pattern=${1:-}
out=$root/build/tests               # everything this runner writes goes under here
# asis caches patch plans under $XDG_CACHE_HOME: the tests keep theirs (hundreds of test
# programs and malformed files) in the build directory, not in the user's cache.
export XDG_CACHE_HOME=$out/cache
default_timeout=${ASIS_TIMEOUT:-60}
unit_timeout=${ASIS_UNIT_TIMEOUT:-600}
jobs=${ASIS_JOBS:-$(nproc 2>/dev/null || echo 2)}
selftest=${ASIS_RUNNER_SELFTEST:-}
read -r -a run_flags <<<"${ASIS_RUN_FLAGS:-}"
# Every program runs under each trap mechanism; tests under a mode other than the
# default carry it in their name (go1.26/hello/stripped@seccomp).
read -r -a trap_modes <<<"${ASIS_TRAP_MODES:-sud seccomp}"
trap_flag=()
# ... and, under the first of them, with each patch mode besides the default (all).
read -r -a patch_modes <<<"${ASIS_PATCH_MODES-off go}"
# ... and, for the programs that ask for it (RDTSC_EMULATE=1), with rdtsc emulated.
rdtsc_emulate=${ASIS_RDTSC_EMULATE:-1}

passed=0
failed=0
run_start=$SECONDS

# ---------------------------------------------------------------------------- reporting

ok() {
    echo "ok - $1"
    passed=$((passed + 1))
}

# not_ok NAME: the details are read from stdin (always piped in) and printed as "# "
# comments, which TAP readers ignore.
not_ok() {
    echo "not ok - $1"
    failed=$((failed + 1))
    sed 's/^/#   /'
}

note() { echo "# $*"; }

finish() {
    rm -rf "$out/work.$$"
    [ $((passed + failed)) -eq 0 ] && note "no test ran${pattern:+ (none matches \"$pattern\")}"
    note "total time: $((SECONDS - run_start)) s"
    echo "$passed passed, $failed failed"
    if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
        exit 0
    fi
    exit 1
}

selected() { [[ -z $pattern || $1 == *"$pattern"* ]]; }

# quote WORDS...: the words as one shell-quoted command line, for "reproduce" hints.
quote() {
    local w s=""
    for w in "$@"; do
        s+="$(printf '%q' "$w") "
    done
    printf '%s' "${s% }"
}

# ---------------------------------------------------------------------------- build asis

# make first, so that `tests/run.sh` alone tests the current sources. A failed make is a
# failed test, but whatever did get built is still tested.
build_asis() {
    if [ -n "${ASIS_NO_MAKE:-}" ] || ! command -v make >/dev/null; then
        return
    fi
    mkdir -p "$out"
    if ! make -s all unit >"$out/make.log" 2>&1; then
        tail -n 20 "$out/make.log" | not_ok "build/make"
    fi
}

have_asis() {
    [ -n "$selftest" ] || { [ -x build/asis ] && [ -x build/asis-rt ]; }
}

# ---------------------------------------------------------------------------- Go cases

go_cases=()
for d in tests/go/*/; do
    d=${d%/}
    go_cases+=("${d##*/}")
done

# load_case_conf DIR: reset the per-case variables, then source DIR/case.conf if present.
load_case_conf() {
    ARGS=() VARIANTS=() ENV=() STDIN_CMD="" COMPARE=exact TIMEOUT=$default_timeout
    RDTSC_EMULATE=1 # Go's runtime executes rdtsc: every Go program runs in both modes
    TRAPS=("${trap_modes[@]}")
    if [ -f "$1/case.conf" ]; then
        # shellcheck source=/dev/null
        . "$1/case.conf"
    fi
}

# variant_label ARGS: the suffix that names a variant in the test name.
variant_label() { local l=${1// /_}; printf '%s' "${l:-noargs}"; }

# go_test_names VER CASE STRIP: every test name for one binary (one per variant).
go_test_names() {
    local v
    load_case_conf "tests/go/$2"
    if [ ${#VARIANTS[@]} -eq 0 ]; then
        echo "go$1/$2/$3"
    else
        for v in "${VARIANTS[@]}"; do
            echo "go$1/$2:$(variant_label "$v")/$3"
        done
    fi
}

# The installed toolchains, oldest first, or those ASIS_GO_VERSIONS asks for. A version
# asked for but not installed is a failed test, not silently fewer tests.
go_versions=()
find_go_versions() {
    local g v installed=()
    for g in /usr/lib/go-1.*/bin/go; do
        v=${g#/usr/lib/go-}
        installed+=("${v%/bin/go}")
    done
    if [ ${#installed[@]} -gt 0 ]; then
        mapfile -t installed < <(printf '%s\n' "${installed[@]}" | sort -V)
    fi
    if [ -z "${ASIS_GO_VERSIONS:-}" ]; then
        go_versions=(${installed[@]+"${installed[@]}"})
    else
        for v in ${ASIS_GO_VERSIONS//,/ }; do
            if [ -x "/usr/lib/go-$v/bin/go" ]; then
                go_versions+=("$v")
            elif selected "go$v/"; then
                echo "ASIS_GO_VERSIONS asks for $v but /usr/lib/go-$v/bin/go is missing" |
                    not_ok "go$v/toolchain"
            fi
        done
    fi
    # Only a failure if some Go test would have run ("go1.x" stands for any version).
    if [ ${#go_versions[@]} -eq 0 ] && [ -z "${ASIS_GO_VERSIONS:-}" ] && [ ${#go_cases[@]} -gt 0 ]; then
        local c n
        for c in "${go_cases[@]}"; do
            for n in $(go_test_names 1.x "$c" unstripped) $(go_test_names 1.x "$c" stripped); do
                if selected "$n"; then
                    echo "no Go toolchain found: no /usr/lib/go-1.*/bin/go (scripts/install-deps.sh installs them)" |
                        not_ok "go/toolchains"
                    return
                fi
            done
        done
    fi
}

go_binary() { # VER CASE STRIP: where the binary is built
    local b=$out/go/$1/$2
    [ "$3" = stripped ] && b+=.stripped
    printf '%s' "$b"
}

# build_go VER CASE STRIP: one binary; status in BIN.status, compiler output in BIN.log.
# The environment is pinned so that the user's Go settings cannot change what is built:
# static (no cgo), this exact toolchain (no downloads), private cache and GOPATH.
build_go() {
    local ver=$1 case=$2 strip=$3 bin srcs=() f min ldflags=() status
    bin=$(go_binary "$ver" "$case" "$strip")
    for f in tests/go/"$case"/*.go; do
        [[ $f == *_test.go ]] && continue
        # go build ignores the build constraints of the files named on its command
        # line: leave out a file whose "//go:build go1.N" asks for a newer release.
        min=$(sed -n 's|^//go:build go1\.\([0-9]*\)$|\1|p' "$f")
        [ -n "$min" ] && [ "${ver#1.}" -lt "$min" ] && continue
        srcs+=("${f##*/}")
    done
    [ "$strip" = stripped ] && ldflags=(-ldflags=-s\ -w)
    mkdir -p "${bin%/*}"
    (
        cd "tests/go/$case" &&
            env -u GO111MODULE -u GOEXPERIMENT -u GOAMD64 -u GOROOT \
                CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOENV=off GOWORK=off \
                GOOS=linux GOARCH=amd64 \
                GOCACHE="$root/build/gocache/$ver" GOPATH="$root/build/gopath" \
                "/usr/lib/go-$ver/bin/go" build ${ldflags[@]+"${ldflags[@]}"} -o "$bin" "${srcs[@]}"
    ) >"$bin.log" 2>&1
    status=$?
    echo "$status" >"$bin.status"
}

# build_go_version VER: every selected binary of one toolchain, one after the other (the
# first build fills that toolchain's cache; running several toolchains side by side keeps
# the CPUs busy without compiling the same standard library twice at once).
build_go_version() {
    local ver=$1 case strip n start=$SECONDS count=0
    for case in "${go_cases[@]}"; do
        for strip in unstripped stripped; do
            for n in $(go_test_names "$ver" "$case" "$strip"); do
                if selected "$n"; then
                    build_go "$ver" "$case" "$strip"
                    count=$((count + 1))
                    break
                fi
            done
        done
    done
    [ "$count" -gt 0 ] &&
        echo "go$ver: $count binaries built in $((SECONDS - start)) s" >"$out/go/$ver/build-time.txt"
}

# ---------------------------------------------------------------------------- C cases

c_cases=()
for f in tests/c/*.c; do
    f=${f##*/}
    c_cases+=("${f%.c}")
done

# load_c_conf CASE: the "// asis-test: key=value" lines of tests/c/CASE.c, in the
# variables case.conf would set, plus C_VARIANTS and C_FLAGS.
load_c_conf() {
    local line key value
    ARGS=() VARIANTS=() ENV=() STDIN_CMD="" COMPARE=exact TIMEOUT=$default_timeout
    TRAPS=("${trap_modes[@]}") RDTSC_EMULATE=0
    C_VARIANTS=(static static-pie) C_FLAGS=()
    while IFS= read -r line; do
        line=${line#*asis-test:}
        line=${line#"${line%%[![:space:]]*}"} # trim leading blanks
        key=${line%%=*}
        value=${line#*=}
        value=${value%"${value##*[![:space:]]}"} # trim trailing blanks
        case $key in
            variants) read -r -a C_VARIANTS <<<"${value//,/ }" ;;
            args) eval "ARGS=($value)" ;;
            env) eval "ENV=($value)" ;;
            stdin) STDIN_CMD=$value ;;
            compare) COMPARE=$value ;;
            timeout) TIMEOUT=$value ;;
            cflags) eval "C_FLAGS=($value)" ;;
            traps) read -r -a TRAPS <<<"${value//,/ }" ;;
            rdtsc) [ "$value" = emulate ] && RDTSC_EMULATE=1 ;;
            *) echo "warning: tests/c/$1.c: unknown asis-test key '$key'" >&2 ;;
        esac
    done < <(grep -E '^[[:space:]]*//[[:space:]]*asis-test:' "tests/c/$1.c")
}

c_binary() { printf '%s' "$out/c/$1.$2"; } # CASE VARIANT

# build_c CASE VARIANT: -pthread always, so a test need not say it uses threads.
build_c() {
    local case=$1 variant=$2 bin link
    bin=$(c_binary "$case" "$variant")
    case $variant in
        static) link=(-static) ;;
        static-pie) link=(-static-pie -fPIE) ;;
        *)
            echo "unknown variant '$variant' (static or static-pie)" >"$bin.log"
            echo 1 >"$bin.status"
            return
            ;;
    esac
    mkdir -p "${bin%/*}"
    gcc -O2 -g "${link[@]}" -pthread -o "$bin" "tests/c/$case.c" \
        ${C_FLAGS[@]+"${C_FLAGS[@]}"} >"$bin.log" 2>&1
    echo $? >"$bin.status"
}

build_c_all() {
    local case v start=$SECONDS count=0
    for case in "${c_cases[@]}"; do
        load_c_conf "$case"
        for v in "${C_VARIANTS[@]}"; do
            if selected "c/$case/$v"; then
                build_c "$case" "$v"
                count=$((count + 1))
            fi
        done
    done
    mkdir -p "$out/c"
    [ "$count" -gt 0 ] && echo "c: $count binaries built in $((SECONDS - start)) s" >"$out/c/build-time.txt"
}

# build_programs: every toolchain's builds and the C builds, ASIS_JOBS at a time.
build_programs() {
    local v
    rm -f "$out"/go/*/build-time.txt "$out/c/build-time.txt"
    for v in ${go_versions[@]+"${go_versions[@]}"}; do
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
        mkdir -p "$out/go/$v"
        build_go_version "$v" &
    done
    if [ ${#c_cases[@]} -gt 0 ]; then
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
        build_c_all &
    fi
    wait
}

# ---------------------------------------------------------------------------- running

# run_side SIDE NAME BIN ARGS...: one run of BIN (natively or under asis) with the case's
# ENV, STDIN_CMD and TIMEOUT, in a fresh empty working directory (the same path for both
# sides: the shell exports it as PWD, which programs see). Sets rs_status and
# rs_cmd (the command line to reproduce it); output goes to $out/out/NAME/SIDE.{out,err}.
run_side() {
    local side=$1 name=$2 bin=$3 dir work t0 cmd
    shift 3
    dir=$out/out/$name
    work=$out/work.$$ # per runner: runners started side by side must not share it
    rm -rf "$work" && mkdir -p "$work" "$dir"
    cmd=()
    if [ "$side" = asis ] && [ -z "$selftest" ]; then
        cmd=("$root/build/asis" run ${trap_flag[@]+"${trap_flag[@]}"} ${run_flags[@]+"${run_flags[@]}"} --)
    fi
    cmd+=("$bin" "$@")
    t0=$SECONDS
    if [ -n "$STDIN_CMD" ]; then
        { bash -c "$STDIN_CMD" 2>/dev/null |
            (cd "$work" && exec env ${ENV[@]+"${ENV[@]}"} timeout -k 5 "$TIMEOUT" "${cmd[@]}") \
                >"$dir/$side.out" 2>"$dir/$side.err"; } 2>/dev/null
        rs_status=${PIPESTATUS[1]}
    else
        # The outer 2>/dev/null takes bash's own "Segmentation fault" report of a test
        # that kills itself on purpose; the program's stderr goes to its file.
        { (cd "$work" && exec env ${ENV[@]+"${ENV[@]}"} timeout -k 5 "$TIMEOUT" "${cmd[@]}") \
            </dev/null >"$dir/$side.out" 2>"$dir/$side.err"; } 2>/dev/null
        rs_status=$?
    fi
    # timeout(1) exits 124 (137 after -k), but 124 is also an asis status, so look at
    # the clock too.
    rs_timed_out=
    if { [ "$rs_status" -eq 124 ] || [ "$rs_status" -eq 137 ]; } && [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
        rs_timed_out=1
    fi
    rs_cmd=""
    [ -n "$STDIN_CMD" ] && rs_cmd="$STDIN_CMD | "
    [ ${#ENV[@]} -gt 0 ] && rs_cmd+="env $(quote "${ENV[@]}") "
    rs_cmd+=$(quote "${cmd[@]}")
    rs_cmd=${rs_cmd//"$root/"/}
}

# short_diff LABEL A B: at most 20 lines of a unified diff.
short_diff() {
    echo "$1 differs (native vs asis):"
    diff -u --label native --label asis "$2" "$3" | head -n 20
}

# compare_program NAME BIN ARGS...: compare_one under each trap mechanism with the
# default patching (--patch=all), then under the first trap mechanism with each other
# patch mode.
compare_program() {
    local name=$1 mode patch
    shift
    for mode in "${trap_modes[@]}"; do
        # shellcheck disable=SC2076
        [[ " ${TRAPS[*]} " == *" $mode "* ]] || continue
        trap_flag=("--trap=$mode")
        if [ "$mode" = sud ]; then
            compare_one "$name" "$@"
        else
            compare_one "$name@$mode" "$@"
        fi
    done
    for patch in "${patch_modes[@]}"; do
        trap_flag=("--trap=${TRAPS[0]}" "--patch=$patch")
        compare_one "$name@patch=$patch" "$@"
    done
    if [ "$rdtsc_emulate" = 1 ] && [ "$RDTSC_EMULATE" = 1 ]; then
        trap_flag=("--trap=${TRAPS[0]}" "--rdtsc=emulate")
        compare_one "$name@rdtsc=emulate" "$@"
    fi
}

# compare_one NAME BIN ARGS...: run natively, then under asis, and compare.
compare_one() {
    local name=$1 bin=$2 native_status native_cmd native_timed_out dir=$out/out/$1
    shift 2
    case $COMPARE in
        exact | first-line-stderr) ;;
        *)
            echo "COMPARE=$COMPARE: must be exact or first-line-stderr" | not_ok "$name"
            return
            ;;
    esac
    run_side native "$name" "$bin" "$@"
    native_status=$rs_status native_cmd=$rs_cmd native_timed_out=$rs_timed_out
    run_side asis "$name" "$bin" "$@"

    # asis's own note that a syscall is not served (logged once per syscall, checked
    # by tests/unit/enosys_logged_once.sh) is not the program's output.
    grep -v -E '^asis: (unsupported syscall|unknown syscall number) ' "$dir/asis.err" \
        >"$dir/asis.err0" || true
    if [ "$COMPARE" = first-line-stderr ]; then
        head -n 1 "$dir/native.err" >"$dir/native.err1"
        head -n 1 "$dir/asis.err0" >"$dir/asis.err1"
    else
        cp "$dir/native.err" "$dir/native.err1"
        cp "$dir/asis.err0" "$dir/asis.err1"
    fi
    if [ -z "$native_timed_out" ] && [ -z "$rs_timed_out" ] &&
        [ "$native_status" -eq "$rs_status" ] &&
        cmp -s "$dir/native.out" "$dir/asis.out" &&
        cmp -s "$dir/native.err1" "$dir/asis.err1"; then
        ok "$name"
        return
    fi
    {
        [ -n "$native_timed_out" ] && echo "the native run timed out after $TIMEOUT s: the test itself is broken"
        [ -n "$rs_timed_out" ] && echo "the asis run timed out after $TIMEOUT s"
        [ "$native_status" -ne "$rs_status" ] && echo "exit status: native $native_status, asis $rs_status"
        cmp -s "$dir/native.out" "$dir/asis.out" || short_diff stdout "$dir/native.out" "$dir/asis.out"
        if ! cmp -s "$dir/native.err1" "$dir/asis.err1"; then
            [ "$COMPARE" = first-line-stderr ] && echo "(first line of stderr only)"
            short_diff stderr "$dir/native.err1" "$dir/asis.err1"
        fi
        echo "outputs: ${dir#"$root/"}/"
        echo "reproduce (native): $native_cmd"
        echo "reproduce (asis):   $rs_cmd"
    } | not_ok "$name"
}

# check_built NAME BIN: a build failure is a failed test (with the compiler's output).
check_built() {
    if [ -f "$2.status" ] && [ "$(cat "$2.status")" = 0 ] && [ -x "$2" ]; then
        return 0
    fi
    { echo "build failed:"; head -n 20 "$2.log" 2>/dev/null; } | not_ok "$1"
    return 1
}

# run_unit NAME CMD...: a self-contained test; pass = exit status 0.
run_unit() {
    local name=$1 log status
    shift
    log=$out/out/$name.log
    mkdir -p "${log%/*}"
    timeout -k 5 "$unit_timeout" "$@" >"$log" 2>&1 </dev/null
    status=$?
    if [ "$status" -eq 0 ]; then
        ok "$name"
    else
        {
            echo "exit status $status; last lines of its output:"
            grep -v '^ok - ' "$log" | tail -n 20
            echo "output: ${log#"$root/"}"
            echo "reproduce: $(quote "$@")" | sed "s|$root/||g"
        } | not_ok "$name"
    fi
}

run_unit_tests() {
    local f n
    for f in tests/unit/*.c; do
        n=${f##*/}
        n=${n%.c}
        selected "unit/$n" || continue
        if [ -x "build/unit/$n" ]; then
            run_unit "unit/$n" "$root/build/unit/$n"
        else
            echo "build/unit/$n is missing: 'make unit' did not build it" | not_ok "unit/$n"
        fi
    done
    for f in tests/unit/*.sh; do
        n=${f##*/}
        n=${n%.sh}
        [ "$n" = lib ] && continue # shared helpers of the scripts, not a test
        selected "unit/$n" || continue
        run_unit "unit/$n" bash "$root/$f"
    done
}

# Go's own standard-library tests, natively and under asis (tests/gostd/run.sh): each
# test that passes natively counts as one test here. Selected by the pattern "gostd";
# ASIS_SKIP_GOSTD=1 leaves them out (they take several minutes).
run_gostd_tests() {
    local log=$out/gostd.log counts p f
    selected gostd || return 0
    if [ -n "${ASIS_SKIP_GOSTD:-}" ] || [ -n "$selftest" ]; then
        note "Go standard-library tests left out (ASIS_SKIP_GOSTD or self-test)"
        return 0
    fi
    note "Go standard-library tests (tests/gostd/run.sh), output in ${log#"$root/"}"
    bash tests/gostd/run.sh >"$log" 2>&1
    grep -E '^go1\.[0-9]+ [^ ]+: ' "$log" | sed 's/^/# gostd: /'
    while read -r line; do
        echo "see ${log#"$root/"}" | not_ok "gostd/${line#FAIL }"
    done < <(grep '^FAIL ' "$log")
    counts=$(tail -n 1 "$log")
    if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
        passed=$((passed + p))
        # FAIL lines were counted by not_ok already; count any failure they missed.
        local listed
        listed=$(grep -c '^FAIL ' "$log")
        [ "$f" -gt "$listed" ] && failed=$((failed + f - listed))
        note "gostd: $p passed, $f failed"
    else
        echo "tests/gostd/run.sh did not finish with a count; see ${log#"$root/"}" | not_ok gostd
    fi
}

run_c_tests() {
    local case v bin
    for case in ${c_cases[@]+"${c_cases[@]}"}; do
        load_c_conf "$case"
        for v in "${C_VARIANTS[@]}"; do
            selected "c/$case/$v" || continue
            bin=$(c_binary "$case" "$v")
            check_built "c/$case/$v" "$bin" || continue
            compare_program "c/$case/$v" "$bin" ${ARGS[@]+"${ARGS[@]}"}
        done
    done
}

run_go_tests() {
    local ver case strip bin name v extra args no_variants
    for ver in ${go_versions[@]+"${go_versions[@]}"}; do
        for case in "${go_cases[@]}"; do
            for strip in unstripped stripped; do
                bin=$(go_binary "$ver" "$case" "$strip")
                load_case_conf "tests/go/$case"
                if [ ${#VARIANTS[@]} -eq 0 ]; then
                    VARIANTS=("") # one run with ARGS only
                    no_variants=1
                else
                    no_variants=
                fi
                for v in "${VARIANTS[@]}"; do
                    if [ -n "$no_variants" ]; then
                        name=go$ver/$case/$strip
                    else
                        name=go$ver/$case:$(variant_label "$v")/$strip
                    fi
                    selected "$name" || continue
                    check_built "$name" "$bin" || continue
                    read -r -a extra <<<"$v"
                    args=(${ARGS[@]+"${ARGS[@]}"} ${extra[@]+"${extra[@]}"})
                    compare_program "$name" "$bin" ${args[@]+"${args[@]}"}
                done
            done
        done
    done
}

# ---------------------------------------------------------------------------- main

ulimit -c 0 # a crash under test must not litter the tree with core files
mkdir -p "$out"

[ -n "$selftest" ] && note "ASIS_RUNNER_SELFTEST: every program runs natively twice, asis is not used"
build_asis
find_go_versions

# Build the test programs in the background while the unit tests run: neither depends
# on the other, and the unit tests are not sensitive to timing.
build_start=$SECONDS
build_programs &
build_pid=$!

run_unit_tests

wait "$build_pid"
for f in "$out"/go/*/build-time.txt "$out/c/build-time.txt"; do
    [ -f "$f" ] && note "build $(cat "$f")"
done
note "building test programs took $((SECONDS - build_start)) s"

if ! have_asis; then
    echo "build/asis or build/asis-rt is missing (make all failed?): C and Go tests not run" |
        not_ok "build/asis"
    finish
fi

run_c_tests
run_go_tests
run_gostd_tests
finish
