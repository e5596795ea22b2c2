#!/usr/bin/env python3
"""Verdict precision and recall on real text nobody here wrote (make eval).

    bench/eval.py SPOOR [--out FILE]

Text: the documentation Debian installs under /usr/share/doc (plain files,
and .gz files that are text), grouped by source package and split by a
hash of the source package's name, so that packages built from one source
(which share changelogs and copyright files) fall on one side:

  release   4 in 10 source packages: collection 'dump' (kind release)
  internal  2 in 10: collection 'fileserver' (kind internal), which also
            holds every released document (the victim's originals)
  unseen    4 in 10: never indexed

/usr/share/common-licenses is added as a boilerplate collection, as the
design (docs/design.md) recommends. The queries and what they are (the truth):

  released            a released document, re-wrapped (whitespace changed)
  partially-released  an unseen document with a passage of a released one
                      (a quarter to a half of the result) put in its middle
  internal-only       an internal document, re-wrapped
  unknown             an unseen document as it is: what it shares with the
                      index (licence text, Debian boilerplate, generated
                      text) is what must not make a verdict

Mail: two mailing-list archives (release) of threads whose bodies are
paragraphs of the same Debian documentation; every message carries its
list's footer and its sender's signature, replies quote their parent.
Queries: new messages of the same senders on the same lists (truth
unknown), replies quoting a released message (partially-released) and
released messages sent again with new headers (released).

Prints precision and recall per verdict and per corpus, a few examples of
every error, and writes bench/results/eval-<date>.json.
"""
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

SPOOR = sys.argv[1]
OUT = None
if "--out" in sys.argv:
    OUT = sys.argv[sys.argv.index("--out") + 1]
# options given to every check, e.g. --opts "--common 50"
OPTS = []
if "--opts" in sys.argv:
    OPTS = sys.argv[sys.argv.index("--opts") + 1].split()
HERE = os.path.dirname(os.path.abspath(__file__))
VERDICTS = ["released", "partially-released", "internal-only", "unknown"]


def run(*args, index):
    p = subprocess.run([SPOOR, "--index", index] + list(args),
                       capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f"eval: spoor {' '.join(args)} failed:\n"
                 f"{p.stderr.decode(errors='replace')[-2000:]}")
    return p.stdout.decode()


def source_of_packages():
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Source}\n"],
                         capture_output=True, text=True).stdout
    src = {}
    for line in out.splitlines():
        pkg, _, s = line.partition("\t")
        src[pkg] = (s.split(" ")[0] or pkg)
    return src


def read_text(path):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                data = f.read(300000)
        else:
            with open(path, "rb") as f:
                data = f.read(300000)
    except OSError:
        return None
    if b"\0" in data or len(data) >= 300000:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if sum(c.isalnum() for c in text) < 400 or text.lstrip().startswith("<"):
        return None
    return text


def debian_docs():
    """{source package: [(path, text)]} of the text documentation."""
    src = source_of_packages()
    docs = {}
    for pkg in sorted(os.listdir("/usr/share/doc")):
        root = os.path.join("/usr/share/doc", pkg)
        if os.path.islink(root) or not os.path.isdir(root):
            continue
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                if os.path.islink(p):
                    continue
                t = read_text(p)
                if t:
                    docs.setdefault(src.get(pkg, pkg), []).append(
                        (os.path.relpath(p, "/usr/share/doc"), t))
    return docs


def side(source):
    h = int(hashlib.sha256(source.encode()).hexdigest(), 16) % 10
    return "release" if h < 4 else "internal" if h < 6 else "unseen"


def rewrap(text, width=64):
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width) for p in paras if p)


def write(folder, rel, text):
    p = os.path.join(folder, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)


def unique(docs):
    """One document per distinct text (identical files are one item)."""
    seen, out = set(), []
    for rel, t in docs:
        if t not in seen:
            seen.add(t)
            out.append((rel, t))
    return out


