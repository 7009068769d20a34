// Calls that act on a file named by a path, as raw syscalls: chmod (fchmodat,
// fchmodat2), chown (lchown, fchownat), times (utimensat, futimesat, utimes, utime),
// truncate, extended attributes, inotify watches; on files, directories and symlinks
// (followed or not), with the errno of each usual mistake (EFAULT, ENOENT, EINVAL,
// ENOTDIR, ELOOP, ENAMETOOLONG, EPERM as non-root, EOPNOTSUPP). Then Unix-domain sockets
// bound to and reached through paths, relative and absolute, after chdir too: the
// addresses that getsockname, getpeername, accept, recvfrom and recvmsg give back, their
// lengths and truncation, and the errors of bind, connect and sendto. Everything runs in
// the (empty) working directory; only facts that hold in every run are printed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <linux/stat.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "lib/outcome.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

// volatile: the compiler must not see the bad pointer (no warning, no folding).
static void *volatile bad_ptr = (void *)8;
#define BAD bad_ptr

static void die(const char *what)
{
    const char *n = strerrorname_np(errno);
    printf("FAIL: %s: %s\n", what, n ? n : "?");
    exit(1);
}

static void must(int ok, const char *what)
{
    if (!ok)
        die(what);
}

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static void show_mode(const char *what, const char *path, int nofollow)
{
    struct stat st;
    if ((nofollow ? lstat(path, &st) : stat(path, &st)) == -1) {
        T(what, -1);
        return;
    }
    printf("%s: mode %o\n", what, st.st_mode & 07777);
}

static void show_owner(const char *what, const char *path, int nofollow)
{
    struct stat st;
    if ((nofollow ? lstat(path, &st) : stat(path, &st)) == -1) {
        T(what, -1);
        return;
    }
    printf("%s: uid %u gid %u\n", what, st.st_uid, st.st_gid);
}

