"""The byline's rating, ``#D2, #Q3`` (difficulty, quality); ``#D., #Q.`` is a blank rating."""

from __future__ import annotations

import re

RATING_RE = re.compile(r"#\s*D\s*(?P<difficulty>\d*)\s*\.?\s*,?\s*#\s*Q\s*(?P<quality>\d*)", re.IGNORECASE)


def parse_rating(text: str) -> tuple[int | None, int | None] | None:
    """(difficulty, quality), each None when printed blank; None when no rating is printed."""
    match = RATING_RE.search(text)
    if not match:
        return None
    return (
        int(match["difficulty"]) if match["difficulty"] else None,
        int(match["quality"]) if match["quality"] else None,
    )
