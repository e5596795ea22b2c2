/*
 * cmd.h: the command table and helpers shared by the cli_*.c files.
 * The CLI uses only <spoor/spoor.h>: it parses arguments, calls the
 * library and prints. Exit status: 0 ok, 1 error, 2 bad usage.
 */
#ifndef SPOOR_CLI_CMD_H
#define SPOOR_CLI_CMD_H

#include <stdio.h>

#include <spoor/spoor.h>

/* A macro's value as a string literal (a default in a help line). */
#define SPOOR_STR_(x) #x
#define SPOOR_STR(x) SPOOR_STR_(x)

#define CLI_OK 0
#define CLI_ERROR 1
#define CLI_USAGE 2
#define CLI_FAIL_ON 3 /* check --fail-on: an item had such a verdict */

/* SPOOR_TRY for the CLI (error, done: as in the library). */
#define SPOOR_CLI_TRY(expr)                                                    \
    do {                                                                       \
        if ((error = (expr)) < 0)                                              \
            goto done;                                                         \
    } while (0)

typedef struct cli_global {
    const char *index; /* resolved index path */
} cli_global;

typedef int (*cli_cmd_fn)(int argc, char **argv, const cli_global *g);

typedef struct cli_cmd {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} cli_cmd;

int cmd_add(int argc, char **argv, const cli_global *g);
int cmd_check(int argc, char **argv, const cli_global *g);
int cmd_diff(int argc, char **argv, const cli_global *g);
int cmd_show(int argc, char **argv, const cli_global *g);
int cmd_collections(int argc, char **argv, const cli_global *g);
int cmd_event(int argc, char **argv, const cli_global *g);
int cmd_stats(int argc, char **argv, const cli_global *g);
int cmd_keys(int argc, char **argv, const cli_global *g);
int cmd_optimize(int argc, char **argv, const cli_global *g);
int cmd_push(int argc, char **argv, const cli_global *g);
int cmd_thread(int argc, char **argv, const cli_global *g);
int cmd_overlap(int argc, char **argv, const cli_global *g);
int cmd_timeline(int argc, char **argv, const cli_global *g);
int cmd_verify(int argc, char **argv, const cli_global *g);
int cmd_serve(int argc, char **argv, const cli_global *g);
int cmd_grep(int argc, char **argv, const cli_global *g);

/** Bring the search index of g's index up to date through a writer of
 * its own (cmd_grep.c); verbose: progress and, on failure, why, on
 * stderr. @return CLI_OK, or CLI_ERROR when it could not (busy, read-only,
 * shared). */
int cli_search_refresh(const cli_global *g, int verbose);

/* ==== What spoor serve shares with the commands ==== */

/** Append c as collections --json writes it (one line) to the spoor_buf
 * payload; a spoor_collection_cb. @return 0 or SPOOR_ENOMEM. */
int cli_collection_json(const spoor_collection_info *c, void *payload);

/** Append show --json's line of the indexed item ref (an item id, a
 * sha256 or a prefix, collection:path, a path stored once; never a file)
 * to out. @return 0, SPOOR_ENOTFOUND, SPOOR_EINVALID (ambiguous) or an
 * index error. */
int cli_item_json(spoor_store *store, const char *ref, spoor_buf *out);

/** check --json with the default options on an open index: the index's
 * archived DKIM keys loaded once, each input a buffer. */
typedef struct cli_checker cli_checker;
/** @return 0, SPOOR_ENOMEM or an error (the index's keys). */
int cli_checker_new(cli_checker **out, spoor_store *store);
/** Append the lines check --json writes for data[0..len), named name (as
 * '-' names stdin), to out; what cannot be read is a line with "error",
 * as in check. @return 0 or the error that stopped the walk. */
int cli_checker_json(cli_checker *k, const char *name, const char *data,
                     size_t len, spoor_buf *out);
/** One input of cli_checker_html: a name and its bytes (borrowed). */
typedef struct cli_input {
    const char *name;
    const char *data;
    size_t len;
} cli_input;
/** The evidence report (check --html) of in[0..n) as a whole page, made
 * with hopts (links, header), into page; the inputs that could not be
 * read, "name: reason" a line each, into skipped. @return 0, SPOOR_ENOMEM
 * or an index error. */
int cli_checker_html(cli_checker *k, const cli_input *in, size_t n,
                     const spoor_html_opts *hopts, spoor_buf *page,
                     spoor_buf *skipped);
/** Bound each later check (one cli_checker_json or cli_checker_html) to
 * seconds (0: no bound): past it the check stops with an error and
 * cli_checker_timed_out says so; each item's extraction gets at most as
 * long (MAX_ITEM_SECONDS). */
void cli_checker_limit(cli_checker *k, unsigned seconds);
/** Whether the last check stopped at its time bound. */
int cli_checker_timed_out(const cli_checker *k);
void cli_checker_free(cli_checker *k);

/** Add in[0..n) to collection name (made with kind and date, which may be
 * NULL, when new) of g's index, through a writer of its own that does not
 * wait for another's lock; the summary add prints into out (what could
 * not be read is listed there). A collection this made that got nothing
 * goes again. @return 0, SPOOR_EBUSY (another process writes), SPOOR_EEXISTS
 * or SPOOR_EINVALID (name, kind, date; message says) or an index error. */
int cli_add_inputs(const cli_global *g, const char *name, const char *kind,
                   const char *date, const cli_input *in, size_t n,
                   spoor_buf *out);

/* options.c: one table per command drives its parsing and its help. */
#include <getopt.h>

