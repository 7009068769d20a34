/* The content of a file asis generates (/proc/self/maps, ...): written to a host fd
 * (a memfd) through a small buffer. Write errors are kept, not returned at each call,
 * so generators can print freely and check once at the end. */
#ifndef ASIS_VFS_CONTENT_H
#define ASIS_VFS_CONTENT_H
#include <stddef.h>

struct content {
    int fd;
    long error;     /* the first -errno of a host write, or 0 */
    size_t flushed; /* bytes already written to fd */
    size_t len;     /* bytes waiting in buf */
    char buf[2048];
};

void content_init(struct content *c, int fd);
void content_put(struct content *c, const void *data, size_t n);
void content_puts(struct content *c, const char *s);
__attribute__((format(printf, 2, 3))) void content_printf(struct content *c, const char *fmt, ...);
/* Pads the current line with spaces up to column col (counting from line_start, the
 * byte count content_written gave when the line began). */
void content_pad_to(struct content *c, size_t line_start, size_t col);
/* Bytes written so far (flushed or buffered). */
size_t content_written(const struct content *c);
/* Writes out what is buffered; returns 0 or the first error. */
long content_finish(struct content *c);

#endif
