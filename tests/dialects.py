"""Authoring styles of the 1990s web: render a page's text rendering as any of them would have.

A real page survives as text: lines, one blank line between paragraphs, two or more between
sections. A style is a handful of small functions (the page around the body, a section, a paragraph,
a label, a link, the separator between sections); ``render(text, style)`` draws the same text in it,
and ``render_mixed`` draws each section in a style of its own. The parser must give every rendering
the record the text gives (tests/test_dialects.py).

The styles are those the legacy teaching files were written with: hand-written HTML 3.2, ``<BR>``
runs without paragraphs, a text file in ``<PRE>``, layout tables (a label in one cell and its value
in the next, spacer GIFs, heading images), Word's "Save as Web Page" (with and without its
stylesheet), XHTML with ``<dl>``/``<h3>`` labels without their colons, and CSS-spaced ``<div>``s.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

# The labels a page prints, as the templates know them (case pages of both templates).
LABEL_RE = re.compile(
    r"^(?P<label>Case Author\(s\)|Diagnosis|Brief history|Full history|Images|Radiopharmaceuticals?|Findings"
    r"|Discussion|Follow[- ]?up|Major teaching point\(s\)|Major teaching points?|ACR Codes and Keywords"
    r"|Case number|Authored By|Patient|History|General Discussion|References?)\s*:\s*(?P<rest>.*)$",
)
STANDALONE_LABEL_RE = re.compile(r"^(?:Differential Diagnosis List|Differential Diagnosis)$")
# Where a line's link is: the part of the text a page's <a> covers.
LINK_PATTERNS = [
    re.compile(r"^(View )(?P<a>main image)(\(\w*\) in a separate image viewer.*)$", re.IGNORECASE),
    re.compile(r"^()(?P<a>View \w+ image\(\w*\))(.*)$", re.IGNORECASE),
    re.compile(r"^(View )(?P<a>avi cine image)(.*)$", re.IGNORECASE),
    re.compile(r"^()(?P<a>References and General Discussion of[^(]*?)(\s*\(.*)$", re.IGNORECASE),
    re.compile(r"^(.*)(?P<a>prototype cine viewer)(.*)$", re.IGNORECASE),
    re.compile(
        r"^()(?P<a>Search for similar cases\.|Edit this case|Add comments about this case"
        r"|Read comments about this case|Return to the Teaching File home page\.)()$",
        re.IGNORECASE,
    ),
]
RETURN_LINE_RE = re.compile(r"^Return to (Case List with Diagnoses) or (Case List as Unknowns)$")
IMAGE_SIZE_RE = re.compile(r"^(Image Size:)\s*\[small\]\[as-submitted\]$")
FIGURE_RE = re.compile(r"^Fig\. \d+$")


@dataclass(frozen=True)
class Paragraph:
    gap: int  # blank lines above it in the text: 1 paragraph, 2 section, 3+ more
    lines: tuple[str, ...]


def read_text(text: str) -> list[Paragraph]:
    """The text rendering as paragraphs of lines, each with the blank lines above it."""
    paragraphs: list[Paragraph] = []
    lines: list[str] = []
    gap = blank = 0
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            blank += 1
            continue
        if blank and lines:
            paragraphs.append(Paragraph(gap, tuple(lines)))
            lines, gap = [], blank
        lines.append(line)
        blank = 0
    if lines:
        paragraphs.append(Paragraph(gap, tuple(lines)))
    return paragraphs


def sections_of(paragraphs: Sequence[Paragraph]) -> list[list[Paragraph]]:
    """Paragraphs grouped into sections: a gap of two blank lines or more starts one."""
    sections: list[list[Paragraph]] = []
    for paragraph in paragraphs:
        if not sections or paragraph.gap >= 2:
            sections.append([])
        sections[-1].append(paragraph)
    return sections


# ---------------------------------------------------------------------------- inline pieces


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def linked(line: str, href: str = "viewer/page.html") -> str:
    """The line as HTML, with its link where a page of the site has it."""
    if match := RETURN_LINE_RE.match(line):
        return f'Return to <a href="caselist.html">{match[1]}</a> or <a href="unknowns.html">{match[2]}</a>'
    if match := IMAGE_SIZE_RE.match(line):
        return f'{match[1]}[<a href="small_1.html">small</a>][<a href="submitted_1.html">as-submitted</a>]'
    for pattern in LINK_PATTERNS:
        if match := pattern.match(line):
            before, after = match.group(1), match.group(3)
            return f'{esc(before)}<a href="{href}">{esc(match["a"])}</a>{esc(after)}'
    return esc(line)


@dataclass(frozen=True)
class Style:
    """How one authoring style draws a page. ``label`` draws a label and its inline value."""

    name: str
    page: Callable[[str], str]
    section: Callable[[list[Paragraph], Style], str]
    paragraph: Callable[[Paragraph, Style], str]
    label: Callable[[str, str], str]
    separator: Callable[[int], str]  # between sections: the gap in blank lines (2, 3, 4...)
    encoding: str = "utf-8"  # what the page's bytes are in (Word's pages declare windows-1252)
    # Mixed with other styles, each of its sections is wrapped in this element (<pre>, <div>), and
    # the gaps before them are drawn with rules: its own separators only work inside its own page.
    mixed_wrapper: str = ""

    def line(self, line: str) -> str:
        """One line: a label (bold, a cell, a <dt>...) and its value, or text with its links."""
        if match := LABEL_RE.match(line):
            if match["label"].lower().startswith("reference") and match["rest"]:
                return linked(line)  # an inline "References: <citation>" is text on the site
            return self.label(match["label"], linked(match["rest"]) if match["rest"] else "")
        if STANDALONE_LABEL_RE.match(line):
            return self.label(line, "")
        extra = '<br><img src="figure.jpg" width="200" height="160">' if FIGURE_RE.match(line) else ""
        return linked(line) + extra


def render(text: str, style: Style) -> bytes:
    return render_mixed(text, [style])


def render_mixed(text: str, styles: Sequence[Style]) -> bytes:
    """The page drawn section by section, each section in the next of ``styles`` (cycled), the gap
    before it in its style too."""
    if len(styles) == 1:
        style = styles[0]
        parts = []
        for n, section in enumerate(sections_of(read_text(text))):
            parts.extend([style.separator(section[0].gap)] if n else [])
            parts.append(style.section(section, style))
        return style.page("\n".join(parts)).encode(style.encoding, errors="xmlcharrefreplace")
    parts = []
    for n, section in enumerate(sections_of(read_text(text))):
        style = styles[n % len(styles)]
        if n:
            parts.append((HTML32 if style.mixed_wrapper else style).separator(section[0].gap))
        drawn = style.section(section, style)
        wrapper = style.mixed_wrapper
        parts.append(f"<{wrapper}>{drawn}</{wrapper}>" if wrapper else drawn)
    return MIXED_PAGE.replace("{body}", "\n".join(parts)).encode("utf-8", errors="xmlcharrefreplace")


def flow_section(section: list[Paragraph], style: Style) -> str:
    return "\n".join(style.paragraph(paragraph, style) for paragraph in section)


def lines_html(paragraph: Paragraph, style: Style, br: str = "<br>") -> str:
    return f"{br}\n".join(style.line(line) for line in paragraph.lines)


# ---------------------------------------------------------------------------- HTML 3.2 by hand


def html32_page(body: str) -> str:
    head = "<HTML>\n<HEAD>\n<TITLE>Teaching File Case</TITLE>\n</HEAD>\n<BODY BGCOLOR=#FFFFFF>"
    return f"{head}\n{body}\n</BODY>\n</HTML>"


HTML32 = Style(
    name="html32",
    page=html32_page,
    section=flow_section,
    paragraph=lambda p, s: "<P>" + lines_html(p, s, "<BR>"),
    label=lambda label, rest: f"<B>{esc(label)}:</B> {rest}" if rest else f"<B>{esc(label)}:</B>",
    separator=lambda gap: "<HR>" + "\n<HR>" * (gap >= 4) + "\n<P>&nbsp;" * (gap == 3),
)

# <BR> runs and nothing else: a blank line is one more <BR>.
BR_RUNS = Style(
    name="br-runs",
    page=lambda body: f'<html><body>\n<font face="Times">\n{body}\n</font>\n</body></html>',
    section=lambda sec, s: "<br><br>\n".join(lines_html(p, s) for p in sec) + "<br>",
    paragraph=lambda p, s: lines_html(p, s),
    label=lambda label, rest: f'<font color="#800000"><b>{esc(label)}:</b></font> {rest}',
    separator=lambda gap: "<br>" * gap,
    mixed_wrapper="div",
)

# ---------------------------------------------------------------------------- a text file in <PRE>


def pre_paragraph(paragraph: Paragraph, style: Style) -> str:
    # A text file wraps its long lines at 72 columns; a reader joins them again.
    lines = []
    for line in paragraph.lines:
        wrapped = textwrap.wrap(line, 72, break_long_words=False, break_on_hyphens=False) or [line]
        lines.extend(style.line(piece) if n == 0 else esc(piece) for n, piece in enumerate(wrapped))
    return "\n".join(lines)


PRE = Style(
    name="pre",
    page=lambda body: f"<html><head><title>case</title></head><body><pre>\n{body}\n</pre></body></html>",
    section=lambda sec, s: "\n\n".join(s.paragraph(p, s) for p in sec),
    paragraph=pre_paragraph,
    label=lambda label, rest: f"{esc(label)}: {rest}".rstrip(),
    separator=lambda gap: "\n" * (gap - 1),  # joined to the sections by a newline each
    mixed_wrapper="pre",
)

# ---------------------------------------------------------------------------- layout tables


def table_label(label: str, rest: str) -> str:
    # The label in its own cell; its value in the next one.
    return f'<b>{esc(label)}:</b></td><td valign="top">{rest}' if rest else f"<b>{esc(label)}</b>"


def table_paragraph(paragraph: Paragraph, style: Style) -> str:
    spacer = '<td width="24"><img src="images/spacer.gif" width="24" height="1"></td>'
    return f"<tr>{spacer}<td>{lines_html(paragraph, style)}</td></tr>"


def table_separator(gap: int) -> str:
    rows = ['<tr><td colspan="3"><img src="images/spacer.gif" width="1" height="18"></td></tr>']
    if gap >= 3:
        rows.append('<tr><td colspan="3"><img src="images/sectionbar.gif" width="500" height="6"></td></tr>')
    return '<table border="0" cellpadding="2">' + "".join(rows) + "</table>"


TABLES = Style(
    name="tables",
    page=lambda body: (
        '<html><head><meta name="GENERATOR" content="Microsoft FrontPage 4.0"></head><body>\n'
        '<table width="100%"><tr><td width="120" valign="top"><img src="images/logo.gif" width="110">'
        f'</td><td valign="top">\n{body}\n</td></tr></table></body></html>'
    ),
    section=lambda sec, s: (
        '<table border="0" cellpadding="2" width="600">\n'
        + "\n".join(s.paragraph(p, s) for p in sec)
        + "\n</table>"
    ),
    paragraph=table_paragraph,
    label=table_label,
    separator=table_separator,
)

# ---------------------------------------------------------------------------- Microsoft Word


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=windows-1252">
<meta name=Generator content="Microsoft Word 9"><title>Case</title>
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>MIR</o:Author></o:DocumentProperties>
</xml><![endif]-->
{style}</head><body lang=EN-US style='tab-interval:.5in'><div class=Section1>
{body}
</div></body></html>"""
WORD_STYLE = """<style><!-- @font-face {font-family:Times;}
p.MsoNormal, li.MsoNormal, div.MsoNormal {mso-style-parent:""; margin:0in; margin-bottom:.0001pt;
 mso-pagination:widow-orphan; font-size:12.0pt; font-family:"Times New Roman";}
@page Section1 {size:8.5in 11.0in; margin:1.0in 1.25in 1.0in 1.25in;}
div.Section1 {page:Section1;} --></style>"""
WORD_BLANK = "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"