def text_case(work, rng):
    docs = debian_docs()
    sides = {"release": [], "internal": [], "unseen": []}
    for source, files in sorted(docs.items()):
        sides[side(source)] += files
    for k in sides:
        sides[k] = unique(sides[k])
    dump, fs, q = (os.path.join(work, d) for d in ("dump", "fileserver", "q"))
    for rel, t in sides["release"]:
        write(dump, rel, t)
        write(fs, rel, t)
    for rel, t in sides["internal"]:
        write(fs, rel, t)
    truth = {}

    def pick(lst, n, lo=600, hi=60000):
        c = [d for d in lst if lo <= len(d[1]) <= hi]
        return rng.sample(c, min(n, len(c)))

    for i, (rel, t) in enumerate(pick(sides["release"], 120)):
        write(q, f"released/{i:03d}.txt", rewrap(t))
        truth[f"released/{i:03d}.txt"] = ("released", rel)
    for i, (rel, t) in enumerate(pick(sides["internal"], 80)):
        write(q, f"internal/{i:03d}.txt", rewrap(t))
        truth[f"internal/{i:03d}.txt"] = ("internal-only", rel)
    for i, (rel, t) in enumerate(pick(sides["unseen"], 160, lo=300)):
        write(q, f"unknown/{i:03d}.txt", t)
        truth[f"unknown/{i:03d}.txt"] = ("unknown", rel)
    hosts = pick(sides["unseen"], 120, lo=2000, hi=40000)
    donors = pick(sides["release"], 120, lo=3000)
    for i, ((hrel, h), (drel, d)) in enumerate(zip(hosts, donors)):
        want = int(len(h) * rng.uniform(0.35, 1.0))
        start = rng.randrange(0, max(1, len(d) - want))
        piece = d[start:start + want]
        mid = len(h) // 2
        write(q, f"partial/{i:03d}.txt",
              h[:mid] + "\n\n" + piece + "\n\n" + h[mid:])
        truth[f"partial/{i:03d}.txt"] = ("partially-released",
                                         f"{hrel} + {drel}")
    return {"dump": dump, "fileserver": fs}, q, truth, {
        k: len(v) for k, v in sides.items()}


def paragraphs(rng, n):
    """n real paragraphs (200-1,200 characters) of Debian documentation."""
    out = []
    for files in debian_docs().values():
        for _, t in files:
            for p in t.split("\n\n"):
                p = " ".join(p.split())
                if 200 <= len(p) <= 1200 and sum(c.isalpha() for c in p) > 150:
                    out.append(p)
    out = sorted(set(out))  # a paragraph found in several files once
    rng.shuffle(out)
    return out[:n]


def mail(frm, to, subj, date, mid, body, irt=None):
    h = (f"From: {frm}\nTo: {to}\nCc: {to.replace('@', '-owner@')}\n"
         f"Subject: {subj}\nDate: {date}\nMessage-ID: <{mid}>\n")
    if irt:
        h += f"In-Reply-To: <{irt}>\nReferences: <{irt}>\n"
    return h + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8" \
        "\n\n" + body + "\n"


def mail_case(work, rng):
    paras = paragraphs(rng, 4000)
    take = iter(paras)
    lists = ["devel", "users"]
    senders = [f"Person {i} <person{i}@example.org>" for i in range(24)]
    sig = {s: f"-- \n{s.split(' <')[0]}\nSenior maintainer, Example project "
           f"team {i}\nhttps://example.org/people/person{i}"
           for i, s in enumerate(senders)}
    footer = {lst: "_______________________________________________\n"
              f"{lst} mailing list\n{lst}@lists.example.org\n"
              f"https://lists.example.org/mailman/listinfo/{lst}\n"
              "To unsubscribe, send mail with the subject 'unsubscribe' to "
              f"{lst}-request@lists.example.org" for lst in lists}
    archive = os.path.join(work, "lists")
    released = []  # (list, sender, subject, mid, body)
    for lst in lists:
        box = []
        for t in range(70):
            subj = f"[{lst}] " + " ".join(next(take).split()[:6])
            parent = None
            for m in range(rng.randint(1, 4)):
                s = rng.choice(senders)
                body = textwrap.fill(next(take), 70)
                if parent:
                    body += "\n\n" + textwrap.fill(
                        parent[4], 68, initial_indent="> ",
                        subsequent_indent="> ")
                body += "\n\n" + sig[s] + "\n" + footer[lst]
                mid = f"{lst}-{t}-{m}@example.org"
                box.append(mail(s, f"{lst}@lists.example.org",
                                subj if not m else "Re: " + subj,
                                f"Mon, {1 + t % 27:02d} Sep 2014 10:00:00 "
                                "+0000", mid, body,
                                irt=parent[3] if parent else None))
                cur = (lst, s, subj, mid, textwrap.fill(body.split("\n\n")[0],
                                                        70))
                released.append(cur)
                parent = cur
        write(archive, f"{lst}.mbox", "".join(
            f"From list Mon Sep  1 10:00:00 2014\n{m}\n" for m in box))
    q = os.path.join(work, "mq")
    truth = {}
    for i in range(60):
        lst, s = rng.choice(lists), rng.choice(senders)
        body = textwrap.fill(next(take), 70) + "\n\n" + sig[s] + "\n" + \
            footer[lst]
        write(q, f"new/{i:03d}.eml", mail(
            s, f"{lst}@lists.example.org", f"[{lst}] new topic {i}",
            "Mon, 05 Jan 2015 09:00:00 +0000", f"n{i}@example.org", body))
        truth[f"new/{i:03d}.eml"] = ("unknown", "new message")
    for i, (lst, s0, subj, mid, pbody) in enumerate(rng.sample(released, 60)):
        s = rng.choice(senders)
        body = textwrap.fill(next(take), 70) + "\n\n" + textwrap.fill(
            pbody, 68, initial_indent="> ", subsequent_indent="> ") + \
            "\n\n" + sig[s] + "\n" + footer[lst]
        write(q, f"reply/{i:03d}.eml", mail(
            s, f"{lst}@lists.example.org", "Re: " + subj,
            "Mon, 05 Jan 2015 09:00:00 +0000", f"q{i}@example.org", body,
            irt=mid))
        truth[f"reply/{i:03d}.eml"] = ("partially-released", mid)
    for i, (lst, s, subj, mid, pbody) in enumerate(rng.sample(released, 40)):
        body = textwrap.fill(pbody, 60) + "\n\n" + sig[s] + "\n" + footer[lst]
        write(q, f"resent/{i:03d}.eml", mail(
            s, "someone@example.com", "Fwd: " + subj,
            "Mon, 05 Jan 2015 09:00:00 +0000", f"f{i}@example.org", body))
        truth[f"resent/{i:03d}.eml"] = ("released", mid)
    return archive, q, truth


