#!/usr/bin/env python3
"""spoor's benchmark harness (make bench).

Builds reproducible corpora on this machine, measures spoor against ssdeep
and tlsh on the same files in the same run (ratios, since machines are
shared and noisy), prints a table and writes bench/results/<date>.json.

    bench/run.py SPOOR BENCH_KERNEL [--scale N] [--jobs N] [--latency-only]

Corpora (under $BENCH_DIR, default /tmp/spoor-bench):
  text   plain-text files Debian ships under /usr/share/doc (copied)
  mail   a generated mail corpus: mbox files of messages that quote each
         other, re-wrapped and '>'-prefixed
  scale  a generated corpus of N items (--scale, default 1,000,000) as mbox
         messages, indexed in steps of 10 k, 100 k, 1 M (when N is larger)
         and N for query latency, then merged into one segment (spoor
         optimize) and measured again

--latency-only measures the scale corpus alone (no kernel, no ingest
table) and writes bench/results/<date>-scale-<N>.json: the run for a
large N (10^7 items take about 20 GB under $BENCH_DIR and most of an hour).

The floor (bench/floor.c): the parsing library alone on what it parses in
each corpus (libxml2 on the text corpus's HTML, GMime on the mail), and
from it the best ratio to ssdeep -r that any ingest parsing with it could
reach on the same cores were all its other work free.

Query latency is measured three ways: per process (spoor check run once per
query, so process start-up and mapping the index are included), in
process (spoor check --timing over 100 different documents in one run: the
time of each document's own work, with the index in the page cache), and
through spoor serve's API (POST /api/check of the same 100 documents on a
warm server, three rounds after a warm-up: the request's time as the
client sees it).
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
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
import make_case  # noqa: E402

SPOOR, KERNEL = sys.argv[1], sys.argv[2]
FLOOR = os.path.join(os.path.dirname(KERNEL), "bench_floor")
SCALE = 1000000
if "--scale" in sys.argv:
    SCALE = int(sys.argv[sys.argv.index("--scale") + 1])
JOBS = os.cpu_count() or 1
if "--jobs" in sys.argv:
    JOBS = int(sys.argv[sys.argv.index("--jobs") + 1])
LATENCY_ONLY = "--latency-only" in sys.argv
BENCH = os.environ.get("BENCH_DIR", "/tmp/spoor-bench")


def timed(cmd, **kw):
    """Wall time and peak RSS (KiB) of a command, via /usr/bin/time -v."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True,
                       **kw)
    wall = time.monotonic() - t0
    rss = 0
    for line in p.stderr.decode(errors="replace").splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.split()[-1])
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n"
                 + p.stderr.decode(errors="replace")[-2000:])
    return wall, rss, p.stdout


def size_of(folder):
    total = n = 0
    for root, _, files in os.walk(folder):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
            n += 1
    return total, n


def make_text():
    d = os.path.join(BENCH, "text")
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    for root, _, files in os.walk("/usr/share/doc"):
        for f in sorted(files):
            src = os.path.join(root, f)
            if f.endswith((".gz", ".xz", ".bz2")) or os.path.islink(src):
                continue
            rel = os.path.relpath(src, "/usr/share/doc").replace("/", "__")
            shutil.copyfile(src, os.path.join(d, rel))
    return d


def make_mail(n_boxes=40, per_box=500):
    d = os.path.join(BENCH, "mail")
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    rng = random.Random(5)
    bodies = []
    for b in range(n_boxes):
        with open(os.path.join(d, f"box{b:03d}.mbox"), "w") as f:
            for i in range(per_box):
                body = make_case.prose(b * 100000 + i, rng.randint(60, 400))
                if bodies and rng.random() < 0.5:
                    q = rng.choice(bodies)
                    body += "\n\nOn a day, someone wrote:\n" + \
                        make_case.wrap(q[:rng.randint(200, 1500)], 70, "> ")
                bodies.append(body)
                if len(bodies) > 2000:
                    bodies.pop(0)
                f.write(f"From x Mon Dec  1 10:00:00 2014\nFrom: u{i}@ex.com\n"
                        f"To: v@ex.com\nSubject: re {i}\n"
                        f"Message-ID: <b{b}m{i}@ex.com>\n"
                        "Date: Mon, 01 Dec 2014 10:00:00 +0000\n\n"
                        f"{body}\n\n")
    return d


def make_scale(n, start=0, per_box=10000):
    d = os.path.join(BENCH, f"scale-{start}-{n}")
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    words = make_case.WORDS
    rng = random.Random(start + 17)
    for b in range(start, start + n, per_box):
        with open(os.path.join(d, f"s{b:08d}.mbox"), "w") as f:
            for i in range(b, min(b + per_box, start + n)):
                body = " ".join(rng.choice(words) for _ in range(60))
                f.write(f"From x Mon Dec  1 10:00:00 2014\nFrom: s@ex.com\n"
                        f"Subject: {i}\nMessage-ID: <s{i}@ex.com>\n\n{body}\n\n")
    return d


