"""The fixture site, migrated once for the export tests (which only read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import chromium  # noqa: F401  (for the TFS page tests)
from tests.test_cli import run


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("migrated") / "out"
    result = run("migrate", "--out", out, "-q")
    assert result.returncode in (0, 1), result.stderr  # 1: the fixture site's lost applet class
    return out
