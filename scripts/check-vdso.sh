#!/bin/sh
# Build check of asis's vDSO (rt/vdso): the runtime maps it as it is, at any address, as
# app code, so it must need no relocation, touch neither %fs (the app's) nor %gs (asis's),
# make no syscall (outside asis's gate it would trap), keep no writable data, and export what Linux's x86-64 vDSO exports, version LINUX_2.6.
# Usage: scripts/check-vdso.sh VDSO_SO
set -eu
so=$1
fail() { echo "check-vdso: $so: $*" >&2; exit 1; }
relocs=$(readelf -rW "$so")
echo "$relocs" | grep -q 'There are no relocations' || fail "has relocations: $relocs"
objdump -d --no-show-raw-insn "$so" | grep -E '%[fg]s(:|\b)' && fail "uses %fs or %gs"
objdump -d --no-show-raw-insn "$so" | grep -E '\s(syscall|sysenter|int\s+\$0x80)\b' &&
    fail "makes a syscall"
loads=$(readelf -lW "$so" | grep -c '^ *LOAD')
[ "$loads" -eq 1 ] || fail "has $loads PT_LOAD segments, not one"
readelf -lW "$so" | grep '^ *LOAD' | grep -q ' R E ' || fail "its PT_LOAD is not read+execute only"
for f in clock_gettime gettimeofday time getcpu clock_getres; do
    for name in "__vdso_$f" "$f"; do
        readelf -W --dyn-syms "$so" | grep -Eq " FUNC .* ${name}@@LINUX_2\.6\$" ||
            fail "does not export $name@@LINUX_2.6"
    done
done
