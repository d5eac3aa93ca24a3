"""HTML or a plain-text rendering -> one stream of blocks: the page's lines as a reader sees them.

The legacy site's markup is unknown and varied (hand-written HTML 3.2, a text file in ``<pre>``,
layout tables, Word's "Save as Web Page", later XHTML), but what a reader sees is stable, and it is
what the archived text renderings show: lines, one blank line between paragraphs, two or more
between sections. Both kinds of input become that stream here, so the templates read blocks, never
tags.

A TEXT block is one line of text (whitespace collapsed) with the links inside it; ``gap`` counts the
blank lines a reader sees above it:

- ``<br>`` ends a line; a ``<br>`` on an empty line draws a blank line (``a<br><br>b``: a paragraph);
- block elements start a line; those with a margin (``<p>``, ``<table>``, lists, ``<pre>``, a table
  row, a layout table's "paragraph") leave one blank line, unless the page's CSS sets their margins to
  zero (Word: every line a ``<p class=MsoNormal>``; ``spacing.py``);
- an empty paragraph, ``<p>&nbsp;</p>``, Word's ``<o:p>&nbsp;</o:p>``, an empty table row with a
  ``&nbsp;`` draw a blank line; ``<hr>`` and a line of dashes draw a rule, a heading starts a section;
- inside ``<pre>`` the text's own newlines and blank lines are the layout.

So ``<p>a</p><p>b</p>`` is a paragraph break (gap 1) and ``<p>a</p><hr><p>b</p>`` a section break
(gap 2), exactly as in the renderings. Last, the page's own rhythm is read: where the author put an
empty paragraph after every paragraph (Word without its stylesheet), the widest common gap is that
page's paragraph gap and every gap is scaled to it.

An IMAGE block is an ``<img>`` outside any link (a heading or spacer drawn as an image, or a
figure); ``inline`` marks one drawn on a line with text (a bullet, a spacer cell beside a text cell),
which is decoration, not a line of its own. The templates decide what the others are.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree

from tfmigrate.spacing import MarginRules, read_stylesheets

SECTION_GAP = 2

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
PRE_TAGS = frozenset({"pre", "xmp", "listing", "plaintext"})
CELL_TAGS = frozenset({"td", "th"})
# Regions of their own, each a section: an HTML5 <section> (the author says so, though a browser draws
# no space around it) and a <fieldset> (a border drawn around it, a form's layout of a case).
SECTION_TAGS = frozenset({"section", "fieldset"})
# Block elements, with the blank lines a browser draws above and below them by default.
DEFAULT_MARGINS = {
    tag: 1 for tag in ("p", "blockquote", "ul", "ol", "dl", "menu", "dir", "address", "table", "tr", "pre")
}
DEFAULT_MARGINS |= {tag: 0 for tag in ("div", "center", "form", "fieldset", "li", "dt", "dd", "caption")}
DEFAULT_MARGINS |= {tag: 0 for tag in ("tbody", "thead", "tfoot", "body", "html", "noframes", "legend")}
DEFAULT_MARGINS |= {tag: 0 for tag in ("section", "article", "header", "footer", "nav", "main", "aside")}
DEFAULT_MARGINS |= {tag: 0 for tag in ("figure", "figcaption", "details", "summary", "td", "th")}
BLOCK_TAGS = frozenset(DEFAULT_MARGINS) | HEADING_TAGS | PRE_TAGS
# Elements whose margins CSS can change (not table parts, which have none in CSS).
STYLED_TAGS = frozenset(DEFAULT_MARGINS) - {"tr", "td", "th", "tbody", "thead", "tfoot", "table"}
SKIPPED_TAGS = frozenset(
    {"head", "script", "style", "noscript", "title", "select", "option", "textarea", "map", "object"}
    | {"applet", "iframe", "svg", "math", "template"}
)
# A page's own file named in a script: "openViewer('viewer/bs125a.html', 600, 500)".
SCRIPT_URL_RE = re.compile(
    r"""['"]([^'"\s()]{1,500}?\.(?:s?html?|gif|jpe?g|png|avi|mov|mpe?g|txt)(?:[?#][^'"\s]{0,200})?)['"]""",
    re.IGNORECASE,
)
# Inline elements whose text cannot be a label: a link's text is the link.
NO_LEAD_TAGS = frozenset({"a", "br", "img", "hr"})
# Block elements drawn as a heading of what follows: their text is a label's place too.
HEADING_LIKE_TAGS = HEADING_TAGS | {"dt", "th", "caption", "legend", "summary"}

