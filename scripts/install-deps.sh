#!/usr/bin/env bash
# Installs what asis needs to build and test, from Debian's packages only.
#   - build-essential: gcc, make and glibc's static libraries (asis and the C tests)
#   - golang-1.NN-go: Go toolchains the tests build their programs with
#   - tmux: a terminal for tests/unit/tty_job_control.sh (C-c, C-z, fg in a shell)
#   - libzydis-dev: the x86 decoder the front end finds syscall sites with (binary
#     patching); the runtime never links it
#   - libmd-dev: SHA-256 for the front end's patch-plan cache keys
#   - strace: tests/unit/patch_cache.sh checks that a warm start does not read the program
# Newer Go toolchains live in other Debian suites (bookworm-backports, trixie,
# trixie-backports). We add those suites using the mirror this machine already uses,
# and pin them so that only the packages named below can come from there.
set -euo pipefail

GO_VERSIONS_EXTRA=${ASIS_GO_VERSIONS_EXTRA:-"1.22 1.24 1.26"}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# Which suite provides each extra toolchain.
suite_for() {
    case "$1" in
        1.21|1.22|1.23) echo bookworm-backports ;;
        1.24) echo trixie ;;
        *) echo trixie-backports ;;
    esac
}

# The mirror this machine already uses for Debian (not the security archive).
debian_mirror() {
    local f
    for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '/^URIs:/ {print $2}' "$f" | grep -v -- '-security' | grep -m1 '/debian/\?$' && return 0
    done
    if [ -f /etc/apt/sources.list ]; then
        awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list | grep . && return 0
    fi
    return 1
}

if [ -r /etc/debian_version ] && command -v apt-get >/dev/null; then
    mirror=$(debian_mirror) || { echo "install-deps: cannot find this machine's Debian mirror in /etc/apt" >&2; exit 1; }
    suites=""
    pins=""
    pkgs="build-essential tmux libzydis-dev libmd-dev strace golang-1.19-go"
    for v in $GO_VERSIONS_EXTRA; do
        s=$(suite_for "$v")
        case " $suites " in *" $s "*) ;; *) suites="$suites $s" ;; esac
        pins="$pins
Package: golang-$v-go golang-$v-src
Pin: release n=$s
Pin-Priority: 500
"
        pkgs="$pkgs golang-$v-go"
    done
    {
        echo "Types: deb"
        echo "URIs: $mirror"
        echo "Suites:$suites"
        echo "Components: main"
        echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    } | $SUDO tee /etc/apt/sources.list.d/asis-extra-suites.sources >/dev/null
    {
        echo "# Written by asis scripts/install-deps.sh: nothing comes from the extra suites"
        echo "# except the packages named here."
        for s in $suites; do
            printf 'Package: *\nPin: release n=%s\nPin-Priority: -10\n\n' "$s"
        done
        echo "$pins"
    } | $SUDO tee /etc/apt/preferences.d/asis-extra-suites >/dev/null
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $pkgs >/dev/null
fi
echo "install-deps: ok ($(ls -d /usr/lib/go-1.* 2>/dev/null | tr '\n' ' '))"
