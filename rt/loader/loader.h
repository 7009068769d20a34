/* Loading the app: its ELF segments, then the initial stack a Linux kernel would give it. */
#ifndef ASIS_LOADER_H
#define ASIS_LOADER_H
#include <stddef.h>
#include <stdint.h>

struct loaded_image {
    uintptr_t bias;      /* load address minus link address (0 for ET_EXEC) */
    uintptr_t entry;     /* relocated entry point */
    uintptr_t phdr_addr; /* where the program headers are in memory (AT_PHDR) */
    uint16_t phnum;
    uintptr_t end;       /* end of the highest segment: the program break starts here */
    uintptr_t brk_reserved_end; /* end of the PROT_NONE room kept for the break, or end */
    int exec_stack;      /* PT_GNU_STACK asks for an executable stack */
};

/* Maps the executable open on fd. Returns 0, or an elf_check_result (> 0) the caller
 * explains, or -errno for a host failure. */
int elf_load(int fd, struct loaded_image *img);

struct stack_request {
    int argc;
    char **argv;
    char **envp;
    const uint64_t *host_auxv; /* asis-rt's own auxv: hardware facts are passed on */
    const char *execfn;
    uintptr_t vdso;            /* the app's vDSO (AT_SYSINFO_EHDR), or 0 for none */
};


/* The value of type in the host's auxv (asis-rt's own), or fallback. */
uint64_t host_aux(const uint64_t *auxv, uint64_t type, uint64_t fallback);

/* Maps the app's main stack and lays out argc, argv, envp and auxv on it. Returns the
 * initial stack pointer, or 0 if the stack cannot be mapped. */
uintptr_t initial_stack_build(const struct loaded_image *img, const struct stack_request *req);

/* What the kernel keeps in mm_struct about a new program, for /proc/PID/cmdline, environ,
 * auxv and maps. The argument and environment strings are read from the app's memory
 * when asked (the app may rewrite them, as on Linux); auxv is the vector it was given. */
#define APP_AUXV_MAX_WORDS 64
struct app_layout {
    uintptr_t arg_start, arg_end;     /* argv strings, NUL-terminated, back to back */
    uintptr_t env_start, env_end;     /* envp strings, right after them */
    uintptr_t stack_start, stack_end; /* the main stack mapping, without its guard page */
    uintptr_t brk_start;              /* where the program break begins */
    uintptr_t brk_reserved_end;       /* end of the PROT_NONE room kept for it */
    size_t auxv_words;                /* including the AT_NULL pair */
    uint64_t auxv[APP_AUXV_MAX_WORDS];
};

/* Filled by initial_stack_build; all zero before. */
const struct app_layout *app_layout(void);

#endif
