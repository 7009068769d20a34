/* Little-endian fields of a file in memory, read with memcpy: nothing in a damaged (or
 * any) file is aligned. x86-64 only, so no byte swapping. */
#ifndef ASIS_UNALIGNED_H
#define ASIS_UNALIGNED_H
#include <stdint.h>
#include <string.h>

static inline uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#endif
