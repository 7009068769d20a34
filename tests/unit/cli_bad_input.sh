#!/usr/bin/env bash
# The front end's handling of bad input: for each kind of bad file or command line, asis
# must exit with its own status (common/exit_codes.h), print exactly one "asis: " line
# naming the file on stderr and nothing on stdout. Then a seeded mutation run: corrupted
# copies of a static program must either be rejected that way or behave like the native run.
#
# Environment: ASIS (front end, default build/asis), MUTANTS (default 300), SEED (default 1).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ASIS=${ASIS:-$root/build/asis}
case $ASIS in /*) ;; *) ASIS=$PWD/$ASIS ;; esac
MUTANTS=${MUTANTS:-300}
SEED=${SEED:-1}
TIMEOUT=10
CC=${CC:-gcc}

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

if [ ! -x "$ASIS" ]; then
    not_ok "front end" "$ASIS is not built"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asis-cli-bad-input.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 # crashing mutants must not leave core files behind

# ---- helpers ----

# u16/u32/u64 FILE OFFSET: a little-endian field of FILE.
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }

# patch FILE OFFSET BYTE...: overwrite bytes in place.
patch() {
    local file=$1 off=$2 fmt='' b
    shift 2
    for b in "$@"; do fmt+=$(printf '\\0%03o' "$b"); done
    printf '%b' "$fmt" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

# now_ms: wall clock in milliseconds, to tell a hang from an exit status that looks like one.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_timed OUT ERR CMD...: runs CMD with a hard timeout; sets st (exit status as bash
# reports it, 128+N for death by signal N) and hung (1 if the timeout fired).
run_timed() {
    local out=$1 err=$2 t0
    shift 2
    t0=$(now_ms)
    # The subshell reports "Segmentation fault" and the like to /dev/null, not to us.
    (
        timeout -s KILL "$TIMEOUT" "$@" >"$out" 2>"$err" </dev/null
        exit $?
    ) 2>/dev/null
    st=$?
    hung=0
    if [ "$st" -eq 137 ] && [ $(($(now_ms) - t0)) -ge $((TIMEOUT * 1000 - 500)) ]; then
        hung=1
    fi
}

# rejection_problem FILE|'' : why the last asis run (st, $tmp/out, $tmp/err) is not a clean
# rejection, or nothing. A clean rejection: stdout empty, stderr exactly one line that
# starts with "asis: " and contains FILE (when given).
rejection_problem() {
    local file=$1 lines
    lines=$(awk 'END { print NR }' "$tmp/err")
    if [ "$hung" -eq 1 ]; then
        echo "hung"
    elif [ -s "$tmp/out" ]; then
        echo "wrote to stdout: $(head -c 100 "$tmp/out" | tr -c '[:print:]' '?')"
    elif [ "$lines" -ne 1 ]; then
        echo "$lines lines on stderr: $(head -c 300 "$tmp/err" | tr '\n' '|')"
    elif ! head -n 1 "$tmp/err" | grep -q '^asis: '; then
        echo "stderr line does not start with 'asis: ': $(head -c 200 "$tmp/err")"
    elif [ -n "$file" ] && ! grep -qF -- "$file" "$tmp/err"; then
        echo "stderr does not name $file: $(head -c 200 "$tmp/err")"
    fi
}

# expect_reject NAME STATUS FILE|'' ARGS...: runs asis ARGS and checks a clean rejection.
expect_reject() {
    local name=$1 want=$2 file=$3 problem
    shift 3
    run_timed "$tmp/out" "$tmp/err" "$ASIS" "$@"
    problem=$(rejection_problem "$file")
    if [ "$st" -ne "$want" ]; then
        not_ok "$name" "exit status $st, want $want (stderr: $(head -c 200 "$tmp/err" | tr '\n' '|'))"
    elif [ -n "$problem" ]; then
        not_ok "$name" "$problem"
    else
        ok "$name"
    fi
}

# ---- test programs, built now ----

cat >"$tmp/hello.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv)
{
    printf("hello from %s with %d args\n", argv[0], argc);
    return 42;
}
EOF
static=$tmp/hello_static
if ! "$CC" -static -O1 -o "$static" "$tmp/hello.c" 2>"$tmp/cc.err"; then
    not_ok "build static hello" "$(head -c 300 "$tmp/cc.err")"
    finish
fi
cat >"$tmp/mutate.c" <<'EOF'
/* mutate IN OUT SEED: writes IN to OUT with one seeded corruption of the ELF header or
 * program headers, or cut short; prints what it did. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static uint64_t s;
static uint64_t rnd(void)
{
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static void put(uint8_t *p, int n, uint64_t v)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t interesting(uint64_t orig, uint64_t size)
{
    switch (below(10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return UINT64_MAX - below(0x2000);
    case 3: return 0x800000000000ull - 0x1000 * below(3);
    case 4: return size + below(3) - 1;
    case 5: return orig + 0x1000 * below(5) - 0x2000;
    case 6: return orig ^ ((uint64_t)1 << below(64));
    case 7: return orig + below(64) - 32;
    case 8: return rnd();
    default: return orig / 2;
    }
}
int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    s = strtoull(argv[3], 0, 0);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        return 2;
    long size = ftell(f);
    uint8_t *b = malloc(size);
    rewind(f);
    if (!b || size < 64 || fread(b, 1, size, f) != (size_t)size)
        return 2;
    fclose(f);
    uint64_t phoff = get(b + 32, 8), phnum = get(b + 56, 2);
    uint64_t area = 64 + 56 * phnum;
    if (phoff != 64 || area > (uint64_t)size)
        return 2;
    long out_size = size;
    uint64_t kind = below(10);
    if (kind < 5) {
        int n = 1 + (int)below(4);
        for (int i = 0; i < n; i++) {
            uint64_t at = below(area);
            uint8_t v = (uint8_t)(below(2) ? b[at] ^ (1u << below(8)) : rnd());
            printf("%sbyte %#llx: %#x -> %#x", i ? "; " : "", (unsigned long long)at, b[at], v);
            b[at] = v;
        }
    } else if (kind < 7) {
        out_size = (long)(below(2) ? below(area + 64) : below((uint64_t)size));
        printf("cut to %ld of %ld bytes", out_size, size);
    } else if (kind < 8) {
        static const int off[] = {24, 32, 56, 54, 16};
        static const int len[] = {8, 8, 2, 2, 2};
        int k = (int)below(5);
        uint64_t v = interesting(get(b + off[k], len[k]), size);
        printf("header field at %d: %#llx -> %#llx", off[k],
               (unsigned long long)get(b + off[k], len[k]), (unsigned long long)v);
        put(b + off[k], len[k], v);
    } else {
        static const int off[] = {0, 4, 8, 16, 32, 40, 48};
        static const int len[] = {4, 4, 8, 8, 8, 8, 8};
        uint64_t i = below(phnum);
        int k = (int)below(7);
        uint8_t *p = b + 64 + 56 * i;
        uint64_t v = k == 1 ? below(8) : k == 0 && below(2) ? below(8) : interesting(get(p + off[k], len[k]), size);
        printf("phdr %llu field at %d: %#llx -> %#llx", (unsigned long long)i, off[k],
               (unsigned long long)get(p + off[k], len[k]), (unsigned long long)v);
        put(p + off[k], len[k], v);
        if ((k == 2 || k == 3) && below(2)) { /* keep p_vaddr congruent with p_offset */
            put(p + 16, 8, (get(p + 16, 8) & ~0xfffull) | (get(p + 8, 8) & 0xfff));
            printf(" (p_vaddr kept congruent)");
        }
    }
    printf("\n");
    f = fopen(argv[2], "wb");
    if (!f || fwrite(b, 1, out_size, f) != (size_t)out_size || fclose(f) != 0)
        return 2;
    return 0;
}
EOF
if ! "$CC" -O1 -o "$tmp/mutate" "$tmp/mutate.c" 2>"$tmp/cc.err"; then
    not_ok "build mutator" "$(head -c 300 "$tmp/cc.err")"
    finish
