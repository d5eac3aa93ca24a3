"""Each case's record, made on the pool: parsed this run or reused from the last, carried over,
withdrawn or pruned; its images found and written; compared with the last run's record; and its
files, ``cases.jsonl`` line and report entries made. The run's process only orders, collects and
commits what the workers give back.

A record that comes out unchanged from unchanged page bytes is not written again: its file, the
page's original and its provenance are linked from the last run once they are known to be what the
last run wrote (the record by its manifest's sha256, the others by size and mtime: ``untouched``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tfmigrate.corrections import CaseCorrections, apply_corrections, conflicts, uncorrected
from tfmigrate.crawl.index import ArchiveIndex, last_modified_time
from tfmigrate.errors import ArchiveError
from tfmigrate.messages import quoted
from tfmigrate.migrate.archived import ArchiveRef, open_archive
from tfmigrate.migrate.changes import Change, compare
from tfmigrate.migrate.generation import CaseWrites, Digest, GenerationFiles, bytes_digest
from tfmigrate.migrate.images import attach_images, keep_images
from tfmigrate.migrate.pages import PageTask, SpoolRef, load_spooled, read_case
from tfmigrate.migrate.previous import untouched
from tfmigrate.migrate.report import case_summary
from tfmigrate.migrate.report_html import case_section
from tfmigrate.models import Case, Issue
from tfmigrate.parse import trace_page
from tfmigrate.provenance import Provenance
from tfmigrate.records import case_to_json, case_to_json_line, original_path, record_name
from tfmigrate.triage import Failed, triage

PROVENANCE_DIR = "provenance"  # <case_id>.json: where each of the record's values stands on its page


@dataclass(frozen=True, slots=True)
class PagePlan:
    """The archived page that gives a case's record this run."""

    task: PageTask
    record: str | None  # the id of the last run's record made from these bytes: reused if whole
    spooled: SpoolRef | None  # the record parsed this run, if it was
    last_modified: str | None  # the Last-Modified header the server sent (read here, on the pool)
    gone_since: dt.date | None  # answered 404/410: when that was first seen
    others: tuple[str, ...]  # a collision: the other pages that give the case id


@dataclass(frozen=True, slots=True)
class LastRun:
    """The last run's record of a case id (its file may be damaged)."""

    url: str | None  # the page it came from, as the last run's state says
    digests: tuple[tuple[str, Digest], ...]  # the last manifest's word on the record and original


@dataclass(frozen=True, slots=True)
class CaseTask:
    case_id: str
    page: PagePlan | None  # None: no page gives the case this run
    last: LastRun | None  # None: the last run had no record of it
    corrections: CaseCorrections | None = None  # the archivist's, set on whatever record it gets


@dataclass(frozen=True)
class CaseContext:
    files: GenerationFiles
    archive: ArchiveRef
    spool: Path  # where the records parsed this run wait
    prune: bool
    manifest_read: bool  # the last run's manifest was read: a file unlike it is damage to name
    last_finished_ns: int | None  # when the last run finished writing (its manifest's word)
    failures: dict[str, str]  # URL -> why its page failed this run, for the records it leaves alone


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    change: Change | None  # None: nothing to list (the page gave no record, and there was none)
    line: str | None  # the record's cases.jsonl line; None when no record is written
    summary: dict[str, Any] | None  # its report.json entry
    section: str | None  # its report.html section
    written: list[tuple[str, Digest]]  # the files written or linked, for the manifest
    damage: dict[str, str]  # the last run's files found damaged
    parsed: bool = False  # its page was parsed here: the last run's record could not be reused
    page_failure: tuple[str, str] | None = None  # (URL, why) when that parse failed
    conflicts: tuple[dict[str, Any], ...] = ()  # corrections whose base the page no longer gives


def make_case(context: CaseContext, task: CaseTask) -> CaseOutcome:
    """Runs in a worker: everything one case id asks of a run."""
    return CaseWork(context, task).run()


