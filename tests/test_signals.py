"""Signals as schedulers send them: to the whole process group, at each phase of a real run.

`timeout`, systemd, `docker stop`, Kubernetes and Slurm stop a job with SIGTERM to its
process group (and a terminal's Ctrl-C is SIGINT to it), so the workers get the signal too;
the kernel's out-of-memory killer SIGKILLs one process.  Each case starts `clean run` in a
session of its own, waits until the run is in the phase under test, observed from outside
(the staging folder, the spool files, the persistent index, the process tree; the inputs
make each phase last), signals it and checks: the run ends within seconds with the exit
code for the signal, the previous output is byte-identical (or, once the run has passed its
commit point, the complete new output), nothing staged is left, and no process of the run
is left.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
psutil = pytest.importorskip("psutil")

N_DOCS = 400
EXIT_WITHIN = 10.0
PHASE_WITHIN = 120.0
LEFTOVERS = (".staging-", ".old-", ".commit")


def sentences() -> list[str]:
    return [s.strip() + "." for f in sorted(SEEDS.glob("*.txt"))
            for s in f.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s.split()) > 5]


def records(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pool = sentences()
    out = []
    for i in range(n):
        paragraphs = [" ".join(rng.sample(pool, 3)) for _ in range(6)]
        title = " ".join(rng.sample(pool, 1)[0].split()[:8])
        out.append({"id": f"s{seed}-{i:05d}", "text": title + "\n\n" + "\n\n".join(paragraphs)})
    return out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The previous run's output (a module-wide original, copied for each case) and inputs
    for a new run."""
    root = tmp_path_factory.mktemp("signals")
    old = write_jsonl(root / "old" / "old.jsonl", records(N_DOCS, seed=1))
    new = write_jsonl(root / "new" / "new.jsonl", records(N_DOCS, seed=2))
    # ingest: one large JSON array, parsed whole by the main process before the first chunk
    big = root / "big" / "big.json"
    big.parent.mkdir()
    big.write_text(json.dumps(records(4000, seed=3)), encoding="utf-8")
    original = root / "original"
    done = run_to_end([old], original)
    assert done.returncode == 0, done.stderr
    return {"root": root, "new": new, "big": big, "original": original, "baseline": snapshot(original)}


