"""Shared paths and the golden-file switch."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

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


def machine_lacks(what: str, remedy: str) -> NoReturn:
    """A test needs what this machine lacks (a browser, a filesystem's tools): under CI (CI=true),
    whose .ci/run installs them, a failure; elsewhere a skip that says what is missing and the remedy."""
    message = f"{what}: {remedy}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
