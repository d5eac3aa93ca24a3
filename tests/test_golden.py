"""Every fixture page against its expected JSON (checked by eye), all wrong fields in one report.

Regenerate with ``pytest tests/test_golden.py --regen-golden`` and review the diff before committing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GOLDEN
from tests.pages import Page, all_pages, site_pages
from tfmigrate.errors import NotACasePageError
from tfmigrate.export.jsonfiles import case_to_json

SKIPPED = {"skipped": "not a case page"}
PAGES = all_pages()


def actual_json(page: Page) -> str:
    try:
        return case_to_json(page.parse())
    except NotACasePageError:
        return json.dumps(SKIPPED, indent=2) + "\n"


def mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Every differing leaf, as 'path: expected ... got ...'."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [m for key in sorted(expected.keys() | actual.keys(), key=str)
                for m in mismatches(expected.get(key), actual.get(key), f"{where}.{key}")]  # fmt: skip
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [m for n, (e, a) in enumerate(zip(expected, actual, strict=True))
                for m in mismatches(e, a, f"{where}[{n}]")]  # fmt: skip
    return [] if expected == actual else [f"{where or '.'}: expected {expected!r}, got {actual!r}"]


@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_page_matches_golden(page: Page, regen_golden: bool) -> None:
    golden = GOLDEN / page.group / f"{page.name}.json"
    actual = actual_json(page)
    if regen_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --regen-golden and review it"
    wrong = mismatches(json.loads(golden.read_text(encoding="utf-8")), json.loads(actual))
    assert not wrong, f"{len(wrong)} field(s) differ:\n" + "\n".join(wrong)


def test_no_stale_golden_files() -> None:
    expected = {GOLDEN / p.group / f"{p.name}.json" for p in PAGES}
    assert set(GOLDEN.rglob("*.json")) == expected


def test_fixture_site_covers_both_templates_with_enough_cases() -> None:
    records = [json.loads(actual_json(p)) for p in site_pages()]
    cases = [r for r in records if r != SKIPPED]
    templates = [c["template"] for c in cases]
    assert len(cases) >= 24
    assert templates.count("newtfh") >= 2 and templates.count("classic") >= 20
    assert len(records) - len(cases) >= 5, "home, lists, viewers and discussion pages are skipped"
