#!/bin/sh
# Interleave the reference and `clean run` (CLI, end to end, fresh output folder) N times on one corpus.
# Usage: benchmarks/compare_reference.sh CORPUS.jsonl [N [clean run options...]]
#   e.g. benchmarks/compare_reference.sh /tmp/c10000/corpus.jsonl 30 --workers 2
set -e
corpus=$1; n=${2:-3}
[ $# -ge 2 ] && shift 2 || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python}
# The outputs are removed after the series, not after each run: on a journal-less ext4,
# creating files within minutes of deleting thousands (one, or six while the inode table
# is dirty) costs the kernel a scan of the recently deleted inodes each, which would bill one
# run's cleanup to the next run (docs/performance.md).  bench_cli prints the cost of creating
# a file before each run (file_create_us: ~20 on a quiet file system, 300+ in that window).
# A series of N runs on 10k documents holds N x 215 MB meanwhile.
kept=""
trap 'rm -rf $kept' EXIT
for i in $(seq 1 "$n"); do
  PYTHONPATH="$here" "$py" "$here/benchmarks/reference_minhash.py" "$corpus"
  out=$(mktemp -d)
  kept="$kept $out"
  PYTHONPATH="$here" "$py" "$here/benchmarks/bench_cli.py" "$corpus" --out "$out/o" "$@"
done
