"""Printed lines into field text: where a paragraph ends."""

from __future__ import annotations

import pytest

from tfmigrate.blocks import Block, BlockKind
from tfmigrate.fields.text import paragraphs


def lines(*texts: str) -> list[Block]:
    return [Block(BlockKind.TEXT, gap=0, text=text) for text in texts]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (("(1) Increased uptake in the calvarium", "(2) Left pelvic kidney"), 2),  # bs010's findings
        (("1. Paget's disease", "2. Metastases", "3. Fibrous dysplasia"), 3),
        (("- Paget's disease", "- Metastases"), 2),
        (("(1) Increased uptake in the calvarium and the", "(3) ribs"), 1),  # no next number: goes on
        (("Increased uptake at", "2. The left femur"), 1),  # no item above: a line that goes on
    ],
)
def test_a_list_printed_a_line_an_item_is_an_item_a_line(printed: tuple[str, ...], expected: int) -> None:
    assert len(paragraphs(lines(*printed))) == expected