def command(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", "run", *map(str, inputs), "-o", str(out), "-q", "-w", "2", *extra]


def environment() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def run_to_end(inputs: list[Path], out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(command(inputs, out, *extra), cwd=ROOT, env=environment(), capture_output=True,
                          text=True, timeout=600)


def start(inputs: list[Path], out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(command(inputs, out, *extra), cwd=ROOT, env=environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def staging(out: Path) -> Path | None:
    found = [p for p in out.iterdir() if p.name.startswith(".staging-")] if out.is_dir() else []
    return found[0] if found else None


def spool_files(out: Path) -> list[Path]:
    folder = staging(out)
    spool = folder / ".spool" if folder else None
    return [p for p in spool.iterdir() if p.name.startswith("worker-")] if spool and spool.is_dir() else []


def children(proc: subprocess.Popen) -> list:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_for(proc: subprocess.Popen, phase: str, predicate) -> None:
    deadline = time.monotonic() + PHASE_WITHIN
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before reaching {phase}: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"the run never reached {phase}")
        time.sleep(0.002)


def stop(proc: subprocess.Popen, sig: int) -> tuple[float, str]:
    """Send `sig` to the run's process group; (seconds until the run ended, its stderr)."""
    sent = time.monotonic()
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the run hung after the signal")
    return time.monotonic() - sent, err


def assert_no_process_left(proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 5
    while group_alive(proc.pid):
        if time.monotonic() > deadline:
            left = [p.info for p in psutil.process_iter(["pid", "name", "cmdline"]) if _in_group(p, proc.pid)]
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"processes of the run left behind: {left}")
        time.sleep(0.05)


def _in_group(process, pgid: int) -> bool:
    try:
        return os.getpgid(process.pid) == pgid
    except (ProcessLookupError, PermissionError):
        return False


def assert_tidy(out: Path) -> None:
    assert not [p.name for p in out.iterdir() if p.name.startswith(LEFTOVERS)]


def assert_complete(out: Path) -> None:
    """The manifest describes the files next to it exactly."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, info in manifest["outputs"].items():
        if name.endswith("/"):
            assert sum(1 for _ in (out / name).iterdir()) == info["files"], name
        else:
            data = (out / name).read_bytes()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (info["bytes"], info["sha256"]), name


@pytest.fixture
def out(corpus, tmp_path) -> Path:
    folder = tmp_path / "out"
    shutil.copytree(corpus["original"], folder)
    return folder


def in_ingest(proc, out, engine: str):
    """Workers started, the staging folder made, and no document cleaned yet: the main
    process is reading the large JSON input.  (With Dask, the driver opens its spool file
    once the cluster is up, just before it reads the inputs.)"""
    def check():
        if staging(out) is None or [p for p in spool_files(out) if p.stat().st_size]:
            return False
        return len(children(proc)) >= 2 if engine == "local" else bool(spool_files(out))
    return check


def in_pass_1(out):
    def check():
        folder = staging(out)
        return (bool([p for p in spool_files(out) if p.stat().st_size]) and folder is not None
                and not (folder / ".spool" / "write.pickle").exists() and not (folder / "report").exists())
    return check


def in_corpus_step(out, index: Path):
    def check():
        folder = staging(out)
        return index.exists() and folder is not None and not (folder / ".spool" / "write.pickle").exists()
    return check


def in_write_pass(out):
    def check():
        folder = staging(out)
        return (folder is not None and (folder / ".spool" / "write.pickle").exists()
                and any(True for _ in os.scandir(folder / "clean")) and not (folder / "report.html").exists())
    return check


def in_commit(out):
    def check():
        folder = staging(out)
        return folder is not None and (folder / "report.html").exists()
    return check


PHASES = ["ingest", "pass 1", "corpus step", "write pass", "commit"]


def start_in(phase: str, corpus: dict, out: Path, tmp_path: Path, engine: str = "local") -> subprocess.Popen:
    """Start a new run into `out` and return once it is in `phase`."""
    index = tmp_path / "index.sqlite"
    inputs = [corpus["big"]] if phase == "ingest" else [corpus["new"]]
    more = ("--index", str(index)) if phase == "corpus step" else ()
    proc = start(inputs, out, "--engine", engine, *more)
    predicate = {"ingest": lambda: in_ingest(proc, out, engine), "pass 1": lambda: in_pass_1(out),
                 "corpus step": lambda: in_corpus_step(out, index), "write pass": lambda: in_write_pass(out),
                 "commit": lambda: in_commit(out)}[phase]()
    try:
        wait_for(proc, phase, predicate)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc


def check_stopped(proc, out: Path, corpus: dict, sig: int, phase: str) -> None:
    seconds, err = stop(proc, sig)
    assert seconds < EXIT_WITHIN, f"{seconds:.1f}s to stop"
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err, err
    assert_no_process_left(proc)
    assert_tidy(out)
    if phase == "commit" and snapshot(out) != corpus["baseline"]:
        assert_complete(out)  # the signal came after the commit point: the new run, whole
        assert json.loads((out / "manifest.json").read_text())["counts"]["documents"] == N_DOCS
    else:
        assert snapshot(out) == corpus["baseline"], "previous output changed"


@pytest.mark.parametrize("phase", PHASES)
def test_sigterm_to_the_group_stops_the_local_engine(phase, corpus, out, tmp_path):
    proc = start_in(phase, corpus, out, tmp_path)
    check_stopped(proc, out, corpus, signal.SIGTERM, phase)


@pytest.mark.parametrize("phase", ["pass 1", "write pass"])
def test_ctrl_c_to_the_group_stops_the_local_engine(phase, corpus, out, tmp_path):
    proc = start_in(phase, corpus, out, tmp_path)
    check_stopped(proc, out, corpus, signal.SIGINT, phase)


@pytest.mark.parametrize("phase", ["pass 1", "write pass"])
def test_a_killed_worker_ends_the_run_with_a_clear_error(phase, corpus, out, tmp_path):
    proc = start_in(phase, corpus, out, tmp_path)
    victim = children(proc)[0]
    sent = time.monotonic()
    victim.send_signal(signal.SIGKILL)  # what the out-of-memory killer does
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the run hung after a worker was killed")
    assert time.monotonic() - sent < EXIT_WITHIN
    assert proc.returncode == 1, err
    assert f"worker process {victim.pid} killed by SIGKILL" in err and "keeps its last complete run" in err, err
    assert "Traceback" not in err, err
    assert_no_process_left(proc)
    assert_tidy(out)
    assert snapshot(out) == corpus["baseline"]


@pytest.mark.parametrize("phase", PHASES)
def test_sigterm_to_the_group_stops_the_dask_engine(phase, corpus, out, tmp_path):
    pytest.importorskip("distributed")
    proc = start_in(phase, corpus, out, tmp_path, engine="dask")
    check_stopped(proc, out, corpus, signal.SIGTERM, phase)


def test_sigterm_while_the_dask_cluster_starts(corpus, out):
    """The local cluster takes seconds to start its workers: a stop then must end them too,
    quietly."""
    pytest.importorskip("distributed")
    proc = start([corpus["new"]], out, "--engine", "dask")
    # the write pass's pool (two workers) is up, the cluster's workers are starting, no spool yet
    wait_for(proc, "the cluster's start", lambda: len(children(proc)) >= 3 and not spool_files(out))
    seconds, err = stop(proc, signal.SIGTERM)
    assert seconds < EXIT_WITHIN and proc.returncode == 143, err
    assert "Traceback" not in err and "stopped by SIGTERM" in err, err
    assert_no_process_left(proc)
    assert_tidy(out)
    assert snapshot(out) == corpus["baseline"]
