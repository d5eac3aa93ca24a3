"""Structured values next to the printed text: names, doses, citations, modalities, ACR codes.

Runs on a record the template built. Every value is added beside what was printed (never
instead of it), and each one that cannot be read with confidence leaves an issue.
"""

from __future__ import annotations

from tfmigrate.fields import citations, codes, doses, names
from tfmigrate.models import AcrCode, Administration, Case, CaseFamily, Issue, Quantity, Reference

# A citation read with less confidence than this is flagged for a person to check.
MIN_CITATION_CONFIDENCE = 0.5
# A references text longer than this is kept as printed but not split or read (hostile input).
MAX_CITATIONS_TEXT = 20_000
MAX_PROCEDURE_TEXT = 2000
YEARS_PER_UNIT = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}


def structure_case(case: Case) -> None:
    """Fill the structured fields of a record in place."""
    issues: list[Issue] = []
    structure_authors(case)
    structure_patient(case)
    issues += structure_procedure(case)
    issues += structure_references(case)
    issues += structure_images(case)
    issues += structure_codes(case)
    case.issues.extend(issues)


def structure_authors(case: Case) -> None:
    for author in case.authors:
        parts = names.split_name(author.name)
        author.given, author.family, author.suffix = parts.given, parts.family, parts.suffix
        author.display_name = parts.display_name
        author.is_user_id = names.USER_ID_RE.match(author.name) is not None


def structure_patient(case: Case) -> None:
    patient = case.patient
    if patient is not None and patient.age is not None and patient.age_unit is not None:
        patient.age_years = round(patient.age * YEARS_PER_UNIT[patient.age_unit], 2)


def structure_procedure(case: Case) -> list[Issue]:
    if case.procedure is None:
        return []
    if len(case.procedure.text) > MAX_PROCEDURE_TEXT:
        return [
            Issue(code="procedure_unparsed", field="procedure", message="too long to read: kept as printed")
        ]
    parsed, problems = doses.parse_administrations(case.procedure.text)
    case.procedure.administrations = [
        Administration(
            text=a.text,
            kind="drug" if a.kind == "drug" else "radiopharmaceutical",
            activity=quantity(a.activity),
            activity_mbq=a.activity_mbq,
            radionuclide=a.radionuclide,
            pharmaceutical=a.pharmaceutical,
            drug=a.drug,
            dose=quantity(a.dose),
            route=a.route,
            route_text=a.route_text,
            phase=a.phase,
        )
        for a in parsed
    ]
    return [Issue(code="procedure_unparsed", field="procedure", message=problem) for problem in problems]


def quantity(value: doses.Quantity | None) -> Quantity | None:
    return Quantity(value=value.value, unit=value.unit, text=value.text) if value else None


def structure_references(case: Case) -> list[Issue]:
    """Split runs of citations into one entry each and read each into CSL-JSON."""
    issues: list[Issue] = []
    entries: list[Reference] = []
    for reference in case.references:
        if len(reference.text) > MAX_CITATIONS_TEXT:
            entries.append(reference)
            issues.append(Issue(code="reference_unparsed", field="references", message="too long to read"))
            continue
        for text in citations.split_citations(reference.text) or [reference.text]:
            parsed = citations.parse_citation(text)
            entries.append(
                Reference(
                    text=text,
                    origin=reference.origin,
                    csl=parsed.csl,
                    style=parsed.style,
                    confidence=round(parsed.confidence, 2),
                )
            )
            if parsed.confidence < MIN_CITATION_CONFIDENCE:
                issues.append(
                    Issue(
                        code="reference_unparsed",
                        field="references",
                        message=f"not read with confidence: {text!r}",
                    )
                )
    case.references = entries
    return issues


def structure_images(case: Case) -> list[Issue]:
    issues = []
    for image in case.images:
        kind = codes.image_type(image.type_code)
        image.modality, image.dicom_modality = kind.modality, kind.dicom_modality
        if not kind.known:
            issues.append(
                Issue(
                    code="image_type_unknown",
                    field="images",
                    message=f"{image.label}: code {image.type_code!r}",
                )
            )
    return issues


def structure_codes(case: Case) -> list[Issue]:
    """Case family, the anatomic field's ACR digit, and ACR codes checked against the page's field."""
    issues = []
    family = codes.case_family(case.case_id)
    if family is not None:
        case.case_family = CaseFamily(code=family[0], name=family[1])
    field = codes.acr_field(case.anatomic_field)
    case.anatomic_field_code = field[0] if field else None
    if case.anatomic_field and field is None:
        issues.append(
            Issue(code="anatomic_field_unknown", field="anatomic_field", message=f"{case.anatomic_field!r}")
        )
    case.acr = []
    for code in case.acr_codes:
        parts = codes.parse_acr_code(code)
        if parts is None:
            issues.append(
                Issue(code="acr_code_invalid", field="acr_codes", message=f"{code!r} is not an ACR code")
            )
            continue
        case.acr.append(
            AcrCode(
                code=parts.code, anatomy=parts.anatomy, pathology=parts.pathology, anatomic_field=parts.field
            )
        )
        if field is not None and parts.field != field[0]:
            issues.append(
                Issue(
                    code="acr_field_mismatch",
                    field="acr_codes",
                    message=f"{code} is in anatomic field {parts.field}; the page says {field[0]}"
                    f" ({case.anatomic_field})",
                )
            )
        if case.category and codes.NEOPLASM_CATEGORY_RE.search(case.category) and not parts.is_neoplasm:
            issues.append(
                Issue(
                    code="acr_category_mismatch",
                    field="acr_codes",
                    message=f"{code}: the page's category is {case.category!r}, but its pathology is not .3",
                )
            )
    return issues
