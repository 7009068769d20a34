/* Patched syscall sites (docs/patching-design.md): the runtime's side. The front end
 * plans which sites to rewrite (common/patch_plan.h); rt/loader/patch_apply.c writes a
 * `jmp` at each into a per-site stub, which enters rt/pal/patch_entry.inc with the SYSCALL
 * contract (rax = number, rcx = return address, r11 = site index). The entry serves the
 * call on one of three paths:
 *   P  a PASS call: made by the gate's own SYSCALL with the app's registers, stack and
 *      mask, like the PASS trampoline (no signal, no stack switch);
 *   E  any other call asis serves: on the asis stack with async signals blocked, through
 *      syscall_dispatch(), leaving with the result as a SYSCALL would;
 *   T  a call that needs the host's full signal context (clone, execve, rt_sigreturn...):
 *      the stub's own SYSCALL, outside the gate, so it traps as an unpatched site does.
 * This header is read by assembly too. */
#ifndef ASIS_LIBOS_PATCH_H
#define ASIS_LIBOS_PATCH_H

/* g_patch_class[nr]: bits 0-5 say which arguments are app fds (EBADF if asis's own). */
#define PATCH_CLASS_FD_ARGS 0x3f
#define PATCH_CLASS_PASS 0x40
#define PATCH_CLASS_TRAP 0x80
/* PASS only if the fifth argument (r8: epoll_pwait's signal mask) is NULL; else E. */
#define PATCH_CLASS_PASS_IF_NO_MASK 0x100
#define PATCH_CLASS_LIMIT 512 /* numbers at or above go to E, which refuses them */

/* struct patch_slot, one per patched site, 32 bytes */
#define PATCH_SLOT_SHIFT 5
#define PATCH_SLOT_START 0
#define PATCH_SLOT_RET 8
#define PATCH_SLOT_TRAP 16

/* The stub page: one 64-byte slot per site, the entry's address in the last 8 bytes. */
#define PATCH_STUB_BYTES 64

/* SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP as a mask (OWNED_SYNC, signal.h). */
#define PATCH_OWNED_SYNC_BITS 0x400004d8

/* struct host_ucontext, for the frame the E path builds (static_asserts in patch_entry.c) */
#define UC_SIZE 304
#define UC_R8 40
#define UC_R9 48
#define UC_R10 56
#define UC_R11 64
#define UC_R12 72
#define UC_R13 80
#define UC_R14 88
#define UC_R15 96
#define UC_RDI 104
#define UC_RSI 112
#define UC_RBP 120
#define UC_RBX 128
#define UC_RDX 136
#define UC_RAX 144
#define UC_RCX 152
#define UC_RSP 160
#define UC_RIP 168
#define UC_EFLAGS 176
#define UC_FPSTATE 224

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "tcb.h"

struct patch_slot {
    uintptr_t start; /* the window's first byte: where a restart re-enters */
    uintptr_t ret;   /* the byte after the window */
    uintptr_t trap;  /* the stub's own syscall instruction (path T) */
    uint32_t plan_index;
    int32_t nr;      /* the number the window sets, or -1 */
};
_Static_assert(sizeof(struct patch_slot) == 1 << PATCH_SLOT_SHIFT, "patch slot size");

enum patch_mode { PATCH_OFF, PATCH_GO, PATCH_ALL };

extern struct patch_slot *g_patch_slots; /* set by patch_apply, with: */
extern uintptr_t g_patch_stub_base;      /* the stub page */
extern uint32_t g_patch_nslots;          /* how many slots it has */
extern uint16_t g_patch_class[PATCH_CLASS_LIMIT];
extern unsigned long *g_patch_stats; /* [PATCH_PATHS][PATCH_CLASS_LIMIT], or 0 */

/* What served each call, for --stats. */
enum patch_path { PATCH_PATH_P, PATCH_PATH_E, PATCH_PATH_T, PATCH_PATH_TRAP, PATCH_PATHS };

/* Reads the plan on plan_fd and rewrites the sites mode allows in the image just loaded.
 * Sites that fail a check stay trapped. */
struct loaded_image;
void patch_apply(int plan_fd, enum patch_mode mode, const struct loaded_image *img);

/* The cached plan of the program open on exe_fd, in the plan cache directory open on
 * cache_dir_fd (a program the app exec'd): a readable fd, or -1 if there is none. */
int patch_plan_lookup(int cache_dir_fd, int exe_fd);
/* What the runtime was asked for, passed on to the runtime of a program the app execs
 * (sys_exec.c): the patch mode, the plan cache directory (a reserved fd, or -1) and
 * --stats. */
extern enum patch_mode g_patch_mode;
extern int g_plan_cache_fd;

/* Fills g_patch_class from the syscall table. */
void patch_class_init(void);

/* A host signal whose rip is in code standing for the app at a patched site (a stub, the
 * entry before it blocks signals, the E exit): rewrites uc into the app state it stands
 * for and returns 1. 0 if rip is elsewhere. */
int patch_app_context(struct tcb *t, struct host_ucontext *uc);
/* Is rip in the stubs or the patch entry (where a single-step trap is no app event)? */
int patch_in_code(uintptr_t rip);
/* A SIGSYS from a stub's own syscall (path T): rip becomes the site's return address and
 * restart_rip its window. 1 if it was one. */
int patch_trap_from_stub(struct tcb *t, struct host_ucontext *uc);
/* The slow exit of path E (the entry's ud2 at pal_patch_settle, host SIGILL): finishes the
 * call as a trap's exit does, with uc the app's whole context. */
void patch_settle(struct tcb *t, struct host_ucontext *uc);

/* --stats */
void patch_stats_enable(void);
void patch_stats_count(enum patch_path path, long nr);
/* Prints the counts to asis's log (at exit_group, or the last thread's exit). */
void patch_stats_print(void);

/* The entry (rt/pal/patch_entry.inc) */
extern const char pal_patch_entry[], pal_patch_e_saved[], pal_patch_e_block[],
    pal_patch_e_exit[], pal_patch_e_jmp[], pal_patch_e_end[], pal_patch_settle[];
#endif
#endif
