"""The classic case page (1994-2006), ``/<pp><nnn>te<nnn>.html``: a small grammar over blocks.

Order on the page (SITE.md): byline; Diagnosis; Brief history; images with captions; "Full
history/Diagnosis is available below"; Diagnosis again; Full history; procedure; findings;
discussion; followup, teaching points, differential list, references; ACR codes; the general
discussion link with the anatomic field and category; footer links; case number; copyright.

Bodies are labelled (bs054, tr010) or not. Without labels, sections are told apart by the gaps
between them and filled in page order, but the procedure is recognised by its content, so a
missing (mb002, pa001) or empty (bs092) procedure slot does not shift findings and discussion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tfmigrate.blocks import SECTION_GAP, Block, BlockKind, after_rule
from tfmigrate.fields.procedures import looks_like_procedure
from tfmigrate.fields.references import inline_reference, looks_like_citation
from tfmigrate.fields.sections import (
    reads_as_findings,
    reads_as_history,
    reads_as_patient,
    tells_what_happened,
)
from tfmigrate.fields.text import PARAGRAPH_SEPARATOR, join_text, list_items, paragraph_lines, paragraphs
from tfmigrate.models import GeneralDiscussion, Image, Procedure
from tfmigrate.provenance import Rule
from tfmigrate.templates.base import COPYRIGHT_RE, NAVIGATION_LINKS, PageReader, first_href, split_site_text
from tfmigrate.templates.labels import Label, Vocabulary, normalize_labels

TEMPLATE_VERSION = "classic-1"

# The labels a classic page prints, by the field (or marker) they name.
CLASSIC_LABELS = Vocabulary(
    [
        Label("byline", r"Case Author\(s\)|Case Authors?", one_line=True),
        Label("diagnosis", r"Diagnosis", one_line=True),
        Label("brief_history", r"Brief history"),
        Label("full_history", r"Full history"),
        Label("procedure", r"Radiopharmaceuticals?|Procedure"),
        Label("findings", r"Findings"),
        Label("discussion", r"Discussion"),
        Label("followup", r"Follow[- ]?up"),
        Label("teaching_points", r"(?:Major )?teaching points?|(?:Major )?teaching point\(s\)"),
        Label("differential_diagnosis", r"Differential Diagnosis(?: List)?"),
        # bs125's discussion: "References: <citation>" inline is a citation kept in the text.
        Label("references", r"References?", inline_is_text=True),
        Label("images", r"Images"),
        Label("acr", r"ACR Codes and Keywords"),
        Label("case_number", r"Case number", one_line=True),
    ]
)
BYLINE_RE = re.compile(r"^Case Author\(s\)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
RATING_LABEL_RE = re.compile(r"Rating\s*:", re.IGNORECASE)
RATING_LINE_RE = re.compile(r"^\.?\s*Rating\s*:", re.IGNORECASE)
DATE_CHARACTERS = frozenset("0123456789/.-")
MAX_BYLINE_DATES = 3
DIVIDER_RE = re.compile(r"^Full history\s*/\s*Diagnosis is available below", re.IGNORECASE)
CASE_NUMBER_RE = re.compile(r"^Case number\s*:\s*(?P<case_id>[A-Za-z0-9_-]{1,100})\.?$", re.IGNORECASE)
GENERAL_DISCUSSION_RE = re.compile(
    r"^References and General Discussion of\s*(?P<title>[^(]*?)\s*(?:\((?P<parenthesis>.*))?$", re.IGNORECASE
)
FIELD_AND_CATEGORY_RE = re.compile(
    r"^\s*Anatomic field\s*:\s*(?P<field>.*?)\s*,\s*Category\s*:\s*(?P<category>.*?)\s*\)\s*$", re.IGNORECASE
)
IMAGE_LINE_RE = re.compile(
    # Possessive quantifiers: no backtracking between the adjacent optional spaces on a hostile line.
    r"^View\s++(?P<label>[A-Za-z]++)\s++image\s*+(?:\(\s*+(?P<code>[A-Za-z0-9]*+)\s*+\))?\s*+\.?\s*+(?P<rest>.*)$",
    re.IGNORECASE,
)
# rs034 (2004): "View avi cine image (1 meg) Posterior images after furosemide administration".
CINE_LINE_RE = re.compile(
    r"^View\s++(?:avi\s++)?cine\s++image\s*+(?:\((?P<note>[^)]*+)\))?\s*+\.?\s*+(?P<caption>.*)$",
    re.IGNORECASE,
)
# gi005 (1997): a note offering the prototype Java cine viewer.
# It is searched in every line of a case's head; the lookahead lets the scan skip most positions fast.
JAVA_CINE_RE = re.compile(r"(?=[JjCc])\b(?:Java-enabled browser|cine viewer)\b", re.IGNORECASE)
# A site's banner over a case: its name, its department, a motto ("Nuclear Medicine Teaching File").
MAX_BANNER_LINES, MAX_BANNER_LINE = 6, 100
# gi005's note is 190 characters; a findings paragraph that names a cine viewer is no note.
MAX_CINE_NOTE = 600
MAIN_IMAGE_TAIL_RE = re.compile(r"^in a separate image viewer\.?$", re.IGNORECASE)
CAPTION_WORDS_RE = re.compile(
    r"\b(?:images?|views?|projections?|radiographs?|scans?|scintigra\w*|SPECT|CT|MRI?|ultrasound|films?)\b",
    re.IGNORECASE,
)
MAX_CAPTION_LENGTH = 100
ACR_CODE_RE = re.compile(r"(?<![\w.])\d{1,4}\.-?\d{1,8}(?![\w.])")
KEYWORD_SPLIT_RE = re.compile(r"(?<!\s)\s*[,;]\s*")  # the lookbehind keeps a run of spaces linear

# Caps that real pages never reach and hostile ones would make expensive: beyond them, text is kept
# as text (unassigned or in its section) rather than read into thousands of structured values.
MAX_IMAGES = 200
MAX_PROCEDURE_PARAGRAPHS = 4
MAX_ACR_TEXT = 5000
MAX_ACR_ITEMS = 500
TEXT_FIELDS = ("full_history", "findings", "discussion", "followup")
# The unlabelled body in page order; the procedure slot is filled only by a procedure-like section.
BODY_SLOTS = ("procedure", "findings", "discussion", "followup")
LIST_FIELDS = ("teaching_points", "differential_diagnosis")
MAX_FOLLOWUP_LENGTH = 300
MAX_LIST_ITEM = 120
SECTION_ORDER = {"full_history": 0, "procedure": 1, "findings": 2, "discussion": 3, "followup": 4}
# What a section filled by page order must read as (fields/sections.py).
READS_AS = {"full_history": reads_as_history, "findings": reads_as_findings, "followup": tells_what_happened}


@dataclass
class Section:
    label: str | None
    blocks: list[tuple[int, Block]] = field(default_factory=list)
    gap: int = 0

    @property
    def indices(self) -> list[int]:
        return [i for i, _ in self.blocks]

    @property
    def lines(self) -> list[Block]:
        return [b for _, b in self.blocks]


def label_of(text: str) -> tuple[str, str] | None:
    """(field name, inline rest) of a label line; an inline ``References: <citation>`` is not a label."""
    found = CLASSIC_LABELS.find(text)
    return (found.name, found.rest) if found else None


def is_marker(block: Block) -> bool:
    """A fixed line of the template that is never a label's value: image links, the divider, the
    general discussion link, the footer."""
    text = block.text
    return bool(
        IMAGE_LINE_RE.match(text)
        or CINE_LINE_RE.match(text)
        or DIVIDER_RE.match(text)
        or GENERAL_DISCUSSION_RE.match(text)
        or COPYRIGHT_RE.match(text)
        or any(pattern.match(text) for _, pattern in NAVIGATION_LINKS)
    )


def parse_classic(stream: Sequence[Block]) -> dict[str, Any]:
    content, menus, notes = split_site_text(
        normalize_labels(normalize_headings(stream), CLASSIC_LABELS, is_marker), CLASSIC_LABELS, is_marker
    )
    reader = PageReader(content)
    reader.read_site_text(menus, notes)
    reader.fields["template"] = "classic"
    texts = reader.texts()
    tail_start = read_markers(reader, texts)
    top = start_of_case(texts)
    body_texts = [(i, b) for i, b in texts if top <= i < tail_start and i not in reader.consumed]
    head_end = end_of_head(body_texts)
    if head_end is not None:
        read_head(reader, [(i, b) for i, b in body_texts if i <= head_end])
        read_body(reader, [(i, b) for i, b in body_texts if i > head_end], head_read=True)
    else:
        # pa004: an archived copy that lost its byline, labels and links; its head is the
        # diagnosis and one unlabelled brief history, and the body starts right after.
        read_body(reader, body_texts, head_read=False)
    if tail_start < len(reader.stream) and is_acr_label(reader.stream[tail_start]):
        reader.consume(tail_start)
        # The codes stand between their label and the next fixed line; what follows the page's last
        # fixed line (a webmaster's address, "Last modified") is not a keyword.
        after = [(i, b) for i, b in texts if i > tail_start]
        end = next((n for n, (i, _) in enumerate(after) if i in reader.consumed), len(after))
        read_acr(reader, after[:end])
    reader.fields["title"] = reader.fields.get("diagnosis")
    return reader.finish()


def start_of_case(texts: list[tuple[int, Block]]) -> int:
    """Where the case starts: its byline, or the diagnosis label that opens a copy without one
    (pa004). A few short lines above it are the site's (a banner, a page title), never the case's:
    read in page order, "Nuclear Medicine Teaching File" once became the brief history. A copy whose
    top was lost (it starts at a caption, before its first image link, or at a paragraph of text)
    starts at its first line."""
    for position, (index, block) in enumerate(texts):
        if BYLINE_RE.match(block.text) or (
            (label := label_of(block.text)) and label[0] in ("diagnosis", "brief_history")
        ):
            above = texts[:position]
            banner = len(above) <= MAX_BANNER_LINES and all(len(b.text) <= MAX_BANNER_LINE for _, b in above)
            return index if banner else 0
        if is_marker(block):
            break
    return 0


def end_of_head(texts: list[tuple[int, Block]]) -> int | None:
    """The last line of the head (diagnosis, brief history, images): the divider; in a copy that
    lost it, its last image link (a lossy copy that starts at an image caption); None when neither
    is printed (pa004)."""
    for index, block in texts:
        if DIVIDER_RE.match(block.text):
            return index
    head_links = [
        index
        for index, block in texts
        if (match := IMAGE_LINE_RE.match(block.text)) and match["label"].lower() != "followup"
    ]
    return head_links[-1] if head_links else None


def normalize_headings(stream: Sequence[Block]) -> list[Block]:
    """Section headings drawn as images become labels (alt text) or section gaps (no alt)."""
    result: list[Block] = []
    pending_gap = 0
    for block in stream:
        if block.kind is BlockKind.IMAGE and block.href is None:
            if block.alt and label_of(block.alt):
                line = block.with_text(block.alt, gap=max(block.gap, SECTION_GAP))
                line.kind = BlockKind.TEXT
                result.append(line)
            elif not block.inline:
                pending_gap = after_rule(max(pending_gap, block.gap))
            continue
        if pending_gap:
            block = replace(block, gap=max(block.gap, pending_gap))
            pending_gap = 0
        result.append(block)
    return result


def read_markers(reader: PageReader, texts: list[tuple[int, Block]]) -> int:
    """Byline, general discussion, footer, case number, copyright, wherever they stand; returns where
    the tail (ACR codes, the general discussion line) starts, which ends the body."""
    tail_start = len(reader.stream)
    for position, (index, block) in enumerate(texts):
        text = block.text
        if match := BYLINE_RE.match(text):
            rest, lines = match["rest"], [block]
            following = texts[position + 1] if position + 1 < len(texts) else None
            if not RATING_LABEL_RE.search(rest) and following and RATING_LINE_RE.match(following[1].text):
                rest = f"{rest} {following[1].text}"  # the rating in a cell or row of its own
                reader.consume(following[0])
                lines.append(following[1])
            read_byline(reader, rest)
            reader.consume(index)
            for name in ("authors", "date", "rating"):
                reader.trace(name, lines, "marker")
        elif match := GENERAL_DISCUSSION_RE.match(text):
            read_general_discussion(reader, index, block, match)
            tail_start = min(tail_start, index)
        elif match := CASE_NUMBER_RE.match(text):
            reader.fields["case_id"] = match["case_id"].lower()
            reader.consume(index)
            reader.trace("case_id", [block], "marker")
        elif is_acr_label(block):
            tail_start = min(tail_start, index)
        else:
            reader.read_footer(index, block)
    if not any(BYLINE_RE.match(b.text) for _, b in texts):
        reader.add_issue("byline_missing", "authors", "no 'Case Author(s):' byline (authors, date, rating)")
    return tail_start


def read_general_discussion(reader: PageReader, index: int, block: Block, match: re.Match[str]) -> None:
    """The link to the per-study discussion page, with the anatomic field and the category."""
    reader.fields["general_discussion"] = GeneralDiscussion(
        title=match["title"] or None, url=first_href(block)
    )
    reader.trace("general_discussion", [block], "marker")
    if not match["title"]:
        # hp002: "References and General Discussion of (Anatomic field:..."
        reader.add_issue("general_discussion_untitled", "general_discussion", "the link names no study")
    parts = FIELD_AND_CATEGORY_RE.match(match["parenthesis"] or "")
    if parts:
        reader.fields["anatomic_field"] = parts["field"] or None
        reader.fields["category"] = parts["category"] or None
        reader.consume(index)
        reader.trace("anatomic_field", [block], "marker")
        reader.trace("category", [block], "marker")
    else:  # gi005's archived copy is cut inside the parenthesis: the line stays unassigned
        reader.add_issue(
            "anatomic_field_missing", "anatomic_field", "no '(Anatomic field:..., Category:...)'"
        )


def read_byline(reader: PageReader, rest: str) -> None:
    authors, date, rating = split_byline(rest)
    reader.set_authors(authors)
    reader.set_date(date)
    reader.set_rating(rating)


def split_byline(rest: str) -> tuple[str, str, str]:
    """ "<authors> , <date> . Rating: #D2, #Q3" -> (authors, date, rating); the date may be empty
    (pa002: "Wallis , . Rating:"). Read from the end, by hand: a regex with a lazy author part
    backtracks quadratically on a hostile line of commas."""
    labels = list(RATING_LABEL_RE.finditer(rest))
    head, rating = (rest[: labels[-1].start()], rest[labels[-1].end() :]) if labels else (rest, "")
    head = head.rstrip()
    head = head[:-1].rstrip() if head.endswith(".") else head
    dates: list[str] = []
    while len(dates) < MAX_BYLINE_DATES:  # "3/8/96 3/8/96": a date printed twice
        start = len(head)
        while start > 0 and head[start - 1] in DATE_CHARACTERS:
            start -= 1
        date = head[start:]
        if not (date[:1].isdigit() and date[-1:].isdigit() and ("/" in date or "-" in date)):
            break
        dates.insert(0, date)
        head = head[:start].rstrip()
    head = head[:-1].rstrip() if head.endswith(",") else head
    return head, " ".join(dates), rating.strip()


def read_head(reader: PageReader, head: list[tuple[int, Block]]) -> None:
    """Diagnosis, brief history, and the images with their captions, above the divider."""
    brief_labelled = in_brief = False
    loose: list[tuple[int, Block]] = []  # text not yet placed: the main caption, or more brief history
    for index, block in head:
        if DIVIDER_RE.match(block.text):
            reader.consume(index)
            continue
        label = label_of(block.text)
        if label and label[0] in ("diagnosis", "brief_history", "images"):
            name, rest = label
            reader.consume(index)
            in_brief = name == "brief_history"
            brief_labelled = brief_labelled or in_brief
            if name == "diagnosis" and reader.fields.get("diagnosis") is None and rest:
                reader.fields["diagnosis"] = rest
                reader.trace("diagnosis", [block], "label")
            elif rest and in_brief:
                reader.fields["brief_history"] = rest
                reader.trace("brief_history", [block], "label")
            continue
        if (link := image_link_of(block.text)) is not None:
            caption = place_loose_text(reader, loose, brief_labelled, before_main=link == "main")
            read_image_line(reader, index, block, caption)
            in_brief, loose = False, []
            continue
        images = reader.fields.get("images")
        if in_brief and "brief_history" not in reader.fields:
            reader.set_text("brief_history", [block])
            reader.consume(index)
            reader.trace("brief_history", [block], "label")
        elif images and not loose:
            # A second caption line after a link (a note under the third image): the caption goes on.
            image = images[-1]
            image.caption = f"{image.caption} {block.text}" if image.caption else block.text
            reader.consume(index)
            reader.trace(f"images[{len(images) - 1}].caption", [block], "position")
        else:
            loose.append((index, block))
    place_loose_text(reader, loose, brief_labelled, before_main=False)


def place_loose_text(
    reader: PageReader, loose: list[tuple[int, Block]], brief_labelled: bool, *, before_main: bool
) -> list[tuple[int, Block]]:
    """Text between the brief history and an image link: the main image's caption (printed before its
    link, bs125) is the run after the last section break, or, when no break is drawn, a last paragraph
    that reads as a caption; what stands before it continues the brief history (page order: brief
    history, then the images), which a line introducing a patient also does. Returns the caption."""
    if not loose:
        return []
    runs: list[list[tuple[int, Block]]] = []
    for line in loose:
        if not runs or line[1].is_section_start:
            runs.append([])
        runs[-1].append(line)
    caption: list[tuple[int, Block]] = []
    if before_main:
        last = runs[-1]
        starts = [n for n, (_, block) in enumerate(last) if n == 0 or block.gap]
        last_paragraph = last[starts[-1] :]
        if len(runs) > 1:
            caption = runs.pop()
        elif len(starts) > 1 and looks_like_caption(
            join_text([b for _, b in last_paragraph]) or "", loose=True
        ):
            caption, runs[-1] = last_paragraph, last[: starts[-1]]
        elif not (brief_labelled or reads_as_patient(last[0][1].text)) or "brief_history" in reader.fields:
            caption = runs.pop()
    for run in runs:
        if brief_labelled or "brief_history" not in reader.fields:
            reader.set_text("brief_history", [b for _, b in run])
            reader.consume(*(i for i, _ in run))
            reader.trace("brief_history", [b for _, b in run], "label" if brief_labelled else "position")
    return caption


def image_link_of(text: str) -> str | None:
    """The image a line links ("main", "second", "cine"), or None for other lines."""
    if match := IMAGE_LINE_RE.match(text):
        return match["label"].lower()
    return "cine" if CINE_LINE_RE.match(text) or is_java_cine_note(text) else None


def is_java_cine_note(text: str) -> bool:
    return len(text) <= MAX_CINE_NOTE and JAVA_CINE_RE.search(text) is not None


def read_image_line(
    reader: PageReader, index: int, block: Block, caption_before: list[tuple[int, Block]]
) -> bool:
    """A 'View ... image' line (or a cine note) becomes an image; False for other lines."""
    text = block.text
    images: list[Image] = reader.fields.setdefault("images", [])
    if len(images) >= MAX_IMAGES:
        return False  # a hostile page's millionth image line stays text
    if match := CINE_LINE_RE.match(text):
        caption, note = match["caption"] or None, match["note"] or None
        image = Image(label="cine", type_code=None, caption=caption, note=note, viewer_url=first_href(block))
    elif match := IMAGE_LINE_RE.match(text):
        label, rest = match["label"].lower(), match["rest"]
        caption = rest or None
        if label == "main":
            # The main image's caption is printed BEFORE its link (bs125).
            caption = join_text([b for _, b in caption_before]) if caption_before else None
            reader.consume(*(i for i, _ in caption_before))
            if rest and not MAIN_IMAGE_TAIL_RE.match(rest):
                caption = f"{caption} {rest}" if caption else rest
        image = Image(
            label=label, type_code=match["code"] or None, caption=caption, viewer_url=first_href(block)
        )
    elif is_java_cine_note(text):
        image = Image(label="cine", type_code=None, caption=None, note=text, viewer_url=first_href(block))
    else:
        return False
    images.append(image)
    reader.consume(index)
    reader.trace(f"images[{len(images) - 1}]", [block], "marker")
    if caption_before and image.label == "main":
        reader.trace(f"images[{len(images) - 1}].caption", [b for _, b in caption_before], "position")
    return True


def split_sections(body: list[tuple[int, Block]]) -> list[Section]:
    """Sections at labels and at section gaps; a label line starts its own section, and a label
    alone owns what follows it even across a section gap (a heading drawn with space below it)."""
    sections: list[Section] = []
    for index, block in body:
        label = label_of(block.text)
        if label:
            section = Section(label=label[0], gap=block.gap)
            sections.append(section)
            if label[1]:
                section.blocks.append((index, block.with_text(label[1], gap=0)))
            if label[0] == "diagnosis":  # pa004: the next paragraph is not the diagnosis
                sections.append(Section(label=None, gap=SECTION_GAP))
            continue
        bare_label = bool(sections) and sections[-1].label is not None and not sections[-1].blocks
        if not sections or (block.is_section_start and not bare_label):
            sections.append(Section(label=None, gap=block.gap))
        sections[-1].blocks.append((index, block))
    return sections


def read_body(reader: PageReader, body: list[tuple[int, Block]], *, head_read: bool) -> None:
    label_indices = [i for i, b in body if label_of(b.text)]
    reader.consume(*label_indices)
    sections = split_sections(body)
    if not head_read:
        sections = read_lossy_head(reader, sections)
    placed: list[str] = []  # the fields filled by page order, not by a label
    if not any(s.label == "full_history" for s in sections):
        sections = read_unlabelled_history(reader, sections, placed)
    labelled = any(s.label in ("findings", "discussion") for s in sections)
    slot = 0
    last_field: str | None = None
    for section in sections:
        lines = [(i, b) for i, b in section.blocks if not read_image_line(reader, i, b, [])]
        if section.label:
            check_order(reader, section.label, last_field)
            last_field = section.label
            read_section(reader, section.label, lines)
            if section.label in BODY_SLOTS:
                slot = BODY_SLOTS.index(section.label) + 1
            continue
        if not lines:
            continue
        first = paragraphs([b for _, b in lines])[0]
        if labelled and last_field in TEXT_FIELDS:
            set_section_text(reader, last_field, lines, "position")  # a gap inside a labelled section
            name = last_field.replace("_", " ")
            reader.add_issue(
                "section_suspect",
                last_field,
                f"the {name} goes on past a section break: a label may be missing",
            )
        elif all(looks_like_citation(p) for p in paragraphs([b for _, b in lines])) and slot > 1:
            read_section(reader, "references", lines, "content")
        elif slot == 0 and "full_history" not in reader.fields and reads_as_patient(first):
            # A copy that lost its "Full history:" label (and its procedure): the history tells of a patient.
            set_section_text(reader, "full_history", lines, "content")
            placed.append("full_history")
        elif last_field in LIST_FIELDS and all(
            len(p) <= MAX_LIST_ITEM for p in paragraphs([b for _, b in lines])
        ):
            read_section(reader, last_field, lines, "position")  # a list item drawn after a gap of its own
        elif slot < len(BODY_SLOTS):
            if slot == 0 and not is_procedure(lines):
                # bs092: an empty slot shows as a doubled gap; mb002, pa001: no slot at all.
                if section.gap >= 2 * SECTION_GAP:
                    reader.add_issue("procedure_empty", "procedure", "the procedure slot is empty")
                else:
                    reader.add_issue("procedure_missing", "procedure", "no procedure line")
                slot = 1
            read_section(reader, BODY_SLOTS[slot], lines, "content" if slot == 0 else "position")
            placed.append(BODY_SLOTS[slot])
            slot += 1
        else:
            placed.append("unassigned")  # more sections than the page has slots: left for unassigned
    if "procedure" not in reader.fields and slot == 0:
        reader.add_issue("procedure_missing", "procedure", "no procedure line")
    check_placed_sections(reader, placed)


def check_order(reader: PageReader, label: str, previous: str | None) -> None:
    """Labelled sections stand in the template's order; one out of it was probably read wrong."""
    if (
        label in SECTION_ORDER
        and previous in SECTION_ORDER
        and SECTION_ORDER[label] < SECTION_ORDER[previous]
    ):
        reader.add_issue(
            "section_order", label, f"the {label.replace('_', ' ')} label stands after the {previous}"
        )


