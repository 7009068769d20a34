/* The patch plan: which syscall sites of a program the runtime rewrites, computed by the
 * front end (cli/patch_plan.c, with Zydis) and applied by the runtime
 * (rt/loader/patch_apply.c) before the app's first instruction. docs/patching-design.md
 * says why each field exists. Little-endian, fixed layout, read by both sides:
 *     struct patch_plan_header
 *     struct patch_site[nsites]    sorted by vaddr, windows never overlap
 *     char names[names_bytes]      NUL-ended function names, for people only
 * The runtime trusts nothing in it: a site is written only if its window lies in an
 * executable segment and the loaded bytes equal orig, so a stale or damaged plan can
 * only leave sites trapped. */
#ifndef ASIS_PATCH_PLAN_H
#define ASIS_PATCH_PLAN_H

#include <stdint.h>

#define PATCH_PLAN_MAGIC "ASISPLN1"
/* Bumped whenever the analysis rules change: a cached plan of another version is a miss. */
#define PATCH_PLAN_VERSION 2
#define PATCH_PLAN_MAX_SITES 65536
#define PATCH_PLAN_MAX_NAMES (16u << 20)

/* header.flags */
#define PATCH_PLAN_GO 1u       /* a Go binary: the pclntab was found */
#define PATCH_PLAN_STRIPPED 2u /* no .symtab */

struct patch_plan_header {
    char magic[8];            /* PATCH_PLAN_MAGIC, no NUL */
    uint32_t version;         /* PATCH_PLAN_VERSION */
    uint32_t nsites;
    uint32_t names_bytes;
    uint32_t flags;
    uint64_t program_size;    /* of the program the plan is for */
    uint8_t program_sha256[32];
};
_Static_assert(sizeof(struct patch_plan_header) == 64, "plan header layout");

/* site.kind */
enum patch_site_kind {
    PATCH_SITE_TRAPPED = 0,   /* left to the trap path; reason says why */
    PATCH_SITE_GO = 1,        /* a Go runtime/syscall site (--patch=go and all) */
    PATCH_SITE_GENERIC = 2,   /* found by decoding other code (--patch=all only) */
};

/* site.reason, for PATCH_SITE_TRAPPED */
enum patch_trap_reason {
    PATCH_REASON_NONE = 0,
    PATCH_REASON_BRANCH_INTO,     /* a branch or return address lands inside the window */
    PATCH_REASON_NO_WINDOW,       /* the instructions before the syscall cannot be moved */
    PATCH_REASON_NOT_IDEMPOTENT,  /* e.g. pop %r12: re-running it on a restart breaks */
    PATCH_REASON_NO_BOUNDS,       /* the function's extent is unknown (no symbols) */
    PATCH_REASON_UNSAFE_FUNCTION, /* indirect jump, undecodable bytes, exception tables */
    PATCH_REASON_COUNT
};

struct patch_site {
    uint64_t vaddr;       /* window start, link-time address (ET_DYN: add the load bias) */
    uint8_t len;          /* window bytes, 5..16; the last two are 0f 05 (syscall).
                             TRAPPED: 2, vaddr is the syscall instruction */
    uint8_t prefix_len;   /* len - 2: the instructions the stub re-executes */
    uint8_t kind;         /* enum patch_site_kind */
    uint8_t reason;       /* enum patch_trap_reason */
    int32_t nr;           /* the syscall number if the prefix sets it to a constant, else -1 */
    uint8_t orig[16];     /* the window's bytes as the file has them */
    uint32_t name_off;    /* the containing function's name in names, or UINT32_MAX */
    uint32_t func_off;    /* the syscall instruction's offset in that function */
};
_Static_assert(sizeof(struct patch_site) == 40, "plan site layout");

#endif
