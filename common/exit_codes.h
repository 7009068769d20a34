/* Exit statuses of `asis` itself, distinct from each other so scripts can tell what
 * went wrong. An app's own exit status passes through unchanged; these are used only
 * when asis refuses to start the app or fails before it runs. */
#ifndef ASIS_EXIT_CODES_H
#define ASIS_EXIT_CODES_H

#define ASIS_EXIT_INTERNAL 120    /* asis could not start (runtime missing, host too old) */
#define ASIS_EXIT_NOT_ELF 121     /* the file is not an ELF file (and not a #! script) */
#define ASIS_EXIT_BAD_ELF 122     /* truncated or corrupt ELF */
#define ASIS_EXIT_WRONG_ARCH 123  /* not x86-64, not 64-bit, not little endian */
#define ASIS_EXIT_UNSUPPORTED 124 /* a valid ELF that asis cannot run yet (dynamic, ET_REL) */
#define ASIS_EXIT_USAGE 125       /* bad command line */
#define ASIS_EXIT_NOT_EXEC 126    /* not executable: permission, directory */
#define ASIS_EXIT_NOT_FOUND 127   /* no such file */

#endif
