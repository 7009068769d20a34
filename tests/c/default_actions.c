// The default action of each signal, seen from the parent with waitpid: terminating and
// core-dumping signals kill (a child sends itself each with kill, some also with tgkill
// or from the parent; RLIMIT_CORE is 0 so that no core file is written, and whether one
// would have been is not printed); SIGCHLD, SIGURG, SIGWINCH and SIGCONT are ignored; a
// blocked fatal signal waits for the unblock (and one sent to a stopped process for
// SIGCONT), an ignored one is discarded; SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU stop and
// SIGCONT continues (WUNTRACED, WCONTINUED, waitid); the SIGCHLD siginfo of each child
// event, SA_NOCLDSTOP, SA_NOCLDWAIT and an ignored SIGCHLD; SIG_IGN and handlers across
// fork, and across execve SIG_IGN, the mask and pending signals are kept while handlers
// become SIG_DFL.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/outcome.h"
#include "lib/test_util.h"

static const char *sig_name(int sig)
{
    static char buf[4][16];
    static int next;
    char *b = buf[next++ % 4];
    if (sig >= 32 && sig <= 64)
        snprintf(b, 16, "signal %d", sig);
    else
        snprintf(b, 16, "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    return b;
}

static const char *status_text(int status)
{
    static char buf[64];
    if (WIFEXITED(status))
        snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof(buf), "killed by %s", sig_name(WTERMSIG(status)));
    else if (WIFSTOPPED(status))
        snprintf(buf, sizeof(buf), "stopped by %s", sig_name(WSTOPSIG(status)));
    else if (WIFCONTINUED(status))
        snprintf(buf, sizeof(buf), "continued");
    else
        snprintf(buf, sizeof(buf), "status %#x", status);
    return buf;
}

