"""Coverage of a migrated output: how many cases fill each field, how many structured values were
read, and the issues by code — what an archivist checks before an import."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfmigrate.records import record_files

# A structured value of one record: (name, how many there could be, how many were read).
StructuredCount = tuple[str, int, int]


@dataclass
class Coverage:
    cases: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    structured: dict[str, list[int]] = field(default_factory=dict)  # name -> [possible, read]
    issues: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "fields": dict(sorted(self.fields.items())),
            "structured": {name: {"read": r, "of": n} for name, (n, r) in sorted(self.structured.items())},
            "issues": dict(sorted(self.issues.items())),
        }


def read_records(out_dir: Path) -> Iterator[dict[str, Any]]:
    for path in record_files(out_dir):
        yield json.loads(path.read_text(encoding="utf-8"))


def measure(records: Iterable[dict[str, Any]]) -> Coverage:
    coverage = Coverage()
    for record in records:
        coverage.cases += 1
        for name, value in record.items():
            if name not in ("schema_version", "source", "issues") and is_filled(value):
                coverage.fields[name] += 1
        for name, possible, read in structured_counts(record):
            totals = coverage.structured.setdefault(name, [0, 0])
            totals[0] += possible
            totals[1] += read
        coverage.issues.update(issue["code"] for issue in record.get("issues", []))
    return coverage


def is_filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values())
    return value not in (None, "", [])


def structured_counts(record: dict[str, Any]) -> list[StructuredCount]:
    authors = record.get("authors", [])
    images = record.get("images", [])
    references = record.get("references", [])
    administrations = (record.get("procedure") or {}).get("administrations", [])
    radiopharmaceuticals = [a for a in administrations if a.get("kind") == "radiopharmaceutical"]
    patient = record.get("patient") or {}
    return [
        ("authors: given and family name", len(authors), sum(1 for a in authors if a.get("family"))),
        (
            "date: ISO from the printed date",
            1 if record.get("date_raw") else 0,
            1 if record.get("date") else 0,
        ),
        ("rating: difficulty and quality", 1 if record.get("rating") else 0, full_rating(record)),
        ("procedure: administrations", 1 if record.get("procedure") else 0, 1 if administrations else 0),
        (
            "administrations: activity in MBq",
            len(radiopharmaceuticals),
            sum(1 for a in radiopharmaceuticals if a.get("activity_mbq") is not None),
        ),
        (
            "administrations: radionuclide",
            len(radiopharmaceuticals),
            sum(1 for a in radiopharmaceuticals if a.get("radionuclide")),
        ),
        (
            "references: CSL-JSON (confidence >= 0.5)",
            len(references),
            sum(1 for r in references if (r.get("confidence") or 0) >= 0.5),
        ),
        (
            "images: modality from type code",
            sum(1 for i in images if i.get("type_code")),
            sum(1 for i in images if i.get("type_code") and i.get("dicom_modality")),
        ),
        ("images: file written", len(images), sum(1 for i in images if i.get("path"))),
        ("acr codes: read", len(record.get("acr_codes", [])), len(record.get("acr", []))),
        (
            "anatomic field: ACR digit",
            1 if record.get("anatomic_field") else 0,
            1 if record.get("anatomic_field_code") else 0,
        ),
        ("patient: age", 1 if patient else 0, 1 if patient.get("age_years") is not None else 0),
    ]


def full_rating(record: dict[str, Any]) -> int:
    rating = record.get("rating") or {}
    return 1 if rating.get("difficulty") is not None and rating.get("quality") is not None else 0
