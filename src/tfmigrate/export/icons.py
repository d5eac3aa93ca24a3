"""Icons of image files: the small JPEG a teaching platform shows in its strip of images.

The RSNA Teaching File System draws each image's token 64 pixels wide and makes ``<name>_icon.jpeg``
at that width when it imports an image itself; an imported document brings its own. Images smaller
than that are not enlarged. The first frame stands for an animated GIF (gi005's cine loop).
The files come from a hostile site: a file Pillow cannot decode, or one whose header claims more
pixels than any teaching image has (a decompression bomb), gets no icon and a reason instead.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

ICON_WIDTH = 64
# Checked against the header before any pixel is decoded; the site's largest images are ~1 Mpx.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85


class IconError(Exception):
    """An image that cannot be made into an icon; the message says why."""


def make_icon(data: bytes, width: int = ICON_WIDTH) -> bytes:
    """A JPEG at most ``width`` pixels wide, its height in proportion."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            columns, rows = image.size
            if columns * rows > MAX_PIXELS:
                raise IconError(f"{columns}x{rows} pixels is more than any teaching image has")
            height = max(1, round(rows * min(width, columns) / columns))
            image.thumbnail((width, height))
            icon = image.convert("L" if image.mode in ("1", "L", "LA") else "RGB")
            out = io.BytesIO()
            icon.save(out, "JPEG", quality=JPEG_QUALITY)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise IconError(f"cannot decode: {exc}") from exc
    return out.getvalue()
