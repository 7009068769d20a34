// The program break: growth by sbrk (also for a static-pie, whose image sits among
// other mappings), writes into the new memory, shrinking, and brk() calls Linux refuses
// (below the start, absurd addresses) leaving the break unchanged.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
    uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
    printf("brk(0) page aligned: %s\n", start % 4096 == 0 ? "yes" : "no");

    char *p = sbrk(1 << 20);
    printf("sbrk(1 MiB) works: %s\n", p != (void *)-1 ? "yes" : "no");
    if (p != (void *)-1) {
        memset(p, 0xab, 1 << 20);
        printf("new memory writable: %s\n", p[(1 << 20) - 1] == (char)0xab ? "yes" : "no");
    }
    char *q = sbrk(64 << 20);
    printf("sbrk(64 MiB) works: %s\n", q != (void *)-1 ? "yes" : "no");
    uintptr_t top = (uintptr_t)syscall(SYS_brk, 0);
    printf("break moved by 65 MiB: %s\n", top - start == (65u << 20) ? "yes" : "no");

    printf("brk(-1) leaves the break: %s\n", (uintptr_t)syscall(SYS_brk, -1L) == top ? "yes" : "no");
    printf("brk(huge) leaves the break: %s\n",
           (uintptr_t)syscall(SYS_brk, 0x7ffffffff000UL) == top ? "yes" : "no");
    printf("brk(below start) leaves the break: %s\n",
           (uintptr_t)syscall(SYS_brk, start - 4096) == top ? "yes" : "no");

    uintptr_t shrunk = (uintptr_t)syscall(SYS_brk, start + 4096);
    printf("shrink works: %s\n", shrunk == start + 4096 ? "yes" : "no");
    char *again = sbrk(1 << 20);
    printf("grow again works: %s\n", again != (void *)-1 ? "yes" : "no");
    if (again != (void *)-1) {
        memset(again, 1, 1 << 20);
        printf("regrown memory is zero-filled where new: %s\n", again[(1 << 20) - 1] == 1 ? "yes" : "no");
    }
    return 0;
}
