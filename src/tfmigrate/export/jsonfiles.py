"""Records as JSON: ``cases/<case_id>.json`` (pretty) and ``cases.jsonl`` (one record a line).

Key order is the model's field order and text is written as UTF-8 characters, so the same record
always gives the same bytes. Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case


def case_to_json(case: Case) -> str:
    """The pretty JSON of one record, as written to ``cases/<case_id>.json`` and golden files.

    pydantic's serializer (Rust) writes the same bytes as ``json.dumps(..., ensure_ascii=False,
    indent=2)`` of ``model_dump(mode="json")`` for these records, about 5x faster (benchmarks/)."""
    return case.model_dump_json(indent=2) + "\n"


def case_to_json_line(case: Case) -> str:
    return case.model_dump_json() + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a reader, or a killed process, sees the old file or the new one, never a
    part. No fsync per file: a batch of thousands would spend most of its time there (measured in
    benchmarks/), and the rename is what makes the file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as handle:
        handle.write(text.encode("utf-8"))


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside ``path``, renamed over it when the block ends."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class CaseFiles:
    """``cases/<case_id>.json`` written as records arrive, ``cases.jsonl`` (by case id) at the end.

    The JSON lines wait in a spool file and only their offsets stay in memory, so a folder of any
    size streams through. Writing a case id again replaces its file and its line.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        (out_dir / "cases").mkdir(parents=True, exist_ok=True)
        self._spool = tempfile.TemporaryFile(dir=out_dir)  # noqa: SIM115 - closed by __exit__
        self._lines: dict[str, tuple[int, int]] = {}  # case id -> (offset, length) in the spool

    def __enter__(self) -> CaseFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._spool.close()

    @property
    def count(self) -> int:
        return len(self._lines)

    def write(self, case_id: str, pretty: str, line: str) -> None:
        write_atomic(self.out_dir / "cases" / f"{case_id}.json", pretty)
        data = line.encode("utf-8")
        self._lines[case_id] = (self._spool.seek(0, os.SEEK_END), len(data))
        self._spool.write(data)

    def finish(self) -> int:
        """Write ``cases.jsonl``; the number of records."""
        with atomic_file(self.out_dir / "cases.jsonl") as handle:
            for case_id in sorted(self._lines):
                offset, length = self._lines[case_id]
                self._spool.seek(offset)
                handle.write(self._spool.read(length))
        return self.count


class JsonlExporter:
    """The validated records as one JSON Lines file, what ``migrate`` writes as cases.jsonl."""

    name = "jsonl"
    description = "cases.jsonl: one validated record per line"
    supports_unknown = False

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int:
        count = 0
        with (out_dir / "cases.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
            for case in source.records():
                handle.write(case_to_json_line(case))
                count += 1
        return count
