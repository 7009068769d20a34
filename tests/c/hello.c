// The smallest static C program: libc start-up (TLS, IRELATIVE relocs in static-pie),
// stdio through write(2), exit status.
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("hello, world\n");
	printf("argc=%d\n", argc);
	return 0;
}