def check_placed_sections(reader: PageReader, placed: list[str]) -> None:
    """Sections filled by page order must read as what they are named, and fit the slots; when one
    does not, the gaps that decided the order may have been read wrong, and every section placed by
    it is named."""
    texts = {name: reader.fields.get(name) for name in placed if name not in ("procedure", "unassigned")}
    wrong = [name for name, text in texts.items() if text and not reads_as_named(name, text)]
    if "unassigned" in placed:
        wrong.append("unassigned")
    for name in texts if wrong else ():
        why = "does not read as one" if name in wrong else f"was placed by page order next to the {wrong[0]}"
        reader.add_issue(
            "section_suspect", name, f"the {name.replace('_', ' ')} {why}: a section may have shifted"
        )
    for name in BODY_SLOTS[1:] if wrong else ():
        if name not in reader.fields:
            reader.add_issue(f"{name}_missing", name, f"no {name}: a shifted section may hold it")


def reads_as_named(name: str, text: str) -> bool:
    if name == "findings" and reads_as_patient(text[:MAX_CAPTION_LENGTH]):
        return False  # findings do not open by introducing a patient; a history does
    if name == "discussion" and len(text) <= MAX_FOLLOWUP_LENGTH and tells_what_happened(text):
        return False  # gi005: "Subsequent esophagoduodenoscopy showed..." is the followup, moved up
    check = READS_AS.get(name)
    return check is None or check(text)


