"""Which of an archive's URLs are pages, and how a worker process opens the archive. Nothing here
imports the crawler or the HTTP stack: a worker reads the archive only, and each module it imports
counts again in every worker's memory (benchmarks/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tfmigrate.crawl.index import ArchivedPage, ArchiveIndex
from tfmigrate.errors import ArchiveError
from tfmigrate.media import SNIFF_BYTES, sniff_media

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".txt", "/")


def is_page(page: ArchivedPage, index: ArchiveIndex) -> bool:
    """A page to parse: served as HTML or text, or without a type under a page's name; or, served
    as anything else, bytes that start like an HTML page (a case page served as image/jpeg or
    application/octet-stream once vanished: not parsed, not failed, not listed)."""
    declared = declared_type(page)
    if declared in HTML_TYPES or (not declared and urlsplit(page.url).path.lower().endswith(PAGE_SUFFIXES)):
        return True
    try:
        return sniff_media(index.payload(page, head=SNIFF_BYTES)).media_type == "text/html"
    except ArchiveError:
        return False  # a damaged copy: doctor names it


def declared_type(page: ArchivedPage) -> str:
    return (page.content_type or "").split(";", 1)[0].strip().lower()


def served_as(page: ArchivedPage) -> str | None:
    """The media type a page was served as when it is not a page's (its bytes are one all the same)."""
    declared = declared_type(page)
    return declared if declared not in ("", *HTML_TYPES) else None


@dataclass(frozen=True)
class ArchiveRef:
    """The archive as a worker process opens it: the index as a SQLite file (a URL looked up at a
    time: the whole index would count again in every worker's memory) and the WARC folder."""

    lookup: Path
    warc_dir: Path
    max_bytes: int | None


# Indexes open in this process, by lookup file: the run's own (in memory), or a worker's.
OPEN_INDEXES: dict[Path, ArchiveIndex] = {}


def open_archive(ref: ArchiveRef) -> ArchiveIndex:
    index = OPEN_INDEXES.get(ref.lookup)
    if index is None:
        index = OPEN_INDEXES[ref.lookup] = ArchiveIndex.open_lookup(ref.lookup, ref.warc_dir, ref.max_bytes)
    return index
