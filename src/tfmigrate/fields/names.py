"""Author lists as printed in bylines -> names and degrees.

Forms seen on the site's pages: ``Stephen Schmitter, M.D. and Keith Fischer, M.D.``;
``Thomas H. Vreeland, M.D., Tom R. Miller, M.D., Ph.D.``; ``Sarah Reimer, MD , Keith Fischer MD,
and Farrokh Dehdashti, MD``; ``Jayson R. St. Jacques,M.D. and ...``; ``michael quinn, md and ...``;
three names with commas and no ``and``; newtfh user ids (``kwinkl01 and Delphine Chen.``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A separator between names or between a name and its degrees: commas, "and", ", and".
# Each branch starts where a run of spaces starts (the lookbehinds), so a hostile run of spaces is
# scanned once, not once per position.
SEPARATOR_RE = re.compile(r"(?<!\s)\s*,\s*(?:and\s+)?|(?<!\s)\s+and\s+|(?<!\s)\s*[&;/]\s*", re.IGNORECASE)
# "Case Author(s): and Tom R. Miller, M.D." : the first name was never filled in.
LEADING_SEPARATOR_RE = re.compile(r"^(?:and\b|[,&;/])\s*", re.IGNORECASE)
DEGREE_RE = re.compile(
    r"^(?:M\.?\s?D|D\.?\s?O|Ph\.?\s?D|M\.?\s?S|M\.?\s?P\.?\s?H|R\.?\s?N|B\.?\s?S|M\.?\s?B\.?\s?B\.?\s?S"
    r"|F\.?\s?R\.?\s?C\.?\s?R|F\.?\s?A\.?\s?C\.?\s?R|C\.?\s?N\.?\s?M\.?\s?T|R\.?\s?T|D\.?\s?V\.?\s?M)\.?$",
    re.IGNORECASE,
)
# newtfh bylines mix login ids with names (kwinkl01).
USER_ID_RE = re.compile(r"^[a-z]+\d+$")


@dataclass
class PrintedAuthor:
    name: str
    degrees: list[str] = field(default_factory=list)

    @property
    def is_user_id(self) -> bool:
        return bool(USER_ID_RE.match(self.name))


def is_degree(word: str) -> bool:
    return bool(DEGREE_RE.match(word))


def has_missing_author(text: str) -> bool:
    """A byline that starts with "and" or a comma: a name is missing before it."""
    return LEADING_SEPARATOR_RE.match(text.strip()) is not None


def split_authors(text: str) -> list[PrintedAuthor]:
    """Names in printed order, each with the degrees printed after it."""
    text = LEADING_SEPARATOR_RE.sub("", text.strip())
    authors: list[PrintedAuthor] = []
    for part in SEPARATOR_RE.split(text):
        words = part.split()
        degrees: list[str] = []
        while words and is_degree(words[-1]):
            degrees.insert(0, words.pop())
        if words:
            authors.append(PrintedAuthor(name=" ".join(words), degrees=degrees))
        elif authors:
            authors[-1].degrees.extend(degrees)
    last = authors[-1] if authors else None
    if last and not last.degrees and last.name.endswith(".") and not _ends_with_initial(last.name):
        last.name = last.name[:-1]  # newtfh: "Authored By: kwinkl01 and Delphine Chen." ends a sentence
    return authors


def _ends_with_initial(text: str) -> bool:
    last = text.split()[-1]
    return len(last) == 2 and last[0].isalpha()


# Lower-case words that belong to the family name that follows them ("Jayson R. St. Jacques").
FAMILY_PARTICLES = frozenset(
    {
        "st.",
        "st",
        "ste.",
        "van",
        "von",
        "de",
        "del",
        "della",
        "der",
        "den",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "da",
        "dos",
    }
)
NAME_SUFFIXES = frozenset({"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"})


@dataclass(frozen=True)
class NameParts:
    given: str | None
    family: str | None
    suffix: str | None
    display_name: str


def split_name(name: str) -> NameParts:
    """Given and family names of a printed name; user ids are not split (they are not names)."""
    words = name.split()
    display = display_name(name)
    if not words or USER_ID_RE.match(name):
        return NameParts(given=None, family=None, suffix=None, display_name=display)
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in NAME_SUFFIXES else None
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in FAMILY_PARTICLES:
        start -= 1
    given = " ".join(words[:start]) or None
    return NameParts(given=given, family=" ".join(words[start:]), suffix=suffix, display_name=display)


def display_name(name: str) -> str:
    """The name as printed, except that a name printed all in lower case is title-cased (bs092)."""
    if not name.islower() or USER_ID_RE.match(name):
        return name
    return " ".join(word[:1].upper() + word[1:] for word in name.split())
