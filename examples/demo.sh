#!/usr/bin/env bash
# The bundled example case, end to end: generate it, index the internal
# snapshot and two dated releases, record the breach, check the suspect
# files, then say how to review it in a browser (spoor serve).
# Usage: examples/demo.sh [path/to/spoor]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
spoor="$(realpath "${1:-$here/../build/cli/spoor}")"
case_dir="$(realpath -m "${DEMO_DIR:-$here/../demo}")"

rm -rf "$case_dir"
python3 "$here/make_case.py" "$case_dir"
export SPOOR_INDEX="$case_dir/spoor-index"
cd "$case_dir"

run() { echo "\$ spoor $*"; "$spoor" "$@"; echo; }
run add -c fileserver -k internal -d 2014-12-15 internal/
run add -c dump-1 -k release -d 2014-12-01 dump-1/
run add -c dump-2 -k release -d 2014-12-08 dump-2/
run event breach-discovered 2014-11-24
run collections
run check suspect/
run timeline --html timeline.html
run overlap --html overlap.html
"$spoor" check --json --html report.html suspect/ > check.jsonl
echo "JSON report (one object per line): $case_dir/check.jsonl"
echo "HTML evidence report: $case_dir/report.html"
echo "HTML pages of the collections: $case_dir/overlap.html, $case_dir/timeline.html"
echo
echo "Review the case in a browser:"
echo "  $spoor -i $SPOOR_INDEX serve"
echo "then open the http://127.0.0.1:8750/login?token=... URL it prints"
echo "(paste a suspect file's text in the check form, follow a highlighted"
echo "passage to its source, search the texts). Ctrl-C stops it."
