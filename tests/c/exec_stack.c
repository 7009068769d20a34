// A program marked as needing an executable stack (PT_GNU_STACK with PF_X, here from
// a GCC nested function whose address is taken: a trampoline on the stack) runs.
// asis-test: cflags=-Wl,-z,execstack
#include <stdio.h>

static int apply(int (*f)(int), int x) { return f(x); }

int main(void)
{
    int base = 40;
    int add_base(int x) { return x + base; }
    printf("nested function through a stack trampoline: %d\n", apply(add_base, 2));
    return 0;
}
