#!/usr/bin/env python3
"""Issue 19's benchmark: check against a shared index on PostgreSQL beside
the same index on local disk, in the same run, and the ingest rates.

    bench/pg_check.py SPOOR [POSTINGS...]

For each size (postings, default 10^7): a generated corpus of mbox messages
(60 words each) is added to a local index (spoor add -j 2), pushed to a
throw-away PostgreSQL 15 (tests/pg/pgserver.py), then checked both ways:
20 queries of about 2,000 fingerprints each (excerpts of 80 indexed
messages: every fingerprint has postings), in one process (check --timing:
each document's own work) and as one process per query (start-up,
connecting and reading the catalogue included). Ingest: items and
postings a second for the local add, for the push, and for an add into
the shared index (a staging index pushed at the end).
Results: bench/results/pg-check-DATE.json and a table on stdout.
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
from pgserver import PgServer  # noqa: E402
import make_case  # noqa: E402

SPOOR = sys.argv[1]
SIZES = [int(x) for x in sys.argv[2:]] or [10000000]
BENCH = os.environ.get("BENCH_DIR", "/tmp/spoor-bench")
FPS_PER_ITEM = 22  # of a 60-word message, about (stats gives the truth)


def corpus(n, seed, per_box=20000):
    """n messages of 60 words in mbox files; their bodies."""
    d = os.path.join(BENCH, f"pg-corpus-{seed}-{n}")
    bodies = []
    rng = random.Random(seed)
    words = make_case.WORDS
    fresh = not os.path.isdir(d)
    if fresh:
        os.makedirs(d)
    for b in range(0, n, per_box):
        lines = []
        for i in range(b, min(b + per_box, n)):
            body = " ".join(rng.choice(words) for _ in range(60))
            if i % 97 == 0:
                bodies.append(body)
            lines.append(f"From x Mon Dec  1 10:00:00 2014\nFrom: s@ex.com\n"
                         f"Subject: {i}\nMessage-ID: <p{seed}.{i}@ex.com>\n\n"
                         f"{body}\n\n")
        if fresh:
            with open(os.path.join(d, f"s{b:09d}.mbox"), "w") as f:
                f.write("".join(lines))
    return d, bodies


def query_docs(bodies, n=20, per_doc=80):
    """n documents, each of per_doc indexed bodies (about 2,000
    fingerprints)."""
    d = os.path.join(BENCH, "pg-queries")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    rng = random.Random(5)
    docs = []
    for i in range(n):
        p = os.path.join(d, f"q{i:02d}.txt")
        with open(p, "w") as f:
            f.write("\n\n".join(rng.choice(bodies) for _ in range(per_doc)))
        docs.append(p)
    return docs


def run(*args):
    return subprocess.run([SPOOR] + list(args), check=True,
                          capture_output=True, text=True)


def timed(*args):
    t0 = time.monotonic()
    p = run(*args)
    return time.monotonic() - t0, p


def pct(times):
    times = sorted(times)
    return (round(statistics.median(times), 2),
            round(times[int(0.99 * (len(times) - 1))], 2))


def in_process(index, docs):
    p = run("-i", index, "check", "--json", "--timing", *docs)
    times = [float(line.split()[3]) for line in p.stderr.splitlines()
             if " timing: " in line]
    fps = [json.loads(line)["fingerprints"] for line in p.stdout.splitlines()]
    return pct(times), round(statistics.median(fps))


def per_process(index, docs):
    times = []
    for d in docs:
        t0 = time.monotonic()
        run("-i", index, "check", "--json", d)
        times.append((time.monotonic() - t0) * 1000)
    return pct(times)


def size_row(pg, postings, n_db):
    items = postings // FPS_PER_ITEM
    folder, bodies = corpus(items, postings)
    index = os.path.join(BENCH, f"pg-index-{postings}")
    shutil.rmtree(index, ignore_errors=True)
    add_s, _ = timed("-i", index, "add", "-q", "-j", "2", "-c", "scale",
                     folder)
    st = json.loads(run("-i", index, "stats", "--json").stdout)
    db = f"bench{n_db}"
    subprocess.run(["psql", "-q", pg.conninfo, "-c", f"CREATE DATABASE {db}"],
                   check=True)
    url = pg.url(db)
    push_s, _ = timed("-i", index, "push", url)
    size = json.loads(run("-i", url, "stats", "--json").stdout)
    docs = query_docs(bodies)
    row = {"postings": st["postings"], "items": st["items"],
           "local_add_s": round(add_s, 1), "push_s": round(push_s, 1),
           "local_bytes_per_posting": round(st["postings_bytes"] /
                                            st["postings"], 2),
           "pg_bytes_per_posting": round(size["postings_bytes"] /
                                         size["postings"], 2),
           "pg_stored_bytes": size["stored_bytes"],
           "local_stored_bytes": st["stored_bytes"]}
    for name, where in (("local", index), ("pg", url)):
        (p50, p99), fps = in_process(where, docs)
        q50, q99 = per_process(where, docs)
        row.update({f"{name}_in_process_p50_ms": p50,
                    f"{name}_in_process_p99_ms": p99,
                    f"{name}_process_p50_ms": q50,
                    f"{name}_process_p99_ms": q99, "query_fingerprints": fps})
    # an add into the shared index: a tenth of the corpus again, new
    small, _ = corpus(max(items // 10, 1000), postings + 1)
    add_pg_s, _ = timed("-i", url, "add", "-q", "-j", "2", "-c", "more",
                        small)
    after = json.loads(run("-i", url, "stats", "--json").stdout)
    row["pg_add_items"] = after["items"] - size["items"]
    row["pg_add_s"] = round(add_pg_s, 1)
    shutil.rmtree(index, ignore_errors=True)
    return row


def main():
    os.makedirs(BENCH, exist_ok=True)
    rows = []
    with PgServer({"shared_buffers": "1GB", "max_wal_size": "4GB",
                   "checkpoint_timeout": "30min"}) as pg:
        for i, n in enumerate(SIZES):
            rows.append(size_row(pg, n, i))
            print(json.dumps(rows[-1]), flush=True)
    out = os.path.join(HERE, "results",
                       "pg-check-" + time.strftime("%Y-%m-%d") + ".json")
    with open(out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d"), "rows": rows}, f,
                  indent=1)
    print("\n| postings | items | check in process p50 / p99 ms, local | "
          "PostgreSQL | one process p50 / p99 ms, local | PostgreSQL | "
          "add items/s | push items/s | add into PostgreSQL items/s | "
          "bytes a posting, local / PostgreSQL |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['postings']:,} | {r['items']:,} | "
              f"{r['local_in_process_p50_ms']} / "
              f"{r['local_in_process_p99_ms']} | "
              f"{r['pg_in_process_p50_ms']} / {r['pg_in_process_p99_ms']} | "
              f"{r['local_process_p50_ms']} / {r['local_process_p99_ms']} | "
              f"{r['pg_process_p50_ms']} / {r['pg_process_p99_ms']} | "
              f"{r['items'] / r['local_add_s']:,.0f} | "
              f"{r['items'] / r['push_s']:,.0f} | "
              f"{r['pg_add_items'] / r['pg_add_s']:,.0f} | "
              f"{r['local_bytes_per_posting']} / "
              f"{r['pg_bytes_per_posting']} |")
    print(f"\n{out}")


if __name__ == "__main__":
    main()
