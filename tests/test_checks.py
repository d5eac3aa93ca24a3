"""Each consistency check names its field for the reason it exists, and only then."""

from __future__ import annotations

import pytest

from tests.conftest import SEED, SITE_BASE_URL
from tfmigrate.parse import parse_page

URL = SITE_BASE_URL + "bs125te148.html"
PAGE = SEED.read_text(encoding="utf-8")
FINDINGS = "Radionuclide angiographic images of the pelvis (main image)"
DISCUSSION = "Heterotopic ossification is a common complication"
PROCEDURE = "21.6 mCi Tc-99m MDP i.v."
DIAGNOSIS = "Heterotopic Ossification"
DX = "diagnosis"


def issues_of(text: str) -> set[tuple[str, str | None]]:
    return {(issue.code, issue.field) for issue in parse_page(text.encode(), URL, input_format="text").issues}


def with_gap(text: str, before: str, blank_lines: int) -> str:
    """The seed with the blank lines above the paragraph that starts with ``before`` changed."""
    head, tail = text.split(before, 1)
    return head.rstrip("\n") + "\n" * (blank_lines + 1) + before + tail


CASES = [
    ("no diagnosis", PAGE.replace(f"Diagnosis: {DIAGNOSIS}", "Diagnosis:"), ("diagnosis_missing", DX)),
    (
        "the discussion run into the findings",
        with_gap(PAGE, DISCUSSION, 1),
        ("section_suspect", "findings"),
    ),
    (
        "the procedure run into the full history",
        with_gap(PAGE, PROCEDURE, 1),
        ("section_suspect", "full_history"),
    ),
    (
        "a label inside the brief history",
        PAGE.replace("motion in both hips", "motion in both hips\n\nFindings: none"),
        ("label_in_text", "brief_history"),
    ),
    (
        "a caption that is the diagnosis",
        PAGE.replace("View second image(bs). Anterior Immediate Static Image of the Pelvis",
                     "View second image(bs). Heterotopic Ossification"),
        ("caption_suspect", "images"),
    ),
    (
        "a procedure that does not read as one",
        PAGE.replace(PROCEDURE, "Radiographs were obtained of both hips."),
        ("procedure_missing", "procedure"),
    ),
    (
        "a copy cut mid-sentence",
        PAGE[: PAGE.index(DISCUSSION) + len(DISCUSSION) + 30],
        ("text_cut", "discussion"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_record_that_does_not_hold_together_names_the_field(text: str, expected: tuple[str, str]) -> None:
    assert expected in issues_of(text)


def test_the_page_read_right_has_no_issue() -> None:
    assert issues_of(PAGE) == set()


def test_a_whole_page_without_its_discussion_says_so_a_cut_copy_does_not() -> None:
    whole = PAGE.replace(PAGE[PAGE.index(DISCUSSION) : PAGE.index("Resnick D.")], "")
    assert ("discussion_missing", "discussion") in issues_of(whole)
    cut = PAGE[: PAGE.index(FINDINGS) + len(FINDINGS)] + " demonstrate flow."
    assert ("discussion_missing", "discussion") not in issues_of(cut)
