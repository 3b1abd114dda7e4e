#!/usr/bin/env python3
"""Soak test: a 20,000-document run with faults injected into its inputs, then runs with
faults injected into the processes.

Generates a corpus with benchmarks/gen_corpus.py (or reuses --corpus), splits it into
per-document files (.txt, some gzipped) and JSONL shards (some gzipped), injects faults at
random into a fraction of them (truncation, binary garbage, legacy or broken encodings,
broken JSON lines, empty files, corrupt gzip), runs `python -m cleaner run` in a
subprocess, and checks that every input is accounted for in the manifest: each file is
listed once with the verdict its fault calls for, each JSONL line is a document or a listed
problem, and the documents in the manifest are the lines of corpus.jsonl.

With --fault-runs N it then runs N more times into the same output folder, on inputs that
alternate between two variants (the second has one more file, so a new output differs
from the previous one), each in a session of its own, and at a random moment of each run
injects one process fault: SIGTERM or SIGINT to the whole process group (what `timeout`,
systemd, Docker, Kubernetes, Slurm and Ctrl-C send), SIGKILL to one worker (what the
out-of-memory killer does), or nothing.  Each run must end within --hang-seconds of its
fault with the exit code the fault calls for, leave no process of its group, no staging
leftovers, and either the previous output byte for byte or a complete new one (the manifest
describes its files exactly, and accounts for every input of the variant it ran on).

Prints figures; not part of the test suite.

    python benchmarks/soak.py --n 20000 --work /tmp/soak
    python benchmarks/soak.py --n 3000 --fault-runs 40 --work /tmp/soak-faults
"""
from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
GEN = Path(__file__).resolve().parent / "gen_corpus.py"
FAULTS = ("truncate", "garbage", "cp1252", "utf16", "bad-utf8", "broken-json", "empty", "gz-corrupt")


