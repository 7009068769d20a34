/* Fault-safe access to app memory. Each routine publishes a fixup address in the TCB
 * (%gs:TCB_OFF_FAULT_FIXUP) for its duration; asis's host SIGSEGV/SIGBUS handler sends
 * a fault whose rip lies in [usercopy_start, usercopy_end) there, so a bad app pointer
 * becomes -EFAULT instead of a crash (DESIGN invariant 4). */
#include "tcb.h"
#define EFAULT 14

    .text
    .globl usercopy_start, usercopy_end
    .hidden usercopy_start, usercopy_end
usercopy_start:

/* long copy_from_app(void *dst, const void *app_src, size_t n) -> 0 or -EFAULT
 * long copy_to_app(void *app_dst, const void *src, size_t n)   -> 0 or -EFAULT */
    .globl copy_from_app, copy_to_app
    .hidden copy_from_app, copy_to_app
    .type copy_from_app, @function
    .type copy_to_app, @function
copy_from_app:
copy_to_app:
    lea .Lfault(%rip), %rax
    mov %rax, %gs:TCB_OFF_FAULT_FIXUP
    mov %rdx, %rcx
    rep movsb
    movq $0, %gs:TCB_OFF_FAULT_FIXUP
    xor %eax, %eax
    ret

/* long copy_str_from_app(char *dst, const char *app_src, size_t size)
 * Copies a NUL-terminated string; returns its length, -ENAMETOOLONG-like -1 if no NUL
 * within size bytes (dst then holds size bytes, not terminated), or -EFAULT. */
    .globl copy_str_from_app
    .hidden copy_str_from_app
    .type copy_str_from_app, @function
copy_str_from_app:
    lea .Lfault(%rip), %rax
    mov %rax, %gs:TCB_OFF_FAULT_FIXUP
    xor %eax, %eax
1:  cmp %rdx, %rax
    jae 2f
    movzbl (%rsi,%rax), %ecx
    mov %cl, (%rdi,%rax)
    test %cl, %cl
    jz 3f
    inc %rax
    jmp 1b
2:  mov $-1, %rax
3:  movq $0, %gs:TCB_OFF_FAULT_FIXUP
    ret

.Lfault:
    movq $0, %gs:TCB_OFF_FAULT_FIXUP
    mov $-EFAULT, %rax
    ret
usercopy_end:
    .section .note.GNU-stack,"",@progbits
