/* Binary patching, the front end's side (docs/patching-design.md 2, 5 and 6): finding a
 * program's syscall sites, the patch plan (common/patch_plan.h) built from them, and the
 * plan cache that makes a warm start cost a few small reads. */
#ifndef ASIS_PATCH_H
#define ASIS_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "elf_image.h"
#include "patch_plan.h"
#include "pclntab.h"

/* A site as an analysis finds it: the record, and its function's name (inside the
 * mapped program; NULL if unknown). name_off is filled when the plan is laid out. */
struct found_site {
    struct patch_site site;
    const char *name;
};

struct site_list {
    struct found_site *v;
    size_t n, cap;
    int failed;  /* out of memory */
    char *names; /* names made up by the analysis (fde@0x...), freed with the list */
};
void site_list_add(struct site_list *l, const struct found_site *s);
void site_list_free(struct site_list *l);
/* Turns a site into a trapped one at its syscall instruction (len 2). */
void site_make_trapped(struct patch_site *s, enum patch_trap_reason reason);

/* Every SYSCALL instruction in the functions of the pclntab, as PATCH_SITE_GO or
 * TRAPPED sites (cli/go_sites.c). 0, or -1 on failure (out of memory). */
int go_sites_find(const struct elf_image *img, const struct pclntab *t, struct site_list *out);

/* Every SYSCALL instruction of other code (static C), in functions bounded by .symtab,
 * else by the FDEs of .eh_frame, as PATCH_SITE_GENERIC or TRAPPED sites; those outside
 * every function (or all, without either) TRAPPED (NO_BOUNDS) (cli/generic_sites.c).
 * 0 or -1. */
int generic_sites_find(const struct elf_image *img, struct site_list *out);

/* One FDE of .eh_frame: the code [lo, hi) it describes, and whether it names an LSDA,
 * i.e. the function has exception landing pads: branch targets no instruction names. */
struct fde_range {
    uint64_t lo, hi;
    int has_lsda;
};
/* Every FDE of the program's .eh_frame, sorted by lo (cli/eh_frame.c): 0 and a malloc'd
 * array (NULL, 0 if there is no .eh_frame), or -1 if .eh_frame cannot be read. */
int eh_frame_fdes(const struct elf_image *img, struct fde_range **out, size_t *n);

/* A plan in memory: exactly the bytes the runtime reads (header, sites, names). */
struct plan {
    uint8_t *bytes;
    size_t size;
    const struct patch_plan_header *hdr;
    const struct patch_site *sites;
    const char *names;
};

/* Analyses img (a Go binary by its pclntab, else other code) and lays out its plan for
 * a program of the given size and hash (cli/patch_plan.c). 0 or -1 (out of memory). */
int plan_build(const struct elf_image *img, uint64_t program_size,
               const uint8_t program_sha256[32], struct plan *out);
/* Checks that bytes[0..size) is a well-formed plan of this version and points out's
 * fields into it (out->bytes = bytes; freeing stays the caller's). 0 or -1. */
int plan_parse(uint8_t *bytes, size_t size, struct plan *out);
/* The function name of a site, or "?". */
const char *plan_site_name(const struct plan *p, const struct patch_site *s);
void plan_free(struct plan *p);

/* The program mapped read-only, for the analyses and for inspect. */
struct program_image {
    void *map;
    size_t size;
    struct elf_image elf;
};
/* 0, or -1 with errno (not an ELF x86-64 image: EINVAL). */
int program_image_map(int fd, struct program_image *out);
void program_image_unmap(struct program_image *pi);

/* The plan of the program open at prog_fd, from the cache or computed (cli/plan_cache.c). */
struct plan_result {
    struct plan plan;
    int fd;      /* read-only, holds the plan from offset 0 (a cache file or a memfd) */
    int cached;  /* 0: computed; 1: found by the program's identity (no hashing, no
                    analysis); 2: found by its hash (a copy or a touched file) */
    double ms;   /* how long getting it took */
};
/* 0, or -1 if no plan could be made (the reason goes to *why, a static phrase). */
int plan_get(int prog_fd, struct plan_result *r, const char **why);
void plan_result_free(struct plan_result *r);
/* The plan cache directory, for the runtime to find the plans of programs the app
 * execs (rt/loader/patch_lookup.c): an O_PATH fd, or -1 if there is none. */
int plan_cache_open_dir(void);

#endif