def word_paragraph(paragraph: Paragraph, style: Style) -> str:
    return "\n".join(
        f"<p class=MsoNormal><span style='font-size:11.0pt'>{style.line(line)}<o:p></o:p></span></p>"
        for line in paragraph.lines
    )


def word_style(stylesheet: bool) -> Style:
    return Style(
        name="word" if stylesheet else "word-nocss",
        page=lambda body: WORD_HEAD.format(style=WORD_STYLE if stylesheet else "", body=body),
        section=lambda sec, s: f"\n{WORD_BLANK}\n".join(s.paragraph(p, s) for p in sec),
        paragraph=word_paragraph,
        label=lambda label, rest: (
            f"<b style='mso-bidi-font-weight:normal'>{esc(label)}:</b>"
            + (f"<span style='mso-spacerun:yes'> </span>{rest}" if rest else "")
        ),
        separator=lambda gap: "\n".join([WORD_BLANK] * gap),
        encoding="cp1252",
    )


WORD = word_style(stylesheet=True)
WORD_NO_CSS = word_style(stylesheet=False)

# ---------------------------------------------------------------------------- XHTML and CSS


def xhtml_paragraph(paragraph: Paragraph, style: Style) -> str:
    first = paragraph.lines[0]
    label = LABEL_RE.match(first)
    if len(paragraph.lines) == 1 and ((label and not label["rest"]) or STANDALONE_LABEL_RE.match(first)):
        return f'<h3 class="label">{esc(first.rstrip(": "))}</h3>'  # a label alone: a heading, no colon
    if any(LABEL_RE.match(line) for line in paragraph.lines):
        return f'<div class="para">{"".join(xhtml_line(line, style) for line in paragraph.lines)}</div>'
    return f"<p>{lines_html(paragraph, style, '<br />')}</p>"


