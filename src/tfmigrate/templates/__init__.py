"""One module per page template; ``detect_template`` tells which one a block stream is."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from tfmigrate.blocks import Block, BlockKind
from tfmigrate.models import Template
from tfmigrate.templates import classic, newtfh

TemplateParser = Callable[[Sequence[Block]], dict[str, Any]]

PARSERS: dict[Template, tuple[TemplateParser, str]] = {
    "classic": (classic.parse_classic, classic.TEMPLATE_VERSION),
    "newtfh": (newtfh.parse_newtfh, newtfh.TEMPLATE_VERSION),
}
# 97104: a mid-page chunk of a newtfh page keeps its "General Discussion:" label.
NEWTFH_MARKER_RE = re.compile(r"^(?:Authored By|General Discussion)\s*:", re.IGNORECASE)
CLASSIC_MARKER_RE = re.compile(r"^(?:Case Author\(s\)\s*:|Case number\s*:)", re.IGNORECASE)
DIAGNOSIS_RE = re.compile(r"^Diagnosis\s*:", re.IGNORECASE)


def detect_template(stream: Sequence[Block]) -> Template | None:
    """The template of a case page, or None for any other page (lists, viewers, discussions)."""
    texts = [b.text for b in stream if b.kind is BlockKind.TEXT]
    if any(NEWTFH_MARKER_RE.match(t) for t in texts):
        return "newtfh"
    if any(CLASSIC_MARKER_RE.match(t) for t in texts):
        return "classic"
    # pa004: a lossy copy with neither byline nor case number still has its diagnosis and the
    # general discussion line with the anatomic field.
    has_diagnosis = any(DIAGNOSIS_RE.match(t) for t in texts)
    if has_diagnosis and any(
        classic.GENERAL_DISCUSSION_RE.match(t) or classic.DIVIDER_RE.match(t) for t in texts
    ):
        return "classic"
    return None
