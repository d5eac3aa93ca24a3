"""Bytes -> text, decided like a browser, with the rule that decided it.

Order: byte-order mark, the HTTP charset, a ``<meta>``/XML declaration, detection, windows-1252.
The raw bytes are archived elsewhere; this module never "repairs" text: mojibake that the page
already carries (bs028: ``³Honda²``) stays as it is.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer
from bs4.dammit import EncodingDetector

from tfmigrate.models import EncodingRule

DEFAULT_ENCODING = "cp1252"

# The encodings a 1990s Western site was written in. An unrestricted detector guesses cp1250 for
# short windows-1252 pages with smart quotes (tried on the tr010 text), so detection only chooses
# among these.
DETECTION_CANDIDATES = ["utf_8", "cp1252", "latin_1", "mac_roman"]

# WHATWG Encoding: browsers read these labels as windows-1252, and so did the pages' authors.
WINDOWS_1252_ALIASES = frozenset({"ascii", "iso8859-1", "latin-1"})


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    rule: EncodingRule
    replaced: int  # characters that were invalid in the chosen encoding and became U+FFFD


def decode_html(raw: bytes, http_charset: str | None = None) -> DecodedText:
    """Decode a page's bytes; invalid bytes become U+FFFD and are counted, never raised."""
    bom_encoding = byte_order_mark(raw)
    if bom_encoding:
        body, _ = EncodingDetector.strip_byte_order_mark(raw)
        return _decode_with(body, bom_encoding, "bom")
    http_codec = _codec_name(http_charset)
    if http_codec:
        return _decode_with(raw, http_codec, "http")
    meta_codec = _meta_codec(_declared_encoding(raw))
    if meta_codec:
        return _decode_with(raw, meta_codec, "meta")
    detected = _detected_encoding(raw)
    if detected:
        return _decode_with(raw, detected, "detected")
    return _decode_with(raw, DEFAULT_ENCODING, "default")


def byte_order_mark(raw: bytes) -> str | None:
    """The encoding a byte-order mark at the start of the bytes names (UTF-8, -16 or -32), or None."""
    encoding: str | None = EncodingDetector.strip_byte_order_mark(raw[:4])[1]
    return encoding


def _declared_encoding(raw: bytes) -> str | None:
    declared = EncodingDetector.find_declared_encoding(raw, is_html=True)
    return declared if isinstance(declared, str) else None


def _meta_codec(label: str | None) -> str | None:
    """The codec a ``<meta>`` (or XML) declaration names, as the HTML standard reads it: a page
    whose declaration could be read was not UTF-16, so a UTF-16 label means UTF-8 (such a page was
    once read as UTF-16 and skipped as no case page); UTF-32 is no web encoding (ignored)."""
    codec = _codec_name(label)
    if codec is not None and codec.startswith("utf-16"):
        return "utf-8"
    return None if codec is not None and codec.startswith("utf-32") else codec


def _detected_encoding(raw: bytes) -> str | None:
    if raw.isascii():
        return None  # nothing to detect: every candidate reads ASCII alike
    best = charset_normalizer.from_bytes(raw, cp_isolation=DETECTION_CANDIDATES).best()
    return _codec_name(best.encoding) if best else None


def _codec_name(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):  # unknown, or no name at all ("utf-8\x00": a NUL in it)
        return None
    return DEFAULT_ENCODING if name in WINDOWS_1252_ALIASES else name


def _decode_with(raw: bytes, encoding: str, rule: EncodingRule) -> DecodedText:
    try:
        return DecodedText(text=raw.decode(encoding), encoding=encoding, rule=rule, replaced=0)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        return DecodedText(text=text, encoding=encoding, rule=rule, replaced=max(text.count("\ufffd"), 1))
