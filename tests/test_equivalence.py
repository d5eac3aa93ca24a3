"""The same page in any markup, or as its text rendering, gives the same record."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import REALPAGES, SEED, SITE, SITE_BASE_URL
from tests.pages import Page, variant_pages
from tests.test_golden import mismatches
from tfmigrate.models import Case
from tfmigrate.parse import parse_page

# Real pages whose archived text is complete: their fixture renders exactly that text.
COMPLETE_REAL_PAGES = ["bs010te148", "bs054te143", "hp002te173", "pa002te123", "pa004te123"]


def parse(path: Any, url: str) -> Case:
    return parse_page(path.read_bytes(), url)


def content(case: Case) -> dict[str, Any]:
    """The record without what only markup carries: link targets and where the bytes came from."""
    record = case.model_dump(mode="json", exclude={"source", "links"})
    for image in record["images"]:
        image.update(viewer_url=None, url=None)
    if record["general_discussion"]:
        record["general_discussion"]["url"] = None
    return record


def assert_same(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    wrong = mismatches(expected, actual)
    assert not wrong, f"{len(wrong)} field(s) differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", COMPLETE_REAL_PAGES)
def test_text_rendering_and_html_page_agree(name: str) -> None:
    url = f"{SITE_BASE_URL}{name}.html"
    assert_same(content(parse(REALPAGES / f"{name}.txt", url)), content(parse(SITE / f"{name}.html", url)))


VARIANTS = variant_pages()


@pytest.mark.parametrize("variant", VARIANTS, ids=[p.name for p in VARIANTS])
def test_markup_styles_agree_to_the_last_link(variant: Page) -> None:
    # Every variant: they have no golden files of their own, their site page's pins them.
    original = SITE / variant.url.removeprefix(SITE_BASE_URL)
    expected = parse(original, variant.url).model_dump(mode="json", exclude={"source"})
    assert_same(expected, variant.parse().model_dump(mode="json", exclude={"source"}))


def test_seed_bs125_as_text_and_as_html() -> None:
    url = f"{SITE_BASE_URL}bs125te148.html"
    from_text, from_html = parse(SEED, url), parse(SITE / "bs125te148.html", url)
    assert_same(content(from_text), content(from_html))
    for case in (from_text, from_html):
        assert [(a.name, a.degrees) for a in case.authors] == [
            ("Stephen Schmitter", ["M.D."]),
            ("Keith Fischer", ["M.D."]),
        ]
        assert (str(case.date), case.rating and (case.rating.difficulty, case.rating.quality)) == (
            "2001-01-30",
            (2, 3),
        )
        assert case.diagnosis == "Heterotopic Ossification"
        assert [(i.label, i.type_code) for i in case.images] == [
            ("main", "bs"), ("second", "bs"), ("third", "bs"), ("fourth", "xr")
        ]  # fmt: skip
        assert [i.caption for i in case.images] == [
            "Anterior Radionuclide Angiographic Images of the Pelvis",
            "Anterior Immediate Static Image of the Pelvis",
            "Delayed Anterior and Posterior Whole Body and Pelvic Spot Images",
            "Plain Radiographs of the Pelvis and Hips",
        ]
        assert case.procedure and case.procedure.text == "21.6 mCi Tc-99m MDP i.v."
        assert case.findings and case.findings.startswith("Radionuclide angiographic images of the pelvis")
        assert case.discussion and len(case.discussion.split("\n\n")) == 4
        assert [r.text[:30] for r in case.references] == ["Resnick D. Neuromuscular Disor"]
        assert (case.anatomic_field, case.category) == ("Skeletal System", "Misc")
        assert case.issues == [] and case.unassigned == []
