#!/usr/bin/env python3
"""End-to-end tests of the spoor binary: generate data, run spoor, assert on
its JSON and text output.

    SPOOR=path/to/spoor test_cli.py CASE

Each CASE is one function below (test_CASE); meson runs each as its own test.
Data is generated here, deterministically, in a fresh temporary folder.
"""
import base64
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

SPOOR = os.environ.get("SPOOR", "spoor")
ROOT = os.environ.get("SPOOR_SOURCE_ROOT",
                      os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import make_case  # noqa: E402  (the demo case generator, reused)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import formats  # noqa: E402
import pst  # noqa: E402

prose = make_case.prose
wrap = make_case.wrap


class Env:
    """A temporary folder with its own index."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="spoor-test-")
        self.index = os.path.join(self.dir, "index")

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w",
                  **({} if isinstance(data, bytes) else {"newline": ""})) as f:
            f.write(data)
        return p

    def run(self, *args, stdin=None, expect=0, index=True, env=None):
        cmd = [SPOOR] + (["--index", self.index] if index else []) + list(args)
        p = subprocess.run(cmd, input=stdin, capture_output=True,
                           cwd=self.dir, timeout=240,
                           env=dict(os.environ, TZ="UTC", **(env or {})))
        out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
        if expect is not None and p.returncode != expect:
            raise AssertionError(
                f"{' '.join(cmd)} exited {p.returncode}, expected {expect}\n"
                f"stdout:\n{out}\nstderr:\n{err}")
        return out, err, p.returncode

    def run_peak(self, *args):
        """Run spoor as run does (expecting exit 0; MALLOC_PERTURB_=0, so
        that the room malloc reserves ahead is not written) and return its
        output and its own peak RSS in KiB, from wait4, whatever other
        commands took. (A child's peak counts the memory of the process
        that started it, so the test process should stay small.)"""
        cmd = [SPOOR, "--index", self.index] + list(args)
        with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
            p = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=self.dir,
                                 env=dict(os.environ, TZ="UTC",
                                          MALLOC_PERTURB_="0"))
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            fo.seek(0)
            fe.seek(0)
            out, err = fo.read().decode(), fe.read().decode()
        if p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\n"
                                 f"stdout:\n{out}\nstderr:\n{err}")
        return out, usage.ru_maxrss

    def check(self, *paths, stdin=None, opts=(), expect=0, index=None):
        """check --json of paths against this env's index, or the one at
        index: the results, one per input."""
        where = ("--index", index) if index else ()
        out, _, _ = self.run(*where, "check", "--json", *opts, *paths,
                             stdin=stdin, expect=expect, index=not index)
        return [json.loads(line) for line in out.splitlines() if line]

    def one_segment(self, index, folder, env=None):
        """add folder (collection c) into a new index at index, with env:
        the bytes of the one segment it makes, but for what differs between
        any two segments (its random identity and the checksums seeded with
        it): the header without them, the directory and every bucket's
        postings."""
        self.run("--index", index, "add", "-c", "c", folder, index=False,
                 env=env)
        segs = sorted(f for f in os.listdir(index) if f.endswith(".spx"))
        eq(len(segs), 1, f"{index}: one segment")
        with open(os.path.join(index, segs[0]), "rb") as f:
            seg = f.read()
        bits, = struct.unpack_from("<I", seg, 12)
        off, = struct.unpack_from("<Q", seg, 24)
        n = (1 << bits) + 1
        ends = struct.unpack_from(f"<{n}Q", seg, 64)
        data = seg[off:]
        return (seg[:48] + seg[64:off] +
                b"".join(data[ends[i] + 4:ends[i + 1]] for i in range(n - 1)))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class SharedEnv(Env):
    """An Env whose read commands also run against a shared index on a real
    PostgreSQL server (started here, in a temporary folder): the local
    index is pushed into a new database whenever a command changed it, and
    the read command's exit status and output on the shared index must be
    the local one's (the index's name aside). The differential suite:
    test_cli.py --shared CASE."""

    READS = {"check", "show", "diff", "thread", "overlap", "timeline"}
    LISTS = {"collections", "event", "keys"}  # with nothing after them

    def __init__(self):
        super().__init__()
        self.pg = None
        self.url = None
        self.databases = 0
        self.compared = 0

    @staticmethod
    def _words(args):
        """The command and its arguments, without the global options."""
        return [a for a in args if not a.startswith("-")]

    def run(self, *args, stdin=None, expect=0, index=True, env=None):
        res = super().run(*args, stdin=stdin, expect=expect, index=index,
                          env=env)
        words = self._words(args)
        if not index or "--index" in args or not words:
            return res
        if words[0] in self.READS or (words[0] in self.LISTS and
                                      len(words) == 1):
            if os.path.exists(os.path.join(self.index, "catalogue.sqlite")):
                self._compare(args, stdin, env, res)
        elif words[0] not in ("stats", "verify", "push"):
            self.url = None  # the local index changed: push it again
        return res

    def _push(self):
        if self.pg is None:
            sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
            from pgserver import PgServer
            self.pg = PgServer().__enter__()
        self.databases += 1
        db = f"shared{self.databases}"
        # a collation that does not sort as SQLite does (ICU en-US):
        # what spoor orders by text must say COLLATE "C"
        psql(self.pg.conninfo, f"CREATE DATABASE {db} TEMPLATE template0 "
             "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")
        self.url = self.pg.url(db)
        Env.run(self, "push", self.url)

    def _compare(self, args, stdin, env, res):
        if self.url is None:
            self._push()
        cmd = [SPOOR, "--index", self.url] + list(args)
        p = subprocess.run(cmd, input=stdin, capture_output=True,
                           cwd=self.dir, timeout=240,
                           env=dict(os.environ, TZ="UTC", **(env or {})))
        out = p.stdout.decode("utf-8")
        local = res[0].replace(self.index, "INDEX")
        shared = re.sub(r"postgresql://[^\s\"<]*", "INDEX", out)
        if (p.returncode, shared) != (res[2], local):
            import difflib
            d = "".join(difflib.unified_diff(
                local.splitlines(True), shared.splitlines(True), "local",
                "shared", n=2))
            raise AssertionError(
                f"spoor {' '.join(args)}: the shared index answers "
                f"otherwise (exit {p.returncode}, local {res[2]}):\n"
                f"{d[:6000]}\nstderr: {p.stderr.decode()[:2000]}")
        self.compared += 1

    def close(self):
        if self.pg is not None:
            self.pg.__exit__(None, None, None)
        super().close()


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def ok(cond, what):
    if not cond:
        raise AssertionError(what)


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def corpus(env, n=30, words=900, folder="corpus"):
    docs = {}
    for i in range(n):
        text = f"Document {i}\n\n" + prose(1000 + i, words)
        rel = f"{folder}/dept{i % 3}/doc{i:02d}.txt"
        env.write(rel, text)
        docs[rel.split("/", 1)[1]] = text
    return docs


MIXED_WORDS = ["caf\u00e9", "\ufb01nance", "\u65e5\u672c\u8a9e", "1,234.50",
               "Stra\u00dfe", "3.000", "v2.0.1"]


def mixed_text(seed, n, base, last_word, inserts=None):
    """A long text of n paragraphs of prose (seeds base, base + 1, ...),
    each followed by 12 words of MIXED_WORDS + [last_word] (accents, a
    ligature, CJK, numbers whose decimals normalisation drops), with
    inserts[i] (a string) after paragraph i."""
    rng = random.Random(seed)
    words = MIXED_WORDS + [last_word]
    parts = []
    for i in range(n):
        parts.append(prose(base + i, 150))
        parts.append(" ".join(rng.choice(words) for _ in range(12)))
        if inserts and i in inserts:
            parts.append(inserts[i])
    return "\n".join(parts)


def excerpts_at_places(env, data, name, spans, index=None):
    """Each excerpt data[start:start + length] (cut to whole characters),
    checked alone, has source name as its top match, covered over 95 %,
    with regions whose texts are the same in both, at the excerpt's own
    byte place in data."""
    for start, length in spans:
        ebytes = data[start:start + length].decode("utf-8", "ignore").encode()
        at = data.find(ebytes)
        ok(at >= 0, "excerpt taken from the document")
        [res] = env.check("-", stdin=ebytes, index=index)
        top = res["matches"][0]
        eq(top["path"], name, "top match")
        ok(top["coverage"] > 0.95, f"coverage {top['coverage']}")
        for r in top["regions"]:
            eq(data[r["source"][0]:r["source"][1]],
               ebytes[r["query"][0]:r["query"][1]], "region texts")
            eq(r["source"][0] - r["query"][0], at, "region place")


# ==== cases ====

def test_excerpts_from_stdin(env):
    docs = corpus(env)
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("corpus"))
    rng = random.Random(7)
    names = sorted(docs)
    n = 0
    for length in (100, 300, 1000):
        for trial in range(8):
            name = rng.choice(names)
            text = docs[name]
            start = rng.randrange(0, len(text) - length)
            excerpt = text[start:start + length]
            [res] = env.check("-", stdin=excerpt.encode())
            eq(res["input"], "-", "input")
            ok(res["matches"], f"{length}-char excerpt of {name}: no match")
            top = res["matches"][0]
            eq(top["path"], name, f"top match for {length}-char excerpt")
            eq(top["collection"], "dump-1", "collection")
            ok(top["coverage"] >= 0.9,
               f"{length}-char excerpt coverage {top['coverage']}")
            ok(any(overlaps(r["source"], [start, start + length])
                   for r in top["regions"]),
               f"regions {top['regions']} miss true position {start}")
            for r in top["regions"]:
                # the region's text is really in both
                q = excerpt.encode()[r["query"][0]:r["query"][1]]
                s = text.encode()[r["source"][0]:r["source"][1]]
                eq(q, s, "region texts")
            eq(res["verdict"], "released", "verdict")
            eq(res["first_release"],
               {"collection": "dump-1", "date": "2014-12-01"}, "first_release")
            n += 1
    eq(n, 24, "excerpts checked")


def test_excerpt_of_long_source(env):
    # A 0.5 MB document with accented words, ligatures, CJK and numbers
    # whose decimals are dropped: excerpts of it, alone or two joined, are
    # found at their exact byte places (check normalises only the stretches
    # of a long source around the hits).
    text = mixed_text(11, 420, 5000, "\u201cquoted\u201d")
    data = text.encode()
    ok(len(data) > 500000, f"document of {len(data)} bytes")
    env.write("corpus/long.txt", text)
    env.write("corpus/short.txt", prose(99, 300))
    env.run("add", "-c", "dump-1", env.path("corpus"))
    excerpts_at_places(env, data, "long.txt",
                       ((0, 700), (250003, 1200), (len(data) - 900, 900),
                        (123457, 40000)))
    # two distant excerpts joined: two regions, each at its own place
    a, b = data[10000:10800], data[450000:451000]
    a = a.decode("utf-8", "ignore").encode()
    b = b.decode("utf-8", "ignore").encode()
    middle = b"\n\nnothing to see here\n\n"
    joined = a + middle + b
    [res] = env.check("-", stdin=joined)
    top = res["matches"][0]
    eq(top["path"], "long.txt", "top match of joined excerpts")
    places = sorted(r["source"][0] - r["query"][0] for r in top["regions"])
    ok(data.find(a) in places, f"first excerpt's place in {places}")
    ok(data.find(b) - (len(a) + len(middle)) in places,
       f"second excerpt's place in {places}")
    for r in top["regions"]:
        eq(data[r["source"][0]:r["source"][1]],
           joined[r["query"][0]:r["query"][1]], "joined region texts")


def test_rewrapped_and_quoted(env):
    docs = corpus(env, n=10)
    env.run("add", "-c", "fs", "-k", "internal", env.path("corpus"))
    name = "dept1/doc04.txt"
    text = docs[name]
    variants = {
        "rewrapped.txt": wrap(text, 41),
        "quoted.txt": wrap(text, 60, "> "),
        "double-quoted-crlf.txt": wrap(text, 50, ">> ").replace("\n", "\r\n"),
        "smart.txt": text.replace(" the ", " \u201cthe\u201d ")
                         .replace(".", ".\u00a0"),
        "hyphenated.txt": text.replace("distribution",
                                       "distri-\nbution"),
    }
    for fname, body in variants.items():
        env.write("v/" + fname, body)
    results = {r["path"]: r for r in env.check(env.path("v"))}
    eq(sorted(results), sorted(variants), "checked items")
    for fname, res in results.items():
        top = res["matches"][0]
        eq(top["path"], name, f"{fname}: top path")
        ok(top["coverage"] >= 0.99, f"{fname}: coverage {top['coverage']}")
        ok(top["source_coverage"] >= 0.99,
           f"{fname}: source_coverage {top['source_coverage']}")
        eq(top["exact"], False, f"{fname}: exact")
        eq(res["verdict"], "internal-only", f"{fname}: verdict")


def test_unrelated_no_match(env):
    corpus(env, n=10)
    env.run("add", "-c", "dump", "-k", "release", env.path("corpus"))
    env.write("new.txt", prose(424242, 800))
    [res] = env.check(env.path("new.txt"))
    eq(res["matches"], [], "matches")
    eq(res["verdict"], "unknown", "verdict")
    eq(res["coverage"], {"release": 0, "internal": 0, "any": 0}, "coverage")
    eq(res["first_release"], None, "first_release")
    out, _, _ = env.run("check", env.path("new.txt"))
    ok("no passage found" in out, "text report says nothing was found")


def test_exact_duplicate(env):
    docs = corpus(env, n=5)
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("corpus"))
    env.write("copy.txt", docs["dept2/doc02.txt"])
    [res] = env.check(env.path("copy.txt"))
    top = res["matches"][0]
    eq(top["exact"], True, "exact")
    eq(top["coverage"], 1, "coverage")
    eq(top["source_coverage"], 1, "source_coverage")
    eq(top["path"], "dept2/doc02.txt", "path")
    eq(top["sha256"], hashlib.sha256(docs["dept2/doc02.txt"].encode())
       .hexdigest(), "sha256")
    eq(res["sha256"], top["sha256"], "query sha256")
    eq(len(res["matches"]), 1, "only the copy matches")
    eq(res["verdict"], "released", "verdict")
    # --timing: one line per item on stderr, stdout unchanged
    env.write("other.txt", prose(77, 200))
    out, err, _ = env.run("check", "--json", "--timing", env.path("copy.txt"),
                          env.path("other.txt"))
    eq(len(out.splitlines()), 2, "two reports")
    lines = err.splitlines()
    eq(len(lines), 2, err)
    for line, name in zip(lines, ("copy.txt", "other.txt")):
        m = re.fullmatch(r"spoor check: timing: (\d+\.\d{3}) ms (.*)", line)
        ok(m and m.group(2).endswith(name), line)
        ok(0 < float(m.group(1)) < 60000, line)


def test_verdicts_first_release_postdates(env):
    memo = prose(11, 700)
    budget = prose(12, 700)
    plan = prose(13, 700)
    env.write("internal/memo.txt", memo)
    env.write("internal/budget.txt", budget)
    env.write("internal/plan.txt", plan)
    env.write("d1/budget.txt", budget)
    env.write("d2/budget-copy.txt", budget)
    env.write("d2/memo-half.txt", memo[:len(memo) // 3])
    env.run("add", "-c", "fileserver", "-k", "internal", "-d", "2014-12-15",
            env.path("internal"))
    env.run("add", "-c", "dump-2", "-k", "release", "-d", "2014-12-08",
            env.path("d2"))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("d1"))
    env.run("event", "breach-discovered", "2014-11-24")
    env.run("event", "containment", "2014-12-10")
    mail = (f"From: a@x.example\nTo: b@y.example\nSubject: plan\n"
            f"Date: Wed, 03 Dec 2014 10:11:12 +0000\nMessage-ID: <p@x>\n\n"
            f"{plan}")
    env.write("s/budget.txt", budget)
    env.write("s/memo.txt", memo)
    env.write("s/plan.eml", mail)
    env.write("s/claim.txt", prose(14, 500))
    res = {r["path"]: r for r in env.check(env.path("s"))}
    eq(res["budget.txt"]["verdict"], "released", "budget verdict")
    eq(res["budget.txt"]["first_release"],
       {"collection": "dump-1", "date": "2014-12-01"}, "budget first_release")
    eq(res["memo.txt"]["verdict"], "partially-released", "memo verdict")
    eq(res["memo.txt"]["first_release"],
       {"collection": "dump-2", "date": "2014-12-08"}, "memo first_release")
    ok(0.25 < res["memo.txt"]["coverage"]["release"] < 0.4,
       f"memo release coverage {res['memo.txt']['coverage']}")
    eq(res["memo.txt"]["coverage"]["internal"], 1, "memo internal coverage")
    eq(res["plan.eml"]["verdict"], "internal-only", "plan verdict")
    eq(res["plan.eml"]["first_release"], None, "plan first_release")
    eq(res["plan.eml"]["dates"],
       [{"field": "date", "value": "2014-12-03T10:11:12Z",
         "source": "Date header"}], "plan dates")
    eq([p["event"] for p in res["plan.eml"]["postdates"]],
       ["breach-discovered"], "plan postdates")
    eq(res["plan.eml"]["postdates"][0]["date"], "2014-11-24", "event date")
    eq(res["claim.txt"]["verdict"], "unknown", "claim verdict")
    # matches sorted by coverage, highest first
    for r in res.values():
        covs = [m["coverage"] for m in r["matches"]]
        eq(covs, sorted(covs, reverse=True), "matches order")
    # the budget is in three collections: all three listed
    eq(sorted(m["collection"] for m in res["budget.txt"]["matches"]),
       ["dump-1", "dump-2", "fileserver"], "budget occurrences")
    # restricting to a collection
    [r] = env.check(env.path("s/memo.txt"), opts=("-c", "fileserver"))
    eq([m["collection"] for m in r["matches"]], ["fileserver"], "-c filter")
    eq(r["verdict"], "internal-only", "-c filtered verdict")
    # text report carries the verdict line and the postdated event
    out, _, _ = env.run("check", env.path("s/plan.eml"))
    ok("verdict   internal-only" in out, "text verdict")
    ok("breach-discovered (2014-11-24)" in out, "text postdates")


def test_bad_input_reported(env):
    env.write("in/good1.txt", prose(21, 300))
    env.write("in/good2.txt", prose(22, 300))
    os.symlink("/etc/passwd", env.path("in/link-out"))
    os.mkfifo(env.path("in/fifo"))
    out, err, rc = env.run("add", "-c", "c", env.path("in"),
                           env.path("missing.txt"), expect=1)
    ok("link-out: skipped: symbolic link not followed" in err, err)
    ok("fifo: skipped: not a regular file" in err, err)
    ok("missing.txt: skipped: No such file or directory" in err, err)
    ok("added 2 items" in out and "3 skipped" in out, out)
    ok("link-out: symbolic link not followed" in out, "summary lists skips")
    cols = env.run("collections", "--json")[0].splitlines()
    eq(json.loads(cols[0])["items"], 2, "good files still ingested")
    # a check of a missing file is an error naming it; others still checked
    out, err, _ = env.run("check", "--json", env.path("nope.txt"),
                          env.path("in/good1.txt"), expect=1)
    ok("nope.txt" in err, err)
    lines = [json.loads(x) for x in out.splitlines()]
    eq(len(lines), 2, "the good file is still checked")
    ok("No such file" in lines[0]["error"] and lines[0]["path"] == "nope.txt"
       and lines[1]["path"] == "good1.txt", lines)
    # no index: a clear error
    _, err, _ = env.run("--index", env.path("no-index"), "check",
                        env.path("in/good1.txt"), index=False, expect=1)
    ok("no index at" in err, err)


def test_encodings(env):
    text = ("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u2014 na\u00efve r\u00e9sum\u00e9 " +
            prose(31, 300))
    env.write("src/orig.txt", text.encode("utf-8"))
    env.run("add", "-c", "src", env.path("src"))
    env.write("q/utf16le.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    env.write("q/utf16be.txt", b"\xfe\xff" + text.encode("utf-16-be"))
    env.write("q/utf8bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    env.write("q/latin1.txt", text.replace("\u2014", "-").encode("latin-1"))
    res = {r["path"]: r for r in env.check(env.path("q"))}
    eq(res["utf16le.txt"]["encoding"], "utf-16le", "utf-16le")
    eq(res["utf16be.txt"]["encoding"], "utf-16be", "utf-16be")
    eq(res["utf8bom.txt"]["encoding"], "utf-8", "utf-8 bom")
    eq(res["latin1.txt"]["encoding"], "windows-1252", "latin-1 fallback")
    ok("fallback" in res["latin1.txt"]["warning"], "fallback is reported")
    ok("warning" not in res["utf16le.txt"], "no warning for clean utf-16")
    for name, r in res.items():
        eq(r["format"], "text", name)
        ok(r["matches"] and r["matches"][0]["coverage"] >= 0.99,
           f"{name}: {r['matches'][:1]}")
    # the text report names the encoding too; show --text prints UTF-8
    out, _, _ = env.run("show", "--text", env.path("q/utf16le.txt"))
    eq(out, text, "decoded text")


def test_email_and_mbox(env):
    b1, b2, b3, att = (prose(41, 250), prose(42, 250), prose(43, 250),
                       prose(44, 250))
    qp = b2.replace(" the ", " the=\n ")  # soft line breaks
    html = "<html><body><p>" + b3.replace("\n\n", "</p><p>") + \
           "</p><script>var secret = 1;</script></body></html>"
    m1 = ("From: Alice <alice@studio.example>\nTo: bob@studio.example\n"
          "Subject: one\nDate: Tue, 02 Dec 2014 09:00:00 -0800\n"
          "Message-ID: <one@studio.example>\nMIME-Version: 1.0\n"
          "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
          "Content-Type: text/plain; charset=utf-8\n"
          "Content-Transfer-Encoding: base64\n\n" +
          base64.encodebytes(b1.encode()).decode() + "\n--XX\n"
          "Content-Type: text/plain; name=notes.txt\n"
          "Content-Disposition: attachment; filename=notes.txt\n"
          "Content-Transfer-Encoding: base64\n\n" +
          base64.encodebytes(att.encode()).decode() + "\n--XX--\n")
    m2 = ("From: bob@studio.example\nTo: alice@studio.example\n"
          "Subject: two\nDate: Wed, 03 Dec 2014 10:00:00 +0000\n"
          "Message-ID: <two@studio.example>\nMIME-Version: 1.0\n"
          "Content-Type: text/plain; charset=utf-8\n"
          "Content-Transfer-Encoding: quoted-printable\n\n" + qp)
    m3 = ("From: carol@studio.example\nTo: alice@studio.example\n"
          "Subject: three\nDate: Thu, 04 Dec 2014 11:00:00 +0000\n"
          "MIME-Version: 1.0\nContent-Type: multipart/alternative; "
          "boundary=YY\n\n--YY\nContent-Type: text/html; charset=utf-8\n\n" +
          html + "\n--YY--\n")
    mbox = ("From alice Tue Dec  2 09:00:00 2014\n" + m1 + "\n" +
            "From bob Wed Dec  3 10:00:00 2014\n" + m2 + "\n" +
            "From carol Thu Dec  4 11:00:00 2014\n" + m3)
    env.write("mail/box.mbox", mbox)
    env.write("mail/single.eml", m2)
    out, _, _ = env.run("add", "-c", "mail", "-k", "internal",
                        env.path("mail"))
    ok("mbox 1" in out and "eml 4" in out and "text 1" in out, out)

    def top(text):
        [r] = env.check("-", stdin=text.encode())
        return r["matches"][0]["path"] if r["matches"] else None

    eq(top(b1[100:500]), "box.mbox!<one@studio.example>", "base64 body")
    eq(top(att[100:500]), "box.mbox!<one@studio.example>!notes.txt",
       "attachment")
    paths = sorted(m["path"] for m in env.check("-", stdin=b2[100:500].encode())
                   [0]["matches"])
    eq(paths, ["box.mbox!<two@studio.example>", "single.eml"],
       "qp body, stored once, two paths")
    eq(top(b3[100:500]), "box.mbox!message-3", "html body")
    _, _, rc = env.run("check", "-", stdin=b"var secret = 1;")
    res = {r["path"]: r for r in env.check(env.path("mail/box.mbox"))}
    eq(sorted(res), ["box.mbox", "box.mbox!<one@studio.example>",
                     "box.mbox!<one@studio.example>!notes.txt",
                     "box.mbox!<two@studio.example>", "box.mbox!message-3"],
       "nested items")
    eq(res["box.mbox"]["format"], "mbox", "mbox format")
    eq(res["box.mbox!<one@studio.example>"]["dates"][0]["value"],
       "2014-12-02T17:00:00Z", "Date header in UTC")
    ok("secret" not in env.run("show", "--text",
                               "mail:box.mbox!message-3")[0],
       "script text is not extracted")
    show = json.loads(env.run("show", "--json",
                              "mail:box.mbox!<one@studio.example>")[0])
    eq(show["metadata"]["subject"], "one", "subject metadata")
    eq(show["metadata"]["message-id"], "one@studio.example", "message-id")


def mail(frm, to, subject, date, msgid, body, cc=None, extra=""):
    """An RFC 5322 message as text."""
    return (f"From: {frm}\nTo: {to}\n" + (f"Cc: {cc}\n" if cc else "") +
            f"Subject: {subject}\nDate: {date}\nMessage-ID: <{msgid}>\n" +
            extra + "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n")


def test_headers_are_metadata(env):
    """An email's header block (From, To, Cc, Date, Subject) neither seeds
    nor counts: a new message between correspondents whose mail was
    released, under the same long subject, matches nothing; its body still
    does, and a region never reaches into the block; header-like lines
    quoted in a body are body text and count."""
    to = ", ".join(f"Person Number{i} <person.number{i}@studio.example>"
                   for i in range(6))
    subject = "Quarterly restructuring of the visual effects department"
    frm = "Alice Longname-Example <alice.longname@studio.example>"
    released = [mail(frm, to, subject, f"Tue, 0{d} Dec 2014 09:00:00 +0000",
                     f"r{d}@studio.example", wrap(prose(900 + d, 120), 70),
                     cc=to) for d in range(1, 4)]
    env.write("dump/box.mbox", "".join(
        f"From alice Tue Dec  2 09:00:00 2014\n{m}\n" for m in released))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-05",
            env.path("dump"))
    new = mail(frm, to, subject, "Mon, 05 Jan 2015 09:00:00 +0000",
               "new@studio.example", wrap(prose(990, 120), 70), cc=to)
    env.write("q/new.eml", new)
    [r] = env.check(env.path("q/new.eml"))
    eq(r["verdict"], "unknown", "new message between released people")
    eq(r["matches"], [], "headers link nothing")
    eq(r["coverage"]["any"], 0, "no coverage from headers")
    # the same body as a released message: found, regions in the body only
    body = wrap(prose(902, 120), 70)
    reply = mail(frm, to, subject, "Mon, 05 Jan 2015 09:00:00 +0000",
                 "again@studio.example", body, cc=to)
    env.write("q/again.eml", reply)
    [r] = env.check(env.path("q/again.eml"))
    eq(r["verdict"], "released", "same body")
    text = env.run("show", "--text", "dump:box.mbox!<r2@studio.example>")[0]
    head = text.index("\n\n") + 2
    qhead = reply.index("\n\n")  # the query's own text starts the same way
    for m in r["matches"]:
        for g in m["regions"]:
            ok(g["source"][0] >= head, f"region {g} in the source's body")
    d = json.loads(env.run("diff", "--json", env.path("q/again.eml"),
                           "dump:box.mbox!<r2@studio.example>")[0])
    ok(d["coverage_a"] == 1 and d["coverage_b"] == 1,
       f"diff: the same body, headers aside: {d}")
    # a forwarded header block quoted in a body is body text
    fwd_body = ("---------- Forwarded message ----------\n"
                f"From: {frm}\nTo: {to}\nCc: {to}\nSubject: {subject}\n\n"
                + wrap(prose(995, 60), 70))
    env.write("int/fwd.txt", fwd_body)
    env.run("add", "-c", "int", "-k", "internal", env.path("int"))
    fwd = mail("carol@studio.example", "dan@studio.example", "fyi",
               "Mon, 05 Jan 2015 10:00:00 +0000", "fwd@studio.example",
               fwd_body)
    [r] = env.check("-", stdin=fwd.encode())
    ok(r["matches"] and r["matches"][0]["path"] == "fwd.txt",
       "quoted header lines count as body text")
    ok(r["coverage"]["internal"] > 0.95, r["coverage"])
    del qhead


def test_numbers_keep_their_value(env):
    """14.00 and 1.4, 1.0.4 and 1.04, 140 and 14.0 differ in canonical
    text: diff does not call texts that differ in a figure identical, while
    14.00 and 14 (the same value) still match."""
    base = prose(960, 60)
    tail = prose(961, 60)
    for a, b, same in (("EUR 14.00 million", "EUR 1.4 million", False),
                       ("version 1.0.4", "version 1.04", False),
                       ("140 units", "14.0 units", False),
                       ("EUR 14.00 million", "EUR 14 million", True)):
        pa = env.write("n/a.txt", f"{base} {a} {tail}")
        pb = env.write("n/b.txt", f"{base} {b} {tail}")
        out, _, _ = env.run("diff", "--json", pa, pb, index=False)
        d = json.loads(out)
        regions = d["regions"]
        if same:
            eq(len(regions), 1, f"{a} / {b}: one passage")
            ok(d["coverage_a"] == 1, f"{a} / {b}: {d}")
        else:  # the figure breaks the passage in two
            ok(len(regions) == 2, f"{a} / {b} must differ: {d}")
            at = len(base) + 1
            ok(at <= regions[0]["a"][1] <= at + len(a) and
               at <= regions[1]["a"][0] <= at + len(a),
               f"{a}: the break is at the figure: {regions}")


GPL_NOTICE = (
    "This program is free software: you can redistribute it and/or modify "
    "it under the terms of the GNU General Public License as published by "
    "the Free Software Foundation, either version 3 of the License, or (at "
    "your option) any later version. This program is distributed in the "
    "hope that it will be useful, but WITHOUT ANY WARRANTY; without even "
    "the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR "
    "PURPOSE. See the GNU General Public License for more details.")
MIT_NOTICE = (
    "Permission is hereby granted, free of charge, to any person obtaining "
    "a copy of this software and associated documentation files (the "
    "Software), to deal in the Software without restriction, including "
    "without limitation the rights to use, copy, modify, merge, publish, "
    "distribute, sublicense, and/or sell copies of the Software.")
APACHE_NOTICE = (
    "Licensed under the Apache License, Version 2.0 (the License); you may "
    "not use this file except in compliance with the License. You may "
    "obtain a copy of the License at the Apache web site. Unless required "
    "by applicable law or agreed to in writing, software distributed under "
    "the License is distributed on an AS IS BASIS, WITHOUT WARRANTIES OR "
    "CONDITIONS OF ANY KIND, either express or implied.")
LIST_FOOTER = (
    "_______________________________________________\n"
    "studio-talk mailing list -- studio-talk@lists.studio.example\n"
    "To unsubscribe send an email to studio-talk-leave@lists.studio.example\n"
    "List information and archives: https://lists.studio.example/studio-talk\n"
    "Hosting for this list is kindly sponsored by the Example Foundation.")


def c_file(notice, seed):
    return ("/*\n" + wrap(notice, 70, " * ") + "\n */\n\n" +
            "\n".join(f"int f{seed}_{i}(void) {{ return {seed * 7 + i}; }}"
                      f" /* {prose(seed * 31 + i, 9)} */" for i in range(12)))


def test_boilerplate_licences_and_lists(env):
    """Licence headers added as a boilerplate collection and list footers
    repeated across threads count for nothing: a new GPL-, MIT- or
    Apache-headed file of a released tree is unknown, and so is a new list
    message whose only shared text is the footer; a reply quoting a
    released message is partially-released; one shared line in a long text
    is listed but does not make the verdict."""
    for name, notice in (("gpl", GPL_NOTICE), ("mit", MIT_NOTICE),
                         ("apache", APACHE_NOTICE)):
        env.write(f"licences/{name}.txt", notice)
        for i in range(12):
            env.write(f"tree/{name}/f{i}.c", c_file(notice, 100 * len(name) + i))
    env.run("add", "-c", "licences", "-k", "boilerplate",
            env.path("licences"))
    env.run("add", "-c", "src-dump", "-k", "release", "-d", "2014-12-01",
            env.path("tree"))
    for name, notice in (("gpl", GPL_NOTICE), ("mit", MIT_NOTICE),
                         ("apache", APACHE_NOTICE)):
        env.write(f"q/{name}.c", c_file(notice, 9000 + len(name)))
        [r] = env.check(env.path(f"q/{name}.c"))
        eq(r["verdict"], "unknown", f"new {name}-headed file: {r}")
        eq(r["coverage"]["release"], 0, f"{name}: no release evidence")
        ok(r["boilerplate_coverage"] > 0.2, f"{name}: {r}")
        eq([m["collection"] for m in r["matches"]], ["licences"],
           f"{name}: only the licence is listed")
        ok(r["matches"][0]["boilerplate"], f"{name}: marked boilerplate")
    # a mailing list: 15 threads of two messages, each with the footer
    msgs = []
    for t in range(15):
        root = mail(f"p{t}@studio.example", "studio-talk@lists.studio.example",
                    f"topic {t}", f"Mon, 0{1 + t % 9} Dec 2014 09:00:00 +0000",
                    f"t{t}@studio.example",
                    wrap(prose(1200 + t, 90), 70) + "\n\n" + LIST_FOOTER)
        body = wrap(prose(1300 + t, 40), 70) + "\n\n" + \
            wrap(prose(1200 + t, 90), 70, "> ") + "\n\n" + LIST_FOOTER
        reply = mail(f"q{t}@studio.example", "studio-talk@lists.studio.example",
                     f"Re: topic {t}",
                     f"Tue, 0{1 + t % 9} Dec 2014 09:00:00 +0000",
                     f"r{t}@studio.example", body,
                     extra=f"In-Reply-To: <t{t}@studio.example>\n"
                     f"References: <t{t}@studio.example>\n")
        msgs += [root, reply]
    env.write("list/studio-talk.mbox", "".join(
        f"From list Mon Dec  1 09:00:00 2014\n{m}\n" for m in msgs))
    env.run("add", "-c", "list-dump", "-k", "release", "-d", "2014-12-10",
            env.path("list"))
    new = mail("z@studio.example", "studio-talk@lists.studio.example",
               "a new topic", "Mon, 05 Jan 2015 09:00:00 +0000",
               "new@studio.example",
               wrap(prose(1400, 90), 70) + "\n\n" + LIST_FOOTER)
    [r] = env.check("-", stdin=new.encode())
    eq(r["verdict"], "unknown", f"footer only: {r['verdict_basis']}")
    eq(r["first_release"], None, "no first release from a footer")
    quoting = mail("z@studio.example", "studio-talk@lists.studio.example",
                   "Re: topic 3", "Mon, 05 Jan 2015 09:00:00 +0000",
                   "new2@studio.example",
                   wrap(prose(1401, 150), 70) + "\n\n" +
                   wrap(prose(1203, 90), 70, "> ") + "\n\n" + LIST_FOOTER)
    [r] = env.check("-", stdin=quoting.encode())
    eq(r["verdict"], "partially-released", r["verdict_basis"])
    eq(r["first_release"]["collection"], "list-dump", "first release")
    ok("beyond boilerplate and headers" in r["verdict_basis"], r)
    # one shared line (a footer left untranslated) in a long new text
    line = "Generated by the studio documentation robot, build 2014-11-03."
    env.write("man/page.txt", prose(1500, 500) + "\n" + line)
    env.run("add", "-c", "man-dump", "-k", "release", "-d", "2014-12-02",
            env.path("man"))
    env.write("q/translated.txt", prose(1501, 500) + "\n" + line)
    [r] = env.check(env.path("q/translated.txt"))
    eq(r["verdict"], "unknown", r["verdict_basis"])
    eq([m["path"] for m in r["matches"]], ["page.txt"], "still listed")
    ok("nothing of substance in releases (shared pieces under 100" in
       r["verdict_basis"], r)
    out, _, _ = env.run("check", env.path("q/translated.txt"))
    ok("basis     nothing of substance" in out and "first in" not in out, out)
    # two lines (still under the minimum of evidence)
    lines = line + "\n" + prose(1502, 10)
    env.write("man2/page.txt", prose(1503, 500) + "\n" + lines)
    env.run("add", "-c", "man-dump2", "-k", "release", "-d", "2014-12-02",
            env.path("man2"))
    env.write("q/translated2.txt", prose(1504, 500) + "\n" + lines)
    [r] = env.check(env.path("q/translated2.txt"))
    eq(r["verdict"], "unknown", r["verdict_basis"])
    ok("under the minimum for partially-released" in r["verdict_basis"], r)


def test_short_paste_below_guarantee(env):
    """A paste under G = 63 canonical characters says so (JSON, text and
    HTML); every k-gram of it is looked up, so more than half of 50-byte pastes
    of an indexed text are still found."""
    docs = corpus(env, n=5, words=600)
    env.run("add", "-c", "c", "-k", "internal", env.path("corpus"))
    found = 0
    samples = []
    for i, (rel, text) in enumerate(sorted(docs.items())):
        for j in range(4):
            start = 200 + 431 * j + 17 * i
            samples.append(text[start:start + 50])
    for paste in samples:
        [r] = env.check("-", stdin=paste.encode())
        ok(r["below_guarantee"] and r["compared_chars"] < 63, r)
        ok("under the 63" in r["verdict_basis"], r["verdict_basis"])
        found += bool(r["matches"])
    ok(found >= len(samples) // 2, f"found {found} of {len(samples)}")
    out, _, _ = env.run("check", "-", stdin=samples[0].encode())
    ok("under the 63 a shared passage needs" in out, out)
    env.run("check", "--html", env.path("r.html"), "-",
            stdin=samples[0].encode())
    with open(env.path("r.html"), encoding="utf-8") as f:
        ok("under the 63 a shared passage needs" in f.read(), "HTML note")
    [r] = env.check("-", stdin=docs["dept0/doc00.txt"][:400].encode())
    ok(not r["below_guarantee"], "400 characters are above G")


def test_time_order_and_origin(env):
    """A parent at t0, a reply at t1 quoting it and a later message at t2
    quoting the reply: checking the reply lists the parent first (earlier)
    and the t2 message after it (later), though t2 holds all of the reply;
    each region names its origin and first release. A document mostly in
    dump-2 with one line in dump-1 has first_release dump-2; an exact copy
    is one region; a source holding a passage many times reports it once."""
    parent_body = wrap(prose(1600, 150), 70)
    parent = mail("ann@x.example", "bob@x.example", "plan",
                  "Mon, 01 Dec 2014 09:00:00 +0000", "p@x.example",
                  parent_body)
    reply_body = wrap(prose(1601, 120), 70) + "\n\n" + \
        wrap(prose(1600, 150), 68, "> ")
    reply = mail("bob@x.example", "ann@x.example", "Re: plan",
                 "Tue, 02 Dec 2014 09:00:00 +0000", "r@x.example", reply_body,
                 extra="In-Reply-To: <p@x.example>\n")
    later = mail("cy@x.example", "ann@x.example", "Fwd: plan",
                 "Fri, 05 Dec 2014 09:00:00 +0000", "l@x.example",
                 wrap(prose(1602, 60), 70) + "\n\n" +
                 wrap(reply_body, 66, "> "))
    env.write("dump/parent.eml", parent)
    env.write("dump/later.eml", later)
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-08",
            env.path("dump"))
    env.write("q/reply.eml", reply)
    [r] = env.check(env.path("q/reply.eml"))
    paths = [m["path"] for m in r["matches"]]
    eq(paths, ["parent.eml", "later.eml"], "the parent first")
    eq([m["relation"] for m in r["matches"]], ["earlier", "later"],
       "relations")
    ok(r["matches"][1]["coverage"] > r["matches"][0]["coverage"],
       "the later copy holds more of the reply")
    eq(r["matches"][0]["source_time"], "2014-12-01T09:00:00Z", "its time")
    at = r["header_bytes"] + reply_body.index("> ")  # the quote, in the text
    [g] = r["matches"][1]["regions"]  # the later copy: one region, two parts
    own, quoted = g["origins"]
    eq(own["path"], "later.eml", "the reply's own text is first in t2")
    eq(quoted["path"], "parent.eml", "the quoted text comes from t0")
    ok(abs(quoted["query"][0] - at) < 8 and
       0 <= quoted["query"][0] - own["query"][1] < 10,
       f"parts meet at the quote: {g}")
    eq(quoted["first_release"]["collection"], "dump", "first release")
    [g] = r["matches"][0]["regions"]
    eq([o["path"] for o in g["origins"]], ["parent.eml"], "parent's part")
    out, _, _ = env.run("check", env.path("q/reply.eml"))
    ok(out.index("parent.eml") < out.index("later.eml") and
       "earlier 2014-12-01T09:00:00Z" in out and "later 2014-12-05" in out,
       out)
    # first release by substance
    line = "The quarterly figures were reviewed by the audit committee."
    env.write("d1/notes.txt", prose(1610, 300) + "\n" + line)
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("d1"))
    doc = prose(1611, 400) + "\n" + line
    env.write("d2/report.txt", doc)
    env.run("add", "-c", "dump-2", "-k", "release", "-d", "2014-12-08",
            env.path("d2"))
    env.write("q/report.txt", wrap(doc, 50))
    [r] = env.check(env.path("q/report.txt"))
    eq(r["verdict"], "released", r["verdict_basis"])
    eq(r["first_release"]["collection"], "dump-2", "not the one line")
    [r] = env.check(env.path("d2/report.txt"))
    top = r["matches"][0]
    ok(top["exact"], "exact copy")
    eq(len(top["regions"]), 1, "an exact copy is one region")
    # a passage the source holds 300 times is reported once
    para = prose(1620, 40)
    env.write("rep/rep.txt", "\n".join([para] * 300))
    env.run("add", "-c", "rep", env.path("rep"))
    [r] = env.check("-", stdin=(prose(1621, 80) + "\n" + para).encode())
    m = [m for m in r["matches"] if m["path"] == "rep.txt"][0]
    eq(len(m["regions"]), 1, f"one region, not 300: {len(m['regions'])}")
    # a large check stays proportional: 1.5 MB made of 300 paragraphs that
    # the source holds many times over gives one region per passage, at
    # most 1,000 listed, and a JSON line far smaller than the input
    paras = [prose(1700 + i, 80) for i in range(300)]
    rng = random.Random(7)
    env.write("big/src.txt", "\n".join(rng.choice(paras) for _ in range(3000)))
    env.run("add", "-c", "big", env.path("big"))
    query = "\n".join(rng.choice(paras) for _ in range(3000))
    env.write("q/big.txt", query)
    out, _, _ = env.run("check", "--json", env.path("q/big.txt"))
    [r] = [json.loads(x) for x in out.splitlines()]
    [m] = [m for m in r["matches"] if m["path"] == "src.txt"]
    ok(len(m["regions"]) <= 1000 and len(out) < len(query) / 2,
       f"{len(m['regions'])} regions, {len(out)} bytes of JSON for "
       f"{len(query)} bytes")
    ok(m["coverage"] > 0.99, "all of it is found")
    # an item with many sources: seven colours, the rest grouped in grey
    common = prose(1630, 80)
    for i in range(10):
        env.write(f"many/d{i}.txt", prose(1640 + i, 100) + "\n" + common)
    env.run("add", "-c", "many", env.path("many"))
    env.run("check", "--html", env.path("many.html"), "-",
            stdin=(prose(1660, 60) + "\n" + common).encode())
    with open(env.path("many.html"), encoding="utf-8") as f:
        page = f.read()
    ok("and 3 other sources, in grey</summary>" in page, "legend grouped")
    ok(len(set(re.findall(r'<li><span class="sw s(\d)">', page))) == 8,
       "seven colours and grey")


def test_whole_file_answers(env):
    """A file's own record answers for what it holds: a saved email that
    starts with its mbox 'From ' line reads as that email; a zip of one
    released and one new document, and an email whose attachment was
    released, get their verdict, coverage and first release on their own
    line, which comes after their members' and lists them."""
    rel_doc = prose(1700, 400)
    rel_mail_body = wrap(prose(1701, 200), 70)
    env.write("dump/memo.txt", rel_doc)
    env.write("dump/mail.eml", mail("a@x.example", "b@x.example", "memo",
                                    "Mon, 01 Dec 2014 09:00:00 +0000",
                                    "m@x.example", rel_mail_body))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-05",
            env.path("dump"))
    saved = "From a Mon Dec  1 09:00:00 2014\n" + mail(
        "c@x.example", "d@x.example", "Fwd: memo",
        "Mon, 05 Jan 2015 09:00:00 +0000", "s@x.example", rel_mail_body)
    env.write("q/saved.eml", saved)
    [r] = env.check(env.path("q/saved.eml"))
    eq((r["format"], r["verdict"]), ("eml", "released"), "saved email")
    ok(r["text_bytes"] > 500 and r["coverage"]["release"] > 0.95, r)
    eq(r["first_release"]["collection"], "dump-1", "first release")
    env.write("q/z/both.zip", formats.zip_of([
        ("released.txt", rel_doc.encode()),
        ("new.txt", prose(1702, 400).encode())]))
    res = env.check(env.path("q/z/both.zip"))
    eq([x["path"] for x in res], ["both.zip!released.txt", "both.zip!new.txt",
                                 "both.zip"], "members first, then the zip")
    z = res[-1]
    eq(z["verdict"], "partially-released", z["verdict_basis"])
    ok(0.4 < z["coverage"]["release"] < 0.6, z["coverage"])
    eq(z["first_release"]["collection"], "dump-1", "zip's first release")
    eq(z["summary"]["members"], 2, "two members")
    eq(sorted((m["path"], m["verdict"]) for m in z["members"]),
       [("both.zip!new.txt", "unknown"),
        ("both.zip!released.txt", "released")], "members listed")
    ok(z["members"][0]["sources"][0]["path"] == "memo.txt", z["members"])
    att = formats.mime_with_attachment(
        wrap(prose(1703, 60), 70), "memo.txt", rel_doc.encode(),
        "e@x.example", "Tue, 06 Jan 2015 09:00:00 +0000")
    env.write("q/att.eml", att)
    res = env.check(env.path("q/att.eml"))
    e = res[-1]
    eq(e["path"], "att.eml", "the email's own record last")
    eq(e["own"]["verdict"], "unknown", "its body alone is new")
    ok(e["verdict"] in ("released", "partially-released"), e)
    ok(e["coverage"]["release"] > 0.7, e["coverage"])
    eq(e["first_release"]["collection"], "dump-1", "through the attachment")
    out, _, _ = env.run("check", env.path("q/att.eml"))
    ok("members   1: 1 released" in out and "its own text: unknown" in out,
       out)
    # show lists a container's members, and reads a member of a file that
    # is not in the index, so every offset of a report can be checked
    out, _, _ = env.run("show", "--json", env.path("q/z/both.zip"))
    eq([m["path"] for m in json.loads(out)["members"]],
       [env.path("q/z/both.zip!released.txt"),
        env.path("q/z/both.zip!new.txt")], "members of a file")
    member = env.path("q/z/both.zip!released.txt")
    text, _, _ = env.run("show", "--text", member)
    eq(text, rel_doc, "a member's text")
    res = env.check(env.path("q/z/both.zip"))
    for g in res[0]["matches"][0]["regions"]:
        ok(g["query"][1] <= len(text), "offsets index into show --text")
    env.run("add", "-c", "later", env.path("q/z"))
    out, _, _ = env.run("show", "later:both.zip")
    ok("members   2" in out and "both.zip!new.txt (text" in out, out)
    _, err, _ = env.run("show", env.path("q/z/both.zip!nothing.txt"),
                        expect=1)
    ok("no such item" in err, err)


