/*
 * options.c: one table per command drives both its parsing and its help.
 *
 * A command lists its options as cli_opt entries (long name, letter,
 * getopt key, argument name, help text) in one or more tables (its own,
 * and shared ones such as the thresholds and the input bounds);
 * cli_parser_init builds getopt_long's tables from them and
 * cli_options_help prints their help lines, so that an option cannot be
 * accepted without being documented, or documented without being
 * accepted. -h/--help is added to every command.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* Where the description column starts in a help line. */
#define HELP_COLUMN 27

void cli_parser_init(cli_parser *p, const cli_opt *const *tables)
{
    const cli_opt *const *t;
    const cli_opt *o;
    size_t n = 0, k = 0;

    memset(p, 0, sizeof(*p));
    for (t = tables; *t; t++)
        for (o = *t; o->name; o++) {
            assert(n + 2 < sizeof(p->lo) / sizeof(p->lo[0]));
            assert(k + 4 < sizeof(p->so));
            p->lo[n].name = o->name;
            p->lo[n].has_arg = o->arg ? required_argument : no_argument;
            p->lo[n].flag = NULL;
            p->lo[n].val = o->key;
            n++;
            if (o->letter) {
                p->so[k++] = o->letter;
                if (o->arg)
                    p->so[k++] = ':';
            }
        }
    p->lo[n].name = "help";
    p->lo[n].has_arg = no_argument;
    p->lo[n].val = 'h';
    p->so[k++] = 'h';
}

int cli_parser_next(cli_parser *p, int argc, char **argv)
{
    return getopt_long(argc, argv, p->so, p->lo, NULL);
}

/* One option's help: its names and argument, then its description from
 * HELP_COLUMN, each further line of it indented as far. */
static void option_help(const cli_opt *o)
{
    char names[96];
    const char *h, *nl;
    int n;
    if (o->letter)
        n = snprintf(names, sizeof(names), "  -%c, --%s%s%s", o->letter,
                     o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    else
        n = snprintf(names, sizeof(names), "      --%s%s%s", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
    if (n >= HELP_COLUMN - 1)
        printf("%s\n%*s", names, HELP_COLUMN, "");
    else
        printf("%-*s", HELP_COLUMN, names);
    for (h = o->help ? o->help : ""; (nl = strchr(h, '\n')); h = nl + 1)
        printf("%.*s\n%*s", (int)(nl - h), h, HELP_COLUMN, "");
    printf("%s\n", h);
}

void cli_options_help(const cli_opt *const *tables)
{
    const cli_opt *const *t;
    const cli_opt *o;
    printf("options:\n");
    for (t = tables; *t; t++)
        for (o = *t; o->name; o++)
            option_help(o);
    printf("  -h, --help               this help\n");
}
