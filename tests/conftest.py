import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def require_service(name: str, available: bool) -> None:
    """Skip when a service is missing, unless CI says services must be there."""
    if available:
        return
    if os.environ.get("CLEANER_REQUIRE_SERVICES"):
        pytest.fail(f"{name} is required in CI (CLEANER_REQUIRE_SERVICES is set) but not available")
    pytest.skip(f"{name} not available")


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
