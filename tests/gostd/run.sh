#!/bin/bash
# Runs Go's own standard-library tests natively and under asis and compares them test by
# test: a test counts as passed when it passes natively and under asis, as failed when it
# passes natively but not under asis (fails, crashes, hangs or skips). Tests that do not
# pass natively are not compared. tests/gostd/skip.txt lists known gaps, excluded from
# both runs: lines 'go1.NN PKG TestName reason' ('go*' matches every toolchain).
#
# usage: tests/gostd/run.sh [go1.NN ...]     (default: every /usr/lib/go-1.* installed)
# env:   GOSTD_PKGS      packages to test (default below; about 6 minutes per toolchain)
#        GOSTD_WORK      where test binaries, caches and logs go (default build/gostd)
#        GOSTD_TIMEOUT   -test.timeout per run, seconds (default 300)
#        ASIS            the front end (default build/asis)
# The last line is 'N passed, N failed'; the exit status is 1 when any test failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ASIS=${ASIS:-$root/build/asis}
WORK=${GOSTD_WORK:-$root/build/gostd}
TIMEOUT=${GOSTD_TIMEOUT:-300}
SKIP=$here/skip.txt
# runtime is left out: its tests build helper programs with the go command and take long.
PKGS=${GOSTD_PKGS:-"os os/signal io io/fs bufio syscall time sync sync/atomic strings bytes path/filepath encoding/json compress/gzip os/exec context net"}

passed=0 failed=0