fi

# ---- one case per kind of bad input ----

expect_reject "missing file" 127 "$tmp/no-such-file" run "$tmp/no-such-file"

mkdir "$tmp/a-directory"
expect_reject "directory" 126 "$tmp/a-directory" run "$tmp/a-directory"

cp "$static" "$tmp/not_executable"
chmod 0644 "$tmp/not_executable"
expect_reject "ELF without execute permission" 126 "$tmp/not_executable" run "$tmp/not_executable"

: >"$tmp/empty"
chmod +x "$tmp/empty"
expect_reject "empty file" 121 "$tmp/empty" run "$tmp/empty"

printf 'hello world\nthis is not a program\n' >"$tmp/text"
chmod +x "$tmp/text"
expect_reject "text file without #!" 121 "$tmp/text" run "$tmp/text"

phnum=$(u16 "$static" 56)
head -c $((64 + 56 * phnum - 30)) "$static" >"$tmp/cut_in_phdrs"
chmod +x "$tmp/cut_in_phdrs"
expect_reject "ELF cut inside the program headers" 122 "$tmp/cut_in_phdrs" run "$tmp/cut_in_phdrs"

# Cut in the middle of the PT_LOAD whose file bytes end last.
cut=0 end=0
for ((i = 0; i < phnum; i++)); do
    ph=$((64 + 56 * i))
    if [ "$(u32 "$static" $ph)" -eq 1 ]; then
        off=$(u64 "$static" $((ph + 8)))
        fsz=$(u64 "$static" $((ph + 32)))
        if [ "$fsz" -gt 1 ] && [ $((off + fsz)) -gt "$end" ]; then
            end=$((off + fsz)) cut=$((off + fsz / 2))
        fi
    fi
