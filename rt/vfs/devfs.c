/* asis's /dev (see devfs.h). */
#include "vfs/devfs.h"
#include "lib/string.h"

/* Devices and directories the host provides; below pts/ everything is the host's
 * (terminals). /dev/shm is not the host's: asis run mounts a private tmpfs there. */
static const char *const g_host_names[] = {
    "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts",
};

static const struct {
    const char *name, *target;
} g_links[] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int first_component_is(const char *rel, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(rel, name, len) == 0;
}

void devfs_classify(const char *rel, struct special_node *n)
{
    n->fd = -1;
    n->target[0] = 0;
    size_t len = 0;
    while (rel[len] && rel[len] != '/')
        len++;
    if (len == 0) {
        n->kind = SPECIAL_HOST; /* /dev itself */
        return;
    }
    for (size_t i = 0; i < COUNT(g_host_names); i++)
        if (first_component_is(rel, len, g_host_names[i])) {
            n->kind = SPECIAL_HOST;
            return;
        }
    for (size_t i = 0; i < COUNT(g_links); i++)
        if (first_component_is(rel, len, g_links[i].name)) {
            /* Lookup follows the link before it asks about what lies below it. */
            if (rel[len]) {
                n->kind = SPECIAL_MISSING;
                return;
            }
            n->kind = SPECIAL_SYMLINK;
            memcpy(n->target, g_links[i].target, strlen(g_links[i].target) + 1);
            return;
        }
    n->kind = SPECIAL_MISSING;
}

int devfs_lists_name(const char *name)
{
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 1;
    for (size_t i = 0; i < COUNT(g_host_names); i++)
        if (strcmp(name, g_host_names[i]) == 0)
            return 1;
    for (size_t i = 0; i < COUNT(g_links); i++)
        if (strcmp(name, g_links[i].name) == 0)
            return 1;
    return strcmp(name, "shm") == 0; /* where asis run mounts its /dev/shm */
}