def read_lossy_head(reader: PageReader, sections: list[Section]) -> list[Section]:
    """A copy without divider or image links: its diagnosis, and its brief history when two
    unlabelled sections stand before the procedure (pa004); the other stays for the full history."""
    rest = list(sections)
    while rest and rest[0].label == "diagnosis":
        read_section(reader, "diagnosis", rest.pop(0).blocks)
    before = sections_before_procedure(rest)
    if (
        "brief_history" not in reader.fields
        and rest
        and rest[0].label is None
        and (before is None or before >= 2)
    ):
        reader.set_text("brief_history", rest[0].lines)
        reader.trace("brief_history", rest[0].lines, "position")
        reader.consume(*rest.pop(0).indices)
    return rest


def read_unlabelled_history(reader: PageReader, sections: list[Section], placed: list[str]) -> list[Section]:
    """Without a "Full history:" label, the section right before the procedure is the full history.

    Between the brief and the full history stood the image captions, which without their links
    cannot be told from text with certainty: a caption-like first paragraph stays unassigned
    (pa004: "Anterior Neck (initial and 2 hour delayed images)"; a copy that starts at a caption).
    """
    procedure_at = sections_before_procedure(sections)
    if not procedure_at:
        return sections
    history = sections[procedure_at - 1]
    if history.label is None and "full_history" not in reader.fields:
        groups = paragraph_lines(history.lines)
        lines = history.blocks
        if len(groups) > 1 and looks_like_caption(" ".join(b.text for b in groups[0])):
            lines = lines[len(groups[0]) :]
        set_section_text(reader, "full_history", lines, "position")
        placed.append("full_history")
    return sections[procedure_at:]


