/*
 * out.c: error and progress output of the CLI.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

int cli_error(const char *input, const char *fmt, ...)
{
    va_list ap;
    fputs("spoor: ", stderr);
    if (input)
        fprintf(stderr, "%s: ", input);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_ERROR;
}

int cli_error_lib(const char *input)
{
    const spoor_error *e = spoor_error_last();
    return cli_error(input, "%s",
                     e->message && *e->message ? e->message
                                               : spoor_strerror(e->code));
}

int cli_error_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    if (cmd && *cmd)
        fprintf(stderr, "spoor %s: ", cmd);
    else
        fputs("spoor: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd && *cmd)
        fprintf(stderr, "\nTry 'spoor %s --help'.\n", cmd);
    else
        fprintf(stderr, "\nTry 'spoor --help'.\n");
    return CLI_USAGE;
}

int cli_write(const spoor_buf *buf)
{
    if (buf->size && fwrite(buf->ptr, 1, buf->size, stdout) != buf->size)
        return cli_error("stdout", "write failed");
    return CLI_OK;
}

double cli_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void cli_progress_of(const char *what, unsigned long long done,
                     unsigned long long total)
{
    static double last = -1e9;
    double now;
    if (!isatty(STDERR_FILENO))
        return;
    now = cli_now_ms();
    if (done < total && now - last < 200)
        return;
    last = now;
    fprintf(stderr, "\r%s: %llu of %llu items checked%s", what, done, total,
            done >= total ? "\n" : "   ");
    fflush(stderr);
}

void cli_progress(const char *what, unsigned long long items,
                  unsigned long long bytes, int final)
{
    static double last = -1e9;
    double now;
    static int tty = -1;
    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    if (!tty)
        return;
    now = cli_now_ms();
    if (!final && now - last < 200)
        return;
    last = now;
    fprintf(stderr, "\r%s: %llu items, %.1f MB%s", what, items,
            (double)bytes / 1e6, final ? "\n" : "   ");
    fflush(stderr);
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the process at once */
    signal(SIGTERM, SIG_DFL);
}

void cli_catch_interrupt(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

int cli_bad_option(const char *cmd, char **argv)
{
    /* getopt_long left optind past the token it refused (opterr is 0,
     * see main.c: this is the one line said about it) */
    const char *tok = optind > 0 ? argv[optind - 1] : "?";
    if (optopt && tok[0] == '-' && tok[1] != '-' && tok[1] != (char)optopt)
        return cli_error_usage(cmd, "unknown option '-%c'", optopt);
    if (optopt && strchr("cdijkL", optopt) && tok[0] == '-' &&
        tok[1] == optopt && !tok[2])
        return cli_error_usage(cmd, "option '%s' needs a value", tok);
    return cli_error_usage(cmd,
                           "unknown option, or one without its value: "
                           "'%s'",
                           tok);
}
