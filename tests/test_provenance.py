"""Each value of a record can say where on its page it came from, and by which rule."""

from __future__ import annotations

import lxml.html
import pytest

from tests.pages import Page, quirk_pages, real_pages, site_pages
from tfmigrate.errors import NotACasePageError
from tfmigrate.fields.text import PARAGRAPH_SEPARATOR
from tfmigrate.parse import parse_page, read_page, trace_page

# Fields read from the page; the others are derived (title of a classic page, case family, ...).
READ_FIELDS = (
    "authors", "date", "rating", "diagnosis", "brief_history", "full_history", "patient", "procedure",
    "findings", "discussion", "followup", "teaching_points", "differential_diagnosis", "references",
    "general_discussion", "anatomic_field", "category", "copyright",
)  # fmt: skip
TEXT_FIELDS = ("diagnosis", "brief_history", "full_history", "findings", "discussion", "followup")


def case_pages() -> list[Page]:
    pages = []
    for page in site_pages() + real_pages() + quirk_pages():
        try:
            page.parse()
        except NotACasePageError:
            continue
        pages.append(page)
    return pages


PAGES = case_pages()


@pytest.mark.parametrize("page", PAGES, ids=[page.id for page in PAGES])
def test_every_value_read_from_the_page_says_where_and_how(page: Page) -> None:
    raw = page.path.read_bytes()
    case, provenance = trace_page(raw, page.url)
    stream = read_page(raw, page.url).stream
    placed = {placement.field for placement in provenance.placements}
    record = case.model_dump()
    missing = [name for name in READ_FIELDS if record[name] and name not in placed]
    missing += [f"images[{n}]" for n in range(len(case.images)) if f"images[{n}]" not in placed]
    missing += [f"unassigned[{n}]" for n in range(len(case.unassigned)) if f"unassigned[{n}]" not in placed]
    assert missing == []
    for placement in provenance.placements:
        first, last = placement.lines
        assert 0 <= first <= last < len(stream) == len(provenance.line_places)
        assert placement.where == provenance.line_places[first] and placement.where
        if placement.field in TEXT_FIELDS:
            # The field holds the text of the lines it came from (a label's line, its rest).
            value = getattr(case, placement.field).replace(PARAGRAPH_SEPARATOR, " ")
            tail = stream[last].text[-12:].strip()
            assert tail in value, f"{placement.field}: {tail!r} not in {value[:80]!r}"


def test_html_places_are_element_paths_that_hold_their_line() -> None:
    page = next(p for p in PAGES if p.path.name == "bs150te171.html")
    raw = page.path.read_bytes()
    tree = lxml.html.fromstring(raw).getroottree()
    _, provenance = trace_page(raw, page.url)
    stream = read_page(raw, page.url).stream
    for placement in provenance.placements:
        (element,) = tree.xpath(placement.where)
        text = " ".join(element.text_content().split())
        assert stream[placement.lines[0]].text.split(":", 1)[0] in text


def test_text_places_are_line_numbers_of_the_file() -> None:
    page = next(p for p in PAGES if p.path.name == "bs125te148.txt")
    lines = page.path.read_text(encoding="utf-8").splitlines()
    case, provenance = trace_page(page.path.read_bytes(), page.url)
    (diagnosis,) = [p for p in provenance.placements if p.field == "diagnosis"]
    assert diagnosis.where == "line 3" and lines[2] == f"Diagnosis: {case.diagnosis}"


@pytest.mark.parametrize(
    ("name", "field", "rule"),
    [
        ("bs125te148.html", "findings", "position"),  # unlabelled: its slot in page order
        ("bs125te148.html", "procedure", "content"),  # known by its dose and agent
        ("bs054te143.html", "findings", "label"),  # printed 'Findings:'
        ("bs125te148.html", "authors", "marker"),  # the byline
        ("bs125te148.html", "references", "content"),  # a citation by its form
    ],
)
def test_the_rule_that_placed_a_value(name: str, field: str, rule: str) -> None:
    page = next(p for p in PAGES if p.path.name == name)
    _, provenance = trace_page(page.path.read_bytes(), page.url)
    assert {p.rule for p in provenance.placements if p.field == field} == {rule}


def test_tracing_changes_nothing_in_the_record() -> None:
    for page in PAGES:
        raw = page.path.read_bytes()
        assert trace_page(raw, page.url)[0] == parse_page(raw, page.url)
