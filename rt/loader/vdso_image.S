/* asis's vDSO image (rt/vdso, built as $(VDSO_SO) by the Makefile), carried read-only in
 * the runtime; rt/loader/vdso_map.c copies it into each app. */
    .section .rodata.asis_vdso, "a"
    .balign 4096
    .globl asis_vdso_image
    .hidden asis_vdso_image
asis_vdso_image:
    .incbin ASIS_VDSO_SO
    .globl asis_vdso_image_end
    .hidden asis_vdso_image_end
asis_vdso_image_end:
    .section .note.GNU-stack, "", @progbits
