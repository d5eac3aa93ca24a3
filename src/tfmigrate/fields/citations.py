"""Printed citations -> CSL-JSON items; a printed references block -> one string per citation.

The site prints references in Vancouver (Medline) style, e.g. bs125's
``Resnick D. Neuromuscular Disorders. In: Resnick D, Niwayama G, eds. Diagnosis of Bone and Joint
Disorders, 2nd Ed. Philadelphia: WB Saunders, 1988.`` Parsing is heuristic, so every result carries a
confidence, and a shape that is not recognised keeps the whole text as its title instead of raising.

Conventions of the CSL-JSON produced here:

- A name keeps its printed initials: ``Smith AB`` -> ``{"family": "Smith", "given": "AB"}``.
- ``et al.`` is not a person: the named authors are kept and ``"note": "et al."`` records that the printed
  list was cut short (a ``{"literal": "et al."}`` entry would be counted, deduplicated and rendered as a
  name).
- ``2nd Ed.`` -> ``"edition": "2"``: CSL's edition is a string, the ordinal suffix is the style's business.
- Pages stay as printed (``325-9``); expanding a range belongs to whoever renders it.
- ``issued`` holds the year, plus month and day when printed (``1991 Feb`` -> ``[[1991, 2]]``).
- confidence = parts found / parts expected for the style (see EXPECTED_PARTS); ``unknown`` gets
  UNKNOWN_CONFIDENCE with an author list, 0.0 without.

Every pattern here runs in linear time: the helpers see uncleaned page text, so no pattern nests or chains
unbounded quantifiers over the same characters (tested on 20,000-character adversarial strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff"
# "van Dijk G", "de Vries AB": lower-case particles open some family names.
PARTICLE = r"(?:(?:van|von|der|den|de|del|della|di|da|du|dos|la|le|ten|ter) )"
# One or two capitalised words ("Smith", "McKillop", "O'Mara", "Van Nostrand"); the second word needs a
# lower-case second letter, so it can never be mistaken for the initials that follow.
FAMILY = (
    rf"{PARTICLE}{{0,2}}[{UPPER}][{UPPER}{LOWER}'\-]{{0,40}}"
    rf"(?: [{UPPER}][{LOWER}][{UPPER}{LOWER}'\-]{{0,40}})?"
)
INITIALS = rf"[{UPPER}]{{1,4}}"
NAME_RE = re.compile(rf"(?P<family>{FAMILY}) (?P<given>{INITIALS})(?: (?P<suffix>Jr|Sr|II|III|IV))?")
ET_AL_RE = re.compile(r"(?:^|,? )et\.? ?al\.?$")
YEAR = r"(?<![0-9])(?:1[89]|20)[0-9]{2}(?![0-9])"
# "134", "100-105", "325-9" (AJR), "S12-S15", "e123"; an en dash is kept as printed.
PAGES = r"[A-Za-z]?[0-9]{1,6}(?: ?[-\u2013] ?[A-Za-z]?[0-9]{1,6})?"

# "(1) Smith AB...", "[1] Smith AB...", "1. Smith AB...", "1) Smith AB..."; never the 4-digit "1988.".
ENUMERATOR_RE = re.compile(r"(?<!\S)(?P<open>[\[(]?)(?P<number>[0-9]{1,3})(?P<close>[.)\]])(?=\s)")
ENUMERATOR_FORMS = {("[", "]"), ("(", ")"), ("", "."), ("", ")")}
# What a numbered item may follow: the end of the previous citation ("...100-105. 2. Jones CD"),
# a "References:" label, or a line break; "Vol 2. Philadelphia" is not an item.
ENUMERATOR_AFTER = ".;:)]0123456789"
# Run-together citations: the first ends in a year, volume or page ("1984;9:134." or "1988;"), the next
# opens an author list ("Jones CD," / "Resnick D." / "Smith AB et al"). "1984;9:134" has no space: no split.
AUTHOR_START = rf"{FAMILY} {INITIALS}(?:[,.]| et al)"
RUN_ON_BOUNDARY_RE = re.compile(rf"(?<=[0-9)])(?P<end>[.;]?)\s+(?={AUTHOR_START})")

SENTENCE_BOUNDARY_RE = re.compile(r"(?<=[.?!]) ")
# "St. Louis: Mosby": the period of an abbreviated place name does not end a sentence.
PLACE_ABBREVIATIONS = ("St.", "Ste.", "Mt.", "Ft.")
IN_RE = re.compile(r"(?:^|(?<=[.?!] ))In(?P<colon>:?) ")
EDITORS_MARK_RE = re.compile(r",? ?\(?\b(?:eds?|editors?)\b\.?\)?\.?")
EDITION_RE = re.compile(r"[,.]? ?(?P<edition>[0-9]{1,2})(?:st|nd|rd|th) (?:[Ee]d(?:ition|n)?|EDITION)\.?$")
# After the colon of "Philadelphia: WB Saunders, 1988." (chapter pages may follow: "1988:123-145").
IMPRINT_RE = re.compile(
    # Only ever right after a colon (the lookbehind), so a search cannot restart at every position.
    rf"(?<=:) ?(?P<publisher>[^:;]*?)[,;.]? ?(?P<year>{YEAR})(?:[:;,.]? ?(?:pp?\.? ?)?(?P<page>{PAGES}))?\.?"
)
# A book with no place: "Saunders, 2006." Anchored: it is matched whole, and unanchored a search
# tried 120 characters from every position of a hostile line.
BARE_IMPRINT_RE = re.compile(rf"^(?P<publisher>[^:;.,]{{1,120}}), ?(?P<year>{YEAR})\.?")
# Medline: "1984;9:134.", "1989;170(3):667-671.", "1991 Feb;156(2):325-9.", "1990 Jan 15;31:1-5."
JOURNAL_TAIL_RE = re.compile(
    rf"(?P<year>{YEAR})"
    rf"(?: (?P<month>[A-Z][a-z]{{2,8}}(?:-[A-Z][a-z]{{2,8}})?)\.?(?: (?P<day>[0-9]{{1,2}}))?)?"
    rf" ?; ?(?P<volume>[0-9]{{1,5}}[A-Za-z]?)(?: ?\((?P<issue>[^()]{{1,20}})\))?"
    rf"(?:: ?(?P<page>{PAGES}))?[.;]?$"
)
# Older printings: "Radiology 170:667-671, 1989."
OLD_JOURNAL_TAIL_RE = re.compile(
    rf"(?<![0-9])(?P<volume>[0-9]{{1,5}})(?: ?\((?P<issue>[^()]{{1,20}})\))?: ?(?P<page>{PAGES}), ?"
    rf"(?P<year>{YEAR})\.?$"
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
EXPECTED_PARTS = {
    "journal": ("author", "title", "container-title", "issued", "volume", "page"),
    "book-chapter": (
        "author",
        "title",
        "editor",
        "container-title",
        "publisher",
        "publisher-place",
        "issued",
    ),
    "book": ("author", "title", "publisher", "publisher-place", "issued"),
}
UNKNOWN_CONFIDENCE = 0.2
# Output key order, so the JSON reads like the printed citation.
CSL_KEY_ORDER = (
    "type",
    "author",
    "editor",
    "title",
    "container-title",
    "edition",
    "publisher-place",
    "publisher",
    "volume",
    "issue",
    "page",
    "issued",
    "note",
)


@dataclass(frozen=True)
class ParsedCitation:
    csl: dict[str, Any]
    confidence: float
    style: str


class Imprint(NamedTuple):
    """``Place: Publisher, Year`` and what printed before it."""

    head: str
    place: str | None
    publisher: str | None
    year: int
    page: str | None


# ---------------------------------------------------------------------------------------------- splitting


def split_citations(text: str) -> list[str]:
    """One printed references block or inline 'References:' text -> one string per citation, as printed.

    Numbered lists (``1.``, ``1)``, ``(1)``, ``[1]``) split at consecutive numbers of one form; text before
    the first number stays as its own item. Otherwise citations run together split where one ends in a
    year/volume/page and the next opens an author list; the separating ``.`` or ``;`` stays with the first.
    Only enumerators and whitespace around items are dropped.
    """
    stripped = text.strip()
    if not stripped:
        return []
    numbered = split_numbered(stripped)
    return numbered if numbered is not None else split_run_on(stripped)


def split_numbered(text: str) -> list[str] | None:
    """The items of a numbered list, or None when the text is not one."""
    candidates = [m for m in ENUMERATOR_RE.finditer(text) if is_enumerator(text, m)]
    first = next((m for m in candidates if starts_list(text, m)), None)
    if first is None:
        return None
    form = (first["open"], first["close"])
    starts = [first]
    for match in candidates:
        if (
            match.start() > starts[-1].start()
            and (match["open"], match["close"]) == form
            and int(match["number"]) == int(starts[-1]["number"]) + 1
        ):
            starts.append(match)
    items = [text[: first.start()].strip()]
    ends = [m.start() for m in starts[1:]] + [len(text)]
    items += [text[start.end() : end].strip() for start, end in zip(starts, ends, strict=True)]
    return [item for item in items if item]


def is_enumerator(text: str, match: re.Match[str]) -> bool:
    """A list number is followed by the item's text and preceded by the end of the last item."""
    if (match["open"], match["close"]) not in ENUMERATOR_FORMS:
        return False
    after = match.end()
    while after < len(text) and text[after].isspace():
        after += 1
    if after == len(text) or text[after].isdigit():
        return False
    before = match.start() - 1
    while before >= 0 and text[before].isspace():
        if text[before] == "\n":
            return True
        before -= 1
    return before < 0 or text[before] in ENUMERATOR_AFTER


