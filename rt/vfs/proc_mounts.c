/* /proc/PID/mountinfo and mounts: the app's view (view.h) as a mount table. Each view
 * mount is described by the host mount its directory lies on (device, fs type, source,
 * options); the host mounts below a view mount's directory are visible through it and
 * are listed too, under their guest paths (Go's runtime looks for the cgroup mounts
 * there), unless the view hides them. Mount ids are asis's own. */
#include "vfs/proc_files.h"
#include "lib/log.h"
#include "lib/string.h"
#include "libos/vma.h"
#include "pal/host.h"
#include "vfs/special.h"

#define TEXT_MAX (768UL << 10)
#define HOST_MOUNTS_MAX 2048
#define SCRATCH_BYTES (TEXT_MAX + HOST_MOUNTS_MAX * sizeof(struct host_mount))
#define ROOT_PARENT_ID 1 /* the root's parent lies outside the table, as in a container */
#define FIRST_ID 2

/* One line of the host's mountinfo, split in place. */
struct host_mount {
    long id, parent;
    const char *devno;                 /* "254:0" */
    const char *root, *point;          /* unescaped */
    const char *opts;                  /* per-mount options: "rw,relatime" */
    const char *fstype, *source, *super_opts; /* as the host escaped them */
};

struct host_table {
    char *text;
    struct host_mount *mounts;
    int count;
};

/* What one line of either file says. */
struct mount_entry {
    long id, parent;
    const char *devno, *root, *point;
    int readonly;
    const char *opts_rest;  /* per-mount options after "rw"/"ro" */
    const char *fstype, *source, *super_opts;
};

typedef void (*entry_fn)(struct content *out, const struct mount_entry *e);

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
    char *d = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *d++ = *s;
        }
    }
    *d = 0;
}

static void put_escaped(struct content *out, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\') {
            char e[4] = { '\\', (char)('0' + ((unsigned char)*s >> 6)),
                          (char)('0' + (((unsigned char)*s >> 3) & 7)),
                          (char)('0' + ((unsigned char)*s & 7)) };
            content_put(out, e, 4);
        } else {
            content_put(out, s, 1);
        }
    }
}

static char *next_field(char **p)
{
    while (**p == ' ')
        (*p)++;
    if (!**p)
        return 0;
    char *f = *p;
    while (**p && **p != ' ')
        (*p)++;
    if (**p)
        *(*p)++ = 0;
    return f;
}

/* "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static int parse_mountinfo_line(char *line, struct host_mount *h)
{
    char *p = line, *f[6];
    for (int i = 0; i < 6; i++)
        if (!(f[i] = next_field(&p)))
            return -1;
    char *sep;
    while ((sep = next_field(&p)) && strcmp(sep, "-") != 0)
        ; /* optional fields (propagation): the view's mounts are private */
    if (!sep)
        return -1;
    h->id = parse_decimal(f[0]);
    h->parent = parse_decimal(f[1]);
    h->devno = f[2];
    unescape(f[3]);
    unescape(f[4]);
    h->root = f[3];
    h->point = f[4];
    h->opts = f[5];
    if (!(h->fstype = next_field(&p)) || !(h->source = next_field(&p)))
        return -1;
    h->super_opts = next_field(&p);
    if (!h->super_opts)
        h->super_opts = "rw";
    return 0;
}

