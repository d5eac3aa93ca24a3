"""Crawl state in SQLite (WAL): one row per canonical URL, a transaction per batch of fetched URLs.

A crawl killed at any moment (SIGKILL) loses at most the URLs in flight and those of its last
uncommitted batch (a second's worth at most): on the next start they go back to the queue. A new
run on an existing archive re-queues every known URL with its validators, so a re-run revalidates
the whole site and finds what changed or vanished.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tfmigrate.crawl.archive import WarcLocation
from tfmigrate.errors import OutputError, StateError, TfMigrateError
from tfmigrate.runs import new_run_id, now_iso

# The crawl state database, in the archive folder beside WARC_DIR.
STATE_FILE = "state.sqlite"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    start_url TEXT NOT NULL,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    state TEXT NOT NULL,            -- queued | in_flight | done
    run_id TEXT NOT NULL,           -- the run that last queued it
    outcome TEXT,           -- in that run: new, changed, unchanged, gone, failed, skipped, robots
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    status INTEGER,
    final_url TEXT,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,                    -- of the last good payload (content coding undone)
    size INTEGER,
    warc_file TEXT,                 -- where that payload's record is
    warc_offset INTEGER,
    warc_length INTEGER,
    warc_date TEXT,
    warc_digest TEXT,
    parent TEXT,
    first_seen TEXT NOT NULL,
    last_fetched TEXT,
    last_changed TEXT
);
CREATE INDEX IF NOT EXISTS urls_queue ON urls (state);
CREATE TABLE IF NOT EXISTS warc_files (
    file TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    committed_end INTEGER NOT NULL  -- bytes up to the end of the last record a commit covers
);
"""


@dataclass(frozen=True)
class UrlRow:
    url: str
    status: int | None
    sha256: str | None
    etag: str | None
    last_modified: str | None
    location: WarcLocation | None
    final_url: str | None
    content_type: str | None
    outcome: str | None
    reason: str | None
    size: int | None = None
    last_fetched: str | None = None

    @property
    def has_payload(self) -> bool:
        return self.location is not None and self.sha256 is not None


@dataclass(frozen=True)
class Run:
    run_id: str
    resumed: bool


