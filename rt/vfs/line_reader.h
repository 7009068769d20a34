/* Reads a host text file (the host's /proc/self/maps, mountinfo) line by line through
 * a fixed buffer, without allocating. */
#ifndef ASIS_VFS_LINE_READER_H
#define ASIS_VFS_LINE_READER_H
#include <stddef.h>

struct line_reader {
    int fd;
    int eof;
    int skipping;      /* inside a line too long for buf */
    size_t start, end; /* unread bytes are buf[start, end) */
    char buf[8192];
};

void line_reader_init(struct line_reader *r, int fd);
/* The next line without its '\n', NUL-terminated and writable, or NULL at the end of
 * the file or on a read error. A line longer than the buffer is skipped. */
char *line_reader_next(struct line_reader *r);

#endif
