"""The later "newtfh" case page (about 2007 on), ``/newtfh/general/combined/{small,submitted}_<id>.html``.

Order (newtfh 271472): "Return to Case List with Diagnoses or Case List as Unknowns"; an
upper-case title; ``Authored By:``; ``Patient:``; ``History:``; ``Image Size:[small][as-submitted]``;
figures ("Fig. 1", the image, a caption line); ``Findings:``; ``Diagnosis:``; ``General Discussion:``.

Findings and General Discussion carry sub-headings of their own: ``RADIOPHARMACEUTICAL:`` inside
the findings (271472), ``Long history:``, ``Radiopharmaceutical:`` and ``Discussion:`` inside the
general discussion (97104), upper-case ``HISTORY`` and ``DIFFERENTIAL DIAGNOSIS:`` (271472). A
recognised sub-heading sends its text to its own field; any other heading stays where printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tfmigrate.blocks import Block, BlockKind
from tfmigrate.fields.patients import parse_age, parse_sex
from tfmigrate.fields.text import join_text, list_items, paragraphs
from tfmigrate.models import Image, Patient, Procedure
from tfmigrate.templates.base import COPYRIGHT_RE, NAVIGATION_LINKS, PageReader, link_named, split_site_text
from tfmigrate.templates.classic import MAX_IMAGES
from tfmigrate.templates.labels import FoundLabel, Label, Vocabulary, normalize_labels

TEMPLATE_VERSION = "newtfh-1"

RETURN_LINE_RE = re.compile(r"^Return to Case List\b", re.IGNORECASE)
DIAGNOSES_LIST_RE = re.compile(r"with Diagnoses", re.IGNORECASE)
UNKNOWNS_LIST_RE = re.compile(r"as Unknowns", re.IGNORECASE)
IMAGE_SIZE_RE = re.compile(r"^Image Size\s*:", re.IGNORECASE)
SMALL_RE = re.compile(r"small", re.IGNORECASE)
SUBMITTED_RE = re.compile(r"submitted", re.IGNORECASE)
FIGURE_RE = re.compile(r"^Fig(?:ure)?\.?\s*(?P<number>\d+)\.?\s*(?P<rest>.*)$", re.IGNORECASE)
# Top-level labels of the page; each owns the lines up to the next one.
# Matched case-sensitively: inside the findings, "FINDINGS: The cervical spine..." (271472) is
# text under an upper-case sub-heading, not the page's own "Findings:" label.
TOP_LABEL_LIST = [
    Label("authors", r"Authored [Bb]y", one_line=True),
    Label("patient", r"Patient", one_line=True),
    Label("brief_history", r"History", one_line=True),
    Label("findings", r"Findings"),
    Label("diagnosis", r"Diagnosis", one_line=True),
    Label("discussion", r"General [Dd]iscussion"),
    Label("image_size", r"Image Size", one_line=True),
]
NEWTFH_LABELS = Vocabulary(TOP_LABEL_LIST, ignore_case=False)
# A label in other capitals ("DIAGNOSIS:") is the page's own only where it moves the page forward:
# inside the findings, "FINDINGS:" and "HISTORY" are sub-headings (271472).
ANY_CASE_LABELS = Vocabulary(TOP_LABEL_LIST)
TOP_LABELS = ("authors", "patient", "brief_history", "findings", "diagnosis", "discussion")
# Where the page has got to: a section's rank in the page's order (the figures stand before findings).
RANKS = {"authors": 0, "patient": 1, "brief_history": 2, "images": 2.5, "findings": 3, "diagnosis": 4}
RANKS |= {"discussion": 5}
# Sub-headings inside Findings and General Discussion, as "Label: text" or a heading line alone.
SUB_LABELS = Vocabulary(
    [
        Label("full_history", r"Long history|HISTORY|Clinical history"),
        Label("procedure", r"Radiopharmaceuticals?"),
        Label("discussion", r"Discussion"),
        Label("differential_diagnosis", r"Differential diagnosis(?: list)?"),
        Label("teaching_points", r"(?:Major )?teaching points?"),
        Label("followup", r"Follow[- ]?up"),
        Label("references", r"References?"),
    ]
)
# "HISTORY", "BONE SCINTIGRAPHY (LIMITED)": an upper-case heading line.
UPPER_HEADING_RE = re.compile(r"^[A-Z0-9][A-Z0-9 ,()/&'\-]*$")
LIST_FIELDS = ("differential_diagnosis", "teaching_points")


def sub_label_of(block: Block) -> tuple[str, str] | None:
    """(field, inline rest) of a sub-heading: "Label: text", a bold label, or a heading line alone
    (upper case, or drawn as a heading); a word alone in plain text ("Discussion") is text."""
    found = SUB_LABELS.find(block.text, block.lead)
    if found is None:
        return None
    if found.form == "alone" and not (UPPER_HEADING_RE.match(block.text) or block.lead == block.text):
        return None
    return found.name, found.rest


def is_marker(block: Block) -> bool:
    """A fixed line of the template that is never a label's value."""
    text = block.text
    return bool(
        RETURN_LINE_RE.match(text)
        or FIGURE_RE.match(text)
        or COPYRIGHT_RE.match(text)
        or any(pattern.match(text) for _, pattern in NAVIGATION_LINKS)
    )


