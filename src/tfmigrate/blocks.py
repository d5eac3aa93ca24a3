"""HTML or a plain-text rendering -> one stream of blocks.

The legacy site's markup is unknown and varied (upper-case 1990s tags, layout tables with heading
images, closed XHTML), but its block structure is stable, and it is what the archived text
renderings show: lines, one blank line between paragraphs, two or more between sections. Both
kinds of input become that stream here, so the templates read blocks, never tags.

A TEXT block is one line of text (whitespace collapsed) with the links inside it; ``gap`` counts
the blank lines before it as a text browser would draw them:

- ``<br>`` ends a line (gap 0); each further ``<br>`` adds a blank line;
- a paragraph-level element (``<p>``, ``<table>``, ``<h3>``...) starts a paragraph (gap >= 1);
- an empty paragraph (``<p></p>``, ``<p>&nbsp;</p>``) and ``<hr>`` add a blank line on top.

So ``<p>a</p><p>b</p>`` is a paragraph break (gap 1) and ``<p>a</p><hr><p>b</p>`` a section break
(gap 2), exactly as in the renderings. An IMAGE block is an ``<img>`` outside any link: a heading
drawn as an image, or a figure; the templates decide which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree

SECTION_GAP = 2

# Elements whose boundaries start a new paragraph.
PARAGRAPH_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol", "dl", "pre", "address"}
)
# Elements whose boundaries only end the current line.
LINE_TAGS = frozenset(
    {"div", "center", "form", "fieldset", "tr", "td", "th", "li", "dt", "dd", "caption", "tbody", "thead"}
    | {"tfoot", "body", "html", "section", "article"}
)
SKIPPED_TAGS = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "title",
        "select",
        "option",
        "textarea",
        "map",
        "object",
        "applet",
    }
)

# An XML declaration inside a str makes lxml refuse the document; the bytes were decoded already.
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Control characters that lxml refuses; they carry no text a reader saw.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
WHITESPACE_RE = re.compile(r"\s+")
# Pages are untrusted: never fetch anything a page names (DTDs, entities); libxml2's default depth
# limit stays on, so 100,000 nested tags give a shallower tree, not a crash. lxml.etree's parser,
# not lxml.html's: that one looks up a Python element class for every element (a fifth of the walk).
HTML_PARSER = lxml.etree.HTMLParser(no_network=True, collect_ids=False)


class BlockKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    gap: int
    text: str = ""
    links: tuple[Link, ...] = ()
    src: str | None = None
    alt: str | None = None
    href: str | None = None  # an image inside a link with no text: the link's target

    @property
    def is_section_start(self) -> bool:
        return self.gap >= SECTION_GAP


def collapse_whitespace(text: str) -> str:
    # str.split() splits on exactly the characters regex \s matches, and is several times faster.
    return " ".join(text.split())


def blocks_from_text(text: str) -> list[Block]:
    """Blocks of a plain-text rendering: each non-blank line a block, blank lines counted."""
    stream: list[Block] = []
    blank_lines = 0
    for line in text.splitlines():
        collapsed = collapse_whitespace(line)
        if not collapsed:
            blank_lines += 1
            continue
        stream.append(Block(BlockKind.TEXT, gap=blank_lines, text=collapsed))
        blank_lines = 0
    return stream


def blocks_from_html(html: str, base_url: str | None = None) -> list[Block]:
    """Blocks of an HTML page (any markup style), links resolved against ``base_url``."""
    html = CONTROL_CHARS_RE.sub("", XML_DECLARATION_RE.sub("", html, count=1))
    root = parse_tree(html)
    if root is None:
        return []
    builder = _StreamBuilder(base_href(root, base_url))
    builder.walk(root)
    builder.end_line()
    return builder.stream


def parse_tree(html: str | bytes) -> lxml.etree._Element | None:
    """The document's root element; None for a document with no elements or one lxml refuses."""
    if not html.strip():
        return None
    try:
        return lxml.etree.fromstring(html, parser=HTML_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def base_href(root: lxml.etree._Element, base_url: str | None) -> str | None:
    """The URL relative links resolve against: the page's ``<base href>``, else its own URL."""
    for element in root.iter("base"):
        href = element.get("href")
        if href is not None:
            return urljoin(base_url or "", href.strip())
    return base_url


@dataclass
class _OpenLink:
    href: str
    first_piece: int
    image: Block | None = None


@dataclass
class _StreamBuilder:
    """Walks lxml events once and keeps the state of the line being built."""

    base_url: str | None
    stream: list[Block] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    gap: int = 0
    pre_depth: int = 0
    open_links: list[_OpenLink] = field(default_factory=list)
    paragraph_marks: list[int] = field(default_factory=list)  # blocks emitted when a <p> opened

    def walk(self, root: lxml.etree._Element) -> None:
        """Every element once, in document order, without recursion (nesting depth is the page's)."""
        self.start(root.tag, root)
        stack = [(root, iter(root))]
        while stack:
            element, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                self.end(element.tag, element)
                self.add_text(element.tail)
                continue
            tag = child.tag
            # Comments and processing instructions have a function as tag; skipped elements (head,
            # script...) are not entered at all. Only what follows them counts.
            if not isinstance(tag, str) or tag in SKIPPED_TAGS:
                self.add_text(child.tail)
            elif len(child):
                self.start(tag, child)
                stack.append((child, iter(child)))
            else:
                self.start(tag, child)
                self.end(tag, child)
                self.add_text(child.tail)

    def start(self, tag: str, element: lxml.etree._Element) -> None:
        # lxml's HTML parser gives tag names in lower case already.
        if tag in PARAGRAPH_TAGS:
            self.end_paragraph()
            if tag == "p":
                self.paragraph_marks.append(len(self.stream))
            if tag == "pre":
                self.pre_depth += 1
        elif tag in LINE_TAGS:
            self.end_line()
        elif tag == "br":
            if self.has_text():
                self.end_line()
            else:
                self.gap += 1
        elif tag == "hr":
            self.end_paragraph()
            self.gap += 1
        elif tag == "img":
            self.add_image(element)
        elif tag == "a":
            href = element.get("href")
            if href is not None:
                self.open_links.append(_OpenLink(href=href, first_piece=len(self.pieces)))
        self.add_text(element.text)

    def end(self, tag: str, element: lxml.etree._Element) -> None:
        if tag == "a" and element.get("href") is not None and self.open_links:
            link = self.open_links.pop()
            text = collapse_whitespace("".join(self.pieces[link.first_piece :]))
            if text or link.image is None:
                self.links.append(Link(text=text, href=self.resolve(link.href)))
            else:  # newtfh figures: an image that is itself the link to the larger size
                self.end_line()
                self.stream.append(replace(link.image, href=self.resolve(link.href)))
                self.gap = 0
        elif tag in PARAGRAPH_TAGS:
            self.end_paragraph()
            if tag == "p" and self.paragraph_marks and self.paragraph_marks.pop() == len(self.stream):
                self.gap += 1  # an empty paragraph: a gap the author drew on purpose
            if tag == "pre":
                self.pre_depth -= 1
        elif tag in LINE_TAGS:
            self.end_line()

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.pre_depth:
            first, *rest = text.split("\n")
            self.pieces.append(first)
            for line in rest:
                self.end_line()
                self.pieces.append(line)
            return
        if self.pieces or not text.isspace():  # the indentation between tags starts no line
            self.pieces.append(text)

    def add_image(self, element: lxml.etree._Element) -> None:
        src = element.get("src")
        alt = collapse_whitespace(element.get("alt") or "") or None
        image = Block(BlockKind.IMAGE, gap=self.gap, src=self.resolve(src) if src else None, alt=alt)
        if self.open_links:  # a thumbnail inside a link: kept only if the link has no text
            if self.open_links[-1].image is None:
                self.open_links[-1].image = image
            return
        self.end_line()
        self.stream.append(replace(image, gap=self.gap))
        self.gap = 0

    def has_text(self) -> bool:
        return bool("".join(self.pieces).strip())

    def end_line(self) -> None:
        if not self.pieces and not self.links:  # most boundaries close an empty line
            return
        text = collapse_whitespace("".join(self.pieces))
        if text:
            self.stream.append(Block(BlockKind.TEXT, gap=self.gap, text=text, links=tuple(self.links)))
            self.gap = 0
        self.pieces.clear()
        self.links.clear()
        for link in self.open_links:
            link.first_piece = 0

    def end_paragraph(self) -> None:
        self.end_line()
        if self.stream:
            self.gap = max(self.gap, 1)

    def resolve(self, href: str) -> str:
        href = href.strip()
        return resolve_url(self.base_url, href) if self.base_url else href


def resolve_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, remembered per folder: every page of a folder repeats the same
    navigation and image links, and a path-like href resolves the same from any page in it."""
    # Only a plain relative path ("bs125te148.html", "../icons/home.gif") is resolved the same from
    # every page of a folder; "", "?q", "#f", ";p", "/x", "//h", " " and anything with a scheme
    # ("http:", "http:x") may depend on more of the base.
    if ":" in href or not href or not (href[0].isalnum() or href[0] in "._-%"):
        return urljoin(base, href)
    return _join_in_folder(base_folder(base), href)


@lru_cache(maxsize=1024)
def base_folder(base: str) -> str:
    """``http://h/a/b.html?q`` -> ``http://h/a/``: what a relative path is resolved against."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=parts.path[: parts.path.rfind("/") + 1], query="", fragment=""))


@lru_cache(maxsize=8192)
def _join_in_folder(folder: str, href: str) -> str:
    return urljoin(folder, href)
