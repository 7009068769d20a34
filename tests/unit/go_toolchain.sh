#!/usr/bin/env bash
# A real workload: Go's own go command, run under asis, builds a module and runs its
# tests (go build and go test start compile, link, vet and the test binary, all under
# asis too), with its build cache on an asis tmpfs. Every installed toolchain whose go
# command is statically linked (go1.19's is not; asis cannot start dynamic programs yet).
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/mod"
cat >"$tmp/mod/main.go" <<'GO'
package main

import "fmt"

func double(x int) int { return 2 * x }

func main() { fmt.Println("built under asis:", double(21)) }
GO
cat >"$tmp/mod/main_test.go" <<'GO'
package main

import "testing"

func TestDouble(t *testing.T) {
	if double(21) != 42 {
		t.Fatal("double(21) != 42")
	}
}
GO
printf 'module asistest\n\ngo 1.21\n' >"$tmp/mod/go.mod"

ran=0
for goroot in /usr/lib/go-1.*; do
    go=$goroot/bin/go
    [ -x "$go" ] || continue
    ver=${goroot##*/go-}
    if ! od -An -c -N 4 "$go" | grep -q 'E   L   F' ||
        readelf -l "$go" 2>/dev/null | grep -q 'INTERP'; then
        echo "# go$ver: its go command is dynamically linked; skipped"
        continue
    fi
    ran=1
    rm -f "$tmp/mod/hello"
    (cd "$tmp/mod" && env GOCACHE=/gocache GOPATH="$tmp/gopath" GOTOOLCHAIN=local \
        GOFLAGS= CGO_ENABLED=0 GOENV=off timeout 600 "$ASIS" run --tmpfs=/gocache \
        "$go" build -o hello .) >"$tmp/build.out" 2>&1
    check "go$ver: go build under asis succeeds" [ $? -eq 0 ]
    check "go$ver: the program it built runs" \
        [ "$("$tmp/mod/hello" 2>&1)" = "built under asis: 42" ]
    (cd "$tmp/mod" && env GOCACHE=/gocache GOPATH="$tmp/gopath" GOTOOLCHAIN=local \
        GOFLAGS= CGO_ENABLED=0 GOENV=off timeout 600 "$ASIS" run --tmpfs=/gocache \
        "$go" test -count=1 .) >"$tmp/test.out" 2>&1
    check "go$ver: go test under asis passes" has_line "$tmp/test.out" '^ok[[:space:]]+asistest'
    [ "$failed" -eq 0 ] || { echo "# go build:"; sed 's/^/#   /' "$tmp/build.out" | tail -20;
        echo "# go test:"; sed 's/^/#   /' "$tmp/test.out" | tail -20; }
done
check "at least one toolchain has a static go command" [ "$ran" -eq 1 ]
finish
