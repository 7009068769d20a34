/* The gate: the only host SYSCALL instructions in asis. Syscall User Dispatch and the
 * seccomp filter let through exactly the syscalls issued from [pal_gate_start,
 * pal_gate_end); every other syscall traps. scripts/check-runtime.sh fails the build if
 * a syscall instruction appears anywhere else. */

#include <asm/unistd.h>
#include "tcb.h"
#include "libos/patch.h"

    .text
    .globl pal_gate_start, pal_gate_end
    .hidden pal_gate_start, pal_gate_end
    .balign 64
pal_gate_start:

/* long pal_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
 * in:  rdi=nr rsi=a1 rdx=a2 rcx=a3 r8=a4 r9=a5 8(%rsp)=a6
 * out: rax = result or -errno; clobbers rcx, r11 (the SYSCALL instruction does). */
    .globl pal_syscall6
    .hidden pal_syscall6
    .type pal_syscall6, @function
pal_syscall6:
    .cfi_startproc
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    mov 8(%rsp), %r9
    syscall
    ret
    .cfi_endproc
    .size pal_syscall6, .-pal_syscall6

/* long pal_syscall6_intr(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
 * pal_syscall6 for a call that may block, made interruptible: the host mask is
 * %gs:TCB_OFF_WINDOW_MASK from the unblock to the end of the call, and the mask the caller
 * had is restored after. A signal arriving in between runs asis's on_async, which finds
 * rip in [pal_window_start, pal_window_end), notes the signal in the TCB and sends the
 * thread to pal_window_end with rax set: the call's result, or -ERESTART* when it was not
 * made or was rolled back (rt/entry/host_signals.c). rcx is zeroed before the SYSCALL so
 * that a rolled-back call (rcx = pal_window_end, set by SYSCALL) can be told from one never
 * started. Between pal_window_end and pal_window_closed the result is kept as it is. If a signal was already taken in this trap, returns -ERESTARTNOINTR at once. */
    .globl pal_syscall6_intr, pal_window_start, pal_window_syscall, pal_window_end
    .globl pal_window_closed
    .hidden pal_syscall6_intr, pal_window_start, pal_window_syscall, pal_window_end
    .hidden pal_window_closed
    .type pal_syscall6_intr, @function
pal_syscall6_intr:
    .cfi_startproc
    push %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset rbp, -16
    mov %rsp, %rbp
    .cfi_def_cfa_register rbp
    push %rdi                 /* -8:  nr */
    push %rsi                 /* -16: a1 */
    push %rdx                 /* -24: a2 */
    push %rcx                 /* -32: a3 */
    push %r8                  /* -40: a4 */
    push %r9                  /* -48: a5 */
    sub $16, %rsp             /* -64: the caller's mask */
    cmpl $0, %gs:TCB_OFF_SIG_TAKEN
    jne 2f
    mov $14, %eax             /* rt_sigprocmask(SIG_SETMASK, window, &old, 8) */
    mov $2, %edi
    mov %gs:TCB_OFF_SELF, %rsi
    add $TCB_OFF_WINDOW_MASK, %rsi
    lea -64(%rbp), %rdx
    mov $8, %r10d
    syscall
pal_window_start:
    mov -8(%rbp), %rax
    mov -16(%rbp), %rdi
    mov -24(%rbp), %rsi
    mov -32(%rbp), %rdx
    mov -40(%rbp), %r10
    mov -48(%rbp), %r8
    mov 16(%rbp), %r9
    xor %ecx, %ecx
pal_window_syscall:
    syscall
pal_window_end:
    mov %rax, -8(%rbp)
    mov $14, %eax             /* rt_sigprocmask(SIG_SETMASK, &old, 0, 8) */
    mov $2, %edi
    lea -64(%rbp), %rsi
    xor %edx, %edx
    mov $8, %r10d
    syscall
pal_window_closed:            /* a signal up to here is taken, the result kept */
    mov -8(%rbp), %rax
1:  leave
    .cfi_def_cfa rsp, 8
    ret
2:  mov $-513, %rax           /* -ERESTARTNOINTR */
    jmp 1b
    .cfi_endproc
    .size pal_syscall6_intr, .-pal_syscall6_intr

/* The PASS trampoline. A passed-through call that may block is not made inside the trap:
 * the trap returns (its host rt_sigreturn restores the app's registers and unblocks the
 * app's signals in one step) to pal_pass_syscall with rax = the syscall number, so the
 * call runs with the app's registers, mask and stack, as natively, and costs no window.
 * Afterwards rcx = the app's return address, as the app's own SYSCALL left it; r11 holds
 * the flags as SYSCALL leaves them. on_async turns a signal that lands here into one that
 * landed in the app at its syscall (rt/entry/host_signals.c). */
    .globl pal_pass_syscall, pal_pass_after, pal_pass_end
    .hidden pal_pass_syscall, pal_pass_after, pal_pass_end
pal_pass_syscall:
    syscall
pal_pass_after:
    mov %gs:TCB_OFF_PASS_RET, %rcx
    jmp *%rcx
