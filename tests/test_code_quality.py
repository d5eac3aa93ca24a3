"""Type checking and linting are part of the test run."""

import subprocess
import sys

from tests.conftest import REPO


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format() -> None:
    for args in (["check", "src", "tests"], ["format", "--check", "src", "tests"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=REPO
        )
        assert result.returncode == 0, result.stdout + result.stderr