# results FILE: "TestName STATUS" for each top-level test in go test -v output, where
# STATUS is PASS, FAIL or SKIP, or NORESULT when the test started but never finished.
results() {
	awk '
	/^=== (RUN|CONT)   / { n = $3; if (n !~ /\//) { if (!(n in st)) { st[n] = "NORESULT"; o[++k] = n }; last = n } }
	/^--- (PASS|FAIL|SKIP): / { n = $3; if (n !~ /\//) { if (!(n in st)) o[++k] = n; st[n] = substr($2, 1, 4) } }
	END { for (i = 1; i <= k; i++) print o[i], st[o[i]]; if (last != "" && st[last] == "NORESULT") print last, "LAST" }
	' "$1"
}

# run_tests MODE BIN LIST OUT: runs the tests named in LIST (one a line), natively or
# under asis, and writes "TestName STATUS" lines to OUT. A crash or hang ends a test
# binary early: the test that was running last is blamed (CRASH) and rerun alone to
# confirm, the ones that had not finished are run again.
run_tests() {
	local mode=$1 bin=$2 list=$3 out=$4 i=0 remaining=$4.remaining
	: > "$out"
	cp "$list" "$remaining"
	local -a prefix=()
	[ "$mode" = asis ] && prefix=("$ASIS" run)
	local solo=()
	while [ -s "$remaining" ] && [ $i -lt 30 ]; do
		local log=$out.log.$i re
		re="^($(paste -sd'|' "$remaining"))\$"
		{ timeout $((TIMEOUT + 60)) "${prefix[@]}" "$bin" -test.short -test.v \
			-test.timeout=${TIMEOUT}s -test.run "$re" > "$log" 2>&1 < /dev/null; } 2>/dev/null
		results "$log" > "$log.res"
		grep -E ' (PASS|FAIL|SKIP)$' "$log.res" >> "$out"
		if grep -qE '^(PASS|FAIL)$' "$log"; then
			: > "$remaining" # finished normally: what did not run was filtered out
			break
		fi
		local blamed
		blamed=$(awk '$2 == "LAST" { print $1 }' "$log.res")
		[ -n "$blamed" ] || blamed=$(awk '$2 == "NORESULT" { print $1; exit }' "$log.res")
		if [ -z "$blamed" ]; then # died outside any test: what did not finish crashed
			awk 'NR == FNR { if ($2 != "NORESULT" && $2 != "LAST") done[$1] = 1; next }
				!($1 in done) { print $1, "CRASH" }' "$log.res" "$remaining" >> "$out"
			: > "$remaining"
			break
		fi
		solo+=("$blamed")
		# rerun what neither finished nor was blamed
		awk -v b="$blamed" 'NR == FNR { if ($2 != "NORESULT" && $2 != "LAST") done[$1] = 1; next }
			!($1 in done) && $1 != b' "$log.res" "$remaining" > "$remaining.new"
		mv "$remaining.new" "$remaining"
		i=$((i + 1))
	done
	local t
	for t in "${solo[@]}"; do
		local log=$out.log.solo.$t
		{ timeout $((TIMEOUT + 60)) "${prefix[@]}" "$bin" -test.short -test.v \
			-test.timeout=${TIMEOUT}s -test.run "^$t\$" > "$log" 2>&1 < /dev/null; } 2>/dev/null
		local st
		st=$(results "$log" | awk -v t="$t" '$1 == t && $2 != "LAST" { s = $2 } END { print s }')
		case $st in PASS | FAIL | SKIP) ;; *) st=CRASH ;; esac
		echo "$t $st" >> "$out"
	done
}

test_toolchain() {
	local ver=$1 # go1.NN
	local goroot=/usr/lib/go-${ver#go}
	local go=$goroot/bin/go
	[ -x "$go" ] || { echo "$ver: $go not found"; failed=$((failed + 1)); return; }
	local dir=$WORK/$ver
	mkdir -p "$dir"
	local pkg
	for pkg in $PKGS; do
		local name=${pkg//\//_} t0=$SECONDS
		local bin=$dir/$name.test
		if ! (cd "$goroot/src/$pkg" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= \
			GOCACHE=$WORK/cache/$ver "$go" test -c -o "$bin" . > "$dir/$name.build.log" 2>&1); then
			echo "FAIL $ver $pkg: test binary does not build (see $dir/$name.build.log)"
			failed=$((failed + 1))
			continue
		fi
		# every runnable test, minus the skip list
		(cd "$goroot/src/$pkg" && "$bin" -test.list '.*') 2>/dev/null |
			grep -E '^(Test|Example|Fuzz)' | sort -u > "$dir/$name.all"
		awk -v v="$ver" -v p="$pkg" '!/^#/ && ($1 == v || $1 == "go*") && $2 == p { print $3 }' \
			"$SKIP" 2>/dev/null | sort -u > "$dir/$name.skip"
		comm -23 "$dir/$name.all" "$dir/$name.skip" > "$dir/$name.list"
		if [ ! -s "$dir/$name.all" ]; then # e.g. go1.19 time without zoneinfo
			echo "NOTE $ver $pkg: the test binary lists no tests natively; not compared"
			continue
		fi
		# tests run in their package directory (testdata/) with the toolchain first in PATH
		(cd "$goroot/src/$pkg" && PATH=$goroot/bin:$PATH run_tests native "$bin" "$dir/$name.list" "$dir/$name.native")
		(cd "$goroot/src/$pkg" && PATH=$goroot/bin:$PATH run_tests asis "$bin" "$dir/$name.list" "$dir/$name.asis")
		local p f
		p=0 f=0
		while read -r t nst ast; do
			[ "$nst" = PASS ] || continue
			if [ "$ast" = PASS ]; then
				p=$((p + 1))
			else
				f=$((f + 1))
				echo "FAIL $ver $pkg $t: native PASS, asis ${ast:-MISSING} (logs $dir/$name.asis.log.*)"
			fi
		done < <(join -a1 -o 0,1.2,2.2 <(sort -k1,1 "$dir/$name.native" | sort -u -k1,1) \
			<(sort -k1,1 "$dir/$name.asis" | sort -u -k1,1))
		echo "$ver $pkg: $p passed, $f failed, $(wc -l < "$dir/$name.skip") skipped ($((SECONDS - t0))s)"
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

# Tests that build helper programs (runtime, os) must not need gcc, a dynamic program.
export CGO_ENABLED=0
[ -x "$ASIS" ] || make -s -C "$root" || exit 1
if [ $# -gt 0 ]; then
	vers=("$@")
else
	vers=()
	for d in /usr/lib/go-1.*; do [ -x "$d/bin/go" ] && vers+=("go${d#/usr/lib/go-}"); done
fi
for v in "${vers[@]}"; do test_toolchain "$v"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