done
head -c "$cut" "$static" >"$tmp/cut_in_segment"
chmod +x "$tmp/cut_in_segment"
expect_reject "ELF cut inside a segment" 122 "$tmp/cut_in_segment" run "$tmp/cut_in_segment"

cp /bin/true "$tmp/elf32"
patch "$tmp/elf32" 4 1
expect_reject "ELFCLASS32" 123 "$tmp/elf32" run "$tmp/elf32"

cp /bin/true "$tmp/big_endian"
patch "$tmp/big_endian" 5 2
expect_reject "big-endian ELF" 123 "$tmp/big_endian" run "$tmp/big_endian"

cp /bin/true "$tmp/aarch64"
patch "$tmp/aarch64" 18 183 0
expect_reject "EM_AARCH64" 123 "$tmp/aarch64" run "$tmp/aarch64"

if "$CC" -c -o "$tmp/object.o" "$tmp/hello.c" 2>"$tmp/cc.err"; then
    chmod +x "$tmp/object.o"
    expect_reject "relocatable object" 124 "$tmp/object.o" run "$tmp/object.o"
else
    not_ok "relocatable object" "gcc -c failed: $(head -c 200 "$tmp/cc.err")"
fi

if "$CC" -O1 -o "$tmp/hello_dynamic" "$tmp/hello.c" 2>"$tmp/cc.err"; then
    expect_reject "dynamically linked program" 124 "$tmp/hello_dynamic" run "$tmp/hello_dynamic"
    if ! grep -q 'dynamically linked' "$tmp/err"; then
        not_ok "dynamic program message" "does not say 'dynamically linked': $(head -c 200 "$tmp/err")"
    else
        ok "dynamic program message"
    fi
else
    not_ok "dynamically linked program" "gcc failed: $(head -c 200 "$tmp/cc.err")"
fi

expect_reject "usage: no arguments" 125 ''
expect_reject "usage: run without a program" 125 '' run
expect_reject "usage: unknown option" 125 '' run --bogus "$static"
# The file-system view's options: each bad one is one message naming it, status 125.
expect_reject "view: --root missing" 125 "$tmp/no-such-dir" run --root="$tmp/no-such-dir" "$static"
expect_reject "view: --root a file" 125 "$static" run --root="$static" "$static"
expect_reject "view: --bind without GUEST" 125 "--bind" run --bind="$tmp" "$static"
expect_reject "view: --bind relative GUEST" 125 "relative" run --bind="$tmp:relative" "$static"
expect_reject "view: --tmpfs relative" 125 "rel" run --tmpfs=rel "$static"
expect_reject "view: --cwd relative" 125 "rel" run --cwd=rel "$static"
expect_reject "view: --cwd not in the view" 125 "/no-such-dir" run --cwd=/no-such-dir "$static"
expect_reject "view: --uname-release too long" 125 "--uname-release" \
    run --uname-release="$(printf 'x%.0s' $(seq 70))" "$static"

# ---- the unmodified program, so the mutation run below is not vacuous ----

run_timed "$tmp/native.out" "$tmp/native.err" "$static"
native_st=$st
run_timed "$tmp/out" "$tmp/err" "$ASIS" run "$static"
if [ "$st" -ne "$native_st" ] || ! cmp -s "$tmp/out" "$tmp/native.out"; then
    not_ok "static hello runs like native" "status $st, native $native_st; stdout $(head -c 100 "$tmp/out" | tr '\n' '|')"
else
    ok "static hello runs like native"
fi

# ---- mutants: asis rejects each cleanly or behaves like the native run ----

