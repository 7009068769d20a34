/* Bounds-checked access to a whole ELF file held in memory (mapped by the front end):
 * its program headers, its section headers when they are usable, and the file bytes
 * behind a range of addresses. The front end's analyses (pclntab, Go build info, syscall
 * sites) read the program only through this, so a corrupt file can make them find
 * nothing but never makes them read outside the buffer. */
#ifndef ASIS_ELF_IMAGE_H
#define ASIS_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4
#define ELF_SHT_SYMTAB 2
#define ELF_SHT_NOBITS 8

struct elf_image {
    const uint8_t *data;
    size_t size;
    uint16_t type;   /* ET_EXEC or ET_DYN */
    uint64_t entry;
    uint64_t phoff;
    uint16_t phnum;
    uint64_t shoff;
    uint16_t shnum;  /* 0 when the section headers are absent or unusable */
    uint16_t shstrndx;
};

struct elf_segment {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

struct elf_section {
    const char *name;      /* "" if the name is not readable */
    uint32_t type, link;
    uint64_t flags, addr, offset, size, entsize;
    const uint8_t *bytes;  /* the section's file bytes, or NULL (NOBITS, outside the file) */
};

/* 0 if data holds an ELF64 little-endian x86-64 header whose program headers lie inside
 * it; -1 otherwise. Unusable section headers only make shnum 0. */
int elf_image_init(struct elf_image *img, const void *data, size_t size);

/* Program header i, or -1 if i is out of range. */
int elf_image_segment(const struct elf_image *img, unsigned i, struct elf_segment *out);

/* Section header i, or -1 if i is out of range. */
int elf_image_section(const struct elf_image *img, unsigned i, struct elf_section *out);

/* The first section called name, or -1. */
int elf_image_find_section(const struct elf_image *img, const char *name, struct elf_section *out);

/* The first section of the given type, or -1. */
int elf_image_find_section_type(const struct elf_image *img, uint32_t type, struct elf_section *out);

/* The file bytes that are loaded at [vaddr, vaddr + len), all from one PT_LOAD; NULL if
 * the range is not wholly file-backed in one segment. *seg_flags gets its p_flags. */
const uint8_t *elf_image_at(const struct elf_image *img, uint64_t vaddr, uint64_t len,
                            uint32_t *seg_flags);

#endif
