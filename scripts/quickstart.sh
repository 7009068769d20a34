#!/usr/bin/env bash
# From a fresh clone: installs what asis needs from Debian's packages, builds asis, builds
# a Go hello world with the newest Go toolchain installed, and runs it under asis.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all
go=$(ls -d /usr/lib/go-1.* | sort -V | tail -n 1)/bin/go
mkdir -p build/quickstart
cat > build/quickstart/hello.go <<'GO'
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	host, _ := os.Hostname()
	fmt.Printf("hello from %s under asis on %s (pid %d)\n", runtime.Version(), host, os.Getpid())
}
GO
(cd build/quickstart && CGO_ENABLED=0 GOTOOLCHAIN=local GOCACHE="$PWD/../gocache/quickstart" \
    "$go" build -o hello hello.go)
echo "$ build/asis run build/quickstart/hello"
build/asis run build/quickstart/hello
