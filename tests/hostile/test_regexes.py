"""Every regular expression of the package against adversarial strings: none may backtrack for long.

Each call runs under a half-second alarm of the process's own CPU time (other work on the machine does
not count); a pattern that needs more is a denial-of-service a hostile page could trigger (one 5 MB
line of commas reaches the byline pattern, for instance).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import signal
from collections.abc import Iterator
from types import FrameType

import pytest

import tfmigrate

LIMIT_SECONDS = 0.5
PIECES = (
    "a", " ", ",", ".", "-", "1", "a1", "a, ", "a ,", ". ", "Case Author(s): ", "#D", "View main image(",
    "References:", "Tc-99m ", "1.1 mCi ", "In: ", "(", "<", "\u00a0", "Smith AB, ", "1984;9:",
)  # fmt: skip
# Labels that anchored patterns need before they start working on the rest of the line.
PREFIXES = (
    "", "Case Author(s): ", "References and General Discussion of ", "Diagnosis: ", "View main image(",
    "RADIOPHARMACEUTICAL: ", "References: ", "Authored By: ", "Patient: ",
)  # fmt: skip
# A quadratic pattern needs ~1.5 s of CPU for 30,000 characters; a linear one, the slowest, 0.06 s.
LENGTH = 30_000


def package_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for module_info in pkgutil.walk_packages(tfmigrate.__path__, "tfmigrate."):
        if module_info.name.endswith("__main__"):
            continue  # importing it runs the program
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if name.endswith("_RE") and isinstance(value, re.Pattern):
                yield f"{module_info.name}.{name}", value


PATTERNS = sorted({name: p for name, p in package_patterns() if isinstance(p.pattern, str)}.items())


def on_alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"over {LIMIT_SECONDS} s")


def test_the_package_has_patterns_to_check() -> None:
    assert len(PATTERNS) > 40


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_no_catastrophic_backtracking(name: str, pattern: re.Pattern[str]) -> None:
    previous = signal.signal(signal.SIGVTALRM, on_alarm)
    try:
        for piece in PIECES:
            text = piece * (LENGTH // len(piece))
            for candidate in [prefix + text for prefix in PREFIXES] + [text + "!"]:
                signal.setitimer(signal.ITIMER_VIRTUAL, LIMIT_SECONDS)
                try:
                    pattern.search(candidate)
                    pattern.match(candidate)
                finally:
                    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    finally:
        signal.signal(signal.SIGVTALRM, previous)
