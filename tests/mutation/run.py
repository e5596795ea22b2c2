#!/usr/bin/env python3
"""make mutate: the mutation score of the test suite.

    tests/mutation/run.py [--jobs N] [--only ID[,ID...]] [--stage STAGE]
                          [--out FILE]

Copies the project's tracked files to a scratch folder ($MUTATE_DIR,
default /tmp/spoor-mutate), builds it once, checks that the suite passes
there, then applies each mutant of tests/mutation/mutants.py in turn: one
small source edit, an incremental rebuild, the unit, fuzz-replay and CLI
suites (each stopping at its first failure), and the edit undone. A mutant
is killed when a suite fails, stillborn when it does not build (not
counted), stale when its text is no longer in its file (reported, to be
updated). Ends with "mutation score: K killed of N", the survivors, and
how many mutants the CLI tests and the unit tests each caught. Results go
to bench/results/mutation-DATE.json (or --out).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from mutants import M  # noqa: E402


def sh(cmd, cwd=None, timeout=None):
    """Run cmd; (exit status, combined output)."""
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace")


def copy_tree(dest):
    """The tracked files of the project into dest (kept between runs, so
    that the build there stays incremental)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           stdout=subprocess.PIPE).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        rel = f.decode()
        src, dst = os.path.join(ROOT, rel), os.path.join(dest, rel)
        if os.path.isdir(src) or not os.path.exists(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if (not os.path.exists(dst) or
                open(src, "rb").read() != open(dst, "rb").read()):
            # a fresh mtime (not copy2's): the scratch build's outputs may
            # be newer than the source's own time, and ninja must rebuild
            shutil.copy(src, dst)


def failing(log):
    """The names of the tests a meson test log reports as failing."""
    names = []
    for line in log.splitlines():
        if (" FAIL " in line or " TIMEOUT " in line) and " / " in line:
            names.append(line.split(" / ", 1)[1].split()[0])
    return names


def run_suites(build, jobs):
    """Each suite stopping at its first failure: {suite: [failed tests]}."""
    out = {}
    for suite in ("unit", "fuzz-replay", "cli", "shared"):
        rc, log = sh(["meson", "test", "-C", build, "--no-rebuild",
                      "--suite", suite, "--num-processes", str(jobs),
                      "--maxfail", "1", "--timeout-multiplier", "0.3"])
        if rc != 0:
            out[suite] = failing(log) or ["(suite failed)"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", default="")
    ap.add_argument("--stage", default="")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    scratch = os.environ.get("MUTATE_DIR", "/tmp/spoor-mutate")
    src, build = os.path.join(scratch, "src"), os.path.join(scratch, "build")
    os.makedirs(src, exist_ok=True)
    copy_tree(src)
    if not os.path.exists(os.path.join(build, "build.ninja")):
        rc, log = sh(["meson", "setup", build, src])
        if rc:
            sys.exit("mutate: meson setup failed:\n" + log)
    rc, log = sh(["ninja", "-C", build])
    if rc:
        sys.exit("mutate: the unmutated tree does not build:\n" + log[-3000:])
    base = run_suites(build, a.jobs)
    if base:
        sys.exit(f"mutate: the suite fails without any mutant: {base}")
    chosen = [m for m in M
              if (not a.only or m["id"] in a.only.split(","))
              and (not a.stage or m["stage"] == a.stage)]
    results, t0 = [], time.time()
    for n, m in enumerate(chosen, 1):
        path = os.path.join(src, m["file"])
        with open(path) as f:
            text = f.read()
        r = dict(m)
        if text.count(m["find"]) != 1:
            r["result"] = "stale"
        else:
            with open(path, "w") as f:
                f.write(text.replace(m["find"], m["replace"]))
            try:
                rc, log = sh(["ninja", "-C", build])
                if rc:
                    r["result"] = "stillborn"
                else:
                    failed = run_suites(build, a.jobs)
                    r["result"] = "killed" if failed else "survived"
                    r["failed"] = failed
            finally:
                with open(path, "w") as f:
                    f.write(text)
        results.append(r)
        caught = ", ".join(f"{s}: {' '.join(t[:2])}"
                           for s, t in r.get("failed", {}).items())
        print(f"[{n}/{len(chosen)}] {r['id']:<16} {r['result']:<9} "
              f"{m['breaks']}" + (f"  <- {caught}" if caught else ""),
              flush=True)
    sh(["ninja", "-C", build])  # leave the scratch build unmutated
    counted = [r for r in results if r["result"] in ("killed", "survived")]
    killed = [r for r in counted if r["result"] == "killed"]
    by_cli = sum(1 for r in killed if "cli" in r["failed"])
    by_unit = sum(1 for r in killed if "unit" in r["failed"])
    print(f"\nkilled by CLI tests: {by_cli}; by unit tests: {by_unit}; "
          f"by fuzz replay: "
          f"{sum(1 for r in killed if 'fuzz-replay' in r['failed'])}")
    for kind in ("stale", "stillborn"):
        odd = [r["id"] for r in results if r["result"] == kind]
        if odd:
            print(f"{kind}: {' '.join(odd)}")
    survivors = [r for r in counted if r["result"] == "survived"]
    if survivors:
        print("survivors:")
        for r in survivors:
            print(f"  {r['id']:<16} {r['file']}: {r['breaks']}")
    print(f"mutation score: {len(killed)} killed of {len(counted)}"
          f" ({100 * len(killed) / max(1, len(counted)):.1f} %), "
          f"{time.time() - t0:.0f} s")
    out = a.out or os.path.join(ROOT, "bench", "results", "mutation-" +
                                time.strftime("%Y-%m-%d") + ".json")
    with open(out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d"), "killed": len(killed),
                   "counted": len(counted), "by_cli": by_cli,
                   "by_unit": by_unit, "results": results}, f, indent=1)
    print(f"written {out}")


if __name__ == "__main__":
    main()
