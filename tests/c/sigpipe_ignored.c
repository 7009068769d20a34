// A program that ignores SIGPIPE gets EPIPE from a write to a broken pipe instead of
// dying; one that has not ignored it dies of SIGPIPE (checked in a child process).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    struct sigaction old;
    sigaction(SIGPIPE, NULL, &old);
    printf("SIGPIPE initially %s\n", old.sa_handler == SIG_IGN ? "ignored" : "default");

    int p[2];
    pipe(p);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    long r = write(p[1], "x", 1);
    printf("write to a broken pipe with SIGPIPE ignored: %ld %s\n", r, strerrorname_np(errno));
    sigaction(SIGPIPE, NULL, &old);
    printf("SIGPIPE now %s\n", old.sa_handler == SIG_IGN ? "ignored" : "default");

    signal(SIGPIPE, SIG_DFL);
    fflush(stdout);
    write(p[1], "x", 1); /* dies of SIGPIPE here */
    printf("still alive\n");
    return 0;
}