def xhtml_line(line: str, style: Style) -> str:
    label = LABEL_RE.match(line)
    if label and label["rest"] and not label["label"].lower().startswith("reference"):
        # A label and its value as a definition list, the label without its colon.
        return f'<dl class="field"><dt>{esc(label["label"])}</dt><dd>{linked(label["rest"])}</dd></dl>'
    return f"<div>{style.line(line)}</div>"


XHTML = Style(
    name="xhtml",
    page=lambda body: (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><title>Case</title>'
        f'<link rel="stylesheet" href="case.css" /></head><body><div id="case">\n{body}\n</div></body></html>'
    ),
    section=lambda sec, s: '<div class="section">\n' + flow_section(sec, s) + "\n</div>",
    paragraph=xhtml_paragraph,
    label=lambda label, rest: f'<span class="label">{esc(label)}</span> {rest}'.rstrip(),
    separator=lambda gap: "<hr />" * (1 + (gap >= 4)),
)

# Every paragraph a <div>; the spacing is all in the page's stylesheet.
CSS_DIVS_STYLESHEET = """.para { margin: 0 0 1em 0 }
.label { font-weight: bold }
.sep { margin-top: 2em } .sep2 { margin-top: 4em }
body { font-family: Verdana }"""
CSS_DIVS = Style(
    name="css-divs",
    page=lambda body: (
        f"<html><head><style>{CSS_DIVS_STYLESHEET}</style></head><body>\n{body}\n</body></html>"
    ),
    section=flow_section,
    paragraph=lambda p, s: f'<div class="para">{lines_html(p, s)}</div>',
    label=lambda label, rest: f'<span class="label">{esc(label)}:</span> {rest}',
    separator=lambda gap: '<div class="sep2"></div>' if gap >= 4 else '<div class="sep"></div>',
)

