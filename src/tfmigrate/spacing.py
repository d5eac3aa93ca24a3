"""How many blank lines a page's CSS draws above and below its block elements.

A reader sees a blank line between two paragraphs because of the paragraphs' margins, not because of
the ``<p>`` tag: Microsoft Word's "Save as Web Page" writes every line as ``<p class=MsoNormal>`` and
sets that class's margins to zero in the page's ``<style>``, so its lines follow each other without
a gap and its spacing comes from empty paragraphs only. Later pages set margins with ``style=`` on
the element or a class rule. This module reads those declarations (tinycss2) for the block walk;
selectors other than ``tag``, ``.class`` and ``tag.class`` are ignored, which is all such pages use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import tinycss2
from tinycss2.ast import Declaration, DimensionToken, NumberToken, PercentageToken, QualifiedRule

# A blank line is about 1em; lengths in other units are converted at a 16px/12pt browser default.
EM_PER_UNIT = {"em": 1.0, "rem": 1.0, "ex": 0.5, "px": 1 / 16, "pt": 1 / 12, "pc": 1.0, "in": 6.0}
EM_PER_UNIT |= {"cm": 6.0 / 2.54, "mm": 0.6 / 2.54, "q": 0.15 / 2.54}
MAX_MARGIN_LINES = 4
# Pages are untrusted: a stylesheet this long is not a 1990s page's, and is not read.
MAX_STYLESHEET_CHARS = 200_000
SIMPLE_SELECTOR_RE = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?:\.(?P<cls>[\w-]+))?$", re.IGNORECASE)

Margins = tuple[int | None, int | None]  # (top, bottom) in blank lines; None where nothing is declared


@dataclass
class MarginRules:
    """The margin declarations of a page's stylesheets, by ``tag`` and by ``class``."""

    by_tag: dict[str, Margins] = field(default_factory=dict)
    by_class: dict[tuple[str, str], Margins] = field(default_factory=dict)  # ("*" or tag, class)
    resolved: dict[tuple[str, str | None, str | None], Margins] = field(default_factory=dict)

    def margins(self, tag: str, classes: str | None, style: str | None) -> Margins:
        """The declared (top, bottom) of an element: its ``style=`` over class rules over tag rules."""
        key = (tag, classes, style)
        found = self.resolved.get(key)
        if found is None:
            found = self.by_tag.get(tag, (None, None))
            for name in (classes or "").split():
                found = merge(found, self.by_class.get(("*", name.lower()), (None, None)))
                found = merge(found, self.by_class.get((tag, name.lower()), (None, None)))
            if style:
                found = merge(found, inline_margins(style))
            self.resolved[key] = found
        return found


def read_stylesheets(texts: Iterable[str]) -> MarginRules | None:
    """The margin rules of a page's ``<style>`` elements; None when they declare no margin."""
    rules = MarginRules()
    for text in texts:
        if len(text) > MAX_STYLESHEET_CHARS:
            continue
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if isinstance(rule, QualifiedRule):
                add_rule(rules, rule)
    return rules if rules.by_tag or rules.by_class else None


def add_rule(rules: MarginRules, rule: QualifiedRule) -> None:
    declared = declared_margins(tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True))
    if declared == (None, None):
        return
    for selector in tinycss2.serialize(rule.prelude).split(","):
        match = SIMPLE_SELECTOR_RE.match(selector.strip())
        if not match or not (match["tag"] or match["cls"]):
            continue
        tag = (match["tag"] or "*").lower()
        if match["cls"]:
            key = (tag, match["cls"].lower())
            rules.by_class[key] = merge(rules.by_class.get(key, (None, None)), declared)
        else:
            rules.by_tag[tag] = merge(rules.by_tag.get(tag, (None, None)), declared)


@lru_cache(maxsize=256)
def inline_margins(style: str) -> Margins:
    """The margins of a ``style="..."`` attribute (Word repeats the same few on every line)."""
    if len(style) > MAX_STYLESHEET_CHARS:
        return (None, None)
    return declared_margins(tinycss2.parse_blocks_contents(style, skip_whitespace=True))


def declared_margins(nodes: Iterable[object]) -> Margins:
    """``margin``, ``margin-top`` and ``margin-bottom`` in the order declared (the last one wins)."""
    top: int | None = None
    bottom: int | None = None
    for node in nodes:
        if not isinstance(node, Declaration):
            continue
        values = [lines_of(token) for token in node.value if token.type not in ("whitespace", "comment")]
        if node.lower_name == "margin" and values:
            # margin: all | vertical horizontal | top horizontal bottom | top right bottom left
            top, bottom = values[0], values[2] if len(values) >= 3 else values[0]
        elif node.lower_name == "margin-top" and values:
            top = values[0]
        elif node.lower_name == "margin-bottom" and values:
            bottom = values[0]
    return top, bottom


def lines_of(token: object) -> int | None:
    """A CSS length as whole blank lines (0.5em and more count as one); None for auto and the like."""
    if isinstance(token, NumberToken) and token.value == 0:
        return 0
    if isinstance(token, PercentageToken):
        return 0  # of the containing block's width: never a paragraph's blank line on these pages
    if isinstance(token, DimensionToken):
        per_unit = EM_PER_UNIT.get(token.lower_unit)
        if per_unit is None:
            return None
        em = token.value * per_unit
        if not em < MAX_MARGIN_LINES:  # also NaN and "1e999em", which int() cannot take
            return MAX_MARGIN_LINES if em == em else None
        return max(0, int(em + 0.5))
    return None


def merge(base: Margins, over: Margins) -> Margins:
    return (over[0] if over[0] is not None else base[0], over[1] if over[1] is not None else base[1])
