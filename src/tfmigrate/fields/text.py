"""Printed lines -> field text: paragraphs, list items, labels."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tfmigrate.blocks import Block, BlockKind

PARAGRAPH_SEPARATOR = "\n\n"
# "1. Paget's disease." / "2)" / "- item" / Word's bullet "·": the enumerator is list structure, not
# item text.
ENUMERATOR_RE = re.compile(r"^(?:\(?\d{1,2}[.)]|[-*\u2022\u00b7\uf0b7])\s+")
# A line that ends a sentence, and one that starts the next: newtfh pages print paragraphs with a
# single newline between them. Short lines ("Dr.", "Fig. 1") are not paragraphs.
SENTENCE_END_RE = re.compile(r"[.!?][\"')\]]?$")
MIN_PARAGRAPH_LINE = 40
# "Major teaching point(s): 1. Leukocyte uptake ... 2. Correlate with CT ...": items numbered inline.
INLINE_NUMBER_RE = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")
# A list line ends here but its item goes on: "degenerative changes,", "primary and".
CONTINUED_ITEM_RE = re.compile(r"(?:[,;:\-]|\band|\bor|\bof|\bwith)$", re.IGNORECASE)


def paragraphs(blocks: Sequence[Block]) -> list[str]:
    """Lines joined into paragraphs: a line break continues a paragraph, a blank line ends it, and so
    do a list item and a line break between a sentence's end and the next sentence (newtfh's single
    newlines)."""
    return [" ".join(block.text for block in group) for group in paragraph_lines(blocks)]


def paragraph_lines(blocks: Sequence[Block]) -> list[list[Block]]:
    """The lines of each paragraph (see ``paragraphs``)."""
    groups: list[list[Block]] = []
    for block in blocks:
        if block.kind is not BlockKind.TEXT:
            continue
        if (
            groups
            and block.gap == 0
            and not block.item  # a list item is a paragraph of its own, set under the one before
            and not starts_paragraph(groups[-1][-1].text, block.text)
        ):
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def starts_paragraph(previous: str, line: str) -> bool:
    return (
        len(previous) >= MIN_PARAGRAPH_LINE
        and line[:1].isupper()
        and SENTENCE_END_RE.search(previous) is not None
    )


def join_text(blocks: Sequence[Block]) -> str | None:
    """The field text of some lines, or None when there is none."""
    return PARAGRAPH_SEPARATOR.join(paragraphs(blocks)) or None


def list_items(blocks: Sequence[Block]) -> list[str]:
    """Items of a printed list: one per line (unless the line plainly goes on: "changes,"), items
    numbered inline on one line split, enumerators removed."""
    items: list[list[str]] = []
    for block in blocks:
        if block.kind is not BlockKind.TEXT:
            continue
        for number, piece in enumerate(split_numbered(block.text)):
            text = ENUMERATOR_RE.sub("", piece)
            continues = block.gap == 0 and not number and items and CONTINUED_ITEM_RE.search(items[-1][-1])
            if continues and not block.item:
                items[-1].append(text)
            else:
                items.append([text])
    return [joined for item in items if (joined := " ".join(item))]


def split_numbered(text: str) -> list[str]:
    """``1. A. 2. B. 3. C.`` -> the three items, when the numbers run 1, 2, 3 in order; else the line."""
    starts: list[int] = []
    for match in INLINE_NUMBER_RE.finditer(text):
        if int(match[1]) == len(starts) + 1 and (starts or match.start() == 0):
            starts.append(match.start())
    if len(starts) < 2:
        return [text]
    return [text[start:end].strip() for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
