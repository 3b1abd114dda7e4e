"""Pair the JSON lines of `compare_reference.sh` (a reference run, then a `clean run`) and
print each pair's ratios: wall (the reference's seconds over `clean run`'s, the docs/s
speed-up the 3x target is stated in) and CPU (user + system of each whole process tree).
On a shared machine the CPU figure is the steadier one; with 2 workers, a wall ratio near
twice the CPU ratio means both workers were kept busy.  Never run as a test.

    benchmarks/compare_reference.sh corpus.jsonl 5      # calls this at the end
    python benchmarks/pair_ratios.py < lines.jsonl
"""
from __future__ import annotations

import json
import statistics
import sys


def pairs(records: list[dict]) -> list[tuple[dict, dict]]:
    out, reference = [], None
    for rec in records:
        if rec.get("bench") == "reference_minhash":
            reference = rec
        elif rec.get("bench") == "clean run (CLI)" and reference is not None:
            out.append((reference, rec))
            reference = None
    return out


def main() -> None:
    records = []
    for line in sys.stdin:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    found = pairs(records)
    wall, cpu = [], []
    for i, (ref, run) in enumerate(found, 1):
        w = ref["seconds"] / run["seconds"]
        c = ref["cpu_s"] / run["cpu_s"] if run.get("cpu_s") else float("nan")
        wall.append(w)
        cpu.append(c)
        print(f"pair {i}: reference {ref['seconds']:.2f} s wall, {ref['cpu_s']:.2f} CPU-s | clean run "
              f"{run['seconds']:.2f} s wall, {run.get('cpu_s', float('nan')):.2f} CPU-s | "
              f"wall ratio {w:.2f}x, CPU ratio {c:.2f}x")
    if found:
        ref_wall = sum(r["seconds"] for r, _ in found)
        run_wall = sum(r["seconds"] for _, r in found)
        ref_cpu = sum(r["cpu_s"] for r, _ in found)
        run_cpu = sum(r.get("cpu_s", 0) for _, r in found)
        print(json.dumps({"pairs": len(found),
                          "wall_ratio_median": round(statistics.median(wall), 2),
                          "wall_ratio_range": [round(min(wall), 2), round(max(wall), 2)],
                          "wall_ratio_total": round(ref_wall / run_wall, 2),
                          "cpu_ratio_median": round(statistics.median(cpu), 2),
                          "cpu_ratio_total": round(ref_cpu / run_cpu, 2) if run_cpu else None,
                          "reference_cpu_ms_per_doc": round(ref_cpu / sum(r["docs"] for r, _ in found) * 1e3, 2),
                          "clean_cpu_ms_per_doc": round(run_cpu / sum(r["docs"] or 0 for _, r in found) * 1e3, 2)}))


if __name__ == "__main__":
    main()
