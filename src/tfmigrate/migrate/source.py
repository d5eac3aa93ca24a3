"""SOURCE -> the archive a run reads: crawled first, or an archive already (a tfmigrate archive
folder, or WARC files from another crawler), locked for the run; which of its URLs are pages; and
how a worker process opens it.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from tfmigrate.config import CrawlSettings
from tfmigrate.crawl import STATE_FILE, Crawler, CrawlEvent, CrawlSummary
from tfmigrate.crawl.index import WARC_SUFFIXES, ArchivedPage, ArchiveIndex
from tfmigrate.errors import ArchiveError, StartError
from tfmigrate.locks import LOCK_FILE, folder_lock
from tfmigrate.media import SNIFF_BYTES, sniff_media

ARCHIVE_DIR = "archive"
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".txt", "/")


class CrawlProgress(Protocol):
    def crawl_event(self, event: CrawlEvent) -> None: ...


@dataclass(frozen=True)
class Archive:
    folder: Path  # the archive folder, or the WARC files' folder
    index: ArchiveIndex
    crawl: CrawlSummary | None  # this run's crawl, if it crawled


def source_crawler(
    source: str, out_dir: Path, archive_dir: Path | None, settings: CrawlSettings, progress: CrawlProgress
) -> Crawler | None:
    """The crawl the run starts with, its start and folders checked before anything is written;
    None when SOURCE is an archive already (and for --reparse: the caller asks for none)."""
    if is_archive_source(source):
        return None
    crawler = Crawler(source, archive_dir or out_dir / ARCHIVE_DIR, settings, on_event=progress.crawl_event)
    crawler.check_outside(out_dir, "the output folder")
    return crawler


def obtain_archive(
    source: str, archive_dir: Path, settings: CrawlSettings, crawler: Crawler | None, locks: ExitStack
) -> Archive:
    """The archive to read, indexed, and its lock held: the source itself when it is one,
    ``archive_dir`` with --reparse, else the archive after the crawl. An existing archive is indexed
    before it is locked, so that one from a newer version is refused without a byte written to it."""
    if crawler is not None:
        locks.enter_context(crawler.locked())
        summary = crawler.run()
        return Archive(
            crawler.archive_dir, ArchiveIndex.open(crawler.archive_dir, settings.max_bytes), summary
        )
    folder = Path(source) if is_archive_source(source) else archive_dir
    if not is_archive_source(source) and not (folder / STATE_FILE).is_file():
        raise StartError(f"--reparse: no archive in {archive_dir} to rebuild from")
    index = ArchiveIndex.open(folder, settings.max_bytes)
    if (locked := archive_folder(folder)) is not None:
        locks.enter_context(folder_lock(locked, writes=False))
    return Archive(folder, index, None)


def is_archive_source(source: str) -> bool:
    return "://" not in source and is_archive(Path(source))


def is_archive(path: Path) -> bool:
    if (path / STATE_FILE).is_file():
        return True
    if path.is_file():
        return path.name.endswith(WARC_SUFFIXES)
    return path.is_dir() and any(p.name.endswith(WARC_SUFFIXES) for p in path.glob("*"))


def archive_folder(source: Path) -> Path | None:
    """The tfmigrate archive folder a source lies in: itself, or the folder of its ``warc/``."""
    for folder in (source, source.parent, source.parent.parent):
        if (folder / STATE_FILE).is_file() or (folder / LOCK_FILE).is_file():
            return folder
    return None


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


def default_source() -> str:
    """The bundled fixture site: from the working folder, else beside the installed sources."""
    for candidate in (Path("fixtures/html"), Path(__file__).resolve().parents[3] / "fixtures" / "html"):
        if candidate.is_dir():
            return str(candidate)
    raise StartError("no SOURCE given and no bundled fixtures/html here: name a start URL, folder or archive")


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