# ---------------------------------------------------------------------------- a form, lists, HTML5


def form_row(section: list[Paragraph], style: Style) -> str:
    """A section as one row of a bordered table: its label in the left cell (or nothing), all its
    paragraphs in the right one."""
    first = section[0]
    label = LABEL_RE.match(first.lines[0])
    rest = section
    head = "&nbsp;"
    if label and len(first.lines) == 1 and not label["label"].lower().startswith("reference"):
        if label["rest"] and len(section) == 1:
            head, rest = f"<b>{esc(label['label'])}:</b>", [Paragraph(0, (label["rest"],))]
        elif not label["rest"]:
            head, rest = f"<b>{esc(label['label'])}</b>", section[1:]
    cell = "".join(f"<p>{lines_html(paragraph, style)}</p>" for paragraph in rest)
    return f'<tr><td valign="top" width="25%">{head}</td><td valign="top">{cell}</td></tr>'


# A form of label and value cells, one bordered row per section: only the borders and the label
# column tell the sections apart.
FORM = Style(
    name="form",
    page=lambda body: (
        f'<html><body><table border="1" cellpadding="6" width="100%">\n{body}\n</table></body></html>'
    ),
    section=form_row,
    paragraph=lambda p, s: f"<p>{lines_html(p, s)}</p>",
    label=lambda label, rest: f"<b>{esc(label)}:</b> {rest}",
    separator=lambda gap: "<tr><td>&nbsp;</td><td>&nbsp;</td></tr>" if gap >= 4 else "",  # an empty slot
    mixed_wrapper="table",
)

