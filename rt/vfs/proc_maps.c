/* /proc/PID/maps: the app's mappings. The host's /proc/self/maps knows every mapping's
 * protection, offset, device, inode and file; asis's VMA list (vma.h) knows which
 * memory is asis's own. The app sees the host's lines minus asis's memory, in guest
 * terms, with its own [stack] and [heap]. */
#include "vfs/proc_files.h"
#include "lib/string.h"
#include "libos/vma.h"
#include "loader/loader.h"
#include "loader/vdso_map.h"
#include "pal/host.h"
#include "vfs/line_reader.h"

struct maps_line {
    uintptr_t start, end;
    const char *perms;  /* "rw-p" */
    unsigned long offset;
    const char *dev;    /* "fe:01" */
    unsigned long inode;
    const char *name;   /* a path, "[vdso]", ... or "" */
};

static unsigned long parse_number(char **p, int base)
{
    unsigned long v = 0;
    for (;; (*p)++) {
        char c = **p;
        int d = c >= '0' && c <= '9' ? c - '0' : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return v;
        v = v * base + (unsigned long)d;
    }
}

/* Ends the field at p (a space) and returns what follows the spaces after it. */
static char *end_field(char *p)
{
    if (*p != ' ')
        return 0;
    *p++ = 0;
    while (*p == ' ')
        p++;
    return p;
}

/* "start-end perms offset dev inode   name" */
static int parse_line(char *s, struct maps_line *l)
{
    char *p = s;
    l->start = parse_number(&p, 16);
    if (*p++ != '-')
        return -1;
    l->end = parse_number(&p, 16);
    if (!(p = end_field(p)))
        return -1;
    l->perms = p;
    for (int i = 0; i < 4; i++)
        if (!*p++)
            return -1;
    if (!(p = end_field(p)))
        return -1;
    l->offset = parse_number(&p, 16);
    if (!(p = end_field(p)))
        return -1;
    l->dev = p;
    while (*p && *p != ' ')
        p++;
    if (!(p = end_field(p)))
        return -1;
    l->inode = parse_number(&p, 10);
    if (*p && !(p = end_field(p)))
        return -1;
    l->name = p;
    return l->start < l->end ? 0 : -1;
}

/* The kernel's layout (show_vma_header_prefix): the name starts at column 73. */
static void put_line(struct content *out, const struct maps_line *l, const char *name)
{
    size_t line_start = content_written(out);
    content_printf(out, "%08lx-%08lx %s %08lx %s %lu ", (unsigned long)l->start,
                   (unsigned long)l->end, l->perms, l->offset, l->dev, l->inode);
    if (name[0]) {
        content_pad_to(out, line_start, 72);
        content_put(out, " ", 1);
        content_puts(out, name);
    }
    content_put(out, "\n", 1);
}

/* A file's host path in guest terms; " (deleted)" stays at the end. */
static const char *guest_name(const char *host, char *buf, size_t size)
{
    static const char deleted[] = " (deleted)";
    char path[VIEW_PATH_MAX];
    size_t len = strlen(host), dlen = sizeof(deleted) - 1;
    int is_deleted = len > dlen && strcmp(host + len - dlen, deleted) == 0;
    if (is_deleted)
        len -= dlen;
    if (host[0] != '/' || len >= sizeof(path))
        return host;
    memcpy(path, host, len);
    path[len] = 0;
    long n = view_guest_of_host(path, buf, size);
    if (n < 0 || (size_t)n + dlen + 1 > size)
        return host;
    if (is_deleted)
        memcpy(buf + n, deleted, dlen + 1);
    return buf;
}

