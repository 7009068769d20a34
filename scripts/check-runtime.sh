#!/bin/sh
# Build check of the runtime (DESIGN invariants 1 and 3):
#  - no instruction has a %fs operand: %fs belongs to the app;
#  - no syscall instruction lies outside the gate [pal_gate_start, pal_gate_end).
# Usage: scripts/check-runtime.sh RUNTIME_ELF
set -eu
rt=$1
dis=$(mktemp)
trap 'rm -f "$dis"' EXIT
objdump -d --no-show-raw-insn "$rt" > "$dis"

fs_uses=$(grep -E '%fs(:|\b)' "$dis" || true)
if [ -n "$fs_uses" ]; then
    echo "check-runtime: $rt uses %fs, which belongs to the app:" >&2
    echo "$fs_uses" >&2
    exit 1
fi

addr() { nm "$rt" | awk -v s="$1" '$3 == s { print $1 }'; }
start=$(addr pal_gate_start)
end=$(addr pal_gate_end)
if [ -z "$start" ] || [ -z "$end" ]; then
    echo "check-runtime: $rt has no pal_gate_start/pal_gate_end symbols" >&2
    exit 1
fi
outside=$(awk -v s="$((0x$start))" -v e="$((0x$end))" '
    /^ *[0-9a-f]+:\t/ && $0 ~ /\tsyscall/ {
        a = $1; sub(":", "", a)
        v = 0
        for (i = 1; i <= length(a); i++) v = v * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
        if (v < s || v >= e) print
    }' "$dis")
if [ -n "$outside" ]; then
    echo "check-runtime: $rt has syscall instructions outside the gate:" >&2
    echo "$outside" >&2
    exit 1
fi
inside=$(grep -c '	syscall' "$dis" || true)
[ "$inside" -gt 0 ] || { echo "check-runtime: no syscall instruction found at all" >&2; exit 1; }
