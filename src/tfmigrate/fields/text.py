"""Printed lines -> field text: paragraphs, list items, labels."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tfmigrate.blocks import Block, BlockKind

PARAGRAPH_SEPARATOR = "\n\n"
# "1. Paget's disease." / "2)" / "- item": the enumerator is list structure, not item text.
ENUMERATOR_RE = re.compile(r"^(?:\(?\d{1,2}[.)]|[-*\u2022])\s+")


def paragraphs(blocks: Sequence[Block]) -> list[str]:
    """Lines joined into paragraphs: a line break continues a paragraph, a blank line ends it."""
    lines: list[list[str]] = []  # joined once at the end: repeated concatenation is quadratic
    for block in blocks:
        if block.kind is not BlockKind.TEXT:
            continue
        if lines and block.gap == 0:
            lines[-1].append(block.text)
        else:
            lines.append([block.text])
    return [" ".join(paragraph) for paragraph in lines]


def join_text(blocks: Sequence[Block]) -> str | None:
    """The field text of some lines, or None when there is none."""
    return PARAGRAPH_SEPARATOR.join(paragraphs(blocks)) or None


def list_items(blocks: Sequence[Block]) -> list[str]:
    """Items of a printed list: one per paragraph or per enumerated line, enumerators removed."""
    items: list[list[str]] = []
    for block in blocks:
        if block.kind is not BlockKind.TEXT:
            continue
        starts_item = block.gap > 0 or not items or ENUMERATOR_RE.match(block.text)
        text = ENUMERATOR_RE.sub("", block.text)
        if starts_item:
            items.append([text])
        else:
            items[-1].append(text)
    return [joined for item in items if (joined := " ".join(item))]
