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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

from tfmigrate import __version__
from tfmigrate.config import CrawlSettings
from tfmigrate.crawl import STATE_FILE, Crawler, CrawlEvent, CrawlSummary
from tfmigrate.crawl.archive import WarcLocation, read_payload
from tfmigrate.crawl.index import WARC_SUFFIXES, ArchivedPage, ArchiveIndex
from tfmigrate.crawl.links import extract_links
from tfmigrate.errors import ArchiveError, NotACasePageError, OutputError, StartError, TfMigrateError
from tfmigrate.export.generation import Generation, file_digest, prepare_output
from tfmigrate.export.jsonfiles import case_to_json, case_to_json_line
from tfmigrate.export.report import write_report_html
from tfmigrate.filenames import UNSAFE_RE, safe_name
from tfmigrate.media import sniff_media
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
ChangeKind = Literal["added", "changed", "unchanged", "withdrawn", "failed", "kept"]
# changes.json, in this order; "kept": records carried over whose page this archive no longer holds.
CHANGE_KINDS = ("added", "changed", "withdrawn", "failed", "kept", "unchanged")


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
    case_id: str | None = None
    message: str | None = None
    reused: bool = False


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

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.changes.get(kind, [])) for kind in CHANGE_KINDS}


def migrate(options: MigrateOptions, settings: CrawlSettings, progress: MigrateProgress) -> MigrateResult:
    started = now_iso()
    links = prepare_output(options.out_dir)
    archive_dir, crawl_summary = obtain_archive(options, settings, progress)
    index = ArchiveIndex.open(archive_dir)
    run_id = crawl_summary.run_id if crawl_summary else new_run_id()
    generation = Generation(options.out_dir, run_id, links)
    try:
        result = build_generation(options, index, generation, progress, crawl_summary)
        write_manifest(generation, options, settings, archive_dir, run_id, started)
        generation.commit()
    except OSError as exc:
        generation.discard()
        raise OutputError(f"cannot write {options.out_dir}: {exc.strerror or exc}") from exc
    except BaseException:
        generation.discard()
        raise
    result.notes = [note] if (note := links.note()) else []
    return result


