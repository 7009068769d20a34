// A signal the program sends itself with kill() has its default effect: SIGSEGV kills
// it (asis handles SIGSEGV itself, for faults, and must tell the two apart).
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("sending SIGSEGV to myself\n");
    fflush(stdout);
    kill(getpid(), SIGSEGV);
    printf("still alive\n");
    return 0;
}
