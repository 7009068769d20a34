/* A small snprintf for the runtime: %d %i %u %x %p %s %c %% with l/ll/z, width (%-Ns
 * pads on the right), zero padding and %.*s. Enough for logs and traces; no floating
 * point. */
#ifndef ASIS_LIB_FMT_H
#define ASIS_LIB_FMT_H
#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);

#endif