def obtain_archive(
    options: MigrateOptions, settings: CrawlSettings, progress: MigrateProgress
) -> tuple[Path, CrawlSummary | None]:
    """The archive to read: the source itself when it is one, else DIR/archive after a crawl."""
    if is_archive(Path(options.source)) and "://" not in options.source:
        return Path(options.source), None
    archive_dir = options.archive_dir or options.out_dir / ARCHIVE_DIR
    if options.reparse:
        if not (archive_dir / STATE_FILE).is_file():
            raise StartError(f"--reparse: no archive in {archive_dir} to rebuild from")
        return archive_dir, None
    progress.phase("crawl", 0)
    crawler = Crawler(options.source, archive_dir, settings, on_event=progress.crawl_event)
    return archive_dir, crawler.run()


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
    progress: MigrateProgress,
    crawl_summary: CrawlSummary | None,
) -> MigrateResult:
    previous = PreviousRun.load(generation.previous)
    pages = [page for page in index if is_page(page)]
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
    chosen, duplicates = choose_pages(results)
    failed_urls = {r.url: r.message or "" for r in results if r.kind == "failed"}
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
                if gone and options.prune:
                    continue
                if page.reused and old is not None:  # same bytes, same parser: the last run's record
                    record = old.model_copy(update={"withdrawn": None})
                else:
                    record = load_scratch(scratch, page.url)
                attach_images(record, index, generation)
                if archived is not None:  # a copy: a reused record shares its source with the last run's
                    source = {"last_modified": archived.modified, **archive_capture(index, archived)}
                    record.source = record.source.model_copy(update=source)
                if gone and archived is not None:
                    first_seen_gone = old.withdrawn if old and old.withdrawn else None
                    record.withdrawn = first_seen_gone or fetch_date(archived)
                kind = compare(old, record, changes)
            elif old is not None:
                failure = failed_urls.get(old.source.url)
                if options.prune and (old.withdrawn or failure is None):
                    continue
                record = old
                keep_images(record, generation)
                if failure is not None:
                    changes["failed"].append({"case_id": case_id, "url": old.source.url, "error": failure})
                    kind = "failed"
                else:
                    changes["kept"].append(case_id)
                    kind = "kept"
            else:
                continue
            reused = page is not None and page.reused and kind == "unchanged"
            write_case(generation, index, record, reused=reused)
            jsonl.write(case_to_json_line(record))
            summaries.append(case_summary(record, kind))
    remove_scratch(scratch)
    kept_failures = {entry["url"] for entry in changes["failed"]}
    changes["failed"] += [
        {"case_id": None, "url": url, "error": message}
        for url, message in result.failures
        if url not in kept_failures
    ]
    generation.write_text("schema.json", json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n")
    generation.write_text("changes.json", json.dumps(changes, indent=2, ensure_ascii=False) + "\n")
    report = build_report(result, results, summaries, duplicates, crawl_summary)
    generation.write_json("report.json", report)
    write_report_html(generation, report)
    result.changes = changes
    result.cases = len(summaries)
    return result


@dataclass
class PreviousRun:
    """The last complete generation: its records and what each page gave."""

    root: Path | None
    pages: dict[str, dict[str, Any]]
    case_ids: set[str]
    case_urls: dict[str, str]  # case id -> the URL of the page its record was read from

    @classmethod
    def load(cls, root: Path | None) -> PreviousRun:
        if root is None:
            return cls(None, {}, set(), {})
        report_path = root / "report.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
        case_urls = {case["case_id"]: case["url"] for case in report.get("cases", [])}
        case_ids = {p.stem for p in (root / "cases").glob("*.json")}
        return cls(root, report.get("pages", {}), case_ids, case_urls)

    def record(self, case_id: str) -> Case | None:
        if self.root is None:
            return None
        path = self.root / "cases" / f"{case_id}.json"
        return Case.model_validate_json(path.read_bytes()) if path.is_file() else None


def is_page(page: ArchivedPage) -> bool:
    content_type = (page.content_type or "").split(";", 1)[0].strip().lower()
    if content_type:
        return content_type in HTML_TYPES
    return urlsplit(page.url).path.lower().endswith(PAGE_SUFFIXES)


@dataclass(frozen=True)
class ParseTask:
    url: str
    sha256: str
    warc_dir: Path
    location: WarcLocation
    charset: str | None
    scratch: Path


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
                ParseTask(page.url, page.sha256, index.warc_dir, page.location, page.charset, scratch)
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
    return PageResult(page.url, page.sha256, "case", case_id=case_id, reused=True)


def parse_task(task: ParseTask) -> PageResult:
    """Runs in a worker process: read the payload from its WARC record and parse it."""
    try:
        raw = read_payload(task.warc_dir, task.location, task.sha256)
        case = parse_page(raw, task.url, http_charset=task.charset)
    except NotACasePageError:
        return PageResult(task.url, task.sha256, "skipped")
    except TfMigrateError as exc:
        return PageResult(task.url, task.sha256, "failed", message=str(exc))
    except Exception as exc:  # a parser bug fails this page only; the report names it
        return PageResult(
            task.url, task.sha256, "failed", message=f"internal error: {type(exc).__name__}: {exc}"
        )
    scratch_path(task.scratch, task.url).write_text(case.model_dump_json(), encoding="utf-8")
    return PageResult(task.url, task.sha256, "case", case_id=case.case_id)


def scratch_path(scratch: Path, url: str) -> Path:
    return scratch / (hashlib.sha256(url.encode()).hexdigest() + ".json")


def load_scratch(scratch: Path, url: str) -> Case:
    return Case.model_validate_json(scratch_path(scratch, url).read_bytes())


def remove_scratch(scratch: Path) -> None:
    for path in scratch.iterdir():
        path.unlink()
    scratch.rmdir()


def choose_pages(results: Iterable[PageResult]) -> tuple[dict[str, PageResult], list[dict[str, str]]]:
    """One page per case id: newtfh's as-submitted page over its small twin, else the first URL."""
    chosen: dict[str, PageResult] = {}
    duplicates: list[dict[str, str]] = []
    for result in sorted((r for r in results if r.kind == "case" and r.case_id), key=lambda r: r.url):
        assert result.case_id is not None
        first = chosen.get(result.case_id)
        if first is None:
            chosen[result.case_id] = result
        elif is_image_size_twin(first.url, result.url):
            if "/submitted_" in result.url:
                chosen[result.case_id] = result
        else:
            duplicates.append({"case_id": result.case_id, "kept": first.url, "also": result.url})
    return chosen, duplicates


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


def keep_images(case: Case, generation: Generation) -> None:
    """A record carried over unchanged keeps its image files (links to the previous copies)."""
    if generation.previous is None:
        return
    for image in case.images:
        if image.path and (generation.previous / image.path).is_file():
            generation.write_bytes(image.path, (generation.previous / image.path).read_bytes())


def resolve_image_file(image: Image, index: ArchiveIndex) -> ArchivedPage | None:
    """The image or cine file an image entry shows: embedded, linked directly, or on its viewer page."""
    for url in (image.url, image.viewer_url):
        page = index.get(url) if url else None
        if page is not None and is_media(index, page):
            return page
    viewer = index.get(image.viewer_url) if image.viewer_url else None
    if viewer is None:
        return None
    candidates = [index.get(link) for link in extract_links(index.payload(viewer), viewer.url)]
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


def write_case(generation: Generation, index: ArchiveIndex, case: Case, reused: bool) -> None:
    """cases/<case_id>.json and the original page. A reused record that came out unchanged (the
    same page bytes, read by this parser version, with the same images) links both files from the
    last run, unread: that run wrote them from this very record."""
    relative = f"cases/{case.case_id}.json"
    if reused and generation.link_previous(relative):
        if not generation.link_previous(original_path(case)):
            write_original(generation, index, case)
        return
    generation.write_text(relative, case_to_json(case))
    write_original(generation, index, case)


def write_original(generation: Generation, index: ArchiveIndex, case: Case) -> None:
    """The archived bytes of the case page, for the report's link; skipped if the record is damaged."""
    relative = original_path(case)
    page = index.get(case.source.url)
    try:
        data = index.payload(page) if page is not None else None
    except ArchiveError:
        data = None  # tfmigrate doctor names the damage; the last run's copy is kept below
    if data is None and generation.previous is not None and (generation.previous / relative).is_file():
        data = (generation.previous / relative).read_bytes()
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
    duplicates: list[dict[str, str]],
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
        "issues": dict(sorted(issue_counts.items())),
        "cases": summaries,
        "failures": [{"url": url, "error": message} for url, message in result.failures],
        "duplicates": duplicates,
        "pages": {
            r.url: {"sha256": r.sha256, "parser": __version__, "result": r.kind, "case_id": r.case_id}
            for r in sorted(results, key=lambda r: r.url)
        },
    }


