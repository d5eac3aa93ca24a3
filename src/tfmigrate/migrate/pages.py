"""Each page to parse, parsed on the pool: its record and its provenance go into a spool file of
the worker's own (one append, not one file per page) until the run knows which case id each record
gets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tfmigrate.crawl.archive import WarcLocation, read_payload
from tfmigrate.crawl.index import ArchivedPage
from tfmigrate.migrate.archived import ArchiveRef, served_as
from tfmigrate.models import Case, Issue
from tfmigrate.parse import trace_page
from tfmigrate.provenance import Provenance
from tfmigrate.triage import Failed, Skipped, triage

# Where a parsed record waits: (the process id naming its spool file, offset, the record's length,
# its provenance's length, which follows it).
SpoolRef = tuple[int, int, int, int]


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
    spooled: SpoolRef | None = None  # a case: where its record and provenance wait


@dataclass(frozen=True)
class ParseContext:
    archive: ArchiveRef
    spool: Path  # the folder of the spool files


def warm_up() -> None:
    """Nothing: a worker that runs it has imported this module, and the parser with it."""


def parse_into_spool(context: ParseContext, task: PageTask) -> Parsed:
    """Runs in a worker: read the page from its WARC record, parse it, spool its record and its
    provenance."""
    outcome = triage(lambda: read_case(context.archive, task))
    if isinstance(outcome, Skipped):
        return Parsed("skipped")
    if isinstance(outcome, Failed):
        return Parsed("failed", message=outcome.message)
    case, provenance = outcome
    return Parsed("case", case.case_id, spooled=spool_record(context.spool, case, provenance))


def read_case(archive: ArchiveRef, task: PageTask) -> tuple[Case, Provenance]:
    """The page's record and where each of its values came from, from one parse: the provenance
    was once traced by a second parse of every page written, a third of a first run's work."""
    raw = read_payload(archive.warc_dir, task.location, task.sha256, archive.max_bytes)
    case, provenance = trace_page(raw, task.url, http_charset=task.charset, base_url=task.base_url)
    if task.served_as:
        message = f"served as {task.served_as}, but its bytes are an HTML page: parsed as one"
        case.issues.append(Issue(code="media_type_mismatch", field=None, message=message))
    return case, provenance


def spool_record(folder: Path, case: Case, provenance: Provenance) -> SpoolRef:
    record, places = case.model_dump_json().encode("utf-8"), provenance.model_dump_json().encode("utf-8")
    pid = os.getpid()
    with (folder / f"parsed-{pid}.jsonl").open("ab") as spool:
        offset = spool.seek(0, os.SEEK_END)
        spool.write(record + places)
    return pid, offset, len(record), len(places)


def load_spooled(folder: Path, ref: SpoolRef) -> tuple[Case, Provenance]:
    pid, offset, record_length, places_length = ref
    with (folder / f"parsed-{pid}.jsonl").open("rb") as spool:
        spool.seek(offset)
        record, places = spool.read(record_length), spool.read(places_length)
    return Case.model_validate_json(record), Provenance.model_validate_json(places)
