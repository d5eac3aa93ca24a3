"""CSV for spreadsheets and databases: cases.csv (a row per case) and images.csv (a row per image).

RFC 4180 (comma separated, CRLF line ends, quotes where needed), UTF-8, with a byte-order mark on
request for spreadsheet programs. A cell that a spreadsheet would run as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe: page text is
never a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case, Image

LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CASE_COLUMNS = (
    "case_id", "template", "title", "diagnosis", "authors", "date", "date_raw", "difficulty", "quality",
    "brief_history", "full_history", "patient", "procedure", "administrations", "findings", "discussion",
    "followup", "teaching_points", "differential_diagnosis", "anatomic_field", "anatomic_field_code",
    "category", "acr_codes", "keywords", "case_family", "images", "references", "withdrawn", "source_url",
    "issues",
)  # fmt: skip
IMAGE_COLUMNS = (
    "case_id", "label", "type_code", "modality", "dicom_modality", "caption", "note", "viewer_url", "url",
    "path", "sha256", "media_type", "size", "width", "height",
)  # fmt: skip


def safe_cell(value: Any) -> str:
    """A cell's text, with formula-like text neutralised (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def joined(items: Iterable[object]) -> str:
    return LIST_SEPARATOR.join(str(item) for item in items)


def case_row(case: Case) -> dict[str, Any]:
    rating = case.rating
    administrations = case.procedure.administrations if case.procedure else []
    return {
        "case_id": case.case_id,
        "template": case.template,
        "title": case.title,
        "diagnosis": case.diagnosis,
        "authors": joined(a.display_name or a.name for a in case.authors),
        "date": case.date,
        "date_raw": case.date_raw,
        "difficulty": rating.difficulty if rating else None,
        "quality": rating.quality if rating else None,
        "brief_history": case.brief_history,
        "full_history": case.full_history,
        "patient": case.patient.text if case.patient else None,
        "procedure": case.procedure.text if case.procedure else None,
        "administrations": joined(administration_summary(a) for a in administrations),
        "findings": case.findings,
        "discussion": case.discussion,
        "followup": case.followup,
        "teaching_points": joined(case.teaching_points),
        "differential_diagnosis": joined(case.differential_diagnosis),
        "anatomic_field": case.anatomic_field,
        "anatomic_field_code": case.anatomic_field_code,
        "category": case.category,
        "acr_codes": joined(case.acr_codes),
        "keywords": joined(case.keywords),
        "case_family": case.case_family.name if case.case_family else None,
        "images": len(case.images),
        "references": joined(r.text for r in case.references),
        "withdrawn": case.withdrawn,
        "source_url": case.source.url,
        "issues": joined(issue.code for issue in case.issues),
    }


def administration_summary(administration: Any) -> str:
    parts = [administration.radionuclide, administration.pharmaceutical, administration.drug]
    amount = (
        f"{administration.activity_mbq:g} MBq"
        if administration.activity_mbq is not None
        else administration.dose.text
        if administration.dose
        else None
    )
    return " ".join(p for p in [*parts, amount, administration.route] if p)


def image_row(case: Case, image: Image) -> dict[str, Any]:
    return {"case_id": case.case_id, **image.model_dump(include=set(IMAGE_COLUMNS))}


class CsvExporter:
    name = "csv"
    description = "cases.csv and images.csv (RFC 4180, UTF-8; --bom for spreadsheets)"
    supports_unknown = False

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int:
        encoding = "utf-8-sig" if options.bom else "utf-8"
        count = 0
        with (
            (out_dir / "cases.csv").open("w", encoding=encoding, newline="") as cases_file,
            (out_dir / "images.csv").open("w", encoding=encoding, newline="") as images_file,
        ):
            cases, images = writer(cases_file, CASE_COLUMNS), writer(images_file, IMAGE_COLUMNS)
            for case in source.records():
                row = case_row(case)
                cases.writerow([safe_cell(row[c]) for c in CASE_COLUMNS])
                for image in case.images:
                    image_cells = image_row(case, image)
                    images.writerow([safe_cell(image_cells[c]) for c in IMAGE_COLUMNS])
                count += 1
        return count


def writer(handle: IO[str], columns: tuple[str, ...]) -> Any:
    out = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(columns)
    return out
