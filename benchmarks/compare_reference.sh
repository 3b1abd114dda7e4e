#!/bin/sh
# Interleave the reference and `clean run` (CLI, end to end, fresh output folder) N times on one corpus.
# Usage: benchmarks/compare_reference.sh CORPUS.jsonl [N]
set -e
corpus=$1; n=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python}
for i in $(seq 1 "$n"); do
  PYTHONPATH="$here" "$py" "$here/benchmarks/reference_minhash.py" "$corpus"
  out=$(mktemp -d)
  PYTHONPATH="$here" "$py" "$here/benchmarks/bench_cli.py" "$corpus" --out "$out/o"
  rm -rf "$out"
done
