/* What the syscall-site analyses share (cli/go_sites.c, cli/generic_sites.c): decoding a
 * function with Zydis, the direct branch targets of the whole text, and the rules for
 * the window of instructions a site's jmp may replace. docs/patching-design.md 2. */
#ifndef ASIS_SITE_SCAN_H
#define ASIS_SITE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <Zydis/Zydis.h>

#include "patch.h"

/* Every address the text may branch or return to: direct branch and call targets,
 * return addresses, rip-relative addresses (a lea of a label may feed an indirect jump),
 * function entries and the starts of .eh_frame FDEs. A window must not contain one
 * except at its start. */
struct branch_targets {
    uint64_t *v;
    size_t n, cap;
    int failed; /* out of memory: every window is then trapped */
};
void branch_targets_add(struct branch_targets *b, uint64_t addr);
void branch_targets_free(struct branch_targets *b);

/* One decoded function's syscalls, before the branch targets of the whole text are known. */
struct function_scan {
    uint64_t entry, end;
    const char *name;
    int unsafe; /* undecodable bytes or an indirect jmp: every site in it stays trapped;
                   set beforehand, it traps them all the same */
};

/* Decodes [f->entry, f->end) of img: adds its branch targets to targets and one
 * found_site per SYSCALL to sites, with the window chosen by site_window_choose (at
 * most max_prefix instructions; kind is the kind a patchable site gets). Sets, never
 * clears, f->unsafe.
 * Returns -1 if the function's bytes are not in the file, else 0. */
int scan_function(const ZydisDecoder *dec, const struct elf_image *img,
                  struct function_scan *f, int max_prefix, uint8_t kind,
                  struct branch_targets *targets, struct site_list *sites);

/* The instruction starts a linear sweep of the executable sections finds
 * (cli/insn_starts.c), to check that an FDE starts an instruction. */
struct insn_starts {
    uint64_t lo, hi; /* the span of the executable sections */
    uint8_t *bits;   /* bit a - lo is set when an instruction starts at a */
};
/* 0, or -1 (no executable section, an implausible span, out of memory). */
int insn_starts_sweep(const ZydisDecoder *dec, const struct elf_image *img,
                      struct insn_starts *s);
int insn_starts_has(const struct insn_starts *s, uint64_t addr);
void insn_starts_free(struct insn_starts *s);

/* After all functions are scanned: sites whose window holds a branch target (other
 * than at its start) become TRAPPED (BRANCH_INTO) (cli/branch_targets.c). */
void sites_check_targets(struct site_list *sites, const struct branch_targets *targets);

/* The instructions before a syscall, nearest first, each at most 15 bytes. */
struct prior_insn {
    uint64_t addr;
    const uint8_t *bytes;
    uint8_t len;
};

/* Chooses the window of the syscall at syscall_addr: grows backwards over prior[0..n)
 * (at most max_prefix of them) while each is movable and the whole prefix idempotent,
 * until the window is at least 5 bytes (and at most 16). Fills s: a GENERIC/GO window
 * (kind) or TRAPPED with its reason; nr from the prefix where it sets rax to a constant. */
void site_window_choose(const ZydisDecoder *dec, const struct prior_insn *prior, int n,
                        int max_prefix, uint64_t syscall_addr, const uint8_t *syscall_bytes,
                        uint8_t kind, struct patch_site *s);

#endif
