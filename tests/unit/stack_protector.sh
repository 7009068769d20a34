#!/usr/bin/env bash
# The runtime is built with -fstack-protector-strong, its canary read from the asis thread
# block at %gs:8 (Makefile RT_CFLAGS, rt/tcb.h). A smashed canary is an asis bug: asis
# prints one report naming the function and dies of SIGABRT, never hangs or goes on with
# the app. No app can smash asis's stack, so gdb changes the canary in the thread block
# ($gs_base + 8) while sys_uname runs, just after its prologue loaded it: the epilogue's
# check then fails, which it can only if it reads the canary from %gs. Both trap modes.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"
rt=$(dirname "$ASIS")/asis-rt

# Every function that calls __stack_chk_fail compares against %gs:0x8; nothing uses
# glibc's %fs:0x28 (the app's).
objdump -d --no-show-raw-insn "$rt" >"$tmp/dis"
awk '/^[0-9a-f]+ <.*>:$/ { f = $2 }
     /call.*<__stack_chk_fail>/ { calls[f] = 1 }
     /%gs:0x8([^0-9a-fx]|$)/ { gs[f] = 1 }
     END { for (f in calls) { n++; if (!(f in gs)) bad++ }
           printf "%d %d\n", n, bad }' "$tmp/dis" >"$tmp/callers"
read -r n_callers n_without_gs <"$tmp/callers"
check "the runtime is instrumented ($n_callers functions call __stack_chk_fail)" \
    [ "$n_callers" -gt 10 ]
check "each of them reads the canary from %gs:0x8" [ "$n_without_gs" = 0 ]
check "sys_uname is one of them" \
    bash -c "awk '/<sys_uname>:\$/,/^\$/' '$tmp/dis' | grep -q 'call.*<__stack_chk_fail>'"
check "no %fs:0x28 canary anywhere" bash -c "! grep -q '%fs:0x28' '$tmp/dis'"

# Where to stop: the instruction after sys_uname's first %gs:0x8 reference, the
# prologue's load of the canary (the copy on its stack is then the unchanged one).
start=$(awk '$3 == "sys_uname" { print $1 }' <(nm "$rt"))
after_load=$(awk '/<sys_uname>:$/ { f = 1; next }
                  f && /^$/ { exit }
                  f && /%gs:0x8([^0-9a-fx]|$)/ { g = 1; next }
                  f && g && /^ *[0-9a-f]+:/ { sub(":", "", $1); print $1; exit }' "$tmp/dis")
if [ -z "$start" ] || [ -z "$after_load" ]; then
    echo "not ok - find sys_uname's canary load in $rt"
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
fi
stop=$(printf '0x%x' $((0x$after_load - 0x$start)))

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

# run_gdb NAME TRAP GDB-COMMANDS: runs the app under gdb with --trap=TRAP, stopped in
# sys_uname just after the canary load, where GDB-COMMANDS run; output in $tmp/NAME.
run_gdb() {
    cat >"$tmp/$1.cmd" <<G
set pagination off
handle SIGSYS nostop noprint pass
handle SIGABRT nostop print pass
catch exec
run
break *(sys_uname + $stop)
continue
$3
continue
G
    timeout 120 gdb -q -batch -x "$tmp/$1.cmd" --args "$ASIS" run --trap="$2" "$tmp/un" \
        >"$tmp/$1" 2>&1
}
# shellcheck disable=SC2016 # gdb's $gs_base, not the shell's
smash='set var *(long *)($gs_base + 8) ^= 0x100'
report='^asis: internal error: stack smashing detected in asis code'
runs=()

run_gdb control sud ''
runs+=(control)
check "control: gdb stopped in sys_uname after the canary load" \
    has_line "$tmp/control" "^Breakpoint 2, .*sys_uname"
check "control: the app goes on" has_line "$tmp/control" "^uname returned"
check "control: no report" bash -c "! grep -q 'stack smashing' '$tmp/control'"
check "control: the app exited normally" has_line "$tmp/control" "exited normally"

for trap in sud seccomp; do
    out=$tmp/smashed-$trap
    runs+=("smashed-$trap")
    run_gdb "smashed-$trap" "$trap" "printf \"gs_base is the thread block: %d\\n\", *(long *)\$gs_base == \$gs_base
$smash"
    check "$trap: gdb stopped in sys_uname after the canary load" \
        has_line "$out" "^Breakpoint 2, .*sys_uname"
    check "$trap: \$gs_base is the asis thread block (its self pointer)" \
        has_line "$out" "^gs_base is the thread block: 1"
    check "$trap: one report names the function and the place" \
        has_line "$out" "$report in sys_uname\+0x[0-9a-f]+ \(asis-rt\+0x[0-9a-f]+\); this is an asis bug$"
    # The name's offset and the offset in asis-rt must agree with sys_uname's address.
    read -r name_off rt_off < <(sed -nE "s/$report in sys_uname\+(0x[0-9a-f]+) \(asis-rt\+(0x[0-9a-f]+)\).*/\1 \2/p" "$out")
    check "$trap: sys_uname+${name_off:-?} is asis-rt+${rt_off:-?}" \
        [ $((${rt_off:-0} - 0x$start)) = $((${name_off:--1})) ]
    check "$trap: the syscall being served follows (uname, 63)" \
        has_line "$out" "^asis:   while serving syscall 63 from app rip 0x[0-9a-f]+"
    check "$trap: the process died of SIGABRT" has_line "$out" "^Program terminated with signal SIGABRT"
    check "$trap: the app never went on" bash -c "! grep -q 'uname returned' '$out'"
    check "$trap: exactly one report" [ "$(grep -c 'stack smashing' "$out")" = 1 ]
done

# A runtime file that is not the one loaded (here: the loaded ELF header no longer
# matches the file's) gives no name, only the offset.
run_gdb unnamed sud "set var *((char *)&__ehdr_start + 0x28) ^= 1
$smash"
runs+=(unnamed)
check "without a trustworthy file: the offset alone" \
    has_line "$tmp/unnamed" "$report at asis-rt\+0x[0-9a-f]+; this is an asis bug"
check "and the process still died of SIGABRT" \
    has_line "$tmp/unnamed" "^Program terminated with signal SIGABRT"
check "and exactly one report" [ "$(grep -c 'stack smashing' "$tmp/unnamed")" = 1 ]

if [ "$failed" -ne 0 ]; then
    for f in "${runs[@]}"; do
        echo "# $f:"
        sed 's/^/#   /' "$tmp/$f"
    done
fi
finish