# An XML declaration inside a str makes lxml refuse the document; the bytes were decoded already.
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Control characters that lxml refuses; they carry no text a reader saw.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# libxml2 ends the document at </html> and drops what follows; browsers show it (a followup appended
# after </HTML>, a page whose included header closes </BODY></HTML> after the byline).
DOCUMENT_END_RE = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)
DOCUMENT_END_BYTES_RE = re.compile(rb"</\s*(?:html|body)\s*>", re.IGNORECASE)
# "----------", "==========", "* * * * *": a rule typed as text draws a line, not words.
RULE_LINE_RE = re.compile(r"^(?:([-=_*~#+])\s*)\1(?:\s*\1)+$")
RULE_CHARACTERS = frozenset("-=_*~#+")
# Text files wrap at 60-80 columns; lines wider than this were never wrapped, and a block of lines
# narrower than the least of them (a footer, a list) is no wrapped text.
MAX_WRAP_WIDTH = 100
MIN_WRAP_WIDTH = 55
# A page whose wider gap is this many times as common as a gap of one line draws its paragraphs wider.
RHYTHM_MAJORITY = 3
# A page whose paragraphs have no margins (``p {margin: 0}``) draws them a line under the other: when
# such paragraphs outnumber this many times the blank lines it draws, its paragraphs are apart by
# their elements, not by space (without that, a caption's paragraph and the history's under it were
# read as one: a wrong history without an issue).
TIGHT_MAJORITY = 4
MIN_TIGHT_PARAGRAPHS = 2
# Boxes an author makes a paragraph of: <p>, and <div> (a <div class="para"> whose site stylesheet,
# which gave it its margins, is lost with the site).
PARAGRAPH_TAGS = frozenset({"p", "div"})
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


@dataclass(slots=True)
class Block:
    """A line of the page, or an image on a line of its own. Never changed once drawn (``replace``
    makes a new one); not frozen, because a frozen dataclass is built at twice the cost, and a page
    draws thousands of them."""

    kind: BlockKind
    gap: int
    text: str = ""
    links: tuple[Link, ...] = ()
    src: str | None = None
    alt: str | None = None
    href: str | None = None  # an image inside a link with no text: the link's target
    # TEXT: the text of the first element that opens the line (``<b>Diagnosis</b> x``, a whole line in
    # ``<dt>``, ``<span class=label>Diagnosis</span>``): where a label without its colon is told from text.
    lead: str | None = None
    item: bool = False  # TEXT: the line starts a list item (``<li>``), which draws its own number
    inline: bool = False  # IMAGE: drawn on a line with text (a bullet, a spacer cell beside a text cell)
    # Where it stands, for provenance: the first and last line of the page as drawn that it covers (a
    # label read together with its value covers two), and, when asked for, where that is in the source
    # (the element path of its box in an HTML page, "line N" in a text file).
    origin: int = -1
    last: int = -1
    where: str | None = None

    @property
    def is_section_start(self) -> bool:
        return self.gap >= SECTION_GAP

    def with_text(self, text: str, links: tuple[Link, ...] | None = None, gap: int | None = None) -> Block:
        """The same line with other text (a label read into its one form): ``replace`` without its
        cost, on the templates' hot path."""
        return Block(
            self.kind, self.gap if gap is None else gap, text, self.links if links is None else links,
            self.src, self.alt, self.href, None, self.item, self.inline, self.origin, self.last, self.where,
        )  # fmt: skip


def collapse_whitespace(text: str) -> str:
    # str.split() splits on exactly the characters regex \s matches, and is several times faster.
    return " ".join(text.split())


def after_rule(gap: int) -> int:
    """The gap after a rule (``<hr>``, a heading image, a line of dashes): a section break; a second
    rule right after the first closes an empty section (bs092's empty procedure slot: two rules)."""
    return gap + SECTION_GAP if gap >= SECTION_GAP else SECTION_GAP