def test_threads(env):
    """spoor thread groups a generated mailbox's messages into threads by
    Message-ID, In-Reply-To and References (a reply naming only its parent
    joins too), orders them by date under their parents, and marks the
    inclusive ones: those no later message holds whole. check names the
    thread of an email match."""
    def q(text):
        return wrap(text, 68, "> ")
    a0, a1b, a2b, a3b = (prose(1800 + i, 120) for i in range(4))
    msgs = [
        ("a0", None, None, 1, wrap(a0, 70)),
        ("a1", "a0", None, 2, wrap(a1b, 70) + "\n\n" + q(a0)),
        ("a2", "a1", "<a0@x> <a1@x>", 3,
         wrap(a2b, 70) + "\n\n" + q(a1b + "\n\n" + a0)),
        ("a3", "a0", None, 4, wrap(a3b, 70) + "\n\n" + q(a0[:300])),
        ("b0", None, None, 1, wrap(prose(1810, 120), 70)),
        ("b1", "b0", None, 2, wrap(prose(1811, 120), 70)),
        ("c0", None, None, 5, wrap(prose(1820, 120), 70)),
        ("c1", "c0", None, 6, wrap(prose(1821, 120), 70)),
        ("c2", "c1", None, 7, wrap(prose(1822, 120), 70)),
    ]
    box = ""
    for mid, irt, refs, day, body in msgs:
        extra = (f"In-Reply-To: <{irt}@x>\n" if irt else "") + \
            (f"References: {refs}\n" if refs else "")
        box += "From x Mon Dec  1 09:00:00 2014\n" + mail(
            f"{mid}@x.example", "list@x.example", f"topic {mid[0]}",
            f"Mon, 0{day} Dec 2014 09:00:00 +0000", f"{mid}@x", body,
            extra=extra) + "\n"
    env.write("mail/box.mbox", box)
    env.run("add", "-c", "mail", "-k", "release", "-d", "2014-12-10",
            env.path("mail"))
    out, _, _ = env.run("thread", "--json", "mail:box.mbox!<a1@x>")
    t = [json.loads(line) for line in out.splitlines()]
    eq([m["message_id"] for m in t], ["a0@x", "a1@x", "a2@x", "a3@x"],
       "thread a in date order")
    eq([m["inclusive"] for m in t], [False, False, True, True],
       "inclusive: a2 holds a1 and a0; a3 quotes a0 in part")
    eq([m["depth"] for m in t], [0, 1, 2, 1], "depths")
    ids = {m["message_id"]: m["item"] for m in t}
    eq(t[0]["contained_in"], ids["a1@x"], "a0 is inside a1")
    eq(t[2]["parent"], ids["a1@x"], "a2 answers a1")
    out, _, _ = env.run("thread", "--json", "mail:box.mbox!<b1@x>")
    eq([json.loads(x)["message_id"] for x in out.splitlines()],
       ["b0@x", "b1@x"], "thread b")
    out, _, _ = env.run("thread", "--json", "mail:box.mbox!<c0@x>")
    eq([json.loads(x)["message_id"] for x in out.splitlines()],
       ["c0@x", "c1@x", "c2@x"], "c2 names only c1 and still joins")
    out, _, _ = env.run("thread", "mail:box.mbox!<a2@x>")
    ok("4 messages, 2 inclusive (marked *)" in out and "(this item)" in out,
       out)
    [r] = env.check("-", stdin=a2b.encode())
    eq(r["matches"][0]["thread"], "a0@x", "check names the thread")
    env.write("plain.txt", prose(1830, 100))
    env.run("add", "-c", "docs", env.path("plain.txt"))
    _, err, _ = env.run("thread", "docs:plain.txt", expect=1)
    ok("is not an email" in err, err)


def test_opendocument_and_structure(env):
    """OpenDocument text, spreadsheet and presentation files, and their flat
    XML forms, are read as documents (text in order, tracked deletions and
    comments kept, number cells by value, dates from meta.xml), not as zips
    of XML; a zip that stores a .docx uncompressed is a zip holding a docx
    (detection reads the central directory, not bytes found anywhere)."""
    B, P = prose(1900, 120), prose(1901, 90)
    files = {
        "office/report.odt": formats.odf("odt", [B, P]),
        "office/report.fodt": formats.flat_odf("odt", [prose(1902, 60), P]),
        "office/budget.ods": formats.odf("ods", [["Item", "Amount"],
                                                [P, 1234.5],
                                                ["Total", 17095.0]]),
        "office/budget.fods": formats.flat_odf("ods", [[P, 3.25]]),
        "office/slides.odp": formats.odf("odp", [B, P]),
        "office/stored.zip": formats.zip_of(
            [("memo.docx", formats.docx([prose(1903, 60), P]))],
            compression=zipfile.ZIP_STORED),
    }
    for rel, data in files.items():
        env.write("leak/" + rel, data)
    out, _, _ = env.run("add", "-c", "leak", "-k", "release", "-d",
                        "2014-12-08", env.path("leak"))
    for fmt in ("odt 1", "fodt 1", "ods 1", "fods 1", "odp 1", "zip 1",
                "docx 1"):
        ok(fmt in out, f"summary counts {fmt}: {out}")
    [res] = env.check("-", stdin=P[50:350].encode())
    cov = {m["path"]: m["coverage"] for m in res["matches"]}
    for path in ("office/report.odt", "office/report.fodt",
                 "office/budget.ods", "office/budget.fods",
                 "office/slides.odp", "office/stored.zip!memo.docx"):
        ok(cov.get(path, 0) >= 0.9, f"{path} found: {cov}")
    show = json.loads(env.run("show", "--json", "leak:office/report.odt")[0])
    eq(show["format"], "odt", "format")
    eq({d["field"]: d["value"] for d in show["dates"]},
       {"created": "2014-11-06T08:00:00", "modified": "2014-12-05T09:30:00"},
       "dates from meta.xml")
    eq(show["metadata"]["creator"], "Spoor Test", "initial creator")
    text = env.run("show", "--text", "leak:office/report.odt")[0]
    ok("deleted words kept" in text and "reviewer comment kept" in text and
       "<text:p>" not in text, text[:300])
    sheet = env.run("show", "--text", "leak:office/budget.ods")[0]
    ok(sheet.startswith("Budget\nItem\tAmount\n") and "\t1234.5\n" in sheet
       and "Total\t17095\n" in sheet and len(sheet) < 2000,
       f"cells by value, repeats bounded: {sheet[:200]!r}")
    # a CSV export of the sheet matches it
    csv = f'Item,Amount\n"{P}","1,234.50"\nTotal,"17,095.00"\n'
    [r] = env.check("-", stdin=csv.encode())
    ok(r["matches"] and r["matches"][0]["path"] == "office/budget.ods" and
       r["matches"][0]["coverage"] >= 0.9, f"CSV finds its ods: {r}")


def test_compressed_text_and_empty_archives(env):
    """A single compressed file of text (gz, bz2, xz) is that text, even
    one whose lines look like an mtree archive (libarchive is given only
    the formats spoor means); a compressed stream of anything else holds it
    as a member; an archive that yields no member is reported, not silent."""
    import bz2
    import gzip
    import lzma
    P = prose(1950, 200)
    # lines an mtree reader bids on, before the text
    mtree = "#mtree\n./a type=file size=10\n" + prose(1954, 200)
    env.write("c/notes.txt.gz", gzip.compress(P.encode()))
    env.write("c/notes.txt.bz2", bz2.compress(prose(1951, 200).encode()))
    env.write("c/notes.txt.xz", lzma.compress(prose(1952, 200).encode()))
    env.write("c/changelog.gz", gzip.compress(mtree.encode()))
    env.write("c/report.pdf.gz", gzip.compress(formats.pdf(
        [formats.wrap_words(prose(1953, 80))])))
    env.write("c/zeros.gz", gzip.compress(b"\0" * (8 << 20)))
    out, err, _ = env.run("add", "-c", "c", "-k", "release", env.path("c"),
                          expect=1)
    for fmt in ("gz 3", "bz2 1", "xz 1", "pdf 1"):
        ok(fmt in out, f"{fmt}: {out}")
    ok("zeros.gz!(no members): skipped: " in err and
       "hold no file" in err, f"an empty archive is reported: {err}")
    for text, path in ((P, "notes.txt.gz"), (prose(1951, 200),
                                             "notes.txt.bz2"),
                       (prose(1952, 200), "notes.txt.xz"),
                       (mtree, "changelog.gz")):
        [r] = env.check("-", stdin=text[100:700].encode())
        eq(r["matches"][0]["path"], path, f"{path} is its text")
        ok(r["matches"][0]["coverage"] > 0.95, r["matches"][0])
    [r] = env.check("-", stdin=prose(1953, 80)[50:400].encode())
    eq(r["matches"][0]["path"], "report.pdf.gz!data", "a pdf in a gz")


def test_nothing_silent(env):
    """A document that yields no text is named in add's summary and marked
    in check's output; an input check cannot read gets a JSON line with an
    error; check reads a FIFO or a process substitution as a stream."""
    env.write("d/empty.docx", formats.docx([]))
    env.write("d/empty.odp", formats.odf("odp", []))
    env.write("d/full.txt", prose(1960, 200))
    out, _, _ = env.run("add", "-c", "d", env.path("d"))
    ok("no text found (empty, or only images) in 2:" in out and
       "empty.docx (docx)" in out and "empty.odp (odp)" in out, out)
    [r] = env.check(env.path("d/empty.docx"))
    eq(r["status"], "no-text", "status")
    ok("no text found in this docx" in r["warning"], r["warning"])
    res = env.check(env.path("d/full.txt"), env.path("d/missing.txt"),
                    expect=1)
    eq(len(res), 2, "a line per input")
    ok(res[1]["input"].endswith("missing.txt") and "error" in res[1] and
       "No such file" in res[1]["error"], res[1])
    fifo = env.path("pipe")
    os.mkfifo(fifo)
    import threading

    def feed():
        with open(fifo, "w") as f:
            f.write(prose(1960, 200)[100:600])
    t = threading.Thread(target=feed)
    t.start()
    [r] = env.check(fifo)
    t.join()
    eq(r["matches"][0]["path"], "full.txt", "a FIFO is read as a stream")
    p = subprocess.run(["bash", "-c", f'"$0" --index "$1" check --json '
                        f'<(head -c 700 "$2")', SPOOR, env.index,
                        env.path("d/full.txt")], capture_output=True,
                       text=True, timeout=60)
    eq(p.returncode, 0, p.stderr)
    eq(json.loads(p.stdout)["matches"][0]["path"], "full.txt",
       "process substitution")


MAKE_MSG = os.environ.get("MAKE_MSG", "make_msg")


def test_outlook_msg(env):
    """Outlook .msg files (OLE2, written by tests/support/make_msg with
    libgsf) are read as emails: header block as metadata, the plain, HTML
    or compressed-RTF body, submit and delivery times, attachments and
    attached messages as children; a damaged one is skipped with its
    reason, in a child process."""
    P, A, E = prose(1970, 90), prose(1971, 150), prose(1972, 150)
    for name, text in (("body.txt", "Hello team.\n\n" + P), ("att.txt", A),
                       ("emb.txt", E), ("h.html", f"<p>{prose(1973, 120)}</p>"),
                       ("b.rtf", "{\\rtf1\\ansi\\deff0 {\\fonttbl{\\f0 Times;}}"
                        + prose(1974, 120) + "}")):
        env.write("src/" + name, text)
    os.makedirs(env.path("leak"))

    def make(out, *args):
        subprocess.run([MAKE_MSG, env.path("leak/" + out)] + list(args),
                       check=True, cwd=env.path("src"), timeout=60)
    make("plan.msg", "-s", "Budget plan", "-f", "Alice Example", "-e",
         "alice@studio.example", "-t", "Bob <bob@studio.example>", "-i",
         "<m1@studio.example>", "-T", "1417510800", "-b", "body.txt", "-a",
         "notes.txt=att.txt", "-E", "Fwd: old=emb.txt")
    make("html.msg", "-s", "html", "-T", "1417510800", "-H", "h.html")
    make("rtf.msg", "-s", "rtf", "-T", "1417510800", "-r", "b.rtf")
    with open(env.path("leak/plan.msg"), "rb") as f:
        damaged = bytearray(f.read())
    damaged[0x40:0x4c] = b"\xff" * 12  # the header's sector tables
    env.write("leak/damaged.msg", bytes(damaged))
    out, err, _ = env.run("add", "-c", "leak", "-k", "release", "-d",
                          "2014-12-08", env.path("leak"), expect=1)
    ok("msg 3" in out and "damaged.msg: skipped: not a readable OLE2" in err
       and "WARNING" not in err, out + err)
    for text, path in ((P, "plan.msg"), (A, "plan.msg!notes.txt"),
                       (E, "plan.msg!message-2"), (prose(1973, 120),
                                                   "html.msg"),
                       (prose(1974, 120), "rtf.msg")):
        [r] = env.check("-", stdin=text[50:450].encode())
        ok(r["matches"] and r["matches"][0]["path"] == path and
           r["matches"][0]["coverage"] >= 0.9, f"{path}: {r['matches'][:1]}")
    show = json.loads(env.run("show", "--json", "leak:plan.msg")[0])
    eq(show["format"], "msg", "format")
    eq({d["field"]: d["value"] for d in show["dates"]},
       {"submitted": "2014-12-02T09:00:00Z",
        "delivered": "2014-12-02T09:01:00Z"}, "MAPI times")
    eq(show["metadata"]["message-id"], "m1@studio.example", "message id")
    eq(show["metadata"]["from"], "Alice Example <alice@studio.example>",
       "sender")
    # the header block is metadata: another message with the same headers
    # and a new body shares nothing
    env.write("src/new.txt", prose(1975, 90))
    make("../q.msg", "-s", "Budget plan", "-f", "Alice Example", "-e",
         "alice@studio.example", "-t", "Bob <bob@studio.example>", "-T",
         "1420070400", "-b", "new.txt")
    [r] = env.check(env.path("q.msg"))
    ok(r["header_bytes"] > 0 and r["matches"] == [], r)


def test_ocr_of_scans(env):
    """A picture of a page (PNG) and an image-only PDF (the page rasterised
    with mutool and wrapped again) get their text by OCR, marked with its
    page count and confidence, and are found from the original text;
    --no-ocr reads none, and the scan is then named as without text."""
    P = prose(1980, 70)
    env.write("o/page.pdf", formats.pdf([formats.wrap_words(P)]))
    subprocess.run(["mutool", "draw", "-q", "-r", "150", "-o",
                    env.path("o/page.png"), env.path("o/page.pdf"), "1"],
                   check=True, timeout=60)
    subprocess.run(["mutool", "convert", "-O", "compress", "-o",
                    env.path("o/scan.pdf"), env.path("o/page.png")],
                   check=True, timeout=60, capture_output=True)
    os.remove(env.path("o/page.pdf"))
    env.write("released/memo.txt", P)
    env.run("add", "-c", "dump", "-k", "release", env.path("released"))
    for name, fmt in (("page.png", "png"), ("scan.pdf", "pdf")):
        [r] = env.check(env.path("o/" + name))
        eq(r["format"], fmt, name)
        ok(r["ocr"]["pages"] == 1 and r["ocr"]["confidence"] > 50, r)
        ok(r["matches"] and r["matches"][0]["path"] == "memo.txt" and
           r["coverage"]["release"] >= 0.9, f"{name}: {r['coverage']}")
        eq(r["verdict"], "released", name)
    out, _, _ = env.run("check", env.path("o/scan.pdf"))
    ok("ocr       text read by OCR from 1 picture" in out, out)
    [r] = env.check(env.path("o/page.png"), opts=("--no-ocr",))
    ok("ocr" not in r and r["format"] == "png" and r["approximate"], r)
    out, _, _ = env.run("add", "-c", "scans", "--no-ocr", env.path("o"))
    ok("no text found (empty, or only images) in 1:" in out and
       "scan.pdf (pdf)" in out, out)


