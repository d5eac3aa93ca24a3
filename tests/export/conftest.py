"""The fixture site, migrated once for the export tests (which only read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import chromium  # noqa: F401  (for the TFS page tests)


@pytest.fixture(scope="session")
def migrated(pristine_output: Path) -> Path:
    """Export tests only read the migrated DIR: one for the whole session."""
    return pristine_output
