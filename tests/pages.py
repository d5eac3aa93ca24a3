"""The test inputs: fixture site pages, markup variants and real page texts, each with its URL."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXTURES, REALPAGES, SITE, SITE_BASE_URL
from tfmigrate.errors import NotACasePageError, TfMigrateError
from tfmigrate.models import Case
from tfmigrate.parse import parse_page
from tfmigrate.records import case_to_json

SOURCES_ROW_RE = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*(?P<url>\S+)\s*\|", re.MULTILINE)
VARIANT_RE = re.compile(r"^(?P<case>[a-z]{2}\d{3})-style[A-Z]$")


@dataclass(frozen=True)
class Page:
    group: str  # site, variants, realpages, seeds
    path: Path
    url: str

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"

    @property
    def name(self) -> str:
        root = {"site": SITE, "variants": FIXTURES / "variants"}.get(self.group, self.path.parent)
        return self.path.relative_to(root).as_posix()

    def parse(self) -> Case:
        return parse_page(self.path.read_bytes(), self.url)

    def is_case_page(self) -> bool:
        try:
            self.parse()
        except NotACasePageError:
            return False
        return True


def site_pages() -> list[Page]:
    return [
        Page("site", path, SITE_BASE_URL + path.relative_to(SITE).as_posix())
        for path in sorted(SITE.rglob("*.html"))
    ]


def variant_pages() -> list[Page]:
    """Alternative markups of a site page, parsed at that page's URL so links resolve alike."""
    pages = []
    for path in sorted((FIXTURES / "variants").glob("*.html")):
        match = VARIANT_RE.match(path.stem)
        assert match, f"unexpected variant name {path.name}"
        (original,) = SITE.glob(f"{match['case']}te*.html")
        pages.append(Page("variants", path, SITE_BASE_URL + original.name))
    return pages


def real_pages() -> list[Page]:
    """The archived text renderings, at the URLs SOURCES.md gives."""
    sources = (REALPAGES / "SOURCES.md").read_text(encoding="utf-8")
    urls = {m["file"]: m["url"] for m in SOURCES_ROW_RE.finditer(sources)}
    pages = [Page("realpages", REALPAGES / name, url) for name, url in sorted(urls.items())]
    assert all(page.path.is_file() for page in pages), f"missing real pages under {REALPAGES}"
    return pages


def quirk_pages() -> list[Page]:
    """Text renderings carrying the quirks of real pages kept aside (fixtures/quirks/README.md)."""
    pages = []
    for path in sorted((FIXTURES / "quirks").glob("*.txt")):
        folder = "newtfh/general/combined/" if path.stem.startswith("small_") else ""
        pages.append(Page("quirks", path, f"{SITE_BASE_URL}{folder}{path.stem}.html"))
    return pages


def parses_or_refuses(raw: bytes, url: str = SITE_BASE_URL + "bs125te148.html") -> None:
    """The never-crash property: a record that serialises, or one of the package's own errors (a typed
    refusal is a correct answer); anything else propagates and fails the test."""
    with contextlib.suppress(TfMigrateError):
        case_to_json(parse_page(raw, url))
