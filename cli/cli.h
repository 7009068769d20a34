/* The asis front end: subcommands and what they share. */
#ifndef ASIS_CLI_H
#define ASIS_CLI_H

#define ASIS_VERSION "0.1.0"

/* Prints "asis: <message>" to stderr. */
__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);

int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

/* The program to run, found, opened and checked (cli/program.c). */
struct program {
    const char *path; /* as found: the user's word, or PATH entry + word */
    int fd;           /* open read-only on the file that was checked */
};

/* Finds name (a path, or a word searched in $PATH as a shell would), checks that it is
 * an executable the runtime can load, and opens it. On failure prints one message and
 * returns the asis exit status (common/exit_codes.h); 0 on success. */
int program_open(const char *name, struct program *out);

#endif