def score(results, truth):
    """Precision and recall per verdict; the errors."""
    got = {}
    for r in results:
        rel = r["path"]
        if rel in truth:
            got[rel] = r
    table = {}
    for v in VERDICTS:
        tp = sum(1 for k, (t, _) in truth.items() if t == v and
                 got[k]["verdict"] == v)
        pred = sum(1 for k in truth if got[k]["verdict"] == v)
        real = sum(1 for t, _ in truth.values() if t == v)
        if real or pred:
            table[v] = {"truth": real, "predicted": pred, "correct": tp,
                        "precision": round(tp / pred, 3) if pred else None,
                        "recall": round(tp / real, 3) if real else None}
    errors = [{"query": k, "truth": t, "verdict": got[k]["verdict"],
               "what": what, "basis": got[k].get("verdict_basis"),
               "release": got[k]["coverage"]["release"]}
              for k, (t, what) in sorted(truth.items())
              if got[k]["verdict"] != t]
    return table, errors


def check(q, index):
    out = run("check", "--json", *OPTS, q, index=index)
    return [json.loads(line) for line in out.splitlines() if line]


def show(name, table, errors):
    print(f"\n{name}")
    print("| verdict | queries | predicted | correct | precision | recall |")
    print("|---|---|---|---|---|---|")
    for v, row in table.items():
        p = "–" if row["precision"] is None else f"{row['precision']:.3f}"
        r = "–" if row["recall"] is None else f"{row['recall']:.3f}"
        print(f"| {v} | {row['truth']} | {row['predicted']} | "
              f"{row['correct']} | {p} | {r} |")
    by = {}
    for e in errors:
        by.setdefault((e["truth"], e["verdict"]), []).append(e)
    for (t, v), es in sorted(by.items()):
        print(f"  {len(es)} {t} -> {v}, e.g.:")
        for e in es[:3]:
            print(f"    {e['query']} ({e['what']}): release "
                  f"{e['release']}; {e['basis']}")


def main():
    rng = random.Random(15)
    work = tempfile.mkdtemp(prefix="spoor-eval-")
    t0 = time.time()
    try:
        idx = os.path.join(work, "index")
        cols, q, truth, sizes = text_case(work, rng)
        p = subprocess.run([SPOOR, "--index", idx, "add", "-c", "licences",
                            "-k", "boilerplate", "/usr/share/common-licenses"],
                           capture_output=True)
        if p.returncode == 2:  # an older spoor, without the kind
            print("eval: this spoor has no boilerplate kind; licences not "
                  "added")
        run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            cols["dump"], index=idx)
        run("add", "-c", "fileserver", "-k", "internal", "-d", "2014-12-15",
            cols["fileserver"], index=idx)
        text_table, text_errors = score(check(q, idx), truth)
        midx = os.path.join(work, "mindex")
        archive, mq, mtruth = mail_case(work, rng)
        run("add", "-c", "lists", "-k", "release", "-d", "2014-10-01",
            archive, index=midx)
        mail_table, mail_errors = score(check(mq, midx), mtruth)
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    print(f"documents: {sizes} (distinct texts per side)")
    show("Debian documentation", text_table, text_errors)
    show("mailing lists (bodies: Debian documentation)", mail_table,
         mail_errors)
    print(f"\neval took {time.time() - t0:.0f} s")
    out = OUT or os.path.join(HERE, "results",
                              f"eval-{time.strftime('%Y-%m-%d')}.json")
    with open(out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d"), "documents": sizes,
                   "text": text_table, "mail": mail_table,
                   "text_errors": text_errors, "mail_errors": mail_errors},
                  f, indent=1)
    print(f"written {out}")


if __name__ == "__main__":
    main()
