/* Log lines of the runtime: "asis: <message>\n" in one write. */
#include "lib/log.h"
#include "exit_codes.h"
#include "lib/fmt.h"
#include "pal/host.h"

int g_log_fd = 2;
int g_log_level = LOG_WARN;

static void log_vwrite(const char *fmt, va_list ap)
{
    char line[512];
    int n = fmt_snprintf(line, sizeof(line), "asis: ");
    n += fmt_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    if (n > (int)sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    host_write(g_log_fd, line, n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if ((int)level > g_log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(fmt, ap);
    va_end(ap);
    host_exit_group(ASIS_EXIT_INTERNAL);
}
