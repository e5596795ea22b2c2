#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS each, starting from its committed
# seed corpus (copied, so the repository is not touched), with ASan+UBSan.
# A crash leaves its input under BUILD/fuzz-artifacts/ and fails the run;
# minimise it, save it as fuzz/corpus/<target>/issue-<n>-<sha8> and add a
# test. Usage: scripts/fuzz.sh BUILD SECONDS [TARGET...]
# FUZZ_SEED=N makes the run repeatable (make fuzz-smoke uses 1). A line per
# target goes to BUILD/fuzz-summary.txt ("<target> ok|failed <runs>").
set -uo pipefail
build="$1"; seconds="$2"; shift 2
root="$(cd "$(dirname "$0")/.." && pwd)"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(text eml mbox html rtf ooxml pdf archive xls doc pst pst_message item
           normalise dkim store segment odf flat_odf msg image)
fi
work="$(mktemp -d)"
mkdir -p "$build/fuzz-artifacts"
: > "$build/fuzz-summary.txt"
seed=()
if [ -n "${FUZZ_SEED:-}" ]; then
  seed=(-seed="$FUZZ_SEED")
fi
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  log="$build/fuzz-artifacts/$t.log"
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" "${seed[@]}" \
      "$work/$t" "$root/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  if [ $rc -ne 0 ]; then
    echo "fuzz $t: FAILED after ${runs:-?} runs (log: $log)"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
    echo "$t failed ${runs:-0}" >> "$build/fuzz-summary.txt"
    status=1
  else
    echo "fuzz $t: ok, ${runs:-?} runs in ${seconds}s"
    echo "$t ok ${runs:-0}" >> "$build/fuzz-summary.txt"
  fi
done
rm -rf "$work"
exit $status
