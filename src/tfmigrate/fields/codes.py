"""Codes printed on the pages -> what they mean: image type codes, case families, ACR Index codes.

Only meanings the site's own pages or the ACR Index confirm are mapped; an unknown code is kept as printed and
flagged by the caller, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The two-letter case families of the site's case ids (bs125, tr010...); each is a nuclear medicine
# study (DICOM modality NM).
CASE_FAMILIES: dict[str, str] = {
    "bs": "bone scintigraphy",
    "hs": "hepatobiliary scintigraphy",
    "hp": "hepatic blood pool scintigraphy",
    "ls": "liver-spleen scintigraphy",
    "gi": "gastrointestinal bleeding scintigraphy",
    "ms": "Meckel's diverticulum scintigraphy",
    "tr": "thyroid scintigraphy",
    "pa": "parathyroid scintigraphy",
    "rs": "renal scintigraphy",
    "ts": "testicular scintigraphy",
    "iw": "In-111 leukocyte scintigraphy",
    "ga": "gallium scintigraphy",
    "mb": "MIBG scintigraphy",
    "ot": "octreotide scintigraphy",
    "cl": "CSF leak scintigraphy",
    "mi": "myocardial perfusion scintigraphy",
    # "pe" is a family of the site whose study no page of it names: NM, name unknown.
    "pe": "",
}
# Image type codes the site's image links print that are not case families ("View second
# image(xr)"): (modality name, DICOM modality).
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    "xr": ("radiograph", "CR"),
    "ct": ("CT", "CT"),
    "mr": ("MR", "MR"),
    "us": ("ultrasound", "US"),
    "an": ("angiography", "XA"),
    "pt": ("PET", "PT"),
    "gu": ("voiding cystourethrogram", "RF"),
}
NUCLEAR_MEDICINE = "NM"
CASE_ID_FAMILY_RE = re.compile(r"^(?P<family>[a-z]{2})\d{3}$")

# ACR Index top-level anatomic fields (the ACR Index for Radiological Diagnoses), keyed by words of
# the page's field name; the site spells one "Gasterointestinal" (hp002). Breast (0) is
# unconfirmed and not mapped.
ACR_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("skull", "1", "skull and contents"),
    ("face", "2", "face, mastoids and neck"),
    ("spine", "3", "spine and contents"),
    ("skeletal", "4", "skeletal system"),
    ("heart", "5", "heart"),
    ("lung", "6", "lung, mediastinum and pleura"),
    ("gast", "7", "gastrointestinal system"),
    ("genitourinary", "8", "genitourinary system"),
    ("vascular", "9", "vascular and lymphatic systems"),
)
ACR_CODE_RE = re.compile(r"^(?P<anatomy>\d{1,4})\.(?P<pathology>-?\d{1,8})$")
# The one pathology class mapped (the ACR Index's): .3 neoplasm (.32 primary malignant, ...).
NEOPLASM_DIGIT = "3"
NEOPLASM_CATEGORY_RE = re.compile(r"\bneoplas", re.IGNORECASE)


@dataclass(frozen=True)
class ImageType:
    modality: str | None
    dicom_modality: str | None
    known: bool


def image_type(code: str | None) -> ImageType:
    """The modality of a bracketed image code (``bs``, ``xr``...); unknown codes are not guessed."""
    if not code:
        return ImageType(None, None, True)
    code = code.lower()
    if code in IMAGE_TYPES:
        name, dicom = IMAGE_TYPES[code]
        return ImageType(name, dicom, True)
    if code in CASE_FAMILIES:
        return ImageType(CASE_FAMILIES[code] or None, NUCLEAR_MEDICINE, True)
    return ImageType(None, None, False)


def case_family(case_id: str) -> tuple[str, str | None] | None:
    """(code, study name) of a classic case id (``bs125`` -> bone scintigraphy); None otherwise."""
    match = CASE_ID_FAMILY_RE.match(case_id)
    if not match or match["family"] not in CASE_FAMILIES:
        return None
    return match["family"], CASE_FAMILIES[match["family"]] or None


def acr_field(anatomic_field: str | None) -> tuple[str, str] | None:
    """(ACR top-level digit, field name) of a page's anatomic field, e.g. Skeletal System -> 4."""
    if not anatomic_field:
        return None
    text = anatomic_field.lower()
    return next(((digit, name) for word, digit, name in ACR_FIELDS if word in text), None)


@dataclass(frozen=True)
class AcrParts:
    code: str
    anatomy: str
    pathology: str
    field: str  # the anatomy's first digit: the top-level anatomic field
    is_neoplasm: bool


def parse_acr_code(code: str) -> AcrParts | None:
    """``642.3212`` -> anatomy 642, pathology 3212; ``8.-1`` keeps its sign. None if not a code."""
    match = ACR_CODE_RE.match(code.strip())
    if not match:
        return None
    anatomy, pathology = match["anatomy"], match["pathology"]
    return AcrParts(code.strip(), anatomy, pathology, anatomy[0], pathology.startswith(NEOPLASM_DIGIT))
