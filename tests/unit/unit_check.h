/* Checks grouped into named tests, for the unit test programs: fail_why() notes the first
 * failure of the current group, group_end() prints "ok - NAME" or "not ok - NAME: why". */
#ifndef ASIS_UNIT_CHECK_H
#define ASIS_UNIT_CHECK_H
#include <stdarg.h>
#include <stdio.h>

static int g_passed, g_failed;
static char g_why[512]; /* first failure inside the current group */

static void fail_why(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void fail_why(const char *fmt, ...)
{
    if (g_why[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_why, sizeof g_why, fmt, ap);
    va_end(ap);
}

static void __attribute__((unused)) group_end(const char *name)
{
    if (g_why[0]) {
        printf("not ok - %s: %s\n", name, g_why);
        g_failed++;
    } else {
        printf("ok - %s\n", name);
        g_passed++;
    }
    g_why[0] = 0;
}

#endif
