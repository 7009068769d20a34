/* execve: a program the app starts runs under asis too. asis re-executes its own runtime
 * with a launch plan for the new program, so nothing the child runs escapes
 * interception; #! scripts are resolved here, programs asis cannot run fail the execve
 * with a log line and an errno. */
#ifndef ASIS_LIBOS_EXEC_H
#define ASIS_LIBOS_EXEC_H
#include "tcb.h"

/* Set at start-up: where asis-rt itself is, and the real path of the app's executable
 * (what /proc/self/exe names). */
void exec_init(const char *runtime_path, const char *exe_real_path, int exe_fd);
const char *exec_app_real_path(void);
/* Where asis-rt is, as the host's /proc/PID/exe names it. */
const char *exec_runtime_path(void);

/* Is path one of the names of this process's executable (/proc/self/exe, ...)? Those
 * name the app's program, not asis-rt. */
int path_names_own_exe(const char *path);

/* A vfork child's execve leaves its argument copies in memory it shared with its
 * parent; the parent frees them once the child is gone. */
void exec_release_scratch(struct tcb *t);

#endif