static int is_any(const char *name, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* The kernel's names for asis-rt's own stack and break: not the app's. */
static const char *const g_host_process_names[] = { "[stack]", "[heap]" };
static const char *const g_vdso_data_names[] = { "[vvar]", "[vvar_vclock]" };

/* asis's vDSO for the app (loader/vdso_map.c) is anonymous memory to the host, named
 * VDSO_ANON_NAME where the kernel names such memory, else maybe merged with a neighbour:
 * its data page is shown as Linux's [vvar], its image as [vdso], and what else the line
 * holds apart (unless it is asis's). Returns 1 if the line was the vDSO's. */
static int put_vdso_parts(struct content *out, const struct maps_line *l)
{
    const struct vdso_mapping *v = vdso_mapping();
    int anonymous = l->inode == 0 && (!l->name[0] || strcmp(l->name, "[anon:" VDSO_ANON_NAME "]") == 0);
    if (!anonymous || !v->data || l->end <= v->data || l->start >= v->end)
        return 0;
    const struct { uintptr_t start, end; const char *name; } parts[] = {
        { l->start, v->data, "" },
        { v->data, v->text, "[vvar]" },
        { v->text, v->end, "[vdso]" },
        { v->end, l->end, "" },
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        struct maps_line part = *l;
        part.start = parts[i].start > l->start ? parts[i].start : l->start;
        part.end = parts[i].end < l->end ? parts[i].end : l->end;
        if (part.start < part.end &&
            (parts[i].name[0] || !vma_overlaps_asis(part.start, part.end - part.start)))
            put_line(out, &part, parts[i].name);
    }
    return 1;
}

static void put_app_part(struct content *out, struct maps_line *l)
{
    const struct app_layout *lay = app_layout();
    int anonymous = l->inode == 0 && !l->name[0];
    if (strcmp(l->name, "[vsyscall]") == 0) {
        put_line(out, l, l->name); /* the kernel's, in every process */
        return;
    }
    if (is_any(l->name, g_host_process_names, sizeof(g_host_process_names) / sizeof(char *)))
        return;
    if (strcmp(l->name, "[vdso]") == 0 ||
        is_any(l->name, g_vdso_data_names, sizeof(g_vdso_data_names) / sizeof(char *)))
        return; /* the host's, which asis's own vDSO calls: the app's is asis's */
    if (put_vdso_parts(out, l))
        return;
    if (vma_overlaps_asis(l->start, l->end - l->start)) {
        /* asis memory the host merged with a neighbour: only the app's stack is known
         * to border it; the rest of the line is asis's. */
        if (!anonymous || l->end <= lay->stack_start || l->start >= lay->stack_end)
            return;
        if (l->start < lay->stack_start)
            l->start = lay->stack_start;
        if (l->end > lay->stack_end)
            l->end = lay->stack_end;
        if (vma_overlaps_asis(l->start, l->end - l->start))
            return;
    }
    if (anonymous && l->start >= lay->stack_start && l->end <= lay->stack_end) {
        put_line(out, l, "[stack]");
        return;
    }
    if (anonymous && strcmp(l->perms, "---p") == 0 && l->end == lay->stack_start &&
        l->start + 4096 == lay->stack_start)
        return; /* the stack's guard page: Linux keeps a gap, not a mapping */
    if (anonymous && strcmp(l->perms, "---p") == 0 && l->start >= lay->brk_start &&
        l->end <= lay->brk_reserved_end)
        return; /* the room asis keeps for the break: free memory for a Linux program */
    if (anonymous && l->perms[0] != '-' && l->start <= lay->brk_start && l->end > lay->brk_start) {
        /* The break starts right after the program's bss, and the host merged the two:
         * shown apart, as Linux (which places the break at a random distance) shows them. */
        if (l->start < lay->brk_start) {
            struct maps_line bss = *l;
            bss.end = lay->brk_start;
            put_line(out, &bss, "");
            l->start = lay->brk_start;
        }
        put_line(out, l, "[heap]");
        return;
    }
    char guest[VIEW_PATH_MAX];
    put_line(out, l, guest_name(l->name, guest, sizeof(guest)));
}

long proc_maps(const struct mount *m, struct content *out)
{
    long fd = host_syscall4(__NR_openat, m->host_fd, "self/maps", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    struct line_reader r;
    line_reader_init(&r, (int)fd);
    char *s;
    while ((s = line_reader_next(&r))) {
        struct maps_line l;
        if (parse_line(s, &l) == 0)
            put_app_part(out, &l);
    }
    host_close((int)fd);
    return 0;
}