def sections_before_procedure(sections: list[Section]) -> int | None:
    """How many sections stand before the first that reads as a procedure; None when none does."""
    return next((n for n, s in enumerate(sections) if s.label is None and is_procedure(s.blocks)), None)


def looks_like_caption(text: str, *, loose: bool = False) -> bool:
    """A short line naming images or views; ``loose`` lets it end with a period ("Anterior and
    posterior images are shown.", iw011), where nothing else could be a caption."""
    return (
        len(text) <= MAX_CAPTION_LENGTH
        and bool(CAPTION_WORDS_RE.search(text))
        and (loose or not text.endswith("."))
        and not reads_as_patient(text)
    )


def is_procedure(lines: Sequence[tuple[int, Block]]) -> bool:
    """A section of procedure lines only: one radiopharmaceutical a paragraph, two or three of them
    for combined studies (MDP, then In-111 leukocytes, then sulfur colloid)."""
    texts = paragraphs([b for _, b in lines])
    return 0 < len(texts) <= MAX_PROCEDURE_PARAGRAPHS and all(looks_like_procedure(text) for text in texts)


def read_section(
    reader: PageReader, name: str, lines: Sequence[tuple[int, Block]], rule: Rule = "label"
) -> None:
    """A section's lines into the field ``name``; ``rule`` says what placed them there."""
    blocks = [b for _, b in lines]
    reader.consume(*(i for i, _ in lines))
    if name == "diagnosis":
        text = join_text(blocks)
        if "diagnosis" not in reader.fields or reader.fields["diagnosis"] is None:
            reader.fields["diagnosis"] = text
            reader.trace(name, blocks, rule)
        elif text and text != reader.fields["diagnosis"]:
            reader.add_issue("diagnosis_differs", "diagnosis", f"second diagnosis line differs: {text!r}")
            reader.fields.setdefault("unassigned", []).append(text)
    elif name == "procedure":
        text = join_text(blocks)
        if text:
            reader.fields["procedure"] = Procedure(text=text)
            reader.trace(name, blocks, rule)
        else:
            reader.add_issue("procedure_empty", "procedure", "the procedure slot is empty")
    elif name in ("teaching_points", "differential_diagnosis"):
        reader.fields.setdefault(name, []).extend(list_items(blocks))
        reader.trace(name, blocks, rule)
    elif name == "references":
        for text in paragraphs(blocks):
            reader.add_reference(text, "block")
        reader.trace(name, blocks, rule)
    elif name == "acr":
        read_acr(reader, list(lines))
    elif name in ("brief_history", *TEXT_FIELDS):
        set_section_text(reader, name, lines, rule)
    else:
        reader.add_issue("label_out_of_place", name, f"label {name!r} where it was not expected")
        reader.consumed.difference_update(i for i, _ in lines)


