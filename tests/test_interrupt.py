"""An interrupted run (kill -9, SIGTERM, Ctrl-C) leaves the previous output intact.

Each case runs a real `python -m cleaner run` in a subprocess on a corpus that takes a few
seconds, kills it at some point (while cleaning, or once it has started staging output),
and checks that OUT holds exactly the previous run's files, byte for byte, or else (if the
run got to finish) a complete new output; and that no manifest describes partial output.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
N_DOCS = 400


def make_corpus(folder: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    sentences = [s.strip() + "." for f in sorted(SEEDS.glob("*.txt"))
                 for s in f.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s.split()) > 5]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paragraphs = [" ".join(rng.sample(sentences, 3)) for _ in range(8)]
        title = " ".join(rng.sample(sentences, 1)[0].split()[:8])
        (folder / f"doc{i:05d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def start(inputs: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "cleaner", "run", str(inputs), "-o", str(out), "-q", "-w", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)



def assert_manifest_describes_outputs(out: Path) -> None:
    """A manifest, when present, matches the files next to it exactly."""
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, info in manifest["outputs"].items():
        if name.endswith("/"):
            assert sum(1 for _ in (out / name).iterdir()) == info["files"], name
        else:
            data = (out / name).read_bytes()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (info["bytes"], info["sha256"]), name
    lines = (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == manifest["counts"]["documents"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    make_corpus(root / "old", N_DOCS, seed=1)
    make_corpus(root / "new", N_DOCS + 50, seed=2)
    out = root / "out"
    started = time.monotonic()
    proc = start(root / "old", out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    seconds = time.monotonic() - started
    baseline = snapshot(out)
    assert "manifest.json" in baseline and len([k for k in baseline if k.startswith("clean")]) == N_DOCS
    return root, out, baseline, seconds


def stagings(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.name.startswith(".staging-")}


def kill_when(proc: subprocess.Popen, out: Path, when: str, seconds: float, sig: int, stale: set[str]) -> None:
    # Every case waits until the new run has started staging its output: before that the
    # interpreter is still importing, and a signal there is not the run's to handle.
    deadline = time.monotonic() + seconds * 4
    while not stagings(out) - stale:  # a staging folder of this run, not one left by a killed run
        assert proc.poll() is None, "run ended before it staged anything"
        assert time.monotonic() < deadline, "run never started staging"
        time.sleep(0.005)
    time.sleep({"cleaning": seconds * 0.3, "staging": 0.05}.get(when, 0.0))
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole foreground process group
    else:
        os.kill(proc.pid, sig)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["KILL", "TERM", "INT"])
@pytest.mark.parametrize("when", ["cleaning", "staging-start", "staging"])
def test_interrupted_run_leaves_previous_output(corpus, sig, when):
    root, out, baseline, seconds = corpus
    stale = stagings(out)
    proc = start(root / "new", out)
    try:
        kill_when(proc, out, when, seconds, sig, stale)
        _, err = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # stray workers of a killed run
        except ProcessLookupError:
            pass
    if proc.returncode == 0:  # the run beat the signal: then its output must be complete
        assert_manifest_describes_outputs(out)
        pytest.skip("run finished before the signal arrived")
    after = snapshot(out)
    assert after == baseline, "previous output changed"
    assert_manifest_describes_outputs(out)
    if sig != signal.SIGKILL:
        assert proc.returncode == 128 + sig, err.decode()  # 130 for Ctrl-C, 143 for SIGTERM
        assert b"Traceback" not in err, err.decode()
        assert not [p for p in out.iterdir() if p.name.startswith((".staging-", ".old-", ".commit"))]


def test_next_run_after_kill_9_cleans_up_and_completes(corpus):
    root, out, baseline, seconds = corpus
    stale = stagings(out)
    proc = start(root / "new", out)
    try:
        kill_when(proc, out, "staging", seconds, signal.SIGKILL, stale)
        proc.wait(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert snapshot(out) == baseline
    proc = start(root / "new", out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert_manifest_describes_outputs(out)
    assert len(list((out / "clean").iterdir())) == N_DOCS + 50
    assert not [p for p in out.iterdir() if p.name.startswith((".staging-", ".old-", ".commit"))]


SWALLOWED_INSIDE = """
import os, signal, sys
from cleaner.interrupts import stop_signals_deferred
try:
    with stop_signals_deferred():
        try:  # what lxml's initialisation does with an exception raised while it runs
            os.kill(os.getpid(), signal.SIGINT)
            [None for _ in range(10000)]  # the handler runs by now, if it runs here
        except BaseException:
            sys.exit(3)
    sys.exit(4)  # the Ctrl-C was dropped
except KeyboardInterrupt:
    sys.exit(0)
"""

CTRL_C_IN_THE_IMPORT = """
import builtins, os, signal, sys
real_import = builtins.__import__

def importing(name, *args, **kwargs):
    if name == "trafilatura" and "trafilatura" not in sys.modules:
        try:  # a Ctrl-C handled inside `import lxml.etree` is swallowed there
            os.kill(os.getpid(), signal.SIGINT)
            [None for _ in range(10000)]
        except BaseException:
            sys.exit(3)
    return real_import(name, *args, **kwargs)

builtins.__import__ = importing
from cleaner.config import ExtractConfig
from cleaner.extract import extract_html
from cleaner.models import RawDocument
try:
    extract_html(RawDocument("a", "a.html", "<p>" + "Some words of text. " * 30 + "</p>", "html"), ExtractConfig())
    sys.exit(4)
except KeyboardInterrupt:
    sys.exit(0)
"""


@pytest.mark.parametrize("script", [SWALLOWED_INSIDE, CTRL_C_IN_THE_IMPORT], ids=["deferred", "trafilatura import"])
def test_a_ctrl_c_during_code_that_swallows_it_is_raised_after(script):
    """With `--workers 1` the main process imports trafilatura (so lxml) for the first HTML
    page; a Ctrl-C then must still stop the run (3: swallowed, 4: dropped)."""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
