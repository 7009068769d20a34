/* /proc/PID/limits: the host's, except the open-files line. The host's hard NOFILE limit
 * reaches asis's reserved descriptors; the app's limits end below them (fd_reserve.h). */
#include "vfs/proc_files.h"
#include "lib/string.h"
#include "libos/fd_reserve.h"
#include "pal/host.h"
#include "vfs/line_reader.h"

#define NOFILE_NAME "Max open files"

/* One column of Linux's "%-25s %-20s %-20s %-10s" layout. */
static void put_column(struct content *out, const char *text, size_t width)
{
    size_t start = content_written(out);
    content_puts(out, text);
    content_pad_to(out, start, width);
}

static void put_limit(struct content *out, unsigned long v)
{
    char digits[24];
    int n = sizeof(digits) - 1;
    digits[n] = 0;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_column(out, digits + n, 20);
    content_put(out, " ", 1);
}

long proc_limits(const struct mount *m, struct content *out)
{
    long fd = host_syscall4(__NR_openat, m->host_fd, "self/limits", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    struct line_reader r;
    line_reader_init(&r, (int)fd);
    char *line;
    while ((line = line_reader_next(&r))) {
        if (!starts_with(line, NOFILE_NAME)) {
            content_puts(out, line);
            content_put(out, "\n", 1);
            continue;
        }
        unsigned long cur, max;
        fd_app_nofile_limits(&cur, &max);
        put_column(out, NOFILE_NAME, 25);
        content_put(out, " ", 1);
        put_limit(out, cur);
        put_limit(out, max);
        put_column(out, "files", 10);
        content_put(out, "\n", 1);
    }
    host_close((int)fd);
    return 0;
}
