"""newtfh prints each case twice, at two image sizes: ``small_<id>.html`` and
``submitted_<id>.html``. Both pages give one case id; the as-submitted page is the one kept, since
its images are the originals. ``tfmigrate parse`` and ``migrate`` both choose by this rule.
"""

from __future__ import annotations

import re

IMAGE_SIZE_PAGE_RE = re.compile(r"/(small|submitted)_(\d+)\.html?$", re.IGNORECASE)


def twin_kept(first: str, second: str) -> str | None:
    """Of two pages (URLs or paths) that give one case id: the one to keep when they are one
    newtfh case at its two image sizes; None when they are not such twins."""
    a, b = IMAGE_SIZE_PAGE_RE.search(first), IMAGE_SIZE_PAGE_RE.search(second)
    if not (a and b and a[2] == b[2] and a[1].lower() != b[1].lower()):
        return None
    return first if a[1].lower() == "submitted" else second
