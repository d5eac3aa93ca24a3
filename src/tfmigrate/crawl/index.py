"""What an archive holds: for each URL its last good payload, read without the network.

Two kinds of archive: a tfmigrate archive folder (its state database knows every URL), or WARC
files written by another tool (wget --warc-file, Heritrix, Browsertrix), indexed by reading them.
"""

from __future__ import annotations

import collections
import datetime as dt
import email.utils
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import astuple, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from warcio.archiveiterator import ArchiveIterator

from tfmigrate.crawl.archive import (
    WARC_DIR,
    WarcLocation,
    decoded_chunks,
    payload_decoder,
    read_capture,
    read_payload,
)
from tfmigrate.crawl.bodies import BodyTooLargeError
from tfmigrate.crawl.state import STATE_FILE, CrawlState
from tfmigrate.crawl.urls import canonical_url, capture_address
from tfmigrate.errors import OutputError, StartError

WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """A URL's last good payload and what became of the URL in the latest crawl.

    The index holds one per archived URL for the whole run, so it is kept small: slots, and the
    strings thousands of pages share (content type, WARC file name) interned."""

    url: str
    sha256: str
    size: int
    content_type: str | None
    location: WarcLocation
    status: int | None  # the latest status: 404/410 for a page that has gone since
    last_fetched: str | None
    last_modified: str | None = None  # the Last-Modified header as the server sent it
    final_url: str | None = None  # where a redirect led: the payload is that URL's

    @property
    def base_url(self) -> str:
        """The URL the page's links resolve against: the one its bytes were served from, as the
        crawl resolved them (a redirected case page once lost its images: the crawl had fetched
        them relative to the redirect's target, the parser looked relative to the first URL)."""
        return self.final_url or self.url

    @property
    def is_gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def charset(self) -> str | None:
        for part in (self.content_type or "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None


def last_modified_time(url: str, last_modified: str | None) -> dt.datetime | None:
    """A page's Last-Modified time in UTC, from the header the server sent; None when it sent none,
    or no HTTP date. A folder source has none: a file's modification time is as likely a copy's (a
    clone's checkout)."""
    if url.startswith("file:"):
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(last_modified or "")
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class ArchiveIndex:
    def __init__(
        self,
        warc_dir: Path,
        pages: Mapping[str, ArchivedPage],
        aliases: Mapping[str, str],
        max_bytes: int | None = None,
        refused: list[tuple[str, str]] | None = None,
        live_files: frozenset[str] = frozenset(),
    ) -> None:
        self.warc_dir = warc_dir
        self.pages = pages
        self.aliases = aliases  # redirect targets -> the URL whose row holds their payload
        self.max_bytes = max_bytes  # --max-bytes: no payload larger is read
        self.refused = refused or []  # (url, reason): captures not indexed, over max_bytes
        self.live_files = live_files  # WARC files known to hold no replayed capture

    @classmethod
    def open(cls, path: Path, max_bytes: int | None = None) -> ArchiveIndex:
        """An archive folder with a state database, or WARC files (a file or a folder of them)."""
        if (path / STATE_FILE).is_file():
            return cls.from_state(path, max_bytes)
        files = (
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.name.endswith(WARC_SUFFIXES))
        )
        if not files or not all(f.name.endswith(WARC_SUFFIXES) for f in files):
            raise StartError(f"{path}: neither a tfmigrate archive (no {STATE_FILE}) nor WARC files")
        return cls.from_warcs(files, max_bytes)

    @classmethod
    def from_state(cls, archive_dir: Path, max_bytes: int | None = None) -> ArchiveIndex:
        state = CrawlState.open_read_only(archive_dir / STATE_FILE)
        try:
            pages: dict[str, ArchivedPage] = {}
            aliases: dict[str, str] = {}
            live_files = state.live_files()
            for row in state.all_rows():
                if row.location is None or row.sha256 is None:
                    continue
                location = replace(row.location, file=sys.intern(row.location.file))
                pages[row.url] = ArchivedPage(
                    url=row.url,
                    sha256=row.sha256,
                    size=row.size or 0,
                    content_type=sys.intern(row.content_type) if row.content_type else None,
                    location=location,
                    status=row.status,
                    last_fetched=row.last_fetched,
                    last_modified=row.last_modified,
                    final_url=row.final_url,
                )
                if row.final_url:
                    aliases.setdefault(row.final_url, row.url)
        finally:
            state.close()
        return cls(archive_dir / WARC_DIR, pages, aliases, max_bytes, live_files=live_files)

    @classmethod
    def from_warcs(cls, files: list[Path], max_bytes: int | None = None) -> ArchiveIndex:
        """Index foreign WARC files: the last 200 response (or resource) record of each URL.

        Payloads are hashed as they stream, never held whole: a 1.5 MB ``.warc.gz`` can hold a
        record of 1.5 GB, which once took 3 GB of memory. One over ``max_bytes`` is not indexed."""
        root = files[0].parent if len(files) == 1 else Path(*commonparts(files))
        pages: dict[str, ArchivedPage] = {}
        refused: list[tuple[str, str]] = []
        for path in files:
            with path.open("rb") as handle:
                iterator = ArchiveIterator(handle)
                for record in iterator:
                    if record.rec_type not in ("response", "resource"):
                        continue
                    status = record.http_headers.get_statuscode() if record.http_headers else "200"
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if status != "200" or not uri:
                        continue
                    url = canonical_url(uri)
                    decoder = payload_decoder(record, max_bytes)
                    try:
                        collections.deque(decoded_chunks(record, decoder), maxlen=0)  # hashed, not kept
                    except (BodyTooLargeError, zlib.error) as exc:
                        refused.append((url, f"archived payload not read: {exc}"))
                        continue
                    finally:
                        iterator.read_to_end(record)
                    content_type = (
                        record.http_headers.get_header("Content-Type")
                        if record.http_headers
                        else record.rec_headers.get_header("Content-Type")
                    )
                    pages[url] = ArchivedPage(
                        url=url,
                        sha256=decoder.digest.hexdigest(),
                        size=decoder.size,
                        content_type=content_type,
                        location=WarcLocation(
                            file=path.relative_to(root).as_posix(),
                            offset=iterator.get_record_offset(),
                            length=iterator.get_record_length(),
                            date=record.rec_headers.get_header("WARC-Date") or "",
                            digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
                        ),
                        status=200,
                        last_fetched=record.rec_headers.get_header("WARC-Date"),
                        last_modified=(
                            record.http_headers.get_header("Last-Modified") if record.http_headers else None
                        ),
                    )
        return cls(root, pages, {}, max_bytes, refused)

    @classmethod
    def open_lookup(cls, path: Path, warc_dir: Path, max_bytes: int | None = None) -> ArchiveIndex:
        """The index ``write_lookup`` wrote, read a URL at a time."""
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        aliases = StoredMap(connection, "aliases", lambda row: str(row[1]))
        live_files = frozenset(file for (file,) in connection.execute("SELECT file FROM live_files"))
        pages = StoredMap(connection, "pages", page_from_row)
        return cls(warc_dir, pages, aliases, max_bytes, live_files=live_files)

    def write_lookup(self, path: Path) -> None:
        """The index as a SQLite file, for processes that look a URL up at a time without holding
        the whole index (a worker holding it would add its memory again)."""
        try:
            with closing(sqlite3.connect(path)) as connection:
                connection.executescript(LOOKUP_SCHEMA)
                connection.executemany(
                    f"INSERT INTO pages VALUES ({', '.join('?' * len(PAGE_COLUMNS))})",
                    (page_row(page) for page in self.pages.values()),
                )
                connection.executemany("INSERT INTO aliases VALUES (?, ?)", self.aliases.items())
                connection.executemany("INSERT INTO live_files VALUES (?)", ((f,) for f in self.live_files))
                connection.commit()
        except sqlite3.Error as exc:  # a full disk, as SQLite says it
            raise OutputError(f"cannot write {path}: {exc}") from exc

    def get(self, url: str) -> ArchivedPage | None:
        if (page := self.pages.get(url)) is not None:  # already canonical: a URL from this index
            return page
        url = canonical_url(url)
        return self.pages.get(url) or self.pages.get(self.aliases.get(url, ""))

    def payload(self, page: ArchivedPage, head: int | None = None) -> bytes:
        """The page's archived bytes, held to its sha256 (only its first ``head`` bytes when given)."""
        sha256 = page.sha256 if head is None else None
        return read_payload(self.warc_dir, page.location, sha256, self.max_bytes, head)

    def capture(self, location: WarcLocation) -> dict[str, str | dt.datetime | None]:
        """The web archive capture a page's payload was replayed from (migrate --wayback), as a
        record's source names it: its address there and when it was made; None for both when the
        page was fetched live or read from disk. A live run's WARC file is not opened for it: reading
        the record's headers cost every case of a run 75 us (benchmarks/CHANGES.md)."""
        found = None if location.file in self.live_files else read_capture(self.warc_dir, location)
        if found is None:
            return {"archive_url": None, "captured": None}
        replayed_from, warc_date = found
        return {
            "archive_url": capture_address(replayed_from),
            "captured": dt.datetime.fromisoformat(warc_date),
        }

    def __iter__(self) -> Iterator[ArchivedPage]:
        return iter(sorted(self.pages.values(), key=lambda p: p.url))

    def __len__(self) -> int:
        return len(self.pages)


