"""Any markup, or a text rendering, gives the same stream of lines and gaps."""

from urllib.parse import urljoin

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