def is_rule_line(text: str) -> bool:
    return text[:1] in RULE_CHARACTERS and RULE_LINE_RE.match(text) is not None


def blocks_from_text(text: str, *, locate: bool = False) -> list[Block]:
    """Blocks of a plain-text rendering: each non-blank line a block, blank lines counted, lines a
    text file wrapped joined again. ``locate`` notes each block's line number in the text."""
    stream: list[Block] = []
    gap = 0
    for number, line in enumerate(text.splitlines(), start=1):
        collapsed = collapse_whitespace(line)
        if not collapsed:
            gap += 1
        elif is_rule_line(collapsed):
            gap = after_rule(gap)
        else:
            stream.append(
                Block(BlockKind.TEXT, gap=gap, text=collapsed, where=f"line {number}" if locate else None)
            )
            gap = 0
    return numbered(normalize_rhythm(join_wrapped_lines(stream)))


def blocks_from_html(html: str, base_url: str | None = None, *, locate: bool = False) -> list[Block]:
    """Blocks of an HTML page (any markup style), links resolved against ``base_url``. ``locate`` notes
    the element path of each block's box (``/html/body/table/tr[3]/td[2]``)."""
    html = CONTROL_CHARS_RE.sub("", XML_DECLARATION_RE.sub("", html, count=1))
    root = parse_tree(html)
    if root is None:
        return []
    styles = [element.text or "" for element in root.iter("style")]
    layout = _Layout(base_href(root, base_url), read_stylesheets(styles) if styles else None)
    layout.tree = root.getroottree() if locate else None
    layout.walk(root)
    layout.end_line()
    stream = layout.stream
    set_tight_paragraphs_apart(stream, layout.tight_paragraphs, layout.lines_at_table_edges)
    for start, end in reversed(layout.pre_ranges):  # last first: the earlier ranges keep their indices
        stream[start:end] = join_wrapped_lines(stream[start:end])
    return numbered(normalize_rhythm(stream))


def set_tight_paragraphs_apart(stream: list[Block], tight: list[int], table_edges: set[int]) -> None:
    """Paragraphs drawn without space between them are paragraphs still, on a page that draws no
    blank lines between lines of text: there the element, not the space, parts them. A page that
    does (Word's empty paragraphs between paragraphs of a line each) parts its paragraphs by them.
    The space around an image (a spacer, a heading drawn as a picture) or at a table's edges (a
    label and its value in cells) is no such blank line: the author drew neither."""
    if len(tight) < MIN_TIGHT_PARAGRAPHS:
        return
    blank_lines = sum(
        1
        for index, (above, block) in enumerate(pairwise(stream), 1)
        if block.gap == 1
        and block.kind is BlockKind.TEXT
        and above.kind is BlockKind.TEXT
        and index not in table_edges
    )
    if blank_lines * TIGHT_MAJORITY >= len(tight):
        return
    for index in tight:
        stream[index] = replace(stream[index], gap=1)


def numbered(stream: list[Block]) -> list[Block]:
    """Each block's line in the page as drawn, for provenance."""
    for number, block in enumerate(stream):
        block.origin = block.last = number
    return stream


def parse_tree(html: str | bytes) -> lxml.etree._Element | None:
    """The document's root element; None for a document with no elements or one lxml refuses."""
    if not html.strip():
        return None
    html = DOCUMENT_END_BYTES_RE.sub(b"", html) if isinstance(html, bytes) else DOCUMENT_END_RE.sub("", html)
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


def join_wrapped_lines(lines: list[Block]) -> list[Block]:
    """Lines of preformatted text joined where the author's editor wrapped them.

    A text file (or one in ``<pre>``) wraps its paragraphs at a width (72 columns, say): a line
    ends there only because its next word did not fit. Where the next line's first word would have
    fitted on the line, the break is the author's own (a label on its own line, a list) and stays.
    Renderings that never wrap (a paragraph a line) have lines far wider than any wrap width.
    """
    widths = [len(block.text) for block in lines if block.kind is BlockKind.TEXT]
    width = max(widths, default=0)
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH or len(widths) < 2:
        return lines
    groups: list[list[Block]] = []  # each joined line's physical lines, joined once at the end
    for block in lines:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and block.gap == 0
            and block.kind is BlockKind.TEXT
            and last.kind is BlockKind.TEXT
            and len(last.text) + 1 + len(block.text.split(" ", 1)[0]) > width
        ):
            groups[-1].append(block)
        else:
            groups.append([block])
    return [
        group[0]
        if len(group) == 1
        else replace(
            group[0],
            text=" ".join(line.text for line in group),
            links=tuple(link for line in group for link in line.links),
        )
        for group in groups
    ]