PAGE_COLUMNS = (
    "url", "sha256", "size", "content_type", "file", "offset", "length", "date", "digest", "status",
    "last_fetched", "last_modified", "final_url",
)  # fmt: skip
LOOKUP_SCHEMA = f"""
CREATE TABLE pages ({", ".join(PAGE_COLUMNS)}, PRIMARY KEY (url)) WITHOUT ROWID;
CREATE TABLE aliases (url PRIMARY KEY, target) WITHOUT ROWID;
CREATE TABLE live_files (file PRIMARY KEY) WITHOUT ROWID;
"""


def page_row(page: ArchivedPage) -> tuple[object, ...]:
    location = astuple(page.location)
    return (page.url, page.sha256, page.size, page.content_type, *location, page.status,
            page.last_fetched, page.last_modified, page.final_url)  # fmt: skip


def page_from_row(row: tuple[Any, ...]) -> ArchivedPage:
    url, sha256, size, content_type, file, offset, length, date, digest, status, *rest = row
    last_fetched, last_modified, final_url = rest
    location = WarcLocation(file, offset, length, date, digest)
    return ArchivedPage(
        url, sha256, size, content_type, location, status, last_fetched, last_modified, final_url
    )


V = TypeVar("V")


class StoredMap(Mapping[str, V]):
    """A table of an index's lookup file, read one URL at a time."""

    def __init__(
        self, connection: sqlite3.Connection, table: str, value: Callable[[tuple[Any, ...]], V]
    ) -> None:
        self.connection, self.table, self.value = connection, table, value

    def __getitem__(self, url: str) -> V:
        row = self.connection.execute(f"SELECT * FROM {self.table} WHERE url = ?", (url,)).fetchone()
        if row is None:
            raise KeyError(url)
        return self.value(row)

    def __iter__(self) -> Iterator[str]:
        return (url for (url,) in self.connection.execute(f"SELECT url FROM {self.table} ORDER BY url"))

    def __len__(self) -> int:
        count: int = self.connection.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0]
        return count


def commonparts(paths: list[Path]) -> tuple[str, ...]:
    parts = [p.parent.parts for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return tuple(common)
