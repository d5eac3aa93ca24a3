"""``tfmigrate parse``: page files -> serialised records, on a process pool -> ``DIR/cases/`` and
``DIR/cases.jsonl``, written into a fresh folder and switched in when the batch is done.

Workers read, parse and serialise a page; the main process only chooses which page keeps a case id
and writes files, so records never gather in one process and more jobs mean more pages a second.
A fresh folder needs no temporary file per record (one was half of a batch's time: benchmarks/),
and a reader never sees a batch half written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tfmigrate.errors import InputError, OutputError
from tfmigrate.migrate.generation import STATE_DIR
from tfmigrate.parse import MAX_PAGE_BYTES, parse_page
from tfmigrate.records import CASES_DIR, JSONL_FILE, case_to_json, case_to_json_line
from tfmigrate.triage import Failed, Skipped, triage
from tfmigrate.twins import twin_kept
from tfmigrate.workers import map_in_order

# Record files queued for the writing thread at most (a few MB of JSON).
WRITES_AHEAD = 256
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


@dataclass
class BatchSummary:
    sources: dict[str, Path] = field(default_factory=dict)  # case id -> the page its record is from
    skipped: int = 0
    failed: int = 0
    duplicates: int = 0
    alternates: int = 0

    def line(self, out_dir: Path) -> str:
        return (
            f"parsed {len(self.sources)}, skipped {self.skipped} (not a case page), failed {self.failed}"
            + (f", duplicates {self.duplicates}" if self.duplicates else "")
            + (f", image-size alternates {self.alternates}" if self.alternates else "")
            + f" -> {out_dir / CASES_DIR}"
        )

    def keeps(self, parsed: ParsedFile) -> tuple[bool, str | None]:
        """Whether this page's record goes out, and why not when another page's does: the first
        page of a case id keeps it, but newtfh's as-submitted twin of a small page wins."""
        first = self.sources.get(parsed.case_id)
        if first is not None:
            kept = twin_kept(first.resolve().as_posix(), parsed.path.resolve().as_posix())
            if kept is None:
                self.duplicates += 1
                return False, f"{parsed.path}: case {parsed.case_id} already read from {first}; kept that"
            self.alternates += 1
            if kept != parsed.path.resolve().as_posix():
                return False, None
        self.sources[parsed.case_id] = parsed.path
        return True, None


# What a batch says as it goes: a line for stderr, and the traceback behind it (for -v).
Say = Callable[[str, str], None]


def parse_batch(paths: Sequence[Path], out_dir: Path, jobs: int, say: Say) -> BatchSummary:
    """Parse every page file into ``out_dir``'s records, replacing the last batch's."""
    summary = BatchSummary()
    with RecordFolder(out_dir) as output:
        for parsed in map_in_order(parse_file, paths, jobs):
            if parsed.outcome == "skipped":
                summary.skipped += 1
            elif parsed.outcome == "failed":
                summary.failed += 1
                say(f"{parsed.path}: {parsed.message}", parsed.trace)
            else:
                keep, note = summary.keeps(parsed)
                if note is not None:
                    say(note, "")
                if keep:
                    output.write(parsed.case_id, parsed.pretty, parsed.line)
        output.publish()
    return summary


def parse_file(path: Path) -> ParsedFile:
    outcome = triage(lambda: parse_page(read_page(path), path.resolve().as_uri()))
    if isinstance(outcome, Skipped):
        return ParsedFile(path, "skipped")
    if isinstance(outcome, Failed):
        return ParsedFile(path, "failed", message=outcome.message, trace=outcome.trace)
    return ParsedFile(path, "case", outcome.case_id, case_to_json(outcome), case_to_json_line(outcome))


def read_page(path: Path) -> bytes:
    with path.open("rb") as handle:
        # As many bytes as the file says it holds, not a buffer of the limit: that buffer cost an
        # mmap and a munmap a page, more than the read (benchmarks/). A file longer than it said
        # (a pipe, one still being written) is read on, to the limit.
        expected = os.fstat(handle.fileno()).st_size
        raw = handle.read(min(expected, MAX_PAGE_BYTES) + 1)
        if len(raw) > expected:
            raw += handle.read(MAX_PAGE_BYTES + 1 - len(raw))
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


def refuse_others(out_dir: Path) -> None:
    """Before a page is parsed: the folder a batch replaces must be one a batch wrote (records
    only), never a folder of someone else's, nor the run a migrate publishes."""
    if (out_dir / STATE_DIR).is_dir():
        raise OutputError(f"{out_dir} is the output of tfmigrate migrate: parse into a folder of its own")
    cases = out_dir / CASES_DIR
    others = sorted(p.name for p in cases.iterdir() if p.suffix != ".json") if cases.is_dir() else []
    if others or (cases.exists() and not cases.is_dir()) or (out_dir / JSONL_FILE).is_dir():
        where = f"{cases} holds {others[0]!r}" if others else f"{cases} or {out_dir / JSONL_FILE} is not ours"
        raise OutputError(f"{where}, not records of tfmigrate parse: move it or parse into another folder")


class RecordFolder:
    """A batch's ``cases/`` and ``cases.jsonl``, written into a fresh folder beside them and each
    switched in by one rename when the batch is done (the last batch's are removed then).

    ``cases.jsonl`` lists the records by case id: the lines wait in a spool file and only their
    offsets stay in memory, so a folder of any size streams through. Writing a case id again
    replaces its file and its line."""

    def __init__(self, out_dir: Path) -> None:
        refuse_others(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.staging = Path(tempfile.mkdtemp(prefix=".tfmigrate-parse-", dir=out_dir))
        (self.staging / CASES_DIR).mkdir()
        self._spool = (self.staging / "lines").open("w+b")
        self._lines: dict[str, tuple[int, int]] = {}  # case id -> (offset, length) in the spool
        # Files are written on a thread of their own, in order: creating a file took ~1 ms while the
        # process parsed, a third of a one-job batch (benchmarks/), and a thread waits for the
        # filesystem while the parsing goes on. The writes waiting are bounded, and so is memory.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records")
        self._writes: deque[Future[None]] = deque()

    def __enter__(self) -> RecordFolder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._writer.shutdown(wait=True, cancel_futures=True)
        self._spool.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def write(self, case_id: str, pretty: str, line: str) -> None:
        """Queue a record's file and line; a write that failed raises here or at ``publish``."""
        self._writes.append(self._writer.submit(self._write, case_id, pretty, line))
        if len(self._writes) > WRITES_AHEAD:
            self._writes.popleft().result()

    def _write(self, case_id: str, pretty: str, line: str) -> None:
        with (self.staging / CASES_DIR / f"{case_id}.json").open("wb") as handle:
            handle.write(pretty.encode("utf-8"))
        data = line.encode("utf-8")
        self._lines[case_id] = (self._spool.seek(0, os.SEEK_END), len(data))
        self._spool.write(data)

    def publish(self) -> None:
        """Write ``cases.jsonl`` (by case id), then switch both names in."""
        while self._writes:
            self._writes.popleft().result()
        with (self.staging / JSONL_FILE).open("xb") as handle:
            for case_id in sorted(self._lines):
                offset, length = self._lines[case_id]
                self._spool.seek(offset)
                handle.write(self._spool.read(length))
        replaced = self.staging / "replaced"
        replaced.mkdir()
        for name in (CASES_DIR, JSONL_FILE):
            target = self.out_dir / name
            if target.exists() or target.is_symlink():
                os.replace(target, replaced / name)
            os.replace(self.staging / name, target)
