/* Buffered writing of generated file content (see content.h). */
#include "vfs/content.h"
#include <stdarg.h>
#include "lib/fmt.h"
#include "lib/string.h"
#include "pal/host.h"

void content_init(struct content *c, int fd)
{
    c->fd = fd;
    c->error = 0;
    c->flushed = 0;
    c->len = 0;
}

static void flush(struct content *c)
{
    size_t done = 0;
    while (done < c->len && !c->error) {
        long r = host_write(c->fd, c->buf + done, c->len - done);
        if (r == -EINTR)
            continue;
        if (r <= 0)
            c->error = r < 0 ? r : -EIO;
        else
            done += (size_t)r;
    }
    c->flushed += c->len;
    c->len = 0;
}

void content_put(struct content *c, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        if (c->len == sizeof(c->buf))
            flush(c);
        size_t room = sizeof(c->buf) - c->len;
        size_t k = n < room ? n : room;
        memcpy(c->buf + c->len, p, k);
        c->len += k;
        p += k;
        n -= k;
    }
}

void content_puts(struct content *c, const char *s)
{
    content_put(c, s, strlen(s));
}

void content_printf(struct content *c, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* Long strings go through content_puts; a longer result here is a caller's bug. */
    content_put(c, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

size_t content_written(const struct content *c)
{
    return c->flushed + c->len;
}

void content_pad_to(struct content *c, size_t line_start, size_t col)
{
    while (content_written(c) - line_start < col)
        content_put(c, " ", 1);
}

long content_finish(struct content *c)
{
    flush(c);
    return c->error;
}
