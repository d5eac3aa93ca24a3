"""What both templates share: the block stream being read, its labels, and what was consumed.

A template marks every block it places in a field as consumed; whatever is left at the end goes
to ``unassigned`` with an issue, so no printed text is silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tfmigrate.blocks import Block, BlockKind, Link
from tfmigrate.fields import dates, names, ratings
from tfmigrate.fields.text import join_text
from tfmigrate.models import Author, Issue, Rating, Reference
from tfmigrate.provenance import Rule
from tfmigrate.templates.labels import Vocabulary

Trace = tuple[str, Rule, int, int, str | None]

NAVIGATION_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("similar_cases", re.compile(r"^Search for similar cases\.?$", re.IGNORECASE)),
    ("edit", re.compile(r"^Edit this case\.?$", re.IGNORECASE)),
    ("add_comment", re.compile(r"^Add comments? about this case\.?$", re.IGNORECASE)),
    ("read_comments", re.compile(r"^Read comments? about this case\.?$", re.IGNORECASE)),
    ("home", re.compile(r"^Return to the Teaching File home page\.?$", re.IGNORECASE)),
)
# A menu's links are a word or a few ("Home", "Case List", "Search the Teaching File"); a longer link
# is a citation or a sentence, which is case text even when it is all a link.
MAX_MENU_LINK = 40
MAX_MENU_LINES = 200
# The page's own footer, which a site printed under every case: "Webmaster: nm@mir.wustl.edu",
# "Last modified: March 3, 1997", "Send comments to ...", "All rights reserved".
SITE_NOTE_RE = re.compile(
    r"^(?:last\s+(?:modified|updated|revised|changed)|(?:this\s+)?(?:page|site)\s+(?:last\s+)?"
    r"(?:modified|updated|revised|changed|maintained\s+by)|web\s*master|send\s+(?:comments|questions|mail)"
    r"|(?:comments|questions)\s+(?:to|about\s+this\s+(?:page|site))|you\s+are\s+visitor)\b"
    r"|^(?:modified|updated|revised)\s*:|\ball\s+rights\s+reserved\b|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\u00a9",
    re.IGNORECASE,
)
MAX_SITE_NOTE = 200
MENU_WORD_RE = re.compile(r"[^\W\d_]{2}")
# What stands between a menu's links on a line: "Home | Cases | Search", "[Home] [Index]".
MENU_SEPARATORS_RE = re.compile(r"[\s|·•*/\\\[\]()<>«»:,.\-\u2013\u2014]*")
MAX_BYLINE_LENGTH = 2000
MAX_UNASSIGNED_ISSUES = 100
COPYRIGHT_RE = re.compile(r"^Copyright\b", re.IGNORECASE)


@dataclass
class PageReader:
    """The blocks of one page and the record fields built from them."""

    stream: Sequence[Block]
    fields: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    # (field, rule, first line, last line, where): what each value was read from (provenance.py).
    traces: list[Trace] = field(default_factory=list)
    site_notes: list[Block] = field(default_factory=list)  # the site's footer lines: unplaced

    def read_site_text(self, menus: Sequence[Block], notes: Sequence[Block]) -> None:
        """The site's menus and notes (``split_site_text``): the menus kept as links, the notes as
        unplaced text; never case text, never lost."""
        self.site_notes = list(notes)
        found = self.fields.setdefault("links", {}).setdefault("site", [])
        for block in menus:
            for link in block.links:
                self.trace(f"links.site[{len(found)}]", [block], "content")
                found.append({"text": link.text, "url": link.href})

    def texts(self) -> list[tuple[int, Block]]:
        return [(i, b) for i, b in enumerate(self.stream) if b.kind is BlockKind.TEXT]

    def consume(self, *indices: int) -> None:
        self.consumed.update(indices)

    def trace(self, field_name: str, blocks: Sequence[Block], rule: Rule) -> None:
        """Note the lines a value was read from, and the rule that placed it (plain tuples: every page
        is traced, and only a reviewer asks to see it)."""
        if len(blocks) == 1:
            self.traces.append((field_name, rule, blocks[0].origin, blocks[0].last, blocks[0].where))
        elif blocks:
            first = min(blocks, key=lambda block: block.origin)
            last = max(block.last for block in blocks)
            self.traces.append((field_name, rule, first.origin, last, first.where))

    def add_issue(self, code: str, field_name: str | None, message: str) -> None:
        self.issues.append(Issue(code=code, field=field_name, message=message))

    def set_text(self, name: str, blocks: Sequence[Block]) -> None:
        """Fill a text field; a second section for the same field is appended as more paragraphs."""
        text = join_text(blocks)
        if text is None:
            return
        previous = self.fields.get(name)
        self.fields[name] = f"{previous}\n\n{text}" if previous else text

    def add_reference(self, text: str, origin: Literal["block", "inline"]) -> None:
        self.fields.setdefault("references", []).append(Reference(text=text, origin=origin))

    def read_footer(self, index: int, block: Block) -> bool:
        """Footer links (similar cases, edit, comments, home) and the copyright line."""
        if COPYRIGHT_RE.match(block.text):
            self.fields["copyright"] = block.text
            self.consume(index)
            self.trace("copyright", [block], "marker")
            return True
        for name, pattern in NAVIGATION_LINKS:
            if pattern.match(block.text):
                self.fields.setdefault("links", {})[name] = first_href(block)
                self.consume(index)
                self.trace(f"links.{name}", [block], "marker")
                return True
        return False

    def set_authors(self, text: str) -> None:
        if len(text) > MAX_BYLINE_LENGTH:
            # No real byline is this long; a hostile one must not cost a record per comma.
            self.fields.setdefault("unassigned", []).append(text)
            self.add_issue(
                "byline_too_long", "authors", f"{len(text):,} characters: kept unassigned, not split"
            )
            return
        printed = names.split_authors(text)
        self.fields["authors"] = [Author(name=a.name, degrees=a.degrees) for a in printed]
        if printed and names.has_missing_author(text):
            self.add_issue(
                "author_missing", "authors", f"the byline starts with a separator: {shorten(text)}"
            )
        for author in printed:
            if author.is_user_id:
                self.add_issue(
                    "author_user_id", "authors", f"{author.name!r} looks like a login id, not a name"
                )
        if not printed:
            self.add_issue("authors_missing", "authors", "the byline names no author")

    def set_date(self, raw: str) -> None:
        raw = raw.strip()
        self.fields["date_raw"] = raw or None
        if not raw:
            self.add_issue("date_missing", "date", "the byline prints no date")
            return
        printed = raw.split()
        try:
            parsed = [dates.parse_date(date) for date in printed]
        except dates.DateError as exc:
            self.add_issue("date_invalid", "date", str(exc))
            return
        self.fields["date"] = parsed[0]
        if len(set(parsed)) > 1:  # "3/8/96 3/8/96" is one date printed twice; two dates are not
            self.add_issue(
                "date_ambiguous", "date", f"the byline prints {len(parsed)} different dates: {raw}"
            )

    def set_rating(self, raw: str) -> None:
        parsed = ratings.parse_rating(raw)
        if parsed is None:
            self.add_issue("rating_missing", "rating", f"no rating in {raw!r}")
            return
        difficulty, quality = parsed
        self.fields["rating"] = Rating(difficulty=difficulty, quality=quality)
        if difficulty is None or quality is None:
            self.add_issue("rating_blank", "rating", f"rating printed blank: {raw.strip()!r}")

    def finish(self) -> dict[str, Any]:
        """The fields, with every unconsumed text block moved to ``unassigned``."""
        unplaced = [b for i, b in self.texts() if i not in self.consumed]
        if self.site_notes:
            unplaced = sorted([*unplaced, *self.site_notes], key=lambda block: block.origin)
        for n, block in enumerate(unplaced[:MAX_UNASSIGNED_ISSUES]):
            self.trace(f"unassigned[{n}]", [block], "unplaced")
        unassigned = [b.text for b in unplaced]
        if unassigned:
            self.fields["unassigned"] = unassigned
            for text in unassigned[:MAX_UNASSIGNED_ISSUES]:
                self.add_issue(
                    "unassigned_text", "unassigned", f"text not placed in any field: {shorten(text)}"
                )
            if len(unassigned) > MAX_UNASSIGNED_ISSUES:  # a hostile page's ten thousand stray lines
                more = len(unassigned) - MAX_UNASSIGNED_ISSUES
                self.add_issue(
                    "unassigned_text", "unassigned", f"and {more:,} more lines not placed in any field"
                )
        self.fields["issues"] = self.issues
        self.fields["traces"] = self.traces
        return self.fields


def split_site_text(
    stream: Sequence[Block], vocabulary: Vocabulary, is_marker: Callable[[Block], bool]
) -> tuple[list[Block], list[Block], list[Block]]:
    """The page without the site's own text; the site's menus; and its other notes.

    A page built in a layout table prints the site's menu beside the case (a column of links left
    of it, a bar above or below it); read in page order, "Home / Case List / Search" once became the
    brief history, and a footer's "Webmaster: ..., Last modified: ..." the last section's text. A
    menu line is nothing but short links (no label or marker of the template's); it is a menu when it stands
    with another such line, holds two links or more, or is the page's first line; images between a
    menu's lines (bullets, spacers) do not end it. A note is a short line that reads as the page's
    own footer (``reads_as_site_note``) and is no label's line (a byline with an address).
    """
    runs: list[list[int]] = []  # menu lines standing together (images between them aside)
    notes: set[int] = set()
    in_run = False
    first_text = None
    for index, block in enumerate(stream):
        if block.kind is not BlockKind.TEXT:
            continue
        first_text = index if first_text is None else first_text
        menu_like = is_menu_line(block)
        note_like = not menu_like and reads_as_site_note(block.text)
        if not (menu_like or note_like) or is_marker(block) or vocabulary.find_in(block) is not None:
            in_run = False
        elif note_like:
            notes.add(index)
            in_run = False
        elif in_run and block.gap <= 1:
            runs[-1].append(index)
        else:
            runs.append([index])
            in_run = True
    menus = {
        index
        for run in runs
        if len(run) > 1 or len(stream[run[0]].links) > 1 or run[0] == first_text
        for index in run
    }
    if len(menus) > MAX_MENU_LINES:  # a hostile page of a million links: the rest stays unplaced text
        menus = set(sorted(menus)[:MAX_MENU_LINES])
    content = [block for index, block in enumerate(stream) if index not in menus and index not in notes]
    return content, [stream[i] for i in sorted(menus)], [stream[i] for i in sorted(notes)]


def reads_as_site_note(text: str) -> bool:
    """A short line of the page's own footer: who keeps the page, when it changed, an address."""
    return len(text) <= MAX_SITE_NOTE and SITE_NOTE_RE.search(text) is not None


def is_menu_line(block: Block) -> bool:
    """A line that is nothing but short links in words (a list of linked ACR codes is case text,
    bs003) and the separators between them."""
    if not block.links or any(
        len(link.text) > MAX_MENU_LINK or not MENU_WORD_RE.search(link.text) for link in block.links
    ):
        return False
    rest = block.text
    for link in block.links:
        rest = rest.replace(link.text, "", 1)
    return MENU_SEPARATORS_RE.fullmatch(rest) is not None


def first_href(block: Block) -> str | None:
    return block.links[0].href if block.links else block.href


def link_named(block: Block, pattern: re.Pattern[str]) -> Link | None:
    return next((link for link in block.links if pattern.search(link.text)), None)


def shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"