# Every paragraph a list item, each section a list of its own: the items stand one under the other,
# the sections a line apart.
LISTS = Style(
    name="lists",
    page=lambda body: f"<html><body>\n{body}\n</body></html>",
    section=lambda sec, s: "<ul>" + "".join(f"<li>{lines_html(p, s)}</li>" for p in sec) + "</ul>",
    paragraph=lambda p, s: lines_html(p, s),
    label=lambda label, rest: f"<b>{esc(label)}:</b> {rest}",
    separator=lambda gap: "<br>" * (gap - 1),
    mixed_wrapper="div",
)


def html5_paragraph(paragraph: Paragraph, style: Style) -> str:
    label = LABEL_RE.match(paragraph.lines[0])
    if len(paragraph.lines) == 1 and label and not label["rest"]:
        return f"<h2>{esc(label['label'])}</h2>"
    return f"<p>{lines_html(paragraph, style)}</p>"


# HTML5: each section a <section>, which a browser draws with no space of its own.
HTML5 = Style(
    name="html5",
    page=lambda body: (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Case</title></head>"
        f"<body><main><article>\n{body}\n</article></main></body></html>"
    ),
    section=lambda sec, s: "<section>" + "".join(s.paragraph(p, s) for p in sec) + "</section>",
    paragraph=html5_paragraph,
    label=lambda label, rest: f"<strong>{esc(label)}:</strong> {rest}",
    separator=lambda gap: "<section><p>&nbsp;</p></section>" if gap >= 4 else "",  # an empty slot
)

STYLES = [HTML32, BR_RUNS, PRE, TABLES, WORD, WORD_NO_CSS, XHTML, CSS_DIVS, FORM, LISTS, HTML5]
# A page of sections in several styles: a plain page with the stylesheet its <div> sections need.
MIXED_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    f"<style>{CSS_DIVS_STYLESHEET}</style></head><body>\n{{body}}\n</body></html>"
)
STYLES_BY_NAME = {style.name: style for style in STYLES}

