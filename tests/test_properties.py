"""Property tests: any bytes end as a record or a typed error, and no printed line is lost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED, SITE, SITE_BASE_URL
from tests.pages import parses_or_refuses
from tfmigrate.parse import parse_page
from tfmigrate.records import case_to_json

PAGES = [SEED.read_bytes()] + [p.read_bytes() for p in sorted(SITE.glob("*te*.html"))[:8]]
URL = SITE_BASE_URL + "bs125te148.html"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=4096))
def test_random_bytes(raw: bytes) -> None:
    parses_or_refuses(raw)


@SETTINGS
@given(st.sampled_from(PAGES), st.integers(0, 20_000), st.integers(0, 20_000), st.binary(max_size=64))
def test_truncated_spliced_and_damaged_pages(page: bytes, cut: int, at: int, noise: bytes) -> None:
    parses_or_refuses(page[:cut])
    parses_or_refuses(page[:at] + noise + page[at:])
    parses_or_refuses(page[:at] + PAGES[1][cut:])


@SETTINGS
@given(
    st.sampled_from(PAGES), st.sampled_from(["Diagnosis:", "Full history:", "Findings:", "Case Author(s):"])
)
def test_duplicated_labels(page: bytes, label: str) -> None:
    parses_or_refuses(page.replace(b"<P>", f"<P>{label} <P>".encode(), 3))


@SETTINGS
@given(st.integers(0, SEED.read_text().count("\n")), st.sampled_from(["\n", "\n\n", "\n\n\n"]))
def test_an_inserted_line_is_never_lost(line_number: int, gap: str) -> None:
    lines = SEED.read_text().split("\n")
    marker = "Marker zqx sentence that belongs to no field"
    lines.insert(line_number, f"{gap}{marker}{gap}")
    case = parse_page("\n".join(lines).encode(), URL)
    assert marker in case_to_json(case)
