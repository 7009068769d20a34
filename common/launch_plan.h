/* How the front end (asis) hands a launch to the runtime (asis-rt): options on the
 * runtime's command line, then "--", then the app's argv.
 *   asis-rt --exe-fd=N --exe-path=PATH [--trace-fd=N] [--trap=sud|seccomp]
 *           [--log-level=N] [--mount=KIND:FLAGS:GUEST --mount-host=HOST]...
 *           [--cwd=GUEST] [--chroot=GUEST] [--uname-release=STR] [--sigmask=HEX,HEX,HEX]
 *           [--patch=off|go|all] [--patch-plan-fd=N] [--plan-cache-fd=N] [--stats]
 *           [--rdtsc=native|emulate]
 *           -- ARGV0 ARGS...
 * Each mount is two arguments: KIND is dir, proc or dev; FLAGS is empty or a comma
 * list of ro and tmpfs; GUEST (the rest, ':' allowed) is where the app sees it and HOST
 * the host directory. The first mount is the root. rt/vfs/view.h says what they mean.
 * A runtime started by an app's execve passes each mount's directory as an inherited
 * fd (--mount-fd=N instead of --mount-host): a path could have been changed by then.
 * --trap=seccomp-inherited: started by an asis app under seccomp, whose filter (already
 * naming this runtime's gate, see docs/trap-mechanisms.md) is inherited. 
 * --sigmask: the app's signal mask across an execve (the host's stays blocked meanwhile),
 * then the signals asis handles itself (SIGSEGV...) that the app ignores, then those of
 * them pending for it.
 * --patch-plan-fd: a readable fd holding the program's patch plan (common/patch_plan.h);
 * --patch says which of its sites to rewrite (off: none, go: Go sites, all: every
 * patchable one). --plan-cache-fd: the plan cache directory, where the runtime looks up
 * the plans of programs the app execs. --stats: print at exit how many syscalls each
 * path served. --rdtsc=emulate: the app's rdtsc and rdtscp fault and asis answers them
 * (rt/libos/rdtsc.c); native (the default) leaves them to the CPU.
 * exe-fd is the app's executable, opened by the front end (so what was checked is what
 * runs); exe-path is the path the user gave (AT_EXECFN). */
#ifndef ASIS_LAUNCH_PLAN_H
#define ASIS_LAUNCH_PLAN_H

#define PLAN_OPT_EXE_FD "--exe-fd="
#define PLAN_OPT_EXE_PATH "--exe-path="
#define PLAN_OPT_TRACE_FD "--trace-fd="
#define PLAN_OPT_TRAP "--trap="
#define PLAN_OPT_LOG_LEVEL "--log-level="
#define PLAN_OPT_MOUNT "--mount="
#define PLAN_OPT_MOUNT_HOST "--mount-host="
#define PLAN_OPT_MOUNT_FD "--mount-fd="
#define PLAN_OPT_CWD "--cwd="
#define PLAN_OPT_CHROOT "--chroot="
#define PLAN_OPT_UNAME_RELEASE "--uname-release="
#define PLAN_OPT_SIGMASK "--sigmask="
#define PLAN_OPT_PATCH "--patch="
#define PLAN_OPT_PATCH_PLAN_FD "--patch-plan-fd="
#define PLAN_OPT_PLAN_CACHE_FD "--plan-cache-fd="
#define PLAN_OPT_STATS "--stats"
#define PLAN_OPT_RDTSC "--rdtsc="
#define PLAN_END "--"

#endif
