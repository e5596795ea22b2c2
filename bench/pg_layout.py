#!/usr/bin/env python3
"""Issue 19's first decision, measured: the postings of a PostgreSQL back
end as one row per posting or as blocks of delta-coded postings
(bench/pg_layout.c), at 10^7 postings, on a throw-away server.
Usage: bench/pg_layout.py BENCH_PG_LAYOUT [POSTINGS [QUERIES [BLOCK...]]]"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
from pgserver import PgServer  # noqa: E402


def main():
    prog = sys.argv[1]
    postings = sys.argv[2] if len(sys.argv) > 2 else "10000000"
    queries = sys.argv[3] if len(sys.argv) > 3 else "200"
    blocks = sys.argv[4:] or ["64"]
    results = []
    with PgServer() as pg:
        for b in blocks:
            out = subprocess.run([prog, pg.conninfo, postings, queries, b],
                                 check=True, capture_output=True,
                                 text=True).stdout
            results.append(json.loads(out))
    print(json.dumps(results, indent=1))
    res = results[0]
    print(f"\n| layout | load s | bytes per posting | lookup of "
          f"{res['query_keys']} keys p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- |")
    rows = [("rows", r["rows"]) for r in results[:1]]
    rows += [(f"blocks of {r['blocks']['per_block']}", r["blocks"])
             for r in results]
    rows += [(f"buckets of about {r['buckets']['per_block']}", r["buckets"])
             for r in results]
    for name, r in rows:
        print(f"| {name} | {r['load_s']} | "
              f"{r['bytes'] / res['postings']:.1f} | {r['p50_ms']} | "
              f"{r['p99_ms']} |")


if __name__ == "__main__":
    main()