def generate(n: int, work: Path, seeds: Path) -> Path:
    out = work / "generated"
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "corpus.jsonl").exists():
        subprocess.run([sys.executable, str(GEN), "--n", str(n), "--seeds", str(seeds), "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
    return out / "corpus.jsonl"


def split(corpus: Path, inputs: Path, rng: random.Random, shard_size: int) -> list[dict]:
    """Half the documents as single files, half as JSONL shards; returns one plan per file."""
    records = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    plans = []
    singles, shards = records[: len(records) // 2], records[len(records) // 2:]
    for r in singles:
        gz = rng.random() < 0.1
        name = f"docs/{r['id']:05d}.txt" + (".gz" if gz else "")
        plans.append({"path": name, "kind": "text", "gz": gz, "lines": None, "payload": r["text"]})
    for i in range(0, len(shards), shard_size):
        chunk = shards[i:i + shard_size]
        gz = rng.random() < 0.2
        name = f"shards/shard{i // shard_size:04d}.jsonl" + (".gz" if gz else "")
        lines = [json.dumps({"id": f"s{r['id']}", "text": r["text"]}, ensure_ascii=False) for r in chunk]
        plans.append({"path": name, "kind": "jsonl", "gz": gz, "lines": lines, "payload": None})
    for plan in plans:
        if plan["kind"] == "jsonl":  # few shards: fault them more often, mostly with broken lines
            plan["fault"] = rng.choice(FAULTS + ("broken-json",) * 6) if rng.random() < 0.3 else None
        else:
            plan["fault"] = rng.choice(FAULTS) if rng.random() < 0.08 else None
        if plan["fault"] == "broken-json" and plan["kind"] != "jsonl":
            plan["fault"] = "truncate"
        if plan["fault"] == "gz-corrupt" and not plan["gz"]:
            plan["fault"] = "garbage"
        write(inputs / plan["path"], plan, rng)
    return plans


def write(path: Path, plan: dict, rng: random.Random) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fault = plan["fault"]
    if plan["kind"] == "jsonl":
        lines = list(plan["lines"])
        if fault == "broken-json":
            broken = rng.sample(range(len(lines)), k=max(1, len(lines) // 10))
            plan["broken_lines"] = len(broken)
            for j in broken:
                lines[j] = lines[j][: rng.randrange(1, max(2, len(lines[j]) // 2))]
        text = "\n".join(lines) + "\n"
    else:
        text = plan["payload"]
    if fault == "cp1252":
        data = text.encode("cp1252", errors="replace")
    elif fault == "utf16":
        data = text.encode("utf-16")
    elif fault == "bad-utf8":
        raw = text.encode("utf-8")
        cut = rng.randrange(len(raw))
        data = raw[:cut] + b"\xff\xfe\xc3" + raw[cut:]
    else:
        data = text.encode("utf-8")
    if fault == "truncate":
        data = data[: rng.randrange(1, max(2, len(data)))]
    elif fault == "garbage":
        data = os.urandom(len(data) // 4 + 64)
    elif fault == "empty":
        data = b""
    if plan["gz"] and fault != "empty":
        data = gzip.compress(data, mtime=0)
        if fault == "gz-corrupt":
            data = data[:10] + bytes(rng.randrange(256) for _ in range(64)) + data[74:]
    path.write_bytes(data)


# What each fault must lead to; None means "any verdict, as long as the file is listed".
EXPECTED = {None: "ok", "truncate": None, "garbage": "failed", "cp1252": "ok", "utf16": "ok", "bad-utf8": "ok",
            "broken-json": "ok", "empty": "skipped", "gz-corrupt": "failed"}


def check(plans: list[dict], inputs: Path, out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = collections.Counter(os.path.relpath(f["path"], inputs) for f in manifest["inputs"])
    by_path = {os.path.relpath(f["path"], inputs): f for f in manifest["inputs"]}
    problems = []
    missing = [p["path"] for p in plans if p["path"] not in listed]
    twice = [k for k, n in listed.items() if n > 1]
    extra = [k for k in listed if k not in {p["path"] for p in plans}]
    verdicts = collections.Counter()
    for plan in plans:
        entry = by_path.get(plan["path"])
        if entry is None:
            continue
        verdicts[(plan["fault"] or "none", entry["status"])] += 1
        want = EXPECTED[plan["fault"]]
        if want and entry["status"] != want:
            problems.append(f"{plan['path']}: fault {plan['fault']} gave {entry['status']} ({entry.get('error')})")
        expected_encoding = {"cp1252": ("cp1252", "utf-8"), "utf16": ("utf-16",), "bad-utf8": ("utf-8",)}.get(plan["fault"])
        if expected_encoding and entry["status"] == "ok" and entry["encoding"] not in expected_encoding:
            problems.append(f"{plan['path']}: fault {plan['fault']} decoded as {entry['encoding']}")
        if plan["kind"] == "jsonl" and entry["status"] == "ok" and plan["fault"] in (None, "broken-json", "cp1252",
                                                                                      "utf16"):
            accounted = entry["documents"] + len(entry.get("problems", []))
            if accounted != len(plan["lines"]):
                problems.append(f"{plan['path']}: {len(plan['lines'])} lines but {entry['documents']} documents "
                                f"+ {len(entry.get('problems', []))} problems")
    corpus_lines = sum(1 for _ in open(out / "corpus.jsonl", encoding="utf-8"))
    documents = sum(f["documents"] for f in manifest["inputs"])
    if corpus_lines != documents:
        problems.append(f"corpus.jsonl has {corpus_lines} lines, manifest lists {documents} documents")
    clean_files = sum(1 for _ in (out / "clean").iterdir())
    if clean_files != corpus_lines:
        problems.append(f"clean/ has {clean_files} files for {corpus_lines} documents")
    return {"missing": missing, "listed_twice": twice, "unexpected": extra, "problems": problems,
            "verdicts": verdicts, "documents": documents, "counts": manifest["counts"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cleaner-soak"))
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    ap.add_argument("--corpus", type=Path, help="reuse a generated corpus.jsonl")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--shard-size", type=int, default=100)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--fault-runs", type=int, default=0,
                    help="runs after the first, each with a process fault injected at a random moment")
    ap.add_argument("--hang-seconds", type=float, default=30.0,
                    help="a run not ended this long after its fault counts as hung")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or generate(args.n, args.work, args.seeds)
    inputs, out = args.work / "inputs", args.work / "out"
    shutil.rmtree(inputs, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    plans = split(corpus, inputs, rng, args.shard_size)
    faults = collections.Counter(p["fault"] for p in plans if p["fault"])
    print(f"inputs: {len(plans)} files ({sum(p['kind'] == 'text' for p in plans)} text, "
          f"{sum(p['kind'] == 'jsonl' for p in plans)} JSONL shards) in {time.monotonic() - started:.1f}s; "
          f"faults injected: {sum(faults.values())} {dict(sorted(faults.items()))}")

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cleaner", "run", str(inputs), "-o", str(out), "-q",
                           "-w", str(args.workers)], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"run: exit {proc.returncode} in {seconds:.1f}s, peak RSS {rss:.0f} MB")
    if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
        print(proc.stderr[-4000:])
        return 2
    result = check(plans, inputs, out)
    counts = result["counts"]
    print(f"documents: {result['documents']} ({result['documents'] / seconds:.0f}/s); inputs "
          f"{counts['inputs']}: {counts['failed']} failed, {counts['skipped']} skipped")
    print("fault -> verdict:", ", ".join(f"{f}->{s}: {n}" for (f, s), n in sorted(result["verdicts"].items())))
    for key in ("missing", "listed_twice", "unexpected", "problems"):
        items = result[key]
        print(f"{key}: {len(items)}" + ("".join(f"\n  {x}" for x in items[:10]) if items else ""))
    ok = not any(result[k] for k in ("missing", "listed_twice", "unexpected", "problems"))
    print("ALL INPUTS ACCOUNTED FOR" if ok else "ACCOUNTING FAILED")
    if ok and args.fault_runs:
        ok = fault_runs(args, rng, plans, inputs, out, seconds)
    return 0 if ok else 1


# --------------------------------------------------------------------------- process faults

FAULTS_IN_PROCESSES = ("group-SIGTERM", "group-SIGINT", "worker-SIGKILL", "none")
STAGING_LEFTOVERS = (".staging-", ".old-", ".commit")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every visible file under `folder` with its bytes (hidden bookkeeping aside)."""
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                path = os.path.join(root, name)
                files[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return files


def described_exactly(out: Path) -> list[str]:
    """What the manifest says that the files next to it do not bear out."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    wrong = []
    for name, info in manifest["outputs"].items():
        if name.endswith("/"):
            if sum(1 for _ in (out / name).iterdir()) != info["files"]:
                wrong.append(f"{name}: not {info['files']} entries")
        else:
            data = (out / name).read_bytes()
            if (len(data), hashlib.sha256(data).hexdigest()) != (info["bytes"], info["sha256"]):
                wrong.append(f"{name}: size or SHA-256 differs from the manifest")
    return wrong


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def fault_runs(args, rng: random.Random, plans: list[dict], inputs: Path, out: Path, seconds: float) -> bool:
    """Runs with a process fault each (see the module's docstring); prints one line a run and
    the totals, and whether every run left a whole output and nothing running."""
    extra = inputs.parent / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    (extra / "extra.txt").write_text("An extra document for the second variant\n\n"
                                     + "The council approved the budget after a long debate on Tuesday. " * 8,
                                     encoding="utf-8")
    variants = [([inputs], plans), ([inputs, extra / "extra.txt"], plans)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    tally = collections.Counter()
    failures = []
    previous = snapshot(out)
    for run in range(args.fault_runs):
        paths, run_plans = variants[run % 2]
        fault = rng.choice(FAULTS_IN_PROCESSES)
        at = rng.uniform(0.05, 1.1) * seconds
        cmd = [sys.executable, "-m", "cleaner", "run", *map(str, paths), "-o", str(out), "-q", "-w", str(args.workers)]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        injected = None
        while proc.poll() is None and time.monotonic() - started < at:
            time.sleep(0.01)
        if proc.poll() is None and fault != "none":
            try:
                if fault == "worker-SIGKILL":
                    workers = psutil.Process(proc.pid).children(recursive=True)
                    if workers:
                        victim = rng.choice(workers)
                        victim.send_signal(signal.SIGKILL)
                        injected = fault
                else:
                    os.killpg(proc.pid, signal.SIGTERM if fault == "group-SIGTERM" else signal.SIGINT)
                    injected = fault
            except (ProcessLookupError, psutil.NoSuchProcess):
                pass
        faulted = time.monotonic()
        try:
            _, err = proc.communicate(timeout=args.hang_seconds if injected else 3600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            failures.append(f"run {run}: HUNG after {injected or 'no fault'}")
            tally["hung"] += 1
            continue
        ended = time.monotonic() - faulted
        deadline = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        problems = []
        if group_alive(proc.pid):
            problems.append("processes of the run left behind")
            os.killpg(proc.pid, signal.SIGKILL)
        leftovers = [p.name for p in out.iterdir() if p.name.startswith(STAGING_LEFTOVERS)]
        if leftovers:
            problems.append(f"leftovers {leftovers}")
        if "Traceback" in err:
            problems.append("a traceback: " + err[-600:])
        now = snapshot(out)
        if now == previous:
            outcome = "previous kept"
        else:
            outcome = "new output"
            wrong = described_exactly(out)
            if not wrong:
                result = check(run_plans, inputs, out)
                extra_listed = [k for k in result["unexpected"] if not k.endswith("extra.txt")]
                wrong = result["missing"] + result["listed_twice"] + extra_listed + result["problems"]
            if wrong:
                problems.append(f"a partial or wrong output: {wrong[:5]}")
            previous = now
        expected = {"group-SIGTERM": (143,), "group-SIGINT": (130,), "worker-SIGKILL": (1,)}.get(injected, (0, 1))
        if proc.returncode not in expected and not (outcome == "new output" and proc.returncode in (0, 1)):
            problems.append(f"exit {proc.returncode}, expected {expected}")
        if injected == "worker-SIGKILL" and proc.returncode == 1 and "worker process" not in err:
            problems.append("no clear error for the killed worker: " + err[-300:])
        label = injected or ("none" if fault == "none" else f"{fault} (run over first)")
        tally[(injected or "none", outcome)] += 1
        line = f"run {run:3d}: {label:<32} at {at:5.1f}s -> exit {proc.returncode:3d} in {ended:4.1f}s, {outcome}"
        print(line + ("  PROBLEM: " + "; ".join(problems) if problems else ""), flush=True)
        if problems:
            failures.append(f"run {run}: " + "; ".join(problems))
    injected_total = sum(n for key, n in tally.items() if key == "hung" or key[0] != "none")
    print(f"fault runs: {args.fault_runs}, faults injected: {injected_total}; "
          + ", ".join(f"{k[0]} -> {k[1]}: {n}" if isinstance(k, tuple) else f"{k}: {n}" for k, n in sorted(tally.items(), key=str)))
    print(f"failures: {len(failures)}" + "".join(f"\n  {f}" for f in failures[:20]))
    print("EVERY RUN LEFT A WHOLE OUTPUT AND NOTHING RUNNING" if not failures else "FAULT RUNS FAILED")
    return not failures


if __name__ == "__main__":
    sys.exit(main())