static long read_host_table(const struct mount *procm, struct host_table *t)
{
    long fd = host_syscall4(__NR_openat, procm->host_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    size_t len = 0;
    for (;;) {
        long n = host_syscall3(__NR_read, fd, t->text + len, TEXT_MAX - 1 - len);
        if (n == -EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == TEXT_MAX - 1) {
            log_warn("the host's mountinfo is longer than %lu bytes; the app sees a part",
                     TEXT_MAX);
            break;
        }
    }
    host_close((int)fd);
    t->text[len] = 0;
    t->count = 0;
    for (char *line = t->text; *line && t->count < HOST_MOUNTS_MAX;) {
        char *nl = line;
        while (*nl && *nl != '\n')
            nl++;
        char *next = *nl ? nl + 1 : nl;
        *nl = 0;
        if (parse_mountinfo_line(line, &t->mounts[t->count]) == 0)
            t->count++;
        line = next;
    }
    return 0;
}

/* Is path inside dir (or dir itself when or_equal)? Both canonical. */
static int path_within(const char *path, const char *dir, int or_equal)
{
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return path[0] == '/' && (or_equal || path[1]);
    if (strncmp(path, dir, n) != 0)
        return 0;
    return path[n] == '/' || (or_equal && path[n] == 0);
}

/* What follows dir in path ("" or "/a/b"). */
static const char *path_below(const char *path, const char *dir)
{
    return strcmp(dir, "/") == 0 ? (path[1] ? path : "") : path + strlen(dir);
}

static void join(char *buf, size_t size, const char *a, const char *b)
{
    size_t la = strcmp(a, "/") == 0 && b[0] ? 0 : strlen(a), lb = strlen(b);
    if (la + lb + 1 > size)
        lb = size - 1 - la;
    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    buf[la + lb] = 0;
    if (!buf[0])
        buf[0] = '/', buf[1] = 0;
}

/* The host mount a host directory lies on: the longest mount point containing it (the
 * last one listed when mounts are stacked). */
static int host_mount_of(const struct host_table *t, const char *dir)
{
    int best = -1;
    size_t best_len = 0;
    for (int k = 0; k < t->count; k++) {
        size_t n = strlen(t->mounts[k].point);
        if (path_within(dir, t->mounts[k].point, 1) && (best < 0 || n >= best_len)) {
            best = k;
            best_len = n;
        }
    }
    return best;
}

static int host_index_of_id(const struct host_table *t, long id)
{
    for (int k = 0; k < t->count; k++)
        if (t->mounts[k].id == id)
            return k;
    return -1;
}

/* Is host mount k mounted (through its parents) on host mount top? */
static int host_descends_from(const struct host_table *t, int k, int top)
{
    for (int steps = 0; k >= 0 && steps < t->count; steps++) {
        if (t->mounts[k].parent == t->mounts[top].id)
            return 1;
        k = host_index_of_id(t, t->mounts[k].parent);
    }
    return 0;
}

static const char *after_first_option(const char *opts)
{
    while (*opts && *opts != ',')
        opts++;
    return *opts ? opts + 1 : opts;
}

/* The view mount that holds guest path's parent directory: the mount's parent. */
static long view_parent_id(int i, const long *ids)
{
    const struct mount *m = view_mount_at(i);
    int best = -1;
    size_t best_len = 0;
    for (int j = 0; j < view_mount_count(); j++) {
        const struct mount *o = view_mount_at(j);
        if (j != i && path_within(m->guest, o->guest, 0) && (best < 0 || o->guest_len > best_len)) {
            best = j;
            best_len = o->guest_len;
        }
    }
    return best < 0 ? ROOT_PARENT_ID : ids[best];
}

static void describe_view_mount(const struct host_table *t, int i, const long *ids,
                                struct mount_entry *e, char *root, size_t root_size)
{
    const struct mount *m = view_mount_at(i);
    int h = host_mount_of(t, m->host);
    const struct host_mount *hm = h >= 0 ? &t->mounts[h] : 0;
    e->id = ids[i];
    e->parent = view_parent_id(i, ids);
    e->point = m->guest;
    e->devno = hm ? hm->devno : "0:0";
    e->readonly = (m->flags & MOUNT_READONLY) || (hm && starts_with(hm->opts, "ro"));
    e->opts_rest = hm ? after_first_option(hm->opts) : "";
    if (m->flags & MOUNT_TMPFS || !hm) {
        e->root = "/";
        e->fstype = e->source = "tmpfs";
        e->super_opts = "rw";
        return;
    }
    join(root, root_size, hm->root, path_below(m->host, hm->point));
    e->root = root;
    e->fstype = hm->fstype;
    e->source = hm->source;
    e->super_opts = hm->super_opts;
}

/* Host mount k as seen through view mount i (whose directory lies on host mount top),
 * if the view shows it there. */
static int describe_submount(const struct host_table *t, int i, int top, int k,
                             const long *ids, struct mount_entry *e, char *guest,
                             size_t guest_size)
{
    const struct mount *m = view_mount_at(i);
    const struct host_mount *s = &t->mounts[k];
    if (top < 0 || k == top || !path_within(s->point, m->host, 0) ||
        !host_descends_from(t, k, top))
        return 0;
    join(guest, guest_size, m->guest, path_below(s->point, m->host));
    const char *rest;
    if (view_mount_of(guest, &rest) != m)
        return 0; /* under another view mount */
    if (m->kind != MOUNT_HOST_DIR) {
        struct special_node node;
        special_classify(m, rest, &node);
        if (node.kind != SPECIAL_HOST)
            return 0;
    }
    int p = host_index_of_id(t, s->parent);
    e->id = ids[i] + 1 + k;
    e->parent = p == top || p < 0 ? ids[i] : ids[i] + 1 + p;
    e->point = guest;
    e->devno = s->devno;
    e->root = s->root;
    e->readonly = (m->flags & MOUNT_READONLY) || starts_with(s->opts, "ro");
    e->opts_rest = after_first_option(s->opts);
    e->fstype = s->fstype;
    e->source = s->source;
    e->super_opts = s->super_opts;
    return 1;
}

static long walk_view(const struct mount *procm, entry_fn fn, struct content *out)
{
    void *scratch = host_mmap(0, SCRATCH_BYTES, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host_is_error((long)scratch))
        return (long)scratch;
    vma_note_asis((uintptr_t)scratch, SCRATCH_BYTES);
    struct host_table t = { scratch, (struct host_mount *)((char *)scratch + TEXT_MAX), 0 };
    long r = read_host_table(procm, &t);
    if (r == 0) {
        long ids[VIEW_MOUNTS_MAX];
        int count = view_mount_count();
        for (int i = 0; i < count; i++)
            ids[i] = FIRST_ID + (long)i * (t.count + 1);
        char path[VIEW_PATH_MAX];
        for (int i = 0; i < count; i++) {
            struct mount_entry e;
            describe_view_mount(&t, i, ids, &e, path, sizeof(path));
            fn(out, &e);
            int top = host_mount_of(&t, view_mount_at(i)->host);
            for (int k = 0; k < t.count; k++)
                if (describe_submount(&t, i, top, k, ids, &e, path, sizeof(path)))
                    fn(out, &e);
        }
    }
    vma_forget_asis((uintptr_t)scratch, SCRATCH_BYTES);
    host_munmap(scratch, SCRATCH_BYTES);
    return r;
}

static void put_mountinfo_line(struct content *out, const struct mount_entry *e)
{
    content_printf(out, "%ld %ld %s ", e->id, e->parent, e->devno);
    put_escaped(out, e->root);
    content_put(out, " ", 1);
    put_escaped(out, e->point);
    content_puts(out, e->readonly ? " ro" : " rw");
    if (e->opts_rest[0]) {
        content_put(out, ",", 1);
        content_puts(out, e->opts_rest);
    }
    content_puts(out, " - ");
    content_puts(out, e->fstype);
    content_put(out, " ", 1);
    content_puts(out, e->source);
    content_put(out, " ", 1);
    content_puts(out, e->super_opts);
    content_put(out, "\n", 1);
}

/* /proc/mounts joins both option lists: "rw,relatime,size=...". */
static void put_mounts_line(struct content *out, const struct mount_entry *e)
{
    content_puts(out, e->source);
    content_put(out, " ", 1);
    put_escaped(out, e->point);
    content_put(out, " ", 1);
    content_puts(out, e->fstype);
    content_puts(out, e->readonly ? " ro" : " rw");
    if (e->opts_rest[0]) {
        content_put(out, ",", 1);
        content_puts(out, e->opts_rest);
    }
    const char *super_rest = after_first_option(e->super_opts);
    if (super_rest[0]) {
        content_put(out, ",", 1);
        content_puts(out, super_rest);
    }
    content_puts(out, " 0 0\n");
}

long proc_mountinfo(const struct mount *m, struct content *out)
{
    return walk_view(m, put_mountinfo_line, out);
}

long proc_mounts(const struct mount *m, struct content *out)
{
    return walk_view(m, put_mounts_line, out);
}