static pid_t fork_child(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

static void unblock_all(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static int reap(pid_t pid)
{
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    return status;
}

// ---------------------------------------------------------------------------- kill self

enum how { BY_KILL, BY_TGKILL };

// A child sends itself sig and, if it lives, exits 99.
static void self_sent(int sig, enum how how)
{
    pid_t pid = fork_child();
    if (pid == 0) {
        signal(sig, SIG_DFL);
        unblock_all();
        if (how == BY_KILL)
            syscall(SYS_kill, getpid(), sig);
        else
            syscall(SYS_tgkill, getpid(), gettid(), sig);
        _exit(99);
    }
    printf("%s %s: %s\n", how == BY_KILL ? "kill(self," : "tgkill(self,", sig_name(sig),
           status_text(reap(pid)));
}

// A child waits in pause(); the parent sends it sig.
static void parent_sent(int sig)
{
    int ready[2];
    if (pipe(ready) != 0)
        die("pipe");
    pid_t pid = fork_child();
    if (pid == 0) {
        signal(sig, SIG_DFL);
        unblock_all();
        close(ready[0]);
        close(ready[1]); // tells the parent we are about to wait
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 0)
        die("read");
    close(ready[0]);
    syscall(SYS_kill, pid, sig);
    printf("kill(child in pause, %s): %s\n", sig_name(sig), status_text(reap(pid)));
}

// ---------------------------------------------------------------------------- blocked

// A child blocks (or ignores) sig, sends it to itself, reports that it lives through a
// pipe, then unblocks it (or restores SIG_DFL: an ignored signal is discarded at once).
static void blocked_or_ignored(int sig, int ignore)
{
    int alive[2];
    if (pipe(alive) != 0)
        die("pipe");
    pid_t pid = fork_child();
    if (pid == 0) {
        close(alive[0]);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, sig);
        if (ignore)
            signal(sig, SIG_IGN);
        else
            sigprocmask(SIG_BLOCK, &s, NULL);
        syscall(SYS_kill, getpid(), sig);
        if (write(alive[1], "a", 1) != 1)
            _exit(98);
        if (ignore)
            signal(sig, SIG_DFL);
        else
            sigprocmask(SIG_UNBLOCK, &s, NULL);
        _exit(0);
    }
    close(alive[1]);
    char c;
    int lived = read(alive[0], &c, 1) == 1;
    close(alive[0]);
    printf("%s %s: alive after kill(self): %s, then %s\n", ignore ? "ignored" : "blocked",
           sig_name(sig), yes(lived), status_text(reap(pid)));
}

// ---------------------------------------------------------------------------- stop/cont

static void on_cont(int sig) { (void)sig; }

static void stop_and_continue(void)
{
    printf("-- stop and continue\n");
    int ready[2];
    if (pipe(ready) != 0)
        die("pipe");
    pid_t pid = fork_child();
    if (pid == 0) {
        // Own process group, whose parent (us) is in another group of the session:
        // not orphaned, so SIGTSTP, SIGTTIN and SIGTTOU are not discarded.
        setpgid(0, 0);
        unblock_all();
        close(ready[0]);
        close(ready[1]);
        for (;;)
            pause();
    }
    setpgid(pid, pid); // whichever of us comes first
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 0)
        die("read");
    close(ready[0]);

    int stops[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
    for (int i = 0; i < 4; i++) {
        int status;
        syscall(SYS_kill, pid, stops[i]);
        waitpid(pid, &status, WUNTRACED);
        printf("after kill(child, %s): %s\n", sig_name(stops[i]), status_text(status));
        T("waitpid WNOHANG|WUNTRACED again", waitpid(pid, &status, WNOHANG | WUNTRACED));
        syscall(SYS_kill, pid, SIGCONT);
        waitpid(pid, &status, WCONTINUED);
        printf("after kill(child, SIGCONT): %s\n", status_text(status));
    }

    // waitid sees the same events, and WNOWAIT leaves them to be collected again.
    syscall(SYS_kill, pid, SIGSTOP);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    printf("waitid WSTOPPED|WNOWAIT: si_code %s, si_status %s, si_pid the child: %s\n",
           si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", sig_name(si.si_status),
           yes(si.si_pid == pid));
    memset(&si, 0, sizeof(si));
    waitid(P_PID, pid, &si, WSTOPPED);
    printf("waitid WSTOPPED again: si_code %s, si_status %s\n",
           si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", sig_name(si.si_status));
    memset(&si, 0, sizeof(si));
    T("waitid WSTOPPED|WNOHANG finds the collected stop again",
      waitid(P_PID, pid, &si, WSTOPPED | WNOHANG) == 0 ? si.si_pid == pid : -1);
    syscall(SYS_kill, pid, SIGCONT);
    memset(&si, 0, sizeof(si));
    waitid(P_PID, pid, &si, WCONTINUED);
    printf("waitid WCONTINUED: si_code %s, si_status %s\n",
           si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", sig_name(si.si_status));

    // A fatal signal (but SIGKILL) to a stopped process waits for SIGCONT.
    int status;
    syscall(SYS_kill, pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    printf("stopped again: %s\n", status_text(status));
    syscall(SYS_kill, pid, SIGTERM);
    sleep_ms(50);
    T("after kill(stopped child, SIGTERM), waitpid WNOHANG", waitpid(pid, &status, WNOHANG));
    syscall(SYS_kill, pid, SIGCONT);
    printf("after SIGCONT: %s\n", status_text(reap(pid)));

    // A process can stop itself; a handler for SIGCONT runs when it is continued.
    int cont[2];
    if (pipe(cont) != 0)
        die("pipe");
    pid = fork_child();
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGCONT, on_cont);
        unblock_all();
        syscall(SYS_kill, getpid(), SIGSTOP);
        // Here only after SIGCONT, whose handler has run.
        _exit(write(cont[1], "c", 1) == 1 ? 5 : 6);
    }
    setpgid(pid, pid);
    waitpid(pid, &status, WUNTRACED);
    printf("kill(self, SIGSTOP): %s\n", status_text(status));
    syscall(SYS_kill, pid, SIGCONT);
    printf("after SIGCONT: %s\n", status_text(reap(pid)));
    close(cont[0]);
    close(cont[1]);

    // SIGKILL ends a stopped process too.
    pid = fork_child();
    if (pid == 0) {
        setpgid(0, 0);
        syscall(SYS_kill, getpid(), SIGSTOP);
        _exit(7);
    }
    setpgid(pid, pid);
    waitpid(pid, &status, WUNTRACED);
    syscall(SYS_kill, pid, SIGKILL);
    printf("SIGKILL to a stopped child: %s\n", status_text(reap(pid)));
}

// ---------------------------------------------------------------------------- SIGCHLD

static atomic_int chld_count;
static siginfo_t chld_info;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_info = *si;
    atomic_fetch_add(&chld_count, 1);
}

static const char *cld_code(int code)
{
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

// Waits (at most 2 s; 100 ms if none is expected) for the SIGCHLD handler to run once
// more than `before` and prints what it saw.
static void show_sigchld(const char *what, int before, pid_t child, int expected)
{
    for (int i = 0; i < (expected ? 2000 : 100) && atomic_load(&chld_count) == before; i++)
        sleep_ms(1);
    int n = atomic_load(&chld_count) - before;
    if (n == 0) {
        printf("%s: no SIGCHLD\n", what);
        return;
    }
    siginfo_t si = chld_info;
    printf("%s: SIGCHLD x%d, si_code %s, si_status ", what, n, cld_code(si.si_code));
    if (si.si_code == CLD_EXITED)
        printf("%d", si.si_status);
    else
        printf("%s", sig_name(si.si_status));
    printf(", si_pid the child: %s, si_uid ours: %s\n", yes(si.si_pid == child),
           yes(si.si_uid == getuid()));
}

static void sigchld_info(void)
{
    printf("-- SIGCHLD\n");
    struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);

    int before = atomic_load(&chld_count);
    pid_t pid = fork_child();
    if (pid == 0)
        _exit(42);
    show_sigchld("child exits 42", before, pid, 1);
    reap(pid);

    int ready[2];
    if (pipe(ready) != 0)
        die("pipe");
    pid = fork_child();
    if (pid == 0) {
        setpgid(0, 0);
        close(ready[0]);
        close(ready[1]);
        for (;;)
            pause();
    }
    setpgid(pid, pid);
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 0)
        die("read");
    close(ready[0]);
    int status;
    before = atomic_load(&chld_count);
    syscall(SYS_kill, pid, SIGSTOP);
    show_sigchld("child stopped", before, pid, 1);
    waitpid(pid, &status, WUNTRACED);
    before = atomic_load(&chld_count);
    syscall(SYS_kill, pid, SIGCONT);
    show_sigchld("child continued", before, pid, 1);
    waitpid(pid, &status, WCONTINUED);

    sa.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    before = atomic_load(&chld_count);
    syscall(SYS_kill, pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    printf("with SA_NOCLDSTOP: child %s\n", status_text(status));
    show_sigchld("with SA_NOCLDSTOP, child stopped", before, pid, 0);
    before = atomic_load(&chld_count);
    syscall(SYS_kill, pid, SIGCONT);
    waitpid(pid, &status, WCONTINUED);
    show_sigchld("with SA_NOCLDSTOP, child continued", before, pid, 0);
    before = atomic_load(&chld_count);
    syscall(SYS_kill, pid, SIGTERM);
    show_sigchld("child killed by SIGTERM", before, pid, 1);
    reap(pid);

    // SA_NOCLDWAIT: no zombie, so nothing to wait for; the handler still runs.
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    before = atomic_load(&chld_count);
    pid = fork_child();
    if (pid == 0)
        _exit(3);
    T("with SA_NOCLDWAIT, wait4", syscall(SYS_wait4, -1, NULL, 0, NULL));
    show_sigchld("with SA_NOCLDWAIT, child exits 3", before, pid, 1);

    // SIGCHLD ignored: the same, without a handler.
    signal(SIGCHLD, SIG_IGN);
    pid = fork_child();
    if (pid == 0)
        _exit(4);
    T("with SIGCHLD ignored, wait4", syscall(SYS_wait4, -1, NULL, 0, NULL));
    signal(SIGCHLD, SIG_DFL);
}

// ---------------------------------------------------------------------------- inheritance

static atomic_int usr2_count;

static void on_usr2(int sig)
{
    (void)sig;
    atomic_fetch_add(&usr2_count, 1);
}

static const char *disposition(int sig)
{
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0)
        return "error";
    if (old.sa_handler == SIG_IGN)
        return "SIG_IGN";
    if (old.sa_handler == SIG_DFL)
        return "SIG_DFL";
    return old.sa_handler == on_usr2 ? "our handler" : "another handler";
}

