#!/usr/bin/env bash
# The file-system view of `asis run` (docs/file-system-view.md): --root, --bind (and
# :ro), --tmpfs, --cwd. A helper program runs commands given as arguments inside the
# view and prints one line each, "COMMAND: ok [RESULT]" or "COMMAND: ERRNO"; every
# scenario's output is compared with the lines Linux gives for the same mounts.
#
# FS_VIEW_NATIVE=1 runs the helper natively instead, as root, in a private mount
# namespace with real bind mounts, a tmpfs and a chroot: that checks the expected lines
# themselves against Linux (the scenarios Linux cannot express are left out).
set -u
# shellcheck source=tests/unit/lib.sh
. "$(dirname "$0")/lib.sh"
native=${FS_VIEW_NATIVE:-}
tmp=$(cd "$tmp" && pwd -P) # asis names host directories by their canonical paths
# Only stdin, stdout and stderr open, whoever started this script: the helper lists its
# descriptors.
for fd_path in "/proc/$$/fd"/*; do
    fd=${fd_path##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then
        eval "exec $fd>&-"
    fi
done

cat >"$tmp/view.c" <<'C'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *cmd; /* the command being run, as given: each line starts with it */

static void ok(const char *fmt, const char *s)
{
    printf("%s: ok", cmd);
    if (fmt)
        printf(fmt, s);
    printf("\n");
    fflush(stdout);
}

static void check(long r)
{
    if (r < 0) {
        printf("%s: %s\n", cmd, strerrorname_np(errno));
        fflush(stdout);
    } else {
        ok(NULL, NULL);
    }
}

static void show_fd_content(int fd)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        check(-1);
        return;
    }
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = 0;
    ok(" %s", buf);
}

static void read_file(int dirfd, const char *path)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        check(-1);
    else
        show_fd_content(fd);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        check(-1);
        return;
    }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    printf("%s: ok", cmd);
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
    fflush(stdout);
}

static void same(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) < 0 || stat(b, &sb) < 0) {
        check(-1);
        return;
    }
    ok(" %s", sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino ? "same" : "different");
}

/* exec PROG|CMD|CMD...: runs PROG with those commands, as a child, and waits. */
static void run_child(char *spec)
{
    char *argv[64];
    int argc = 0;
    for (char *s = strtok(spec, "|"); s && argc < 63; s = strtok(NULL, "|"))
        argv[argc++] = s;
    argv[argc] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], argv);
        check(-1);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
        printf("%s: ok exit %d\n", cmd, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fflush(stdout);
}