static void show_times(const char *what, const char *path, int nofollow)
{
    struct stat st;
    if ((nofollow ? lstat(path, &st) : stat(path, &st)) == -1) {
        T(what, -1);
        return;
    }
    printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", what, (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void show_size(const char *what, const char *path)
{
    struct stat st;
    if (stat(path, &st) == -1) {
        T(what, -1);
        return;
    }
    printf("%s: size %lld\n", what, (long long)st.st_size);
}

static char long_path[5000]; // longer than PATH_MAX
static char long_name[300]; // a component longer than NAME_MAX

static void setup_files(void)
{
    must(mkdir("d", 0755) == 0, "mkdir d");
    int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
    must(fd >= 0 && write(fd, "0123456789abcdef", 16) == 16, "create d/f");
    close(fd);
    must(symlink("f", "d/link") == 0, "symlink d/link");
    must(symlink("missing", "d/dangling") == 0, "symlink d/dangling");
    must(symlink(".", "d/dirlink") == 0, "symlink d/dirlink");
    must(symlink("loop", "loop") == 0, "symlink loop");
    must(mkfifo("fifo", 0644) == 0, "mkfifo");
    memset(long_path, 'a', sizeof(long_path) - 1);
    for (size_t i = 100; i < sizeof(long_path) - 1; i += 100)
        long_path[i] = '/';
    memset(long_name, 'n', sizeof(long_name) - 1);
}

// ---------------------------------------------------------------------------- mode

static void modes(void)
{
    T("chmod d/f 0640", syscall(SYS_chmod, "d/f", 0640));
    show_mode("d/f", "d/f", 0);
    T("chmod through d/link 0600", syscall(SYS_chmod, "d/link", 0600));
    show_mode("d/f", "d/f", 0);
    show_mode("d/link itself", "d/link", 1);
    T("fchmodat2 d/link NOFOLLOW",
      syscall(SYS_fchmodat2, AT_FDCWD, "d/link", 0644, AT_SYMLINK_NOFOLLOW));
    T("fchmodat2 d/f NOFOLLOW", syscall(SYS_fchmodat2, AT_FDCWD, "d/f", 0604, AT_SYMLINK_NOFOLLOW));
    show_mode("d/f", "d/f", 0);
    T("fchmodat2 bad flags", syscall(SYS_fchmodat2, AT_FDCWD, "d/f", 0644, 0x4));
    // glibc's fchmodat with AT_SYMLINK_NOFOLLOW (fchmodat2, or O_PATH and /proc/self/fd)
    T("libc fchmodat d/link NOFOLLOW", fchmodat(AT_FDCWD, "d/link", 0644, AT_SYMLINK_NOFOLLOW));
    T("libc fchmodat d/f NOFOLLOW", fchmodat(AT_FDCWD, "d/f", 0660, AT_SYMLINK_NOFOLLOW));
    show_mode("d/f", "d/f", 0);

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int ffd = open("d/f", O_RDONLY);
    must(dfd >= 0 && ffd >= 0, "open d, d/f");
    T("fchmodat dirfd f 0600", syscall(SYS_fchmodat, dfd, "f", 0600));
    show_mode("d/f", "d/f", 0);
    T("fchmodat2 file fd \"\" EMPTY_PATH", syscall(SYS_fchmodat2, ffd, "", 0644, AT_EMPTY_PATH));
    show_mode("d/f", "d/f", 0);
    T("fchmodat2 dirfd \"\" EMPTY_PATH", syscall(SYS_fchmodat2, dfd, "", 0750, AT_EMPTY_PATH));
    show_mode("d", "d", 0);
    T("fchmodat file fd as dirfd", syscall(SYS_fchmodat, ffd, "x", 0600));
    T("fchmodat bad dirfd", syscall(SYS_fchmodat, 999, "x", 0600));
    char abs_f[4200], cwd[4096];
    must(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
    snprintf(abs_f, sizeof(abs_f), "%s/d/f", cwd);
    T("fchmodat bad dirfd, absolute path", syscall(SYS_fchmodat, 999, abs_f, 0640));
    show_mode("d/f", "d/f", 0);
    T("chmod d/dirlink/ 0755", syscall(SYS_chmod, "d/dirlink/", 0755));
    show_mode("d", "d", 0);

    T("chmod \"\"", syscall(SYS_chmod, "", 0644));
    T("chmod NULL", syscall(SYS_chmod, NULL, 0644));
    T("chmod bad pointer", syscall(SYS_chmod, BAD, 0644));
    T("chmod missing", syscall(SYS_chmod, "d/nothing", 0644));
    T("chmod dangling symlink", syscall(SYS_chmod, "d/dangling", 0644));
    T("chmod through a file", syscall(SYS_chmod, "d/f/x", 0644));
    T("chmod d/f/", syscall(SYS_chmod, "d/f/", 0644));
    T("chmod loop", syscall(SYS_chmod, "loop", 0644));
    T("chmod long path", syscall(SYS_chmod, long_path, 0644));
    T("chmod long name", syscall(SYS_chmod, long_name, 0644));
    T("fchmodat2 \"\" without EMPTY_PATH", syscall(SYS_fchmodat2, dfd, "", 0644, 0));
    close(dfd);
    close(ffd);
}

// --------------------------------------------------------------------------- owner

static void owners(void)
{
    T("chown d/f 1000:1000", syscall(SYS_chown, "d/f", 1000, 1000));
    show_owner("d/f", "d/f", 0);
    T("lchown d/link 1001:1001", syscall(SYS_lchown, "d/link", 1001, 1001));
    show_owner("d/link itself", "d/link", 1);
    show_owner("d/f", "d/f", 0);
    T("chown through d/link 1002:-1", syscall(SYS_chown, "d/link", 1002, -1));
    show_owner("d/f", "d/f", 0);
    show_owner("d/link itself", "d/link", 1);
    T("fchownat d/link NOFOLLOW",
      syscall(SYS_fchownat, AT_FDCWD, "d/link", 1003, 1003, AT_SYMLINK_NOFOLLOW));
    show_owner("d/link itself", "d/link", 1);
    T("lchown dangling symlink", syscall(SYS_lchown, "d/dangling", 1004, 1004));
    show_owner("d/dangling itself", "d/dangling", 1);
    T("chown dangling symlink", syscall(SYS_chown, "d/dangling", 1004, 1004));
    T("lchown d/dirlink/ (followed)", syscall(SYS_lchown, "d/dirlink/", 1005, 1005));
    show_owner("d", "d", 0);
    int ffd = open("d/f", O_RDONLY);
    must(ffd >= 0, "open d/f");
    T("fchownat fd \"\" EMPTY_PATH", syscall(SYS_fchownat, ffd, "", 1006, 1006, AT_EMPTY_PATH));
    show_owner("d/f", "d/f", 0);
    T("fchownat \"\" without EMPTY_PATH", syscall(SYS_fchownat, ffd, "", 1006, 1006, 0));
    close(ffd);
    T("chown -1:-1", syscall(SYS_chown, "d/f", -1, -1));
    T("fchownat bad flags", syscall(SYS_fchownat, AT_FDCWD, "d/f", 0, 0, 0x4));
    T("chown \"\"", syscall(SYS_chown, "", 0, 0));
    T("chown bad pointer", syscall(SYS_chown, BAD, 0, 0));
    T("lchown NULL", syscall(SYS_lchown, NULL, 0, 0));
    T("chown missing", syscall(SYS_chown, "nothing", 0, 0));
    T("chown ENOTDIR", syscall(SYS_chown, "d/f/x", 0, 0));
    T("chown loop", syscall(SYS_chown, "loop", 0, 0));
    T("lchown loop (the link itself)", syscall(SYS_lchown, "loop", 0, 0));
    T("chown long path", syscall(SYS_chown, long_path, 0, 0));
    T("lchown long name", syscall(SYS_lchown, long_name, 0, 0));
    T("chown back to root", syscall(SYS_chown, "d/f", 0, 0));
}

// As a user that is not root: chown to root is EPERM, chmod of another's file too.
static void owners_unprivileged(void)
{
    if (getuid() != 0) {
        printf("not root: unprivileged part skipped\n");
        return;
    }
    int fd = open("mine", O_CREAT | O_WRONLY, 0644);
    must(fd >= 0, "create mine");
    close(fd);
    must(chown("mine", 65534, 65534) == 0, "chown mine");
    must(chmod(".", 0777) == 0, "chmod .");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (syscall(SYS_setresgid, 65534, 65534, 65534) != 0 ||
            syscall(SYS_setresuid, 65534, 65534, 65534) != 0)
            die("setresuid");
        T("nobody: chown mine to root", syscall(SYS_chown, "mine", 0, 0));
        T("nobody: chown mine to itself", syscall(SYS_chown, "mine", 65534, 65534));
        T("nobody: chmod d/f (root's)", syscall(SYS_chmod, "d/f", 0777));
        T("nobody: chmod mine", syscall(SYS_chmod, "mine", 0600));
        T("nobody: lchown d/link (root's)", syscall(SYS_lchown, "d/link", 65534, 65534));
        T("nobody: utimensat d/f (root's) to now",
          syscall(SYS_utimensat, AT_FDCWD, "d/f", NULL, 0));
        T("nobody: truncate d/f (root's)", syscall(SYS_truncate, "d/f", 0L));
        T("nobody: setxattr d/f (root's)", syscall(SYS_setxattr, "d/f", "user.x", "1", 1, 0));
        fflush(stdout);
        _exit(0);
    }
    int status;
    must(waitpid(pid, &status, 0) == pid, "waitpid");
    printf("unprivileged child: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    show_mode("mine", "mine", 0);
    must(chmod(".", 0755) == 0, "chmod .");
}

// --------------------------------------------------------------------------- times

static void times(void)
{
    struct timespec ts[2] = { { 100, 5 }, { 200, 6 } };
    T("utimensat d/f", syscall(SYS_utimensat, AT_FDCWD, "d/f", ts, 0));
    show_times("d/f", "d/f", 0);
    struct timespec tl[2] = { { 300, 0 }, { 400, 0 } };
    T("utimensat d/link NOFOLLOW",
      syscall(SYS_utimensat, AT_FDCWD, "d/link", tl, AT_SYMLINK_NOFOLLOW));
    show_times("d/link itself", "d/link", 1);
    show_times("d/f", "d/f", 0);
    struct timespec tf[2] = { { 500, 0 }, { 600, 0 } };
    T("utimensat through d/link", syscall(SYS_utimensat, AT_FDCWD, "d/link", tf, 0));
    show_times("d/f", "d/f", 0);
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    T("utimensat both OMIT, missing path", syscall(SYS_utimensat, AT_FDCWD, "nothing", omit, 0));
    T("utimensat both OMIT, bad flags", syscall(SYS_utimensat, AT_FDCWD, "d/f", omit, 0x4));
    struct timespec half[2] = { { 700, 0 }, { 0, UTIME_OMIT } };
    T("utimensat atime only", syscall(SYS_utimensat, AT_FDCWD, "d/f", half, 0));
    show_times("d/f", "d/f", 0);
    struct timespec bad_ns[2] = { { 1, 1000000000 }, { 1, 0 } };
    T("utimensat bad nsec", syscall(SYS_utimensat, AT_FDCWD, "d/f", bad_ns, 0));
    T("utimensat bad nsec, missing path", syscall(SYS_utimensat, AT_FDCWD, "nothing", bad_ns, 0));
    T("utimensat bad flags", syscall(SYS_utimensat, AT_FDCWD, "d/f", ts, 0x4));
    T("utimensat bad times pointer", syscall(SYS_utimensat, AT_FDCWD, "d/f", BAD, 0));
    T("utimensat bad path pointer", syscall(SYS_utimensat, AT_FDCWD, BAD, ts, 0));
    T("utimensat \"\"", syscall(SYS_utimensat, AT_FDCWD, "", ts, 0));
    T("utimensat missing", syscall(SYS_utimensat, AT_FDCWD, "d/nothing", ts, 0));
    T("utimensat ENOTDIR", syscall(SYS_utimensat, AT_FDCWD, "d/f/x", ts, 0));
    T("utimensat loop", syscall(SYS_utimensat, AT_FDCWD, "loop", ts, 0));
    T("utimensat long path", syscall(SYS_utimensat, AT_FDCWD, long_path, ts, 0));
    T("utimensat NULL path, AT_FDCWD", syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0));

    int ffd = open("d/f", O_RDWR);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    must(ffd >= 0 && dfd >= 0, "open d/f, d");
    struct timespec t8[2] = { { 800, 8 }, { 800, 9 } };
    T("utimensat fd NULL path", syscall(SYS_utimensat, ffd, NULL, t8, 0));
    show_times("d/f", "d/f", 0);
    T("utimensat fd NULL path NOFOLLOW",
      syscall(SYS_utimensat, ffd, NULL, t8, AT_SYMLINK_NOFOLLOW));
    struct timespec t9[2] = { { 900, 0 }, { 900, 1 } };
    T("utimensat fd \"\" EMPTY_PATH", syscall(SYS_utimensat, ffd, "", t9, AT_EMPTY_PATH));
    show_times("d/f", "d/f", 0);
    T("utimensat dirfd f", syscall(SYS_utimensat, dfd, "f", ts, 0));
    show_times("d/f", "d/f", 0);

    struct timeval tv[2] = { { 1000, 1 }, { 2000, 2 } };
    T("utimes d/f", syscall(SYS_utimes, "d/f", tv));
    show_times("d/f", "d/f", 0);
    struct timeval bad_tv[2] = { { 1, 1000000 }, { 1, 0 } };
    T("utimes bad usec", syscall(SYS_utimes, "d/f", bad_tv));
    T("utimes bad pointer", syscall(SYS_utimes, "d/f", BAD));
    T("utimes missing", syscall(SYS_utimes, "nothing", tv));
    struct timeval tv3[2] = { { 3000, 3 }, { 3000, 4 } };
    T("futimesat dirfd f", syscall(SYS_futimesat, dfd, "f", tv3));
    show_times("d/f", "d/f", 0);
    struct timeval tv4[2] = { { 4000, 0 }, { 4000, 0 } };
    T("futimesat fd NULL path", syscall(SYS_futimesat, ffd, NULL, tv4));
    show_times("d/f", "d/f", 0);
    T("futimesat through a symlink", syscall(SYS_futimesat, dfd, "link", tv));
    show_times("d/f", "d/f", 0);
    struct utimbuf ub = { .actime = 5000, .modtime = 6000 };
    T("utime d/f", syscall(SYS_utime, "d/f", &ub));
    show_times("d/f", "d/f", 0);
    T("utime bad pointer", syscall(SYS_utime, "d/f", BAD));
    T("utime NULL path", syscall(SYS_utime, NULL, &ub));
    T("utime d/f to now", syscall(SYS_utime, "d/f", NULL));
    struct stat st;
    printf("utime to now: mtime is recent %s\n",
           yes(stat("d/f", &st) == 0 && st.st_mtime > 1000000000));
    close(ffd);
    close(dfd);
}

// ---------------------------------------------------------------------------- size

static void sizes(void)
{
    T("truncate d/f 10", syscall(SYS_truncate, "d/f", 10L));
    show_size("d/f", "d/f");
    T("truncate through d/link 3", syscall(SYS_truncate, "d/link", 3L));
    show_size("d/f", "d/f");
    T("truncate d/f 100000", syscall(SYS_truncate, "d/f", 100000L));
    show_size("d/f", "d/f");
    T("truncate negative", syscall(SYS_truncate, "d/f", -1L));
    T("truncate negative, missing", syscall(SYS_truncate, "nothing", -1L));
    T("truncate a directory", syscall(SYS_truncate, "d", 0L));
    T("truncate a FIFO", syscall(SYS_truncate, "fifo", 0L));
    T("truncate missing", syscall(SYS_truncate, "d/nothing", 0L));
    T("truncate dangling", syscall(SYS_truncate, "d/dangling", 0L));
    T("truncate ENOTDIR", syscall(SYS_truncate, "d/f/x", 0L));
    T("truncate d/f/", syscall(SYS_truncate, "d/f/", 0L));
    T("truncate loop", syscall(SYS_truncate, "loop", 0L));
    T("truncate \"\"", syscall(SYS_truncate, "", 0L));
    T("truncate bad pointer", syscall(SYS_truncate, BAD, 0L));
    T("truncate long path", syscall(SYS_truncate, long_path, 0L));
}

// ------------------------------------------------------------------------- xattrs

static void xattrs(void)
{
    long r = syscall(SYS_setxattr, "d/f", "user.a", "one", 3, 0);
    if (r == -1 && errno == EOPNOTSUPP) {
        // The file system has no user xattrs: still, the calls find the file.
        printf("user xattrs not supported here\n");
    }
    T("setxattr d/f user.a", r);
    T("setxattr through d/link user.b", syscall(SYS_setxattr, "d/link", "user.b", "two", 3, 0));
    char buf[256];
    memset(buf, 0, sizeof(buf));
    T("getxattr d/f user.b", syscall(SYS_getxattr, "d/f", "user.b", buf, sizeof(buf)));
    printf("user.b = '%s'\n", buf);
    T("getxattr size query", syscall(SYS_getxattr, "d/f", "user.a", NULL, 0));
    T("getxattr small buffer", syscall(SYS_getxattr, "d/f", "user.a", buf, 1));
    T("getxattr missing attribute", syscall(SYS_getxattr, "d/f", "user.none", buf, sizeof(buf)));
    T("lgetxattr d/link user.a", syscall(SYS_lgetxattr, "d/link", "user.a", buf, sizeof(buf)));
    T("lgetxattr d/f user.a", syscall(SYS_lgetxattr, "d/f", "user.a", buf, sizeof(buf)));
    T("lsetxattr d/link user.c (a symlink)", syscall(SYS_lsetxattr, "d/link", "user.c", "x", 1, 0));
    T("lsetxattr d/f user.c", syscall(SYS_lsetxattr, "d/f", "user.c", "three", 5, 0));
    memset(buf, 0, sizeof(buf));
    long n = syscall(SYS_listxattr, "d/link", buf, sizeof(buf));
    T("listxattr through d/link", n);
    printf("list:");
    for (long i = 0; i < n; i += (long)strlen(buf + i) + 1)
        printf(" %s", buf + i);
    printf("\n");
    T("llistxattr d/link", syscall(SYS_llistxattr, "d/link", buf, sizeof(buf)));
    T("listxattr size query", syscall(SYS_listxattr, "d/f", NULL, 0));
    T("listxattr small buffer", syscall(SYS_listxattr, "d/f", buf, 2));
    T("setxattr CREATE existing", syscall(SYS_setxattr, "d/f", "user.a", "x", 1, XATTR_CREATE));
    T("setxattr REPLACE missing", syscall(SYS_setxattr, "d/f", "user.z", "x", 1, XATTR_REPLACE));
    T("setxattr bad flags", syscall(SYS_setxattr, "d/f", "user.a", "x", 1, 0x10));
    T("setxattr empty name", syscall(SYS_setxattr, "d/f", "", "x", 1, 0));
    T("setxattr long name", syscall(SYS_setxattr, "d/f", long_name, "x", 1, 0));
    T("setxattr bad value pointer", syscall(SYS_setxattr, "d/f", "user.a", BAD, 1, 0));
    T("setxattr bad name pointer", syscall(SYS_setxattr, "d/f", BAD, "x", 1, 0));
    T("setxattr value too big", syscall(SYS_setxattr, "d/f", "user.a", "x", 70000, 0));
    T("getxattr empty name, missing file", syscall(SYS_getxattr, "nothing", "", buf, sizeof(buf)));
    T("getxattr missing file", syscall(SYS_getxattr, "nothing", "user.a", buf, sizeof(buf)));
    T("getxattr loop", syscall(SYS_getxattr, "loop", "user.a", buf, sizeof(buf)));
    T("lgetxattr loop", syscall(SYS_lgetxattr, "loop", "user.a", buf, sizeof(buf)));
    T("getxattr ENOTDIR", syscall(SYS_getxattr, "d/f/x", "user.a", buf, sizeof(buf)));
    T("getxattr \"\"", syscall(SYS_getxattr, "", "user.a", buf, sizeof(buf)));
    T("getxattr bad path", syscall(SYS_getxattr, BAD, "user.a", buf, sizeof(buf)));
    T("getxattr bad value buffer", syscall(SYS_getxattr, "d/f", "user.a", BAD, 10));
    T("listxattr missing", syscall(SYS_listxattr, "nothing", buf, sizeof(buf)));
    T("listxattr long path", syscall(SYS_listxattr, long_path, buf, sizeof(buf)));
    T("removexattr through d/link user.a", syscall(SYS_removexattr, "d/link", "user.a"));
    T("removexattr again", syscall(SYS_removexattr, "d/f", "user.a"));
    T("lremovexattr d/link user.b (a symlink)", syscall(SYS_lremovexattr, "d/link", "user.b"));
    T("lremovexattr d/f user.b", syscall(SYS_lremovexattr, "d/f", "user.b"));
    T("removexattr empty name", syscall(SYS_removexattr, "d/f", ""));
    T("removexattr missing file", syscall(SYS_removexattr, "nothing", "user.c"));
    T("removexattr bad path", syscall(SYS_removexattr, BAD, "user.c"));
}

// ------------------------------------------------------------------------- inotify

static void watches(void)
{
    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    must(in >= 0, "inotify_init1");
    long wd_dir = syscall(SYS_inotify_add_watch, in, "d", IN_CREATE | IN_ATTRIB);
    T("watch d", wd_dir);
    long wd_f = syscall(SYS_inotify_add_watch, in, "d/f", IN_ATTRIB);
    long wd_via_link = syscall(SYS_inotify_add_watch, in, "d/link", IN_ATTRIB);
    long wd_link = syscall(SYS_inotify_add_watch, in, "d/link", IN_ATTRIB | IN_DONT_FOLLOW);
    printf("watch d/f ok %s; through d/link same watch %s; d/link itself another %s\n",
           yes(wd_f > 0), yes(wd_via_link == wd_f), yes(wd_link > 0 && wd_link != wd_f));
    int fd = open("d/new", O_CREAT | O_WRONLY, 0644);
    must(fd >= 0, "create d/new");
    close(fd);
    must(chmod("d/f", 0640) == 0, "chmod d/f");
    must(syscall(SYS_lchown, "d/link", 7, 7) == 0, "lchown d/link");
    char ev[4096] __attribute__((aligned(8)));
    long n = read(in, ev, sizeof(ev));
    for (long i = 0; i + (long)sizeof(struct inotify_event) <= n;) {
        struct inotify_event *e = (struct inotify_event *)(ev + i);
        const char *who = e->wd == wd_dir    ? "d"
                          : e->wd == wd_f    ? "d/f"
                          : e->wd == wd_link ? "d/link"
                                             : "?";
        printf("event on %s: mask 0x%x name '%s'\n", who, e->mask, e->len ? e->name : "");
        i += (long)sizeof(*e) + e->len;
    }
    T("watch d/f ONLYDIR", syscall(SYS_inotify_add_watch, in, "d/f", IN_ATTRIB | IN_ONLYDIR));
    T("watch d/dirlink ONLYDIR",
      syscall(SYS_inotify_add_watch, in, "d/dirlink", IN_ATTRIB | IN_ONLYDIR) == wd_dir);
    T("watch d/dirlink ONLYDIR DONT_FOLLOW",
      syscall(SYS_inotify_add_watch, in, "d/dirlink", IN_ATTRIB | IN_ONLYDIR | IN_DONT_FOLLOW));
    T("watch missing", syscall(SYS_inotify_add_watch, in, "d/nothing", IN_ATTRIB));
    T("watch dangling", syscall(SYS_inotify_add_watch, in, "d/dangling", IN_ATTRIB));
    T("watch dangling DONT_FOLLOW",
      syscall(SYS_inotify_add_watch, in, "d/dangling", IN_ATTRIB | IN_DONT_FOLLOW) > 0);
    T("watch loop", syscall(SYS_inotify_add_watch, in, "loop", IN_ATTRIB));
    T("watch ENOTDIR", syscall(SYS_inotify_add_watch, in, "d/f/x", IN_ATTRIB));
    T("watch \"\"", syscall(SYS_inotify_add_watch, in, "", IN_ATTRIB));
    T("watch bad path", syscall(SYS_inotify_add_watch, in, BAD, IN_ATTRIB));
    T("watch long path", syscall(SYS_inotify_add_watch, in, long_path, IN_ATTRIB));
    T("watch mask 0", syscall(SYS_inotify_add_watch, in, "d", 0));
    T("watch mask 0, missing", syscall(SYS_inotify_add_watch, in, "nothing", 0));
    T("watch MASK_ADD|MASK_CREATE",
      syscall(SYS_inotify_add_watch, in, "d", IN_ATTRIB | IN_MASK_ADD | IN_MASK_CREATE));
    T("watch MASK_CREATE on a watched file",
      syscall(SYS_inotify_add_watch, in, "d/link", IN_ATTRIB | IN_MASK_CREATE));
    T("watch bad fd, missing", syscall(SYS_inotify_add_watch, 999, "nothing", IN_ATTRIB));
    int pfd[2];
    must(pipe(pfd) == 0, "pipe");
    T("watch on a pipe fd, missing", syscall(SYS_inotify_add_watch, pfd[0], "nothing", IN_ATTRIB));
    close(pfd[0]);
    close(pfd[1]);
    close(in);
    unlink("d/new");
}

// ------------------------------------------------------------------------- sockets

static socklen_t un_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    size_t n = strlen(path);
    memcpy(a->sun_path, path, n > sizeof(a->sun_path) ? sizeof(a->sun_path) : n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

// Prints an address the kernel gave back: its length and path (or its kind).
static void show_addr(const char *what, long r, const struct sockaddr_un *a, socklen_t len)
{
    if (r == -1) {
        T(what, -1);
        return;
    }
    if (len <= offsetof(struct sockaddr_un, sun_path))
        printf("%s: len %u, unnamed\n", what, (unsigned)len);
    else if (a->sun_path[0] == 0)
        printf("%s: len %u, abstract\n", what, (unsigned)len);
    else
        printf("%s: len %u, '%.*s'\n", what, (unsigned)len,
               (int)(len - offsetof(struct sockaddr_un, sun_path)), a->sun_path);
}

static void show_name(const char *what, int fd, int peer)
{
    struct sockaddr_un a;
    memset(&a, 0x55, sizeof(a));
    socklen_t len = sizeof(a);
    long r = peer ? getpeername(fd, (struct sockaddr *)&a, &len)
                  : getsockname(fd, (struct sockaddr *)&a, &len);
    show_addr(what, r, &a, len);
}

static int unix_socket(int type)
{
    int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    must(s >= 0, "socket");
    return s;
}

static void stream_sockets(void)
{
    struct sockaddr_un a;
    int srv = unix_socket(SOCK_STREAM);
    T("bind srv.sock", bind(srv, (struct sockaddr *)&a, un_addr(&a, "srv.sock")));
    T("listen", listen(srv, 8));
    show_name("srv getsockname", srv, 0);
    struct stat st;
    printf("srv.sock is a socket file: %s\n",
           yes(lstat("srv.sock", &st) == 0 && S_ISSOCK(st.st_mode)));

    int c1 = unix_socket(SOCK_STREAM);
    T("connect srv.sock", connect(c1, (struct sockaddr *)&a, un_addr(&a, "srv.sock")));
    show_name("c1 getpeername", c1, 1);
    show_name("c1 getsockname", c1, 0);
    struct sockaddr_un peer;
    socklen_t plen = sizeof(peer);
    int a1 = accept(srv, (struct sockaddr *)&peer, &plen);
    show_addr("accept c1", a1, &peer, plen);
    show_name("accepted c1 getsockname", a1, 0);

    // A bound client: the server sees its name.
    int c2 = unix_socket(SOCK_STREAM);
    T("bind cli.sock", bind(c2, (struct sockaddr *)&a, un_addr(&a, "cli.sock")));
    T("connect ./srv.sock", connect(c2, (struct sockaddr *)&a, un_addr(&a, "./srv.sock")));
    show_name("c2 getpeername", c2, 1);
    plen = sizeof(peer);
    int a2 = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
    show_addr("accept4 c2", a2, &peer, plen);
    show_name("accepted c2 getpeername", a2, 1);
    // Truncated: the length says how long the whole address is.
    memset(&peer, 0, sizeof(peer));
    plen = 5;
    long r = getpeername(a2, (struct sockaddr *)&peer, &plen);
    printf("getpeername into 5 bytes: %ld, len %u, path '%.3s', byte 5 untouched %s\n", r,
           (unsigned)plen, peer.sun_path, yes(peer.sun_path[3] == 0));
    plen = 0;
    r = getsockname(c2, (struct sockaddr *)&peer, &plen);
    printf("getsockname into 0 bytes: %ld, len %u\n", r, (unsigned)plen);
    T("getsockname NULL len", getsockname(c2, (struct sockaddr *)&peer, NULL));
    plen = sizeof(peer);
    T("getsockname bad address", getsockname(c2, BAD, &plen));
    plen = (socklen_t)-1;
    T("getsockname negative len", getsockname(c2, (struct sockaddr *)&peer, &plen));
    T("getsockname bad fd", getsockname(999, (struct sockaddr *)&peer, &plen));
    T("data c2 -> server", write(c2, "ping", 4));
    char buf[16] = { 0 };
    T("server reads", read(a2, buf, sizeof(buf) - 1));
    printf("server got '%s'\n", buf);
    close(a1);
    close(a2);
    close(c1);
    close(c2);

    // A path through a symlink and a directory, and an absolute one.
    must(symlink("srv.sock", "srv.link") == 0, "symlink srv.link");
    int c3 = unix_socket(SOCK_STREAM);
    T("connect through symlink srv.link",
      connect(c3, (struct sockaddr *)&a, un_addr(&a, "srv.link")));
    show_name("c3 getpeername", c3, 1);
    close(c3);
    char cwd[4096], abs_path[4200];
    must(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
    snprintf(abs_path, sizeof(abs_path), "%s/d/abs.sock", cwd);
    int srv2 = unix_socket(SOCK_STREAM);
    if (strlen(abs_path) < sizeof(a.sun_path)) {
        T("bind absolute path", bind(srv2, (struct sockaddr *)&a, un_addr(&a, abs_path)));
        listen(srv2, 1);
        struct sockaddr_un got;
        socklen_t glen = sizeof(got);
        getsockname(srv2, (struct sockaddr *)&got, &glen);
        printf("absolute getsockname is the bound path: %s, len right %s\n",
               yes(strcmp(got.sun_path, abs_path) == 0),
               yes(glen == offsetof(struct sockaddr_un, sun_path) + strlen(abs_path) + 1));
        int c4 = unix_socket(SOCK_STREAM);
        T("connect d/abs.sock", connect(c4, (struct sockaddr *)&a, un_addr(&a, "d/abs.sock")));
        glen = sizeof(got);
        getpeername(c4, (struct sockaddr *)&got, &glen);
        printf("its peer name is the bound path: %s\n", yes(strcmp(got.sun_path, abs_path) == 0));
        close(c4);
    } else {
        printf("bind absolute path: 0\nabsolute getsockname is the bound path: yes, len right yes\n"
               "connect d/abs.sock: 0\nits peer name is the bound path: yes\n");
    }
    close(srv2);

    // Lengths: no NUL in the address, and a path of all 108 bytes.
    int s5 = unix_socket(SOCK_STREAM);
    un_addr(&a, "nonul.sock");
    T("bind without NUL",
      bind(s5, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 10));
    show_name("nonul getsockname", s5, 0);
    close(s5);
    char p108[109];
    must(mkdir("dddddddddddddddddddddddddddddddddddddddddddddddddd", 0755) == 0, "mkdir d50");
    must(mkdir("dddddddddddddddddddddddddddddddddddddddddddddddddd/"
               "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
               0755) == 0,
         "mkdir d50/e50");
    snprintf(p108, sizeof(p108), "%s/%s/%s", "dddddddddddddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "sock_6");
    printf("path of %zu bytes\n", strlen(p108));
    int s6 = unix_socket(SOCK_STREAM);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, p108, 108);
    T("bind 108-byte path, len 110", bind(s6, (struct sockaddr *)&a, sizeof(a)));
    show_name("108-byte getsockname", s6, 0);
    listen(s6, 1);
    int c6 = unix_socket(SOCK_STREAM);
    T("connect 108-byte path", connect(c6, (struct sockaddr *)&a, sizeof(a)));
    show_name("108-byte getpeername", c6, 1);
    close(c6);
    close(s6);

    // Errors.
    int s7 = unix_socket(SOCK_STREAM);
    T("bind existing socket file", bind(s7, (struct sockaddr *)&a, un_addr(&a, "srv.sock")));
    T("bind existing regular file", bind(s7, (struct sockaddr *)&a, un_addr(&a, "d/f")));
    T("bind through a dangling symlink",
      bind(s7, (struct sockaddr *)&a, un_addr(&a, "d/dangling")));
    T("bind in a missing directory", bind(s7, (struct sockaddr *)&a, un_addr(&a, "nodir/x.sock")));
    T("bind ENOTDIR", bind(s7, (struct sockaddr *)&a, un_addr(&a, "d/f/x.sock")));
    T("bind trailing slash", bind(s7, (struct sockaddr *)&a, un_addr(&a, "slash.sock/")));
    T("bind len 200", bind(s7, (struct sockaddr *)&a, 200));
    T("bind len 111", bind(s7, (struct sockaddr *)&a, 111));
    T("bind bad pointer", bind(s7, BAD, sizeof(a)));
    T("bind bad fd", bind(999, (struct sockaddr *)&a, un_addr(&a, "x.sock")));
    T("bind bad fd, bad pointer", bind(999, BAD, sizeof(a)));
    int ffd = open("d/f", O_RDONLY);
    T("bind not a socket", bind(ffd, (struct sockaddr *)&a, un_addr(&a, "x.sock")));
    close(ffd);
    int inet = socket(AF_INET, SOCK_STREAM, 0);
    T("bind unix path on an inet socket", bind(inet, (struct sockaddr *)&a, un_addr(&a, "x.sock")));
    T("connect unix path on an inet socket",
      connect(inet, (struct sockaddr *)&a, un_addr(&a, "srv.sock")));
    close(inet);
    printf("x.sock created: %s\n", yes(lstat("x.sock", &st) == 0));
    T("bind ok.sock", bind(s7, (struct sockaddr *)&a, un_addr(&a, "ok.sock")));
    T("bind again (already bound)", bind(s7, (struct sockaddr *)&a, un_addr(&a, "again.sock")));
    printf("again.sock created: %s\n", yes(lstat("again.sock", &st) == 0));
    close(s7);
    int c8 = unix_socket(SOCK_STREAM);
    T("connect missing", connect(c8, (struct sockaddr *)&a, un_addr(&a, "nothing.sock")));
    T("connect a regular file", connect(c8, (struct sockaddr *)&a, un_addr(&a, "d/f")));
    T("connect a directory", connect(c8, (struct sockaddr *)&a, un_addr(&a, "d")));
    T("connect ENOTDIR", connect(c8, (struct sockaddr *)&a, un_addr(&a, "d/f/x")));
    T("connect loop", connect(c8, (struct sockaddr *)&a, un_addr(&a, "loop")));
    T("connect socket without listener",
      connect(c8, (struct sockaddr *)&a, un_addr(&a, "ok.sock")));
    T("connect bad fd, missing", connect(999, (struct sockaddr *)&a, un_addr(&a, "nothing.sock")));
    T("connect len 1", connect(c8, (struct sockaddr *)&a, 1));
    T("connect bad pointer", connect(c8, BAD, sizeof(a)));
    close(c8);

    // Abstract and autobound names pass as they are.
    int s9 = unix_socket(SOCK_STREAM);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    socklen_t alen =
        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                    snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "asis-attrs-%d", getpid()));
    T("bind abstract", bind(s9, (struct sockaddr *)&a, alen));
    struct sockaddr_un got;
    socklen_t glen = sizeof(got);
    getsockname(s9, (struct sockaddr *)&got, &glen);
    printf("abstract getsockname: same %s\n", yes(glen == alen && memcmp(&got, &a, alen) == 0));
    close(s9);
    int s10 = unix_socket(SOCK_STREAM);
    T("autobind", bind(s10, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path)));
    show_name("autobind getsockname", s10, 0);
    close(s10);
    close(srv);
}

