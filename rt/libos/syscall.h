/* The syscall dispatcher and the prototypes of every emulated syscall (EMUL entries of
 * syscalls.def). Handlers return a value or -errno. */
#ifndef ASIS_LIBOS_SYSCALL_H
#define ASIS_LIBOS_SYSCALL_H
#include "pal/host_abi.h"
#include "tcb.h"

/* Serves syscall nr for the current thread (t->trap_uc holds its registers). */
long syscall_dispatch(struct tcb *t, long nr, const long args[6]);

/* The name of any syscall number, served or not ("syscall_NNN" if unknown). */
const char *syscall_name(long nr);

/* sys_file.c */
long sys_fcntl(int fd, int cmd, unsigned long arg);
long sys_ioctl(int fd, unsigned long request, unsigned long arg);
long sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
/* sys_mm.c */
long sys_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off);
long sys_munmap(uintptr_t addr, size_t len);
long sys_mprotect(uintptr_t addr, size_t len, int prot);
long sys_madvise(uintptr_t addr, size_t len, int advice);
long sys_mremap(uintptr_t old_addr, size_t old_len, size_t new_len, int flags, uintptr_t new_addr);
long sys_brk(uintptr_t addr);
/* sys_thread.c */
long sys_clone(unsigned long flags, uintptr_t stack, int *ptid, int *ctid, unsigned long tls);
long sys_clone3(void *app_args, size_t size);
long sys_fork(void);
long sys_vfork(void);
long sys_exit(int code);
long sys_exit_group(int code);
long sys_set_tid_address(int *tidptr);
long sys_arch_prctl(int code, unsigned long addr);
/* sys_exec.c */
long sys_execve(const char *path, char *const *argv, char *const *envp);
long sys_execveat(int dirfd, const char *path, char *const *argv, char *const *envp, int flags);
/* sys_path.c */
long sys_readlinkat(int dirfd, const char *path, char *buf, size_t size);
long sys_readlink(const char *path, char *buf, size_t size);
/* sys_signal.c */
void signal_state_init(struct tcb *main_thread);
void signal_state_lock(void);
/* Around the host execve in sys_exec.c. */
void signal_mask_for_exec(const struct tcb *t);
void signal_mask_after_failed_exec(void);
void signal_dispositions_for_exec(void);
void signal_dispositions_after_failed_exec(void);
void signal_state_unlock(void);
long sys_rt_sigaction(int sig, const void *act, void *oldact, size_t sigsetsize);
long sys_rt_sigprocmask(int how, const void *set, void *oldset, size_t sigsetsize);
long sys_sigaltstack(const void *ss, void *old_ss);
/* sys_proc.c */
long sys_prlimit64(int pid, int resource, const void *new_limit, void *old_limit);
long sys_getrlimit(int resource, void *limit);
long sys_setrlimit(int resource, const void *limit);
long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
long sys_uname(void *app_buf);
/* The release uname reports instead of the host's, or NULL (set from the launch plan). */
extern const char *g_uname_release;
/* sys_poll.c */
long sys_poll(void *app_fds, unsigned long nfds, int timeout_ms);
long sys_ppoll(void *app_fds, unsigned long nfds, const void *app_timeout, const void *sigmask,
               size_t sigsetsize);
long sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout);
long sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout,
                  void *app_sigarg);

#endif
