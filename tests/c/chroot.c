// chroot: the root moves for the calling process and what it starts, not for its
// parent; absolute paths, absolute symlinks and ".." stay inside it; the working
// directory does not move (getcwd says "(unreachable)" while it is outside); a vfork
// child's chroot is its own. Without CAP_SYS_CHROOT every chroot is EPERM (both sides).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/outcome.h"

static char tree[64];

static void put(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", tree, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        perror(p);
        exit(1);
    }
    close(fd);
}

// Prints what a path reads as: its first line, or the errno's name.
static void show_read(const char *what, const char *path)
{
    char buf[64] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", what, strerrorname_np(errno));
    } else {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
        printf("%s: \"%s\"\n", what, buf);
    }
    fflush(stdout);
}

static void show_cwd(const char *what)
{
    char buf[4096];
    if (!getcwd(buf, sizeof(buf)))
        printf("%s: %s\n", what, strerrorname_np(errno));
    else if (strncmp(buf, "(unreachable)", 13) == 0)
        printf("%s: (unreachable)...\n", what);
    else
        printf("%s: %s\n", what, buf);
    fflush(stdout);
}

// The program started inside the new root: what it sees.
static int child_mode(void)
{
    show_read("  exec'd child: /etc/hostname", "/etc/hostname");
    show_read("  exec'd child: /../../etc/hostname", "/../../etc/hostname");
    show_cwd("  exec'd child: getcwd");
    return 0;
}

static void copy_self(const char *rel)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", tree, rel);
    int in = open("/proc/self/exe", O_RDONLY), out = open(p, O_WRONLY | O_CREAT, 0755);
    char buf[65536];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, n) != n)
            break;
    close(in);
    close(out);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_mode();

    strcpy(tree, "/tmp/asis-chroot-XXXXXX");
    if (!mkdtemp(tree))
        return 1;
    char p[256];
    snprintf(p, sizeof(p), "%s/etc", tree);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/bin", tree);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/sub", tree);
    mkdir(p, 0755);
    put("etc/hostname", "inside\n");
    put("file", "a file\n");
    snprintf(p, sizeof(p), "%s/abs", tree);
    symlink("/etc/hostname", p);
    snprintf(p, sizeof(p), "%s/up", tree);
    symlink("../../../../etc/hostname", p);
    copy_self("bin/self");

    T("chroot of a missing dir", chroot("/no/such/dir"));
    snprintf(p, sizeof(p), "%s/file", tree);
    T("chroot of a file", chroot(p));
    T("chroot of NULL", syscall(SYS_chroot, NULL));

    // A vfork child's chroot, then exec: only the child moves.
    pid_t pid = vfork();
    if (pid == 0) {
        if (chroot(tree) != 0)
            _exit(100 + errno % 100);
        execl("/bin/self", "self", "child", (char *)0);
        _exit(99);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("vfork child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    snprintf(p, sizeof(p), "%s/etc/hostname", tree);
    int parent_moved = access("/bin/self", X_OK) == 0;
    printf("parent still at the old root: %s\n", parent_moved ? "no" : "yes");
    fflush(stdout);

    // Many vfork children, each chrooting somewhere else before it ends: none of it
    // reaches this process, and there is no limit to run into.
    int vfork_fails = 0;
    for (int i = 0; i < 24; i++) {
        snprintf(p, sizeof(p), "%s/v%d", tree, i);
        mkdir(p, 0755);
        pid = vfork();
        if (pid == 0)
            _exit(chroot(p) == 0 || errno == EPERM ? 0 : 1);
        waitpid(pid, &st, 0);
        vfork_fails += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
        rmdir(p);
    }
    printf("24 vfork children chrooted elsewhere: %d failed\n", vfork_fails);
    fflush(stdout);

    // The chroot itself in a child, so that this process can remove the tree after.
    pid_t chrooted = fork();
    if (chrooted == 0) {
        snprintf(p, sizeof(p), "%s/sub", tree);
        T("chdir into the tree", chdir(p));
        errno = 0;
        int r = chroot(tree);
        show("chroot", r, errno);
        if (r == 0) {
            show_cwd("getcwd (cwd did not move)");
            show_read("/etc/hostname", "/etc/hostname");
            show_read("/abs (absolute symlink)", "/abs");
            show_read("/up (climbing symlink)", "/up");
            show_read("/../../../etc/hostname", "/../../../etc/hostname");
            show_read("../etc/hostname from sub", "../etc/hostname");
            T("chdir /", chdir("/"));
            show_cwd("getcwd");
            T("chdir ..", chdir(".."));
            show_cwd("getcwd");
            // A removed working directory inside the new root: ".." still leads up.
            mkdir("/inner", 0755);
            mkdir("/inner/gone", 0755);
            int g = open("/inner/g", O_WRONLY | O_CREAT, 0644);
            if (g >= 0 && write(g, "inner g\n", 8) == 8)
                close(g);
            T("chdir /inner/gone", chdir("/inner/gone"));
            T("rmdir /inner/gone", rmdir("/inner/gone"));
            show_read("../g from the removed directory", "../g");
            struct stat sb;
            T("stat ..", stat("..", &sb));
            T("chdir /", chdir("/"));
            pid = fork();
            if (pid == 0) {
                show_read("  forked child: /etc/hostname", "/etc/hostname");
                execl("/bin/self", "self", "child", (char *)0);
                _exit(99);
            }
            waitpid(pid, &st, 0);
            printf("forked child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
        fflush(stdout);
        _exit(0);
    }
    waitpid(chrooted, &st, 0);
    show_read("after the child's chroot, this process reads /bin/self",
              access("/bin/self", F_OK) == 0 ? "/bin/self" : "/no/such/file");

    const char *names[] = { "etc/hostname", "file", "abs", "up", "bin/self", "etc", "bin",
                            "sub", "inner/g", "inner" };
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof(p), "%s/%s", tree, names[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
    rmdir(tree);
    return 0;
}