def parse_newtfh(stream: Sequence[Block]) -> dict[str, Any]:
    content, menus, notes = split_site_text(
        normalize_labels(stream, NEWTFH_LABELS, is_marker), NEWTFH_LABELS, is_marker
    )
    reader = PageReader(content)
    reader.read_site_text(menus, notes)
    reader.fields["template"] = "newtfh"
    current: str | None = None
    owned: dict[str, list[tuple[int, Block]]] = {}
    pending_figure: Image | None = None
    for index, block in enumerate(reader.stream):
        if block.kind is BlockKind.IMAGE:
            if pending_figure is not None and pending_figure.url is None:
                pending_figure.url = block.src
                pending_figure.viewer_url = block.href
            continue
        text = block.text
        if RETURN_LINE_RE.match(text):
            read_link(reader, index, block, "case_list", DIAGNOSES_LIST_RE)
            read_link(reader, index, block, "case_list_unknowns", UNKNOWNS_LIST_RE)
        elif IMAGE_SIZE_RE.match(text):
            read_link(reader, index, block, "image_size_small", SMALL_RE)
            read_link(reader, index, block, "image_size_submitted", SUBMITTED_RE)
            current = "images"
        elif (
            (figure := FIGURE_RE.match(text))
            and current in ("images", "brief_history", None)
            and len(reader.fields.get("images", [])) < MAX_IMAGES
        ):
            pending_figure = Image(
                label=f"fig{figure['number']}",
                type_code=None,
                caption=figure["rest"] or None,
                viewer_url=None,
            )
            reader.fields.setdefault("images", []).append(pending_figure)
            reader.consume(index)
            reader.trace(f"images[{len(reader.fields['images']) - 1}]", [block], "marker")
            current = "images"
        elif label := top_label_of(text, current):
            current = label.name
            reader.consume(index)
            rest = label.rest
            owned.setdefault(current, [])
            if rest:
                owned[current].append((index, block.with_text(rest, gap=0)))
        elif current == "images" and pending_figure is not None and pending_figure.caption is None:
            pending_figure.caption = text
            reader.consume(index)
            reader.trace(f"images[{len(reader.fields['images']) - 1}].caption", [block], "position")
        elif current is None and "title" not in reader.fields and UPPER_HEADING_RE.match(text):
            reader.fields["title"] = text
            reader.consume(index)
            reader.trace("title", [block], "position")
        elif not reader.read_footer(index, block) and current not in (None, "images"):
            owned[current].append((index, block))
    for name, lines in owned.items():
        read_top_section(reader, name, lines)
    if "authors" not in owned:
        reader.add_issue("byline_missing", "authors", "no 'Authored By:' line")
    reader.fields.setdefault("title", None)
    return reader.finish()


