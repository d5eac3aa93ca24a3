"""Shared paths and the golden-file switch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SITE = FIXTURES / "html"
# Real page texts of the legacy site and the seed page, carried in the repository as data.
REALPAGES = FIXTURES / "realpages"
SEED = FIXTURES / "seeds" / "bs125.txt"
GOLDEN = Path(__file__).resolve().parent / "golden"
# Fixture pages are parsed as if served from the site they imitate, so golden URLs are stable.
SITE_BASE_URL = "http://gamma.wustl.edu/"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite golden files (review the diff!)")


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    regen = bool(request.config.getoption("--regen-golden"))
    if regen and os.environ.get("CI"):
        pytest.fail("--regen-golden is refused when CI is set: golden files are reviewed by a person")
    return regen


@pytest.fixture(scope="session")
def pristine_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site migrated once (``tfmigrate migrate --out DIR``), for tests to copy."""
    out = tmp_path_factory.mktemp("pristine") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "tfmigrate", "migrate", "--out", str(out), "-q"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def migrated(pristine_output: Path, tmp_path: Path) -> Path:
    """A migrated DIR of the test's own (a copy of ``pristine_output``, symlinks kept): the same
    command run on it again is a re-run."""
    return Path(shutil.copytree(pristine_output, tmp_path / "out", symlinks=True))
