"""The crawl loop: claim a URL, wait for the host's turn, fetch, archive, record, enqueue its links.

Fetches run on a small thread pool (``--concurrency`` connections to the one host); everything
else (WARC writing, the state database, link discovery) happens on the calling thread, so the
archive and the database have a single writer, and URLs are committed a batch at a time, each
commit after the records it points at are written out.
"""

from __future__ import annotations

import os
import sqlite3
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.archive import WARC_DIR, WarcArchive, WarcLocation
from tfmigrate.crawl.fetch import (
    Exchange,
    FetchResult,
    FileFetcher,
    HostGate,
    HttpFetcher,
    decode_body,
    describe_status,
)
from tfmigrate.crawl.links import extract_links
from tfmigrate.crawl.robots import RobotsRules, robots_url
from tfmigrate.crawl.state import STATE_FILE, CrawlState, Run, UrlRow, state_error
from tfmigrate.crawl.urls import Scope, canonical_url, path_to_url
from tfmigrate.crawl.wayback import ArchivedCopy, WaybackFetcher
from tfmigrate.errors import OutputError, StartError
from tfmigrate.locks import LOCK_FILE, folder_lock
from tfmigrate.media import sniff_media

# Counting the queue costs SQLite a walk over every queued URL: once per event it made a re-run of
# 10,000 URLs quadratic (benchmarks/), so the progress count is refreshed at most this often (s).
QUEUE_COUNT_INTERVAL = 0.5
# URLs claimed from the queue per transaction; a killed crawl puts claimed URLs back in the queue.
CLAIM_BATCH = 32
# URLs whose results commit together (a kill loses at most these: they are fetched again).
COMMIT_URLS, COMMIT_SECONDS = 256, 1.0

# What an archive folder holds: the state database (and SQLite's files beside it), the WARC files
# and the lock.
ARCHIVE_NAMES = frozenset({STATE_FILE, f"{STATE_FILE}-wal", f"{STATE_FILE}-shm", WARC_DIR, LOCK_FILE})
MAX_URL_LENGTH = 4096
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class CrawlEvent:
    kind: str  # fetched | failed | skipped | robots | note (said once, whatever the verbosity)
    url: str
    outcome: str | None = None
    status: int | None = None
    size: int = 0
    detail: str | None = None
    queued: int = 0


@dataclass
class CrawlSummary:
    run_id: str
    resumed: bool
    robots: str
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    bytes: int = 0
    notes: list[str] = field(default_factory=list)  # what the crawl did other than asked, and why

    def line(self) -> str:
        parts = ", ".join(
            f"{name} {self.counts.get(name, 0)}" for name in ("new", "changed", "unchanged", "gone")
        )
        if kept := self.counts.get("kept", 0):
            parts += f", kept {kept} (no longer in the web archive)"
        resumed = " (resumed)" if self.resumed else ""
        failed, skipped = self.counts.get("failed", 0), self.counts.get("skipped", 0)
        return (
            f"crawl {self.run_id}{resumed}: {parts}, failed {failed}, skipped {skipped} (out of scope);"
            f" {self.bytes:,} bytes"
        )


class CommitBatch:
    """When the crawl's state commits: every ``COMMIT_URLS`` URLs, or ``COMMIT_SECONDS`` after the
    last commit, whichever comes first."""

    def __init__(self, commit: Callable[[], None]) -> None:
        self.commit = commit
        self.pending = 0
        self.since = time.monotonic()

    def count(self) -> None:
        self.pending += 1
        if self.pending >= COMMIT_URLS or time.monotonic() - self.since >= COMMIT_SECONDS:
            self.commit()
            self.pending, self.since = 0, time.monotonic()


def resolve_start(start: str) -> tuple[list[str], str]:
    """(seed URLs, scope URL) for a start URL, a ``file://`` URL, a folder or a file on disk."""
    parts = urlsplit(start)
    if parts.scheme in ("http", "https") and parts.netloc:
        url = canonical_url(start)
        return [url], url
    path = Path(start[len("file://") :] if parts.scheme == "file" else start)
    if path.is_dir():
        index = next((path / n for n in ("index.html", "index.htm") if (path / n).is_file()), None)
        seeds = [index] if index else sorted(p for p in path.glob("*.htm*") if p.is_file())
        if not seeds:
            raise StartError(f"{start}: the folder has no index.html and no HTML files to start from")
        return [path_to_url(p) for p in seeds], path_to_url(path).rstrip("/") + "/"
    if path.is_file():
        url = path_to_url(path)
        return [url], url
    raise StartError(f"{start}: neither an http(s) URL nor an existing file or folder")


