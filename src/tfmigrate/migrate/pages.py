"""Each page to parse, parsed on the pool: its record goes into a spool file of the worker's own
(one append, not one file per page) until the run knows which case id each record gets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tfmigrate.crawl.archive import WarcLocation, read_payload
from tfmigrate.crawl.index import ArchivedPage
from tfmigrate.migrate.archived import ArchiveRef, served_as
from tfmigrate.models import Case, Issue
from tfmigrate.parse import parse_page
from tfmigrate.triage import Failed, Skipped, triage

# Where a parsed record waits: (the process id naming its spool file, offset, length).
SpoolRef = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class PageTask:
    """An archived page, as a worker reads it from its WARC record."""

    url: str
    base_url: str
    sha256: str
    location: WarcLocation
    charset: str | None
    served_as: str | None  # a media type other than a page's, when the bytes are a page all the same

    @classmethod
    def of(cls, page: ArchivedPage) -> PageTask:
        return cls(page.url, page.base_url, page.sha256, page.location, page.charset, served_as(page))


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: Literal["case", "skipped", "failed"]
    page_case_id: str | None = None  # a case: the id the page gives
    message: str | None = None  # a failure: why
    spooled: SpoolRef | None = None  # a case: where its record waits


@dataclass(frozen=True)
class ParseContext:
    archive: ArchiveRef
    spool: Path  # the folder of the spool files


def warm_up() -> None:
    """Nothing: a worker that runs it has imported this module, and the parser with it."""


def parse_into_spool(context: ParseContext, task: PageTask) -> Parsed:
    """Runs in a worker: read the page from its WARC record, parse it, spool its record."""
    outcome = triage(lambda: read_case(context.archive, task))
    if isinstance(outcome, Skipped):
        return Parsed("skipped")
    if isinstance(outcome, Failed):
        return Parsed("failed", message=outcome.message)
    return Parsed("case", outcome.case_id, spooled=spool_record(context.spool, outcome))


def read_case(archive: ArchiveRef, task: PageTask) -> Case:
    raw = read_payload(archive.warc_dir, task.location, task.sha256, archive.max_bytes)
    case = parse_page(raw, task.url, http_charset=task.charset, base_url=task.base_url)
    if task.served_as:
        message = f"served as {task.served_as}, but its bytes are an HTML page: parsed as one"
        case.issues.append(Issue(code="media_type_mismatch", field=None, message=message))
    return case


def spool_record(folder: Path, case: Case) -> SpoolRef:
    data = case.model_dump_json().encode("utf-8")
    pid = os.getpid()
    with (folder / f"parsed-{pid}.jsonl").open("ab") as spool:
        offset = spool.seek(0, os.SEEK_END)
        spool.write(data)
    return pid, offset, len(data)


def load_spooled(folder: Path, ref: SpoolRef) -> Case:
    pid, offset, length = ref
    with (folder / f"parsed-{pid}.jsonl").open("rb") as spool:
        spool.seek(offset)
        return Case.model_validate_json(spool.read(length))
