"""Any authoring style, same record: every page rendered in every style (and in mixtures of them,
section by section) parses to the record its text rendering gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import SITE, SITE_BASE_URL
from tests.dialects import (
    BANNER,
    FRAMES,
    LABEL_FORMS,
    PARAGRAPH_FORMS,
    PRE,
    SEPARATOR_FORMS,
    STYLES,
    Frame,
    composed,
    framed,
    is_coherent,
    render,
    render_mixed,
)
from tests.pages import Page, quirk_pages, real_pages, site_pages
from tests.test_equivalence import content
from tests.test_golden import mismatches
from tfmigrate.blocks import BlockKind, after_rule, blocks_from_html
from tfmigrate.decode import decode_html
from tfmigrate.models import Case
from tfmigrate.parse import parse_page


def text_rendering(page: Page) -> str:
    """What a text browser shows of a page: the real renderings as they are; a fixture page's lines
    with its gaps (a heading or rule image is a section break)."""
    raw = page.path.read_bytes()
    if page.path.suffix == ".txt":
        return raw.decode("utf-8")
    lines: list[str] = []
    pending = 0
    for block in blocks_from_html(decode_html(raw).text):
        if block.kind is BlockKind.IMAGE:
            if block.alt:
                lines.append("\n" * max(block.gap, 2) + block.alt)
            elif not block.inline and block.href is None:
                pending = after_rule(max(pending, block.gap))
            continue
        lines.append("\n" * max(block.gap, pending) + block.text)
        pending = 0
    return "\n".join(lines)


SOURCES = [page for page in real_pages() + quirk_pages() + site_pages() if page.is_case_page()]
TEXTS = {page.id: text_rendering(page) for page in SOURCES}


def record(raw: bytes, url: str, input_format: str) -> dict[str, Any]:
    return record_of(parse_page(raw, url, input_format=input_format))  # type: ignore[arg-type]


def record_of(case: Case) -> dict[str, Any]:
    result = content(case)
    result["issues"] = sorted((issue["code"], issue["field"]) for issue in result["issues"])
    return result


EXPECTED = {page.id: record(TEXTS[page.id].encode(), page.url, "text") for page in SOURCES}


def test_the_sources_cover_both_templates_and_the_site() -> None:
    assert len(SOURCES) >= 40
    assert sum(1 for page in SOURCES if page.group == "realpages") >= 15
    assert {record["template"] for record in EXPECTED.values()} == {"classic", "newtfh"}
    assert SITE.is_dir() and SITE_BASE_URL


@pytest.mark.parametrize("style", STYLES, ids=[style.name for style in STYLES])
def test_every_page_in_every_style_gives_the_text_record(style: Any) -> None:
    wrong = {}
    for page in SOURCES:
        got = record(render(TEXTS[page.id], style), page.url, "html")
        if differences := mismatches(EXPECTED[page.id], got):
            wrong[page.id] = differences
    assert not wrong, "\n".join(f"{page}: {len(d)} field(s): {d[:3]}" for page, d in wrong.items())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page=st.sampled_from(SOURCES),
    styles=st.lists(st.sampled_from(STYLES), min_size=2, max_size=6),
)
def test_pages_mixing_styles_section_by_section_give_the_text_record(page: Page, styles: list[Any]) -> None:
    got = record(render_mixed(TEXTS[page.id], styles), page.url, "html")
    differences = mismatches(EXPECTED[page.id], got)
    assert not differences, f"{[s.name for s in styles]}: {differences[:5]}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page=st.sampled_from(SOURCES),
    label_form=st.sampled_from(sorted(LABEL_FORMS)),
    paragraph_form=st.sampled_from(PARAGRAPH_FORMS),
    separator_form=st.sampled_from(sorted(SEPARATOR_FORMS)),
    upper_tags=st.booleans(),
)
def test_pages_in_styles_composed_of_any_features_give_the_text_record(
    page: Page, label_form: str, paragraph_form: str, separator_form: str, upper_tags: bool
) -> None:
    assume(is_coherent(label_form, paragraph_form))
    style = composed(label_form, paragraph_form, separator_form, upper_tags)
    differences = mismatches(EXPECTED[page.id], record(render(TEXTS[page.id], style), page.url, "html"))
    assert not differences, f"{style.name}: {differences[:5]}"


FRAMED_STYLES = [style for style in STYLES if style is not PRE]


@pytest.mark.parametrize("frame", [*FRAMES, BANNER], ids=[frame.name for frame in [*FRAMES, BANNER]])
def test_the_sites_own_text_around_a_case_is_kept_apart_from_it(frame: Frame) -> None:
    """A menu column or bar, a banner, a footer: the menu's links are the record's site links, the
    site's other lines are unplaced (named), and the case reads as without them. A copy that lost its
    byline and diagnosis has nothing to tell where the case starts below a banner of text: there
    every field the banner changed is named by an issue."""
    wrong = {}
    for style in FRAMED_STYLES:
        for page in SOURCES:
            case = parse_page(render(TEXTS[page.id], framed(style, frame)), page.url)
            assert [link.text for link in case.links.site] == list(frame.menu), (style.name, page.id)
            if frame is BANNER and not (case.authors or case.diagnosis):
                named = {issue.field for issue in case.issues} | {"issues", "unassigned"}
                differences = [
                    d
                    for d in mismatches(EXPECTED[page.id], record_of(case))
                    if d.split(":")[0].strip(".").split("[")[0] not in named
                ]
            else:
                differences = mismatches(EXPECTED[page.id], without_site_notes(record_of(case), frame))
            if differences:
                wrong[f"{style.name} {page.id}"] = differences
    assert not wrong, "\n".join(f"{key}: {d[:3]}" for key, d in list(wrong.items())[:10])


def without_site_notes(record: dict[str, Any], frame: Frame) -> dict[str, Any]:
    """The record as if the site had printed no notes: each is unplaced, with its issue."""
    for note in frame.notes:
        assert note in record["unassigned"], note
        record["unassigned"].remove(note)
        record["issues"].remove(("unassigned_text", "unassigned"))
    return record
