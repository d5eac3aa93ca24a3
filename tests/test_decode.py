"""The decode chain: which rule decides, and invalid bytes never raise."""

import pytest

from tests.conftest import SITE
from tfmigrate.decode import decode_html
from tfmigrate.models import Case
from tfmigrate.parse import parse_page

TR010 = (
    "Graves\u2019 disease \u2013 \u201ctoxic\u201d goiter, caf\u00e9. The thyroid images demonstrate uptake."
)


def test_bom_wins_over_everything() -> None:
    raw = b"\xef\xbb\xbf" + '<meta charset="windows-1252"><p>µCi é</p>'.encode()
    decoded = decode_html(raw, http_charset="iso-8859-2")
    assert (decoded.encoding, decoded.rule) == ("utf-8", "bom")
    assert "µCi é" in decoded.text


def test_http_charset_before_meta() -> None:
    raw = '<meta charset="utf-8"><p>caf\u00e9</p>'.encode("cp1252")
    decoded = decode_html(raw, http_charset="windows-1252")
    assert (decoded.encoding, decoded.rule) == ("cp1252", "http")
    assert "café" in decoded.text


def test_meta_declaration() -> None:
    raw = ('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252"><P>' + TR010).encode(
        "cp1252"
    )
    decoded = decode_html(raw)
    assert (decoded.encoding, decoded.rule) == ("cp1252", "meta")
    assert TR010 in decoded.text


def test_a_nul_in_a_charset_label_is_an_unknown_label() -> None:
    raw = b'<meta charset="utf\x00-8"><p>caf\xc3\xa9</p>'
    for decoded in (decode_html(raw), decode_html(b"<p>x</p>", http_charset="utf\x00-8")):
        assert decoded.rule != "meta" and decoded.rule != "http"


def test_latin1_label_reads_as_windows_1252_like_a_browser() -> None:
    raw = b'<meta charset="iso-8859-1"><p>Graves\x92 disease</p>'
    decoded = decode_html(raw)
    assert decoded.encoding == "cp1252"
    assert "Graves\u2019 disease" in decoded.text


def test_undeclared_windows_1252_is_detected_not_guessed_as_cp1250() -> None:
    decoded = decode_html(f"<p>{TR010}</p>".encode("cp1252"))
    assert (decoded.encoding, decoded.rule) == ("cp1252", "detected")
    assert TR010 in decoded.text


def test_undeclared_utf8_is_detected() -> None:
    decoded = decode_html(f"<p>{TR010} 20 µCi</p>".encode())
    assert (decoded.encoding, decoded.rule) == ("utf-8", "detected")


def test_ascii_falls_to_the_default() -> None:
    decoded = decode_html(b"<p>plain</p>")
    assert (decoded.encoding, decoded.rule, decoded.replaced) == ("cp1252", "default", 0)


INVALID_IN_UTF8 = "<p>ok \xff\xfe bytes</p>".encode("latin-1")


@pytest.mark.parametrize(
    ("raw", "http_charset", "rule"),
    [
        (b"\xef\xbb\xbf" + INVALID_IN_UTF8, None, "bom"),
        (INVALID_IN_UTF8, "utf-8", "http"),
        (b'<meta charset="utf-8">' + INVALID_IN_UTF8, None, "meta"),
    ],
    ids=["bom", "http", "meta"],
)
def test_invalid_bytes_in_the_chosen_encoding_are_replaced_and_counted(
    raw: bytes, http_charset: str | None, rule: str
) -> None:
    decoded = decode_html(raw, http_charset=http_charset)
    assert (decoded.encoding, decoded.rule) == ("utf-8", rule)
    assert decoded.replaced == 2 and decoded.text.count("\ufffd") == 2
    assert "ok" in decoded.text and "bytes" in decoded.text


@pytest.mark.parametrize("label", ["x-unknown-charset", "utf-8\x00", "", "  "])
@pytest.mark.parametrize("where", ["http", "meta"])
def test_an_unusable_label_is_passed_over(label: str, where: str) -> None:
    # A NUL in a label once raised ValueError out of codecs.lookup (found by the fuzz test).
    raw = (f'<meta charset="{label}">' if where == "meta" else "").encode("latin-1") + b"<p>caf\xe9</p>"
    decoded = decode_html(raw, http_charset=label if where == "http" else None)
    assert decoded.encoding == "cp1252" and decoded.rule in ("detected", "default")
    assert "café" in decoded.text


def test_mojibake_is_kept() -> None:
    # bs028: the archived page already carries ³Honda² and automakerıs; nothing is repaired.
    text = "the \u00b3Honda\u00b2 sign (named for the automaker\u0131s emblem)"
    assert text in decode_html(text.encode("utf-8")).text


def without_source(case: Case) -> dict[str, object]:
    return case.model_dump(mode="json", exclude={"source"})


BS125 = (SITE / "bs125te148.html").read_bytes()  # ASCII, no declared encoding
BS125_URL = "http://gamma.wustl.edu/bs125te148.html"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_page_with_a_byte_order_mark_is_a_page(codec: str) -> None:
    """Half its bytes are NUL: it was once refused as binary before its byte-order mark was read."""
    raw = BS125.decode("ascii").encode(codec)
    if not codec.endswith(("16", "32")):
        raw = "\ufeff".encode(codec) + raw
    case = parse_page(raw, BS125_URL)
    assert without_source(case) == without_source(parse_page(BS125, BS125_URL))
    assert case.source.encoding_rule == "bom" and case.source.input_format == "html"


def test_a_utf16_meta_declaration_on_8_bit_bytes_means_utf8() -> None:
    """The HTML standard: a declaration that could be read at all was not in UTF-16, so it means
    UTF-8. Read as UTF-16, the page became CJK noise and was skipped as no case page."""
    raw = BS125.replace(b"<HEAD>", b'<HEAD><META CHARSET="utf-16">', 1)
    assert raw != BS125
    case = parse_page(raw, BS125_URL)
    assert (case.source.encoding, case.source.encoding_rule) == ("utf-8", "meta")
    assert without_source(case) == without_source(parse_page(BS125, BS125_URL))
    assert decode_html(b'<meta charset="utf-32"><p>caf\xc3\xa9</p>').rule != "meta"
