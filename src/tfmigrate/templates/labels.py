"""Labels wherever they sit: one form for every way a page prints ``Diagnosis: Heterotopic Ossification``.

The text renderings print a label and its value on one line. Pages print it in many ways: bold
(``<B>Diagnosis:</B> x``), without the colon (``<dt>Diagnosis</dt><dd>x</dd>``, ``<h3>Findings</h3>``,
``<span class=label>Diagnosis</span> x``), upper case (``DIAGNOSIS:``), as a heading image's alt
text, with the value in the next table cell, the next row or after a line break. ``normalize_labels``
turns each of them into the one line the renderings show, ``Diagnosis: x``, so the templates read
one form. A label is recognised:

- with its colon at the start of a line (``Diagnosis: x``, ``Brief History :``);
- alone on its line, with or without a colon (``Findings``, a ``<dt>``, a heading);
- as the line's ``lead``, the text of an element that opens the line (``<b>Diagnosis</b> x``);
- in capitals before its value (``DIAGNOSIS Heterotopic ossification``).

A label whose value is one line (the byline, the diagnosis, the case number...) takes the next line
as its value when it has none of its own (a value in the next cell or row); the other labels head
sections, which the templates read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tfmigrate.blocks import Block, BlockKind

# Lines remembered, for the lines a page asks of again and again: more only keeps other pages' lines
# (4,096 held 4 MB of every worker by the 6,000th page, and saved 1 label match in 4; benchmarks/).
MAX_REMEMBERED = 512
# How far below a one-line label its value may sit: the next line, the next paragraph, or after a
# blank line and a line break (a label in a table cell, then ``<br>`` and the value: a FrontPage
# layout, bs150te171; a label's box over its value's box in a bordered table).
MAX_VALUE_GAP = 2
# What may part a label printed in markup from its value: its colon, or a dash (``<b>Diagnosis</b> -
# Paget's disease``, a hand-written style; a lone "-" once became bs150te171's case number).
LEAD_SEPARATORS = " :-\u2013\u2014"


@dataclass(frozen=True)
class Label:
    name: str  # the record field (or marker) it names
    pattern: str  # what a page prints, as a regex
    one_line: bool = False  # its value is one line: a value on the next line belongs to it
    inline_is_text: bool = False  # "References: Smith AB..." inline is a citation in the text, not a label


@dataclass(frozen=True)
class FoundLabel:
    name: str
    printed: str  # the label as printed, without its colon
    rest: str  # the value printed after it on its line
    form: str = "colon"  # how it was printed: colon, alone, lead (markup), capitals


class Vocabulary:
    """The labels of one template, and the four ways each can be printed."""

    def __init__(self, labels: Sequence[Label], *, ignore_case: bool = True) -> None:
        self.labels = {label.name: label for label in labels}
        self.found_before: dict[tuple[str, str | None], FoundLabel | None] = {}
        alternatives = "|".join(f"(?P<{label.name}>{label.pattern})" for label in labels)
        flags = re.IGNORECASE if ignore_case else 0
        self.start_re = re.compile(rf"^(?:{alternatives})", flags)  # most lines start with no label: one try
        self.colon_re = re.compile(rf"^(?P<label>{alternatives})\s*:\s*(?P<rest>.*)$", flags)
        self.alone_re = re.compile(rf"^(?P<label>{alternatives})\s*[:.]?$", flags)
        self.capitals_re = re.compile(rf"^(?P<label>{alternatives})\s+(?P<rest>.*[a-z].*)$", flags)

    def find(self, text: str, lead: str | None = None) -> FoundLabel | None:
        """The label a line starts with, and the rest of the line (remembered: a page asks of its
        lines again and again)."""
        key = (text, lead)
        if key not in self.found_before:
            if len(self.found_before) > MAX_REMEMBERED:
                self.found_before.clear()
            self.found_before[key] = self.read(text, lead) if self.start_re.match(text) or lead else None
        return self.found_before[key]

    def read(self, text: str, lead: str | None) -> FoundLabel | None:
        if lead and text.startswith(lead) and (match := self.alone_re.match(lead.strip())):
            return self.found(match, text[len(lead) :].lstrip(LEAD_SEPARATORS), "lead")
        if match := self.colon_re.match(text):
            return self.found(match, match["rest"], "colon")
        if match := self.alone_re.match(text):
            return self.found(match, "", "alone")
        match = self.capitals_re.match(text)
        if match and match["label"].isupper():
            return self.found(match, match["rest"], "capitals")
        return None

    def found(self, match: re.Match[str], rest: str, form: str) -> FoundLabel | None:
        name = next(name for name in self.labels if match[name] is not None)
        rest = rest.strip()
        if rest and self.labels[name].inline_is_text:
            return None
        return FoundLabel(name=name, printed=match["label"].strip(), rest=rest, form=form)

    def find_in(self, block: Block) -> FoundLabel | None:
        if block.kind is BlockKind.TEXT:
            return self.find(block.text, block.lead)
        if block.alt:  # a heading drawn as an image, its label in the alt text
            found = self.find(block.alt)
            return found if found and not found.rest else None
        return None


def normalize_labels(
    stream: Sequence[Block], vocabulary: Vocabulary, is_marker: Callable[[Block], bool]
) -> list[Block]:
    """Every label as ``Label: value`` on the line of its value; other blocks unchanged.

    ``is_marker`` tells the template's other fixed lines (an image link, a footer link), which are
    never a label's value.
    """
    result: list[Block] = []
    index = 0
    while index < len(stream):
        block = stream[index]
        found = vocabulary.find_in(block)
        index += 1
        if found is None:
            result.append(block)
            continue
        rest, links, last = found.rest, block.links, block.last
        if vocabulary.labels[found.name].one_line and not rest and index < len(stream):
            value = stream[index]
            if value.gap <= MAX_VALUE_GAP and is_value(value, vocabulary, is_marker):
                rest, links, last = value.text, links + value.links, value.last
                index += 1
        text = f"{found.printed}: {rest}" if rest else f"{found.printed}:"
        line = block.with_text(text, links)
        line.kind, line.last = BlockKind.TEXT, last  # a heading image's alt text is a line of text now
        result.append(line)
    return result


def is_value(block: Block, vocabulary: Vocabulary, is_marker: Callable[[Block], bool]) -> bool:
    """A line that can be a label's value: text that is neither a label nor a fixed line."""
    return block.kind is BlockKind.TEXT and vocabulary.find_in(block) is None and not is_marker(block)
