/* Finding, opening and checking the program the user asked to run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "elf_check.h"
#include "exit_codes.h"

/* Searches $PATH for a word without a slash, as execvp does. Returns a malloc'd path or
 * NULL; *saw_unexecutable says whether a matching file without execute permission was
 * passed over (a shell then reports "permission denied", status 126). */
static char *search_path(const char *word, int *saw_unexecutable)
{
    *saw_unexecutable = 0;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char *found = NULL;
    while (*path && !found) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char *cand;
        if (asprintf(&cand, "%.*s/%s", (int)n, n ? path : ".", word) < 0)
            return NULL;
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            found = cand;
        } else {
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode))
                *saw_unexecutable = 1;
            free(cand);
        }
        path += n + (colon ? 1 : 0);
    }
    return found;
}

static int describe_check(const char *path, enum elf_check_result r, const struct elf_check_info *info)
{
    if (r == ELF_ERR_MALFORMED && info->reason && info->bad_phdr >= 0)
        cli_error("%s: %s (program header %d: %s)", path, elf_check_describe(r), info->bad_phdr,
                  info->reason);
    else if (r == ELF_ERR_MALFORMED && info->reason)
        cli_error("%s: %s (%s)", path, elf_check_describe(r), info->reason);
    else
        cli_error("%s: %s", path, elf_check_describe(r));
    return elf_check_exit_code(r);
}

int program_open(const char *name, struct program *out)
{
    const char *path = name;
    if (!strchr(name, '/')) {
        int saw_unexecutable;
        path = search_path(name, &saw_unexecutable);
        if (!path && saw_unexecutable) {
            cli_error("%s: permission denied (found in PATH but not executable)", name);
            return ASIS_EXIT_NOT_EXEC;
        }
        if (!path) {
            cli_error("%s: command not found in PATH", name);
            return ASIS_EXIT_NOT_FOUND;
        }
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        cli_error("%s: %s", path, strerror(e));
        return (e == ENOENT || e == ENOTDIR) ? ASIS_EXIT_NOT_FOUND : ASIS_EXIT_NOT_EXEC;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        close(fd);
        return ASIS_EXIT_NOT_EXEC;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        return ASIS_EXIT_NOT_EXEC;
    }
    if (access(path, X_OK) != 0) {
        cli_error("%s: permission denied (the file is not executable)", path);
        close(fd);
        return ASIS_EXIT_NOT_EXEC;
    }
    static uint8_t head[ELF_CHECK_HEAD_BYTES];
    ssize_t got = pread(fd, head, sizeof(head), 0);
    if (got < 0) {
        cli_error("%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return ASIS_EXIT_NOT_EXEC;
    }
    if (got >= 2 && head[0] == '#' && head[1] == '!') {
        cli_error("%s: scripts (#!) are not supported yet; run their interpreter under asis", path);
        close(fd);
        return ASIS_EXIT_UNSUPPORTED;
    }
    struct elf_check_info info;
    enum elf_check_result r = elf_check(head, (size_t)got, (uint64_t)st.st_size, &info);
    if (r != ELF_OK) {
        close(fd);
        return describe_check(path, r, &info);
    }
    out->path = path;
    out->fd = fd;
    return 0;
}
