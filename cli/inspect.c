/* asis inspect: what asis sees in a program before running it. */
#include <stdio.h>
#include <unistd.h>
#include "cli.h"
#include "elf_check.h"
#include "exit_codes.h"

int cmd_inspect(int argc, char **argv)
{
    if (argc != 1) {
        cli_error("inspect: give exactly one program (usage: asis inspect PROGRAM)");
        return ASIS_EXIT_USAGE;
    }
    struct program prog;
    int status = program_open(argv[0], &prog);
    if (status)
        return status;
    static uint8_t head[ELF_CHECK_HEAD_BYTES];
    ssize_t got = pread(prog.fd, head, sizeof(head), 0);
    off_t size = lseek(prog.fd, 0, SEEK_END);
    struct elf_check_info info;
    elf_check(head, got < 0 ? 0 : (size_t)got, (uint64_t)size, &info);
    printf("program:   %s\n", prog.path);
    printf("format:    ELF64 x86-64, %s\n",
           info.type == 2 ? "static executable (ET_EXEC)" : "static position-independent (ET_DYN)");
    printf("entry:     0x%llx\n", (unsigned long long)info.entry);
    printf("segments:  0x%llx-0x%llx\n", (unsigned long long)info.lowest_vaddr,
           (unsigned long long)info.highest_vaddr);
    printf("runnable:  yes (every syscall trapped and emulated)\n");
    close(prog.fd);
    return 0;
}
