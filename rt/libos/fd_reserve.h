/* asis's own descriptors (its copy of stderr, the trace file, the app's executable) live
 * in a reserved range at the top of the fd space. The app cannot see, use or close
 * them: fd arguments in the range are EBADF, and the NOFILE limit the app sees ends
 * below the range (DESIGN invariant 6). */
#ifndef ASIS_LIBOS_FD_RESERVE_H
#define ASIS_LIBOS_FD_RESERVE_H

#define FD_RESERVED_COUNT 64

extern int g_fd_reserved_base;

static inline int fd_is_reserved(int fd)
{
    return fd >= g_fd_reserved_base;
}

/* Raises asis's own NOFILE limit so the range is usable and computes its base. */
void fd_reserve_init(void);
/* Moves fd into the reserved range (close-on-exec); returns the new fd or -errno. */
int fd_move_to_reserved(int fd);
/* Ends start-up: the app's soft NOFILE limit applies to the host from now on. */
void fd_reserve_seal(void);
/* The NOFILE limits the app sees (its soft limit is kept by asis). */
void fd_app_nofile_limits(unsigned long *cur, unsigned long *max);
int fd_app_set_nofile_limits(unsigned long cur, unsigned long max);
/* For a vfork child, which shares asis's memory with its parent: the host only. */
int fd_app_set_nofile_limits_host_only(unsigned long cur, unsigned long max);

#endif
