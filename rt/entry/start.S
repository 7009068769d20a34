/* Process entry of the runtime (the kernel starts asis-rt here) and the jump into the
 * app. */
    .text
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined rip
    xor %ebp, %ebp
    mov %rsp, %rdi            /* argc, argv, envp, auxv as the kernel laid them out */
    and $-16, %rsp
    call rt_start             /* rt/entry/boot.c; never returns */
    ud2
    .cfi_endproc

/* noreturn void enter_app(uintptr_t entry, uintptr_t sp)
 * Starts the app at its ELF entry with the registers a fresh Linux process has: rsp at
 * argc, every other GPR zero (rdx = 0 means "no rtld_fini" to the app's _start). */
    .globl enter_app
    .hidden enter_app
    .type enter_app, @function
enter_app:
    mov %rsi, %rsp
    push %rdi                 /* below argc: a slot the app may overwrite freely */
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    ret
    .size enter_app, .-enter_app
    .section .note.GNU-stack,"",@progbits
