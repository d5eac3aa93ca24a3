"""Records on disk: ``cases/<case_id>.json`` (pretty) and ``cases.jsonl`` (one record a line).

The one place that names a record's file, writes a record's bytes and reads a folder of records
(migrate's last run, ``stats``, the exporters). Key order is the model's field order and text is
written as UTF-8 characters, so the same record always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from tfmigrate.errors import InputError
from tfmigrate.models import Case

CASES_DIR = "cases"
JSONL_FILE = "cases.jsonl"


def record_name(case_id: str) -> str:
    """A record's file, relative to the folder that holds ``cases/``."""
    return f"{CASES_DIR}/{case_id}.json"


def original_path(case: Case) -> str:
    """The archived bytes of a record's page, as migrate writes them beside it."""
    return f"originals/{case.case_id}{'.txt' if case.source.input_format == 'text' else '.html'}"


def case_to_json(case: Case) -> str:
    """The pretty JSON of one record, as written to ``cases/<case_id>.json`` and golden files.

    pydantic's serializer (Rust) writes the same bytes as ``json.dumps(..., ensure_ascii=False,
    indent=2)`` of ``model_dump(mode="json")`` for these records, about 5x faster (benchmarks/)."""
    return case.model_dump_json(indent=2) + "\n"


def case_to_json_line(case: Case) -> str:
    return case.model_dump_json() + "\n"


def read_record(path: Path) -> Case:
    """One record file, validated (OSError or pydantic's ValidationError when it does not read)."""
    return Case.model_validate_json(path.read_bytes())


def case_ids(root: Path) -> list[str]:
    """The ids of the records a folder holds, sorted; none when it has no ``cases/``."""
    return sorted(path.stem for path in (root / CASES_DIR).glob("*.json"))


def record_files(root: Path) -> list[Path]:
    """Every record file of a migrated or parsed folder, sorted; refused without ``cases/`` (a
    wrong DIR once left header-only CSVs)."""
    if not (root / CASES_DIR).is_dir():
        raise InputError(f"{root}: no {CASES_DIR}/ folder (run tfmigrate migrate or parse first)")
    return sorted((root / CASES_DIR).glob("*.json"))
