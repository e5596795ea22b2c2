#!/bin/sh
# bench/profile.sh: where ingest and the fingerprint kernel spend their time,
# with perf (Debian package linux-perf), on the corpora make bench built.
#
#   bench/profile.sh [BUILD]        (BUILD defaults to build)
#
# For each of: spoor add of the text corpus, of the mail corpus (-j 2), and
# the kernel benchmark, it prints the share of samples per library and the
# top symbols. Run make bench first: the corpora are under $BENCH_DIR
# (default /tmp/spoor-bench). Profiles are written under $BENCH_DIR/profile.
set -eu
BUILD=${1:-build}
BENCH_DIR=${BENCH_DIR:-/tmp/spoor-bench}
OUT=$BENCH_DIR/profile
SPOOR=$BUILD/cli/spoor
command -v perf >/dev/null || {
	echo "profile: perf is missing (apt-get install linux-perf)" >&2
	exit 2
}
for need in "$BENCH_DIR/text" "$BENCH_DIR/mail" "$BENCH_DIR/kernel.txt"; do
	[ -e "$need" ] || {
		echo "profile: $need is missing: run make bench first" >&2
		exit 2
	}
done
mkdir -p "$OUT"

report() { # NAME: libraries, then symbols
	echo "== $1: share of samples by library"
	perf report -i "$OUT/$1.data" --no-children --sort dso -g none \
		--stdio 2>/dev/null | grep '%' | head -12
	echo "== $1: top symbols"
	perf report -i "$OUT/$1.data" --no-children --sort dso,symbol -g none \
		--stdio 2>/dev/null | grep '%' | head -25
	echo
}

for corpus in text mail; do
	rm -rf "$OUT/index-$corpus"
	perf record -q -F 2000 -g -o "$OUT/add-$corpus.data" -- \
		"$SPOOR" -i "$OUT/index-$corpus" add -q -j 2 -c "$corpus" \
		"$BENCH_DIR/$corpus" >/dev/null 2>&1
	report "add-$corpus"
done
perf record -q -F 5000 -g -o "$OUT/kernel.data" -- \
	"$BUILD/bench/bench_kernel" "$BENCH_DIR/kernel.txt" 5 >/dev/null 2>&1
report kernel