# ---------------------------------------------------------------------------- styles from features
# The eight styles above are whole habits. Authors mixed the features of several: a page of
# <CENTER>ed <FONT>s with labels in table cells and sections split by spacer GIFs. ``composed``
# builds a style from one choice per feature, so a test can draw thousands of such habits.

LABEL_FORMS = {
    "bold": lambda label, rest: f"<B>{esc(label)}:</B> {rest}",
    "bold-no-colon": lambda label, rest: f"<b>{esc(label)}</b> {rest}",
    "strong-space-colon": lambda label, rest: f"<strong>{esc(label)} :</strong> {rest}",
    "capitals": lambda label, rest: f"{esc(label.upper())}: {rest}",
    "font": lambda label, rest: f'<font color="#990000" size="+1"><b>{esc(label)}:</b></font> {rest}',
    "span-class": lambda label, rest: (
        f'<span class="fieldname">{esc(label)}</span> <span class="v">{rest}</span>'
    ),
    "value-after-br": lambda label, rest: (
        f"<b>{esc(label)}:</b><br>{rest}" if rest else f"<b>{esc(label)}:</b>"
    ),
    "cells": lambda label, rest: (
        f"<table border=0><tr><td valign=top nowrap><b>{esc(label)}:</b></td><td>{rest}</td></tr></table>"
    ),
    "underlined": lambda label, rest: f"<u>{esc(label)}</u>: {rest}",
    "plain": lambda label, rest: f"{esc(label)}: {rest}",
}
PARAGRAPH_FORMS = ("p", "p-unclosed", "div", "br-br", "center-font", "blockquote")
SEPARATOR_FORMS = {
    "hr": lambda gap: "<hr>" * (1 + (gap >= 4)) + "<p>&nbsp;</p>" * (gap == 3),
    "hr-attributes": lambda gap: '<HR SIZE=3 NOSHADE WIDTH="80%">' * (1 + (gap >= 4)),
    "nbsp-paragraphs": lambda gap: "<p>&nbsp;</p>" * (gap - 1),
    "spacer-gif": lambda gap: (
        '<p><img src="/icons/spacer.gif" width="1" height="24" alt=""></p>' * (1 + (gap >= 4))
    ),
    "heading-gif": lambda gap: '<p align="center"><img src="gfx/bar2.gif"></p>' * (1 + (gap >= 4)),
    "dashes": lambda gap: "<p>" + "<br>".join(["-" * 40] * (1 + (gap >= 4))) + "</p>",
}


def composed_paragraph(form: str) -> Callable[[Paragraph, Style], str]:
    def draw(paragraph: Paragraph, style: Style) -> str:
        inner = lines_html(paragraph, style, "<br>")
        return {
            "p": f"<p>{inner}</p>",
            "p-unclosed": f"<P>{inner}",
            "div": f'<div class="para" style="margin-bottom:1em">{inner}</div>',
            "br-br": f"{inner}<br><br>",
            "center-font": f'<center><font face="Arial" size="2">{inner}</font></center><br>',
            "blockquote": f"<blockquote>{inner}</blockquote>",
        }[form]

    return draw


def composed_section(form: str) -> Callable[[list[Paragraph], Style], str]:
    def draw(section: list[Paragraph], style: Style) -> str:
        text = "\n".join(style.paragraph(paragraph, style) for paragraph in section)
        # A section ends a paragraph of its own, whatever the paragraphs inside did.
        if form in ("br-br", "center-font"):
            return f"<div>{text.removesuffix('<br><br>').removesuffix('<br>')}</div>"
        return text

    return draw


def is_coherent(label_form: str, paragraph_form: str) -> bool:
    """A label in a table is a block: after it, <br><br> draws more than a paragraph's gap, which an
    author spacing paragraphs with <br><br> would have seen and not written."""
    return not (label_form == "cells" and paragraph_form in ("br-br", "center-font"))


