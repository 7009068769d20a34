/* Turning interception on (see trap_setup.h). */
#include "pal/trap_setup.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "pal/host.h"

enum trap_mode g_trap_mode = TRAP_SUD;
int g_seccomp_inherited;

/* SUD compares the address after the syscall instruction with [start, start+len). */
static int sud_enable(void)
{
    return (int)host_syscall5(__NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
                              pal_gate_start, pal_gate_end - pal_gate_start, 0);
}

/* A filter that allows a syscall only when the instruction pointer (the address after
 * the syscall instruction) lies in the gate, and makes every other one SIGSYS. */
static int seccomp_install(void)
{
    uintptr_t lo = (uintptr_t)pal_gate_start, hi = (uintptr_t)pal_gate_end;
    if ((lo >> 32) != (hi >> 32))
        return -EINVAL; /* the filter compares the low halves only */
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
    /* Started by an asis app under seccomp: its filter is inherited and, with address
     * randomisation off, already names this runtime's gate. */
    if (g_seccomp_inherited)
        return host_syscall5(__NR_prctl, PR_GET_SECCOMP, 0, 0, 0, 0) == 2 ? 0 : -EINVAL;
    long r = host_syscall5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (r < 0)
        return (int)r;
    return (int)host_syscall3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int trap_enable_process(void)
{
    return g_trap_mode == TRAP_SECCOMP ? seccomp_install() : sud_enable();
}

int trap_enable_thread(void)
{
    /* Seccomp filters are inherited by new threads; SUD is not. */
    return g_trap_mode == TRAP_SECCOMP ? 0 : sud_enable();
}