static void datagram_sockets(void)
{
    struct sockaddr_un a, b, from;
    int sa = unix_socket(SOCK_DGRAM), sb = unix_socket(SOCK_DGRAM);
    socklen_t alen = un_addr(&a, "a.dg"), blen = un_addr(&b, "b.dg");
    T("bind a.dg", bind(sa, (struct sockaddr *)&a, alen));
    T("bind b.dg", bind(sb, (struct sockaddr *)&b, blen));
    T("sendto a.dg", sendto(sb, "one", 3, 0, (struct sockaddr *)&a, alen));
    char buf[64] = { 0 };
    socklen_t flen = sizeof(from);
    long n = recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    printf("recvfrom: %ld '%.*s'\n", n, (int)(n > 0 ? n : 0), buf);
    show_addr("recvfrom sender", n, &from, flen);

    struct iovec iov = { .iov_base = "two", .iov_len = 3 };
    struct msghdr m = { .msg_name = &a, .msg_namelen = alen, .msg_iov = &iov, .msg_iovlen = 1 };
    T("sendmsg to a.dg", sendmsg(sb, &m, 0));
    struct iovec riov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr rm = {
        .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &riov, .msg_iovlen = 1
    };
    memset(&from, 0, sizeof(from));
    n = recvmsg(sa, &rm, 0);
    printf("recvmsg: %ld '%.*s', flags 0x%x\n", n, (int)(n > 0 ? n : 0), buf, rm.msg_flags);
    show_addr("recvmsg sender", n, &from, rm.msg_namelen);

    // A small name buffer: cut, with the full length and MSG_TRUNC for the data.
    T("sendto a.dg again", sendto(sb, "three33", 7, 0, (struct sockaddr *)&a, alen));
    memset(&from, 0, sizeof(from));
    rm.msg_namelen = 4;
    riov.iov_len = 5;
    n = recvmsg(sa, &rm, 0);
    printf("recvmsg small: %ld, namelen %u, path '%.2s', flags 0x%x\n", n, (unsigned)rm.msg_namelen,
           from.sun_path, rm.msg_flags);

    // sendmmsg: two messages by path.
    struct mmsghdr mm[2];
    struct iovec mi[2] = { { "m1", 2 }, { "m22", 3 } };
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 2; i++) {
        mm[i].msg_hdr.msg_name = &a;
        mm[i].msg_hdr.msg_namelen = alen;
        mm[i].msg_hdr.msg_iov = &mi[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    T("sendmmsg 2 to a.dg", sendmmsg(sb, mm, 2, 0));
    printf("msg_len %u %u\n", mm[0].msg_len, mm[1].msg_len);
    for (int i = 0; i < 2; i++) {
        flen = sizeof(from);
        n = recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
        printf("recvfrom %d: %ld '%.*s'\n", i, n, (int)(n > 0 ? n : 0), buf);
        show_addr("  sender", n, &from, flen);
    }
    mm[1].msg_hdr.msg_name = &b;
    mm[1].msg_hdr.msg_namelen = un_addr(&b, "nothing.dg");
    T("sendmmsg second to a missing path", sendmmsg(sb, mm, 2, 0));
    T("sendmmsg first to a missing path", sendmmsg(sb, &mm[1], 1, 0));
    flen = sizeof(from);
    T("drain", recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));

    // Errors of sendto by path.
    struct sockaddr_un x;
    T("sendto missing", sendto(sb, "x", 1, 0, (struct sockaddr *)&x, un_addr(&x, "nothing.dg")));
    T("sendto a regular file", sendto(sb, "x", 1, 0, (struct sockaddr *)&x, un_addr(&x, "d/f")));
    T("sendto a stream socket",
      sendto(sb, "x", 1, 0, (struct sockaddr *)&x, un_addr(&x, "srv.sock")));
    T("sendto len 200", sendto(sb, "x", 1, 0, (struct sockaddr *)&x, 200));
    T("sendto bad address", sendto(sb, "x", 1, 0, BAD, sizeof(x)));
    T("sendto bad fd, missing",
      sendto(999, "x", 1, 0, (struct sockaddr *)&x, un_addr(&x, "nothing.dg")));
    int st = unix_socket(SOCK_STREAM);
    T("sendto from an unconnected stream socket",
      sendto(st, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&x, un_addr(&x, "nothing.dg")));
    close(st);
    // A connected datagram socket (connect by path) and an unbound sender.
    int sc = unix_socket(SOCK_DGRAM);
    T("connect dgram a.dg", connect(sc, (struct sockaddr *)&a, alen));
    show_name("dgram getpeername", sc, 1);
    T("send", send(sc, "four", 4, 0));
    flen = sizeof(from);
    n = recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    show_addr("unbound sender", n, &from, flen);
    close(sc);
    close(sa);
    close(sb);
}

