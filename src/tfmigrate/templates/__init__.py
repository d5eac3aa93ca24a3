"""One module per page template; ``weigh_evidence`` tells which one a block stream is, and how sure.

A page is a case page by the weight of what it carries, not by one line: a real case page whose
top was lost (no byline, no case number) is still a case page when its image links, its general
discussion line or its labels say so. Each kind of mark counts once; the marks only case pages
print (the byline, the case number, "Full history/Diagnosis is available below", the general
discussion line with its anatomic field, the ACR line, the newtfh byline and image size line)
count two, the others (a label, an image link, a footer link that edits the case, the page's
address) one. Two is a case page; one is a page that looks like a case page but carries too
little of one to read, which the caller names rather than skips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from tfmigrate.blocks import Block, BlockKind
from tfmigrate.models import Template
from tfmigrate.templates import classic, newtfh
from tfmigrate.templates.labels import FoundLabel

TemplateParser = Callable[[Sequence[Block]], dict[str, Any]]

PARSERS: dict[Template, tuple[TemplateParser, str]] = {
    "classic": (classic.parse_classic, classic.TEMPLATE_VERSION),
    "newtfh": (newtfh.parse_newtfh, newtfh.TEMPLATE_VERSION),
}
CASE_PAGE_SCORE = 2
STRONG, WEAK = 2, 1
# Marks of a classic page: (mark, weight) of each label it prints, and of its fixed lines.
CLASSIC_LABEL_WEIGHTS = {
    "byline": STRONG,
    "case_number": STRONG,
    "acr": STRONG,
    "diagnosis": WEAK,
    "brief_history": WEAK,
    "full_history": WEAK,
    "procedure": WEAK,
    "teaching_points": WEAK,
    "differential_diagnosis": WEAK,
}
CLASSIC_LINES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("divider", STRONG, classic.DIVIDER_RE),
    ("image link", WEAK, classic.IMAGE_LINE_RE),
    ("cine link", WEAK, classic.CINE_LINE_RE),
    ("footer", WEAK, re.compile(r"^(?:Edit this case|Add comments? about this case)\.?$", re.IGNORECASE)),
)
NEWTFH_LABEL_WEIGHTS = {"authors": STRONG, "image_size": STRONG, "patient": WEAK}
NEWTFH_LINES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("case list link", WEAK, newtfh.RETURN_LINE_RE),
    # 97104's mid-page chunk keeps its "General Discussion:" (with the colon: a home page's
    # "General discussion" heading is not one).
    ("general discussion label", WEAK, re.compile(r"^General discussion\b", re.IGNORECASE)),
)
# Marks that support others but never make a page look like a case page alone: a home page has a
# "General discussion" heading, and any page can sit at an address like a case page's.
SUPPORTING_MARKS = frozenset({"general discussion label", "case page address"})
# How a message names a mark (the others are named by their line already: "image link", "footer").
MARK_NAMES = {
    "byline": "a 'Case Author(s):' byline",
    "case_number": "a 'Case number:' line",
    "acr": "an 'ACR Codes and Keywords:' line",
    "diagnosis": "a 'Diagnosis:' label",
    "brief_history": "a 'Brief history:' label",
    "full_history": "a 'Full history:' label",
    "procedure": "a 'Radiopharmaceutical:' label",
    "teaching_points": "a 'Major teaching point(s):' label",
    "differential_diagnosis": "a 'Differential Diagnosis' label",
    "authors": "an 'Authored By:' line",
    "image_size": "an 'Image Size:' line",
    "patient": "a 'Patient:' label",
}
CLASSIC_URL_RE = re.compile(r"^[a-z]{2}\d{3}te\d+\.s?html?$", re.IGNORECASE)
NEWTFH_URL_RE = re.compile(r"^(?:small|submitted)_\d+\.s?html?$", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    template: Template | None  # the template with the most weight; None when nothing points to a case
    score: int
    marks: tuple[str, ...]  # what was seen, for a message

    @property
    def is_case_page(self) -> bool:
        return self.template is not None and self.score >= CASE_PAGE_SCORE

    @property
    def is_case_like(self) -> bool:
        """Some mark of a case page of its own, but too little to read as one."""
        return not self.is_case_page and any(mark not in SUPPORTING_MARKS for mark in self.marks)

    def describe(self) -> str:
        return ", ".join(MARK_NAMES.get(mark, mark) for mark in self.marks) or "nothing"


def weigh_evidence(stream: Sequence[Block], url: str = "") -> Evidence:
    """How much of a case page, of which template, a block stream carries."""
    classic_marks: dict[str, int] = {}
    newtfh_marks: dict[str, int] = {}
    for block in stream:
        text = block.text if block.kind is BlockKind.TEXT else (block.alt or "")
        if not text:
            continue
        mark_label(classic_marks, classic.CLASSIC_LABELS.find_in(block), CLASSIC_LABEL_WEIGHTS)
        mark_lines(classic_marks, text, CLASSIC_LINES)
        match = classic.GENERAL_DISCUSSION_RE.match(text)
        if match and "anatomic field" in (match["parenthesis"] or "").lower():
            classic_marks["general discussion line"] = STRONG
        mark_label(newtfh_marks, newtfh.NEWTFH_LABELS.find_in(block), NEWTFH_LABEL_WEIGHTS)
        mark_lines(newtfh_marks, text, NEWTFH_LINES)
        if is_decided(classic_marks, newtfh_marks):
            break  # the first lines of a page usually decide it; a hostile page's million lines need not
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    if CLASSIC_URL_RE.match(name):
        classic_marks["case page address"] = WEAK
    if NEWTFH_URL_RE.match(name):
        newtfh_marks["case page address"] = WEAK
    classic_score, newtfh_score = sum(classic_marks.values()), sum(newtfh_marks.values())
    if not classic_score and not newtfh_score:
        return Evidence(None, 0, ())
    # newtfh pages print "Diagnosis:" and "Findings:" too; their own byline decides.
    if newtfh_score >= classic_score or "authors" in newtfh_marks:
        return Evidence("newtfh", newtfh_score, tuple(newtfh_marks))
    return Evidence("classic", classic_score, tuple(classic_marks))


def is_decided(classic_marks: dict[str, int], newtfh_marks: dict[str, int]) -> bool:
    """A strong mark of one template and none of the other: nothing later can change the answer (a
    newtfh page prints no classic byline, case number, divider or general discussion line)."""
    if STRONG in classic_marks.values():
        return not newtfh_marks
    return STRONG in newtfh_marks.values() and not classic_marks


def mark_label(marks: dict[str, int], found: FoundLabel | None, weights: dict[str, int]) -> None:
    if found is not None and found.name in weights:
        marks[found.name] = weights[found.name]


def mark_lines(marks: dict[str, int], text: str, lines: tuple[tuple[str, int, re.Pattern[str]], ...]) -> None:
    for mark, weight, pattern in lines:
        if pattern.match(text):
            marks[mark] = weight