def composed(label_form: str, paragraph_form: str, separator_form: str, upper_tags: bool) -> Style:
    def page(body: str) -> str:
        html_page = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "<title>Teaching File</title><!-- saved from the web --><script>var x = 1;</script>"
            f'</head><body bgcolor="#ffffff" link="#0000ff">\n{body}\n</body></html>'
        )
        return re.sub(r"</?[a-z]+\b", lambda m: m[0].upper(), html_page) if upper_tags else html_page

    return Style(
        name=f"{label_form}/{paragraph_form}/{separator_form}{'/UPPER' if upper_tags else ''}",
        page=page,
        section=composed_section(paragraph_form),
        paragraph=composed_paragraph(paragraph_form),
        label=LABEL_FORMS[label_form],
        separator=SEPARATOR_FORMS[separator_form],
        encoding="cp1252",
    )


# ---------------------------------------------------------------------------- the site around the case
# A site's own text around every case: its menu in a column or a bar, a banner, a footer. None of it
# is the case's: menus are kept as the record's site links, the rest as unplaced text, and the case
# reads as without them.


@dataclass(frozen=True)
class Frame:
    name: str
    wrap: Callable[[str], str]  # the page's body, inside the site's layout
    menu: tuple[str, ...]  # the menu's links, in page order
    notes: tuple[str, ...]  # the site's other lines, in page order


def menu_links(names: Sequence[str], separator: str) -> str:
    return separator.join(f'<a href="/{name.lower().replace(" ", "")}.html">{name}</a>' for name in names)


MENU = ("Home", "Case List", "Search", "About")
FRAMES = [
    Frame(
        "left-menu",
        lambda body: (
            '<table width="100%" cellspacing="0"><tr><td colspan="2"><img src="/gfx/banner.gif" alt="">'
            '</td></tr><tr><td width="140" valign="top" bgcolor="#000066"><font color="white">'
            f'{menu_links(MENU, "<br>")}</font></td><td valign="top">{body}</td></tr></table>'
        ),
        MENU,
        (),
    ),
    Frame(
        "right-menu",
        lambda body: (
            f'<table><tr><td valign="top">{body}</td><td width="120" valign="top">'
            f"{menu_links(MENU[:3], '<br>')}</td></tr></table>"
        ),
        MENU[:3],
        (),
    ),
    Frame(
        "menu-bar-and-footer",
        lambda body: (
            f'<p align="center">[ {menu_links(MENU, " | ")} ]</p><hr>{body}<hr>'
            "<address>Webmaster: nm@mir.wustl.edu<br>Last modified: March 3, 1997</address>"
        ),
        MENU,
        ("Webmaster: nm@mir.wustl.edu", "Last modified: March 3, 1997"),
    ),
    Frame(
        "nested-tables",
        lambda body: (
            '<center><table width="760"><tr><td><table width="100%"><tr><td bgcolor="#000080">'
            '<img src="/gfx/title.gif" alt="Teaching File" width="400" height="40"></td></tr>'
            f'<tr><td><table cellpadding="8"><tr><td>{body}</td></tr></table></td></tr></table>'
            "</td></tr></table></center>"
        ),
        (),
        (),
    ),
]
# A banner of text over the case: where the page has its byline or diagnosis, the case starts there.
BANNER = Frame(
    "banner",
    lambda body: (
        '<h1 align="center">Nuclear Medicine Teaching File</h1><h3 align="center">Mallinckrodt Institute'
        f" of Radiology</h3><hr>{body}"
    ),
    (),
    ("Nuclear Medicine Teaching File", "Mallinckrodt Institute of Radiology"),
)


def framed(style: Style, frame: Frame) -> Style:
    """The style's page with the site's layout around its body (not for <pre>: a frame inside a
    text file is no page anyone wrote)."""
    return replace(style, name=f"{style.name}+{frame.name}", page=lambda body: style.page(frame.wrap(body)))