def test_overlap_and_timeline(env):
    """Collection-level answers from the index alone: what each release
    took of the internal documents (new, or seen in an earlier release),
    the first release of each internal document, and the matrix of items
    sharing substance between collections; a shared disclaimer (added as
    boilerplate) counts for nothing."""
    disclaimer = ("CONFIDENTIAL. This document is the property of the studio "
                  "and may not be copied or shown to anyone outside it "
                  "without written permission from its legal department.")
    docs = {f"doc{i}.txt": prose(2000 + i, 250) + "\n\n" + disclaimer
            for i in range(6)}
    for name, text in docs.items():
        env.write("fs/" + name, text)
    env.write("d1/a.txt", docs["doc0.txt"])
    env.write("d1/b.txt", docs["doc1.txt"])
    env.write("d1/part.txt", prose(2010, 150) + "\n" +
              docs["doc2.txt"][:700])
    env.write("d1/other.txt", prose(2011, 200) + "\n\n" + disclaimer)
    env.write("d2/again.txt", docs["doc1.txt"])
    env.write("d2/new.txt", docs["doc3.txt"])
    env.write("lic/disclaimer.txt", disclaimer)
    env.run("add", "-c", "legal", "-k", "boilerplate", env.path("lic"))
    env.run("add", "-c", "fileserver", "-k", "internal", env.path("fs"))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("d1"))
    env.run("add", "-c", "dump-2", "-k", "release", "-d", "2014-12-08",
            env.path("d2"))
    out, _, _ = env.run("timeline", "--json", "--items")
    lines = [json.loads(x) for x in out.splitlines()]
    rel = [x for x in lines if "collection" in x and "internal_items" in x]
    eq([(r["collection"], r["internal_items"], r["new"], r["seen_before"])
        for r in rel], [("dump-1", 3, 3, 0), ("dump-2", 2, 1, 1)],
       "what each release took")
    first = {x["path"]: x["first_release"] and x["first_release"]["collection"]
             for x in lines if "internal_item" in x}
    eq(first, {"doc0.txt": "dump-1", "doc1.txt": "dump-1",
               "doc2.txt": "dump-1", "doc3.txt": "dump-2", "doc4.txt": None,
               "doc5.txt": None}, "first releases")
    out, _, _ = env.run("overlap", "--json", "-c", "fileserver", "-c",
                        "dump-1", "-c", "dump-2")
    pairs = {(x["a"], x["b"]): x for x in map(json.loads, out.splitlines())}
    eq(len(pairs), 6, "ordered pairs of 3 collections")
    fs1 = pairs[("fileserver", "dump-1")]
    eq((fs1["items"], fs1["items_total"]), (3, 6), "fileserver in dump-1")
    eq(pairs[("dump-1", "fileserver")]["items"], 3,
       "dump-1's items from the file server (not other.txt: only the "
       "disclaimer)")
    eq(pairs[("dump-2", "dump-1")]["items"], 1, "dump-2 repeats one")
    ok(0 < fs1["chars"] < fs1["chars_total"], fs1)
    out, _, _ = env.run("overlap", "--items", "-c", "dump-2", "-c", "dump-1")
    ok("dump-2:again.txt  in dump-1" in out, out)
    _, err, _ = env.run("overlap", "-c", "nope", expect=1)
    ok("not in the index" in err, err)


def test_overlap_and_timeline_of_two_dumps(env):
    """The case of the issue: 30 internal documents; a first dump holds 10
    of them whole; a second holds 5 others in part (the first half of
    each), 3 from the first dump again and a note of its own; all share a
    footer (boilerplate by --common). overlap: 10 and 8 internal items, no
    link of the footer alone; timeline: 10 new, then 5 new and 3 seen
    before. Counts and characters are the same for any --jobs, and the
    thresholds given on the command line apply."""
    footer = ("This message and any attachment are confidential and "
              "intended solely for the addressee. If you received it in "
              "error, delete it and notify the sender at once. Opinions "
              "expressed are those of the author, not of the studio.")
    body = {i: prose(3100 + i, 120 + 7 * i) for i in range(30)}
    for i in range(30):
        env.write(f"fs/doc{i:02d}.txt", body[i] + "\n\n" + footer)
    for i in range(10):
        env.write(f"d1/doc{i:02d}.txt", body[i] + "\n\n" + footer)
    for i in range(10, 15):
        env.write(f"d2/half{i}.txt", body[i][:len(body[i]) // 2])
    for i in range(3):
        env.write(f"d2/again{i}.txt", body[i] + "\n\n" + footer)
    env.write("d2/note.txt", prose(3200, 90) + "\n\n" + footer)
    env.run("add", "-c", "fileserver", "-k", "internal", env.path("fs"))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2015-01-10",
            env.path("d1"))
    env.run("add", "-c", "dump-2", "-k", "release", "-d", "2015-02-20",
            env.path("d2"))
    common = ("--common", "20")  # the footer: in 31 distinct contents
    out, _, _ = env.run("timeline", "--json", *common)
    eq([(r["collection"], r["date"], r["internal_items"], r["new"],
         r["seen_before"]) for r in map(json.loads, out.splitlines())],
       [("dump-1", "2015-01-10", 10, 10, 0),
        ("dump-2", "2015-02-20", 8, 5, 3)], "timeline")
    runs = {}
    for jobs in ("1", "2"):
        out, _, _ = env.run("overlap", "--json", "-j", jobs, *common)
        runs[jobs] = out
    eq(runs["1"], runs["2"], "the same answer for -j 1 and -j 2")
    pairs = {(x["a"], x["b"]): x for x in map(json.loads,
                                               runs["1"].splitlines())}
    eq(sorted(pairs), [("dump-1", "dump-2"), ("dump-1", "fileserver"),
                       ("dump-2", "dump-1"), ("dump-2", "fileserver"),
                       ("fileserver", "dump-1"), ("fileserver", "dump-2")],
       "ordered pairs")
    eq({k: (p["items"], p["items_total"]) for k, p in pairs.items()},
       {("fileserver", "dump-1"): (10, 30), ("fileserver", "dump-2"): (8, 30),
        ("dump-1", "fileserver"): (10, 10), ("dump-1", "dump-2"): (3, 10),
        ("dump-2", "fileserver"): (8, 9), ("dump-2", "dump-1"): (3, 9)},
       "items sharing substance (not note.txt: the footer alone)")
    fs1, d1fs = pairs[("fileserver", "dump-1")], pairs[("dump-1", "fileserver")]
    # dump-1 holds 10 of the file server's contents whole: the characters
    # the file server shares with it are all of dump-1's substance
    eq(fs1["chars"], d1fs["chars_total"], "whole copies: every character")
    eq(d1fs["chars"], d1fs["chars_total"], "dump-1 is all in the file server")
    fs2, d2fs = pairs[("fileserver", "dump-2")], pairs[("dump-2", "fileserver")]
    eq(fs2["chars"], d2fs["chars"], "the same passages, seen from both sides")
    ok(d2fs["chars"] < d2fs["chars_total"], d2fs)  # the note is its own
    ok(0 < fs2["chars"] < fs2["chars_total"], fs2)
    # a share of a half is under --min-share 0.6 and --released-min 0.8:
    # only the 3 whole copies count in dump-2 then
    out, _, _ = env.run("overlap", "--json", "-c", "fileserver", "-c",
                        "dump-2", "--min-share", "0.6", *common)
    got = {(x["a"], x["b"]): x["items"] for x in map(json.loads,
                                                     out.splitlines())}
    eq(got[("fileserver", "dump-2")], 3, "--min-share applies")
    # without --common the footer is not boilerplate (31 < 100 items):
    # the note then links to every document holding it
    out, _, _ = env.run("overlap", "--json", "-c", "dump-2", "-c",
                        "fileserver")
    [d2] = [x for x in map(json.loads, out.splitlines())
            if x["a"] == "dump-2"]
    eq(d2["items"], 9, "the footer counts when it is not boilerplate")
    _, err, _ = env.run("overlap", "--min-share", "2", expect=2)
    ok("--min-share needs a number in [0, 1]" in err, err)
    # the pages: a heat map and a bar chart, names escaped, no script
    env.run("collections", "rename", "dump-2", "dump <2>")
    env.run("overlap", "--html", env.path("o.html"), *common)
    env.run("timeline", "--html", env.path("t.html"), *common)
    def read(name):
        with open(env.path(name), encoding="utf-8") as f:
            return f.read()
    for page in (read("o.html"), read("t.html")):
        ok("default-src 'none'" in page and "<script" not in page and
           "dump &lt;2&gt;" in page and "dump <2>" not in page, page[:300])
    page = read("o.html")
    ok(re.search(r'<td class="num heat" style="background:rgba\(176,58,46,'
                 r'0\.80\);[^"]*" title="dump-1 in fileserver"><b>10</b> of '
                 r'10<br><small>100\.0% of items, 100\.0% of text', page),
       "dump-1 whole in the file server: the darkest cell")
    ok(page.count('class="diag"') == 3, "a diagonal of three")
    page = read("t.html")
    ok("<svg" in page and "10 internal: 10 new, 0 seen before" in page and
       "8 internal: 5 new, 3 seen before" in page, page)
    # a document held whole in two collections and nowhere else (no check:
    # the join says it shares nothing): all of it is shared
    env.write("x1/solo.txt", prose(3150, 200))
    env.write("x2/solo.txt", prose(3150, 200))
    env.run("add", "-c", "x1", env.path("x1"))
    env.run("add", "-c", "x2", env.path("x2"))
    out, _, _ = env.run("overlap", "--json", "-c", "x1", "-c", "x2")
    for x in map(json.loads, out.splitlines()):
        ok(x["items"] == x["items_total"] == 1 and
           x["chars"] == x["chars_total"] > 1000, x)


def test_verify_and_damage(env):
    """Every segment bucket and stored text carries a checksum: verify
    reads the whole index (exit 0 when sound, 1 naming what is damaged);
    flipped bits in a segment, a segment swapped for another valid one, a
    damaged stored text and random bytes in the catalogue are all found,
    and check answers no item from damaged data: that item gets an error
    naming the damage, and the batch goes on."""
    import sqlite3
    docs = {f"a/doc{i}.txt": prose(3300 + i, 400) for i in range(6)}
    docs.update({f"b/doc{i}.txt": prose(3400 + i, 400) for i in range(6)})
    for name, text in docs.items():
        env.write(name, text)
    env.run("add", "-c", "a", env.path("a"))
    env.run("add", "-c", "b", env.path("b"))
    out, _, _ = env.run("verify")
    ok(out.startswith("index sound: 2 segments (") and "12 stored texts" in
       out and out.endswith("; 0 problems\n"), out)
    [tot] = [json.loads(x) for x in env.run("verify", "--json")[0].splitlines()]
    ok(tot["sound"] and tot["segments"] == 2 and tot["texts"] == 12 and
       tot["postings"] > 100 and tot["problems"] == 0, tot)
    segs = sorted(f for f in os.listdir(env.index) if f.endswith(".spx"))
    paths = [os.path.join(env.index, f) for f in segs]
    saved = {p: open(p, "rb").read() for p in paths}
    # flipped bits in the postings of one segment
    data = bytearray(saved[paths[0]])
    rng = random.Random(17)
    for _ in range(10):
        i = rng.randrange(len(data) // 2, len(data))
        data[i] ^= 1 << rng.randrange(8)
    with open(paths[0], "wb") as f:
        f.write(data)
    out, _, _ = env.run("verify", expect=1)
    ok(f"damaged: {segs[0]}: segment '{segs[0]}' is damaged: bucket " in out
       and "fails its checksum" in out and "index DAMAGED" in out, out)
    inputs = sorted(docs)
    out, err, _ = env.run("check", "--json",
                          *[env.path(n) for n in inputs], expect=1)
    lines = [json.loads(x) for x in out.splitlines()]
    eq(len(lines), len(inputs), "one line per input: the batch went on")
    bad = [x for x in lines if "error" in x]
    ok(bad and all("not answered: segment" in x["error"] and
                   "fails its checksum" in x["error"] for x in bad), bad)
    good = [x for x in lines if "error" not in x]
    ok(all(x["verdict"] == "internal-only" or x["verdict"] == "unknown"
           for x in good), good)
    # another valid segment in its place: refused by its identity
    with open(paths[0], "wb") as f:
        f.write(saved[paths[1]])
    _, err, _ = env.run("check", env.path(inputs[0]), expect=1)
    ok(f"segment '{segs[0]}' is not the file the catalogue registered" in
       err, err)
    _, err, _ = env.run("verify", expect=1)
    ok("is not the file the catalogue registered" in err, err)
    with open(paths[0], "wb") as f:
        f.write(saved[paths[0]])
    env.run("verify")
    # a damaged stored text: verify names the content, check does not
    # answer from it
    db = os.path.join(env.index, "catalogue.sqlite")
    con = sqlite3.connect(db)
    cid, blob = con.execute(
        "SELECT c.id, t.z FROM contents c JOIN items i ON "
        "i.content_id = c.id JOIN texts t ON t.content_id = c.id "
        "WHERE i.path = 'doc3.txt' AND i.collection_id ="
        " (SELECT id FROM collections WHERE name = 'a')").fetchone()
    blob = bytearray(blob)
    blob[len(blob) // 2] ^= 0x10
    con.execute("UPDATE texts SET z = ? WHERE content_id = ?",
                (bytes(blob), cid))
    con.commit()
    con.close()
    out, _, _ = env.run("verify", expect=1)
    ok(f"damaged: content {cid} (a:doc3.txt): index " in out and
       f"stored text of content {cid} is damaged" in out, out)
    # an excerpt must be verified against the stored text (an exact copy
    # is known by its sha256 and needs none)
    env.write("q/excerpt.txt", docs["a/doc3.txt"][500:1500])
    out, _, _ = env.run("check", "--json", env.path("q/excerpt.txt"),
                        env.path("b/doc3.txt"), expect=1)
    a3, b3 = [json.loads(x) for x in out.splitlines()]
    ok("error" in a3 and f"stored text of content {cid} is damaged" in
       a3["error"], a3)
    ok("error" not in b3 and b3["matches"][0]["path"] == "doc3.txt", b3)
    # random bytes in the catalogue, on a page past the first (its page
    # size is in the header, bytes 16-17)
    with open(db, "r+b") as f:
        f.seek(16)
        page = int.from_bytes(f.read(2), "big")
        f.seek(page * 3)
        f.write(bytes(random.Random(3).randrange(256) for _ in range(2000)))
    out, err, _ = env.run("verify", expect=1)
    ok("damaged: catalogue:" in out + err, out + err)


def test_read_only_media(env):
    """A cleanly closed index on a read-only mount (tmpfs remounted
    read-only, as root) answers every read command as it does on writable
    storage, with no -shm file there; add says the storage cannot be
    written. Skipped (exit 77) where mounting is not allowed."""
    for i in range(4):
        env.write(f"in/doc{i}.txt", prose(3500 + i, 300))
    env.write("q.txt", prose(3502, 300)[200:1400])
    env.run("add", "-c", "files", "-k", "release", "-d", "2015-03-01",
            env.path("in"))
    ok(not any(f.endswith("-shm") for f in os.listdir(env.index)),
       "a cleanly closed index has no -shm file")
    mnt = env.path("ro")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                       mnt], capture_output=True).returncode != 0:
        print("skipped: mounting a tmpfs is not allowed here")
        env.close()
        sys.exit(77)
    try:
        ro = os.path.join(mnt, "index")
        shutil.copytree(env.index, ro)
        files = sorted(os.listdir(ro))
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        reads = (("stats", "--json"), ("collections", "--json"),
                 ("check", "--json", env.path("q.txt")),
                 ("show", "--json", "files:doc2.txt"), ("verify",),
                 ("overlap", "--json"), ("timeline", "--json"))
        for args in reads:
            mine, _, _ = env.run(*args)
            there, err, _ = env.run("--index", ro, *args, index=False)
            if args[0] == "stats":
                mine, there = (json.loads(x) for x in (mine, there))
                for k in ("index", "bytes_on_disk"):
                    mine.pop(k, None), there.pop(k, None)
            if args[0] == "verify":
                mine, there = mine.split(":")[0], there.split(":")[0]
            eq(there, mine, f"{args[0]} on read-only media")
        eq(sorted(os.listdir(ro)), files, "nothing written there")
        _, err, _ = env.run("--index", ro, "add", "-c", "more",
                            env.path("q.txt"), index=False, expect=1)
        ok("cannot be written (Read-only file system)" in err, err)
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def test_concurrent_writers(env):
    """Ten races of two adds started at the same moment into a new index
    (the second time into the same collection): both succeed, nothing is
    lost or duplicated, and a writer that finds the index taken says who
    holds it and waits."""
    for i in range(3):
        env.write(f"a/doc{i}.txt", prose(3600 + i, 200))
        env.write(f"b/doc{i}.txt", prose(3700 + i, 200))
    spoor = os.environ["SPOOR"]
    waited = 0
    for race in range(10):
        index = env.path(f"race{race}")
        names = ("ca", "cb") if race % 2 == 0 else ("same", "same")
        procs = [subprocess.Popen([spoor, "--index", index, "add", "-q", "-c",
                                   name, env.path(folder)],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for name, folder in zip(names, ("a", "b"))]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            eq(p.returncode, 0, f"race {race}: {err.decode()}")
            waited += b"is being written by another process" in err
        out, _, _ = env.run("--index", index, "collections", "--json",
                            index=False)
        cols = {c["name"]: c["items"] for c in map(json.loads,
                                                    out.splitlines())}
        eq(cols, {"ca": 3, "cb": 3} if names[0] == "ca" else {"same": 6},
           f"race {race}: every item once")
        env.run("--index", index, "verify", index=False)
    ok(waited > 0, "no writer ever waited: the races did not overlap")
    # a writer held up by another: the message names the holder
    env.run("add", "-c", "first", env.path("a"))
    lock = os.path.join(env.index, "lock")
    import fcntl
    with open(lock, "r+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write("pid 4242 since 2015-01-01T00:00:00Z\n")
        f.flush()
        p = subprocess.Popen([spoor, "--index", env.index, "add", "-q", "-c",
                              "second", env.path("b")],
                             stderr=subprocess.PIPE)
        time.sleep(1.0)
        eq(p.poll(), None, "the second writer waits")
        fcntl.flock(f, fcntl.LOCK_UN)
    _, err = p.communicate(timeout=60)
    eq(p.returncode, 0, err.decode())
    ok(b"is being written by another process (pid 4242 since "
       b"2015-01-01T00:00:00Z); waiting for it to finish" in err, err)


def test_collections_rm(env):
    """collections rm takes a collection away with its items and the
    contents no other collection holds: their texts at once, their
    postings as tombstones that lookups skip until optimize drops them; a
    content added afterwards never takes a removed one's id. An add whose
    every input fails leaves no collection behind."""
    shared = prose(3800, 300)
    for i in range(3):
        env.write(f"a/doc{i}.txt", prose(3810 + i, 300))
    env.write("a/shared.txt", shared)
    env.write("b/shared.txt", shared)
    env.write("b/own.txt", prose(3820, 300))
    env.run("add", "-c", "a", env.path("a"))
    env.run("add", "-c", "b", env.path("b"))
    before = json.loads(env.run("stats", "--json")[0])
    [r] = env.check("-", stdin=prose(3811, 300)[100:900].encode())
    eq([m["collection"] for m in r["matches"]], ["a"], "found in a")
    out, _, _ = env.run("collections", "rm", "a")
    ok("removed collection 'a': 4 items, and 3 contents no other "
       "collection held" in out, out)
    [r] = env.check("-", stdin=prose(3811, 300)[100:900].encode())
    eq(r["matches"], [], "a removed document is found nowhere")
    [r] = env.check(env.path("a/shared.txt"))
    eq([m["collection"] for m in r["matches"]], ["b"], "b keeps its copy")
    env.run("verify")
    env.write("c/new.txt", prose(3830, 300))
    env.run("add", "-c", "c", env.path("c"))
    [r] = env.check("-", stdin=prose(3830, 300)[100:900].encode())
    eq([(m["collection"], m["path"]) for m in r["matches"]],
       [("c", "new.txt")], "a new content is found (its id is new)")
    out, _, _ = env.run("optimize")
    ok(out.startswith("merged "), out)
    after = json.loads(env.run("stats", "--json")[0])
    ok(after["postings"] < before["postings"], (before, after))
    eq(after["contents"], 3, "b's two and c's one")
    env.run("verify")
    [r] = env.check("-", stdin=prose(3830, 300)[100:900].encode())
    eq(len(r["matches"]), 1, "still found after the merge")
    _, err, _ = env.run("collections", "rm", "a", expect=1)
    ok("no collection 'a'" in err, err)
    _, err, _ = env.run("add", "-c", "typo", "-k", "release", "-d",
                        "2015-01-01", env.path("nope"), expect=1)
    ok("typo: nothing was added, so the collection was not created" in err,
       err)
    out, _, _ = env.run("collections", "--json")
    eq(sorted(json.loads(x)["name"] for x in out.splitlines()), ["b", "c"],
       "no empty collection left behind")


def test_check_c_isolation(env):
    """check -c A answers the same whatever other collections hold: their
    candidates do not take the --max-sources places of A's."""
    parts = [prose(3900 + i, 120) for i in range(6)]
    query = "\n\n".join(parts)
    for i, p in enumerate(parts):
        env.write(f"base/part{i}.txt", prose(3950 + i, 60) + "\n\n" + p)
    env.write("q.txt", query)
    env.run("add", "-c", "base", env.path("base"))
    args = ("--max-sources", "3", "-c", "base")
    [alone] = env.check(env.path("q.txt"), opts=args)
    eq(len(alone["matches"]), 3, "three sources verified")
    eq(alone["sources_not_verified"], 3, "three left")
    for i in range(10):  # each holds the whole query: better candidates
        env.write(f"other/copy{i}.txt", query + "\n\n" + prose(3970 + i, 50))
    env.run("add", "-c", "other", env.path("other"))
    [after] = env.check(env.path("q.txt"), opts=args)
    eq(after, alone, "the same answer with another collection added")
    [every] = env.check(env.path("q.txt"), opts=("--max-sources", "3"))
    eq({m["collection"] for m in every["matches"]}, {"other"},
       "without -c the better candidates win")


def test_disk_full(env):
    """An add that fills the disk (a 3 MiB tmpfs, as root) fails, leaves no
    segment behind, and the next small add succeeds; the index stays sound.
    Skipped (exit 77) where mounting is not allowed."""
    mnt = env.path("small")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs",
                       mnt], capture_output=True).returncode != 0:
        print("skipped: mounting a tmpfs is not allowed here")
        env.close()
        sys.exit(77)
    try:
        index = os.path.join(mnt, "index")
        env.write("first/a.txt", prose(4000, 300))
        for i in range(120):  # ~16 MB of text: more than the disk holds
            env.write(f"big/doc{i}.txt",
                      "\n".join(prose(4100 + 50 * i + j, 400)
                                for j in range(20)))
        env.write("last/b.txt", prose(4001, 300))
        env.run("--index", index, "add", "-c", "first", env.path("first"),
                index=False)
        _, err, _ = env.run("--index", index, "add", "-c", "big",
                            env.path("big"), index=False, expect=1)
        ok("disk is full" in err or "No space left" in err, err)
        segs = [f for f in os.listdir(index) if f.startswith("seg-")]
        eq(len(segs), 1, f"only the first add's segment is left: {segs}")
        env.run("--index", index, "add", "-c", "last", env.path("last"),
                index=False)
        env.run("--index", index, "verify", index=False)
        [r] = env.check("-", stdin=prose(4001, 300)[100:900].encode(),
                        index=index)
        eq([m["collection"] for m in r["matches"]], ["last"], "the next add")
        [r] = env.check("-", stdin=prose(4000, 300)[100:900].encode(),
                        index=index)
        eq([m["collection"] for m in r["matches"]], ["first"], "kept")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def test_verdict_boundaries(env):
    """The thresholds hold on their boundary, through the CLI: coverage of
    exactly --released-min is released and of exactly --internal-min
    internal-only; a date on the event's own day does not postdate it, the
    day after does; a passage in exactly --common items is evidence, in
    one more boilerplate; a dated source is a passage's origin before an
    undated copy."""
    env.write("rel/r.txt", prose(4200, 200))
    env.write("fs/d.txt", prose(4201, 200))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2015-03-01",
            env.path("rel"))
    env.run("add", "-c", "fs", "-k", "internal", env.path("fs"))
    [r] = env.check(env.path("rel/r.txt"), opts=("--released-min", "1"))
    eq((r["verdict"], r["coverage"]), ("released", {"release": 1,
                                                    "internal": 0, "any": 1}),
       "coverage 1 with --released-min 1")
    # every field of the contract, of the item and of a match
    eq(sorted(r), sorted([
        "input", "path", "sha256", "format", "bytes", "text_bytes",
        "encoding", "dates", "verdict", "verdict_basis", "compared_chars",
        "substantive_chars", "header_bytes", "below_guarantee",
        "release_chars", "boilerplate_coverage", "coverage", "first_release",
        "postdates", "matches", "fingerprints", "boilerplate",
        "boilerplate_sources", "common_threshold", "spread",
        "sources_not_verified", "approximate"]), "the item's fields")
    [m] = r["matches"]
    eq(sorted(m), sorted([
        "collection", "kind", "date", "path", "item", "sha256", "exact",
        "coverage", "source_coverage", "evidence_chars", "relation",
        "source_time", "source_time_basis", "regions"]), "a match's fields")
    eq((m["collection"], m["kind"], m["date"], m["exact"], m["coverage"]),
       ("dump", "release", "2015-03-01", True, 1), "the match")
    eq(r["first_release"], {"collection": "dump", "date": "2015-03-01"},
       "first release")
    eq(r["substantive_chars"], r["compared_chars"], "no boilerplate")
    eq(r["release_chars"], r["compared_chars"], "all of it released")
    [r] = env.check(env.path("fs/d.txt"), opts=("--internal-min", "1"))
    eq((r["verdict"], r["coverage"]), ("internal-only", {
        "release": 0, "internal": 1, "any": 1}),
       "coverage 1 with --internal-min 1")
    eq(r["matches"][0]["kind"], "internal", "kind")
    # partially-released: at least --min-evidence characters and
    # --min-share of the item, each met exactly and missed by one step
    part = prose(4205, 300) + "\n\n" + prose(4200, 200)[:700]
    env.write("q/part.txt", part)
    [r] = env.check(env.path("q/part.txt"))
    eq(r["verdict"], "partially-released", r["verdict_basis"])
    held, share = r["release_chars"], r["coverage"]["release"]
    ok(0 < share < 1, share)
    eq(r["coverage"], {"release": share, "internal": 0, "any": share},
       "a partial copy's coverage: any is the release share")
    eq(share, round(held / r["substantive_chars"], 4), "share of substance")
    for ev, verdict in ((held, "partially-released"), (held + 1, "unknown")):
        [r] = env.check(env.path("q/part.txt"),
                        opts=("--min-evidence", str(ev)))
        eq(r["verdict"], verdict, f"--min-evidence {ev}, {held} held")
    for sh, verdict in ((share - 0.001, "partially-released"),
                        (share + 0.001, "unknown")):
        [r] = env.check(env.path("q/part.txt"),
                        opts=("--min-share", f"{sh:.4f}"))
        eq(r["verdict"], verdict, f"--min-share {sh:.4f}, share {share}")
    # --min-region: a shared passage of about 150 characters is reported
    # at --min-region 100 and not at 400
    env.write("q/short.txt", prose(4206, 120) + "\n" +
              prose(4201, 200)[300:460] + "\n" + prose(4207, 120))
    for least, n in (("100", 1), ("400", 0)):
        [r] = env.check(env.path("q/short.txt"), opts=("--min-region", least))
        eq(sum(len(m["regions"]) for m in r["matches"]), n,
           f"--min-region {least}")
    env.run("event", "breach", "2015-03-10")
    for day, wd, later in (("10", "Tue", False), ("11", "Wed", True)):
        env.write(f"q/m{day}.eml",
                  "From: a@x.example\nTo: b@x.example\nSubject: s\n"
                  f"Date: {wd}, {day} Mar 2015 12:00:00 +0000\n"
                  f"Message-ID: <m{day}@x.example>\n\n" +
                  prose(4202, 80) + "\n")
        [r] = env.check(env.path(f"q/m{day}.eml"))
        eq([p["event"] for p in r["postdates"]], ["breach"] if later else [],
           f"a message of 2015-03-{day} and the breach of 2015-03-10")
    shared = prose(4203, 60)
    for i in range(3):
        env.write(f"c/doc{i}.txt", prose(4210 + i, 100) + "\n\n" + shared)
    env.run("add", "-c", "cc", env.path("c"))
    [r] = env.check("-", stdin=shared.encode(), opts=("--common", "3"))
    eq((len(r["matches"]), r["boilerplate"]), (3, 0),
       "in exactly --common items: evidence")
    [r] = env.check("-", stdin=shared.encode(), opts=("--common", "2"))
    ok(r["matches"] == [] and r["boilerplate"] > 0,
       f"in more than --common items: boilerplate: {r}")
    body = prose(4220, 150)
    env.write("u/m.eml", "From: a@x.example\nSubject: plan\n"
              "Message-ID: <u@x.example>\n\n" + body + "\n")
    env.write("d/m.eml", "From: a@x.example\nSubject: plan\n"
              "Date: Mon, 02 Jun 2014 09:00:00 +0000\n"
              "Message-ID: <d@x.example>\n\n" + body + "\n")
    env.run("add", "-c", "undated", env.path("u"))  # the lower content id
    env.run("add", "-c", "dated", env.path("d"))
    [r] = env.check("-", stdin=body[100:700].encode(),
                    opts=("-c", "undated", "-c", "dated"))
    eq({m["regions"][0]["origins"][0]["collection"] for m in r["matches"]},
       {"dated"}, "the passage's origin: the dated source, not the undated "
       "copy with the lower id")


def test_repetitive_content_postings(env):
    """A file of one row repeated keeps at most 16 postings per fingerprint:
    far more than the row alone, far fewer than one per repetition."""
    row = prose(4300, 40) + "\n"
    env.write("one/row.txt", row)
    env.write("many/rows.txt", row * 200)
    counts = {}
    for name in ("one", "many"):
        index = env.path("ix-" + name)
        env.run("--index", index, "add", "-c", name, env.path(name),
                index=False)
        counts[name] = json.loads(env.run("--index", index, "stats",
                                          "--json", index=False)[0])["postings"]
    ok(8 * counts["one"] < counts["many"] <= 32 * counts["one"], counts)


def test_segment_durability(env):
    """A segment reaches the disk before it is renamed into place and
    registered: strace shows an fsync of it before its rename, and of the
    folder after. Skipped (exit 77) where strace cannot trace."""
    env.write("in/a.txt", prose(4400, 200))
    trace = env.path("trace")
    p = subprocess.run(["strace", "-f", "-o", trace, "-e",
                        "trace=openat,fsync,fdatasync,rename,renameat,"
                        "renameat2", os.environ["SPOOR"], "--index",
                        env.index, "add", "-c", "c", env.path("in")],
                       capture_output=True)
    if p.returncode != 0 and b"ptrace" in p.stderr.lower():
        print("skipped: strace cannot trace here")
        env.close()
        sys.exit(77)
    eq(p.returncode, 0, p.stderr.decode())
    lines = open(trace).read().splitlines()
    [ren] = [i for i, x in enumerate(lines)
             if "rename" in x and ".spx.tmp" in x]
    [opened] = [i for i, x in enumerate(lines)
                if "openat" in x and ".spx.tmp" in x and "O_CREAT" in x]
    fd = re.search(r"= (\d+)$", lines[opened]).group(1)
    ok(any(re.search(rf"\bfsync\({fd}\)", x) for x in lines[opened:ren]),
       "the segment is fsynced before its rename:\n" +
       "\n".join(lines[opened:ren + 1]))
    ok(any("fsync(" in x for x in lines[ren + 1:]),
       "and the folder after it")


