/* The syscall dispatcher and the prototypes of every emulated syscall (EMUL entries of
 * syscalls.def). Handlers return a value or -errno. */
#ifndef ASIS_LIBOS_SYSCALL_H
#define ASIS_LIBOS_SYSCALL_H
#include "pal/host_abi.h"
#include "tcb.h"

/* Serves syscall nr for the current thread (t->trap_uc holds its registers). */
long syscall_dispatch(struct tcb *t, long nr, const long args[6]);

/* How a patched site serves nr: PATCH_CLASS_* bits of rt/libos/patch.h. */
uint16_t syscall_patch_class(long nr);

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
/* sys_open.c */
long sys_openat(int dirfd, const char *path, int flags, int mode);
long sys_open(const char *path, int flags, int mode);
long sys_creat(const char *path, int mode);
long sys_openat2(int dirfd, const char *path, const void *how, size_t size);
/* sys_stat.c */
long sys_newfstatat(int dirfd, const char *path, void *statbuf, int flags);
long sys_stat(const char *path, void *statbuf);
long sys_lstat(const char *path, void *statbuf);
long sys_statx(int dirfd, const char *path, int flags, unsigned int mask, void *buf);
long sys_faccessat2(int dirfd, const char *path, int mode, int flags);
long sys_faccessat(int dirfd, const char *path, int mode);
long sys_access(const char *path, int mode);
long sys_statfs(const char *path, void *buf);
/* sys_cwd.c */
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_getcwd(char *buf, unsigned long size);
long sys_chroot(const char *path);
/* sys_dir.c */
long sys_getdents64(int fd, void *buf, unsigned int count);
/* sys_path.c */
long sys_readlinkat(int dirfd, const char *path, char *buf, int size);
long sys_readlink(const char *path, char *buf, int size);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_unlink(const char *path);
long sys_rmdir(const char *path);
long sys_mkdirat(int dirfd, const char *path, int mode);
long sys_mkdir(const char *path, int mode);
long sys_mknodat(int dirfd, const char *path, int mode, unsigned int dev);
long sys_mknod(const char *path, int mode, unsigned int dev);
long sys_symlinkat(const char *target, int dirfd, const char *path);
long sys_symlink(const char *target, const char *path);
long sys_renameat2(int olddirfd, const char *old_path, int newdirfd, const char *new_path,
                   unsigned int flags);
long sys_renameat(int olddirfd, const char *old_path, int newdirfd, const char *new_path);
long sys_rename(const char *old_path, const char *new_path);
long sys_linkat(int olddirfd, const char *old_path, int newdirfd, const char *new_path,
                int flags);
long sys_link(const char *old_path, const char *new_path);
/* sys_signal.c */
/* plan_mask: the --sigmask= launch option's value, or 0. */
void signal_state_init(struct tcb *main_thread, const char *plan_mask);
void signal_state_lock(void);
/* The launch option that carries the app's mask through an execve (sys_exec.c). */
void signal_exec_option(const struct tcb *t, char *buf, size_t size);
void signal_state_unlock(void);
long sys_rt_sigreturn(void); /* signal_frame.c */
/* sys_sigwait.c */
long sys_rt_sigpending(void *set, size_t sigsetsize);
long sys_rt_sigsuspend(const void *app_mask, size_t sigsetsize);
long sys_rt_sigtimedwait(const void *app_set, void *app_info, const void *app_timeout,
                         size_t sigsetsize);
long sys_rt_sigaction(int sig, const void *act, void *oldact, size_t sigsetsize);
long sys_rt_sigprocmask(int how, const void *set, void *oldset, size_t sigsetsize);
long sys_sigaltstack(const void *ss, void *old_ss);
/* sys_poll.c */
long sys_poll(void *app_fds, unsigned long nfds, int timeout_ms);
long sys_ppoll(void *app_fds, unsigned long nfds, const void *app_timeout, const void *sigmask,
               size_t sigsetsize);
long sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout);
long sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, void *app_timeout,
                  void *app_sigarg);
long sys_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms,
                     const void *sigmask, size_t sigsetsize);
long sys_epoll_pwait2(int epfd, void *events, int maxevents, const void *timeout,
                      const void *sigmask, size_t sigsetsize);
/* sys_attr.c */
long sys_fchmodat2(int dirfd, const char *path, unsigned int mode, unsigned int flags);
long sys_fchmod(int fd, unsigned int mode);
long sys_fchown(int fd, unsigned int uid, unsigned int gid);
long sys_fsetxattr(int fd, const char *name, const void *value, unsigned long size, int flags);
long sys_fremovexattr(int fd, const char *name);
long sys_fchmodat(int dirfd, const char *path, unsigned int mode);
long sys_chmod(const char *path, unsigned int mode);
long sys_fchownat(int dirfd, const char *path, unsigned int uid, unsigned int gid, int flags);
long sys_chown(const char *path, unsigned int uid, unsigned int gid);
long sys_lchown(const char *path, unsigned int uid, unsigned int gid);
long sys_utimensat(int dirfd, const char *path, const void *times, int flags);
long sys_futimesat(int dirfd, const char *path, const void *times);
long sys_utimes(const char *path, const void *times);
long sys_utime(const char *path, const void *times);
long sys_truncate(const char *path, long length);
long sys_getxattr(const char *path, const char *name, void *value, unsigned long size);
long sys_lgetxattr(const char *path, const char *name, void *value, unsigned long size);
long sys_setxattr(const char *path, const char *name, const void *value, unsigned long size,
                  int flags);
long sys_lsetxattr(const char *path, const char *name, const void *value, unsigned long size,
                   int flags);
long sys_listxattr(const char *path, char *list, unsigned long size);
long sys_llistxattr(const char *path, char *list, unsigned long size);
long sys_removexattr(const char *path, const char *name);
long sys_lremovexattr(const char *path, const char *name);
/* sys_inotify.c */
long sys_inotify_add_watch(int fd, const char *path, unsigned int mask);
/* sys_socket_path.c */
long sys_bind(int fd, const void *addr, int len);
long sys_connect(int fd, const void *addr, int len);
long sys_sendto(int fd, const void *buf, size_t size, int flags, const void *addr, int len);
long sys_sendmsg(int fd, const void *msg, int flags);
long sys_sendmmsg(int fd, void *vec, unsigned int count, int flags);
long sys_getsockname(int fd, void *addr, int *len);
long sys_getpeername(int fd, void *addr, int *len);
long sys_accept4(int fd, void *addr, int *len, int flags);
long sys_accept(int fd, void *addr, int *len);
long sys_recvfrom(int fd, void *buf, size_t size, int flags, void *addr, int *len);
long sys_recvmsg(int fd, void *msg, int flags);
/* The table of socket names this process bound, taken across fork (fork.h). */
void socket_names_lock(void);
void socket_names_unlock(void);
/* sys_proc.c */
long sys_prlimit64(int pid, int resource, const void *new_limit, void *old_limit);
long sys_getrlimit(int resource, void *limit);
long sys_setrlimit(int resource, const void *limit);
long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
long sys_uname(void *app_buf);
long sys_mount(const char *source, const char *target, const char *fstype,
               unsigned long flags, const void *data);
long sys_umount2(const char *target, int flags);
long sys_unshare(unsigned long flags);
/* The release uname reports instead of the host's, or NULL (set from the launch plan). */
extern const char *g_uname_release;

#endif
