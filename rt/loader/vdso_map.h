/* The app's vDSO (vdso_map.c, docs/vdso-design.md). */
#ifndef ASIS_LOADER_VDSO_MAP_H
#define ASIS_LOADER_VDSO_MAP_H
#include <stdint.h>

/* The name the host's /proc/PID/maps gives it ("[anon:asis-vdso]"), which also keeps
 * the kernel from merging it with its neighbours. */
#define VDSO_ANON_NAME "asis-vdso"

/* Where the app's vDSO is: its data page [data, text), its image [text, end). */
struct vdso_mapping {
    uintptr_t data, text, end;
};

/* Maps asis's vDSO for a new program and returns its address (AT_SYSINFO_EHDR), or 0 if
 * it cannot be mapped (the app then runs without one, its clock reads become syscalls).
 * use_host_clocks: let the calls run the host kernel's vDSO functions (not with
 * --rdtsc=emulate, where they would execute rdtsc). */
uintptr_t vdso_map(const uint64_t *host_auxv, int use_host_clocks);
/* All zero before vdso_map or if it failed. */
const struct vdso_mapping *vdso_mapping(void);

#endif