def normalize_rhythm(stream: list[Block]) -> list[Block]:
    """Scale the gaps to the page's own paragraph gap, when that is wider than one blank line.

    A hand-made page that puts ``<p>&nbsp;</p>`` after every paragraph draws two blank lines between
    paragraphs and three between sections; read as they stand, every paragraph would be a section.
    Such a page has few gaps of one line (lines the author broke within a paragraph), many of its
    wider gap, and that gap plus one between sections. A lossy text rendering whose sections are
    single paragraphs also has many gaps of two, but its sections are two and its empty slots four
    (pa004, bs092): no gap of three, nothing to scale.
    """
    counts = Counter(block.gap for block in stream[1:] if block.gap and block.kind is BlockKind.TEXT)
    wide = [gap for gap in counts if gap >= 2]
    if not wide:
        return stream
    paragraph_gap = min(wide)
    # Paragraphs drawn closer than that: gaps of one line, and list items, which a page of lists
    # sets one under the other (its sections then stand two and three lines apart, unscaled).
    narrow = counts.get(1, 0) + sum(1 for block in stream if block.item and not block.gap)
    if paragraph_gap + 1 not in counts or counts[paragraph_gap] < RHYTHM_MAJORITY * narrow:
        return stream
    shift = paragraph_gap - 1
    return [replace(block, gap=max(0, block.gap - shift)) if block.gap else block for block in stream]


@dataclass
class _OpenLink:
    href: str
    first_piece: int
    image: Block | None = None


@dataclass
class _Cell:
    """A table cell being drawn: cells of a row stand side by side on the same lines."""

    has_text: bool = False
    images: list[int] = field(default_factory=list)  # stream indices of images standing alone in it


@dataclass
class _Table:
    """A table being drawn: where each of its rows began in the stream, and what makes its rows
    regions, each a section, rather than lines or paragraphs: a row that holds paragraphs of its
    own (a label cell beside a cell of several paragraphs), or borders drawn between rows of
    several columns of text (a form of label and value cells, one row per section)."""

    bordered: bool
    row_starts: list[int] = field(default_factory=list)
    columns: int = 0
    row_has_text: bool = False  # the row being drawn has drawn a line
    holds_paragraphs: bool = False

    @property
    def rows_are_regions(self) -> bool:
        return self.holds_paragraphs or (self.bordered and self.columns > 1)

    @property
    def is_box(self) -> bool:
        """A border drawn around one cell: a region of its own, as a box per section draws them,
        never a table of data, whose cells stand side by side or in rows."""
        return self.bordered and len(self.row_starts) == 1 and self.columns <= 1


# An open block element: (tag, stream size, blank lines and spaces drawn when it opened, the blank
# lines below it, the element), to tell at its end whether it drew nothing, and what margin it leaves.
_Box = tuple[str, int, int, int, int, lxml.etree._Element]


