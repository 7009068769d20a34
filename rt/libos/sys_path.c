/* Paths: most pass through to the host (syscalls.def); /proc/self/exe names the app's
 * program, not asis's runtime. */
#include "libos/syscall.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "libos/exec.h"
#include "pal/host.h"

int path_names_own_exe(const char *path)
{
    if (strcmp(path, "/proc/self/exe") == 0 || strcmp(path, "/proc/thread-self/exe") == 0)
        return 1;
    char own[40];
    fmt_snprintf(own, sizeof(own), "/proc/%ld/exe", host_getpid());
    return strcmp(path, own) == 0;
}

long sys_readlinkat(int dirfd, const char *app_path, char *buf, size_t size)
{
    char path[64];
    long n = copy_str_from_app(path, app_path, sizeof(path));
    if (n >= 0 && path[0] == '/' && path_names_own_exe(path)) {
        if ((long)size <= 0)
            return -EINVAL;
        const char *target = exec_app_real_path();
        size_t len = strlen(target);
        if (len > size)
            len = size; /* readlink truncates silently */
        if (copy_to_app(buf, target, len) < 0)
            return -EFAULT;
        return (long)len;
    }
    return host_syscall4(__NR_readlinkat, dirfd, app_path, buf, size);
}

long sys_readlink(const char *app_path, char *buf, size_t size)
{
    return sys_readlinkat(AT_FDCWD, app_path, buf, size);
}
