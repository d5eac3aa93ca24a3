"""migrate: crawl (or reuse an archive) -> parse every archived page -> records with their image
files -> a new output generation compared with the last one -> one atomic switch.

Re-runs lose nothing: a page that is gone keeps its last good record, marked withdrawn; a page
that now fails to parse keeps its last good record and the failure is reported; nothing is
deleted without ``prune``. Pages whose bytes and parser version are unchanged are not parsed
again, and unchanged files are hard links to the previous generation's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from tfmigrate import __version__
from tfmigrate.config import CrawlSettings
from tfmigrate.crawl import STATE_FILE, Crawler, CrawlEvent, CrawlSummary
from tfmigrate.crawl.archive import WarcLocation, read_payload
from tfmigrate.crawl.index import WARC_SUFFIXES, ArchivedPage, ArchiveIndex
from tfmigrate.crawl.links import extract_links
from tfmigrate.errors import ArchiveError, NotACasePageError, OutputError, StartError, TfMigrateError
from tfmigrate.export.generation import STATE_DIR, Generation, file_digest, prepare_output, refuse_a_file
from tfmigrate.export.jsonfiles import case_to_json, case_to_json_line
from tfmigrate.export.report import write_report_html
from tfmigrate.filenames import UNSAFE_RE, safe_name
from tfmigrate.locks import LOCK_FILE, folder_lock
from tfmigrate.media import SNIFF_BYTES, sniff_media
from tfmigrate.messages import quoted
from tfmigrate.models import Case, Image, Issue, case_json_schema
from tfmigrate.parse import parse_page
from tfmigrate.workers import map_in_order

ARCHIVE_DIR = "archive"
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".txt", "/")
MAX_NAME_LENGTH = 80
IMAGE_SIZE_PAGE_RE = re.compile(r"/(small|submitted)_(\d+)\.html?$", re.IGNORECASE)
# Issues attach_images adds, so that it can be run again on a reused record.
IMAGE_ISSUES = frozenset({"image_missing", "image_unreadable"})
ChangeKind = Literal["added", "changed", "rebuilt", "unchanged", "withdrawn", "pruned", "failed", "kept"]
# changes.json, in this order; "kept": records carried over whose page this archive no longer holds;
# "rebuilt": records whose last version was unreadable, parsed again from their page; "pruned":
# withdrawn records deleted by --prune.
CHANGE_KINDS = ("added", "changed", "rebuilt", "withdrawn", "pruned", "failed", "kept", "unchanged")
# Case ids are at most this long (models.CASE_ID_PATTERN); a collision's id adds 9 characters.
MAX_CASE_ID = 100


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


@dataclass(frozen=True)
class PageResult:
    """What one archived page gave: a record (kept on disk until written, or the last run's when
    reused), a skip or a failure."""

    url: str
    sha256: str
    kind: Literal["case", "skipped", "failed"]
    case_id: str | None = None  # the record's id: the page's own, or one of its own on a collision
    message: str | None = None
    reused: bool = False
    page_case_id: str | None = None  # the id the page gives (printed, or from its URL)


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


def migrate(options: MigrateOptions, settings: CrawlSettings, progress: MigrateProgress) -> MigrateResult:
    started = now_iso()
    refuse_a_file(options.out_dir)
    crawler = source_crawler(options, settings, progress)
    with ExitStack() as locks:  # DIR's lock, then the archive's: held until the new generation is in
        locks.enter_context(folder_lock(options.out_dir / STATE_DIR, writes=True))
        links = prepare_output(options.out_dir)
        if crawler is not None:
            progress.phase("crawl", 0)
        archive_dir, index, crawl_summary = obtain_archive(options, settings, crawler, locks)
        # A run id of its own, never the crawl's: a resumed crawl's id named a generation already.
        generation = Generation(options.out_dir, new_run_id(), links)
        try:
            previous = PreviousRun.load(generation.previous)
            result = build_generation(options, index, generation, previous, progress, crawl_summary)
            write_manifest(generation, previous, options, settings, archive_dir, crawl_summary, started)
            generation.commit()
        except OSError as exc:
            generation.discard()
            raise OutputError(f"cannot write {options.out_dir}: {exc.strerror or exc}") from exc
        except BaseException:
            generation.discard()
            raise
    result.notes = [note] if (note := links.note()) else []
    return result


def source_crawler(
    options: MigrateOptions, settings: CrawlSettings, progress: MigrateProgress
) -> Crawler | None:
    """The crawl the run starts with, its start and folders checked before anything is written;
    None when SOURCE is an archive already, or with --reparse."""
    if options.reparse or (is_archive(Path(options.source)) and "://" not in options.source):
        return None
    archive_dir = options.archive_dir or options.out_dir / ARCHIVE_DIR
    crawler = Crawler(options.source, archive_dir, settings, on_event=progress.crawl_event)
    crawler.check_outside(options.out_dir, "the output folder")
    return crawler


def obtain_archive(
    options: MigrateOptions, settings: CrawlSettings, crawler: Crawler | None, locks: ExitStack
) -> tuple[Path, ArchiveIndex, CrawlSummary | None]:
    """The archive to read, indexed, and its lock held: the source itself when it is one, DIR's
    archive with --reparse, else the archive after the crawl. An existing archive is indexed before
    it is locked, so that one from a newer version is refused without a byte written to it."""
    if crawler is None:
        if is_archive(Path(options.source)) and "://" not in options.source:
            source = Path(options.source)
            return source, read_archive(source, settings, locks), None
        archive_dir = options.archive_dir or options.out_dir / ARCHIVE_DIR
        if not (archive_dir / STATE_FILE).is_file():
            raise StartError(f"--reparse: no archive in {archive_dir} to rebuild from")
        return archive_dir, read_archive(archive_dir, settings, locks), None
    locks.enter_context(crawler.locked())
    summary = crawler.run()
    return crawler.archive_dir, ArchiveIndex.open(crawler.archive_dir, settings.max_bytes), summary


def read_archive(source: Path, settings: CrawlSettings, locks: ExitStack) -> ArchiveIndex:
    index = ArchiveIndex.open(source, settings.max_bytes)
    if (folder := archive_folder(source)) is not None:
        locks.enter_context(folder_lock(folder, writes=False))
    return index


def archive_folder(source: Path) -> Path | None:
    """The tfmigrate archive folder a source lies in: itself, or the folder of its ``warc/``."""
    for folder in (source, source.parent, source.parent.parent):
        if (folder / STATE_FILE).is_file() or (folder / LOCK_FILE).is_file():
            return folder
    return None


def is_archive(path: Path) -> bool:
    if (path / STATE_FILE).is_file():
        return True
    if path.is_file():
        return path.name.endswith(WARC_SUFFIXES)
    return path.is_dir() and any(p.name.endswith(WARC_SUFFIXES) for p in path.glob("*"))


def build_generation(
    options: MigrateOptions,
    index: ArchiveIndex,
    generation: Generation,
    previous: PreviousRun,
    progress: MigrateProgress,
    crawl_summary: CrawlSummary | None,
) -> MigrateResult:
    pages = [page for page in index if is_page(page, index)]
    result = MigrateResult(
        run_id=generation.root.name, out_dir=options.out_dir, crawl=crawl_summary, pages=len(pages)
    )
    scratch = generation.path(".parsed")
    scratch.mkdir()
    progress.phase("parse", len(pages))
    # --reparse rebuilds: every page is parsed again, so no record of the last run is trusted as is.
    reusable = PreviousRun.load(None) if options.reparse else previous
    results = list(parse_pages(pages, index, reusable, scratch, options.jobs, progress))
    result.parsed = sum(1 for r in results if r.kind != "skipped" and not r.reused)
    result.reused = sum(1 for r in results if r.reused)
    result.skipped = sum(1 for r in results if r.kind == "skipped")
    chosen, set_aside = choose_pages(results, previous)
    collisions = set_aside["collisions"]
    by_url = {r.url: r for r in chosen.values()}
    results = [by_url.get(r.url, r) for r in results]  # with the ids their records got
    failed_urls = {r.url: r.message or "" for r in results if r.kind == "failed"}
    failed_urls.update(index.refused)
    result.failures = sorted(failed_urls.items())

    changes: dict[str, list[Any]] = {k: [] for k in CHANGE_KINDS}
    summaries: list[dict[str, Any]] = []
    case_ids = sorted(set(chosen) | previous.case_ids)
    progress.phase("write", len(case_ids))
    with generation.open_text("cases.jsonl") as jsonl:
        for case_id in case_ids:
            progress.advance()
            old = previous.record(case_id)
            page = chosen.get(case_id)
            if page is not None:
                archived = index.get(page.url)
                gone = archived is not None and archived.is_gone
                first_seen_gone = old.withdrawn if old and old.withdrawn else None
                withdrawn = (first_seen_gone or fetch_date(archived)) if gone and archived else None
                if withdrawn and options.prune:
                    changes["pruned"].append(
                        {"case_id": case_id, "url": page.url, "withdrawn": withdrawn.isoformat()}
                    )
                    continue
                if page.reused and old is not None:  # same bytes, same parser: the last run's record
                    record = old.model_copy(update={"withdrawn": None})
                else:
                    record = load_scratch(scratch, page.url)
                    name_collision(record, page, collisions)
                attach_images(record, index, generation)
                if archived is not None:  # a copy: a reused record shares its source with the last run's
                    source = {"last_modified": archived.modified, **archive_capture(index, archived)}
                    record.source = record.source.model_copy(update=source)
                record.withdrawn = withdrawn
                if old is None and case_id in previous.case_ids:
                    damage = previous.damage.get(f"cases/{case_id}.json", "unreadable")
                    changes["rebuilt"].append({"case_id": case_id, "url": page.url, "was": damage})
                    kind: ChangeKind = "rebuilt"
                else:
                    kind = compare(old, record, changes)
            elif old is not None:
                if options.prune and old.withdrawn:  # only a record marked withdrawn is ever deleted
                    changes["pruned"].append(
                        {"case_id": case_id, "url": old.source.url, "withdrawn": old.withdrawn.isoformat()}
                    )
                    continue
                failure = failed_urls.get(old.source.url)
                record = old
                keep_images(record, generation, index)
                if failure is not None:
                    changes["failed"].append({"case_id": case_id, "url": old.source.url, "error": failure})
                    kind = "failed"
                else:
                    changes["kept"].append(case_id)
                    kind = "kept"
            elif case_id in previous.case_ids:  # unreadable, and no archived page gives it again
                damage = previous.damage.get(f"cases/{case_id}.json", "unreadable")
                error = f"the last run's record is {damage}; restore cases/{case_id}.json from a backup"
                changes["failed"].append(
                    {"case_id": case_id, "url": previous.case_urls.get(case_id), "error": error}
                )
                continue
            else:
                continue
            reused = page is not None and page.reused and kind == "unchanged"
            write_case(generation, previous, index, record, reused=reused)
            jsonl.write(case_to_json_line(record))
            summaries.append(case_summary(record, kind))
    remove_scratch(scratch)
    kept_failures = {entry["url"] for entry in changes["failed"]}
    changes["failed"] += [
        {"case_id": None, "url": url, "error": message}
        for url, message in result.failures
        if url not in kept_failures
    ]
    changes["collisions"] = collisions
    result.damaged_previous = dict(sorted(previous.damage.items()))
    generation.write_text("schema.json", json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n")
    generation.write_text("changes.json", json.dumps(changes, indent=2, ensure_ascii=False) + "\n")
    report = build_report(result, results, summaries, set_aside, crawl_summary)
    generation.write_json("report.json", report)
    write_report_html(generation, report)
    result.changes = changes
    result.cases = len(summaries)
    return result


@dataclass
class PreviousRun:
    """The last complete generation: its records and what each page gave.

    A cache, never a precondition: a truncated record, report or manifest once stopped every run
    with a traceback (``--reparse`` too, the way out doctor names). A file that is not what the
    last run wrote (its manifest's sha256) is never reused unread; one that does not read at all
    is named in ``damage`` and rebuilt from the archive.
    """

    root: Path | None
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # report.json: what each page gave
    case_ids: set[str] = field(default_factory=set)  # every record file it holds
    case_urls: dict[str, str] = field(default_factory=dict)  # case id -> its record's page
    files: dict[str, Any] = field(default_factory=dict)  # manifest.json: sha256 and size of each file
    damage: dict[str, str] = field(default_factory=dict)  # file -> what is wrong with it
    intact: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path | None) -> PreviousRun:
        if root is None:
            return cls(None)
        run = cls(root, case_ids={p.stem for p in (root / "cases").glob("*.json")})
        manifest = run.read_json("manifest.json")
        run.files = manifest.get("files", {}) if isinstance(manifest.get("files"), dict) else {}
        report = run.read_json("report.json")
        try:
            case_urls = {case["case_id"]: case["url"] for case in report.get("cases", [])}
            pages = dict(report.get("pages", {}))
        except (TypeError, KeyError, ValueError):
            run.damage["report.json"] = "not what it wrote (its cases unreadable)"
            return run
        run.case_urls = case_urls  # which page each record came from: a collision's ids stay put
        run.pages = pages if run.is_intact("report.json") else {}  # pages reused unread: intact only
        return run

    def read_json(self, relative: str) -> dict[str, Any]:
        assert self.root is not None
        try:
            value = json.loads((self.root / relative).read_bytes())
        except (OSError, ValueError) as exc:
            self.damage[relative] = f"unreadable ({quoted(exc, 80)})"
            return {}
        return value if isinstance(value, dict) else {}

    def is_intact(self, relative: str) -> bool:
        """Whether a file holds the bytes the last run wrote (its manifest's sha256 and size); only
        then is it reused unread. A hand-edited record once went on into every later run."""
        if relative not in self.intact:
            expected = self.files.get(relative)
            try:
                found = file_digest(self.root / relative) if self.root is not None else None
            except OSError:
                found = None
            intact = isinstance(expected, dict) and found == (expected.get("sha256"), expected.get("size"))
            if not intact and found is not None and self.files:
                self.damage.setdefault(relative, "not what it wrote (edited or damaged since)")
            self.intact[relative] = intact
        return self.intact[relative]

    def record(self, case_id: str) -> Case | None:
        """The last run's record of a case, as it is now (edited or not: ``is_intact`` says); None
        when there is none or it does not validate (named in ``damage``)."""
        if self.root is None or case_id not in self.case_ids:
            return None
        relative = f"cases/{case_id}.json"
        self.is_intact(relative)
        try:
            return Case.model_validate_json((self.root / relative).read_bytes())
        except (OSError, ValidationError) as exc:
            self.damage[relative] = f"unreadable ({quoted(exc, 80)})"
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


@dataclass(frozen=True)
class ParseTask:
    url: str
    base_url: str
    sha256: str
    warc_dir: Path
    location: WarcLocation
    charset: str | None
    scratch: Path
    max_bytes: int | None
    served_as: str | None  # a media type other than a page's, when the bytes are a page all the same


def parse_pages(
    pages: list[ArchivedPage],
    index: ArchiveIndex,
    previous: PreviousRun,
    scratch: Path,
    jobs: int,
    progress: MigrateProgress,
) -> Iterator[PageResult]:
    """Parse pages on a process pool; reuse what the previous run got from the same bytes."""
    tasks: list[ParseTask] = []
    for page in pages:
        reused = reuse_previous(page, previous)
        if reused is not None:
            progress.advance()
            yield reused
        else:
            tasks.append(
                ParseTask(
                    page.url,
                    page.base_url,
                    page.sha256,
                    index.warc_dir,
                    page.location,
                    page.charset,
                    scratch,
                    index.max_bytes,
                    declared_type(page) if declared_type(page) not in ("", *HTML_TYPES) else None,
                )
            )
    for outcome in map_in_order(parse_task, tasks, jobs):
        progress.advance()
        yield outcome


def reuse_previous(page: ArchivedPage, previous: PreviousRun) -> PageResult | None:
    """A result without parsing when the last run read the same bytes with this parser version and
    kept the record from this page; the record itself is read when it is written."""
    known = previous.pages.get(page.url)
    if not known or known.get("sha256") != page.sha256 or known.get("parser") != __version__:
        return None
    if known["result"] == "skipped":
        return PageResult(page.url, page.sha256, "skipped", reused=True)
    case_id = known["case_id"] if known["result"] == "case" else None
    if case_id is None or previous.case_urls.get(case_id) != page.url or case_id not in previous.case_ids:
        return None
    if not previous.is_intact(f"cases/{case_id}.json"):  # edited or damaged: parsed again
        return None
    page_case_id = known.get("page_case_id", case_id)
    return PageResult(page.url, page.sha256, "case", case_id=case_id, reused=True, page_case_id=page_case_id)


def parse_task(task: ParseTask) -> PageResult:
    """Runs in a worker process: read the payload from its WARC record and parse it."""
    try:
        raw = read_payload(task.warc_dir, task.location, task.sha256, task.max_bytes)
        case = parse_page(raw, task.url, http_charset=task.charset, base_url=task.base_url)
    except NotACasePageError:
        return PageResult(task.url, task.sha256, "skipped")
    except TfMigrateError as exc:
        return PageResult(task.url, task.sha256, "failed", message=str(exc))
    except Exception as exc:  # a parser bug fails this page only; the report names it
        return PageResult(
            task.url, task.sha256, "failed", message=f"internal error: {type(exc).__name__}: {exc}"
        )
    if task.served_as:
        message = f"served as {task.served_as}, but its bytes are an HTML page: parsed as one"
        case.issues.append(Issue(code="media_type_mismatch", field=None, message=message))
    scratch_path(task.scratch, task.url).write_text(case.model_dump_json(), encoding="utf-8")
    return PageResult(task.url, task.sha256, "case", case_id=case.case_id, page_case_id=case.case_id)


def scratch_path(scratch: Path, url: str) -> Path:
    return scratch / (hashlib.sha256(url.encode()).hexdigest() + ".json")


def load_scratch(scratch: Path, url: str) -> Case:
    return Case.model_validate_json(scratch_path(scratch, url).read_bytes())


def remove_scratch(scratch: Path) -> None:
    for path in scratch.iterdir():
        path.unlink()
    scratch.rmdir()


def choose_pages(
    results: Iterable[PageResult], previous: PreviousRun
) -> tuple[dict[str, PageResult], dict[str, list[dict[str, Any]]]]:
    """One page per record id, and what was set aside: ``duplicates`` (one page's bytes under
    another URL, as ``x/`` and ``x/index.html``) and ``collisions``.

    newtfh's as-submitted page wins over its small twin (the same case printed twice). Pages with
    the same bytes are one page: the URL that gave the record last run, else the first, keeps it.
    Pages with different bytes that give one case id (a draft copy beside the real page, two
    folders' index.html) are never chosen between by their order, which once let a draft replace
    the real record: the page whose record had the id last run keeps it, each other page gets an id
    of its own (``collision_id``), and every collision is named."""
    groups: dict[str, list[PageResult]] = {}
    for result in results:
        if result.kind == "case" and result.page_case_id:
            groups.setdefault(result.page_case_id, []).append(result)
    chosen: dict[str, PageResult] = {}
    set_aside: dict[str, list[dict[str, Any]]] = {"duplicates": [], "collisions": []}
    for page_case_id, group in sorted(groups.items()):
        holder = previous.case_urls.get(page_case_id)
        distinct: dict[str, PageResult] = {}  # sha256 -> the page that stands for those bytes
        for result in sorted(group, key=lambda r: (r.url != holder, r.url)):
            if any(is_small_twin(result.url, other.url) for other in group):
                continue
            if (first := distinct.setdefault(result.sha256, result)) is not result:
                set_aside["duplicates"].append(
                    {"case_id": page_case_id, "kept": first.url, "also": result.url}
                )
        if len(distinct) == 1:
            (only,) = distinct.values()
            chosen[page_case_id] = replace(only, case_id=page_case_id)
            continue
        pages = []
        for result in sorted(distinct.values(), key=lambda r: r.url):
            case_id = page_case_id if result.url == holder else collision_id(page_case_id, result.url)
            chosen[case_id] = replace(result, case_id=case_id)
            pages.append({"url": result.url, "case_id": case_id})
        set_aside["collisions"].append({"case_id": page_case_id, "pages": pages})
    return chosen, set_aside


def collision_id(case_id: str, url: str) -> str:
    """The id of a page's record when another page gives the same case id: the id and a digest
    of the page's URL, so that it stays the same run after run."""
    return f"{case_id[: MAX_CASE_ID - 9]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def name_collision(case: Case, page: PageResult, collisions: list[dict[str, Any]]) -> None:
    """A record that got an id of its own on a collision: the id, and an issue that says why."""
    if page.case_id is None or case.case_id == page.case_id:
        return
    others = [
        p["url"]
        for c in collisions
        if c["case_id"] == case.case_id
        for p in c["pages"]
        if p["url"] != page.url
    ]
    message = (
        f"case {case.case_id} is also given by {', '.join(others)}; this page's record is {page.case_id}"
    )
    case.case_id = page.case_id
    case.issues.append(Issue(code="case_id_collision", field="case_id", message=message))


def is_small_twin(url: str, other: str) -> bool:
    """Whether ``url`` is newtfh's small-image page of the case ``other`` prints as submitted."""
    return is_image_size_twin(url, other) and "/submitted_" in other


def is_image_size_twin(first: str, second: str) -> bool:
    """newtfh prints each case twice, ``small_<id>`` and ``submitted_<id>`` (as-submitted images)."""
    a, b = IMAGE_SIZE_PAGE_RE.search(first), IMAGE_SIZE_PAGE_RE.search(second)
    return bool(a and b and a[2] == b[2] and a[1].lower() != b[1].lower())


def attach_images(case: Case, index: ArchiveIndex, generation: Generation) -> None:
    """Write each image's original bytes under images/<case_id>/ and describe the file.

    Idempotent: a record reused from the last run is described afresh, its old image issues dropped.
    """
    case.issues = [issue for issue in case.issues if issue.code not in IMAGE_ISSUES]
    used: set[str] = set()
    for image in case.images:
        image.path = image.sha256 = image.media_type = None
        image.size = image.width = image.height = None
        try:
            file_page = resolve_image_file(image, index)
            data = index.payload(file_page) if file_page is not None else b""
        except ArchiveError as exc:
            case.issues.append(
                Issue(code="image_unreadable", field="images", message=f"{image.label}: {exc}")
            )
            continue
        if file_page is None:
            where = image.url or image.viewer_url or "no link"
            case.issues.append(
                Issue(code="image_missing", field="images", message=f"{image.label}: no file ({where})")
            )
            continue
        facts = sniff_media(data)
        name = unique_name(image.label, file_page.url, facts.extension, used)
        relative = f"images/{case.case_id}/{name}"
        generation.write_bytes(relative, data)
        image.url, image.path = file_page.url, relative
        image.sha256, image.size = hashlib.sha256(data).hexdigest(), len(data)
        image.media_type, image.width, image.height = facts.media_type, facts.width, facts.height


def keep_images(case: Case, generation: Generation, index: ArchiveIndex) -> None:
    """A record carried over keeps its image files: the last run's copies when they are whole (the
    sha256 the record gives), else the archived files again; one that is neither gets an issue."""
    if generation.previous is None:
        return
    for image in case.images:
        if not image.path:
            continue
        data = read_if_whole(generation.previous / image.path, image.sha256)
        archived = index.get(image.url) if image.url and data is None else None
        if archived is not None:
            with suppress(ArchiveError):
                data = index.payload(archived) if archived.sha256 == image.sha256 else None
        if data is None:
            message = f"{image.label}: the last run's {image.path} is damaged and the archive has no copy"
            case.issues.append(Issue(code="image_unreadable", field="images", message=message))
            continue
        generation.write_bytes(image.path, data)


def read_if_whole(path: Path, sha256: str | None) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def resolve_image_file(image: Image, index: ArchiveIndex) -> ArchivedPage | None:
    """The image or cine file an image entry shows: embedded, linked directly, or on its viewer page."""
    for url in (image.url, image.viewer_url):
        page = index.get(url) if url else None
        if page is not None and is_media(index, page):
            return page
    viewer = index.get(image.viewer_url) if image.viewer_url else None
    if viewer is None:
        return None
    candidates = [index.get(link) for link in extract_links(index.payload(viewer), viewer.base_url)]
    media = [p for p in candidates if p is not None and p.url != viewer.url and is_media(index, p)]
    # The image a viewer shows is its largest picture; icons and rules are small.
    return max(media, key=lambda p: p.size, default=None)


def is_media(index: ArchiveIndex, page: ArchivedPage) -> bool:
    content_type = (page.content_type or "").lower()
    if content_type.startswith(("image/", "video/")):
        return True
    if content_type.startswith(("text/", "application/xhtml")):
        return False
    return sniff_media(index.payload(page)).media_type.startswith(("image/", "video/"))


def unique_name(label: str, url: str, extension: str, used: set[str]) -> str:
    """``<label>-<file name>``, safe on every file system and unique within the case (any case)."""
    original = PurePosixPath(unquote(urlsplit(url).path)).name
    stem, suffix = os.path.splitext(original)
    if suffix.lower() not in (extension, ".jpeg", ".tif", ".tiff", ".mpeg"):
        stem, suffix = original, extension
    prefixed = stem if stem.lower().startswith(label.lower()) else f"{label}-{stem}"
    base = safe_name(prefixed, MAX_NAME_LENGTH, fallback="image")
    suffix = UNSAFE_RE.sub("", suffix.lower())
    name, counter = f"{base}{suffix}", 1
    while name.lower() in used:
        counter += 1
        name = f"{base}-{counter}{suffix}"
    used.add(name.lower())
    return name


def archive_capture(index: ArchiveIndex, page: ArchivedPage) -> dict[str, Any]:
    """Which web archive capture the page is (migrate --wayback); nothing when its record cannot be
    read (tfmigrate doctor names the damage, and the record keeps the capture it named)."""
    try:
        return index.capture(page)
    except ArchiveError:
        return {}


def fetch_date(page: ArchivedPage) -> dt.date:
    try:
        return dt.date.fromisoformat((page.last_fetched or "")[:10])
    except ValueError:
        return dt.datetime.now(dt.UTC).date()


def compare(old: Case | None, new: Case, changes: dict[str, list[Any]]) -> ChangeKind:
    if old is None:
        changes["added"].append(new.case_id)
        return "added"
    if old == new:  # field by field, ~10x cheaper than the dumps below (a re-run compares every case)
        changes["unchanged"].append(new.case_id)
        return "unchanged"
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    if before == after:
        changes["unchanged"].append(new.case_id)
        return "unchanged"
    if after["withdrawn"] and not before["withdrawn"]:
        changes["withdrawn"].append({"case_id": new.case_id, "date": after["withdrawn"]})
        return "withdrawn"
    fields = {k: {"old": before.get(k), "new": after.get(k)} for k in after if before.get(k) != after.get(k)}
    changes["changed"].append({"case_id": new.case_id, "fields": fields})
    return "changed"


def write_case(
    generation: Generation, previous: PreviousRun, index: ArchiveIndex, case: Case, reused: bool
) -> None:
    """cases/<case_id>.json and the original page. A reused record that came out unchanged (the
    same page bytes, read by this parser version, with the same images, its file the bytes the last
    run wrote) links both files from the last run, unread, when they are still what it wrote."""
    relative = f"cases/{case.case_id}.json"
    if reused and generation.link_previous(relative):
        original = original_path(case)
        if not (previous.is_intact(original) and generation.link_previous(original)):
            write_original(generation, previous, index, case)
        return
    generation.write_text(relative, case_to_json(case))
    write_original(generation, previous, index, case)


def write_original(generation: Generation, previous: PreviousRun, index: ArchiveIndex, case: Case) -> None:
    """The archived bytes of the case page, for the report's link; skipped if the record is damaged."""
    relative = original_path(case)
    page = index.get(case.source.url)
    try:
        data = index.payload(page) if page is not None else None
    except ArchiveError:
        data = None  # tfmigrate doctor names the damage; the last run's copy is kept below
    if data is None and previous.root is not None and previous.is_intact(relative):
        data = (previous.root / relative).read_bytes()
    if data is not None:
        generation.write_bytes(relative, data)


def original_path(case: Case) -> str:
    return f"originals/{case.case_id}{'.txt' if case.source.input_format == 'text' else '.html'}"


def case_summary(case: Case, kind: str) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "change": kind,
        "title": case.title,
        "url": case.source.url,
        "withdrawn": case.withdrawn.isoformat() if case.withdrawn else None,
        "issues": [issue.code for issue in case.issues],
    }


def build_report(
    result: MigrateResult,
    results: list[PageResult],
    summaries: list[dict[str, Any]],
    set_aside: dict[str, list[dict[str, Any]]],
    crawl_summary: CrawlSummary | None,
) -> dict[str, Any]:
    """report.json: counts, every case with its issues, failures, and what each page gave."""
    issue_counts: dict[str, int] = {}
    for summary in summaries:
        for code in summary["issues"]:
            issue_counts[code] = issue_counts.get(code, 0) + 1
    return {
        "counts": {
            "cases": len(summaries),
            "pages": result.pages,
            "skipped_pages": result.skipped,
            "failed_pages": len(result.failures),
            "cases_with_issues": sum(1 for s in summaries if s["issues"]),
        },
        "crawl": dict(sorted(crawl_summary.counts.items())) if crawl_summary else None,
        "crawl_failures": [{"url": u, "reason": r} for u, r in crawl_summary.failures]
        if crawl_summary
        else [],
        "crawl_notes": crawl_summary.notes if crawl_summary else [],
        "issues": dict(sorted(issue_counts.items())),
        "cases": summaries,
        "failures": [{"url": url, "error": message} for url, message in result.failures],
        "duplicates": set_aside["duplicates"],
        "collisions": set_aside["collisions"],
        "damaged_previous": [
            {"file": name, "problem": problem} for name, problem in result.damaged_previous.items()
        ],
        "pages": {r.url: page_entry(r) for r in sorted(results, key=lambda r: r.url)},
    }


def page_entry(result: PageResult) -> dict[str, Any]:
    """What a page gave, for the next run to reuse: its bytes, the parser, the result, the id of
    its record (and the id the page itself gives, when a collision gave the record another)."""
    entry = {"sha256": result.sha256, "parser": __version__, "result": result.kind, "case_id": result.case_id}
    if result.page_case_id and result.page_case_id != result.case_id:
        entry["page_case_id"] = result.page_case_id
    return entry


def write_manifest(
    generation: Generation,
    previous: PreviousRun,
    options: MigrateOptions,
    settings: CrawlSettings,
    archive_dir: Path,
    crawl_summary: CrawlSummary | None,
    started: str,
) -> None:
    """manifest.json: tool, source, settings, run, and the sha256 and size of every file."""
    known = previous.files
    files = {
        name: known[name] if name in known and generation.is_carried(name) else digest_entry(path)
        for name, path in generation.files()
    }
    warc_files = sorted(p for p in archive_dir.rglob("*") if p.name.endswith(WARC_SUFFIXES))
    archive = {p.relative_to(archive_dir).as_posix(): digest_entry(p) for p in warc_files}
    manifest = {
        "tool": "tfmigrate",
        "version": __version__,
        "run_id": generation.root.name,
        "crawl_run_id": crawl_summary.run_id if crawl_summary else None,
        "started": started,
        "finished": now_iso(),
        "source": options.source,
        "archive": str(archive_dir),
        "settings": {**settings.model_dump(mode="json"), "jobs": options.jobs, "prune": options.prune},
        "files": files,
        "archive_files": archive,
    }
    generation.write_json("manifest.json", manifest)


def digest_entry(path: Path) -> dict[str, Any]:
    return dict(zip(("sha256", "size"), file_digest(path), strict=True))


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_source() -> str:
    """The bundled fixture site: from the working folder, else beside the installed sources."""
    for candidate in (Path("fixtures/html"), Path(__file__).resolve().parents[2] / "fixtures" / "html"):
        if candidate.is_dir():
            return str(candidate)
    raise StartError("no SOURCE given and no bundled fixtures/html here: name a start URL, folder or archive")
