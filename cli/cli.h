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

/* The file-system view options of `asis run` (cli/view_options.c). */
#define VIEW_OPTIONS_MAX 20
struct view_mount {
    char kind_flags_guest[4200]; /* "KIND:FLAGS:GUEST" of --mount= (launch_plan.h) */
    const char *host;            /* NULL for a tmpfs until view_options_finish */
};
struct view_options {
    const char *root;      /* --root, canonical; NULL: the host's / */
    const char *start_dir; /* --cwd */
    int count;
    struct view_mount mounts[VIEW_OPTIONS_MAX];
    int tmpfs_count;
    char *tmpfs_dirs[VIEW_OPTIONS_MAX]; /* made by view_options_finish */
};
/* Returns 1 if arg is a view option (then *status is 0, or an exit status after an
 * error message), else 0. */
int view_option_parse(struct view_options *v, const char *arg, int *status);
/* The full mount list of the launch plan, making the tmpfs directories. 0 or an exit
 * status. */
int view_options_finish(struct view_options *v, struct view_mount **all, int *count);
/* Starts a process that removes the tmpfs directories when this process (which
 * becomes the runtime and the app) has ended, however it ends (cli/tmpfs_cleaner.c). */
int tmpfs_cleaner_start(char *const dirs[], int count);

#endif
