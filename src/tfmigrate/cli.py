"""Command line: argument parsing, messages and exit codes; the work happens elsewhere.

Exit codes: 0 all good, 1 some input failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from tfmigrate import __version__
from tfmigrate.batch import PAGE_SUFFIXES, find_pages, parse_batch
from tfmigrate.config import DEFAULT_HTTP_DELAY, CrawlSettings
from tfmigrate.corrections import correct, corrections_dir, current_record, load_corrections
from tfmigrate.crawl.crawler import Crawler, CrawlEvent
from tfmigrate.doctor import examine, forget_damaged
from tfmigrate.errors import TfMigrateError
from tfmigrate.export.registry import ENTRY_POINT_GROUP, ExportOptions, available_exporters, describe, export
from tfmigrate.migrate.run import MigrateOptions, MigrateResult, migrate
from tfmigrate.migrate.source import default_source
from tfmigrate.models import case_json_schema
from tfmigrate.records import record_name
from tfmigrate.stats import measure, read_records

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
# Settings whose command-line option is not their name with dashes.
OPTION_OF_FIELD = {"read_timeout": "--timeout"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfmigrate",
        description="Rescue a legacy radiology teaching-file site into validated JSON records.",
    )
    parser.add_argument("--version", action="version", version=f"tfmigrate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser(
        "parse",
        help="parse case pages (HTML or text renderings) into JSON records",
        description="Parse case pages into DIR/cases/<case_id>.json and DIR/cases.jsonl. "
        "Pages that are not case pages (lists, viewers, discussion pages) are skipped.",
    )
    parse.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="page files or directories of them"
    )
    parse.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_jobs_option(parse)
    parse.add_argument("-v", "--verbose", action="store_true", help="tracebacks for failed pages")
    parse.add_argument("-q", "--quiet", action="store_true", help="no summary line")

    crawl = commands.add_parser(
        "crawl",
        help="crawl a teaching-file site politely into a WARC archive",
        description="Crawl a site (a start URL, a local folder or a file:// URL) into DIR: WARC files of "
        "every response and a state database. Re-running the same command revalidates the archive with "
        "conditional requests and reports what is new, changed, unchanged, gone or failed; a killed crawl "
        "resumes.",
    )
    crawl.add_argument(
        "start", metavar="START", help="start URL (home page or case list), folder or file:// URL"
    )
    crawl.add_argument("--archive", type=Path, required=True, metavar="DIR", help="archive folder (created)")
    add_crawl_options(crawl)
    crawl.add_argument(
        "-v", "--verbose", action="store_true", help="a line per skipped URL too, and tracebacks"
    )
    crawl.add_argument(
        "-q", "--quiet", action="store_true", help="no progress: only failures and the summary"
    )

    migrate_parser = commands.add_parser(
        "migrate",
        help="crawl (or read an archive), parse and write a whole site: the main job",
        description="Migrate a site into DIR: crawl SOURCE into DIR/archive (or --archive), parse every "
        "archived case page, write records, image files, a report and what changed since the last run. "
        "SOURCE is a start URL, a folder or file:// URL, or an existing archive (a tfmigrate archive "
        "folder or WARC files); without SOURCE the bundled fixtures/html site is migrated.",
    )
    migrate_parser.add_argument(
        "source", nargs="?", metavar="SOURCE", help="start URL, folder, file:// URL or archive"
    )
    migrate_parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    migrate_parser.add_argument(
        "--archive", type=Path, metavar="DIR", help="crawl archive (default DIR/archive)"
    )
    migrate_parser.add_argument(
        "--reparse",
        action="store_true",
        help="rebuild DIR from its archive alone: parse every page again, with no network access",
    )
    migrate_parser.add_argument(
        "--prune", action="store_true", help="delete records of withdrawn pages (kept and marked by default)"
    )
    add_jobs_option(migrate_parser)
    add_crawl_options(migrate_parser)
    migrate_parser.add_argument("-v", "--verbose", action="store_true", help="tracebacks, and a line per URL")
    migrate_parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress: only failures and the summary"
    )

    stats = commands.add_parser(
        "stats",
        help="coverage of a migrated output: fields filled, structured values read, issues",
        description="How many cases fill each field, how many structured values were read, and the issues "
        "by code, over DIR/cases/ as written by migrate or parse: the check before an import.",
    )
    stats.add_argument("out", type=Path, metavar="DIR", help="a migrated output folder")
    stats.add_argument("--json", action="store_true", help="print the coverage as JSON")

    formats = available_exporters()
    export_parser = commands.add_parser(
        "export",
        help="export migrated records to a teaching platform's format",
        description="Export the validated records (and image files) of a migrated DIR to OUTDIR in FORMAT. "
        f"Formats (third-party packages add theirs through the {ENTRY_POINT_GROUP!r} entry point group):",
        epilog="\n".join(
            f"  {name:10} " + describe(name).replace("\n", "\n" + " " * 13) for name in sorted(formats)
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export_parser.add_argument(
        "source", type=Path, metavar="DIR", help="a folder written by tfmigrate migrate"
    )
    export_parser.add_argument(
        "--format", required=True, metavar="FORMAT", help=f"one of: {', '.join(sorted(formats))}"
    )
    export_parser.add_argument("--out", type=Path, required=True, metavar="OUTDIR", help="where to write")
    export_parser.add_argument(
        "--unknown",
        action="store_true",
        help="cases as unknowns: diagnosis and discussion held for the answer",
    )
    export_parser.add_argument(
        "--bom", action="store_true", help="csv: start files with a UTF-8 byte-order mark"
    )
    export_parser.add_argument(
        "--access",
        choices=("public", "owner"),
        default="public",
        help="mirc: who may read the cases on the TFS: public (the default; a publisher's upload is public "
        "at once, anyone else's waits in the publication queue) or owner (private to the uploader)",
    )
    export_parser.add_argument("-v", "--verbose", action="store_true", help="tracebacks for errors")

    doctor = commands.add_parser(
        "doctor",
        help="check an output folder and its archive for damage",
        description="Verify DIR's files against its manifest (sha256 and size), read every WARC record of "
        "its archive, check the crawl state database and every archived payload against its sha256, and "
        "say what is damaged and the way out. Exit status 0 when all is well, 1 when something is damaged.",
    )
    doctor.add_argument(
        "out", type=Path, metavar="DIR", help="a migrated output folder, or an archive folder"
    )
    doctor.add_argument(
        "--repair",
        action="store_true",
        help="forget damaged archived copies so that the next crawl fetches those URLs again",
    )
    doctor.add_argument(
        "-q", "--quiet", action="store_true", help="print only what is damaged (nothing when all is well)"
    )

    correct_parser = commands.add_parser(
        "correct",
        help="correct a field of a case, or mark it verified: kept in DIR/corrections/ across re-runs",
        description="Save an archivist's correction in DIR/corrections/CASE.jsonl (outside the generated "
        "files, so every later migrate, --reparse too, applies it). FIELD is a path: diagnosis, "
        "images[second].caption, authors[0].family. VALUE is text for a text field, else JSON (3, "
        '["a", "b"], null). The next migrate applies it; tfmigrate migrate DIR/archive --out DIR does so '
        "now without crawling.",
    )
    correct_parser.add_argument("out", type=Path, metavar="DIR", help="a migrated output folder")
    correct_parser.add_argument("case_id", metavar="CASE")
    correct_parser.add_argument("field", nargs="?", metavar="FIELD", help="the field's path; none: the case")
    correct_parser.add_argument("value", nargs="?", metavar="VALUE")
    correct_parser.add_argument("--note", help="why, for the next reviewer")
    correct_parser.add_argument(
        "--verified", action="store_true", help="mark the field (or the case) verified"
    )
    correct_parser.add_argument(
        "--accept", action="store_true", help="drop the correction: take the value the page gives"
    )
    correct_parser.add_argument("--reviewer", help="who corrects (default: the login name)")

    corrections_parser = commands.add_parser(
        "corrections",
        help="list the corrections kept in DIR/corrections/",
        description="List every correction and verified mark in DIR, checked against the record model; "
        "with --conflicts only corrections whose page now gives another value than their base.",
    )
    corrections_parser.add_argument("out", type=Path, metavar="DIR", help="a migrated output folder")
    corrections_parser.add_argument("--conflicts", action="store_true", help="only the conflicts")

    review = commands.add_parser(
        "review",
        help="review and correct DIR's cases in a browser (a local web app)",
        description="Serve a review app for DIR on 127.0.0.1 (a free port, or --port) and print its URL "
        "with this run's token: the case list with filters and search, each case beside its archived "
        "original (inert) with each field's place marked, and forms that save corrections (applied by "
        "a run from DIR's archive right after). Ctrl-C stops it.",
    )
    review.add_argument("out", type=Path, metavar="DIR", help="a migrated output folder")
    review.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: a free one)")
    review.add_argument("--reviewer", help="who corrects (default: the login name)")

    commands.add_parser(
        "schema",
        help="print the JSON Schema (Draft 2020-12) of a case record",
        description="Print the JSON Schema of a case record, as committed in schema/case.schema.json.",
    )
    return parser


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    defaults = CrawlSettings()
    group = parser.add_argument_group("crawl options")
    group.add_argument(
        "--delay",
        type=float,
        default=defaults.delay,
        metavar="S",
        help=f"seconds between requests to the host (default {DEFAULT_HTTP_DELAY:g} over HTTP, 0 from disk;"
        " robots.txt Crawl-delay wins when longer)",
    )
    group.add_argument(
        "--concurrency",
        type=int,
        default=defaults.concurrency,
        metavar="N",
        help=f"connections at most to the host (default {defaults.concurrency})",
    )
    group.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="also crawl URLs matching REGEX (repeatable)",
    )
    group.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="never crawl URLs matching REGEX (repeatable)",
    )
    group.add_argument(
        "--follow-action-links",
        action="store_true",
        help="also fetch edit/comment/search CGI links (skipped by default)",
    )
    group.add_argument("--contact", metavar="EMAIL_OR_URL", help="who runs the crawl, sent in the User-Agent")
    group.add_argument(
        "--proxy",
        metavar="URL",
        help="HTTP proxy, http://[USER:PASSWORD@]HOST:PORT (default: HTTP_PROXY/HTTPS_PROXY; NO_PROXY hosts"
        " are reached directly); a site's own login is read from ~/.netrc",
    )
    group.add_argument(
        "--wayback",
        metavar="BASE",
        help="read the site from a web archive's captures, not the live web: BASE is a Wayback-compatible"
        " replay endpoint (https://web.archive.org/web/, a pywb collection http://HOST:8080/COLL/) and"
        " START the site's original address",
    )
    group.add_argument(
        "--as-of",
        metavar="DATE",
        help="with --wayback: the newest captures at or before DATE (2005-06-30, 2005-06-30T12:00:00Z or a"
        " Wayback timestamp such as 2005 or 20050630); default the newest",
    )
    group.add_argument(
        "--cdx",
        metavar="URL",
        help="with --wayback: the archive's CDX API (default: BASE's sibling cdx/search/cdx for a .../web/"
        " BASE, as the Internet Archive has it, else BASE/cdx, as pywb has it)",
    )
    group.add_argument(
        "--max-bytes",
        type=int,
        default=defaults.max_bytes,
        metavar="N",
        help=f"bytes at most per response, decompressed (default {defaults.max_bytes:,})",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=defaults.read_timeout,
        metavar="S",
        help=f"seconds without data before a read fails (default {defaults.read_timeout:g})",
    )
    group.add_argument(
        "--retries",
        type=int,
        default=defaults.retries,
        metavar="N",
        help=f"retries on 429/5xx and connection errors, with backoff (default {defaults.retries})",
    )


def crawl_settings(args: argparse.Namespace) -> CrawlSettings:
    return CrawlSettings(
        delay=args.delay,
        concurrency=args.concurrency,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        follow_action_links=args.follow_action_links,
        contact=args.contact,
        proxy=args.proxy,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        retries=args.retries,
        wayback=args.wayback,
        as_of=args.as_of,
        cdx=args.cdx,
    )


def add_jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--jobs",
        type=process_count,
        default=os.cpu_count() or 1,
        metavar="N",
        help="parsing processes (default: CPU count)",
    )


def process_count(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError(f"{count} is not a number of processes (1 or more)")
    return count


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "schema":
        print(schema_json(), end="")
        return EXIT_OK
    if args.command == "crawl":
        return run_crawl(args)
    if args.command == "migrate":
        return run_migrate(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "doctor":
        return run_doctor(args.out, repair=args.repair, quiet=args.quiet)
    if args.command == "correct":
        return run_correct(args)
    if args.command == "corrections":
        return run_corrections(args.out, conflicts_only=args.conflicts)
    if args.command == "review":
        return run_review(args.out, port=args.port, reviewer=args.reviewer)
    if args.command == "stats":
        return run_stats(args.out, as_json=args.json)
    return run_parse(args.paths, args.out, jobs=args.jobs, verbose=args.verbose, quiet=args.quiet)


def run_crawl(args: argparse.Namespace) -> int:
    try:
        settings = crawl_settings(args)
        crawler = Crawler(args.start, args.archive, settings)
    except (ValidationError, re.error) as exc:
        return usage_error(f"bad crawl option: {one_line(exc)}")
    except TfMigrateError as exc:
        return usage_error(str(exc))
    with CrawlReporter(verbose=args.verbose, quiet=args.quiet) as reporter:
        crawler.on_event = reporter.show
        try:
            summary = crawler.run()
        except TfMigrateError as exc:
            return usage_error(str(exc))
        except OSError as exc:
            return usage_error(f"cannot write the archive in {args.archive}: {exc.strerror or exc}")
    print(summary.line())
    reporter.name_failures(summary.failures)
    return EXIT_FAILURES if summary.failures else EXIT_OK


def run_migrate(args: argparse.Namespace) -> int:
    try:
        settings = crawl_settings(args)
        options = MigrateOptions(
            out_dir=args.out,
            source=args.source or default_source(),
            archive_dir=args.archive,
            reparse=args.reparse,
            prune=args.prune,
            jobs=args.jobs,
        )
    except ValidationError as exc:
        return usage_error(f"bad option: {one_line(exc)}")
    except TfMigrateError as exc:
        return usage_error(str(exc))
    with MigrateReporter(verbose=args.verbose, quiet=args.quiet) as reporter:
        try:
            result = migrate(options, settings, reporter)
        except (TfMigrateError, re.error) as exc:
            if args.verbose:
                traceback.print_exc()
            return usage_error(str(exc))
    print_migrate_summary(result)
    for note in result.notes:
        print(f"tfmigrate: note: {note}", file=sys.stderr)
    reporter.name_failures(result.crawl.failures if result.crawl else [])
    for failure in result.changes.get("failed", []):
        print(f"failed {failure['case_id'] or failure['url']}: {failure['error']}", file=sys.stderr)
    if (empty := result.nothing_migrated()) is not None:
        print(f"tfmigrate: nothing migrated: {empty}", file=sys.stderr)
    return EXIT_FAILURES if result.failed else EXIT_OK


def print_migrate_summary(result: MigrateResult) -> None:
    table = Table(title=f"tfmigrate migrate -> {result.out_dir}", show_header=True)
    table.add_column("cases")
    table.add_column("count", justify="right")
    for kind, count in result.counts.items():
        table.add_row(kind, str(count))
    table.add_row(
        "conflicts (corrected fields the page changed)", str(len(result.changes.get("conflicts", [])))
    )
    table.add_row("pages parsed / reused / skipped", f"{result.parsed} / {result.reused} / {result.skipped}")
    if result.crawl:
        table.add_row("crawl", result.crawl.line().split(": ", 1)[1])
    Console(width=100).print(table)
    for change in result.changes.get("changed", []):
        print(f"changed {change['case_id']}: {', '.join(change['fields'])}")
    for conflict in result.changes.get("conflicts", []):
        print(
            f"conflict {conflict['case_id']} {conflict['field']}: base {json.dumps(conflict['base'])},"
            f" page now {json.dumps(conflict['new'])}, corrected {json.dumps(conflict['corrected'])}"
        )
    for pruned in result.changes.get("pruned", []):
        print(f"pruned {pruned['case_id']}: withdrawn since {pruned['withdrawn']} ({pruned['url']})")
    for collision in result.changes.get("collisions", []):
        pages = ", ".join(f"{page['url']} (as {page['case_id']})" for page in collision["pages"])
        print(f"collision: case {collision['case_id']} is given by {pages}", file=sys.stderr)
    for name, problem in result.damaged_previous.items():
        print(f"tfmigrate: note: the last run's {name} is {problem}", file=sys.stderr)


def run_export(args: argparse.Namespace) -> int:
    try:
        options = ExportOptions(unknown=args.unknown, bom=args.bom, access=args.access)
        summary = export(args.format, args.source, args.out, options)
    except TfMigrateError as exc:
        if args.verbose:
            traceback.print_exc()
        return usage_error(str(exc))
    for note in summary.notes:
        print(f"note: {note}")
    count = summary.count
    print(f"exported {count} case{'s' if count != 1 else ''} as {args.format} -> {args.out}")
    return EXIT_OK


def run_doctor(out_dir: Path, *, repair: bool, quiet: bool) -> int:
    try:
        result = examine(out_dir)
        for finding in result.findings:
            print(f"damaged: {finding.line()}")
        if repair and result.damaged_urls:
            archive = out_dir / "archive" if (out_dir / "archive").is_dir() else out_dir
            count = forget_damaged(archive, result.damaged_urls)
            print(f"repair: forgot {count} damaged cop{'y' if count == 1 else 'ies'}; crawl again to refetch")
    except (TfMigrateError, OSError) as exc:
        return usage_error(str(exc))
    if quiet:
        return EXIT_FAILURES if result.findings else EXIT_OK
    state = "damaged" if result.findings else "healthy"
    print(
        f"doctor: {state}: {result.checked_files} files, {result.checked_records} WARC records,"
        f" {result.checked_payloads} payloads checked; {len(result.findings)} problem(s)"
    )
    return EXIT_FAILURES if result.findings else EXIT_OK


def run_correct(args: argparse.Namespace) -> int:
    if args.field is None and (args.value is not None or not args.verified):
        return usage_error("name a FIELD to correct, or mark the case --verified")
    if args.value is None and not (args.verified or args.accept or args.note):
        return usage_error("give a VALUE, --accept, --verified or --note")
    try:
        correct(
            args.out,
            args.case_id,
            args.field,
            value=args.value,
            accept=args.accept,
            verified=True if args.verified else None,
            note=args.note,
            reviewer=args.reviewer,
        )
    except TfMigrateError as exc:
        return usage_error(str(exc))
    print(f"saved in {corrections_dir(args.out)}; the next migrate applies it")
    return EXIT_OK


def run_corrections(out_dir: Path, *, conflicts_only: bool) -> int:
    try:
        found = load_corrections(out_dir)
        records = {
            case_id: current_record(out_dir, case_id)
            for case_id in found
            if (out_dir / record_name(case_id)).is_file()
        }
    except TfMigrateError as exc:
        return usage_error(str(exc))
    for case_id, case_corrections in found.items():
        record = records.get(case_id)
        applied = {c.field: c for c in record.review.corrected} if record and record.review else {}
        for entry in case_corrections.entries:
            done = applied.get(entry.field or "")
            conflict = done is not None and done.conflict
            if conflicts_only and not conflict:
                continue
            what = "case" if entry.field is None else entry.field
            parts = [f"{case_id} {what}:"]
            if entry.corrects:
                parts.append(f"{json.dumps(entry.value)} (base {json.dumps(entry.base)})")
            if conflict and done is not None:
                parts.append(f"CONFLICT: page now {json.dumps(done.parsed)}")
            if entry.verified:
                parts.append("verified")
            parts.append(f"by {entry.reviewer} {entry.when.isoformat()}")
            if entry.note:
                parts.append(f"- {entry.note}")
            print(" ".join(parts))
    return EXIT_OK


def run_review(out_dir: Path, *, port: int, reviewer: str | None) -> int:
    from tfmigrate.review.app import serve  # Flask only for this command

    if not (out_dir / "cases.jsonl").is_file():
        return usage_error(f"{out_dir}: no cases.jsonl; run tfmigrate migrate --out {out_dir} first")
    try:
        serve(out_dir, port=port, reviewer=reviewer)
    except OSError as exc:
        return usage_error(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}")
    return EXIT_OK


def run_stats(out_dir: Path, *, as_json: bool) -> int:
    try:
        coverage = measure(read_records(out_dir))
    except (TfMigrateError, OSError, ValueError) as exc:
        return usage_error(str(exc))
    if as_json:
        print(json.dumps(coverage.to_json(), indent=2))
        return EXIT_OK
    console = Console(width=100)
    fields = Table(title=f"{coverage.cases} cases in {out_dir}: fields filled")
    fields.add_column("field")
    fields.add_column("cases", justify="right")
    for name, count in sorted(coverage.fields.items(), key=lambda item: (-item[1], item[0])):
        fields.add_row(name, f"{count} ({percent(count, coverage.cases)})")
    console.print(fields)
    structured = Table(title="structured values read")
    structured.add_column("value")
    structured.add_column("read", justify="right")
    for name, (possible, read) in coverage.structured.items():
        structured.add_row(name, f"{read} of {possible} ({percent(read, possible)})")
    console.print(structured)
    issues = Table(title="issues by code")
    issues.add_column("code")
    issues.add_column("count", justify="right")
    for code, count in sorted(coverage.issues.items(), key=lambda item: (-item[1], item[0])):
        issues.add_row(code, str(count))
    console.print(issues)
    return EXIT_OK


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def one_line(exc: Exception) -> str:
    """The first problem of a settings error, named by its command-line option."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else ""
        option = OPTION_OF_FIELD.get(field_name, "--" + field_name.replace("_", "-"))
        return f"{option}: {first['msg'].removeprefix('Value error, ')}"
    return str(exc)


