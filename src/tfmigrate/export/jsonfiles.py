"""Records as JSON: ``cases/<case_id>.json`` (pretty) and ``cases.jsonl`` (one record a line).

Key order is the model's field order and text is written as UTF-8 characters, so the same record
always gives the same bytes. Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case


def case_to_json(case: Case) -> str:
    """The pretty JSON of one record, as written to ``cases/<case_id>.json`` and golden files."""
    return json.dumps(case.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def case_to_json_line(case: Case) -> str:
    return json.dumps(case.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a reader, or a killed process, sees the old file or the new one, never a
    part. No fsync per file: a batch of thousands would spend most of its time there (measured in
    benchmarks/), and the rename is what makes the file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_cases(cases: Iterable[Case], out_dir: Path) -> int:
    """``out_dir/cases/<case_id>.json`` for each record and ``out_dir/cases.jsonl``; the count."""
    lines: list[str] = []
    for case in cases:
        write_atomic(out_dir / "cases" / f"{case.case_id}.json", case_to_json(case))
        lines.append(case_to_json_line(case))
    write_atomic(out_dir / "cases.jsonl", "".join(lines))
    return len(lines)


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
