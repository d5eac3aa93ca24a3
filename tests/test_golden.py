"""Every case page against its expected JSON (checked by eye), all wrong fields in one report; the
pages that are not case pages against the list of them.

Golden files pin the fixture site's case pages, the real page texts and the quirk pages. The markup
variants and the seed are not pinned again: test_equivalence proves each gives its site page's record.
Regenerate with ``pytest tests/test_golden.py --regen-golden`` and review the diff before committing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GOLDEN
from tests.pages import Page, quirk_pages, real_pages, site_pages
from tfmigrate.errors import NotACasePageError
from tfmigrate.records import case_to_json

PAGES = site_pages() + real_pages() + quirk_pages()
NOT_CASE_PAGES = GOLDEN / "not-case-pages.txt"
NOT_CASE_PAGES_HEADER = (
    "# Fixture pages that are not case pages (home page, case lists, image viewers, discussion and\n"
    "# comment pages): each must be skipped, and none has a golden file. Written by --regen-golden.\n"
)


def listed_not_case_pages() -> list[str]:
    lines = NOT_CASE_PAGES.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Every differing leaf, as 'path: expected ... got ...'."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [m for key in sorted(expected.keys() | actual.keys(), key=str)
                for m in mismatches(expected.get(key), actual.get(key), f"{where}.{key}")]  # fmt: skip
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [m for n, (e, a) in enumerate(zip(expected, actual, strict=True))
                for m in mismatches(e, a, f"{where}[{n}]")]  # fmt: skip
    return [] if expected == actual else [f"{where or '.'}: expected {expected!r}, got {actual!r}"]


CASE_PAGES = [p for p in PAGES if p.id not in set(listed_not_case_pages())]


@pytest.mark.parametrize("page", CASE_PAGES, ids=[p.id for p in CASE_PAGES])
def test_page_matches_golden(page: Page, regen_golden: bool) -> None:
    golden = GOLDEN / page.group / f"{page.name}.json"
    try:
        actual = case_to_json(page.parse())
    except NotACasePageError:
        if regen_golden:
            golden.unlink(missing_ok=True)  # the list is rewritten by the test below
        pytest.fail(
            f"{page.id} is not read as a case page; if that is right, list it in {NOT_CASE_PAGES.name}"
        )
    if regen_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --regen-golden and review it"
    wrong = mismatches(json.loads(golden.read_text(encoding="utf-8")), json.loads(actual))
    assert not wrong, f"{len(wrong)} field(s) differ:\n" + "\n".join(wrong)


def test_the_listed_pages_are_exactly_those_skipped(regen_golden: bool) -> None:
    skipped = [p.id for p in PAGES if not p.is_case_page()]
    if regen_golden:
        NOT_CASE_PAGES.write_text(
            NOT_CASE_PAGES_HEADER + "".join(f"{i}\n" for i in skipped), encoding="utf-8"
        )
    assert listed_not_case_pages() == skipped


def test_no_stale_golden_files() -> None:
    expected = {GOLDEN / p.group / f"{p.name}.json" for p in CASE_PAGES}
    assert set(GOLDEN.rglob("*.json")) == expected


def test_fixture_site_covers_both_templates_with_enough_cases() -> None:
    cases = [p.parse() for p in site_pages() if p in CASE_PAGES]
    templates = [c.template for c in cases]
    assert len(cases) >= 24
    assert templates.count("newtfh") >= 2 and templates.count("classic") >= 20
    assert len(site_pages()) - len(cases) >= 5, "home, lists, viewers and discussion pages are skipped"