pal_pass_end:

    .globl pal_patch_entry, pal_patch_e_saved, pal_patch_e_block, pal_patch_e_exit
    .globl pal_patch_e_jmp, pal_patch_e_end, pal_patch_settle
    .hidden pal_patch_entry, pal_patch_e_saved, pal_patch_e_block, pal_patch_e_exit
    .hidden pal_patch_e_jmp, pal_patch_e_end, pal_patch_settle
#include "pal/patch_entry.inc"

/* The restorer of every asis host signal handler: the kernel returns here from the
 * handler with rsp just past the frame's return address, i.e. at the ucontext. */
    .globl pal_sigreturn
    .hidden pal_sigreturn
    .type pal_sigreturn, @function
pal_sigreturn:
    mov $15, %eax
    syscall
    ud2
    .size pal_sigreturn, .-pal_sigreturn

/* noreturn void pal_resume_context(struct host_ucontext *uc)
 * Loads a whole register state (GPRs, flags, FP/vector state, signal mask, sigaltstack)
 * from a ucontext built by asis, with rt_sigreturn: how a new thread first enters the
 * app with its parent's registers. */
    .globl pal_resume_context
    .hidden pal_resume_context
    .type pal_resume_context, @function
pal_resume_context:
    mov %rdi, %rsp
    mov $15, %eax
    syscall
    ud2
    .size pal_resume_context, .-pal_resume_context

/* long pal_clone_thread(unsigned long flags, void *child_sp, int *ptid, int *ctid,
 *                       unsigned long tls, void (*fn)(void *), void *arg)
 * in: rdi=flags rsi=child_sp rdx=ptid rcx=ctid r8=tls r9=fn 8(%rsp)=arg
 * The child starts on child_sp and calls fn(arg), which must not return. The parent
 * gets the child's tid or -errno. */
    .globl pal_clone_thread
    .hidden pal_clone_thread
    .type pal_clone_thread, @function
pal_clone_thread:
    .cfi_startproc
    mov 8(%rsp), %rax
    and $-16, %rsi
    sub $16, %rsi
    mov %r9, 0(%rsi)          /* child's fn */
    mov %rax, 8(%rsi)         /* child's arg */
    mov %rcx, %r10            /* kernel order: flags, newsp, ptid, ctid, tls */
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    /* child, on its own stack */
    .cfi_undefined rip
    xor %ebp, %ebp
    pop %rax                  /* fn */
    pop %rdi                  /* arg */
    call *%rax
    ud2
1:  ret
    .cfi_endproc
    .size pal_clone_thread, .-pal_clone_thread

/* long pal_fork(void): a fork whose child returns 0 on the same stack. */
    .globl pal_fork
    .hidden pal_fork
    .type pal_fork, @function
pal_fork:
    mov $56, %eax
    mov $17, %edi             /* SIGCHLD */
    xor %esi, %esi
    xor %edx, %edx
    xor %r10d, %r10d
    xor %r8d, %r8d
    syscall
    ret
    .size pal_fork, .-pal_fork

/* The clock calls of asis's vDSO where the host's vDSO functions cannot serve them
 * (--rdtsc=emulate, no host vDSO; rt/loader/vdso_map.c): app code, called by the vDSO on
 * the app's thread and stack with the app's signal mask, whose syscall the host runs
 * directly (it is in the gate). These five are PASS calls: asis would make the same host
 * call for them. A signal landing here is the app's, as in any vDSO
 * (rt/entry/host_signals.c). Arguments are already where SYSCALL wants them (at most
 * three, none in rcx); the result is 0, the time, or -errno, as the vDSO's contract. */
    .globl pal_vdso_calls_start, pal_vdso_calls_end
    .hidden pal_vdso_calls_start, pal_vdso_calls_end
    .globl pal_vdso_clock_gettime, pal_vdso_gettimeofday, pal_vdso_time
    .globl pal_vdso_getcpu, pal_vdso_clock_getres
    .hidden pal_vdso_clock_gettime, pal_vdso_gettimeofday, pal_vdso_time
    .hidden pal_vdso_getcpu, pal_vdso_clock_getres
pal_vdso_calls_start:
    .type pal_vdso_clock_gettime, @function
pal_vdso_clock_gettime:
    mov $__NR_clock_gettime, %eax
    syscall
    ret
    .size pal_vdso_clock_gettime, .-pal_vdso_clock_gettime
    .type pal_vdso_gettimeofday, @function
pal_vdso_gettimeofday:
    mov $__NR_gettimeofday, %eax
    syscall
    ret
    .size pal_vdso_gettimeofday, .-pal_vdso_gettimeofday
    .type pal_vdso_time, @function
pal_vdso_time:
    mov $__NR_time, %eax
    syscall
    ret
    .size pal_vdso_time, .-pal_vdso_time
    .type pal_vdso_getcpu, @function
pal_vdso_getcpu:
    mov $__NR_getcpu, %eax
    syscall
    ret
    .size pal_vdso_getcpu, .-pal_vdso_getcpu
    .type pal_vdso_clock_getres, @function
pal_vdso_clock_getres:
    mov $__NR_clock_getres, %eax
    syscall
    ret
    .size pal_vdso_clock_getres, .-pal_vdso_clock_getres
pal_vdso_calls_end:

    /* Padding: SUD compares the address *after* a syscall against the range, so the
     * range ends past the last syscall instruction. */
    int3
    int3
pal_gate_end:
    .section .note.GNU-stack,"",@progbits
