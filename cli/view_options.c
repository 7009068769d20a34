/* The file-system view options of `asis run` (--root, --bind, --tmpfs, --cwd), checked
 * here and turned into the launch plan's mount list (common/launch_plan.h). The
 * runtime enforces the view (rt/vfs/view.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "exit_codes.h"
#include "launch_plan.h"

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add_mount(struct view_options *v, const char *kind, const char *flags,
                     const char *host, const char *guest)
{
    if (v->count == VIEW_OPTIONS_MAX) {
        cli_error("run: too many mounts (at most %d)", VIEW_OPTIONS_MAX);
        return ASIS_EXIT_USAGE;
    }
    struct view_mount *m = &v->mounts[v->count++];
    snprintf(m->kind_flags_guest, sizeof(m->kind_flags_guest), "%s:%s:%s", kind, flags, guest);
    m->host = host;
    return 0;
}

/* A host directory named by the user, as an absolute canonical path (malloc'd). */
static char *host_directory(const char *option, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real || !is_directory(real)) {
        if (real)
            cli_error("run: %s: %s is not a directory", option, path);
        else
            cli_error("run: %s: %s: %s", option, path, strerror(errno));
        free(real);
        return NULL;
    }
    return real;
}

static int guest_path_ok(const char *option, const char *guest)
{
    if (guest[0] != '/' || strlen(guest) >= PATH_MAX) {
        cli_error("run: %s: the path in the app's view must be absolute: '%s'", option, guest);
        return 0;
    }
    return 1;
}

/* --bind=HOST:GUEST[:ro] */
static int parse_bind(struct view_options *v, const char *spec)
{
    char *copy = strdup(spec);
    char *colon = copy ? strchr(copy, ':') : NULL;
    if (!colon) {
        cli_error("run: --bind=HOST:GUEST[:ro] expected, got '--bind=%s'", spec);
        return ASIS_EXIT_USAGE;
    }
    *colon = 0;
    char *guest = colon + 1;
    const char *flags = "";
    char *ro = strrchr(guest, ':');
    if (ro && strcmp(ro, ":ro") == 0) {
        *ro = 0;
        flags = "ro";
    } else if (ro && strcmp(ro, ":rw") == 0) {
        *ro = 0;
    }
    char *host = host_directory("--bind", copy);
    if (!host || !guest_path_ok("--bind", guest))
        return ASIS_EXIT_USAGE;
    return add_mount(v, "dir", flags, host, guest);
}

int view_option_parse(struct view_options *v, const char *arg, int *status)
{
    *status = 0;
    if (strncmp(arg, "--root=", 7) == 0) {
        char *host = host_directory("--root", arg + 7);
        if (!host)
            *status = ASIS_EXIT_USAGE;
        v->root = host;
    } else if (strncmp(arg, "--bind=", 7) == 0) {
        *status = parse_bind(v, arg + 7);
    } else if (strncmp(arg, "--tmpfs=", 8) == 0) {
        if (!guest_path_ok("--tmpfs", arg + 8))
            *status = ASIS_EXIT_USAGE;
        else
            *status = add_mount(v, "dir", "tmpfs", NULL, arg + 8);
    } else if (strncmp(arg, "--cwd=", 6) == 0) {
        if (!guest_path_ok("--cwd", arg + 6))
            *status = ASIS_EXIT_USAGE;
        v->start_dir = arg + 6;
    } else {
        return 0;
    }
    return 1;
}

/* A directory for a tmpfs: in /dev/shm, which is memory, when there is one. */
static char *make_tmpfs_dir(void)
{
    const char *bases[] = { "/dev/shm", getenv("TMPDIR"), "/tmp" };
    for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
        if (!bases[i] || !is_directory(bases[i]))
            continue;
        char *dir;
        if (asprintf(&dir, "%s/asis-tmpfs-XXXXXX", bases[i]) < 0)
            return NULL;
        if (mkdtemp(dir))
            return dir;
        free(dir);
    }
    return NULL;
}

/* Did the user mount something at guest (a view_mount's "KIND:FLAGS:GUEST")? */
static int has_mount_at(const struct view_options *v, const char *guest)
{
    for (int i = 0; i < v->count; i++) {
        const char *g = strchr(strchr(v->mounts[i].kind_flags_guest, ':') + 1, ':') + 1;
        size_t n = strlen(guest);
        if (strncmp(g, guest, n) == 0 && strspn(g + n, "/") == strlen(g + n))
            return 1;
    }
    return 0;
}

/* Gives m a new private host directory: a tmpfs. */
static int give_tmpfs_dir(struct view_options *v, struct view_mount *m)
{
    char *dir = make_tmpfs_dir();
    if (!dir) {
        cli_error("run: --tmpfs: cannot make a directory for it: %s", strerror(errno));
        return ASIS_EXIT_INTERNAL;
    }
    m->host = dir;
    v->tmpfs_dirs[v->tmpfs_count++] = dir;
    return 0;
}

int view_options_finish(struct view_options *v, struct view_mount **all, int *count)
{
    /* The root, asis's /proc and /dev, a private /dev/shm (the host's holds other
     * programs' shared memory), then the user's mounts in the order given (a later
     * mount hides what an earlier one shows at the same place). */
    int own_shm = !has_mount_at(v, "/dev/shm");
    if (own_shm && v->count == VIEW_OPTIONS_MAX) {
        cli_error("run: too many mounts (at most %d besides /dev/shm)", VIEW_OPTIONS_MAX - 1);
        return ASIS_EXIT_USAGE;
    }
    struct view_mount *list = calloc(v->count + 4, sizeof(*list));
    if (!list) {
        cli_error("out of memory");
        return ASIS_EXIT_INTERNAL;
    }
    int n = 0;
    snprintf(list[n].kind_flags_guest, sizeof(list[n].kind_flags_guest), "dir::/");
    list[n++].host = v->root ? v->root : "/";
    snprintf(list[n].kind_flags_guest, sizeof(list[n].kind_flags_guest), "proc::/proc");
    list[n++].host = "/proc";
    snprintf(list[n].kind_flags_guest, sizeof(list[n].kind_flags_guest), "dev::/dev");
    list[n++].host = "/dev";
    if (own_shm) {
        snprintf(list[n].kind_flags_guest, sizeof(list[n].kind_flags_guest),
                 "dir:tmpfs:/dev/shm");
        int r = give_tmpfs_dir(v, &list[n++]);
        if (r)
            return r;
    }
    for (int i = 0; i < v->count; i++) {
        list[n] = v->mounts[i];
        if (!list[n].host) {
            int r = give_tmpfs_dir(v, &list[n]);
            if (r)
                return r;
        }
        n++;
    }
    *all = list;
    *count = n;
    return 0;
}