class Crawler:
    def __init__(
        self,
        start: str,
        archive_dir: Path,
        settings: CrawlSettings,
        on_event: Callable[[CrawlEvent], None] | None = None,
    ) -> None:
        self.seeds, scope_url = resolve_start(start)
        self.archive_dir = archive_dir
        self.settings = settings
        self.on_event = on_event or (lambda event: None)
        self.scope = Scope.around(scope_url, settings.include, settings.exclude, settings.follow_action_links)
        refusals = [(seed, self.scope.refusal(seed)) for seed in self.seeds]
        if all(refusal for _, refusal in refusals):
            seed, refusal = refusals[0]
            raise StartError(
                f"the start URL {seed} is out of the crawl's scope ({refusal}): nothing to crawl"
            )
        self.is_http = self.scope.scheme in ("http", "https")
        if settings.wayback and not self.is_http:
            raise StartError(f"{start}: with --wayback, START is the site's original address (http://...)")
        self._queued = (0, -QUEUE_COUNT_INTERVAL)  # (last count, when it was taken)

    def check_outside(self, folder: Path, what: str) -> None:
        """Refuse a folder the run writes that lies inside the local copy it crawls, or holds it:
        ``--out`` inside the source folder made the next run crawl its own output (the cases
        moved to ``.tfmigrate/.../originals/...``, then were all withdrawn)."""
        root = self.scope.root
        target = Path(os.path.realpath(folder))
        if root is not None and (target.is_relative_to(root) or root.is_relative_to(target)):
            raise StartError(
                f"{what} {folder} and the folder it would crawl ({root}) overlap; put one outside the other"
            )

    def locked(self) -> AbstractContextManager[None]:
        """The archive's lock, for as long as the caller holds it; refused before the lock file is
        made when the folder is not an archive, or lies in the folder the crawl reads."""
        self.check_outside(self.archive_dir, "the archive")
        check_archive_folder(self.archive_dir)
        return folder_lock(self.archive_dir, writes=True)

    def run(self) -> CrawlSummary:
        """Crawl into the archive; a full disk or unwritable archive ends the run as OutputError,
        another tfmigrate on the same archive as StartError before anything is touched."""
        with self.locked():
            state = CrawlState.open(self.archive_dir / STATE_FILE)
            try:
                return self._run(state)
            except sqlite3.Error as exc:
                raise state_error(self.archive_dir / STATE_FILE, exc) from exc
            except OSError as exc:
                raise OutputError(
                    f"cannot write the archive {self.archive_dir}: {exc.strerror or exc}"
                ) from exc
            finally:
                state.close()

    def _run(self, state: CrawlState) -> CrawlSummary:
        run = state.begin_run(self.seeds, self.settings.model_dump(mode="json"))
        if run.resumed:
            repair_torn_warcs(self.archive_dir / WARC_DIR, state.committed_ends(), run.run_id)
        archive = WarcArchive(
            self.archive_dir / WARC_DIR,
            run.run_id,
            self.settings.warc_max_bytes,
            {
                "isPartOf": run.run_id,
                "robots": "ignore" if self.settings.wayback else "obey",
                "http-header-user-agent": self.settings.user_agent,
            },
        )
        fetcher = self._fetcher(state)
        try:
            summary = self._crawl(state, run, archive, fetcher)
        finally:
            archive.close()
            fetcher.close()
        state.finish_run(run.run_id)
        summary.counts = state.outcomes(run.run_id)
        summary.failures = [(r.url, r.reason or "") for r in state.rows_with(run.run_id, "failed")]
        return summary

    def _fetcher(self, state: CrawlState) -> Fetcher:
        if self.settings.wayback:
            archived = {
                row.url: ArchivedCopy(row.location.date, redirected=row.final_url is not None)
                for row in state.all_rows()
                if row.location and row.sha256
            }
            return WaybackFetcher(self.settings, archived)
        return (
            HttpFetcher(self.settings)
            if self.scope.root is None
            else FileFetcher(self.settings, self.scope.root)
        )

    def _crawl(self, state: CrawlState, run: Run, archive: WarcArchive, fetcher: Fetcher) -> CrawlSummary:
        if isinstance(fetcher, WaybackFetcher):
            # The site is gone: its robots.txt spoke to crawlers of the live site, not to readers
            # of an archive. Every URL in scope that the archive lists is queued.
            robots = RobotsRules.allowing_all("not read: the site is read from a web archive")
            state.add(fetcher.list_site(self.scope), run.run_id)
        elif self.is_http:
            robots = self._read_robots(state, archive, fetcher)
        else:
            robots = RobotsRules.allowing_all("local copy")
        summary = CrawlSummary(run_id=run.run_id, resumed=run.resumed, robots=robots.status)
        asked, cap = robots.crawl_delay or 0.0, self.settings.crawl_delay_max
        if asked > cap:  # Crawl-delay: 86400 once held a crawl silently for a day per request
            note = f"robots.txt asks for a Crawl-delay of {asked:g} s; waiting {cap:g} s (the cap) instead"
            summary.notes.append(note)
            self.emit(state, CrawlEvent("note", robots_url(self.seeds[0]), detail=note))
        gate = HostGate(max(self.settings.delay_for(self.is_http), min(asked, cap)))

        def fetch(row: UrlRow) -> FetchResult:
            gate.wait_turn()
            return fetcher.fetch(row.url, conditional_headers(row), self.scope)

        with (
            ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="fetch") as pool,
            state.batched(archive.flush) as commit,
        ):
            in_flight: dict[Future[FetchResult], UrlRow] = {}
            claimed: deque[UrlRow] = deque()
            batch = CommitBatch(commit)
            while True:
                while len(in_flight) < self.settings.concurrency:
                    claimed = claimed or self._claim(state, robots)
                    if not claimed:
                        break
                    row = claimed.popleft()
                    in_flight[pool.submit(fetch, row)] = row
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    row = in_flight.pop(future)
                    summary.bytes += self._record(state, archive, run.run_id, row, future.result())
                    batch.count()
        return summary

    def _claim(self, state: CrawlState, robots: RobotsRules) -> deque[UrlRow]:
        """The next queued URLs to fetch; those out of scope or disallowed by robots.txt on the way
        are recorded as such, a batch at a time. Empty when the queue is."""
        while rows := state.claim(CLAIM_BATCH):
            fetchable: deque[UrlRow] = deque()
            refused: list[tuple[str, str, str]] = []
            for row in rows:
                if refusal := self.scope.refusal(row.url):
                    refused.append((row.url, "skipped", refusal))
                elif not robots.can_fetch(row.url):
                    refused.append((row.url, "failed", f"robots.txt disallows it ({robots.status})"))
                else:
                    fetchable.append(row)
            state.record_unfetched(refused)
            for url, outcome, reason in refused:
                self.emit(state, CrawlEvent(outcome, url, outcome, detail=reason))
            if fetchable:
                return fetchable
        return deque()

    def _read_robots(self, state: CrawlState, archive: WarcArchive, fetcher: Fetcher) -> RobotsRules:
        url = robots_url(self.seeds[0])
        result = fetcher.fetch(url, None, None)
        final = result.final
        if final is None:
            raise StartError(f"cannot reach {urlsplit(url).netloc}: {result.failure}")
        location = archive.write_exchange(final)
        archive.flush()
        rules = robots_rules(final, result.failure)
        state.ensure(url, run_id=archive.run_id)
        state.record(
            url,
            run_id=archive.run_id,
            outcome="robots",
            reason=rules.status,
            status=final.status,
            warc_end=(location.file, location.offset + location.length),
        )
        self.emit(state, CrawlEvent("robots", url, status=final.status, detail=rules.status))
        return rules

    def _record(
        self, state: CrawlState, archive: WarcArchive, run_id: str, previous: UrlRow, result: FetchResult
    ) -> int:
        """Archive a fetch's exchanges and commit the URL's outcome; the bytes it brought. ``previous``
        is the URL's row as it was when it was claimed (nothing else writes it meanwhile)."""
        url = previous.url
        if result.unfetched is not None:
            kept_as, why = result.unfetched
            state.record(url, run_id=run_id, outcome=kept_as, reason=why)
            self.emit(state, CrawlEvent("fetched", url, kept_as, detail=why))
            return 0
        location: WarcLocation | None = None
        # A file found unchanged on disk is no capture: the archive keeps its one copy (a mirror of
        # 5,000 pages grew by 17 MB a run when every file was archived again).
        archived = [e for e in result.exchanges if e.is_http or e.status != 304]
        for exchange in archived:
            if exchange.status == 304 and previous.location is not None:
                archive.write_revisit(exchange, previous.location, previous.final_url or url)
            else:
                location = archive.write_exchange(exchange)
        warc_end = (archive.name, archive.position) if archived else None
        final = result.final
        size = sum(len(e.body) for e in result.exchanges)
        if result.failure or final is None:
            failure = result.failure or "no response"
            status = final.status if final else None
            state.record(
                url, run_id=run_id, outcome="failed", reason=failure, status=status, warc_end=warc_end
            )
            self.emit(state, CrawlEvent("failed", url, "failed", status=status, size=size, detail=failure))
            return size
        outcome, reason, payload, discovered = self._classify(url, final, previous, location)
        validators = (
            (final.original_header("ETag"), final.original_header("Last-Modified"))
            if final.status < 400
            else None
        )
        if validators and final.status == 304:
            # RFC 9110 15.4.5: a 304 need not repeat Last-Modified (our test server's does not), and the
            # record of the page keeps it as the date of its last change.
            validators = (validators[0] or previous.etag, validators[1] or previous.last_modified)
        state.record(
            url,
            run_id=run_id,
            outcome=outcome,
            reason=reason,
            status=final.status,
            final_url=final.url if final.url != url else None,
            payload=payload,
            validators=validators,
            discovered=discovered,
            warc_end=warc_end,
        )
        kind = "failed" if outcome == "failed" else "fetched"
        self.emit(state, CrawlEvent(kind, url, outcome, status=final.status, size=size, detail=reason))
        return size

    def emit(self, state: CrawlState, event: CrawlEvent) -> None:
        count, taken = self._queued
        if (now := time.monotonic()) - taken >= QUEUE_COUNT_INTERVAL:
            count = state.queued()
            self._queued = (count, now)
        self.on_event(replace(event, queued=count))

    def _classify(
        self, url: str, final: Exchange, previous: UrlRow, location: WarcLocation | None
    ) -> tuple[str, str | None, tuple[str, int, str | None, WarcLocation] | None, list[str]]:
        """(outcome, reason, new payload, discovered links) of a final response."""
        had_payload = previous.has_payload
        if final.status == 304:
            if had_payload:
                return "unchanged", "not modified (304)", None, []
            return "failed", "304 without an archived copy to confirm", None, []
        if 200 <= final.status < 300 and location is not None and final.sha256:
            content_type = final.header("Content-Type")
            payload = (final.sha256, final.decoded_size, content_type, location)
            if not had_payload:
                outcome = "new"
            else:
                outcome = "unchanged" if previous.sha256 == final.sha256 else "changed"
            return outcome, None, payload, self._links(final, content_type)
        if final.status in (404, 410):
            if had_payload:
                return "gone", describe_status(final), None, []
            return "failed", describe_status(final), None, []
        return "failed", describe_status(final), None, []

    def _links(self, final: Exchange, content_type: str | None) -> list[str]:
        body = decode_body(final)
        # A page served as another type is a page all the same (the parser sniffs it too).
        if not is_html(content_type, final.url) and sniff_media(body).media_type != "text/html":
            return []
        urls = []
        for link in extract_links(body, final.url):
            if len(link) > MAX_URL_LENGTH:
                continue
            try:
                urls.append(canonical_url(link))
            except ValueError:
                continue
        return urls