class CrawlReporter:
    """A rich progress bar on a terminal (fetched, queued, failed, bytes); plain log lines otherwise."""

    def __init__(self, *, verbose: bool, quiet: bool) -> None:
        self.verbose, self.quiet = verbose, quiet
        self.shown_failures: set[str] = set()  # URLs whose failure a line has named already
        self.counts: Counter[str] = Counter()
        self.bytes = 0
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        if not quiet and sys.stderr.isatty():
            self.progress = Progress(
                SpinnerColumn(),
                BarColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> CrawlReporter:
        if self.progress:
            self.progress.start()
            self.task = self.progress.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress:
            self.progress.stop()

    def show(self, event: CrawlEvent) -> None:
        if event.kind == "note":
            line = f"tfmigrate: note: {event.detail}"
            if self.progress is not None:
                self.progress.console.print(line, markup=False, highlight=False)
            else:
                print(line, file=sys.stderr)
            return
        self.counts[event.kind] += 1
        self.bytes += event.size
        if self.progress is not None and self.task is not None:
            handled = self.counts["fetched"] + self.counts["failed"] + self.counts["skipped"]
            self.progress.update(
                self.task,
                completed=handled,
                total=handled + event.queued,
                description=f"fetched {self.counts['fetched']}, queued {event.queued},"
                f" failed {self.counts['failed']}, {self.bytes:,} bytes",
            )
            if event.kind == "failed":
                self.progress.console.print(
                    f"failed {event.url}: {event.detail}", markup=False, highlight=False
                )
                self.shown_failures.add(event.url)
            return
        if self.quiet or (event.kind == "skipped" and not self.verbose):
            return
        words = [event.kind, str(event.status or ""), event.outcome or "", event.url]
        if event.detail and event.kind != "fetched":
            words.append(f"({event.detail})")
        print(" ".join(w for w in words if w), file=sys.stderr)
        if event.kind == "failed":
            self.shown_failures.add(event.url)

    def name_failures(self, failures: list[tuple[str, str]]) -> None:
        """Every URL that failed, one line each on stderr, unless a progress line named it already."""
        for url, reason in failures:
            if url not in self.shown_failures:
                print(f"failed {url}: {reason}", file=sys.stderr)


class MigrateReporter(CrawlReporter):
    """The crawl's progress, then a bar per phase (parse, write)."""

    def __init__(self, *, verbose: bool, quiet: bool) -> None:
        super().__init__(verbose=verbose, quiet=quiet)
        self.phase_task: TaskID | None = None

    def __enter__(self) -> MigrateReporter:
        super().__enter__()
        return self

    def crawl_event(self, event: CrawlEvent) -> None:
        if self.progress is not None or self.verbose or event.kind == "note":
            self.show(event)

    def phase(self, name: str, total: int) -> None:
        if self.progress is None:
            return
        if self.phase_task is not None:
            self.progress.update(self.phase_task, visible=False)
        self.phase_task = self.progress.add_task(name, total=total or None)

    def advance(self, count: int = 1) -> None:
        if self.progress is not None and self.phase_task is not None:
            self.progress.advance(self.phase_task, count)


def schema_json() -> str:
    return json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n"


def run_parse(paths: Sequence[Path], out_dir: Path, *, jobs: int, verbose: bool, quiet: bool) -> int:
    missing = [p for p in paths if not p.exists()]
    if missing:
        return usage_error(f"no such file or directory: {missing[0]}")
    pages = find_pages(paths)
    if not pages:
        suffixes = "/".join(sorted(s for s in PAGE_SUFFIXES if s))
        return usage_error(f"no {suffixes} files under {', '.join(map(str, paths))}")

    def say(line: str, trace: str) -> None:
        print(f"tfmigrate: {line}", file=sys.stderr)
        if verbose and trace:
            print(trace, end="", file=sys.stderr)

    try:
        summary = parse_batch(pages, out_dir, jobs, say)
    except TfMigrateError as exc:
        return usage_error(str(exc))
    except OSError as exc:
        return usage_error(f"cannot write to {out_dir}: {exc.strerror or exc}")
    if not quiet:
        print(summary.line(out_dir))
    return EXIT_FAILURES if summary.failed else EXIT_OK


def usage_error(message: str) -> int:
    print(f"tfmigrate: error: {message}", file=sys.stderr)
    return EXIT_USAGE