def test_scripts_and_case_through_check(env):
    """Text in other scripts is compared letter by letter after case
    folding and with marks stripped, through the CLI: an upper-case copy
    of a Cyrillic and Greek memo without its accents is the same text."""
    words = ("бюджет студии сокращён на треть после утечки документов "
             "Σχέδιο αναδιάρθρωσης του στούντιο μετά τη διαρροή "
             "décision confidentielle du comité de réorganisation ").split()
    rng = random.Random(4500)
    memo = " ".join(rng.choice(words) for _ in range(160))
    env.write("rel/memo.txt", memo)
    env.run("add", "-c", "dump", "-k", "release", "-d", "2015-01-01",
            env.path("rel"))
    import unicodedata
    plain = "".join(ch for ch in unicodedata.normalize("NFD", memo.upper())
                    if not unicodedata.combining(ch))
    [r] = env.check("-", stdin=plain.encode())
    eq((r["verdict"], r["coverage"]["release"]), ("released", 1),
       "upper case, no accents: the same text")
    eq(r["compared_chars"], len("".join(ch for ch in plain if ch.isalnum())),
       "every letter of every script compared")


def test_archive_member_bound(env):
    """MAX_MEMBERS applies to archives: with --limit MAX_MEMBERS=5 a zip
    of 8 documents is read up to the bound and the rest is reported, not
    dropped in silence; the default reads all 8."""
    os.makedirs(env.path("in"), exist_ok=True)
    with zipfile.ZipFile(env.path("in/eight.zip"), "w") as z:
        for i in range(8):
            z.writestr(f"doc{i}.txt", prose(4600 + i, 80))
    out, err, _ = env.run("add", "-c", "small", "--limit", "MAX_MEMBERS=5",
                          env.path("in"), expect=1)
    ok("archive has more than MAX_MEMBERS (5)" in out + err, out + err)
    shown = json.loads(env.run("show", "--json", "small:eight.zip")[0])
    eq(len(shown["members"]), 5, "read up to the bound")
    env.run("add", "-c", "all", env.path("in"))
    shown = json.loads(env.run("show", "--json", "all:eight.zip")[0])
    eq(len(shown["members"]), 8, "all members by default")


def test_archive_formats_and_limits(env):
    """Every archive format the README names but rar (no free tool writes
    one) is read, its member found by a passage (cpio, ar, 7z, ISO 9660,
    tar.xz; a text compressed alone with bz2 or xz is that text); and
    MAX_TEXT_BYTES, MAX_MIME_PARTS and MAX_PDF_PAGES apply, named, when a
    --limit sets them low."""
    import bz2
    import lzma
    texts = {fmt: prose(4700 + i, 120) for i, fmt in enumerate(
        ("cpio", "ar", "7zip", "iso9660", "xz-tar"))}
    os.makedirs(env.path("made"))
    for fmt, text in texts.items():
        src = env.path(f"src-{fmt}")
        os.makedirs(src)
        with open(os.path.join(src, "member.txt"), "w") as f:
            f.write(text)
        out = env.path(f"made/{fmt}.arc")
        args = (["-J", "--format=ustar"] if fmt == "xz-tar"
                else [f"--format={fmt}"])
        subprocess.run(["bsdtar", "-c", *args, "-f", out, "-C", src,
                        "member.txt"], check=True, capture_output=True)
    env.write("made/alone.txt.bz2", bz2.compress(prose(4710, 120).encode()))
    env.write("made/alone.txt.xz", lzma.compress(prose(4711, 120).encode()))
    out, _, _ = env.run("add", "-c", "arc", env.path("made"))
    for fmt in ("cpio 1", "ar 1", "7z 1", "iso9660 1", "bz2 1", "xz 1"):
        ok(fmt in out, f"{fmt}: {out}")
    for fmt, text in texts.items():
        [r] = env.check("-", stdin=text[100:500].encode())
        eq([m["path"] for m in r["matches"]], [f"{fmt}.arc!member.txt"], fmt)
    for seed, name in ((4710, "alone.txt.bz2"), (4711, "alone.txt.xz")):
        [r] = env.check("-", stdin=prose(seed, 120)[100:500].encode())
        eq([m["path"] for m in r["matches"]], [name], name)
    # limits, each named where it applies
    env.write("lim/long.txt", prose(4720, 400))
    env.write("lim/parts.eml", "From: a@b\nSubject: parts\nMIME-Version: 1.0"
              "\nContent-Type: multipart/mixed; boundary=B\n\n" +
              "".join(f"--B\nContent-Type: text/plain\n\npart {i} " +
                      prose(4730 + i, 30) + "\n" for i in range(6)) + "--B--\n")
    env.write("lim/pages.pdf", formats.pdf(
        [formats.wrap_words(prose(4740 + i, 40)) for i in range(5)]))
    out, err, _ = env.run(
        "add", "-c", "lim", "--limit", "MAX_TEXT_BYTES=1000", "--limit",
        "MAX_MIME_PARTS=3", "--limit", "MAX_PDF_PAGES=2", env.path("lim"),
        expect=1)
    for name, bound in (("long.txt", "MAX_TEXT_BYTES"),
                        ("parts.eml", "MAX_MIME_PARTS"),
                        ("pages.pdf", "MAX_PDF_PAGES")):
        ok(any(name in line and bound in line for line in err.splitlines()),
           f"{name}: {bound}: {err}")