@dataclass
class _Layout:
    """Walks the tree once, in document order, and keeps the state of the line being drawn."""

    base_url: str | None
    rules: MarginRules | None
    tree: lxml.etree._ElementTree | None = None  # set when blocks are located (provenance)
    stream: list[Block] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    gap: int = 0  # blank lines above the next line
    blanks: int = 0  # blank lines drawn so far
    spaces: int = 0  # non-breaking spaces seen on otherwise empty lines (Word's <o:p>&nbsp;</o:p>)
    line_has_text: bool = False
    pre_depth: int = 0
    pre_start: int = 0  # where the outermost <pre> began in the stream
    pre_ranges: list[tuple[int, int]] = field(default_factory=list)  # the lines each <pre> drew
    item_pending: bool = False
    paragraph_pending: bool = False  # a paragraph box (<p>, <div>) opened and has drawn no line yet
    # A region (a <section>, a <fieldset>, a box: a bordered table of one cell) closed, and no line
    # was drawn since: the next line starts a section. A bound, not space: a rule drawn after it is
    # the same break, not a second one (an <hr> after a </section> once made an empty procedure slot).
    section_follows: bool = False
    # Lines drawn first inside a table or first under one: the space above them is the table's edge.
    at_table_edge: bool = False
    lines_at_table_edges: set[int] = field(default_factory=set)
    tight_paragraphs: list[int] = field(default_factory=list)  # lines opening a paragraph box, no space above
    lead: str | None = None
    lead_marks: list[tuple[lxml.etree._Element, int]] = field(default_factory=list)
    line_images: list[int] = field(default_factory=list)
    open_links: list[_OpenLink] = field(default_factory=list)
    boxes: list[_Box] = field(default_factory=list)
    rows: list[list[_Cell]] = field(default_factory=list)
    cells: list[_Cell] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)

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

    # ------------------------------------------------------------------ elements

    def start(self, tag: str, element: lxml.etree._Element) -> None:
        # lxml's HTML parser gives tag names in lower case already.
        if tag in BLOCK_TAGS:
            self.open_box(tag, element)
        elif tag == "br":
            if self.line_has_text:
                self.end_line()
            else:
                self.blank()
        elif tag == "hr":
            self.end_line()
            self.gap = after_rule(self.gap)
        elif tag == "img":
            self.add_image(element)
        elif tag == "a" and element.get("href") is not None:
            href = link_target(element.get("href") or "", element.get("onclick"))
            self.open_links.append(_OpenLink(href=href, first_piece=len(self.pieces)))
        elif not self.line_has_text and tag not in NO_LEAD_TAGS:
            self.lead_marks.append((element, len(self.pieces)))
        text = element.text
        if text and tag in PRE_TAGS and text[0] == "\n":
            text = text[1:]  # browsers drop the newline right after <pre>
        self.add_text(text)

    def end(self, tag: str, element: lxml.etree._Element) -> None:
        if self.lead_marks and self.lead_marks[-1][0] is element:
            _, first = self.lead_marks.pop()
            if self.lead is None:
                self.lead = collapse_whitespace("".join(self.pieces[first:])) or None
        if tag in BLOCK_TAGS:
            self.close_box(tag)
        elif tag == "a" and element.get("href") is not None and self.open_links:
            self.close_link()

    def open_box(self, tag: str, element: lxml.etree._Element) -> None:
        self.end_line()
        top, bottom = self.margins(tag, element)
        if tag in HEADING_TAGS:
            top, bottom = SECTION_GAP, 1  # a heading starts a section, whatever its CSS says
        elif tag in SECTION_TAGS:
            top, bottom = SECTION_GAP, 0
        self.space(top)
        if tag in PRE_TAGS:
            if not self.pre_depth:
                self.pre_start = len(self.stream)
            self.pre_depth += 1
        elif tag == "tr":
            self.rows.append([])
            if self.tables:
                self.tables[-1].row_starts.append(len(self.stream))
                self.tables[-1].row_has_text = False
        elif tag == "table":
            self.at_table_edge = True
            border = (element.get("border") or "0").strip()
            self.tables.append(_Table(bordered=border == "" or (border.isdigit() and int(border) > 0)))
        elif tag in CELL_TAGS:
            cell = _Cell()
            if self.rows:
                self.rows[-1].append(cell)
            self.cells.append(cell)
        elif tag == "li":
            self.item_pending = True
        self.paragraph_pending = tag in PARAGRAPH_TAGS
        if tag in HEADING_LIKE_TAGS:
            self.lead_marks.append((element, 0))
        self.boxes.append((tag, len(self.stream), self.blanks, self.spaces, bottom, element))

    def close_box(self, tag: str) -> None:
        self.end_line()
        while self.boxes:  # lxml closes what it opened; the loop only guards against a mismatch
            box_tag, stream_size, blanks, spaces, bottom, _ = self.boxes.pop()
            if box_tag == tag:
                break
        else:
            return
        drew_nothing = len(self.stream) == stream_size and self.blanks == blanks
        # A box that drew no line: an empty paragraph is a blank line the author drew on purpose
        # (<P><P>, Word's <o:p>&nbsp;</o:p>), as is any box or table row holding only &nbsp;.
        if tag in SECTION_TAGS and len(self.stream) == stream_size:
            self.gap = after_rule(SECTION_GAP)  # a section with nothing in it: an empty slot
        elif tag in SECTION_TAGS:
            self.section_follows = True
        elif drew_nothing and (tag == "p" or (self.spaces > spaces and tag not in CELL_TAGS)):
            self.blank()
        if tag in PRE_TAGS:
            self.pre_depth -= 1
            if not self.pre_depth:
                self.pre_ranges.append((self.pre_start, len(self.stream)))
        elif tag == "li":
            self.item_pending = False
        elif tag in CELL_TAGS and self.cells:
            cell = self.cells.pop()
            if cell.has_text and self.cells:
                self.cells[-1].has_text = True
        elif tag == "tr" and self.rows:
            row = self.rows.pop()
            self.close_row(row)
            if self.tables:
                columns = sum(1 for cell in row if cell.has_text)
                self.tables[-1].columns = max(self.tables[-1].columns, columns)
        elif tag == "table" and self.tables:
            self.close_table(self.tables.pop())
            self.at_table_edge = True
        self.space(bottom)

    def close_row(self, row: list[_Cell]) -> None:
        """An image alone in its cell, beside a cell with text, is drawn on that text's line."""
        for cell in row:
            if (
                cell.images
                and not cell.has_text
                and any(other.has_text for other in row if other is not cell)
            ):
                for index in cell.images:
                    self.stream[index] = replace(self.stream[index], inline=True)

    def close_table(self, table: _Table) -> None:
        """A table whose rows are regions: each row after the first starts a section. A box: what
        it holds is a section, and so is what follows it."""
        if table.is_box:
            inside = range(table.row_starts[0], len(self.stream))
            first = next((n for n in inside if self.stream[n].kind is BlockKind.TEXT), None)
            if first is None:  # an empty box: a section left empty, as two rules draw it
                self.gap = after_rule(max(self.gap, SECTION_GAP))
            elif first and self.stream[first].gap < SECTION_GAP:  # the page's first line has no gap
                self.stream[first] = replace(self.stream[first], gap=SECTION_GAP)
            self.section_follows = True
            return
        if not table.rows_are_regions:
            return
        gap = SECTION_GAP
        for start, end in zip(table.row_starts[1:], [*table.row_starts[2:], len(self.stream)], strict=False):
            first = next((n for n in range(start, end) if self.stream[n].kind is BlockKind.TEXT), None)
            if first is None:  # an empty region: a section left empty, as two rules draw it
                gap = after_rule(gap)
                continue
            if self.stream[first].gap < gap:
                self.stream[first] = replace(self.stream[first], gap=gap)
            gap = SECTION_GAP

    def margins(self, tag: str, element: lxml.etree._Element) -> tuple[int, int]:
        default = DEFAULT_MARGINS.get(tag, 0)
        if tag not in STYLED_TAGS:
            return default, default
        style = element.get("style")
        classes = element.get("class")
        if classes and classes.startswith("Mso"):
            # Word's "Save as Web Page" gives its paragraph classes no margin (p.MsoNormal
            # {margin:0in}); without its stylesheet the page still means that.
            default = 0
        if self.rules is None and not style:
            return default, default
        rules = self.rules or MarginRules()
        top, bottom = rules.margins(tag, classes, style)
        return (default if top is None else top), (default if bottom is None else bottom)

    def close_link(self) -> None:
        link = self.open_links.pop()
        text = collapse_whitespace("".join(self.pieces[link.first_piece :]))
        if text or link.image is None:
            self.links.append(Link(text=text, href=self.resolve(link.href)))
        else:  # newtfh figures: an image that is itself the link to the larger size
            self.end_line()
            self.stream.append(replace(link.image, href=self.resolve(link.href)))
            self.gap = 0

    def add_image(self, element: lxml.etree._Element) -> None:
        src = element.get("src")
        alt = collapse_whitespace(element.get("alt") or "") or None
        where = self.tree.getpath(element) if self.tree is not None else None
        image = Block(
            BlockKind.IMAGE, gap=self.gap, src=self.resolve(src) if src else None, alt=alt, where=where
        )
        if self.open_links:  # a thumbnail inside a link: kept only if the link has no text
            if self.open_links[-1].image is None:
                self.open_links[-1].image = image
            return
        if self.line_has_text:
            return  # drawn after text on its line: an icon or a bullet, not a line of its own
        self.line_images.append(len(self.stream))
        if self.cells:
            self.cells[-1].images.append(len(self.stream))
        self.stream.append(image)

    # ------------------------------------------------------------------ text and lines

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.pre_depth:
            first, *rest = text.split("\n")
            self.add_piece(first)
            for line in rest:
                if self.line_has_text:
                    self.end_line()
                else:
                    self.pieces.clear()
                    self.blank()  # an empty line of preformatted text
                self.add_piece(line)
        elif not text.isspace():
            self.pieces.append(text)
            self.line_has_text = True
        elif self.pieces:  # the indentation between tags starts no line
            self.pieces.append(text)
        elif "\xa0" in text:
            self.spaces += 1

    def add_piece(self, text: str) -> None:
        if text:
            self.pieces.append(text)
            if not text.isspace():
                self.line_has_text = True

    def end_line(self) -> None:
        if self.pieces or self.links:
            self.draw_line()
        if self.line_images:
            self.line_images.clear()
        if self.lead_marks:
            self.lead_marks.clear()
        self.lead = None
        self.line_has_text = False

    def draw_line(self) -> None:
        text = collapse_whitespace("".join(self.pieces))
        if text and is_rule_line(text):
            self.gap = after_rule(self.gap)
        elif text:
            if self.section_follows:
                self.gap, self.section_follows = max(self.gap, SECTION_GAP), False
            if self.at_table_edge:
                self.lines_at_table_edges.add(len(self.stream))
                self.at_table_edge = False
            if self.paragraph_pending and not self.gap and self.stream:
                self.tight_paragraphs.append(len(self.stream))
            self.paragraph_pending = False
            where = self.tree.getpath(self.boxes[-1][5]) if self.tree is not None and self.boxes else None
            self.stream.append(
                Block(BlockKind.TEXT, gap=self.gap, text=text, links=tuple(self.links), lead=self.lead,
                      item=self.item_pending, where=where)
            )  # fmt: skip
            if self.tables:
                table = self.tables[-1]
                table.holds_paragraphs = table.holds_paragraphs or bool(table.row_has_text and self.gap)
                table.row_has_text = True
            self.gap = 0
            self.item_pending = False
            for index in self.line_images:
                self.stream[index] = replace(self.stream[index], inline=True)
            if self.cells:
                self.cells[-1].has_text = True
        self.pieces.clear()
        self.links.clear()
        for link in self.open_links:
            link.first_piece = 0

    def space(self, lines: int) -> None:
        """Margins collapse: the space between two boxes is the larger of theirs, not the sum."""
        if lines > self.gap and self.stream:
            self.gap = lines

    def blank(self) -> None:
        self.gap += 1
        self.blanks += 1

    def resolve(self, href: str) -> str:
        href = href.strip()
        return resolve_url(self.base_url, href) if self.base_url else href


def link_target(href: str, onclick: str | None = None) -> str:
    """Where a link leads: its href, or the page a script opens (``javascript:openViewer('v.html')``,
    ``href="#" onclick="window.open('v.html')"``: pages of the late 1990s opened image viewers in
    windows of their own)."""
    stripped = href.strip()
    script = stripped if stripped.lower().startswith("javascript:") else None
    if script is None and stripped in ("", "#"):
        script = onclick
    found = SCRIPT_URL_RE.search(script) if script else None
    return found[1] if found else href


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


# A page's own links (its images, its neighbours) miss all the same: a larger cache only kept them,
# 8,192 of them took 2 MB of every worker by the 6,000th page, for no more hits (benchmarks/).
@lru_cache(maxsize=1024)
def _join_in_folder(folder: str, href: str) -> str:
    return urljoin(folder, href)