static void run(char *line)
{
    char copy[8192], *w[4] = { 0 };
    snprintf(copy, sizeof(copy), "%s", line);
    cmd = line;
    int n = 0;
    for (char *s = strtok(copy, " "); s && n < 4; s = strtok(NULL, " "))
        w[n++] = s;
    const char *op = w[0] ? w[0] : "", *a = w[1] ? w[1] : "", *b = w[2] ? w[2] : "";
    int fd;
    if (!strcmp(op, "read")) {
        read_file(AT_FDCWD, a);
    } else if (!strcmp(op, "openat")) { /* openat DIR PATH: PATH relative to an fd of DIR */
        int dir = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
            check(-1);
            return;
        }
        read_file(dir, b);
        close(dir);
    } else if (!strcmp(op, "openatfd")) { /* openatfd N PATH: relative to inherited fd N */
        read_file(atoi(a), b);
    } else if (!strcmp(op, "fchdir")) {
        check(fchdir(atoi(a)));
    } else if (!strcmp(op, "write")) { /* write PATH TEXT */
        fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0 && write(fd, b, strlen(b)) < 0)
            fd = -1;
        check(fd);
        if (fd >= 0)
            close(fd);
    } else if (!strcmp(op, "openw") || !strcmp(op, "openrw") || !strcmp(op, "creat-ro")) {
        int flags = !strcmp(op, "openw") ? O_WRONLY : !strcmp(op, "openrw") ? O_RDWR : O_RDONLY | O_CREAT;
        fd = open(a, flags | O_CLOEXEC, 0644);
        check(fd);
        if (fd >= 0)
            close(fd);
    } else if (!strcmp(op, "trunc")) {
        check(truncate(a, 0));
    } else if (!strcmp(op, "mkdir")) {
        check(mkdir(a, 0755));
    } else if (!strcmp(op, "rmdir")) {
        check(rmdir(a));
    } else if (!strcmp(op, "unlink")) {
        check(unlink(a));
    } else if (!strcmp(op, "rename")) {
        check(rename(a, b));
    } else if (!strcmp(op, "link")) {
        check(link(a, b));
    } else if (!strcmp(op, "symlink")) { /* symlink TARGET PATH */
        check(symlink(a, b));
    } else if (!strcmp(op, "chmod")) {
        check(chmod(a, strtol(b, NULL, 8)));
    } else if (!strcmp(op, "utime")) {
        check(utimensat(AT_FDCWD, a, NULL, 0));
    } else if (!strcmp(op, "fdattrs")) { /* fchmod, futimens, fsetxattr on an open file */
        int fd = open(a, O_RDONLY);
        if (fd < 0) {
            check(-1);
        } else {
            int e1 = fchmod(fd, 0600) ? errno : 0, e2 = futimens(fd, NULL) ? errno : 0;
            int e3 = fsetxattr(fd, "user.asis-test", "1", 1, 0) ? errno : 0;
            close(fd);
            errno = e1 ? e1 : e2 ? e2 : e3;
            check(errno ? -1 : 0);
        }
    } else if (!strcmp(op, "chown")) { /* to the ids it has: only the lookup matters */
        check(chown(a, -1, -1));
    } else if (!strcmp(op, "access")) {
        check(access(a, R_OK));
    } else if (!strcmp(op, "xattr")) {
        char v[64];
        check(getxattr(a, "user.asis-test", v, sizeof(v)));
    } else if (!strcmp(op, "statfs")) {
        struct statfs sf;
        check(statfs(a, &sf));
    } else if (!strcmp(op, "mkfifo")) {
        check(mkfifo(a, 0644));
    } else if (!strcmp(op, "readlink")) {
        char buf[4096];
        ssize_t len = readlink(a, buf, sizeof(buf) - 1);
        if (len < 0) {
            check(-1);
        } else {
            buf[len] = 0;
            ok(" %s", buf);
        }
    } else if (!strcmp(op, "getwd")) {
        char buf[4096];
        if (!getcwd(buf, sizeof(buf)))
            check(-1);
        else
            ok(" %s", buf);
    } else if (!strcmp(op, "chdir")) {
        check(chdir(a));
    } else if (!strcmp(op, "ls")) {
        list_dir(a);
    } else if (!strcmp(op, "same")) {
        same(a, b);
    } else if (!strcmp(op, "exec")) {
        char spec[8192];
        snprintf(spec, sizeof(spec), "%s", line + 5);
        run_child(spec);
    } else {
        printf("%s: unknown command\n", cmd);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run(argv[i]);
    return 0;
}
C
build_static view

# The host side. R is shown as /; outside it, a file with the same name as one inside.
R=$tmp/root
mkdir -p "$R"/{bin,d1/d2,proc,dev,data,ro,scratch} "$tmp"/{data/nested,rodata/sub}
cp "$tmp/view" "$R/bin/view"
cp "$tmp/view" "$tmp/view-outside"
echo "inside secret" >"$R/secret"
echo "outside secret" >"$tmp/secret" && chmod 644 "$tmp/secret"
echo "d1 file" >"$R/d1/f"
ln -s /secret "$R/abs"
ln -s "$tmp/secret" "$R/abs-host"
ln -s ../../../../../../../../secret "$R/d1/d2/climb"
ln -s ../.. "$R/d1/up2"
ln -s "$tmp" "$R/d1/tohost"
ln -s data/f "$R/tobind"
ln -s /data/f "$R/d1/absbind"
ln -s loop "$R/d1/loop"
echo "data file" >"$tmp/data/f"
ln -s ../secret "$tmp/data/up"
ln -s /secret "$tmp/data/abs"
echo "ro file" >"$tmp/rodata/f"
ln -s /data/via "$tmp/rodata/tolink"