def starts_list(text: str, match: re.Match[str]) -> bool:
    """The text opens with a number, or a "1" opens a line or follows "References:"."""
    if match.start() == 0:
        return True
    if match["number"] != "1":
        return False
    before = match.start() - 1
    while before >= 0 and text[before] in " \t":
        before -= 1
    return before >= 0 and text[before] in "\n\r:"


def split_run_on(text: str) -> list[str]:
    """Citations printed one after another without numbers (a single citation comes back whole)."""
    items: list[str] = []
    start = 0
    for match in RUN_ON_BOUNDARY_RE.finditer(text):
        if not match["end"] and "\n" not in match.group():
            # Without a closing "." or ";" only a line break separates two citations.
            continue
        items.append(text[start : match.end("end")].strip())
        start = match.end()
    items.append(text[start:].strip())
    return [item for item in items if item]


# ---------------------------------------------------------------------------------------------- parsing


def parse_citation(text: str) -> ParsedCitation:
    """A printed citation -> CSL-JSON. Never raises; unknown shapes give style 'unknown', low confidence,
    csl = {"type": "article", "title": text} at minimum (the text with its whitespace collapsed)."""
    printed = " ".join(text.split())
    cleaned = printed.rstrip(";, ")
    authors = take_authors(cleaned)
    names, et_al, rest = authors if authors else ([], False, cleaned)
    csl: dict[str, Any] = {}
    if names:
        csl["author"] = names
    if et_al:
        csl["note"] = "et al."
    style = (
        parse_chapter(rest, csl)
        or parse_journal(rest, csl)
        or parse_book(rest, csl)
        or parse_unknown(printed, csl)
    )
    if style == "unknown":
        confidence = UNKNOWN_CONFIDENCE if names else 0.0
    else:
        expected = EXPECTED_PARTS[style]
        confidence = round(sum(1 for key in expected if csl.get(key)) / len(expected), 2)
    ordered = {key: csl[key] for key in CSL_KEY_ORDER if key in csl}
    return ParsedCitation(csl=ordered, confidence=confidence, style=style)


