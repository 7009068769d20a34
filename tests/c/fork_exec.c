// asis-test: rdtsc=emulate
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void *idle_thread(void *arg)
{
    pause();
    return arg;
}

static void on_signal(int sig)
{
    (void)sig;
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
    if (argc == 1 && argv[0][0] == 0) {
        printf("started with no argv: argc=%d argv[0] empty\n", argc);
        return 6;
    }
    if (argc > 1 && strcmp(argv[1], "sigpipe-child") == 0) {
        struct sigaction o;
        sigaction(SIGPIPE, NULL, &o);
        printf("after exec: SIGPIPE %s\n", o.sa_handler == SIG_DFL ? "default" : "not default");
        return 0;
    }
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

    /* A handled SIGPIPE is reset to the default by execve. */
    signal(SIGPIPE, on_signal);
    pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "sigpipe-child", (char *)NULL);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    signal(SIGPIPE, SIG_DFL);

    /* posix_spawn's child resets handlers in its own process, not in ours. */
    signal(SIGUSR1, on_signal);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    posix_spawnattr_setsigdefault(&attr, &usr1);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    if (posix_spawn(&pid, "/proc/self/exe", NULL, &attr, spawn_argv, environ) == 0)
        waitpid(pid, &status, 0);
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("our SIGUSR1 handler after the spawn: %s\n", sa.sa_handler == on_signal ? "kept" : "lost");

    pid = fork();
    if (pid == 0) {
        syscall(SYS_execve, "/proc/self/exe", NULL, environ);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    report("child started with a NULL argv", status);

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
    char fifo[] = "/tmp/asis-fork-exec-fifo-XXXXXX";
    int tmpfd = mkstemp(fifo);
    close(tmpfd);
    unlink(fifo);
    mkfifo(fifo, 0755);
    execve(fifo, no_args, environ); /* must not block waiting for a writer */
    printf("execve of a FIFO: %s\n", strerrorname_np(errno));
    unlink(fifo);
    execve((char *)8, no_args, environ);
    printf("execve with a bad path pointer: %s\n", strerrorname_np(errno));
    return 0;
}
