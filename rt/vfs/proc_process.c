/* /proc/PID/cmdline, environ and auxv: read from the app's memory where the loader put
 * the strings (loader.h), as Linux reads them from the process's memory, so that a
 * program that rewrites its arguments is seen doing it. */
#include "vfs/proc_files.h"
#include "lib/string.h"
#include "loader/loader.h"
#include "pal/host.h"

/* Copies app memory [start, end) to out; stops quietly at an unreadable page, as
 * Linux returns what it could read. */
static void put_app_range(struct content *out, uintptr_t start, uintptr_t end)
{
    char chunk[1024];
    while (start < end) {
        size_t n = end - start < sizeof(chunk) ? end - start : sizeof(chunk);
        if (copy_from_app(chunk, (const void *)start, n) < 0)
            return;
        content_put(out, chunk, n);
        start += n;
    }
}

long proc_cmdline(const struct mount *m, struct content *out)
{
    const struct app_layout *l = app_layout();
    uintptr_t arg_start = l->arg_start, arg_end = l->arg_end;
    uintptr_t env_start = l->env_start, env_end = l->env_end;
    if (arg_start >= arg_end)
        return 0;
    if (env_start != arg_end || env_end < env_start)
        env_end = arg_end;
    char last;
    if (copy_from_app(&last, (const void *)(arg_end - 1), 1) == 0 && last) {
        /* The last argument lost its NUL: the program set its title (setproctitle).
         * Linux then shows one string from arg_start, at most a page, which may run
         * into the environment. */
        char page[4096];
        size_t want = env_end - arg_start < sizeof(page) ? env_end - arg_start : sizeof(page);
        size_t got = 0;
        while (got < want) {
            size_t n = want - got < 256 ? want - got : 256;
            if (copy_from_app(page + got, (const void *)(arg_start + got), n) < 0)
                break;
            got += n;
        }
        size_t len = 0;
        while (len < got && page[len])
            len++;
        if (len < got)
            len++; /* with its NUL */
        content_put(out, page, len);
        return 0;
    }
    put_app_range(out, arg_start, arg_end);
    return 0;
}

long proc_environ(const struct mount *m, struct content *out)
{
    const struct app_layout *l = app_layout();
    if (l->env_start < l->env_end)
        put_app_range(out, l->env_start, l->env_end);
    return 0;
}

long proc_auxv(const struct mount *m, struct content *out)
{
    const struct app_layout *l = app_layout();
    content_put(out, l->auxv, l->auxv_words * sizeof(l->auxv[0]));
    return 0;
}
