/* Memory and string helpers of the freestanding runtime (rt/lib/string.c). */
#ifndef ASIS_LIB_STRING_H
#define ASIS_LIB_STRING_H
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int starts_with(const char *s, const char *prefix);
long parse_decimal(const char *s);

#endif