def test_cli_conveniences(env):
    """spoor help [COMMAND]; -i after the command; event --json; check
    --brief (a line per item, a tally), --csv (a header and a row per
    item, quoted as RFC 4180 wants) and --fail-on (exit 3); Ctrl-C stops an
    add cleanly, says what it kept, and the same add completes it."""
    out, _, _ = env.run("help", index=False)
    ok(out.startswith("usage: spoor") and "verify" in out, out)
    out, _, _ = env.run("help", "event", index=False)
    ok(out.startswith("usage: spoor event"), out)
    _, err, _ = env.run("help", "nope", index=False, expect=2)
    ok(err.startswith("spoor: unknown command 'nope'"), err)
    _, err, _ = env.run("nope", index=False, expect=2)
    ok(err.startswith("spoor: unknown command 'nope'"), err)
    env.write("rel/a.txt", prose(4800, 200))
    env.write("rel/b,\"odd\".txt", prose(4801, 200))
    env.run("add", "-i", env.index, "-c", "dump", "-k", "release", "-d",
            "2015-04-01", env.path("rel"), index=False)
    env.run("event", "--index", env.index, "leak", "2015-04-02", "--note",
            "a, b", index=False)
    out, _, _ = env.run("event", "--json")
    eq([json.loads(x) for x in out.splitlines()],
       [{"name": "leak", "date": "2015-04-02", "note": "a, b"}], "events")
    env.write("q/new.txt", prose(4802, 200))
    env.write("q/copy.txt", prose(4800, 200))
    out, _, _ = env.run("check", "--brief", env.path("q"))
    lines = out.splitlines()
    eq(len(lines), 3, out)
    ok(lines[0].startswith("released") and "100.0%  dump" in lines[0] and
       lines[0].endswith("copy.txt"), lines[0])
    ok(lines[1].startswith("unknown") and lines[1].endswith("new.txt"),
       lines[1])
    eq(lines[2], "2 items: 1 released, 0 partially-released, 0 "
       "internal-only, 1 unknown; 0 not read", "tally")
    out, _, _ = env.run("check", "--csv", env.path("q"),
                        env.path("rel/b,\"odd\".txt"))
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(out)))
    eq([(r["path"], r["verdict"], r["release"], r["first_release"])
        for r in rows],
       [("copy.txt", "released", "1.0000", "dump"),
        ("new.txt", "unknown", "0.0000", ""),
        ('b,"odd".txt', "released", "1.0000", "dump")], "csv rows")
    env.run("check", "--brief", "--fail-on", "partially-released,released",
            env.path("q"), expect=3)
    env.run("check", "--brief", "--fail-on", "internal-only",
            env.path("q"))
    _, err, _ = env.run("check", "--fail-on", "leaked", env.path("q"),
                        expect=2)
    ok("--fail-on takes verdicts" in err, err)
    _, err, _ = env.run("check", "--json", "--csv", env.path("q"), expect=2)
    ok("exclude one another" in err, err)
    # a refused option: one line naming it (and the hint), not getopt's too
    _, err, _ = env.run("overlap", "--nope", expect=2)
    eq(err.splitlines(), ["spoor overlap: unknown option, or one without its "
                          "value: '--nope'", "Try 'spoor overlap --help'."],
       "one error line")
    # Ctrl-C during an add: it stops, keeps what it stored, says so
    for i in range(6000):
        env.write(f"many/d{i:05d}.txt", prose(5000 + i, 120))
    index = env.path("ix-int")
    p = subprocess.Popen([os.environ["SPOOR"], "--index", index, "add", "-q",
                          "-c", "many", "--commit-every", "20",
                          env.path("many")], stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not (
            os.path.isdir(index) and
            any(f.endswith(".spx") for f in os.listdir(index))):
        time.sleep(0.01)
    p.send_signal(2)
    _, err = p.communicate(timeout=120)
    eq(p.returncode, 130, err.decode())
    ok(b"spoor add: interrupted; " in err and b"are stored in 'many' and "
       b"kept" in err, err)
    kept = json.loads(env.run("--index", index, "stats", "--json",
                              index=False)[0])["items"]
    ok(0 < kept < 6000, f"{kept} kept")
    env.run("--index", index, "verify", index=False)
    out, _, _ = env.run("--index", index, "add", "-c", "many",
                        env.path("many"), index=False)
    ok(f"{kept} already in this collection" in out, out)


def test_fsync_fault_injection(env):
    """Durability by fault injection (an LD_PRELOAD shim the tests build,
    tests/support/fault.c): a segment is fsynced before its rename and the
    folder after it, on every commit; when the segment's fsync fails (a
    dying disk), add fails naming the segment, nothing of that batch is
    registered or left behind, and the index stays sound and answers."""
    for i in range(3):
        env.write(f"a/doc{i}.txt", prose(4900 + i, 150))
        env.write(f"b/doc{i}.txt", prose(4910 + i, 150))
    log = env.path("fault.log")
    shim = {"LD_PRELOAD": os.environ["FAULT_SHIM"], "FAULT_LOG": log,
            # a sanitizer build wants its runtime first; the shim only
            # wraps two calls, so the order does not matter here
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") +
            ":verify_asan_link_order=0"}
    env.run("add", "-c", "a", env.path("a"), env=shim)
    lines = open(log).read().splitlines()
    [ren] = [i for i, x in enumerate(lines)
             if x.startswith("rename ") and ".spx.tmp -> " in x]
    tmp = lines[ren].split()[1]
    ok(any(x == f"fsync {tmp}" for x in lines[:ren]),
       "the segment is synced before its rename:\n" + "\n".join(lines))
    ok(any(x == "fsync " + env.index for x in lines[ren + 1:]),
       "and the folder after it:\n" + "\n".join(lines))
    before = sorted(f for f in os.listdir(env.index) if f.endswith(".spx"))
    _, err, _ = env.run("add", "-c", "b", env.path("b"),
                        env=dict(shim, FAULT_FSYNC_FAIL="1"), expect=1)
    ok(".spx.tmp': Input/output error" in err, err)
    eq(sorted(f for f in os.listdir(env.index) if ".spx" in f), before,
       "no segment of the failed batch registered or left behind")
    env.run("verify")
    [r] = env.check("-", stdin=prose(4911, 150)[100:600].encode())
    eq(r["matches"], [], "the failed batch's items are not in the index")
    [r] = env.check("-", stdin=prose(4901, 150)[100:600].encode())
    eq([m["collection"] for m in r["matches"]], ["a"], "the first add kept")
    env.run("add", "-c", "b", env.path("b"))
    [r] = env.check("-", stdin=prose(4911, 150)[100:600].encode())
    eq([m["collection"] for m in r["matches"]], ["b"], "added again")


def test_mbox_from_lines_in_bodies(env):
    """An mbox splits at "From " lines after a blank line only: a body
    line that starts with "From " inside a paragraph (unescaped, as many
    writers leave it) stays in its message."""
    body = (prose(5100, 60).rstrip() + "\nFrom the desk of the CFO, as agreed on "
            "the call.\n" + prose(5101, 60))
    env.write("m/box.mbox",
              "From a Mon Jan  1 00:00:00 2014\nFrom: a@x.example\n"
              "Subject: one\nMessage-ID: <one@x.example>\n\n" + body +
              "\n\nFrom b Mon Jan  1 00:00:00 2014\nFrom: b@x.example\n"
              "Subject: two\nMessage-ID: <two@x.example>\n\n" +
              prose(5102, 60) + "\n")
    out, _, _ = env.run("add", "-c", "m", env.path("m"))
    ok("eml 2" in out, f"two messages: {out}")
    text = env.run("show", "--text", "m:box.mbox!<one@x.example>")[0]
    ok("From the desk of the CFO" in text and prose(5101, 60)[:80] in text,
       "the message keeps its body past the From line")


def test_zip_bomb_stopped_early(env):
    """A zip of 4 members of 100 MiB of zeros (400 KB packed) is stopped by
    MAX_EXPANSION_RATIO against what was read of it, within its first
    member: the add ends quickly with the reason and a small peak RSS (the
    whole file's ratio would have let 400 MB expand)."""
    import resource
    os.makedirs(env.path("z"))
    with zipfile.ZipFile(env.path("z/bomb.zip"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for k in range(4):
            with z.open(f"zeros{k}.bin", "w") as f:
                for _ in range(100):
                    f.write(bytes(1 << 20))
    env.write("z/ok.txt", prose(5200, 100))
    _, err, _ = env.run("add", "-c", "z", env.path("z"), expect=1)
    ok("bomb.zip: skipped: archive expands more than MAX_EXPANSION_RATIO "
       "(1000)" in err,
       err)
    expanded = int(re.search(r"bomb\.zip: skipped: .*?: (\d+) bytes from "
                             r"\d+ read", err).group(1))
    ok(expanded < 100 << 20, f"stopped within the first member: {expanded}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
    ok(peak < 400 * 1024, f"peak RSS {peak} KiB")
    [r] = env.check("-", stdin=prose(5200, 100)[50:400].encode())
    eq([m["path"] for m in r["matches"]], ["ok.txt"], "the rest is read")


def write_words(path, size, seed):
    """A text file of about size bytes at path: lines of 12 words drawn
    from 20,000 random ones (a sample of 20,000 lines, repeated)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz")
                     for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    lines = [" ".join(rng.choice(words) for _ in range(12)) + ".\n"
             for _ in range(20000)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        n = 0
        while n < size:
            chunk = "".join(rng.choice(lines) + rng.choice(words) + "\n"
                            for _ in range(2000))
            f.write(chunk)
            n += len(chunk)


BIG_DOCUMENTS = r"""
import os, sys
sys.path.insert(0, os.path.join(os.environ["SPOOR_SOURCE_ROOT"], "tests", "cli"))
import formats
folder, n_rows, words = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
rows = [[i, " ".join(words[(i * 7 + j) % len(words)] for j in range(5)),
         i * 0.25, ("date", 41000 + i % 900)] for i in range(n_rows)]
with open(os.path.join(folder, "sheet.xlsx"), "wb") as f:
    f.write(formats.xlsx([("Ledger", rows)]))
with open(os.path.join(folder, "sheet.ods"), "wb") as f:
    f.write(formats.odf("ods", [r[:3] for r in rows]))
with open(os.path.join(folder, "memo.docx"), "wb") as f:
    f.write(formats.docx([" ".join(words[i % 2000:i % 2000 + 30])
                          for i in range(n_rows * 2 // 3)]))
"""


def test_bounded_memory(env):
    """Memory does not grow with an item. Fingerprints and postings that go
    to temporary runs (SPOOR_TEST_SPILL makes small inputs spill: an item's
    fingerprints past 50 or 1,000, a batch's postings past 300 or 5,000;
    SPOOR_PIECE_BYTES makes items of 1,000 bytes or more long ones) make
    the very segment they make in memory, from texts, a long text with
    a header-free body, repetitive text and bytes, with one worker or two,
    and checks give the same answers. A 3 GB sparse file is added in under
    256 MiB (its pages handed back as they are read, its fingerprints
    spilled), where it took 3.6 GB; so are a 200 MB text, as a file and as
    a zip member, and spreadsheets and a docx whose XML trees took up to
    1.4 GB."""
    import resource
    rng = random.Random(41)
    for i in range(5):
        env.write(f"in/d{i}.txt", prose(4100 + i, 300 + 400 * i))
    env.write("in/long.txt", mixed_text(41, 300, 4200, "x.5"))
    env.write("in/same.txt", "the same line again\n" * 20000)
    with open(env.path("in/blob.bin"), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(300000)) +
                bytes(100000))
    with zipfile.ZipFile(env.path("in/pack.zip"), "w",
                         zipfile.ZIP_DEFLATED) as z:  # members spill too
        z.writestr("inner.txt", prose(9300, 2000))
        z.writestr("small.txt", prose(9301, 100))
    with gzip.open(env.path("in/stream.txt.gz"), "wt") as f:
        f.write(prose(9302, 2000))
    with open(env.path("in/mail.pst"), "wb") as f:  # an isolated reader's
        f.write(pst.write([pst.Folder("Inbox", [pst.Message(  # records spill
            "plans", prose(9303, 300), submit=1417000000,
            message_id="<p@x>",
            attachments=[("long.txt", prose(9304, 500).encode())])])]))
    whole = env.one_segment(env.path("ix-mem"), env.path("in"))
    spill_all = {"SPOOR_TEST_SPILL": "50,300", "SPOOR_PIECE_BYTES": "1000",
                 "SPOOR_TEST_TEXT_SPILL": "3000"}
    for spill in ("1000,5000", "50,300"):
        ok(env.one_segment(env.path("ix-" + spill), env.path("in"),
                           dict(spill_all, SPOOR_TEST_SPILL=spill)) == whole,
           f"spilled at {spill}: the segment differs")
    env.run("--index", env.path("ix-j2"), "add", "-j", "2", "-c", "c",
            env.path("in"), index=False, env=spill_all)
    for name in ("long.txt", "d4.txt"):  # texts kept in temporary files
        out, _, _ = env.run("--index", env.path("ix-50,300"), "show",
                            "--text", "c:" + name, index=False)
        eq(out, open(env.path("in/" + name), encoding="utf-8").read(),
           f"{name} read back")
    out, _, _ = env.run("--index", env.path("ix-50,300"), "show", "--text",
                        "c:pack.zip!inner.txt", index=False)
    eq(out, prose(9300, 2000), "a member read back")
    out, _, _ = env.run("--index", env.path("ix-50,300"), "collections",
                        "--json", index=False)
    found = [ln for ln in env.run("--index", env.path("ix-50,300"), "show",
                                  "--json", "c:mail.pst", index=False)[0]
             .splitlines()]
    ok(any("long.txt" in ln for ln in found), f"the attachment: {found}")
    text = open(env.path("in/long.txt"), encoding="utf-8").read()
    env.write("q/excerpt.txt", text[len(text) // 3:len(text) // 3 + 2000])
    with open(env.path("in/blob.bin"), "rb") as f:
        blob = f.read()
    with open(env.path("q/piece.bin"), "wb") as f:
        f.write(blob[150000:250000])
    answers = []
    for name in ("ix-mem", "ix-50,300", "ix-j2"):
        out, _, _ = env.run("--index", env.path(name), "check", "--json",
                            env.path("q/excerpt.txt"), env.path("q/piece.bin"),
                            index=False,
                            env=None if name == "ix-mem" else spill_all)
        answers.append(out)
        env.run("--index", env.path(name), "verify", index=False)
    eq(answers[1], answers[0], "spilled: the same answers")
    eq(answers[2], answers[0], "spilled, two workers: the same answers")
    found = [json.loads(line) for line in answers[0].splitlines()]
    eq([m["path"] for m in found[0]["matches"]], ["long.txt"], "the excerpt")
    eq([m["path"] for m in found[1]["matches"]], ["blob.bin"], "the bytes")

    # no room for temporary files: the long text is skipped with the
    # reason, the rest is added
    env.write("tmpless/long.txt", prose(9310, 2000))
    env.write("tmpless/short.txt", prose(9311, 100))
    out, err, _ = env.run("--index", env.path("ix-tmpless"), "add", "-c", "c",
                          env.path("tmpless"), index=False, expect=1,
                          env={"SPOOR_TEST_TEXT_SPILL": "3000",
                               "TMPDIR": env.path("no-such-dir")})
    ok("long.txt: skipped: cannot create a temporary file in" in err and
       "for a long text" in err, err)
    ok("added 1 item" in out, out)

    # under AddressSanitizer (make test-asan sets ASAN_OPTIONS) memory is
    # its shadow and quarantine: the paths run on less, unmeasured
    sanitized = "ASAN_OPTIONS" in os.environ
    os.makedirs(env.path("big"))
    os.makedirs(env.path("big3"))
    os.makedirs(env.path("big4"))
    with open(env.path("big/sparse.bin"), "wb") as f:
        f.truncate((256 << 20) if sanitized else (3 << 30))
    out, _, _ = env.run("add", "-c", "sparse", env.path("big"))
    ok("1 new" in out and "binary 1" in out, out)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
    ok(sanitized or peak < 256 * 1024, f"sparse file: peak RSS {peak} KiB")
    # a 200 MB text (its text and compressed text in temporary files),
    # then as a zip member, then checked against itself: an exact copy
    write_words(env.path("big2/long.txt"), (40 if sanitized else 200) << 20,
                63)
    out, _, _ = env.run("add", "-c", "text", env.path("big2"),
                        env={"MALLOC_PERTURB_": "0"})
    ok("1 new" in out and "text 1" in out, out)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ok(sanitized or peak < 256 * 1024, f"200 MB text: peak RSS {peak} KiB")
    # the same text as a zip member: read into a temporary file
    with zipfile.ZipFile(env.path("big3/long.zip"), "w",
                         zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.write(env.path("big2/long.txt"), "long.txt")
    out, _, _ = env.run("add", "-c", "zip", env.path("big3"),
                        env={"MALLOC_PERTURB_": "0"})
    ok("zip 1, text 1" in out and "1 already indexed elsewhere" in out, out)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ok(sanitized or peak < 256 * 1024, f"zip member: peak RSS {peak} KiB")
    # documents whose XML is read as a stream, a row or a paragraph at a
    # time: a sheet of 150,000 rows (37 MB of XML) as xlsx and as ods, and
    # a docx of 100,000 paragraphs (their trees took 0.5-1.4 GB). They are
    # made by another process, and the add is measured alone (wait4): a
    # child's peak counts the memory of the process that started it.
    n_rows = 15000 if sanitized else 150000
    words = prose(9320, 3000).split()
    subprocess.run([sys.executable, "-c", BIG_DOCUMENTS, env.path("big4"),
                    str(n_rows), " ".join(words)], check=True)
    out, peak = env.run_peak("add", "-c", "docs", env.path("big4"))
    ok("3 new" in out, out)
    ok(sanitized or peak < 256 * 1024, f"documents: peak RSS {peak} KiB")
    for name, first in (("sheet.xlsx", "Ledger\n0\t" + " ".join(words[:5])),
                        ("sheet.ods", "Budget\n0\t" + " ".join(words[:5]))):
        out, _, _ = env.run("show", "--text", "docs:" + name)
        ok(out.startswith(first) and out.count("\n") >= n_rows, out[:200])
        ok(f"{n_rows - 1}\t" in out.splitlines()[-1] or
           f"{n_rows - 1}\t" in out.splitlines()[-2], out[-300:])
    # (ru_maxrss is the most of every command run so far: checks last)
    [r] = env.check(env.path("big2/long.txt"), opts=("-c", "text"))
    ok(r["matches"][0]["exact"] and r["coverage"]["any"] == 1, str(r)[:300])


def test_long_query_stretches(env):
    """A long suspect is matched stretch by stretch, without its canonical
    text with offsets in memory: with the test knobs that make every text
    over 2,000 bytes long and cut its hits into windows of 3,000
    characters with margins of 300 (so that passages cross windows and are
    joined), check --json gives the same answers, field for field (regions
    and their byte offsets, boilerplate spans, origins, verdicts), and the
    HTML report the same side-by-side passages, as with the whole canonical
    text: for a collage of passages from a dated release and an internal
    folder in another order, with new text and a shared footer; an exact
    copy; an email with a header block; and text with accents, CJK and
    numbers; the same when hits are counted by source before the kept
    sources' are gathered. Checking a 200 MB text stays under 512 MiB (3 GB
    before), also when a near-copy of it is indexed (836 MB before)."""
    import resource
    footer = ("Confidential: this message and its attachments are for the "
              "named recipients only. ") * 3
    docs = {}
    for i in range(6):
        docs[f"r{i}"] = "\n".join(prose(6100 + 10 * i + j, 120)
                                  for j in range(8)) + "\n" + footer
    for i, name in enumerate(docs):
        env.write(("rel/" if i < 3 else "int/") + name + ".txt", docs[name])
    mixed = mixed_text(61, 60, 6200, "x.5")
    env.write("int/mixed.txt", mixed)
    env.write("int/mail.eml", mail("a@x.example", "b@x.example", "Plans",
                                   "Mon, 3 Mar 2014 10:00:00 +0000",
                                   "<m1@x.example>", docs["r4"]))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    env.run("add", "-c", "own", "-k", "internal", env.path("int"))
    collage = "\n".join([docs["r4"][2000:9000], prose(6300, 400),
                         docs["r1"][500:6000], docs["r0"][:3000],
                         mixed[4000:12000], docs["r4"][100:1500], footer])
    env.write("q/collage.txt", collage)
    env.write("q/copy.txt", docs["r2"])
    env.write("q/reply.eml", mail("b@x.example", "a@x.example", "Re: Plans",
                                  "Tue, 4 Mar 2014 10:00:00 +0000",
                                  "<m2@x.example>",
                                  prose(6301, 200) + "\n" + docs["r4"][:5000]))
    env.write("q/mixed.txt", mixed[1000:30000])
    queries = [env.path("q/" + f) for f in
               ("collage.txt", "copy.txt", "reply.eml", "mixed.txt")]

    def answers(knobs):
        out, _, _ = env.run("check", "--json", *queries, env=knobs)
        html = env.path("report.html")
        env.run("check", "--html", html, *queries, env=knobs)
        with open(html, encoding="utf-8") as f:
            tables = re.findall(r'<table class="sbs">.*?</table>', f.read(),
                                re.S)
        return out, tables

    whole, whole_tables = answers(None)
    long, long_tables = answers({"SPOOR_TEST_OFFSETS_MAX": "2000",
                                 "SPOOR_TEST_QUERY_WINDOW": "3000,300",
                                 "SPOOR_TEST_TEXT_SPILL": "2000"})
    eq(long, whole, "check --json, long queries against whole ones")
    # hits counted by source first, then gathered for the sources verified
    for knob in ("40,100000", "40,1000"):
        counted, counted_tables = answers({"SPOOR_TEST_HITS": knob})
        eq(counted, whole, f"check --json, hits counted then gathered {knob}")
        eq(counted_tables, whole_tables, f"side-by-side passages {knob}")
    ok(len(whole_tables) >= 4, f"{len(whole_tables)} side-by-side tables")
    eq(long_tables, whole_tables, "side-by-side passages")
    results = [json.loads(line) for line in whole.splitlines()]
    got = {r["path"].split("/")[-1]: r for r in results}
    ok(any(m["exact"] for m in got["copy.txt"]["matches"]), "the exact copy")
    ok(len(got["collage.txt"]["matches"]) >= 4, "the collage's sources")
    ok(any(len(m["regions"]) > 1 for m in got["collage.txt"]["matches"]),
       "a source with passages in two places")

    # repetitive text (lines repeated many times) against its near-copy:
    # short runs on chance diagonals fill the region cap (its longer half
    # is kept: 20 MB had 6.65 % coverage before), and a source with more
    # hits than a batch holds is seeded by its unique hits only; either
    # way its one passage is found whole
    sanitized = "ASAN_OPTIONS" in os.environ
    write_words(env.path("rep/q.txt"), (1 if sanitized else 20) << 20, 63)
    with open(env.path("rep/q.txt"), "rb") as f:
        env.write("rep/near/copy.txt", f.read().decode() + "The end.\n")
    env.run("--index", env.path("rep/idx"), "add", "-c", "near", "-k",
            "internal", env.path("rep/near"), index=False)
    for knob in (None, {"SPOOR_TEST_HITS": "40,1000"}):
        out, _, _ = env.run("--index", env.path("rep/idx"), "check", "--json",
                            env.path("rep/q.txt"), env=knob, index=False)
        m = json.loads(out)["matches"]
        ok(len(m) == 1 and m[0]["coverage"] == 1 and
           len(m[0]["regions"]) == 1, f"{knob}: {out[:600]}")

    # the bound: a 200 MB text (under AddressSanitizer, 20 MB, unmeasured)
    sanitized = "ASAN_OPTIONS" in os.environ
    write_words(env.path("q/big.txt"), (20 if sanitized else 200) << 20, 62)
    # meson's MALLOC_PERTURB_ writes every byte malloc hands out, so that
    # room reserved ahead for growing arrays would count as resident
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out, _, _ = env.run("check", "--json", env.path("q/big.txt"),
                        env={"MALLOC_PERTURB_": "0"})
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
    ok(json.loads(out)["verdict"] in ("unknown", "new"), out[:300])
    # its near-copy (another sha256) indexed: every fingerprint hits it
    with open(env.path("q/big.txt"), "rb") as f, \
            open(env.path("near.txt"), "wb") as g:
        shutil.copyfileobj(f, g)
        g.write(b"One more line at the end of the copy.\n")
    env.run("add", "-c", "near", "-k", "internal", env.path("near.txt"))
    os.unlink(env.path("near.txt"))
    out, _, _ = env.run("check", "--json", env.path("q/big.txt"),
                        env={"MALLOC_PERTURB_": "0"})
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
    res = json.loads(out)
    ok(res["verdict"] == "internal-only" and not res["matches"][0]["exact"] and
       res["matches"][0]["coverage"] > 0.99, out[:600])
    ok(sanitized or peak < 512 * 1024, f"peak RSS {peak} KiB ({before})")
    # the HTML report of an excerpt of it reads and normalises only the
    # stretches of the 200 MB source it shows (the whole took 2.3 GB)
    with open(env.path("q/big.txt"), "rb") as f:
        f.seek((10 if sanitized else 100) << 20)
        env.write("q/excerpt.txt", f.read(4000).decode("utf-8", "replace"))
    out, peak = env.run_peak("check", "--html", env.path("r.html"),
                             env.path("q/excerpt.txt"))
    with open(env.path("r.html"), encoding="utf-8") as f:
        tables = re.findall(r'<table class="sbs">.*?</table>', f.read(), re.S)
    ok(len(tables) == 1 and "near.txt" in tables[0], str(tables)[:300])
    ok(sanitized or peak < 256 * 1024, f"check --html: peak RSS {peak} KiB")


def pg_postings(conninfo):
    """Every posting of the shared index's buckets, decoded as
    lib/store/push.c codes them: (key, content, pos) triples."""
    out = subprocess.run(["psql", "-At", conninfo, "-c",
                          "SELECT encode(data, 'hex') FROM spoor.postings"],
                         capture_output=True, text=True,
                         check=True).stdout.split()

    def varints(b):
        v = shift = 0
        for x in b:
            v |= (x & 0x7f) << shift
            shift += 7
            if not x & 0x80:
                yield v
                v = shift = 0
    found = []
    for row in out:
        vals = list(varints(bytes.fromhex(row)))
        key, prev = vals[0], None
        for i in range(1, len(vals), 3):
            d, c, pos = vals[i:i + 3]
            key += d
            if prev and prev[0] == key:
                c += prev[1]
            found.append((key, c, pos))
            prev = (key, c)
    return found


def psql(conninfo, sql):
    return subprocess.run(["psql", "-At", conninfo, "-c", sql],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def test_push_to_postgresql(env):
    """spoor push copies an index into a shared one on a real PostgreSQL
    server (started in a temporary folder, a Unix socket only): its
    collections, contents with their texts, dates and metadata, items and
    events, and the postings of every content in buckets; a removed
    collection's contents stay behind; pushing again adds nothing; another
    index sharing a file with it adds only what is new, and no posting is
    there twice; a server that cannot be reached is an error naming it."""
    sys.path.insert(0, os.path.join(os.environ["SPOOR_SOURCE_ROOT"], "tests",
                                    "pg"))
    from pgserver import PgServer
    for i in range(4):
        env.write(f"rel/r{i}.txt", prose(9400 + i, 300))
        env.write(f"own/o{i}.txt", prose(9410 + i, 200))
    odd = 'a "quoted", name\\ with\ttab.txt'  # copied as CSV: quoted
    env.write("own/" + odd, prose(9415, 200))
    env.write("own/mail.eml", mail("a@x.example", "b@x.example", "Plans",
                                   "Mon, 3 Mar 2014 10:00:00 +0000",
                                   "<m1@x.example>", prose(9420, 150)))
    env.write("gone/g.txt", prose(9430, 200))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    env.run("add", "-c", "own", "-k", "internal", env.path("own"))
    env.run("add", "-c", "gone", env.path("gone"))
    env.run("collections", "rm", "gone")
    env.run("event", "breach", "2014-11-20", "--note", "found")
    with PgServer() as pg:
        # pushed while the segments still hold the removed content's
        # postings (tombstones), which stay behind
        out, _, _ = env.run("push", pg.conninfo)
        ok(out.startswith("pushed 2 new collections, 10 new contents (0 "
                          "there already), 10 new items,"), out)
        n = int(re.search(r"(\d+) postings", out).group(1))
        eq(psql(pg.conninfo, "SELECT path FROM spoor.items WHERE path LIKE 'a %'"),
           odd, "a path with quotes, a comma, a backslash and a tab")
        env.run("optimize")  # drops the tombstoned postings
        eq(n, json.loads(env.run("stats", "--json")[0])["postings"],
           "postings")
        eq(psql(pg.conninfo, "SELECT string_agg(name || ' ' || kind || ' ' || "
                    "coalesce(date, '-'), ',' ORDER BY name) FROM "
                    "spoor.collections"),
           "dump release 2014-12-01,own internal -", "collections")
        eq(psql(pg.conninfo, "SELECT count(*), count(DISTINCT sha256) FROM "
                    "spoor.contents JOIN spoor.texts ON id = content_id"),
           "10|10", "contents with their texts")
        eq(psql(pg.conninfo, "SELECT attstorage FROM pg_attribute WHERE attrelid = "
                    "'spoor.texts'::regclass AND attname = 'z'"), "e",
           "texts stored out of line, uncompressed (read by substring)")
        ok(int(psql(pg.conninfo, "SELECT count(*) FROM spoor.dates")) > 0 and
           int(psql(pg.conninfo, "SELECT count(*) FROM spoor.metadata")) > 0,
           "dates and metadata")
        eq(psql(pg.conninfo, "SELECT name || ' ' || date || ' ' || note FROM "
                    "spoor.events"), "breach 2014-11-20 found", "the event")
        posted = pg_postings(pg.conninfo)
        eq(len(posted), n, "postings decoded")
        # two batches, the release's contents' (which every member sees)
        # and the others', their buckets sized for their postings: about
        # 32 a row
        eq(psql(pg.conninfo, "SELECT sum(postings) FROM spoor.batch"), str(n),
           "the batches")
        eq(psql(pg.conninfo, "SELECT string_agg(shared::text, ',' ORDER BY "
                "shared) FROM spoor.batch"), "false,true", "shared and not")
        rows = int(psql(pg.conninfo, "SELECT count(*) FROM spoor.postings"))
        ok(n / rows >= 8, f"{n} postings in {rows} rows")
        eq(len(set(c for _, c, _ in posted)),
           int(psql(pg.conninfo, "SELECT count(*) FROM spoor.contents")),
           "every content has postings")
        # again: nothing new
        out, _, _ = env.run("push", pg.conninfo)
        ok(out.startswith("pushed 0 new collections, 0 new contents (10 there "
                          "already), 0 new items, 0 postings"), out)
        # another index holding one of the same files (the same item: its
        # collection, path and content) and a new one
        other = env.path("other-index")
        env.write("more/r0.txt", prose(9400, 300))
        env.write("more/new.txt", prose(9440, 300))
        env.run("--index", other, "add", "-c", "dump", env.path("more"),
                index=False)
        # a collection joins the shared one of its name only when it is of
        # the same kind and date
        _, err, _ = env.run("--index", other, "push", pg.conninfo,
                            index=False, expect=1)
        ok("collection 'dump' exists with kind 'release', not 'reference'"
           in err, err)
        env.run("--index", other, "collections", "set", "dump", "--kind",
                "release", "--date", "2014-12-01", index=False)
        out, _, _ = env.run("--index", other, "push", pg.conninfo,
                            index=False)
        ok(out.startswith("pushed 0 new collections, 1 new content (1 there "
                          "already), 1 new item,"), out)
        m = int(re.search(r"(\d+) postings", out).group(1))
        posted = pg_postings(pg.conninfo)
        eq(len(posted), n + m, "postings after the second index")
        eq(len(set(posted)), len(posted), "no posting twice")
        ids = set(int(x) for x in psql(pg.conninfo, "SELECT id FROM spoor.contents")
                  .split())
        eq(set(c for _, c, _ in posted), ids, "postings of every content, "
           "of no other")
        new_id = int(psql(pg.conninfo, "SELECT max(id) FROM spoor.contents"))
        eq(sum(1 for _, c, _ in posted if c == new_id), m,
           "the second push's postings are the new content's")
        eq(psql(pg.conninfo, "SELECT count(*) FROM spoor.items i JOIN "
                    "spoor.collections c ON c.id = collection_id WHERE "
                    "c.name = 'dump'"), "5", "the dump's items")
        # two pushes at once, three times, each into a new database: they
        # wait for each other (an advisory lock), the schema is made once,
        # the shared content written by one of them, nothing lost, no
        # posting twice
        for i in range(3):
            env.write(f"ra{i}/shared.txt", prose(9450 + i, 300))
            env.write(f"ra{i}/a.txt", prose(9460 + i, 300))
            env.write(f"rb{i}/shared.txt", prose(9450 + i, 300))
            env.write(f"rb{i}/b.txt", prose(9470 + i, 300))
            for side in ("a", "b"):
                env.run("--index", env.path(f"ix-{side}{i}"), "add", "-c",
                        side, env.path(f"r{side}{i}"), index=False)
            psql(pg.conninfo, f"CREATE DATABASE race{i}")
            url = pg.conninfo.replace("dbname=postgres", f"dbname=race{i}")
            procs = [subprocess.Popen([SPOOR, "--index",
                                       env.path(f"ix-{side}{i}"), "push",
                                       url], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
                     for side in ("a", "b")]
            outs = [p.communicate(timeout=120) for p in procs]
            ok(all(p.returncode == 0 for p in procs), str(outs))
            pushed = sum(int(re.search(r"(\d+) postings", o).group(1))
                         for o, _ in outs)
            eq(psql(url, "SELECT count(*) FROM spoor.contents"), "3",
               f"race {i}: contents")
            eq(psql(url, "SELECT count(*) FROM spoor.items"), "4",
               f"race {i}: items")
            posted = pg_postings(url)
            eq(len(posted), pushed, f"race {i}: postings")
            eq(len(set(posted)), len(posted), f"race {i}: no posting twice")
            eq(len(set(c for _, c, _ in posted)), 3, f"race {i}: contents")
        conninfo = pg.conninfo
    _, err, _ = env.run("push", conninfo, expect=1)
    ok("cannot connect" in err and "shared index" in err, err)
    _, err, _ = env.run("push", "nonsense=1", expect=1)
    ok("not a PostgreSQL connection string" in err, err)
    # a URL as the index names a shared index: a server that cannot be
    # reached is an error naming it (without the password), before any
    # work, and makes no folder (not even a staging one)
    tmp = env.path("tmp")
    os.makedirs(tmp)
    for cmd in (["add", "-c", "x", env.path("rel")], ["check", env.path("rel")]):
        _, err, _ = env.run("--index", "postgresql://u:secret@host/case",
                            *cmd, index=False, expect=1, env={"TMPDIR": tmp})
        ok("cannot connect" in err and "'postgresql://host/case'" in err,
           err)
        ok("secret" not in err, err)
    ok(not os.path.exists(env.path("postgresql:")), "no folder made")
    eq(os.listdir(tmp), [], "no staging folder left")


def test_shared_index_writers(env):
    """spoor add into a shared index (-i postgresql://...): three adds from
    different processes at once, with a file in common, lose and duplicate
    nothing; what they added is found by check on the shared index, and
    the adds leave no staging folder behind; an event and keys recorded
    there are there; changing what a shared index holds is refused with
    the reason."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
    from pgserver import PgServer
    common = prose(9600, 300)
    for w in range(3):
        env.write(f"w{w}/common.txt", common)
        for i in range(3):
            env.write(f"w{w}/own{i}.txt", prose(9610 + 10 * w + i, 250))
    tmp = env.path("tmp")
    os.makedirs(tmp)
    with PgServer() as pg:
        url = pg.url()
        procs = [subprocess.Popen(
            [SPOOR, "--index", url, "add", "-c", f"desk{w}", "-k", "internal",
             env.path(f"w{w}")], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=tmp))
            for w in range(3)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            eq(p.returncode, 0, f"concurrent add: {err.decode()}")
        eq(psql(pg.conninfo, "SELECT count(*) FROM spoor.contents"), "10",
           "contents: the common file once")
        eq(psql(pg.conninfo, "SELECT count(*) FROM spoor.items"), "12",
           "items: every add's")
        posted = pg_postings(pg.conninfo)
        eq(len(set(posted)), len(posted), "no posting twice")
        eq(len(set(c for _, c, _ in posted)), 10, "postings of every content")
        eq(os.listdir(tmp), [], "no staging folder left")
        # what the adds stored answers a check on the shared index
        q = env.write("q.txt", prose(9621, 250)[200:1400])
        res = env.check(q, index=url)[0]
        eq(res["matches"][0]["collection"], "desk1", "the excerpt's source")
        eq(res["coverage"]["internal"], 1, res)
        res = env.check(env.path("w0/common.txt"), index=url)[0]
        eq(sorted(m["collection"] for m in res["matches"]),
           ["desk0", "desk1", "desk2"], "the common file in all three")
        env.run("--index", url, "event", "breach", "2014-11-20",
                index=False, env={"TMPDIR": tmp})
        out, _, _ = env.run("--index", url, "event", index=False)
        eq(out.strip(), "2014-11-20  breach", "the event")
        # renaming, re-dating and noting collections and removing events
        # are done on the shared index; removing collections, changing
        # their kind and optimize are refused with the reason
        for cmd in (["collections", "rename", "desk0", "front-desk"],
                    ["collections", "set", "front-desk", "-d", "2014-12-02",
                     "--note", "the front desk"],
                    ["event", "rm", "breach"]):
            env.run("--index", url, *cmd, index=False, env={"TMPDIR": tmp})
        out, _, _ = env.run("--index", url, "collections", index=False)
        ok(re.search(r"front-desk +internal +2014-12-02 +4 .*the front desk",
                     out), out)
        eq(env.run("--index", url, "event", index=False)[0], "", "no event")
        _, err, _ = env.run("--index", url, "collections", "rename", "desk1",
                            "desk2", index=False, expect=1,
                            env={"TMPDIR": tmp})
        ok("the name is taken" in err, err)
        _, err, _ = env.run("--index", url, "event", "rm", "nothing",
                            index=False, expect=1, env={"TMPDIR": tmp})
        ok("no event 'nothing'" in err, err)
        for cmd in (["collections", "rm", "desk1"],
                    ["collections", "set", "desk1", "-k", "release"],
                    ["optimize"]):
            _, err, _ = env.run("--index", url, *cmd, index=False, expect=1,
                                env={"TMPDIR": tmp})
            ok("cannot yet remove collections" in err, err)
        eq(os.listdir(tmp), [], "no staging folder left")


def test_shared_index_privacy(env):
    """Who sees what in a shared index (row-level security): a curator
    makes it with the releases; two members, alice and bob, push their own
    internal collections. Each sees the releases and its own collections
    only: not the other's items, texts or matches, even where both hold
    the same file; the curator sees everything; a member cannot take the
    name of another's collection."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
    from pgserver import PgServer
    env.write("rel/public.txt", prose(9800, 300))
    env.write("alice/copy-of-public.txt", prose(9800, 300))
    env.write("alice/only-alice.txt", prose(9801, 300))
    env.write("alice/both.txt", prose(9802, 300))
    env.write("bob/only-bob.txt", prose(9803, 300))
    env.write("bob/both.txt", prose(9802, 300))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    for who in ("alice", "bob"):
        env.run("--index", env.path(f"{who}-index"), "add", "-c",
                f"{who}-desk", "-k", "internal", env.path(who), index=False)
    with PgServer() as pg:
        psql(pg.conninfo, "CREATE ROLE curator LOGIN; CREATE ROLE alice "
             "LOGIN; CREATE ROLE bob LOGIN")
        psql(pg.conninfo, "CREATE DATABASE case1 OWNER curator")
        url = {who: pg.url("case1", user=who)
               for who in ("curator", "alice", "bob")}
        env.run("push", url["curator"])
        psql(url["curator"], "GRANT USAGE ON SCHEMA spoor TO alice, bob; "
             "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA spoor TO alice, "
             "bob; GRANT USAGE ON ALL SEQUENCES IN SCHEMA spoor TO alice, bob")
        for who in ("alice", "bob"):
            env.run("--index", env.path(f"{who}-index"), "push", url[who],
                    index=False)
        # listings
        def names(who):
            out, _, _ = env.run("--index", url[who], "collections",
                                index=False)
            return sorted(line.split()[0] for line in out.splitlines()[1:])
        eq(names("alice"), ["alice-desk", "dump"], "alice's collections")
        eq(names("bob"), ["bob-desk", "dump"], "bob's collections")
        eq(names("curator"), ["alice-desk", "bob-desk", "dump"], "curator's")
        # matches
        def sources(who, name):
            q = env.write(f"q-{who}-{name}", open(env.path(name)).read()
                          [300:1500])
            res = env.check(q, index=url[who])[0]
            return sorted(m["collection"] for m in res["matches"])
        eq(sources("alice", "alice/only-alice.txt"), ["alice-desk"], "alice")
        eq(sources("bob", "alice/only-alice.txt"), [],
           "bob finds nothing of alice's own file")
        eq(sources("alice", "bob/only-bob.txt"), [], "nor alice of bob's")
        eq(sources("bob", "bob/both.txt"), ["bob-desk"],
           "the file both hold: bob finds his copy only")
        eq(sources("alice", "bob/both.txt"), ["alice-desk"],
           "and alice hers only")
        eq(sources("bob", "rel/public.txt"), ["dump"], "the release: bob")
        eq(sources("alice", "rel/public.txt"), ["alice-desk", "dump"],
           "the release: alice, who holds a copy")
        eq(sources("curator", "bob/both.txt"), ["alice-desk", "bob-desk"],
           "the curator sees both")
        # items, texts and records, read directly
        only = hashlib.sha256(open(env.path("alice/only-alice.txt"),
                                   "rb").read()).hexdigest()
        _, err, _ = env.run("--index", url["bob"], "show", only[:16],
                            index=False, expect=1)
        ok("no item" in err, err)
        out, _, _ = env.run("--index", url["alice"], "show", only[:16],
                            index=False)
        ok("alice-desk" in out, out)
        for table in ("items", "contents", "texts", "dates", "metadata"):
            n = {who: int(psql(url[who], f"SELECT count(*) FROM spoor.{table}"))
                 for who in ("curator", "alice", "bob")}
            ok(n["alice"] < n["curator"] and n["bob"] < n["curator"] or
               n["curator"] == 0, f"{table}: {n}")
        eq(psql(url["bob"], "SELECT count(*) FROM spoor.contents WHERE "
                f"sha256 = '{only}'"), "0", "bob: no row of alice's file")
        eq(psql(url["bob"], "SELECT count(*) FROM spoor.items i JOIN "
                "spoor.collections c ON c.id = i.collection_id WHERE c.name "
                "= 'alice-desk'"), "0", "bob: none of alice's items")
        eq(psql(url["bob"], "SELECT count(*) FROM spoor.batch WHERE NOT "
                "shared AND owner <> 'bob'"), "0", "bob: no other's batch")
        # a member cannot take another's collection name
        env.run("--index", env.path("bob2"), "add", "-c", "alice-desk",
                "-k", "internal", env.path("bob"), index=False)
        _, err, _ = env.run("--index", env.path("bob2"), "push", url["bob"],
                            index=False, expect=1)
        ok("collection 'alice-desk' is another member's" in err, err)
        # nor rename it
        _, err, _ = env.run("--index", url["bob"], "collections", "rename",
                            "alice-desk", "mine", index=False, expect=1)
        ok("permission denied" in err or "no collection" in err, err)
        eq(names("curator"), ["alice-desk", "bob-desk", "dump"], "unchanged")


def test_names_sort_bytewise(env):
    """Collections, events and an item's occurrences come in the byte
    order of their names (as SQLite sorts text), whatever the locale:
    upper case before lower, '_' between them, non-ASCII last. In the
    differential suite the shared index's database sorts otherwise (ICU
    en-US), so the shared index must say so too."""
    names = ["alpha", "Beta", "_gamma", "\u00e4rger", "Zulu"]
    order = sorted(names, key=lambda n: n.encode())
    for i, name in enumerate(names):
        env.write(f"n{i}/doc.txt", prose(9900 + i, 120))
        env.write(f"n{i}/common.txt", prose(9910, 120))
        env.run("add", "-c", name, env.path(f"n{i}"))
        env.run("event", name, "2014-12-01")
    out, _, _ = env.run("collections")
    eq([line.split()[0] for line in out.splitlines()[1:]], order,
       "collections in byte order")
    out, _, _ = env.run("event")
    eq([line.split()[1] for line in out.splitlines()], order,
       "events in byte order")
    rec = json.loads(env.run("show", "--json", "alpha:common.txt")[0])
    eq([o["collection"] for o in rec["appears_in"]], order,
       "occurrences in byte order")


SHARD_SQL = """
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SCHEMA spoor;
CREATE TABLE spoor.postings(bucket int8 NOT NULL, batch int8 NOT NULL,
                            data bytea NOT NULL) PARTITION BY HASH (bucket);
"""


def test_shared_index_on_shards(env):
    """A shared index scaled out by PostgreSQL itself: a coordinator whose
    postings table is hash-partitioned by bucket into two foreign tables on
    two shard servers (postgres_fdw; set up by the administrator, spoor
    makes only what is missing). spoor push and check talk to the
    coordinator alone; both shards hold postings; every check answers as
    on one server, and as on the local index."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
    from pgserver import PgServer
    docs = corpus(env, n=12, words=700)
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("corpus"))
    queries = [env.write(f"q{i}.txt", docs[f"dept{i % 3}/doc{i:02d}.txt"]
                         [900:2500]) for i in (0, 5, 11)]
    queries.append(env.write("none.txt", prose(9700, 300)))
    with PgServer() as one, PgServer() as coord, PgServer() as s1, \
            PgServer() as s2:
        sql = SHARD_SQL
        for i, shard in enumerate((s1, s2)):
            psql(shard.conninfo, "CREATE TABLE postings(bucket int8 NOT NULL, "
                 "batch int8 NOT NULL, data bytea NOT NULL, "
                 "PRIMARY KEY(bucket, batch))")
            sql += (f"CREATE SERVER shard{i} FOREIGN DATA WRAPPER postgres_fdw "
                    f"OPTIONS (host '{shard.sock}', dbname 'postgres');"
                    f"CREATE USER MAPPING FOR CURRENT_USER SERVER shard{i} "
                    f"OPTIONS (user '{shard.user}');"
                    f"CREATE FOREIGN TABLE spoor.postings_{i} PARTITION OF "
                    f"spoor.postings FOR VALUES WITH (MODULUS 2, REMAINDER "
                    f"{i}) SERVER shard{i} OPTIONS (schema_name 'public', "
                    f"table_name 'postings');")
        psql(coord.conninfo, sql)
        out1, _, _ = env.run("push", one.url())
        out2, _, _ = env.run("push", coord.url())
        eq(out2, out1, "the same push to one server and to the coordinator")
        n = [int(psql(sh.conninfo, "SELECT count(*) FROM postings"))
             for sh in (s1, s2)]
        ok(min(n) > 0, f"both shards hold postings: {n}")
        eq(sum(n), int(psql(one.conninfo, "SELECT count(*) FROM "
                            "spoor.postings")), "every row on a shard")
        eq(psql(coord.conninfo, "SELECT count(*) FROM ONLY spoor.postings"),
           "0", "no row on the coordinator itself")
        local = env.check(*queries)
        eq([r["verdict"] for r in local],
           ["released", "released", "released", "unknown"], "verdicts")
        for url in (one.url(), coord.url()):
            eq(env.check(*queries, index=url), local, f"check on {url}")
        out, _, _ = env.run("--index", coord.url(), "overlap", index=False)
        eq(out, env.run("overlap")[0].replace(env.index, ""), "overlap")
        # a check's round trips do not grow with its sources: a document
        # drawing on all twelve is read in a dozen statements
        many = env.write("many.txt", "\n\n".join(
            d[300:1300] for d in docs.values()))
        log = os.path.join(one.dir, "log")
        psql(one.conninfo, "ALTER SYSTEM SET log_statement = 'all'")
        psql(one.conninfo, "SELECT pg_reload_conf()")
        time.sleep(0.5)
        before = open(log).read().count("LOG:  ")
        res = env.check(many, index=one.url())[0]
        eq(len(res["matches"]), 12, "twelve sources")
        time.sleep(0.5)
        n = open(log).read().count("LOG:  ") - before
        ok(n <= 16, f"{n} statements for a check of twelve sources")


def serve(env, *args, extra_env=None):
    """Start spoor serve on a free loopback port: the process and its
    base URL (from the first line it prints)."""
    p = subprocess.Popen([SPOOR, "--index", env.index, "serve", "--listen",
                          "127.0.0.1:0"] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=env.dir,
                         env=dict(os.environ, **(extra_env or {})))
    first = p.stdout.readline()
    m = re.search(r"on (http://127\.0\.0\.1:\d+)/", first)
    if not m:
        p.kill()
        raise AssertionError(f"spoor serve printed {first!r}: "
                             f"{p.stderr.read()}")
    return p, m.group(1)


def http(url, token=None, data=None, method=None):
    """(status, headers, body) of a request; no proxy, no redirects."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_serve_api(env):
    """spoor serve answers the JSON API from a warm process: every request
    needs the token (401 without it, or with another), GET /api/collections
    gives the lines of collections --json and POST /api/check those of
    check --json on the same bytes; a body over --max-upload is 413, an
    unknown page 404, a wrong method 405; GET /api/items/REF gives the
    line of show --json of an indexed item (404 for none, and never a file
    of the server's folder); every answer carries a strict
    Content-Security-Policy and nosniff; without --token-file a random
    token is printed; SIGTERM stops it."""
    env.write("rel/memo.txt", prose(9950, 400))
    env.write("own/notes.txt", prose(9951, 300))
    env.run("add", "-c", "dump", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    env.run("add", "-c", "own", "-k", "internal", env.path("own"))
    token = "s3cret-token-0123456789"
    env.write("token", token + "\n")
    q = prose(9950, 400)[500:2500] + "\n" + prose(9951, 300)[100:900]
    mail_text = mail("a@x.example", "b@x.example", "Plans",
                     "Mon, 3 Mar 2014 10:00:00 +0000", "<m1@x.example>",
                     prose(9950, 400)[800:2000])
    p, base = serve(env, "--token-file", env.path("token"),
                    "--max-upload", "65536")
    try:
        for t in (None, "wrong-token-0123456789", token[:-1]):
            status, headers, body = http(base + "/api/collections", t)
            eq(status, 401, f"token {t!r}")
            ok("Bearer" in headers.get("WWW-Authenticate", ""), headers)
        status, headers, body = http(base + "/api/collections", token)
        eq(status, 200, body)
        eq(body.decode(), env.run("collections", "--json")[0],
           "collections as the CLI gives them")
        csp = headers.get("Content-Security-Policy", "")
        ok("default-src 'none'" in csp and "frame-ancestors 'none'" in csp,
           csp)
        eq(headers.get("X-Content-Type-Options"), "nosniff", "nosniff")
        status, _, body = http(base + "/api/check", token, q.encode())
        eq(status, 200, body)
        eq(body.decode(), env.run("check", "--json", "-", stdin=q.encode())[0],
           "check as the CLI gives it")
        res = json.loads(body)
        eq(res["verdict"], "partially-released", res)
        status, _, body = http(base + "/api/check?name=plans.eml", token,
                               mail_text.encode())
        eq(status, 200, body)
        res = json.loads(body.splitlines()[0])
        eq(res["path"], "plans.eml", "the name given")
        eq(res["format"], "eml", "read as an email")
        # an indexed item, as show --json gives it, by id, sha256 prefix
        # and collection:path; a missing one is 404, never a file here
        memo = env.check(env.path("rel/memo.txt"))[0]["matches"][0]
        for ref in (str(memo["item"]), memo["sha256"][:12], "dump:memo.txt"):
            status, _, body = http(base + "/api/items/" + ref, token)
            eq(status, 200, body)
            eq(body.decode(), env.run("show", "--json", ref)[0],
               f"show {ref} as the CLI gives it")
        status, _, body = http(base + "/api/items/999999", token)
        eq(status, 404, body)
        status, _, body = http(base + "/api/items/token", token)
        eq(status, 404, "a file of the server's folder is not an item")
        status, _, body = http(base + "/api/check", token, b"x" * 70000)
        eq(status, 413, body)
        status, _, _ = http(base + "/api/check", token)
        eq(status, 405, "GET /api/check")
        status, _, _ = http(base + "/api/collections", token, b"", "POST")
        eq(status, 405, "POST /api/collections")
        status, _, _ = http(base + "/etc/passwd", token)
        eq(status, 404, "unknown page")
        status, _, _ = http(base + "/api/check", None, q.encode())
        eq(status, 401, "a check without the token")
    finally:
        p.terminate()
        _, err = p.communicate(timeout=30)
    eq(p.returncode, 0, err)
    ok("stopped after" in err, err)
    # a random token, printed
    p, base = serve(env)
    try:
        login = p.stdout.readline()
        ok(re.match(r"spoor serve: open http://127\.0\.0\.1:\d+/login\?token="
                    r"[0-9a-f]{48}$", login.strip()), login)
        line = p.stdout.readline()
        m = re.match(r"spoor serve: token ([0-9a-f]{48})$", line.strip())
        ok(m, line)
        ok(login.strip().endswith(m.group(1)), "the URL carries the token")
        eq(http(base + "/api/collections", m.group(1))[0], 200, "its token")
        eq(http(base + "/api/collections", token)[0], 401, "not another")
    finally:
        p.terminate()
        p.communicate(timeout=30)
    _, err, _ = env.run("serve", "--listen", "nowhere", expect=2)
    ok("ADDR:PORT" in err, err)
    env.write("short", "abc\n")
    _, err, _ = env.run("serve", "--token-file", env.path("short"), expect=1)
    ok("at least" in err or "16" in err, err)


def multipart(fields):
    """(body, content type) of a multipart/form-data form: fields is a
    list of (name, value) or (name, (filename, bytes))."""
    boundary = "spoor-test-boundary-7f3a"
    out = b""
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            out += (f'Content-Disposition: form-data; name="{name}"; '
                    f'filename="{value[0]}"\r\nContent-Type: '
                    f'application/octet-stream\r\n\r\n').encode() + value[1]
        else:
            out += (f'Content-Disposition: form-data; name="{name}"'
                    f'\r\n\r\n').encode() + value.encode()
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def browse(url, cookie=None, data=None, ctype=None):
    """(status, headers, body text) of a request as a browser makes it:
    the session cookie, no token header, no redirects followed."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    req = urllib.request.Request(url, data=data)
    if cookie:
        req.add_header("Cookie", cookie)
    if ctype:
        req.add_header("Content-Type", ctype)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         NoRedirect)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def test_serve_pages(env):
    """spoor serve's pages, as a browser gets them: /login?token= sets an
    HttpOnly, SameSite=Strict session cookie (not the token) and goes to
    the case; without it a page is 401. The case lists the collections
    (linked) and the check form with its CSRF token; a form posted without
    that token, or with another, is 403, and with it gives the evidence
    report, each highlighted passage linked to its source's page. An
    item's page shows where it is held and its passages elsewhere (itself
    left out); its text comes as an attachment; search marks the words; a
    collection's page is paged; a document's own markup is never
    rendered."""
    rel = prose(9960, 400)
    env.write("rel/memo.txt", rel)
    env.write("own/copy.txt", rel[:3000] + prose(9961, 100))
    env.write("own/evil.html", "<html><body><script>alert(1)</script>"
              "<p>" + prose(9962, 200) + "</p><img src=http://x.example/a>"
              "</body></html>")
    env.write("own/brackets.txt", "&lt;b&gt; literal <script>x</script> " +
              prose(9963, 120))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    env.run("add", "-c", "own files", "-k", "internal", env.path("own"))
    env.write("mail/thread.mbox",
              "From a Mon Mar  3 10:00:00 2014\n" +
              mail("a@x.example", "b@x.example", "Slate plans",
                   "Mon, 3 Mar 2014 10:00:00 +0000", "t1@x.example",
                   prose(9965, 80)) +
              "\nFrom b Tue Mar  4 10:00:00 2014\n" +
              mail("b@x.example", "a@x.example", "Re: Slate plans",
                   "Tue, 4 Mar 2014 10:00:00 +0000", "t2@x.example",
                   prose(9966, 80), extra="In-Reply-To: <t1@x.example>\n"))
    env.run("add", "-c", "mail", "-k", "internal", env.path("mail"))
    token = "page-token-0123456789abcdef"
    env.write("token", token + "\n")
    p, base = serve(env, "--token-file", env.path("token"),
                    "--max-upload", "200000")
    try:
        status, _, body = browse(base + "/")
        eq(status, 401, "a page without the cookie")
        eq(browse(base + "/", "spoor_token=" + "0" * 64)[0], 401,
           "a page with another cookie")
        eq(browse(base + "/", "spoor_token=" + token)[0], 401,
           "the token is not the session")
        ok("/login?token=" in body, body)
        status, _, _ = browse(base + "/login?token=nope-nope-nope-nope")
        eq(status, 401, "a login with another token")
        status, headers, _ = browse(base + "/login?token=" + token)
        eq(status, 303, "login redirects")
        eq(headers.get("Location"), "/", headers)
        cookie_line = headers.get("Set-Cookie", "")
        ok("HttpOnly" in cookie_line and "SameSite=Strict" in cookie_line,
           cookie_line)
        ok(token not in cookie_line, "the cookie is not the token")
        cookie = cookie_line.split(";")[0]
        status, headers, case = browse(base + "/", cookie)
        eq(status, 200, case)
        csp = headers.get("Content-Security-Policy", "")
        ok("default-src 'none'" in csp and "script" not in csp, csp)
        ok('<a href="/collections/dump-1">dump-1</a>' in case, case)
        ok('<a href="/collections/own%20files">own files</a>' in case, case)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', case)
        ok(m, "the check form carries the form's token")
        csrf = m.group(1)
        query = rel[1000:2600]
        for fields in ([("text", query)], [("csrf", "0" * 64),
                                            ("text", query)]):
            data, ctype = multipart(fields)
            status, _, body = browse(base + "/check", cookie, data, ctype)
            eq(status, 403, f"a form without the right token: {fields[0]}")
        data, ctype = multipart([("csrf", csrf), ("text", query)])
        status, _, report = browse(base + "/check", cookie, data, ctype)
        eq(status, 200, report)
        ok('class="verdict v-released"' in report, "the pasted text's verdict")
        memo = env.check(env.path("rel/memo.txt"))[0]["matches"][0]
        link = f'<a href="/items/{memo["sha256"]}"><mark'
        ok(link in report, "a highlighted passage links to its source")
        # files, one of them unreadable as its format says
        data, ctype = multipart([("csrf", csrf),
                                 ("file", ("a.txt", query.encode())),
                                 ("file", ("b.zip", b"PK\x03\x04broken"))])
        status, _, report = browse(base + "/check", cookie, data, ctype)
        eq(status, 200, report)
        ok("a.txt" in report and "Not checked" in report, report[:3000])
        data, ctype = multipart([("csrf", csrf), ("text", "x" * 300000)])
        status, _, _ = browse(base + "/check", cookie, data, ctype)
        eq(status, 413, "a form over --max-upload")
        # the API takes the token header without the form's token
        status, _, body = http(base + "/api/check", token, query.encode())
        eq(status, 200, body)
        # an item's page: held in, and passages elsewhere without itself
        status, _, item = browse(base + "/items/" + memo["sha256"], cookie)
        eq(status, 200, item)
        ok("dump-1</a> (release, 2014-12-01) memo.txt" in item,
           "where it is held")
        copy = [x for x in env.check(env.path("own/copy.txt"))[0]["matches"]
                if x["collection"] == "own files"][0]
        ok(f'<a href="/items/{copy["sha256"]}"><mark' in item,
           "the copy holding its passages is linked")
        ok(f'<a href="/items/{memo["sha256"]}"><mark' not in item,
           "itself is not a source")
        status, headers, text = browse(
            base + "/items/" + memo["sha256"] + "/text", cookie)
        eq(status, 200, "its text")
        eq(text, rel, "the stored text")
        ok(headers.get("Content-Disposition", "").startswith("attachment"),
           headers)
        eq(browse(base + "/items/" + "0" * 64, cookie)[0], 404, "no item")
        eq(browse(base + "/items/../../etc/passwd", cookie)[0], 404, "path")
        # a document's markup is text on its page, never markup
        evil = env.check(env.path("own/evil.html"))[0]["sha256"]
        status, _, page = browse(base + "/items/" + evil, cookie)
        eq(status, 200, page)
        ok("<script" not in page and "<img" not in page, "no markup of its")
        br = env.check(env.path("own/brackets.txt"))[0]["sha256"]
        status, _, page = browse(base + "/items/" + br, cookie)
        ok("&amp;lt;b&amp;gt; literal &lt;script&gt;" in page,
           "escaped as text")
        # an email's page shows its thread, each message linked
        reply = json.loads(env.run("show", "--json",
                                   "mail:thread.mbox!<t2@x.example>")[0])
        first = json.loads(env.run("show", "--json",
                                   "mail:thread.mbox!<t1@x.example>")[0])
        status, _, page = browse(base + "/items/" + reply["sha256"], cookie)
        ok("Its thread" in page, page)
        ok(f'<a href="/items/{first["sha256"]}">Slate plans</a>' in page,
           "the first message is linked")
        ok("Re: Slate plans</a></b> (this message)" in page, page)
        # search: the words marked, the item linked
        word = rel.split()[40]
        status, _, page = browse(base + "/search?q=" + word, cookie)
        eq(status, 200, page)
        ok(f'<a href="/items/{memo["sha256"]}">memo.txt</a>' in page, page)
        ok("<mark>" in page, "the words are marked")
        status, _, page = browse(base + "/search?q=literal", cookie)
        ok("brackets.txt" in page and "&lt;script&gt;" in page and
           "<script" not in page, "a snippet is escaped")
        status, _, page = browse(base + "/search?q=zzzqqqxxx", cookie)
        ok("0 items hold every word" in page, page)
        # a collection's page, paged
        status, _, page = browse(base + "/collections/own%20files", cookie)
        eq(status, 200, page)
        ok("copy.txt" in page and "evil.html" in page, page)
        eq(browse(base + "/collections/nope", cookie)[0], 404, "none")
        status, _, page = browse(base + "/collections/own%20files?from=2",
                                 cookie)
        ok("Contents 3 to 3 of 3" in page and "previous" in page, page)
        eq(browse(base + "/check", cookie)[0], 405, "GET /check")
    finally:
        p.terminate()
        _, err = p.communicate(timeout=30)
    eq(p.returncode, 0, err)
    # the request time bound: a check past --max-seconds is 503, the
    # server goes on (each item made slow by a test hook)
    p, base = serve(env, "--token-file", env.path("token"),
                    "--max-seconds", "1",
                    extra_env={"SPOOR_TEST_ITEM_DELAY_MS": "400"})
    try:
        box = "".join("From a Mon Mar  3 10:00:00 2014\n" +
                      mail("a@x.example", "b@x.example", f"m{i}",
                           "Mon, 3 Mar 2014 10:00:00 +0000",
                           f"<m{i}@x.example>", prose(9964 + i, 60)) + "\n"
                      for i in range(4))
        status, _, body = http(base + "/api/check?name=box.mbox", token,
                               box.encode())
        eq(status, 503, body)
        status, _, body = http(base + "/api/check", token, query.encode())
        eq(status, 200, "a quick check after it")
    finally:
        p.terminate()
        p.communicate(timeout=30)


def test_serve_add(env):
    """spoor serve --allow-add: the case's page has an add form; posting
    files with the form's token adds them (add's summary), and the server
    sees them at once (check, search); a kind or date that differs from
    the collection's is 409. Without --allow-add /add is 403. An add made
    by the command line while serving is seen too (the index is
    reopened)."""
    env.write("rel/memo.txt", prose(9980, 300))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            env.path("rel"))
    token = "add-token-0123456789abcdef"
    env.write("token", token + "\n")
    new_text = prose(9981, 300)
    p, base = serve(env, "--token-file", env.path("token"))
    try:
        status, headers, _ = browse(base + "/login?token=" + token)
        cookie = headers.get("Set-Cookie", "").split(";")[0]
        status, _, case = browse(base + "/", cookie)
        ok('action="/add"' not in case, "no add form when read-only")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', case).group(1)
        data, ctype = multipart([("csrf", csrf), ("collection", "web"),
                                 ("file", ("n.txt", new_text.encode()))])
        eq(browse(base + "/add", cookie, data, ctype)[0], 403, "read-only")
        # a command-line add while serving is seen by the next request
        env.write("cli/later.txt", new_text)
        env.run("add", "-c", "later", "-k", "release", "-d", "2015-01-05",
                env.path("cli"))
        status, _, body = http(base + "/api/check", token,
                               new_text[200:1800].encode())
        eq(json.loads(body)["first_release"]["collection"], "later",
           "the index was reopened")
    finally:
        p.terminate()
        p.communicate(timeout=30)
    other = prose(9982, 300)
    p, base = serve(env, "--token-file", env.path("token"), "--allow-add")
    try:
        status, headers, _ = browse(base + "/login?token=" + token)
        cookie = headers.get("Set-Cookie", "").split(";")[0]
        status, _, case = browse(base + "/", cookie)
        ok('action="/add"' in case, "the add form")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', case).group(1)
        data, ctype = multipart([("collection", "web"),
                                 ("file", ("n.txt", other.encode()))])
        eq(browse(base + "/add", cookie, data, ctype)[0], 403, "no token")
        data, ctype = multipart([("csrf", csrf), ("collection", "web"),
                                 ("kind", "release"), ("date", "2015-02-01"),
                                 ("file", ("n.txt", other.encode())),
                                 ("file", ("../../etc/x.txt",
                                           prose(9983, 200).encode()))])
        status, _, page = browse(base + "/add", cookie, data, ctype)
        eq(status, 200, page)
        ok("added 2 items to &#39;web&#39;: 2 new" in page or
           "added 2 items to 'web': 2 new" in page, page)
        out, _, _ = env.run("show", "web:n.txt")
        ok("web" in out, out)
        out, _, _ = env.run("collections")
        ok("web" in out and "2015-02-01" in out, out)
        out, _, _ = env.run("show", "web:x.txt")  # folders dropped
        ok("x.txt" in out, out)
        status, _, body = http(base + "/api/check", token,
                               other[300:1900].encode())
        res = json.loads(body)
        eq(res["first_release"]["collection"], "web",
           "a check sees the added file")
        word = other.split()[25]
        status, _, page = browse(base + "/search?q=" + word, cookie)
        ok("n.txt" in page, "search sees it")
        data, ctype = multipart([("csrf", csrf), ("collection", "web"),
                                 ("kind", "internal"),
                                 ("file", ("m.txt", b"more text"))])
        status, _, page = browse(base + "/add", cookie, data, ctype)
        eq(status, 409, page)
        data, ctype = multipart([("csrf", csrf), ("collection", "x"),
                                 ("date", "2015-13-45"),
                                 ("file", ("m.txt", b"more text"))])
        eq(browse(base + "/add", cookie, data, ctype)[0], 400, "bad date")
    finally:
        p.terminate()
        p.communicate(timeout=30)


def test_add_timing(env):
    """add --timing says where the time went: the items, the wall time,
    and the CPU time of the storing thread, of the workers and of isolated
    extractors, and the rate the storing thread alone allows; the same
    for -j 1 (no workers) and -j 2."""
    for i in range(30):
        env.write(f"docs/d{i}.txt", prose(9990 + i, 80))
    for jobs in ("1", "2"):
        _, err, _ = env.run("--index", env.path(f"idx{jobs}"), "add", "-q",
                            "--timing", "-j", jobs, "-c", "docs",
                            env.path("docs"))
        m = re.search(r"spoor add: timing: (\d+) items in ([\d.]+) s wall; "
                      r"CPU: storing thread ([\d.]+) s, (\d+) workers? "
                      r"([\d.]+) s, isolated extractors ([\d.]+) s; the "
                      r"storing thread alone allows at most (\d+) items/s",
                      err)
        ok(m, err)
        eq(m.group(1), "30", "the items")
        eq(m.group(4), jobs, "the workers")
        ok(float(m.group(2)) > 0, err)
    _, err, _ = env.run("--index", env.path("idx3"), "add", "-q", "-c",
                        "docs", env.path("docs"))
    ok("timing" not in err, "only when asked")


def test_grep(env):
    """spoor grep: the items whose text holds every word, best first, with
    a snippet marking them; --json gives where each is held and the marks'
    offsets; --raw takes FTS5 syntax; no answer exits 1; texts added later
    are found (the search index is brought up to date); on an index it may
    not write it searches what is there and says what it lacks."""
    env.write("a/one.txt", "The quarterly budget review for Éclair Films.\n"
              + prose(9970, 80))
    env.write("a/two.txt", "Budget notes: the review is late.\n" +
              prose(9971, 80))
    env.run("add", "-c", "docs", "-k", "internal", env.path("a"))
    out, _, _ = env.run("grep", "budget", "review")
    ok("docs:one.txt" in out and "docs:two.txt" in out, out)
    ok("[budget]" in out.lower(), out)
    ok("2 items match" in out, out)
    out, _, _ = env.run("grep", "--json", "eclair")  # accents folded
    lines = [json.loads(x) for x in out.splitlines()]
    eq(len(lines), 1, out)
    eq(lines[0]["held_in"], [{"collection": "docs", "path": "one.txt"}], out)
    s, e = lines[0]["marks"][0]
    eq(lines[0]["snippet"].encode()[s:e].decode(), "Éclair", lines[0])
    out, _, _ = env.run("grep", "--raw", '"review is late"')
    ok("two.txt" in out and "one.txt" not in out, out)
    _, err, _ = env.run("grep", "nosuchwordanywhere", expect=1)
    _, err, _ = env.run("grep", "--raw", '"unbalanced', expect=1)
    ok("search" in err, err)
    env.write("b/three.txt", "A later budget memo.\n" + prose(9972, 80))
    env.run("add", "-c", "later", "-k", "internal", env.path("b"))
    out, _, _ = env.run("grep", "--limit", "1", "budget")
    ok("3 items match (1 shown; --from 1 for more)" in out, out)
    os.chmod(env.index, 0o555)
    try:
        env.write("c/four.txt", "budget " + prose(9973, 80))
        os.chmod(env.index, 0o755)
        env.run("add", "-c", "later", "-k", "internal", env.path("c"))
        os.chmod(env.index, 0o555)
        if os.geteuid() != 0:  # root writes anyway
            out, err, _ = env.run("grep", "budget")
            ok("not in the search index yet" in err, err)
            ok("3 items match" in out, out)
    finally:
        os.chmod(env.index, 0o755)
    out, _, _ = env.run("grep", "budget")
    ok("4 items match" in out, out)
    out, err, _ = env.run("grep", "budget")
    ok("4 items match" in out, "searching again adds nothing: " + out)
    eq(err, "", "nothing to bring up to date")
    env.run("collections", "rm", "later")
    out, _, _ = env.run("grep", "budget")
    ok("2 items match" in out and "later" not in out, out)


INSTALLED_CHECK = r"""
#include <spoor/spoor.h>
#include <stdio.h>
#include <string.h>

/* Check argv[2] (text) against the index argv[1] through the public API. */
int main(int argc, char **argv)
{
    spoor_store *s = NULL;
    spoor_result *r = NULL;
    spoor_item item;
    spoor_check_opts opts = SPOOR_CHECK_OPTS_INIT;
    if (argc != 3)
        return 2;
    memset(&item, 0, sizeof(item));
    if (spoor_store_open(&s, argv[1], SPOOR_STORE_READONLY) < 0 ||
        spoor_item_from_text(&item, argv[2], strlen(argv[2])) < 0 ||
        spoor_check_item(&r, s, &item, &opts) < 0) {
        fprintf(stderr, "%s\n", spoor_error_last()->message);
        return 1;
    }
    printf("%s %zu\n", r->verdict, r->n_matches);
    spoor_result_free(r);
    spoor_item_dispose(&item);
    spoor_store_free(s);
    return 0;
}
"""


def test_install(env):
    """What make install does (meson install into a temporary DESTDIR)
    lays out the binary, libspoor (exporting its public API only) and its
    modules, the public headers,
    spoor.pc, a man page for spoor and for each command (generated from
    the help) and the bash completion; the installed binary, with nothing
    of the build tree in reach, runs the demo case; and a C program built
    against the installed headers with `pkg-config --cflags --libs spoor`
    checks a fragment through the public API."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(SPOOR)))
    dest = env.path("dest")
    subprocess.run(["meson", "install", "-C", build, "--no-rebuild",
                    "--quiet", "--destdir", dest], check=True,
                   capture_output=True)
    found = {}
    for root, _, files in os.walk(dest):
        for f in files:
            found.setdefault(f, os.path.join(root, f))
    for name in ("spoor.h", "store.h", "spoor.pc", "spoor.1",
                 "spoor-check.1", "spoor-verify.1", "spoor-docs-0.1.0.so",
                 "spoor-mail-0.1.0.so"):
        ok(name in found, f"{name} installed: {sorted(found)}")
    binary = [p for p in (os.path.join(r, "spoor")
                          for r, _, fs in os.walk(dest) if "spoor" in fs)
              if p.endswith("/bin/spoor")][0]
    completion = [os.path.join(r, "spoor") for r, _, fs in os.walk(dest)
                  if "spoor" in fs and r.endswith("completions")][0]
    libdir = os.path.dirname(found["spoor.pc"]).rsplit("/pkgconfig", 1)[0]
    ok(os.path.exists(os.path.join(libdir, "libspoor.so")), libdir)
    # libspoor exports its public API and nothing else: every SPOOR_API
    # function of the installed headers, no internal (spoor_*__*) symbol
    nm = subprocess.run(["nm", "-D", "--defined-only",
                         os.path.join(libdir, "libspoor.so")],
                        capture_output=True, text=True, check=True).stdout
    exported = {ln.split()[2] for ln in nm.splitlines()
                if len(ln.split()) == 3 and ln.split()[1] in "TDBR"}
    headers = "".join(open(os.path.join(os.path.dirname(found["spoor.h"]),
                                        h)).read()
                      for h in os.listdir(os.path.dirname(found["spoor.h"])))
    api = set(re.findall(r"SPOOR_API[^;(]*?\b(spoor_\w+)\s*\(", headers))
    ok(len(api) > 80, f"{len(api)} API functions")
    eq(sorted(exported - api), [], "exported beyond the public API")
    eq(sorted(api - exported), [], "public API not exported")
    man = open(found["spoor-check.1"]).read()
    ok(".SH SYNOPSIS" in man and "--fail-on" in man, man[:400])
    comp = open(completion).read()
    ok("complete -o filenames -F _spoor spoor" in comp and
       "--fail-on" in comp, comp[:300])
    # the installed binary, nothing of the build tree in reach
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LD_LIBRARY_PATH", "SPOOR_INDEX")}
    clean["LD_LIBRARY_PATH"] = libdir
    clean["DEMO_DIR"] = env.path("demo")
    p = subprocess.run([os.path.join(ROOT, "examples", "demo.sh"), binary],
                       capture_output=True, text=True, env=clean,
                       timeout=240)
    eq(p.returncode, 0, p.stderr[-2000:])
    ok("exact copy" in p.stdout and "partially-released" in p.stdout,
       p.stdout[-2000:])
    # serve runs in spoor-serve, installed beside spoor; spoor itself does
    # not load the web server (nor GnuTLS), which every run would pay for
    ok(os.path.exists(os.path.join(os.path.dirname(binary), "spoor-serve")),
       sorted(found))
    p = subprocess.run([binary, "serve", "--help"], capture_output=True,
                       text=True, env=clean)
    eq(p.returncode, 0, p.stderr)
    ok(p.stdout.startswith("usage: spoor serve"), p.stdout[:300])
    needed = subprocess.run(["readelf", "-d", binary], capture_output=True,
                            text=True, check=True).stdout
    ok("libmicrohttpd" not in needed and "libspoor" in needed, needed)
    # without spoor-serve beside it nor on PATH: said, exit 1
    alone = env.path("alone")
    os.makedirs(alone)
    shutil.copy(binary, alone)
    p = subprocess.run([os.path.join(alone, "spoor"), "serve"],
                       capture_output=True, text=True,
                       env=dict(clean, PATH="/usr/bin:/bin"))
    eq(p.returncode, 1, p.stderr)
    ok("cannot run spoor-serve" in p.stderr, p.stderr)
    # a program built against the installed headers and library
    env.write("prog/check.c", INSTALLED_CHECK)
    pc = dict(clean, PKG_CONFIG_PATH=os.path.dirname(found["spoor.pc"]),
              PKG_CONFIG_SYSROOT_DIR=dest)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "spoor"],
                           capture_output=True, text=True, env=pc, check=True)
    ok(dest in flags.stdout and "-lspoor" in flags.stdout, flags.stdout)
    # against a sanitized build (make test-asan) the program carries the
    # sanitizers' runtime too: it must come first
    sanitize = (["-fsanitize=address,undefined"]
                if "ASAN_OPTIONS" in os.environ else [])
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror"] +
                   sanitize + ["-o", env.path("prog/check"),
                               env.path("prog/check.c")] +
                   flags.stdout.split(), check=True, env=pc)
    released = [os.path.join(r, f) for r, _, fs in
                os.walk(os.path.join(env.path("demo"), "dump-1"))
                for f in fs if f.endswith(".txt")][0]
    text = open(released, encoding="utf-8").read()
    p = subprocess.run([env.path("prog/check"),
                        os.path.join(env.path("demo"), "spoor-index"),
                        text[:600]], capture_output=True, text=True, env=clean)
    eq(p.returncode, 0, p.stderr)
    ok(p.stdout.split()[0] == "released" and int(p.stdout.split()[1]) >= 1,
       p.stdout)


def test_options_documented(env):
    """Every command's options come from one table that drives both its
    parsing and its help: each option its help lists is accepted (with a
    value where the help names one, without where it names none), and an
    option its help does not list is refused."""
    top, _, _ = env.run("help", index=False)
    cmds = re.findall(r"^  ([a-z]+)  ", top.split("commands:")[1]
                      .split("global options:")[0], re.M)
    ok(len(cmds) >= 13, cmds)
    for cmd in cmds:
        text, _, _ = env.run("help", cmd, index=False)
        opts = re.findall(r"^(?:  -[a-zA-Z], |      )(--[a-z][a-z-]*)"
                          r"(?: ([A-Z][^ \n]*))?",
                          text.split("options:")[1], re.M)
        ok(opts, f"{cmd}: no options listed: {text}")
        for opt, arg in opts:
            if opt == "--help":
                continue
            value = {"N": "40", "F": "0.5", "DATE": "2014-01-01",
                     "KIND": "release", "NAME=N": "MAX_DEPTH=3",
                     "VERDICT[,VERDICT]": "released",
                     "ADDR:PORT": "127.0.0.1:0", "BYTES": "100"}.get(arg, "x")
            args = [f"{opt}={value}"] if arg else [opt]
            p = subprocess.run([SPOOR, "--index", env.path("none"), cmd] +
                               args + ["--no-such-option"],
                               capture_output=True, text=True)
            # the listed option passes; the parse stops at the unknown one
            ok("'--no-such-option'" in p.stderr and
               f"'{opt}" not in p.stderr, f"{cmd} {opt}: {p.stderr}")
            if not arg:  # a flag refuses a value
                p = subprocess.run([SPOOR, "--index", env.path("none"), cmd,
                                    opt + "=x"], capture_output=True,
                                   text=True)
                ok(p.returncode == 2, f"{cmd} {opt}=x: {p.stderr}")


def test_names_and_events(env):
    """Collection and event names are checked (no control characters, ':'
    or '!', no leading '-', at most 128 bytes, valid UTF-8); recording an
    event again keeps its note; a release without a date is warned of;
    mistakes are fixed with collections rename / set and event rm."""
    env.write("in/a.txt", prose(2100, 100))
    for bad, why in (("two\nlines", "control character"),
                     ("tab\there", "control character"),
                     ("case:1", "':' or '!'"), ("a!b", "':' or '!'"),
                     ("-x", "starts with '-'"), ("x" * 200, "128 bytes")):
        _, err, _ = env.run("add", "-c", bad, env.path("in"), expect=1)
        ok(why in err, f"{bad!r}: {err}")
    p = subprocess.run([SPOOR, "--index", env.index, "add", "-c",
                        b"caf\xe9", env.path("in")], capture_output=True)
    ok(p.returncode == 1 and b"not valid UTF-8" in p.stderr, p.stderr)
    out, _, _ = env.run("collections", "--json")
    eq(out, "", "no collection was made")
    _, err, _ = env.run("add", "-c", "dump", "-k", "release", env.path("in"))
    ok("a release without a date" in err, err)
    env.run("event", "breach-discovered", "2014-11-24", "--note",
            "seen in the logs")
    env.run("event", "breach-discovered", "2014-11-25")
    out, _, _ = env.run("event")
    ok("2014-11-25" in out and "seen in the logs" in out, out)
    _, err, _ = env.run("event", "bad\nname", "2014-11-24", expect=1)
    ok("control character" in err, err)
    # fixing mistakes: rename, set kind / date / note, event rm
    env.run("collections", "rename", "dump", "dump-1")
    env.run("collections", "set", "dump-1", "-d", "2014-12-01", "-k",
            "release", "--note", "first dump")
    [c] = [json.loads(x) for x in env.run("collections", "--json")[0]
           .splitlines()]
    eq((c["name"], c["kind"], c["date"], c["note"]),
       ("dump-1", "release", "2014-12-01", "first dump"), "changed")
    [r] = env.check(env.path("in/a.txt"))
    eq(r["first_release"], {"collection": "dump-1", "date": "2014-12-01"},
       "check sees the new name and date")
    _, err, _ = env.run("collections", "rename", "nope", "x", expect=1)
    ok("no collection 'nope'" in err, err)
    _, err, _ = env.run("collections", "rename", "dump-1", "a:b", expect=1)
    ok("':' or '!'" in err, err)
    _, err, _ = env.run("collections", "set", "dump-1", "-k", "leak",
                        expect=1)
    ok("unknown kind 'leak'" in err, err)
    env.run("event", "rm", "breach-discovered")
    eq(env.run("event")[0], "", "event removed")
    _, err, _ = env.run("event", "rm", "breach-discovered", expect=1)
    ok("no event 'breach-discovered'" in err, err)


def test_show_diff_collections_stats(env):
    a = prose(51, 600)
    shared = a[1000:2000]
    b = prose(52, 200) + "\n\n" + wrap(shared, 30, "> ") + "\n" + prose(53, 100)
    env.write("x/a.txt", a)
    env.write("y/b.txt", b)
    env.run("add", "-c", "xs", "-k", "release", "-d", "2014-12-01",
            "--note", "first dump", env.path("x"))
    env.run("add", "-c", "ys", "-k", "suspect", env.path("y"))
    out, _, _ = env.run("show", "--text", "xs:a.txt")
    eq(out, a, "show --text is the exact text")
    info = json.loads(env.run("show", "--json", "a.txt")[0])
    eq(info["appears_in"][0]["collection"], "xs", "show collection")
    eq(info["indexed"], True, "indexed")
    out, _, _ = env.run("show", info["sha256"][:12])
    ok("xs (release, 2014-12-01)  a.txt" in out, out)
    # a file not in the index
    env.write("z.txt", "hello there")
    info = json.loads(env.run("show", "--json", env.path("z.txt"))[0])
    eq(info["indexed"], False, "not indexed")
    # diff by paths and by index refs: one region, exact offsets in a
    d = json.loads(env.run("diff", "--json", env.path("x/a.txt"),
                           env.path("y/b.txt"))[0])
    eq(len(d["regions"]), 1, f"diff regions {d['regions']}")
    ra = d["regions"][0]["a"]
    ok(abs(ra[0] - 1000) <= 12 and abs(ra[1] - 2000) <= 12, f"region {ra}")
    d2 = json.loads(env.run("diff", "--json", "xs:a.txt", "ys:b.txt")[0])
    eq(d2["regions"], d["regions"], "diff via index refs")
    out, _, _ = env.run("diff", "--width", "80", env.path("x/a.txt"),
                        env.path("y/b.txt"))
    ok("1 shared passage" in out and " | " in out, out)
    cols = [json.loads(line) for line in
            env.run("collections", "--json")[0].splitlines()]
    eq([c["name"] for c in cols], ["xs", "ys"], "collections order")
    eq(cols[0]["note"], "first dump", "note")
    eq(cols[0]["kind"], "release", "kind")
    eq(cols[1]["date"], None, "undated")
    st = json.loads(env.run("stats", "--json")[0])
    eq((st["k"], st["w"], st["G"]), (32, 32, 63), "parameters")
    eq(st["items"], 2, "items")
    eq(st["collections"], 2, "collections")
    out, _, _ = env.run("stats")
    ok("G = 63" in out, out)
    # ambiguous and unknown references
    env.run("add", "-c", "zs", env.path("x"))  # same content, same path
    _, err, _ = env.run("show", "nothing-like-this", expect=1)
    ok("no item 'nothing-like-this'" in err, err)


def test_binary_items(env):
    rng = random.Random(5)
    blob = bytes(rng.randrange(256) for _ in range(20000)) + b"\0" * 10
    env.write("bin/blob.bin", blob)
    env.run("add", "-c", "b", "-k", "release", env.path("bin"))
    env.write("q/same.bin", blob)
    part = bytes(rng.randrange(256) for _ in range(3000)) + blob[5000:13000] \
        + b"\0\1\2"
    env.write("q/part.bin", part)
    res = {r["path"]: r for r in env.check(env.path("q"))}
    eq(res["same.bin"]["format"], "binary", "format")
    eq(res["same.bin"]["matches"][0]["exact"], True, "exact binary")
    eq(res["same.bin"]["verdict"], "released", "binary verdict")
    m = res["part.bin"]["matches"]
    ok(m and m[0]["path"] == "blob.bin", f"partial binary match {m}")
    ok(res["part.bin"]["approximate"], "byte regions are approximate")
    ok(0.6 < m[0]["coverage"] <= 0.75, f"coverage {m[0]['coverage']}")
    r0 = m[0]["regions"][0]
    ok(abs(r0["query"][0] - r0["source"][0] + 2000) < 1,
       f"diagonal {r0}")
    # a binary item read right after a text item (one thread reuses its
    # buffers from item to item) has no canonical characters
    env.write("mixed/a.txt", prose(31, 300))
    env.write("mixed/b.bin", blob[:4000])
    for j in ("1", "2"):
        idx = env.path(f"mixed-ix{j}")
        env.run("--index", idx, "add", "-c", "m", "-j", j,
                env.path("mixed"), index=False)
        st = json.loads(env.run("--index", idx, "stats", "--json",
                                index=False)[0])
        env.run("--index", env.path(f"text-ix{j}"), "add", "-c", "t",
                env.path("mixed/a.txt"), index=False)
        alone = json.loads(env.run("--index", env.path(f"text-ix{j}"),
                                   "stats", "--json", index=False)[0])
        eq(st["canonical_chars"], alone["canonical_chars"],
           f"-j {j}: canonical characters of text + binary")


def test_extractor_module(env):
    """The extractors that need large libraries are in modules loaded on
    first use: plain text loads none, HTML and unsigned mail the mail
    module only (DKIM verification is a module of its own), an archive the
    documents module only; without them text is still ingested and checked
    while the other items are reported."""
    ldd = subprocess.run(["ldd", SPOOR], capture_output=True,
                         text=True).stdout
    for lib in ("libgmime", "libxml2", "libarchive", "libpff", "libcrypto"):
        ok(lib not in ldd, f"spoor links {lib} at start-up:\n{ldd}")
    libspoor = re.search(r"libspoor\.so\.0 => (\S+)", ldd).group(1)
    version = env.run("--version", index=False)[0].split()[1]
    module = f"spoor-mail-{version}.so"
    docs = f"spoor-docs-{version}.so"
    for m in (module, docs, f"spoor-dkim-{version}.so"):
        ok(os.path.exists(os.path.join(os.path.dirname(libspoor), m)),
           f"{m} beside {libspoor}")

    text = prose(41, 400)
    env.write("in/a.txt", text)
    env.write("in/b.html", "<!DOCTYPE html><html><body><p>" + prose(42, 300)
              + "</p></body></html>")
    env.write("q/excerpt.txt", text[500:2500])
    env.write("q/page.html", "<html><body><p>" + prose(42, 300)[100:1500]
              + "</p></body></html>")
    env.run("add", "-c", "c", env.path("in"))

    def mapped(path):
        """ld.so's trace of the files a check of path maps."""
        return env.run("check", path, env={"LD_DEBUG": "files"})[1]

    # a text check maps no module; an HTML one does (ld.so's own trace)
    err = mapped(env.path("q/excerpt.txt"))
    ok(module not in err and docs not in err,
       "checking text loaded an extractor module")
    err = mapped(env.path("q/page.html"))
    ok(module in err, "checking HTML did not load the mail module")
    ok(docs not in err and "libgsf" not in err,
       "checking HTML loaded the documents module")
    dkim = f"spoor-dkim-{version}.so"
    env.write("q/note.eml", "From: a@example.com\nTo: b@example.com\n"
              "Subject: note\nMessage-ID: <n1@example.com>\n"
              "Date: Mon, 01 Dec 2014 10:00:00 +0000\n\n"
              + prose(42, 300)[200:1400] + "\n")
    err = mapped(env.path("q/note.eml"))
    ok(module in err, "checking an email did not load the mail module")
    ok(dkim not in err and "libopendkim" not in err,
       "checking an unsigned email loaded the DKIM module")
    os.remove(env.path("q/note.eml"))
    with zipfile.ZipFile(env.path("q/pack.zip"), "w") as z:
        z.writestr("inner.txt", text[100:1500])
    err = mapped(env.path("q/pack.zip"))
    ok(docs in err, "checking a zip did not load the documents module")
    ok(module not in err and "libgmime" not in err,
       "checking a zip loaded the mail module")
    os.remove(env.path("q/pack.zip"))
    res = env.check(env.path("q"))
    eq(sorted(r["path"] for r in res if r["matches"]),
       ["excerpt.txt", "page.html"], "both match through the module")

    # libspoor copied alone: no module beside it
    lone = env.path("lone")
    os.makedirs(lone)
    shutil.copy(libspoor, os.path.join(lone, "libspoor.so.0"))
    alone = {"LD_LIBRARY_PATH": lone}
    _, err, _ = env.run("--index", env.path("ix2"), "add", "-c", "c",
                        env.path("in"), index=False, env=alone, expect=1)
    ok("b.html: skipped:" in err and "cannot load the extractor module" in err
       and os.path.join(lone, module) in err, err)
    ok("a.txt" not in err, err)
    out, _, _ = env.run("--index", env.path("ix2"), "check", "--json",
                        env.path("q/excerpt.txt"), index=False, env=alone)
    m = json.loads(out)["matches"]
    ok(m and m[0]["path"] == "a.txt", f"text still matched without it: {m}")
    _, err, _ = env.run("--index", env.path("ix2"), "check",
                        env.path("q/page.html"), index=False, env=alone,
                        expect=1)
    ok("page.html" in err and "cannot load the extractor module" in err, err)

    # a file of that name that is not the module is refused by name
    zstd = re.search(r"libzstd\.so\.1 => (\S+)", ldd).group(1)
    shutil.copy(zstd, os.path.join(lone, module))
    _, err, _ = env.run("--index", env.path("ix2"), "check",
                        env.path("q/page.html"), index=False, env=alone,
                        expect=1)
    ok(f"the extractor module {os.path.join(lone, module)} is not the one "
       f"built with libspoor {version}" in err, err)


def test_old_format_refused(env):
    """An index whose segments are in an older format is refused with a
    message naming the segment and saying to build the index again."""
    env.write("in/a.txt", prose(51, 300))
    env.run("add", "-c", "c", env.path("in"))
    segs = [f for f in os.listdir(env.index) if f.endswith(".spx")]
    eq(len(segs), 1, "one segment")
    with open(os.path.join(env.index, segs[0]), "r+b") as f:
        eq(f.read(8), b"SPOORSG4", "current format")
        for old in (b"SPOORSG3", b"SPOORSG2", b"SPOORSG1"):
            f.seek(0)
            f.write(old)
            f.flush()
            _, err, _ = env.run("check", env.path("in/a.txt"), expect=1)
            ok(f"{segs[0]}' is in format {old[-1:].decode()}, which this spoor "
               "no longer reads; build the index again with spoor add" in err,
               err)


def test_catalogue_schema(env):
    """A new index has schema 5; a long text added is stored in parts and
    found; an index of schema 1 to 4 (made from other canonical text,
    without checksums, or with texts in another table) is refused by check
    and by add with the message to build it again, and an unknown schema
    is refused."""
    import sqlite3
    env.write("in/a.txt", prose(61, 300))
    env.run("add", "-c", "c", env.path("in/a.txt"))
    db = os.path.join(env.index, "catalogue.sqlite")

    def schema(value=None):
        con = sqlite3.connect(db)
        if value:
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema'",
                        (value,))
            con.commit()
        v = con.execute("SELECT value FROM meta WHERE key = 'schema'")
        v = v.fetchone()[0]
        con.close()
        return v

    eq(schema(), "5", "a new index")
    long_text = "\n".join(prose(700 + i, 200) for i in range(300))
    ok(len(long_text.encode()) > 300000, "long text")
    env.write("in/long.txt", long_text)
    env.run("add", "-c", "c", env.path("in/long.txt"))
    con = sqlite3.connect(db)
    [head] = con.execute("SELECT substr(t.z, 1, 16) FROM contents c JOIN "
                         "texts t ON t.content_id = c.id "
                         "WHERE c.text_bytes > 300000").fetchone()
    con.close()
    eq(head[:4], bytes.fromhex("5e2a4d18"), "stored in parts")
    eq(head[8:16], b"spoortx1", "table of parts")
    start = len(long_text) // 2
    [res] = env.check("-", stdin=long_text[start:start + 800].encode())
    top = res["matches"][0]
    eq(top["path"], "long.txt", "excerpt of the long text")
    for r in top["regions"]:
        eq(long_text.encode()[r["source"][0]:r["source"][1]],
           long_text[start:start + 800].encode()[r["query"][0]:r["query"][1]],
           "region texts")
    [res] = env.check(env.path("in/long.txt"))
    ok(res["matches"][0]["exact"], "the whole long text")
    out, _, _ = env.run("show", "--text", "c:long.txt")
    eq(out, long_text, "the whole text read back from its parts")
    for old in ("1", "2", "3", "4"):
        schema(old)
        for cmd in (("check", env.path("in/a.txt")),
                    ("add", "-c", "c", env.path("in/a.txt"))):
            _, err, _ = env.run(*cmd, expect=1)
            ok(f"has catalogue schema {old}, made by an older spoor" in err
               and "build the index again with spoor add" in err, err)
        eq(schema(), old, "a refused index is left as it was")
    schema("7")
    _, err, _ = env.run("check", env.path("in/a.txt"), expect=1)
    ok("has an unknown schema" in err, err)


def test_add_huge_pages(env):
    """Where the kernel grants transparent huge pages on request only, spoor
    add runs itself again once with glibc's malloc tunable for them (ld.so's
    trace shows the program started twice, in one process); a tunable the
    user set is kept; other commands start once."""
    env.write("in/a.txt", prose(71, 300))
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            madvise = "[madvise]" in f.read()
    except OSError:
        madvise = False

    def starts(*args, tunables=None):
        extra = {"LD_DEBUG": "files"}
        if tunables:
            extra["GLIBC_TUNABLES"] = tunables
        _, err, _ = env.run(*args, env=extra)
        return err.count("initialize program:")

    eq(starts("add", "-c", "c", env.path("in")), 2 if madvise else 1,
       "starts of spoor add")
    eq(starts("add", "-c", "d", env.path("in"),
              tunables="glibc.malloc.hugetlb=0"), 1, "the user's tunable kept")
    eq(starts("check", env.path("in/a.txt")), 1, "starts of spoor check")
    [res] = env.check(env.path("in/a.txt"))
    eq(sorted(m["collection"] for m in res["matches"]), ["c", "d"],
       "both adds stored the file")


def test_scalar_and_wide_agree(env):
    """With SPOOR_SCALAR=1 the scalar code runs instead of the wide
    (AVX-512) normalisation and winnowing: the same postings, byte for
    byte, and the same check results, for text (ASCII, accents, numbers, a
    long text walked in two halves) and for bytes."""
    rng = random.Random(5)
    words = ["caf\u00e9", "1,234.50", "Stra\u00dfe", "\u65e5\u672c", "----",
             "aaaa", "x.5"]
    for i in range(6):
        body = prose(900 + i, 400) + " " + " ".join(
            rng.choice(words) for _ in range(200))
        env.write(f"in/d{i}.txt", body)
    env.write("in/long.txt", "\n".join(prose(950 + i, 150)
                                       for i in range(200)))
    with open(env.path("in/blob.bin"), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(20000)))

    ok(env.one_segment(env.path("ix-scalar"), env.path("in"),
                       {"SPOOR_SCALAR": "1"}) ==
       env.one_segment(env.path("ix-wide"), env.path("in")),
       "segments differ between the scalar and the wide code")
    text = open(env.path("in/long.txt"), encoding="utf-8").read()
    env.write("q/excerpt.txt", text[len(text) // 2:len(text) // 2 + 3000])
    outs = []
    for name, extra in (("ix-scalar", {"SPOOR_SCALAR": "1"}),
                        ("ix-wide", {})):
        out, _, _ = env.run("--index", env.path(name), "check", "--json",
                            env.path("q/excerpt.txt"), env.path("in/d3.txt"),
                            index=False, env=extra)
        outs.append(out)
    eq(outs[0], outs[1], "check results")
    ok('"long.txt"' in outs[0], "the excerpt found its source")


def test_text_in_pieces(env):
    """add fingerprints a long text piece by piece (its whole canonical text
    is never in memory): pieces of 1,000 bytes, the default pieces and the
    whole text at once give the same segment, byte for byte, and the same
    character count, on 2 MB of prose with accents, ligatures, CJK and
    numbers, a long run of one letter, a period of two letters and a long
    stretch without a letter; excerpts from far in it are found at their
    exact places."""
    rng = random.Random(17)
    digits = " ".join(str(rng.randrange(10**6)) for _ in range(40000))
    text = mixed_text(17, 1400, 7000, "0.5",
                      {300: "a" * 6000, 600: "ab " * 8000, 900: digits})
    data = text.encode()
    ok(len(data) > 2000000, f"document of {len(data)} bytes")
    env.write("in/long.txt", text)
    env.write("in/short.txt", prose(98, 300))

    def build(name, piece):
        seg = env.one_segment(env.path(name), env.path("in"),
                              {"SPOOR_PIECE_BYTES": piece} if piece else None)
        out, _, _ = env.run("--index", env.path(name), "stats", "--json",
                            index=False)
        return seg, json.loads(out)["canonical_chars"]

    small, whole, default = (build("ix-small", "1000"),
                             build("ix-whole", "100000000"),
                             build("ix-default", None))
    eq(small[1], whole[1], "canonical characters, small pieces")
    eq(default[1], whole[1], "canonical characters, default pieces")
    ok(small[0] == whole[0], "segments differ: small pieces, whole text")
    ok(default[0] == whole[0], "segments differ: default pieces, whole text")
    excerpts_at_places(env, data, "long.txt",
                       ((len(data) // 2, 1500), (len(data) - 1000, 1000),
                        (1048576 - 300, 800)),
                       index=env.path("ix-default"))


def test_boilerplate_common(env):
    disclaimer = ("This message and any attachments are confidential and "
                  "intended solely for the addressee. If you received it in "
                  "error, notify the sender and delete it. Studio Legal.")
    for i in range(5):
        env.write(f"m/mail{i}.txt", prose(60 + i, 200) + "\n\n" + disclaimer)
    env.run("add", "-c", "m", "-k", "internal", env.path("m"))
    [r] = env.check("-", stdin=disclaimer.encode(), opts=("--common", "3"))
    eq(r["matches"], [], "boilerplate seeds no match")
    ok(r["boilerplate"] > 0, "boilerplate counted")
    [r] = env.check("-", stdin=disclaimer.encode())
    eq(len(r["matches"]), 5, "below the threshold it matches")
    # a real passage next to the boilerplate still matches; its region
    # extends through the boilerplate, which counts for nothing and is
    # named as such
    q = prose(62, 200) + "\n\n" + disclaimer
    [r] = env.check("-", stdin=q.encode(), opts=("--common", "3"))
    top = r["matches"][0]
    eq(top["path"], "mail2.txt", "rare seed")
    eq(len(top["regions"]), 1, "one region")
    [g] = top["regions"]
    ok(g["query"][0] == 0 and g["query"][1] >= len(q) - 1,
       f"extends through boilerplate: {g}")
    [bp] = g["boilerplate"]
    at = q.index(disclaimer)
    ok(at <= bp[0] <= at + 40 and bp[1] >= len(q) - 1, f"boilerplate {bp}")
    share = len(re.sub(r"[^a-z0-9]", "", q[:bp[0]].lower())) / \
        len(re.sub(r"[^a-z0-9]", "", q.lower()))
    ok(top["coverage"] > 0.97, top)  # of the text less its boilerplate
    ok(r["substantive_chars"] / r["compared_chars"] - share < 0.02, r)
    ok(r["boilerplate_coverage"] > 0.05, r)


def test_usage_errors(env):
    _, _, rc = env.run(expect=2)
    _, err, _ = env.run("frobnicate", expect=2)
    ok("unknown command" in err, err)
    _, err, _ = env.run("add", env.path("x"), expect=2)
    ok("-c NAME" in err, err)
    _, err, _ = env.run("add", "-c", "a", "-d", "2014-13-01", ".", expect=2)
    ok("not a YYYY-MM-DD date" in err, err)
    _, err, _ = env.run("add", "-c", "a", "-k", "leak", ".", expect=2)
    ok("unknown kind" in err, err)
    env.run("event", "x", "2014-02-30", expect=2)
    env.run("check", "--common", "0", "-", expect=2)
    env.run("check", "--bogus", "-", expect=2)
    env.run("diff", "onlyone", expect=2)
    for cmd in ("add", "check", "diff", "show", "collections", "event",
                "stats", "keys", "optimize"):
        out, _, _ = env.run(cmd, "--help")
        ok(out.startswith("usage: spoor " + cmd), f"{cmd} --help: {out}")
    out, _, _ = env.run("--help")
    ok("commands:" in out, out)
    out, _, _ = env.run("--version")
    ok(out.startswith("spoor 0."), out)
    # a collection's kind cannot silently change
    env.write("f.txt", prose(70, 100))
    env.run("add", "-c", "c1", "-k", "release", env.path("f.txt"))
    _, err, _ = env.run("add", "-c", "c1", "-k", "internal",
                        env.path("f.txt"), expect=1)
    ok("exists with kind 'release'" in err, err)


def test_readd_idempotent(env):
    corpus(env, n=6)
    out, _, _ = env.run("add", "-c", "a", env.path("corpus"))
    ok("6 new" in out, out)
    out, _, _ = env.run("add", "-c", "a", env.path("corpus"))
    ok("0 new, 0 already indexed elsewhere, 6 already in this collection"
       in out, out)
    out, _, _ = env.run("add", "-c", "b", env.path("corpus"))
    ok("0 new, 6 already indexed elsewhere" in out, out)
    st = json.loads(env.run("stats", "--json")[0])
    eq((st["items"], st["contents"]), (12, 6), "stored once, seen twice")


def test_inputs_unchanged(env):
    corpus(env, n=5)
    env.write("corpus/mail.mbox", "From a Mon Jan  1 00:00:00 2014\n"
              "From: a@b\nTo: c@d\nSubject: s\n\n" + prose(80, 100))

    def snapshot():
        snap = {}
        for root, _, files in os.walk(env.path("corpus")):
            for f in files:
                p = os.path.join(root, f)
                st = os.stat(p)
                with open(p, "rb") as fh:
                    snap[p] = (hashlib.sha256(fh.read()).hexdigest(),
                               st.st_mtime_ns, st.st_mode, st.st_size)
        return snap

    before = snapshot()
    env.run("add", "-c", "a", env.path("corpus"))
    env.run("check", "--json", env.path("corpus"))
    eq(snapshot(), before, "inputs unchanged")


def test_demo_case(env):
    case = env.path("case")
    make_case.main(case)
    env.run("add", "-c", "fileserver", "-k", "internal", "-d", "2014-12-15",
            os.path.join(case, "internal"))
    env.run("add", "-c", "dump-1", "-k", "release", "-d", "2014-12-01",
            os.path.join(case, "dump-1"))
    env.run("add", "-c", "dump-2", "-k", "release", "-d", "2014-12-08",
            os.path.join(case, "dump-2"))
    env.run("event", "breach-discovered", "2014-11-24")
    expected = json.load(open(os.path.join(case, "expected.json")))
    res = {r["path"]: r for r in env.check(os.path.join(case, "suspect"))}
    for name, verdict in expected.items():
        eq(res[name]["verdict"], verdict, name)
    eq(res["budget-2015.txt"]["matches"][0]["exact"], True, "exact copy")
    eq(res["forwarded-memo.eml"]["first_release"]["collection"], "dump-2",
       "forwarded memo first release")
    eq([p["event"] for p in res["forwarded-memo.eml"]["postdates"]],
       ["breach-discovered"], "post-breach date")
    eq(res["agreement-excerpt.txt"]["matches"][0]["coverage"], 1, "excerpt")
    # the demo script itself runs
    p = subprocess.run([os.path.join(ROOT, "examples", "demo.sh"), SPOOR],
                       env=dict(os.environ, DEMO_DIR=env.path("demo")),
                       capture_output=True, timeout=240)
    eq(p.returncode, 0, p.stderr.decode())
    ok(b"partially-released" in p.stdout, "demo output")


def test_formats_planted_passage(env):
    P = prose(900, 80)          # the planted passage, ~500 characters
    A, B = prose(901, 150), prose(902, 150)
    sheet = [["Item", "Amount", "Note"], ["Marketing", 1234.5, P],
             ["Payroll", 1500000, "fixed"]]
    files = {
        "office/memo.docx": formats.docx([A, P, B], deleted="struck words",
                                         comment="see legal"),
        "office/budget.xlsx": formats.xlsx([("Budget", sheet)]),
        "office/deck.pptx": formats.pptx([[A[:200]], [P], [B[:200]]]),
        "office/report.pdf": formats.pdf([formats.wrap_words(A + " " + P),
                                          formats.wrap_words(B)]),
        "office/memo.rtf": formats.rtf([A, P]),
        "web/page.html": ("<!DOCTYPE html><html><head><title>Memo</title>"
                          '<meta name="date" content="2014-12-02T08:00:00Z">'
                          "<style>p{color:red}</style></head><body><p>"
                          + P.replace("the", "the&nbsp;") +
                          "</p><script>alert('x')</script></body></html>"),
        "office/legacy.xls": formats.xls(sheet),
        "archives/bundle.tar.gz": formats.tar_gz_of(
            [("docs/plain.txt", (A + "\n" + P).encode())]),
    }
    files["office/old.doc"] = formats.word97(
        formats.docx([B, P], created="2014-10-30T08:00:00Z",
                     modified="2014-12-01T16:00:00Z"), env.path("lo"))
    for rel, data in files.items():
        env.write("leak/" + rel, data)
    inner_zip = formats.zip_of([("inner/memo.txt", (P + "\n" + B).encode()),
                                ("inner/empty/", b"")])
    msg = formats.mime_with_attachment(A, "files.zip", inner_zip,
                                       "att@x.example",
                                       "Fri, 05 Dec 2014 18:00:00 +0000")
    env.write("leak/mail/box.mbox", "From leak Fri Dec  5 18:00:00 2014\n" + msg)
    env.write("leak/mail/outlook.pst", pst.write([
        pst.Folder("Inbox", folders=[pst.Folder("Projects", [pst.Message(
            "Q4 plan", A + "\n\n" + P, submit=1417856100,
            delivery=1417857300, message_id="<pst1@x.example>")])]),
        pst.Folder("Sent Items", [pst.Message(
            "plan attached", "see attached", submit=1417870000,
            delivery=1417870000, message_id="<pst2@x.example>",
            attachments=[("plan.docx", formats.docx([B, P]))])])]))
    os.makedirs(env.path("sz"))
    env.write("sz/seven.txt", B + "\n" + P)
    formats.seven_zip(env.path("sz"), env.path("leak/archives/seven.7z"))
    out, _, _ = env.run("add", "-c", "leak", "-k", "release", "-d",
                        "2014-12-08", env.path("leak"))
    for fmt in ("docx 2", "xlsx 1", "pptx 1", "pdf 1", "rtf 1", "xls 1", "doc 1",
                "tar.gz 1", "7z 1", "zip 1", "eml 1", "pst 1",
                "pst-message 2"):
        ok(fmt in out, f"summary counts {fmt}: {out}")
    [res] = env.check("-", stdin=P[50:350].encode())
    paths = {m["path"] for m in res["matches"]}
    expected = {"office/memo.docx", "office/budget.xlsx", "office/deck.pptx",
                "office/old.doc", "web/page.html",
                "office/report.pdf", "office/memo.rtf", "office/legacy.xls",
                "archives/bundle.tar.gz!docs/plain.txt",
                "archives/seven.7z!seven.txt",
                "mail/box.mbox!files.zip!inner/memo.txt",
                "mail/outlook.pst!Top of Personal Folders/Inbox/Projects/"
                "<pst1@x.example>",
                "mail/outlook.pst!Top of Personal Folders/Sent Items/"
                "<pst2@x.example>!plan.docx"}
    eq(sorted(expected - paths), [], "planted passage found everywhere")
    for m in res["matches"]:
        eq(m["coverage"], 1, f"coverage in {m['path']}")
    # dates of each fixture
    items = {r["path"]: r for r in env.check(env.path("leak"))}

    def dates(path):
        return {(d["field"], d["value"], d["source"])
                for d in items[path]["dates"]}
    ok(("modified", "2014-12-03T10:11:12Z", "docProps/core.xml")
       in dates("office/memo.docx"), dates("office/memo.docx"))
    ok(("created", "2014-11-02T09:00:00Z", "docProps/core.xml")
       in dates("office/memo.docx"), "docx created")
    ok(("modified", "2014-12-04T12:00:00Z", "docProps/core.xml")
       in dates("office/budget.xlsx"), "xlsx modified")
    ok(("created", "2014-12-03T09:11:12Z", "PDF Info dictionary")
       in dates("office/report.pdf"), dates("office/report.pdf"))
    ok(("modified", "2014-12-01T16:00:00Z", "OLE SummaryInformation")
       in dates("office/old.doc"), dates("office/old.doc"))
    ok(("date", "2014-12-02T08:00:00Z", "html meta")
       in dates("web/page.html"), dates("web/page.html"))
    ok("alert" not in env.run("show", "--text", "leak:web/page.html")[0],
       "no script text")
    # the text of office documents, exactly: a line per paragraph (the
    # deleted words kept, the comment after the body), a line per row
    eq(env.run("show", "--text", "leak:office/memo.docx")[0],
       f"{A}\n{P}\n{B}\nstruck words\nsee legal\n", "the docx text")
    eq(env.run("show", "--text", "leak:office/budget.xlsx")[0],
       f"Budget\nItem\tAmount\tNote\nMarketing\t1234.5\t{P}\n"
       "Payroll\t1500000\tfixed\n\n", "the xlsx text")
    ok(("created", "2014-12-05T09:30:00", "RTF info group")
       in dates("office/memo.rtf"), dates("office/memo.rtf"))
    ok(("archive-mtime", "2014-11-26T11:06:40Z", "archive member")
       in dates("archives/bundle.tar.gz!docs/plain.txt"), "tar mtime")
    ok(("archive-mtime", "2014-11-20T08:30:00Z", "archive member")
       in dates("mail/box.mbox!files.zip!inner/memo.txt"),
       "zip mtime")
    ok(("date", "2014-12-05T18:00:00Z", "Date header")
       in dates("mail/box.mbox"), "email date")
    pst1 = "mail/outlook.pst!Top of Personal Folders/Inbox/Projects/" \
        "<pst1@x.example>"
    ok(("submitted", "2014-12-06T08:55:00Z", "PST client submit time")
       in dates(pst1), dates(pst1))
    ok(("delivered", "2014-12-06T09:15:00Z", "PST delivery time")
       in dates(pst1), dates(pst1))
    eq(items[pst1]["format"], "pst-message", "PST message format")
    eq(items["archives/bundle.tar.gz"]["format"], "tar.gz", "tar.gz format")
    eq(items["archives/seven.7z"]["format"], "7z", "7z format")
    # metadata and text details
    show = json.loads(env.run("show", "--json", "leak:office/memo.docx")[0])
    eq(show["metadata"]["creator"], "Jane Doe", "docx creator")
    eq(show["metadata"]["application"], "Microsoft Office Word", "app")
    text = env.run("show", "--text", "leak:office/memo.docx")[0]
    ok("struck words" in text and "see legal" in text,
       "tracked deletions and comments are text")
    pdfinfo = json.loads(env.run("show", "--json", "leak:office/report.pdf")[0])
    eq(pdfinfo["metadata"]["producer"], "spoor test writer", "pdf producer")
    rtf_text = env.run("show", "--text", "leak:office/memo.rtf")[0]
    ok("caf\u00e9 \u201cquoted\u201d" in rtf_text, rtf_text[-40:])
    ok("Times" not in rtf_text, "font table skipped")


def test_spreadsheet_csv_match(env):
    rows = [["Region", "Q1", "Q2", "Q3", "Q4", "Owner"]]
    rng = random.Random(3)
    for i in range(40):
        rows.append([f"Territory {i}", rng.randrange(1000, 99999999) / 100,
                     rng.randrange(0, 5000000), rng.randrange(100, 999999) / 4,
                     float(rng.randrange(1, 90000)), "Smith, J."])
    env.write("x/sheet.xlsx", formats.xlsx([("Forecast", rows)]))
    env.write("c/export.csv", formats.csv_of(rows))
    env.write("plain/export.csv", formats.csv_of(rows, thousands=False))
    env.run("add", "-c", "x", "-k", "internal", env.path("x"))
    for csv in ("c/export.csv", "plain/export.csv"):
        [r] = env.check(env.path(csv))
        eq(r["matches"][0]["path"], "sheet.xlsx", f"{csv} finds its xlsx")
        ok(r["matches"][0]["coverage"] >= 0.9,
           f"{csv} coverage {r['matches'][0]['coverage']}")
    # and the other way round
    env.run("add", "-c", "c", "-k", "release", env.path("c"))
    [r] = env.check(env.path("x/sheet.xlsx"), opts=("-c", "c"))
    ok(r["matches"][0]["coverage"] >= 0.9, f"xlsx->csv {r['matches'][0]}")
    # cell values as displayed: a date-formatted cell is an ISO date
    env.write("d/dates.xlsx", formats.xlsx([("S", [["when", ("date", 41976)],
                                                   ["amount", 0.1 + 0.2]])]))
    text = env.run("show", "--text", env.path("d/dates.xlsx"))[0]
    eq(text, "S\nwhen\t2014-12-03\namount\t0.3\n\n", "xlsx text")


def test_pst_mailbox(env):
    """Outlook PST: folder paths, names, dates, attachments, bounds, damage."""
    P, Q = prose(930, 90), prose(931, 90)
    big = ("big.txt", (prose(932, 400) + "\n").encode())
    folders = [
        pst.Folder("Inbox", [
            pst.Message("no id", "body without a message id " + Q,
                        submit=1417000000, delivery=1417000100),
            pst.Message("first", "first copy " + P, submit=1417100000,
                        delivery=1417100100, message_id="<dup@x.example>",
                        attachments=[("memo.txt", P.encode()),
                                     ("memo.txt", Q.encode()), big]),
            pst.Message("second", "second copy", submit=1417200000,
                        delivery=1417200100,
                        message_id="<dup@x.example>")]),
        pst.Folder("Legal/HR", [pst.Message(
            "slash", "folder names with a slash", submit=1417300000,
            message_id="<slash@x.example>")])]
    data = pst.write(folders)
    env.write("m/mail.pst", data)
    env.write("m/after.txt", prose(933, 60))
    out, err, _ = env.run("add", "-c", "m", "--limit", "MAX_MEMBER_BYTES=2500",
                          env.path("m"), expect=1)
    ok("pst 1" in out and "pst-message 4" in out, out)
    box = "m:mail.pst!Top of Personal Folders/"
    show = json.loads(env.run("show", "--json",
                              box + "Inbox/<dup@x.example>")[0])
    eq(show["metadata"]["subject"], "first", "first keeps the plain name")
    eq(show["metadata"]["folder"], "Top of Personal Folders/Inbox", "folder")
    eq(show["metadata"]["from"], "Ann Example <ann@x.example>", "sender")
    eq(show["dates"][0], {"field": "submitted",
                          "value": "2014-11-27T14:53:20Z",
                          "source": "PST client submit time"}, "submit time")
    listing = env.run("show", "--json", box + "Inbox/<dup@x.example>!memo.txt")
    ok(P[:40] in env.run("show", "--text",
                         box + "Inbox/<dup@x.example>!memo.txt")[0], listing)
    ok(Q[:40] in env.run("show", "--text",
                         box + "Inbox/<dup@x.example>!memo.txt #2")[0],
       "a repeated attachment name is made unique")
    second = [n for n in ("<dup@x.example> #2097220", "<dup@x.example> #2097252")
              if env.run("show", "--json", box + "Inbox/" + n,
                         expect=None)[2] == 0]
    eq(len(second), 1, "the repeated Message-ID gets its descriptor")
    text = env.run("show", "--text", box + "Inbox/message-2097188")[0]
    ok(text.startswith("From: Ann Example <ann@x.example>\nTo: Bob Example\n"
                       "Date: 2014-11-26T11:06:40Z\nSubject: no id\n\n"),
       text)
    env.run("show", "--json", box + "Legal_HR/<slash@x.example>")
    ok(f"Inbox/<dup@x.example>!big.txt: skipped: attachment of {len(big[1])} "
       "bytes exceeds what is left of MAX_MEMBER_BYTES (2500)" in err, err)
    [r] = env.check("-", stdin=P[100:400].encode())
    paths = sorted(m["path"] for m in r["matches"])
    eq(paths, ["mail.pst!Top of Personal Folders/Inbox/<dup@x.example>",
               "mail.pst!Top of Personal Folders/Inbox/<dup@x.example>!"
               "memo.txt"], "passage traced into the PST")
    # damaged and hostile PSTs are reported; the batch goes on
    rng = random.Random(5)
    env.write("d/cut.pst", data[:len(data) // 2])
    env.write("d/noise.pst", data[:564] + bytes(rng.randrange(256)
                                                for _ in range(30000)))
    env.write("d/ok.txt", prose(934, 60))
    out, err, _ = env.run("add", "-c", "d", env.path("d"), expect=1)
    ok("cut.pst: skipped: libpff: " in err, err)
    ok("noise.pst: skipped: libpff" in err, err)
    ok("text 1" in out, out)
    # an offline folders file (.ost) has the same layout and another magic
    ost = bytearray(data)
    ost[8:10] = b"SO"
    env.write("o/mail.ost", bytes(ost))
    out, err, _ = env.run("add", "-c", "o", env.path("o"), expect=1)
    ok("ost 1" in out, out + err)  # detected as an .ost, by its magic
    ok("mail.ost: skipped: libpff: " in err, err)  # a patched header


def test_parallel_ingest(env):
    """-j N gives the same index as -j 1; isolated extractors crash or hang
    in their child process, directly forked (-j 1) or from the fork server
    (-j 2), and cost only their item."""
    P = prose(940, 90)
    files = {
        "a/memo.docx": formats.docx([prose(941, 200), P]),
        "a/sheet.xls": formats.xls([["a", 1.5], [P[:100], 2]]),
        "a/box.mbox": "From x Mon Jan  1 00:00:00 2014\n" +
        formats.mime_with_attachment(prose(942, 80), "f.zip", formats.zip_of(
            [("in.txt", P.encode())]), "j@x", "Mon, 01 Dec 2014 00:00:00 +0000"),
        "a/mail.pst": pst.write([pst.Folder("Inbox", [pst.Message(
            "s", P, submit=1417000000, message_id="<j@x>",
            attachments=[("a.txt", prose(943, 50).encode())])])]),
        "b/plain.txt": prose(944, 300),
        "b/c/d.txt": prose(945, 30),
    }
    for i in range(40):
        files[f"b/many/{i:02d}.txt"] = prose(1000 + i, 60)
    for rel, data in files.items():
        env.write("in/" + rel, data)
    env.write("in/b/link-target.txt", "x")
    os.symlink("link-target.txt", env.path("in/b/zz-link.txt"))
    outs = {}
    for j in ("1", "2", "5"):
        idx = env.path(f"ix{j}")
        out, err, _ = env.run("--index", idx, "add", "-c", "c", "-j", j,
                              env.path("in"), env.path("missing"),
                              index=False, expect=1)
        items = env.run("--index", idx, "collections", "--json",
                        index=False)[0]
        [res] = [json.loads(line) for line in env.run(
            "--index", idx, "check", "--json", "-", stdin=P[20:300].encode(),
            index=False)[0].splitlines()]
        outs[j] = (out, err, items,
                   sorted((m["path"], m["coverage"]) for m in res["matches"]))
    eq(outs["2"], outs["1"], "-j 2 gives what -j 1 gives")
    eq(outs["5"], outs["1"], "-j 5 gives what -j 1 gives")
    ok("zz-link.txt: skipped: symbolic link not followed" in outs["1"][1],
       outs["1"][1])
    ok("missing: skipped:" in outs["1"][1], outs["1"][1])
    for j, how in (("1", "FreeXL crashed on this item (signal 11)"),
                   ("2", "FreeXL died on this item")):
        idx = env.path(f"crash{j}")
        out, err, _ = env.run("--index", idx, "add", "-c", "c", "-j", j,
                              env.path("in/a"), index=False, expect=1,
                              env={"SPOOR_TEST_ISOLATED": "crash"})
        ok(f"sheet.xls: skipped: {how}" in err, err)
        ok("mail.pst: skipped: libpff" in err, err)
        ok("docx 1" in out and "eml 1" in out, out)  # a one-message mbox
        out, err, _ = env.run("--index", env.path(f"hang{j}"), "add", "-c",
                              "c", "-j", j, "--limit", "MAX_ITEM_SECONDS=1",
                              env.path("in/a/sheet.xls"), index=False,
                              expect=1, env={"SPOOR_TEST_ISOLATED": "hang"})
        ok("FreeXL took longer than MAX_ITEM_SECONDS (1)" in err, err)


def test_archive_hostile_members(env):
    import tarfile
    import io
    t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w") as tf:
        for name, data in (("ok.txt", prose(5, 100).encode()),
                           ("../../etc/evil.txt", prose(6, 100).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/shadow"
        tf.addfile(link)
        dev = tarfile.TarInfo("dev/null")
        dev.type = tarfile.CHRTYPE
        dev.devmajor, dev.devminor = 1, 3
        tf.addfile(dev)
    env.write("h/odd.tar", t.getvalue())
    # 20 MB of zeros packs into ~20 KB: a ratio bomb under a low limit
    env.write("h/bomb.zip", formats.zip_of([("zeros.bin", b"\0" * 20000000),
                                            ("after.txt", b"never read")]))
    # nesting deeper than MAX_DEPTH
    inner = formats.zip_of([("deep.txt", prose(7, 100).encode())])
    for level in range(4):
        inner = formats.zip_of([(f"level{level}.zip", inner)])
    env.write("h/nested.zip", inner)
    env.write("h/good.txt", prose(8, 200))
    out, err, _ = env.run("add", "-c", "h", "--limit", "MAX_EXPANSION_RATIO=10",
                          "--limit", "MAX_DEPTH=3", env.path("h"), expect=1)
    ok("odd.tar!link: skipped: symbolic link to '/etc/shadow' not followed"
       in err, err)
    ok("odd.tar!dev/null: skipped: device, fifo or socket member" in err, err)
    ok("bomb.zip: skipped: archive expands more than MAX_EXPANSION_RATIO (10)"
       in err, err)
    ok("skipped: nested deeper than MAX_DEPTH (3)" in err, err)
    ok("good.txt" not in err, "good file not skipped")
    paths = {json.loads(l)["path"] for l in
             env.run("check", "--json", env.path("h"), expect=None)[0]
             .splitlines()}
    ok("odd.tar!../../etc/evil.txt" in paths, "odd names are only names")
    ok(not os.path.exists("/etc/evil.txt"), "nothing written by member path")
    cols = json.loads(env.run("collections", "--json")[0].splitlines()[0])
    ok(cols["items"] >= 6, f"the rest was ingested: {cols}")


def dkim_keypair(env, name, ed25519=False):
    """A private key file and its DKIM TXT record (openssl)."""
    key = env.path(name + ".pem")
    if ed25519:
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519",
                        "-out", key], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout",
                              "-outform", "DER"], check=True,
                             capture_output=True).stdout
        return key, "v=DKIM1; k=ed25519; p=" + base64.b64encode(der[-32:]).decode()
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True,
                   capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform",
                          "DER"], check=True, capture_output=True).stdout
    return key, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def dkim_sign(key, selector, msg, *opts):
    # the helper only signs test input; libopendkim leaks its ed25519 key
    # when signing, which is no concern of spoor's (sanitizer builds)
    p = subprocess.run([os.environ["DKIM_SIGN"], key, selector,
                        "studio.example", *opts], input=msg.encode(),
                       capture_output=True, check=True,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    return p.stdout.decode().replace("\r\n", "\n")


def test_dkim_mailbox(env):
    k1, r1 = dkim_keypair(env, "k1")
    k2, r2 = dkim_keypair(env, "k2")          # its private key leaked
    k3, r3 = dkim_keypair(env, "k3")          # only in a file given to check
    k4, _ = dkim_keypair(env, "k4")           # in no archive at all
    ked, red = dkim_keypair(env, "ked", ed25519=True)
    env.write("keys.txt", f"# archived 2015\nsel1._domainkey.studio.example {r1}\n"
              f"seled._domainkey.studio.example {red}\n")
    env.write("leaked.txt", f"sel2._domainkey.studio.example {r2}\n")
    env.write("extra.txt", f"sel3._domainkey.studio.example {r3}\n")
    t = 1417601500  # 2014-12-03T10:11:40Z, 28 s after the Date header

    def msg(n, body=None):
        return ("From: CFO <cfo@studio.example>\nTo: ceo@studio.example\n"
                f"Subject: numbers {n}\nDate: Wed, 03 Dec 2014 10:11:12 +0000\n"
                f"Message-ID: <m{n}@studio.example>\n\n" +
                (body or prose(300 + n, 120)) + "\n")

    week = ["--time", str(t), "--ttl", str(7 * 86400)]
    signed = {
        "pass": dkim_sign(k1, "sel1", msg(1), *week),
        "body": dkim_sign(k1, "sel1", msg(2), *week).replace("\n\n", "\n\nX", 1),
        "header": dkim_sign(k1, "sel1", msg(3), *week).replace(
            "Subject: numbers 3", "Subject: numbers 33"),
        "rewrap": None,
        "length": dkim_sign(k1, "sel1", msg(5), "--time", str(t), "--length")
        + "P.S. appended after signing\n",
        "ed": dkim_sign(ked, "seled", msg(6), "--time", str(t), "--ed25519"),
        "nokey": dkim_sign(k4, "sel4", msg(7), "--time", str(t)),
        "leaked": dkim_sign(k2, "sel2", msg(8), "--time", str(t)),
        "unsigned": msg(9),
        "extra": dkim_sign(k3, "sel3", msg(10), "--time", str(t)),
    }
    s4 = dkim_sign(k1, "sel1", msg(4), *week)
    head, body = s4.split("\n\n", 1)
    signed["rewrap"] = head + "\n\n" + "\n".join(wrap(body, 30).split("\n"))
    order = ["pass", "body", "header", "rewrap", "length", "ed", "nokey",
             "leaked", "unsigned", "extra"]
    env.write("mail/box.mbox", "".join(
        f"From x Wed Dec  3 10:11:12 2014\n{signed[k]}\n" for k in order))
    # no archive yet: every signature is no-key
    env.run("add", "-c", "mail", "-k", "suspect", env.path("mail"))
    res = {r["path"]: r for r in env.check(env.path("mail/box.mbox"))}
    found = [d["result"] for r in res.values() for d in r.get("dkim", [])]
    eq(found, ["no-key"] * 9, "without keys: each of the 9 signatures no-key")
    out, _, _ = env.run("keys", "add", "--observed", "2015-02-01",
                        env.path("keys.txt"))
    ok("2 key records archived" in out, out)
    env.run("keys", "add", "--published", "2016-05-01", env.path("leaked.txt"))
    keys = [json.loads(l) for l in env.run("keys", "list", "--json")[0]
            .splitlines()]
    eq([k["published"] for k in keys], [None, None, "2016-05-01"], "keys")
    eq(keys[0]["observed"], "2015-02-01", "observed")
    res = {r["path"]: r for r in env.check(
        env.path("mail/box.mbox"), opts=("--dkim-keys", env.path("extra.txt")))}

    def sig(n):
        [d] = res[f"box.mbox!<m{n}@studio.example>"]["dkim"]
        return d
    d = sig(1)
    eq(d["result"], "pass", "pass")
    eq((d["domain"], d["selector"], d["algorithm"], d["body_hash"]),
       ("studio.example", "sel1", "rsa-sha256", "match"), "fields")
    eq(d["time_basis"], "Date header", "expiry judged at the message time")
    eq(d["judged_at"], "2014-12-03T10:11:12Z", "judged at")
    eq(d["x"], "2014-12-10T10:11:40Z", "x= long past today, valid then")
    ok("From" in d["signed_headers"], d["signed_headers"])
    ok("does not show who wrote" in d["reason"], d["reason"])
    ok({"field": "dkim-t", "value": "2014-12-03T10:11:40Z",
        "source": "DKIM-Signature t= (d=studio.example)"}
       in res["box.mbox!<m1@studio.example>"]["dates"], "dkim-t in dates")
    eq((sig(2)["result"], sig(2)["body_hash"]), ("fail", "mismatch"), "body")
    eq(sig(3)["result"], "fail", "signed header changed")
    ok("signed header" in sig(3)["reason"], sig(3)["reason"])
    eq(sig(4)["result"], "fail", "re-wrapped body")
    eq((sig(5)["result"], sig(5)["weak"]), ("pass-weak", True), "l= weak")
    ok(sig(5)["l"] > 0 and "l=" in sig(5)["reason"], sig(5))
    eq((sig(6)["result"], sig(6)["algorithm"]), ("pass", "ed25519-sha256"),
       "ed25519")
    eq(sig(7)["result"], "no-key", "key in no archive")
    eq(sig(8)["result"], "pass-weak", "leaked key downgrades a pass")
    eq(sig(8)["key_published"], "2016-05-01", "publication date")
    ok("published on 2016-05-01" in sig(8)["reason"], sig(8)["reason"])
    eq(res["box.mbox!<m9@studio.example>"]["dkim"], [], "unsigned")
    eq(sig(10)["result"], "pass", "--dkim-keys file")
    eq(sig(10)["key_source"], env.path("extra.txt"), "key source")
    ok("dkim" not in res["box.mbox"], "no dkim on the mbox itself")
    # a key that leaked after the message surfaced does not weaken it
    [r] = [x for x in env.check(env.path("mail/box.mbox"),
                                opts=("--surfaced", "2015-01-01"))
           if x["path"] == "box.mbox!<m8@studio.example>"]
    eq(r["dkim"][0]["result"], "pass", "surfaced before the leak")
    for day, result in (("2016-04-30", "pass"), ("2016-05-01", "pass-weak")):
        [r] = [x for x in env.check(env.path("mail/box.mbox"),
                                    opts=("--surfaced", day))
               if x["path"] == "box.mbox!<m8@studio.example>"]
        eq(r["dkim"][0]["result"], result,
           f"surfaced {day}: the key was published on 2016-05-01")
    # judged at a later date, the expired x= fails
    [r] = [x for x in env.check(env.path("mail/box.mbox"),
                                opts=("--as-of", "2016-01-01"))
           if x["path"] == "box.mbox!<m1@studio.example>"]
    eq(r["dkim"][0]["result"], "fail", "expired at --as-of")
    eq(r["dkim"][0]["time_basis"], "as-of", "basis")
    ok("cryptographically valid" in r["dkim"][0]["reason"], r["dkim"][0])
    out, _, _ = env.run("check", env.path("mail/box.mbox"))
    ok("dkim      pass-weak" in out and "dkim      no DKIM signature" in out,
       "text report shows dkim")


def test_html_report_escaping(env):
    evil = ('<script>alert(1)</script> and "><img src=x onerror=alert(2)> '
            "and 'quotes' & ampersands ")
    base = prose(500, 200)
    env.write("src/evil.txt", evil + base)
    env.write("src/plain.txt", prose(501, 200))
    env.run("add", "-c", "rel<1>", "-k", "release", "-d", "2014-12-01",
            env.path("src"))
    env.run("event", "breach<b>", "2014-11-24")
    name = '"><img src=x onerror=alert(3)>.txt'
    env.write("q/" + name, evil + base[:600])
    env.write("q/other.txt", prose(502, 100))
    report = env.path("report.html")
    env.run("check", "--html", report, env.path("q"))
    page = open(report, encoding="utf-8").read()
    low = page.lower()
    ok("<script" not in low, "no script element, even from input text")
    ok("<img" not in low, "no img element from input text or names")
    ok("script&gt;alert(1)&lt;/script&gt;" in page, "script shown as text")
    ok("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page,
       "attribute breakout shown as text")
    ok("&quot;&gt;&lt;img src=x onerror=alert(3)&gt;.txt" in page,
       "file name shown as text")
    ok("rel&lt;1&gt;" in page and "breach&lt;b&gt;" in page,
       "collection and event names escaped")
    ok("default-src 'none'" in page, "CSP forbids loading anything")
    eq(page.count('<tr><td><a href="#item-'), 2, "one summary row per item")
    eq(page.count('<section class="item"'), 2, "one section per item")
    ok("<svg" in page and "</svg>" in page, "timeline")
    eq(page.count('<mark class="s'), 1, "the one shared passage marked")
    ok('data-source="0"' in page, "marked with its source")
    for sha in (hashlib.sha256(open(env.path("q/" + name), "rb").read())
                .hexdigest(),):
        ok(sha in page, "provenance lists the input's sha256")
    ok("k = 32, w = 32, G = 63" in page, "parameters")
    import html.parser

    class Checker(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.bad = [], []

        def handle_starttag(self, tag, attrs):
            if tag not in ("br", "meta", "line", "circle", "input", "hr"):
                self.stack.append(tag)
            for k, v in attrs:
                if k.startswith("on"):
                    self.bad.append(k)

        def handle_endtag(self, tag):
            if tag in ("br", "meta", "line", "circle"):
                return
            if not self.stack or self.stack[-1] != tag:
                self.bad.append(f"</{tag}> closes {self.stack[-1:]} ")
            else:
                self.stack.pop()

    c = Checker()
    c.feed(page)
    eq(c.bad, [], "well nested, no event-handler attributes")
    eq(c.stack, [], "every element closed")
    # diff --html
    out_html = env.path("diff.html")
    env.run("diff", "--html", out_html, env.path("src/evil.txt"),
            env.path("q/" + name))
    d = open(out_html, encoding="utf-8").read()
    ok("<table class=\"sbs\">" in d and "<script" not in d.lower(), "diff page")


def test_hostile_corpus(env):
    import io
    import tarfile
    good = {f"good/g{i}.txt": prose(600 + i, 150) for i in range(5)}
    for rel, text in good.items():
        env.write("h/" + rel, text)
    # a zip with ../ and absolute member names
    env.write("h/names.zip", formats.zip_of([
        ("../../escape.txt", b"outside"), ("/etc/absolute.txt", b"abs"),
        ("ok.txt", prose(610, 60).encode())]))
    # 42.zip style recursion: deeper than MAX_DEPTH (8)
    inner = formats.zip_of([("core.txt", b"deep")])
    for level in range(10):
        inner = formats.zip_of([(f"l{level}a.zip", inner),
                                (f"l{level}b.zip", inner)])
    env.write("h/42.zip", inner)
    # a real zip bomb: 120 MB of zeros packed into ~120 KB, in members that
    # are each under MAX_MEMBER_BYTES, so the ratio bound must stop it
    with zipfile_writer(env.path("h/bomb.zip")) as z:
        for k in range(4):
            z(f"zeros{k}.bin", 30)
    # a tar with a device file and a symlink
    t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w") as tf:
        dev = tarfile.TarInfo("sda")
        dev.type, dev.devmajor, dev.devminor = tarfile.BLKTYPE, 8, 0
        tf.addfile(dev)
        ln = tarfile.TarInfo("passwd")
        ln.type, ln.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(ln)
    env.write("h/devices.tar", t.getvalue())
    # truncated and malformed MIME
    env.write("h/truncated.eml", "From: a@b\nTo: c@d\nSubject: cut\n"
              "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Q"
              "\n\n--Q\nContent-Type: text/plain\n\n" + prose(650, 60) +
              "\n--Q\nContent-Type: text/plain\nContent-Transfer-Encoding:"
              " base64\n\n!!!not*base64@@@\n--Q\nContent-Type: application/"
              "zip; name=x.zip\nContent-Transfer-Encoding: base64\n\nUEsDBAo")
    env.write("h/nested-mime.eml", "From: a@b\nSubject: deep\nMIME-Version:"
              " 1.0\n" + "".join(
                  f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"
                  for i in range(200)) + "Content-Type: text/plain\n\nend\n")
    # a PDF with a broken xref table
    pdf = formats.pdf([formats.wrap_words(prose(620, 80))])
    xref = pdf.rindex(b"xref")
    env.write("h/broken-xref.pdf", pdf[:xref] + b"xref\n0 9\ngarbage\n" +
              pdf[pdf.rindex(b"trailer"):].replace(b"startxref\n",
                                                   b"startxref\n9"))
    # an OOXML document with a billion-laughs entity bomb
    lol = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "lol">' +
           "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 +
                   '">' for i in range(9)) + ']><w:document xmlns:w="http://'
           'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&j;</w:t></w:r></w:p><w:p><w:r><w:t>after the '
           'bomb</w:t></w:r></w:p></w:body></w:document>')
    d = formats.docx(["x"])
    import zipfile as zf
    src = zf.ZipFile(io.BytesIO(d))
    out = io.BytesIO()
    with zf.ZipFile(out, "w") as z:
        for n in src.namelist():
            z.writestr(n, lol if n == "word/document.xml" else src.read(n))
    env.write("h/laughs.docx", out.getvalue())
    # OpenDocument: the same bomb in content.xml; tables nested in cells 60
    # deep; a cell repeated a billion times and a text:s of a billion spaces
    bomb = lol.replace("w:document", "office:document-content").replace(
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
        'main"', formats.ODF_NS)
    odt = formats.odf("odt", ["x"])
    src = zf.ZipFile(io.BytesIO(odt))
    out = io.BytesIO()
    with zf.ZipFile(out, "w") as z:
        for n in src.namelist():
            z.writestr(src.getinfo(n),
                       bomb if n == "content.xml" else src.read(n))
    env.write("h/laughs.odt", out.getvalue())
    # a PNG whose image data is garbage
    env.write("h/broken.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" +
              b"\x00\x00\x10\x00\x00\x00\x10\x00\x08\x00\x00\x00\x00" +
              bytes(range(256)) * 8)
    nest = ('<table:table><table:table-row><table:table-cell>' * 60 +
            '<text:p>innermost cell</text:p>' +
            '</table:table-cell></table:table-row></table:table>' * 60)
    huge = ('<table:table><table:table-row table:number-rows-repeated='
            '"1000000000"><table:table-cell table:number-columns-repeated='
            '"1000000000"><text:p>rep<text:s text:c="1000000000"/>x</text:p>'
            '</table:table-cell></table:table-row></table:table>')
    env.write("h/nested.fodt", (
        '<?xml version="1.0" encoding="UTF-8"?><office:document '
        f'{formats.ODF_NS} office:mimetype="application/vnd.oasis.'
        f'opendocument.text"><office:body><office:text>{nest}{huge}'
        '<text:p>' + prose(640, 40) + '</text:p></office:text></office:body>'
        '</office:document>'))
    # invalid UTF-8 and UTF-16, NUL bytes, and a 2 GB sparse file
    env.write("h/bad-utf8.txt", b"caf\xc3 \xff\xfe broken \xed\xa0\x80 " +
              prose(630, 40).encode())
    env.write("h/bad-utf16.txt", b"\xff\xfe" + "ok ".encode("utf-16-le") +
              b"\x00\xd8\x41\x00" + b"\x00")
    env.write("h/nuls.bin", b"\0" * 100000)
    with open(env.path("h/sparse.bin"), "wb") as f:
        f.truncate(2 << 30)
    out, err, rc = env.run("add", "-c", "h", "--limit",
                           "MAX_FILE_BYTES=1000000000", env.path("h"),
                           expect=1)
    reasons = {
        "42.zip!l9a.zip!": "nested deeper than MAX_DEPTH (8)",
        "bomb.zip: skipped": "MAX_EXPANSION_RATIO",
        "devices.tar!sda: skipped": "device, fifo or socket member",
        "devices.tar!passwd: skipped": "symbolic link to '/etc/passwd'",
        "sparse.bin: skipped": "exceeds MAX_FILE_BYTES",
    }
    for where, why in reasons.items():
        ok(any(where in line and why in line for line in err.splitlines()),
           f"{where} {why}: {err}")
    checked = [env.path("h", f) for f in sorted(os.listdir(env.path("h")))
               if f not in ("bomb.zip", "sparse.bin")]
    items = {json.loads(l)["path"]: json.loads(l) for l in
             env.run("check", "--json", *checked, expect=None)[0].splitlines()}
    for rel in good:
        name = rel.split("/")[-1]
        ok(name in items and items[name]["matches"], f"{rel} ingested")
    ok("names.zip!../../escape.txt" in items and
       "names.zip!/etc/absolute.txt" in items, "odd member names kept as names")
    # the process ran in env.dir: "../../escape.txt" would land two levels
    # up from it, and "/etc/absolute.txt" in /etc
    for place in (os.path.join(env.dir, "..", "..", "escape.txt"),
                  os.path.join(env.dir, "..", "escape.txt"),
                  "/etc/absolute.txt"):
        ok(not os.path.exists(place), f"nothing written at {place}")
    for root, _, files in os.walk(env.dir):
        ok("escape.txt" not in files and "absolute.txt" not in files,
           f"nothing written under {root}")
    ok("truncated.eml" in items, "truncated MIME still read")
    [r] = env.check("-", stdin=prose(650, 60)[50:350].encode())
    ok(any(m["path"].startswith("truncated.eml") for m in r["matches"]),
       f"the planted passage of the truncated message is found: {r}")
    ok("nested-mime.eml: skipped: MIME nesting deeper than MAX_MIME_DEPTH (32)"
       in err,
       "deep MIME nesting reported")
    ok("broken-xref.pdf" in items, "broken xref still read (repaired)")
    [r] = env.check("-", stdin=prose(620, 80)[50:400].encode())
    ok(any(m["path"] == "broken-xref.pdf" for m in r["matches"]),
       f"the planted passage of the repaired PDF is found: {r}")
    ok(any("laughs.docx: skipped: part 'word/document.xml' is not well-formed"
           " XML" in line and "ntit" in line for line in err.splitlines()),
       f"entity bomb refused with libxml2's reason: {err}")
    ok(any("laughs.odt: skipped: part 'content.xml' is not well-formed XML"
           in line for line in err.splitlines()), f"odt entity bomb: {err}")
    nested = env.run("show", "--text", "h:nested.fodt")[0]
    ok("innermost cell" in nested and len(nested) < 200000 and
       prose(640, 40) in nested, f"deep tables and huge repeats bounded: "
       f"{len(nested)} bytes")
    ok(items["broken.png"]["format"] == "png" and
       items["broken.png"]["approximate"] and
       "OCR read nothing" in items["broken.png"]["warning"],
       f"a broken picture is kept as bytes, with the reason: "
       f"{items['broken.png']}")
    eq(items["bad-utf8.txt"]["encoding"], "windows-1252", "invalid UTF-8")
    ok("replaced" in items["bad-utf16.txt"]["warning"], "invalid UTF-16")
    eq(items["nuls.bin"]["format"], "binary", "NUL file")
    st = json.loads(env.run("stats", "--json")[0])
    ok(st["postings"] < 5000, f"repetitive content is capped: {st}")


class zipfile_writer:
    """A zip whose one member is N MB of zeros, streamed (the bomb)."""

    def __init__(self, path):
        import zipfile as zf
        self.z = zf.ZipFile(path, "w", zf.ZIP_DEFLATED)

    def __enter__(self):
        def add(name, mb):
            with self.z.open(name, "w", force_zip64=True) as f:
                chunk = b"\0" * (1 << 20)
                for _ in range(mb):
                    f.write(chunk)
        return add

    def __exit__(self, *a):
        self.z.close()


def test_sigkill_crash_safety(env):
    rng = random.Random(11)
    expected = {}
    for i in range(240):
        rel = f"c/d{i % 6}/f{i:03d}.txt"
        env.write(rel, prose(700 + i, 60))
        expected[rel.split("/", 1)[1]] = True
    mbox = "".join(f"From a Mon Jan  1 00:00:00 2014\nFrom: a@b\nSubject: {i}\n"
                   f"Message-ID: <k{i}@x>\n\n{prose(1000 + i, 40)}\n"
                   for i in range(60))
    env.write("c/mail.mbox", mbox)
    total = 240 + 1 + 60
    args = ["add", "-c", "c", "-k", "release", "--commit-every", "7",
            env.path("c")]
    kill_points = sorted(rng.sample(range(1, total), 16))
    kills = 0
    for n in kill_points:
        p = subprocess.run([SPOOR, "--index", env.index] + args,
                           env=dict(os.environ, SPOOR_TEST_KILL_AFTER=str(n)),
                           capture_output=True, timeout=240)
        eq(p.returncode, -9, f"killed after {n} items")
        kills += 1
        st = json.loads(env.run("stats", "--json")[0])
        # everything committed before the kill is there (batches of 7)
        ok(st["items"] >= (n // 7) * 7, f"after kill at {n}: {st['items']}")
        [r] = env.check("-", stdin=prose(700, 60)[20:300].encode())
        ok(r["verdict"] == "released", "the index answers after a kill")
    # kills at random moments, by the clock
    import time
    for delay in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        p = subprocess.Popen([SPOOR, "--index", env.index] + args,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.kill()
        p.wait()
        kills += 1
        # the index is whole: every bucket, text and catalogue page
        out, _, _ = env.run("verify")
        ok(out.startswith("index sound"), out)
        st = json.loads(env.run("stats", "--json")[0])
        ok(0 < st["items"] <= total, f"after a kill at {delay} s: {st}")
        [r] = env.check("-", stdin=prose(700, 60)[20:300].encode())
        eq(r["verdict"], "released", "the index answers after a kill")
    ok(kills >= 20, "at least 20 kill points")
    # readers during the final add always see a consistent index
    p = subprocess.Popen([SPOOR, "--index", env.index] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reads = 0
    while p.poll() is None or reads < 3:
        out, _, rc = env.run("check", "--json", "-",
                             stdin=prose(700, 60)[20:300].encode(),
                             expect=None)
        eq(rc, 0, "check during add")
        json.loads(out)
        reads += 1
    out, _ = p.communicate()
    eq(p.returncode, 0, "the re-run completes")
    st = json.loads(env.run("stats", "--json")[0])
    eq(st["items"], total, "no item lost, none duplicated")
    eq(st["contents"], total, "each content stored once")
    paths = set()
    for line in env.run("check", "--json", env.path("c"))[0].splitlines():
        r = json.loads(line)
        paths.add(r["path"])
        ok(r["matches"] and r["matches"][0]["exact"], f"{r['path']} present")
    for rel in expected:
        ok(rel in paths, rel)
    print(f"# kill points: {kills}, items verified: {len(paths)}, lost: 0, "
          "duplicated: 0")


def test_segments_merge_and_crash(env):
    docs = corpus(env, n=40, words=300)
    probes = [docs[k][100:500] for k in sorted(docs)[::5]]

    def answers():
        out = []
        for p in probes:
            [r] = env.check("-", stdin=p.encode())
            out.append([(m["path"], m["regions"]) for m in r["matches"]])
        return out

    env.run("add", "-c", "a", "--commit-every", "3", env.path("corpus"))
    st = json.loads(env.run("stats", "--json")[0])
    # 14 batches of similar size: one segment each, and size-tiered merging
    # folds every 8 of a tier into one as add goes
    ok(2 <= st["segments"] < 14, f"tiered merges during add: {st}")
    env.run("--index", env.path("one"), "add", "-c", "a", env.path("corpus"),
            index=False)
    one = json.loads(env.run("--index", env.path("one"), "stats", "--json",
                             index=False)[0])
    eq((one["segments"], one["postings"]), (1, st["postings"]),
       "merges during add keep every posting")
    before, postings = answers(), st["postings"]
    # readers during a merge see a consistent index
    p = subprocess.Popen([SPOOR, "--index", env.index, "optimize"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    during = answers()
    out, err = p.communicate()
    eq(p.returncode, 0, err.decode())
    eq(during, before, "checks during the merge")
    ok(b"merged" in out, out)
    st = json.loads(env.run("stats", "--json")[0])
    eq((st["segments"], st["postings"]), (1, postings),
       "the merge keeps every posting")
    eq(answers(), before, "same answers after the merge")
    eq(sorted(f for f in os.listdir(env.index) if f.startswith("seg-")),
       sorted(f for f in os.listdir(env.index) if f.endswith(".spx")),
       "no temporary segment left")
    eq(len([f for f in os.listdir(env.index) if f.endswith(".spx")]), 1,
       "old segments removed")
    # a crash between the segment write and the catalogue commit
    env.write("more/new.txt", prose(4444, 300))
    for hook in ("SPOOR_TEST_KILL_BEFORE_COMMIT", "SPOOR_TEST_KILL_BEFORE_RENAME"):
        p = subprocess.run([SPOOR, "--index", env.index, "add", "-c", "b",
                            env.path("more")], capture_output=True,
                           env=dict(os.environ, **{hook: "1"}))
        eq(p.returncode, -9, f"{hook}: killed")
        st2 = json.loads(env.run("stats", "--json")[0])
        eq((st2["items"], st2["postings"], st2["segments"]),
           (st["items"], st["postings"], 1), f"{hook}: nothing visible")
        [r] = env.check("-", stdin=prose(4444, 300)[50:400].encode())
        eq(r["matches"], [], f"{hook}: the partial segment is not read")
    env.run("add", "-c", "b", env.path("more"))
    ok(not [f for f in os.listdir(env.index) if f.endswith(".tmp")],
       "the next writer removed the leftovers")
    eq(len([f for f in os.listdir(env.index) if f.endswith(".spx")]), 2,
       "orphan segments removed, the new one kept")
    [r] = env.check("-", stdin=prose(4444, 300)[50:400].encode())
    eq(r["matches"][0]["path"], "new.txt", "the re-run is complete")
    out, _, _ = env.run("optimize")
    ok("merged 2 segments" in out, out)


def main():
    shared = len(sys.argv) == 3 and sys.argv[1] == "--shared"
    if len(sys.argv) != 2 and not shared:
        sys.exit("usage: test_cli.py [--shared] CASE")
    case = sys.argv[-1]
    fn = globals().get("test_" + case)
    if not fn:
        sys.exit(f"no case {case}")
    env = SharedEnv() if shared else Env()
    try:
        fn(env)
        if shared and env.compared == 0:
            raise AssertionError("no read command was compared")
    except AssertionError as e:
        print(f"FAIL {case}: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        env.close()
    print(f"ok {case}" + (f" ({env.compared} commands on both back ends, "
                          f"{env.databases} pushes)" if shared else ""))


if __name__ == "__main__":
    main()
