"""Fuzzing the parser: every input ends as a record or a typed error, within 2 seconds.

Mutations of the fixture pages (truncation, splices, duplicated labels, swapped encodings, NULs
and random bytes, deep nesting, one huge line) and pure random bytes. CI runs a few thousand
examples; set TFMIGRATE_FUZZ_EXAMPLES for more (``tests/hostile/atheris_harness.py`` runs longer
coverage-guided sessions).
"""

from __future__ import annotations

import os
import signal
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED, SITE, SITE_BASE_URL
from tests.pages import parses_or_refuses
from tfmigrate.errors import CaseLikePageError
from tfmigrate.parse import MAX_CASE_LINES, MAX_PAGE_BYTES, parse_page

EXAMPLES = int(os.environ.get("TFMIGRATE_FUZZ_EXAMPLES", "500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=list(HealthCheck))
PAGES = [SEED.read_bytes()] + [
    p.read_bytes() for p in sorted(SITE.rglob("*.html")) if "te" in p.name or "_" in p.name
]
LABELS = (
    b"Diagnosis:", b"Case Author(s):", b"Full history:", b"Findings:", b"References:", b"Case number:",
    b"Authored By:", b"General Discussion:", b"View main image(bs)",
    b"Full history/Diagnosis is available below", b"References and General Discussion of (Anatomic field:",
    b"ACR Codes and Keywords:",
)  # fmt: skip
CODECS = ["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1", "mac_roman", "cp1250", "koi8-r", "shift_jis"]

page = st.sampled_from(PAGES)
position = st.floats(min_value=0, max_value=1)


def at(data: bytes, fraction: float) -> int:
    return int(len(data) * fraction)


@FUZZ
@given(st.binary(max_size=20_000))
def test_random_bytes(raw: bytes) -> None:
    parses_or_refuses(raw)


@FUZZ
@given(page, position, page, position)
def test_truncations_and_splices(first: bytes, cut: float, second: bytes, join: float) -> None:
    parses_or_refuses(first[: at(first, cut)])
    parses_or_refuses(first[: at(first, cut)] + second[at(second, join) :])


@FUZZ
@given(page, st.lists(st.tuples(st.sampled_from(LABELS), position), min_size=1, max_size=12))
def test_duplicated_and_displaced_labels(raw: bytes, insertions: list[tuple[bytes, float]]) -> None:
    for label, where in insertions:
        cut = at(raw, where)
        raw = raw[:cut] + b"<p>" + label + b" " + raw[cut:]
    parses_or_refuses(raw)


@FUZZ
@given(page, st.sampled_from(CODECS))
def test_swapped_encodings(raw: bytes, codec: str) -> None:
    text = raw.decode("utf-8", errors="replace")
    parses_or_refuses(text.encode(codec, errors="replace"))


@FUZZ
@given(
    page,
    st.lists(st.tuples(position, st.binary(min_size=1, max_size=40) | st.just(b"\x00" * 8)), max_size=20),
)
def test_nuls_and_random_bytes_inside_pages(raw: bytes, insertions: list[tuple[float, bytes]]) -> None:
    for where, noise in insertions:
        cut = at(raw, where)
        raw = raw[:cut] + noise + raw[cut:]
    parses_or_refuses(raw)


def test_100000_nested_tags() -> None:
    for tag in (b"div", b"p", b"table", b"b", b"font"):
        nested = (
            b"<p>Case number: bs999<p>Diagnosis: deep" + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * 100_000
        )
        parses_or_refuses(nested + b"text" + (b"</" + tag + b">") * 100_000)


HUGE_PAGE_SECONDS = 5.0
HUGE_LINES = [
    b"Case Author(s): " + b"a, " * (MAX_PAGE_BYTES // 3 - 100),
    b"Case Author(s): "
    + b"Stephen Schmitter, M.D. and " * (MAX_PAGE_BYTES // 29)
    + b" , 1/30/01 . Rating: #D2, #Q3",
    b"<p>Diagnosis: " + b"x " * (MAX_PAGE_BYTES // 2 - 100),
    b"Case number: bs999\nDiagnosis: x\nFull history/Diagnosis is available below\nFull history:\n\n"
    + b"Resnick D. Neuromuscular Disorders. In: Resnick D, eds. " * (MAX_PAGE_BYTES // 60),
    b"Case number: bs999\nDiagnosis: x\nFull history/Diagnosis is available below\nFull history:\n\nh\n\n\n"
    + b"21.6 mCi Tc-99m MDP i.v. and " * (MAX_PAGE_BYTES // 30),
    b"Case number: bs999\nDiagnosis: x\n" + b"View second image(bs). caption\n" * (MAX_PAGE_BYTES // 32),
    b"Case number: bs999\nACR Codes and Keywords:\n" + b"4.4, 642.3212, x; " * (MAX_PAGE_BYTES // 20),
]


def test_a_case_page_of_more_lines_than_any_case_is_refused_by_name() -> None:
    raw = b"Case number: bs999\nDiagnosis: x\n" + b"View second image(bs). caption\n" * (MAX_CASE_LINES + 1)
    with pytest.raises(CaseLikePageError, match=r"20,00[0-9] lines is over the 20,000-line limit"):
        parse_page(raw, SITE_BASE_URL + "bs999te100.html")


def test_one_huge_line_or_page() -> None:
    """20 MB is refused as a page at once; pages just under the 5 MB cap (the largest accepted,
    a thousand times a real page) still end within a bound: every step is linear."""
    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        for raw in [b"Case number: bs999 " + b"x" * (20 * 1024 * 1024), *HUGE_LINES]:
            assert len(raw) <= MAX_PAGE_BYTES or raw.startswith(b"Case number: bs999 x")
            signal.setitimer(signal.ITIMER_REAL, HUGE_PAGE_SECONDS)
            try:
                parses_or_refuses(raw)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def on_alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"a page took over {HUGE_PAGE_SECONDS} s")