// Relative names after chdir: what was bound is what comes back.
static void sockets_after_chdir(void)
{
    must(mkdir("sub", 0755) == 0, "mkdir sub");
    must(chdir("sub") == 0, "chdir sub");
    struct sockaddr_un a;
    int s = unix_socket(SOCK_STREAM);
    T("bind rel.sock in sub", bind(s, (struct sockaddr *)&a, un_addr(&a, "rel.sock")));
    listen(s, 4);
    show_name("rel getsockname", s, 0);
    int c = unix_socket(SOCK_STREAM);
    T("connect rel.sock", connect(c, (struct sockaddr *)&a, un_addr(&a, "rel.sock")));
    show_name("rel getpeername", c, 1);
    close(c);
    must(chdir("..") == 0, "chdir ..");
    struct stat st;
    printf("sub/rel.sock is a socket: %s\n",
           yes(lstat("sub/rel.sock", &st) == 0 && S_ISSOCK(st.st_mode)));
    c = unix_socket(SOCK_STREAM);
    T("connect sub/rel.sock from ..",
      connect(c, (struct sockaddr *)&a, un_addr(&a, "sub/rel.sock")));
    show_name("its getpeername (as bound)", c, 1);
    T("connect rel.sock from ..",
      connect(unix_socket(SOCK_STREAM), (struct sockaddr *)&a, un_addr(&a, "rel.sock")));
    int d = unix_socket(SOCK_STREAM);
    T("bind rel.sock in .", bind(d, (struct sockaddr *)&a, un_addr(&a, "rel.sock")));
    show_name("second rel getsockname", d, 0);
    show_name("first rel getsockname", s, 0);
    close(c);
    close(d);
    close(s);

    // Long names in the working directory: 100 bytes, and 108 (no room for a NUL).
    for (int len = 100; len <= 108; len += 8) {
        char name[109];
        memset(name, 'L', sizeof(name));
        name[len] = 0;
        memset(&a, 0, sizeof(a));
        a.sun_family = AF_UNIX;
        memcpy(a.sun_path, name, (size_t)len);
        socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (len < 108));
        int ls = unix_socket(SOCK_STREAM);
        printf("name of %d bytes:\n", len);
        T("  bind", bind(ls, (struct sockaddr *)&a, alen));
        listen(ls, 1);
        show_name("  getsockname", ls, 0);
        int lc = unix_socket(SOCK_STREAM);
        T("  connect", connect(lc, (struct sockaddr *)&a, alen));
        show_name("  getpeername", lc, 1);
        close(lc);
        close(ls);
    }
}

int main(void)
{
    setup_files();
    modes();
    owners();
    owners_unprivileged();
    times();
    sizes();
    xattrs();
    watches();
    stream_sockets();
    datagram_sockets();
    sockets_after_chdir();
    return 0;
}