class CaseWork:
    def __init__(self, context: CaseContext, task: CaseTask) -> None:
        self.context, self.task = context, task
        self.index = open_archive(context.archive)
        self.writes = CaseWrites(context.files)
        self.damage: dict[str, str] = {}
        self.parsed = False
        self.page_failure: tuple[str, str] | None = None
        self.traced: Provenance | None = None  # the provenance of the page parsed this run, if it was
        self.old, self.old_is_whole = self.read_last_record()

    def run(self) -> CaseOutcome:
        if self.task.page is not None:
            return self.from_page(self.task.page)
        if self.old is not None:
            return self.carry_over(self.old, None)
        return self.lost()

    def from_page(self, page: PagePlan) -> CaseOutcome:
        """A page gives the record: withdrawn when it is gone (pruned with --prune)."""
        old, withdrawn = self.old, None
        if page.gone_since is not None:
            withdrawn = old.withdrawn if old is not None and old.withdrawn else page.gone_since
            if self.context.prune:
                return self.pruned(page.task.url, withdrawn)
        record, reused = self.record_of(page)
        if isinstance(record, Failed):  # read again here (its last record was not whole), and failed
            self.page_failure = (page.task.url, record.message)
            return self.carry_over(old, record.message) if old is not None else self.outcome(None, None)
        record = uncorrected(record)  # a reused record: the last run's corrections come off first
        attach_images(record, self.index, self.writes)
        # A copy: a reused record shares its source with the last run's.
        modified = last_modified_time(page.task.url, page.last_modified)
        source = {"last_modified": modified, **archive_capture(self.index, page.task)}
        record.source = record.source.model_copy(update=source)
        record.withdrawn = withdrawn
        record = apply_corrections(record, self.task.corrections)
        if old is None and self.task.last is not None:
            was = self.damage.get(record_name(self.task.case_id), "unreadable")
            change: Change = ("rebuilt", {"case_id": record.case_id, "url": page.task.url, "was": was})
        else:
            change = compare(old, record)
        self.write_record(record, linked=reused and change[0] == "unchanged")
        return self.outcome(record, change)

    def record_of(self, page: PagePlan) -> tuple[Case | Failed, bool]:
        """The record a page gives, and whether it is the last run's: the same bytes read by this
        parser version, its file whole. Else the record parsed this run, or parsed here."""
        if page.record == self.task.case_id and self.old is not None and self.old_is_whole:
            return self.old.model_copy(update={"withdrawn": None}), True
        if page.spooled is not None:
            record, self.traced = load_spooled(self.context.spool, page.spooled)
        else:
            self.parsed = True
            outcome = triage(lambda: read_case(self.context.archive, page.task))
            if not isinstance(outcome, tuple):
                return outcome if isinstance(outcome, Failed) else Failed("not a case page now", ""), False
            record, self.traced = outcome
        if record.case_id != self.task.case_id:  # a collision gave the record an id of its own
            message = (
                f"case {record.case_id} is also given by {', '.join(page.others)};"
                f" this page's record is {self.task.case_id}"
            )
            record.case_id = self.task.case_id
            record.issues.append(Issue(code="case_id_collision", field="case_id", message=message))
        return record, False

    def carry_over(self, old: Case, failure: str | None) -> CaseOutcome:
        """No page gives the record this run (gone from the archive, or failed): the last run's is
        kept, its images with it; only a record marked withdrawn is ever pruned."""
        url = old.source.url
        if self.context.prune and old.withdrawn:
            return self.pruned(url, old.withdrawn)
        failure = failure or self.context.failures.get(url)
        assert self.context.files.previous is not None  # a record of the last run
        keep_images(old, self.context.files.previous, self.index, self.writes)
        change: Change = (
            ("failed", {"case_id": old.case_id, "url": url, "error": failure})
            if failure is not None
            else ("kept", old.case_id)
        )
        kept = apply_corrections(old, self.task.corrections)  # the corrections of today, not the last run's
        self.write_record(kept, linked=False)
        return self.outcome(kept, change)

    def lost(self) -> CaseOutcome:
        """The last run's record is unreadable and no page gives it again: a named failure."""
        relative = record_name(self.task.case_id)
        damage = self.damage.get(relative, "unreadable")
        error = f"the last run's record is {damage}; restore {relative} from a backup"
        url = self.task.last.url if self.task.last is not None else None
        return self.outcome(None, ("failed", {"case_id": self.task.case_id, "url": url, "error": error}))

    def pruned(self, url: str, withdrawn: dt.date) -> CaseOutcome:
        entry = {"case_id": self.task.case_id, "url": url, "withdrawn": withdrawn.isoformat()}
        return self.outcome(None, ("pruned", entry))

    def write_record(self, record: Case, linked: bool) -> None:
        """cases/<case_id>.json and the original page; ``linked``: both from the last run, unread,
        when they are still what it wrote."""
        relative = record_name(record.case_id)
        expected = self.expected(relative)
        if linked and expected is not None and self.writes.link_previous(relative, expected):
            for name, write in (
                (original_path(record), self.write_original),
                (provenance_name(record.case_id), self.write_provenance),
            ):
                whole = self.is_whole(name)
                if whole is None or not self.writes.link_previous(name, whole):
                    write(record)
            return
        self.writes.write_text(relative, case_to_json(record))
        self.write_original(record)
        self.write_provenance(record)

    def write_original(self, record: Case) -> None:
        """The archived bytes of the case page, for the report's link (the last run's copy when the
        archive's is damaged: tfmigrate doctor names that)."""
        relative = original_path(record)
        page = self.index.get(record.source.url)
        try:
            data = self.index.payload(page) if page is not None else None
        except ArchiveError:
            data = None
        previous = self.context.files.previous
        if data is None and previous is not None and self.is_whole(relative) is not None:
            data = (previous / relative).read_bytes()
        if data is not None:
            self.writes.write_bytes(relative, data)

    def write_provenance(self, record: Case) -> None:
        """Where each value came from on the page (provenance.py), kept out of the record: traced by
        the parse that gave it, else (a record of the last run) by a locating parse of the archived
        bytes. The last run's file when the archive's copy is gone; none when neither is there."""
        relative = provenance_name(record.case_id)
        traced = self.traced or self.trace_archived(record)
        if traced is not None:
            traced = traced.model_copy(update={"case_id": record.case_id})
            self.writes.write_text(relative, traced.model_dump_json() + "\n")
            return
        previous = self.context.files.previous
        if previous is not None and self.is_whole(relative) is not None:
            self.writes.write_bytes(relative, (previous / relative).read_bytes())

    def trace_archived(self, record: Case) -> Provenance | None:
        """The provenance of a record's page as the archive holds it; None when it does not read."""
        page = self.index.get(record.source.url)
        try:
            data = self.index.payload(page) if page is not None else None
        except ArchiveError:
            return None
        if data is None or page is None:
            return None
        outcome = triage(
            lambda: trace_page(data, page.url, http_charset=page.charset, base_url=page.base_url)
        )
        return outcome[1] if isinstance(outcome, tuple) else None

    def read_last_record(self) -> tuple[Case | None, bool]:
        """The last run's record (None when it does not read), and whether its file is what the
        last run wrote."""
        previous = self.context.files.previous
        if self.task.last is None or previous is None:
            return None, False
        relative = record_name(self.task.case_id)
        try:
            data = (previous / relative).read_bytes()
        except OSError as exc:
            self.damage[relative] = f"unreadable ({quoted(exc, 80)})"
            return None, False
        whole = self.check_whole(relative, bytes_digest(data))
        try:
            return Case.model_validate_json(data), whole
        except ValidationError as exc:
            self.damage[relative] = f"unreadable ({quoted(exc, 80)})"
            return None, whole

    def is_whole(self, relative: str) -> Digest | None:
        """The digest of a last run's file, when the file still holds what the last run wrote:
        unread when it is untouched since (``untouched``), else read and hashed."""
        previous = self.context.files.previous
        if self.untouched(relative):
            return self.expected(relative)
        try:
            data = (previous / relative).read_bytes() if previous is not None else None
        except OSError:
            data = None
        if data is None:
            return None
        found = bytes_digest(data)
        return found if self.check_whole(relative, found) else None

    def untouched(self, relative: str) -> bool:
        """The last run's file is unchanged since it wrote it, by its size and mtime (previous.py)."""
        previous = self.context.files.previous
        expected, finished_ns = self.expected(relative), self.context.last_finished_ns
        return previous is not None and untouched(f"{previous}/{relative}", expected, finished_ns)

    def check_whole(self, relative: str, found: Digest) -> bool:
        """Whether a file's digest is the last manifest's; a file unlike it is named as damaged.
        Only then is a file reused unread: a hand-edited record once went on into every later run."""
        whole = found == self.expected(relative)
        if not whole and self.context.manifest_read:
            self.damage.setdefault(relative, "not what it wrote (edited or damaged since)")
        return whole

    def expected(self, relative: str) -> Digest | None:
        return dict(self.task.last.digests).get(relative) if self.task.last is not None else None

    def outcome(self, record: Case | None, change: Change | None) -> CaseOutcome:
        if record is None:
            return CaseOutcome(
                change, None, None, None, self.writes.written, self.damage, self.parsed, self.page_failure
            )
        assert change is not None
        summary = case_summary(record, change[0])
        return CaseOutcome(
            change,
            case_to_json_line(record),
            summary,
            case_section(record, summary),
            self.writes.written,
            self.damage,
            self.parsed,
            self.page_failure,
            tuple(conflicts(record)),
        )


def archive_capture(index: ArchiveIndex, task: PageTask) -> dict[str, Any]:
    """Which web archive capture the page is (migrate --wayback); nothing when its record cannot be
    read (tfmigrate doctor names the damage, and the record keeps the capture it named)."""
    try:
        return index.capture(task.location)
    except ArchiveError:
        return {}


def provenance_name(case_id: str) -> str:
    return f"{PROVENANCE_DIR}/{case_id}.json"