class CrawlState:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    @classmethod
    def open(cls, path: Path) -> CrawlState:
        """Open (or create) the state database; a newer schema is refused before anything changes."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open {path}: {exc}") from exc
        try:
            db.row_factory = sqlite3.Row
            version = stored_schema_version(db)
            if version is not None and version > SCHEMA_VERSION:
                raise StateError(
                    f"{path}: written by a newer tfmigrate (state schema {version}; this version reads"
                    f" {SCHEMA_VERSION})"
                )
            db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL: a committed URL survives a killed process (the crawl's
            # resume contract); only a power cut can lose the last commits, and resuming then
            # cuts the WARC files back to what the database knows.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            db.close()
            raise state_error(path, exc) from exc
        except StateError:
            db.close()
            raise
        return cls(db)

    @classmethod
    def open_read_only(cls, path: Path) -> CrawlState:
        """Open an existing state database for reading only (an archive on read-only media too)."""
        if not path.is_file():
            raise StateError(f"{path}: no crawl state database here")
        last_error: sqlite3.Error | None = None
        for mode in ("mode=ro", "immutable=1"):  # immutable: no -wal/-shm can be created beside it
            try:
                db = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, isolation_level=None)
                db.row_factory = sqlite3.Row
                version = stored_schema_version(db)
            except sqlite3.Error as exc:
                last_error = exc
                continue
            if version is not None and version > SCHEMA_VERSION:
                db.close()
                raise StateError(f"{path}: written by a newer tfmigrate (state schema {version})")
            return cls(db)
        assert last_error is not None
        raise state_error(path, last_error) from last_error

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT: the connection is in autocommit mode, where ``with db:`` would not
        open a transaction and a kill between two statements would leave half a result. Inside
        ``batched``, the statements join its transaction."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def batched(self, before_commit: Callable[[], None]) -> Iterator[Callable[[], None]]:
        """One transaction over many URLs' results, committed by the function it gives (when the
        caller finds it due) and at its end, each time after ``before_commit`` (the WARC files'
        flush: what a commit points at is written first). A commit per URL cost 0.1 ms a URL more
        (benchmarks/); a kill loses the uncommitted URLs' results, which the next run fetches
        again (their WARC records are cut back)."""
        self.db.execute("BEGIN IMMEDIATE")

        def commit() -> None:
            before_commit()
            self.db.execute("COMMIT")
            self.db.execute("BEGIN IMMEDIATE")

        try:
            yield commit
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        before_commit()
        self.db.execute("COMMIT")

    def begin_run(self, start_urls: list[str], settings: dict[str, object]) -> Run:
        """Resume the last run if it did not finish, else start a new one that revalidates all URLs.

        URLs the last run left out of scope stay out, undecided again, when the new run crawls the
        same http(s) start with the same settings: scope is a function of those alone (a local
        folder's is not: its links are resolved on disk). A newtfh site links 12,000 edit and
        comment URLs per 10,000 pages, decided again on every re-run (benchmarks/)."""
        last = self.db.execute(
            "SELECT run_id, finished, start_url, settings FROM runs ORDER BY started DESC LIMIT 1"
        ).fetchone()
        stored = json.dumps(settings, sort_keys=True)
        with self.transaction():
            if last is not None and last["finished"] is None:
                self.db.execute("UPDATE urls SET state = 'queued' WHERE state = 'in_flight'")
                run = Run(run_id=last["run_id"], resumed=True)
            else:
                run = Run(run_id=new_run_id(), resumed=False)
                self.db.execute(
                    "INSERT INTO runs (run_id, started, start_url, settings) VALUES (?, ?, ?, ?)",
                    (run.run_id, now_iso(), start_urls[0], stored),
                )
                same_scope = (
                    last is not None
                    and (last["start_url"], last["settings"]) == (start_urls[0], stored)
                    and start_urls[0].startswith(("http://", "https://"))
                )
                self.db.execute(
                    "UPDATE urls SET run_id = ?, state = CASE WHEN ? AND outcome = 'skipped' THEN 'done'"
                    " ELSE 'queued' END, outcome = CASE WHEN ? AND outcome = 'skipped' THEN outcome END,"
                    " reason = CASE WHEN ? AND outcome = 'skipped' THEN reason END",
                    (run.run_id, same_scope, same_scope, same_scope),
                )
            self._add(start_urls, run.run_id, parent=None)
        return run

    def finish_run(self, run_id: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (now_iso(), run_id))

    def _add(self, urls: list[str], run_id: str, parent: str | None) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO urls (url, state, run_id, parent, first_seen)"
            " VALUES (?, 'queued', ?, ?, ?)",
            [(url, run_id, parent, now_iso()) for url in urls],
        )

    def add(self, urls: list[str], run_id: str) -> None:
        """Queue URLs found other than as links (a web archive's listing); known ones stay as they are."""
        with self.transaction():
            self._add(urls, run_id, parent=None)

    def ensure(self, url: str, run_id: str) -> None:
        """Add a URL fetched outside the queue (robots.txt) and mark it in flight."""
        with self.transaction():
            self._add([url], run_id, parent=None)
            self.db.execute("UPDATE urls SET state = 'in_flight', run_id = ? WHERE url = ?", (run_id, url))

    def claim(self, limit: int) -> list[UrlRow]:
        """The next queued URLs in discovery order (at most ``limit``), marked in flight, with their
        rows as they are before the fetch. Claimed in batches: one transaction for many URLs."""
        with self.transaction():
            rows = self.db.execute(
                "SELECT * FROM urls WHERE state = 'queued' ORDER BY rowid LIMIT ?", (limit,)
            ).fetchall()
            self.db.executemany(
                "UPDATE urls SET state = 'in_flight', attempts = attempts + 1 WHERE url = ?",
                [(row["url"],) for row in rows],
            )
        return [to_row(row) for row in rows]

    def queued(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM urls WHERE state = 'queued'").fetchone()[0])

    def record_unfetched(self, decisions: list[tuple[str, str, str]]) -> None:
        """(url, outcome, reason) of URLs decided without a fetch (out of scope, disallowed), in one
        transaction: a site can link thousands of them (newtfh's comment/edit links on every case)."""
        with self.transaction():
            self.db.executemany(
                "UPDATE urls SET state = 'done', outcome = ?, reason = ? WHERE url = ?",
                [(outcome, reason, url) for url, outcome, reason in decisions],
            )

    def record(
        self,
        url: str,
        *,
        run_id: str,
        outcome: str,
        reason: str | None = None,
        status: int | None = None,
        final_url: str | None = None,
        payload: tuple[str, int, str | None, WarcLocation] | None = None,
        validators: tuple[str | None, str | None] | None = None,
        discovered: list[str] | None = None,
        warc_end: tuple[str, int] | None = None,
    ) -> None:
        """One URL's result, and the links it led to, in one transaction.

        ``payload`` (sha256, size, content type, location) replaces the last good payload; when it
        is None the last good payload stays (a 304, a 404, a failure never erase it).
        """
        fetched = now_iso() if status is not None else None
        # One UPDATE for the row: each statement lets the fetch threads take the GIL from the
        # thread that records (an unchanged re-crawl records 10,000 rows).
        values: dict[str, object] = {"state": "done", "outcome": outcome, "reason": reason}
        kept = {"status": status, "final_url": final_url, "last_fetched": fetched}  # None: as it was
        if validators is not None:
            values |= {"etag": validators[0], "last_modified": validators[1]}
        if payload is not None:
            sha256, size, content_type, loc = payload
            values |= {
                "sha256": sha256,
                "size": size,
                "content_type": content_type,
                "warc_file": loc.file,
                "warc_offset": loc.offset,
                "warc_length": loc.length,
                "warc_date": loc.date,
                "warc_digest": loc.digest,
            }
            kept["last_changed"] = now_iso() if outcome in ("new", "changed") else None
        assignments = [f"{column} = ?" for column in values]
        assignments += [f"{column} = COALESCE(?, {column})" for column in kept]
        with self.transaction():
            self.db.execute(
                f"UPDATE urls SET {', '.join(assignments)} WHERE url = ?",
                (*values.values(), *kept.values(), url),
            )
            if discovered:
                self._add(discovered, run_id, parent=url)
            if warc_end is not None:
                self.db.execute(
                    "INSERT INTO warc_files VALUES (?, ?, ?)"
                    " ON CONFLICT (file) DO UPDATE SET committed_end = excluded.committed_end",
                    (warc_end[0], run_id, warc_end[1]),
                )

    def outcomes(self, run_id: str) -> Counter[str]:
        rows = self.db.execute(
            "SELECT outcome, COUNT(*) AS n FROM urls WHERE run_id = ? AND outcome IS NOT NULL"
            " GROUP BY outcome",
            (run_id,),
        )
        return Counter({row["outcome"]: row["n"] for row in rows})

    def rows_with(self, run_id: str, outcome: str) -> list[UrlRow]:
        rows = self.db.execute(
            "SELECT * FROM urls WHERE run_id = ? AND outcome = ? ORDER BY rowid", (run_id, outcome)
        ).fetchall()
        return [to_row(r) for r in rows]

    def all_rows(self) -> Iterator[UrlRow]:
        """Every URL's row, read as it is consumed (a site's rows are never all in memory)."""
        for row in self.db.execute("SELECT * FROM urls ORDER BY rowid"):
            yield to_row(row)

    def live_files(self) -> frozenset[str]:
        """The WARC files of runs that read the site itself (live, or from disk), not a web
        archive's captures: no record in them was replayed, so none names a capture."""
        rows = self.db.execute("SELECT file, settings FROM warc_files JOIN runs USING (run_id)")
        return frozenset(row["file"] for row in rows if not json.loads(row["settings"]).get("wayback"))

    def committed_ends(self) -> dict[str, int]:
        """Per WARC file, where the last record a commit covers ends (what follows is torn)."""
        rows = self.db.execute("SELECT file, committed_end FROM warc_files")
        return {row["file"]: int(row["committed_end"]) for row in rows}


def stored_schema_version(db: sqlite3.Connection) -> int | None:
    has_meta = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row["value"]) if row else None


# SQLite's primary result codes (the low byte of the extended code) that mean the disk, not the
# database: the file is fine, it cannot be written where it is.
DISK_CODES = frozenset(
    {
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
    }
)
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def state_error(path: Path, exc: sqlite3.Error) -> TfMigrateError:
    """A full or read-only disk is an output problem, a lock another process holds is not damage;
    anything else means the database is damaged. Told apart by SQLite's result code."""
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    if code in DISK_CODES:
        return OutputError(f"cannot write {path}: {exc}")
    if code in BUSY_CODES:
        return StateError(f"{path}: in use by another process (another tfmigrate on this archive?): {exc}")
    return StateError(f"{path}: not a readable crawl state database ({exc}); run tfmigrate doctor")


def to_row(row: sqlite3.Row) -> UrlRow:
    location = None
    if row["warc_file"] is not None:
        location = WarcLocation(
            file=row["warc_file"],
            offset=row["warc_offset"],
            length=row["warc_length"],
            date=row["warc_date"] or "",
            digest=row["warc_digest"] or "",
        )
    return UrlRow(
        url=row["url"],
        status=row["status"],
        sha256=row["sha256"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        location=location,
        final_url=row["final_url"],
        content_type=row["content_type"],
        outcome=row["outcome"],
        reason=row["reason"],
        size=row["size"],
        last_fetched=row["last_fetched"],
    )