def take_authors(text: str) -> tuple[list[dict[str, str]], bool, str] | None:
    """'Smith AB, Jones CD. Title...' -> (names, cut short by et al, the rest); None without authors."""
    end = text.find(".")
    if end <= 0:
        return None
    names = parse_names(text[:end])
    if names is None:
        return None
    return names[0], names[1], text[end + 1 :].strip()


def parse_names(text: str) -> tuple[list[dict[str, str]], bool] | None:
    """'Fogelman I, Citrin DL, McKillop JH, et al' -> (names, True); None if any part is not a name."""
    text = text.strip()
    et_al = ET_AL_RE.search(text)
    if et_al:
        text = text[: et_al.start()]
    names: list[dict[str, str]] = []
    for part in text.split(","):
        match = NAME_RE.fullmatch(part.strip())
        if not match:
            return None
        name = {"family": match["family"], "given": match["given"]}
        if match["suffix"]:
            name["suffix"] = match["suffix"]
        names.append(name)
    return names, bool(et_al)


def parse_chapter(text: str, csl: dict[str, Any]) -> str | None:
    """'Title. In: Editors, eds. Book, 2nd Ed. Place: Publisher, Year.' (bs125)."""
    marker = IN_RE.search(text)
    if not marker:
        return None
    inside = text[marker.end() :]
    editors_mark = EDITORS_MARK_RE.search(inside)
    editors = parse_names(inside[: editors_mark.start()]) if editors_mark else None
    # "In vivo imaging of..." opens a title: without "In:" only an editor list makes it a chapter.
    if not marker["colon"] and not editors:
        return None
    csl["type"] = "chapter"
    if editors and editors_mark:
        csl["editor"] = editors[0]
        inside = inside[editors_mark.end() :].strip()
    title = text[: marker.start()].strip().rstrip(".").strip()
    if title:
        csl["title"] = title
    fill_container(inside, csl)
    return "book-chapter"