# run_view OPTIONS... -- COMMANDS...: the helper in the view, output in $tmp/out.
run_view() {
    local opts=() o cwd="" root=/ mounts=""
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    if [ -z "$native" ]; then
        "$ASIS" run "${opts[@]}" -- "$R/bin/view" "$@" >"$tmp/out" 2>"$tmp/err"
        echo "exit $?" >>"$tmp/out"
        return
    fi
    # The same view with real mounts. The default working directory is the host's when
    # the view shows it, else /.
    for o in "${opts[@]}"; do
        case $o in
            --root=*) root=${o#--root=} ;;
            --cwd=*) cwd=${o#--cwd=} ;;
        esac
    done
    if [ -z "$cwd" ]; then
        case $PWD/ in
            "$root"/*) cwd=/${PWD#"$root"/} ;;
            *) cwd=/ ;;
        esac
    fi
    mounts="mount --rbind /proc $root/proc && mount --rbind /dev $root/dev"
    for o in "${opts[@]}"; do
        case $o in
            --bind=*:*:ro)
                o=${o#--bind=} o=${o%:ro}
                mounts+=" && mount --bind ${o%%:*} $root${o#*:} && mount -o remount,bind,ro $root${o#*:}"
                ;;
            --bind=*) o=${o#--bind=} && mounts+=" && mount --bind ${o%%:*} $root${o#*:}" ;;
            --tmpfs=*) mounts+=" && mount -t tmpfs tmpfs $root${o#--tmpfs=}" ;;
        esac
    done
    # shellcheck disable=SC2016 # $0, $1 and $@ are the inner shell's
    unshare -m --propagation private sh -c "$mounts"' && w=$1 && shift && exec unshare --root="$0" --wd="$w" /bin/view "$@"' \
        "$root" "$cwd" "$@" >"$tmp/out" 2>"$tmp/err"
    echo "exit $?" >>"$tmp/out"
}

# expect NAME: the output of the last run_view equals stdin.
expect() {
    if diff -u --label expected --label actual - "$tmp/out" >"$tmp/diff"; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1"
        failed=$((failed + 1))
        sed 's/^/#   /' "$tmp/diff" | head -n 40
        [ -s "$tmp/err" ] && sed 's/^/#   stderr: /' "$tmp/err" | head -n 5
    fi
}

# --- --root: nothing outside R can be reached, however the path is spelled.
cd "$tmp" || exit 1 # outside R: the working directory starts at /
run_view --root="$R" -- \
    "getwd" "ls /" "read /secret" "read /../../../secret" "read /d1/../../secret" \
    "read /etc/hostname" "read $tmp/secret" "same / /.." "same / /../../.." \
    "read /abs" "readlink /abs" "read /abs-host" "read /d1/d2/climb" "read /d1/up2/secret" \
    "read /d1/tohost/secret" "read /d1/loop" "openat / ../../secret" "openat /d1 ../../../secret" \
    "readlink /proc/self/root" "read /proc/self/root/../secret" \
    "chdir /d1" "getwd" "read f" "read ../../secret" "readlink /proc/self/cwd" \
    "read /proc/self/cwd/../../../secret" "readlink /proc/self/exe" "ls /proc/self/fd" \
    "chmod $tmp/secret 600" "trunc $tmp/secret" "utime $tmp/secret" "chown $tmp/secret" \
    "access $tmp/secret" "xattr $tmp/secret" "statfs $tmp" "mkfifo $tmp/fifo" "symlink x $tmp/sl" \
    "mkdir $tmp/dir" "chown /secret" "access /secret" "xattr /secret" "statfs /d1" \
    "chdir /.." "getwd" "write /new root-write" "read /new" "chmod /new 600" "utime /new" \
    "write /new2 zz" "trunc /new2" "write /dev/null x"
expect "--root: the view shows R only" <<EOF
getwd: ok /
ls /: ok abs abs-host bin d1 data dev proc ro scratch secret tobind
read /secret: ok inside secret
read /../../../secret: ok inside secret
read /d1/../../secret: ok inside secret
read /etc/hostname: ENOENT
read $tmp/secret: ENOENT
same / /..: ok same
same / /../../..: ok same
read /abs: ok inside secret
readlink /abs: ok /secret
read /abs-host: ENOENT
read /d1/d2/climb: ok inside secret
read /d1/up2/secret: ok inside secret
read /d1/tohost/secret: ENOENT
read /d1/loop: ELOOP
openat / ../../secret: ok inside secret
openat /d1 ../../../secret: ok inside secret
readlink /proc/self/root: ok /
read /proc/self/root/../secret: ok inside secret
chdir /d1: ok
getwd: ok /d1
read f: ok d1 file
read ../../secret: ok inside secret
readlink /proc/self/cwd: ok /d1
read /proc/self/cwd/../../../secret: ok inside secret
readlink /proc/self/exe: ok /bin/view
ls /proc/self/fd: ok 0 1 2 3
chmod $tmp/secret 600: ENOENT
trunc $tmp/secret: ENOENT
utime $tmp/secret: ENOENT
chown $tmp/secret: ENOENT
access $tmp/secret: ENOENT
xattr $tmp/secret: ENOENT
statfs $tmp: ENOENT
mkfifo $tmp/fifo: ENOENT
symlink x $tmp/sl: ENOENT
mkdir $tmp/dir: ENOENT
chown /secret: ok
access /secret: ok
xattr /secret: ENODATA
statfs /d1: ok
chdir /..: ok
getwd: ok /
write /new root-write: ok
read /new: ok root-write
chmod /new 600: ok
utime /new: ok
write /new2 zz: ok
trunc /new2: ok
write /dev/null x: ok
exit 0
EOF
root_changes() { [ "$(cat "$R/new" 2>/dev/null)" = root-write ] && [ "$(stat -c %a "$R/new")" = 600 ] && [ -f "$R/new2" ] && [ ! -s "$R/new2" ]; }
check "writes, chmod and truncate land in R" root_changes
outside_untouched() {
    [ "$(cat "$tmp/secret")" = "outside secret" ] && [ "$(stat -c %a "$tmp/secret")" = 644 ] &&
        [ ! -e "$tmp/fifo" ] && [ ! -e "$tmp/sl" ] && [ ! -e "$tmp/dir" ]
}
check "nothing outside R was changed" outside_untouched
rm -f "$R/new" "$R/new2"

# --- The start directory: the host's when the view shows it, else /, or --cwd.
cd "$R/d1/d2" || exit 1
run_view --root="$R" -- "getwd" "read ../f"
expect "the host's working directory, inside R, is the start directory" <<EOF
getwd: ok /d1/d2
read ../f: ok d1 file
exit 0
EOF
cd "$tmp" || exit 1
run_view --root="$R" --cwd=/d1 -- "getwd" "read f" "readlink /proc/self/cwd"
expect "--cwd sets the start directory" <<EOF
getwd: ok /d1
read f: ok d1 file
readlink /proc/self/cwd: ok /d1
exit 0
EOF

# --- --bind: another host directory; cross-mount rename and link are EXDEV, a mount
# point cannot be removed or renamed, and .. from the mount leads to the view's parent.
run_view --root="$R" --bind="$tmp/data:/data" -- \
    "ls /data" "read /data/f" "write /data/new bound" "read /data/../secret" \
    "read /data/up" "read /data/abs" "same /data/.. /" "openat /data ../secret" \
    "rename /data/f /moved" "link /data/f /linked" "rename /secret /data/s" \
    "rename /data/f /data/g" "rename /data/g /data/f" "link /data/f /data/h" "unlink /data/h" \
    "rename /data /data2" "rmdir /data" "read /tobind" "read /d1/absbind" "openat /data ../d1/f" \
    "chdir /data" "getwd" "read f" "chdir .." "getwd" "chmod /data/f 600" "chmod /data/f 644"
expect "--bind: a host directory in the view" <<EOF
ls /data: ok abs f nested up
read /data/f: ok data file
write /data/new bound: ok
read /data/../secret: ok inside secret
read /data/up: ok inside secret
read /data/abs: ok inside secret
same /data/.. /: ok same
openat /data ../secret: ok inside secret
rename /data/f /moved: EXDEV
link /data/f /linked: EXDEV
rename /secret /data/s: EXDEV
rename /data/f /data/g: ok
rename /data/g /data/f: ok
link /data/f /data/h: ok
unlink /data/h: ok
rename /data /data2: EBUSY
rmdir /data: EBUSY
read /tobind: ok data file
read /d1/absbind: ok data file
openat /data ../d1/f: ok d1 file
chdir /data: ok
getwd: ok /data
read f: ok data file
chdir ..: ok
getwd: ok /
chmod /data/f 600: ok
chmod /data/f 644: ok
exit 0
EOF
check "a write to the bind lands in its host directory" [ "$(cat "$tmp/data/new" 2>/dev/null)" = bound ]
nothing_moved() { [ -f "$tmp/data/f" ] && [ ! -e "$R/moved" ] && [ ! -e "$R/linked" ]; }
check "nothing was moved out of it" nothing_moved
rm -f "$tmp/data/new"

# --- :ro: reads work, every change is EROFS, after the checks Linux makes first.
run_view --root="$R" --bind="$tmp/data:/data" --bind="$tmp/rodata:/ro:ro" -- \
    "ls /ro" "read /ro/f" "openw /ro/f" "openrw /ro/f" "write /ro/new x" "creat-ro /ro/f" \
    "creat-ro /ro/new" "openw /ro/missing" "openw /ro/sub" "trunc /ro/f" "mkdir /ro/d" \
    "mkdir /ro/sub" "rmdir /ro/sub" "unlink /ro/f" "unlink /ro/missing" "rename /ro/f /ro/g" \
    "link /ro/f /ro/h" "symlink x /ro/l" "chmod /ro/f 600" "utime /ro/f" "fdattrs /ro/f" \
    "write /ro/tolink via" "read /data/via" "read /ro/f"
expect "--bind=...:ro: read-only" <<EOF
ls /ro: ok f sub tolink
read /ro/f: ok ro file
openw /ro/f: EROFS
openrw /ro/f: EROFS
write /ro/new x: EROFS
creat-ro /ro/f: ok
creat-ro /ro/new: EROFS
openw /ro/missing: ENOENT
openw /ro/sub: EISDIR
trunc /ro/f: EROFS
mkdir /ro/d: EROFS
mkdir /ro/sub: EEXIST
rmdir /ro/sub: EROFS
unlink /ro/f: EROFS
unlink /ro/missing: EROFS
rename /ro/f /ro/g: EROFS
link /ro/f /ro/h: EROFS
symlink x /ro/l: EROFS
chmod /ro/f 600: EROFS
utime /ro/f: EROFS
fdattrs /ro/f: EROFS
write /ro/tolink via: ok
read /data/via: ok via
read /ro/f: ok ro file
exit 0
EOF
ro_unchanged() { [ "$(cd "$tmp/rodata" && echo *)" = "f sub tolink" ] && [ "$(cat "$tmp/rodata/f")" = "ro file" ]; }
check "the read-only host directory is unchanged" ro_unchanged
rm -f "$tmp/data/via"

# --- A read-only bind inside a writable one; --cwd inside a bind.
run_view --root="$R" --bind="$tmp/data:/data" --bind="$tmp/rodata:/data/nested:ro" --cwd=/data/nested -- \
    "getwd" "read f" "read ../f" "write x y" "write ../x y" "unlink ../x" "read /data/nested/../../secret" \
    "rename /data/f /data/nested/f2" "rmdir /data/nested" "ls /data/nested"
expect "a read-only bind inside a writable bind" <<EOF
getwd: ok /data/nested
read f: ok ro file
read ../f: ok data file
write x y: EROFS
write ../x y: ok
unlink ../x: ok
read /data/nested/../../secret: ok inside secret
rename /data/f /data/nested/f2: EXDEV
rmdir /data/nested: EBUSY
ls /data/nested: ok f sub tolink
exit 0
EOF

# --- --tmpfs: empty, writable, private to the run, and gone afterwards.
marker=asis-fs-view-marker-$$
run_view --root="$R" --tmpfs=/scratch -- \
    "ls /scratch" "write /scratch/$marker in-memory" "read /scratch/$marker" "mkdir /scratch/d" \
    "write /scratch/d/b bee" "ls /scratch" "rename /scratch/$marker /moved" \
    "rename /scratch/d/b /scratch/c" "read /scratch/c" "link /scratch/c /c2" "symlink /secret /scratch/s" \
    "read /scratch/s" "read /scratch/../secret"
expect "--tmpfs: an empty writable directory" <<EOF
ls /scratch: ok
write /scratch/$marker in-memory: ok
read /scratch/$marker: ok in-memory
mkdir /scratch/d: ok
write /scratch/d/b bee: ok
ls /scratch: ok $marker d
rename /scratch/$marker /moved: EXDEV
rename /scratch/d/b /scratch/c: ok
read /scratch/c: ok bee
link /scratch/c /c2: EXDEV
symlink /secret /scratch/s: ok
read /scratch/s: ok inside secret
read /scratch/../secret: ok inside secret
exit 0
EOF
check "nothing written under the mount point in R" [ -z "$(ls -A "$R/scratch")" ]
# The directory behind the tmpfs is removed when the app has ended, by a process that
# waits for that: give it a moment.
leftover() {
    find /dev/shm /tmp /var/tmp ${TMPDIR:+"$TMPDIR"} -xdev -maxdepth 3 -name "$marker" 2>/dev/null | grep -q .
}
for _ in $(seq 50); do
    leftover || break
    sleep 0.1
done
no_leftover() { ! leftover; }
check "no file of the tmpfs is left on the host after the run" no_leftover
run_view --root="$R" --tmpfs=/scratch -- "ls /scratch"
expect "a second run starts with an empty tmpfs" <<EOF
ls /scratch: ok
exit 0
EOF

# --- A program the app starts sees the same view, and a program outside it is not there.
run_view --root="$R" --bind="$tmp/data:/data" --bind="$tmp/rodata:/ro:ro" --tmpfs=/scratch -- \
    "write /scratch/shared from-parent" "chdir /d1" \
    "exec /bin/view|getwd|read /secret|read f|read /scratch/shared|read /data/f|write /ro/x y|readlink /proc/self/exe" \
    "exec $tmp/view-outside|getwd" "exec ../bin/view|getwd"
expect "a child started by the app sees the same view" <<EOF
write /scratch/shared from-parent: ok
chdir /d1: ok
getwd: ok /d1
read /secret: ok inside secret
read f: ok d1 file
read /scratch/shared: ok from-parent
read /data/f: ok data file
write /ro/x y: EROFS
readlink /proc/self/exe: ok /bin/view
exec /bin/view|getwd|read /secret|read f|read /scratch/shared|read /data/f|write /ro/x y|readlink /proc/self/exe: ok exit 0
exec $tmp/view-outside|getwd: ENOENT
getwd: ok /d1
exec ../bin/view|getwd: ok exit 0
exit 0
EOF

# --- What only asis has: Linux needs the mount point and the program inside the root,
# and an fd inherited from outside a chroot would lead out of it.
if [ -n "$native" ]; then
    echo "# asis-only scenarios skipped natively"
    finish
    exit
fi
run_view --root="$R" --bind="$tmp/data:/nowhere/data" -- "read /nowhere/data/f" "read /nowhere/data/up"
expect "a mount point need not exist in the root" <<EOF
read /nowhere/data/f: ok data file
read /nowhere/data/up: ENOENT
exit 0
EOF
"$ASIS" run --root="$R" -- "$tmp/view-outside" "readlink /proc/self/exe" "read /secret" >"$tmp/out" 2>"$tmp/err"
echo "exit $?" >>"$tmp/out"
expect "a program outside the root runs in it, /proc/self/exe is its host path" <<EOF
readlink /proc/self/exe: ok $tmp/view-outside
read /secret: ok inside secret
exit 0
EOF
"$ASIS" run --root="$R" -- "$R/bin/view" "openatfd 3 secret" "openatfd 3 ../secret" "fchdir 3" "getwd" \
    3<"$tmp" >"$tmp/out" 2>"$tmp/err"
echo "exit $?" >>"$tmp/out"
expect "a directory fd inherited from outside the root leads nowhere" <<EOF
openatfd 3 secret: ENOENT
openatfd 3 ../secret: ENOENT
fchdir 3: EACCES
getwd: ok /
exit 0
EOF

finish
