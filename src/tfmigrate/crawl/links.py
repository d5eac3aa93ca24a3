"""The URLs a fetched page points to: links, embedded images, viewer and cine files."""

from __future__ import annotations

from urllib.parse import urljoin

from tfmigrate.blocks import base_href, link_target, parse_tree

# The attributes of each element that name another resource of the site. The Java cine viewer of
# 1997 (gi005) names its frames in <applet>/<param>; later pages link AVI files with <a href>.
LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "img": ("src", "lowsrc"),
    "frame": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "applet": ("code",),
    "body": ("background",),
    "td": ("background",),
    "table": ("background",),
    "input": ("src",),
    "link": ("href",),
}
PARAM_FILE_SUFFIXES = (".gif", ".jpg", ".jpeg", ".png", ".avi", ".mov", ".mpg", ".html", ".htm")


def extract_links(html: bytes, base_url: str) -> list[str]:
    """Absolute URLs in document order, without duplicates; never raises on broken markup."""
    root = parse_tree(html)
    if root is None:
        return []
    base = base_href(root, base_url) or base_url
    found: dict[str, None] = {}
    # lxml picks the elements in C; lxml's HTML parser gives tag names in lower case.
    for element in root.iter(*LINK_ATTRIBUTES, "param"):
        values = [element.get(attribute) for attribute in LINK_ATTRIBUTES.get(element.tag, ())]
        if element.tag == "a" and values[0] is not None:
            values[0] = link_target(values[0], element.get("onclick"))
        parameter = element.get("value") if element.tag == "param" else None
        if parameter and parameter.lower().endswith(PARAM_FILE_SUFFIXES):
            values.append(parameter)
        for value in values:
            if value and value.strip():
                try:
                    found.setdefault(urljoin(base, value.strip()), None)
                except ValueError:
                    continue  # an unparseable URL ("http://[") is not a link
    return list(found)
