"""Structured values on whole records: what cannot be read with confidence leaves an issue."""

from __future__ import annotations

from tests.conftest import SEED
from tfmigrate.parse import parse_page

URL = "http://gamma.wustl.edu/bs125te148.html"


def variant(old: str, new: str) -> bytes:
    text = SEED.read_text()
    assert old in text
    return text.replace(old, new).encode()


def codes(raw: bytes) -> list[str]:
    return [issue.code for issue in parse_page(raw, URL).issues]


def test_the_seed_reads_without_issues() -> None:
    case = parse_page(SEED.read_bytes(), URL)
    assert case.issues == []
    assert case.case_family is not None and case.case_family.name == "bone scintigraphy"
    assert case.anatomic_field_code == "4"
    assert [(i.type_code, i.dicom_modality) for i in case.images] == [("bs", "NM")] * 3 + [("xr", "CR")]
    assert case.procedure and case.procedure.administrations[0].activity_mbq == 799.2


def test_an_impossible_date_is_null_with_an_issue() -> None:
    case = parse_page(variant("1/30/01", "2/30/99"), URL)
    assert (case.date, case.date_raw) == (None, "2/30/99")
    assert [i.code for i in case.issues] == ["date_invalid"]


def test_an_unknown_image_code_is_kept_and_flagged() -> None:
    case = parse_page(variant("View fourth image(xr)", "View fourth image(zq)"), URL)
    assert (case.images[3].type_code, case.images[3].modality) == ("zq", None)
    assert codes(variant("View fourth image(xr)", "View fourth image(zq)")) == ["image_type_unknown"]


def test_an_unreadable_procedure_and_citation_are_flagged() -> None:
    assert "procedure_unparsed" in codes(variant("21.6 mCi Tc-99m MDP i.v.", "21.6 mCi i.v."))
    raw = variant(
        "no other entitities were considered.",
        "no other entitities were considered.\n\nReferences: see below",
    )
    case = parse_page(raw, URL)
    assert [(r.text, r.origin, r.style) for r in case.references][:1] == [("see below", "inline", "unknown")]
    assert [i.code for i in case.issues] == ["reference_unparsed"]


def test_acr_codes_against_the_pages_field() -> None:
    raw = variant("ACR Codes and Keywords:", "ACR Codes and Keywords:\n\n4.31, 642.3212")
    case = parse_page(raw, URL)
    assert [(a.anatomy, a.pathology, a.anatomic_field) for a in case.acr] == [
        ("4", "31", "4"),
        ("642", "3212", "6"),
    ]
    assert [i.code for i in case.issues] == ["acr_field_mismatch"]
