"""Any markup, or a text rendering, gives the same stream of lines and gaps."""

import textwrap
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfmigrate.blocks import Block, BlockKind, blocks_from_html, blocks_from_text, resolve_url

TEXT = """Case Author(s): A. Author, M.D. , 1/30/01 . Rating: #D2, #Q3

Diagnosis: Heterotopic Ossification


21.6 mCi Tc-99m MDP i.v.


First findings paragraph.


First discussion paragraph.

Second discussion paragraph.
"""

STYLE_A = """<HTML><BODY BGCOLOR=#FFFFFF><B>Case Author(s):</B> A. Author, M.D. , 1/30/01 . Rating: #D2, #Q3
<P><B>Diagnosis:</B> Heterotopic Ossification<P><HR><P>21.6 mCi Tc-99m MDP i.v.<P></P>
<P>First findings paragraph.<P><P>First discussion paragraph.<P>Second discussion paragraph.</BODY></HTML>"""

STYLE_B = """<table><tr><td><a href="index.html">Home</a></td><td>
<font face="Arial"><b>Case Author(s):</b> A. Author, M.D. , 1/30/01 . Rating: #D2, #Q3</font>
<p><b>Diagnosis:</b> Heterotopic Ossification</p><p><img src="icons/rule.gif" width=400></p>
<p>21.6 mCi Tc-99m MDP i.v.</p><img src="icons/rule.gif"><p>First findings paragraph.</p>
<img src="icons/rule.gif"><p>First discussion paragraph.</p><p>Second discussion paragraph.</p>
</td></tr></table>"""

