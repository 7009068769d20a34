/* Validation of an x86-64 ELF executable before asis maps it. Shared by the front end
 * (which explains problems to the user) and the runtime (which refuses to map anything
 * this rejects). Freestanding: no libc, works on a buffer holding the file's head. */
#ifndef ASIS_ELF_CHECK_H
#define ASIS_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* How many bytes of the file the caller should pass: the ELF header and program
 * headers must lie inside them. */
#define ELF_CHECK_HEAD_BYTES 65536

enum elf_check_result {
    ELF_OK = 0,
    ELF_ERR_NOT_ELF,     /* shorter than 4 bytes or no \x7fELF magic */
    ELF_ERR_TRUNCATED,   /* file ends before the header, program headers or a segment */
    ELF_ERR_CLASS,       /* not ELFCLASS64 */
    ELF_ERR_ENDIAN,      /* not little endian */
    ELF_ERR_MACHINE,     /* e_machine is not EM_X86_64 */
    ELF_ERR_VERSION,     /* e_ident[EI_VERSION] or e_version is not EV_CURRENT */
    ELF_ERR_TYPE,        /* not ET_EXEC or ET_DYN (relocatable object, core file) */
    ELF_ERR_DYNAMIC,     /* has PT_INTERP: dynamically linked, not supported yet */
    ELF_ERR_MALFORMED,   /* inconsistent headers: see elf_check_info.bad_phdr */
    ELF_ERR_NO_LOAD,     /* no PT_LOAD segment */
    ELF_ERR_ENTRY,       /* entry point is not inside an executable PT_LOAD segment */
};

struct elf_check_info {
    uint16_t type;          /* ET_EXEC or ET_DYN */
    uint64_t entry;         /* e_entry (unrelocated for ET_DYN) */
    uint64_t phoff;         /* e_phoff */
    uint16_t phnum;         /* e_phnum */
    uint64_t lowest_vaddr;  /* page-aligned start of the lowest PT_LOAD */
    uint64_t highest_vaddr; /* end of the highest PT_LOAD (vaddr + memsz) */
    int bad_phdr;           /* index of the offending program header, or -1 */
    const char *reason;     /* short static phrase saying what is inconsistent, or 0 */
};

/* head: the first head_len bytes of the file; file_size: the whole file's size. */
enum elf_check_result elf_check(const uint8_t *head, size_t head_len, uint64_t file_size,
                                struct elf_check_info *info);

/* A one-line, user-facing description of a result ("not an ELF file", ...). */
const char *elf_check_describe(enum elf_check_result result);

/* The asis exit status (common/exit_codes.h) that goes with a result. */
int elf_check_exit_code(enum elf_check_result result);

#endif
