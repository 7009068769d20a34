/* Line-by-line reading of host text files (see line_reader.h). */
#include "vfs/line_reader.h"
#include "lib/string.h"
#include "pal/host.h"

void line_reader_init(struct line_reader *r, int fd)
{
    r->fd = fd;
    r->eof = 0;
    r->skipping = 0;
    r->start = r->end = 0;
}

static char *find_newline(char *p, char *end)
{
    for (; p < end; p++)
        if (*p == '\n')
            return p;
    return 0;
}

char *line_reader_next(struct line_reader *r)
{
    for (;;) {
        char *line = r->buf + r->start;
        char *nl = find_newline(line, r->buf + r->end);
        if (nl) {
            *nl = 0;
            r->start = (size_t)(nl + 1 - r->buf);
            if (!r->skipping)
                return line;
            r->skipping = 0;
            continue;
        }
        if (r->eof) {
            if (r->start == r->end || r->skipping)
                return 0;
            /* A last line without '\n' (the buffer always keeps a byte for the NUL). */
            r->buf[r->end] = 0;
            r->start = r->end;
            return line;
        }
        if (r->start > 0) {
            memmove(r->buf, line, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end == sizeof(r->buf) - 1) {
            /* Longer than the buffer (never seen in the files read here): skip it. */
            r->start = r->end = 0;
            r->skipping = 1;
        }
        long n = host_syscall3(__NR_read, r->fd, r->buf + r->end, sizeof(r->buf) - 1 - r->end);
        if (n == -EINTR)
            continue;
        if (n <= 0)
            r->eof = 1;
        else
            r->end += (size_t)n;
    }
}
