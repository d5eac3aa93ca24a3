"""What an image or cine file is, read from its own bytes: media type and, where told, dimensions.

The site's files are JPEG (the 1997 notes mention quality 88), GIF, and AVI cine loops; names and
server headers are not trusted, the bytes are. Files are never decoded or re-encoded here.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from tfmigrate.decode import byte_order_mark

SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    # (magic, offset, media type, file extension)
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"GIF87a", 0, "image/gif", ".gif"),
    (b"GIF89a", 0, "image/gif", ".gif"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"BM", 0, "image/bmp", ".bmp"),
    (b"II*\x00", 0, "image/tiff", ".tif"),
    (b"MM\x00*", 0, "image/tiff", ".tif"),
    (b"RIFF", 0, "", ""),  # a RIFF container: its form type at offset 8 says which
    (b"ftyp", 4, "video/quicktime", ".mov"),
    (b"\x00\x00\x01\xba", 0, "video/mpeg", ".mpg"),
    (b"\x00\x00\x01\xb3", 0, "video/mpeg", ".mpg"),
)
RIFF_FORMS = {b"AVI ": ("video/x-msvideo", ".avi"), b"WEBP": ("image/webp", ".webp")}
# WHATWG MIME Sniffing, "rules for identifying an unknown MIME type": what makes bytes an HTML
# page, whatever the server called them (a case page served as image/jpeg once vanished).
HTML_SIGNATURE_RE = re.compile(
    r"\A[\t\n\x0c\r ]*+<(?:(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b"
    r"|body|br|p)[ >]|!--)",
    re.IGNORECASE,
)
HTML = ("text/html", ".html")
SNIFF_BYTES = 512  # WHATWG reads the first 512 bytes
UNKNOWN = ("application/octet-stream", ".bin")
# JPEG start-of-frame markers (all but DHT, JPG and DAC), which carry the frame's size.
JPEG_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class MediaFacts:
    media_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def sniff_media(data: bytes) -> MediaFacts:
    """Media type from the file's magic bytes: ``text/html`` for a page, ``application/octet-stream``
    when unknown."""
    for magic, offset, media_type, extension in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if magic == b"RIFF":
                media_type, extension = RIFF_FORMS.get(data[8:12], UNKNOWN)
            width, height = dimensions(media_type, data)
            return MediaFacts(media_type, extension, width, height)
    return MediaFacts(*HTML) if is_html(data) else MediaFacts(*UNKNOWN)


def is_html(data: bytes) -> bool:
    """Whether the bytes start like an HTML page (after a byte-order mark: UTF-16 pages too)."""
    head = data[:SNIFF_BYTES]
    encoding = byte_order_mark(head)
    text = head.decode(encoding or "latin-1", errors="replace").lstrip("\ufeff")
    return HTML_SIGNATURE_RE.match(text) is not None


def dimensions(media_type: str, data: bytes) -> tuple[int | None, int | None]:
    try:
        if media_type == "image/gif" and len(data) >= 10:
            return struct.unpack("<HH", data[6:10])
        if media_type == "image/png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if media_type == "image/bmp" and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return width, abs(height)
        if media_type == "image/jpeg":
            return jpeg_dimensions(data)
        if media_type == "video/x-msvideo":
            return avi_dimensions(data)
    except struct.error:
        pass
    return None, None


def jpeg_dimensions(data: bytes) -> tuple[int | None, int | None]:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None, None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in JPEG_SOF_MARKERS:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if length < 2:
            return None, None
        position += 2 + length
    return None, None


def avi_dimensions(data: bytes) -> tuple[int | None, int | None]:
    """The main AVI header (``avih``) states the frame size at bytes 32-40 of its data."""
    at = data.find(b"avih", 12, 4096)
    if at < 0:
        return None, None
    width, height = struct.unpack("<II", data[at + 8 + 32 : at + 8 + 40])
    return width, height
