/* asis run --stats: how many syscalls each path served, per syscall, printed at exit.
 * Counters are process-wide relaxed atomics that exist only with --stats, so the default
 * costs one test of a null pointer (the P path in patch_entry.S counts its own). */
#include "libos/patch.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "libos/syscall.h"
#include "pal/host.h"

unsigned long *g_patch_stats;

void patch_stats_enable(void)
{
    size_t bytes = sizeof(unsigned long) * PATCH_PATHS * PATCH_CLASS_LIMIT;
    void *p = host_mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!host_is_error((long)p))
        g_patch_stats = p;
}

void patch_stats_count(enum patch_path path, long nr)
{
    if (!g_patch_stats)
        return;
    if (nr < 0 || nr >= PATCH_CLASS_LIMIT)
        nr = PATCH_CLASS_LIMIT - 1; /* unknown numbers share the last row */
    __atomic_fetch_add(&g_patch_stats[path * PATCH_CLASS_LIMIT + nr], 1, __ATOMIC_RELAXED);
}

static void put(const char *line, int n)
{
    host_write(g_log_fd, line, n > 0 ? (size_t)n : 0);
}

void patch_stats_print(void)
{
    unsigned long *st = g_patch_stats;
    if (!st || !__atomic_exchange_n(&g_patch_stats, 0, __ATOMIC_ACQ_REL))
        return; /* not asked for, or printed already */
    char line[160];
    unsigned long total[PATCH_PATHS] = { 0 };
    put(line, fmt_snprintf(line, sizeof(line), "asis: stats: %-22s %10s %10s %10s %10s\n",
                           "syscall", "patched", "entry", "stub-trap", "trapped"));
    for (long nr = 0; nr < PATCH_CLASS_LIMIT; nr++) {
        unsigned long c[PATCH_PATHS], sum = 0;
        for (int p = 0; p < PATCH_PATHS; p++) {
            c[p] = __atomic_load_n(&st[p * PATCH_CLASS_LIMIT + nr], __ATOMIC_RELAXED);
            sum += c[p];
            total[p] += c[p];
        }
        if (!sum)
            continue;
        const char *name = syscall_name(nr);
        char unknown[24];
        if (!name || nr == PATCH_CLASS_LIMIT - 1) {
            fmt_snprintf(unknown, sizeof(unknown), nr == PATCH_CLASS_LIMIT - 1 ? "other" : "#%ld", nr);
            name = unknown;
        }
        put(line, fmt_snprintf(line, sizeof(line), "asis: stats: %-22s %10lu %10lu %10lu %10lu\n",
                               name, c[PATCH_PATH_P], c[PATCH_PATH_E], c[PATCH_PATH_T],
                               c[PATCH_PATH_TRAP]));
    }
    unsigned long all = 0;
    for (int p = 0; p < PATCH_PATHS; p++)
        all += total[p];
    unsigned long trapped = total[PATCH_PATH_T] + total[PATCH_PATH_TRAP];
    unsigned long permille = all ? (trapped * 1000 + all / 2) / all : 0;
    put(line, fmt_snprintf(line, sizeof(line),
                           "asis: stats: %lu syscalls: patched %lu, entry %lu, stub-trap %lu, "
                           "trapped %lu; %lu.%lu%% by a trap\n",
                           all, total[PATCH_PATH_P], total[PATCH_PATH_E], total[PATCH_PATH_T],
                           total[PATCH_PATH_TRAP], permille / 10, permille % 10));
}
