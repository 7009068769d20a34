// Bad pointers and bad arguments must fail the way Linux fails them: EFAULT for memory
// the caller cannot access (unmapped, PROT_NONE, read-only when written, beyond the
// user address space, non-canonical, wrapping), never a crash, and the same partial
// results where Linux copies up to the fault. The other cases check the first argument
// checks that run before any copying (EBADF, EINVAL, ESPIPE, ENAMETOOLONG).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "lib/outcome.h"



#define BAD ((void *)8)
#define KERNEL ((void *)0xffff800000000000ull)
#define NONCANON ((void *)0x0000800000000000ull)
#define PAST_USER ((void *)0x00007ffffffff000ull) // first address above TASK_SIZE (4-level)
#define WRAP ((void *)0xfffffffffffffff8ull)      // the range wraps around zero

static int pipe_fds[2];

// Refill the test pipe so that a read has something to copy.
static void fill_pipe(void)
{
	char drain[256];
	fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
	while (read(pipe_fds[0], drain, sizeof(drain)) > 0)
		;
	fcntl(pipe_fds[0], F_SETFL, 0);
	if (write(pipe_fds[1], "0123456789abcdef", 16) != 16)
		abort();
}

static int lowest_free_fd(void)
{
	int fd = dup(0);
	close(fd);
	return fd;
}

