#!/usr/bin/env python3
"""Generate spoor's bundled example case: a fictional studio breach.

    make_case.py OUTDIR

Writes, deterministically (same bytes every run):
  OUTDIR/internal/   the studio's file server snapshot (kind internal)
  OUTDIR/dump-1/     first public release, 2014-12-01 (kind release)
  OUTDIR/dump-2/     second public release, 2014-12-08 (kind release)
  OUTDIR/suspect/    the "never released" files shown to reporters
  OUTDIR/expected.json  the verdict spoor should give each suspect file

The suspect set exercises every verdict: an exact copy of a released file,
an excerpt of a released file, a re-wrapped and '>'-quoted email that
forwards part of a released memo and is dated after the breach, an internal
spreadsheet export that was never released, and a text that appears nowhere.
"""
import json
import os
import random
import sys

WORDS = """
studio budget film release marketing contract payroll executive salary
distribution quarter revenue forecast production schedule casting director
producer agreement territory rights licence premiere screening festival
campaign trailer audience estimate overrun approval board committee memo
finance legal counsel department vendor invoice payment account balance
statement projection sequel franchise animation visual effects location
permit insurance bond guild residual royalty participation gross net
profit loss margin cost savings headcount restructuring reduction office
lease facility security network server password access review audit
policy compliance retention archive email calendar meeting agenda minutes
action item deadline draft final version signature counterpart exhibit
schedule appendix clause term renewal option exclusive worldwide domestic
international partner slate greenlight development script writer talent
agency negotiation offer counteroffer deal memo summary confidential
privileged internal external press statement announcement launch date
box office opening weekend tracking survey research digital platform
streaming window theatrical home entertainment broadcast cable satellite
""".split()


def prose(seed, n_words):
    """Deterministic sentences of words from WORDS."""
    rng = random.Random(seed)
    out, sentence = [], []
    for _ in range(n_words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 18):
            s = " ".join(sentence)
            out.append(s[0].upper() + s[1:] + ".")
            sentence = []
    if sentence:
        s = " ".join(sentence)
        out.append(s[0].upper() + s[1:] + ".")
    paras, i = [], 0
    while i < len(out):
        k = rng.randint(3, 6)
        paras.append(" ".join(out[i:i + k]))
        i += k
    return "\n\n".join(paras) + "\n"


def wrap(text, width, prefix=""):
    lines = []
    for para in text.split("\n\n"):
        line = ""
        for w in para.split():
            if line and len(line) + 1 + len(w) > width:
                lines.append(prefix + line)
                line = w
            else:
                line = (line + " " + w) if line else w
        if line:
            lines.append(prefix + line)
        lines.append(prefix.rstrip())
    return "\n".join(lines) + "\n"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, newline="" if mode == "w" else None) as f:
        f.write(data)


def message(msgid, date, frm, to, subject, body):
    return (f"From: {frm}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
            f"Message-ID: <{msgid}>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}")


def main(out):
    budget = "FY2015 BUDGET SUMMARY\n\n" + prose(1, 700)
    memo = "MEMO: RESTRUCTURING OF DISTRIBUTION\n\n" + prose(2, 600)
    contract = "DISTRIBUTION AGREEMENT (DRAFT 7)\n\n" + prose(3, 900)
    plan = "Q4 SLATE PLAN\n\n" + prose(4, 500)
    novel = "A CLAIM OF A SECOND INTRUSION\n\n" + prose(99, 300)

    # internal file server snapshot
    write(f"{out}/internal/finance/budget-2015.txt", budget)
    write(f"{out}/internal/hr/memo-restructuring.txt", memo)
    write(f"{out}/internal/legal/distribution-agreement.txt", contract)
    write(f"{out}/internal/planning/q4-slate-plan.txt", plan)
    mbox = ("From exec@studio.example Mon Nov 17 09:00:00 2014\n" +
            message("m1@studio.example", "Mon, 17 Nov 2014 09:00:00 -0800",
                    "CEO <ceo@studio.example>", "board@studio.example",
                    "Slate", prose(5, 200)) + "\n" +
            "From exec@studio.example Tue Nov 18 10:30:00 2014\n" +
            message("m2@studio.example", "Tue, 18 Nov 2014 10:30:00 -0800",
                    "CFO <cfo@studio.example>", "ceo@studio.example",
                    "Budget", prose(6, 200)))
    write(f"{out}/internal/mail/executives.mbox", mbox)

    # dump 1: the budget in full and the agreement
    write(f"{out}/dump-1/finance/budget-2015.txt", budget)
    write(f"{out}/dump-1/legal/distribution-agreement.txt", contract)
    # dump 2: the second half of the memo
    half = memo[len(memo) // 2:]
    write(f"{out}/dump-2/hr/memo-part2.txt", "(partial)\n" + half)

    # suspect files
    write(f"{out}/suspect/budget-2015.txt", budget)                 # exact
    start = contract.index(" ", 1500) + 1
    write(f"{out}/suspect/agreement-excerpt.txt",
          contract[start:start + 500])                              # excerpt
    quoted = wrap(half[:1500], 58, "> ").replace("\n", "\r\n")
    fwd = message("fwd1@mail.example", "Sat, 20 Dec 2014 16:05:00 +0000",
                  "Insider <insider@mail.example>",
                  "reporter@news.example", "Fwd: restructuring",
                  "See below, this is new.\r\n\r\n" + prose(7, 120) +
                  "\r\n\r\n" + quoted)
    write(f"{out}/suspect/forwarded-memo.eml", fwd)                 # quoted
    write(f"{out}/suspect/q4-slate-plan.txt", wrap(plan, 66))       # rewrapped
    write(f"{out}/suspect/second-intrusion-claim.txt", novel)       # novel

    expected = {
        "budget-2015.txt": "released",
        "agreement-excerpt.txt": "released",
        "forwarded-memo.eml": "partially-released",
        "q4-slate-plan.txt": "internal-only",
        "second-intrusion-claim.txt": "unknown",
    }
    write(f"{out}/expected.json", json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_case.py OUTDIR")
    main(sys.argv[1])
