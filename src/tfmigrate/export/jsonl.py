"""The validated records as one JSON Lines file: what ``migrate`` writes as ``cases.jsonl``."""

from __future__ import annotations

from pathlib import Path

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.records import JSONL_FILE, case_to_json_line


class JsonlExporter:
    name = "jsonl"
    description = "cases.jsonl: one validated record per line"
    supports_unknown = False

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int:
        count = 0
        with (out_dir / JSONL_FILE).open("w", encoding="utf-8", newline="\n") as handle:
            for case in source.records():
                handle.write(case_to_json_line(case))
                count += 1
        return count
