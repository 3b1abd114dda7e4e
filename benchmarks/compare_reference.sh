#!/bin/sh
# Interleave the reference and `clean run` (CLI, end to end, fresh output folder) N times on one corpus.
# Usage: benchmarks/compare_reference.sh CORPUS.jsonl [N]
set -e
corpus=$1; n=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python}
# KEEP_OUTPUTS=1 removes the outputs after the series instead of after each run: on a
# journal-less ext4 (this VM), creating files within minutes of deleting thousands costs
# the kernel a scan of the recently deleted inodes each, which bills one run's cleanup to
# the next run (docs/performance.md).  The default removes each run's output at once.
kept=""
for i in $(seq 1 "$n"); do
  PYTHONPATH="$here" "$py" "$here/benchmarks/reference_minhash.py" "$corpus"
  out=$(mktemp -d)
  PYTHONPATH="$here" "$py" "$here/benchmarks/bench_cli.py" "$corpus" --out "$out/o"
  if [ -n "$KEEP_OUTPUTS" ]; then kept="$kept $out"; else rm -rf "$out"; fi
done
[ -z "$kept" ] || rm -rf $kept
