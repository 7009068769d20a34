// Printing a call's outcome the same way in every C test: "what: N", or "what: -1 NAME"
// with the errno's name. T(what, expr) evaluates expr with errno cleared first.
#ifndef ASIS_TEST_OUTCOME_H
#define ASIS_TEST_OUTCOME_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline void show(const char *what, long r, int err)
{
    const char *name = strerrorname_np(err);
    if (r == -1)
        printf("%s: -1 %s\n", what, name ? name : "?");
    else
        printf("%s: %ld\n", what, r);
    fflush(stdout);
}

#define T(what, expr)                                                                      \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(expr);                                                            \
        show(what, r_, errno);                                                             \
    } while (0)

#endif
