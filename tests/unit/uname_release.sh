#!/usr/bin/env bash
# asis run --uname-release=STR: uname(2) reports STR as the kernel release, the other
# fields stay the host's, programs the app starts inherit it, and a release longer than
# struct utsname holds is a usage error.
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/uname.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
int main(int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) != 0)
        return 1;
    printf("%s %s %s %s\n", u.sysname, u.release, u.machine, u.nodename);
    if (argc > 1) { /* and once more in a program started by this one */
        fflush(stdout);
        execl(argv[0], argv[0], (char *)0);
        return 2;
    }
    return 0;
}
C
build_static uname
"$ASIS" run "$tmp/uname" >"$tmp/default" 2>&1
check "default: the host's release" [ "$(cat "$tmp/default")" = "$(uname -s) $(uname -r) $(uname -m) $(uname -n)" ]
"$ASIS" run --uname-release=6.99.0-asis "$tmp/uname" again >"$tmp/set" 2>&1
check "the release is replaced, the rest kept" \
    [ "$(head -1 "$tmp/set")" = "$(uname -s) 6.99.0-asis $(uname -m) $(uname -n)" ]
check "a started program inherits it" [ "$(sed -n 2p "$tmp/set")" = "$(head -1 "$tmp/set")" ]
long=$(printf 'x%.0s' $(seq 65))
"$ASIS" run --uname-release="$long" "$tmp/uname" >"$tmp/long" 2>&1
check "a release over 64 bytes is a usage error (125)" [ $? -eq 125 ]
check "with one message" [ "$(grep -c '^asis: run: --uname-release: at most 64 bytes' "$tmp/long")" -eq 1 ]
finish