int main(void)
{
	int fd_before = lowest_free_fd();
	if (pipe(pipe_fds) != 0)
		return 1;
	long page = sysconf(_SC_PAGESIZE);

	// Two pages: readable and writable, then PROT_NONE; and a read-only page.
	char *rw = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED || mprotect(rw + page, page, PROT_NONE) != 0)
		return 1;
	memset(rw, 'x', page);
	char *none = rw + page;
	char *edge = none - 5; // 5 accessible bytes, then the PROT_NONE page

	char tmpl[] = "/tmp/asis-efault-XXXXXX";
	char *dir = mkdtemp(tmpl);
	char link_path[64];
	if (!dir)
		return 1;
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	if (symlink("target-of-link", link_path) != 0)
		return 1;
	int dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	int ep = epoll_create1(0);
	struct timespec ts;
	struct statx stx;
	struct iovec bad_base = { BAD, 10 };
	struct iovec two[2] = { { (void *)"hello", 5 }, { BAD, 10 } };

	// Output copies: the kernel writes to a bad user buffer.
	T("write(1, 8, 10)", syscall(SYS_write, 1, BAD, 10));
	T("write(1, kernel, 10)", syscall(SYS_write, 1, KERNEL, 10));
	T("write(1, noncanonical, 10)", syscall(SYS_write, 1, NONCANON, 10));
	T("write(1, past user space, 10)", syscall(SYS_write, 1, PAST_USER, 10));
	T("write(1, wrapping, 16)", syscall(SYS_write, 1, WRAP, 16));
	T("write(1, PROT_NONE, 10)", syscall(SYS_write, 1, none, 10));
	T("write(pipe, 5 ok + PROT_NONE, 10)", syscall(SYS_write, pipe_fds[1], edge, 10));
	fill_pipe();
	T("read(pipe, 8, 10)", syscall(SYS_read, pipe_fds[0], BAD, 10));
	fill_pipe();
	T("read(pipe, kernel, 10)", syscall(SYS_read, pipe_fds[0], KERNEL, 10));
	fill_pipe();
	T("read(pipe, read-only page, 10)", syscall(SYS_read, pipe_fds[0], ro, 10));
	fill_pipe();
	T("read(pipe, 5 ok + PROT_NONE, 10)", syscall(SYS_read, pipe_fds[0], edge, 10));
	fill_pipe();
	T("readv(pipe, bad iov, 1)", syscall(SYS_readv, pipe_fds[0], BAD, 1));
	fill_pipe();
	T("readv(pipe, iov with bad base, 1)", syscall(SYS_readv, pipe_fds[0], &bad_base, 1));
	T("writev(1, bad iov, 1)", syscall(SYS_writev, 1, BAD, 1));
	T("writev(1, iov with bad base, 1)", syscall(SYS_writev, 1, &bad_base, 1));
	fill_pipe();
	T("writev(pipe, good iov + bad iov, 2)", syscall(SYS_writev, pipe_fds[1], two, 2));

	// Paths.
	T("openat(AT_FDCWD, 8)", syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY));
	T("openat(AT_FDCWD, kernel)", syscall(SYS_openat, AT_FDCWD, KERNEL, O_RDONLY));
	T("openat(AT_FDCWD, PROT_NONE)", syscall(SYS_openat, AT_FDCWD, none, O_RDONLY));
	T("newfstatat(\"/\", bad statbuf)", syscall(SYS_newfstatat, AT_FDCWD, "/", BAD, 0));
	T("newfstatat(bad path)", syscall(SYS_newfstatat, AT_FDCWD, BAD, &stx, 0));
	T("fstat(1, bad)", syscall(SYS_fstat, 1, BAD));
	T("fstat(1, read-only page)", syscall(SYS_fstat, 1, ro));
	T("statx(bad path)", syscall(SYS_statx, AT_FDCWD, BAD, 0, STATX_BASIC_STATS, &stx));
	T("statx(\"/\", bad buffer)", syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, BAD));
	T("statx(unknown flag)", syscall(SYS_statx, AT_FDCWD, "/", 0x40000000, STATX_BASIC_STATS, &stx));
	T("statx(both sync types)", syscall(SYS_statx, AT_FDCWD, "/", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx));
	T("statx(reserved mask bit)", syscall(SYS_statx, AT_FDCWD, "/", 0, 0x80000000U, &stx));
	T("statx(unknown flag, missing path)", syscall(SYS_statx, AT_FDCWD, "/no/such", 0x40000000, STATX_BASIC_STATS, &stx));
	T("statx(sync flag)", syscall(SYS_statx, AT_FDCWD, "/", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &stx));
	T("readlinkat(link, bad buffer)", syscall(SYS_readlinkat, AT_FDCWD, link_path, BAD, 100));
	T("readlinkat(bad path)", syscall(SYS_readlinkat, AT_FDCWD, BAD, rw, 100));
	T("getdents64(dir, bad buffer)", syscall(SYS_getdents64, dir_fd, BAD, 4096));
	T("getcwd(bad, 100)", syscall(SYS_getcwd, BAD, 100));

	// Time.
	T("clock_gettime(MONOTONIC, 8)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD));
	T("clock_gettime(MONOTONIC, kernel)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KERNEL));
	T("clock_gettime(MONOTONIC, read-only page)",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro));
	T("gettimeofday(bad, NULL)", syscall(SYS_gettimeofday, BAD, NULL));
	T("nanosleep(bad, NULL)", syscall(SYS_nanosleep, BAD, NULL));

	// Process and system information.
	T("uname(8)", syscall(SYS_uname, BAD));
	T("uname(kernel)", syscall(SYS_uname, KERNEL));
	T("uname(past user space)", syscall(SYS_uname, PAST_USER));
	T("uname(read-only page)", syscall(SYS_uname, ro));
	T("sysinfo(bad)", syscall(SYS_sysinfo, BAD));
	T("getrandom(bad, 16, 0)", syscall(SYS_getrandom, BAD, 16, 0));
	T("prlimit64(0, NOFILE, NULL, bad)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD));
	T("prlimit64(0, NOFILE, bad, NULL)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD, NULL));
	T("sched_getaffinity(0, 128, bad)", syscall(SYS_sched_getaffinity, 0, 128, BAD));
	T("pipe2(bad, 0)", syscall(SYS_pipe2, BAD, 0));
	T("pipe2(read-only page, 0)", syscall(SYS_pipe2, ro, 0));

	// Signals.
	T("rt_sigaction(SIGUSR1, bad, NULL, 8)", syscall(SYS_rt_sigaction, SIGUSR1, BAD, NULL, 8));
	T("rt_sigaction(SIGUSR1, NULL, bad, 8)", syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD, 8));
	T("rt_sigprocmask(SIG_BLOCK, bad, NULL, 8)",
	  syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD, NULL, 8));
	T("rt_sigprocmask(SIG_BLOCK, NULL, bad, 8)",
	  syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BAD, 8));
	T("sigaltstack(bad, NULL)", syscall(SYS_sigaltstack, BAD, NULL));
	T("sigaltstack(NULL, bad)", syscall(SYS_sigaltstack, NULL, BAD));

	// Synchronisation and polling.
	T("futex(bad, FUTEX_WAIT, 0, NULL)", syscall(SYS_futex, BAD, FUTEX_WAIT, 0, NULL, NULL, 0));
	T("futex(kernel, FUTEX_WAKE, 1)", syscall(SYS_futex, KERNEL, FUTEX_WAKE, 1, NULL, NULL, 0));
	T("epoll_ctl(ADD, pipe, bad event)",
	  syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, pipe_fds[0], BAD));
	// Nothing ready: Linux only range-checks the buffer, so this one succeeds.
	T("epoll_wait(bad events, nothing ready)", syscall(SYS_epoll_wait, ep, BAD, 1, 0));
	T("epoll_wait(kernel events, nothing ready)", syscall(SYS_epoll_wait, ep, KERNEL, 1, 0));
	T("epoll_ctl(ADD, pipe, good event)",
	  syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, pipe_fds[0], &(struct epoll_event){ .events = EPOLLIN }));
	fill_pipe();
	T("epoll_wait(bad events, pipe ready)", syscall(SYS_epoll_wait, ep, BAD, 1, 0));

	// Bad non-pointer arguments.
	T("write(9999, buf, 1)", syscall(SYS_write, 9999, "x", 1));
	T("close(-1)", syscall(SYS_close, -1));
	T("read(write end of pipe)", syscall(SYS_read, pipe_fds[1], rw, 1));
	T("mmap(flags 0, fd -1)", syscall(SYS_mmap, NULL, page, PROT_READ, 0, -1, 0));
	T("mmap(MAP_ANONYMOUS, neither shared nor private)",
	  syscall(SYS_mmap, NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0));
	T("mmap(length 0)", syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	T("mmap(unaligned MAP_FIXED)",
	  syscall(SYS_mmap, rw + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	T("mprotect(unaligned)", syscall(SYS_mprotect, rw + 1, page, PROT_READ));
	T("munmap(unaligned)", syscall(SYS_munmap, rw + 1, page));
	T("lseek(pipe)", syscall(SYS_lseek, pipe_fds[0], 0, SEEK_SET));
	T("clock_gettime(999, &ts)", syscall(SYS_clock_gettime, 999, &ts));
	T("rt_sigprocmask(sigsetsize 4)", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &ts, 4));
	T("rt_sigaction(SIGKILL, act)",
	  syscall(SYS_rt_sigaction, SIGKILL, &(struct { void *h; unsigned long f; void *r; uint64_t m; }){ 0 }, NULL, 8));
	ts.tv_sec = 0;
	ts.tv_nsec = 2000000000;
	T("nanosleep(tv_nsec 2e9)", syscall(SYS_nanosleep, &ts, NULL));
	T("epoll_ctl(ADD, epfd itself)", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &(struct epoll_event){ 0 }));
	T("futex(bad op)", syscall(SYS_futex, &ts, 99, 0, NULL, NULL, 0));
	char *long_path = malloc(5000);
	memset(long_path, 'a', 4999);
	long_path[4999] = 0;
	T("openat(5000-byte path)", syscall(SYS_openat, AT_FDCWD, long_path, O_RDONLY));
	free(long_path);

	unlink(link_path);
	rmdir(dir);
	close(dir_fd);
	close(ep);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	// A failed pipe2 or openat must not leave a descriptor behind.
	printf("descriptors leaked: %d\n", lowest_free_fd() - fd_before);
	return 0;
}