def queries(folder, n=100, length=600):
    """n excerpt files of the corpus's files (the check workload)."""
    qd = os.path.join(BENCH, os.path.basename(folder) + "-queries")
    if os.path.isdir(qd):
        return qd
    os.makedirs(qd)
    files = []
    for root, _, fs in os.walk(folder):
        files += [os.path.join(root, f) for f in fs]
    files.sort()
    rng = random.Random(9)
    made = 0
    while made < n:
        src = rng.choice(files)
        data = open(src, "rb").read()
        if len(data) < 2 * length:
            continue
        o = rng.randrange(0, len(data) - length)
        with open(os.path.join(qd, f"q{made:03d}.txt"), "wb") as f:
            f.write(data[o:o + length])
        made += 1
    return qd


def ingest_row(name, folder, jobs):
    index = os.path.join(BENCH, f"index-{name}")
    shutil.rmtree(index, ignore_errors=True)
    nbytes, nfiles = size_of(folder)
    sp_wall, sp_rss, _ = timed([SPOOR, "-i", index, "add", "-q", "-j",
                                str(jobs), "-c", name, folder])
    st = json.loads(subprocess.run([SPOOR, "-i", index, "stats", "--json"],
                                   capture_output=True).stdout)
    # without OCR too: ssdeep and tlsh read no text out of images
    shutil.rmtree(index + "-no-ocr", ignore_errors=True)
    no_ocr, _, _ = timed([SPOOR, "-i", index + "-no-ocr", "add", "-q",
                          "--no-ocr", "-j", str(jobs), "-c", name, folder])
    shutil.rmtree(index + "-no-ocr", ignore_errors=True)
    digests = os.path.join(BENCH, f"{name}.ssdeep")
    ss_wall, _, out = timed(["ssdeep", "-r", folder])
    open(digests, "wb").write(out)
    tl_wall, _, _ = timed(["tlsh", "-r", folder])
    floor = parse_floor(name, folder)
    qd = queries(folder)
    qfiles = sorted(os.path.join(qd, f) for f in os.listdir(qd))
    ck_wall, _, _ = timed([SPOOR, "-i", index, "check", "--json"] + qfiles)
    sm_wall, _, _ = timed(["ssdeep", "-m", digests] + qfiles)
    return {
        "corpus": name, "files": nfiles, "bytes": nbytes,
        "items": st["items"], "canonical_chars": st["canonical_chars"],
        "spoor_add_s": round(sp_wall, 3), "ssdeep_r_s": round(ss_wall, 3),
        "tlsh_r_s": round(tl_wall, 3),
        "spoor_mb_s": round(nbytes / sp_wall / 1e6, 1),
        "ssdeep_mb_s": round(nbytes / ss_wall / 1e6, 1),
        "tlsh_mb_s": round(nbytes / tl_wall / 1e6, 1),
        "ratio_vs_ssdeep": round(ss_wall / sp_wall, 2),
        "ratio_vs_tlsh": round(tl_wall / sp_wall, 2),
        "spoor_no_ocr_s": round(no_ocr, 3),
        "ratio_vs_ssdeep_no_ocr": round(ss_wall / no_ocr, 2),
        "items_per_s": round(st["items"] / sp_wall),
        "index_bytes_per_char": st["bytes_per_canonical_char"],
        "postings_bytes_per_char": round(st["postings_bytes"] /
                                         max(st["canonical_chars"], 1), 3),
        "peak_rss_mib": round(sp_rss / 1024, 1),
        "check_100_s": round(ck_wall, 3), "ssdeep_m_100_s": round(sm_wall, 3),
        "check_ratio_vs_ssdeep_m": round(sm_wall / ck_wall, 2),
        "parse_floor": floor,
        # the best ratio any ingest could reach that parses with the same
        # library on `jobs` cores, were all its other work free
        "ceiling_ratio_vs_ssdeep": round(ss_wall / (floor["seconds"] / jobs),
                                         2),
    }


def parse_floor(name, folder):
    """The parsing library alone on what it parses in the corpus (bench/
    floor.c): libxml2 on the HTML of the text corpus, GMime on the mail."""
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    if name == "text":
        files = [f for f in files if f.lower().endswith((".html", ".htm"))]
    kind, lib = ("html", "libxml2") if name == "text" else ("mail", "GMime")
    out = json.loads(subprocess.run([FLOOR, kind, "3"] + files,
                                    capture_output=True, check=True).stdout)
    out["library"] = lib
    return out