// After execve (argv[1] == "exec-child"): what was kept.
static int exec_child(void)
{
    printf("after execve: SIGUSR1 %s, SIGUSR2 %s, SIGTERM %s\n", disposition(SIGUSR1),
           disposition(SIGUSR2), disposition(SIGTERM));
    sigset_t mask, pending;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pending);
    printf("after execve: SIGWINCH blocked %s, SIGHUP blocked %s, SIGHUP pending %s\n",
           yes(sigismember(&mask, SIGWINCH)), yes(sigismember(&mask, SIGHUP)),
           yes(sigismember(&pending, SIGHUP)));
    fflush(stdout);
    // The pending SIGHUP has its default action once unblocked.
    unblock_all();
    return 0;
}

static void inheritance(char *self)
{
    printf("-- fork and execve\n");
    signal(SIGUSR1, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    pid_t pid = fork_child();
    if (pid == 0) {
        printf("child: SIGUSR1 %s, SIGUSR2 %s, SIGTERM %s\n", disposition(SIGUSR1),
               disposition(SIGUSR2), disposition(SIGTERM));
        syscall(SYS_kill, getpid(), SIGUSR1);
        syscall(SYS_kill, getpid(), SIGTERM);
        syscall(SYS_kill, getpid(), SIGUSR2);
        printf("child: alive after SIGUSR1 and SIGTERM, handler ran for SIGUSR2: %s\n",
               yes(atomic_load(&usr2_count) == 1));
        fflush(stdout);
        _exit(0);
    }
    printf("child: %s\n", status_text(reap(pid)));

    pid = fork_child();
    if (pid == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGWINCH);
        sigaddset(&s, SIGHUP);
        sigprocmask(SIG_BLOCK, &s, NULL);
        syscall(SYS_kill, getpid(), SIGHUP);
        char *argv[] = { self, "exec-child", NULL };
        execv("/proc/self/exe", argv);
        _exit(97);
    }
    printf("exec'd child: %s\n", status_text(reap(pid)));
    signal(SIGUSR1, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

// ---------------------------------------------------------------------------- main

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
        return exec_child();

    struct rlimit no_core = { 0, 0 };
    if (setrlimit(RLIMIT_CORE, &no_core) != 0)
        die("setrlimit");

    printf("-- terminate and core\n");
    int fatal[] = { SIGHUP,  SIGINT,  SIGQUIT,   SIGILL,  SIGTRAP, SIGABRT,     SIGBUS,
                    SIGFPE,  SIGKILL, SIGUSR1,   SIGSEGV, SIGUSR2, SIGPIPE,     SIGALRM,
                    SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,   SIGIO,
                    SIGPWR,  SIGSYS,  32,        33,      34,      35,          50,
                    64 };
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
        self_sent(fatal[i], BY_KILL);
    // The signals asis uses itself, sent (not raised by a fault) to one thread.
    int owned[] = { SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS, SIGTERM };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
        self_sent(owned[i], BY_TGKILL);
    int from_parent[] = { SIGTERM, SIGSEGV, SIGSYS, SIGKILL, SIGQUIT, 40 };
    for (size_t i = 0; i < sizeof(from_parent) / sizeof(from_parent[0]); i++)
        parent_sent(from_parent[i]);

    printf("-- ignored by default\n");
    int ignored[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        self_sent(ignored[i], BY_KILL);

    printf("-- blocked or ignored fatal signals\n");
    blocked_or_ignored(SIGTERM, 0);
    blocked_or_ignored(SIGSEGV, 0);
    blocked_or_ignored(SIGSYS, 0);
    blocked_or_ignored(SIGRTMIN, 0);
    blocked_or_ignored(SIGKILL, 0); // cannot be blocked
    blocked_or_ignored(SIGTERM, 1);
    blocked_or_ignored(SIGSEGV, 1);
    T("sigaction(SIGKILL, SIG_IGN)", sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL));
    T("sigaction(SIGSTOP, SIG_IGN)", sigaction(SIGSTOP, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL));

    stop_and_continue();
    sigchld_info();
    inheritance(argv[0]);
    return 0;
}
