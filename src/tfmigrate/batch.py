"""``tfmigrate parse``: page files -> serialised records, on a process pool.

Workers read, parse and serialise a page; the main process only chooses which page keeps a case id
and writes files, so records never gather in one process and more jobs mean more pages a second.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tfmigrate.errors import InputError, NotACasePageError, TfMigrateError
from tfmigrate.export.jsonfiles import case_to_json, case_to_json_line
from tfmigrate.parse import MAX_PAGE_BYTES, parse_page
from tfmigrate.workers import map_in_order

# What a directory walk reads as pages; image and cine files beside them are not pages.
PAGE_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".txt", ""})


@dataclass(frozen=True, slots=True)
class ParsedFile:
    path: Path
    outcome: Literal["case", "skipped", "failed"]
    case_id: str = ""
    pretty: str = ""  # the record as cases/<case_id>.json holds it
    line: str = ""  # the record as its cases.jsonl line
    message: str = ""  # why the page failed, one line
    trace: str = ""  # the traceback of a failure, for -v


def parse_files(paths: Sequence[Path], jobs: int) -> Iterator[ParsedFile]:
    """Each page file parsed, in the order given."""
    yield from map_in_order(parse_file, paths, jobs)


def parse_file(path: Path) -> ParsedFile:
    try:
        case = parse_page(read_page(path), path.resolve().as_uri())
    except NotACasePageError:
        return ParsedFile(path, "skipped")
    except (TfMigrateError, OSError) as exc:
        return failed_file(path, exc, "")
    except Exception as exc:  # a parser bug must not end the batch; -v shows where it is
        return failed_file(path, exc, "internal error: ")
    return ParsedFile(path, "case", case.case_id, case_to_json(case), case_to_json_line(case))


def failed_file(path: Path, exc: BaseException, prefix: str) -> ParsedFile:
    message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    trace = "".join(traceback.format_exception(exc))
    return ParsedFile(path, "failed", message=prefix + message, trace=trace)


def read_page(path: Path) -> bytes:
    with path.open("rb") as handle:
        raw = handle.read(MAX_PAGE_BYTES + 1)
    if len(raw) > MAX_PAGE_BYTES:
        raise InputError(f"over the {MAX_PAGE_BYTES:,}-byte page limit")
    return raw


def find_pages(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and the page files below directories, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES and not p.name.startswith(".")
                )
            )
        else:
            found.append(path)
    return found
