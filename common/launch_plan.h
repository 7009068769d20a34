/* How the front end (asis) hands a launch to the runtime (asis-rt): options on the
 * runtime's command line, then "--", then the app's argv.
 *   asis-rt --exe-fd=N --exe-path=PATH [--trace-fd=N] [--trap=sud|seccomp]
 *           [--log-level=N] -- ARGV0 ARGS...
 * --trap=seccomp-inherited: started by an asis app under seccomp, whose filter (already
 * naming this runtime's gate, see docs/trap-mechanisms.md) is inherited. 
 * exe-fd is the app's executable, opened by the front end (so what was checked is what
 * runs); exe-path is the path the user gave (AT_EXECFN). */
#ifndef ASIS_LAUNCH_PLAN_H
#define ASIS_LAUNCH_PLAN_H

#define PLAN_OPT_EXE_FD "--exe-fd="
#define PLAN_OPT_EXE_PATH "--exe-path="
#define PLAN_OPT_TRACE_FD "--trace-fd="
#define PLAN_OPT_TRAP "--trap="
#define PLAN_OPT_LOG_LEVEL "--log-level="
#define PLAN_END "--"

#endif
