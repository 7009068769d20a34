#!/usr/bin/env bash
# Job control on a terminal: in a tmux pane running an interactive `bash --norc`, a
# static C program and a Go program get C-c with a SIGINT handler (it prints and
# exits 0) and without one (it dies: status 130), and C-z while reading the terminal
# (bash reports it Stopped), then `fg` (its SIGCONT handler prints, its read goes on)
# and a line typed to it. The pane's text natively and under `asis run` (each trap
# mechanism) must be the same. Commands are typed as "$R $P/prog", with R empty or
# "asis run", so that the echoed command lines and bash's job lines match.
# Needs tmux (scripts/install-deps.sh installs it), gcc and a Go toolchain.
# Environment: TTY_WAIT (seconds per expected line, default 8), TTY_KEEP=DIR (copy the
# three panes' text there).
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"

WAIT=${TTY_WAIT:-8} # seconds for any one expected line; a session stops at the first miss

command -v tmux >/dev/null || { echo "not ok - tmux is not installed (scripts/install-deps.sh)"; exit 1; }
go=$(printf '%s\n' /usr/lib/go-1.*/bin/go | grep -v '\*' | sort -V | tail -n 1)
[ -n "$go" ] || { echo "not ok - no Go toolchain in /usr/lib/go-1.*"; exit 1; }

sock=$tmp/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

cat >"$tmp/cprog.c" <<'C'
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }
static void on_int(int sig) { (void)sig; say("c: caught SIGINT\n"); }
static void on_cont(int sig) { (void)sig; say("c: continued\n"); }

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    struct sigaction sa = { .sa_flags = SA_RESTART };
    if (strcmp(mode, "handler") == 0) {
        sa.sa_handler = on_int;
        sigaction(SIGINT, &sa, NULL);
        say("c: ready\n");
        pause();
        say("c: done\n");
        return 0;
    }
    if (strcmp(mode, "plain") == 0) {
        say("c: ready\n");
        pause();
        say("c: survived SIGINT\n");
        return 1;
    }
    /* stop: a read of the terminal, stopped and continued; SA_RESTART restarts it
       after the SIGCONT handler. */
    char line[64] = "";
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
    say("c: ready\n");
    ssize_t n = read(0, line, sizeof line - 1);
    printf("c: read %zd: %s", n, line);
    return 0;
}
C
build_static cprog

mkdir -p "$tmp/gosrc"
cat >"$tmp/gosrc/main.go" <<'GO'
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	switch os.Args[1] {
	case "handler":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		fmt.Println("go: ready")
		fmt.Println("go: caught", <-ch)
		fmt.Println("go: done")
	case "plain":
		fmt.Println("go: ready")
		time.Sleep(time.Minute)
		fmt.Println("go: survived SIGINT")
		os.Exit(1)
	case "stop":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGCONT)
		go func() {
			<-ch
			fmt.Println("go: continued")
		}()
		fmt.Println("go: ready")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		fmt.Printf("go: read %q %v\n", line, err)
	}
}
GO
ver=${go#/usr/lib/go-}
ver=${ver%/bin/go}
(cd "$tmp/gosrc" && env -u GO111MODULE -u GOEXPERIMENT -u GOAMD64 -u GOROOT \
    CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOENV=off GOWORK=off GOOS=linux GOARCH=amd64 \
    GOCACHE="$root/build/gocache/$ver" GOPATH="$root/build/gopath" \
    "$go" build -o "$tmp/goprog" main.go) || { echo "not ok - build goprog"; exit 1; }

# pane SESSION: the session's whole text, wrapped lines joined, trailing blanks dropped,
# and without the terminal's echo of C-c and C-z: the line discipline sends the signal
# before it echoes "^C", so a handler's output may come first.
pane() {
    tmux -S "$sock" capture-pane -p -J -S - -t "$1" | sed 's/\^[CZ]//g; s/[[:space:]]*$//' |
        sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# wait_for SESSION REGEX COUNT: until COUNT lines of the pane match REGEX.
wait_for() {
    local i
    for ((i = 0; i < WAIT * 20; i++)); do
        [ "$(pane "$1" | grep -cE -- "$2")" -ge "$3" ] && return 0
        sleep 0.05
    done
    echo "# $1: no $3th line matching '$2' after $WAIT s" >&2
    return 1
}

type_line() { tmux -S "$sock" send-keys -t "$1" -l -- "$2" && tmux -S "$sock" send-keys -t "$1" Enter; }
key() { tmux -S "$sock" send-keys -t "$1" "$2"; }

# session NAME R: one shell, every step; returns at the first expected line missing. The
# status is asked for by a command of its own: bash drops the rest of a command line
# whose job died of SIGINT. A prompt line is "$" alone or "$ " and a command (fg shows
# the job as "$R ...").
session() {
    local s=$1 p prompts=1 ready=0 stat=0
    tmux -S "$sock" -f /dev/null new-session -d -s "$s" -x 150 -y 80 \
        env -i PATH=/usr/bin:/bin HOME="$tmp" TERM=screen INPUTRC=/dev/null HISTFILE= \
        PS1='$ ' R="$2" P="$tmp" bash --norc --noprofile
    wait_for "$s" '^\$( |$)' $prompts || return 1
    # run PROG MODE KEY: start it, press KEY once it is ready, wait for the prompt.
    run() {
        type_line "$s" "\$R \$P/$1prog $2"
        wait_for "$s" "^$1: ready" $((ready += 1)) || return 1
        key "$s" "$3"
        wait_for "$s" '^\$( |$)' $((prompts += 1)) || return 1
    }
    status() {
        type_line "$s" 'echo "status $?"'
        wait_for "$s" '^status ' $((stat += 1)) || return 1
        wait_for "$s" '^\$( |$)' $((prompts += 1)) || return 1
    }
    for p in c go; do
        ready=0
        run $p handler C-c && status || return 1
        run $p plain C-c && status || return 1
        run $p stop C-z || return 1
        type_line "$s" fg
        wait_for "$s" "^$p: continued" 1 || return 1
        type_line "$s" resume
        wait_for "$s" '^\$( |$)' $((prompts += 1)) || return 1
        status || return 1
    done
}

sessions=(native asis seccomp)
runners=("" "$ASIS run" "$ASIS run --trap=seccomp")
for i in "${!sessions[@]}"; do
    s=${sessions[$i]}
    session "$s" "${runners[$i]}"
    check "$s: every step reached" [ $? -eq 0 ]
    pane "$s" >"$tmp/$s.txt"
done

n=$tmp/native.txt
check "native: the handlers caught SIGINT" \
    [ "$(grep -cE '^(c: caught SIGINT|go: caught interrupt)$' "$n")" -eq 2 ]
check "native: handler programs exited 0, the others died of SIGINT (130)" \
    [ "$(grep -E '^status ' "$n" | tr '\n' ' ')" = "status 0 status 130 status 0 status 0 status 130 status 0 " ]
check "native: bash reported both stopped" [ "$(grep -c 'Stopped.*prog stop$' "$n")" -eq 2 ]
check "native: both read the line after fg" \
    [ "$(grep -cE '^(c: read 7: resume|go: read "resume\\n" <nil>)$' "$n")" -eq 2 ]
for s in asis seccomp; do
    if cmp -s "$n" "$tmp/$s.txt"; then
        check "$s: same pane text as native" true
    else
        check "$s: same pane text as native" false
        diff -u --label native --label "$s" "$n" "$tmp/$s.txt" | head -n 40 | sed 's/^/#   /'
    fi
done
[ -n "${TTY_KEEP:-}" ] && cp "$tmp"/*.txt "$TTY_KEEP"
finish
