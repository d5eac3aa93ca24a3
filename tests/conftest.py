"""Shared paths and the golden-file switch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings

from tfmigrate.cli import main

# Timings are the benchmarks' business: a property test fails for what it finds, never for taking
# long on a loaded machine (hypothesis's default 200 ms deadline did, on one of its examples). The
# hostile-page fuzzing keeps its own bound, a page parsed within 2 s.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SITE = FIXTURES / "html"
# Real page texts of the legacy site and the seed page, carried in the repository as data.
REALPAGES = FIXTURES / "realpages"
SEED = FIXTURES / "seeds" / "bs125.txt"
GOLDEN = Path(__file__).resolve().parent / "golden"
# Fixture pages are parsed as if served from the site they imitate, so golden URLs are stable.
SITE_BASE_URL = "http://gamma.wustl.edu/"


# What the machine running the tests may set for its own network, that no test may inherit.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(scope="session", autouse=True)
def no_proxy_or_login_of_this_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Crawls in tests reach 127.0.0.1 directly and with no login: a machine behind a proxy, or with
    a ~/.netrc, would otherwise send the tests' requests through it or with it."""
    saved = dict(os.environ)
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.upper(), None)
    empty = tmp_path_factory.mktemp("netrc") / "netrc"
    empty.write_text("")
    os.environ["NETRC"] = str(empty)
    yield
    os.environ.clear()
    os.environ.update(saved)


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


@pytest.fixture(scope="session")
def pristine_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site migrated once (``tfmigrate migrate --out DIR``), for tests to copy."""
    out = tmp_path_factory.mktemp("pristine") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "tfmigrate", "migrate", "--out", str(out), "-q"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr  # 1: the fixture site's lost applet class
    return out


@pytest.fixture
def migrated(pristine_output: Path, tmp_path: Path) -> Path:
    """A migrated DIR of the test's own (a copy of ``pristine_output``, symlinks kept): the same
    command run on it again is a re-run."""
    return Path(shutil.copytree(pristine_output, tmp_path / "out", symlinks=True))


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Tfmigrate = Callable[..., Ran]


@pytest.fixture
def in_process(capsys: pytest.CaptureFixture[str]) -> Tfmigrate:
    """tfmigrate run in the test's own process, with one parsing job: no interpreter to start (a
    second a run), for runs that need no process of their own (no kill, environment or limit)."""

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def migrated_here(in_process: Tfmigrate, *args: str | Path) -> Ran:
    """``tfmigrate migrate ARGS -q --jobs 1`` in this process; it must end 0 or 1."""
    result = in_process("migrate", *args, "-q", "--jobs", "1")
    assert result.returncode in (0, 1), result.stderr
    return result