typedef struct cli_opt {
    const char *name; /* long name; NULL ends a table */
    char letter;      /* short option letter, or 0 */
    int key;          /* what getopt_long answers: the letter, or O_* */
    const char *arg;  /* the argument's name in the help; NULL: none */
    const char *help; /* what it does; '\n' starts another line */
} cli_opt;

#define CLI_OPT_END                                                            \
    {                                                                          \
        NULL, 0, 0, NULL, NULL                                                 \
    }

typedef struct cli_parser {
    struct option lo[64];
    char so[128];
} cli_parser;

/** getopt_long's tables from the NULL-terminated list of tables, with
 * -h/--help (key 'h') added. */
void cli_parser_init(cli_parser *p, const cli_opt *const *tables);
/** The next option of argv (getopt_long; set optind = 1 first). */
int cli_parser_next(cli_parser *p, int argc, char **argv);
/** Print "options:" and the help lines of every option of the tables, then
 * -h/--help. */
void cli_options_help(const cli_opt *const *tables);

/* The options every reading command shares: --limit and --no-ocr. */
enum { CLI_O_LIMIT = 0x200, CLI_O_NO_OCR };
extern const cli_opt cli_input_opts[];
/* The thresholds of check, overlap and timeline (thresholds.c), their
 * help with the defaults of spoor/match.h. */
const cli_opt *cli_threshold_opts(void);

/* out.c */
/** "spoor: <input>: <message>" on stderr; returns CLI_ERROR. */
int cli_error(const char *input, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** cli_error with the library's last error message. */
int cli_error_lib(const char *input);
/** "spoor <cmd>: <message>" and a hint to --help; returns CLI_USAGE. */
int cli_error_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** On Ctrl-C (SIGINT) or SIGTERM, note it (cli_interrupted) instead of
 * dying, so that a long command stops cleanly and says what it kept; a
 * second one ends the process at once. */
void cli_catch_interrupt(void);
/** Whether Ctrl-C or SIGTERM came since cli_catch_interrupt. */
int cli_interrupted(void);
/** Exit status after an interruption (128 + SIGINT, as shells use). */
#define CLI_INTERRUPTED 130
/** The one usage error for an option getopt_long refused (it says
 * nothing itself: opterr is 0), naming the option. @return CLI_USAGE. */
int cli_bad_option(const char *cmd, char **argv);
/** Write buf to stdout; returns CLI_ERROR if stdout fails. */
int cli_write(const spoor_buf *buf);
/** Milliseconds on the monotonic clock (for intervals only). */
double cli_now_ms(void);
/** Progress line on stderr when it is a terminal, at most 5 times/s. */
void cli_progress(const char *what, unsigned long long items,
                  unsigned long long bytes, int final);
/** "what: done of total items" on stderr when it is a terminal, at most 5
 * times a second (and always at the end, done == total). */
void cli_progress_of(const char *what, unsigned long long done,
                     unsigned long long total);

/* thresholds.c: the evidence thresholds of check, overlap and timeline */
enum {
    CLI_O_COMMON = 0x400,
    CLI_O_RELMIN,
    CLI_O_INTMIN,
    CLI_O_MAXSRC,
    CLI_O_MINREG,
    CLI_O_SPREAD,
    CLI_O_MINEV,
    CLI_O_MINSHARE,
    CLI_O_MINPASS
};
/**
 * Apply threshold option opt (a CLI_O_* value) with argument arg to o.
 * @return CLI_OK, CLI_USAGE (message printed, naming cmd), or -1 when opt
 *         is not a threshold option.
 */
int cli_threshold_option(int opt, const char *arg, spoor_check_opts *o,
                         const char *cmd);

/* opt.c */
/** Parse a YYYY-MM-DD date that exists in the calendar. */
int cli_valid_date(const char *s);
/** Parse a non-negative integer; 0 on success. */
int cli_parse_size(const char *s, size_t *out);
/** Parse a fraction in [0, 1]; 0 on success. */
int cli_parse_fraction(const char *s, double *out);
/** Read a regular file of at most 1 GiB, read-only; caller frees *out.
 * Prints the error itself. */
int cli_read_file(const char *path, char **out, size_t *len);
/** Read all of stdin (bounded); caller frees *out. */
int cli_read_stdin(char **out, size_t *len);
/** Read all of stream fd (a pipe, a FIFO; at most 1 GiB) named name into a
 * new *out (free()). @return CLI_OK or CLI_ERROR (message printed). */
int cli_read_stream(int fd, const char *name, char **out, size_t *len);
/** Room for entry n (0-based) of *arr, entries of size bytes, *cap of
 * them allocated: doubled when full, first when empty. The array is kept
 * on failure. @return 0 or SPOOR_ENOMEM. */
int cli_grow(void **arr, size_t *cap, size_t n, size_t size, size_t first);
/** Apply "NAME=VALUE" (a bound's name from limits.h) to lim; 0 if ok. */
int cli_parse_limit(spoor_limits *lim, const char *arg);
/** argv joined by spaces (for a report's provenance); caller frees. */
char *cli_command_line(int argc, char **argv);
/** Write buf to a new file at path; prints the error itself. */
/** Write an HTML page to path, made being the return of the call that
 * made it (negative: its error is reported instead), and say so on
 * stderr. @return CLI_OK or CLI_ERROR (message printed). */
int cli_write_report(const char *path, const spoor_buf *page, int made);
int cli_write_file(const char *path, const spoor_buf *buf);
/** Open the index for reading or writing; prints the error itself. */
int cli_open_index(spoor_store **out, const cli_global *g, int flags);

#endif
