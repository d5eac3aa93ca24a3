"""The URLs a fetched page points to: links, embedded images, viewer and cine files."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.etree
import lxml.html

from tfmigrate.blocks import HTML_PARSER, base_href

# (element, attribute) pairs that name another resource of the site. The Java cine viewer of
# 1997 (gi005) names its frames in <applet>/<param>; later pages link AVI files with <a href>.
LINK_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("img", "lowsrc"),
    ("frame", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("applet", "code"),
    ("body", "background"),
    ("td", "background"),
    ("table", "background"),
    ("input", "src"),
    ("link", "href"),
)
PARAM_FILE_SUFFIXES = (".gif", ".jpg", ".jpeg", ".png", ".avi", ".mov", ".mpg", ".html", ".htm")


def extract_links(html: bytes, base_url: str) -> list[str]:
    """Absolute URLs in document order, without duplicates; never raises on broken markup."""
    try:
        root = lxml.html.document_fromstring(html, parser=HTML_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = base_href(root, base_url) or base_url
    found: dict[str, None] = {}
    for element in root.iter(lxml.etree.Element):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        values = [element.get(attr) for t, attr in LINK_ATTRIBUTES if t == tag]
        parameter = element.get("value") if tag == "param" else None
        if parameter and parameter.lower().endswith(PARAM_FILE_SUFFIXES):
            values.append(parameter)
        for value in values:
            if value and value.strip():
                try:
                    found.setdefault(urljoin(base, value.strip()), None)
                except ValueError:
                    continue  # an unparseable URL ("http://[") is not a link
    return list(found)
