/*
 * main.c: global options and command dispatch.
 *
 *   spoor [-i|--index PATH] COMMAND [OPTIONS] [ARGS]
 *   spoor help [COMMAND]
 *
 * The index is --index, else $SPOOR_INDEX, else ./spoor-index. -i and
 * --index may also come after the command (spoor check -i IDX ...): no
 * command has an option of that name.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#ifdef SPOOR_WITH_SERVE
#define SERVE_FN cmd_serve
#else
#define SERVE_FN serve_elsewhere

/* The program that serves, installed beside this one. */
#define SERVE_PROGRAM "spoor-serve"

/*
 * spoor serve runs in spoor-serve, the same program with the web server
 * linked in. Linked into every command, libmicrohttpd and the GnuTLS it
 * needs cost each run about 1.4 ms of CPU before main (their
 * constructors), a third of a short spoor check. Run SERVE_PROGRAM from
 * this program's folder (else from PATH) with the index and the serve
 * command's arguments. @return only on failure: CLI_ERROR, said.
 */
static int serve_elsewhere(int argc, char **argv, const cli_global *g)
{
    char self[4096], **args;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;
    int i;

    if (!(args = calloc((size_t)argc + 4, sizeof(char *))))
        return cli_error(NULL, "serve: out of memory");
    args[0] = SERVE_PROGRAM;
    args[1] = "--index";
    args[2] = (char *)g->index;
    for (i = 0; i < argc; i++)
        args[3 + i] = argv[i];
    if (n > 0 && (size_t)n + sizeof(SERVE_PROGRAM) < sizeof(self)) {
        self[n] = '\0';
        if ((slash = strrchr(self, '/'))) {
            strcpy(slash + 1, SERVE_PROGRAM);
            execv(self, args);
        }
    }
    execvp(SERVE_PROGRAM, args);
    free(args);
    return cli_error(NULL,
                     "serve: cannot run %s (installed beside spoor, or on "
                     "PATH): %s",
                     SERVE_PROGRAM, strerror(errno));
}
#endif

static const cli_cmd commands[] = {
    {"add", cmd_add, "ingest files, folders and mailboxes into a collection"},
    {"check", cmd_check, "provenance of each input item"},
    {"diff", cmd_diff, "shared passages of two items, side by side"},
    {"show", cmd_show, "metadata, collections, dates and text of an item"},
    {"collections", cmd_collections, "collections with kind, date, counts"},
    {"event", cmd_event, "record (or list) case events"},
    {"stats", cmd_stats, "index size, counts and matching parameters"},
    {"keys", cmd_keys, "archive DKIM keys for offline verification"},
    {"optimize", cmd_optimize, "merge the index's postings segments"},
    {"push", cmd_push, "copy the index into a shared one on PostgreSQL"},
    {"serve", SERVE_FN, "review the case in a browser, and the JSON API"},
    {"grep", cmd_grep, "keyword search over the indexed texts"},
    {"thread", cmd_thread, "the email thread of an indexed message"},
    {"overlap", cmd_overlap, "what collections share, pair by pair"},
    {"timeline", cmd_timeline, "releases in date order, what each took"},
    {"verify", cmd_verify, "check the whole index for damage (fsck)"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: spoor [-i|--index PATH] COMMAND [OPTIONS] [ARGS]\n\n"
               "Provenance engine for leaked and exfiltrated documents.\n\n"
               "commands:\n");
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nglobal options:\n"
               "  -i, --index PATH  index folder (default: $SPOOR_INDEX, else "
               "./spoor-index),\n"
               "                    or a shared index: postgresql://...\n"
               "  -h, --help        this help; 'spoor help COMMAND' (or 'spoor "
               "COMMAND --help')\n                    for a command\n"
               "      --version     print the version\n"
               "\nexit status: 0 ok, 1 error (the message names the input and "
               "the reason), 2 bad usage,\n"
               "3 check --fail-on found such a verdict, 130 interrupted\n"
               "\nThe design and the JSON contract: docs/design.md; man pages: "
               "spoor(1),\nspoor-COMMAND(1).\n");
}

/*
 * Keep freed memory in the process instead of returning it to the kernel
 * after every large item: each extraction allocates and frees buffers of
 * megabytes, and with glibc's defaults (mmap above 128 KiB, trim above
 * 128 KiB free) every one is a fresh mapping whose pages fault in again.
 * Measured on /usr/share/doc: page faults 184k -> 34k, ingest time halved.
 * The cost is up to MALLOC_KEEP bytes of free memory held per arena.
 */
#define MALLOC_KEEP (32 << 20)

static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, MALLOC_KEEP);
}

