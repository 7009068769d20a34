/* Bounds-checked reading of a whole ELF file in memory. Every offset and size the file
 * states is checked against the buffer before use; fields are read with memcpy because
 * nothing in a damaged file is aligned. */
#include <string.h>

#include "unaligned.h"
#include "elf_image.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define EM_X86_64 62

/* Whether [off, off + len) lies inside a buffer of size bytes. */
static int inside(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

int elf_image_init(struct elf_image *img, const void *data, size_t size)
{
    const uint8_t *d = data;
    memset(img, 0, sizeof *img);
    if (size < EHDR_SIZE || memcmp(d, "\x7f" "ELF", 4) != 0 || d[4] != 2 || d[5] != 1 ||
        get16(d + 18) != EM_X86_64)
        return -1;
    img->data = d;
    img->size = size;
    img->type = get16(d + 16);
    img->entry = get64(d + 24);
    img->phoff = get64(d + 32);
    img->phnum = get16(d + 56);
    if (get16(d + 54) != PHDR_SIZE || !inside(img->phoff, (uint64_t)img->phnum * PHDR_SIZE, size))
        return -1;
    /* Section headers are optional for running a program, so bad ones only hide them. */
    uint64_t shoff = get64(d + 40);
    uint16_t shnum = get16(d + 60), shstrndx = get16(d + 62);
    if (shoff && shnum && get16(d + 58) == SHDR_SIZE && shstrndx < shnum &&
        inside(shoff, (uint64_t)shnum * SHDR_SIZE, size)) {
        img->shoff = shoff;
        img->shnum = shnum;
        img->shstrndx = shstrndx;
    }
    return 0;
}

int elf_image_segment(const struct elf_image *img, unsigned i, struct elf_segment *out)
{
    if (i >= img->phnum)
        return -1;
    const uint8_t *p = img->data + img->phoff + (size_t)i * PHDR_SIZE;
    out->type = get32(p);
    out->flags = get32(p + 4);
    out->offset = get64(p + 8);
    out->vaddr = get64(p + 16);
    out->filesz = get64(p + 32);
    out->memsz = get64(p + 40);
    return 0;
}

/* The NUL-ended string at off inside the section-name table, or "". */
static const char *section_name(const struct elf_image *img, uint32_t off)
{
    const uint8_t *p = img->data + img->shoff + (size_t)img->shstrndx * SHDR_SIZE;
    uint64_t str_off = get64(p + 24), str_size = get64(p + 32);
    if (!inside(str_off, str_size, img->size) || off >= str_size)
        return "";
    const char *s = (const char *)img->data + str_off + off;
    return memchr(s, 0, str_size - off) ? s : "";
}

int elf_image_section(const struct elf_image *img, unsigned i, struct elf_section *out)
{
    if (i >= img->shnum)
        return -1;
    const uint8_t *p = img->data + img->shoff + (size_t)i * SHDR_SIZE;
    out->name = section_name(img, get32(p));
    out->type = get32(p + 4);
    out->flags = get64(p + 8);
    out->addr = get64(p + 16);
    out->offset = get64(p + 24);
    out->size = get64(p + 32);
    out->link = get32(p + 40);
    out->entsize = get64(p + 56);
    out->bytes = out->type != ELF_SHT_NOBITS && inside(out->offset, out->size, img->size)
                     ? img->data + out->offset
                     : NULL;
    return 0;
}

int elf_image_find_section(const struct elf_image *img, const char *name, struct elf_section *out)
{
    for (unsigned i = 0; i < img->shnum; i++)
        if (elf_image_section(img, i, out) == 0 && strcmp(out->name, name) == 0)
            return 0;
    return -1;
}

int elf_image_find_section_type(const struct elf_image *img, uint32_t type, struct elf_section *out)
{
    for (unsigned i = 0; i < img->shnum; i++)
        if (elf_image_section(img, i, out) == 0 && out->type == type)
            return 0;
    return -1;
}

const uint8_t *elf_image_at(const struct elf_image *img, uint64_t vaddr, uint64_t len,
                            uint32_t *seg_flags)
{
    struct elf_segment s;
    for (unsigned i = 0; elf_image_segment(img, i, &s) == 0; i++) {
        if (s.type != ELF_PT_LOAD || vaddr < s.vaddr || vaddr - s.vaddr > s.filesz ||
            len > s.filesz - (vaddr - s.vaddr))
            continue;
        uint64_t off = s.offset + (vaddr - s.vaddr);
        if (off < s.offset || !inside(off, len, img->size))
            return NULL;
        if (seg_flags)
            *seg_flags = s.flags;
        return img->data + off;
    }
    return NULL;
}