def set_section_text(
    reader: PageReader, name: str, lines: Sequence[tuple[int, Block]], rule: Rule = "label"
) -> None:
    """A text field; inline ``References:`` lines stay in it and are added to ``references``."""
    blocks = [b for _, b in lines]
    reader.set_text(name, blocks)
    reader.consume(*(i for i, _ in lines))
    reader.trace(name, blocks, rule)
    in_references = False
    for lines_of_paragraph in paragraph_lines(blocks):
        text = " ".join(block.text for block in lines_of_paragraph)
        citation = inline_reference(text)
        if citation or (in_references and looks_like_citation(text)):
            reader.add_reference(citation or text, "inline")
            reader.trace("references", lines_of_paragraph, "label" if citation else "content")
        in_references = citation is not None or (in_references and looks_like_citation(text))


def is_acr_label(block: Block) -> bool:
    label = label_of(block.text) if block.kind is BlockKind.TEXT else None
    return label is not None and label[0] == "acr"


def read_acr(reader: PageReader, lines: list[tuple[int, Block]]) -> None:
    """Codes and keywords printed after 'ACR Codes and Keywords:' (in most copies: nothing)."""
    read: list[Block] = []
    for index, block in lines:
        if len(reader.fields.get("acr_codes", [])) + len(reader.fields.get("keywords", [])) >= MAX_ACR_ITEMS:
            reader.add_issue("acr_text_too_long", "acr_codes", f"over {MAX_ACR_ITEMS} codes and keywords")
            break  # the rest stays unconsumed: it goes to unassigned
        if len(block.text) > MAX_ACR_TEXT:
            reader.add_issue(
                "acr_text_too_long", "acr_codes", f"{len(block.text):,} characters: kept unassigned"
            )
            continue  # left unconsumed: it goes to unassigned
        if GENERAL_DISCUSSION_RE.match(block.text):
            break  # gi005: a general discussion line cut short is not a keyword
        label = label_of(block.text)
        text = label[1] if label and label[0] == "acr" else block.text
        reader.consume(index)
        codes = ACR_CODE_RE.findall(text)
        reader.fields.setdefault("acr_codes", []).extend(codes)
        remainder = ACR_CODE_RE.sub(",", text)
        words = [w for w in KEYWORD_SPLIT_RE.split(remainder) if any(c.isalnum() for c in w)]
        reader.fields.setdefault("keywords", []).extend(w.strip() for w in words)
        read.append(block)
    if reader.fields.get("acr_codes") or reader.fields.get("keywords"):
        reader.trace("acr_codes", read, "label")


def paragraphs_of(text: str | None) -> list[str]:
    return text.split(PARAGRAPH_SEPARATOR) if text else []