/*
 * spoor add fills much fresh memory (texts, canonical arrays, postings),
 * and in a virtual machine each first touch of a 4 KiB page cost about
 * 25 us. glibc's malloc asks the kernel for transparent huge pages only when
 * its tunable glibc.malloc.hugetlb is set, and reads tunables at start-up;
 * so where the kernel gives huge pages on request only (THP "madvise", the
 * Debian default), add runs itself again once with the tunable set.
 * Measured: ingest 10-12 % faster, page faults -40 % (1 M items: 87 ->
 * 76 s, peak RSS unchanged). The tunable being set ends the loop; if the
 * program cannot be run again, add goes on as it is.
 */
static void add_with_huge_pages(char **argv)
{
#ifdef __GLIBC__
    static const char want[] = "glibc.malloc.hugetlb=1";
    const char *had = getenv("GLIBC_TUNABLES");
    char mode[128] = "", *tunables;
    FILE *f;

    if (had && strstr(had, "glibc.malloc.hugetlb"))
        return;
    if (!(f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re")))
        return;
    if (!fgets(mode, sizeof(mode), f))
        mode[0] = '\0';
    fclose(f);
    if (!strstr(mode, "[madvise]"))
        return; /* "always" needs no request, "never" grants none */
    if (!(tunables = malloc((had ? strlen(had) + 1 : 0) + sizeof(want))))
        return;
    sprintf(tunables, "%s%s%s", had ? had : "", had ? ":" : "", want);
    if (setenv("GLIBC_TUNABLES", tunables, 1) == 0)
        execv("/proc/self/exe", argv);
    /* not run again: go on as we are */
    if (had)
        setenv("GLIBC_TUNABLES", had, 1);
    else
        unsetenv("GLIBC_TUNABLES");
    free(tunables);
#else
    (void)argv;
#endif
}

/*
 * Take -i/--index PATH out of a command's arguments argv[1..argc) (up to a
 * "--"), into g->index; the rest stays in order in argv. @return the new
 * argc, or -1 after a usage error (printed).
 */
static int take_index(int argc, char **argv, cli_global *g)
{
    int i, o = 1, rest = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (rest || !strcmp(a, "--")) {
            rest = 1;
        } else if (!strcmp(a, "-i") || !strcmp(a, "--index")) {
            if (i + 1 >= argc) {
                cli_error_usage(argv[0], "%s needs a PATH", a);
                return -1;
            }
            g->index = argv[++i];
            continue;
        } else if (!strncmp(a, "--index=", 8)) {
            g->index = a + 8;
            continue;
        }
        argv[o++] = argv[i];
    }
    argv[o] = NULL;
    return o;
}

/* spoor help [COMMAND]: the overview, or the command's own --help. */
static int help(int argc, char **argv, const cli_global *g)
{
    static char help_opt[] = "--help";
    char *args[3];
    size_t c;
    if (argc < 2) {
        usage(stdout);
        return CLI_OK;
    }
    for (c = 0; c < N_COMMANDS; c++)
        if (!strcmp(argv[1], commands[c].name)) {
            args[0] = argv[1];
            args[1] = help_opt;
            args[2] = NULL;
            return commands[c].fn(2, args, g);
        }
    return cli_error_usage(NULL, "unknown command '%s' (spoor help lists them)",
                           argv[1]);
}

/*
 * One thread per OCR engine: spoor reads items in parallel (add -j, the
 * fork server's children), so Tesseract's own OpenMP threads only compete
 * for the same cores, spinning on locks. Measured on the 59 images Debian
 * ships under /usr/share/doc, -j 2: 23.7 s with OpenMP's threads, 7.4 s
 * without. Set before any thread and before the OCR library is loaded
 * (libgomp reads it once); a value the user set is kept.
 */
static void one_thread_per_ocr(void)
{
    setenv("OMP_THREAD_LIMIT", "1", 0);
}

int main(int argc, char **argv)
{
    cli_global g;
    const char *env = getenv("SPOOR_INDEX");
    int i = 1;
    size_t c;

    tune_malloc();
    one_thread_per_ocr();
    opterr = 0; /* a refused option gets one line, cli_bad_option's */
    g.index = env && *env ? env : "spoor-index";
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--version")) {
            printf("spoor %s\n", spoor_version());
            return CLI_OK;
        } else if (!strcmp(a, "-i") || !strcmp(a, "--index")) {
            if (i + 1 >= argc)
                return cli_error_usage(NULL, "%s needs a PATH", a);
            g.index = argv[++i];
        } else if (!strncmp(a, "--index=", 8)) {
            g.index = a + 8;
        } else {
            return cli_error_usage(NULL, "unknown option '%s'", a);
        }
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[i], "help"))
        return help(argc - i, argv + i, &g);
    if (!strcmp(argv[i], "add"))
        add_with_huge_pages(argv);
    for (c = 0; c < N_COMMANDS; c++)
        if (!strcmp(argv[i], commands[c].name)) {
            int n = take_index(argc - i, argv + i, &g);
            return n < 0 ? CLI_USAGE : commands[c].fn(n, argv + i, &g);
        }
    return cli_error_usage(NULL, "unknown command '%s' (spoor help lists them)",
                           argv[i]);
}