def parse_journal(text: str, csl: dict[str, Any]) -> str | None:
    """'Title. Journal Year;Volume(Issue):Pages.', and the older 'Journal Volume:Pages, Year.'"""
    tail = JOURNAL_TAIL_RE.search(text) or OLD_JOURNAL_TAIL_RE.search(text)
    if not tail:
        return None
    csl["type"] = "article-journal"
    head, journal = split_last_sentence(text[: tail.start()].strip().rstrip(".").strip())
    title = head.rstrip(".").strip()
    if title:
        csl["title"] = title
    if journal:
        csl["container-title"] = journal
    csl["volume"] = tail["volume"]
    if tail["issue"]:
        csl["issue"] = tail["issue"].strip()
    if tail["page"]:
        csl["page"] = tail["page"]
    groups = tail.groupdict()
    csl["issued"] = issued_date(tail["year"], groups.get("month"), groups.get("day"))
    return "journal"


def parse_book(text: str, csl: dict[str, Any]) -> str | None:
    """'Title, 5th ed. Place: Publisher, Year.'"""
    imprint = find_imprint(text)
    if not imprint:
        return None
    csl["type"] = "book"
    fill_imprint(imprint, csl, title_key="title")
    return "book"


def parse_unknown(printed: str, csl: dict[str, Any]) -> str:
    csl["type"] = "article"
    csl["title"] = printed
    return "unknown"


def fill_container(text: str, csl: dict[str, Any]) -> None:
    """The book part of a chapter: its title, edition and imprint."""
    imprint = find_imprint(text)
    if imprint:
        fill_imprint(imprint, csl, title_key="container-title")
        return
    title, edition = split_edition(text.rstrip(".").strip())
    if title:
        csl["container-title"] = title
    if edition:
        csl["edition"] = edition


def fill_imprint(imprint: Imprint, csl: dict[str, Any], *, title_key: str) -> None:
    title, edition = split_edition(imprint.head.strip().rstrip(".").strip())
    if title:
        csl[title_key] = title
    if edition:
        csl["edition"] = edition
    if imprint.place:
        csl["publisher-place"] = imprint.place
    if imprint.publisher:
        csl["publisher"] = imprint.publisher
    if imprint.page:
        csl["page"] = imprint.page
    csl["issued"] = issued_date(str(imprint.year), None, None)


def find_imprint(text: str) -> Imprint | None:
    """The ``Place: Publisher, Year`` ending of a book, tried from the last colon backwards."""
    end = len(text)
    while (colon := text.rfind(":", 0, end)) >= 0:
        match = IMPRINT_RE.fullmatch(text, colon + 1)
        if match:
            head, place = split_last_sentence(text[:colon].strip())
            publisher = match["publisher"].strip().rstrip(",").strip()
            return Imprint(head, place or None, publisher or None, int(match["year"]), match["page"])
        end = colon
    head, last = split_last_sentence(text)
    bare = BARE_IMPRINT_RE.fullmatch(last)
    # "Smith AB. Some words, 1990." is no book: a bare "Publisher, Year" needs a title before it.
    if bare and head:
        return Imprint(head, None, bare["publisher"].strip(), int(bare["year"]), None)
    return None


def split_last_sentence(text: str) -> tuple[str, str]:
    """'Title. J Nucl Med' -> ('Title.', 'J Nucl Med'); text without a sentence break is all last sentence."""
    cut = -1
    for match in SENTENCE_BOUNDARY_RE.finditer(text):
        if not text.endswith(PLACE_ABBREVIATIONS, 0, match.start()):
            cut = match.start()
    if cut < 0:
        return "", text
    return text[:cut], text[cut + 1 :]


def split_edition(text: str) -> tuple[str, str | None]:
    """'Diagnosis of Bone and Joint Disorders, 2nd Ed' -> ('Diagnosis of Bone and Joint Disorders', '2')."""
    match = EDITION_RE.search(text)
    if not match:
        return text, None
    return text[: match.start()].strip(), match["edition"]


def issued_date(year: str, month: str | None, day: str | None) -> dict[str, list[list[int]]]:
    """CSL date-parts; a month range ("Jan-Feb") or a season keeps only the year."""
    parts = [int(year)]
    number = month_number(month) if month else None
    if number:
        parts.append(number)
        if day and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


def month_number(word: str) -> int | None:
    word = word.lower()
    for number, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return number
    return None
