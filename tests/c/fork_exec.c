// Child processes: fork (from a multithreaded parent), exit statuses through waitpid,
// pipes between parent and child, execve of this program, vfork + _exit, posix_spawn
// (glibc's clone with CLONE_VM|CLONE_VFORK on a separate stack), a child killed by a
// signal, and execve errors. Children run under asis as the parent does.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void *idle_thread(void *arg)
{
    pause();
    return arg;
}

static void report(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", what, WTERMSIG(status));
    else
        printf("%s: status 0x%x\n", what, status);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
        printf("exec-child: argc=%d arg=%s env=%s\n", argc, argv[2], getenv("FORK_EXEC_VAR"));
        return 5;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t;
    pthread_create(&t, NULL, idle_thread, NULL); /* fork from a multithreaded process */

    int p[2];
    pipe(p);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char *m = malloc(1 << 20); /* the allocator works in the single-threaded child */
        memset(m, 1, 1 << 20);
        dprintf(p[1], "child sees its parent: %s\n", getppid() == parent ? "yes" : "no");
        _exit(3);
    }
    close(p[1]);
    char buf[128] = { 0 };
    read(p[0], buf, sizeof(buf) - 1);
    printf("from the pipe: %s", buf);
    int status;
    printf("waitpid returns the child: %s\n", waitpid(pid, &status, 0) == pid ? "yes" : "no");
    report("fork child", status);

    pid = fork();
    if (pid == 0) {
        setenv("FORK_EXEC_VAR", "passed", 1);
        execl("/proc/self/exe", argv[0], "exec-child", "one", (char *)NULL);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    report("exec child", status);

    static volatile int shared = 0;
    pid = vfork();
    if (pid == 0) {
        shared = 42; /* vfork: the child writes its parent's memory */
        _exit(4);
    }
    waitpid(pid, &status, 0);
    report("vfork child", status);
    printf("vfork child wrote parent memory: %s\n", shared == 42 ? "yes" : "no");

    char *spawn_argv[] = { argv[0], "exec-child", "spawned", NULL };
    if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, spawn_argv, environ) == 0) {
        waitpid(pid, &status, 0);
        report("posix_spawn child", status);
    } else {
        printf("posix_spawn failed\n");
    }

    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    report("child killed by a signal", status);

    char *no_args[] = { "x", NULL };
    errno = 0;
    execve("/nonexistent/program", no_args, environ);
    printf("execve of a missing program: %s\n", strerrorname_np(errno));
    char dir[] = "/tmp/asis-fork-exec-XXXXXX", file[64];
    mkdtemp(dir);
    snprintf(file, sizeof(file), "%s/data", dir);
    FILE *f = fopen(file, "w");
    fputs("not a program\n", f);
    fclose(f);
    chmod(file, 0644);
    execve(file, no_args, environ);
    printf("execve of a file without execute permission: %s\n", strerrorname_np(errno));
    chmod(file, 0755);
    execve(file, no_args, environ);
    printf("execve of an executable that is no program: %s\n", strerrorname_np(errno));
    unlink(file);
    rmdir(dir);
    execve("/", no_args, environ);
    printf("execve of a directory: %s\n", strerrorname_np(errno));
    execve((char *)8, no_args, environ);
    printf("execve with a bad path pointer: %s\n", strerrorname_np(errno));
    return 0;
}
