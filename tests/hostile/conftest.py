"""Headless Chromium for the browser checks: .ci/run installs it; elsewhere the checks skip
without it, saying so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import machine_lacks

# The crawler tests' servers, for the hostile-network tests here.
from tests.crawl.conftest import site_copy, site_server  # noqa: F401
from tests.crawl.test_faults import raw  # noqa: F401

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=3000",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        machine_lacks(
            "no chromium here to prove the report runs no script", "apt-get install chromium (.ci/run does)"
        )
    return found


def dump_dom(chromium: str, page: Path | str, profile: Path) -> str:
    """The page's DOM (a file, or a URL) after loading it (and running whatever scripts it lets run)."""
    url = page if isinstance(page, str) else page.resolve().as_uri()
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
