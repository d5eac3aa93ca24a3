"""newtfh ``Patient:`` lines (``48 year old female``) -> age and sex where clear."""

from __future__ import annotations

import re
from typing import Literal

AgeUnit = Literal["year", "month", "week", "day"]
Sex = Literal["female", "male"]

AGE_RE = re.compile(
    r"\b(?P<age>\d{1,3})\s*-?\s*(?P<unit>years?|yrs?|yo|y/o|months?|mos?|weeks?|wks?|days?)\b", re.IGNORECASE
)
UNIT_PREFIXES: tuple[tuple[str, AgeUnit], ...] = (("y", "year"), ("mo", "month"), ("w", "week"), ("d", "day"))
FEMALE_RE = re.compile(r"\b(?:female|woman|girl|lady|f)\b", re.IGNORECASE)
MALE_RE = re.compile(r"\b(?:male|man|boy|gentleman|m)\b", re.IGNORECASE)


def parse_age(text: str) -> tuple[int, AgeUnit] | None:
    match = AGE_RE.search(text)
    if not match:
        return None
    unit = match["unit"].lower()
    for prefix, name in UNIT_PREFIXES:
        if unit.startswith(prefix):
            return int(match["age"]), name
    return None


def parse_sex(text: str) -> Sex | None:
    """The sex when exactly one is named; None when neither or both are."""
    female, male = bool(FEMALE_RE.search(text)), bool(MALE_RE.search(text))
    if female == male:
        return None
    return "female" if female else "male"
