"""A wrong field is never silent: pages whose layout was read wrong must say so on their record.

A style nobody here foresaw can lose a section break, add one, or lose a label. Each such misreading
is applied here to every real, quirk and fixture page, one place at a time and all places at once;
every field of the record that then differs from the page read right must be named by an issue. The
few that no check can see (a page the archive cut short, whose lost break leaves nothing out of
place) are counted against a budget that only goes down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.dialects import Paragraph, read_text
from tests.test_dialects import SOURCES, TEXTS
from tfmigrate.models import Case
from tfmigrate.parse import parse_page

FIELDS = [
    *("title", "authors", "date", "rating", "diagnosis", "brief_history", "full_history", "patient"),
    *("procedure", "findings", "discussion", "followup", "teaching_points", "differential_diagnosis"),
    *("images", "references", "acr_codes", "keywords", "general_discussion", "anatomic_field", "category"),
]
# An issue naming the diagnosis names the title (a classic page's title is its diagnosis).
NAMED_BY = {"title": "diagnosis", "keywords": "acr_codes"}
BODY_LABELS = ("Images:", "Radiopharmaceutical:", "Findings:", "Discussion:", "Followup:", "Full history:")

Misreading = Callable[[list[Paragraph]], Iterator[list[Paragraph]]]


def one_at_a_time(change: Callable[[Paragraph], Paragraph | None]) -> Misreading:
    def misread(paragraphs: list[Paragraph]) -> Iterator[list[Paragraph]]:
        for n, paragraph in enumerate(paragraphs[1:], start=1):
            changed = change(paragraph)
            if changed is not paragraph:
                yield [*paragraphs[:n], *([changed] if changed else []), *paragraphs[n + 1 :]]

    return misread


def everywhere(change: Callable[[Paragraph], Paragraph]) -> Misreading:
    def misread(paragraphs: list[Paragraph]) -> Iterator[list[Paragraph]]:
        changed = [paragraphs[0], *(change(p) for p in paragraphs[1:])]
        if changed != paragraphs:
            yield changed

    return misread


def with_gap(paragraph: Paragraph, gap: int) -> Paragraph:
    return Paragraph(gap, paragraph.lines)


MISREADINGS: dict[str, tuple[Misreading, int]] = {
    # name: (misreading, silent wrong fields allowed over all pages: measured, a ratchet)
    "a section break lost": (one_at_a_time(lambda p: with_gap(p, 1) if p.gap >= 2 else p), 10),
    "a paragraph break read as a section": (one_at_a_time(lambda p: with_gap(p, 2) if p.gap == 1 else p), 13),
    "a label lost": (
        one_at_a_time(lambda p: None if len(p.lines) == 1 and p.lines[0].startswith(BODY_LABELS) else p),
        4,
    ),
    "every section break lost": (everywhere(lambda p: with_gap(p, 1) if p.gap >= 2 else p), 3),
    "every paragraph a section": (everywhere(lambda p: with_gap(p, 2) if p.gap == 1 else p), 6),
}


def as_text(paragraphs: list[Paragraph]) -> str:
    return "\n".join("\n" * p.gap + "\n".join(p.lines) for p in paragraphs)


def fields(case: Case) -> dict[str, Any]:
    record = case.model_dump(mode="json", exclude={"source", "links", "issues"})
    for image in record["images"]:
        image.update(viewer_url=None, url=None)
    if record["general_discussion"]:
        record["general_discussion"]["url"] = None
    return record


@pytest.mark.parametrize("name", list(MISREADINGS))
def test_fields_a_misread_layout_gets_wrong_are_named_by_an_issue(name: str) -> None:
    misread, budget = MISREADINGS[name]
    counts: Counter[str] = Counter()
    silent: list[str] = []
    for page in SOURCES:
        right = fields(parse_page(TEXTS[page.id].encode(), page.url, input_format="text"))
        for paragraphs in misread(read_text(TEXTS[page.id])):
            case = parse_page(as_text(paragraphs).encode(), page.url, input_format="text")
            got, named = fields(case), {issue.field for issue in case.issues}
            for field in FIELDS:
                if got[field] != right[field]:
                    counts["wrong"] += 1
                    if field not in named and NAMED_BY.get(field) not in named:
                        silent.append(f"{page.id}: {field}")
    assert counts["wrong"] > 0, "the misreading changed nothing: the test tests nothing"
    assert len(silent) <= budget, f"{len(silent)} of {counts['wrong']} wrong fields silent: {silent}"