def percentiles(times):
    times = sorted(times)
    return (round(statistics.median(times), 1),
            round(times[int(0.99 * (len(times) - 1))], 1))


def latency(index, query, runs=40):
    """p50, p99 ms of a whole spoor check process on one document."""
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run([SPOOR, "-i", index, "check", "--json", query],
                       capture_output=True, check=True)
        times.append((time.monotonic() - t0) * 1000)
    return percentiles(times)


def latency_in_process(index, docs):
    """p50, p99 ms of each document's work in one spoor check --timing."""
    p = subprocess.run([SPOOR, "-i", index, "check", "--json", "--timing"] +
                       docs, capture_output=True, check=True)
    times = [float(line.split()[3]) for line in
             p.stderr.decode().splitlines() if " timing: " in line]
    if len(times) != len(docs):
        sys.exit("bench: check --timing gave %d times for %d documents"
                 % (len(times), len(docs)))
    return percentiles(times)


def latency_api(index, docs, rounds=3):
    """p50, p99 ms of POST /api/check on a warm spoor serve (one kept-alive
    connection, each document rounds times after one warm-up round): the
    request's whole time as the client sees it."""
    import http.client
    import re
    token = "bench-token-0123456789abcdef"
    tfile = os.path.join(BENCH, "serve-token")
    with open(tfile, "w") as f:
        f.write(token + "\n")
    p = subprocess.Popen([SPOOR, "-i", index, "serve", "--listen",
                          "127.0.0.1:0", "--token-file", tfile],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    try:
        m = re.search(r":(\d+)/", p.stdout.readline())
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)),
                                          timeout=60)
        bodies = [open(d, "rb").read() for d in docs]
        times = []
        for r in range(rounds + 1):
            for body in bodies:
                t0 = time.monotonic()
                conn.request("POST", "/api/check", body,
                             {"Authorization": "Bearer " + token})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    sys.exit(f"bench: /api/check answered {resp.status}")
                if r:
                    times.append((time.monotonic() - t0) * 1000)
        conn.close()
    finally:
        p.terminate()
        p.wait(timeout=60)
    return percentiles(times)


def latency_docs(n=100):
    """The probe (indexed) and n - 1 more documents of the same prose."""
    d = os.path.join(BENCH, "latency-docs")
    os.makedirs(d, exist_ok=True)
    docs = []
    for i in range(n):
        p = os.path.join(d, f"d{i:03d}.txt")
        with open(p, "w") as f:
            f.write(make_case.prose(4242 + i, 500))
        docs.append(p)
    return docs


def latency_row(index, items, probe, docs, **extra):
    p50, p99 = latency(index, probe)
    i50, i99 = latency_in_process(index, docs)
    a50, a99 = latency_api(index, docs)
    segs = len([f for f in os.listdir(index) if f.endswith(".spx")])
    return dict({"items": items, "segments": segs, "p50_ms": p50,
                 "p99_ms": p99, "in_process_p50_ms": i50,
                 "in_process_p99_ms": i99, "api_p50_ms": a50,
                 "api_p99_ms": a99}, **extra)