def top_label_of(text: str, current: str | None) -> FoundLabel | None:
    label = NEWTFH_LABELS.find(text)
    if label is not None and label.name in TOP_LABELS:
        return label
    label = ANY_CASE_LABELS.find(text)
    if label is None or label.name not in TOP_LABELS:
        return None
    return label if RANKS[label.name] > RANKS.get(current or "", -1) else None


def read_link(reader: PageReader, index: int, block: Block, name: str, pattern: re.Pattern[str]) -> None:
    link = link_named(block, pattern)
    reader.fields.setdefault("links", {}).setdefault(name, link.href if link else None)
    reader.consume(index)
    reader.trace(f"links.{name}", [block], "marker")


def read_top_section(reader: PageReader, name: str, lines: list[tuple[int, Block]]) -> None:
    blocks = [b for _, b in lines]
    text = join_text(blocks)
    if name in ("authors", "patient", "brief_history", "diagnosis"):
        reader.trace(name, blocks, "label")
    if name == "authors":
        reader.consume(*(i for i, _ in lines))
        reader.set_authors(text or "")
    elif name == "patient":
        reader.consume(*(i for i, _ in lines))
        if text:
            age = parse_age(text)
            reader.fields["patient"] = Patient(
                text=text, age=age[0] if age else None, age_unit=age[1] if age else None, sex=parse_sex(text)
            )
    elif name in ("brief_history", "diagnosis"):
        reader.consume(*(i for i, _ in lines))
        reader.fields[name] = text
    else:
        read_subsections(reader, name, lines)


def read_subsections(reader: PageReader, default: str, lines: list[tuple[int, Block]]) -> None:
    """Findings or General Discussion, its recognised sub-headings sent to their own fields."""
    target = default
    sections: list[tuple[str, list[tuple[int, Block]]]] = [(default, [])]
    position = 0
    while position < len(lines):
        index, block = lines[position]
        position += 1
        label = sub_label_of(block)
        if label is not None:
            name, rest = label
            if not rest and name == "procedure" and position < len(lines):
                # "RADIOPHARMACEUTICAL:" in one table cell, its line in the next: one line.
                value_index, value = lines[position]
                if value.gap <= 1 and sub_label_of(value) is None and not UPPER_HEADING_RE.match(value.text):
                    reader.consume(index)
                    index, block, rest = value_index, value, value.text
                    position += 1
            if rest and name not in LIST_FIELDS:
                # "RADIOPHARMACEUTICAL: 20.1 mCi Tc-99m MDP i.v." owns its own line only.
                sections.append((name, [(index, replace(block, text=rest))]))
                sections.append((target, []))
                continue
            reader.consume(index)
            target = name
            sections.append((target, []))
            if rest and name == "differential_diagnosis":
                # 271472: "DIFFERENTIAL DIAGNOSIS: Localized bone scintigraphy uptake (Mettler, 2006)"
                reader.fields["differential_diagnosis_title"] = rest
            elif rest:
                sections[-1][1].append((index, replace(block, text=rest)))
            continue
        if UPPER_HEADING_RE.match(block.text) and target != default:
            target = default  # an unrecognised heading: back to the section's own field
            sections.append((target, []))
        sections[-1][1].append((index, block))
    for name, section in sections:
        if not section:
            continue
        reader.consume(*(i for i, _ in section))
        blocks = [b for _, b in section]
        reader.trace(name, blocks, "label")
        if name in LIST_FIELDS:
            reader.fields.setdefault(name, []).extend(list_items(blocks))
        elif name == "references":
            for text in paragraphs(blocks):
                reader.add_reference(text, "block")
        elif name == "procedure":
            reader.fields["procedure"] = Procedure(text=join_text(blocks) or "")
        else:
            reader.set_text(name, blocks)
