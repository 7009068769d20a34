/* The plan of a program started by the app's execve, found in the front end's plan cache
 * by the program's identity (cli/plan_cache.c names the files). The runtime has no
 * decoder: a program the cache does not know runs with every syscall trapped, and
 * `asis inspect PROGRAM` (or running it once with `asis run`) fills the cache. */
#include "libos/patch.h"
#include "lib/fmt.h"
#include "pal/host.h"

#define SHA256_HEX 64

enum patch_mode g_patch_mode = PATCH_OFF;
int g_plan_cache_fd = -1;

int patch_plan_lookup(int cache_dir_fd, int exe_fd)
{
    struct host_stat st;
    if (host_syscall2(__NR_fstat, exe_fd, &st) < 0)
        return -1;
    /* by-id/<dev>-<ino>-<size>-<mtime_ns>-<ctime_ns>: a program changed in place gets a
     * new ctime, so a stale entry is never found. */
    char path[160];
    fmt_snprintf(path, sizeof(path), "by-id/%lu-%lu-%lu-%lu-%lu", (unsigned long)st.st_dev,
                 (unsigned long)st.st_ino, (unsigned long)st.st_size,
                 (unsigned long)(st.st_mtime_sec * 1000000000UL + st.st_mtime_nsec),
                 (unsigned long)(st.st_ctime_sec * 1000000000UL + st.st_ctime_nsec));
    long fd = host_syscall4(__NR_openat, cache_dir_fd, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    char hex[SHA256_HEX];
    long n = host_syscall4(__NR_pread64, fd, hex, sizeof(hex), 0);
    host_close((int)fd);
    if (n != SHA256_HEX)
        return -1;
    for (int i = 0; i < SHA256_HEX; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return -1;
    fmt_snprintf(path, sizeof(path), "%.*s.plan", SHA256_HEX, hex);
    fd = host_syscall4(__NR_openat, cache_dir_fd, path, O_RDONLY | O_CLOEXEC, 0);
    return fd < 0 ? -1 : (int)fd;
}
