// Limits and identity, as raw syscalls: getrusage (self, children, thread), times,
// getrlimit/setrlimit/prlimit64 (the NOFILE limit asis keeps and the others it passes
// on), sched_getaffinity/setaffinity, getcpu, sysinfo, uname, user and group ids and
// supplementary groups, with the errno of each usual mistake; the calls that need
// privilege are repeated in a child that gave it up. Values depend on the machine, so
// only relations are printed ("utime grows after a busy loop", "cpu < nproc").
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "lib/outcome.h"

// volatile: the compiler must not see the bad pointer (no warning, no folding).
static void *volatile bad_ptr = (void *)8;
#define BAD bad_ptr

static const char *yes(int b) { return b ? "yes" : "no"; }

static long long tv_us(struct timeval tv) { return tv.tv_sec * 1000000LL + tv.tv_usec; }

static long long thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// Spends about ms of CPU time in user mode (the clock is read rarely: under asis each
// read is a trapped syscall, which would be system time).
static volatile unsigned long sink;
static void busy(int ms)
{
    long long end = thread_cpu_ns() + ms * 1000000LL;
    do {
        for (unsigned long i = 0; i < 2000000; i++)
            sink += i * i;
    } while (thread_cpu_ns() < end);
}

// ---------------------------------------------------------------------------- usage

static void *thread_busy(void *arg)
{
    struct rusage *ru = arg;
    busy(60);
    syscall(SYS_getrusage, RUSAGE_THREAD, ru);
    return NULL;
}

