"""Headless Chromium for the browser checks, installed from Debian's packages when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

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
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=environment, capture_output=True
        )
        found = shutil.which("chromium")
    assert found, "headless Chromium is needed to prove the report runs no script"
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
