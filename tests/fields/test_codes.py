import pytest

from tfmigrate.fields.codes import acr_field, case_family, image_type, parse_acr_code

IMAGE_TYPES = [
    ("bs", ("bone scintigraphy", "NM", True)),
    ("xr", ("radiograph", "CR", True)),
    ("ct", ("CT", "CT", True)),
    ("mr", ("MR", "MR", True)),
    ("us", ("ultrasound", "US", True)),
    ("an", ("angiography", "XA", True)),
    ("pt", ("PET", "PT", True)),
    ("gu", ("voiding cystourethrogram", "RF", True)),  # rs034's fourth image
    ("rs", ("renal scintigraphy", "NM", True)),
    ("iw", ("In-111 leukocyte scintigraphy", "NM", True)),
    ("pe", (None, "NM", True)),  # a family of the site whose study is not known
    ("XR", ("radiograph", "CR", True)),
    ("zz", (None, None, False)),
    (None, (None, None, True)),  # newtfh figures print no code
]


@pytest.mark.parametrize(("code", "expected"), IMAGE_TYPES, ids=[str(c) for c, _ in IMAGE_TYPES])
def test_image_type(code: str | None, expected: tuple[str | None, str | None, bool]) -> None:
    kind = image_type(code)
    assert (kind.modality, kind.dicom_modality, kind.known) == expected


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        ("bs125", ("bs", "bone scintigraphy")),
        ("tr010", ("tr", "thyroid scintigraphy")),
        ("pe001", ("pe", None)),
        ("zz001", None),
        ("newtfh-271472", None),
    ],
)
def test_case_family(case_id: str, expected: tuple[str, str | None] | None) -> None:
    assert case_family(case_id) == expected


FIELDS = [
    ("Skeletal System", "4"),
    ("Face, Mastoids, and Neck", "2"),
    ("Lung, Mediastinum, and Pleura", "6"),
    ("Vascular and Lymphatic Systems", "9"),
    ("Genitourinary System", "8"),
    ("Gasterointestinal System", "7"),  # hp002's spelling, as printed
    ("Gastrointestinal System", "7"),
    ("Breast", None),  # 0 is unconfirmed: not mapped
    (None, None),
]


@pytest.mark.parametrize(("field", "digit"), FIELDS, ids=[str(f) for f, _ in FIELDS])
def test_acr_field(field: str | None, digit: str | None) -> None:
    result = acr_field(field)
    assert (result[0] if result else None) == digit


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("642.3212", ("642", "3212", "6", True)),
        ("4.4", ("4", "4", "4", False)),
        ("8.-1", ("8", "-1", "8", False)),
        ("1.9", ("1", "9", "1", False)),
        ("343.4444", ("343", "4444", "3", False)),
        ("5.7", ("5", "7", "5", False)),
    ],
)
def test_parse_acr_code(code: str, expected: tuple[str, str, str, bool]) -> None:
    parts = parse_acr_code(code)
    assert parts is not None
    assert (parts.anatomy, parts.pathology, parts.field, parts.is_neoplasm) == expected


@pytest.mark.parametrize("code", ["", "4", "four.4", "4.4.4", "12345.1", "4.x"])
def test_not_acr_codes(code: str) -> None:
    assert parse_acr_code(code) is None