def write_manifest(
    generation: Generation,
    options: MigrateOptions,
    settings: CrawlSettings,
    archive_dir: Path,
    run_id: str,
    started: str,
) -> None:
    """manifest.json: tool, source, settings, run, and the sha256 and size of every file."""
    known = previous_digests(generation)
    files = {
        name: known[name] if name in known and generation.is_carried(name) else digest_entry(path)
        for name, path in generation.files()
    }
    warc_files = sorted(p for p in archive_dir.rglob("*") if p.name.endswith(WARC_SUFFIXES))
    archive = {p.relative_to(archive_dir).as_posix(): digest_entry(p) for p in warc_files}
    manifest = {
        "tool": "tfmigrate",
        "version": __version__,
        "run_id": run_id,
        "started": started,
        "finished": now_iso(),
        "source": options.source,
        "archive": str(archive_dir),
        "settings": {**settings.model_dump(mode="json"), "jobs": options.jobs, "prune": options.prune},
        "files": files,
        "archive_files": archive,
    }
    generation.write_json("manifest.json", manifest)


def previous_digests(generation: Generation) -> dict[str, dict[str, Any]]:
    """The last manifest's entries: a file linked from that generation is the same file (an
    unchanged re-run would otherwise read every byte of the output again)."""
    path = generation.previous / "manifest.json" if generation.previous else None
    if path is None or not path.is_file():
        return {}
    files: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    return files


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
