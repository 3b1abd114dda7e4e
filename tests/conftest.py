import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BUDGET_STORY = [  # paragraphs of a news article, for tests that need real prose
    "Officials in the finance ministry told reporters that the delay would give councils time to prepare, and "
    "that the central bank had been consulted about the effect on borrowing costs over the coming months.",
    "Opposition parties welcomed the decision but said it did not go far enough, arguing that the rules should "
    "be scrapped altogether and replaced with a system that gives regions more control over their own spending.",
    "The finance minister is expected to set out the revised timetable in parliament next week, when she will "
    "also answer questions about the cost of the delay and how it will be paid for by the treasury.",
]


def require_service(name: str, available: bool) -> None:
    """Skip when a service is missing, unless CI says services must be there."""
    if available:
        return
    if os.environ.get("CLEANER_REQUIRE_SERVICES"):
        pytest.fail(f"{name} is required in CI (CLEANER_REQUIRE_SERVICES is set) but not available")
    pytest.skip(f"{name} not available")


def redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis server answers at host:port."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


sys.path.insert(0, str(ROOT))


@pytest.fixture
def seed_text() -> str:
    return (SEEDS / "000_c0ac4585be19e560.txt").read_text(encoding="utf-8")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden bookkeeping files aside) with its bytes."""
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                path = os.path.join(root, name)
                files[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return files
