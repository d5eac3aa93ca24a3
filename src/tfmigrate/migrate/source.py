"""SOURCE -> the archive a run reads: crawled first, or an archive already (a tfmigrate archive
folder, or WARC files from another crawler), locked for the run. Which of its URLs are pages and
how a worker opens it are ``archived``'s: a worker does not import the crawler.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.crawler import Crawler, CrawlEvent, CrawlSummary
from tfmigrate.crawl.index import WARC_SUFFIXES, ArchiveIndex
from tfmigrate.crawl.state import STATE_FILE
from tfmigrate.errors import StartError
from tfmigrate.locks import LOCK_FILE, folder_lock

ARCHIVE_DIR = "archive"


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


def default_source() -> str:
    """The bundled fixture site: from the working folder, else beside the installed sources."""
    for candidate in (Path("fixtures/html"), Path(__file__).resolve().parents[3] / "fixtures" / "html"):
        if candidate.is_dir():
            return str(candidate)
    raise StartError("no SOURCE given and no bundled fixtures/html here: name a start URL, folder or archive")
