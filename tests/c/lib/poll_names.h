// poll(2) event bits as text ("IN|OUT", or "0"), the same way in every C test.
#ifndef ASIS_TEST_POLL_NAMES_H
#define ASIS_TEST_POLL_NAMES_H
#include <poll.h>
#include <stddef.h>
#include <string.h>

static inline void poll_names(short ev, char *out)
{
    static const struct { short bit; const char *name; } names[] = {
        { POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" }, { POLLERR, "ERR" },
        { POLLHUP, "HUP" }, { POLLNVAL, "NVAL" }, { POLLRDHUP, "RDHUP" },
    };
    out[0] = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (ev & names[i].bit) {
            if (out[0])
                strcat(out, "|");
            strcat(out, names[i].name);
        }
    if (!out[0])
        strcpy(out, "0");
}

#endif
