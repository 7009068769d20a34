/* Go's build info blob: finding it and reading the inline version string. */
#include <string.h>

#include "go_buildinfo.h"

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HEADER_SIZE 32
#define ALIGN 16
#define SEARCH_BYTES 65536
#define FLAG_VERSION_INLINE 2 /* strings follow the header (Go 1.18+) */
#define FLAG_BIG_ENDIAN 1
#define VERSION_MAX 64        /* "go1.26.11", "devel go1.27-abcdef Tue ..." */

/* The blob's bytes (up to the end of what the file holds there), or NULL. */
static const uint8_t *find_blob(const struct elf_image *img, size_t *avail)
{
    struct elf_section sec;
    if (elf_image_find_section(img, ".go.buildinfo", &sec) == 0) {
        *avail = sec.bytes ? (size_t)sec.size : 0;
        return sec.bytes;
    }
    struct elf_segment s;
    for (unsigned i = 0; elf_image_segment(img, i, &s) == 0; i++) {
        if (s.type != ELF_PT_LOAD || (s.flags & (ELF_PF_W | ELF_PF_X)) != ELF_PF_W)
            continue;
        uint64_t skip = (ALIGN - s.vaddr % ALIGN) % ALIGN;
        if (s.filesz <= skip)
            return NULL;
        uint64_t len = s.filesz - skip;
        const uint8_t *p = elf_image_at(img, s.vaddr + skip, len, NULL);
        if (!p)
            return NULL;
        uint64_t limit = len < SEARCH_BYTES ? len : SEARCH_BYTES;
        for (uint64_t off = 0; off + HEADER_SIZE <= limit; off += ALIGN) {
            if (memcmp(p + off, MAGIC, MAGIC_LEN) == 0) {
                *avail = (size_t)(len - off);
                return p + off;
            }
        }
        return NULL; /* debug/buildinfo looks only in the first such segment */
    }
    return NULL;
}

int go_buildinfo_version(const struct elf_image *img, char *out, size_t out_size)
{
    size_t avail = 0;
    const uint8_t *b = find_blob(img, &avail);
    if (!b || avail < HEADER_SIZE || memcmp(b, MAGIC, MAGIC_LEN) != 0 || b[14] != 8 ||
        (b[15] & (FLAG_VERSION_INLINE | FLAG_BIG_ENDIAN)) != FLAG_VERSION_INLINE)
        return -1;
    uint64_t len = 0;
    size_t at = HEADER_SIZE;
    for (int shift = 0;; shift += 7) {
        if (at >= avail || shift > 63)
            return -1;
        uint8_t c = b[at++];
        len |= (uint64_t)(c & 0x7f) << shift;
        if (c < 0x80)
            break;
    }
    if (len == 0 || len > VERSION_MAX || len > avail - at || len >= out_size)
        return -1;
    for (uint64_t i = 0; i < len; i++)
        if (b[at + i] < 0x20 || b[at + i] > 0x7e)
            return -1;
    memcpy(out, b + at, (size_t)len);
    out[len] = 0;
    return 0;
}
