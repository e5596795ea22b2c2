#!/usr/bin/env python3
"""Man pages and bash completion generated from spoor's own help.

The help text of `spoor help` and `spoor help COMMAND` is the one source:
the pages and the completion cannot drift from what the program says.

  help_to.py man SPOOR OUTDIR VERSION CMD...   spoor.1 and spoor-CMD.1
  help_to.py bash SPOOR OUTFILE CMD...         a bash completion script

CMD... are the commands the build expects; the build fails when
`spoor help` lists others, so a new command gets its page.
"""
import datetime
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b")


def helptext(spoor, *cmd):
    """The help spoor prints (exit status 0), as text."""
    p = subprocess.run([spoor, "help", *cmd], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C",
                                ASAN_OPTIONS="detect_leaks=0"))
    if p.returncode != 0:
        sys.exit(f"help_to.py: '{spoor} help {' '.join(cmd)}' failed: "
                 f"{p.stderr.strip()}")
    return p.stdout


def commands(top):
    """(name, summary) of the commands section of the top help."""
    out, inside = [], False
    for line in top.splitlines():
        if line.startswith("commands:"):
            inside = True
            continue
        if inside:
            m = re.match(r"  ([a-z]+)\s+(.*)", line)
            if not m:
                break
            out.append((m.group(1), m.group(2)))
    return out


def check_commands(listed, expected):
    names = [n for n, _ in listed]
    if sorted(names) != sorted(expected):
        sys.exit(f"help_to.py: spoor lists commands {names}, the build "
                 f"expects {expected}: update the build's list")


def roff(text):
    """Text as roff that prints verbatim."""
    out = []
    for line in text.splitlines():
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def page(name, section, summary, usage, body, version, see):
    """One man page: NAME, SYNOPSIS (the usage lines), DESCRIPTION."""
    date = datetime.date.fromtimestamp(
        int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or
        datetime.datetime.now().timestamp()).isoformat()
    return "\n".join([
        f'.TH "{name.upper()}" "{section}" "{date}" "spoor {version}" '
        '"spoor manual"',
        ".SH NAME", f"{name} \\- {roff(summary)}",
        ".SH SYNOPSIS", ".nf", roff(usage), ".fi",
        ".SH DESCRIPTION", ".nf", roff(body), ".fi",
        ".SH SEE ALSO", ", ".join(f"\\fB{s}\\fR(1)" for s in see),
        ""])


def split_usage(text):
    """The help's usage lines (up to the first blank line), and the rest."""
    head, _, rest = text.partition("\n\n")
    lines = head.replace("usage: ", "", 1).splitlines()
    # later lines are aligned under the first, after "usage: "
    lines = lines[:1] + [ln[7:] if ln.startswith(" " * 7) else ln
                         for ln in lines[1:]]
    return "\n".join(lines), rest.strip("\n")


def man(spoor, outdir, version, expected):
    top = helptext(spoor)
    listed = commands(top)
    check_commands(listed, expected)
    os.makedirs(outdir, exist_ok=True)
    usage, rest = split_usage(top)
    with open(os.path.join(outdir, "spoor.1"), "w") as f:
        f.write(page("spoor", 1, "provenance engine for leaked and "
                     "exfiltrated documents", usage, rest, version,
                     [f"spoor-{n}" for n, _ in listed]))
    for name, summary in listed:
        usage, rest = split_usage(helptext(spoor, name))
        with open(os.path.join(outdir, f"spoor-{name}.1"), "w") as f:
            f.write(page(f"spoor-{name}", 1, summary, usage, rest, version,
                         ["spoor"]))


BASH = """# bash completion for spoor, generated from its help (scripts/help_to.py)
_spoor()
{
    local cur cmd i
    cur="${COMP_WORDS[COMP_CWORD]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -i|--index) ((i++)) ;;
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    if [[ -z "$cmd" ]]; then
        if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W "%(global)s" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "%(commands)s" -- "$cur"))
        fi
        return
    fi
    case "$cmd" in
%(cases)s
    esac
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _spoor spoor
"""


def bash(spoor, outfile, expected):
    top = helptext(spoor)
    listed = commands(top)
    check_commands(listed, expected)
    glob = sorted(set(OPTION.findall(top.split("global options:")[-1])))
    cases = []
    for name, _ in listed:
        opts = sorted(set(OPTION.findall(helptext(spoor, name))) |
                      {"-i", "--index", "-h", "--help"})
        cases.append(f'        {name}) if [[ "$cur" == -* ]]; then '
                     f'COMPREPLY=($(compgen -W "{" ".join(opts)}" -- '
                     f'"$cur")); return; fi ;;')
    with open(outfile, "w") as f:
        f.write(BASH % {"global": " ".join(glob),
                        "commands": " ".join(n for n, _ in listed) + " help",
                        "cases": "\n".join(cases)})


def main(argv):
    if len(argv) >= 5 and argv[1] == "man":
        man(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 4 and argv[1] == "bash":
        bash(argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
