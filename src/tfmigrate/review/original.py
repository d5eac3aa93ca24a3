"""A case's archived original as the review app shows it: the archived bytes, with the place of
one field marked (its provenance, provenance.py). Shown in a sandboxed frame under a CSP that
runs nothing and loads nothing (app.ORIGINAL_POLICY): a page's own script stays text."""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

from tfmigrate.provenance import Provenance

MARK_STYLE = "outline:3px solid #e60;background:#ffe9a8"
LINE_RE = re.compile(r"line (\d+)")


def places_of(provenance: Provenance, field: str) -> list[str]:
    """Where the lines that gave ``field`` (and its parts: images[1].caption for images) stand."""
    places: list[str] = []
    for placement in provenance.placements:
        name = placement.field
        if name == field or name.startswith((f"{field}[", f"{field}.")) or field.startswith(f"{name}["):
            first, last = placement.lines
            for where in provenance.line_places[first : last + 1]:
                if where and where not in places:
                    places.append(where)
    return places


def marked_original(data: bytes, encoding: str, provenance: Provenance | None, field: str | None) -> str:
    """The original as text, the places of ``field`` marked and the first one named ``tf-mark``."""
    text = data.decode(encoding, errors="replace")
    places = places_of(provenance, field) if provenance is not None and field else []
    if provenance is not None and provenance.input_format == "text":
        return marked_text(text, places)
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=False)
    try:
        document = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return f"<pre>{html.escape(text)}</pre>"
    first = True
    for where in places:
        found = document.getroottree().xpath(where) if where.startswith("/") else []
        for element in found if isinstance(found, list) else []:
            if not isinstance(element, etree._Element):
                continue
            element.set("style", f"{element.get('style') or ''};{MARK_STYLE}")
            if first:
                element.set("id", "tf-mark")
                first = False
    return str(lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>"))


def marked_text(text: str, places: list[str]) -> str:
    lines = {int(match[1]) for where in places if (match := LINE_RE.fullmatch(where))}
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        escaped = html.escape(line)
        if number in lines:
            mark = ' id="tf-mark"' if number == min(lines) else ""
            escaped = f'<span{mark} style="{MARK_STYLE}">{escaped}</span>'
        out.append(escaped)
    return "<!DOCTYPE html><pre>" + "\n".join(out) + "</pre>"