Fetcher = HttpFetcher | FileFetcher | WaybackFetcher


def robots_rules(final: Exchange, failure: str | None) -> RobotsRules:
    """A robots.txt cut short or undecodable is a network error: RFC 9309 disallows everything."""
    if failure is not None:
        return RobotsRules.from_response(None, b"")
    try:
        return RobotsRules.from_response(final.status, decode_body(final) if final.status < 300 else b"")
    except zlib.error:
        return RobotsRules.from_response(None, b"")


def is_html(content_type: str | None, url: str) -> bool:
    if content_type:
        return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES
    return urlsplit(url).path.lower().endswith((".html", ".htm", "/"))


def conditional_headers(row: UrlRow) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the validators stored last time (only with a copy)."""
    if not row.has_payload:
        return {}
    headers = {}
    if row.etag:
        headers["If-None-Match"] = row.etag
    if row.last_modified:
        headers["If-Modified-Since"] = row.last_modified
    return headers


def check_archive_folder(archive_dir: Path) -> None:
    """Refuse to crawl into a folder that holds something other than a tfmigrate archive: a
    user's own ``archive/`` under ``--out`` was once filled with our files, mixed with theirs."""
    if not archive_dir.is_dir() or (archive_dir / STATE_FILE).is_file():
        return
    foreign = sorted(p.name for p in archive_dir.iterdir() if p.name not in ARCHIVE_NAMES)
    if foreign:
        raise StartError(
            f"{archive_dir} is not a tfmigrate archive (it holds {foreign[0]!r}); move it away or name"
            " another archive folder"
        )


def repair_torn_warcs(directory: Path, committed_ends: dict[str, int], run_id: str) -> None:
    """After a kill: cut each WARC file back to its last committed record; drop uncommitted files."""
    for path in sorted(directory.glob(f"{run_id}-*.warc.gz")):
        end = committed_ends.get(path.name)
        if end is None:
            path.unlink()
        elif path.stat().st_size > end:
            with path.open("r+b") as handle:
                handle.truncate(end)