STYLE_C = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Case bs125</title><style>p {}</style></head><body>
<div class="byline"><strong>Case Author(s):</strong> A. Author, M.D. , 1/30/01 . Rating: #D2, #Q3</div>
<p><strong>Diagnosis:</strong> Heterotopic Ossification</p><hr />
<p>21.6 mCi Tc-99m MDP i.v.</p><p class="gap"></p><p>First findings paragraph.</p>
<p class="gap"></p><p>First discussion paragraph.</p><p>Second discussion paragraph.</p></body></html>"""


def shape(stream: list[Block]) -> list[tuple[str, bool]]:
    """Text lines with whether a section boundary precedes them; images as section marks."""
    result: list[tuple[str, bool]] = []
    boundary = False
    for block in stream:
        if block.kind is BlockKind.IMAGE:
            boundary = True
            continue
        if block.text == "Home":  # style B's navigation column
            continue
        result.append((block.text, boundary or block.is_section_start))
        boundary = False
    return result


def test_three_markup_styles_and_the_text_rendering_agree() -> None:
    expected = shape(blocks_from_text(TEXT))
    assert expected[2] == ("21.6 mCi Tc-99m MDP i.v.", True)
    assert expected[5] == ("Second discussion paragraph.", False)
    for html in (STYLE_A, STYLE_B, STYLE_C):
        assert shape(blocks_from_html(html)) == expected


def test_links_are_resolved_and_kept_with_their_line() -> None:
    html = '<p>View <a href="viewer/bs125-main.html">main image</a>(bs) in a separate image viewer</p>'
    (block,) = blocks_from_html(html, base_url="http://gamma.wustl.edu/bs125te148.html")
    assert block.text == "View main image(bs) in a separate image viewer"
    assert [(link.text, link.href) for link in block.links] == [
        ("main image", "http://gamma.wustl.edu/viewer/bs125-main.html")
    ]


@pytest.mark.parametrize(
    "anchor",
    [
        "<a href=\"javascript:openViewer('viewer/bs125-main.html', 640, 480)\">main image</a>",
        "<a href=\"#\" onclick=\"window.open('viewer/bs125-main.html','view'); return false\">main image</a>",
    ],
    ids=["javascript href", "onclick"],
)
def test_a_viewer_a_script_opens_is_the_links_target(anchor: str) -> None:
    (block,) = blocks_from_html(
        f"<p>View {anchor}(bs) in a separate image viewer", "http://h/bs125te148.html"
    )
    assert [link.href for link in block.links] == ["http://h/viewer/bs125-main.html"]


def test_br_line_breaks_and_br_br_paragraphs() -> None:
    stream = blocks_from_html("<p>Fig. 1<br>bone scan<br><br>next<br><br><br>section</p>")
    assert [(b.text, b.gap) for b in stream] == [("Fig. 1", 0), ("bone scan", 0), ("next", 1), ("section", 2)]


def test_image_that_is_a_link_keeps_its_target() -> None:
    stream = blocks_from_html(
        '<p>Fig. 1<br><a href="big.jpg"><img src="small.jpg"></a><br>caption</p>', "http://h/"
    )
    image = stream[1]
    assert (image.kind, image.src, image.href) == (BlockKind.IMAGE, "http://h/small.jpg", "http://h/big.jpg")


def test_entities_scripts_and_comments() -> None:
    html = "<p>a &amp; b &#177; caf&eacute;&nbsp;x<!-- hidden --><script>var x;</script></p>"
    assert [b.text for b in blocks_from_html(html)] == ["a & b ± café x"]


def test_hostile_markup_gives_a_stream_not_an_exception() -> None:
    for html in [
        "",
        "   ",
        "<?xml version='1.0' encoding='utf-8'?><p>x</p>",
        "<p>\x00nul\x01</p>",
        "<" * 1000,
    ]:
        blocks_from_html(html)


BASES = st.sampled_from(
    [
        "http://h/a/b.html",
        "http://h/a/b.html?x=1/2#f",
        "http://h",
        "https://u:p@h:81/a/./b/../c.html",
        "http://h/a;p/b;q?r",
        "file:///x/y/z.htm",
    ]
)
HREF_ALPHABET = st.sampled_from([*"ab./:?#;%@\\ -_", "..", "//", "http:", "mailto:", "C:"])


@given(base=BASES, href=st.lists(HREF_ALPHABET, max_size=8).map("".join))
@settings(max_examples=500, deadline=None)
def test_links_resolved_per_folder_equal_urljoin(base: str, href: str) -> None:
    # resolve_url remembers joins per folder, not per page; it must never differ from urljoin.
    assert resolve_url(base, href) == urljoin(base, href)


# A reader's view of each markup habit: (lines, gap above each) as the page draws them.
LAYOUTS = [
    ("p paragraphs", "<p>a</p><p>b</p>", [("a", 0), ("b", 1)]),
    ("unclosed P", "<P>a<P>b", [("a", 0), ("b", 1)]),
    ("br runs", "a<br><br>b<br><br><br>c", [("a", 0), ("b", 1), ("c", 2)]),
    ("hr is a section", "<p>a</p><hr><p>b</p>", [("a", 0), ("b", 2)]),
    ("two rules close an empty section", "<p>a</p><hr><hr><p>b</p>", [("a", 0), ("b", 4)]),
    ("nbsp paragraph", "<p>a</p><p>&nbsp;</p><p>b</p>", [("a", 0), ("b", 2)]),
    ("heading starts a section", "<p>a</p><h3>Findings</h3><p>b</p>", [("a", 0), ("Findings", 2), ("b", 1)]),
    ("div lines", "<div>a</div><div>b</div>", [("a", 0), ("b", 0)]),
    ("div with CSS margin", '<div style="margin-bottom:1em">a</div><div>b</div>', [("a", 0), ("b", 1)]),
    (
        "Word: zero margins, empty paragraphs",
        "<style>p.MsoNormal {margin:0in; margin-bottom:.0001pt}</style><p class=MsoNormal>a</p>"
        "<p class=MsoNormal>b</p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>c</p>",
        [("a", 0), ("b", 0), ("c", 1)],
    ),
    (
        "Word without its stylesheet",
        "<p class=MsoNormal>a</p><p class=MsoNormal>b</p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>c</p>",
        [("a", 0), ("b", 0), ("c", 1)],
    ),
    (
        "paragraphs without margins are paragraphs on a page that draws no blank lines",
        "".join(f'<p style="margin:0">{w}</p>' for w in "abc"),
        [("a", 0), ("b", 1), ("c", 1)],
    ),
    (
        "Word's lines of a paragraph, paragraphs apart by an empty one",
        "".join(f"<p class=MsoNormal>{w}</p>" for w in "abc")
        + "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>d</p><p class=MsoNormal>e</p>",
        [("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 0)],
    ),
    (
        "divs whose stylesheet is lost, a label in a table's cells: paragraphs all the same",
        "<div class=para><table><tr><td><b>Diagnosis:</b></td><td>x</td></tr></table></div>"
        + "".join(f"<div class=para>{w}</div>" for w in "abc"),
        [("Diagnosis:", 0), ("x", 0), ("a", 1), ("b", 1), ("c", 1)],
    ),
    (
        "a div a line, an empty div between paragraphs (Outlook, FCKeditor)",
        "".join(f"<div>{w}</div>" for w in "abc") + "<div>&nbsp;</div><div>d</div><div>e</div>",
        [("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 0)],
    ),
    (
        "a fieldset per section, an empty one an empty slot",
        "<fieldset><legend>A</legend><p>a<p>b</fieldset><fieldset><p>c</fieldset><fieldset>&nbsp;</fieldset>"
        "<fieldset><p>d</fieldset>",
        [("A", 0), ("a", 1), ("b", 1), ("c", 2), ("d", 4)],
    ),
    (
        "a box per section, an empty box an empty slot",
        "<table border=1><tr><td>a<br><br>b</td></tr></table><table border=1><tr><td>c</td></tr></table>"
        "<table border=1><tr><td>&nbsp;</td></tr></table><table border=1><tr><td>d</td></tr></table><p>e",
        [("a", 0), ("b", 1), ("c", 2), ("d", 4), ("e", 2)],
    ),
    (
        "a table of data in a border is no box",
        "<p>a<table border=1><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>",
        [("a", 0), ("1", 1), ("2", 0), ("3", 2), ("4", 0)],
    ),
    (
        "table rows are paragraphs",
        "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>",
        [("a", 0), ("b", 1)],
    ),
    ("cells of a row are lines", "<table><tr><td>a</td><td>b</td></tr></table>", [("a", 0), ("b", 0)]),
    (
        "an empty row with a space is a blank line",
        "<table><tr><td>a</td></tr><tr><td>&nbsp;</td></tr><tr><td>b</td></tr></table>",
        [("a", 0), ("b", 2)],
    ),
    ("pre keeps its blank lines", "<pre>\na\n\nb\n\n\nc</pre>", [("a", 0), ("b", 1), ("c", 2)]),
    ("a line of dashes is a rule", "<pre>a\n\n----------\nb</pre>", [("a", 0), ("b", 2)]),
    ("text after </html>", "<html><body><p>a</p></body></html><p>b", [("a", 0), ("b", 1)]),
    (
        "every paragraph spaced with an empty one",
        "".join(f"<p>{w}</p><p>&nbsp;</p>" for w in "abcd") + "<p>&nbsp;</p><p>e</p><p>&nbsp;</p><p>f</p>",
        [("a", 0), ("b", 1), ("c", 1), ("d", 1), ("e", 2), ("f", 1)],
    ),
]


@pytest.mark.parametrize(("html", "expected"), [row[1:] for row in LAYOUTS], ids=[row[0] for row in LAYOUTS])
def test_the_page_as_a_reader_sees_it(html: str, expected: list[tuple[str, int]]) -> None:
    stream = [b for b in blocks_from_html(html) if b.kind is BlockKind.TEXT]
    assert [(b.text, b.gap) for b in stream] == expected


def test_a_text_file_wrapped_at_72_columns_is_read_as_its_paragraphs() -> None:
    paragraph = "Delayed images show intense uptake in the mid left tibia with cortical thickening " * 3
    wrapped = "\n".join(textwrap.wrap(paragraph.strip(), 72))
    text = f"Case Author(s): J. Wallis , 8/4/94 . Rating: #D1, #Q2\nDiagnosis: x\n\n{wrapped}\n\nshort\nlines"
    for stream in (blocks_from_text(text), blocks_from_html(f"<pre>{text}</pre>")):
        byline = "Case Author(s): J. Wallis , 8/4/94 . Rating: #D1, #Q2"
        assert [b.text for b in stream] == [byline, "Diagnosis: x", paragraph.strip(), "short", "lines"]


def test_labels_are_told_by_their_markup_and_images_beside_text_are_decoration() -> None:
    html = (
        '<table><tr><td><img src="spacer.gif" width=20 height=1></td><td><b>Diagnosis</b> x</td></tr>'
        '<tr><td><img src="bar.gif"></td></tr><tr><td><dl><dt>Findings</dt><dd>y</dd></dl></td></tr></table>'
    )
    stream = blocks_from_html(html)
    assert [(b.kind.value, b.inline) for b in stream if b.kind is BlockKind.IMAGE] == [
        ("image", True),  # the spacer stands beside a cell with text
        ("image", False),  # the bar stands on a row of its own: a rule
    ]
    texts = [(b.text, b.lead) for b in stream if b.kind is BlockKind.TEXT]
    assert texts == [("Diagnosis x", "Diagnosis"), ("Findings", "Findings"), ("y", None)]


def test_hostile_stylesheets_are_read_without_harm() -> None:
    for css in [
        "p {margin: 1e999em}",
        "p {margin: nan}",
        "p {" * 10_000,
        "x" * 300_000,
        "@media{p{margin:0}}",
    ]:
        blocks_from_html(f"<style>{css}</style><p>a</p><p>b</p>")
