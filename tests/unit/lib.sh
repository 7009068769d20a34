# Shared by the tests/unit/*.sh scripts: where asis is, a scratch directory removed on
# exit, and TAP-like checks ending in "N passed, N failed".
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ASIS=${ASIS:-$root/build/asis}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# check NAME COMMAND...: one test, passed when COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        failed=$((failed + 1))
    fi
}

# has_line FILE REGEX
has_line() { grep -qE "$2" "$1"; }

# build_static NAME: compiles $tmp/NAME.c into $tmp/NAME, or ends the script as failed.
build_static() {
    gcc -O2 -static -o "$tmp/$1" "$tmp/$1.c" || {
        echo "not ok - build $1"
        echo "$passed passed, $((failed + 1)) failed"
        exit 1
    }
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
