"""Recognising citations: a references block, and inline ``Reference(s):`` lines."""

from __future__ import annotations

import re

# bs125's discussion and others: "References:", "Reference:", "References :".
INLINE_REFERENCE_RE = re.compile(r"^References?\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
# A citation opens with "Surname AB" / "Surname A." (bs125: "Resnick D. Neuromuscular Disorders.");
# a discussion sentence citing "(Smith et al, 1990)" does not.
AUTHOR_START_RE = re.compile(r"^[A-Z][A-Za-z'\-]+(?: [A-Z][a-z'\-]+)?,? (?:[A-Z]{1,3}\b|[A-Z]\.)")
MAX_CITATION_LENGTH = 600


def looks_like_citation(text: str) -> bool:
    return len(text) <= MAX_CITATION_LENGTH and bool(AUTHOR_START_RE.match(text) and YEAR_RE.search(text))


def inline_reference(text: str) -> str | None:
    """The citation text of an inline ``References: ...`` line, or None for other lines."""
    match = INLINE_REFERENCE_RE.match(text)
    return match["rest"].strip() if match and match["rest"].strip() else None
