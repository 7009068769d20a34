#!/usr/bin/env bash
# Runs every test of asis: installs what is missing from Debian's packages (Go
# toolchains, Zydis), builds, then runs tests/run.sh (unit, C and Go tests, each program
# natively and under asis). The last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all unit
exec tests/run.sh "$@"