def main():
    os.makedirs(BENCH, exist_ok=True)
    jobs = JOBS
    kernel, rows = None, []
    if not LATENCY_ONLY:
        kernel = json.loads(subprocess.run([KERNEL, concat_text(), "5"],
                                           capture_output=True,
                                           check=True).stdout)
        rows = [ingest_row("text", make_text(), jobs),
                ingest_row("mail", make_mail(), jobs)]
    # query latency as the index grows: 10 k, 100 k, SCALE items
    index = os.path.join(BENCH, "index-scale")
    shutil.rmtree(index, ignore_errors=True)
    lat, done, peak = [], 0, 0
    docs = latency_docs()
    probe = docs[0]
    subprocess.run([SPOOR, "-i", index, "add", "-q", "-c", "probe", probe],
                   check=True)
    for target in (10000, 100000, 1000000, SCALE):
        if target > SCALE or target <= done:
            continue
        folder = make_scale(target - done, done)
        wall, rss, _ = timed([SPOOR, "-i", index, "add", "-q", "-j",
                              str(jobs), "-c", "scale", folder])
        peak = max(peak, rss)
        print(f"bench: {target} items indexed ({wall:.1f} s)", flush=True)
        done = target
        lat.append(latency_row(index, done, probe, docs,
                               last_add_s=round(wall, 1)))
    wall, _, _ = timed([SPOOR, "-i", index, "optimize"])
    lat.append(latency_row(index, done, probe, docs,
                           optimize_s=round(wall, 1)))
    result = {
        "date": time.strftime("%Y-%m-%d"), "jobs": jobs,
        "machine": machine(), "kernel": kernel, "ingest": rows,
        "latency": lat, "scale_peak_rss_mib": round(peak / 1024, 1),
    }
    name = time.strftime("%Y-%m-%d")
    if LATENCY_ONLY:
        name += f"-scale-{SCALE}"
    out = os.path.join(HERE, "results", name + ".json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print_table(result)
    print(f"\nwritten {out}")


def concat_text():
    p = os.path.join(BENCH, "kernel.txt")
    if not os.path.exists(p):
        with open(p, "wb") as out:
            for f in sorted(os.listdir(make_text()))[:2000]:
                data = open(os.path.join(make_text(), f), "rb").read()
                if b"\0" not in data[:4096]:
                    out.write(data)
    return p


def machine():
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"cpu": cpu, "cores": os.cpu_count(),
            "mem_gib": round(os.sysconf("SC_PAGE_SIZE") *
                             os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def print_table(r):
    k = r["kernel"]
    if not k:
        print_latency(r)
        return
    print(f"machine: {r['machine']['cpu']}, {r['machine']['cores']} cores, "
          f"{r['machine']['mem_gib']} GiB; spoor add -j {r['jobs']}")
    print(f"kernel (normalise + winnow piece by piece, as add does, ASCII "
          f"text): {k['kernel_mb_s']} MB/s (in items of 3,000 bytes "
          f"{k.get('kernel_items_mb_s', '-')}; the whole text at once "
          f"{k['whole_text_mb_s']}; "
          f"normalise to characters {k['normalise_chars_mb_s']} "
          f"(scalar path {k['normalise_chars_scalar_mb_s']}; wide path "
          f"{'on' if k['wide_ascii'] else 'absent'}), with "
          f"offsets {k['normalise_mb_s']}, winnow {k['winnow_text_mb_s']} "
          f"(scalar kernel {k['winnow_text_scalar_mb_s']}; wide kernel "
          f"{'on' if k['wide_winnow'] else 'absent'}),"
          f" bytes {k['winnow_bytes_mb_s']})")
    print("| corpus | files | MB | spoor add MB/s | ssdeep -r MB/s | tlsh -r "
          "MB/s | ratio vs ssdeep | ratio vs tlsh | items/s | index B/char "
          "(all) | postings B/char | peak RSS MiB | check 100 s | "
          "ssdeep -m 100 s |")
    print("|---" * 14 + "|")
    for x in r["ingest"]:
        print(f"| {x['corpus']} | {x['files']} | {x['bytes'] / 1e6:.1f} | "
              f"{x['spoor_mb_s']} | {x['ssdeep_mb_s']} | {x['tlsh_mb_s']} | "
              f"{x['ratio_vs_ssdeep']} | {x['ratio_vs_tlsh']} | "
              f"{x['items_per_s']} | {x['index_bytes_per_char']} | "
              f"{x['postings_bytes_per_char']} | "
              f"{x['peak_rss_mib']} | {x['check_100_s']} | "
              f"{x['ssdeep_m_100_s']} |")
    print("\nWithout OCR (add --no-ocr; ssdeep and tlsh read no text out "
          "of images): " + "; ".join(
              f"{x['corpus']} {x['bytes'] / x['spoor_no_ocr_s'] / 1e6:.1f} "
              f"MB/s, {x['ratio_vs_ssdeep_no_ocr']}x ssdeep -r"
              for x in r["ingest"] if "spoor_no_ocr_s" in x))
    print("\nThe floor: the parsing library alone (one core, empty "
          "callbacks), and the best ratio an ingest that uses it could "
          f"reach at -j {r['jobs']} were all its other work free:")
    print("| corpus | library | files parsed | MB parsed | library alone s "
          "| ceiling vs ssdeep -r |")
    print("|---" * 6 + "|")
    for x in r["ingest"]:
        f = x["parse_floor"]
        print(f"| {x['corpus']} | {f['library']} | {f['files']} | "
              f"{f['bytes'] / 1e6:.1f} | {f['seconds']} | "
              f"{x['ceiling_ratio_vs_ssdeep']} |")
    print_latency(r)


def print_latency(r):
    print("\n| indexed items | segments | check p50 ms (process) | p99 ms "
          "(process) | p50 ms (in process) | p99 ms (in process) | p50 ms "
          "(serve API) | p99 ms (serve API) |")
    print("|---|---|---|---|---|---|---|---|")
    for x in r["latency"]:
        note = " (after optimize)" if "optimize_s" in x else ""
        print(f"| {x['items']}{note} | {x['segments']} | {x['p50_ms']} | "
              f"{x['p99_ms']} | {x['in_process_p50_ms']} | "
              f"{x['in_process_p99_ms']} | {x.get('api_p50_ms', '-')} | "
              f"{x.get('api_p99_ms', '-')} |")


if __name__ == "__main__":
    main()