fail_dir=$root/build/test-failures/cli_bad_input
rm -rf "$fail_dir" # failures kept from an earlier run would mislead
rejected=0 same=0 both_hung=0 fragile=0 bad=0
padding=$(printf '%01000d' 0)
for ((m = 0; m < MUTANTS; m++)); do
    mut=$tmp/mutant
    rm -f "$mut"
    desc=$("$tmp/mutate" "$static" "$mut" $((SEED * 1000003 + m))) || {
        not_ok "mutants" "mutator failed on mutant $m"
        bad=$((bad + 1))
        break
    }
    chmod +x "$mut"
    # Natively through bash's exec, which refuses binary garbage instead of handing it
    # to /bin/sh as a script (what execvp would do on ENOEXEC).
    # shellcheck disable=SC2016
    run_timed "$tmp/native.out" "$tmp/native.err" bash -c 'exec "$0"' "$mut"
    native_st=$st native_hung=$hung
    run_timed "$tmp/out" "$tmp/err" "$ASIS" run "$mut"
    problem=''
    if [ "$hung" -eq 0 ] && [ "$st" -ge 121 ] && [ "$st" -le 124 ] &&
        [ -z "$(rejection_problem "$mut")" ]; then
        rejected=$((rejected + 1))
        continue
    elif [ "$hung" -eq 1 ]; then
        if [ "$native_hung" -eq 1 ]; then
            both_hung=$((both_hung + 1))
            continue
        fi
        problem="asis hung; native exited $native_st"
    elif [ "$native_hung" -eq 1 ]; then
        problem="native hung; asis exited $st"
    elif [ "$st" -gt 128 ] && [ "$native_st" -gt 128 ] && ! grep -q 'internal error' "$tmp/err"; then
        # Both died of a signal: a corrupted program crashes wherever its corruption
        # leads, which depends on layout (its heap follows the path /proc/self/exe
        # names, for one); only a crash asis reports as its own is a failure.
        same=$((same + 1))
        continue
    elif [ "$st" -ne "$native_st" ]; then
        problem="asis exited $st, native $native_st"
    elif ! cmp -s "$tmp/out" "$tmp/native.out"; then
        problem="same status $st but stdout differs"
    else
        same=$((same + 1))
        continue
    fi
    if [ "$st" -ge 121 ] && [ "$st" -le 124 ] && [ "$hung" -eq 0 ]; then
        problem="rejected with $st but $(rejection_problem "$mut")"
    else
        # A corrupted program can depend on ASLR or on where things happen to lie (its
        # stack moves with the length of argv[0] and the environment); asis cannot be
        # expected to reproduce that, so the comparison only counts if the native outcome
        # survives a rerun, a longer program name and a larger environment.
        ln -sf "$mut" "$tmp/mutant-under-a-longer-name-that-moves-the-initial-stack"
        # shellcheck disable=SC2016
        run_timed "$tmp/native2.out" "$tmp/native2.err" bash -c 'exec "$0"' "$mut"
        st2=$st hung2=$hung
        # shellcheck disable=SC2016
        run_timed "$tmp/native3.out" "$tmp/native3.err" bash -c 'exec "$0"' \
            "$tmp/mutant-under-a-longer-name-that-moves-the-initial-stack"
        st3=$st hung3=$hung
        # shellcheck disable=SC2016
        run_timed "$tmp/native4.out" "$tmp/native4.err" env "ASIS_TEST_PADDING=$padding" \
            bash -c 'exec "$0"' "$mut"
        if [ "$st2" -ne "$native_st" ] || [ "$hung2" -ne "$native_hung" ] ||
            ! cmp -s "$tmp/native.out" "$tmp/native2.out" ||
            [ "$st3" -ne "$native_st" ] || [ "$hung3" -ne "$native_hung" ] ||
            [ "$st" -ne "$native_st" ] || [ "$hung" -ne "$native_hung" ]; then
            fragile=$((fragile + 1))
            continue
        fi
    fi
    bad=$((bad + 1))
    if [ "$bad" -le 20 ]; then
        mkdir -p "$fail_dir"
        cp "$mut" "$fail_dir/mutant-$SEED-$m"
        echo "# mutant $m ($desc): $problem; kept as $fail_dir/mutant-$SEED-$m"
    fi
done
summary="$MUTANTS mutants: $rejected rejected, $same ran like native, $both_hung hung both ways, $fragile not repeatable natively"
if [ "$bad" -gt 0 ]; then
    not_ok "mutants" "$bad misbehaved ($summary)"
elif [ "$same" -eq 0 ]; then
    # Corrupting e_shoff, padding or p_paddr leaves a runnable program; rejecting all
    # of them means the mutation run tested nothing.
    not_ok "mutants" "none ran ($summary)"
else
    ok "mutants ($summary)"
fi

finish
