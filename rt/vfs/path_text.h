/* Reading the text of a path, component by component (no file-system access): shared
 * by the lookup (lookup.c) and the mount table (view.c). */
#ifndef ASIS_VFS_PATH_TEXT_H
#define ASIS_VFS_PATH_TEXT_H
#include <stddef.h>

/* The next component at *p, leading slashes skipped: its start and length (*len), with
 * *p moved past it; NULL when none is left. */
static inline const char *path_next_component(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s == '/')
        s++;
    const char *c = s;
    while (*s && *s != '/')
        s++;
    *p = s;
    *len = (size_t)(s - c);
    return *len ? c : 0;
}

/* 1 if nothing but slashes follows p: the component before p was the last. */
static inline int path_at_end(const char *p)
{
    while (*p == '/')
        p++;
    return !*p;
}

static inline int path_is_dot(const char *c, size_t len)
{
    return len == 1 && c[0] == '.';
}

static inline int path_is_dotdot(const char *c, size_t len)
{
    return len == 2 && c[0] == '.' && c[1] == '.';
}

#endif
