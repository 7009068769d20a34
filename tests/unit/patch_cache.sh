#!/usr/bin/env bash
# The patch-plan cache (cli/plan_cache.c, docs/patching-design.md 5.2), in a private
# XDG_CACHE_HOME:
# - the first inspect computes the plan, the second finds it cached, and a warm
#   `asis run` neither maps nor reads the program beyond its ELF head (strace) while a
#   cold one does (so the check can fail);
# - a copy and a touched file (new identity, same bytes) find the same plan by content,
#   and the cache still holds one plan;
# - a damaged plan (a flipped byte, a cut, a wrong index entry) is noticed and recomputed;
# - with an unusable cache directory or ASIS_PLAN_CACHE=off, programs still run and get
#   their plan (a memfd), and nothing is written.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    printf("ppid %d\n", getppid() > 0);
    return 3;
}
C
build_static prog
prog=$tmp/prog
export XDG_CACHE_HOME=$tmp/cache
unset ASIS_PLAN_CACHE
plans=$XDG_CACHE_HOME/asis/plans

plan_line() { "$ASIS" inspect "$1" | grep '^plan:'; }
plan_files() { find "$plans" -maxdepth 1 -name '*.plan' | wc -l; }
# runs_ok PROGRAM: under asis, the same output and status as natively.
runs_ok() { [ "$("$ASIS" run "$1")" = "ppid 1" ] && { "$ASIS" run "$1" >/dev/null; [ $? -eq 3 ]; }; }

check "first inspect computes the plan" has_line <(plan_line "$prog") '^plan: +computed'
"$ASIS" inspect --sites "$prog" >"$tmp/sites.ref"
check "the plan has sites" [ -s "$tmp/sites.ref" ]
check "second inspect finds it cached" has_line <(plan_line "$prog") '^plan: +cached \('
check "one plan and one index entry stored" \
    [ "$(plan_files)" -eq 1 ] && [ "$(find "$plans/by-id" -type f | wc -l)" -eq 1 ]

# front_end_trace OUT: strace of the front end of `asis run $prog`, from its opening of
# the program to the exec of the runtime; sets prog_fd to the program's descriptor.
front_end_trace() {
    strace -o "$tmp/strace.all" -e trace=execve,openat,mmap,read,pread64 "$ASIS" run "$prog" >/dev/null 2>&1
    awk -v open="openat(AT_FDCWD, \"$prog\"," '/^execve\(/ { n++ } index($0, open) == 1 { on = 1 }
        on && n < 2' "$tmp/strace.all" >"$1"
    prog_fd=$(sed -n "s|^openat(AT_FDCWD, \"$prog\", .*) = \([0-9]*\)$|\1|p" "$1" | head -1)
}
# reads_program TRACE: the front end mapped the program or read past its ELF head.
reads_program() {
    grep -Eq "^mmap\(.*, $prog_fd, 0\) = |^read\($prog_fd, |^pread64\($prog_fd, .*, [1-9][0-9]*\) = " "$1"
}
if command -v strace >/dev/null; then
    front_end_trace "$tmp/warm.trace"
    check "warm run: the front end opened the program" [ -n "$prog_fd" ]
    check "warm run: the program is not mapped or read (no hashing, no analysis)" \
        eval '! reads_program "$tmp/warm.trace"'
    rm -rf "$plans"
    front_end_trace "$tmp/cold.trace"
    check "cold run: the program is mapped (the check above can fail)" reads_program "$tmp/cold.trace"
else
    check "strace is installed (scripts/install-deps.sh)" false
fi

# Same bytes, another identity: found by content, one plan in the cache.
cp "$prog" "$tmp/copy"
check "a copy finds the plan by content" has_line <(plan_line "$tmp/copy") '^plan: +cached \(found by content'
check "the copy's sites are the original's" cmp -s "$tmp/sites.ref" <("$ASIS" inspect --sites "$tmp/copy" | sed "s|$tmp/copy|$prog|")
sleep 0.01
touch "$prog"
check "a touched program finds the plan by content" has_line <(plan_line "$prog") '^plan: +cached \(found by content'
check "then it is cached by identity again" has_line <(plan_line "$prog") '^plan: +cached \('
check "still one plan in the cache" [ "$(plan_files)" -eq 1 ]

# Damage: each kind is noticed, recomputed to the same sites, and stored again intact.
plan=$(find "$plans" -maxdepth 1 -name '*.plan')
size=$(stat -c %s "$plan")
damage() {
    case $1 in
    flip)
        byte=$(od -An -tu1 -j $((size / 2)) -N1 "$plan" | tr -d ' ')
        printf "\\$(printf %03o $((byte ^ 0xff)))" | dd of="$plan" bs=1 seek=$((size / 2)) conv=notrunc status=none
        ;;
    header) printf 'X' | dd of="$plan" bs=1 seek=0 conv=notrunc status=none ;;
    cut) truncate -s $((size - 7)) "$plan" ;;
    empty) : >"$plan" ;;
    index) for f in "$plans"/by-id/*; do printf '%064d\n' 0 >"$f"; done ;;
    garbage) for f in "$plans"/by-id/*; do printf 'not hex' >"$f"; done ;;
    esac
}
for kind in flip header cut empty index garbage; do
    damage $kind
    check "damaged ($kind): recomputed" has_line <(plan_line "$prog") '^plan: +(computed|cached \(found by content)'
    check "damaged ($kind): same sites" cmp -s "$tmp/sites.ref" <("$ASIS" inspect --sites "$prog")
    check "damaged ($kind): cached again afterwards" has_line <(plan_line "$prog") '^plan: +cached \('
    check "damaged ($kind): the program runs" runs_ok "$prog"
done

# No usable cache: a file where the directory should be (root ignores permissions).
: >"$tmp/not-a-dir"
check "unusable cache dir: the program runs" env XDG_CACHE_HOME="$tmp/not-a-dir/x" bash -c "$(declare -f runs_ok); ASIS=$ASIS runs_ok $prog"
check "unusable cache dir: inspect computes the plan every time" \
    has_line <(XDG_CACHE_HOME="$tmp/not-a-dir/x" plan_line "$prog") '^plan: +computed'
check "unusable cache dir: same sites" \
    cmp -s "$tmp/sites.ref" <(XDG_CACHE_HOME="$tmp/not-a-dir/x" "$ASIS" inspect --sites "$prog")
check "unusable cache dir: --log=info says the plan was computed" \
    has_line <(XDG_CACHE_HOME="$tmp/not-a-dir/x" "$ASIS" run --log=info "$prog" 2>&1 >/dev/null) 'patch plan computed'

# ASIS_PLAN_CACHE=off: nothing read or written.
rm -rf "$XDG_CACHE_HOME"
check "ASIS_PLAN_CACHE=off: computed" has_line <(ASIS_PLAN_CACHE=off plan_line "$prog") '^plan: +computed'
check "ASIS_PLAN_CACHE=off: the program runs" env ASIS_PLAN_CACHE=off bash -c "$(declare -f runs_ok); ASIS=$ASIS runs_ok $prog"
check "ASIS_PLAN_CACHE=off: nothing written" [ ! -e "$XDG_CACHE_HOME" ]
# HOME is the fallback for XDG_CACHE_HOME.
env -u XDG_CACHE_HOME HOME="$tmp/home" "$ASIS" inspect --sites "$prog" >/dev/null
check "without XDG_CACHE_HOME the plan goes to ~/.cache/asis/plans" \
    [ "$(find "$tmp/home/.cache/asis/plans" -name '*.plan' | wc -l)" -eq 1 ]
finish
