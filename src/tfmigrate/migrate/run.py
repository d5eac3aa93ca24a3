"""A run: the archive's pages -> their records (parsed, or reused from the last run) -> one record
per case id -> each case made on the pool -> a new generation compared with the last -> one
atomic switch.

This process orders the work, collects what the workers give back and commits; the work on each
page and case happens in the workers (``pages``, ``cases``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, Protocol

from tfmigrate import __version__
from tfmigrate.config import CrawlSettings
from tfmigrate.corrections import CaseCorrections, load_corrections
from tfmigrate.crawl.crawler import CrawlEvent, CrawlSummary
from tfmigrate.crawl.index import ArchivedPage
from tfmigrate.errors import OutputError
from tfmigrate.locks import folder_lock
from tfmigrate.migrate.archived import OPEN_INDEXES, ArchiveRef, is_page
from tfmigrate.migrate.cases import (
    CaseContext,
    CaseOutcome,
    CaseTask,
    LastRun,
    PagePlan,
    make_case,
    provenance_name,
)
from tfmigrate.migrate.changes import CHANGE_KINDS, Changes
from tfmigrate.migrate.choose import Choice, choose_pages
from tfmigrate.migrate.decide import decide
from tfmigrate.migrate.generation import (
    STATE_DIR,
    Digest,
    Generation,
    current_generation,
    prepare_output,
    refuse_a_file,
)
from tfmigrate.migrate.manifest import write_manifest
from tfmigrate.migrate.pages import PageTask, ParseContext, SpoolRef, parse_into_spool, warm_up
from tfmigrate.migrate.previous import PreviousRun
from tfmigrate.migrate.report import build_report
from tfmigrate.migrate.report_html import write_report_html
from tfmigrate.migrate.source import ARCHIVE_DIR, Archive, obtain_archive, source_crawler
from tfmigrate.migrate.spool import Spool
from tfmigrate.migrate.state import STATE_FILE, PageState, RunState
from tfmigrate.models import case_json_schema
from tfmigrate.records import JSONL_FILE, record_name
from tfmigrate.runs import new_run_id, now_iso
from tfmigrate.workers import Pool

SCRATCH = ".run"  # inside the generation, removed before it is committed


class MigrateProgress(Protocol):
    def crawl_event(self, event: CrawlEvent) -> None: ...

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


@dataclass(frozen=True)
class MigrateOptions:
    out_dir: Path
    source: str
    archive_dir: Path | None = None
    reparse: bool = False
    prune: bool = False
    jobs: int = 1


@dataclass
class MigrateResult:
    run_id: str
    out_dir: Path
    crawl: CrawlSummary | None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    pages: int = 0
    cases: int = 0  # records in the new generation
    parsed: int = 0
    reused: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a user should know about this output
    damaged_previous: dict[str, str] = field(default_factory=dict)  # the last run's files, rebuilt

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.changes.get(kind, [])) for kind in CHANGE_KINDS}

    @property
    def failed(self) -> bool:
        """Whether anything failed (exit status 1): a URL of the crawl, a page, or a record; or
        nothing was migrated at all."""
        return bool(self.changes.get("failed") or (self.crawl and self.crawl.failures)) or self.cases == 0

    def nothing_migrated(self) -> str | None:
        """Why a run gave no record, when it gave none."""
        if self.cases:
            return None
        if not self.pages:
            return "no page was archived"
        failed = len(self.failures)
        return f"of {self.pages} archived pages, {self.skipped} are not case pages and {failed} failed"


def migrate(options: MigrateOptions, settings: CrawlSettings, progress: MigrateProgress) -> MigrateResult:
    started = now_iso()
    refuse_a_file(options.out_dir)
    corrections = load_corrections(options.out_dir)  # all checked before anything is written
    archive_dir = options.archive_dir or options.out_dir / ARCHIVE_DIR
    crawler = (
        None
        if options.reparse
        else source_crawler(options.source, options.out_dir, options.archive_dir, settings, progress)
    )
    with ExitStack() as locks:  # DIR's lock, then the archive's: held until the new generation is in
        locks.enter_context(folder_lock(options.out_dir / STATE_DIR, writes=True))
        links = prepare_output(options.out_dir)
        previous = PreviousRun.load(current_generation(options.out_dir))
        # Workers start while the crawl runs when the last run says they will be worth it (a
        # crawl keeps one core busy; a worker takes a second to start), else once the archive
        # says so.
        pool = locks.enter_context(Pool(options.jobs))
        pool.start(warm_up, len(previous.pages))
        if crawler is not None:
            progress.phase("crawl", 0)
        archive = obtain_archive(options.source, archive_dir, settings, crawler, locks)
        pool.start(warm_up, len(archive.index))
        # A run id of its own, never the crawl's: a resumed crawl's id named a generation already.
        generation = Generation(options.out_dir, new_run_id(), links)
        try:
            run = Run(options, archive, generation, previous, progress, corrections)
            result, digests = run.build(pool)
            run_settings = {**settings.model_dump(mode="json"), "jobs": options.jobs, "prune": options.prune}
            write_manifest(generation, digests, archive, previous, options.source, run_settings, started)
            generation.commit()
        except OSError as exc:
            generation.discard()
            raise OutputError(f"cannot write {options.out_dir}: {exc.strerror or exc}") from exc
        except BaseException:
            generation.discard()
            raise
    result.notes = [note] if (note := links.note()) else []
    if unknown := sorted(set(corrections) - run.case_ids):
        result.notes.append(f"corrections of cases this output has no record of, kept: {', '.join(unknown)}")
    return result


@dataclass(slots=True)
class PageResult:
    """What one archived page gave this run."""

    page: ArchivedPage
    kind: Literal["case", "skipped", "failed"] = "failed"
    page_case_id: str | None = None  # a case: the id the page gives
    message: str | None = None  # a failure: why
    spooled: SpoolRef | None = None  # parsed: where its record waits
    reused: bool = False  # the last run's result for these bytes stands
    record: str | None = None  # reused: the id of the last run's record made from it, if any
    case_id: str | None = None  # the id of the record it gives this run, once chosen

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def sha256(self) -> str:
        return self.page.sha256


class Run:
    """The work of one run between the archive and the manifest."""

    def __init__(
        self,
        options: MigrateOptions,
        archive: Archive,
        generation: Generation,
        previous: PreviousRun,
        progress: MigrateProgress,
        corrections: dict[str, CaseCorrections] | None = None,
    ) -> None:
        self.options, self.archive, self.generation = options, archive, generation
        self.corrections = corrections or {}
        self.case_ids: set[str] = set()  # the ids of the records written
        self.previous, self.progress = previous, progress
        self.scratch = generation.path(SCRATCH)
        self.archive_ref = ArchiveRef(
            self.scratch / "index.sqlite", archive.index.warc_dir, archive.index.max_bytes
        )
        self.result = MigrateResult(run_id=generation.root.name, out_dir=options.out_dir, crawl=archive.crawl)
        self.changes = Changes()
        self.damage = dict(previous.damage)
        self.pages: list[PageResult] = []
        self.choice: Choice[PageResult] = Choice()
        self.failures: dict[str, str] = {}

    def build(self, pool: Pool) -> tuple[MigrateResult, dict[str, Digest]]:
        """The generation's files but its manifest; the digests of those the workers wrote."""
        self.scratch.mkdir()
        index = self.archive.index
        OPEN_INDEXES[self.archive_ref.lookup] = index  # this process's work uses the index it has
        try:
            with (
                Spool(self.scratch / "sections.html") as sections,
                Spool(self.scratch / "summaries.jsonl") as summaries,
                Spool(self.scratch / "digests.jsonl") as digests,
            ):
                if pool.is_worth_it(len(index)):
                    index.write_lookup(self.archive_ref.lookup)
                self.pages = [PageResult(page) for page in index if is_page(page, index)]
                self.read_pages(pool)
                self.choose()
                self.make_cases(pool, sections, summaries, digests)
                pool.close()  # what the workers gave back is read again once they are gone
                self.write_run_files(sections, list(summaries.read_json()))
                written = {name: tuple(digest) for files in digests.read_json() for name, digest in files}
        finally:
            del OPEN_INDEXES[self.archive_ref.lookup]
        shutil.rmtree(self.scratch)
        return self.result, written

    def read_pages(self, pool: Pool) -> None:
        """Each page's result: the last run's for the same bytes, or parsed on the pool."""
        reusable = PreviousRun(None) if self.options.reparse else self.previous  # --reparse trusts nothing
        to_parse: list[PageResult] = []
        for result in self.pages:
            decision = decide(result.page, reusable)
            if decision.action == "parse":
                to_parse.append(result)
                continue
            result.reused = True
            result.kind = "skipped" if decision.action == "skip" else "case"
            result.page_case_id, result.record = decision.page_case_id, decision.record
        self.progress.phase("parse", len(self.pages))
        self.progress.advance(len(self.pages) - len(to_parse))
        parse = partial(parse_into_spool, ParseContext(self.archive_ref, self.scratch))
        tasks = (PageTask.of(result.page) for result in to_parse)
        for result, parsed in zip(to_parse, pool.map(parse, tasks, len(to_parse)), strict=True):
            self.progress.advance()
            result.kind, result.page_case_id = parsed.kind, parsed.page_case_id
            result.message, result.spooled = parsed.message, parsed.spooled

    def choose(self) -> None:
        groups: dict[str, list[PageResult]] = {}
        for result in self.pages:
            if result.kind == "case" and result.page_case_id is not None:
                groups.setdefault(result.page_case_id, []).append(result)
        self.choice = choose_pages(groups, self.previous.case_urls)
        for case_id, result in self.choice.chosen.items():
            result.case_id = case_id
        self.failures = {r.url: r.message or "" for r in self.pages if r.kind == "failed"}
        self.failures.update(self.archive.index.refused)

    def make_cases(self, pool: Pool, sections: Spool, summaries: Spool, digests: Spool) -> None:
        """Each case made on the pool, in case id order: its line of cases.jsonl written here, its
        report entries and file digests spooled."""
        case_ids = sorted(set(self.choice.chosen) | self.previous.case_ids)
        self.progress.phase("write", len(case_ids))
        context = CaseContext(
            self.generation.files,
            self.archive_ref,
            self.scratch,
            self.options.prune,
            manifest_read=bool(self.previous.files),
            last_finished_ns=self.previous.finished_ns,
            failures=self.failures,
        )
        tasks = (self.case_task(case_id) for case_id in case_ids)
        with self.generation.open_text(JSONL_FILE) as jsonl:
            for outcome in pool.map(partial(make_case, context), tasks, len(case_ids)):
                self.progress.advance()
                self.collect(outcome)
                if outcome.line is not None:
                    jsonl.write(outcome.line)
                    sections.write(f"{outcome.section}\n")
                    summaries.write_json(outcome.summary)
                if outcome.written:
                    digests.write_json(outcome.written)

    def case_task(self, case_id: str) -> CaseTask:
        result = self.choice.chosen.get(case_id)
        page = None
        if result is not None:
            archived = result.page
            page = PagePlan(
                PageTask.of(archived),
                record=result.record,
                spooled=result.spooled,
                last_modified=archived.last_modified,
                gone_since=fetch_date(archived) if archived.is_gone else None,
                others=self.choice.others.get(archived.url, ()),
            )
        last = None
        if case_id in self.previous.case_ids:
            names = (
                record_name(case_id),
                f"originals/{case_id}.html",
                f"originals/{case_id}.txt",
                provenance_name(case_id),
            )
            known = tuple((name, digest) for name in names if (digest := self.previous.expected(name)))
            last = LastRun(self.previous.case_urls.get(case_id), known)
        return CaseTask(case_id, page, last, self.corrections.get(case_id))

    def collect(self, outcome: CaseOutcome) -> None:
        if outcome.change is not None:
            self.changes.add(outcome.change)
        self.damage.update(outcome.damage)
        if outcome.line is not None:
            self.result.cases += 1
            self.case_ids.add(outcome.summary["case_id"] if outcome.summary else "")
        self.changes.conflicts += outcome.conflicts
        if outcome.parsed:  # its page was to be reused, but its last record was not whole
            self.result.parsed += 1
            self.result.reused -= 1
        if outcome.page_failure is not None:
            url, message = outcome.page_failure
            self.failures[url] = message
            for result in self.pages:
                if result.url == url:
                    result.kind, result.message = "failed", message

    def write_run_files(self, sections: Spool, summaries: list[dict[str, Any]]) -> None:
        """schema.json, changes.json, report.json, report.html and the state for the next run."""
        result, generation = self.result, self.generation
        kinds = Counter[str](r.kind for r in self.pages)
        result.pages, result.skipped = len(self.pages), kinds["skipped"]
        result.parsed += sum(1 for r in self.pages if r.kind != "skipped" and not r.reused)
        result.reused += sum(1 for r in self.pages if r.reused)
        result.failures = sorted(self.failures.items())
        self.changes.add_page_failures(result.failures)
        result.changes = {
            **self.changes.entries,
            "collisions": self.choice.collisions,
            "conflicts": self.changes.conflicts,
        }
        result.damaged_previous = dict(sorted(self.damage.items()))
        generation.write_json("schema.json", case_json_schema())
        generation.write_json("changes.json", result.changes)
        set_aside = {"duplicates": self.choice.duplicates, "collisions": self.choice.collisions}
        report = build_report(
            summaries, kinds, result.failures, set_aside, result.damaged_previous, self.archive.crawl
        )
        generation.write_json("report.json", report)
        write_report_html(generation, report, sections)
        generation.write_bytes(STATE_FILE, self.state().model_dump_json().encode("utf-8"))

    def state(self) -> RunState:
        return RunState(
            pages={
                r.url: PageState(
                    sha256=r.sha256,
                    parser=__version__,
                    result=r.kind,
                    page_case_id=r.page_case_id if r.kind == "case" else None,
                    case_id=r.case_id,
                )
                for r in self.pages
            },
        )


def fetch_date(page: ArchivedPage) -> dt.date:
    try:
        return dt.date.fromisoformat((page.last_fetched or "")[:10])
    except ValueError:
        return dt.datetime.now(dt.UTC).date()