static void usage(void)
{
    struct rusage before, after, children, thread, main_thread;
    T("getrusage SELF", syscall(SYS_getrusage, RUSAGE_SELF, &before));
    busy(60);
    syscall(SYS_getrusage, RUSAGE_SELF, &after);
    printf("utime grows after a busy loop: %s\n", yes(tv_us(after.ru_utime) > tv_us(before.ru_utime)));
    printf("utime+stime grew by >= 40 ms: %s\n",
           yes(tv_us(after.ru_utime) + tv_us(after.ru_stime) - tv_us(before.ru_utime) -
                   tv_us(before.ru_stime) >= 40000));
    printf("maxrss > 0: %s, minflt > 0: %s\n", yes(after.ru_maxrss > 0), yes(after.ru_minflt > 0));

    T("getrusage CHILDREN, none yet", syscall(SYS_getrusage, RUSAGE_CHILDREN, &children));
    printf("children utime+stime zero: %s\n",
           yes(tv_us(children.ru_utime) + tv_us(children.ru_stime) == 0));
    struct tms tb, ta;
    clock_t t0 = times(&tb);
    pid_t pid = fork();
    if (pid == 0) {
        busy(60);
        _exit(0);
    }
    struct rusage waited;
    int status;
    T("wait4 with rusage", syscall(SYS_wait4, pid, &status, 0, &waited) == pid);
    printf("wait4 rusage utime > 0: %s\n", yes(tv_us(waited.ru_utime) > 0));
    T("getrusage CHILDREN", syscall(SYS_getrusage, RUSAGE_CHILDREN, &children));
    printf("children utime+stime >= 40 ms: %s, same as wait4's: %s\n",
           yes(tv_us(children.ru_utime) + tv_us(children.ru_stime) >= 40000),
           yes(tv_us(children.ru_utime) == tv_us(waited.ru_utime)));

    errno = 0;
    clock_t t1 = syscall(SYS_times, &ta);
    printf("times: %s, elapsed ticks >= 0: %s\n", yes(t1 != (clock_t)-1 && errno == 0),
           yes(t1 - t0 >= 0));
    printf("times: cutime grew: %s, utime >= before: %s\n", yes(ta.tms_cutime > tb.tms_cutime),
           yes(ta.tms_utime >= tb.tms_utime));
    T("times NULL", syscall(SYS_times, NULL) != -1 ? 0 : -1);
    T("times bad pointer", syscall(SYS_times, BAD));

    pthread_t th;
    pthread_create(&th, NULL, thread_busy, &thread);
    pthread_join(th, NULL);
    T("getrusage THREAD", syscall(SYS_getrusage, RUSAGE_THREAD, &main_thread));
    syscall(SYS_getrusage, RUSAGE_SELF, &after);
    printf("thread utime >= 20 ms: %s, thread < self: %s, main thread < self: %s\n",
           yes(tv_us(thread.ru_utime) + tv_us(thread.ru_stime) >= 20000),
           yes(tv_us(thread.ru_utime) < tv_us(after.ru_utime)),
           yes(tv_us(main_thread.ru_utime) < tv_us(after.ru_utime)));
    T("getrusage bad who 5", syscall(SYS_getrusage, 5, &after));
    T("getrusage RUSAGE_BOTH (-2)", syscall(SYS_getrusage, -2, &after));
    T("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, BAD));
    T("getrusage CHILDREN bad pointer", syscall(SYS_getrusage, RUSAGE_CHILDREN, BAD));
}

// ---------------------------------------------------------------------------- limits

static const char *const resource_names[] = {
    "CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
    "MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
};

static void limits(void)
{
    struct rlimit r, r2, old;
    for (int i = 0; i < RLIM_NLIMITS; i++) {
        long a = syscall(SYS_getrlimit, i, &r);
        long b = syscall(SYS_prlimit64, 0, i, NULL, &r2);
        printf("%s: getrlimit %ld, prlimit64 %ld, agree %s, soft <= hard %s\n", resource_names[i], a,
               b, yes(r.rlim_cur == r2.rlim_cur && r.rlim_max == r2.rlim_max),
               yes(r.rlim_cur <= r.rlim_max));
    }
    T("getrlimit RLIM_NLIMITS", syscall(SYS_getrlimit, RLIM_NLIMITS, &r));
    T("getrlimit -1", syscall(SYS_getrlimit, -1, &r));
    T("prlimit64 RLIM_NLIMITS", syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &r));
    T("setrlimit RLIM_NLIMITS", syscall(SYS_setrlimit, RLIM_NLIMITS, &r));
    T("getrlimit bad pointer", syscall(SYS_getrlimit, RLIMIT_CORE, BAD));
    T("getrlimit NOFILE bad pointer", syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD));
    T("setrlimit bad pointer", syscall(SYS_setrlimit, RLIMIT_CORE, BAD));
    T("setrlimit NOFILE bad pointer", syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD));
    T("prlimit64 bad new", syscall(SYS_prlimit64, 0, RLIMIT_CORE, BAD, NULL));
    T("prlimit64 bad old", syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, BAD));
    T("prlimit64 NOFILE bad old", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD));
    T("prlimit64 no such pid", syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_CORE, NULL, &r));
    T("prlimit64 NOFILE no such pid", syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_NOFILE, NULL, &r));

    // CORE: passed on; lowering and restoring the soft limit, soft above hard.
    syscall(SYS_getrlimit, RLIMIT_CORE, &old);
    r = (struct rlimit){ 0, old.rlim_max };
    T("setrlimit CORE soft 0", syscall(SYS_setrlimit, RLIMIT_CORE, &r));
    syscall(SYS_getrlimit, RLIMIT_CORE, &r2);
    printf("CORE soft now 0: %s\n", yes(r2.rlim_cur == 0));
    r = (struct rlimit){ 2, 1 };
    T("setrlimit CORE soft > hard", syscall(SYS_setrlimit, RLIMIT_CORE, &r));
    T("prlimit64 CORE restore, old value", syscall(SYS_prlimit64, 0, RLIMIT_CORE, &old, &r2));
    printf("old value was soft 0: %s\n", yes(r2.rlim_cur == 0));

    // NOFILE: asis keeps it; the same rules as the kernel's.
    struct rlimit nofile;
    syscall(SYS_getrlimit, RLIMIT_NOFILE, &nofile);
    printf("NOFILE soft is sysconf(_SC_OPEN_MAX): %s\n", yes(sysconf(_SC_OPEN_MAX) == (long)nofile.rlim_cur));
    r = (struct rlimit){ 64, nofile.rlim_max };
    T("setrlimit NOFILE soft 64", syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
    syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &r2);
    printf("prlimit64(getpid()) sees soft 64: %s\n", yes(r2.rlim_cur == 64));
    T("dup2 to 63", dup2(1, 63));
    T("dup2 to 64", dup2(1, 64));
    close(63);
    T("poll nfds 65", syscall(SYS_poll, &(struct { int fd; short e, r; }){ 1, 4, 0 }, 65, 0));
    r = (struct rlimit){ nofile.rlim_max + 1, nofile.rlim_max };
    T("setrlimit NOFILE soft > hard", syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
    T("prlimit64(gettid()) NOFILE restore", syscall(SYS_prlimit64, syscall(SYS_gettid), RLIMIT_NOFILE, &nofile, &r2));
    printf("old value was soft 64: %s\n", yes(r2.rlim_cur == 64));
    syscall(SYS_getrlimit, RLIMIT_NOFILE, &r);
    printf("NOFILE restored: %s\n", yes(r.rlim_cur == nofile.rlim_cur && r.rlim_max == nofile.rlim_max));

    // Another process (a child, run under asis too) for a passed-on resource.
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        struct rlimit core = { 0, 0 };
        syscall(SYS_getrlimit, RLIMIT_CORE, &core);
        write(ready[1], "r", 1);
        read(go[0], &c, 1);
        syscall(SYS_getrlimit, RLIMIT_CORE, &core);
        _exit(core.rlim_cur == 0 ? 0 : 1);
    }
    char c;
    read(ready[0], &c, 1);
    syscall(SYS_prlimit64, pid, RLIMIT_CORE, NULL, &r);
    printf("child's CORE limit as seen from the parent is the parent's: %s\n",
           yes(r.rlim_cur == old.rlim_cur && r.rlim_max == old.rlim_max));
    r.rlim_cur = 0;
    T("prlimit64 set the child's CORE soft limit to 0", syscall(SYS_prlimit64, pid, RLIMIT_CORE, &r, NULL));
    write(go[1], "g", 1);
    int status;
    waitpid(pid, &status, 0);
    printf("the child saw it: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

// ---------------------------------------------------------------------------- cpus, system

static void cpus_and_system(void)
{
    long nconf = sysconf(_SC_NPROCESSORS_CONF);
    cpu_set_t set, one;
    CPU_ZERO(&set);
    long n = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
    printf("sched_getaffinity returns a multiple of 8 bytes: %s\n", yes(n > 0 && n % 8 == 0));
    printf("affinity: 1 <= count <= nproc: %s\n", yes(CPU_COUNT(&set) >= 1 && CPU_COUNT(&set) <= nconf));
    cpu_set_t tid_set;
    CPU_ZERO(&tid_set);
    syscall(SYS_sched_getaffinity, syscall(SYS_gettid), sizeof(tid_set), &tid_set);
    printf("affinity of gettid() is the same: %s\n", yes(CPU_EQUAL(&set, &tid_set)));
    T("sched_getaffinity size 3", syscall(SYS_sched_getaffinity, 0, 3, &set));
    T("sched_getaffinity size 0", syscall(SYS_sched_getaffinity, 0, 0, &set));
    T("sched_getaffinity bad pointer", syscall(SYS_sched_getaffinity, 0, sizeof(set), BAD));
    T("sched_getaffinity no such pid", syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof(set), &set));

    int first = 0;
    while (!CPU_ISSET(first, &set))
        first++;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    T("sched_setaffinity to one cpu", syscall(SYS_sched_setaffinity, 0, sizeof(one), &one));
    unsigned cpu = 99999, node = 99999;
    T("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("getcpu is that cpu: %s, node < 1024: %s\n", yes((int)cpu == first), yes(node < 1024));
    T("sched_setaffinity restore", syscall(SYS_sched_setaffinity, 0, sizeof(set), &set));
    cpu_set_t empty;
    CPU_ZERO(&empty);
    T("sched_setaffinity empty set", syscall(SYS_sched_setaffinity, 0, sizeof(empty), &empty));
    T("sched_setaffinity bad pointer", syscall(SYS_sched_setaffinity, 0, sizeof(set), BAD));
    T("sched_setaffinity no such pid", syscall(SYS_sched_setaffinity, 0x3ffffff0, sizeof(set), &set));
    T("getcpu", syscall(SYS_getcpu, &cpu, NULL, NULL));
    printf("getcpu cpu < nproc: %s\n", yes(cpu < (unsigned)nconf));
    T("getcpu all NULL", syscall(SYS_getcpu, NULL, NULL, NULL));
    T("getcpu bad cpu pointer", syscall(SYS_getcpu, BAD, NULL, NULL));
    T("getcpu bad node pointer", syscall(SYS_getcpu, NULL, BAD, NULL));

    struct sysinfo si;
    T("sysinfo", syscall(SYS_sysinfo, &si));
    printf("sysinfo: uptime > 0 %s, totalram > 0 %s, freeram <= totalram %s, mem_unit >= 1 %s, "
           "procs >= 1 %s\n",
           yes(si.uptime > 0), yes(si.totalram > 0), yes(si.freeram <= si.totalram),
           yes(si.mem_unit >= 1), yes(si.procs >= 1));
    T("sysinfo bad pointer", syscall(SYS_sysinfo, BAD));
}

static int file_is(const char *path, const char *value)
{
    char buf[256] = { 0 };
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(buf, sizeof(buf), f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return ok && strcmp(buf, value) == 0;
}

static void uname_checks(void)
{
    struct utsname u;
    memset(&u, 0x55, sizeof(u));
    T("uname", syscall(SYS_uname, &u));
    printf("uname.sysname=%s uname.machine=%s\n", u.sysname, u.machine);
    printf("uname.release is /proc/sys/kernel/osrelease: %s\n", yes(file_is("/proc/sys/kernel/osrelease", u.release)));
    printf("uname.version is /proc/sys/kernel/version: %s\n", yes(file_is("/proc/sys/kernel/version", u.version)));
    printf("uname.nodename is /proc/sys/kernel/hostname: %s\n", yes(file_is("/proc/sys/kernel/hostname", u.nodename)));
    printf("uname.domainname is /proc/sys/kernel/domainname: %s\n",
           yes(file_is("/proc/sys/kernel/domainname", u.domainname)));
    char host[256];
    gethostname(host, sizeof(host));
    printf("gethostname is uname.nodename: %s\n", yes(strcmp(host, u.nodename) == 0));
    int terminated = 1;
    const char *fields[] = { u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname };
    for (int i = 0; i < 6; i++)
        terminated &= memchr(fields[i], 0, 65) != NULL;
    printf("every field NUL-terminated: %s\n", yes(terminated));
    T("uname bad pointer", syscall(SYS_uname, BAD));
}

// ---------------------------------------------------------------------------- ids

static void ids(const char *who)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    T("getresuid", syscall(SYS_getresuid, &r, &e, &s));
    T("getresgid", syscall(SYS_getresgid, &gr, &ge, &gs));
    printf("%s: uid 0: %s, getuid is real: %s, geteuid is effective: %s, saved is effective: %s\n",
           who, yes(r == 0), yes(syscall(SYS_getuid) == (long)r), yes(syscall(SYS_geteuid) == (long)e),
           yes(s == e));
    printf("%s: getgid is real: %s, getegid is effective: %s\n", who,
           yes(syscall(SYS_getgid) == (long)gr), yes(syscall(SYS_getegid) == (long)ge));
    T("getresuid bad pointer", syscall(SYS_getresuid, &r, BAD, &s));
    T("getresgid bad pointer", syscall(SYS_getresgid, BAD, &ge, &gs));
    gid_t groups[256];
    long n = syscall(SYS_getgroups, 0, NULL);
    printf("%s: getgroups(0) >= 0: %s\n", who, yes(n >= 0));
    T("getgroups(n)", syscall(SYS_getgroups, n, groups) == n);
    if (n >= 2)
        T("getgroups(n - 1)", syscall(SYS_getgroups, n - 1, groups));
    T("getgroups(-1)", syscall(SYS_getgroups, -1, groups));
    if (n >= 1)
        T("getgroups bad pointer", syscall(SYS_getgroups, n, BAD));
}

// Privileged calls as an unprivileged user: in a child, which gives up root if it has it.
static void unprivileged_child(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (syscall(SYS_geteuid) == 0) {
            // Raw syscalls: only this thread changes, and the child has no other.
            if (syscall(SYS_setgroups, 0, NULL) || syscall(SYS_setresgid, 65534, 65534, 65534) ||
                syscall(SYS_setresuid, 65534, 65534, 65534)) {
                printf("could not drop privileges\n");
                _exit(1);
            }
        }
        ids("unprivileged");
        gid_t g = 0;
        T("setgroups", syscall(SYS_setgroups, 1, &g));
        T("setgroups size 0", syscall(SYS_setgroups, 0, NULL));
        T("setuid 0", syscall(SYS_setuid, 0));
        T("setresgid 0", syscall(SYS_setresgid, 0, 0, 0));
        T("setuid to self", syscall(SYS_setuid, syscall(SYS_getuid)));
        struct rlimit r;
        syscall(SYS_getrlimit, RLIMIT_CORE, &r);
        r = (struct rlimit){ 0, 1 };
        T("setrlimit CORE lower hard to 1", syscall(SYS_setrlimit, RLIMIT_CORE, &r));
        r = (struct rlimit){ 0, 2 };
        T("setrlimit CORE raise hard", syscall(SYS_setrlimit, RLIMIT_CORE, &r));
        syscall(SYS_getrlimit, RLIMIT_NOFILE, &r);
        r.rlim_max = r.rlim_cur = 200;
        T("setrlimit NOFILE lower hard to 200", syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
        r.rlim_max = 201;
        T("setrlimit NOFILE raise hard", syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
        T("prlimit64 read init's limit", syscall(SYS_prlimit64, 1, RLIMIT_CORE, NULL, &r));
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("unprivileged child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void groups_as_root(void)
{
    if (syscall(SYS_geteuid) != 0) {
        printf("not root: setgroups left unchanged\n");
        return;
    }
    gid_t saved[256], set[3] = { 0, 1, 2 }, got[8];
    long n = syscall(SYS_getgroups, 256, saved);
    T("setgroups {0, 1, 2}", syscall(SYS_setgroups, 3, set));
    T("getgroups(0)", syscall(SYS_getgroups, 0, NULL));
    T("getgroups(2)", syscall(SYS_getgroups, 2, got));
    T("getgroups(3)", syscall(SYS_getgroups, 3, got));
    printf("groups: %u %u %u\n", got[0], got[1], got[2]);
    T("setgroups -1", syscall(SYS_setgroups, -1, set));
    T("setgroups 65537", syscall(SYS_setgroups, 65537, set));
    T("setgroups bad pointer", syscall(SYS_setgroups, 1, BAD));
    T("setgroups restore", n >= 0 ? syscall(SYS_setgroups, n, saved) : -1);
}

int main(void)
{
    printf("== usage\n");
    usage();
    printf("== limits\n");
    limits();
    printf("== cpus and system\n");
    cpus_and_system();
    printf("== uname\n");
    uname_checks();
    printf("== ids\n");
    ids("self");
    groups_as_root();
    unprivileged_child();
    return 0;
}
